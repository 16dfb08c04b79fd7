// SPDX-License-Identifier: GPL-2.0-or-later
/* vu_backend.c - Minimal vhost-user back-end bridging to a tap: vu_client's peer
 *
 * Usage: vu_backend [--features MASK] SOCK IFNAME
 *
 *   Listens on the UNIX socket SOCK, serves one vhost-user front-end (the
 *   requests vu_client.c sends, as qemu does) and bridges its virtqueues
 *   to a tap device IFNAME with a virtio-net header in the current network
 *   namespace: frames the front-end puts on its TX queue (1) are written to
 *   the tap, frames read from the tap go into RX buffers (queue 0), merged
 *   when MRG_RXBUF was negotiated. Two namespaces joined this way form a
 *   plain Ethernet link, so vu_client can be proven (TCP with sha256, TSO
 *   both ways) without the daemon. It trusts the front-end: a test peer,
 *   not a model of the daemon's checks.
 *
 *   Offered features: MASK, by default VERSION_1, CSUM, GUEST_CSUM,
 *   HOST_TSO4/6, GUEST_TSO4/6, MRG_RXBUF, EVENT_IDX, INDIRECT_DESC,
 *   PROTOCOL_FEATURES;
 *   protocol features MQ and REPLY_ACK.
 *
 * Exit status 0 when the front-end closed the socket, 1 on errors, 2 on
 * usage.
 */

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#define VB_REGIONS_MAX		8
#define VB_IOV_MAX		1024
#define VB_FRAME_MAX		(65535 + 14 + 4)
#define VB_HDR_LEN		12
#define VB_PAYLOAD_MAX		(8 + VB_REGIONS_MAX * 32)
#define VB_FLAG_REPLY		(1U << 2)
#define VB_FLAG_NEED_REPLY	(1U << 3)
#define VB_F_PROTOCOL_FEATURES	30

/**
 * struct vb_region - A mapped memory region
 * @gpa:	Guest-physical address
 * @size:	Size, bytes
 * @uaddr:	Front-end virtual address
 * @map:	Our mapping of the region's start
 */
struct vb_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uaddr;
	uint8_t *map;
};

/**
 * struct vb_queue - Device side of a split virtqueue
 * @num:	Size
 * @desc:	Descriptor table
 * @avail:	Available ring
 * @used:	Used ring
 * @last_avail:	Next available entry to take (free-running)
 * @used_idx:	Next used entry to fill (free-running)
 * @signalled:	Used index at the last call decision
 * @kick:	Kick eventfd, -1 if none yet
 * @call:	Call eventfd, -1 if none
 */
struct vb_queue {
	unsigned num;
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint16_t last_avail;
	uint16_t used_idx;
	uint16_t signalled;
	int kick;
	int call;
};

/**
 * struct vb_state - Back-end state
 * @sock:	Connection
 * @tap:	Tap device
 * @offered:	Features offered
 * @features:	Features set by the front-end
 * @pfeatures:	Protocol features set
 * @nreg:	Regions mapped
 * @reg:	Regions
 * @q:		Queues: 0 RX, 1 TX
 */
static struct vb_state {
	int sock;
	int tap;
	uint64_t offered;
	uint64_t features;
	uint64_t pfeatures;
	unsigned nreg;
	struct vb_region reg[VB_REGIONS_MAX];
	struct vb_queue q[2];
} vb = { .q = { { .kick = -1, .call = -1 }, { .kick = -1, .call = -1 } } };

/**
 * vb_fail() - Print an error and exit with status 1
 * @msg:	Message
 */
static void vb_fail(const char *msg)
{
	fprintf(stderr, "vu_backend: %s\n", msg);
	exit(1);
}

/**
 * vb_ptr() - Translate a guest-physical range to our address
 * @gpa:	Guest-physical address
 * @len:	Length, bytes
 *
 * Return: pointer; exits if the range is in no region
 */
static uint8_t *vb_ptr(uint64_t gpa, uint64_t len)
{
	unsigned i;

	for (i = 0; i < vb.nreg; i++) {
		const struct vb_region *r = &vb.reg[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size &&
		    len <= r->size - (gpa - r->gpa))
			return r->map + (gpa - r->gpa);
	}
	vb_fail("guest address outside the memory table");
	return NULL;
}

