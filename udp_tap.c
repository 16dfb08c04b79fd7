// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_tap.c - UDP frames to the guest: headers, checksums, USO, flush
 *
 * Builds the Ethernet, IP and UDP headers of datagrams received into the
 * frame slots of a queue (struct udp_txq, udp_internal.h, held by udp.c),
 * and sends the queued frames to the tap, merging runs of one flow into
 * UDP super-frames where the tap has USO. It holds no state of its own.
 * The Theory of Operation is in udp.c.
 */

#include <stddef.h>
#include <string.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include "checksum.h"
#include "ctx.h"
#include "tap_out.h"
#include "udp_tap.h"
#include "udp_internal.h"
#include "util.h"

/**
 * udp_csum_offload() - Can the tap complete our UDP checksums?
 * @c:		Execution context
 *
 * Return: true with a virtio-net header (pasta), or with GUEST_CSUM
 * (vhost-user): c->vnet_hdr is false otherwise
 */
static bool udp_csum_offload(const struct ctx *c)
{
	return c->vnet_hdr;
}

/**
 * udp_uso() - Can we send UDP super-frames (USO) to the tap?
 * @c:		Execution context
 * @v6:		IPv6
 *
 * Return: true if the tap took TUN_F_USO4 (USO6 for @v6) at set-up
 */
static bool udp_uso(const struct ctx *c, bool v6)
{
	return udp_csum_offload(c) &&
	       (c->tap_offloads & (v6 ? UDP_TUN_F_USO6 : UDP_TUN_F_USO4));
}

/**
 * udp_csum_set() - Set the UDP checksum of a frame, or leave it to the tap
 * @c:		Execution context
 * @b:		Frame slot, headers and payload in place
 * @v6:		IPv6
 * @dlen:	Payload length, bytes
 *
 * With checksum offload the field holds the pseudo-header sum and the
 * virtio-net header says where the tap completes it
 * (VIRTIO_NET_HDR_F_NEEDS_CSUM); otherwise the checksum is computed here.
 */
static void udp_csum_set(const struct ctx *c, uint8_t *b, bool v6,
			 size_t dlen)
{
	struct udphdr *uh = (struct udphdr *)(void *)(b + UDP_OFF_L4(v6));
	size_t l4len = dlen + sizeof(*uh);
	struct tap_hdr *th = (struct tap_hdr *)(void *)b;
	uint32_t sum;

	if (!udp_csum_offload(c)) {
		if (v6) {
			struct ipv6hdr *ip6h = (void *)(b + UDP_OFF_L3);

			csum_udp6(uh, &ip6h->saddr, &ip6h->daddr, uh + 1, dlen);
		} else {
			struct iphdr *ip4h = (void *)(b + UDP_OFF_L3);

			csum_udp4(uh, be32_to_in4(ip4h->saddr),
				  be32_to_in4(ip4h->daddr), uh + 1, dlen);
		}
		return;
	}
	if (v6) {
		struct ipv6hdr *ip6h = (void *)(b + UDP_OFF_L3);

		sum = csum_pseudo6(l4len, IPPROTO_UDP, &ip6h->saddr,
				   &ip6h->daddr);
	} else {
		struct iphdr *ip4h = (void *)(b + UDP_OFF_L3);

		sum = csum_pseudo4(l4len, IPPROTO_UDP,
				   be32_to_in4(ip4h->saddr),
				   be32_to_in4(ip4h->daddr));
	}
	uh->check = (__force __sum16)(uint16_t)~(__force uint16_t)
		    csum_fold(sum);
	th->vnet.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM;
	th->vnet.csum_start = (__force __virtio16)(uint16_t)
			      (UDP_OFF_L4(v6) - UDP_OFF_L2);
	th->vnet.csum_offset = (__force __virtio16)
			       offsetof(struct udphdr, check);
}

/**
 * udp_frame_fill() - Build the headers of a received datagram's frame
 * @c:		Execution context
 * @q:		Queue of the IP version
 * @v6:		IPv6
 * @s:		Slot, payload already in place
 * @f:		TAP_OUT or TAP_IN flow: its tap side gives addresses and
 *		ports, and it holds the flow label
 * @dlen:	Payload length, bytes
 */
