// SPDX-License-Identifier: GPL-2.0-or-later
/* conf.c - Command line parsing and configuration
 *
 * Theory of Operation
 *
 * conf() runs once, before anything is opened but the netlink socket, and
 * fills every configuration field of struct ctx. It keeps no state of its
 * own: what only matters while options are read (was -n given, was a -D
 * seen) lives in a struct conf_args on conf()'s stack.
 *
 * The stages, in order:
 *
 * 1. defaults: fds -1, MTU 65520, our MAC 9a:55:9a:55:9a:55, broadcast guest
 *    MAC, mode-dependent DNS/search advertisement (pasta sends neither)
 * 2. options, read through conf_opt_next(): simple switches come from one
 *    table, the rest from small per-group handlers. Unknown options and
 *    missing values are reported by getopt_long() in its own words, which
 *    launchers match; options of the other mode and malformed values end
 *    the process with one line naming the option (die()). The option
 *    table and the parsers for values live in conf_parse.c, exported so
 *    they can be tested without running conf(); this file decides what
 *    each option does to struct ctx
 * 3. positional arguments (pasta): a PID, or a command to spawn
 * 4. consistency checks between options, then logging set-up
 * 5. --runas (or nobody, when started as root) resolved to numeric IDs
 * 6. template interfaces, per family, through netlink: -i, else
 *    --outbound-if4/6, else the interface holding the default route.
 *    Addresses, prefix and gateway come from it unless given. Without a
 *    template, a family runs in "local mode": 169.254.2.1/16 via
 *    169.254.2.2 for IPv4, no global address via fe80::1 for IPv6
 * 7. host mappings (--map-host-loopback, by default the gateway unless
 *    --no-map-gw; --map-guest-addr, none by default: see fwd.c for what
 *    they do), resolvers and search list (resolv.conf unless -D/-S),
 *    forwarding defaults (passt: none, pasta: auto)
 *
 * The caller opens the log and PID files and prints the summary with
 * conf_print() once the rest of set-up is done.
 */

#include <arpa/inet.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "conf_parse.h"
#include "fwd_spec.h"
#include "log.h"
#include "netlink.h"
#include "ctx.h"
#include "util.h"

#define CONF_LOCAL_ADDR4	"169.254.2.1"
#define CONF_LOCAL_GW4		"169.254.2.2"
#define CONF_LOCAL_PREFIX4	16
#define CONF_OUR_LL6		"fe80::1"
#define CONF_PREFIX6_DEFAULT	64
#define CONF_RESOLV_PATH	"/etc/resolv.conf"
#define CONF_NOBODY_ID		65534	/* when "nobody" isn't in passwd */
#define CONF_TAP_NAME_DEFAULT	"tap0"

static const unsigned char conf_tap_mac_default[ETH_ALEN] = {
	0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55
};

/**
 * struct conf_flag - An option that only sets a boolean in struct ctx
 * @off:	Offset of the bool in struct ctx
 * @opt:	Option value, as getopt_long() returns it
 * @val:	Value stored
 */
struct conf_flag {
	size_t off;
	int opt;
	bool val;
};

#define CONF_FLAG(o, field, v)						\
	{ .off = offsetof(struct ctx, field), .opt = (o), .val = (v) }

static const struct conf_flag conf_flags[] = {
	CONF_FLAG('d', debug, true),
	CONF_FLAG('q', quiet, true),
	CONF_FLAG('f', foreground, true),
	CONF_FLAG('e', stderr, true),
	CONF_FLAG('1', one_off, true),
	CONF_FLAG(CONF_OPT_NO_DHCP_DNS, no_dhcp_dns, true),
	CONF_FLAG(CONF_OPT_DHCP_DNS, no_dhcp_dns, false),
	CONF_FLAG(CONF_OPT_NO_DHCP_SEARCH, no_dhcp_dns_search, true),
	CONF_FLAG(CONF_OPT_DHCP_SEARCH, no_dhcp_dns_search, false),
	CONF_FLAG(CONF_OPT_NO_TCP, no_tcp, true),
	CONF_FLAG(CONF_OPT_NO_UDP, no_udp, true),
	CONF_FLAG(CONF_OPT_NO_DHCP, no_dhcp, true),
	CONF_FLAG(CONF_OPT_NO_NDP, no_ndp, true),
	CONF_FLAG(CONF_OPT_NO_DHCPV6, no_dhcpv6, true),
	CONF_FLAG(CONF_OPT_NO_RA, no_ra, true),
	CONF_FLAG(CONF_OPT_FREEBIND, freebind, true),
	CONF_FLAG(CONF_OPT_NO_MAP_GW, no_map_gw, true),
	CONF_FLAG(CONF_OPT_NETNS_ONLY, netns_only, true),
	CONF_FLAG(CONF_OPT_NO_NETNS_QUIT, no_netns_quit, true),
	CONF_FLAG(CONF_OPT_NO_PIDNS, no_pidns, true),
	CONF_FLAG(CONF_OPT_CONFIG_NET, config_net, true),
	CONF_FLAG(CONF_OPT_NO_SPLICE, no_splice, true),
	CONF_FLAG(CONF_OPT_SPLICE_ONLY, splice_only, true),
	CONF_FLAG(CONF_OPT_HOST_LO_TO_NS_LO, host_lo_to_ns_lo, true),
	CONF_FLAG(CONF_OPT_VHOST_USER, vhost_user, true),
};

/**
 * struct conf_args - What matters only while options are read
 * @runas:	--runas value, NULL if not given
 * @cidr4:	-a gave an IPv4 address with a /prefix
 * @netmask:	-n given
 * @netmask_len: Prefix length from -n
 * @v4_only:	-4 given
 * @v6_only:	-6 given
 * @dns_given:	-D given (addresses or "none")
 * @search_given: -S given
 * @dns_host4:	--dns-host given for IPv4
 * @dns_host6:	--dns-host given for IPv6
 * @map_lo4:	--map-host-loopback given for IPv4
 * @map_lo6:	--map-host-loopback given for IPv6
 * @map_lo_none: --map-host-loopback none
 * @map_guest4:	--map-guest-addr, IPv4 (unspecified: none)
 * @map_guest6:	--map-guest-addr, IPv6 (unspecified: none)
 * @dns4_cnt:	IPv4 resolvers from -D
 * @dns6_cnt:	IPv6 resolvers from -D
 * @userns:	--userns given
 * @netns:	--netns given
 * @netns_arg:	--netns value, resolved against @nsrun_dir once all is read
 * @nsrun_dir:	--nsrun-dir value, NULL for the default
 */
struct conf_args {
	const char *runas;
	bool cidr4;
	bool netmask;
	int netmask_len;
	bool v4_only;
	bool v6_only;
	bool dns_given;
	bool search_given;
	bool dns_host4;
	bool dns_host6;
	bool map_lo4;
	bool map_lo6;
	bool map_lo_none;
	struct in_addr map_guest4;
	struct in6_addr map_guest6;
	unsigned dns4_cnt;
	unsigned dns6_cnt;
	bool userns;
	bool netns;
	const char *netns_arg;
	const char *nsrun_dir;
};

