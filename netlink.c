// SPDX-License-Identifier: GPL-2.0-or-later
/* netlink.c - rtnetlink: query and configure links, addresses and routes
 *
 * Theory of Operation
 *
 * Two NETLINK_ROUTE sockets exist: nl_sock, opened in the namespace passt or
 * pasta was started in ("host side"), and for pasta nl_sock_ns, opened by a
 * clone (ns_call()) that joined the target network namespace. A netlink
 * socket stays bound to the namespace it was created in, so the main process
 * configures the target namespace through nl_sock_ns without ever leaving
 * its own namespace.
 *
 * Everything here runs at set-up, before the sandbox is applied and before
 * the main loop: no function carries #syscalls annotations, and nothing here
 * may be called once seccomp is active.
 *
 * Messages are built and parsed, and exchanges run, by nlmsg.c (sequence
 * numbers, ACKs, multi-part dumps, length checks). Its callbacks may not
 * start another exchange, so copying routes and addresses first stores
 * rewritten requests in nl.store while the dump runs, then replays them.
 * Multipath nexthops are checked against the bytes that remain in their
 * attribute before they are read (nl_nh_next()), like everything else.
 *
 * Copying routes (nl_route_dup()): routes of the main table leaving through
 * the source interface (directly or as one of the nexthops of a multipath
 * route) are rebuilt as RTM_NEWROUTE requests with the output interface (and
 * nexthop interfaces) replaced. IPv6 link-local and multicast destinations
 * are skipped (the kernel adds those itself), as are cached clones, routes
 * using nexthop objects, and attributes that only make sense on the source
 * (expiry, cache information, table IDs above 255). A route through a
 * gateway fails while the route that makes the gateway reachable is missing,
 * so failed requests are retried after the others, for a bounded number of
 * passes, until one pass brings no progress. EEXIST counts as success:
 * prefix routes are usually already added by the kernel with the addresses.
 * Routes still failing then lose their preferred source address, if any
 * (the destination may not have that address: addresses set rather than
 * copied), and get the same passes once more.
 *
 * Kernel behaviour relied on, checked by test/integration/netlink_dup.sh
 * (with test/platform/nl_dup.c) in namespaces of its own: dumps list IPv4
 * addresses primary first and IPv6 addresses newest first (so IPv6 ones
 * are added last to first, and the copy lists them in the same order); a
 * multipath route left with one nexthop is listed as a plain route; a
 * route through a gateway is refused until a route makes it reachable.
 */

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/socket.h>
#include <linux/if_addr.h>
#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "ctx.h"
#include "util.h"
#include "log.h"
#include "netlink.h"
#include "nlmsg.h"

#define NL_REQ_SIZE		1024	/* bytes: one request we build */
#define NL_STORE_SIZE		(256 * 1024)	/* bytes: requests to replay */
/* Requests to replay, at most: the store is full first (smallest request) */
#define NL_STORE_CNT		(NL_STORE_SIZE /			\
				 (NLMSG_HDRLEN + sizeof(struct ifaddrmsg)))
#define NL_MPATH_SIZE		4096	/* bytes: rewritten RTA_MULTIPATH */
#define NL_DUP_PASSES		8	/* replay passes, at most */
#define NL_IFS_MAX		32	/* interfaces nl_get_ext_if() tracks */

/* Address flags copied from the source address (nl_addr_dup()) */
#define NL_ADDR_FLAGS_COPY	(IFA_F_NOPREFIXROUTE | IFA_F_NODAD)

/* Address flags making an address a poor choice as "the" address */
#define NL_ADDR_FLAGS_WEAK	(IFA_F_TEMPORARY | IFA_F_DEPRECATED |	\
				 IFA_F_TENTATIVE | IFA_F_DADFAILED)

int nl_sock = -1;
int nl_sock_ns = -1;

/**
 * struct nl_state - File-scope state: requests being built or replayed
 * @req:	Request being built
 * @mpath:	RTA_MULTIPATH payload being rewritten
 * @store:	Requests stored from a dump, replayed after it (dup)
 * @store_off:	Offset of each stored request in @store
 * @store_done:	Stored request accepted by the destination
 * @store_len:	Bytes used in @store
 * @store_cnt:	Requests in @store
 */
static struct nl_state {
	char req[NL_REQ_SIZE] __attribute__((aligned(8)));
	char mpath[NL_MPATH_SIZE] __attribute__((aligned(8)));
	char store[NL_STORE_SIZE] __attribute__((aligned(8)));
	size_t store_off[NL_STORE_CNT];
	bool store_done[NL_STORE_CNT];
	size_t store_len;
	size_t store_cnt;
} nl;

/**
 * nl_addr_len() - Size of an address of a family
 * @af:		AF_INET or AF_INET6
 *
 * Return: bytes, 0 for other families
 */
static size_t nl_addr_len(sa_family_t af)
{
	if (af == AF_INET)
		return sizeof(struct in_addr);
	if (af == AF_INET6)
		return sizeof(struct in6_addr);
	return 0;
}

/**
 * struct nl_ns_open - Result of opening the socket inside the namespace
 * @fd:		Socket, or negative errno
 */
struct nl_ns_open {
	int fd;
};

/**
 * nl_sock_init_ns() - ns_call() entry: open the namespace-side socket
 * @arg:	struct nl_ns_open, filled in (shared memory with the caller)
 *
 * Return: 0
 */
static int nl_sock_init_ns(void *arg)
{
	struct nl_ns_open *o = arg;

	o->fd = nlmsg_sock_open();
	return 0;
}

/**
 * nl_sock_init() - Open the host-side or the namespace-side netlink socket
 * @c:		Execution context, c->pasta_netns_fd the target namespace
 * @ns:		false: nl_sock, in our namespace; true: nl_sock_ns, in the
 *		target namespace (ns_call(), set up for c->pasta_netns_fd)
 *
 * Dies with one line on failure (set-up).
 */
