// SPDX-License-Identifier: GPL-2.0-or-later
/* nat.c - Addresses the guest uses for the host, translated both ways
 *
 * Theory of Operation
 *
 * The guest shares the host's address (pasta copies it, passt hands it out
 * by DHCP), so it can't reach the host at that address: the guest would
 * answer itself. A few guest-side addresses therefore stand for the host,
 * and this file is the one place that says which, for TCP, UDP and ICMP
 * alike (tcp_connect.c, tcp_listen.c, udp.c, icmp.c call it):
 *
 * - --dns-forward (dns_match), port 53 only: the host's resolver
 *   (dns_host, the first one in resolv.conf unless --dns-host). Checked
 *   first, as it may name the gateway address itself
 * - --map-host-loopback (map_host_loopback, by default the gateway unless
 *   --no-map-gw; for IPv6 our link-local address too): the host's
 *   loopback, 127.0.0.1 or ::1
 * - --map-guest-addr (map_guest_addr, none by default): the address the
 *   guest was given, which on the host is the host's own address, so that
 *   services bound only to that address are reachable
 *
 * Anything else is left alone. In the other direction, a host peer the
 * guest would not understand is shown through the same addresses: one
 * using the guest's own address as --map-guest-addr if set, else like a
 * loopback peer; a loopback (or unspecified) one as --map-host-loopback,
 * or, with no such mapping (--no-map-gw), as the gateway all the same: the
 * guest would drop a packet from its own address or from loopback, and the
 * flow, not the address, carries its replies back. The host's resolver,
 * port 53, appears as --dns-forward. Only without any gateway is a
 * host-local peer left to the caller. Nothing here keeps state: every
 * answer comes from struct ctx as conf() left it.
 */

#include <string.h>
#include <netinet/in.h>

#include "inany.h"
#include "nat.h"
#include "ctx.h"
#include "util.h"

#define NAT_DNS_PORT	53

/**
 * nat_cfg() - One of the configured addresses, of the family of @like
 * @like:	Address whose family is wanted
 * @a4:		IPv4 address
 * @a6:		IPv6 address
 * @out:	Address (output)
 *
 * Return: true if the address is set (not unspecified)
 */
static bool nat_cfg(const union inany_addr *like, const struct in_addr *a4,
		    const struct in6_addr *a6, union inany_addr *out)
{
	if (inany_v4(like)) {
		inany_from_v4(out, *a4);
		return !in4_is_unspec(a4);
	}
	out->a6 = *a6;
	return !IN6_IS_ADDR_UNSPECIFIED(a6);
}

/**
 * nat_is_loopback() - Is an address loopback, or unspecified?
 * @a:		Address, IPv4 as v4-mapped
 *
 * Return: true for 127.0.0.0/8, ::1, 0.0.0.0 and ::
 */
static bool nat_is_loopback(const union inany_addr *a)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4)
		return in4_is_loopback(a4) || in4_is_unspec(a4);
	return IN6_IS_ADDR_LOOPBACK(&a->a6) || IN6_IS_ADDR_UNSPECIFIED(&a->a6);
}

/**
 * nat_loopback() - Set the loopback address of @a's family
 * @a:		Address (input: family; output: 127.0.0.1 or ::1)
 */
static void nat_loopback(union inany_addr *a)
{
	struct in_addr lo4 = { .s_addr = htonl(INADDR_LOOPBACK) };

	if (inany_v4(a))
		inany_from_v4(a, lo4);
	else
		a->a6 = in6addr_loopback;
}

/**
 * nat_is_host_lo() - Does a guest destination stand for the host's loopback?
 * @c:		Execution context
 * @dst:	Destination as the guest sent it
 *
 * Return: true for --map-host-loopback's address, and for IPv6 our own
 *	   link-local address while a mapping is in place
 */
static bool nat_is_host_lo(const struct ctx *c, const union inany_addr *dst)
{
	union inany_addr m;

	if (!nat_cfg(dst, &c->ip4.map_host_loopback,
		     &c->ip6.map_host_loopback, &m))
		return false;
	if (inany_equals(dst, &m))
		return true;
	return !inany_v4(dst) && IN6_ARE_ADDR_EQUAL(&dst->a6,
						    &c->ip6.our_tap_ll);
}

