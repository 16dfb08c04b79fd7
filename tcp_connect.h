/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_connect.h - TCP: opening tap-path connections, both ways */

#ifndef TCP_CONNECT_H
#define TCP_CONNECT_H

#include "tcp_conn.h"

void tcp_conn_from_tap(struct ctx *c, const struct flowside *tap,
		       const struct tcp_seg *seg, const struct timespec *now);
void tcp_connect_done(struct ctx *c, struct tcp_conn *conn, uint32_t events);
void tcp_tap_conn_from_sock(struct ctx *c, int s, const struct flowside *host,
			    const struct flowside *far,
			    const struct timespec *now);

#endif /* TCP_CONNECT_H */
