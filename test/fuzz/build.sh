#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test/fuzz/build.sh - Build one fuzz target
#
# Usage: test/fuzz/build.sh standalone|libfuzzer NAME OUTPUT
#
# test/fuzz/NAME.c names its sources on its first line:
#   /* FUZZ_SRCS: all */		every daemon source but passt.c
#   /* FUZZ_SRCS: a.c b.c */		just these
# and may add harness files from test/fuzz/common/. With common/shim.c,
# the system calls it replaces are wrapped (-Wl,--wrap=NAME).
#
# standalone: $CC (default cc), -DFUZZ_STANDALONE, ASan and UBSan: the
# binary runs its own bounded loop (test/integration/fuzz_smoke.sh).
# libfuzzer: clang, -fsanitize=fuzzer,address,undefined (make fuzz).
set -eu
cd "$(dirname "$0")/../.."
mode=$1 name=$2 out=$3
src=test/fuzz/$name.c
srcs=$(sed -n '1s|^/\* FUZZ_SRCS: \(.*\) \*/$|\1|p' "$src")
[ -n "$srcs" ] || { echo "$src: no FUZZ_SRCS line" >&2; exit 1; }
if [ "${srcs%% *}" = "all" ]; then
	# Only print SRCS: "make -p" would also build the default goal,
	# replacing binaries that tests running next to us are using
	# shellcheck disable=SC2016 # Makefile syntax, expanded by make
	all=$(make -s --no-print-directory -f Makefile -f - print-srcs \
	      <<< 'print-srcs: ; @echo $(SRCS)' 2>/dev/null |
	      tr ' ' '\n' | grep -v '^passt\.c$' | tr '\n' ' ')
	srcs="$all ${srcs#all}"
fi
wrap=
case " $srcs " in
*" test/fuzz/common/shim.c "*)
	for f in socket close connect bind listen accept4 setsockopt \
		 getsockopt send sendto sendmsg sendmmsg recv recvfrom recvmsg \
		 recvmmsg read writev shutdown timerfd_create timerfd_settime \
		 clock_gettime epoll_ctl fcntl poll; do
		wrap="$wrap,--wrap=$f"
	done
	wrap="-Wl$wrap"
	;;
esac
flags="-std=c11 -D_GNU_SOURCE -g -I. -Itest/fuzz/common"
# shellcheck disable=SC2086
case $mode in
standalone)
	# Daemon sources (top level) don't depend on the target: compile
	# them once per tree state and flags, in a directory named by a hash
	# of both, and link each target against those objects
	sflags="$flags -O1 -fsanitize=address,undefined \
		-fno-sanitize-recover=undefined"
	key=$( (echo "${CC:-cc} $sflags"; cat ./*.c ./*.h) | sha256sum |
	      cut -c1-16)
	objdir=test/build/fuzz/obj-$key
	mkdir -p "$objdir"
	objs= rest=
	for f in $srcs; do
		case $f in
		*/*)	rest="$rest $f"; continue ;;
		esac
		o=$objdir/${f%.c}.o
		if [ ! -e "$o" ]; then
			# shellcheck disable=SC2086 # word splitting intended
			${CC:-cc} $sflags -c "$f" -o "$o.tmp.$$" &&
				mv "$o.tmp.$$" "$o"
		fi
		objs="$objs $o"
	done
	# shellcheck disable=SC2086 # word splitting intended
	${CC:-cc} $sflags -DFUZZ_STANDALONE "$src" $rest $objs $wrap -o "$out"
	;;
libfuzzer)
	${FUZZ_CC:-clang} $flags -O1 -fsanitize=fuzzer,address,undefined \
		-fsanitize-coverage-ignorelist=test/fuzz/common/nocov.txt \
		-fno-sanitize-recover=undefined "$src" $srcs $wrap -o "$out"
	;;
*)
	echo "Usage: $0 standalone|libfuzzer NAME OUTPUT" >&2
	exit 2
	;;
esac
