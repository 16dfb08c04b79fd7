// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_vu_tx.c - vhost-user: frames from the guest's transmit queue
 *
 * The transmit half of the vhost-user back-end; the design, and why the
 * payload of a frame stays in guest memory while its headers are copied,
 * is in tap_vu.c's Theory of Operation. In short, per chain taken:
 *
 *   - the first bytes of the frame, up to TAP_VU_TX_HDR_MAX, are copied
 *     into tap_buf once (the snapshot), and the header length is found in
 *     that copy, never in guest memory: Ethernet, IPv4 (with options) or
 *     IPv6 (no extension headers), then TCP (with options) or UDP;
 *   - if the rest of the frame, the payload, lies in at most
 *     PACKET_TAIL_PIECES buffers of the chain (a guest using TSO posts a
 *     64 KiB payload one page per buffer), the frame enters the input pool
 *     in two parts (packet.c): the copied headers, and the payload where
 *     the guest put it, one piece per buffer. Otherwise (payload over more
 *     buffers, other protocols, DHCP, DHCPv6, frames the snapshot can't
 *     parse) the whole frame is copied, as before;
 *   - the chain is held, and given back (used ring, length 0) only once the
 *     batch holding its frame has been through the pipeline, which is when
 *     the last pointer into its buffers is dropped: tap.c's
 *     tap_handler_vu_kick() drives tap_vu_tx(), runs the pipeline whenever
 *     it stops (tap_buf, the pool or the chains held are full), then calls
 *     tap_vu_tx_release(), and tap_vu_tx_done() at the end of the wake-up.
 *     This file, a back-end below the protocols, never calls up into tap.c.
 *
 * The input pool is bound to the memory table's mapped regions before each
 * wake-up's batches: a payload is accepted, and read, only inside them.
 */

#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include "log.h"
#include "packet.h"
#include "ctx.h"
#include "tap_buf.h"
#include "tap_out.h"
#include "tap_vu.h"
#include "tap_vu_tx.h"
#include "util.h"
#include "vhost_user.h"
#include "virtqueue.h"

#define TAP_VU_TX_BUDGET	4096	/* Chains taken per wake-up */
/* Longest headers copied: Ethernet, IPv4 with options, TCP with options */
#define TAP_VU_TX_HDR_MAX	(L2_HLEN + 60 + 60)
/* Room a frame from the guest takes in tap_buf, at most */
#define TAP_VU_TX_ROOM		(TAP_L2_PAD + TAP_FRAME_MAX + 8)
#define TAP_VU_TX_HELD		TAP_MSGS	/* Chains held per batch */
#define TAP_VU_DHCP_PORT	67		/* Messages parsed whole: copy */
#define TAP_VU_DHCPV6_PORT	547

static_assert(TAP_BUF_BYTES >= 2 * TAP_VU_TX_ROOM,
	      "Input buffer must hold two largest frames");
static_assert(VU_MEM_REGIONS_MAX <= POOL_RANGES_MAX,
	      "Every mapped region must be a range of the input pool");
static_assert(TAP_VU_TX_HDR_MAX < TAP_FRAME_MAX, "Snapshot within a frame");

/**
 * struct tap_vu_tx_state - Chains being read, and those held for a batch
 * @e:		Chain just taken
 * @ranges:	Mapped regions of guest memory, as pool_l2's ranges
 * @held:	Head of each chain whose frame is in the current batch
 * @held_cnt:	Entries in @held
 */
static struct tap_vu_tx_state {
	struct vq_elem e;
	struct pool_ranges ranges;
	uint16_t held[TAP_VU_TX_HELD];
	size_t held_cnt;
} tap_vu_tx_st;

/**
 * tap_vu_tx_bind() - Bind the input pool to the memory table's regions
 *
 * Called at each wake-up: the table may have changed since (SET_MEM_TABLE
 * comes between wake-ups, never during a batch).
 */
static void tap_vu_tx_bind(void)
{
	struct pool_ranges *r = &tap_vu_tx_st.ranges;
	size_t i;

	r->cnt = MIN(vu_dev.mem.count, (size_t)POOL_RANGES_MAX);
	for (i = 0; i < r->cnt; i++) {
		r->r[i].iov_base = vu_dev.mem.r[i].host;
		r->r[i].iov_len = vu_dev.mem.r[i].size;
	}
	pool_bind_ranges(&pool_l2, r);
}

/**
 * tap_vu_tx_gather() - Copy a range of a chain's frame into tap_buf
 * @e:		Chain: virtio-net header, then the frame
 * @from:	Offset of the range in the frame, bytes
 * @dst:	Destination, room for @len bytes
 * @len:	Bytes to copy, all within the chain
 */
