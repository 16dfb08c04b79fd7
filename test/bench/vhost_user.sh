#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test/bench/vhost_user.sh - passt's VM paths without a VM: vhost-user, stream
#
# The daemon itself is measured, not a guest: passt -f runs in h1 (lib.sh's
# sandbox), and a front-end in the namespace BENCH_NS bridges passt to a tap
# there, so the namespace's kernel plays the guest (iperf3 client), with
# the server in h2 (198.51.100.1). Setups (the "setup" field of the
# results):
#
#   vu_offl    passt --vhost-user, test/tools/vu_client with every offload
#              it knows (CSUM, GUEST_CSUM, HOST_TSO4/6, GUEST_TSO4/6,
#              MRG_RXBUF, EVENT_IDX): 64 KiB TSO frames both ways where
#              the daemon accepts them
#   vu_nooffl  the same with vu_client --no-offload: MTU-sized frames with
#              complete checksums
#   vu_stream  passt on its stream socket (qemu's framing), through
#              test/tools/passt_tap
#
# Metrics, per guest MTU M of BENCH_MTUS (the namespace's tap gets it,
# passt gets -m M); the h1-h2 veth, passt's host link to the server, keeps
# BENCH_HOST_MTU whatever M is, so that only the guest's MTU varies:
#
#   vu_out_<M>      iperf3, namespace -> h2, Gbit/s
#   vu_in_<M>       iperf3 -R, h2 -> namespace, Gbit/s
#   vu_*_<M>_cpu    passt's user + system time (/proc/PID/stat) during the
#                   run, seconds per Gbit moved
#   vu_*_<M>_retr   sender's TCP retransmissions in the run
#   vu_load_<M>     1-minute load average as the setup started
#   vu_out_<F>_paced  vu_offl only, F the first MTU of BENCH_MTUS: out
#                   again at F with the guest paced (iperf3 --fq-rate) to
#                   the rate the last MTU's guest reached in the round, so
#                   that the MTU comparison can be read at one pace too
#                   (VU_PACED=0: not run); _cpu and _retr as above
#
# and one line "vu host_mtu" with BENCH_HOST_MTU, read back by the report
# (and by socket_floor.sh's, for the floor at that veth MTU).
#
# VU_RUNS rounds (default: BENCH_RUNS, or 5 if that is less) of BENCH_TIME seconds;
# in each round every setup runs once at every MTU (interleaved, so that
# load from other work on the machine spreads over all of them), and the
# table reports medians. Nothing is asserted: the targets (issue 15, both
# in Gbit per passt CPU second) are printed as met or not. Results go to $BENCH_RESULTS (lib.sh), the table
# to standard output, progress to standard error. "vhost_user.sh --report
# FILE.tsv" prints the table of a saved raw results file again.
#
# Environment: BENCH_MTUS (default "65520 1500"), BENCH_HOST_MTU (the
# h1-h2 veth's MTU, default 65520; "guest": the guest MTU under test, as
# before 2026-12-07), BENCH_RUNS, VU_RUNS, BENCH_TIME, PASST_BIN,
# BENCH_RESULTS, BENCH_TOOLS, VU_SETUPS (default
# "vu_offl vu_nooffl vu_stream"), VU_CLIENT_OPTS (more vu_client options
# for vu_offl and vu_nooffl, e.g. "--tx-seg 65565": every frame from the
# guest in one TX buffer, default: none, 16 KiB buffers), VU_PACED (0: no
# paced row), VU_PIN (P:R, e.g. 1:0: passt on CPUs P, everything else on
# CPUs R; default: unpinned).

# BENCH_SETUP and BENCH_IN are read by lib.sh's helpers
# shellcheck disable=SC2034

BENCH_LIB_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_LIB_DIR/lib.sh"

