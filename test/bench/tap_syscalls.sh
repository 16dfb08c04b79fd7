#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test/bench/tap_syscalls.sh - System calls and CPU per GiB on the tap path
#
# On this shared 2-CPU machine, iperf3's Gbit/s move by 15% and more from one
# run to the next with the load of other work, so that a median of five runs
# cannot tell two builds apart by less than that (results/2026-12-07-tapperf.md
# compares a build with itself). What a build asks of the kernel for each
# byte moved moves much less: this script moves a fixed amount of data
# (iperf3 -n TAP_BYTES) over pasta's tap path, out (namespace to h2) and in
# (-R), and counts the translator's system calls during the transfer with
# perf stat on the syscalls:sys_enter_* tracepoints of its PID, enabled and
# disabled around the client through perf's control FIFO, and its user and
# system CPU time from /proc/PID/stat. Setup "ours" and, with
# PASST_PREV_BIN, "prev" (another build, as lib.sh) alternate within each of
# BENCH_RUNS rounds, in ABBA order.
#
# Prints a Markdown table: per GiB moved, the median and range over the runs
# of each system call, of their total and of the CPU milliseconds, with the
# Gbit/s for reference; raw figures go to BENCH_RESULTS (lib.sh's format).
#
# Environment: PASST_BIN (default ./passt), PASST_PREV_BIN (unset: ours
# alone), BENCH_RUNS (default 3), TAP_BYTES (iperf3 -n, default 2G), TAP_MTU
# (default 65520). Needs root, iperf3 and perf.

BENCH_LIB_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_LIB_DIR/lib.sh"

TAP_BYTES=${TAP_BYTES:-2G}
TAP_MTU=${TAP_MTU:-65520}
TAP_SYSCALLS="read write readv writev sendmsg recvmsg recvfrom sendto
getsockopt setsockopt epoll_pwait epoll_ctl timerfd_settime sched_yield"

# tap_sc_events() - perf event list for TAP_SYSCALLS
#
# Print: syscalls:sys_enter_<name>, comma-separated
tap_sc_events() {
	for _n in $TAP_SYSCALLS; do
		printf 'syscalls:sys_enter_%s\n' "$_n"
	done | paste -s -d , -
}

# tap_sc_cpu() - User and system clock ticks of a process so far
# $1:	PID
#
# Print: "<utime> <stime>"
tap_sc_cpu() {
	sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12, $13 }'
}

# tap_sc_perf() - Send one command to perf stat's control FIFO, wait for ack
# $1:	enable or disable
#
# Return: 0 once acknowledged, 1 if perf did not answer within 10 s
tap_sc_perf() {
	echo "$1" >&8
	[ "$(timeout 10 head -n 1 <&9)" = ack ]
}

# tap_sc_record() - Record per GiB figures of one transfer
# $1:	Setup
# $2:	Direction, out or in
# $3:	perf stat output (-x,)
# $4:	"<bytes> <Gbit/s> <retransmits>" from bench_iperf3_parse()
# $5:	Clock ticks used, user
# $6:	Clock ticks used, system
tap_sc_record() {
	awk -F , -v s="$1" -v d="$2" -v b="${4%% *}" -v u="$5" -v k="$6" \
	    -v g="$(echo "$4" | cut -d ' ' -f 2)" -v hz="$BENCH_HZ" '
		$3 ~ /^syscalls:sys_enter_/ {
			n = $3; sub(/^syscalls:sys_enter_/, "", n)
			c = ($1 ~ /^[0-9]+$/) ? $1 : 0
			v[n] = c; t += c; order[++m] = n
		}
		END {
			gib = b / 1073741824
			for (i = 1; i <= m; i++)
				printf "%s\t%s_%s\t%.0f\n", s, d, order[i],
				       v[order[i]] / gib
			printf "%s\t%s_total\t%.0f\n", s, d, t / gib
			printf "%s\t%s_cpu_ms\t%.0f\n", s, d,
			       (u + k) * 1000 / hz / gib
			printf "%s\t%s_user_ms\t%.0f\n", s, d, u * 1000 / hz / gib
			printf "%s\t%s_gbps\t%s\n", s, d, g
		}' "$3" >> "$BENCH_RESULTS"
}

