/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp.h - TCP translation: guest and host sockets without a TCP stack */

#ifndef TCP_H
#define TCP_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "ctx.h"

struct pool;

/**
 * union tcp_listen_ref - Data of EPOLL_TYPE_TCP_LISTEN references
 * @port:	Port the socket is bound to, host order
 * @ns:		Socket is in the pasta namespace (-T), else on the host (-t)
 * @v6:		Socket is IPv6 (IPV6_V6ONLY), else IPv4
 * @u32:	As the 32-bit epoll data
 *
 * EPOLL_TYPE_TCP and EPOLL_TYPE_TCP_TIMER references carry flow_ref() of
 * the connection's flow instead (see tcp_conn.c).
 */
union tcp_listen_ref {
	struct {
		uint16_t port;
		uint8_t ns:1,
			v6:1;
	};
	uint32_t u32;
};

int tcp_tap_handler(struct ctx *c, int af, const void *saddr,
		    const void *daddr, const struct pool *p,
		    const struct timespec *now);
void tcp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now);
void tcp_timer_handler(struct ctx *c, union epoll_ref ref);
void tcp_timer(struct ctx *c, const struct timespec *now);
void tcp_init(struct ctx *c);
void tcp_flush(struct ctx *c);
void tcp_tap_reset(const struct ctx *c);
void tcp_resume(struct ctx *c, const struct timespec *now);

#endif /* TCP_H */
