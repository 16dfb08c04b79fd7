/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_internal.h - UDP translation: state and helpers shared by udp*.c
 *
 * udp.c (flows, tap path, ICMP errors), udp_fwd.c (forwarded-port sockets,
 * "auto" scan) and udp_splice.c (loopback splice path) share one state
 * struct, struct udp_state, defined once in udp.c as "udp". Nothing else
 * may include this header; the Theory of Operation is in udp.c.
 */

#ifndef UDP_INTERNAL_H
#define UDP_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include "fwd.h"
#include "inany.h"
#include "passt.h"
#include "siphash.h"
#include "tap.h"
#include "udp_cmsg.h"
#include "util.h"

#define UDP_FLOW_MAX		4096	/* Flows tracked at most */
#define UDP_FLOW_MIN		16	/* Smallest table PASST_UDP_FLOW_MAX sets */
#define UDP_HASH_BUCKETS	8192	/* Power of two, > UDP_FLOW_MAX */
#define UDP_TIMEOUT_DEFAULT	180	/* Idle flow lifetime, seconds */
#define UDP_TIMEOUT_MAX		3600	/* Largest PASST_UDP_TIMEOUT */
#define UDP_MAX_FRAMES		64	/* Frames queued to the guest, per family */
#define UDP_SEND_BATCH		64	/* Datagrams per sendmmsg() */
#define UDP_GSO_SEGS_MAX	64	/* Datagrams per UDP_SEGMENT send */
#define UDP_GSO_BYTES_MAX	65507	/* Payload of one UDP_SEGMENT send */
#define UDP_READ_ROUNDS		4	/* recvmmsg() calls per event at most */
#define UDP_SOCK_BUF		(4 * 1024 * 1024)	/* SO_RCVBUF/SO_SNDBUF */
#define UDP_NS_POOL		16	/* Spare namespace sockets per family */
#define UDP_PROC_BUF		65536	/* Read size for /proc/net/udp */
#define UDP_DNS_PORT		53
#define UDP_GSO_SEGS		UDP_MAX_FRAMES	/* Datagrams per super-frame */

/* Linux 6.2 uAPI, here for older headers */
#define UDP_TUN_F_USO4		0x20	/* TUN_F_USO4 */
#define UDP_TUN_F_USO6		0x40	/* TUN_F_USO6 */
#define UDP_VIRTIO_GSO_UDP_L4	5	/* VIRTIO_NET_HDR_GSO_UDP_L4 */

/* Frame slot layout: struct tap_hdr at 0, Ethernet header placed so that
 * the IP header is 8-byte aligned (the back-end header is a separate iovec)
 */
#define UDP_OFF_L2		(ROUND_UP(sizeof(struct tap_hdr) + L2_HLEN, 8) - \
				 L2_HLEN)
#define UDP_OFF_L3		(UDP_OFF_L2 + L2_HLEN)
#define UDP_OFF_L4(v6)		(UDP_OFF_L3 + ((v6) ? sizeof(struct ipv6hdr) : \
						      sizeof(struct iphdr)))
#define UDP_OFF_DATA(v6)	(UDP_OFF_L4(v6) + sizeof(struct udphdr))
/* Largest payload so that the IP packet fits ETH_MAX_MTU */
#define UDP_DLEN_MAX(v6)	(ETH_MAX_MTU - UDP_OFF_DATA(v6) + UDP_OFF_L3)
#define UDP_FRAME_BYTES		ROUND_UP(UDP_OFF_L3 + ETH_MAX_MTU, 64)

static_assert(UDP_HASH_BUCKETS > UDP_FLOW_MAX, "hash too small");
static_assert((UDP_HASH_BUCKETS & (UDP_HASH_BUCKETS - 1)) == 0,
	      "hash buckets must be a power of two");
static_assert(UDP_FLOW_MAX <= 1 << 16, "flow index must fit 16 bits");
static_assert(UDP_OFF_L2 + TAP_FRAME_MAX <= UDP_FRAME_BYTES,
	      "frame slot must hold the largest frame");
static_assert(UDP_OFF_L3 % 8 == 0, "IP header must be aligned");
static_assert(UDP_OFF_L2 >= sizeof(struct tap_hdr), "room for tap_hdr");
static_assert(UDP_MAX_FRAMES <= UDP_SEND_BATCH,
	      "splice batches reuse the send scratch");

/* Reference data bits */
#define UDP_REF_PORT_MASK	0xffffU
#define UDP_REF_SIDE_NS		(1U << 16)
#define UDP_REF_V6		(1U << 17)

/**
 * enum udp_side - Which network namespace a socket lives in
 * @UDP_SIDE_HOST:	passt/pasta's own (init) namespace
 * @UDP_SIDE_NS:	pasta's target namespace
 */
enum udp_side {
	UDP_SIDE_HOST = 0,
	UDP_SIDE_NS = 1,
};

