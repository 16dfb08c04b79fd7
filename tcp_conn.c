// SPDX-License-Identifier: GPL-2.0-or-later
/* tcp_conn.c - TCP connection table: hashed lookup, compaction, states
 *
 * Theory of Operation
 *
 * Connections of the tap path live in one static array, tcp_tab.conn,
 * packed from index 0: no allocation happens per connection. The index of
 * a connection is the data of its EPOLL_TYPE_TCP (socket) and
 * EPOLL_TYPE_TCP_TIMER (timerfd) epoll references.
 *
 * Lookup: a SipHash-2-4 of the 4-tuple (guest address and port, far address
 * and port), keyed with a random key drawn at start-up, selects one of
 * 2 * TCP_MAX_CONNS buckets; each bucket is a singly linked chain through
 * tcp_conn.hnext. A guest can't aim its connections at one bucket without
 * knowing the key.
 *
 * Closing: tcp_conn_release() unlinks the connection from its bucket at
 * once (a new SYN with the same 4-tuple finds nothing) and marks the slot
 * TCP_EV_CLOSED; sockets are closed by the caller. Events already returned
 * by epoll_wait() may still carry the index, so a closed slot is not reused
 * within the batch, with one exception: a new connection takes over the
 * last slot if it is closed (a connection that ends as the next one
 * starts, the common case), under a new generation. Epoll references carry
 * index and generation (tcp_conn_ref()), and handlers check both, and the
 * file descriptor, against the slot (tcp_conn_from_ref()), so stale events
 * are ignored. Other holes are filled by tcp_conn_compact(), called from
 * tcp_flush() after the batch of events: the last connection is then moved
 * into each hole, its hash chain link is rewritten and both its epoll
 * references are updated with the new index.
 *
 * Full table: tcp_conn_new() returns NULL once tcp_tab.max slots are in
 * use (TCP_MAX_CONNS; for tests only, PASST_TCP_CONN_MAX lowers it, read
 * once by tcp_init()), and the SYN is answered with an RST.
 *
 * Initial sequence numbers (RFC 6528): SipHash of the 4-tuple under a
 * second secret key, plus a clock ticking every 4.096 us.
 */

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>

#include "siphash.h"
#include "tcp_conn.h"
#include "util.h"

struct tcp_table tcp_tab;

/**
 * struct tcp_conn_keys - Secrets of the connection table
 * @hash:	Key for bucket selection
 * @isn:	Key for initial sequence numbers
 */
static struct tcp_conn_keys {
	struct siphash_key hash;
	struct siphash_key isn;
} tcp_conn_keys;

/* Names of enum tcp_conn_ev bits, for debug messages */
static const char *const tcp_conn_ev_name[TCP_EV_NUM] = {
	"SYN_FROM_TAP", "SYNACK_TO_TAP", "SYN_TO_TAP", "ESTABLISHED",
	"TAP_FIN_RCVD", "SOCK_EOF", "TAP_FIN_SENT", "TAP_FIN_ACKED", "CLOSED",
};

/**
 * struct tcp_conn_tuple - Hash input: both endpoints of a connection
 * @gaddr:	Guest address
 * @faddr:	Far address
 * @gport:	Guest port, host order
 * @fport:	Far port, host order
 */
struct tcp_conn_tuple {
	union inany_addr gaddr;
	union inany_addr faddr;
	uint16_t gport;
	uint16_t fport;
};

/**
 * tcp_conn_table_init() - Draw the secret keys, empty the table
 */
void tcp_conn_table_init(void)
{
	raw_random(&tcp_conn_keys, sizeof(tcp_conn_keys));
	memset(tcp_tab.bucket, 0xff, sizeof(tcp_tab.bucket));
	tcp_tab.count = tcp_tab.closed = 0;
	tcp_tab.max = TCP_MAX_CONNS;
}

