// SPDX-License-Identifier: GPL-2.0-or-later
/* splice_pipe.c - Probe: the splice(), pipe and epoll behaviour tcp_splice.c
 * relies on (see its Theory of Operation)
 *
 * Build: cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -o splice_pipe splice_pipe.c
 * Prints one line per check and "N passed, N failed"; exits 1 on a failure.
 * The namespace check needs CAP_SYS_ADMIN and is skipped without it.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#define PROBE_FLAGS	(SPLICE_F_MOVE | SPLICE_F_NONBLOCK)
#define PROBE_CHUNK	(1 << 20)

/**
 * struct probe_state - Results and signal count
 * @passed:	Checks passed
 * @failed:	Checks failed
 * @sigpipe:	SIGPIPE signals seen
 */
static struct probe_state {
	int passed;
	int failed;
	volatile sig_atomic_t sigpipe;
} probe;

/**
 * probe_check() - Record and print one check
 * @ok:		Check passed
 * @what:	Description
 * @detail:	Return value seen, printed on failure
 */
static void probe_check(bool ok, const char *what, long detail)
{
	if (ok) {
		probe.passed++;
		printf("ok - %s\n", what);
		return;
	}
	probe.failed++;
	printf("not ok - %s (got %ld, errno %s)\n", what, detail,
	       strerror(errno));
}

/**
 * probe_sigpipe() - SIGPIPE handler: count
 * @sig:	Signal number
 */
static void probe_sigpipe(int sig)
{
	(void)sig;
	probe.sigpipe++;
}

/**
 * probe_pair() - Connected non-blocking TCP pair over IPv4 loopback
 * @fds:	Client ([0]) and accepted server ([1]) sockets (output)
 *
 * Return: 0 on success, -1 on failure
 */
static int probe_pair(int fds[2])
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int l;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&sa, &sl))
		return -1;
	fds[0] = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(fds[0], (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	fds[1] = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	close(l);
	if (fds[1] < 0 || fcntl(fds[0], F_SETFL, O_NONBLOCK))
		return -1;
	return 0;
}

/**
 * probe_fill() - Write to a non-blocking socket until EAGAIN
 * @s:		Socket
 *
 * Return: bytes written
 */
static size_t probe_fill(int s)
{
	static char buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = send(s, buf, sizeof(buf), MSG_NOSIGNAL)) > 0)
		total += (size_t)n;
	return total;
}

/**
 * probe_drain() - Read from a non-blocking socket until EAGAIN or EOF
 * @s:		Socket
 *
 * Return: bytes read
 */
static size_t probe_drain(int s)
{
	static char buf[65536];
	size_t total = 0;
	ssize_t n;

	while ((n = recv(s, buf, sizeof(buf), 0)) > 0)
		total += (size_t)n;
	return total;
}

/**
 * probe_read_side() - splice() from a socket: EAGAIN, data, pipe full, EOF
 */
static void probe_read_side(void)
{
	int fds[2], p[2];
	size_t got = 0;
	ssize_t n;
	char c;

	if (probe_pair(fds) || pipe2(p, O_NONBLOCK)) {
		probe_check(false, "set-up (read side)", -1);
		return;
	}
	n = splice(fds[1], NULL, p[1], NULL, PROBE_CHUNK, PROBE_FLAGS);
	probe_check(n < 0 && errno == EAGAIN,
		    "splice from socket without data: EAGAIN", n);

	/* Default pipe (64 KiB): more data than fits */
	probe_fill(fds[0]);
	n = splice(fds[1], NULL, p[1], NULL, PROBE_CHUNK, PROBE_FLAGS);
	probe_check(n > 0, "splice from socket with data: bytes moved", n);
	while (n > 0) {
		got += (size_t)n;
		n = splice(fds[1], NULL, p[1], NULL, PROBE_CHUNK, PROBE_FLAGS);
	}
	probe_check(n < 0 && errno == EAGAIN && got &&
		    recv(fds[1], &c, 1, MSG_PEEK) == 1,
		    "splice into a full pipe, socket has data: EAGAIN, not 0",
		    n);

	/* Peer shuts down: data first, then 0 exactly once all is read */
	shutdown(fds[0], SHUT_WR);
	do {
		char buf[65536];

		while (read(p[0], buf, sizeof(buf)) > 0)
			;
		n = splice(fds[1], NULL, p[1], NULL, PROBE_CHUNK, PROBE_FLAGS);
	} while (n > 0);
	probe_check(n == 0, "splice from socket after peer's FIN: 0 (EOF)", n);
	close(fds[0]);
	close(fds[1]);
	close(p[0]);
	close(p[1]);
}

/**
 * probe_write_side() - splice() to a full socket: EAGAIN, then EPOLLOUT (ET)
 */
static void probe_write_side(void)
{
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN | EPOLLET };
	int fds[2], p[2], ep;
	ssize_t n;

	if (probe_pair(fds) || pipe2(p, O_NONBLOCK) ||
	    (ep = epoll_create1(0)) < 0) {
		probe_check(false, "set-up (write side)", -1);
		return;
	}
	probe_fill(fds[1]);
	probe_check(write(p[1], "x", 1) == 1, "write into pipe", 0);
	n = splice(p[0], NULL, fds[1], NULL, 1, PROBE_FLAGS);
	probe_check(n < 0 && errno == EAGAIN,
		    "splice to socket with full send buffer: EAGAIN", n);

	epoll_ctl(ep, EPOLL_CTL_ADD, fds[1], &ev);
	n = epoll_wait(ep, &ev, 1, 0);
	probe_check(n == 0, "edge-triggered: no event while full", n);
	probe_drain(fds[0]);
	n = epoll_wait(ep, &ev, 1, 1000);
	probe_check(n == 1 && (ev.events & EPOLLOUT),
		    "edge-triggered EPOLLOUT once the peer read", n);
	n = splice(p[0], NULL, fds[1], NULL, 1, PROBE_FLAGS);
	probe_check(n == 1, "splice to socket after EPOLLOUT", n);

	/* Re-arm: MOD on a ready edge-triggered descriptor queues an event */
	if (epoll_wait(ep, &ev, 1, 0) < 0)	/* Consume what's pending */
		probe_check(false, "epoll_wait", -1);
	ev.events = EPOLLOUT | EPOLLIN | EPOLLET;
	epoll_ctl(ep, EPOLL_CTL_MOD, fds[1], &ev);
	n = epoll_wait(ep, &ev, 1, 0);
	probe_check(n == 1, "EPOLL_CTL_MOD on a ready ET socket: event", n);
	close(ep);
	close(fds[0]);
	close(fds[1]);
	close(p[0]);
	close(p[1]);
}

