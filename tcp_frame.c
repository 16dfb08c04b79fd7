// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_frame.c - Headers of TCP frames to the guest, for every frame source
 *
 * Two frame sources build TCP frames to the guest: tcp_buf.c, whose frames
 * live in static buffers and go through tap_send_frames(), and tcp_vu.c,
 * which peeks socket data straight into the guest's receive buffers with
 * vhost-user. Both describe a frame the same way (struct tcp_frame_seg:
 * flags, sequence number, options, payload pieces) and have its headers
 * written here, into a struct tcp_frame: the back-end header with its
 * offload fields, Ethernet, IP, TCP, and the TCP checksum.
 *
 * Checksums: with a virtio-net header (pasta's tap, or a vhost-user guest
 * that took GUEST_CSUM) the TCP checksum field holds the pseudo-header sum
 * and VIRTIO_NET_HDR_F_NEEDS_CSUM tells the other end to complete it;
 * frames longer than the MSS are GSO super-frames (gso_size: the guest's
 * MSS) if the tap takes TSO for the family. Otherwise (passt's stream, or
 * no virtio-net header) the checksum is computed here, over payload pieces
 * of any length and alignment.
 *
 * Building a frame with ACK records the acknowledgement as sent
 * (@seq_ack_to_tap), and drops a plain ACK held back for want of room
 * (@flags_held): this frame carries it. tcp_frame_sent() then accounts
 * for the sequence space a batch of frames took (our FIN, @seq_high). Frames a source
 * can't deliver are undone by that source (see tcp_buf.c).
 */

#include <stddef.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/if_tun.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>

#include "checksum.h"
#include "tcp_conn.h"
#include "tcp_frame.h"
#include "util.h"

/**
 * tcp_frame_gso() - Can frames to the guest be GSO super-frames?
 * @c:		Execution context
 * @v6:		IPv6 connection
 *
 * Return: true with a virtio-net header and TSO for the family (pasta's
 * tap, or a vhost-user guest that took GUEST_TSO4/6)
 */
static bool tcp_frame_gso(const struct ctx *c, bool v6)
{
	if (!c->vnet_hdr)
		return false;
	return c->tap_offloads & (v6 ? TUN_F_TSO6 : TUN_F_TSO4);
}

/**
 * tcp_frame_hlen() - Length of a frame's Ethernet, IP and TCP headers
 * @conn:	Connection (IP version)
 * @optlen:	TCP option bytes
 *
 * Return: bytes
 */
size_t tcp_frame_hlen(const struct tcp_conn *conn, size_t optlen)
{
	size_t l3hlen = conn->v6 ? sizeof(struct ipv6hdr) :
				   sizeof(struct iphdr);

	return L2_HLEN + l3hlen + sizeof(struct tcphdr) + optlen;
}

/**
 * tcp_frame_size() - Payload bytes per data frame to the guest
 * @c:		Execution context
 * @conn:	Connection
 *
 * Return: the guest's MSS, or as many MSS as a GSO super-frame takes
 */
size_t tcp_frame_size(const struct ctx *c, const struct tcp_conn *conn)
{
	if (tcp_frame_gso(c, conn->v6))
		return (TCP_PAYLOAD_MAX - TCP_OPT_LEN) / conn->mss * conn->mss;
	return conn->mss;
}

/**
 * tcp_frame_opts() - Where a frame's TCP options go
 * @fr:		Frame
 * @v6:		IPv6 connection
 *
 * Return: TCP_OPT_LEN bytes after the TCP header
 */
uint8_t *tcp_frame_opts(struct tcp_frame *fr, bool v6)
{
	return v6 ? fr->hdr.v6.opts : fr->hdr.v4.opts;
}

/**
 * tcp_frame_opts_syn() - Write our SYN options: MSS and window scale
 * @opts:	Options buffer, TCP_OPT_LEN bytes (output)
 * @mss:	MSS to announce, bytes
 * @ws:		Announce window scaling
 *
 * Return: options length, bytes, a multiple of 4
 */