void nl_sock_init(const struct ctx *c, bool ns)
{
	struct nl_ns_open o = { -EBADF };

	if (!ns) {
		o.fd = nlmsg_sock_open();
		if (o.fd < 0)
			die("Can't open netlink socket: %s", strerror(-o.fd));
		nl_sock = o.fd;
		return;
	}
	if (c->pasta_netns_fd < 0)
		die("Can't open netlink socket in namespace: no namespace");
	if (ns_call(nl_sock_init_ns, &o))
		die("Can't open netlink socket in namespace: can't enter it");
	if (o.fd < 0)
		die("Can't open netlink socket in namespace: %s",
		    strerror(-o.fd));
	nl_sock_ns = o.fd;
}

/**
 * nl_req() - Start a request in the request buffer
 * @type:	Message type (RTM_*)
 * @flags:	NLM_F_* flags besides NLM_F_REQUEST and NLM_F_ACK
 * @hdr:	Family header
 * @hdr_len:	Size of @hdr, bytes
 *
 * Return: message in nl.req
 */
static struct nlmsghdr *nl_req(uint16_t type, uint16_t flags,
			       const void *hdr, size_t hdr_len)
{
	return nlmsg_init(nl.req, sizeof(nl.req), type, flags, hdr, hdr_len);
}

/**
 * nl_dump() - Dump routes or addresses of a family
 * @s:		Netlink socket
 * @type:	RTM_GETROUTE or RTM_GETADDR
 * @af:		Address family
 * @cb:		Called for each answer message
 * @arg:	Argument for @cb
 *
 * Return: 0 on success, negative errno on failure
 */
static int nl_dump(int s, uint16_t type, sa_family_t af, nlmsg_cb_t cb,
		   void *arg)
{
	struct nlmsghdr *nh;

	if (type == RTM_GETROUTE) {
		struct rtmsg rtm = { .rtm_family = af };

		nh = nl_req(type, NLM_F_DUMP, &rtm, sizeof(rtm));
	} else {
		struct ifaddrmsg ifa = { .ifa_family = af };

		nh = nl_req(type, NLM_F_DUMP, &ifa, sizeof(ifa));
	}
	return nlmsg_exchange(s, nh, cb, arg);
}

/**
 * struct nl_link - What an RTM_GETLINK answer told about a link
 * @flags:	IFF_* flags
 * @mac:	Link-layer address, if @has_mac
 * @has_mac:	IFLA_ADDRESS present and ETH_ALEN bytes long
 * @name:	Interface name, if @has_name
 * @has_name:	IFLA_IFNAME present
 * @seen:	An answer for the link was seen
 */
struct nl_link {
	unsigned flags;
	unsigned char mac[ETH_ALEN];
	bool has_mac;
	char name[IFNAMSIZ];
	bool has_name;
	bool seen;
};

/**
 * nl_link_cb() - Read flags, address and name from an RTM_NEWLINK answer
 * @nh:		Message
 * @arg:	struct nl_link (output)
 *
 * Return: false once an answer was read, true to keep looking
 */
static bool nl_link_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct rtattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifm;
	struct nl_link *l = arg;
	const char *p;

	if (nh->nlmsg_type != RTM_NEWLINK)
		return true;
	ifm = nlmsg_parse(nh, sizeof(*ifm), tb, ARRAY_SIZE(tb));
	if (!ifm)
		return true;
	l->seen = true;
	l->flags = ifm->ifi_flags;
	if (tb[IFLA_ADDRESS] && nlmsg_attr_len(tb[IFLA_ADDRESS]) == ETH_ALEN) {
		memcpy(l->mac, nlmsg_attr_get(tb[IFLA_ADDRESS], ETH_ALEN),
		       ETH_ALEN);
		l->has_mac = true;
	}
	p = nlmsg_attr_get(tb[IFLA_IFNAME], 1);
	if (p) {
		size_t len = strnlen(p, nlmsg_attr_len(tb[IFLA_IFNAME]));

		len = MIN(len, sizeof(l->name) - 1);
		memcpy(l->name, p, len);
		l->name[len] = '\0';
		l->has_name = true;
	}
	return false;
}

/**
 * nl_link_query() - Ask the kernel about one link
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @l:		Answer (output)
 *
 * Return: 0 on success, negative errno on failure (-ENODEV if no answer)
 */
static int nl_link_query(int s, unsigned ifi, struct nl_link *l)
{
	struct ifinfomsg ifm = { .ifi_family = AF_UNSPEC, .ifi_index = ifi };
	struct nlmsghdr *nh;
	int ret;

	memset(l, 0, sizeof(*l));
	if (!ifi || ifi > INT32_MAX)
		return -ENODEV;
	nh = nl_req(RTM_GETLINK, 0, &ifm, sizeof(ifm));
	ret = nlmsg_exchange(s, nh, nl_link_cb, l);
	if (ret)
		return ret;
	return l->seen ? 0 : -ENODEV;
}

/**
 * nl_route_usable() - Is a route a plain unicast route of the main table?
 * @rtm:	Route header
 * @tb:		Route attributes
 * @af:		Address family wanted
 *
 * Return: true if so, and its next hops are described in the route itself
 */
static bool nl_route_usable(const struct rtmsg *rtm, const struct rtattr **tb,
			    sa_family_t af)
{
	uint32_t table = rtm->rtm_table;

	nlmsg_attr_get_u32(tb[RTA_TABLE], &table);
	return rtm->rtm_family == af && table == RT_TABLE_MAIN &&
	       rtm->rtm_type == RTN_UNICAST &&
	       !(rtm->rtm_flags & RTM_F_CLONED) && !tb[RTA_NH_ID];
}

/**
 * nl_route_dst_skip() - Is the destination IPv6 link-local or multicast?
 * @rtm:	Route header
 * @tb:		Route attributes
 *
 * Return: true for destinations the kernel manages by itself
 */
