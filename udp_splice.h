/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_splice.h - UDP loopback splice path (pasta), internal to udp*.c */

#ifndef UDP_SPLICE_H
#define UDP_SPLICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "udp_internal.h"

/**
 * struct udp_splice_run - Spliced datagrams collected for one flow
 * @n:		Datagrams in udp_splice.c's scratch
 * @uf:		Flow they go to, NULL if none yet
 */
struct udp_splice_run {
	size_t n;
	struct udp_flow *uf;
};

void udp_splice_send(struct ctx *c, int fd, size_t n);
void udp_splice_add(const struct udp_txq *q, size_t j, bool v6, size_t n,
		    const struct udp_flow *dest);
void udp_splice_run_flush(struct ctx *c, struct udp_splice_run *run);
struct udp_flow *udp_flow_splice(struct ctx *c, enum flow_pif pif, bool v6,
				 const struct flowside *ini,
				 const struct flowside *tgt,
				 const struct timespec *now);
void udp_listen_splice(struct ctx *c, struct udp_flow *uf,
		       const struct udp_txq *q, size_t j,
		       struct udp_splice_run *run, const struct timespec *now);

#endif /* UDP_SPLICE_H */
