/* UNIT_SRCS: dhcpv6.c dns.c packet.c log.c checksum.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/dhcpv6.c - DHCPv6 server: every message type, bad input
 *
 * dhcpv6.c is linked with test doubles of tap_udp6_send() (records the last
 * reply) and tap_flow_label(); client messages are built on a local buffer
 * and handed in through a pool, as tap.c does.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "dhcpv6.h"
#include "packet.h"
#include "ctx.h"
#include "tap_out.h"
#include "unit.h"

#define MSG_MAX		2048

/**
 * struct sent - Last datagram captured by the tap_udp6_send() double
 * @cnt:	Datagrams sent so far
 * @src:	Source address
 * @dst:	Destination address
 * @sport:	Source port
 * @dport:	Destination port
 * @flow:	Flow label
 * @len:	Payload length
 * @buf:	Payload
 */
static struct sent {
	unsigned cnt;
	struct in6_addr src, dst;
	uint16_t sport, dport;
	uint32_t flow;
	size_t len;
	uint8_t buf[65536];
} sent;

static struct ctx c;
static const uint8_t duid[] = { 0, 3, 0, 1, 0x9a, 0x55, 0x9a, 0x55, 0x9a, 0x55 };
static const uint8_t cduid[] = { 0, 3, 0, 1, 2, 0, 0, 0, 0, 2 };

/**
 * tap_udp6_send() - Test double: record the datagram
 * @c:		Execution context (unused)
 * @src:	Source address
 * @sport:	Source port
 * @dst:	Destination address
 * @dport:	Destination port
 * @flow:	Flow label
 * @in:		Payload
 * @dlen:	Payload length
 */
void tap_udp6_send(struct ctx *c, const struct in6_addr *src, uint16_t sport,
		   const struct in6_addr *dst, uint16_t dport, uint32_t flow,
		   const void *in, size_t dlen)
{
	(void)c;
	sent.cnt++;
	sent.src = *src;
	sent.dst = *dst;
	sent.sport = sport;
	sent.dport = dport;
	sent.flow = flow;
	sent.len = dlen;
	memcpy(sent.buf, in, dlen);
}

/**
 * tap_flow_label() - Test double: constant non-zero label
 * @key:	Unused
 * @len:	Unused
 *
 * Return: 0x12345
 */
uint32_t tap_flow_label(const void *key, size_t len)
{
	(void)key;
	(void)len;
	return 0x12345;
}

/**
 * struct msg - Client message being built
 * @b:		UDP header and DHCPv6 message
 * @len:	Bytes used
 */
struct msg {
	uint8_t b[MSG_MAX];
	size_t len;
};

/**
 * msg_opt() - Append an option
 * @m:		Message
 * @code:	Option code
 * @len:	Length
 * @data:	Data
 */
static void msg_opt(struct msg *m, uint16_t code, uint16_t len,
		    const void *data)
{
	m->b[m->len++] = code >> 8;
	m->b[m->len++] = code & 0xff;
	m->b[m->len++] = len >> 8;
	m->b[m->len++] = len & 0xff;
	memcpy(m->b + m->len, data, len);
	m->len += len;
}

/**
 * msg_init() - Start a message with client ID and elapsed time
 * @m:		Message (output)
 * @type:	Message type
 * @serverid:	Add our Server Identifier
 */
static void msg_init(struct msg *m, uint8_t type, int serverid)
{
	memset(m, 0, sizeof(*m));
	m->b[0] = 546 >> 8;
	m->b[1] = 546 & 0xff;
	m->b[2] = 547 >> 8;
	m->b[3] = 547 & 0xff;
	m->b[8] = type;
	memcpy(m->b + 9, "\xab\xcd\xef", 3);
	m->len = 12;
	msg_opt(m, 1, sizeof(cduid), cduid);
	msg_opt(m, 8, 2, "\0\0");
	if (serverid)
		msg_opt(m, 2, sizeof(duid), duid);
}

/**
 * msg_ia() - Append an IA_NA, with an address if given
 * @m:		Message
 * @addr:	Address, text, NULL for none
 */
