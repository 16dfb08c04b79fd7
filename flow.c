// SPDX-License-Identifier: GPL-2.0-or-later
/* flow.c - One table of flows: slots, references, lookup hash, states
 *
 * Theory of Operation
 *
 * Model: a flow is one conversation that passt/pasta carries, TCP (tap
 * path), TCP spliced between two loopback sockets (pasta), UDP or ICMP
 * echo. It has a type, a lifecycle state (FREE, NEW, ACTIVE, CLOSING) and
 * two sides: FLOW_SIDE_INI, the endpoint that opened it, and FLOW_SIDE_TGT,
 * the one it was taken to. Each side says which interface it is on (guest
 * tap, host socket, namespace loopback) and its addresses and ports. The
 * protocol's own state follows struct flow_common in the same slot; this
 * file knows nothing of it and calls no protocol code.
 *
 * Storage: FLOW_MAX (65536) slots of FLOW_SLOT_BYTES (256) in one static,
 * 64-byte aligned array: 16 MiB of BSS, plus 512 KiB of hash buckets. Only
 * pages actually written cost resident memory. New slots are taken in
 * index order (the high-water mark, flow_hiwat()) and freed ones are
 * reused first, last freed first (LIFO: recently touched memory), so the
 * slots of N flows at most cost N x 256 bytes (64 KiB per 256 flows) up to
 * the highest count ever reached. Buckets are spread by the hash: each
 * hashed side may touch a page of them, 512 KiB at most. Live slots never
 * move: no compaction, so a flow's index and its epoll references stay
 * valid for its whole life, and nothing is ever re-registered with epoll.
 * The free list is threaded through hnext[0] of free slots.
 *
 * References: flow_ref() packs index (bits 0-15), side (bit 16) and the
 * slot's generation (bits 17-31) into the 32 bits of epoll data. Freeing a
 * slot bumps its generation, so an event still queued for a flow freed
 * earlier in the same batch fails flow_from_ref() even if the slot was
 * reused at once: the generation, or the type, differs. Only 2^15 frees
 * of that one slot between queuing and handling an event would fool it.
 *
 * Lookup: a SipHash-2-4, keyed at start-up from getrandom(), of (type,
 * interface, struct flowside bytes) picks one of FLOW_HASH_SIZE buckets;
 * each side of a flow may be inserted, so a flow is found from either of
 * its ends, and flow_lookup() says which side matched. Chains are linked
 * through flow_common.hnext[side] as flow_sidx() values. Buckets hold the
 * first entry's sidx plus one (zero: empty), so the bucket array needs no
 * set-up and, like the slots, costs memory only where used. The type is
 * part of the key and compared: a TCP and a UDP flow with the same
 * addresses and ports are distinct.
 *
 * Limits: besides FLOW_MAX overall, each type has a cap (flow_limit_set()),
 * by default 65536 (FLOW_MAX) for TCP, 4096 for spliced TCP, 4096 for UDP
 * and 256 for pings (the FLOW_*_DEFAULT macros), so that floods of UDP or
 * pings can't take the slots TCP needs. flow_alloc() returns NULL when
 * either is reached, and counts the refusal per type (flow_refused(),
 * printed by --stats). What the protocol then does: TCP answers the SYN
 * with an RST (or an ICMP error), UDP drops the datagram, counted, ping
 * drops the echo request, counted. Nothing is evicted.
 *
 * States: flow_state_set() is the only writer of flow_common.state, and
 * logs every transition at debug level as "flow IDX (TYPE): OLD -> NEW".
 * Protocols keep their own finer states beside it.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <sys/random.h>

#include "flow.h"
#include "log.h"
#include "siphash.h"
#include "util.h"

#define FLOW_HASH_SIZE		(FLOW_MAX * 2)	/* Buckets: two sides each */
#define FLOW_TCP_SPLICE_DEFAULT	4096	/* Default cap, spliced TCP */
#define FLOW_UDP_DEFAULT	4096	/* Default cap, UDP */
#define FLOW_PING_DEFAULT	256	/* Default cap, ICMP echo */
#define FLOW_SLOT_ALIGN		64	/* Slot alignment, bytes: cache line */
#define FLOW_SIDE_STRLEN	(INET6_ADDRSTRLEN * 2 + 32)

static_assert(sizeof(struct flow_common) <= FLOW_SLOT_BYTES,
	      "common part must fit a slot");
static_assert(FLOW_SLOT_BYTES % FLOW_SLOT_ALIGN == 0,
	      "slots must stay aligned in the array");
