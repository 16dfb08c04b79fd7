// SPDX-License-Identifier: GPL-2.0-or-later
/* peek_off.c - Probe: the TCP socket behaviour tcp.c relies on (see its
 * Theory of Operation)
 *
 * Build: cc -std=c11 -D_GNU_SOURCE -Wall -Wextra -o peek_off peek_off.c
 * Prints one line per check and "N passed, N failed"; exits 1 on a failure.
 * Checks, on a loopback connection:
 *   - MSG_PEEK leaves data in the socket;
 *   - SO_PEEK_OFF is accepted on TCP sockets (else tcp.c peeks the bytes
 *     already sent into a discard buffer: reported, not a failure);
 *   - with SO_PEEK_OFF, peeks continue where the last one ended, and
 *     dropping bytes moves the offset back by as many;
 *   - recv(MSG_TRUNC) with no buffer drops bytes from a TCP socket;
 *   - a non-blocking peek at the end of the data fails with EAGAIN, and
 *     returns 0 once the peer has closed (end of stream);
 *   - SO_MEMINFO reports the send buffer as SO_SNDBUF does, and once a
 *     write to a peer that doesn't read is refused (EAGAIN), the memory
 *     its queue takes has reached that size: tcp.c offers the guest the
 *     difference as window.
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <linux/sock_diag.h>

/**
 * struct probe_state - Check counters
 * @passed:	Checks passed
 * @failed:	Checks failed
 */
static struct probe_state {
	int passed;
	int failed;
} probe;

/**
 * probe_check() - Record and print one check
 * @ok:		Result
 * @what:	Description
 */
static void probe_check(bool ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	if (ok)
		probe.passed++;
	else
		probe.failed++;
}

/**
 * probe_pair() - Connected TCP pair over loopback
 * @a:		Client end (output)
 * @b:		Server end, non-blocking (output)
 *
 * Return: 0 on success, -1 on errors
 */
static int probe_pair(int *a, int *b)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t sl = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(l, 1) || getsockname(l, (struct sockaddr *)&sa, &sl))
		return -1;
	*a = socket(AF_INET, SOCK_STREAM, 0);
	if (*a < 0 || connect(*a, (struct sockaddr *)&sa, sizeof(sa)))
		return -1;
	*b = accept4(l, NULL, NULL, SOCK_NONBLOCK);
	close(l);
	return *b < 0 ? -1 : 0;
}

/**
 * probe_peek() - Peek a given number of bytes, waiting for them
 * @s:		Socket
 * @buf:	Buffer
 * @len:	Bytes
 *
 * Return: bytes peeked, -1 on errors
 */
static ssize_t probe_peek(int s, char *buf, size_t len)
{
	ssize_t n;
	int i;

	for (i = 0; i < 1000; i++) {
		n = recv(s, buf, len, MSG_PEEK | MSG_DONTWAIT);
		if (n >= 0 || errno != EAGAIN)
			return n;
		usleep(1000);
	}
	return -1;
}

/**
 * probe_peek_off() - SO_PEEK_OFF and MSG_TRUNC checks
 * @a:		Sending end
 * @b:		Receiving end, non-blocking
 */
static void probe_peek_off(int a, int b)
{
	char buf[16] = { 0 };
	int off = 0, now = -1;
	socklen_t sl = sizeof(now);
	bool peek_off;

	peek_off = !setsockopt(b, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off));
	printf("# SO_PEEK_OFF on TCP: %s\n", peek_off ? "yes" : "no");
	probe_check(write(a, "0123456789", 10) == 10, "write 10 bytes");
	probe_check(probe_peek(b, buf, 4) == 4 && !memcmp(buf, "0123", 4),
		    "MSG_PEEK reads the first bytes");
	if (peek_off) {
		probe_check(probe_peek(b, buf, 4) == 4 &&
			    !memcmp(buf, "4567", 4),
			    "SO_PEEK_OFF: the next peek continues");
	}
	probe_check(recv(b, NULL, 2, MSG_TRUNC | MSG_DONTWAIT) == 2,
		    "recv(MSG_TRUNC) drops 2 bytes");
	if (peek_off) {
		getsockopt(b, SOL_SOCKET, SO_PEEK_OFF, &now, &sl);
		probe_check(now == 6, "SO_PEEK_OFF moved back by the drop");
		probe_check(probe_peek(b, buf, 2) == 2 &&
			    !memcmp(buf, "89", 2),
			    "SO_PEEK_OFF: peek after drop continues");
		probe_check(recv(b, buf, 1, MSG_PEEK | MSG_DONTWAIT) < 0 &&
			    errno == EAGAIN, "peek at the end: EAGAIN");
		off = 0;
		setsockopt(b, SOL_SOCKET, SO_PEEK_OFF, &off, sizeof(off));
	}
	probe_check(probe_peek(b, buf, 8) == 8 && !memcmp(buf, "23456789", 8),
		    "data after the drop is intact");
	recv(b, NULL, 8, MSG_TRUNC | MSG_DONTWAIT);
	shutdown(a, SHUT_WR);
	probe_check(probe_peek(b, buf, 1) == 0, "peek after peer's FIN: 0");
}

/**
 * probe_meminfo() - SO_MEMINFO against SO_SNDBUF and refused writes
 * @a:		Sending end, made non-blocking here
 * @b:		Receiving end, never read
 */
static void probe_meminfo(int a, int b)
{
	static char buf[16384];
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t sl = sizeof(mi), isl = sizeof(int);
	int sndbuf = 0, rcvbuf = 4096, i;
	ssize_t n = 0;

	setsockopt(b, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	probe_check(!getsockopt(a, SOL_SOCKET, SO_MEMINFO, mi, &sl) &&
		    sl == sizeof(mi) &&
		    !getsockopt(a, SOL_SOCKET, SO_SNDBUF, &sndbuf, &isl) &&
		    mi[SK_MEMINFO_SNDBUF] == (uint32_t)sndbuf,
		    "SO_MEMINFO: send buffer as SO_SNDBUF");
	/* Bounded: 64 MiB at most, a buffer is a few MiB */
	for (i = 0; i < 4096; i++) {
		n = send(a, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0)
			break;
	}
	sl = sizeof(mi);
	probe_check(n < 0 && errno == EAGAIN &&
		    !getsockopt(a, SOL_SOCKET, SO_MEMINFO, mi, &sl) &&
		    mi[SK_MEMINFO_WMEM_QUEUED] >= mi[SK_MEMINFO_SNDBUF],
		    "write refused: queued memory reached the send buffer");
}

/**
 * main() - Entry point
 *
 * Return: 0 if all checks passed, 1 otherwise
 */
int main(void)
{
	int a, b, c, d;

	if (probe_pair(&a, &b) || probe_pair(&c, &d)) {
		perror("loopback TCP pair");
		return 1;
	}
	probe_meminfo(c, d);
	probe_peek_off(a, b);
	printf("%d passed, %d failed\n", probe.passed, probe.failed);
	return probe.failed ? 1 : 0;
}
