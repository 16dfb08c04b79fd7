/* SPDX-License-Identifier: GPL-2.0-or-later */
/* flow.h - One table of flows: TCP, TCP splice, UDP, ICMP echo
 *
 * Every protocol's per-connection state is a slot of this one table. A slot
 * starts with struct flow_common (type, lifecycle state, generation, the two
 * sides) and the protocol's own fields follow it in the same slot:
 *
 *	struct tcp_conn {
 *		struct flow_common f;	(first member, always)
 *		...
 *	};
 *	static_assert(sizeof(struct tcp_conn) <= FLOW_SLOT_BYTES, "...");
 *
 * and the protocol converts with container_of() (or a cast: @f is first).
 * The table knows nothing of the protocols: it stores, names, hashes and
 * validates references; protocols call down into it, never the reverse.
 */

#ifndef FLOW_H
#define FLOW_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "inany.h"

#define FLOW_MAX		65536	/* Slots in the table, all types */
#define FLOW_SLOT_BYTES		256	/* Bytes per slot, common part included */
#define FLOW_IDX_BITS		16	/* Index bits in a reference */
#define FLOW_GEN_BITS		15	/* Generation bits in a reference */
#define FLOW_GEN_MASK		((1U << FLOW_GEN_BITS) - 1)
#define FLOW_IDX_NONE		UINT32_MAX

static_assert(FLOW_MAX <= 1U << FLOW_IDX_BITS, "index must fit a reference");
static_assert(FLOW_IDX_BITS + 1 + FLOW_GEN_BITS <= 32, "reference is 32 bits");

/**
 * enum flow_type - What a flow carries
 * @FLOW_TYPE_NONE:	Slot free
 * @FLOW_TCP:		TCP between the guest (tap) and a host socket
 * @FLOW_TCP_SPLICE:	pasta: TCP between two loopback sockets, spliced
 * @FLOW_UDP:		UDP datagrams between two sides
 * @FLOW_PING:		ICMP or ICMPv6 echo, guest to a ping socket
 * @FLOW_NUM_TYPES:	Number of types
 */
enum flow_type {
	FLOW_TYPE_NONE = 0,
	FLOW_TCP,
	FLOW_TCP_SPLICE,
	FLOW_UDP,
	FLOW_PING,
	FLOW_NUM_TYPES,
};

/**
 * enum flow_state - Lifecycle of a slot, set only by flow_state_set()
 * @FLOW_STATE_FREE:	Not in use, on the free list
 * @FLOW_STATE_NEW:	Allocated, sides being filled in: not hashed yet
 * @FLOW_STATE_ACTIVE:	In use: may be hashed and referenced by epoll
 * @FLOW_STATE_CLOSING:	Protocol is tearing it down; freed by flow_free()
 * @FLOW_NUM_STATES:	Number of states
 */
enum flow_state {
	FLOW_STATE_FREE = 0,
	FLOW_STATE_NEW,
	FLOW_STATE_ACTIVE,
	FLOW_STATE_CLOSING,
	FLOW_NUM_STATES,
};

/**
 * enum flow_pif - Interface a side of a flow is on
 * @PIF_NONE:	Not set
 * @PIF_TAP:	The guest, through the tap back-end (frames we build)
 * @PIF_HOST:	A socket in our own (host) network namespace
 * @PIF_SPLICE:	pasta: a socket in the target namespace (its loopback)
 * @PIF_NUM:	Number of interfaces
 */
enum flow_pif {
	PIF_NONE = 0,
	PIF_TAP,
	PIF_HOST,
	PIF_SPLICE,
	PIF_NUM,
};

/* Sides of a flow: the one that opened it, and the one it was taken to */
#define FLOW_SIDE_INI		0
#define FLOW_SIDE_TGT		1

/**
 * struct flowside - Addresses and ports of one side of a flow
 * @peer:	Address of the endpoint on this side (guest, remote host...)
 * @local:	Address the endpoint talks to on this side (as it sees it)
 * @peer_port:	Port of the endpoint, host order
 * @local_port:	Port the endpoint talks to, host order
 *
 * IPv4 addresses are v4-mapped. No implicit padding: hashed as bytes.
 */
struct flowside {
	union inany_addr peer;
	union inany_addr local;
	uint16_t peer_port;
	uint16_t local_port;
};

/**
 * struct flow_common - Part of every slot, first in each protocol's struct
 * @type:	enum flow_type
 * @state:	enum flow_state
 * @pif:	enum flow_pif of each side, [FLOW_SIDE_INI] and [FLOW_SIDE_TGT]
 * @gen:	Generation, FLOW_GEN_BITS wide, bumped when the slot is freed
 * @hashed:	Bit n set: side n is in the lookup hash
 * @hnext:	Per side, next entry in the same hash bucket (flow_sidx())
 * @side:	Addresses and ports of each side
 */
struct flow_common {
	uint8_t type;
	uint8_t state;
	uint8_t pif[2];
	uint16_t gen;
	uint8_t hashed;
	uint32_t hnext[2];
	struct flowside side[2];
};

/**
 * flow_sidx() - Index and side in one value: hash links, epoll references
 * @idx:	Slot index
 * @side:	FLOW_SIDE_INI or FLOW_SIDE_TGT
 *
 * Return: @idx << 1 | @side
 */
static inline uint32_t flow_sidx(uint32_t idx, unsigned side)
{
	return idx << 1 | (side & 1);
}

void flow_init(void);
void flow_limit_set(enum flow_type type, unsigned max);
struct flow_common *flow_alloc(enum flow_type type);
void flow_free(struct flow_common *f);
void flow_state_set(struct flow_common *f, enum flow_state state);
uint32_t flow_idx(const struct flow_common *f);
struct flow_common *flow_at(uint32_t idx);
uint32_t flow_hiwat(void);
uint32_t flow_ref(const struct flow_common *f, unsigned side);
struct flow_common *flow_from_ref(uint32_t data, enum flow_type type,
				  unsigned *side);
void flow_hash_insert(struct flow_common *f, unsigned side);
void flow_hash_remove(struct flow_common *f, unsigned side);
struct flow_common *flow_lookup(enum flow_type type, enum flow_pif pif,
				const struct flowside *key, unsigned *side);
unsigned flow_count(enum flow_type type);
unsigned long long flow_refused(enum flow_type type);
void flow_log(const struct flow_common *f, const char *what);

#endif /* FLOW_H */