VU_SETUPS=${VU_SETUPS:-vu_offl vu_nooffl vu_stream}
[ "$BENCH_RUNS" -lt 5 ] && VU_RUNS=${VU_RUNS:-5}
VU_RUNS=${VU_RUNS:-$BENCH_RUNS}
BENCH_HOST_MTU=${BENCH_HOST_MTU:-65520}

# vu_tools_build() - Build vu_client and passt_tap into BENCH_TOOLS
# $1:	Repository root
#
# Return: 0 on success
vu_tools_build() {
	BENCH_TOOLS=${BENCH_TOOLS:-$1/test/build/bench}
	mkdir -p "$BENCH_TOOLS" || return 1
	for _t in vu_client passt_tap; do
		[ -x "$BENCH_TOOLS/$_t" ] && [ -z "$(find "$1/test/tools/$_t.c" \
			-newer "$BENCH_TOOLS/$_t")" ] && continue
		${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra \
			"$1/test/tools/$_t.c" -o "$BENCH_TOOLS/$_t" || return 1
	done
}

# vu_wait_sock() - Wait up to 10 s for passt's socket
# $1:	Socket path
# $2:	passt's PID, which must stay alive meanwhile
#
# Return: 0 once the socket exists
vu_wait_sock() {
	for _i in $(seq 100); do
		[ -S "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# vu_wait_tap() - Wait up to 10 s for the front-end's tap in BENCH_NS
# $1:	Front-end's PID, which must stay alive meanwhile
#
# Return: 0 once tap0 exists
vu_wait_tap() {
	for _i in $(seq 100); do
		ip -n "$BENCH_NS" link show tap0 >/dev/null 2>&1 && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# vu_front_start() - Start the setup's front-end in BENCH_NS
# $1:	Setup
# $2:	passt's socket
vu_front_start() {
	# shellcheck disable=SC2086 # word splitting intended
	case "$1" in
	vu_offl)	set -- "$BENCH_TOOLS/vu_client" $VU_CLIENT_OPTS "$2" tap0 ;;
	vu_nooffl)	set -- "$BENCH_TOOLS/vu_client" --no-offload \
				$VU_CLIENT_OPTS "$2" tap0 ;;
	*)		set -- "$BENCH_TOOLS/passt_tap" "$2" tap0 ;;
	esac
	ip netns exec "$BENCH_NS" "$@" > "$BENCH_TMP/front.log" 2>&1 &
	BENCH_BG="$BENCH_BG $!"
	VU_FRONT=$!
}

# vu_guest_config() - Address, route and MTU of the namespace's tap, as
# passt's DHCP would give them (the host's address and gateway)
# $1:	MTU
vu_guest_config() {
	# tun drops frames once txqueuelen wait for the front-end, where a
	# VM's queue would stop its sender: keep that loss out of the figures
	ip -n "$BENCH_NS" link set tap0 mtu "$1" txqueuelen 10000 up
	ip -n "$BENCH_NS" link set lo up
	ip -n "$BENCH_NS" addr add 192.0.2.1/24 dev tap0
	ip -n "$BENCH_NS" route add default via 192.0.2.254 dev tap0
}

# vu_host_mtu() - MTU of the h1-h2 veth for a guest MTU
# $1:	Guest MTU, or empty for the report's wording
# $2:	BENCH_HOST_MTU as set for the run
#
# Print: the host link's MTU, or how it follows the guest's (no guest MTU)
vu_host_mtu() {
	if [ "$2" = guest ]; then
		echo "${1:-the guest MTU of each row}"
	elif [ -n "$1" ]; then
		echo "$2"
	else
		echo "$2 whatever the guest MTU"
	fi
}

# vu_setup_start() - Bring one setup up at one MTU
# $1:	Setup
# $2:	Guest MTU
#
# Return: 0 with BENCH_PID (passt) set, 1 if something did not come up
vu_setup_start() {
	BENCH_SETUP=$1
	BENCH_IN=$BENCH_NS
	BENCH_PID=
	_sock="$BENCH_TMP/passt.sock"
	_vu=
	[ "$1" = vu_stream ] || _vu=--vhost-user
	_host=$(vu_host_mtu "$2" "$BENCH_HOST_MTU")
	ip -n "$BENCH_H1" link set up0 mtu "$_host"
	ip -n "$BENCH_H2" link set gw0 mtu "$_host"
	ip netns add "$BENCH_NS" || return 1
	rm -f "$_sock"
	rm -f "$BENCH_TMP/passt.pid"
	# shellcheck disable=SC2086 # word splitting intended
	ip netns exec "$BENCH_H1" $VU_PIN_PASST "$PASST_BIN" -f $_vu \
		-s "$_sock" -m "$2" \
		-P "$BENCH_TMP/passt.pid" > "$BENCH_TMP/passt.log" 2>&1 &
	BENCH_PID=$!
	if ! vu_wait_sock "$_sock" "$BENCH_PID"; then
		bench_note "$1, MTU $2: passt did not come up:" \
			"$(tail -n 2 "$BENCH_TMP/passt.log" | tr '\n' ' ')"
		return 1
	fi
	# passt -f forks, the child runs the loop: measure that one (-P)
	BENCH_BG="$BENCH_BG $BENCH_PID"
	for _i in $(seq 50); do
		[ -s "$BENCH_TMP/passt.pid" ] && break
		sleep 0.1
	done
	[ -s "$BENCH_TMP/passt.pid" ] && BENCH_PID=$(cat "$BENCH_TMP/passt.pid")
	vu_front_start "$1" "$_sock"
	if ! vu_wait_tap "$VU_FRONT"; then
		bench_note "$1, MTU $2: front-end did not come up:" \
			"$(tail -n 2 "$BENCH_TMP/front.log" | tr '\n' ' ')"
		return 1
	fi
	vu_guest_config "$2"
}

# vu_phase() - Measure one setup at one MTU, both directions
# $1:	Setup
# $2:	MTU
vu_phase() {
	bench_log "$1: guest MTU $2, host link MTU" \
		"$(vu_host_mtu "$2" "$BENCH_HOST_MTU")"
	bench_record "$1" "vu_load_$2" "$(cut -d ' ' -f 1 /proc/loadavg)"
	if ! vu_setup_start "$1" "$2"; then
		for _m in "vu_out_$2" "vu_in_$2"; do
			bench_record "$1" "$_m" ""
		done
		bench_setup_stop
		return
	fi
	bench_throughput "vu_out_$2" "$BENCH_H2" "$BENCH_SRV" "$BENCH_NS" \
		"$BENCH_SRV" "$BENCH_PORT_TAP" ""
	bench_throughput "vu_in_$2" "$BENCH_H2" "$BENCH_SRV" "$BENCH_NS" \
		"$BENCH_SRV" "$BENCH_PORT_TAP" "-R"
	bench_setup_stop
}

# vu_paced() - vu_offl out at the first MTU, the guest paced (iperf3
# --fq-rate) to the rate the guest at the last MTU reached in this round:
# the two then differ in their MTU only. passt's cost per byte follows the
# guest's pace, and a guest at MTU 1500 is slower here, as its own TCP
# costs more per byte on the CPUs passt shares (results/2026-12-07-vu1500.md).
# Nothing if VU_PACED is 0, with one MTU, or without vu_offl.
vu_paced() {
	_mtus=${BENCH_MTUS:-65520 1500}
	_first=${_mtus%% *}
	_last=${_mtus##* }
	[ "${VU_PACED:-1}" = 0 ] || [ "$_first" = "$_last" ] && return 0
	case " $VU_SETUPS " in *" vu_offl "*) ;; *) return 0 ;; esac
	_rate=$(awk -F '\t' -v m="vu_out_$_last" \
		'$1 == "vu_offl" && $2 == m { v = $3 } END { print v }' \
		"$BENCH_RESULTS")
	[ -n "$_rate" ] && [ "$_rate" != n/a ] || return 0
	bench_log "vu_offl: guest MTU $_first paced to $_rate Gbit/s"
	if vu_setup_start vu_offl "$_first"; then
		bench_throughput "vu_out_${_first}_paced" "$BENCH_H2" \
			"$BENCH_SRV" "$BENCH_NS" "$BENCH_SRV" "$BENCH_PORT_TAP" \
			"--fq-rate ${_rate}G"
	else
		bench_record vu_offl "vu_out_${_first}_paced" ""
	fi
	bench_setup_stop
}

