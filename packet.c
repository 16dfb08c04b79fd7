// SPDX-License-Identifier: GPL-2.0-or-later
/* packet.c - Bounds-checked access to guest frames held in packet pools
 *
 * Theory of Operation
 *
 * Frames from the guest are read into large static buffers (tap.c) and never
 * copied again: a pool is an array of descriptors (start, length) pointing
 * into such a buffer. Every read of guest bytes goes through packet_get(),
 * which proves that the range asked for lies within the packet, and the
 * packet within the memory it must be in, without computing any sum that
 * could overflow. A failed check returns NULL: the caller drops the frame
 * and goes on. Each refusal is counted and logged (rate-limited, debug)
 * with the caller's function and line, so that a parser bug shows where it
 * asked for the wrong bytes.
 *
 * A packet may have two parts: a head in the pool's buffer and a tail
 * elsewhere, inside one of the ranges the pool is bound to
 * (pool_bind_ranges()). vhost-user uses this for frames from the guest
 * (tap_vu_tx.c): their headers are copied into the buffer, their payload
 * stays in guest memory, whose mapped regions are the ranges. Offsets run
 * over the head, then the tail, as if they were one; a range asked for
 * must lie wholly in one of them (a range across the seam is refused), so
 * that callers still get one contiguous pointer. packet_sub() cuts a
 * range of a packet into a one-packet pool, keeping the seam, for the next
 * layer's parser. Pools that aren't bound (tail NULL) hold one-part
 * packets only, as before.
 */

#include <stdint.h>

#include "log.h"
#include "packet.h"

/* Refused accesses since start: read by passt_stats_print() */
static unsigned long long packet_bad_range;

/**
 * packet_bad_range_count() - Accesses refused since start
 *
 * Return: count
 */
unsigned long long packet_bad_range_count(void)
{
	return packet_bad_range;
}

/**
 * packet_in_range() - Does a range lie within another one?
 * @base:	Start of the outer range
 * @size:	Length of the outer range, bytes
 * @start:	Start of the range
 * @len:	Length of the range, bytes
 *
 * Return: true if [@start, @start + @len) is inside [@base, @base + @size)
 */
static bool packet_in_range(const char *base, size_t size, const char *start,
			    size_t len)
{
	uintptr_t s = (uintptr_t)start, b = (uintptr_t)base;

	if (s < b || s - b > size)
		return false;
	return len <= size - (s - b);
}

/**
 * packet_in_buf() - Does a range lie within a pool's buffer?
 * @p:		Pool
 * @start:	Start of range
 * @len:	Length of range, bytes
 *
 * Return: true if [@start, @start + @len) is inside @p->buf
 */
static bool packet_in_buf(const struct pool *p, const char *start, size_t len)
{
	if (!p->buf)
		return true;
	return packet_in_range(p->buf, p->buf_size, start, len);
}

/**
 * packet_in_ranges() - Does a range lie within one of a pool's ranges?
 * @p:		Pool
 * @start:	Start of range
 * @len:	Length of range, bytes
 *
 * Return: true if [@start, @start + @len) is inside one range of @p->ranges
 */
static bool packet_in_ranges(const struct pool *p, const char *start,
			     size_t len)
{
	const struct pool_ranges *r = p->ranges;
	size_t i;

	if (!r || !start)
		return false;
	for (i = 0; i < r->cnt && i < POOL_RANGES_MAX; i++) {
		if (packet_in_range(r->r[i].iov_base, r->r[i].iov_len,
				    start, len))
			return true;
	}
	return false;
}

/**
 * packet_tail_len() - Length of a packet's tail, unchecked
 * @p:		Pool
 * @idx:	Index of the packet, below @p->count
 *
 * Return: bytes, 0 if the pool holds no tails
 */
static size_t packet_tail_len(const struct pool *p, size_t idx)
{
	return p->tail ? p->tail[idx].iov_len : 0;
}

/**
 * packet_ok() - Are a packet's parts where they must be?
 * @p:		Pool
 * @idx:	Index of the packet, below @p->count
 *
 * Return: true if the head is in the buffer, the tail (if any) in a range,
 *	   and their total length fits a size_t
 */
