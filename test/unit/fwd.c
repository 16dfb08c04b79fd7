/* UNIT_SRCS: fwd.c log.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/fwd.c - Forwarding decisions: fwd_from_tap(), fwd_from_host()
 *
 * On a context set up as conf() leaves it: guest 192.0.2.1 and
 * 2001:db8::1 (the host's own addresses), gateway 192.0.2.254 and
 * 2001:db8::fe mapped to the host's loopback, --map-guest-addr
 * 169.254.1.2 and 2001:db8:5::2, --dns-forward 192.0.2.53 to the host
 * resolver 198.51.100.53. Checked, from the guest: which mapping wins (DNS
 * on port 53 first, even on the gateway address, never for an ICMP
 * identifier 53), our IPv6 link-local address, "none" (unspecified
 * fields), the -o address and ports bound, UDP's refusals (loopback,
 * multicast). From a forwarded port: the reverse translation for
 * loopback, the host's own address and the resolver, the guest's port,
 * remapped, a loopback peer without any gateway (TCP shows it,
 * UDP refuses it), and in pasta which flows are spliced (loopback peers,
 * namespace-side listeners, --no-splice, --host-lo-to-ns-lo) and where
 * they go.
 */

#include <arpa/inet.h>
#include <string.h>

#include "inany.h"
#include "fwd.h"
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
 * tap_side() - A guest's side: its address and port, its destination
 * @dst:	Destination
 * @port:	Destination port (ICMP: the identifier, both ports)
 *
 * Return: the side, the guest being 192.0.2.1 or 2001:db8::1, port 40000
 */
static struct flowside tap_side(const char *dst, uint16_t port)
{
	struct flowside ini = { .local = a(dst), .local_port = port,
				.peer_port = 40000 };

	ini.peer = inany_v4(&ini.local) ? a("192.0.2.1") : a("2001:db8::1");
	return ini;
}

/**
 * out_is() - Check one destination from the guest, TCP (ICMP on port 0)
 * @dst:	Guest's destination
 * @port:	Destination port, 0 for an ICMP echo
 * @pif:	Expected target interface: PIF_HOST, or PIF_NONE if refused
 * @want:	Expected target address (ignored if refused: all zeroes)
 * @desc:	Description
 */
static void out_is(const char *dst, uint16_t port, enum flow_pif pif,
		   const char *want, const char *desc)
{
	uint8_t proto = port ? IPPROTO_TCP : IPPROTO_ICMPV6;
	struct flowside ini = tap_side(dst, port), tgt, zero = { 0 };
	union inany_addr w = a(want);
	bool ok;

	ok = fwd_from_tap(&c, proto, &ini, &tgt) == pif;
	if (pif == PIF_NONE)
		ok = ok && !memcmp(&tgt, &zero, sizeof(tgt));
	else
		ok = ok && inany_equals(&tgt.peer, &w) &&
		     tgt.peer_port == port;
	unit_check(ok, desc);
}

/**
 * in_is() - Check how a TCP peer of forwarded port 80 is shown to the guest
 * @src:	Host peer
 * @port:	Peer's port
 * @want:	Expected address shown to the guest
 * @desc:	Description
 */
static void in_is(const char *src, uint16_t port, const char *want,
		  const char *desc)
{
	struct flowside ini = { .peer = a(src), .peer_port = port,
				.local_port = 80 }, tgt;
	union inany_addr w = a(want);

	unit_check(fwd_from_host(&c, IPPROTO_TCP, PIF_HOST, &ini, &tgt) ==
		   PIF_TAP && inany_equals(&tgt.local, &w) &&
		   tgt.local_port == port, desc);
}

/**
 * host_is() - Check where a flow from a forwarded port goes
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @pif:	Interface of the listening socket
 * @src:	Peer
 * @pif_want:	Expected target interface
 * @want:	Expected target peer address (ignored for PIF_NONE)
 * @port_want:	Expected target peer port (ignored for PIF_NONE)
 * @desc:	Description
 */