/**
 * conf_opt_flag() - Apply an option that only sets a boolean
 * @c:		Execution context
 * @opt:	Option value
 *
 * Return: true if @opt was such an option
 */
static bool conf_opt_flag(struct ctx *c, int opt)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(conf_flags); i++) {
		if (conf_flags[i].opt != opt)
			continue;
		*(bool *)((char *)c + conf_flags[i].off) = conf_flags[i].val;
		return true;
	}
	return false;
}

/**
 * conf_str_set() - Copy an option's text value into a fixed-size field
 * @dst:	Field
 * @size:	Size of @dst, bytes
 * @opt:	Option value, for messages
 * @arg:	Text, must be non-empty and fit with its terminator
 */
static void conf_str_set(char *dst, size_t size, int opt, const char *arg)
{
	char name[64];

	if (!*arg || strlen(arg) >= size)
		die("Option %s: value '%s' is empty or too long (max %zu)",
		    conf_opt_name(opt, name, sizeof(name)), arg, size - 1);
	strcpy(dst, arg);
}

/**
 * conf_bad_value() - Die for a malformed option value
 * @opt:	Option value
 * @arg:	Value given
 * @what:	What was expected
 */
__attribute__((noreturn))
static void conf_bad_value(int opt, const char *arg, const char *what)
{
	char name[64];

	die("Option %s: invalid value '%s': %s",
	    conf_opt_name(opt, name, sizeof(name)), arg, what);
}

/**
 * conf_addr_arg() - Parse an address option value, no prefix allowed
 * @opt:	Option value, for messages
 * @arg:	Text
 * @addr:	Address (output)
 *
 * Return: AF_INET or AF_INET6; dies if malformed
 */
static int conf_addr_arg(int opt, const char *arg, union conf_inaddr *addr)
{
	int af, prefix_len;

	af = conf_addr_parse(arg, addr, &prefix_len);
	if (!af || prefix_len >= 0)
		conf_bad_value(opt, arg, "expected an IPv4 or IPv6 address");
	return af;
}

/**
 * conf_opt_address() - Apply -a/--address
 * @c:		Execution context
 * @a:		Parsing state
 * @arg:	Address, optional /prefix
 */
static void conf_opt_address(struct ctx *c, struct conf_args *a,
			     const char *arg)
{
	union conf_inaddr addr;
	int af, prefix_len;

	af = conf_addr_parse(arg, &addr, &prefix_len);
	if (!af)
		conf_bad_value('a', arg, "expected ADDRESS[/PREFIX]");
	if (!conf_addr_is_unicast(af, &addr))
		conf_bad_value('a', arg, "not a unicast address");

	if (af == AF_INET) {
		c->ip4.addr = addr.v4;
		c->ip4.addr_given = true;
		c->ip4.no_copy_addrs = true;
		a->cidr4 = prefix_len >= 0;
		if (a->cidr4)
			c->ip4.prefix_len = prefix_len;
		return;
	}

	c->ip6.addr = addr.v6;
	c->ip6.addr_given = true;
	c->ip6.no_copy_addrs = true;
	c->ip6.prefix_len = prefix_len >= 0 ? prefix_len : CONF_PREFIX6_DEFAULT;
}

/**
 * conf_opt_gateway() - Apply -g/--gateway
 * @c:		Execution context
 * @arg:	Address
 */
static void conf_opt_gateway(struct ctx *c, const char *arg)
{
	union conf_inaddr addr;
	int af = conf_addr_arg('g', arg, &addr);

	if (!conf_addr_is_unicast(af, &addr))
		conf_bad_value('g', arg, "not a unicast address");

	if (af == AF_INET) {
		c->ip4.gw = addr.v4;
		c->ip4.gw_given = true;
		c->ip4.no_copy_routes = true;
	} else {
		c->ip6.gw = addr.v6;
		c->ip6.gw_given = true;
		c->ip6.no_copy_routes = true;
	}
}

/**
 * conf_opt_dns() - Apply one -D/--dns: an address, or "none"
 * @c:		Execution context
 * @a:		Parsing state: resolvers counted so far
 * @arg:	Address or "none"
 */
static void conf_opt_dns(struct ctx *c, struct conf_args *a, const char *arg)
{
	union conf_inaddr addr;
	int af;

	a->dns_given = true;
	if (!strcmp(arg, "none")) {
		memset(c->ip4.dns, 0, sizeof(c->ip4.dns));
		memset(c->ip6.dns, 0, sizeof(c->ip6.dns));
		a->dns4_cnt = a->dns6_cnt = 0;
		return;
	}

	af = conf_addr_arg('D', arg, &addr);
	if (af == AF_INET && a->dns4_cnt < DNS_MAX)
		c->ip4.dns[a->dns4_cnt++] = addr.v4;
	else if (af == AF_INET6 && a->dns6_cnt < DNS_MAX)
		c->ip6.dns[a->dns6_cnt++] = addr.v6;
	else
		warn("-D %s ignored: at most %d resolvers per family", arg,
		     DNS_MAX);
}

/**
 * conf_opt_map_lo() - Apply --map-host-loopback: an address, or "none"
 * @c:		Execution context
 * @a:		Parsing state
 * @arg:	Address or "none"
 */
static void conf_opt_map_lo(struct ctx *c, struct conf_args *a,
			    const char *arg)
{
	union conf_inaddr addr;

	if (!strcmp(arg, "none")) {
		a->map_lo_none = true;
		a->map_lo4 = a->map_lo6 = false;
		c->no_map_gw = true;
		return;
	}

	if (conf_addr_arg(CONF_OPT_MAP_HOST_LO, arg, &addr) == AF_INET) {
		c->ip4.map_host_loopback = addr.v4;
		a->map_lo4 = true;
	} else {
		c->ip6.map_host_loopback = addr.v6;
		a->map_lo6 = true;
	}
	a->map_lo_none = false;
}

/**
 * conf_opt_map_guest() - Apply --map-guest-addr: an address, or "none"
 * @a:		Parsing state
 * @arg:	Address or "none"
 *
 * The last address given for each family wins; "none" clears both.
 */
static void conf_opt_map_guest(struct conf_args *a, const char *arg)
{
	union conf_inaddr addr;
	int af;

	if (!strcmp(arg, "none")) {
		memset(&a->map_guest4, 0, sizeof(a->map_guest4));
		memset(&a->map_guest6, 0, sizeof(a->map_guest6));
		return;
	}

	af = conf_addr_arg(CONF_OPT_MAP_GUEST, arg, &addr);
	if (!conf_addr_is_unicast(af, &addr))
		conf_bad_value(CONF_OPT_MAP_GUEST, arg,
			       "not a unicast address");
	if (af == AF_INET)
		a->map_guest4 = addr.v4;
	else
		a->map_guest6 = addr.v6;
}

