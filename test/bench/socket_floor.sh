#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test/bench/socket_floor.sh - The socket floor: what the kernel charges the
# two ends of a TCP connection, with no translator, and the bound it puts on
# passt's efficiency target
#
# Theory of Operation
#
# A translator such as passt moves data between a guest and a host socket.
# Whatever it does on the guest side, it still sends (guest to h2, "out")
# or receives (h2 to guest, "in") that data through a TCP socket, and the
# kernel charges that socket work to the translator's CPU time. The cheapest
# a translator can be per Gbit is what a plain iperf3 pays for the same side
# of the same connection: the socket floor.
#
# This script measures it: lib.sh's sandbox (h1 192.0.2.1 - veth - h2,
# server on 198.51.100.1 in h2), iperf3 client in h1, server in h2, nothing
# in between. For each MTU of BENCH_MTUS (both veth ends get it) and each
# direction, FLOOR_RUNS runs (default 5) of BENCH_TIME seconds; "out" is h1
# sending, "in" is iperf3 -R (h2 sending). Each iperf3 runs under a shell
# that, once it has exited, reads its own cutime and cstime from
# /proc/self/stat: the user + system time of the iperf3 it waited for. A
# run during which the hypervisor stole more than FLOOR_STEAL_MAX percent
# of the machine's CPU time (the 8th value of /proc/stat's cpu line) is
# done again, at most FLOOR_RETRIES times (then kept, and noted).
#
# Metrics (setup "floor" in $BENCH_RESULTS, lib.sh's format):
#
#   floor_<dir>_<M>          iperf3's Gbit/s
#   floor_<dir>_<M>_snd_cpu  sending iperf3's user + system s per Gbit
#   floor_<dir>_<M>_rcv_cpu  receiving iperf3's, likewise
#
# The report sets them beside vhost_user.sh's figures when those are in the
# same results file (make bench runs vhost_user.sh first): the issue's target
# is vhost-user with offloads at 4x the stream socket's Gbit per passt CPU
# second. Both back-ends pay the socket side, so the best ratio any
# translator could reach is
#
#   bound = stream socket passt CPU s/Gbit / floor CPU s/Gbit
#
# with the sender's floor for "out" and the receiver's for "in": the stream
# back-end's figure divided by the part of it no back-end can avoid. The
# floor is the lowest of iperf3's and zc_floor's (below) on that side, and
# the table names which one it was.
#
# Accounting caveat: without CONFIG_IRQ_TIME_ACCOUNTING (as on the machines
# this was written on), softirq work is charged to whichever task the tick
# finds running. On a veth pair the receiving side's protocol work often
# runs in the sender's context (and ACK processing in the receiver's), so
# the split between the two ends is approximate; their sum is not. The
# floor and passt's figures are taken the same way, on the same topology,
# which is what the bound needs.
#
# Shared memory and MSG_ZEROCOPY. passt's vhost-user back-end sends the
# guest's TCP payload from guest memory, a memfd mapped MAP_SHARED, in
# 64 KiB super-frames. test/tools/zc_floor.c is that sender and nothing
# else: in each round, "out" only, it sends from such a mapping for
# BENCH_TIME seconds, FLOOR_ZC_BATCH 64 KiB buffers per sendmsg() (default
# 16: passt sends about 1 MiB per call in a bulk transfer), with the
# kernel's copy (setup floor, metrics floor_memfd_out_<M>...) and with
# SO_ZEROCOPY + MSG_ZEROCOPY
# (floor_zc_out_<M>...), to its own sink in h2 (which reads into a buffer,
# as iperf3 does). Each end prints its own CPU (getrusage()): _snd_cpu
# and _rcv_cpu, s per Gbit; for MSG_ZEROCOPY also the percentage of
# completions the kernel flagged as copied (floor_zc_out_<M>_copied).
# Over veth, local delivery copies the pages (skb_copy_ubufs()) in
# whichever context runs the receive softirq, the sender's or the
# receiver's, so the copy moves rather than goes: the sum of both ends is
# the figure that says whether a copy was saved. The second table sets
# both beside each other. "in", h1 receives from zc_floor's copying sender
# in h2 into such a mapping, FLOOR_ZC_BATCH 64 KiB buffers per call, the
# way passt receives for a vhost-user guest: recvmsg(MSG_PEEK), then
# recv(MSG_TRUNC) of the bytes peeked (floor_memfd_in_<M>...), and, for
# comparison, plain recvmsg() (floor_memfd_inrecv_<M>...); a third table
# shows them. FLOOR_ZC=0 leaves these runs out.
#
# Paced senders (FLOOR_PACED, off by default). passt's sends to the host
# socket follow the guest's pace: a slower guest gives it smaller batches,
# and more wake-ups per byte. To see what that pace alone costs the
# kernel's send path, FLOOR_PACED lists cells NAME:GBIT:BATCH (GBIT 0:
# unpaced), e.g.
#
#   FLOOR_PACED="A:0:8 B:10.6:4 C:14.6:8 D:10.6:8"
#
# and the script then runs only these: zc_floor copy, BATCH 64 KiB slots
# per sendmsg(), paced to GBIT (zc_floor sleeps after each call until its
# schedule allows the next), h1 to its sink in h2, veth MTU FLOOR_PACED_MTU
# (default 65520, vhost_user.sh's host link), FLOOR_RUNS rounds of every
# cell, the order reversed every other round. Metrics (setup "floor"):
# floor_paced_<NAME> (Gbit/s reached), _snd_cpu and _rcv_cpu (s/Gbit),
# _late (paced sends made behind schedule, % of sends). The table gives
# medians and each cell's sender CPU per Gbit over FLOOR_PACED_REF's
# (default: the second cell): above 1, the cell costs more per Gbit.
# FLOOR_PIN_H1 and FLOOR_PIN_H2 (CPU lists for taskset(1), default none)
# pin zc_floor in h1 and in h2, in these runs and the other zc_floor runs:
# where the scheduler puts the two ends decides who runs (and pays for)
# the receive softirq.
#
# Nothing is asserted. "socket_floor.sh --report FILE.tsv" prints the table
# of a saved raw results file again (with FLOOR_PACED set as for the run,
# the paced table).
#
# Environment: BENCH_MTUS (default "65520 1500"), BENCH_TIME, FLOOR_RUNS,
# FLOOR_STEAL_MAX (default 10), FLOOR_RETRIES (default 2), FLOOR_ZC
# (default 1), FLOOR_ZC_BATCH (default 16), FLOOR_PACED (default empty:
# off), FLOOR_PACED_MTU (default 65520), FLOOR_PACED_REF, FLOOR_PIN_H1,
# FLOOR_PIN_H2 (default empty: not pinned), BENCH_TOOLS
# (where zc_floor is built, default test/build/bench), BENCH_RESULTS.

