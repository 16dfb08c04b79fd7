#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/launch_qemu.sh - passt as qemu's "-netdev passt" runs it
#
# qemu 10's passt back-end makes a socketpair, creates an empty temporary
# PID file, and runs
#
#   passt --quiet --pid TMPFILE --fd 3
#
# with one end of the pair as descriptor 3 and its own standard streams
# inherited; it waits for the command to return (passt forks to the
# background), reads the PID from the file, then moves frames over its end
# of the pair. passt must exit once that end is closed.
#
# In a sandbox (see test/lib.sh), test/tools/passt_tap --spawn does exactly
# that from namespace G, its tap device playing the guest, with passt
# entering H1. Checked: the PID file names the running passt, nothing is
# printed (--quiet); bytes compared end to end, TCP and UDP, IPv4 and
# IPv6, out to H2 and in through --tcp-ports/--udp-ports (qemu's
# tcp-ports, udp-ports, which come between --quiet and --pid); rounds of
# parallel downloads filling qemu's socket, each byte for byte, also with
# the relay stopped (SIGSTOP) again and again meanwhile, as a loaded host
# deschedules qemu; the relay going away ends passt (bounded poll).

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout nsenter

ECHO="$(build_tool udp_echo)" || { echo "cannot build udp_echo"; exit 1; }
PT="$(build_tool passt_tap)" || { echo "cannot build passt_tap"; exit 1; }
DATA="${TMP}/data"
head -c $((1 << 20)) /dev/urandom > "${DATA}"

sandbox_create
ip -n "${H2}" addr add 2001:db8:1::1/128 dev lo
ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
guest_ns_create "pt-qf-$$" || exit 1
tcp_echo_server "${H2}" 7000
bg_start "${TMP}/h2u4.log" h2 "${ECHO}" server 198.51.100.1 7000
bg_start "${TMP}/h2u6.log" h2 "${ECHO}" server 2001:db8:1::1 7000
wait_port "${H2}" tcp 7000
wait_port "${H2}" udp 7000

PIDF="$(mktemp "${TMP}/passt-XXXXXX.pid")"
# h1 for H1's resolv.conf; the relay creates its tap in G, passt enters H1
# A small send buffer on passt's end (PASST_TAP_SNDBUF) cuts nearly every
# frame passt writes, as a slow reader would: the relay's pauses below then
# find a frame cut, and the rest has to wait for them to end
bg_start "${TMP}/qemu.log" h1 env PASST_TAP_SNDBUF=16384 \
	ip netns exec "${G}" "${PT}" --spawn tap0 \
	nsenter --net="/run/netns/${H1}" "${PASST}" --quiet \
	--tcp-ports 7100 --udp-ports 7101 --pid "${PIDF}" --fd 3
RELAY_JOB="${BG_PID}"
check "passt returned, the relay is up" wait_for ip -n "${G}" link show tap0 ||
	{ cat "${TMP}/qemu.log"; test_done; }
wait_for test -s "${PIDF}"
PASST_PID="$(cat "${PIDF}")"
check "the PID file names the running passt" kill -0 "${PASST_PID:-x}"
check_eq "--quiet: nothing printed" "$(cat "${TMP}/qemu.log")" ""

g sysctl -qw net.ipv6.conf.tap0.accept_ra=0
ip -n "${G}" link set tap0 mtu 65520 up
ip -n "${G}" addr add 192.0.2.1/24 dev tap0
ip -n "${G}" addr add 2001:db8::1/64 dev tap0 nodad
ip -n "${G}" route add default via 192.0.2.254 dev tap0
ip -n "${G}" -6 route add default via 2001:db8::fe dev tap0

check "TCP out to H2 over IPv4, 1 MiB echoed" \
	tcp_echo_ok "${G}" 198.51.100.1 7000 "${DATA}"
check "TCP out to H2 over IPv6, 1 MiB echoed" \
	tcp_echo_ok "${G}" "[2001:db8:1::1]" 7000 "${DATA}"
check "UDP out to H2 over IPv4, 200 datagrams echoed" \
	g timeout 30 "${ECHO}" client 198.51.100.1 7000 200 0
check "UDP out to H2 over IPv6, 200 datagrams echoed" \
	g timeout 30 "${ECHO}" client 2001:db8:1::1 7000 200 0

