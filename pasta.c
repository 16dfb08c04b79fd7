// SPDX-License-Identifier: GPL-2.0-or-later
/* pasta.c - Namespaces: create or join, spawn the command, set up the link
 *
 * Theory of Operation
 *
 * Without a PID or --netns, pasta clones a child into new user, network
 * and UTS namespaces, and unless --no-pidns, new PID and mount namespaces
 * with a /proc of its own: the command is PID 1 there, and whatever it
 * leaves behind is killed when it exits. The child blocks on a pipe while
 * the parent writes its uid and gid maps (the caller's IDs, or root's when
 * started as root, map to root inside), opens its namespace files, creates
 * the tap device and configures the namespace by netlink. Only then is the
 * child released to exec the command (default: $SHELL, else /bin/sh), so
 * that the command starts with a working network. pasta stays in the
 * foreground and exits with the command's status: SIGCHLD is blocked but
 * while the main loop waits, and the loop exits once the handler has noted
 * the status.
 *
 * With a PID, pasta joins /proc/PID/ns/net (and the user namespace of that
 * process unless --netns-only); with --netns PATH|NAME, that namespace, and
 * a user namespace only if --userns is given. With --no-netns-quit unset,
 * pasta exits when the namespace goes away: a pidfd tells when the process
 * exits, an inotify watch when a bound namespace file is removed.
 *
 * To act inside the target network namespace the process needs
 * CAP_SYS_ADMIN over the namespace's owning user namespace: unprivileged,
 * it joins that user namespace right away; as root it joins it only when
 * dropping privileges (isolation.c), so that set-up can still bind
 * privileged ports on the host. Work inside the namespace runs in short
 * clones through ns_call() (util.c): the main process never leaves the
 * host's network namespace, where its sockets live.
 */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "netlink.h"
#include "ctx.h"
#include "pasta.h"
#include "tap.h"
#include "util.h"

#define PASTA_STACK_SIZE	(256 * 1024)
#define PASTA_TAP_TXQLEN	5000		/* Tap queue, frames (default 1000) */

/**
 * struct pasta_state - Spawned command and namespace watch
 * @sync:	Pipe the child waits on before exec: read end, write end
 * @argv:	Command to run in the child
 * @quit_fd:	pidfd or inotify descriptor watching the namespace
 * @quit_name:	With inotify: name of the namespace file in its directory
 * @pidns:	The child has its own PID and mount namespaces
 * @stack:	Stack for the child (it's a separate process: copied)
 */
static struct pasta_state {
	int sync[2];
	char **argv;
	int quit_fd;
	char quit_name[PATH_MAX];
	bool pidns;
	char stack[PASTA_STACK_SIZE] __attribute__((aligned(16)));
} pasta_st = { { -1, -1 }, NULL, -1, "", false, { 0 } };

/**
 * pasta_child_proc() - In a new PID namespace, mount a matching /proc
 *
 * The mount namespace is the child's own: make it a slave first, so that
 * nothing propagates back to the host. Failure leaves the host's /proc in
 * place, with a warning: the command runs anyway.
 */
static void pasta_child_proc(void)
{
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) ||
	    mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL))
		fprintf(stderr, "pasta: can't mount /proc for the new PID "
			"namespace: %s\n", strerror(errno));
}

/**
 * pasta_child() - Child: wait for the namespace to be ready, exec the command
 * @arg:	Unused
 *
 * Return: doesn't return on success, 1 if released without go-ahead,
 *	   127 if the command can't be run
 */
