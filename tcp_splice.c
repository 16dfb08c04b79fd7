// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_splice.c - pasta: TCP between host and namespace loopback, spliced
 *
 * Theory of Operation
 * ===================
 *
 * A connection accepted on a forwarded port (-t on the host, -T in the
 * namespace) whose peer is a loopback address (127.0.0.0/8, ::1, or
 * ::ffff:127.0.0.0/104) never needs the tap device: both ends are local
 * sockets. Connections accepted in the namespace have no other path, so
 * there any peer qualifies. fwd_from_host() (fwd.c) decides that, once per
 * accepted socket, and tcp_listen.c hands the ones to splice to
 * tcp_splice_conn_from_sock(), which joins them to a socket connected to
 * the other side (see Addresses below), in the peer's family, at the
 * forwarded target port. Data moves with splice(2)
 * through one pipe per direction: socket to pipe, pipe to socket, page
 * references only, no copy through user space.
 *
 * Sides and ownership. Each connection has two sockets, s[0] accepted from
 * the client and s[1] connected to the target, and two pipes: pipe[d] carries
 * what is read from s[d] to s[!d] ("direction d"). A socket's network
 * namespace is fixed when it is created, so sockets on the namespace side
 * must be opened there, with ns_call() (a clone that joins the namespace).
 * To avoid a namespace switch per connection we keep pools of pre-opened
 * sockets, per side and family, and a pool of pre-created pipes. The pools
 * are filled at tcp_splice_init(), topped up by tcp_splice_timer() on every
 * tick, and refilled in one batch if a burst of connections empties them.
 * Pipes whose direction ended empty go back to the pool.
 *
 * Table. Each connection is a slot of the flow table (flow.c), type
 * FLOW_TCP_SPLICE, at most TCP_SPLICE_CONN_MAX at once (flow_limit_set();
 * PASST_TCP_SPLICE_CONN_MAX lowers it for tests). Its side FLOW_SIDE_INI is
 * the client: interface PIF_HOST for -t, PIF_SPLICE for -T, the client's
 * address and port as peer, the address and port it connected to as local
 * (getsockname() of s[0]). FLOW_SIDE_TGT is the other interface, the
 * target's address and port as peer, our connecting socket's as local
 * (getsockname() of s[1] once connect() has bound it). Spliced flows are
 * never looked up by address, so they are not hashed. Slots never move: the
 * epoll reference of s[n] is flow_ref(conn, n), registered once, and
 * flow_from_ref() drops an event queued for a slot that was freed (and
 * perhaps reused) earlier in the same batch, as the generation differs.
 * Handlers act on syscall results, never on event bits alone, so a spurious
 * event costs at most one EAGAIN. A full table resets the accepted socket
 * (tcp_splice_drop). The connect time-out is checked by
 * tcp_splice_flow_timer(), which passt.c calls for each spliced flow on
 * every tick; tcp_splice_timer() tops up the pools.
 *
 * Lifecycle: the flow goes NEW -> ACTIVE (sides filled, before the first
 * epoll registration) -> CLOSING (sockets being closed) -> freed, through
 * flow_state_set(). Within ACTIVE, the splice substate (enum
 * tcp_splice_state, one setter logging at debug):
 *   CONNECTING   s[0] accepted, non-blocking connect() on s[1] in progress;
 *                s[0] is not read yet. Failure or time-out
 *                (TCP_SPLICE_CONNECT_TIMEOUT_MS): s[0] is reset.
 *   ESTABLISHED  data both ways. Half-close is a bit set (@flags, named,
 *                logged by the same setter): EOF_n when splice() from s[n]
 *                returned 0, SHUT_n once shutdown(SHUT_WR) was done on s[n].
 *                EOF_d is forwarded as SHUT_!d only after pipe[d] drained,
 *                so the peer sees every byte, then the FIN.
 *   CLOSED       both directions ended (EOF_0, SHUT_1, EOF_1, SHUT_0): both
 *                sockets closed normally, the flow is freed.
 *   Any error (EPOLLERR with SO_ERROR set, splice() or shutdown() failing
 *   with something other than EAGAIN) resets the connection: SO_LINGER with
 *   zero time-out on both sockets, then close(), so each peer gets a RST.
 *
 * Flow control. Sockets are registered once, edge-triggered, for EPOLLIN and
 * EPOLLOUT; the mask never changes, so there is no epoll_ctl() per event
 * (only the re-arm below rewrites a registration). Moving
 * direction d means: drain pipe[d] into s[!d]; read from s[d] into the now
 * empty pipe; repeat. When writing to s[!d] returns EAGAIN, the direction
 * stops with data left in the pipe and marks s[!d] "out-waiting": the kernel
 * then wakes us with EPOLLOUT on s[!d] once it has room, and the direction
 * resumes (we stop reading s[d] meanwhile, EPOLLIN on it is ignored; its
 * unread data stays in its receive buffer and TCP flow control slows the
 * sender). Reads happen only into an empty pipe, so EAGAIN from a read means
 * the socket has no data; with a non-empty pipe EAGAIN could also mean "pipe
 * full". After TCP_SPLICE_ROUNDS_MAX rounds on one event we stop for
 * fairness and re-arm the reader with EPOLL_CTL_MOD, which queues a new
 * event if it is ready.
 *
 * Addresses, as fwd.c decides them. Connections from the namespace (-T)
 * go to the host's loopback, 127.0.0.1 or ::1. Connections from the
 * host's loopback (-t) go to the namespace's own address (c->ip4.addr,
 * c->ip6.addr) and so appear to come from it, as local traffic within the
 * namespace: services bound to the namespace's loopback only are not
 * exposed to the host. With
 * --host-lo-to-ns-lo, or if that address is unspecified, they go to the
 * namespace's loopback instead. Either way the socket we connect from is
 * unbound: the kernel picks the source, the client's address and port are
 * not carried over, and the destination port is the one fwd_port_target()
 * maps. A target that refuses (no listener) makes us reset the accepted
 * socket: the client's handshake already completed, so it sees ECONNRESET
 * rather than ECONNREFUSED.
 *
 * Kernel behaviour relied upon, proven by test/platform/splice_pipe.c:
 * - splice() from a non-blocking TCP socket with SPLICE_F_NONBLOCK returns
 *   -1/EAGAIN with no data, 0 only at EOF (after all data), and -1/EAGAIN
 *   (not 0) when the pipe is full although the socket has data;
 * - splice() to a socket whose send buffer is full returns -1/EAGAIN, and
 *   an edge-triggered EPOLLOUT follows once the peer reads;
 * - splice() on a socket reset by its peer fails with ECONNRESET (or EPIPE
 *   when writing, with SIGPIPE, which passt.c ignores);
 * - SO_LINGER {1, 0} then close() makes the peer see ECONNRESET;
 * - F_SETPIPE_SZ sets the pipe capacity (refused above pipe-max-size or
 *   past the per-user pipe page limits: we keep the default then);
 * - a socket created in another network namespace connects within that
 *   namespace's loopback even when connect() is called from ours;
 * - EPOLL_CTL_MOD on a ready edge-triggered descriptor queues an event.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include "ctx.h"
