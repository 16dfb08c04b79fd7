// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp.c - TCP translation: guest segments to host sockets, without a stack
 *
 * Theory of Operation
 *
 * Each connection of the tap path pairs a TCP endpoint in the guest with a
 * host socket. We keep no buffers of our own and run no congestion control:
 * the host kernel's socket buffers hold the data, and our sequence numbers
 * mirror what the kernel has taken or given.
 *
 * Guest to host: tcp_tap_handler() gets all segments of one flow from one
 * tap read, with their addresses and ports as tap.c parsed them (struct
 * flowside: the guest's as peer, host order ports), which is the key of the
 * connection lookup and a new connection's tap side as it stands, and it
 * parses each header once (tcp_seg.c) into a record the later passes use.
 * Payload that continues the stream at @seq_from_tap is written
 * with one sendmsg() whose iovecs point into the tap buffer; we then ACK
 * exactly the bytes the kernel took, and advertise as window the free space
 * of the socket's send buffer (SO_SNDBUF less the memory its queue takes,
 * SO_MEMINFO, asked again only once the estimate kept since has halved;
 * right after the handshake, the size every socket starts with), so the
 * guest sends no more than fits. The ACK goes out with this batch of
 * frames after two segments or a full-sized one; a single short segment (a
 * request, typically) waits up to TCP_ACK_DELAY_MS for the reply to carry
 * it, as a delayed ACK does. If a write still comes up short, EPOLLOUT is
 * requested; when it fires we reopen the window and send duplicate ACKs so
 * the guest retransmits at once. A gap in the sequence (a frame lost before
 * reaching us) is answered with duplicate ACKs right away: the guest
 * fast-retransmits rather than waiting for its RTO. Never more duplicates
 * than segments discarded, though (see tcp_ack_to_tap()): the guest would
 * take the surplus for reordering. Out-of-order data is not kept. A FIN
 * from the guest becomes shutdown(SHUT_WR) once all data before it is
 * written; payload past the FIN's sequence number, in the same batch or a
 * later one, is never written (counted: tcp_drop_fin).
 *
 * Host to guest: data is read with MSG_PEEK straight into the payload slots
 * of pre-built frames (tcp_buf.c), or, with vhost-user, into the guest's
 * own receive buffers (tcp_vu.c), never more than the guest's window allows,
 * and stays in the socket until the guest acknowledges it; then it is
 * dropped with recv(MSG_TRUNC). With SO_PEEK_OFF (Linux 6.10 and later for
 * TCP, see test/platform/peek_off.c), turned on once bytes are in flight,
 * the kernel keeps the peek position; otherwise the bytes already sent are
 * peeked into a discard buffer first.
 * Three duplicate ACKs from the guest resend the first unacknowledged
 * segment, and so does each partial ACK until everything sent before is
 * acknowledged (as NewReno, RFC 6582). With vhost-user, a resend that
 * finds no free buffer in the guest's ring (full of frames sent after the
 * lost one) leaves recovery, and the next duplicate ACK tries again
 * (tcp_retransmit_try()). The retransmission timer instead
 * rewinds @seq_to_tap to the last acknowledged byte and resends all from the
 * socket. In pasta mode, with the tap's TSO offloads, frames carry up to
 * 64 KiB of payload with a virtio-net GSO header (gso_size: the guest's MSS)
 * and a partial checksum the kernel completes (tcp_frame.c). EPOLLRDHUP tells
 * that the peer closed its side: once everything is sent, a FIN follows, in
 * the last data frame if the read that took the last bytes came after it.
 * The guest's window is reflected onto the socket with TCP_WINDOW_CLAMP, so
 * a slow guest reader closes the host peer's window early.
 *
 * Handshakes: a SYN from the guest starts a non-blocking connect(); the
 * SYN-ACK is sent when it completes (EPOLLOUT), an error becomes RST+ACK so
 * the guest's connect() fails at once, or, for an unreachable host or
 * network, an ICMP destination unreachable quoting the SYN, so that it
 * fails with that error. Inbound connections (tcp_listen.c)
 * send a SYN to the guest; its SYN-ACK is acknowledged at once, so a server
 * that speaks first is heard.
 *
 * Closing: both FINs exchanged and acknowledged close the socket (a guest's
 * FIN after it acknowledged ours needs no shutdown(): close() follows at
 * once); an RST either way resets the other side (SO_LINGER 0 then
 * close()).
 *
 * Timers (tcp_timer.c): each connection has a timer, a deadline in a heap
 * (tcp_timerq.c) under its flow index; one timerfd (EPOLL_TYPE_TCP_TIMER),
 * created at start-up, expires for the earliest of them, so a connection
 * costs one descriptor, its socket. While data or a FIN is unacknowledged it
 * runs as the retransmission timer: on expiry without progress we rewind
 * (tcp_rewind()) and resend, doubling the timeout, and reset the connection
 * after TCP_MAX_RETRIES. With nothing in flight, data waiting and the
 * guest's window closed, it sends zero-window probes with the same back-off;
 * with the window open (the tap back-end refused our frames, and no ACK
 * will come to send them again: tcp_timer_retry()), it sends again every
 * TCP_RTO_MS.
 * Otherwise it is the handshake timer (every TCP_SYN_TIMEOUT_MS while
 * connect() is pending, up to TCP_CONNECT_TIMEOUT_MS; then resending our
 * SYN or SYN-ACK, with back-off), which becomes the idle timer when it
 * expires on an established connection, or, for a few milliseconds, the
 * delayed ACK timer (tcp_timer_ack()), after which it is set up again for
 * what is due. It is re-armed lazily, on expiry or when data starts flowing
 * after an idle period, so steady traffic costs no timer work and a short
 * connection two arms (handshake, and a delayed ACK or retransmission),
 * each a timerfd_settime() only if no earlier deadline holds the timerfd.
 *
 * Connections: each is a FLOW_TCP slot of the one flow table (flow.c),
 * found from guest segments by its tap side, from epoll events by the
 * flow reference of its socket, from the timer by its index; slots never
 * move, and closing frees the slot at once (tcp_conn.c tells how). Any
 * call that may close a connection is followed by a tcp_conn_closed() check before the slot is
 * touched again.
 *
 * Files: tcp.c holds this comment, the guest-side segment handling, the
 * socket-side data path and the event handlers (sockets, the timer);
 * tcp_connect.c the opening of connections (connect() for guest SYNs, and
 * the guest's side of inbound ones, its failures included); tcp_timer.c
 * the timers above (constants and arming helpers in tcp_timer.h), on
 * tcp_timerq.c's deadline heap and one timerfd; on expiry,
 * tcp_timer_expire() says what is left for the data path here; tcp_ctl.c
 * closing, resetting, drop counters and SYN options, for tcp.c and
 * tcp_connect.c; tcp_seg.c the parsing of guest segments; tcp_buf.c the
 * frames to the guest, tcp_vu.c those built in a vhost-user guest's
 * buffers, tcp_frame.c the headers of both; tcp_conn.c the connections'
 * use of the flow table: sides, lookups, states; tcp_listen.c the
 * listening sockets; tcp_splice.c spliced loopback connections in pasta
 * mode.
 *
 * Tiers: a file includes the headers of, and calls, only files in tiers
 * below its own (test/lint checks this, LAYER_ORDER). From the top: tcp.c;
 * tcp_listen.c; tcp_connect.c and tcp_splice.c; tcp_ctl.c; tcp_buf.c and
 * tcp_vu.c; tcp_timer.c and tcp_frame.c; tcp_conn.c; tcp_timerq.c and
 * tcp_seg.c. What a lower file can't do itself it returns to its caller
 * rather than calling up: tcp_timer_expire() returns the frames to send or
 * the reset to do (enum tcp_timer_act), which tcp_timer_handler() here
 * carries out.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>
#include <linux/tcp.h>

#include "packet.h"
#include "tap_out.h"
#include "tcp.h"
#include "tcp_buf.h"
#include "tcp_vu.h"
#include "tcp_conn.h"
#include "tcp_connect.h"
#include "tcp_ctl.h"
#include "tcp_listen.h"
#include "tcp_splice.h"
#include "tcp_timer.h"
#include "util.h"

#define TCP_DISCARD_LEN		65536	/* Peek discard buffer (no peek_off) */
#define TCP_IOV_MAX		1024	/* iovecs per sendmsg/recvmsg */
#define TCP_CLAMP_MIN		65536	/* Smallest TCP_WINDOW_CLAMP we set */
#define TCP_CLAMP_MUL		2	/* Clamp: guest's window times this */
#define TCP_DUP_ACKS		3	/* Fast retransmit threshold */
#define TCP_CONN_MAX_MIN	16	/* Smallest PASST_TCP_CONN_MAX (tests) */

#define TCP_DISCARD_IOV		(TCP_IOV_MAX / 2)	/* Peek prefix iovecs */

/**
 * struct tcp_state - File-scope state of the tap path
 * @piov:	Scratch iovecs for recvmsg() (peek) and sendmsg()
 * @peek_off:	Kernel takes SO_PEEK_OFF on TCP sockets
 * @sndbuf_init:	SO_SNDBUF of a new socket (tcp_wmem[1]), bytes: a lower
 *			bound for any connection's, 0 if unknown
 */
static struct tcp_state {
	struct iovec piov[TCP_IOV_MAX];
	bool peek_off;
	int sndbuf_init;
} tcp_st;

/* Peek discard buffer, without SO_PEEK_OFF */
static uint8_t tcp_discard[TCP_DISCARD_LEN];

/* Segments of the flow tcp_tap_handler() works on, parsed once */
static struct tcp_seg tcp_segs[TAP_MSGS];

static void tcp_data_to_tap(struct ctx *c, struct tcp_conn *conn);

/**
 * tcp_wnd_set() - Set the window for the guest from the send buffer's state
 * @conn:	Connection
 * @sndbuf:	Send buffer size (SO_SNDBUF), bytes of kernel memory
 * @queued:	Memory the queued data takes (SK_MEMINFO_WMEM_QUEUED), bytes
 *
 * The kernel takes a write while @queued is under @sndbuf, and @queued
 * counts each buffer's overhead: small segments to a slow reader can take
 * several times their payload. So the window is the free memory rather
 * than SO_SNDBUF less the bytes queued (SIOCOUTQ), which offers the guest
 * more than the socket takes: that data would be discarded, and the guest
 * left to recover it by retransmission, one segment at a time without
 * SACK. A sixteenth of the buffer is kept back: for the overhead of what
 * the guest sends, and for queued data the kernel splits into more buffers
 * (each with its overhead) as the peer's window opens bit by bit. As that
 * happens between our ACKs, the window is asked for at every ACK once the
 * buffer is over half full (TCP_F_WND_TIGHT).
 *
 * Return: true if the space is low (under a quarter of the buffer): then
 *	   EPOLLOUT, which needs a third free, will reopen the window
 */
static bool tcp_wnd_set(struct tcp_conn *conn, uint32_t sndbuf,
			uint32_t queued)
{
	uint32_t max = conn->flags & TCP_F_WS_OK ? 65535U << TCP_WS_TO_TAP :
						   65535U;
	uint32_t free = sndbuf > queued ? sndbuf - queued : 0, wnd;

	conn->seq_sndbuf = conn->seq_from_tap;
	if (queued > sndbuf / 2)
		conn->flags |= TCP_F_WND_TIGHT;
	else
		conn->flags = (uint8_t)(conn->flags & ~TCP_F_WND_TIGHT);
	wnd = free > sndbuf / 16 ? free - sndbuf / 16 : 0;
	conn->wnd_to_tap = MIN(wnd, max);
	/* The kernel's own free memory, as EPOLLOUT sees it: if this said
	 * "low" while the socket is writable, EPOLLOUT would fire at once,
	 * and again after each ACK it makes us send
	 */
	return free < sndbuf / 4;
}

/**
 * tcp_sock_mem() - Send buffer size and memory its queue takes
 * @conn:	Connection
 * @sndbuf:	SO_SNDBUF, bytes (output)
 * @queued:	SK_MEMINFO_WMEM_QUEUED, bytes (output)
 *
 * Return: true on success, false (outputs untouched) on errors
 *
 * #syscalls getsockopt
 */
static bool tcp_sock_mem(const struct tcp_conn *conn, uint32_t *sndbuf,
			 uint32_t *queued)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t sl = sizeof(mi);

	if (getsockopt(conn->sock, SOL_SOCKET, SO_MEMINFO, mi, &sl) ||
	    sl < sizeof(mi))
		return false;
	*sndbuf = mi[SK_MEMINFO_SNDBUF];
	*queued = mi[SK_MEMINFO_WMEM_QUEUED];
	return true;
}

/**
 * tcp_wnd_update() - Window for the guest: free space in the send buffer
 * @conn:	Connection
 * @fresh:	Query the socket even if the estimate is still good
 *
 * The free space (see tcp_wnd_set()) is only asked for once the estimate
 * tcp_wnd_cur() keeps has fallen to half of what it was, or at every call
 * while the buffer is over half full: small writes cost no syscalls here,
 * and the estimate errs low meanwhile.
 *
 * Return: true if the space is low, see tcp_wnd_set()
 */
static bool tcp_wnd_update(struct tcp_conn *conn, bool fresh)
{
	uint32_t sndbuf, queued;

	if (!fresh && !(conn->flags & TCP_F_WND_TIGHT) &&
	    tcp_wnd_cur(conn) > conn->wnd_to_tap / 2)
		return false;
	if (!tcp_sock_mem(conn, &sndbuf, &queued))
		return false;
	return tcp_wnd_set(conn, sndbuf, queued);
}

/**
 * tcp_sock_consume() - Drop bytes the guest acknowledged from the socket
 * @conn:	Connection
 * @len:	Bytes, at most what was sent
 *
 * #syscalls recvfrom
 */
static void tcp_sock_consume(const struct tcp_conn *conn, uint32_t len)
{
	ssize_t n;

	if (!len)
		return;
	n = recv(conn->sock, NULL, len, MSG_DONTWAIT | MSG_TRUNC);
	if (n < 0 || (uint32_t)n != len)
		debug_ratelimit("TCP: connection %u: dropped %zi of %u bytes",
				tcp_conn_idx(conn), n, len);
}

/**
 * tcp_peek_off_set() - Set the socket's peek offset to the bytes sent
 * @conn:	Connection
 *
 * #syscalls setsockopt
 */
static void tcp_peek_off_set(const struct tcp_conn *conn)
{
	int off = (int)(conn->seq_to_tap - conn->seq_ack_from_tap);

	if (conn->flags & TCP_F_PEEK_OFF)
		setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &off,
			   sizeof(off));
}