# vu_fmt() - Format a median, "n/a" passed through
# $1:	printf format
# $2:	Setup
# $3:	Metric
vu_fmt() {
	_v=$(bench_median "$2" "$3")
	[ "$_v" = n/a ] && { echo n/a; return; }
	awk -v f="$1" -v v="$_v" 'BEGIN { printf f "\n", v }'
}

# vu_eff_ratio() - Gbit per daemon CPU second of vu_offl over vu_stream
# $1:	Metric (its _cpu companion is used)
#
# Print: ratio as "0.00x", n/a if a figure is missing
vu_eff_ratio() {
	bench_div "$(bench_median vu_stream "$1_cpu")" \
		"$(bench_median vu_offl "$1_cpu")"
}

# vu_row() - Print one table row: Gbit/s and CPU s/Gbit of each setup
# $1:	Metric
# $2:	Label
vu_row() {
	_r=$(vu_eff_ratio "$1")
	printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$2" \
		"$(vu_fmt %.2f vu_offl "$1")" "$(vu_fmt %.3f vu_offl "$1_cpu")" \
		"$(vu_fmt %.2f vu_nooffl "$1")" \
		"$(vu_fmt %.3f vu_nooffl "$1_cpu")" \
		"$(vu_fmt %.2f vu_stream "$1")" \
		"$(vu_fmt %.3f vu_stream "$1_cpu")" "$_r" "$(bench_reach "$_r" 4 met "NOT met")"
}

