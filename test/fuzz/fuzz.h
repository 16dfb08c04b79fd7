/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test/fuzz/fuzz.h - Harness shared by the single-message fuzz targets
 *
 * Each target feeds one input as the single packet of a pool over exactly
 * the input bytes (fuzz_pool_one()), so that any read past the end is caught
 * by AddressSanitizer; its reply goes down the real tap path to the fake tap
 * of common/shim.c, whose tap_out hook checks it with fuzz_reply_check().
 * With -DFUZZ_STANDALONE, fuzz_main() runs the files given, then mutates
 * the target's valid seed message at random instead of libFuzzer.
 */

#ifndef FUZZ_H
#define FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/uio.h>

#include "log.h"
#include "packet.h"
#include "ctx.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/**
 * fuzz_reply_check() - Abort unless a reply's size is sane, read all of it
 * @in:		Reply
 * @dlen:	Reply length, bytes
 * @min:	Smallest valid length, bytes, at least 1
 * @max:	Largest valid length, bytes
 */
static inline void fuzz_reply_check(const void *in, size_t dlen, size_t min,
				    size_t max)
{
	volatile uint8_t sink;

	if (dlen < min || dlen > max)
		abort();
	sink = ((const uint8_t *)in)[dlen - 1];	/* whole reply readable */
	(void)sink;
}

/**
 * fuzz_ctx_init() - Quiet logs, set the MTU and the names given to the guest
 * @c:		Execution context (output)
 * @mtu:	MTU, bytes
 */
static inline void fuzz_ctx_init(struct ctx *c, int mtu)
{
	log_set_level(LOG_ERR);
	c->mtu = mtu;
	strcpy(c->dns_search[0], "example.com");
	strcpy(c->dns_search[1], "a.example.com");
	strcpy(c->hostname, "guest");
	strcpy(c->fqdn, "guest.example.com");
}

/**
 * fuzz_ctx_init6() - fuzz_ctx_init() plus our IPv6 addresses, MAC, resolver
 * @c:		Execution context (output)
 */
static inline void fuzz_ctx_init6(struct ctx *c)
{
	inet_pton(AF_INET6, "2001:db8::1", &c->ip6.addr);
	inet_pton(AF_INET6, "fe80::1", &c->ip6.our_tap_ll);
	inet_pton(AF_INET6, "2001:db8::53", &c->ip6.dns[0]);
	c->ip6.prefix_len = 64;
	memset(c->our_tap_mac, 0x9a, sizeof(c->our_tap_mac));
	fuzz_ctx_init(c, 1280);
}

/**
 * fuzz_pool_one() - Make a one-packet pool over exactly the input bytes
 * @p:		Pool (output)
 * @iov:	Packet slot for @p, one entry
 * @data:	Input
 * @size:	Input length, bytes
 *
 * Return: true if the input was added as the pool's packet
 */
static inline bool fuzz_pool_one(struct pool *p, struct iovec *iov,
				 const uint8_t *data, size_t size)
{
	p->buf = (char *)data;
	p->buf_size = size;
	p->size = 1;
	p->count = 0;
	p->pkt = iov;
	p->tail = NULL;
	p->ranges = NULL;
	return packet_add(p, size, (const char *)data);
}

#ifdef FUZZ_STANDALONE
/**
 * fuzz_mutate() - Build one random variant of a valid message
 * @base:	Valid message
 * @blen:	Length of @base, bytes
 * @len:	Length of the variant, at most @blen + 63 (output)
 * @seed:	State for rand_r(), updated
 *
 * Return: the variant, to free(), NULL if out of memory
 */
static inline uint8_t *fuzz_mutate(const uint8_t *base, size_t blen,
				   size_t *len, unsigned *seed)
{
	size_t l = blen + (size_t)(rand_r(seed) % 64), j, k;
	uint8_t *in = malloc(l ? l : 1);

	if (!in)
		return NULL;
	memcpy(in, base, MIN(l, blen));
	for (j = blen; j < l; j++)
		in[j] = (uint8_t)rand_r(seed);
	for (k = rand_r(seed) % 8; k; k--)	/* mutate a few bytes */
		in[rand_r(seed) % l] = (uint8_t)rand_r(seed);
	if (rand_r(seed) % 2)
		l = (size_t)rand_r(seed) % (l + 1);	/* truncate */
	*len = l;
	return in;
}

/**
 * fuzz_file() - Run one file through the target as it is
 * @path:	Path
 *
 * Return: 0, 1 if it can't be read
 */
static inline int fuzz_file(const char *path)
{
	static uint8_t b[65536];
	FILE *f = fopen(path, "rb");
	size_t len;

	if (!f) {
		perror(path);
		return 1;
	}
	len = fread(b, 1, sizeof(b), f);
	fclose(f);
	LLVMFuzzerTestOneInput(b, len);
	return 0;
}

/**
 * fuzz_main() - Run files, then random mutations of a valid message
 * @argc:	Argument count
 * @argv:	Iterations (default 10000), then files run once each first
 * @seed_fn:	Writes the valid message into a 512-byte buffer, returns its
 *		length
 * @tweak:	Changes a variant further (in, length, rand_r() state), or NULL
 *
 * Return: 0, 1 if out of memory or a file can't be read
 */
static inline int fuzz_main(int argc, char **argv,
			    size_t (*seed_fn)(uint8_t *b),
			    void (*tweak)(uint8_t *in, size_t len,
					  unsigned *seed))
{
	long n = argc > 1 ? atol(argv[1]) : 10000, i;
	unsigned seed = 1;
	uint8_t base[512];
	size_t blen = seed_fn(base), len;
	int j;

	for (j = 2; j < argc; j++) {
		if (fuzz_file(argv[j]))
			return 1;
	}
	for (i = 0; i < n; i++) {
		uint8_t *in = fuzz_mutate(base, blen, &len, &seed);

		if (!in)
			return 1;
		if (tweak)
			tweak(in, len, &seed);
		LLVMFuzzerTestOneInput(in, len);
		free(in);
	}
	printf("%ld inputs\n", n);
	return 0;
}
#endif /* FUZZ_STANDALONE */

#endif /* FUZZ_H */