/**
 * tcp_peek_off_enable() - Turn SO_PEEK_OFF on once bytes are in flight
 * @conn:	Connection
 *
 * With nothing in flight a plain MSG_PEEK reads from where the peek offset
 * would be: short exchanges never need the option, and spare the syscall.
 *
 * #syscalls setsockopt
 */
static void tcp_peek_off_enable(struct tcp_conn *conn)
{
	int off = (int)(conn->seq_to_tap - conn->seq_ack_from_tap);

	if (!off || !tcp_st.peek_off || (conn->flags & TCP_F_PEEK_OFF))
		return;
	if (!setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &off,
			sizeof(off)))
		conn->flags |= TCP_F_PEEK_OFF;
}

/**
 * tcp_rewind() - Go back to the last acknowledged byte and resend all
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_rewind(struct ctx *c, struct tcp_conn *conn)
{
	if (conn->seq_to_tap != conn->seq_ack_from_tap)
		c->stats.tcp_retrans++;
	conn->seq_to_tap = conn->seq_ack_from_tap;
	conn->events &= (uint16_t)~(TCP_EV_TAP_FIN_SENT);
	conn->flags &= (uint8_t)~TCP_F_RECOVERY;
	tcp_peek_off_set(conn);
	conn->flags |= TCP_F_SOCK_PENDING;
	tcp_data_to_tap(c, conn);
}

/**
 * tcp_retransmit_vu() - Resend the first unacknowledged bytes, vhost-user
 * @c:		Execution context
 * @conn:	Connection
 * @len:	Bytes to resend, at most one MSS
 *
 * Peeked from the start of the socket's queue straight into the guest's
 * buffers, as new data is (tcp_vu.c).
 *
 * Return: false if the guest had no buffer for it (nothing sent)
 *
 * #syscalls recvmsg setsockopt
 */
