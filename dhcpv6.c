// SPDX-License-Identifier: GPL-2.0-or-later
/* dhcpv6.c - DHCPv6 server for the guest (RFC 8415, RFC 3646, RFC 4704)
 *
 * Theory of Operation
 *
 * As for DHCP, there is one binding and no lease state: every IA_NA the
 * client asks about gets the host's upstream address (c->ip6.addr) with
 * infinite lifetimes, and every reply carries the resolvers (option 23) and
 * the search list (option 24). Our DUID is a DUID-LL (type 3) built from
 * our MAC address, so it stays the same across restarts as long as the MAC
 * does.
 *
 * Message types handled (RFC 8415 section 18.3):
 * - SOLICIT: ADVERTISE, or REPLY with Rapid Commit if the client asked
 * - REQUEST, RENEW, REBIND: REPLY with the addresses (status NoAddrsAvail
 *   if there is no address to give)
 * - CONFIRM: REPLY with Success if every address is on our prefix, else
 *   NotOnLink; none if it names no address
 * - RELEASE, DECLINE: REPLY with Success (there is nothing to free)
 * - INFORMATION-REQUEST: REPLY with configuration options only
 * Messages naming another server's DUID, CONFIRMs without addresses, and
 * messages that break the per-type rules on Client and Server Identifier,
 * or whose options are truncated or of a wrong length, get no reply: each
 * is counted in c->stats under its reason (dhcpv6_drop_*). Options are
 * walked with a cursor (offset, remaining length) through the packet pool,
 * nested IA_NA options likewise.
 *
 * Replies go from c->ip6.our_tap_ll port 547 to the client's source address
 * port 546, sized to the guest MTU (at least the IPv6 minimum, 1280 bytes):
 * optional options that do not fit are left out with a warning.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <linux/udp.h>

#include "checksum.h"
#include "dhcpv6.h"
#include "dns.h"
#include "log.h"
#include "packet.h"
#include "ctx.h"
#include "tap_out.h"
#include "util.h"

#define DHCPV6_CLIENT_PORT	546
#define DHCPV6_SERVER_PORT	547

/* Message types (RFC 8415 section 7.3) */
#define DHCPV6_SOLICIT		1
#define DHCPV6_ADVERTISE	2
#define DHCPV6_REQUEST		3
#define DHCPV6_CONFIRM		4
#define DHCPV6_RENEW		5
#define DHCPV6_REBIND		6
#define DHCPV6_REPLY		7
#define DHCPV6_RELEASE		8
#define DHCPV6_DECLINE		9
#define DHCPV6_INFO_REQUEST	11

/* Option codes (RFC 8415 section 21, RFC 3646, RFC 4704) */
#define OPTION_CLIENTID		1
#define OPTION_SERVERID		2
#define OPTION_IA_NA		3
#define OPTION_IAADDR		5
#define OPTION_PREFERENCE	7
#define OPTION_ELAPSED_TIME	8
#define OPTION_STATUS_CODE	13
#define OPTION_RAPID_COMMIT	14
#define OPTION_DNS_SERVERS	23
#define OPTION_DOMAIN_LIST	24
#define OPTION_CLIENT_FQDN	39

/* Status codes (RFC 8415 section 21.13) */
#define STATUS_SUCCESS		0
#define STATUS_NOADDRSAVAIL	2
#define STATUS_NOTONLINK	4

#define DHCPV6_DUID_LL		3
#define DHCPV6_HWTYPE_ETHER	1
#define DHCPV6_DUID_MAX		130	/* type and up to 128 bytes */
#define DHCPV6_IA_MAX		8	/* IA_NAs answered in one reply */
#define DHCPV6_IA_NA_LEN	12	/* IAID, T1, T2 */
#define DHCPV6_IAADDR_LEN	24	/* address, lifetimes */
#define DHCPV6_INFINITE		0xffffffffU
#define DHCPV6_PREF_MAX		255
#define DHCPV6_FQDN_FLAG_N	0x04	/* Server does no DNS updates */
#define DHCPV6_OUT_MAX		4096
#define DHCPV6_IPUDP_HLEN	48
#define IPV6_MIN_MTU		1280

