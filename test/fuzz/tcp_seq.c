/* FUZZ_SRCS: all test/fuzz/common/net.c test/fuzz/common/shim.c test/fuzz/common/scenario.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/tcp_seq.c - Fuzz the TCP state machine with segment sequences
 *
 * The input is a scenario (common/net.c) whose guest operations are TCP
 * segments, in valid IP headers and passt's framing, so that the input's
 * bytes go to TCP and not to getting headers past validation. Sequence and
 * acknowledgement numbers are given relative to what the flow has seen in
 * our own frames (struct fuzz_tuple): the guest can acknowledge our SYN and
 * data, and continue its own stream, whatever our random ISN. Host events
 * (connect completing or refused, data, EOF, errors, timers, a full send
 * buffer) come in between, so that each state meets each kind of segment.
 *
 * Guest operation: flow (1 byte: a learnt flow, or with 0x80 a new one;
 * with 0x40 the acknowledgement is relative to the guest's previous one,
 * for duplicate ACKs, not to our next sequence), flags, sequence and acknowledgement deltas (signed bytes), window (2),
 * options length (1) and options, payload length (2) and payload.
 *
 * Standalone (-DFUZZ_STANDALONE): ./tcp_seq ITERATIONS [FILE...]
 */

#include <string.h>
#include <arpa/inet.h>

#include "net.h"

#define FUZZ_TCP_PAYLOAD_MAX	8192

/**
 * fuzz_tcp_new() - A flow the guest opens: addresses and ports from @sel
 * @c:		Execution context
 * @sel:	Selector: family, guest port, far address, far port
 * @t:		Flow (output)
 */
static void fuzz_tcp_new(const struct ctx *c, uint8_t sel,
			 struct fuzz_tuple *t)
{
	static const char *const far4[] = { "192.0.2.254", "198.51.100.7",
					    "192.0.2.1", "203.0.113.1" };
	static const char *const far6[] = { "fe80::1", "2001:db8:1::7",
					    "2001:db8::1", "::1" };
	static const uint16_t fports[] = { 80, 22, 8080, 0 };

	memset(t, 0, sizeof(*t));
	t->proto = IPPROTO_TCP;
	t->v6 = sel & 1;
	if (t->v6) {
		memcpy(t->gaddr, &c->ip6.addr, 16);
		inet_pton(AF_INET6, far6[(sel >> 3) & 3], t->faddr);
	} else {
		memcpy(t->gaddr, &c->ip4.addr, 4);
		inet_pton(AF_INET, far4[(sel >> 3) & 3], t->faddr);
	}
	t->gport = (uint16_t)(40000 + ((sel >> 1) & 3));
	t->fport = fports[(sel >> 5) & 3];
	t->g_nxt = 1000;
}

/**
 * fuzz_guest() - Guest operation: one TCP segment
 * @c:		Execution context
 * @in:		Cursor
 */
static void fuzz_guest(struct ctx *c, struct fuzz_in *in)
{
	static uint8_t seg[60 + FUZZ_TCP_PAYLOAD_MAX];
	uint8_t sel = fuzz_u8(in), flags = fuzz_u8(in);
	int8_t seqd = (int8_t)fuzz_u8(in), ackd = (int8_t)fuzz_u8(in);
	uint16_t win = fuzz_u16(in);
	size_t olen = fuzz_u8(in) % 41, dlen, hl;
	struct fuzz_tuple *t = NULL, fresh;
	const uint8_t *o, *d;
	uint32_t seq, ack;

	if (!(sel & 0x80))
		t = fuzz_net_tuple(IPPROTO_TCP, sel);
	if (!t) {
		fuzz_tcp_new(c, sel, &fresh);
		t = &fresh;
	}
	o = fuzz_take(in, &olen);
	hl = 20 + (olen + 3) / 4 * 4;
	dlen = fuzz_u16(in) % FUZZ_TCP_PAYLOAD_MAX;
	d = fuzz_take(in, &dlen);
	seq = t->g_nxt + (uint32_t)(int32_t)seqd;
	ack = (sel & 0x40 ? t->g_ack : t->snd_nxt) + (uint32_t)(int32_t)ackd;
	memset(seg, 0, hl);
	seg[0] = (uint8_t)(t->gport >> 8);
	seg[1] = (uint8_t)t->gport;
	seg[2] = (uint8_t)(t->fport >> 8);
	seg[3] = (uint8_t)t->fport;
	seq = htonl(seq);
	ack = htonl(ack);
	memcpy(seg + 4, &seq, 4);
	memcpy(seg + 8, &ack, 4);
	seg[12] = (uint8_t)(hl / 4 << 4);
	seg[13] = flags;
	seg[14] = (uint8_t)(win >> 8);
	seg[15] = (uint8_t)win;
	memcpy(seg + 20, o, olen);
	memcpy(seg + hl, d, dlen);
	if (t != &fresh) {
		t->g_nxt = ntohl(seq) + (uint32_t)dlen + !!(flags & 2) +
			   !!(flags & 1);
		t->g_ack = ntohl(ack);
	}
	fuzz_net_ip(c, t, seg, hl + dlen);
}

const struct fuzz_target fuzz_scenario = {
	.mode = MODE_PASST, .guest = fuzz_guest, .tap_out = fuzz_net_learn,
};
