// SPDX-License-Identifier: GPL-2.0-or-later
/* vu_client.c - vhost-user front-end: a tap device's kernel as passt's guest
 *
 * Usage: vu_client [OPTIONS] SOCK IFNAME
 *
 *   Plays qemu's role for passt --vhost-user, without a VM: connects to the
 *   daemon's UNIX socket SOCK, negotiates features, hands over a memfd as
 *   "guest memory" (in two regions, at guest-physical addresses unlike our
 *   own virtual ones, so that both translations are exercised) and builds
 *   one RX (queue 0) and one TX (queue 1) split virtqueue in it, then
 *   bridges them to a tap device IFNAME created in the current network
 *   namespace, whose kernel TCP/IP stack plays the guest, as passt_tap.c
 *   does for the stream socket.
 *
 *   The tap carries a virtio-net header (IFF_VNET_HDR, TUNSETVNETHDRSZ to
 *   the negotiated header length) and, when CSUM and HOST_TSO4/6 were
 *   negotiated, TUNSETOFFLOAD lets the kernel hand us partial checksums and
 *   64 KiB TSO frames: frames read from the tap go, header included, into
 *   TX descriptor chains (buffers of --tx-seg bytes, the header alone in
 *   the first one with --hdr-apart; listed in an indirect table, the ring
 *   holding one descriptor per frame, with --indirect) and the TX queue is
 *   kicked. RX buffers
 *   of --rx-buf bytes are posted: single buffers with MRG_RXBUF, whose
 *   num_buffers field says how many make a frame, otherwise chains long
 *   enough for the largest frame. Frames the daemon writes are copied to
 *   the tap with their header (GSO frames and partial checksums included,
 *   as GUEST_TSO4/6 and GUEST_CSUM allow).
 *
 *   Message order follows qemu's: GET_FEATURES, GET_PROTOCOL_FEATURES,
 *   SET_PROTOCOL_FEATURES, GET_QUEUE_NUM (with MQ), SET_OWNER,
 *   SET_FEATURES, SET_MEM_TABLE, then per queue SET_VRING_NUM, _BASE,
 *   _ADDR, _KICK, _CALL, _ERR, and SET_VRING_ENABLE when protocol features
 *   were negotiated. With REPLY_ACK, every request without a reply of its
 *   own asks for one (need_reply) and a non-zero status is an error.
 *
 *   Anything the daemon does against the protocol (a reply of the wrong
 *   type or size, a used ring entry naming a descriptor we did not post, a
 *   length beyond the buffers, num_buffers beyond what was used) ends the
 *   program with a message naming it and status 1.
 *
 * Options:
 *   --no-offload	offer no CSUM, GUEST_CSUM, TSO: MTU-sized frames with
 *			complete checksums both ways
 *   --features MASK	virtio feature bits to accept (number, 0x for hex),
 *			instead of the default set; bit 30 is vhost-user's
 *			PROTOCOL_FEATURES
 *   --ring N		queue size, power of two, 16 to 4096 (default 256)
 *   --rx-buf BYTES	RX buffer size (default 4096)
 *   --tx-seg BYTES	TX buffer size (default 16384)
 *   --hdr-apart	TX: the virtio-net header alone in its own descriptor
 *   --indirect		TX: chains in indirect tables (negotiates INDIRECT_DESC)
 *   --hostile		first put bad chains on the TX queue, as a hostile
 *			guest would: a loop, a buffer outside the memory
 *			table, a length beyond its region, a next index
 *			beyond the ring, a head beyond the ring, and with
 *			INDIRECT_DESC a table of a bad length, one outside
 *			memory, a nested one, one whose next leaves it; then
 *			a chain of 4 bytes, shorter than the virtio-net
 *			header. The daemon must drop them (returning them
 *			used or not) and go on serving the good frames that
 *			follow
 *   --regions N	guest memory in 1 or 2 regions (default 2)
 *   --rx-late		post no RX buffer until SIGUSR2: frames the daemon
 *			has for the guest meanwhile find no room
 *   --trace		print every vhost-user message on standard error
 *   --rx-lose N	discard N frames with a TCP payload from the RX queue
 *			(the 1000th such, the 2000th, ...), as a lossy link
 *			would: the daemon must resend them (rx_lost, and
 *			rx_resent once a later frame brings each one's first
 *			byte again)
 *
 *   TX frames are classified as passt's in-place rules would (tx_data:
 *   TCP or UDP with a payload, DHCP aside; tx_multi, tx_spread: payload
 *   over 2 to PACKET_TAIL_PIECES buffers, or more), so that a test can
 *   check passt's vu_tx_inplace and vu_tx_copied exactly.
 *
 *   SIGUSR1 prints the counters on standard error ("stats ..."); SIGUSR2
 *   posts the RX buffers held back by --rx-late; SIGTERM
 *   stops the rings as qemu does when a VM stops (SET_VRING_ENABLE 0 where
 *   negotiated, GET_VRING_BASE for both queues), prints them, and exits.
 *
 * Exit status 0 when the daemon closed the socket or on SIGTERM, 1 on
 * errors (the daemon's protocol errors included), 2 on usage.
 */

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/if.h>
#include <linux/if_ether.h>
#include <linux/if_tun.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <linux/virtio_ring.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include "../../packet.h"	/* PACKET_TAIL_PIECES: passt's in-place limit */

#define VU_RING_DEFAULT		256
#define VU_RING_MIN		16
#define VU_RING_MAX		4096
#define VU_RX_BUF_DEFAULT	4096
#define VU_TX_SEG_DEFAULT	16384
#define VU_BUF_MIN		64
#define VU_BUF_MAX		(1 << 20)
#define VU_PAGE			4096UL
#define VU_FRAME_MAX		(65535 + 14 + 4)	/* GSO frame, VLAN tag */
#define VU_HDR_LEGACY		10	/* No VERSION_1, no MRG_RXBUF */
#define VU_HDR_LEN		12	/* With num_buffers */
#define VU_TX_BATCH		64	/* Frames read from the tap per kick */
#define VU_IOV_MAX		1024
#define VU_REPLY_TIMEOUT	10	/* Seconds to wait for a reply */
#define VU_DROPS_SHOWN		5	/* RX frames refused by the tap, shown */
#define VU_HOSTILE_CNT		9	/* TX descriptors kept for --hostile */
#define VU_GPA_NOWHERE		0x7000000000000ULL	/* In no region */
#define VU_PEEK_MAX		(ETH_HLEN + 60 + 60)	/* Headers, at most */
#define VU_LOSE_EVERY		1000	/* --rx-lose: TCP data frames apart */
#define VU_LOSE_MAX		64	/* --rx-lose: frames at most */
#define VU_FLOWS		64	/* --rx-lose: TCP flows followed */
#define VU_DHCP_PORT		67	/* passt copies DHCP, DHCPv6 whole */
#define VU_DHCPV6_PORT		547

/* Guest-physical bases of the two memory regions: not our addresses */
#define VU_GPA0			0x100000ULL
#define VU_GPA1			0x100000000ULL

/* vhost-user protocol (qemu docs/interop/vhost-user.rst) */
#define VU_VERSION		1U
#define VU_FLAG_VERSION_MASK	3U
#define VU_FLAG_REPLY		(1U << 2)
#define VU_FLAG_NEED_REPLY	(1U << 3)
#define VU_F_PROTOCOL_FEATURES	30
#define VU_PF_MQ		0
#define VU_PF_REPLY_ACK		3
#define VU_REGIONS_MAX		8
#define VU_HDR_SIZE		12	/* request, flags, size */

/**
 * enum vu_request - Front-end requests used here
 */
enum vu_request {
	VU_GET_FEATURES = 1,
	VU_SET_FEATURES = 2,
	VU_SET_OWNER = 3,
	VU_RESET_OWNER = 4,
	VU_SET_MEM_TABLE = 5,
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
	VU_REQUEST_MAX = 19,
};

static const char *vu_request_name[VU_REQUEST_MAX] = {
	[VU_GET_FEATURES] = "GET_FEATURES",
	[VU_SET_FEATURES] = "SET_FEATURES",
	[VU_SET_OWNER] = "SET_OWNER",
	[VU_RESET_OWNER] = "RESET_OWNER",
	[VU_SET_MEM_TABLE] = "SET_MEM_TABLE",
	[VU_SET_VRING_NUM] = "SET_VRING_NUM",
	[VU_SET_VRING_ADDR] = "SET_VRING_ADDR",
	[VU_SET_VRING_BASE] = "SET_VRING_BASE",
	[VU_GET_VRING_BASE] = "GET_VRING_BASE",
	[VU_SET_VRING_KICK] = "SET_VRING_KICK",
	[VU_SET_VRING_CALL] = "SET_VRING_CALL",
	[VU_SET_VRING_ERR] = "SET_VRING_ERR",
	[VU_GET_PROTOCOL_FEATURES] = "GET_PROTOCOL_FEATURES",
	[VU_SET_PROTOCOL_FEATURES] = "SET_PROTOCOL_FEATURES",
	[VU_GET_QUEUE_NUM] = "GET_QUEUE_NUM",
	[VU_SET_VRING_ENABLE] = "SET_VRING_ENABLE",
};

