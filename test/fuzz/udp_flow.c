/* FUZZ_SRCS: all test/fuzz/common/net.c test/fuzz/common/shim.c test/fuzz/common/scenario.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/udp_flow.c - Fuzz UDP flows: guest datagrams, host replies
 *
 * The input is a scenario (common/net.c) whose guest operations are UDP
 * datagrams in valid IP headers: to new destinations (the gateway, mapped
 * to the host's loopback; the DNS forwarding address; others) or back along
 * flows learnt from our frames (replies to inbound datagrams on the
 * forwarded port 5353). Host events bring datagrams from the flow's peer or
 * elsewhere, ICMP errors on the error queue, refused sends, and time, so
 * that flows are opened, used, evicted and expired.
 *
 * Guest operation: flow (1 byte: learnt, or with 0x80 a new one), length
 * mode and payload length (2 bytes: with 0x8000 the UDP length field is
 * the next 2 bytes, not the true length), payload.
 *
 * Standalone (-DFUZZ_STANDALONE): ./udp_flow ITERATIONS [FILE...]
 */

#include <string.h>
#include <arpa/inet.h>

#include "net.h"

#define FUZZ_UDP_PAYLOAD_MAX	4096

/**
 * fuzz_udp_new() - A flow the guest starts: addresses and ports from @sel
 * @c:		Execution context
 * @sel:	Selector: family, guest port, far address, far port
 * @t:		Flow (output)
 */
static void fuzz_udp_new(const struct ctx *c, uint8_t sel,
			 struct fuzz_tuple *t)
{
	static const char *const far4[] = { "192.0.2.254", "192.0.2.53",
					    "198.51.100.7", "255.255.255.255" };
	static const char *const far6[] = { "fe80::1", "2001:db8::53",
					    "2001:db8:1::7", "ff02::1" };
	static const uint16_t gports[] = { 40000, 40001, 5353, 0 };
	static const uint16_t fports[] = { 53, 5353, 9, 0 };

	memset(t, 0, sizeof(*t));
	t->proto = IPPROTO_UDP;
	t->v6 = sel & 1;
	if (t->v6) {
		memcpy(t->gaddr, &c->ip6.addr, 16);
		inet_pton(AF_INET6, far6[(sel >> 1) & 3], t->faddr);
	} else {
		memcpy(t->gaddr, &c->ip4.addr, 4);
		inet_pton(AF_INET, far4[(sel >> 1) & 3], t->faddr);
	}
	t->gport = gports[(sel >> 3) & 3];
	t->fport = fports[(sel >> 5) & 3];
}

/**
 * fuzz_guest() - Guest operation: one UDP datagram
 * @c:		Execution context
 * @in:		Cursor
 */
static void fuzz_guest(struct ctx *c, struct fuzz_in *in)
{
	static uint8_t dg[8 + FUZZ_UDP_PAYLOAD_MAX];
	uint8_t sel = fuzz_u8(in);
	uint16_t lv = fuzz_u16(in), ulen;
	size_t dlen = (lv & 0x7fff) % FUZZ_UDP_PAYLOAD_MAX;
	struct fuzz_tuple *t = NULL, fresh;
	const uint8_t *d;

	ulen = lv & 0x8000 ? fuzz_u16(in) : 0;
	if (!(sel & 0x80))
		t = fuzz_net_tuple(IPPROTO_UDP, sel);
	if (!t) {
		fuzz_udp_new(c, sel, &fresh);
		t = &fresh;
	}
	d = fuzz_take(in, &dlen);
	if (!(lv & 0x8000))
		ulen = (uint16_t)(8 + dlen);
	dg[0] = (uint8_t)(t->gport >> 8);
	dg[1] = (uint8_t)t->gport;
	dg[2] = (uint8_t)(t->fport >> 8);
	dg[3] = (uint8_t)t->fport;
	dg[4] = (uint8_t)(ulen >> 8);
	dg[5] = (uint8_t)ulen;
	dg[6] = dg[7] = 0;
	memcpy(dg + 8, d, dlen);
	fuzz_net_ip(c, t, dg, 8 + dlen);
}

const struct fuzz_target fuzz_scenario = {
	.mode = MODE_PASST, .guest = fuzz_guest, .tap_out = fuzz_net_learn,
};
