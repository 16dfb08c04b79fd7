// SPDX-License-Identifier: GPL-2.0-or-later
/* fwd_spec.c - Port forwarding specifications: parsing -t, -u, -T and -U
 *
 * Theory of Operation
 *
 * Each of the four options fills one struct fwd_ports (see fwd_spec.h).
 * This file only parses: it holds no state of its own, and the tables it
 * fills are read by the TCP and UDP code, and by fwd.c's per-flow
 * decisions, once set-up is over.
 *
 * A specification is "none", or an optional "addr[%iface]/" prefix followed
 * by a comma-separated list of items:
 *
 *	first[-last][:tofirst[-tolast]]	forward a range, maybe remapped
 *	~first[-last]			exclude a range
 *	all				every non-ephemeral port
 *	auto				(pasta) ports bound on the other side
 *
 * Several options for the same table accumulate, as upstream's do:
 * "-t 22 -t 80:8080" forwards both ports. The table invariants are:
 *
 * - @map holds the ports forwarded (FWD_SPEC, FWD_ALL), or the ports that may
 *   be forwarded once found bound on the other side (FWD_AUTO)
 * - @excl holds every excluded port, and no port is in both @map and @excl,
 *   whatever the order the items came in: exclusions win
 * - @delta[port] is the remapping offset: traffic to a forwarded port goes
 *   to port + delta (mod 65536) on the other side, 0 when not remapped
 * - a list made of exclusions only means "all, except these": FWD_ALL
 * - FWD_ALL and a bare "auto" cover the non-ephemeral ports, that is, all
 *   ports but 0 and EPHEMERAL_PORT_FIRST..EPHEMERAL_PORT_LAST
 * - "none" can't be combined with anything else
 * - @bind_of[port] is the index in @bind of the "addr[%iface]/" prefix the
 *   port was given with, 0 (any address, any interface) for none: each
 *   prefix applies to its own specification only, so "-t 8080 -t
 *   192.0.2.1/9090" (podman's form) listens on every address for 8080 and
 *   on 192.0.2.1 only for 9090
 * - a port may be given twice only with an IPv4 and an IPv6 address (same
 *   target, same interface): libvirt passes one option per <portForward>,
 *   and the port then listens on both (a prefix with @addr_both)
 *
 * On error, the table may be left partly updated: callers exit at once.
 */

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fwd_spec.h"

#define FWD_PORT_MAX		65535U

/**
 * struct fwd_range - A port range as written in a specification
 * @first:	First port, host order
 * @last:	Last port, host order, >= @first
 */
struct fwd_range {
	unsigned first;
	unsigned last;
};

/**
 * struct fwd_parse - Progress through one specification
 * @fwd:	Table being filled
 * @allow_auto:	"auto" is allowed (pasta)
 * @incl_cnt:	Include items seen
 * @excl_cnt:	Exclude items seen
 * @all:	"all" seen
 * @autoscan:	"auto" seen
 * @bind_idx:	Index in the table's bind list of this specification's
 *		"addr[%iface]/" prefix, 0 for none
 * @errbuf:	Buffer for an error message
 * @errlen:	Size of @errbuf, bytes
 */
struct fwd_parse {
	struct fwd_ports *fwd;
	bool allow_auto;
	unsigned incl_cnt;
	unsigned excl_cnt;
	bool all;
	bool autoscan;
	uint8_t bind_idx;
	char *errbuf;
	size_t errlen;
};

/**
 * fwd_err() - Write an error message for the caller
 * @fp:		Parsing state with the caller's buffer
 * @fmt:	Format string
 *
 * Return: -1, always
 */
__attribute__((format(printf, 2, 3)))
static int fwd_err(const struct fwd_parse *fp, const char *fmt, ...)
{
	va_list ap;

	if (!fp->errbuf || !fp->errlen)
		return -1;

	va_start(ap, fmt);
	vsnprintf(fp->errbuf, fp->errlen, fmt, ap);
	va_end(ap);

	return -1;
}

/**
 * fwd_port_parse() - Parse one decimal port number, advancing a cursor
 * @fp:		Parsing state, for errors
 * @s:		Cursor, moved past the digits (input and output)
 * @port:	Port number, host order (output)
 *
 * Return: 0 on success, -1 on error (message set)
 */
static int fwd_port_parse(const struct fwd_parse *fp, const char **s,
			  unsigned *port)
{
	size_t len = strspn(*s, "0123456789");
	unsigned long v = 0;
	size_t i;

	if (!len)
		return fwd_err(fp, "expected a port number at '%s'", *s);

	for (i = 0; i < len && v <= FWD_PORT_MAX; i++)
		v = v * 10 + (unsigned long)((*s)[i] - '0');

	if (v > FWD_PORT_MAX || !v)
		return fwd_err(fp, "port '%.*s' out of range (1-%u)", (int)len,
			       *s, FWD_PORT_MAX);

	*port = (unsigned)v;
	*s += len;
	return 0;
}

