/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap_vu.h - passt's vhost-user back-end: frames through guest virtqueues */

#ifndef TAP_VU_H
#define TAP_VU_H

#include <stddef.h>
#include <time.h>
#include <sys/uio.h>

#include "ctx.h"

struct tap_hdr;

#define TAP_VU_RX_FRAMES	1024	/* Frames built in place per batch */

void tap_vu_kick_handler(struct ctx *c, union epoll_ref ref,
			 const struct timespec *now);
size_t tap_vu_room(size_t l2len);
size_t tap_send_vu(struct ctx *c, const struct iovec *iov, size_t bpf,
		   size_t nframes);
size_t tap_vu_rx_take(size_t l2len, struct iovec *iov, size_t max,
		      size_t *cnt);
void tap_vu_rx_put(const struct tap_hdr *taph, size_t l2len);
void tap_vu_rx_end(void);
void tap_vu_rx_flush(void);
void tap_vu_rx_reset(void);

#endif /* TAP_VU_H */