size_t tcp_frame_opts_syn(uint8_t *opts, size_t mss, bool ws)
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
 * tcp_frame_csum_iov() - Add payload pieces to an unfolded sum
 * @iov:	Pieces
 * @cnt:	Number of pieces
 * @sum:	Unfolded sum so far, of an even number of bytes
 *
 * A piece starting at an odd offset of the payload has its sum byte-
 * swapped (RFC 1071, 2.(B)).
 *
 * Return: unfolded sum
 */
static uint32_t tcp_frame_csum_iov(const struct iovec *iov, size_t cnt,
				   uint32_t sum)
{
	uint64_t acc = sum;
	size_t off = 0, i;

	for (i = 0; i < cnt; i++) {
		uint32_t s = csum_unfolded(iov[i].iov_base, iov[i].iov_len, 0);

		if (off & 1) {
			while (s >> 16)
				s = (s & 0xffff) + (s >> 16);
			s = ((s & 0xff) << 8) | (s >> 8);
		}
		acc += s;
		off += iov[i].iov_len;
	}
	while (acc >> 32)
		acc = (acc & 0xffffffff) + (acc >> 32);
	return (uint32_t)acc;
}

/**
 * tcp_frame_csum_set() - Set the TCP checksum of a frame, or offload it
 * @c:		Execution context
 * @conn:	Connection (addresses)
 * @fr:		Frame, headers written
 * @s:		Payload and option length
 * @dlen:	Payload length, bytes
 */
static void tcp_frame_csum_set(const struct ctx *c,
			       const struct tcp_conn *conn,
			       struct tcp_frame *fr,
			       const struct tcp_frame_seg *s, size_t dlen)
{
	struct tcphdr *th = conn->v6 ? &fr->hdr.v6.th : &fr->hdr.v4.th;
	const struct flowside *tap = tcp_tapside(conn);
	size_t thlen = sizeof(*th) + s->optlen;
	uint32_t sum;

	if (conn->v6)
		sum = csum_pseudo6(thlen + dlen, IPPROTO_TCP, &tap->local.a6,
				   &tap->peer.a6);
	else
		sum = csum_pseudo4(thlen + dlen, IPPROTO_TCP,
				   tap->local.v4mapped.a4,
				   tap->peer.v4mapped.a4);
	th->check = 0;
	if (c->vnet_hdr) {
		size_t l3hlen = tcp_frame_hlen(conn, 0) - L2_HLEN -
				sizeof(*th);

		th->check = (__force __sum16)(uint16_t)
			    ~(__force uint16_t)csum_fold(sum);
		fr->taph.vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
		fr->taph.vnet.csum_start = (__force __virtio16)(uint16_t)
					   (L2_HLEN + l3hlen);
		fr->taph.vnet.csum_offset = (__force __virtio16)
					    offsetof(struct tcphdr, check);
		return;
	}
	sum = csum_unfolded(th, thlen, sum);
	th->check = csum_fold(tcp_frame_csum_iov(s->data, s->cnt, sum));
}

/**
 * tcp_frame_gso_set() - Mark a frame as a GSO super-frame if past the MSS
 * @c:		Execution context
 * @conn:	Connection
 * @fr:		Frame
 * @hlen:	L2 to L4 header length, bytes
 * @dlen:	Payload length, bytes
 */
static void tcp_frame_gso_set(const struct ctx *c,
			      const struct tcp_conn *conn,
			      struct tcp_frame *fr, size_t hlen, size_t dlen)
{
	if (!c->vnet_hdr || dlen <= conn->mss)
		return;
	fr->taph.vnet.gso_type = conn->v6 ? VIRTIO_NET_HDR_GSO_TCPV6 :
					    VIRTIO_NET_HDR_GSO_TCPV4;
	fr->taph.vnet.gso_size = (__force __virtio16)conn->mss;
	fr->taph.vnet.hdr_len = (__force __virtio16)(uint16_t)hlen;
}

