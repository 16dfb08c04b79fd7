// SPDX-License-Identifier: GPL-2.0-or-later
/* test/platform/nl_dup.c - Drive netlink.c against real namespaces
 *
 * Run by test/integration/netlink_dup.sh, which builds it with netlink.c,
 * nlmsg.c, log.c and util.c, creates the namespaces, and checks the results
 * with ip(8). Sub-commands, each run in the namespace playing the host:
 *
 *   info
 *	Print what the host-side queries report: "ext4 NAME", "gw4 ADDR",
 *	"addr4 ADDR/LEN", same for IPv6 plus "ll6 ADDR", and "mac4 MAC"
 *	("none" where nothing was found).
 *
 *   dup NETNS_PATH IFNAME MTU MAC
 *	Copy the IPv4 and IPv6 addresses and routes of the host's external
 *	interface to IFNAME in the namespace at NETNS_PATH, after setting its
 *	MTU and MAC address and bringing it up. One "step RESULT" line each.
 *
 *   set NETNS_PATH IFNAME
 *	Give IFNAME in that namespace 192.0.2.77/24 and 2001:db8::77/64 and
 *	default routes via 192.0.2.254 and 2001:db8::fe, printing the
 *	namespace-side view ("ext4 ..." and so on) before and after; then
 *	copy the host's routes there (their preferred source addresses are
 *	missing in that namespace).
 *
 * Exit status: 0 if every step returned success, 1 otherwise.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>

#include "../../ctx.h"
#include "../../util.h"
#include "../../log.h"
#include "../../netlink.h"

/**
 * struct nl_dup_t - Test state
 * @failed:	Some step failed
 * @ifname:	Interface to look up in the namespace
 * @ifi:	Its index, found by nl_dup_t_ifi()
 */
static struct nl_dup_t {
	bool failed;
	const char *ifname;
	unsigned ifi;
} t;

/**
 * nl_dup_t_step() - Print and record the result of a step
 * @name:	Step name
 * @ret:	0 or negative errno
 */
static void nl_dup_t_step(const char *name, int ret)
{
	printf("%s %s\n", name, ret ? strerror(-ret) : "ok");
	if (ret)
		t.failed = true;
}

/**
 * nl_dup_t_ifname() - Print an interface name as "key NAME"
 * @s:		Netlink socket
 * @key:	Key
 * @ifi:	Interface index, 0 for none
 */
static void nl_dup_t_ifname(int s, const char *key, unsigned ifi)
{
	char name[IFNAMSIZ];

	if (!ifi || nl_link_get_name(s, ifi, name))
		printf("%s none\n", key);
	else
		printf("%s %s\n", key, name);
}

/**
 * nl_dup_t_addr() - Print an address as "key ADDR" or "key ADDR/LEN"
 * @key:	Key
 * @af:		Address family
 * @addr:	Address, NULL for none
 * @plen:	Prefix length, negative to leave out
 */
static void nl_dup_t_addr(const char *key, sa_family_t af, const void *addr,
			  int plen)
{
	char buf[INET6_ADDRSTRLEN];

	if (!addr) {
		printf("%s none\n", key);
		return;
	}
	inet_ntop(af, addr, buf, sizeof(buf));
	if (plen >= 0)
		printf("%s %s/%i\n", key, buf, plen);
	else
		printf("%s %s\n", key, buf);
}

/**
 * nl_dup_t_info_af() - Print external interface, gateway, address of a family
 * @s:		Netlink socket
 * @af:		AF_INET or AF_INET6
 *
 * Return: external interface index, 0 if none
 */
static unsigned nl_dup_t_info_af(int s, sa_family_t af)
{
	struct in6_addr gw, addr, ll;
	bool v4 = af == AF_INET;
	unsigned ifi;
	int plen = -1;

	ifi = nl_get_ext_if(s, af);
	nl_dup_t_ifname(s, v4 ? "ext4" : "ext6", ifi);
	nl_dup_t_addr(v4 ? "gw4" : "gw6", af,
		      ifi && nl_route_get_def(s, ifi, af, &gw) ? &gw : NULL,
		      -1);
	if (!ifi || nl_addr_get(s, ifi, af, &addr, &plen, v4 ? NULL : &ll)) {
		nl_dup_t_addr(v4 ? "addr4" : "addr6", af, NULL, -1);
		if (!v4)
			nl_dup_t_addr("ll6", af, NULL, -1);
		return ifi;
	}
	nl_dup_t_addr(v4 ? "addr4" : "addr6", af, &addr, plen);
	if (!v4)
		nl_dup_t_addr("ll6", af, &ll, -1);
	return ifi;
}

/**
 * nl_dup_t_info() - Print what the queries report through a socket
 * @s:		Netlink socket
 */
static void nl_dup_t_info(int s)
{
	unsigned char mac[ETH_ALEN];
	char buf[MAC_STRLEN];
	unsigned ifi;

	ifi = nl_dup_t_info_af(s, AF_INET);
	nl_dup_t_info_af(s, AF_INET6);
	if (ifi && !nl_link_get_mac(s, ifi, mac))
		printf("mac4 %s\n", mac_ntop(mac, buf, sizeof(buf)));
	else
		printf("mac4 none\n");
}

/**
 * nl_dup_t_ifi() - ns_call() entry: find the interface in the namespace
 * @arg:	Unused
 *
 * Return: 0
 */
static int nl_dup_t_ifi(void *arg)
{
	(void)arg;
	t.ifi = nl_ifindex(t.ifname);
	return 0;
}