/**
 * conf_opt_addr_family() - Apply the other per-family address options
 * @c:		Execution context
 * @a:		Parsing state
 * @opt:	-o, --dns-forward or --dns-host
 * @arg:	Address
 */
static void conf_opt_addr_family(struct ctx *c, struct conf_args *a, int opt,
				 const char *arg)
{
	union conf_inaddr addr;
	bool v4 = conf_addr_arg(opt, arg, &addr) == AF_INET;

	if (opt == 'o' && v4)
		c->ip4.addr_out = addr.v4;
	else if (opt == 'o')
		c->ip6.addr_out = addr.v6;
	else if (opt == CONF_OPT_DNS_FORWARD && v4)
		c->ip4.dns_match = addr.v4;
	else if (opt == CONF_OPT_DNS_FORWARD)
		c->ip6.dns_match = addr.v6;
	else if (v4)
		c->ip4.dns_host = addr.v4;
	else
		c->ip6.dns_host = addr.v6;

	if (opt == CONF_OPT_DNS_HOST && v4)
		a->dns_host4 = true;
	else if (opt == CONF_OPT_DNS_HOST)
		a->dns_host6 = true;
}

/**
 * conf_opt_fwd() - Apply -t, -u, -T or -U
 * @c:		Execution context
 * @opt:	Option value
 * @arg:	Forwarding specification
 */
static void conf_opt_fwd(struct ctx *c, int opt, const char *arg)
{
	struct fwd_ports *fwd;
	char err[256], name[64];

	if (opt == 't')
		fwd = &c->tcp_in;
	else if (opt == 'u')
		fwd = &c->udp_in;
	else if (opt == 'T')
		fwd = &c->tcp_out;
	else
		fwd = &c->udp_out;

	if (fwd_parse_spec(fwd, arg, c->mode == MODE_PASTA, err, sizeof(err)))
		die("Option %s: invalid value '%s': %s",
		    conf_opt_name(opt, name, sizeof(name)), arg, err);
}

/**
 * conf_opt_net() - Apply options about addresses and interfaces
 * @c:		Execution context
 * @a:		Parsing state
 * @opt:	Option value
 * @arg:	Option argument, or NULL
 *
 * Return: true if @opt was handled here
 */
static bool conf_opt_net(struct ctx *c, struct conf_args *a, int opt,
			 const char *arg)
{
	switch (opt) {
	case 'm':
		if (!conf_mtu_parse(arg, &c->mtu))
			conf_bad_value(opt, arg, "expected 0 or 68-65520");
		return true;
	case 'a':
		conf_opt_address(c, a, arg);
		return true;
	case 'n':
		if (!conf_netmask_parse(arg, &a->netmask_len))
			conf_bad_value(opt, arg, "expected a.b.c.d or 0-32");
		a->netmask = true;
		return true;
	case 'M':
		if (!conf_mac_parse(arg, c->our_tap_mac))
			conf_bad_value(opt, arg, "expected xx:xx:xx:xx:xx:xx");
		return true;
	case 'g':
		conf_opt_gateway(c, arg);
		return true;
	case 'i':
		conf_str_set(c->ifname, sizeof(c->ifname), opt, arg);
		return true;
	case 'o':
	case CONF_OPT_DNS_FORWARD:
	case CONF_OPT_DNS_HOST:
		conf_opt_addr_family(c, a, opt, arg);
		return true;
	case CONF_OPT_OUT_IF4:
		conf_str_set(c->ip4.ifname_out, IFNAMSIZ, opt, arg);
		return true;
	case CONF_OPT_OUT_IF6:
		conf_str_set(c->ip6.ifname_out, IFNAMSIZ, opt, arg);
		return true;
	case 'D':
		conf_opt_dns(c, a, arg);
		return true;
	case 'S':
		if (!conf_search_parse(c->dns_search, arg))
			conf_bad_value(opt, arg, "domain name too long");
		a->search_given = true;
		return true;
	case CONF_OPT_MAP_HOST_LO:
		conf_opt_map_lo(c, a, arg);
		return true;
	case CONF_OPT_MAP_GUEST:
		conf_opt_map_guest(a, arg);
		return true;
	}
	return false;
}

/**
 * conf_opt_ns() - Apply mode-specific options (sockets, namespaces)
 * @c:		Execution context
 * @a:		Parsing state
 * @opt:	Option value
 * @arg:	Option argument, or NULL
 *
 * Return: true if @opt was handled here
 */
static bool conf_opt_ns(struct ctx *c, struct conf_args *a, int opt,
			const char *arg)
{
	unsigned long v;

	switch (opt) {
	case 's':
		conf_str_set(c->sock_path, sizeof(c->sock_path), opt, arg);
		return true;
	case 'F':
		if (!conf_ulong_parse(arg, 0, FD_REF_MAX, &v))
			conf_bad_value(opt, arg, "expected a file descriptor");
		c->fd_tap = (int)v;
		c->fd_tap_given = c->one_off = true;
		return true;
	case 'I':
		conf_str_set(c->pasta_ifn, sizeof(c->pasta_ifn), opt, arg);
		return true;
	case CONF_OPT_USERNS:
		conf_str_set(c->userns_path, sizeof(c->userns_path), opt, arg);
		a->userns = true;
		return true;
	case CONF_OPT_NETNS:
		if (!*arg)
			conf_bad_value(opt, arg, "expected a path or a name");
		a->netns_arg = arg;
		a->netns = true;
		return true;
	case CONF_OPT_NSRUN_DIR:
		if (!*arg)
			conf_bad_value(opt, arg, "expected a directory");
		a->nsrun_dir = arg;
		return true;
	case CONF_OPT_NO_COPY_ROUTES:
		c->ip4.no_copy_routes = c->ip6.no_copy_routes = true;
		return true;
	case CONF_OPT_NO_COPY_ADDRS:
		c->ip4.no_copy_addrs = c->ip6.no_copy_addrs = true;
		return true;
	case CONF_OPT_NS_MAC:
		if (!conf_mac_parse(arg, c->ns_mac))
			conf_bad_value(opt, arg, "expected xx:xx:xx:xx:xx:xx");
		return true;
	}
	return false;
}

/**
 * conf_opt_misc() - Apply logging, file and protocol options
 * @c:		Execution context
 * @a:		Parsing state
 * @opt:	Option value
 * @arg:	Option argument, or NULL
 *
 * Return: true if @opt was handled here
 */