/**
 * struct dhcpv6_opt_hdr - Option header
 * @code:	Option code
 * @len:	Length of the option data, bytes
 */
struct dhcpv6_opt_hdr {
	__be16 code;
	__be16 len;
} __attribute__((packed));

/**
 * struct dhcpv6_ia_na - IA_NA option data, fixed part
 * @iaid:	Identity association ID, opaque
 * @t1:		Renew time, seconds
 * @t2:		Rebind time, seconds
 */
struct dhcpv6_ia_na {
	__be32 iaid;
	__be32 t1;
	__be32 t2;
} __attribute__((packed));

/**
 * struct dhcpv6_iaaddr - IA Address option data, fixed part
 * @addr:	Address
 * @preferred:	Preferred lifetime, seconds
 * @valid:	Valid lifetime, seconds
 */
struct dhcpv6_iaaddr {
	struct in6_addr addr;
	__be32 preferred;
	__be32 valid;
} __attribute__((packed));

/**
 * struct dhcpv6_req - What we use from a client message
 * @type:	Message type
 * @xid:	Transaction ID
 * @clientid:	Client DUID, NULL if absent (points into the pool)
 * @clientid_len: Length of @clientid, bytes
 * @serverid:	Server Identifier present
 * @serverid_ours: Server Identifier present and equal to our DUID
 * @iaid:	IAIDs of the IA_NA options
 * @ia_cnt:	IA_NA options seen (at most DHCPV6_IA_MAX kept)
 * @addr_cnt:	IA Address options seen in IA_NAs
 * @offlink:	An IA Address is not on our prefix
 * @rapid_commit: Rapid Commit option present
 */
struct dhcpv6_req {
	uint8_t type;
	uint8_t xid[3];
	const uint8_t *clientid;
	size_t clientid_len;
	bool serverid;
	bool serverid_ours;
	__be32 iaid[DHCPV6_IA_MAX];
	size_t ia_cnt;
	size_t addr_cnt;
	bool offlink;
	bool rapid_commit;
};

/**
 * struct dhcpv6_cursor - Parser position in a message
 * @p:		Pool, packet 0 is the UDP datagram
 * @off:	Offset of the next unread byte
 * @left:	Bytes left in the current (possibly nested) option area
 */
struct dhcpv6_cursor {
	const struct pool *p;
	size_t off;
	size_t left;
};

/**
 * struct dhcpv6_out - Reply being built
 * @b:		Bytes
 * @len:	Bytes used
 * @max:	Bytes we may use
 */
struct dhcpv6_out {
	uint8_t b[DHCPV6_OUT_MAX];
	size_t len;
	size_t max;
};

/**
 * struct dhcpv6_state - File-scope state
 * @duid:	Our DUID-LL
 * @duid_len:	Length of @duid, bytes
 * @out:	Reply buffer
 */
static struct dhcpv6_state {
	uint8_t duid[2 + 2 + ETH_ALEN];
	size_t duid_len;
	struct dhcpv6_out out;
} dhcpv6_state;

/**
 * dhcpv6_duid_set() - Build our DUID-LL from our MAC address
 * @c:		Execution context
 */
static void dhcpv6_duid_set(const struct ctx *c)
{
	uint8_t *d = dhcpv6_state.duid;

	d[0] = 0;
	d[1] = DHCPV6_DUID_LL;
	d[2] = 0;
	d[3] = DHCPV6_HWTYPE_ETHER;
	memcpy(d + 4, c->our_tap_mac, ETH_ALEN);
	dhcpv6_state.duid_len = sizeof(dhcpv6_state.duid);
}

/**
 * dhcpv6_drop() - Count and log a dropped message
 * @reason:	Counter of the reason, in c->stats
 * @why:	Reason, for the log
 *
 * Return: 1, the message was consumed
 */
static int dhcpv6_drop(unsigned long long *reason, const char *why)
{
	(*reason)++;
	debug_ratelimit("DHCPv6: message dropped: %s", why);
	return 1;
}

/**
 * dhcpv6_take() - Take bytes at the cursor
 * @cur:	Cursor, advanced past the bytes
 * @len:	Bytes wanted
 *
 * Return: pointer to @len bytes, NULL if fewer are left
 */
