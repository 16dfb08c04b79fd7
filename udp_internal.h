/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_internal.h - UDP translation: types and helpers shared by udp*.c
 *
 * struct udp_flow, the UDP part of a flow table slot (flow.h), the frame
 * queue to the guest, constants, and small inline helpers (addresses, drop
 * counting) used at every level of UDP. No function prototypes, no state:
 * each udp*.c file keeps its own, see "Layers" in udp.c's Theory of
 * Operation. Nothing outside udp*.c may include this header.
 */

#ifndef UDP_INTERNAL_H
#define UDP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include "flow.h"
#include "fwd_spec.h"
#include "inany.h"
#include "ctx.h"
#include "tap_out.h"
#include "udp_cmsg.h"
#include "util.h"

#define UDP_FLOW_MAX		4096	/* Flows at once, FLOW_UDP cap in flow.c */
#define UDP_FLOW_MIN		16	/* Smallest cap PASST_UDP_FLOW_MAX sets */
#define UDP_TIMEOUT_DEFAULT	180	/* Idle flow lifetime, seconds */
#define UDP_TIMEOUT_MAX		3600	/* Largest PASST_UDP_TIMEOUT */
#define UDP_MAX_FRAMES		64	/* Frames queued to the guest, per family */
#define UDP_SEND_BATCH		64	/* Datagrams per sendmmsg() */
#define UDP_GSO_SEGS_MAX	64	/* Datagrams per UDP_SEGMENT send */
#define UDP_GSO_BYTES_MAX	65507	/* Payload of one UDP_SEGMENT send */
#define UDP_READ_ROUNDS		4	/* recvmmsg() calls per event at most */
#define UDP_HELD_MAX		64	/* Sockets held while the back-end is full */
#define UDP_SOCK_BUF		(4 * 1024 * 1024)	/* SO_RCVBUF/SO_SNDBUF */
#define UDP_NS_POOL		16	/* Spare namespace sockets per family */
#define UDP_PROC_BUF		65536	/* Read size for /proc/net/udp */
#define UDP_DNS_PORT		53
#define UDP_GSO_SEGS		UDP_MAX_FRAMES	/* Datagrams per super-frame */

/* Linux 6.2 uAPI, here for older headers */
#define UDP_TUN_F_USO4		0x20	/* TUN_F_USO4 */
#define UDP_TUN_F_USO6		0x40	/* TUN_F_USO6 */
#define UDP_VIRTIO_GSO_UDP_L4	5	/* VIRTIO_NET_HDR_GSO_UDP_L4 */

/* Frame slot layout: struct tap_hdr at 0, Ethernet header placed so that
 * the IP header is 8-byte aligned (the back-end header is a separate iovec)
 */
#define UDP_OFF_L2		(ROUND_UP(sizeof(struct tap_hdr) + L2_HLEN, 8) - \
				 L2_HLEN)
#define UDP_OFF_L3		(UDP_OFF_L2 + L2_HLEN)
#define UDP_OFF_L4(v6)		(UDP_OFF_L3 + ((v6) ? sizeof(struct ipv6hdr) : \
						      sizeof(struct iphdr)))
#define UDP_OFF_DATA(v6)	(UDP_OFF_L4(v6) + sizeof(struct udphdr))
/* Largest payload so that the IP packet fits ETH_MAX_MTU */
#define UDP_DLEN_MAX(v6)	(ETH_MAX_MTU - UDP_OFF_DATA(v6) + UDP_OFF_L3)
#define UDP_FRAME_BYTES		ROUND_UP(UDP_OFF_L3 + ETH_MAX_MTU, 64)

static_assert(UDP_FLOW_MAX <= FLOW_MAX, "UDP cap within the flow table");
static_assert(UDP_OFF_L2 + TAP_FRAME_MAX <= UDP_FRAME_BYTES,
	      "frame slot must hold the largest frame");
static_assert(UDP_OFF_L3 % 8 == 0, "IP header must be aligned");
static_assert(UDP_OFF_L2 >= sizeof(struct tap_hdr), "room for tap_hdr");

/* Reference data bits */
#define UDP_REF_PORT_MASK	0xffffU
#define UDP_REF_SIDE_NS		(1U << 16)
#define UDP_REF_V6		(1U << 17)

