// SPDX-License-Identifier: GPL-2.0-or-later
/* load_peer.c - Load and fault peers: many TCP connections held at once,
 * floods of new TCP, UDP and ICMP echo flows, fast open-and-close churn
 *
 * Usage: load_peer MODE ARGS
 *   server ADDR PORT		TCP echo server, epoll, forever. Each
 *				connection starts with an 8-byte header (the
 *				connection's number, the payload's length,
 *				both 32-bit little-endian) and its payload
 *				follows the pattern of load_pattern(); the
 *				server checks every byte, echoes all of it,
 *				and closes at the client's EOF. Each time
 *				the last open connection closes it prints
 *				"peak P good G bad B" (open at once at most,
 *				connections checked whole, connections with
 *				a wrong byte or cut short).
 *   hold ADDR PORT N BYTES	open N connections (at most LOAD_INFLIGHT
 *				connects pending), and only once all N are
 *				established send BYTES bytes (header and
 *				pattern) on each, check every echo, then
 *				close them all: N connections open at once.
 *				Prints "held N echoed E".
 *   flood ADDR PORT N		start N connects at once, wait for each to
 *				be established or refused; established
 *				ones send 64 bytes each and check the echo.
 *				Prints "connected C refused R failed F".
 *				Exit 0 if none failed (refused is fine).
 *   churn ADDR PORT N PAR BYTES	N connections, PAR at a time, each opened,
 *				sending 1 to BYTES bytes (varies), shut for
 *				writing, checked echo to EOF, closed; the
 *				next opens at once. Prints "done D of N".
 *   uflood ADDR PORT N		N UDP sockets (N source ports), one 64-byte
 *				datagram each to an echo server, replies
 *				collected for LOAD_WAIT_S seconds and
 *				checked. Prints "sent N replies R bad B".
 *   uchurn ADDR PORT N PAR	N UDP sockets, PAR at a time: each sends a
 *				datagram (resent after a second, up to
 *				LOAD_UDP_TRIES times), checks the echo,
 *				closes; the next opens at once. Prints
 *				"done D of N bad B".
 *   pflood ADDR N		N ping sockets (N echo identifiers), one echo
 *				request each, replies collected for
 *				LOAD_WAIT_S seconds and checked. Prints
 *				"sent N replies R bad B".
 *
 * N is LOAD_CONN_MAX at most, but for churn and uchurn (PAR at a time is
 * LOAD_EVENTS at most). ADDR is IPv4 or IPv6. Every mode gives up after LOAD_TIMEOUT_S seconds.
 * Exit status 0 when everything sent came back intact (uflood and pflood:
 * every reply received was intact), 1 otherwise, 2 on usage errors.
 */

#include <errno.h>
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
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <arpa/inet.h>

#define LOAD_CONN_MAX		16384	/* Connections or sockets at once */
#define LOAD_INFLIGHT		256	/* Pending connects at most (hold) */
#define LOAD_HDR		8	/* Connection number, payload length */
#define LOAD_BYTES_MAX		65536	/* Payload per connection at most */
#define LOAD_BUF		4096	/* Per-read buffer */
#define LOAD_DGRAM		64	/* UDP and ICMP payload, bytes */
#define LOAD_TIMEOUT_S		120	/* Overall limit */
#define LOAD_WAIT_S		3	/* Replies to floods collected this long */
#define LOAD_UDP_TRIES		5	/* uchurn: sends per socket at most */
#define LOAD_EVENTS		256	/* epoll_wait() batch */

/**
 * struct load_conn - One connection or socket
 * @fd:		Socket, -1 if the slot is free
 * @id:		Connection number (pattern seed)
 * @len:	Payload length, bytes, without header
 * @sent:	Bytes sent, header included
 * @got:	Bytes received (client: echo; server: stream), header included
 * @state:	Client: 0 connecting, 1 established, 2 done; server: unused
 * @tries:	uchurn: datagrams sent; TCP client: shut for writing
 * @bad:	A wrong byte was seen
 * @t:		uchurn: time of the last send, seconds
 * @hdr:	Server: header bytes as received
 * @pend:	Server: bytes received, not yet echoed
 * @npend:	Server: bytes in @pend
 */