#include "log.h"
#include "util.h"
#include "flow.h"
#include "tcp_splice.h"

#define TCP_SPLICE_CONN_MAX	4096	/* Spliced connections at once */
#define TCP_SPLICE_CONN_MIN	16	/* Lowest PASST_TCP_SPLICE_CONN_MAX */
#define TCP_SPLICE_SOCK_POOL	32	/* Pre-opened sockets per side, family */
#define TCP_SPLICE_PIPE_POOL	16	/* Pre-created pipes (two per conn) */
#define TCP_SPLICE_PIPE_SIZE	(1UL << 20)	/* Pipe capacity wanted, bytes */
#define TCP_SPLICE_ROUNDS_MAX	8	/* Drain and refill rounds per event */
#define TCP_SPLICE_CONNECT_TIMEOUT_MS	10000

/* Each connection holds two sockets and two pipes: six descriptors */
#define TCP_SPLICE_CONN_FDS	6

/* Sockets are registered once, edge-triggered, for both directions */
#define TCP_SPLICE_EPOLL_EVENTS	(EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET)

static_assert(TCP_SPLICE_CONN_MAX <= FLOW_MAX, "cap fits the flow table");
static_assert(TCP_SPLICE_CONN_MAX * TCP_SPLICE_CONN_FDS < FD_REF_MAX,
	      "a full table's descriptors must fit epoll references");
static_assert(TCP_SPLICE_PIPE_POOL >= 2, "one connection takes two pipes");

/**
 * enum tcp_splice_state - Substate of a spliced flow while it is ACTIVE
 * @TCP_SPLICE_CLOSED:		Not connecting yet, or connection ended
 * @TCP_SPLICE_CONNECTING:	connect() to the target in progress
 * @TCP_SPLICE_ESTABLISHED:	Data both ways, half-close in @flags
 */
enum tcp_splice_state {
	TCP_SPLICE_CLOSED = 0,
	TCP_SPLICE_CONNECTING,
	TCP_SPLICE_ESTABLISHED,
};

static const char *const tcp_splice_state_str[] = {
	[TCP_SPLICE_CLOSED]		= "CLOSED",
	[TCP_SPLICE_CONNECTING]		= "CONNECTING",
	[TCP_SPLICE_ESTABLISHED]	= "ESTABLISHED",
};

/* Half-close flags: EOF read from s[n], shutdown(SHUT_WR) done on s[n] */
#define TCP_SPLICE_EOF(n)	(1U << (n))
#define TCP_SPLICE_SHUT(n)	(1U << (2 + (n)))
#define TCP_SPLICE_FLAGS_ALL	0x0fU

static const char *const tcp_splice_flag_str[] = {
	"EOF_0", "EOF_1", "SHUT_0", "SHUT_1",
};

/**
 * struct tcp_splice_conn - One spliced connection: two sockets, two pipes
 * @f:		Flow table part, first: type FLOW_TCP_SPLICE, sides, state
 * @s:		Sockets: [0] accepted from the client (side FLOW_SIDE_INI),
 *		[1] towards the target (FLOW_SIDE_TGT)
 * @pipe:	Pipe per direction d (s[d] to s[!d]): [d][0] read end,
 *		[d][1] write end, -1 if none
 * @pending:	Bytes in each direction's pipe, not yet written out
 * @start:	Time the connection was accepted (CLOCK_MONOTONIC)
 * @state:	enum tcp_splice_state
 * @flags:	TCP_SPLICE_EOF() and TCP_SPLICE_SHUT() bits
 * @out_wait:	Bit n set: a direction waits for EPOLLOUT on s[n]
 * @from_ns:	Accepted in the namespace (-T): the target is on the host
 */
struct tcp_splice_conn {
	struct flow_common f;
	int s[2];
	int pipe[2][2];
	size_t pending[2];
	struct timespec start;
	uint8_t state;
	uint8_t flags;
	uint8_t out_wait;
	bool from_ns;
};

