/* UNIT_SRCS: siphash.c log.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/flow.c - Flow table: caps, full table, references, lookups
 *
 * Fills one type to its cap and then the whole table to FLOW_MAX, checking
 * that refusals are counted per type; frees every flow in a random order
 * (fixed seed) and checks that no reference taken before survives, that
 * slots are reused last freed first and come back zeroed, with a new
 * generation, and that references are checked for type and generation
 * (also across a wrap of the generation). Hashes both sides of flows of
 * every type with the same addresses and finds each from either side,
 * kept apart by type and interface; removes sides and flows and checks
 * they are gone while the others are still found. Walks the table up to
 * the high-water mark and counts the live flows.
 */

#include <string.h>
#include <arpa/inet.h>

#include "../../flow.c"	/* static flow_type_str(), flow_pif_str() */
#include "unit.h"

#define UNIT_SEED	0x2545f491U	/* Fixed seed: same order every run */
#define UNIT_HASHED	20000		/* Flows hashed in the chain test */

/* References of every slot, taken while the table was full */
static uint32_t unit_refs[FLOW_MAX];

/* Order in which slots are freed: a permutation of the indices */
static uint32_t unit_order[FLOW_MAX];

/* Flows of the chain test, by number */
static struct flow_common *unit_hashed[UNIT_HASHED];

/* State of the pseudo-random generator */
static uint32_t unit_rand_state = UNIT_SEED;

/**
 * unit_rand() - Next pseudo-random number (xorshift32)
 *
 * Return: 32 pseudo-random bits
 */
static uint32_t unit_rand(void)
{
	uint32_t x = unit_rand_state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return unit_rand_state = x;
}

/**
 * unit_side() - Addresses and ports of one side of test flow @i
 * @fs:		Side to fill (output)
 * @i:		Flow number
 * @which:	0 or 1: guest-facing or host-facing addresses
 */
static void unit_side(struct flowside *fs, uint32_t i, unsigned which)
{
	memset(fs, 0, sizeof(*fs));
	if (i % 2) {
		struct in_addr a = { .s_addr = htonl(0xc0000200 | which) };
		struct in_addr b = { .s_addr = htonl(0xc6336400 | (i % 250)) };

		inany_from_v4(&fs->peer, a);
		inany_from_v4(&fs->local, b);
	} else {
		inet_pton(AF_INET6, "2001:db8::1", &fs->peer.a6);
		inet_pton(AF_INET6, "2001:db8:1::", &fs->local.a6);
		fs->peer.a6.s6_addr[15] = (uint8_t)which;
		fs->local.a6.s6_addr[15] = (uint8_t)(i % 250);
	}
	fs->peer_port = (uint16_t)(1024 + i / 2);
	fs->local_port = (uint16_t)(which ? 40000 + i % 7 : 80 + i % 7);
}

/**
 * unit_flow_fill() - Give a flow both sides of test flow @i and hash them
 * @f:		Flow
 * @i:		Flow number
 * @ini:	Interface of the initiating side
 * @tgt:	Interface of the target side
 */
static void unit_flow_fill(struct flow_common *f, uint32_t i,
			   enum flow_pif ini, enum flow_pif tgt)
{
	f->pif[FLOW_SIDE_INI] = (uint8_t)ini;
	f->pif[FLOW_SIDE_TGT] = (uint8_t)tgt;
	unit_side(&f->side[FLOW_SIDE_INI], i, 0);
	unit_side(&f->side[FLOW_SIDE_TGT], i, 1);
	flow_hash_insert(f, FLOW_SIDE_INI);
	flow_hash_insert(f, FLOW_SIDE_TGT);
	flow_state_set(f, FLOW_STATE_ACTIVE);
}

/**
 * unit_found() - Look up one side of test flow @i
 * @type:	Type
 * @pif:	Interface
 * @i:		Flow number
 * @which:	Side's addresses, as for unit_side()
 * @side:	Side that matched (output)
 *
 * Return: flow, NULL if none
 */
static struct flow_common *unit_found(enum flow_type type, enum flow_pif pif,
				      uint32_t i, unsigned which,
				      unsigned *side)
{
	struct flowside key;

	unit_side(&key, i, which);
	return flow_lookup(type, pif, &key, side);
}

