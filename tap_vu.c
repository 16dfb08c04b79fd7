// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_vu.c - passt's vhost-user back-end: frames through guest virtqueues
 *
 * The third tap back-end, next to the stream socket (tap_passt.c) and
 * pasta's tap device (tap.c). The session and the rings are set up by
 * vhost_user.c; this file moves frames.
 *
 * From the guest (transmit queue): a kick on the queue's eventfd wakes the
 * loop; each available chain holds a virtio-net header (vu_dev.hdr_len
 * bytes) and one frame, which is copied from guest memory into tap_buf
 * (the one copy), added to the input pool and run through tap.c's
 * pipeline like the other back-ends' frames. The header is not looked at:
 * with HOST_TSO4/6 the guest hands over TCP super-frames of up to 64 KiB
 * with partial checksums, which, as with pasta's tap, are never verified
 * and go to the socket whole. Chains are given back at once (length 0).
 * At most TAP_VU_TX_BUDGET chains are taken per wake-up; if more wait, we
 * kick ourselves, so the loop serves other events in between. With
 * event-idx, we ask the driver to kick at the next entry once the ring is
 * empty, and look again, so that no entry published meanwhile is missed.
 *
 * To the guest (receive queue): tap_send_frames() passes frames as iovec
 * arrays, the first iovec being a virtio-net header (struct tap_hdr) that
 * the TCP and UDP paths fill for offloads (partial checksums, GSO super-
 * frames) as they do for pasta. Each frame is written, after the header
 * and with num_buffers set, into as many receive chains as it needs with
 * MRG_RXBUF (up to the whole ring), or into one chain without it. A frame
 * that finds too few buffers is left for later: its chains are put back and
 * the batch stops, and the callers count the frames not sent as they do for
 * the other back-ends. A frame that can't fit even the whole ring (or,
 * without MRG_RXBUF, the chain offered) is dropped and counted
 * (drop_rx_big), and the batch goes on.
 * The call eventfd is signalled once per batch, if the driver asked.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>
#include <linux/virtio_net.h>

#include "log.h"
#include "packet.h"
#include "ctx.h"
#include "pcap.h"
#include "tap.h"
#include "tap_internal.h"
#include "tap_vu.h"
#include "util.h"
#include "vhost_user.h"
#include "virtqueue.h"

#define TAP_VU_TX_BUDGET	4096	/* Chains taken per wake-up */
#define TAP_VU_HDR_MAX		sizeof(struct virtio_net_hdr_mrg_rxbuf)
/* Room a frame from the guest takes in tap_buf, at most */
#define TAP_VU_TX_ROOM		(TAP_L2_PAD + TAP_FRAME_MAX + 8)

static_assert(TAP_BUF_BYTES >= 2 * TAP_VU_TX_ROOM,
	      "Input buffer must hold two largest frames");

/**
 * struct tap_vu_scratch - Chains being filled or emptied, per call only
 * @tx:		Chain from the transmit queue
 * @rx_first:	First receive chain of a frame: the header goes there last
 * @rx:		Following receive chain, one at a time
 * @rx_head:	Head index of each receive chain taken for the frame
 * @rx_len:	Bytes written into each of them
 * @rx_chain:	Writable bytes of the last receive chain seen, 0 if none yet:
 *		the guest's buffer size, for tap_vu_room()'s estimate
 * @rx_wait:	Frames were held back for want of buffers: on the guest's
 *		next receive kick, producers are told to go on
 */
static struct tap_vu_scratch {
	size_t rx_chain;
	bool rx_wait;
	struct vq_elem tx;
	struct vq_elem rx_first;
	struct vq_elem rx;
	uint16_t rx_head[VQ_SIZE_MAX];
	uint32_t rx_len[VQ_SIZE_MAX];
} tap_vu;

/**
 * struct tap_vu_src - Where the next byte of a frame comes from
 * @iov:	Frame buffers, after the back-end header
 * @cnt:	Number of them
 * @i:		Current buffer
 * @off:	Offset in it
 */
struct tap_vu_src {
	const struct iovec *iov;
	size_t cnt;
	size_t i;
	size_t off;
};

