// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_cmsg.c - UDP control messages: local addresses and segment sizes
 *
 * A forwarded port is bound to a wildcard address (unless -u/-U names
 * one), so a peer may reach it through any local address: loopback, any
 * of the host's addresses. Its replies must come from the address it sent
 * to, or a connected client drops them, and an unconnected one takes them
 * for another peer's. The kernel only knows that per datagram:
 * listening sockets set IP_PKTINFO (IPv4) or IPV6_RECVPKTINFO (IPv6), each
 * datagram read from them carries its local address in a control message,
 * the flow it starts keeps that address, and every reply sent through the
 * listening socket names it as source in an IP_PKTINFO or IPV6_PKTINFO
 * control message. Without one the kernel would pick the source by route,
 * which is the address the peer used only when it is the first one of the
 * outgoing interface.
 *
 * The same control buffer of a send may then hold UDP_SEGMENT (see udp.c,
 * "Guest to host"): the source address always comes first, UDP_SEGMENT
 * last, so a message the kernel refuses to segment is resent datagram by
 * datagram with the same buffer, shortened to the source address alone.
 * A message has UDP_SEGMENT exactly when it has more than one vector.
 */

#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <linux/udp.h>

#include "inany.h"
#include "udp_cmsg.h"
#include "udp_internal.h"

/**
 * udp_cmsg_listen() - Ask for the local address of each received datagram
 * @fd:		Listening socket
 * @v6:		IPv6 socket
 *
 * Return: 0 on success, -1 with errno set
 *
 * #syscalls setsockopt
 */
int udp_cmsg_listen(int fd, bool v6)
{
	int y = 1;

	if (v6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &y,
				  sizeof(y));
	return setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &y, sizeof(y));
}

/**
 * udp_cmsg_rx() - Prepare a receive to take the local address
 * @mh:		Message header of the receive
 * @buf:	Control buffer for it
 */
void udp_cmsg_rx(struct msghdr *mh, union udp_cmsg *buf)
{
	mh->msg_control = buf;
	mh->msg_controllen = sizeof(*buf);
}

/**
 * udp_cmsg_local() - Local address a received datagram was sent to
 * @mh:		Message header filled by the kernel
 * @a:		Address (output): unspecified if not known, or if multicast
 *		(no reply can come from it; the kernel then picks one)
 *
 * For IPv4 the kernel's "specific destination" is used: the address a
 * reply should come from, the interface's own address for a broadcast.
 */
void udp_cmsg_local(struct msghdr *mh, union inany_addr *a)
{
	struct cmsghdr *cm;

	memset(a, 0, sizeof(*a));
	if (!mh->msg_control || mh->msg_flags & MSG_CTRUNC)
		return;
	for (cm = CMSG_FIRSTHDR(mh); cm; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IP &&
		    cm->cmsg_type == IP_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
			struct in_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			inany_from_v4(a, pi.ipi_spec_dst);
			return;
		}
		if (cm->cmsg_level == IPPROTO_IPV6 &&
		    cm->cmsg_type == IPV6_PKTINFO &&
		    cm->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;

			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			if (!IN6_IS_ADDR_MULTICAST(&pi.ipi6_addr))
				a->a6 = pi.ipi6_addr;
			return;
		}
	}
}

/**
 * udp_cmsg_tx() - Start the control messages of a send: the source address
 * @mh:		Message header, one vector so far, no control message yet
 * @buf:	Control buffer for it
 * @src:	Source address, unspecified to let the kernel pick
 * @v6:		IPv6 socket
 */
void udp_cmsg_tx(struct msghdr *mh, union udp_cmsg *buf,
		 const union inany_addr *src, bool v6)
{
	struct cmsghdr *cm;

	mh->msg_control = buf;
	mh->msg_controllen = 0;
	if (udp_is_unspec(src))
		return;
	cm = (struct cmsghdr *)(void *)buf->buf;
	memset(buf, 0, sizeof(*buf));
	if (v6) {
		struct in6_pktinfo pi = { .ipi6_addr = src->a6 };

		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
	} else {
		struct in_pktinfo pi = { .ipi_spec_dst = *inany_v4(src) };

		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		mh->msg_controllen = CMSG_SPACE(sizeof(pi));
	}
}

/**
 * udp_cmsg_segment() - Append UDP_SEGMENT to the control messages of a send
 * @mh:		Message header, control buffer from udp_cmsg_tx()
 * @seg:	Segment size, bytes
 */
void udp_cmsg_segment(struct msghdr *mh, uint16_t seg)
{
	struct cmsghdr *cm = (struct cmsghdr *)(void *)
			     ((char *)mh->msg_control + mh->msg_controllen);

	cm->cmsg_level = IPPROTO_UDP;
	cm->cmsg_type = UDP_SEGMENT;
	cm->cmsg_len = CMSG_LEN(sizeof(seg));
	memcpy(CMSG_DATA(cm), &seg, sizeof(seg));
	mh->msg_controllen += CMSG_SPACE(sizeof(seg));
}

/**
 * udp_cmsg_segmented() - Does a send carry UDP_SEGMENT?
 * @mh:		Message header
 *
 * A message may have several vectors for two reasons: the datagrams of one
 * UDP_SEGMENT send, or the pieces of one datagram (vhost-user: a payload
 * left in several guest buffers). Only the control message tells them apart.
 *
 * Return: true if @mh has a UDP_SEGMENT control message
 */
bool udp_cmsg_segmented(const struct msghdr *mh)
{
	const struct cmsghdr *cm;

	for (cm = CMSG_FIRSTHDR(mh); cm;
	     cm = CMSG_NXTHDR((struct msghdr *)mh, (struct cmsghdr *)cm)) {
		if (cm->cmsg_level == IPPROTO_UDP &&
		    cm->cmsg_type == UDP_SEGMENT)
			return true;
	}
	return false;
}

/**
 * udp_cmsg_unsegmented() - Length of the control messages without UDP_SEGMENT
 * @mh:		Message header, UDP_SEGMENT appended last if it has one
 *
 * Return: length of the source address part, bytes (0 if none)
 */
size_t udp_cmsg_unsegmented(const struct msghdr *mh)
{
	if (!udp_cmsg_segmented(mh))
		return mh->msg_controllen;
	return mh->msg_controllen - CMSG_SPACE(sizeof(uint16_t));
}
