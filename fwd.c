// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd.c - Forwarding decisions: where a new flow goes, with which addresses
 *
 * Theory of Operation
 *
 * Every new flow (a TCP SYN from the guest or a connection accepted on a
 * forwarded port, the first UDP datagram either way, a new ICMP echo
 * identifier) asks this file, once, where it goes: which interface its
 * target side is on and that side's addresses and ports (flow.h
 * conventions). The protocol stores the answer in the flow's target side
 * and uses it for the flow's whole life; later packets never ask again.
 * Nothing here keeps state: every answer comes from struct ctx as conf()
 * left it and from the initiating side.
 *
 * From the guest, fwd_from_tap(): the target is a host socket (PIF_HOST),
 * its peer the guest's destination translated as below, its local address
 * the -o address of that family (unspecified if none; for UDP also when
 * the target is the host's loopback, which -o can't reach). The local
 * port is the guest's source port for UDP (the socket is bound to it if
 * free) and the echo identifier for ICMP, 0 (any) for TCP. A UDP
 * destination left untranslated that is the host's loopback, unspecified,
 * broadcast, multicast or link-local is refused (PIF_NONE), as is any
 * destination mapped to nothing (--dns-forward without a host resolver):
 * TCP then answers the guest's SYN with a host unreachable error.
 *
 * From a forwarded port, fwd_from_host(): @pif says where the listening
 * socket is, PIF_HOST for -t/-u, PIF_SPLICE (pasta) for -T/-U. The
 * target port is the listening port remapped by that table's delta. In
 * pasta, a connection or datagram is spliced (target PIF_SPLICE from the
 * host, PIF_HOST from the namespace) when its peer is on loopback
 * (127.0.0.0/8, ::1, v4-mapped ones included) or when it arrived in the
 * namespace, unless --no-splice (for TCP; UDP datagrams from the
 * namespace have no other path and are spliced all the same). From the
 * namespace the target is the host's loopback; from the host the
 * namespace's own address, or its loopback with --host-lo-to-ns-lo or if
 * the namespace has no address of that family. Spliced UDP flows bind to
 * the peer's port and, on loopback, to the target address; spliced TCP
 * sockets are left to the kernel. Anything else from the host goes to the
 * guest (PIF_TAP): the guest's port is the target port, the far end is the
 * peer shown as below, and the guest's address is left unspecified, of
 * the peer's family: which of its addresses the guest uses is the tap
 * layer's knowledge (tap_ip4_daddr(), tap_ip6_daddr()), and the protocol
 * fills it in (TCP) or matches the guest's replies from any of them (UDP).
 * From the namespace, without splicing, nothing is forwarded (PIF_NONE).
 *
 * Addresses standing for the host. The guest shares the host's address
 * (pasta copies it, passt hands it out by DHCP), so it can't reach the
 * host at that address: the guest would answer itself. A few guest-side
 * addresses therefore stand for the host, for TCP, UDP and ICMP alike:
 *
 * - --dns-forward (dns_match), port 53 only (TCP and UDP): the host's
 *   resolver (dns_host, the first one in resolv.conf unless --dns-host).
 *   Checked first, as it may name the gateway address itself
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
 * host-local peer left as it is: TCP shows it so, UDP refuses a loopback
 * one.
 */

#include <string.h>
#include <netinet/in.h>

#include "ctx.h"
#include "flow.h"
#include "fwd.h"
#include "inany.h"
#include "util.h"

#define FWD_DNS_PORT	53

/**
 * enum fwd_nat - What an address translation did
 * @FWD_NAT_SAME:	Nothing: the address is left as it is
 * @FWD_NAT_MAPPED:	Replaced by what it stands for
 * @FWD_NAT_NONE:	Outbound: mapped to nothing (drop); inbound: a
 *			host-local peer with nothing to show it as (left)
 */
enum fwd_nat {
	FWD_NAT_SAME,
	FWD_NAT_MAPPED,
	FWD_NAT_NONE,
};

/**
 * fwd_cfg() - One of the configured addresses, of the family of @like
 * @like:	Address whose family is wanted
 * @a4:		IPv4 address
 * @a6:		IPv6 address
 * @out:	Address (output)
 *
 * Return: true if the address is set (not unspecified)
 */
