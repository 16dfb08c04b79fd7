// SPDX-License-Identifier: GPL-2.0-or-later
/* checksum.c - Internet checksums (RFC 1071) for IP, UDP, TCP, ICMP
 *
 * The one's complement sum is computed over 64-bit words into a 64-bit
 * accumulator with end-around carry, which the compiler vectorises well; on
 * x86_64 with AVX2 available at run time, csum_unfolded() uses a 256-bit
 * version. Both must agree on every length and alignment: test/unit/checksum.c
 * compares them on random buffers. Sums are kept unfolded (32 bits, host order
 * arithmetic on network-order 16-bit words) until csum_fold().
 */

#include <string.h>
#include <netinet/in.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/udp.h>

#include "checksum.h"
#include "util.h"

/**
 * csum_reduce() - Fold a 64-bit sum into 32 bits, end-around carry
 * @sum:	64-bit one's complement sum
 *
 * Return: equivalent 32-bit sum
 */
static inline uint32_t csum_reduce(uint64_t sum)
{
	sum = (sum & 0xffffffffULL) + (sum >> 32);
	sum = (sum & 0xffffffffULL) + (sum >> 32);
	return (uint32_t)sum;
}

/**
 * csum_unfolded_generic() - Unfolded one's complement sum of a buffer
 * @buf:	Data, any alignment
 * @len:	Length, bytes
 * @init:	Initial (unfolded) sum
 *
 * Return: 32-bit unfolded sum, as if the data were summed as 16-bit words
 *	   in memory order
 */
static uint32_t csum_unfolded_generic(const void *buf, size_t len, uint32_t init)
{
	const unsigned char *p = buf;
	uint64_t sum = init;
	uint64_t w;
	uint32_t w32;
	uint16_t w16;

	while (len >= 8) {
		memcpy(&w, p, 8);
		sum += w;
		sum += (sum < w);	/* end-around carry */
		p += 8;
		len -= 8;
	}
	sum = csum_reduce(sum);
	if (len >= 4) {
		memcpy(&w32, p, 4);
		sum += w32;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&w16, p, 2);
		sum += w16;
		p += 2;
		len -= 2;
	}
	if (len) {
		uint8_t last[2] = { *p, 0 };

		memcpy(&w16, last, 2);
		sum += w16;
	}
	return csum_reduce(sum);
}

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

/**
 * csum_avx2() - Unfolded sum of a buffer using 256-bit vectors
 * @buf:	Data, any alignment
 * @len:	Length, bytes
 * @init:	Initial (unfolded) sum
 *
 * Return: 32-bit unfolded sum, equal to csum_unfolded_generic()'s
 */
__attribute__((target("avx2")))
static uint32_t csum_avx2(const void *buf, size_t len, uint32_t init)
{
	const unsigned char *p = buf;
	__m256i acc = _mm256_setzero_si256();
	const __m256i zero = _mm256_setzero_si256();
	uint64_t lanes[4], sum = 0;
	size_t blocks;
	int i;

	/* Widen 32-bit words to 64-bit lanes: no carry is lost. Each 64-bit
	 * lane can take 2^32 additions of 32-bit values before overflowing.
	 */
	for (blocks = len / 32; blocks; blocks--) {
		__m256i v = _mm256_loadu_si256((const __m256i *)(const void *)p);

		acc = _mm256_add_epi64(acc, _mm256_unpacklo_epi32(v, zero));
		acc = _mm256_add_epi64(acc, _mm256_unpackhi_epi32(v, zero));
		p += 32;
	}
	len %= 32;
	_mm256_storeu_si256((__m256i *)(void *)lanes, acc);
	for (i = 0; i < 4; i++) {
		uint32_t r = csum_reduce(lanes[i]);

		sum += r;
	}
	sum += init;
	return csum_unfolded_generic(p, len, csum_reduce(sum));
}

/**
 * csum_unfolded() - Unfolded sum, AVX2 where the CPU has it
 * @buf:	Data, any alignment
 * @len:	Length, bytes
 * @init:	Initial (unfolded) sum
 *
 * Return: 32-bit unfolded sum
 */
uint32_t csum_unfolded(const void *buf, size_t len, uint32_t init)
{
	if (len >= 128 && __builtin_cpu_supports("avx2"))
		return csum_avx2(buf, len, init);
	return csum_unfolded_generic(buf, len, init);
}
#else
/**
 * csum_unfolded() - Unfolded sum of a buffer
 * @buf:	Data, any alignment
 * @len:	Length, bytes
 * @init:	Initial (unfolded) sum
 *
 * Return: 32-bit unfolded sum
 */
uint32_t csum_unfolded(const void *buf, size_t len, uint32_t init)
{
	return csum_unfolded_generic(buf, len, init);
}
#endif

/**
 * csum_fold() - Fold an unfolded sum and take its complement
 * @sum:	32-bit unfolded sum
 *
 * Return: checksum field value, network order
 */
__sum16 csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (__force __sum16)(uint16_t)~sum;
}

/**
 * csum() - Checksum of a buffer
 * @buf:	Data
 * @len:	Length, bytes
 * @init:	Initial (unfolded) sum
 *
 * Return: checksum field value, network order
 */