/**
 * enum udp_side - Which network namespace a socket lives in
 * @UDP_SIDE_HOST:	passt/pasta's own (init) namespace
 * @UDP_SIDE_NS:	pasta's target namespace
 */
enum udp_side {
	UDP_SIDE_HOST = 0,
	UDP_SIDE_NS = 1,
};

/**
 * enum udp_flow_type - Kind of UDP flow, from the pifs of its sides
 * @UDP_FLOW_TAP_OUT:	Guest to far peer: INI tap, TGT host (connected socket)
 * @UDP_FLOW_TAP_IN:	Peer to forwarded port: INI host, TGT tap (no socket)
 * @UDP_FLOW_SPLICE:	Loopback peer to forwarded port: INI the listening
 *			socket's side, TGT the other one (connected socket)
 */
enum udp_flow_type {
	UDP_FLOW_TAP_OUT = 1,
	UDP_FLOW_TAP_IN,
	UDP_FLOW_SPLICE,
};

/**
 * struct udp_flow - One UDP flow, a slot of the flow table (flow.h)
 * @f:		Common part: type FLOW_UDP, state, both sides (see the
 *		Theory of Operation in udp.c for what each side holds)
 * @gaddr:	TAP_IN: guest address frames are sent to (the tap side's
 *		peer is unspecified: the guest may answer from any address)
 * @last:	Last activity, seconds (CLOCK_MONOTONIC)
 * @sock:	TAP_OUT, SPLICE: connected socket on the TGT side; or -1
 * @label:	IPv6 flow label of frames to the guest
 * @gso_bad:	Smallest datagram length UDP_SEGMENT failed with, 0 if none
 */
struct udp_flow {
	struct flow_common f;
	union inany_addr gaddr;
	time_t last;
	int sock;
	uint32_t label;
	uint16_t gso_bad;
};

static_assert(sizeof(struct udp_flow) <= FLOW_SLOT_BYTES,
	      "a UDP flow must fit a flow table slot");
static_assert(offsetof(struct udp_flow, f) == 0, "common part first");

/**
 * udp_flow_of() - UDP flow of a flow table entry
 * @f:		Flow of type FLOW_UDP, or NULL
 *
 * Return: the UDP flow holding @f, NULL if @f is NULL
 */
static inline struct udp_flow *udp_flow_of(struct flow_common *f)
{
	return (struct udp_flow *)(void *)f;	/* @f is first */
}

/**
 * udp_flow_kind() - Kind of a UDP flow
 * @uf:		Flow, pifs set
 *
 * Return: enum udp_flow_type
 */
static inline enum udp_flow_type udp_flow_kind(const struct udp_flow *uf)
{
	if (uf->f.pif[FLOW_SIDE_INI] == PIF_TAP)
		return UDP_FLOW_TAP_OUT;
	if (uf->f.pif[FLOW_SIDE_TGT] == PIF_TAP)
		return UDP_FLOW_TAP_IN;
	return UDP_FLOW_SPLICE;
}

/**
 * udp_flow_v6() - Is a UDP flow IPv6?
 * @uf:		Flow, INI side set
 *
 * Return: true if the initiating peer's address is IPv6
 */
static inline bool udp_flow_v6(const struct udp_flow *uf)
{
	return !inany_v4(&uf->f.side[FLOW_SIDE_INI].peer);
}

/**
 * udp_flow_tap() - Tap side of a TAP_OUT or TAP_IN flow
 * @uf:		Flow
 *
 * Return: the side whose peer is the guest
 */
static inline const struct flowside *udp_flow_tap(const struct udp_flow *uf)
{
	return &uf->f.side[uf->f.pif[FLOW_SIDE_INI] == PIF_TAP ?
			   FLOW_SIDE_INI : FLOW_SIDE_TGT];
}

/**
 * udp_flow_guest() - Guest address of a TAP_OUT or TAP_IN flow
 * @uf:		Flow
 *
 * Return: address frames to the guest go to
 */
static inline const union inany_addr *
udp_flow_guest(const struct udp_flow *uf)
{
	if (uf->f.pif[FLOW_SIDE_INI] == PIF_TAP)
		return &uf->f.side[FLOW_SIDE_INI].peer;
	return &uf->gaddr;
}

