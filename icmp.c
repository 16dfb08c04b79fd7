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
 * echo requests (counted in c->stats.icmp_drop) instead of failing.
 *
 * A flow is a (family, guest identifier, destination) triple and owns one
 * socket, registered with epoll as EPOLL_TYPE_PING with the flow index as
 * data. The kernel rewrites the identifier of outgoing requests to the
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
 * checksum set by tap.c.
 *
 * Destinations are translated by nat.c: the map_host_loopback address (the
 * gateway unless --no-map-gw; for IPv6 our link-local address too) goes to
 * the host's loopback, the map_guest_addr one to the host's own address.
 * Other link-local destinations are reached through the template interface
 * (scope c->ifi6).
 *
 * Flows expire after ICMP_IDLE_MS without traffic: icmp_timer() closes
 * their sockets (for tests only, PASST_ICMP_TIMEOUT, 1 to 60 seconds, read
 * once in icmp_init(), shortens that). Ping sockets are the one exception to "open everything
 * before the loop": they are created on demand, as the guest's traffic
 * decides which ones exist.
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

#include "icmp.h"
#include "inany.h"
#include "log.h"
#include "nat.h"
#include "packet.h"
#include "passt.h"
#include "tap.h"
#include "util.h"

#define ICMP_FLOWS_MAX		256	/* Echo flows at a time */
#define ICMP_IDLE_MS		60000	/* Flow expiry, at most */
#define ICMP_BUF_MAX		65536	/* Largest reply we read */
#define ICMP_RECV_BATCH		16	/* Replies read per event */
#define ICMP_ECHO_HLEN		8	/* type code csum id seq */

/**
 * struct icmp_flow - One echo flow and its ping socket
 * @used:	Slot in use
 * @af:		AF_INET or AF_INET6
 * @sock:	Ping socket
 * @id:		Guest's echo identifier, host order
 * @saddr:	Guest's address (destination of replies)
 * @daddr:	Destination as the guest sent it (source of replies)
 * @ts:		Last request or reply
 */
struct icmp_flow {
	bool used;
	int af;
	int sock;
	uint16_t id;
	union inany_addr saddr;
	union inany_addr daddr;
	struct timespec ts;
};

/**
 * struct icmp_state - File-scope state
 * @flow:	Flow table, index is the epoll reference data
 * @warned:	Ping sockets refused: the warning was given
 * @idle_ms:	Flow expiry, ICMP_IDLE_MS unless a test shortens it
 * @buf:	Reply read from a ping socket
 */
static struct icmp_state {
	struct icmp_flow flow[ICMP_FLOWS_MAX];
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
 * icmp_sockaddr() - Socket address for a destination, translated by nat.c
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @daddr:	Destination from the guest: struct in_addr or in6_addr
 * @sa:		Socket address (output)
 *
 * Return: length of @sa, 0 if the destination maps to nothing
 */
static socklen_t icmp_sockaddr(const struct ctx *c, int af, const void *daddr,
			       struct sockaddr_storage *sa)
{
	enum nat_out how;
	union inany_addr t;

	memset(sa, 0, sizeof(*sa));
	inany_from_af(&t, af, daddr);
	how = nat_outbound(c, &t, 0);
	if (how == NAT_OUT_NONE)
		return 0;

	if (af == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;

		s4->sin_family = AF_INET;
		s4->sin_addr = *inany_v4(&t);
		return sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = t.a6;
		if (how == NAT_OUT_SAME && IN6_IS_ADDR_LINKLOCAL(&t.a6))
			s6->sin6_scope_id = c->ifi6;
		return sizeof(*s6);
	}
}

/**
 * icmp_sock_bind() - Bind a ping socket to the guest's identifier
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @s:		Socket
 * @id:		Identifier, host order: the port we ask for
 *
 * Return: 0 on success (possibly on a port the kernel chose), -errno
 *
 * #syscalls bind setsockopt
 */
static int icmp_sock_bind(const struct ctx *c, int af, int s, uint16_t id)
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
		s4->sin_addr = c->ip4.addr_out;
		s4->sin_port = htons(id);
	} else {
		s6->sin6_addr = c->ip6.addr_out;
		s6->sin6_port = htons(id);
	}
	if (!bind(s, (struct sockaddr *)&sa, sl))
		return 0;
	if (af == AF_INET)	/* identifier taken: let the kernel choose */
		s4->sin_port = 0;
	else
		s6->sin6_port = 0;
	return bind(s, (struct sockaddr *)&sa, sl) ? -errno : 0;
}

