/* FUZZ_SRCS: all test/fuzz/common/net.c test/fuzz/common/shim.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/ndp.c - Fuzz the NDP message parser through the packet pool
 *
 * Each input is one ICMPv6 message as tap.c hands it to ndp(): a one-packet
 * pool over exactly the input bytes, so that any read past the end is
 * caught by AddressSanitizer. Replies go through the
 * real tap_icmp6_send() to the fake tap of common/shim.c, where fuzz_reply()
 * checks their size.
 * Shared harness parts are in fuzz.h.
 *
 * Build: test/fuzz/build.sh libfuzzer|standalone ndp OUTPUT
 * Standalone (-DFUZZ_STANDALONE): ./ndp [ITERATIONS [FILE...]] runs the files,
 * then mutates a valid request at random.
 */

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include "fuzz.h"
#include "net.h"
#include "ndp.h"
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
	fuzz_reply_check(frame, len, 14 + 40 + 24, 14 + 1280);	/* IPv6 minimum MTU */
}

static const struct fuzz_target fuzz_t = {
	.mode = MODE_PASST, .tap_out = fuzz_reply,
};

/**
 * fuzz_init() - Set up the context once
 */
static void fuzz_init(void)
{
	struct ctx *c = &fuzz_ctx;

	fuzz_net_init(&fuzz_t);
	inet_pton(AF_INET6, "2001:db8::fe", &c->ip6.gw);
	c->ifi6_up = true;
	fuzz_ctx_init6(c);
}

/**
 * LLVMFuzzerTestOneInput() - Hand one input to ndp() through a pool
 * @data:	Input: ICMPv6 message
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iovec iov[1];
	struct in6_addr s, d;
	struct pool p;

	if (!fuzz_ctx.ip6.prefix_len)
		fuzz_init();
	inet_pton(AF_INET6, size % 2 ? "::" : "fe80::2", &s);
	inet_pton(AF_INET6, "ff02::1", &d);
	if (fuzz_pool_one(&p, iov, data, size))
		ndp(&fuzz_ctx, &p, &s, &d);
	return 0;
}

#ifdef FUZZ_STANDALONE
/**
 * fuzz_seed() - A valid Neighbour Solicitation
 * @b:		Buffer, at least 400 bytes (output)
 *
 * Return: length
 */
static size_t fuzz_seed(uint8_t *b)
{
	static const uint8_t msg[] = {
		135, 0, 0, 0, 0, 0, 0, 0,		/* NS */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0,
		0, 0, 0, 0, 0, 0, 0, 0xfe,		/* target */
		1, 1, 2, 0, 0, 0, 0, 2,			/* SLLA */
	};

	memcpy(b, msg, sizeof(msg));
	return sizeof(msg);
}

/**
 * fuzz_tweak() - Turn one variant in three into a Router Solicitation
 * @in:		Variant, updated
 * @len:	Length of @in, bytes
 * @seed:	State for rand_r(), updated
 */
static void fuzz_tweak(uint8_t *in, size_t len, unsigned *seed)
{
	if (len && rand_r(seed) % 3 == 0)
		in[0] = 133;	/* Router Solicitation */
}

/**
 * main() - Run random mutations of a valid solicitation
 * @argc:	Argument count
 * @argv:	Iterations, default 10000
 *
 * Return: 0, 1 if out of memory
 */
int main(int argc, char **argv)
{
	return fuzz_main(argc, argv, fuzz_seed, fuzz_tweak);
}
#endif /* FUZZ_STANDALONE */