static bool conf_opt_misc(struct ctx *c, struct conf_args *a, int opt,
			  const char *arg)
{
	unsigned long v;

	switch (opt) {
	case CONF_OPT_TRACE:
		c->trace = c->debug = true;
		return true;
	case 'l':
		conf_str_set(c->log_file, sizeof(c->log_file), opt, arg);
		return true;
	case CONF_OPT_LOG_SIZE:
		if (!conf_ulong_parse(arg, 1, LONG_MAX, &v))
			conf_bad_value(opt, arg, "expected a size in bytes");
		return true;
	case 'P':
		conf_str_set(c->pidfile, sizeof(c->pidfile), opt, arg);
		return true;
	case 'p':
		conf_str_set(c->pcap, sizeof(c->pcap), opt, arg);
		return true;
	case CONF_OPT_RUNAS:
		a->runas = arg;
		c->runas_given = true;
		return true;
	case 'H':
		conf_str_set(c->hostname, sizeof(c->hostname), opt, arg);
		return true;
	case CONF_OPT_FQDN:
		conf_str_set(c->fqdn, sizeof(c->fqdn), opt, arg);
		return true;
	case CONF_OPT_STATS:
		if (!conf_ulong_parse(arg, 1, INT_MAX, &v))
			conf_bad_value(opt, arg, "expected seconds, >= 1");
		c->stats_interval = (int)v;
		return true;
	case CONF_OPT_NO_ICMP:
		c->no_icmp = c->no_ndp = true;
		return true;
	case '4':
		a->v4_only = true;
		return true;
	case '6':
		a->v6_only = true;
		return true;
	case CONF_OPT_CHROOT_FALLBACK:
		c->chroot_fallback = true;
		return true;
	}
	return false;
}

/**
 * conf_usage_general() - Print the general part of the option summary
 */
static void conf_usage_general(void)
{
	printf("\nGeneral:\n"
	       "  -d, --debug            verbose messages\n"
	       "      --trace            packet-level messages, implies -d\n"
	       "  -q, --quiet            only warnings and errors\n"
	       "  -f, --foreground       don't fork to the background\n"
	       "  -e, --stderr           log to standard error\n"
	       "  -l, --log-file PATH    log to PATH\n"
	       "      --log-size SIZE    accepted for compatibility\n"
	       "  -P, --pid PATH         write the process ID to PATH\n"
	       "      --runas USER[:GROUP]  user to switch to when root\n"
	       "  -p, --pcap PATH        capture guest-side frames to PATH\n"
	       "      --stats DELAY      print counters every DELAY s\n"
	       "  -h, --help             this text\n"
	       "      --version          version\n");
}

/**
 * conf_usage_net() - Print the address and forwarding part of the summary
 * @pasta:	pasta mode: mention "auto"
 */
static void conf_usage_net(bool pasta)
{
	printf("\nAddresses and services:\n"
	       "  -m, --mtu MTU          MTU to advertise, 0 for none\n"
	       "  -a, --address ADDR[/PREFIX]  address for the guest\n"
	       "  -n, --netmask MASK     IPv4 netmask, dotted or bits\n"
	       "  -M, --mac-addr MAC     our MAC address\n"
	       "  -g, --gateway ADDR     default gateway for the guest\n"
	       "  -i, --interface NAME   host template interface\n"
	       "  -o, --outbound ADDR    source address for host sockets\n"
	       "      --outbound-if4 NAME, --outbound-if6 NAME\n"
	       "                         bind host sockets to interface\n"
	       "  -D, --dns ADDR|none    resolver for the guest (repeat)\n"
	       "      --dns-forward ADDR guest address mapped to --dns-host\n"
	       "      --dns-host ADDR    host resolver for --dns-forward\n"
	       "  -S, --search LIST|none search domains, space separated\n"
	       "      --dhcp-dns, --no-dhcp-dns, --dhcp-search,\n"
	       "      --no-dhcp-search   advertise resolvers, domains or not\n"
	       "      --no-tcp, --no-udp, --no-icmp, --no-dhcp, --no-ndp,\n"
	       "      --no-dhcpv6, --no-ra  disable a protocol handler\n"
	       "      --freebind         bind forwarded ports to any address\n"
	       "      --map-host-loopback ADDR|none  guest address for host\n"
	       "      --no-map-gw        don't map the gateway to the host\n"
	       "      --map-guest-addr ADDR|none  guest address for the\n"
	       "                         host's own address (default none)\n"
	       "  -4, --ipv4-only        IPv4 only\n"
	       "  -6, --ipv6-only        IPv6 only\n"
	       "  -H, --hostname NAME    DHCP host name\n"
	       "      --fqdn NAME        DHCP/DHCPv6 client FQDN\n"
	       "  -t, --tcp-ports SPEC   TCP ports to forward to the guest\n"
	       "  -u, --udp-ports SPEC   UDP ports to forward to the guest\n"
	       "        SPEC: none, all%s, or [ADDR[%%IF]/]PORTS where\n"
	       "        PORTS is a list of FIRST[-LAST][:TO[-TOLAST]]\n"
	       "        and ~FIRST[-LAST] exclusions\n",
	       pasta ? ", auto" : "");
}

/**
 * conf_usage_mode() - Print the options of one mode only
 * @pasta:	pasta mode, else passt
 */
static void conf_usage_mode(bool pasta)
{
	if (pasta)
		printf("\npasta only:\n"
		       "  -I, --ns-ifname NAME   tap name in the namespace\n"
		       "  -T, --tcp-ns SPEC      TCP ports to forward to host\n"
		       "  -U, --udp-ns SPEC      UDP ports to forward to host\n"
		       "      --userns PATH      user namespace to join\n"
		       "      --netns PATH|NAME  network namespace to join\n"
		       "      --nsrun-dir DIR    where NAMEs are (/run/netns)\n"
		       "      --netns-only       don't join a user namespace\n"
		       "      --no-netns-quit    outlive the namespace\n"
		       "      --no-pidns         no PID namespace for COMMAND\n"
		       "      --config-net       configure the namespace\n"
		       "      --no-copy-routes, --no-copy-addrs\n"
		       "                         copy only one route/address\n"
		       "      --ns-mac-addr MAC  MAC of the tap device\n"
		       "      --no-splice        no loopback bypass\n"
		       "      --splice-only      no tap device, loopback only\n"
		       "      --host-lo-to-ns-lo host loopback to namespace's"
		       "\n");
	else
		printf("\npasst only:\n"
		       "  -s, --socket PATH      UNIX socket path for qemu\n"
		       "  -1, --one-off          quit when the client leaves\n"
		       "  -F, --fd FD            pre-opened connected socket\n"
		       "      --vhost-user       vhost-user on the socket\n"
		       "      --print-capabilities\n"
		       "                         vhost-user capabilities (JSON)"
		       "\n");
}

/**
 * conf_usage() - Print the option summary on standard output and exit 0
 * @c:		Execution context, for the mode
 */
__attribute__((noreturn))
static void conf_usage(const struct ctx *c)
{
	bool pasta = c->mode == MODE_PASTA;

	if (pasta)
		printf("Usage: pasta [OPTION]... [COMMAND [ARG]...]\n"
		       "       pasta [OPTION]... PID\n"
		       "       pasta [OPTION]... --netns PATH|NAME\n\n"
		       "Connect a network namespace to the host's network.\n");
	else
		printf("Usage: passt [OPTION]...\n\n"
		       "Connect a virtual machine to the host's network.\n");

	conf_usage_general();
	conf_usage_net(pasta);
	conf_usage_mode(pasta);

	fflush(stdout);
	exit(EXIT_SUCCESS);
}

