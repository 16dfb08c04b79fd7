/* UNIT_SRCS: tcp_frame.c tcp_conn.c tcp_timerq.c tap_hdr.c checksum.c flow.c siphash.c util.c log.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/tcp_frame.c - TCP frame headers to the guest, from any source
 *
 * The same segment is built twice, its payload given once whole and once
 * in pieces of odd lengths at odd offsets (as a guest's receive buffers
 * may cut it): the TCP checksum must be the same, and verify, folded over
 * pseudo-header, header and payload, to all ones. With a virtio-net
 * header, the checksum is left partial (the pseudo-header sum, with
 * NEEDS_CSUM, start and offset) and a payload past the MSS makes a GSO
 * frame of the MSS. IP header fields follow the payload length.
 */

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include "../../ctx.h"
#include "../../checksum.h"
#include "../../tcp_conn.h"
#include "../../tcp_frame.h"
#include "unit.h"

#define UNIT_DLEN	3001	/* Payload, bytes: odd */

static uint8_t payload[UNIT_DLEN];

/**
 * unit_conn() - An IPv4 connection, tap side 192.0.2.2:80 to 192.0.2.1:40000
 * @conn:	Connection (output)
 */
static void unit_conn(struct tcp_conn *conn)
{
	struct flowside *tap = &conn->f.side[FLOW_SIDE_INI];
	struct in_addr guest = { htonl(0xc0000201) };
	struct in_addr far = { htonl(0xc0000202) };

	memset(conn, 0, sizeof(*conn));
	conn->f.pif[FLOW_SIDE_INI] = PIF_TAP;
	inany_from_af(&tap->peer, AF_INET, &guest);
	inany_from_af(&tap->local, AF_INET, &far);
	tap->peer_port = 40000;
	tap->local_port = 80;
	conn->mss = 1460;
	conn->seq_from_tap = 1000;
	conn->wnd_to_tap = 65535;
}

/**
 * unit_pieces() - Cut the payload into pieces of growing odd lengths
 * @iov:	Pieces (output), at least 100
 *
 * Return: number of pieces
 */
static size_t unit_pieces(struct iovec *iov)
{
	size_t off = 0, n = 0, len = 1;

	while (off < UNIT_DLEN) {
		iov[n].iov_base = payload + off;
		iov[n].iov_len = len < UNIT_DLEN - off ? len : UNIT_DLEN - off;
		off += iov[n++].iov_len;
		len += 2;
	}
	return n;
}

/**
 * unit_verify() - Does a frame's TCP checksum verify?
 * @fr:		Frame, IPv4
 *
 * Return: true if pseudo-header, header and payload fold to zero
 */
static bool unit_verify(const struct tcp_frame *fr)
{
	size_t thlen = sizeof(struct tcphdr);
	uint32_t sum;

	sum = csum_pseudo4(thlen + UNIT_DLEN, IPPROTO_TCP,
			   (struct in_addr){ fr->hdr.v4.ip4h.saddr },
			   (struct in_addr){ fr->hdr.v4.ip4h.daddr });
	sum = csum_unfolded(&fr->hdr.v4.th, thlen, sum);
	sum = csum_unfolded(payload, UNIT_DLEN, sum);
	return csum_fold(sum) == 0;
}

int main(void)
{
	struct tcp_frame whole, cut;
	struct iovec one = { payload, UNIT_DLEN }, iov[100];
	struct tcp_frame_seg s = { .flags = TCP_ACK, .seq = 7, .data = &one,
				   .cnt = 1 };
	struct tcp_conn conn;
	struct ctx c;
	size_t i, hlen;

	memset(&c, 0, sizeof(c));
	for (i = 0; i < UNIT_DLEN; i++)
		payload[i] = (uint8_t)(i * 7 + 3);
	unit_conn(&conn);
	hlen = tcp_frame_fill(&c, &conn, &whole, &s);
	unit_check(hlen == 14 + 20 + 20, "IPv4 headers: 54 bytes");
	unit_check(ntohs(whole.hdr.v4.ip4h.tot_len) == 40 + UNIT_DLEN,
		   "IPv4 total length counts the payload");
	unit_check(conn.seq_ack_to_tap == 1000, "ACK recorded as sent");
	unit_check(unit_verify(&whole), "checksum of whole payload verifies");

	s.data = iov;
	s.cnt = unit_pieces(iov);
	tcp_frame_fill(&c, &conn, &cut, &s);
	unit_check(cut.hdr.v4.th.check == whole.hdr.v4.th.check,
		   "payload in odd pieces: the same checksum");

	c.vnet_hdr = true;
	c.tap_offloads = 0x2;			/* TUN_F_TSO4 */
	tcp_frame_fill(&c, &conn, &cut, &s);
	unit_check(cut.taph.vnet.flags == VIRTIO_NET_HDR_F_NEEDS_CSUM &&
		   cut.taph.vnet.csum_start == 14 + 20 &&
		   cut.taph.vnet.csum_offset == 16, "partial checksum offload");
	unit_check(cut.taph.vnet.gso_type == VIRTIO_NET_HDR_GSO_TCPV4 &&
		   cut.taph.vnet.gso_size == 1460 &&
		   cut.taph.vnet.hdr_len == 54,
		   "past the MSS: GSO frame of the MSS");
	unit_check(tcp_frame_size(&c, &conn) % 1460 == 0 &&
		   tcp_frame_size(&c, &conn) > 1460,
		   "GSO frame size: a multiple of the MSS");
	return unit_done();
}
