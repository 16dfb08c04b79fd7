// SPDX-License-Identifier: GPL-2.0-or-later
/* icmp.c - ICMP/ICMPv6 echo over unprivileged ping sockets
 *
 * Theory of Operation
 *
 * Echo requests from the guest are sent by the host kernel through "ping"
 * sockets (socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP), and the ICMPv6
 * equivalent), which need no privileges as long as the group of the process
 * is in net.ipv4.ping_group_range (the sysctl covers both families). If it is
 * not, socket() fails with EACCES: we say so once, with a warning, and drop
 * echo requests (counted in c->stats.icmp_drop_flow) instead of failing.
 *
 * Each echo flow is a FLOW_PING slot of the flow table (flow.c), struct
 * icmp_ping_flow, and owns one socket. Its initiating side (FLOW_SIDE_INI,
 * PIF_TAP) is the guest: peer = the guest's address, local = the
 * destination as the guest sent it, and both ports the echo identifier.
 * That side is hashed: flow_lookup() finds the flow of each request (the
 * guest's source address is part of the key: pinging one destination
 * with one identifier from two of its addresses makes two flows). Its
 * target side (FLOW_SIDE_TGT, PIF_HOST) is the ping socket: peer = the
 * destination after translation, local = the address we bound (unspecified
 * without --outbound) and both ports the identifier we bound, 0 if the
 * kernel chose it. The socket is registered with epoll as EPOLL_TYPE_PING
 * with flow_ref() of the target side as data, so an event for a flow freed
 * earlier in the same batch is dropped by flow_from_ref(). When the table
 * or the FLOW_PING cap (256) is full, new echo requests are dropped and
 * counted, in c->stats.icmp_drop_flow and as a refusal (flow_refused()).
 *
 * The kernel rewrites the identifier of outgoing requests to the
 * socket's "port" and only delivers replies carrying it, so the socket is
 * bound with the guest's identifier as port; if that is taken (another flow
 * with the same identifier, or a local ping), the kernel picks a port
 * instead. Ping sockets are created with SO_REUSEADDR set (the protocol is
 * registered with INET_PROTOSW_REUSE), which lets two sockets bind the same
 * identifier, and replies then go to whichever the kernel finds first: we
 * clear it before bind() so that each flow owns its identifier
 * (test/platform/ping_reuse.c shows both behaviours). Either way, replies
 * are handed back to the guest with the identifier it used, sequence number
 * and data untouched, from the address it sent the request to, and with a
 * checksum set by tap_out.c.
 *
 * The target side of a new flow is fwd_from_tap()'s (fwd.c), decided once:
 * the map_host_loopback address (the gateway unless --no-map-gw; for IPv6
 * our link-local address too) goes to the host's loopback, the
 * map_guest_addr one to the host's own address; the socket is bound to its
 * local address (the -o one, or unspecified) and identifier. Other
 * link-local destinations are reached through the template interface
 * (scope c->ifi6).
 *
 * Flows expire after ICMP_IDLE_MS without traffic (for tests only,
 * PASST_ICMP_TIMEOUT, 1 to 60 seconds, read once in icmp_init(), shortens
 * that): icmp_flow_timer(), called for each FLOW_PING flow from passt.c's
 * walk of the table on every tick, closes the socket and frees the slot.
 * Ping sockets are the one exception to "open everything before the loop":
 * they are created on demand, as the guest's traffic decides which ones
 * exist.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>

#include "flow.h"
#include "fwd.h"
#include "icmp.h"
#include "inany.h"
#include "log.h"
#include "packet.h"
#include "ctx.h"
#include "tap_out.h"
#include "util.h"

#define ICMP_IDLE_MS		60000	/* Flow expiry, at most */
#define ICMP_BUF_MAX		65536	/* Largest reply we read */
#define ICMP_RECV_BATCH		16	/* Replies read per event */
#define ICMP_ECHO_HLEN		8	/* type code csum id seq */

/**
 * struct icmp_ping_flow - One echo flow: a FLOW_PING slot of the flow table
 * @f:		Common part: type, state, sides (see Theory of Operation)
 * @sock:	Ping socket
 * @scope_id:	IPv6 scope of the translated destination, 0 if none
 * @ts:		Last request or reply
 */
struct icmp_ping_flow {
	struct flow_common f;
	int sock;
	uint32_t scope_id;
	struct timespec ts;
};

static_assert(sizeof(struct icmp_ping_flow) <= FLOW_SLOT_BYTES,
	      "an echo flow must fit a flow table slot");

/**
 * struct icmp_state - File-scope state
 * @warned:	Ping sockets refused: the warning was given
 * @idle_ms:	Flow expiry, ICMP_IDLE_MS unless a test shortens it
 * @buf:	Reply read from a ping socket
 */
