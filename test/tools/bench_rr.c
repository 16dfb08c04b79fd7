// SPDX-License-Identifier: GPL-2.0-or-later
/* bench_rr.c - TCP/UDP request/response (ping-pong) latency tool
 *
 * Theory of Operation
 *
 * Server mode (-s) echoes what it receives: for TCP it accepts one
 * connection at a time and echoes until end of file, for UDP it sends every
 * datagram back to its source. It runs until killed.
 *
 * Client mode sends one message of -l bytes (default 64), waits until the
 * whole echo is back, and records the round-trip time, for -t seconds. It
 * prints one line:
 *
 *	mean_us=<mean> p50_us=<median> p99_us=<99th percentile> n=<samples>
 *	lost=<timeouts>
 *
 * A UDP request without an answer within one second counts as lost and is
 * not sampled. A TCP exchange that fails or stalls for more than one second
 * ends the run with exit status 1 (the harness prints "n/a"). Samples live
 * in a static array; once it is full the run stops early.
 */

#include <sys/socket.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define RR_MSG_MAX	65536		/* Largest message, bytes */
#define RR_SAMPLES_MAX	(1U << 22)	/* Round trips recorded at most */
#define RR_WAIT_MS	1000		/* Time-out for one reply, ms */
#define RR_CONNECT_S	3		/* Time-out for connect(), s */

/**
 * struct rr_state - Options and samples of one run
 * @server:	Run as echo server
 * @udp:	Use UDP instead of TCP
 * @af:		Address family of @addr
 * @addr:	Server address (client) or bind address (server)
 * @addr_len:	Length of @addr, bytes
 * @port:	Port, host order
 * @msg_len:	Message size, bytes
 * @secs:	Client run time, seconds
 * @lost:	UDP requests left unanswered
 * @cnt:	Samples recorded
 * @buf:	Message buffer
 * @ns:		Round-trip times, nanoseconds
 */
static struct rr_state {
	bool server;
	bool udp;
	int af;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	uint16_t port;
	size_t msg_len;
	unsigned secs;
	unsigned long lost;
	size_t cnt;
	char buf[RR_MSG_MAX];
	uint64_t ns[RR_SAMPLES_MAX];
} rr;

/**
 * rr_usage() - Print usage and exit
 * @name:	Program name
 */
static void rr_usage(const char *name)
{
	fprintf(stderr,
		"Usage: %s [-s] [-u] [-l BYTES] [-t SECS] ADDR PORT\n"
		"  -s  echo server bound to ADDR PORT (runs until killed)\n"
		"  -u  UDP instead of TCP\n"
		"  -l  message size (default 64)\n"
		"  -t  client run time in seconds (default 5)\n", name);
	exit(2);
}

/**
 * rr_opts() - Parse the command line into rr
 * @argc:	Argument count
 * @argv:	Arguments
 */
static void rr_opts(int argc, char **argv)
{
	int o;

	rr.msg_len = 64;
	rr.secs = 5;
	while ((o = getopt(argc, argv, "sul:t:")) != -1) {
		switch (o) {
		case 's':
			rr.server = true;
			break;
		case 'u':
			rr.udp = true;
			break;
		case 'l':
			rr.msg_len = bench_num(optarg, RR_MSG_MAX);
			break;
		case 't':
			rr.secs = bench_num(optarg, 3600);
			break;
		default:
			rr_usage(argv[0]);
		}
	}
	if (argc - optind != 2 || rr.msg_len == 0)
		rr_usage(argv[0]);
	rr.port = bench_num(argv[optind + 1], 65535);
	rr.af = bench_addr_parse(argv[optind], rr.port, &rr.addr,
				 &rr.addr_len);
	if (rr.af < 0)
		rr_usage(argv[0]);
}

/**
 * rr_wait() - Wait until a socket is readable
 * @s:		Socket
 *
 * Return: true if readable within RR_WAIT_MS
 */
static bool rr_wait(int s)
{
	struct pollfd pfd = { .fd = s, .events = POLLIN };

	return poll(&pfd, 1, RR_WAIT_MS) == 1;
}

/**
 * rr_recv_all() - Receive exactly @len bytes from a stream socket
 * @s:		Socket
 * @len:	Bytes to receive
 *
 * Return: 0 on success, -1 on error, end of file or time-out
 */