static_assert(sizeof(struct flowside) ==
	      2 * sizeof(union inany_addr) + 2 * sizeof(uint16_t),
	      "struct flowside is hashed as bytes: no padding");

/**
 * union flow_slot - One slot of the table
 * @f:		Common part, first in every protocol's struct
 * @bytes:	Whole slot
 */
union flow_slot {
	struct flow_common f;
	uint8_t bytes[FLOW_SLOT_BYTES];
};

static_assert(sizeof(union flow_slot) == FLOW_SLOT_BYTES, "slot size");

/**
 * struct flow_table - The table and its bookkeeping (file scope, BSS)
 * @slot:	Slots, 64-byte aligned
 * @bucket:	Hash buckets: flow_sidx() + 1 of the first entry, 0 if empty
 * @key:	SipHash key for buckets, random at start-up
 * @free_head:	First free slot below @hiwat, FLOW_IDX_NONE if none
 * @hiwat:	One past the highest index ever allocated
 * @total:	Slots in use, all types
 * @count:	Slots in use per type
 * @max:	Cap per type
 * @refused:	Allocations refused per type: table or cap full
 */
static struct flow_table {
	_Alignas(FLOW_SLOT_ALIGN) union flow_slot slot[FLOW_MAX];
	uint32_t bucket[FLOW_HASH_SIZE];
	struct siphash_key key;
	uint32_t free_head;
	uint32_t hiwat;
	uint32_t total;
	unsigned count[FLOW_NUM_TYPES];
	unsigned max[FLOW_NUM_TYPES];
	unsigned long long refused[FLOW_NUM_TYPES];
} flowtab;

/**
 * struct flow_hash_key - Hash input: type, interface, one side's addresses
 * @side:	Addresses and ports
 * @type:	enum flow_type
 * @pif:	enum flow_pif
 * @pad:	Zero
 */
struct flow_hash_key {
	struct flowside side;
	uint8_t type;
	uint8_t pif;
	uint8_t pad[2];
};

/* Names of enum flow_type values, for logs and --stats */
static const char *const flow_type_name[FLOW_NUM_TYPES] = {
	[FLOW_TYPE_NONE]	= "none",
	[FLOW_TCP]		= "TCP",
	[FLOW_TCP_SPLICE]	= "TCP splice",
	[FLOW_UDP]		= "UDP",
	[FLOW_PING]		= "ping",
};

/* Names of enum flow_state values, for transition logs */
static const char *const flow_state_name[FLOW_NUM_STATES] = {
	[FLOW_STATE_FREE]	= "FREE",
	[FLOW_STATE_NEW]	= "NEW",
	[FLOW_STATE_ACTIVE]	= "ACTIVE",
	[FLOW_STATE_CLOSING]	= "CLOSING",
};

/* Names of enum flow_pif values, for logs */
static const char *const flow_pif_name[PIF_NUM] = {
	[PIF_NONE]	= "none",
	[PIF_TAP]	= "tap",
	[PIF_HOST]	= "host",
	[PIF_SPLICE]	= "splice",
};

/**
 * flow_init() - Draw the hash key, set default caps, empty the table
 *
 * Set-up only, once, before any other function of this file.
 */
void flow_init(void)
{
	ssize_t n;

	do
		n = getrandom(&flowtab.key, sizeof(flowtab.key), 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(flowtab.key))
		die_perror("Can't draw the flow table's hash key");

	flowtab.free_head = FLOW_IDX_NONE;
	flowtab.hiwat = flowtab.total = 0;
	memset(flowtab.count, 0, sizeof(flowtab.count));
	memset(flowtab.refused, 0, sizeof(flowtab.refused));
	flowtab.max[FLOW_TYPE_NONE] = 0;
	flowtab.max[FLOW_TCP] = FLOW_MAX;
	flowtab.max[FLOW_TCP_SPLICE] = FLOW_TCP_SPLICE_DEFAULT;
	flowtab.max[FLOW_UDP] = FLOW_UDP_DEFAULT;
	flowtab.max[FLOW_PING] = FLOW_PING_DEFAULT;
}

/**
 * flow_type_valid() - Check that a type names a kind of flow
 * @type:	Type
 *
 * Return: true for FLOW_TCP ... FLOW_PING, false for FLOW_TYPE_NONE or out
 *	   of range
 */
static bool flow_type_valid(enum flow_type type)
{
	return type > FLOW_TYPE_NONE && type < FLOW_NUM_TYPES;
}