static struct icmp_state {
	bool warned;
	long idle_ms;
	uint8_t buf[ICMP_BUF_MAX];
} icmp_state;

/**
 * icmp_sock_refused() - Log that a ping socket could not be opened
 * @af:		Address family
 * @errnum:	errno from socket()
 */
static void icmp_sock_refused(int af, int errnum)
{
	const char *fam = af == AF_INET ? "ICMP" : "ICMPv6";

	if ((errnum == EACCES || errnum == EPERM) && !icmp_state.warned) {
		icmp_state.warned = true;
		warn("%s: ping sockets not allowed, see "
		     "net.ipv4.ping_group_range: echo requests are dropped",
		     fam);
		return;
	}
	debug_ratelimit("%s: no ping socket: %s", fam, strerror(errnum));
}

/**
 * icmp_flow_af() - Address family of an echo flow
 * @pf:		Echo flow
 *
 * Return: AF_INET or AF_INET6
 */
static int icmp_flow_af(const struct icmp_ping_flow *pf)
{
	return inany_v4(&pf->f.side[FLOW_SIDE_INI].peer) ? AF_INET : AF_INET6;
}

/**
 * icmp_scope() - IPv6 scope of an echo flow's target
 * @c:		Execution context
 * @ini:	Guest's side: its destination as local
 * @tgt:	Target side, from fwd_from_tap()
 *
 * Return: the template interface for a link-local destination reached as
 *	   the guest sent it, 0 otherwise
 */
static uint32_t icmp_scope(const struct ctx *c, const struct flowside *ini,
			   const struct flowside *tgt)
{
	if (inany_v4(&tgt->peer) || !IN6_IS_ADDR_LINKLOCAL(&tgt->peer.a6) ||
	    !inany_equals(&tgt->peer, &ini->local))
		return 0;
	return c->ifi6;
}

/**
 * icmp_sockaddr() - Socket address of the target side of an echo flow
 * @pf:		Echo flow
 * @sa:		Socket address (output)
 *
 * Return: length of @sa
 */
static socklen_t icmp_sockaddr(const struct icmp_ping_flow *pf,
			       struct sockaddr_storage *sa)
{
	const union inany_addr *a = &pf->f.side[FLOW_SIDE_TGT].peer;

	memset(sa, 0, sizeof(*sa));
	if (inany_v4(a)) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;

		s4->sin_family = AF_INET;
		s4->sin_addr = *inany_v4(a);
		return sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = a->a6;
		s6->sin6_scope_id = pf->scope_id;
		return sizeof(*s6);
	}
}

/**
 * icmp_sock_bind() - Bind a ping socket to the guest's identifier
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @s:		Socket
 * @tgt:	Target side: local address and identifier (as local port) to
 *		bind; both ports are set to 0 if the kernel chose another
 *
 * Return: 0 on success (possibly on a port the kernel chose), -errno
 *
 * #syscalls bind setsockopt
 */
static int icmp_sock_bind(const struct ctx *c, int af, int s,
			  struct flowside *tgt)
{
	const char *ifname = af == AF_INET ? c->ip4.ifname_out :
					     c->ip6.ifname_out;
	struct sockaddr_storage sa = { .ss_family = (sa_family_t)af };
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&sa;
	struct sockaddr_in *s4 = (struct sockaddr_in *)&sa;
	socklen_t sl = af == AF_INET ? sizeof(*s4) : sizeof(*s6);
	int no = 0;

	/* Ping sockets default to SO_REUSEADDR: two could share an identifier
	 * and the kernel would deliver replies to either one
	 */
	if (setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &no, sizeof(no)))
		return -errno;
	if (ifname[0] && setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
				    (socklen_t)strlen(ifname) + 1))
		return -errno;
	if (af == AF_INET) {
		s4->sin_addr = *inany_v4(&tgt->local);
		s4->sin_port = htons(tgt->local_port);
	} else {
		s6->sin6_addr = tgt->local.a6;
		s6->sin6_port = htons(tgt->local_port);
	}
	if (!bind(s, (struct sockaddr *)&sa, sl))
		return 0;
	tgt->local_port = tgt->peer_port = 0;
	if (af == AF_INET)	/* identifier taken: let the kernel choose */
		s4->sin_port = 0;
	else
		s6->sin6_port = 0;
	return bind(s, (struct sockaddr *)&sa, sl) ? -errno : 0;
}

/**
 * icmp_flow_sock() - Open and register the ping socket of a new flow
 * @c:		Execution context
 * @pf:		Echo flow, both sides set: @pf->sock is set
 *
 * Return: 0 on success, -1 on failure (logged)
 *
 * #syscalls socket close
 */