/**
 * unit_walk_count() - Count live flows by walking up to the high-water mark
 * @type:	Type to count, FLOW_TYPE_NONE for all
 *
 * Return: flows seen
 */
static unsigned unit_walk_count(enum flow_type type)
{
	unsigned n = 0;
	uint32_t i;

	for (i = 0; i < flow_hiwat(); i++) {
		const struct flow_common *f = flow_at(i);

		if (f && (type == FLOW_TYPE_NONE || f->type == type))
			n++;
	}
	return n;
}

/**
 * unit_caps() - Fill pings to their cap, then the table with TCP and UDP
 */
static void unit_caps(void)
{
	unsigned n = 0, udp = 0;
	struct flow_common *f;
	uint32_t i;

	while (flow_alloc(FLOW_PING))
		n++;
	unit_check(n == 256 && flow_count(FLOW_PING) == 256,
		   "pings: 256 allocated, their default cap");
	unit_check(flow_refused(FLOW_PING) == 1, "ping over the cap counted");

	flow_limit_set(FLOW_UDP, 1000);
	while (flow_alloc(FLOW_UDP))
		udp++;
	unit_check(udp == 1000 && flow_refused(FLOW_UDP) == 1,
		   "UDP: lowered cap holds, refusal counted");

	while ((f = flow_alloc(FLOW_TCP)))
		n++;
	unit_check(n + udp == FLOW_MAX && flow_hiwat() == FLOW_MAX,
		   "table filled to FLOW_MAX slots");
	unit_check(flow_refused(FLOW_TCP) == 1, "TCP refused on a full table");
	flow_limit_set(FLOW_UDP, FLOW_MAX);
	unit_check(!flow_alloc(FLOW_UDP) && flow_refused(FLOW_UDP) == 2,
		   "UDP below its cap refused on a full table, counted");
	unit_check(flow_count(FLOW_TCP) == FLOW_MAX - 256 - 1000 &&
		   unit_walk_count(FLOW_TYPE_NONE) == FLOW_MAX &&
		   unit_walk_count(FLOW_UDP) == 1000,
		   "counts per type match a walk of the table");
	unit_check(!flow_alloc(FLOW_TYPE_NONE) && !flow_alloc(FLOW_NUM_TYPES),
		   "no flow of an invalid type");

	for (i = 0; i < FLOW_MAX; i++) {
		f = flow_at(i);
		if (!f || flow_idx(f) != i || f->state != FLOW_STATE_NEW)
			break;
		unit_refs[i] = flow_ref(f, i % 2);
		memset(f + 1, 0xa5, FLOW_SLOT_BYTES - sizeof(*f));
	}
	unit_check(i == FLOW_MAX, "every slot in use, state NEW, own index");
}

/**
 * unit_free_random() - Free every flow in a random order, check references
 */
static void unit_free_random(void)
{
	unsigned side = 2, stale = 0;
	uint32_t i, j, t;

	for (i = 0; i < FLOW_MAX; i++) {
		if (flow_from_ref(unit_refs[i], flow_at(i)->type, &side) !=
		    flow_at(i) || side != i % 2)
			break;
	}
	unit_check(i == FLOW_MAX, "every reference valid, side kept");

	for (i = 0; i < FLOW_MAX; i++)
		unit_order[i] = i;
	for (i = FLOW_MAX - 1; i > 0; i--) {
		j = unit_rand() % (i + 1);
		t = unit_order[i];
		unit_order[i] = unit_order[j];
		unit_order[j] = t;
	}
	for (i = 0; i < FLOW_MAX; i++) {
		flow_free(flow_at(unit_order[i]));
		if (i == FLOW_MAX / 2)
			stale = unit_walk_count(FLOW_TYPE_NONE);
	}
	unit_check(stale == FLOW_MAX / 2 - 1, "half freed: half left to walk");
	unit_check(!flow_count(FLOW_TCP) && !flow_count(FLOW_UDP) &&
		   !flow_count(FLOW_PING) && !unit_walk_count(FLOW_TYPE_NONE),
		   "all freed: no flow left");
	unit_check(flow_hiwat() == FLOW_MAX, "high-water mark stays");

	for (i = 0; i < FLOW_MAX; i++) {
		enum flow_type type;

		for (type = FLOW_TCP; type < FLOW_NUM_TYPES; type++)
			if (flow_from_ref(unit_refs[i], type, NULL))
				break;
		if (type != FLOW_NUM_TYPES)
			break;
	}
	unit_check(i == FLOW_MAX, "no reference survives its flow's free");
}

