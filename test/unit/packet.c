/* UNIT_SRCS: packet.c log.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/packet.c - Packet pool bounds, including hostile values */

#include <stdint.h>
#include <string.h>

#include "packet.h"
#include "util.h"
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

/* Two "guest regions" for pools with tails, and memory outside both */
static char region0[2048], region1[512], elsewhere[64];
static struct pool_ranges ranges = {
	.cnt = 2, .r = { { region0, sizeof(region0) },
			 { region1, sizeof(region1) } },
};
static struct iovec tpool_pkt[4];
static struct pool_tail tpool_tail[4];
static struct pool tpool = {
	.buf = buf, .buf_size = sizeof(buf), .size = 4,
	.pkt = tpool_pkt, .tail = tpool_tail,
};

/**
 * add1() - Append a packet whose tail, if any, is one piece
 * @p:		Pool
 * @hlen:	Length of the head, bytes
 * @head:	Start of the head
 * @tlen:	Length of the tail, bytes, 0 for none
 * @tail:	Start of the tail
 *
 * Return: true if added
 */
static bool add1(struct pool *p, size_t hlen, const char *head, size_t tlen,
		 const char *tail)
{
	struct iovec v = { (void *)tail, tlen };

	return packet_add_tail(p, hlen, head, &v, tlen ? 1 : 0);
}

/**
 * test_tail_add() - Tails inside, outside and across the bound ranges
 */
static void test_tail_add(void)
{
	unsigned long long bad = packet_bad_range_count();

	pool_bind_ranges(&tpool, NULL);
	pool_flush(&tpool);
	unit_check(!add1(&tpool, 54, buf, 100, region0),
		   "refuse a tail while not bound");
	unit_check(!add1(&pool, 54, buf, 100, region0),
		   "refuse a tail in a pool without tail slots");
	pool_bind_ranges(&tpool, &ranges);
	unit_check(add1(&tpool, 54, buf, 100, region0 + 10),
		   "tail inside the first range");
	unit_check(add1(&tpool, 54, buf + 64, sizeof(region1),
				   region1),
		   "tail filling the second range");
	unit_check(!add1(&tpool, 54, buf, 100, elsewhere),
		   "refuse tail outside every range");
	unit_check(!add1(&tpool, 54, buf, 2, region1 +
				    sizeof(region1) - 1),
		   "refuse tail crossing a range's end");
	unit_check(!add1(&tpool, 54, buf, SIZE_MAX, region0 + 1),
		   "refuse huge tail (no overflow)");
	unit_check(!add1(&tpool, 54, region0, 10, region0 + 100),
		   "refuse head outside the buffer");
	unit_check(!add1(&tpool, 2, buf + sizeof(buf) - 1, 10,
				    region0),
		   "refuse head crossing the buffer's end");
	unit_check(packet_bad_range_count() - bad == 7,
		   "each refused range counted once");
	unit_check(tpool.count == 2, "only the good ones added");
	unit_check(add1(&tpool, 60, buf, 0, NULL) &&
		   packet_len(&tpool, 2) == 60 && !tpool_tail[2].cnt,
		   "packet without tail in a bound pool");
	unit_check(packet_len(&tpool, 0) == 154 &&
		   packet_len(&tpool, 1) == 54 + sizeof(region1),
		   "packet_len counts head and tail");
}

/**
 * test_tail_get() - Ranges in the head, in the tail, across the seam
 */
static void test_tail_get(void)
{
	size_t left = 0;
	char *p;

	pool_bind_ranges(&tpool, &ranges);
	pool_flush(&tpool);
	add1(&tpool, 54, buf + 8, 100, region0 + 10);
	p = packet_get(&tpool, 0, 14, 20, &left);
	unit_check(p == buf + 22 && left == 120, "range in the head");
	p = packet_get(&tpool, 0, 54, 100, &left);
	unit_check(p == region0 + 10 && left == 0, "whole tail");
	p = packet_get(&tpool, 0, 60, 10, &left);
	unit_check(p == region0 + 16 && left == 84, "range inside the tail");
	unit_check(!packet_get(&tpool, 0, 50, 10, NULL),
		   "refuse range across head and tail");
	unit_check(packet_get(&tpool, 0, 54, 0, NULL) == buf + 62,
		   "empty range at the seam");
	unit_check(!packet_get(&tpool, 0, 150, 5, NULL),
		   "refuse range past the tail");
	unit_check(!packet_get(&tpool, 0, 155, 0, NULL),
		   "refuse offset past the tail");
	unit_check(!packet_get(&tpool, 0, 60, SIZE_MAX, NULL),
		   "length overflow refused");
	tpool_tail[0].v[0].iov_base = elsewhere;
	unit_check(!packet_get(&tpool, 0, 0, 1, NULL) &&
		   !packet_len(&tpool, 0),
		   "tampered tail outside the ranges: nothing read");
	tpool_tail[0].v[0].iov_base = region0 + 10;
	tpool_tail[0].v[0].iov_len = SIZE_MAX - 10;
	unit_check(!packet_get(&tpool, 0, 0, 1, NULL),
		   "tampered tail length: refused");
	tpool_tail[0].v[0].iov_len = 100;
	pool_bind_ranges(&tpool, NULL);
	unit_check(!packet_get(&tpool, 0, 54, 10, NULL),
		   "unbound pool: tail no longer readable");
}