/**
 * flow_limit_set() - Change the cap of one type
 * @type:	Type
 * @max:	Most flows of this type at once, clamped to FLOW_MAX
 *
 * Flows already above a lowered cap stay; new ones are refused until the
 * count drops below it.
 */
void flow_limit_set(enum flow_type type, unsigned max)
{
	if (flow_type_valid(type))
		flowtab.max[type] = MIN(max, FLOW_MAX);
}

/**
 * flow_idx() - Index of a flow in the table
 * @f:		Flow
 *
 * Return: index, 0 to FLOW_MAX - 1
 */
uint32_t flow_idx(const struct flow_common *f)
{
	return (uint32_t)((const union flow_slot *)f - flowtab.slot);
}

/**
 * flow_at() - Flow at an index, if the slot is in use
 * @idx:	Index
 *
 * Return: the flow, NULL if @idx is out of range or the slot is free
 */
struct flow_common *flow_at(uint32_t idx)
{
	if (idx >= flowtab.hiwat ||
	    flowtab.slot[idx].f.type == FLOW_TYPE_NONE)
		return NULL;
	return &flowtab.slot[idx].f;
}

/**
 * flow_hiwat() - One past the highest index ever allocated, for iteration
 *
 * Return: high-water mark: slots at or above it were never used
 */
uint32_t flow_hiwat(void)
{
	return flowtab.hiwat;
}

/**
 * flow_type_str() - Name of a flow type
 * @type:	Type
 *
 * Return: name, "?" if out of range
 */
static const char *flow_type_str(enum flow_type type)
{
	if ((unsigned)type >= FLOW_NUM_TYPES)
		return "?";
	return flow_type_name[type];
}

/**
 * flow_pif_str() - Name of an interface
 * @pif:	Interface
 *
 * Return: name, "?" if out of range
 */
static const char *flow_pif_str(enum flow_pif pif)
{
	if ((unsigned)pif >= PIF_NUM)
		return "?";
	return flow_pif_name[pif];
}

/**
 * flow_state_str() - Name of a flow state
 * @state:	State
 *
 * Return: name, "?" if out of range
 */
static const char *flow_state_str(unsigned state)
{
	if (state >= FLOW_NUM_STATES)
		return "?";
	return flow_state_name[state];
}

/**
 * flow_state_set() - Change the lifecycle state of a flow, logged at debug
 * @f:		Flow
 * @state:	New state
 */
void flow_state_set(struct flow_common *f, enum flow_state state)
{
	if (f->state == state)
		return;
	debug("flow %u (%s): %s -> %s", flow_idx(f), flow_type_str(f->type),
	      flow_state_str(f->state), flow_state_str(state));
	f->state = (uint8_t)state;
}

/**
 * flow_slot_take() - Take a free slot: last freed first, else a new one
 *
 * Return: the slot, NULL if all FLOW_MAX slots are in use
 */
static union flow_slot *flow_slot_take(void)
{
	union flow_slot *s;

	if (flowtab.free_head != FLOW_IDX_NONE) {
		s = &flowtab.slot[flowtab.free_head];
		flowtab.free_head = s->f.hnext[0];
		return s;
	}
	if (flowtab.hiwat >= FLOW_MAX)
		return NULL;
	return &flowtab.slot[flowtab.hiwat++];
}

/**
 * flow_alloc() - Allocate a flow of a type: zeroed, state NEW, not hashed
 * @type:	Type
 *
 * Return: the flow, NULL if the table or the type's cap is full (counted
 *	   in flow_refused())
 */
struct flow_common *flow_alloc(enum flow_type type)
{
	union flow_slot *s;
	uint16_t gen;

	if (!flow_type_valid(type))
		return NULL;
	if (flowtab.count[type] >= flowtab.max[type] ||
	    !(s = flow_slot_take())) {
		flowtab.refused[type]++;
		return NULL;
	}

	gen = s->f.gen;
	memset(s, 0, sizeof(*s));
	s->f.gen = gen;
	s->f.type = (uint8_t)type;
	s->f.pif[FLOW_SIDE_INI] = s->f.pif[FLOW_SIDE_TGT] = PIF_NONE;
	s->f.hnext[0] = s->f.hnext[1] = FLOW_IDX_NONE;
	flowtab.count[type]++;
	flowtab.total++;
	flow_state_set(&s->f, FLOW_STATE_NEW);
	return &s->f;
}

/**
 * flow_free() - Release a flow: unhash, bump generation, zero, free list
 * @f:		Flow; its descriptors are closed and out of epoll already
 */
