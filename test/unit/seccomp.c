/* UNIT_SRCS: */
// SPDX-License-Identifier: GPL-2.0-or-later
/* test/unit/seccomp.c - The generated filters (seccomp.h), run two ways
 *
 * 1. Through a small interpreter of the classic BPF the generator emits,
 *    for every number below SECCOMP_NR_CHECKED: allowed exactly when listed,
 *    default action otherwise; a foreign architecture or (x86_64) the x32
 *    bit is killed; the search takes about log2(n) comparisons.
 * 2. Loaded into the kernel, one child per call: a call outside the list
 *    (execve, openat, ptrace, mount) ends the child with SIGSYS, an allowed
 *    one works, and on x86_64 an i386 call ("int $0x80", AUDIT_ARCH_I386)
 *    and an x32 one are killed too. Children leave by exit_group directly:
 *    the C library's exit path may make calls the filter refuses.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "seccomp.h"
#include "unit.h"

#define SECCOMP_NR_CHECKED	1024	/* All numbers below are run */
#define SECCOMP_STEPS_MAX	(6 + 2 + 10)	/* Head, tail, log2(1024) */

/**
 * struct seccomp_mode - One generated filter with its list
 * @name:	Mode name
 * @filter:	Program
 * @len:	Instructions in @filter
 * @nrs:	Allowed numbers, ascending
 * @cnt:	Entries in @nrs
 */
struct seccomp_mode {
	const char *name;
	const struct sock_filter *filter;
	unsigned short len;
	const unsigned *nrs;
	unsigned cnt;
};

static const unsigned nrs_passt[] = { SECCOMP_PASST_NRS };
static const unsigned nrs_pasta[] = { SECCOMP_PASTA_NRS };

static const struct seccomp_mode modes[] = {
	{ "passt", seccomp_filter_passt,
	  sizeof(seccomp_filter_passt) / sizeof(struct sock_filter),
	  nrs_passt, SECCOMP_PASST_CNT },
	{ "pasta", seccomp_filter_pasta,
	  sizeof(seccomp_filter_pasta) / sizeof(struct sock_filter),
	  nrs_pasta, SECCOMP_PASTA_CNT },
};

/**
 * bpf_load() - Load a 32-bit word of struct seccomp_data
 * @d:		Data
 * @off:	Offset, bytes
 *
 * Return: the word, or 0xffffffff for an offset this test doesn't expect
 */
static uint32_t bpf_load(const struct seccomp_data *d, uint32_t off)
{
	if (off == offsetof(struct seccomp_data, nr))
		return (uint32_t)d->nr;
	if (off == offsetof(struct seccomp_data, arch))
		return d->arch;
	return 0xffffffff;
}

/**
 * bpf_run() - Run a program the way the kernel would, on the subset used
 * @m:		Mode with its program
 * @d:		Data
 * @steps:	Instructions executed (output)
 *
 * Return: the action returned, 0xffffffff on a malformed program
 */
static uint32_t bpf_run(const struct seccomp_mode *m,
			const struct seccomp_data *d, unsigned *steps)
{
	uint32_t a = 0, pc = 0;

	for (*steps = 1; pc < m->len; (*steps)++) {
		const struct sock_filter *f = &m->filter[pc];

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			a = bpf_load(d, f->k);
			pc++;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
			pc += 1 + (a == f->k ? f->jt : f->jf);
			break;
		case BPF_JMP | BPF_JGE | BPF_K:
			pc += 1 + (a >= f->k ? f->jt : f->jf);
			break;
		case BPF_RET | BPF_K:
			return f->k;
		default:
			return 0xffffffff;
		}
	}
	return 0xffffffff;
}

/**
 * listed() - Check whether a number is in a mode's list
 * @m:		Mode
 * @nr:		System call number
 *
 * Return: true if listed
 */