/**
 * struct vu_vring_state - Payload of SET_VRING_NUM/BASE/ENABLE, GET_VRING_BASE
 * @index:	Queue index
 * @num:	Size, base index or enable flag
 */
struct vu_vring_state {
	uint32_t index;
	uint32_t num;
};

/**
 * struct vu_vring_addr - Payload of SET_VRING_ADDR (front-end addresses)
 * @index:	Queue index
 * @flags:	Logging flag, unused
 * @desc:	Descriptor table
 * @used:	Used ring
 * @avail:	Available ring
 * @log:	Log address, unused
 */
struct vu_vring_addr {
	uint32_t index;
	uint32_t flags;
	uint64_t desc;
	uint64_t used;
	uint64_t avail;
	uint64_t log;
};

/**
 * struct vu_region - One memory region of SET_MEM_TABLE
 * @gpa:	Guest-physical address
 * @size:	Size, bytes
 * @uaddr:	Front-end virtual address
 * @mmap_offset: Offset of the region in the file descriptor passed
 */
struct vu_region {
	uint64_t gpa;
	uint64_t size;
	uint64_t uaddr;
	uint64_t mmap_offset;
};

/**
 * struct vu_mem - Payload of SET_MEM_TABLE
 * @nregions:	Regions in use
 * @padding:	Zero
 * @r:		Regions, one descriptor each in the ancillary data
 */
struct vu_mem {
	uint32_t nregions;
	uint32_t padding;
	struct vu_region r[VU_REGIONS_MAX];
};

/**
 * union vu_payload - Any payload we send or receive
 * @u64:	Features, status, queue count, index with flags
 * @state:	Queue state
 * @addr:	Queue addresses
 * @mem:	Memory table
 */
union vu_payload {
	uint64_t u64;
	struct vu_vring_state state;
	struct vu_vring_addr addr;
	struct vu_mem mem;
};

/**
 * struct vu_queue - One split virtqueue, driver side
 * @desc:	Descriptor table, in guest memory
 * @avail:	Available ring
 * @used:	Used ring
 * @buf:	Buffer area: descriptor i uses @buf + i * @buf_len
 * @buf_gpa:	Guest-physical address of @buf
 * @buf_len:	Buffer size, bytes
 * @avail_idx:	Next available index we publish (host order, free-running)
 * @kicked:	Available index at the last kick decision
 * @used_seen:	Used entries consumed (free-running)
 * @kick:	Kick eventfd (we write)
 * @call:	Call eventfd (the daemon writes)
 * @err:	Error eventfd (the daemon writes)
 * @cnt:	Per head in flight: descriptors in its chain, 0 if not posted
 * @next:	Per descriptor: next one in its chain (our own copy)
 * @free:	Stack of free descriptors (TX)
 * @nfree:	Descriptors on @free
 */
struct vu_queue {
	struct vring_desc *desc;
	struct vring_avail *avail;
	struct vring_used *used;
	uint8_t *buf;
	uint64_t buf_gpa;
	size_t buf_len;
	uint16_t avail_idx;
	uint16_t kicked;
	uint16_t used_seen;
	int kick;
	int call;
	int err;
	uint16_t cnt[VU_RING_MAX];
	uint16_t next[VU_RING_MAX];
	uint16_t free[VU_RING_MAX];
	unsigned nfree;
};

/**
 * struct vu_stats - Counters, printed on SIGUSR1, SIGTERM and at exit
 * @tx_frames:	Frames from the tap put on the TX queue
 * @tx_bytes:	Their bytes, without virtio-net header
 * @tx_max:	Largest of them, bytes
 * @tx_gso:	Of them, with a GSO type
 * @tx_kicks:	TX kicks sent
 * @tx_data:	Of the frames put on the TX queue, TCP or UDP ones with a
 *		payload (DHCP and DHCPv6 aside): those passt may read in place
 * @tx_multi:	Of them, with the payload over 2 to PACKET_TAIL_PIECES buffers
 * @tx_spread:	Of them, with the payload over more buffers than that: passt
 *		copies these whole
 * @rx_frames:	Frames from the RX queue
 * @rx_bytes:	Their bytes, without header
 * @rx_max:	Largest of them, bytes
 * @rx_gso:	Of them, with a GSO type
 * @rx_merged:	Of them, spread over more than one merged buffer
 * @rx_drops:	Of them, refused by the tap (bad header or frame)
 * @rx_down:	Of them, not written as the tap was down
 * @rx_kicks:	RX kicks sent
 * @rx_lost:	Frames with a TCP payload discarded on purpose (--rx-lose)
 * @rx_resent:	Of them, those whose first byte came again in a later frame
 * @rx_again:	Frames with TCP data the flow had carried already, resends
 */
struct vu_stats {
	unsigned long long tx_frames, tx_bytes, tx_max, tx_gso, tx_kicks;
	unsigned long long tx_data, tx_multi, tx_spread;
	unsigned long long rx_frames, rx_bytes, rx_max, rx_gso, rx_merged;
	unsigned long long rx_drops, rx_down, rx_kicks, rx_lost, rx_resent;
	unsigned long long rx_again;
};

/**
 * struct vu_flow - A TCP flow to the guest, followed for --rx-lose
 * @ports:	Source and destination ports, as in the frames (0: free)
 * @end:	Sequence number after the highest byte seen, host order
 */
struct vu_flow {
	uint32_t ports;
	uint32_t end;
};

/**
 * struct vu_lost - A frame discarded on purpose (--rx-lose), until resent
 * @ports:	Source and destination TCP ports, as in the frame
 * @seq:	Its first sequence number, host order
 * @resent:	A later frame carried that byte again
 */
struct vu_lost {
	uint32_t ports;
	uint32_t seq;
	int resent;
};

/**
 * struct vu_state - Front-end state
 * @sock:	Connection to the daemon
 * @tap:	Tap device
 * @trace:	Print messages
 * @features:	Negotiated virtio features
 * @pfeatures:	Negotiated protocol features
 * @hdr_len:	virtio-net header length, bytes
 * @ring:	Queue size
 * @rx_buf:	RX buffer size, bytes
 * @rx_chain:	Descriptors per RX chain (1 with MRG_RXBUF)
 * @tx_need:	Free TX descriptors needed to read any frame
 * @hdr_apart:	TX header in a descriptor of its own
 * @indirect:	TX chains in indirect tables, if negotiated
 * @hostile:	Post bad TX chains first
 * @rx_late:	RX buffers not posted yet: waiting for SIGUSR2
 * @rx_lose:	Frames with a TCP payload to discard, one in VU_LOSE_EVERY
 * @rx_tcp:	Frames with a TCP payload seen on the RX queue
 * @lost:	Those discarded, rx_lost of them
 * @flows:	TCP flows to the guest, for --rx-lose
 * @ind:	Indirect tables: ring descriptor d uses @ind + d * @tx_need
 * @nregions:	Memory regions (1 or 2)
 * @mem:	Our mapping of the memfd
 * @mem_len:	Its size, bytes
 * @memfd:	The memfd
 * @reg:	The memory table as sent
 * @q:		Queues: 0 RX, 1 TX
 * @st:		Counters
 */
static struct vu_state {
	int sock;
	int tap;
	int trace;
	uint64_t features;
	uint64_t pfeatures;
	size_t hdr_len;
	unsigned ring;
	size_t rx_buf;
	unsigned rx_chain;
	unsigned tx_need;
	int hdr_apart;
	int indirect;
	int hostile;
	int rx_late;
	unsigned rx_lose;
	unsigned long long rx_tcp;
	struct vu_lost lost[VU_LOSE_MAX];
	struct vu_flow flows[VU_FLOWS];
	struct vring_desc *ind;
	unsigned nregions;
	uint8_t *mem;
	size_t mem_len;
	int memfd;
	struct vu_mem reg;
	struct vu_queue q[2];
	struct vu_stats st;
} vu = { .sock = -1, .tap = -1, .ring = VU_RING_DEFAULT,
	 .rx_buf = VU_RX_BUF_DEFAULT, .nregions = 2 };

#define VU_RXQ		0
#define VU_TXQ		1

static size_t vu_tx_seg = VU_TX_SEG_DEFAULT;
static volatile sig_atomic_t vu_sig_stats, vu_sig_stop, vu_sig_rx;

/**
 * vu_has() - Check a negotiated feature
 * @bit:	Feature bit
 *
 * Return: non-zero if negotiated
 */
static int vu_has(unsigned bit)
{
	return !!(vu.features & (1ULL << bit));
}

/**
 * vu_fail() - Print an error and exit with status 1
 * @msg:	Message
 * @arg:	Number printed after it
 */
static void vu_fail(const char *msg, unsigned long long arg)
{
	fprintf(stderr, "vu_client: %s (%llu)\n", msg, arg);
	exit(1);
}

