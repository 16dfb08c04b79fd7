// SPDX-License-Identifier: GPL-2.0-or-later
/* ndp.c - NDP: Router and Neighbour Advertisements (RFC 4861, RFC 8106)
 *
 * Theory of Operation
 *
 * We are the guest's only neighbour: every address it wants to reach is
 * behind our MAC address, and we are its router. So:
 *
 * - a Neighbour Solicitation gets a Neighbour Advertisement with our MAC as
 *   target link-layer address, whatever the target is, except where the
 *   target is the guest's own address. Duplicate Address Detection probes
 *   (source ::) are answered only if the target is one of our addresses
 *   (our link-local address or the gateway): answering a probe for an
 *   address the guest is claiming would make its DAD fail. The NA comes
 *   from the target address, as it would from the neighbour owning it.
 *
 * - a Router Solicitation gets a Router Advertisement, and ndp_timer() sends
 *   unsolicited ones: three at start-up, a few seconds apart, then every
 *   200 to 600 seconds (RFC 4861 section 6.2.4, default intervals). The RA
 *   carries the prefix of c->ip6.addr (on-link, autonomous: the kernel
 *   derives a SLAAC address), the MTU, resolvers (RDNSS) and search domains
 *   (DNSSL, RFC 8106), our MAC as source link-layer address, and sets the
 *   Managed and Other flags unless DHCPv6 is off.
 *
 * Messages are read only through the packet pool; options are walked with
 * a cursor and each option length is checked (non-zero, within what is
 * left) before use. Messages we don't answer (malformed, not for us, or
 * not solicitations) are counted in c->stats under their reason
 * (ndp_drop_*). RAs come from c->ip6.our_tap_ll; tap_hdr.c sets the hop
 * limit to 255, as receivers require (RFC 4861 section 6.1, 7.1).
 *
 * The only state is the schedule of unsolicited RAs, in ndp_state.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/icmpv6.h>

#include "checksum.h"
#include "dns.h"
#include "log.h"
#include "ndp.h"
#include "packet.h"
#include "ctx.h"
#include "tap_out.h"
#include "util.h"

/* ICMPv6 types (RFC 4861 section 4) */
#define NDP_RS			133
#define NDP_RA			134
#define NDP_NS			135
#define NDP_NA			136
#define NDP_REDIRECT		137

/* Option types (RFC 4861 section 4.6, RFC 8106) */
#define NDP_OPT_SLLA		1
#define NDP_OPT_TLLA		2
#define NDP_OPT_PREFIX_INFO	3
#define NDP_OPT_MTU		5
#define NDP_OPT_RDNSS		25
#define NDP_OPT_DNSSL		31
#define NDP_OPT_UNIT		8	/* Unit of option lengths */

#define NDP_PREFIX_ONLINK	0x80
#define NDP_PREFIX_AUTONOMOUS	0x40
#define NDP_LIFETIME_INFINITE	0xffffffffU
#define NDP_RT_LIFETIME		65535	/* seconds, RFC 8319 */
#define NDP_CUR_HOP_LIMIT	64
#define NDP_PREFIX_LEN_DEFAULT	64
#define IPV6_MIN_MTU		1280
#define IPV6_HLEN		40

/* Unsolicited RA schedule (RFC 4861 section 6.2.1, 10) */
#define NDP_INITIAL_RA_CNT	3
#define NDP_INITIAL_RA_INTERVAL	5	/* seconds, at most 16 */
#define NDP_RA_INTERVAL_MIN	200	/* seconds */
#define NDP_RA_INTERVAL_MAX	600	/* seconds */

#define NDP_RA_MAX		2048	/* Largest RA we build, bytes */

/**
 * struct ndp_ns - Neighbour Solicitation (and Advertisement) fixed part
 * @ih:		ICMPv6 header, with NA flags
 * @target:	Target address
 */
struct ndp_ns {
	struct icmp6hdr ih;
	struct in6_addr target;
} __attribute__((packed));

/**
 * struct ndp_opt_lla - Source or target link-layer address option
 * @type:	NDP_OPT_SLLA or NDP_OPT_TLLA
 * @len:	1 (8 bytes)
 * @mac:	Link-layer address
 */
struct ndp_opt_lla {
	uint8_t type;
	uint8_t len;
	uint8_t mac[ETH_ALEN];
} __attribute__((packed));

