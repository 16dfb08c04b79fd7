// SPDX-License-Identifier: GPL-2.0-or-later
/* qrap.c - Connect a qemu without the stream back-end (before 7.2) to passt
 *
 * Theory of Operation
 *
 * qemu before 7.2 can't connect to a UNIX socket itself, but its socket
 * back-end (-netdev socket,fd=N, or the legacy -net socket,fd=N) takes an
 * already connected stream socket and speaks the framing passt uses: a
 * 4-byte big-endian length before each Ethernet frame. qrap connects to
 * passt, places the connection at descriptor FDNUM (not close-on-exec, and
 * left blocking: qemu makes it non-blocking itself), and executes qemu.
 *
 * Finding passt: with --socket PATH, or $PASST_SOCKET, that path only;
 * otherwise /tmp/passt_1.socket to /tmp/passt_64.socket in order, as passt
 * picks the first free one of those. A path that accepts a connection isn't
 * proof of a passt serving it (a stale socket may still be bound by another
 * program, and passt serves one client at a time: a second one is closed at
 * once), so each connection is probed: qrap sends an ARP request for
 * 0.0.0.0 from 0.0.0.0, which passt answers (see arp.c), and waits up to
 * QRAP_PROBE_MS for an ARP reply. Frames read meanwhile are whole frames,
 * so the stream handed to qemu stays framed.
 *
 * Command line: "qrap FDNUM QEMU_CMD [QEMU_ARG]..." runs QEMU_CMD with the
 * user's arguments. If they already use descriptor FDNUM (-netdev socket,
 * -net socket, -nic socket with fd=FDNUM), nothing is duplicated: only a
 * missing front-end is added (-device virtio-net-pci,netdev=ID for a
 * -netdev without one, -net nic,model=virtio for a -net socket without a
 * NIC). If they don't, a -netdev socket back-end and a virtio-net-pci
 * device are added. "qrap [QEMU_ARG]..." (first argument not a number)
 * finds qemu in $PATH, uses descriptor QRAP_FD_DEFAULT, removes network
 * options that would conflict (see qrap_arg_conflicts()) and adds its own.
 */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <linux/if_ether.h>

#include "log.h"

#define QRAP_ARGS_MAX		1024	/* arguments passed on to qemu */
#define QRAP_ARGS_ADDED		6	/* at most, by qrap */
#define QRAP_FD_DEFAULT		5	/* without FDNUM, as upstream qrap */
#define QRAP_FD_MAX		1023
#define QRAP_PROBE_FIRST	1	/* /tmp/passt_1.socket */
#define QRAP_PROBE_LAST		64	/* /tmp/passt_64.socket */
#define QRAP_PROBE_MS		500	/* for passt to answer the probe */
#define QRAP_PROBE_FRAMES	8	/* frames read looking for the reply */
#define QRAP_FRAME_MAX		(ETH_HLEN + 65535)
#define QRAP_OPT_LEN		256	/* options qrap writes for qemu */
#define QRAP_ARP_LEN		28	/* ARP request, Ethernet and IPv4 */
#define QRAP_ARP_OP_OFF		6	/* operation, within the ARP header */
#define QRAP_ARP_OP_REPLY	2
#define QRAP_DEVICE		"virtio-net-pci"
#define QRAP_NETDEV_ID		"hostnet0"

/* A frame read while probing: its length field, then up to a whole frame */
static unsigned char qrap_frame[QRAP_FRAME_MAX];

/* Options qrap adds: back-end, device; kept until execvp() */
static char qrap_netdev[QRAP_OPT_LEN], qrap_device[QRAP_OPT_LEN];

/* Argument vector for qemu */
static char *qrap_argv[QRAP_ARGS_MAX + QRAP_ARGS_ADDED + 1];

/**
 * struct qrap_net - What the user's qemu arguments already do with FDNUM
 * @netdev_id:	Index of the value of a -netdev socket,fd=FDNUM, or 0
 * @netdev_dev:	A -device names that netdev (netdev=ID)
 * @net_socket:	A legacy -net socket,fd=FDNUM is given
 * @net_nic:	A legacy -net nic (or -nic) is given
 */
