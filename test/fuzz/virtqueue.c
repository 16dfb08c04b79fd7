/* FUZZ_SRCS: virtqueue.c vu_mem.c packet.c log.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/virtqueue.c - Fuzz the split ring parser with arbitrary rings
 *
 * An input is a 4-byte set-up, then guest memory:
 *   byte 0	queue size, as 1 << (byte & 3): 1 to 8
 *   byte 1	bit 0: indirect descriptors negotiated, bit 1: event-idx
 *   bytes 2-3	our first available and used index, little-endian
 *   then	guest memory, exactly as long as the rest of the input,
 *		copied to a heap buffer of that size, so that any access
 *		past it is caught by AddressSanitizer; it is one region at
 *		guest physical FUZZ_GPA. The descriptor table is at offset 0,
 *		the available ring at 128, the used ring at 256 (so each
 *		fits for 8 entries): the driver's indices, flags, heads and
 *		descriptors (with addresses into or out of the region, and
 *		indirect tables) all come from the input.
 * Chains are taken until the ring is empty, broken or FUZZ_POPS: every byte
 * of every readable buffer is read, through a packet pool bound to the
 * memory table's regions as tap_vu_tx.c binds its input pool (the
 * readable buffers, up to PACKET_TAIL_PIECES at a time, as the pieces of a
 * packet's tail, which the pool must accept, give back as they are through
 * packet_data(), and whose seams it must refuse to read across), and every
 * writable one written, as
 * tap_vu.c does, and each chain is given back; then used entries are
 * published and the notification decision made. Indices, heads and lengths
 * that don't fit must be refused, not followed.
 *
 * Standalone (-DFUZZ_STANDALONE): ./virtqueue ITERATIONS [FILE...] mutates
 * a ring holding a chain of two buffers and an indirect table.
 */

#include <endian.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "packet.h"
#include "util.h"
#include "virtqueue.h"
#include "vu_mem.h"

#define FUZZ_GPA	0x10000ULL
#define FUZZ_UVA	0x7f0000000000ULL
#define FUZZ_HDR	4
#define FUZZ_DESC	0
#define FUZZ_AVAIL	128
#define FUZZ_USED	256
#define FUZZ_POPS	64

/* A pool of one packet: a head here, a tail in guest memory */
static char fuzz_head[64];
static struct iovec fuzz_pkt;
static struct pool_tail fuzz_tail;
static struct pool_ranges fuzz_ranges;
static struct pool fuzz_pool = {
	.buf = fuzz_head, .buf_size = sizeof(fuzz_head), .size = 1,
	.pkt = &fuzz_pkt, .tail = &fuzz_tail,
};

/**
 * fuzz_bind() - Bind the pool to a memory table's regions
 * @m:		Memory table
 */
static void fuzz_bind(const struct vu_mem *m)
{
	size_t i;

	fuzz_ranges.cnt = m->count;
	for (i = 0; i < m->count; i++) {
		fuzz_ranges.r[i].iov_base = m->r[i].host;
		fuzz_ranges.r[i].iov_len = m->r[i].size;
	}
	pool_bind_ranges(&fuzz_pool, &fuzz_ranges);
}

/**
 * fuzz_tail_read() - Read readable buffers as the pieces of a packet's tail
 * @b:		Buffers, as vq_pop() translated them
 * @n:		Number of buffers, at most PACKET_TAIL_PIECES
 *
 * Return: sum of their bytes
 */
static unsigned fuzz_tail_read(const struct iovec *b, size_t n)
{
	struct iovec t[PACKET_TAIL_PIECES], v[PACKET_IOV_MAX];
	size_t i, k, cnt = 0, len = 0;
	const volatile uint8_t *p;
	unsigned sum = 0;

	for (i = 0; i < n; i++) {
		if (b[i].iov_len) {	/* Empty buffers aren't pieces */
			t[cnt++] = b[i];
			len += b[i].iov_len;
		}
	}
	pool_flush(&fuzz_pool);
	if (!packet_add_tail(&fuzz_pool, sizeof(fuzz_head), fuzz_head, t, cnt))
		abort();	/* A translated buffer lies in a region */
	if (cnt && (packet_data(&fuzz_pool, 0, sizeof(fuzz_head), len, v,
				ARRAY_SIZE(v)) != cnt ||
		    packet_get(&fuzz_pool, 0, sizeof(fuzz_head) - 1, 2, NULL)))
		abort();
	if (cnt > 1 && packet_get(&fuzz_pool, 0,
				  sizeof(fuzz_head) + t[0].iov_len - 1, 2,
				  NULL))
		abort();	/* Across two pieces */
	for (k = 0; k < cnt; k++) {
		p = v[k].iov_base;
		if (v[k].iov_base != t[k].iov_base ||
		    v[k].iov_len != t[k].iov_len)
			abort();
		for (i = 0; i < v[k].iov_len; i++)
			sum += p[i];
	}
	return sum;
}

/**
 * fuzz_touch() - Read every readable byte of a chain, write every writable
 * @e:		Chain
 *
 * Return: sum of the bytes read
 */
