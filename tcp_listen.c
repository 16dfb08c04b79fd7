// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_listen.c - Listening sockets for forwarded TCP ports (-t, -T)
 *
 * Theory of Operation
 *
 * -t ports (c->tcp_in) are listened to on the host: connections accepted
 * there go to the guest, on the tap path, or in pasta mode to the
 * namespace's loopback through tcp_splice.c when the peer is local. -T
 * ports (c->tcp_out, pasta only) are listened to inside the namespace,
 * with sockets opened through ns_call(), and always go to tcp_splice.c.
 * Each port gets an IPv4 and an IPv6 (IPV6_V6ONLY) socket unless a bind
 * address picks one family. The epoll data of a listening socket is a
 * union tcp_listen_ref: port, side, family.
 *
 * With FWD_AUTO (pasta's default) the other side's listening sockets are
 * listed every tick through a NETLINK_SOCK_DIAG socket asking for the
 * LISTEN state only (the kernel then walks its listening hash, not every
 * connection), or, if that socket can't be had, by re-reading
 * /proc/net/tcp and /proc/net/tcp6. Both are opened at set-up, the
 * namespace's from inside it, which keeps that namespace's view. Ports in
 * LISTEN state there, less the ones we listen on ourselves on that side,
 * are the ports to listen on here. Sockets are opened and closed to match,
 * for the namespace side with one ns_call() per change.
 *
 * Where an accepted connection goes is fwd_from_host()'s decision (fwd.c),
 * asked once per connection. Inbound connections from the host itself
 * (loopback, or the address the guest shares with the host) reach the
 * guest from the address it chooses: --map-guest-addr for the host's own
 * address, else --map-host-loopback, else (--no-map-gw) the gateway
 * address.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>

#include "fwd.h"
#include "fwd_spec.h"
#include "tcp_connect.h"
#include "tcp_listen.h"
#include "tcp_splice.h"
#include "util.h"

#define TCP_LISTEN_HOST		0
#define TCP_LISTEN_NS		1
#define TCP_LISTEN_ACCEPT_MAX	64	/* accept() calls per event */
#define TCP_PROC_BUF		65536
#define TCP_PROC_LINE		256
#define TCP_STATE_LISTEN	0x0a	/* /proc/net/tcp "st" column, TCP_LISTEN */

/**
 * struct tcp_listen_state - Listening sockets and /proc files for FWD_AUTO
 * @fd:		Sockets by side, family (0: IPv4, 1: IPv6), port; -1 if none
 * @proc:	/proc/net/tcp{,6} by side and family, -1 if not open
 * @diag:	NETLINK_SOCK_DIAG socket by side, -1 if none (then @proc)
 * @scan:	Ports found listening by the last scan
 * @want:	Ports to listen on, for one sync
 * @buf:	Read buffer for /proc files
 */
static struct tcp_listen_state {
	int fd[2][2][NUM_PORTS];
	int proc[2][2];
	int diag[2];
	uint8_t scan[FWD_BITMAP_BYTES];
	uint8_t want[FWD_BITMAP_BYTES];
	char buf[TCP_PROC_BUF + TCP_PROC_LINE] __attribute__((aligned(8)));
} tcp_lst;

/**
 * struct tcp_listen_sync_arg - Argument of tcp_listen_sync() via ns_call()
 * @c:		Execution context
 * @side:	TCP_LISTEN_HOST or TCP_LISTEN_NS
 */
struct tcp_listen_sync_arg {
	struct ctx *c;
	int side;
};

/**
 * tcp_listen_fwd() - Forwarding table of a listening side
 * @c:		Execution context
 * @side:	TCP_LISTEN_HOST (-t) or TCP_LISTEN_NS (-T)
 *
 * Return: table
 */
static struct fwd_ports *tcp_listen_fwd(struct ctx *c, int side)
{
	return side == TCP_LISTEN_NS ? &c->tcp_out : &c->tcp_in;
}

/**
 * tcp_listen_busy_die() - Die for an explicitly forwarded port we can't take
 * @b:		Bind address and interface of the port
 * @port:	Port, host order
 * @v6:		IPv6 socket
 * @err:	errno value from bind()
 */
__attribute__((noreturn))
static void tcp_listen_busy_die(const struct fwd_bind *b, uint16_t port,
				bool v6, int err)
{
	char addr[INET6_ADDRSTRLEN];

	if (!b->addr_set)
		strcpy(addr, v6 ? "::" : "0.0.0.0");
	else if (v6)
		inet_ntop(AF_INET6, &b->addr6, addr, sizeof(addr));
	else
		inet_ntop(AF_INET, &b->addr4, addr, sizeof(addr));

	die("Can't listen on TCP port %u, %s %s%s%s (for -t): %s%s", port,
	    v6 ? "IPv6" : "IPv4", addr, *b->ifname ? "%" : "",
	    b->ifname, strerror(err),
	    err == EADDRINUSE ? " (another process listens there)" :
	    err == EACCES ? " (a privileged port: see sysctl "
	    "net.ipv4.ip_unprivileged_port_start)" : "");
}

/**
 * tcp_listen_open() - Open the listening sockets of one port on one side
 * @c:		Execution context
 * @side:	TCP_LISTEN_HOST or TCP_LISTEN_NS (caller is in that namespace)
 * @port:	Port, host order
 *
 * #syscalls:pasta socket bind listen setsockopt epoll_ctl
 */
static void tcp_listen_open(struct ctx *c, int side, uint16_t port)
{
	const struct fwd_ports *fwd = tcp_listen_fwd(c, side);
	const struct fwd_bind *b = fwd_port_bind(fwd, port);
	union tcp_listen_ref lr = { .port = port, .ns = side };
	int v6, s;

	for (v6 = 0; v6 < 2; v6++) {
		const void *addr = NULL;

		if (tcp_lst.fd[side][v6][port] >= 0 ||
		    (v6 ? !c->ifi6_up : !c->ifi4_up) ||
		    !fwd_bind_has(b, v6))
			continue;
		if (b->addr_set)
			addr = v6 ? (const void *)&b->addr6 :
				    (const void *)&b->addr4;
		lr.v6 = v6;
		s = sock_l4(c, v6 ? AF_INET6 : AF_INET, IPPROTO_TCP, addr,
			    b->ifname, port,
			    epoll_ref_make(EPOLL_TYPE_TCP_LISTEN, 0, lr.u32));
		/* -t ports given one by one are only opened at set-up */
		if (side == TCP_LISTEN_HOST && fwd->mode == FWD_SPEC &&
		    (s == -EADDRINUSE || s == -EACCES))
			tcp_listen_busy_die(b, port, v6, -s);
		if (s < 0 && fwd->mode != FWD_AUTO)
			debug("TCP: can't listen on %s port %u (%s): %s",
			      side ? "namespace" : "host", port,
			      v6 ? "IPv6" : "IPv4", strerror(-s));
		tcp_lst.fd[side][v6][port] = s < 0 ? -1 : s;
	}
}

/**
 * tcp_listen_close() - Close the listening sockets of one port on one side
 * @side:	TCP_LISTEN_HOST or TCP_LISTEN_NS
 * @port:	Port, host order
 *
 * #syscalls:pasta close
 */
static void tcp_listen_close(int side, uint16_t port)
{
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		if (tcp_lst.fd[side][v6][port] < 0)
			continue;
		close(tcp_lst.fd[side][v6][port]);
		tcp_lst.fd[side][v6][port] = -1;
	}
}

