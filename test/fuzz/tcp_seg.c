/* FUZZ_SRCS: tcp_seg.c packet.c log.c util.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/tcp_seg.c - Fuzz the TCP segment parser directly
 *
 * Each input is one TCP segment, header and payload, as tap.c hands it to
 * tcp_tap_handler(): a one-packet pool over exactly the input bytes, so that
 * any read past the end is caught by AddressSanitizer. tcp_seg_parse()
 * runs on it, and its record is checked against the input: lengths add
 * up, the payload lies within the input and is read whole, options within
 * their ranges. tcp_seq drives the same parser through the connection
 * state machine; this target reaches every header and option shape faster.
 *
 * Standalone (-DFUZZ_STANDALONE): ./tcp_seg ITERATIONS [FILE...] mutates a
 * valid SYN with options and payload at random.
 */

#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "packet.h"
#include "tcp_seg.h"
#include "util.h"

/**
 * fuzz_seg_check() - Abort unless a parsed record agrees with its input
 * @seg:	Record from tcp_seg_parse()
 * @ok:		What tcp_seg_parse() returned
 * @data:	Input
 * @size:	Input length
 */
static void fuzz_seg_check(const struct tcp_seg *seg, bool ok,
			   const uint8_t *data, size_t size)
{
	struct iovec v[PACKET_IOV_MAX];
	volatile uint8_t sink;
	size_t j;

	if (ok != seg->ok)
		abort();
	if (!ok)
		return;
	if (size < 20 || seg->hlen < 20 || seg->hlen > 60 ||
	    seg->hlen + seg->dlen != size || seg->flags != data[13])
		abort();
	if (seg->dlen &&
	    (packet_data(seg->p, seg->idx, seg->hlen, seg->dlen, v,
			 ARRAY_SIZE(v)) != 1 ||
	     v[0].iov_base != data + seg->hlen || v[0].iov_len != seg->dlen))
		abort();
	for (j = 0; j < seg->dlen; j++)		/* whole payload readable */
		sink = ((const uint8_t *)v[0].iov_base)[j];
	(void)sink;
	if (seg->mss > 65535 || seg->ws > TCP_SEG_WS_MAX ||
	    ((seg->mss >= 0 || seg->ws >= 0) && !(seg->flags & TCP_SYN)))
		abort();
}

/**
 * LLVMFuzzerTestOneInput() - Parse one segment from a one-packet pool
 * @data:	Input: TCP header, options, payload
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tcp_seg seg;
	struct iovec iov[1];
	struct pool p;
	bool ok;

	if (!fuzz_pool_one(&p, iov, data, size))
		return 0;
	ok = tcp_seg_parse(&p, 0, &seg);
	fuzz_seg_check(&seg, ok, data, size);
	if (tcp_seg_parse(&p, 1, &seg) || seg.ok)	/* past the pool */
		abort();
	return 0;
}

#ifdef FUZZ_STANDALONE
/**
 * fuzz_seed() - A SYN with MSS, SACK permitted, window scale, and payload
 * @b:		Buffer, at least 48 bytes (output)
 *
 * Return: length
 */
static size_t fuzz_seed(uint8_t *b)
{
	static const uint8_t s[] = {
		0x9c, 0x40, 0x00, 0x50, 0, 0, 0, 1, 0, 0, 0, 0,
		0x80, TCP_SYN, 0xff, 0xff, 0, 0, 0, 0,
		TCPOPT_MSS, 4, 0x05, 0xb4, 4, 2, TCPOPT_NOP, TCPOPT_NOP,
		TCPOPT_NOP, TCPOPT_WS, 3, 7,
		'h', 'e', 'l', 'l', 'o',
	};

	memcpy(b, s, sizeof(s));
	return sizeof(s);
}

/**
 * main() - Run files, then random mutations of a valid SYN
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
