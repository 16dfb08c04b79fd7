/* UNIT_SRCS: dhcp.c dns.c packet.c log.c checksum.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/dhcp.c - DHCP server: build requests, parse replies, bad input
 *
 * The module is linked with a test double of the tap output functions that
 * records the last reply; requests are built on a local buffer and handed in
 * through a pool, as tap.c does.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/udp.h>

#include "dhcp.h"
#include "packet.h"
#include "ctx.h"
#include "tap_out.h"
#include "unit.h"

#define REQ_MAX		2048
#define OPT_MAX		4096

/**
 * struct sent - Last datagram captured by the tap_udp4_send() double
 * @cnt:	Datagrams sent so far
 * @src:	Source address
 * @dst:	Destination address
 * @sport:	Source port, host order
 * @dport:	Destination port, host order
 * @len:	Payload length, bytes
 * @buf:	Payload
 */
static struct sent {
	unsigned cnt;
	struct in_addr src, dst;
	uint16_t sport, dport;
	size_t len;
	uint8_t buf[65536];
} sent;

static struct ctx c;

/* Test doubles of tap_out.c: only the UDP one may be called */

/**
 * tap_udp4_send() - Test double: record the datagram
 * @c:		Execution context (unused)
 * @src:	Source address
 * @sport:	Source port
 * @dst:	Destination address
 * @dport:	Destination port
 * @in:		Payload
 * @dlen:	Payload length
 */
void tap_udp4_send(struct ctx *c, struct in_addr src, uint16_t sport,
		   struct in_addr dst, uint16_t dport, const void *in,
		   size_t dlen)
{
	(void)c;
	sent.cnt++;
	sent.src = src;
	sent.dst = dst;
	sent.sport = sport;
	sent.dport = dport;
	sent.len = dlen;
	memcpy(sent.buf, in, dlen);
}

/**
 * struct req - A request being built
 * @b:		UDP header and DHCP message
 * @len:	Bytes used
 */
struct req {
	uint8_t b[REQ_MAX];
	size_t len;
};

/**
 * req_init() - Start a request: UDP header, fixed part, magic cookie
 * @r:		Request (output)
 * @flags:	BOOTP flags, host order
 * @ciaddr:	Client address, dotted quad
 */
static void req_init(struct req *r, uint16_t flags, const char *ciaddr)
{
	struct udphdr *uh = (struct udphdr *)r->b;
	uint8_t *m = r->b + sizeof(*uh);
	struct in_addr ci;

	memset(r, 0, sizeof(*r));
	uh->source = htons(68);
	uh->dest = htons(67);
	m[0] = 1;
	m[1] = 1;
	m[2] = 6;
	memcpy(m + 4, "\xde\xad\xbe\xef", 4);
	m[10] = flags >> 8;
	m[11] = flags & 0xff;
	inet_pton(AF_INET, ciaddr, &ci);
	memcpy(m + 12, &ci, 4);
	memcpy(m + 28, "\x02\x11\x22\x33\x44\x55", 6);
	memcpy(m + 236, "\x63\x82\x53\x63", 4);
	r->len = sizeof(*uh) + 240;
}

/**
 * req_opt() - Append an option to a request
 * @r:		Request
 * @code:	Option code
 * @len:	Length
 * @data:	Data
 */
static void req_opt(struct req *r, uint8_t code, uint8_t len, const void *data)
{
	r->b[r->len++] = code;
	r->b[r->len++] = len;
	memcpy(r->b + r->len, data, len);
	r->len += len;
}

/**
 * req_end() - Append END
 * @r:		Request
 */
static void req_end(struct req *r)
{
	r->b[r->len++] = 255;
}

/**
 * req_type() - Start a request with a message type option
 * @r:		Request (output)
 * @type:	DHCP message type
 * @flags:	BOOTP flags
 * @ciaddr:	Client address
 */
static void req_type(struct req *r, uint8_t type, uint16_t flags,
		     const char *ciaddr)
{
	req_init(r, flags, ciaddr);
	req_opt(r, 53, 1, &type);
}