static bool nl_route_dst_skip(const struct rtmsg *rtm,
			      const struct rtattr **tb)
{
	const uint8_t *dst;

	if (rtm->rtm_family != AF_INET6 || !rtm->rtm_dst_len)
		return false;
	dst = nlmsg_attr_get(tb[RTA_DST], sizeof(struct in6_addr));
	if (!dst)
		return false;
	return dst[0] == 0xff || (dst[0] == 0xfe && (dst[1] & 0xc0) == 0x80);
}

/**
 * nl_nh_next() - Next nexthop of an RTA_MULTIPATH payload, length checked
 * @p:		RTA_MULTIPATH payload, aligned to 4 bytes
 * @len:	Payload length, bytes
 * @off:	Offset of the nexthop to return, moved past it (in/out)
 *
 * Return: nexthop lying wholly within @len, NULL at the end or if malformed
 */
static const struct rtnexthop *nl_nh_next(const char *p, size_t len,
					  size_t *off)
{
	const struct rtnexthop *rtnh;

	if (*off >= len || len - *off < sizeof(*rtnh))
		return NULL;
	rtnh = (const struct rtnexthop *)(p + *off);
	if (rtnh->rtnh_len < sizeof(*rtnh) || rtnh->rtnh_len > len - *off)
		return NULL;
	*off += MIN(nlmsg_align(rtnh->rtnh_len), len - *off);
	return rtnh;
}

/**
 * nl_nh_gw() - Gateway attribute of a multipath nexthop
 * @rtnh:	Nexthop, length checked
 *
 * Return: RTA_GATEWAY attribute, NULL if none or malformed
 */
static const struct rtattr *nl_nh_gw(const struct rtnexthop *rtnh)
{
	size_t start = nlmsg_align(sizeof(*rtnh));
	const struct rtattr *tb[RTA_MAX + 1];

	if (rtnh->rtnh_len < start ||
	    nlmsg_attr_parse((const char *)rtnh + start, rtnh->rtnh_len - start,
			     tb, ARRAY_SIZE(tb)))
		return NULL;
	return tb[RTA_GATEWAY];
}

/**
 * struct nl_hop - Output interface and gateway of a route (or nexthop)
 * @ifi:	Output interface index
 * @gw:		RTA_GATEWAY attribute, NULL if none
 */
struct nl_hop {
	unsigned ifi;
	const struct rtattr *gw;
};

/**
 * nl_route_hop() - Find the hop of a route through an interface
 * @tb:		Route attributes
 * @ifi:	Interface index, 0 for the first hop whatever its interface
 * @hop:	Hop found (output)
 *
 * Return: true if the route leaves through @ifi (or has any hop, for 0)
 */
static bool nl_route_hop(const struct rtattr **tb, unsigned ifi,
			 struct nl_hop *hop)
{
	const struct rtattr *mp = tb[RTA_MULTIPATH];
	const struct rtnexthop *rtnh;
	size_t off = 0;
	const char *p;
	uint32_t oif;

	if (nlmsg_attr_get_u32(tb[RTA_OIF], &oif)) {
		hop->ifi = oif;
		hop->gw = tb[RTA_GATEWAY];
		return oif && (!ifi || oif == ifi);
	}
	if (!mp)
		return false;
	p = nlmsg_attr_get(mp, 0);
	while ((rtnh = nl_nh_next(p, nlmsg_attr_len(mp), &off))) {
		if (rtnh->rtnh_ifindex <= 0)
			continue;
		if (!ifi || (unsigned)rtnh->rtnh_ifindex == ifi) {
			hop->ifi = rtnh->rtnh_ifindex;
			hop->gw = nl_nh_gw(rtnh);
			return true;
		}
	}
	return false;
}

/**
 * struct nl_ext - Search for the interface leading outside
 * @af:		Address family
 * @def:	Interface of the first default route, 0 if none yet
 * @ifs:	Distinct interfaces of other routes
 * @ifs_cnt:	Entries in @ifs
 */
struct nl_ext {
	sa_family_t af;
	unsigned def;
	unsigned ifs[NL_IFS_MAX];
	size_t ifs_cnt;
};

/**
 * nl_ext_cb() - Note default route and interfaces having routes
 * @nh:		Message
 * @arg:	struct nl_ext, updated
 *
 * Return: false once a default route is found, true to keep looking
 */
static bool nl_ext_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct rtattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	struct nl_ext *x = arg;
	struct nl_hop hop;
	size_t i;

	if (nh->nlmsg_type != RTM_NEWROUTE)
		return true;
	rtm = nlmsg_parse(nh, sizeof(*rtm), tb, ARRAY_SIZE(tb));
	if (!rtm || !nl_route_usable(rtm, tb, x->af) ||
	    nl_route_dst_skip(rtm, tb) || !nl_route_hop(tb, 0, &hop))
		return true;
	if (!rtm->rtm_dst_len) {
		x->def = hop.ifi;
		return false;
	}
	for (i = 0; i < x->ifs_cnt; i++) {
		if (x->ifs[i] == hop.ifi)
			return true;
	}
	if (x->ifs_cnt < NL_IFS_MAX)
		x->ifs[x->ifs_cnt++] = hop.ifi;
	return true;
}

/**
 * nl_get_ext_if() - Interface leading outside, for a family
 * @s:		Netlink socket
 * @af:		AF_INET or AF_INET6
 *
 * The interface of the first default route (the first nexthop's if it has
 * several); with no default route, the only non-loopback interface having
 * any route (IPv6 link-local and multicast routes aside).
 *
 * Return: interface index, 0 if none or if several could be it
 */
