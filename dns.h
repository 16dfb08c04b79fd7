/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dns.h - DNS names and resolver lists on the wire */

#ifndef DNS_H
#define DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

struct ctx;

#define DNS_LABEL_MAX		63	/* RFC 1035 section 2.3.4 */
#define DNS_SFX_MAX		128	/* Suffixes kept to compress */

/**
 * struct dns_sfx - Suffixes already written, for name compression
 * @name:	Each suffix, as text (points into the caller's names)
 * @off:	Offset of each suffix in the encoded buffer
 * @cnt:	Suffixes recorded
 */
struct dns_sfx {
	const char *name[DNS_SFX_MAX];
	size_t off[DNS_SFX_MAX];
	size_t cnt;
};

bool dns_name_encode(uint8_t *out, size_t *len, size_t size,
		     const char *name, struct dns_sfx *sfx);
size_t dns_resolvers4(const struct ctx *c, struct in_addr *dns);
size_t dns_resolvers6(const struct ctx *c, struct in6_addr *dns);

#endif /* DNS_H */
