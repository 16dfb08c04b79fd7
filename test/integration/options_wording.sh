#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/options_wording.sh - Command line errors, word for word
#
# Launchers parse these messages: podman 5 retries without
# --map-guest-addr only if pasta says "unrecognized option
# '--map-guest-addr'" as getopt_long() words it. Each row of the table runs
# pasta or passt, started by name through PATH as launchers do (so the
# program name in the message is "pasta" or "passt"), with --pid first and
# a command that would leave a mark if spawned, and checks: standard error
# is exactly the expected line, standard output is empty, the exit status
# is 1, no PID file was written and no command ran. --help and --version
# exit 0 with their text on standard output only.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin

sandbox_create

BIN_DIR="${TMP}/bin"
mkdir -p "${BIN_DIR}"
ln -sf "${PASST}" "${BIN_DIR}/passt"
ln -sf "${PASST}" "${BIN_DIR}/pasta"
N=0

# run_named() - Run passt or pasta by name through PATH, in H1
# $1:	stdout file
# $2:	stderr file
# $3..:	program name and arguments
run_named() {
	local out="$1" err="$2"
	shift 2
	h1 env PATH="${BIN_DIR}:${PATH}" timeout 10 "$@" \
		> "${out}" 2> "${err}" < /dev/null
}

# row() - One row of the table: exact message, exit 1, nothing started
# $1:	expected standard error, one line
# $2:	program, pasta or passt
# $3..:	arguments after --pid FILE (a pasta command is appended unless the
#	last argument must stay last: then give "!" before the arguments)
row() {
	local want="$1" prog="$2" rc pid mark cmd=1
	shift 2
	N=$((N + 1))
	pid="${TMP}/pid.${N}"
	mark="${TMP}/ran.${N}"
	if [ "$1" = "!" ]; then
		cmd=0
		shift
	fi
	if [ "${prog}" = "pasta" ] && [ "${cmd}" -eq 1 ]; then
		run_named "${TMP}/out" "${TMP}/err" "${prog}" --pid "${pid}" \
			"$@" -- touch "${mark}"
	else
		run_named "${TMP}/out" "${TMP}/err" "${prog}" --pid "${pid}" "$@"
	fi
	rc=$?
	check_eq "${prog} $*: message" "$(cat "${TMP}/err")" "${want}"
	check_eq "${prog} $*: exit status" "${rc}" 1
	check "${prog} $*: nothing on stdout, no PID file, no command" \
		sh -c "! test -s '${TMP}/out' && ! test -e '${pid}' &&
		       ! test -e '${mark}'"
}

# ---- getopt_long()'s own words ----------------------------------------------

row "pasta: unrecognized option '--map-guest-addrx'" \
	pasta --map-guest-addrx 169.254.1.2
row "pasta: unrecognized option '--no-such-option'" pasta --no-such-option
row "pasta: unrecognized option '--no-such=1'" pasta --no-such=1
row "pasta: option requires an argument -- 't'" pasta ! -t
row "pasta: option '--map-guest-addr' requires an argument" \
	pasta ! --map-guest-addr
row "pasta: option '--tcp-ports' requires an argument" pasta ! --tcp-ports
row "pasta: invalid option -- 'z'" pasta -z
row "pasta: option '--quiet' doesn't allow an argument" pasta --quiet=1
row "passt: unrecognized option '--map-guest-addrx'" \
	passt --map-guest-addrx 169.254.1.2
row "passt: invalid option -- 'Y'" passt -Y
row "passt: option requires an argument -- 'm'" passt ! -m

# ---- Bad values: our own one line, naming the option ------------------------

row "Option --map-guest-addr: invalid value 'bogus': expected an IPv4 or IPv6 address" \
	pasta --map-guest-addr bogus
row "Option --map-guest-addr: invalid value '127.0.0.1': not a unicast address" \
	pasta --map-guest-addr 127.0.0.1
row "Option --map-host-loopback: invalid value '::1x': expected an IPv4 or IPv6 address" \
	pasta --map-host-loopback ::1x
row "Option -m/--mtu: invalid value 'abc': expected 0 or 68-65520" \
	pasta -m abc
row "Option -a/--address: invalid value '192.0.2.1/33': expected ADDRESS[/PREFIX]" \
	pasta -a 192.0.2.1/33
row "Option -t/--tcp-ports: invalid value '70000': port '70000' out of range (1-65535)" \
	pasta -t 70000
row "Option -u/--udp-ports: invalid value '10-5': range 10-5 is reversed" \
	pasta -u 10-5
row "Option -s/--socket is only valid for passt" pasta -s "${TMP}/s"
row "Option --config-net is only valid for pasta" passt --config-net

# ---- --help and --version --------------------------------------------------

for prog in pasta passt; do
	for opt in --help -h --version; do
		run_named "${TMP}/out" "${TMP}/err" "${prog}" "${opt}"
		rc=$?
		check_eq "${prog} ${opt}: exit status" "${rc}" 0
		check "${prog} ${opt}: text on stdout, nothing on stderr" \
			sh -c "test -s '${TMP}/out' && ! test -s '${TMP}/err'"
	done
	run_named "${TMP}/out" "${TMP}/err" "${prog}" --help
	check_grep "${prog} --help: lists --map-guest-addr" "${TMP}/out" \
		"--map-guest-addr ADDR\|none"
done

test_done
