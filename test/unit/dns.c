/* UNIT_SRCS: dns.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/dns.c - Domain names on the wire, with and without compression;
 * resolver lists with the --dns-forward address first
 */

#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "dns.h"
#include "ctx.h"
#include "unit.h"

static struct ctx c;

/**
 * enc_is() - Encode one name and compare with the expected bytes
 * @name:	Name as text
 * @sfx:	Suffixes for compression, or NULL
 * @out:	Buffer, DNS_NAME_MAX + 2 bytes at least
 * @len:	Bytes used in @out, updated (output)
 * @exp:	Expected bytes appended
 * @exp_len:	Length of @exp
 *
 * Return: true if encoded and the appended bytes match
 */
static bool enc_is(const char *name, struct dns_sfx *sfx, uint8_t *out,
		   size_t *len, const char *exp, size_t exp_len)
{
	size_t start = *len;

	if (!dns_name_encode(out, len, 512, name, sfx))
		return false;
	return *len - start == exp_len && !memcmp(out + start, exp, exp_len);
}

/**
 * test_plain() - Uncompressed encoding
 */
static void test_plain(void)
{
	uint8_t out[512];
	size_t len = 0;

	unit_check(enc_is("example.com", NULL, out, &len,
			  "\7example\3com\0", 13), "example.com");
	unit_check(enc_is("a.example.org", NULL, out, &len,
			  "\1a\7example\3org\0", 15),
		   "a.example.org, appended, no compression");
	unit_check(len == 28, "both names appended");
	unit_check(enc_is("example.com.", NULL, out, &len,
			  "\7example\3com\0", 13), "final dot ignored");
}

/**
 * test_compressed() - Suffixes already written become pointers
 */
static void test_compressed(void)
{
	struct dns_sfx sfx = { .cnt = 0 };
	uint8_t out[512];
	size_t len = 0;

	unit_check(enc_is("example.com", &sfx, out, &len,
			  "\7example\3com\0", 13), "first name written out");
	unit_check(enc_is("example.org", &sfx, out, &len,
			  "\7example\3org\0", 13), "other TLD not compressed");
	unit_check(enc_is("a.example.org", &sfx, out, &len,
			  "\1a\xc0\x0d", 4), "a.example.org: pointer to 13");
	unit_check(enc_is("b.Example.COM.", &sfx, out, &len,
			  "\1b\xc0\x00", 4), "case and final dot ignored");
	unit_check(enc_is("x.com", &sfx, out, &len, "\1x\xc0\x08", 4),
		   "pointer to a suffix inside a name");
}

/**
 * test_invalid() - Invalid names and lack of room leave @len unchanged
 */
static void test_invalid(void)
{
	char name[300];
	uint8_t out[512];
	size_t len = 5;

	unit_check(!dns_name_encode(out, &len, sizeof(out), "", NULL) &&
		   len == 5, "empty name rejected");
	unit_check(!dns_name_encode(out, &len, sizeof(out), "a..b", NULL) &&
		   len == 5, "empty label rejected");
	unit_check(!dns_name_encode(out, &len, sizeof(out), ".a", NULL),
		   "leading dot rejected");
	memset(name, 'x', 64);
	strcpy(name + 64, ".com");
	unit_check(!dns_name_encode(out, &len, sizeof(out), name, NULL) &&
		   len == 5, "label of 64 bytes rejected");
	unit_check(dns_name_encode(out, &len, sizeof(out), name + 1, NULL) &&
		   len == 5 + 69, "label of 63 bytes taken");
	len = 5;
	unit_check(!dns_name_encode(out, &len, 5 + 12, "example.com", NULL) &&
		   len == 5, "out of room by one byte");
	unit_check(dns_name_encode(out, &len, 5 + 13, "example.com", NULL) &&
		   len == 18, "exactly enough room");
}

/**
 * test_name_max() - Names of 253 characters fit in 255 bytes, longer not
 */
static void test_name_max(void)
{
	char name[DNS_NAME_MAX + 2];
	uint8_t out[512];
	size_t len = 0, i;

	memset(name, 'x', 253);
	for (i = 63; i < 253; i += 64)
		name[i] = '.';
	name[253] = '\0';
	unit_check(dns_name_encode(out, &len, sizeof(out), name, NULL) &&
		   len == 255, "253 characters: 255 bytes");
	strcpy(name + 253, ".");
	len = 0;
	unit_check(dns_name_encode(out, &len, sizeof(out), name, NULL) &&
		   len == 255, "253 characters and final dot: 255 bytes");
	name[253] = 'x';
	len = 0;
	unit_check(!dns_name_encode(out, &len, sizeof(out), name, NULL) &&
		   !len, "254 characters rejected");
}

/**
 * test_resolvers() - --dns-forward address first, loopback left out
 */
static void test_resolvers(void)
{
	struct in6_addr dns6[DNS_MAX + 2], a6;
	struct in_addr dns4[DNS_MAX + 2];

	inet_pton(AF_INET, "192.0.2.53", &c.ip4.dns_match);
	inet_pton(AF_INET, "127.0.0.53", &c.ip4.dns[0]);
	inet_pton(AF_INET, "198.51.100.1", &c.ip4.dns[1]);
	unit_check(dns_resolvers4(&c, dns4) == 2 &&
		   dns4[0].s_addr == c.ip4.dns_match.s_addr &&
		   dns4[1].s_addr == c.ip4.dns[1].s_addr,
		   "IPv4: match first, loopback left out");
	inet_pton(AF_INET6, "2001:db8::53", &c.ip6.dns_match);
	c.ip6.dns[0] = c.ip6.dns_match;
	inet_pton(AF_INET6, "::1", &c.ip6.dns[1]);
	inet_pton(AF_INET6, "2001:db8::1", &a6);
	c.ip6.dns[2] = a6;
	unit_check(dns_resolvers6(&c, dns6) == 2 &&
		   IN6_ARE_ADDR_EQUAL(&dns6[0], &c.ip6.dns_match) &&
		   IN6_ARE_ADDR_EQUAL(&dns6[1], &a6),
		   "IPv6: match once, loopback left out");
	c.no_dhcp_dns = true;
	unit_check(!dns_resolvers4(&c, dns4) && !dns_resolvers6(&c, dns6),
		   "none with --no-dhcp-dns");
}

/**
 * main() - Run the DNS encoding tests
 *
 * Return: 0 if all passed
 */
int main(void)
{
	test_plain();
	test_compressed();
	test_invalid();
	test_name_max();
	test_resolvers();
	return unit_done();
}
