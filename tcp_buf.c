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
 * Checksums: in pasta mode with a virtio-net header the TCP checksum field
 * holds the pseudo-header sum and VIRTIO_NET_HDR_F_NEEDS_CSUM tells the
 * kernel to complete it; frames longer than the MSS are GSO super-frames
 * (gso_size: the guest's MSS) if the tap has TSO for the family. Otherwise
 * (passt, or no virtio-net header) checksums are computed here.
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
 * (tcp.c) goes on once the back-end has room again (tap_resume()).
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

#include "checksum.h"
#include "flow.h"
#include "tap.h"
#include "tcp_buf.h"
#include "tcp_conn.h"
#include "tcp_timer.h"
#include "util.h"

#define TCP_FRAMES		64	/* Frames queued to the guest */
#define TCP_SLOT		65536	/* Payload bytes per frame slot */
#define TCP_PAYLOAD_MAX		(ETH_MAX_MTU - 20 - 20)	/* IPv4 tot_len */
#define TCP_OPT_LEN		8	/* MSS, NOP, window scale */
#define TCP_HDRS_MAX		128	/* Ethernet, IP and TCP headers, most */

static_assert(TCP_PAYLOAD_MAX <= TCP_SLOT, "Payload must fit a slot");

/**
 * struct tcp_frame_hdr - Headers of one frame to the guest, aligned
 * @pad:	Keeps the IP header 4-byte aligned after the Ethernet one
 * @l2:		Ethernet header
 * @v4:		IPv4 layout: IP header, TCP header, options
 * @v6:		IPv6 layout: IP header, TCP header, options
 */
struct tcp_frame_hdr {
	uint8_t pad[2];
	uint8_t l2[L2_HLEN];
	union {
		struct {
			struct iphdr ip4h;
			struct tcphdr th;
			uint8_t opts[TCP_OPT_LEN];
		} v4;
		struct {
			struct ipv6hdr ip6h;
			struct tcphdr th;
			uint8_t opts[TCP_OPT_LEN];
		} v6;
	};
};

/**
 * struct tcp_frame_meta - What a queued frame carries, to undo if unsent
 * @conn:	Connection reference, tcp_conn_ref(): flow index and generation
 * @seq:	Sequence number of the first payload byte (or of the FIN)
 * @dlen:	Payload length, bytes
 * @fin:	Frame carries a FIN
 */
struct tcp_frame_meta {
	uint32_t conn;
	uint32_t seq;
	uint32_t dlen;
	bool fin;
};

/**
 * struct tcp_out - Frames queued to the guest, sent by tcp_flush()
 * @taph:	Back-end headers
 * @hdr:	L2 to L4 headers
 * @iov:	Per frame: back-end header, L2-L4 headers, payload
 * @meta:	Per frame: connection and sequence, see tcp_frame_unsent()
 * @nframes:	Frames queued
 */
static struct tcp_out {
	struct tap_hdr taph[TCP_FRAMES];
	struct tcp_frame_hdr hdr[TCP_FRAMES];
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
 * tcp_buf_gso() - Can frames to the guest be GSO super-frames?
 * @c:		Execution context
 * @v6:		IPv6 connection
 *
 * Return: true with a virtio-net header and TSO for the family (pasta's
 * tap, or a vhost-user guest that took GUEST_TSO4/6)
 */
static bool tcp_buf_gso(const struct ctx *c, bool v6)
{
	if (!c->vnet_hdr)
		return false;
	return c->tap_offloads & (v6 ? TUN_F_TSO6 : TUN_F_TSO4);
}

/**
 * tcp_buf_csum_offload() - Can the tap complete our TCP checksums?
 * @c:		Execution context
 *
 * Return: true with a virtio-net header (pasta), or with GUEST_CSUM
 * (vhost-user): c->vnet_hdr is false otherwise
 */
static bool tcp_buf_csum_offload(const struct ctx *c)
{
	return c->vnet_hdr;
}

/**
 * tcp_buf_opts_syn() - Write our SYN options: MSS and window scale
 * @opts:	Options buffer, TCP_OPT_LEN bytes (output)
 * @mss:	MSS to announce, bytes
 * @ws:		Announce window scaling
 *
 * Return: options length, bytes, a multiple of 4
 */
static size_t tcp_buf_opts_syn(uint8_t *opts, size_t mss, bool ws)
{
	opts[0] = TCPOPT_MSS;
	opts[1] = 4;
	opts[2] = (uint8_t)(MIN(mss, 65535U) >> 8);
	opts[3] = (uint8_t)(MIN(mss, 65535U) & 0xff);
	if (!ws)
		return 4;
	opts[4] = TCPOPT_NOP;
	opts[5] = TCPOPT_WS;
	opts[6] = 3;
	opts[7] = TCP_WS_TO_TAP;
	return 8;
}

/**
 * tcp_buf_csum_set() - Set the TCP checksum of a frame, or offload it
 * @c:		Execution context
 * @conn:	Connection (addresses)
 * @f:		Frame index
 * @l4len:	TCP header, options and payload length, bytes
 * @thlen:	TCP header and options length, bytes
 */
static void tcp_buf_csum_set(const struct ctx *c, const struct tcp_conn *conn,
			 size_t f, size_t l4len, size_t thlen)
{
	struct tcp_frame_hdr *h = &tcp_out.hdr[f];
	struct tcphdr *th = conn->v6 ? &h->v6.th : &h->v4.th;
	const struct flowside *tap = tcp_tapside(conn);
	uint32_t sum;

	if (conn->v6)
		sum = csum_pseudo6(l4len, IPPROTO_TCP, &tap->local.a6,
				   &tap->peer.a6);
	else
		sum = csum_pseudo4(l4len, IPPROTO_TCP, tap->local.v4mapped.a4,
				   tap->peer.v4mapped.a4);
	th->check = 0;
	if (tcp_buf_csum_offload(c)) {
		struct tap_hdr *taph = &tcp_out.taph[f];
		size_t l3hlen = conn->v6 ? sizeof(struct ipv6hdr) :
					   sizeof(struct iphdr);

		th->check = (__force __sum16)(uint16_t)~(__force uint16_t)csum_fold(sum);
		taph->vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		taph->vnet.csum_start = (__force __virtio16)(uint16_t)
					(L2_HLEN + l3hlen);
		taph->vnet.csum_offset = (__force __virtio16)
					 offsetof(struct tcphdr, check);
		return;
	}
	sum = csum_unfolded(th, thlen, sum);
	sum = csum_unfolded(tcp_out.iov[f][2].iov_base, l4len - thlen, sum);
	th->check = csum_fold(sum);
}

/**
 * tcp_buf_gso_set() - Mark a frame as a GSO super-frame if it exceeds the MSS
 * @c:		Execution context
 * @conn:	Connection
 * @f:		Frame index
 * @hlen:	L2 to L4 header length, bytes
 * @dlen:	Payload length, bytes
 */
static void tcp_buf_gso_set(const struct ctx *c, const struct tcp_conn *conn,
			size_t f, size_t hlen, size_t dlen)
{
	struct tap_hdr *taph = &tcp_out.taph[f];

	if (!tcp_buf_csum_offload(c) || dlen <= conn->mss)
		return;
	taph->vnet.gso_type = conn->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
					 VIRTIO_NET_HDR_GSO_TCPV4;
	taph->vnet.gso_size = (__force __virtio16)conn->mss;
	taph->vnet.hdr_len = (__force __virtio16)(uint16_t)hlen;
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
	struct tcp_frame_hdr *h = &tcp_out.hdr[f];
	struct tcphdr *th = conn->v6 ? &h->v6.th : &h->v4.th;
	const struct flowside *tap = tcp_tapside(conn);
	size_t thlen = sizeof(*th) + optlen, hlen;
	uint32_t wnd = tcp_wnd_cur(conn) >> conn->ws_to_tap;

	if (conn->v6) {
		tap_push_l2h(c, h->l2, htons_constant(ETH_P_IPV6));
		tap_push_ip6h(&h->v6.ip6h, &tap->local.a6, &tap->peer.a6,
			      thlen + dlen, IPPROTO_TCP, conn->flow_label);
		hlen = L2_HLEN + sizeof(struct ipv6hdr) + thlen;
	} else {
		tap_push_l2h(c, h->l2, htons_constant(ETH_P_IP));
		tap_push_ip4h(&h->v4.ip4h, tap->local.v4mapped.a4,
			      tap->peer.v4mapped.a4, thlen + dlen,
			      IPPROTO_TCP);
		hlen = L2_HLEN + sizeof(struct iphdr) + thlen;
	}
	memset(th, 0, sizeof(*th));
	th->source = (__force __be16)host_to_be16(tap->local_port);
	th->dest = (__force __be16)host_to_be16(tap->peer_port);
	th->seq = (__force __be32)host_to_be32(seq);
	th->ack_seq = (__force __be32)host_to_be32(conn->seq_from_tap);
	th->doff = (uint16_t)(thlen / 4);
	((uint8_t *)th)[13] = flags;
	th->window = (__force __be16)host_to_be16((uint16_t)MIN(wnd, 65535U));
	tap_hdr_set(c, &tcp_out.taph[f], hlen + dlen);
	tcp_out.iov[f][0].iov_len = tap_hdr_len(c);
	tcp_out.iov[f][1].iov_len = hlen;
	tcp_out.iov[f][2].iov_len = dlen;
	tcp_buf_csum_set(c, conn, f, thlen + dlen, thlen);
	tcp_buf_gso_set(c, conn, f, hlen, dlen);
	/* Not for tcp_buf_rst_no_conn()'s connection, outside the table */
	tcp_out.meta[f].conn = tcp_conn_closed(conn) ? FLOW_IDX_NONE :
						       tcp_conn_ref(conn);
	tcp_out.meta[f].seq = seq;
	tcp_out.meta[f].dlen = (uint32_t)dlen;
	tcp_out.meta[f].fin = flags & TCP_FIN;
	if (flags & TCP_ACK) {
		conn->seq_ack_to_tap = conn->seq_from_tap;
		conn->segs_unacked = 0;
	}
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
	if (!m->dlen && !m->fin)
		return;
	/* Closed since, the slot perhaps reused: generation differs */
	conn = tcp_conn_of(flow_from_ref(m->conn, FLOW_TCP, NULL));
	if (!conn)
		return;
	/* An earlier frame of the batch may have rewound past this one */
	if (m->fin)
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
 * tcp_buf_sent() - Account for queued frames: our FIN, highest sequence
 * @conn:	Connection; @seq_to_tap already past the payload queued
 * @fin:	The last frame carries our FIN: it takes one sequence number
 */
static void tcp_buf_sent(struct tcp_conn *conn, bool fin)
{
	if (fin) {
		conn->seq_to_tap++;
		tcp_conn_event(conn, TCP_EV_TAP_FIN_SENT);
	}
	if (SEQ_GT(conn->seq_to_tap, conn->seq_high))
		conn->seq_high = conn->seq_to_tap;
}

/**
 * tcp_buf_send_flags() - Queue a segment without payload to the guest
 * @c:		Execution context
 * @conn:	Connection
 * @flags:	TCP flags; SYN adds options, FIN takes one sequence number
 */
void tcp_buf_send_flags(struct ctx *c, struct tcp_conn *conn,
			   uint8_t flags)
{
	size_t f = tcp_buf_frame_get(c), optlen = 0;
	uint32_t seq = conn->seq_to_tap;
	uint8_t *opts;

	opts = conn->v6 ? tcp_out.hdr[f].v6.opts : tcp_out.hdr[f].v4.opts;
	if (flags & TCP_SYN) {
		bool ws = !(flags & TCP_ACK) || (conn->flags & TCP_F_WS_OK);

		optlen = tcp_buf_opts_syn(opts, tcp_buf_mss_max(c, conn->v6), ws);
		seq--;
	}
	tcp_buf_frame_build(c, conn, f, flags, seq, optlen, 0);
	tcp_buf_sent(conn, flags & TCP_FIN);
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
	tcp_out.meta[f].fin = false;
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
	*fsize = conn->mss;
	if (tcp_buf_gso(c, conn->v6))
		*fsize = (TCP_PAYLOAD_MAX - TCP_OPT_LEN) / conn->mss * conn->mss;
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
	tcp_buf_sent(conn, fin);
}

/**
 * tcp_buf_init() - Point frame iovecs at their headers and payloads
 */
void tcp_buf_init(void)
{
	size_t f;

	for (f = 0; f < TCP_FRAMES; f++) {
		tcp_out.iov[f][0].iov_base = &tcp_out.taph[f];
		tcp_out.iov[f][1].iov_base = tcp_out.hdr[f].l2;
		tcp_out.iov[f][2].iov_base = tcp_payload[f];
	}
}