static int pasta_child(void *arg)
{
	static char *shell_argv[2];
	char **argv = pasta_st.argv;
	sigset_t unblock;
	char go;

	(void)arg;
	sigemptyset(&unblock);
	sigaddset(&unblock, SIGCHLD);
	sigprocmask(SIG_UNBLOCK, &unblock, NULL);
	close(pasta_st.sync[1]);
	if (read(pasta_st.sync[0], &go, 1) != 1)
		_exit(1);
	close(pasta_st.sync[0]);
	if (pasta_st.pidns)
		pasta_child_proc();
	if (sethostname("pasta", strlen("pasta")))
		debug("Can't set host name in namespace");
	signal(SIGPIPE, SIG_DFL);	/* passt.c ignores it; exec keeps that */
	if (!argv || !argv[0]) {
		const char *sh = getenv("SHELL");

		shell_argv[0] = (char *)(sh && *sh ? sh : "/bin/sh");
		argv = shell_argv;
	}
	execvp(argv[0], argv);
	fprintf(stderr, "pasta: can't run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Context seen by the SIGCHLD handler, set once at set-up */
static const struct ctx *pasta_sig_ctx;

/* Exit status of the spawned command once it has ended, else -1 */
static volatile sig_atomic_t pasta_exit_status = -1;

/**
 * pasta_sigchld() - SIGCHLD: note the spawned command's exit status
 * @signo:	Signal number, unused
 *
 * Only taken while the main loop waits (see passt_wait()), which then
 * exits, see pasta_child_status(). Clones of ns_call() end here too.
 *
 * #syscalls:pasta waitid rt_sigreturn
 */
static void pasta_sigchld(int signo)
{
	siginfo_t info;

	(void)signo;
	if (!pasta_sig_ctx || pasta_sig_ctx->pasta_child_pid <= 0)
		return;
	memset(&info, 0, sizeof(info));
	if (waitid(P_PID, pasta_sig_ctx->pasta_child_pid, &info,
		   WEXITED | WNOHANG) || !info.si_pid)
		return;
	if (info.si_code == CLD_EXITED)
		pasta_exit_status = info.si_status;
	else
		pasta_exit_status = 128 + info.si_status;
}

/**
 * pasta_child_status() - Exit status of the spawned command, if it ended
 *
 * Return: status to exit with, -1 while the command runs (or with none)
 */
int pasta_child_status(void)
{
	return pasta_exit_status;
}

#define PASTA_HINT_USERNS						\
	" (unprivileged user namespaces may be disabled or restricted: see "\
	"sysctl kernel.unprivileged_userns_clone, user.max_user_namespaces, " \
	"and on Ubuntu kernel.apparmor_restrict_unprivileged_userns)"

/**
 * pasta_userns_hint() - Hint for a refused user namespace operation
 * @err:	errno value
 *
 * Return: text to append to the message, "" if nothing helps
 */
static const char *pasta_userns_hint(int err)
{
	if (err == ENOSPC)
		return " (limit reached: see sysctl user.max_user_namespaces)";
	if (err == EPERM || err == EACCES || err == EINVAL)
		return PASTA_HINT_USERNS;
	return "";
}

/**
 * pasta_ns_open_die() - Die for a namespace file that can't be opened
 * @what:	"network" or "user"
 * @path:	Path of the namespace file
 */
__attribute__((noreturn))
static void pasta_ns_open_die(const char *what, const char *path)
{
	int e = errno;

	die("Can't open %s namespace %s: %s%s", what, path, strerror(e),
	    e == EACCES || e == EPERM ?
	    " (check its permissions and owner; an SELinux or AppArmor "
	    "policy may deny it)" :
	    e == ENOENT ? " (gone, or never bound there?)" : "");
}

/**
 * pasta_write_maps() - Map the caller's IDs to root in the child's userns
 * @c:		Execution context
 * @pid:	Child's PID
 */
static void pasta_write_maps(const struct ctx *c, pid_t pid)
{
	char path[64], map[64];

	snprintf(map, sizeof(map), "0 %u 1", (unsigned)c->uid);
	snprintf(path, sizeof(path), "/proc/%i/uid_map", pid);
	if (write_file(path, map))
		die("Can't write %s: %s%s", path, strerror(errno),
		    pasta_userns_hint(errno));
	snprintf(path, sizeof(path), "/proc/%i/setgroups", pid);
	if (c->uid && write_file(path, "deny"))
		die("Can't write %s: %s%s", path, strerror(errno),
		    pasta_userns_hint(errno));
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)c->gid);
	snprintf(path, sizeof(path), "/proc/%i/gid_map", pid);
	if (write_file(path, map))
		die("Can't write %s: %s%s", path, strerror(errno),
		    pasta_userns_hint(errno));
}

