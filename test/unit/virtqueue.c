/* UNIT_SRCS: virtqueue.c vu_mem.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/virtqueue.c - Split rings and memory table, hand-built rings */

#include <endian.h>
#include <stdint.h>
#include <string.h>

#include "unit.h"
#include "util.h"
#include "virtqueue.h"
#include "vu_mem.h"

#define GPA		0x100000ULL	/* Guest physical base of mem[] */
#define UVA		0x7f0000000000ULL	/* Front-end virtual base */
#define MEM_LEN		65536
#define DESC_OFF	0
#define AVAIL_OFF	8192
#define USED_OFF	12288
#define BUF_OFF		32768		/* Buffers from here */

static char mem[MEM_LEN] __attribute__((aligned(64)));
static struct vu_mem table;
static struct vq vq;

/**
 * ring_init() - Fresh memory table and ring of a given size
 * @num:	Queue size
 * @indirect:	Negotiate indirect descriptors
 * @event_idx:	Negotiate event-idx
 */
static void ring_init(uint16_t num, bool indirect, bool event_idx)
{
	memset(mem, 0, sizeof(mem));
	memset(&table, 0, sizeof(table));
	memset(&vq, 0, sizeof(vq));
	vu_mem_add(&table, GPA, UVA, MEM_LEN, mem);
	vq.indirect = indirect;
	vq.event_idx = event_idx;
	vq_setup(&vq, &table, num, UVA + DESC_OFF, UVA + AVAIL_OFF,
		 UVA + USED_OFF);
}

/**
 * desc_set() - Write a descriptor of a table in mem[]
 * @off:	Offset of the table in mem[]
 * @i:		Index
 * @gpa:	Buffer address
 * @len:	Buffer length
 * @flags:	VQ_DESC_F_*
 * @next:	Next index
 */
static void desc_set(size_t off, uint16_t i, uint64_t gpa, uint32_t len,
		     uint16_t flags, uint16_t next)
{
	struct vq_desc *d = (struct vq_desc *)(void *)(mem + off) + i;

	d->addr = (__force __le64)htole64(gpa);
	d->len = (__force __le32)htole32(len);
	d->flags = (__force __le16)htole16(flags);
	d->next = (__force __le16)htole16(next);
}

/**
 * avail_put() - Publish a head in the available ring
 * @head:	Head index
 */
static void avail_put(uint16_t head)
{
	struct vq_avail *a = (struct vq_avail *)(void *)(mem + AVAIL_OFF);
	uint16_t idx = le16toh((__force uint16_t)a->idx);

	a->ring[idx % vq.num] = (__force __le16)htole16(head);
	a->idx = (__force __le16)htole16((uint16_t)(idx + 1));
}

/**
 * avail_idx_set() - Set the driver's available index
 * @idx:	Index
 */
static void avail_idx_set(uint16_t idx)
{
	struct vq_avail *a = (struct vq_avail *)(void *)(mem + AVAIL_OFF);

	a->idx = (__force __le16)htole16(idx);
}

/**
 * used_get() - Read a used ring entry
 * @i:		Entry index (free-running)
 * @len:	Its length (output)
 *
 * Return: its head id
 */
static uint32_t used_get(uint16_t i, uint32_t *len)
{
	struct vq_used *u = (struct vq_used *)(void *)(mem + USED_OFF);

	*len = le32toh((__force uint32_t)u->ring[i % vq.num].len);
	return le32toh((__force uint32_t)u->ring[i % vq.num].id);
}

/**
 * used_idx() - Read the published used index
 *
 * Return: index
 */
static uint16_t used_idx(void)
{
	struct vq_used *u = (struct vq_used *)(void *)(mem + USED_OFF);

	return le16toh((__force uint16_t)u->idx);
}

/**
 * test_mem() - Memory table translation and bounds
 */
