/* UNIT_SRCS: fwd.c icmp.c flow.c siphash.c packet.c log.c checksum.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/icmp.c - ICMP echo flows over real ping sockets, loopback only
 *
 * The test enters a new network namespace of its own (as root), allows
 * ping sockets there and brings lo up, then drives icmp.c with echo
 * requests built on a local buffer and handed in through a pool, as tap.c
 * does. Test doubles stand in for epoll_add()/epoll_del() (they record the
 * socket and its reference) and for tap_icmp4_send()/tap_icmp6_send()
 * (they record the reply). Checked: the gateway address goes to loopback,
 * replies carry the guest's identifier, sequence and data and come from the
 * address the guest pinged, two destinations with one identifier get two
 * sockets and each its own replies, idle flows are closed by their timer
 * (icmp_flow_timer(), from a walk of the flow table as passt.c does it), an
 * event for a freed flow is ignored even with its slot and descriptor
 * reused, and a full FLOW_PING cap refuses new flows, counted.
 * Without the privileges for a namespace, the checks are skipped.
 */

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "flow.h"
#include "icmp.h"
#include "packet.h"
#include "ctx.h"
#include "tap_out.h"
#include "unit.h"

#define FLOWS_SEEN	8

/**
 * struct seen - What the test doubles recorded
 * @fd:		Sockets registered with epoll_add()
 * @ref:	Their references
 * @fd_cnt:	Sockets registered
 * @del_cnt:	epoll_del() calls
 * @cnt:	Replies sent to the guest
 * @af:		Family of the last reply
 * @src:	Source of the last reply (IPv4 or IPv6)
 * @dst:	Destination of the last reply
 * @len:	Length of the last reply
 * @buf:	Last reply
 */
static struct seen {
	int fd[FLOWS_SEEN];
	union epoll_ref ref[FLOWS_SEEN];
	unsigned fd_cnt;
	unsigned del_cnt;
	unsigned cnt;
	int af;
	struct in6_addr src, dst;
	size_t len;
	uint8_t buf[65536];
} seen;

static struct ctx c;

/**
 * epoll_add() - Test double: record the socket and its reference
 * @c:		Execution context (unused)
 * @fd:		Socket
 * @events:	Events (unused)
 * @ref_u64:	Reference
 *
 * Return: 0
 */
int epoll_add(const struct ctx *c, int fd, uint32_t events, uint64_t ref_u64)
{
	(void)c;
	(void)events;
	if (seen.fd_cnt < FLOWS_SEEN) {
		seen.fd[seen.fd_cnt] = fd;
		seen.ref[seen.fd_cnt++].u64 = ref_u64;
	}
	return 0;
}

/**
 * epoll_del() - Test double: count
 * @c:		Execution context (unused)
 * @fd:		Socket (unused)
 */
void epoll_del(const struct ctx *c, int fd)
{
	(void)c;
	(void)fd;
	seen.del_cnt++;
}

/**
 * env_long() - Test double: no test override, the default
 * @name:	Variable name (unused)
 * @min:	Smallest value (unused)
 * @max:	Largest value (unused)
 * @def:	Value returned
 *
 * Return: @def
 */
long env_long(const char *name, long min, long max, long def)
{
	(void)name;
	(void)min;
	(void)max;
	return def;
}

/**
 * tap_icmp4_send() - Test double: record the reply
 * @c:		Execution context (unused)
 * @src:	Source address
 * @dst:	Destination address
 * @in:		Message
 * @l4len:	Length
 */
void tap_icmp4_send(struct ctx *c, struct in_addr src, struct in_addr dst,
		    const void *in, size_t l4len)
{
	(void)c;
	seen.cnt++;
	seen.af = AF_INET;
	memcpy(&seen.src, &src, sizeof(src));
	memcpy(&seen.dst, &dst, sizeof(dst));
	seen.len = l4len;
	memcpy(seen.buf, in, l4len);
}

/**
 * tap_icmp6_send() - Test double: record the reply
 * @c:		Execution context (unused)
 * @src:	Source address
 * @dst:	Destination address
 * @in:		Message
 * @l4len:	Length
 */
void tap_icmp6_send(struct ctx *c, const struct in6_addr *src,
		    const struct in6_addr *dst, const void *in, size_t l4len)
{
	(void)c;
	seen.cnt++;
	seen.af = AF_INET6;
	seen.src = *src;
	seen.dst = *dst;
	seen.len = l4len;
	memcpy(seen.buf, in, l4len);
}

