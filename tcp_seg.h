/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_seg.h - TCP segments from the guest, each parsed once per batch */

#ifndef TCP_SEG_H
#define TCP_SEG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/tcp.h>

struct pool;

/* TCP header flags, in the byte at offset 13 */
#define TCP_FIN			0x01
#define TCP_SYN			0x02
#define TCP_RST			0x04
#define TCP_PSH			0x08
#define TCP_ACK			0x10

/* TCP option kinds (RFC 9293, RFC 7323) */
#define TCPOPT_END		0
#define TCPOPT_NOP		1
#define TCPOPT_MSS		2
#define TCPOPT_WS		3

#define TCP_SEG_WS_MAX		14	/* Largest window scale (RFC 7323) */

/**
 * struct tcp_seg - One segment from the guest, header copied out
 * @th:		TCP header (aligned copy)
 * @ok:		Header complete, offset and payload within the message
 * @flags:	Flags byte
 * @seq:	Sequence number, host order
 * @ack:	Acknowledgement number, host order
 * @wnd:	Window field, host order, unscaled
 * @mss:	MSS option of a SYN, -1 if absent (or not a SYN)
 * @ws:		Window scale option of a SYN, capped, -1 if absent
 * @opts_bad:	A SYN's option runs past the header or has a length under 2
 * @hlen:	Header length with options, bytes
 * @dlen:	Payload length, bytes
 * @p:		Pool the segment is in: its payload, @dlen bytes at @hlen, is
 *		read with packet_data(), in the tap buffer or, with
 *		vhost-user, in guest memory, maybe in pieces (the header is
 *		always a copy); valid while the pool is
 * @idx:	Index of the segment in @p
 */
struct tcp_seg {
	struct tcphdr th;
	bool ok;
	uint8_t flags;
	uint32_t seq;
	uint32_t ack;
	uint16_t wnd;
	int32_t mss;
	int8_t ws;
	bool opts_bad;
	size_t hlen;
	size_t dlen;
	const struct pool *p;
	size_t idx;
};

bool tcp_seg_parse(const struct pool *p, size_t i, struct tcp_seg *seg);

#endif /* TCP_SEG_H */
