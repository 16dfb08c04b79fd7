#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# fuzz_smoke.sh - Build every fuzz target standalone with ASan/UBSan, run
# its seeds and regression inputs once each, then a bounded number of random
# inputs: a crash or sanitiser report fails the test. Coverage-guided runs:
# make fuzz (test/fuzz/run.sh, test/fuzz/README.md).
set -u
cd "$(dirname "$0")/../.." || exit 1
out=test/build/fuzz
mkdir -p "$out"
iters=${FUZZ_ITERS:-2000}
fail=0
for f in test/fuzz/*.c; do
	name=$(basename "$f" .c)
	if ! test/fuzz/build.sh standalone "$name" "$out/$name" \
	     > "$out/$name.build.log" 2>&1; then
		echo "not ok - $name: build failed"; cat "$out/$name.build.log"
		fail=1; continue
	fi
	files=$(find "test/fuzz/seeds/$name" "test/fuzz/regress/$name" \
		-type f 2>/dev/null | sort)
	# shellcheck disable=SC2086
	if timeout 300 "$out/$name" "$iters" $files > "$out/$name.log" 2>&1
	then
		echo "ok - $name: $(tail -n 1 "$out/$name.log")"
	else
		echo "not ok - $name"; tail -n 30 "$out/$name.log"; fail=1
	fi
done
exit $fail