/**
 * feed() - Hand @len bytes of a buffer to dhcp() through a pool
 * @b:		Buffer
 * @len:	Bytes
 *
 * Return: what dhcp() returns
 */
static int feed(const uint8_t *b, size_t len)
{
	static uint8_t buf[REQ_MAX * 4];
	struct iovec iov[1];
	struct pool p = { .buf = (char *)buf, .buf_size = sizeof(buf),
			  .size = 1, .count = 0, .pkt = iov };

	memcpy(buf + 1, b, len);	/* odd address: no alignment assumed */
	packet_add(&p, len, (char *)buf + 1);
	return dhcp(&c, &p);
}

/**
 * reply_opt() - Collect an option of the captured reply (RFC 3396 concat)
 * @code:	Option code
 * @out:	Data (output), OPT_MAX bytes
 *
 * Return: data length, -1 if absent or the options are malformed
 */
static long reply_opt(uint8_t code, uint8_t *out)
{
	size_t off = 240, len = 0;
	int found = 0;

	if (sent.len < 240)
		return -1;
	while (off < sent.len) {
		uint8_t oc = sent.buf[off], ol;

		if (oc == 0) {
			off++;
			continue;
		}
		if (oc == 255)
			return found ? (long)len : -1;
		if (off + 2 > sent.len || off + 2 + sent.buf[off + 1] > sent.len)
			return -1;
		ol = sent.buf[off + 1];
		if (oc == code) {
			memcpy(out + len, sent.buf + off + 2, ol);
			len += ol;
			found = 1;
		}
		off += 2 + ol;
	}
	return -1;
}

/**
 * reply_has() - Check an option's exact bytes in the captured reply
 * @code:	Option code
 * @data:	Expected data
 * @len:	Expected length
 *
 * Return: 1 if present and equal
 */
static int reply_has(uint8_t code, const void *data, size_t len)
{
	uint8_t o[OPT_MAX];
	long l = reply_opt(code, o);

	return l == (long)len && !memcmp(o, data, len);
}

/**
 * ip() - Parse a dotted quad
 * @s:		Address
 *
 * Return: address
 */