static void test_mem(void)
{
	static char other[4096];
	struct vu_mem m = { 0 };

	unit_check(vu_mem_add(&m, GPA, UVA, MEM_LEN, mem), "add region");
	unit_check(!vu_mem_add(&m, GPA + 4096, 0x1000, 4096, other),
		   "refuse region overlapping in guest physical space");
	unit_check(!vu_mem_add(&m, UINT64_MAX - 10, 0x1000, 4096, other),
		   "refuse region wrapping guest physical space");
	unit_check(!vu_mem_add(&m, 0, 0x1000, 0, other),
		   "refuse empty region");
	unit_check(vu_mem_add(&m, 0, 0x1000, sizeof(other), other),
		   "add second region");
	unit_check(vu_mem_gpa(&m, GPA, 1) == mem, "first byte");
	unit_check(vu_mem_gpa(&m, GPA + MEM_LEN - 1, 1) == mem + MEM_LEN - 1,
		   "last byte");
	unit_check(!vu_mem_gpa(&m, GPA + MEM_LEN - 1, 2),
		   "refuse range crossing region end");
	unit_check(!vu_mem_gpa(&m, GPA - 1, 2),
		   "refuse range starting before region");
	unit_check(!vu_mem_gpa(&m, GPA + 16, UINT64_MAX),
		   "refuse huge length (no overflow)");
	unit_check(!vu_mem_gpa(&m, UINT64_MAX, 2), "refuse wrapping address");
	unit_check(vu_mem_gpa(&m, 100, 10) == other + 100,
		   "second region by guest physical address");
	unit_check(vu_mem_uva(&m, UVA + 10, 10) == mem + 10,
		   "front-end virtual address");
	unit_check(!vu_mem_uva(&m, GPA, 10),
		   "guest physical address is not a virtual one");
	unit_check(!vu_mem_gpa(&m, sizeof(other) - 4, 8),
		   "refuse range from region into a hole");
}

/**
 * test_setup() - Ring set-up checks
 */
static void test_setup(void)
{
	ring_init(8, false, false);
	unit_check(vq.num == 8, "ring of 8 set up");
	unit_check(!vq_setup(&vq, &table, 6, UVA, UVA + AVAIL_OFF,
			     UVA + USED_OFF), "refuse size not a power of two");
	unit_check(!vq_setup(&vq, &table, 0, UVA, UVA + AVAIL_OFF,
			     UVA + USED_OFF), "refuse size 0");
	unit_check(!vq_setup(&vq, &table, 8, UVA + 8, UVA + AVAIL_OFF,
			     UVA + USED_OFF), "refuse misaligned table");
	unit_check(!vq_setup(&vq, &table, 8, UVA, UVA + AVAIL_OFF,
			     UVA + MEM_LEN - 16), "refuse used ring past table");
	unit_check(!vq.num, "refused ring stays unusable");
	{
		struct vq_elem e;

		unit_check(vq_pop(&vq, &table, &e) == VQ_BROKEN,
			   "nothing popped from an unusable ring");
	}
}

/**
 * test_chains() - Direct chains, order of buffers, used ring
 */
static void test_chains(void)
{
	struct vq_elem e;
	uint32_t len;

	ring_init(8, false, false);
	unit_check(vq_pop(&vq, &table, &e) == VQ_EMPTY, "empty ring");
	desc_set(DESC_OFF, 3, GPA + BUF_OFF, 100, VQ_DESC_F_NEXT, 5);
	desc_set(DESC_OFF, 5, GPA + BUF_OFF + 100, 50, VQ_DESC_F_NEXT, 1);
	desc_set(DESC_OFF, 1, GPA + BUF_OFF + 200, 1000, VQ_DESC_F_WRITE, 0);
	avail_put(3);
	unit_check(vq_pending(&vq), "pending after publish");
	unit_check(vq_pop(&vq, &table, &e) == VQ_OK, "chain of three");
	unit_check(e.head == 3 && e.out_cnt == 2 && e.in_cnt == 1,
		   "two readable, one writable");
	unit_check(e.out_len == 150 && e.in_len == 1000, "chain lengths");
	unit_check(e.iov[0].iov_base == mem + BUF_OFF &&
		   e.iov[2].iov_base == mem + BUF_OFF + 200,
		   "buffers translated");
	unit_check(!vq_pending(&vq), "nothing pending after pop");
	vq_push(&vq, e.head, 42);
	unit_check(used_idx() == 0, "used index unpublished before flush");
	vq_flush(&vq);
	unit_check(used_idx() == 1 && used_get(0, &len) == 3 && len == 42,
		   "used entry published");
	avail_put(3);
	unit_check(vq_pop(&vq, &table, &e) == VQ_OK, "same chain again");
	vq_unpop(&vq, 1);
	unit_check(vq_pop(&vq, &table, &e) == VQ_OK && e.head == 3,
		   "unpopped chain taken again");
}

