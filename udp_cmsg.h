/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_cmsg.h - UDP control messages: local addresses and segment sizes */

#ifndef UDP_CMSG_H
#define UDP_CMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "inany.h"

/**
 * union udp_cmsg - Control messages of one receive or send
 * @buf:	Room for IP_PKTINFO or IPV6_PKTINFO, then UDP_SEGMENT
 * @align:	Alignment of struct cmsghdr
 */
union udp_cmsg {
	char buf[CMSG_SPACE(sizeof(struct in6_pktinfo)) +
		 CMSG_SPACE(sizeof(uint16_t))];
	struct cmsghdr align;
};

int udp_cmsg_listen(int fd, bool v6);
void udp_cmsg_rx(struct msghdr *mh, union udp_cmsg *buf);
void udp_cmsg_local(struct msghdr *mh, union inany_addr *a);
void udp_cmsg_tx(struct msghdr *mh, union udp_cmsg *buf,
		 const union inany_addr *src, bool v6);
void udp_cmsg_segment(struct msghdr *mh, uint16_t seg);
bool udp_cmsg_segmented(const struct msghdr *mh);
size_t udp_cmsg_unsegmented(const struct msghdr *mh);

#endif /* UDP_CMSG_H */
