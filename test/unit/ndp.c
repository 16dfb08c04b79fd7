/* UNIT_SRCS: ndp.c dns.c packet.c log.c checksum.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/ndp.c - NDP: RA and NA contents, DAD, malformed messages
 *
 * ndp.c is linked with a test double of tap_icmp6_send() that records the
 * last message; solicitations are built on a local buffer and handed in
 * through a pool, as tap.c does.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "ndp.h"
#include "packet.h"
#include "ctx.h"
#include "tap_out.h"
#include "unit.h"

/**
 * struct sent - Last message captured by the tap_icmp6_send() double
 * @cnt:	Messages sent so far
 * @src:	Source address
 * @dst:	Destination address
 * @len:	Length, bytes
 * @buf:	ICMPv6 message
 */
static struct sent {
	unsigned cnt;
	struct in6_addr src, dst;
	size_t len;
	uint8_t buf[65536];
} sent;

static struct ctx c;
static const uint8_t our_mac[6] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 };

/**
 * tap_icmp6_send() - Test double: record the message
 * @c:		Execution context (unused)
 * @src:	Source address
 * @dst:	Destination address
 * @in:		Message
 * @l4len:	Length
 */
void tap_icmp6_send(struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, const void *in, size_t l4len)
{
	(void)c;
	sent.cnt++;
	sent.src = *src;
	sent.dst = *dst;
	sent.len = l4len;
	memcpy(sent.buf, in, l4len);
}

/**
 * a6() - Parse an IPv6 address
 * @s:		Text
 *
 * Return: address
 */