/**
 * struct ndp_na - Neighbour Advertisement we send
 * @ns:		Fixed part
 * @tlla:	Target link-layer address option
 */
struct ndp_na {
	struct ndp_ns ns;
	struct ndp_opt_lla tlla;
} __attribute__((packed));

/**
 * struct ndp_ra_hdr - Router Advertisement fixed part
 * @ih:		ICMPv6 header, with hop limit, flags, router lifetime
 * @reachable:	Reachable time, milliseconds, 0 for unspecified
 * @retrans:	Retransmission timer, milliseconds, 0 for unspecified
 */
struct ndp_ra_hdr {
	struct icmp6hdr ih;
	__be32 reachable;
	__be32 retrans;
} __attribute__((packed));

/**
 * struct ndp_opt_prefix - Prefix Information option
 * @type:	NDP_OPT_PREFIX_INFO
 * @len:	4 (32 bytes)
 * @prefix_len:	Prefix length, bits
 * @flags:	NDP_PREFIX_ONLINK, NDP_PREFIX_AUTONOMOUS
 * @valid:	Valid lifetime, seconds
 * @preferred:	Preferred lifetime, seconds
 * @reserved:	Zero
 * @prefix:	Prefix, host bits zero
 */
struct ndp_opt_prefix {
	uint8_t type;
	uint8_t len;
	uint8_t prefix_len;
	uint8_t flags;
	__be32 valid;
	__be32 preferred;
	__be32 reserved;
	struct in6_addr prefix;
} __attribute__((packed));

/**
 * struct ndp_opt_hdr32 - Header of MTU, RDNSS and DNSSL options
 * @type:	Option type
 * @len:	Length, 8-byte units, this header included
 * @reserved:	Zero
 * @value:	MTU (bytes) or lifetime (seconds)
 */
struct ndp_opt_hdr32 {
	uint8_t type;
	uint8_t len;
	__be16 reserved;
	__be32 value;
} __attribute__((packed));

/**
 * struct ndp_buf - Message being built
 * @b:		Bytes
 * @len:	Bytes used
 * @max:	Bytes we may use (guest MTU)
 */
struct ndp_buf {
	uint8_t b[NDP_RA_MAX];
	size_t len;
	size_t max;
};

/**
 * struct ndp_state - File-scope state
 * @next_ra:	When the next unsolicited RA is due, seconds (monotonic),
 *		0 before the first one
 * @ra_cnt:	Unsolicited RAs sent
 * @out:	Buffer for RAs
 */
static struct ndp_state {
	time_t next_ra;
	unsigned ra_cnt;
	struct ndp_buf out;
} ndp_state;

/**
 * ndp_drop() - Count and log a dropped message
 * @reason:	Counter of the reason, in c->stats
 * @why:	Reason, for the log
 *
 * Return: 1, the message was consumed
 */
static int ndp_drop(unsigned long long *reason, const char *why)
{
	(*reason)++;
	debug_ratelimit("NDP: message dropped: %s", why);
	return 1;
}

/**
 * ndp_opts_check() - Validate the options of a message
 * @p:		Pool, packet 0 is the message
 * @off:	Offset of the first option
 * @left:	Bytes from @off to the end of the message
 * @no_slla:	The message must not carry a source link-layer address
 *
 * Return: true if every option is well formed
 */
static bool ndp_opts_check(const struct pool *p, size_t off, size_t left,
			   bool no_slla)
{
	while (left) {
		const uint8_t *o;
		size_t olen;

		if (left < 2 || !(o = packet_get(p, 0, off, 2, NULL)))
			return false;
		olen = (size_t)o[1] * NDP_OPT_UNIT;
		if (!olen || olen > left)
			return false;
		if (o[0] == NDP_OPT_SLLA && no_slla)
			return false;
		off += olen;
		left -= olen;
	}
	return true;
}

/**
 * ndp_put() - Append bytes to a message
 * @m:		Message
 * @data:	Bytes
 * @len:	Length, bytes
 *
 * Return: true if appended, false if out of room (nothing appended)
 */
static bool ndp_put(struct ndp_buf *m, const void *data, size_t len)
{
	if (len > m->max - m->len)
		return false;
	memcpy(m->b + m->len, data, len);
	m->len += len;
	return true;
}