/**
 * udp_flow_touch() - Record activity on a flow
 * @uf:		Flow
 * @now:	Current time
 */
static inline void udp_flow_touch(struct udp_flow *uf,
				  const struct timespec *now)
{
	uf->last = now->tv_sec;
}

/**
 * udp_drop() - Count dropped datagrams under their reason
 * @ctr:	Counter of the reason, in c->stats
 * @n:		Datagrams dropped
 */
static inline void udp_drop(unsigned long long *ctr, size_t n)
{
	*ctr += n;
}

/**
 * udp_loopback() - Loopback address of an IP version
 * @a:		Address (output)
 * @v6:		IPv6
 */
static inline void udp_loopback(union inany_addr *a, bool v6)
{
	struct in_addr lo4 = { .s_addr = htonl(INADDR_LOOPBACK) };

	if (v6)
		a->a6 = in6addr_loopback;
	else
		inany_from_v4(a, lo4);
}

/**
 * udp_is_loopback() - Is an address loopback?
 * @a:		Address, IPv4 as v4-mapped
 *
 * Return: true for 127.0.0.0/8 and ::1
 */
static inline bool udp_is_loopback(const union inany_addr *a)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4)
		return in4_is_loopback(a4);
	return IN6_IS_ADDR_LOOPBACK(&a->a6);
}

/**
 * udp_is_unspec() - Is an address unspecified (0.0.0.0 or ::)?
 * @a:		Address, IPv4 as v4-mapped
 *
 * Return: true if unspecified
 */
static inline bool udp_is_unspec(const union inany_addr *a)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4)
		return in4_is_unspec(a4);
	return IN6_IS_ADDR_UNSPECIFIED(&a->a6);
}

/**
 * udp_ctx_addr() - Fetch one of the configured addresses as an inany
 * @a:		Address (output)
 * @v6:		IPv6
 * @a4:		IPv4 address
 * @a6:		IPv6 address
 */
static inline void udp_ctx_addr(union inany_addr *a, bool v6,
				const struct in_addr *a4,
				const struct in6_addr *a6)
{
	if (v6)
		a->a6 = *a6;
	else
		inany_from_v4(a, *a4);
}

/**
 * udp_unspec() - Unspecified address of an IP version
 * @a:		Address (output): 0.0.0.0 as v4-mapped, or ::
 * @v6:		IPv6
 */
static inline void udp_unspec(union inany_addr *a, bool v6)
{
	struct in_addr any4 = { .s_addr = 0 };

	if (v6)
		a->a6 = in6addr_any;
	else
		inany_from_v4(a, any4);
}

/**
 * struct udp_txq - Frames to the guest for one IP version
 * @buf:	Frame slots: [tap_hdr][Ethernet][IP][UDP][payload]
 * @order:	Permutation of slots: @order[0..@nq) are queued, rest free
 * @nq:		Frames queued
 * @l2len:	Per slot, L2 length of the frame, bytes
 * @dlen:	Per slot, UDP payload length, bytes
 * @name:	Per slot, source address from recvmmsg()
 * @ctl:	Per slot, control messages from recvmmsg(): local address
 * @mm:		recvmmsg() headers, by position after @nq
 * @iov:	recvmmsg() payload vectors, by position after @nq
 * @tx:		tap_send_frames() vectors, two per queued frame
 * @gso_iov:	Vectors of one UDP super-frame
 */
struct udp_txq {
	uint8_t buf[UDP_MAX_FRAMES][UDP_FRAME_BYTES] __attribute__((aligned(64)));
	uint16_t order[UDP_MAX_FRAMES];
	size_t nq;
	size_t l2len[UDP_MAX_FRAMES];
	size_t dlen[UDP_MAX_FRAMES];
	struct sockaddr_in6 name[UDP_MAX_FRAMES];
	union udp_cmsg ctl[UDP_MAX_FRAMES];
	struct mmsghdr mm[UDP_MAX_FRAMES];
	struct iovec iov[UDP_MAX_FRAMES];
	struct iovec tx[UDP_MAX_FRAMES][2];
	struct iovec gso_iov[UDP_MAX_FRAMES + 1];
};

#endif /* UDP_INTERNAL_H */
