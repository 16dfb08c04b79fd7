/* SPDX-License-Identifier: GPL-2.0-or-later */
/* fwd_spec.h - Port forwarding tables (-t, -u, -T, -U) and their parser */

#ifndef FWD_SPEC_H
#define FWD_SPEC_H

#include <assert.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

/**
 * enum fwd_mode - How a forwarding table was given
 * @FWD_UNSET:	Option not given: the mode's default applies
 * @FWD_NONE:	"none": nothing forwarded
 * @FWD_SPEC:	Explicit ports and ranges
 * @FWD_ALL:	"all", or only exclusions: every non-ephemeral port
 * @FWD_AUTO:	"auto": ports bound on the other side, scanned periodically
 */
enum fwd_mode {
	FWD_UNSET = 0,
	FWD_NONE,
	FWD_SPEC,
	FWD_ALL,
	FWD_AUTO,
};

#define FWD_BITMAP_BYTES	(NUM_PORTS / 8)
#define FWD_BIND_MAX		32	/* Bind prefixes per table, "any" too */

/**
 * struct fwd_bind - Where the ports of one specification listen
 * @addr4:	IPv4 bind address, INADDR_ANY for any
 * @addr6:	IPv6 bind address, in6addr_any for any
 * @addr_set:	A bind address was given: bind only that family
 * @addr_v6:	The bind address given is IPv6
 * @addr_both:	The same ports were also given with an address of the other
 *		family (libvirt: one option per <portForward>): both listen
 * @ifname:	Interface to bind to ("%iface"), empty for any
 */
struct fwd_bind {
	struct in_addr addr4;
	struct in6_addr addr6;
	bool addr_set;
	bool addr_v6;
	bool addr_both;
	char ifname[IFNAMSIZ];
};

/**
 * fwd_bind_has() - Does a bind prefix let an IP version listen?
 * @b:		Bind prefix
 * @v6:		IPv6, else IPv4
 *
 * Return: true with no address, or one (of two) of that version
 */
static inline bool fwd_bind_has(const struct fwd_bind *b, bool v6)
{
	return !b->addr_set || b->addr_both || b->addr_v6 == v6;
}

/**
 * struct fwd_ports - One direction's forwarding table for one protocol
 * @mode:	How the table was given
 * @map:	Bitmap of forwarded ports (host order port number = bit); with
 *		FWD_AUTO, the ports that may be forwarded once bound
 * @excl:	Bitmap of excluded ports ("~" ranges), never also in @map
 * @delta:	Per port: target port = port + delta (mod 65536), host order
 * @auto_map:	With FWD_AUTO, ports currently bound on the other side
 * @bind:	Bind prefixes ("addr[%iface]/") given; [0], all zeroes, is
 *		"any address, any interface"
 * @bind_cnt:	Entries of @bind in use besides [0]
 * @bind_of:	Per port: index in @bind of the specification that gave it
 */
struct fwd_ports {
	enum fwd_mode mode;
	uint8_t map[FWD_BITMAP_BYTES];
	uint8_t excl[FWD_BITMAP_BYTES];
	uint16_t delta[NUM_PORTS];
	uint8_t auto_map[FWD_BITMAP_BYTES];
	struct fwd_bind bind[FWD_BIND_MAX];
	unsigned bind_cnt;
	uint8_t bind_of[NUM_PORTS];
};

static_assert(FWD_BIND_MAX <= UINT8_MAX + 1, "bind_of indexes bind");

/**
 * fwd_port_bind() - Where a forwarded port listens
 * @fwd:	Forwarding table
 * @port:	Port, host order
 *
 * Return: bind address and interface of the specification that gave @port
 */
static inline const struct fwd_bind *fwd_port_bind(const struct fwd_ports *fwd,
						   uint16_t port)
{
	return &fwd->bind[fwd->bind_of[port]];
}

/**
 * fwd_bit_test() - Test a port in a port bitmap
 * @map:	Bitmap, FWD_BITMAP_BYTES long
 * @port:	Port, host order
 *
 * Return: true if set
 */
static inline bool fwd_bit_test(const uint8_t *map, uint16_t port)
{
	return map[port / 8] & (1U << (port % 8));
}

/**
 * fwd_bit_set() - Set a port in a port bitmap
 * @map:	Bitmap, FWD_BITMAP_BYTES long
 * @port:	Port, host order
 */
static inline void fwd_bit_set(uint8_t *map, uint16_t port)
{
	map[port / 8] |= (uint8_t)(1U << (port % 8));
}

/**
 * fwd_bit_clear() - Clear a port in a port bitmap
 * @map:	Bitmap, FWD_BITMAP_BYTES long
 * @port:	Port, host order
 */
static inline void fwd_bit_clear(uint8_t *map, uint16_t port)
{
	map[port / 8] &= (uint8_t)~(1U << (port % 8));
}

/**
 * fwd_port_target() - Port a forwarded port is delivered to
 * @fwd:	Forwarding table
 * @port:	Port the connection or datagram arrived on, host order
 *
 * Return: destination port on the other side, host order
 */
static inline uint16_t fwd_port_target(const struct fwd_ports *fwd,
				       uint16_t port)
{
	return (uint16_t)(port + fwd->delta[port]);
}

int fwd_parse_spec(struct fwd_ports *fwd, const char *spec, bool allow_auto,
		   char *errbuf, size_t errlen);

#endif /* FWD_SPEC_H */