static struct in6_addr a6(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

/**
 * dst_is() - Was the last message sent to this address?
 * @s:		Address, text
 *
 * Return: 1 if so
 */
static int dst_is(const char *s)
{
	struct in6_addr a = a6(s);

	return !memcmp(&sent.dst, &a, sizeof(a));
}

/**
 * feed() - Hand a message to ndp() through a pool
 * @b:		Message
 * @len:	Length
 * @src:	Source address, text
 * @dst:	Destination address, text
 *
 * Return: what ndp() returns
 */
static int feed(const uint8_t *b, size_t len, const char *src, const char *dst)
{
	static uint8_t buf[4096];
	struct in6_addr s = a6(src), d = a6(dst);
	struct iovec iov[1];
	struct pool p = { .buf = (char *)buf, .buf_size = sizeof(buf),
			  .size = 1, .count = 0, .pkt = iov };

	memcpy(buf + 1, b, len);	/* odd address: no alignment assumed */
	packet_add(&p, len, (char *)buf + 1);
	return ndp(&c, &p, &s, &d);
}

/**
 * ns_build() - Build a Neighbour Solicitation
 * @b:		Buffer (output)
 * @target:	Target, text
 * @slla:	Append a source link-layer address option
 *
 * Return: length
 */
static size_t ns_build(uint8_t *b, const char *target, int slla)
{
	struct in6_addr t = a6(target);

	memset(b, 0, 32);
	b[0] = 135;
	memcpy(b + 8, &t, 16);
	if (!slla)
		return 24;
	b[24] = 1;
	b[25] = 1;
	memcpy(b + 26, "\x02\x00\x00\x00\x00\x02", 6);
	return 32;
}

/**
 * ra_opt() - Find an option in the captured RA
 * @type:	Option type
 * @len:	Length in bytes (output)
 *
 * Return: pointer to the option, NULL if absent
 */
static const uint8_t *ra_opt(uint8_t type, size_t *len)
{
	size_t off = 16;

	while (off + 2 <= sent.len && sent.buf[off + 1]) {
		if (sent.buf[off] == type) {
			*len = sent.buf[off + 1] * 8;
			return sent.buf + off;
		}
		off += sent.buf[off + 1] * 8;
	}
	return NULL;
}

/**
 * ctx_init() - Set up the fake context
 */
static void ctx_init(void)
{
	memset(&c, 0, sizeof(c));
	c.ifi6_up = true;
	c.ip6.addr = a6("2001:db8::1");
	c.ip6.prefix_len = 64;
	c.ip6.gw = a6("2001:db8::fe");
	c.ip6.our_tap_ll = a6("fe80::1");
	c.ip6.dns[0] = a6("2001:db8::53");
	c.ip6.addr_ll_seen = a6("fe80::2");
	memcpy(c.our_tap_mac, our_mac, 6);
	c.mtu = 1500;
	strcpy(c.dns_search[0], "example.com");
	strcpy(c.dns_search[1], "a.example.org");
}

/**
 * test_ra() - RS gets an RA with every option
 */
static void test_ra(void)
{
	static const uint8_t dnssl[] = "\x07" "example" "\x03" "com" "\x00"
				       "\x01" "a" "\x07" "example" "\x03" "org";
	struct in6_addr pfx = a6("2001:db8::"), dns = a6("2001:db8::53");
	uint8_t rs[16] = { 133 };
	const uint8_t *o;
	size_t len;

	sent.cnt = 0;
	unit_check(feed(rs, 8, "fe80::2", "ff02::2") == 1 && sent.cnt == 1,
	           "RS answered");
	unit_check(sent.buf[0] == 134 && sent.buf[1] == 0,
		   "RA: type 134 code 0");
	unit_check(sent.buf[5] == 0xc0, "RA: Managed and Other flags set");
	unit_check(sent.buf[6] == 0xff && sent.buf[7] == 0xff,
		   "RA: router lifetime");
	unit_check(!memcmp(&sent.src, &c.ip6.our_tap_ll, 16),
	           "RA: from our link-local address");
	unit_check(!memcmp(&sent.dst, &c.ip6.addr_ll_seen, 16),
	           "RA: to the soliciting address");
	o = ra_opt(3, &len);
	unit_check(o && len == 32 && o[2] == 64 && o[3] == 0xc0 &&
	           !memcmp(o + 16, &pfx, 16) &&
	           !memcmp(o + 4, "\xff\xff\xff\xff", 4),
	           "RA: prefix 2001:db8::/64, on-link, autonomous");
	o = ra_opt(5, &len);
	unit_check(o && len == 8 && !memcmp(o + 4, "\x00\x00\x05\xdc", 4),
	           "RA: MTU 1500");
	o = ra_opt(1, &len);
	unit_check(o && len == 8 && !memcmp(o + 2, our_mac, 6),
	           "RA: source link-layer address is our MAC");
	o = ra_opt(25, &len);
	unit_check(o && len == 24 && !memcmp(o + 8, &dns, 16), "RA: RDNSS");
	o = ra_opt(31, &len);
	unit_check(o && len == 40 && !memcmp(o + 8, dnssl, sizeof(dnssl)) &&
	           !o[8 + sizeof(dnssl)], "RA: DNSSL, padded to 8 bytes");

	rs[8] = 1;
	rs[9] = 1;
	unit_check(feed(rs, 16, "fe80::2", "ff02::2") == 1 && sent.cnt == 2,
	           "RS with SLLA from fe80::2 answered");
	sent.cnt = 0;
	feed(rs, 8, "::", "ff02::2");
	unit_check(sent.cnt == 1 && dst_is("ff02::1"),
	           "RS from :: answered to ff02::1");
	c.no_dhcpv6 = true;
	feed(rs, 8, "fe80::2", "ff02::2");
	unit_check(sent.buf[5] == 0, "RA: no M/O flags with --no-dhcpv6");
	c.no_dhcpv6 = false;
}

/**
 * test_na() - NS for the gateway and others answered, the guest's not
 */
static void test_na(void)
{
	struct in6_addr gw = a6("2001:db8::fe");
	uint8_t ns[64];
	size_t len;

	sent.cnt = 0;
	len = ns_build(ns, "2001:db8::fe", 1);
	unit_check(feed(ns, len, "fe80::2", "ff02::1:ff00:fe") == 1 &&
	           sent.cnt == 1, "NS for the gateway answered");
	unit_check(sent.buf[0] == 136 && sent.buf[4] == 0xe0 &&
	           !memcmp(sent.buf + 8, &gw, 16),
	           "NA: target gateway, Router, Solicited, Override");
	unit_check(sent.len == 32 && sent.buf[24] == 2 && sent.buf[25] == 1 &&
	           !memcmp(sent.buf + 26, our_mac, 6),
	           "NA: target LLA is our MAC");
	unit_check(dst_is("fe80::2"), "NA: to the solicitor");
	unit_check(!memcmp(&sent.src, &gw, 16), "NA: from the target address");

	len = ns_build(ns, "2001:db8::77", 0);
	feed(ns, len, "2001:db8::1", "ff02::1:ff00:77");
	unit_check(sent.cnt == 2, "NS for another address answered");
	len = ns_build(ns, "2001:db8::1", 0);
	feed(ns, len, "fe80::2", "ff02::1:ff00:1");
	unit_check(sent.cnt == 2, "NS for the guest's own address: no answer");
}

/**
 * test_dad() - DAD probes: only for our own addresses
 */
static void test_dad(void)
{
	uint8_t ns[64];
	size_t len;

	sent.cnt = 0;
	len = ns_build(ns, "2001:db8::5054:ff:fe12:3456", 0);
	unit_check(feed(ns, len, "::", "ff02::1:ff12:3456") == 1 && !sent.cnt,
	           "DAD for the guest's SLAAC address: no answer");
	len = ns_build(ns, "fe80::2", 0);
	feed(ns, len, "::", "ff02::1:ff00:2");
	len = ns_build(ns, "2001:db8::1", 0);
	feed(ns, len, "::", "ff02::1:ff00:1");
	unit_check(!sent.cnt, "DAD for the guest's addresses: no answer");
	len = ns_build(ns, "fe80::1", 0);
	feed(ns, len, "::", "ff02::1:ff00:1");
	unit_check(sent.cnt == 1 && dst_is("ff02::1") &&
	           sent.buf[4] == 0xa0,
	           "DAD for our address: NA to all-nodes, S=0");
}

/**
 * ndp_drops() - NDP messages dropped so far, for any reason
 *
 * Return: sum of the ndp_drop_* counters
 */
static unsigned long long ndp_drops(void)
{
	const struct passt_stats *s = &c.stats;

	return s->ndp_drop_short + s->ndp_drop_rs + s->ndp_drop_ns +
	       s->ndp_drop_target + s->ndp_drop_opts + s->ndp_drop_no_ra +
	       s->ndp_drop_ns_other + s->ndp_drop_type;
}

/**
 * test_bad() - Malformed messages dropped and counted
 */
static void test_bad(void)
{
	unsigned long long drops = ndp_drops();
	struct passt_stats before = c.stats;
	uint8_t ns[64], g[512];
	size_t len, i;

	sent.cnt = 0;
	len = ns_build(ns, "2001:db8::fe", 1);
	for (i = 4; i < 24; i++)
		feed(ns, i, "fe80::2", "ff02::1");
	unit_check(!sent.cnt && ndp_drops() - drops == 20,
	           "truncated NS: dropped, counted");
	unit_check(c.stats.ndp_drop_short - before.ndp_drop_short == 4 &&
		   c.stats.ndp_drop_ns - before.ndp_drop_ns == 16,
		   "...as short ICMPv6 header (4), malformed NS (16)");
	ns[25] = 0;			/* option length 0 */
	feed(ns, len, "fe80::2", "ff02::1");
	ns[25] = 2;			/* option past the end */
	feed(ns, len, "fe80::2", "ff02::1");
	ns[25] = 1;
	feed(ns, len, "::", "ff02::1");	/* SLLA in DAD */
	len = ns_build(ns, "ff02::1", 0);
	feed(ns, len, "fe80::2", "ff02::1");
	ns[1] = 1;			/* code */
	feed(ns, 24, "fe80::2", "ff02::1");
	unit_check(!sent.cnt && ndp_drops() - drops == 25,
	           "bad options, SLLA in DAD, multicast target, code: dropped");
	unit_check(c.stats.ndp_drop_opts - before.ndp_drop_opts == 3 &&
		   c.stats.ndp_drop_target - before.ndp_drop_target == 1 &&
		   c.stats.ndp_drop_ns - before.ndp_drop_ns == 17,
		   "...as bad options (3), multicast target, malformed NS");

	g[0] = 128;
	unit_check(feed(g, 8, "fe80::2", "fe80::1") == 0,
		   "echo request: not NDP");
	g[0] = 136;
	unit_check(feed(g, 24, "fe80::2", "fe80::1") == 1 && !sent.cnt,
	           "NA from the guest: consumed, no answer");
	srand(2);
	for (i = 0; i < 20000; i++) {
		size_t l = (size_t)rand() % sizeof(g), j;

		for (j = 0; j < l; j++)
			g[j] = (uint8_t)rand();
		g[0] = 133 + (i % 3);
		feed(g, l, (i & 1) ? "::" : "fe80::2", "ff02::1");
	}
	unit_check(1, "20000 random NDP messages: no crash");
}

/**
 * test_switches() - --no-ra, --no-ndp, periodic RAs
 */
static void test_switches(void)
{
	struct timespec now = { .tv_sec = 100 };
	uint8_t rs[8] = { 133 }, ns[64];
	size_t len = ns_build(ns, "2001:db8::fe", 0);

	sent.cnt = 0;
	c.no_ra = true;
	feed(rs, 8, "fe80::2", "ff02::2");
	ndp_timer(&c, &now);
	feed(ns, len, "fe80::2", "ff02::1:ff00:fe");
	unit_check(sent.cnt == 1 && sent.buf[0] == 136,
		   "--no-ra: NA but no RA");
	c.no_ra = false;
	c.no_ndp = true;
	unit_check(feed(rs, 8, "fe80::2", "ff02::2") == 1 && sent.cnt == 1,
	           "--no-ndp: consumed, no answer");
	c.no_ndp = false;

	ndp_timer(&c, &now);
	unit_check(sent.cnt == 2 && sent.buf[0] == 134 &&
	           dst_is("ff02::1"),
	           "timer: unsolicited RA to all-nodes");
	now.tv_sec = 101;
	ndp_timer(&c, &now);
	unit_check(sent.cnt == 2, "timer: not again after 1 s");
	now.tv_sec = 106;
	ndp_timer(&c, &now);
	unit_check(sent.cnt == 3, "timer: initial RAs a few seconds apart");
}

/**
 * main() - Run the checks
 *
 * Return: 0 if all passed
 */
int main(void)
{
	ctx_init();
	test_ra();
	test_na();
	test_dad();
	test_bad();
	test_switches();
	return unit_done();
}
