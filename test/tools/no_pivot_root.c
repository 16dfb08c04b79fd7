// SPDX-License-Identifier: GPL-2.0-or-later
/* no_pivot_root.c - Run a command where pivot_root() is refused
 *
 * Usage: no_pivot_root COMMAND [ARG]...
 *   Installs a seccomp filter that makes pivot_root() fail with EINVAL, as
 *   the kernel does where the root is the initial ramfs, and lets every
 *   other call through; then runs COMMAND. The filter is inherited across
 *   exec and fork, and can't be removed: the command sees a kernel that
 *   refuses pivot_root().
 *
 * Exit status: the command's; 1 if the filter can't be installed or the
 * command can't be run, 2 on usage errors.
 */

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

/**
 * main() - Install the filter, run the command
 * @argc:	Argument count
 * @argv:	Command and its arguments from argv[1]
 *
 * Return: 1 on failure, doesn't return otherwise
 */
int main(int argc, char **argv)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
			 offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_pivot_root, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EINVAL),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {
		.len = sizeof(code) / sizeof(code[0]),
		.filter = code,
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s COMMAND [ARG]...\n", argv[0]);
		return 2;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog)) {
		perror("no_pivot_root: can't install the filter");
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "no_pivot_root: can't run %s: %s\n", argv[1],
		strerror(errno));
	return 1;
}
