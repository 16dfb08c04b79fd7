/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dhcpv6.h - DHCPv6 server for the guest */

#ifndef DHCPV6_H
#define DHCPV6_H

#include <netinet/in.h>

#include "ctx.h"

struct pool;

int dhcpv6(struct ctx *c, const struct pool *p, const struct in6_addr *saddr,
	   const struct in6_addr *daddr);

#endif /* DHCPV6_H */
