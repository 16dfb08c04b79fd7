// SPDX-License-Identifier: GPL-2.0-or-later
/* conf_parse.c - Command line syntax: option table and option value parsers
 *
 * This file says what a command line may contain; conf.c says what it means.
 * Here are the option table getopt_long() reads, the options each mode
 * accepts, the messages for malformed command lines, and parsers that turn
 * one option value (or the host's resolv.conf) into numbers, addresses and
 * names. Nothing here writes struct ctx or keeps state: the value parsers
 * only fill their output arguments, and are exported so test/unit/conf.c
 * can check them without running conf().
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf_parse.h"
#include "log.h"
#include "ctx.h"
#include "util.h"

#define CONF_MTU_MIN		68	/* RFC 791: every IPv4 host takes it */
#define CONF_RESOLV_MAX		16384	/* bytes of resolv.conf read */
#define CONF_NETNS_DIR		"/run/netns"
#define CONF_ADDR_STRLEN	(INET6_ADDRSTRLEN + 4)	/* with "/128" */

/* Short options; leading '+': stop at the first non-option (pasta command).
 * No ':' after it: getopt_long() itself reports malformed command lines, in
 * the wording launchers look for (see conf_opt_next())
 */
#define CONF_SHORTOPTS	"+dqfel:hs:F:1I:p:P:m:a:n:M:g:i:o:D:S:H:46t:u:T:U:"

static const struct option conf_longopts[] = {
	{ "debug", no_argument, NULL, 'd' },
	{ "trace", no_argument, NULL, CONF_OPT_TRACE },
	{ "quiet", no_argument, NULL, 'q' },
	{ "foreground", no_argument, NULL, 'f' },
	{ "stderr", no_argument, NULL, 'e' },
	{ "log-file", required_argument, NULL, 'l' },
	{ "log-size", required_argument, NULL, CONF_OPT_LOG_SIZE },
	{ "pid", required_argument, NULL, 'P' },
	{ "runas", required_argument, NULL, CONF_OPT_RUNAS },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, CONF_OPT_VERSION },
	{ "pcap", required_argument, NULL, 'p' },
	{ "mtu", required_argument, NULL, 'm' },
	{ "address", required_argument, NULL, 'a' },
	{ "netmask", required_argument, NULL, 'n' },
	{ "mac-addr", required_argument, NULL, 'M' },
	{ "gateway", required_argument, NULL, 'g' },
	{ "interface", required_argument, NULL, 'i' },
	{ "outbound", required_argument, NULL, 'o' },
	{ "outbound-if4", required_argument, NULL, CONF_OPT_OUT_IF4 },
	{ "outbound-if6", required_argument, NULL, CONF_OPT_OUT_IF6 },
	{ "dns", required_argument, NULL, 'D' },
	{ "dns-forward", required_argument, NULL, CONF_OPT_DNS_FORWARD },
	{ "dns-host", required_argument, NULL, CONF_OPT_DNS_HOST },
	{ "search", required_argument, NULL, 'S' },
	{ "no-dhcp-dns", no_argument, NULL, CONF_OPT_NO_DHCP_DNS },
	{ "dhcp-dns", no_argument, NULL, CONF_OPT_DHCP_DNS },
	{ "no-dhcp-search", no_argument, NULL, CONF_OPT_NO_DHCP_SEARCH },
	{ "dhcp-search", no_argument, NULL, CONF_OPT_DHCP_SEARCH },
	{ "no-tcp", no_argument, NULL, CONF_OPT_NO_TCP },
	{ "no-udp", no_argument, NULL, CONF_OPT_NO_UDP },
	{ "no-icmp", no_argument, NULL, CONF_OPT_NO_ICMP },
	{ "no-dhcp", no_argument, NULL, CONF_OPT_NO_DHCP },
	{ "no-ndp", no_argument, NULL, CONF_OPT_NO_NDP },
	{ "no-dhcpv6", no_argument, NULL, CONF_OPT_NO_DHCPV6 },
	{ "no-ra", no_argument, NULL, CONF_OPT_NO_RA },
	{ "freebind", no_argument, NULL, CONF_OPT_FREEBIND },
	{ "map-host-loopback", required_argument, NULL, CONF_OPT_MAP_HOST_LO },
	{ "map-guest-addr", required_argument, NULL, CONF_OPT_MAP_GUEST },
	{ "no-map-gw", no_argument, NULL, CONF_OPT_NO_MAP_GW },
	{ "ipv4-only", no_argument, NULL, '4' },
	{ "ipv6-only", no_argument, NULL, '6' },
	{ "hostname", required_argument, NULL, 'H' },
	{ "fqdn", required_argument, NULL, CONF_OPT_FQDN },
	{ "tcp-ports", required_argument, NULL, 't' },
	{ "udp-ports", required_argument, NULL, 'u' },
	{ "stats", required_argument, NULL, CONF_OPT_STATS },
	{ "chroot-fallback", no_argument, NULL, CONF_OPT_CHROOT_FALLBACK },
	{ "socket", required_argument, NULL, 's' },
	{ "socket-path", required_argument, NULL, 's' },
	{ "one-off", no_argument, NULL, '1' },
	{ "fd", required_argument, NULL, 'F' },
	{ "vhost-user", no_argument, NULL, CONF_OPT_VHOST_USER },
	{ "print-capabilities", no_argument, NULL, CONF_OPT_PRINT_CAPS },
	{ "ns-ifname", required_argument, NULL, 'I' },
	{ "tcp-ns", required_argument, NULL, 'T' },
	{ "udp-ns", required_argument, NULL, 'U' },
	{ "userns", required_argument, NULL, CONF_OPT_USERNS },
	{ "netns", required_argument, NULL, CONF_OPT_NETNS },
	{ "nsrun-dir", required_argument, NULL, CONF_OPT_NSRUN_DIR },
	{ "netns-only", no_argument, NULL, CONF_OPT_NETNS_ONLY },
	{ "no-netns-quit", no_argument, NULL, CONF_OPT_NO_NETNS_QUIT },
	{ "no-pidns", no_argument, NULL, CONF_OPT_NO_PIDNS },
	{ "config-net", no_argument, NULL, CONF_OPT_CONFIG_NET },
	{ "no-copy-routes", no_argument, NULL, CONF_OPT_NO_COPY_ROUTES },
	{ "no-copy-addrs", no_argument, NULL, CONF_OPT_NO_COPY_ADDRS },
	{ "ns-mac-addr", required_argument, NULL, CONF_OPT_NS_MAC },
	{ "no-splice", no_argument, NULL, CONF_OPT_NO_SPLICE },
	{ "splice-only", no_argument, NULL, CONF_OPT_SPLICE_ONLY },
	{ "host-lo-to-ns-lo", no_argument, NULL, CONF_OPT_HOST_LO_TO_NS_LO },
	{ NULL, 0, NULL, 0 },
};

