/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_flow.h - UDP flows in the flow table, internal to udp*.c */

#ifndef UDP_FLOW_H
#define UDP_FLOW_H

#include <stdbool.h>
#include <time.h>

#include "flow.h"
#include "ctx.h"
#include "udp_internal.h"

struct udp_flow *udp_flow_new(enum flow_pif pif_ini,
			      const struct flowside *ini,
			      enum flow_pif pif_tgt,
			      const struct flowside *tgt,
			      const struct timespec *now);
void udp_flow_activate(struct udp_flow *uf);
void udp_flow_close(const struct ctx *c, struct udp_flow *uf);
bool udp_flow_evict_sock(const struct ctx *c, const struct udp_flow *keep);
int udp_flow_sock_add(const struct ctx *c, const struct udp_flow *uf);

#endif /* UDP_FLOW_H */