void flow_free(struct flow_common *f)
{
	uint32_t idx = flow_idx(f);
	uint16_t gen;

	if (f->type == FLOW_TYPE_NONE)
		return;
	flow_hash_remove(f, FLOW_SIDE_INI);
	flow_hash_remove(f, FLOW_SIDE_TGT);
	flow_state_set(f, FLOW_STATE_FREE);
	flowtab.count[f->type]--;
	flowtab.total--;

	gen = (uint16_t)((f->gen + 1) & FLOW_GEN_MASK);
	memset(&flowtab.slot[idx], 0, sizeof(flowtab.slot[idx]));
	f->gen = gen;
	f->hnext[0] = flowtab.free_head;
	flowtab.free_head = idx;
}

/**
 * flow_ref() - Epoll data for one side of a flow
 * @f:		Flow
 * @side:	FLOW_SIDE_INI or FLOW_SIDE_TGT
 *
 * Return: index (bits 0-15), side (bit 16), generation (bits 17-31)
 */
uint32_t flow_ref(const struct flow_common *f, unsigned side)
{
	return flow_idx(f) | (side & 1U) << FLOW_IDX_BITS |
	       (uint32_t)(f->gen & FLOW_GEN_MASK) << (FLOW_IDX_BITS + 1);
}

/**
 * flow_from_ref() - Flow named by epoll data, if it is still that flow
 * @data:	Epoll data from flow_ref()
 * @type:	Type the handler expects
 * @side:	Side named by the reference (output), may be NULL
 *
 * Return: the flow, NULL if the slot is free, of another type, or of
 *	   another generation (freed, maybe reused, since)
 */
struct flow_common *flow_from_ref(uint32_t data, enum flow_type type,
				  unsigned *side)
{
	uint32_t idx = data & ((1U << FLOW_IDX_BITS) - 1);
	uint32_t gen = data >> (FLOW_IDX_BITS + 1) & FLOW_GEN_MASK;
	struct flow_common *f;

	if (!flow_type_valid(type) || !(f = flow_at(idx)))
		return NULL;
	if (f->type != type || f->gen != gen)
		return NULL;
	if (side)
		*side = data >> FLOW_IDX_BITS & 1U;
	return f;
}

/**
 * flow_hash() - Bucket of a (type, interface, side) key
 * @type:	Type
 * @pif:	Interface of the side
 * @fs:		Addresses and ports of the side
 *
 * Return: bucket index
 */
static uint32_t flow_hash(enum flow_type type, enum flow_pif pif,
			  const struct flowside *fs)
{
	struct flow_hash_key k;

	memset(&k, 0, sizeof(k));
	k.side = *fs;
	k.type = (uint8_t)type;
	k.pif = (uint8_t)pif;
	return (uint32_t)(siphash_2_4(&flowtab.key, &k, sizeof(k)) %
			  FLOW_HASH_SIZE);
}

/**
 * flow_sidx_next() - Link to follow from one hash entry to the next
 * @sidx:	Entry, as flow_sidx()
 *
 * Return: pointer to the entry's hnext[] link
 */
static uint32_t *flow_sidx_next(uint32_t sidx)
{
	return &flowtab.slot[sidx >> 1].f.hnext[sidx & 1];
}

/**
 * flow_hash_insert() - Make one side of a flow findable by flow_lookup()
 * @f:		Flow, with pif[@side] and side[@side] filled in
 * @side:	FLOW_SIDE_INI or FLOW_SIDE_TGT
 *
 * The side's addresses must not change while it is hashed: remove first.
 */
void flow_hash_insert(struct flow_common *f, unsigned side)
{
	uint32_t b;

	side &= 1U;
	if (f->hashed & (1U << side))
		return;
	b = flow_hash((enum flow_type)f->type, (enum flow_pif)f->pif[side],
		      &f->side[side]);
	f->hnext[side] = flowtab.bucket[b] ? flowtab.bucket[b] - 1 :
					     FLOW_IDX_NONE;
	flowtab.bucket[b] = flow_sidx(flow_idx(f), side) + 1;
	f->hashed |= (uint8_t)(1U << side);
}

/**
 * flow_hash_remove() - Unlink one side of a flow from the hash, if there
 * @f:		Flow
 * @side:	FLOW_SIDE_INI or FLOW_SIDE_TGT
 */