void udp_frame_fill(const struct ctx *c, struct udp_txq *q, bool v6,
		    size_t s, const struct udp_flow *f, size_t dlen)
{
	const union inany_addr *guest = udp_flow_guest(f);
	const struct flowside *tap = udp_flow_tap(f);
	size_t l4len = dlen + sizeof(struct udphdr);
	uint8_t *b = q->buf[s];
	struct udphdr *uh = (struct udphdr *)(void *)(b + UDP_OFF_L4(v6));
	void *l3;

	l3 = tap_push_l2h(c, b + UDP_OFF_L2, v6 ? htons_constant(ETH_P_IPV6) :
						  htons_constant(ETH_P_IP));
	uh->source = host_to_be16(tap->local_port);
	uh->dest = host_to_be16(tap->peer_port);
	uh->len = host_to_be16((uint16_t)l4len);
	if (v6)
		tap_push_ip6h(l3, &tap->local.a6, &guest->a6, l4len,
			      IPPROTO_UDP, f->label);
	else
		tap_push_ip4h(l3, tap->local.v4mapped.a4, guest->v4mapped.a4,
			      l4len, IPPROTO_UDP);
	q->dlen[s] = dlen;
	q->l2len[s] = UDP_OFF_DATA(v6) - UDP_OFF_L2 + dlen;
	tap_hdr_set(c, (struct tap_hdr *)(void *)b, q->l2len[s]);
	udp_csum_set(c, b, v6, dlen);
}

/**
 * udp_gso_same() - Do two queued frames belong to the same flow?
 * @a:		First frame slot
 * @b:		Second frame slot
 * @v6:		IPv6
 *
 * Compares the addresses and ports in the headers: flow slots may have
 * been reused since the frames were built.
 *
 * Return: true if addresses and ports match
 */
static bool udp_gso_same(const uint8_t *a, const uint8_t *b, bool v6)
{
	size_t aoff = UDP_OFF_L3 + (v6 ? offsetof(struct ipv6hdr, saddr) :
					 offsetof(struct iphdr, saddr));
	size_t alen = v6 ? 2 * sizeof(struct in6_addr) : 2 * sizeof(__be32);

	return !memcmp(a + aoff, b + aoff, alen) &&
	       !memcmp(a + UDP_OFF_L4(v6), b + UDP_OFF_L4(v6), 4);
}

/**
 * udp_gso_count() - Frames from position @i that can form one super-frame
 * @c:		Execution context
 * @q:		Queue
 * @v6:		IPv6
 * @i:		First position
 * @total:	Payload bytes of the frames counted (output)
 *
 * A super-frame is consecutive datagrams of one flow with the same length,
 * the last one possibly shorter, up to UDP_GSO_SEGS and an IP packet of
 * ETH_MAX_MTU bytes.
 *
 * Return: number of frames, 1 if no super-frame can be made
 */
static size_t udp_gso_count(const struct ctx *c, const struct udp_txq *q,
			    bool v6, size_t i, size_t *total)
{
	size_t s0 = q->order[i], n = 1;

	*total = q->dlen[s0];
	if (!udp_uso(c, v6) || !q->dlen[s0])
		return 1;
	while (i + n < q->nq && n < UDP_GSO_SEGS) {
		size_t s = q->order[i + n];

		if (q->dlen[s] > q->dlen[s0] ||
		    *total + q->dlen[s] > UDP_DLEN_MAX(v6) ||
		    !udp_gso_same(q->buf[s0], q->buf[s], v6))
			break;
		*total += q->dlen[s];
		n++;
		if (q->dlen[s] < q->dlen[s0])
			break;
	}
	return n;
}

