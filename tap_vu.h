/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap_vu.h - passt's vhost-user back-end: frames through guest virtqueues */

#ifndef TAP_VU_H
#define TAP_VU_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>
#include <sys/uio.h>

#include "ctx.h"
#include "vhost_user.h"

/**
 * enum tap_vu_kick - What a driver's kick asks for
 * @TAP_VU_KICK_NONE:	Nothing
 * @TAP_VU_KICK_RESUME:	Receive buffers are back: producers held back go on
 * @TAP_VU_KICK_TX:	Frames may wait on the transmit queue
 */
enum tap_vu_kick {
	TAP_VU_KICK_NONE,
	TAP_VU_KICK_RESUME,
	TAP_VU_KICK_TX,
};

enum tap_vu_kick tap_vu_kick(union epoll_ref ref);
void tap_vu_notify(struct vu_queue *q);

struct tap_hdr;

#define TAP_VU_RX_FRAMES	1024	/* Frames built in place per batch */

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
