// SPDX-License-Identifier: GPL-2.0-or-later
/* tap.c - Frames from the guest: input pipeline, pasta tap device
 *
 * Theory of Operation
 *
 * Input is a pipeline of small stages, run once per wake-up over a batch:
 *
 *   read    frames are read until EAGAIN or until the static buffer tap_buf
 *	     can't take a largest frame: passt parses qemu's stream framing
 *	     (4-byte big-endian length, then the frame; a frame cut by the end
 *	     of a read is moved to the start of the buffer and completed by the
 *	     next read, state in c->tap_partial); pasta reads one frame per
 *	     read() from the tap, after a virtio-net header
 *   L2	     each frame is checked for an Ethernet header; the guest's MAC is
 *	     learnt from its source; ARP goes to arp()
 *   L3	     IPv4 and IPv6 headers are proven present and consistent (ihl,
 *	     tot_len, payload_len, extension headers), the packet is trimmed
 *	     to its IP length (link padding dropped), fragments are dropped and
 *	     counted, the guest's source address is recorded; then packets
 *	     of a disabled IP version (-4, -6), of a protocol turned off
 *	     (--no-tcp, --no-udp, --no-icmp, --no-dhcp, --no-dhcpv6,
 *	     --no-ndp) or of a protocol we don't carry are dropped
 *   sort    DHCP, DHCPv6, NDP and ICMP messages are handed over at once; TCP
 *	     and UDP packets are grouped by 5-tuple into at most TAP_SEQS
 *	     sequences, kept in arrival order within each sequence
 *   dispatch each sequence goes to its protocol handler as one pool of L4
 *	     messages (header and payload), so that handlers batch their
 *	     socket calls per flow. Addresses and ports are parsed once, here:
 *	     TCP, UDP and ICMP handlers get them as a struct flowside (source
 *	     as peer, destination as local, ports host order; ICMP's unset,
 *	     as each message carries its own identifier), which is also the
 *	     key sequences are sorted by
 *
 * Every drop reason has its own counter in c->stats (tap_drop_*, named in
 * passt(1)), and each dropped frame moves exactly one. Descriptors point into
 * tap_buf and are valid until the next read: handlers must not keep them.
 * With vhost-user, a frame from the guest may come in two parts (packet.c):
 * its headers copied into tap_buf, its payload left in guest memory
 * (tap_vu_tx.c); the stages read headers only, and each cuts the next
 * layer's message with packet_sub(), which keeps the two parts.
 *
 * Output is not here: protocols send to the guest through tap_out.c, which
 * sits below them and picks the back-end, so that this file calls up into
 * the protocols and they never call back into it. Only tap_resume() stays:
 * it calls up, into TCP, when the back-end has room again.
 *
 * passt serves one client at a time: a second connection is accepted and
 * closed at once. When the client leaves, the next one is served, or with
 * --one-off the process exits. The stream back-end (framing, partial reads
 * and writes, the listening socket) is in tap_passt.c, the vhost-user one
 * (--vhost-user: frames through virtqueues in guest memory) in tap_vu.c and
 * vhost_user.c; the input buffer they fill is in tap_buf.c. They sit below
 * the protocols and never call up: this file drives their input
 * (tap_handler_passt(), tap_handler_vu_kick(), tap_handler_vu_cmd()), runs
 * the pipeline whenever the buffer or the pool is full, and resets TCP
 * connections when the guest's connection ends (test/lint, HOUSE_ORDER).
 *
 * pasta opens the tap with IFF_VNET_HDR and asks for checksum and TCP
 * segmentation offloads (TUN_F_CSUM, TUN_F_TSO4, TUN_F_TSO6): the namespace
 * may then send TCP super-frames up to 64 KiB with partial checksums, which
 * are never verified here, and frames of any size cross the tap whatever the
 * interface MTU. Where the kernel refuses offloads, smaller sets are tried.
 * Where the kernel has UDP segmentation offload (TUN_F_USO4/6, Linux 6.2),
 * UDP super-frames are segmented here, by copy, into ordinary datagrams
 * before they enter the pipeline: handlers never see super-frames of UDP.
 */

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "arp.h"
#include "dhcp.h"
#include "dhcpv6.h"
#include "flow.h"
#include "icmp.h"
#include "inany.h"
#include "ndp.h"
#include "packet.h"
#include "ctx.h"
#include "pcap.h"
#include "tap.h"
#include "tap_passt.h"
#include "tap_buf.h"
#include "tap_vu.h"
#include "tap_vu_tx.h"
#include "tcp.h"
#include "udp.h"
#include "util.h"
#include "vhost_user.h"

#ifndef TUN_F_USO4
#define TUN_F_USO4		0x20
#define TUN_F_USO6		0x40
#endif

#ifndef VIRTIO_NET_HDR_GSO_UDP_L4
#define VIRTIO_NET_HDR_GSO_UDP_L4	5
#endif

