// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_echo.c - UDP echo server and checking client, tiny DNS responder
 *
 * Usage:
 *   udp_echo server ADDR PORT
 *	Echo every datagram back to its sender, forever.
 *   udp_echo client ADDR PORT COUNT SIZE [LPORT]
 *	Send COUNT datagrams of SIZE bytes (0: sizes vary from 4 to 1400,
 *	spread over the whole range, every size once in 1397 datagrams),
 *	stop and wait, from local port LPORT if given. Each payload carries
 *	its sequence number and random bytes (a generator seeded from it
 *	and from a random number drawn at start); every reply must match
 *	byte for byte and come from ADDR:PORT (the source address recvfrom()
 *	reports, so an echo from any other address of the host fails). Prints
 *	"received N/COUNT, bad B, wrong-source W" and exits 0 only if all
 *	came back intact. With UDP_ECHO_RESEND set in the environment, a
 *	datagram whose echo isn't back in 2 s is sent once more (said on
 *	standard error, with a count at the end): UDP may lose it on a
 *	loaded machine, and a test that sets it must ask the translator's
 *	drop counters whether it did. Intact echoes of an earlier datagram
 *	(late, or a resend's second copy) are skipped; any other echo must
 *	be the one waited for. Gives up after ECHO_LOST_MAX datagrams in a
 *	row got no echo, so a broken path fails in seconds.
 *   udp_echo burst ADDR PORT COUNT SIZE ROUNDS
 *	ROUNDS times: send COUNT datagrams back to back (SIZE bytes, the
 *	last of each round shorter), then collect COUNT echoes and check
 *	each against its sequence number. Bursts make the translator batch
 *	(and, in pasta, merge replies into UDP super-frames). Prints and
 *	exits as "client".
 *   udp_echo dns ADDR PORT A.B.C.D
 *	Answer every DNS query with one A record A.B.C.D, forever.
 *   udp_echo dnsq ADDR PORT NAME
 *	Ask ADDR:PORT for NAME's A record, print the first address.
 *   udp_echo refused ADDR PORT
 *	Send one datagram on a connected socket and expect the ICMP error
 *	to come back as ECONNREFUSED; prints "refused".
 *   udp_echo flood ADDR PORT COUNT
 *	Send one datagram from each of COUNT new sockets (distinct source
 *	ports), closing each one at once.
 *
 * ADDR may be IPv4 or IPv6. Every wait times out after 2 s.
 */

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#define ECHO_MAX	65536
#define ECHO_WAIT_MS	2000
#define ECHO_VARY_MAX	1400
#define ECHO_VARY_STEP	389	/* Coprime to ECHO_VARY_MAX - 3 */
#define ECHO_LOST_MAX	3	/* "client": consecutive losses to give up */

static unsigned char echo_buf[ECHO_MAX];
static unsigned char echo_ref[ECHO_MAX];
static uint32_t echo_seed;	/* Drawn at start: payloads differ per run */

/**
 * echo_addr() - Parse an address and port into a socket address
 * @s:		Address string
 * @port:	Port string
 * @sa:		Socket address (output)
 *
 * Return: length of the socket address, 0 on parse failure
 */
static socklen_t echo_addr(const char *s, const char *port,
			   struct sockaddr_storage *sa)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;
	struct sockaddr_in *a4 = (struct sockaddr_in *)sa;

	memset(sa, 0, sizeof(*sa));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)atoi(port));
		return sizeof(*a4);
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)atoi(port));
		return sizeof(*a6);
	}
	return 0;
}

/**
 * echo_sock() - Open a UDP socket, optionally bound
 * @af:		Address family
 * @sa:		Bind address, NULL for none
 * @sl:		Its length
 *
 * Return: socket; exits on failure
 */