static void msg_ia(struct msg *m, const char *addr)
{
	uint8_t d[12 + 4 + 24] = { 0, 0, 0, 7 };
	struct in6_addr a;

	if (addr) {
		inet_pton(AF_INET6, addr, &a);
		d[12] = 0;
		d[13] = 5;
		d[14] = 0;
		d[15] = 24;
		memcpy(d + 16, &a, 16);
	}
	msg_opt(m, 3, addr ? 40 : 12, d);
}

/**
 * feed() - Hand @len bytes to dhcpv6() through a pool, from fe80::2
 * @b:		Buffer
 * @len:	Bytes
 *
 * Return: what dhcpv6() returns
 */
static int feed(const uint8_t *b, size_t len)
{
	static uint8_t buf[MSG_MAX * 4];
	struct in6_addr s, d;
	struct iovec iov[1];
	struct pool p = { .buf = (char *)buf, .buf_size = sizeof(buf),
			  .size = 1, .count = 0, .pkt = iov };

	inet_pton(AF_INET6, "fe80::2", &s);
	inet_pton(AF_INET6, "ff02::1:2", &d);
	memcpy(buf + 1, b, len);	/* odd address: no alignment assumed */
	packet_add(&p, len, (char *)buf + 1);
	return dhcpv6(&c, &p, &s, &d);
}

/**
 * reply_opt() - Find a top-level option in the captured reply
 * @code:	Option code
 * @len:	Length (output)
 *
 * Return: pointer to the option data, NULL if absent
 */
static const uint8_t *reply_opt(uint16_t code, size_t *len)
{
	size_t off = 4;

	while (off + 4 <= sent.len) {
		uint16_t oc = sent.buf[off] << 8 | sent.buf[off + 1];
		uint16_t ol = sent.buf[off + 2] << 8 | sent.buf[off + 3];

		if (off + 4 + ol > sent.len)
			return NULL;
		if (oc == code) {
			*len = ol;
			return sent.buf + off + 4;
		}
		off += 4 + ol;
	}
	return NULL;
}

/**
 * reply_has() - Check an option's exact bytes in the captured reply
 * @code:	Option code
 * @data:	Expected data
 * @len:	Expected length
 *
 * Return: 1 if present and equal
 */
static int reply_has(uint16_t code, const void *data, size_t len)
{
	size_t l;
	const uint8_t *o = reply_opt(code, &l);

	return o && l == len && !memcmp(o, data, len);
}

/**
 * status_is() - Is the top-level status code option this value?
 * @status:	Expected status
 *
 * Return: 1 if so
 */
static int status_is(uint16_t status)
{
	size_t l;
	const uint8_t *o = reply_opt(13, &l);

	return o && l >= 2 && (o[0] << 8 | o[1]) == status;
}

/**
 * ctx_init() - Set up the fake context
 */
static void ctx_init(void)
{
	memset(&c, 0, sizeof(c));
	inet_pton(AF_INET6, "2001:db8::1", &c.ip6.addr);
	c.ip6.prefix_len = 64;
	inet_pton(AF_INET6, "fe80::1", &c.ip6.our_tap_ll);
	inet_pton(AF_INET6, "2001:db8::53", &c.ip6.dns[0]);
	memcpy(c.our_tap_mac, duid + 4, 6);
	c.mtu = 1500;
	strcpy(c.dns_search[0], "example.com");
	strcpy(c.dns_search[1], "a.example.org");
	strcpy(c.fqdn, "guest.example.com");
}

/**
 * ia_ok() - Does the reply hold IA_NA 7 with our address, infinite?
 *
 * Return: 1 if so
 */
