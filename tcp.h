/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp.h - TCP translation: guest and host sockets without a TCP stack */

#ifndef TCP_H
#define TCP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "ctx.h"

struct flowside;
struct pool;

int tcp_tap_handler(struct ctx *c, const struct flowside *key,
		    const struct pool *p, const struct timespec *now);
void tcp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now);
void tcp_timer_handler(struct ctx *c, union epoll_ref ref);
void tcp_timer(struct ctx *c, const struct timespec *now);
void tcp_init(struct ctx *c);
void tcp_flush(struct ctx *c);
void tcp_tap_reset(const struct ctx *c);
void tcp_resume(struct ctx *c, const struct timespec *now);

#endif /* TCP_H */
