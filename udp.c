// SPDX-License-Identifier: GPL-2.0-or-later
/* udp.c - UDP translation: flows, tap input, socket handlers
 *
 * Theory of Operation
 * ===================
 *
 * UDP has no connections, so this file keeps "flows": the state that lets a
 * reply find its way back, and that lets a guest use port-based protocols
 * through host sockets. All state lives in struct udp_state (see its
 * comment in udp_internal.h), defined once here as "udp" and shared with
 * udp_fwd.c (forwarded-port sockets, "auto" scan), udp_splice.c
 * (loopback splice path), udp_tap.c (frames to the guest: headers,
 * checksums, USO super-frames, udp_flush()), udp_err.c (EPOLLERR: the
 * error queue and ICMP errors to the guest) and udp_cmsg.c (control
 * messages: local address of a datagram, source address and UDP_SEGMENT
 * of a send); nothing is allocated, the
 * flow table is a fixed array. This file holds the flow table, sockets,
 * the guest-to-host path and the socket event handlers.
 *
 * Flow types
 * ----------
 * - UDP_FLOW_TAP_OUT: the guest sent a datagram (from the tap) to a far
 *   address. We open a host socket, bind it to the guest's source port
 *   where the port is free (else an ephemeral one), and connect() it to the
 *   target. The target is the guest's destination, translated by nat.c:
 *   the map_host_loopback address (the gateway unless --no-map-gw) becomes
 *   the host's 127.0.0.1/::1, the map_guest_addr one the host's own
 *   address, and the --dns-forward address on port 53 the host's first
 *   resolver; the host's loopback addresses, broadcast, multicast
 *   and link-local destinations are refused (counted as "no flow"). A
 *   connected socket receives only from its target, and
 *   the kernel prefers it over any wildcard socket bound to the same port
 *   (test/platform/udp_connected_wins.c proves this), so everything read
 *   from it is a reply for this flow: it goes to the guest from the address
 *   and port the guest sent to.
 * - UDP_FLOW_TAP_IN: a host peer sent to a forwarded port (-u), received on
 *   the listening socket, and not spliced. The datagram goes to the guest's
 *   port (remapped by the -u delta) from the peer's address, or, if the
 *   peer is loopback or uses the guest's own address, from the address
 *   nat.c maps it to (map_guest_addr, map_host_loopback, else the gateway
 *   all the same with --no-map-gw: the guest would drop datagrams from its
 *   own address). The flow owns no socket: the guest's replies are sent
 *   from the listening socket, so they leave from the port the peer sent
 *   to, and from the address it sent to (the flow keeps the local address
 *   of the peer's latest datagram, udp_cmsg.c).
 * - UDP_FLOW_SPLICE (pasta): a loopback peer sent to a forwarded port on
 *   one side (-u: host side, -U: namespace side). Whether a datagram from a
 *   listening socket is spliced is decided per datagram by its source
 *   address, not per socket. The flow owns a socket on the other side,
 *   bound to the peer's port where possible and connected to the target
 *   port there (loopback for -U and with --host-lo-to-ns-lo, else the
 *   namespace's address). Datagrams move socket to socket with
 *   recvmmsg()/sendmmsg(); replies read from the flow socket go back
 *   through the listening socket to the peer, from the local address it
 *   sent to (udp_cmsg.c).
 *
 * Lookup: flows are hashed (SipHash, key drawn at start) on a key whose
 * meaning depends on the kind: for TAP_OUT flows the guest-side 4-tuple
 * (guest address and port, far address and port as the guest sees them);
 * for TAP_IN flows the same without the guest address, as the guest may
 * answer from another of its addresses (a guest datagram matching no
 * TAP_OUT flow is looked up that way, and its source becomes the address
 * the flow's frames go to); for spliced ones the peer's address and port,
 * the local address it sent to, the listening port and the side.
 *
 * Life of a flow: created by the first datagram, touched (moved to the
 * head of an LRU list) by every batch of traffic in either direction, and
 * closed by udp_timer() once idle for UDP_TIMEOUT_DEFAULT seconds (180).
 * When the table is full, or socket() says the process is out of file
 * descriptors, the least recently used flow is closed and reused, so a
 * flood of source ports cannot exhaust descriptors; the table holds at
 * most UDP_FLOW_MAX flows and a quarter of RLIMIT_NOFILE. For tests only, the
 * environment variables PASST_UDP_TIMEOUT (seconds, 1..3600) and
 * PASST_UDP_FLOW_MAX (16..UDP_FLOW_MAX) override the timeout and the table
 * size; they are read once in udp_init().
 *
 * Epoll references: EPOLL_TYPE_UDP_LISTEN carries the port (bits 0-15),
 * the side (bit 16: 0 host, 1 namespace) and IPv6 (bit 17);
 * EPOLL_TYPE_UDP_REPLY carries the flow index (bits 0-15) and the flow's
 * generation (bits 16-31), so an event for a socket closed earlier in the
 * same batch is recognised and ignored.
 *
 * Host to guest: recvmmsg() writes payloads straight into frame buffers
 * whose Ethernet, IP and UDP headers are then filled in place by
 * udp_tap.c, which also holds the checksums, super-frames and flush below.
 * Frames are
 * queued and sent by udp_flush(), called by passt.c after each batch of
 * events, or earlier when the queue is full. Slots are handed out through
 * a permutation (@order), so slots used by spliced datagrams are reused
 * without copying queued ones. Checksums: passt computes each datagram's;
 * pasta, whose tap carries a virtio-net header, leaves the pseudo-header
 * sum with VIRTIO_NET_HDR_F_NEEDS_CSUM for the kernel to complete, and
 * where the tap has USO (TUN_F_USO4/6, Linux 6.2) merges consecutive
 * queued datagrams of one flow and one length (the last may be shorter)
 * into one super-frame (VIRTIO_NET_HDR_GSO_UDP_L4, gso_size the length):
 * the kernel splits it back into the same datagrams, for one write.
 *
 * Guest to host: udp_tap_handler() gets one flow's datagrams per call and
 * sends them with one sendmmsg() per UDP_SEND_BATCH. Consecutive datagrams
 * of one length (the last may be shorter) go as one message with
 * UDP_SEGMENT (Linux 4.18): one pass through the host's stack for up to
 * UDP_GSO_SEGS_MAX of them, split back into the same datagrams at the
 * device or by the receiving socket. Where the kernel refuses that (the
 * path MTU is smaller than the datagrams, say), the message is sent
 * datagram by datagram and the flow stops merging datagrams that long.
 *
 * Errors (udp_err.c): flow sockets set IP_RECVERR/IPV6_RECVERR; on
 * EPOLLERR the error queue is read and ICMP errors (port unreachable and
 * others) are rebuilt towards the guest with the original datagram quoted.
 * Other sockets just clear SO_ERROR (the error queue, EPOLLERR and the
 * /proc/net/udp states used below are probed by
 * test/platform/udp_connected_wins.c too). Every dropped datagram is
 * counted in c->stats.udp_drop and in one of the finer udp_drop_* counters.
 *
 * Forwarded ports: udp_init() binds -u ports on the host and, in pasta, -U
 * ports in the namespace (on loopback unless an address was given), with
 * sockets created there through ns_call(). In "auto" mode udp_timer()
 * reads the other side's /proc/net/udp and udp6 every second (files opened
 * at set-up, re-read with pread()), and binds or closes ports to match,
 * ignoring ports we bound ourselves. Unconnected sockets only count
 * (state 07): connected flow sockets, ours included, are not services.
 * Namespace-side sockets for splice flows come from a small pool created
 * through ns_call() and topped up by the timer; bind() and connect() work
 * on them from outside the namespace.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <net/if.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>
#include <sys/epoll.h>

#include "checksum.h"
#include "fwd.h"
#include "inany.h"
#include "log.h"
#include "nat.h"
#include "packet.h"
#include "passt.h"
#include "siphash.h"
#include "tap.h"
#include "udp.h"
#include "udp_cmsg.h"
#include "udp_err.h"
#include "udp_fwd.h"
#include "udp_internal.h"
#include "udp_splice.h"
#include "udp_tap.h"
#include "util.h"

/* All UDP state, shared with udp_fwd.c and udp_splice.c (udp_internal.h) */
struct udp_state udp;