struct load_conn {
	int fd;
	uint32_t id;
	uint32_t len;
	size_t sent;
	size_t got;
	int state;
	int tries;
	bool bad;
	time_t t;
	uint8_t hdr[LOAD_HDR];
	uint8_t pend[LOAD_BUF];
	size_t npend;
};

/**
 * struct load_state - File-scope state
 * @sa:		Address to listen on, connect or send to
 * @sl:		Length of @sa
 * @conn:	Slots
 * @ep:		epoll instance
 * @start:	Start time, seconds (CLOCK_MONOTONIC)
 */
static struct load_state {
	struct sockaddr_storage sa;
	socklen_t sl;
	struct load_conn conn[LOAD_CONN_MAX];
	int ep;
	time_t start;
} load;

/**
 * load_now() - Monotonic time
 *
 * Return: seconds
 */
static time_t load_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/**
 * load_expired() - Check the overall time limit
 *
 * Return: true once LOAD_TIMEOUT_S seconds have passed since start
 */
static bool load_expired(void)
{
	return load_now() - load.start > LOAD_TIMEOUT_S;
}

/**
 * load_addr() - Parse address and port into load.sa
 * @addr:	IPv4 or IPv6 address
 * @port:	Port, decimal
 *
 * Return: 0 on success, -1 on failure
 */
static int load_addr(const char *addr, const char *port)
{
	struct sockaddr_in6 *sa6 = (struct sockaddr_in6 *)&load.sa;
	struct sockaddr_in *sa4 = (struct sockaddr_in *)&load.sa;
	uint16_t p = (uint16_t)atoi(port);

	memset(&load.sa, 0, sizeof(load.sa));
	if (inet_pton(AF_INET, addr, &sa4->sin_addr) == 1) {
		sa4->sin_family = AF_INET;
		sa4->sin_port = htons(p);
		load.sl = sizeof(*sa4);
		return 0;
	}
	if (inet_pton(AF_INET6, addr, &sa6->sin6_addr) == 1) {
		sa6->sin6_family = AF_INET6;
		sa6->sin6_port = htons(p);
		load.sl = sizeof(*sa6);
		return 0;
	}
	return -1;
}

/**
 * load_pattern() - Byte of a connection's payload
 * @id:		Connection number
 * @off:	Offset in the payload (after the header)
 *
 * Return: byte, different for each connection at most offsets
 */
static uint8_t load_pattern(uint32_t id, size_t off)
{
	uint32_t x = id * 2654435761U ^ (uint32_t)off * 40503U;

	return (uint8_t)(x >> 11 ^ x >> 3 ^ off);
}

/**
 * load_stream_byte() - Byte of a connection's stream: header, then payload
 * @id:		Connection number
 * @len:	Payload length
 * @off:	Offset in the stream
 *
 * Return: byte
 */
static uint8_t load_stream_byte(uint32_t id, uint32_t len, size_t off)
{
	if (off < 4)
		return (uint8_t)(id >> (8 * off));
	if (off < LOAD_HDR)
		return (uint8_t)(len >> (8 * (off - 4)));
	return load_pattern(id, off - LOAD_HDR);
}

/**
 * load_epoll() - Add, modify or remove a slot's socket in epoll
 * @op:		EPOLL_CTL_ADD, EPOLL_CTL_MOD or EPOLL_CTL_DEL
 * @i:		Slot
 * @events:	Events
 */
static void load_epoll(int op, int i, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.u32 = (uint32_t)i };

	epoll_ctl(load.ep, op, load.conn[i].fd, &ev);
}

