// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcp.c - DHCP server for the guest (RFC 2131, RFC 2132)
 *
 * Theory of Operation
 *
 * The guest asks for its IPv4 configuration with DHCP; we hand out exactly
 * one lease: the address the host has upstream (c->ip4.addr), with its
 * netmask, the gateway as router and server identifier, the resolvers, the
 * search domains, the MTU, and an infinite lease time. There is no lease
 * state: every request is answered from the context alone, so a guest that
 * reboots or renews always gets the same answer.
 *
 * Input is one UDP datagram to port 67 (tap.c sorts it here), read only
 * through the packet pool: the fixed BOOTP part is taken as one checked
 * range, then options are parsed with a cursor (offset and remaining length)
 * so that every option length is checked against what is left before its
 * bytes are read. A request that is truncated, lacks the magic cookie or the
 * END option, or carries a malformed option is dropped and counted in
 * c->stats (dhcp_drop_*, one counter per reason); no reply is sent.
 *
 * Replies are built into one static buffer. The buffer size the client can
 * take is its Maximum DHCP Message Size (option 57) if given, else 576 bytes
 * of IP datagram (RFC 2131 section 2), also capped by the guest MTU. Options
 * are written in priority order; one that would not fit (long host names) is
 * left out with a rate-limited warning instead of being cut, and a search
 * list that would not fit loses its last domains first.
 * Options longer than 255 bytes are split into several instances of the same
 * code (RFC 3396). The search list (option 119) uses DNS name compression
 * (RFC 3397, RFC 1035 section 4.1.4), done by dns_name_encode() in dns.c,
 * which also lists the resolvers (dns_resolvers4()).
 *
 * Destination of a reply (RFC 2131 section 4.1): the client's ciaddr if set,
 * else the limited broadcast address if the client set the broadcast flag
 * (always for a NAK), else the offered address; at L2 the frame goes to the
 * guest's MAC address (tap.c).
 */

#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/udp.h>

#include "checksum.h"
#include "dhcp.h"
#include "dns.h"
#include "log.h"
#include "packet.h"
#include "ctx.h"
#include "tap_out.h"
#include "util.h"

/* BOOTP/DHCP constants (RFC 951, RFC 2131) */
#define DHCP_SERVER_PORT	67
#define DHCP_CLIENT_PORT	68
#define BOOTREQUEST		1
#define BOOTREPLY		2
#define DHCP_HTYPE_ETHER	1
#define DHCP_MAGIC_COOKIE	0x63825363
#define DHCP_FLAG_BROADCAST	0x8000

/* Sizes: IP datagram every client takes, BOOTP minimum, IP + UDP headers */
#define DHCP_MIN_DGRAM		576
#define DHCP_BOOTP_MIN_LEN	300
#define DHCP_IPUDP_HLEN		28
#define DHCP_OPTS_MAX		2560	/* Room for all our options */
#define DHCP_OPT_DATA_MAX	255	/* Longest single option instance */
#define DHCP_LEASE_INFINITE	0xffffffffU

/* Option codes (RFC 2132, RFC 3397, RFC 4702) */
#define DHO_PAD			0
#define DHO_SUBNET_MASK		1
#define DHO_ROUTERS		3
#define DHO_DOMAIN_NAME_SERVERS	6
#define DHO_HOST_NAME		12
#define DHO_DOMAIN_NAME		15
#define DHO_INTERFACE_MTU	26
#define DHO_REQUESTED_ADDRESS	50
#define DHO_LEASE_TIME		51
#define DHO_OPTION_OVERLOAD	52
#define DHO_MESSAGE_TYPE	53
#define DHO_SERVER_IDENTIFIER	54
#define DHO_MESSAGE		56
#define DHO_MAX_MESSAGE_SIZE	57
#define DHO_CLIENT_FQDN		81
#define DHO_DOMAIN_SEARCH	119
#define DHO_END			255

/* Message types, option 53 */
#define DHCPDISCOVER		1
#define DHCPOFFER		2
#define DHCPREQUEST		3
#define DHCPDECLINE		4
#define DHCPACK			5
#define DHCPNAK			6
#define DHCPRELEASE		7
#define DHCPINFORM		8

