// SPDX-License-Identifier: GPL-2.0-or-later
/* splice_peer.c - Test peers for the pasta splice path: echo, concurrency,
 * half-close and reset
 *
 * Usage: splice_peer MODE ADDR PORT [ARGS]
 *   echo ADDR PORT		epoll echo server, many connections, forever;
 *				echoes until EOF, then closes
 *   conc ADDR PORT N BYTES	N concurrent connections, each sends BYTES
 *				(pattern), shuts down writing, checks the echo
 *   short ADDR PORT N		N connections one after the other, 16 bytes
 *				each way
 *   churn ADDR PORT N PAR BYTES [RST]	N connections, PAR in flight at
 *				once, a new one opened as soon as one ends:
 *				each sends 1 to BYTES bytes of a pattern
 *				seeded by its number, shuts down writing,
 *				checks the echo byte by byte, closes. With
 *				RST, every RST-th connection is reset once
 *				it has sent something, and not checked
 *   hold ADDR PORT N FILE	N connections, each echoes "hold"; print
 *				"held", keep them open until FILE exists
 *   half-server ADDR PORT	one connection: read to EOF, reply
 *				"got N bytes", close
 *   half-client ADDR PORT BYTES	send BYTES, shut down writing, expect
 *				the reply "got BYTES bytes"
 *   peer-server ADDR PORT	one connection: print the peer's address,
 *				close
 *   rst-server ADDR PORT	one connection: read "hello", reset it
 *   rst-client ADDR PORT	send "hello", expect ECONNRESET
 *   abort-server ADDR PORT	one connection: read "hello", write "ready",
 *				expect ECONNRESET
 *   abort-client ADDR PORT	send "hello", read "ready", reset
 *   late-banner ADDR PORT FILE	fill the accept queue (backlog 0) with a
 *				connection of our own, print "full", wait
 *				for FILE to exist, drop that connection,
 *				then accept one and send it "banner" at
 *				once, close: its SYN, dropped meanwhile,
 *				gets through when the client resends it
 *
 * Exit status 0 when the expectation held, 1 otherwise, 2 on usage errors.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#define PEER_CONN_MAX		4096	/* Connections at once, both roles */
#define PEER_BUF_SIZE		16384	/* Per-connection buffer, bytes */
#define PEER_TIMEOUT_S		120	/* Overall limit for clients */
#define PEER_IO_TIMEOUT_S	20	/* Blocking socket operations */

/**
 * struct peer_conn - One connection of the echo server or concurrent client
 * @fd:		Socket, -1 if the slot is free
 * @len:	Echo server: bytes in @buf; client: bytes sent
 * @off:	Echo server: bytes of @buf written; client: bytes received
 * @done:	Client: echo complete and correct
 * @serial:	Client: connection number, seeds the pattern
 * @buf:	Echo server: data read, not yet written back
 */
struct peer_conn {
	int fd;
	size_t len;
	size_t off;
	bool done;
	unsigned serial;
	char buf[PEER_BUF_SIZE];
};

/**
 * struct peer_state - File-scope state
 * @sa:		Address to listen on or connect to
 * @sl:		Length of @sa
 * @conns:	Connection slots
 * @ep:		epoll instance
 */
static struct peer_state {
	struct sockaddr_storage sa;
	socklen_t sl;
	struct peer_conn conns[PEER_CONN_MAX];
	int ep;
} peer;

/**
 * peer_addr() - Parse address and port into peer.sa
 * @addr:	IPv4 or IPv6 address
 * @port:	Port, decimal
 *
 * Return: 0 on success, -1 on failure
 */
static int peer_addr(const char *addr, const char *port)
{
	struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)&peer.sa;
	struct sockaddr_in *sa4 = (struct sockaddr_in *)&peer.sa;
	uint16_t p = (uint16_t)atoi(port);

	memset(&peer.sa, 0, sizeof(peer.sa));
	if (inet_pton(AF_INET, addr, &sa4->sin_addr) == 1) {
		sa4->sin_family = AF_INET;
		sa4->sin_port = htons(p);
		peer.sl = sizeof(*sa4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sa6->sin6_addr) == 1) {
		sa6->sin6_family = AF_INET6;
		sa6->sin6_port = htons(p);
		peer.sl = sizeof(*sa6);
		return 0;
	}
	return -1;
}