/**
 * fwd_range_parse() - Parse "first[-last]", advancing a cursor
 * @fp:		Parsing state, for errors
 * @s:		Cursor, moved past the range (input and output)
 * @r:		Range (output)
 *
 * Return: 0 on success, -1 on error (message set)
 */
static int fwd_range_parse(const struct fwd_parse *fp, const char **s,
			   struct fwd_range *r)
{
	if (fwd_port_parse(fp, s, &r->first))
		return -1;

	r->last = r->first;
	if (**s != '-')
		return 0;

	(*s)++;
	if (fwd_port_parse(fp, s, &r->last))
		return -1;

	if (r->last < r->first)
		return fwd_err(fp, "range %u-%u is reversed", r->first,
			       r->last);
	return 0;
}

/**
 * fwd_fill_all() - Forward every non-ephemeral port that isn't excluded
 * @fwd:	Table to fill
 * @bind_idx:	Bind prefix for ports not given by an earlier item
 */
static void fwd_fill_all(struct fwd_ports *fwd, uint8_t bind_idx)
{
	unsigned port;

	for (port = 1; port <= FWD_PORT_MAX; port++) {
		if (port >= EPHEMERAL_PORT_FIRST && port <= EPHEMERAL_PORT_LAST)
			continue;
		if (fwd_bit_test(fwd->excl, (uint16_t)port))
			continue;
		if (!fwd_bit_test(fwd->map, (uint16_t)port))
			fwd->bind_of[port] = bind_idx;
		fwd_bit_set(fwd->map, (uint16_t)port);
	}
}

/**
 * fwd_map_empty() - Is no port in a table's map?
 * @fwd:	Table
 *
 * Return: true if no port is set in @fwd->map
 */
static bool fwd_map_empty(const struct fwd_ports *fwd)
{
	size_t i;

	for (i = 0; i < FWD_BITMAP_BYTES; i++) {
		if (fwd->map[i])
			return false;
	}
	return true;
}

/**
 * fwd_exclude() - Apply an exclusion item "~first[-last]"
 * @fp:		Parsing state
 * @item:	Item text after the '~', NUL-terminated
 *
 * Return: 0 on success, -1 on error (message set)
 */
static int fwd_exclude(struct fwd_parse *fp, const char *item)
{
	struct fwd_range r;
	unsigned port;

	if (fwd_range_parse(fp, &item, &r))
		return -1;
	if (*item)
		return fwd_err(fp, "unexpected '%s' after excluded range",
			       item);

	for (port = r.first; port <= r.last; port++) {
		fwd_bit_set(fp->fwd->excl, (uint16_t)port);
		fwd_bit_clear(fp->fwd->map, (uint16_t)port);
		fp->fwd->delta[port] = 0;
	}

	fp->excl_cnt++;
	return 0;
}

/**
 * fwd_target_parse() - Parse the ":tofirst[-tolast]" part of an include item
 * @fp:		Parsing state, for errors
 * @s:		Text after the ':', NUL-terminated
 * @r:		Range being forwarded
 * @to:		Target range, same length as @r (output)
 *
 * Return: 0 on success, -1 on error (message set)
 */
static int fwd_target_parse(const struct fwd_parse *fp, const char *s,
			    const struct fwd_range *r, struct fwd_range *to)
{
	bool one = !strchr(s, '-');

	if (strchr(s, '/') || strchr(s, '.'))
		return fwd_err(fp, "target addresses are not supported: '%s'",
			       s);

	if (fwd_range_parse(fp, &s, to))
		return -1;
	if (*s)
		return fwd_err(fp, "unexpected '%s' after target range", s);

	if (one && r->first != r->last) {
		/* Only the first target port given: shift the whole range */
		to->last = to->first + (r->last - r->first);
		if (to->last > FWD_PORT_MAX)
			return fwd_err(fp, "target range %u-%u out of range",
				       to->first, to->last);
	}

	if (to->last - to->first != r->last - r->first)
		return fwd_err(fp, "ranges %u-%u and %u-%u differ in length",
			       r->first, r->last, to->first, to->last);
	return 0;
}

/**
 * fwd_bind_equal() - Do two bind prefixes say the same?
 * @a:		First prefix
 * @b:		Second prefix
 *
 * Return: true if address, family and interface all match
 */