# BENCH_* names are shared with lib.sh
# shellcheck disable=SC2034

BENCH_LIB_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_LIB_DIR/lib.sh"

FLOOR_RUNS=${FLOOR_RUNS:-5}
FLOOR_STEAL_MAX=${FLOOR_STEAL_MAX:-10}
FLOOR_RETRIES=${FLOOR_RETRIES:-2}
FLOOR_ZC=${FLOOR_ZC:-1}
FLOOR_ZC_BATCH=${FLOOR_ZC_BATCH:-16}
FLOOR_PACED=${FLOOR_PACED:-}
FLOOR_PACED_MTU=${FLOOR_PACED_MTU:-65520}
FLOOR_PORT=$BENCH_PORT_TAP

# floor_cpu_stat() - Total and stolen ticks of all CPUs so far
#
# Print: "<total> <steal>" from /proc/stat's cpu line
floor_cpu_stat() {
	awk '/^cpu / {
		for (i = 2; i <= NF; i++) t += $i
		print t, $9; exit }' /proc/stat
}

# floor_steal_pct() - Percentage of CPU time stolen between two samples
# $1:	Sample before, as floor_cpu_stat() prints it
# $2:	Sample after
#
# Print: percentage, integer
floor_steal_pct() {
	echo "$1 $2" | awk '{
		t = $3 - $1
		print (t > 0) ? int(($4 - $2) * 100 / t) : 0 }'
}

