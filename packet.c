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
 * elsewhere, in up to PACKET_TAIL_PIECES pieces, each inside one of the
 * ranges the pool is bound to (pool_bind_ranges()). vhost-user uses this
 * for frames from the guest (tap_vu_tx.c): their headers are copied into
 * the buffer, their payload stays in guest memory, whose mapped regions are
 * the ranges; a guest using TSO posts a 64 KiB payload as one piece per
 * page. Offsets run over the head, then the pieces, as if they were one; a
 * range asked for with packet_get() must lie wholly in one part (a range
 * across a seam is refused), so that parsers still get one contiguous
 * pointer and never see a header split. Senders take a payload with
 * packet_data() instead, as one iovec per part it covers. packet_sub()
 * cuts a range of a packet into a one-packet pool, keeping the seams, for
 * the next layer's parser. Pools that aren't bound (tail NULL) hold
 * one-part packets only, as before.
 */

#include <stdint.h>

#include "log.h"
#include "packet.h"
#include "util.h"

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
 * @idx:	Index of the packet, below @p->count, proven by packet_ok()
 *
 * Return: bytes over all pieces, 0 if the pool holds no tails
 */
static size_t packet_tail_len(const struct pool *p, size_t idx)
{
	size_t len = 0, k;

	if (!p->tail)
		return 0;
	for (k = 0; k < p->tail[idx].cnt && k < PACKET_TAIL_PIECES; k++)
		len += p->tail[idx].v[k].iov_len;
	return len;
}

/**
 * packet_tail_ok() - Are pieces where a pool's tails must be?
 * @p:		Pool
 * @hlen:	Length of the head they follow, bytes
 * @v:		Pieces
 * @cnt:	Number of pieces
 *
 * Return: true if there are at most PACKET_TAIL_PIECES, none empty, each in
 *	   one of the pool's ranges, and their total with @hlen fits a size_t
 */
static bool packet_tail_ok(const struct pool *p, size_t hlen,
			   const struct iovec *v, size_t cnt)
{
	size_t total = hlen, k;

	if (!cnt)
		return true;
	if (!p->tail || !v || cnt > PACKET_TAIL_PIECES)
		return false;
	for (k = 0; k < cnt; k++) {
		if (!v[k].iov_len || v[k].iov_len > SIZE_MAX - total ||
		    !packet_in_ranges(p, v[k].iov_base, v[k].iov_len))
			return false;
		total += v[k].iov_len;
	}
	return true;
}

/**
 * packet_ok() - Are a packet's parts where they must be?
 * @p:		Pool
 * @idx:	Index of the packet, below @p->count
 *
 * Return: true if the head is in the buffer, each piece of the tail (if
 *	   any) in a range, and their total length fits a size_t
 */
static bool packet_ok(const struct pool *p, size_t idx)
{
	const struct iovec *h = &p->pkt[idx];

	if (!packet_in_buf(p, h->iov_base, h->iov_len))
		return false;
	if (!p->tail)
		return true;
	return packet_tail_ok(p, h->iov_len, p->tail[idx].v,
			      p->tail[idx].cnt);
}

/**
 * packet_add_tail_do() - Append a packet of a head and a tail in pieces
 * @p:		Pool, bound to ranges (pool_bind_ranges()) if @tcnt is not 0
 * @hlen:	Length of the head, bytes
 * @head:	Start of the head, in the pool's buffer
 * @tail:	Pieces of the tail, in order, each in one of the pool's ranges
 * @tcnt:	Number of pieces, at most PACKET_TAIL_PIECES, 0 for no tail
 * @func:	Caller's function, for the log
 * @line:	Caller's line, for the log
 *
 * Return: true if added, false if the pool is full or a part is misplaced
 */
