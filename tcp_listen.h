/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_listen.h - Listening sockets for forwarded TCP ports (-t, -T) */

#ifndef TCP_LISTEN_H
#define TCP_LISTEN_H

#include <stdint.h>
#include <time.h>

#include "inany.h"
#include "passt.h"

void tcp_listen_init(struct ctx *c);
void tcp_listen_timer(struct ctx *c, const struct timespec *now);

/* In tcp.c: start the tap side of an accepted inbound connection */
void tcp_tap_conn_from_sock(struct ctx *c, int s, const union inany_addr *fa,
			    uint16_t fport, uint16_t gport,
			    const struct timespec *now);

#endif /* TCP_LISTEN_H */