/**
 * enum tap_vu_rx_result - What became of a frame for the guest
 * @TAP_VU_RX_OK:	Written and pushed
 * @TAP_VU_RX_NOROOM:	Not enough buffers now: nothing taken, try later
 * @TAP_VU_RX_BIG:	Larger than every buffer the guest posted: dropped
 */
enum tap_vu_rx_result {
	TAP_VU_RX_OK,
	TAP_VU_RX_NOROOM,
	TAP_VU_RX_BIG,
};

/**
 * tap_vu_notify() - Signal the driver's call eventfd, if it wants to know
 * @q:		Queue, after vq_flush()
 *
 * #syscalls:passt write
 */
static void tap_vu_notify(struct vu_queue *q)
{
	const uint64_t one = 1;

	if (q->call_fd < 0 || !vq_notify_needed(&q->vq))
		return;
	if (write(q->call_fd, &one, sizeof(one)) < 0)
		debug_ratelimit("vhost-user: call eventfd: %s", strerror(errno));
}

/**
 * tap_vu_tx_frame() - Copy one frame from a transmit chain into tap_buf
 * @c:		Execution context
 * @e:		Chain: virtio-net header, then the frame
 * @off:	Offset in tap_buf with room for TAP_VU_TX_ROOM bytes
 *
 * Return: offset in tap_buf for the next frame
 */
static size_t tap_vu_tx_frame(struct ctx *c, const struct vq_elem *e,
			      size_t off)
{
	size_t skip = vu_dev.hdr_len, l2len, done = 0, i;
	char *frame = tap_buf + off + TAP_L2_PAD;

	if (e->out_len < skip) {
		vu_dev.drop_tx++;
		c->stats.tap_drop_short++;
		return off;
	}
	l2len = e->out_len - skip;
	if (l2len > TAP_FRAME_MAX) {
		vu_dev.drop_tx++;
		c->stats.tap_drop_long++;
		return off;
	}
	for (i = 0; i < e->out_cnt; i++) {
		size_t len = e->iov[i].iov_len;

		if (skip >= len) {
			skip -= len;
			continue;
		}
		memcpy(frame + done, (char *)e->iov[i].iov_base + skip,
		       len - skip);
		done += len - skip;
		skip = 0;
	}
	tap_frame_add(c, frame, l2len);
	return ROUND_UP(off + TAP_L2_PAD + l2len, 8);
}

/**
 * tap_vu_tx() - Take frames from the transmit queue into the pipeline
 * @c:		Execution context
 * @q:		Transmit queue, ready
 * @now:	Current timestamp
 *
 * #syscalls:passt write
 */
static void tap_vu_tx(struct ctx *c, struct vu_queue *q,
		      const struct timespec *now)
{
	const uint64_t one = 1;
	size_t off = 0, n;

	for (n = 0; n < TAP_VU_TX_BUDGET; n++) {
		enum vq_pop_result r;

		if (sizeof(tap_buf) - off < TAP_VU_TX_ROOM ||
		    pool_full(&pool_l2)) {
			tap_l2_input(c, now);
			off = 0;
		}
		r = vq_pop(&q->vq, &vu_dev.mem, &tap_vu.tx);
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
		if (r == VQ_OK) {
			off = tap_vu_tx_frame(c, &tap_vu.tx, off);
			vq_push(&q->vq, tap_vu.tx.head, 0);
		}
	}
	tap_l2_input(c, now);
	vq_flush(&q->vq);
	tap_vu_notify(q);
	if (n == TAP_VU_TX_BUDGET && write(q->kick_fd, &one, sizeof(one)) < 0)
		debug_ratelimit("vhost-user: self-kick: %s", strerror(errno));
}

/**
 * tap_vu_kick_handler() - A driver kicked a queue
 * @c:		Execution context
 * @ref:	epoll reference: kick eventfd, queue index in data
 * @now:	Current timestamp
 *
 * A receive queue kick (new buffers) matters only if tap_vu_room() held
 * frames back: then the producers go on (tap_resume()), as they would on
 * EPOLLOUT of a socket.
 *
 * #syscalls:passt read
 */