/**
 * ndp_ra_prefix() - Append the Prefix Information option
 * @c:		Execution context
 * @m:		Message
 */
static void ndp_ra_prefix(const struct ctx *c, struct ndp_buf *m)
{
	int plen = c->ip6.prefix_len;
	struct ndp_opt_prefix o = {
		.type = NDP_OPT_PREFIX_INFO,
		.len = sizeof(o) / NDP_OPT_UNIT,
		.flags = NDP_PREFIX_ONLINK | NDP_PREFIX_AUTONOMOUS,
		.valid = htonl_constant(NDP_LIFETIME_INFINITE),
		.preferred = htonl_constant(NDP_LIFETIME_INFINITE),
	};
	int i;

	if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr))
		return;
	if (plen <= 0 || plen > 128)
		plen = NDP_PREFIX_LEN_DEFAULT;
	o.prefix_len = (uint8_t)plen;
	o.prefix = c->ip6.addr;
	for (i = plen; i < 128; i++)
		o.prefix.s6_addr[i / 8] &= (uint8_t)~(0x80 >> (i % 8));
	ndp_put(m, &o, sizeof(o));
}

/**
 * ndp_ra_rdnss() - Append the Recursive DNS Server option (RFC 8106)
 * @c:		Execution context
 * @m:		Message
 */
static void ndp_ra_rdnss(const struct ctx *c, struct ndp_buf *m)
{
	struct in6_addr dns[DNS_MAX + 2];
	struct ndp_opt_hdr32 h = {
		.type = NDP_OPT_RDNSS,
		.value = htonl_constant(NDP_LIFETIME_INFINITE),
	};
	size_t n = dns_resolvers6(c, dns), start = m->len;

	if (!n)
		return;
	h.len = (uint8_t)((sizeof(h) + n * sizeof(*dns)) / NDP_OPT_UNIT);
	if (!ndp_put(m, &h, sizeof(h)) || !ndp_put(m, dns, n * sizeof(*dns))) {
		m->len = start;
		warn_ratelimit("NDP: RDNSS option left out, RA too long");
	}
}

/**
 * ndp_ra_dnssl() - Append the DNS Search List option (RFC 8106)
 * @c:		Execution context
 * @m:		Message
 */
static void ndp_ra_dnssl(const struct ctx *c, struct ndp_buf *m)
{
	struct ndp_opt_hdr32 h = {
		.type = NDP_OPT_DNSSL,
		.value = htonl_constant(NDP_LIFETIME_INFINITE),
	};
	size_t start = m->len, len, i;

	if (c->no_dhcp_dns_search || !c->dns_search[0][0])
		return;
	if (!ndp_put(m, &h, sizeof(h)))
		goto toolong;
	for (i = 0; i < DNS_SEARCH_MAX && c->dns_search[i][0]; i++) {
		if (!dns_name_encode(m->b, &m->len, m->max, c->dns_search[i],
				     NULL))
			debug("NDP: search domain %s not encoded",
			      c->dns_search[i]);
	}
	len = ROUND_UP(m->len - start, NDP_OPT_UNIT);
	if (m->len - start == sizeof(h) || len > m->max - start ||
	    len / NDP_OPT_UNIT > UINT8_MAX)
		goto toolong;
	memset(m->b + m->len, 0, len - (m->len - start));
	m->len = start + len;
	m->b[start + 1] = (uint8_t)(len / NDP_OPT_UNIT);
	return;
toolong:
	m->len = start;
	warn_ratelimit("NDP: DNSSL option left out, RA too long");
}

/**
 * ndp_ra_build() - Build a Router Advertisement into the static buffer
 * @c:		Execution context
 *
 * Return: length of the message, bytes
 */
