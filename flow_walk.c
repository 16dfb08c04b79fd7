// SPDX-License-Identifier: GPL-2.0-or-later
/* flow_walk.c - Per-flow timers of every protocol, from one walk of the table
 *
 * flow.c stores flows and knows no protocol; each protocol keeps its own
 * per-flow timer function. This file sits between the two: once per tick
 * the loop (passt.c), and the fuzz harness in its place, call
 * flow_walk_timers(), which visits every live slot once and hands each
 * flow to its protocol's timer. A new flow type gets its case here, once.
 */

#include <stdint.h>
#include <time.h>

#include "flow.h"
#include "flow_walk.h"
#include "icmp.h"
#include "ctx.h"
#include "tcp_splice.h"
#include "udp.h"

/**
 * flow_walk_timers() - One walk of the flow table: each flow's timer
 * @c:		Execution context
 * @now:	Current timestamp
 *
 * The per-flow timer of a protocol may free the flow it is given: the walk
 * reads the next slot afresh, and slots never move.
 */
void flow_walk_timers(struct ctx *c, const struct timespec *now)
{
	struct flow_common *f;
	uint32_t i;

	for (i = 0; i < flow_hiwat(); i++) {
		if (!(f = flow_at(i)))
			continue;
		switch (f->type) {
		case FLOW_TCP_SPLICE:
			tcp_splice_flow_timer(c, (struct tcp_splice_conn *)f,
					      now);
			break;
		case FLOW_PING:
			icmp_flow_timer(c, (struct icmp_ping_flow *)f, now);
			break;
		case FLOW_UDP:
			udp_flow_timer(c, (struct udp_flow *)f, now);
			break;
		default:
			break;
		}
	}
}
