/* FUZZ_SRCS: all test/fuzz/common/net.c test/fuzz/common/shim.c test/fuzz/common/scenario.c */
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

const struct fuzz_target fuzz_scenario = {
	.mode = MODE_PASST, .guest = fuzz_guest, .tap_out = fuzz_net_learn,
};
