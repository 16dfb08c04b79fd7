/* SPDX-License-Identifier: GPL-2.0-or-later */
/* test/fuzz/common/net.h - Scenario driver: guest frames and host events
 *
 * An input is a sequence of operations (net.c): guest frames, built by the
 * target from input bytes, and host events (data, EOF, errors, completed
 * connects, expired timers, passing time, changed host behaviour) that run
 * the daemon's own handlers over the fake sockets of shim.c.
 */

#ifndef FUZZ_NET_H
#define FUZZ_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctx.h"

/**
 * struct fuzz_in - Cursor over the input
 * @p:		Next byte
 * @left:	Bytes left
 */
struct fuzz_in {
	const uint8_t *p;
	size_t left;
};

/**
 * fuzz_u8() - Take one byte of input
 * @in:		Cursor
 *
 * Return: the byte, 0 past the end
 */
static inline uint8_t fuzz_u8(struct fuzz_in *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

/**
 * fuzz_u16() - Take two bytes of input, big-endian
 * @in:		Cursor
 *
 * Return: the value
 */
static inline uint16_t fuzz_u16(struct fuzz_in *in)
{
	uint16_t v = (uint16_t)(fuzz_u8(in) << 8);

	return v | fuzz_u8(in);
}

/**
 * fuzz_take() - Take up to @len bytes of input
 * @in:		Cursor
 * @len:	Bytes wanted (output: bytes taken)
 *
 * Return: pointer to them
 */
static inline const uint8_t *fuzz_take(struct fuzz_in *in, size_t *len)
{
	const uint8_t *p = in->p;

	if (*len > in->left)
		*len = in->left;
	in->p += *len;
	in->left -= *len;
	return p;
}

/**
 * struct fuzz_target - What a scenario target adds to the driver
 * @mode:	MODE_PASST (frames framed on the stream) or MODE_PASTA
 * @guest:	Build guest input from the cursor and hand it to
 *		fuzz_net_frame() or fuzz_net_stream()
 * @tap_out:	Sees every frame sent to the guest, or NULL
 * @begin:	Called at the start of each input, or NULL
 */
struct fuzz_target {
	enum passt_mode mode;
	void (*guest)(struct ctx *c, struct fuzz_in *in);
	void (*tap_out)(const uint8_t *frame, size_t len);
	void (*begin)(struct ctx *c, struct fuzz_in *in);
};

#define FUZZ_TUPLES	8	/* flows learnt from frames to the guest */

/**
 * struct fuzz_tuple - A flow seen in a frame sent to the guest
 * @proto:	IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6
 * @v6:		IPv6
 * @gaddr:	Guest address (destination of the frame), IPv4 in 4 bytes
 * @faddr:	Far address (source of the frame)
 * @gport:	Guest port (or ICMP echo id), host order
 * @fport:	Far port, host order
 * @snd_nxt:	TCP: our sequence after the segment (SYN, data, FIN)
 * @rcv_ack:	TCP: what we acknowledged
 * @g_nxt:	TCP: the guest's next sequence, as the harness sent it
 * @g_ack:	TCP: the last acknowledgement the harness sent
 */
struct fuzz_tuple {
	uint8_t proto;
	bool v6;
	uint8_t gaddr[16];
	uint8_t faddr[16];
	uint16_t gport;
	uint16_t fport;
	uint32_t snd_nxt;
	uint32_t rcv_ack;
	uint32_t g_nxt;
	uint32_t g_ack;
};

extern struct ctx fuzz_ctx;

void fuzz_net_learn(const uint8_t *frame, size_t len);
struct fuzz_tuple *fuzz_net_tuple(uint8_t proto, size_t n);
void fuzz_net_ip(struct ctx *c, const struct fuzz_tuple *t, const void *l4,
		 size_t l4len);

void fuzz_net_frame(struct ctx *c, const void *frame, size_t len);
void fuzz_net_stream(struct ctx *c, const void *b, size_t len);
void fuzz_net_l3(struct ctx *c, const void *l3, size_t len);
void fuzz_net_init(const struct fuzz_target *t);
void fuzz_net_run(const struct fuzz_target *t, const uint8_t *data,
		  size_t size);
int fuzz_net_main(const struct fuzz_target *t, int argc, char **argv);

/* The scenario target a fuzzer binary runs: each scenario target's file
 * defines it, common/scenario.c holds the entry points that run it
 */
extern const struct fuzz_target fuzz_scenario;

#endif /* FUZZ_NET_H */
