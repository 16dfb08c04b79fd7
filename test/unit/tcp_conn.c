/* UNIT_SRCS: tcp_conn.c tcp_timerq.c flow.c siphash.c util.c log.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/tcp_conn.c - TCP connections in the flow table
 *
 * Fills the FLOW_TCP cap with connections, outbound and inbound in turn,
 * and checks: one more is refused, and counted; each is found by its tap
 * side, with the sides and interfaces of its direction; epoll references
 * lead back to it. Frees every third: those are gone from lookups and
 * their old references are refused, while the others are found at the
 * same address (slots never move), with their data and references
 * intact. New connections then take the freed slots, under a new
 * generation: the old references stay refused. Events move the flow
 * state (NEW, ACTIVE, CLOSING), and initial sequence numbers depend on
 * the tap side, not on the slot.
 */

#include <string.h>
#include <arpa/inet.h>

#include "../../flow.h"
#include "../../ctx.h"
#include "../../tcp_conn.h"
#include "unit.h"

#define UNIT_FD_BASE	1000	/* Fake socket numbers: UNIT_FD_BASE + i */

/**
 * struct unit_state - What the test remembers of each connection
 * @conn:	Connection made for number i, NULL if refused or freed
 * @ref:	Its tcp_conn_ref() when made
 */
static struct unit_state {
	struct tcp_conn *conn[FLOW_MAX];
	uint32_t ref[FLOW_MAX];
} unit_st;

/**
 * unit_sides() - Tap and host sides of test connection @i
 * @i:		Connection number
 * @tap:	Tap side (output): guest as peer, far end as local
 * @host:	Host side (output)
 */
static void unit_sides(uint32_t i, struct flowside *tap,
		       struct flowside *host)
{
	struct in_addr g4 = { .s_addr = htonl(0xc0000201) };	/* 192.0.2.1 */
	struct in_addr f4 = { .s_addr = htonl(0xc6336400 | (i % 200)) };

	memset(tap, 0, sizeof(*tap));
	memset(host, 0, sizeof(*host));
	if (i % 2) {
		inany_from_v4(&tap->peer, g4);
		inany_from_v4(&tap->local, f4);
	} else {
		inet_pton(AF_INET6, "2001:db8::1", &tap->peer.a6);
		inet_pton(AF_INET6, "2001:db8:1::1", &tap->local.a6);
		tap->local.a6.s6_addr[15] = (uint8_t)(i % 200);
	}
	tap->peer_port = (uint16_t)(1024 + i / 2);
	tap->local_port = (uint16_t)(80 + i % 7);
	host->peer = tap->local;
	host->peer_port = tap->local_port;
}

/**
 * unit_new() - Make test connection @i: inbound if @i is a multiple of 3
 * @i:		Connection number
 *
 * Return: connection, NULL if refused
 */
static struct tcp_conn *unit_new(uint32_t i)
{
	struct flowside tap, host;
	struct tcp_conn *conn;

	unit_sides(i, &tap, &host);
	conn = tcp_conn_new(!(i % 3), &tap, &host);
	if (!conn)
		return NULL;
	conn->sock = (int32_t)(UNIT_FD_BASE + i);
	conn->seq_to_tap = i;	/* Marker */
	unit_st.conn[i] = conn;
	unit_st.ref[i] = tcp_conn_ref(conn);
	return conn;
}

/**
 * unit_find() - Look up test connection @i by its tap side
 * @i:		Connection number
 *
 * Return: connection, NULL if not found
 */
static struct tcp_conn *unit_find(uint32_t i)
{
	struct flowside tap, host;

	unit_sides(i, &tap, &host);
	return tcp_conn_lookup(&tap);
}

/**
 * unit_from_ref() - Resolve the socket reference taken for connection @i
 * @i:		Connection number
 *
 * Return: connection, NULL if the reference is refused
 */
static struct tcp_conn *unit_from_ref(uint32_t i)
{
	union epoll_ref ref;

	ref.u64 = epoll_ref_make(EPOLL_TYPE_TCP, (int)(UNIT_FD_BASE + i),
				 unit_st.ref[i]);
	return tcp_conn_from_ref(ref);
}

/**
 * unit_sides_ok() - Check the interfaces and sides of connection @i
 * @i:		Connection number
 *
 * Return: true if the tap side and the direction are right
 */
