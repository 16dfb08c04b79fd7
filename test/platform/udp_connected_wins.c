// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_connected_wins.c - Probe: the UDP socket behaviour udp.c relies on
 * (see its Theory of Operation)
 *
 * Build: cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -o udp_connected_wins \
 *	  udp_connected_wins.c
 * Prints one line per check and "N passed, N failed"; exits 1 on a failure.
 * Uses IPv4 loopback only.
 *
 * Checks:
 * - two sockets with SO_REUSEADDR bind the same port: a wildcard one (a
 *   forwarded port) and one connected to a peer (a flow); datagrams from
 *   that peer reach the connected socket only, datagrams from another
 *   peer reach the wildcard socket;
 * - a connected socket with IP_RECVERR gets ICMP port unreachable on its
 *   error queue, origin SO_EE_ORIGIN_ICMP, type 3 code 3, with the
 *   original payload, and EPOLLERR is reported for it;
 * - /proc/net/udp lists the unconnected socket in state 07 and the
 *   connected one in state 01 ("auto" forwarding counts 07 only).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/errqueue.h>

#define PROBE_WAIT_MS	1000

/**
 * struct probe_state - Results
 * @passed:	Checks passed
 * @failed:	Checks failed
 */
static struct probe_state {
	int passed;
	int failed;
} probe;

/**
 * probe_check() - Record and print one check
 * @ok:		Check passed
 * @what:	Description
 */
static void probe_check(bool ok, const char *what)
{
	if (ok) {
		probe.passed++;
		printf("ok - %s\n", what);
		return;
	}
	probe.failed++;
	printf("not ok - %s (errno %s)\n", what, strerror(errno));
}

/**
 * probe_sock() - UDP socket on 127.0.0.1, SO_REUSEADDR, bound to a port
 * @port:	Port, host order, 0 for ephemeral
 *
 * Return: socket, -1 on failure
 */
static int probe_sock(unsigned short port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0), one = 1;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(port);
	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	return s;
}

/**
 * probe_port() - Local port of a socket
 * @s:		Socket
 *
 * Return: port, host order
 */
static unsigned short probe_port(int s)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	getsockname(s, (struct sockaddr *)&sa, &sl);
	return ntohs(sa.sin_port);
}

/**
 * probe_send() - Send one byte from a socket to 127.0.0.1:port
 * @s:		Socket
 * @port:	Port, host order
 *
 * Return: true on success
 */
static bool probe_send(int s, unsigned short port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(port);
	return sendto(s, "x", 1, 0, (struct sockaddr *)&sa, sizeof(sa)) == 1;
}

/**
 * probe_readable() - Wait for a socket to become readable
 * @s:		Socket
 *
 * Return: true if readable within PROBE_WAIT_MS
 */
static bool probe_readable(int s)
{
	struct pollfd p = { .fd = s, .events = POLLIN };

	return poll(&p, 1, PROBE_WAIT_MS) == 1 && (p.revents & POLLIN);
}

/**
 * probe_has_data() - Is a datagram waiting, without waiting?
 * @s:		Socket
 *
 * Return: true if recv() would return data now
 */
static bool probe_has_data(int s)
{
	char c;

	return recv(s, &c, 1, MSG_PEEK | MSG_DONTWAIT) == 1;
}

/**
 * probe_proc() - Check the states /proc/net/udp shows for two sockets
 * @wild:	Unconnected socket
 * @conn:	Connected socket, same port
 */
static void probe_proc(int wild, int conn)
{
	unsigned port = probe_port(wild), p, st;
	FILE *f = fopen("/proc/net/udp", "r");
	bool seen07 = false, seen01 = false;
	char line[512];

	(void)conn;
	while (f && fgets(line, sizeof(line), f)) {
		if (sscanf(line, " %*u: %*x:%x %*x:%*x %x", &p, &st) != 2 ||
		    p != port)
			continue;
		seen07 |= st == 0x07;
		seen01 |= st == 0x01;
	}
	if (f)
		fclose(f);
	probe_check(seen07, "/proc/net/udp: unconnected socket in state 07");
	probe_check(seen01, "/proc/net/udp: connected socket in state 01");
}

/**
 * probe_connected_wins() - Connected socket beats wildcard on one port
 */
static void probe_connected_wins(void)
{
	int wild = probe_sock(0), peer = probe_sock(0), other = probe_sock(0);
	unsigned short port = probe_port(wild);
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int conn = probe_sock(port);
	char c;

	probe_check(wild >= 0 && conn >= 0 && peer >= 0 && other >= 0,
		    "SO_REUSEADDR: two sockets bound to one port");
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(probe_port(peer));
	probe_check(!connect(conn, (struct sockaddr *)&sa, sizeof(sa)),
		    "connect() the second one to a peer");
	probe_send(peer, port);
	probe_check(probe_readable(conn) && !probe_has_data(wild),
		    "datagram from the peer reaches the connected socket only");
	recv(conn, &c, 1, 0);
	probe_send(other, port);
	probe_check(probe_readable(wild) && !probe_has_data(conn),
		    "datagram from another peer reaches the wildcard socket");
	probe_proc(wild, conn);
	close(wild);
	close(conn);
	close(peer);
	close(other);
}

/**
 * probe_recverr() - ICMP port unreachable on the error queue
 */
static void probe_recverr(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int s = probe_sock(0), closed = probe_sock(0), one = 1, ep;
	char cbuf[512], data[64];
	struct iovec iov = { data, sizeof(data) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct epoll_event ev = { .events = EPOLLIN };
	const struct sock_extended_err *ee = NULL;
	struct cmsghdr *cm;
	ssize_t n;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons(probe_port(closed));
	close(closed);		/* Nothing listens there now */
	setsockopt(s, IPPROTO_IP, IP_RECVERR, &one, sizeof(one));
	connect(s, (struct sockaddr *)&sa, sizeof(sa));
	ep = epoll_create1(0);
	epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev);
	send(s, "payload", 7, 0);
	probe_check(epoll_wait(ep, &ev, 1, PROBE_WAIT_MS) == 1 &&
		    (ev.events & EPOLLERR), "EPOLLERR for ICMP port unreachable");
	n = recvmsg(s, &mh, MSG_ERRQUEUE);
	for (cm = n >= 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm;
	     cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_RECVERR)
			ee = (const void *)CMSG_DATA(cm);
	}
	probe_check(ee && ee->ee_origin == SO_EE_ORIGIN_ICMP &&
		    ee->ee_type == 3 && ee->ee_code == 3,
		    "IP_RECVERR: origin ICMP, type 3 code 3 on the error queue");
	probe_check(n == 7 && !memcmp(data, "payload", 7),
		    "error queue returns the original UDP payload");
	close(ep);
	close(s);
}

/**
 * main() - Run the checks
 *
 * Return: 0 if all passed, 1 otherwise
 */
int main(void)
{
	probe_connected_wins();
	probe_recverr();
	printf("%d passed, %d failed\n", probe.passed, probe.failed);
	return probe.failed ? 1 : 0;
}
