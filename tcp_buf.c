// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_buf.c - TCP frames to the guest: pre-built headers, batches, offloads
 *
 * Theory of Operation
 *
 * Frames to the guest are queued in TCP_FRAMES static slots, each with a
 * back-end header (struct tap_hdr), L2 to L4 headers (struct tcp_frame_hdr,
 * padded so the IP header is aligned) and a payload slot of TCP_SLOT bytes
 * that tcp.c fills with recvmsg(MSG_PEEK) straight from a socket. Nothing
 * is copied in between. tcp_buf_flush(), called when the slots run out and
 * from tcp_flush() after each batch of events, hands the queue to
 * tap_send_frames() in one call.
 *
 * Headers, checksums and offload fields are written by tcp_frame.c, which
 * tcp_vu.c shares: with vhost-user, socket data goes straight into the
 * guest's receive buffers there instead, and only frames without payload
 * come through here.
 *
 * Frames the back-end did not take are undone (tcp_buf_unsent()): the
 * connection's @seq_to_tap goes back to the first byte not sent, and its
 * socket's peek offset with it, so the data is read and sent again. An
 * unsent frame with our FIN always takes TCP_EV_TAP_FIN_SENT back, also
 * when an earlier frame of the batch already rewound past it: else no more
 * data would be read, and the rest of the stream would never reach the
 * guest. When nothing is left in flight, no ACK will come to trigger the
 * next try: the connection's timer does (tcp_timer_retry(): tcp_timer.c is
 * a tier below this file, see tcp.c, and never sends frames itself).
 * Single-segment retransmissions are not undone: the timer covers them.
 * Before frames are built, the back-end is asked how many it takes now
 * (tap_room(): the guest's free receive buffers with --vhost-user); no more
 * are built, the connection keeps its data pending, and tcp_resume()
 * (tcp.c) goes on once the back-end has room again (tap_resume()). Frames
 * without payload ask too: a SYN or ACK without room is held in the
 * connection (@flags_held) for tcp_resume(), a FIN left to the data path
 * (TCP_F_SOCK_PENDING); an RST is queued anyway, its connection gone. A
 * SYN or ACK frame the back-end refused after all is held the same way.
 * Each frame records its connection's flow reference (tcp_conn_ref()): a
 * connection closed since the frame was queued, its flow table slot
 * perhaps already taken by another, fails flow_from_ref() and is skipped.
 */

#include <stddef.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/if_tun.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>

#include "flow.h"
#include "tap_out.h"
#include "tcp_buf.h"
#include "tcp_conn.h"
#include "tcp_frame.h"
#include "tcp_timer.h"
#include "util.h"

#define TCP_FRAMES		64	/* Frames queued to the guest */
#define TCP_SLOT		65536	/* Payload bytes per frame slot */

static_assert(TCP_PAYLOAD_MAX <= TCP_SLOT, "Payload must fit a slot");

/**
 * struct tcp_frame_meta - What a queued frame carries, to undo if unsent
 * @conn:	Connection reference, tcp_conn_ref(): flow index and generation
 * @seq:	Sequence number of the first payload byte (or of the FIN)
 * @dlen:	Payload length, bytes
 * @flags:	TCP flags of the frame (0 once tcp_buf_frame_keep() says so)
 */
struct tcp_frame_meta {
	uint32_t conn;
	uint32_t seq;
	uint32_t dlen;
	uint8_t flags;
};

/**
 * struct tcp_out - Frames queued to the guest, sent by tcp_flush()
 * @fr:		Back-end and L2 to L4 headers
 * @iov:	Per frame: back-end header, L2-L4 headers, payload
 * @meta:	Per frame: connection and sequence, see tcp_frame_unsent()
 * @nframes:	Frames queued
 */
static struct tcp_out {
	struct tcp_frame fr[TCP_FRAMES];
	struct iovec iov[TCP_FRAMES][3];
	struct tcp_frame_meta meta[TCP_FRAMES];
	size_t nframes;
} tcp_out;

/* Payload slots of queued frames */
static uint8_t tcp_payload[TCP_FRAMES][TCP_SLOT] __attribute__((aligned(64)));

/**
 * tcp_buf_mss_max() - Largest segment payload the guest's MTU allows
 * @c:		Execution context
 * @v6:		IPv6 connection
 *
 * Return: bytes
 */
size_t tcp_buf_mss_max(const struct ctx *c, bool v6)
{
	size_t mtu = c->mtu ? (size_t)c->mtu : MTU_DEFAULT;
	size_t hdrs = (v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr)) +
		      sizeof(struct tcphdr);

	return MIN(mtu - hdrs, (size_t)TCP_PAYLOAD_MAX);
}

