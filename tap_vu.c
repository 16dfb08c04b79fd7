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
 * MRG_RXBUF, or into one chain without it. A frame that finds no buffers
 * is left for later: its chains are put back and the batch stops, and the
 * callers count the frames not sent as they do for the other back-ends.
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
#define TAP_VU_MRG_MAX		64	/* Receive chains per frame */
#define TAP_VU_HDR_MAX		sizeof(struct virtio_net_hdr_mrg_rxbuf)
/* Room a frame from the guest takes in tap_buf, at most */
#define TAP_VU_TX_ROOM		(TAP_L2_PAD + TAP_FRAME_MAX + 8)

static_assert(TAP_BUF_BYTES >= 2 * TAP_VU_TX_ROOM,
	      "Input buffer must hold two largest frames");

/**
 * struct tap_vu_scratch - Chains being filled or emptied, per call only
 * @tx:		Chain from the transmit queue
 * @rx:		Chains from the receive queue, for one frame
 * @rx_len:	Bytes written into each of @rx
 */
static struct tap_vu_scratch {
	struct vq_elem tx;
	struct vq_elem rx[TAP_VU_MRG_MAX];
	uint32_t rx_len[TAP_VU_MRG_MAX];
} tap_vu;

/**
 * struct tap_vu_cursor - Where the next byte goes in receive chains
 * @elem:	Chain, index in tap_vu.rx
 * @iov:	Writable buffer of that chain
 * @off:	Offset in that buffer
 * @n:		Chains available
 */
struct tap_vu_cursor {
	size_t elem;
	size_t iov;
	size_t off;
	size_t n;
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
 * Receive queue kicks (new buffers) need nothing: frames to the guest are
 * only ever sent when produced, and TCP resends what found no buffers.
 *
 * #syscalls:passt read
 */
void tap_vu_kick_handler(struct ctx *c, union epoll_ref ref,
			 const struct timespec *now)
{
	uint64_t kicks;

	if (read(ref.fd, &kicks, sizeof(kicks)) < 0 && errno != EAGAIN)
		debug_ratelimit("vhost-user: kick eventfd: %s", strerror(errno));
	if (ref.data != VU_TX || !vhost_user_ready(&vu_dev.q[VU_TX]))
		return;
	tap_vu_tx(c, &vu_dev.q[VU_TX], now);
}

/**
 * tap_vu_put() - Write bytes at a cursor in receive chains
 * @cur:	Cursor (updated)
 * @src:	Bytes
 * @len:	How many, at most the room left after the cursor
 */
static void tap_vu_put(struct tap_vu_cursor *cur, const char *src, size_t len)
{
	while (len && cur->elem < cur->n) {
		const struct vq_elem *e = &tap_vu.rx[cur->elem];
		const struct iovec *d;
		size_t chunk;

		if (cur->iov == e->in_cnt) {
			cur->elem++;
			cur->iov = cur->off = 0;
			continue;
		}
		d = &e->iov[e->out_cnt + cur->iov];
		chunk = MIN(len, d->iov_len - cur->off);
		memcpy((char *)d->iov_base + cur->off, src, chunk);
		tap_vu.rx_len[cur->elem] += chunk;
		src += chunk;
		len -= chunk;
		cur->off += chunk;
		if (cur->off == d->iov_len) {
			cur->iov++;
			cur->off = 0;
		}
	}
}

/**
 * tap_vu_rx_chains() - Take enough receive chains for a frame
 * @q:		Receive queue
 * @need:	Bytes to write: header and frame
 *
 * Return: chains taken into tap_vu.rx, 0 if there aren't enough (none
 *	   kept: put back, or given back unused if the ring had a bad one)
 */
static size_t tap_vu_rx_chains(struct vu_queue *q, size_t need)
{
	bool mrg = vu_dev.features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	size_t n = 0, cap = 0, i;
	enum vq_pop_result r = VQ_OK;

	while (cap < need && n < TAP_VU_MRG_MAX && (!n || mrg)) {
		r = vq_pop(&q->vq, &vu_dev.mem, &tap_vu.rx[n]);
		if (r != VQ_OK)
			break;
		if (!tap_vu.rx[n].in_len) {
			vq_push(&q->vq, tap_vu.rx[n].head, 0);
			r = VQ_BAD;
			break;
		}
		tap_vu.rx_len[n] = 0;
		cap += tap_vu.rx[n++].in_len;
	}
	if (cap >= need)
		return n;
	if (r == VQ_BAD) {
		for (i = 0; i < n; i++)
			vq_push(&q->vq, tap_vu.rx[i].head, 0);
	} else {
		vq_unpop(&q->vq, (uint16_t)n);
	}
	return 0;
}

/**
 * tap_vu_rx_frame() - Write one frame into the guest's receive chains
 * @q:		Receive queue, ready
 * @f:		Frame: back-end header, then the Ethernet frame
 * @bpf:	iovecs in @f
 *
 * Return: true if written, false if the guest has no room for it now
 */
static bool tap_vu_rx_frame(struct vu_queue *q, const struct iovec *f,
			    size_t bpf)
{
	struct virtio_net_hdr_mrg_rxbuf h = { 0 };
	struct tap_vu_cursor cur = { 0 };
	size_t l2len = 0, i;

	for (i = 1; i < bpf; i++)
		l2len += f[i].iov_len;
	cur.n = tap_vu_rx_chains(q, vu_dev.hdr_len + l2len);
	if (!cur.n) {
		vu_dev.drop_rx++;
		return false;
	}
	memcpy(&h.hdr, f[0].iov_base, MIN(f[0].iov_len, sizeof(h.hdr)));
	h.num_buffers = (__force __virtio16)htole16((uint16_t)cur.n);
	tap_vu_put(&cur, (const char *)&h, vu_dev.hdr_len);
	for (i = 1; i < bpf; i++)
		tap_vu_put(&cur, f[i].iov_base, f[i].iov_len);
	for (i = 0; i < cur.n; i++)
		vq_push(&q->vq, tap_vu.rx[i].head, tap_vu.rx_len[i]);
	return true;
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
		if (!tap_vu_rx_frame(q, iov + i * bpf, bpf))
			break;
		pcap_iov(iov + i * bpf + 1, bpf - 1);
	}
	(void)c;
	vq_flush(&q->vq);
	tap_vu_notify(q);
	return i;
}
