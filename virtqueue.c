// SPDX-License-Identifier: GPL-2.0-or-later
/* virtqueue.c - virtio 1.x split virtqueues in guest memory, device side
 *
 * Theory of Operation
 *
 * A split virtqueue of size N (a power of two) is three areas of guest
 * memory: the descriptor table (N descriptors of 16 bytes: address,
 * length, flags, next), the available ring, where the driver publishes the
 * heads of chains it gives us (flags, a free-running index, N entries,
 * then used_event), and the used ring, where we give chains back (flags,
 * a free-running index, N entries of head and bytes written, then
 * avail_event). All fields are little-endian. The areas are translated
 * once, when the ring is set up, through the memory table (vu_mem.c).
 *
 * The guest owns that memory and may change it at any time, so nothing
 * read from it is trusted or read twice:
 *   - the available index may run at most N entries ahead of ours, else
 *     the ring is marked broken and nothing more is taken from it until it
 *     is set up again (drops.idx); heads must be below N (drops.head);
 *   - each descriptor is copied once to the stack before use; every
 *     buffer is translated and bounds-checked (drops.table) and must not
 *     be empty (drops.len);
 *   - a chain is followed by index: an index beyond its table
 *     (drops.next), an index seen before in the chain (drops.loop), or
 *     more than VQ_CHAIN_MAX buffers (drops.chain_long) ends the walk;
 *   - an indirect table (VIRTIO_RING_F_INDIRECT_DESC) is taken only as the
 *     head descriptor, without VQ_DESC_F_NEXT, with a length that is a
 *     non-zero multiple of 16 and at most N descriptors; its descriptors
 *     may not be indirect again (drops.indirect, drops.len);
 *   - readable buffers come before writable ones (drops.order), and a
 *     writable buffer overlaps neither another buffer of the chain nor the
 *     rings (drops.overlap).
 * A refused chain is given back in the used ring with length 0, so that
 * the driver gets its buffers back, and counted by its reason.
 *
 * The used index is ours: we keep it in @used_idx, write it after the
 * entries (release order) and never read it back. Notifications follow
 * event-idx (VIRTIO_RING_F_EVENT_IDX): the driver is notified only when
 * the used index passes the used_event it asked for, and we ask for a
 * kick at the next available entry (avail_event) once we have taken all;
 * without event-idx, the driver's VQ_AVAIL_F_NO_INTERRUPT is honoured.
 *
 * No system calls: eventfds are the caller's (tap_vu.c).
 */

#include <endian.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>

#include "util.h"
#include "virtqueue.h"
#include "vu_mem.h"

/**
 * vq_rd16() - Read a little-endian 16-bit field from guest memory once
 * @p:		Field
 *
 * Return: value, host order
 */
static inline uint16_t vq_rd16(const __le16 *p)
{
	return le16toh((__force uint16_t)*(const volatile __le16 *)p);
}

/**
 * vq_wr16() - Write a little-endian 16-bit field to guest memory
 * @p:		Field
 * @v:		Value, host order
 */
static inline void vq_wr16(__le16 *p, uint16_t v)
{
	*(volatile __le16 *)p = (__force __le16)htole16(v);
}

/**
 * vq_desc_bytes() - Size of a descriptor table
 * @num:	Queue size
 *
 * Return: bytes
 */
static size_t vq_desc_bytes(uint16_t num)
{
	return sizeof(struct vq_desc) * num;
}

/**
 * vq_avail_bytes() - Size of an available ring, with used_event
 * @num:	Queue size
 *
 * Return: bytes
 */
static size_t vq_avail_bytes(uint16_t num)
{
	return sizeof(struct vq_avail) + sizeof(__le16) * ((size_t)num + 1);
}

/**
 * vq_used_bytes() - Size of a used ring, with avail_event
 * @num:	Queue size
 *
 * Return: bytes
 */
static size_t vq_used_bytes(uint16_t num)
{
	return sizeof(struct vq_used) +
	       sizeof(struct vq_used_elem) * num + sizeof(__le16);
}

/**
 * vq_setup() - Translate and check a ring's areas, reset our indices
 * @vq:		Virtqueue; negotiated flags (@event_idx, @indirect) are kept
 * @m:		Memory table
 * @num:	Queue size: a power of two, at most VQ_SIZE_MAX
 * @desc:	Front-end virtual address of the descriptor table
 * @avail:	Front-end virtual address of the available ring
 * @used:	Front-end virtual address of the used ring
 *
 * Indices start at 0; callers restoring a base set @last_avail and
 * @used_idx afterwards.
 *
 * Return: true if the ring is usable; false leaves @vq->num at 0
 */