/**
 * conf_print_capabilities() - --print-capabilities: the vhost-user back-end
 *			       description libvirt reads (JSON), then exit 0
 */
__attribute__((noreturn))
static void conf_print_capabilities(void)
{
	printf("{\n  \"type\": \"net\"\n}\n");
	fflush(stdout);
	exit(EXIT_SUCCESS);
}

/**
 * conf_opts_parse() - Read every option with getopt_long()
 * @c:		Execution context
 * @a:		Parsing state
 * @argc:	Argument count
 * @argv:	Arguments
 */
static void conf_opts_parse(struct ctx *c, struct conf_args *a, int argc,
			    char **argv)
{
	char name[64];
	int opt;

	opterr = 1;	/* getopt_long() words command line errors */
	optind = 0;	/* Full reinitialisation, conf() may run twice */

	while ((opt = conf_opt_next(argc, argv)) != -1) {
		conf_opt_mode_check(c, opt);

		if (opt == 'h')
			conf_usage(c);
		if (opt == CONF_OPT_PRINT_CAPS)
			conf_print_capabilities();
		if (opt == CONF_OPT_VERSION) {
			printf("%s " VERSION "\n",
			       c->mode == MODE_PASTA ? "pasta" : "passt");
			fflush(stdout);
			exit(EXIT_SUCCESS);
		}
		if (opt == 't' || opt == 'u' || opt == 'T' || opt == 'U') {
			conf_opt_fwd(c, opt, optarg);
			continue;
		}

		if (!conf_opt_flag(c, opt) &&
		    !conf_opt_net(c, a, opt, optarg) &&
		    !conf_opt_ns(c, a, opt, optarg) &&
		    !conf_opt_misc(c, a, opt, optarg))
			die("Option %s not handled",
			    conf_opt_name(opt, name, sizeof(name)));
	}
}

/**
 * conf_positional() - Take pasta's PID or COMMAND argument
 * @c:		Execution context
 * @argc:	Argument count
 * @argv:	Arguments, from optind on: positional ones
 */
static void conf_positional(struct ctx *c, int argc, char **argv)
{
	const char *arg = argv[optind];
	unsigned long pid;

	if (optind >= argc)
		return;

	if (c->mode == MODE_PASST)
		die("Unexpected argument '%s': passt takes options only", arg);

	if (optind == argc - 1 && strspn(arg, "0123456789") == strlen(arg)) {
		if (!conf_ulong_parse(arg, 1, INT_MAX, &pid))
			die("Invalid PID '%s'", arg);
		c->pasta_pid_arg = (pid_t)pid;
		return;
	}

	c->pasta_argv = &argv[optind];
}

/**
 * conf_ns_check() - Check and complete pasta's namespace options
 * @c:		Execution context
 * @a:		Parsing state
 */
static void conf_ns_check(struct ctx *c, const struct conf_args *a)
{
	if (c->pasta_pid_arg && a->netns)
		die("A PID can't be given together with --netns");
	if ((c->pasta_pid_arg || a->netns) && c->pasta_argv)
		die("A command can't be run in an existing namespace: "
		    "drop PID or --netns");
	if ((c->pasta_pid_arg || a->netns) && c->no_pidns)
		die("--no-pidns can't be given with a PID or --netns");
	if (a->userns && !c->pasta_pid_arg && !a->netns)
		die("--userns needs a PID or --netns");

	if (a->netns && !a->userns)
		c->netns_only = true;
	if (a->netns_arg &&
	    !conf_netns_path(a->netns_arg, a->nsrun_dir, c->netns_path,
			     sizeof(c->netns_path)))
		die("Invalid --netns: %s (expected a path or a name)",
		    a->netns_arg);

	if (c->pasta_pid_arg) {
		snprintf(c->netns_path, sizeof(c->netns_path),
			 "/proc/%d/ns/net", (int)c->pasta_pid_arg);
		if (!c->netns_only && !a->userns)
			snprintf(c->userns_path, sizeof(c->userns_path),
				 "/proc/%d/ns/user", (int)c->pasta_pid_arg);
	}

	if (c->mode == MODE_PASTA && !*c->netns_path)
		c->foreground = true;	/* We live as long as the command */
}

/**
 * conf_check() - Refuse combinations of options that make no sense
 * @c:		Execution context
 * @a:		Parsing state
 */
static void conf_check(struct ctx *c, const struct conf_args *a)
{
	if (a->v4_only && a->v6_only)
		die("-4/--ipv4-only and -6/--ipv6-only can't be combined");
	if (a->cidr4 && a->netmask)
		die("-n/--netmask can't be combined with -a ADDR/PREFIX");
	if (c->host_lo_to_ns_lo && c->no_splice)
		die("--host-lo-to-ns-lo can't be combined with --no-splice");
	if (c->fd_tap_given && *c->sock_path)
		die("-F/--fd and -s/--socket can't be combined");
	if (c->mode == MODE_PASTA)
		conf_ns_check(c, a);
}

/**
 * conf_log() - Apply the log level; decide whether to keep standard error
 * @c:		Execution context
 *
 * The log file (-l) is opened by the caller once conf() returns; standard
 * error stays in use through set-up, and after forking to the background
 * only if @c->stderr ends up true here (-e, -f or -d).
 */
static void conf_log(struct ctx *c)
{
	int level = LOG_INFO;

	if (c->trace)
		level = LOG_TRACE;
	else if (c->debug)
		level = LOG_DEBUG;
	else if (c->quiet)
		level = LOG_WARNING;

	if (c->foreground || c->debug)
		c->stderr = true;

	log_set_level(level);
}

/**
 * conf_runas() - Resolve the identity to run as
 * @c:		Execution context
 * @a:		Parsing state: the --runas text, if given
 *
 * Without --runas, root switches to "nobody" (or 65534 if unknown) and
 * everybody else stays as they are.
 */
static void conf_runas(struct ctx *c, const struct conf_args *a)
{
	c->runas_uid = c->uid;
	c->runas_gid = c->gid;

	if (a->runas) {
		if (!conf_runas_parse(a->runas, &c->runas_uid, &c->runas_gid))
			die("Option --runas: unknown or invalid user '%s'",
			    a->runas);
		return;
	}

	if (geteuid())
		return;

	if (!conf_runas_parse("nobody", &c->runas_uid, &c->runas_gid)) {
		c->runas_uid = CONF_NOBODY_ID;
		c->runas_gid = CONF_NOBODY_ID;
	}
}

/**
 * conf_template_ifi() - Choose the template interface for a family
 * @c:		Execution context
 * @af:		AF_INET or AF_INET6
 *
 * Return: interface index; -i, else --outbound-if4/6, else the interface of
 *	   the default route (or the only one with routes), 0 if none
 */
