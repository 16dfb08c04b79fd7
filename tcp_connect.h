/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_connect.h - TCP: opening tap-path connections, both ways */

#ifndef TCP_CONNECT_H
#define TCP_CONNECT_H

#include "tcp_conn.h"

void tcp_conn_from_tap(struct ctx *c, const union inany_addr *ga,
		       const union inany_addr *fa, const struct pool *p,
		       size_t i, const struct tcp_seg *seg,
		       const struct timespec *now);
void tcp_connect_done(struct ctx *c, struct tcp_conn *conn, uint32_t events);

#endif /* TCP_CONNECT_H */
