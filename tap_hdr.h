/* SPDX-License-Identifier: GPL-2.0-or-later */
/* tap_hdr.h - Headers of frames to the guest: back-end, Ethernet, IP */

#ifndef TAP_HDR_H
#define TAP_HDR_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/virtio_net.h>

#include "ctx.h"

struct iphdr;
struct ipv6hdr;

/**
 * struct tap_hdr - Back-end header in front of each frame to the guest
 * @vnet:	pasta, vhost-user: virtio-net header (offload metadata)
 * @vnet_len:	passt: qemu stream framing, L2 length, network order
 *
 * Frame buffers reserve sizeof(struct tap_hdr); tap_hdr_len() bytes of it
 * are sent, as the first iovec of each frame.
 */
struct tap_hdr {
	union {
		struct virtio_net_hdr vnet;
		__be32 vnet_len;
	};
} __attribute__((packed));

void tap_hdr_init(void);
size_t tap_hdr_len(const struct ctx *c);
void tap_hdr_set(const struct ctx *c, struct tap_hdr *th, size_t l2len);
void *tap_push_l2h(const struct ctx *c, void *buf, __be16 proto);
void *tap_push_ip4h(struct iphdr *ip4h, struct in_addr src,
		    struct in_addr dst, size_t l4len, uint8_t proto);
void *tap_push_ip6h(struct ipv6hdr *ip6h, const struct in6_addr *src,
		    const struct in6_addr *dst, size_t l4len, uint8_t proto,
		    uint32_t flow);
uint32_t tap_flow_label(const void *key, size_t len);
const struct in6_addr *tap_ip6_daddr(const struct ctx *c,
				     const struct in6_addr *src);
struct in_addr tap_ip4_daddr(const struct ctx *c);

#endif /* TAP_HDR_H */