bool vq_setup(struct vq *vq, const struct vu_mem *m, uint16_t num,
	      uint64_t desc, uint64_t avail, uint64_t used)
{
	vq->num = 0;
	vq->broken = false;
	vq->signalled_valid = false;
	vq->last_avail = vq->used_idx = 0;
	if (!num || (num & (num - 1)))
		return false;
	if ((desc & 15) || (avail & 1) || (used & 3))
		return false;
	vq->desc = vu_mem_uva(m, desc, vq_desc_bytes(num));
	vq->avail = vu_mem_uva(m, avail, vq_avail_bytes(num));
	vq->used = vu_mem_uva(m, used, vq_used_bytes(num));
	if (!vq->desc || !vq->avail || !vq->used)
		return false;
	vq->num = num;
	return true;
}

/**
 * vq_pending() - Are chains waiting in the available ring?
 * @vq:		Virtqueue, set up
 *
 * Return: true if the driver's available index differs from ours
 */
bool vq_pending(const struct vq *vq)
{
	if (!vq->num || vq->broken)
		return false;
	return vq_rd16(&vq->avail->idx) != vq->last_avail;
}

/**
 * struct vq_walk - State of one chain walk
 * @table:	Descriptor table being followed (ring's or indirect)
 * @table_len:	Descriptors in @table
 * @seen:	Indices visited in @table, for loop detection
 * @seen_cnt:	Entries in @seen
 * @indirect:	Following an indirect table
 */
struct vq_walk {
	const struct vq_desc *table;
	size_t table_len;
	uint16_t seen[VQ_CHAIN_MAX];
	size_t seen_cnt;
	bool indirect;
};

/**
 * vq_overlap() - Do two local ranges overlap?
 * @a:		First range
 * @alen:	Its length, bytes
 * @b:		Second range
 * @blen:	Its length, bytes
 *
 * Return: true if they share a byte
 */
static bool vq_overlap(const void *a, size_t alen, const void *b, size_t blen)
{
	uintptr_t x = (uintptr_t)a, y = (uintptr_t)b;

	return x < y + blen && y < x + alen;
}

/**
 * vq_buf_overlaps() - Does a writable buffer overlap the rings or the chain?
 * @vq:		Virtqueue
 * @e:		Chain so far
 * @p:		New buffer, writable
 * @len:	Its length, bytes
 *
 * Return: true if it overlaps a ring area or a buffer already in @e
 */
static bool vq_buf_overlaps(const struct vq *vq, const struct vq_elem *e,
			    const void *p, size_t len)
{
	size_t i;

	if (vq_overlap(p, len, vq->desc, vq_desc_bytes(vq->num)) ||
	    vq_overlap(p, len, vq->avail, vq_avail_bytes(vq->num)) ||
	    vq_overlap(p, len, vq->used, vq_used_bytes(vq->num)))
		return true;
	for (i = 0; i < e->out_cnt + e->in_cnt; i++) {
		if (vq_overlap(p, len, e->iov[i].iov_base, e->iov[i].iov_len))
			return true;
	}
	return false;
}

/**
 * vq_buf_add() - Check one direct descriptor and add its buffer
 * @vq:		Virtqueue, for counters and ring areas
 * @m:		Memory table
 * @d:		Descriptor, a copy
 * @e:		Chain being built (updated)
 *
 * Return: true if added, false if the chain must be refused (counted)
 */
static bool vq_buf_add(struct vq *vq, const struct vu_mem *m,
		       const struct vq_desc *d, struct vq_elem *e)
{
	uint16_t flags = le16toh((__force uint16_t)d->flags);
	uint32_t len = le32toh((__force uint32_t)d->len);
	bool wr = flags & VQ_DESC_F_WRITE;
	size_t n = e->out_cnt + e->in_cnt;
	void *p;

	if (!len) {
		vq->drops.len++;
		return false;
	}
	p = vu_mem_gpa(m, le64toh((__force uint64_t)d->addr), len);
	if (!p) {
		vq->drops.table++;
		return false;
	}
	if (!wr && e->in_cnt) {
		vq->drops.order++;
		return false;
	}
	if (wr && vq_buf_overlaps(vq, e, p, len)) {
		vq->drops.overlap++;
		return false;
	}
	e->iov[n].iov_base = p;
	e->iov[n].iov_len = len;
	if (wr) {
		e->in_cnt++;
		e->in_len += len;
	} else {
		e->out_cnt++;
		e->out_len += len;
	}
	return true;
}