struct qrap_net {
	int netdev_id;
	bool netdev_dev;
	bool net_socket;
	bool net_nic;
};

/**
 * qrap_deadline_left() - Milliseconds left before a deadline
 * @end:	Deadline, CLOCK_MONOTONIC
 *
 * Return: milliseconds left, 0 if passed
 */
static int qrap_deadline_left(const struct timespec *end)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (end->tv_sec - now.tv_sec) * 1000LL +
	     (end->tv_nsec - now.tv_nsec) / 1000000LL;
	return ms > 0 ? (int)ms : 0;
}

/**
 * qrap_recv_all() - Read exactly a number of bytes before a deadline
 * @fd:		Connected socket
 * @buf:	Buffer (output)
 * @len:	Bytes to read
 * @end:	Deadline, CLOCK_MONOTONIC
 *
 * Return: 0 on success, -1 on end of stream, errors or time out
 */
static int qrap_recv_all(int fd, unsigned char *buf, size_t len,
			 const struct timespec *end)
{
	size_t done = 0;

	while (done < len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, qrap_deadline_left(end)) <= 0)
			return -1;
		n = recv(fd, buf + done, len - done, MSG_DONTWAIT);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			return -1;
		if (n > 0)
			done += (size_t)n;
	}
	return 0;
}

/**
 * qrap_probe_send() - Send the probe: ARP request for 0.0.0.0 from 0.0.0.0
 * @fd:		Connected socket
 *
 * Return: 0 on success, -1 on failure
 */
static int qrap_probe_send(int fd)
{
	static const unsigned char arp[QRAP_ARP_LEN] = {
		0x00, 0x01, 0x08, 0x00,	/* Ethernet, IPv4 */
		ETH_ALEN, 4, 0x00, 0x01, /* address lengths, request */
	};			/* addresses: all zeroes */
	unsigned char f[sizeof(uint32_t) + ETH_HLEN + QRAP_ARP_LEN];
	uint32_t be = htonl(ETH_HLEN + QRAP_ARP_LEN);
	struct ethhdr eh;

	memset(eh.h_dest, 0xff, ETH_ALEN);
	memset(eh.h_source, 0xff, ETH_ALEN);	/* a group: not learnt */
	eh.h_proto = htons(ETH_P_ARP);
	memcpy(f, &be, sizeof(be));
	memcpy(f + sizeof(be), &eh, ETH_HLEN);
	memcpy(f + sizeof(be) + ETH_HLEN, arp, sizeof(arp));
	return send(fd, f, sizeof(f), MSG_NOSIGNAL) == (ssize_t)sizeof(f) ?
	       0 : -1;
}

/**
 * qrap_is_arp_reply() - Is the frame in qrap_frame an ARP reply?
 * @len:	Frame length, bytes, after the 4-byte length field
 *
 * Return: true if it is
 */
static bool qrap_is_arp_reply(size_t len)
{
	const unsigned char *l2 = qrap_frame + sizeof(uint32_t);
	uint16_t proto, op;

	if (len < ETH_HLEN + QRAP_ARP_LEN)
		return false;
	memcpy(&proto, l2 + ETH_ALEN * 2, sizeof(proto));
	memcpy(&op, l2 + ETH_HLEN + QRAP_ARP_OP_OFF, sizeof(op));
	return ntohs(proto) == ETH_P_ARP && ntohs(op) == QRAP_ARP_OP_REPLY;
}

/**
 * qrap_probe() - Check that passt answers on a connected socket
 * @fd:		Connected socket
 *
 * Whole frames are read until the ARP reply, so the stream stays framed.
 *
 * Return: 0 if passt answered, -1 otherwise
 */
