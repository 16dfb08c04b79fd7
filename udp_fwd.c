// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_fwd.c - UDP forwarded ports: listening sockets and "auto" scan
 *
 * Binds the -u ports on the host and, in pasta, the -U ports in the
 * namespace (sockets opened there through ns_call(), or taken from
 * udp_sock.c's namespace pool), and in "auto" mode keeps them in step with
 * the ports bound on the other side, read from /proc/net/udp{,6} every
 * second. The listening sockets are held here, in udp_fwd.listen: udp.c's
 * handlers ask udp_listen_fd() for the one a flow's peer used. See the
 * Theory of Operation in udp.c, "Forwarded ports".
 */

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "fwd_spec.h"
#include "log.h"
#include "ctx.h"
#include "udp_cmsg.h"
#include "udp_fwd.h"
#include "udp_internal.h"
#include "udp_sock.h"
#include "util.h"

/**
 * struct udp_fwd_state - Listening sockets and "auto" scan state
 * @listen:	Listening socket per [side][v6][port], -1 if none
 * @warned:	Ports whose bind failure was reported, per [side][v6]
 * @proc_fd:	"auto": /proc/net/udp and udp6 per [side][v6], -1 if closed
 * @proc_buf:	Read buffer for @proc_fd
 * @scan:	Scratch bitmap of ports found bound
 */
struct udp_fwd_state {
	int listen[2][2][NUM_PORTS];
	uint8_t warned[2][2][FWD_BITMAP_BYTES];
	int proc_fd[2][2];
	char proc_buf[UDP_PROC_BUF + 1];
	uint8_t scan[FWD_BITMAP_BYTES];
};

static struct udp_fwd_state udp_fwd;

/**
 * udp_fwd_state_init() - Mark all listening sockets and scan files closed
 */
void udp_fwd_state_init(void)
{
	memset(udp_fwd.listen, 0xff, sizeof(udp_fwd.listen));
	memset(udp_fwd.proc_fd, 0xff, sizeof(udp_fwd.proc_fd));
}

/**
 * udp_listen_fd() - Listening socket a TAP_IN or SPLICE flow's peer used
 * @uf:		Flow
 *
 * Return: socket replies to the INI peer are sent from, -1 if closed
 */
int udp_listen_fd(const struct udp_flow *uf)
{
	const struct flowside *ini = &uf->f.side[FLOW_SIDE_INI];
	enum udp_side side = uf->f.pif[FLOW_SIDE_INI] == PIF_SPLICE ?
			     UDP_SIDE_NS : UDP_SIDE_HOST;

	return udp_fwd.listen[side][udp_flow_v6(uf)][ini->local_port];
}

/**
 * udp_fwd_listen_get() - Listening socket of a forwarded port
 * @side:	Host or namespace side
 * @v6:		IPv6 socket
 * @port:	Port, host order
 *
 * Return: socket, -1 if none
 */
int udp_fwd_listen_get(enum udp_side side, bool v6, uint16_t port)
{
	return udp_fwd.listen[side][v6][port];
}

/**
 * struct udp_ns_open_arg - Arguments of udp_ns_open_fn()
 * @v6:		IPv6 socket
 * @fd:		Socket (output), -1 on failure
 * @err:	errno on failure (output)
 */
struct udp_ns_open_arg {
	bool v6;
	int fd;
	int err;
};

/**
 * udp_ns_open_fn() - Open a socket in the namespace (runs there)
 * @arg:	struct udp_ns_open_arg
 *
 * Return: 0
 *
 * #syscalls:pasta socket
 */
static int udp_ns_open_fn(void *arg)
{
	struct udp_ns_open_arg *a = arg;

	a->fd = socket(a->v6 ? AF_INET6 : AF_INET,
		       SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
	a->err = errno;
	return 0;
}

/**
 * udp_listen_sock() - Open a socket for a listening port on one side
 * @c:		Execution context
 * @side:	Side
 * @v6:		IPv6
 *
 * Return: socket, -1 with errno set on failure
 *
 * #syscalls:pasta close
 */
static int udp_listen_sock(const struct ctx *c, enum udp_side side, bool v6)
{
	struct udp_ns_open_arg a = { .v6 = v6, .fd = -1, .err = EINVAL };
	int fd;

	if (side == UDP_SIDE_HOST)
		return udp_sock_new(c, v6, false, NULL);
	if ((fd = udp_nspool_take(v6)) >= 0)
		return fd;
	if (ns_call(udp_ns_open_fn, &a) < 0 || a.fd < 0) {
		errno = a.err;
		return -1;
	}
	if (a.fd > FD_REF_MAX || udp_sock_opts(a.fd, v6, false)) {
		close(a.fd);
		errno = EBADF;
		return -1;
	}
	return a.fd;
}

/**
 * udp_listen_addr() - Bind address of listening sockets
 * @c:		Execution context
 * @side:	Side
 * @v6:		IPv6
 * @b:		Bind address and interface of the port
 * @a:		Address (output)
 *
 * Return: false if this IP version is not bound for the port
 */
static bool udp_listen_addr(const struct ctx *c, enum udp_side side, bool v6,
			    const struct fwd_bind *b, union inany_addr *a)
{
	if (v6 ? !c->ifi6_up : !c->ifi4_up)
		return false;
	if (!fwd_bind_has(b, v6))
		return false;
	udp_ctx_addr(a, v6, &b->addr4, &b->addr6);
	if (side == UDP_SIDE_NS && !b->addr_set)
		udp_loopback(a, v6);
	return true;
}

/**
 * udp_listen_open() - Bind a forwarded port on one side, one IP version
 * @c:		Execution context
 * @side:	Side
 * @v6:		IPv6
 * @port:	Port, host order
 * @quiet:	Report failure at debug level only
 *
 * Return: true if bound (or already bound)
 *
 * #syscalls:pasta socket bind setsockopt close
 */
static bool udp_listen_open(struct ctx *c, enum udp_side side, bool v6,
			    uint16_t port, bool quiet)
{
	const struct fwd_ports *fwd = side == UDP_SIDE_HOST ? &c->udp_in :
							       &c->udp_out;
	const struct fwd_bind *b = fwd_port_bind(fwd, port);
	uint32_t data = port | (side == UDP_SIDE_NS ? UDP_REF_SIDE_NS : 0) |
			(v6 ? UDP_REF_V6 : 0);
	union inany_addr a;
	int fd;

	if (udp_fwd.listen[side][v6][port] >= 0)
		return true;
	if (!udp_listen_addr(c, side, v6, b, &a))
		return false;
	fd = udp_listen_sock(c, side, v6);
	if (fd >= 0 && *b->ifname)
		setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, b->ifname,
			   (socklen_t)strlen(b->ifname) + 1);
	if (fd < 0 || udp_cmsg_listen(fd, v6) ||
	    udp_sock_bind(fd, &a, port, v6) ||
	    epoll_add(c, fd, EPOLLIN,
		      epoll_ref_make(EPOLL_TYPE_UDP_LISTEN, fd, data))) {
		int e = errno;

		if (fd >= 0)
			close(fd);
		if (!quiet && !fwd_bit_test(udp_fwd.warned[side][v6], port))
			warn("UDP: can't bind %s port %u (%s): %s",
			     side == UDP_SIDE_HOST ? "host" : "namespace",
			     port, v6 ? "IPv6" : "IPv4", strerror(e));
		fwd_bit_set(udp_fwd.warned[side][v6], port);
		return false;
	}
	udp_fwd.listen[side][v6][port] = fd;
	return true;
}

/**
 * udp_listen_close() - Close a forwarded port on one side, both versions
 * @c:		Execution context
 * @side:	Side
 * @port:	Port, host order
 *
 * #syscalls:pasta close
 */
static void udp_listen_close(const struct ctx *c, enum udp_side side,
			     uint16_t port)
{
	int v6;

	for (v6 = 0; v6 < 2; v6++) {
		int fd = udp_fwd.listen[side][v6][port];

		if (fd < 0)
			continue;
		epoll_del(c, fd);
		close(fd);
		udp_fwd.listen[side][v6][port] = -1;
	}
}

/**
 * udp_listen_port() - Bind a forwarded port for both IP versions
 * @c:		Execution context
 * @side:	Side
 * @port:	Port, host order
 * @quiet:	Report failures at debug level only
 *
 * Return: true if at least one IP version is bound
 */
static bool udp_listen_port(struct ctx *c, enum udp_side side, uint16_t port,
			    bool quiet)
{
	bool ok4 = udp_listen_open(c, side, false, port, quiet);
	bool ok6 = udp_listen_open(c, side, true, port, quiet);

	return ok4 || ok6;
}

/**
 * udp_fwd_init() - Bind the ports of a SPEC or ALL forwarding table
 * @c:		Execution context
 * @side:	Side the sockets live on
 */
void udp_fwd_init(struct ctx *c, enum udp_side side)
{
	const struct fwd_ports *fwd = side == UDP_SIDE_HOST ? &c->udp_in :
							       &c->udp_out;
	bool all = fwd->mode == FWD_ALL;
	unsigned port, bound = 0, wanted = 0;

	if (fwd->mode != FWD_SPEC && fwd->mode != FWD_ALL)
		return;
	for (port = 0; port < NUM_PORTS; port++) {
		if (!fwd_bit_test(fwd->map, (uint16_t)port) ||
		    fwd_bit_test(fwd->excl, (uint16_t)port))
			continue;
		wanted++;
		bound += udp_listen_port(c, side, (uint16_t)port, all);
	}
	if (wanted && !bound)
		err("UDP: no %s port could be forwarded",
		    side == UDP_SIDE_HOST ? "host" : "namespace");
}

/* "auto" forwarding: scan of /proc/net/udp{,6} */

/**
 * udp_proc_line() - Take the port of a /proc/net/udp line if unconnected
 * @line:	NUL-terminated line
 * @map:	Bitmap of bound ports (output: bit set)
 */
static void udp_proc_line(const char *line, uint8_t *map)
{
	const char *p = strchr(line, ':');
	unsigned long port, st;
	char *end;

	/* "sl: LOCALADDR:PORT REMADDR:PORT ST ..." */
	if (!p || !(p = strchr(p + 1, ':')))
		return;
	port = strtoul(p + 1, &end, 16);
	if (end == p + 1 || *end != ' ' || port > 0xffff)
		return;
	p = strchr(end + 1, ' ');
	if (!p)
		return;
	st = strtoul(p + 1, &end, 16);
	if (end != p + 1 && st == 0x07 && port)
		fwd_bit_set(map, (uint16_t)port);
}

/**
 * udp_proc_scan() - Read a /proc/net/udp file, collecting bound ports
 * @fd:		Open file, read from its start
 * @map:	Bitmap of bound ports (output: bits set)
 *
 * #syscalls:pasta pread64
 */
static void udp_proc_scan(int fd, uint8_t *map)
{
	size_t have = 0;
	off_t off = 0;
	ssize_t r;
	char *nl;

	if (fd < 0)
		return;
	while ((r = pread(fd, udp_fwd.proc_buf + have, UDP_PROC_BUF - have,
			  off)) > 0) {
		char *line = udp_fwd.proc_buf;

		off += r;
		have += (size_t)r;
		udp_fwd.proc_buf[have] = '\0';
		while ((nl = strchr(line, '\n'))) {
			*nl = '\0';
			udp_proc_line(line, map);
			line = nl + 1;
		}
		have -= (size_t)(line - udp_fwd.proc_buf);
		if (have == UDP_PROC_BUF)
			have = 0;	/* Line longer than the buffer: skip */
		memmove(udp_fwd.proc_buf, line, have);
	}
}

/**
 * udp_auto_update() - Bind or close "auto" ports of one table
 * @c:		Execution context
 * @side:	Side the listening sockets live on
 */
void udp_auto_update(struct ctx *c, enum udp_side side)
{
	struct fwd_ports *fwd = side == UDP_SIDE_HOST ? &c->udp_in :
							 &c->udp_out;
	enum udp_side other = side == UDP_SIDE_HOST ? UDP_SIDE_NS :
						       UDP_SIDE_HOST;
	bool any_map = false;
	unsigned port;

	memset(udp_fwd.scan, 0, sizeof(udp_fwd.scan));
	udp_proc_scan(udp_fwd.proc_fd[other][0], udp_fwd.scan);
	udp_proc_scan(udp_fwd.proc_fd[other][1], udp_fwd.scan);
	for (port = 0; port < FWD_BITMAP_BYTES && !any_map; port++)
		any_map = fwd->map[port];
	for (port = 1; port < NUM_PORTS; port++) {
		uint16_t p = (uint16_t)port;
		bool want = fwd_bit_test(udp_fwd.scan, p) &&
			    (!any_map || fwd_bit_test(fwd->map, p)) &&
			    !fwd_bit_test(fwd->excl, p) &&
			    udp_fwd.listen[other][0][p] < 0 &&
			    udp_fwd.listen[other][1][p] < 0;
		bool have = udp_fwd.listen[side][0][p] >= 0 ||
			    udp_fwd.listen[side][1][p] >= 0;

		if (want)
			fwd_bit_set(fwd->auto_map, p);
		else
			fwd_bit_clear(fwd->auto_map, p);
		if (want && !have)
			udp_listen_port(c, side, p, true);
		else if (!want && have)
			udp_listen_close(c, side, p);
	}
}

/**
 * struct udp_proc_open_arg - Arguments of udp_proc_open_fn()
 * @fd:		Descriptors (output): /proc/net/udp, /proc/net/udp6
 */
struct udp_proc_open_arg {
	int fd[2];
};

/**
 * udp_proc_open_fn() - Open /proc/net/udp{,6} of the current namespace
 * @arg:	struct udp_proc_open_arg
 *
 * Return: 0
 */
static int udp_proc_open_fn(void *arg)
{
	struct udp_proc_open_arg *a = arg;

	a->fd[0] = open("/proc/net/udp", O_RDONLY | O_CLOEXEC);
	a->fd[1] = open("/proc/net/udp6", O_RDONLY | O_CLOEXEC);
	return 0;
}

/**
 * udp_auto_init() - Open the files "auto" forwarding scans
 * @c:		Execution context
 */
void udp_auto_init(struct ctx *c)
{
	struct udp_proc_open_arg a = { { -1, -1 } };

	if (c->mode != MODE_PASTA)
		return;
	if (c->udp_in.mode == FWD_AUTO) {
		ns_call(udp_proc_open_fn, &a);
		udp_fwd.proc_fd[UDP_SIDE_NS][0] = a.fd[0];
		udp_fwd.proc_fd[UDP_SIDE_NS][1] = a.fd[1];
		if (a.fd[0] < 0 && a.fd[1] < 0)
			warn("UDP: can't read namespace ports: no -u auto");
	}
	if (c->udp_out.mode == FWD_AUTO) {
		udp_proc_open_fn(&a);
		udp_fwd.proc_fd[UDP_SIDE_HOST][0] = a.fd[0];
		udp_fwd.proc_fd[UDP_SIDE_HOST][1] = a.fd[1];
		if (a.fd[0] < 0 && a.fd[1] < 0)
			warn("UDP: can't read host ports: no -U auto");
	}
}