static bool fwd_cfg(const union inany_addr *like, const struct in_addr *a4,
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
 * fwd_unspec() - Set the unspecified address of @a's family
 * @a:		Address (input: family; output: 0.0.0.0, v4-mapped, or ::)
 */
static void fwd_unspec(union inany_addr *a)
{
	struct in_addr any4 = { .s_addr = INADDR_ANY };

	if (inany_v4(a))
		inany_from_v4(a, any4);
	else
		a->a6 = in6addr_any;
}

/**
 * fwd_loopback() - Set the loopback address of @a's family
 * @a:		Address (input: family; output: 127.0.0.1 or ::1)
 */
static void fwd_loopback(union inany_addr *a)
{
	struct in_addr lo4 = { .s_addr = htonl(INADDR_LOOPBACK) };

	if (inany_v4(a))
		inany_from_v4(a, lo4);
	else
		a->a6 = in6addr_loopback;
}

/**
 * fwd_is_loopback() - Is an address loopback?
 * @a:		Address, IPv4 as v4-mapped
 *
 * Return: true for 127.0.0.0/8 and ::1
 */
static bool fwd_is_loopback(const union inany_addr *a)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4)
		return in4_is_loopback(a4);
	return IN6_IS_ADDR_LOOPBACK(&a->a6);
}

/**
 * fwd_is_host_local() - Is an address loopback, or unspecified?
 * @a:		Address, IPv4 as v4-mapped
 *
 * Return: true for 127.0.0.0/8, ::1, 0.0.0.0 and ::
 */
static bool fwd_is_host_local(const union inany_addr *a)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4)
		return in4_is_loopback(a4) || in4_is_unspec(a4);
	return IN6_IS_ADDR_LOOPBACK(&a->a6) || IN6_IS_ADDR_UNSPECIFIED(&a->a6);
}

/**
 * fwd_is_unroutable() - Is a guest's UDP destination one we don't forward?
 * @a:		Address, IPv4 as v4-mapped
 *
 * Return: true for unspecified, broadcast, multicast and link-local
 */
static bool fwd_is_unroutable(const union inany_addr *a)
{
	const struct in_addr *a4 = inany_v4(a);

	if (a4) {
		uint32_t h = ntohl(a4->s_addr);

		return !h || h == INADDR_BROADCAST || IN_MULTICAST(h);
	}
	return IN6_IS_ADDR_UNSPECIFIED(&a->a6) ||
	       IN6_IS_ADDR_MULTICAST(&a->a6) || IN6_IS_ADDR_LINKLOCAL(&a->a6);
}

/**
 * fwd_is_host_lo() - Does a guest destination stand for the host's loopback?
 * @c:		Execution context
 * @dst:	Destination as the guest sent it
 *
 * Return: true for --map-host-loopback's address, and for IPv6 our own
 *	   link-local address while a mapping is in place
 */
static bool fwd_is_host_lo(const struct ctx *c, const union inany_addr *dst)
{
	union inany_addr m;

	if (!fwd_cfg(dst, &c->ip4.map_host_loopback,
		     &c->ip6.map_host_loopback, &m))
		return false;
	if (inany_equals(dst, &m))
		return true;
	return !inany_v4(dst) && IN6_ARE_ADDR_EQUAL(&dst->a6,
						    &c->ip6.our_tap_ll);
}

/**
 * fwd_gw() - The guest's gateway, of the family of @like
 * @c:		Execution context
 * @like:	Address whose family is wanted
 * @out:	Gateway (output); for IPv6 without one, our link-local address
 *
 * Return: true if there is one
 */
static bool fwd_gw(const struct ctx *c, const union inany_addr *like,
		   union inany_addr *out)
{
	if (fwd_cfg(like, &c->ip4.gw, &c->ip6.gw, out))
		return true;
	return !inany_v4(like) &&
	       fwd_cfg(like, &c->ip4.gw, &c->ip6.our_tap_ll, out);
}

/**
 * fwd_nat_port() - Port the --dns-forward check sees
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6
 * @port:	Port of the side, host order (the identifier for ICMP)
 *
 * Return: @port, 0 for ICMP: an echo identifier is no port
 */
static uint16_t fwd_nat_port(uint8_t proto, uint16_t port)
{
	if (proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6)
		return 0;
	return port;
}

/**
 * fwd_nat_out() - Translate a guest's destination into the host's target
 * @c:		Execution context
 * @addr:	Destination as the guest sent it, replaced by the target
 *		(input/output), IPv4 as v4-mapped
 * @port:	Destination port, host order (0 for ICMP)
 *
 * Return: FWD_NAT_MAPPED for the host's resolver, loopback or own
 *	   address, FWD_NAT_NONE if mapped to nothing, FWD_NAT_SAME otherwise
 */
