#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# seccomp.sh - Build seccomp.h, the seccomp BPF filters, from #syscalls
#
# Usage: seccomp.sh OUTPUT SOURCE...
#
# Environment:
#	CC	compiler for the build's target (default: cc); CFLAGS too, so
#		that "-m32" or "--target=..." select the target's numbers
#
# Every function that makes a system call once the filter is installed says
# so in its kernel-doc comment, on a line of its own:
#	 * #syscalls[:passt|:pasta] name[|alternative...] ...
# Without a mode, the calls are allowed to both; ":passt" and ":pasta" limit
# them to one. "a|b" names one call that is either a or b depending on the
# architecture or C library (epoll_pwait|epoll_wait, newfstatat|fstatat64):
# every alternative the target has is allowed, and if it has none of them
# the build fails. A plain name the target lacks fails the build too, naming
# the call and the file: nothing is dropped silently.
#
# Numbers come from the target's <asm/unistd.h> through the preprocessor, so
# a cross-build gets the target's own. OUTPUT holds, per mode:
#	- seccomp_filter_passt[], seccomp_filter_pasta[]: the programs;
#	- SECCOMP_PASST_NRS, SECCOMP_PASTA_NRS: the allowed numbers, sorted;
#	- SECCOMP_PASST_CNT, SECCOMP_PASTA_CNT: how many there are;
# and SECCOMP_AUDIT_ARCH. Each program:
#	1. loads the architecture: anything but the target's is killed (on
#	   x86_64 an i386 call through "int $0x80" reports AUDIT_ARCH_I386);
#	2. loads the number: on x86_64, numbers with the x32 bit set are
#	   killed;
#	3. walks a balanced tree of "number >= pivot" jumps down to one
#	   "number == allowed" test: at most log2(n) + 1 comparisons;
#	4. allows, or applies SECCOMP_DEFAULT_ACTION: kill the process, unless
#	   the build defines it otherwise (the ASan build logs instead: its
#	   run-time makes calls the daemon doesn't, see Makefile).
# The script prints how many calls each mode allows.

set -eu

