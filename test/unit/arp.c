/* UNIT_SRCS: arp.c packet.c log.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/arp.c - ARP responder: replies, and one drop counter per reason
 *
 * arp() is linked with a test double of tap_send_single() that records the
 * reply; requests are built in a local buffer and handed in through a pool,
 * as tap.c does. Each frame that gets no reply must move exactly the counter
 * of its reason, and no other.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/if_ether.h>

#include "arp.h"
#include "packet.h"
#include "ctx.h"
#include "tap_out.h"
#include "unit.h"

#define ARP_FRAME_LEN	42	/* Ethernet, ARP header, IPv4 payload */

static struct ctx c;

/**
 * struct sent - Last frame captured by the tap_send_single() double
 * @cnt:	Frames sent so far
 * @len:	Length of the last one, bytes
 * @buf:	The last one
 */
static struct sent {
	unsigned cnt;
	size_t len;
	uint8_t buf[ARP_FRAME_LEN];
} sent;

/**
 * tap_send_single() - Test double: record the frame
 * @c:		Execution context (unused)
 * @l2:		Frame, from the Ethernet header
 * @l2len:	Frame length, bytes
 */
void tap_send_single(struct ctx *c, const void *l2, size_t l2len)
{
	(void)c;
	sent.cnt++;
	sent.len = l2len;
	memcpy(sent.buf, l2, l2len < sizeof(sent.buf) ? l2len :
						       sizeof(sent.buf));
}

/**
 * arp_build() - Build an ARP request for Ethernet and IPv4
 * @f:		Frame (output), ARP_FRAME_LEN bytes
 * @op:		Operation: 1 request, 2 reply
 * @spa:	Sender protocol address, dotted quad
 * @tpa:	Target protocol address, dotted quad
 */
static void arp_build(uint8_t *f, uint8_t op, const char *spa,
		      const char *tpa)
{
	static const uint8_t head[] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff,	/* destination */
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56,	/* source */
		0x08, 0x06,				/* ARP */
		0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0,	/* Ethernet, IPv4 */
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56,	/* sha */
	};
	struct in_addr a;

	memset(f, 0, ARP_FRAME_LEN);
	memcpy(f, head, sizeof(head));
	f[21] = op;
	inet_pton(AF_INET, spa, &a);
	memcpy(f + 28, &a, 4);
	inet_pton(AF_INET, tpa, &a);
	memcpy(f + 38, &a, 4);
}

/**
 * feed() - Hand a frame to arp() through a one-packet pool
 * @f:		Frame
 * @len:	Bytes of it to hand in
 *
 * The count of frames sent is reset first.
 */
static void feed(const uint8_t *f, size_t len)
{
	static uint8_t buf[ARP_FRAME_LEN * 4];
	struct iovec iov[1];
	struct pool p = { .buf = (char *)buf, .buf_size = sizeof(buf),
			  .size = 1, .count = 0, .pkt = iov };

	sent.cnt = 0;
	memcpy(buf + 1, f, len);	/* odd address: no alignment assumed */
	packet_add(&p, len, (char *)buf + 1);
	arp(&c, &p);
}

/**
 * moved_only() - Did exactly one ARP drop counter move by one?
 * @before:	Counters before the frame
 * @ctr:	Counter that should have moved, in c.stats
 *
 * Return: true if @ctr moved by one and the other ARP counters didn't, and
 *	   a reply went out only if @ctr is arp_replies
 */
static bool moved_only(const struct passt_stats *before,
		       const unsigned long long *ctr)
{
	const struct {
		const unsigned long long *now;
		unsigned long long was;
	} all[] = {
		{ &c.stats.arp_drop_short,	before->arp_drop_short },
		{ &c.stats.arp_drop_bad,	before->arp_drop_bad },
		{ &c.stats.arp_drop_op,		before->arp_drop_op },
		{ &c.stats.arp_drop_announce,	before->arp_drop_announce },
		{ &c.stats.arp_drop_probe,	before->arp_drop_probe },
		{ &c.stats.arp_replies,		before->arp_replies },
	};
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if (*all[i].now - all[i].was != (all[i].now == ctr ? 1U : 0U))
			return false;
	}
	return sent.cnt == (ctr == &c.stats.arp_replies ? 1U : 0U);
}

/**
 * test_reply() - A request for another address gets our MAC
 */
static void test_reply(void)
{
	struct passt_stats before = c.stats;
	uint8_t f[ARP_FRAME_LEN];

	arp_build(f, 1, "192.0.2.1", "192.0.2.254");
	feed(f, sizeof(f));
	unit_check(sent.cnt == 1 && sent.len == ARP_FRAME_LEN &&
		   sent.buf[21] == 2 && !memcmp(sent.buf + 22, c.our_tap_mac, 6) &&
		   !memcmp(sent.buf + 28, f + 38, 4) &&
		   moved_only(&before, &c.stats.arp_replies),
		   "request for the gateway: reply with our MAC, counted");
}

/**
 * test_drops() - One frame per drop reason: its counter, and only it
 */
static void test_drops(void)
{
	struct passt_stats before;
	uint8_t f[ARP_FRAME_LEN];

	arp_build(f, 1, "192.0.2.1", "192.0.2.254");
	before = c.stats;
	feed(f, ARP_FRAME_LEN - 1);
	unit_check(moved_only(&before, &c.stats.arp_drop_short),
		   "truncated: arp_drop_short");

	f[19] = 16;			/* protocol address length */
	before = c.stats;
	feed(f, sizeof(f));
	unit_check(moved_only(&before, &c.stats.arp_drop_bad),
		   "protocol address length 16: arp_drop_bad");

	arp_build(f, 1, "192.0.2.1", "192.0.2.254");
	f[15] = 6;			/* hardware type: IEEE 802 */
	before = c.stats;
	feed(f, sizeof(f));
	unit_check(moved_only(&before, &c.stats.arp_drop_bad),
		   "hardware type 6: arp_drop_bad");

	arp_build(f, 2, "192.0.2.1", "192.0.2.254");
	before = c.stats;
	feed(f, sizeof(f));
	unit_check(moved_only(&before, &c.stats.arp_drop_op),
		   "reply from the guest: arp_drop_op");

	arp_build(f, 1, "192.0.2.1", "192.0.2.1");
	before = c.stats;
	feed(f, sizeof(f));
	unit_check(moved_only(&before, &c.stats.arp_drop_announce),
		   "gratuitous ARP: arp_drop_announce");

	arp_build(f, 1, "0.0.0.0", "192.0.2.1");
	before = c.stats;
	feed(f, sizeof(f));
	unit_check(moved_only(&before, &c.stats.arp_drop_probe),
		   "probe for the guest's own address: arp_drop_probe");

	arp_build(f, 1, "0.0.0.0", "0.0.0.0");
	before = c.stats;
	feed(f, sizeof(f));
	unit_check(moved_only(&before, &c.stats.arp_replies),
		   "0.0.0.0 from 0.0.0.0 (qrap's probe): answered");
}

/**
 * main() - Run the checks
 *
 * Return: 0 if all passed
 */
int main(void)
{
	static const uint8_t mac[ETH_ALEN] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a,
					       0x55 };

	memcpy(c.our_tap_mac, mac, sizeof(mac));
	inet_pton(AF_INET, "192.0.2.1", &c.ip4.addr);
	test_reply();
	test_drops();
	return unit_done();
}