static bool tcp_retransmit_vu(struct ctx *c, struct tcp_conn *conn,
			      size_t len)
{
	struct msghdr mh = { .msg_iov = tcp_st.piov };
	uint32_t next = conn->seq_to_tap;
	int zero = 0;
	ssize_t n;

	tcp_buf_flush(c);	/* Queued frames take their buffers first */
	mh.msg_iovlen = tcp_vu_peek_iov(c, conn, len, tcp_st.piov,
					TCP_IOV_MAX);
	if (!mh.msg_iovlen)
		return false;
	if (conn->flags & TCP_F_PEEK_OFF)
		setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &zero,
			   sizeof(zero));
	n = recvmsg(conn->sock, &mh, MSG_PEEK | MSG_DONTWAIT);
	tcp_peek_off_set(conn);
	conn->seq_to_tap = conn->seq_ack_from_tap;
	tcp_vu_data_queue(c, conn, n > 0 ? (size_t)n : 0, false);
	conn->seq_to_tap = next;
	if (n > 0)
		c->stats.tcp_retrans++;
	return true;
}

/**
 * tcp_retransmit_one() - Resend the first unacknowledged segment
 * @c:		Execution context
 * @conn:	Connection
 *
 * Return: false if the guest's vhost-user ring had no buffer for it
 *
 * #syscalls recvfrom setsockopt
 */
static bool tcp_retransmit_one(struct ctx *c, struct tcp_conn *conn)
{
	uint32_t inflight = conn->seq_to_tap - conn->seq_ack_from_tap;
	size_t len, f;
	ssize_t n;
	int zero = 0;

	if (conn->events & TCP_EV_TAP_FIN_SENT)
		inflight--;
	len = MIN((size_t)conn->mss, (size_t)inflight);
	if (!len) {
		conn->seq_to_tap--;
		tcp_buf_send_flags(c, conn, TCP_FIN | TCP_ACK);
		return true;
	}
	if (c->vhost_user)
		return tcp_retransmit_vu(c, conn, len);
	f = tcp_buf_frame_get(c);
	if (conn->flags & TCP_F_PEEK_OFF)
		setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &zero,
			   sizeof(zero));
	n = recv(conn->sock, tcp_buf_payload(f), len, MSG_PEEK | MSG_DONTWAIT);
	tcp_peek_off_set(conn);
	if (n <= 0) {
		tcp_buf_frame_unget();
		return true;
	}
	tcp_buf_frame_build(c, conn, f, TCP_ACK, conn->seq_ack_from_tap, 0,
			    (size_t)n);
	tcp_buf_frame_keep(f);	/* A lost resend waits for the timer */
	c->stats.tcp_retrans++;
	return true;
}

/**
 * tcp_retransmit_try() - Resend the first unacknowledged segment, or retry
 * @c:		Execution context
 * @conn:	Connection, entering or in recovery
 *
 * With vhost-user, the guest's receive ring may be full of frames sent
 * after the lost one, leaving no buffer for the resend. Rather than leave
 * it to the retransmission timer, which would resend all in flight, leave
 * recovery: the next duplicate ACK, which the guest sends as it takes
 * those frames and gives their buffers back, tries again.
 */
static void tcp_retransmit_try(struct ctx *c, struct tcp_conn *conn)
{
	if (tcp_retransmit_one(c, conn))
		return;
	conn->flags &= (uint8_t)~TCP_F_RECOVERY;
	conn->dup_acks = TCP_DUP_ACKS - 1;
}

/**
 * tcp_clamp_update() - Reflect the guest's window onto the socket
 * @conn:	Connection
 *
 * The window clamp is first set when the guest's window holds data back,
 * then only when it changes by half its value or more, and never below
 * TCP_CLAMP_MIN, to keep syscalls off the data path and short connections.
 *
 * #syscalls setsockopt
 */
static void tcp_clamp_update(struct tcp_conn *conn)
{
	uint32_t w = MAX(conn->wnd_from_tap * TCP_CLAMP_MUL, TCP_CLAMP_MIN);
	uint32_t d = w > conn->clamp ? w - conn->clamp : conn->clamp - w;
	int v = (int)MIN(w, (uint32_t)INT32_MAX);

	if (conn->clamp && d < conn->clamp / 2)
		return;
	if (!setsockopt(conn->sock, IPPROTO_TCP, TCP_WINDOW_CLAMP, &v,
			sizeof(v)))
		conn->clamp = w;
}

/**
 * tcp_ack_from_tap() - Process the acknowledgement number of a segment
 * @c:		Execution context
 * @conn:	Connection, established
 * @seg:	Segment with ACK set
 */
static void tcp_ack_from_tap(struct ctx *c, struct tcp_conn *conn,
			     const struct tcp_seg *seg)
{
	uint32_t wnd = (uint32_t)seg->wnd << conn->ws_from_tap, acked;

	if (SEQ_GT(seg->ack, conn->seq_ack_from_tap) &&
	    SEQ_LE(seg->ack, conn->seq_high)) {
		acked = seg->ack - conn->seq_ack_from_tap;
		if (SEQ_GT(seg->ack, conn->seq_to_tap))
			conn->seq_to_tap = seg->ack;
		if ((conn->events & TCP_EV_TAP_FIN_SENT) &&
		    seg->ack == conn->seq_high) {
			tcp_conn_event(conn, TCP_EV_TAP_FIN_ACKED);
			acked--;
		}
		tcp_sock_consume(conn, acked);
		conn->seq_ack_from_tap = seg->ack;
		conn->dup_acks = 0;
		if ((conn->flags & TCP_F_RECOVERY) &&
		    SEQ_LT(seg->ack, conn->seq_recover))
			tcp_retransmit_try(c, conn);
		else
			conn->flags &= (uint8_t)~TCP_F_RECOVERY;
	} else if (seg->ack == conn->seq_ack_from_tap && !seg->dlen &&
		   !(seg->flags & (TCP_SYN | TCP_FIN)) &&
		   wnd == conn->wnd_from_tap &&
		   conn->seq_to_tap != conn->seq_ack_from_tap &&
		   !(conn->flags & TCP_F_RECOVERY) &&
		   ++conn->dup_acks >= TCP_DUP_ACKS) {
		conn->flags |= TCP_F_RECOVERY;
		conn->seq_recover = conn->seq_high;
		conn->dup_acks = 0;
		tcp_retransmit_try(c, conn);
	}
	conn->wnd_from_tap = wnd;
	if (conn->clamp)
		tcp_clamp_update(conn);
}