static unsigned conf_template_ifi(const struct ctx *c, sa_family_t af)
{
	const char *name = c->ip6.ifname_out;
	unsigned ifi;

	if (af == AF_INET)
		name = c->ip4.ifname_out;

	if (*c->ifname)
		name = c->ifname;

	if (!*name)
		return nl_get_ext_if(nl_sock, af);

	ifi = nl_ifindex(name);
	if (!ifi)
		die("No host interface named %s", name);
	return ifi;
}

/**
 * conf_ip4_local() - Fill what no template gave: local mode for IPv4
 * @c:		Execution context
 */
static void conf_ip4_local(struct ctx *c)
{
	c->local_mode4 = true;

	if (!c->ip4.addr_given) {
		inet_pton(AF_INET, CONF_LOCAL_ADDR4, &c->ip4.addr);
		c->ip4.prefix_len = CONF_LOCAL_PREFIX4;
	}
	if (!c->ip4.gw_given)
		inet_pton(AF_INET, CONF_LOCAL_GW4, &c->ip4.gw);

	info("No IPv4 template interface: local mode (link-local addresses)");
}

/**
 * conf_ip4() - Find the IPv4 template and derive the IPv4 configuration
 * @c:		Execution context
 * @a:		Parsing state
 */
static void conf_ip4(struct ctx *c, const struct conf_args *a)
{
	struct in_addr addr = { 0 };
	int prefix_len = 0;

	c->ifi4 = a->v6_only ? 0 : conf_template_ifi(c, AF_INET);
	c->ifi4_up = !a->v6_only;
	if (a->v6_only)
		return;

	if (c->ifi4 &&
	    (nl_addr_get(nl_sock, c->ifi4, AF_INET, &addr, &prefix_len,
			 NULL) < 0 || in4_is_unspec(&addr)) &&
	    !c->ip4.addr_given)
		c->ifi4 = 0;	/* No address to copy: no template */

	if (!c->ifi4) {
		conf_ip4_local(c);
	} else if (!c->ip4.addr_given) {
		c->ip4.addr = addr;
		c->ip4.prefix_len = prefix_len;
	}

	if (c->ifi4 && !c->ip4.gw_given)
		nl_route_get_def(nl_sock, c->ifi4, AF_INET, &c->ip4.gw);

	if (a->netmask)
		c->ip4.prefix_len = a->netmask_len;
	else if (c->ip4.addr_given && !a->cidr4)
		c->ip4.prefix_len = conf_prefix4_class(c->ip4.addr);

	if (in4_is_unspec(&c->ip4.gw) && !c->no_dhcp) {
		info("No IPv4 default gateway: DHCP disabled");
		c->no_dhcp = true;
	}
	c->ip4.addr_seen = c->ip4.addr;
}

/**
 * conf_ip6() - Find the IPv6 template and derive the IPv6 configuration
 * @c:		Execution context
 * @a:		Parsing state
 */
static void conf_ip6(struct ctx *c, const struct conf_args *a)
{
	struct in6_addr addr = IN6ADDR_ANY_INIT, ll = IN6ADDR_ANY_INIT;
	int prefix_len = 0;

	c->ifi6 = a->v4_only ? 0 : conf_template_ifi(c, AF_INET6);
	c->ifi6_up = !a->v4_only;
	if (a->v4_only)
		return;

	if (c->ifi6 &&
	    (nl_addr_get(nl_sock, c->ifi6, AF_INET6, &addr, &prefix_len,
			 &ll) < 0 || IN6_IS_ADDR_UNSPECIFIED(&addr)) &&
	    !c->ip6.addr_given)
		c->ifi6 = 0;	/* No global address to copy: no template */

	if (c->ifi6) {
		if (!c->ip6.addr_given) {
			c->ip6.addr = addr;
			c->ip6.prefix_len = prefix_len;
		}
		if (!c->ip6.gw_given)
			nl_route_get_def(nl_sock, c->ifi6, AF_INET6,
					 &c->ip6.gw);
	} else {
		c->local_mode6 = true;
		info("No IPv6 template interface: local mode, link-local only");
	}

	if (!c->ip6.prefix_len)
		c->ip6.prefix_len = CONF_PREFIX6_DEFAULT;

	if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.gw))
		inet_pton(AF_INET6, CONF_OUR_LL6, &c->ip6.gw);

	if (IN6_IS_ADDR_LINKLOCAL(&c->ip6.gw))
		c->ip6.our_tap_ll = c->ip6.gw;
	else
		inet_pton(AF_INET6, CONF_OUR_LL6, &c->ip6.our_tap_ll);

	c->ip6.addr_seen = c->ip6.addr;
}

/**
 * conf_map_lo() - Choose the guest-side addresses that mean "the host"
 * @c:		Execution context
 * @a:		Parsing state
 *
 * Host loopback: the gateway of each family by default, unless --no-map-gw.
 * Host's own address (--map-guest-addr): none by default.
 */
static void conf_map_lo(struct ctx *c, const struct conf_args *a)
{
	if (c->ifi4_up)
		c->ip4.map_guest_addr = a->map_guest4;
	if (c->ifi6_up)
		c->ip6.map_guest_addr = a->map_guest6;

	if (a->map_lo_none) {
		memset(&c->ip4.map_host_loopback, 0, sizeof(struct in_addr));
		memset(&c->ip6.map_host_loopback, 0, sizeof(struct in6_addr));
		return;
	}

	if (!a->map_lo4 && !c->no_map_gw && c->ifi4_up)
		c->ip4.map_host_loopback = c->ip4.gw;
	if (!a->map_lo6 && !c->no_map_gw && c->ifi6_up)
		c->ip6.map_host_loopback = c->ip6.gw;
}

/**
 * conf_dns4_add() - Add a host resolver to the IPv4 resolvers for the guest
 * @c:		Execution context
 * @ns:		Host resolver; loopback ones become the host mapping address
 * @cnt:	Resolvers added so far (input and output)
 */
static void conf_dns4_add(struct ctx *c, struct in_addr ns, unsigned *cnt)
{
	unsigned i;

	if (in4_is_loopback(&ns))
		ns = c->ip4.map_host_loopback;
	if (in4_is_unspec(&ns) || *cnt >= DNS_MAX)
		return;

	for (i = 0; i < *cnt; i++) {
		if (in4_equal(&c->ip4.dns[i], &ns))
			return;
	}
	c->ip4.dns[(*cnt)++] = ns;
}

/**
 * conf_dns6_add() - Add a host resolver to the IPv6 resolvers for the guest
 * @c:		Execution context
 * @ns:		Host resolver; ::1 becomes the host mapping address, and
 *		link-local ones (scoped to a host link) are left out
 * @cnt:	Resolvers added so far (input and output)
 */