# vu_mtu_ratio() - vu_offl at an MTU against its first MTU's figure
# $1:	Direction: out or in
# $2:	MTU
# $3:	First MTU
# $4:	"" for Gbit/s, "_cpu" for Gbit per CPU second (from CPU s/Gbit)
vu_mtu_ratio() {
	_a=$(bench_median vu_offl "vu_$1_$2$4")
	_b=$(bench_median vu_offl "vu_$1_$3$4")
	if [ -n "$4" ]; then
		bench_div "$_b" "$_a"
	else
		bench_div "$_a" "$_b"
	fi
}

# vu_report() - Print the table of medians and the targets
vu_report() {
	echo "| TCP, guest MTU | vhost-user offloads Gbit/s | CPU s/Gbit" \
	     "| vhost-user no offloads Gbit/s | CPU s/Gbit" \
	     "| stream socket Gbit/s | CPU s/Gbit" \
	     "| offloads/stream, Gbit per CPU s | >= 4x |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
	for _mtu in ${BENCH_MTUS:-65520 1500}; do
		vu_row "vu_out_$_mtu" "out (ns -> h2), $_mtu"
		vu_row "vu_in_$_mtu" "in (h2 -> ns), $_mtu"
	done
	_first=${BENCH_MTUS:-65520 1500}
	_first=${_first%% *}
	echo
	for _mtu in ${BENCH_MTUS:-65520 1500}; do
		[ "$_mtu" = "$_first" ] && continue
		for _d in out in; do
			_r=$(vu_mtu_ratio "$_d" "$_mtu" "$_first" _cpu)
			echo "- vhost-user with offloads, $_d, guest MTU $_mtu" \
			     "against $_first, Gbit per CPU second: $_r" \
			     "(target >= 0.80x: $(bench_reach "$_r" 0.8 met "NOT met"));" \
			     "Gbit/s: $(vu_mtu_ratio "$_d" "$_mtu" "$_first")"
		done
		_p=$(bench_median vu_offl "vu_out_${_first}_paced_cpu")
		[ "$_p" = n/a ] && continue
		echo "- the same, out, against $_first paced to the $_mtu guest's" \
		     "rate in each round ($(vu_fmt %.2f vu_offl \
		     "vu_out_${_first}_paced") Gbit/s, CPU s/Gbit" \
		     "$(vu_fmt %.4f vu_offl "vu_out_${_first}_paced_cpu")):" \
		     "$(bench_div "$_p" "$(bench_median vu_offl "vu_out_${_mtu}_cpu")")" \
		     "(the MTU alone, at one pace)"
	done
	echo
	# Files written before BENCH_HOST_MTU have no host_mtu line
	_host=$(bench_median vu host_mtu)
	[ "$_host" = n/a ] && _host=guest
	echo "Host link (h1-h2 veth, passt to the server) MTU:" \
	     "$(vu_host_mtu "" "$_host")."
	_pin=$(awk -F '\t' '$1 == "vu" && $2 == "pin" { print $3 }' \
		"$BENCH_RESULTS")
	[ -n "$_pin" ] && echo "Pinned (VU_PIN=$_pin): passt on CPUs" \
		"${_pin%%:*}, the front-end, iperf3 and everything else on" \
		"CPUs ${_pin#*:}."
	echo "Medians of $VU_RUNS runs of ${BENCH_TIME} s, rounds interleaved" \
	     "over setups and MTUs. CPU: passt's user + system time during" \
	     "the run per Gbit moved; the front-end's own time is not counted."
	[ -n "$VU_LOAD0" ] && echo "Load average (1/5/15 min) before:" \
		"$VU_LOAD0, after: $(cut -d ' ' -f 1-3 /proc/loadavg)."
}