/**
 * tcp_fin_to_tap() - Send our FIN once the socket's stream is all sent
 * @c:		Execution context
 * @conn:	Connection, socket at end of stream
 */
static void tcp_fin_to_tap(struct ctx *c, struct tcp_conn *conn)
{
	tcp_conn_event(conn, TCP_EV_SOCK_EOF);
	if (conn->events & TCP_EV_TAP_FIN_SENT)
		return;
	tcp_buf_send_flags(c, conn, TCP_FIN | TCP_ACK);
	tcp_timer_busy(conn);
}

/**
 * tcp_peek_iov() - Prepare iovecs to peek into free frame slots
 * @c:		Execution context
 * @conn:	Connection
 * @avail:	Bytes the guest's window still takes
 * @fsize:	Payload bytes per frame (output)
 *
 * Without SO_PEEK_OFF, the bytes already sent are peeked into a discard
 * buffer first. With vhost-user, frames tcp_buf.c queued (segments without
 * payload) are sent before the guest's buffers are taken for data in place:
 * tap_room() counted them as room, and they would find none at the flush.
 *
 * Return: iovecs used in tcp_st.piov, 0 if nothing can be read now
 */
static size_t tcp_peek_iov(struct ctx *c, const struct tcp_conn *conn,
			   size_t avail, size_t *fsize)
{
	size_t sent = conn->seq_to_tap - conn->seq_ack_from_tap, n = 0;

	if (!(conn->flags & TCP_F_PEEK_OFF)) {
		if (sent > TCP_DISCARD_IOV * TCP_DISCARD_LEN)
			return 0;
		for (; sent; n++) {
			tcp_st.piov[n].iov_base = tcp_discard;
			tcp_st.piov[n].iov_len = MIN(sent, TCP_DISCARD_LEN);
			sent -= tcp_st.piov[n].iov_len;
		}
	}
	if (c->vhost_user) {
		tcp_buf_flush(c);	/* Queued frames take their buffers first */
		return n + tcp_vu_peek_iov(c, conn, avail, tcp_st.piov + n,
					   TCP_IOV_MAX - n);
	}
	return n + tcp_buf_peek_iov(c, conn, avail, tcp_st.piov + n,
				    TCP_IOV_MAX - n, fsize);
}

/**
 * tcp_data_queue() - Build frames for bytes just peeked, by frame source
 * @c:		Execution context
 * @conn:	Connection
 * @dlen:	Payload bytes peeked, 0 if none (or on error)
 * @fsize:	Payload bytes per frame (tcp_buf.c)
 * @fin:	The last frame carries our FIN
 *
 * With vhost-user, tcp_vu.c builds them in the guest's buffers and gives
 * back those not used, also when nothing was read.
 */
static void tcp_data_queue(struct ctx *c, struct tcp_conn *conn, size_t dlen,
			   size_t fsize, bool fin)
{
	if (c->vhost_user)
		tcp_vu_data_queue(c, conn, dlen, fin);
	else if (dlen)
		tcp_buf_data_queue(c, conn, dlen, fsize, fin);
}

/**
 * tcp_data_peek() - Read one batch of socket data into frames to the guest
 * @c:		Execution context
 * @conn:	Connection, established
 *
 * Return: true if the batch was full and more may follow
 *
 * #syscalls recvmsg
 */