/**
 * vb_uptr() - Translate a front-end virtual address to ours
 * @ua:		Front-end virtual address
 *
 * Return: pointer; exits if in no region
 */
static void *vb_uptr(uint64_t ua)
{
	unsigned i;

	for (i = 0; i < vb.nreg; i++) {
		const struct vb_region *r = &vb.reg[i];

		if (ua >= r->uaddr && ua - r->uaddr < r->size)
			return r->map + (ua - r->uaddr);
	}
	vb_fail("ring address outside the memory table");
	return NULL;
}

/**
 * vb_reply() - Send a reply
 * @req:	Request answered
 * @p:		Payload
 * @len:	Payload length, bytes
 */
static void vb_reply(uint32_t req, const void *p, size_t len)
{
	uint8_t buf[12 + 16];
	uint32_t hdr[3] = { req, 1 | VB_FLAG_REPLY, (uint32_t)len };

	memcpy(buf, hdr, sizeof(hdr));
	memcpy(buf + sizeof(hdr), p, len);
	if (send(vb.sock, buf, sizeof(hdr) + len, MSG_NOSIGNAL) !=
	    (ssize_t)(sizeof(hdr) + len))
		vb_fail("reply failed");
}

/**
 * vb_recv() - Receive one message with its descriptors
 * @hdr:	Header (output)
 * @p:		Payload (output)
 * @fds:	Descriptors received (output)
 *
 * Return: number of descriptors, -1 when the front-end closed
 */
static int vb_recv(uint32_t *hdr, uint8_t *p, int *fds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * VB_REGIONS_MAX)];
	struct iovec iov = { hdr, 12 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int nfds = 0;
	ssize_t n;

	n = recvmsg(vb.sock, &mh, MSG_WAITALL | MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return -1;
	if (n != 12 || hdr[2] > VB_PAYLOAD_MAX)
		vb_fail("bad message header");
	for (cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_type != SCM_RIGHTS)
			continue;
		nfds = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		memcpy(fds, CMSG_DATA(cm), (size_t)nfds * sizeof(int));
	}
	if (hdr[2] && recv(vb.sock, p, hdr[2], MSG_WAITALL) != hdr[2])
		vb_fail("truncated payload");
	return nfds;
}

/**
 * vb_mem_table() - Map the regions of SET_MEM_TABLE
 * @p:		Payload
 * @fds:	One descriptor per region
 * @nfds:	Number of descriptors
 */
static void vb_mem_table(const uint8_t *p, const int *fds, int nfds)
{
	uint32_t n;
	unsigned i;

	memcpy(&n, p, sizeof(n));
	if (n > VB_REGIONS_MAX || (int)n != nfds)
		vb_fail("memory table: region and descriptor counts differ");
	for (i = 0; i < n; i++) {
		uint64_t r[4];
		uint8_t *m;

		memcpy(r, p + 8 + i * 32, sizeof(r));
		m = mmap(NULL, r[1] + r[3], PROT_READ | PROT_WRITE,
			 MAP_SHARED, fds[i], 0);
		if (m == MAP_FAILED)
			vb_fail("memory table: mmap failed");
		close(fds[i]);
		vb.reg[i].gpa = r[0];
		vb.reg[i].size = r[1];
		vb.reg[i].uaddr = r[2];
		vb.reg[i].map = m + r[3];
	}
	vb.nreg = n;
}

/**
 * vb_vring() - Handle the per-queue requests
 * @req:	Request
 * @p:		Payload
 * @fd:		Descriptor passed, -1 if none
 *
 * Return: value for GET_VRING_BASE's reply
 */
