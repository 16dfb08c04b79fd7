// SPDX-License-Identifier: GPL-2.0-or-later
/* vhost_user.c - vhost-user protocol, back-end side, over passt's socket
 *
 * Theory of Operation
 *
 * With --vhost-user, the front-end (qemu, -netdev vhost-user) connects to
 * the UNIX socket given by -s and drives a virtio-net device whose rings
 * live in guest memory: this file speaks the control protocol, tap_vu.c
 * moves frames through the rings (virtqueue.c).
 *
 * Messages: a 12-byte header (request, flags, payload size; host order)
 * and a payload of at most sizeof(union vu_payload), with up to
 * VU_FDS_MAX file descriptors attached to the first byte. A message that
 * is too large, cut short for longer than VU_WAIT_MS, carries more
 * descriptors than we take, or whose payload size isn't the one its
 * request has, ends the session. Descriptors a request does
 * not use are closed at once. Requests that answer (GET_*) reply with the
 * same request number and the reply flag; with the REPLY_ACK protocol
 * feature, other requests asking for it get a 64-bit status (0: done).
 *
 * Session: GET_FEATURES offers VERSION_1, MRG_RXBUF, CSUM, GUEST_CSUM,
 * HOST_TSO4/6, GUEST_TSO4/6, EVENT_IDX, INDIRECT_DESC and protocol
 * features (REPLY_ACK only); SET_FEATURES keeps what the front-end
 * accepts, and sets the offloads the TCP and UDP paths use towards the
 * guest: partial checksums with GUEST_CSUM (c->vnet_hdr), super-frames with
 * GUEST_TSO4/6 (c->tap_offloads, as pasta's TUN_F_* bits). SET_MEM_TABLE
 * maps each region from its descriptor (mmap() at run time, the one
 * exception to style rule 9: guest memory exists only once qemu connects;
 * the filter allows mmap and munmap in passt mode only, and nothing but
 * these descriptors is ever mapped). SET_VRING_NUM, _ADDR and _BASE
 * configure a queue; SET_VRING_KICK starts it: the ring is translated
 * through the memory table and checked (virtqueue.c), and the kick eventfd
 * joins the epoll loop. GET_VRING_BASE stops it and returns the next
 * available index. With protocol features, queues also need
 * SET_VRING_ENABLE. A new memory table re-translates started rings,
 * keeping their indices.
 *
 * One front-end at a time (tap_listen_handler() refuses a second). When it
 * disconnects, or breaks the protocol, or sends RESET_OWNER, everything is
 * undone: rings stopped, eventfds closed, memory unmapped, offloads off,
 * TCP connections reset (by tap.c, on our return); the next qemu starts
 * from scratch.
 */

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <linux/if_tun.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>

#include "log.h"
#include "packet.h"
#include "ctx.h"
#include "tap_buf.h"
#include "tap_vu.h"
#include "util.h"
#include "vhost_user.h"
#include "virtqueue.h"
#include "vu_mem.h"

#define VU_VERSION		0x1	/* Flags: protocol version */
#define VU_FLAG_REPLY		(1U << 2)
#define VU_FLAG_NEED_REPLY	(1U << 3)
#define VU_FDS_MAX		VU_MEM_REGIONS_MAX
#define VU_WAIT_MS		100	/* For the rest of a cut message */
#define VU_VRING_NOFD		(1ULL << 8)	/* KICK/CALL/ERR: no fd */
#define VU_VRING_IDX_MASK	0xffULL

#define VU_F_PROTOCOL_FEATURES	30	/* Feature bit: protocol features */
#define VU_PROTOCOL_F_REPLY_ACK	3