/**
 * tcp_listen_is_open() - Do we listen on a port on a side?
 * @side:	TCP_LISTEN_HOST or TCP_LISTEN_NS
 * @port:	Port, host order
 *
 * Return: true if either family's socket is open
 */
static bool tcp_listen_is_open(int side, unsigned port)
{
	return tcp_lst.fd[side][0][port] >= 0 ||
	       tcp_lst.fd[side][1][port] >= 0;
}

/**
 * tcp_listen_sync() - Open and close sockets of a side to match tcp_lst.want
 * @arg:	struct tcp_listen_sync_arg
 *
 * Return: 0
 */
static int tcp_listen_sync(void *arg)
{
	const struct tcp_listen_sync_arg *a = arg;
	unsigned port;

	for (port = 1; port < NUM_PORTS; port++) {
		bool want = fwd_bit_test(tcp_lst.want, (uint16_t)port);

		if (want && !tcp_listen_is_open(a->side, port))
			tcp_listen_open(a->c, a->side, (uint16_t)port);
		else if (!want && tcp_listen_is_open(a->side, port))
			tcp_listen_close(a->side, (uint16_t)port);
	}
	return 0;
}

/**
 * tcp_listen_sync_side() - Sync a side's sockets, entering the namespace
 * @c:		Execution context
 * @side:	TCP_LISTEN_HOST or TCP_LISTEN_NS
 */
