#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/seccomp_gen.sh - seccomp.sh for another target, and its
# build errors
#
# Generates the filters of the real sources for aarch64 (clang's
# --target with Debian's linux-libc-dev-arm64-cross headers, which test/setup
# installs) and checks that they carry aarch64's architecture and numbers
# (read 63, epoll_pwait 22, no x32 check), with as many calls per mode as
# on the build machine. Then feeds seccomp.sh annotations it must refuse,
# each with a message naming the file and line: a call the target lacks
# (epoll_wait on aarch64, a made-up name on x86_64), alternatives none of
# which exists, an unknown mode; and checks that "a|b" takes every
# alternative the target has.

. "$(dirname "$0")/../lib.sh"

need_cmd clang cc

A64_INC=/usr/aarch64-linux-gnu/include
A64_CC="clang --target=aarch64-linux-gnu -isystem ${A64_INC}"
# shellcheck disable=SC2016 # Makefile syntax, expanded by make
SRCS="$(cd "${TEST_TOP}" && make -s --no-print-directory -f Makefile -f - \
	print-srcs <<< 'print-srcs: ; @echo $(SRCS) $(HDRS)')"

# gen() - Run seccomp.sh from the top directory
# $1:	compiler
# $2:	output
# $3..:	sources
gen() {
	local cc="$1" out="$2"
	shift 2

	(cd "${TEST_TOP}" && CC="${cc}" CFLAGS='' ./seccomp.sh "${out}" "$@")
}

# count() - Print the number of calls a generated header allows a mode
# $1:	header
# $2:	PASST or PASTA
count() {
	sed -n "s/^#define SECCOMP_$2_CNT \\([0-9]*\\)$/\\1/p" "$1"
}

# allows() - Check that a mode's list in a header holds a number
# $1:	header
# $2:	PASST or PASTA
# $3:	number
allows() {
	sed -n "/^#define SECCOMP_$2_NRS/,/^\$/p" "$1" | tr -s ' ,\\\t' '\n' |
		grep -qx "$3"
}

check "aarch64 headers installed (linux-libc-dev-arm64-cross)" \
	test -e "${A64_INC}/asm/unistd.h" || test_done

# shellcheck disable=SC2086 # word splitting intended
check "real sources: x86_64 filters generated" \
	gen cc "${TMP}/x86.h" ${SRCS}
# shellcheck disable=SC2086 # word splitting intended
check "real sources: aarch64 filters generated" \
	gen "${A64_CC}" "${TMP}/a64.h" ${SRCS}
check_grep "aarch64: AUDIT_ARCH_AARCH64" "${TMP}/a64.h" \
	"^#define SECCOMP_AUDIT_ARCH[[:space:]]+AUDIT_ARCH_AARCH64$"
check "aarch64: no x32 check" sh -c "! grep -q 0x40000000 '${TMP}/a64.h'"
check "aarch64: read is 63 (passt)" allows "${TMP}/a64.h" PASST 63
check "aarch64: epoll_pwait is 22 (pasta)" allows "${TMP}/a64.h" PASTA 22
check "x86_64: read is 0, epoll_pwait 281 (passt)" \
	sh -c "$(declare -f allows); allows '${TMP}/x86.h' PASST 0 &&
	       allows '${TMP}/x86.h' PASST 281"
check_eq "passt: as many calls on aarch64 as on x86_64" \
	"$(count "${TMP}/a64.h" PASST)" "$(count "${TMP}/x86.h" PASST)"
check_eq "pasta: as many calls on aarch64 as on x86_64" \
	"$(count "${TMP}/a64.h" PASTA)" "$(count "${TMP}/x86.h" PASTA)"
check "aarch64 header compiles" \
	sh -c "echo '#include \"${TMP}/a64.h\"
int main(void) { return sizeof(seccomp_filter_pasta) > 0 ? 0 : 1; }' |
	       ${A64_CC} -std=c11 -Wall -Wextra -Werror -fsyntax-only -x c -"

# Annotations seccomp.sh must refuse, and alternatives it must resolve
printf '/**\n * f() - one\n *\n * #syscalls read epoll_wait\n */\n' \
	> "${TMP}/lacks.c"
gen "${A64_CC}" "${TMP}/out.h" "${TMP}/lacks.c" > "${TMP}/lacks.log" 2>&1
check_eq "aarch64: epoll_wait refused" "$?" 1
check_grep "aarch64: the message names file, line and call" \
	"${TMP}/lacks.log" "lacks\\.c:4: system call epoll_wait doesn't exist"

printf '/**\n * f() - one\n *\n * #syscalls:pasta read nosuchcall\n */\n' \
	> "${TMP}/bogus.c"
gen cc "${TMP}/out.h" "${TMP}/bogus.c" > "${TMP}/bogus.log" 2>&1
check_eq "x86_64: unknown call refused" "$?" 1
check_grep "x86_64: the message names it" "${TMP}/bogus.log" \
	"bogus\\.c:4: system call nosuchcall doesn't exist"

printf '/**\n * f() - one\n *\n * #syscalls read nosuch|nosuch2\n */\n' \
	> "${TMP}/none.c"
gen cc "${TMP}/out.h" "${TMP}/none.c" > "${TMP}/none.log" 2>&1
check_eq "alternatives, none existing: refused" "$?" 1
check_grep "alternatives: the message names them" "${TMP}/none.log" \
	"none\\.c:4: none of nosuch\\|nosuch2 exists"

printf '/**\n * f() - one\n *\n * #syscalls:qemu read\n */\n' > "${TMP}/mode.c"
gen cc "${TMP}/out.h" "${TMP}/mode.c" > "${TMP}/mode.log" 2>&1
check_eq "unknown mode refused" "$?" 1
check_grep "unknown mode: the message names it" "${TMP}/mode.log" \
	"mode\\.c:4: unknown mode \"qemu\""

printf '/**\n * f() - one\n *\n * #syscalls epoll_wait|epoll_pwait\n */\n' \
	> "${TMP}/alt.c"
check "alternatives: generated for x86_64" gen cc "${TMP}/alt_x86.h" \
	"${TMP}/alt.c"
check "alternatives: x86_64 has both (232, 281)" \
	sh -c "$(declare -f allows); allows '${TMP}/alt_x86.h' PASST 232 &&
	       allows '${TMP}/alt_x86.h' PASTA 281"
check "alternatives: generated for aarch64" gen "${A64_CC}" \
	"${TMP}/alt_a64.h" "${TMP}/alt.c"
check_eq "alternatives: aarch64 has epoll_pwait only" \
	"$(count "${TMP}/alt_a64.h" PASST)" 1

test_done