/* Options valid in one mode only */
static const int conf_passt_only[] = {
	's', '1', 'F', CONF_OPT_VHOST_USER, CONF_OPT_PRINT_CAPS,
};
static const int conf_pasta_only[] = {
	'I', 'T', 'U', CONF_OPT_USERNS, CONF_OPT_NETNS, CONF_OPT_NSRUN_DIR,
	CONF_OPT_NETNS_ONLY, CONF_OPT_NO_NETNS_QUIT, CONF_OPT_NO_PIDNS,
	CONF_OPT_CONFIG_NET,
	CONF_OPT_NO_COPY_ROUTES, CONF_OPT_NO_COPY_ADDRS, CONF_OPT_NS_MAC,
	CONF_OPT_NO_SPLICE, CONF_OPT_SPLICE_ONLY, CONF_OPT_HOST_LO_TO_NS_LO,
};

/**
 * conf_opt_name() - Describe an option for messages: "-t/--tcp-ports"
 * @opt:	Option value, as returned by getopt_long()
 * @buf:	Buffer for the description
 * @len:	Size of @buf, bytes
 *
 * Return: @buf
 */
const char *conf_opt_name(int opt, char *buf, size_t len)
{
	const struct option *o;

	for (o = conf_longopts; o->name; o++) {
		if (o->val != opt)
			continue;
		if (opt < 256)
			snprintf(buf, len, "-%c/--%s", opt, o->name);
		else
			snprintf(buf, len, "--%s", o->name);
		return buf;
	}

	snprintf(buf, len, "-%c", opt);
	return buf;
}

/**
 * conf_opt_in() - Is an option value in a list?
 * @opt:	Option value
 * @list:	List of option values
 * @cnt:	Entries in @list
 *
 * Return: true if found
 */
static bool conf_opt_in(int opt, const int *list, size_t cnt)
{
	size_t i;

	for (i = 0; i < cnt; i++) {
		if (list[i] == opt)
			return true;
	}
	return false;
}

/**
 * conf_opt_mode_check() - Refuse options meant for the other mode
 * @c:		Execution context, mode set
 * @opt:	Option value
 */
