// SPDX-License-Identifier: GPL-2.0-or-later
/* packet.c - Bounds-checked access to guest frames held in packet pools
 *
 * Theory of Operation
 *
 * Frames from the guest are read into large static buffers (tap.c) and never
 * copied: a pool is an array of descriptors (start, length) pointing into
 * such a buffer. Every read of guest bytes goes through packet_get(), which
 * proves that the range asked for lies within the packet, and the packet
 * within the buffer, without computing any sum that could overflow. A failed
 * check returns NULL: the caller drops the frame and goes on. Each refusal
 * is counted and logged (rate-limited, debug) with the caller's function and
 * line, so that a parser bug shows where it asked for the wrong bytes.
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
 * packet_in_buf() - Does a range lie within a pool's buffer?
 * @p:		Pool
 * @start:	Start of range
 * @len:	Length of range, bytes
 *
 * Return: true if [@start, @start + @len) is inside @p->buf
 */
static bool packet_in_buf(const struct pool *p, const char *start, size_t len)
{
	uintptr_t s = (uintptr_t)start, b = (uintptr_t)p->buf;

	if (!p->buf)
		return true;
	if (s < b || s - b > p->buf_size)
		return false;
	return len <= p->buf_size - (s - b);
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
	if (p->count >= p->size) {
		debug_ratelimit("add packet: pool full (%s:%i)", func, line);
		return false;
	}
	if (!start || !packet_in_buf(p, start, len)) {
		packet_bad_range++;
		debug_ratelimit("add packet: range out of buffer (%s:%i)",
				func, line);
		return false;
	}
	p->pkt[p->count].iov_base = (void *)start;
	p->pkt[p->count].iov_len = len;
	p->count++;
	return true;
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
 * Return: pointer to @len bytes at @offset, or NULL if not all there
 */
void *packet_get_do(const struct pool *p, size_t idx, size_t offset,
		    size_t len, size_t *left, const char *func, int line)
{
	const struct iovec *v;

	if (idx >= p->count) {
		packet_bad_range++;
		debug_ratelimit("packet %zu out of pool of %zu (%s:%i)",
				idx, p->count, func, line);
		return NULL;
	}
	v = &p->pkt[idx];
	if (offset > v->iov_len || len > v->iov_len - offset) {
		packet_bad_range++;
		debug_ratelimit("range %zu+%zu out of packet of %zu (%s:%i)",
				offset, len, v->iov_len, func, line);
		return NULL;
	}
	if (!packet_in_buf(p, v->iov_base, v->iov_len)) {
		packet_bad_range++;
		debug_ratelimit("packet out of buffer (%s:%i)", func, line);
		return NULL;
	}
	if (left)
		*left = v->iov_len - offset - len;
	return (char *)v->iov_base + offset;
}

/**
 * packet_len() - Length of one packet of a pool
 * @p:		Pool
 * @idx:	Index of the packet
 *
 * Return: length in bytes, 0 if @idx is out of the pool
 */
size_t packet_len(const struct pool *p, size_t idx)
{
	if (idx >= p->count)
		return 0;
	return p->pkt[idx].iov_len;
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

