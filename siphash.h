/* SPDX-License-Identifier: GPL-2.0-or-later */
/* siphash.h - SipHash-2-4 keyed hash (flow tables, ISNs, flow labels) */

#ifndef SIPHASH_H
#define SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/**
 * struct siphash_key - 128-bit secret key, random at start-up
 * @k:		Key words
 */
struct siphash_key {
	uint64_t k[2];
};

uint64_t siphash_2_4(const struct siphash_key *key, const void *data,
		     size_t len);

#endif /* SIPHASH_H */
