// SPDX-License-Identifier: GPL-2.0-or-later
/* tap_hdr.c - Headers of frames to the guest: back-end, Ethernet, IP
 *
 * Pure functions (no I/O) building what precedes the L4 message in every
 * frame sent to the guest, shared by all protocols and linked as they are
 * by unit tests. The IPv4 header checksum is computed here; L4 checksums
 * belong to the caller. IPv6 flow labels are a keyed hash of the flow, with
 * a key drawn once at start-up (tap_hdr_init()), never zero.
 */

#include <string.h>
#include <netinet/in.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>

#include "checksum.h"
#include "ctx.h"
#include "siphash.h"
#include "tap_hdr.h"
#include "util.h"

#define TAP_VNET_LEN		sizeof(struct virtio_net_hdr)

/* Key for IPv6 flow labels: random, set once before the loop */
static struct siphash_key tap_hdr_flow_key;

/**
 * tap_hdr_init() - Draw the flow label key (set-up)
 */
void tap_hdr_init(void)
{
	raw_random(&tap_hdr_flow_key, sizeof(tap_hdr_flow_key));
}

/**
 * tap_hdr_len() - Bytes of the back-end header sent before each frame
 * @c:		Execution context
 *
 * Return: virtio-net header length (pasta, vhost-user), or 4 (passt)
 */
size_t tap_hdr_len(const struct ctx *c)
{
	if (c->vhost_user)
		return TAP_VNET_LEN;
	if (c->mode == MODE_PASST)
		return sizeof(uint32_t);
	return c->vnet_hdr ? TAP_VNET_LEN : 0;
}

/**
 * tap_hdr_set() - Fill the back-end header of a frame
 * @c:		Execution context
 * @th:		Header to fill (output)
 * @l2len:	Length of the Ethernet frame that follows, bytes
 *
 * In pasta and vhost-user modes the virtio-net header is zeroed (no
 * offload): callers sending super-frames set GSO fields after this.
 */
void tap_hdr_set(const struct ctx *c, struct tap_hdr *th, size_t l2len)
{
	if (c->mode == MODE_PASST && !c->vhost_user)
		th->vnet_len = host_to_be32((uint32_t)l2len);
	else
		memset(&th->vnet, 0, sizeof(th->vnet));
}

/**
 * tap_push_l2h() - Write an Ethernet header towards the guest
 * @c:		Execution context
 * @buf:	Where the header goes
 * @proto:	EtherType, network order
 *
 * Return: pointer to the byte after the header
 */
void *tap_push_l2h(const struct ctx *c, void *buf, __be16 proto)
{
	struct ethhdr *eh = buf;

	memcpy(eh->h_dest, c->guest_mac, ETH_ALEN);
	memcpy(eh->h_source, c->our_tap_mac, ETH_ALEN);
	eh->h_proto = proto;
	return eh + 1;
}

/**
 * tap_push_ip4h() - Write an IPv4 header, with its checksum
 * @ip4h:	Where the header goes
 * @src:	Source address
 * @dst:	Destination address
 * @l4len:	Length of the L4 message that follows, bytes
 * @proto:	IP protocol number
 *
 * Return: pointer to the byte after the header
 */
void *tap_push_ip4h(struct iphdr *ip4h, struct in_addr src,
		    struct in_addr dst, size_t l4len, uint8_t proto)
{
	ip4h->version = 4;
	ip4h->ihl = sizeof(*ip4h) / 4;
	ip4h->tos = 0;
	ip4h->tot_len = host_to_be16(l4len + sizeof(*ip4h));
	ip4h->id = 0;
	ip4h->frag_off = htons_constant(IP4_DF);
	ip4h->ttl = 255;
	ip4h->protocol = proto;
	ip4h->saddr = in4_to_be32(src);
	ip4h->daddr = in4_to_be32(dst);
	ip4h->check = 0;
	ip4h->check = csum_ip4_header(ip4h);
	return ip4h + 1;
}

/**
 * tap_push_ip6h() - Write an IPv6 header
 * @ip6h:	Where the header goes
 * @src:	Source address
 * @dst:	Destination address
 * @l4len:	Length of the L4 message that follows, bytes
 * @proto:	Next header
 * @flow:	Flow label, 20 bits, host order
 *
 * Return: pointer to the byte after the header
 */
void *tap_push_ip6h(struct ipv6hdr *ip6h, const struct in6_addr *src,
		    const struct in6_addr *dst, size_t l4len, uint8_t proto,
		    uint32_t flow)
{
	ip6h->version = 6;
	ip6h->priority = 0;
	ip6h->flow_lbl[0] = (flow >> 16) & 0x0f;
	ip6h->flow_lbl[1] = (flow >> 8) & 0xff;
	ip6h->flow_lbl[2] = flow & 0xff;
	ip6h->payload_len = host_to_be16(l4len);
	ip6h->nexthdr = proto;
	ip6h->hop_limit = 255;
	ip6h->saddr = *src;
	ip6h->daddr = *dst;
	return ip6h + 1;
}

/**
 * tap_flow_label() - Non-zero IPv6 flow label for a flow
 * @key:	Bytes identifying the flow (addresses, ports, direction)
 * @len:	Length of @key
 *
 * Return: 20-bit flow label, never zero
 */
uint32_t tap_flow_label(const void *key, size_t len)
{
	uint32_t label = siphash_2_4(&tap_hdr_flow_key, key, len) &
			 IPV6_FLOWLABEL_MASK;

	return label ? label : 1;
}

/**
 * tap_ip4_daddr() - IPv4 address of the guest, as seen or as configured
 * @c:		Execution context
 *
 * Return: address
 */
struct in_addr tap_ip4_daddr(const struct ctx *c)
{
	if (!in4_is_unspec(&c->ip4.addr_seen))
		return c->ip4.addr_seen;
	return c->ip4.addr;
}

/**
 * tap_ip6_daddr() - IPv6 address of the guest matching a source's scope
 * @c:		Execution context
 * @src:	Source address of the message to the guest
 *
 * Return: link-local address for a link-local @src, global otherwise
 */
const struct in6_addr *tap_ip6_daddr(const struct ctx *c,
				     const struct in6_addr *src)
{
	if (IN6_IS_ADDR_LINKLOCAL(src) &&
	    !IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_ll_seen))
		return &c->ip6.addr_ll_seen;
	if (!IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr_seen))
		return &c->ip6.addr_seen;
	return &c->ip6.addr;
}
