/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_fwd.h - UDP forwarded ports and "auto" scan, internal to udp*.c */

#ifndef UDP_FWD_H
#define UDP_FWD_H

#include "ctx.h"
#include "udp_internal.h"

void udp_fwd_state_init(void);
int udp_listen_fd(const struct udp_flow *uf);
int udp_fwd_listen_get(enum udp_side side, bool v6, uint16_t port);
void udp_fwd_init(struct ctx *c, enum udp_side side);
void udp_auto_update(struct ctx *c, enum udp_side side);
void udp_auto_init(struct ctx *c);

#endif /* UDP_FWD_H */
