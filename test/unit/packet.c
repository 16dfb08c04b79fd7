/* UNIT_SRCS: packet.c log.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/packet.c - Packet pool bounds, including hostile values */

#include <stdint.h>
#include <string.h>

#include "packet.h"
#include "unit.h"

static char buf[4096];
PACKET_POOL_DECL(pool, 4, buf);

/**
 * test_add() - Descriptors inside, outside and across the buffer
 */
static void test_add(void)
{
	char outside[16];

	pool_flush(&pool);
	unit_check(packet_add(&pool, 100, buf), "add inside buffer");
	unit_check(!packet_add(&pool, 100, outside), "refuse outside buffer");
	unit_check(!packet_add(&pool, 2, buf + sizeof(buf) - 1),
		   "refuse crossing buffer end");
	unit_check(!packet_add(&pool, SIZE_MAX, buf + 1),
		   "refuse huge length (no overflow)");
	unit_check(packet_add(&pool, 0, buf + sizeof(buf)),
		   "empty packet at buffer end");
	unit_check(packet_add(&pool, 10, buf + 10), "second packet");
	unit_check(packet_add(&pool, 10, buf + 20), "fourth slot");
	unit_check(pool_full(&pool), "pool full after 4");
	unit_check(!packet_add(&pool, 10, buf + 30), "refuse when full");
}

/**
 * test_get() - Ranges in and out of a packet
 */
static void test_get(void)
{
	size_t left = 0;
	char *p;

	pool_flush(&pool);
	memset(buf, 0xab, sizeof(buf));
	packet_add(&pool, 100, buf + 200);
	p = packet_get(&pool, 0, 0, 100, &left);
	unit_check(p == buf + 200 && left == 0, "whole packet");
	p = packet_get(&pool, 0, 40, 20, &left);
	unit_check(p == buf + 240 && left == 40, "middle range and left");
	unit_check(!packet_get(&pool, 0, 90, 11, NULL), "range past end");
	unit_check(!packet_get(&pool, 0, 101, 0, NULL), "offset past end");
	unit_check(!packet_get(&pool, 0, SIZE_MAX, 2, NULL),
		   "offset overflow refused");
	unit_check(!packet_get(&pool, 0, 2, SIZE_MAX, NULL),
		   "length overflow refused");
	unit_check(!packet_get(&pool, 1, 0, 1, NULL), "index past count");
	unit_check(!packet_get(&pool, SIZE_MAX, 0, 1, NULL), "huge index");
	unit_check(packet_bad_range_count() >= 6, "refusals counted");
	unit_check(packet_len(&pool, 0) == 100 && packet_len(&pool, 5) == 0,
		   "packet_len");
}

/**
 * main() - Run the packet pool tests
 *
 * Return: 0 if all passed
 */
int main(void)
{
	test_add();
	test_get();
	return unit_done();
}
