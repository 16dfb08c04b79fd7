// SPDX-License-Identifier: GPL-2.0-or-later
/* vu_mem.c - vhost-user memory table: guest addresses to local pointers
 *
 * The front-end (qemu) describes guest memory as up to VU_MEM_REGIONS_MAX
 * regions, each with a guest physical address, the front-end's own virtual
 * address and a length; vhost_user.c maps each region from the file
 * descriptor that comes with it and records it here. Descriptors carry
 * guest physical addresses, ring set-up messages carry front-end virtual
 * ones: both are translated only by these functions, which return a local
 * pointer when the whole range lies inside one region, NULL otherwise. A
 * range that crosses from one region into the next is refused too: qemu
 * places RAM so that a driver's buffers never do.
 *
 * No system calls here: the unit tests and the fuzz target build tables
 * over their own buffers.
 */

#include <stddef.h>
#include <stdint.h>

#include "vu_mem.h"

/**
 * vu_mem_range_ok() - Does a range lie inside a region's address range?
 * @base:	First address of the region
 * @size:	Length of the region, bytes
 * @addr:	First address of the range
 * @len:	Length of the range, bytes
 *
 * Return: true if [@addr, @addr + @len) is inside [@base, @base + @size)
 */
static bool vu_mem_range_ok(uint64_t base, uint64_t size, uint64_t addr,
			    uint64_t len)
{
	if (addr < base || len > size)
		return false;
	return addr - base <= size - len;
}

/**
 * vu_mem_add() - Record a mapped region in the table
 * @m:		Memory table
 * @gpa:	Guest physical address of the region
 * @uva:	Front-end virtual address of the region
 * @size:	Length, bytes
 * @host:	Local address where the region is mapped
 *
 * Return: true if added; false if the table is full, the region is empty,
 *	   wraps around either address space, or overlaps a region already
 *	   present in guest physical addresses
 */
bool vu_mem_add(struct vu_mem *m, uint64_t gpa, uint64_t uva, uint64_t size,
		char *host)
{
	struct vu_mem_region *r;
	size_t i;

	if (m->count >= VU_MEM_REGIONS_MAX || !size || !host)
		return false;
	if (gpa > UINT64_MAX - size || uva > UINT64_MAX - size ||
	    (uintptr_t)host > UINTPTR_MAX - size)
		return false;
	for (i = 0; i < m->count; i++) {
		r = &m->r[i];
		if (gpa < r->gpa + r->size && r->gpa < gpa + size)
			return false;
	}
	r = &m->r[m->count++];
	r->gpa = gpa;
	r->uva = uva;
	r->size = size;
	r->host = host;
	r->map_base = NULL;
	r->map_len = 0;
	return true;
}

/**
 * vu_mem_gpa() - Translate a guest physical range to a local pointer
 * @m:		Memory table
 * @gpa:	Guest physical address
 * @len:	Length of the range, bytes
 *
 * Return: local pointer to @gpa, NULL if the range isn't inside one region
 */
void *vu_mem_gpa(const struct vu_mem *m, uint64_t gpa, uint64_t len)
{
	size_t i;

	for (i = 0; i < m->count; i++) {
		const struct vu_mem_region *r = &m->r[i];

		if (vu_mem_range_ok(r->gpa, r->size, gpa, len))
			return r->host + (gpa - r->gpa);
	}
	return NULL;
}

/**
 * vu_mem_uva() - Translate a front-end virtual range to a local pointer
 * @m:		Memory table
 * @uva:	Front-end virtual address
 * @len:	Length of the range, bytes
 *
 * Return: local pointer to @uva, NULL if the range isn't inside one region
 */
void *vu_mem_uva(const struct vu_mem *m, uint64_t uva, uint64_t len)
{
	size_t i;

	for (i = 0; i < m->count; i++) {
		const struct vu_mem_region *r = &m->r[i];

		if (vu_mem_range_ok(r->uva, r->size, uva, len))
			return r->host + (uva - r->uva);
	}
	return NULL;
}