static uint32_t vb_vring(uint32_t req, const uint8_t *p, int fd)
{
	uint32_t idx, num;
	uint64_t a[4];
	struct vb_queue *q;

	memcpy(&idx, p, sizeof(idx));
	memcpy(&num, p + 4, sizeof(num));
	q = &vb.q[(idx & 0xff) & 1];
	switch (req) {
	case 8: q->num = num; break;
	case 10: q->last_avail = q->used_idx = (uint16_t)num; break;
	case 11: return q->last_avail;
	case 9:
		memcpy(a, p + 8, sizeof(a));
		q->desc = vb_uptr(a[0]);
		q->used = vb_uptr(a[1]);
		q->avail = vb_uptr(a[2]);
		break;
	case 12: q->kick = fd; break;
	case 13: q->call = fd; break;
	default: if (fd >= 0) close(fd);
	}
	return 0;
}

/**
 * vb_message() - Receive and handle one front-end message
 *
 * Return: 0 on success, 1 when the front-end closed
 */
static int vb_message(void)
{
	uint8_t p[VB_PAYLOAD_MAX];
	int fds[VB_REGIONS_MAX];
	uint32_t hdr[3];
	uint64_t v = 0;
	int nfds = vb_recv(hdr, p, fds);

	if (nfds < 0)
		return 1;
	switch (hdr[0]) {
	case 1: v = vb.offered; vb_reply(1, &v, 8); return 0;
	case 15: v = 3 << 0 | 1 << 3; vb_reply(15, &v, 8); return 0;
	case 17: v = 1; vb_reply(17, &v, 8); return 0;
	case 2: memcpy(&vb.features, p, 8); break;
	case 16: memcpy(&vb.pfeatures, p, 8); break;
	case 5: vb_mem_table(p, fds, nfds); break;
	case 11: {
		uint32_t s[2];

		memcpy(s, p, 8);
		s[1] = vb_vring(11, p, -1);
		vb_reply(11, s, 8);
		return 0;
	}
	default:
		if (hdr[0] >= 8 && hdr[0] <= 14)
			vb_vring(hdr[0], p, nfds ? fds[0] : -1);
	}
	if (hdr[1] & VB_FLAG_NEED_REPLY)
		vb_reply(hdr[0], &v, 8);
	return 0;
}

/**
 * vb_event_idx() - Whether EVENT_IDX was negotiated
 *
 * Return: non-zero if so
 */
static int vb_event_idx(void)
{
	return !!(vb.features & (1ULL << VIRTIO_RING_F_EVENT_IDX));
}

/**
 * vb_call() - Publish the used index, call the front-end if it wants it
 * @q:		Queue
 */
static void vb_call(struct vb_queue *q)
{
	uint16_t old = q->signalled, new = q->used_idx;
	uint64_t one = 1;
	int need;

	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&q->used->idx, htole16(new), __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vb_event_idx()) {
		uint16_t ev = le16toh(q->avail->ring[q->num]);

		need = (uint16_t)(new - ev - 1) < (uint16_t)(new - old);
	} else {
		need = !(le16toh(q->avail->flags) & VRING_AVAIL_F_NO_INTERRUPT);
	}
	q->signalled = new;
	if (need && q->call >= 0 && write(q->call, &one, 8) != 8)
		vb_fail("call failed");
}

/**
 * vb_avail() - Available entries not yet taken, re-arming the kick
 * @q:		Queue
 *
 * Return: count
 */
static uint16_t vb_avail(struct vb_queue *q)
{
	uint16_t idx;

	if (vb_event_idx()) {
		uint16_t *ev = (uint16_t *)&q->used->ring[q->num];

		__atomic_store_n(ev, htole16(q->last_avail), __ATOMIC_RELAXED);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	}
	idx = le16toh(__atomic_load_n(&q->avail->idx, __ATOMIC_RELAXED));
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return (uint16_t)(idx - q->last_avail);
}

/**
 * vb_chain() - Map a descriptor chain, direct or indirect, into iovecs
 * @q:		Queue
 * @head:	Head descriptor
 * @iov:	Buffers (output)
 * @max:	Room in @iov
 *
 * Return: number of buffers
 */
static unsigned vb_chain(const struct vb_queue *q, uint16_t head,
			 struct iovec *iov, unsigned max)
{
	const struct vring_desc *table = q->desc;
	unsigned n = 0, size = q->num;
	uint16_t d = head;

