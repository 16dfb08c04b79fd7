/* FUZZ_SRCS: all test/fuzz/common/net.c test/fuzz/common/shim.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/dhcpv6.c - Fuzz the DHCPv6 message parser through the packet pool
 *
 * Each input is one UDP datagram (header and DHCPv6 message) as tap.c hands
 * it to dhcpv6(): a one-packet pool over exactly the input bytes, so that any
 * read past the end is caught by AddressSanitizer. Replies go through the
 * real tap_udp6_send() to the fake tap of common/shim.c, where fuzz_reply()
 * checks their size.
 * Shared harness parts are in fuzz.h.
 *
 * Build: test/fuzz/build.sh libfuzzer|standalone dhcpv6 OUTPUT
 * Standalone (-DFUZZ_STANDALONE): ./dhcpv6 [ITERATIONS [FILE...]] runs the files,
 * then mutates a valid request at random.
 */

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include "dhcpv6.h"
#include "fuzz.h"
#include "net.h"
#include "packet.h"
#include "ctx.h"
#include "tap_out.h"

/**
 * fuzz_reply() - Check the size of a reply sent to the fake tap
 * @frame:	Ethernet frame
 * @len:	Length, bytes
 */
static void fuzz_reply(const uint8_t *frame, size_t len)
{
	fuzz_reply_check(frame, len, 14 + 40 + 8 + 4, 14 + 1280);	/* IPv6 minimum MTU */
}

static const struct fuzz_target fuzz_t = {
	.mode = MODE_PASST, .tap_out = fuzz_reply,
};

/**
 * LLVMFuzzerTestOneInput() - Hand one input to dhcpv6() through a pool
 * @data:	Input: UDP header and DHCPv6 message
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iovec iov[1];
	struct in6_addr s, d;
	struct pool p;

	if (!fuzz_ctx.ip6.prefix_len) {
		fuzz_net_init(&fuzz_t);
		fuzz_ctx_init6(&fuzz_ctx);
	}
	inet_pton(AF_INET6, "fe80::2", &s);
	inet_pton(AF_INET6, "ff02::1:2", &d);
	if (fuzz_pool_one(&p, iov, data, size))
		dhcpv6(&fuzz_ctx, &p, &s, &d);
	return 0;
}

#ifdef FUZZ_STANDALONE
/**
 * fuzz_seed() - A valid REQUEST with client and server IDs and an IA_NA
 * @b:		Buffer, at least 400 bytes (output)
 *
 * Return: length
 */
static size_t fuzz_seed(uint8_t *b)
{
	static const uint8_t msg[] = {
		2, 34, 2, 35, 0, 0, 0, 0,		/* UDP header */
		3, 0xab, 0xcd, 0xef,			/* REQUEST, xid */
		0, 1, 0, 10, 0, 3, 0, 1, 2, 0, 0, 0, 0, 2,	/* client ID */
		0, 2, 0, 10, 0, 3, 0, 1, 0x9a, 0x9a, 0x9a, 0x9a, 0x9a, 0x9a,
		0, 8, 0, 2, 0, 0,			/* elapsed time */
		0, 14, 0, 0,				/* rapid commit */
		0, 3, 0, 40, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0,	/* IA_NA */
		0, 5, 0, 24, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
		0, 6, 0, 4, 0, 23, 0, 24,		/* ORO */
	};

	memcpy(b, msg, sizeof(msg));
	return sizeof(msg);
}

/**
 * main() - Run random mutations of a valid request
 * @argc:	Argument count
 * @argv:	Iterations, default 10000
 *
 * Return: 0, 1 if out of memory
 */
int main(int argc, char **argv)
{
	return fuzz_main(argc, argv, fuzz_seed, NULL);
}
#endif /* FUZZ_STANDALONE */