unsigned nl_get_ext_if(int s, sa_family_t af)
{
	struct nl_ext x = { .af = af };
	unsigned found = 0;
	struct nl_link l;
	size_t i;
	int ret;

	ret = nl_dump(s, RTM_GETROUTE, af, nl_ext_cb, &x);
	if (ret) {
		debug("netlink: route dump failed: %s", strerror(-ret));
		return 0;
	}
	if (x.def)
		return x.def;

	for (i = 0; i < x.ifs_cnt; i++) {
		if (nl_link_query(s, x.ifs[i], &l) || (l.flags & IFF_LOOPBACK))
			continue;
		if (found)
			return 0;
		found = x.ifs[i];
	}
	return found;
}

/**
 * nl_ifindex() - Index of an interface in our namespace
 * @name:	Interface name
 *
 * Return: index, 0 if there's no such interface
 */
unsigned nl_ifindex(const char *name)
{
	return if_nametoindex(name);
}

/**
 * struct nl_def - Search for the gateway of a default route
 * @af:		Address family
 * @ifi:	Output interface the route must use
 * @gw:		Gateway (output), nl_addr_len(@af) bytes
 * @found:	Gateway found
 */
struct nl_def {
	sa_family_t af;
	unsigned ifi;
	void *gw;
	bool found;
};

/**
 * nl_def_cb() - Take the gateway of a default route through an interface
 * @nh:		Message
 * @arg:	struct nl_def, updated
 *
 * Return: false once found, true to keep looking
 */
static bool nl_def_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct rtattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	struct nl_def *d = arg;
	struct nl_hop hop;
	const void *gw;

	if (nh->nlmsg_type != RTM_NEWROUTE)
		return true;
	rtm = nlmsg_parse(nh, sizeof(*rtm), tb, ARRAY_SIZE(tb));
	if (!rtm || rtm->rtm_dst_len || !nl_route_usable(rtm, tb, d->af) ||
	    !nl_route_hop(tb, d->ifi, &hop))
		return true;
	gw = nlmsg_attr_get(hop.gw, nl_addr_len(d->af));
	if (!gw)
		return true;	/* on-link default route: look further */
	memcpy(d->gw, gw, nl_addr_len(d->af));
	d->found = true;
	return false;
}

/**
 * nl_route_get_def() - Gateway of the default route through an interface
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @gw:		Gateway (output): struct in_addr or struct in6_addr
 *
 * Return: true if a default route with a gateway was found
 */
bool nl_route_get_def(int s, unsigned ifi, sa_family_t af, void *gw)
{
	struct nl_def d = { .af = af, .ifi = ifi, .gw = gw };
	int ret;

	if (!nl_addr_len(af) || !ifi)
		return false;
	ret = nl_dump(s, RTM_GETROUTE, af, nl_def_cb, &d);
	if (ret)
		debug("netlink: route dump failed: %s", strerror(-ret));
	return !ret && d.found;
}

/**
 * nl_addr_unspec() - Is an address all zeroes?
 * @addr:	Address
 * @len:	Its length, bytes
 *
 * Return: true if unspecified
 */
static bool nl_addr_unspec(const void *addr, size_t len)
{
	const uint8_t *p = addr;
	size_t i;

	for (i = 0; i < len; i++) {
		if (p[i])
			return false;
	}
	return true;
}

/**
 * nl_route_set_def() - Add a default route through an interface
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @gw:		Gateway, struct in_addr or struct in6_addr; unspecified for a
 *		default route without gateway (on-link)
 *
 * Return: 0 on success, negative errno on failure
 */
int nl_route_set_def(int s, unsigned ifi, sa_family_t af, const void *gw)
{
	struct rtmsg rtm = {
		.rtm_family = af, .rtm_table = RT_TABLE_MAIN,
		.rtm_protocol = RTPROT_BOOT, .rtm_type = RTN_UNICAST,
		.rtm_scope = RT_SCOPE_UNIVERSE,
	};
	size_t alen = nl_addr_len(af);
	struct nlmsghdr *nh;

	if (!alen || !ifi)
		return -EINVAL;
	if (nl_addr_unspec(gw, alen))
		rtm.rtm_scope = RT_SCOPE_LINK;
	nh = nl_req(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, &rtm, sizeof(rtm));
	if (nlmsg_attr_put_u32(nh, sizeof(nl.req), RTA_OIF, ifi) ||
	    (!nl_addr_unspec(gw, alen) &&
	     nlmsg_attr_put(nh, sizeof(nl.req), RTA_GATEWAY, gw, alen)))
		return -ENOBUFS;
	return nlmsg_exchange(s, nh, NULL, NULL);
}

/**
 * struct nl_dup - Copy of routes or addresses between interfaces
 * @af:		Address family
 * @ifi_src:	Source interface index
 * @ifi_dst:	Destination interface index
 * @err:	0, or -ENOBUFS if the store ran out of space
 */
struct nl_dup {
	sa_family_t af;
	unsigned ifi_src;
	unsigned ifi_dst;
	int err;
};

/**
 * nl_store_reset() - Empty the store of requests to replay
 */
static void nl_store_reset(void)
{
	nl.store_len = 0;
	nl.store_cnt = 0;
}

/**
 * nl_store_room() - Bytes left in the store
 *
 * Return: bytes
 */
static size_t nl_store_room(void)
{
	return sizeof(nl.store) - nl.store_len;
}

/**
 * nl_store_start() - Start a request at the end of the store
 * @type:	Message type
 * @flags:	NLM_F_* flags besides NLM_F_REQUEST and NLM_F_ACK
 * @hdr:	Family header
 * @hdr_len:	Size of @hdr, bytes
 *
 * Return: message, NULL if the store is full
 */
static struct nlmsghdr *nl_store_start(uint16_t type, uint16_t flags,
				       const void *hdr, size_t hdr_len)
{
	if (nl.store_cnt >= NL_STORE_CNT || nl.store_len >= sizeof(nl.store))
		return NULL;
	return nlmsg_init(nl.store + nl.store_len, nl_store_room(), type,
			  flags, hdr, hdr_len);
}

/**
 * nl_store_commit() - Keep the request started by nl_store_start()
 * @nh:		Message, complete
 */