/**
 * load_slot_free() - Close a slot's socket and free it
 * @i:		Slot
 */
static void load_slot_free(int i)
{
	close(load.conn[i].fd);
	load.conn[i].fd = -1;
}

/**
 * load_slot() - Find a free slot and reset it
 *
 * Return: slot, -1 if none is free
 */
static int load_slot(void)
{
	int i;

	for (i = 0; i < LOAD_CONN_MAX; i++) {
		if (load.conn[i].fd < 0) {
			memset(&load.conn[i], 0, sizeof(load.conn[i]));
			load.conn[i].fd = -1;
			return i;
		}
	}
	return -1;
}

/* ---- Server ------------------------------------------------------------- */

/**
 * load_srv_check() - Check received bytes against the stream, queue them
 * @lc:		Connection
 * @buf:	Bytes received
 * @n:		Count
 */
static void load_srv_check(struct load_conn *lc, const uint8_t *buf,
			   size_t n)
{
	size_t k;

	for (k = 0; k < n; k++, lc->got++) {
		if (lc->got < LOAD_HDR) {
			lc->hdr[lc->got] = buf[k];
			if (lc->got == LOAD_HDR - 1) {
				memcpy(&lc->id, lc->hdr, 4);
				memcpy(&lc->len, lc->hdr + 4, 4);
			}
			continue;
		}
		if (lc->got - LOAD_HDR >= lc->len ||
		    buf[k] != load_pattern(lc->id, lc->got - LOAD_HDR))
			lc->bad = true;
	}
	memcpy(lc->pend + lc->npend, buf, n);
	lc->npend += n;
}

/**
 * load_srv_close() - Close a server connection, count it, print at zero
 * @i:		Slot
 * @open:	Connections open (updated)
 * @good:	Good connections (updated)
 * @bad:	Bad connections (updated)
 * @peak:	Most connections open at once
 */
static void load_srv_close(int i, unsigned *open, unsigned long *good,
			   unsigned long *bad, unsigned peak)
{
	struct load_conn *lc = &load.conn[i];

	if (lc->bad || lc->got < LOAD_HDR || lc->got != lc->len + LOAD_HDR)
		(*bad)++;
	else
		(*good)++;
	load_slot_free(i);
	if (--(*open) == 0) {
		printf("peak %u good %lu bad %lu\n", peak, *good, *bad);
		fflush(stdout);
	}
}

/**
 * load_srv_event() - Read, check and echo on one server connection
 * @i:		Slot
 *
 * Return: true if the connection is over (EOF seen and echoed, or error)
 */
static bool load_srv_event(int i)
{
	struct load_conn *lc = &load.conn[i];
	uint8_t buf[LOAD_BUF];
	ssize_t n;

	for (;;) {
		while (lc->npend) {
			n = send(lc->fd, lc->pend, lc->npend, MSG_NOSIGNAL);
			if (n < 0 && errno == EAGAIN) {
				load_epoll(EPOLL_CTL_MOD, i, EPOLLOUT);
				return false;
			}
			if (n <= 0)
				return true;
			memmove(lc->pend, lc->pend + n, lc->npend - (size_t)n);
			lc->npend -= (size_t)n;
		}
		if (lc->state)
			return true;	/* EOF seen, all echoed */
		load_epoll(EPOLL_CTL_MOD, i, EPOLLIN);
		n = recv(lc->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EAGAIN)
			return false;
		if (n < 0) {
			lc->bad = true;
			return true;
		}
		if (n == 0)
			lc->state = 1;
		else
			load_srv_check(lc, buf, (size_t)n);
	}
}

/**
 * load_server() - Echo server checking every connection's stream
 *
 * Return: 1 on set-up errors (runs until killed otherwise)
 */