/**
 * tcp_frame_l3() - Write a frame's Ethernet and IP headers
 * @c:		Execution context
 * @conn:	Connection
 * @fr:		Frame (output)
 * @l4len:	TCP header, options and payload length, bytes
 */
static void tcp_frame_l3(const struct ctx *c, const struct tcp_conn *conn,
			 struct tcp_frame *fr, size_t l4len)
{
	const struct flowside *tap = tcp_tapside(conn);
	struct tcp_frame_hdr *h = &fr->hdr;

	if (conn->v6) {
		tap_push_l2h(c, h->l2, htons_constant(ETH_P_IPV6));
		tap_push_ip6h(&h->v6.ip6h, &tap->local.a6, &tap->peer.a6,
			      l4len, IPPROTO_TCP, conn->flow_label);
	} else {
		tap_push_l2h(c, h->l2, htons_constant(ETH_P_IP));
		tap_push_ip4h(&h->v4.ip4h, tap->local.v4mapped.a4,
			      tap->peer.v4mapped.a4, l4len, IPPROTO_TCP);
	}
}

/**
 * tcp_frame_fill() - Write the headers of a frame for a connection
 * @c:		Execution context
 * @conn:	Connection; with ACK, @seq_ack_to_tap becomes @seq_from_tap,
 *		and a held plain ACK is dropped
 * @fr:		Frame (output); options, if any, already written
 * @s:		What the frame carries; payload already in place
 *
 * Return: Ethernet, IP and TCP header length, bytes
 */
size_t tcp_frame_fill(const struct ctx *c, struct tcp_conn *conn,
		      struct tcp_frame *fr, const struct tcp_frame_seg *s)
{
	struct tcphdr *th = conn->v6 ? &fr->hdr.v6.th : &fr->hdr.v4.th;
	uint32_t wnd = tcp_wnd_cur(conn) >> conn->ws_to_tap;
	const struct flowside *tap = tcp_tapside(conn);
	size_t thlen = sizeof(*th) + s->optlen;
	size_t hlen = tcp_frame_hlen(conn, s->optlen), dlen = 0, i;

	for (i = 0; i < s->cnt; i++)
		dlen += s->data[i].iov_len;
	tcp_frame_l3(c, conn, fr, thlen + dlen);
	memset(th, 0, sizeof(*th));
	th->source = (__force __be16)host_to_be16(tap->local_port);
	th->dest = (__force __be16)host_to_be16(tap->peer_port);
	th->seq = (__force __be32)host_to_be32(s->seq);
	th->ack_seq = (__force __be32)host_to_be32(conn->seq_from_tap);
	th->doff = (uint16_t)(thlen / 4);
	((uint8_t *)th)[13] = s->flags;
	th->window = (__force __be16)host_to_be16((uint16_t)MIN(wnd, 65535U));
	tap_hdr_set(c, &fr->taph, hlen + dlen);
	tcp_frame_csum_set(c, conn, fr, s, dlen);
	tcp_frame_gso_set(c, conn, fr, hlen, dlen);
	if (s->flags & TCP_ACK) {
		conn->seq_ack_to_tap = conn->seq_from_tap;
		conn->segs_unacked = 0;
		if (conn->flags_held == TCP_ACK)	/* Carried here */
			conn->flags_held = 0;
	}
	return hlen;
}

/**
 * tcp_frame_sent() - Account for frames built: our FIN, highest sequence
 * @conn:	Connection; @seq_to_tap already past the payload built
 * @fin:	The last frame carries our FIN: it takes one sequence number
 */
void tcp_frame_sent(struct tcp_conn *conn, bool fin)
{
	if (fin) {
		conn->seq_to_tap++;
		tcp_conn_event(conn, TCP_EV_TAP_FIN_SENT);
	}
	if (SEQ_GT(conn->seq_to_tap, conn->seq_high))
		conn->seq_high = conn->seq_to_tap;
}