static int qrap_probe(int fd)
{
	struct timespec end;
	int i;

	if (qrap_probe_send(fd))
		return -1;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += QRAP_PROBE_MS / 1000;
	end.tv_nsec += (QRAP_PROBE_MS % 1000) * 1000000L;
	for (i = 0; i < QRAP_PROBE_FRAMES; i++) {
		uint32_t be;
		size_t len;

		if (qrap_recv_all(fd, qrap_frame, sizeof(be), &end))
			return -1;
		memcpy(&be, qrap_frame, sizeof(be));
		len = ntohl(be);
		if (len > QRAP_FRAME_MAX - sizeof(be) ||
		    qrap_recv_all(fd, qrap_frame + sizeof(be), len, &end))
			return -1;
		if (qrap_is_arp_reply(len))
			return 0;
	}
	return -1;
}

/**
 * qrap_try() - Connect to a path and probe it
 * @path:	UNIX socket path
 * @quiet:	Don't report a missing path
 *
 * Return: connected, probed socket, or -1
 */
static int qrap_try(const char *path, bool quiet)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		die("Socket path too long: %s", path);
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		die_perror("Can't create UNIX socket");
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		if (!quiet || errno != ENOENT)
			warn_perror("Can't connect to %s", path);
		close(fd);
		return -1;
	}
	if (qrap_probe(fd)) {
		warn("No answer from passt at %s", path);
		close(fd);
		return -1;
	}
	info("Connected to %s", path);
	return fd;
}

/**
 * qrap_find() - Connect to the given socket path, or find passt's
 * @path:	Path given by the user, NULL to probe the default ones
 *
 * Return: connected, probed socket; dies if none answers
 */
