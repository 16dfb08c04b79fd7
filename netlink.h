/* SPDX-License-Identifier: GPL-2.0-or-later */
/* netlink.h - Netlink (rtnetlink) queries and configuration of links, addresses, routes */

#ifndef NETLINK_H
#define NETLINK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "ctx.h"

void nl_sock_init(const struct ctx *c, bool ns);
unsigned nl_get_ext_if(int s, sa_family_t af);
unsigned nl_ifindex(const char *name);
bool nl_route_get_def(int s, unsigned ifi, sa_family_t af, void *gw);
int nl_route_set_def(int s, unsigned ifi, sa_family_t af, const void *gw);
int nl_route_dup(int s_src, unsigned ifi_src, int s_dst, unsigned ifi_dst,
		 sa_family_t af);
int nl_addr_get(int s, unsigned ifi, sa_family_t af, void *addr,
		int *prefix_len, void *addr_l);
int nl_addr_set(int s, unsigned ifi, sa_family_t af, const void *addr,
		int prefix_len);
int nl_addr_dup(int s_src, unsigned ifi_src, int s_dst, unsigned ifi_dst,
		sa_family_t af);
int nl_link_get_mac(int s, unsigned ifi, void *mac);
int nl_link_set_mac(int s, unsigned ifi, const void *mac);
int nl_link_set_mtu(int s, unsigned ifi, int mtu);
int nl_link_set_txqlen(int s, unsigned ifi, uint32_t len);
int nl_link_up(int s, unsigned ifi);
int nl_link_get_name(int s, unsigned ifi, char *name);

/* Netlink sockets: host side, and inside the target namespace (pasta) */
extern int nl_sock;
extern int nl_sock_ns;

#endif /* NETLINK_H */