/**
 * sandbox() - Enter a new network namespace with ping sockets and lo up
 *
 * Return: 0 on success, -1 if not possible here
 */
static int sandbox(void)
{
	struct ifreq ifr = { .ifr_flags = IFF_UP };
	int fd, s;

	if (unshare(CLONE_NEWNET))
		return -1;
	fd = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY);
	if (fd < 0 || write(fd, "0 2147483647", 12) != 12)
		return -1;
	close(fd);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	strcpy(ifr.ifr_name, "lo");
	if (s < 0 || ioctl(s, SIOCSIFFLAGS, &ifr))
		return -1;
	close(s);
	return 0;
}

/**
 * echo() - Hand one echo request to icmp_tap_handler()
 * @af:		AF_INET or AF_INET6
 * @dst:	Destination, text
 * @id:		Identifier
 * @seq:	Sequence number
 * @now:	Current time, seconds
 */
static void echo(int af, const char *dst, uint16_t id, uint16_t seq,
		 time_t now)
{
	static uint8_t buf[256];
	struct timespec ts = { .tv_sec = now };
	struct flowside key = { .peer_port = 0 };
	struct in6_addr s6, d6;
	struct iovec iov[1];
	struct pool p = { .buf = (char *)buf, .buf_size = sizeof(buf),
			  .size = 1, .count = 0, .pkt = iov };
	uint8_t *m = buf + 1;	/* odd address: no alignment assumed */

	memset(buf, 0, sizeof(buf));
	m[0] = af == AF_INET ? 8 : 128;
	m[4] = (uint8_t)(id >> 8);
	m[5] = (uint8_t)id;
	m[6] = (uint8_t)(seq >> 8);
	m[7] = (uint8_t)seq;
	memcpy(m + 8, "0123456789abcdef", 16);
	packet_add(&p, 24, (char *)m);
	inet_pton(af, af == AF_INET ? "192.0.2.1" : "2001:db8::1", &s6);
	inet_pton(af, dst, &d6);
	inany_from_af(&key.peer, af, &s6);
	inany_from_af(&key.local, af, &d6);
	icmp_tap_handler(&c, &key, &p, &ts);
}

/**
 * reply() - Wait for a reply on a registered socket, run the handler
 * @i:		Index of the socket in seen.fd
 * @now:	Current time, seconds
 *
 * Return: 1 if a reply reached the tap double
 */
static int reply(unsigned i, time_t now)
{
	struct pollfd pfd = { .fd = seen.fd[i], .events = POLLIN };
	struct timespec ts = { .tv_sec = now };
	unsigned before = seen.cnt;

	if (poll(&pfd, 1, 2000) != 1)
		return 0;
	icmp_sock_handler(&c, seen.ref[i], EPOLLIN, &ts);
	return seen.cnt == before + 1;
}

/**
 * reply_is() - Check the last reply
 * @src:	Expected source, text
 * @id:		Expected identifier
 * @seq:	Expected sequence number
 *
 * Return: 1 if it is an echo reply with these, and the request's data
 */
static int reply_is(const char *src, uint16_t id, uint16_t seq)
{
	uint8_t type = seen.af == AF_INET ? 0 : 129;
	struct in6_addr a = IN6ADDR_ANY_INIT;

	inet_pton(seen.af, src, &a);
	return seen.len == 24 && seen.buf[0] == type &&
	       seen.buf[4] == id >> 8 && seen.buf[5] == (id & 0xff) &&
	       seen.buf[6] == seq >> 8 && seen.buf[7] == (seq & 0xff) &&
	       !memcmp(seen.buf + 8, "0123456789abcdef", 16) &&
	       !memcmp(&seen.src, &a, seen.af == AF_INET ? 4 : 16);
}

/**
 * timer() - Run the timer of every echo flow, as passt.c's walk does
 * @now:	Current time, seconds
 */
static void timer(time_t now)
{
	struct timespec ts = { .tv_sec = now };
	struct flow_common *f;
	uint32_t i;

	for (i = 0; i < flow_hiwat(); i++) {
		if ((f = flow_at(i)) && f->type == FLOW_PING)
			icmp_flow_timer(&c, (struct icmp_ping_flow *)f, &ts);
	}
}

/**
 * stale() - A stale event on a reused slot and descriptor is ignored
 * @fresh:	Index in seen.ref of the flow now in the slot
 *
 * Return: 1 if an event carrying an older generation of the slot, with the
 *	   socket now in it, delivers nothing, and the fresh reference does
 */