static_assert(sizeof(struct tcp_splice_conn) <= FLOW_SLOT_BYTES,
	      "a spliced connection must fit a flow slot");
static_assert(offsetof(struct tcp_splice_conn, f) == 0,
	      "the flow part comes first: the two convert by a cast");
static_assert(FLOW_SIDE_INI == 0 && FLOW_SIDE_TGT == 1,
	      "s[] and pipe[] are indexed by flow side");

/**
 * struct tcp_splice_sock_pool - Pre-opened sockets of one side and family
 * @fd:		Sockets, [0, @cnt) valid
 * @cnt:	Sockets in the pool
 */
struct tcp_splice_sock_pool {
	int fd[TCP_SPLICE_SOCK_POOL];
	unsigned cnt;
};

/**
 * struct tcp_splice_tbl - File-scope state: pools (connections are flows)
 * @pipes:	Pool of pipes, [i][0] read end, [i][1] write end
 * @pipe_cnt:	Pipes in @pipes
 * @pipe_size:	Capacity of new pipes, bytes (F_SETPIPE_SZ, else default)
 * @ns:		Namespace-side socket pools: [0] IPv4, [1] IPv6
 * @host:	Host-side socket pools: [0] IPv4, [1] IPv6
 * @ready:	tcp_splice_init() ran in pasta mode
 */
struct tcp_splice_tbl {
	int pipes[TCP_SPLICE_PIPE_POOL][2];
	unsigned pipe_cnt;
	size_t pipe_size;
	struct tcp_splice_sock_pool ns[2];
	struct tcp_splice_sock_pool host[2];
	bool ready;
};

static struct tcp_splice_tbl tcp_splice_tbl;

/**
 * union tcp_splice_sockaddr - Socket address of either family
 * @sa:		Generic
 * @sa4:	IPv4
 * @sa6:	IPv6
 */
union tcp_splice_sockaddr {
	struct sockaddr sa;
	struct sockaddr_in sa4;
	struct sockaddr_in6 sa6;
};

/**
 * tcp_splice_af_idx() - Pool index for an address family
 * @af:		AF_INET or AF_INET6
 *
 * Return: 0 for AF_INET, 1 for AF_INET6
 */
static inline unsigned tcp_splice_af_idx(int af)
{
	return af == AF_INET6;
}

/**
 * tcp_splice_ref() - Epoll reference for one socket of a connection
 * @conn:	Connection
 * @side:	FLOW_SIDE_INI: accepted socket, FLOW_SIDE_TGT: towards target
 *
 * Return: reference as its 64-bit value
 */
static uint64_t tcp_splice_ref(const struct tcp_splice_conn *conn,
			       unsigned side)
{
	return epoll_ref_make(EPOLL_TYPE_TCP_SPLICE, conn->s[side],
			      flow_ref(&conn->f, side));
}

/**
 * tcp_splice_idx() - Flow index of a connection, for log messages
 * @conn:	Connection
 *
 * Return: index in the flow table
 */
static unsigned tcp_splice_idx(const struct tcp_splice_conn *conn)
{
	return flow_idx(&conn->f);
}

/**
 * tcp_splice_state_set() - Change the lifecycle state, log it at debug
 * @conn:	Connection
 * @state:	New state
 */
static void tcp_splice_state_set(struct tcp_splice_conn *conn,
				 enum tcp_splice_state state)
{
	debug("TCP splice flow %u: %s -> %s", tcp_splice_idx(conn),
	      tcp_splice_state_str[conn->state], tcp_splice_state_str[state]);
	conn->state = state;
}

/**
 * tcp_splice_flag_set() - Record a half-close event, log it at debug
 * @conn:	Connection
 * @flag:	TCP_SPLICE_EOF(n) or TCP_SPLICE_SHUT(n), a single bit
 */
static void tcp_splice_flag_set(struct tcp_splice_conn *conn, unsigned flag)
{
	unsigned bit = (unsigned)__builtin_ctz(flag);

	if (conn->flags & flag)
		return;
	conn->flags |= flag;
	debug("TCP splice flow %u: %s", tcp_splice_idx(conn),
	      tcp_splice_flag_str[bit]);
}

/**
 * tcp_splice_sock_open() - Open one socket for a pool
 * @af:		AF_INET or AF_INET6
 *
 * Return: socket, non-blocking, TCP_NODELAY set; negative on failure
 *
 * #syscalls:pasta socket setsockopt
 */
static int tcp_splice_sock_open(int af)
{
	int one = 1;
	int s;

	s = socket(af, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		   IPPROTO_TCP);
	if (s < 0)
		return -errno;
	/* We forward what the client sent as it comes: don't delay it twice */
	if (setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)))
		debug_perror("TCP splice: TCP_NODELAY on pool socket");
	return s;
}

/**
 * tcp_splice_sock_pool_fill() - Top up the socket pools of one side
 * @pools:	Pools, [0] IPv4, [1] IPv6
 */
static void tcp_splice_sock_pool_fill(struct tcp_splice_sock_pool *pools)
{
	unsigned i;

	for (i = 0; i < 2; i++) {
		struct tcp_splice_sock_pool *p = &pools[i];

		while (p->cnt < TCP_SPLICE_SOCK_POOL) {
			int s = tcp_splice_sock_open(i ? AF_INET6 : AF_INET);

			if (s < 0)
				break;
			p->fd[p->cnt++] = s;
		}
	}
}

/**
 * tcp_splice_ns_fill() - ns_call() entry: fill namespace-side socket pools
 * @arg:	Unused
 *
 * Return: 0
 */
