/* SPDX-License-Identifier: GPL-2.0-or-later */
/* vu_mem.h - vhost-user memory table: guest addresses to local pointers */

#ifndef VU_MEM_H
#define VU_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Regions in one SET_MEM_TABLE message, as the protocol limits them */
#define VU_MEM_REGIONS_MAX	8

/**
 * struct vu_mem_region - One region of guest memory, mapped here
 * @gpa:	Guest physical address of its first byte
 * @uva:	Front-end (qemu) virtual address of its first byte
 * @size:	Length, bytes
 * @host:	Local address of its first byte
 * @map_base:	Start of the local mapping (before the mmap offset), or NULL
 * @map_len:	Length of the local mapping, bytes
 */
struct vu_mem_region {
	uint64_t gpa;
	uint64_t uva;
	uint64_t size;
	char *host;
	void *map_base;
	size_t map_len;
};

/**
 * struct vu_mem - Memory table of the connected front-end
 * @count:	Regions in use
 * @r:		Regions
 */
struct vu_mem {
	size_t count;
	struct vu_mem_region r[VU_MEM_REGIONS_MAX];
};

bool vu_mem_add(struct vu_mem *m, uint64_t gpa, uint64_t uva, uint64_t size,
		char *host);
void *vu_mem_gpa(const struct vu_mem *m, uint64_t gpa, uint64_t len);
void *vu_mem_uva(const struct vu_mem *m, uint64_t uva, uint64_t len);

#endif /* VU_MEM_H */