static int echo_sock(int af, const struct sockaddr_storage *sa, socklen_t sl)
{
	int one = 1, fd = socket(af, SOCK_DGRAM, 0);

	if (fd < 0) {
		perror("socket");
		exit(2);
	}
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (af == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (sa && bind(fd, (const struct sockaddr *)sa, sl)) {
		perror("bind");
		exit(2);
	}
	return fd;
}

/**
 * echo_wait() - Wait until a socket is readable
 * @fd:		Socket
 *
 * Return: true if readable within ECHO_WAIT_MS
 */
static bool echo_wait(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, ECHO_WAIT_MS) == 1;
}

/**
 * echo_server() - Echo datagrams forever
 * @fd:		Bound socket
 *
 * Return: doesn't return unless recvfrom() fails
 */
static int echo_server(int fd)
{
	struct sockaddr_storage peer;
	socklen_t pl;
	ssize_t n;

	for (;;) {
		pl = sizeof(peer);
		n = recvfrom(fd, echo_buf, sizeof(echo_buf), 0,
			     (struct sockaddr *)&peer, &pl);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("recvfrom");
			return 1;
		}
		sendto(fd, echo_buf, (size_t)n, 0, (struct sockaddr *)&peer,
		       pl);
	}
}

/**
 * echo_fill() - Fill the reference payload of one datagram
 * @seq:	Sequence number
 * @len:	Length, at least 4
 */
static void echo_fill(uint32_t seq, size_t len)
{
	uint32_t x = (seq ^ echo_seed) * 2654435761U + 1;
	size_t i;

	memcpy(echo_ref, &seq, sizeof(seq));
	for (i = sizeof(seq); i < len; i++) {
		x = x * 1103515245U + 12345U;
		echo_ref[i] = (unsigned char)(x >> 16);
	}
}

/**
 * echo_same_peer() - Compare a reply's source with the target
 * @a:		Reply source
 * @b:		Target
 *
 * Return: true if address and port match
 */
static bool echo_same_peer(const struct sockaddr_storage *a,
			   const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)b;

		return x->sin_port == y->sin_port &&
		       x->sin_addr.s_addr == y->sin_addr.s_addr;
	}
	return ((const struct sockaddr_in6 *)a)->sin6_port ==
	       ((const struct sockaddr_in6 *)b)->sin6_port &&
	       !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, 16);
}

/**
 * struct echo_count - What the client saw
 * @got:	Echoes of the datagram waited for (one per datagram at most)
 * @bad:	Echoes whose length or bytes differ from what was sent
 * @wrong:	Echoes from another address or port than the target
 * @resent:	Datagrams sent a second time, their echo not back in time
 * @late:	Intact echoes of an earlier datagram (late, or of a resend)
 */
struct echo_count {
	unsigned got, bad, wrong, resent, late;
};

/**
 * echo_late_ok() - Is an echo an intact copy of an earlier datagram?
 * @seq:	Its sequence number, from its first bytes
 * @n:		Its length
 * @size:	Payload size, 0 if it varies
 *
 * Return: true if it matches that datagram byte for byte; echo_ref is
 * left holding that datagram's payload
 */
static bool echo_late_ok(uint32_t seq, size_t n, size_t size)
{
	size_t len = size ? size :
		     4 + (seq * ECHO_VARY_STEP) % (ECHO_VARY_MAX - 3);

	echo_fill(seq, len);
	return n == len && !memcmp(echo_buf, echo_ref, len);
}

/**
 * echo_await() - Wait for the echo of one datagram, check it
 * @fd:		Socket
 * @dst:	Target
 * @seq:	Sequence number of the datagram
 * @len:	Its length; echo_ref holds its payload
 * @size:	Payload size given to the client, 0 if it varies
 * @cnt:	Counters, updated
 *
 * Intact echoes of earlier datagrams (late ones, or a second copy after a
 * resend) are counted and skipped; anything else ends the wait.
 *
 * Return: true if an echo other than those came within ECHO_WAIT_MS
 */
static bool echo_await(int fd, const struct sockaddr_storage *dst,
		       uint32_t seq, size_t len, size_t size,
		       struct echo_count *cnt)
{
	struct sockaddr_storage peer;
	uint32_t rseq = seq;
	socklen_t pl;
	ssize_t n;

