/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap_out.h - Frames to the guest: back-end choice, one-off messages */

#ifndef TAP_OUT_H
#define TAP_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <netinet/in.h>

#include "ctx.h"
#include "tap_hdr.h"

/* Largest L2 frame taken from or sent to the guest: 64 KiB IP packet
 * (offloaded super-frames from the tap carry IP lengths up to 65535)
 */
#define TAP_FRAME_MAX		(L2_HLEN + ETH_MAX_MTU)
#define TAP_MSGS		2048	/* Frames per input batch, and so most
					 * packets a handler gets in one pool */

/* Frames start 2 bytes past 4-byte alignment, so that IP headers after the
 * 14-byte Ethernet header are 4-byte aligned, as their structs require
 */
#define TAP_L2_PAD		2

size_t tap_room(const struct ctx *c, size_t l2len);
size_t tap_send_frames(struct ctx *c, const struct iovec *iov,
		       size_t bufs_per_frame, size_t nframes);
void tap_send_single(struct ctx *c, const void *l2, size_t l2len);
void tap_udp4_send(struct ctx *c, struct in_addr src, uint16_t sport,
		   struct in_addr dst, uint16_t dport, const void *in,
		   size_t dlen);
void tap_udp6_send(struct ctx *c, const struct in6_addr *src, uint16_t sport,
		   const struct in6_addr *dst, uint16_t dport, uint32_t flow,
		   const void *in, size_t dlen);
/* What an ICMP error may quote of the packet that caused it (its IP header
 * on): RFC 1812 keeps the ICMP message within 576 bytes, RFC 4443 within 1280
 */
#define TAP_ICMP4_QUOTE		548
#define TAP_ICMP6_QUOTE		1184

/**
 * struct tap_icmp_err - An ICMP or ICMPv6 error about a guest's packet
 * @type:	ICMP or ICMPv6 type
 * @code:	Code
 * @mtu:	Next-hop MTU, for "fragmentation needed" and "packet too big"
 * @proto:	Protocol of the guest's packet
 * @l4len:	Its L4 length, as the quoted IP header gives it
 * @label:	Its IPv6 flow label
 * @hdr:	Start of its L4 header, quoted
 * @hlen:	Bytes of @hdr
 * @data:	Payload quoted after @hdr, NULL if none
 * @dlen:	Bytes of @data
 */
struct tap_icmp_err {
	uint8_t type;
	uint8_t code;
	uint32_t mtu;
	uint8_t proto;
	size_t l4len;
	uint32_t label;
	const void *hdr;
	size_t hlen;
	const void *data;
	size_t dlen;
};

union inany_addr;

void tap_icmp_err_send(struct ctx *c, const union inany_addr *far,
		       const union inany_addr *guest,
		       const struct tap_icmp_err *e);
void tap_icmp4_send(struct ctx *c, struct in_addr src, struct in_addr dst,
		    const void *in, size_t l4len);
void tap_icmp6_send(struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, const void *in, size_t l4len);

#endif /* TAP_OUT_H */
