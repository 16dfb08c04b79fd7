#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/options.sh - Command line: help, version, bad values
#
# --help and --version exit 0 and print to standard output. An unknown
# option, a non-numeric or too large MTU, a malformed MAC address, a bad
# port specification, a pasta-only option given to passt and a passt-only
# one given to pasta each make the program exit non-zero with exactly one
# line on standard error. Everything runs in a sandbox with -f and a
# scratch socket path, so a value accepted by mistake shows up as a time-out
# rather than touching anything outside.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin

sandbox_create

# expect_ok() - Check that a command exits 0 with output on stdout only
# $1:	description
# $2..:	command
expect_ok() {
	local desc="$1" rc
	shift

	h1 timeout 10 "$@" > "${TMP}/out" 2> "${TMP}/err" < /dev/null
	rc=$?
	check_eq "${desc}: exit status" "${rc}" 0
	check "${desc}: prints to stdout" test -s "${TMP}/out"
	check "${desc}: nothing on stderr" sh -c "! test -s '${TMP}/err' ||
		{ cat '${TMP}/err'; false; }"
}

# expect_fail() - Check that a command exits non-zero with one stderr line
# $1:	description
# $2..:	command
expect_fail() {
	local desc="$1" rc lines
	shift

	h1 timeout 10 "$@" > "${TMP}/out" 2> "${TMP}/err" < /dev/null
	rc=$?
	if [ "${rc}" -eq 124 ]; then
		check_eq "${desc}: rejected (it kept running)" "${rc}" "non-zero"
		return
	fi
	check "${desc}: exits non-zero (got ${rc})" test "${rc}" -ne 0
	lines="$(wc -l < "${TMP}/err")"
	check_eq "${desc}: one line on stderr" "${lines}" 1 ||
		sed 's/^/    stderr: /' "${TMP}/err" | head -n 10
}

S="${TMP}/opt.sock"

expect_ok "passt --help" "${PASST}" --help
expect_ok "passt -h" "${PASST}" -h
expect_ok "passt --version" "${PASST}" --version
expect_ok "pasta --help" "${PASTA}" --help
expect_ok "pasta --version" "${PASTA}" --version

expect_fail "unknown long option" "${PASST}" -f -s "${S}" --no-such-option
expect_fail "unknown short option" "${PASST}" -f -s "${S}" -Y
expect_fail "-m abc" "${PASST}" -f -s "${S}" -m abc
expect_fail "-m 70000" "${PASST}" -f -s "${S}" -m 70000
expect_fail "-m 1500x" "${PASST}" -f -s "${S}" -m 1500x
expect_fail "-M 00:11" "${PASST}" -f -s "${S}" -M 00:11
expect_fail "-M 00:11:22:33:44:zz" "${PASST}" -f -s "${S}" \
	-M 00:11:22:33:44:zz
expect_fail "-t 70000" "${PASST}" -f -s "${S}" -t 70000
expect_fail "-t abc" "${PASST}" -f -s "${S}" -t abc
expect_fail "-u 10-5" "${PASST}" -f -s "${S}" -u 10-5
expect_fail "pasta-only --config-net to passt" "${PASST}" -f -s "${S}" \
	--config-net
expect_fail "pasta-only -I to passt" "${PASST}" -f -s "${S}" -I tap9
expect_fail "passt-only -s to pasta" "${PASTA}" -f -s "${S}" -- true
expect_fail "pasta -m abc" "${PASTA}" --config-net -m abc -- true
expect_fail "missing option argument" "${PASST}" -f -s

check "no socket left behind by rejected options" test ! -e "${S}"

test_done
