/* FUZZ_SRCS: all test/fuzz/common/net.c test/fuzz/common/shim.c test/fuzz/common/scenario.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/tap_input.c - Fuzz passt's stream from qemu, and all behind it
 *
 * The input is a scenario (common/net.c): its guest operations are raw bytes
 * on passt's UNIX stream, length prefixes included, cut anywhere, so that
 * the framing (tap_passt.c: lengths, partial and oversized frames), L2 and
 * L3 validation, sorting and every protocol handler behind them run, with
 * host events in between. Sockets and the stream are fakes at the syscall
 * boundary (common/shim.c): nothing reaches a network.
 *
 * Standalone (-DFUZZ_STANDALONE): ./tap_input ITERATIONS [FILE...]
 */

#include "net.h"

/**
 * fuzz_guest() - Guest operation: length (2 bytes), then raw stream bytes
 * @c:		Execution context
 * @in:		Cursor
 */
static void fuzz_guest(struct ctx *c, struct fuzz_in *in)
{
	size_t len = fuzz_u16(in);
	const uint8_t *b = fuzz_take(in, &len);

	fuzz_net_stream(c, b, len);
}

const struct fuzz_target fuzz_scenario = {
	.mode = MODE_PASST, .guest = fuzz_guest, .tap_out = fuzz_net_learn,
};