static const char *const udp_flow_type_str[] = {
	"free", "tap-out", "tap-in", "splice",
};

/**
 * udp_drop() - Count dropped datagrams
 * @c:		Execution context
 * @ctr:	Finer counter in c->stats
 * @n:		Datagrams dropped
 */
void udp_drop(struct ctx *c, unsigned long long *ctr, size_t n)
{
	c->stats.udp_drop += n;
	*ctr += n;
}

/* Addresses and socket addresses */

/**
 * udp_sa_set() - Fill a socket address
 * @sa:		Storage (output), big enough for IPv6
 * @a:		Address (IPv4 as v4-mapped)
 * @port:	Port, host order
 * @v6:		Make an IPv6 socket address
 *
 * Return: length of the socket address
 */
socklen_t udp_sa_set(struct sockaddr_in6 *sa, const union inany_addr *a,
		     uint16_t port, bool v6)
{
	memset(sa, 0, sizeof(*sa));
	if (v6) {
		sa->sin6_family = AF_INET6;
		sa->sin6_port = htons(port);
		sa->sin6_addr = a->a6;
		return sizeof(*sa);
	} else {
		struct sockaddr_in *sa4 = (struct sockaddr_in *)(void *)sa;

		sa4->sin_family = AF_INET;
		sa4->sin_port = htons(port);
		sa4->sin_addr = a->v4mapped.a4;
		return sizeof(*sa4);
	}
}

/**
 * udp_sa_get() - Read a socket address filled by the kernel
 * @sa:		Socket address, AF_INET or AF_INET6
 * @a:		Address (output)
 * @port:	Port, host order (output)
 */
void udp_sa_get(const struct sockaddr_in6 *sa, union inany_addr *a,
		uint16_t *port)
{
	if (sa->sin6_family == AF_INET6) {
		a->a6 = sa->sin6_addr;
		*port = ntohs(sa->sin6_port);
	} else {
		const struct sockaddr_in *sa4 = (const void *)sa;

		inany_from_v4(a, sa4->sin_addr);
		*port = ntohs(sa4->sin_port);
	}
}

/**
 * udp_ntop() - Format an address for logs
 * @a:		Address, IPv4 as v4-mapped
 * @buf:	Buffer (output)
 * @len:	Its size, at least INET6_ADDRSTRLEN
 *
 * Return: @buf
 */
static const char *udp_ntop(const union inany_addr *a, char *buf, size_t len)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4)
		return inet_ntop(AF_INET, a4, buf, (socklen_t)len);
	return inet_ntop(AF_INET6, &a->a6, buf, (socklen_t)len);
}

/**
 * udp_loopback() - Loopback address of an IP version
 * @a:		Address (output)
 * @v6:		IPv6
 */
void udp_loopback(union inany_addr *a, bool v6)
{
	struct in_addr lo4 = { .s_addr = htonl(INADDR_LOOPBACK) };

	if (v6)
		a->a6 = in6addr_loopback;
	else
		inany_from_v4(a, lo4);
}

/**
 * udp_is_loopback() - Is an address loopback?
 * @a:		Address, IPv4 as v4-mapped
 *
 * Return: true for 127.0.0.0/8 and ::1
 */
bool udp_is_loopback(const union inany_addr *a)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4)
		return in4_is_loopback(a4);
	return IN6_IS_ADDR_LOOPBACK(&a->a6);
}

/**
 * udp_is_unspec() - Is an address unspecified (0.0.0.0 or ::)?
 * @a:		Address, IPv4 as v4-mapped
 *
 * Return: true if unspecified
 */
bool udp_is_unspec(const union inany_addr *a)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4)
		return in4_is_unspec(a4);
	return IN6_IS_ADDR_UNSPECIFIED(&a->a6);
}

/**
 * udp_is_unroutable() - Is a guest destination one we don't forward?
 * @a:		Address, IPv4 as v4-mapped
 *
 * Return: true for unspecified, broadcast, multicast and link-local
 */
static bool udp_is_unroutable(const union inany_addr *a)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4) {
		uint32_t h = ntohl(a4->s_addr);

		return !h || h == INADDR_BROADCAST || IN_MULTICAST(h);
	}
	return IN6_IS_ADDR_UNSPECIFIED(&a->a6) ||
	       IN6_IS_ADDR_MULTICAST(&a->a6) || IN6_IS_ADDR_LINKLOCAL(&a->a6);
}

/**
 * udp_ctx_addr() - Fetch one of the configured addresses as an inany
 * @a:		Address (output)
 * @v6:		IPv6
 * @a4:		IPv4 address
 * @a6:		IPv6 address
 */
void udp_ctx_addr(union inany_addr *a, bool v6,
		  const struct in_addr *a4, const struct in6_addr *a6)
{
	if (v6)
		a->a6 = *a6;
	else
		inany_from_v4(a, *a4);
}