/**
 * test_tail_iov() - A packet's parts as iovecs
 */
static void test_tail_iov(void)
{
	struct iovec v[PACKET_IOV_MAX];

	pool_bind_ranges(&tpool, &ranges);
	pool_flush(&tpool);
	add1(&tpool, 54, buf, 100, region0);
	packet_add(&tpool, 60, buf + 64);
	unit_check(packet_iov(&tpool, 0, v) == 2 && v[0].iov_base == buf &&
		   v[0].iov_len == 54 && v[1].iov_base == region0 &&
		   v[1].iov_len == 100, "two parts");
	unit_check(packet_iov(&tpool, 1, v) == 1 && v[0].iov_len == 60,
		   "one part");
	unit_check(!packet_iov(&tpool, 2, v), "index past count");
}

/**
 * test_sub() - One-packet pools cut from a packet, keeping the seam
 */
static void test_sub(void)
{
	struct pool_one one;
	size_t left;

	pool_bind_ranges(&tpool, &ranges);
	pool_flush(&tpool);
	add1(&tpool, 54, buf, 100, region0);
	unit_check(packet_sub(&tpool, 0, 34, 120, &one) &&
		   packet_len(&one.p, 0) == 120, "L4 message over the seam");
	unit_check(packet_get(&one.p, 0, 0, 20, NULL) == buf + 34 &&
		   packet_get(&one.p, 0, 20, 100, &left) == region0 &&
		   !left, "its header in the head, its payload in the tail");
	unit_check(!packet_get(&one.p, 0, 10, 20, NULL),
		   "its seam refused too");
	unit_check(packet_sub(&tpool, 0, 34, 70, &one) &&
		   packet_len(&one.p, 0) == 70 &&
		   packet_get(&one.p, 0, 20, 50, NULL) == region0,
		   "trimmed to a shorter length (padding dropped)");
	unit_check(packet_sub(&tpool, 0, 14, 20, &one) &&
		   !one.tail.cnt &&
		   packet_get(&one.p, 0, 0, 20, NULL) == buf + 14,
		   "range within the head: no tail");
	unit_check(packet_sub(&tpool, 0, 64, 90, &one) &&
		   !one.pkt.iov_len &&
		   packet_get(&one.p, 0, 0, 90, NULL) == region0 + 10,
		   "range within the tail: empty head");
	unit_check(packet_sub(&tpool, 0, 154, 0, &one) &&
		   packet_len(&one.p, 0) == 0, "empty range at the end");
	unit_check(!packet_sub(&tpool, 0, 34, 121, &one) && !one.p.count,
		   "refuse range past the end, nothing in the pool");
	unit_check(!packet_sub(&tpool, 1, 0, 1, &one) && !one.p.count,
		   "refuse index past count");
	packet_add(&pool, 40, buf + 1000);
	unit_check(packet_sub(&pool, pool.count - 1, 14, 26, &one) &&
		   packet_get(&one.p, 0, 0, 26, NULL) == buf + 1014,
		   "sub-packet of a pool without tails");
}

/**
 * test_pieces() - Tails in pieces: bounds, reads, seams, iovecs, cuts
 */
