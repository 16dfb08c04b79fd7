/* UNIT_SRCS: fwd_spec.c log.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/fwd_spec.c - Forwarding specification parser: fwd_parse_spec() */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>

#include "fwd_spec.h"

/**
 * struct fwd_test_state - Results so far
 * @failed:	Checks failed
 * @passed:	Checks passed
 * @tbl:	Table under test, static: too large for the stack
 * @err:	Error message of the last parse
 */
static struct fwd_test_state {
	unsigned failed;
	unsigned passed;
	struct fwd_ports tbl;
	char err[256];
} st;

/**
 * check() - Print and count one result
 * @ok:		Whether the check passed
 * @what:	Description
 */
static void check(bool ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	if (ok)
		st.passed++;
	else
		st.failed++;
}

/**
 * reset() - Clear the table under test
 *
 * Return: the table
 */
static struct fwd_ports *reset(void)
{
	memset(&st.tbl, 0, sizeof(st.tbl));
	return &st.tbl;
}

/**
 * parse() - Parse one specification into the table under test
 * @spec:	Specification
 * @allow_auto:	Accept "auto"
 *
 * Return: fwd_parse_spec() result
 */
static int parse(const char *spec, bool allow_auto)
{
	return fwd_parse_spec(&st.tbl, spec, allow_auto, st.err,
			      sizeof(st.err));
}

/**
 * count() - Count ports set in a bitmap
 * @map:	Bitmap
 *
 * Return: number of ports set
 */
static unsigned count(const uint8_t *map)
{
	unsigned port, n = 0;

	for (port = 0; port < NUM_PORTS; port++)
		n += fwd_bit_test(map, (uint16_t)port);
	return n;
}

/**
 * fails() - Check that a specification is refused with a message
 * @spec:	Specification
 * @allow_auto:	Accept "auto"
 */
static void fails(const char *spec, bool allow_auto)
{
	char what[300];

	reset();
	snprintf(what, sizeof(what), "'%s' refused", spec);
	check(parse(spec, allow_auto) == -1 && *st.err, what);
	if (*st.err)
		printf("# message: %s\n", st.err);
}

/**
 * test_simple() - Single ports, ranges, lists and remapping
 */
static void test_simple(void)
{
	struct fwd_ports *f = reset();

	check(!parse("22", false) && f->mode == FWD_SPEC &&
	      fwd_bit_test(f->map, 22) && count(f->map) == 1 &&
	      fwd_port_target(f, 22) == 22, "single port 22");

	f = reset();
	check(!parse("22:23", false) && fwd_bit_test(f->map, 22) &&
	      fwd_port_target(f, 22) == 23, "22:23 remaps to 23");

	f = reset();
	check(!parse("22,25", false) && count(f->map) == 2 &&
	      fwd_bit_test(f->map, 25), "list 22,25");

	f = reset();
	check(!parse("22-80", false) && count(f->map) == 59 &&
	      fwd_bit_test(f->map, 80) && !fwd_bit_test(f->map, 81),
	      "range 22-80");

	f = reset();
	check(!parse("22-80:32-90", false) && fwd_port_target(f, 22) == 32 &&
	      fwd_port_target(f, 80) == 90, "range remap 22-80:32-90");

	f = reset();
	check(!parse("8000-8002:9000", false) &&
	      fwd_port_target(f, 8002) == 9002, "range remap by first port");

	f = reset();
	check(!parse("80:65535", false) && fwd_port_target(f, 80) == 65535,
	      "remap to port 65535");

	f = reset();
	check(!parse("65535:1", false) && fwd_bit_test(f->map, 65535) &&
	      fwd_port_target(f, 65535) == 1, "port 65535 remapped to 1");

	f = reset();
	check(!parse("65530-65535", false) && count(f->map) == 6,
	      "range up to 65535");
}

/**
 * test_accumulate() - Several options for one table add up
 */
static void test_accumulate(void)
{
	struct fwd_ports *f = reset();

	check(!parse("22", false) && !parse("80:8080", false) &&
	      f->mode == FWD_SPEC && count(f->map) == 2 &&
	      fwd_port_target(f, 80) == 8080 && fwd_port_target(f, 22) == 22,
	      "-t 22 -t 80:8080 accumulate");

	check(parse("22", false) == -1, "same port twice refused");

	f = reset();
	check(!parse("2000-5000", false) && !parse("~3000-3010", false) &&
	      count(f->map) == 3001 - 11 && !fwd_bit_test(f->map, 3005),
	      "exclusion in a later option applies");

	f = reset();
	check(!parse("none", false) && f->mode == FWD_NONE &&
	      !parse("none", false), "none, twice");
	check(parse("22", false) == -1, "ports after none refused");

	reset();
	check(!parse("22", false) && parse("none", false) == -1,
	      "none after ports refused");
}

