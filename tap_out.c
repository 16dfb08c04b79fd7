// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_out.c - Frames to the guest: back-end choice, one-off messages
 *
 * Theory of Operation
 *
 * This file sits below the protocols: they send to the guest only through
 * it, and it calls nothing above it (no protocol, no tap input), so that
 * protocols and the input pipeline (tap.c) don't call each other in a
 * circle. tap.c dispatches frames up to the protocols; what they answer
 * comes back down here.
 *
 * Callers build frames as [struct tap_hdr][Ethernet][IP][L4][data] and pass
 * them as iovec arrays, the first iovec of each frame being the back-end
 * header: tap_send_frames() picks the back-end. pasta writes one frame per
 * writev() to the tap (here); passt sends a whole batch with one sendmsg()
 * and completes a frame cut by a partial write, so that the stream never
 * loses its framing (tap_passt.c); with --vhost-user, frames are copied
 * into the guest's receive buffers and the guest is notified once per
 * batch (tap_vu.c). Frames the back-end doesn't take are counted as
 * dropped (tap_drop_out), the ones taken as tap_frames_out.
 *
 * vhost-user refuses frames for want of room: producers ask tap_room()
 * first, and are resumed by tap.c (tap_resume(), on the guest's receive
 * kick) when the guest posts buffers again. qemu's stream socket refuses
 * what doesn't fit once it is full: producers undo those frames, and are
 * resumed the same way when it has room again (EPOLLOUT).
 *
 * One-off messages (ARP, DHCP, DHCPv6, NDP, ICMP echo replies and errors)
 * are built in one static scratch frame, tap_out, with headers from
 * tap_hdr.c, and sent at once: nothing refers to the frame after the call.
 * They ask tap_room() too, but are not held back: with no room (vhost-user
 * without receive buffers) the message is dropped and counted
 * (tap_drop_oneoff), as the guest would lose it on a full queue; the
 * guest asks again (ARP, DHCP, NDP) or its ping reports the loss.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/uio.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include "checksum.h"
#include "ctx.h"
#include "inany.h"
#include "log.h"
#include "pcap.h"
#include "tap_hdr.h"
#include "tap_out.h"
#include "tap_passt.h"
#include "tap_vu.h"
#include "util.h"

/**
 * struct tap_out - Scratch frame for one-off messages (ARP, DHCP, NDP...)
 * @hdr:	Back-end header
 * @frame:	Ethernet frame
 */
static struct tap_out {
	struct tap_hdr hdr;
	char frame[TAP_L2_PAD + TAP_FRAME_MAX] __attribute__((aligned(8)));
} tap_out;

/**
 * tap_send_pasta() - Write frames to the tap device, one writev() each
 * @c:		Execution context
 * @iov:	Frames, @bpf iovecs each, the first being the back-end header
 * @bpf:	Buffers per frame
 * @nframes:	Number of frames
 *
 * Return: frames written
 *
 * #syscalls:pasta writev
 */
static size_t tap_send_pasta(struct ctx *c, const struct iovec *iov,
			     size_t bpf, size_t nframes)
{
	size_t i;

	for (i = 0; i < nframes; i++) {
		const struct iovec *f = iov + i * bpf;

		if (writev(c->fd_tap, f, (int)bpf) < 0) {
			if (errno == EINTR) {
				i--;
				continue;
			}
			debug_ratelimit("tap write: %s", strerror(errno));
			break;
		}
		pcap_iov(f + 1, bpf - 1);
	}
	return i;
}

/**
 * tap_room() - How many frames the back-end takes now without refusing
 * @c:		Execution context
 * @l2len:	Frame length, bytes, at most
 *
 * Only vhost-user tells ahead how many it takes (the guest's receive
 * buffers); the stream socket refuses frames once full (producers undo
 * them), the tap device queues or drops. Producers build no more frames
 * than this, and go on at tap_resume().
 *
 * Return: frames, SIZE_MAX if not limited
 */
size_t tap_room(const struct ctx *c, size_t l2len)
{
	if (c->vhost_user)
		return tap_vu_room(l2len);
	return SIZE_MAX;
}

/**
 * tap_send_frames() - Send a batch of frames to the guest
 * @c:		Execution context
 * @iov:	Frames, @bufs_per_frame iovecs each; the first iovec of each
 *		frame is its back-end header (tap_hdr_set(), tap_hdr_len())
 * @bufs_per_frame: iovecs per frame, at least 2
 * @nframes:	Number of frames
 *
 * Return: frames sent; the rest are counted as dropped
 */
