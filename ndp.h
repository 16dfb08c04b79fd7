/* SPDX-License-Identifier: GPL-2.0-or-later */
/* ndp.h - NDP: Router and Neighbour Advertisements */

#ifndef NDP_H
#define NDP_H

#include <netinet/in.h>
#include <time.h>

#include "ctx.h"

struct pool;

int ndp(struct ctx *c, const struct pool *p, const struct in6_addr *saddr,
	const struct in6_addr *daddr);
void ndp_timer(struct ctx *c, const struct timespec *now);

#endif /* NDP_H */