static bool tcp_data_peek(struct ctx *c, struct tcp_conn *conn)
{
	uint32_t sent = conn->seq_to_tap - conn->seq_ack_from_tap;
	struct msghdr mh = { .msg_iov = tcp_st.piov };
	size_t fsize = 0, req = 0, skip, dlen, i;
	bool last;
	ssize_t n;

	if (sent >= conn->wnd_from_tap) {
		conn->flags |= TCP_F_SOCK_PENDING;
		tcp_clamp_update(conn);
		if (!sent && (conn->flags & TCP_F_TIMER_IDLE)) {
			conn->flags &= (uint8_t)~TCP_F_TIMER_IDLE;
			tcp_timer_arm(conn, TCP_RTO_MS);	/* Probe */
		}
		return false;
	}
	tcp_peek_off_enable(conn);
	mh.msg_iovlen = tcp_peek_iov(c, conn, conn->wnd_from_tap - sent,
				     &fsize);
	if (!mh.msg_iovlen) {
		conn->flags |= TCP_F_SOCK_PENDING;
		return false;
	}
	for (i = 0; i < mh.msg_iovlen; i++)
		req += tcp_st.piov[i].iov_len;
	skip = conn->flags & TCP_F_PEEK_OFF ? 0 : sent;
	do
		n = recvmsg(conn->sock, &mh, MSG_PEEK | MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	/* Short read after EPOLLRDHUP: that was the last data, FIN rides on */
	last = n >= 0 && (size_t)n < req && (conn->events & TCP_EV_SOCK_EOF);
	dlen = n > 0 && (size_t)n > skip ? (size_t)n - skip : 0;
	tcp_data_queue(c, conn, dlen, fsize, last);
	if (n < 0) {
		conn->flags &= (uint8_t)~TCP_F_SOCK_PENDING;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			tcp_rst(c, conn);
		return false;
	}
	if ((size_t)n <= skip) {
		conn->flags &= (uint8_t)~TCP_F_SOCK_PENDING;
		if (!n || (conn->events & TCP_EV_SOCK_EOF))
			tcp_fin_to_tap(c, conn);
		return false;
	}
	tcp_timer_busy(conn);
	if ((size_t)n < req) {
		conn->flags &= (uint8_t)~TCP_F_SOCK_PENDING;
		return false;
	}
	return true;
}

/**
 * tcp_data_to_tap() - Send socket data the guest's window takes
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_data_to_tap(struct ctx *c, struct tcp_conn *conn)
{
	if (!(conn->events & TCP_EV_ESTABLISHED)) {
		conn->flags |= TCP_F_SOCK_PENDING;
		return;
	}
	while (!tcp_conn_closed(conn) &&
	       !(conn->events & TCP_EV_TAP_FIN_SENT) && tcp_data_peek(c, conn))
		;
}

/**
 * tcp_fin_seq() - Find where the guest's stream ends, if this batch says
 * @segs:	Parsed segments of one flow from one tap read
 * @n:		Number of records in @segs
 * @start:	Next sequence number expected before this batch
 * @fin_seq:	Sequence number of the earliest FIN at or after @start
 *		(output)
 *
 * Return: true if a segment carries a FIN at or after @start
 */
static bool tcp_fin_seq(const struct tcp_seg *segs, size_t n, uint32_t start,
			uint32_t *fin_seq)
{
	bool found = false;
	size_t i;

	for (i = 0; i < n; i++) {
		const struct tcp_seg *seg = &segs[i];
		uint32_t end = seg->seq + (uint32_t)seg->dlen;

		if (!seg->ok || (seg->flags & (TCP_SYN | TCP_RST)) ||
		    !(seg->flags & TCP_FIN) || SEQ_LT(end, start))
			continue;
		if (!found || SEQ_LT(end, *fin_seq))
			*fin_seq = end;
		found = true;
	}
	return found;
}

/**
 * tcp_data_collect() - Gather payload that continues the stream, in order
 * @segs:	Parsed segments of one flow from one tap read
 * @n:		Number of records in @segs
 * @seq:	Next sequence number expected, updated (input and output)
 * @fin_seq:	Sequence number of the guest's FIN (tcp_fin_seq()), NULL if
 *		none: nothing at or after it is gathered
 * @iov:	Payload pieces (output), up to TCP_IOV_MAX: one per part of
 *		each segment's packet (vhost-user: per guest buffer)
 * @nseg:	Segments gathered (output)
 *
 * Segments may be out of order within @segs: passes repeat while one extends
 * the stream. Duplicated ranges, and payload past the FIN, are trimmed.
 *
 * Return: number of iovecs filled
 */
static size_t tcp_data_collect(const struct tcp_seg *segs, size_t n,
			       uint32_t *seq, const uint32_t *fin_seq,
			       struct iovec *iov, size_t *nseg)
{
	size_t cnt = 0, i, k;
	bool progress;

	*nseg = 0;
	do {
		progress = false;
		for (i = 0; i < n && cnt + PACKET_IOV_MAX <= TCP_IOV_MAX;
		     i++) {
			const struct tcp_seg *seg = &segs[i];
			uint32_t end = seg->seq + (uint32_t)seg->dlen;

			if (!seg->ok || (seg->flags & (TCP_SYN | TCP_RST)) ||
			    !seg->dlen)
				continue;
			if (fin_seq && SEQ_GT(end, *fin_seq))
				end = *fin_seq;
			if (SEQ_LE(seg->seq, *seq) && SEQ_GT(end, *seq) &&
			    (k = packet_data(seg->p, seg->idx,
					     seg->hlen + (*seq - seg->seq),
					     end - *seq, iov + cnt,
					     TCP_IOV_MAX - cnt))) {
				cnt += k;
				(*nseg)++;
				*seq = end;
				progress = true;
			}
		}
	} while (progress && cnt + PACKET_IOV_MAX <= TCP_IOV_MAX);
	return cnt;
}

/**
 * tcp_data_gap() - Count segments with payload beyond a sequence number
 * @segs:	Parsed segments of one flow from one tap read
 * @n:		Number of records in @segs
 * @start:	Next sequence number expected before this batch
 * @seq:	Next sequence number expected now
 * @keepalive:	Set if a segment starts before @start: old data again, a
 *		keepalive or a zero window probe (output)
 *
 * Return: segments starting after @seq (past a gap), 0 if none
 */
static size_t tcp_data_gap(const struct tcp_seg *segs, size_t n,
			   uint32_t start, uint32_t seq, bool *keepalive)
{
	size_t i, gap = 0;

	for (i = 0; i < n; i++) {
		const struct tcp_seg *seg = &segs[i];

		if (!seg->ok || (seg->flags & TCP_SYN))
			continue;
		if ((seg->dlen || (seg->flags & TCP_FIN)) &&
		    SEQ_GT(seg->seq, seq))
			gap++;
		if (SEQ_LT(seg->seq, start))
			*keepalive = true;
	}
	return gap;
}

/**
 * tcp_data_after_fin() - Count segments with payload past the guest's FIN
 * @segs:	Parsed segments of one flow from one tap read
 * @n:		Number of records in @segs
 * @fin_seq:	Sequence number of the guest's FIN
 *
 * Return: segments carrying payload that ends after @fin_seq (a resent
 *	   segment that ends with the FIN is not one)
 */
static size_t tcp_data_after_fin(const struct tcp_seg *segs, size_t n,
				 uint32_t fin_seq)
{
	size_t i, cnt = 0;

	for (i = 0; i < n; i++) {
		const struct tcp_seg *seg = &segs[i];

		if (seg->ok && !(seg->flags & TCP_SYN) && seg->dlen &&
		    SEQ_GT(seg->seq + (uint32_t)seg->dlen, fin_seq))
			cnt++;
	}
	return cnt;
}

/**
 * tcp_sock_block() - Ask for EPOLLOUT: the send buffer is full
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_sock_block(const struct ctx *c, struct tcp_conn *conn)
{
	if (conn->flags & TCP_F_SOCK_BLOCKED)
		return;
	conn->flags |= TCP_F_SOCK_BLOCKED;
	epoll_mod(c, conn->sock, TCP_CONN_EPOLL_EVENTS,
		  epoll_ref_make(EPOLL_TYPE_TCP, conn->sock,
				 tcp_conn_ref(conn)));
}

/**
 * tcp_data_write() - Write gathered payload to the socket
 * @c:		Execution context
 * @conn:	Connection
 * @cnt:	iovecs in tcp_st.piov
 *
 * Return: true if everything was written, false if the buffer was full
 *	   or the connection was reset
 *
 * #syscalls sendmsg
 */
static bool tcp_data_write(struct ctx *c, struct tcp_conn *conn, size_t cnt)
{
	struct msghdr mh = { .msg_iov = tcp_st.piov, .msg_iovlen = cnt };
	size_t total = 0, i;
	ssize_t n;

	for (i = 0; i < cnt; i++)
		total += tcp_st.piov[i].iov_len;
	do
		n = sendmsg(conn->sock, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
		tcp_rst(c, conn);
		return false;
	}
	if (n < 0)
		n = 0;
	conn->seq_from_tap += (uint32_t)n;
	if ((size_t)n < total) {
		uint32_t sndbuf = 0, queued = 0;

		/* Rare, and what tcp_wnd_set() should have foreseen: say why */
		tcp_sock_mem(conn, &sndbuf, &queued);
		debug_ratelimit("TCP: connection %u: short write, %zi of %zu; "
				"buffer %u, queued %u; window %u, %u since",
				tcp_conn_idx(conn), n, total, sndbuf, queued,
				conn->wnd_to_tap,
				conn->seq_from_tap - conn->seq_sndbuf);
		tcp_drop_count(&c->stats.tcp_drop_short, 1);
		tcp_sock_block(c, conn);
		return false;
	}
	return true;
}

/**
 * tcp_tap_fin() - The guest closed its side: shut down the socket's
 * @conn:	Connection, all data before the FIN written
 *
 * If the guest already acknowledged our FIN, tcp_close_check() closes the
 * socket in this same pass, and close() sends the FIN: no shutdown() then.
 *
 * #syscalls shutdown
 */
static void tcp_tap_fin(struct tcp_conn *conn)
{
	if (conn->events & TCP_EV_TAP_FIN_RCVD)
		return;
	if (!(conn->events & TCP_EV_TAP_FIN_ACKED))
		shutdown(conn->sock, SHUT_WR);
	conn->seq_from_tap++;
	tcp_conn_event(conn, TCP_EV_TAP_FIN_RCVD);
}

/**
 * tcp_ack_to_tap() - Acknowledge the guest, with duplicates on a gap
 * @c:		Execution context
 * @conn:	Connection
 * @dup:	Also send up to TCP_DUP_ACKS duplicates for a fast retransmit
 * @fresh:	Ask the socket for the window (see tcp_wnd_update())
 *
 * A guest without SACK takes each duplicate ACK for a segment that left
 * the network: more duplicates than segments in flight make it assume
 * reordering, raise its fast retransmit threshold, and wait for its RTO
 * next time. So each ACK sent here, the first one included, answers one
 * discarded segment of @conn->segs_dropped, and duplicates stop when
 * none is left.
 */
static void tcp_ack_to_tap(struct ctx *c, struct tcp_conn *conn, bool dup,
			   bool fresh)
{
	unsigned int n = 0, i;

	if (tcp_wnd_update(conn, fresh || dup))
		tcp_sock_block(c, conn);
	tcp_buf_send_flags(c, conn, TCP_ACK);
	if (conn->segs_dropped)
		conn->segs_dropped--;
	if (dup)
		n = MIN(TCP_DUP_ACKS, conn->segs_dropped);
	for (i = 0; i < n; i++)
		tcp_buf_send_flags(c, conn, TCP_ACK);
	conn->segs_dropped = (uint8_t)(conn->segs_dropped - n);
}

/**
 * tcp_segs_dropped() - Count guest segments discarded, see tcp_ack_to_tap()
 * @conn:	Connection
 * @n:		Segments
 */
static void tcp_segs_dropped(struct tcp_conn *conn, size_t n)
{
	conn->segs_dropped = (uint8_t)MIN(conn->segs_dropped + n, UINT8_MAX);
}

/**
 * tcp_ack_delayed() - The delayed ACK timer expired: send it if still due
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_ack_delayed(struct ctx *c, struct tcp_conn *conn)
{
	if (conn->seq_ack_to_tap != conn->seq_from_tap)
		tcp_ack_to_tap(c, conn, false, false);
}

/**
 * tcp_ack_due() - Acknowledge the guest's data now, or after a delay
 * @c:		Execution context
 * @conn:	Connection, some data from the guest not acknowledged yet
 *
 * As a receiving TCP does (RFC 9293, 3.8.6.3): a single segment shorter
 * than the guest's MSS waits up to TCP_ACK_DELAY_MS, so that the ACK rides
 * on the reply, if one comes; a second segment, or a full one, is
 * acknowledged at once (in this batch of frames), and so is one that took
 * half of the window we offered: the guest may be waiting for more.
 */
static void tcp_ack_due(struct ctx *c, struct tcp_conn *conn)
{
	if (conn->segs_unacked < 2 &&
	    conn->seq_from_tap - conn->seq_ack_to_tap < conn->mss &&
	    tcp_wnd_cur(conn) > conn->wnd_to_tap / 2 &&
	    !(conn->events & TCP_EV_TAP_FIN_RCVD) && tcp_timer_ack(conn))
		return;
	tcp_ack_to_tap(c, conn, false, false);
}

/**
 * tcp_tap_data() - Write the guest's payload to the socket, acknowledge it
 * @c:		Execution context
 * @conn:	Connection, established
 * @segs:	Parsed segments of this connection from one tap read
 * @n:		Number of records in @segs
 *
 * Payload up to the guest's FIN is written, in sequence order; payload
 * past it, in this batch or later ones, is counted (tcp_drop_fin), never
 * written.
 */
static void tcp_tap_data(struct ctx *c, struct tcp_conn *conn,
			 const struct tcp_seg *segs, size_t n)
{
	uint32_t start = conn->seq_from_tap, seq = start, fin_seq = start;
	bool keepalive = false, fin;
	size_t cnt, gap, nseg;

	if (conn->events & TCP_EV_TAP_FIN_RCVD) {
		tcp_drop_count(&c->stats.tcp_drop_fin,
			       tcp_data_after_fin(segs, n, seq - 1));
		if (tcp_data_gap(segs, n, seq, seq, &keepalive) || keepalive)
			tcp_buf_send_flags(c, conn, TCP_ACK);
		return;
	}
	fin = tcp_fin_seq(segs, n, start, &fin_seq);
	while ((cnt = tcp_data_collect(segs, n, &seq, fin ? &fin_seq : NULL,
				       tcp_st.piov, &nseg))) {
		if (!tcp_data_write(c, conn, cnt)) {
			if (tcp_conn_closed(conn))
				return;
			/* Those past the write, and the one it stopped in */
			tcp_segs_dropped(conn, tcp_data_gap(segs, n, start,
							    conn->seq_from_tap,
							    &keepalive) + 1);
			tcp_ack_to_tap(c, conn, false, true);
			return;
		}
		conn->segs_unacked = (uint8_t)MIN(conn->segs_unacked + nseg,
						  UINT8_MAX);
	}
	if (fin && conn->seq_from_tap == fin_seq) {
		tcp_tap_fin(conn);
		tcp_drop_count(&c->stats.tcp_drop_fin,
			       tcp_data_after_fin(segs, n, fin_seq));
		tcp_ack_due(c, conn);
		return;
	}
	gap = tcp_data_gap(segs, n, start, conn->seq_from_tap, &keepalive);
	tcp_drop_count(&c->stats.tcp_drop_ooo, gap);
	tcp_segs_dropped(conn, gap);
	if (gap || keepalive)
		tcp_ack_to_tap(c, conn, !!gap, true);
	else if (conn->seq_from_tap != start)
		tcp_ack_due(c, conn);
}

/**
 * tcp_established() - Handshake complete: start moving data
 * @conn:	Connection
 * @now:	Current time
 *
 * Nothing was written yet, so the window is a whole send buffer. Rather
 * than asking the socket, take the size every TCP socket starts with
 * (tcp_wmem[1]): the kernel only grows it on connect, so this errs low, and
 * tcp_wnd_update() asks for the real figure once half of it is used. The
 * handshake timer, due within TCP_SYN_TIMEOUT_MS << TCP_SYN_RETRIES,
 * becomes the idle timer when it expires: no timer syscall for short
 * connections.
 *
 * #syscalls getsockopt
 */
static void tcp_established(struct tcp_conn *conn, const struct timespec *now)
{
	socklen_t sl = sizeof(int);
	int sndbuf = tcp_st.sndbuf_init;

	tcp_conn_event(conn, TCP_EV_ESTABLISHED);
	if (sndbuf ||
	    !getsockopt(conn->sock, SOL_SOCKET, SO_SNDBUF, &sndbuf, &sl))
		tcp_wnd_set(conn, (uint32_t)sndbuf, 0);	/* None written yet */
	else
		conn->seq_sndbuf = conn->seq_from_tap;
	conn->retries = 0;
	conn->active = (uint32_t)now->tv_sec;
	conn->flags |= TCP_F_TIMER_IDLE;
}

/**
 * tcp_tap_handshake() - A segment on a connection not yet established
 * @c:		Execution context
 * @conn:	Connection
 * @seg:	Parsed segment
 * @now:	Current time
 *
 * A segment other than the SYN-ACK (inbound) or the ACK (outbound) we wait
 * for, or a SYN resent that we answer again, is ignored and counted
 * (tcp_drop_handshake); so is any segment while connect() is pending.
 */
static void tcp_tap_handshake(struct ctx *c, struct tcp_conn *conn,
			      const struct tcp_seg *seg,
			      const struct timespec *now)
{
	uint8_t sa = TCP_SYN | TCP_ACK;

	if (conn->events & TCP_EV_SYN_TO_TAP) {
		if ((seg->flags & sa) != sa || seg->ack != conn->seq_to_tap) {
			tcp_drop_count(&c->stats.tcp_drop_handshake, 1);
			return;
		}
		if (seg->opts_bad) {
			tcp_drop_count(&c->stats.tcp_drop_opts, 1);
			return;
		}
		conn->seq_from_tap = seg->seq + 1;
		tcp_syn_opts_apply(c, conn, seg);
		conn->seq_ack_from_tap = seg->ack;
		tcp_established(conn, now);
		tcp_ack_to_tap(c, conn, false, false);
		return;
	}
	if (!(conn->events & TCP_EV_SYNACK_TO_TAP)) {
		/* connect() pending: the SYN resent, or anything else */
		tcp_drop_count(&c->stats.tcp_drop_handshake, 1);
		return;
	}
	if (seg->flags & TCP_SYN) {
		tcp_buf_send_flags(c, conn, TCP_SYN | TCP_ACK);
		return;
	}
	if ((seg->flags & TCP_ACK) && seg->ack == conn->seq_to_tap)
		tcp_established(conn, now);
	else
		tcp_drop_count(&c->stats.tcp_drop_handshake, 1);
}

/**
 * tcp_tap_conn() - Segments from the guest for a known connection
 * @c:		Execution context
 * @conn:	Connection
 * @segs:	Parsed segments of this connection from one tap read
 * @n:		Number of records in @segs
 * @now:	Current time
 */
static void tcp_tap_conn(struct ctx *c, struct tcp_conn *conn,
			 const struct tcp_seg *segs, size_t n,
			 const struct timespec *now)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct tcp_seg *seg = &segs[i];

		if (!seg->ok) {
			tcp_drop_count(&c->stats.tcp_drop_bad, 1);
			continue;
		}
		if (seg->flags & TCP_RST) {
			tcp_sock_close(conn, true);
			/* The rest of the batch is for no connection now */
			tcp_drop_count(&c->stats.tcp_drop_no_conn, n - i - 1);
			return;
		}
		if (!(conn->events & TCP_EV_ESTABLISHED))
			tcp_tap_handshake(c, conn, seg, now);
		else if (seg->flags & TCP_SYN)
			tcp_drop_count(&c->stats.tcp_drop_handshake, 1);
		if (!(conn->events & TCP_EV_ESTABLISHED) ||
		    (seg->flags & TCP_SYN) || !(seg->flags & TCP_ACK))
			continue;
		tcp_ack_from_tap(c, conn, seg);
	}
	if (tcp_conn_closed(conn) || !(conn->events & TCP_EV_ESTABLISHED))
		return;
	conn->active = (uint32_t)now->tv_sec;
	tcp_tap_data(c, conn, segs, n);
	if (tcp_conn_closed(conn))
		return;
	if (conn->flags & TCP_F_SOCK_PENDING ||
	    ((conn->events & TCP_EV_SOCK_EOF) &&
	     !(conn->events & TCP_EV_TAP_FIN_SENT)))
		tcp_data_to_tap(c, conn);
	tcp_close_check(conn);
}