/**
 * udp_guest_to_host() - Translate a guest's destination to a host target
 * @c:		Execution context
 * @v6:		IPv6
 * @addr:	Guest's destination, replaced by the target (input/output)
 * @port:	Guest's destination port, replaced by the target's (in/out)
 *
 * Return: true if the destination can be reached, false to drop
 */
static bool udp_guest_to_host(const struct ctx *c, bool v6,
			      union inany_addr *addr, uint16_t *port)
{
	(void)v6;
	switch (nat_outbound(c, addr, *port)) {
	case NAT_OUT_NONE:
		return false;
	case NAT_OUT_SAME:
		break;
	default:
		return true;
	}
	/* The host's loopback is reachable only through the mapping */
	return !udp_is_unroutable(addr) && !udp_is_loopback(addr);
}

/**
 * udp_host_to_guest() - Source address a host peer appears with to the guest
 * @c:		Execution context
 * @v6:		IPv6
 * @src:	Peer's address, replaced by what the guest sees (input/output)
 * @sport:	Peer's port, host order
 *
 * Peers on the host itself are shown through nat_inbound(): the guest's
 * own address as --map-guest-addr, loopback (and, without that mapping,
 * the guest's own address) as --map-host-loopback, or with --no-map-gw as
 * the gateway all the same, as for TCP: the flow, not the address, carries
 * the guest's replies back. The host's resolver on port 53 appears as the
 * --dns-forward address. A loopback peer can't be shown without any
 * gateway.
 *
 * Return: true if the peer can be shown to the guest, false to drop
 */
static bool udp_host_to_guest(const struct ctx *c, bool v6,
			      union inany_addr *src, uint16_t sport)
{
	(void)v6;
	if (nat_inbound(c, src, sport) == NAT_IN_UNMAPPED)
		return !udp_is_loopback(src);
	return true;
}

/**
 * udp_guest_addr() - Guest address a datagram from @src is delivered to
 * @c:		Execution context
 * @v6:		IPv6
 * @src:	Source as the guest sees it
 * @dst:	Guest address (output)
 */
static void udp_guest_addr(const struct ctx *c, bool v6,
			   const union inany_addr *src, union inany_addr *dst)
{
	if (v6)
		dst->a6 = *tap_ip6_daddr(c, &src->a6);
	else
		inany_from_v4(dst, tap_ip4_daddr(c));
}

/* Flow table */

/**
 * udp_key_bucket() - Hash bucket of a key
 * @k:		Key
 *
 * Return: bucket index
 */
static size_t udp_key_bucket(const struct udp_key *k)
{
	return siphash_2_4(&udp.hash_key, k, sizeof(*k)) &
	       (UDP_HASH_BUCKETS - 1);
}

/**
 * udp_key_tap() - Build the key of a tap flow
 * @k:		Key (output)
 * @gaddr:	Guest address
 * @gport:	Guest port, host order
 * @faddr:	Far address, as the guest sees it
 * @fport:	Far port, host order
 */
static void udp_key_tap(struct udp_key *k, const union inany_addr *gaddr,
			uint16_t gport, const union inany_addr *faddr,
			uint16_t fport)
{
	memset(k, 0, sizeof(*k));
	k->kind = UDP_KEY_TAP;
	k->a = *gaddr;
	k->ap = gport;
	k->b = *faddr;
	k->bp = fport;
}

/**
 * udp_key_splice() - Build the key of a spliced flow
 * @k:		Key (output)
 * @side:	Side of the listening socket
 * @raddr:	Peer address
 * @rport:	Peer port, host order
 * @laddr:	Local address the peer sent to, unspecified if not known
 * @lport:	Listening port, host order
 */
void udp_key_splice(struct udp_key *k, enum udp_side side,
		    const union inany_addr *raddr, uint16_t rport,
		    const union inany_addr *laddr, uint16_t lport)
{
	memset(k, 0, sizeof(*k));
	k->kind = side == UDP_SIDE_HOST ? UDP_KEY_SPLICE_HOST :
					  UDP_KEY_SPLICE_NS;
	k->a = *raddr;
	k->ap = rport;
	k->b = *laddr;
	k->bp = lport;
}

/**
 * udp_flow_lookup() - Find a flow by key
 * @k:		Key
 *
 * Return: flow index, -1 if none
 */
int udp_flow_lookup(const struct udp_key *k)
{
	int32_t i;

	for (i = udp.bucket[udp_key_bucket(k)]; i >= 0; i = udp.flows[i].hnext)
		if (!memcmp(&udp.flows[i].key, k, sizeof(*k)))
			return i;
	return -1;
}

/**
 * udp_lru_unlink() - Take a flow out of the LRU list
 * @i:		Flow index
 */
static void udp_lru_unlink(int32_t i)
{
	struct udp_flow *f = &udp.flows[i];

	if (f->prev >= 0)
		udp.flows[f->prev].next = f->next;
	else
		udp.lru_head = f->next;
	if (f->next >= 0)
		udp.flows[f->next].prev = f->prev;
	else
		udp.lru_tail = f->prev;
	f->prev = f->next = -1;
}

/**
 * udp_lru_push() - Put a flow at the head (most recent) of the LRU list
 * @i:		Flow index, not in the list
 */
static void udp_lru_push(int32_t i)
{
	struct udp_flow *f = &udp.flows[i];

	f->prev = -1;
	f->next = udp.lru_head;
	if (udp.lru_head >= 0)
		udp.flows[udp.lru_head].prev = i;
	else
		udp.lru_tail = i;
	udp.lru_head = i;
}

/**
 * udp_flow_touch() - Record activity on a flow
 * @i:		Flow index
 * @now:	Current time
 */
void udp_flow_touch(int32_t i, const struct timespec *now)
{
	udp.flows[i].last = now->tv_sec;
	if (udp.lru_head != i) {
		udp_lru_unlink(i);
		udp_lru_push(i);
	}
}

/**
 * udp_flow_close() - Close a flow: socket, hash, LRU; slot to the free list
 * @c:		Execution context
 * @i:		Flow index
 *
 * #syscalls close
 */
void udp_flow_close(const struct ctx *c, int32_t i)
{
	struct udp_flow *f = &udp.flows[i];
	int32_t *pp = &udp.bucket[udp_key_bucket(&f->key)];

	debug("UDP: %s flow %i closed", udp_flow_type_str[f->type], i);
	if (f->sock >= 0) {
		epoll_del(c, f->sock);
		close(f->sock);
	}
	while (*pp >= 0 && *pp != i)
		pp = &udp.flows[*pp].hnext;
	if (*pp == i)
		*pp = f->hnext;
	udp_lru_unlink(i);
	f->type = UDP_FLOW_FREE;
	f->sock = -1;
	f->gen++;
	f->next = udp.free_head;
	udp.free_head = i;
	udp.flow_cnt--;
}

