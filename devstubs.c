// SPDX-License-Identifier: GPL-2.0-or-later
/* devstubs.c - TEMPORARY weak stand-ins while modules are written in
 * parallel; a module that defines a function overrides its stand-in.
 * Must be deleted (and removed from SRCS) before the session ends. */
#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/socket.h>
#include "passt.h"
#include "packet.h"
#include "dhcp.h"
#include "dhcpv6.h"
#include "ndp.h"
#include "icmp.h"
#include "udp.h"
#include "tcp.h"
#include "tcp_splice.h"
#define W __attribute__((weak))
W int dhcp(struct ctx *c, const struct pool *p) { (void)c; (void)p; return 0; }
W int dhcpv6(struct ctx *c, const struct pool *p, const struct in6_addr *s, const struct in6_addr *d) { (void)c;(void)p;(void)s;(void)d; return 0; }
W int ndp(struct ctx *c, const struct pool *p, const struct in6_addr *s, const struct in6_addr *d) { (void)c;(void)p;(void)s;(void)d; return 0; }
W void ndp_timer(struct ctx *c, const struct timespec *now) { (void)c;(void)now; }
W int icmp_tap_handler(struct ctx *c, int af, const void *s, const void *d, const struct pool *p, const struct timespec *now) { (void)c;(void)af;(void)s;(void)d;(void)p;(void)now; return 0; }
W void icmp_sock_handler(struct ctx *c, union epoll_ref r, uint32_t e, const struct timespec *now) { (void)c;(void)r;(void)e;(void)now; }
W void icmp_timer(struct ctx *c, const struct timespec *now) { (void)c;(void)now; }
W void icmp_init(struct ctx *c) { (void)c; }
W int udp_tap_handler(struct ctx *c, int af, const void *s, const void *d, const struct pool *p, const struct timespec *now) { (void)c;(void)af;(void)s;(void)d;(void)p;(void)now; return 0; }
W void udp_sock_handler(struct ctx *c, union epoll_ref r, uint32_t e, const struct timespec *now) { (void)c;(void)r;(void)e;(void)now; }
W void udp_timer(struct ctx *c, const struct timespec *now) { (void)c;(void)now; }
W void udp_init(struct ctx *c) { (void)c; }
W void udp_flush(struct ctx *c) { (void)c; }
W int tcp_tap_handler(struct ctx *c, int af, const void *s, const void *d, const struct pool *p, const struct timespec *now) { (void)c;(void)af;(void)s;(void)d;(void)p;(void)now; return 0; }
W void tcp_sock_handler(struct ctx *c, union epoll_ref r, uint32_t e, const struct timespec *now) { (void)c;(void)r;(void)e;(void)now; }
W void tcp_listen_handler(struct ctx *c, union epoll_ref r, const struct timespec *now) { (void)c;(void)r;(void)now; }
W void tcp_timer_handler(struct ctx *c, union epoll_ref r) { (void)c;(void)r; }
W void tcp_timer(struct ctx *c, const struct timespec *now) { (void)c;(void)now; }
W void tcp_init(struct ctx *c) { (void)c; }
W void tcp_flush(struct ctx *c) { (void)c; }
W void tcp_splice_sock_handler(struct ctx *c, union epoll_ref r, uint32_t e, const struct timespec *now) { (void)c;(void)r;(void)e;(void)now; }