static bool unit_sides_ok(uint32_t i)
{
	const struct tcp_conn *conn = unit_st.conn[i];
	unsigned ini = !(i % 3) ? PIF_HOST : PIF_TAP;
	struct flowside tap, host;

	unit_sides(i, &tap, &host);
	return conn->f.pif[FLOW_SIDE_INI] == ini &&
	       conn->f.pif[FLOW_SIDE_TGT] ==
			(ini == PIF_TAP ? PIF_HOST : PIF_TAP) &&
	       !memcmp(tcp_tapside(conn), &tap, sizeof(tap)) &&
	       !memcmp(&conn->f.side[!tcp_conn_tapside(conn)], &host,
		       sizeof(host)) &&
	       conn->v6 == !(i % 2);
}

/**
 * unit_all_ok() - Check every connection is found, or gone, as expected
 * @gone_mod:	Connections whose number is a multiple of this are gone,
 *		0 if none
 *
 * Return: true if lookups and references gave the expected result
 */
static bool unit_all_ok(uint32_t gone_mod)
{
	uint32_t i;

	for (i = 0; i < FLOW_MAX; i++) {
		struct tcp_conn *conn = unit_find(i);
		bool gone = gone_mod && !(i % gone_mod);

		if (gone) {
			if (conn || unit_from_ref(i))
				return false;
			continue;
		}
		if (conn != unit_st.conn[i] || unit_from_ref(i) != conn ||
		    conn->seq_to_tap != i || !unit_sides_ok(i))
			return false;
	}
	return true;
}

/**
 * unit_fill() - Make FLOW_MAX connections, then try one more
 *
 * Return: true if all FLOW_MAX found a slot, and the next one none
 */
static bool unit_fill(void)
{
	struct flowside tap, host;
	uint32_t i;

	for (i = 0; i < FLOW_MAX; i++) {
		if (!unit_new(i))
			return false;
	}
	unit_sides(FLOW_MAX, &tap, &host);
	return !tcp_conn_new(false, &tap, &host);
}

/**
 * unit_states() - Events move the flow state; the ISN follows the tap side
 *
 * Return: true if states and sequence numbers are as expected
 */
static bool unit_states(void)
{
	struct timespec now = { .tv_sec = 100 };
	struct tcp_conn *conn = unit_new(1);
	uint32_t isn, idx;
	bool ok;

	if (!conn)
		return false;
	ok = conn->f.state == FLOW_STATE_NEW;
	tcp_conn_event(conn, TCP_EV_SYN_FROM_TAP);
	ok = ok && conn->f.state == FLOW_STATE_NEW;
	tcp_conn_event(conn, TCP_EV_ESTABLISHED);
	ok = ok && conn->f.state == FLOW_STATE_ACTIVE;
	tcp_conn_event(conn, TCP_EV_SOCK_EOF);
	ok = ok && conn->f.state == FLOW_STATE_CLOSING;
	isn = tcp_conn_isn(conn, &now);
	idx = tcp_conn_idx(conn);
	tcp_conn_free(conn);
	ok = ok && tcp_conn_closed(conn) && !unit_find(1);
	unit_new(4);		/* Takes the slot just freed */
	conn = unit_new(1);	/* Same tuple, another slot */
	return ok && conn && tcp_conn_idx(conn) != idx &&
	       tcp_conn_isn(conn, &now) == isn;
}

/**
 * main() - Entry point
 *
 * Return: 0 if every check passed
 */
int main(void)
{
	uint32_t i, hiwat;
	bool reused = true;

	flow_init();
	tcp_conn_init();
	unit_check(unit_fill() && flow_refused(FLOW_TCP) == 1 &&
		   flow_count(FLOW_TCP) == FLOW_MAX,
		   "table full: one more connection refused, and counted");
	unit_check(unit_all_ok(0), "each found by its tap side, ref resolves");

	for (i = 0; i < FLOW_MAX; i += 3)
		tcp_conn_free(unit_st.conn[i]);
	unit_check(flow_count(FLOW_TCP) == FLOW_MAX - (FLOW_MAX + 2) / 3,
		   "freed connections counted out");
	unit_check(unit_all_ok(3),
		   "freed ones gone, stale refs refused; others unmoved");

	hiwat = flow_hiwat();
	for (i = 0; i < FLOW_MAX; i += 3) {
		uint32_t old = unit_st.ref[i];

		if (!unit_new(i)) {
			reused = false;
			break;
		}
		unit_st.ref[i] = old;	/* The stale one, to check below */
		if (unit_from_ref(i))
			reused = false;
		unit_st.ref[i] = tcp_conn_ref(unit_st.conn[i]);
	}
	unit_check(reused && flow_hiwat() == hiwat &&
		   flow_count(FLOW_TCP) == FLOW_MAX,
		   "freed slots reused, old references stay refused");
	unit_check(unit_all_ok(0), "all found again after reuse");

	flow_init();
	unit_check(unit_states(), "events set flow states; ISN per tap side");
	return unit_done();
}