/**
 * tcp_buf_frame_build() - Fill headers of a queued frame for a connection
 * @c:		Execution context
 * @conn:	Connection
 * @f:		Frame index; payload, if any, already in its slot
 * @flags:	TCP flags
 * @seq:	Sequence number, host order
 * @optlen:	Option bytes already written in the frame's header
 * @dlen:	Payload length, bytes
 */
void tcp_buf_frame_build(const struct ctx *c, struct tcp_conn *conn,
			    size_t f, uint8_t flags, uint32_t seq,
			    size_t optlen, size_t dlen)
{
	struct tcp_frame_seg s = { .flags = flags, .seq = seq, .optlen = optlen,
				   .data = &tcp_out.iov[f][2], .cnt = 1 };

	tcp_out.iov[f][2].iov_len = dlen;
	tcp_out.iov[f][0].iov_len = tap_hdr_len(c);
	tcp_out.iov[f][1].iov_len = tcp_frame_fill(c, conn, &tcp_out.fr[f], &s);
	/* Not for tcp_buf_rst_no_conn()'s connection, outside the table */
	tcp_out.meta[f].conn = tcp_conn_closed(conn) ? FLOW_IDX_NONE :
						       tcp_conn_ref(conn);
	tcp_out.meta[f].seq = seq;
	tcp_out.meta[f].dlen = (uint32_t)dlen;
	tcp_out.meta[f].flags = flags;
}

/**
 * tcp_buf_unsent() - Undo the sequence progress of a frame not sent
 * @f:		Frame index
 *
 * #syscalls setsockopt
 */
static void tcp_buf_unsent(size_t f)
{
	const struct tcp_frame_meta *m = &tcp_out.meta[f];
	struct tcp_conn *conn;
	int off;

	/* Also skips RSTs for no connection: their @conn is FLOW_IDX_NONE */
	if (!m->flags || (m->flags & TCP_RST))
		return;
	/* Closed since, the slot perhaps reused: generation differs */
	conn = tcp_conn_of(flow_from_ref(m->conn, FLOW_TCP, NULL));
	if (!conn)
		return;
	if (!m->dlen && !(m->flags & TCP_FIN)) {
		conn->flags_held |= m->flags & (TCP_SYN | TCP_ACK);
		return;
	}
	/* An earlier frame of the batch may have rewound past this one */
	if (m->flags & TCP_FIN)
		conn->events &= (uint16_t)~TCP_EV_TAP_FIN_SENT;
	if (!SEQ_LT(m->seq, conn->seq_to_tap))
		return;
	conn->seq_to_tap = m->seq;
	off = (int)(conn->seq_to_tap - conn->seq_ack_from_tap);
	if (conn->flags & TCP_F_PEEK_OFF)
		setsockopt(conn->sock, SOL_SOCKET, SO_PEEK_OFF, &off,
			   sizeof(off));
	conn->flags |= TCP_F_SOCK_PENDING;
	if (!off)
		tcp_timer_retry(conn);
}

/**
 * tcp_buf_flush() - Send the queued frames, undo those not sent
 * @c:		Execution context
 */
void tcp_buf_flush(struct ctx *c)
{
	size_t n = tcp_out.nframes, sent, i;

	if (!n)
		return;
	sent = tap_send_frames(c, &tcp_out.iov[0][0], 3, n);
	for (i = sent; i < n; i++)
		tcp_buf_unsent(i);
	tcp_out.nframes = 0;
}

/**
 * tcp_buf_frame_get() - Take the next frame slot, sending the queue if full
 * @c:		Execution context
 *
 * Return: frame index
 */
