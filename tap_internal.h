/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap_internal.h - Input buffer and pipeline shared by the tap back-ends */

#ifndef TAP_INTERNAL_H
#define TAP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>
#include <time.h>

#include "packet.h"
#include "ctx.h"
#include "tap.h"

/* Frames start 2 bytes past 4-byte alignment, so that IP headers after the
 * 14-byte Ethernet header are 4-byte aligned, as their structs require
 */
#define TAP_L2_PAD		2

/* Input buffer and its pool of frames: tap.c */
extern char tap_buf[TAP_BUF_BYTES];
extern struct pool pool_l2;

void tap_l2_input(struct ctx *c, const struct timespec *now);
void tap_frame_add(struct ctx *c, const char *frame, size_t l2len);
bool tap_frame_add_tail(struct ctx *c, const char *head, size_t hlen,
			const char *tail, size_t tlen);

#endif /* TAP_INTERNAL_H */
