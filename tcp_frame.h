/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tcp_frame.h - Headers of TCP frames to the guest, for every frame source */

#ifndef TCP_FRAME_H
#define TCP_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>

#include "ctx.h"
#include "tap_out.h"
#include "tap_hdr.h"

struct tcp_conn;

#define TCP_PAYLOAD_MAX		(ETH_MAX_MTU - 20 - 20)	/* IPv4 tot_len */
#define TCP_OPT_LEN		8	/* MSS, NOP, window scale */
#define TCP_HDRS_MAX		128	/* Ethernet, IP and TCP headers, most */

/**
 * struct tcp_frame_hdr - L2 to L4 headers of one frame to the guest, aligned
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

static_assert(sizeof(struct tcp_frame_hdr) - 2 <= TCP_HDRS_MAX,
	      "Headers must fit TCP_HDRS_MAX");

/**
 * struct tcp_frame - Back-end header and L2 to L4 headers of one frame
 * @taph:	Back-end header (virtio-net header with offload metadata)
 * @hdr:	Ethernet, IP and TCP headers
 */
struct tcp_frame {
	struct tap_hdr taph;
	struct tcp_frame_hdr hdr;
};

/**
 * struct tcp_frame_seg - What a frame carries
 * @flags:	TCP flags
 * @seq:	Sequence number, host order
 * @optlen:	Option bytes already written in the frame's header
 * @data:	Payload pieces
 * @cnt:	Number of pieces, their lengths adding up to the payload
 */
struct tcp_frame_seg {
	uint8_t flags;
	uint32_t seq;
	size_t optlen;
	const struct iovec *data;
	size_t cnt;
};

size_t tcp_frame_hlen(const struct tcp_conn *conn, size_t optlen);
size_t tcp_frame_size(const struct ctx *c, const struct tcp_conn *conn);
uint8_t *tcp_frame_opts(struct tcp_frame *fr, bool v6);
size_t tcp_frame_opts_syn(uint8_t *opts, size_t mss, bool ws);
size_t tcp_frame_fill(const struct ctx *c, struct tcp_conn *conn,
		      struct tcp_frame *fr, const struct tcp_frame_seg *s);
void tcp_frame_sent(struct tcp_conn *conn, bool fin);

#endif /* TCP_FRAME_H */
