/* UNIT_SRCS: nlmsg.c log.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/nlmsg.c - Netlink message building and length-checked parsing */

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "nlmsg.h"
#include "unit.h"

#define TEST_TB_CNT	(RTA_MAX + 1)

static char buf[512] __attribute__((aligned(8)));

/**
 * test_msg() - Start an RTM_NEWROUTE request with a destination and an OIF
 *
 * Return: message in buf
 */
static struct nlmsghdr *test_msg(void)
{
	struct rtmsg rtm = { .rtm_family = AF_INET, .rtm_dst_len = 24 };
	uint8_t dst[4] = { 192, 0, 2, 0 };
	struct nlmsghdr *nh;

	memset(buf, 0, sizeof(buf));
	nh = nlmsg_init(buf, sizeof(buf), RTM_NEWROUTE, 0, &rtm, sizeof(rtm));
	nlmsg_attr_put(nh, sizeof(buf), RTA_DST, dst, sizeof(dst));
	nlmsg_attr_put_u32(nh, sizeof(buf), RTA_OIF, 7);
	return nh;
}

/**
 * test_build_parse() - What is built parses back to the same values
 */
static void test_build_parse(void)
{
	const struct rtattr *tb[TEST_TB_CNT];
	struct nlmsghdr *nh = test_msg();
	const struct rtmsg *rtm;
	const uint8_t *dst;
	uint32_t oif = 0;

	rtm = nlmsg_parse(nh, sizeof(*rtm), tb, TEST_TB_CNT);
	unit_check(rtm && rtm->rtm_dst_len == 24, "family header parsed");
	dst = nlmsg_attr_get(tb[RTA_DST], 4);
	unit_check(dst && dst[0] == 192 && dst[3] == 0, "RTA_DST read back");
	unit_check(nlmsg_attr_get_u32(tb[RTA_OIF], &oif) && oif == 7,
		   "RTA_OIF read back");
	unit_check(!tb[RTA_GATEWAY], "absent attribute is NULL");
	unit_check(!nlmsg_attr_get(tb[RTA_DST], 16),
		   "payload shorter than needed refused");
	unit_check(!nlmsg_attr_get(NULL, 0), "NULL attribute refused");
	unit_check(nh->nlmsg_len % NLMSG_ALIGNTO == 0, "length stays aligned");
}

/**
 * test_build_limits() - Building refuses to overrun the buffer
 */
static void test_build_limits(void)
{
	struct rtmsg rtm = { 0 };
	struct nlmsghdr *nh;
	char big[600] = { 0 };

	unit_check(!nlmsg_init(buf, 8, RTM_NEWROUTE, 0, &rtm, sizeof(rtm)),
		   "init refuses a buffer smaller than the headers");
	nh = nlmsg_init(buf, sizeof(buf), RTM_NEWROUTE, 0, &rtm, sizeof(rtm));
	unit_check(nlmsg_attr_put(nh, sizeof(buf), RTA_DST, big,
				  sizeof(big)) == -ENOBUFS,
		   "attribute larger than the room left refused");
	unit_check(nlmsg_attr_put(nh, NLMSG_HDRLEN + sizeof(rtm) + 4, RTA_OIF,
				  big, 4) == -ENOBUFS,
		   "attribute one byte short of room refused");
	unit_check(nlmsg_attr_put(nh, NLMSG_HDRLEN + sizeof(rtm) + 8, RTA_OIF,
				  big, 4) == 0, "attribute exactly fitting added");
}

/**
 * test_hostile() - Malformed lengths are refused, never read past
 */
static void test_hostile(void)
{
	const struct rtattr *tb[TEST_TB_CNT];
	struct nlmsghdr *nh = test_msg();
	size_t start = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct rtmsg));
	struct rtattr *first = (struct rtattr *)(buf + start);
	uint32_t len = nh->nlmsg_len;

	first->rta_len = 2;
	unit_check(!nlmsg_parse(nh, sizeof(struct rtmsg), tb, TEST_TB_CNT),
		   "attribute length below its header refused");
	first->rta_len = (uint16_t)(len - start + 4);
	unit_check(!nlmsg_parse(nh, sizeof(struct rtmsg), tb, TEST_TB_CNT),
		   "attribute running past the message refused");
	first->rta_len = 8;
	nh->nlmsg_len = NLMSG_HDRLEN + 4;
	unit_check(!nlmsg_parse(nh, sizeof(struct rtmsg), tb, TEST_TB_CNT),
		   "message shorter than its family header refused");

	nh = test_msg();
	nh->nlmsg_len += 3;	/* trailing bytes, fewer than a header */
	unit_check(nlmsg_parse(nh, sizeof(struct rtmsg), tb, TEST_TB_CNT) &&
		   tb[RTA_OIF], "trailing padding tolerated");
	nh->nlmsg_len += 1;	/* now a whole zero-length header: malformed */
	unit_check(!nlmsg_parse(nh, sizeof(struct rtmsg), tb, TEST_TB_CNT),
		   "trailing garbage header refused");
}

/**
 * test_types() - Flag bits are masked, unknown types ignored
 */
static void test_types(void)
{
	const struct rtattr *tb[TEST_TB_CNT];
	struct nlmsghdr *nh = test_msg();
	uint32_t v = 1;

	nlmsg_attr_put(nh, sizeof(buf), RTA_METRICS | NLA_F_NESTED, &v, 4);
	nlmsg_attr_put(nh, sizeof(buf), RTA_MAX + 5, &v, 4);
	unit_check(nlmsg_parse(nh, sizeof(struct rtmsg), tb, TEST_TB_CNT) &&
		   tb[RTA_METRICS], "nested flag masked from the type");
	unit_check(tb[RTA_OIF] != NULL, "unknown type ignored, others kept");
}

/**
 * test_del() - Removing attributes keeps the others intact
 */
static void test_del(void)
{
	const struct rtattr *tb[TEST_TB_CNT];
	struct nlmsghdr *nh = test_msg();
	uint32_t len = nh->nlmsg_len, oif = 0;

	unit_check(nlmsg_attr_del(nh, sizeof(struct rtmsg), RTA_DST),
		   "attribute removed");
	unit_check(nh->nlmsg_len == len - 8, "length shrinks by its size");
	unit_check(nlmsg_parse(nh, sizeof(struct rtmsg), tb, TEST_TB_CNT) &&
		   !tb[RTA_DST] && nlmsg_attr_get_u32(tb[RTA_OIF], &oif) &&
		   oif == 7, "other attribute intact");
	unit_check(!nlmsg_attr_del(nh, sizeof(struct rtmsg), RTA_DST),
		   "nothing to remove: false");
}

/**
 * main() - Run the checks
 *
 * Return: 0 if all passed
 */
int main(void)
{
	test_build_parse();
	test_build_limits();
	test_hostile();
	test_types();
	test_del();
	return unit_done();
}