static void host_is(uint8_t proto, enum flow_pif pif, const char *src,
		    enum flow_pif pif_want, const char *want,
		    uint16_t port_want, const char *desc)
{
	struct flowside ini = { .peer = a(src), .peer_port = 5000,
				.local_port = 80 }, tgt;
	union inany_addr w = a(want);
	bool ok;

	ok = fwd_from_host(&c, proto, pif, &ini, &tgt) == pif_want;
	if (pif_want != PIF_NONE)
		ok = ok && inany_equals(&tgt.peer, &w) &&
		     tgt.peer_port == port_want;
	unit_check(ok, desc);
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
 * translations() - Addresses standing for the host, both directions
 */
static void translations(void)
{
	out_is("192.0.2.254", 80, PIF_HOST, "127.0.0.1",
	       "gateway: host loopback");
	out_is("2001:db8::fe", 80, PIF_HOST, "::1",
	       "IPv6 gateway: host loopback");
	out_is("fe80::1", 80, PIF_HOST, "::1",
	       "our link-local address: host loopback");
	out_is("169.254.1.2", 80, PIF_HOST, "192.0.2.1",
	       "--map-guest-addr: the host's own address");
	out_is("2001:db8:5::2", 0, PIF_HOST, "2001:db8::1",
	       "--map-guest-addr IPv6, ICMP: the host's own address");
	out_is("192.0.2.53", 53, PIF_HOST, "198.51.100.53",
	       "--dns-forward, port 53: host resolver");
	out_is("192.0.2.53", 54, PIF_HOST, "192.0.2.53",
	       "--dns-forward address, other port: unchanged");
	out_is("198.51.100.7", 53, PIF_HOST, "198.51.100.7",
	       "other address: unchanged");

	in_is("127.0.0.1", 9, "192.0.2.254",
	      "host loopback peer: the gateway");
	in_is("::1", 9, "2001:db8::fe",
	      "host ::1 peer: the IPv6 gateway");
	in_is("192.0.2.1", 9, "169.254.1.2",
	      "host's own address: the --map-guest-addr address");
	in_is("2001:db8::1", 9, "2001:db8:5::2",
	      "host's own IPv6 address: the --map-guest-addr address");
	in_is("198.51.100.53", 53, "192.0.2.53",
	      "host resolver, port 53: the --dns-forward address");
	in_is("198.51.100.7", 9, "198.51.100.7",
	      "other peer: unchanged");

	/* --dns-forward on the gateway address: DNS wins on port 53 only */
	c.ip4.dns_match = c.ip4.gw;
	out_is("192.0.2.254", 53, PIF_HOST, "198.51.100.53",
	       "--dns-forward on the gateway, port 53: resolver");
	out_is("192.0.2.254", 80, PIF_HOST, "127.0.0.1",
	       "--dns-forward on the gateway, port 80: host loopback");
	memset(&c.ip4.dns_host, 0, sizeof(c.ip4.dns_host));
	out_is("192.0.2.254", 53, PIF_NONE, "0.0.0.0",
	       "--dns-forward without host resolver: nothing");

	/* --map-guest-addr none, --map-host-loopback none */
	memset(&c.ip4.map_guest_addr, 0, sizeof(c.ip4.map_guest_addr));
	memset(&c.ip4.map_host_loopback, 0, sizeof(c.ip4.map_host_loopback));
	memset(&c.ip4.dns_match, 0, sizeof(c.ip4.dns_match));
	out_is("192.0.2.254", 80, PIF_HOST, "192.0.2.254",
	       "no mapping: the gateway is the gateway");
	out_is("169.254.1.2", 80, PIF_HOST, "169.254.1.2",
	       "none: the former --map-guest-addr address is left alone");
	in_is("192.0.2.1", 9, "192.0.2.254",
	      "no mapping: own-address peer as the gateway all the same");
	in_is("127.0.0.1", 9, "192.0.2.254",
	      "no mapping: loopback peer as the gateway all the same");
	memset(&c.ip6.map_host_loopback, 0, sizeof(c.ip6.map_host_loopback));
	memset(&c.ip6.gw, 0, sizeof(c.ip6.gw));
	in_is("::1", 9, "fe80::1",
	      "no mapping, no IPv6 gateway: our link-local address");
	memset(&c.ip4.gw, 0, sizeof(c.ip4.gw));
	in_is("127.0.0.1", 9, "127.0.0.1",
	      "no mapping, no gateway: loopback peer left to the caller");
	host_is(IPPROTO_UDP, PIF_HOST, "127.0.0.1", PIF_NONE, "", 0,
		"no mapping, no gateway: UDP loopback peer refused");
	inet_pton(AF_INET, "192.0.2.254", &c.ip4.gw);

	/* Only --map-host-loopback: the host's own address shown through it */
	c.ip4.map_host_loopback = c.ip4.gw;
	in_is("192.0.2.1", 9, "192.0.2.254",
	      "no --map-guest-addr: own-address peer as the gateway");
}

/**
 * from_tap() - Target sides of new flows from the guest
 */
static void from_tap(void)
{
	struct flowside ini = tap_side("192.0.2.254", 53), tgt;

	out_is("192.0.2.53", 0, PIF_HOST, "192.0.2.53",
	       "ICMP to the --dns-forward address: no port 53, unchanged");
	c.ip6.dns_match = c.ip6.gw;
	inet_pton(AF_INET6, "2001:db8::53", &c.ip6.dns_host);
	ini = tap_side("2001:db8::fe", 53);
	ini.peer_port = ini.local_port = 53;
	unit_check(fwd_from_tap(&c, IPPROTO_ICMPV6, &ini, &tgt) == PIF_HOST &&
		   inany_equals(&tgt.peer, &(union inany_addr){ .a6 =
						in6addr_loopback }) &&
		   tgt.local_port == 53,
		   "ICMPv6 identifier 53 to the gateway: host loopback");

	inet_pton(AF_INET, "192.0.2.10", &c.ip4.addr_out);
	ini = tap_side("198.51.100.7", 7000);
	unit_check(fwd_from_tap(&c, IPPROTO_UDP, &ini, &tgt) == PIF_HOST &&
		   inany_equals(&tgt.local, &(union inany_addr){ .a6 =
						a("192.0.2.10").a6 }) &&
		   tgt.local_port == 40000 && tgt.peer_port == 7000,
		   "UDP: bound to the -o address and the guest's port");
	unit_check(fwd_from_tap(&c, IPPROTO_TCP, &ini, &tgt) == PIF_HOST &&
		   inany_equals(&tgt.local, &(union inany_addr){ .a6 =
						a("192.0.2.10").a6 }) &&
		   !tgt.local_port, "TCP: bound to the -o address, any port");
	ini = tap_side("192.0.2.254", 7000);
	unit_check(fwd_from_tap(&c, IPPROTO_UDP, &ini, &tgt) == PIF_HOST &&
		   inany_equals(&tgt.local, &(union inany_addr){ .a6 =
						a("0.0.0.0").a6 }),
		   "UDP to the host's loopback: not bound to the -o address");
	ini = tap_side("127.0.0.1", 7000);
	unit_check(fwd_from_tap(&c, IPPROTO_UDP, &ini, &tgt) == PIF_NONE,
		   "UDP: loopback destination from the guest refused");
	ini = tap_side("224.0.0.251", 5353);
	unit_check(fwd_from_tap(&c, IPPROTO_UDP, &ini, &tgt) == PIF_NONE,
		   "UDP: multicast destination refused");
	ini = tap_side("fe80::2", 5353);
	unit_check(fwd_from_tap(&c, IPPROTO_UDP, &ini, &tgt) == PIF_NONE,
		   "UDP: link-local destination refused");
}

/**
 * from_host() - Target sides of new flows from forwarded ports
 */
static void from_host(void)
{
	struct flowside ini = { .peer = a("198.51.100.7"), .peer_port = 5000,
				.local_port = 80 }, tgt;

	c.tcp_in.delta[80] = 8000;
	host_is(IPPROTO_TCP, PIF_HOST, "198.51.100.7", PIF_TAP, "0.0.0.0",
		8080, "TCP to the guest: address left to tcp, port remapped");
	host_is(IPPROTO_UDP, PIF_HOST, "198.51.100.7", PIF_TAP, "0.0.0.0",
		80, "UDP to the guest: any of its addresses, -u's port");
	host_is(IPPROTO_TCP, PIF_HOST, "2001:db8:9::7", PIF_TAP, "::",
		8080, "TCP to the guest over IPv6: address of that family");
	host_is(IPPROTO_TCP, PIF_SPLICE, "127.0.0.1", PIF_NONE, "", 0,
		"passt: no namespace side");
	unit_check(fwd_from_host(&c, IPPROTO_UDP, PIF_HOST, &ini, &tgt) ==
		   PIF_TAP && tgt.local_port == 5000 &&
		   inany_equals(&tgt.local, &ini.peer),
		   "UDP to the guest: far end is the peer");

	c.mode = MODE_PASTA;
	c.udp_out.delta[80] = 1;
	host_is(IPPROTO_TCP, PIF_HOST, "127.0.0.1", PIF_SPLICE, "192.0.2.1",
		8080, "pasta: loopback peer spliced to the namespace address");
	host_is(IPPROTO_TCP, PIF_HOST, "::1", PIF_SPLICE, "2001:db8::1",
		8080, "pasta: ::1 peer spliced to the namespace address");
	host_is(IPPROTO_TCP, PIF_HOST, "198.51.100.7", PIF_TAP, "0.0.0.0",
		8080, "pasta: other peers go to the guest");
	host_is(IPPROTO_UDP, PIF_SPLICE, "192.0.2.1", PIF_HOST, "127.0.0.1",
		81, "pasta: namespace side to the host's loopback, -U port");
	ini.peer = a("127.0.0.1");
	unit_check(fwd_from_host(&c, IPPROTO_UDP, PIF_HOST, &ini, &tgt) ==
		   PIF_SPLICE && tgt.local_port == 5000 &&
		   inany_equals(&tgt.local, &(union inany_addr){ .a6 =
						a("0.0.0.0").a6 }),
		   "pasta: UDP splice to the namespace address, not bound");
	c.host_lo_to_ns_lo = true;
	unit_check(fwd_from_host(&c, IPPROTO_UDP, PIF_HOST, &ini, &tgt) ==
		   PIF_SPLICE && inany_equals(&tgt.local, &tgt.peer) &&
		   inany_equals(&tgt.peer, &ini.peer),
		   "--host-lo-to-ns-lo: to the namespace loopback, bound");
	c.host_lo_to_ns_lo = false;
	memset(&c.ip6.addr, 0, sizeof(c.ip6.addr));
	host_is(IPPROTO_TCP, PIF_HOST, "::1", PIF_SPLICE, "::1", 8080,
		"no namespace IPv6 address: to its loopback");
	c.no_splice = true;
	host_is(IPPROTO_TCP, PIF_HOST, "127.0.0.1", PIF_TAP, "0.0.0.0",
		8080, "--no-splice: loopback peer goes to the guest");
	host_is(IPPROTO_TCP, PIF_SPLICE, "127.0.0.1", PIF_NONE, "", 0,
		"--no-splice: nothing from the namespace side for TCP");
	host_is(IPPROTO_UDP, PIF_SPLICE, "127.0.0.1", PIF_HOST, "127.0.0.1",
		81, "--no-splice: UDP from the namespace spliced all the same");
}

/**
 * main() - Run the checks
 *
 * Return: 0 if all passed
 */
int main(void)
{
	ctx_init();
	translations();
	ctx_init();
	from_tap();
	ctx_init();
	from_host();
	return unit_done();
}
