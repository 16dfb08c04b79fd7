/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_tap.h - UDP frames to the guest, internal to udp*.c */

#ifndef UDP_TAP_H
#define UDP_TAP_H

#include <stdbool.h>
#include <stddef.h>

#include "ctx.h"
#include "udp_internal.h"

void udp_frame_fill(const struct ctx *c, struct udp_txq *q, bool v6,
		    size_t s, const struct udp_flow *f, size_t dlen);
void udp_txq_flush(struct ctx *c, struct udp_txq *q, bool v6);

#endif /* UDP_TAP_H */
