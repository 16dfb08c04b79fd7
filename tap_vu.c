// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_vu.c - passt's vhost-user back-end: frames through guest virtqueues
 *
 * The third tap back-end, next to the stream socket (tap_passt.c) and
 * pasta's tap device (read in tap.c, written in tap_out.c). The session
 * and the rings are set up by vhost_user.c; this file moves frames.
 *
 * From the guest (transmit queue, tap_vu_tx.c): a kick on the queue's
 * eventfd wakes the loop; each available chain holds a virtio-net header
 * (vu_dev.hdr_len bytes) and one frame, which goes into the input pool and
 * through tap.c's pipeline like the other back-ends' frames: tap.c's
 * tap_handler_vu_kick() drives tap_vu_tx(), which stops whenever tap_buf,
 * the pool or the chains held are full, so that this back-end, below the
 * protocols, never calls up into tap.c. The header is
 * not looked at: with HOST_TSO4/6 the guest hands over TCP super-frames of
 * up to 64 KiB with partial checksums, which, as with pasta's tap, are
 * never verified and go to the socket whole.
 *
 * Payload in place. A TCP or UDP frame's payload is not copied: it goes
 * from guest memory straight to the socket (sendmsg()/sendmmsg() copy it
 * into the kernel, the one copy left). Guest memory is shared, and the
 * guest may change any byte of it at any time, also after we checked it:
 * a length read twice may differ the second time, so whatever decides
 * bounds, lengths and offsets must come from one read into our memory.
 * The pipeline reads the headers several times (each stage, then the
 * handlers), so the headers are copied: the frame's first bytes, up to the
 * longest Ethernet, IP and TCP headers, are copied into tap_buf once, the
 * header length is found in that copy, and the frame enters the pool in
 * two parts (packet.c): the copied headers, then the payload, where it
 * lies in guest memory. Every stage and handler reads headers from the
 * copy only; the payload is opaque to us (handed to the kernel, or to the
 * capture file), so a guest changing it meanwhile only changes what it
 * sends, as it could have before. Packet accessors refuse a range across
 * the parts, and check each piece of the payload against the memory
 * table's mapped regions, to which the input pool is bound
 * (pool_bind_ranges()).
 * The alternative, reading each header field in place once and keeping
 * its value, would need every parser (the pipeline's stages, the TCP and
 * UDP handlers) to take values instead of pointers into the frame, and
 * one missed re-read would be a hole; copying at most 134 bytes a frame
 * (TAP_VU_TX_HDR_MAX) costs little next to the payload, and is simple to
 * get right.
 * This is done where the payload lies in at most PACKET_TAIL_PIECES
 * buffers of the chain, kept as one piece each: a frame in one descriptor,
 * or with the header in a descriptor of its own and the frame in the next,
 * or with Linux's layout, its linear part (headers) in one and the payload
 * in the next, or, with TSO, in one page fragment per descriptor (a 64 KiB
 * super-frame takes 16 or 17). TCP and UDP send the pieces to the socket
 * with one iovec each (packet_data()). Frames whose payload spans more
 * buffers, and frames other than TCP and UDP (ARP, ICMP, DHCP, NDP: parsed
 * whole), are copied whole, as before.
 * Since the pool points into the chains' buffers, a chain is given back
 * (length 0) only once the batch holding its frame has been through the
 * pipeline, not at once; the used index is published after each batch,
 * the driver notified once per wake-up.
 *
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
 *
 * In place (TCP data, tcp_vu.c): a producer takes the chains for a frame
 * first (tap_vu_rx_take(): the writable buffers after the virtio-net
 * header, enough for the frame with MRG_RXBUF, one chain without it),
 * writes the frame into them, and gives it with tap_vu_rx_put(), which
 * writes the header with num_buffers and pushes the chains the frame
 * needs, in order. tap_vu_rx_end() closes the batch: chains not used go
 * back to the available ring (vq_unpop(): they were the last taken), or,
 * if a bad chain was given back meanwhile, are given back empty. No other
 * frame goes to the guest while a batch is open. tap_vu_rx_flush()
 * publishes the used entries and notifies, once per batch of events.
 *
 * Receive state (the buffer size estimate, a pending resume, an open
 * batch) belongs to the session: tap_vu_rx_reset() clears it whenever
 * vhost_user.c resets the device, so a new front-end starts afresh.
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
#include "tap_out.h"
#include "tap_vu.h"
#include "util.h"
#include "vhost_user.h"
#include "virtqueue.h"