if [ $# -lt 2 ]; then
	echo "Usage: $0 OUTPUT SOURCE..." >&2
	exit 2
fi

OUT="$1"
shift
CC="${CC:-cc}"
CFLAGS="${CFLAGS:-}"
TMP="$(mktemp -d)"
trap 'rm -rf "${TMP}"' EXIT

# die() - Print an error and fail
# $*:	message
die() {
	echo "seccomp.sh: $*" >&2
	exit 1
}

# collect() - Print "MODE FILE:LINE NAME[|ALT...]" for each annotation
# $@:	source files
collect() {
	awk '
	/^[ \t]*\*[ \t]*#syscalls/ {
		line = $0
		sub(/^[ \t]*\*[ \t]*#syscalls/, "", line)
		mode = "all"
		if (line ~ /^:/) {
			mode = line
			sub(/[ \t].*$/, "", mode)
			line = substr(line, length(mode) + 1)
			mode = substr(mode, 2)
		}
		where = FILENAME ":" FNR
		if (mode != "all" && mode != "passt" && mode != "pasta") {
			print where ": unknown mode \"" mode "\"" > "/dev/stderr"
			bad = 1
		}
		n = split(line, w, /[ \t]+/)
		found = 0
		for (i = 1; i <= n; i++) {
			if (w[i] == "")
				continue
			if (w[i] !~ /^[a-z0-9_]+(\|[a-z0-9_]+)*$/) {
				print where ": bad system call name \"" w[i] \
				      "\"" > "/dev/stderr"
				bad = 1
			}
			print mode, where, w[i]
			found = 1
		}
		if (!found) {
			print where ": #syscalls names no call" > "/dev/stderr"
			bad = 1
		}
	}
	END { exit bad }' "$@"
}

# arch() - Print the AUDIT_ARCH_* name of the compiler's target
arch() {
	# shellcheck disable=SC2086 # word splitting intended
	${CC} ${CFLAGS} -dM -E -x c /dev/null | awk '
	{ d[$2] = ($3 == "" ? 1 : $3) }
	END {
		if (d["__x86_64__"] && d["__ILP32__"])	a = "X86_64 x32"
		else if (d["__x86_64__"])		a = "X86_64"
		else if (d["__i386__"])			a = "I386"
		else if (d["__aarch64__"] && d["__AARCH64EB__"])
							a = "AARCH64BE"
		else if (d["__aarch64__"])		a = "AARCH64"
		else if (d["__arm__"] && d["__ARMEB__"]) a = "ARMEB"
		else if (d["__arm__"])			a = "ARM"
		else if (d["__riscv"] && d["__riscv_xlen"] == 64)
							a = "RISCV64"
		else if (d["__powerpc64__"] && d["__LITTLE_ENDIAN__"])
							a = "PPC64LE"
		else if (d["__powerpc64__"])		a = "PPC64"
		else if (d["__s390x__"])		a = "S390X"
		else if (d["__loongarch64"])		a = "LOONGARCH64"
		print a
	}'
}

# resolve() - Print "NAME NUMBER" for each name the target defines
# $@:	names
resolve() {
	{
		echo '#include <asm/unistd.h>'
		for name in "$@"; do
			echo "SECCOMP_NR ${name} __NR_${name}"
		done
	} > "${TMP}/nr.c"
	# shellcheck disable=SC2086 # word splitting intended
	${CC} ${CFLAGS} -E -P "${TMP}/nr.c" > "${TMP}/nr.i" ||
		die "can't preprocess <asm/unistd.h> with ${CC}"
	sed -n 's/^SECCOMP_NR //p' "${TMP}/nr.i" |
	while read -r name expr; do
		case "${expr}" in
		*__NR_*) continue ;;	# not on this target
		*[!0-9a-fA-Fx\ \(\)+-]*)
			die "can't evaluate __NR_${name}: ${expr}" ;;
		esac
		# shellcheck disable=SC2004 # expanded as text: "(0x40 + 1)"
		echo "${name} $((${expr}))"
	done
}

# select_calls() - Print "MODE NUMBER NAME WHERE" for each allowed call
# $1:	annotations, from collect()
# $2:	numbers, from resolve()
select_calls() {
	awk -v nrfile="$2" '
	BEGIN { while ((getline l < nrfile) > 0) { split(l, f, " "); nr[f[1]] = f[2] } }
	{
		n = split($3, alt, "|")
		found = 0
		for (i = 1; i <= n; i++) {
			if (!(alt[i] in nr))
				continue
			print $1, nr[alt[i]], alt[i], $2
			found = 1
		}
		if (found)
			next
		if (n > 1)
			print $2 ": none of " $3 " exists on this target" \
			      > "/dev/stderr"
		else
			print $2 ": system call " $3 " doesn'"'"'t exist on " \
			      "this target" > "/dev/stderr"
		bad = 1
	}
	END { exit bad }' "$1"
}

