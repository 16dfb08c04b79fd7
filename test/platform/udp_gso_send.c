// SPDX-License-Identifier: GPL-2.0-or-later
/* udp_gso_send.c - Send one UDP_SEGMENT (GSO) burst: DST PORT TOTAL SEG
 *
 * Used to prove that UDP super-frames the namespace kernel leaves to the
 * tap (USO) arrive segmented, as ordinary datagrams, on the other side.
 */

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef UDP_SEGMENT
#define UDP_SEGMENT	103
#endif

/**
 * main() - Send TOTAL bytes to DST:PORT in one call, segmented by SEG
 * @argc:	Argument count
 * @argv:	DST PORT TOTAL SEG
 *
 * Return: 0 on success
 */
int main(int argc, char **argv)
{
	static char data[65000];
	struct sockaddr_in a = { .sin_family = AF_INET };
	int s, total, seg, i;

	if (argc != 5)
		return 2;
	inet_pton(AF_INET, argv[1], &a.sin_addr);
	a.sin_port = htons((uint16_t)atoi(argv[2]));
	total = atoi(argv[3]);
	seg = atoi(argv[4]);
	if (total <= 0 || total > (int)sizeof(data) || seg <= 0)
		return 2;
	for (i = 0; i < total; i++)
		data[i] = (char)('a' + (i / seg) % 26);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (setsockopt(s, IPPROTO_UDP, UDP_SEGMENT, &seg, sizeof(seg))) {
		perror("UDP_SEGMENT");
		return 1;
	}
	if (sendto(s, data, (size_t)total, 0, (struct sockaddr *)&a,
		   sizeof(a)) != total) {
		perror("sendto");
		return 1;
	}
	return 0;
}