	while (echo_wait(fd)) {
		pl = sizeof(peer);
		n = recvfrom(fd, echo_buf, sizeof(echo_buf), 0,
			     (struct sockaddr *)&peer, &pl);
		if (n < 0)
			continue;
		if (n >= 4)
			memcpy(&rseq, echo_buf, sizeof(rseq));
		if (n >= 4 && rseq < seq && echo_same_peer(&peer, dst)) {
			bool ok = echo_late_ok(rseq, (size_t)n, size);

			echo_fill(seq, len);
			if (ok) {
				cnt->late++;
				continue;
			}
		}
		cnt->got++;
		if (!echo_same_peer(&peer, dst))
			cnt->wrong++;
		if ((size_t)n != len || memcmp(echo_buf, echo_ref, len))
			cnt->bad++;
		return true;
	}
	return false;
}

/**
 * echo_client() - Send, wait for and check each echo
 * @fd:		Socket
 * @dst:	Target
 * @dl:		Its length
 * @count:	Datagrams
 * @size:	Payload size, 0 to vary
 *
 * With UDP_ECHO_RESEND in the environment, a datagram whose echo isn't
 * back within ECHO_WAIT_MS is sent once more (UDP may lose it on a loaded
 * machine: whether the translator did is for its drop counters to say),
 * and reported on standard error.
 *
 * Return: 0 if all came back intact from the target
 */
static int echo_client(int fd, const struct sockaddr_storage *dst,
		       socklen_t dl, unsigned count, size_t size)
{
	bool resend = getenv("UDP_ECHO_RESEND") != NULL;
	struct echo_count cnt = { 0 };
	unsigned seq, lost = 0;

	for (seq = 0; seq < count; seq++) {
		size_t len = size ? size :
			     4 + (seq * ECHO_VARY_STEP) % (ECHO_VARY_MAX - 3);
		bool back;

		echo_fill(seq, len);
		if (sendto(fd, echo_ref, len, 0, (const struct sockaddr *)dst,
			   dl) < 0)
			perror("sendto");
		back = echo_await(fd, dst, seq, len, size, &cnt);
		if (!back && resend) {
			fprintf(stderr, "seq %u: no echo in %u ms, sent again\n",
				seq, ECHO_WAIT_MS);
			cnt.resent++;
			if (sendto(fd, echo_ref, len, 0,
				   (const struct sockaddr *)dst, dl) < 0)
				perror("sendto");
			back = echo_await(fd, dst, seq, len, size, &cnt);
		}
		if (!back) {
			fprintf(stderr, "seq %u: no echo\n", seq);
			if (++lost == ECHO_LOST_MAX)
				break;
			continue;
		}
		lost = 0;
	}
	printf("received %u/%u, bad %u, wrong-source %u\n", cnt.got, count,
	       cnt.bad, cnt.wrong);
	if (cnt.resent || cnt.late)
		fprintf(stderr, "resent %u, late echoes %u\n", cnt.resent,
			cnt.late);
	return cnt.got == count && !cnt.bad && !cnt.wrong ? 0 : 1;
}

/**
 * echo_burst_len() - Length of one datagram of a burst
 * @seq:	Sequence number
 * @count:	Datagrams per burst
 * @size:	Size of all but the last one
 *
 * Return: length, bytes
 */
static size_t echo_burst_len(unsigned seq, unsigned count, size_t size)
{
	return seq % count == count - 1 ? size / 2 + 4 : size;
}

/**
 * echo_burst() - Send bursts, collect and check every echo
 * @fd:		Socket
 * @dst:	Target
 * @dl:		Its length
 * @count:	Datagrams per burst
 * @size:	Datagram size, at least 8
 * @rounds:	Bursts
 *
 * Return: 0 if every echo came back intact from the target
 */