static int tcp_splice_ns_fill(void *arg)
{
	(void)arg;
	tcp_splice_sock_pool_fill(tcp_splice_tbl.ns);
	return 0;
}

/**
 * tcp_splice_sock_pools_fill() - Top up the socket pools of both sides
 *
 * Enters the namespace only if one of its pools is short.
 */
static void tcp_splice_sock_pools_fill(void)
{
	struct tcp_splice_tbl *t = &tcp_splice_tbl;

	tcp_splice_sock_pool_fill(t->host);
	if (t->ns[0].cnt < TCP_SPLICE_SOCK_POOL ||
	    t->ns[1].cnt < TCP_SPLICE_SOCK_POOL) {
		if (ns_call(tcp_splice_ns_fill, NULL))
			debug("TCP splice: can't refill namespace socket pool");
	}
}

/**
 * tcp_splice_sock_refill() - Refill one side's pools at once (pool empty)
 * @from_ns:	Refill the host side, else the namespace side
 * @p:		Pool that ran empty
 *
 * Return: sockets now in @p
 */
static unsigned tcp_splice_sock_refill(bool from_ns,
				       const struct tcp_splice_sock_pool *p)
{
	if (from_ns)
		tcp_splice_sock_pool_fill(tcp_splice_tbl.host);
	else if (ns_call(tcp_splice_ns_fill, NULL))
		debug("TCP splice: can't refill namespace socket pool");
	return p->cnt;
}

/**
 * tcp_splice_sock_get() - Take a pre-opened socket, refilling if empty
 * @from_ns:	Connection came from the namespace: socket on the host side
 * @af:		AF_INET or AF_INET6
 *
 * Return: socket, or -1 if none could be opened
 */
static int tcp_splice_sock_get(bool from_ns, int af)
{
	struct tcp_splice_tbl *t = &tcp_splice_tbl;
	struct tcp_splice_sock_pool *pools = from_ns ? t->host : t->ns;
	struct tcp_splice_sock_pool *p = &pools[tcp_splice_af_idx(af)];

	if (!p->cnt && !tcp_splice_sock_refill(from_ns, p))
		return -1;
	return p->fd[--p->cnt];
}

/**
 * tcp_splice_pipe_open() - Create one non-blocking pipe, set its capacity
 * @p:		Pipe ends (output): [0] read, [1] write
 *
 * Return: 0 on success, negative errno on failure
 *
 * #syscalls:pasta pipe2 fcntl
 */
static int tcp_splice_pipe_open(int p[2])
{
	struct tcp_splice_tbl *t = &tcp_splice_tbl;

	if (pipe2(p, O_NONBLOCK | O_CLOEXEC))
		return -errno;
	/* Refused past the per-user pipe page limits: keep the default */
	if (t->pipe_size &&
	    fcntl(p[0], F_SETPIPE_SZ, (int)t->pipe_size) < 0)
		debug_ratelimit("TCP splice: pipe capacity %zu refused",
				t->pipe_size);
	return 0;
}

/**
 * tcp_splice_pipe_pool_fill() - Top up the pipe pool
 *
 * Return: pipes in the pool
 */
static unsigned tcp_splice_pipe_pool_fill(void)
{
	struct tcp_splice_tbl *t = &tcp_splice_tbl;

	while (t->pipe_cnt < TCP_SPLICE_PIPE_POOL) {
		if (tcp_splice_pipe_open(t->pipes[t->pipe_cnt]))
			break;
		t->pipe_cnt++;
	}
	return t->pipe_cnt;
}

/**
 * tcp_splice_pipe_get() - Take a pipe from the pool, refilling if empty
 * @p:		Pipe ends (output): [0] read, [1] write
 *
 * Return: 0 on success, -1 if no pipe could be created
 */
static int tcp_splice_pipe_get(int p[2])
{
	struct tcp_splice_tbl *t = &tcp_splice_tbl;

	if (!t->pipe_cnt && !tcp_splice_pipe_pool_fill())
		return -1;
	t->pipe_cnt--;
	p[0] = t->pipes[t->pipe_cnt][0];
	p[1] = t->pipes[t->pipe_cnt][1];
	return 0;
}

/**
 * tcp_splice_pipe_put() - Give back a pipe: to the pool if empty, else close
 * @p:		Pipe ends, set to -1 (output)
 * @empty:	Nothing is left in the pipe
 *
 * #syscalls:pasta close
 */
static void tcp_splice_pipe_put(int p[2], bool empty)
{
	struct tcp_splice_tbl *t = &tcp_splice_tbl;

	if (p[0] < 0)
		return;
	if (empty && t->pipe_cnt < TCP_SPLICE_PIPE_POOL) {
		t->pipes[t->pipe_cnt][0] = p[0];
		t->pipes[t->pipe_cnt][1] = p[1];
		t->pipe_cnt++;
	} else {
		close(p[0]);
		close(p[1]);
	}
	p[0] = p[1] = -1;
}

/**
 * tcp_splice_pipe_size_probe() - Find the pipe capacity we may use (set-up)
 *
 * Return: TCP_SPLICE_PIPE_SIZE if F_SETPIPE_SZ takes it, else 0 (default)
 */
static size_t tcp_splice_pipe_size_probe(void)
{
	size_t size = 0;
	int p[2];

	if (pipe2(p, O_NONBLOCK | O_CLOEXEC))
		return 0;
	if (fcntl(p[0], F_SETPIPE_SZ, (int)TCP_SPLICE_PIPE_SIZE) >= 0)
		size = TCP_SPLICE_PIPE_SIZE;
	else
		info("TCP splice: pipe capacity %lu refused, using default",
		     TCP_SPLICE_PIPE_SIZE);
	close(p[0]);
	close(p[1]);
	return size;
}