#define TAP_VNET_LEN		sizeof(struct virtio_net_hdr)
#define TAP_READ_MAX		(TAP_VNET_LEN + TAP_FRAME_MAX)

static_assert(TAP_BUF_BYTES >= 4 * (sizeof(uint32_t) + TAP_READ_MAX),
	      "Input buffer must hold several largest frames");
static_assert(TAP_SEQS <= 255, "Sequence index must fit tap_in.l4_seq");

/**
 * struct tap_seq - TCP or UDP packets of one flow, in one input batch
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @key:	Addresses and ports, parsed once: source address and port as
 *		peer, destination as local, ports host order (flow.h)
 * @count:	Packets in the sequence
 * @start:	Index of its first packet in tap_in.sorted
 */
struct tap_seq {
	uint8_t proto;
	struct flowside key;
	size_t count;
	size_t start;
};

/**
 * struct tap_input - State of one input batch, reset for each batch
 * @seq:	Flow sequences found so far
 * @seq_count:	Number of sequences
 * @last:	Sequence matched last (most frames belong to the same flow)
 * @l4:		TCP and UDP packets in arrival order (L4 header and data)
 * @l4_tail:	Tail of each packet in @l4 (vhost-user: payload in guest
 *		memory), no pieces if none
 * @l4_seq:	Sequence of each packet in @l4
 * @l4_count:	Packets in @l4
 * @sorted:	Packets grouped by sequence, for dispatch
 * @sorted_tail: Their tails
 */
static struct tap_input {
	struct tap_seq seq[TAP_SEQS];
	size_t seq_count;
	size_t last;
	struct iovec l4[TAP_MSGS];
	struct pool_tail l4_tail[TAP_MSGS];
	uint8_t l4_seq[TAP_MSGS];
	size_t l4_count;
	struct iovec sorted[TAP_MSGS];
	struct pool_tail sorted_tail[TAP_MSGS];
} tap_in;

/* Copy of a UDP super-frame from the tap, being segmented */
static char tap_uso_buf[TAP_FRAME_MAX] __attribute__((aligned(8)));

/**
 * tap_resume() - The back-end has room again: producers held back go on
 * @c:		Execution context
 * @now:	Current timestamp
 */
static void tap_resume(struct ctx *c, const struct timespec *now)
{
	if (!c->no_tcp)
		tcp_resume(c, now);
	if (!c->no_udp)
		udp_resume(c);
}

/**
 * tap_pool_one() - Make a one-packet pool over a range of tap_buf
 * @one:	Pool to set up (output)
 * @start:	First byte (already proven inside tap_buf)
 * @len:	Length, bytes
 */
static void tap_pool_one(struct pool_one *one, const char *start, size_t len)
{
	one->p = (struct pool){ .buf = tap_buf, .buf_size = sizeof(tap_buf),
				.size = 1, .pkt = &one->pkt };
	packet_add(&one->p, len, start);
}

/**
 * tap_tail_copy() - Copy the pieces in use of a tail descriptor
 * @dst:	Destination (output)
 * @src:	Source
 */
static void tap_tail_copy(struct pool_tail *dst, const struct pool_tail *src)
{
	size_t k;

	dst->cnt = MIN(src->cnt, (size_t)PACKET_TAIL_PIECES);
	for (k = 0; k < dst->cnt; k++)
		dst->v[k] = src->v[k];
}

/**
 * tap_pool_tail_copy() - Copy the tail of a one-packet pool, if it has one
 * @dst:	Destination (output): no pieces if the pool has no tails
 * @one:	One-packet pool
 */
static void tap_pool_tail_copy(struct pool_tail *dst, const struct pool *one)
{
	if (one->tail)
		tap_tail_copy(dst, &one->tail[0]);
	else
		dst->cnt = 0;
}

/**
 * tap_seq_find() - Find or start the sequence of a TCP or UDP packet
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @key:	Addresses and ports of the packet (the family is in them)
 *
 * Return: sequence index, or -1 if the batch has no free sequence
 */
static int tap_seq_find(uint8_t proto, const struct flowside *key)
{
	struct tap_seq *s;
	size_t i;

	for (i = 0; i < tap_in.seq_count; i++) {
		size_t n = (tap_in.last + i) % tap_in.seq_count;

		s = &tap_in.seq[n];
		if (s->proto == proto &&
		    !memcmp(&s->key, key, sizeof(*key))) {
			tap_in.last = n;
			return (int)n;
		}
	}
	if (tap_in.seq_count >= TAP_SEQS)
		return -1;
	s = &tap_in.seq[tap_in.seq_count];
	s->proto = proto;
	s->key = *key;
	s->count = 0;
	tap_in.last = tap_in.seq_count;
	return (int)tap_in.seq_count++;
}

/**
 * tap_seq_dispatch() - Hand every sequence of the batch to its handler
 * @c:		Execution context
 * @now:	Current timestamp
 */