# floor_iperf3() - Run iperf3 in a namespace, then write the clock ticks
# (user + system) it used to a file
# $1:	Namespace
# $2:	File for the ticks
# $3..:	iperf3 options
floor_iperf3() {
	_ns=$1
	_ticks=$2
	shift 2
	# shellcheck disable=SC2016 # expanded by the inner shell
	ip netns exec "$_ns" sh -c 'out=$1; shift
		"$@"
		sed "s/^.*) //" /proc/$$/stat | awk "{ print \$14 + \$15 }" \
			> "$out"' floor "$_ticks" \
		timeout --foreground $((BENCH_TIME + 30)) iperf3 "$@"
}

# floor_once() - One iperf3 run, h1 client, h2 one-off server
# $1:	Direction: out (h1 sends) or in (-R, h2 sends)
#
# Print: "<bytes> <Gbit/s> <sender ticks> <receiver ticks>", nothing on
# failure
floor_once() {
	_rev=
	[ "$1" = in ] && _rev=-R
	rm -f "$BENCH_TMP/srv.ticks" "$BENCH_TMP/cli.ticks"
	floor_iperf3 "$BENCH_H2" "$BENCH_TMP/srv.ticks" -s -1 \
		-B "$BENCH_SRV" -p "$FLOOR_PORT" > /dev/null 2>&1 &
	_srv=$!
	if ! bench_wait_listen "$BENCH_H2" "$FLOOR_PORT"; then
		bench_kill "$_srv"
		return 1
	fi
	# shellcheck disable=SC2086
	floor_iperf3 "$BENCH_H1" "$BENCH_TMP/cli.ticks" -J \
		--connect-timeout 5000 -c "$BENCH_SRV" -p "$FLOOR_PORT" \
		-t "$BENCH_TIME" $_rev > "$BENCH_TMP/iperf3.json" 2>/dev/null
	# The one-off server exits once the test is over: bounded wait
	for _i in $(seq 50); do
		[ -s "$BENCH_TMP/srv.ticks" ] && break
		sleep 0.1
	done
	bench_kill "$_srv"
	_out=$(bench_iperf3_parse "$BENCH_TMP/iperf3.json")
	_c=$(cat "$BENCH_TMP/cli.ticks" 2>/dev/null)
	_s=$(cat "$BENCH_TMP/srv.ticks" 2>/dev/null)
	[ -n "$_out" ] && [ -n "$_c" ] && [ -n "$_s" ] || return 1
	if [ "$1" = out ]; then
		echo "${_out% *} $_c $_s"
	else
		echo "${_out% *} $_s $_c"
	fi
}

# floor_retry() - Run a measurement, again while too much CPU was stolen
# $1:	Metric name, for the log and notes
# $@:	The rest: command printing the run's fields, nothing on failure
#
# Print: the last run's output
floor_retry() {
	_rm=$1
	shift
	for _try in $(seq 0 "$FLOOR_RETRIES"); do
		_st0=$(floor_cpu_stat)
		_out=$("$@")
		_steal=$(floor_steal_pct "$_st0" "$(floor_cpu_stat)")
		[ "$_steal" -le "$FLOOR_STEAL_MAX" ] && break
		[ "$_try" -lt "$FLOOR_RETRIES" ] &&
			bench_log "$_rm: ${_steal}% stolen, run again"
	done
	[ "$_steal" -gt "$FLOOR_STEAL_MAX" ] &&
		bench_note "$_rm: kept a run with ${_steal}% of CPU time stolen"
	printf '%s\n' "$_out"
}

# floor_record() - Record a run's Gbit/s and each end's CPU per Gbit
# $1:	Metric name
# $2:	Function turning "<CPU s> <bytes>" into s/Gbit
# $3:	Bytes moved, empty if the run failed
# $4:	Gbit/s
# $5:	Sender's CPU seconds (or ticks, for $2)
# $6:	Receiver's
floor_record() {
	if [ -z "$3" ]; then
		for _x in "" _snd_cpu _rcv_cpu; do
			bench_record floor "$1$_x" ""
		done
		return
	fi
	bench_record floor "$1" "$4"
	bench_record floor "${1}_snd_cpu" "$("$2" "$5" "$3")"
	bench_record floor "${1}_rcv_cpu" "$("$2" "$6" "$3")"
}

# floor_run() - One measured iperf3 run
# $1:	Direction: out or in
# $2:	MTU
floor_run() {
	# shellcheck disable=SC2046 # split into its four fields
	floor_record "floor_$1_$2" bench_cpu_per_gbit \
		$(floor_retry "floor_$1_$2" floor_once "$1")
}