/**
 * udp_flow_new() - Take a free flow slot, evicting the oldest flow if full
 * @c:		Execution context
 * @k:		Key of the new flow
 * @type:	enum udp_flow_type
 * @v6:		IPv6 flow
 * @now:	Current time
 *
 * Return: flow index, hashed and at the LRU head, with no socket
 */
int32_t udp_flow_new(const struct ctx *c, const struct udp_key *k,
		     enum udp_flow_type type, bool v6,
		     const struct timespec *now)
{
	struct udp_flow *f;
	int32_t i;
	size_t b;

	if (udp.flow_cnt >= udp.flow_max || udp.free_head < 0)
		udp_flow_close(c, udp.lru_tail);
	i = udp.free_head;
	f = &udp.flows[i];
	udp.free_head = f->next;
	udp.flow_cnt++;

	f->key = *k;
	f->gaddr = k->a;
	f->type = (uint8_t)type;
	f->v6 = v6;
	f->sock = -1;
	f->side = UDP_SIDE_HOST;
	f->lport = f->rport = 0;
	f->gso_bad = 0;
	memset(&f->raddr, 0, sizeof(f->raddr));
	memset(&f->laddr, 0, sizeof(f->laddr));
	f->label = tap_flow_label(k, sizeof(*k));
	b = udp_key_bucket(k);
	f->hnext = udp.bucket[b];
	udp.bucket[b] = i;
	f->prev = f->next = -1;
	udp_lru_push(i);
	f->last = now->tv_sec;
	return i;
}

/**
 * udp_flow_evict_sock() - Close the least recently used flow owning a socket
 * @c:		Execution context
 * @keep:	Flow index not to close, -1 for none
 *
 * Return: true if a flow was closed
 */
bool udp_flow_evict_sock(const struct ctx *c, int32_t keep)
{
	int32_t i;

	for (i = udp.lru_tail; i >= 0; i = udp.flows[i].prev) {
		if (i != keep && udp.flows[i].sock >= 0) {
			udp_flow_close(c, i);
			return true;
		}
	}
	return false;
}

/* Sockets */

/**
 * udp_sock_opts() - Set the options of a new UDP socket
 * @fd:		Socket
 * @v6:		IPv6 socket
 * @recverr:	Queue ICMP errors (IP_RECVERR/IPV6_RECVERR)
 *
 * Failures other than IPV6_V6ONLY only cost performance or ICMP errors.
 *
 * Return: 0 on success, -1 if the socket can't be used
 *
 * #syscalls setsockopt
 */
int udp_sock_opts(int fd, bool v6, bool recverr)
{
	int y = 1, sz = UDP_SOCK_BUF;

	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &y, sizeof(y));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	if (v6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &y, sizeof(y)))
		return -1;
	if (recverr && v6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &y, sizeof(y));
	else if (recverr)
		setsockopt(fd, IPPROTO_IP, IP_RECVERR, &y, sizeof(y));
	return 0;
}

/**
 * udp_sock_new() - Open a UDP socket in our namespace, evicting on EMFILE
 * @c:		Execution context
 * @v6:		IPv6 socket
 * @recverr:	Queue ICMP errors
 * @keep:	Flow index not to evict, -1 for none
 *
 * Return: socket, or -1 with errno set
 *
 * #syscalls socket close
 */
int udp_sock_new(const struct ctx *c, bool v6, bool recverr,
		 int32_t keep)
{
	int fd, tries;

	for (tries = 0; tries < 2; tries++) {
		fd = socket(v6 ? AF_INET6 : AF_INET,
			    SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
			    IPPROTO_UDP);
		if (fd >= 0)
			break;
		if ((errno != EMFILE && errno != ENFILE) ||
		    !udp_flow_evict_sock(c, keep))
			return -1;
	}
	if (fd < 0)
		return -1;
	if (fd > FD_REF_MAX || udp_sock_opts(fd, v6, recverr)) {
		close(fd);
		errno = EBADF;
		return -1;
	}
	return fd;
}

/**
 * udp_sock_bind() - Bind a socket to an address and port
 * @fd:		Socket
 * @a:		Address, unspecified for any
 * @port:	Port, host order, 0 for ephemeral
 * @v6:		IPv6 socket
 *
 * Return: 0 on success, -1 with errno set
 *
 * #syscalls bind
 */
int udp_sock_bind(int fd, const union inany_addr *a, uint16_t port,
		  bool v6)
{
	struct sockaddr_in6 sa;
	socklen_t sl = udp_sa_set(&sa, a, port, v6);

	return bind(fd, (struct sockaddr *)&sa, sl);
}

/**
 * udp_sock_bind_connect() - Bind to a port (else ephemeral), connect
 * @fd:		Socket
 * @baddr:	Bind address, unspecified for any
 * @bport:	Preferred local port, host order, 0 for ephemeral
 * @daddr:	Target address
 * @dport:	Target port, host order
 * @v6:		IPv6 socket
 *
 * Return: 0 on success, -1 with errno set
 *
 * #syscalls bind connect
 */
int udp_sock_bind_connect(int fd, const union inany_addr *baddr,
			  uint16_t bport, const union inany_addr *daddr,
			  uint16_t dport, bool v6)
{
	struct sockaddr_in6 sa;
	socklen_t sl;

	if (!bport || udp_sock_bind(fd, baddr, bport, v6)) {
		if (udp_sock_bind(fd, baddr, 0, v6))
			return -1;
	}
	sl = udp_sa_set(&sa, daddr, dport, v6);
	return connect(fd, (struct sockaddr *)&sa, sl);
}

/**
 * udp_flow_sock_add() - Register a flow's socket with epoll
 * @c:		Execution context
 * @i:		Flow index, @sock set
 *
 * Return: 0 on success, negative errno on failure
 */
int udp_flow_sock_add(const struct ctx *c, int32_t i)
{
	const struct udp_flow *f = &udp.flows[i];
	uint32_t data = (uint32_t)i | (uint32_t)f->gen << 16;

	return epoll_add(c, f->sock, EPOLLIN,
			 epoll_ref_make(EPOLL_TYPE_UDP_REPLY, f->sock, data));
}

/* Guest to host (tap input) */

/**
 * udp_flow_tap_out() - Create a flow for datagrams from the guest
 * @c:		Execution context
 * @k:		Tap key: guest address/port, destination address/port
 * @v6:		IPv6 flow
 * @now:	Current time
 *
 * Return: flow index, -1 if the destination is unreachable or no socket
 *
 * #syscalls setsockopt
 */