# program() - Print one mode's filter, its numbers and count as C
# $1:	mode, "passt" or "pasta"
# $2:	calls, from select_calls()
# $3:	AUDIT_ARCH_* suffix, then "x32" for the x32 ABI
program() {
	awk -v mode="$1" '$1 == "all" || $1 == mode { print $2, $3 }' "$2" |
		sort -n -u -k1,1 > "${TMP}/$1"
	[ -s "${TMP}/$1" ] || die "no system calls annotated for $1"
	awk -v mode="$1" -v arch="$3" '
	BEGIN { n = 0 }
	{ nr[n] = $1; name[n] = $2; n++ }

	function out(s) { printf "\t%s\n", s }

	function jump(op, k, jt, jf) {
		if (jt > 255 || jf > 255) {
			print "seccomp.sh: program too long for BPF jumps" \
			      > "/dev/stderr"
			bad = 1
		}
		out(sprintf("BPF_JUMP(BPF_JMP | %s | BPF_K, %s, %d, %d),",
			    op, k, jt, jf))
		pos++
	}

	# Instructions of a tree over cnt numbers: one per number, one
	# per pivot
	function size(cnt) { return 2 * cnt - 1 }

	function tree(lo, hi,	mid) {
		if (lo == hi) {
			jump("BPF_JEQ", nr[lo], allow - pos - 1,
			     dflt - pos - 1)
			return
		}
		mid = int((lo + hi + 1) / 2)
		jump("BPF_JGE", nr[mid], size(mid - lo), 0)
		tree(lo, mid - 1)
		tree(mid, hi)
	}

	END {
		split(arch, a, " ")
		x32 = (a[1] == "X86_64" && a[2] != "x32")
		printf "/* %s: %d system calls:", mode, n
		col = 80
		for (i = 0; i < n; i++) {
			if (col + length(name[i]) + 1 > 76) {
				printf "\n *"
				col = 2
			}
			printf " %s", name[i]
			col += length(name[i]) + 1
		}
		printf "\n */\n"
		printf "#define SECCOMP_%s_CNT %d\n", toupper(mode), n
		printf "#define SECCOMP_%s_NRS", toupper(mode)
		for (i = 0; i < n; i++)
			printf "%s%d%s", (i % 10 ? " " : " \\\n\t"), nr[i],
			       (i < n - 1 ? "," : "")
		printf "\n\nstatic const struct sock_filter "
		printf "seccomp_filter_%s[] = {\n", mode
		out("BPF_STMT(BPF_LD | BPF_W | BPF_ABS,")
		out("\t offsetof(struct seccomp_data, arch)),")
		out("BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_AUDIT_ARCH, 1, 0),")
		out("BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),")
		out("BPF_STMT(BPF_LD | BPF_W | BPF_ABS,")
		out("\t offsetof(struct seccomp_data, nr)),")
		pos = 4
		if (x32) {
			out("/* x32 ABI: the same architecture, another ABI */")
			out("BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1),")
			out("BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),")
			pos += 2
		}
		dflt = pos + size(n)
		allow = dflt + 1
		tree(0, n - 1)
		out("BPF_STMT(BPF_RET | BPF_K, SECCOMP_DEFAULT_ACTION),")
		out("BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),")
		printf "};\n\n"
		exit bad
	}' "${TMP}/$1"
}

ARCH="$(arch)"
[ -n "${ARCH}" ] || die "unknown target architecture for ${CC} ${CFLAGS}"

collect "$@" > "${TMP}/annotations" || die "bad #syscalls annotations"
# shellcheck disable=SC2046 # one word per name intended
resolve $(awk '{ print $3 }' "${TMP}/annotations" | tr '|' '\n' |
	  sort -u) > "${TMP}/numbers"
select_calls "${TMP}/annotations" "${TMP}/numbers" > "${TMP}/calls" ||
	die "system calls missing on ${ARCH% *}: see above"

{
	cat <<EOF
/* SPDX-License-Identifier: GPL-2.0-or-later */
/* seccomp.h - seccomp BPF filters for ${ARCH% *}, generated by seccomp.sh
 * from the annotations in the sources: don't edit
 */

#ifndef SECCOMP_H
#define SECCOMP_H

#include <stddef.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#ifndef SECCOMP_DEFAULT_ACTION
#define SECCOMP_DEFAULT_ACTION	SECCOMP_RET_KILL_PROCESS
#endif

#define SECCOMP_AUDIT_ARCH	AUDIT_ARCH_${ARCH% *}

EOF
	program passt "${TMP}/calls" "${ARCH}"
	program pasta "${TMP}/calls" "${ARCH}"
	echo '#endif /* SECCOMP_H */'
} > "${TMP}/out"
mv "${TMP}/out" "${OUT}"

echo "seccomp.sh: ${OUT} for ${ARCH% *}:" \
     "passt $(wc -l < "${TMP}/passt") system calls," \
     "pasta $(wc -l < "${TMP}/pasta")"
