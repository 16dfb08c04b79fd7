// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_err.c - UDP socket errors: ICMP errors rebuilt towards the guest
 *
 * On EPOLLERR, reads the error queue of a flow socket and sends the guest
 * an ICMP or ICMPv6 error quoting its datagram; other sockets just clear
 * SO_ERROR. Its one buffer, udp_err_buf, holds the quoted payload. The
 * Theory of Operation is in udp.c.
 */

#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/errqueue.h>
#include <linux/ipv6.h>
#include <linux/udp.h>

#include "checksum.h"
#include "log.h"
#include "ctx.h"
#include "tap_out.h"
#include "udp_err.h"
#include "udp_internal.h"
#include "util.h"

/* Error queue payload: the start of the datagram an ICMP error quotes */
static uint8_t udp_err_buf[TAP_ICMP6_QUOTE];

/**
 * udp_err_quote() - Send the guest an ICMP error quoting its datagram
 * @c:		Execution context
 * @f:		TAP_OUT flow the datagram belonged to: its INI side is the
 *		guest's (peer) and the far end as the guest sees it (local)
 * @ee:		Extended error from the error queue
 * @dlen:	Payload bytes in udp_err_buf
 *
 * The quoted UDP header carries the checksum of what is quoted (over IPv6,
 * where none is not valid), not of the whole datagram.
 */
static void udp_err_quote(struct ctx *c, const struct udp_flow *f,
			  const struct sock_extended_err *ee, size_t dlen)
{
	const struct flowside *tap = &f->f.side[FLOW_SIDE_INI];
	struct udphdr uh = {
		.source = host_to_be16(tap->peer_port),
		.dest = host_to_be16(tap->local_port),
		.len = host_to_be16((uint16_t)(dlen + sizeof(uh))),
	};
	struct tap_icmp_err e = {
		.type = ee->ee_type, .code = ee->ee_code, .mtu = ee->ee_info,
		.proto = IPPROTO_UDP, .l4len = dlen + sizeof(uh),
		.label = f->label, .hdr = &uh, .hlen = sizeof(uh),
		.data = udp_err_buf, .dlen = dlen,
	};

	if (udp_flow_v6(f))
		csum_udp6(&uh, &tap->peer.a6, &tap->local.a6, udp_err_buf,
			  MIN(dlen, TAP_ICMP6_QUOTE - sizeof(struct ipv6hdr) -
				    sizeof(uh)));
	tap_icmp_err_send(c, &tap->local, &tap->peer, &e);
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
	struct iovec iov = { udp_err_buf, sizeof(udp_err_buf) };
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
	if (ee->ee_origin != (udp_flow_v6(f) ? SO_EE_ORIGIN_ICMP6 :
					       SO_EE_ORIGIN_ICMP))
		return true;
	udp_err_quote(c, f, ee, (size_t)r);
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

	if (f && udp_flow_kind(f) == UDP_FLOW_TAP_OUT) {
		for (i = 0; i < UDP_MAX_FRAMES && udp_err_one(c, f); i++)
			;
	}
	/* Pending socket error (no error queue): read and clear it */
	getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &sl);
	if (e)
		debug_ratelimit("UDP: socket error: %s", strerror(e));
}
