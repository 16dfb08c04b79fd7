// SPDX-License-Identifier: GPL-2.0-or-later
/* siphash.c - SipHash-2-4 (Aumasson, Bernstein), written from the paper
 *
 * Used where a peer must not predict or collide our values: TCP initial
 * sequence numbers (RFC 6528), flow table buckets, IPv6 flow labels.
 */

#include <endian.h>
#include <string.h>

#include "siphash.h"

#define ROTL64(x, b)	(((x) << (b)) | ((x) >> (64 - (b))))

/**
 * sip_round() - One SipRound over the four state words
 * @v:		State, updated in place
 */
static inline void sip_round(uint64_t v[4])
{
	v[0] += v[1]; v[1] = ROTL64(v[1], 13); v[1] ^= v[0];
	v[0] = ROTL64(v[0], 32);
	v[2] += v[3]; v[3] = ROTL64(v[3], 16); v[3] ^= v[2];
	v[0] += v[3]; v[3] = ROTL64(v[3], 21); v[3] ^= v[0];
	v[2] += v[1]; v[1] = ROTL64(v[1], 17); v[1] ^= v[2];
	v[2] = ROTL64(v[2], 32);
}

/**
 * siphash_2_4() - Keyed 64-bit hash of a byte string
 * @key:	Secret key
 * @data:	Input
 * @len:	Length of @data, bytes
 *
 * Return: 64-bit hash (little-endian word reading, as the reference)
 */
uint64_t siphash_2_4(const struct siphash_key *key, const void *data,
		     size_t len)
{
	uint64_t v[4] = {
		key->k[0] ^ 0x736f6d6570736575ULL,
		key->k[1] ^ 0x646f72616e646f6dULL,
		key->k[0] ^ 0x6c7967656e657261ULL,
		key->k[1] ^ 0x7465646279746573ULL,
	};
	const unsigned char *p = data;
	uint64_t m, b = (uint64_t)len << 56;
	size_t i, left = len % 8;

	for (i = 0; i + 8 <= len; i += 8) {
		memcpy(&m, p + i, 8);
		m = le64toh(m);
		v[3] ^= m;
		sip_round(v);
		sip_round(v);
		v[0] ^= m;
	}
	for (m = 0; left; left--)
		m |= (uint64_t)p[i + left - 1] << (8 * (left - 1));
	b |= m;
	v[3] ^= b;
	sip_round(v);
	sip_round(v);
	v[0] ^= b;
	v[2] ^= 0xff;
	sip_round(v);
	sip_round(v);
	sip_round(v);
	sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}
