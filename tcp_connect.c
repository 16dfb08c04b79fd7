// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_connect.c - TCP: opening tap-path connections, both ways
 *
 * A SYN from the guest for no known connection (tcp_conn_from_tap()) takes
 * a flow table slot, opens a host socket and starts a non-blocking
 * connect() to the guest's destination, mapped as fwd_from_tap() (fwd.c)
 * says. The socket is bound to its stored host side's local address (the
 * -o address, which fwd_from_tap() put there), as UDP and ICMP sockets are,
 * and to the --outbound-if4/6 interface, if given. tcp_connect_done()
 * answers the guest when it completes: SYN-ACK, or on failure an RST, or
 * an ICMP destination unreachable quoting the SYN for an unreachable host
 * or network. An inbound connection accepted on a forwarded port
 * (tcp_listen.c) gets a slot and a SYN to the guest from
 * tcp_tap_conn_from_sock(). Slots are flows of the flow table, sides set
 * as tcp_conn.c describes. The Theory of Operation is in tcp.c; segments
 * after these first ones are handled there.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/tcp.h>

#include "fwd.h"
#include "log.h"
#include "packet.h"
#include "tap_out.h"
#include "tcp_buf.h"
#include "tcp_conn.h"
#include "tcp_connect.h"
#include "tcp_ctl.h"
#include "tcp_timer.h"
#include "util.h"

/**
 * tcp_sockaddr_of() - Socket address of an address and port
 * @a:		Address, IPv4 as v4-mapped
 * @port:	Port, host order
 * @sa:		Socket address (output)
 *
 * Return: length of @sa
 */
static socklen_t tcp_sockaddr_of(const union inany_addr *a, uint16_t port,
				 struct sockaddr_storage *sa)
{
	const struct in_addr *a4 = inany_v4(a);