void flow_hash_remove(struct flow_common *f, unsigned side)
{
	uint32_t sidx, cur, *link;
	uint32_t b;

	side &= 1U;
	if (!(f->hashed & (1U << side)))
		return;
	sidx = flow_sidx(flow_idx(f), side);
	b = flow_hash((enum flow_type)f->type, (enum flow_pif)f->pif[side],
		      &f->side[side]);

	if (flowtab.bucket[b] == sidx + 1) {
		flowtab.bucket[b] = f->hnext[side] == FLOW_IDX_NONE ?
				    0 : f->hnext[side] + 1;
		goto unlinked;
	}
	for (cur = flowtab.bucket[b] ? flowtab.bucket[b] - 1 : FLOW_IDX_NONE;
	     cur != FLOW_IDX_NONE; cur = *link) {
		link = flow_sidx_next(cur);
		if (*link == sidx) {
			*link = f->hnext[side];
			goto unlinked;
		}
	}
	err("flow %u (%s): side %u not found in its hash bucket",
	    flow_idx(f), flow_type_str(f->type), side);
unlinked:
	f->hnext[side] = FLOW_IDX_NONE;
	f->hashed &= (uint8_t)~(1U << side);
}

/**
 * flow_lookup() - Find a flow by one of its hashed sides
 * @type:	Type
 * @pif:	Interface of the side
 * @key:	Addresses and ports of the side
 * @side:	Which side of the flow matched (output), may be NULL
 *
 * Return: the flow, NULL if none
 */
struct flow_common *flow_lookup(enum flow_type type, enum flow_pif pif,
				const struct flowside *key, unsigned *side)
{
	uint32_t b = flow_hash(type, pif, key);
	uint32_t sidx;

	for (sidx = flowtab.bucket[b] ? flowtab.bucket[b] - 1 : FLOW_IDX_NONE;
	     sidx != FLOW_IDX_NONE; sidx = *flow_sidx_next(sidx)) {
		struct flow_common *f = &flowtab.slot[sidx >> 1].f;
		unsigned s = sidx & 1;

		if (f->type != type || f->pif[s] != pif ||
		    memcmp(&f->side[s], key, sizeof(*key)))
			continue;
		if (side)
			*side = s;
		return f;
	}
	return NULL;
}

/**
 * flow_count() - Flows of a type in use
 * @type:	Type
 *
 * Return: count, 0 for an invalid type
 */
unsigned flow_count(enum flow_type type)
{
	return flow_type_valid(type) ? flowtab.count[type] : 0;
}

/**
 * flow_refused() - Allocations of a type refused: table or cap full
 * @type:	Type
 *
 * Return: count since start, 0 for an invalid type
 */
unsigned long long flow_refused(enum flow_type type)
{
	return flow_type_valid(type) ? flowtab.refused[type] : 0;
}

/**
 * flow_side_str() - Format one side of a flow for logs
 * @f:		Flow
 * @side:	FLOW_SIDE_INI or FLOW_SIDE_TGT
 * @buf:	Buffer (output)
 * @len:	Size of @buf, bytes
 *
 * Return: @buf, "PIF [peer]:port <-> [local]:port"
 */
static const char *flow_side_str(const struct flow_common *f, unsigned side,
				 char *buf, size_t len)
{
	const struct flowside *fs = &f->side[side];
	char peer[INET6_ADDRSTRLEN], local[INET6_ADDRSTRLEN];
	const struct in_addr *p4 = inany_v4(&fs->peer);
	const struct in_addr *l4 = inany_v4(&fs->local);

	if (p4)
		inet_ntop(AF_INET, p4, peer, sizeof(peer));
	else
		inet_ntop(AF_INET6, &fs->peer.a6, peer, sizeof(peer));
	if (l4)
		inet_ntop(AF_INET, l4, local, sizeof(local));
	else
		inet_ntop(AF_INET6, &fs->local.a6, local, sizeof(local));
	snprintf(buf, len, "%s [%s]:%u <-> [%s]:%u",
		 flow_pif_str((enum flow_pif)f->pif[side]), peer, fs->peer_port,
		 local, fs->local_port);
	return buf;
}

/**
 * flow_log() - Log a flow at debug level: index, type, state, both sides
 * @f:		Flow
 * @what:	What happened to it
 */
void flow_log(const struct flow_common *f, const char *what)
{
	char ini[FLOW_SIDE_STRLEN], tgt[FLOW_SIDE_STRLEN];

	if (!log_enabled(LOG_DEBUG))
		return;
	debug("flow %u (%s, %s): %s: INI %s, TGT %s", flow_idx(f),
	      flow_type_str(f->type), flow_state_str(f->state), what,
	      flow_side_str(f, FLOW_SIDE_INI, ini, sizeof(ini)),
	      flow_side_str(f, FLOW_SIDE_TGT, tgt, sizeof(tgt)));
}