/* Client FQDN option flags (RFC 4702 section 2.1) */
#define DHCP_FQDN_FLAG_E	0x04	/* Canonical wire format */
#define DHCP_FQDN_FLAG_N	0x08	/* Server does no DNS updates */
#define DHCP_FQDN_RCODE		255

/**
 * struct dhcp_msg - BOOTP/DHCP message (RFC 2131 section 2)
 * @op:		BOOTREQUEST or BOOTREPLY
 * @htype:	Hardware address type
 * @hlen:	Hardware address length
 * @hops:	Relay hops
 * @xid:	Transaction ID
 * @secs:	Seconds since the client started
 * @flags:	Flags, DHCP_FLAG_BROADCAST
 * @ciaddr:	Client's address, if bound
 * @yiaddr:	Address given to the client
 * @siaddr:	Next server
 * @giaddr:	Relay agent
 * @chaddr:	Client hardware address
 * @sname:	Server host name
 * @file:	Boot file name
 * @magic:	DHCP_MAGIC_COOKIE
 * @o:		Options
 */
struct dhcp_msg {
	uint8_t op;
	uint8_t htype;
	uint8_t hlen;
	uint8_t hops;
	__be32 xid;
	__be16 secs;
	__be16 flags;
	__be32 ciaddr;
	__be32 yiaddr;
	__be32 siaddr;
	__be32 giaddr;
	uint8_t chaddr[16];
	uint8_t sname[64];
	uint8_t file[128];
	__be32 magic;
	uint8_t o[DHCP_OPTS_MAX];
} __attribute__((packed));

#define DHCP_FIXED_LEN		offsetof(struct dhcp_msg, o)

static_assert(DHCP_FIXED_LEN == 240, "BOOTP fixed part is 236 + 4 bytes");
static_assert(DHCP_MIN_DGRAM - DHCP_IPUDP_HLEN <= sizeof(struct dhcp_msg),
	      "reply buffer holds a minimum size message");

/**
 * struct dhcp_req - What we use from a request's options
 * @type:	Message type (option 53), 0 if absent
 * @reqip:	Requested address (option 50), INADDR_ANY if absent
 * @server_id:	Server identifier (option 54), INADDR_ANY if absent
 * @max_size:	Maximum DHCP message size (option 57), 0 if absent
 */
struct dhcp_req {
	uint8_t type;
	struct in_addr reqip;
	struct in_addr server_id;
	size_t max_size;
};

/**
 * struct dhcp_cursor - Parser position in a request
 * @p:		Pool holding the request, packet 0
 * @off:	Offset of the next unread byte in the packet
 * @left:	Bytes left to parse after @off
 */
struct dhcp_cursor {
	const struct pool *p;
	size_t off;
	size_t left;
};

/**
 * struct dhcp_opts - Options area being written in a reply
 * @b:		Start of the options area
 * @len:	Bytes written
 * @max:	Bytes available, one of which is kept for DHO_END
 */
struct dhcp_opts {
	uint8_t *b;
	size_t len;
	size_t max;
};

/**
 * struct dhcp_state - File-scope state: the reply buffer
 * @reply:	Reply being built (sent synchronously, so one is enough)
 */
static struct dhcp_state {
	struct dhcp_msg reply;
} dhcp_state;

/**
 * dhcp_take() - Take bytes from a request at the cursor
 * @cur:	Cursor, advanced past the bytes
 * @len:	Bytes wanted
 *
 * Return: pointer to @len bytes, NULL if fewer are left
 */
static const uint8_t *dhcp_take(struct dhcp_cursor *cur, size_t len)
{
	const uint8_t *b;

	if (len > cur->left)
		return NULL;
	b = packet_get(cur->p, 0, cur->off, len, NULL);
	if (!b)
		return NULL;
	cur->off += len;
	cur->left -= len;
	return b;
}

/**
 * dhcp_opt_take() - Record one request option we care about
 * @r:		Request summary, updated (output)
 * @code:	Option code
 * @data:	Option data, @len bytes (checked by the caller)
 * @len:	Option length, bytes
 *
 * Return: true if valid, false if a known option has a bad length
 */