static void tcp_listen_sync_side(struct ctx *c, int side)
{
	struct tcp_listen_sync_arg a = { c, side };

	if (side == TCP_LISTEN_NS)
		ns_call(tcp_listen_sync, &a);
	else
		tcp_listen_sync(&a);
}

/**
 * tcp_proc_open() - Open the scan sources of the current namespace: a
 *		     NETLINK_SOCK_DIAG socket, else /proc/net/tcp{,6}
 * @arg:	int[3]: diag socket, /proc files (output), -1 if not open
 *
 * Return: 0
 */
static int tcp_proc_open(void *arg)
{
	int *fds = arg;

	fds[0] = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fds[0] >= 0)
		return 0;
	fds[1] = open("/proc/net/tcp", O_RDONLY | O_CLOEXEC);
	fds[2] = open("/proc/net/tcp6", O_RDONLY | O_CLOEXEC);
	return 0;
}

/**
 * tcp_diag_request() - Ask for the listening TCP sockets of one family
 * @s:		NETLINK_SOCK_DIAG socket
 * @af:		AF_INET or AF_INET6
 *
 * Return: true if the request was sent
 *
 * #syscalls:pasta sendto
 */
static bool tcp_diag_request(int s, int af)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.r.sdiag_family = (uint8_t)af;
	req.r.sdiag_protocol = IPPROTO_TCP;
	req.r.idiag_states = 1U << TCP_STATE_LISTEN;
	return send(s, &req, sizeof(req), 0) == (ssize_t)sizeof(req);
}

/**
 * tcp_diag_scan() - Read listening TCP sockets of a family into tcp_lst.scan
 * @s:		NETLINK_SOCK_DIAG socket
 * @af:		AF_INET or AF_INET6
 *
 * #syscalls:pasta recvfrom
 */
static void tcp_diag_scan(int s, int af)
{
	ssize_t n;

	if (!tcp_diag_request(s, af))
		return;
	while ((n = recv(s, tcp_lst.buf, TCP_PROC_BUF, 0)) > 0) {
		const struct nlmsghdr *nh = (const void *)tcp_lst.buf;
		size_t left = (size_t)n;

		for (; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
			const struct inet_diag_msg *m = NLMSG_DATA(nh);
			uint16_t port;

			if (nh->nlmsg_type == NLMSG_DONE ||
			    nh->nlmsg_type == NLMSG_ERROR)
				return;
			if (nh->nlmsg_len < NLMSG_LENGTH(sizeof(*m)))
				continue;
			port = be16_to_host(m->id.idiag_sport);
			if (port)
				fwd_bit_set(tcp_lst.scan, port);
		}
	}
}

/**
 * tcp_proc_field() - Skip to the next blank-separated field of a line
 * @p:		Current position
 *
 * Return: start of the next field, or of the terminating NUL
 */
static const char *tcp_proc_field(const char *p)
{
	while (*p && *p != ' ')
		p++;
	while (*p == ' ')
		p++;
	return p;
}

/**
 * tcp_proc_line() - Record the port of a /proc/net/tcp line in LISTEN state
 * @line:	NUL-terminated line: "sl: local_addr:port rem_addr:port st ..."
 */
static void tcp_proc_line(const char *line)
{
	const char *p = line, *colon;
	unsigned long port, state;
	char *end;

	while (*p == ' ')
		p++;
	p = tcp_proc_field(p);			/* local address:port */
	colon = strchr(p, ':');
	if (!colon)
		return;
	port = strtoul(colon + 1, &end, 16);
	if (end == colon + 1 || *end != ' ')
		return;
	p = tcp_proc_field(tcp_proc_field(p));	/* state */
	state = strtoul(p, &end, 16);
	if (end == p)
		return;
	if (state == TCP_STATE_LISTEN && port && port < NUM_PORTS)
		fwd_bit_set(tcp_lst.scan, (uint16_t)port);
}

