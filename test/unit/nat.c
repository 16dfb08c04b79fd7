/* UNIT_SRCS: nat.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/nat.c - Addresses standing for the host, both directions
 *
 * nat_outbound() and nat_inbound() on a context set up as conf() leaves
 * it: guest 192.0.2.1 and 2001:db8::1 (the host's own addresses),
 * gateway 192.0.2.254 and 2001:db8::fe mapped to the host's loopback,
 * --map-guest-addr 169.254.1.2 and 2001:db8:5::2, --dns-forward 192.0.2.53
 * to the host resolver 198.51.100.53. Checked: which mapping wins (DNS on
 * port 53 first, even on the gateway address), our IPv6 link-local
 * address, "none" (unspecified fields), and the reverse direction for
 * loopback, the host's own address and the resolver.
 */

#include <arpa/inet.h>
#include <string.h>

#include "inany.h"
#include "nat.h"
#include "ctx.h"
#include "unit.h"

static struct ctx c;

/**
 * a() - inany from text, IPv4 or IPv6
 * @s:		Address
 *
 * Return: address, IPv4 as v4-mapped
 */
static union inany_addr a(const char *s)
{
	union inany_addr r;
	struct in_addr a4;

	if (inet_pton(AF_INET, s, &a4) == 1)
		inany_from_v4(&r, a4);
	else
		inet_pton(AF_INET6, s, &r.a6);
	return r;
}

/**
 * out_is() - Check one outbound translation
 * @dst:	Guest's destination
 * @port:	Destination port
 * @how:	Expected result
 * @want:	Expected target
 * @desc:	Description
 */
static void out_is(const char *dst, uint16_t port, enum nat_out how,
		   const char *want, const char *desc)
{
	union inany_addr t = a(dst), w = a(want);

	unit_check(nat_outbound(&c, &t, port) == how && inany_equals(&t, &w),
		   desc);
}

/**
 * in_is() - Check one inbound translation
 * @src:	Host peer
 * @port:	Peer's port
 * @how:	Expected result
 * @want:	Expected address shown to the guest
 * @desc:	Description
 */
static void in_is(const char *src, uint16_t port, enum nat_in how,
		  const char *want, const char *desc)
{
	union inany_addr t = a(src), w = a(want);

	unit_check(nat_inbound(&c, &t, port) == how && inany_equals(&t, &w),
		   desc);
}

/**
 * ctx_init() - The context conf() would build for the options above
 */
static void ctx_init(void)
{
	memset(&c, 0, sizeof(c));
	inet_pton(AF_INET, "192.0.2.1", &c.ip4.addr);
	inet_pton(AF_INET, "192.0.2.254", &c.ip4.gw);
	c.ip4.map_host_loopback = c.ip4.gw;
	inet_pton(AF_INET, "169.254.1.2", &c.ip4.map_guest_addr);
	inet_pton(AF_INET, "192.0.2.53", &c.ip4.dns_match);
	inet_pton(AF_INET, "198.51.100.53", &c.ip4.dns_host);
	inet_pton(AF_INET6, "2001:db8::1", &c.ip6.addr);
	inet_pton(AF_INET6, "2001:db8::fe", &c.ip6.gw);
	inet_pton(AF_INET6, "fe80::1", &c.ip6.our_tap_ll);
	c.ip6.map_host_loopback = c.ip6.gw;
	inet_pton(AF_INET6, "2001:db8:5::2", &c.ip6.map_guest_addr);
}

/**
 * main() - Run the checks
 *
 * Return: 0 if all passed
 */