static bool dhcp_opt_take(struct dhcp_req *r, uint8_t code,
			  const uint8_t *data, size_t len)
{
	switch (code) {
	case DHO_MESSAGE_TYPE:
		if (len != 1 || r->type)
			return false;
		r->type = data[0];
		return true;
	case DHO_REQUESTED_ADDRESS:
		if (len != sizeof(r->reqip))
			return false;
		memcpy(&r->reqip, data, sizeof(r->reqip));
		return true;
	case DHO_SERVER_IDENTIFIER:
		if (len != sizeof(r->server_id))
			return false;
		memcpy(&r->server_id, data, sizeof(r->server_id));
		return true;
	case DHO_MAX_MESSAGE_SIZE:
		if (len != 2)
			return false;
		r->max_size = (size_t)data[0] << 8 | data[1];
		return true;
	default:
		return true;
	}
}

/**
 * dhcp_opts_parse() - Parse the options of a request up to DHO_END
 * @cur:	Cursor at the first option
 * @r:		Request summary (output)
 *
 * Return: true if well formed and terminated by DHO_END, false otherwise
 */
static bool dhcp_opts_parse(struct dhcp_cursor *cur, struct dhcp_req *r)
{
	const uint8_t *b, *data;

	memset(r, 0, sizeof(*r));
	while ((b = dhcp_take(cur, 1))) {
		uint8_t code = b[0];

		if (code == DHO_PAD)
			continue;
		if (code == DHO_END)
			return true;
		if (!(b = dhcp_take(cur, 1)) || !(data = dhcp_take(cur, b[0])))
			return false;
		if (!dhcp_opt_take(r, code, data, b[0]))
			return false;
	}
	return false;
}

/**
 * dhcp_opt_put() - Append an option to a reply, split if over 255 bytes
 * @o:		Options area
 * @code:	Option code
 * @data:	Option data
 * @len:	Length of @data, bytes
 *
 * Return: true if written, false if it doesn't fit (nothing written)
 */
static bool dhcp_opt_put(struct dhcp_opts *o, uint8_t code, const void *data,
			 size_t len)
{
	size_t n = len ? DIV_ROUND_UP(len, DHCP_OPT_DATA_MAX) : 1;
	const uint8_t *d = data;

	if (len + 2 * n + 1 > o->max - o->len)
		return false;
	do {
		size_t chunk = MIN(len, DHCP_OPT_DATA_MAX);

		o->b[o->len++] = code;
		o->b[o->len++] = (uint8_t)chunk;
		if (chunk)
			memcpy(o->b + o->len, d, chunk);
		o->len += chunk;
		d += chunk;
		len -= chunk;
	} while (len);
	return true;
}

/**
 * dhcp_opt_add() - Append an optional option, log if it doesn't fit
 * @o:		Options area
 * @code:	Option code
 * @data:	Option data
 * @len:	Length of @data, bytes
 *
 * Return: true if written, false if left out
 */
static bool dhcp_opt_add(struct dhcp_opts *o, uint8_t code, const void *data,
			 size_t len)
{
	if (dhcp_opt_put(o, code, data, len))
		return true;
	warn_ratelimit("DHCP: option %u (%zu bytes) left out, reply is limited "
		       "to %zu bytes of options", code, len, o->max);
	return false;
}

/**
 * dhcp_search_encode() - Encode the search list for option 119
 * @c:		Execution context
 * @n:		Encode at most the first @n domains
 * @out:	Buffer for the encoded list (output)
 * @size:	Size of @out, bytes
 *
 * Return: bytes used in @out, 0 if the list is empty
 */
static size_t dhcp_search_encode(const struct ctx *c, size_t n, uint8_t *out,
				 size_t size)
{
	struct dns_sfx sfx = { .cnt = 0 };
	size_t len = 0, i, saved;

	for (i = 0; i < MIN(n, DNS_SEARCH_MAX) && c->dns_search[i][0]; i++) {
		const char *name = c->dns_search[i];

		saved = sfx.cnt;
		if (!dns_name_encode(out, &len, size, name, &sfx)) {
			sfx.cnt = saved;	/* forget the suffixes of it */
			debug("DHCP: search domain %s not encoded", name);
		}
	}
	return len;
}