/**
 * pasta_open_ns_files() - Open a process's network and user namespaces
 * @c:		Execution context
 * @pid:	Process
 * @userns:	Open the user namespace too
 */
static void pasta_open_ns_files(struct ctx *c, pid_t pid, bool userns)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%i/ns/net", pid);
	c->pasta_netns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->pasta_netns_fd < 0)
		pasta_ns_open_die("network", path);
	if (!userns)
		return;
	snprintf(path, sizeof(path), "/proc/%i/ns/user", pid);
	c->pasta_userns_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (c->pasta_userns_fd < 0)
		pasta_ns_open_die("user", path);
}

/**
 * pasta_join_userns() - Join the target user namespace if unprivileged
 * @c:		Execution context
 *
 * Root keeps its host privileges until isolate_user() joins it.
 */
static void pasta_join_userns(const struct ctx *c)
{
	if (c->pasta_userns_fd < 0 || !c->uid)
		return;
	if (setns(c->pasta_userns_fd, CLONE_NEWUSER))
		die("Can't join user namespace%s%s: %s%s",
		    *c->userns_path ? " " : "", c->userns_path,
		    strerror(errno), pasta_userns_hint(errno));
}

/**
 * pasta_start_ns() - Spawn the command in new user and network namespaces
 * @c:		Execution context
 */
void pasta_start_ns(struct ctx *c)
{
	struct sigaction sa = { .sa_handler = pasta_sigchld };
	int flags = CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWUTS | SIGCHLD;
	sigset_t block;
	pid_t pid;

	pasta_sig_ctx = c;
	pasta_st.argv = c->pasta_argv;
	pasta_st.pidns = !c->no_pidns;
	if (pasta_st.pidns)
		flags |= CLONE_NEWPID | CLONE_NEWNS;
	if (pipe2(pasta_st.sync, O_CLOEXEC))
		die_perror("Can't create pipe for the namespace child");
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	/* Taken only while the loop waits: the child unblocks it again */
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, NULL);
	pid = clone(pasta_child, pasta_st.stack + sizeof(pasta_st.stack),
		    flags, NULL);
	if (pid < 0)
		die("Can't create user and network namespaces: %s%s",
		    strerror(errno), pasta_userns_hint(errno));
	close(pasta_st.sync[0]);
	pasta_st.sync[0] = -1;
	c->pasta_child_pid = pid;
	pasta_write_maps(c, pid);
	pasta_open_ns_files(c, pid, true);
	pasta_join_userns(c);
}

/**
 * pasta_userns_skip_own() - Forget the target user namespace if it's ours
 * @c:		Execution context
 *
 * A process can't join the user namespace it's already in (EINVAL), and
 * needs not: it has its capabilities there already.
 */
static void pasta_userns_skip_own(struct ctx *c)
{
	struct stat self, target;

	if (c->pasta_userns_fd < 0 || stat("/proc/self/ns/user", &self) ||
	    fstat(c->pasta_userns_fd, &target))
		return;
	if (self.st_dev != target.st_dev || self.st_ino != target.st_ino)
		return;
	close(c->pasta_userns_fd);
	c->pasta_userns_fd = -1;
}

/**
 * pasta_netns_quit_init() - Watch the target namespace, exit when it goes
 * @c:		Execution context
 */
