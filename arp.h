/* SPDX-License-Identifier: GPL-2.0-or-later */
/* arp.h - ARP responder */

#ifndef ARP_H
#define ARP_H

#include "ctx.h"

struct pool;

void arp(struct ctx *c, const struct pool *p);

#endif /* ARP_H */
