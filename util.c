// SPDX-License-Identifier: GPL-2.0-or-later
/* util.c - Sockets, epoll registration, namespaces, PID file, parsing */

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "ctx.h"
#include "util.h"

/**
 * epoll_add() - Register a file descriptor with the epoll instance
 * @c:		Execution context
 * @fd:		File descriptor, at most FD_REF_MAX
 * @events:	EPOLL* event mask
 * @ref_u64:	Reference (epoll_ref_make())
 *
 * Return: 0 on success, negative errno on failure
 *
 * #syscalls epoll_ctl
 */
int epoll_add(const struct ctx *c, int fd, uint32_t events, uint64_t ref_u64)
{
	struct epoll_event ev = { .events = events, .data.u64 = ref_u64 };

	if (fd < 0 || fd > FD_REF_MAX)
		return -EBADF;
	if (epoll_ctl(c->epollfd, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	return 0;
}

/**
 * epoll_mod() - Change events or reference of a registered descriptor
 * @c:		Execution context
 * @fd:		File descriptor
 * @events:	EPOLL* event mask
 * @ref_u64:	Reference (epoll_ref_make())
 *
 * Return: 0 on success, negative errno on failure
 *
 * #syscalls epoll_ctl
 */
int epoll_mod(const struct ctx *c, int fd, uint32_t events, uint64_t ref_u64)
{
	struct epoll_event ev = { .events = events, .data.u64 = ref_u64 };

	if (epoll_ctl(c->epollfd, EPOLL_CTL_MOD, fd, &ev))
		return -errno;
	return 0;
}

/**
 * epoll_del() - Remove a descriptor from the epoll instance
 * @c:		Execution context
 * @fd:		File descriptor
 *
 * #syscalls epoll_ctl
 */
void epoll_del(const struct ctx *c, int fd)
{
	epoll_ctl(c->epollfd, EPOLL_CTL_DEL, fd, NULL);
}

/**
 * sock_bind_addr() - Fill a socket address for bind()
 * @sa:		Storage (output)
 * @af:		AF_INET or AF_INET6
 * @bind_addr:	struct in_addr or in6_addr, NULL for any
 * @port:	Port, host order
 *
 * Return: length of the address
 */
static socklen_t sock_bind_addr(struct sockaddr_storage *sa, int af,
				const void *bind_addr, uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	if (af == AF_INET) {
		struct sockaddr_in *sa4 = (struct sockaddr_in *)sa;

		sa4->sin_family = AF_INET;
		sa4->sin_port = htons(port);
		if (bind_addr)
			sa4->sin_addr = *(const struct in_addr *)bind_addr;
		return sizeof(*sa4);
	} else {
		struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)sa;

		sa6->sin6_family = AF_INET6;
		sa6->sin6_port = htons(port);
		if (bind_addr)
			sa6->sin6_addr = *(const struct in6_addr *)bind_addr;
		return sizeof(*sa6);
	}
}

/**
 * sock_l4() - Open, bind and register a TCP or UDP socket
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 * @proto:	IPPROTO_TCP (listening) or IPPROTO_UDP
 * @bind_addr:	Address to bind, NULL for any
 * @ifname:	Interface to bind to, NULL or empty for any
 * @port:	Port, host order
 * @ref_u64:	Epoll reference; its fd is filled in here
 *
 * Return: socket on success, negative errno on failure
 *
 * At run time, only pasta's "auto" forwarding opens sockets here:
 * #syscalls:pasta socket bind listen setsockopt close
 */
int sock_l4(const struct ctx *c, int af, uint8_t proto,
	    const void *bind_addr, const char *ifname, uint16_t port,
	    uint64_t ref_u64)
{
	int type = proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM;
	union epoll_ref ref = { .u64 = ref_u64 };
	struct sockaddr_storage sa;
	int fd, y = 1, ret;
	socklen_t sl;

	fd = socket(af, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	if (fd > FD_REF_MAX) {
		close(fd);
		return -EBADF;
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &y, sizeof(y));
	if (af == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &y, sizeof(y));
	if (c->freebind)
		setsockopt(fd, af == AF_INET ? IPPROTO_IP : IPPROTO_IPV6,
			   af == AF_INET ? IP_FREEBIND : IPV6_FREEBIND,
			   &y, sizeof(y));
	if (ifname && *ifname &&
	    setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		       strlen(ifname) + 1))
		goto fail;
	sl = sock_bind_addr(&sa, af, bind_addr, port);
	if (bind(fd, (struct sockaddr *)&sa, sl))
		goto fail;
	/* Bursts of connects must queue, not overflow into SYN cookies/RSTs */
	if (proto == IPPROTO_TCP && listen(fd, SOMAXCONN))
		goto fail;
	ref.fd = fd;
	ret = epoll_add(c, fd, EPOLLIN, ref.u64);
	if (ret) {
		close(fd);
		return ret;
	}
	return fd;
fail:
	ret = -errno;
	close(fd);
	return ret;
}

/**
 * fd_set_nonblock() - Set O_NONBLOCK on a descriptor
 * @fd:		File descriptor
 *
 * Return: 0 on success, -1 on failure
 */
int fd_set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return -1;
	return fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/**
 * struct ns_call_arg - Function to run in the target namespace
 * @fn:		Function
 * @arg:	Its argument
 * @netns_fd:	Network namespace to join first
 */
struct ns_call_arg {
	int (*fn)(void *arg);
	void *arg;
	int netns_fd;
};

/* Target network namespace for ns_call(), set by ns_call_setup() */
static int ns_call_netns_fd = -1;

/**
 * ns_call_setup() - Set the namespace ns_call() enters
 * @netns_fd:	Network namespace file descriptor
 */
void ns_call_setup(int netns_fd)
{
	ns_call_netns_fd = netns_fd;
}

/**
 * ns_call_do() - Clone entry point: join the namespace, call the function
 * @arg:	struct ns_call_arg
 *
 * Return: function's return value, or 1 if the namespace can't be joined
 *
 * The C library ends the clone with exit() once this returns.
 *
 * #syscalls:pasta setns exit
 */
static int ns_call_do(void *arg)
{
	const struct ns_call_arg *a = arg;

	if (setns(a->netns_fd, CLONE_NEWNET))
		return 1;
	return a->fn(a->arg);
}

/**
 * ns_call() - Run a function in the target network namespace, synchronously
 * @fn:		Function; runs in a clone sharing memory and file descriptors
 * @arg:	Its argument
 *
 * Return: exit status of @fn (0 or positive), -1 if it couldn't be run
 *
 * #syscalls:pasta clone waitid
 */
int ns_call(int (*fn)(void *arg), void *arg)
{
	char stack[65536] __attribute__((aligned(16)));
	struct ns_call_arg a = { fn, arg, ns_call_netns_fd };
	siginfo_t info;
	pid_t pid;

	if (a.netns_fd < 0)
		return -1;
	pid = clone(ns_call_do, stack + sizeof(stack),
		    CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &a);
	if (pid < 0)
		return -1;
	memset(&info, 0, sizeof(info));
	while (waitid(P_PID, pid, &info, WEXITED) < 0) {
		if (errno != EINTR)
			return -1;
	}
	if (info.si_code != CLD_EXITED)
		return -1;
	return info.si_status;
}

/**
 * pidfile_open() - Create a PID file at set-up, before dropping privileges
 * @path:	Path
 *
 * Return: file descriptor, dies on failure
 */
int pidfile_open(const char *path)
{
	int fd = open(path, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0644);

	if (fd < 0)
		die_perror("Can't open PID file %s", path);
	return fd;
}

/**
 * pidfile_write() - Write a PID into an open PID file and close it
 * @fd:		PID file descriptor
 * @pid:	PID to write
 */
void pidfile_write(int fd, pid_t pid)
{
	char buf[32];
	int n = snprintf(buf, sizeof(buf), "%i\n", pid);

	if (write(fd, buf, n) != n)
		die_perror("Can't write PID file");
	close(fd);
}

/**
 * daemonise() - Fork to background: the parent exits, the child goes on
 * @nullfd:	/dev/null, opened at set-up (closed here), or -1
 *
 * Return: PID of the child, in the parent (which should then exit);
 *	   0 in the child
 */
int daemonise(int nullfd)
{
	pid_t pid = fork();

	if (pid < 0)
		die_perror("Can't fork to background");
	if (pid)
		return pid;
	if (setsid() < 0)
		die_perror("setsid() failed");
	if (nullfd >= 0) {
		dup2(nullfd, STDIN_FILENO);
		dup2(nullfd, STDOUT_FILENO);
		dup2(nullfd, STDERR_FILENO);
		if (nullfd > STDERR_FILENO)
			close(nullfd);
	}
	return 0;
}

/**
 * raw_random() - Fill a buffer with random bytes from the kernel
 * @buf:	Buffer (output)
 * @len:	Length, bytes
 *
 * Set-up only: keys are drawn before the sandbox is up.
 */
void raw_random(void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = getrandom((char *)buf + done, len - done, 0);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			die_perror("getrandom() failed");
		}
		done += (size_t)n;
	}
}

