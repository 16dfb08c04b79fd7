/* UNIT_SRCS: conf.c conf_parse.c fwd_spec.c log.c */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/conf.c - Option value parsers, and conf() run in child processes
 *
 * The netlink functions conf() calls are replaced here by stubs returning a
 * configurable template interface, so no host interface is read. Each conf()
 * run happens in a forked child: conf() exits on errors, and getopt keeps
 * global state.
 */

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/wait.h>

#include "conf.h"
#include "conf_parse.h"
#include "netlink.h"

#define STUB_IFI	4242	/* Template index the stubs report */
#define OUT_MAX		8192	/* Bytes of child output kept */
#define EXIT_SKIP	77	/* Child couldn't set up: check skipped */

/**
 * struct stub_tmpl - What the netlink stubs report
 * @have4:	An IPv4 template exists
 * @have6:	An IPv6 template exists
 * @addr4:	Its IPv4 address
 * @gw4:	Its IPv4 default gateway
 * @addr6:	Its IPv6 global address
 * @gw6:	Its IPv6 default gateway
 * @resolv:	File bind-mounted over /etc/resolv.conf in the child, or NULL
 */
static struct stub_tmpl {
	bool have4;
	bool have6;
	struct in_addr addr4;
	struct in_addr gw4;
	struct in6_addr addr6;
	struct in6_addr gw6;
	const char *resolv;
} stub;

/**
 * struct conf_test_state - Results so far, and the context under test
 * @failed:	Checks failed
 * @passed:	Checks passed
 * @c:		Context, static: too large for the stack
 * @err:	Standard error of the last child
 * @out:	Standard output of the last child
 */
static struct conf_test_state {
	unsigned failed;
	unsigned passed;
	struct ctx c;
	char err[OUT_MAX];
	char out[OUT_MAX];
} st;

int nl_sock = -1;
int nl_sock_ns = -1;

/**
 * nl_sock_init() - Stub: no netlink socket
 * @c:		Unused
 * @ns:		Unused
 */
void nl_sock_init(const struct ctx *c, bool ns)
{
	(void)c;
	(void)ns;
}

/**
 * nl_get_ext_if() - Stub: the configured template, if any
 * @s:		Unused
 * @af:		Address family
 *
 * Return: STUB_IFI or 0
 */
unsigned nl_get_ext_if(int s, sa_family_t af)
{
	(void)s;
	if (af == AF_INET)
		return stub.have4 ? STUB_IFI : 0;
	return stub.have6 ? STUB_IFI : 0;
}

/**
 * nl_ifindex() - Stub: only "up0" exists
 * @name:	Interface name
 *
 * Return: STUB_IFI for "up0", 0 otherwise
 */
unsigned nl_ifindex(const char *name)
{
	return strcmp(name, "up0") ? 0 : STUB_IFI;
}

/**
 * nl_route_get_def() - Stub: the configured gateway
 * @s:		Unused
 * @ifi:	Unused
 * @af:		Address family
 * @gw:		Gateway (output)
 *
 * Return: true
 */
bool nl_route_get_def(int s, unsigned ifi, sa_family_t af, void *gw)
{
	(void)s;
	(void)ifi;
	if (af == AF_INET)
		memcpy(gw, &stub.gw4, sizeof(stub.gw4));
	else
		memcpy(gw, &stub.gw6, sizeof(stub.gw6));
	return true;
}

/**
 * nl_addr_get() - Stub: the configured address, /24 or /64
 * @s:		Unused
 * @ifi:	Unused
 * @af:		Address family
 * @addr:	Address (output)
 * @prefix_len:	Prefix length (output)
 * @addr_l:	Link-local address (output), may be NULL
 *
 * Return: 0
 */
int nl_addr_get(int s, unsigned ifi, sa_family_t af, void *addr,
		int *prefix_len, void *addr_l)
{
	(void)s;
	(void)ifi;
	if (af == AF_INET) {
		memcpy(addr, &stub.addr4, sizeof(stub.addr4));
		*prefix_len = 24;
	} else {
		memcpy(addr, &stub.addr6, sizeof(stub.addr6));
		*prefix_len = 64;
		if (addr_l)
			memset(addr_l, 0, sizeof(struct in6_addr));
	}
	return 0;
}

/**
 * nl_link_get_name() - Stub: the template is called "up0"
 * @s:		Unused
 * @ifi:	Unused
 * @name:	Name (output)
 *
 * Return: 0
 */
int nl_link_get_name(int s, unsigned ifi, char *name)
{
	(void)s;
	(void)ifi;
	strcpy(name, "up0");
	return 0;
}

/**
 * check() - Print and count one result
 * @ok:		Whether the check passed
 * @what:	Description
 */
static void check(bool ok, const char *what)
{
	printf("%s - %s\n", ok ? "ok" : "not ok", what);
	fflush(stdout);
	if (ok)
		st.passed++;
	else
		st.failed++;
}

/**
 * a4() - IPv4 address from text
 * @s:		Text
 *
 * Return: address
 */
static struct in_addr a4(const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	return a;
}

/**
 * a6() - IPv6 address from text
 * @s:		Text
 *
 * Return: address
 */
static struct in6_addr a6(const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	return a;
}

/**
 * eq4() - Compare an IPv4 address with text
 * @a:		Address
 * @s:		Text
 *
 * Return: true if equal
 */
static bool eq4(struct in_addr a, const char *s)
{
	struct in_addr b = a4(s);

	return in4_equal(&a, &b);
}

/**
 * eq6() - Compare an IPv6 address with text
 * @a:		Address
 * @s:		Text
 *
 * Return: true if equal
 */
