/* SPDX-License-Identifier: GPL-2.0-or-later */
/* bench.h - Helpers shared by the benchmark tools bench_rr.c, bench_crr.c */

#ifndef BENCH_H
#define BENCH_H

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/**
 * bench_now() - Read the monotonic clock
 *
 * Return: nanoseconds since an arbitrary point
 */
static inline uint64_t bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/**
 * bench_num() - Parse a decimal number with an end-pointer check
 * @s:		Text
 * @max:	Largest accepted value
 *
 * Return: value, exits on malformed or out-of-range input
 */
static inline unsigned long bench_num(const char *s, unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *s == '\0' || *end != '\0' || v > max) {
		fprintf(stderr, "bad number: %s\n", s);
		exit(2);
	}
	return v;
}

/**
 * bench_addr_parse() - Socket address from a numeric address and a port
 * @s:		IPv4 or IPv6 address as text
 * @port:	Port, host order
 * @addr:	Address (output)
 * @len:	Its length (output)
 *
 * Return: address family, or -1 if @s is not an address
 */
static inline int bench_addr_parse(const char *s, uint16_t port,
				   struct sockaddr_storage *addr,
				   socklen_t *len)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)addr;
	struct sockaddr_in *a4 = (struct sockaddr_in *)addr;

	memset(addr, 0, sizeof(*addr));
	if (inet_pton(AF_INET, s, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*len = sizeof(*a4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, s, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons(port);
		*len = sizeof(*a6);
		return AF_INET6;
	}
	return -1;
}

#endif /* BENCH_H */