static void tap_seq_dispatch(struct ctx *c, const struct timespec *now)
{
	size_t i, pos = 0;

	for (i = 0; i < tap_in.seq_count; i++) {
		tap_in.seq[i].start = pos;
		pos += tap_in.seq[i].count;
		tap_in.seq[i].count = 0;
	}
	for (i = 0; i < tap_in.l4_count; i++) {
		struct tap_seq *s = &tap_in.seq[tap_in.l4_seq[i]];

		tap_in.sorted[s->start + s->count] = tap_in.l4[i];
		tap_tail_copy(&tap_in.sorted_tail[s->start + s->count++],
			      &tap_in.l4_tail[i]);
	}
	for (i = 0; i < tap_in.seq_count; i++) {
		struct tap_seq *s = &tap_in.seq[i];
		struct pool p = { .buf = tap_buf, .buf_size = sizeof(tap_buf),
				  .size = s->count, .count = s->count,
				  .pkt = tap_in.sorted + s->start,
				  .tail = tap_in.sorted_tail + s->start,
				  .ranges = pool_l2.ranges };

		if (s->proto == IPPROTO_UDP)
			udp_tap_handler(c, &s->key, &p, now);
		else
			tcp_tap_handler(c, &s->key, &p, now);
	}
	tap_in.seq_count = 0;
	tap_in.l4_count = 0;
}

/**
 * tap_l4_queue() - Queue a TCP or UDP packet into its flow's sequence
 * @c:		Execution context
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @addrs:	Source address as peer, destination as local; ports unset
 * @l4:		One-packet pool with the L4 message
 * @now:	Current timestamp
 */
static void tap_l4_queue(struct ctx *c, uint8_t proto,
			 const struct flowside *addrs, const struct pool *l4,
			 const struct timespec *now)
{
	const __be16 *ports = packet_get(l4, 0, 0, 2 * sizeof(__be16), NULL);
	struct flowside key = *addrs;
	int seq;

	if (proto == IPPROTO_TCP ? c->no_tcp : c->no_udp) {
		if (proto == IPPROTO_TCP)
			c->stats.tap_drop_no_tcp++;
		else
			c->stats.tap_drop_no_udp++;
		return;
	}
	if (!ports) {
		c->stats.tap_drop_l4_short++;
		return;
	}
	key.peer_port = be16_to_host(ports[0]);
	key.local_port = be16_to_host(ports[1]);
	seq = tap_seq_find(proto, &key);
	if (seq < 0 || tap_in.l4_count >= TAP_MSGS) {
		tap_seq_dispatch(c, now);
		seq = tap_seq_find(proto, &key);
	}
	tap_in.l4[tap_in.l4_count] = l4->pkt[0];
	tap_pool_tail_copy(&tap_in.l4_tail[tap_in.l4_count], l4);
	tap_in.l4_seq[tap_in.l4_count++] = (uint8_t)seq;
	tap_in.seq[seq].count++;
}

/**
 * tap4_is_fragment() - Is an IPv4 packet a fragment?
 * @ip4h:	IPv4 header
 *
 * Return: true if MF is set or the offset is non-zero
 */
static bool tap4_is_fragment(const struct iphdr *ip4h)
{
	return ip4h->frag_off & htons_constant(IP4_MF | IP4_OFFMASK);
}

/**
 * tap4_udp_local() - Handle UDP to our DHCP server, if it is for it
 * @c:		Execution context
 * @l4:		One-packet pool with the UDP datagram
 *
 * Return: true if the datagram was for DHCP (handled or dropped)
 */
static bool tap4_udp_local(struct ctx *c, const struct pool *l4)
{
	const struct udphdr *uh = packet_get(l4, 0, 0, sizeof(*uh), NULL);

	if (!uh || uh->dest != htons_constant(67))
		return false;
	if (c->no_dhcp)
		c->stats.tap_drop_no_dhcp++;
	else
		dhcp(c, l4);
	return true;
}

/**
 * tap4_valid() - Check a fixed IPv4 header against the frame it came in
 * @s:		Counters: the reason to drop the packet, if any, is counted
 * @ip4h:	IPv4 header, its fixed 20 bytes present
 * @l3avail:	Bytes of the frame from the IPv4 header on
 *
 * Return: true if the packet is valid and not a fragment
 */
static bool tap4_valid(struct passt_stats *s, const struct iphdr *ip4h,
		       size_t l3avail)
{
	size_t l3len = be16_to_host((__force __be16)ip4h->tot_len);
	size_t hlen = (size_t)ip4h->ihl * 4;

	if (ip4h->version != 4)
		s->tap_drop_l3_version++;
	else if (ip4h->ihl < 5 || hlen > l3avail)
		s->tap_drop_l3_hdrlen++;
	else if (l3len < hlen || l3len > l3avail)
		s->tap_drop_l3_len++;
	else if (tap4_is_fragment(ip4h))
		s->tap_drop_l3_frag++;
	else
		return true;
	return false;
}

