/* SPDX-License-Identifier: GPL-2.0-or-later */
/* util.h - Small helpers shared by every file: sizes, byte order, sockets */

#ifndef UTIL_H
#define UTIL_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <netinet/in.h>
#include <linux/types.h>

#include "log.h"

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)		((a) < (b) ? (a) : (b))
#define MAX(a, b)		((a) > (b) ? (a) : (b))
#define DIV_ROUND_UP(n, d)	(((n) + (d) - 1) / (d))
#define ROUND_UP(n, d)		(DIV_ROUND_UP(n, d) * (d))

#define likely(x)		__builtin_expect(!!(x), 1)
#define unlikely(x)		__builtin_expect(!!(x), 0)

#define STRINGIFY(x)		#x
#define STR(x)			STRINGIFY(x)

#ifndef __bitwise
#define __bitwise
#endif
#ifndef __force
#ifdef __CHECKER__
#define __force		__attribute__((force))
#else
#define __force
#endif
#endif

#define NUM_PORTS		(1U << 16)
#define IPV6_FLOWLABEL_MASK	0x000fffffU

/* Ephemeral ports, as the kernel's default ip_local_port_range */
#define EPHEMERAL_PORT_FIRST	32768
#define EPHEMERAL_PORT_LAST	60999

/* Largest frame the kernel takes on a tap device, and the default MTU */
#ifndef ETH_MAX_MTU
#define ETH_MAX_MTU		65535
#endif
#define MTU_DEFAULT		65520
#define L2_HLEN			14	/* Ethernet header, no VLAN tag */

/* IPv4 fragment field bits (host order, RFC 791) */
#define IP4_DF			0x4000
#define IP4_MF			0x2000
#define IP4_OFFMASK		0x1fff

/**
 * htons_constant() - Byte-swap a 16-bit constant at compile time
 * @x:		Host-order value
 *
 * Return: @x in network order, typed as such
 */
#define htons_constant(x)	((__force __be16)__builtin_bswap16(x))
#define htonl_constant(x)	((__force __be32)__builtin_bswap32(x))

/**
 * be16_to_host() - Convert a network-order 16-bit field to host order
 * @v:		Network-order value
 *
 * Return: host-order value
 */
static inline uint16_t be16_to_host(__be16 v)
{
	return ntohs((__force uint16_t)v);
}

/**
 * host_to_be16() - Convert a host-order 16-bit value to network order
 * @v:		Host-order value
 *
 * Return: network-order value
 */
static inline __be16 host_to_be16(uint16_t v)
{
	return (__force __be16)htons(v);
}

/**
 * be32_to_host() - Convert a network-order 32-bit field to host order
 * @v:		Network-order value
 *
 * Return: host-order value
 */
static inline uint32_t be32_to_host(__be32 v)
{
	return ntohl((__force uint32_t)v);
}

/**
 * host_to_be32() - Convert a host-order 32-bit value to network order
 * @v:		Host-order value
 *
 * Return: network-order value
 */
static inline __be32 host_to_be32(uint32_t v)
{
	return (__force __be32)htonl(v);
}

/**
 * in4_to_be32() - Raw network-order value of an IPv4 address
 * @a:		Address
 *
 * Return: the address as a network-order 32-bit value
 */
static inline __be32 in4_to_be32(struct in_addr a)
{
	return (__force __be32)a.s_addr;
}

/**
 * be32_to_in4() - IPv4 address from a raw network-order value
 * @v:		Network-order value
 *
 * Return: address
 */
static inline struct in_addr be32_to_in4(__be32 v)
{
	struct in_addr a = { .s_addr = (__force uint32_t)v };

	return a;
}

/**
 * timespec_diff_ms() - Milliseconds between two monotonic time stamps
 * @a:		Later time
 * @b:		Earlier time
 *
 * Return: @a - @b, in milliseconds (negative if @a is earlier)
 */
static inline long long timespec_diff_ms(const struct timespec *a,
					 const struct timespec *b)
{
	return (a->tv_sec - b->tv_sec) * 1000LL +
	       (a->tv_nsec - b->tv_nsec) / 1000000LL;
}

/**
 * timespec_diff_ns() - Nanoseconds between two monotonic time stamps
 * @a:		Later time
 * @b:		Earlier time
 *
 * Return: @a - @b, in nanoseconds (negative if @a is earlier)
 */
static inline long long timespec_diff_ns(const struct timespec *a,
					 const struct timespec *b)
{
	return (a->tv_sec - b->tv_sec) * 1000000000LL +
	       (a->tv_nsec - b->tv_nsec);
}

/**
 * in4_is_unspec() - Is an IPv4 address 0.0.0.0?
 * @a:		Address
 *
 * Return: true if unspecified
 */
static inline bool in4_is_unspec(const struct in_addr *a)
{
	return a->s_addr == INADDR_ANY;
}

/**
 * in4_is_loopback() - Is an IPv4 address in 127.0.0.0/8?
 * @a:		Address
 *
 * Return: true if loopback
 */
static inline bool in4_is_loopback(const struct in_addr *a)
{
	return (ntohl(a->s_addr) >> 24) == IN_LOOPBACKNET;
}

/**
 * in4_equal() - Compare two IPv4 addresses
 * @a:		First address
 * @b:		Second address
 *
 * Return: true if equal
 */
static inline bool in4_equal(const struct in_addr *a, const struct in_addr *b)
{
	return a->s_addr == b->s_addr;
}

struct ctx;

int sock_l4(const struct ctx *c, int af, uint8_t proto,
	    const void *bind_addr, const char *ifname, uint16_t port,
	    uint64_t ref_u64);
int epoll_add(const struct ctx *c, int fd, uint32_t events, uint64_t ref_u64);
int epoll_mod(const struct ctx *c, int fd, uint32_t events, uint64_t ref_u64);
void epoll_del(const struct ctx *c, int fd);
int ns_call(int (*fn)(void *arg), void *arg);
void ns_call_setup(int netns_fd);
int pidfile_open(const char *path);
void pidfile_write(int fd, pid_t pid);
int daemonise(int nullfd);
int fd_set_nonblock(int fd);
void raw_random(void *buf, size_t len);
const char *mac_ntop(const unsigned char *mac, char *buf, size_t len);
int write_file(const char *path, const char *buf);
long env_long(const char *name, long min, long max, long def);

#define MAC_STRLEN		18

#endif /* UTIL_H */