/**
 * icmp_flow_new() - Open and register the ping socket of a new flow
 * @c:		Execution context
 * @idx:	Free slot in the flow table
 * @af:		AF_INET or AF_INET6
 * @id:		Guest's identifier, host order
 *
 * Return: socket, or -1 on failure (logged)
 *
 * #syscalls socket close
 */
static int icmp_flow_new(struct ctx *c, size_t idx, int af, uint16_t id)
{
	int proto = af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6, s, ret;

	s = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (s < 0) {
		icmp_sock_refused(af, errno);
		return -1;
	}
	if (s > FD_REF_MAX) {
		close(s);
		debug_ratelimit("ICMP: socket number too high");
		return -1;
	}
	ret = icmp_sock_bind(c, af, s, id);
	if (!ret) {
		uint32_t data = (uint32_t)idx;

		ret = epoll_add(c, s, EPOLLIN,
				epoll_ref_make(EPOLL_TYPE_PING, s, data));
	}
	if (ret) {
		debug_ratelimit("ICMP: ping socket set-up: %s",
				strerror(ret < 0 ? -ret : ret));
		close(s);
		return -1;
	}
	return s;
}

/**
 * icmp_flow_get() - Find the flow of an echo request, or make one
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @id:		Guest's identifier, host order
 * @daddr:	Destination from the guest
 *
 * Return: flow, NULL if there is none and none could be made
 */
static struct icmp_flow *icmp_flow_get(struct ctx *c, int af, uint16_t id,
				       const union inany_addr *daddr)
{
	struct icmp_flow *f, *free_slot = NULL;
	size_t i;

	for (i = 0; i < ICMP_FLOWS_MAX; i++) {
		f = &icmp_state.flow[i];
		if (!f->used) {
			free_slot = free_slot ? free_slot : f;
			continue;
		}
		if (f->af == af && f->id == id &&
		    inany_equals(&f->daddr, daddr))
			return f;
	}
	if (!free_slot) {
		debug_ratelimit("ICMP: flow table full");
		return NULL;
	}
	f = free_slot;
	f->sock = icmp_flow_new(c, (size_t)(f - icmp_state.flow), af, id);
	if (f->sock < 0)
		return NULL;
	f->used = true;
	f->af = af;
	f->id = id;
	f->daddr = *daddr;
	return f;
}

/**
 * icmp_drop() - Count and log a dropped echo request or reply
 * @c:		Execution context
 * @why:	Reason, for the log
 */
static void icmp_drop(struct ctx *c, const char *why)
{
	c->stats.icmp_drop++;
	debug_ratelimit("ICMP: dropped: %s", why);
}

/**
 * icmp_tap_one() - Send one echo request from the guest out of its socket
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @saddr:	Source address: struct in_addr or struct in6_addr
 * @daddr:	Destination address, same type
 * @p:		Pool of ICMP or ICMPv6 messages
 * @i:		Index of the message in @p
 * @now:	Current timestamp
 *
 * #syscalls sendto
 */
static void icmp_tap_one(struct ctx *c, int af, const void *saddr,
			 const void *daddr, const struct pool *p, size_t i,
			 const struct timespec *now)
{
	uint8_t echo = af == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
	size_t l4len = packet_len(p, i);
	struct sockaddr_storage sa;
	const uint8_t *msg;
	union inany_addr da;
	struct icmp_flow *f;
	socklen_t sl;

	if (l4len < ICMP_ECHO_HLEN ||
	    !(msg = packet_get(p, i, 0, l4len, NULL))) {
		icmp_drop(c, "truncated message");
		return;
	}
	if (msg[0] != echo || msg[1]) {
		icmp_drop(c, "not an echo request");
		return;
	}

	inany_from_af(&da, af, daddr);
	f = icmp_flow_get(c, af, (uint16_t)(msg[4] << 8 | msg[5]), &da);
	if (!f) {
		icmp_drop(c, "no ping socket");
		return;
	}
	inany_from_af(&f->saddr, af, saddr);
	f->ts = *now;

	sl = icmp_sockaddr(c, af, daddr, &sa);
	if (!sl || sendto(f->sock, msg, l4len, MSG_NOSIGNAL,
			  (struct sockaddr *)&sa, sl) < 0) {
		c->stats.icmp_drop++;
		debug_ratelimit("ICMP: sendto: %s", strerror(errno));
	}
}