static bool listed(const struct seccomp_mode *m, unsigned nr)
{
	unsigned i;

	for (i = 0; i < m->cnt; i++) {
		if (m->nrs[i] == nr)
			return true;
	}
	return false;
}

/**
 * test_interpret() - Every number, the foreign architectures, the x32 bit
 * @m:		Mode
 */
static void test_interpret(const struct seccomp_mode *m)
{
	static const uint32_t foreign[] = {
		AUDIT_ARCH_I386, AUDIT_ARCH_X86_64, AUDIT_ARCH_AARCH64,
		AUDIT_ARCH_ARM, AUDIT_ARCH_PPC64LE, AUDIT_ARCH_S390X,
	};
	bool ok = true, arch_ok = true, sorted = true;
	struct seccomp_data d = { .arch = SECCOMP_AUDIT_ARCH };
	unsigned nr, i, steps, max_steps = 0;
	char desc[128];
	uint32_t ret;

	for (i = 1; i < m->cnt; i++)
		sorted = sorted && m->nrs[i - 1] < m->nrs[i];
	snprintf(desc, sizeof(desc), "%s: %u calls, sorted, at most %u",
		 m->name, m->cnt, SECCOMP_NR_CHECKED);
	unit_check(sorted && m->cnt > 10 && m->cnt < SECCOMP_NR_CHECKED &&
		   m->nrs[m->cnt - 1] < SECCOMP_NR_CHECKED, desc);

	for (nr = 0; nr < SECCOMP_NR_CHECKED; nr++) {
		d.nr = (int)nr;
		ret = bpf_run(m, &d, &steps);
		if (steps > max_steps)
			max_steps = steps;
		if (ret != (listed(m, nr) ? SECCOMP_RET_ALLOW
					  : SECCOMP_RET_KILL_PROCESS)) {
			printf("# %s: number %u: action %#x\n", m->name, nr,
			       ret);
			ok = false;
		}
		for (i = 0; i < sizeof(foreign) / sizeof(foreign[0]); i++) {
			if (foreign[i] == SECCOMP_AUDIT_ARCH)
				continue;
			d.arch = foreign[i];
			arch_ok = arch_ok && bpf_run(m, &d, &steps) ==
					     SECCOMP_RET_KILL_PROCESS;
			d.arch = SECCOMP_AUDIT_ARCH;
		}
	}
	snprintf(desc, sizeof(desc), "%s: exactly the listed numbers allowed",
		 m->name);
	unit_check(ok, desc);
	snprintf(desc, sizeof(desc), "%s: other architectures killed",
		 m->name);
	unit_check(arch_ok, desc);
	snprintf(desc, sizeof(desc), "%s: binary search, %u steps at most",
		 m->name, max_steps);
	unit_check(max_steps <= SECCOMP_STEPS_MAX, desc);

	if (SECCOMP_AUDIT_ARCH == AUDIT_ARCH_X86_64) {
		d.nr = (int)(0x40000000U | m->nrs[0]);
		snprintf(desc, sizeof(desc), "%s: x32 number %#x killed",
			 m->name, (unsigned)d.nr);
		unit_check(bpf_run(m, &d, &steps) == SECCOMP_RET_KILL_PROCESS,
			   desc);
	}
}

/**
 * child_exit() - Leave a child process with one system call
 * @status:	Exit status
 */
static void child_exit(int status)
{
	syscall(SYS_exit_group, status);
}

/**
 * child_filter() - In a child: install a mode's filter
 * @m:		Mode
 */
static void child_filter(const struct seccomp_mode *m)
{
	struct sock_fprog prog = {
		.len = m->len, .filter = (struct sock_filter *)m->filter,
	};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog))
		child_exit(2);
}

/**
 * call_execve() - execve("/bin/true"), forbidden
 *
 * Return: what the call returned, if it returned
 */
static long call_execve(void)
{
	static char *const argv[] = { "true", NULL };

	return syscall(SYS_execve, "/bin/true", argv, NULL);
}

