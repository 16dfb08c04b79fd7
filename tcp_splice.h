/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_splice.h - pasta: TCP between host and namespace loopback, spliced */

#ifndef TCP_SPLICE_H
#define TCP_SPLICE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>

#include "ctx.h"
#include "flow.h"

/*
 * Interface with tcp.c (listening sockets for -t/-T, accept()):
 *
 * - tcp_init() calls tcp_splice_init(c) once, in pasta mode, after the
 *   target namespace is known (ns_call() works) and before the loop.
 * - tcp_timer() calls tcp_splice_timer(c, now) on every tick (pools).
 * - flow_walk.c's walk of the flow table calls tcp_splice_flow_timer() on every
 *   tick for each FLOW_TCP_SPLICE flow (the flow is the first member of
 *   struct tcp_splice_conn: a cast converts).
 * - For every connection accepted on a forwarded port that fwd_from_host()
 *   decides to splice (pasta: a loopback peer on the host unless
 *   --no-splice, any peer in the namespace), tcp_listen.c calls
 *   tcp_splice_conn_from_sock(). If that returns true the socket is ours
 *   (spliced, or reset and closed on failure) and tcp_listen.c forgets it;
 *   false (splicing not set up) leaves it to the caller to close.
 *   The accepted socket must be non-blocking (accept4() SOCK_NONBLOCK).
 *   Arguments: @s the accepted socket; @from_ns true if it was accepted on
 *   a namespace-side listener (-T), false for a host-side one (-t); @ini
 *   the client's side (its address and port from accept(), v4-mapped taken
 *   as IPv4, the listening port); @tgt the target side fwd_from_host()
 *   filled (address and port to connect to); @now the loop's time.
 * - passt.c dispatches EPOLL_TYPE_TCP_SPLICE to tcp_splice_sock_handler().
 */

struct tcp_splice_conn;

bool tcp_splice_conn_from_sock(struct ctx *c, int s, bool from_ns,
			       const struct flowside *ini,
			       const struct flowside *tgt,
			       const struct timespec *now);
void tcp_splice_sock_handler(struct ctx *c, union epoll_ref ref,
			     uint32_t events, const struct timespec *now);
void tcp_splice_init(struct ctx *c);
void tcp_splice_timer(struct ctx *c, const struct timespec *now);
void tcp_splice_flow_timer(struct ctx *c, struct tcp_splice_conn *conn,
			   const struct timespec *now);

#endif /* TCP_SPLICE_H */
