// SPDX-License-Identifier: GPL-2.0-or-later
/* arp.c - ARP responder: every address but the guest's own is ours
 *
 * The guest reaches its gateway, and any other host it thinks is on-link,
 * through us: requests for any IPv4 address other than the guest's own
 * (and other than gratuitous announcements) get a reply with our MAC
 * address. Requests for the guest's own address, as sent by duplicate
 * address detection (RFC 5227 probes), get no reply, or the guest would see
 * a conflict.
 *
 * A request for 0.0.0.0 from 0.0.0.0 is nobody's probe nor announcement: it
 * is how qrap (ours, and upstream's) asks whether a passt is behind a UNIX
 * socket before handing the socket to qemu. It gets a reply like any other,
 * sent to the frame's Ethernet source, as its sender hardware address is
 * all zeroes.
 */

#include <string.h>
#include <netinet/in.h>
#include <linux/if_ether.h>

#include "arp.h"
#include "packet.h"
#include "ctx.h"
#include "tap_out.h"
#include "util.h"

#define ARP_HRD_ETHER		1
#define ARP_OP_REQUEST		1
#define ARP_OP_REPLY		2

/**
 * struct arp_hdr - ARP fixed header (RFC 826)
 * @ar_hrd:	Hardware type
 * @ar_pro:	Protocol type (EtherType)
 * @ar_hln:	Hardware address length
 * @ar_pln:	Protocol address length
 * @ar_op:	Operation
 */
struct arp_hdr {
	__be16 ar_hrd;
	__be16 ar_pro;
	uint8_t ar_hln;
	uint8_t ar_pln;
	__be16 ar_op;
};

/**
 * struct arp_msg - ARP payload for Ethernet and IPv4 (RFC 826)
 * @sha:	Sender hardware address
 * @spa:	Sender protocol address, network order
 * @tha:	Target hardware address
 * @tpa:	Target protocol address, network order
 */
struct arp_msg {
	unsigned char sha[ETH_ALEN];
	__be32 spa;
	unsigned char tha[ETH_ALEN];
	__be32 tpa;
} __attribute__((packed));

/**
 * struct arp_frame - Whole ARP frame as sent to the guest
 * @eh:		Ethernet header
 * @ah:		ARP header
 * @am:		ARP payload
 */
struct arp_frame {
	struct ethhdr eh;
	struct arp_hdr ah;
	struct arp_msg am;
} __attribute__((packed));

/**
 * arp_wanted() - Should a request be answered? If not, count why not
 * @c:		Execution context
 * @ah:		ARP header
 * @am:		ARP payload
 *
 * Return: true for well-formed requests for addresses we answer for, false
 *	   otherwise, the reason counted in c->stats
 */
static bool arp_wanted(struct ctx *c, const struct arp_hdr *ah,
		       const struct arp_msg *am)
{
	struct passt_stats *s = &c->stats;

	if (ah->ar_hrd != htons_constant(ARP_HRD_ETHER) ||
	    ah->ar_pro != htons_constant(ETH_P_IP) ||
	    ah->ar_hln != ETH_ALEN || ah->ar_pln != 4) {
		s->arp_drop_bad++;
		return false;
	}
	if (ah->ar_op != htons_constant(ARP_OP_REQUEST)) {
		s->arp_drop_op++;
		return false;
	}
	if (am->tpa == am->spa && am->spa) {	/* Gratuitous: announcement */
		s->arp_drop_announce++;
		return false;
	}
	if (am->tpa == in4_to_be32(c->ip4.addr)) {	/* Guest's own */
		s->arp_drop_probe++;
		return false;
	}
	return true;
}

/**
 * arp() - Answer an ARP request from the guest
 * @c:		Execution context
 * @p:		One-packet pool: the whole Ethernet frame
 */
void arp(struct ctx *c, const struct pool *p)
{
	const struct arp_hdr *ah = packet_get(p, 0, L2_HLEN, sizeof(*ah), NULL);
	const struct ethhdr *eh = packet_get(p, 0, 0, sizeof(*eh), NULL);
	const struct arp_msg *am;
	struct arp_frame f;

	am = packet_get(p, 0, L2_HLEN + sizeof(*ah), sizeof(*am), NULL);
	if (!eh || !ah || !am) {
		c->stats.arp_drop_short++;
		return;
	}
	if (!arp_wanted(c, ah, am))
		return;
	memcpy(f.eh.h_dest, eh->h_source, ETH_ALEN);
	memcpy(f.eh.h_source, c->our_tap_mac, ETH_ALEN);
	f.eh.h_proto = htons_constant(ETH_P_ARP);
	f.ah = *ah;
	f.ah.ar_op = htons_constant(ARP_OP_REPLY);
	memcpy(f.am.sha, c->our_tap_mac, ETH_ALEN);
	f.am.spa = am->tpa;
	memcpy(f.am.tha, am->sha, ETH_ALEN);
	f.am.tpa = am->spa;
	tap_send_single(c, &f, sizeof(f));
	c->stats.arp_replies++;
}