/**
 * enum udp_flow_type - Kind of flow, see Theory of Operation
 * @UDP_FLOW_FREE:	Slot unused
 * @UDP_FLOW_TAP_OUT:	Guest to far peer, flow owns a connected host socket
 * @UDP_FLOW_TAP_IN:	Peer to forwarded port, delivered to the guest
 * @UDP_FLOW_SPLICE:	Loopback peer to forwarded port, socket to socket
 */
enum udp_flow_type {
	UDP_FLOW_FREE = 0,
	UDP_FLOW_TAP_OUT,
	UDP_FLOW_TAP_IN,
	UDP_FLOW_SPLICE,
};

/**
 * enum udp_key_kind - Meaning of a lookup key
 * @UDP_KEY_TAP:	@a/@ap guest address/port, @b/@bp far address/port
 * @UDP_KEY_SPLICE_HOST: @a/@ap peer of a host-side listening socket,
 *			 @b/@bp local address it sent to and listening port
 * @UDP_KEY_SPLICE_NS:	 Same, namespace-side listening socket
 */
enum udp_key_kind {
	UDP_KEY_TAP = 1,
	UDP_KEY_SPLICE_HOST,
	UDP_KEY_SPLICE_NS,
};

/**
 * struct udp_key - Hash key of a flow, no implicit padding
 * @a:		First address
 * @b:		Second address
 * @ap:		First port, host order
 * @bp:		Second port, host order
 * @kind:	enum udp_key_kind
 * @pad:	Zero
 */
struct udp_key {
	union inany_addr a;
	union inany_addr b;
	uint16_t ap;
	uint16_t bp;
	uint8_t kind;
	uint8_t pad[3];
};

/**
 * struct udp_flow - One tracked flow
 * @key:	Lookup key (see enum udp_key_kind)
 * @type:	enum udp_flow_type
 * @side:	TAP_IN, SPLICE: side of the listening socket
 * @v6:		IPv6 flow
 * @gen:	Generation, bumped on close: stale epoll events are ignored
 * @gso_bad:	Smallest datagram length UDP_SEGMENT failed with, 0 if none
 * @lport:	TAP_IN, SPLICE: listening port, host order
 * @rport:	TAP_IN, SPLICE: peer's port, host order
 * @raddr:	TAP_IN, SPLICE: peer's address (replies go there)
 * @gaddr:	TAP_OUT, TAP_IN: guest address frames are sent to
 * @laddr:	TAP_IN, SPLICE: local address the peer sent to, replies come
 *		from it (see udp_cmsg.c); unspecified: the kernel picks
 * @sock:	TAP_OUT: host socket; SPLICE: socket on the other side; or -1
 * @label:	IPv6 flow label of frames to the guest
 * @hnext:	Next flow in the hash bucket, -1 for none
 * @prev:	LRU neighbour used more recently, -1 at the head
 * @next:	LRU neighbour used less recently, -1 at the tail; free list link
 * @last:	Last activity, seconds (CLOCK_MONOTONIC)
 */
struct udp_flow {
	struct udp_key key;
	uint8_t type;
	uint8_t side;
	bool v6;
	uint16_t gen;
	uint16_t gso_bad;
	uint16_t lport;
	uint16_t rport;
	union inany_addr raddr;
	union inany_addr gaddr;
	union inany_addr laddr;
	int sock;
	uint32_t label;
	int32_t hnext;
	int32_t prev;
	int32_t next;
	time_t last;
};

/**
 * struct udp_txq - Frames to the guest for one IP version
 * @buf:	Frame slots: [tap_hdr][Ethernet][IP][UDP][payload]
 * @order:	Permutation of slots: @order[0..@nq) are queued, rest free
 * @nq:		Frames queued
 * @l2len:	Per slot, L2 length of the frame, bytes
 * @dlen:	Per slot, UDP payload length, bytes
 * @name:	Per slot, source address from recvmmsg()
 * @ctl:	Per slot, control messages from recvmmsg(): local address
 * @mm:		recvmmsg() headers, by position after @nq
 * @iov:	recvmmsg() payload vectors, by position after @nq
 * @tx:		tap_send_frames() vectors, two per queued frame
 * @gso_iov:	Vectors of one UDP super-frame
 */
struct udp_txq {
	uint8_t buf[UDP_MAX_FRAMES][UDP_FRAME_BYTES] __attribute__((aligned(64)));
	uint16_t order[UDP_MAX_FRAMES];
	size_t nq;
	size_t l2len[UDP_MAX_FRAMES];
	size_t dlen[UDP_MAX_FRAMES];
	struct sockaddr_in6 name[UDP_MAX_FRAMES];
	union udp_cmsg ctl[UDP_MAX_FRAMES];
	struct mmsghdr mm[UDP_MAX_FRAMES];
	struct iovec iov[UDP_MAX_FRAMES];
	struct iovec tx[UDP_MAX_FRAMES][2];
	struct iovec gso_iov[UDP_MAX_FRAMES + 1];
};