/**
 * icmp_tap_handler() - Handle echo requests from the guest
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @saddr:	Source address: struct in_addr or struct in6_addr
 * @daddr:	Destination address, same type
 * @p:		Pool of ICMP or ICMPv6 messages (header and data)
 * @now:	Current timestamp
 *
 * Return: number of messages handled (sent or dropped)
 */
int icmp_tap_handler(struct ctx *c, int af, const void *saddr,
		     const void *daddr, const struct pool *p,
		     const struct timespec *now)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		icmp_tap_one(c, af, saddr, daddr, p, i, now);
	return (int)i;
}

/**
 * icmp_reply_one() - Read one reply from a ping socket, pass it to the guest
 * @c:		Execution context
 * @f:		Flow
 * @now:	Current timestamp
 *
 * Return: true if a datagram was read, false if none is left (or error)
 *
 * #syscalls recvfrom
 */
static bool icmp_reply_one(struct ctx *c, struct icmp_flow *f,
			   const struct timespec *now)
{
	uint8_t reply = f->af == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY;
	uint8_t *b = icmp_state.buf;
	ssize_t n;
	size_t len;

	n = recv(f->sock, b, sizeof(icmp_state.buf), MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			debug_ratelimit("ICMP: recv: %s", strerror(errno));
		return false;
	}
	len = (size_t)n;
	if (len < ICMP_ECHO_HLEN || b[0] != reply) {
		icmp_drop(c, "not an echo reply");
		return true;
	}

	b[4] = (uint8_t)(f->id >> 8);	/* the guest's identifier */
	b[5] = (uint8_t)f->id;
	f->ts = *now;
	if (f->af == AF_INET)
		tap_icmp4_send(c, *inany_v4(&f->daddr), *inany_v4(&f->saddr),
			       b, len);
	else
		tap_icmp6_send(c, &f->daddr.a6, &f->saddr.a6, b, len);
	return true;
}

/**
 * icmp_sock_handler() - Pass echo replies from a ping socket to the guest
 * @c:		Execution context
 * @ref:	Epoll reference: data is the flow index
 * @events:	Epoll events (unused: errors are read and discarded by recv)
 * @now:	Current timestamp
 */
void icmp_sock_handler(struct ctx *c, union epoll_ref ref, uint32_t events,
		       const struct timespec *now)
{
	struct icmp_flow *f;
	int n;

	(void)events;
	if (ref.data >= ICMP_FLOWS_MAX)
		return;
	f = &icmp_state.flow[ref.data];
	if (!f->used || f->sock != ref.fd)
		return;
	for (n = 0; n < ICMP_RECV_BATCH; n++) {
		if (!icmp_reply_one(c, f, now))
			break;
	}
}

/**
 * icmp_flow_close() - Close the socket of a flow, free its slot
 * @c:		Execution context
 * @f:		Flow
 *
 * #syscalls close
 */
static void icmp_flow_close(const struct ctx *c, struct icmp_flow *f)
{
	epoll_del(c, f->sock);
	close(f->sock);
	f->sock = -1;
	f->used = false;
}

/**
 * icmp_timer() - Close flows idle for icmp_state.idle_ms
 * @c:		Execution context
 * @now:	Current timestamp
 */
void icmp_timer(struct ctx *c, const struct timespec *now)
{
	size_t i;

	for (i = 0; i < ICMP_FLOWS_MAX; i++) {
		struct icmp_flow *f = &icmp_state.flow[i];

		if (f->used && timespec_diff_ms(now, &f->ts) > icmp_state.idle_ms)
			icmp_flow_close(c, f);
	}
}

/**
 * icmp_init() - Check that ping sockets are allowed, warn once if not
 * @c:		Execution context
 */
void icmp_init(struct ctx *c)
{
	const int afs[] = { AF_INET, AF_INET6 };
	size_t i;

	for (i = 0; i < ICMP_FLOWS_MAX; i++)
		icmp_state.flow[i].sock = -1;
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