/* Features we offer, by bit number */
#define VU_FEATURES							\
	((1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_NET_F_MRG_RXBUF) |\
	 (1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |\
	 (1ULL << VIRTIO_NET_F_HOST_TSO4) |				\
	 (1ULL << VIRTIO_NET_F_HOST_TSO6) |				\
	 (1ULL << VIRTIO_NET_F_GUEST_TSO4) |				\
	 (1ULL << VIRTIO_NET_F_GUEST_TSO6) |				\
	 (1ULL << VIRTIO_RING_F_EVENT_IDX) |				\
	 (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |			\
	 (1ULL << VU_F_PROTOCOL_FEATURES))
#define VU_PROTOCOL_FEATURES	(1ULL << VU_PROTOCOL_F_REPLY_ACK)

/**
 * enum vu_request - Front-end requests we know
 * @VU_GET_FEATURES:		Offered virtio features
 * @VU_SET_FEATURES:		Accepted virtio features
 * @VU_SET_OWNER:		Session starts
 * @VU_RESET_OWNER:		Session reset
 * @VU_SET_MEM_TABLE:		Guest memory regions, with descriptors
 * @VU_SET_LOG_BASE:		Dirty log (not offered)
 * @VU_SET_LOG_FD:		Dirty log (not offered)
 * @VU_SET_VRING_NUM:		Queue size
 * @VU_SET_VRING_ADDR:		Ring addresses
 * @VU_SET_VRING_BASE:		First available index
 * @VU_GET_VRING_BASE:		Stop a queue, tell its next index
 * @VU_SET_VRING_KICK:		Kick eventfd: starts the queue
 * @VU_SET_VRING_CALL:		Call eventfd
 * @VU_SET_VRING_ERR:		Error eventfd
 * @VU_GET_PROTOCOL_FEATURES:	Offered protocol features
 * @VU_SET_PROTOCOL_FEATURES:	Accepted protocol features
 * @VU_GET_QUEUE_NUM:		Queue pairs
 * @VU_SET_VRING_ENABLE:	Enable or disable a queue
 * @VU_REQUEST_MAX:		Names known below this
 */
enum vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
	VU_SET_LOG_BASE = 6,
	VU_SET_LOG_FD = 7,
	VU_SET_VRING_NUM = 8,
	VU_SET_VRING_ADDR = 9,
	VU_SET_VRING_BASE = 10,
	VU_GET_VRING_BASE = 11,
	VU_SET_VRING_KICK = 12,
	VU_SET_VRING_CALL = 13,
	VU_SET_VRING_ERR = 14,
	VU_GET_PROTOCOL_FEATURES = 15,
	VU_SET_PROTOCOL_FEATURES = 16,
	VU_GET_QUEUE_NUM = 17,
	VU_SET_VRING_ENABLE = 18,
	VU_REQUEST_MAX,
};

static const char *const vu_request_name[VU_REQUEST_MAX] = {
	"NONE", "GET_FEATURES", "SET_FEATURES", "SET_OWNER", "RESET_OWNER",
	"SET_MEM_TABLE", "SET_LOG_BASE", "SET_LOG_FD", "SET_VRING_NUM",
	"SET_VRING_ADDR", "SET_VRING_BASE", "GET_VRING_BASE",
	"SET_VRING_KICK", "SET_VRING_CALL", "SET_VRING_ERR",
	"GET_PROTOCOL_FEATURES", "SET_PROTOCOL_FEATURES", "GET_QUEUE_NUM",
	"SET_VRING_ENABLE",
};

/**
 * struct vu_hdr - Message header
 * @request:	enum vu_request
 * @flags:	VU_VERSION, VU_FLAG_*
 * @size:	Payload bytes that follow
 */
struct vu_hdr {
	uint32_t request;
	uint32_t flags;
	uint32_t size;
};

/**
 * struct vu_state - Payload: a queue index and a number
 * @index:	Queue index
 * @num:	Size, base or enable, by request
 */
struct vu_state {
	uint32_t index;
	uint32_t num;
};

/**
 * struct vu_addr - Payload of SET_VRING_ADDR
 * @index:	Queue index
 * @flags:	Logging flag (ignored: no dirty log)
 * @desc:	Front-end address of the descriptor table
 * @used:	Front-end address of the used ring
 * @avail:	Front-end address of the available ring
 * @log:	Dirty log address (ignored)
 */
struct vu_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc;
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};

/**
 * struct vu_region_msg - One memory region in SET_MEM_TABLE
 * @gpa:	Guest physical address
 * @size:	Length, bytes
 * @uva:	Front-end virtual address
 * @offset:	Offset of the region in its descriptor's file
 */
struct vu_region_msg {
	uint64_t gpa;
	uint64_t size;
	uint64_t uva;
	uint64_t offset;
};

/**
 * struct vu_mem_msg - Payload of SET_MEM_TABLE
 * @nregions:	Regions that follow, as many descriptors attached
 * @padding:	Unused
 * @r:		Regions
 */
struct vu_mem_msg {
	uint32_t nregions;
	uint32_t padding;
	struct vu_region_msg r[VU_MEM_REGIONS_MAX];
};

/**
 * union vu_payload - Every payload we take
 * @u64:	Features, queue index with flags, status
 * @state:	Queue index and number
 * @addr:	Ring addresses
 * @mem:	Memory table
 */
union vu_payload {
	uint64_t u64;
	struct vu_state state;
	struct vu_addr addr;
	struct vu_mem_msg mem;
};

/**
 * struct vu_msg - A message being handled
 * @hdr:	Header
 * @p:		Payload, zero-filled past @hdr.size
 * @fds:	Descriptors received; handlers set those they keep to -1
 * @fd_cnt:	Descriptors received
 * @reply_size:	Bytes of @p to send back as the reply, 0 for none
 */