/**
 * call_openat() - openat("/"), forbidden
 *
 * Return: what the call returned, if it returned
 */
static long call_openat(void)
{
	return syscall(SYS_openat, AT_FDCWD, "/", O_RDONLY);
}

/**
 * call_ptrace() - ptrace(PTRACE_TRACEME), forbidden
 *
 * Return: what the call returned, if it returned
 */
static long call_ptrace(void)
{
	return syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0);
}

/**
 * call_mount() - mount() of a tmpfs, forbidden
 *
 * Return: what the call returned, if it returned
 */
static long call_mount(void)
{
	return syscall(SYS_mount, "none", "/mnt", "tmpfs", 0, NULL);
}

#if defined(__x86_64__) && !defined(__ILP32__)
/**
 * call_i386() - getpid() through the i386 ABI ("int $0x80")
 *
 * Return: what the call returned, if it returned
 */
static long call_i386(void)
{
	long ret = 20;	/* __NR_getpid on i386 */

	__asm__ volatile("int $0x80" : "+a"(ret) : : "memory");
	return ret;
}

/**
 * call_x32() - getpid() through the x32 ABI (x32 bit set)
 *
 * Return: what the call returned, if it returned
 */
static long call_x32(void)
{
	return syscall(0x40000000L | SYS_getpid);
}
#endif

/**
 * run_child() - Fork, install a filter, make one call, report how it ended
 * @m:		Mode
 * @call:	Call to make
 *
 * Return: the wait status of the child
 */
static int run_child(const struct seccomp_mode *m, long (*call)(void))
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		child_filter(m);
		call();
		child_exit(0);	/* Survived */
	}
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

/**
 * check_killed() - Check that a call kills the process with SIGSYS
 * @m:		Mode
 * @call:	Call
 * @what:	Its description
 */
static void check_killed(const struct seccomp_mode *m, long (*call)(void),
			 const char *what)
{
	int status = run_child(m, call);
	char desc[128];

	snprintf(desc, sizeof(desc), "%s: %s kills with SIGSYS", m->name, what);
	unit_check(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS, desc);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGSYS)
		printf("# wait status %#x\n", status);
}

/**
 * check_allowed() - Allowed calls work: sched_yield(), write() to a pipe
 * @m:		Mode
 */
static void check_allowed(const struct seccomp_mode *m)
{
	char buf[16] = { 0 }, desc[128];
	int p[2], status = -1;
	pid_t pid;

	if (pipe(p))
		return;
	fflush(stdout);
	pid = fork();
	if (!pid) {
		child_filter(m);
		if (syscall(SYS_sched_yield))
			child_exit(3);
		syscall(SYS_write, p[1], "allowed", strlen("allowed"));
		child_exit(0);
	}
	close(p[1]);
	if (pid > 0) {
		if (read(p[0], buf, sizeof(buf) - 1) < 0)
			buf[0] = 0;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	close(p[0]);
	snprintf(desc, sizeof(desc), "%s: sched_yield and write work", m->name);
	unit_check(WIFEXITED(status) && !WEXITSTATUS(status) &&
		   !strcmp(buf, "allowed"), desc);
}

/**
 * test_kernel() - Load a mode's filter in children, one call each
 * @m:		Mode
 */
static void test_kernel(const struct seccomp_mode *m)
{
	check_allowed(m);
	check_killed(m, call_execve, "execve");
	check_killed(m, call_openat, "openat");
	check_killed(m, call_ptrace, "ptrace");
	check_killed(m, call_mount, "mount");
#if defined(__x86_64__) && !defined(__ILP32__)
	check_killed(m, call_i386, "i386 getpid (int $0x80)");
	check_killed(m, call_x32, "x32 getpid");
#endif
}

/**
 * main() - Run the checks for both modes
 *
 * Return: 0 if all checks passed
 */
int main(void)
{
	unsigned i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		test_interpret(&modes[i]);
		test_kernel(&modes[i]);
	}
	return unit_done();
}