	memset(sa, 0, sizeof(*sa));
	if (a4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;

		s4->sin_family = AF_INET;
		s4->sin_port = htons(port);
		s4->sin_addr = *a4;
		return sizeof(*s4);
	}
	((struct sockaddr_in6 *)sa)->sin6_family = AF_INET6;
	((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
	((struct sockaddr_in6 *)sa)->sin6_addr = a->a6;
	return sizeof(struct sockaddr_in6);
}

/**
 * tcp_bind_addr_set() - Is there an address to bind, of the socket's family?
 * @a:		Local address of a host side, IPv4 as v4-mapped
 * @v6:		IPv6 socket
 *
 * fwd_from_tap() stores the unspecified address of the destination's
 * family when no -o address is configured, and all zeroes (::) for a
 * refused destination, whatever its family: neither is bound.
 *
 * Return: true if @a is a specified address of the family of the socket
 */
static bool tcp_bind_addr_set(const union inany_addr *a, bool v6)
{
	const struct in_addr *a4 = inany_v4(a);

	if (v6)
		return !a4 && !IN6_IS_ADDR_UNSPECIFIED(&a->a6);
	return a4 && !in4_is_unspec(a4);
}

/**
 * tcp_sock_out() - Open the host socket for an outbound connection
 * @c:		Execution context
 * @host:	Stored host side: local address (and port, 0) to bind
 * @v6:		IPv6
 *
 * Return: socket, negative errno on failure
 *
 * #syscalls socket setsockopt bind
 */
static int tcp_sock_out(const struct ctx *c, const struct flowside *host,
			bool v6)
{
	const char *ifname = v6 ? c->ip6.ifname_out : c->ip4.ifname_out;
	struct sockaddr_storage sa;
	int s, one = 1;
	socklen_t sl;

	s = socket(v6 ? AF_INET6 : AF_INET,
		   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (s < 0)
		return -errno;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (*ifname)
		setsockopt(s, SOL_SOCKET, SO_BINDTODEVICE, ifname,
			   (socklen_t)strlen(ifname) + 1);
	if (!tcp_bind_addr_set(&host->local, v6))
		return s;
	sl = tcp_sockaddr_of(&host->local, host->local_port, &sa);
	if (bind(s, (struct sockaddr *)&sa, sl))
		debug_perror("TCP: can't bind to the -o address");
	return s;
}

/**
 * tcp_conn_fds() - Register a connection's socket, its one descriptor
 * @c:		Execution context
 * @conn:	Connection, socket set
 *
 * Its timer needs no descriptor: see tcp_timer.c.
 *
 * Return: true on success
 *
 * #syscalls epoll_ctl
 */
static bool tcp_conn_fds(const struct ctx *c, struct tcp_conn *conn)
{
	uint32_t ref = tcp_conn_ref(conn);

	return !epoll_add(c, conn->sock, TCP_CONN_EPOLL_EVENTS,
			  epoll_ref_make(EPOLL_TYPE_TCP, conn->sock, ref));
}

/**
 * tcp_conn_seq_init() - Set our initial sequence number and flow label
 * @conn:	Connection, endpoints set
 * @now:	Current time
 */
static void tcp_conn_seq_init(struct tcp_conn *conn,
			      const struct timespec *now)
{
	uint32_t isn = tcp_conn_isn(conn, now);

	conn->seq_to_tap = conn->seq_ack_from_tap = isn + 1;
	conn->seq_high = conn->seq_timer = isn + 1;
	conn->wnd_to_tap = 65535;
	if (conn->v6)
		conn->flow_label = tap_flow_label(tcp_tapside(conn),
						  sizeof(struct flowside));
}

/**
 * tcp_icmp_unreach() - Tell the guest its SYN's destination is unreachable
 * @c:		Execution context
 * @conn:	Connection; the guest's SYN is not answered yet
 * @err:	connect() error: ENETUNREACH, else host unreachable
 *
 * The ICMP or ICMPv6 destination unreachable, from the far address, quotes
 * the guest's SYN: its IP header and the first eight bytes of its TCP
 * header (ports and sequence), all the guest's TCP needs to fail that
 * connect() with the matching error.
 */
static void tcp_icmp_unreach(struct ctx *c, const struct tcp_conn *conn,
			     int err)
{
	const struct flowside *tap = tcp_tapside(conn);
	struct {
		__be16 ports[2];
		__be32 seq;
	} q = { { host_to_be16(tap->peer_port), host_to_be16(tap->local_port) },
		host_to_be32(conn->seq_from_tap - 1) };
	struct tap_icmp_err e = {
		.proto = IPPROTO_TCP, .l4len = sizeof(struct tcphdr),
		.hdr = &q, .hlen = sizeof(q),
	};

	if (conn->v6) {
		e.type = ICMPV6_DEST_UNREACH;
		e.code = err == ENETUNREACH ? ICMPV6_NOROUTE :
					      ICMPV6_ADDR_UNREACH;
	} else {
		e.type = ICMP_DEST_UNREACH;
		e.code = err == ENETUNREACH ? ICMP_NET_UNREACH :
					      ICMP_HOST_UNREACH;
	}
	tap_icmp_err_send(c, &tap->local, &tap->peer, &e);
	c->stats.tcp_unreach++;
}

/**
 * tcp_connect_fail() - Outbound connect() failed: tell the guest, free
 * @c:		Execution context
 * @conn:	Connection
 * @err:	Error from connect() or SO_ERROR
 *
 * An unreachable host or network becomes an ICMP error, as a router on
 * the way would send it, so that the guest's application sees the same
 * error; anything else (refused, timed out) an RST: "connection refused".
 */
static void tcp_connect_fail(struct ctx *c, struct tcp_conn *conn, int err)
{
	debug("TCP: connection %u: connect: %s", tcp_conn_idx(conn),
	      strerror(err));
	if (err == EHOSTUNREACH || err == ENETUNREACH || err == EHOSTDOWN)
		tcp_icmp_unreach(c, conn, err);
	else
		tcp_buf_send_flags(c, conn, TCP_RST | TCP_ACK);
	tcp_sock_close(conn, false);
}

/**
 * tcp_connect_done() - Outbound connect() finished: SYN-ACK or RST
 * @c:		Execution context
 * @conn:	Connection, connect() pending
 * @events:	EPOLL* events that told, 0 if connect() succeeded at once
 *
 * A connecting socket reports nothing until it is connected (EPOLLOUT) or
 * has failed (EPOLLERR, EPOLLHUP): SO_ERROR is only read for the log. The
 * handshake timer armed at connect() stays: it resends the SYN-ACK.
 *
 * #syscalls getsockopt
 */
void tcp_connect_done(struct ctx *c, struct tcp_conn *conn,
			     uint32_t events)
{
	socklen_t sl = sizeof(int);
	int err = 0;

	if (events & (EPOLLERR | EPOLLHUP)) {
		getsockopt(conn->sock, SOL_SOCKET, SO_ERROR, &err, &sl);
		tcp_connect_fail(c, conn, err);
		return;
	}
	tcp_conn_event(conn, TCP_EV_SYNACK_TO_TAP);
	tcp_buf_send_flags(c, conn, TCP_SYN | TCP_ACK);
	conn->retries = 0;
}

/**
 * tcp_conn_from_tap() - A SYN from the guest: connect to the destination
 * @c:		Execution context
 * @tap:	Guest's address and port as peer, destination as local
 * @seg:	Parsed SYN, options read
 * @now:	Current time
 *
 * The host side is fwd_from_tap()'s, decided here once: the translated
 * destination (the --map-host-loopback address, the gateway by default, to
 * the host's loopback, the --map-guest-addr one to the host's own address,
 * the --dns-forward one on port 53 to the host's resolver) and the -o
 * address. A destination mapped to nothing is answered as unreachable. A
 * full flow table refuses the connection with an RST, as does a failure to
 * open a socket.
 *
 * #syscalls connect
 */
void tcp_conn_from_tap(struct ctx *c, const struct flowside *tap,
		       const struct tcp_seg *seg, const struct timespec *now)
{
	struct sockaddr_storage sa;
	struct flowside host;
	struct tcp_conn *conn;
	bool pending;
	socklen_t sl;

	sl = 0;
	if (fwd_from_tap(c, IPPROTO_TCP, tap, &host) != PIF_NONE)
		sl = tcp_sockaddr_of(&host.peer, host.peer_port, &sa);
	conn = tcp_conn_new(false, tap, &host);
	if (!conn) {
		tcp_drop_count(&c->stats.tcp_drop_full, 1);
		tcp_buf_rst_no_conn(c, tap, seg);
		return;
	}
	tcp_conn_seq_init(conn, now);
	conn->seq_from_tap = seg->seq + 1;
	tcp_syn_opts_apply(c, conn, seg);
	tcp_conn_event(conn, TCP_EV_SYN_FROM_TAP);
	conn->sock = tcp_sock_out(c, tcp_hostside(conn), conn->v6);
	if (conn->sock < 0 || !tcp_conn_fds(c, conn)) {
		tcp_drop_count(&c->stats.tcp_drop_full, 1);
		tcp_buf_send_flags(c, conn, TCP_RST | TCP_ACK);
		tcp_sock_close(conn, false);
		return;
	}
	c->stats.tcp_conns++;
	if (!sl) {
		tcp_connect_fail(c, conn, EHOSTUNREACH);
		return;
	}
	pending = connect(conn->sock, (struct sockaddr *)&sa, sl) != 0;
	if (pending && errno != EINPROGRESS) {
		tcp_connect_fail(c, conn, errno);
		return;
	}
	tcp_timer_arm(conn, TCP_SYN_TIMEOUT_MS);
	if (!pending)
		tcp_connect_done(c, conn, 0);
}

/**
 * tcp_tap_conn_from_sock() - Inbound connection: send a SYN to the guest
 * @c:		Execution context
 * @s:		Accepted socket, non-blocking
 * @host:	Host side: the remote peer, our listening port as local
 * @far:	Far end as the guest will see it, as local, and the guest's
 *		port as peer port; the guest's address is filled in here
 * @now:	Current time
 *
 * A full flow table, or a connection already there with the same
 * addresses and ports, closes @s.
 *
 * #syscalls close setsockopt
 */
void tcp_tap_conn_from_sock(struct ctx *c, int s, const struct flowside *host,
			    const struct flowside *far,
			    const struct timespec *now)
{
	struct flowside tap = *far;
	struct tcp_conn *conn;
	int one = 1;

	if (inany_v4(&tap.local))
		inany_from_v4(&tap.peer, tap_ip4_daddr(c));
	else
		tap.peer.a6 = *tap_ip6_daddr(c, &tap.local.a6);
	if (tcp_conn_lookup(&tap) || !(conn = tcp_conn_new(true, &tap, host))) {
		tcp_drop_count(&c->stats.tcp_drop_full, 1);
		close(s);
		return;
	}
	conn->sock = s;
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	tcp_conn_seq_init(conn, now);
	conn->mss = (uint16_t)tcp_buf_mss_max(c, conn->v6);
	tcp_conn_event(conn, TCP_EV_SYN_TO_TAP);
	if (!tcp_conn_fds(c, conn)) {
		tcp_drop_count(&c->stats.tcp_drop_full, 1);
		tcp_sock_close(conn, true);
		return;
	}
	tcp_buf_send_flags(c, conn, TCP_SYN);
	tcp_timer_arm(conn, TCP_SYN_TIMEOUT_MS);
	c->stats.tcp_conns++;
}