void tap_vu_kick_handler(struct ctx *c, union epoll_ref ref,
			 const struct timespec *now)
{
	uint64_t kicks;

	if (read(ref.fd, &kicks, sizeof(kicks)) < 0 && errno != EAGAIN)
		debug_ratelimit("vhost-user: kick eventfd: %s", strerror(errno));
	if (ref.data == VU_RX) {
		if (tap_vu.rx_wait && vhost_user_ready(&vu_dev.q[VU_RX])) {
			tap_vu.rx_wait = false;
			tap_resume(c, now);
		}
		return;
	}
	if (!vhost_user_ready(&vu_dev.q[VU_TX]))
		return;
	tap_vu_tx(c, &vu_dev.q[VU_TX], now);
}

/**
 * tap_vu_room() - How many frames of a size the guest's buffers take now
 * @l2len:	Frame length, bytes, at most
 *
 * An estimate from the chains available and the size of the last chain
 * seen (the guest posts buffers of one size). If it is 0, the guest is
 * asked to kick the receive queue once it has posted enough buffers, and
 * tap_vu_kick_handler() resumes the producers then.
 *
 * Return: frames, 0 if none now
 */
size_t tap_vu_room(size_t l2len)
{
	bool mrg = vu_dev.features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	struct vu_queue *q = &vu_dev.q[VU_RX];
	size_t per = 1, avail;

	if (!vhost_user_ready(q))
		return 0;
	if (mrg && tap_vu.rx_chain)
		per = DIV_ROUND_UP(vu_dev.hdr_len + l2len, tap_vu.rx_chain);
	per = MIN(per, q->vq.num);
	avail = vq_avail_count(&q->vq);
	if (avail >= per)
		return avail / per;
	tap_vu.rx_wait = true;
	vq_kick_at(&q->vq, (uint16_t)(per - avail - 1));
	avail = vq_avail_count(&q->vq);		/* Published meanwhile? */
	if (avail < per)
		return 0;
	tap_vu.rx_wait = false;
	return avail / per;
}

/**
 * tap_vu_fill() - Copy frame bytes into the writable buffers of a chain
 * @e:		Receive chain
 * @skip:	Bytes to leave free at the start of its buffers
 * @src:	Source cursor (updated)
 *
 * Return: bytes written after @skip
 */
static size_t tap_vu_fill(const struct vq_elem *e, size_t skip,
			  struct tap_vu_src *src)
{
	size_t done = 0, i;

	for (i = 0; i < e->in_cnt && src->i < src->cnt; i++) {
		const struct iovec *d = &e->iov[e->out_cnt + i];
		size_t doff = 0;

		if (skip >= d->iov_len) {
			skip -= d->iov_len;
			continue;
		}
		doff = skip;
		skip = 0;
		while (doff < d->iov_len && src->i < src->cnt) {
			const struct iovec *s = &src->iov[src->i];
			size_t chunk = MIN(d->iov_len - doff,
					   s->iov_len - src->off);

			memcpy((char *)d->iov_base + doff,
			       (const char *)s->iov_base + src->off, chunk);
			doff += chunk;
			done += chunk;
			src->off += chunk;
			if (src->off == s->iov_len) {
				src->i++;
				src->off = 0;
			}
		}
	}
	return done;
}

/**
 * tap_vu_put_hdr() - Write the virtio-net header at the start of a chain
 * @e:		Receive chain, with at least vu_dev.hdr_len writable bytes
 * @h:		Header
 */
static void tap_vu_put_hdr(const struct vq_elem *e,
			   const struct virtio_net_hdr_mrg_rxbuf *h)
{
	const char *p = (const char *)h;
	size_t left = vu_dev.hdr_len, i;

	for (i = 0; i < e->in_cnt && left; i++) {
		const struct iovec *d = &e->iov[e->out_cnt + i];
		size_t chunk = MIN(left, d->iov_len);

		memcpy(d->iov_base, p, chunk);
		p += chunk;
		left -= chunk;
	}
}

/**
 * tap_vu_rx_abort() - Give up the chains taken for a frame
 * @q:		Receive queue
 * @n:		Chains taken
 * @pushed:	A bad chain was given back meanwhile: ours can't be put back
 *		in the available ring, give them back unused instead
 */
static void tap_vu_rx_abort(struct vu_queue *q, size_t n, bool pushed)
{
	size_t i;

	if (!pushed) {
		vq_unpop(&q->vq, (uint16_t)n);
		return;
	}
	for (i = 0; i < n; i++)
		vq_push(&q->vq, tap_vu.rx_head[i], 0);
}