static int icmp_flow_sock(struct ctx *c, struct icmp_ping_flow *pf)
{
	int af = icmp_flow_af(pf), s, ret;
	uint64_t ref;

	s = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (s < 0) {
		icmp_sock_refused(af, errno);
		return -1;
	}
	if (s > FD_REF_MAX) {
		close(s);
		debug_ratelimit("ICMP: socket number too high");
		return -1;
	}
	ret = icmp_sock_bind(c, af, s, &pf->f.side[FLOW_SIDE_TGT]);
	if (!ret) {
		ref = epoll_ref_make(EPOLL_TYPE_PING, s,
				     flow_ref(&pf->f, FLOW_SIDE_TGT));
		ret = epoll_add(c, s, EPOLLIN, ref);
	}
	if (ret) {
		debug_ratelimit("ICMP: ping socket set-up: %s",
				strerror(ret < 0 ? -ret : ret));
		close(s);
		return -1;
	}
	pf->sock = s;
	return 0;
}

/**
 * icmp_flow_get() - Find the flow of an echo request, or make one
 * @c:		Execution context
 * @ini:	Guest's side of the request: addresses, identifier as ports
 *
 * The target side is what fwd_from_tap() decides, once, for the new flow.
 *
 * Return: flow, NULL if there is none and none could be made: table full
 *	   (counted by flow.c), destination refused, no socket
 */
static struct icmp_ping_flow *icmp_flow_get(struct ctx *c,
					    const struct flowside *ini)
{
	uint8_t proto = inany_v4(&ini->peer) ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	struct icmp_ping_flow *pf;
	struct flow_common *f;

	f = flow_lookup(FLOW_PING, PIF_TAP, ini, NULL);
	if (f)
		return (struct icmp_ping_flow *)f;
	f = flow_alloc(FLOW_PING);
	if (!f) {
		debug_ratelimit("ICMP: flow table full");
		return NULL;
	}
	pf = (struct icmp_ping_flow *)f;
	pf->sock = -1;
	f->pif[FLOW_SIDE_INI] = PIF_TAP;
	f->side[FLOW_SIDE_INI] = *ini;
	f->pif[FLOW_SIDE_TGT] = fwd_from_tap(c, proto, ini,
					     &f->side[FLOW_SIDE_TGT]);
	pf->scope_id = icmp_scope(c, ini, &f->side[FLOW_SIDE_TGT]);
	if (f->pif[FLOW_SIDE_TGT] == PIF_NONE || icmp_flow_sock(c, pf)) {
		flow_free(f);
		return NULL;
	}
	flow_hash_insert(f, FLOW_SIDE_INI);
	flow_state_set(f, FLOW_STATE_ACTIVE);
	flow_log(f, "echo flow opened");
	return pf;
}

/**
 * icmp_drop() - Count and log a dropped echo request or reply
 * @reason:	Counter of the reason, in c->stats
 * @why:	Reason, for the log
 */
static void icmp_drop(unsigned long long *reason, const char *why)
{
	(*reason)++;
	debug_ratelimit("ICMP: dropped: %s", why);
}

/**
 * icmp_tap_one() - Send one echo request from the guest out of its socket
 * @c:		Execution context
 * @key:	Addresses tap.c parsed: source as peer, destination as local
 * @p:		Pool of ICMP or ICMPv6 messages
 * @i:		Index of the message in @p
 * @now:	Current timestamp
 *
 * #syscalls sendto
 */
static void icmp_tap_one(struct ctx *c, const struct flowside *key,
			 const struct pool *p, size_t i,
			 const struct timespec *now)
{
	uint8_t echo = inany_v4(&key->peer) ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	size_t l4len = packet_len(p, i);
	struct icmp_ping_flow *pf;
	struct sockaddr_storage sa;
	struct flowside ini;
	const uint8_t *msg;
	socklen_t sl;

	if (l4len < ICMP_ECHO_HLEN ||
	    !(msg = packet_get(p, i, 0, l4len, NULL))) {
		icmp_drop(&c->stats.icmp_drop_short, "truncated message");
		return;
	}
	if (msg[0] != echo || msg[1]) {
		icmp_drop(&c->stats.icmp_drop_type, "not an echo request");
		return;
	}

	ini = *key;
	ini.peer_port = ini.local_port = (uint16_t)(msg[4] << 8 | msg[5]);
	pf = icmp_flow_get(c, &ini);
	if (!pf) {
		icmp_drop(&c->stats.icmp_drop_flow, "no echo flow");
		return;
	}
	pf->ts = *now;

	sl = icmp_sockaddr(pf, &sa);
	if (sendto(pf->sock, msg, l4len, MSG_NOSIGNAL, (struct sockaddr *)&sa,
		   sl) < 0)
		icmp_drop(&c->stats.icmp_drop_send, strerror(errno));
}