static int32_t udp_flow_tap_out(struct ctx *c, const struct udp_key *k,
				bool v6, const struct timespec *now)
{
	union inany_addr taddr = k->b, baddr;
	uint16_t tport = k->bp;
	int32_t i;
	int fd;

	if (!udp_guest_to_host(c, v6, &taddr, &tport))
		return -1;
	udp_ctx_addr(&baddr, v6, &c->ip4.addr_out, &c->ip6.addr_out);
	if (udp_is_loopback(&taddr))
		memset(&baddr, 0, sizeof(baddr));

	i = udp_flow_new(c, k, UDP_FLOW_TAP_OUT, v6, now);
	fd = udp_sock_new(c, v6, true, i);
	if (fd < 0)
		goto fail;
	udp.flows[i].sock = fd;
	if (!udp_is_loopback(&taddr) && *(v6 ? c->ip6.ifname_out :
					       c->ip4.ifname_out)) {
		const char *ifn = v6 ? c->ip6.ifname_out : c->ip4.ifname_out;

		setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifn,
			   (socklen_t)strlen(ifn) + 1);
	}
	if (udp_sock_bind_connect(fd, &baddr, k->ap, &taddr, tport, v6) ||
	    udp_flow_sock_add(c, i))
		goto fail;
	debug("UDP: tap-out flow %i, guest port %u to port %u", i, k->ap,
	      tport);
	return i;
fail:
	debug_ratelimit("UDP: can't open flow socket: %s", strerror(errno));
	udp_flow_close(c, i);
	return -1;
}

/**
 * udp_mm_dgrams() - Datagrams one prepared message carries
 * @mh:		Message
 *
 * Return: its vectors: one datagram each (several only with UDP_SEGMENT)
 */
static size_t udp_mm_dgrams(const struct msghdr *mh)
{
	return mh->msg_iovlen;
}

/**
 * udp_gso_split() - Send a UDP_SEGMENT message the kernel refused, one by one
 * @c:		Execution context
 * @fd:		Socket
 * @mh:		Message, one vector per datagram
 *
 * #syscalls sendmmsg
 */
static void udp_gso_split(struct ctx *c, int fd, const struct msghdr *mh)
{
	struct mmsghdr one[UDP_GSO_SEGS_MAX];
	size_t i, n = mh->msg_iovlen;
	int r;

	memset(one, 0, sizeof(one[0]) * n);
	for (i = 0; i < n; i++) {
		one[i].msg_hdr.msg_name = mh->msg_name;
		one[i].msg_hdr.msg_namelen = mh->msg_namelen;
		one[i].msg_hdr.msg_control = mh->msg_control;
		one[i].msg_hdr.msg_controllen = udp_cmsg_unsegmented(mh);
		one[i].msg_hdr.msg_iov = &mh->msg_iov[i];
		one[i].msg_hdr.msg_iovlen = 1;
	}
	for (i = 0; i < n; i += r > 0 ? (size_t)r : 1) {
		r = sendmmsg(fd, one + i, (unsigned)(n - i), 0);
		if (r <= 0)
			udp_drop(c, &c->stats.udp_drop_send, 1);
	}
}

/**
 * udp_send_batch() - Send prepared messages, tolerating partial sends
 * @c:		Execution context
 * @fd:		Socket
 * @mm:		Messages: single datagrams, or several with UDP_SEGMENT
 * @n:		Number of messages
 * @gso_bad:	Set to the segment size of a UDP_SEGMENT message the kernel
 *		refused (which is then sent datagram by datagram), may be NULL
 *
 * Return: messages sent; datagrams not sent are counted as dropped
 *
 * #syscalls sendmmsg
 */
size_t udp_send_batch(struct ctx *c, int fd, struct mmsghdr *mm,
		      size_t n, uint16_t *gso_bad)
{
	size_t done = 0, sent = 0, i;
	int retry = 1, r, e;

	while (done < n) {
		const struct msghdr *mh = &mm[done].msg_hdr;

		r = sendmmsg(fd, mm + done, (unsigned)(n - done), 0);
		if (r > 0) {
			for (i = done; i < done + (size_t)r; i++) {
				if (mm[i].msg_hdr.msg_iovlen < 2)
					continue;
				c->stats.udp_gso_msgs++;
				c->stats.udp_gso_dgrams +=
					mm[i].msg_hdr.msg_iovlen;
			}
			done += (size_t)r;
			sent += (size_t)r;
			continue;
		}
		e = r < 0 ? errno : EIO;
		if (e == EINTR || (retry-- > 0 && e == ECONNREFUSED))
			continue;	/* ECONNREFUSED: a pending ICMP error */
		if (mh->msg_iovlen > 1 && (e == EINVAL || e == EMSGSIZE ||
					   e == EIO || e == ENOPROTOOPT)) {
			/* No UDP_SEGMENT for this size or path: one by one */
			if (gso_bad)
				*gso_bad = (uint16_t)mh->msg_iov[0].iov_len;
			c->stats.udp_gso_split++;
			udp_gso_split(c, fd, mh);
			done++;
			continue;
		}
		debug_ratelimit("UDP: sendmmsg: %s", strerror(e));
		if (e == EAGAIN || e == ENOBUFS) {
			for (i = done; i < n; i++)
				udp_drop(c, &c->stats.udp_drop_send,
					 udp_mm_dgrams(&mm[i].msg_hdr));
			break;
		}
		/* Skip the message the kernel refused, try the rest */
		udp_drop(c, &c->stats.udp_drop_send, udp_mm_dgrams(mh));
		done++;
	}
	return sent;
}

/**
 * udp_gso_join() - Add a datagram to the previous message, as a segment
 * @mh:		Previous message
 * @len:	Length of the datagram
 * @gso_bad:	The flow's smallest length UDP_SEGMENT failed with, or 0
 *
 * The kernel splits a UDP_SEGMENT send back into datagrams of the first
 * one's length; only the last may be shorter.
 *
 * Return: true if the datagram was added (its vector is the next one)
 */
static bool udp_gso_join(struct msghdr *mh, size_t len, uint16_t gso_bad)
{
	size_t seg = mh->msg_iov[0].iov_len;

	/* All vectors so far are @seg long: a shorter one ends the message */
	if (!seg || !len || len > seg || (gso_bad && seg >= gso_bad) ||
	    mh->msg_iov[mh->msg_iovlen - 1].iov_len != seg ||
	    mh->msg_iovlen >= UDP_GSO_SEGS_MAX ||
	    seg * mh->msg_iovlen + len > UDP_GSO_BYTES_MAX)
		return false;
	if (mh->msg_iovlen == 1)
		udp_cmsg_segment(mh, (uint16_t)seg);
	mh->msg_iovlen++;
	return true;
}

