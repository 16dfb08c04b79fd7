/* UNIT_SRCS: log.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/checksum.c - RFC 1071 vectors; AVX2 and generic sums agree */

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include "../../checksum.c"	/* static csum(), csum_unfolded_generic() */
#include "unit.h"

/**
 * ref_sum() - Bytewise reference one's complement checksum
 * @p:		Data
 * @len:	Length, bytes
 *
 * Return: checksum, network order as stored in headers
 */
static uint16_t ref_sum(const unsigned char *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/**
 * test_ip4_header() - A known IPv4 header checksum
 */
static void test_ip4_header(void)
{
	/* 45 00 00 73 00 00 40 00 40 11 [b8 61] c0 a8 00 01 c0 a8 00 c7 */
	unsigned char h[20] = { 0x45, 0, 0, 0x73, 0, 0, 0x40, 0, 0x40, 0x11,
				0, 0, 0xc0, 0xa8, 0, 1, 0xc0, 0xa8, 0, 0xc7 };
	uint16_t v = (uint16_t)csum_ip4_header((struct iphdr *)(void *)h);

	unit_check(ntohs(v) == 0xb861, "known IPv4 header checksum");
}

/**
 * test_random() - Every length and alignment: three ways agree
 */
static void test_random(void)
{
	static unsigned char buf[4096 + 64];
	unsigned seed = 12345, bad = 0;
	size_t len, align, i;

	for (i = 0; i < sizeof(buf); i++) {
		seed = seed * 1103515245 + 12345;
		buf[i] = (unsigned char)(seed >> 16);
	}
	for (align = 0; align < 32; align++) {
		for (len = 0; len <= 4096; len += (len < 300 ? 1 : 37)) {
			const unsigned char *p = buf + align;
			uint16_t r = ref_sum(p, len);
			uint16_t g = (uint16_t)csum_fold(
				csum_unfolded_generic(p, len, 0));
			uint16_t f = (uint16_t)csum(p, len, 0);

			if (r != g || r != f)
				bad++;
		}
	}
	unit_check(!bad, "generic and AVX2 sums match reference, all lengths");
	memset(buf, 0xff, sizeof(buf));
	unit_check((uint16_t)csum(buf, 4096, 0) == ref_sum(buf, 4096),
		   "all-ones buffer (carry stress)");
}

/**
 * test_udp4() - A UDP checksum verifies to zero over the pseudo-header
 */
static void test_udp4(void)
{
	unsigned char pkt[sizeof(struct udphdr) + 5] = { 0 };
	struct udphdr *uh = (struct udphdr *)(void *)pkt;
	struct in_addr s, d;
	uint32_t sum;

	inet_pton(AF_INET, "192.0.2.1", &s);
	inet_pton(AF_INET, "198.51.100.1", &d);
	uh->source = htons(1234);
	uh->dest = htons(53);
	uh->len = htons(sizeof(pkt));
	memcpy(pkt + sizeof(*uh), "hello", 5);
	csum_udp4(uh, s, d, pkt + sizeof(*uh), 5);
	sum = csum_pseudo4(sizeof(pkt), IPPROTO_UDP, s, d);
	unit_check(!(uint16_t)csum(pkt, sizeof(pkt), sum),
		   "UDP/IPv4 checksum verifies");
}

/**
 * main() - Run the checksum tests
 *
 * Return: 0 if all passed
 */
int main(void)
{
	test_ip4_header();
	test_random();
	test_udp4();
	return unit_done();
}
