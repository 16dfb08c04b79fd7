/* SPDX-License-Identifier: GPL-2.0-or-later */
/* icmp.h - ICMP/ICMPv6 echo over ping sockets */

#ifndef ICMP_H
#define ICMP_H

#include <time.h>

#include "ctx.h"

struct pool;
struct flowside;
struct icmp_ping_flow;

int icmp_tap_handler(struct ctx *c, const struct flowside *key,
		     const struct pool *p, const struct timespec *now);
void icmp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		       const struct timespec *now);
void icmp_flow_timer(struct ctx *c, struct icmp_ping_flow *pf,
		     const struct timespec *now);
void icmp_init(struct ctx *c);

#endif /* ICMP_H */