/**
 * unit_reuse() - Slots reused last freed first, zeroed, new generation
 */
static void unit_reuse(void)
{
	uint32_t last = unit_order[FLOW_MAX - 1], prev = unit_order[FLOW_MAX - 2];
	struct flow_common *f, *g;
	const uint8_t *p;
	size_t k;

	f = flow_alloc(FLOW_UDP);
	g = flow_alloc(FLOW_TCP);
	unit_check(f && g && flow_idx(f) == last && flow_idx(g) == prev,
		   "reuse: last freed slot first");
	if (!f || !g)
		return;
	p = (const uint8_t *)(f + 1);
	for (k = 0; k < FLOW_SLOT_BYTES - sizeof(*f) && !p[k]; k++)
		;
	unit_check(k == FLOW_SLOT_BYTES - sizeof(*f) && !f->hashed &&
		   f->pif[0] == PIF_NONE && f->pif[1] == PIF_NONE,
		   "reused slot zeroed, not hashed, no interface");
	unit_check(f->gen == 1 && f->state == FLOW_STATE_NEW,
		   "reused slot: generation bumped, state NEW");
	unit_check(!flow_from_ref(unit_refs[last], FLOW_UDP, NULL) &&
		   !flow_from_ref(unit_refs[last], FLOW_TCP, NULL),
		   "stale reference to a reused slot rejected");
	unit_check(flow_from_ref(flow_ref(f, 1), FLOW_UDP, NULL) == f,
		   "fresh reference accepted");
	unit_check(!flow_from_ref(flow_ref(f, 1), FLOW_TCP, NULL) &&
		   !flow_from_ref(flow_ref(f, 1), FLOW_PING, NULL) &&
		   !flow_from_ref(flow_ref(f, 1), FLOW_TYPE_NONE, NULL),
		   "reference of another type rejected");
	flow_free(g);
	flow_free(f);
}

/**
 * unit_gen_wrap() - Generation wraps modulo 2^FLOW_GEN_BITS, still checked
 */
static void unit_gen_wrap(void)
{
	struct flow_common *f = flow_alloc(FLOW_PING);
	uint32_t idx, first, i;
	bool ok = true;

	if (!f) {
		unit_check(0, "allocation for the generation wrap");
		return;
	}
	idx = flow_idx(f);
	first = flow_ref(f, 0);
	for (i = 0; i < (1U << FLOW_GEN_BITS) && ok; i++) {
		uint32_t ref = flow_ref(f, 0);

		flow_free(f);
		f = flow_alloc(FLOW_PING);
		ok = f && flow_idx(f) == idx &&
		     !flow_from_ref(ref, FLOW_PING, NULL);
	}
	unit_check(ok && flow_from_ref(first, FLOW_PING, NULL) == f,
		   "each reuse rejects the last reference; wraps after 2^15");
	flow_free(f);
}

/**
 * unit_types_apart() - Same addresses, each type: found from both sides
 */
