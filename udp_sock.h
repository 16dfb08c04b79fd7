/* SPDX-License-Identifier: GPL-2.0-or-later */
/* udp_sock.h - UDP sockets: options, opening, binding, batched sends,
 * internal to udp*.c
 */

#ifndef UDP_SOCK_H
#define UDP_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "flow.h"
#include "inany.h"
#include "ctx.h"
#include "udp_internal.h"

socklen_t udp_sa_set(struct sockaddr_in6 *sa, const union inany_addr *a,
		     uint16_t port, bool v6);
void udp_sa_get(const struct sockaddr_in6 *sa, union inany_addr *a,
		uint16_t *port);
int udp_sock_opts(int fd, bool v6, bool recverr);
int udp_sock_new(const struct ctx *c, bool v6, bool recverr,
		 const struct udp_flow *keep);
int udp_sock_bind(int fd, const union inany_addr *a, uint16_t port,
		  bool v6);
int udp_sock_bind_connect(int fd, struct flowside *s, bool v6);
size_t udp_send_batch(struct ctx *c, int fd, struct mmsghdr *mm,
		      size_t n, uint16_t *gso_bad);
void udp_nspool_refill(const struct ctx *c);
int udp_nspool_take(bool v6);
int udp_sock_ns(const struct ctx *c, bool v6, const struct udp_flow *keep);

#endif /* UDP_SOCK_H */
