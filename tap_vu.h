/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap_vu.h - passt's vhost-user back-end: frames through guest virtqueues */

#ifndef TAP_VU_H
#define TAP_VU_H

#include <stddef.h>
#include <time.h>
#include <sys/uio.h>

#include "ctx.h"
#include "vhost_user.h"

void tap_vu_kick_handler(struct ctx *c, union epoll_ref ref,
			 const struct timespec *now);
void tap_vu_notify(struct vu_queue *q);
size_t tap_vu_room(size_t l2len);
size_t tap_send_vu(struct ctx *c, const struct iovec *iov, size_t bpf,
		   size_t nframes);

#endif /* TAP_VU_H */
