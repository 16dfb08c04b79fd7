// SPDX-License-Identifier: GPL-2.0-or-later
/* passt_tap.c - Bridge a tap device to passt's UNIX socket: a kernel guest
 *
 * Usage: passt_tap SOCK IFNAME
 *        passt_tap --spawn IFNAME COMMAND [ARG]...
 *   Creates tap device IFNAME (no packet information, no virtio-net
 *   header) in the current network namespace, connects to passt's socket
 *   SOCK and copies frames both ways, with qemu's stream framing (32-bit
 *   big-endian length, then the Ethernet frame) on the socket side. The
 *   namespace's own TCP/IP stack then plays passt's guest, as a VM would,
 *   without a VM. Runs until either side closes.
 *
 *   With --spawn, it starts passt the way qemu's "-netdev passt" does: one
 *   end of a socketpair becomes descriptor 3 of COMMAND (which names it
 *   with --fd 3), the command is waited for (passt returns once it has
 *   forked to the background) and must exit with status 0, then frames are
 *   copied over the other end. PASST_TAP_SNDBUF=BYTES in the environment
 *   sets SO_SNDBUF of passt's end first: with a small one, passt's writes
 *   are cut mid-frame again and again, as they are when qemu reads slowly.
 *
 * Exit status 0 when passt closed the socket, 1 on errors, 2 on usage.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "io.h"

#define PT_FRAME_MAX		(65535 + 14)
#define PT_SOCK_BUF		(1 << 20)

/**
 * struct pt_state - Bridge state
 * @tap:	Tap device
 * @sock:	Connection to passt
 * @in:		Bytes read from the socket, not yet complete frames
 * @in_len:	Bytes in @in
 * @out:	One frame from the tap, with its length prefix
 */
static struct pt_state {
	int tap;
	int sock;
	uint8_t in[PT_SOCK_BUF + PT_FRAME_MAX + 4];
	size_t in_len;
	uint8_t out[PT_FRAME_MAX + 4];
} pt;

/**
 * pt_tap_open() - Create the tap device
 * @name:	Interface name
 *
 * Return: file descriptor, -1 on errors
 */
static int pt_tap_open(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		close(fd);
		return -1;
	}
	return fd;
}

/**
 * pt_sock_open() - Connect to passt
 * @path:	Socket path
 *
 * Return: file descriptor, -1 on errors
 */
static int pt_sock_open(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

/**
 * pt_spawn() - Start a command with one end of a socketpair as its fd 3
 * @argv:	Command and arguments, NULL-terminated
 *
 * Return: our end of the socketpair once the command exited with status
 * 0, -1 on errors
 */
static int pt_spawn(char **argv)
{
	int sv[2], status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -1;
	if (getenv("PASST_TAP_SNDBUF")) {
		int sndbuf = atoi(getenv("PASST_TAP_SNDBUF"));

		if (setsockopt(sv[1], SOL_SOCKET, SO_SNDBUF, &sndbuf,
			       sizeof(sndbuf)))
			return -1;
	}
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (dup2(sv[1], 3) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(sv[1]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status)) {
		fprintf(stderr, "passt_tap: %s failed (status 0x%x)\n",
			argv[0], status);
		close(sv[0]);
		return -1;
	}
	return sv[0];
}

/**
 * pt_from_tap() - Forward one frame from the tap to passt
 *
 * Return: 0 on success, -1 on errors
 */
static int pt_from_tap(void)
{
	ssize_t n = read(pt.tap, pt.out + 4, PT_FRAME_MAX);
	uint32_t be;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	be = htonl((uint32_t)n);
	memcpy(pt.out, &be, 4);
	return io_write_all(pt.sock, pt.out, (size_t)n + 4);
}

/**
 * pt_from_sock() - Forward complete frames from passt to the tap
 *
 * Return: 1 if passt closed the socket, 0 on success, -1 on errors
 */
static int pt_from_sock(void)
{
	size_t off = 0;
	ssize_t n;

	n = read(pt.sock, pt.in + pt.in_len, PT_SOCK_BUF);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (!n)
		return 1;
	pt.in_len += (size_t)n;
	while (pt.in_len - off >= 4) {
		uint32_t be, len;

		memcpy(&be, pt.in + off, 4);
		len = ntohl(be);
		if (len > PT_FRAME_MAX)
			return -1;
		if (pt.in_len - off - 4 < len)
			break;
		if (write(pt.tap, pt.in + off + 4, len) < 0 && errno != EIO)
			perror("tap write");
		off += 4 + len;
	}
	memmove(pt.in, pt.in + off, pt.in_len - off);
	pt.in_len -= off;
	return 0;
}

/**
 * main() - Entry point
 * @argc:	Argument count
 * @argv:	SOCK IFNAME, or --spawn IFNAME COMMAND...
 *
 * Return: 0 when passt closed the socket, 1 on errors, 2 on usage errors
 */
int main(int argc, char **argv)
{
	struct pollfd pfd[2];
	int ret = 0;

	if (argc >= 4 && !strcmp(argv[1], "--spawn")) {
		pt.tap = pt_tap_open(argv[2]);
		pt.sock = pt_spawn(argv + 3);
	} else if (argc == 3) {
		pt.tap = pt_tap_open(argv[2]);
		pt.sock = pt_sock_open(argv[1]);
	} else {
		fprintf(stderr, "Usage: %s SOCK IFNAME\n"
			"       %s --spawn IFNAME COMMAND [ARG]...\n",
			argv[0], argv[0]);
		return 2;
	}
	if (pt.tap < 0 || pt.sock < 0) {
		perror("passt_tap: set-up");
		return 1;
	}
	pfd[0].fd = pt.tap;
	pfd[1].fd = pt.sock;
	pfd[0].events = pfd[1].events = POLLIN;
	while (!ret) {
		if (poll(pfd, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (pfd[0].revents & POLLIN)
			ret = pt_from_tap();
		if (!ret && (pfd[1].revents & (POLLIN | POLLHUP)))
			ret = pt_from_sock();
	}
	return ret < 0 ? 1 : 0;
}