	if (le16toh(table[d % size].flags) & VRING_DESC_F_INDIRECT) {
		uint32_t len = le32toh(table[d % size].len);

		table = (const struct vring_desc *)
			vb_ptr(le64toh(table[d % size].addr), len);
		size = len / sizeof(*table);
		d = 0;
		if (!size)
			vb_fail("empty indirect table");
	}
	for (;;) {
		const struct vring_desc *desc = &table[d % size];
		uint32_t len = le32toh(desc->len);

		if (n == max)
			vb_fail("descriptor chain too long");
		iov[n].iov_base = vb_ptr(le64toh(desc->addr), len);
		iov[n++].iov_len = len;
		if (!(le16toh(desc->flags) & VRING_DESC_F_NEXT))
			return n;
		d = le16toh(desc->next);
	}
}

/**
 * vb_used_add() - Fill one used entry, unpublished
 * @q:		Queue
 * @head:	Head descriptor
 * @len:	Bytes written
 */
static void vb_used_add(struct vb_queue *q, uint16_t head, uint32_t len)
{
	struct vring_used_elem *e = &q->used->ring[q->used_idx % q->num];

	e->id = htole32(head);
	e->len = htole32(len);
	q->used_idx++;
}

/**
 * vb_tx() - Write every frame on the TX queue to the tap
 */
static void vb_tx(void)
{
	struct vb_queue *q = &vb.q[1];
	struct iovec iov[VB_IOV_MAX];

	while (vb_avail(q)) {
		uint16_t head = le16toh(q->avail->ring[q->last_avail % q->num]);
		unsigned n = vb_chain(q, head, iov, VB_IOV_MAX);

		if (writev(vb.tap, iov, (int)n) < 0)
			perror("vu_backend: tap write");
		q->last_avail++;
		vb_used_add(q, head, 0);
		vb_call(q);
	}
}

/**
 * vb_rx_take() - Take RX buffers for the largest frame, as iovecs
 * @q:		RX queue
 * @iov:	Buffers (output)
 * @heads:	Head of each buffer's chain (output)
 * @lens:	Bytes each chain holds (output)
 * @nchains:	Chains taken (output)
 *
 * Return: number of iovecs, 0 if not enough buffers are available
 */
static unsigned vb_rx_take(struct vb_queue *q, struct iovec *iov,
			   uint16_t *heads, size_t *lens, unsigned *nchains)
{
	uint16_t avail = vb_avail(q), i;
	size_t total = 0;
	unsigned n = 0;

	for (i = 0; i < avail && total < VB_FRAME_MAX + VB_HDR_LEN; i++) {
		uint16_t head = le16toh(q->avail->ring[(uint16_t)(q->last_avail + i) %
						       q->num]);
		unsigned k, m = vb_chain(q, head, iov + n, VB_IOV_MAX - n);

		heads[i] = head;
		lens[i] = 0;
		for (k = 0; k < m; k++)
			lens[i] += iov[n + k].iov_len;
		total += lens[i];
		n += m;
		if (!(vb.features & (1ULL << VIRTIO_NET_F_MRG_RXBUF))) {
			i++;
			break;
		}
	}
	*nchains = i;
	return i ? n : 0;
}

/**
 * vb_rx() - Move frames from the tap into RX buffers
 */
static void vb_rx(void)
{
	struct vb_queue *q = &vb.q[0];
	struct iovec iov[VB_IOV_MAX];
	uint16_t heads[VB_IOV_MAX];
	size_t lens[VB_IOV_MAX];
	unsigned n, nch, i;
	ssize_t len;

	while ((n = vb_rx_take(q, iov, heads, lens, &nch))) {
		struct virtio_net_hdr_mrg_rxbuf *h = iov[0].iov_base;
		size_t left;

		len = readv(vb.tap, iov, (int)n);
		if (len <= 0)
			break;
		left = (size_t)len;
		for (i = 0; i < nch && left; i++) {
			size_t l = left < lens[i] ? left : lens[i];

			vb_used_add(q, heads[i], (uint32_t)l);
			left -= l;
		}
		h->num_buffers = htole16((uint16_t)i);
		q->last_avail = (uint16_t)(q->last_avail + i);
		vb_call(q);
	}
}