/**
 * udp_tap_dest() - Where the guest's replies through a flow are sent
 * @f:		Flow
 * @sa:		Destination for TAP_IN flows (output)
 * @sl:		Its length (output), 0 for connected TAP_OUT sockets
 *
 * Return: socket to send on, -1 if there is none
 */
static int udp_tap_dest(const struct udp_flow *f, struct sockaddr_in6 *sa,
			socklen_t *sl)
{
	*sl = 0;
	if (f->type == UDP_FLOW_TAP_OUT)
		return f->sock;
	*sl = udp_sa_set(sa, &f->raddr, f->rport, f->v6);
	return udp.listen[f->side][f->v6][f->lport];
}

/**
 * udp_flow_tap_in_find() - Find the inbound flow a guest datagram answers
 * @k:		Tap key of the guest's datagram
 *
 * Inbound flows are keyed without the guest address; the address the guest
 * answered from becomes the one its frames go to.
 *
 * Return: flow index, -1 if none
 */
static int32_t udp_flow_tap_in_find(const struct udp_key *k)
{
	struct udp_key k0 = *k;
	int32_t i;

	memset(&k0.a, 0, sizeof(k0.a));
	i = udp_flow_lookup(&k0);
	if (i >= 0)
		udp.flows[i].gaddr = k->a;
	return i;
}

/**
 * udp_tap_run() - Send a run of guest datagrams with the same ports
 * @c:		Execution context
 * @k:		Flow key of the run
 * @v6:		IPv6
 * @p:		Pool of datagrams
 * @first:	First datagram of the run
 * @n:		Datagrams in the run
 * @now:	Current time
 */
static void udp_tap_run(struct ctx *c, const struct udp_key *k, bool v6,
			const struct pool *p, size_t first, size_t n,
			const struct timespec *now)
{
	size_t i, cnt = 0, nio = 0;
	struct sockaddr_in6 sa;
	struct udp_flow *f;
	socklen_t sl;
	int32_t fi;
	int fd;

	fi = udp_flow_lookup(k);
	if (fi < 0)
		fi = udp_flow_tap_in_find(k);
	if (fi < 0)
		fi = udp_flow_tap_out(c, k, v6, now);
	if (fi < 0 || (fd = udp_tap_dest(&udp.flows[fi], &sa, &sl)) < 0) {
		udp_drop(c, &c->stats.udp_drop_flow, n);
		return;
	}
	udp_flow_touch(fi, now);
	f = &udp.flows[fi];
	for (i = first; i < first + n; i++) {
		const struct udphdr *uh;
		struct msghdr *mh;
		size_t left, l4len;

		uh = packet_get(p, i, 0, sizeof(*uh), &left);
		l4len = uh ? be16_to_host(uh->len) : 0;
		if (!uh || l4len < sizeof(*uh) || l4len - sizeof(*uh) > left) {
			udp_drop(c, &c->stats.udp_drop_bad, 1);
			continue;
		}
		if (nio == UDP_SEND_BATCH) {
			udp_send_batch(c, fd, udp.mm, cnt, &f->gso_bad);
			cnt = nio = 0;
		}
		udp.iov[nio].iov_base = (void *)(uh + 1);
		udp.iov[nio].iov_len = l4len - sizeof(*uh);
		if (cnt && udp_gso_join(&udp.mm[cnt - 1].msg_hdr,
					udp.iov[nio].iov_len, f->gso_bad)) {
			nio++;
			continue;
		}
		mh = &udp.mm[cnt++].msg_hdr;
		memset(mh, 0, sizeof(*mh));
		mh->msg_iov = &udp.iov[nio++];
		mh->msg_iovlen = 1;
		mh->msg_name = sl ? &sa : NULL;
		mh->msg_namelen = sl;
		udp_cmsg_tx(mh, &udp.cmsg[cnt - 1], &f->laddr, f->v6);
	}
	if (cnt)
		udp_send_batch(c, fd, udp.mm, cnt, &f->gso_bad);
}

/**
 * udp_tap_ports() - Ports of a guest datagram
 * @p:		Pool of datagrams
 * @i:		Index
 * @sport:	Source port, host order (output)
 * @dport:	Destination port, host order (output)
 *
 * Return: true if the header is there
 */
static bool udp_tap_ports(const struct pool *p, size_t i, uint16_t *sport,
			  uint16_t *dport)
{
	const struct udphdr *uh = packet_get(p, i, 0, sizeof(*uh), NULL);

	if (!uh)
		return false;
	*sport = be16_to_host(uh->source);
	*dport = be16_to_host(uh->dest);
	return true;
}

/**
 * udp_tap_handler() - Forward datagrams of one flow from the guest
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @saddr:	Source address, struct in_addr or struct in6_addr
 * @daddr:	Destination address, same type
 * @p:		Pool of UDP datagrams (header and payload), one flow
 * @now:	Current time
 *
 * Datagrams are expected to share their ports; runs with other ports are
 * handled as their own flows all the same.
 *
 * Return: datagrams handled (all of @p: drops are counted)
 */
int udp_tap_handler(struct ctx *c, int af, const void *saddr,
		    const void *daddr, const struct pool *p,
		    const struct timespec *now)
{
	union inany_addr ga, fa;
	uint16_t sp, dp, sp2, dp2;
	size_t i, first;
	struct udp_key k;

	inany_from_af(&ga, af, saddr);
	inany_from_af(&fa, af, daddr);
	for (first = 0; first < p->count; first = i) {
		if (!udp_tap_ports(p, first, &sp, &dp)) {
			udp_drop(c, &c->stats.udp_drop_bad, 1);
			i = first + 1;
			continue;
		}
		for (i = first + 1; i < p->count; i++) {
			if (!udp_tap_ports(p, i, &sp2, &dp2) ||
			    sp2 != sp || dp2 != dp)
				break;
		}
		udp_key_tap(&k, &ga, sp, &fa, dp);
		udp_tap_run(c, &k, af == AF_INET6, p, first, i - first, now);
	}
	return (int)p->count;
}

/* Host to guest: receiving into frame slots (udp_tap.c builds them) */

/**
 * udp_recv() - Receive datagrams into the free frame slots of a queue
 * @c:		Execution context
 * @fd:		Socket
 * @v6:		IPv6 socket
 *
 * Results are at positions 0..n-1 of @q->mm, slots @q->order[@q->nq + i].
 * Frames already queued are sent first if more than half the slots are
 * taken, so that every read has room for at least UDP_MAX_FRAMES / 2.
 *
 * Return: datagrams received, 0 if none or on error
 *
 * #syscalls recvmmsg
 */