/**
 * test_wrap() - Free-running indices across the 16-bit wrap
 */
static void test_wrap(void)
{
	struct vq_elem e;
	unsigned i, ok = 1;
	uint32_t len;

	ring_init(4, false, false);
	vq.last_avail = vq.used_idx = 65530;
	avail_idx_set(65530);
	desc_set(DESC_OFF, 0, GPA + BUF_OFF, 64, 0, 0);
	for (i = 0; i < 12; i++) {
		avail_put(0);
		if (vq_pop(&vq, &table, &e) != VQ_OK || e.out_len != 64)
			ok = 0;
		vq_push(&vq, e.head, i);
	}
	vq_flush(&vq);
	unit_check(ok, "12 chains across the index wrap");
	unit_check(vq.last_avail == 6 && used_idx() == 6,
		   "indices wrapped to 6");
	unit_check(used_get(5, &len) == 0 && len == 11,
		   "last used entry in its slot");
	avail_idx_set(6 + 4);
	unit_check(vq_pop(&vq, &table, &e) == VQ_OK,
		   "a full ring (4 ahead) is fine");
}

/**
 * test_indirect() - Indirect tables: good and refused
 */
static void test_indirect(void)
{
	size_t itab = BUF_OFF + 4096;
	struct vq_elem e;

	ring_init(8, true, false);
	desc_set(itab, 0, GPA + BUF_OFF, 10, VQ_DESC_F_NEXT, 2);
	desc_set(itab, 2, GPA + BUF_OFF + 10, 20, VQ_DESC_F_NEXT, 1);
	desc_set(itab, 1, GPA + BUF_OFF + 100, 300, VQ_DESC_F_WRITE, 0);
	desc_set(DESC_OFF, 4, GPA + itab, 3 * 16, VQ_DESC_F_INDIRECT, 0);
	avail_put(4);
	unit_check(vq_pop(&vq, &table, &e) == VQ_OK && e.head == 4,
		   "indirect table of three");
	unit_check(e.out_cnt == 2 && e.in_cnt == 1 && e.out_len == 30 &&
		   e.in_len == 300, "indirect buffers");

	desc_set(DESC_OFF, 4, GPA + itab, 3 * 16 - 1, VQ_DESC_F_INDIRECT, 0);
	avail_put(4);
	unit_check(vq_pop(&vq, &table, &e) == VQ_BAD && vq.drops.len == 1,
		   "indirect table length not a multiple of 16");
	desc_set(DESC_OFF, 4, GPA + itab, 9 * 16, VQ_DESC_F_INDIRECT, 0);
	avail_put(4);
	unit_check(vq_pop(&vq, &table, &e) == VQ_BAD && vq.drops.len == 2,
		   "indirect table longer than the queue");
	desc_set(DESC_OFF, 4, GPA + MEM_LEN - 16, 32, VQ_DESC_F_INDIRECT, 0);
	avail_put(4);
	unit_check(vq_pop(&vq, &table, &e) == VQ_BAD && vq.drops.table == 1,
		   "indirect table outside memory");
	desc_set(DESC_OFF, 4, GPA + itab, 48,
		 VQ_DESC_F_INDIRECT | VQ_DESC_F_NEXT, 5);
	avail_put(4);
	unit_check(vq_pop(&vq, &table, &e) == VQ_BAD && vq.drops.indirect == 1,
		   "indirect with next");
	desc_set(itab, 2, GPA + itab, 48, VQ_DESC_F_INDIRECT, 0);
	desc_set(DESC_OFF, 4, GPA + itab, 48, VQ_DESC_F_INDIRECT, 0);
	avail_put(4);
	unit_check(vq_pop(&vq, &table, &e) == VQ_BAD && vq.drops.indirect == 2,
		   "nested indirect");
	desc_set(DESC_OFF, 0, GPA + BUF_OFF, 10, VQ_DESC_F_NEXT, 4);
	avail_put(0);
	unit_check(vq_pop(&vq, &table, &e) == VQ_BAD && vq.drops.indirect == 3,
		   "indirect not at the head");
	vq.indirect = false;
	desc_set(itab, 2, GPA + BUF_OFF + 10, 20, VQ_DESC_F_NEXT, 1);
	avail_put(4);
	unit_check(vq_pop(&vq, &table, &e) == VQ_BAD && vq.drops.indirect == 4,
		   "indirect not negotiated");
	desc_set(itab, 2, GPA + BUF_OFF + 10, 20, VQ_DESC_F_NEXT, 0);
	vq.indirect = true;
	avail_put(4);
	unit_check(vq_pop(&vq, &table, &e) == VQ_BAD && vq.drops.loop == 1,
		   "loop inside an indirect table");
	desc_set(itab, 2, GPA + BUF_OFF + 10, 20, VQ_DESC_F_NEXT, 3);
	avail_put(4);
	unit_check(vq_pop(&vq, &table, &e) == VQ_BAD && vq.drops.next == 1,
		   "next beyond the indirect table");
}

