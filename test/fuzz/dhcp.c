/* FUZZ_SRCS: all test/fuzz/common/net.c test/fuzz/common/shim.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/dhcp.c - Fuzz the DHCP request parser through the packet pool
 *
 * Each input is one UDP datagram (header and DHCP message) as tap.c hands
 * it to dhcp(): a one-packet pool over exactly the input bytes, so that any
 * read past the end is caught by AddressSanitizer. Replies go through the
 * real tap_udp4_send() to the fake tap of common/shim.c, where fuzz_reply()
 * checks their size.
 * Shared harness parts are in fuzz.h.
 *
 * Build: test/fuzz/build.sh libfuzzer|standalone dhcp OUTPUT
 * Standalone (-DFUZZ_STANDALONE): ./dhcp [ITERATIONS [FILE...]] runs the files,
 * then mutates a valid request at random.
 */

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include "dhcp.h"
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
	fuzz_reply_check(frame, len, 14 + 20 + 8 + 300, 14 + 65535);	/* headers, 300 bytes at least */
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
	inet_pton(AF_INET, "192.0.2.1", &c->ip4.addr);
	inet_pton(AF_INET, "192.0.2.254", &c->ip4.gw);
	inet_pton(AF_INET, "192.0.2.53", &c->ip4.dns[0]);
	c->ip4.prefix_len = 24;
	fuzz_ctx_init(c, 1500);
}

/**
 * LLVMFuzzerTestOneInput() - Hand one input to dhcp() through a pool
 * @data:	Input: UDP header and DHCP message
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iovec iov[1];
	struct pool p;

	if (!fuzz_ctx.ip4.prefix_len)
		fuzz_init();
	if (fuzz_pool_one(&p, iov, data, size))
		dhcp(&fuzz_ctx, &p);
	return 0;
}

#ifdef FUZZ_STANDALONE
/**
 * fuzz_seed() - A valid DHCPREQUEST with a few options
 * @b:		Buffer, at least 400 bytes (output)
 *
 * Return: length
 */
static size_t fuzz_seed(uint8_t *b)
{
	static const uint8_t opts[] = {
		53, 1, 3, 50, 4, 192, 0, 2, 1, 54, 4, 192, 0, 2, 254,
		57, 2, 5, 220, 55, 4, 1, 3, 6, 119, 12, 5, 'g', 'u', 'e', 's',
		't', 0, 255,
	};

	memset(b, 0, 248);
	b[1] = 68;
	b[3] = 67;
	b[8] = 1;
	b[9] = 1;
	b[10] = 6;
	memcpy(b + 8 + 236, "\x63\x82\x53\x63", 4);
	memcpy(b + 248, opts, sizeof(opts));
	return 248 + sizeof(opts);
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