static size_t udp_recv(struct ctx *c, int fd, bool v6)
{
	struct udp_txq *q = &udp.txq[v6];
	size_t j, k;
	int r;

	if (q->nq > UDP_MAX_FRAMES / 2)
		udp_txq_flush(c, q);
	k = UDP_MAX_FRAMES - q->nq;
	for (j = 0; j < k; j++) {
		size_t s = q->order[q->nq + j];
		struct msghdr *mh = &q->mm[j].msg_hdr;

		q->iov[j].iov_base = q->buf[s] + UDP_OFF_DATA(v6);
		q->iov[j].iov_len = UDP_DLEN_MAX(v6);
		memset(mh, 0, sizeof(*mh));
		mh->msg_name = &q->name[s];
		mh->msg_namelen = sizeof(q->name[s]);
		mh->msg_iov = &q->iov[j];
		mh->msg_iovlen = 1;
		udp_cmsg_rx(mh, &q->ctl[s]);
	}
	r = recvmmsg(fd, q->mm, (unsigned)k, 0, NULL);
	if (r <= 0)
		return 0;
	return (size_t)r;
}

/**
 * udp_txq_keep() - Queue the frame at position @j after a receive
 * @q:		Queue
 * @j:		Position of the received datagram
 * @kept:	Frames already kept from this receive (input/output)
 */
static void udp_txq_keep(struct udp_txq *q, size_t j, size_t *kept)
{
	uint16_t tmp = q->order[q->nq + *kept];

	q->order[q->nq + *kept] = q->order[q->nq + j];
	q->order[q->nq + j] = tmp;
	(*kept)++;
}

/**
 * udp_recv_ok() - Check one received datagram
 * @c:		Execution context
 * @q:		Queue
 * @j:		Position of the datagram
 *
 * Return: true if it can be forwarded, false if dropped (counted)
 */
static bool udp_recv_ok(struct ctx *c, const struct udp_txq *q, size_t j)
{
	if (q->mm[j].msg_hdr.msg_flags & MSG_TRUNC) {
		udp_drop(c, &c->stats.udp_drop_bad, 1);
		return false;
	}
	return true;
}

/* Host to guest: socket handlers */

/**
 * udp_flow_reply() - Forward what a flow socket received
 * @c:		Execution context
 * @i:		Flow index
 * @now:	Current time
 *
 * TAP_OUT replies go to the guest (loopback sources too: that is the
 * gateway-mapped case); SPLICE replies go back through the listening socket.
 */
static void udp_flow_reply(struct ctx *c, int32_t i,
			   const struct timespec *now)
{
	const struct udp_flow *f = &udp.flows[i];
	struct udp_txq *q = &udp.txq[f->v6];
	size_t n, j, kept, round;
	int fd;

	udp_flow_touch(i, now);
	for (round = 0; round < UDP_READ_ROUNDS; round++) {
		n = udp_recv(c, f->sock, f->v6);
		kept = 0;
		for (j = 0; j < n; j++) {
			if (!udp_recv_ok(c, q, j))
				continue;
			if (f->type == UDP_FLOW_SPLICE) {
				udp_splice_add(q, j, f->v6, kept++, f);
				continue;
			}
			udp_frame_fill(c, q, f->v6, q->order[q->nq + j], f,
				       q->mm[j].msg_len);
			udp_txq_keep(q, j, &kept);
		}
		if (f->type == UDP_FLOW_SPLICE) {
			fd = udp.listen[f->side][f->v6][f->lport];
			udp_splice_send(c, fd, kept);
		} else {
			q->nq += kept;
		}
		if (n < UDP_MAX_FRAMES / 2)
			break;
	}
}

/**
 * udp_flow_tap_in() - Find or create the flow of a datagram to the guest
 * @c:		Execution context
 * @v6:		IPv6
 * @lport:	Listening port, host order
 * @raddr:	Peer address
 * @rport:	Peer port, host order
 * @laddr:	Local address the peer sent to: the guest's replies come
 *		from the one of its latest datagram
 * @now:	Current time
 *
 * Return: flow index, -1 if the datagram can't be delivered
 */
static int32_t udp_flow_tap_in(struct ctx *c, bool v6, uint16_t lport,
			       const union inany_addr *raddr, uint16_t rport,
			       const union inany_addr *laddr,
			       const struct timespec *now)
{
	union inany_addr ga, fa = *raddr;
	struct udp_flow *f;
	struct udp_key k;
	int32_t i;

	if (!udp_host_to_guest(c, v6, &fa, rport))
		return -1;
	/* Keyed without the guest address: the guest may answer from another
	 * of its addresses. Frames go to @gaddr, updated from its replies.
	 */
	memset(&ga, 0, sizeof(ga));
	udp_key_tap(&k, &ga, fwd_port_target(&c->udp_in, lport), &fa, rport);
	i = udp_flow_lookup(&k);
	if (i >= 0) {
		udp.flows[i].laddr = *laddr;
		return i;
	}
	i = udp_flow_new(c, &k, UDP_FLOW_TAP_IN, v6, now);
	f = &udp.flows[i];
	f->laddr = *laddr;
	udp_guest_addr(c, v6, &fa, &f->gaddr);
	f->side = UDP_SIDE_HOST;
	f->lport = lport;
	f->raddr = *raddr;
	f->rport = rport;
	if (log_enabled(LOG_DEBUG)) {
		char buf[INET6_ADDRSTRLEN];

		debug("UDP: tap-in flow %i, %s:%u to port %u, guest port %u",
		      i, udp_ntop(raddr, buf, sizeof(buf)), rport, lport,
		      k.ap);
	}
	return i;
}

/**
 * udp_listen_one() - Handle one datagram read from a listening socket
 * @c:		Execution context
 * @ref:	Epoll reference of the listening socket
 * @j:		Position of the datagram in the queue
 * @kept:	Frames kept for the guest (input/output)
 * @run:	Current splice run (input/output)
 * @now:	Current time
 *
 * In pasta, datagrams from loopback peers on host-side sockets, and all
 * datagrams on namespace-side sockets, are spliced; the rest go to the
 * guest. The choice is made per datagram, by its source address.
 */