static size_t ndp_ra_build(const struct ctx *c)
{
	struct ndp_buf *m = &ndp_state.out;
	struct ndp_opt_lla slla = { .type = NDP_OPT_SLLA, .len = 1 };
	struct ndp_ra_hdr ra = { .ih = { .icmp6_type = NDP_RA } };
	size_t mtu = c->mtu >= IPV6_MIN_MTU ? (size_t)c->mtu : IPV6_MIN_MTU;

	m->len = 0;
	m->max = MIN(sizeof(m->b), mtu - IPV6_HLEN);
	ra.ih.icmp6_hop_limit = NDP_CUR_HOP_LIMIT;
	ra.ih.icmp6_addrconf_managed = !c->no_dhcpv6;
	ra.ih.icmp6_addrconf_other = !c->no_dhcpv6;
	ra.ih.icmp6_rt_lifetime = htons_constant(NDP_RT_LIFETIME);
	ndp_put(m, &ra, sizeof(ra));
	ndp_ra_prefix(c, m);
	if (c->mtu >= IPV6_MIN_MTU) {
		struct ndp_opt_hdr32 o = { .type = NDP_OPT_MTU, .len = 1 };

		o.value = host_to_be32((uint32_t)c->mtu);
		ndp_put(m, &o, sizeof(o));
	}
	memcpy(slla.mac, c->our_tap_mac, ETH_ALEN);
	ndp_put(m, &slla, sizeof(slla));
	ndp_ra_rdnss(c, m);
	ndp_ra_dnssl(c, m);
	return m->len;
}

/**
 * ndp_ra_send() - Send a Router Advertisement
 * @c:		Execution context
 * @dst:	Destination address
 */
static void ndp_ra_send(struct ctx *c, const struct in6_addr *dst)
{
	size_t len = ndp_ra_build(c);

	tap_icmp6_send(c, &c->ip6.our_tap_ll, dst, ndp_state.out.b, len);
}

/**
 * ndp_rs() - Answer a Router Solicitation
 * @c:		Execution context
 * @p:		Pool, packet 0 is the message
 * @saddr:	Source address
 *
 * Return: 1, the message was consumed
 */
static int ndp_rs(struct ctx *c, const struct pool *p,
		  const struct in6_addr *saddr)
{
	struct in6_addr dst = IN6ADDR_ANY_INIT;
	const uint8_t *rs;
	size_t left;

	/* Type, code, checksum, reserved: bytes, as the pool isn't aligned */
	rs = packet_get(p, 0, 0, sizeof(struct icmp6hdr), &left);
	if (!rs || rs[1])
		return ndp_drop(&c->stats.ndp_drop_rs,
				"malformed Router Solicitation");
	if (!ndp_opts_check(p, sizeof(struct icmp6hdr), left,
			    IN6_IS_ADDR_UNSPECIFIED(saddr)))
		return ndp_drop(&c->stats.ndp_drop_opts,
				"bad Router Solicitation options");
	if (c->no_ra)
		return ndp_drop(&c->stats.ndp_drop_no_ra,
				"Router Solicitation, --no-ra");
	if (IN6_IS_ADDR_UNSPECIFIED(saddr))
		inet_pton(AF_INET6, "ff02::1", &dst);
	else
		dst = *saddr;
	ndp_ra_send(c, &dst);
	return 1;
}

/**
 * ndp_is_ours() - Is an address one we answer for even in DAD?
 * @c:		Execution context
 * @a:		Address
 *
 * Return: true for our link-local address and the gateway
 */
static bool ndp_is_ours(const struct ctx *c, const struct in6_addr *a)
{
	return IN6_ARE_ADDR_EQUAL(a, &c->ip6.our_tap_ll) ||
	       IN6_ARE_ADDR_EQUAL(a, &c->ip6.gw);
}

/**
 * ndp_is_guest() - Is an address the guest's own?
 * @c:		Execution context
 * @saddr:	Source of the solicitation
 * @a:		Address
 *
 * Return: true if @a is the guest's address, as given or seen
 */
static bool ndp_is_guest(const struct ctx *c, const struct in6_addr *saddr,
			 const struct in6_addr *a)
{
	return IN6_ARE_ADDR_EQUAL(a, saddr) ||
	       IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr) ||
	       IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr_seen) ||
	       IN6_ARE_ADDR_EQUAL(a, &c->ip6.addr_ll_seen);
}

/**
 * ndp_na_send() - Send a Neighbour Advertisement with our MAC
 * @c:		Execution context
 * @target:	Target address
 * @dst:	Destination, the solicitor or all-nodes for DAD
 * @solicited:	Set the Solicited flag
 */