/**
 * mac_ntop() - Format a MAC address
 * @mac:	Address, ETH_ALEN bytes
 * @buf:	Output buffer
 * @len:	Size of @buf, at least MAC_STRLEN
 *
 * Return: @buf
 */
const char *mac_ntop(const unsigned char *mac, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x",
		 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
	return buf;
}

/**
 * write_file() - Write a string to a file (procfs, sysfs), set-up only
 * @path:	Path
 * @buf:	NUL-terminated content
 *
 * Return: 0 on success, negative errno on failure
 */
int write_file(const char *path, const char *buf)
{
	size_t len = strlen(buf);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0 || (size_t)n != len) {
		int ret = n < 0 ? -errno : -EIO;

		close(fd);
		return ret;
	}
	close(fd);
	return 0;
}

/**
 * parse_long() - Parse a whole string as a decimal integer within limits
 * @s:		String
 * @min:	Smallest value accepted
 * @max:	Largest value accepted
 * @ok:		Set to false on failure (output)
 *
 * Return: the value, 0 on failure
 */
static long parse_long(const char *s, long min, long max, bool *ok)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max) {
		*ok = false;
		return 0;
	}
	*ok = true;
	return v;
}

/**
 * env_long() - Read a numeric test override from the environment
 * @name:	Variable name
 * @min:	Smallest value taken
 * @max:	Largest value taken
 * @def:	Value if unset or invalid
 *
 * Return: value
 */
long env_long(const char *name, long min, long max, long def)
{
	const char *s = getenv(name);
	bool ok = false;
	long v;

	if (!s)
		return def;
	v = parse_long(s, min, max, &ok);
	if (!ok) {
		warn("Ignoring invalid %s", name);
		return def;
	}
	info("%s=%li (test override)", name, v);
	return v;
}