static int stale(unsigned fresh)
{
	uint32_t idx = seen.ref[fresh].data & 0xffff;
	struct pollfd pfd = { .fd = seen.fd[fresh], .events = POLLIN };
	struct timespec ts = { .tv_sec = 171 };
	unsigned before = seen.cnt, i;
	union epoll_ref old;

	for (i = 0; i < fresh; i++) {
		if ((seen.ref[i].data & 0xffff) == idx)
			break;
	}
	if (i == fresh || poll(&pfd, 1, 2000) != 1)
		return 0;
	old = seen.ref[i];
	old.fd = seen.fd[fresh];
	icmp_sock_handler(&c, old, EPOLLIN, &ts);
	if (seen.cnt != before)
		return 0;
	icmp_sock_handler(&c, seen.ref[fresh], EPOLLIN, &ts);
	return seen.cnt == before + 1;
}

/**
 * ctx_init() - Set up the fake context
 */
static void ctx_init(void)
{
	memset(&c, 0, sizeof(c));
	c.ifi4_up = c.ifi6_up = true;
	inet_pton(AF_INET, "192.0.2.254", &c.ip4.gw);
	inet_pton(AF_INET6, "2001:db8::fe", &c.ip6.gw);
	inet_pton(AF_INET6, "fe80::1", &c.ip6.our_tap_ll);
	c.ip4.map_host_loopback = c.ip4.gw;	/* As conf() sets it */
	c.ip6.map_host_loopback = c.ip6.gw;
}

/**
 * main() - Run the checks
 *
 * Return: 0 if all passed (or skipped)
 */
int main(void)
{
	struct timespec later = { .tv_sec = 140 };

	if (sandbox()) {
		printf("ok - skipped: no network namespace (%s)\n",
		       strerror(errno));
		return 0;
	}
	ctx_init();
	flow_init();
	icmp_init(&c);

	echo(AF_INET, "192.0.2.254", 0x1234, 1, 100);
	unit_check(seen.fd_cnt == 1 && seen.ref[0].type == EPOLL_TYPE_PING &&
	           seen.ref[0].fd == seen.fd[0],
	           "IPv4: ping socket registered");
	unit_check(reply(0, 100) && reply_is("192.0.2.254", 0x1234, 1),
	           "gateway: reply from it, identifier, sequence, data kept");
	echo(AF_INET, "192.0.2.254", 0x1234, 2, 101);
	unit_check(seen.fd_cnt == 1 && reply(0, 101) &&
	           reply_is("192.0.2.254", 0x1234, 2),
	           "same flow: same socket");

	echo(AF_INET, "127.0.0.1", 0x1234, 7, 102);
	unit_check(seen.fd_cnt == 2,
		   "same identifier, other destination: new flow");
	unit_check(reply(1, 102) && reply_is("127.0.0.1", 0x1234, 7),
	           "kernel-chosen identifier: guest's restored");
	echo(AF_INET, "192.0.2.254", 0x1234, 3, 103);
	unit_check(reply(0, 103) && reply_is("192.0.2.254", 0x1234, 3) &&
	           !reply(1, 103), "each flow gets its own replies only");

	echo(AF_INET6, "2001:db8::fe", 0xbeef, 9, 104);
	unit_check(seen.fd_cnt == 3 && reply(2, 104) &&
	           reply_is("2001:db8::fe", 0xbeef, 9), "IPv6 gateway via ::1");

	timer(later.tv_sec);
	unit_check(!seen.del_cnt && flow_count(FLOW_PING) == 3,
		   "flows kept while active");
	later.tv_sec = 170;
	timer(later.tv_sec);
	unit_check(seen.del_cnt == 3 && fcntl(seen.fd[0], F_GETFD) < 0 &&
		   !flow_count(FLOW_PING), "idle flows closed after 60 s");

	echo(AF_INET, "192.0.2.254", 0x1234, 4, 171);
	unit_check(seen.fd_cnt == 4 && stale(3) &&
		   reply_is("192.0.2.254", 0x1234, 4),
		   "stale event for a reused slot and socket ignored");

	flow_limit_set(FLOW_PING, 1);
	echo(AF_INET, "127.0.0.1", 0x4321, 1, 172);
	unit_check(seen.fd_cnt == 4 && flow_refused(FLOW_PING) == 1 &&
		   c.stats.icmp_drop_flow == 1,
		   "ping cap full: new flow refused, counted (icmp_drop_flow)");
	timer(300);
	unit_check(seen.del_cnt == 4 && !flow_count(FLOW_PING),
		   "table empty after the last expiry");

	return unit_done();
}