/**
 * tap_l4() - Pass an L4 message on by protocol, either family
 * @c:		Execution context
 * @proto:	IP protocol number
 * @key:	Addresses as parsed (ports unset)
 * @l4:		One-packet pool with the L4 message
 * @now:	Current timestamp
 *
 * ICMP (IPv4) and ICMPv6 echo go to icmp.c at once, TCP and UDP are queued
 * by flow for the batch; other protocols are dropped, counted.
 */
static void tap_l4(struct ctx *c, uint8_t proto, const struct flowside *key,
		   const struct pool *l4, const struct timespec *now)
{
	uint8_t icmp = inany_v4(&key->peer) ? IPPROTO_ICMP : IPPROTO_ICMPV6;

	if (proto == icmp) {
		if (c->no_icmp)
			c->stats.tap_drop_no_icmp++;
		else
			icmp_tap_handler(c, key, l4, now);
	} else if (proto == IPPROTO_UDP || proto == IPPROTO_TCP) {
		tap_l4_queue(c, proto, key, l4, now);
	} else {
		c->stats.tap_drop_proto++;
	}
}

/**
 * tap4_l4() - Pass a valid IPv4 packet's payload to its protocol
 * @c:		Execution context
 * @proto:	IP protocol number
 * @saddr:	Source address
 * @daddr:	Destination address
 * @l4:		One-packet pool with the L4 message
 * @now:	Current timestamp
 */
static void tap4_l4(struct ctx *c, uint8_t proto, const struct in_addr *saddr,
		    const struct in_addr *daddr, const struct pool *l4,
		    const struct timespec *now)
{
	struct flowside key = { .peer_port = 0, .local_port = 0 };

	inany_from_v4(&key.peer, *saddr);
	inany_from_v4(&key.local, *daddr);
	if (proto == IPPROTO_UDP && tap4_udp_local(c, l4))
		return;
	tap_l4(c, proto, &key, l4, now);
}

/**
 * tap4_input() - Validate an IPv4 packet and pass it on
 * @c:		Execution context
 * @i:		Index of the frame in pool_l2
 * @now:	Current timestamp
 */
static void tap4_input(struct ctx *c, size_t i, const struct timespec *now)
{
	size_t l3avail = packet_len(&pool_l2, i) - L2_HLEN, hlen, l3len;
	struct in_addr saddr, daddr;
	const struct iphdr *ip4h;
	struct pool_one l4;

	ip4h = packet_get(&pool_l2, i, L2_HLEN, sizeof(*ip4h), NULL);
	if (!ip4h) {
		c->stats.tap_drop_l3_short++;
		return;
	}
	if (!tap4_valid(&c->stats, ip4h, l3avail))
		return;
	hlen = (size_t)ip4h->ihl * 4;
	l3len = be16_to_host((__force __be16)ip4h->tot_len);
	saddr = be32_to_in4(ip4h->saddr);
	daddr = be32_to_in4(ip4h->daddr);
	if (!in4_is_unspec(&saddr))
		c->ip4.addr_seen = saddr;
	if (!c->ifi4_up) {
		c->stats.tap_drop_ip4_off++;
		return;
	}
	packet_sub(&pool_l2, i, L2_HLEN + hlen, l3len - hlen, &l4);
	tap4_l4(c, ip4h->protocol, &saddr, &daddr, &l4.p, now);
}

/**
 * tap6_skip_exthdr() - Skip IPv6 extension headers
 * @i:		Index of the frame in pool_l2
 * @off:	Offset of the first header after the fixed one (in/out)
 * @end:	Offset where the IPv6 payload ends
 * @proto:	Next header value (in/out)
 *
 * Return: true if the upper-layer header was reached, false for fragments
 *	   and malformed chains
 */
static bool tap6_skip_exthdr(size_t i, size_t *off, size_t end,
			     uint8_t *proto)
{
	int hops;

	for (hops = 0; hops < 8; hops++) {
		const uint8_t *eh;
		size_t len;

		if (*proto != IPPROTO_HOPOPTS && *proto != IPPROTO_ROUTING &&
		    *proto != IPPROTO_DSTOPTS)
			return *proto != IPPROTO_FRAGMENT;
		if (*off > end || end - *off < 8)
			return false;
		eh = packet_get(&pool_l2, i, *off, 2, NULL);
		if (!eh)
			return false;
		len = ((size_t)eh[1] + 1) * 8;
		if (len > end - *off)
			return false;
		*proto = eh[0];
		*off += len;
	}
	return false;
}

/**
 * tap6_local() - Handle NDP and DHCPv6, if the message is for them
 * @c:		Execution context
 * @proto:	Upper-layer protocol
 * @l4:		One-packet pool with the L4 message
 * @saddr:	Source address
 * @daddr:	Destination address
 *
 * Return: true if handled here (or dropped as ours)
 */