/**
 * dhcp_reply_max() - Largest reply the client takes
 * @c:		Execution context
 * @r:		Request summary
 *
 * Return: DHCP message bytes (no IP and UDP headers) we may send
 */
static size_t dhcp_reply_max(const struct ctx *c, const struct dhcp_req *r)
{
	size_t dgram = MAX(r->max_size, (size_t)DHCP_MIN_DGRAM);

	if (c->mtu > 0 && (size_t)c->mtu < dgram)
		dgram = MAX((size_t)c->mtu, (size_t)DHCP_MIN_DGRAM);
	return MIN(dgram - DHCP_IPUDP_HLEN, sizeof(struct dhcp_msg));
}

/**
 * dhcp_opts_search() - Append option 119, leaving out trailing domains
 *			 (lowest priority) until it fits
 * @c:		Execution context
 * @o:		Options area
 * @buf:	Scratch buffer for the encoded list
 * @size:	Size of @buf, bytes
 */
static void dhcp_opts_search(const struct ctx *c, struct dhcp_opts *o,
			     uint8_t *buf, size_t size)
{
	size_t n, len, cnt = 0;

	while (cnt < DNS_SEARCH_MAX && c->dns_search[cnt][0])
		cnt++;
	for (n = cnt; n; n--) {
		len = dhcp_search_encode(c, n, buf, size);
		if (!len || !dhcp_opt_put(o, DHO_DOMAIN_SEARCH, buf, len))
			continue;
		if (n < cnt)
			warn_ratelimit("DHCP: %zu of %zu search domains left "
				       "out, reply is limited to %zu bytes of "
				       "options", cnt - n, cnt, o->max);
		return;
	}
	warn_ratelimit("DHCP: search list left out, reply is limited to %zu "
		       "bytes of options", o->max);
}

/**
 * dhcp_opts_names() - Append host name, FQDN, search list and domain name
 * @c:		Execution context
 * @o:		Options area
 */
static void dhcp_opts_names(const struct ctx *c, struct dhcp_opts *o)
{
	uint8_t buf[(DNS_SEARCH_MAX + 1) * (DNS_NAME_MAX + 2)];
	size_t len = 3;

	if (c->hostname[0])
		dhcp_opt_add(o, DHO_HOST_NAME, c->hostname,
			     strnlen(c->hostname, DHCP_OPT_DATA_MAX));
	if (c->fqdn[0]) {
		buf[0] = DHCP_FQDN_FLAG_E | DHCP_FQDN_FLAG_N;
		buf[1] = buf[2] = DHCP_FQDN_RCODE;
		if (dns_name_encode(buf, &len, sizeof(buf), c->fqdn, NULL))
			dhcp_opt_add(o, DHO_CLIENT_FQDN, buf, len);
	}
	if (c->no_dhcp_dns_search || !c->dns_search[0][0])
		return;
	dhcp_opts_search(c, o, buf, sizeof(buf));
	dhcp_opt_add(o, DHO_DOMAIN_NAME, c->dns_search[0],
		     strnlen(c->dns_search[0], DHCP_OPT_DATA_MAX));
}

/**
 * dhcp_opts_config() - Append the configuration options, by priority
 * @c:		Execution context
 * @o:		Options area
 */
static void dhcp_opts_config(const struct ctx *c, struct dhcp_opts *o)
{
	struct in_addr dns[DNS_MAX + 2];
	__be32 mask;
	size_t n;

	mask = host_to_be32(c->ip4.prefix_len <= 0 ? 0 :
			    0xffffffffU << (32 - MIN(c->ip4.prefix_len, 32)));
	dhcp_opt_add(o, DHO_SUBNET_MASK, &mask, sizeof(mask));
	if (!in4_is_unspec(&c->ip4.gw))
		dhcp_opt_add(o, DHO_ROUTERS, &c->ip4.gw, sizeof(c->ip4.gw));
	if ((n = dns_resolvers4(c, dns)))
		dhcp_opt_add(o, DHO_DOMAIN_NAME_SERVERS, dns, n * sizeof(*dns));
	if (c->mtu > 0) {
		__be16 mtu = host_to_be16((uint16_t)MIN(c->mtu, 65535));

		dhcp_opt_add(o, DHO_INTERFACE_MTU, &mtu, sizeof(mtu));
	}
	dhcp_opts_names(c, o);
}

