/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_splice.h - pasta: TCP between host and namespace loopback, spliced */

#ifndef TCP_SPLICE_H
#define TCP_SPLICE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>

#include "ctx.h"

/*
 * Interface with tcp.c (listening sockets for -t/-T, accept()):
 *
 * - tcp_init() calls tcp_splice_init(c) once, in pasta mode, after the
 *   target namespace is known (ns_call() works) and before the loop.
 * - tcp_timer() calls tcp_splice_timer(c, now) on every tick (pools).
 * - flow_walk.c's walk of the flow table calls tcp_splice_flow_timer() on every
 *   tick for each FLOW_TCP_SPLICE flow (the flow is the first member of
 *   struct tcp_splice_conn: a cast converts).
 * - For every connection accepted on a forwarded port in pasta mode, tcp.c
 *   first offers the socket to tcp_splice_conn_from_sock(). If that returns
 *   true the socket is ours (spliced, or reset and closed on failure) and
 *   tcp.c forgets it. If it returns false (host-side peer not on loopback,
 *   --no-splice, passt mode), tcp.c keeps it and uses the tap path as usual.
 *   Sockets accepted in the namespace are taken whatever their peer.
 *   The accepted socket must be non-blocking (accept4() SOCK_NONBLOCK).
 *   Arguments: @s the accepted socket; @from_ns true if it was accepted on
 *   a namespace-side listener (-T), false for a host-side one (-t);
 *   @dst_port the port to connect to on the other side, already mapped
 *   with fwd_port_target(), host order; @peer the address accept() returned
 *   (AF_INET or AF_INET6, v4-mapped taken as IPv4); @now the loop's time.
 * - passt.c dispatches EPOLL_TYPE_TCP_SPLICE to tcp_splice_sock_handler().
 */

struct tcp_splice_conn;

bool tcp_splice_conn_from_sock(struct ctx *c, int s, bool from_ns,
			       uint16_t dst_port, const struct sockaddr *peer,
			       const struct timespec *now);
void tcp_splice_sock_handler(struct ctx *c, union epoll_ref ref,
			     uint32_t events, const struct timespec *now);
void tcp_splice_init(struct ctx *c);
void tcp_splice_timer(struct ctx *c, const struct timespec *now);
void tcp_splice_flow_timer(struct ctx *c, struct tcp_splice_conn *conn,
			   const struct timespec *now);

#endif /* TCP_SPLICE_H */
