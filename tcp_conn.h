/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_conn.h - TCP tap-path connections: their flow table slots */

#ifndef TCP_CONN_H
#define TCP_CONN_H

#include <assert.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <stddef.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <linux/tcp.h>

#include "flow.h"
#include "inany.h"
#include "ctx.h"
#include "tcp_seg.h"

struct pool;

#define TCP_WS_TO_TAP		8	/* Our window scale shift */

/* Sequence number comparisons, modulo 2^32 */
#define SEQ_LT(a, b)		((int32_t)((a) - (b)) < 0)
#define SEQ_LE(a, b)		((int32_t)((a) - (b)) <= 0)
#define SEQ_GT(a, b)		((int32_t)((a) - (b)) > 0)
#define SEQ_GE(a, b)		((int32_t)((a) - (b)) >= 0)

/**
 * enum tcp_conn_ev - Connection events, kept as bits in tcp_conn.events
 * @TCP_EV_SYN_FROM_TAP:	Guest sent SYN, host connect() in progress
 * @TCP_EV_SYNACK_TO_TAP:	Host connected, SYN-ACK sent to the guest
 * @TCP_EV_SYN_TO_TAP:		Inbound: SYN sent to the guest
 * @TCP_EV_ESTABLISHED:		Handshake done on both sides
 * @TCP_EV_TAP_FIN_RCVD:	Guest's FIN written out (socket SHUT_WR)
 * @TCP_EV_SOCK_EOF:		Host socket read side reached end of stream
 * @TCP_EV_TAP_FIN_SENT:	FIN sent to the guest
 * @TCP_EV_TAP_FIN_ACKED:	Guest acknowledged our FIN
 *
 * Closing frees the flow table slot at once (tcp_conn_free()): a closed
 * connection has no events left, see tcp_conn_closed().
 */
enum tcp_conn_ev {
	TCP_EV_SYN_FROM_TAP	= 1 << 0,
	TCP_EV_SYNACK_TO_TAP	= 1 << 1,
	TCP_EV_SYN_TO_TAP	= 1 << 2,
	TCP_EV_ESTABLISHED	= 1 << 3,
	TCP_EV_TAP_FIN_RCVD	= 1 << 4,
	TCP_EV_SOCK_EOF		= 1 << 5,
	TCP_EV_TAP_FIN_SENT	= 1 << 6,
	TCP_EV_TAP_FIN_ACKED	= 1 << 7,
};

#define TCP_EV_NUM		8

/**
 * enum tcp_conn_flag - Transient connection flags, bits in tcp_conn.flags
 * @TCP_F_SOCK_BLOCKED:	Send buffer (nearly) full: EPOLLOUT requested
 * @TCP_F_SOCK_PENDING:	Socket may hold data not yet read (window limited)
 * @TCP_F_WS_OK:	Window scaling negotiated with the guest
 * @TCP_F_TIMER_IDLE:	Timer armed for the idle timeout, not retransmission
 * @TCP_F_PEEK_OFF:	SO_PEEK_OFF enabled on the socket
 * @TCP_F_RECOVERY:	Fast recovery: resend one segment per partial ACK
 * @TCP_F_TIMER_ACK:	Timer armed for a delayed ACK to the guest
 * @TCP_F_WND_TIGHT:	Send buffer over half full: the window is asked for
 *			at every ACK, not from the estimate
 */
enum tcp_conn_flag {
	TCP_F_SOCK_BLOCKED	= 1 << 0,
	TCP_F_SOCK_PENDING	= 1 << 1,
	TCP_F_WS_OK		= 1 << 2,
	TCP_F_TIMER_IDLE	= 1 << 3,
	TCP_F_PEEK_OFF		= 1 << 4,
	TCP_F_RECOVERY		= 1 << 5,
	TCP_F_TIMER_ACK		= 1 << 6,
	TCP_F_WND_TIGHT		= 1 << 7,
};