static enum fwd_nat fwd_nat_out(const struct ctx *c, union inany_addr *addr,
				uint16_t port)
{
	union inany_addr m;

	if (port == FWD_DNS_PORT &&
	    fwd_cfg(addr, &c->ip4.dns_match, &c->ip6.dns_match, &m) &&
	    inany_equals(addr, &m)) {
		if (!fwd_cfg(addr, &c->ip4.dns_host, &c->ip6.dns_host, addr))
			return FWD_NAT_NONE;
		return FWD_NAT_MAPPED;
	}

	if (fwd_is_host_lo(c, addr)) {
		fwd_loopback(addr);
		return FWD_NAT_MAPPED;
	}

	if (fwd_cfg(addr, &c->ip4.map_guest_addr, &c->ip6.map_guest_addr,
		    &m) && inany_equals(addr, &m)) {
		if (!fwd_cfg(addr, &c->ip4.addr, &c->ip6.addr, addr))
			return FWD_NAT_NONE;
		return FWD_NAT_MAPPED;
	}

	return FWD_NAT_SAME;
}

/**
 * fwd_nat_in() - Translate a host peer into the address the guest sees
 * @c:		Execution context
 * @addr:	Peer's address, replaced by what the guest sees
 *		(input/output), IPv4 as v4-mapped
 * @port:	Peer's port, host order
 *
 * Return: FWD_NAT_MAPPED if @addr was translated, FWD_NAT_NONE for a
 *	   host-local peer (loopback, unspecified, the guest's own address)
 *	   with no mapping and no gateway (@addr left alone), FWD_NAT_SAME
 *	   otherwise
 */
static enum fwd_nat fwd_nat_in(const struct ctx *c, union inany_addr *addr,
			       uint16_t port)
{
	union inany_addr m, own;
	bool is_own;

	fwd_cfg(addr, &c->ip4.addr, &c->ip6.addr, &own);
	is_own = inany_equals(addr, &own);

	if (is_own && fwd_cfg(addr, &c->ip4.map_guest_addr,
			      &c->ip6.map_guest_addr, &m)) {
		*addr = m;
		return FWD_NAT_MAPPED;
	}

	if (is_own || fwd_is_host_local(addr)) {
		if (!fwd_cfg(addr, &c->ip4.map_host_loopback,
			     &c->ip6.map_host_loopback, &m) &&
		    !fwd_gw(c, addr, &m))
			return FWD_NAT_NONE;
		*addr = m;
		return FWD_NAT_MAPPED;
	}

	if (port == FWD_DNS_PORT &&
	    fwd_cfg(addr, &c->ip4.dns_host, &c->ip6.dns_host, &m) &&
	    inany_equals(addr, &m) &&
	    fwd_cfg(addr, &c->ip4.dns_match, &c->ip6.dns_match, &m)) {
		*addr = m;
		return FWD_NAT_MAPPED;
	}

	return FWD_NAT_SAME;
}

/**
 * fwd_from_tap() - Where a new flow from the guest goes
 * @c:		Execution context
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6
 * @ini:	Tap side: guest address and port as peer, its destination as
 *		local (ICMP: the echo identifier as both ports)
 * @tgt:	Target side (output): translated destination as peer, the
 *		address and port to bind as local; all zeroes if refused
 *
 * Return: PIF_HOST, or PIF_NONE if the destination is refused
 */
enum flow_pif fwd_from_tap(const struct ctx *c, uint8_t proto,
			   const struct flowside *ini, struct flowside *tgt)
{
	bool udp = proto == IPPROTO_UDP;
	enum fwd_nat how;

	memset(tgt, 0, sizeof(*tgt));
	tgt->peer = ini->local;
	how = fwd_nat_out(c, &tgt->peer, fwd_nat_port(proto, ini->local_port));
	if (how == FWD_NAT_NONE ||
	    (how == FWD_NAT_SAME && udp &&
	     (fwd_is_unroutable(&tgt->peer) || fwd_is_loopback(&tgt->peer)))) {
		memset(tgt, 0, sizeof(*tgt));
		return PIF_NONE;
	}
	tgt->peer_port = ini->local_port;
	fwd_cfg(&tgt->peer, &c->ip4.addr_out, &c->ip6.addr_out, &tgt->local);
	if (udp && fwd_is_loopback(&tgt->peer))
		fwd_unspec(&tgt->local);
	if (proto != IPPROTO_TCP)
		tgt->local_port = ini->peer_port;
	return PIF_HOST;
}

/**
 * fwd_table() - Forwarding table of a protocol and listening side
 * @c:		Execution context
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @from_ns:	Listening in the namespace (-T, -U), else on the host
 *
 * Return: the table
 */
