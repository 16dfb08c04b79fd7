/* SPDX-License-Identifier: GPL-2.0-or-later */
/* inany.h - One address type for IPv4 and IPv6: IPv4 as v4-mapped IPv6 */

#ifndef INANY_H
#define INANY_H

#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

/**
 * union inany_addr - IPv6 address, or IPv4 address as ::ffff:a.b.c.d
 * @a6:		As IPv6
 * @v4mapped:	IPv4 view
 * @v4mapped.zero:	Zero prefix
 * @v4mapped.one:	0xffff
 * @v4mapped.a4:	IPv4 address
 */
union inany_addr {
	struct in6_addr a6;
	struct {
		uint8_t zero[10];
		uint8_t one[2];
		struct in_addr a4;
	} v4mapped;
};

/**
 * inany_v4() - IPv4 address in an inany, if it is one
 * @a:		Address
 *
 * Return: pointer to the IPv4 address, NULL if @a is IPv6
 */
static inline const struct in_addr *inany_v4(const union inany_addr *a)
{
	if (!IN6_IS_ADDR_V4MAPPED(&a->a6))
		return NULL;
	return &a->v4mapped.a4;
}

/**
 * inany_from_v4() - Set an inany from an IPv4 address
 * @a:		Address to set (output)
 * @v4:		IPv4 address
 */
static inline void inany_from_v4(union inany_addr *a, struct in_addr v4)
{
	memset(a->v4mapped.zero, 0, sizeof(a->v4mapped.zero));
	a->v4mapped.one[0] = a->v4mapped.one[1] = 0xff;
	a->v4mapped.a4 = v4;
}

/**
 * inany_from_af() - Set an inany from an address of either family
 * @a:		Address to set (output)
 * @af:		AF_INET or AF_INET6
 * @addr:	struct in_addr or struct in6_addr
 */
static inline void inany_from_af(union inany_addr *a, int af,
				 const void *addr)
{
	if (af == AF_INET)
		inany_from_v4(a, *(const struct in_addr *)addr);
	else
		a->a6 = *(const struct in6_addr *)addr;
}

/**
 * inany_equals() - Compare two inany addresses
 * @a:		First address
 * @b:		Second address
 *
 * Return: true if equal
 */
static inline bool inany_equals(const union inany_addr *a,
				const union inany_addr *b)
{
	return IN6_ARE_ADDR_EQUAL(&a->a6, &b->a6);
}

#endif /* INANY_H */