static const uint8_t *dhcpv6_take(struct dhcpv6_cursor *cur, size_t len)
{
	const uint8_t *b;

	if (len > cur->left)
		return NULL;
	if (!(b = packet_get(cur->p, 0, cur->off, len, NULL)))
		return NULL;
	cur->off += len;
	cur->left -= len;
	return b;
}

/**
 * dhcpv6_opt_next() - Take the next option header and its data
 * @cur:	Cursor, advanced past the option
 * @code:	Option code, host order (output)
 * @data:	Cursor over the option data (output)
 *
 * Return: true if an option was taken, false at the end or if truncated
 *	   (@cur->left is non-zero in that case)
 */
static bool dhcpv6_opt_next(struct dhcpv6_cursor *cur, uint16_t *code,
			    struct dhcpv6_cursor *data)
{
	const struct dhcpv6_opt_hdr *h;
	size_t len;

	if (!(h = (const struct dhcpv6_opt_hdr *)dhcpv6_take(cur, sizeof(*h))))
		return false;
	*code = be16_to_host(h->code);
	len = be16_to_host(h->len);
	data->p = cur->p;
	data->off = cur->off;
	data->left = len;
	if (!dhcpv6_take(cur, len)) {
		cur->left = MAX(cur->left, (size_t)1);	/* truncated */
		return false;
	}
	return true;
}

/**
 * dhcpv6_on_link() - Is an address on our prefix?
 * @c:		Execution context
 * @a:		Address
 *
 * Return: true if @a matches c->ip6.addr in its first prefix_len bits
 */
static bool dhcpv6_on_link(const struct ctx *c, const struct in6_addr *a)
{
	int plen = c->ip6.prefix_len > 0 && c->ip6.prefix_len <= 128 ?
		   c->ip6.prefix_len : 64;
	int bytes = plen / 8, bits = plen % 8;
	uint8_t mask = (uint8_t)(0xff00 >> bits);

	if (memcmp(a->s6_addr, c->ip6.addr.s6_addr, (size_t)bytes))
		return false;
	return !bits || !((a->s6_addr[bytes] ^ c->ip6.addr.s6_addr[bytes]) &
			  mask);
}

/**
 * dhcpv6_ia_parse() - Parse an IA_NA option: IAID and its addresses
 * @c:		Execution context
 * @cur:	Cursor over the IA_NA option data
 * @r:		Request summary, updated (output)
 *
 * Return: true if well formed
 */
static bool dhcpv6_ia_parse(const struct ctx *c, struct dhcpv6_cursor *cur,
			    struct dhcpv6_req *r)
{
	const struct dhcpv6_ia_na *ia;
	struct dhcpv6_cursor data;
	uint16_t code;

	ia = (const struct dhcpv6_ia_na *)dhcpv6_take(cur, sizeof(*ia));
	if (!ia)
		return false;
	if (r->ia_cnt < DHCPV6_IA_MAX)
		r->iaid[r->ia_cnt++] = ia->iaid;
	while (dhcpv6_opt_next(cur, &code, &data)) {
		const struct dhcpv6_iaaddr *a;
		struct in6_addr addr;
		const uint8_t *b;

		if (code != OPTION_IAADDR)
			continue;
		b = dhcpv6_take(&data, sizeof(*a));
		if (!(a = (const struct dhcpv6_iaaddr *)b))
			return false;
		addr = a->addr;
		r->addr_cnt++;
		if (!dhcpv6_on_link(c, &addr))
			r->offlink = true;
	}
	return !cur->left;
}

/**
 * dhcpv6_opt_take() - Record one top-level option of a client message
 * @c:		Execution context
 * @code:	Option code
 * @data:	Cursor over the option data
 * @r:		Request summary, updated (output)
 *
 * Return: true if valid, false if a known option is malformed
 */
static bool dhcpv6_opt_take(const struct ctx *c, uint16_t code,
			    struct dhcpv6_cursor *data, struct dhcpv6_req *r)
{
	size_t len = data->left;
	const uint8_t *b;

