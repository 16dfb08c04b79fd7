/* SPDX-License-Identifier: GPL-2.0-or-later */
/* nlmsg.h - Netlink messages: building, length-checked parsing, exchanges */

#ifndef NLMSG_H
#define NLMSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

/**
 * typedef nlmsg_cb_t - Called for each answer message of an exchange
 * @nh:		Message, header checked to lie within the datagram
 * @arg:	Caller's argument
 *
 * Return: true to see further messages, false to ignore the rest
 */
typedef bool (*nlmsg_cb_t)(const struct nlmsghdr *nh, void *arg);

/**
 * nlmsg_align() - Round a length up to netlink alignment (4 bytes)
 * @len:	Length, bytes
 *
 * Return: aligned length
 */
static inline size_t nlmsg_align(size_t len)
{
	return (len + NLMSG_ALIGNTO - 1) & ~(size_t)(NLMSG_ALIGNTO - 1);
}


int nlmsg_sock_open(void);
struct nlmsghdr *nlmsg_init(char *buf, size_t size, uint16_t type,
			    uint16_t flags, const void *hdr, size_t hdr_len);
int nlmsg_attr_put(struct nlmsghdr *nh, size_t size, uint16_t type,
		   const void *data, size_t len);
int nlmsg_attr_put_u32(struct nlmsghdr *nh, size_t size, uint16_t type,
		       uint32_t v);
bool nlmsg_attr_del(struct nlmsghdr *nh, size_t hdr_len, uint16_t type);
const struct rtattr *nlmsg_attr_next(const char *p, size_t len, size_t *off);
int nlmsg_attr_parse(const char *p, size_t len,
		     const struct rtattr **tb, size_t tb_cnt);
size_t nlmsg_attr_len(const struct rtattr *rta);
const void *nlmsg_attr_get(const struct rtattr *rta, size_t len);
bool nlmsg_attr_get_u32(const struct rtattr *rta, uint32_t *v);
const void *nlmsg_parse(const struct nlmsghdr *nh, size_t hdr_len,
			const struct rtattr **tb, size_t tb_cnt);
int nlmsg_exchange(int s, struct nlmsghdr *req, nlmsg_cb_t cb, void *arg);

#endif /* NLMSG_H */
