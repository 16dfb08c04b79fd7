/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_listen.h - Listening sockets for forwarded TCP ports (-t, -T) */

#ifndef TCP_LISTEN_H
#define TCP_LISTEN_H

#include <stdint.h>
#include <time.h>

#include "ctx.h"

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

void tcp_listen_init(struct ctx *c);
void tcp_listen_timer(struct ctx *c, const struct timespec *now);
void tcp_listen_handler(struct ctx *c, union epoll_ref ref,
			const struct timespec *now);

#endif /* TCP_LISTEN_H */
