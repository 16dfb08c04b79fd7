// SPDX-License-Identifier: GPL-2.0-or-later
/* test/platform/ping_reuse.c - Ping sockets share identifiers unless told
 *
 * icmp.c relies on this kernel behaviour (see its Theory of Operation):
 * - a new ping socket (SOCK_DGRAM, IPPROTO_ICMP/ICMPV6) has SO_REUSEADDR
 *   set, so two of them may bind the same identifier, and replies then go
 *   to whichever the kernel finds first;
 * - with SO_REUSEADDR cleared, bind() to an identifier in use fails with
 *   EADDRINUSE, and bind() to 0 then gets a free identifier.
 * Run by test/integration/pasta_icmp.sh in a namespace where ping sockets
 * are allowed (net.ipv4.ping_group_range). Prints one line per fact; exit
 * status 0 if all hold, 1 if one doesn't, 77 if ping sockets are refused.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define PROBE_ID	4660

/**
 * probe_family() - Check the facts for one address family
 * @af:		AF_INET or AF_INET6
 *
 * Return: 0 if they hold, 1 if not, 77 if ping sockets are refused
 */
static int probe_family(int af)
{
	int proto = af == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	struct sockaddr_storage ss = { .ss_family = (sa_family_t)af };
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)&ss;
	socklen_t sl = af == AF_INET ? sizeof(*a4) : sizeof(*a6), ol;
	int s1, s2, s3, reuse = 0, no = 0, rc = 0, shared, refused, fresh;
	const char *fam = af == AF_INET ? "ipv4" : "ipv6";

	s1 = socket(af, SOCK_DGRAM, proto);
	s2 = socket(af, SOCK_DGRAM, proto);
	s3 = socket(af, SOCK_DGRAM, proto);
	if (s1 < 0 || s2 < 0 || s3 < 0) {
		printf("%s: ping sockets refused: %s\n", fam, strerror(errno));
		return 77;
	}
	if (af == AF_INET)
		a4->sin_port = htons(PROBE_ID);
	else
		a6->sin6_port = htons(PROBE_ID);
	ol = sizeof(reuse);
	getsockopt(s1, SOL_SOCKET, SO_REUSEADDR, &reuse, &ol);
	printf("%s: SO_REUSEADDR by default: %d\n", fam, reuse);

	bind(s1, (struct sockaddr *)&ss, sl);
	shared = !bind(s2, (struct sockaddr *)&ss, sl);
	printf("%s: second default socket binds the same id: %s\n", fam,
	       shared ? "yes" : "no");

	setsockopt(s3, SOL_SOCKET, SO_REUSEADDR, &no, sizeof(no));
	refused = bind(s3, (struct sockaddr *)&ss, sl) && errno == EADDRINUSE;
	if (af == AF_INET)
		a4->sin_port = 0;
	else
		a6->sin6_port = 0;
	fresh = !bind(s3, (struct sockaddr *)&ss, sl);
	ol = sl;
	getsockname(s3, (struct sockaddr *)&ss, &ol);
	fresh = fresh && ntohs(af == AF_INET ? a4->sin_port : a6->sin6_port) !=
			 PROBE_ID;
	printf("%s: without SO_REUSEADDR: EADDRINUSE %s, then bind(0) gets "
	       "another id %s\n", fam, refused ? "yes" : "no",
	       fresh ? "yes" : "no");

	if (!reuse || !shared || !refused || !fresh)
		rc = 1;
	close(s1);
	close(s2);
	close(s3);
	return rc;
}

/**
 * main() - Probe both families
 *
 * Return: 0 if every fact holds, 1 if one doesn't, 77 if refused
 */
int main(void)
{
	int r4 = probe_family(AF_INET), r6 = probe_family(AF_INET6);

	if (r4 == 1 || r6 == 1)
		return 1;
	return r4 ? r4 : r6;
}