static void pasta_netns_quit_init(struct ctx *c)
{
	char dir[PATH_MAX], base[PATH_MAX];
	int fd;

	if (c->pasta_pid_arg > 0) {
		fd = (int)syscall(SYS_pidfd_open, c->pasta_pid_arg, 0);
	} else {
		snprintf(dir, sizeof(dir), "%s", c->netns_path);
		snprintf(base, sizeof(base), "%s", c->netns_path);
		snprintf(pasta_st.quit_name, sizeof(pasta_st.quit_name), "%s",
			 basename(base));
		fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (fd >= 0 &&
		    inotify_add_watch(fd, dirname(dir), IN_DELETE) < 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd < 0) {
		warn("Can't watch namespace: won't exit when it goes away");
		return;
	}
	pasta_st.quit_fd = fd;
	if (epoll_add(c, fd, EPOLLIN, epoll_ref_make(EPOLL_TYPE_NSQUIT, fd, 0)))
		die("Can't add namespace watch to epoll");
}

/**
 * pasta_open_ns() - Join an existing namespace: PID, --netns, --userns
 * @c:		Execution context
 */
void pasta_open_ns(struct ctx *c)
{
	c->pasta_netns_fd = open(c->netns_path, O_RDONLY | O_CLOEXEC);
	if (c->pasta_netns_fd < 0)
		pasta_ns_open_die("network", c->netns_path);
	if (*c->userns_path && !c->netns_only) {
		c->pasta_userns_fd = open(c->userns_path,
					  O_RDONLY | O_CLOEXEC);
		if (c->pasta_userns_fd < 0)
			pasta_ns_open_die("user", c->userns_path);
	}
	pasta_userns_skip_own(c);
	pasta_join_userns(c);
	if (!c->no_netns_quit)
		pasta_netns_quit_init(c);
}

/**
 * pasta_tap_create() - Create the tap device in the namespace, or die
 * @c:		Execution context
 *
 * Names what failed: joining the namespace, /dev/net/tun, or the device.
 */
void pasta_tap_create(struct ctx *c)
{
	int ret;

	errno = 0;
	ret = ns_call(tap_ns_tun, c);
	if (ret == TAP_TUN_OK)
		return;
	if (ret == TAP_TUN_ERR_OPEN)
		die("Can't open /dev/net/tun in the namespace: %s (is the tun "
		    "module loaded, and the device readable and writable for "
		    "us? containers need it passed in)", strerror(errno));
	if (ret == TAP_TUN_ERR_IFF)
		die("Can't create tap device %s in the namespace: %s%s",
		    c->pasta_ifn, strerror(errno),
		    errno == EBUSY || errno == EEXIST ?
		    " (an interface of that name exists: see -I)" : "");
	die("Can't create tap device %s in the namespace: %s", c->pasta_ifn,
	    ret == TAP_TUN_ERR_INDEX ? "it has no interface index" :
	    "can't enter the namespace");
}

/**
 * pasta_release_child() - Let the spawned command run
 * @c:		Execution context
 */
void pasta_release_child(struct ctx *c)
{
	if (c->pasta_child_pid <= 0 || pasta_st.sync[1] < 0)
		return;
	if (write(pasta_st.sync[1], "g", 1) != 1)
		die_perror("Can't release the namespace child");
	close(pasta_st.sync[1]);
	pasta_st.sync[1] = -1;
}

/**
 * struct pasta_conf_arg - What pasta_ns_lo_index() found in the namespace
 * @lo:		Index of the loopback interface
 */
struct pasta_conf_arg {
	unsigned lo;
};

/**
 * pasta_ns_lo_index() - Find the loopback interface; runs in the namespace
 * @arg:	struct pasta_conf_arg (output)
 *
 * Return: 0
 */
static int pasta_ns_lo_index(void *arg)
{
	struct pasta_conf_arg *a = arg;

	a->lo = if_nametoindex("lo");
	return 0;
}

/**
 * pasta_ns_conf_addrs() - --config-net: addresses and routes on the tap
 * @c:		Execution context
 */
static void pasta_ns_conf_addrs(const struct ctx *c)
{
	int ret = 0;

	if (c->ifi4_up) {
		if (c->ip4.no_copy_addrs || c->local_mode4 || !c->ifi4)
			ret = nl_addr_set(nl_sock_ns, c->pasta_ifi, AF_INET,
					  &c->ip4.addr, c->ip4.prefix_len);
		else
			ret = nl_addr_dup(nl_sock, c->ifi4, nl_sock_ns,
					  c->pasta_ifi, AF_INET);
		if (ret < 0)
			die("Can't set IPv4 address in namespace: %s",
			    strerror(-ret));
		if (c->ip4.no_copy_routes || c->local_mode4 || !c->ifi4)
			ret = nl_route_set_def(nl_sock_ns, c->pasta_ifi,
					       AF_INET, &c->ip4.gw);
		else
			ret = nl_route_dup(nl_sock, c->ifi4, nl_sock_ns,
					   c->pasta_ifi, AF_INET);
		if (ret < 0)
			die("Can't set IPv4 routes in namespace: %s",
			    strerror(-ret));
	}
	if (!c->ifi6_up)
		return;
	if (!c->local_mode6) {
		if (c->ip6.no_copy_addrs || !c->ifi6)
			ret = nl_addr_set(nl_sock_ns, c->pasta_ifi, AF_INET6,
					  &c->ip6.addr, c->ip6.prefix_len);
		else
			ret = nl_addr_dup(nl_sock, c->ifi6, nl_sock_ns,
					  c->pasta_ifi, AF_INET6);
		if (ret < 0)
			die("Can't set IPv6 address in namespace: %s",
			    strerror(-ret));
	}
	if (c->ip6.no_copy_routes || c->local_mode6 || !c->ifi6)
		ret = nl_route_set_def(nl_sock_ns, c->pasta_ifi, AF_INET6,
				       &c->ip6.gw);
	else
		ret = nl_route_dup(nl_sock, c->ifi6, nl_sock_ns, c->pasta_ifi,
				   AF_INET6);
	if (ret < 0)
		die("Can't set IPv6 routes in namespace: %s", strerror(-ret));
}

/**
 * pasta_ns_conf() - Bring up loopback, set up the tap link (set-up)
 * @c:		Execution context
 */
void pasta_ns_conf(struct ctx *c)
{
	struct pasta_conf_arg a = { 0 };
	int ret;

	if (ns_call(pasta_ns_lo_index, &a) || !a.lo ||
	    nl_link_up(nl_sock_ns, a.lo) < 0)
		die("Can't bring up loopback interface in namespace");
	if (c->splice_only)
		return;
	if (c->ns_mac[0] || c->ns_mac[1] || c->ns_mac[2] || c->ns_mac[3] ||
	    c->ns_mac[4] || c->ns_mac[5]) {
		ret = nl_link_set_mac(nl_sock_ns, c->pasta_ifi, c->ns_mac);
		if (ret < 0)
			die("Can't set MAC address of %s: %s", c->pasta_ifn,
			    strerror(-ret));
	}
	if (c->mtu) {
		ret = nl_link_set_mtu(nl_sock_ns, c->pasta_ifi, c->mtu);
		if (ret < 0)
			die("Can't set MTU %i on %s: %s", c->mtu, c->pasta_ifn,
			    strerror(-ret));
	}
	/* Frames from the namespace wait in the tap's queue while we are not
	 * scheduled: room for bursts of small datagrams at gigabit rates
	 */
	ret = nl_link_set_txqlen(nl_sock_ns, c->pasta_ifi, PASTA_TAP_TXQLEN);
	if (ret < 0)
		warn("Can't set queue length of %s: %s", c->pasta_ifn,
		     strerror(-ret));
	if (nl_link_get_mac(nl_sock_ns, c->pasta_ifi, c->guest_mac) < 0)
		die("Can't read MAC address of %s", c->pasta_ifn);
	if (!c->config_net)
		return;
	if (nl_link_up(nl_sock_ns, c->pasta_ifi) < 0)
		die("Can't bring up %s in namespace", c->pasta_ifn);
	pasta_ns_conf_addrs(c);
}

/**
 * pasta_netns_quit_handler() - Exit if the target namespace went away
 * @c:		Execution context
 * @fd:		pidfd or inotify descriptor
 *
 * #syscalls:pasta read exit_group
 */
void pasta_netns_quit_handler(struct ctx *c, int fd)
{
	char buf[sizeof(struct inotify_event) + NAME_MAX + 1]
		__attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n, off;

	if (c->pasta_pid_arg > 0) {
		info("Namespace process %i exited, exiting", c->pasta_pid_arg);
		_exit(EXIT_SUCCESS);
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
			const struct inotify_event *ev = (const void *)(buf + off);

			if (ev->len && !strcmp(ev->name, pasta_st.quit_name)) {
				info("Namespace %s is gone, exiting",
				     c->netns_path);
				_exit(EXIT_SUCCESS);
			}
			off += (ssize_t)(sizeof(*ev) + ev->len);
		}
	}
}