# floor_zc_build() - Build zc_floor into BENCH_TOOLS if it is out of date
#
# Return: 0 on success
floor_zc_build() {
	_root=$(cd "$BENCH_LIB_DIR/../.." && pwd)
	BENCH_TOOLS=${BENCH_TOOLS:-$_root/test/build/bench}
	mkdir -p "$BENCH_TOOLS" || return 1
	[ -x "$BENCH_TOOLS/zc_floor" ] && [ -z "$(find \
		"$_root/test/tools/zc_floor.c" -newer "$BENCH_TOOLS/zc_floor")" ] &&
		return 0
	${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra \
		"$_root/test/tools/zc_floor.c" -o "$BENCH_TOOLS/zc_floor"
}

# floor_zc_once() - One zc_floor run between h1 and h2
# $1:	Mode: copy or zerocopy (h1 sends to a sink in h2), or peek or recv
#	(h1 receives from a source in h2)
# $2:	Slots per call, default FLOOR_ZC_BATCH (senders only)
# $3:	Pace in Gbit/s, 0 or empty for none (senders only)
#
# Print: "<bytes> <Gbit/s> <sender CPU s> <receiver CPU s> <copied %>
# <late sends %>", nothing on failure
floor_zc_once() {
	_srv="sink $BENCH_SRV $FLOOR_PORT"
	_cli="$1 $BENCH_SRV $FLOOR_PORT $BENCH_TIME ${2:-$FLOOR_ZC_BATCH}"
	case ${3:-0} in 0) ;; *) _cli="$_cli $3" ;; esac
	_pin1=
	_pin2=
	[ -n "$FLOOR_PIN_H1" ] && _pin1="taskset -c $FLOOR_PIN_H1"
	[ -n "$FLOOR_PIN_H2" ] && _pin2="taskset -c $FLOOR_PIN_H2"
	case $1 in peek|recv)
		_srv="source $BENCH_SRV $FLOOR_PORT $BENCH_TIME $FLOOR_ZC_BATCH"
		_cli="$1 $BENCH_SRV $FLOOR_PORT $FLOOR_ZC_BATCH" ;;
	esac
	# shellcheck disable=SC2086 # mode and arguments, split
	ip netns exec "$BENCH_H2" $_pin2 \
		timeout --foreground $((BENCH_TIME + 30)) \
		"$BENCH_TOOLS/zc_floor" $_srv > "$BENCH_TMP/sink.out" \
		2>/dev/null &
	_sink=$!
	if ! bench_wait_listen "$BENCH_H2" "$FLOOR_PORT"; then
		bench_kill "$_sink"
		return 1
	fi
	# shellcheck disable=SC2086
	ip netns exec "$BENCH_H1" $_pin1 \
		timeout --foreground $((BENCH_TIME + 30)) \
		"$BENCH_TOOLS/zc_floor" $_cli > "$BENCH_TMP/zc.out" 2>/dev/null
	# The other end exits at the end of stream: bounded wait
	for _i in $(seq 50); do
		kill -0 "$_sink" 2>/dev/null || break
		sleep 0.1
	done
	bench_kill "$_sink"
	# "bytes B seconds S cpu C gbit G ... sends N completions M copied K
	# late L" from the sender, "received R cpu C ..." from the receiver
	cat "$BENCH_TMP/zc.out" "$BENCH_TMP/sink.out" | awk '
		$1 == "bytes" { b = $2; c = $6; g = $8; n = $12; m = $14
				k = $16; l = $18 }
		$1 == "received" { r = $4 }
		END {
			if (b == "" || r == "") exit
			printf "%s %s %s %s %.0f %.1f\n", b, g, c, r,
			       m ? k * 100 / m : 0, n ? l * 100 / n : 0
		}'
}