/**
 * nat_gw() - The guest's gateway, of the family of @like
 * @c:		Execution context
 * @like:	Address whose family is wanted
 * @out:	Gateway (output); for IPv6 without one, our link-local address
 *
 * Return: true if there is one
 */
static bool nat_gw(const struct ctx *c, const union inany_addr *like,
		   union inany_addr *out)
{
	if (nat_cfg(like, &c->ip4.gw, &c->ip6.gw, out))
		return true;
	return !inany_v4(like) &&
	       nat_cfg(like, &c->ip4.gw, &c->ip6.our_tap_ll, out);
}

/**
 * nat_outbound() - Translate a guest's destination into the host's target
 * @c:		Execution context
 * @addr:	Destination as the guest sent it, replaced by the target
 *		(input/output), IPv4 as v4-mapped
 * @port:	Destination port, host order (0 for ICMP)
 *
 * Return: what @addr was taken for, see enum nat_out
 */
enum nat_out nat_outbound(const struct ctx *c, union inany_addr *addr,
			  uint16_t port)
{
	union inany_addr m;

	if (port == NAT_DNS_PORT &&
	    nat_cfg(addr, &c->ip4.dns_match, &c->ip6.dns_match, &m) &&
	    inany_equals(addr, &m)) {
		if (!nat_cfg(addr, &c->ip4.dns_host, &c->ip6.dns_host, addr))
			return NAT_OUT_NONE;
		return NAT_OUT_DNS;
	}

	if (nat_is_host_lo(c, addr)) {
		nat_loopback(addr);
		return NAT_OUT_HOST_LO;
	}

	if (nat_cfg(addr, &c->ip4.map_guest_addr, &c->ip6.map_guest_addr,
		    &m) && inany_equals(addr, &m)) {
		if (!nat_cfg(addr, &c->ip4.addr, &c->ip6.addr, addr))
			return NAT_OUT_NONE;
		return NAT_OUT_HOST_ADDR;
	}

	return NAT_OUT_SAME;
}

/**
 * nat_inbound() - Translate a host peer into the address the guest sees
 * @c:		Execution context
 * @addr:	Peer's address, replaced by what the guest sees
 *		(input/output), IPv4 as v4-mapped
 * @port:	Peer's port, host order (0 for ICMP)
 *
 * Return: NAT_IN_MAPPED if @addr was translated, NAT_IN_UNMAPPED for a
 *	   host-local peer (loopback, unspecified, the guest's own address)
 *	   with no mapping and no gateway (@addr left alone), NAT_IN_SAME
 *	   otherwise
 */
enum nat_in nat_inbound(const struct ctx *c, union inany_addr *addr,
			uint16_t port)
{
	union inany_addr m, own;
	bool is_own;

	nat_cfg(addr, &c->ip4.addr, &c->ip6.addr, &own);
	is_own = inany_equals(addr, &own);

	if (is_own && nat_cfg(addr, &c->ip4.map_guest_addr,
			      &c->ip6.map_guest_addr, &m)) {
		*addr = m;
		return NAT_IN_MAPPED;
	}

	if (is_own || nat_is_loopback(addr)) {
		if (!nat_cfg(addr, &c->ip4.map_host_loopback,
			     &c->ip6.map_host_loopback, &m) &&
		    !nat_gw(c, addr, &m))
			return NAT_IN_UNMAPPED;
		*addr = m;
		return NAT_IN_MAPPED;
	}

	if (port == NAT_DNS_PORT &&
	    nat_cfg(addr, &c->ip4.dns_host, &c->ip6.dns_host, &m) &&
	    inany_equals(addr, &m) &&
	    nat_cfg(addr, &c->ip4.dns_match, &c->ip6.dns_match, &m)) {
		*addr = m;
		return NAT_IN_MAPPED;
	}

	return NAT_IN_SAME;
}