static int load_server(void)
{
	unsigned long good = 0, bad = 0;
	struct epoll_event ev[LOAD_EVENTS];
	unsigned open = 0, peak = 0;
	int l, one = 1, n, k;

	l = socket(load.sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (l < 0 || setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l, (struct sockaddr *)&load.sa, load.sl) || listen(l, 4096)) {
		perror("listen");
		return 1;
	}
	epoll_ctl(load.ep, EPOLL_CTL_ADD, l, &(struct epoll_event){
		  .events = EPOLLIN, .data.u32 = UINT32_MAX });
	for (;;) {
		n = epoll_wait(load.ep, ev, LOAD_EVENTS, -1);
		for (k = 0; k < n; k++) {
			int i = (int)ev[k].data.u32, s;

			if (ev[k].data.u32 != UINT32_MAX) {
				if (load_srv_event(i))
					load_srv_close(i, &open, &good, &bad,
						       peak);
				continue;
			}
			while ((s = accept4(l, NULL, NULL,
					    SOCK_NONBLOCK)) >= 0) {
				if ((i = load_slot()) < 0) {
					close(s);
					continue;
				}
				load.conn[i].fd = s;
				load_epoll(EPOLL_CTL_ADD, i, EPOLLIN);
				if (++open > peak)
					peak = open;
			}
		}
	}
}

/* ---- TCP clients ------------------------------------------------------- */

/**
 * load_connect() - Start a non-blocking connect in a new slot
 * @id:		Connection number
 * @len:	Payload length
 *
 * Return: slot, -1 on failure (errno set)
 */
static int load_connect(uint32_t id, uint32_t len)
{
	int i = load_slot(), s;

	if (i < 0) {
		errno = ENOSPC;
		return -1;
	}
	s = socket(load.sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
	if (s < 0)
		return -1;
	if (connect(s, (struct sockaddr *)&load.sa, load.sl) &&
	    errno != EINPROGRESS) {
		close(s);
		return -1;
	}
	load.conn[i].fd = s;
	load.conn[i].id = id;
	load.conn[i].len = len;
	load_epoll(EPOLL_CTL_ADD, i, EPOLLOUT);
	return i;
}

/**
 * load_cli_send() - Send what fits of a connection's stream
 * @i:		Slot
 *
 * Return: 0 while going on, -1 on errors
 */
static int load_cli_send(int i)
{
	struct load_conn *lc = &load.conn[i];
	size_t total = lc->len + LOAD_HDR;
	uint8_t buf[LOAD_BUF];
	ssize_t n;
	size_t k;

	while (lc->sent < total) {
		for (k = 0; k < sizeof(buf) && lc->sent + k < total; k++)
			buf[k] = load_stream_byte(lc->id, lc->len,
						  lc->sent + k);
		n = send(lc->fd, buf, k, MSG_NOSIGNAL);
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n <= 0)
			return -1;
		lc->sent += (size_t)n;
	}
	if (!lc->tries && shutdown(lc->fd, SHUT_WR))
		return -1;
	lc->tries = 1;
	return 0;
}

/**
 * load_cli_recv() - Read and check a connection's echo
 * @i:		Slot
 *
 * Return: 1 once the whole echo and EOF arrived, 0 while going on, -1 on
 * errors or a wrong byte
 */
static int load_cli_recv(int i)
{
	struct load_conn *lc = &load.conn[i];
	uint8_t buf[LOAD_BUF];
	ssize_t n, k;

	for (;;) {
		n = recv(lc->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0)
			return -1;
		if (n == 0)
			return lc->got == lc->len + LOAD_HDR ? 1 : -1;
		for (k = 0; k < n; k++, lc->got++) {
			if (lc->got >= lc->len + LOAD_HDR ||
			    buf[k] != load_stream_byte(lc->id, lc->len, lc->got))
				return -1;
		}
	}
}

/**
 * load_cli_event() - Handle an event of a client connection
 * @i:		Slot
 * @events:	epoll events
 * @go:		Send once established (else wait in state 1)
 *
 * Return: 1 when done, 0 while going on, -1 on errors, -2 if refused
 */
