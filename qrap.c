// SPDX-License-Identifier: GPL-2.0-or-later
/* qrap.c - Connect a legacy qemu (before 7.2) to passt
 *
 * qemu before 7.2 can't connect to a UNIX socket itself, but its socket
 * back-end (-netdev socket,fd=N) speaks the same stream framing passt uses:
 * a 4-byte big-endian length before each frame. qrap connects to passt's
 * socket, places the connection at descriptor FDNUM, and executes qemu with
 * the back-end and a virtio-net device added to its arguments.
 *
 * Usage: qrap FDNUM QEMU_CMD [QEMU_ARG]...
 * The socket path comes from $PASST_SOCKET, else /tmp/passt_1.socket.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "log.h"

#define QRAP_ARGS_MAX		1024
#define QRAP_DEFAULT_SOCKET	"/tmp/passt_1.socket"

/**
 * qrap_connect() - Connect to passt's UNIX socket
 * @path:	Socket path
 *
 * Return: connected socket, dies on failure
 */
static int qrap_connect(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		die("Socket path too long: %s", path);
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		die_perror("Can't create UNIX socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)))
		die_perror("Can't connect to %s", path);
	return fd;
}

/**
 * main() - Connect, then run qemu with the connection as its back-end
 * @argc:	Argument count
 * @argv:	qrap FDNUM QEMU_CMD [QEMU_ARG]...
 *
 * Return: doesn't return on success; 1 on errors
 */
int main(int argc, char **argv)
{
	static char netdev[64], *qargv[QRAP_ARGS_MAX];
	const char *path = getenv("PASST_SOCKET");
	int fd, fdnum, i, n = 0;
	char *end;

	log_init("qrap", true, LOG_INFO);
	if (argc < 3 || argc > QRAP_ARGS_MAX - 8)
		die("Usage: %s FDNUM QEMU_CMD [QEMU_ARG]...", argv[0]);
	errno = 0;
	fdnum = (int)strtol(argv[1], &end, 10);
	if (*end || errno || fdnum < 3 || fdnum > 1023)
		die("Invalid descriptor number: %s", argv[1]);
	fd = qrap_connect(path && *path ? path : QRAP_DEFAULT_SOCKET);
	if (fd != fdnum && (dup2(fd, fdnum) < 0 || close(fd)))
		die_perror("Can't move connection to descriptor %i", fdnum);
	for (i = 2; i < argc; i++)
		qargv[n++] = argv[i];
	snprintf(netdev, sizeof(netdev), "socket,fd=%i,id=hostnet0", fdnum);
	qargv[n++] = "-netdev";
	qargv[n++] = netdev;
	qargv[n++] = "-device";
	qargv[n++] = "virtio-net-pci,netdev=hostnet0";
	qargv[n] = NULL;
	execvp(qargv[0], qargv);
	die_perror("Can't run %s", qargv[0]);
}
