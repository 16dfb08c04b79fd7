/* FUZZ_SRCS: all */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/tap_input.c - Fuzz the whole guest input path from the stream
 *
 * The input is what a hostile qemu could write to passt's socket: length
 * prefixes and frames. It enters through tap_handler_passt(), the real entry
 * point, so that framing, L2/L3 validation, sorting and every protocol
 * parser behind them are exercised. Replies are drained and discarded.
 *
 * Network safety: the harness first moves itself into new, empty user and
 * network namespaces (only a down loopback), so sockets the protocol
 * handlers open can't reach any real network.
 *
 * Built with clang -fsanitize=fuzzer,address for coverage-guided runs, or
 * with -DFUZZ_STANDALONE for a bounded smoke run of random and mutated
 * inputs (the test runner does this).
 */

#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "log.h"
#include "passt.h"
#include "tap.h"

/* Context and socket pair shared by all runs */
static struct ctx fuzz_ctx;
static int fuzz_sv[2] = { -1, -1 };

/**
 * fuzz_init() - Sandbox the process and set up a passt-like context
 */
static void fuzz_init(void)
{
	struct ctx *c = &fuzz_ctx;
	int sz = 1 << 22;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) && unshare(CLONE_NEWNET)) {
		perror("unshare: refusing to fuzz outside a new netns");
		exit(1);
	}
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, fuzz_sv))
		exit(1);
	setsockopt(fuzz_sv[1], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(fuzz_sv[0], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	log_set_level(LOG_ERR);
	c->mode = MODE_PASST;
	c->epollfd = epoll_create1(0);
	c->fd_tap = fuzz_sv[0];
	c->fd_tap_listen = c->timer_fd = c->pidfile_fd = -1;
	c->pasta_netns_fd = c->pasta_userns_fd = -1;
	c->mtu = 65520;
	c->ifi4_up = c->ifi6_up = true;
	c->one_off = false;
	inet_pton(AF_INET, "192.0.2.1", &c->ip4.addr);
	inet_pton(AF_INET, "192.0.2.254", &c->ip4.gw);
	c->ip4.prefix_len = 24;
	inet_pton(AF_INET6, "2001:db8::1", &c->ip6.addr);
	inet_pton(AF_INET6, "fe80::1", &c->ip6.gw);
	inet_pton(AF_INET6, "fe80::1", &c->ip6.our_tap_ll);
	c->ip6.prefix_len = 64;
	memset(c->our_tap_mac, 0x9a, sizeof(c->our_tap_mac));
	memset(c->guest_mac, 0xff, sizeof(c->guest_mac));
}

/**
 * fuzz_drain() - Read and discard whatever was sent to the "guest"
 */
static void fuzz_drain(void)
{
	static char sink[65536];

	while (recv(fuzz_sv[1], sink, sizeof(sink), MSG_DONTWAIT) > 0)
		;
}

/**
 * LLVMFuzzerTestOneInput() - One input: stream bytes from the guest
 * @data:	Input
 * @size:	Length, bytes
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct timespec now = { 1000, 0 };
	size_t off = 0;

	if (fuzz_sv[0] < 0)
		fuzz_init();
	if (fuzz_ctx.fd_tap < 0)	/* reset by a previous input */
		fuzz_ctx.fd_tap = fuzz_sv[0];
	while (off < size) {
		ssize_t n = send(fuzz_sv[1], data + off, size - off,
				 MSG_DONTWAIT);

		if (n <= 0)
			break;
		off += (size_t)n;
		tap_handler_passt(&fuzz_ctx, EPOLLIN, &now);
		fuzz_drain();
	}
	return 0;
}

#ifdef FUZZ_STANDALONE
/**
 * fuzz_frame() - Build a plausible framed Ethernet/IP input, then mutate it
 * @buf:	Output buffer
 * @len:	Size of @buf
 * @seed:	PRNG state (in/out)
 *
 * Return: bytes written
 */
static size_t fuzz_frame(uint8_t *buf, size_t len, unsigned *seed)
{
	static const uint16_t types[] = { 0x0800, 0x86dd, 0x0806, 0x1234 };
	static const uint8_t protos[] = { 1, 6, 17, 58, 0, 44 };
	size_t flen = 14 + (size_t)(rand_r(seed) % 200), i;

	if (flen + 4 > len)
		flen = len - 4;
	for (i = 0; i < flen + 4; i++)
		buf[i] = (uint8_t)rand_r(seed);
	buf[0] = buf[1] = 0;
	buf[2] = (uint8_t)(flen >> 8);
	buf[3] = (uint8_t)flen;
	buf[4 + 12] = (uint8_t)(types[rand_r(seed) % 4] >> 8);
	buf[4 + 13] = (uint8_t)types[rand_r(seed) % 4];
	if (flen > 40) {
		buf[4 + 14] = (rand_r(seed) & 1) ? 0x45 : 0x60;
		buf[4 + 14 + 9] = protos[rand_r(seed) % 6];
		buf[4 + 14 + 6] = protos[rand_r(seed) % 6];
	}
	if (!(rand_r(seed) % 8))	/* sometimes a hostile length */
		buf[1] = (uint8_t)rand_r(seed);
	return flen + 4;
}

/**
 * main() - Bounded smoke run: random framed inputs
 * @argc:	Argument count
 * @argv:	[iterations]
 *
 * Return: 0 (a crash or sanitiser report fails the run)
 */
int main(int argc, char **argv)
{
	static uint8_t buf[8192];
	unsigned seed = 1, n = argc > 1 ? (unsigned)atoi(argv[1]) : 20000, i;

	for (i = 0; i < n; i++) {
		size_t len = 0;

		while (len < sizeof(buf) - 300 && (rand_r(&seed) % 4))
			len += fuzz_frame(buf + len, sizeof(buf) - len, &seed);
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("ok - %u random inputs through the tap input path\n", n);
	return 0;
}
#endif