/**
 * bad_one() - Publish head 0 and expect a refusal, given back with length 0
 * @counter:	Counter expected to move by one
 * @desc:	Description
 */
static void bad_one(const unsigned long long *counter, const char *desc)
{
	unsigned long long before = *counter;
	uint16_t used_before = vq.used_idx;
	struct vq_elem e;
	uint32_t len;

	avail_put(0);
	unit_check(vq_pop(&vq, &table, &e) == VQ_BAD && *counter == before + 1,
		   desc);
	vq_flush(&vq);
	unit_check(vq.used_idx == used_before + 1 &&
		   used_get(used_before, &len) == 0 && len == 0,
		   "...given back with length 0");
}

/**
 * test_bad() - Each kind of bad direct chain
 */
static void test_bad(void)
{
	struct vq_elem e;
	uint16_t i;

	ring_init(128, false, false);
	desc_set(DESC_OFF, 0, GPA + BUF_OFF, 10, VQ_DESC_F_NEXT, 1);
	desc_set(DESC_OFF, 1, GPA + BUF_OFF + 10, 10, VQ_DESC_F_NEXT, 0);
	bad_one(&vq.drops.loop, "two-descriptor loop");
	desc_set(DESC_OFF, 0, GPA + BUF_OFF, 10, VQ_DESC_F_NEXT, 0);
	bad_one(&vq.drops.loop, "descriptor pointing at itself");
	desc_set(DESC_OFF, 0, GPA + MEM_LEN - 5, 10, 0, 0);
	bad_one(&vq.drops.table, "buffer crossing the end of memory");
	desc_set(DESC_OFF, 0, 0x10, 10, 0, 0);
	bad_one(&vq.drops.table, "buffer outside memory");
	desc_set(DESC_OFF, 0, GPA + BUF_OFF, 0, 0, 0);
	bad_one(&vq.drops.len, "zero-length buffer");
	desc_set(DESC_OFF, 0, GPA + BUF_OFF, 100,
		 VQ_DESC_F_WRITE | VQ_DESC_F_NEXT, 1);
	desc_set(DESC_OFF, 1, GPA + BUF_OFF + 50, 100, VQ_DESC_F_WRITE, 0);
	bad_one(&vq.drops.overlap, "overlapping writable buffers");
	desc_set(DESC_OFF, 0, GPA + USED_OFF, 16, VQ_DESC_F_WRITE, 0);
	bad_one(&vq.drops.overlap, "writable buffer over the used ring");
	desc_set(DESC_OFF, 0, GPA + DESC_OFF + 16, 16, VQ_DESC_F_WRITE, 0);
	bad_one(&vq.drops.overlap, "writable buffer over the descriptors");
	desc_set(DESC_OFF, 0, GPA + BUF_OFF, 100,
		 VQ_DESC_F_WRITE | VQ_DESC_F_NEXT, 1);
	desc_set(DESC_OFF, 1, GPA + BUF_OFF + 200, 100, 0, 0);
	bad_one(&vq.drops.order, "readable after writable");
	desc_set(DESC_OFF, 0, GPA + BUF_OFF, 100, VQ_DESC_F_NEXT, 128);
	bad_one(&vq.drops.next, "next beyond the table");
	for (i = 0; i < 70; i++)
		desc_set(DESC_OFF, i, GPA + BUF_OFF + i, 1, VQ_DESC_F_NEXT,
			 i + 1);
	bad_one(&vq.drops.chain_long, "chain longer than VQ_CHAIN_MAX");
	desc_set(DESC_OFF, VQ_CHAIN_MAX - 1, GPA + BUF_OFF, 1, 0, 0);
	avail_put(0);
	unit_check(vq_pop(&vq, &table, &e) == VQ_OK &&
		   e.out_cnt == VQ_CHAIN_MAX, "chain of exactly VQ_CHAIN_MAX");

	avail_put(200);
	unit_check(vq_pop(&vq, &table, &e) == VQ_BAD && vq.drops.head == 1,
		   "head beyond the table");
	avail_idx_set((uint16_t)(vq.last_avail + 129));
	unit_check(vq_pop(&vq, &table, &e) == VQ_BROKEN && vq.drops.idx == 1,
		   "available index beyond the ring");
	avail_idx_set((uint16_t)(vq.last_avail + 1));
	unit_check(vq_pop(&vq, &table, &e) == VQ_BROKEN,
		   "broken ring stays stopped");
}