size_t tcp_buf_frame_get(struct ctx *c)
{
	if (tcp_out.nframes >= TCP_FRAMES)
		tcp_buf_flush(c);
	return tcp_out.nframes++;
}

/**
 * tcp_buf_flags_hold() - Keep a segment without payload for tcp_resume()
 * @conn:	Connection
 * @flags:	TCP flags of the segment, not RST
 *
 * SYN and ACK wait in @flags_held. A FIN is sent again by the data path,
 * which goes on at tcp_resume() (TCP_F_SOCK_PENDING), or from the timer if
 * nothing is in flight, as for an unsent FIN, and finds the end of the
 * stream again: @seq_to_tap is already the FIN's sequence number.
 */
static void tcp_buf_flags_hold(struct tcp_conn *conn, uint8_t flags)
{
	if (flags & TCP_FIN) {
		conn->events &= (uint16_t)~TCP_EV_TAP_FIN_SENT;
		conn->flags |= TCP_F_SOCK_PENDING;
		if (conn->seq_to_tap == conn->seq_ack_from_tap)
			tcp_timer_retry(conn);	/* No ACK will come */
		return;
	}
	conn->flags_held |= flags & (TCP_SYN | TCP_ACK);
}

/**
 * tcp_buf_flags_resume() - Send the segment without payload held back
 * @c:		Execution context
 * @conn:	Connection, with @flags_held set
 */
void tcp_buf_flags_resume(struct ctx *c, struct tcp_conn *conn)
{
	uint8_t flags = conn->flags_held;

	conn->flags_held = 0;
	tcp_buf_send_flags(c, conn, flags);
}

/**
 * tcp_buf_send_flags() - Queue a segment without payload to the guest
 * @c:		Execution context
 * @conn:	Connection
 * @flags:	TCP flags; SYN adds options, FIN takes one sequence number
 *
 * If the back-end has no room for it now (tap_room()), the segment is held
 * for tcp_resume() (tcp_buf_flags_hold()), except an RST: the connection
 * is gone right after it, so it is queued anyway.
 */
void tcp_buf_send_flags(struct ctx *c, struct tcp_conn *conn,
			   uint8_t flags)
{
	uint32_t seq = conn->seq_to_tap;
	size_t f, optlen = 0;
	uint8_t *opts;

	if (!(flags & TCP_RST) &&
	    tap_room(c, TCP_HDRS_MAX) <= tcp_out.nframes % TCP_FRAMES) {
		tcp_buf_flags_hold(conn, flags);
		return;
	}
	f = tcp_buf_frame_get(c);
	opts = tcp_frame_opts(&tcp_out.fr[f], conn->v6);
	if (flags & TCP_SYN) {
		bool ws = !(flags & TCP_ACK) || (conn->flags & TCP_F_WS_OK);

		optlen = tcp_frame_opts_syn(opts, tcp_buf_mss_max(c, conn->v6),
					    ws);
		seq--;
	}
	tcp_buf_frame_build(c, conn, f, flags, seq, optlen, 0);
	tcp_frame_sent(conn, flags & TCP_FIN);
}

/**
 * tcp_buf_rst_no_conn() - Answer a segment of no known connection with RST
 * @c:		Execution context
 * @tap:	Segment's addresses and ports: guest as peer, far end local
 * @seg:	Segment from the guest
 *
 * The frame is built from a connection on the stack, outside the flow
 * table (type FLOW_TYPE_NONE: no reference is kept for the frame), with
 * the tap side a connection of those addresses would have: the same IPv6
 * flow label.
 */
void tcp_buf_rst_no_conn(struct ctx *c, const struct flowside *tap,
			 const struct tcp_seg *seg)
{
	struct tcp_conn tmp;
	size_t f;

	memset(&tmp, 0, sizeof(tmp));
	tmp.f.pif[FLOW_SIDE_INI] = PIF_TAP;
	tmp.f.side[FLOW_SIDE_INI] = *tap;
	tmp.v6 = !inany_v4(&tap->peer);
	tmp.seq_from_tap = seg->seq + (uint32_t)seg->dlen +
			   !!(seg->flags & TCP_SYN) + !!(seg->flags & TCP_FIN);
	if (tmp.v6)
		tmp.flow_label = tap_flow_label(tap, sizeof(*tap));
	f = tcp_buf_frame_get(c);
	if (seg->flags & TCP_ACK)
		tcp_buf_frame_build(c, &tmp, f, TCP_RST, seg->ack, 0, 0);
	else
		tcp_buf_frame_build(c, &tmp, f, TCP_RST | TCP_ACK, 0, 0, 0);
}