static void nl_store_commit(const struct nlmsghdr *nh)
{
	nl.store_off[nl.store_cnt] = nl.store_len;
	nl.store_done[nl.store_cnt] = false;
	nl.store_cnt++;
	nl.store_len += MIN(nlmsg_align(nh->nlmsg_len), nl_store_room());
}

/**
 * nl_store_pass() - Send the stored requests not accepted yet, once each
 * @s:		Netlink socket
 * @reverse:	Send them last to first
 * @err:	First error of this pass (output), 0 if none
 *
 * Return: requests accepted in this pass (EEXIST counts as accepted)
 */
static size_t nl_store_pass(int s, bool reverse, int *err)
{
	struct nlmsghdr *nh;
	size_t j, i, ok = 0;
	int ret;

	*err = 0;
	for (j = 0; j < nl.store_cnt; j++) {
		i = reverse ? nl.store_cnt - 1 - j : j;
		if (nl.store_done[i])
			continue;
		nh = (struct nlmsghdr *)(nl.store + nl.store_off[i]);
		ret = nlmsg_exchange(s, nh, NULL, NULL);
		if (!ret || ret == -EEXIST) {
			nl.store_done[i] = true;
			ok++;
			continue;
		}
		debug("netlink: request %zu of %zu failed: %s", i + 1,
		      nl.store_cnt, strerror(-ret));
		if (!*err)
			*err = ret;
	}
	return ok;
}

/**
 * nl_store_replay() - Send all stored requests, retrying failed ones
 * @s:		Netlink socket
 * @reverse:	Send them last to first
 *
 * Requests failing because they depend on others (a route through a gateway
 * that another route makes reachable) succeed in a later pass; passes stop
 * when all succeeded, when one brings no progress, or after NL_DUP_PASSES.
 *
 * Return: 0 if all were accepted, else the first error of the last pass
 */
static int nl_store_replay(int s, bool reverse)
{
	size_t left = nl.store_cnt, ok;
	int pass, err = 0;

	for (pass = 0; pass < NL_DUP_PASSES && left; pass++) {
		ok = nl_store_pass(s, reverse, &err);
		left -= ok;
		if (!ok)
			break;
	}
	if (left)
		debug("netlink: %zu of %zu requests failed", left,
		      nl.store_cnt);
	return left ? err : 0;
}

/**
 * nl_store_strip() - Remove an attribute from stored routes not accepted yet
 * @type:	Route attribute type (RTA_*)
 *
 * Return: count of requests changed
 */
static size_t nl_store_strip(uint16_t type)
{
	struct nlmsghdr *nh;
	size_t i, cnt = 0;

	for (i = 0; i < nl.store_cnt; i++) {
		nh = (struct nlmsghdr *)(nl.store + nl.store_off[i]);
		if (!nl.store_done[i] && nh->nlmsg_type == RTM_NEWROUTE &&
		    nlmsg_attr_del(nh, sizeof(struct rtmsg), type))
			cnt++;
	}
	return cnt;
}

/**
 * nl_mpath_put() - Append RTA_MULTIPATH with the source's hops, rewritten
 * @m:		Message being built in the store
 * @mp:		Source RTA_MULTIPATH attribute
 * @d:		Source and destination interfaces
 *
 * Only hops through the source interface are kept, now through the
 * destination interface; flags other than RTNH_F_ONLINK are cleared.
 *
 * Return: 0 on success, -ENOBUFS if it doesn't fit
 */
static int nl_mpath_put(struct nlmsghdr *m, const struct rtattr *mp,
			const struct nl_dup *d)
{
	const char *p = nlmsg_attr_get(mp, 0);
	const struct rtnexthop *rtnh;
	struct rtnexthop *out;
	size_t off = 0, len = 0;

	while ((rtnh = nl_nh_next(p, nlmsg_attr_len(mp), &off))) {
		if (rtnh->rtnh_ifindex <= 0 ||
		    (unsigned)rtnh->rtnh_ifindex != d->ifi_src)
			continue;
		if (sizeof(nl.mpath) - len < nlmsg_align(rtnh->rtnh_len))
			return -ENOBUFS;
		out = (struct rtnexthop *)(nl.mpath + len);
		memset(out, 0, nlmsg_align(rtnh->rtnh_len));
		memcpy(out, rtnh, rtnh->rtnh_len);
		out->rtnh_ifindex = d->ifi_dst;
		out->rtnh_flags &= RTNH_F_ONLINK;
		len += nlmsg_align(rtnh->rtnh_len);
	}
	return nlmsg_attr_put(m, nl_store_room(), RTA_MULTIPATH, nl.mpath, len);
}

/**
 * nl_route_attr_copy() - Copy one route attribute to the rebuilt request
 * @m:		Message being built in the store
 * @rta:	Source attribute
 * @d:		Source and destination interfaces
 *
 * Return: 0 on success (attribute copied, rewritten or left out), -ENOBUFS
 */
static int nl_route_attr_copy(struct nlmsghdr *m, const struct rtattr *rta,
			      const struct nl_dup *d)
{
	switch (rta->rta_type & NLA_TYPE_MASK) {
	case RTA_OIF:
		return nlmsg_attr_put_u32(m, nl_store_room(), RTA_OIF,
					  d->ifi_dst);
	case RTA_MULTIPATH:
		return nl_mpath_put(m, rta, d);
	case RTA_DST:
	case RTA_SRC:
	case RTA_GATEWAY:
	case RTA_PRIORITY:
	case RTA_PREFSRC:
	case RTA_METRICS:
	case RTA_FLOW:
	case RTA_PREF:
	case RTA_VIA:
		return nlmsg_attr_put(m, nl_store_room(), rta->rta_type,
				      nlmsg_attr_get(rta, 0),
				      nlmsg_attr_len(rta));
	default:	/* RTA_TABLE, RTA_CACHEINFO, RTA_EXPIRES, ... */
		return 0;
	}
}