static __sum16 csum(const void *buf, size_t len, uint32_t init)
{
	return csum_fold(csum_unfolded(buf, len, init));
}

/**
 * csum_ip4_header() - IPv4 header checksum
 * @ip4h:	Header, with @check zero and ihl set
 *
 * Return: checksum field value
 */
__sum16 csum_ip4_header(const struct iphdr *ip4h)
{
	return csum(ip4h, (size_t)ip4h->ihl * 4, 0);
}

/**
 * csum_pseudo4() - Unfolded sum of an IPv4 pseudo-header
 * @l4len:	L4 length (header and payload), bytes
 * @proto:	IP protocol number
 * @saddr:	Source address
 * @daddr:	Destination address
 *
 * Return: unfolded sum
 */
uint32_t csum_pseudo4(size_t l4len, uint8_t proto, struct in_addr saddr,
		      struct in_addr daddr)
{
	uint32_t sum = (__force uint16_t)host_to_be16((uint16_t)l4len);

	sum += (__force uint16_t)host_to_be16(proto);
	sum += (saddr.s_addr >> 16) + (saddr.s_addr & 0xffff);
	sum += (daddr.s_addr >> 16) + (daddr.s_addr & 0xffff);
	return sum;
}

/**
 * csum_pseudo6() - Unfolded sum of an IPv6 pseudo-header
 * @l4len:	L4 length (header and payload), bytes
 * @proto:	Next header number
 * @saddr:	Source address
 * @daddr:	Destination address
 *
 * Return: unfolded sum
 */
uint32_t csum_pseudo6(size_t l4len, uint8_t proto,
		      const struct in6_addr *saddr,
		      const struct in6_addr *daddr)
{
	uint32_t sum = (__force uint32_t)host_to_be32((uint32_t)l4len);

	sum = (sum >> 16) + (sum & 0xffff);
	sum += (__force uint16_t)host_to_be16(proto);
	sum = csum_unfolded_generic(saddr, sizeof(*saddr), sum);
	return csum_unfolded_generic(daddr, sizeof(*daddr), sum);
}

/**
 * csum_udp4() - Set the checksum of a UDP over IPv4 datagram
 * @uh:		UDP header, @len set, @check is overwritten
 * @saddr:	Source address
 * @daddr:	Destination address
 * @payload:	Payload
 * @dlen:	Payload length, bytes
 */
void csum_udp4(struct udphdr *uh, struct in_addr saddr, struct in_addr daddr,
	       const void *payload, size_t dlen)
{
	size_t l4len = dlen + sizeof(*uh);
	uint32_t sum = csum_pseudo4(l4len, IPPROTO_UDP, saddr, daddr);
	__sum16 check;

	uh->check = 0;
	sum = csum_unfolded(uh, sizeof(*uh), sum);
	check = csum(payload, dlen, sum);
	/* RFC 768: a computed zero is sent as all ones */
	uh->check = check ? check : (__force __sum16)0xffff;
}

/**
 * csum_udp6() - Set the checksum of a UDP over IPv6 datagram
 * @uh:		UDP header, @len set, @check is overwritten
 * @saddr:	Source address
 * @daddr:	Destination address
 * @payload:	Payload
 * @dlen:	Payload length, bytes
 */
void csum_udp6(struct udphdr *uh, const struct in6_addr *saddr,
	       const struct in6_addr *daddr, const void *payload, size_t dlen)
{
	size_t l4len = dlen + sizeof(*uh);
	uint32_t sum = csum_pseudo6(l4len, IPPROTO_UDP, saddr, daddr);
	__sum16 check;

	uh->check = 0;
	sum = csum_unfolded(uh, sizeof(*uh), sum);
	check = csum(payload, dlen, sum);
	uh->check = check ? check : (__force __sum16)0xffff;
}

/**
 * csum_icmp4() - Set the checksum of an ICMP message
 * @ih:		ICMP header, @checksum is overwritten
 * @payload:	Data after the header
 * @dlen:	Length of @payload, bytes
 */
void csum_icmp4(struct icmphdr *ih, const void *payload, size_t dlen)
{
	uint32_t sum;

	ih->checksum = 0;
	sum = csum_unfolded(ih, sizeof(*ih), 0);
	ih->checksum = csum(payload, dlen, sum);
}

/**
 * csum_icmp6() - Set the checksum of an ICMPv6 message
 * @ih:		ICMPv6 header, @icmp6_cksum is overwritten
 * @saddr:	Source address
 * @daddr:	Destination address
 * @payload:	Data after the header
 * @dlen:	Length of @payload, bytes
 */
void csum_icmp6(struct icmp6hdr *ih, const struct in6_addr *saddr,
		const struct in6_addr *daddr, const void *payload, size_t dlen)
{
	uint32_t sum = csum_pseudo6(dlen + sizeof(*ih), IPPROTO_ICMPV6,
				    saddr, daddr);

	ih->icmp6_cksum = 0;
	sum = csum_unfolded(ih, sizeof(*ih), sum);
	ih->icmp6_cksum = csum(payload, dlen, sum);
}