static void tap_vu_tx_gather(const struct vq_elem *e, size_t from, char *dst,
			     size_t len)
{
	size_t skip = vu_dev.hdr_len + from, i;

	for (i = 0; i < e->out_cnt && len; i++) {
		const char *src = e->iov[i].iov_base;
		size_t blen = e->iov[i].iov_len, n;

		if (skip >= blen) {
			skip -= blen;
			continue;
		}
		if (!src)	/* Never: vq_pop() translated every buffer */
			return;
		n = MIN(blen - skip, len);
		memcpy(dst, src + skip, n);
		dst += n;
		len -= n;
		skip = 0;
	}
}

/**
 * tap_vu_tx_pieces() - Find a range of a chain's frame, buffer by buffer
 * @e:		Chain: virtio-net header, then the frame
 * @from:	Offset of the range in the frame, bytes
 * @len:	Length of the range, bytes, not 0, all within the chain
 * @v:		The range, one piece per buffer it covers (output), up to
 *		PACKET_TAIL_PIECES
 *
 * Return: pieces filled, 0 if the range spans more buffers than that
 */
static size_t tap_vu_tx_pieces(const struct vq_elem *e, size_t from,
			       size_t len, struct iovec *v)
{
	size_t skip = vu_dev.hdr_len + from, i, cnt = 0;

	for (i = 0; i < e->out_cnt && len; i++) {
		size_t blen = e->iov[i].iov_len, n;

		if (skip >= blen) {
			skip -= blen;
			continue;
		}
		if (cnt == PACKET_TAIL_PIECES || !e->iov[i].iov_base)
			return 0;
		n = MIN(blen - skip, len);
		v[cnt].iov_base = (char *)e->iov[i].iov_base + skip;
		v[cnt++].iov_len = n;
		len -= n;
		skip = 0;
	}
	return len ? 0 : cnt;
}

/**
 * tap_vu_tx_l4hlen() - End of the TCP or UDP header in a snapshot
 * @s:		One-packet pool over the snapshot (copy in tap_buf)
 * @l4off:	Offset of the L4 header, bytes
 * @proto:	IP protocol
 *
 * Return: offset where the payload starts, 0 if the frame is to be copied
 */
static size_t tap_vu_tx_l4hlen(const struct pool *s, size_t l4off,
			       uint8_t proto)
{
	if (proto == IPPROTO_TCP) {
		const struct tcphdr *th = packet_get(s, 0, l4off, sizeof(*th),
						     NULL);
		size_t thlen = th ? (size_t)th->doff * 4 : 0;

		if (thlen < sizeof(*th) || !packet_get(s, 0, l4off, thlen, NULL))
			return 0;
		return l4off + thlen;
	}
	if (proto == IPPROTO_UDP) {
		const struct udphdr *uh = packet_get(s, 0, l4off, sizeof(*uh),
						     NULL);

		if (!uh || uh->dest == htons_constant(TAP_VU_DHCP_PORT) ||
		    uh->dest == htons_constant(TAP_VU_DHCPV6_PORT))
			return 0;
		return l4off + sizeof(*uh);
	}
	return 0;
}

/**
 * tap_vu_tx_hlen() - Length of a frame's headers, from its snapshot
 * @snap:	Snapshot: the frame's first bytes, copied into tap_buf
 * @len:	Bytes of @snap
 *
 * Only what the input pipeline would take as TCP or UDP gets a length:
 * IPv4 but not a fragment, IPv6 without extension headers.
 *
 * Return: bytes of Ethernet, IP and TCP or UDP headers, 0 to copy the frame
 */
static size_t tap_vu_tx_hlen(const char *snap, size_t len)
{
	struct pool_one s = { .p = { .buf = tap_buf,
				     .buf_size = sizeof(tap_buf),
				     .size = 1, .pkt = &s.pkt } };
	const struct ethhdr *eh;

	if (!packet_add(&s.p, len, snap) ||
	    !(eh = packet_get(&s.p, 0, 0, sizeof(*eh), NULL)))
		return 0;
	if (eh->h_proto == htons_constant(ETH_P_IP)) {
		const struct iphdr *ip4h = packet_get(&s.p, 0, L2_HLEN,
						      sizeof(*ip4h), NULL);

		if (!ip4h || ip4h->version != 4 || ip4h->ihl < 5 ||
		    (ip4h->frag_off & htons_constant(IP4_MF | IP4_OFFMASK)))
			return 0;
		return tap_vu_tx_l4hlen(&s.p, L2_HLEN + (size_t)ip4h->ihl * 4,
					ip4h->protocol);
	}
	if (eh->h_proto == htons_constant(ETH_P_IPV6)) {
		const struct ipv6hdr *ip6h = packet_get(&s.p, 0, L2_HLEN,
							sizeof(*ip6h), NULL);

		if (!ip6h || ip6h->version != 6)
			return 0;
		return tap_vu_tx_l4hlen(&s.p, L2_HLEN + sizeof(*ip6h),
					ip6h->nexthdr);
	}
	return 0;
}