static bool tap6_local(struct ctx *c, uint8_t proto, const struct pool *l4,
		       const struct in6_addr *saddr,
		       const struct in6_addr *daddr)
{
	if (proto == IPPROTO_ICMPV6) {
		const struct icmp6hdr *ih = packet_get(l4, 0, 0, sizeof(*ih),
						       NULL);

		if (!ih) {
			c->stats.tap_drop_l4_short++;
			return true;
		}
		if (ih->icmp6_type < 133 || ih->icmp6_type > 137)
			return false;
		if (c->no_ndp)
			c->stats.tap_drop_no_ndp++;
		else
			ndp(c, l4, saddr, daddr);
		return true;
	}
	if (proto == IPPROTO_UDP) {
		const struct udphdr *uh = packet_get(l4, 0, 0, sizeof(*uh),
						     NULL);

		if (!uh || uh->dest != htons_constant(547))
			return false;
		if (c->no_dhcpv6)
			c->stats.tap_drop_no_dhcpv6++;
		else
			dhcpv6(c, l4, saddr, daddr);
		return true;
	}
	return false;
}

/**
 * tap6_addr_seen() - Record the guest's IPv6 source address
 * @c:		Execution context
 * @saddr:	Source address of a packet from the guest
 *
 * Unspecified sources (duplicate address detection) and multicast are
 * ignored: they are not the guest's address.
 */
static void tap6_addr_seen(struct ctx *c, const struct in6_addr *saddr)
{
	if (IN6_IS_ADDR_UNSPECIFIED(saddr) || IN6_IS_ADDR_MULTICAST(saddr))
		return;
	if (IN6_IS_ADDR_LINKLOCAL(saddr))
		c->ip6.addr_ll_seen = *saddr;
	else
		c->ip6.addr_seen = *saddr;
}

/**
 * tap6_l4() - Pass a valid IPv6 packet's payload to its protocol
 * @c:		Execution context
 * @proto:	Upper-layer protocol
 * @saddr:	Source address
 * @daddr:	Destination address
 * @l4:		One-packet pool with the L4 message
 * @now:	Current timestamp
 */
static void tap6_l4(struct ctx *c, uint8_t proto, const struct in6_addr *saddr,
		    const struct in6_addr *daddr, const struct pool *l4,
		    const struct timespec *now)
{
	struct flowside key = { .peer.a6 = *saddr, .local.a6 = *daddr };

	if (tap6_local(c, proto, l4, saddr, daddr))
		return;
	tap_l4(c, proto, &key, l4, now);
}

/**
 * tap6_input() - Validate an IPv6 packet and pass it on
 * @c:		Execution context
 * @i:		Index of the frame in pool_l2
 * @now:	Current timestamp
 */
static void tap6_input(struct ctx *c, size_t i, const struct timespec *now)
{
	size_t l3avail = packet_len(&pool_l2, i) - L2_HLEN, plen, off, end;
	struct in6_addr saddr, daddr;
	const struct ipv6hdr *ip6h;
	struct pool_one l4;
	uint8_t proto;

	ip6h = packet_get(&pool_l2, i, L2_HLEN, sizeof(*ip6h), NULL);
	if (!ip6h) {
		c->stats.tap_drop_l3_short++;
		return;
	}
	if (ip6h->version != 6) {
		c->stats.tap_drop_l3_version++;
		return;
	}
	plen = be16_to_host((__force __be16)ip6h->payload_len);
	if (plen > l3avail - sizeof(*ip6h)) {
		c->stats.tap_drop_l3_len++;
		return;
	}
	off = L2_HLEN + sizeof(*ip6h);
	end = off + plen;
	proto = ip6h->nexthdr;
	if (!tap6_skip_exthdr(i, &off, end, &proto)) {
		if (proto == IPPROTO_FRAGMENT)
			c->stats.tap_drop_l3_frag++;
		else
			c->stats.tap_drop_l3_exthdr++;
		return;
	}
	saddr = ip6h->saddr;
	daddr = ip6h->daddr;
	tap6_addr_seen(c, &saddr);
	if (!c->ifi6_up) {
		c->stats.tap_drop_ip6_off++;
		return;
	}
	packet_sub(&pool_l2, i, off, end - off, &l4);
	tap6_l4(c, proto, &saddr, &daddr, &l4.p, now);
}

/**
 * tap_learn_mac() - Learn the guest's MAC address from a frame's source
 * @c:		Execution context
 * @eh:		Ethernet header of a frame from the guest
 */
static void tap_learn_mac(struct ctx *c, const struct ethhdr *eh)
{
	char buf[MAC_STRLEN];

	if (eh->h_source[0] & 1)	/* group address: not a station */
		return;
	if (!memcmp(c->guest_mac, eh->h_source, ETH_ALEN))
		return;
	memcpy(c->guest_mac, eh->h_source, ETH_ALEN);
	info("New guest MAC address observed: %s",
	     mac_ntop(c->guest_mac, buf, sizeof(buf)));
}

