// SPDX-License-Identifier: GPL-2.0-or-later
/* udp.c - UDP translation: flows, tap input, socket handlers
 *
 * Theory of Operation
 * ===================
 *
 * UDP has no connections, so this file keeps "flows": the state that lets a
 * reply find its way back, and that lets a guest use port-based protocols
 * through host sockets. Flows are slots of the one flow table (flow.c,
 * type FLOW_UDP, struct udp_flow in udp_internal.h); nothing is allocated.
 *
 * Layers: this file is the top of UDP, the only one passt.c and tap.c call
 * (udp.h): the guest-to-host path, the socket event handlers, the idle
 * timeout, the frame queues to the guest and set-up. It calls down into
 * files that never call back up, each holding its own state (static, no
 * global shared through a header):
 * - udp_tap.c (frames to the guest: headers, checksums, USO super-frames,
 *   sending a queue; stateless), udp_splice.c (loopback splice path, its
 *   send scratch), udp_fwd.c (forwarded-port sockets, "auto" scan), and
 *   udp_err.c (EPOLLERR: the error queue and ICMP errors to the guest);
 * - below them udp_sock.c (socket options, opening, binding, sendmmsg()
 *   batches, pasta's namespace socket pool);
 * - at the bottom udp_flow.c (flow slots: set-up, epoll, close, eviction)
 *   and udp_cmsg.c (control messages: local address of a datagram,
 *   source address and UDP_SEGMENT of a send).
 * udp_internal.h holds only the types, constants and inline helpers they
 * share. test/lint (layers) checks that no file includes the header of a
 * file above it or at its level, nor calls a function defined there.
 *
 * Flow types
 * ----------
 * - UDP_FLOW_TAP_OUT: the guest sent a datagram (from the tap) to a far
 *   address. We open a host socket, bind it to the guest's source port
 *   where the port is free (else an ephemeral one), and connect() it to the
 *   target. The target side is fwd_from_tap()'s (fwd.c), decided once
 *   when the flow is created: the map_host_loopback address (the gateway
 *   unless --no-map-gw) becomes the host's 127.0.0.1/::1, the
 *   map_guest_addr one the host's own address, and the --dns-forward
 *   address on port 53 the host's first resolver; the host's loopback
 *   addresses, broadcast, multicast and link-local destinations are
 *   refused (counted as "no flow"). A connected socket receives only from
 *   its target, and the kernel prefers it over any wildcard socket bound
 *   to the same port
 *   (test/platform/udp_connected_wins.c proves this), so everything read
 *   from it is a reply for this flow: it goes to the guest from the address
 *   and port the guest sent to.
 * - UDP_FLOW_TAP_IN: a host peer sent to a forwarded port (-u), received on
 *   the listening socket, and not spliced. The datagram goes to the guest's
 *   port (remapped by the -u delta) from the peer's address, or, if the
 *   peer is loopback or uses the guest's own address, from the address
 *   fwd.c maps it to (map_guest_addr, map_host_loopback, else the gateway
 *   all the same with --no-map-gw: the guest would drop datagrams from its
 *   own address). The flow owns no socket: the guest's replies are sent
 *   from the listening socket, so they leave from the port the peer sent
 *   to, and from the address it sent to (the flow keeps the local address
 *   of the peer's latest datagram, udp_cmsg.c).
 * - UDP_FLOW_SPLICE (pasta): a loopback peer sent to a forwarded port on
 *   one side (-u: host side, -U: namespace side). Whether a datagram from a
 *   listening socket is spliced is decided by fwd_from_host() by its
 *   source address, once per new flow (not per socket); later datagrams
 *   follow the flow their listening side finds. The flow owns a socket on
 *   the other side, bound to the peer's port where possible and connected
 *   to the target port there (loopback for -U and with
 *   --host-lo-to-ns-lo, else the namespace's address). Datagrams move socket to socket with
 *   recvmmsg()/sendmmsg(); replies read from the flow socket go back
 *   through the listening socket to the peer, from the local address it
 *   sent to (udp_cmsg.c).
 *
 * Sides: each flow has two (flow.h). INI is the one that sent the first
 * datagram, TGT the one it went to; for a tap side the peer is the guest
 * and the local address and port are the far end as the guest sees it,
 * for a socket side the peer is the remote socket and the local address
 * and port ours:
 * - TAP_OUT: INI PIF_TAP (guest address and port, destination), TGT
 *   PIF_HOST (the translated target, the address and port bound, port 0
 *   if ephemeral).
 * - TAP_IN: INI PIF_HOST (peer, the local address of its latest datagram,
 *   the listening port), TGT PIF_TAP (the guest address unspecified, the
 *   guest port, the peer as the guest sees it). Frames go to the guest
 *   address of struct udp_flow's @gaddr: the tap side's is left
 *   unspecified so that the guest's replies match from any of its
 *   addresses, and the one it answered from becomes @gaddr.
 * - SPLICE: INI the listening socket's, PIF_HOST for -u and PIF_SPLICE for
 *   -U (peer, local address it sent to, listening port), TGT the other
 *   one (the target, the flow socket's bound address and port).
 * The kind is read from the pifs (udp_flow_kind()), the IP version from
 * the INI peer.
 *
 * Lookup: flow_lookup() (SipHash over the type, pif and side) by the side
 * a datagram without a flow socket arrives on, hashed when the flow is
 * set up (udp_flow_activate()): INI always (guest datagrams find TAP_OUT
 * flows, listening sockets TAP_IN and SPLICE ones), and the tap side of
 * TAP_IN flows. A guest datagram is looked up as it is, then with an
 * unspecified guest address (a TAP_IN flow), else it opens a TAP_OUT flow.
 * A datagram on a listening socket is looked up by its host side, then,
 * for the tap path, by the tap side it would have: another peer shown to
 * the guest as the same address, or the same peer sending to another of
 * our addresses (its INI side is then rehashed with the new local
 * address), shares that flow, as the guest could not tell them apart.
 * Connected flow sockets need no lookup: their epoll reference names the
 * flow (EPOLL_TYPE_UDP_REPLY, flow_ref() of the TGT side: index and
 * generation), and flow_from_ref() rejects an event for a flow closed
 * earlier in the same batch even if its slot was taken again at once.
 * EPOLL_TYPE_UDP_LISTEN carries the port (bits 0-15), the side (bit 16:
 * 0 host, 1 namespace) and IPv6 (bit 17).
 *
 * Life of a flow: created by the first datagram (FLOW_STATE_NEW until its
 * socket is set up, then ACTIVE, CLOSING while it is closed, every change
 * through flow_state_set()), its time of last activity set by every batch
 * of traffic in either direction, and closed once idle for
 * UDP_TIMEOUT_DEFAULT seconds (180) by udp_flow_timer(), which passt.c
 * calls for each UDP flow in its one walk of the flow table per tick.
 * UDP flows take at most UDP_FLOW_MAX (4096) slots of the table
 * (flow_limit_set()), and at most a quarter of RLIMIT_NOFILE. When the
 * table or that cap is full, a datagram that needs a new flow is dropped
 * and counted (udp_drop_full; flow.c counts the refusal too): live flows
 * are never closed to make room, so a flood of source ports cannot break
 * the flows in use, and new flows work again as soon as idle ones expire.
 * When socket() says the process is out of file descriptors, the flow
 * owning a socket that was least recently used is closed (a walk of the
 * table, on that error only) and the socket opened again. For tests only,
 * the environment variables PASST_UDP_TIMEOUT (seconds, 1..3600) and
 * PASST_UDP_FLOW_MAX (16..UDP_FLOW_MAX) override the timeout and the cap;
 * they are read once in udp_init().
 *
 * Host to guest: recvmmsg() writes payloads straight into frame buffers
 * whose Ethernet, IP and UDP headers are then filled in place by
 * udp_tap.c, which also holds the checksums and super-frames below. The
 * queues are this file's: frames are sent by udp_flush() (through
 * udp_tap.c), called by passt.c after each batch of events, or earlier
 * when a queue is more than half full. Slots are handed out through
 * a permutation (@order), so slots used by spliced datagrams are reused
 * without copying queued ones. Checksums: passt computes each datagram's;
 * pasta, whose tap carries a virtio-net header, leaves the pseudo-header
 * sum with VIRTIO_NET_HDR_F_NEEDS_CSUM for the kernel to complete, and
 * where the tap has USO (TUN_F_USO4/6, Linux 6.2) merges consecutive
 * queued datagrams of one flow and one length (the last may be shorter)
 * into one super-frame (VIRTIO_NET_HDR_GSO_UDP_L4, gso_size the length):
 * the kernel splits it back into the same datagrams, for one write.
 * Reads take no more datagrams than the back-end takes now (tap_room():
 * the guest's free receive buffers with --vhost-user): when it is full,
 * the datagrams stay in the socket, whose EPOLLIN is turned off (it is
 * level-triggered) and its reference kept (udp_hold(), at most
 * UDP_HELD_MAX sockets, beyond which reads go on and refused frames are
 * counted), until tap_resume() calls udp_resume(), or the next tick does.
 *
 * Guest to host: udp_tap_handler() gets one flow's datagrams per call,
 * with the addresses and ports tap.c parsed for them (struct flowside,
 * the flow's key), and sends them with one sendmmsg() per UDP_SEND_BATCH.
 * Consecutive datagrams of one length (the last may be shorter) go as one
 * message with UDP_SEGMENT (Linux 4.18): one pass through the host's stack
 * for up to UDP_GSO_SEGS_MAX of them, split back into the same datagrams
 * at the device or by the receiving socket. Where the kernel refuses that
 * (the path MTU is smaller than the datagrams, say), the message is sent
 * datagram by datagram and the flow stops merging datagrams that long.
 * With vhost-user, a datagram's payload may lie in several guest buffers
 * (packet_data()): it then goes as one message of a vector per piece,
 * never merged, and only UDP_SEGMENT, not the number of vectors, marks a
 * message of several datagrams (udp_cmsg_segmented()).
 *
 * Errors (udp_err.c): flow sockets set IP_RECVERR/IPV6_RECVERR; on
 * EPOLLERR the error queue is read and ICMP errors (port unreachable and
 * others) are rebuilt towards the guest with the original datagram quoted.
 * Other sockets just clear SO_ERROR (the error queue, EPOLLERR and the
 * /proc/net/udp states used below are probed by
 * test/platform/udp_connected_wins.c too). Every dropped datagram is
 * counted in c->stats in the one udp_drop_* counter of its reason.
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
#include "flow.h"
#include "fwd.h"
#include "fwd_spec.h"
#include "inany.h"
#include "log.h"
#include "packet.h"
#include "ctx.h"
#include "tap_out.h"
#include "udp.h"
#include "udp_cmsg.h"
#include "udp_err.h"
#include "udp_flow.h"
#include "udp_fwd.h"
#include "udp_internal.h"
#include "udp_sock.h"
#include "udp_splice.h"
#include "udp_tap.h"
#include "util.h"

/**
 * struct udp_state - State of this file: timeout, frame queues, send scratch
 * @txq:	Frames to the guest, per IP version (udp_tap.c builds and
 *		sends them)
 * @timeout:	Idle flow lifetime, seconds
 * @mm:		sendmmsg() headers, guest to host
 * @iov:	sendmmsg() vectors
 * @cmsg:	sendmmsg() control messages: source address, UDP_SEGMENT
 * @held:	Epoll references of sockets held for want of room in the
 *		back-end, their EPOLLIN off until udp_resume()
 * @nheld:	Entries in @held
 */