#define TAP_VU_HDR_MAX		sizeof(struct virtio_net_hdr_mrg_rxbuf)

/**
 * struct tap_vu_scratch - Chains being filled or emptied, and receive state
 * @rx_chain:	Writable bytes of the last receive chain seen, 0 if none yet:
 *		the guest's buffer size, for tap_vu_room()'s estimate
 * @rx_wait:	Frames were held back for want of buffers: on the guest's
 *		next receive kick, producers are told to go on
 * @rx_taken:	In-place batch: chains taken (tap_vu_rx_take())
 * @rx_pushed:	In-place batch: chains given back so far
 * @rx_frames:	In-place batch: frames taken
 * @rx_put:	In-place batch: frames given to the guest
 * @rx_bad:	In-place batch: a bad chain was given back meanwhile, so
 *		unused ones can't return to the available ring
 * @rx_first:	First receive chain of a frame: the header goes there last
 * @rx:		Following receive chain, one at a time
 * @rx_head:	Head index of each receive chain taken for the frame (or
 *		for the in-place batch)
 * @rx_len:	Bytes written into each of them (in-place batch: writable
 *		bytes of each)
 * @rx_fstart:	In-place batch: index of each frame's first chain
 * @rx_vnet:	In-place batch: where each frame's virtio-net header goes
 */
static struct tap_vu_scratch {
	size_t rx_chain;
	bool rx_wait;
	size_t rx_taken;
	size_t rx_pushed;
	size_t rx_frames;
	size_t rx_put;
	bool rx_bad;
	struct vq_elem rx_first;
	struct vq_elem rx;
	uint16_t rx_head[VQ_SIZE_MAX];
	uint32_t rx_len[VQ_SIZE_MAX];
	uint16_t rx_fstart[TAP_VU_RX_FRAMES];
	void *rx_vnet[TAP_VU_RX_FRAMES];
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
void tap_vu_notify(struct vu_queue *q)
{
	const uint64_t one = 1;

	if (q->call_fd < 0 || !vq_notify_needed(&q->vq))
		return;
	if (write(q->call_fd, &one, sizeof(one)) < 0)
		debug_ratelimit("vhost-user: call eventfd: %s", strerror(errno));
}

/**
 * tap_vu_kick() - A driver kicked a queue: what is there to do?
 * @ref:	epoll reference: kick eventfd, queue index in data
 *
 * A receive queue kick (new buffers) matters only if tap_vu_room() held
 * frames back: then the producers go on (tap_resume(), called by tap.c),
 * as they would on EPOLLOUT of a socket.
 *
 * Return: TAP_VU_KICK_RESUME if producers held back may go on,
 *	   TAP_VU_KICK_TX if frames may wait on the ready transmit queue,
 *	   TAP_VU_KICK_NONE otherwise
 *
 * #syscalls:passt read
 */
enum tap_vu_kick tap_vu_kick(union epoll_ref ref)
{
	uint64_t kicks;