static void ndp_na_send(struct ctx *c, const struct in6_addr *target,
			const struct in6_addr *dst, bool solicited)
{
	struct ndp_na na = {
		.ns = { .ih = { .icmp6_type = NDP_NA } },
		.tlla = { .type = NDP_OPT_TLLA, .len = 1 },
	};

	na.ns.ih.icmp6_router = 1;
	na.ns.ih.icmp6_solicited = solicited;
	na.ns.ih.icmp6_override = 1;
	na.ns.target = *target;
	memcpy(na.tlla.mac, c->our_tap_mac, ETH_ALEN);
	/* From the target itself, as its owner would: some tools check */
	tap_icmp6_send(c, target, dst, &na, sizeof(na));
}

/**
 * ndp_ns() - Answer a Neighbour Solicitation, unless it's about the guest
 * @c:		Execution context
 * @p:		Pool, packet 0 is the message
 * @saddr:	Source address, :: for DAD
 *
 * Return: 1, the message was consumed
 */
static int ndp_ns(struct ctx *c, const struct pool *p,
		  const struct in6_addr *saddr)
{
	bool dad = IN6_IS_ADDR_UNSPECIFIED(saddr);
	struct in6_addr dst = IN6ADDR_ANY_INIT, target;
	const struct ndp_ns *ns;
	size_t left;

	if (!(ns = packet_get(p, 0, 0, sizeof(*ns), &left)) ||
	    ns->ih.icmp6_code)
		return ndp_drop(&c->stats.ndp_drop_ns,
				"malformed Neighbour Solicitation");
	target = ns->target;
	if (IN6_IS_ADDR_MULTICAST(&target))
		return ndp_drop(&c->stats.ndp_drop_target,
				"multicast Neighbour Solicitation target");
	if (!ndp_opts_check(p, sizeof(*ns), left, dad))
		return ndp_drop(&c->stats.ndp_drop_opts,
				"bad Neighbour Solicitation options");

	if (dad ? !ndp_is_ours(c, &target) : ndp_is_guest(c, saddr, &target))
		return ndp_drop(&c->stats.ndp_drop_ns_other,
				"Neighbour Solicitation, target not ours");

	if (dad)
		inet_pton(AF_INET6, "ff02::1", &dst);
	else
		dst = *saddr;
	ndp_na_send(c, &target, &dst, !dad);
	return 1;
}

/**
 * ndp() - Handle an NDP message from the guest
 * @c:		Execution context
 * @p:		Pool, packet 0 is the ICMPv6 message
 * @saddr:	Source address
 * @daddr:	Destination address (unused: any is fine for us)
 *
 * Return: 1 if it was an NDP message (types 133 to 137), 0 otherwise
 */
int ndp(struct ctx *c, const struct pool *p, const struct in6_addr *saddr,
	const struct in6_addr *daddr)
{
	const uint8_t *type = packet_get(p, 0, 0, 1, NULL);

	(void)daddr;
	if (!type || *type < NDP_RS || *type > NDP_REDIRECT)
		return 0;
	if (c->no_ndp)
		return 1;
	if (!packet_get(p, 0, 0, sizeof(struct icmp6hdr), NULL))
		return ndp_drop(&c->stats.ndp_drop_short,
				"truncated ICMPv6 header");

	switch (*type) {
	case NDP_RS:
		return ndp_rs(c, p, saddr);
	case NDP_NS:
		return ndp_ns(c, p, saddr);
	default:	/* RA, NA, Redirect from the guest: nothing to do */
		return ndp_drop(&c->stats.ndp_drop_type, "not a solicitation");
	}
}

/**
 * ndp_timer() - Send unsolicited Router Advertisements when due
 * @c:		Execution context
 * @now:	Current timestamp
 */
void ndp_timer(struct ctx *c, const struct timespec *now)
{
	struct in6_addr all_nodes;
	time_t interval;

	if (c->no_ndp || c->no_ra || !c->ifi6_up)
		return;
	if (ndp_state.next_ra && now->tv_sec < ndp_state.next_ra)
		return;

	inet_pton(AF_INET6, "ff02::1", &all_nodes);
	ndp_ra_send(c, &all_nodes);

	if (++ndp_state.ra_cnt < NDP_INITIAL_RA_CNT)
		interval = NDP_INITIAL_RA_INTERVAL;
	else	/* nanoseconds of the clock as cheap jitter */
		interval = NDP_RA_INTERVAL_MIN + now->tv_nsec %
			   (NDP_RA_INTERVAL_MAX - NDP_RA_INTERVAL_MIN);
	ndp_state.next_ra = now->tv_sec + interval;
}