struct udp_state {
	struct udp_txq txq[2];
	time_t timeout;
	struct mmsghdr mm[UDP_SEND_BATCH];
	struct iovec iov[UDP_SEND_BATCH];
	union udp_cmsg cmsg[UDP_SEND_BATCH];
	uint64_t held[UDP_HELD_MAX];
	size_t nheld;
};

static struct udp_state udp;

static_assert(UDP_SEND_BATCH >= PACKET_IOV_MAX,
	      "A datagram from the guest fits one sendmmsg() batch");

/* Unspecified address: no source address for a send */
static const union inany_addr udp_no_addr;

/* Guest addresses */

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

/* Idle flows (their slots: udp_flow.c) */

/**
 * udp_flow_timer() - Close a flow idle for the timeout, from flow_walk.c's walk
 * @c:		Execution context
 * @uf:		Flow
 * @now:	Current time
 */
void udp_flow_timer(struct ctx *c, struct udp_flow *uf,
		    const struct timespec *now)
{
	if (now->tv_sec - uf->last >= udp.timeout)
		udp_flow_close(c, uf);
}

/* Guest to host (tap input) */

/**
 * udp_flow_tap_out() - Create a flow for datagrams from the guest
 * @c:		Execution context
 * @ini:	Tap side: guest address/port, destination address/port
 * @v6:		IPv6 flow
 * @n:		Datagrams waiting for it, counted as dropped on failure
 * @now:	Current time
 *
 * The target side is fwd_from_tap()'s, decided once for the flow.
 *
 * Return: the flow, NULL if the destination is refused, the table is
 * full or no socket could be opened
 *
 * #syscalls setsockopt
 */