/**
 * test_exclusions() - "~" ranges, alone and with includes
 */
static void test_exclusions(void)
{
	unsigned all = 65535 - (EPHEMERAL_PORT_LAST - EPHEMERAL_PORT_FIRST + 1);
	struct fwd_ports *f = reset();

	check(!parse("2000-5000,~3000-3010", false) &&
	      count(f->map) == 3001 - 11 && fwd_bit_test(f->map, 2999) &&
	      !fwd_bit_test(f->map, 3000) && !fwd_bit_test(f->map, 3010) &&
	      fwd_bit_test(f->map, 3011), "2000-5000,~3000-3010");

	f = reset();
	check(!parse("~3000-3010,2000-5000", false) &&
	      count(f->map) == 3001 - 11, "exclusion wins whatever the order");

	f = reset();
	check(!parse("~20000-20010", false) && f->mode == FWD_ALL &&
	      count(f->map) == all - 11 && fwd_bit_test(f->map, 1) &&
	      fwd_bit_test(f->map, 65535) && !fwd_bit_test(f->map, 0) &&
	      !fwd_bit_test(f->map, 20005) &&
	      !fwd_bit_test(f->map, EPHEMERAL_PORT_FIRST) &&
	      !fwd_bit_test(f->map, EPHEMERAL_PORT_LAST) &&
	      fwd_bit_test(f->map, EPHEMERAL_PORT_LAST + 1),
	      "only exclusions: all non-ephemeral minus excluded");

	f = reset();
	check(!parse("192.0.2.1/20-30,~25", false) && count(f->map) == 10 &&
	      !fwd_bit_test(f->map, 25), "address, range and exclusion");
}

/**
 * test_keywords() - "none", "all", "auto"
 */
static void test_keywords(void)
{
	unsigned all = 65535 - (EPHEMERAL_PORT_LAST - EPHEMERAL_PORT_FIRST + 1);
	struct fwd_ports *f = reset();

	check(!parse("all", false) && f->mode == FWD_ALL &&
	      count(f->map) == all, "all: every non-ephemeral port");

	f = reset();
	check(!parse("::1/all", false) && f->mode == FWD_ALL &&
	      fwd_port_bind(f, 80)->addr_set && fwd_port_bind(f, 80)->addr_v6 &&
	      IN6_IS_ADDR_LOOPBACK(&fwd_port_bind(f, 80)->addr6), "::1/all");

	f = reset();
	check(!parse("auto", true) && f->mode == FWD_AUTO &&
	      count(f->map) == all, "auto: every non-ephemeral port eligible");

	f = reset();
	check(!parse("8000-8010,auto", true) && f->mode == FWD_AUTO &&
	      count(f->map) == 11, "8000-8010,auto limits the set");

	reset();
	check(parse("auto", false) == -1 && strstr(st.err, "pasta"),
	      "auto refused for passt");

	f = reset();
	check(!parse("all,~22", false) && f->mode == FWD_ALL &&
	      count(f->map) == all - 1 && !fwd_bit_test(f->map, 22),
	      "all,~22");
}

/**
 * test_addresses() - Bind address and interface prefixes, per specification
 */