/**
 * test_notify() - Notification suppression, with and without event-idx
 */
static void test_notify(void)
{
	struct vq_avail *a = (struct vq_avail *)(void *)(mem + AVAIL_OFF);
	struct vq_used *u = (struct vq_used *)(void *)(mem + USED_OFF);
	__le16 *avail_event = (__le16 *)(void *)&u->ring[8];

	ring_init(8, false, false);
	vq_push(&vq, 0, 0);
	vq_flush(&vq);
	unit_check(vq_notify_needed(&vq), "notify by default");
	a->flags = (__force __le16)htole16(VQ_AVAIL_F_NO_INTERRUPT);
	unit_check(!vq_notify_needed(&vq), "driver's NO_INTERRUPT honoured");

	ring_init(8, false, true);
	vq_push(&vq, 0, 0);
	vq_flush(&vq);
	unit_check(vq_notify_needed(&vq), "event-idx: first always");
	a->ring[8] = (__force __le16)htole16(3);	/* used_event */
	vq_push(&vq, 0, 0);
	vq_flush(&vq);
	unit_check(!vq_notify_needed(&vq), "event-idx: 2 not past 3");
	vq_push(&vq, 0, 0);
	vq_push(&vq, 0, 0);
	vq_flush(&vq);
	unit_check(vq_notify_needed(&vq), "event-idx: 4 passed 3");
	vq.last_avail = 77;
	vq_kick_rearm(&vq);
	unit_check(le16toh((__force uint16_t)*avail_event) == 77,
		   "avail_event asks for a kick at our next entry");
}

/**
 * test_avail_count() - Chains waiting, and kicks asked for further ahead
 */
static void test_avail_count(void)
{
	struct vq_used *u = (struct vq_used *)(void *)(mem + USED_OFF);
	__le16 *avail_event = (__le16 *)(void *)&u->ring[8];

	ring_init(8, false, true);
	unit_check(vq_avail_count(&vq) == 0, "count: empty ring");
	vq.last_avail = 65534;
	avail_idx_set(1);		/* 65534 + 3 */
	unit_check(vq_avail_count(&vq) == 3, "count: 3 across the wrap");
	vq_kick_at(&vq, 4);
	unit_check(le16toh((__force uint16_t)*avail_event) == 5,
		   "kick asked at the 5th entry past those available");
	avail_idx_set(7);		/* 65534 + 9 */
	unit_check(vq_avail_count(&vq) == 0, "count: beyond the ring is 0");
	ring_init(8, false, false);
	vq_kick_at(&vq, 2);
	unit_check(!*avail_event, "no avail_event without event-idx");
}

/**
 * main() - Run the tests
 *
 * Return: 0 if all passed
 */
int main(void)
{
	test_mem();
	test_setup();
	test_chains();
	test_wrap();
	test_indirect();
	test_bad();
	test_notify();
	test_avail_count();
	return unit_done();
}