/**
 * tcp_conn_hash() - Hash bucket of a 4-tuple
 * @gaddr:	Guest address
 * @gport:	Guest port, host order
 * @faddr:	Far address
 * @fport:	Far port, host order
 *
 * Return: bucket index
 */
static uint32_t tcp_conn_hash(const union inany_addr *gaddr, uint16_t gport,
			      const union inany_addr *faddr, uint16_t fport)
{
	struct tcp_conn_tuple t;

	memset(&t, 0, sizeof(t));
	t.gaddr = *gaddr;
	t.faddr = *faddr;
	t.gport = gport;
	t.fport = fport;
	return (uint32_t)(siphash_2_4(&tcp_conn_keys.hash, &t, sizeof(t)) %
			  ARRAY_SIZE(tcp_tab.bucket));
}

/**
 * tcp_conn_isn() - Initial sequence number towards the guest (RFC 6528)
 * @conn:	Connection, addresses and ports set
 * @now:	Current time
 *
 * Return: sequence number
 */
uint32_t tcp_conn_isn(const struct tcp_conn *conn, const struct timespec *now)
{
	uint64_t ns = (uint64_t)now->tv_sec * 1000000000ULL +
		      (uint64_t)now->tv_nsec;
	struct tcp_conn_tuple t;

	memset(&t, 0, sizeof(t));
	t.gaddr = conn->gaddr;
	t.faddr = conn->faddr;
	t.gport = conn->gport;
	t.fport = conn->fport;
	return (uint32_t)siphash_2_4(&tcp_conn_keys.isn, &t, sizeof(t)) +
	       (uint32_t)(ns >> 12);
}

/**
 * tcp_conn_lookup() - Find a connection by its 4-tuple
 * @gaddr:	Guest address
 * @gport:	Guest port, host order
 * @faddr:	Far address, as the guest sees it
 * @fport:	Far port, host order
 *
 * Return: connection, NULL if none
 */
struct tcp_conn *tcp_conn_lookup(const union inany_addr *gaddr,
				 uint16_t gport,
				 const union inany_addr *faddr, uint16_t fport)
{
	uint32_t i = tcp_tab.bucket[tcp_conn_hash(gaddr, gport, faddr, fport)];

	while (i != TCP_IDX_NONE) {
		struct tcp_conn *conn = &tcp_tab.conn[i];

		if (conn->gport == gport && conn->fport == fport &&
		    inany_equals(&conn->gaddr, gaddr) &&
		    inany_equals(&conn->faddr, faddr))
			return conn;
		i = conn->hnext;
	}
	return NULL;
}

/**
 * tcp_conn_new() - Take a free slot for a connection and hash it
 * @gaddr:	Guest address
 * @gport:	Guest port, host order
 * @faddr:	Far address, as the guest sees it
 * @fport:	Far port, host order
 *
 * Return: zeroed connection with endpoints set, NULL if the table is full
 */
struct tcp_conn *tcp_conn_new(const union inany_addr *gaddr, uint16_t gport,
			      const union inany_addr *faddr, uint16_t fport)
{
	struct tcp_conn *conn;
	uint16_t gen = 0;
	uint32_t b;

	if (tcp_tab.count &&
	    (tcp_tab.conn[tcp_tab.count - 1].events & TCP_EV_CLOSED)) {
		/* The last slot closed in this batch: take it over under a
		 * new generation, which makes its pending events stale
		 */
		conn = &tcp_tab.conn[tcp_tab.count - 1];
		gen = (uint16_t)(conn->gen + 1);
		tcp_tab.closed--;
	} else if (tcp_tab.count < tcp_tab.max) {
		conn = &tcp_tab.conn[tcp_tab.count++];
	} else {
		return NULL;
	}
	memset(conn, 0, sizeof(*conn));
	conn->gen = gen;
	conn->gaddr = *gaddr;
	conn->faddr = *faddr;
	conn->gport = gport;
	conn->fport = fport;
	conn->sock = conn->timer = -1;
	conn->v6 = !inany_v4(gaddr);
	b = tcp_conn_hash(gaddr, gport, faddr, fport);
	conn->hbucket = b;
	conn->hnext = tcp_tab.bucket[b];
	tcp_tab.bucket[b] = tcp_conn_idx(conn);
	return conn;
}

