// SPDX-License-Identifier: GPL-2.0-or-later
/* isolation.c - Dropping privileges once set-up is done
 *
 * Theory of Operation
 *
 * Set-up opens everything the main loop will ever use: sockets, the tap
 * device or UNIX socket, the pcap and log files, the PID file, /dev/null
 * for daemonising, /proc/net/{tcp,tcp6,udp,udp6} of both sides for "auto"
 * port scans, the network and user namespace files, the pidfd or inotify
 * watch of --netns-only quit detection, the splice pools; syslog is
 * connected and the time zone read. Nothing after these stages may open a
 * file or use a privilege it dropped. Stages, in order:
 *
 * - isolate_user(): who we are.
 *   passt started as root switches to --runas (default: nobody), then,
 *   root or not, detaches into a user namespace of its own, where it maps
 *   its own IDs only: its capabilities from then on are over that empty
 *   namespace.
 *   pasta with a target user namespace (the one it created for its command,
 *   or the one of a PID, or --userns): started as root, it switches to
 *   --runas keeping its capabilities just long enough to join it
 *   (unprivileged, set-up joined it already). Its capabilities then hold
 *   there only: over the namespace's network, never the host's. (--runas
 *   needs no mapping there: the IDs are only seen as the overflow IDs.)
 *   pasta with a network namespace only (--netns-only, --netns without
 *   --userns), started as root: the namespace belongs to the host's user
 *   namespace, and entering it at run time takes CAP_SYS_ADMIN there. pasta
 *   switches to --runas keeping just the capabilities listed below.
 * - isolate_prefork(): new mount, IPC and UTS namespaces (and for passt a
 *   PID namespace, which the fork that follows enters: the process running
 *   the loop is PID 1 there; it has signal handlers, so SIGTERM and SIGINT
 *   from outside still end it, and the PID file names it as seen from
 *   outside). The mount namespace is made private, an empty read-only
 *   tmpfs becomes the root with pivot_root(), and the old root is detached
 *   (with --chroot-fallback, chroot() into the tmpfs where pivot_root() is
 *   refused, with a warning). Then capabilities go from all five sets
 *   (bounding, inheritable, ambient, permitted, effective), but for pasta:
 *   CAP_SYS_ADMIN, for setns() into the target network namespace in
 *   ns_call() (splice socket pools, "auto" binds, UDP sockets there), and
 *   CAP_NET_BIND_SERVICE, for binding ports below 1024 inside it; started
 *   as root with a command, CAP_KILL as well: the command runs as root in
 *   its namespaces, we as --runas, and SIGTERM, SIGINT and SIGHUP are
 *   passed on to it. These hold in pasta's user namespace (the target's)
 *   only, except for root with a network namespace only, see above. No new
 *   privileges through exec, no core dumps (RLIMIT_CORE 0).
 * - the fork to background (passt.c); passt in the foreground forks too,
 *   into its PID namespace, and the parent only relays signals and the exit
 *   status.
 * - isolate_postfork(), in the process running the loop (and in passt's
 *   relaying parent): not dumpable, so peers running as the same user can't
 *   trace it or read its memory. (Not before isolate_user(): writing our
 *   own ID maps needs a dumpable process.)
 *
 * pasta's command is cloned at set-up, before all this, from the process
 * that's still privileged: it keeps the user's view of the filesystem and
 * its capabilities inside its namespaces.
 */

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "isolation.h"
#include "log.h"
#include "passt.h"
#include "util.h"

/* Where the empty root is mounted before pivot_root(): any directory */
#define ISOLATE_ROOT_DIR	"/tmp"
#define ISOLATE_ROOT_OPTS	"nr_inodes=2,size=4k,mode=0555"

/* Capabilities pasta keeps at run time, see the Theory of Operation */
#define ISOLATE_PASTA_CAPS	((1ULL << CAP_SYS_ADMIN) | \
				 (1ULL << CAP_NET_BIND_SERVICE))

/**
 * isolate_caps_set() - Set effective, permitted and inheritable capabilities
 * @eff:	Effective and permitted set, one bit per capability
 * @inh:	Inheritable set
 *
 * Return: 0 on success, -1 on failure (errno set)
 */