static unsigned fuzz_touch(const struct vq_elem *e)
{
	unsigned sum = 0;
	size_t i;

	for (i = 0; i < e->out_cnt; i += PACKET_TAIL_PIECES)
		sum += fuzz_tail_read(&e->iov[i], MIN(e->out_cnt - i,
						      PACKET_TAIL_PIECES));
	for (i = e->out_cnt; i < e->out_cnt + e->in_cnt; i++)
		memset(e->iov[i].iov_base, 0xa5, e->iov[i].iov_len);
	return sum;
}

/**
 * fuzz_run() - Take every chain of a ring, then publish and notify
 * @vq:		Ring, set up
 * @m:		Memory table
 */
static void fuzz_run(struct vq *vq, const struct vu_mem *m)
{
	static struct vq_elem e;
	volatile unsigned sink = 0;
	int i;

	for (i = 0; i < FUZZ_POPS; i++) {
		enum vq_pop_result r = vq_pop(vq, m, &e);

		if (r == VQ_EMPTY || r == VQ_BROKEN)
			break;
		if (r != VQ_OK)
			continue;
		if (e.out_cnt + e.in_cnt > VQ_CHAIN_MAX || e.head >= vq->num)
			abort();
		sink += fuzz_touch(&e);
		vq_push(vq, e.head, (uint32_t)e.in_len);
	}
	vq_flush(vq);
	sink += vq_notify_needed(vq);
	vq_kick_rearm(vq);
	sink += vq_pending(vq);
	(void)sink;
}

/**
 * LLVMFuzzerTestOneInput() - Set up a ring over the input and drain it
 * @data:	Input: set-up bytes, then guest memory
 * @size:	Input length
 *
 * Return: 0
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vu_mem m = { 0 };
	struct vq vq = { 0 };
	size_t len;
	char *mem;

	if (size <= FUZZ_HDR)
		return 0;
	len = size - FUZZ_HDR;
	mem = malloc(len);
	if (!mem)
		return 0;
	memcpy(mem, data + FUZZ_HDR, len);
	vq.indirect = data[1] & 1;
	vq.event_idx = data[1] & 2;
	if (vu_mem_add(&m, FUZZ_GPA, FUZZ_UVA, len, mem) &&
	    vq_setup(&vq, &m, (uint16_t)(1U << (data[0] & 3)),
		     FUZZ_UVA + FUZZ_DESC, FUZZ_UVA + FUZZ_AVAIL,
		     FUZZ_UVA + FUZZ_USED)) {
		vq.last_avail = vq.used_idx = (uint16_t)(data[2] | data[3] << 8);
		fuzz_bind(&m);
		fuzz_run(&vq, &m);
	}
	free(mem);
	return 0;
}

#ifdef FUZZ_STANDALONE
/**
 * fuzz_desc() - Write a descriptor into the seed
 * @d:		Descriptor
 * @gpa:	Buffer address
 * @len:	Buffer length
 * @flags:	VQ_DESC_F_*
 * @next:	Next index
 */
static void fuzz_desc(uint8_t *d, uint64_t gpa, uint32_t len, uint16_t flags,
		      uint16_t next)
{
	uint64_t a = htole64(gpa);
	uint32_t l = htole32(len);
	uint16_t f = htole16(flags), n = htole16(next);

	memcpy(d, &a, 8);
	memcpy(d + 8, &l, 4);
	memcpy(d + 12, &f, 2);
	memcpy(d + 14, &n, 2);
}

/**
 * fuzz_seed() - A ring of 4: a two-buffer chain, then an indirect table
 * @b:		Buffer, 512 bytes (output)
 *
 * Return: length
 */
static size_t fuzz_seed(uint8_t *b)
{
	uint8_t *mem = b + FUZZ_HDR;

	memset(b, 0, 512);
	b[0] = 2;		/* 4 entries */
	b[1] = 3;		/* indirect, event-idx */
	fuzz_desc(mem + FUZZ_DESC, FUZZ_GPA + 320, 20, VQ_DESC_F_NEXT, 1);
	fuzz_desc(mem + FUZZ_DESC + 16, FUZZ_GPA + 340, 40, VQ_DESC_F_WRITE,
		  0);
	fuzz_desc(mem + FUZZ_DESC + 32, FUZZ_GPA + 400, 32,
		  VQ_DESC_F_INDIRECT, 0);
	fuzz_desc(mem + 400, FUZZ_GPA + 440, 10, VQ_DESC_F_NEXT, 1);
	fuzz_desc(mem + 416, FUZZ_GPA + 450, 30, VQ_DESC_F_WRITE, 0);
	mem[FUZZ_AVAIL + 2] = 2;	/* avail idx */
	mem[FUZZ_AVAIL + 4] = 0;	/* heads 0 and 2 */
	mem[FUZZ_AVAIL + 6] = 2;
	return 512;
}

/**
 * main() - Run files, then random mutations of the seed ring
 * @argc:	Argument count
 * @argv:	Iterations, then files
 *
 * Return: 0 on success
 */
int main(int argc, char **argv)
{
	return fuzz_main(argc, argv, fuzz_seed, NULL);
}
#endif /* FUZZ_STANDALONE */
