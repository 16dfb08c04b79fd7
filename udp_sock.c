// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_sock.c - UDP sockets: options, opening, binding, batched sends
 *
 * Opens the UDP sockets of flows and forwarded ports in our namespace
 * (closing the least recently used flow socket if descriptors run out,
 * udp_flow.c), keeps pasta's pool of spare sockets living in the target
 * namespace, binds and connects them, converts socket addresses, and
 * sends batches of prepared messages with sendmmsg(), datagram by
 * datagram where the kernel refuses UDP_SEGMENT. The Theory of Operation
 * is in udp.c.
 *
 * The namespace pool: sockets created in the namespace through ns_call()
 * (bind() and connect() then work on them from outside), UDP_NS_POOL per
 * IP version, topped up at set-up and by udp_timer() once half used, so
 * that a new spliced flow rarely needs a namespace switch.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "log.h"
#include "ctx.h"
#include "udp_cmsg.h"
#include "udp_flow.h"
#include "udp_internal.h"
#include "udp_sock.h"
#include "util.h"

/**
 * struct udp_nspool - Unbound namespace-side sockets, ready for flows
 * @fd:		Sockets, per IP version
 * @cnt:	Sockets held, per IP version
 */
struct udp_nspool {
	int fd[2][UDP_NS_POOL];
	size_t cnt[2];
};

/* pasta: spare namespace-side sockets */
static struct udp_nspool udp_nspool;

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
 * @keep:	Flow not to evict, NULL for none
 *
 * Return: socket, or -1 with errno set
 *
 * #syscalls socket close
 */
int udp_sock_new(const struct ctx *c, bool v6, bool recverr,
		 const struct udp_flow *keep)
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
 * @s:		Side of the socket: peer, peer_port the target; local the bind
 *		address (unspecified for any), local_port the preferred port,
 *		set to 0 if it was taken and an ephemeral one is used (in/out)
 * @v6:		IPv6 socket
 *
 * Return: 0 on success, -1 with errno set
 *
 * #syscalls bind connect
 */
int udp_sock_bind_connect(int fd, struct flowside *s, bool v6)
{
	struct sockaddr_in6 sa;
	socklen_t sl;

	if (!s->local_port || udp_sock_bind(fd, &s->local, s->local_port, v6)) {
		s->local_port = 0;
		if (udp_sock_bind(fd, &s->local, 0, v6))
			return -1;
	}
	sl = udp_sa_set(&sa, &s->peer, s->peer_port, v6);
	return connect(fd, (struct sockaddr *)&sa, sl);
}

/**
 * udp_mm_dgrams() - Datagrams one prepared message carries
 * @mh:		Message
 *
 * Return: one, or with UDP_SEGMENT its vectors, one datagram each (without
 *	   it, several vectors are the pieces of one datagram)
 */
static size_t udp_mm_dgrams(const struct msghdr *mh)
{
	return udp_cmsg_segmented(mh) ? mh->msg_iovlen : 1;
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
			udp_drop(&c->stats.udp_drop_send, 1);
	}
}

/**
 * udp_send_batch() - Send prepared messages, tolerating partial sends
 * @c:		Execution context
 * @fd:		Socket
 * @mm:		Messages: single datagrams (maybe in pieces), or several
 *		with UDP_SEGMENT, one vector each
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
				if (!udp_cmsg_segmented(&mm[i].msg_hdr))
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
		if (udp_cmsg_segmented(mh) &&
		    (e == EINVAL || e == EMSGSIZE || e == EIO ||
		     e == ENOPROTOOPT)) {
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
				udp_drop(&c->stats.udp_drop_send,
					 udp_mm_dgrams(&mm[i].msg_hdr));
			break;
		}
		/* Skip the message the kernel refused, try the rest */
		udp_drop(&c->stats.udp_drop_send, udp_mm_dgrams(mh));
		done++;
	}
	return sent;
}

/**
 * udp_ns_sock_fn() - Fill the namespace socket pool, in the namespace
 * @arg:	Unused
 *
 * Return: 0
 *
 * #syscalls:pasta socket close
 */
static int udp_ns_sock_fn(void *arg)
{
	int v6;

	(void)arg;
	for (v6 = 0; v6 < 2; v6++) {
		while (udp_nspool.cnt[v6] < UDP_NS_POOL) {
			int fd = socket(v6 ? AF_INET6 : AF_INET,
					SOCK_DGRAM | SOCK_NONBLOCK |
					SOCK_CLOEXEC, IPPROTO_UDP);

			if (fd < 0)
				break;
			if (fd > FD_REF_MAX || udp_sock_opts(fd, v6, false)) {
				close(fd);
				break;
			}
			udp_nspool.fd[v6][udp_nspool.cnt[v6]++] = fd;
		}
	}
	return 0;
}

/**
 * udp_nspool_refill() - Top up the namespace socket pool
 * @c:		Execution context
 */
void udp_nspool_refill(const struct ctx *c)
{
	if (c->mode != MODE_PASTA || c->pasta_netns_fd < 0)
		return;
	if (udp_nspool.cnt[0] < UDP_NS_POOL / 2 ||
	    udp_nspool.cnt[1] < UDP_NS_POOL / 2)
		ns_call(udp_ns_sock_fn, NULL);
}

/**
 * udp_nspool_take() - Take a spare namespace socket, without topping up
 * @v6:		IPv6 socket
 *
 * Return: socket, -1 if the pool is empty
 */
int udp_nspool_take(bool v6)
{
	if (!udp_nspool.cnt[v6])
		return -1;
	return udp_nspool.fd[v6][--udp_nspool.cnt[v6]];
}

/**
 * udp_sock_ns() - Take a socket living in the namespace, making more
 * @c:		Execution context
 * @v6:		IPv6 socket
 * @keep:	Flow not to evict if descriptors run out
 *
 * Return: socket, -1 if none could be made
 */
int udp_sock_ns(const struct ctx *c, bool v6, const struct udp_flow *keep)
{
	if (!udp_nspool.cnt[v6])
		udp_nspool_refill(c);
	if (!udp_nspool.cnt[v6] && udp_flow_evict_sock(c, keep))
		ns_call(udp_ns_sock_fn, NULL);
	return udp_nspool_take(v6);
}