static void test_addresses(void)
{
	struct fwd_ports *f = reset();
	const struct fwd_bind *b;
	struct in_addr a4;
	bool ok;

	inet_pton(AF_INET, "192.0.2.1", &a4);
	ok = !parse("192.0.2.1/22", false);
	b = fwd_port_bind(f, 22);
	check(ok && b->addr_set && !b->addr_v6 && in4_equal(&b->addr4, &a4) &&
	      !*b->ifname && fwd_bit_test(f->map, 22), "192.0.2.1/22");

	f = reset();
	ok = !parse("192.0.2.1%veth0/22", false);
	b = fwd_port_bind(f, 22);
	check(ok && b->addr_set && !strcmp(b->ifname, "veth0"),
	      "192.0.2.1%veth0/22");

	f = reset();
	ok = !parse("%veth0/22", false);
	b = fwd_port_bind(f, 22);
	check(ok && !b->addr_set && !strcmp(b->ifname, "veth0"),
	      "%veth0/22: interface only");

	f = reset();
	check(!parse("2001:db8::1/443", false) &&
	      fwd_port_bind(f, 443)->addr_v6 &&
	      fwd_bit_test(f->map, 443), "IPv6 address 2001:db8::1/443");

	f = reset();
	check(!parse("2001:db8::1%eth0/443:8443", false) &&
	      !strcmp(fwd_port_bind(f, 443)->ifname, "eth0") &&
	      fwd_port_target(f, 443) == 8443, "IPv6 with iface and remap");

	/* Podman: one option per port, each with its own host address */
	f = reset();
	check(!parse("8080-8081:80-81", false) &&
	      !parse("192.0.2.1/9090-9090:90-90", false) &&
	      !parse("192.0.2.2/9091", false) &&
	      !parse("192.0.2.1/9092", false) &&
	      !fwd_port_bind(f, 8080)->addr_set &&
	      !fwd_port_bind(f, 8081)->addr_set &&
	      in4_equal(&fwd_port_bind(f, 9090)->addr4, &a4) &&
	      !in4_equal(&fwd_port_bind(f, 9091)->addr4, &a4) &&
	      fwd_port_bind(f, 9090) == fwd_port_bind(f, 9092) &&
	      f->bind_cnt == 2 && fwd_port_target(f, 9090) == 90,
	      "each prefix binds its own ports only, the rest any address");

	/* libvirt: one option per <portForward>, IPv4 and IPv6 */
	f = reset();
	check(!parse("192.0.2.1%eth0/2222:22", false) &&
	      !parse("2001:db8::1%eth0/2222:22", false) &&
	      fwd_bind_has(fwd_port_bind(f, 2222), false) &&
	      fwd_bind_has(fwd_port_bind(f, 2222), true) &&
	      in4_equal(&fwd_port_bind(f, 2222)->addr4, &a4) &&
	      fwd_port_target(f, 2222) == 22,
	      "the same port with an IPv4 and an IPv6 address: both listen");

	f = reset();
	check(!parse("192.0.2.1/22", false) &&
	      parse("192.0.2.2/22", false) == -1, "a port at two IPv4 addresses");

	f = reset();
	check(!parse("192.0.2.1/22", false) &&
	      parse("2001:db8::1/22:23", false) == -1,
	      "IPv4 and IPv6 addresses with different targets");

	f = reset();
	check(!parse("127.0.0.1/all", false) && !parse("~22", false) &&
	      !fwd_bit_test(f->map, 22) &&
	      fwd_port_bind(f, 80)->addr_set, "127.0.0.1/all, then ~22");
}

/**
 * test_errors() - Malformed specifications
 */
static void test_errors(void)
{
	fails("", false);
	fails("abc", false);
	fails("22x", false);
	fails("0", false);
	fails("65536", false);
	fails("99999999999999999999", false);
	fails("80-22", false);
	fails("22-", false);
	fails("-22", false);
	fails("22-80:32-40", false);
	fails("22-80:32-32", false);
	fails("65530-65535:65534", false);
	fails("22:", false);
	fails("22,,23", false);
	fails("22,", false);
	fails("~", false);
	fails("~30-20", false);
	fails("192.0.2.300/22", false);
	fails("192.0.2.1/", false);
	fails("%/22", false);
	fails("%averyveryverylongifname/22", false);
	fails("0.0.0.0/5000:192.0.2.5/6000", false);
	fails("22,none", false);
	fails("+22", false);
	fails(" 22", false);
}

/**
 * invariant_ok() - Check the table invariants fwd_spec.c documents
 * @f:		Table
 *
 * Return: true if no port is both forwarded and excluded, port 0 isn't
 *	   forwarded, and unforwarded ports have no remapping
 */
static bool invariant_ok(const struct fwd_ports *f)
{
	unsigned port;

	if (fwd_bit_test(f->map, 0))
		return false;
	for (port = 0; port < NUM_PORTS; port++) {
		if (fwd_bit_test(f->map, (uint16_t)port) &&
		    fwd_bit_test(f->excl, (uint16_t)port))
			return false;
		if (fwd_bit_test(f->excl, (uint16_t)port) && f->delta[port])
			return false;
	}
	return true;
}

/**
 * test_random() - Random specifications: no crash, invariants hold
 *
 * Specifications are drawn from the characters the grammar uses, with a
 * fixed seed so that a failure can be reproduced.
 */
static void test_random(void)
{
	static const char alphabet[] = "0123456789-:,~/%.a:lnoteu6";
	unsigned i, j, parsed = 0, bad = 0;
	char spec[24];

	srand(42);
	for (i = 0; i < 3000; i++) {
		size_t len = (size_t)(rand() % (int)(sizeof(spec) - 1));

		for (j = 0; j < len; j++)
			spec[j] = alphabet[rand() % (int)(sizeof(alphabet) - 1)];
		spec[len] = '\0';

		reset();
		if (!parse(spec, rand() % 2))
			parsed++;
		else if (!*st.err)
			bad++;
		if (!invariant_ok(&st.tbl))
			bad++;
	}

	printf("# %u of 3000 random specifications parsed\n", parsed);
	check(!bad, "random specifications: message on error, invariants");
}

/**
 * main() - Run every group of checks
 *
 * Return: 0 if all passed, 1 otherwise
 */
int main(void)
{
	test_simple();
	test_accumulate();
	test_exclusions();
	test_keywords();
	test_addresses();
	test_errors();
	test_random();

	printf("%u passed, %u failed\n", st.passed, st.failed);
	return st.failed ? 1 : 0;
}
