// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/common/scenario.c - Entry points of the scenario targets
 *
 * Every scenario target (tap_input, tap_pasta, ip, tcp_seq, udp_flow,
 * icmp_echo) defines fuzz_scenario, the guest operation and tap output
 * hook that make it what it is; the entry points, the same for all, are
 * here: libFuzzer's LLVMFuzzerTestOneInput(), and main() for the
 * standalone build (-DFUZZ_STANDALONE) that fuzz_smoke runs.
 */

#include "net.h"

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
	fuzz_net_run(&fuzz_scenario, data, size);
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
	return fuzz_net_main(&fuzz_scenario, argc, argv);
}
#endif
