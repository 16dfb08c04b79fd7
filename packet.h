/* SPDX-License-Identifier: GPL-2.0-or-later */
/* packet.h - Bounds-checked descriptor pools over static frame buffers */

#ifndef PACKET_H
#define PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

/**
 * struct pool - Descriptors of packets held in a buffer the pool doesn't own
 * @buf:	Buffer every packet must lie in
 * @buf_size:	Size of @buf, bytes
 * @size:	Number of descriptor slots in @pkt
 * @count:	Slots in use
 * @pkt:	Descriptors: start and length of each packet
 */
struct pool {
	char *buf;
	size_t buf_size;
	size_t size;
	size_t count;
	struct iovec *pkt;
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
void *packet_get_do(const struct pool *p, size_t idx, size_t offset,
		    size_t len, size_t *left, const char *func, int line);
size_t packet_len(const struct pool *p, size_t idx);
bool pool_full(const struct pool *p);
void pool_flush(struct pool *p);
unsigned long long packet_bad_range_count(void);

#define packet_add(p, len, start)					\
	packet_add_do(p, len, start, __func__, __LINE__)
#define packet_get(p, idx, offset, len, left)				\
	packet_get_do(p, idx, offset, len, left, __func__, __LINE__)

#endif /* PACKET_H */