/**
 * icmp_tap_handler() - Handle echo requests from the guest
 * @c:		Execution context
 * @key:	Addresses tap.c parsed for @p: source as peer, destination
 *		as local (ports unused: each message has its identifier)
 * @p:		Pool of ICMP or ICMPv6 messages (header and data)
 * @now:	Current timestamp
 *
 * Return: number of messages handled (sent or dropped)
 */
int icmp_tap_handler(struct ctx *c, const struct flowside *key,
		     const struct pool *p, const struct timespec *now)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		icmp_tap_one(c, key, p, i, now);
	return (int)i;
}

/**
 * icmp_reply_one() - Read one reply from a ping socket, pass it to the guest
 * @c:		Execution context
 * @pf:		Echo flow
 * @now:	Current timestamp
 *
 * Return: true if a datagram was read, false if none is left (or error)
 *
 * #syscalls recvfrom
 */
static bool icmp_reply_one(struct ctx *c, struct icmp_ping_flow *pf,
			   const struct timespec *now)
{
	const struct flowside *ini = &pf->f.side[FLOW_SIDE_INI];
	bool v4 = icmp_flow_af(pf) == AF_INET;
	uint8_t *b = icmp_state.buf;
	ssize_t n;
	size_t len;

	n = recv(pf->sock, b, sizeof(icmp_state.buf), MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			debug_ratelimit("ICMP: recv: %s", strerror(errno));
		return false;
	}
	len = (size_t)n;
	if (len < ICMP_ECHO_HLEN ||
	    b[0] != (v4 ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY)) {
		icmp_drop(&c->stats.icmp_drop_reply, "not an echo reply");
		return true;
	}

	b[4] = (uint8_t)(ini->peer_port >> 8);	/* the guest's identifier */
	b[5] = (uint8_t)ini->peer_port;
	pf->ts = *now;
	if (v4)
		tap_icmp4_send(c, *inany_v4(&ini->local), *inany_v4(&ini->peer),
			       b, len);
	else
		tap_icmp6_send(c, &ini->local.a6, &ini->peer.a6, b, len);
	return true;
}

/**
 * icmp_sock_handler() - Pass echo replies from a ping socket to the guest
 * @c:		Execution context
 * @ref:	Epoll reference: data is flow_ref() of the flow's target side
 * @events:	Epoll events (unused: errors are read and discarded by recv)
 * @now:	Current timestamp
 *
 * An event for a flow freed since (even if its slot was reused) is ignored.
 */
void icmp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		       const struct timespec *now)
{
	struct icmp_ping_flow *pf;
	struct flow_common *f;
	int n;

	(void)events;
	f = flow_from_ref(ref.data, FLOW_PING, NULL);
	if (!f)
		return;
	pf = (struct icmp_ping_flow *)f;
	if (pf->sock != ref.fd)
		return;
	for (n = 0; n < ICMP_RECV_BATCH; n++) {
		if (!icmp_reply_one(c, pf, now))
			break;
	}
}

/**
 * icmp_flow_close() - Close the socket of an echo flow, free its slot
 * @c:		Execution context
 * @pf:		Echo flow
 *
 * #syscalls close
 */
static void icmp_flow_close(const struct ctx *c, struct icmp_ping_flow *pf)
{
	epoll_del(c, pf->sock);
	close(pf->sock);
	flow_free(&pf->f);
}

/**
 * icmp_flow_timer() - Close an echo flow idle for icmp_state.idle_ms
 * @c:		Execution context
 * @pf:		Echo flow, from flow_walk.c's walk of the flow table
 * @now:	Current timestamp
 */
void icmp_flow_timer(struct ctx *c, struct icmp_ping_flow *pf,
		     const struct timespec *now)
{
	if (timespec_diff_ms(now, &pf->ts) > icmp_state.idle_ms)
		icmp_flow_close(c, pf);
}

/**
 * icmp_init() - Check that ping sockets are allowed, warn once if not
 * @c:		Execution context
 */
void icmp_init(struct ctx *c)
{
	const int afs[] = { AF_INET, AF_INET6 };
	size_t i;

	icmp_state.idle_ms = env_long("PASST_ICMP_TIMEOUT", 1,
				      ICMP_IDLE_MS / 1000,
				      ICMP_IDLE_MS / 1000) * 1000;
	if (c->no_icmp)
		return;
	for (i = 0; i < ARRAY_SIZE(afs) && !icmp_state.warned; i++) {
		int proto = afs[i] == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
		int s;

		if (afs[i] == AF_INET ? !c->ifi4_up : !c->ifi6_up)
			continue;
		s = socket(afs[i], SOCK_DGRAM | SOCK_CLOEXEC, proto);
		if (s < 0)
			icmp_sock_refused(afs[i], errno);
		else
			close(s);
	}
}