static int rr_recv_all(int s, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if (!rr_wait(s))
			return -1;
		n = recv(s, rr.buf + got, len - got, 0);
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/**
 * rr_echo_tcp() - Echo one TCP connection until end of file
 * @s:		Connected socket, closed on return
 */
static void rr_echo_tcp(int s)
{
	ssize_t n;

	while ((n = recv(s, rr.buf, sizeof(rr.buf), 0)) > 0) {
		if (send(s, rr.buf, (size_t)n, MSG_NOSIGNAL) != n)
			break;
	}
	close(s);
}

/**
 * rr_serve_udp() - Send every datagram back to its source, forever
 * @s:		Bound UDP socket
 */
static void rr_serve_udp(int s)
{
	for (;;) {
		struct sockaddr_storage peer;
		socklen_t sl = sizeof(peer);
		ssize_t n;

		n = recvfrom(s, rr.buf, sizeof(rr.buf), 0,
			     (struct sockaddr *)&peer, &sl);
		if (n > 0)
			sendto(s, rr.buf, (size_t)n, 0,
			       (struct sockaddr *)&peer, sl);
	}
}

/**
 * rr_serve_tcp() - Accept and echo connections one at a time, forever
 * @s:		Listening TCP socket
 */
static void rr_serve_tcp(int s)
{
	for (;;) {
		int c = accept(s, NULL, NULL), one = 1;

		if (c < 0)
			continue;
		setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		rr_echo_tcp(c);
	}
}

/**
 * rr_serve() - Run the echo server until killed
 *
 * Return: 1 on set-up failure (never returns otherwise)
 */
static int rr_serve(void)
{
	int s, one = 1;

	s = socket(rr.af, rr.udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (s < 0)
		return 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&rr.addr, rr.addr_len) ||
	    (!rr.udp && listen(s, 16))) {
		perror("bind/listen");
		return 1;
	}
	if (rr.udp)
		rr_serve_udp(s);
	rr_serve_tcp(s);
	return 1;
}

/**
 * rr_exchange() - Send one request and wait for the whole reply
 * @s:		Connected socket
 *
 * Return: 0 on success, 1 if a UDP reply was lost, -1 on fatal error
 */
static int rr_exchange(int s)
{
	ssize_t n;

	if (send(s, rr.buf, rr.msg_len, MSG_NOSIGNAL) != (ssize_t)rr.msg_len)
		return -1;
	if (!rr.udp)
		return rr_recv_all(s, rr.msg_len);
	do {
		if (!rr_wait(s))
			return 1;
		n = recv(s, rr.buf, sizeof(rr.buf), 0);
	} while (n >= 0 && (size_t)n != rr.msg_len);
	return n < 0 ? -1 : 0;
}

/**
 * rr_cmp() - Compare two samples for qsort()
 * @a:		First sample
 * @b:		Second sample
 *
 * Return: <0, 0 or >0 as @a is less than, equal to or greater than @b
 */
static int rr_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/**
 * rr_report() - Sort samples and print mean, median and 99th percentile
 *
 * Return: 0 if there were samples, 1 otherwise
 */
static int rr_report(void)
{
	size_t i, p50, p99;
	long double sum = 0;

	if (!rr.cnt) {
		printf("mean_us=n/a p50_us=n/a p99_us=n/a n=0 lost=%lu\n",
		       rr.lost);
		return 1;
	}
	qsort(rr.ns, rr.cnt, sizeof(rr.ns[0]), rr_cmp);
	for (i = 0; i < rr.cnt; i++)
		sum += rr.ns[i];
	p50 = rr.cnt / 2;
	p99 = rr.cnt * 99 / 100;
	printf("mean_us=%.1Lf p50_us=%.1f p99_us=%.1f n=%zu lost=%lu\n",
	       sum / rr.cnt / 1000, (double)rr.ns[p50] / 1000.0,
	       (double)rr.ns[p99] / 1000.0, rr.cnt, rr.lost);
	return 0;
}

/**
 * rr_client() - Connect, then ping-pong for rr.secs seconds
 *
 * Return: exit status: 0 on success, 1 on failure
 */
static int rr_client(void)
{
	struct timeval tv = { .tv_sec = RR_CONNECT_S };
	uint64_t start, end, t;
	int s, one = 1;

	s = socket(rr.af, rr.udp ? SOCK_DGRAM : SOCK_STREAM, 0);
	if (s >= 0)	/* Bounds connect() */
		setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (s < 0 || connect(s, (struct sockaddr *)&rr.addr, rr.addr_len)) {
		perror("connect");
		return 1;
	}
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	memset(rr.buf, 'r', rr.msg_len);
	start = bench_now();
	end = start + (uint64_t)rr.secs * 1000000000ULL;
	for (t = start; t < end && rr.cnt < RR_SAMPLES_MAX; ) {
		int rc = rr_exchange(s);

		if (rc < 0) {
			fprintf(stderr, "exchange failed after %zu\n", rr.cnt);
			rr_report();
			return 1;
		}
		rr.lost += (unsigned long)rc;
		if (!rc)
			rr.ns[rr.cnt++] = bench_now() - t;
		t = bench_now();
	}
	close(s);
	return rr_report();
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 on success, 1 on failure, 2 on usage error
 */
int main(int argc, char **argv)
{
	rr_opts(argc, argv);
	if (rr.server)
		return rr_serve();
	return rr_client();
}