static int isolate_caps_set(uint64_t eff, uint64_t inh)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	data[0].effective = data[0].permitted = (uint32_t)eff;
	data[1].effective = data[1].permitted = (uint32_t)(eff >> 32);
	data[0].inheritable = (uint32_t)inh;
	data[1].inheritable = (uint32_t)(inh >> 32);
	return (int)syscall(SYS_capset, &hdr, data);
}

/**
 * isolate_caps_permitted() - Read the permitted capability set
 *
 * Return: permitted set, one bit per capability
 */
static uint64_t isolate_caps_permitted(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capget, &hdr, data))
		die_perror("Can't read capabilities");
	return data[0].permitted | ((uint64_t)data[1].permitted << 32);
}

/**
 * isolate_caps_drop() - Drop every capability but @keep, from all five sets
 * @keep:	Capabilities kept in the bounding, permitted and effective sets
 */
static void isolate_caps_drop(uint64_t keep)
{
	int cap;

	/* Bounding set first: dropping from it takes CAP_SETPCAP */
	for (cap = 0; prctl(PR_CAPBSET_READ, cap, 0, 0, 0) >= 0; cap++) {
		if (cap < 64 && (keep & (1ULL << cap)))
			continue;
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno != EINVAL)
			die_perror("Can't drop capability %i from the bounding "
				   "set", cap);
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) &&
	    errno != EINVAL)
		die_perror("Can't clear ambient capabilities");
	if (isolate_caps_set(keep & isolate_caps_permitted(), 0))
		die_perror("Can't drop capabilities");
}

/**
 * isolate_runas() - Switch to the --runas user and group
 * @c:		Execution context
 * @keep:	Keep the permitted capabilities across the switch, and make
 *		them effective again
 *
 * Return: true if switched, false if the IDs aren't mapped in our user
 *	   namespace and --runas wasn't given (we keep ours then)
 */
static bool isolate_runas(const struct ctx *c, bool keep)
{
	uid_t uid = c->runas_uid;
	gid_t gid = c->runas_gid;

	if (keep && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0))
		die_perror("Can't keep capabilities across the user switch");
	if (setgroups(0, NULL) && errno != EPERM)
		die_perror("Can't clear supplementary groups");
	if (setresgid(gid, gid, gid) || setresuid(uid, uid, uid)) {
		if (errno == EINVAL && !c->runas_given) {
			debug("User %u not mapped here: keeping ours",
			      (unsigned)uid);
			prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
			return false;
		}
		die_perror("Can't switch to user %u, group %u",
			   (unsigned)uid, (unsigned)gid);
	}
	debug("Switched to user %u, group %u", (unsigned)uid, (unsigned)gid);
	if (!keep)
		return true;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) ||
	    isolate_caps_set(isolate_caps_permitted(), 0))
		die_perror("Can't keep capabilities across the user switch");
	return true;
}

/**
 * isolate_userns_own() - Detach into a user namespace of our own (passt)
 *
 * Only our IDs are mapped, to themselves. Writing our own maps takes a
 * dumpable process: a switch of user has just made us non-dumpable.
 */
static void isolate_userns_own(void)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char map[64];

	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		die_perror("Can't make process dumpable to write its ID maps");
	if (unshare(CLONE_NEWUSER))
		die_perror("Can't create a user namespace (are unprivileged "
			   "user namespaces disabled?)");
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)uid, (unsigned)uid);
	if (write_file("/proc/self/uid_map", map))
		die("Can't write our uid map");
	if (write_file("/proc/self/setgroups", "deny"))
		die("Can't deny setgroups in our user namespace");
	snprintf(map, sizeof(map), "%u %u 1", (unsigned)gid, (unsigned)gid);
	if (write_file("/proc/self/gid_map", map))
		die("Can't write our gid map");
}

/**
 * isolate_user() - Who we are from now on, once every resource is held
 * @c:		Execution context
 */
