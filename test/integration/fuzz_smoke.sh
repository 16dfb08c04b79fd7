#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz_smoke.sh - Build every fuzz target standalone with ASan/UBSan and run
# a bounded number of random inputs through it: a crash or sanitiser report
# fails the test. Coverage-guided runs: see test/fuzz/README.md.
#
# Each test/fuzz/NAME.c names its sources on its first line:
#   /* FUZZ_SRCS: all */          every daemon source but passt.c
#   /* FUZZ_SRCS: a.c b.c */      just these
set -u
cd "$(dirname "$0")/../.." || exit 1
out=test/build/fuzz
mkdir -p "$out"
all_srcs=$(make -s -p 2>/dev/null | sed -n 's/^SRCS = //p' | head -n 1 |
	   tr ' ' '\n' | grep -v '^passt\.c$' | tr '\n' ' ')
iters=${FUZZ_ITERS:-5000}
fail=0
for f in test/fuzz/*.c; do
	name=$(basename "$f" .c)
	srcs=$(sed -n '1s|^/\* FUZZ_SRCS: \(.*\) \*/$|\1|p' "$f")
	[ "$srcs" = "all" ] && srcs=$all_srcs
	if [ -z "$srcs" ]; then
		echo "not ok - $name: no FUZZ_SRCS line"; fail=1; continue
	fi
	# shellcheck disable=SC2086
	if ! ${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -g -DFUZZ_STANDALONE \
	     -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	     -I. "$f" $srcs -o "$out/$name" \
	     > "$out/$name.build.log" 2>&1; then
		echo "not ok - $name: build failed"; cat "$out/$name.build.log"
		fail=1; continue
	fi
	if timeout 300 "$out/$name" "$iters" > "$out/$name.log" 2>&1; then
		echo "ok - $name: $iters inputs"
	else
		echo "not ok - $name"; tail -n 30 "$out/$name.log"; fail=1
	fi
done
exit $fail