# floor_paced_cell() - Split a FLOOR_PACED cell into _pn, _pg and _pb
# $1:	Cell, NAME:GBIT:BATCH
floor_paced_cell() {
	_pn=${1%%:*}
	_pb=${1##*:}
	_pg=${1#*:}
	_pg=${_pg%%:*}
}

# floor_paced_run() - One measured run of a FLOOR_PACED cell
# $1:	Cell, NAME:GBIT:BATCH
floor_paced_run() {
	floor_paced_cell "$1"
	_pr=$(floor_retry "floor_paced_$_pn" floor_zc_once copy "$_pb" "$_pg")
	# shellcheck disable=SC2086 # split into its six fields
	floor_record "floor_paced_$_pn" floor_zc_per_gbit $_pr
	# shellcheck disable=SC2086
	set -- $_pr
	bench_record floor "floor_paced_${_pn}_late" "$6"
}

# floor_paced_ref() - The cell ratios are taken against
#
# Print: FLOOR_PACED_REF, or the second cell's name (the first's if alone)
floor_paced_ref() {
	[ -n "$FLOOR_PACED_REF" ] && { echo "$FLOOR_PACED_REF"; return; }
	# shellcheck disable=SC2086 # the list of cells
	set -- $FLOOR_PACED
	[ $# -ge 2 ] && shift
	echo "${1%%:*}"
}

# floor_paced_report() - Table of the FLOOR_PACED cells' medians
floor_paced_report() {
	_ref=$(floor_paced_ref)
	_rc=$(bench_median floor "floor_paced_${_ref}_snd_cpu")
	echo "| cell | pace Gbit/s | KiB per sendmsg() | Gbit/s reached" \
	     "| sender CPU s/Gbit | receiver CPU s/Gbit | late sends %" \
	     "| sender CPU/Gbit over $_ref's | runs |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for _c in $FLOOR_PACED; do
		floor_paced_cell "$_c"
		[ "$_pg" = 0 ] && _pg=unpaced
		_m="floor_paced_$_pn"
		printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' \
			"$_pn" "$_pg" $((_pb * 64)) \
			"$(floor_fmt %.2f floor "$_m")" \
			"$(floor_fmt %.4f floor "${_m}_snd_cpu")" \
			"$(floor_fmt %.4f floor "${_m}_rcv_cpu")" \
			"$(floor_fmt %.1f floor "${_m}_late")" \
			"$(bench_div "$(bench_median floor "${_m}_snd_cpu")" \
				"$_rc")" \
			"$(awk -F '\t' -v m="${_m}_snd_cpu" \
				'$2 == m && $3 != "n/a" { n++ }
				 END { print n + 0 }' "$BENCH_RESULTS")"
	done
	echo
	cat <<EOF
test/tools/zc_floor copy: 64 KiB slots of a memfd mapped MAP_SHARED, the
cell's number of them per sendmsg(), paced with clock_nanosleep() after
each call (no credit for time lost when late), h1 to its sink in h2, veth
MTU $FLOOR_PACED_MTU, medians of runs of ${BENCH_TIME} s interleaved in
rounds, CPU from each end's getrusage(). Last column: the cell's sender
CPU per Gbit over $_ref's (above 1: dearer per Gbit).
EOF
	[ -n "$FLOOR_LOAD0" ] && echo "Load average (1/5/15 min) before:" \
		"$FLOOR_LOAD0, after: $(cut -d ' ' -f 1-3 /proc/loadavg)."
	return 0
}

# floor_paced_main() - FLOOR_RUNS rounds of the FLOOR_PACED cells, the
# order reversed every other round, then their table
floor_paced_main() {
	ip -n "$BENCH_H1" link set up0 mtu "$FLOOR_PACED_MTU"
	ip -n "$BENCH_H2" link set gw0 mtu "$FLOOR_PACED_MTU"
	_rev=
	for _c in $FLOOR_PACED; do
		_rev="$_c $_rev"
	done
	for _round in $(seq "$FLOOR_RUNS"); do
		_cells=$FLOOR_PACED
		[ $((_round % 2)) = 0 ] && _cells=$_rev
		for _c in $_cells; do
			bench_log "paced floor round $_round/$FLOOR_RUNS:" \
				"cell $_c"
			floor_paced_run "$_c"
		done
	done
	floor_paced_report
}

# floor_zc_run() - One measured zc_floor run
# $1:	Mode: copy, zerocopy, peek or recv
# $2:	MTU
floor_zc_run() {
	case $1 in
	copy)		_zm="floor_memfd_out_$2" ;;
	zerocopy)	_zm="floor_zc_out_$2" ;;
	peek)		_zm="floor_memfd_in_$2" ;;
	recv)		_zm="floor_memfd_inrecv_$2" ;;
	esac
	_zr=$(floor_retry "$_zm" floor_zc_once "$1")
	# shellcheck disable=SC2086 # split into its five fields
	floor_record "$_zm" floor_zc_per_gbit $_zr
	[ "$1" = zerocopy ] || return 0
	# shellcheck disable=SC2086
	set -- $_zr
	bench_record floor "${_zm}_copied" "$5"
}

