/* SPDX-License-Identifier: GPL-2.0-or-later */
/* conf.h - Command line parsing and configuration */

#ifndef CONF_H
#define CONF_H

#include <sys/types.h>

#include "passt.h"

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

void conf(struct ctx *c, int argc, char **argv);
void conf_print(const struct ctx *c);

/* Option value parsers, pure apart from name look-ups: see test/unit/conf.c */
bool conf_mac_parse(const char *s, unsigned char *mac);
bool conf_mtu_parse(const char *s, int *mtu);
bool conf_netmask_parse(const char *s, int *prefix_len);
int conf_addr_parse(const char *s, union conf_inaddr *addr, int *prefix_len);
bool conf_runas_parse(const char *s, uid_t *uid, gid_t *gid);
bool conf_netns_path(const char *arg, char *path, size_t len);
bool conf_search_parse(char search[][DNS_NAME_MAX + 1], const char *list);
bool conf_resolv_parse(const char *path, struct conf_resolv *r);

#endif /* CONF_H */
