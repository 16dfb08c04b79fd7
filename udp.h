/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp.h - UDP translation: flows, forwarded ports, splice path */

#ifndef UDP_H
#define UDP_H

#include <time.h>

#include "ctx.h"

struct pool;
struct flowside;
struct udp_flow;

int udp_tap_handler(struct ctx *c, const struct flowside *key,
		    const struct pool *p, const struct timespec *now);
void udp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now);
void udp_timer(struct ctx *c, const struct timespec *now);
void udp_flow_timer(struct ctx *c, struct udp_flow *uf,
		    const struct timespec *now);
void udp_init(struct ctx *c);
void udp_flush(struct ctx *c);
void udp_resume(const struct ctx *c);

#endif /* UDP_H */