/**
 * tcp_proc_scan() - Read one /proc/net/tcp file into tcp_lst.scan
 * @fd:		Open file, rewound here
 *
 * #syscalls:pasta lseek|_llseek read
 */
static void tcp_proc_scan(int fd)
{
	size_t have = 0;
	ssize_t n;

	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0)
		return;
	while ((n = read(fd, tcp_lst.buf + have, TCP_PROC_BUF)) > 0) {
		char *line = tcp_lst.buf, *nl;

		have += (size_t)n;
		tcp_lst.buf[have] = 0;
		while ((nl = strchr(line, '\n'))) {
			*nl = 0;
			tcp_proc_line(line);
			line = nl + 1;
		}
		have -= (size_t)(line - tcp_lst.buf);
		if (have >= TCP_PROC_LINE)
			have = 0;	/* Not a line of this format */
		memmove(tcp_lst.buf, line, have);
	}
}

/**
 * tcp_listen_auto() - FWD_AUTO: follow the other side's listening ports
 * @c:		Execution context
 * @side:	Side we listen on
 */
static void tcp_listen_auto(struct ctx *c, int side)
{
	int other = !side;
	unsigned port;
	bool change = false;

	memset(tcp_lst.scan, 0, sizeof(tcp_lst.scan));
	if (tcp_lst.diag[other] >= 0) {
		tcp_diag_scan(tcp_lst.diag[other], AF_INET);
		tcp_diag_scan(tcp_lst.diag[other], AF_INET6);
	} else {
		tcp_proc_scan(tcp_lst.proc[other][0]);
		tcp_proc_scan(tcp_lst.proc[other][1]);
	}
	for (port = 1; port < NUM_PORTS; port++) {
		bool want = fwd_bit_test(tcp_lst.scan, (uint16_t)port) &&
			    !tcp_listen_is_open(other, port) &&
			    !fwd_bit_test(tcp_listen_fwd(c, side)->excl,
					  (uint16_t)port);

		if (want)
			fwd_bit_set(tcp_lst.want, (uint16_t)port);
		else
			fwd_bit_clear(tcp_lst.want, (uint16_t)port);
		if (want != tcp_listen_is_open(side, port))
			change = true;
	}
	memcpy(tcp_listen_fwd(c, side)->auto_map, tcp_lst.want,
	       sizeof(tcp_lst.want));
	if (change)
		tcp_listen_sync_side(c, side);
}

/**
 * tcp_listen_timer() - Periodic FWD_AUTO scans
 * @c:		Execution context
 * @now:	Current time (unused: every tick scans)
 */
void tcp_listen_timer(struct ctx *c, const struct timespec *now)
{
	(void)now;
	if (c->mode != MODE_PASTA)
		return;
	if (c->tcp_in.mode == FWD_AUTO)
		tcp_listen_auto(c, TCP_LISTEN_HOST);
	if (c->tcp_out.mode == FWD_AUTO)
		tcp_listen_auto(c, TCP_LISTEN_NS);
}

/**
 * tcp_scan_open() - Open the scan sources of a side, at set-up
 * @side:	TCP_LISTEN_HOST or TCP_LISTEN_NS
 */
static void tcp_scan_open(int side)
{
	int fds[3] = { -1, -1, -1 };

	if (side == TCP_LISTEN_NS)
		ns_call(tcp_proc_open, fds);
	else
		tcp_proc_open(fds);
	tcp_lst.diag[side] = fds[0];
	tcp_lst.proc[side][0] = fds[1];
	tcp_lst.proc[side][1] = fds[2];
}

/**
 * tcp_listen_init() - Open listening sockets for -t and -T at set-up
 * @c:		Execution context
 */