	if (read(ref.fd, &kicks, sizeof(kicks)) < 0 && errno != EAGAIN)
		debug_ratelimit("vhost-user: kick eventfd: %s", strerror(errno));
	if (ref.data == VU_RX) {
		if (tap_vu.rx_wait && vhost_user_ready(&vu_dev.q[VU_RX])) {
			tap_vu.rx_wait = false;
			return TAP_VU_KICK_RESUME;
		}
		return TAP_VU_KICK_NONE;
	}
	if (!vhost_user_ready(&vu_dev.q[VU_TX]))
		return TAP_VU_KICK_NONE;
	return TAP_VU_KICK_TX;
}

/**
 * tap_vu_room() - How many frames of a size the guest's buffers take now
 * @l2len:	Frame length, bytes, at most
 *
 * An estimate from the chains available and the size of the last chain
 * seen (the guest posts buffers of one size). If it is 0, the guest is
 * asked to kick the receive queue once it has posted enough buffers, and
 * tap.c's tap_handler_vu_kick() resumes the producers then.
 *
 * Return: frames, 0 if none now
 */
size_t tap_vu_room(size_t l2len)
{
	bool mrg = vu_dev.features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	struct vu_queue *q = &vu_dev.q[VU_RX];
	size_t per = 1, avail;

	if (!vhost_user_ready(q)) {
		tap_vu.rx_wait = true;	/* Resume at the first buffers */
		return 0;
	}
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

/**
 * tap_vu_rx_no_room() - The ring ran out: ask for a kick at the next entry
 * @q:		Receive queue
 *
 * Return: true if entries were published meanwhile: try again now
 */
static bool tap_vu_rx_no_room(struct vu_queue *q)
{
	tap_vu.rx_wait = true;
	vq_kick_at(&q->vq, 0);
	if (!vq_avail_count(&q->vq))
		return false;
	tap_vu.rx_wait = false;
	return true;
}

/**
 * tap_vu_rx_chain() - Take one receive chain for the in-place batch
 * @q:		Receive queue, ready
 * @first:	First chain of a frame: the virtio-net header goes in its
 *		first buffer, which must hold it
 * @iov:	Frame buffers (output), appended after the header
 * @max:	Entries in @iov
 * @cnt:	Entries used in @iov (input/output)
 *
 * Return: writable bytes taken for the frame, 0 if none (nothing taken)
 */
static size_t tap_vu_rx_chain(struct vu_queue *q, bool first,
			      struct iovec *iov, size_t max, size_t *cnt)
{
	struct vq_elem *e = &tap_vu.rx;
	size_t skip = first ? vu_dev.hdr_len : 0, i;
	enum vq_pop_result r;

	r = vq_pop(&q->vq, &vu_dev.mem, e);
	if (r == VQ_EMPTY && first && tap_vu_rx_no_room(q))
		r = vq_pop(&q->vq, &vu_dev.mem, e);
	if (r == VQ_OK && (!e->in_cnt || e->in_len <= skip ||
			     e->iov[e->out_cnt].iov_len < skip)) {
		/* Nothing to write into, or no room for the header */
		vq_push(&q->vq, e->head, 0);
		r = VQ_BAD;
	}
	if (r == VQ_BAD)
		tap_vu.rx_bad = true;
	if (r != VQ_OK)
		return 0;
	if (e->in_cnt > max - *cnt) {
		vq_unpop(&q->vq, 1);
		return 0;
	}
	if (first)
		tap_vu.rx_vnet[tap_vu.rx_frames] = e->iov[e->out_cnt].iov_base;
	for (i = 0; i < e->in_cnt; i++) {
		iov[*cnt] = e->iov[e->out_cnt + i];
		if (skip) {
			iov[*cnt].iov_base = (char *)iov[*cnt].iov_base + skip;
			iov[*cnt].iov_len -= skip;
			skip = 0;
		}
		if (iov[*cnt].iov_len)
			(*cnt)++;
	}
	tap_vu.rx_chain = e->in_len;
	tap_vu.rx_head[tap_vu.rx_taken] = e->head;
	tap_vu.rx_len[tap_vu.rx_taken++] = (uint32_t)e->in_len;
	return e->in_len - (first ? vu_dev.hdr_len : 0);
}

/**
 * tap_vu_rx_take() - Take receive chains to build one frame in place
 * @l2len:	Frame length wanted, bytes, from the Ethernet header
 * @iov:	Frame buffers (output), appended at @iov[*@cnt]: guest memory
 *		after the virtio-net header, which tap_vu_rx_put() writes
 * @max:	Entries in @iov
 * @cnt:	Entries used in @iov (input/output)
 *
 * Chains are taken until they hold @l2len bytes, one only without
 * MRG_RXBUF, fewer if the ring or @iov runs out. The chains stay taken
 * until tap_vu_rx_end(); no other frame may go to the guest meanwhile. If
 * the ring is empty, the producers are resumed once the guest posts more
 * buffers (tap_resume()), as with tap_vu_room().
 *
 * Return: frame bytes the buffers taken hold, at most @l2len; 0 if none
 */
size_t tap_vu_rx_take(size_t l2len, struct iovec *iov, size_t max,
		      size_t *cnt)
{
	bool mrg = vu_dev.features & (1ULL << VIRTIO_NET_F_MRG_RXBUF);
	struct vu_queue *q = &vu_dev.q[VU_RX];
	size_t got, more, start = tap_vu.rx_taken;

	if (!vhost_user_ready(q) || tap_vu.rx_frames >= TAP_VU_RX_FRAMES)
		return 0;
	if (!(got = tap_vu_rx_chain(q, true, iov, max, cnt)))
		return 0;
	while (mrg && got < l2len && tap_vu.rx_taken < q->vq.num &&
	       (more = tap_vu_rx_chain(q, false, iov, max, cnt)))
		got += more;
	tap_vu.rx_fstart[tap_vu.rx_frames++] = (uint16_t)start;
	return MIN(got, l2len);
}

/**
 * tap_vu_rx_put() - Give the guest the next frame built in place
 * @taph:	Back-end header: virtio-net offload fields
 * @l2len:	Frame length, bytes, already written in the frame buffers
 *
 * The chains the frame needs get the virtio-net header (num_buffers set)
 * and go to the used ring, in order; its chains not needed stay taken,
 * for tap_vu_rx_end(). Published by tap_vu_rx_flush().
 */
void tap_vu_rx_put(const struct tap_hdr *taph, size_t l2len)
{
	struct virtio_net_hdr_mrg_rxbuf h;
	struct vu_queue *q = &vu_dev.q[VU_RX];
	size_t k = tap_vu.rx_put++, i, left;

	if (k >= tap_vu.rx_frames)
		return;
	memcpy(&h.hdr, taph, sizeof(h.hdr));
	/* Unused chains of an earlier frame: given back empty (not seen) */
	for (; tap_vu.rx_pushed < tap_vu.rx_fstart[k]; tap_vu.rx_pushed++)
		vq_push(&q->vq, tap_vu.rx_head[tap_vu.rx_pushed], 0);
	left = vu_dev.hdr_len + l2len;
	for (i = tap_vu.rx_pushed; left && i < tap_vu.rx_taken; i++)
		left -= MIN(left, tap_vu.rx_len[i]);
	h.num_buffers = (__force __virtio16)htole16((uint16_t)
						    (i - tap_vu.rx_pushed));
	memcpy(tap_vu.rx_vnet[k], &h, vu_dev.hdr_len);
	left = vu_dev.hdr_len + l2len;
	for (; tap_vu.rx_pushed < i; tap_vu.rx_pushed++) {
		uint32_t len = (uint32_t)MIN(left,
					    tap_vu.rx_len[tap_vu.rx_pushed]);

		vq_push(&q->vq, tap_vu.rx_head[tap_vu.rx_pushed], len);
		left -= len;
	}
}

/**
 * tap_vu_rx_end() - Close an in-place batch: unused chains go back
 *
 * They return to the available ring, untouched, unless a bad chain was
 * given back meanwhile: then they are given back empty.
 */
void tap_vu_rx_end(void)
{
	struct vu_queue *q = &vu_dev.q[VU_RX];
	size_t n = tap_vu.rx_taken - tap_vu.rx_pushed;

	if (n && !tap_vu.rx_bad)
		vq_unpop(&q->vq, (uint16_t)n);
	for (; n && tap_vu.rx_bad; n--)
		vq_push(&q->vq, tap_vu.rx_head[tap_vu.rx_pushed++], 0);
	tap_vu.rx_taken = tap_vu.rx_pushed = 0;
	tap_vu.rx_frames = tap_vu.rx_put = 0;
	tap_vu.rx_bad = false;
}

/**
 * tap_vu_rx_flush() - Publish the frames given in place, notify the guest
 */
void tap_vu_rx_flush(void)
{
	struct vu_queue *q = &vu_dev.q[VU_RX];

	if (!vhost_user_ready(q))
		return;
	vq_flush(&q->vq);
	tap_vu_notify(q);
}

/**
 * tap_vu_rx_reset() - Forget the receive state of a session that ended
 *
 * The buffer size estimate and a pending resume belong to the front-end
 * that left: the next one may post other buffers.
 */
void tap_vu_rx_reset(void)
{
	tap_vu.rx_chain = 0;
	tap_vu.rx_wait = false;
	tap_vu.rx_taken = tap_vu.rx_pushed = 0;
	tap_vu.rx_frames = tap_vu.rx_put = 0;
	tap_vu.rx_bad = false;
}
