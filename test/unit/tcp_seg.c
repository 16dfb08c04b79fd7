/* UNIT_SRCS: tcp_seg.c packet.c log.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/tcp_seg.c - Parsing guest TCP segments, valid and malformed
 *
 * Each segment is built byte by byte in the pool's buffer, at an odd
 * offset (headers in the tap buffer need not be aligned), and parsed
 * through the pool as tcp_tap_handler() does: header fields in host order,
 * header and payload lengths, the payload's place; MSS and window scale of
 * a SYN, with the window scale capped. Malformed headers (short, data
 * offset below five words or past the message) are refused; malformed
 * options (zero or one byte lengths, lengths running past the header) end
 * the option list, keeping what came before.
 */

#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>

#include "packet.h"
#include "tcp_seg.h"
#include "unit.h"
#include "util.h"

#define UNIT_OFF	3	/* Segments start at an odd offset in buf */

static uint8_t buf[4096];
PACKET_POOL_DECL(pool, 8, buf);

/**
 * unit_hdr() - Write a TCP header, and options, at the start of a segment
 * @b:		Segment start (output)
 * @doff:	Data offset field, 32-bit words
 * @flags:	Flags byte
 * @opts:	Option bytes, copied after the fixed header, or NULL
 * @optlen:	Length of @opts
 */
static void unit_hdr(uint8_t *b, unsigned doff, uint8_t flags,
		     const uint8_t *opts, size_t optlen)
{
	static const uint8_t h[20] = {
		0x9c, 0x40, 0x00, 0x50,		/* ports 40000, 80 */
		0x01, 0x02, 0x03, 0x04,		/* seq */
		0xa0, 0xb0, 0xc0, 0xd0,		/* ack */
		0x00, 0x00, 0xfa, 0xf0,		/* offset, flags, window */
		0x00, 0x00, 0x00, 0x00,
	};

	memcpy(b, h, sizeof(h));
	b[12] = (uint8_t)(doff << 4);
	b[13] = flags;
	if (opts)
		memcpy(b + sizeof(h), opts, optlen);
}

/**
 * unit_one() - Put one segment alone in the pool and parse it
 * @len:	Segment length, bytes, from buf + UNIT_OFF
 * @seg:	Parsed segment (output)
 *
 * Return: what tcp_seg_parse() returned
 */
static bool unit_one(size_t len, struct tcp_seg *seg)
{
	pool_flush(&pool);
	if (!packet_add(&pool, len, (char *)buf + UNIT_OFF))
		return false;
	return tcp_seg_parse(&pool, 0, seg);
}

/**
 * test_valid() - A data segment: fields, lengths, payload
 */
static void test_valid(void)
{
	struct iovec v[PACKET_IOV_MAX];
	uint8_t *b = buf + UNIT_OFF;
	struct tcp_seg seg;

	unit_hdr(b, 5, TCP_ACK | TCP_PSH, NULL, 0);
	memcpy(b + 20, "0123456789", 10);
	unit_check(unit_one(30, &seg) && seg.ok, "valid data segment parsed");
	unit_check(seg.seq == 0x01020304 && seg.ack == 0xa0b0c0d0,
		   "sequence and acknowledgement in host order");
	unit_check(seg.wnd == 0xfaf0, "window in host order");
	unit_check(seg.flags == (TCP_ACK | TCP_PSH), "flags byte");
	unit_check(seg.hlen == 20 && seg.dlen == 10, "header and payload length");
	unit_check(packet_data(seg.p, seg.idx, seg.hlen, seg.dlen, v,
			       ARRAY_SIZE(v)) == 1 &&
		   v[0].iov_base == b + 20 && v[0].iov_len == 10 &&
		   !memcmp(v[0].iov_base, "0123456789", 10),
		   "payload points into the buffer");
	unit_check(seg.th.source == htons(40000) && seg.th.dest == htons(80),
		   "header copied out: ports");
	unit_check(seg.mss == -1 && seg.ws == -1, "no options: none read");

	unit_hdr(b, 5, TCP_ACK, NULL, 0);
	unit_check(unit_one(20, &seg) && seg.dlen == 0 &&
		   !packet_data(seg.p, seg.idx, seg.hlen, seg.dlen, v,
				ARRAY_SIZE(v)),
		   "header alone: no payload");

	unit_hdr(b, 15, TCP_ACK | TCP_FIN, NULL, 0);
	memset(b + 20, TCPOPT_NOP, 40);
	unit_check(unit_one(60, &seg) && seg.hlen == 60 && !seg.dlen,
		   "largest data offset, whole message");
}

/**
 * test_malformed() - Headers that must be refused
 */
