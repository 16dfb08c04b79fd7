// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_err.c - UDP socket errors: ICMP errors rebuilt towards the guest
 *
 * On EPOLLERR, reads the error queue of a flow socket and sends the guest
 * an ICMP or ICMPv6 error quoting its datagram; other sockets just clear
 * SO_ERROR. Uses udp.err_buf and udp.icmp_buf (struct udp_state,
 * udp_internal.h). The Theory of Operation is in udp.c.
 */

#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/errqueue.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include "checksum.h"
#include "log.h"
#include "passt.h"
#include "tap.h"
#include "udp_err.h"
#include "udp_internal.h"
#include "util.h"

/**
 * udp_icmp4_build() - Build an ICMP error quoting a guest datagram
 * @f:		Flow the datagram belonged to
 * @ee:		Extended error from the error queue
 * @dlen:	Payload bytes in udp.err_buf
 *
 * Return: length of the ICMP message in udp.icmp_buf
 */
static size_t udp_icmp4_build(const struct udp_flow *f,
			      const struct sock_extended_err *ee, size_t dlen)
{
	struct icmphdr *ih = (struct icmphdr *)(void *)udp.icmp_buf;
	struct iphdr *ip4h = (struct iphdr *)(ih + 1);
	struct udphdr *uh = (struct udphdr *)(ip4h + 1);
	size_t qlen = MIN(dlen, UDP_ICMP4_QUOTE - sizeof(*ip4h) - sizeof(*uh));

	memset(ih, 0, sizeof(*ih));
	ih->type = ee->ee_type;
	ih->code = ee->ee_code;
	if (ee->ee_type == ICMP_DEST_UNREACH && ee->ee_code == ICMP_FRAG_NEEDED)
		ih->un.frag.mtu = host_to_be16(
			(uint16_t)MIN(ee->ee_info, 0xffffU));
	uh->source = host_to_be16(f->key.ap);
	uh->dest = host_to_be16(f->key.bp);
	uh->len = host_to_be16(
		(uint16_t)(dlen + sizeof(*uh)));
	uh->check = 0;
	memcpy(uh + 1, udp.err_buf, qlen);
	tap_push_ip4h(ip4h, f->key.a.v4mapped.a4, f->key.b.v4mapped.a4,
		      dlen + sizeof(*uh), IPPROTO_UDP);
	return sizeof(*ih) + sizeof(*ip4h) + sizeof(*uh) + qlen;
}

/**
 * udp_icmp6_build() - Build an ICMPv6 error quoting a guest datagram
 * @f:		Flow the datagram belonged to
 * @ee:		Extended error from the error queue
 * @dlen:	Payload bytes in udp.err_buf
 *
 * Return: length of the ICMPv6 message in udp.icmp_buf
 */
static size_t udp_icmp6_build(const struct udp_flow *f,
			      const struct sock_extended_err *ee, size_t dlen)
{
	struct icmp6hdr *ih = (struct icmp6hdr *)(void *)udp.icmp_buf;
	struct ipv6hdr *ip6h = (struct ipv6hdr *)(ih + 1);
	struct udphdr *uh = (struct udphdr *)(ip6h + 1);
	size_t qlen = MIN(dlen, UDP_ICMP6_QUOTE - sizeof(*ip6h) - sizeof(*uh));

	memset(ih, 0, sizeof(*ih));
	ih->icmp6_type = ee->ee_type;
	ih->icmp6_code = ee->ee_code;
	if (ee->ee_type == ICMPV6_PKT_TOOBIG)
		ih->icmp6_mtu = host_to_be32(ee->ee_info);
	uh->source = host_to_be16(f->key.ap);
	uh->dest = host_to_be16(f->key.bp);
	uh->len = host_to_be16(
		(uint16_t)(dlen + sizeof(*uh)));
	memcpy(uh + 1, udp.err_buf, qlen);
	tap_push_ip6h(ip6h, &f->key.a.a6, &f->key.b.a6, dlen + sizeof(*uh),
		      IPPROTO_UDP, f->label);
	csum_udp6(uh, &f->key.a.a6, &f->key.b.a6, uh + 1, qlen);
	return sizeof(*ih) + sizeof(*ip6h) + sizeof(*uh) + qlen;
}

/**
 * udp_err_one() - Read one error from a flow socket's error queue
 * @c:		Execution context
 * @f:		TAP_OUT flow
 *
 * Return: true if an error was read (the queue may hold more)
 *
 * #syscalls recvmsg
 */
static bool udp_err_one(struct ctx *c, const struct udp_flow *f)
{
	char cbuf[CMSG_SPACE(sizeof(struct sock_extended_err) +
			     sizeof(struct sockaddr_in6))];
	struct iovec iov = { udp.err_buf, sizeof(udp.err_buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	const struct sock_extended_err *ee;
	struct cmsghdr *cm;
	ssize_t r;

	r = recvmsg(f->sock, &mh, MSG_ERRQUEUE);
	if (r < 0)
		return false;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || !((cm->cmsg_level == IPPROTO_IP &&
		      cm->cmsg_type == IP_RECVERR) ||
		     (cm->cmsg_level == IPPROTO_IPV6 &&
		      cm->cmsg_type == IPV6_RECVERR)))
		return true;
	ee = (const struct sock_extended_err *)(void *)CMSG_DATA(cm);
	if (f->v6 && ee->ee_origin == SO_EE_ORIGIN_ICMP6) {
		size_t l4len = udp_icmp6_build(f, ee, (size_t)r);

		tap_icmp6_send(c, &f->key.b.a6, &f->key.a.a6, udp.icmp_buf,
			       l4len);
	} else if (!f->v6 && ee->ee_origin == SO_EE_ORIGIN_ICMP) {
		size_t l4len = udp_icmp4_build(f, ee, (size_t)r);

		tap_icmp4_send(c, f->key.b.v4mapped.a4, f->key.a.v4mapped.a4,
			       udp.icmp_buf, l4len);
	}
	return true;
}

/**
 * udp_sock_error() - Handle EPOLLERR on a socket
 * @c:		Execution context
 * @fd:		Socket
 * @f:		TAP_OUT flow whose errors go to the guest, or NULL
 *
 * #syscalls getsockopt
 */
void udp_sock_error(struct ctx *c, int fd, const struct udp_flow *f)
{
	socklen_t sl = sizeof(int);
	int i, e = 0;

	if (f && f->type == UDP_FLOW_TAP_OUT) {
		for (i = 0; i < UDP_MAX_FRAMES && udp_err_one(c, f); i++)
			;
	}
	/* Pending socket error (no error queue): read and clear it */
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl);
	if (e)
		debug_ratelimit("UDP: socket error: %s", strerror(e));
}
