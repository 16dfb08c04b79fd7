/* FUZZ_SRCS: all test/fuzz/common/net.c test/fuzz/common/shim.c test/fuzz/common/scenario.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/tap_pasta.c - Fuzz pasta's tap: virtio-net headers and frames
 *
 * The input is a scenario (common/net.c) run in pasta mode, the tap having
 * a virtio-net header and every offload (checksum, TSO, USO): each guest
 * operation is one read() from the tap, virtio-net header and Ethernet
 * frame as raw input, so that UDP super-frame segmentation (USO), short
 * reads and the whole pipeline behind them run, and frames back to the
 * tap are built with GSO headers, with host events in between.
 *
 * Guest operation: length (2 bytes), then what read() returns.
 *
 * Standalone (-DFUZZ_STANDALONE): ./tap_pasta ITERATIONS [FILE...]
 */

#include "net.h"

/**
 * fuzz_guest() - Guest operation: what one read() from the tap returns
 * @c:		Execution context
 * @in:		Cursor
 */
static void fuzz_guest(struct ctx *c, struct fuzz_in *in)
{
	size_t len = fuzz_u16(in);
	const uint8_t *p = fuzz_take(in, &len);

	fuzz_net_stream(c, p, len);
}

const struct fuzz_target fuzz_scenario = {
	.mode = MODE_PASTA, .guest = fuzz_guest, .tap_out = fuzz_net_learn,
};