/**
 * tcp_splice_sock_err() - Fetch and clear a socket's pending error
 * @s:		Socket
 *
 * Return: pending error (positive errno), 0 if none
 *
 * #syscalls:pasta getsockopt
 */
static int tcp_splice_sock_err(int s)
{
	socklen_t sl = sizeof(int);
	int err = 0;

	if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &sl))
		return errno;
	return err;
}

/**
 * tcp_splice_sock_reset() - Close a socket so that its peer sees a RST
 * @s:		Socket
 *
 * #syscalls:pasta setsockopt close
 */
static void tcp_splice_sock_reset(int s)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	if (setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)))
		debug_perror("TCP splice: SO_LINGER on socket %i", s);
	close(s);
}

/**
 * tcp_splice_conn_close() - Close both sockets, give back pipes, free flow
 * @conn:	Connection; its slot is free on return, @conn invalid
 * @rst:	Reset both peers (SO_LINGER zero) instead of closing normally
 *
 * Closing a socket removes it from epoll; events already fetched for it in
 * this batch fail flow_from_ref() once the flow is freed.
 *
 * #syscalls:pasta close
 */
static void tcp_splice_conn_close(struct tcp_splice_conn *conn, bool rst)
{
	unsigned i;

	flow_state_set(&conn->f, FLOW_STATE_CLOSING);
	if (conn->state != TCP_SPLICE_CLOSED)
		tcp_splice_state_set(conn, TCP_SPLICE_CLOSED);
	for (i = 0; i < 2; i++) {
		if (conn->s[i] < 0)
			continue;
		if (rst)
			tcp_splice_sock_reset(conn->s[i]);
		else
			close(conn->s[i]);
		conn->s[i] = -1;
	}
	for (i = 0; i < 2; i++)
		tcp_splice_pipe_put(conn->pipe[i], !conn->pending[i]);
	flow_free(&conn->f);
}

/**
 * tcp_splice_conn_done() - Reset a connection on error, close it if ended
 * @c:		Execution context
 * @conn:	Connection, may be freed on return
 * @ret:	Result of the last operation: negative errno to reset
 */
static void tcp_splice_conn_done(struct ctx *c, struct tcp_splice_conn *conn,
				 int ret)
{
	if (ret < 0) {
		debug("TCP splice flow %u: reset: %s", tcp_splice_idx(conn),
		      strerror(-ret));
		c->stats.tcp_splice_reset++;
		tcp_splice_conn_close(conn, true);
		return;
	}
	if ((conn->flags & TCP_SPLICE_FLAGS_ALL) == TCP_SPLICE_FLAGS_ALL)
		tcp_splice_conn_close(conn, false);
}

/**
 * tcp_splice_out() - Drain a direction's pipe into its destination socket
 * @conn:	Connection
 * @d:		Direction: data from s[d] to s[!d]
 *
 * Return: 0 if the pipe is empty, 1 if the socket is full (we wait for its
 *	   EPOLLOUT), negative errno on failure
 *
 * #syscalls:pasta splice
 */
static int tcp_splice_out(struct tcp_splice_conn *conn, unsigned d)
{
	unsigned to = !d;

	while (conn->pending[d]) {
		ssize_t n = splice(conn->pipe[d][0], NULL, conn->s[to], NULL,
				   conn->pending[d],
				   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			conn->out_wait |= (uint8_t)(1U << to);
			return 1;
		}
		if (n < 0)
			return -errno;
		if (!n)		/* Pipe empty: our count is wrong */
			return -EIO;
		conn->pending[d] -= (size_t)n;
	}
	conn->out_wait &= (uint8_t)~(1U << to);
	return 0;
}

/**
 * tcp_splice_in() - Read from a direction's source socket into its pipe
 * @conn:	Connection
 * @d:		Direction: data from s[d] to s[!d]
 *
 * Call only with an empty pipe: then EAGAIN means the socket has no data.
 *
 * Return: bytes read, 0 if none (EAGAIN, or EOF now or before), negative
 *	   errno on failure
 *
 * #syscalls:pasta splice
 */
