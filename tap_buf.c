// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_buf.c - Input buffer: frames from the guest, before the pipeline
 *
 * The back-ends (pasta's tap in tap.c, the stream socket in tap_passt.c,
 * vhost-user in tap_vu_tx.c) read or copy frames into tap_buf and add each
 * to pool_l2 with tap_frame_add(), which drops and counts frames too short
 * or too long to be Ethernet frames we take. With vhost-user, a frame may
 * also come in two parts (tap_frame_add_tail()): its headers copied into
 * tap_buf, its payload in guest memory, inside the ranges the pool is bound
 * to (packet.c). tap.c then runs the pool through
 * its pipeline and flushes it. This file sits with the back-ends, below the
 * protocols, so that they fill the pool without calling up into tap.c:
 * tap.c drives them, and runs the pipeline whenever the buffer or the pool
 * is full. Descriptors point into tap_buf and are valid until the next
 * read.
 */

#include <stdbool.h>
#include <stddef.h>
#include <sys/uio.h>

#include "ctx.h"
#include "packet.h"
#include "tap_buf.h"
#include "tap_out.h"
#include "util.h"

/* Input buffer: frames from the guest, valid until the next read */
char tap_buf[TAP_BUF_BYTES] __attribute__((aligned(64)));
static struct iovec pool_l2_pkt[TAP_MSGS];
static struct pool_tail pool_l2_tail[TAP_MSGS];
struct pool pool_l2 = {
	.buf = tap_buf, .buf_size = sizeof(tap_buf), .size = TAP_MSGS,
	.count = 0, .pkt = pool_l2_pkt, .tail = pool_l2_tail,
};

/**
 * tap_frame_add() - Add a frame read from the guest to the input pool
 * @c:		Execution context
 * @frame:	Start of the Ethernet frame in tap_buf
 * @l2len:	Length of the frame, bytes
 */
void tap_frame_add(struct ctx *c, const char *frame, size_t l2len)
{
	if (l2len < L2_HLEN) {
		c->stats.tap_drop_short++;
		return;
	}
	if (l2len > TAP_FRAME_MAX) {
		c->stats.tap_drop_long++;
		return;
	}
	/* Back-ends stop reading while the pool is full: this stays 0 */
	if (!packet_add(&pool_l2, l2len, frame))
		c->stats.tap_drop_pool++;
}

/**
 * tap_frame_add_tail() - Add a frame of two parts to the input pool
 * @c:		Execution context
 * @head:	Start of the Ethernet frame in tap_buf: its headers
 * @hlen:	Bytes of @head, at least an Ethernet header
 * @tail:	The rest of the frame, in pieces, each inside a range pool_l2
 *		is bound to
 * @tcnt:	Number of pieces, at most PACKET_TAIL_PIECES
 *
 * Return: true if added, false if refused (counted)
 */
bool tap_frame_add_tail(struct ctx *c, const char *head, size_t hlen,
			const struct iovec *tail, size_t tcnt)
{
	size_t tlen = 0, k;

	for (k = 0; k < tcnt && tlen <= TAP_FRAME_MAX; k++)
		tlen += MIN(tail[k].iov_len, (size_t)TAP_FRAME_MAX + 1);
	if (hlen < L2_HLEN) {
		c->stats.tap_drop_short++;
		return false;
	}
	if (tlen > TAP_FRAME_MAX || hlen > TAP_FRAME_MAX - tlen) {
		c->stats.tap_drop_long++;
		return false;
	}
	if (!packet_add_tail(&pool_l2, hlen, head, tail, tcnt)) {
		c->stats.tap_drop_pool++;
		return false;
	}
	return true;
}