/**
 * probe_reset() - Peer reset: SO_LINGER 0 close, splice errors, SIGPIPE
 */
static void probe_reset(void)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	int fds[2], p[2], sigpipe_before;
	ssize_t n;

	if (probe_pair(fds) || pipe2(p, O_NONBLOCK)) {
		probe_check(false, "set-up (reset)", -1);
		return;
	}
	setsockopt(fds[0], SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fds[0]);
	n = splice(fds[1], NULL, p[1], NULL, PROBE_CHUNK, PROBE_FLAGS);
	probe_check(n < 0 && errno == ECONNRESET,
		    "SO_LINGER 0 close: peer's splice fails, ECONNRESET", n);

	sigpipe_before = probe.sigpipe;
	probe_check(write(p[1], "x", 1) == 1, "write into pipe", 0);
	n = splice(p[0], NULL, fds[1], NULL, 1, PROBE_FLAGS);
	probe_check(n < 0 && (errno == EPIPE || errno == ECONNRESET),
		    "splice to a reset socket fails, EPIPE or ECONNRESET", n);
	probe_check(errno != EPIPE || probe.sigpipe > sigpipe_before,
		    "EPIPE from splice raises SIGPIPE (passt.c ignores it)",
		    probe.sigpipe);
	close(fds[1]);
	close(p[0]);
	close(p[1]);
}

/**
 * probe_pipe_size() - F_SETPIPE_SZ takes 1 MiB (root, or within limits)
 */
static void probe_pipe_size(void)
{
	int p[2], ret;

	if (pipe2(p, O_NONBLOCK)) {
		probe_check(false, "set-up (pipe size)", -1);
		return;
	}
	ret = fcntl(p[0], F_SETPIPE_SZ, PROBE_CHUNK);
	probe_check(ret >= PROBE_CHUNK && fcntl(p[0], F_GETPIPE_SZ) == ret,
		    "F_SETPIPE_SZ 1 MiB, F_GETPIPE_SZ reports it", ret);
	close(p[0]);
	close(p[1]);
}

/**
 * probe_unconnected_poll() - A TCP socket before connect() polls writable
 *
 * This is why tcp_splice.c registers the target socket after connect().
 */
static void probe_unconnected_poll(void)
{
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN | EPOLLET };
	int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	int ep = epoll_create1(0);
	int n;

	epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	n = epoll_wait(ep, &ev, 1, 0);
	probe_check(n == 1 && (ev.events & (EPOLLOUT | EPOLLHUP)),
		    "socket not yet connecting reports EPOLLOUT/EPOLLHUP", n);
	close(ep);
	close(s);
}

/**
 * probe_netns_child() - In a new netns, connect a socket made in the old one
 * @s:		Socket created before unshare()
 * @sa:		Listener's address on the original namespace's loopback
 *
 * Return: 0 if the connection reached the listener, 1 if it failed,
 *	   77 if no new namespace could be made
 */
static int probe_netns_child(int s, const struct sockaddr_in *sa)
{
	int t;

	if (unshare(CLONE_NEWNET))
		return 77;
	/* Sockets made here would fail: loopback is down in a new netns */
	t = socket(AF_INET, SOCK_STREAM, 0);
	if (!connect(t, (const struct sockaddr *)sa, sizeof(*sa)))
		return 1;
	close(t);
	return connect(s, (const struct sockaddr *)sa, sizeof(*sa)) ? 1 : 0;
}

/**
 * probe_netns() - Socket's namespace is where it was created, not the caller's
 */
static void probe_netns(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int l, s, status;
	pid_t pid;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	l = socket(AF_INET, SOCK_STREAM, 0);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (bind(l, (struct sockaddr *)&sa, sizeof(sa)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&sa, &sl)) {
		probe_check(false, "set-up (netns)", -1);
		return;
	}
	pid = fork();
	if (!pid)
		_exit(probe_netns_child(s, &sa));
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77)
		printf("skip - socket namespace check (no CAP_SYS_ADMIN)\n");
	else
		probe_check(WIFEXITED(status) && !WEXITSTATUS(status),
			    "socket made in netns A, connect() from netns B: "
			    "reaches A's loopback", status);
	close(l);
	close(s);
}

/**
 * main() - Run all probes
 *
 * Return: 0 if all checks passed, 1 otherwise
 */
int main(void)
{
	struct sigaction sa = { .sa_handler = probe_sigpipe };

	sigaction(SIGPIPE, &sa, NULL);
	setvbuf(stdout, NULL, _IOLBF, 0);
	probe_read_side();
	probe_write_side();
	probe_reset();
	probe_pipe_size();
	probe_unconnected_poll();
	probe_netns();
	printf("%d passed, %d failed\n", probe.passed, probe.failed);
	return probe.failed ? 1 : 0;
}
