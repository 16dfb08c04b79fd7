/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf_parse.h - Command line syntax: option table and option value parsers */

#ifndef CONF_PARSE_H
#define CONF_PARSE_H

#include <sys/types.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>

#include "ctx.h"

/**
 * enum conf_opt - Values of long options without a short form
 * @CONF_OPT_TRACE:		--trace
 * @CONF_OPT_LOG_SIZE:		--log-size
 * @CONF_OPT_RUNAS:		--runas
 * @CONF_OPT_VERSION:		--version
 * @CONF_OPT_OUT_IF4:		--outbound-if4
 * @CONF_OPT_OUT_IF6:		--outbound-if6
 * @CONF_OPT_DNS_FORWARD:	--dns-forward
 * @CONF_OPT_DNS_HOST:		--dns-host
 * @CONF_OPT_NO_DHCP_DNS:	--no-dhcp-dns
 * @CONF_OPT_DHCP_DNS:		--dhcp-dns
 * @CONF_OPT_NO_DHCP_SEARCH:	--no-dhcp-search
 * @CONF_OPT_DHCP_SEARCH:	--dhcp-search
 * @CONF_OPT_NO_TCP:		--no-tcp
 * @CONF_OPT_NO_UDP:		--no-udp
 * @CONF_OPT_NO_ICMP:		--no-icmp
 * @CONF_OPT_NO_DHCP:		--no-dhcp
 * @CONF_OPT_NO_NDP:		--no-ndp
 * @CONF_OPT_NO_DHCPV6:		--no-dhcpv6
 * @CONF_OPT_NO_RA:		--no-ra
 * @CONF_OPT_FREEBIND:		--freebind
 * @CONF_OPT_MAP_HOST_LO:	--map-host-loopback
 * @CONF_OPT_MAP_GUEST:	--map-guest-addr
 * @CONF_OPT_NO_MAP_GW:		--no-map-gw
 * @CONF_OPT_FQDN:		--fqdn
 * @CONF_OPT_STATS:		--stats
 * @CONF_OPT_CHROOT_FALLBACK:	--chroot-fallback
 * @CONF_OPT_USERNS:		--userns
 * @CONF_OPT_NETNS:		--netns
 * @CONF_OPT_NSRUN_DIR:	--nsrun-dir
 * @CONF_OPT_NETNS_ONLY:	--netns-only
 * @CONF_OPT_NO_NETNS_QUIT:	--no-netns-quit
 * @CONF_OPT_NO_PIDNS:		--no-pidns
 * @CONF_OPT_CONFIG_NET:	--config-net
 * @CONF_OPT_NO_COPY_ROUTES:	--no-copy-routes
 * @CONF_OPT_NO_COPY_ADDRS:	--no-copy-addrs
 * @CONF_OPT_NS_MAC:		--ns-mac-addr
 * @CONF_OPT_NO_SPLICE:		--no-splice
 * @CONF_OPT_SPLICE_ONLY:	--splice-only
 * @CONF_OPT_HOST_LO_TO_NS_LO:	--host-lo-to-ns-lo
 * @CONF_OPT_VHOST_USER:	--vhost-user
 * @CONF_OPT_PRINT_CAPS:	--print-capabilities
 */
enum conf_opt {
	CONF_OPT_TRACE = 256,
	CONF_OPT_LOG_SIZE,
	CONF_OPT_RUNAS,
	CONF_OPT_VERSION,
	CONF_OPT_OUT_IF4,
	CONF_OPT_OUT_IF6,
	CONF_OPT_DNS_FORWARD,
	CONF_OPT_DNS_HOST,
	CONF_OPT_NO_DHCP_DNS,
	CONF_OPT_DHCP_DNS,
	CONF_OPT_NO_DHCP_SEARCH,
	CONF_OPT_DHCP_SEARCH,
	CONF_OPT_NO_TCP,
	CONF_OPT_NO_UDP,
	CONF_OPT_NO_ICMP,
	CONF_OPT_NO_DHCP,
	CONF_OPT_NO_NDP,
	CONF_OPT_NO_DHCPV6,
	CONF_OPT_NO_RA,
	CONF_OPT_FREEBIND,
	CONF_OPT_MAP_HOST_LO,
	CONF_OPT_MAP_GUEST,
	CONF_OPT_NO_MAP_GW,
	CONF_OPT_FQDN,
	CONF_OPT_STATS,
	CONF_OPT_CHROOT_FALLBACK,
	CONF_OPT_USERNS,
	CONF_OPT_NETNS,
	CONF_OPT_NSRUN_DIR,
	CONF_OPT_NETNS_ONLY,
	CONF_OPT_NO_NETNS_QUIT,
	CONF_OPT_NO_PIDNS,
	CONF_OPT_CONFIG_NET,
	CONF_OPT_NO_COPY_ROUTES,
	CONF_OPT_NO_COPY_ADDRS,
	CONF_OPT_NS_MAC,
	CONF_OPT_NO_SPLICE,
	CONF_OPT_SPLICE_ONLY,
	CONF_OPT_HOST_LO_TO_NS_LO,
	CONF_OPT_VHOST_USER,
	CONF_OPT_PRINT_CAPS,
};

/**
 * union conf_inaddr - Storage for an address of either family
 * @v4:		IPv4 address, network order
 * @v6:		IPv6 address
 */
union conf_inaddr {
	struct in_addr v4;
	struct in6_addr v6;
};

/**
 * struct conf_resolv - What the host's resolv.conf says
 * @ns4:	IPv4 nameservers, in file order
 * @ns4_cnt:	Entries used in @ns4
 * @ns6:	IPv6 nameservers, in file order, scope dropped
 * @ns6_cnt:	Entries used in @ns6
 * @search:	Search domains of the last search/domain line, "" terminated
 */
struct conf_resolv {
	struct in_addr ns4[DNS_MAX];
	unsigned ns4_cnt;
	struct in6_addr ns6[DNS_MAX];
	unsigned ns6_cnt;
	char search[DNS_SEARCH_MAX + 1][DNS_NAME_MAX + 1];
};

/* Option table and command line errors */
const char *conf_opt_name(int opt, char *buf, size_t len);
void conf_opt_mode_check(const struct ctx *c, int opt);
int conf_opt_next(int argc, char **argv);

/* Option value parsers, pure apart from name look-ups: see test/unit/conf.c */
bool conf_ulong_parse(const char *s, unsigned long min, unsigned long max,
		      unsigned long *v);
bool conf_mac_parse(const char *s, unsigned char *mac);
bool conf_mtu_parse(const char *s, int *mtu);
bool conf_netmask_parse(const char *s, int *prefix_len);
int conf_addr_parse(const char *s, union conf_inaddr *addr, int *prefix_len);
bool conf_addr_is_unicast(int af, const union conf_inaddr *addr);
int conf_prefix4_class(struct in_addr addr);
bool conf_runas_parse(const char *s, uid_t *uid, gid_t *gid);
bool conf_netns_path(const char *arg, const char *dir, char *path,
		     size_t len);
bool conf_search_parse(char search[][DNS_NAME_MAX + 1], const char *list);
bool conf_resolv_parse(const char *path, struct conf_resolv *r);

#endif /* CONF_PARSE_H */