/**
 * nl_dup_t_ns() - Enter nothing, but set up ns_call() and nl_sock_ns
 * @c:		Context, pasta_netns_fd set here
 * @path:	Namespace path (/run/netns/NAME)
 * @ifname:	Interface in the namespace
 */
static void nl_dup_t_ns(struct ctx *c, const char *path, const char *ifname)
{
	c->pasta_netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->pasta_netns_fd < 0)
		die_perror("open %s", path);
	ns_call_setup(c->pasta_netns_fd);
	nl_sock_init(c, true);
	t.ifname = ifname;
	if (ns_call(nl_dup_t_ifi, NULL) || !t.ifi)
		die("no %s in %s", ifname, path);
}

/**
 * nl_dup_t_dup() - Configure the namespace interface as a copy of the host's
 * @mtu:	MTU to set, as text
 * @mac_s:	MAC address to set, as text
 */
static void nl_dup_t_dup(const char *mtu, const char *mac_s)
{
	unsigned ext4 = nl_get_ext_if(nl_sock, AF_INET);
	unsigned ext6 = nl_get_ext_if(nl_sock, AF_INET6);
	unsigned char mac[ETH_ALEN];
	char end;

	if (sscanf(mac_s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx%c", &mac[0], &mac[1],
		   &mac[2], &mac[3], &mac[4], &mac[5], &end) != ETH_ALEN)
		die("bad MAC %s", mac_s);
	nl_dup_t_step("set_mtu", nl_link_set_mtu(nl_sock_ns, t.ifi, atoi(mtu)));
	nl_dup_t_step("set_mac", nl_link_set_mac(nl_sock_ns, t.ifi, mac));
	nl_dup_t_step("link_up", nl_link_up(nl_sock_ns, t.ifi));
	nl_dup_t_step("addr_dup4", nl_addr_dup(nl_sock, ext4, nl_sock_ns,
					       t.ifi, AF_INET));
	nl_dup_t_step("addr_dup6", nl_addr_dup(nl_sock, ext6, nl_sock_ns,
					       t.ifi, AF_INET6));
	nl_dup_t_step("route_dup4", nl_route_dup(nl_sock, ext4, nl_sock_ns,
						 t.ifi, AF_INET));
	nl_dup_t_step("route_dup6", nl_route_dup(nl_sock, ext6, nl_sock_ns,
						 t.ifi, AF_INET6));
	/* Copying again: everything exists already, which is fine */
	nl_dup_t_step("route_dup4_again", nl_route_dup(nl_sock, ext4,
						       nl_sock_ns, t.ifi,
						       AF_INET));
}

/**
 * nl_dup_t_set() - Configure the namespace interface from scratch
 */
static void nl_dup_t_set(void)
{
	struct in6_addr a6, gw6;
	struct in_addr a4, gw4;

	inet_pton(AF_INET, "192.0.2.77", &a4);
	inet_pton(AF_INET, "192.0.2.254", &gw4);
	inet_pton(AF_INET6, "2001:db8::77", &a6);
	inet_pton(AF_INET6, "2001:db8::fe", &gw6);

	nl_dup_t_step("link_up", nl_link_up(nl_sock_ns, t.ifi));
	printf("# before\n");
	nl_dup_t_info(nl_sock_ns);
	nl_dup_t_step("addr_set4", nl_addr_set(nl_sock_ns, t.ifi, AF_INET,
					       &a4, 24));
	nl_dup_t_step("addr_set6", nl_addr_set(nl_sock_ns, t.ifi, AF_INET6,
					       &a6, 64));
	printf("# addresses\n");
	nl_dup_t_info(nl_sock_ns);
	nl_dup_t_step("route_set4", nl_route_set_def(nl_sock_ns, t.ifi,
						     AF_INET, &gw4));
	nl_dup_t_step("route_set6", nl_route_set_def(nl_sock_ns, t.ifi,
						     AF_INET6, &gw6));
	printf("# routes\n");
	nl_dup_t_info(nl_sock_ns);
	/* Host routes with a preferred source this namespace lacks */
	nl_dup_t_step("route_dup4", nl_route_dup(nl_sock,
						 nl_get_ext_if(nl_sock, AF_INET),
						 nl_sock_ns, t.ifi, AF_INET));
	nl_dup_t_step("route_dup6", nl_route_dup(nl_sock,
						 nl_get_ext_if(nl_sock,
							       AF_INET6),
						 nl_sock_ns, t.ifi, AF_INET6));
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	info | dup NETNS_PATH IFNAME MTU MAC | set NETNS_PATH IFNAME
 *
 * Return: 0 if all steps succeeded, 1 otherwise
 */
int main(int argc, char **argv)
{
	static struct ctx c;

	log_init("nl_dup", true, getenv("NL_DEBUG") ? LOG_DEBUG : LOG_INFO);
	c.pasta_netns_fd = -1;
	nl_sock_init(&c, false);

	if (argc == 2 && !strcmp(argv[1], "info")) {
		nl_dup_t_info(nl_sock);
	} else if (argc == 6 && !strcmp(argv[1], "dup")) {
		nl_dup_t_ns(&c, argv[2], argv[3]);
		nl_dup_t_dup(argv[4], argv[5]);
	} else if (argc == 4 && !strcmp(argv[1], "set")) {
		nl_dup_t_ns(&c, argv[2], argv[3]);
		nl_dup_t_set();
	} else {
		fprintf(stderr, "usage: %s info | dup NETNS IF MTU MAC | "
			"set NETNS IF\n", argv[0]);
		return 2;
	}
	return t.failed ? 1 : 0;
}