static const struct fwd_ports *fwd_table(const struct ctx *c, uint8_t proto,
					 bool from_ns)
{
	if (proto == IPPROTO_TCP)
		return from_ns ? &c->tcp_out : &c->tcp_in;
	return from_ns ? &c->udp_out : &c->udp_in;
}

/**
 * fwd_spliced() - Does a flow from a forwarded port skip the guest?
 * @c:		Execution context
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @pif:	Interface of the listening socket
 * @peer:	Peer's address
 *
 * Return: true in pasta for loopback peers and namespace-side listeners,
 *	   unless --no-splice (TCP only: UDP from the namespace is spliced)
 */
static bool fwd_spliced(const struct ctx *c, uint8_t proto, enum flow_pif pif,
			const union inany_addr *peer)
{
	if (c->mode != MODE_PASTA)
		return false;
	if (proto == IPPROTO_UDP && pif == PIF_SPLICE)
		return true;
	return !c->no_splice && (pif == PIF_SPLICE || fwd_is_loopback(peer));
}

/**
 * fwd_splice_target() - Target side of a spliced flow
 * @c:		Execution context
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @pif:	Interface of the listening socket
 * @ini:	Peer, local address and listening port
 * @tgt:	Target side (output), zeroed by the caller
 *
 * Return: the target's interface: the other side
 */
static enum flow_pif fwd_splice_target(const struct ctx *c, uint8_t proto,
				       enum flow_pif pif,
				       const struct flowside *ini,
				       struct flowside *tgt)
{
	bool from_ns = pif == PIF_SPLICE;

	tgt->peer_port = fwd_port_target(fwd_table(c, proto, from_ns),
					 ini->local_port);
	if (from_ns || c->host_lo_to_ns_lo ||
	    !fwd_cfg(&ini->peer, &c->ip4.addr, &c->ip6.addr, &tgt->peer)) {
		tgt->peer = ini->peer;
		fwd_loopback(&tgt->peer);
	}
	if (proto == IPPROTO_UDP) {
		tgt->local = tgt->peer;
		if (!fwd_is_loopback(&tgt->peer))
			fwd_unspec(&tgt->local);
		tgt->local_port = ini->peer_port;
	}
	return from_ns ? PIF_HOST : PIF_SPLICE;
}

/**
 * fwd_tap_target() - Tap side of a flow from a host peer to the guest
 * @c:		Execution context
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @ini:	Host side: peer, local address and listening port
 * @tgt:	Tap side (output), zeroed by the caller
 *
 * Return: PIF_TAP, or PIF_NONE for a UDP loopback peer that can't be shown
 */
static enum flow_pif fwd_tap_target(const struct ctx *c, uint8_t proto,
				    const struct flowside *ini,
				    struct flowside *tgt)
{
	tgt->local = ini->peer;
	tgt->local_port = ini->peer_port;
	if (fwd_nat_in(c, &tgt->local, ini->peer_port) == FWD_NAT_NONE &&
	    proto == IPPROTO_UDP && fwd_is_loopback(&tgt->local)) {
		memset(tgt, 0, sizeof(*tgt));
		return PIF_NONE;
	}
	tgt->peer_port = fwd_port_target(fwd_table(c, proto, false),
					 ini->local_port);
	tgt->peer = tgt->local;
	fwd_unspec(&tgt->peer);
	return PIF_TAP;
}

/**
 * fwd_from_host() - Where a new flow from a forwarded port goes
 * @c:		Execution context
 * @proto:	IPPROTO_TCP or IPPROTO_UDP
 * @pif:	Interface of the listening socket: PIF_HOST (-t, -u) or
 *		PIF_SPLICE (pasta: -T, -U)
 * @ini:	Listening side: peer's address and port, the local address
 *		(unspecified if unknown) and the listening port
 * @tgt:	Target side (output): for PIF_TAP the guest's port as peer
 *		port (its address unspecified: the caller's to choose), the
 *		peer as the guest sees it as local; for a splice, the target
 *		as peer, and for UDP the address and port to bind as local;
 *		all zeroes if refused
 *
 * Return: PIF_TAP, PIF_SPLICE or PIF_HOST (spliced), PIF_NONE if refused
 */
enum flow_pif fwd_from_host(const struct ctx *c, uint8_t proto,
			    enum flow_pif pif, const struct flowside *ini,
			    struct flowside *tgt)
{
	memset(tgt, 0, sizeof(*tgt));
	if (fwd_spliced(c, proto, pif, &ini->peer))
		return fwd_splice_target(c, proto, pif, ini, tgt);
	if (pif != PIF_HOST)
		return PIF_NONE;
	return fwd_tap_target(c, proto, ini, tgt);
}