/**
 * udp_gso_send() - Send queued frames as one UDP super-frame
 * @c:		Execution context
 * @q:		Queue
 * @v6:		IPv6
 * @i:		Position of the first frame
 * @n:		Frames, at least two
 * @total:	Their payload bytes
 *
 * The first frame's headers are rewritten for the whole payload; the
 * payloads of the others follow as iovecs. The tap segments it back into
 * datagrams of the first one's length (VIRTIO_NET_HDR_GSO_UDP_L4).
 *
 * Return: frames sent, @n or 0
 */
static size_t udp_gso_send(struct ctx *c, struct udp_txq *q, bool v6,
			   size_t i, size_t n, size_t total)
{
	size_t l4len = total + sizeof(struct udphdr), j, s0 = q->order[i];
	size_t gso = q->dlen[s0];
	uint8_t *b = q->buf[s0];
	struct udphdr *uh = (struct udphdr *)(void *)(b + UDP_OFF_L4(v6));
	struct tap_hdr *th = (struct tap_hdr *)(void *)b;

	uh->len = host_to_be16((uint16_t)l4len);
	if (v6) {
		struct ipv6hdr *ip6h = (void *)(b + UDP_OFF_L3);

		ip6h->payload_len = host_to_be16((uint16_t)l4len);
	} else {
		struct iphdr *ip4h = (void *)(b + UDP_OFF_L3);

		tap_push_ip4h(ip4h, be32_to_in4(ip4h->saddr),
			      be32_to_in4(ip4h->daddr), l4len, IPPROTO_UDP);
	}
	tap_hdr_set(c, th, UDP_OFF_DATA(v6) - UDP_OFF_L2 + total);
	udp_csum_set(c, b, v6, total);
	th->vnet.gso_type = UDP_VIRTIO_GSO_UDP_L4;
	th->vnet.gso_size = (__force __virtio16)(uint16_t)gso;
	th->vnet.hdr_len = (__force __virtio16)(uint16_t)
			   (UDP_OFF_DATA(v6) - UDP_OFF_L2);

	q->gso_iov[0] = (struct iovec){ b, tap_hdr_len(c) };
	q->gso_iov[1] = (struct iovec){ b + UDP_OFF_L2,
					UDP_OFF_DATA(v6) - UDP_OFF_L2 + gso };
	for (j = 1; j < n; j++) {
		size_t s = q->order[i + j];

		q->gso_iov[j + 1].iov_base = q->buf[s] + UDP_OFF_DATA(v6);
		q->gso_iov[j + 1].iov_len = q->dlen[s];
	}
	return tap_send_frames(c, q->gso_iov, n + 1, 1) ? n : 0;
}

/**
 * udp_txq_singles() - Send frames one by one, from prepared vectors
 * @c:		Execution context
 * @q:		Queue
 * @first:	First position
 * @n:		Frames
 *
 * Return: frames sent
 */
static size_t udp_txq_singles(struct ctx *c, struct udp_txq *q, size_t first,
			      size_t n)
{
	return n ? tap_send_frames(c, &q->tx[first][0], 2, n) : 0;
}

/**
 * udp_txq_flush() - Send the frames queued for one IP version
 * @c:		Execution context
 * @q:		Queue
 * @v6:		IPv6 queue
 */
void udp_txq_flush(struct ctx *c, struct udp_txq *q, bool v6)
{
	size_t i, n, total, sent = 0, first = 0, hl = tap_hdr_len(c);

	for (i = 0; i < q->nq; i += n) {
		size_t s = q->order[i];

		n = udp_gso_count(c, q, v6, i, &total);
		if (n > 1) {
			sent += udp_txq_singles(c, q, first, i - first);
			sent += udp_gso_send(c, q, v6, i, n, total);
			first = i + n;
			continue;
		}
		q->tx[i][0].iov_base = q->buf[s];	/* struct tap_hdr */
		q->tx[i][0].iov_len = hl;
		q->tx[i][1].iov_base = q->buf[s] + UDP_OFF_L2;
		q->tx[i][1].iov_len = q->l2len[s];
	}
	sent += udp_txq_singles(c, q, first, q->nq - first);
	if (sent < q->nq)
		udp_drop(&c->stats.udp_drop_tap, q->nq - sent);
	q->nq = 0;
}
