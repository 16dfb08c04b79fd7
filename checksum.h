/* SPDX-License-Identifier: GPL-2.0-or-later */
/* checksum.h - Internet checksums (RFC 1071) for IP, UDP, TCP, ICMP */

#ifndef CHECKSUM_H
#define CHECKSUM_H

#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>
#include <linux/types.h>

struct iphdr;
struct icmphdr;
struct icmp6hdr;
struct udphdr;

uint32_t csum_unfolded(const void *buf, size_t len, uint32_t init);
__sum16 csum_fold(uint32_t sum);
__sum16 csum_ip4_header(const struct iphdr *ip4h);
uint32_t csum_pseudo4(size_t l4len, uint8_t proto, struct in_addr saddr,
		      struct in_addr daddr);
uint32_t csum_pseudo6(size_t l4len, uint8_t proto,
		      const struct in6_addr *saddr,
		      const struct in6_addr *daddr);
void csum_udp4(struct udphdr *uh, struct in_addr saddr, struct in_addr daddr,
	       const void *payload, size_t dlen);
void csum_udp6(struct udphdr *uh, const struct in6_addr *saddr,
	       const struct in6_addr *daddr, const void *payload,
	       size_t dlen);
void csum_icmp4(struct icmphdr *ih, const void *payload, size_t dlen);
void csum_icmp6(struct icmp6hdr *ih, const struct in6_addr *saddr,
		const struct in6_addr *daddr, const void *payload,
		size_t dlen);

#endif /* CHECKSUM_H */