# vu_pin() - With VU_PIN=P:R, passt runs on CPUs P (taskset list), and
# this shell, so everything else it starts (front-end, iperf3 client and
# server), on CPUs R: passt then has CPUs of its own, as on a host whose
# guest vCPUs run elsewhere. Sets VU_PIN_PASST, the taskset prefix for passt
vu_pin() {
	VU_PIN_PASST=
	[ -n "$VU_PIN" ] || return 0
	if ! taskset -p -c "${VU_PIN#*:}" $$ > /dev/null ||
	   ! taskset -c "${VU_PIN%%:*}" true; then
		bench_log "VU_PIN=$VU_PIN: can't pin, running unpinned"
		VU_PIN=
		return 0
	fi
	VU_PIN_PASST="taskset -c ${VU_PIN%%:*}"
	bench_record vu pin "$VU_PIN"
}

# vu_main() - Every setup at every MTU, VU_RUNS rounds, then the table
vu_main() {
	bench_init "vu$$"
	trap 'bench_net_down' EXIT
	trap 'exit 1' INT TERM HUP PIPE
	_root=$(cd "$BENCH_LIB_DIR/../.." && pwd)
	PASST_BIN=${PASST_BIN:-$_root/passt}
	vu_tools_build "$_root" || exit 1
	bench_net_up || { bench_log "sandbox set-up failed"; exit 1; }
	VU_LOAD0=$(cut -d ' ' -f 1-3 /proc/loadavg)
	vu_pin
	bench_record vu host_mtu "$BENCH_HOST_MTU"
	BENCH_RUNS=1
	for _round in $(seq "$VU_RUNS"); do
		for _mtu in ${BENCH_MTUS:-65520 1500}; do
			for _s in $VU_SETUPS; do
				bench_log "vhost-user round $_round/$VU_RUNS"
				vu_phase "$_s" "$_mtu"
			done
		done
		vu_paced
	done
	vu_report
}

if [ "$1" = --report ]; then
	# Print the table of a saved raw results file again
	BENCH_RESULTS=$2 vu_report
	exit $?
fi
vu_main