/**
 * struct udp_nspool - Unbound namespace-side sockets, ready for flows
 * @fd:		Sockets, per IP version
 * @cnt:	Sockets held, per IP version
 */
struct udp_nspool {
	int fd[2][UDP_NS_POOL];
	size_t cnt[2];
};

/**
 * struct udp_state - All state of this file
 * @hash_key:	SipHash key, random at start-up
 * @timeout:	Idle flow lifetime, seconds
 * @flow_max:	Flows tracked at most (table size in use)
 * @flow_cnt:	Flows in use
 * @flows:	Flow table
 * @bucket:	Hash buckets: first flow index, -1 if empty
 * @lru_head:	Most recently used flow, -1 if none
 * @lru_tail:	Least recently used flow, -1 if none
 * @free_head:	First free flow slot, -1 if none
 * @listen:	Listening socket per [side][v6][port], -1 if none
 * @warned:	Ports whose bind failure was reported, per [side][v6]
 * @txq:	Frames to the guest, per IP version
 * @mm:		sendmmsg() headers, guest to host and splice
 * @iov:	sendmmsg() vectors
 * @sa:		sendmmsg() destinations, splice replies
 * @cmsg:	sendmmsg() control messages: source address, UDP_SEGMENT
 * @nspool:	pasta: spare namespace-side sockets
 * @proc_fd:	"auto": /proc/net/udp and udp6 per [side][v6], -1 if closed
 * @proc_buf:	Read buffer for @proc_fd
 * @scan:	Scratch bitmap of ports found bound
 * @err_buf:	Error queue payload buffer
 */
struct udp_state {
	struct siphash_key hash_key;
	time_t timeout;
	unsigned flow_max;
	unsigned flow_cnt;
	struct udp_flow flows[UDP_FLOW_MAX];
	int32_t bucket[UDP_HASH_BUCKETS];
	int32_t lru_head;
	int32_t lru_tail;
	int32_t free_head;
	int listen[2][2][NUM_PORTS];
	uint8_t warned[2][2][FWD_BITMAP_BYTES];
	struct udp_txq txq[2];
	struct mmsghdr mm[UDP_SEND_BATCH];
	struct iovec iov[UDP_SEND_BATCH];
	struct sockaddr_in6 sa[UDP_SEND_BATCH];
	union udp_cmsg cmsg[UDP_SEND_BATCH];
	struct udp_nspool nspool;
	int proc_fd[2][2];
	char proc_buf[UDP_PROC_BUF + 1];
	uint8_t scan[FWD_BITMAP_BYTES];
	uint8_t err_buf[TAP_ICMP6_QUOTE];
};

extern struct udp_state udp;

/* Helpers in udp.c used by udp_fwd.c and udp_splice.c */
void udp_drop(struct ctx *c, unsigned long long *ctr, size_t n);
socklen_t udp_sa_set(struct sockaddr_in6 *sa, const union inany_addr *a,
		     uint16_t port, bool v6);
void udp_sa_get(const struct sockaddr_in6 *sa, union inany_addr *a,
		uint16_t *port);
void udp_loopback(union inany_addr *a, bool v6);
bool udp_is_loopback(const union inany_addr *a);
bool udp_is_unspec(const union inany_addr *a);
void udp_ctx_addr(union inany_addr *a, bool v6,
		  const struct in_addr *a4, const struct in6_addr *a6);
void udp_key_splice(struct udp_key *k, enum udp_side side,
		    const union inany_addr *raddr, uint16_t rport,
		    const union inany_addr *laddr, uint16_t lport);
int udp_flow_lookup(const struct udp_key *k);
void udp_flow_touch(int32_t i, const struct timespec *now);
void udp_flow_close(const struct ctx *c, int32_t i);
int32_t udp_flow_new(const struct ctx *c, const struct udp_key *k,
		     enum udp_flow_type type, bool v6,
		     const struct timespec *now);
bool udp_flow_evict_sock(const struct ctx *c, int32_t keep);
int udp_sock_opts(int fd, bool v6, bool recverr);
int udp_sock_new(const struct ctx *c, bool v6, bool recverr,
		 int32_t keep);
int udp_sock_bind(int fd, const union inany_addr *a, uint16_t port,
		  bool v6);
int udp_sock_bind_connect(int fd, const union inany_addr *baddr,
			  uint16_t bport, const union inany_addr *daddr,
			  uint16_t dport, bool v6);
int udp_flow_sock_add(const struct ctx *c, int32_t i);
size_t udp_send_batch(struct ctx *c, int fd, struct mmsghdr *mm,
		      size_t n, uint16_t *gso_bad);

#endif /* UDP_INTERNAL_H */