struct vu_msg {
	struct vu_hdr hdr;
	union vu_payload p;
	int fds[VU_FDS_MAX];
	size_t fd_cnt;
	size_t reply_size;
};

/* The session: one front-end at a time, cleared by vu_dev_reset() */
struct vu_dev vu_dev;

/**
 * struct vu_stats_name - Name of one vhost-user counter, as --stats prints it
 * @name:	Counter name: vu_<queue>_drop_<reason> for drops
 * @v:		The counter
 */
struct vu_stats_name {
	const char *name;
	const unsigned long long *v;
};

/* Every vhost-user counter: --stats prints one "name value" line each. Ring
 * refusals (struct vq_drops) per queue; frames too large for the guest's
 * buffers; receive chains without room for the header; times the receive
 * queue was full (its frames are counted in tap_drop_out); frames from the
 * guest of a bad length (counted again in tap_drop_short or tap_drop_long);
 * frames from the guest read in place, or copied
 */
static const struct vu_stats_name vu_stats_names[] = {
	{ "vu_rx_drop_idx",
	  &vu_dev.q[VU_RX].vq.drops.idx },
	{ "vu_rx_drop_head",
	  &vu_dev.q[VU_RX].vq.drops.head },
	{ "vu_rx_drop_next",
	  &vu_dev.q[VU_RX].vq.drops.next },
	{ "vu_rx_drop_loop",
	  &vu_dev.q[VU_RX].vq.drops.loop },
	{ "vu_rx_drop_table",
	  &vu_dev.q[VU_RX].vq.drops.table },
	{ "vu_rx_drop_overlap",
	  &vu_dev.q[VU_RX].vq.drops.overlap },
	{ "vu_rx_drop_chain_long",
	  &vu_dev.q[VU_RX].vq.drops.chain_long },
	{ "vu_rx_drop_len",
	  &vu_dev.q[VU_RX].vq.drops.len },
	{ "vu_rx_drop_indirect",
	  &vu_dev.q[VU_RX].vq.drops.indirect },
	{ "vu_rx_drop_order",
	  &vu_dev.q[VU_RX].vq.drops.order },
	{ "vu_tx_drop_idx",
	  &vu_dev.q[VU_TX].vq.drops.idx },
	{ "vu_tx_drop_head",
	  &vu_dev.q[VU_TX].vq.drops.head },
	{ "vu_tx_drop_next",
	  &vu_dev.q[VU_TX].vq.drops.next },
	{ "vu_tx_drop_loop",
	  &vu_dev.q[VU_TX].vq.drops.loop },
	{ "vu_tx_drop_table",
	  &vu_dev.q[VU_TX].vq.drops.table },
	{ "vu_tx_drop_overlap",
	  &vu_dev.q[VU_TX].vq.drops.overlap },
	{ "vu_tx_drop_chain_long",
	  &vu_dev.q[VU_TX].vq.drops.chain_long },
	{ "vu_tx_drop_len",
	  &vu_dev.q[VU_TX].vq.drops.len },
	{ "vu_tx_drop_indirect",
	  &vu_dev.q[VU_TX].vq.drops.indirect },
	{ "vu_tx_drop_order",
	  &vu_dev.q[VU_TX].vq.drops.order },
	{ "vu_rx_drop_big",	&vu_dev.drop_rx_big },
	{ "vu_rx_drop_short",	&vu_dev.drop_rx_short },
	{ "vu_rx_full",		&vu_dev.drop_rx },
	{ "vu_tx_bad_len",	&vu_dev.drop_tx },
	{ "vu_tx_inplace",	&vu_dev.tx_inplace },
	{ "vu_tx_copied",	&vu_dev.tx_copied },
};

static_assert(ARRAY_SIZE(vu_stats_names) ==
	      VU_QUEUES * sizeof(struct vq_drops) /
	      sizeof(unsigned long long) + 6,
	      "Every vhost-user counter must have a name");

/**
 * vhost_user_init() - Mark every session descriptor as absent (set-up)
 */
void vhost_user_init(void)
{
	size_t i;

	memset(&vu_dev, 0, sizeof(vu_dev));
	for (i = 0; i < VU_QUEUES; i++)
		vu_dev.q[i].kick_fd = vu_dev.q[i].call_fd =
			vu_dev.q[i].err_fd = -1;
}

/**
 * vhost_user_ready() - Can frames move through a queue?
 * @q:		Queue
 *
 * Return: true if started, enabled and its ring is usable
 */