static ssize_t tcp_splice_in(struct tcp_splice_conn *conn, unsigned d)
{
	ssize_t n;

	if (conn->flags & TCP_SPLICE_EOF(d))
		return 0;
	do {
		n = splice(conn->s[d], NULL, conn->pipe[d][1], NULL,
			   TCP_SPLICE_PIPE_SIZE,
			   SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	if (!n)
		tcp_splice_flag_set(conn, TCP_SPLICE_EOF(d));
	conn->pending[d] += (size_t)n;
	return n;
}

/**
 * tcp_splice_fin() - Forward an EOF once its direction's pipe is empty
 * @conn:	Connection
 * @d:		Direction: data from s[d] to s[!d]
 *
 * Return: 0 on success or nothing to do, negative errno on failure
 *
 * #syscalls:pasta shutdown
 */
static int tcp_splice_fin(struct tcp_splice_conn *conn, unsigned d)
{
	unsigned to = !d;

	if (!(conn->flags & TCP_SPLICE_EOF(d)) ||
	    (conn->flags & TCP_SPLICE_SHUT(to)) || conn->pending[d])
		return 0;
	if (shutdown(conn->s[to], SHUT_WR))
		return -errno;
	tcp_splice_flag_set(conn, TCP_SPLICE_SHUT(to));
	return 0;
}

/**
 * tcp_splice_dir() - Move data one way until drained, blocked, or at limit
 * @c:		Execution context
 * @conn:	Connection
 * @d:		Direction: data from s[d] to s[!d]
 *
 * Return: 0 on success or when waiting, negative errno to reset
 */
static int tcp_splice_dir(const struct ctx *c, struct tcp_splice_conn *conn,
			  unsigned d)
{
	unsigned round;
	int ret;

	for (round = 0; round < TCP_SPLICE_ROUNDS_MAX; round++) {
		ssize_t n;

		ret = tcp_splice_out(conn, d);
		if (ret)
			return ret < 0 ? ret : 0;
		n = tcp_splice_in(conn, d);
		if (n < 0)
			return (int)n;
		if (!n)
			return tcp_splice_fin(conn, d);
	}

	/* Round limit: flush, then have epoll report s[d] again if ready */
	ret = tcp_splice_out(conn, d);
	if (ret)
		return ret < 0 ? ret : 0;
	if (epoll_mod(c, conn->s[d], TCP_SPLICE_EPOLL_EVENTS,
		      tcp_splice_ref(conn, d)))
		return -EIO;
	return 0;
}

/**
 * tcp_splice_events() - Act on events for one socket of a connection
 * @c:		Execution context
 * @conn:	Established connection
 * @x:		Side of the socket the events are for
 * @events:	EPOLL* events
 *
 * Readable (or closed) s[x] moves direction x, unless that waits for room
 * in s[!x]; writable s[x] resumes direction !x if it was waiting for that.
 *
 * Return: 0 on success, negative errno to reset the connection
 */
static int tcp_splice_events(const struct ctx *c,
			     struct tcp_splice_conn *conn, unsigned x,
			     uint32_t events)
{
	int ret;

	if (events & EPOLLERR) {
		ret = tcp_splice_sock_err(conn->s[x]);
		if (ret)
			return -ret;
	}
	/* If direction x waits for EPOLLOUT on s[!x], that event resumes it */
	if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) &&
	    !(conn->out_wait & (1U << !x))) {
		ret = tcp_splice_dir(c, conn, x);
		if (ret)
			return ret;
	}
	if ((events & (EPOLLOUT | EPOLLHUP | EPOLLERR)) &&
	    (conn->out_wait & (1U << x)))
		return tcp_splice_dir(c, conn, !x);
	return 0;
}

/**
 * tcp_splice_established() - Target connected: start moving data
 * @c:		Execution context
 * @conn:	Connection, may be freed on return
 */
static void tcp_splice_established(struct ctx *c,
				   struct tcp_splice_conn *conn)
{
	int ret;

	tcp_splice_state_set(conn, TCP_SPLICE_ESTABLISHED);

	/* Edges seen while connecting were not acted upon: look now */
	ret = tcp_splice_dir(c, conn, 0);
	if (!ret)
		ret = tcp_splice_dir(c, conn, 1);
	tcp_splice_conn_done(c, conn, ret);
}

/**
 * tcp_splice_connect_event() - Events while connecting to the target
 * @c:		Execution context
 * @conn:	Connection in TCP_SPLICE_CONNECTING, may be freed on return
 * @side:	Side of the socket the events are for
 * @events:	EPOLL* events
 */
static void tcp_splice_connect_event(struct ctx *c,
				     struct tcp_splice_conn *conn,
				     unsigned side, uint32_t events)
{
	int err;

	if (side == 0) {
		/* Client gone before the target answered */
		if (events & (EPOLLERR | EPOLLHUP))
			tcp_splice_conn_done(c, conn, -ECONNRESET);
		return;
	}
	if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP)))
		return;
	err = tcp_splice_sock_err(conn->s[1]);
	if (err) {
		debug("TCP splice flow %u: connect failed: %s",
		      tcp_splice_idx(conn), strerror(err));
		c->stats.tcp_splice_connect_fail++;
		tcp_splice_conn_close(conn, true);
		return;
	}
	tcp_splice_established(c, conn);
}

/**
 * tcp_splice_sock_handler() - Handle epoll events for a spliced socket
 * @c:		Execution context
 * @ref:	epoll reference: data is flow_ref() of the flow and side
 * @events:	EPOLL* events
 * @now:	Current timestamp (unused)
 */
void tcp_splice_sock_handler(struct ctx *c, union epoll_ref ref,
			     uint32_t events, const struct timespec *now)
{
	struct tcp_splice_conn *conn;
	struct flow_common *f;
	unsigned side;

	(void)now;
	/* NULL if the flow was freed earlier in this batch, even if reused */
	f = flow_from_ref(ref.data, FLOW_TCP_SPLICE, &side);
	if (!f || f->state != FLOW_STATE_ACTIVE)
		return;
	conn = (struct tcp_splice_conn *)f;

	if (conn->state == TCP_SPLICE_CONNECTING)
		tcp_splice_connect_event(c, conn, side, events);
	else
		tcp_splice_conn_done(c, conn,
				     tcp_splice_events(c, conn, side, events));
}

/**
 * tcp_splice_sa_get() - Address and port of a socket address
 * @sa:		AF_INET or AF_INET6 socket address, else none
 * @addr:	Address (output), IPv4 as v4-mapped; unspecified if no family
 * @port:	Port (output), host order; 0 if no family
 */
static void tcp_splice_sa_get(const struct sockaddr *sa,
			      union inany_addr *addr, uint16_t *port)
{
	union tcp_splice_sockaddr u;

