/* UNIT_SRCS: */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/tcp_timerq.c - The TCP connections' deadline heap
 *
 * Arms, moves (earlier and later) and cancels deadlines of random flow
 * indices in random order, against a plain array of what each index should
 * hold, and checks after each round that the heap agrees: the same indices
 * armed, each entry at the position recorded for its index, no entry
 * earlier than its parent. Then takes deadlines up to a time, and finally
 * all of them: each comes out once, with the deadline it was given, in
 * order. The heap's file is included, so that its internals can be read.
 */

#include <string.h>

#include "../../tcp_timerq.c"
#include "unit.h"

/**
 * tcp_timerq_armed() - Does an index have a deadline?
 * @idx:	Flow table index
 *
 * Return: true if armed
 */
static bool tcp_timerq_armed(uint32_t idx)
{
	return idx < FLOW_MAX && tcp_timerq.pos[idx];
}

/**
 * tcp_timerq_cnt() - Number of armed deadlines
 *
 * Return: entries in the heap
 */
static uint32_t tcp_timerq_cnt(void)
{
	return tcp_timerq.cnt;
}

#define UNIT_ROUNDS	8	/* Rounds of random operations */
#define UNIT_OPS	(4 * FLOW_MAX)	/* Operations per round */
#define UNIT_SPAN	100000	/* Deadlines drawn from 1 to this */

/**
 * struct unit_state - What the heap should hold
 * @dl:		Deadline of each index, 0 if not armed
 * @rnd:	State of the xorshift generator
 */
static struct unit_state {
	uint64_t dl[FLOW_MAX];
	uint64_t rnd;
} unit_st = { .rnd = 0x9e3779b97f4a7c15ULL };

/**
 * unit_rand() - Next pseudo-random number (xorshift64)
 *
 * Return: 64 pseudo-random bits
 */
static uint64_t unit_rand(void)
{
	unit_st.rnd ^= unit_st.rnd << 13;
	unit_st.rnd ^= unit_st.rnd >> 7;
	unit_st.rnd ^= unit_st.rnd << 17;
	return unit_st.rnd;
}

/**
 * unit_consistent() - Does the heap hold exactly what the model does?
 *
 * Return: true if indices, positions, deadlines and heap order agree
 */
static bool unit_consistent(void)
{
	uint32_t i, armed = 0;

	for (i = 0; i < FLOW_MAX; i++) {
		uint32_t p = tcp_timerq.pos[i];

		if (tcp_timerq_armed(i) != !!unit_st.dl[i])
			return false;
		if (!p)
			continue;
		armed++;
		if (p > tcp_timerq.cnt || tcp_timerq.heap[p - 1].idx != i ||
		    tcp_timerq.heap[p - 1].deadline != unit_st.dl[i])
			return false;
	}
	for (i = 1; i < tcp_timerq.cnt; i++) {
		if (tcp_timerq.heap[i].deadline <
		    tcp_timerq.heap[(i - 1) / 2].deadline)
			return false;
	}
	return armed == tcp_timerq_cnt();
}

/**
 * unit_round() - Random arms, moves and cancels
 */
static void unit_round(void)
{
	uint32_t n;

	for (n = 0; n < UNIT_OPS; n++) {
		uint64_t r = unit_rand();
		uint32_t idx = (uint32_t)(r % FLOW_MAX);
		uint64_t dl = 1 + (r >> 20) % UNIT_SPAN;

		if ((r >> 16) % 4 == 0) {
			tcp_timerq_cancel(idx);
			unit_st.dl[idx] = 0;
		} else {
			tcp_timerq_set(idx, dl);
			unit_st.dl[idx] = dl;
		}
	}
}

/**
 * unit_pop_until() - Take every deadline up to a time, check each
 * @now:	Time
 *
 * Return: true if each came out once, in order, with its own deadline,
 *	   and none later than @now
 */
static bool unit_pop_until(uint64_t now)
{
	uint64_t last = 0, first;
	bool ok = true;
	uint32_t idx;

	while (tcp_timerq_pop(now, &idx)) {
		if (!unit_st.dl[idx] || unit_st.dl[idx] < last ||
		    unit_st.dl[idx] > now || tcp_timerq_armed(idx))
			ok = false;
		last = unit_st.dl[idx];
		unit_st.dl[idx] = 0;
	}
	if (tcp_timerq_first(&first) && first <= now)
		ok = false;
	for (idx = 0; idx < FLOW_MAX; idx++) {
		if (unit_st.dl[idx] && unit_st.dl[idx] <= now)
			ok = false;
	}
	return ok;
}

/**
 * main() - Run the checks
 *
 * Return: 0 if all passed
 */
int main(void)
{
	bool ok = true;
	uint64_t dl;
	uint32_t i;

	unit_check(!tcp_timerq_first(&dl) && !tcp_timerq_cnt(),
		   "empty at start");
	for (i = 0; i < UNIT_ROUNDS; i++) {
		unit_round();
		ok = ok && unit_consistent();
	}
	unit_check(ok, "random arms, moves, cancels: heap matches, positions "
		       "consistent");
	for (i = 0; i < FLOW_MAX; i++) {
		tcp_timerq_set(i, UNIT_SPAN + 1 + i % 3);
		unit_st.dl[i] = UNIT_SPAN + 1 + i % 3;
	}
	unit_check(tcp_timerq_cnt() == FLOW_MAX && unit_consistent(),
		   "every index armed at once");
	unit_round();
	unit_check(unit_consistent(), "moved again from a full heap");
	unit_check(unit_pop_until(UNIT_SPAN / 2) && unit_consistent(),
		   "due ones taken in order, later ones stay");
	unit_check(unit_pop_until(UINT64_MAX) && !tcp_timerq_cnt() &&
		   !tcp_timerq_first(&dl) && unit_consistent(),
		   "all taken in order, once each, heap empty");
	tcp_timerq_cancel(7);
	tcp_timerq_set(FLOW_MAX, 1);
	unit_check(!tcp_timerq_cnt() && !tcp_timerq_armed(FLOW_MAX),
		   "cancel of unarmed and out-of-range index ignored");
	return unit_done();
}
