// SPDX-License-Identifier: GPL-2.0-or-later
/* bench_crr.c - TCP connection rate tool (connect, request, response, close)
 *
 * Theory of Operation
 *
 * Server mode (-s) accepts connections one at a time; for each it waits for
 * a one-byte request, answers with one byte and closes. The server closes
 * first, so TIME_WAIT sockets pile up on the server side and the client
 * (and any translator in between, whose host-side socket is the client)
 * does not run out of local ports. It runs until killed.
 *
 * Client mode loops for -t seconds: socket(), connect(), send one byte,
 * receive one byte, wait for the server's end of file, close(). Every step
 * has a one-second time-out; a connection that fails counts as failed and
 * the loop goes on, but ten failures in a row end the run. It prints one
 * line:
 *
 *	conn_per_s=<completed connections per second> n=<completed>
 *	failed=<failed>
 *
 * and exits 0 if at least one connection completed.
 */

#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

#define CRR_WAIT_MS		1000	/* Time-out for each step, ms */
#define CRR_FAIL_MAX		10	/* Consecutive failures ending a run */
#define CRR_BACKLOG		128	/* Server listen() backlog */

/**
 * struct crr_state - Options and counters of one run
 * @server:	Run as server
 * @addr:	Server address (client) or bind address (server)
 * @addr_len:	Length of @addr, bytes
 * @secs:	Client run time, seconds
 * @done:	Connections completed
 * @failed:	Connections failed
 */
static struct crr_state {
	bool server;
	struct sockaddr_storage addr;
	socklen_t addr_len;
	unsigned secs;
	unsigned long done;
	unsigned long failed;
} crr;

/**
 * crr_usage() - Print usage and exit
 * @name:	Program name
 */
static void crr_usage(const char *name)
{
	fprintf(stderr,
		"Usage: %s [-s] [-t SECS] ADDR PORT\n"
		"  -s  server bound to ADDR PORT (runs until killed)\n"
		"  -t  client run time in seconds (default 5)\n", name);
	exit(2);
}

/**
 * crr_opts() - Parse the command line into crr
 * @argc:	Argument count
 * @argv:	Arguments
 */
static void crr_opts(int argc, char **argv)
{
	int o;

	crr.secs = 5;
	while ((o = getopt(argc, argv, "st:")) != -1) {
		switch (o) {
		case 's':
			crr.server = true;
			break;
		case 't':
			crr.secs = bench_num(optarg, 3600);
			break;
		default:
			crr_usage(argv[0]);
		}
	}
	if (argc - optind != 2)
		crr_usage(argv[0]);
	if (bench_addr_parse(argv[optind], bench_num(argv[optind + 1], 65535),
			     &crr.addr, &crr.addr_len) < 0)
		crr_usage(argv[0]);
}

/**
 * crr_wait() - Wait for an event on a socket
 * @s:		Socket
 * @events:	poll() events to wait for
 *
 * Return: true if an event came within CRR_WAIT_MS
 */
static bool crr_wait(int s, short events)
{
	struct pollfd pfd = { .fd = s, .events = events };

	return poll(&pfd, 1, CRR_WAIT_MS) == 1;
}

/**
 * crr_serve() - Accept, answer one byte and close, until killed
 *
 * Return: 1 on set-up failure (never returns otherwise)
 */
static int crr_serve(void)
{
	int s, one = 1;

	s = socket(crr.addr.ss_family, SOCK_STREAM, 0);
	if (s < 0)
		return 1;
	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(s, (struct sockaddr *)&crr.addr, crr.addr_len) ||
	    listen(s, CRR_BACKLOG)) {
		perror("bind/listen");
		return 1;
	}
	for (;;) {
		int c = accept(s, NULL, NULL);
		char b;

		if (c < 0)
			continue;
		if (crr_wait(c, POLLIN) && recv(c, &b, 1, 0) == 1)
			send(c, &b, 1, MSG_NOSIGNAL);
		close(c);
	}
}

/**
 * crr_connect() - Connect a non-blocking socket with a time-out
 * @s:		Socket, non-blocking
 *
 * Return: 0 once connected, -1 on error or time-out
 */
static int crr_connect(int s)
{
	socklen_t sl = sizeof(int);
	int err = 0;

	if (!connect(s, (struct sockaddr *)&crr.addr, crr.addr_len))
		return 0;
	if (errno != EINPROGRESS || !crr_wait(s, POLLOUT))
		return -1;
	if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &sl) || err)
		return -1;
	return 0;
}

/**
 * crr_one() - Run one connection: connect, request, response, end of file
 *
 * Return: 0 on success, -1 on failure
 */
static int crr_one(void)
{
	int s, rc = -1;
	char b = 'c';

	s = socket(crr.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -1;
	if (crr_connect(s) || send(s, &b, 1, MSG_NOSIGNAL) != 1)
		goto out;
	if (!crr_wait(s, POLLIN) || recv(s, &b, 1, 0) != 1)
		goto out;
	if (crr_wait(s, POLLIN) && recv(s, &b, 1, 0) == 0)
		rc = 0;
out:
	close(s);
	return rc;
}

/**
 * crr_client() - Run connections back to back for crr.secs seconds
 *
 * Return: exit status: 0 if any connection completed, 1 otherwise
 */
static int crr_client(void)
{
	uint64_t start, end, now;
	unsigned row = 0;

	start = bench_now();
	end = start + (uint64_t)crr.secs * 1000000000ULL;
	for (now = start; now < end && row < CRR_FAIL_MAX; now = bench_now()) {
		if (crr_one()) {
			crr.failed++;
			row++;
		} else {
			crr.done++;
			row = 0;
		}
	}
	if (!crr.done || now == start) {
		printf("conn_per_s=n/a n=0 failed=%lu\n", crr.failed);
		return 1;
	}
	printf("conn_per_s=%.0f n=%lu failed=%lu\n",
	       (double)crr.done / ((double)(now - start) / 1e9), crr.done,
	       crr.failed);
	return row < CRR_FAIL_MAX ? 0 : 1;
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
	crr_opts(argc, argv);
	if (crr.server)
		return crr_serve();
	return crr_client();
}