static int qrap_find(const char *path)
{
	char p[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int fd, i;

	if (path) {
		fd = qrap_try(path, false);
		if (fd < 0)
			die("No passt instance at %s", path);
		return fd;
	}
	for (i = QRAP_PROBE_FIRST; i <= QRAP_PROBE_LAST; i++) {
		snprintf(p, sizeof(p), "/tmp/passt_%i.socket", i);
		fd = qrap_try(p, true);
		if (fd >= 0)
			return fd;
	}
	die("No passt instance answered at /tmp/passt_%i.socket to "
	    "/tmp/passt_%i.socket", QRAP_PROBE_FIRST, QRAP_PROBE_LAST);
}

/**
 * qrap_opt() - Option name of an argument, without leading dashes
 * @arg:	Argument
 *
 * Return: name if @arg is "-name" or "--name", NULL otherwise
 */
static const char *qrap_opt(const char *arg)
{
	if (arg[0] != '-')
		return NULL;
	return arg[1] == '-' ? arg + 2 : arg + 1;
}

/**
 * qrap_has_fd() - Does a comma-separated option value name a descriptor?
 * @val:	Option value, such as "socket,id=n0,fd=5"
 * @fdnum:	Descriptor number
 *
 * Return: true if one of its parameters is fd=@fdnum
 */
static bool qrap_has_fd(const char *val, int fdnum)
{
	char want[sizeof("fd=") + 12];
	const char *p = val;
	size_t len;

	len = (size_t)snprintf(want, sizeof(want), "fd=%i", fdnum);
	while (p) {
		if (!strncmp(p, want, len) && (p[len] == ',' || !p[len]))
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/**
 * qrap_param() - Find a parameter's value in a comma-separated option value
 * @val:	Option value, such as "socket,id=n0,fd=5"
 * @name:	Parameter name followed by '=', such as "id="
 *
 * Return: pointer to the value (ends at ',' or the end), NULL if absent
 */
static const char *qrap_param(const char *val, const char *name)
{
	const char *p = val;

	while (p) {
		if (!strncmp(p, name, strlen(name)))
			return p + strlen(name);
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return NULL;
}

/**
 * qrap_same_id() - Compare two parameter values ending at ',' or the end
 * @a:		First value
 * @b:		Second value
 *
 * Return: true if equal
 */
static bool qrap_same_id(const char *a, const char *b)
{
	size_t la = strcspn(a, ","), lb = strcspn(b, ",");

	return la == lb && !strncmp(a, b, la);
}

/**
 * qrap_scan() - Find out what the user's arguments do with FDNUM
 * @argc:	Number of qemu arguments
 * @argv:	qemu arguments, without the command
 * @fdnum:	Descriptor number
 * @net:	What the arguments already do (output)
 */
static void qrap_scan(int argc, char **argv, int fdnum, struct qrap_net *net)
{
	const char *id;
	int i;

	memset(net, 0, sizeof(*net));
	for (i = 0; i + 1 < argc; i++) {
		const char *o = qrap_opt(argv[i]), *v = argv[i + 1];

		if (!o)
			continue;
		if (!strcmp(o, "netdev") && qrap_has_fd(v, fdnum))
			net->netdev_id = i + 1;
		if ((!strcmp(o, "net") || !strcmp(o, "nic")) &&
		    qrap_has_fd(v, fdnum))
			net->net_socket = true;
		if ((!strcmp(o, "net") && !strncmp(v, "nic", 3)) ||
		    !strcmp(o, "nic"))
			net->net_nic = true;
	}
	id = net->netdev_id ? qrap_param(argv[net->netdev_id], "id=") : NULL;
	for (i = 0; id && i + 1 < argc; i++) {
		const char *o = qrap_opt(argv[i]), *d;

		if (!o || strcmp(o, "device"))
			continue;
		d = qrap_param(argv[i + 1], "netdev=");
		if (d && qrap_same_id(d, id))
			net->netdev_dev = true;
	}
}

/**
 * qrap_add_own() - Add qrap's back-end and device options
 * @qargv:	qemu argument vector
 * @n:		Arguments in @qargv
 * @fdnum:	Descriptor number
 *
 * Return: new number of arguments
 */
static int qrap_add_own(char **qargv, int n, int fdnum)
{
	snprintf(qrap_netdev, sizeof(qrap_netdev), "socket,fd=%i,id=%s",
		 fdnum, QRAP_NETDEV_ID);
	snprintf(qrap_device, sizeof(qrap_device), "%s,netdev=%s",
		 QRAP_DEVICE, QRAP_NETDEV_ID);
	qargv[n++] = "-netdev";
	qargv[n++] = qrap_netdev;
	qargv[n++] = "-device";
	qargv[n++] = qrap_device;
	return n;
}

/**
 * qrap_complete() - Add what the user's own use of FDNUM lacks, if anything
 * @qargv:	qemu argument vector, the user's arguments from index 1
 * @n:		Arguments in @qargv
 * @fdnum:	Descriptor number
 *
 * Return: new number of arguments
 */
static int qrap_complete(char **qargv, int n, int fdnum)
{
	struct qrap_net net;
	const char *id;

	qrap_scan(n - 1, qargv + 1, fdnum, &net);
	if (!net.netdev_id && !net.net_socket)
		return qrap_add_own(qargv, n, fdnum);
	if (net.net_socket && !net.net_nic) {
		qargv[n++] = "-net";
		qargv[n++] = "nic,model=virtio";
	}
	id = net.netdev_id ? qrap_param(qargv[1 + net.netdev_id], "id=") : NULL;
	if (id && !net.netdev_dev) {
		snprintf(qrap_device, sizeof(qrap_device), "%s,netdev=%.*s",
			 QRAP_DEVICE, (int)strcspn(id, ","), id);
		qargv[n++] = "-device";
		qargv[n++] = qrap_device;
	}
	return n;
}

/**
 * qrap_arg_conflicts() - Would an option clash with qrap's own network?
 * @o:		Option name, without dashes
 * @v:		Its value
 *
 * Return: true for -netdev, -net, -nic, and -device with a NIC model
 */
static bool qrap_arg_conflicts(const char *o, const char *v)
{
	static const char *const nic[] = { "virtio-net-pci", "virtio-net-ccw",
					   "e1000", "e1000e", "rtl8139" };
	size_t i;

	if (!strcmp(o, "netdev") || !strcmp(o, "net") || !strcmp(o, "nic"))
		return true;
	if (strcmp(o, "device"))
		return false;
	for (i = 0; i < sizeof(nic) / sizeof(nic[0]); i++) {
		size_t len = strlen(nic[i]);

		if (!strncmp(v, nic[i], len) && (v[len] == ',' || !v[len]))
			return true;
	}
	return false;
}

/**
 * qrap_find_qemu() - Find a qemu executable in $PATH
 *
 * Return: command name, dies if none is found
 */
static const char *qrap_find_qemu(void)
{
	static const char *const names[] = { "qemu-system-x86_64", "kvm",
					     "qemu-kvm", "qemu-system-aarch64",
					     "qemu-system-ppc64",
					     "qemu-system-s390x" };
	const char *path = getenv("PATH");
	char buf[PATH_MAX];
	size_t i;

	for (i = 0; path && i < sizeof(names) / sizeof(names[0]); i++) {
		const char *d = path;

		while (*d) {
			size_t len = strcspn(d, ":");

			snprintf(buf, sizeof(buf), "%.*s/%s", (int)len, d,
				 names[i]);
			if (len && !access(buf, X_OK))
				return names[i];
			d += len + (d[len] == ':');
		}
	}
	die("No qemu executable found in PATH");
}

/**
 * qrap_patch() - Build qemu's arguments without FDNUM: drop, then add
 * @qargv:	qemu argument vector (output)
 * @argc:	User's argument count, including argv[0]
 * @argv:	User's arguments, qemu's from index 1
 *
 * Return: number of arguments in @qargv
 */
static int qrap_patch(char **qargv, int argc, char **argv)
{
	int i, n = 0;

	qargv[n++] = (char *)qrap_find_qemu();
	for (i = 1; i < argc; i++) {
		const char *o = qrap_opt(argv[i]);

		if (o && i + 1 < argc && qrap_arg_conflicts(o, argv[i + 1])) {
			info("Dropped %s %s", argv[i], argv[i + 1]);
			i++;
			continue;
		}
		qargv[n++] = argv[i];
	}
	return qrap_add_own(qargv, n, QRAP_FD_DEFAULT);
}

/**
 * qrap_fdnum() - Parse FDNUM
 * @arg:	Argument
 *
 * Return: descriptor number, -1 if @arg isn't a number
 */
static int qrap_fdnum(const char *arg)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(arg, &end, 10);
	if (!*arg || *end || errno)
		return -1;
	if (v <= STDERR_FILENO || v > QRAP_FD_MAX)
		die("Invalid descriptor number: %s", arg);
	return (int)v;
}

/**
 * main() - Find passt, connect, then run qemu with the connection
 * @argc:	Argument count
 * @argv:	qrap [--socket PATH] [FDNUM QEMU_CMD] [QEMU_ARG]...
 *
 * Return: doesn't return on success; 1 on errors
 */
int main(int argc, char **argv)
{
	char **qargv = qrap_argv;
	const char *path = getenv("PASST_SOCKET");
	int fd, fdnum = QRAP_FD_DEFAULT, n, i;

	log_init("qrap", true, LOG_INFO);
	if (argc > 2 && !strcmp(argv[1], "--socket")) {
		path = argv[2];
		argv[2] = argv[0];
		argc -= 2;
		argv += 2;
	}
	if (argc > QRAP_ARGS_MAX)
		die("Too many arguments: at most %i", QRAP_ARGS_MAX);
	if (argc >= 3 && qrap_fdnum(argv[1]) >= 0) {
		fdnum = qrap_fdnum(argv[1]);
		for (n = 0, i = 2; i < argc; i++)
			qargv[n++] = argv[i];
		n = qrap_complete(qargv, n, fdnum);
	} else {
		n = qrap_patch(qargv, argc, argv);
	}
	qargv[n] = NULL;
	fd = qrap_find(path && *path ? path : NULL);
	if (fd != fdnum && (dup2(fd, fdnum) < 0 || close(fd)))
		die_perror("Can't move connection to descriptor %i", fdnum);
	execvp(qargv[0], qargv);
	die_perror("Can't run %s", qargv[0]);
}