static struct in_addr ip(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

/**
 * ctx_init() - Set up the fake context
 */
static void ctx_init(void)
{
	memset(&c, 0, sizeof(c));
	c.ip4.addr = ip("192.0.2.1");
	c.ip4.prefix_len = 24;
	c.ip4.gw = ip("192.0.2.254");
	c.ip4.dns[0] = ip("192.0.2.53");
	c.ip4.dns[1] = ip("198.51.100.53");
	c.mtu = 1500;
	strcpy(c.dns_search[0], "example.com");
	strcpy(c.dns_search[1], "a.example.org");
	strcpy(c.hostname, "guest");
	strcpy(c.fqdn, "guest.example.com");
}

/**
 * dhcp_drops() - DHCP requests dropped so far, for any reason
 *
 * Return: sum of the dhcp_drop_* counters
 */
static unsigned long long dhcp_drops(void)
{
	const struct passt_stats *s = &c.stats;

	return s->dhcp_drop_short + s->dhcp_drop_op + s->dhcp_drop_cookie +
	       s->dhcp_drop_opts + s->dhcp_drop_bootp + s->dhcp_drop_type +
	       s->dhcp_drop_server;
}

/**
 * test_offer() - DISCOVER gets a complete OFFER
 */
static void test_offer(void)
{
	static const uint8_t search[] = "\x07" "example" "\x03" "com" "\x00"
					"\x01" "a" "\x07" "example" "\x03" "org";
	static const uint8_t fqdn[] = "\x0c\xff\xff\x05" "guest"
				      "\x07" "example" "\x03" "com";
	uint8_t dns[8], type = 2;
	struct req r;

	req_type(&r, 1, 0, "0.0.0.0");
	req_end(&r);
	sent.cnt = 0;
	unit_check(feed(r.b, r.len) == 1 && sent.cnt == 1, "DISCOVER answered");
	unit_check(sent.buf[0] == 2 && !memcmp(sent.buf + 4,
		   "\xde\xad\xbe\xef", 4),
	           "OFFER: BOOTREPLY with the client's xid");
	unit_check(!memcmp(sent.buf + 16, &c.ip4.addr, 4), "OFFER: yiaddr");
	unit_check(!memcmp(sent.buf + 28, "\x02\x11\x22\x33\x44\x55", 6),
	           "OFFER: chaddr");
	unit_check(sent.len >= 300 && sent.len <= 548, "OFFER: size 300..548");
	unit_check(sent.sport == 67 && sent.dport == 68 &&
	           sent.src.s_addr == c.ip4.gw.s_addr,
	           "OFFER: from gw:67 to :68");
	unit_check(sent.dst.s_addr == c.ip4.addr.s_addr,
	           "OFFER: unicast to yiaddr without broadcast flag");
	unit_check(reply_has(53, &type, 1), "OFFER: option 53 = 2");
	unit_check(reply_has(54, &c.ip4.gw, 4), "OFFER: server id = gw");
	unit_check(reply_has(51, "\xff\xff\xff\xff", 4),
		   "OFFER: infinite lease");
	unit_check(reply_has(1, "\xff\xff\xff\x00", 4), "OFFER: netmask /24");
	unit_check(reply_has(3, &c.ip4.gw, 4), "OFFER: router");
	memcpy(dns, &c.ip4.dns[0], 4);
	memcpy(dns + 4, &c.ip4.dns[1], 4);
	unit_check(reply_has(6, dns, 8), "OFFER: two resolvers");
	unit_check(reply_has(26, "\x05\xdc", 2), "OFFER: MTU 1500");
	unit_check(reply_has(12, "guest", 5), "OFFER: host name");
	unit_check(reply_has(81, fqdn, sizeof(fqdn) - 1 + 1),
		   "OFFER: FQDN wire");
	unit_check(reply_has(119, search, sizeof(search)),
	           "OFFER: option 119 example.com a.example.org (RFC 3397)");
	unit_check(reply_has(15, "example.com", 11), "OFFER: domain name");
}

/**
 * test_compress() - Option 119 compresses a repeated suffix
 */
static void test_compress(void)
{
	static const uint8_t search[] = "\x07" "example" "\x03" "com" "\x00"
					"\x01" "a" "\xc0\x00"
					"\x03" "foo" "\xc0\x08";
	struct req r;

	strcpy(c.dns_search[1], "a.example.com");
	strcpy(c.dns_search[2], "foo.com.");
	req_type(&r, 1, 0, "0.0.0.0");
	req_end(&r);
	feed(r.b, r.len);
	unit_check(reply_has(119, search, sizeof(search) - 1),
	           "option 119 uses pointers to earlier suffixes");
	ctx_init();
}

/**
 * test_request() - REQUEST: ACK, NAK, other server; broadcast flag
 */
static void test_request(void)
{
	struct in_addr other = ip("192.0.2.77"), sid = ip("192.0.2.9");
	uint8_t o[OPT_MAX], type;
	struct req r;

	req_type(&r, 3, 0x8000, "0.0.0.0");
	req_opt(&r, 50, 4, &c.ip4.addr);
	req_opt(&r, 54, 4, &c.ip4.gw);
	req_end(&r);
	sent.cnt = 0;
	feed(r.b, r.len);
	type = 5;
	unit_check(sent.cnt == 1 && reply_has(53, &type, 1), "REQUEST: ACK");
	unit_check(sent.dst.s_addr == INADDR_BROADCAST,
	           "ACK: broadcast with the broadcast flag");
	unit_check(reply_opt(51, o) == 4, "ACK: lease time");

	req_type(&r, 3, 0, "0.0.0.0");
	req_opt(&r, 50, 4, &other);
	req_end(&r);
	feed(r.b, r.len);
	type = 6;
	unit_check(sent.cnt == 2 && reply_has(53, &type, 1),
		   "wrong address: NAK");
	unit_check(sent.dst.s_addr == INADDR_BROADCAST && !sent.buf[16] &&
	           reply_opt(51, o) < 0 && reply_opt(3, o) < 0,
	           "NAK: broadcast, no yiaddr, no lease, no config");

	req_type(&r, 3, 0, "0.0.0.0");
	req_opt(&r, 50, 4, &c.ip4.addr);
	req_opt(&r, 54, 4, &sid);
	req_end(&r);
	feed(r.b, r.len);
	unit_check(sent.cnt == 2 && c.stats.dhcp_drop_server == 1 &&
		   dhcp_drops() == 1,
		   "REQUEST to another server: no reply, counted as such");

	req_type(&r, 3, 0, "192.0.2.1");
	req_end(&r);
	feed(r.b, r.len);
	type = 5;
	unit_check(sent.cnt == 3 && reply_has(53, &type, 1) &&
	           sent.dst.s_addr == c.ip4.addr.s_addr,
	           "RENEW: ACK to ciaddr");
}

/**
 * test_inform_release() - INFORM gets config without lease; RELEASE nothing
 */
static void test_inform_release(void)
{
	uint8_t o[OPT_MAX], type = 5;
	unsigned long long drops = dhcp_drops();
	struct req r;

	req_type(&r, 8, 0, "192.0.2.1");
	req_end(&r);
	sent.cnt = 0;
	feed(r.b, r.len);
	unit_check(sent.cnt == 1 && reply_has(53, &type, 1), "INFORM: ACK");
	unit_check(reply_opt(51, o) < 0 && !sent.buf[16] && !sent.buf[17] &&
	           reply_opt(6, o) == 8,
	           "INFORM ACK: no lease, no yiaddr, DNS");
	unit_check(sent.dst.s_addr == c.ip4.addr.s_addr,
		   "INFORM ACK to ciaddr");

	req_type(&r, 7, 0, "192.0.2.1");
	req_end(&r);
	feed(r.b, r.len);
	req_type(&r, 4, 0, "0.0.0.0");
	req_end(&r);
	feed(r.b, r.len);
	unit_check(sent.cnt == 1 && dhcp_drops() == drops,
	           "RELEASE, DECLINE: no reply, not dropped");
}

/**
 * test_overflow() - Long options: left out at 576, split when room
 */
static void test_overflow(void)
{
	uint8_t o[OPT_MAX], type = 2;
	__be16 max = htons(1500);
	struct req r;
	long l;
	int i;

	for (i = 0; i < DNS_SEARCH_MAX; i++) {
		memset(c.dns_search[i], 'a' + i, 120);
		memcpy(c.dns_search[i] + 120, ".example", 9);
		c.dns_search[i][60] = '.';
	}
	req_type(&r, 1, 0, "0.0.0.0");
	req_end(&r);
	sent.cnt = 0;
	feed(r.b, r.len);
	unit_check(sent.cnt == 1 && sent.len <= 548 &&
	           reply_has(53, &type, 1) && reply_opt(6, o) == 8, "576-byte client: configuration kept");
	l = reply_opt(119, o);
	unit_check(l > 0 && l < 400, "576-byte client: search list cut to fit");
	unit_check(l > 0 && o[0] == 60 && !memcmp(o + 1, c.dns_search[0], 60),
	           "576-byte client: first search domains kept");

	req_type(&r, 1, 0, "0.0.0.0");
	req_opt(&r, 57, 2, &max);
	req_end(&r);
	feed(r.b, r.len);
	l = reply_opt(119, o);
	unit_check(sent.len <= 1472, "max size 1500: reply within 1472 bytes");
	unit_check(l > 255 && o[0] == 60,
		   "max size 1500: option 119 split (RFC 3396)");
	ctx_init();
}

/**
 * test_truncated() - Every truncation of a valid request is dropped
 */
static void test_truncated(void)
{
	unsigned long long drops = dhcp_drops();
	unsigned long long short0 = c.stats.dhcp_drop_short;
	unsigned long long opts0 = c.stats.dhcp_drop_opts;
	size_t len, bad = 0;
	struct req r;

	req_type(&r, 3, 0, "0.0.0.0");
	req_opt(&r, 50, 4, &c.ip4.addr);
	req_opt(&r, 12, 5, "guest");
	req_end(&r);
	sent.cnt = 0;
	for (len = 0; len < r.len; len++) {
		if (feed(r.b, len) != 1)
			bad++;
	}
	unit_check(!bad && !sent.cnt, "truncated requests: consumed, no reply");
	unit_check(dhcp_drops() - drops == r.len,
	           "truncated requests: each counted once");
	unit_check(c.stats.dhcp_drop_short - short0 +
		   c.stats.dhcp_drop_opts - opts0 == r.len,
		   "truncated requests: as short or as bad options");
}

/**
 * test_malformed() - Bad option lengths, bad fixed fields, garbage
 */
static void test_malformed(void)
{
	unsigned long long drops = dhcp_drops();
	struct passt_stats before = c.stats;
	uint8_t g[REQ_MAX];
	struct req r;
	int i;

	sent.cnt = 0;
	req_init(&r, 0, "0.0.0.0");
	r.b[r.len++] = 53;
	r.b[r.len++] = 200;	/* longer than what is left */
	r.b[r.len++] = 1;
	req_end(&r);
	feed(r.b, r.len);
	req_type(&r, 1, 0, "0.0.0.0");
	req_opt(&r, 53, 1, "\x03");	/* duplicate type */
	req_end(&r);
	feed(r.b, r.len);
	req_type(&r, 1, 0, "0.0.0.0");
	req_opt(&r, 50, 3, "abc");	/* bad length */
	req_end(&r);
	feed(r.b, r.len);
	req_type(&r, 1, 0, "0.0.0.0");
	r.b[8 + 236] = 0;		/* no magic cookie */
	req_end(&r);
	feed(r.b, r.len);
	req_init(&r, 0, "0.0.0.0");	/* BOOTP: no type */
	req_end(&r);
	feed(r.b, r.len);
	unit_check(!sent.cnt && dhcp_drops() - drops == 5,
	           "bad lengths, duplicate type, no cookie, BOOTP: dropped");
	unit_check(c.stats.dhcp_drop_opts - before.dhcp_drop_opts == 3 &&
		   c.stats.dhcp_drop_cookie - before.dhcp_drop_cookie == 1 &&
		   c.stats.dhcp_drop_bootp - before.dhcp_drop_bootp == 1,
		   "...counted as bad options (3), no cookie, BOOTP");

	srand(1);
	for (i = 0; i < 20000; i++) {
		size_t len = (size_t)rand() % sizeof(g), j;

		for (j = 0; j < len; j++)
			g[j] = (uint8_t)rand();
		memcpy(g + 2, "\x00\x43", 2);
		if (i & 1)
			memcpy(g + 8 + 236, "\x63\x82\x53\x63", 4);
		feed(g, len);
	}
	unit_check(1, "20000 random requests: no crash");
}

/**
 * test_disabled() - --no-dhcp and other ports are not ours
 */
static void test_disabled(void)
{
	struct req r;

	req_type(&r, 1, 0, "0.0.0.0");
	req_end(&r);
	sent.cnt = 0;
	c.no_dhcp = true;
	unit_check(feed(r.b, r.len) == 0 && !sent.cnt,
		   "--no-dhcp: not consumed");
	c.no_dhcp = false;
	r.b[3] = 99;
	unit_check(feed(r.b, r.len) == 0 && !sent.cnt, "port 99: not consumed");
}

/**
 * main() - Run the checks
 *
 * Return: 0 if all passed
 */
int main(void)
{
	ctx_init();
	test_offer();
	test_compress();
	test_request();
	test_inform_release();
	test_overflow();
	test_truncated();
	test_malformed();
	test_disabled();
	return unit_done();
}
