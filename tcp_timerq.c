// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_timerq.c - Deadlines of TCP tap-path connections, earliest first
 *
 * Theory of Operation
 *
 * All connections of the tap path share one timerfd (tcp_timer.c). Each
 * armed connection has one deadline here, keyed by its flow table index:
 * a binary min-heap of (deadline, index) entries, FLOW_MAX of them at
 * most, with the earliest deadline at the root. Setting a deadline, moving
 * it either way and cancelling it are O(log n): each index's position in
 * the heap is kept beside it (@pos, plus one, so that the zeroed array
 * means "nothing armed" without an initialisation pass).
 *
 * Invariants: an index is in the heap at most once; for every armed index
 * i, heap[pos[i] - 1].idx == i; every entry's deadline is no earlier than
 * its parent's. This file knows nothing of connections: tcp_conn_free()
 * cancels a closing connection's deadline before its slot can be reused,
 * tcp_timer.c arms deadlines and takes the expired ones.
 *
 * Memory: 16 bytes per heap entry and 4 per position, for FLOW_MAX slots
 * (1.25 MiB at 65536), static.
 */

#include "flow.h"
#include "tcp_timerq.h"

/**
 * struct tcp_timerq_entry - One armed deadline
 * @deadline:	When it expires, nanoseconds (CLOCK_MONOTONIC)
 * @idx:	Flow table index of the connection
 */
struct tcp_timerq_entry {
	uint64_t deadline;
	uint32_t idx;
};

/**
 * struct tcp_timerq - The heap, and each index's place in it
 * @heap:	Entries, root (earliest deadline) first
 * @pos:	Position of each flow index in @heap plus one, 0 if not armed
 * @cnt:	Entries in @heap
 */
static struct tcp_timerq {
	struct tcp_timerq_entry heap[FLOW_MAX];
	uint32_t pos[FLOW_MAX];
	uint32_t cnt;
} tcp_timerq;

/**
 * tcp_timerq_put() - Store an entry at a heap position, update its index
 * @i:		Position in the heap
 * @e:		Entry
 */
static void tcp_timerq_put(uint32_t i, struct tcp_timerq_entry e)
{
	tcp_timerq.heap[i] = e;
	tcp_timerq.pos[e.idx] = i + 1;
}

/**
 * tcp_timerq_up() - Move an entry towards the root while it is earlier
 * @i:		Position of the entry in the heap
 */
static void tcp_timerq_up(uint32_t i)
{
	struct tcp_timerq_entry e = tcp_timerq.heap[i];

	while (i) {
		uint32_t parent = (i - 1) / 2;

		if (tcp_timerq.heap[parent].deadline <= e.deadline)
			break;
		tcp_timerq_put(i, tcp_timerq.heap[parent]);
		i = parent;
	}
	tcp_timerq_put(i, e);
}

/**
 * tcp_timerq_down() - Move an entry away from the root while it is later
 * @i:		Position of the entry in the heap
 */
static void tcp_timerq_down(uint32_t i)
{
	struct tcp_timerq_entry e = tcp_timerq.heap[i];
	uint32_t cnt = tcp_timerq.cnt;

	for (;;) {
		uint32_t child = 2 * i + 1;

		if (child >= cnt)
			break;
		if (child + 1 < cnt && tcp_timerq.heap[child + 1].deadline <
				       tcp_timerq.heap[child].deadline)
			child++;
		if (e.deadline <= tcp_timerq.heap[child].deadline)
			break;
		tcp_timerq_put(i, tcp_timerq.heap[child]);
		i = child;
	}
	tcp_timerq_put(i, e);
}

/**
 * tcp_timerq_set() - Arm a deadline, or move the one already armed
 * @idx:	Flow table index; one not below FLOW_MAX is ignored
 * @deadline:	Expiry, nanoseconds (CLOCK_MONOTONIC)
 */
void tcp_timerq_set(uint32_t idx, uint64_t deadline)
{
	struct tcp_timerq_entry e = { .deadline = deadline, .idx = idx };
	uint32_t i;

	if (idx >= FLOW_MAX)
		return;
	if (!tcp_timerq.pos[idx]) {	/* Unique indices: cnt < FLOW_MAX */
		i = tcp_timerq.cnt++;
		tcp_timerq_put(i, e);
		tcp_timerq_up(i);
		return;
	}
	i = tcp_timerq.pos[idx] - 1;
	tcp_timerq_put(i, e);
	tcp_timerq_up(i);
	tcp_timerq_down(tcp_timerq.pos[idx] - 1);
}

/**
 * tcp_timerq_cancel() - Disarm an index's deadline, if armed
 * @idx:	Flow table index; one not below FLOW_MAX is ignored
 */
void tcp_timerq_cancel(uint32_t idx)
{
	uint32_t i, last;

	if (idx >= FLOW_MAX || !tcp_timerq.pos[idx])
		return;
	i = tcp_timerq.pos[idx] - 1;
	tcp_timerq.pos[idx] = 0;
	last = --tcp_timerq.cnt;
	if (i == last)
		return;
	tcp_timerq_put(i, tcp_timerq.heap[last]);
	tcp_timerq_up(i);
	tcp_timerq_down(tcp_timerq.pos[tcp_timerq.heap[i].idx] - 1);
}

/**
 * tcp_timerq_first() - Earliest armed deadline
 * @deadline:	Earliest deadline, nanoseconds (output)
 *
 * Return: false if nothing is armed (@deadline untouched)
 */
bool tcp_timerq_first(uint64_t *deadline)
{
	if (!tcp_timerq.cnt)
		return false;
	*deadline = tcp_timerq.heap[0].deadline;
	return true;
}

/**
 * tcp_timerq_pop() - Take the earliest deadline if it has passed
 * @now:	Current time, nanoseconds (CLOCK_MONOTONIC)
 * @idx:	Flow table index whose deadline passed, now disarmed (output)
 *
 * Return: false if no deadline is at or before @now
 */
bool tcp_timerq_pop(uint64_t now, uint32_t *idx)
{
	if (!tcp_timerq.cnt || tcp_timerq.heap[0].deadline > now)
		return false;
	*idx = tcp_timerq.heap[0].idx;
	tcp_timerq_cancel(*idx);
	return true;
}