/**
 * tap_l2_input() - Run a batch of frames through the input pipeline
 * @c:		Execution context
 * @now:	Current timestamp
 */
static void tap_l2_input(struct ctx *c, const struct timespec *now)
{
	size_t i;

	for (i = 0; i < pool_l2.count; i++) {
		const struct ethhdr *eh = packet_get(&pool_l2, i, 0,
						     sizeof(*eh), NULL);
		struct pool_one one;
		struct iovec v[PACKET_IOV_MAX];

		c->stats.tap_frames_in++;
		if (!eh) {
			c->stats.tap_drop_short++;
			continue;
		}
		pcap_iov(v, packet_iov(&pool_l2, i, v));
		tap_learn_mac(c, eh);
		if (eh->h_proto == htons_constant(ETH_P_ARP)) {
			packet_sub(&pool_l2, i, 0, packet_len(&pool_l2, i),
				   &one);
			arp(c, &one.p);
		} else if (eh->h_proto == htons_constant(ETH_P_IP)) {
			tap4_input(c, i, now);
		} else if (eh->h_proto == htons_constant(ETH_P_IPV6)) {
			tap6_input(c, i, now);
		} else {
			c->stats.tap_drop_l2++;
		}
	}
	tap_seq_dispatch(c, now);
	pool_flush(&pool_l2);
}

/**
 * tap_handler_passt() - Read frames from qemu's stream socket, run them
 * @c:		Execution context
 * @events:	epoll events
 * @now:	Current timestamp
 *
 * The back-end (tap_passt.c) reads and splits; the pipeline runs here after
 * each read, and TCP connections are reset here when the client leaves.
 * EPOLLOUT: the socket, full before, takes frames again: producers whose
 * frames were refused go on (tap_resume()).
 */
void tap_handler_passt(struct ctx *c, uint32_t events,
		       const struct timespec *now)
{
	int rounds;

	if ((events & EPOLLOUT) && tap_passt_writable(c))
		tap_resume(c, now);
	for (rounds = 0; rounds < 64; rounds++) {
		enum tap_passt_read r;
		size_t used;

		r = tap_passt_read(c, &used);
		if (r == TAP_PASST_GONE) {
			tcp_tap_reset(c);
			return;
		}
		if (r == TAP_PASST_RETRY)
			continue;
		if (r == TAP_PASST_AGAIN)
			break;
		tap_l2_input(c, now);
		tap_passt_keep(c, used);
	}
	if (events & (EPOLLHUP | EPOLLERR)) {
		tap_sock_reset(c);
		tcp_tap_reset(c);
	}
}

/**
 * tap_handler_vu_cmd() - vhost-user control messages, or the front-end left
 * @c:		Execution context
 * @events:	epoll events
 */
void tap_handler_vu_cmd(struct ctx *c, uint32_t events)
{
	if (vhost_user_handler(c, events))
		tcp_tap_reset(c);
}

/**
 * tap_handler_vu_kick() - A vhost-user driver kicked a queue
 * @c:		Execution context
 * @ref:	epoll reference: kick eventfd, queue index in data
 * @now:	Current timestamp
 *
 * Receive queue: producers held back for want of buffers go on. Transmit
 * queue: the back-end (tap_vu_tx.c) puts frames into the pool (headers
 * copied into tap_buf, payload in place or copied) until tap_buf, the pool
 * or its chains held are full, the pipeline runs, the chains of the batch
 * are given back, and so on until the queue is empty or the back-end's
 * budget is spent.
 */
void tap_handler_vu_kick(struct ctx *c, union epoll_ref ref,
			 const struct timespec *now)
{
	size_t off = 0, n = 0;

	switch (tap_vu_kick(ref)) {
	case TAP_VU_KICK_RESUME:
		tap_resume(c, now);
		break;
	case TAP_VU_KICK_TX:
		while (tap_vu_tx(c, &off, &n)) {
			tap_l2_input(c, now);
			tap_vu_tx_release();
			off = 0;
		}
		tap_l2_input(c, now);
		tap_vu_tx_done(n);
		break;
	case TAP_VU_KICK_NONE:
		break;
	}
}

/**
 * tap_is_uso() - Is a frame from the tap a UDP segmentation super-frame?
 * @vh:		Its virtio-net header
 *
 * Return: true if the kernel left UDP segmentation (USO) to us
 */
static bool tap_is_uso(const struct virtio_net_hdr *vh)
{
	return (vh->gso_type & ~VIRTIO_NET_HDR_GSO_ECN) ==
	       VIRTIO_NET_HDR_GSO_UDP_L4;
}