static int echo_burst(int fd, const struct sockaddr_storage *dst,
		      socklen_t dl, unsigned count, size_t size,
		      unsigned rounds)
{
	unsigned r, i, got = 0, bad = 0, wrong = 0, seq;
	struct sockaddr_storage peer;
	socklen_t pl;
	ssize_t n;

	for (r = 0; r < rounds; r++) {
		for (i = 0; i < count; i++) {
			seq = r * count + i;
			echo_fill(seq, echo_burst_len(seq, count, size));
			sendto(fd, echo_ref, echo_burst_len(seq, count, size),
			       0, (const struct sockaddr *)dst, dl);
		}
		for (i = 0; i < count && echo_wait(fd); i++) {
			pl = sizeof(peer);
			n = recvfrom(fd, echo_buf, sizeof(echo_buf), 0,
				     (struct sockaddr *)&peer, &pl);
			if (n < 4)
				continue;
			got++;
			memcpy(&seq, echo_buf, sizeof(seq));
			echo_fill(seq, (size_t)n);
			if (!echo_same_peer(&peer, dst))
				wrong++;
			if ((size_t)n != echo_burst_len(seq, count, size) ||
			    memcmp(echo_buf, echo_ref, (size_t)n))
				bad++;
		}
	}
	printf("received %u/%u, bad %u, wrong-source %u\n", got,
	       count * rounds, bad, wrong);
	return got == count * rounds && !bad && !wrong ? 0 : 1;
}

/**
 * echo_dns() - Answer DNS queries with one A record, forever
 * @fd:		Bound socket
 * @a:		Address to answer with
 *
 * Return: 1 if recvfrom() fails
 */
static int echo_dns(int fd, struct in_addr a)
{
	static const unsigned char ans[] = {
		0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4,
	};
	struct sockaddr_storage peer;
	socklen_t pl;
	ssize_t n;

	for (;;) {
		pl = sizeof(peer);
		n = recvfrom(fd, echo_buf, sizeof(echo_buf), 0,
			     (struct sockaddr *)&peer, &pl);
		if (n < 0)
			return 1;
		if (n < 12 || (size_t)n + sizeof(ans) + 4 > sizeof(echo_buf))
			continue;
		echo_buf[2] = 0x81;	/* QR, RD */
		echo_buf[3] = 0x80;	/* RA, no error */
		echo_buf[6] = 0;
		echo_buf[7] = 1;	/* ANCOUNT 1 */
		memset(echo_buf + 8, 0, 4);
		memcpy(echo_buf + n, ans, sizeof(ans));
		memcpy(echo_buf + n + sizeof(ans), &a, 4);
		sendto(fd, echo_buf, (size_t)n + sizeof(ans) + 4, 0,
		       (struct sockaddr *)&peer, pl);
	}
}

/**
 * echo_dnsq() - Ask for an A record and print the first answer
 * @fd:		Socket
 * @dst:	Server
 * @dl:		Its length
 * @name:	Name to resolve
 *
 * Return: 0 if an address was printed
 */
static int echo_dnsq(int fd, const struct sockaddr_storage *dst,
		     socklen_t dl, const char *name)
{
	size_t len = 12, qlen;
	const char *p = name;
	char out[INET_ADDRSTRLEN];
	ssize_t n;

	memset(echo_ref, 0, 12);
	echo_ref[0] = 0x12;
	echo_ref[1] = 0x34;
	echo_ref[2] = 0x01;	/* RD */
	echo_ref[5] = 1;	/* QDCOUNT 1 */
	while (*p && len < 300) {
		size_t l = strcspn(p, ".");

		echo_ref[len++] = (unsigned char)l;
		memcpy(echo_ref + len, p, l);
		len += l;
		p += l + (p[l] == '.');
	}
	echo_ref[len++] = 0;
	memcpy(echo_ref + len, "\0\1\0\1", 4);	/* QTYPE A, QCLASS IN */
	len += 4;
	qlen = len;
	if (sendto(fd, echo_ref, len, 0, (const struct sockaddr *)dst, dl) < 0 ||
	    !echo_wait(fd))
		return 1;
	n = recv(fd, echo_buf, sizeof(echo_buf), 0);
	/* Answer: compressed name (2), type, class, TTL, RDLENGTH, RDATA */
	if (n < (ssize_t)(qlen + 16) || echo_buf[0] != 0x12 ||
	    echo_buf[1] != 0x34 || !echo_buf[7])
		return 1;
	printf("%s\n", inet_ntop(AF_INET, echo_buf + qlen + 12, out,
				 sizeof(out)));
	return 0;
}