/**
 * tcp_tap_no_conn() - Segments for no known connection: SYN or RST
 * @c:		Execution context
 * @tap:	Addresses and ports of the segments, as the tap side of a flow
 * @segs:	Parsed segments of this flow from one tap read
 * @n:		Number of records in @segs
 * @now:	Current time
 */
static void tcp_tap_no_conn(struct ctx *c, const struct flowside *tap,
			    const struct tcp_seg *segs, size_t n,
			    const struct timespec *now)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const struct tcp_seg *seg = &segs[i];

		if (!seg->ok) {
			tcp_drop_count(&c->stats.tcp_drop_bad, 1);
			continue;
		}
		if (seg->flags & TCP_RST) {
			tcp_drop_count(&c->stats.tcp_drop_rst, 1);
			continue;
		}
		if ((seg->flags & (TCP_SYN | TCP_ACK)) != TCP_SYN) {
			tcp_drop_count(&c->stats.tcp_drop_no_conn, 1);
			tcp_buf_rst_no_conn(c, tap, seg);
		} else if (seg->opts_bad) {
			tcp_drop_count(&c->stats.tcp_drop_opts, 1);
			continue;
		} else {
			tcp_conn_from_tap(c, tap, seg, now);
		}
		/* The rest of the batch is for no connection yet */
		tcp_drop_count(&c->stats.tcp_drop_no_conn, n - i - 1);
		return;
	}
}