/**
 * vb_setup() - Listen, accept one front-end, open the tap
 * @path:	Socket path
 * @ifname:	Tap name
 *
 * Return: 0 on success, -1 on errors
 */
static int vb_setup(const char *path, const char *ifname)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int hdr = VB_HDR_LEN;
	struct ifreq ifr;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l, 1))
		return -1;
	vb.tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (vb.tap < 0 || ioctl(vb.tap, TUNSETIFF, &ifr) ||
	    ioctl(vb.tap, TUNSETVNETHDRSZ, &hdr))
		return -1;
	vb.sock = accept4(l, NULL, NULL, SOCK_CLOEXEC);
	close(l);
	return vb.sock < 0 ? -1 : 0;
}

/**
 * vb_offload() - Tap offloads once features are known: what the front-end
 * accepts on its RX queue (GUEST_*) may come from the tap whole
 */
static void vb_offload(void)
{
	unsigned long off = 0;

	if (vb.features & (1ULL << VIRTIO_NET_F_GUEST_CSUM)) {
		off = TUN_F_CSUM;
		if (vb.features & (1ULL << VIRTIO_NET_F_GUEST_TSO4))
			off |= TUN_F_TSO4;
		if (vb.features & (1ULL << VIRTIO_NET_F_GUEST_TSO6))
			off |= TUN_F_TSO6;
	}
	if (ioctl(vb.tap, TUNSETOFFLOAD, off))
		vb_fail("TUNSETOFFLOAD failed");
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	[--features MASK] SOCK IFNAME
 *
 * Return: 0 when the front-end closed, 1 on errors, 2 on usage
 */
int main(int argc, char **argv)
{
	int a = 1, offl = 0;

	vb.offered = (1ULL << VIRTIO_F_VERSION_1) | (1ULL << VIRTIO_NET_F_CSUM) |
		     (1ULL << VIRTIO_NET_F_GUEST_CSUM) |
		     (1ULL << VIRTIO_NET_F_HOST_TSO4) |
		     (1ULL << VIRTIO_NET_F_HOST_TSO6) |
		     (1ULL << VIRTIO_NET_F_GUEST_TSO4) |
		     (1ULL << VIRTIO_NET_F_GUEST_TSO6) |
		     (1ULL << VIRTIO_NET_F_MRG_RXBUF) |
		     (1ULL << VIRTIO_RING_F_EVENT_IDX) |
		     (1ULL << VIRTIO_RING_F_INDIRECT_DESC) |
		     (1ULL << VB_F_PROTOCOL_FEATURES);
	if (argc == 5 && !strcmp(argv[1], "--features")) {
		vb.offered = strtoull(argv[2], NULL, 0);
		a = 3;
	} else if (argc != 3) {
		fprintf(stderr, "Usage: %s [--features MASK] SOCK IFNAME\n",
			argv[0]);
		return 2;
	}
	if (vb_setup(argv[a], argv[a + 1])) {
		perror("vu_backend: set-up");
		return 1;
	}
	for (;;) {
		struct pollfd pfd[4] = {
			{ vb.sock, POLLIN, 0 }, { vb.q[1].kick, POLLIN, 0 },
			{ vb.q[0].kick, POLLIN, 0 }, { vb.tap, POLLIN, 0 },
		};
		int ready = vb.q[0].kick >= 0 && vb.q[1].kick >= 0 &&
			    vb.q[0].call >= 0 && vb.q[1].call >= 0;
		uint64_t v;

		if (ready && !offl) {
			vb_offload();
			offl = 1;
		}
		if (poll(pfd, !ready ? 1 : vb_avail(&vb.q[0]) ? 4 : 3, -1) < 0)
			return 1;
		if (pfd[0].revents && vb_message())
			return 0;
		if (!ready)
			continue;
		if (pfd[1].revents && read(vb.q[1].kick, &v, 8) == 8)
			vb_tx();
		if (pfd[2].revents)
			(void)!read(vb.q[0].kick, &v, 8);
		if (pfd[3].revents || pfd[2].revents)
			vb_rx();
	}
}
