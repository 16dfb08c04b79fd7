/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nat.h - Addresses the guest uses for the host, translated both ways */

#ifndef NAT_H
#define NAT_H

#include <stdint.h>

#include "inany.h"

struct ctx;

/**
 * enum nat_out - What a guest's destination was taken for
 * @NAT_OUT_SAME:	Nothing special: reach it as it is
 * @NAT_OUT_DNS:	--dns-forward address, port 53: the host's resolver
 * @NAT_OUT_HOST_LO:	--map-host-loopback address: the host's loopback
 * @NAT_OUT_HOST_ADDR:	--map-guest-addr address: the host's own address
 * @NAT_OUT_NONE:	Mapped, but to nothing (no host resolver, say): drop
 */
enum nat_out {
	NAT_OUT_SAME,
	NAT_OUT_DNS,
	NAT_OUT_HOST_LO,
	NAT_OUT_HOST_ADDR,
	NAT_OUT_NONE,
};

/**
 * enum nat_in - How a host peer is shown to the guest
 * @NAT_IN_SAME:	As it is
 * @NAT_IN_MAPPED:	Through one of the mapping addresses
 * @NAT_IN_UNMAPPED:	Host-local peer with no mapping: caller decides
 */
enum nat_in {
	NAT_IN_SAME,
	NAT_IN_MAPPED,
	NAT_IN_UNMAPPED,
};

enum nat_out nat_outbound(const struct ctx *c, union inany_addr *addr,
			  uint16_t port);
enum nat_in nat_inbound(const struct ctx *c, union inany_addr *addr,
			uint16_t port);

#endif /* NAT_H */