/**
 * tap_vu_tx_frame() - Put one frame from a transmit chain into the pool
 * @c:		Execution context
 * @e:		Chain: virtio-net header, then the frame
 * @off:	Offset in tap_buf with room for the frame, whole
 *
 * Return: offset in tap_buf for the next frame
 */
static size_t tap_vu_tx_frame(struct ctx *c, const struct vq_elem *e,
			      size_t off)
{
	char *frame = tap_buf + off + TAP_L2_PAD;
	struct iovec tail[PACKET_TAIL_PIECES];
	size_t l2len, snap, hlen, tcnt;

	if (e->out_len < vu_dev.hdr_len) {
		vu_dev.drop_tx++;
		c->stats.tap_drop_short++;
		return off;
	}
	l2len = e->out_len - vu_dev.hdr_len;
	if (l2len > TAP_FRAME_MAX) {
		vu_dev.drop_tx++;
		c->stats.tap_drop_long++;
		return off;
	}
	snap = MIN(l2len, TAP_VU_TX_HDR_MAX);
	tap_vu_tx_gather(e, 0, frame, snap);
	hlen = tap_vu_tx_hlen(frame, snap);
	if (hlen && hlen < l2len &&
	    (tcnt = tap_vu_tx_pieces(e, hlen, l2len - hlen, tail))) {
		if (tap_frame_add_tail(c, frame, hlen, tail, tcnt))
			vu_dev.tx_inplace++;
		return ROUND_UP(off + TAP_L2_PAD + hlen, 8);
	}
	tap_vu_tx_gather(e, snap, frame + snap, l2len - snap);
	tap_frame_add(c, frame, l2len);
	vu_dev.tx_copied++;
	return ROUND_UP(off + TAP_L2_PAD + l2len, 8);
}

/**
 * tap_vu_tx_release() - Give back the chains of a batch run through the pool
 *
 * The used entries are published at once, so that a driver reclaiming
 * buffers as it transmits finds them; it is notified at the end of the
 * wake-up only (tap_vu_tx_done()).
 */
void tap_vu_tx_release(void)
{
	struct vu_queue *q = &vu_dev.q[VU_TX];
	size_t i;

	for (i = 0; i < tap_vu_tx_st.held_cnt; i++)
		vq_push(&q->vq, tap_vu_tx_st.held[i], 0);
	tap_vu_tx_st.held_cnt = 0;
	vq_flush(&q->vq);
}

/**
 * tap_vu_tx() - Take frames from the transmit queue into the input pool
 * @c:		Execution context
 * @off:	Offset in tap_buf for the next frame (in/out), 0 to start
 * @n:		Chains taken in this wake-up (in/out), 0 to start
 *
 * Return: true if tap_buf, the pool or the chains held are full and more
 *	   chains may wait: the caller runs the pool, calls
 *	   tap_vu_tx_release(), then calls again with @off 0
 */
bool tap_vu_tx(struct ctx *c, size_t *off, size_t *n)
{
	struct vu_queue *q = &vu_dev.q[VU_TX];
	struct vq_elem *e = &tap_vu_tx_st.e;

	if (!*n)
		tap_vu_tx_bind();
	for (; *n < TAP_VU_TX_BUDGET; (*n)++) {
		enum vq_pop_result r;

		if (sizeof(tap_buf) - *off < TAP_VU_TX_ROOM ||
		    pool_full(&pool_l2) ||
		    tap_vu_tx_st.held_cnt == TAP_VU_TX_HELD)
			return true;
		r = vq_pop(&q->vq, &vu_dev.mem, e);
		if (r == VQ_EMPTY) {
			vq_kick_rearm(&q->vq);
			if (vq_pending(&q->vq))
				continue;
			break;
		}
		if (r == VQ_BROKEN) {
			warn_ratelimit("vhost-user: transmit ring broken");
			break;
		}
		if (r != VQ_OK)
			continue;
		*off = tap_vu_tx_frame(c, e, *off);
		tap_vu_tx_st.held[tap_vu_tx_st.held_cnt++] = e->head;
	}
	return false;
}

/**
 * tap_vu_tx_done() - Give the last chains back, kick ourselves if more wait
 * @n:		Chains taken in this wake-up
 *
 * Called once the frames taken have been run through the pipeline.
 *
 * #syscalls:passt write
 */
void tap_vu_tx_done(size_t n)
{
	struct vu_queue *q = &vu_dev.q[VU_TX];
	const uint64_t one = 1;

	tap_vu_tx_release();
	tap_vu_notify(q);
	if (n == TAP_VU_TX_BUDGET && write(q->kick_fd, &one, sizeof(one)) < 0)
		debug_ratelimit("vhost-user: self-kick: %s", strerror(errno));
}
