/* SPDX-License-Identifier: GPL-2.0-or-later */
/* dhcp.h - DHCP server for the guest */

#ifndef DHCP_H
#define DHCP_H

#include "ctx.h"

struct pool;

int dhcp(struct ctx *c, const struct pool *p);

#endif /* DHCP_H */