/**
 * vq_indirect_enter() - Switch a walk to the indirect table of its head
 * @vq:		Virtqueue, for counters and limits
 * @m:		Memory table
 * @d:		Head descriptor, a copy, with VQ_DESC_F_INDIRECT
 * @w:		Walk (updated)
 *
 * Return: true if the table is usable, false if refused (counted)
 */
static bool vq_indirect_enter(struct vq *vq, const struct vu_mem *m,
			      const struct vq_desc *d, struct vq_walk *w)
{
	uint16_t flags = le16toh((__force uint16_t)d->flags);
	uint32_t len = le32toh((__force uint32_t)d->len);

	if (!vq->indirect || w->indirect || w->seen_cnt ||
	    (flags & VQ_DESC_F_NEXT)) {
		vq->drops.indirect++;
		return false;
	}
	if (!len || len % sizeof(struct vq_desc) ||
	    len / sizeof(struct vq_desc) > vq->num) {
		vq->drops.len++;
		return false;
	}
	w->table = vu_mem_gpa(m, le64toh((__force uint64_t)d->addr), len);
	if (!w->table) {
		vq->drops.table++;
		return false;
	}
	w->table_len = len / sizeof(struct vq_desc);
	w->indirect = true;
	return true;
}

/**
 * vq_walk_seen() - Record a descriptor index, refusing loops and long chains
 * @vq:		Virtqueue, for counters
 * @w:		Walk (updated)
 * @i:		Index about to be used
 *
 * Return: true if @i is new to the chain and the chain may grow
 */
static bool vq_walk_seen(struct vq *vq, struct vq_walk *w, uint16_t i)
{
	size_t k;

	for (k = 0; k < w->seen_cnt; k++) {
		if (w->seen[k] == i) {
			vq->drops.loop++;
			return false;
		}
	}
	if (w->seen_cnt >= VQ_CHAIN_MAX) {
		vq->drops.chain_long++;
		return false;
	}
	w->seen[w->seen_cnt++] = i;
	return true;
}

/**
 * vq_chain() - Follow a chain from its head, collecting its buffers
 * @vq:		Virtqueue
 * @m:		Memory table
 * @head:	Head index, below the queue size
 * @e:		Element to fill (output)
 *
 * Return: true if the chain is good, false if refused (counted)
 */
static bool vq_chain(struct vq *vq, const struct vu_mem *m, uint16_t head,
		     struct vq_elem *e)
{
	struct vq_walk w = { .table = vq->desc, .table_len = vq->num };
	uint16_t i = head, flags;
	struct vq_desc d;

	e->head = head;
	e->out_cnt = e->in_cnt = e->out_len = e->in_len = 0;
	for (;;) {
		memcpy(&d, (const void *)&w.table[i], sizeof(d));
		flags = le16toh((__force uint16_t)d.flags);
		if (flags & VQ_DESC_F_INDIRECT) {
			if (!vq_indirect_enter(vq, m, &d, &w))
				return false;
			i = 0;
			continue;
		}
		if (!vq_walk_seen(vq, &w, i) || !vq_buf_add(vq, m, &d, e))
			return false;
		if (!(flags & VQ_DESC_F_NEXT))
			return true;
		i = le16toh((__force uint16_t)d.next);
		if (i >= w.table_len) {
			vq->drops.next++;
			return false;
		}
	}
}

/**
 * vq_pop() - Take the next chain from the available ring
 * @vq:		Virtqueue
 * @m:		Memory table
 * @e:		Element to fill (output)
 *
 * Return: VQ_OK with @e filled, VQ_EMPTY, VQ_BAD (chain given back with
 *	   length 0, counted) or VQ_BROKEN (ring stopped, counted)
 */
enum vq_pop_result vq_pop(struct vq *vq, const struct vu_mem *m,
			  struct vq_elem *e)
{
	uint16_t avail_idx, head;

