// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_flow.c - UDP flows in the flow table: creation, set-up, close
 *
 * A UDP flow is a slot of the one flow table (flow.c, type FLOW_UDP,
 * struct udp_flow in udp_internal.h). This file takes a slot for a new
 * flow, publishes it in the hash once its socket is set up, registers
 * that socket with epoll, closes flows, and, when socket() runs out of
 * descriptors, closes the flow owning a socket that was least recently
 * used. It holds no state of its own besides the flow table, calls
 * nothing in the other udp*.c files, and is called by all of them; the
 * Theory of Operation, including the life of a flow, is in udp.c.
 */

#include <unistd.h>
#include <sys/epoll.h>

#include "flow.h"
#include "ctx.h"
#include "tap_out.h"
#include "udp_flow.h"
#include "udp_internal.h"
#include "util.h"

/**
 * udp_flow_new() - Take a flow table slot for a new UDP flow
 * @pif_ini:	Interface of the side that sent the first datagram
 * @ini:	Its addresses and ports
 * @pif_tgt:	Interface of the side the datagram goes to
 * @tgt:	Its addresses and ports (local ones may be set later)
 * @now:	Current time
 *
 * The flow is left in FLOW_STATE_NEW, not hashed: udp_flow_activate()
 * publishes it once its socket, if any, is set up.
 *
 * Return: the flow, with no socket; NULL if the table or the UDP cap is
 * full (the caller counts its datagrams in udp_drop_full)
 */
struct udp_flow *udp_flow_new(enum flow_pif pif_ini,
			      const struct flowside *ini,
			      enum flow_pif pif_tgt,
			      const struct flowside *tgt,
			      const struct timespec *now)
{
	struct udp_flow *uf = udp_flow_of(flow_alloc(FLOW_UDP));

	if (!uf)
		return NULL;
	uf->f.pif[FLOW_SIDE_INI] = (uint8_t)pif_ini;
	uf->f.pif[FLOW_SIDE_TGT] = (uint8_t)pif_tgt;
	uf->f.side[FLOW_SIDE_INI] = *ini;
	uf->f.side[FLOW_SIDE_TGT] = *tgt;
	uf->sock = -1;
	uf->last = now->tv_sec;
	return uf;
}

/**
 * udp_flow_activate() - Hash a new flow's lookup sides, mark it active
 * @uf:		Flow from udp_flow_new(), sides filled in
 *
 * The side a datagram without a flow arrives on is hashed: INI always
 * (tap side of TAP_OUT, listening side of TAP_IN and SPLICE), and the tap
 * side of TAP_IN flows, which the guest's replies look up. The TGT sides
 * of TAP_OUT and SPLICE flows are connected sockets: what they read needs
 * no lookup.
 */
void udp_flow_activate(struct udp_flow *uf)
{
	const struct flowside *tap = udp_flow_tap(uf);

	if (udp_flow_kind(uf) != UDP_FLOW_SPLICE)
		uf->label = tap_flow_label(tap, sizeof(*tap));
	flow_hash_insert(&uf->f, FLOW_SIDE_INI);
	if (udp_flow_kind(uf) == UDP_FLOW_TAP_IN)
		flow_hash_insert(&uf->f, FLOW_SIDE_TGT);
	flow_state_set(&uf->f, FLOW_STATE_ACTIVE);
}

/**
 * udp_flow_close() - Close a flow: socket, then its slot (and hash entries)
 * @c:		Execution context
 * @uf:		Flow
 *
 * #syscalls close
 */
void udp_flow_close(const struct ctx *c, struct udp_flow *uf)
{
	flow_state_set(&uf->f, FLOW_STATE_CLOSING);
	if (uf->sock >= 0) {
		epoll_del(c, uf->sock);
		close(uf->sock);
		uf->sock = -1;
	}
	flow_free(&uf->f);
}

/**
 * udp_flow_evict_sock() - Close the least recently used flow owning a socket
 * @c:		Execution context
 * @keep:	Flow not to close, NULL for none
 *
 * Walks the flow table: only called when socket() runs out of descriptors.
 *
 * Return: true if a flow was closed
 */
bool udp_flow_evict_sock(const struct ctx *c, const struct udp_flow *keep)
{
	struct udp_flow *uf, *old = NULL;
	struct flow_common *f;
	uint32_t i;

	for (i = 0; i < flow_hiwat(); i++) {
		f = flow_at(i);
		if (!f || f->type != FLOW_UDP)
			continue;
		uf = udp_flow_of(f);
		if (uf != keep && uf->sock >= 0 &&
		    (!old || uf->last < old->last))
			old = uf;
	}
	if (!old)
		return false;
	flow_log(&old->f, "evicted: out of descriptors");
	udp_flow_close(c, old);
	return true;
}

/**
 * udp_flow_sock_add() - Register a flow's socket with epoll
 * @c:		Execution context
 * @uf:		Flow, @sock set: its reference names the TGT side
 *
 * Return: 0 on success, negative errno on failure
 */
int udp_flow_sock_add(const struct ctx *c, const struct udp_flow *uf)
{
	uint32_t data = flow_ref(&uf->f, FLOW_SIDE_TGT);

	return epoll_add(c, uf->sock, EPOLLIN,
			 epoll_ref_make(EPOLL_TYPE_UDP_REPLY, uf->sock, data));
}