static void test_pieces(void)
{
	struct iovec t[PACKET_TAIL_PIECES + 1] = {
		{ region0, 100 }, { region1, 200 }, { region0 + 500, 50 },
	}, v[PACKET_IOV_MAX];
	unsigned long long bad;
	struct pool_one one;
	size_t left, k;

	pool_bind_ranges(&tpool, &ranges);
	pool_flush(&tpool);
	unit_check(packet_add_tail(&tpool, 54, buf, t, 3) &&
		   packet_len(&tpool, 0) == 404, "head and three pieces");
	unit_check(packet_get(&tpool, 0, 164, 20, &left) == region1 + 10 &&
		   left == 220, "range inside the second piece");
	unit_check(!packet_get(&tpool, 0, 144, 20, NULL),
		   "refuse range across two pieces");
	unit_check(!packet_get(&tpool, 0, 50, 120, NULL),
		   "refuse range across head and pieces");
	unit_check(packet_get(&tpool, 0, 154, 0, NULL) == region1,
		   "empty range at a seam: start of the next piece");
	unit_check(packet_get(&tpool, 0, 404, 0, NULL) == region0 + 550,
		   "empty range at the end");
	unit_check(!packet_get(&tpool, 0, 400, 5, NULL),
		   "refuse range past the last piece");

	unit_check(packet_data(&tpool, 0, 64, 340, v, ARRAY_SIZE(v)) == 3 &&
		   v[0].iov_base == region0 + 10 && v[0].iov_len == 90 &&
		   v[1].iov_base == region1 && v[1].iov_len == 200 &&
		   v[2].iov_base == region0 + 500 && v[2].iov_len == 50,
		   "payload as iovecs, first piece trimmed");
	unit_check(packet_data(&tpool, 0, 10, 100, v, ARRAY_SIZE(v)) == 2 &&
		   v[0].iov_base == buf + 10 && v[0].iov_len == 44 &&
		   v[1].iov_base == region0 && v[1].iov_len == 56,
		   "range over head and first piece, last one trimmed");
	unit_check(!packet_data(&tpool, 0, 64, 340, v, 2),
		   "refuse when the iovecs don't fit");
	bad = packet_bad_range_count();
	unit_check(!packet_data(&tpool, 0, 64, 341, v, ARRAY_SIZE(v)) &&
		   packet_bad_range_count() - bad == 1,
		   "refuse (and count) a payload past the end");
	unit_check(packet_iov(&tpool, 0, v) == 4 && v[0].iov_base == buf &&
		   v[3].iov_base == region0 + 500, "packet_iov: head, pieces");

	unit_check(packet_sub(&tpool, 0, 34, 370, &one) &&
		   one.pkt.iov_len == 20 && one.tail.cnt == 3 &&
		   packet_get(&one.p, 0, 120, 200, NULL) == region1 &&
		   !packet_get(&one.p, 0, 110, 20, NULL),
		   "L4 message keeps the pieces and their seams");
	unit_check(packet_sub(&tpool, 0, 204, 180, &one) &&
		   !one.pkt.iov_len && one.tail.cnt == 2 &&
		   packet_get(&one.p, 0, 0, 150, NULL) == region1 + 50 &&
		   packet_get(&one.p, 0, 150, 30, NULL) == region0 + 500,
		   "range within the pieces: trimmed at both ends");

	bad = packet_bad_range_count();
	pool_flush(&tpool);
	t[1].iov_base = elsewhere;
	unit_check(!packet_add_tail(&tpool, 54, buf, t, 3),
		   "refuse a piece outside every range");
	t[1].iov_base = region1;
	t[1].iov_len = 0;
	unit_check(!packet_add_tail(&tpool, 54, buf, t, 3),
		   "refuse an empty piece");
	for (k = 0; k < ARRAY_SIZE(t); k++) {
		t[k].iov_base = region0 + k * 100;
		t[k].iov_len = 100;
	}
	unit_check(!packet_add_tail(&tpool, 54, buf, t, ARRAY_SIZE(t)),
		   "refuse more than PACKET_TAIL_PIECES pieces");
	unit_check(packet_bad_range_count() - bad == 3,
		   "each refused tail counted");
	unit_check(packet_add_tail(&tpool, 54, buf, t, PACKET_TAIL_PIECES) &&
		   packet_len(&tpool, 0) == 54 + 100 * PACKET_TAIL_PIECES &&
		   packet_data(&tpool, 0, 54, 100 * PACKET_TAIL_PIECES, v,
			       ARRAY_SIZE(v)) == PACKET_TAIL_PIECES,
		   "PACKET_TAIL_PIECES pieces taken, given back whole");
	tpool_tail[0].v[5].iov_base = elsewhere;
	unit_check(!packet_get(&tpool, 0, 0, 1, NULL) &&
		   !packet_data(&tpool, 0, 54, 10, v, ARRAY_SIZE(v)),
		   "tampered piece outside the ranges: nothing read");
	tpool_tail[0].v[5].iov_base = region0 + 500;
	tpool_tail[0].cnt = PACKET_TAIL_PIECES + 1;
	unit_check(!packet_len(&tpool, 0), "tampered piece count: refused");
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
	test_tail_add();
	test_tail_get();
	test_pieces();
	test_tail_iov();
	test_sub();
	return unit_done();
}
