// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_ctl.c - TCP tap path: closing, resetting, counting, SYN options
 *
 * What tcp.c and tcp_connect.c both need, below both: closing a
 * connection's descriptors and freeing its slot, resetting both sides,
 * closing once both sides have finished, counting dropped segments by
 * reason, and taking MSS and window scaling from a guest's SYN. Its tier
 * (see tcp.c) is above tcp_buf.c, which sends the RSTs, and tcp_conn.c:
 * nothing here calls up into the data paths of tcp.c.
 */

#include <stdbool.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/socket.h>

#include "tcp_buf.h"
#include "tcp_conn.h"
#include "tcp_ctl.h"
#include "util.h"

#define TCP_MSS4_DEFAULT	536	/* Without an MSS option, RFC 9293 */
#define TCP_MSS6_DEFAULT	1220	/* IPv6 minimum MTU, less headers */

/**
 * tcp_drop_count() - Count dropped segments under their reason
 * @reason:	Counter for the reason, in c->stats
 * @n:		Segments dropped
 */
void tcp_drop_count(unsigned long long *reason, size_t n)
{
	*reason += n;
}

/**
 * tcp_sock_close() - Close a connection's socket and free its slot
 * @conn:	Connection
 * @abort:	Reset the host side (SO_LINGER 0) rather than close it
 *
 * close() takes the socket out of epoll; events already returned for it
 * fail tcp_conn_from_ref() from now on (flow generation), and
 * tcp_conn_free() cancels the connection's timer deadline.
 *
 * #syscalls close setsockopt
 */
void tcp_sock_close(struct tcp_conn *conn, bool abort)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (tcp_conn_closed(conn))
		return;
	if (conn->sock >= 0) {
		if (abort)
			setsockopt(conn->sock, SOL_SOCKET, SO_LINGER, &lg,
				   sizeof(lg));
		close(conn->sock);
	}
	tcp_conn_free(conn);
}

/**
 * tcp_rst() - Reset both sides of a connection and free it
 * @c:		Execution context
 * @conn:	Connection
 */
void tcp_rst(struct ctx *c, struct tcp_conn *conn)
{
	if (tcp_conn_closed(conn))
		return;
	if (conn->events & TCP_EV_SYN_TO_TAP &&
	    !(conn->events & TCP_EV_ESTABLISHED))
		tcp_buf_send_flags(c, conn, TCP_RST);
	else
		tcp_buf_send_flags(c, conn, TCP_RST | TCP_ACK);
	tcp_sock_close(conn, true);
}

/**
 * tcp_close_check() - Close a connection once both sides have finished
 * @conn:	Connection
 */
void tcp_close_check(struct tcp_conn *conn)
{
	uint16_t done = TCP_EV_TAP_FIN_RCVD | TCP_EV_TAP_FIN_ACKED;

	if (!tcp_conn_closed(conn) && (conn->events & done) == done)
		tcp_sock_close(conn, false);
}

/**
 * tcp_syn_opts_apply() - Take MSS and window scaling from the guest's SYN
 * @c:		Execution context
 * @conn:	Connection
 * @seg:	Parsed SYN, options read
 */
void tcp_syn_opts_apply(const struct ctx *c, struct tcp_conn *conn,
			const struct tcp_seg *seg)
{
	size_t mss = conn->v6 ? TCP_MSS6_DEFAULT : TCP_MSS4_DEFAULT;

	if (seg->mss >= 0)
		mss = (size_t)seg->mss;
	conn->mss = (uint16_t)MIN(mss, tcp_buf_mss_max(c, conn->v6));
	if (conn->mss < 64)
		conn->mss = 64;
	if (seg->ws >= 0) {
		conn->flags |= TCP_F_WS_OK;
		conn->ws_from_tap = (uint8_t)seg->ws;
		conn->ws_to_tap = TCP_WS_TO_TAP;
	}
	conn->wnd_from_tap = seg->wnd;
}