static int load_cli_event(int i, uint32_t events, bool go)
{
	struct load_conn *lc = &load.conn[i];
	socklen_t sl = sizeof(int);
	int err = 0, rc;

	if (lc->state == 0) {
		if (getsockopt(lc->fd, SOL_SOCKET, SO_ERROR, &err, &sl) || err)
			return err == ECONNREFUSED || err == ECONNRESET ?
			       -2 : -1;
		if (!(events & EPOLLOUT))
			return 0;
		lc->state = 1;
		load_epoll(EPOLL_CTL_MOD, i, 0);
	}
	if (!go)
		return 0;
	if (load_cli_send(i))
		return -1;
	rc = load_cli_recv(i);
	if (rc)
		return rc;
	load_epoll(EPOLL_CTL_MOD, i, lc->sent < lc->len + LOAD_HDR ?
		   EPOLLIN | EPOLLOUT : EPOLLIN);
	return 0;
}

/**
 * load_hold() - N connections open at once, each echoing its own bytes
 * @n:		Connections
 * @bytes:	Payload per connection
 *
 * Return: 0 if all of them were established and echoed, 1 otherwise
 */
static int load_hold(unsigned n, uint32_t bytes)
{
	unsigned opened = 0, up = 0, echoed = 0;
	struct epoll_event ev[LOAD_EVENTS];
	int k, m, i, rc;

	while (up < n && !load_expired()) {
		while (opened < n && opened - up < LOAD_INFLIGHT) {
			if (load_connect(opened, bytes) < 0) {
				perror("connect");
				return 1;
			}
			opened++;
		}
		m = epoll_wait(load.ep, ev, LOAD_EVENTS, 1000);
		for (k = 0; k < m; k++) {
			i = (int)ev[k].data.u32;
			if (load.conn[i].state)
				continue;
			if (load_cli_event(i, ev[k].events, false)) {
				fprintf(stderr, "connection %u failed\n",
					load.conn[i].id);
				return 1;
			}
			if (load.conn[i].state == 1)
				up++;
		}
	}
	fprintf(stderr, "all %u connections established\n", up);
	for (i = 0; i < (int)n; i++)
		load_epoll(EPOLL_CTL_MOD, i, EPOLLIN | EPOLLOUT);
	while (echoed < n && !load_expired()) {
		m = epoll_wait(load.ep, ev, LOAD_EVENTS, 1000);
		for (k = 0; k < m; k++) {
			i = (int)ev[k].data.u32;
			if (load.conn[i].state == 2)
				continue;
			rc = load_cli_event(i, ev[k].events, true);
			if (rc < 0) {
				fprintf(stderr, "connection %u: bad echo\n",
					load.conn[i].id);
				return 1;
			}
			if (rc == 1) {
				load.conn[i].state = 2;
				load_epoll(EPOLL_CTL_MOD, i, 0);
				echoed++;
			}
		}
	}
	printf("held %u echoed %u\n", up, echoed);
	return echoed == n ? 0 : 1;
}

/**
 * load_flood() - N connects at once, refused ones counted
 * @n:		Connections
 *
 * Return: 0 if each was either refused or established and echoed
 */
static int load_flood(unsigned n)
{
	unsigned conn = 0, refused = 0, failed = 0, left = n;
	struct epoll_event ev[LOAD_EVENTS];
	unsigned j;
	int k, m, i, rc;

	for (j = 0; j < n; j++) {
		if (load_connect(j, LOAD_DGRAM) < 0) {
			perror("connect");
			failed++;
			left--;
		}
	}
	while (left && !load_expired()) {
		m = epoll_wait(load.ep, ev, LOAD_EVENTS, 1000);
		for (k = 0; k < m; k++) {
			i = (int)ev[k].data.u32;
			if (load.conn[i].state == 2)
				continue;
			rc = load_cli_event(i, ev[k].events, true);
			if (!rc)
				continue;
			if (rc == 1)
				conn++;
			else if (rc == -2 && load.conn[i].state == 0)
				refused++;
			else
				failed++;
			load.conn[i].state = 2;
			load_epoll(EPOLL_CTL_MOD, i, 0);
			left--;
		}
	}
	printf("connected %u refused %u failed %u\n", conn, refused,
	       failed + left);
	return failed + left ? 1 : 0;
}

