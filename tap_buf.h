/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap_buf.h - Input buffer: frames from the guest, before the pipeline */

#ifndef TAP_BUF_H
#define TAP_BUF_H

#include <stdbool.h>
#include <stddef.h>

#include "ctx.h"
#include "packet.h"

#define TAP_BUF_BYTES		(2UL * 1024 * 1024)

/* Input buffer and its pool of frames */
extern char tap_buf[TAP_BUF_BYTES];
extern struct pool pool_l2;

void tap_frame_add(struct ctx *c, const char *frame, size_t l2len);
bool tap_frame_add_tail(struct ctx *c, const char *head, size_t hlen,
			const struct iovec *tail, size_t tcnt);

#endif /* TAP_BUF_H */
