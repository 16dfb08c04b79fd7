/* FUZZ_SRCS: all test/fuzz/common/net.c test/fuzz/common/shim.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/ip.c - Fuzz IPv4 and IPv6 headers and everything behind them
 *
 * The input is a scenario (common/net.c) whose guest operations are raw IP
 * packets, in a valid Ethernet header and passt's framing: the version,
 * header length, total and payload lengths, options, extension header
 * chains, fragments, and the L4 headers that follow are all input, so that
 * L3 validation (tap.c) and the handlers it feeds run on hostile headers,
 * with host events in between.
 *
 * Guest operation: length (2 bytes), then the packet.
 *
 * Standalone (-DFUZZ_STANDALONE): ./ip ITERATIONS [FILE...]
 */

#include "net.h"

/**
 * fuzz_guest() - Guest operation: one raw IP packet
 * @c:		Execution context
 * @in:		Cursor
 */
static void fuzz_guest(struct ctx *c, struct fuzz_in *in)
{
	size_t len = fuzz_u16(in);
	const uint8_t *p = fuzz_take(in, &len);

	fuzz_net_l3(c, p, len);
}

static const struct fuzz_target fuzz_t = {
	.mode = MODE_PASST, .guest = fuzz_guest, .tap_out = fuzz_net_learn,
};

/**
 * LLVMFuzzerTestOneInput() - Run one scenario
 * @data:	Input
 * @size:	Length, bytes
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_net_run(&fuzz_t, data, size);
	return 0;
}

#ifdef FUZZ_STANDALONE
/**
 * main() - Bounded run: files, then mutations of them
 * @argc:	Argument count
 * @argv:	ITERATIONS [FILE...]
 *
 * Return: 0 (a crash or sanitiser report fails the run)
 */
int main(int argc, char **argv)
{
	return fuzz_net_main(&fuzz_t, argc, argv);
}
#endif