void conf_opt_mode_check(const struct ctx *c, int opt)
{
	char name[64];

	if (c->mode == MODE_PASTA &&
	    conf_opt_in(opt, conf_passt_only, ARRAY_SIZE(conf_passt_only)))
		die("Option %s is only valid for passt",
		    conf_opt_name(opt, name, sizeof(name)));

	if (c->mode == MODE_PASST &&
	    conf_opt_in(opt, conf_pasta_only, ARRAY_SIZE(conf_pasta_only)))
		die("Option %s is only valid for pasta",
		    conf_opt_name(opt, name, sizeof(name)));
}

/**
 * conf_opt_next() - Read the next option with getopt_long()
 * @argc:	Argument count
 * @argv:	Arguments
 *
 * Unknown options, missing values and values given to options that take
 * none are reported by getopt_long() itself on standard error, in its own
 * words ("PROG: unrecognized option '--x'", "PROG: option requires an
 * argument -- 't'", "PROG: invalid option -- 'z'", "PROG: option '--x'
 * doesn't allow an argument"): launchers such as podman match that text to
 * tell an option this version lacks. Then the process exits with status 1,
 * before anything is opened. The caller resets optind and sets opterr.
 *
 * Return: option value as getopt_long() returns it (optarg set), -1 at the
 *	   end of the options
 */
int conf_opt_next(int argc, char **argv)
{
	int opt = getopt_long(argc, argv, CONF_SHORTOPTS, conf_longopts, NULL);

	if (opt == '?')
		_exit(EXIT_FAILURE);

	return opt;
}

/**
 * conf_ulong_parse() - Parse a decimal number with nothing around it
 * @s:		Text
 * @min:	Smallest value accepted
 * @max:	Largest value accepted
 * @v:		Value (output)
 *
 * Return: true if @s is all digits and the value within range
 */
bool conf_ulong_parse(const char *s, unsigned long min, unsigned long max,
		      unsigned long *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return false;

	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || *end || *v < min || *v > max)
		return false;

	return true;
}

/**
 * conf_hex_nibble() - Value of one hexadecimal digit
 * @ch:		Character
 *
 * Return: 0-15, or -1 if @ch isn't a hexadecimal digit
 */