/**
 * tcp_buf_payload() - Payload slot of a frame
 * @f:		Frame index from tcp_buf_frame_get()
 *
 * Return: TCP_SLOT bytes
 */
uint8_t *tcp_buf_payload(size_t f)
{
	return tcp_payload[f];
}

/**
 * tcp_buf_frame_unget() - Give back the frame taken last, unused
 */
void tcp_buf_frame_unget(void)
{
	if (tcp_out.nframes)
		tcp_out.nframes--;
}

/**
 * tcp_buf_frame_keep() - Don't undo a frame's sequence if it isn't sent
 * @f:		Frame index
 */
void tcp_buf_frame_keep(size_t f)
{
	tcp_out.meta[f].dlen = 0;
	tcp_out.meta[f].flags = 0;
}

/**
 * tcp_buf_peek_iov() - iovecs for the payload slots of the free frames
 * @c:		Execution context
 * @conn:	Connection
 * @avail:	Bytes the guest's window still takes
 * @iov:	iovecs (output)
 * @max:	Entries available in @iov
 * @fsize:	Payload bytes per frame (output)
 *
 * Frames are not prepared beyond what the back-end takes now (tap_room()),
 * counting those queued already.
 *
 * Return: entries filled, covering at most @avail bytes
 */
size_t tcp_buf_peek_iov(struct ctx *c, const struct tcp_conn *conn,
			size_t avail, struct iovec *iov, size_t max,
			size_t *fsize)
{
	size_t n = 0, f, room;

	if (tcp_out.nframes >= TCP_FRAMES)
		tcp_buf_flush(c);
	*fsize = tcp_frame_size(c, conn);
	room = MIN(tap_room(c, *fsize + TCP_HDRS_MAX), TCP_FRAMES);
	for (f = tcp_out.nframes; f < room && avail && n < max; f++, n++) {
		iov[n].iov_base = tcp_payload[f];
		iov[n].iov_len = MIN(avail, *fsize);
		avail -= iov[n].iov_len;
	}
	return n;
}

/**
 * tcp_buf_data_queue() - Queue frames for bytes just peeked into the slots
 * @c:		Execution context
 * @conn:	Connection; @seq_to_tap and @seq_high advance
 * @len:	Bytes peeked into the slots from tcp_buf_peek_iov()
 * @fsize:	Payload bytes per frame
 * @fin:	These are the last bytes of the stream: the last frame carries
 *		our FIN too (TCP_EV_TAP_FIN_SENT)
 */
void tcp_buf_data_queue(const struct ctx *c, struct tcp_conn *conn,
			size_t len, size_t fsize, bool fin)
{
	while (len) {
		size_t dlen = MIN(len, fsize), f = tcp_out.nframes++;
		uint8_t flags = TCP_ACK;

		if (dlen == len)
			flags |= fin ? TCP_PSH | TCP_FIN : TCP_PSH;
		tcp_buf_frame_build(c, conn, f, flags, conn->seq_to_tap, 0,
				    dlen);
		conn->seq_to_tap += (uint32_t)dlen;
		len -= dlen;
	}
	tcp_frame_sent(conn, fin);
}

/**
 * tcp_buf_init() - Point frame iovecs at their headers and payloads
 */
void tcp_buf_init(void)
{
	size_t f;

	for (f = 0; f < TCP_FRAMES; f++) {
		tcp_out.iov[f][0].iov_base = &tcp_out.fr[f].taph;
		tcp_out.iov[f][1].iov_base = tcp_out.fr[f].hdr.l2;
		tcp_out.iov[f][2].iov_base = tcp_payload[f];
	}
}