static int ia_ok(void)
{
	size_t l;
	const uint8_t *o = reply_opt(3, &l);

	return o && l == 40 && !memcmp(o, "\0\0\0\7", 4) &&
	       !memcmp(o + 4, "\xff\xff\xff\xff\xff\xff\xff\xff", 8) &&
	       !memcmp(o + 12, "\0\5\0\x18", 4) &&
	       !memcmp(o + 16, &c.ip6.addr, 16) &&
	       !memcmp(o + 32, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
}

/**
 * test_solicit() - SOLICIT: ADVERTISE with everything; rapid commit
 */
static void test_solicit(void)
{
	static const uint8_t list[] = "\x07" "example" "\x03" "com" "\x00"
				      "\x01" "a" "\x07" "example" "\x03" "org";
	static const uint8_t fqdn[] = "\x04\x05" "guest" "\x07" "example"
				      "\x03" "com";
	struct in6_addr dns;
	struct msg m;
	size_t l;

	inet_pton(AF_INET6, "2001:db8::53", &dns);
	msg_init(&m, 1, 0);
	msg_ia(&m, NULL);
	sent.cnt = 0;
	unit_check(feed(m.b, m.len) == 1 && sent.cnt == 1, "SOLICIT answered");
	unit_check(sent.buf[0] == 2 && !memcmp(sent.buf + 1, "\xab\xcd\xef", 3),
	           "ADVERTISE with the client's transaction ID");
	unit_check(sent.sport == 547 && sent.dport == 546 && sent.flow &&
	           !memcmp(&sent.src, &c.ip6.our_tap_ll, 16) &&
	           sent.dst.s6_addr[0] == 0xfe,
	           "from fe80::1:547 to fe80::2:546");
	unit_check(reply_has(2, duid, sizeof(duid)),
		   "server DUID-LL from our MAC");
	unit_check(reply_has(1, cduid, sizeof(cduid)), "client ID echoed");
	unit_check(ia_ok(),
		   "IA_NA with the host's address, infinite lifetimes");
	unit_check(reply_has(7, "\xff", 1), "preference 255");
	unit_check(reply_has(23, &dns, 16), "DNS servers (23)");
	unit_check(reply_has(24, list, sizeof(list)), "domain list (24)");
	unit_check(reply_has(39, fqdn, sizeof(fqdn)), "client FQDN (39)");
	unit_check(!reply_opt(14, &l), "no rapid commit unless asked");

	msg_init(&m, 1, 0);
	msg_ia(&m, NULL);
	msg_opt(&m, 14, 0, "");
	feed(m.b, m.len);
	unit_check(sent.buf[0] == 7 && reply_opt(14, &l) && !l && ia_ok(),
	           "rapid commit: REPLY with option 14 and IA_NA");
}

/**
 * test_types() - REQUEST, RENEW, REBIND, CONFIRM, RELEASE, INFO-REQUEST
 */
static void test_types(void)
{
	struct msg m;

	msg_init(&m, 3, 1);
	msg_ia(&m, "2001:db8::1");
	sent.cnt = 0;
	feed(m.b, m.len);
	unit_check(sent.cnt == 1 && sent.buf[0] == 7 && ia_ok(),
		   "REQUEST: REPLY");
	msg_init(&m, 5, 1);
	msg_ia(&m, "2001:db8::1");
	feed(m.b, m.len);
	unit_check(sent.cnt == 2 && sent.buf[0] == 7 && ia_ok(),
		   "RENEW: REPLY");
	msg_init(&m, 6, 0);
	msg_ia(&m, "2001:db8::1");
	feed(m.b, m.len);
	unit_check(sent.cnt == 3 && sent.buf[0] == 7 && ia_ok(),
		   "REBIND: REPLY");
	msg_init(&m, 4, 0);
	msg_ia(&m, "2001:db8::99");
	feed(m.b, m.len);
	unit_check(sent.cnt == 4 && status_is(0), "CONFIRM on link: Success");
	msg_init(&m, 4, 0);
	msg_ia(&m, "2001:db8:1::99");
	feed(m.b, m.len);
	unit_check(sent.cnt == 5 && status_is(4),
		   "CONFIRM off link: NotOnLink");
	msg_init(&m, 4, 0);
	msg_ia(&m, NULL);
	feed(m.b, m.len);
	unit_check(sent.cnt == 5, "CONFIRM without addresses: no reply");
	msg_init(&m, 8, 1);
	msg_ia(&m, "2001:db8::1");
	feed(m.b, m.len);
	unit_check(sent.cnt == 6 && status_is(0), "RELEASE: Success");
	msg_init(&m, 11, 0);
	feed(m.b, m.len);
	unit_check(sent.cnt == 7 && sent.buf[0] == 7 && !reply_opt(3, &m.len) &&
	           reply_opt(23, &m.len), "INFORMATION-REQUEST: DNS, no IA");
}

/**
 * dhcpv6_drops() - DHCPv6 messages dropped so far, for any reason
 *
 * Return: sum of the dhcpv6_drop_* counters
 */
static unsigned long long dhcpv6_drops(void)
{
	const struct passt_stats *s = &c.stats;

	return s->dhcpv6_drop_short + s->dhcpv6_drop_source +
	       s->dhcpv6_drop_parse + s->dhcpv6_drop_serverid +
	       s->dhcpv6_drop_clientid + s->dhcpv6_drop_type +
	       s->dhcpv6_drop_server + s->dhcpv6_drop_confirm;
}

/**
 * test_bad() - Rule violations, truncation, garbage: dropped, counted
 */
static void test_bad(void)
{
	unsigned long long drops = dhcpv6_drops();
	struct passt_stats before = c.stats;
	uint8_t g[MSG_MAX], other[] = { 0, 3, 0, 1, 1, 2, 3, 4, 5, 6 };
	size_t len, bad = 0;
	struct msg m;
	int i;

	sent.cnt = 0;
	msg_init(&m, 3, 0);		/* REQUEST without server ID */
	feed(m.b, m.len);
	msg_init(&m, 1, 1);		/* SOLICIT with server ID */
	feed(m.b, m.len);
	msg_init(&m, 7, 0);		/* REPLY from the guest */
	feed(m.b, m.len);
	msg_init(&m, 1, 0);
	msg_opt(&m, 8, 3, "\0\0\0");	/* elapsed time, bad length */
	feed(m.b, m.len);
	msg_init(&m, 1, 0);
	msg_opt(&m, 3, 8, "\0\0\0\0\0\0\0\0");	/* short IA_NA */
	feed(m.b, m.len);
	unit_check(!sent.cnt && dhcpv6_drops() - drops == 5,
	           "rule violations and bad lengths: dropped, counted");
	unit_check(c.stats.dhcpv6_drop_serverid -
		   before.dhcpv6_drop_serverid == 2 &&
		   c.stats.dhcpv6_drop_type - before.dhcpv6_drop_type == 1 &&
		   c.stats.dhcpv6_drop_parse - before.dhcpv6_drop_parse == 2,
		   "...as Server Identifier (2), type, malformed (2)");

	msg_init(&m, 3, 0);
	msg_opt(&m, 2, sizeof(other), other);
	feed(m.b, m.len);
	unit_check(!sent.cnt && dhcpv6_drops() - drops == 6 &&
		   c.stats.dhcpv6_drop_server - before.dhcpv6_drop_server == 1,
	           "REQUEST for another server: no reply, counted as such");

	msg_init(&m, 3, 1);
	msg_ia(&m, "2001:db8::1");
	drops = dhcpv6_drops();
	for (len = 0; len < m.len; len++) {
		if (len == 12 || len == 26 || len == 32 || len == 46)
			continue;	/* option boundaries: valid messages */
		if (feed(m.b, len) != 1)
			bad++;
	}
	unit_check(!bad && !sent.cnt &&
	           dhcpv6_drops() - drops == m.len - 4,
	           "every truncation inside an option dropped and counted");

	srand(3);
	for (i = 0; i < 20000; i++) {
		size_t l = (size_t)rand() % sizeof(g), j;

		for (j = 0; j < l; j++)
			g[j] = (uint8_t)(rand() % (i & 1 ? 4 : 256));
		memcpy(g + 2, "\x02\x23", 2);
		feed(g, l);
	}
	unit_check(1, "20000 random messages: no crash");

	c.ip6.addr = in6addr_any;
	msg_init(&m, 1, 0);
	msg_ia(&m, NULL);
	sent.cnt = 0;
	feed(m.b, m.len);
	unit_check(sent.cnt == 1 && !reply_opt(3, &len) && status_is(2),
	           "no address to give: NoAddrsAvail, no IA_NA");
	inet_pton(AF_INET6, "2001:db8::1", &c.ip6.addr);

	c.no_dhcpv6 = true;
	msg_init(&m, 1, 0);
	unit_check(feed(m.b, m.len) == 0, "--no-dhcpv6: not consumed");
	c.no_dhcpv6 = false;
}

/**
 * main() - Run the checks
 *
 * Return: 0 if all passed
 */
int main(void)
{
	ctx_init();
	test_solicit();
	test_types();
	test_bad();
	return unit_done();
}