/**
 * peer_pattern() - Byte of the test pattern
 * @conn:	Connection number
 * @off:	Offset in the stream
 *
 * Return: byte
 */
static uint8_t peer_pattern(unsigned conn, size_t off)
{
	return (uint8_t)(off * 31 + conn * 7 + (off >> 9));
}

/**
 * peer_listen() - Listening socket on peer.sa
 *
 * Return: socket, exits on failure
 */
static int peer_listen(void)
{
	int one = 1;
	int s;

	s = socket(peer.sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0 ||
	    setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&peer.sa, peer.sl) || listen(s, 1024)) {
		perror("listen");
		exit(1);
	}
	return s;
}

/**
 * peer_timeouts() - Bound blocking reads and writes on a socket
 * @s:		Socket
 */
static void peer_timeouts(int s)
{
	struct timeval tv = { .tv_sec = PEER_IO_TIMEOUT_S };

	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

/**
 * peer_accept_one() - Listen, accept one connection, close the listener
 *
 * Return: connected socket with I/O time-outs, exits on failure
 */
static int peer_accept_one(void)
{
	int l = peer_listen();
	int s = accept(l, NULL, NULL);

	if (s < 0) {
		perror("accept");
		exit(1);
	}
	close(l);
	peer_timeouts(s);
	return s;
}

/**
 * peer_connect() - Blocking connection to peer.sa
 *
 * Return: connected socket with I/O time-outs, -1 on failure
 */
static int peer_connect(void)
{
	int s = socket(peer.sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return -1;
	peer_timeouts(s);
	if (connect(s, (struct sockaddr *)&peer.sa, peer.sl)) {
		close(s);
		return -1;
	}
	return s;
}

/**
 * peer_read_all() - Read until EOF, error or a full buffer
 * @s:		Socket
 * @buf:	Buffer
 * @size:	Its size, bytes
 * @total:	Bytes read (output)
 *
 * Return: 0 at EOF, -1 with errno set on error
 */
static int peer_read_all(int s, char *buf, size_t size, size_t *total)
{
	ssize_t n;

	*total = 0;
	while ((n = read(s, buf + *total, size - *total)) > 0) {
		*total += (size_t)n;
		if (*total == size)
			return 0;
	}
	return n < 0 ? -1 : 0;
}

/**
 * peer_write_all() - Write a whole buffer on a blocking socket
 * @s:		Socket
 * @buf:	Data
 * @len:	Bytes
 *
 * Return: 0 on success, -1 on failure
 */
static int peer_write_all(int s, const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = send(s, buf, len, MSG_NOSIGNAL);
		if (n <= 0)
			return -1;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/**
 * peer_reset() - Close a socket with a RST
 * @s:		Socket
 */
static void peer_reset(int s)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(s);
}

/**
 * peer_slot() - Free connection slot
 *
 * Return: slot index, -1 if none
 */
static int peer_slot(void)
{
	int i;

	for (i = 0; i < PEER_CONN_MAX; i++) {
		if (peer.conns[i].fd < 0)
			return i;
	}
	return -1;
}

/**
 * peer_epoll() - Add or change a connection's epoll registration
 * @op:		EPOLL_CTL_ADD or EPOLL_CTL_MOD
 * @i:		Slot index
 * @events:	EPOLL* events
 */
static void peer_epoll(int op, int i, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u32 = (uint32_t)i };

	if (epoll_ctl(peer.ep, op, peer.conns[i].fd, &ev))
		perror("epoll_ctl");
}

/**
 * peer_slot_free() - Close a connection and free its slot
 * @i:		Slot index
 */
static void peer_slot_free(int i)
{
	close(peer.conns[i].fd);
	peer.conns[i].fd = -1;
}

/**
 * peer_echo_accept() - Accept all pending connections
 * @l:		Listening socket
 */
static void peer_echo_accept(int l)
{
	int s, i;

	while ((s = accept4(l, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
		i = peer_slot();
		if (i < 0) {
			close(s);
			continue;
		}
		peer.conns[i].fd = s;
		peer.conns[i].len = peer.conns[i].off = 0;
		peer_epoll(EPOLL_CTL_ADD, i, EPOLLIN);
	}
}

/**
 * peer_echo_event() - Read, or write back what was read, for one connection
 * @i:		Slot index
 */
static void peer_echo_event(int i)
{
	struct peer_conn *pc = &peer.conns[i];
	ssize_t n;

	if (!pc->len) {
		n = read(pc->fd, pc->buf, sizeof(pc->buf));
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			if (!n)
				shutdown(pc->fd, SHUT_WR);
			peer_slot_free(i);
			return;
		}
		pc->len = (size_t)n;
		pc->off = 0;
	}
	n = send(pc->fd, pc->buf + pc->off, pc->len - pc->off, MSG_NOSIGNAL);
	if (n < 0 && errno != EAGAIN) {
		peer_slot_free(i);
		return;
	}
	if (n > 0)
		pc->off += (size_t)n;
	if (pc->off == pc->len) {
		pc->len = 0;
		peer_epoll(EPOLL_CTL_MOD, i, EPOLLIN);
	} else {
		peer_epoll(EPOLL_CTL_MOD, i, EPOLLOUT);
	}
}

/**
 * peer_echo() - Echo server, forever
 *
 * Return: doesn't return unless set-up fails
 */
static int peer_echo(void)
{
	struct epoll_event evs[256], ev = { .events = EPOLLIN };
	int l = peer_listen(), n, i;

	ev.data.u32 = UINT32_MAX;
	if (fcntl(l, F_SETFL, O_NONBLOCK) ||
	    epoll_ctl(peer.ep, EPOLL_CTL_ADD, l, &ev))
		return 1;
	for (;;) {
		n = epoll_wait(peer.ep, evs, 256, -1);
		for (i = 0; i < n; i++) {
			if (evs[i].data.u32 == UINT32_MAX)
				peer_echo_accept(l);
			else
				peer_echo_event((int)evs[i].data.u32);
		}
	}
}

/**
 * peer_conc_send() - Concurrent client: send more of the pattern
 * @i:		Connection index
 * @bytes:	Bytes to send in total
 *
 * Return: 0 on success or EAGAIN, -1 on failure
 */
static int peer_conc_send(int i, size_t bytes)
{
	struct peer_conn *pc = &peer.conns[i];
	size_t len = bytes - pc->len, k;
	ssize_t n;

	if (len > sizeof(pc->buf))
		len = sizeof(pc->buf);
	for (k = 0; k < len; k++)
		pc->buf[k] = (char)peer_pattern(pc->serial, pc->len + k);
	n = send(pc->fd, pc->buf, len, MSG_NOSIGNAL);
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	pc->len += (size_t)n;
	if (pc->len == bytes) {
		shutdown(pc->fd, SHUT_WR);
		peer_epoll(EPOLL_CTL_MOD, i, EPOLLIN);
	}
	return 0;
}

/**
 * peer_conc_recv() - Concurrent client: read and check the echo
 * @i:		Connection index
 * @bytes:	Bytes expected in total
 *
 * Return: 0 on success or EAGAIN, 1 when complete and correct, -1 on error
 */
static int peer_conc_recv(int i, size_t bytes)
{
	struct peer_conn *pc = &peer.conns[i];
	char buf[PEER_BUF_SIZE];
	ssize_t n, k;

	n = read(pc->fd, buf, sizeof(buf));
	if (n < 0)
		return errno == EAGAIN ? 0 : -1;
	if (!n)
		return pc->off == bytes && pc->len == bytes ? 1 : -1;
	for (k = 0; k < n; k++) {
		if ((uint8_t)buf[k] != peer_pattern(pc->serial, pc->off + k))
			return -1;
	}
	pc->off += (size_t)n;
	return pc->off > bytes ? -1 : 0;
}

/**
 * peer_conc_event() - Concurrent client: one epoll event
 * @ev:		Event
 * @bytes:	Bytes per connection
 *
 * Return: 1 if the connection completed (correctly or not), else 0
 */
static int peer_conc_event(const struct epoll_event *ev, size_t bytes)
{
	int i = (int)ev->data.u32, ret = 0;
	struct peer_conn *pc = &peer.conns[i];

	if ((ev->events & EPOLLOUT) && pc->len < bytes)
		ret = peer_conc_send(i, bytes);
	if (!ret && (ev->events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		ret = peer_conc_recv(i, bytes);
	if (!ret)
		return 0;
	if (ret < 0)
		fprintf(stderr, "connection %i failed: %s (sent %zu, got %zu)\n",
			i, strerror(errno), pc->len, pc->off);
	pc->done = ret > 0;
	peer_slot_free(i);
	return 1;
}

/**
 * peer_conc_start() - Start one non-blocking client connection in a slot
 * @i:		Free slot
 * @serial:	Connection number, seeds its pattern
 *
 * Return: 0 on success, -1 on failure
 */
static int peer_conc_start(int i, unsigned serial)
{
	struct peer_conn *pc = &peer.conns[i];
	int s;

	s = socket(peer.sa.ss_family,
		   SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	if (connect(s, (struct sockaddr *)&peer.sa, peer.sl) &&
	    errno != EINPROGRESS) {
		close(s);
		return -1;
	}
	pc->fd = s;
	pc->len = pc->off = 0;
	pc->done = false;
	pc->serial = serial;
	peer_epoll(EPOLL_CTL_ADD, i, EPOLLIN | EPOLLOUT);
	return 0;
}

/**
 * peer_conc_open() - Concurrent client: start N non-blocking connections
 * @n:		Connections
 *
 * Return: 0 on success, -1 on failure
 */
static int peer_conc_open(unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		if (peer_conc_start((int)i, i))
			return -1;
	}
	return 0;
}

/**
 * peer_conc() - N concurrent connections echo BYTES each
 * @n:		Connections
 * @bytes:	Bytes per connection
 *
 * Return: 0 if all echoes completed and matched, 1 otherwise
 */
static int peer_conc(unsigned n, size_t bytes)
{
	time_t deadline = time(NULL) + PEER_TIMEOUT_S;
	struct epoll_event evs[256];
	unsigned left = n, ok = 0, i;
	int k, ne;

	if (n > PEER_CONN_MAX || peer_conc_open(n)) {
		perror("conc: connect");
		return 1;
	}
	while (left && time(NULL) < deadline) {
		ne = epoll_wait(peer.ep, evs, 256, 1000);
		for (k = 0; k < ne; k++)
			left -= (unsigned)peer_conc_event(&evs[k], bytes);
	}
	for (i = 0; i < n; i++)
		ok += peer.conns[i].done;
	printf("conc: %u/%u connections echoed %zu bytes\n", ok, n, bytes);
	return ok == n ? 0 : 1;
}

/**
 * peer_churn_bytes() - Churn client: bytes a connection sends
 * @serial:	Connection number
 * @max:	Most bytes per connection
 *
 * Return: 1 to @max bytes, varying with @serial
 */
static size_t peer_churn_bytes(unsigned serial, size_t max)
{
	return 1 + (size_t)((serial * 2654435761U) >> 8) % max;
}

/**
 * struct peer_churn_run - Churn client: parameters and tallies
 * @n:		Connections in total
 * @par:	Connections in flight at once
 * @max:	Most bytes per connection
 * @rst:	Every @rst-th connection is reset on purpose, 0 for none
 * @ended:	Connections ended so far
 * @ok:		Connections echoed correctly
 * @reset:	Connections reset on purpose
 */
struct peer_churn_run {
	unsigned n;
	unsigned par;
	size_t max;
	unsigned rst;
	unsigned ended;
	unsigned ok;
	unsigned reset;
};

/**
 * peer_churn_one() - Churn client: one event for one live connection
 * @r:		Run
 * @ev:		Event
 */
static void peer_churn_one(struct peer_churn_run *r,
			   const struct epoll_event *ev)
{
	int i = (int)ev->data.u32;
	struct peer_conn *pc = &peer.conns[i];
	unsigned serial = pc->serial;

	if (peer_conc_event(ev, peer_churn_bytes(serial, r->max))) {
		r->ended++;
		r->ok += pc->done;
		return;
	}
	if (r->rst && serial % r->rst == r->rst - 1 && pc->len) {
		peer_reset(pc->fd);
		pc->fd = -1;
		r->ended++;
		r->reset++;
	}
}

/**
 * peer_churn_batch() - Churn client: handle one batch of epoll events
 * @r:		Run
 * @evs:	Events
 * @ne:		Number of events
 *
 * Slots are freed here but reused only after the batch, so that no later
 * event of the batch, queued for a closed socket, reaches a new connection.
 */
static void peer_churn_batch(struct peer_churn_run *r,
			     const struct epoll_event *evs, int ne)
{
	int k;

	for (k = 0; k < ne; k++) {
		if (peer.conns[evs[k].data.u32].fd < 0)	/* Ended already */
			continue;
		peer_churn_one(r, &evs[k]);
	}
}

/**
 * peer_churn() - N connections, PAR at a time, each echoes a pattern
 * @r:		Run: @n, @par, @max and @rst set, tallies zero
 *
 * Return: 0 if every connection not reset on purpose echoed correctly, 1
 *	   otherwise, 2 for bad arguments
 */
static int peer_churn(struct peer_churn_run *r)
{
	time_t deadline = time(NULL) + PEER_TIMEOUT_S;
	struct epoll_event evs[256];
	unsigned started = 0;
	int ne;

	if (!r->par || r->par > PEER_CONN_MAX || !r->max) {
		fprintf(stderr, "churn: bad arguments\n");
		return 2;
	}
	while (r->ended < r->n && time(NULL) < deadline) {
		while (started < r->n && started - r->ended < r->par) {
			if (peer_conc_start(peer_slot(), started)) {
				perror("churn: connect");
				return 1;
			}
			started++;
		}
		ne = epoll_wait(peer.ep, evs, 256, 1000);
		peer_churn_batch(r, evs, ne);
	}
	printf("churn: %u/%u connections echoed, %u reset (%u at a time, "
	       "1 to %zu bytes)\n", r->ok, r->n - r->reset, r->reset, r->par,
	       r->max);
	return r->ended == r->n && r->ok == r->n - r->reset ? 0 : 1;
}

/**
 * peer_hold() - N connections that echo "hold", kept open until FILE exists
 * @n:		Connections
 * @file:	Path whose existence ends the wait
 *
 * Return: 0 if all echoed and FILE appeared in time, 1 otherwise
 */
static int peer_hold(unsigned n, const char *file)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	size_t got = 0;
	char buf[4];
	unsigned i;
	int s, w;

	for (i = 0; i < n && i < PEER_CONN_MAX; i++) {
		s = peer_connect();
		if (s < 0 || peer_write_all(s, "hold", 4))
			got = 0;
		else if (peer_read_all(s, buf, 4, &got))
			got = 0;
		if (got != 4 || memcmp(buf, "hold", 4)) {
			fprintf(stderr, "hold: connection %u failed\n", i);
			return 1;
		}
		peer.conns[i].fd = s;
	}
	printf("held %u\n", n);
	for (w = 0; access(file, F_OK); w++) {
		if (w >= PEER_TIMEOUT_S * 100)
			return 1;
		nanosleep(&tick, NULL);
	}
	return 0;
}

/**
 * peer_short_one() - One short connection: 16 bytes each way
 * @i:		Connection number, in the payload
 *
 * Return: 0 on success, -1 on failure
 */
static int peer_short_one(unsigned i)
{
	char out[17], in[32] = { 0 };
	size_t got = 0;
	int s, ret;

	snprintf(out, sizeof(out), "short %10u", i);
	s = peer_connect();
	if (s < 0)
		return -1;
	ret = peer_write_all(s, out, 16);
	if (!ret)
		ret = shutdown(s, SHUT_WR);
	if (!ret)
		ret = peer_read_all(s, in, sizeof(in), &got);
	close(s);
	if (ret || got != 16 || memcmp(in, out, 16))
		return -1;
	return 0;
}

/**
 * peer_short() - N short connections, one after the other
 * @n:		Connections
 *
 * Return: 0 if all succeeded, 1 otherwise
 */
static int peer_short(unsigned n)
{
	unsigned i, ok = 0;

	for (i = 0; i < n; i++) {
		if (!peer_short_one(i))
			ok++;
		else
			fprintf(stderr, "short connection %u failed: %s\n", i,
				strerror(errno));
	}
	printf("short: %u/%u connections ok\n", ok, n);
	return ok == n ? 0 : 1;
}

/**
 * peer_half_server() - Read to EOF, then reply with the count, close
 *
 * Return: 0 on success, 1 on failure
 */
static int peer_half_server(void)
{
	int s = peer_accept_one();
	char buf[65536], reply[64];
	size_t total = 0;
	ssize_t n;

	while ((n = read(s, buf, sizeof(buf))) > 0)
		total += (size_t)n;
	if (n < 0) {
		perror("half-server: read");
		return 1;
	}
	snprintf(reply, sizeof(reply), "got %zu bytes", total);
	if (peer_write_all(s, reply, strlen(reply)))
		return 1;
	close(s);
	printf("half-server: %s, replied after EOF\n", reply);
	return 0;
}

/**
 * peer_half_client() - Send, shut down writing, expect the count back
 * @bytes:	Bytes to send
 *
 * Return: 0 if the reply arrived after our FIN, 1 otherwise
 */
static int peer_half_client(size_t bytes)
{
	char buf[65536] = { 0 }, reply[64], want[64];
	int s = peer_connect();
	size_t got, len;

	if (s < 0) {
		perror("half-client: connect");
		return 1;
	}
	snprintf(want, sizeof(want), "got %zu bytes", bytes);
	for (; bytes; bytes -= len) {
		len = bytes < sizeof(buf) ? bytes : sizeof(buf);
		if (peer_write_all(s, buf, len))
			return 1;
	}
	if (shutdown(s, SHUT_WR) ||
	    peer_read_all(s, reply, sizeof(reply) - 1, &got)) {
		perror("half-client: shutdown/read");
		return 1;
	}
	reply[got] = 0;
	close(s);
	printf("half-client: reply '%s'\n", reply);
	return strcmp(reply, want) ? 1 : 0;
}

/**
 * peer_peer_server() - Accept one connection, print the peer's address
 *
 * Return: 0 on success, 1 on failure
 */
static int peer_peer_server(void)
{
	struct sockaddr_storage sa;
	socklen_t sl = sizeof(sa);
	char buf[INET6_ADDRSTRLEN];
	const void *addr;
	int s;

	s = peer_accept_one();
	if (getpeername(s, (struct sockaddr *)&sa, &sl))
		return 1;
	if (sa.ss_family == AF_INET)
		addr = &((struct sockaddr_in *)&sa)->sin_addr;
	else
		addr = &((struct sockaddr_in6 *)&sa)->sin6_addr;
	if (!inet_ntop(sa.ss_family, addr, buf, sizeof(buf)))
		return 1;
	printf("peer %s\n", buf);
	close(s);
	return 0;
}

/**
 * peer_expect_reset() - Read until something happens: expect ECONNRESET
 * @s:		Socket
 * @who:	Name for messages
 *
 * Return: 0 if the read failed with ECONNRESET, 1 otherwise
 */
static int peer_expect_reset(int s, const char *who)
{
	char buf[256];
	ssize_t n;

	while ((n = read(s, buf, sizeof(buf))) > 0)
		;
	if (n < 0 && errno == ECONNRESET) {
		printf("%s: connection reset, as expected\n", who);
		return 0;
	}
	printf("%s: expected a reset, got %s\n", who,
	       n ? strerror(errno) : "EOF");
	return 1;
}

/**
 * peer_rst() - Reset tests, both roles
 * @mode:	rst-server, rst-client, abort-server or abort-client
 *
 * Return: 0 if the expectation held, 1 otherwise, 2 for an unknown mode
 */
static int peer_rst(const char *mode)
{
	bool server = strstr(mode, "server");
	char buf[8] = { 0 };
	size_t got;
	int s;

	s = server ? peer_accept_one() : peer_connect();
	if (s < 0) {
		perror(mode);
		return 1;
	}
	if (server && (peer_read_all(s, buf, 5, &got) || got != 5))
		return 1;
	if (!server && peer_write_all(s, "hello", 5)) {
		/* Reset before we could even write: fine for rst-client */
		if (!strcmp(mode, "rst-client") &&
		    (errno == ECONNRESET || errno == EPIPE)) {
			printf("%s: reset while writing, as expected\n", mode);
			return 0;
		}
		return 1;
	}

	if (!strcmp(mode, "rst-server")) {
		peer_reset(s);
		return 0;
	}
	if (!strcmp(mode, "rst-client"))
		return peer_expect_reset(s, mode);
	if (!strcmp(mode, "abort-server")) {
		if (peer_write_all(s, "ready", 5))
			return 1;
		return peer_expect_reset(s, mode);
	}
	if (!strcmp(mode, "abort-client")) {
		if (peer_read_all(s, buf, 5, &got) || got != 5)
			return 1;
		peer_reset(s);
		return 0;
	}
	return 2;
}

/**
 * peer_late_banner() - Hold connections back with a full accept queue
 * @file:	Path whose existence releases the queue
 *
 * Return: 0 once the banner was sent, 1 on failure or time-out
 */
static int peer_late_banner(const char *file)
{
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int l, filler, s, i;

	l = socket(peer.sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (l < 0 || bind(l, (struct sockaddr *)&peer.sa, peer.sl) ||
	    listen(l, 0) || (filler = peer_connect()) < 0)
		return 1;
	printf("full\n");
	for (i = 0; access(file, F_OK); i++) {
		if (i >= PEER_TIMEOUT_S * 100)
			return 1;
		nanosleep(&tick, NULL);
	}
	s = accept(l, NULL, NULL);	/* Our own filler */
	if (s < 0)
		return 1;
	close(s);
	close(filler);
	s = accept(l, NULL, NULL);	/* The client, once it resends */
	if (s < 0 || peer_write_all(s, "banner\n", strlen("banner\n")))
		return 1;
	close(s);
	return 0;
}

/**
 * main() - Dispatch on the mode
 * @argc:	Argument count
 * @argv:	MODE ADDR PORT [ARGS]
 *
 * Return: 0 on success, 1 on failure, 2 on usage errors
 */
int main(int argc, char **argv)
{
	int i;

	if (argc < 4 || peer_addr(argv[2], argv[3])) {
		fprintf(stderr, "Usage: %s MODE ADDR PORT [ARGS]\n", argv[0]);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < PEER_CONN_MAX; i++)
		peer.conns[i].fd = -1;
	peer.ep = epoll_create1(EPOLL_CLOEXEC);

	if (!strcmp(argv[1], "echo"))
		return peer_echo();
	if (!strcmp(argv[1], "conc") && argc == 6)
		return peer_conc((unsigned)atoi(argv[4]),
				 (size_t)atol(argv[5]));
	if (!strcmp(argv[1], "short") && argc == 5)
		return peer_short((unsigned)atoi(argv[4]));
	if (!strcmp(argv[1], "churn") && (argc == 7 || argc == 8)) {
		struct peer_churn_run r = {
			.n = (unsigned)atoi(argv[4]),
			.par = (unsigned)atoi(argv[5]),
			.max = (size_t)atol(argv[6]),
			.rst = argc == 8 ? (unsigned)atoi(argv[7]) : 0,
		};

		return peer_churn(&r);
	}
	if (!strcmp(argv[1], "hold") && argc == 6)
		return peer_hold((unsigned)atoi(argv[4]), argv[5]);
	if (!strcmp(argv[1], "peer-server"))
		return peer_peer_server();
	if (!strcmp(argv[1], "half-server"))
		return peer_half_server();
	if (!strcmp(argv[1], "half-client") && argc == 5)
		return peer_half_client((size_t)atol(argv[4]));
	if (!strcmp(argv[1], "late-banner") && argc == 5)
		return peer_late_banner(argv[4]);
	if (!strncmp(argv[1], "rst-", 4) || !strncmp(argv[1], "abort-", 6))
		return peer_rst(argv[1]);
	fprintf(stderr, "Unknown mode %s\n", argv[1]);
	return 2;
}
