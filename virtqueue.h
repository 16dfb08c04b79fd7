/* SPDX-License-Identifier: GPL-2.0-or-later */
/* virtqueue.h - virtio 1.x split virtqueues in guest memory, device side */

#ifndef VIRTQUEUE_H
#define VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <linux/types.h>

#include "vu_mem.h"

#define VQ_SIZE_MAX		32768	/* Largest queue size, virtio 1.x */
#define VQ_CHAIN_MAX		64	/* Buffers per chain we take */

/* Descriptor flags */
#define VQ_DESC_F_NEXT		1
#define VQ_DESC_F_WRITE		2
#define VQ_DESC_F_INDIRECT	4

#define VQ_AVAIL_F_NO_INTERRUPT	1	/* Driver: no used notifications */

/**
 * struct vq_desc - One descriptor, little-endian as in guest memory
 * @addr:	Guest physical address of the buffer
 * @len:	Length of the buffer, bytes
 * @flags:	VQ_DESC_F_*
 * @next:	Next descriptor of the chain, with VQ_DESC_F_NEXT
 */
struct vq_desc {
	__le64 addr;
	__le32 len;
	__le16 flags;
	__le16 next;
};

/**
 * struct vq_avail - Available ring, written by the driver
 * @flags:	VQ_AVAIL_F_NO_INTERRUPT
 * @idx:	Free-running index of the next entry the driver fills
 * @ring:	Head descriptors, queue size entries, then used_event
 *		(with event-idx)
 */
struct vq_avail {
	__le16 flags;
	__le16 idx;
	__le16 ring[];
};

/**
 * struct vq_used_elem - One used ring entry
 * @id:		Head descriptor of the chain given back
 * @len:	Bytes written into the chain's writable buffers
 */
struct vq_used_elem {
	__le32 id;
	__le32 len;
};

/**
 * struct vq_used - Used ring, written by the device (us)
 * @flags:	Unused here (no notification suppression without event-idx)
 * @idx:	Free-running index of the next entry we fill
 * @ring:	Entries, queue size of them, then avail_event (event-idx)
 */
struct vq_used {
	__le16 flags;
	__le16 idx;
	struct vq_used_elem ring[];
};

/**
 * struct vq_drops - Chains and rings refused, by reason
 * @idx:	Available index more than the queue size ahead: ring stopped
 * @head:	Head index beyond the descriptor table
 * @next:	Next index beyond the descriptor (or indirect) table
 * @loop:	Chain visiting a descriptor twice
 * @table:	Buffer or indirect table outside the memory table
 * @overlap:	Writable buffer overlapping another buffer or the rings
 * @chain_long:	Chain of more than VQ_CHAIN_MAX buffers
 * @len:	Zero-length buffer, or indirect table of a bad length
 * @indirect:	Indirect descriptor not negotiated, nested, chained, or
 *		not at the head
 * @order:	Readable buffer after a writable one
 */
struct vq_drops {
	unsigned long long idx;
	unsigned long long head;
	unsigned long long next;
	unsigned long long loop;
	unsigned long long table;
	unsigned long long overlap;
	unsigned long long chain_long;
	unsigned long long len;
	unsigned long long indirect;
	unsigned long long order;
};

/**
 * struct vq - One split virtqueue, device side
 * @num:	Queue size (power of two), 0 if not set up
 * @desc:	Descriptor table, local pointer
 * @avail:	Available ring, local pointer
 * @used:	Used ring, local pointer
 * @last_avail:	Next available entry we take (free-running)
 * @used_idx:	Next used entry we fill (free-running, our copy: the
 *		guest's view of used->idx is never read back)
 * @signalled:	@used_idx when we last notified the driver
 * @signalled_valid: @signalled holds a value (else: notify)
 * @event_idx:	VIRTIO_RING_F_EVENT_IDX negotiated
 * @indirect:	VIRTIO_RING_F_INDIRECT_DESC negotiated
 * @broken:	Ring refused (bad index): nothing taken until set up again
 * @drops:	Refused chains, by reason
 */
struct vq {
	uint16_t num;
	struct vq_desc *desc;
	struct vq_avail *avail;
	struct vq_used *used;
	uint16_t last_avail;
	uint16_t used_idx;
	uint16_t signalled;
	bool signalled_valid;
	bool event_idx;
	bool indirect;
	bool broken;
	struct vq_drops drops;
};

/**
 * struct vq_elem - One descriptor chain taken from the available ring
 * @head:	Head descriptor index, given back in the used ring
 * @out_cnt:	Readable (driver to device) buffers, first in @iov
 * @in_cnt:	Writable (device to driver) buffers, after them
 * @out_len:	Bytes in the readable buffers
 * @in_len:	Bytes in the writable buffers
 * @iov:	Buffers, as local pointers proven inside the memory table
 */
struct vq_elem {
	uint16_t head;
	size_t out_cnt;
	size_t in_cnt;
	size_t out_len;
	size_t in_len;
	struct iovec iov[VQ_CHAIN_MAX];
};

/**
 * enum vq_pop_result - What vq_pop() found
 * @VQ_EMPTY:	Nothing available
 * @VQ_OK:	A chain, in the element
 * @VQ_BAD:	A bad chain: counted, given back unused, nothing in the element
 * @VQ_BROKEN:	The ring itself is bad: counted, nothing more taken
 */
enum vq_pop_result {
	VQ_EMPTY,
	VQ_OK,
	VQ_BAD,
	VQ_BROKEN,
};

bool vq_setup(struct vq *vq, const struct vu_mem *m, uint16_t num,
	      uint64_t desc, uint64_t avail, uint64_t used);
enum vq_pop_result vq_pop(struct vq *vq, const struct vu_mem *m,
			  struct vq_elem *e);
void vq_unpop(struct vq *vq, uint16_t n);
bool vq_pending(const struct vq *vq);
void vq_push(struct vq *vq, uint16_t head, uint32_t len);
void vq_flush(struct vq *vq);
bool vq_notify_needed(struct vq *vq);
void vq_kick_rearm(struct vq *vq);
uint16_t vq_avail_count(const struct vq *vq);
void vq_kick_at(struct vq *vq, uint16_t ahead);

#endif /* VIRTQUEUE_H */
