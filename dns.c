// SPDX-License-Identifier: GPL-2.0-or-later
/* dns.c - DNS names and resolver lists on the wire, shared by DHCP, DHCPv6
 * and NDP
 *
 * Domain names are written as length-prefixed labels ending in a zero
 * octet (RFC 1035 section 3.1), at most 63 bytes a label and 255 bytes a
 * name. DHCP's search list may compress them (RFC 3397, RFC 1035 section
 * 4.1.4): a suffix already written is replaced by a two-byte pointer to its
 * offset; DHCPv6 and NDP lists are never compressed (RFC 8415 section 10,
 * RFC 8106 section 5.2).
 *
 * The resolver lists given to the guest start with the address the guest
 * is told to use for the host's resolver (--dns-forward, dns_match), if
 * any, followed by the host's resolvers except loopback ones (unreachable
 * from the guest) and the one dns_match already stands for.
 *
 * No state: callers pass buffers and, for compression, a struct dns_sfx.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>
#include <netinet/in.h>

#include "dns.h"
#include "ctx.h"
#include "util.h"

/* Compression pointers (RFC 1035 section 4.1.4) */
#define DNS_PTR_FLAGS		0xc000
#define DNS_PTR_OFF_MAX		0x3fff

/**
 * dns_name_eq() - Compare two domain name suffixes, ignoring a final dot
 * @a:		First name
 * @b:		Second name
 *
 * Return: true if equal, case-insensitively
 */
static bool dns_name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la && a[la - 1] == '.')
		la--;
	if (lb && b[lb - 1] == '.')
		lb--;
	return la == lb && !strncasecmp(a, b, la);
}

/**
 * dns_sfx_find() - Find an already encoded suffix
 * @sfx:	Suffixes written so far
 * @name:	Suffix to look for, as text
 *
 * Return: its offset in the encoded buffer, or -1 if not found
 */
static long dns_sfx_find(const struct dns_sfx *sfx, const char *name)
{
	size_t i;

	for (i = 0; i < sfx->cnt; i++) {
		if (dns_name_eq(sfx->name[i], name))
			return (long)sfx->off[i];
	}
	return -1;
}

/**
 * dns_name_encode() - Append a domain name in wire format
 * @out:	Buffer
 * @len:	Bytes used in @out, updated on success (output)
 * @size:	Size of @out, bytes
 * @name:	Name as text, dot-separated, final dot optional
 * @sfx:	Suffixes for compression, updated; NULL to not compress
 *
 * Return: true if encoded, false if invalid or out of room (@len unchanged;
 *	   @sfx may have gained entries for the partly written name)
 */
bool dns_name_encode(uint8_t *out, size_t *len, size_t size,
		     const char *name, struct dns_sfx *sfx)
{
	size_t pos = *len, start = *len;
	const char *s = name;

	while (*s) {
		const char *dot = strchr(s, '.');
		size_t l = dot ? (size_t)(dot - s) : strlen(s);
		long ptr = sfx ? dns_sfx_find(sfx, s) : -1;

		if (ptr >= 0) {
			if (size - pos < 2)
				return false;
			out[pos++] = (uint8_t)((DNS_PTR_FLAGS | ptr) >> 8);
			out[pos++] = (uint8_t)ptr;
			*len = pos;
			return true;
		}
		if (!l || l > DNS_LABEL_MAX || size - pos < l + 2)
			return false;
		if (sfx && sfx->cnt < DNS_SFX_MAX && pos <= DNS_PTR_OFF_MAX) {
			sfx->name[sfx->cnt] = s;
			sfx->off[sfx->cnt++] = pos;
		}
		out[pos++] = (uint8_t)l;
		memcpy(out + pos, s, l);
		pos += l;
		s += l + !!dot;
	}
	if (pos == start || pos - start + 1 > DNS_NAME_MAX + 1)
		return false;
	out[pos++] = 0;
	*len = pos;
	return true;
}

/**
 * dns_resolvers4() - List the IPv4 resolvers given to the guest
 * @c:		Execution context
 * @dns:	Resolvers (output), DNS_MAX + 1 entries
 *
 * Return: number of resolvers in @dns, 0 with --no-dhcp-dns
 */
size_t dns_resolvers4(const struct ctx *c, struct in_addr *dns)
{
	const struct in_addr *match = &c->ip4.dns_match;
	size_t n = 0, i;

	if (c->no_dhcp_dns)
		return 0;
	if (!in4_is_unspec(match))
		dns[n++] = *match;
	for (i = 0; i < DNS_MAX && !in4_is_unspec(&c->ip4.dns[i]); i++) {
		if (in4_is_loopback(&c->ip4.dns[i]) ||
		    in4_equal(&c->ip4.dns[i], match) || n > DNS_MAX)
			continue;
		dns[n++] = c->ip4.dns[i];
	}
	return n;
}

/**
 * dns_resolvers6() - List the IPv6 resolvers given to the guest
 * @c:		Execution context
 * @dns:	Resolvers (output), DNS_MAX + 1 entries
 *
 * Return: number of resolvers in @dns, 0 with --no-dhcp-dns
 */
size_t dns_resolvers6(const struct ctx *c, struct in6_addr *dns)
{
	const struct in6_addr *match = &c->ip6.dns_match;
	size_t n = 0, i;

	if (c->no_dhcp_dns)
		return 0;
	if (!IN6_IS_ADDR_UNSPECIFIED(match))
		dns[n++] = *match;
	for (i = 0; i < DNS_MAX; i++) {
		const struct in6_addr *a = &c->ip6.dns[i];

		if (IN6_IS_ADDR_UNSPECIFIED(a))
			break;
		if (IN6_IS_ADDR_LOOPBACK(a) || IN6_ARE_ADDR_EQUAL(a, match) ||
		    n > DNS_MAX)
			continue;
		dns[n++] = *a;
	}
	return n;
}