static void conf_dns6_add(struct ctx *c, struct in6_addr ns, unsigned *cnt)
{
	unsigned i;

	if (IN6_IS_ADDR_LINKLOCAL(&ns))
		return;
	if (IN6_IS_ADDR_LOOPBACK(&ns))
		ns = c->ip6.map_host_loopback;
	if (IN6_IS_ADDR_UNSPECIFIED(&ns) || *cnt >= DNS_MAX)
		return;

	for (i = 0; i < *cnt; i++) {
		if (IN6_ARE_ADDR_EQUAL(&c->ip6.dns[i], &ns))
			return;
	}
	c->ip6.dns[(*cnt)++] = ns;
}

/**
 * conf_dns() - Resolvers and search domains, from options or resolv.conf
 * @c:		Execution context
 * @a:		Parsing state
 */
static void conf_dns(struct ctx *c, const struct conf_args *a)
{
	unsigned i, cnt4 = 0, cnt6 = 0;
	struct conf_resolv r;

	if (!conf_resolv_parse(CONF_RESOLV_PATH, &r))
		debug_perror("Can't read " CONF_RESOLV_PATH);

	if (!a->dns_host4 && r.ns4_cnt)
		c->ip4.dns_host = r.ns4[0];
	if (!a->dns_host6 && r.ns6_cnt)
		c->ip6.dns_host = r.ns6[0];

	if (!a->search_given)
		memcpy(c->dns_search, r.search, sizeof(c->dns_search));

	if (!a->dns_given) {
		for (i = 0; c->ifi4_up && i < r.ns4_cnt; i++)
			conf_dns4_add(c, r.ns4[i], &cnt4);
		for (i = 0; c->ifi6_up && i < r.ns6_cnt; i++)
			conf_dns6_add(c, r.ns6[i], &cnt6);
	}

	if (!c->ifi4_up)
		memset(c->ip4.dns, 0, sizeof(c->ip4.dns));
	if (!c->ifi6_up)
		memset(c->ip6.dns, 0, sizeof(c->ip6.dns));
}

/**
 * conf_pasta_ifn() - Name of the tap device in the namespace
 * @c:		Execution context
 *
 * Default: the name of the template interface, else CONF_TAP_NAME_DEFAULT
 */
static void conf_pasta_ifn(struct ctx *c)
{
	unsigned ifi = c->ifi4 ? c->ifi4 : c->ifi6;

	if (c->mode != MODE_PASTA || *c->pasta_ifn)
		return;

	if (!ifi || nl_link_get_name(nl_sock, ifi, c->pasta_ifn) < 0 ||
	    !*c->pasta_ifn)
		strcpy(c->pasta_ifn, CONF_TAP_NAME_DEFAULT);
}

/**
 * conf_fwd_default() - Apply the mode's default to a forwarding table
 * @c:		Execution context
 * @fwd:	Table, left alone if given by an option
 * @tcp:	TCP table of the same direction, NULL for the TCP table itself
 *
 * UDP tables not given take the ports (not the remapping) of the TCP table
 * in the same direction when that one has explicit ports, as upstream does.
 */
static void conf_fwd_default(const struct ctx *c, struct fwd_ports *fwd,
			     const struct fwd_ports *tcp)
{
	if (fwd->mode != FWD_UNSET)
		return;

	if (tcp && (tcp->mode == FWD_SPEC || tcp->mode == FWD_ALL)) {
		memcpy(fwd->map, tcp->map, sizeof(fwd->map));
		memcpy(fwd->excl, tcp->excl, sizeof(fwd->excl));
		memcpy(fwd->bind, tcp->bind, sizeof(fwd->bind));
		fwd->bind_cnt = tcp->bind_cnt;
		memcpy(fwd->bind_of, tcp->bind_of, sizeof(fwd->bind_of));
		fwd->mode = tcp->mode;
		return;
	}

	if (c->mode == MODE_PASTA)
		fwd_parse_spec(fwd, "auto", true, NULL, 0);
	else
		fwd->mode = FWD_NONE;
}

/**
 * conf_defaults() - Fill every field conf() owns with its default
 * @c:		Execution context, @c->mode already set
 */
static void conf_defaults(struct ctx *c)
{
	c->pidfile_fd = c->fd_tap = c->fd_tap_listen = c->timer_fd = -1;
	c->pasta_netns_fd = c->pasta_userns_fd = -1;
	c->mtu = MTU_DEFAULT;
	memcpy(c->our_tap_mac, conf_tap_mac_default, ETH_ALEN);
	memset(c->guest_mac, 0xff, ETH_ALEN);

	c->no_dhcp_dns = c->no_dhcp_dns_search = c->mode == MODE_PASTA;
	c->uid = getuid();
	c->gid = getgid();
}

/**
 * conf() - Parse the command line and build the whole configuration
 * @c:		Execution context, zeroed, @c->mode set from argv[0]
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Dies, with one line naming the option, on any invalid input; exits 0
 * after printing for --help and --version.
 */
void conf(struct ctx *c, int argc, char **argv)
{
	struct conf_args a = { 0 };

	conf_defaults(c);
	conf_opts_parse(c, &a, argc, argv);
	conf_positional(c, argc, argv);
	conf_check(c, &a);
	conf_log(c);
	conf_runas(c, &a);

	nl_sock_init(c, false);
	conf_ip4(c, &a);
	conf_ip6(c, &a);
	conf_map_lo(c, &a);
	conf_dns(c, &a);
	conf_pasta_ifn(c);

	conf_fwd_default(c, &c->tcp_in, NULL);
	conf_fwd_default(c, &c->udp_in, &c->tcp_in);
	conf_fwd_default(c, &c->tcp_out, NULL);
	conf_fwd_default(c, &c->udp_out, &c->tcp_out);
}

#define CONF_PRINT_RANGES_MAX	8	/* Forwarding ranges listed per table */

/**
 * conf_print_range() - Print one range of a forwarding table
 * @what:	Protocol and direction, e.g. "TCP inbound"
 * @fwd:	Table
 * @first:	First port of the range, host order
 * @last:	Last port of the range, host order
 */
static void conf_print_range(const char *what, const struct fwd_ports *fwd,
			     unsigned first, unsigned last)
{
	const struct fwd_bind *b = fwd_port_bind(fwd, (uint16_t)first);
	unsigned to = fwd_port_target(fwd, (uint16_t)first);
	char how[INET6_ADDRSTRLEN + IFNAMSIZ + 32] = "";
	char addr[INET6_ADDRSTRLEN] = "";

	if (b->addr_set)
		inet_ntop(b->addr_v6 ? AF_INET6 : AF_INET,
			  b->addr_v6 ? (const void *)&b->addr6 :
				       (const void *)&b->addr4,
			  addr, sizeof(addr));
	if (b->addr_set || *b->ifname)
		snprintf(how, sizeof(how), " on %s%s%s", addr,
			 *b->ifname ? "%" : "", b->ifname);
	if (fwd->mode == FWD_AUTO)
		strcat(how, " (when bound)");

	if (!fwd->delta[first] && first == last)
		info("    %s: %u%s", what, first, how);
	else if (!fwd->delta[first])
		info("    %s: %u-%u%s", what, first, last, how);
	else if (first == last)
		info("    %s: %u => %u%s", what, first, to, how);
	else
		info("    %s: %u-%u => %u-%u%s", what, first, last, to,
		     to + (last - first), how);
}