static bool packet_ok(const struct pool *p, size_t idx)
{
	const struct iovec *h = &p->pkt[idx];
	size_t tlen = packet_tail_len(p, idx);

	if (!packet_in_buf(p, h->iov_base, h->iov_len))
		return false;
	if (!tlen)
		return true;
	if (tlen > SIZE_MAX - h->iov_len)
		return false;
	return packet_in_ranges(p, p->tail[idx].iov_base, tlen);
}

/**
 * packet_add_tail_do() - Append a packet of two parts to a pool
 * @p:		Pool, bound to ranges (pool_bind_ranges()) if @tlen is not 0
 * @hlen:	Length of the head, bytes
 * @head:	Start of the head, in the pool's buffer
 * @tlen:	Length of the tail, bytes, 0 for none
 * @tail:	Start of the tail, in one of the pool's ranges
 * @func:	Caller's function, for the log
 * @line:	Caller's line, for the log
 *
 * Return: true if added, false if the pool is full or a part is misplaced
 */
bool packet_add_tail_do(struct pool *p, size_t hlen, const char *head,
			size_t tlen, const char *tail, const char *func,
			int line)
{
	size_t n = p->count;

	if (n >= p->size) {
		debug_ratelimit("add packet: pool full (%s:%i)", func, line);
		return false;
	}
	if (!head || !packet_in_buf(p, head, hlen) ||
	    (tlen && (!p->tail || tlen > SIZE_MAX - hlen ||
		      !packet_in_ranges(p, tail, tlen)))) {
		packet_bad_range++;
		debug_ratelimit("add packet: range out of buffer (%s:%i)",
				func, line);
		return false;
	}
	p->pkt[n].iov_base = (void *)head;
	p->pkt[n].iov_len = hlen;
	if (p->tail) {
		p->tail[n].iov_base = tlen ? (void *)tail : NULL;
		p->tail[n].iov_len = tlen;
	}
	p->count++;
	return true;
}

/**
 * packet_add_do() - Append a packet descriptor to a pool
 * @p:		Pool
 * @len:	Length of the packet, bytes
 * @start:	Start of the packet
 * @func:	Caller's function, for the log
 * @line:	Caller's line, for the log
 *
 * Return: true if added, false if the pool is full or the range is invalid
 */
bool packet_add_do(struct pool *p, size_t len, const char *start,
		   const char *func, int line)
{
	return packet_add_tail_do(p, len, start, 0, NULL, func, line);
}

/**
 * packet_get_do() - Get a checked pointer into one packet of a pool
 * @p:		Pool
 * @idx:	Index of the packet in the pool
 * @offset:	Offset of the range in the packet, bytes
 * @len:	Length of the range, bytes
 * @left:	Bytes left in the packet after the range (output), may be NULL
 * @func:	Caller's function, for the log
 * @line:	Caller's line, for the log
 *
 * Return: pointer to @len bytes at @offset, or NULL if not all there, or
 *	   not all in one part (head or tail) of the packet
 */
void *packet_get_do(const struct pool *p, size_t idx, size_t offset,
		    size_t len, size_t *left, const char *func, int line)
{
	size_t hlen, total;
	char *r;

	if (idx >= p->count) {
		packet_bad_range++;
		debug_ratelimit("packet %zu out of pool of %zu (%s:%i)",
				idx, p->count, func, line);
		return NULL;
	}
	if (!packet_ok(p, idx)) {
		packet_bad_range++;
		debug_ratelimit("packet out of buffer (%s:%i)", func, line);
		return NULL;
	}
	hlen = p->pkt[idx].iov_len;
	total = hlen + packet_tail_len(p, idx);
	if (offset > total || len > total - offset) {
		packet_bad_range++;
		debug_ratelimit("range %zu+%zu out of packet of %zu (%s:%i)",
				offset, len, total, func, line);
		return NULL;
	}
	if (offset <= hlen && len <= hlen - offset) {
		r = (char *)p->pkt[idx].iov_base + offset;
	} else if (offset >= hlen) {
		r = (char *)p->tail[idx].iov_base + (offset - hlen);
	} else {
		packet_bad_range++;
		debug_ratelimit("range %zu+%zu across head of %zu (%s:%i)",
				offset, len, hlen, func, line);
		return NULL;
	}
	if (left)
		*left = total - offset - len;
	return r;
}