static void udp_listen_one(struct ctx *c, union epoll_ref ref, size_t j,
			   size_t *kept, struct udp_splice_run *run,
			   const struct timespec *now)
{
	enum udp_side side = ref.data & UDP_REF_SIDE_NS ? UDP_SIDE_NS :
							  UDP_SIDE_HOST;
	uint16_t lport = ref.data & UDP_REF_PORT_MASK, rport;
	bool v6 = ref.data & UDP_REF_V6;
	struct udp_txq *q = &udp.txq[v6];
	size_t s = q->order[q->nq + j];
	union inany_addr raddr, laddr;
	int32_t i;

	udp_sa_get(&q->name[s], &raddr, &rport);
	udp_cmsg_local(&q->mm[j].msg_hdr, &laddr);
	if (c->mode == MODE_PASTA && (side == UDP_SIDE_NS ||
	    (!c->no_splice && udp_is_loopback(&raddr)))) {
		udp_listen_splice(c, side, v6, lport, &laddr, j, run, now);
		return;
	}
	udp_splice_run_flush(c, run);
	i = udp_flow_tap_in(c, v6, lport, &raddr, rport, &laddr, now);
	if (i < 0) {
		udp_drop(c, &c->stats.udp_drop_flow, 1);
		return;
	}
	udp_flow_touch(i, now);
	udp_frame_fill(c, q, v6, s, &udp.flows[i], q->mm[j].msg_len);
	udp_txq_keep(q, j, kept);
}

/**
 * udp_listen_handler() - Datagrams on a forwarded port
 * @c:		Execution context
 * @ref:	Epoll reference
 * @now:	Current time
 */
static void udp_listen_handler(struct ctx *c, union epoll_ref ref,
			       const struct timespec *now)
{
	struct udp_splice_run run = { 0, -1 };
	bool v6 = ref.data & UDP_REF_V6;
	struct udp_txq *q = &udp.txq[v6];
	size_t n, j, kept, round;

	for (round = 0; round < UDP_READ_ROUNDS; round++) {
		n = udp_recv(c, ref.fd, v6);
		kept = 0;
		for (j = 0; j < n; j++) {
			if (udp_recv_ok(c, q, j))
				udp_listen_one(c, ref, j, &kept, &run, now);
		}
		udp_splice_run_flush(c, &run);
		q->nq += kept;
		if (n < UDP_MAX_FRAMES / 2)
			break;
	}
}

/**
 * udp_sock_handler() - Events on UDP sockets: listening and flow sockets
 * @c:		Execution context
 * @ref:	Epoll reference
 * @events:	EPOLL* events
 * @now:	Current time
 */
void udp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		      const struct timespec *now)
{
	const struct udp_flow *f = NULL;
	int32_t i;

	if (ref.type == EPOLL_TYPE_UDP_REPLY) {
		i = (int32_t)(ref.data & 0xffffU);
		if (i >= UDP_FLOW_MAX || udp.flows[i].gen != ref.data >> 16 ||
		    udp.flows[i].type == UDP_FLOW_FREE ||
		    udp.flows[i].sock != ref.fd)
			return;
		f = &udp.flows[i];
		if (events & EPOLLERR)
			udp_sock_error(c, ref.fd, f);
		if (events & EPOLLIN)
			udp_flow_reply(c, i, now);
		return;
	}
	if (events & EPOLLERR)
		udp_sock_error(c, ref.fd, NULL);
	if (events & EPOLLIN)
		udp_listen_handler(c, ref, now);
}

/* Timer and set-up */

/**
 * udp_timer() - Periodic work: flow expiry, "auto" scans, socket pool
 * @c:		Execution context
 * @now:	Current time
 */
void udp_timer(struct ctx *c, const struct timespec *now)
{
	while (udp.lru_tail >= 0 &&
	       now->tv_sec - udp.flows[udp.lru_tail].last >= udp.timeout)
		udp_flow_close(c, udp.lru_tail);
	if (c->mode != MODE_PASTA || c->no_udp)
		return;
	if (c->udp_in.mode == FWD_AUTO)
		udp_auto_update(c, UDP_SIDE_HOST);
	if (c->udp_out.mode == FWD_AUTO)
		udp_auto_update(c, UDP_SIDE_NS);
	udp_nspool_refill(c);
}

/**
 * udp_state_init() - Reset the flow table and socket tables
 */
static void udp_state_init(void)
{
	size_t i, v6;

	raw_random(&udp.hash_key, sizeof(udp.hash_key));
	memset(udp.bucket, 0xff, sizeof(udp.bucket));
	memset(udp.listen, 0xff, sizeof(udp.listen));
	memset(udp.proc_fd, 0xff, sizeof(udp.proc_fd));
	udp.lru_head = udp.lru_tail = -1;
	udp.flow_cnt = 0;
	udp.free_head = -1;
	for (i = UDP_FLOW_MAX; i-- > 0; ) {
		udp.flows[i].type = UDP_FLOW_FREE;
		udp.flows[i].sock = -1;
		udp.flows[i].prev = -1;
		udp.flows[i].next = udp.free_head;
		udp.free_head = (int32_t)i;
	}
	for (v6 = 0; v6 < 2; v6++) {
		udp.txq[v6].nq = 0;
		for (i = 0; i < UDP_MAX_FRAMES; i++)
			udp.txq[v6].order[i] = (uint16_t)i;
	}
}

/**
 * udp_init() - Set up UDP: tables, forwarded ports, "auto" scans
 * @c:		Execution context
 */
void udp_init(struct ctx *c)
{
	struct rlimit rl;

	udp_state_init();
	udp.timeout = env_long("PASST_UDP_TIMEOUT", 1, UDP_TIMEOUT_MAX,
				   UDP_TIMEOUT_DEFAULT);
	udp.flow_max = (unsigned)env_long("PASST_UDP_FLOW_MAX",
					      UDP_FLOW_MIN, UDP_FLOW_MAX,
					      UDP_FLOW_MAX);
	/* The soft descriptor limit is the hard one by now (main() calls
	 * isolate_nofile()): leave three quarters of it for everything else
	 */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 4 < udp.flow_max)
		udp.flow_max = MAX(UDP_FLOW_MIN, (unsigned)(rl.rlim_cur / 4));
	if (c->no_udp)
		return;
	if (c->mode == MODE_PASTA)
		udp_nspool_refill(c);
	udp_fwd_init(c, UDP_SIDE_HOST);
	if (c->mode == MODE_PASTA)
		udp_fwd_init(c, UDP_SIDE_NS);
	udp_auto_init(c);
	if (c->mode == MODE_PASTA) {
		if (c->udp_in.mode == FWD_AUTO)
			udp_auto_update(c, UDP_SIDE_HOST);
		if (c->udp_out.mode == FWD_AUTO)
			udp_auto_update(c, UDP_SIDE_NS);
	}
}