/**
 * nl_route_store() - Store a route as a request for the destination
 * @nh:		Source route message, family header checked
 * @rtm:	Its route header
 * @d:		Source and destination interfaces, @d->err set if full
 */
static void nl_route_store(const struct nlmsghdr *nh, const struct rtmsg *rtm,
			   struct nl_dup *d)
{
	size_t start = NLMSG_HDRLEN + nlmsg_align(sizeof(*rtm)), off = 0;
	const char *p = (const char *)nh + start;
	const struct rtattr *rta;
	struct rtmsg hdr = *rtm;
	struct nlmsghdr *m;

	hdr.rtm_table = RT_TABLE_MAIN;
	hdr.rtm_flags &= RTNH_F_ONLINK;
	m = nl_store_start(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL,
			   &hdr, sizeof(hdr));
	if (!m)
		goto full;
	while ((rta = nlmsg_attr_next(p, nh->nlmsg_len - start, &off))) {
		if (nl_route_attr_copy(m, rta, d))
			goto full;
	}
	nl_store_commit(m);
	return;
full:
	d->err = -ENOBUFS;
}

/**
 * nl_route_dup_cb() - Store a route of the source interface, rewritten
 * @nh:		Message
 * @arg:	struct nl_dup
 *
 * Return: false if the store is full, true otherwise
 */
static bool nl_route_dup_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct rtattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm;
	struct nl_dup *d = arg;
	struct nl_hop hop;

	if (nh->nlmsg_type != RTM_NEWROUTE)
		return true;
	rtm = nlmsg_parse(nh, sizeof(*rtm), tb, ARRAY_SIZE(tb));
	if (!rtm || !nl_route_usable(rtm, tb, d->af) ||
	    nl_route_dst_skip(rtm, tb) || !nl_route_hop(tb, d->ifi_src, &hop))
		return true;
	nl_route_store(nh, rtm, d);
	return !d->err;
}

/**
 * nl_route_dup() - Copy the routes of an interface to another one
 * @s_src:	Netlink socket for the source interface
 * @ifi_src:	Source interface index
 * @s_dst:	Netlink socket for the destination interface
 * @ifi_dst:	Destination interface index, up, addresses already set
 * @af:		AF_INET or AF_INET6
 *
 * Routes whose preferred source address the destination lacks are copied
 * without it.
 *
 * Return: 0 on success, negative errno if some route could not be copied
 */
int nl_route_dup(int s_src, unsigned ifi_src, int s_dst, unsigned ifi_dst,
		 sa_family_t af)
{
	struct nl_dup d = { .af = af, .ifi_src = ifi_src, .ifi_dst = ifi_dst };
	int ret;

	if (!nl_addr_len(af) || !ifi_src || !ifi_dst || ifi_dst > INT32_MAX)
		return -EINVAL;
	nl_store_reset();
	ret = nl_dump(s_src, RTM_GETROUTE, af, nl_route_dup_cb, &d);
	if (ret)
		return ret;
	if (d.err) {
		warn("netlink: too many routes to copy");
		return d.err;
	}
	ret = nl_store_replay(s_dst, false);
	if (ret && nl_store_strip(RTA_PREFSRC)) {
		debug("netlink: retrying routes without preferred source");
		ret = nl_store_replay(s_dst, false);
	}
	return ret;
}

/**
 * nl_addr_is_ll() - Is an address link-local (169.254.0.0/16, fe80::/10)?
 * @af:		AF_INET or AF_INET6
 * @addr:	Address, nl_addr_len(@af) bytes
 *
 * Return: true if link-local
 */
static bool nl_addr_is_ll(sa_family_t af, const uint8_t *addr)
{
	if (af == AF_INET)
		return addr[0] == 169 && addr[1] == 254;
	return addr[0] == 0xfe && (addr[1] & 0xc0) == 0x80;
}

/**
 * nl_ifa_parse() - Parse an address message for a family and interface
 * @nh:		Message
 * @af:		Address family wanted
 * @ifi:	Interface index wanted
 * @tb:		Attributes (output), IFA_MAX + 1 entries
 * @addr:	Local address (output), IFA_LOCAL or else IFA_ADDRESS
 *
 * Return: address header, NULL if not an address of @af on @ifi
 */
static const struct ifaddrmsg *nl_ifa_parse(const struct nlmsghdr *nh,
					    sa_family_t af, unsigned ifi,
					    const struct rtattr **tb,
					    const uint8_t **addr)
{
	const struct ifaddrmsg *ifa;

	if (nh->nlmsg_type != RTM_NEWADDR)
		return NULL;
	ifa = nlmsg_parse(nh, sizeof(*ifa), tb, IFA_MAX + 1);
	if (!ifa || ifa->ifa_family != af || ifa->ifa_index != ifi)
		return NULL;
	*addr = nlmsg_attr_get(tb[IFA_LOCAL], nl_addr_len(af));
	if (!*addr)
		*addr = nlmsg_attr_get(tb[IFA_ADDRESS], nl_addr_len(af));
	return *addr ? ifa : NULL;
}

/**
 * nl_ifa_flags() - Flags of an address, all 32 bits
 * @ifa:	Address header
 * @tb:		Attributes
 *
 * Return: IFA_FLAGS if present, else the 8 bits of the header
 */
static uint32_t nl_ifa_flags(const struct ifaddrmsg *ifa,
			     const struct rtattr **tb)
{
	uint32_t flags = ifa->ifa_flags;

	nlmsg_attr_get_u32(tb[IFA_FLAGS], &flags);
	return flags;
}

/**
 * struct nl_addr_q - Search for the addresses of an interface
 * @af:		Address family
 * @ifi:	Interface index
 * @addr:	Global address (output), NULL if not wanted
 * @prefix_len:	Its prefix length (output), NULL if not wanted
 * @addr_l:	IPv6 link-local address (output), NULL if not wanted
 * @found:	A global address was stored
 * @found_good:	The stored one isn't temporary, deprecated or tentative
 * @found_l:	A link-local address was stored
 */