/**
 * tcp_tap_handler() - Segments of one flow from the guest
 * @c:		Execution context
 * @key:	Addresses and ports of every segment, as tap.c parsed them:
 *		guest's as peer, destination as local, ports host order
 * @p:		Pool of L4 messages (TCP header and payload), all with @key
 * @now:	Current time
 *
 * Each segment is parsed once, into tcp_segs[], which the handlers below
 * use from then on; @key is the connection's tap side as it stands, used
 * for the lookup and, for a SYN, for the new connection.
 *
 * Return: number of messages handled
 */
int tcp_tap_handler(struct ctx *c, const struct flowside *key,
		    const struct pool *p, const struct timespec *now)
{
	size_t n = MIN(p->count, ARRAY_SIZE(tcp_segs)), i;
	struct tcp_conn *conn;
	bool parsed = false;

	/* A pool views at most one batch, TAP_MSGS frames: none left out */
	if (p->count > n)
		tcp_drop_count(&c->stats.tcp_drop_bad, p->count - n);
	for (i = 0; i < n; i++) {
		if (tcp_seg_parse(p, i, &tcp_segs[i]))
			parsed = true;
	}
	if (!parsed) {	/* Otherwise counted by the handlers below */
		tcp_drop_count(&c->stats.tcp_drop_bad, n);
		return (int)p->count;
	}
	conn = tcp_conn_lookup(key);
	if (conn)
		tcp_tap_conn(c, conn, tcp_segs, n, now);
	else
		tcp_tap_no_conn(c, key, tcp_segs, n, now);
	return (int)p->count;
}

/**
 * tcp_sock_unblock() - Send buffer has room again: reopen the window
 * @c:		Execution context
 * @conn:	Connection
 */
static void tcp_sock_unblock(struct ctx *c, struct tcp_conn *conn)
{
	conn->flags &= (uint8_t)~TCP_F_SOCK_BLOCKED;
	tcp_ack_to_tap(c, conn, !!conn->segs_dropped, true);
}

/**
 * tcp_sock_handler() - Event on a connected socket
 * @c:		Execution context
 * @ref:	Epoll reference: connection index
 * @events:	EPOLL* events
 * @now:	Current time
 *
 * #syscalls getsockopt
 */
void tcp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now)
{
	struct tcp_conn *conn = tcp_conn_from_ref(ref);

	if (!conn)
		return;
	if ((conn->events & TCP_EV_SYN_FROM_TAP) &&
	    !(conn->events & TCP_EV_SYNACK_TO_TAP)) {
		tcp_connect_done(c, conn, events);
		if (tcp_conn_closed(conn))
			return;
		/* The peer's first data, or FIN, may come with the same
		 * edge: it won't be reported again, note it below
		 */
		events &= ~(uint32_t)EPOLLOUT;
	}
	if (events & EPOLLERR) {
		tcp_rst(c, conn);
		return;
	}
	conn->active = (uint32_t)now->tv_sec;
	if ((events & EPOLLOUT) && (conn->flags & TCP_F_SOCK_BLOCKED))
		tcp_sock_unblock(c, conn);
	if (events & (EPOLLRDHUP | EPOLLHUP))
		tcp_conn_event(conn, TCP_EV_SOCK_EOF);
	if (events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP)) {
		conn->flags |= TCP_F_SOCK_PENDING;
		tcp_data_to_tap(c, conn);
	}
	tcp_close_check(conn);
}