# floor_zc_per_gbit() - CPU seconds per Gbit
# $1:	CPU seconds
# $2:	Bytes moved
floor_zc_per_gbit() {
	awk -v c="$1" -v b="$2" 'BEGIN { printf "%.4f", c / (b * 8 / 1e9) }'
}

# floor_fmt() - Format a median, "n/a" passed through
# $1:	printf format
# $2:	Setup
# $3:	Metric
floor_fmt() {
	_v=$(bench_median "$2" "$3")
	[ "$_v" = n/a ] && { echo n/a; return; }
	awk -v f="$1" -v v="$_v" 'BEGIN { printf f "\n", v }'
}

# floor_veth_mtu() - The veth's MTU in vhost_user.sh's figures at a guest MTU
# $1:	Guest MTU
#
# Print: vhost_user.sh's fixed host link MTU if it recorded one, else $1
floor_veth_mtu() {
	_h=$(bench_median vu host_mtu)
	case "$_h" in
	''|*[!0-9]*)	echo "$1" ;;
	*)		echo "$_h" ;;
	esac
}

# floor_lowest() - The lowest floor of passt's side of the socket
# $1:	Direction: out or in
# $2:	veth MTU
#
# Print: "<metric> <s/Gbit>" of the cheapest of iperf3 and zc_floor's
# modes on that side (sender for out, receiver for in), "n/a n/a" if none
floor_lowest() {
	if [ "$1" = out ]; then
		_c="floor_out_$2_snd_cpu floor_memfd_out_$2_snd_cpu"
		_c="$_c floor_zc_out_$2_snd_cpu"
	else
		_c="floor_in_$2_rcv_cpu floor_memfd_in_$2_rcv_cpu"
		_c="$_c floor_memfd_inrecv_$2_rcv_cpu"
	fi
	for _m in $_c; do
		echo "$_m $(bench_median floor "$_m")"
	done | awk '$2 != "n/a" && (best == "" || $2 < v) { best = $1; v = $2 }
		END { if (best == "") print "n/a n/a"; else print best, v }'
}

# floor_name() - What a floor metric measured, for the table
# $1:	Metric name
floor_name() {
	case $1 in
	floor_out_*|floor_in_*)	echo iperf3 ;;
	floor_memfd_out_*)	echo "zc_floor copy" ;;
	floor_zc_out_*)		echo "zc_floor MSG_ZEROCOPY" ;;
	floor_memfd_in_*)	echo "zc_floor peek" ;;
	floor_memfd_inrecv_*)	echo "zc_floor recv" ;;
	*)			echo n/a ;;
	esac
}

# floor_has_mtu() - Whether the results hold any figure at an MTU
# $1:	MTU
floor_has_mtu() {
	awk -F '\t' -v m="$1" '$2 ~ "_" m "(_|$)" && $3 != "n/a" { f = 1 }
		END { exit !f }' "$BENCH_RESULTS" 2>/dev/null
}

# floor_row() - One row: floor figures, passt's, the bound, the current ratio
# $1:	Direction: out or in
# $2:	Guest MTU of vhost_user.sh's figures; the floor's is the veth's
floor_row() {
	_fm=$(floor_veth_mtu "$2")
	# shellcheck disable=SC2046 # split into its two fields
	set -- "$1" "$2" $(floor_lowest "$1" "$_fm")
	_bound=$(bench_div "$(bench_median vu_stream "vu_$1_$2_cpu")" "$4")
	printf '| %s, %s (veth %s) | %s | %s | %s | %s | %s (%s) | %s | %s |\n' \
		"$1" "$2" "$_fm" "$(floor_fmt %.2f floor "floor_$1_$_fm")" \
		"$(floor_fmt %.3f floor "floor_$1_${_fm}_snd_cpu")" \
		"$(floor_fmt %.3f floor "floor_$1_${_fm}_rcv_cpu")" \
		"$(floor_fmt %.3f vu_stream "vu_$1_$2_cpu")" "$_bound" \
		"$(floor_name "$3")" \
		"$(bench_div "$(bench_median vu_stream "vu_$1_$2_cpu")" \
			"$(bench_median vu_offl "vu_$1_$2_cpu")")" \
		"$(bench_reach "$_bound" 4 yes NO)"
}