/**
 * vu_name() - Name of a request, for messages
 * @req:	Request
 *
 * Return: name, "?" if unknown
 */
static const char *vu_name(uint32_t req)
{
	if (req < VU_REQUEST_MAX && vu_request_name[req])
		return vu_request_name[req];
	return "?";
}

/**
 * vu_send() - Send one request with optional descriptors
 * @req:	Request
 * @flags:	Extra header flags (VU_FLAG_NEED_REPLY)
 * @p:		Payload, may be NULL
 * @len:	Payload length, bytes
 * @fds:	Descriptors to pass, may be NULL
 * @nfds:	Number of descriptors
 *
 * Return: 0 on success, -1 on errors
 */
static int vu_send(uint32_t req, uint32_t flags, const void *p, size_t len,
		   const int *fds, unsigned nfds)
{
	char cbuf[CMSG_SPACE(sizeof(int) * VU_REGIONS_MAX)] = { 0 };
	uint32_t hdr[3] = { req, VU_VERSION | flags, (uint32_t)len };
	struct iovec iov[2] = { { hdr, sizeof(hdr) }, { (void *)p, len } };
	struct msghdr mh = { .msg_iov = iov, .msg_iovlen = len ? 2 : 1 };
	ssize_t n;

	if (nfds) {
		struct cmsghdr *cm;

		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(cm), fds, sizeof(int) * nfds);
	}
	if (vu.trace)
		fprintf(stderr, "vu_client: -> %s flags 0x%x size %zu fds %u\n",
			vu_name(req), hdr[1], len, nfds);
	do
		n = sendmsg(vu.sock, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)(sizeof(hdr) + len)) {
		fprintf(stderr, "vu_client: sending %s: %s\n", vu_name(req),
			n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

/**
 * vu_recv_all() - Read exactly a number of bytes from the socket
 * @buf:	Destination
 * @len:	Bytes
 *
 * Return: 0 on success, -1 on errors, time-out or end of stream
 */
static int vu_recv_all(void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = recv(vu.sock, (char *)buf + done, len - done, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/**
 * vu_reply() - Receive the reply to a request and check its header
 * @req:	Request we sent
 * @p:		Payload destination
 * @len:	Exact payload length expected, bytes
 *
 * Return: 0 on success; exits on protocol errors
 */
static int vu_reply(uint32_t req, void *p, size_t len)
{
	uint32_t hdr[3];

	if (vu_recv_all(hdr, sizeof(hdr)))
		vu_fail("no reply from the daemon, request", req);
	if (hdr[0] != req)
		vu_fail("reply of another type, type", hdr[0]);
	if ((hdr[1] & VU_FLAG_VERSION_MASK) != VU_VERSION ||
	    !(hdr[1] & VU_FLAG_REPLY))
		vu_fail("reply without the reply flag or version 1, flags",
			hdr[1]);
	if (hdr[2] != len)
		vu_fail("reply of a wrong size, bytes", hdr[2]);
	if (len && vu_recv_all(p, len))
		vu_fail("truncated reply, request", req);
	if (vu.trace)
		fprintf(stderr, "vu_client: <- %s flags 0x%x size %u\n",
			vu_name(req), hdr[1], hdr[2]);
	return 0;
}

/**
 * vu_get_u64() - Request a 64-bit value (features, queue count)
 * @req:	Request
 *
 * Return: value; exits on errors
 */
static uint64_t vu_get_u64(uint32_t req)
{
	uint64_t v;

	if (vu_send(req, 0, NULL, 0, NULL, 0))
		exit(1);
	vu_reply(req, &v, sizeof(v));
	if (vu.trace)
		fprintf(stderr, "vu_client:    value 0x%llx\n",
			(unsigned long long)v);
	return v;
}

/**
 * vu_set() - Send a request without a reply of its own, check REPLY_ACK
 * @req:	Request
 * @p:		Payload, may be NULL
 * @len:	Payload length, bytes
 * @fds:	Descriptors to pass, may be NULL
 * @nfds:	Number of descriptors
 *
 * Return: 0 on success; exits on errors
 */
static int vu_set(uint32_t req, const void *p, size_t len, const int *fds,
		  unsigned nfds)
{
	int ack = !!(vu.pfeatures & (1ULL << VU_PF_REPLY_ACK));
	uint64_t status;

	if (vu_send(req, ack ? VU_FLAG_NEED_REPLY : 0, p, len, fds, nfds))
		exit(1);
	if (!ack)
		return 0;
	vu_reply(req, &status, sizeof(status));
	if (status) {
		fprintf(stderr, "vu_client: %s refused, status %llu\n",
			vu_name(req), (unsigned long long)status);
		exit(1);
	}
	return 0;
}

/**
 * vu_set_u64() - Send a request with a 64-bit payload
 * @req:	Request
 * @v:		Value
 * @fd:		Descriptor to pass, -1 for none
 */
static void vu_set_u64(uint32_t req, uint64_t v, int fd)
{
	vu_set(req, &v, sizeof(v), &fd, fd >= 0 ? 1 : 0);
}

/**
 * vu_set_state() - Send a queue state request (NUM, BASE, ENABLE)
 * @req:	Request
 * @index:	Queue
 * @num:	Value
 */
static void vu_set_state(uint32_t req, unsigned index, unsigned num)
{
	struct vu_vring_state s = { index, num };

	vu_set(req, &s, sizeof(s), NULL, 0);
}

/**
 * vu_sock_open() - Connect to the daemon, with a reply time-out
 * @path:	Socket path
 *
 * Return: 0 on success, -1 on errors
 */
static int vu_sock_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = VU_REPLY_TIMEOUT };

	vu.sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (vu.sock < 0)
		return -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	if (setsockopt(vu.sock, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)))
		return -1;
	return connect(vu.sock, (struct sockaddr *)&sa, sizeof(sa));
}

/**
 * vu_negotiate() - Features and protocol features, then SET_OWNER
 * @want:	Virtio features we accept
 */
static void vu_negotiate(uint64_t want)
{
	uint64_t offered = vu_get_u64(VU_GET_FEATURES);

	vu.features = offered & want;
	if (vu_has(VU_F_PROTOCOL_FEATURES)) {
		uint64_t pf = vu_get_u64(VU_GET_PROTOCOL_FEATURES);

		vu.pfeatures = pf & ((1ULL << VU_PF_MQ) |
				     (1ULL << VU_PF_REPLY_ACK));
		/* Not yet negotiated: this one goes without need_reply */
		if (vu_send(VU_SET_PROTOCOL_FEATURES, 0, &vu.pfeatures,
			    sizeof(vu.pfeatures), NULL, 0))
			exit(1);
		if ((vu.pfeatures & (1ULL << VU_PF_MQ)) &&
		    vu_get_u64(VU_GET_QUEUE_NUM) < 1)
			vu_fail("GET_QUEUE_NUM: no queue pair", 0);
	}
	vu_set(VU_SET_OWNER, NULL, 0, NULL, 0);
	vu_set_u64(VU_SET_FEATURES, vu.features, -1);
	vu.hdr_len = vu_has(VIRTIO_F_VERSION_1) ||
		     vu_has(VIRTIO_NET_F_MRG_RXBUF) ? VU_HDR_LEN :
						      VU_HDR_LEGACY;
	fprintf(stderr, "vu_client: features offered 0x%llx negotiated 0x%llx"
		" protocol 0x%llx header %zu\n", (unsigned long long)offered,
		(unsigned long long)vu.features,
		(unsigned long long)vu.pfeatures, vu.hdr_len);
}

/**
 * vu_align() - Round a size up to the page size
 * @len:	Size, bytes
 *
 * Return: rounded size
 */
static size_t vu_align(size_t len)
{
	return (len + VU_PAGE - 1) & ~(VU_PAGE - 1);
}

/**
 * vu_ring_bytes() - Bytes for one queue's table and rings, page-aligned
 *
 * Return: size, bytes
 */
static size_t vu_ring_bytes(void)
{
	size_t n = vu.ring;

	return vu_align(16 * n) + vu_align(6 + 2 * n + 2) +
	       vu_align(6 + 8 * n + 2);
}

/**
 * vu_gpa() - Guest-physical address of a pointer into guest memory
 * @p:		Pointer into our mapping
 *
 * Return: address in the guest's view, per the memory table we sent
 */
static uint64_t vu_gpa(const void *p)
{
	uint64_t off = (uint64_t)((const uint8_t *)p - vu.mem);
	unsigned i;

	for (i = 0; i < vu.reg.nregions; i++) {
		const struct vu_region *r = &vu.reg.r[i];

		if (off >= r->mmap_offset && off - r->mmap_offset < r->size)
			return r->gpa + off - r->mmap_offset;
	}
	vu_fail("internal: address outside guest memory", off);
	return 0;
}

/**
 * vu_queue_place() - Put a queue's table and rings at an offset
 * @q:		Queue
 * @off:	Offset in guest memory, page-aligned
 */
static void vu_queue_place(struct vu_queue *q, size_t off)
{
	size_t n = vu.ring;

	q->desc = (struct vring_desc *)(vu.mem + off);
	off += vu_align(16 * n);
	q->avail = (struct vring_avail *)(vu.mem + off);
	off += vu_align(6 + 2 * n + 2);
	q->used = (struct vring_used *)(vu.mem + off);
}

/**
 * vu_mem_setup() - Create and map guest memory, lay out rings and buffers
 *
 * Region 0 holds both queues' rings, the TX buffers and indirect tables,
 * region 1 (or the rest of region 0 with --regions 1) the RX buffers.
 *
 * Return: 0 on success, -1 on errors
 */
static int vu_mem_setup(void)
{
	size_t rx_len = vu_align(vu.ring * vu.rx_buf);
	size_t tx_len = vu_align(vu.ring * vu_tx_seg);
	size_t ind_len = vu_align(vu.ring * vu.tx_need * 16);
	size_t len0 = 2 * vu_ring_bytes() + tx_len + ind_len;
	struct vu_region *r = vu.reg.r;

	vu.mem_len = len0 + rx_len;
	vu.memfd = memfd_create("vu_client", MFD_CLOEXEC);
	if (vu.memfd < 0 || ftruncate(vu.memfd, (off_t)vu.mem_len))
		return -1;
	vu.mem = mmap(NULL, vu.mem_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		      vu.memfd, 0);
	if (vu.mem == MAP_FAILED)
		return -1;

	vu.reg.nregions = vu.nregions;
	r[0].gpa = VU_GPA0;
	r[0].uaddr = (uintptr_t)vu.mem;
	r[0].mmap_offset = 0;
	r[0].size = vu.nregions == 2 ? len0 : vu.mem_len;
	if (vu.nregions == 2) {
		r[1].gpa = VU_GPA1;
		r[1].uaddr = (uintptr_t)(vu.mem + len0);
		r[1].mmap_offset = len0;
		r[1].size = rx_len;
	}

	vu_queue_place(&vu.q[VU_RXQ], 0);
	vu_queue_place(&vu.q[VU_TXQ], vu_ring_bytes());
	vu.q[VU_TXQ].buf = vu.mem + 2 * vu_ring_bytes();
	vu.q[VU_TXQ].buf_len = vu_tx_seg;
	vu.ind = (struct vring_desc *)(vu.mem + 2 * vu_ring_bytes() + tx_len);
	vu.q[VU_RXQ].buf = vu.mem + len0;
	vu.q[VU_RXQ].buf_len = vu.rx_buf;
	vu.q[VU_TXQ].buf_gpa = vu_gpa(vu.q[VU_TXQ].buf);
	vu.q[VU_RXQ].buf_gpa = vu_gpa(vu.q[VU_RXQ].buf);
	return 0;
}

/**
 * vu_avail_add() - Put a chain's head on the available ring, unpublished
 * @q:		Queue
 * @head:	Head descriptor
 * @cnt:	Descriptors in the chain
 */
static void vu_avail_add(struct vu_queue *q, uint16_t head, uint16_t cnt)
{
	q->avail->ring[q->avail_idx % vu.ring] = htole16(head);
	q->avail_idx++;
	q->cnt[head] = cnt;
}

/**
 * vu_need_event() - Whether an index move crosses the other side's event
 * @event:	Event index the other side asked for
 * @new:	Index now
 * @old:	Index at the last notification decision
 *
 * Return: non-zero if a notification is due
 */
static int vu_need_event(uint16_t event, uint16_t new, uint16_t old)
{
	return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

/**
 * vu_publish() - Publish the available index, kick if the daemon wants it
 * @q:		Queue
 *
 * Return: 1 if kicked, 0 otherwise
 */
static int vu_publish(struct vu_queue *q)
{
	uint64_t one = 1;
	uint16_t old = q->kicked;
	int need;

	if (old == q->avail_idx)
		return 0;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	__atomic_store_n(&q->avail->idx, htole16(q->avail_idx),
			 __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (vu_has(VIRTIO_RING_F_EVENT_IDX)) {
		uint16_t *ev = (uint16_t *)&q->used->ring[vu.ring];

		need = vu_need_event(le16toh(__atomic_load_n(ev,
							     __ATOMIC_RELAXED)),
				     q->avail_idx, old);
	} else {
		need = !(le16toh(__atomic_load_n(&q->used->flags,
						 __ATOMIC_RELAXED)) &
			 VRING_USED_F_NO_NOTIFY);
	}
	q->kicked = q->avail_idx;
	if (need && write(q->kick, &one, sizeof(one)) != sizeof(one))
		vu_fail("kick eventfd write failed, errno", (unsigned)errno);
	return need;
}

/**
 * vu_used_idx() - Read the used index the daemon published, with acquire
 * @q:		Queue
 *
 * Return: used index, host order
 */
static uint16_t vu_used_idx(const struct vu_queue *q)
{
	uint16_t idx = __atomic_load_n(&q->used->idx, __ATOMIC_RELAXED);

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return le16toh(idx);
}

/**
 * vu_used_event() - Ask for a call once the daemon uses past what we saw
 * @q:		Queue
 *
 * Return: non-zero if more used entries came meanwhile (process again)
 */
static int vu_used_event(struct vu_queue *q)
{
	if (!vu_has(VIRTIO_RING_F_EVENT_IDX))
		return vu_used_idx(q) != q->used_seen;
	__atomic_store_n(&q->avail->ring[vu.ring], htole16(q->used_seen),
			 __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return vu_used_idx(q) != q->used_seen;
}

/**
 * vu_used_get() - Read and check one used ring entry
 * @q:		Queue
 * @pos:	Free-running used index of the entry
 * @len:	Length the daemon reported, bytes (output)
 *
 * Return: head descriptor; exits if it is not a head we posted
 */
static uint16_t vu_used_get(const struct vu_queue *q, uint16_t pos,
			    uint32_t *len)
{
	const struct vring_used_elem *e = &q->used->ring[pos % vu.ring];
	uint32_t id = le32toh(e->id);

	*len = le32toh(e->len);
	if (id >= vu.ring || !q->cnt[id])
		vu_fail(q == &vu.q[VU_TXQ] ? "TX used entry for a descriptor "
			"not in flight, id" : "RX used entry for a descriptor "
			"not in flight, id", id);
	return (uint16_t)id;
}

/**
 * vu_tx_reclaim() - Free the TX chains the daemon has used
 */
static void vu_tx_reclaim(void)
{
	struct vu_queue *q = &vu.q[VU_TXQ];

	do {
		uint16_t end = vu_used_idx(q);

		if ((uint16_t)(end - q->used_seen) > vu.ring)
			vu_fail("TX used index beyond the ring, moved by",
				(uint16_t)(end - q->used_seen));
		while (q->used_seen != end) {
			uint32_t len;
			uint16_t d = vu_used_get(q, q->used_seen, &len);
			unsigned i, cnt = q->cnt[d];

			q->cnt[d] = 0;
			for (i = 0; i < cnt; i++) {
				q->free[q->nfree++] = d;
				d = q->next[d];
			}
			q->used_seen++;
		}
	} while (vu_used_event(q));
}

/**
 * vu_tx_iov() - Take free TX descriptors for the largest frame, as iovecs
 * @iov:	Buffers, first one the header alone with --hdr-apart (output)
 * @d:		Descriptors taken, in the same order (output)
 *
 * Return: number of buffers
 */
static unsigned vu_tx_iov(struct iovec *iov, uint16_t *d)
{
	struct vu_queue *q = &vu.q[VU_TXQ];
	unsigned i;

	for (i = 0; i < vu.tx_need; i++) {
		d[i] = q->free[--q->nfree];
		iov[i].iov_base = q->buf + (size_t)d[i] * q->buf_len;
		iov[i].iov_len = q->buf_len;
	}
	if (vu.hdr_apart)
		iov[0].iov_len = vu.hdr_len;
	return vu.tx_need;
}

/**
 * vu_tx_hdr_fix() - Adjust the header the tap wrote for the TX queue
 * @hdr:	Header at the start of the first buffer
 * @l2len:	Frame length, bytes
 *
 * The tap leaves num_buffers untouched and may set DATA_VALID, which a
 * driver must not send: clear both. Counts the frame.
 */
static void vu_tx_hdr_fix(struct virtio_net_hdr_mrg_rxbuf *hdr, size_t l2len)
{
	hdr->hdr.flags &= (uint8_t)~VIRTIO_NET_HDR_F_DATA_VALID;
	if (vu.hdr_len == VU_HDR_LEN)
		hdr->num_buffers = 0;
	if (hdr->hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		vu.st.tx_gso++;
	vu.st.tx_frames++;
	vu.st.tx_bytes += l2len;
	if (l2len > vu.st.tx_max)
		vu.st.tx_max = l2len;
}

/**
 * struct vu_l4 - A frame's headers, as passt's in-place rules read them
 * @hlen:	Bytes of Ethernet, IP and TCP or UDP headers
 * @tcp:	TCP, not UDP
 * @ports:	Source and destination ports, as in the frame
 * @seq:	TCP sequence number, host order
 */
struct vu_l4 {
	size_t hlen;
	int tcp;
	uint32_t ports;
	uint32_t seq;
};

/**
 * vu_peek() - Copy the first bytes of a frame out of its buffers
 * @iov:	Buffers, the virtio-net header first
 * @n:		Number of buffers
 * @dst:	Destination, VU_PEEK_MAX bytes
 * @l2len:	Frame length, bytes
 *
 * Return: bytes copied, at most VU_PEEK_MAX
 */
static size_t vu_peek(const struct iovec *iov, unsigned n, uint8_t *dst,
		      size_t l2len)
{
	size_t skip = vu.hdr_len, got = 0, want, k;
	unsigned i;

	want = l2len < VU_PEEK_MAX ? l2len : VU_PEEK_MAX;
	for (i = 0; i < n && got < want; i++) {
		if (skip >= iov[i].iov_len) {
			skip -= iov[i].iov_len;
			continue;
		}
		k = iov[i].iov_len - skip;
		if (k > want - got)
			k = want - got;
		memcpy(dst + got, (const uint8_t *)iov[i].iov_base + skip, k);
		got += k;
		skip = 0;
	}
	return got;
}

/**
 * vu_l4_parse() - Find the TCP or UDP header of a frame and its end
 * @f:		The frame's first bytes
 * @len:	Bytes of @f
 * @proto:	IP protocol
 * @off:	Offset of the TCP or UDP header in @f
 * @l4:		Headers found (output)
 *
 * Return: bytes of headers, 0 if not TCP or UDP, short, or DHCP(v6)
 */
static size_t vu_l4_parse(const uint8_t *f, size_t len, uint8_t proto,
			  size_t off, struct vu_l4 *l4)
{
	struct tcphdr th;
	struct udphdr uh;

	if (proto == IPPROTO_TCP && len >= off + sizeof(th)) {
		memcpy(&th, f + off, sizeof(th));
		if (th.doff < 5 || len < off + th.doff * 4U)
			return 0;
		l4->tcp = 1;
		l4->seq = ntohl(th.seq);
		memcpy(&l4->ports, f + off, sizeof(l4->ports));
		return l4->hlen = off + th.doff * 4U;
	}
	if (proto == IPPROTO_UDP && len >= off + sizeof(uh)) {
		memcpy(&uh, f + off, sizeof(uh));
		if (uh.dest == htons(VU_DHCP_PORT) ||
		    uh.dest == htons(VU_DHCPV6_PORT))
			return 0;
		l4->tcp = 0;
		return l4->hlen = off + sizeof(uh);
	}
	return 0;
}

/**
 * vu_l4() - Headers of a frame passt would take as TCP or UDP
 * @f:		The frame's first bytes
 * @len:	Bytes of @f
 * @l4:		Headers found (output)
 *
 * IPv4 but not a fragment, IPv6 without extension headers, as passt.
 *
 * Return: bytes of headers, 0 if none such
 */
static size_t vu_l4(const uint8_t *f, size_t len, struct vu_l4 *l4)
{
	struct ipv6hdr ip6h;
	struct iphdr ip4h;
	uint16_t proto;

	if (len < ETH_HLEN)
		return 0;
	memcpy(&proto, f + 12, sizeof(proto));
	if (proto == htons(ETH_P_IP) && len >= ETH_HLEN + sizeof(ip4h)) {
		memcpy(&ip4h, f + ETH_HLEN, sizeof(ip4h));
		if (ip4h.version != 4 || ip4h.ihl < 5 ||
		    (ip4h.frag_off & htons(0x3fff)))
			return 0;
		return vu_l4_parse(f, len, ip4h.protocol,
				   ETH_HLEN + ip4h.ihl * 4U, l4);
	}
	if (proto == htons(ETH_P_IPV6) && len >= ETH_HLEN + sizeof(ip6h)) {
		memcpy(&ip6h, f + ETH_HLEN, sizeof(ip6h));
		if (ip6h.version != 6)
			return 0;
		return vu_l4_parse(f, len, ip6h.nexthdr,
				   ETH_HLEN + sizeof(ip6h), l4);
	}
	return 0;
}

/**
 * vu_tx_classify() - Count a TX frame with a payload, by buffers it spans
 * @iov:	Buffers as read into, the virtio-net header first
 * @n:		Number of them
 * @len:	Bytes read, header included
 *
 * These are passt's rules for reading a payload in place (tap_vu_tx.c),
 * applied independently, so that its counters can be checked exactly.
 */
static void vu_tx_classify(const struct iovec *iov, unsigned n, size_t len)
{
	size_t l2len = len - vu.hdr_len, start, off = 0;
	uint8_t f[VU_PEEK_MAX];
	unsigned i, bufs = 0;
	struct vu_l4 l4;

	if (!vu_l4(f, vu_peek(iov, n, f, l2len), &l4) || l4.hlen >= l2len)
		return;
	vu.st.tx_data++;
	start = vu.hdr_len + l4.hlen;
	for (i = 0; i < n && off < len; off += iov[i++].iov_len) {
		if (off + iov[i].iov_len > start)
			bufs++;
	}
	if (bufs > PACKET_TAIL_PIECES)
		vu.st.tx_spread++;
	else if (bufs > 1)
		vu.st.tx_multi++;
}

/**
 * vu_rx_new() - Does a TCP frame to the guest carry only new data?
 * @l4:		Its headers
 * @dlen:	Its payload, bytes
 *
 * Return: non-zero if it starts at or after the highest byte its flow
 *	   carried so far (a first transmission), 0 for a resend, or if the
 *	   flow can't be followed
 */
static int vu_rx_new(const struct vu_l4 *l4, size_t dlen)
{
	uint32_t end = l4->seq + (uint32_t)dlen;
	struct vu_flow *f = NULL;
	unsigned i;

	for (i = 0; i < VU_FLOWS && !f; i++) {
		if (vu.flows[i].ports == l4->ports || !vu.flows[i].ports)
			f = &vu.flows[i];
	}
	if (!f)
		return 0;
	if (!f->ports) {
		f->ports = l4->ports;
		f->end = end;
		return 1;
	}
	if ((int32_t)(l4->seq - f->end) < 0) {
		vu.st.rx_again++;
		if ((int32_t)(end - f->end) > 0)
			f->end = end;
		return 0;
	}
	f->end = end;
	return 1;
}

/**
 * vu_rx_lose() - Discard one frame with a TCP payload in VU_LOSE_EVERY
 * @iov:	Buffers of the frame, the virtio-net header first
 * @n:		Number of them
 * @total:	Bytes, header included
 *
 * With --rx-lose N only, for the first N such, first transmissions only
 * (new data: the guest can't have it from elsewhere). A later frame
 * carrying the first byte of one discarded counts as its resend.
 *
 * Return: non-zero to discard this frame
 */
static int vu_rx_lose(const struct iovec *iov, unsigned n, size_t total)
{
	size_t l2len = total - vu.hdr_len;
	uint8_t f[VU_PEEK_MAX];
	struct vu_l4 l4;
	unsigned i;

	if (!vu.rx_lose || !vu_l4(f, vu_peek(iov, n, f, l2len), &l4) ||
	    !l4.tcp || l4.hlen >= l2len)
		return 0;
	for (i = 0; i < vu.st.rx_lost; i++) {
		struct vu_lost *x = &vu.lost[i];

		if (!x->resent && x->ports == l4.ports &&
		    x->seq - l4.seq < l2len - l4.hlen) {
			x->resent = 1;
			vu.st.rx_resent++;
		}
	}
	if (!vu_rx_new(&l4, l2len - l4.hlen) || ++vu.rx_tcp % VU_LOSE_EVERY ||
	    vu.st.rx_lost >= vu.rx_lose)
		return 0;
	vu.lost[vu.st.rx_lost].ports = l4.ports;
	vu.lost[vu.st.rx_lost].seq = l4.seq;
	vu.lost[vu.st.rx_lost++].resent = 0;
	return 1;
}

/**
 * vu_tx_chain() - Chain the descriptors holding a frame, give back the rest
 * @iov:	Buffers as read into
 * @d:		Their descriptors
 * @n:		Number of them
 * @len:	Bytes read, header included
 *
 * Return: head of the chain
 */
static uint16_t vu_tx_chain(const struct iovec *iov, const uint16_t *d,
			    unsigned n, size_t len)
{
	struct vu_queue *q = &vu.q[VU_TXQ];
	struct vring_desc *ind = vu.ind + (size_t)d[0] * vu.tx_need;
	int indirect = vu.indirect && vu_has(VIRTIO_RING_F_INDIRECT_DESC);
	struct vring_desc *prev = NULL;
	unsigned i, used = 0;

	for (i = 0; i < n && len; i++, used++) {
		size_t l = len < iov[i].iov_len ? len : iov[i].iov_len;
		struct vring_desc *desc = indirect ? &ind[i] : &q->desc[d[i]];

		desc->addr = htole64(q->buf_gpa + (uint64_t)d[i] * q->buf_len);
		desc->len = htole32((uint32_t)l);
		desc->flags = 0;
		len -= l;
		if (prev) {
			prev->flags = htole16(VRING_DESC_F_NEXT);
			prev->next = htole16(indirect ? i : d[i]);
			q->next[d[i - 1]] = d[i];
		}
		prev = desc;
	}
	if (indirect) {
		q->desc[d[0]].addr = htole64(vu_gpa(ind));
		q->desc[d[0]].len = htole32(used * sizeof(*ind));
		q->desc[d[0]].flags = htole16(VRING_DESC_F_INDIRECT);
	}
	for (i = n; i > used; i--)
		q->free[q->nfree++] = d[i - 1];
	vu_avail_add(q, d[0], (uint16_t)used);
	return d[0];
}

/**
 * vu_tx_from_tap() - Move frames from the tap to the TX queue, then kick
 *
 * Return: 0 on success, -1 on errors
 */
static int vu_tx_from_tap(void)
{
	struct vu_queue *q = &vu.q[VU_TXQ];
	struct iovec iov[VU_IOV_MAX];
	uint16_t d[VU_IOV_MAX];
	unsigned frames;

	for (frames = 0; frames < VU_TX_BATCH; frames++) {
		unsigned n;
		ssize_t len;

		if (q->nfree < vu.tx_need)
			vu_tx_reclaim();
		if (q->nfree < vu.tx_need)
			break;
		n = vu_tx_iov(iov, d);
		len = readv(vu.tap, iov, (int)n);
		if (len <= (ssize_t)vu.hdr_len) {
			while (n)
				q->free[q->nfree++] = d[--n];
			if (len < 0 && errno != EAGAIN && errno != EINTR)
				return -1;
			if (len < 0)
				break;
			continue;
		}
		vu_tx_hdr_fix(iov[0].iov_base, (size_t)len - vu.hdr_len);
		vu_tx_classify(iov, n, (size_t)len);
		vu_tx_chain(iov, d, n, (size_t)len);
	}
	vu.st.tx_kicks += (unsigned)vu_publish(q);
	return 0;
}

/**
 * vu_rx_post_all() - Set up RX descriptors and post every chain (with
 * --rx-late, only set them up: vu_rx_late_post() posts them)
 */
static void vu_rx_post_all(void)
{
	struct vu_queue *q = &vu.q[VU_RXQ];
	unsigned i;

	for (i = 0; i < vu.ring; i++) {
		struct vring_desc *desc = &q->desc[i];
		int last = (i + 1) % vu.rx_chain == 0;

		desc->addr = htole64(q->buf_gpa + (uint64_t)i * q->buf_len);
		desc->len = htole32((uint32_t)q->buf_len);
		desc->flags = htole16(VRING_DESC_F_WRITE |
				      (last ? 0 : VRING_DESC_F_NEXT));
		desc->next = htole16(last ? 0 : i + 1);
	}
	if (vu.rx_late)
		return;
	for (i = 0; i + vu.rx_chain <= vu.ring; i += vu.rx_chain)
		vu_avail_add(q, (uint16_t)i, (uint16_t)vu.rx_chain);
}

/**
 * vu_rx_late_post() - SIGUSR2 came: post the RX chains held back, kick
 */
static void vu_rx_late_post(void)
{
	unsigned i;

	if (!vu.rx_late)
		return;
	vu.rx_late = 0;
	for (i = 0; i + vu.rx_chain <= vu.ring; i += vu.rx_chain)
		vu_avail_add(&vu.q[VU_RXQ], (uint16_t)i, (uint16_t)vu.rx_chain);
	vu.st.rx_kicks += (unsigned)vu_publish(&vu.q[VU_RXQ]);
	fprintf(stderr, "vu_client: RX buffers posted\n");
}

/**
 * vu_rx_count() - Count a frame from the RX queue, check its header
 * @hdr:	Header, in the first buffer
 * @l2len:	Frame length without header, bytes
 */
static void vu_rx_count(const struct virtio_net_hdr_mrg_rxbuf *hdr,
			size_t l2len)
{
	if (hdr->hdr.gso_type != VIRTIO_NET_HDR_GSO_NONE)
		vu.st.rx_gso++;
	vu.st.rx_frames++;
	vu.st.rx_bytes += l2len;
	if (l2len > vu.st.rx_max)
		vu.st.rx_max = l2len;
}

/**
 * vu_rx_drop() - Count a frame the tap refused, describe the first few
 * @hdr:	Its virtio-net header
 * @l2len:	Frame length without header, bytes
 * @nbuf:	Buffers it spanned
 *
 * EIO means the tap is down (not up yet, as the guest's set-up goes): such
 * frames are counted apart, as rx_down.
 */
static void vu_rx_drop(const struct virtio_net_hdr_mrg_rxbuf *hdr,
		       size_t l2len, unsigned nbuf)
{
	if (errno == EIO) {
		vu.st.rx_down++;
		return;
	}
	if (vu.st.rx_drops++ >= VU_DROPS_SHOWN)
		return;
	fprintf(stderr, "vu_client: tap refused an RX frame (%s): %zu bytes "
		"in %u buffers, flags 0x%x gso_type 0x%x hdr_len %u gso_size "
		"%u csum_start %u csum_offset %u\n", strerror(errno), l2len,
		nbuf, hdr->hdr.flags, hdr->hdr.gso_type,
		le16toh(hdr->hdr.hdr_len), le16toh(hdr->hdr.gso_size),
		le16toh(hdr->hdr.csum_start), le16toh(hdr->hdr.csum_offset));
}

/**
 * vu_rx_frame() - Copy one frame from the RX queue to the tap, repost it
 * @q:		RX queue
 * @avail:	Used entries not yet consumed
 *
 * Return: used entries consumed
 */
static unsigned vu_rx_frame(struct vu_queue *q, unsigned avail)
{
	struct virtio_net_hdr_mrg_rxbuf hdr;
	struct iovec iov[VU_IOV_MAX];
	unsigned i, nbuf = 1;
	size_t total = 0;

	for (i = 0; i < nbuf; i++) {
		uint32_t len;
		uint16_t d = vu_used_get(q, (uint16_t)(q->used_seen + i), &len);

		if (len > q->cnt[d] * q->buf_len || (!i && len < vu.hdr_len))
			vu_fail("RX used length out of the buffers, bytes", len);
		iov[i].iov_base = q->buf + (size_t)d * q->buf_len;
		iov[i].iov_len = len;
		total += len;
		if (i)
			continue;
		memset(&hdr, 0, sizeof(hdr));
		memcpy(&hdr, iov[0].iov_base, vu.hdr_len);
		if (vu_has(VIRTIO_NET_F_MRG_RXBUF))
			nbuf = le16toh(hdr.num_buffers);
		if (!nbuf || nbuf > avail || nbuf > VU_IOV_MAX)
			vu_fail("RX num_buffers beyond the used entries",
				nbuf);
	}
	vu_rx_count(&hdr, total - vu.hdr_len);
	if (nbuf > 1)
		vu.st.rx_merged++;
	/* Frames lost on purpose are given back as if written */
	if (!vu_rx_lose(iov, nbuf, total) &&
	    writev(vu.tap, iov, (int)nbuf) < 0)
		vu_rx_drop(&hdr, total - vu.hdr_len, nbuf);
	for (i = 0; i < nbuf; i++) {
		uint32_t len;
		uint16_t d = vu_used_get(q, q->used_seen, &len);
		uint16_t cnt = q->cnt[d];

		q->cnt[d] = 0;
		vu_avail_add(q, d, cnt);
		q->used_seen++;
	}
	return nbuf;
}

/**
 * vu_rx_to_tap() - Copy every frame the daemon wrote to the tap, repost
 */
static void vu_rx_to_tap(void)
{
	struct vu_queue *q = &vu.q[VU_RXQ];

	do {
		uint16_t end = vu_used_idx(q);

		if ((uint16_t)(end - q->used_seen) > vu.ring)
			vu_fail("RX used index beyond the ring, moved by",
				(uint16_t)(end - q->used_seen));
		while (q->used_seen != end)
			vu_rx_frame(q, (uint16_t)(end - q->used_seen));
		vu.st.rx_kicks += (unsigned)vu_publish(q);
	} while (vu_used_event(q));
}

/**
 * vu_eventfd() - Create a non-blocking eventfd
 *
 * Return: descriptor; exits on errors
 */
static int vu_eventfd(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	if (fd < 0) {
		perror("vu_client: eventfd");
		exit(1);
	}
	return fd;
}

/**
 * vu_queue_start() - Describe one queue to the daemon, as qemu does
 * @index:	Queue index
 */
static void vu_queue_start(unsigned index)
{
	struct vu_queue *q = &vu.q[index];
	struct vu_vring_addr a = {
		.index = index,
		.desc = (uintptr_t)q->desc,
		.used = (uintptr_t)q->used,
		.avail = (uintptr_t)q->avail,
	};

	q->kick = vu_eventfd();
	q->call = vu_eventfd();
	q->err = vu_eventfd();
	vu_set_state(VU_SET_VRING_NUM, index, vu.ring);
	vu_set_state(VU_SET_VRING_BASE, index, 0);
	vu_set(VU_SET_VRING_ADDR, &a, sizeof(a), NULL, 0);
	vu_set_u64(VU_SET_VRING_KICK, index, q->kick);
	vu_set_u64(VU_SET_VRING_CALL, index, q->call);
	vu_set_u64(VU_SET_VRING_ERR, index, q->err);
}

/**
 * vu_hostile_desc() - Write one descriptor as given, good or bad
 * @d:		Descriptor
 * @addr:	Guest-physical address
 * @len:	Length, bytes
 * @flags:	VRING_DESC_F_* flags
 * @next:	Next index
 */
static void vu_hostile_desc(struct vring_desc *d, uint64_t addr, uint32_t len,
			    uint16_t flags, uint16_t next)
{
	d->addr = htole64(addr);
	d->len = htole32(len);
	d->flags = htole16(flags);
	d->next = htole16(next);
}

/**
 * vu_hostile_indirect() - Bad indirect tables in the last four kept
 * descriptors, if INDIRECT_DESC was negotiated
 * @r:		First kept descriptor
 * @buf:	A valid buffer's guest-physical address
 *
 * Return: number of heads set up (0 or 4)
 */
static unsigned vu_hostile_indirect(uint16_t r, uint64_t buf)
{
	struct vring_desc *t4 = vu.ind + (size_t)(r + 4) * vu.tx_need;
	struct vring_desc *t6 = vu.ind + (size_t)(r + 6) * vu.tx_need;
	struct vring_desc *t7 = vu.ind + (size_t)(r + 7) * vu.tx_need;
	struct vring_desc *desc = vu.q[VU_TXQ].desc;

	if (!vu_has(VIRTIO_RING_F_INDIRECT_DESC))
		return 0;
	vu_hostile_desc(t4, buf, 64, 0, 0);
	vu_hostile_desc(&desc[r + 4], vu_gpa(t4), 24, VRING_DESC_F_INDIRECT,
			0);
	vu_hostile_desc(&desc[r + 5], VU_GPA_NOWHERE, 32,
			VRING_DESC_F_INDIRECT, 0);
	vu_hostile_desc(t6, vu_gpa(t4), 16, VRING_DESC_F_INDIRECT, 0);
	vu_hostile_desc(&desc[r + 6], vu_gpa(t6), 16, VRING_DESC_F_INDIRECT,
			0);
	vu_hostile_desc(t7, buf, 64, VRING_DESC_F_NEXT, 5);
	vu_hostile_desc(&desc[r + 7], vu_gpa(t7), 16, VRING_DESC_F_INDIRECT,
			0);
	return 4;
}

/**
 * vu_hostile_post() - Put bad chains on the TX queue and kick (--hostile)
 *
 * Each bad chain uses one of the last VU_HOSTILE_CNT descriptors, kept
 * off the free list; returned as used, it joins the free list.
 */
static void vu_hostile_post(void)
{
	struct vu_queue *q = &vu.q[VU_TXQ];
	uint16_t r = (uint16_t)(vu.ring - VU_HOSTILE_CNT);
	uint64_t buf = q->buf_gpa + (uint64_t)r * q->buf_len;
	unsigned i, n = 4;

	memset(q->buf + (size_t)r * q->buf_len, 0, 64);
	vu_hostile_desc(&q->desc[r], buf, 64, VRING_DESC_F_NEXT, r);
	vu_hostile_desc(&q->desc[r + 1], VU_GPA_NOWHERE, 64, 0, 0);
	vu_hostile_desc(&q->desc[r + 2], buf, 0xffffff00U, 0, 0);
	vu_hostile_desc(&q->desc[r + 3], buf, 64, VRING_DESC_F_NEXT,
			(uint16_t)(vu.ring + 7));
	n += vu_hostile_indirect(r, buf);
	for (i = 0; i < n; i++)
		vu_avail_add(q, (uint16_t)(r + i), 1);
	/* A chain shorter than the virtio-net header: a frame of no bytes */
	vu_hostile_desc(&q->desc[r + 8], buf, 4, 0, 0);
	vu_avail_add(q, (uint16_t)(r + 8), 1);
	n++;
	q->avail->ring[q->avail_idx % vu.ring] = htole16(vu.ring + 3);
	q->avail_idx++;
	vu.st.tx_kicks += (unsigned)vu_publish(q);
	fprintf(stderr, "vu_client: hostile: %u bad TX chains posted\n",
		n + 1);
}

/**
 * vu_start() - Memory table, both queues, enable, first RX kick
 */
static void vu_start(void)
{
	int fds[VU_REGIONS_MAX] = { vu.memfd, vu.memfd };
	struct vu_queue *tx = &vu.q[VU_TXQ];
	unsigned i;

	vu_set(VU_SET_MEM_TABLE, &vu.reg,
	       2 * sizeof(uint32_t) + vu.reg.nregions * sizeof(vu.reg.r[0]),
	       fds, vu.reg.nregions);
	for (i = vu.hostile ? VU_HOSTILE_CNT : 0; i < vu.ring; i++)
		tx->free[tx->nfree++] = (uint16_t)(vu.ring - 1 - i);
	vu_rx_post_all();
	vu_queue_start(VU_RXQ);
	vu_queue_start(VU_TXQ);
	if (vu_has(VU_F_PROTOCOL_FEATURES)) {
		vu_set_state(VU_SET_VRING_ENABLE, VU_RXQ, 1);
		vu_set_state(VU_SET_VRING_ENABLE, VU_TXQ, 1);
	}
	vu_used_event(&vu.q[VU_RXQ]);
	vu_used_event(tx);
	vu.st.rx_kicks += (unsigned)vu_publish(&vu.q[VU_RXQ]);
	if (vu.hostile)
		vu_hostile_post();
}

/**
 * vu_tap_open() - Create the tap device with a virtio-net header, offloads
 * @name:	Interface name
 *
 * Return: 0 on success, -1 on errors
 */
static int vu_tap_open(const char *name)
{
	int hdr_len = (int)vu.hdr_len;
	unsigned long off = 0;
	struct ifreq ifr;

	vu.tap = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (vu.tap < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(vu.tap, TUNSETIFF, &ifr) ||
	    ioctl(vu.tap, TUNSETVNETHDRSZ, &hdr_len))
		return -1;
	if (vu_has(VIRTIO_NET_F_CSUM)) {
		off |= TUN_F_CSUM;
		if (vu_has(VIRTIO_NET_F_HOST_TSO4))
			off |= TUN_F_TSO4;
		if (vu_has(VIRTIO_NET_F_HOST_TSO6))
			off |= TUN_F_TSO6;
	}
	return ioctl(vu.tap, TUNSETOFFLOAD, off);
}

/**
 * vu_stats_print() - Print the counters on standard error
 */
static void vu_stats_print(void)
{
	const struct vu_stats *s = &vu.st;

	fprintf(stderr, "vu_client: stats tx_frames=%llu tx_bytes=%llu "
		"tx_max=%llu tx_gso=%llu tx_kicks=%llu rx_frames=%llu "
		"rx_bytes=%llu rx_max=%llu rx_gso=%llu rx_merged=%llu "
		"rx_drops=%llu rx_down=%llu rx_kicks=%llu tx_data=%llu "
		"tx_multi=%llu tx_spread=%llu rx_lost=%llu rx_resent=%llu "
		"rx_again=%llu\n",
		s->tx_frames, s->tx_bytes, s->tx_max, s->tx_gso, s->tx_kicks,
		s->rx_frames, s->rx_bytes, s->rx_max, s->rx_gso, s->rx_merged,
		s->rx_drops, s->rx_down, s->rx_kicks, s->tx_data, s->tx_multi,
		s->tx_spread, s->rx_lost, s->rx_resent, s->rx_again);
}

/**
 * vu_stop() - Stop the rings as qemu does when the VM stops
 */
static void vu_stop(void)
{
	unsigned i;

	if (vu_has(VU_F_PROTOCOL_FEATURES)) {
		vu_set_state(VU_SET_VRING_ENABLE, VU_RXQ, 0);
		vu_set_state(VU_SET_VRING_ENABLE, VU_TXQ, 0);
	}
	for (i = 0; i < 2; i++) {
		struct vu_vring_state s = { i, 0 };

		if (vu_send(VU_GET_VRING_BASE, 0, &s, sizeof(s), NULL, 0))
			exit(1);
		vu_reply(VU_GET_VRING_BASE, &s, sizeof(s));
		if (s.index != i)
			vu_fail("GET_VRING_BASE: reply for another queue",
				s.index);
		fprintf(stderr, "vu_client: queue %u stopped at %u "
			"(published %u)\n", i, s.num, vu.q[i].avail_idx);
	}
}

/**
 * vu_eventfd_clear() - Read an eventfd's counter, if set
 * @fd:		Descriptor
 */
static void vu_eventfd_clear(int fd)
{
	uint64_t v;

	if (read(fd, &v, sizeof(v)) < 0 && errno != EAGAIN)
		vu_fail("eventfd read failed, errno", (unsigned)errno);
}

/**
 * vu_sock_event() - Data or hang-up on the socket after set-up
 *
 * Return: 1 if the daemon closed the socket, 0 otherwise
 */
static int vu_sock_event(void)
{
	uint8_t buf[256];
	ssize_t n = recv(vu.sock, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return 1;
	fprintf(stderr, "vu_client: %zd unexpected bytes from the daemon\n",
		n);
	return 0;
}

/**
 * vu_signal() - Signal handler: note SIGUSR1, SIGUSR2, SIGTERM for the loop
 * @sig:	Signal
 */
static void vu_signal(int sig)
{
	if (sig == SIGUSR1)
		vu_sig_stats = 1;
	else if (sig == SIGUSR2)
		vu_sig_rx = 1;
	else
		vu_sig_stop = 1;
}

/**
 * vu_loop_once() - Wait for and handle one round of events
 *
 * Return: 1 once the daemon closed the socket, 0 otherwise
 */
static int vu_loop_once(void)
{
	struct pollfd pfd[5] = {
		{ vu.sock, POLLIN, 0 },
		{ vu.q[VU_RXQ].call, POLLIN, 0 },
		{ vu.q[VU_TXQ].call, POLLIN, 0 },
		{ vu.q[VU_TXQ].err, POLLIN, 0 },
		{ vu.tap, POLLIN, 0 },
	};
	nfds_t n = vu.q[VU_TXQ].nfree >= vu.tx_need ? 5 : 4;

	if (poll(pfd, n, -1) < 0) {
		if (errno != EINTR)
			vu_fail("poll failed, errno", (unsigned)errno);
		return 0;
	}
	if (pfd[0].revents && vu_sock_event())
		return 1;
	if (pfd[1].revents) {
		vu_eventfd_clear(vu.q[VU_RXQ].call);
		vu_rx_to_tap();
	}
	if (pfd[2].revents) {
		vu_eventfd_clear(vu.q[VU_TXQ].call);
		vu_tx_reclaim();
	}
	if (pfd[3].revents)
		vu_fail("the daemon signalled a TX queue error", 1);
	if (n == 5 && pfd[4].revents && vu_tx_from_tap())
		vu_fail("tap read failed, errno", (unsigned)errno);
	return 0;
}

/**
 * vu_usage() - Print usage and exit with status 2
 * @prog:	Program name
 */
static void vu_usage(const char *prog)
{
	fprintf(stderr, "Usage: %s [--no-offload] [--features MASK] "
		"[--ring N] [--rx-buf BYTES]\n"
		"       [--tx-seg BYTES] [--hdr-apart] [--indirect] "
		"[--hostile] [--regions 1|2] [--rx-late] [--trace]\n"
		"       [--rx-lose N]\n"
		"       SOCK IFNAME\n", prog);
	exit(2);
}

/**
 * vu_num() - Parse a number option within bounds
 * @s:		Text
 * @min:	Smallest value
 * @max:	Largest value
 * @prog:	Program name, for usage
 *
 * Return: value; exits with usage on errors
 */
static unsigned long long vu_num(const char *s, unsigned long long min,
				 unsigned long long max, const char *prog)
{
	unsigned long long v;
	char *end;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || end == s || v < min || v > max)
		vu_usage(prog);
	return v;
}

/**
 * vu_opts() - Parse options
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: virtio features to accept; optind points to SOCK
 */
static uint64_t vu_opts(int argc, char **argv)
{
	static const struct option o[] = {
		{ "no-offload", no_argument, NULL, 'n' },
		{ "features", required_argument, NULL, 'f' },
		{ "ring", required_argument, NULL, 'r' },
		{ "rx-buf", required_argument, NULL, 'b' },
		{ "tx-seg", required_argument, NULL, 's' },
		{ "hdr-apart", no_argument, NULL, 'a' },
		{ "indirect", no_argument, NULL, 'i' },
		{ "hostile", no_argument, NULL, 'h' },
		{ "regions", required_argument, NULL, 'g' },
		{ "trace", no_argument, NULL, 't' },
		{ "rx-late", no_argument, NULL, 'L' },
		{ "rx-lose", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	uint64_t offl = (1ULL << VIRTIO_NET_F_CSUM) |
			(1ULL << VIRTIO_NET_F_GUEST_CSUM) |
			(1ULL << VIRTIO_NET_F_GUEST_TSO4) |
			(1ULL << VIRTIO_NET_F_GUEST_TSO6) |
			(1ULL << VIRTIO_NET_F_HOST_TSO4) |
			(1ULL << VIRTIO_NET_F_HOST_TSO6);
	uint64_t want = offl | (1ULL << VIRTIO_F_VERSION_1) |
			(1ULL << VIRTIO_NET_F_MRG_RXBUF) |
			(1ULL << VIRTIO_RING_F_EVENT_IDX) |
			(1ULL << VU_F_PROTOCOL_FEATURES);
	int c;

	while ((c = getopt_long(argc, argv, "", o, NULL)) != -1) {
		switch (c) {
		case 'n': want &= ~offl; break;
		case 'f': want = vu_num(optarg, 0, ~0ULL, argv[0]); break;
		case 'r': vu.ring = (unsigned)vu_num(optarg, VU_RING_MIN,
						     VU_RING_MAX, argv[0]);
			  if (vu.ring & (vu.ring - 1))
				vu_usage(argv[0]);
			  break;
		case 'b': vu.rx_buf = vu_num(optarg, VU_BUF_MIN, VU_BUF_MAX,
					     argv[0]); break;
		case 's': vu_tx_seg = vu_num(optarg, VU_BUF_MIN, VU_BUF_MAX,
					     argv[0]); break;
		case 'a': vu.hdr_apart = 1; break;
		case 'h': vu.hostile = 1; break;
		case 'i': vu.indirect = 1;
			  want |= 1ULL << VIRTIO_RING_F_INDIRECT_DESC;
			  break;
		case 'g': vu.nregions = (unsigned)vu_num(optarg, 1, 2,
							 argv[0]); break;
		case 't': vu.trace = 1; break;
		case 'L': vu.rx_late = 1; break;
		case 'l': vu.rx_lose = (unsigned)vu_num(optarg, 1, VU_LOSE_MAX,
							argv[0]); break;
		default: vu_usage(argv[0]);
		}
	}
	if (argc - optind != 2)
		vu_usage(argv[0]);
	return want;
}

/**
 * vu_sizes() - Chain lengths from the negotiated header and buffer sizes
 *
 * Return: 0 on success, -1 if the ring can't hold one largest frame
 */
static int vu_sizes(void)
{
	size_t tx = vu.hdr_apart ? VU_FRAME_MAX : VU_FRAME_MAX + vu.hdr_len;

	vu.tx_need = (unsigned)((tx + vu_tx_seg - 1) / vu_tx_seg) +
		     (vu.hdr_apart ? 1 : 0);
	if (vu.hdr_apart && vu_tx_seg < vu.hdr_len)
		return -1;
	vu.rx_chain = 1;
	if (!vu_has(VIRTIO_NET_F_MRG_RXBUF))
		vu.rx_chain = (unsigned)((VU_FRAME_MAX + vu.hdr_len +
					  vu.rx_buf - 1) / vu.rx_buf);
	if (vu.rx_buf < vu.hdr_len)
		return -1;
	if (vu.tx_need + VU_HOSTILE_CNT > vu.ring || vu.tx_need > VU_IOV_MAX ||
	    vu.rx_chain > vu.ring)
		return -1;
	return 0;
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	Options, SOCK IFNAME
 *
 * Return: 0 when the daemon closed the socket or on SIGTERM, 1 on errors,
 * 2 on usage errors
 */
int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = vu_signal };
	uint64_t want = vu_opts(argc, argv);
	int done = 0;

	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (vu_sock_open(argv[optind])) {
		perror("vu_client: connect");
		return 1;
	}
	vu_negotiate(want);
	if (vu_sizes()) {
		fprintf(stderr, "vu_client: ring too small for the buffers\n");
		return 2;
	}
	if (vu_mem_setup() || vu_tap_open(argv[optind + 1])) {
		perror("vu_client: set-up");
		return 1;
	}
	vu_start();
	while (!done && !vu_sig_stop) {
		done = vu_loop_once();
		if (vu_sig_stats) {
			vu_sig_stats = 0;
			vu_stats_print();
		}
		if (vu_sig_rx) {
			vu_sig_rx = 0;
			vu_rx_late_post();
		}
	}
	if (!done)
		vu_stop();
	vu_stats_print();
	return 0;
}