bool vhost_user_ready(const struct vu_queue *q)
{
	return q->started && q->enabled && q->vq.num && !q->vq.broken;
}

/**
 * vu_fd_close() - Close a descriptor if open, mark it closed
 * @fd:		Descriptor (updated to -1)
 *
 * #syscalls:passt close
 */
static void vu_fd_close(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/**
 * vu_queue_stop() - Stop a queue: its kick leaves the loop
 * @c:		Execution context
 * @q:		Queue
 */
static void vu_queue_stop(const struct ctx *c, struct vu_queue *q)
{
	if (q->kick_fd >= 0)
		epoll_del(c, q->kick_fd);
	vu_fd_close(&q->kick_fd);
	q->started = false;
	q->vq.num = 0;
}

/**
 * vu_mem_unmap() - Unmap every region of the memory table
 *
 * #syscalls:passt munmap
 */
static void vu_mem_unmap(void)
{
	size_t i;

	for (i = 0; i < vu_dev.mem.count; i++) {
		struct vu_mem_region *r = &vu_dev.mem.r[i];

		if (r->map_base)
			munmap(r->map_base, r->map_len);
	}
	memset(&vu_dev.mem, 0, sizeof(vu_dev.mem));
}

/**
 * vu_dev_reset() - Undo a session: rings, eventfds, memory, offloads, RX
 * @c:		Execution context
 */
static void vu_dev_reset(struct ctx *c)
{
	size_t i;

	for (i = 0; i < VU_QUEUES; i++) {
		struct vu_queue *q = &vu_dev.q[i];
		struct vq_drops drops = q->vq.drops;	/* Counters stay */

		vu_queue_stop(c, q);
		vu_fd_close(&q->call_fd);
		vu_fd_close(&q->err_fd);
		memset(q, 0, sizeof(*q));
		q->kick_fd = q->call_fd = q->err_fd = -1;
		q->vq.drops = drops;
	}
	vu_mem_unmap();
	vu_dev.features = vu_dev.protocol = 0;
	vu_dev.hdr_len = 0;
	tap_vu_rx_reset();
	c->vnet_hdr = false;
	c->tap_offloads = 0;
}

/**
 * vu_disconnect() - The front-end left or broke the protocol: start over
 * @c:		Execution context
 *
 * TCP connections are reset by the caller of vhost_user_handler() (tap.c):
 * this file is below the protocols and doesn't call them.
 *
 * #syscalls:passt exit_group
 */
static void vu_disconnect(struct ctx *c)
{
	info("vhost-user front-end disconnected%s",
	     c->one_off ? ", exiting" : "");
	if (c->one_off)
		_exit(EXIT_SUCCESS);
	vu_dev_reset(c);
	epoll_del(c, c->fd_tap);
	vu_fd_close(&c->fd_tap);
	pool_flush(&pool_l2);
}

/**
 * vhost_user_accept() - Take a newly connected front-end
 * @c:		Execution context
 * @fd:		Connected socket
 */
void vhost_user_accept(struct ctx *c, int fd)
{
	vu_dev_reset(c);
	c->fd_tap = fd;
	if (epoll_add(c, fd, EPOLLIN | EPOLLRDHUP,
		      epoll_ref_make(EPOLL_TYPE_VHOST_CMD, fd, 0))) {
		warn("Can't add vhost-user socket to epoll");
		vu_fd_close(&c->fd_tap);
	}
}

/**
 * vu_queue_get() - Queue named by an index from a message
 * @index:	Index
 *
 * Return: queue, NULL if out of range (logged)
 */
static struct vu_queue *vu_queue_get(uint64_t index)
{
	if (index >= VU_QUEUES) {
		warn_ratelimit("vhost-user: queue %llu out of range",
			       (unsigned long long)index);
		return NULL;
	}
	return &vu_dev.q[index];
}

/**
 * vu_queue_start() - Translate and check a queue's ring, keep its indices
 * @q:		Queue with size and addresses
 * @keep:	Keep the ring's indices (new memory table), else start at base
 *
 * Return: true if the ring is usable
 */
static bool vu_queue_start(struct vu_queue *q, bool keep)
{
	uint16_t last = q->vq.last_avail, used = q->vq.used_idx;

	if (!q->addr_set || !vq_setup(&q->vq, &vu_dev.mem, q->num, q->desc,
				      q->avail, q->used)) {
		warn("vhost-user: ring addresses refused (size %u)", q->num);
		return false;
	}
	q->vq.last_avail = keep ? last : q->base;
	q->vq.used_idx = keep ? used : q->base;
	return true;
}

/**
 * vu_features_apply() - Use the features the front-end accepted
 * @c:		Execution context
 * @features:	Accepted features
 */
static void vu_features_apply(struct ctx *c, uint64_t features)
{
	bool csum = features & (1ULL << VIRTIO_NET_F_GUEST_CSUM);
	size_t i;

	vu_dev.features = features & VU_FEATURES;
	if (features & ((1ULL << VIRTIO_F_VERSION_1) |
			(1ULL << VIRTIO_NET_F_MRG_RXBUF)))
		vu_dev.hdr_len = sizeof(struct virtio_net_hdr_mrg_rxbuf);
	else
		vu_dev.hdr_len = sizeof(struct virtio_net_hdr);
	for (i = 0; i < VU_QUEUES; i++) {
		vu_dev.q[i].vq.event_idx =
			features & (1ULL << VIRTIO_RING_F_EVENT_IDX);
		vu_dev.q[i].vq.indirect =
			features & (1ULL << VIRTIO_RING_F_INDIRECT_DESC);
	}
	c->vnet_hdr = csum;
	c->tap_offloads = csum ? TUN_F_CSUM : 0;
	if (csum && (features & (1ULL << VIRTIO_NET_F_GUEST_TSO4)))
		c->tap_offloads |= TUN_F_TSO4;
	if (csum && (features & (1ULL << VIRTIO_NET_F_GUEST_TSO6)))
		c->tap_offloads |= TUN_F_TSO6;
	debug("vhost-user: features 0x%llx, header %zu bytes, offloads 0x%x",
	      (unsigned long long)vu_dev.features, vu_dev.hdr_len,
	      c->tap_offloads);
}

/**
 * vu_region_map() - Map one region of a new memory table
 * @r:		Region from the message
 * @fd:		Its descriptor (closed by the caller)
 *
 * Return: true if mapped and recorded
 *
 * #syscalls:passt mmap|mmap2 munmap
 */
static bool vu_region_map(const struct vu_region_msg *r, int fd)
{
	size_t len;
	void *base;

	if (!r->size || r->offset > SIZE_MAX - r->size)
		return false;
	len = (size_t)(r->offset + r->size);
	base = mmap(NULL, len, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (base == MAP_FAILED) {
		warn_perror("vhost-user: can't map guest memory");
		return false;
	}
	if (!vu_mem_add(&vu_dev.mem, r->gpa, r->uva, r->size,
			(char *)base + r->offset)) {
		munmap(base, len);
		return false;
	}
	vu_dev.mem.r[vu_dev.mem.count - 1].map_base = base;
	vu_dev.mem.r[vu_dev.mem.count - 1].map_len = len;
	return true;
}

/**
 * vu_set_mem_table() - Replace the memory table, re-translate rings
 * @m:		Message
 *
 * Return: true on success; on failure no memory is mapped
 */
static bool vu_set_mem_table(struct vu_msg *m)
{
	const struct vu_mem_msg *mm = &m->p.mem;
	size_t i, n = mm->nregions;

	if (n > VU_MEM_REGIONS_MAX || n != m->fd_cnt ||
	    m->hdr.size < offsetof(struct vu_mem_msg, r) + n * sizeof(mm->r[0]))
		return false;
	vu_mem_unmap();
	for (i = 0; i < n; i++) {
		if (!vu_region_map(&mm->r[i], m->fds[i])) {
			vu_mem_unmap();
			break;
		}
		debug("vhost-user: region %zu: guest 0x%llx, %llu bytes", i,
		      (unsigned long long)mm->r[i].gpa,
		      (unsigned long long)mm->r[i].size);
	}
	/* Started rings point into the old mappings: translate again */
	for (i = 0; i < VU_QUEUES; i++) {
		struct vu_queue *q = &vu_dev.q[i];

		if (q->started && !vu_queue_start(q, true))
			q->started = false;
	}
	return vu_dev.mem.count == n;
}

/**
 * vu_vring_fd() - SET_VRING_KICK, _CALL or _ERR: take a queue's eventfd
 * @m:		Message: queue index, VU_VRING_NOFD, descriptor
 *
 * Return: the queue, NULL if refused
 */
static struct vu_queue *vu_vring_fd(struct vu_msg *m)
{
	struct vu_queue *q = vu_queue_get(m->p.u64 & VU_VRING_IDX_MASK);
	int *slot;

	if (!q)
		return NULL;
	if (m->hdr.request == VU_SET_VRING_KICK)
		slot = &q->kick_fd;
	else if (m->hdr.request == VU_SET_VRING_CALL)
		slot = &q->call_fd;
	else
		slot = &q->err_fd;
	vu_fd_close(slot);
	if (m->p.u64 & VU_VRING_NOFD)
		return q;
	if (m->fd_cnt != 1)
		return NULL;
	*slot = m->fds[0];
	m->fds[0] = -1;
	return q;
}

/**
 * vu_set_vring_kick() - Take a kick eventfd and start the queue
 * @c:		Execution context
 * @m:		Message
 *
 * Return: true if started
 *
 * #syscalls:passt write
 */
static bool vu_set_vring_kick(struct ctx *c, struct vu_msg *m)
{
	struct vu_queue *q = vu_queue_get(m->p.u64 & VU_VRING_IDX_MASK);
	const uint64_t one = 1;

	if (q && q->kick_fd >= 0)
		epoll_del(c, q->kick_fd);
	q = vu_vring_fd(m);
	if (!q || q->kick_fd < 0 || q->kick_fd > FD_REF_MAX)
		return false;
	if (epoll_add(c, q->kick_fd, EPOLLIN,
		      epoll_ref_make(EPOLL_TYPE_VHOST_KICK, q->kick_fd,
				     (uint32_t)(q - vu_dev.q))))
		return false;
	if (!(vu_dev.features & (1ULL << VU_F_PROTOCOL_FEATURES)))
		q->enabled = true;
	q->started = vu_queue_start(q, false);
	/* Whatever the driver queued before we started: look at it now */
	if (q->started && write(q->kick_fd, &one, sizeof(one)) < 0)
		debug_perror("vhost-user: self-kick");
	return q->started;
}

/**
 * vu_get_vring_base() - Stop a queue, reply with its next available index
 * @c:		Execution context
 * @m:		Message (reply set up)
 *
 * Return: true if the index was valid
 */
static bool vu_get_vring_base(const struct ctx *c, struct vu_msg *m)
{
	struct vu_queue *q = vu_queue_get(m->p.state.index);

	m->reply_size = sizeof(m->p.state);
	if (!q)
		return false;
	m->p.state.num = q->started ? q->vq.last_avail : q->base;
	vu_queue_stop(c, q);
	q->enabled = false;
	return true;
}

/**
 * vu_set_vring() - SET_VRING_NUM, _ADDR, _BASE, _ENABLE
 * @m:		Message
 *
 * Return: true if taken
 */
static bool vu_set_vring(const struct vu_msg *m)
{
	const struct vu_addr *a = &m->p.addr;
	uint32_t num = m->p.state.num;
	struct vu_queue *q;

	q = vu_queue_get(m->hdr.request == VU_SET_VRING_ADDR ? a->index :
							       m->p.state.index);
	if (!q)
		return false;
	switch (m->hdr.request) {
	case VU_SET_VRING_NUM:
		if (!num || num > VQ_SIZE_MAX || (num & (num - 1)))
			return false;
		q->num = (uint16_t)num;
		return true;
	case VU_SET_VRING_ADDR:
		q->desc = a->desc;
		q->avail = a->avail;
		q->used = a->used;
		q->addr_set = true;
		return true;
	case VU_SET_VRING_BASE:
		if (num > UINT16_MAX)
			return false;
		q->base = (uint16_t)num;
		return true;
	default:	/* VU_SET_VRING_ENABLE */
		q->enabled = !!num;
		return true;
	}
}

/**
 * vu_size_ok() - Is a request's payload as long as its request needs?
 * @m:		Message
 *
 * Return: true if the payload covers what the request reads; the memory
 *	   table's regions are checked against their count later
 */
static bool vu_size_ok(const struct vu_msg *m)
{
	switch (m->hdr.request) {
	case VU_SET_FEATURES:
	case VU_SET_PROTOCOL_FEATURES:
	case VU_SET_VRING_KICK:
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
		return m->hdr.size == sizeof(m->p.u64);
	case VU_SET_VRING_NUM:
	case VU_SET_VRING_BASE:
	case VU_GET_VRING_BASE:
	case VU_SET_VRING_ENABLE:
		return m->hdr.size == sizeof(m->p.state);
	case VU_SET_VRING_ADDR:
		return m->hdr.size == sizeof(m->p.addr);
	case VU_SET_MEM_TABLE:
		return m->hdr.size >= offsetof(struct vu_mem_msg, r);
	default:
		return true;
	}
}

/**
 * vu_handle() - Act on one request, set up its reply
 * @c:		Execution context
 * @m:		Message (reply fields updated)
 *
 * Return: true if the request was taken
 */
static bool vu_handle(struct ctx *c, struct vu_msg *m)
{
	switch (m->hdr.request) {
	case VU_GET_FEATURES:
		m->p.u64 = VU_FEATURES;
		m->reply_size = sizeof(m->p.u64);
		return true;
	case VU_SET_FEATURES:
		vu_features_apply(c, m->p.u64);
		return !(m->p.u64 & ~VU_FEATURES);
	case VU_GET_PROTOCOL_FEATURES:
		m->p.u64 = VU_PROTOCOL_FEATURES;
		m->reply_size = sizeof(m->p.u64);
		return true;
	case VU_SET_PROTOCOL_FEATURES:
		vu_dev.protocol = m->p.u64 & VU_PROTOCOL_FEATURES;
		return true;
	case VU_GET_QUEUE_NUM:
		m->p.u64 = VU_QUEUES / 2;
		m->reply_size = sizeof(m->p.u64);
		return true;
	case VU_SET_OWNER:
		return true;
	case VU_RESET_OWNER:
		vu_dev_reset(c);
		return true;
	case VU_SET_MEM_TABLE:
		return vu_set_mem_table(m);
	case VU_SET_VRING_NUM:
	case VU_SET_VRING_ADDR:
	case VU_SET_VRING_BASE:
	case VU_SET_VRING_ENABLE:
		return vu_set_vring(m);
	case VU_GET_VRING_BASE:
		return vu_get_vring_base(c, m);
	case VU_SET_VRING_KICK:
		return vu_set_vring_kick(c, m);
	case VU_SET_VRING_CALL:
	case VU_SET_VRING_ERR:
		return vu_vring_fd(m);
	default:
		debug("vhost-user: request %u not supported",
		      m->hdr.request);
		return false;
	}
}

/**
 * vu_wait_in() - Wait, bounded, for the rest of a message
 * @fd:		Socket
 *
 * Return: true if readable within VU_WAIT_MS
 *
 * #syscalls:passt ppoll
 */
static bool vu_wait_in(int fd)
{
	const struct timespec t = { VU_WAIT_MS / 1000,
				    (VU_WAIT_MS % 1000) * 1000000L };
	struct pollfd pfd = { fd, POLLIN, 0 };

	return ppoll(&pfd, 1, &t, NULL) > 0;
}

/**
 * vu_recv_rest() - Read the remaining bytes of a message
 * @fd:		Socket
 * @buf:	Where they go
 * @len:	How many, bytes
 *
 * Return: true if all arrived, false on error, EOF or timeout
 *
 * #syscalls:passt recvfrom
 */
static bool vu_recv_rest(int fd, char *buf, size_t len)
{
	while (len) {
		ssize_t n = recv(fd, buf, len, MSG_DONTWAIT);

		if (n > 0) {
			buf += n;
			len -= (size_t)n;
			continue;
		}
		if (!n || (errno != EAGAIN && errno != EINTR))
			return false;
		if (errno == EAGAIN && !vu_wait_in(fd))
			return false;
	}
	return true;
}

/**
 * vu_fds_take() - Copy descriptors received with a message
 * @mh:		Message header from recvmsg()
 * @m:		Message: @fds and @fd_cnt set
 *
 * Return: false if descriptors were cut (more than VU_FDS_MAX)
 */
static bool vu_fds_take(struct msghdr *mh, struct vu_msg *m)
{
	struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		size_t n;

		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (n > VU_FDS_MAX - m->fd_cnt)
			n = VU_FDS_MAX - m->fd_cnt;
		memcpy(m->fds + m->fd_cnt, CMSG_DATA(cm), n * sizeof(int));
		m->fd_cnt += n;
	}
	return !(mh->msg_flags & MSG_CTRUNC);
}

/**
 * vu_recv() - Read one message with its descriptors
 * @fd:		Socket
 * @m:		Message (output)
 *
 * Return: 1 if read, 0 if nothing to read, -1 if the session must end
 *
 * #syscalls:passt recvmsg
 */
static int vu_recv(int fd, struct vu_msg *m)
{
	char cbuf[CMSG_SPACE(VU_FDS_MAX * sizeof(int))]
		__attribute__((aligned(8)));
	struct iovec iov = { &m->hdr, sizeof(m->hdr) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	ssize_t n;

	memset(m, 0, sizeof(*m));
	n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	if (!vu_fds_take(&mh, m))
		return -1;
	if ((size_t)n < sizeof(m->hdr) &&
	    !vu_recv_rest(fd, (char *)&m->hdr + n, sizeof(m->hdr) - (size_t)n))
		return -1;
	if (m->hdr.size > sizeof(m->p)) {
		warn("vhost-user: %u bytes of payload, too large",
		     m->hdr.size);
		return -1;
	}
	return vu_recv_rest(fd, (char *)&m->p, m->hdr.size) ? 1 : -1;
}

/**
 * vu_reply() - Send the reply of a request
 * @fd:		Socket
 * @m:		Message, with @reply_size bytes of payload to send
 *
 * Return: true if sent whole
 *
 * #syscalls:passt sendmsg
 */
static bool vu_reply(int fd, const struct vu_msg *m)
{
	struct vu_hdr h = { m->hdr.request, VU_VERSION | VU_FLAG_REPLY,
			    (uint32_t)m->reply_size };
	struct iovec iov[2] = { { &h, sizeof(h) },
				{ (void *)&m->p, m->reply_size } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };

	return sendmsg(fd, &mh, MSG_NOSIGNAL) ==
	       (ssize_t)(sizeof(h) + m->reply_size);
}

/**
 * vu_name() - Name of a request, for logs
 * @request:	Request number
 *
 * Return: name, or "unknown"
 */
static const char *vu_name(uint32_t request)
{
	return request < VU_REQUEST_MAX ? vu_request_name[request] : "unknown";
}

/**
 * vu_one() - Handle one message: act, reply, close unused descriptors
 * @c:		Execution context
 * @m:		Message
 *
 * Return: false if the session must end
 */
static bool vu_one(struct ctx *c, struct vu_msg *m)
{
	bool ok, ack = (m->hdr.flags & VU_FLAG_NEED_REPLY) &&
		       (vu_dev.protocol & (1ULL << VU_PROTOCOL_F_REPLY_ACK));
	size_t i;

	if ((m->hdr.flags & 0x3) != VU_VERSION) {
		warn("vhost-user: protocol version %u", m->hdr.flags & 0x3);
		return false;
	}
	if (!vu_size_ok(m)) {
		warn("vhost-user: %s with %u bytes of payload",
		     vu_name(m->hdr.request), m->hdr.size);
		return false;
	}
	ok = vu_handle(c, m);
	trace("vhost-user: %s (%u)%s", vu_name(m->hdr.request),
	      m->hdr.request, ok ? "" : ": failed");
	if (!ok)
		debug("vhost-user: %s refused", vu_name(m->hdr.request));
	for (i = 0; i < m->fd_cnt; i++)
		vu_fd_close(&m->fds[i]);
	if (!m->reply_size && ack) {
		m->p.u64 = ok ? 0 : 1;
		m->reply_size = sizeof(m->p.u64);
	}
	if (m->reply_size && !vu_reply(c->fd_tap, m))
		return false;
	return true;
}

/**
 * vhost_user_handler() - Messages from the front-end, or its departure
 * @c:		Execution context
 * @events:	epoll events
 *
 * Return: true if the front-end left and the session was reset: the caller
 *	   resets what the guest had open (TCP connections)
 */
bool vhost_user_handler(struct ctx *c, uint32_t events)
{
	struct vu_msg m;
	int rounds;

	for (rounds = 0; rounds < 64 && c->fd_tap >= 0; rounds++) {
		int r = vu_recv(c->fd_tap, &m);

		if (!r)
			break;
		if (r < 0 || !vu_one(c, &m)) {
			size_t i;

			for (i = 0; i < m.fd_cnt; i++)
				vu_fd_close(&m.fds[i]);
			vu_disconnect(c);
			return true;
		}
	}
	if (c->fd_tap >= 0 && (events & (EPOLLHUP | EPOLLERR | EPOLLRDHUP)) &&
	    !rounds) {
		vu_disconnect(c);
		return true;
	}
	return false;
}

/**
 * vhost_user_stats_print() - Print ring drop counters, for --stats
 */
void vhost_user_stats_print(void)
{
	size_t i;

	for (i = 0; i < VU_QUEUES; i++) {
		const struct vq_drops *d = &vu_dev.q[i].vq.drops;

		info("vhost-user %s: drops: index %llu head %llu next %llu "
		     "loop %llu table %llu overlap %llu long %llu length %llu "
		     "indirect %llu order %llu", i == VU_RX ? "RX" : "TX",
		     d->idx, d->head, d->next, d->loop, d->table, d->overlap,
		     d->chain_long, d->len, d->indirect, d->order);
	}
	info("vhost-user: frames dropped: to guest %llu, from guest %llu, "
	     "too large for the guest's buffers %llu",
	     vu_dev.drop_rx, vu_dev.drop_tx, vu_dev.drop_rx_big);
	info("vhost-user: frames from guest: payload in place %llu, "
	     "copied %llu", vu_dev.tx_inplace, vu_dev.tx_copied);
}

/**
 * vhost_user_stats_names() - Print one "name value" line per counter
 */
void vhost_user_stats_names(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(vu_stats_names); i++)
		info("%s %llu", vu_stats_names[i].name, *vu_stats_names[i].v);
}