bool packet_add_tail_do(struct pool *p, size_t hlen, const char *head,
			const struct iovec *tail, size_t tcnt,
			const char *func, int line)
{
	size_t n = p->count, k;

	if (n >= p->size) {
		debug_ratelimit("add packet: pool full (%s:%i)", func, line);
		return false;
	}
	if (!head || !packet_in_buf(p, head, hlen) ||
	    !packet_tail_ok(p, hlen, tail, tcnt)) {
		packet_bad_range++;
		debug_ratelimit("add packet: range out of buffer (%s:%i)",
				func, line);
		return false;
	}
	p->pkt[n].iov_base = (void *)head;
	p->pkt[n].iov_len = hlen;
	if (p->tail) {
		p->tail[n].cnt = tcnt;
		for (k = 0; k < tcnt; k++)
			p->tail[n].v[k] = tail[k];
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
	return packet_add_tail_do(p, len, start, NULL, 0, func, line);
}

/**
 * packet_check() - Is a range within a packet whose parts are in place?
 * @p:		Pool
 * @idx:	Index of the packet in the pool
 * @offset:	Offset of the range in the packet, bytes
 * @len:	Length of the range, bytes
 * @func:	Caller's function, for the log
 * @line:	Caller's line, for the log
 *
 * Return: total length of the packet, or SIZE_MAX if refused (counted)
 */
static size_t packet_check(const struct pool *p, size_t idx, size_t offset,
			   size_t len, const char *func, int line)
{
	size_t total;

	if (idx >= p->count) {
		packet_bad_range++;
		debug_ratelimit("packet %zu out of pool of %zu (%s:%i)",
				idx, p->count, func, line);
		return SIZE_MAX;
	}
	if (!packet_ok(p, idx)) {
		packet_bad_range++;
		debug_ratelimit("packet out of buffer (%s:%i)", func, line);
		return SIZE_MAX;
	}
	total = p->pkt[idx].iov_len + packet_tail_len(p, idx);
	if (offset > total || len > total - offset) {
		packet_bad_range++;
		debug_ratelimit("range %zu+%zu out of packet of %zu (%s:%i)",
				offset, len, total, func, line);
		return SIZE_MAX;
	}
	return total;
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
 *	   not all in one part (the head, or one piece of the tail)
 */
void *packet_get_do(const struct pool *p, size_t idx, size_t offset,
		    size_t len, size_t *left, const char *func, int line)
{
	size_t hlen, total, o, k, cnt;
	const struct iovec *v;
	char *r = NULL;

	total = packet_check(p, idx, offset, len, func, line);
	if (total == SIZE_MAX)
		return NULL;
	hlen = p->pkt[idx].iov_len;
	cnt = p->tail ? p->tail[idx].cnt : 0;
	if ((offset <= hlen && len <= hlen - offset) || !cnt) {
		r = (char *)p->pkt[idx].iov_base + offset;
	} else if (offset >= hlen) {
		v = p->tail[idx].v;
		for (o = offset - hlen, k = 0; k < cnt; o -= v[k++].iov_len) {
			if (o >= v[k].iov_len && k + 1 < cnt)
				continue;
			if (len <= v[k].iov_len - o)
				r = (char *)v[k].iov_base + o;
			break;
		}
	}
	if (!r) {
		packet_bad_range++;
		debug_ratelimit("range %zu+%zu across parts of %zu (%s:%i)",
				offset, len, total, func, line);
		return NULL;
	}
	if (left)
		*left = total - offset - len;
	return r;
}

/**
 * packet_cut() - Describe a range of a checked packet as iovecs
 * @p:		Pool
 * @idx:	Index of the packet, checked (packet_check())
 * @offset:	Offset of the range in the packet, bytes, within it
 * @len:	Length of the range, bytes, within the packet
 * @v:		Head part, then tail pieces (output), up to PACKET_IOV_MAX; the
 *		head part is there (maybe empty) if @offset is before its end
 * @n:		Room in @v
 *
 * Return: iovecs filled, SIZE_MAX if more than @n would be needed
 */
static size_t packet_cut(const struct pool *p, size_t idx, size_t offset,
			 size_t len, struct iovec *v, size_t n)
{
	size_t hlen = p->pkt[idx].iov_len, cnt = 0, o, k, part;
	const struct pool_tail *t = p->tail ? &p->tail[idx] : NULL;

	if (offset < hlen) {
		part = MIN(hlen - offset, len);
		if (!n)
			return SIZE_MAX;
		v[cnt].iov_base = (char *)p->pkt[idx].iov_base + offset;
		v[cnt++].iov_len = part;
		len -= part;
		o = 0;
	} else {
		o = offset - hlen;
	}
	for (k = 0; t && k < t->cnt && len; k++) {
		if (o >= t->v[k].iov_len) {
			o -= t->v[k].iov_len;
			continue;
		}
		if (cnt >= n)
			return SIZE_MAX;
		part = MIN(t->v[k].iov_len - o, len);
		v[cnt].iov_base = (char *)t->v[k].iov_base + o;
		v[cnt++].iov_len = part;
		len -= part;
		o = 0;
	}
	return cnt;
}

/**
 * packet_sub_do() - Make a one-packet pool of a range of a packet
 * @p:		Pool
 * @idx:	Index of the packet in @p
 * @offset:	Offset of the range in the packet, bytes
 * @len:	Length of the range, bytes
 * @one:	One-packet pool (output): bound like @p, its packet the range,
 *		split where the packet's head and the pieces of its tail end
 * @func:	Caller's function, for the log
 * @line:	Caller's line, for the log
 *
 * Return: true if the range is within the packet; false leaves @one empty
 */
bool packet_sub_do(const struct pool *p, size_t idx, size_t offset,
		   size_t len, struct pool_one *one, const char *func,
		   int line)
{
	struct iovec v[PACKET_IOV_MAX];
	size_t cnt, hlen;

	one->p = (struct pool){ .buf = p->buf, .buf_size = p->buf_size,
				.size = 1, .pkt = &one->pkt,
				.tail = &one->tail, .ranges = p->ranges };
	if (packet_check(p, idx, offset, len, func, line) == SIZE_MAX)
		return false;
	hlen = p->pkt[idx].iov_len;
	cnt = packet_cut(p, idx, offset, len, v, PACKET_IOV_MAX);
	if (cnt == SIZE_MAX)
		return false;	/* Never: a range has no more parts than all */
	if (offset < hlen)
		return packet_add_tail_do(&one->p, v[0].iov_len, v[0].iov_base,
					  v + 1, cnt - 1, func, line);
	return packet_add_tail_do(&one->p, 0,
				  (const char *)p->pkt[idx].iov_base + hlen,
				  v, cnt, func, line);
}

/**
 * packet_iov() - The parts of a packet, as iovecs
 * @p:		Pool
 * @idx:	Index of the packet
 * @v:		PACKET_IOV_MAX iovecs: head, then each piece of the tail
 *		(output)
 *
 * Return: iovecs filled, 0 if @idx is out of the pool or misplaced
 */
size_t packet_iov(const struct pool *p, size_t idx, struct iovec *v)
{
	size_t k;

	if (idx >= p->count || !packet_ok(p, idx))
		return 0;
	v[0] = p->pkt[idx];
	if (!p->tail)
		return 1;
	for (k = 0; k < p->tail[idx].cnt; k++)
		v[1 + k] = p->tail[idx].v[k];
	return 1 + k;
}

/**
 * packet_data() - A range of a packet as iovecs, for a sender
 * @p:		Pool
 * @idx:	Index of the packet
 * @offset:	Offset of the range in the packet, bytes
 * @len:	Length of the range, bytes, not 0
 * @v:		The range, one iovec per part of the packet it covers, none
 *		empty (output)
 * @n:		Room in @v: PACKET_IOV_MAX always suffices
 *
 * Return: iovecs filled, 0 if the range isn't all in the packet (counted)
 *	   or needs more than @n iovecs (not counted: the caller may retry
 *	   with more room)
 */
size_t packet_data(const struct pool *p, size_t idx, size_t offset,
		   size_t len, struct iovec *v, size_t n)
{
	size_t cnt;

	if (!len ||
	    packet_check(p, idx, offset, len, __func__, __LINE__) == SIZE_MAX)
		return 0;
	cnt = packet_cut(p, idx, offset, len, v, n);
	return cnt == SIZE_MAX ? 0 : cnt;
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