void isolate_user(struct ctx *c)
{
	if (c->mode == MODE_PASST) {
		if (!c->uid || c->runas_given)
			isolate_runas(c, false);
		isolate_userns_own();
		return;
	}
	/* c->uid, not geteuid(): once in a user namespace we look like root */
	if (c->pasta_userns_fd >= 0) {
		if (c->uid)
			return;		/* Joined at set-up */
		isolate_runas(c, true);
		if (setns(c->pasta_userns_fd, CLONE_NEWUSER))
			die_perror("Can't join user namespace");
		return;
	}
	if (!c->uid || c->runas_given)
		isolate_runas(c, true);
}

/**
 * isolate_caps_keep() - Capabilities pasta keeps at run time
 * @c:		Execution context
 *
 * Return: CAP_SYS_ADMIN and CAP_NET_BIND_SERVICE; CAP_KILL too when started
 *	   as root with a command, which runs as root: we don't any longer
 */
static uint64_t isolate_caps_keep(const struct ctx *c)
{
	if (c->mode == MODE_PASST)
		return 0;
	if (!c->uid && c->pasta_child_pid > 0)
		return ISOLATE_PASTA_CAPS | (1ULL << CAP_KILL);
	return ISOLATE_PASTA_CAPS;
}

/**
 * isolate_fs_root() - Make the current directory our root, old one detached
 * @c:		Execution context
 *
 * With --chroot-fallback, chroot() where pivot_root() is refused (the old
 * root then stays mounted in our namespace, out of reach).
 */
static void isolate_fs_root(const struct ctx *c)
{
	if (!syscall(SYS_pivot_root, ".", ".")) {
		if (umount2(".", MNT_DETACH))
			die_perror("Can't detach the old root");
		return;
	}
	if (!c->chroot_fallback)
		die_perror("pivot_root() to an empty filesystem refused (see "
			   "--chroot-fallback)");
	warn_perror("pivot_root() refused: --chroot-fallback, using chroot()");
	if (chroot("."))
		die_perror("Can't chroot() to an empty filesystem");
}

/**
 * isolate_fs() - Reduce our mount namespace to an empty read-only tmpfs
 * @c:		Execution context
 */
static void isolate_fs(const struct ctx *c)
{
	/* Nothing we mount or unmount may propagate to the launcher's view */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		die_perror("Can't make our mounts private");
	if (mount("", ISOLATE_ROOT_DIR, "tmpfs",
		  MS_RDONLY | MS_NODEV | MS_NOEXEC | MS_NOSUID,
		  ISOLATE_ROOT_OPTS))
		die_perror("Can't mount an empty filesystem on %s",
			   ISOLATE_ROOT_DIR);
	if (chdir(ISOLATE_ROOT_DIR))
		die_perror("Can't enter %s", ISOLATE_ROOT_DIR);
	isolate_fs_root(c);
	if (chdir("/"))
		die_perror("Can't enter our new root");
}

/**
 * isolate_prefork() - Namespaces, empty root, capabilities, limits
 * @c:		Execution context
 *
 * Return: true if a new PID namespace waits for our next child (passt):
 *	   the caller must fork, and run the loop in the child
 */
bool isolate_prefork(const struct ctx *c)
{
	const struct rlimit core = { 0, 0 };
	bool pidns = false;

	tzset();	/* Time zone for syslog, read while we can */
	if (unshare(CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS))
		die_perror("Can't create mount, IPC and UTS namespaces");
	if (c->mode == MODE_PASST) {
		pidns = !unshare(CLONE_NEWPID);
		if (!pidns)
			warn_perror("No PID namespace of our own");
	}
	isolate_fs(c);
	isolate_caps_drop(isolate_caps_keep(c));
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die_perror("Can't set no_new_privs");
	if (setrlimit(RLIMIT_CORE, &core))
		die_perror("Can't disable core dumps");
	return pidns;
}

/**
 * isolate_postfork() - Last stage, in the process running the loop
 * @c:		Execution context
 */
void isolate_postfork(const struct ctx *c)
{
	(void)c;
	if (prctl(PR_SET_DUMPABLE, 0))
		warn_perror("Can't make process non-dumpable");
}