/**
 * struct tcp_conn - One connection between a guest endpoint and a host socket
 * @f:			Flow table part: type FLOW_TCP, state, both sides. The
 *			tap side (tcp_tapside()) holds the guest's address and
 *			port as peer, the far end as the guest sees it as
 *			local; it is the one hashed. The host side holds the
 *			socket's peer and, if known, its local address
 * @sock:		Host socket, -1 if none yet
 * @seq_to_tap:		Next sequence number we send to the guest
 * @seq_ack_from_tap:	Last sequence number the guest acknowledged
 * @seq_from_tap:	Next sequence number expected from the guest
 * @seq_ack_to_tap:	Last acknowledgement number sent to the guest
 * @seq_timer:		@seq_ack_from_tap when the timer was armed (its
 *			deadline is in tcp_timerq.c, under the flow index)
 * @seq_high:		Highest sequence number sent to the guest, plus one
 * @seq_recover:	Fast recovery ends when the guest acknowledges this
 * @wnd_from_tap:	Guest's receive window, bytes (scaled)
 * @wnd_to_tap:		Window for the guest at @seq_sndbuf, bytes
 * @clamp:		Last TCP_WINDOW_CLAMP value set on the socket
 * @seq_sndbuf:		@seq_from_tap when @wnd_to_tap was last computed
 * @flow_label:		IPv6 flow label towards the guest
 * @active:		Last activity, seconds (CLOCK_MONOTONIC)
 * @mss:		Guest's MSS, bytes
 * @events:		enum tcp_conn_ev bits
 * @flags:		enum tcp_conn_flag bits
 * @ws_from_tap:	Guest's window scale shift
 * @ws_to_tap:		Our window scale shift
 * @retries:		Retransmissions (or SYN resends) without progress
 * @dup_acks:		Duplicate ACKs from the guest in a row
 * @segs_unacked:	Data segments from the guest not acknowledged yet
 * @segs_dropped:	Guest segments discarded (a short write, a gap) that no
 *			duplicate ACK answered yet: the guest counts each
 *			duplicate as a segment that left the network, so no
 *			more are sent than this (tcp_ack_to_tap())
 * @flags_held:		TCP flags (SYN, ACK) of a segment without payload
 *			held back for want of room in the back-end, sent by
 *			tcp_resume()
 * @v6:			IPv6 connection
 */
struct tcp_conn {
	struct flow_common f;
	int32_t sock;
	uint32_t seq_to_tap;
	uint32_t seq_ack_from_tap;
	uint32_t seq_from_tap;
	uint32_t seq_ack_to_tap;
	uint32_t seq_timer;
	uint32_t seq_high;
	uint32_t seq_recover;
	uint32_t wnd_from_tap;
	uint32_t wnd_to_tap;
	uint32_t clamp;
	uint32_t seq_sndbuf;
	uint32_t flow_label;
	uint32_t active;
	uint16_t mss;
	uint16_t events;
	uint8_t flags;
	uint8_t ws_from_tap;
	uint8_t ws_to_tap;
	uint8_t retries;
	uint8_t dup_acks;
	uint8_t segs_unacked;
	uint8_t segs_dropped;
	uint8_t flags_held;
	bool v6;
};

static_assert(sizeof(struct tcp_conn) <= FLOW_SLOT_BYTES,
	      "a TCP connection fits a flow table slot");

/*
 * Events a connection's socket is registered for: input, hang-up and output,
 * edge-triggered, from connect() to close(). The edge of EPOLLOUT reports a
 * finished connect(), and later ones (the kernel only signals output space
 * after a write found none, or after the EPOLL_CTL_MOD in tcp_sock_block())
 * reopen a closed window. One set saves an epoll_ctl() per connection and
 * per blocked write.
 */
#define TCP_CONN_EPOLL_EVENTS	(EPOLLIN | EPOLLRDHUP | EPOLLOUT | EPOLLET)

/**
 * tcp_wnd_cur() - Window to advertise now: free send buffer space, estimated
 * @conn:	Connection
 *
 * @wnd_to_tap was the free space when @seq_from_tap was @seq_sndbuf; what
 * the guest sent since then takes from it, with the kernel's overhead on
 * top (a sixteenth, as for the bytes queued when the socket was asked), so
 * the guest is never offered more than the socket takes. The estimate errs
 * low otherwise: the host peer's ACKs only free more.
 *
 * Return: window, bytes
 */