/**
 * load_churn() - N short connections, PAR at a time, each checked
 * @n:		Connections
 * @par:	At a time
 * @bytes:	Largest payload
 *
 * Return: 0 if all of them echoed their bytes
 */
static int load_churn(unsigned n, unsigned par, uint32_t bytes)
{
	struct epoll_event ev[LOAD_EVENTS];
	unsigned opened = 0, done = 0;
	int k, m, i, rc;

	while (done < n && !load_expired()) {
		while (opened < n && opened - done < par) {
			if (load_connect(opened, 1 + opened * 7919 % bytes) < 0) {
				perror("connect");
				return 1;
			}
			opened++;
		}
		m = epoll_wait(load.ep, ev, LOAD_EVENTS, 1000);
		for (k = 0; k < m; k++) {
			i = (int)ev[k].data.u32;
			if (load.conn[i].fd < 0)
				continue;	/* closed earlier in the batch */
			rc = load_cli_event(i, ev[k].events, true);
			if (rc < 0) {
				fprintf(stderr, "connection %u failed (%i)\n",
					load.conn[i].id, rc);
				printf("done %u of %u\n", done, n);
				return 1;
			}
			if (rc == 1) {
				load_slot_free(i);
				done++;
			}
		}
	}
	printf("done %u of %u\n", done, n);
	return done == n ? 0 : 1;
}

/* ---- UDP and ICMP ------------------------------------------------------- */

/**
 * load_dgram_fill() - Payload of socket number @id
 * @buf:	Buffer, LOAD_DGRAM bytes (output)
 * @id:		Socket number
 * @icmp:	Leave room for the ICMP echo header (8 bytes) at the start
 */
static void load_dgram_fill(uint8_t *buf, uint32_t id, bool icmp)
{
	size_t k, h = icmp ? 8 : 0;

	memset(buf, 0, h);
	for (k = h; k < LOAD_DGRAM; k++)
		buf[k] = load_stream_byte(id, LOAD_DGRAM, k - h);
	if (icmp)
		buf[0] = load.sa.ss_family == AF_INET6 ? ICMP6_ECHO_REQUEST :
							 ICMP_ECHO;
}

/**
 * load_dgram_ok() - Check a reply to socket number @id
 * @buf:	Reply
 * @n:		Its length
 * @id:		Socket number
 * @icmp:	Skip the ICMP echo header
 *
 * Return: true if the payload is the one sent
 */
static bool load_dgram_ok(const uint8_t *buf, ssize_t n, uint32_t id,
			  bool icmp)
{
	size_t k, h = icmp ? 8 : 0;

	if (n != LOAD_DGRAM)
		return false;
	for (k = h; k < LOAD_DGRAM; k++)
		if (buf[k] != load_stream_byte(id, LOAD_DGRAM, k - h))
			return false;
	return true;
}

/**
 * load_dgram_late() - Is a reply the echo of another, earlier socket?
 * @buf:	Reply
 * @n:		Its length
 * @id:		Socket number it arrived at
 * @opened:	Sockets opened so far
 *
 * A datagram sent again after a second without echo may be echoed twice;
 * the second echo can reach a new socket that got the closed one's port.
 * That is the kernel reusing ports, not a wrong byte.
 *
 * Return: true if the reply is intact and belongs to another socket
 */
static bool load_dgram_late(const uint8_t *buf, ssize_t n, uint32_t id,
			    unsigned opened)
{
	uint32_t other;

	for (other = 0; other < opened; other++)
		if (other != id && load_dgram_ok(buf, n, other, false))
			return true;
	return false;
}

