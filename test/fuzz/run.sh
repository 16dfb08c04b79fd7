#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test/fuzz/run.sh - make fuzz: build each target for libFuzzer, run its
# regression inputs, then fuzz it for a bounded time
#
# Usage: test/fuzz/run.sh [TARGET...]		(default: every test/fuzz/*.c)
#
# Environment:
#	FUZZ_SECONDS	time per target (default 20)
#	FUZZ_CC		clang to build with (default clang)
#	FUZZ_JOBS	libFuzzer -jobs/-workers per target (default 1)
#
# Corpora grow in test/build/fuzz/corpus/TARGET (seeds from
# test/fuzz/seeds/TARGET); a crash leaves its input in test/build/fuzz/ and
# fails the run: fix it, and keep the input in test/fuzz/regress/TARGET/.
# One line per target: "ok - TARGET: N execs in S s (R/s)".
set -u
cd "$(dirname "$0")/../.." || exit 1
secs=${FUZZ_SECONDS:-20}
out=test/build/fuzz
fail=0
targets=${*:-$(basename -s .c test/fuzz/*.c)}
mkdir -p "$out"
for t in $targets; do
	bin="$out/lf_$t"
	if ! test/fuzz/build.sh libfuzzer "$t" "$bin" > "$bin.build.log" 2>&1
	then
		echo "not ok - $t: build failed"; cat "$bin.build.log"
		fail=1; continue
	fi
	regress=$(find "test/fuzz/regress/$t" -type f 2>/dev/null | sort)
	# shellcheck disable=SC2086
	if [ -n "$regress" ] && ! "$bin" $regress > "$bin.regress.log" 2>&1
	then
		echo "not ok - $t: regression input fails"
		tail -n 30 "$bin.regress.log"; fail=1; continue
	fi
	corpus="$out/corpus/$t"
	mkdir -p "$corpus"
	seeds=
	[ -d "test/fuzz/seeds/$t" ] && seeds="test/fuzz/seeds/$t"
	# shellcheck disable=SC2086
	"$bin" -max_total_time="$secs" -print_final_stats=1 -timeout=10 \
		-rss_limit_mb=4096 -artifact_prefix="$out/$t-" \
		"$corpus" $seeds > "$bin.log" 2>&1
	rc=$?
	n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$bin.log")
	r=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$bin.log")
	if [ $rc -ne 0 ]; then
		echo "not ok - $t: crash after ${n:-?} execs"
		grep -A 30 "^==.*ERROR\|runtime error\|^fuzz:\|^shim:" \
			"$bin.log" | head -n 40
		ls "$out/$t-"* 2>/dev/null
		fail=1
	else
		echo "ok - $t: ${n:-0} execs in $secs s (${r:-0}/s)"
	fi
done
exit $fail