/**
 * conf_print_fwd() - Print one forwarding table as ranges
 * @what:	Protocol and direction, e.g. "TCP inbound"
 * @fwd:	Table
 *
 * Ranges are runs of consecutive ports with the same remapping and bind
 * address; at most CONF_PRINT_RANGES_MAX are listed.
 */
static void conf_print_fwd(const char *what, const struct fwd_ports *fwd)
{
	unsigned port, first = 0, cnt = 0;

	if (fwd->mode != FWD_SPEC && fwd->mode != FWD_ALL &&
	    fwd->mode != FWD_AUTO)
		return;

	for (port = 1; port <= NUM_PORTS; port++) {
		bool in = port < NUM_PORTS &&
			  fwd_bit_test(fwd->map, (uint16_t)port);

		if (first && in && fwd->delta[port] == fwd->delta[port - 1] &&
		    fwd->bind_of[port] == fwd->bind_of[port - 1])
			continue;
		if (first && cnt++ < CONF_PRINT_RANGES_MAX)
			conf_print_range(what, fwd, first, port - 1);
		first = in ? port : 0;
	}

	if (cnt > CONF_PRINT_RANGES_MAX)
		info("    %s: ... %u more ranges", what,
		     cnt - CONF_PRINT_RANGES_MAX);
}

/**
 * conf_print_dns4() - Print IPv4 resolvers and the host mapping
 * @c:		Execution context
 */
static void conf_print_dns4(const struct ctx *c)
{
	char buf[INET_ADDRSTRLEN];
	unsigned i;

	if (!in4_is_unspec(&c->ip4.map_host_loopback))
		info("    host loopback mapped from: %s",
		     inet_ntop(AF_INET, &c->ip4.map_host_loopback, buf,
			       sizeof(buf)));

	if (!in4_is_unspec(&c->ip4.map_guest_addr))
		info("    host's own address mapped from: %s",
		     inet_ntop(AF_INET, &c->ip4.map_guest_addr, buf,
			       sizeof(buf)));

	if (in4_is_unspec(&c->ip4.dns[0]))
		return;

	info("DNS%s:", c->no_dhcp_dns ? " (not advertised)" : "");
	for (i = 0; i < DNS_MAX && !in4_is_unspec(&c->ip4.dns[i]); i++)
		info("    %s", inet_ntop(AF_INET, &c->ip4.dns[i], buf,
					 sizeof(buf)));
}

/**
 * conf_print4() - Print the IPv4 part of the summary
 * @c:		Execution context
 */
static void conf_print4(const struct ctx *c)
{
	char buf[INET_ADDRSTRLEN];
	struct in_addr mask;

	if (!c->ifi4_up)
		return;

	mask.s_addr = htonl(c->ip4.prefix_len ?
			    ~0U << (32 - c->ip4.prefix_len) : 0);

	info("DHCP%s:", c->no_dhcp ? " (disabled)" : "");
	info("    assign: %s",
	     inet_ntop(AF_INET, &c->ip4.addr, buf, sizeof(buf)));
	info("    mask: %s", inet_ntop(AF_INET, &mask, buf, sizeof(buf)));
	info("    router: %s",
	     inet_ntop(AF_INET, &c->ip4.gw, buf, sizeof(buf)));
	conf_print_dns4(c);
}

/**
 * conf_print6() - Print the IPv6 part of the summary
 * @c:		Execution context
 */
static void conf_print6(const struct ctx *c)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned i;

	if (!c->ifi6_up)
		return;

	info("NDP/DHCPv6:");
	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr))
		info("    assign: %s/%d", inet_ntop(AF_INET6, &c->ip6.addr, buf,
						   sizeof(buf)),
		     c->ip6.prefix_len);
	info("    router: %s",
	     inet_ntop(AF_INET6, &c->ip6.gw, buf, sizeof(buf)));
	info("    our link-local: %s",
	     inet_ntop(AF_INET6, &c->ip6.our_tap_ll, buf, sizeof(buf)));
	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_host_loopback))
		info("    host loopback mapped from: %s",
		     inet_ntop(AF_INET6, &c->ip6.map_host_loopback, buf,
			       sizeof(buf)));

	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_guest_addr))
		info("    host's own address mapped from: %s",
		     inet_ntop(AF_INET6, &c->ip6.map_guest_addr, buf,
			       sizeof(buf)));

	if (IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[0]))
		return;

	info("DNS%s:", c->no_dhcp_dns ? " (not advertised)" : "");
	for (i = 0; i < DNS_MAX && !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[i]);
	     i++)
		info("    %s", inet_ntop(AF_INET6, &c->ip6.dns[i], buf,
					 sizeof(buf)));
}

/**
 * conf_ifname() - Name of a template interface, for the summary
 * @ifi:	Interface index, 0 for none
 * @up:		Whether the family is enabled
 * @buf:	Buffer, IFNAMSIZ bytes
 *
 * Return: the name, "local mode" or "disabled"
 */
static const char *conf_ifname(unsigned ifi, bool up, char *buf)
{
	if (!up)
		return "disabled";
	if (!ifi)
		return "local mode";
	if (!if_indextoname(ifi, buf))
		snprintf(buf, IFNAMSIZ, "#%u", ifi);
	return buf;
}

/**
 * conf_print() - Print a summary of the configuration at info level
 * @c:		Execution context, after conf()
 */
void conf_print(const struct ctx *c)
{
	char n4[IFNAMSIZ], n6[IFNAMSIZ];
	const unsigned char *m = c->our_tap_mac;
	unsigned i;

	info("Template interface: %s (IPv4), %s (IPv6)",
	     conf_ifname(c->ifi4, c->ifi4_up, n4),
	     conf_ifname(c->ifi6, c->ifi6_up, n6));
	if (c->mode == MODE_PASTA)
		info("Namespace interface: %s", c->pasta_ifn);
	info("MAC:");
	info("    host: %02x:%02x:%02x:%02x:%02x:%02x",
	     m[0], m[1], m[2], m[3], m[4], m[5]);

	conf_print4(c);
	conf_print6(c);

	if (*c->dns_search[0]) {
		info("DNS search list%s:",
		     c->no_dhcp_dns_search ? " (not advertised)" : "");
		for (i = 0; i < DNS_SEARCH_MAX && *c->dns_search[i]; i++)
			info("    %s", c->dns_search[i]);
	}

	if (c->tcp_in.mode != FWD_NONE || c->udp_in.mode != FWD_NONE ||
	    c->tcp_out.mode != FWD_NONE || c->udp_out.mode != FWD_NONE)
		info("Forwarding:");
	conf_print_fwd("TCP inbound", &c->tcp_in);
	conf_print_fwd("UDP inbound", &c->udp_in);
	conf_print_fwd("TCP outbound", &c->tcp_out);
	conf_print_fwd("UDP outbound", &c->udp_out);
}