void tcp_listen_init(struct ctx *c)
{
	int side;

	memset(tcp_lst.fd, 0xff, sizeof(tcp_lst.fd));
	memset(tcp_lst.proc, 0xff, sizeof(tcp_lst.proc));
	memset(tcp_lst.diag, 0xff, sizeof(tcp_lst.diag));
	for (side = 0; side < 2; side++) {
		const struct fwd_ports *fwd = tcp_listen_fwd(c, side);

		if (side == TCP_LISTEN_NS && c->mode != MODE_PASTA)
			break;
		if (fwd->mode != FWD_SPEC && fwd->mode != FWD_ALL)
			continue;
		memcpy(tcp_lst.want, fwd->map, sizeof(tcp_lst.want));
		tcp_listen_sync_side(c, side);
	}
	if (c->mode != MODE_PASTA)
		return;
	if (c->tcp_in.mode == FWD_AUTO)
		tcp_scan_open(TCP_LISTEN_NS);
	if (c->tcp_out.mode == FWD_AUTO)
		tcp_scan_open(TCP_LISTEN_HOST);
	tcp_listen_timer(c, NULL);
}

/**
 * tcp_listen_ini() - Initiating side of an accepted connection
 * @sa:		Peer address from accept()
 * @ini:	Side (output): @sa as peer, local left unspecified, ports 0
 *
 * Return: true if the address family is usable
 */
static bool tcp_listen_ini(const struct sockaddr_storage *sa,
			   struct flowside *ini)
{
	memset(ini, 0, sizeof(*ini));
	if (sa->ss_family == AF_INET) {
		const struct sockaddr_in *s4 = (const struct sockaddr_in *)sa;
		struct in_addr any = { .s_addr = INADDR_ANY };

		inany_from_v4(&ini->peer, s4->sin_addr);
		inany_from_v4(&ini->local, any);
		ini->peer_port = ntohs(s4->sin_port);
	} else if (sa->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;

		ini->peer.a6 = s6->sin6_addr;
		ini->peer_port = ntohs(s6->sin6_port);
	} else {
		return false;
	}
	return true;
}

/**
 * tcp_listen_accept() - Accept one connection and hand it on
 * @c:		Execution context
 * @ref:	Epoll reference of the listening socket
 * @now:	Current time
 *
 * Where it goes is fwd_from_host()'s decision, made here once: the guest
 * (tcp_connect.c), a splice (tcp_splice.c), or nowhere (closed).
 *
 * Return: false when there is nothing more to accept
 *
 * #syscalls accept4 close
 */
static bool tcp_listen_accept(struct ctx *c, union epoll_ref ref,
			      const struct timespec *now)
{
	union tcp_listen_ref lr = { .u32 = ref.data };
	enum flow_pif pif = lr.ns ? PIF_SPLICE : PIF_HOST;
	struct sockaddr_storage sa = { .ss_family = AF_UNSPEC };
	socklen_t sl = sizeof(sa);
	struct flowside ini, tgt;
	int s;

	s = accept4(ref.fd, (struct sockaddr *)&sa, &sl,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (s < 0)
		return false;
	if (!tcp_listen_ini(&sa, &ini)) {
		close(s);
		return true;
	}
	ini.local_port = lr.port;
	switch (fwd_from_host(c, IPPROTO_TCP, pif, &ini, &tgt)) {
	case PIF_TAP:
		if (s > FD_REF_MAX)
			break;
		tcp_tap_conn_from_sock(c, s, &ini, &tgt, now);
		return true;
	case PIF_SPLICE:
	case PIF_HOST:
		if (!tcp_splice_conn_from_sock(c, s, lr.ns, &ini, &tgt, now))
			break;
		return true;
	default:
		break;
	}
	close(s);
	return true;
}

/**
 * tcp_listen_handler() - New connections on a listening socket
 * @c:		Execution context
 * @ref:	Epoll reference: union tcp_listen_ref in data
 * @now:	Current time
 */
void tcp_listen_handler(struct ctx *c, union epoll_ref ref,
			const struct timespec *now)
{
	int i;

	if (c->no_tcp)
		return;
	for (i = 0; i < TCP_LISTEN_ACCEPT_MAX; i++) {
		if (!tcp_listen_accept(c, ref, now))
			break;
	}
}