static bool fwd_bind_equal(const struct fwd_bind *a, const struct fwd_bind *b)
{
	return a->addr_set == b->addr_set && a->addr_v6 == b->addr_v6 &&
	       a->addr_both == b->addr_both && in4_equal(&a->addr4, &b->addr4) &&
	       IN6_ARE_ADDR_EQUAL(&a->addr6, &b->addr6) &&
	       !strcmp(a->ifname, b->ifname);
}

/**
 * fwd_bind_add() - Find or add a bind prefix in a table's list
 * @fp:		Parsing state: @fp->bind_idx set on success
 * @b:		Bind prefix
 *
 * Return: 0 on success, -1 if the list is full (message set)
 */
static int fwd_bind_add(struct fwd_parse *fp, const struct fwd_bind *b)
{
	struct fwd_ports *fwd = fp->fwd;
	unsigned i;

	for (i = 1; i <= fwd->bind_cnt; i++) {
		if (fwd_bind_equal(&fwd->bind[i], b)) {
			fp->bind_idx = (uint8_t)i;
			return 0;
		}
	}
	if (fwd->bind_cnt + 1 >= FWD_BIND_MAX)
		return fwd_err(fp, "more than %d bind addresses",
			       FWD_BIND_MAX - 1);
	fwd->bind[++fwd->bind_cnt] = *b;
	fp->bind_idx = (uint8_t)fwd->bind_cnt;
	return 0;
}

/**
 * fwd_bind_merge() - Give a port this specification's address too
 * @fp:		Parsing state
 * @port:	Port, already forwarded by another specification, host order
 *
 * Only an IPv4 and an IPv6 address, on the same interface, combine: the
 * port then listens on both.
 *
 * Return: 0 on success, -1 if the prefixes can't be combined
 */
static int fwd_bind_merge(struct fwd_parse *fp, uint16_t port)
{
	const struct fwd_bind *old = fwd_port_bind(fp->fwd, port);
	const struct fwd_bind *new = &fp->fwd->bind[fp->bind_idx];
	uint8_t idx = fp->bind_idx;
	struct fwd_bind both = *old;

	if (!old->addr_set || !new->addr_set || old->addr_both ||
	    new->addr_both || old->addr_v6 == new->addr_v6 ||
	    strcmp(old->ifname, new->ifname))
		return -1;
	if (new->addr_v6)
		both.addr6 = new->addr6;
	else
		both.addr4 = new->addr4;
	both.addr_both = true;
	if (fwd_bind_add(fp, &both))
		return -1;
	fp->fwd->bind_of[port] = fp->bind_idx;
	fp->bind_idx = idx;
	return 0;
}

/**
 * fwd_include() - Apply an include item "first[-last][:tofirst[-tolast]]"
 * @fp:		Parsing state
 * @item:	Item text, NUL-terminated
 *
 * Return: 0 on success, -1 on error (message set)
 */
static int fwd_include(struct fwd_parse *fp, const char *item)
{
	struct fwd_ports *fwd = fp->fwd;
	struct fwd_range r, to;
	unsigned port;

	if (fwd_range_parse(fp, &item, &r))
		return -1;

	to = r;
	if (*item == ':') {
		if (fwd_target_parse(fp, item + 1, &r, &to))
			return -1;
	} else if (*item) {
		return fwd_err(fp, "unexpected '%s' after port range", item);
	}

	for (port = r.first; port <= r.last; port++) {
		uint16_t delta = (uint16_t)(to.first - r.first);

		if (fwd_bit_test(fwd->excl, (uint16_t)port))
			continue;
		if (fwd_bit_test(fwd->map, (uint16_t)port) &&
		    fwd->mode != FWD_ALL && fwd->mode != FWD_AUTO) {
			if (fwd->delta[port] != delta ||
			    fwd_bind_merge(fp, (uint16_t)port))
				return fwd_err(fp, "port %u given twice", port);
			continue;
		}
		fwd_bit_set(fwd->map, (uint16_t)port);
		fwd->delta[port] = delta;
		fwd->bind_of[port] = fp->bind_idx;
	}

	fp->incl_cnt++;
	return 0;
}

/**
 * fwd_item() - Apply one item of a comma-separated list
 * @fp:		Parsing state
 * @item:	Item text, NUL-terminated
 *
 * Return: 0 on success, -1 on error (message set)
 */
static int fwd_item(struct fwd_parse *fp, const char *item)
{
	if (!*item)
		return fwd_err(fp, "empty item in port list");

	if (!strcmp(item, "none"))
		return fwd_err(fp, "'none' can't be combined with ports");

	if (!strcmp(item, "all")) {
		fp->all = true;
		return 0;
	}

	if (!strcmp(item, "auto")) {
		if (!fp->allow_auto)
			return fwd_err(fp, "'auto' is only valid for pasta");
		fp->autoscan = true;
		return 0;
	}

	if (*item == '~')
		return fwd_exclude(fp, item + 1);

	return fwd_include(fp, item);
}

