/* FUZZ_SRCS: ndp.c dns.c packet.c log.c checksum.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/ndp.c - Fuzz the NDP message parser through the packet pool
 *
 * Each input is one ICMPv6 message as tap.c hands it to ndp(): a one-packet pool over exactly the input bytes, so that any
 * read past the end is caught by AddressSanitizer. Replies go to a test
 * double of tap_icmp6_send() that checks their size.
 *
 * Build for libFuzzer:
 *   clang -std=c11 -D_GNU_SOURCE -g -fsanitize=fuzzer,address -I. \
 *	test/fuzz/ndp.c ndp.c dns.c packet.c log.c checksum.c -o fuzz_ndp
 * Standalone (-DFUZZ_STANDALONE): ./fuzz_ndp [ITERATIONS] mutates a valid
 * request at random.
 */

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "ndp.h"
#include "log.h"
#include "packet.h"
#include "passt.h"
#include "tap.h"

static struct ctx fuzz_ctx;

/**
 * tap_icmp6_send() - Test double: check the message is sane, discard it
 * @c:		Execution context (unused)
 * @src:	Source address (unused)
 * @dst:	Destination address (unused)
 * @in:		Message
 * @dlen:	Message length
 */
void tap_icmp6_send(struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, const void *in, size_t dlen)
{
	volatile uint8_t sink;

	(void)c; (void)src; (void)dst;
	if (dlen < 24 || dlen > 1280 - 40)
		abort();
	sink = ((const uint8_t *)in)[dlen - 1];	/* whole reply readable */
	(void)sink;
}

/**
 * fuzz_init() - Set up the context once
 */
static void fuzz_init(void)
{
	struct ctx *c = &fuzz_ctx;

	log_set_level(LOG_ERR);
	inet_pton(AF_INET6, "2001:db8::1", &c->ip6.addr);
	inet_pton(AF_INET6, "2001:db8::fe", &c->ip6.gw);
	inet_pton(AF_INET6, "fe80::1", &c->ip6.our_tap_ll);
	inet_pton(AF_INET6, "2001:db8::53", &c->ip6.dns[0]);
	c->ip6.prefix_len = 64;
	c->ifi6_up = true;
	memset(c->our_tap_mac, 0x9a, sizeof(c->our_tap_mac));
	c->mtu = 1280;
	strcpy(c->dns_search[0], "example.com");
	strcpy(c->dns_search[1], "a.example.com");
	strcpy(c->hostname, "guest");
	strcpy(c->fqdn, "guest.example.com");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

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
	struct pool p = { .buf = (char *)data, .buf_size = size, .size = 1,
			  .count = 0, .pkt = iov };
	struct in6_addr s, d;

	if (!fuzz_ctx.ip6.prefix_len)
		fuzz_init();
	inet_pton(AF_INET6, size % 2 ? "::" : "fe80::2", &s);
	inet_pton(AF_INET6, "ff02::1", &d);
	if (packet_add(&p, size, (const char *)data))
		ndp(&fuzz_ctx, &p, &s, &d);
	return 0;
}

#ifdef FUZZ_STANDALONE
/**
 * fuzz_seed() - A valid Neighbour Solicitation, or Router Solicitation
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
 * main() - Run random mutations of a valid request
 * @argc:	Argument count
 * @argv:	Iterations, default 10000
 *
 * Return: 0
 */
int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000, i;
	unsigned seed = 1;
	uint8_t base[512];
	size_t blen = fuzz_seed(base);

	for (i = 0; i < n; i++) {
		size_t len = blen + (size_t)(rand_r(&seed) % 64), j, k;
		uint8_t *in = malloc(len ? len : 1);

		if (!in)
			return 1;
		memcpy(in, base, MIN(len, blen));
		for (j = blen; j < len; j++)
			in[j] = (uint8_t)rand_r(&seed);
		for (k = rand_r(&seed) % 8; k; k--)	/* mutate a few bytes */
			in[rand_r(&seed) % len] = (uint8_t)rand_r(&seed);
		if (rand_r(&seed) % 2)
			len = (size_t)rand_r(&seed) % (len + 1);	/* truncate */
		if (len && rand_r(&seed) % 3 == 0)
			in[0] = 133;	/* Router Solicitation */
		LLVMFuzzerTestOneInput(in, len);
		free(in);
	}
	printf("%ld inputs\n", n);
	return 0;
}
#endif /* FUZZ_STANDALONE */