size_t tap_send_frames(struct ctx *c, const struct iovec *iov,
		       size_t bufs_per_frame, size_t nframes)
{
	size_t sent, i;

	if (c->fd_tap < 0 || !nframes)
		return 0;
	if (c->vhost_user) {
		sent = tap_send_vu(c, iov, bufs_per_frame, nframes);
	} else if (c->mode == MODE_PASST) {
		sent = tap_send_passt(c, iov, bufs_per_frame, nframes);
		for (i = 0; i < sent; i++)
			pcap_iov(iov + i * bufs_per_frame + 1,
				 bufs_per_frame - 1);
	} else {
		sent = tap_send_pasta(c, iov, bufs_per_frame, nframes);
	}
	c->stats.tap_frames_out += sent;
	c->stats.tap_drop_out += nframes - sent;
	return sent;
}

/**
 * tap_send_single() - Send one Ethernet frame to the guest: a one-off message
 * @c:		Execution context
 * @l2:		Frame, from the Ethernet header
 * @l2len:	Length of the frame, bytes
 *
 * As the TCP and UDP producers do, ask tap_room() first; a one-off message
 * isn't kept for later, though: without room it is dropped and counted
 * (tap_drop_oneoff), and the back-end isn't asked.
 */
void tap_send_single(struct ctx *c, const void *l2, size_t l2len)
{
	struct tap_hdr th;
	struct iovec iov[2] = {
		{ &th, tap_hdr_len(c) },
		{ (void *)l2, l2len },
	};

	if (c->fd_tap >= 0 && !tap_room(c, l2len)) {
		c->stats.tap_drop_oneoff++;
		debug_ratelimit("tap: no room for a one-off frame of %zu bytes",
				l2len);
		return;
	}
	tap_hdr_set(c, &th, l2len);
	tap_send_frames(c, iov, 2, 1);
}

/**
 * tap_udp4_send() - Send a UDP over IPv4 datagram to the guest
 * @c:		Execution context
 * @src:	Source address
 * @sport:	Source port, host order
 * @dst:	Destination address
 * @dport:	Destination port, host order
 * @in:		Payload
 * @dlen:	Payload length, bytes
 */
void tap_udp4_send(struct ctx *c, struct in_addr src, uint16_t sport,
		   struct in_addr dst, uint16_t dport, const void *in,
		   size_t dlen)
{
	char *f = tap_out.frame + TAP_L2_PAD;
	size_t l4len = dlen + sizeof(struct udphdr);
	struct iphdr *ip4h;
	struct udphdr *uh;
	char *data;

	if (l4len + sizeof(*ip4h) + L2_HLEN > TAP_FRAME_MAX)
		return;
	ip4h = tap_push_l2h(c, f, htons_constant(ETH_P_IP));
	uh = tap_push_ip4h(ip4h, src, dst, l4len, IPPROTO_UDP);
	data = (char *)(uh + 1);
	uh->source = host_to_be16(sport);
	uh->dest = host_to_be16(dport);
	uh->len = host_to_be16(l4len);
	memcpy(data, in, dlen);
	csum_udp4(uh, src, dst, data, dlen);
	tap_send_single(c, f, data + dlen - f);
}

/**
 * tap_udp6_send() - Send a UDP over IPv6 datagram to the guest
 * @c:		Execution context
 * @src:	Source address
 * @sport:	Source port, host order
 * @dst:	Destination address
 * @dport:	Destination port, host order
 * @flow:	Flow label
 * @in:		Payload
 * @dlen:	Payload length, bytes
 */
void tap_udp6_send(struct ctx *c, const struct in6_addr *src, uint16_t sport,
		   const struct in6_addr *dst, uint16_t dport, uint32_t flow,
		   const void *in, size_t dlen)
{
	char *f = tap_out.frame + TAP_L2_PAD;
	size_t l4len = dlen + sizeof(struct udphdr);
	struct ipv6hdr *ip6h;
	struct udphdr *uh;
	char *data;

	if (l4len + sizeof(*ip6h) + L2_HLEN > TAP_FRAME_MAX)
		return;
	ip6h = tap_push_l2h(c, f, htons_constant(ETH_P_IPV6));
	uh = tap_push_ip6h(ip6h, src, dst, l4len, IPPROTO_UDP, flow);
	data = (char *)(uh + 1);
	uh->source = host_to_be16(sport);
	uh->dest = host_to_be16(dport);
	uh->len = host_to_be16(l4len);
	memcpy(data, in, dlen);
	csum_udp6(uh, src, dst, data, dlen);
	tap_send_single(c, f, data + dlen - f);
}

/**
 * tap_icmp_err_send() - Send the guest an ICMP or ICMPv6 error
 * @c:		Execution context
 * @far:	Far address: source of the error, destination of the packet
 * @guest:	Guest's address
 * @e:		Error, and what it quotes of the guest's packet: the IP header
 *		rebuilt from the addresses, then @e->hdr and @e->data, cut to
 *		TAP_ICMP4_QUOTE or TAP_ICMP6_QUOTE bytes in all
 */
