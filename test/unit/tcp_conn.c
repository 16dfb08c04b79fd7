/* UNIT_SRCS: tcp_conn.c siphash.c util.c log.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/tcp_conn.c - TCP connection table: lookup, release, compaction
 *
 * Fills the table to its limit, checks every connection is found by its
 * 4-tuple and that one more is refused; releases every third, compacts,
 * and checks the released ones are gone, the others still found (at their
 * new indices) with their data intact, and that slots are reused; and
 * that a closed last slot is taken over by the next connection under a
 * new generation.
 */

#include <string.h>
#include <arpa/inet.h>

#include "../../passt.h"
#include "../../tcp_conn.h"
#include "unit.h"

/* Execution context: only epollfd is used (-1: epoll_mod() fails, fine) */
static struct ctx unit_ctx = { .epollfd = -1 };

/**
 * unit_tuple() - Addresses and ports of test connection @i
 * @i:		Connection number
 * @ga:		Guest address (output)
 * @fa:		Far address (output)
 * @gport:	Guest port (output)
 * @fport:	Far port (output)
 */
static void unit_tuple(uint32_t i, union inany_addr *ga,
		       union inany_addr *fa, uint16_t *gport, uint16_t *fport)
{
	struct in_addr a4 = { .s_addr = htonl(0xc0000201) };	/* 192.0.2.1 */
	struct in_addr f4 = { .s_addr = htonl(0xc6336400 | (i % 200)) };

	if (i % 2) {
		inany_from_v4(ga, a4);
		inany_from_v4(fa, f4);
	} else {
		inet_pton(AF_INET6, "2001:db8::1", &ga->a6);
		inet_pton(AF_INET6, "2001:db8:1::1", &fa->a6);
		fa->a6.s6_addr[15] = (uint8_t)(i % 200);
	}
	*gport = (uint16_t)(1024 + i / 2);
	*fport = (uint16_t)(80 + i % 7);
}

/**
 * unit_find() - Look up test connection @i
 * @i:		Connection number
 *
 * Return: connection, NULL if not found
 */
static struct tcp_conn *unit_find(uint32_t i)
{
	union inany_addr ga, fa;
	uint16_t gp, fp;

	unit_tuple(i, &ga, &fa, &gp, &fp);
	return tcp_conn_lookup(&ga, gp, &fa, fp);
}

/**
 * unit_fill() - Fill the table; each connection records its number
 *
 * Return: number of connections that found no slot
 */
static uint32_t unit_fill(void)
{
	uint32_t i, refused = 0;

	for (i = 0; i < TCP_MAX_CONNS + 1; i++) {
		union inany_addr ga, fa;
		struct tcp_conn *conn;
		uint16_t gp, fp;

		unit_tuple(i, &ga, &fa, &gp, &fp);
		conn = tcp_conn_new(&ga, gp, &fa, fp);
		if (!conn) {
			refused++;
			continue;
		}
		conn->seq_to_tap = i;	/* Marker */
	}
	return refused;
}

/**
 * unit_all_found() - Check that connections are found, or gone
 * @gone_mod:	Connections whose number is a multiple of this are gone,
 *		0 if none
 *
 * Return: true if every lookup gave the expected result
 */
static bool unit_all_found(uint32_t gone_mod)
{
	uint32_t i;

	for (i = 0; i < TCP_MAX_CONNS; i++) {
		struct tcp_conn *conn = unit_find(i);
		bool gone = gone_mod && !(i % gone_mod);

		if (gone != !conn)
			return false;
		if (conn && conn->seq_to_tap != i)
			return false;
	}
	return true;
}

/**
 * main() - Entry point
 *
 * Return: 0 if every check passed
 */
int main(void)
{
	uint32_t i, count;

	tcp_conn_table_init();
	unit_check(unit_fill() == 1, "table full: one more connection refused");
	unit_check(tcp_tab.count == TCP_MAX_CONNS, "table holds the maximum");
	unit_check(unit_all_found(0), "every connection found by its tuple");

	for (i = 0; i < TCP_MAX_CONNS; i += 3)
		tcp_conn_release(unit_find(i));
	unit_check(unit_all_found(3), "released connections gone at once");
	count = tcp_tab.count;
	tcp_conn_compact(&unit_ctx);
	unit_check(count == TCP_MAX_CONNS &&
		   tcp_tab.count == TCP_MAX_CONNS - DIV_ROUND_UP(TCP_MAX_CONNS, 3),
		   "compaction frees the released slots");
	unit_check(unit_all_found(3), "moved connections found, data intact");
	for (i = 0; i < tcp_tab.count; i++) {
		if (tcp_tab.conn[i].events & TCP_EV_CLOSED)
			break;
	}
	unit_check(i == tcp_tab.count, "no closed slot left below the count");

	for (i = 0; i < TCP_MAX_CONNS; i += 3) {
		union inany_addr ga, fa;
		uint16_t gp, fp;

		unit_tuple(i, &ga, &fa, &gp, &fp);
		if (!tcp_conn_new(&ga, gp, &fa, fp))
			break;
		unit_find(i)->seq_to_tap = i;
	}
	unit_check(i >= TCP_MAX_CONNS && tcp_tab.count == TCP_MAX_CONNS,
		   "freed slots are reused");
	unit_check(unit_all_found(0), "all found again after reuse");

	/* A connection ends as the next starts: the last slot is taken over
	 * under a new generation, the table doesn't grow, nothing to compact
	 */
	tcp_conn_table_init();
	{
		union inany_addr ga, fa;
		struct tcp_conn *a, *b;
		uint16_t gp, fp, gen;

		unit_tuple(1, &ga, &fa, &gp, &fp);
		a = tcp_conn_new(&ga, gp, &fa, fp);
		gen = a->gen;
		tcp_conn_release(a);
		unit_tuple(2, &ga, &fa, &gp, &fp);
		b = tcp_conn_new(&ga, gp, &fa, fp);
		unit_check(b == a && tcp_tab.count == 1 && !tcp_tab.closed,
			   "closed last slot taken over by the next connection");
		unit_check(b->gen == (uint16_t)(gen + 1) &&
			   tcp_conn_ref(b) != ((uint32_t)gen << 16),
			   "taken-over slot has a new generation (stale refs)");
		unit_check(!(b->events & TCP_EV_CLOSED) &&
			   tcp_conn_lookup(&ga, gp, &fa, fp) == b,
			   "taken-over slot is open and hashed");
		unit_tuple(1, &ga, &fa, &gp, &fp);
		unit_check(!tcp_conn_lookup(&ga, gp, &fa, fp),
			   "previous connection of the slot is gone");
	}
	return unit_done();
}