# tap_sc_run() - One fixed-size transfer, counted
# $1:	Setup, running (BENCH_PID)
# $2:	Direction, out or in
#
# Return: 0 if the transfer completed and was recorded
tap_sc_run() {
	_opt=
	[ "$2" = in ] && _opt=-R
	ip netns exec "$BENCH_H2" timeout --foreground 120 iperf3 -s -1 \
		-B "$BENCH_SRV" -p "$BENCH_PORT_TAP" > /dev/null 2>&1 &
	_srv=$!
	rm -f "$BENCH_TMP/ctl" "$BENCH_TMP/ack"
	mkfifo "$BENCH_TMP/ctl" "$BENCH_TMP/ack" || return 1
	timeout --foreground 180 perf stat -x , -D -1 \
		--control "fifo:$BENCH_TMP/ctl,$BENCH_TMP/ack" \
		-e "$(tap_sc_events)" -p "$BENCH_PID" -o "$BENCH_TMP/perf" \
		> /dev/null 2>&1 &
	_perf=$!
	# Read-write opens: they don't block should perf fail to start
	exec 8<> "$BENCH_TMP/ctl" 9<> "$BENCH_TMP/ack"
	_ok=0
	if bench_wait_listen "$BENCH_H2" "$BENCH_PORT_TAP" &&
	   tap_sc_perf enable; then
		_t0=$(tap_sc_cpu "$BENCH_PID")
		# shellcheck disable=SC2086 # empty or -R
		bench_in timeout --foreground 120 iperf3 -J -c "$BENCH_SRV" \
			-p "$BENCH_PORT_TAP" -n "$TAP_BYTES" $_opt \
			> "$BENCH_TMP/iperf3.json" 2>/dev/null && _ok=1
		_t1=$(tap_sc_cpu "$BENCH_PID")
		tap_sc_perf disable || _ok=0
	fi
	exec 8>&- 9<&-
	kill -INT "$_perf" 2>/dev/null
	wait "$_perf"
	bench_kill "$_srv"
	_out=$(bench_iperf3_parse "$BENCH_TMP/iperf3.json")
	if [ "$_ok" = 0 ] || [ -z "$_out" ]; then
		bench_note "$1 $2: transfer or perf stat failed"
		return 1
	fi
	tap_sc_record "$1" "$2" "$BENCH_TMP/perf" "$_out" \
		$((${_t1% *} - ${_t0% *})) $((${_t1#* } - ${_t0#* }))
}

# tap_sc_stat() - Median and range of one metric
# $1:	Setup
# $2:	Metric
# $3:	printf format of one number
#
# Print: "median [min-max]", or "n/a"
tap_sc_stat() {
	_m=$(bench_median "$1" "$2")
	[ "$_m" = n/a ] && { echo n/a; return; }
	awk -F '\t' -v s="$1" -v m="$2" -v med="$_m" -v f="$3" '
		$1 == s && $2 == m && $3 != "n/a" {
			if (!n++ || $3 + 0 < lo) lo = $3
			if (n == 1 || $3 + 0 > hi) hi = $3
		}
		END { printf f " [" f "-" f "]\n", med, lo, hi }' \
		"$BENCH_RESULTS"
}

# tap_sc_table() - Print the Markdown table of all recorded metrics
tap_sc_table() {
	echo "| Per GiB moved | ours, median [range] | prev, median [range]" \
	     "| ours/prev |"
	echo "|---|---:|---:|---:|"
	for _d in out in; do
		for _n in $TAP_SYSCALLS total cpu_ms user_ms gbps; do
			_f=%.0f
			[ "$_n" = gbps ] && _f=%.2f
			_o=$(tap_sc_stat ours "${_d}_$_n" "$_f")
			_p=$(tap_sc_stat prev "${_d}_$_n" "$_f")
			case "$_o $_p" in
			"0 [0-0] 0 [0-0]"|"0 [0-0] n/a") continue ;;
			esac
			printf '| %s %s | %s | %s | %s |\n' "$_d" "$_n" "$_o" \
				"$_p" "$(awk -v a="${_o%% *}" -v b="${_p%% *}" \
				'BEGIN { if (b == "n/a" || b + 0 == 0) print "n/a"
					 else printf "%.2fx\n", a / b }')"
		done
	done
}

# tap_sc_main() - ABBA rounds of ours (and prev), then the table
tap_sc_main() {
	command -v perf > /dev/null || { echo "perf not installed"; exit 1; }
	PASST_BIN=${PASST_BIN:-./passt}
	export PASST_BIN
	bench_init "tsc$$"
	trap 'bench_net_down' EXIT
	trap 'exit 1' INT TERM HUP PIPE
	bench_net_up || { bench_log "sandbox set-up failed"; exit 1; }
	_load0=$(cut -d ' ' -f 1-3 /proc/loadavg)
	for _r in $(seq "$BENCH_RUNS"); do
		_order=ours
		[ -n "$PASST_PREV_BIN" ] && _order="ours prev"
		[ -n "$PASST_PREV_BIN" ] && [ $((_r % 2)) = 0 ] &&
			_order="prev ours"
		for _s in $_order; do
			bench_log "round $_r/$BENCH_RUNS: $_s"
			if bench_setup_start "$_s" "$TAP_MTU"; then
				tap_sc_run "$_s" out
				tap_sc_run "$_s" in
			fi
			bench_setup_stop
		done
	done
	echo "$BENCH_RUNS rounds, $TAP_BYTES per transfer, MTU $TAP_MTU;" \
	     "load average before: $_load0, after:" \
	     "$(cut -d ' ' -f 1-3 /proc/loadavg)"
	echo
	tap_sc_table
}

tap_sc_main