int main(void)
{
	ctx_init();
	out_is("192.0.2.254", 80, NAT_OUT_HOST_LO, "127.0.0.1",
	       "gateway: host loopback");
	out_is("2001:db8::fe", 80, NAT_OUT_HOST_LO, "::1",
	       "IPv6 gateway: host loopback");
	out_is("fe80::1", 80, NAT_OUT_HOST_LO, "::1",
	       "our link-local address: host loopback");
	out_is("169.254.1.2", 80, NAT_OUT_HOST_ADDR, "192.0.2.1",
	       "--map-guest-addr: the host's own address");
	out_is("2001:db8:5::2", 0, NAT_OUT_HOST_ADDR, "2001:db8::1",
	       "--map-guest-addr IPv6, ICMP: the host's own address");
	out_is("192.0.2.53", 53, NAT_OUT_DNS, "198.51.100.53",
	       "--dns-forward, port 53: host resolver");
	out_is("192.0.2.53", 54, NAT_OUT_SAME, "192.0.2.53",
	       "--dns-forward address, other port: unchanged");
	out_is("198.51.100.7", 53, NAT_OUT_SAME, "198.51.100.7",
	       "other address: unchanged");

	in_is("127.0.0.1", 9, NAT_IN_MAPPED, "192.0.2.254",
	      "host loopback peer: the gateway");
	in_is("::1", 9, NAT_IN_MAPPED, "2001:db8::fe",
	      "host ::1 peer: the IPv6 gateway");
	in_is("192.0.2.1", 9, NAT_IN_MAPPED, "169.254.1.2",
	      "host's own address: the --map-guest-addr address");
	in_is("2001:db8::1", 9, NAT_IN_MAPPED, "2001:db8:5::2",
	      "host's own IPv6 address: the --map-guest-addr address");
	in_is("198.51.100.53", 53, NAT_IN_MAPPED, "192.0.2.53",
	      "host resolver, port 53: the --dns-forward address");
	in_is("198.51.100.7", 9, NAT_IN_SAME, "198.51.100.7",
	      "other peer: unchanged");

	/* --dns-forward on the gateway address: DNS wins on port 53 only */
	c.ip4.dns_match = c.ip4.gw;
	out_is("192.0.2.254", 53, NAT_OUT_DNS, "198.51.100.53",
	       "--dns-forward on the gateway, port 53: resolver");
	out_is("192.0.2.254", 80, NAT_OUT_HOST_LO, "127.0.0.1",
	       "--dns-forward on the gateway, port 80: host loopback");
	memset(&c.ip4.dns_host, 0, sizeof(c.ip4.dns_host));
	out_is("192.0.2.254", 53, NAT_OUT_NONE, "0.0.0.0",
	       "--dns-forward without host resolver: nothing");

	/* --map-guest-addr none, --map-host-loopback none */
	memset(&c.ip4.map_guest_addr, 0, sizeof(c.ip4.map_guest_addr));
	memset(&c.ip4.map_host_loopback, 0, sizeof(c.ip4.map_host_loopback));
	memset(&c.ip4.dns_match, 0, sizeof(c.ip4.dns_match));
	out_is("192.0.2.254", 80, NAT_OUT_SAME, "192.0.2.254",
	       "no mapping: the gateway is the gateway");
	out_is("169.254.1.2", 80, NAT_OUT_SAME, "169.254.1.2",
	       "none: the former --map-guest-addr address is left alone");
	in_is("192.0.2.1", 9, NAT_IN_MAPPED, "192.0.2.254",
	      "no mapping: own-address peer as the gateway all the same");
	in_is("127.0.0.1", 9, NAT_IN_MAPPED, "192.0.2.254",
	      "no mapping: loopback peer as the gateway all the same");
	memset(&c.ip6.map_host_loopback, 0, sizeof(c.ip6.map_host_loopback));
	memset(&c.ip6.gw, 0, sizeof(c.ip6.gw));
	in_is("::1", 9, NAT_IN_MAPPED, "fe80::1",
	      "no mapping, no IPv6 gateway: our link-local address");
	memset(&c.ip4.gw, 0, sizeof(c.ip4.gw));
	in_is("127.0.0.1", 9, NAT_IN_UNMAPPED, "127.0.0.1",
	      "no mapping, no gateway: loopback peer left to the caller");
	inet_pton(AF_INET, "192.0.2.254", &c.ip4.gw);

	/* Only --map-host-loopback: the host's own address shown through it */
	c.ip4.map_host_loopback = c.ip4.gw;
	in_is("192.0.2.1", 9, NAT_IN_MAPPED, "192.0.2.254",
	      "no --map-guest-addr: own-address peer as the gateway");

	return unit_done();
}