static void unit_types_apart(void)
{
	struct flow_common *f[FLOW_NUM_TYPES];
	enum flow_type t;
	unsigned side;
	bool ok = true;

	for (t = FLOW_TCP; t < FLOW_NUM_TYPES; t++) {
		f[t] = flow_alloc(t);
		if (f[t])
			unit_flow_fill(f[t], 7, PIF_TAP, PIF_HOST);
	}
	for (t = FLOW_TCP; t < FLOW_NUM_TYPES && ok; t++) {
		ok = f[t] && f[t]->state == FLOW_STATE_ACTIVE;
		ok = ok && unit_found(t, PIF_TAP, 7, 0, &side) == f[t] &&
		     side == FLOW_SIDE_INI;
		ok = ok && unit_found(t, PIF_HOST, 7, 1, &side) == f[t] &&
		     side == FLOW_SIDE_TGT;
	}
	unit_check(ok, "each type found from both sides, kept apart");
	unit_check(!unit_found(FLOW_TCP, PIF_HOST, 7, 0, NULL) &&
		   !unit_found(FLOW_TCP, PIF_TAP, 7, 1, NULL) &&
		   !unit_found(FLOW_TCP, PIF_SPLICE, 7, 0, NULL),
		   "the interface is part of the key");

	flow_hash_remove(f[FLOW_UDP], FLOW_SIDE_INI);
	unit_check(!unit_found(FLOW_UDP, PIF_TAP, 7, 0, NULL) &&
		   unit_found(FLOW_UDP, PIF_HOST, 7, 1, NULL) == f[FLOW_UDP] &&
		   unit_found(FLOW_TCP, PIF_TAP, 7, 0, NULL) == f[FLOW_TCP],
		   "one side removed: other side and other types still found");
	flow_log(f[FLOW_UDP], "test");
	for (t = FLOW_TCP; t < FLOW_NUM_TYPES; t++)
		if (f[t])
			flow_free(f[t]);
	unit_check(!unit_found(FLOW_TCP, PIF_TAP, 7, 0, NULL) &&
		   !unit_found(FLOW_PING, PIF_HOST, 7, 1, NULL) &&
		   !unit_found(FLOW_UDP, PIF_HOST, 7, 1, NULL),
		   "freed flows no longer found");
}

/**
 * unit_chains() - Many hashed flows: found, removed in random order
 */
static void unit_chains(void)
{
	uint32_t i, missing = 0, wrong = 0;
	unsigned side;

	flow_limit_set(FLOW_UDP, FLOW_MAX);
	for (i = 0; i < UNIT_HASHED; i++) {
		unit_hashed[i] = flow_alloc(i % 3 ? FLOW_TCP : FLOW_UDP);
		if (unit_hashed[i])
			unit_flow_fill(unit_hashed[i], i, PIF_TAP, PIF_HOST);
	}
	for (i = 0; i < UNIT_HASHED; i++) {
		enum flow_type t = i % 3 ? FLOW_TCP : FLOW_UDP;

		if (unit_found(t, PIF_TAP, i, 0, &side) != unit_hashed[i] ||
		    side != FLOW_SIDE_INI ||
		    unit_found(t, PIF_HOST, i, 1, &side) != unit_hashed[i] ||
		    side != FLOW_SIDE_TGT)
			missing++;
	}
	unit_check(!missing, "20000 flows found from both sides");

	for (i = 0; i < UNIT_HASHED; i++) {
		if (unit_rand() % 2)
			continue;
		flow_free(unit_hashed[i]);
		unit_hashed[i] = NULL;
	}
	for (i = 0; i < UNIT_HASHED; i++) {
		enum flow_type t = i % 3 ? FLOW_TCP : FLOW_UDP;
		struct flow_common *a = unit_found(t, PIF_TAP, i, 0, NULL);
		struct flow_common *b = unit_found(t, PIF_HOST, i, 1, NULL);

		if (a != unit_hashed[i] || b != unit_hashed[i])
			wrong++;
	}
	unit_check(!wrong, "after random frees: freed gone, others found");
	unit_check(unit_walk_count(FLOW_TYPE_NONE) ==
		   flow_count(FLOW_TCP) + flow_count(FLOW_UDP),
		   "walk up to the high-water mark sees every live flow");
	for (i = 0; i < UNIT_HASHED; i++)
		if (unit_hashed[i])
			flow_free(unit_hashed[i]);
	unit_check(!unit_walk_count(FLOW_TYPE_NONE), "table empty again");
}

/**
 * main() - Run the checks
 *
 * Return: 0 if all passed
 */
int main(void)
{
	flow_init();
	unit_check(!flow_hiwat() && !flow_at(0), "empty table after flow_init()");
	unit_caps();
	unit_free_random();
	unit_reuse();
	unit_gen_wrap();
	unit_types_apart();
	unit_chains();
	unit_check(!strcmp(flow_type_str(FLOW_TCP_SPLICE), "TCP splice") &&
		   !strcmp(flow_pif_str(PIF_SPLICE), "splice") &&
		   !strcmp(flow_type_str(FLOW_NUM_TYPES), "?"),
		   "type and interface names");
	return unit_done();
}