static inline uint32_t tcp_wnd_cur(const struct tcp_conn *conn)
{
	uint32_t used = conn->seq_from_tap - conn->seq_sndbuf;

	used += used / 16;	/* Buffer overhead, as tcp_wnd_set() counts */
	if (!(conn->events & TCP_EV_ESTABLISHED))
		return conn->wnd_to_tap;
	return used >= conn->wnd_to_tap ? 0 : conn->wnd_to_tap - used;
}

/**
 * tcp_conn_of() - Connection of a FLOW_TCP flow
 * @f:		Flow, type FLOW_TCP, or NULL
 *
 * Return: the connection (@f is its first member), NULL if @f is NULL
 */
static inline struct tcp_conn *tcp_conn_of(struct flow_common *f)
{
	return (struct tcp_conn *)f;
}

/**
 * tcp_conn_tapside() - Which side of a connection is the guest's
 * @conn:	Connection
 *
 * Outbound connections start on the tap (FLOW_SIDE_INI), inbound ones
 * are taken to it (FLOW_SIDE_TGT).
 *
 * Return: FLOW_SIDE_INI or FLOW_SIDE_TGT
 */
static inline unsigned tcp_conn_tapside(const struct tcp_conn *conn)
{
	return conn->f.pif[FLOW_SIDE_TGT] == PIF_TAP ? FLOW_SIDE_TGT :
						       FLOW_SIDE_INI;
}

/**
 * tcp_tapside() - Addresses and ports of a connection as the guest sees them
 * @conn:	Connection
 *
 * Return: the tap side: peer is the guest, local the far end
 */
static inline const struct flowside *tcp_tapside(const struct tcp_conn *conn)
{
	return &conn->f.side[tcp_conn_tapside(conn)];
}

/**
 * tcp_hostside() - Addresses and ports of a connection's host socket
 * @conn:	Connection
 *
 * Return: the host side: peer is the socket's peer, local its own address
 *	   (for outbound connections, what fwd_from_tap() chose to bind)
 */
static inline const struct flowside *tcp_hostside(const struct tcp_conn *conn)
{
	return &conn->f.side[!tcp_conn_tapside(conn)];
}

/**
 * tcp_conn_closed() - Has a connection been closed, its slot freed?
 * @conn:	Connection, possibly closed by the call that just returned
 *
 * tcp_conn_free() frees the slot, which zeroes it: its type is no longer
 * FLOW_TCP. No new connection takes the slot before the handler that
 * closed it has returned: only a guest's SYN or an accept() allocates.
 *
 * Return: true if closed
 */
static inline bool tcp_conn_closed(const struct tcp_conn *conn)
{
	return conn->f.type != FLOW_TCP;
}

/**
 * tcp_conn_idx() - Index of a connection in the flow table, for messages
 * @conn:	Connection
 *
 * Return: index
 */
static inline uint32_t tcp_conn_idx(const struct tcp_conn *conn)
{
	return flow_idx(&conn->f);
}

/**
 * tcp_conn_ref() - Epoll reference data of a connection: flow_ref()
 * @conn:	Connection
 *
 * The socket's reference: its host side (timers share one timerfd, see
 * tcp_timer.c).
 *
 * Return: reference data
 */
static inline uint32_t tcp_conn_ref(const struct tcp_conn *conn)
{
	return flow_ref(&conn->f, !tcp_conn_tapside(conn));
}

void tcp_conn_init(void);
struct tcp_conn *tcp_conn_lookup(const struct flowside *tap);
struct tcp_conn *tcp_conn_new(bool inbound, const struct flowside *tap,
			      const struct flowside *host);
struct tcp_conn *tcp_conn_from_ref(union epoll_ref ref);
void tcp_conn_free(struct tcp_conn *conn);
void tcp_conn_event(struct tcp_conn *conn, uint16_t ev);
uint32_t tcp_conn_isn(const struct tcp_conn *conn,
		      const struct timespec *now);

#endif /* TCP_CONN_H */