	memset(addr, 0, sizeof(*addr));
	*port = 0;
	if (sa->sa_family == AF_INET) {
		memcpy(&u.sa4, sa, sizeof(u.sa4));
		inany_from_v4(addr, u.sa4.sin_addr);
		*port = ntohs(u.sa4.sin_port);
	} else if (sa->sa_family == AF_INET6) {
		memcpy(&u.sa6, sa, sizeof(u.sa6));
		addr->a6 = u.sa6.sin6_addr;
		*port = ntohs(u.sa6.sin6_port);
	}
}

/**
 * tcp_splice_sa_set() - Socket address for an address and port
 * @sa:		Socket address (output): AF_INET if @addr is v4-mapped
 * @addr:	Address
 * @port:	Port, host order
 *
 * Return: length of @sa
 */
static socklen_t tcp_splice_sa_set(union tcp_splice_sockaddr *sa,
				   const union inany_addr *addr, uint16_t port)
{
	const struct in_addr *a4 = inany_v4(addr);

	memset(sa, 0, sizeof(*sa));
	if (a4) {
		sa->sa4.sin_family = AF_INET;
		sa->sa4.sin_port = htons(port);
		sa->sa4.sin_addr = *a4;
		return sizeof(sa->sa4);
	}
	sa->sa6.sin6_family = AF_INET6;
	sa->sa6.sin6_port = htons(port);
	sa->sa6.sin6_addr = addr->a6;
	return sizeof(sa->sa6);
}

/**
 * tcp_splice_local() - Fill a side's local address and port from its socket
 * @conn:	Connection
 * @side:	FLOW_SIDE_INI or FLOW_SIDE_TGT
 *
 * Left unspecified if getsockname() fails: the address is for logs only.
 *
 * #syscalls:pasta getsockname
 */
static void tcp_splice_local(struct tcp_splice_conn *conn, unsigned side)
{
	struct flowside *fs = &conn->f.side[side];
	union tcp_splice_sockaddr sa;
	socklen_t sl = sizeof(sa);

	memset(&sa, 0, sizeof(sa));
	if (getsockname(conn->s[side], &sa.sa, &sl))
		sa.sa.sa_family = AF_UNSPEC;
	tcp_splice_sa_get(&sa.sa, &fs->local, &fs->local_port);
}

/**
 * tcp_splice_conn_new() - Take a flow slot for an accepted socket
 * @s:		Accepted socket
 * @from_ns:	Accepted in the namespace (-T), else on the host (-t)
 * @ini:	Client's side: its address and port, the listening port
 * @tgt:	Target side, from fwd_from_host(): address and port
 * @now:	Current timestamp
 *
 * Both sides are filled (the client's local address from its socket, the
 * target's once connect() bound its socket), the flow is ACTIVE, sockets
 * and pipes are not taken yet.
 *
 * Return: connection, NULL if the flow table (or our share of it) is full
 */
static struct tcp_splice_conn *tcp_splice_conn_new(int s, bool from_ns,
						   const struct flowside *ini,
						   const struct flowside *tgt,
						   const struct timespec *now)
{
	struct flow_common *f = flow_alloc(FLOW_TCP_SPLICE);
	struct tcp_splice_conn *conn;

	if (!f)
		return NULL;
	conn = (struct tcp_splice_conn *)f;
	conn->s[FLOW_SIDE_INI] = s;
	conn->s[FLOW_SIDE_TGT] = -1;
	conn->pipe[0][0] = conn->pipe[0][1] = -1;
	conn->pipe[1][0] = conn->pipe[1][1] = -1;
	conn->start = *now;
	conn->from_ns = from_ns;

	f->pif[FLOW_SIDE_INI] = from_ns ? PIF_SPLICE : PIF_HOST;
	f->pif[FLOW_SIDE_TGT] = from_ns ? PIF_HOST : PIF_SPLICE;
	f->side[FLOW_SIDE_INI].peer = ini->peer;
	f->side[FLOW_SIDE_INI].peer_port = ini->peer_port;
	tcp_splice_local(conn, FLOW_SIDE_INI);
	f->side[FLOW_SIDE_TGT].peer = tgt->peer;
	f->side[FLOW_SIDE_TGT].peer_port = tgt->peer_port;
	flow_state_set(f, FLOW_STATE_ACTIVE);
	return conn;
}

/**
 * tcp_splice_conn_open() - Take a socket and pipes, register accepted side
 * @c:		Execution context
 * @conn:	New connection, s[0] set, everything else -1
 * @af:		Family of the target socket
 *
 * Return: 0 on success, -1 if resources ran out
 *
 * #syscalls:pasta setsockopt
 */
static int tcp_splice_conn_open(const struct ctx *c,
				struct tcp_splice_conn *conn, int af)
{
	int one = 1;

	conn->s[1] = tcp_splice_sock_get(conn->from_ns, af);
	if (conn->s[1] < 0 || tcp_splice_pipe_get(conn->pipe[0]) ||
	    tcp_splice_pipe_get(conn->pipe[1]))
		return -1;
	if (epoll_add(c, conn->s[0], TCP_SPLICE_EPOLL_EVENTS,
		      tcp_splice_ref(conn, FLOW_SIDE_INI)))
		return -1;
	if (setsockopt(conn->s[0], IPPROTO_TCP, TCP_NODELAY, &one,
		       sizeof(one)))
		debug_perror("TCP splice: TCP_NODELAY on socket %i",
			     conn->s[0]);
	return 0;
}

/**
 * tcp_splice_connect() - Connect to the target, register that socket
 * @c:		Execution context
 * @conn:	Connection with resources, may be freed on return
 *
 * #syscalls:pasta connect
 */