static struct udp_flow *udp_flow_tap_out(struct ctx *c,
					 const struct flowside *ini, bool v6,
					 size_t n, const struct timespec *now)
{
	const char *ifn = v6 ? c->ip6.ifname_out : c->ip4.ifname_out;
	struct udp_flow *uf;
	struct flowside tgt;

	if (fwd_from_tap(c, IPPROTO_UDP, ini, &tgt) == PIF_NONE) {
		udp_drop(&c->stats.udp_drop_flow, n);
		return NULL;
	}
	if (!(uf = udp_flow_new(PIF_TAP, ini, PIF_HOST, &tgt, now))) {
		udp_drop(&c->stats.udp_drop_full, n);
		return NULL;
	}
	if ((uf->sock = udp_sock_new(c, v6, true, uf)) < 0)
		goto fail;
	if (!udp_is_loopback(&tgt.peer) && *ifn)
		setsockopt(uf->sock, SOL_SOCKET, SO_BINDTODEVICE, ifn,
			   (socklen_t)strlen(ifn) + 1);
	if (udp_sock_bind_connect(uf->sock, &uf->f.side[FLOW_SIDE_TGT], v6) ||
	    udp_flow_sock_add(c, uf))
		goto fail;
	udp_flow_activate(uf);
	flow_log(&uf->f, "UDP tap-out");
	return uf;
fail:
	debug_ratelimit("UDP: can't open flow socket: %s", strerror(errno));
	udp_flow_close(c, uf);
	udp_drop(&c->stats.udp_drop_flow, n);
	return NULL;
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
 * @uf:		TAP_OUT or TAP_IN flow
 * @sa:		Destination for TAP_IN flows (output)
 * @sl:		Its length (output), 0 for connected TAP_OUT sockets
 * @src:	Source address to send from, unspecified for the kernel's
 *		choice (output)
 *
 * Return: socket to send on, -1 if there is none
 */
static int udp_tap_dest(const struct udp_flow *uf, struct sockaddr_in6 *sa,
			socklen_t *sl, const union inany_addr **src)
{
	const struct flowside *ini = &uf->f.side[FLOW_SIDE_INI];

	*sl = 0;
	*src = &udp_no_addr;
	if (udp_flow_kind(uf) == UDP_FLOW_TAP_OUT)
		return uf->sock;
	*sl = udp_sa_set(sa, &ini->peer, ini->peer_port, udp_flow_v6(uf));
	*src = &ini->local;
	return udp_listen_fd(uf);
}

/**
 * udp_tap_flow() - Find or create the flow of a run of guest datagrams
 * @c:		Execution context
 * @k:		Tap side of the run: guest address/port, destination
 * @v6:		IPv6
 * @n:		Datagrams in the run, counted as dropped if no flow
 * @now:	Current time
 *
 * A TAP_OUT flow matches @k exactly; a TAP_IN flow's tap side is hashed
 * with an unspecified guest address, as the guest may answer from any of
 * its addresses: the one it answered from becomes the one its frames go to.
 *
 * Return: the flow, NULL if none (dropped, counted)
 */
static struct udp_flow *udp_tap_flow(struct ctx *c, const struct flowside *k,
				     bool v6, size_t n,
				     const struct timespec *now)
{
	struct flowside any = *k;
	struct udp_flow *uf;

	uf = udp_flow_of(flow_lookup(FLOW_UDP, PIF_TAP, k, NULL));
	if (uf)
		return uf;
	udp_unspec(&any.peer, v6);
	uf = udp_flow_of(flow_lookup(FLOW_UDP, PIF_TAP, &any, NULL));
	if (uf) {
		uf->gaddr = k->peer;
		return uf;
	}
	return udp_flow_tap_out(c, k, v6, n, now);
}

/**
 * udp_tap_run() - Send a run of guest datagrams with the same ports
 * @c:		Execution context
 * @k:		Tap side of the run: guest address/port, destination
 * @v6:		IPv6
 * @p:		Pool of datagrams
 * @first:	First datagram of the run
 * @n:		Datagrams in the run
 * @now:	Current time
 */
static void udp_tap_run(struct ctx *c, const struct flowside *k, bool v6,
			const struct pool *p, size_t first, size_t n,
			const struct timespec *now)
{
	const union inany_addr *src;
	size_t i, cnt = 0, nio = 0;
	struct sockaddr_in6 sa;
	struct udp_flow *f;
	bool single = false;
	socklen_t sl;
	int fd;

	if (!(f = udp_tap_flow(c, k, v6, n, now)))
		return;
	if ((fd = udp_tap_dest(f, &sa, &sl, &src)) < 0) {
		udp_drop(&c->stats.udp_drop_flow, n);
		return;
	}
	udp_flow_touch(f, now);
	for (i = first; i < first + n; i++) {
		struct iovec v[PACKET_IOV_MAX];
		const struct udphdr *uh;
		size_t left, dlen, nv;
		struct msghdr *mh;

		uh = packet_get(p, i, 0, sizeof(*uh), &left);
		dlen = uh ? be16_to_host(uh->len) : 0;
		dlen = dlen < sizeof(*uh) ? SIZE_MAX : dlen - sizeof(*uh);
		/* The payload may be apart from the header, in pieces
		 * (vhost-user): one vector each
		 */
		v[0].iov_base = NULL;
		v[0].iov_len = 0;
		nv = 1;
		if (!uh || dlen > left ||
		    (dlen && !(nv = packet_data(p, i, sizeof(*uh), dlen, v,
					       ARRAY_SIZE(v))))) {
			udp_drop(&c->stats.udp_drop_bad, 1);
			continue;
		}
		if (UDP_SEND_BATCH - nio < nv) {
			udp_send_batch(c, fd, udp.mm, cnt, &f->gso_bad);
			cnt = nio = 0;
		}
		memcpy(&udp.iov[nio], v, nv * sizeof(*v));
		/* Only single vectors are segments of one UDP_SEGMENT send */
		if (nv == 1 && cnt && single &&
		    udp_gso_join(&udp.mm[cnt - 1].msg_hdr,
				 udp.iov[nio].iov_len, f->gso_bad)) {
			nio++;
			continue;
		}
		single = nv == 1;
		mh = &udp.mm[cnt++].msg_hdr;
		memset(mh, 0, sizeof(*mh));
		mh->msg_iov = &udp.iov[nio];
		mh->msg_iovlen = nv;
		nio += nv;
		mh->msg_name = sl ? &sa : NULL;
		mh->msg_namelen = sl;
		udp_cmsg_tx(mh, &udp.cmsg[cnt - 1], src, v6);
	}
	if (cnt)
		udp_send_batch(c, fd, udp.mm, cnt, &f->gso_bad);
}

/**
 * udp_tap_hdr_ok() - Is the UDP header of a guest datagram there?
 * @p:		Pool of datagrams
 * @i:		Index
 *
 * Return: true if the whole header is there
 */
static bool udp_tap_hdr_ok(const struct pool *p, size_t i)
{
	return packet_get(p, i, 0, sizeof(struct udphdr), NULL);
}

/**
 * udp_tap_handler() - Forward datagrams of one flow from the guest
 * @c:		Execution context
 * @key:	Addresses and ports tap.c parsed, shared by all datagrams of
 *		@p: the guest's as peer, the destination as local, host order
 * @p:		Pool of UDP datagrams (header and payload), one flow
 * @now:	Current time
 *
 * Datagrams too short for a UDP header are dropped before they could
 * open a flow; runs of whole ones go to the flow of @key.
 *
 * Return: datagrams handled (all of @p: drops are counted)
 */
int udp_tap_handler(struct ctx *c, const struct flowside *key,
		    const struct pool *p, const struct timespec *now)
{
	bool v6 = !inany_v4(&key->peer);
	size_t i, first;

	for (first = 0; first < p->count; first = i) {
		if (!udp_tap_hdr_ok(p, first)) {
			udp_drop(&c->stats.udp_drop_bad, 1);
			i = first + 1;
			continue;
		}
		for (i = first + 1; i < p->count; i++) {
			if (!udp_tap_hdr_ok(p, i))
				break;
		}
		udp_tap_run(c, key, v6, p, first, i - first, now);
	}
	return (int)p->count;
}

/* Host to guest: receiving into frame slots (udp_tap.c builds them) */

/**
 * udp_room() - Datagrams to the guest the back-end takes now
 * @c:		Execution context
 *
 * Frames queued already count; the largest frame is assumed. When no more
 * sockets can be held (udp_hold()), reads go on as if there were room:
 * frames the back-end refuses are then counted (udp_drop_tap).
 *
 * Return: datagrams, SIZE_MAX if not limited
 */
static size_t udp_room(const struct ctx *c)
{
	size_t nq = udp.txq[0].nq + udp.txq[1].nq, room;

	if (udp.nheld >= UDP_HELD_MAX)
		return SIZE_MAX;
	room = tap_room(c, TAP_FRAME_MAX);
	return room > nq ? room - nq : 0;
}

/**
 * udp_hold() - Leave a socket's datagrams there while the back-end is full
 * @c:		Execution context
 * @ref:	Socket's epoll reference
 *
 * The socket stops reporting EPOLLIN (level-triggered, it would report at
 * every wait) until udp_resume().
 *
 * Return: true if held: don't read it now
 */
static bool udp_hold(const struct ctx *c, union epoll_ref ref)
{
	if (udp_room(c))
		return false;
	if (epoll_mod(c, ref.fd, 0, ref.u64))
		return false;
	udp.held[udp.nheld++] = ref.u64;
	return true;
}

/**
 * udp_held_valid() - Is a held socket still the one its reference names?
 * @ref:	Epoll reference of a held socket
 *
 * A flow may have been closed meanwhile, or a forwarded port unbound, and
 * the descriptor number taken again by another socket.
 *
 * Return: true if the socket is still open and registered with @ref
 */
static bool udp_held_valid(union epoll_ref ref)
{
	enum udp_side side = ref.data & UDP_REF_SIDE_NS ? UDP_SIDE_NS :
							  UDP_SIDE_HOST;
	struct udp_flow *uf;

	if (ref.type == EPOLL_TYPE_UDP_REPLY) {
		uf = udp_flow_of(flow_from_ref(ref.data, FLOW_UDP, NULL));
		return uf && uf->sock == ref.fd;
	}
	return udp_fwd_listen_get(side, ref.data & UDP_REF_V6,
				  (uint16_t)(ref.data & UDP_REF_PORT_MASK)) ==
	       ref.fd;
}

/**
 * udp_resume() - The back-end has room again: read held sockets again
 * @c:		Execution context
 *
 * Their EPOLLIN goes back on; the datagrams waiting there are reported at
 * the next wait. Also called from udp_timer(), so that no socket stays
 * held across a change of front-end.
 */
void udp_resume(const struct ctx *c)
{
	size_t i;

	for (i = 0; i < udp.nheld; i++) {
		union epoll_ref ref = { .u64 = udp.held[i] };

		if (udp_held_valid(ref))
			epoll_mod(c, ref.fd, EPOLLIN, ref.u64);
	}
	udp.nheld = 0;
}

/**
 * udp_recv() - Receive datagrams into the free frame slots of a queue
 * @c:		Execution context
 * @fd:		Socket
 * @v6:		IPv6 socket
 *
 * Results are at positions 0..n-1 of @q->mm, slots @q->order[@q->nq + i].
 * Frames already queued are sent first if more than half the slots are
 * taken, so that every read has room for at least UDP_MAX_FRAMES / 2, or
 * for what the back-end takes now (udp_room()), if that is less.
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
		udp_txq_flush(c, q, v6);
	k = MIN(UDP_MAX_FRAMES - q->nq, udp_room(c));
	if (!k)
		return 0;
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
		udp_drop(&c->stats.udp_drop_bad, 1);
		return false;
	}
	return true;
}

/* Host to guest: socket handlers */

/**
 * udp_flow_reply() - Forward what a flow socket received
 * @c:		Execution context
 * @f:		TAP_OUT or SPLICE flow
 * @now:	Current time
 *
 * TAP_OUT replies go to the guest (loopback sources too: that is the
 * gateway-mapped case); SPLICE replies go back through the listening socket.
 */
static void udp_flow_reply(struct ctx *c, struct udp_flow *f,
			   const struct timespec *now)
{
	bool splice = udp_flow_kind(f) == UDP_FLOW_SPLICE;
	bool v6 = udp_flow_v6(f);
	struct udp_txq *q = &udp.txq[v6];
	size_t n, j, kept, round;

	udp_flow_touch(f, now);
	for (round = 0; round < UDP_READ_ROUNDS; round++) {
		n = udp_recv(c, f->sock, v6);
		kept = 0;
		for (j = 0; j < n; j++) {
			if (!udp_recv_ok(c, q, j))
				continue;
			if (splice) {
				udp_splice_add(q, j, v6, kept++, f);
				continue;
			}
			udp_frame_fill(c, q, v6, q->order[q->nq + j], f,
				       q->mm[j].msg_len);
			udp_txq_keep(q, j, &kept);
		}
		if (splice)
			udp_splice_send(c, udp_listen_fd(f), kept);
		else
			q->nq += kept;
		if (n < UDP_MAX_FRAMES / 2)
			break;
	}
}

/**
 * udp_flow_local_set() - Reply from the local address of the latest datagram
 * @uf:		TAP_IN flow
 * @laddr:	Local address the peer sent to
 *
 * Rehashes the INI side if the address changed: lookups from the listening
 * socket then find the flow at once.
 */
static void udp_flow_local_set(struct udp_flow *uf,
			       const union inany_addr *laddr)
{
	if (inany_equals(&uf->f.side[FLOW_SIDE_INI].local, laddr))
		return;
	flow_hash_remove(&uf->f, FLOW_SIDE_INI);
	uf->f.side[FLOW_SIDE_INI].local = *laddr;
	flow_hash_insert(&uf->f, FLOW_SIDE_INI);
}

/**
 * udp_flow_tap_in() - Flow of a datagram to the guest, for a new host peer
 * @c:		Execution context
 * @v6:		IPv6
 * @ini:	Host side: peer, local address it sent to, listening port
 * @tap:	Tap side, as fwd_from_host() decided: the guest address
 *		unspecified, the guest port, the peer as the guest sees it
 * @now:	Current time
 *
 * Another peer shown to the guest as the same address (fwd.c), or the
 * same peer sending to another of our addresses, shares the flow found by
 * its tap side, as the guest can't tell them apart. The guest's replies
 * go to the flow's peer, from the local address of its latest datagram.
 *
 * Return: the flow, NULL if the table is full (counted)
 */
static struct udp_flow *udp_flow_tap_in(struct ctx *c, bool v6,
					const struct flowside *ini,
					const struct flowside *tap,
					const struct timespec *now)
{
	struct udp_flow *uf;

	if ((uf = udp_flow_of(flow_lookup(FLOW_UDP, PIF_TAP, tap, NULL)))) {
		udp_flow_local_set(uf, &ini->local);
		return uf;
	}
	if (!(uf = udp_flow_new(PIF_HOST, ini, PIF_TAP, tap, now))) {
		udp_drop(&c->stats.udp_drop_full, 1);
		return NULL;
	}
	udp_guest_addr(c, v6, &tap->local, &uf->gaddr);
	udp_flow_activate(uf);
	flow_log(&uf->f, "UDP tap-in");
	return uf;
}

/**
 * udp_listen_flow() - Find or create the flow of a datagram on a listening
 *		       socket
 * @c:		Execution context
 * @pif:	Interface of the listening socket: PIF_HOST, PIF_SPLICE
 * @v6:		IPv6
 * @ini:	Peer, local address it sent to, listening port
 * @run:	Current splice run, flushed before a flow is created
 * @now:	Current time
 *
 * A flow is found by its listening side; for a new peer, fwd_from_host()
 * decides, once, whether the flow goes to the guest or is spliced (pasta:
 * loopback peers on the host, every peer in the namespace).
 *
 * Return: the flow, NULL if the datagram can't be delivered (counted)
 */
static struct udp_flow *udp_listen_flow(struct ctx *c, enum flow_pif pif,
					bool v6, const struct flowside *ini,
					struct udp_splice_run *run,
					const struct timespec *now)
{
	struct flowside tgt;
	struct udp_flow *uf;
	unsigned side;

	uf = udp_flow_of(flow_lookup(FLOW_UDP, pif, ini, &side));
	if (uf && side == FLOW_SIDE_INI)
		return uf;
	/* Opening a socket may evict a flow, maybe the run's: flush it */
	udp_splice_run_flush(c, run);
	switch (fwd_from_host(c, IPPROTO_UDP, pif, ini, &tgt)) {
	case PIF_TAP:
		return udp_flow_tap_in(c, v6, ini, &tgt, now);
	case PIF_HOST:
	case PIF_SPLICE:
		return udp_flow_splice(c, pif, v6, ini, &tgt, now);
	default:
		udp_drop(&c->stats.udp_drop_flow, 1);
		return NULL;
	}
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
 * The datagram is spliced or goes to the guest as its flow says.
 */
static void udp_listen_one(struct ctx *c, union epoll_ref ref, size_t j,
			   size_t *kept, struct udp_splice_run *run,
			   const struct timespec *now)
{
	enum flow_pif pif = ref.data & UDP_REF_SIDE_NS ? PIF_SPLICE : PIF_HOST;
	bool v6 = ref.data & UDP_REF_V6;
	struct udp_txq *q = &udp.txq[v6];
	size_t s = q->order[q->nq + j];
	struct udp_flow *uf;
	struct flowside ini;

	udp_sa_get(&q->name[s], &ini.peer, &ini.peer_port);
	udp_cmsg_local(&q->mm[j].msg_hdr, &ini.local);
	ini.local_port = ref.data & UDP_REF_PORT_MASK;
	if (!(uf = udp_listen_flow(c, pif, v6, &ini, run, now)))
		return;
	if (udp_flow_kind(uf) == UDP_FLOW_SPLICE) {
		udp_listen_splice(c, uf, q, j, run, now);
		return;
	}
	udp_splice_run_flush(c, run);
	udp_flow_touch(uf, now);
	udp_frame_fill(c, q, v6, s, uf, q->mm[j].msg_len);
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
	struct udp_splice_run run = { 0, NULL };
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
	struct udp_flow *uf;

	if ((events & EPOLLIN) && udp_hold(c, ref))
		events &= ~(uint32_t)EPOLLIN;
	if (ref.type == EPOLL_TYPE_UDP_REPLY) {
		/* NULL: the flow was closed, maybe its slot reused, since */
		uf = udp_flow_of(flow_from_ref(ref.data, FLOW_UDP, NULL));
		if (!uf)
			return;
		if (events & EPOLLERR)
			udp_sock_error(c, ref.fd, uf);
		if (events & EPOLLIN)
			udp_flow_reply(c, uf, now);
		return;
	}
	if (events & EPOLLERR)
		udp_sock_error(c, ref.fd, NULL);
	if (events & EPOLLIN)
		udp_listen_handler(c, ref, now);
}

/**
 * udp_flush() - Send all frames queued to the guest, after a batch of events
 * @c:		Execution context
 */
void udp_flush(struct ctx *c)
{
	udp_txq_flush(c, &udp.txq[0], false);
	udp_txq_flush(c, &udp.txq[1], true);
}

/* Timer and set-up */

/**
 * udp_timer() - Periodic work: "auto" scans, socket pool
 * @c:		Execution context
 * @now:	Current time
 *
 * Idle flows are closed by udp_flow_timer(), from flow_walk.c's walk of the
 * flow table.
 */
void udp_timer(struct ctx *c, const struct timespec *now)
{
	(void)now;
	if (udp.nheld)
		udp_resume(c);
	if (c->mode != MODE_PASTA || c->no_udp)
		return;
	if (c->udp_in.mode == FWD_AUTO)
		udp_auto_update(c, UDP_SIDE_HOST);
	if (c->udp_out.mode == FWD_AUTO)
		udp_auto_update(c, UDP_SIDE_NS);
	udp_nspool_refill(c);
}

/**
 * udp_state_init() - Reset the socket tables and the frame queues
 */
static void udp_state_init(void)
{
	size_t i, v6;

	udp_fwd_state_init();
	for (v6 = 0; v6 < 2; v6++) {
		udp.txq[v6].nq = 0;
		for (i = 0; i < UDP_MAX_FRAMES; i++)
			udp.txq[v6].order[i] = (uint16_t)i;
	}
}

/**
 * udp_flow_limit() - Set the cap on UDP flows in the flow table (set-up)
 *
 * UDP_FLOW_MAX, or PASST_UDP_FLOW_MAX for tests, and at most a quarter of
 * RLIMIT_NOFILE (raised to its hard limit by isolate_nofile() at start),
 * so that three quarters of the descriptors are left for everything else.
 */
static void udp_flow_limit(void)
{
	unsigned max = (unsigned)env_long("PASST_UDP_FLOW_MAX", UDP_FLOW_MIN,
					  UDP_FLOW_MAX, UDP_FLOW_MAX);
	struct rlimit rl;

	/* The soft descriptor limit is the hard one by now (main() calls
	 * isolate_nofile()): leave three quarters of it for everything else
	 */
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 4 < max)
		max = MAX(UDP_FLOW_MIN, (unsigned)(rl.rlim_cur / 4));
	flow_limit_set(FLOW_UDP, max);
}

/**
 * udp_init() - Set up UDP: flow cap, forwarded ports, "auto" scans
 * @c:		Execution context
 *
 * Called after flow_init().
 */
void udp_init(struct ctx *c)
{
	udp_state_init();
	udp.timeout = env_long("PASST_UDP_TIMEOUT", 1, UDP_TIMEOUT_MAX,
				   UDP_TIMEOUT_DEFAULT);
	udp_flow_limit();
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