	switch (code) {
	case OPTION_CLIENTID:
		if (!len || len > DHCPV6_DUID_MAX || r->clientid)
			return false;
		r->clientid = dhcpv6_take(data, len);
		r->clientid_len = len;
		return !!r->clientid;
	case OPTION_SERVERID:
		if (!len || len > DHCPV6_DUID_MAX || r->serverid)
			return false;
		if (!(b = dhcpv6_take(data, len)))
			return false;
		r->serverid = true;
		r->serverid_ours = len == dhcpv6_state.duid_len &&
				   !memcmp(b, dhcpv6_state.duid, len);
		return true;
	case OPTION_IA_NA:
		return dhcpv6_ia_parse(c, data, r);
	case OPTION_ELAPSED_TIME:
		return len == 2;
	case OPTION_RAPID_COMMIT:
		r->rapid_commit = true;
		return len == 0;
	default:
		return true;
	}
}

/**
 * dhcpv6_parse() - Parse a client message after the UDP header
 * @c:		Execution context
 * @cur:	Cursor at the DHCPv6 message
 * @r:		Request summary (output)
 *
 * Return: true if well formed
 */
static bool dhcpv6_parse(const struct ctx *c, struct dhcpv6_cursor *cur,
			 struct dhcpv6_req *r)
{
	struct dhcpv6_cursor data;
	const uint8_t *h;
	uint16_t code;

	memset(r, 0, sizeof(*r));
	if (!(h = dhcpv6_take(cur, 4)))
		return false;
	r->type = h[0];
	memcpy(r->xid, h + 1, sizeof(r->xid));
	while (dhcpv6_opt_next(cur, &code, &data)) {
		if (!dhcpv6_opt_take(c, code, &data, r))
			return false;
	}
	return !cur->left;
}

/**
 * dhcpv6_put() - Append an option to the reply
 * @o:		Reply
 * @code:	Option code
 * @data:	Option data, may be NULL if @len is 0
 * @len:	Length of @data, bytes
 *
 * Return: true if appended, false if out of room (nothing appended)
 */
static bool dhcpv6_put(struct dhcpv6_out *o, uint16_t code, const void *data,
		       size_t len)
{
	struct dhcpv6_opt_hdr h = { .code = host_to_be16(code),
				    .len = host_to_be16((uint16_t)len) };

	if (len > UINT16_MAX || sizeof(h) + len > o->max - o->len)
		return false;
	memcpy(o->b + o->len, &h, sizeof(h));
	if (len)
		memcpy(o->b + o->len + sizeof(h), data, len);
	o->len += sizeof(h) + len;
	return true;
}

/**
 * dhcpv6_add() - Append an optional option, log if it doesn't fit
 * @o:		Reply
 * @code:	Option code
 * @data:	Option data
 * @len:	Length of @data, bytes
 */
static void dhcpv6_add(struct dhcpv6_out *o, uint16_t code, const void *data,
		       size_t len)
{
	if (!dhcpv6_put(o, code, data, len))
		warn_ratelimit("DHCPv6: option %u (%zu bytes) left out, reply "
			       "is limited to %zu bytes", code, len, o->max);
}

/**
 * dhcpv6_opts_dns() - Append resolvers, search list and FQDN
 * @c:		Execution context
 * @o:		Reply
 */
static void dhcpv6_opts_dns(const struct ctx *c, struct dhcpv6_out *o)
{
	uint8_t buf[(DNS_SEARCH_MAX + 1) * (DNS_NAME_MAX + 2)];
	struct in6_addr dns[DNS_MAX + 2];
	size_t n = dns_resolvers6(c, dns), i, len = 0;

	if (n)
		dhcpv6_add(o, OPTION_DNS_SERVERS, dns, n * sizeof(*dns));

	for (i = 0; !c->no_dhcp_dns_search && i < DNS_SEARCH_MAX; i++) {
		if (c->dns_search[i][0] &&
		    !dns_name_encode(buf, &len, sizeof(buf),
				     c->dns_search[i], NULL))
			debug("DHCPv6: search domain %s not encoded",
			      c->dns_search[i]);
	}
	if (len)
		dhcpv6_add(o, OPTION_DOMAIN_LIST, buf, len);

	len = 1;
	buf[0] = DHCPV6_FQDN_FLAG_N;
	if (c->fqdn[0] &&
	    dns_name_encode(buf, &len, sizeof(buf), c->fqdn, NULL))
		dhcpv6_add(o, OPTION_CLIENT_FQDN, buf, len);
}