static void test_malformed(void)
{
	uint8_t *b = buf + UNIT_OFF;
	struct tcp_seg seg;
	unsigned doff;

	unit_hdr(b, 5, TCP_ACK, NULL, 0);
	unit_check(!unit_one(19, &seg) && !seg.ok, "short header refused");
	unit_check(!unit_one(0, &seg) && !seg.ok, "empty message refused");
	for (doff = 0; doff < 5; doff++) {
		unit_hdr(b, doff, TCP_ACK, NULL, 0);
		if (unit_one(40, &seg) || seg.ok)
			break;
	}
	unit_check(doff == 5, "data offset below five words refused");
	unit_hdr(b, 6, TCP_ACK, NULL, 0);
	unit_check(!unit_one(23, &seg), "data offset past the message refused");
	unit_hdr(b, 15, TCP_SYN, NULL, 0);
	unit_check(!unit_one(59, &seg), "largest data offset, one byte short");
	unit_check(unit_one(60, &seg), "largest data offset, exact");
	unit_check(!tcp_seg_parse(&pool, 1, &seg) && !seg.ok,
		   "index past the pool refused");
}

/**
 * test_opts() - MSS and window scale, well-formed and not
 */
static void test_opts(void)
{
	static const uint8_t good[] = { TCPOPT_MSS, 4, 0x05, 0x78, TCPOPT_NOP,
					TCPOPT_WS, 3, 7 };
	static const uint8_t big_ws[] = { TCPOPT_WS, 3, 20, TCPOPT_END };
	static const uint8_t zero_mss[] = { TCPOPT_MSS, 4, 0, 0 };
	static const uint8_t zero_len[] = { TCPOPT_WS, 3, 2, 8, 0,
					    TCPOPT_MSS, 4, 1, 0, 0, 0, 0 };
	static const uint8_t one_len[] = { TCPOPT_MSS, 4, 1, 0, 8, 1,
					   TCPOPT_WS, 3, 5, 0, 0, 0 };
	static const uint8_t overrun[] = { TCPOPT_WS, 3, 4, TCPOPT_MSS };
	static const uint8_t overrun2[] = { TCPOPT_NOP, TCPOPT_NOP,
					    TCPOPT_MSS, 6 };
	static const uint8_t wrong_len[] = { TCPOPT_MSS, 3, 9, TCPOPT_WS,
					     2, TCPOPT_WS, 3, 1 };
	static const uint8_t after_end[] = { TCPOPT_END, TCPOPT_MSS, 4, 1, 0,
					     0, 0, 0 };
	uint8_t *b = buf + UNIT_OFF;
	struct tcp_seg seg;

	unit_hdr(b, 7, TCP_SYN, good, sizeof(good));
	unit_check(unit_one(28, &seg) && seg.mss == 1400 && seg.ws == 7 &&
		   !seg.opts_bad, "SYN: MSS 1400 and window scale 7");
	unit_hdr(b, 7, TCP_SYN | TCP_ACK, good, sizeof(good));
	memcpy(b + 28, "xy", 2);
	unit_check(unit_one(30, &seg) && seg.mss == 1400 && seg.ws == 7 &&
		   seg.dlen == 2 && seg.hlen == 28, "SYN-ACK with payload");
	unit_hdr(b, 7, TCP_ACK, good, sizeof(good));
	unit_check(unit_one(28, &seg) && seg.mss == -1 && seg.ws == -1,
		   "options of a segment without SYN not read");
	unit_hdr(b, 6, TCP_SYN, big_ws, sizeof(big_ws));
	unit_check(unit_one(24, &seg) && seg.ws == TCP_SEG_WS_MAX,
		   "window scale capped at 14");
	unit_hdr(b, 6, TCP_SYN, zero_mss, sizeof(zero_mss));
	unit_check(unit_one(24, &seg) && seg.mss == 0,
		   "MSS of zero is present, not absent");
	unit_hdr(b, 8, TCP_SYN, zero_len, sizeof(zero_len));
	unit_check(unit_one(32, &seg) && seg.ok && seg.ws == 2 &&
		   seg.mss == -1 && seg.opts_bad,
		   "zero-length option ends the list, options bad");
	unit_hdr(b, 8, TCP_SYN, one_len, sizeof(one_len));
	unit_check(unit_one(32, &seg) && seg.ok && seg.mss == 256 &&
		   seg.ws == -1 && seg.opts_bad,
		   "one-byte option length ends the list, options bad");
	unit_hdr(b, 6, TCP_SYN, overrun, sizeof(overrun));
	unit_check(unit_one(24, &seg) && seg.ok && seg.ws == 4 &&
		   seg.mss == -1 && seg.opts_bad,
		   "option kind without length ends the list, options bad");
	unit_hdr(b, 6, TCP_SYN, overrun2, sizeof(overrun2));
	memcpy(b + 24, "\x05\xb4", 2);	/* payload, not options */
	unit_check(unit_one(26, &seg) && seg.ok && seg.mss == -1 &&
		   seg.opts_bad,
		   "option overrunning the header ends the list, options bad");
	unit_hdr(b, 7, TCP_SYN, wrong_len, sizeof(wrong_len));
	unit_check(unit_one(28, &seg) && seg.mss == -1 && seg.ws == 1 &&
		   !seg.opts_bad, "MSS and window scale of wrong length skipped");
	unit_hdr(b, 7, TCP_SYN, after_end, sizeof(after_end));
	unit_check(unit_one(28, &seg) && seg.mss == -1,
		   "nothing read after the end of options");
}