/**
 * load_dgram_open() - Open a datagram socket, send its first datagram
 * @id:		Socket number
 * @icmp:	Ping socket instead of UDP
 *
 * Return: slot, -1 on failure
 */
static int load_dgram_open(uint32_t id, bool icmp)
{
	int proto = load.sa.ss_family == AF_INET6 ? IPPROTO_ICMPV6 :
						       IPPROTO_ICMP;
	uint8_t buf[LOAD_DGRAM];
	int i = load_slot(), s;

	if (i < 0)
		return -1;
	s = socket(load.sa.ss_family, SOCK_DGRAM | SOCK_NONBLOCK,
		   icmp ? proto : 0);
	if (s < 0)
		return -1;
	load_dgram_fill(buf, id, icmp);
	if (sendto(s, buf, sizeof(buf), 0, (struct sockaddr *)&load.sa,
		   load.sl) != sizeof(buf)) {
		close(s);
		return -1;
	}
	load.conn[i].fd = s;
	load.conn[i].id = id;
	load.conn[i].tries = 1;
	load.conn[i].t = load_now();
	load_epoll(EPOLL_CTL_ADD, i, EPOLLIN);
	return i;
}

/**
 * load_dgram_flood() - N sockets, one datagram each, replies counted
 * @n:		Sockets
 * @icmp:	Ping sockets instead of UDP
 *
 * Return: 0 if every reply received was intact
 */
static int load_dgram_flood(unsigned n, bool icmp)
{
	unsigned replies = 0, bad = 0, j;
	struct epoll_event ev[LOAD_EVENTS];
	uint8_t buf[LOAD_BUF];
	time_t end;
	int k, m, i;
	ssize_t r;

	for (j = 0; j < n; j++) {
		if (load_dgram_open(j, icmp) < 0) {
			perror("socket");
			return 1;
		}
	}
	end = load_now() + LOAD_WAIT_S;
	while (replies < n && load_now() <= end) {
		m = epoll_wait(load.ep, ev, LOAD_EVENTS, 500);
		for (k = 0; k < m; k++) {
			i = (int)ev[k].data.u32;
			r = recv(load.conn[i].fd, buf, sizeof(buf), 0);
			if (r < 0)
				continue;
			if (load_dgram_ok(buf, r, load.conn[i].id, icmp))
				replies++;
			else
				bad++;
			load_epoll(EPOLL_CTL_DEL, i, 0);
		}
	}
	printf("sent %u replies %u bad %u\n", n, replies, bad);
	return bad ? 1 : 0;
}

/**
 * load_uchurn_retry() - Resend datagrams whose echo is a second late
 *
 * Return: 0 on success, -1 if a socket ran out of tries
 */
static int load_uchurn_retry(void)
{
	uint8_t buf[LOAD_DGRAM];
	time_t now = load_now();
	int i;

	for (i = 0; i < LOAD_CONN_MAX; i++) {
		struct load_conn *lc = &load.conn[i];

		if (lc->fd < 0 || now - lc->t < 1)
			continue;
		if (lc->tries >= LOAD_UDP_TRIES)
			return -1;
		load_dgram_fill(buf, lc->id, false);
		sendto(lc->fd, buf, sizeof(buf), 0,
		       (struct sockaddr *)&load.sa, load.sl);
		lc->tries++;
		lc->t = now;
	}
	return 0;
}

/**
 * load_uchurn() - N UDP sockets, PAR at a time, each echoed once, closed
 * @n:		Sockets
 * @par:	At a time
 *
 * Return: 0 if all of them got their echo intact
 */