struct nl_addr_q {
	sa_family_t af;
	unsigned ifi;
	void *addr;
	int *prefix_len;
	void *addr_l;
	bool found;
	bool found_good;
	bool found_l;
};

/**
 * nl_addr_get_cb() - Take the first global and link-local addresses
 * @nh:		Message
 * @arg:	struct nl_addr_q, updated
 *
 * Return: true (the dump is short; preferences need all of it)
 */
static bool nl_addr_get_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct rtattr *tb[IFA_MAX + 1];
	const struct ifaddrmsg *ifa;
	struct nl_addr_q *q = arg;
	const uint8_t *a;
	bool good;

	ifa = nl_ifa_parse(nh, q->af, q->ifi, tb, &a);
	if (!ifa)
		return true;
	if (ifa->ifa_scope == RT_SCOPE_LINK && q->af == AF_INET6) {
		if (q->addr_l && !q->found_l)
			memcpy(q->addr_l, a, nl_addr_len(q->af));
		q->found_l = true;
		return true;
	}
	good = !(nl_ifa_flags(ifa, tb) & NL_ADDR_FLAGS_WEAK);
	if (ifa->ifa_scope != RT_SCOPE_UNIVERSE || q->found_good ||
	    (q->found && !good))
		return true;
	if (q->addr)
		memcpy(q->addr, a, nl_addr_len(q->af));
	if (q->prefix_len)
		*q->prefix_len = ifa->ifa_prefixlen;
	q->found = true;
	q->found_good = good;
	return true;
}

/**
 * nl_addr_get() - Global address of an interface, and IPv6 link-local one
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @addr:	First global address (output), preferring ones that are not
 *		temporary, deprecated or tentative; NULL if not wanted
 * @prefix_len:	Its prefix length (output), may be NULL
 * @addr_l:	IPv6 link-local address (output), may be NULL
 *
 * Return: 0 if what was asked for (a global address if @addr is given,
 *	   else the link-local one) was found, -ENOENT if not, negative errno
 *	   on failure
 */
int nl_addr_get(int s, unsigned ifi, sa_family_t af, void *addr,
		int *prefix_len, void *addr_l)
{
	struct nl_addr_q q = {
		.af = af, .ifi = ifi, .addr = addr, .prefix_len = prefix_len,
		.addr_l = af == AF_INET6 ? addr_l : NULL,
	};
	int ret;

	if (!nl_addr_len(af) || !ifi)
		return -EINVAL;
	ret = nl_dump(s, RTM_GETADDR, af, nl_addr_get_cb, &q);
	if (ret)
		return ret;
	if (addr)
		return q.found ? 0 : -ENOENT;
	return q.found_l ? 0 : -ENOENT;
}

/**
 * nl_addr_set() - Add an address to an interface
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @af:		AF_INET or AF_INET6
 * @addr:	Address, struct in_addr or struct in6_addr
 * @prefix_len:	Prefix length, bits
 *
 * IPv6 addresses are added without duplicate address detection.
 *
 * Return: 0 on success, negative errno on failure
 */
int nl_addr_set(int s, unsigned ifi, sa_family_t af, const void *addr,
		int prefix_len)
{
	size_t alen = nl_addr_len(af);
	struct ifaddrmsg ifa = {
		.ifa_family = af, .ifa_prefixlen = prefix_len,
		.ifa_flags = af == AF_INET6 ? IFA_F_NODAD : 0,
		.ifa_scope = RT_SCOPE_UNIVERSE, .ifa_index = ifi,
	};
	struct nlmsghdr *nh;

	if (!alen || !ifi || prefix_len < 0 || (size_t)prefix_len > alen * 8)
		return -EINVAL;
	nh = nl_req(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, &ifa, sizeof(ifa));
	if (nlmsg_attr_put(nh, sizeof(nl.req), IFA_LOCAL, addr, alen) ||
	    nlmsg_attr_put(nh, sizeof(nl.req), IFA_ADDRESS, addr, alen))
		return -ENOBUFS;
	return nlmsg_exchange(s, nh, NULL, NULL);
}

/**
 * nl_addr_store() - Store an address as a request for the destination
 * @ifa:	Source address header
 * @tb:		Source attributes
 * @d:		Source and destination interfaces, @d->err set if full
 */
static void nl_addr_store(const struct ifaddrmsg *ifa,
			  const struct rtattr **tb, struct nl_dup *d)
{
	static const uint16_t copy[] = { IFA_LOCAL, IFA_ADDRESS,
					 IFA_BROADCAST };
	uint32_t flags = nl_ifa_flags(ifa, tb) & NL_ADDR_FLAGS_COPY;
	struct ifaddrmsg hdr = *ifa;
	struct nlmsghdr *m;
	size_t i;

	if (d->af == AF_INET6)
		flags |= IFA_F_NODAD;
	hdr.ifa_flags = flags & 0xff;
	hdr.ifa_index = d->ifi_dst;
	m = nl_store_start(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
			   &hdr, sizeof(hdr));
	if (!m || nlmsg_attr_put_u32(m, nl_store_room(), IFA_FLAGS, flags))
		goto full;
	for (i = 0; i < ARRAY_SIZE(copy); i++) {
		if (tb[copy[i]] &&
		    nlmsg_attr_put(m, nl_store_room(), copy[i],
				   nlmsg_attr_get(tb[copy[i]], 0),
				   nlmsg_attr_len(tb[copy[i]])))
			goto full;
	}
	nl_store_commit(m);
	return;
full:
	d->err = -ENOBUFS;
}

/**
 * nl_addr_dup_cb() - Store an address of the source interface, rewritten
 * @nh:		Message
 * @arg:	struct nl_dup
 *
 * Return: false if the store is full, true otherwise
 */