/**
 * tcp_conn_link_find() - Find the chain link pointing at a connection
 * @conn:	Connection, linked in its bucket
 *
 * Return: pointer to the bucket head or hnext field holding its index
 */
static uint32_t *tcp_conn_link_find(const struct tcp_conn *conn)
{
	uint32_t idx = tcp_conn_idx(conn);
	uint32_t *link = &tcp_tab.bucket[conn->hbucket];

	while (*link != TCP_IDX_NONE && *link != idx)
		link = &tcp_tab.conn[*link].hnext;
	return *link == idx ? link : NULL;
}

/**
 * tcp_conn_release() - Unhash a connection and mark its slot closed
 * @conn:	Connection; its file descriptors are already closed
 */
void tcp_conn_release(struct tcp_conn *conn)
{
	uint32_t *link;

	if (conn->events & TCP_EV_CLOSED)
		return;
	link = tcp_conn_link_find(conn);
	if (link)
		*link = conn->hnext;
	conn->sock = conn->timer = -1;
	tcp_conn_event(conn, TCP_EV_CLOSED);
	tcp_tab.closed++;
}

/**
 * tcp_conn_move() - Move the last connection into a hole, fix references
 * @c:		Execution context
 * @hole:	Index of a closed slot, below the last one
 *
 * #syscalls epoll_ctl
 */
static void tcp_conn_move(const struct ctx *c, uint32_t hole)
{
	struct tcp_conn *from = &tcp_tab.conn[tcp_tab.count - 1];
	struct tcp_conn *to = &tcp_tab.conn[hole];
	uint32_t *link = tcp_conn_link_find(from);

	if (link)
		*link = hole;
	*to = *from;
	if (to->sock >= 0)
		epoll_mod(c, to->sock, TCP_CONN_EPOLL_EVENTS,
			  epoll_ref_make(EPOLL_TYPE_TCP, to->sock,
					 tcp_conn_ref(to)));
	if (to->timer >= 0)
		epoll_mod(c, to->timer, EPOLLIN,
			  epoll_ref_make(EPOLL_TYPE_TCP_TIMER, to->timer,
					 tcp_conn_ref(to)));
}

/**
 * tcp_conn_compact() - Fill closed slots with the last connections
 * @c:		Execution context
 */
void tcp_conn_compact(const struct ctx *c)
{
	uint32_t i;

	if (!tcp_tab.closed)
		return;
	for (i = 0; i < tcp_tab.count && tcp_tab.closed; i++) {
		if (!(tcp_tab.conn[i].events & TCP_EV_CLOSED))
			continue;
		while (tcp_tab.count > i + 1 &&
		       (tcp_tab.conn[tcp_tab.count - 1].events &
			TCP_EV_CLOSED)) {
			tcp_tab.count--;
			tcp_tab.closed--;
		}
		if (tcp_tab.count > i + 1)
			tcp_conn_move(c, i);
		tcp_tab.count--;
		tcp_tab.closed--;
	}
}

/**
 * tcp_conn_event() - Record a connection event, log the transition
 * @conn:	Connection
 * @ev:		enum tcp_conn_ev bit to set
 */
void tcp_conn_event(struct tcp_conn *conn, uint16_t ev)
{
	unsigned i;

	if (conn->events & ev)
		return;
	conn->events |= ev;
	if (!log_enabled(LOG_DEBUG))
		return;
	for (i = 0; i < TCP_EV_NUM; i++) {
		if (ev & (1U << i))
			debug("TCP: connection %u: %s", tcp_conn_idx(conn),
			      tcp_conn_ev_name[i]);
	}
}