/**
 * echo_flood() - Send one datagram from each of many source ports
 * @dst:	Target
 * @dl:		Its length
 * @count:	Sockets
 *
 * Return: 0
 */
static int echo_flood(const struct sockaddr_storage *dst, socklen_t dl,
		      unsigned count)
{
	unsigned i;

	for (i = 0; i < count; i++) {
		int fd = socket(dst->ss_family, SOCK_DGRAM, 0);

		if (fd < 0)
			return 1;
		sendto(fd, "x", 1, 0, (const struct sockaddr *)dst, dl);
		close(fd);
	}
	return 0;
}

/**
 * echo_refused() - Expect "connection refused" for a closed port
 * @dst:	Target
 * @dl:		Its length
 *
 * Return: 0 if the error came back
 */
static int echo_refused(const struct sockaddr_storage *dst, socklen_t dl)
{
	int fd = echo_sock(dst->ss_family, NULL, 0);

	if (connect(fd, (const struct sockaddr *)dst, dl) ||
	    send(fd, "ping", 4, 0) < 0 || !echo_wait(fd))
		return 1;
	if (recv(fd, echo_buf, sizeof(echo_buf), 0) < 0 &&
	    errno == ECONNREFUSED) {
		printf("refused\n");
		return 0;
	}
	return 1;
}

/**
 * main() - Entry point, see the usage at the top
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Return: 0 on success
 */
int main(int argc, char **argv)
{
	struct sockaddr_storage sa, la;
	struct in_addr a;
	socklen_t sl;
	int fd;

	if (getrandom(&echo_seed, sizeof(echo_seed), 0) != sizeof(echo_seed))
		echo_seed = (uint32_t)getpid();
	if (argc < 4 || !(sl = echo_addr(argv[2], argv[3], &sa))) {
		fprintf(stderr, "usage: see udp_echo.c\n");
		return 2;
	}
	if (!strcmp(argv[1], "server"))
		return echo_server(echo_sock(sa.ss_family, &sa, sl));
	if (!strcmp(argv[1], "dns") && argc == 5 &&
	    inet_pton(AF_INET, argv[4], &a) == 1)
		return echo_dns(echo_sock(sa.ss_family, &sa, sl), a);
	if (!strcmp(argv[1], "dnsq") && argc == 5)
		return echo_dnsq(echo_sock(sa.ss_family, NULL, 0), &sa, sl,
				 argv[4]);
	if (!strcmp(argv[1], "burst") && argc == 7 && atoi(argv[5]) >= 8)
		return echo_burst(echo_sock(sa.ss_family, NULL, 0), &sa, sl,
				  (unsigned)atoi(argv[4]),
				  (size_t)atoi(argv[5]),
				  (unsigned)atoi(argv[6]));
	if (!strcmp(argv[1], "refused"))
		return echo_refused(&sa, sl);
	if (!strcmp(argv[1], "flood") && argc == 5)
		return echo_flood(&sa, sl, (unsigned)atoi(argv[4]));
	if (!strcmp(argv[1], "client") && (argc == 6 || argc == 7)) {
		if (argc == 7) {
			socklen_t ll = echo_addr(sa.ss_family == AF_INET ?
						 "0.0.0.0" : "::", argv[6], &la);

			fd = echo_sock(sa.ss_family, &la, ll);
		} else {
			fd = echo_sock(sa.ss_family, NULL, 0);
		}
		return echo_client(fd, &sa, sl, (unsigned)atoi(argv[4]),
				   (size_t)atoi(argv[5]));
	}
	fprintf(stderr, "usage: see udp_echo.c\n");
	return 2;
}