static bool nl_addr_dup_cb(const struct nlmsghdr *nh, void *arg)
{
	const struct rtattr *tb[IFA_MAX + 1];
	const struct ifaddrmsg *ifa;
	struct nl_dup *d = arg;
	const uint8_t *a;

	ifa = nl_ifa_parse(nh, d->af, d->ifi_src, tb, &a);
	if (!ifa || ifa->ifa_scope >= RT_SCOPE_LINK || nl_addr_is_ll(d->af, a))
		return true;
	nl_addr_store(ifa, tb, d);
	return !d->err;
}

/**
 * nl_addr_dup() - Copy the addresses of an interface to another one
 * @s_src:	Netlink socket for the source interface
 * @ifi_src:	Source interface index
 * @s_dst:	Netlink socket for the destination interface
 * @ifi_dst:	Destination interface index
 * @af:		AF_INET or AF_INET6
 *
 * Link-local addresses are not copied. Prefix lengths and the "no prefix
 * route" flag are kept; IPv6 addresses are added without duplicate address
 * detection, and all without lifetimes (permanent). The order is kept: IPv4
 * addresses are listed and added primary first; IPv6 ones are listed newest
 * first, so they are added last to first.
 *
 * Return: 0 on success, negative errno if some address could not be copied
 */
int nl_addr_dup(int s_src, unsigned ifi_src, int s_dst, unsigned ifi_dst,
		sa_family_t af)
{
	struct nl_dup d = { .af = af, .ifi_src = ifi_src, .ifi_dst = ifi_dst };
	int ret;

	if (!nl_addr_len(af) || !ifi_src || !ifi_dst)
		return -EINVAL;
	nl_store_reset();
	ret = nl_dump(s_src, RTM_GETADDR, af, nl_addr_dup_cb, &d);
	if (ret)
		return ret;
	if (d.err) {
		warn("netlink: too many addresses to copy");
		return d.err;
	}
	/* The kernel lists IPv6 addresses newest first: keep their order */
	return nl_store_replay(s_dst, af == AF_INET6);
}

/**
 * nl_link_get_mac() - Link-layer address of an interface
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @mac:	MAC address (output), ETH_ALEN bytes
 *
 * Return: 0 on success, -ENOENT if it has no Ethernet address, negative
 *	   errno on failure
 */
int nl_link_get_mac(int s, unsigned ifi, void *mac)
{
	struct nl_link l;
	int ret;

	ret = nl_link_query(s, ifi, &l);
	if (ret)
		return ret;
	if (!l.has_mac)
		return -ENOENT;
	memcpy(mac, l.mac, ETH_ALEN);
	return 0;
}

/**
 * nl_link_get_name() - Name of an interface
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @name:	Name (output), IFNAMSIZ bytes, NUL-terminated
 *
 * Return: 0 on success, negative errno on failure
 */
int nl_link_get_name(int s, unsigned ifi, char *name)
{
	struct nl_link l;
	int ret;

	ret = nl_link_query(s, ifi, &l);
	if (ret)
		return ret;
	if (!l.has_name)
		return -ENOENT;
	memcpy(name, l.name, sizeof(l.name));
	return 0;
}

/**
 * nl_link_set() - Change flags of a link, or set one attribute of it
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @flags:	IFF_* flags to set, within @change
 * @change:	IFF_* flags to change
 * @type:	Attribute type (IFLA_*), 0 for none
 * @data:	Attribute payload
 * @len:	Payload length, bytes
 *
 * Return: 0 on success, negative errno on failure
 */
static int nl_link_set(int s, unsigned ifi, unsigned flags, unsigned change,
		       uint16_t type, const void *data, size_t len)
{
	struct ifinfomsg ifm = {
		.ifi_family = AF_UNSPEC, .ifi_index = ifi,
		.ifi_flags = flags, .ifi_change = change,
	};
	struct nlmsghdr *nh;

	if (!ifi || ifi > INT32_MAX)
		return -ENODEV;
	nh = nl_req(RTM_NEWLINK, 0, &ifm, sizeof(ifm));
	if (type && nlmsg_attr_put(nh, sizeof(nl.req), type, data, len))
		return -ENOBUFS;
	return nlmsg_exchange(s, nh, NULL, NULL);
}

/**
 * nl_link_set_mac() - Set the link-layer address of an interface
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @mac:	MAC address, ETH_ALEN bytes
 *
 * Return: 0 on success, negative errno on failure
 */
int nl_link_set_mac(int s, unsigned ifi, const void *mac)
{
	return nl_link_set(s, ifi, 0, 0, IFLA_ADDRESS, mac, ETH_ALEN);
}

/**
 * nl_link_set_mtu() - Set the MTU of an interface
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @mtu:	MTU, bytes
 *
 * Return: 0 on success, negative errno on failure
 */
int nl_link_set_mtu(int s, unsigned ifi, int mtu)
{
	uint32_t v = mtu;

	if (mtu <= 0)
		return -EINVAL;
	return nl_link_set(s, ifi, 0, 0, IFLA_MTU, &v, sizeof(v));
}

/**
 * nl_link_set_txqlen() - Set the transmit queue length of an interface
 * @s:		Netlink socket
 * @ifi:	Interface index
 * @len:	Queue length, packets
 *
 * Return: 0 on success, negative errno on failure
 */
int nl_link_set_txqlen(int s, unsigned ifi, uint32_t len)
{
	return nl_link_set(s, ifi, 0, 0, IFLA_TXQLEN, &len, sizeof(len));
}

/**
 * nl_link_up() - Bring an interface up
 * @s:		Netlink socket
 * @ifi:	Interface index
 *
 * Return: 0 on success, negative errno on failure
 */
int nl_link_up(int s, unsigned ifi)
{
	return nl_link_set(s, ifi, IFF_UP, IFF_UP, 0, NULL, 0);
}