/**
 * dhcpv6_ia_put() - Append one IA_NA with our address, infinite lifetimes
 * @c:		Execution context
 * @o:		Reply
 * @iaid:	IAID from the client
 *
 * Return: true if appended
 */
static bool dhcpv6_ia_put(const struct ctx *c, struct dhcpv6_out *o,
			  __be32 iaid)
{
	struct {
		struct dhcpv6_ia_na ia;
		struct dhcpv6_opt_hdr h;
		struct dhcpv6_iaaddr a;
	} __attribute__((packed)) d = {
		.ia = { .iaid = iaid,
			.t1 = htonl_constant(DHCPV6_INFINITE),
			.t2 = htonl_constant(DHCPV6_INFINITE) },
		.h = { .code = htons_constant(OPTION_IAADDR),
		       .len = htons_constant(DHCPV6_IAADDR_LEN) },
		.a = { .preferred = htonl_constant(DHCPV6_INFINITE),
		       .valid = htonl_constant(DHCPV6_INFINITE) },
	};

	memcpy(&d.a.addr, &c->ip6.addr, sizeof(d.a.addr));
	return dhcpv6_put(o, OPTION_IA_NA, &d, sizeof(d));
}

/**
 * dhcpv6_status_put() - Append a Status Code option
 * @o:		Reply
 * @status:	Status code
 * @msg:	Status message, text
 */
static void dhcpv6_status_put(struct dhcpv6_out *o, uint16_t status,
			      const char *msg)
{
	uint8_t d[64];
	size_t len = MIN(strlen(msg), sizeof(d) - 2);

	d[0] = (uint8_t)(status >> 8);
	d[1] = (uint8_t)status;
	memcpy(d + 2, msg, len);
	dhcpv6_put(o, OPTION_STATUS_CODE, d, len + 2);
}

/**
 * dhcpv6_no_addr() - Is there no IPv6 address to give?
 * @c:		Execution context
 *
 * Return: true if c->ip6.addr is unspecified
 */
static bool dhcpv6_no_addr(const struct ctx *c)
{
	return IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr);
}

/**
 * dhcpv6_reply_build() - Build the reply to a valid client message
 * @c:		Execution context
 * @r:		Request summary
 *
 * Return: length of the reply in dhcpv6_state.out, bytes
 */
static size_t dhcpv6_reply_build(const struct ctx *c,
				 const struct dhcpv6_req *r)
{
	bool advertise = r->type == DHCPV6_SOLICIT && !r->rapid_commit;
	size_t mtu = MAX((size_t)MAX(c->mtu, 0), (size_t)IPV6_MIN_MTU), i;
	struct dhcpv6_out *o = &dhcpv6_state.out;
	uint8_t pref = DHCPV6_PREF_MAX;

	o->max = MIN(sizeof(o->b), mtu - DHCPV6_IPUDP_HLEN);
	o->b[0] = advertise ? DHCPV6_ADVERTISE : DHCPV6_REPLY;
	memcpy(o->b + 1, r->xid, sizeof(r->xid));
	o->len = 4;
	dhcpv6_put(o, OPTION_SERVERID, dhcpv6_state.duid,
		   dhcpv6_state.duid_len);
	if (r->clientid)
		dhcpv6_put(o, OPTION_CLIENTID, r->clientid, r->clientid_len);

	switch (r->type) {
	case DHCPV6_SOLICIT:
	case DHCPV6_REQUEST:
	case DHCPV6_RENEW:
	case DHCPV6_REBIND:
		for (i = 0; i < r->ia_cnt && !dhcpv6_no_addr(c); i++)
			dhcpv6_ia_put(c, o, r->iaid[i]);
		if (r->ia_cnt && dhcpv6_no_addr(c))
			dhcpv6_status_put(o, STATUS_NOADDRSAVAIL, "no address");
		if (r->type == DHCPV6_SOLICIT && r->rapid_commit)
			dhcpv6_put(o, OPTION_RAPID_COMMIT, NULL, 0);
		if (advertise)
			dhcpv6_put(o, OPTION_PREFERENCE, &pref, sizeof(pref));
		break;
	case DHCPV6_CONFIRM:
		if (r->offlink)
			dhcpv6_status_put(o, STATUS_NOTONLINK, "not on link");
		else
			dhcpv6_status_put(o, STATUS_SUCCESS, "on link");
		break;
	case DHCPV6_RELEASE:
	case DHCPV6_DECLINE:
		dhcpv6_status_put(o, STATUS_SUCCESS, "done");
		break;
	}
	dhcpv6_opts_dns(c, o);
	return o->len;
}