tcp_echo_server "${G}" 7100
bg_start "${TMP}/gu4.log" g "${ECHO}" server 0.0.0.0 7101
bg_start "${TMP}/gu6.log" g "${ECHO}" server :: 7101
wait_port "${G}" tcp 7100
wait_port "${G}" udp 7101
check "TCP in from H2 over IPv4, 1 MiB echoed" \
	tcp_echo_ok "${H2}" 192.0.2.1 7100 "${DATA}"
check "TCP in from H2 over IPv6, 1 MiB echoed" \
	tcp_echo_ok "${H2}" "[2001:db8::1]" 7100 "${DATA}"
check "UDP in from H2 over IPv4, 200 datagrams echoed" \
	h2 timeout 30 "${ECHO}" client 192.0.2.1 7101 200 0
check "UDP in from H2 over IPv6, 200 datagrams echoed" \
	h2 timeout 30 "${ECHO}" client 2001:db8::1 7101 200 0

# Several connections share qemu's socket: when it is full, passt must send
# the refused frames again even to a connection with nothing in flight
bg_start "${TMP}/src.log" h2 socat -t 30 TCP-LISTEN:7002,fork,reuseaddr \
	SYSTEM:"cat ${DATA}"
wait_port "${H2}" tcp 7002
RELAY_PID=""
for pid in $(lib_tree "${RELAY_JOB}"); do
	[ "$(cat "/proc/${pid}/comm" 2>/dev/null)" = passt_tap ] &&
		RELAY_PID="${pid}"
done

# downloads() - Rounds of 8 parallel downloads from H2, the relay paused
# $1:	file name prefix
# $2:	rounds
# $3:	"pause" to stop the relay again and again while the round runs
downloads() {
	local round i jobs_dl pauser k alive

	for round in $(seq "$2"); do
		jobs_dl=()
		for i in 1 2 3 4 5 6 7 8; do
			g timeout 30 socat -t 20 -u TCP:198.51.100.1:7002 \
				OPEN:"${TMP}/$1.${round}.${i}",creat,trunc &
			jobs_dl+=($!)
		done
		pauser=""
		if [ "$3" = pause ]; then
			# A stimulus, not a wait: each stop outlasts what
			# the daemon could afford to block for
			for k in $(seq 100); do
				alive=""
				for i in "${jobs_dl[@]}"; do
					kill -0 "${i}" 2>/dev/null && alive=1
				done
				[ -n "${alive}" ] || break
				kill -STOP "${RELAY_PID}"
				sleep 0.4
				kill -CONT "${RELAY_PID}"
				sleep 0.1
			done &
			pauser=$!
		fi
		wait "${jobs_dl[@]}"
		[ -n "${pauser}" ] && wait "${pauser}"
		kill -CONT "${RELAY_PID}" 2>/dev/null
	done
}

# downloads_intact() - Check every download against the source
# $1:	file name prefix
# $2:	rounds
# Return: 0 if all match; sizes and sums of the others on standard error
downloads_intact() {
	local want f i ret=0

	want="$(sha256sum < "${DATA}")"
	for f in $(seq "$2"); do
		for i in 1 2 3 4 5 6 7 8; do
			sum_is "${TMP}/$1.${f}.${i}" "${want}" || ret=1
		done
	done
	return "${ret}"
}

downloads dl 3 ""
check "3 rounds of 8 parallel 1 MiB downloads, all intact" \
	downloads_intact dl 3

# qemu descheduled on a loaded host stops reading for a while: passt's
# writes are cut mid-frame, and the rest of a cut frame must follow before
# anything else, however long qemu takes (the stream has no other framing:
# a frame given up half way makes the relay quit on a bogus length)
check "found the relay" test -n "${RELAY_PID}"
downloads paused 2 pause
check "2 rounds of 8 downloads, the relay stopped again and again, intact" \
	downloads_intact paused 2
check "the relay kept the stream framed (still running)" \
	kill -0 "${RELAY_PID:-x}"

bg_stop "${RELAY_JOB}"
WAIT_TRIES=100 WAIT_STEP=0.05 check "passt exits when qemu's end is closed" \
	wait_gone "${PASST_PID:-x}"

test_done
