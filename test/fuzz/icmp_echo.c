/* FUZZ_SRCS: all test/fuzz/common/net.c test/fuzz/common/shim.c test/fuzz/common/scenario.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/fuzz/icmp_echo.c - Fuzz ICMP and ICMPv6 echo through ping sockets
 *
 * The input is a scenario (common/net.c) whose guest operations are ICMP
 * or ICMPv6 messages in valid IP headers, echo requests unless the input
 * asks for another type; host events bring replies (any bytes) on the ping
 * sockets, errors, and time, so that echo flows open, answer and expire.
 *
 * Guest operation: selector (1 byte: family, destination, echo id; with
 * 0x80 the type and code are the next 2 bytes), sequence (2), payload
 * length (2) and payload.
 *
 * Standalone (-DFUZZ_STANDALONE): ./icmp_echo ITERATIONS [FILE...]
 */

#include <string.h>
#include <arpa/inet.h>

#include "net.h"

#define FUZZ_ICMP_PAYLOAD_MAX	2048

/**
 * fuzz_guest() - Guest operation: one ICMP or ICMPv6 message
 * @c:		Execution context
 * @in:		Cursor
 */
static void fuzz_guest(struct ctx *c, struct fuzz_in *in)
{
	static const char *const far4[] = { "192.0.2.254", "198.51.100.7",
					    "192.0.2.1", "127.0.0.1" };
	static const char *const far6[] = { "fe80::1", "2001:db8:1::7",
					    "2001:db8::1", "::1" };
	static const uint16_t ids[] = { 1, 2, 0x1234, 0 };
	static uint8_t m[8 + FUZZ_ICMP_PAYLOAD_MAX];
	uint8_t sel = fuzz_u8(in), type, code = 0;
	struct fuzz_tuple t = { 0 };
	uint16_t seq, id;
	const uint8_t *d;
	size_t dlen;

	t.v6 = sel & 1;
	t.proto = t.v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	type = t.v6 ? 128 : 8;
	if (sel & 0x80) {
		type = fuzz_u8(in);
		code = fuzz_u8(in);
	}
	seq = fuzz_u16(in);
	dlen = fuzz_u16(in) % FUZZ_ICMP_PAYLOAD_MAX;
	d = fuzz_take(in, &dlen);
	if (t.v6) {
		memcpy(t.gaddr, &c->ip6.addr, 16);
		inet_pton(AF_INET6, far6[(sel >> 1) & 3], t.faddr);
	} else {
		memcpy(t.gaddr, &c->ip4.addr, 4);
		inet_pton(AF_INET, far4[(sel >> 1) & 3], t.faddr);
	}
	id = ids[(sel >> 3) & 3];
	m[0] = type;
	m[1] = code;
	m[2] = m[3] = 0;
	m[4] = (uint8_t)(id >> 8);
	m[5] = (uint8_t)id;
	m[6] = (uint8_t)(seq >> 8);
	m[7] = (uint8_t)seq;
	memcpy(m + 8, d, dlen);
	fuzz_net_ip(c, &t, m, 8 + dlen);
}

const struct fuzz_target fuzz_scenario = {
	.mode = MODE_PASST, .guest = fuzz_guest, .tap_out = fuzz_net_learn,
};