/**
 * dhcp_reply_build() - Build a reply into the static buffer
 * @c:		Execution context
 * @req:	Fixed part of the request
 * @r:		Request summary
 * @type:	DHCPOFFER, DHCPACK or DHCPNAK
 * @lease:	Give an address and lease time (not for INFORM or NAK)
 *
 * Return: length of the reply, bytes
 */
static size_t dhcp_reply_build(const struct ctx *c, const struct dhcp_msg *req,
			       const struct dhcp_req *r, uint8_t type,
			       bool lease)
{
	struct dhcp_msg *m = &dhcp_state.reply;
	__be32 lease_time = htonl_constant(DHCP_LEASE_INFINITE);
	struct dhcp_opts o = { .b = m->o, .len = 0 };

	memset(m, 0, sizeof(*m));
	m->op = BOOTREPLY;
	m->htype = req->htype;
	m->hlen = req->hlen;
	m->xid = req->xid;
	m->flags = req->flags;
	m->giaddr = req->giaddr;
	memcpy(m->chaddr, req->chaddr, sizeof(m->chaddr));
	m->magic = htonl_constant(DHCP_MAGIC_COOKIE);
	if (type != DHCPNAK)
		m->ciaddr = req->ciaddr;
	if (lease)
		m->yiaddr = in4_to_be32(c->ip4.addr);

	o.max = dhcp_reply_max(c, r) - DHCP_FIXED_LEN;
	dhcp_opt_put(&o, DHO_MESSAGE_TYPE, &type, sizeof(type));
	dhcp_opt_put(&o, DHO_SERVER_IDENTIFIER, &c->ip4.gw, sizeof(c->ip4.gw));
	if (lease)
		dhcp_opt_put(&o, DHO_LEASE_TIME, &lease_time,
			     sizeof(lease_time));
	if (type != DHCPNAK)
		dhcp_opts_config(c, &o);
	o.b[o.len++] = DHO_END;

	return MAX(DHCP_FIXED_LEN + o.len, (size_t)DHCP_BOOTP_MIN_LEN);
}

/**
 * dhcp_send() - Send a reply to the address the request calls for
 * @c:		Execution context
 * @req:	Fixed part of the request
 * @type:	Message type of the reply
 * @len:	Length of the reply in the static buffer, bytes
 */
static void dhcp_send(struct ctx *c, const struct dhcp_msg *req, uint8_t type,
		      size_t len)
{
	struct in_addr dst = { .s_addr = INADDR_BROADCAST };
	const struct dhcp_msg *m = &dhcp_state.reply;

	if (type != DHCPNAK) {
		if (req->ciaddr)
			dst = be32_to_in4(req->ciaddr);
		else if (!(req->flags & htons_constant(DHCP_FLAG_BROADCAST)))
			dst = be32_to_in4(m->yiaddr);
	}
	if (in4_is_unspec(&dst))
		dst.s_addr = INADDR_BROADCAST;

	tap_udp4_send(c, c->ip4.gw, DHCP_SERVER_PORT, dst, DHCP_CLIENT_PORT,
		      m, len);
}

/**
 * dhcp_reply() - Build and send a reply
 * @c:		Execution context
 * @req:	Fixed part of the request
 * @r:		Request summary
 * @type:	DHCPOFFER, DHCPACK or DHCPNAK
 * @lease:	Give an address and lease time
 */
static void dhcp_reply(struct ctx *c, const struct dhcp_msg *req,
		       const struct dhcp_req *r, uint8_t type, bool lease)
{
	size_t len = dhcp_reply_build(c, req, r, type, lease);

	dhcp_send(c, req, type, len);
}

/**
 * dhcp_drop() - Count and log a dropped request
 * @reason:	Counter of the reason, in c->stats
 * @why:	Reason, for the log
 *
 * Return: 1, the request was consumed
 */
static int dhcp_drop(unsigned long long *reason, const char *why)
{
	(*reason)++;
	debug_ratelimit("DHCP: request dropped: %s", why);
	return 1;
}