void tap_icmp_err_send(struct ctx *c, const union inany_addr *far,
		       const union inany_addr *guest,
		       const struct tap_icmp_err *e)
{
	uint8_t m[sizeof(struct icmp6hdr) + TAP_ICMP6_QUOTE]
		__attribute__((aligned(8)));
	const struct in_addr *far4 = inany_v4(far);
	size_t left, hlen, dlen;
	uint8_t *p;

	static_assert(sizeof(struct icmphdr) == sizeof(struct icmp6hdr),
		      "ICMP and ICMPv6 headers take the same room");
	memset(m, 0, sizeof(struct icmp6hdr));
	if (far4) {
		struct icmphdr *ih = (struct icmphdr *)(void *)m;

		ih->type = e->type;
		ih->code = e->code;
		if (e->type == ICMP_DEST_UNREACH &&
		    e->code == ICMP_FRAG_NEEDED)
			ih->un.frag.mtu = host_to_be16(
				(uint16_t)MIN(e->mtu, 0xffffU));
		p = tap_push_ip4h((struct iphdr *)(ih + 1), guest->v4mapped.a4,
				  *far4, e->l4len, e->proto);
		left = TAP_ICMP4_QUOTE - sizeof(struct iphdr);
	} else {
		struct icmp6hdr *ih = (struct icmp6hdr *)(void *)m;

		ih->icmp6_type = e->type;
		ih->icmp6_code = e->code;
		if (e->type == ICMPV6_PKT_TOOBIG)
			ih->icmp6_mtu = host_to_be32(e->mtu);
		p = tap_push_ip6h((struct ipv6hdr *)(ih + 1), &guest->a6,
				  &far->a6, e->l4len, e->proto, e->label);
		left = TAP_ICMP6_QUOTE - sizeof(struct ipv6hdr);
	}
	hlen = MIN(e->hlen, left);
	memcpy(p, e->hdr, hlen);
	dlen = e->data ? MIN(e->dlen, left - hlen) : 0;
	if (dlen)
		memcpy(p + hlen, e->data, dlen);
	if (far4)
		tap_icmp4_send(c, *far4, guest->v4mapped.a4, m,
			       (size_t)(p - m) + hlen + dlen);
	else
		tap_icmp6_send(c, &far->a6, &guest->a6, m,
			       (size_t)(p - m) + hlen + dlen);
}

/**
 * tap_icmp4_send() - Send an ICMP message to the guest
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @in:		ICMP message from its header; the checksum is set here
 * @l4len:	Length of the message, bytes
 */
void tap_icmp4_send(struct ctx *c, struct in_addr src, struct in_addr dst,
		    const void *in, size_t l4len)
{
	char *f = tap_out.frame + TAP_L2_PAD;
	struct icmphdr *ih;
	struct iphdr *ip4h;

	if (l4len < sizeof(*ih) ||
	    l4len + sizeof(*ip4h) + L2_HLEN > TAP_FRAME_MAX)
		return;
	ip4h = tap_push_l2h(c, f, htons_constant(ETH_P_IP));
	ih = tap_push_ip4h(ip4h, src, dst, l4len, IPPROTO_ICMP);
	memcpy(ih, in, l4len);
	csum_icmp4(ih, ih + 1, l4len - sizeof(*ih));
	tap_send_single(c, f, (char *)ih + l4len - f);
}

/**
 * tap_icmp6_send() - Send an ICMPv6 message to the guest
 * @c:		Execution context
 * @src:	Source address
 * @dst:	Destination address
 * @in:		ICMPv6 message from its header; the checksum is set here
 * @l4len:	Length of the message, bytes
 */
void tap_icmp6_send(struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, const void *in, size_t l4len)
{
	char *f = tap_out.frame + TAP_L2_PAD;
	struct ipv6hdr *ip6h;
	struct icmp6hdr *ih;
	uint32_t flow;

	if (l4len < sizeof(*ih) ||
	    l4len + sizeof(*ip6h) + L2_HLEN > TAP_FRAME_MAX)
		return;
	flow = tap_flow_label(dst, sizeof(*dst));
	ip6h = tap_push_l2h(c, f, htons_constant(ETH_P_IPV6));
	ih = tap_push_ip6h(ip6h, src, dst, l4len, IPPROTO_ICMPV6, flow);
	memcpy(ih, in, l4len);
	csum_icmp6(ih, src, dst, ih + 1, l4len - sizeof(*ih));
	tap_send_single(c, f, (char *)ih + l4len - f);
}