/**
 * dhcpv6_valid() - Check a message against its type's rules (RFC 8415 16)
 * @c:		Execution context
 * @r:		Request summary
 *
 * Return: true if valid, false if not, the reason counted in c->stats
 */
static bool dhcpv6_valid(struct ctx *c, const struct dhcpv6_req *r)
{
	struct passt_stats *s = &c->stats;

	switch (r->type) {
	case DHCPV6_SOLICIT:
	case DHCPV6_CONFIRM:
	case DHCPV6_REBIND:
		if (r->serverid)
			return !dhcpv6_drop(&s->dhcpv6_drop_serverid,
					    "Server Identifier not allowed");
		break;
	case DHCPV6_REQUEST:
	case DHCPV6_RENEW:
	case DHCPV6_RELEASE:
	case DHCPV6_DECLINE:
		if (!r->serverid)
			return !dhcpv6_drop(&s->dhcpv6_drop_serverid,
					    "no Server Identifier");
		break;
	case DHCPV6_INFO_REQUEST:
		return true;
	default:
		return !dhcpv6_drop(&s->dhcpv6_drop_type,
				    "unexpected message type");
	}
	if (!r->clientid)
		return !dhcpv6_drop(&s->dhcpv6_drop_clientid,
				    "no Client Identifier");
	return true;
}

/**
 * dhcpv6() - Handle a DHCPv6 message from the guest, send the reply
 * @c:		Execution context
 * @p:		Pool, packet 0 is the UDP datagram (header and payload)
 * @saddr:	Source address, the client's link-local address
 * @daddr:	Destination address (unused: any is fine for us)
 *
 * Return: 1 if the datagram was for the DHCPv6 server (answered or dropped),
 *	   0 if it is not ours (other port, or --no-dhcpv6)
 */
int dhcpv6(struct ctx *c, const struct pool *p, const struct in6_addr *saddr,
	   const struct in6_addr *daddr)
{
	struct dhcpv6_cursor cur = { .p = p, .off = sizeof(struct udphdr) };
	struct dhcpv6_req r;
	struct udphdr uh;
	const void *b;
	size_t len;

	(void)daddr;
	/* Copied out: the pool gives no alignment guarantee */
	if (!(b = packet_get(p, 0, 0, sizeof(uh), &cur.left)))
		return dhcpv6_drop(&c->stats.dhcpv6_drop_short,
				   "no UDP header");
	memcpy(&uh, b, sizeof(uh));
	if (uh.dest != htons_constant(DHCPV6_SERVER_PORT) || c->no_dhcpv6)
		return 0;
	if (IN6_IS_ADDR_UNSPECIFIED(saddr) || IN6_IS_ADDR_MULTICAST(saddr))
		return dhcpv6_drop(&c->stats.dhcpv6_drop_source,
				   "bad source address");

	dhcpv6_duid_set(c);
	if (!dhcpv6_parse(c, &cur, &r))
		return dhcpv6_drop(&c->stats.dhcpv6_drop_parse,
				   "malformed or truncated message");
	if (!dhcpv6_valid(c, &r))
		return 1;
	if (r.serverid && !r.serverid_ours)
		return dhcpv6_drop(&c->stats.dhcpv6_drop_server,
				   "message for another server");
	if (r.type == DHCPV6_CONFIRM && !r.addr_cnt)
		return dhcpv6_drop(&c->stats.dhcpv6_drop_confirm,
				   "CONFIRM without addresses (RFC 8415)");

	len = dhcpv6_reply_build(c, &r);
	tap_udp6_send(c, &c->ip6.our_tap_ll, DHCPV6_SERVER_PORT, saddr,
		      DHCPV6_CLIENT_PORT, tap_flow_label(saddr, sizeof(*saddr)),
		      dhcpv6_state.out.b, len);
	return 1;
}
