/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap_passt.h - passt back-end: qemu's UNIX stream socket */

#ifndef TAP_PASST_H
#define TAP_PASST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/uio.h>

#include "ctx.h"

void tap_listen_handler(struct ctx *c, uint32_t events);
void tap_handler_passt(struct ctx *c, uint32_t events,
		       const struct timespec *now);
void tap_sock_init(struct ctx *c);
size_t tap_send_passt(struct ctx *c, const struct iovec *iov, size_t bpf,
		      size_t nframes);

#endif /* TAP_PASST_H */