static bool eq6(const struct in6_addr *a, const char *s)
{
	struct in6_addr b = a6(s);

	return IN6_ARE_ADDR_EQUAL(a, &b);
}

/**
 * drain() - Read a pipe to its end into a buffer
 * @fd:		Pipe, closed here
 * @buf:	Buffer, OUT_MAX bytes, NUL-terminated on return
 */
static void drain(int fd, char *buf)
{
	size_t len = 0;
	ssize_t n;

	while (len < OUT_MAX - 1 &&
	       (n = read(fd, buf + len, OUT_MAX - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
}

/**
 * resolv_bind() - Show a file as /etc/resolv.conf, in a private mount namespace
 * @path:	File
 *
 * Return: 0 on success, -1 if not permitted (unprivileged run)
 */
static int resolv_bind(const char *path)
{
	if (unshare(CLONE_NEWNS) ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
	    mount(path, "/etc/resolv.conf", NULL, MS_BIND, NULL))
		return -1;
	return 0;
}

/**
 * run_conf() - Run conf() in a child, then a check function there
 * @mode:	MODE_PASST or MODE_PASTA
 * @argv:	Arguments, NULL terminated, argv[0] included
 * @fn:		Check run in the child after conf(), NULL for none
 *
 * Return: the child's exit code (conf() failure: 1, @fn false: 3, no
 *	   private resolv.conf possible: EXIT_SKIP), or -1
 */
static int run_conf(enum passt_mode mode, const char **argv,
		    bool (*fn)(const struct ctx *c))
{
	int perr[2], pout[2], status, argc = 0;
	pid_t pid;

	while (argv[argc])
		argc++;

	if (pipe(perr) || pipe(pout))
		return -1;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		dup2(perr[1], STDERR_FILENO);
		dup2(pout[1], STDOUT_FILENO);
		if (stub.resolv && resolv_bind(stub.resolv))
			_exit(EXIT_SKIP);
		memset(&st.c, 0, sizeof(st.c));
		st.c.mode = mode;
		conf(&st.c, argc, (char **)argv);
		fflush(stdout);
		_exit(fn && !fn(&st.c) ? 3 : 0);
	}

	close(perr[1]);
	close(pout[1]);
	drain(pout[0], st.out);
	drain(perr[0], st.err);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/**
 * lines() - Count lines in a text
 * @s:		Text
 *
 * Return: number of newline characters
 */
static unsigned lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

/**
 * conf_ok() - Check that conf() succeeds and its result passes a check
 * @mode:	MODE_PASST or MODE_PASTA
 * @argv:	Arguments, NULL terminated
 * @fn:		Check on the resulting context
 * @what:	Description
 */
static void conf_ok(enum passt_mode mode, const char **argv,
		    bool (*fn)(const struct ctx *c), const char *what)
{
	int ret = run_conf(mode, argv, fn);

	if (ret == EXIT_SKIP) {
		printf("ok - %s # SKIP no private mount namespace\n", what);
		return;
	}
	check(!ret, what);
	if (ret)
		printf("# exit %d, stderr: %s", ret, st.err);
}

/**
 * conf_fails() - Check that conf() exits non-zero with one line naming @key
 * @mode:	MODE_PASST or MODE_PASTA
 * @argv:	Arguments, NULL terminated
 * @key:	Text the error line must contain
 */
static void conf_fails(enum passt_mode mode, const char **argv,
		       const char *key)
{
	char what[256];
	size_t len;
	int i, ret;

	len = (size_t)snprintf(what, sizeof(what), "%s",
			       mode == MODE_PASTA ? "pasta" : "passt");
	for (i = 1; argv[i] && len < sizeof(what); i++)
		len += (size_t)snprintf(what + len, sizeof(what) - len, " %s",
					argv[i]);
	if (len < sizeof(what))
		snprintf(what + len, sizeof(what) - len, ": refused, one line");

	ret = run_conf(mode, argv, NULL);
	check(ret > 0 && ret != 3 && lines(st.err) == 1 &&
	      strstr(st.err, key), what);
	printf("# stderr: %s", st.err);
}

/**
 * test_mac() - conf_mac_parse()
 */
static void test_mac(void)
{
	unsigned char mac[ETH_ALEN] = { 0 };
	const unsigned char want[ETH_ALEN] = { 0x02, 0xab, 0xcd, 0, 0x10,
					       0xff };

	check(conf_mac_parse("02:ab:CD:00:10:ff", mac) &&
	      !memcmp(mac, want, ETH_ALEN), "MAC 02:ab:CD:00:10:ff");
	check(!conf_mac_parse("02:ab:cd:00:10", mac), "MAC too short");
	check(!conf_mac_parse("02:ab:cd:00:10:ff:00", mac), "MAC too long");
	check(!conf_mac_parse("02-ab-cd-00-10-ff", mac), "MAC with dashes");
	check(!conf_mac_parse("2:ab:cd:00:10:ff0", mac), "MAC misaligned");
	check(!conf_mac_parse("0g:ab:cd:00:10:ff", mac), "MAC non-hex");
	check(!conf_mac_parse("", mac), "MAC empty");
	check(!memcmp(mac, want, ETH_ALEN), "MAC untouched on error");
}

/**
 * test_mtu() - conf_mtu_parse()
 */
static void test_mtu(void)
{
	int mtu = -1;

	check(conf_mtu_parse("1500", &mtu) && mtu == 1500, "MTU 1500");
	check(conf_mtu_parse("0", &mtu) && mtu == 0, "MTU 0 (none)");
	check(conf_mtu_parse("68", &mtu) && mtu == 68, "MTU 68");
	check(conf_mtu_parse("65520", &mtu) && mtu == 65520, "MTU 65520");
	check(!conf_mtu_parse("67", &mtu), "MTU 67 refused");
	check(!conf_mtu_parse("65521", &mtu), "MTU 65521 refused");
	check(!conf_mtu_parse("abc", &mtu), "MTU abc refused");
	check(!conf_mtu_parse("1500x", &mtu), "MTU 1500x refused");
	check(!conf_mtu_parse("-1500", &mtu), "MTU -1500 refused");
	check(!conf_mtu_parse("", &mtu), "MTU empty refused");
	check(!conf_mtu_parse("99999999999999999999999", &mtu),
	      "MTU overflow refused");
}

/**
 * test_netmask() - conf_netmask_parse()
 */
static void test_netmask(void)
{
	int p = -1;

	check(conf_netmask_parse("255.255.255.0", &p) && p == 24,
	      "netmask 255.255.255.0");
	check(conf_netmask_parse("255.255.128.0", &p) && p == 17,
	      "netmask 255.255.128.0");
	check(conf_netmask_parse("0.0.0.0", &p) && p == 0, "netmask 0.0.0.0");
	check(conf_netmask_parse("255.255.255.255", &p) && p == 32,
	      "netmask 255.255.255.255");
	check(conf_netmask_parse("16", &p) && p == 16, "netmask 16 bits");
	check(!conf_netmask_parse("255.0.255.0", &p), "non-contiguous refused");
	check(!conf_netmask_parse("33", &p), "33 bits refused");
	check(!conf_netmask_parse("255.255.255", &p), "short mask refused");
	check(!conf_netmask_parse("abc", &p), "garbage mask refused");
}

/**
 * test_addr() - conf_addr_parse()
 */
static void test_addr(void)
{
	union conf_inaddr a;
	int p;

	check(conf_addr_parse("192.0.2.1", &a, &p) == AF_INET && p == -1 &&
	      eq4(a.v4, "192.0.2.1"), "address 192.0.2.1");
	check(conf_addr_parse("192.0.2.1/24", &a, &p) == AF_INET && p == 24,
	      "address 192.0.2.1/24");
	check(conf_addr_parse("2001:db8::1/64", &a, &p) == AF_INET6 &&
	      p == 64 && eq6(&a.v6, "2001:db8::1"), "address 2001:db8::1/64");
	check(conf_addr_parse("2001:db8::1", &a, &p) == AF_INET6 && p == -1,
	      "address 2001:db8::1");
	check(!conf_addr_parse("192.0.2.1/33", &a, &p), "/33 refused");
	check(conf_addr_parse("2001:db8::1/128", &a, &p) == AF_INET6,
	      "/128 for IPv6");
	check(!conf_addr_parse("2001:db8::1/129", &a, &p), "/129 refused");
	check(!conf_addr_parse("192.0.2.1/", &a, &p), "empty prefix refused");
	check(!conf_addr_parse("192.0.2.256", &a, &p), "bad IPv4 refused");
	check(!conf_addr_parse("192.0.2.1/24x", &a, &p), "prefix junk refused");
	check(!conf_addr_parse("host.example", &a, &p), "names refused");
	check(!conf_addr_parse("", &a, &p), "empty refused");
}

/**
 * test_misc_parsers() - Netns paths, search lists, runas
 */
static void test_misc_parsers(void)
{
	char search[DNS_SEARCH_MAX + 1][DNS_NAME_MAX + 1], path[64];
	char longname[DNS_NAME_MAX + 2];
	uid_t uid;
	gid_t gid;

	check(conf_netns_path("foo", NULL, path, sizeof(path)) &&
	      !strcmp(path, "/run/netns/foo"), "netns name foo");
	check(conf_netns_path("/proc/1/ns/net", NULL, path, sizeof(path)) &&
	      !strcmp(path, "/proc/1/ns/net"), "netns path");
	check(conf_netns_path("foo", "/tmp/nsdir", path, sizeof(path)) &&
	      !strcmp(path, "/tmp/nsdir/foo"), "netns name in --nsrun-dir");
	check(!conf_netns_path("..", NULL, path, sizeof(path)),
	      "netns .. refused");
	check(!conf_netns_path("", NULL, path, sizeof(path)),
	      "netns empty refused");

	check(conf_search_parse(search, "a.example  b.example") &&
	      !strcmp(search[0], "a.example") &&
	      !strcmp(search[1], "b.example") && !*search[2],
	      "search list of two");
	check(conf_search_parse(search, "none") && !*search[0],
	      "search none");
	check(conf_search_parse(search, "none.") &&
	      !strcmp(search[0], "none."), "search 'none.'");
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	check(!conf_search_parse(search, longname), "long domain refused");

	check(conf_runas_parse("1000", &uid, &gid) && uid == 1000,
	      "runas 1000");
	check(conf_runas_parse("1000:1001", &uid, &gid) && uid == 1000 &&
	      gid == 1001, "runas 1000:1001");
	check(conf_runas_parse("root", &uid, &gid) && !uid && !gid,
	      "runas root");
	check(conf_runas_parse("root:0", &uid, &gid) && !uid && !gid,
	      "runas root:0");
	check(!conf_runas_parse("no-such-user-xyz", &uid, &gid),
	      "unknown user refused");
	check(!conf_runas_parse("root:no-such-group-xyz", &uid, &gid),
	      "unknown group refused");
	check(!conf_runas_parse(":0", &uid, &gid), "empty user refused");
	check(!conf_runas_parse("0:", &uid, &gid), "empty group refused");
}

/**
 * test_resolv() - conf_resolv_parse() on a file written here
 */
static void test_resolv(void)
{
	char path[] = "/tmp/conf-unit-resolv-XXXXXX";
	const char *text = "# comment\nnameserver 192.0.2.53\n"
			   "nameserver fe80::53%eth0\n"
			   "search old.example\n"
			   "  nameserver\t198.51.100.53 ; trailing\n"
			   "search a.example b.example\n"
			   "nameserver 2001:db8::53\noptions ndots:2\n";
	struct conf_resolv r;
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		check(false, "resolv.conf written");
		return;
	}
	close(fd);

	check(conf_resolv_parse(path, &r) && r.ns4_cnt == 2 &&
	      eq4(r.ns4[0], "192.0.2.53") && eq4(r.ns4[1], "198.51.100.53"),
	      "resolv.conf IPv4 nameservers");
	check(r.ns6_cnt == 2 && eq6(&r.ns6[0], "fe80::53") &&
	      eq6(&r.ns6[1], "2001:db8::53"),
	      "resolv.conf IPv6 nameservers, scope dropped");
	check(!strcmp(r.search[0], "a.example") &&
	      !strcmp(r.search[1], "b.example") && !*r.search[2],
	      "resolv.conf last search line wins");
	unlink(path);

	check(!conf_resolv_parse("/nonexistent/resolv.conf", &r) &&
	      !r.ns4_cnt, "missing resolv.conf");
}

/**
 * chk_passt_defaults() - Defaults of passt without templates
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_passt_defaults(const struct ctx *c)
{
	const unsigned char mac[ETH_ALEN] = { 0x9a, 0x55, 0x9a, 0x55, 0x9a,
					      0x55 };

	return c->mtu == 65520 && !memcmp(c->our_tap_mac, mac, ETH_ALEN) &&
	       c->guest_mac[0] == 0xff && c->guest_mac[5] == 0xff &&
	       c->pidfile_fd == -1 && c->fd_tap == -1 &&
	       c->fd_tap_listen == -1 && c->timer_fd == -1 &&
	       c->pasta_netns_fd == -1 && c->pasta_userns_fd == -1 &&
	       c->local_mode4 && eq4(c->ip4.addr, "169.254.2.1") &&
	       c->ip4.prefix_len == 16 && eq4(c->ip4.gw, "169.254.2.2") &&
	       c->local_mode6 && eq6(&c->ip6.gw, "fe80::1") &&
	       eq6(&c->ip6.our_tap_ll, "fe80::1") &&
	       IN6_IS_ADDR_UNSPECIFIED(&c->ip6.addr) &&
	       c->ifi4_up && c->ifi6_up && !c->ifi4 && !c->ifi6 &&
	       c->tcp_in.mode == FWD_NONE && c->udp_in.mode == FWD_NONE &&
	       !c->no_dhcp_dns && !c->no_dhcp_dns_search && !c->no_dhcp;
}

/**
 * chk_pasta_defaults() - Defaults of pasta without templates
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_pasta_defaults(const struct ctx *c)
{
	return c->tcp_in.mode == FWD_AUTO && c->udp_in.mode == FWD_AUTO &&
	       c->tcp_out.mode == FWD_AUTO && c->udp_out.mode == FWD_AUTO &&
	       !strcmp(c->pasta_ifn, "tap0") && c->no_dhcp_dns &&
	       c->no_dhcp_dns_search && c->foreground && !c->pasta_argv &&
	       !c->pasta_pid_arg && !*c->netns_path;
}

/**
 * chk_template() - Addresses copied from the stub template
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_template(const struct ctx *c)
{
	return c->ifi4 == STUB_IFI && c->ifi6 == STUB_IFI &&
	       !c->local_mode4 && !c->local_mode6 &&
	       eq4(c->ip4.addr, "192.0.2.1") && c->ip4.prefix_len == 24 &&
	       eq4(c->ip4.gw, "192.0.2.254") &&
	       eq4(c->ip4.map_host_loopback, "192.0.2.254") &&
	       eq6(&c->ip6.addr, "2001:db8::1") &&
	       eq6(&c->ip6.gw, "fe80::fe") &&
	       eq6(&c->ip6.our_tap_ll, "fe80::fe") &&
	       eq4(c->ip4.addr_seen, "192.0.2.1") &&
	       !strcmp(c->pasta_ifn, "up0");
}

/**
 * chk_addr_opts() - -a with CIDR, -g, -m, -M
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_addr_opts(const struct ctx *c)
{
	return eq4(c->ip4.addr, "192.0.2.7") && c->ip4.prefix_len == 25 &&
	       eq4(c->ip4.gw, "192.0.2.1") && c->ip4.addr_given &&
	       c->ip4.gw_given && c->mtu == 1500 &&
	       c->our_tap_mac[0] == 0x02 && c->our_tap_mac[5] == 0x01 &&
	       eq6(&c->ip6.addr, "2001:db8::7") && c->ip6.prefix_len == 64;
}

/**
 * chk_classful() - -a without prefix: class A netmask
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_classful(const struct ctx *c)
{
	return eq4(c->ip4.addr, "10.1.2.3") && c->ip4.prefix_len == 8;
}

/**
 * chk_netmask() - -a and -n
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_netmask(const struct ctx *c)
{
	return c->ip4.prefix_len == 25;
}

/**
 * chk_fwd() - -t accumulating; UDP following TCP's ports
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_fwd(const struct ctx *c)
{
	return c->tcp_in.mode == FWD_SPEC &&
	       fwd_bit_test(c->tcp_in.map, 22) &&
	       fwd_port_target(&c->tcp_in, 80) == 8080 &&
	       c->udp_in.mode == FWD_SPEC && fwd_bit_test(c->udp_in.map, 80) &&
	       fwd_port_target(&c->udp_in, 80) == 80;
}

/**
 * chk_pid() - pasta PID argument
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_pid(const struct ctx *c)
{
	return c->pasta_pid_arg == 1234 &&
	       !strcmp(c->netns_path, "/proc/1234/ns/net") &&
	       !strcmp(c->userns_path, "/proc/1234/ns/user") &&
	       !c->pasta_argv && !c->foreground;
}

/**
 * chk_netns() - pasta --netns NAME
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_netns(const struct ctx *c)
{
	return !strcmp(c->netns_path, "/run/netns/foo") && c->netns_only &&
	       !*c->userns_path && !c->pasta_pid_arg;
}

/**
 * chk_command() - pasta COMMAND after --
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_command(const struct ctx *c)
{
	return c->pasta_argv && !strcmp(c->pasta_argv[0], "sh") &&
	       !strcmp(c->pasta_argv[1], "-c") &&
	       !strcmp(c->pasta_argv[2], "exit 0") && !c->pasta_argv[3] &&
	       c->tcp_in.mode == FWD_SPEC;
}

/**
 * chk_dns() - -D, -S, --dns-forward
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_dns(const struct ctx *c)
{
	return eq4(c->ip4.dns[0], "192.0.2.53") &&
	       in4_is_unspec(&c->ip4.dns[1]) &&
	       eq6(&c->ip6.dns[0], "2001:db8::53") &&
	       !strcmp(c->dns_search[0], "a.example") &&
	       !strcmp(c->dns_search[1], "b.example") &&
	       eq4(c->ip4.dns_match, "192.0.2.100") &&
	       eq4(c->ip4.dns_host, "198.51.100.1");
}

/**
 * chk_dns_none() - -D none, -S none
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_dns_none(const struct ctx *c)
{
	return in4_is_unspec(&c->ip4.dns[0]) &&
	       IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[0]) && !*c->dns_search[0];
}

/**
 * chk_v4only() - -4
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_v4only(const struct ctx *c)
{
	return c->ifi4_up && !c->ifi6_up && !c->ifi6;
}

/**
 * chk_v6only() - -6
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_v6only(const struct ctx *c)
{
	return !c->ifi4_up && c->ifi6_up && !c->ifi4;
}

/**
 * chk_runas() - --runas 1000:1001
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_runas(const struct ctx *c)
{
	return c->runas_given && c->runas_uid == 1000 && c->runas_gid == 1001;
}

/**
 * chk_flags() - Simple switches
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_flags(const struct ctx *c)
{
	return c->no_tcp && c->no_udp && c->no_icmp && c->no_ndp &&
	       c->no_dhcp && c->no_dhcpv6 && c->no_ra && c->freebind &&
	       c->no_map_gw && c->one_off && c->debug && c->trace &&
	       c->stats_interval == 5 && !strcmp(c->sock_path, "/tmp/x.sock") &&
	       !strcmp(c->hostname, "guest") && !strcmp(c->fqdn, "g.example") &&
	       in4_is_unspec(&c->ip4.map_host_loopback);
}

/**
 * chk_pasta_flags() - pasta switches
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_pasta_flags(const struct ctx *c)
{
	return c->config_net && c->no_splice && c->no_netns_quit &&
	       c->no_pidns && !strcmp(c->pasta_ifn, "eth9") &&
	       c->ns_mac[0] == 0x02 && c->ip4.no_copy_routes &&
	       c->ip6.no_copy_addrs && !c->no_dhcp_dns &&
	       !c->no_dhcp_dns_search && c->tcp_out.mode == FWD_NONE &&
	       c->udp_out.mode == FWD_SPEC;
}

/**
 * test_conf_ok() - passt conf() runs that must succeed
 */
static void test_conf_ok(void)
{
	const char *passt_q[] = { "passt", "-q", NULL };
	const char *addr[] = { "passt", "-q", "-a", "192.0.2.7/25", "-g",
			       "192.0.2.1", "-m", "1500", "-M",
			       "02:00:00:00:00:01", "-a", "2001:db8::7", NULL };
	const char *classful[] = { "passt", "-q", "-a", "10.1.2.3", NULL };
	const char *netmask[] = { "passt", "-q", "-a", "192.0.2.7", "-n",
				  "255.255.255.128", NULL };
	const char *fwd[] = { "passt", "-q", "-t", "22", "--tcp-ports",
			      "80:8080", NULL };
	const char *dns[] = { "passt", "-q", "-D", "192.0.2.53", "--dns",
			      "2001:db8::53", "-S", "a.example b.example",
			      "--dns-forward", "192.0.2.100", "--dns-host",
			      "198.51.100.1", NULL };
	const char *dns_none[] = { "passt", "-q", "-D", "none", "-S", "none",
				   NULL };
	const char *v4[] = { "passt", "-q", "-4", NULL };
	const char *v6[] = { "passt", "-q", "--ipv6-only", NULL };
	const char *runas[] = { "passt", "-q", "--runas", "1000:1001", NULL };
	const char *flags[] = { "passt", "-q", "--no-tcp", "--no-udp",
				"--no-icmp", "--no-dhcp", "--no-dhcpv6",
				"--no-ra", "--freebind", "--map-host-loopback",
				"none", "-1", "--trace", "--stats", "5",
				"--socket-path", "/tmp/x.sock", "-H", "guest",
				"--fqdn", "g.example", "-e", "--log-size",
				"1000000", "--chroot-fallback", NULL };

	conf_ok(MODE_PASST, passt_q, chk_passt_defaults, "passt defaults");
	conf_ok(MODE_PASST, addr, chk_addr_opts, "-a, -g, -m, -M");
	conf_ok(MODE_PASST, classful, chk_classful, "-a without prefix");
	conf_ok(MODE_PASST, netmask, chk_netmask, "-a with -n");
	conf_ok(MODE_PASST, fwd, chk_fwd, "-t accumulates, -u follows -t");
	conf_ok(MODE_PASST, dns, chk_dns, "-D, -S, --dns-forward/--dns-host");
	conf_ok(MODE_PASST, dns_none, chk_dns_none, "-D none, -S none");
	conf_ok(MODE_PASST, v4, chk_v4only, "-4");
	conf_ok(MODE_PASST, v6, chk_v6only, "--ipv6-only");
	conf_ok(MODE_PASST, runas, chk_runas, "--runas 1000:1001");
	conf_ok(MODE_PASST, flags, chk_flags, "passt switches");
}

/**
 * chk_resolv_map() - Host resolvers: loopback mapped, link-local left out
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_resolv_map(const struct ctx *c)
{
	return eq4(c->ip4.dns[0], "192.0.2.254") &&
	       eq4(c->ip4.dns[1], "192.0.2.53") &&
	       in4_is_unspec(&c->ip4.dns[2]) &&
	       eq6(&c->ip6.dns[0], "fe80::fe") &&
	       IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[1]) &&
	       eq4(c->ip4.dns_host, "127.0.0.53") &&
	       !strcmp(c->dns_search[0], "x.example") && !*c->dns_search[1];
}

/**
 * chk_resolv_nomap() - Host resolvers with --no-map-gw: loopback left out
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_resolv_nomap(const struct ctx *c)
{
	return eq4(c->ip4.dns[0], "192.0.2.53") &&
	       in4_is_unspec(&c->ip4.dns[1]) &&
	       IN6_IS_ADDR_UNSPECIFIED(&c->ip6.dns[0]);
}

/**
 * test_conf_resolv() - Resolvers from a private /etc/resolv.conf
 */
static void test_conf_resolv(void)
{
	const char *text = "nameserver 127.0.0.53\nnameserver fe80::1%eth0\n"
			   "nameserver ::1\nnameserver 192.0.2.53\n"
			   "search x.example\n";
	const char *plain[] = { "passt", "-q", NULL };
	const char *nomap[] = { "passt", "-q", "--no-map-gw", NULL };
	char path[] = "/tmp/conf-unit-resolv-XXXXXX";
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
		check(false, "resolv.conf written");
		return;
	}
	close(fd);

	stub.resolv = path;
	stub.have4 = stub.have6 = true;
	stub.addr4 = a4("192.0.2.1");
	stub.gw4 = a4("192.0.2.254");
	stub.addr6 = a6("2001:db8::1");
	stub.gw6 = a6("fe80::fe");
	conf_ok(MODE_PASST, plain, chk_resolv_map,
		"host loopback resolvers reached through the gateway");
	conf_ok(MODE_PASST, nomap, chk_resolv_nomap,
		"--no-map-gw: loopback resolvers left out");
	stub.have4 = stub.have6 = false;
	stub.resolv = NULL;
	unlink(path);
}

/**
 * test_conf_ok_pasta() - pasta conf() runs that must succeed
 */
static void test_conf_ok_pasta(void)
{
	const char *pasta_q[] = { "pasta", "-q", NULL };
	const char *pid[] = { "pasta", "-q", "1234", NULL };
	const char *netns[] = { "pasta", "-q", "--netns", "foo", NULL };
	const char *cmd[] = { "pasta", "-q", "-t", "22", "--", "sh", "-c",
			      "exit 0", NULL };
	const char *pflags[] = { "pasta", "-q", "--config-net", "--no-splice",
				 "--no-netns-quit", "--no-pidns", "-I", "eth9",
				 "--ns-mac-addr", "02:00:00:00:00:02",
				 "--no-copy-routes", "--no-copy-addrs",
				 "--dhcp-dns", "--dhcp-search", "-T", "none",
				 "-U", "53", NULL };

	conf_ok(MODE_PASTA, pasta_q, chk_pasta_defaults, "pasta defaults");

	stub.have4 = stub.have6 = true;
	stub.addr4 = a4("192.0.2.1");
	stub.gw4 = a4("192.0.2.254");
	stub.addr6 = a6("2001:db8::1");
	stub.gw6 = a6("fe80::fe");
	conf_ok(MODE_PASTA, pasta_q, chk_template, "template interface");
	stub.have4 = stub.have6 = false;

	conf_ok(MODE_PASTA, pid, chk_pid, "pasta PID");
	conf_ok(MODE_PASTA, netns, chk_netns, "pasta --netns NAME");
	conf_ok(MODE_PASTA, cmd, chk_command, "pasta -- COMMAND ARGS");
	conf_ok(MODE_PASTA, pflags, chk_pasta_flags, "pasta switches");
}

/**
 * chk_map_guest() - --map-guest-addr: last one per family wins
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_map_guest(const struct ctx *c)
{
	return eq4(c->ip4.map_guest_addr, "169.254.1.2") &&
	       eq6(&c->ip6.map_guest_addr, "2001:db8::99") &&
	       eq4(c->ip4.map_host_loopback, "192.0.2.254");
}

/**
 * chk_map_guest_none() - --map-guest-addr none after addresses: no mapping
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_map_guest_none(const struct ctx *c)
{
	return in4_is_unspec(&c->ip4.map_guest_addr) &&
	       IN6_IS_ADDR_UNSPECIFIED(&c->ip6.map_guest_addr);
}

/**
 * chk_map_lo_addr() - --map-host-loopback ADDR, both families
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_map_lo_addr(const struct ctx *c)
{
	return eq4(c->ip4.map_host_loopback, "192.0.2.99") &&
	       eq6(&c->ip6.map_host_loopback, "2001:db8::98") &&
	       in4_is_unspec(&c->ip4.map_guest_addr);
}

/**
 * chk_static4_keeps6() - Static IPv4 -a only: IPv6 still from the template
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_static4_keeps6(const struct ctx *c)
{
	return eq4(c->ip4.addr, "192.0.2.77") && c->ip4.prefix_len == 24 &&
	       c->ifi6_up && c->ifi6 == STUB_IFI &&
	       eq6(&c->ip6.addr, "2001:db8::1") && !c->ip6.addr_given &&
	       eq6(&c->ip6.gw, "fe80::fe");
}

/**
 * chk_static6_keeps4() - Static IPv6 -a only: IPv4 still from the template
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_static6_keeps4(const struct ctx *c)
{
	return eq6(&c->ip6.addr, "2001:db8::77") && c->ip6.prefix_len == 64 &&
	       c->ifi4_up && eq4(c->ip4.addr, "192.0.2.1") &&
	       c->ip4.prefix_len == 24 && eq4(c->ip4.gw, "192.0.2.254");
}

/**
 * chk_podman5() - Podman 5's argument vector
 * @c:		Context after conf()
 *
 * Return: true if as expected
 */
static bool chk_podman5(const struct ctx *c)
{
	return c->config_net && c->no_map_gw && c->quiet &&
	       eq4(c->ip4.map_guest_addr, "169.254.1.2") &&
	       in4_is_unspec(&c->ip4.map_host_loopback) &&
	       eq4(c->ip4.dns_match, "169.254.1.1") &&
	       c->udp_in.mode == FWD_NONE && c->tcp_out.mode == FWD_NONE &&
	       !strcmp(c->pidfile, "/tmp/p.pid");
}

/**
 * test_conf_maps() - Host mappings and static addresses, with a template
 */
static void test_conf_maps(void)
{
	const char *mg[] = { "pasta", "-q", "--map-guest-addr", "192.0.2.9",
			     "--map-guest-addr", "2001:db8::99",
			     "--map-guest-addr", "169.254.1.2", NULL };
	const char *mg_none[] = { "pasta", "-q", "--map-guest-addr",
				  "169.254.1.2", "--map-guest-addr",
				  "2001:db8::99", "--map-guest-addr", "none",
				  NULL };
	const char *mlo[] = { "passt", "-q", "--map-host-loopback",
			      "192.0.2.99", "--map-host-loopback",
			      "2001:db8::98", NULL };
	const char *s4[] = { "pasta", "-q", "-a", "192.0.2.77/24", NULL };
	const char *s6[] = { "pasta", "-q", "-a", "2001:db8::77", NULL };
	const char *podman5[] = { "pasta", "--config-net", "--pid",
				  "/tmp/p.pid", "-t", "8080-8081:80-81", "-t",
				  "192.0.2.1/9090-9090:90-90", "--dns-forward",
				  "169.254.1.1", "-u", "none", "-T", "none",
				  "-U", "none", "--no-map-gw", "--quiet",
				  "--netns", "/run/netns/x",
				  "--map-guest-addr", "169.254.1.2", NULL };

	stub.have4 = stub.have6 = true;
	stub.addr4 = a4("192.0.2.1");
	stub.gw4 = a4("192.0.2.254");
	stub.addr6 = a6("2001:db8::1");
	stub.gw6 = a6("fe80::fe");
	conf_ok(MODE_PASTA, mg, chk_map_guest,
		"--map-guest-addr: both families, last wins");
	conf_ok(MODE_PASTA, mg_none, chk_map_guest_none,
		"--map-guest-addr none clears both");
	conf_ok(MODE_PASST, mlo, chk_map_lo_addr,
		"--map-host-loopback ADDR, both families");
	conf_ok(MODE_PASTA, s4, chk_static4_keeps6,
		"-a IPv4/24 only: IPv6 kept from the template");
	conf_ok(MODE_PASTA, s6, chk_static6_keeps4,
		"-a IPv6 only: IPv4 kept from the template");
	conf_ok(MODE_PASTA, podman5, chk_podman5, "podman 5 vector");
	stub.have4 = stub.have6 = false;
}

/**
 * chk_print() - Print the summary, for the parent to read
 * @c:		Context after conf()
 *
 * Return: true
 */
static bool chk_print(const struct ctx *c)
{
	conf_print(c);
	return true;
}

/**
 * test_conf_print() - The start-up summary names what was configured
 */
static void test_conf_print(void)
{
	const char *args[] = { "passt", "-a", "192.0.2.7/24", "-g",
			       "192.0.2.1", "-D", "192.0.2.53", "-S",
			       "s.example", "-t", "2222:22,8000-8002", NULL };
	const char *quiet[] = { "passt", "-q", NULL };

	check(!run_conf(MODE_PASST, args, chk_print) &&
	      strstr(st.err, "assign: 192.0.2.7") &&
	      strstr(st.err, "mask: 255.255.255.0") &&
	      strstr(st.err, "router: 192.0.2.1") &&
	      strstr(st.err, "    192.0.2.53") &&
	      strstr(st.err, "    s.example") &&
	      strstr(st.err, "TCP inbound: 2222 => 22") &&
	      strstr(st.err, "TCP inbound: 8000-8002") &&
	      strstr(st.err, "local mode (IPv6)"), "summary contents");
	if (!strstr(st.err, "TCP inbound: 2222 => 22"))
		printf("# stderr: %s", st.err);

	check(!run_conf(MODE_PASST, quiet, chk_print) && !*st.err,
	      "-q: no summary");
}

/**
 * test_conf_exit0() - --help and --version: standard output, exit 0
 */
static void test_conf_exit0(void)
{
	const char *help[] = { "passt", "--help", NULL };
	const char *help_pasta[] = { "pasta", "-h", NULL };
	const char *version[] = { "passt", "--version", NULL };

	check(!run_conf(MODE_PASST, help, NULL) &&
	      strstr(st.out, "Usage: passt") && !*st.err,
	      "passt --help: usage on stdout, exit 0");
	check(!run_conf(MODE_PASTA, help_pasta, NULL) &&
	      strstr(st.out, "Usage: pasta") && strstr(st.out, "--netns"),
	      "pasta -h: pasta usage");
	check(!run_conf(MODE_PASST, version, NULL) &&
	      !strncmp(st.out, "passt ", 6) && lines(st.out) == 1,
	      "--version on stdout, exit 0");
}

/* Arguments as an array literal, for conf_fails() */
#define FAILS(mode, key, ...)						\
	conf_fails(mode, (const char *[]){ "passt", __VA_ARGS__, NULL }, key)

/**
 * test_conf_errors() - Invalid options: one line, non-zero exit
 */
static void test_conf_errors(void)
{
	FAILS(MODE_PASST, "--mtu", "--mtu", "abc");
	FAILS(MODE_PASST, "-m", "-m", "67");
	FAILS(MODE_PASST, "-m", "-m", "65521");
	FAILS(MODE_PASST, "--mac-addr", "-M", "00:11:22:33:44");
	FAILS(MODE_PASST, "--mac-addr", "--mac-addr", "zz:11:22:33:44:55");
	FAILS(MODE_PASST, "--address", "-a", "300.1.1.1");
	FAILS(MODE_PASST, "--address", "-a", "192.0.2.1/33");
	FAILS(MODE_PASST, "--address", "-a", "127.0.0.1");
	FAILS(MODE_PASST, "--netmask", "-a", "192.0.2.1/24", "-n", "24");
	FAILS(MODE_PASST, "--netmask", "-n", "255.0.255.0");
	FAILS(MODE_PASST, "--gateway", "-g", "192.0.2.1/24");
	FAILS(MODE_PASST, "--ipv6-only", "-4", "-6");
	FAILS(MODE_PASST, "pasta", "-T", "22");
	FAILS(MODE_PASST, "pasta", "--netns", "foo");
	FAILS(MODE_PASST, "pasta", "--config-net");
	FAILS(MODE_PASTA, "passt", "-s", "/tmp/x");
	FAILS(MODE_PASTA, "passt", "--one-off");
	FAILS(MODE_PASTA, "passt", "-F", "3");
	FAILS(MODE_PASST, "passt: unrecognized option '--bogus'", "--bogus");
	FAILS(MODE_PASST, "passt: unrecognized option '--map-guest-addrx=1'",
	      "--map-guest-addrx=1");
	FAILS(MODE_PASST, "passt: invalid option -- 'Z'", "-Z");
	FAILS(MODE_PASST, "passt: option requires an argument -- 't'", "-t");
	FAILS(MODE_PASST, "passt: option '--map-guest-addr' requires an "
	      "argument", "--map-guest-addr");
	FAILS(MODE_PASST, "passt: option '--debug' doesn't allow an argument",
	      "--debug=1");
	FAILS(MODE_PASST, "--map-guest-addr", "--map-guest-addr", "127.0.0.1");
	FAILS(MODE_PASST, "--map-guest-addr", "--map-guest-addr",
	      "192.0.2.9/24");
	FAILS(MODE_PASST, "--map-guest-addr", "--map-guest-addr", "host");
	FAILS(MODE_PASST, "--tcp-ports", "-t", "0");
	FAILS(MODE_PASST, "--tcp-ports", "-t", "80-22");
	FAILS(MODE_PASST, "--udp-ports", "-u", "auto");
	FAILS(MODE_PASST, "argument", "extra");
	FAILS(MODE_PASTA, "--netns", "--netns", "foo", "1234");
	FAILS(MODE_PASTA, "--runas", "--runas", "no-such-user-xyz");
	FAILS(MODE_PASST, "--fd", "-F", "abc");
	FAILS(MODE_PASST, "--stats", "--stats", "0");
	FAILS(MODE_PASST, "--dns", "-D", "resolver.example");
	FAILS(MODE_PASTA, "--userns", "--userns", "/proc/1/ns/user");
	FAILS(MODE_PASTA, "--no-splice", "--no-splice", "--host-lo-to-ns-lo");
	FAILS(MODE_PASST, "--interface", "-i", "averyveryverylongname");
	FAILS(MODE_PASST, "no-such0", "-i", "no-such0");
}

/**
 * main() - Run every group of checks
 *
 * Return: 0 if all passed, 1 otherwise
 */
int main(void)
{
	test_mac();
	test_mtu();
	test_netmask();
	test_addr();
	test_misc_parsers();
	test_resolv();
	test_conf_ok();
	test_conf_ok_pasta();
	test_conf_resolv();
	test_conf_maps();
	test_conf_print();
	test_conf_exit0();
	test_conf_errors();

	printf("%u passed, %u failed\n", st.passed, st.failed);
	return st.failed ? 1 : 0;
}
