/* FUZZ_SRCS: all test/fuzz/common/net.c test/fuzz/common/shim.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/arp.c - Fuzz the ARP responder through the packet pool
 *
 * Each input is one Ethernet frame as tap.c hands it to arp(): a one-packet
 * pool over exactly the input bytes, so that any read past the end is
 * caught by AddressSanitizer. Replies go to the fake tap of common/shim.c,
 * which checks their framing and reads every byte.
 *
 * Standalone (-DFUZZ_STANDALONE): ./arp ITERATIONS [FILE...] mutates a
 * valid request at random.
 */

#include <string.h>

#include "arp.h"
#include "fuzz.h"
#include "net.h"

static const struct fuzz_target fuzz_t = { .mode = MODE_PASST };

/**
 * LLVMFuzzerTestOneInput() - Hand one frame to arp() through a pool
 * @data:	Input: Ethernet header and ARP message
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct iovec iov[1];
	struct pool p;

	if (fuzz_ctx.epollfd <= 0)
		fuzz_net_init(&fuzz_t);
	if (fuzz_ctx.fd_tap < 0)
		return 0;
	if (fuzz_pool_one(&p, iov, data, size))
		arp(&fuzz_ctx, &p);
	return 0;
}

#ifdef FUZZ_STANDALONE
/**
 * fuzz_seed() - A valid ARP request for the gateway's address
 * @b:		Buffer, at least 42 bytes (output)
 *
 * Return: length
 */
static size_t fuzz_seed(uint8_t *b)
{
	static const uint8_t f[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* broadcast */
		0x52, 0x54, 0, 0x12, 0x34, 0x56, 0x08, 0x06,
		0, 1, 0x08, 0, 6, 4, 0, 1,		/* request */
		0x52, 0x54, 0, 0x12, 0x34, 0x56, 192, 0, 2, 1,
		0, 0, 0, 0, 0, 0, 192, 0, 2, 254,
	};

	memcpy(b, f, sizeof(f));
	return sizeof(f);
}

/**
 * main() - Run files, then random mutations of a valid request
 * @argc:	Argument count
 * @argv:	Iterations, default 10000, then files
 *
 * Return: 0, 1 if out of memory or a file can't be read
 */
int main(int argc, char **argv)
{
	return fuzz_main(argc, argv, fuzz_seed, NULL);
}
#endif /* FUZZ_STANDALONE */