/**
 * test_batch() - Segments of one pool: each by its index, records apart
 */
static void test_batch(void)
{
	uint8_t *b = buf + UNIT_OFF;
	struct tcp_seg segs[3];
	size_t i, ok = 0;

	pool_flush(&pool);
	unit_hdr(b, 5, TCP_ACK, NULL, 0);
	unit_hdr(b + 100, 4, TCP_ACK, NULL, 0);
	unit_hdr(b + 200, 5, TCP_ACK | TCP_FIN, NULL, 0);
	unit_check(packet_add(&pool, 25, (char *)b) &&
		   packet_add(&pool, 25, (char *)b + 100) &&
		   packet_add(&pool, 20, (char *)b + 200),
		   "three segments in the pool");
	for (i = 0; i < 3; i++)
		ok += tcp_seg_parse(&pool, i, &segs[i]);
	unit_check(ok == 2, "batch: two of three valid");
	unit_check(segs[0].ok && !segs[1].ok && segs[2].ok &&
		   segs[0].dlen == 5 && segs[2].flags == (TCP_ACK | TCP_FIN),
		   "batch: records in pool order");
}

/* "Guest memory" for segments whose payload lies in pieces */
static char guest[256];
static struct pool_ranges guest_ranges = {
	.cnt = 1, .r = { { guest, sizeof(guest) } },
};
static struct iovec ppool_pkt[1];
static struct pool_tail ppool_tail[1];
static struct pool ppool = {
	.buf = (char *)buf, .buf_size = sizeof(buf), .size = 1,
	.pkt = ppool_pkt, .tail = ppool_tail, .ranges = &guest_ranges,
};

/**
 * test_pieces() - A segment whose payload is in guest memory, in pieces
 */
static void test_pieces(void)
{
	struct iovec t[3] = { { guest, 10 }, { guest + 100, 20 },
			      { guest + 200, 5 } }, v[PACKET_IOV_MAX];
	uint8_t *b = buf + UNIT_OFF;
	struct tcp_seg seg;

	unit_hdr(b, 5, TCP_ACK, NULL, 0);
	pool_flush(&ppool);
	unit_check(packet_add_tail(&ppool, 20, (char *)b, t, 3),
		   "segment of a header and three pieces added");
	unit_check(tcp_seg_parse(&ppool, 0, &seg) && seg.ok &&
		   seg.hlen == 20 && seg.dlen == 35,
		   "segment over pieces parsed, payload the sum of them");
	unit_check(packet_data(seg.p, seg.idx, seg.hlen, seg.dlen, v,
			       ARRAY_SIZE(v)) == 3 &&
		   v[0].iov_base == guest && v[1].iov_base == guest + 100 &&
		   v[2].iov_base == guest + 200 && v[2].iov_len == 5,
		   "payload given as the pieces, in order");
	unit_check(packet_data(seg.p, seg.idx, seg.hlen + 15, 20, v,
			       ARRAY_SIZE(v)) == 2 &&
		   v[0].iov_base == guest + 105 && v[0].iov_len == 15 &&
		   v[1].iov_base == guest + 200 && v[1].iov_len == 5,
		   "payload from the middle: trimmed first piece");
	t[1].iov_base = guest + sizeof(guest) - 10;
	pool_flush(&ppool);
	unit_check(!packet_add_tail(&ppool, 20, (char *)b, t, 3),
		   "piece running out of guest memory refused");
	ppool_tail[0].v[1].iov_base = guest + sizeof(guest) - 10;
	ppool.count = 1;
	unit_check(!tcp_seg_parse(&ppool, 0, &seg) && !seg.ok,
		   "tampered piece out of guest memory: segment refused");
}

/**
 * main() - Run the segment parsing tests
 *
 * Return: 0 if all passed
 */
int main(void)
{
	test_valid();
	test_malformed();
	test_opts();
	test_batch();
	test_pieces();
	return unit_done();
}