/**
 * fwd_addr_parse() - Parse the "addr[%iface]" prefix of a specification
 * @fp:		Parsing state: the prefix applies to its ports only
 * @s:		Prefix text, NUL-terminated, modified (the '%' is cut)
 *
 * Return: 0 on success, -1 on error (message set)
 */
static int fwd_addr_parse(struct fwd_parse *fp, char *s)
{
	char *ifname = strchr(s, '%');
	struct fwd_bind b;

	memset(&b, 0, sizeof(b));
	if (ifname) {
		*ifname++ = '\0';
		if (!*ifname || strlen(ifname) >= IFNAMSIZ)
			return fwd_err(fp, "bad interface name '%s'", ifname);
		strcpy(b.ifname, ifname);
	}

	if (!*s)
		return fwd_bind_add(fp, &b);

	if (inet_pton(AF_INET, s, &b.addr4) == 1)
		b.addr_v6 = false;
	else if (inet_pton(AF_INET6, s, &b.addr6) == 1)
		b.addr_v6 = true;
	else
		return fwd_err(fp, "bad bind address '%s'", s);

	b.addr_set = true;
	return fwd_bind_add(fp, &b);
}

/**
 * fwd_list_parse() - Apply a comma-separated list of items
 * @fp:		Parsing state
 * @list:	List text, NUL-terminated, modified (commas are cut)
 *
 * Return: 0 on success, -1 on error (message set)
 */
static int fwd_list_parse(struct fwd_parse *fp, char *list)
{
	char *item = list, *comma;

	for (;;) {
		comma = strchr(item, ',');
		if (comma)
			*comma = '\0';
		if (fwd_item(fp, item))
			return -1;
		if (!comma)
			return 0;
		item = comma + 1;
	}
}

/**
 * fwd_mode_update() - Set the table's mode once a whole list is applied
 * @fp:		Parsing state
 *
 * Return: 0 on success, -1 on error (message set)
 */
static int fwd_mode_update(struct fwd_parse *fp)
{
	struct fwd_ports *fwd = fp->fwd;

	if (fwd->mode == FWD_NONE)
		return fwd_err(fp, "'none' can't be combined with ports");

	if (fp->autoscan) {
		fwd->mode = FWD_AUTO;
		if (fp->all || fwd_map_empty(fwd))
			fwd_fill_all(fwd, fp->bind_idx);
		return 0;
	}

	if (fp->all || (!fp->incl_cnt && fwd->mode == FWD_UNSET)) {
		if (fwd->mode != FWD_AUTO)
			fwd->mode = FWD_ALL;
		fwd_fill_all(fwd, fp->bind_idx);
		return 0;
	}

	if (fwd->mode == FWD_UNSET)
		fwd->mode = FWD_SPEC;
	return 0;
}

/**
 * fwd_parse_spec() - Parse one -t, -u, -T or -U specification into a table
 * @fwd:	Table, accumulating over several options (input and output)
 * @spec:	Specification as given on the command line
 * @allow_auto:	Accept "auto" (pasta)
 * @errbuf:	Buffer for an error message, may be NULL
 * @errlen:	Size of @errbuf, bytes
 *
 * Return: 0 on success, -1 on error with a message in @errbuf
 */
int fwd_parse_spec(struct fwd_ports *fwd, const char *spec, bool allow_auto,
		   char *errbuf, size_t errlen)
{
	struct fwd_parse fp = { .fwd = fwd, .allow_auto = allow_auto,
				.errbuf = errbuf, .errlen = errlen };
	char buf[BUFSIZ], *list, *slash;

	if (errbuf && errlen)
		*errbuf = '\0';

	if (!*spec)
		return fwd_err(&fp, "empty specification");
	if (strlen(spec) >= sizeof(buf))
		return fwd_err(&fp, "specification too long");

	if (!strcmp(spec, "none")) {
		if (fwd->mode != FWD_UNSET && fwd->mode != FWD_NONE)
			return fwd_err(&fp, "'none' can't be combined");
		fwd->mode = FWD_NONE;
		return 0;
	}

	strcpy(buf, spec);
	list = buf;
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		list = slash + 1;
		if (fwd_addr_parse(&fp, buf))
			return -1;
	}

	if (!*list)
		return fwd_err(&fp, "no ports after '/'");

	if (fwd_list_parse(&fp, list))
		return -1;

	return fwd_mode_update(&fp);
}