/**
 * tap_uso_hlen() - Header length of a UDP super-frame, up to the payload
 * @sf:		One-packet pool with the frame (Ethernet header on)
 * @l2len:	Frame length, bytes
 *
 * Return: bytes of Ethernet, IP and UDP headers, 0 if not a valid UDP frame
 */
static size_t tap_uso_hlen(const struct pool *sf, size_t l2len)
{
	const struct ethhdr *eh = packet_get(sf, 0, 0, sizeof(*eh), NULL);
	size_t l3hlen = sizeof(struct ipv6hdr);

	if (!eh)
		return 0;
	if (eh->h_proto == htons_constant(ETH_P_IP)) {
		const struct iphdr *ip4h = packet_get(sf, 0, L2_HLEN,
						      sizeof(*ip4h), NULL);

		if (!ip4h || ip4h->ihl < 5 || ip4h->protocol != IPPROTO_UDP)
			return 0;
		l3hlen = (size_t)ip4h->ihl * 4;
	} else if (eh->h_proto == htons_constant(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h = packet_get(sf, 0, L2_HLEN,
							sizeof(*ip6h), NULL);

		if (!ip6h || ip6h->nexthdr != IPPROTO_UDP)
			return 0;
	} else {
		return 0;
	}
	if (L2_HLEN + l3hlen + sizeof(struct udphdr) >= l2len)
		return 0;
	return L2_HLEN + l3hlen + sizeof(struct udphdr);
}

/**
 * tap_uso_fix() - Set IP and UDP lengths of one segment built from a
 *		   super-frame
 * @seg:	Segment, from the Ethernet header
 * @hlen:	Bytes of Ethernet, IP and UDP headers
 * @dlen:	Payload bytes of this segment
 */
static void tap_uso_fix(char *seg, size_t hlen, size_t dlen)
{
	struct udphdr *uh = (struct udphdr *)(seg + hlen - sizeof(*uh));
	const struct ethhdr *eh = (const struct ethhdr *)seg;
	size_t l3len = hlen - L2_HLEN + dlen;

	uh->len = host_to_be16(sizeof(*uh) + dlen);
	if (eh->h_proto == htons_constant(ETH_P_IP)) {
		struct iphdr *ip4h = (struct iphdr *)(seg + L2_HLEN);

		ip4h->tot_len = host_to_be16(l3len);
	} else {
		struct ipv6hdr *ip6h = (struct ipv6hdr *)(seg + L2_HLEN);

		ip6h->payload_len = host_to_be16(
			l3len - sizeof(*ip6h));
	}
}

/**
 * tap_uso_split() - Segment a UDP super-frame into datagrams of gso_size
 * @c:		Execution context
 * @off:	Offset of the frame (virtio-net header first) in tap_buf
 * @n:		Bytes read, with the virtio-net header
 * @now:	Current timestamp
 *
 * The super-frame is copied aside, then each segment is written to tap_buf
 * with copied headers and fixed lengths, and added to the input pool; the
 * pool is run through the pipeline whenever it or the buffer fills up.
 *
 * Return: offset in tap_buf for the next read
 */
static size_t tap_uso_split(struct ctx *c, size_t off, size_t n,
			    const struct timespec *now)
{
	const struct virtio_net_hdr *vh = (void *)(tap_buf + off);
	size_t gso = le16toh((__force uint16_t)vh->gso_size);
	size_t l2len = n - TAP_VNET_LEN;
	struct pool_one sf;
	size_t hlen, pos;

	tap_pool_one(&sf, tap_buf + off + TAP_VNET_LEN, l2len);
	hlen = tap_uso_hlen(&sf.p, l2len);
	if (!hlen || !gso || l2len > sizeof(tap_uso_buf)) {
		c->stats.tap_drop_uso++;
		return off;
	}
	trace("Segmenting UDP super-frame of %zu bytes by %zu", l2len, gso);
	memcpy(tap_uso_buf, tap_buf + off + TAP_VNET_LEN, l2len);
	for (pos = hlen; pos < l2len; pos += gso) {
		size_t dlen = MIN(gso, l2len - pos);

		char *seg;

		if (sizeof(tap_buf) - off < TAP_L2_PAD + hlen + dlen + 8 ||
		    pool_full(&pool_l2)) {
			tap_l2_input(c, now);
			off = 0;
		}
		seg = tap_buf + off + TAP_L2_PAD;
		memcpy(seg, tap_uso_buf, hlen);
		memcpy(seg + hlen, tap_uso_buf + pos, dlen);
		tap_uso_fix(seg, hlen, dlen);
		tap_frame_add(c, seg, hlen + dlen);
		off = ROUND_UP(off + TAP_L2_PAD + hlen + dlen, 8);
	}
	return off;
}

/**
 * tap_handler_pasta() - Read frames from the tap device
 * @c:		Execution context
 * @events:	epoll events
 * @now:	Current timestamp
 *
 * #syscalls:pasta read
 */
void tap_handler_pasta(struct ctx *c, uint32_t events,
		       const struct timespec *now)
{
	size_t vlen = c->vnet_hdr ? TAP_VNET_LEN : 0, off = 0;
	int rounds = 0;

	if (events & (EPOLLHUP | EPOLLERR))
		die("Tap device error or hang-up, exiting");
	while (rounds < 64) {
		ssize_t n;

		if (sizeof(tap_buf) - off < TAP_READ_MAX ||
		    pool_full(&pool_l2)) {
			tap_l2_input(c, now);
			off = 0;
			rounds++;
		}
		n = read(c->fd_tap, tap_buf + off, TAP_READ_MAX);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				warn_perror_ratelimit("tap read");
			break;
		}
		if ((size_t)n < vlen) {
			c->stats.tap_drop_short++;
			continue;
		}
		if (vlen && tap_is_uso((struct virtio_net_hdr *)(tap_buf + off))) {
			off = tap_uso_split(c, off, (size_t)n, now);
			continue;
		}
		tap_frame_add(c, tap_buf + off + vlen, (size_t)n - vlen);
		off = ROUND_UP(off + (size_t)n, 8);
	}
	tap_l2_input(c, now);
}