/**
 * tcp_zero_window_probe() - The guest's window is closed, data waits
 * @c:		Execution context
 * @conn:	Connection
 *
 * Resend the last byte's sequence number with no data, as a keepalive:
 * the guest answers with an ACK carrying its window, should the update
 * that reopens it have been lost. Backs off like retransmissions, without
 * a limit: a slow reader is no failure.
 */
static void tcp_zero_window_probe(struct ctx *c, struct tcp_conn *conn)
{
	conn->seq_to_tap--;
	tcp_buf_send_flags(c, conn, TCP_ACK);
	conn->seq_to_tap++;
	if (conn->retries < TCP_MAX_RETRIES)
		conn->retries++;
	tcp_timer_arm(conn, (unsigned long)TCP_RTO_MS << conn->retries);
}

/**
 * tcp_syn_resend() - Handshake timer: send our SYN, or SYN-ACK, again
 * @c:		Execution context
 * @conn:	Connection, @retries counted already (tcp_timer_expire())
 *
 * The timer is re-armed with back-off, doubling per resend.
 */
static void tcp_syn_resend(struct ctx *c, struct tcp_conn *conn)
{
	if (conn->events & TCP_EV_SYN_TO_TAP)
		tcp_buf_send_flags(c, conn, TCP_SYN);
	else
		tcp_buf_send_flags(c, conn, TCP_SYN | TCP_ACK);
	tcp_timer_arm(conn, (unsigned long)TCP_SYN_TIMEOUT_MS << conn->retries);
}

/**
 * tcp_timer_handler() - The shared TCP timer expired: each due connection
 * @c:		Execution context
 * @ref:	Epoll reference of the timerfd
 *
 * tcp_timer_expire() handles what the timer alone can; sending (resends,
 * probes, the delayed ACK) and resetting take the data paths here.
 */
void tcp_timer_handler(struct ctx *c, union epoll_ref ref)
{
	struct tcp_conn *conn;
	uint64_t now_ns;
	time_t now;

	if (!tcp_timer_due_start(ref, &now_ns))
		return;
	now = (time_t)(now_ns / 1000000000ULL);
	while ((conn = tcp_timer_due_next(now_ns))) {
		switch (tcp_timer_expire(conn, now)) {
		case TCP_TIMER_ACK:
			tcp_ack_delayed(c, conn);
			tcp_timer_resume(conn, now);
			break;
		case TCP_TIMER_RESEND:
			tcp_rewind(c, conn);
			if (!tcp_conn_closed(conn))
				tcp_timer_resume(conn, now);
			break;
		case TCP_TIMER_RETRANSMIT:
			tcp_rewind(c, conn);
			tcp_timer_arm(conn,
				      (unsigned long)TCP_RTO_MS << conn->retries);
			break;
		case TCP_TIMER_PROBE:
			tcp_zero_window_probe(c, conn);
			break;
		case TCP_TIMER_SYN:
			tcp_syn_resend(c, conn);
			break;
		case TCP_TIMER_RST:
			tcp_rst(c, conn);
			break;
		case TCP_TIMER_DONE:
			break;
		}
		tcp_close_check(conn);
	}
	tcp_timer_due_end();
}

/**
 * tcp_resume() - The back-end has room again: send pending data
 * @c:		Execution context
 * @now:	Current timestamp
 *
 * Segments without payload held back (@flags_held) go first; then
 * established connections with data held back (TCP_F_SOCK_PENDING) go on
 * as if their socket had become readable again.
 */
void tcp_resume(struct ctx *c, const struct timespec *now)
{
	struct flow_common *f;
	uint32_t i;

	for (i = 0; i < flow_hiwat(); i++) {
		struct tcp_conn *conn;
		union epoll_ref ref;

		if (!(f = flow_at(i)) || f->type != FLOW_TCP)
			continue;
		conn = tcp_conn_of(f);
		if (conn->flags_held)
			tcp_buf_flags_resume(c, conn);
		if (!(conn->flags & TCP_F_SOCK_PENDING) ||
		    !(conn->events & TCP_EV_ESTABLISHED) ||
		    tcp_conn_closed(conn))
			continue;
		ref.u64 = epoll_ref_make(EPOLL_TYPE_TCP, conn->sock,
					 tcp_conn_ref(conn));
		tcp_sock_handler(c, ref, EPOLLIN, now);
	}
}

/**
 * tcp_tap_reset() - The guest went away (passt client closed): reset all
 * @c:		Execution context
 *
 * Host sockets of tap-path connections are reset (SO_LINGER 0), so their
 * peers know at once, and their flow table slots freed.
 */
void tcp_tap_reset(const struct ctx *c)
{
	struct flow_common *f;
	uint32_t i;

	(void)c;
	for (i = 0; i < flow_hiwat(); i++) {
		if ((f = flow_at(i)) && f->type == FLOW_TCP)
			tcp_sock_close(tcp_conn_of(f), true);
	}
}

/**
 * tcp_flush() - Send the frames queued for the guest, after each batch
 * @c:		Execution context
 */
void tcp_flush(struct ctx *c)
{
	tcp_buf_flush(c);
	if (c->vhost_user)
		tcp_vu_flush();
}

/**
 * tcp_timer() - Periodic work: port scans, splice pools, idle timerfd
 * @c:		Execution context
 * @now:	Current time
 */
void tcp_timer(struct ctx *c, const struct timespec *now)
{
	if (c->no_tcp)
		return;
	tcp_timer_tidy();
	tcp_listen_timer(c, now);
	if (c->mode == MODE_PASTA)
		tcp_splice_timer(c, now);
}

/**
 * tcp_sock_probe() - SO_PEEK_OFF support, initial send buffer of sockets
 *
 * Sets tcp_st.peek_off and tcp_st.sndbuf_init (0 if unknown)
 */
static void tcp_sock_probe(void)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_TCP);
	socklen_t sl = sizeof(int);
	int off = 0;

	if (s < 0)
		return;
	tcp_st.peek_off = !setsockopt(s, SOL_SOCKET, SO_PEEK_OFF, &off,
				      sizeof(off));
	if (getsockopt(s, SOL_SOCKET, SO_SNDBUF, &tcp_st.sndbuf_init, &sl))
		tcp_st.sndbuf_init = 0;
	close(s);
}

/**
 * tcp_init() - Set up connections' keys, cap and timer, frames, listeners
 * @c:		Execution context
 */
void tcp_init(struct ctx *c)
{
	if (c->no_tcp)
		return;
	tcp_conn_init();
	flow_limit_set(FLOW_TCP, (unsigned)env_long("PASST_TCP_CONN_MAX",
						     TCP_CONN_MAX_MIN, FLOW_MAX,
						     FLOW_MAX));
	tcp_buf_init();
	tcp_sock_probe();
	debug("TCP: SO_PEEK_OFF %savailable, initial send buffer %i bytes",
	      tcp_st.peek_off ? "" : "not ", tcp_st.sndbuf_init);
	if (c->mode == MODE_PASTA)
		tcp_splice_init(c);
	tcp_timer_init(c);
	tcp_listen_init(c);
}