# floor_report() - Print the table of medians and how it is read
floor_report() {
	echo "| TCP dir, guest MTU | iperf3 Gbit/s | sender CPU s/Gbit" \
	     "| receiver CPU s/Gbit | stream socket passt CPU s/Gbit" \
	     "| bound: stream / lowest floor | vhost-user offloads/stream now" \
	     "| 4x within bound |"
	echo "|---|---:|---:|---:|---:|---:|---:|---|"
	for _mtu in ${BENCH_MTUS:-65520 1500}; do
		floor_has_mtu "$_mtu" || continue
		floor_row out "$_mtu"
		floor_row in "$_mtu"
	done
	echo
	cat <<EOF
Floor: iperf3 alone over the h1-h2 veth pair (out: h1 sends; in: -R, h2
sends), medians of $FLOOR_RUNS runs of ${BENCH_TIME} s, CPU from each iperf3's
utime + stime. Bound: the stream socket back-end's passt CPU per Gbit
(vhost_user.sh) over the lowest floor of the side passt has on its host
socket (sender for out, receiver for in: iperf3's or one of zc_floor's
below, named in brackets), on the veth MTU vhost_user.sh ran with
(BENCH_HOST_MTU): the most Gbit per CPU second any
back-end could gain over the stream socket while it still pays that
socket's kernel cost. "now": vhost_user.sh's offloads/stream ratio from
the same results.
EOF
	floor_zc_report
	[ -n "$FLOOR_LOAD0" ] && echo "Load average (1/5/15 min) before:" \
		"$FLOOR_LOAD0, after: $(cut -d ' ' -f 1-3 /proc/loadavg)."
	return 0
}

# floor_zc_sum() - Median over runs of sender + receiver CPU per Gbit
# $1:	Metric prefix, e.g. floor_zc_out_65520
#
# Print: s/Gbit, n/a if missing
floor_zc_sum() {
	awk -F '\t' -v s="$1_snd_cpu" -v r="$1_rcv_cpu" '
		$1 == "floor" && $2 == s && $3 != "" { a[++n] = $3 }
		$1 == "floor" && $2 == r && $3 != "" { b[++m] = $3 }
		END {
			if (!n || n != m) { print "n/a"; exit }
			for (i = 1; i <= n; i++) v[i] = a[i] + b[i]
			for (i = 1; i <= n; i++)
				for (j = i + 1; j <= n; j++)
					if (v[j] < v[i]) {
						t = v[i]; v[i] = v[j]; v[j] = t
					}
			if (n % 2) x = v[(n + 1) / 2]
			else x = (v[n / 2] + v[n / 2 + 1]) / 2
			printf "%.3f\n", x
		}' "$BENCH_RESULTS"
}

# floor_zc_cells() - Table cells of one zc_floor mode: Gbit/s, each end's
# CPU per Gbit, their sum
# $1:	Metric prefix, e.g. floor_memfd_out_65520
# $2:	End shown first: snd or rcv
# $3:	The other end
floor_zc_cells() {
	printf '| %s | %s | %s | %s' "$(floor_fmt %.2f floor "$1")" \
		"$(floor_fmt %.3f floor "${1}_$2_cpu")" \
		"$(floor_fmt %.3f floor "${1}_$3_cpu")" "$(floor_zc_sum "$1")"
}