/**
 * tap_vu_rx_frame() - Write one frame into the guest's receive chains
 * @q:		Receive queue, ready
 * @f:		Frame: back-end header, then the Ethernet frame
 * @bpf:	iovecs in @f
 *
 * Chains are taken and written one at a time, as many as the frame needs
 * (one without MRG_RXBUF), up to the whole ring; the header, which says
 * how many, is written last into the first one. If the ring runs out
 * first, the chains go back to the available ring, untouched as far as
 * the guest can tell.
 *
 * Return: TAP_VU_RX_OK, TAP_VU_RX_NOROOM (nothing taken) or TAP_VU_RX_BIG
 *	   (the frame can't fit even the whole ring, or one chain without
 *	   MRG_RXBUF: nothing taken)
 */
static enum tap_vu_rx_result tap_vu_rx_frame(struct vu_queue *q,
					     const struct iovec *f, size_t bpf)
{
	bool mrg = vu_dev.features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	struct tap_vu_src src = { .iov = f + 1, .cnt = bpf - 1 };
	struct virtio_net_hdr_mrg_rxbuf h = { 0 };
	size_t n = 0, i;

	/* Skip empty buffers, so that "all copied" is src.i == src.cnt */
	while (src.i < src.cnt && !src.iov[src.i].iov_len)
		src.i++;
	do {
		struct vq_elem *e = n ? &tap_vu.rx : &tap_vu.rx_first;
		size_t skip = n ? 0 : vu_dev.hdr_len;
		enum vq_pop_result r;

		if (n == q->vq.num || (n && !mrg)) {
			tap_vu_rx_abort(q, n, false);
			return TAP_VU_RX_BIG;
		}
		r = vq_pop(&q->vq, &vu_dev.mem, e);
		if (r == VQ_OK && (!e->in_len || e->in_len < skip)) {
			/* Nothing to write into, or no room for the header */
			vq_push(&q->vq, e->head, 0);
			vu_dev.drop_rx_short++;
			r = VQ_BAD;
		}
		if (r != VQ_OK) {
			tap_vu_rx_abort(q, n, r == VQ_BAD);
			return TAP_VU_RX_NOROOM;
		}
		tap_vu.rx_chain = e->in_len;
		tap_vu.rx_head[n] = e->head;
		tap_vu.rx_len[n] = (uint32_t)(skip + tap_vu_fill(e, skip, &src));
		n++;
		while (src.i < src.cnt && !src.iov[src.i].iov_len)
			src.i++;
	} while (src.i < src.cnt);

	memcpy(&h.hdr, f[0].iov_base, MIN(f[0].iov_len, sizeof(h.hdr)));
	h.num_buffers = (__force __virtio16)htole16((uint16_t)n);
	tap_vu_put_hdr(&tap_vu.rx_first, &h);
	for (i = 0; i < n; i++)
		vq_push(&q->vq, tap_vu.rx_head[i], tap_vu.rx_len[i]);
	return TAP_VU_RX_OK;
}

/**
 * tap_send_vu() - Send frames to the guest through its receive queue
 * @c:		Execution context
 * @iov:	Frames, @bpf iovecs each, the first being the back-end header
 * @bpf:	Buffers per frame
 * @nframes:	Number of frames
 *
 * Return: frames written; the rest found no room
 */
size_t tap_send_vu(struct ctx *c, const struct iovec *iov, size_t bpf,
		   size_t nframes)
{
	struct vu_queue *q = &vu_dev.q[VU_RX];
	size_t i;

	if (!vhost_user_ready(q))
		return 0;
	for (i = 0; i < nframes; i++) {
		enum tap_vu_rx_result r = tap_vu_rx_frame(q, iov + i * bpf,
							   bpf);

		if (r == TAP_VU_RX_NOROOM) {
			/* Rare with tap_vu_room(): go on at the next kick */
			vu_dev.drop_rx++;
			tap_vu.rx_wait = true;
			vq_kick_at(&q->vq, 0);
			break;
		}
		if (r == TAP_VU_RX_BIG) {
			vu_dev.drop_rx_big++;
			continue;
		}
		pcap_iov(iov + i * bpf + 1, bpf - 1);
	}
	(void)c;
	vq_flush(&q->vq);
	tap_vu_notify(q);
	return i;
}