/**
 * packet_sub_do() - Make a one-packet pool of a range of a packet
 * @p:		Pool
 * @idx:	Index of the packet in @p
 * @offset:	Offset of the range in the packet, bytes
 * @len:	Length of the range, bytes
 * @one:	One-packet pool (output): bound like @p, its packet the range,
 *		split where the packet's head ends
 * @func:	Caller's function, for the log
 * @line:	Caller's line, for the log
 *
 * Return: true if the range is within the packet; false leaves @one empty
 */
bool packet_sub_do(const struct pool *p, size_t idx, size_t offset,
		   size_t len, struct pool_one *one, const char *func,
		   int line)
{
	size_t hlen, tlen, total, hpart;
	const char *h, *t;

	one->p = (struct pool){ .buf = p->buf, .buf_size = p->buf_size,
				.size = 1, .pkt = &one->pkt,
				.tail = &one->tail, .ranges = p->ranges };
	if (!packet_get_do(p, idx, 0, 0, NULL, func, line))
		return false;
	hlen = p->pkt[idx].iov_len;
	tlen = packet_tail_len(p, idx);
	total = hlen + tlen;
	if (offset > total || len > total - offset) {
		packet_bad_range++;
		debug_ratelimit("range %zu+%zu out of packet of %zu (%s:%i)",
				offset, len, total, func, line);
		return false;
	}
	if (offset >= hlen && tlen) {
		h = (const char *)p->pkt[idx].iov_base + hlen;
		t = (const char *)p->tail[idx].iov_base + (offset - hlen);
		return packet_add_tail_do(&one->p, 0, h, len, t, func, line);
	}
	hpart = hlen - offset < len ? hlen - offset : len;
	h = (const char *)p->pkt[idx].iov_base + offset;
	t = tlen ? (const char *)p->tail[idx].iov_base : NULL;
	return packet_add_tail_do(&one->p, hpart, h, len - hpart, t,
				  func, line);
}

/**
 * packet_iov() - The parts of a packet, as iovecs
 * @p:		Pool
 * @idx:	Index of the packet
 * @v:		Two iovecs: head, then tail if not empty (output)
 *
 * Return: iovecs filled, 0 if @idx is out of the pool or misplaced
 */
size_t packet_iov(const struct pool *p, size_t idx, struct iovec *v)
{
	if (idx >= p->count || !packet_ok(p, idx))
		return 0;
	v[0] = p->pkt[idx];
	if (!packet_tail_len(p, idx))
		return 1;
	v[1] = p->tail[idx];
	return 2;
}

/**
 * packet_len() - Length of one packet of a pool, both parts
 * @p:		Pool
 * @idx:	Index of the packet
 *
 * Return: length in bytes, 0 if @idx is out of the pool or misplaced
 */
size_t packet_len(const struct pool *p, size_t idx)
{
	if (idx >= p->count || !packet_ok(p, idx))
		return 0;
	return p->pkt[idx].iov_len + packet_tail_len(p, idx);
}

/**
 * pool_full() - Is a pool out of descriptor slots?
 * @p:		Pool
 *
 * Return: true if full
 */
bool pool_full(const struct pool *p)
{
	return p->count >= p->size;
}

/**
 * pool_flush() - Forget every packet of a pool
 * @p:		Pool
 */
void pool_flush(struct pool *p)
{
	p->count = 0;
}

/**
 * pool_bind_ranges() - Let a pool's packets have tails in a set of ranges
 * @p:		Pool, with tail descriptors (@p->tail)
 * @r:		Ranges tails may lie in, NULL for none: kept by the caller,
 *		which must not unmap them while the pool holds packets
 */
void pool_bind_ranges(struct pool *p, const struct pool_ranges *r)
{
	p->ranges = r;
}
