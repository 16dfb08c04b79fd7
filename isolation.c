// SPDX-License-Identifier: GPL-2.0-or-later
/* isolation.c - Dropping privileges once set-up is done
 *
 * Theory of Operation
 *
 * Stages, in order:
 * - isolate_user(), once everything the loop needs is open: started as
 *   root, pasta with a user namespace joins it (from then on it has
 *   capabilities only there, and its uid maps to root inside); passt, and
 *   pasta with --netns-only, switch to --runas (default: nobody).
 *   pasta --netns-only started as root keeps root: it must enter the target
 *   namespace at run time and has no user namespace to do it from.
 * - isolate_postfork(), in the process that runs the loop: no new
 *   privileges can be gained through exec, and the process can't be traced
 *   or dumped by unprivileged peers. (Not earlier: pasta must write its
 *   child's uid map, which a non-dumpable parent's child would refuse.)
 * The filesystem and seccomp stages belong here too (a later issue).
 */

#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <unistd.h>
#include <sys/prctl.h>

#include "isolation.h"
#include "log.h"
#include "passt.h"

/**
 * isolate_runas() - Switch to the --runas user and group
 * @c:		Execution context
 */
static void isolate_runas(const struct ctx *c)
{
	if (c->uid && !c->runas_given)
		return;
	if (setgroups(0, NULL) && errno != EPERM)
		die_perror("Can't clear supplementary groups");
	if (setgid(c->runas_gid) || setuid(c->runas_uid))
		die_perror("Can't switch to user %u, group %u",
			   (unsigned)c->runas_uid, (unsigned)c->runas_gid);
	debug("Switched to user %u, group %u", (unsigned)c->runas_uid,
	      (unsigned)c->runas_gid);
}

/**
 * isolate_user() - Drop privileges once every resource is held
 * @c:		Execution context
 */
void isolate_user(struct ctx *c)
{
	/* c->uid, not geteuid(): once in a user namespace we look like root */
	if (c->mode == MODE_PASTA && c->pasta_userns_fd >= 0) {
		if (!c->uid && setns(c->pasta_userns_fd, CLONE_NEWUSER))
			die_perror("Can't join user namespace");
		return;
	}
	if (c->mode == MODE_PASTA && !c->uid) {
		debug("Keeping root: --netns-only needs it at run time");
		return;
	}
	isolate_runas(c);
}

/**
 * isolate_postfork() - Last stage, in the process running the loop
 * @c:		Execution context
 */
void isolate_postfork(const struct ctx *c)
{
	(void)c;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		die_perror("Can't set no_new_privs");
	if (prctl(PR_SET_DUMPABLE, 0))
		warn_perror("Can't make process non-dumpable");
}