/**
 * dhcp_request() - Answer a DHCPREQUEST with an ACK or a NAK
 * @c:		Execution context
 * @req:	Fixed part of the request
 * @r:		Request summary
 */
static void dhcp_request(struct ctx *c, const struct dhcp_msg *req,
			 const struct dhcp_req *r)
{
	struct in_addr want = r->reqip;
	char buf[INET_ADDRSTRLEN];

	if (!in4_is_unspec(&r->server_id) &&
	    !in4_equal(&r->server_id, &c->ip4.gw)) {
		dhcp_drop(&c->stats.dhcp_drop_server,
			  "request for another server");
		return;
	}
	if (in4_is_unspec(&want))
		want = be32_to_in4(req->ciaddr);
	if (!in4_is_unspec(&want) && !in4_equal(&want, &c->ip4.addr)) {
		debug("DHCP: NAK for requested address %s",
		      inet_ntop(AF_INET, &want, buf, sizeof(buf)));
		dhcp_reply(c, req, r, DHCPNAK, false);
		return;
	}
	dhcp_reply(c, req, r, DHCPACK, true);
}

/**
 * dhcp_dispatch() - Answer a well-formed request by its message type
 * @c:		Execution context
 * @req:	Fixed part of the request
 * @r:		Request summary
 *
 * Return: 1, the request was consumed
 */
static int dhcp_dispatch(struct ctx *c, const struct dhcp_msg *req,
			 const struct dhcp_req *r)
{
	switch (r->type) {
	case DHCPDISCOVER:
		dhcp_reply(c, req, r, DHCPOFFER, true);
		return 1;
	case DHCPREQUEST:
		dhcp_request(c, req, r);
		return 1;
	case DHCPINFORM:
		dhcp_reply(c, req, r, DHCPACK, false);
		return 1;
	case DHCPDECLINE:
		warn_ratelimit("DHCP: guest declined the address given");
		return 1;
	case DHCPRELEASE:
		debug("DHCP: guest released its lease");
		return 1;
	case 0:
		return dhcp_drop(&c->stats.dhcp_drop_bootp,
				 "no message type (BOOTP)");
	default:
		return dhcp_drop(&c->stats.dhcp_drop_type,
				 "unexpected message type");
	}
}

/**
 * dhcp() - Handle a DHCP request from the guest, send the reply
 * @c:		Execution context
 * @p:		Pool: packet 0 is the UDP datagram (header and payload)
 *
 * Return: 1 if the datagram was for the DHCP server (answered or dropped),
 *	   0 if it is not ours (other port, or --no-dhcp)
 */
int dhcp(struct ctx *c, const struct pool *p)
{
	const struct dhcp_msg *req;
	struct dhcp_cursor cur;
	struct udphdr uh;
	struct dhcp_req r;
	const void *b;
	size_t left;

	/* Copied out: the pool gives no alignment guarantee */
	if (!(b = packet_get(p, 0, 0, sizeof(uh), NULL)))
		return dhcp_drop(&c->stats.dhcp_drop_short, "no UDP header");
	memcpy(&uh, b, sizeof(uh));
	if (uh.dest != htons_constant(DHCP_SERVER_PORT) || c->no_dhcp)
		return 0;

	req = packet_get(p, 0, sizeof(uh), DHCP_FIXED_LEN, &left);
	if (!req)
		return dhcp_drop(&c->stats.dhcp_drop_short,
				 "truncated fixed part");
	if (req->op != BOOTREQUEST || req->htype != DHCP_HTYPE_ETHER ||
	    req->hlen != ETH_ALEN)
		return dhcp_drop(&c->stats.dhcp_drop_op,
				 "not an Ethernet BOOTREQUEST");
	if (req->magic != htonl_constant(DHCP_MAGIC_COOKIE))
		return dhcp_drop(&c->stats.dhcp_drop_cookie, "no magic cookie");

	cur.p = p;
	cur.off = sizeof(uh) + DHCP_FIXED_LEN;
	cur.left = left;
	if (!dhcp_opts_parse(&cur, &r))
		return dhcp_drop(&c->stats.dhcp_drop_opts,
				 "malformed or truncated options");

	return dhcp_dispatch(c, req, &r);
}