	if (!vq->num || vq->broken)
		return VQ_BROKEN;
	avail_idx = vq_rd16(&vq->avail->idx);
	if (avail_idx == vq->last_avail)
		return VQ_EMPTY;
	if ((uint16_t)(avail_idx - vq->last_avail) > vq->num) {
		vq->drops.idx++;
		vq->broken = true;
		return VQ_BROKEN;
	}
	/* Ring entries are read only after the index that covers them */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	head = vq_rd16(&vq->avail->ring[vq->last_avail % vq->num]);
	vq->last_avail++;
	if (head >= vq->num) {
		vq->drops.head++;
		return VQ_BAD;
	}
	if (!vq_chain(vq, m, head, e)) {
		vq_push(vq, head, 0);
		return VQ_BAD;
	}
	return VQ_OK;
}

/**
 * vq_unpop() - Put back the last chains taken, unused
 * @vq:		Virtqueue
 * @n:		How many (none of them given back in the used ring)
 */
void vq_unpop(struct vq *vq, uint16_t n)
{
	vq->last_avail -= n;
}

/**
 * vq_push() - Write a used ring entry; vq_flush() publishes it
 * @vq:		Virtqueue
 * @head:	Head index of the chain
 * @len:	Bytes written into its writable buffers
 */
void vq_push(struct vq *vq, uint16_t head, uint32_t len)
{
	struct vq_used_elem *u;

	if (!vq->num)
		return;
	u = &vq->used->ring[vq->used_idx % vq->num];
	*(volatile __le32 *)&u->id = (__force __le32)htole32(head);
	*(volatile __le32 *)&u->len = (__force __le32)htole32(len);
	vq->used_idx++;
}

/**
 * vq_flush() - Publish used entries written so far to the driver
 * @vq:		Virtqueue
 */
void vq_flush(struct vq *vq)
{
	if (!vq->num)
		return;
	/* Entries must be visible before the index that covers them */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	vq_wr16(&vq->used->idx, vq->used_idx);
}

/**
 * vq_notify_needed() - Should the driver be notified of used entries now?
 * @vq:		Virtqueue, after vq_flush()
 *
 * Return: true if the driver asked to hear of the entries published since
 *	   the last notification
 */
bool vq_notify_needed(struct vq *vq)
{
	uint16_t old = vq->signalled, now = vq->used_idx, event;
	bool valid = vq->signalled_valid;

	if (!vq->num)
		return false;
	/* Our index store must be seen before we read the driver's wish */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!vq->event_idx)
		return !(vq_rd16(&vq->avail->flags) & VQ_AVAIL_F_NO_INTERRUPT);
	vq->signalled = now;
	vq->signalled_valid = true;
	if (!valid)
		return true;
	event = vq_rd16(&vq->avail->ring[vq->num]);
	return (uint16_t)(now - event - 1) < (uint16_t)(now - old);
}

/**
 * vq_kick_rearm() - Ask the driver to kick at the next available entry
 * @vq:		Virtqueue (event-idx only; no-op otherwise)
 *
 * Callers check vq_pending() afterwards: entries published before the
 * driver saw this would not kick.
 */
void vq_kick_rearm(struct vq *vq)
{
	__le16 *avail_event;

	if (!vq->num || !vq->event_idx)
		return;
	avail_event = (__le16 *)(void *)&vq->used->ring[vq->num];
	vq_wr16(avail_event, vq->last_avail);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

/**
 * vq_avail_count() - How many chains wait in the available ring?
 * @vq:		Virtqueue
 *
 * Return: entries published and not taken, 0 if the ring is unusable or
 *	   its index is beyond the queue size (vq_pop() will say so)
 */
uint16_t vq_avail_count(const struct vq *vq)
{
	uint16_t n;

	if (!vq->num || vq->broken)
		return 0;
	n = (uint16_t)(vq_rd16(&vq->avail->idx) - vq->last_avail);
	return n > vq->num ? 0 : n;
}

/**
 * vq_kick_at() - Ask the driver to kick once it publishes a given entry
 * @vq:		Virtqueue (event-idx only; no-op otherwise, as the driver
 *		then kicks for every entry)
 * @ahead:	Entries past the ones available now: 0 for the next one
 *
 * Callers check vq_avail_count() afterwards: entries published before the
 * driver saw this would not kick.
 */
void vq_kick_at(struct vq *vq, uint16_t ahead)
{
	__le16 *avail_event;

	if (!vq->num || !vq->event_idx)
		return;
	avail_event = (__le16 *)(void *)&vq->used->ring[vq->num];
	vq_wr16(avail_event, (uint16_t)(vq->last_avail + vq_avail_count(vq) +
					ahead));
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
