/* SPDX-License-Identifier: GPL-2.0-or-later */
/* packet.h - Bounds-checked descriptor pools over static frame buffers */

#ifndef PACKET_H
#define PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

/* Ranges a pool's tails may lie in: vhost-user's memory table has 8 regions */
#define POOL_RANGES_MAX		8
/* Pieces of a tail: 64 KiB in 4 KiB pages, plus unaligned ends */
#define PACKET_TAIL_PIECES	18
/* iovecs a whole packet may take: head, then the pieces of its tail */
#define PACKET_IOV_MAX		(1 + PACKET_TAIL_PIECES)

/**
 * struct pool_ranges - Memory, besides a pool's buffer, that tails may be in
 * @cnt:	Ranges in use, at most POOL_RANGES_MAX
 * @r:		Start and length of each range
 */
struct pool_ranges {
	size_t cnt;
	struct iovec r[POOL_RANGES_MAX];
};

/**
 * struct pool_tail - Bytes of a packet that follow its head, in pieces
 * @cnt:	Pieces in use, at most PACKET_TAIL_PIECES, 0 for no tail
 * @v:		Start and length of each piece, in order, none empty
 */
struct pool_tail {
	size_t cnt;
	struct iovec v[PACKET_TAIL_PIECES];
};

/**
 * struct pool - Descriptors of packets held in memory the pool doesn't own
 * @buf:	Buffer every packet's head must lie in
 * @buf_size:	Size of @buf, bytes
 * @size:	Number of descriptor slots in @pkt (and @tail)
 * @count:	Slots in use
 * @pkt:	Descriptors: start and length of each packet (its head)
 * @tail:	Per packet, bytes that follow its head elsewhere (no pieces
 *		if none), each piece inside one of @ranges; NULL: packets
 *		have no tails
 * @ranges:	Memory tails may lie in (pool_bind_ranges()), NULL if none
 */
struct pool {
	char *buf;
	size_t buf_size;
	size_t size;
	size_t count;
	struct iovec *pkt;
	struct pool_tail *tail;
	const struct pool_ranges *ranges;
};

/**
 * struct pool_one - A pool of one packet, with its own descriptors
 * @p:		Pool
 * @pkt:	Head descriptor
 * @tail:	Tail descriptor
 */
struct pool_one {
	struct pool p;
	struct iovec pkt;
	struct pool_tail tail;
};

/**
 * PACKET_POOL_DECL() - Declare a static pool with its own descriptor array
 * @name:	Pool name
 * @n:		Number of descriptor slots
 * @b:		Buffer (an array: its size is taken with sizeof)
 */
#define PACKET_POOL_DECL(name, n, b)					\
	static struct iovec name##_pkt[n];				\
	static struct pool name = {					\
		.buf = (char *)(b), .buf_size = sizeof(b),		\
		.size = (n), .count = 0, .pkt = name##_pkt,		\
	}

bool packet_add_do(struct pool *p, size_t len, const char *start,
		   const char *func, int line);
bool packet_add_tail_do(struct pool *p, size_t hlen, const char *head,
			const struct iovec *tail, size_t tcnt,
			const char *func, int line);
void *packet_get_do(const struct pool *p, size_t idx, size_t offset,
		    size_t len, size_t *left, const char *func, int line);
bool packet_sub_do(const struct pool *p, size_t idx, size_t offset,
		   size_t len, struct pool_one *one, const char *func,
		   int line);
size_t packet_iov(const struct pool *p, size_t idx, struct iovec *v);
size_t packet_data(const struct pool *p, size_t idx, size_t offset,
		   size_t len, struct iovec *v, size_t n);
size_t packet_len(const struct pool *p, size_t idx);
bool pool_full(const struct pool *p);
void pool_flush(struct pool *p);
void pool_bind_ranges(struct pool *p, const struct pool_ranges *r);
unsigned long long packet_bad_range_count(void);

#define packet_add(p, len, start)					\
	packet_add_do(p, len, start, __func__, __LINE__)
#define packet_add_tail(p, hlen, head, tail, tcnt)			\
	packet_add_tail_do(p, hlen, head, tail, tcnt, __func__, __LINE__)
#define packet_get(p, idx, offset, len, left)				\
	packet_get_do(p, idx, offset, len, left, __func__, __LINE__)
#define packet_sub(p, idx, offset, len, one)				\
	packet_sub_do(p, idx, offset, len, one, __func__, __LINE__)

#endif /* PACKET_H */
