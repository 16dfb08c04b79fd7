// SPDX-License-Identifier: GPL-2.0-or-later
/* bench_relay.c - The least a splice() relay can do: a benchmark reference
 *
 * Usage: bench_relay LISTEN_ADDR PORT TARGET_ADDR TARGET_PORT
 *
 * Theory of Operation
 *
 * Accepts TCP connections on LISTEN_ADDR:PORT (IPv4) and joins each to a
 * new connection to TARGET_ADDR:TARGET_PORT, the way pasta's splice path
 * joins loopback sockets: data moves socket to pipe to socket with splice(),
 * page references only. Nothing else is done: one process per direction,
 * blocking calls, no epoll, no state, no limits. What it reaches between
 * two loopback peers is what any splice() relay can reach on the machine,
 * since the kernel then runs two TCP connections (four sockets) where
 * loopback runs one; the benchmark sets pasta's splice figures against it.
 *
 * A connect() refused by the target is retried for up to a second, as the
 * target may still be starting. Runs until killed; exit status 1 if it
 * cannot listen, 2 on usage errors.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RELAY_PIPE_SIZE		(1 << 20)	/* As pasta's splice pipes */
#define RELAY_CONNECT_TRIES	100		/* Every 10 ms: one second */
#define RELAY_BACKLOG		16

/**
 * relay_pump() - Move one direction until end of file, then pass it on
 * @from:	Socket to read
 * @to:		Socket to write; shut down for writing at end of file
 *
 * Does not return: the process exits, 0 at end of file, 1 on errors
 */
static void relay_pump(int from, int to)
{
	int p[2];

	if (pipe(p))
		_exit(1);
	fcntl(p[0], F_SETPIPE_SZ, RELAY_PIPE_SIZE);
	for (;;) {
		ssize_t n = splice(from, NULL, p[1], NULL, RELAY_PIPE_SIZE,
				   SPLICE_F_MOVE);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			shutdown(to, SHUT_WR);
			_exit(n < 0);
		}
		while (n > 0) {
			ssize_t m = splice(p[0], NULL, to, NULL, (size_t)n,
					   SPLICE_F_MOVE);

			if (m < 0 && errno == EINTR)
				continue;
			if (m <= 0)
				_exit(1);
			n -= m;
		}
	}
}

/**
 * relay_connect() - Connect to the target, retrying while it is refused
 * @sa:		Target address
 *
 * Return: connected socket, -1 on failure
 */
static int relay_connect(const struct sockaddr_in *sa)
{
	struct timespec wait = { 0, 10 * 1000 * 1000 };
	int i, s, one = 1;

	for (i = 0; i < RELAY_CONNECT_TRIES; i++) {
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return -1;
		if (!connect(s, (const struct sockaddr *)sa, sizeof(*sa))) {
			setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one,
				   sizeof(one));
			return s;
		}
		close(s);
		if (errno != ECONNREFUSED)
			return -1;
		nanosleep(&wait, NULL);
	}
	return -1;
}

/**
 * relay_conn() - Serve one accepted connection, in a child process
 * @s:		Accepted socket
 * @target:	Target address
 *
 * Does not return
 */
static void relay_conn(int s, const struct sockaddr_in *target)
{
	int t = relay_connect(target), one = 1;
	pid_t pid;

	if (t < 0)
		_exit(1);
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	pid = fork();
	if (pid < 0)
		_exit(1);
	if (pid)
		relay_pump(s, t);
	relay_pump(t, s);
}

/**
 * relay_addr() - Fill an IPv4 socket address
 * @sa:		Address (output)
 * @addr:	Dotted quad
 * @port:	Port, decimal
 *
 * Return: 0 on success, -1 if either is malformed
 */
static int relay_addr(struct sockaddr_in *sa, const char *addr,
		      const char *port)
{
	char *end;
	long p = strtol(port, &end, 10);

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (*end || p < 1 || p > 65535 ||
	    inet_pton(AF_INET, addr, &sa->sin_addr) != 1)
		return -1;
	sa->sin_port = htons((uint16_t)p);
	return 0;
}

/**
 * main() - Listen, then fork a relay for each connection
 * @argc:	Argument count
 * @argv:	LISTEN_ADDR PORT TARGET_ADDR TARGET_PORT
 *
 * Return: 1 if listening fails, 2 on usage errors; runs until killed
 */
int main(int argc, char **argv)
{
	struct sockaddr_in self, target;
	int l, one = 1;

	if (argc != 5 || relay_addr(&self, argv[1], argv[2]) ||
	    relay_addr(&target, argv[3], argv[4])) {
		fprintf(stderr, "Usage: %s LISTEN_ADDR PORT TARGET_ADDR "
			"TARGET_PORT\n", argv[0]);
		return 2;
	}
	signal(SIGCHLD, SIG_IGN);	/* No zombies */
	l = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one,
				sizeof(one)) ||
	    bind(l, (struct sockaddr *)&self, sizeof(self)) ||
	    listen(l, RELAY_BACKLOG)) {
		perror("bench_relay: listen");
		return 1;
	}
	for (;;) {
		int s = accept(l, NULL, NULL);
		pid_t pid;

		if (s < 0)
			continue;
		pid = fork();
		if (!pid) {
			close(l);
			relay_conn(s, &target);
		}
		close(s);
	}
}