# floor_zc_report() - Table of zc_floor's medians, if there are any
floor_zc_report() {
	grep -q 'floor_memfd_out_' "$BENCH_RESULTS" 2>/dev/null || return 0
	echo
	echo "| out, MTU | copied Gbit/s | sender CPU s/Gbit" \
	     "| receiver | both | MSG_ZEROCOPY Gbit/s | sender CPU s/Gbit" \
	     "| receiver | both | completions copied |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for _mtu in ${BENCH_MTUS:-65520 1500}; do
		floor_has_mtu "$_mtu" || continue
		printf '| %s %s %s | %s |\n' "$_mtu" \
			"$(floor_zc_cells "floor_memfd_out_$_mtu" snd rcv)" \
			"$(floor_zc_cells "floor_zc_out_$_mtu" snd rcv)" \
			"$(floor_fmt %.0f%% floor "floor_zc_out_${_mtu}_copied")"
	done
	floor_zc_in_report
	echo
	cat <<EOF
test/tools/zc_floor: $FLOOR_ZC_BATCH x 64 KiB per sendmsg() from a memfd
mapped MAP_SHARED (as guest memory is), h1 to its own sink in h2, copied
and with MSG_ZEROCOPY; "in": h1 receives from a copying sender in h2 into
such a mapping, $FLOOR_ZC_BATCH x 64 KiB per call, peeked then dropped
with MSG_TRUNC (as passt does), or with plain recvmsg();
medians of $FLOOR_RUNS runs of ${BENCH_TIME} s, CPU from each end's
getrusage(), "both": median of the per-run sums. Over veth, local delivery
copies zerocopy pages ("completions copied") in the receive softirq, whose
CPU goes to whichever end runs it: compare "both".
EOF
}

# floor_zc_in_report() - Table of zc_floor's receiving medians, if any
floor_zc_in_report() {
	grep -q 'floor_memfd_in_' "$BENCH_RESULTS" 2>/dev/null || return 0
	echo
	echo "| in, MTU | peek + MSG_TRUNC Gbit/s | receiver CPU s/Gbit" \
	     "| sender | both | recv() Gbit/s | receiver CPU s/Gbit" \
	     "| sender | both |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
	for _mtu in ${BENCH_MTUS:-65520 1500}; do
		floor_has_mtu "$_mtu" || continue
		printf '| %s %s %s |\n' "$_mtu" \
			"$(floor_zc_cells "floor_memfd_in_$_mtu" rcv snd)" \
			"$(floor_zc_cells "floor_memfd_inrecv_$_mtu" rcv snd)"
	done
}

# floor_main() - FLOOR_RUNS rounds over MTUs and directions, then the table
floor_main() {
	bench_init "fl$$"
	trap 'bench_net_down' EXIT
	trap 'exit 1' INT TERM HUP PIPE
	command -v iperf3 > /dev/null || { bench_log "no iperf3"; exit 1; }
	bench_net_up || { bench_log "sandbox set-up failed"; exit 1; }
	if [ -n "$FLOOR_PACED" ]; then
		floor_zc_build || { bench_log "zc_floor did not build"; exit 1; }
		FLOOR_LOAD0=$(cut -d ' ' -f 1-3 /proc/loadavg)
		floor_paced_main
		return
	fi
	if [ "$FLOOR_ZC" != 0 ] && ! floor_zc_build; then
		bench_note "zc_floor did not build: its runs left out"
		FLOOR_ZC=0
	fi
	FLOOR_LOAD0=$(cut -d ' ' -f 1-3 /proc/loadavg)
	for _round in $(seq "$FLOOR_RUNS"); do
		for _mtu in ${BENCH_MTUS:-65520 1500}; do
			ip -n "$BENCH_H1" link set up0 mtu "$_mtu"
			ip -n "$BENCH_H2" link set gw0 mtu "$_mtu"
			for _d in out in; do
				bench_log "socket floor round $_round/$FLOOR_RUNS:" \
					"$_d, MTU $_mtu"
				floor_run "$_d" "$_mtu"
			done
			[ "$FLOOR_ZC" = 0 ] && continue
			for _z in copy zerocopy peek recv; do
				bench_log "socket floor round $_round/$FLOOR_RUNS:" \
					"zc_floor $_z, MTU $_mtu"
				floor_zc_run "$_z" "$_mtu"
			done
		done
	done
	floor_report
}

if [ "$1" = --report ]; then
	# Print the table of a saved raw results file again
	if [ -n "$FLOOR_PACED" ]; then
		BENCH_RESULTS=$2 floor_paced_report
	else
		BENCH_RESULTS=$2 floor_report
	fi
	exit $?
fi
floor_main