static void tcp_splice_connect(struct ctx *c, struct tcp_splice_conn *conn)
{
	const struct flowside *tgt = &conn->f.side[FLOW_SIDE_TGT];
	union tcp_splice_sockaddr sa;
	socklen_t sl;
	int ret;

	sl = tcp_splice_sa_set(&sa, &tgt->peer, tgt->peer_port);
	tcp_splice_state_set(conn, TCP_SPLICE_CONNECTING);
	ret = connect(conn->s[1], &sa.sa, sl);
	if (ret && errno != EINPROGRESS) {
		debug_perror("TCP splice flow %u: connect to port %u",
			     tcp_splice_idx(conn), tgt->peer_port);
		c->stats.tcp_splice_connect_fail++;
		tcp_splice_conn_close(conn, true);
		return;
	}
	tcp_splice_local(conn, FLOW_SIDE_TGT);	/* Bound by connect() */
	flow_log(&conn->f, "spliced");

	/* After connect(): a socket not yet connecting polls as writable */
	if (epoll_add(c, conn->s[1], TCP_SPLICE_EPOLL_EVENTS,
		      tcp_splice_ref(conn, FLOW_SIDE_TGT))) {
		tcp_splice_conn_done(c, conn, -EIO);
		return;
	}
	if (!ret)
		tcp_splice_established(c, conn);
}

/**
 * tcp_splice_conn_from_sock() - Splice an accepted connection
 * @c:		Execution context
 * @s:		Accepted socket, non-blocking
 * @from_ns:	Accepted on a namespace-side listener (-T), else on the host
 * @ini:	Client's side: its address and port, the listening port
 * @tgt:	Target side, as fwd_from_host() decided to splice: the address
 *		and port to connect to on the other side
 * @now:	Current timestamp
 *
 * Return: true if @s was taken (spliced, or reset and closed on failure),
 *	   false if the caller keeps it (splicing not set up)
 */
bool tcp_splice_conn_from_sock(struct ctx *c, int s, bool from_ns,
			       const struct flowside *ini,
			       const struct flowside *tgt,
			       const struct timespec *now)
{
	int af = inany_v4(&tgt->peer) ? AF_INET : AF_INET6;
	struct tcp_splice_conn *conn;

	if (c->mode != MODE_PASTA || !tcp_splice_tbl.ready)
		return false;

	conn = tcp_splice_conn_new(s, from_ns, ini, tgt, now);
	if (!conn) {
		warn_ratelimit("TCP splice: flow table full (%u spliced), "
			       "resetting new connection",
			       flow_count(FLOW_TCP_SPLICE));
		c->stats.tcp_splice_drop++;
		tcp_splice_sock_reset(s);
		return true;
	}
	if (tcp_splice_conn_open(c, conn, af)) {
		warn_ratelimit("TCP splice: no sockets or pipes, resetting");
		c->stats.tcp_splice_drop++;
		tcp_splice_conn_close(conn, true);
		return true;
	}
	c->stats.tcp_splice_conns++;
	tcp_splice_connect(c, conn);
	return true;
}

/**
 * tcp_splice_flow_timer() - Per-flow periodic work: connect time-out
 * @c:		Execution context
 * @conn:	Spliced connection, may be freed on return
 * @now:	Current timestamp
 *
 * Called by flow_walk.c's walk of the flow table, for each FLOW_TCP_SPLICE flow.
 */
void tcp_splice_flow_timer(struct ctx *c, struct tcp_splice_conn *conn,
			   const struct timespec *now)
{
	if (conn->f.state != FLOW_STATE_ACTIVE ||
	    conn->state != TCP_SPLICE_CONNECTING ||
	    timespec_diff_ms(now, &conn->start) <
	    TCP_SPLICE_CONNECT_TIMEOUT_MS)
		return;
	debug("TCP splice flow %u: connect timed out", tcp_splice_idx(conn));
	c->stats.tcp_splice_connect_fail++;
	tcp_splice_conn_close(conn, true);
}

/**
 * tcp_splice_timer() - Periodic task: top up the socket and pipe pools
 * @c:		Execution context
 * @now:	Current timestamp (unused: time-outs are per flow)
 */
void tcp_splice_timer(struct ctx *c, const struct timespec *now)
{
	(void)c;
	(void)now;
	if (!tcp_splice_tbl.ready)
		return;
	tcp_splice_pipe_pool_fill();
	tcp_splice_sock_pools_fill();
}

/**
 * tcp_splice_init() - Probe pipe capacity, fill pools (set-up, pasta only)
 * @c:		Execution context
 */
void tcp_splice_init(struct ctx *c)
{
	struct tcp_splice_tbl *t = &tcp_splice_tbl;

	if (c->mode != MODE_PASTA || c->no_splice || t->ready)
		return;
	flow_limit_set(FLOW_TCP_SPLICE,
		       (unsigned)env_long("PASST_TCP_SPLICE_CONN_MAX",
					  TCP_SPLICE_CONN_MIN,
					  TCP_SPLICE_CONN_MAX,
					  TCP_SPLICE_CONN_MAX));
	t->pipe_size = tcp_splice_pipe_size_probe();
	tcp_splice_pipe_pool_fill();
	tcp_splice_sock_pools_fill();
	t->ready = true;
	debug("TCP splice: %u pipes of %zu bytes, sockets: host %u+%u, "
	      "namespace %u+%u", t->pipe_cnt, t->pipe_size, t->host[0].cnt,
	      t->host[1].cnt, t->ns[0].cnt, t->ns[1].cnt);
}