static int load_uchurn(unsigned n, unsigned par)
{
	unsigned opened = 0, done = 0, bad = 0, late = 0;
	struct epoll_event ev[LOAD_EVENTS];
	uint8_t buf[LOAD_BUF];
	int k, m, i;
	ssize_t r;

	while (done < n && !load_expired()) {
		while (opened < n && opened - done < par) {
			if (load_dgram_open(opened, false) < 0) {
				perror("socket");
				return 1;
			}
			opened++;
		}
		m = epoll_wait(load.ep, ev, LOAD_EVENTS, 200);
		for (k = 0; k < m; k++) {
			i = (int)ev[k].data.u32;
			if (load.conn[i].fd < 0)
				continue;
			r = recv(load.conn[i].fd, buf, sizeof(buf), 0);
			if (r < 0)
				continue;
			if (!load_dgram_ok(buf, r, load.conn[i].id, false)) {
				if (load_dgram_late(buf, r, load.conn[i].id,
						    opened)) {
					late++;
					continue;	/* Wait for its own */
				}
				bad++;
			}
			load_slot_free(i);
			done++;
		}
		if (load_uchurn_retry()) {
			fprintf(stderr, "a datagram got no echo in %i tries\n",
				LOAD_UDP_TRIES);
			break;
		}
	}
	if (late)
		fprintf(stderr, "%u late echoes of earlier sockets ignored\n",
			late);
	printf("done %u of %u bad %u\n", done, n, bad);
	return done == n && !bad ? 0 : 1;
}

/**
 * main() - Dispatch on the mode
 * @argc:	Argument count
 * @argv:	MODE ARGS
 *
 * Return: 0 on success, 1 on failure, 2 on usage errors
 */
int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	for (i = 0; i < LOAD_CONN_MAX; i++)
		load.conn[i].fd = -1;
	load.start = load_now();
	load.ep = epoll_create1(0);
	if (argc < 4 || load.ep < 0)
		goto usage;
	if (!strcmp(mode, "pflood")) {
		if (load_addr(argv[2], "0"))
			goto usage;
		return load_dgram_flood((unsigned)atoi(argv[3]), true);
	}
	if (load_addr(argv[2], argv[3]))
		goto usage;
	if (!strcmp(mode, "server"))
		return load_server();
	if (argc < 5)
		goto usage;
	if (atoi(argv[4]) <= 0)
		goto usage;
	if (atoi(argv[4]) > LOAD_CONN_MAX &&
	    strcmp(mode, "churn") && strcmp(mode, "uchurn"))
		goto usage;
	if (!strcmp(mode, "flood"))
		return load_flood((unsigned)atoi(argv[4]));
	if (!strcmp(mode, "uflood"))
		return load_dgram_flood((unsigned)atoi(argv[4]), false);
	if (argc < 6)
		goto usage;
	if (!strcmp(mode, "uchurn") && atoi(argv[5]) > 0 &&
	    atoi(argv[5]) <= LOAD_EVENTS)
		return load_uchurn((unsigned)atoi(argv[4]),
				   (unsigned)atoi(argv[5]));
	if (!strcmp(mode, "hold") &&
	    atoi(argv[5]) > 0 && atoi(argv[5]) <= LOAD_BYTES_MAX)
		return load_hold((unsigned)atoi(argv[4]),
				 (uint32_t)atoi(argv[5]));
	if (argc == 7 && !strcmp(mode, "churn") && atoi(argv[5]) > 0 &&
	    atoi(argv[5]) <= LOAD_EVENTS && atoi(argv[6]) > 0 &&
	    atoi(argv[6]) <= LOAD_BYTES_MAX)
		return load_churn((unsigned)atoi(argv[4]),
				  (unsigned)atoi(argv[5]),
				  (uint32_t)atoi(argv[6]));
usage:
	fprintf(stderr, "Usage: %s server|hold|flood|churn|uflood|uchurn ADDR "
		"PORT [N [PAR|BYTES [BYTES]]]\n       %s pflood ADDR N\n",
		argv[0], argv[0]);
	return 2;
}