/**
 * tap_set_offloads() - Ask for the largest set of offloads the tap takes
 * @c:		Execution context
 * @fd:		Tap file descriptor
 */
static void tap_set_offloads(struct ctx *c, int fd)
{
	static const unsigned sets[] = {
		TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN |
		TUN_F_USO4 | TUN_F_USO6,
		TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN,
		TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
		TUN_F_CSUM,
		0,
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sets); i++) {
		if (!ioctl(fd, TUNSETOFFLOAD, sets[i])) {
			c->tap_offloads = sets[i];
			return;
		}
	}
	warn("Tap device takes no offload setting: small frames only");
}

/**
 * tap_ns_tun() - Create the tap device; runs in the target namespace
 * @arg:	Execution context
 *
 * Return: TAP_TUN_OK, or the step that failed (enum tap_tun_err), errno
 *	   set in the caller's memory (ns_call() shares it)
 */
int tap_ns_tun(void *arg)
{
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR };
	struct ctx *c = arg;
	int fd, vlen = TAP_VNET_LEN;

	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return TAP_TUN_ERR_OPEN;
	snprintf(ifr.ifr_name, IFNAMSIZ, "%s", c->pasta_ifn);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		ifr.ifr_flags &= ~IFF_VNET_HDR;
		if (ioctl(fd, TUNSETIFF, &ifr)) {
			int e = errno;

			close(fd);
			errno = e;
			return TAP_TUN_ERR_IFF;
		}
	}
	c->vnet_hdr = !!(ifr.ifr_flags & IFF_VNET_HDR);
	if (c->vnet_hdr) {
		ioctl(fd, TUNSETVNETHDRSZ, &vlen);
		tap_set_offloads(c, fd);
	}
	memcpy(c->pasta_ifn, ifr.ifr_name, IFNAMSIZ);
	c->pasta_ifi = if_nametoindex(c->pasta_ifn);
	c->fd_tap = fd;
	return c->pasta_ifi ? TAP_TUN_OK : TAP_TUN_ERR_INDEX;
}

/**
 * tap_backend_init() - Set up the guest-facing side (set-up phase)
 * @c:		Execution context
 *
 * passt: listen on the UNIX socket, or take the -F descriptor. pasta: the
 * tap is already open (pasta_start_ns()/pasta_open_ns()): register it.
 */
void tap_backend_init(struct ctx *c)
{
	tap_hdr_init();
	if (c->mode == MODE_PASTA && c->splice_only)
		return;
	if (c->mode == MODE_PASTA) {
		debug("Tap %s: virtio-net header %s, offloads 0x%x", c->pasta_ifn,
		      c->vnet_hdr ? "on" : "off", c->tap_offloads);
		if (epoll_add(c, c->fd_tap, EPOLLIN | EPOLLRDHUP,
			      epoll_ref_make(EPOLL_TYPE_TAP_PASTA,
					     c->fd_tap, 0)))
			die("Can't add tap device to epoll");
		return;
	}
	vhost_user_init();
	if (c->fd_tap_given && c->vhost_user) {
		fd_set_nonblock(c->fd_tap);
		c->one_off = true;
		vhost_user_accept(c, c->fd_tap);
		return;
	}
	if (c->fd_tap_given) {
		fd_set_nonblock(c->fd_tap);
		c->one_off = true;
		if (epoll_add(c, c->fd_tap, EPOLLIN | EPOLLRDHUP,
			      epoll_ref_make(EPOLL_TYPE_TAP_PASST,
					     c->fd_tap, 0)))
			die("Can't add -F descriptor to epoll");
		return;
	}
	tap_sock_init(c);
}