static int conf_hex_nibble(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

/**
 * conf_mac_parse() - Parse a MAC address, strictly "xx:xx:xx:xx:xx:xx"
 * @s:		Text: six pairs of hexadecimal digits separated by colons
 * @mac:	Address (output, ETH_ALEN bytes), written only on success
 *
 * Return: true on success
 */
bool conf_mac_parse(const char *s, unsigned char *mac)
{
	unsigned char tmp[ETH_ALEN];
	int hi, lo;
	size_t i;

	if (strlen(s) != ETH_ALEN * 3 - 1)
		return false;

	for (i = 0; i < ETH_ALEN; i++) {
		hi = conf_hex_nibble(s[i * 3]);
		lo = conf_hex_nibble(s[i * 3 + 1]);
		if (hi < 0 || lo < 0)
			return false;
		if (i < ETH_ALEN - 1 && s[i * 3 + 2] != ':')
			return false;
		tmp[i] = (unsigned char)(hi << 4 | lo);
	}

	memcpy(mac, tmp, ETH_ALEN);
	return true;
}

/**
 * conf_mtu_parse() - Parse an MTU: 0 (don't advertise) or 68 to 65520
 * @s:		Text
 * @mtu:	MTU, bytes (output), written only on success
 *
 * Return: true on success
 */
bool conf_mtu_parse(const char *s, int *mtu)
{
	unsigned long v;

	if (!conf_ulong_parse(s, 0, MTU_DEFAULT, &v))
		return false;
	if (v && v < CONF_MTU_MIN)
		return false;

	*mtu = (int)v;
	return true;
}

/**
 * conf_netmask_parse() - Parse an IPv4 netmask, dotted or as prefix length
 * @s:		Text: "255.255.255.0" (contiguous mask) or "24" (0 to 32)
 * @prefix_len:	Prefix length (output), written only on success
 *
 * Return: true on success
 */
bool conf_netmask_parse(const char *s, int *prefix_len)
{
	struct in_addr mask;
	unsigned long v;
	uint32_t m;
	int bits;

	if (!strchr(s, '.')) {
		if (!conf_ulong_parse(s, 0, 32, &v))
			return false;
		*prefix_len = (int)v;
		return true;
	}

	if (inet_pton(AF_INET, s, &mask) != 1)
		return false;

	m = ntohl(mask.s_addr);
	bits = __builtin_popcount(m);
	if (bits && m != ~0U << (32 - bits))
		return false;

	*prefix_len = bits;
	return true;
}

/**
 * conf_addr_parse() - Parse an IPv4 or IPv6 address, with optional /prefix
 * @s:		Text: "192.0.2.1", "192.0.2.1/24", "2001:db8::1/64"
 * @addr:	Address (output)
 * @prefix_len:	Prefix length (output), -1 if none given
 *
 * Return: AF_INET or AF_INET6, 0 if @s is malformed
 */
int conf_addr_parse(const char *s, union conf_inaddr *addr, int *prefix_len)
{
	char buf[CONF_ADDR_STRLEN];
	unsigned long v = 0;
	char *slash;
	int af;

	if (strlen(s) >= sizeof(buf))
		return 0;
	strcpy(buf, s);

	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';

	if (inet_pton(AF_INET, buf, &addr->v4) == 1)
		af = AF_INET;
	else if (inet_pton(AF_INET6, buf, &addr->v6) == 1)
		af = AF_INET6;
	else
		return 0;

	if (slash && !conf_ulong_parse(slash + 1, 0, af == AF_INET ? 32 : 128,
				       &v))
		return 0;

	*prefix_len = slash ? (int)v : -1;
	return af;
}

/**
 * conf_addr_is_unicast() - Is an address usable as a host address?
 * @af:		AF_INET or AF_INET6
 * @addr:	Address
 *
 * Return: false for unspecified, loopback, multicast (and IPv4 broadcast)
 */
bool conf_addr_is_unicast(int af, const union conf_inaddr *addr)
{
	if (af == AF_INET) {
		uint32_t a = ntohl(addr->v4.s_addr);

		return a && !in4_is_loopback(&addr->v4) &&
		       !IN_MULTICAST(a) && a != INADDR_BROADCAST;
	}

	return !IN6_IS_ADDR_UNSPECIFIED(&addr->v6) &&
	       !IN6_IS_ADDR_LOOPBACK(&addr->v6) &&
	       !IN6_IS_ADDR_MULTICAST(&addr->v6);
}

/**
 * conf_prefix4_class() - Prefix length of an IPv4 address's old class
 * @addr:	Address
 *
 * Return: 8 for class A, 16 for B, 24 for C and anything above
 */
int conf_prefix4_class(struct in_addr addr)
{
	uint32_t a = ntohl(addr.s_addr);

	if (IN_CLASSA(a))
		return 8;
	if (IN_CLASSB(a))
		return 16;
	return 24;
}

/**
 * conf_runas_user() - Look up the user part of --runas
 * @s:		User name or numeric ID
 * @uid:	User ID (output)
 * @gid:	The user's primary group, or @uid if unknown (output)
 *
 * Return: true on success
 */
static bool conf_runas_user(const char *s, uid_t *uid, gid_t *gid)
{
	const struct passwd *pw;
	unsigned long v;

	if (conf_ulong_parse(s, 0, UINT_MAX - 1, &v)) {
		*uid = (uid_t)v;
		pw = getpwuid(*uid);
		*gid = pw ? pw->pw_gid : (gid_t)v;
		return true;
	}

	pw = getpwnam(s);
	if (!pw)
		return false;

	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return true;
}

/**
 * conf_runas_parse() - Parse --runas: UID, UID:GID, LOGIN or LOGIN:GROUP
 * @s:		Text; names are looked up with getpwnam() and getgrnam()
 * @uid:	User ID (output)
 * @gid:	Group ID (output)
 *
 * Return: true on success, false if malformed or a name is unknown
 */
bool conf_runas_parse(const char *s, uid_t *uid, gid_t *gid)
{
	char user[LOGIN_NAME_MAX + 1];
	const char *colon = strchr(s, ':');
	const struct group *gr;
	unsigned long v;
	size_t len;

	len = colon ? (size_t)(colon - s) : strlen(s);
	if (!len || len >= sizeof(user))
		return false;
	memcpy(user, s, len);
	user[len] = '\0';

	if (!conf_runas_user(user, uid, gid))
		return false;
	if (!colon)
		return true;

	if (conf_ulong_parse(colon + 1, 0, UINT_MAX - 1, &v)) {
		*gid = (gid_t)v;
		return true;
	}

	gr = *(colon + 1) ? getgrnam(colon + 1) : NULL;
	if (!gr)
		return false;

	*gid = gr->gr_gid;
	return true;
}

/**
 * conf_netns_path() - Path of a --netns argument: a path, or a name
 * @arg:	Path (anything with a '/'), or a name as ip-netns(8) uses
 * @dir:	Directory for names (--nsrun-dir), NULL for CONF_NETNS_DIR
 * @path:	Path (output): @arg itself, or @dir/@arg
 * @len:	Size of @path, bytes
 *
 * Return: true on success, false for bad names or paths too long
 */
bool conf_netns_path(const char *arg, const char *dir, char *path,
		     size_t len)
{
	int n;

	if (!*arg)
		return false;

	if (strchr(arg, '/')) {
		if (strlen(arg) >= len)
			return false;
		strcpy(path, arg);
		return true;
	}

	if (!strcmp(arg, ".") || !strcmp(arg, ".."))
		return false;

	n = snprintf(path, len, "%s/%s", dir ? dir : CONF_NETNS_DIR, arg);
	return n > 0 && (size_t)n < len;
}

/**
 * conf_search_parse() - Fill a search list from space-separated domains
 * @search:	List, DNS_SEARCH_MAX + 1 entries, "" terminated (output)
 * @list:	Domains separated by spaces or tabs; "none" for an empty list
 *
 * Domains past DNS_SEARCH_MAX are dropped with a warning.
 *
 * Return: true on success, false if a domain is too long
 */
bool conf_search_parse(char search[][DNS_NAME_MAX + 1], const char *list)
{
	const char *p = list;
	size_t len, n = 0;

	memset(search, 0, sizeof(search[0]) * (DNS_SEARCH_MAX + 1));
	if (!strcmp(list, "none"))
		return true;

	while (*(p += strspn(p, " \t\r\n"))) {
		len = strcspn(p, " \t\r\n");
		if (len > DNS_NAME_MAX)
			return false;
		if (n < DNS_SEARCH_MAX) {
			memcpy(search[n], p, len);
			search[n++][len] = '\0';
		} else {
			warn("Search domain %.*s dropped: at most %d kept",
			     (int)len, p, DNS_SEARCH_MAX);
		}
		p += len;
	}

	return true;
}

/**
 * conf_resolv_ns() - Record one "nameserver" value from resolv.conf
 * @r:		Resolver configuration being filled
 * @val:	Address text, IPv6 possibly with "%scope" (dropped), modified
 */
static void conf_resolv_ns(struct conf_resolv *r, char *val)
{
	struct in6_addr a6;
	struct in_addr a4;

	val[strcspn(val, "% \t")] = '\0';

	if (inet_pton(AF_INET, val, &a4) == 1) {
		if (r->ns4_cnt < DNS_MAX)
			r->ns4[r->ns4_cnt++] = a4;
	} else if (inet_pton(AF_INET6, val, &a6) == 1) {
		if (r->ns6_cnt < DNS_MAX)
			r->ns6[r->ns6_cnt++] = a6;
	}
}

/**
 * conf_resolv_line() - Take what matters from one line of resolv.conf
 * @r:		Resolver configuration being filled
 * @line:	Line, NUL-terminated, modified
 */
static void conf_resolv_line(struct conf_resolv *r, char *line)
{
	char *key = line + strspn(line, " \t");
	size_t klen = strcspn(key, " \t");
	char *val = key + klen;

	val += strspn(val, " \t");

	if (klen == 10 && !strncmp(key, "nameserver", klen))
		conf_resolv_ns(r, val);
	else if ((klen == 6 && !strncmp(key, "search", klen)) ||
		 (klen == 6 && !strncmp(key, "domain", klen)))
		conf_search_parse(r->search, val);
}

/**
 * conf_resolv_parse() - Read nameservers and search domains of resolv.conf
 * @path:	File, normally /etc/resolv.conf
 * @r:		Resolver configuration (output), cleared first
 *
 * The last "search" or "domain" line wins, as for the C library; at most
 * DNS_MAX nameservers per family are kept, and the first CONF_RESOLV_MAX
 * bytes of the file read.
 *
 * Return: true if the file could be read
 */
bool conf_resolv_parse(const char *path, struct conf_resolv *r)
{
	char buf[CONF_RESOLV_MAX + 1], *line, *save = NULL;
	size_t len = 0;
	ssize_t n;
	int fd;

	memset(r, 0, sizeof(*r));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;

	while (len < CONF_RESOLV_MAX &&
	       (n = read(fd, buf + len, CONF_RESOLV_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	buf[len] = '\0';

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		line[strcspn(line, "#;")] = '\0';
		conf_resolv_line(r, line);
	}

	return true;
}
