/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_listen.h - Listening sockets for forwarded TCP ports (-t, -T) */

#ifndef TCP_LISTEN_H
#define TCP_LISTEN_H

#include <stdint.h>
#include <time.h>

#include "ctx.h"

void tcp_listen_init(struct ctx *c);
void tcp_listen_timer(struct ctx *c, const struct timespec *now);
void tcp_listen_handler(struct ctx *c, union epoll_ref ref,
			const struct timespec *now);

#endif /* TCP_LISTEN_H */
