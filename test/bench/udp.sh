#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test/bench/udp.sh - UDP throughput at offered rates, loss, latency
#
# BENCH_RUNS rounds; in each, for each setup in BENCH_SETUPS (lib.sh:
# ours, debian, slirp, veth) at the first MTU of BENCH_MTUS, bring the setup
# up and measure, with iperf3 -u against a one-off server in h2 (the tap
# path), for each offered rate R in UDP_RATES (Gbit/s, default "1 2 4 8")
# and datagram size L in UDP_SIZES (bytes, default "1400 8000"):
#
#   udp_out_<L>_<R>G       namespace -> h2: rate received by h2, Gbit/s
#   udp_out_<L>_<R>G_loss  the same run's loss, % of datagrams sent
#   udp_in_<L>_<R>G        iperf3 -R, h2 -> namespace: received, Gbit/s
#   udp_in_<L>_<R>G_loss   loss, %
#   udp_lat_mean_us        bench_rr -u, 64-byte UDP ping-pong to h2, mean
#   udp_lat_p99_us         the same run's 99th percentile
#
# and, computed from the medians once all rounds are done:
#
#   udp_<dir>_<L>_max_ok   highest offered rate (Gbit/s) whose median loss
#                          is under 1 %, 0 if none
#
# Each run lasts UDP_TIME seconds (default 2), with 4 MiB socket buffers
# at both iperf3 ends (-w 4M). Loss includes what the receiving iperf3
# could not read in time, the same for every setup: on a loaded machine
# that dominates, so compare setups within one report. Results go to
# $BENCH_RESULTS (see lib.sh); a summary table is printed on standard
# output, progress on standard error.
#
# Environment: BENCH_SETUPS, BENCH_MTUS, BENCH_RUNS, PASST_BIN,
# BENCH_RESULTS, BENCH_TOOLS (see README.md), UDP_RATES, UDP_SIZES,
# UDP_TIME.

BENCH_LIB_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_LIB_DIR/lib.sh"

UDP_RATES=${UDP_RATES:-1 2 4 8}
UDP_SIZES=${UDP_SIZES:-1400 8000}
UDP_TIME=${UDP_TIME:-2}
UDP_PORT_RR=5402		# bench_rr -u echo server in h2

# udp_iperf3_parse() - Received rate and loss from iperf3 -u -J output
# $1:	JSON file
#
# Print: "<Gbit/s received> <loss %>" from end.sum_received, nothing if
# the block is missing
udp_iperf3_parse() {
	awk '
		/"sum_received"/ { r = 1 }
		r && /"bits_per_second"/ { gsub(/[^0-9.eE+]/, "", $2); bps = $2 }
		r && /"lost_percent"/ {
			gsub(/[^0-9.eE+-]/, "", $2)
			printf "%.3f %.3f\n", bps / 1e9, $2
			exit
		}' "$1"
}

# udp_iperf3() - One iperf3 -u run against a fresh one-off server in h2
# $1:	Offered rate, Gbit/s
# $2:	Datagram size, bytes
# $3:	Extra client options (-R for h2 -> namespace)
#
# Print: as udp_iperf3_parse(), nothing on failure
udp_iperf3() {
	ip netns exec "$BENCH_H2" timeout --foreground $((UDP_TIME + 30)) \
		iperf3 -s -1 -B "$BENCH_SRV" -p "$BENCH_PORT_TAP" \
		> /dev/null 2>&1 &
	_srv=$!
	if ! bench_wait_listen "$BENCH_H2" "$BENCH_PORT_TAP"; then
		bench_kill "$_srv"
		return 1
	fi
	# shellcheck disable=SC2086
	bench_in timeout --foreground $((UDP_TIME + 20)) iperf3 -J -u \
		--connect-timeout 5000 -c "$BENCH_SRV" -p "$BENCH_PORT_TAP" \
		-b "${1}G" -l "$2" -t "$UDP_TIME" -w 4M $3 \
		> "$BENCH_TMP/iperf3u.json" 2>/dev/null
	bench_kill "$_srv"
	udp_iperf3_parse "$BENCH_TMP/iperf3u.json"
}

# udp_measure() - Measure and record one direction, size and rate
# $1:	Direction: out or in
# $2:	Datagram size, bytes
# $3:	Offered rate, Gbit/s
udp_measure() {
	_m="udp_$1_$2_$3G"
	_opt=
	[ "$1" = in ] && _opt=-R
	_o=$(udp_iperf3 "$3" "$2" "$_opt")
	bench_record "$BENCH_SETUP" "$_m" "${_o%% *}"
	bench_record "$BENCH_SETUP" "${_m}_loss" "${_o##* }"
	bench_log "$BENCH_SETUP $_m: ${_o:-failed} (Gbit/s, loss %)"
}

# udp_latency() - UDP ping-pong latency to h2; records mean and p99
udp_latency() {
	_o=$(bench_in timeout --foreground $((UDP_TIME + 10)) \
		"$BENCH_TOOLS/bench_rr" -u -t "$UDP_TIME" \
		"$BENCH_SRV" "$UDP_PORT_RR" 2>/dev/null) || _o=
	bench_record "$BENCH_SETUP" udp_lat_mean_us \
		"$(echo "$_o" | sed -n 's/.*mean_us=\([0-9.]*\).*/\1/p')"
	bench_record "$BENCH_SETUP" udp_lat_p99_us \
		"$(echo "$_o" | sed -n 's/.*p99_us=\([0-9.]*\).*/\1/p')"
	bench_log "$BENCH_SETUP UDP latency: $_o"
}

# udp_phase() - Measure one setup
# $1:	Setup
# $2:	MTU
udp_phase() {
	bench_log "$1: MTU $2 (UDP)"
	if ! bench_setup_start "$1" "$2"; then
		bench_setup_stop
		return
	fi
	for _l in $UDP_SIZES; do
		for _r in $UDP_RATES; do
			udp_measure out "$_l" "$_r"
			udp_measure in "$_l" "$_r"
		done
	done
	bench_bg ip netns exec "$BENCH_H2" "$BENCH_TOOLS/bench_rr" -s -u \
		"$BENCH_SRV" "$UDP_PORT_RR"
	sleep 0.2	# UDP server: nothing to poll for but the process
	udp_latency
	bench_setup_stop
}

# udp_max_ok() - Record the highest offered rate with median loss < 1 %
# $1:	Setup
# $2:	Direction
# $3:	Datagram size
udp_max_ok() {
	_best=0
	for _r in $UDP_RATES; do
		_loss=$(bench_median "$1" "udp_$2_$3_${_r}G_loss")
		[ "$_loss" = n/a ] && continue
		awk -v l="$_loss" 'BEGIN { exit !(l < 1) }' && _best=$_r
	done
	bench_record "$1" "udp_$2_$3_max_ok" "$_best"
}

# udp_summary() - Print a Markdown table: received rate and loss per setup
udp_summary() {
	printf '| Direction, size, offered |'
	for _s in $BENCH_SETUPS; do
		printf ' %s Gbit/s (loss %%) |' "$_s"
	done
	printf '\n|---|'
	for _s in $BENCH_SETUPS; do
		printf -- '---:|'
	done
	printf '\n'
	for _d in out in; do
		for _l in $UDP_SIZES; do
			for _r in $UDP_RATES; do
				printf '| %s %s B %s Gbit/s |' "$_d" "$_l" "$_r"
				for _s in $BENCH_SETUPS; do
					printf ' %s (%s) |' \
					"$(bench_median "$_s" "udp_${_d}_${_l}_${_r}G")" \
					"$(bench_median "$_s" "udp_${_d}_${_l}_${_r}G_loss")"
				done
				printf '\n'
			done
			printf '| %s %s B: highest rate, loss < 1 %% |' "$_d" "$_l"
			for _s in $BENCH_SETUPS; do
				printf ' %s |' "$(bench_median "$_s" \
					"udp_${_d}_${_l}_max_ok")"
			done
			printf '\n'
		done
	done
	printf '| UDP 64 B ping-pong, mean / p99 (us) |'
	for _s in $BENCH_SETUPS; do
		printf ' %s / %s |' "$(bench_median "$_s" udp_lat_mean_us)" \
			"$(bench_median "$_s" udp_lat_p99_us)"
	done
	printf '\n\nTargets (ours): 0 %% loss at 2 Gbit/s; highest rate with'
	printf ' loss < 1 %% at least 2x Debian pasta'"'"'s.\n'
}

# udp_bench_main() - Every setup, BENCH_RUNS interleaved rounds, summary
udp_bench_main() {
	bench_init "udp$$"
	trap 'bench_net_down' EXIT
	trap 'exit 1' INT TERM
	BENCH_SETUPS=${BENCH_SETUPS:-ours debian slirp veth}
	bench_tools_build "$(cd "$BENCH_LIB_DIR/../.." && pwd)" || exit 1
	bench_net_up || { bench_log "sandbox set-up failed"; exit 1; }
	_mtu=${BENCH_MTUS:-65520 1500}
	_mtu=${_mtu%% *}
	for _round in $(seq "$BENCH_RUNS"); do
		for _s in $BENCH_SETUPS; do
			bench_log "UDP round $_round/$BENCH_RUNS"
			udp_phase "$_s" "$_mtu"
		done
	done
	for _s in $BENCH_SETUPS; do
		for _d in out in; do
			for _l in $UDP_SIZES; do
				udp_max_ok "$_s" "$_d" "$_l"
			done
		done
	done
	udp_summary
}

udp_bench_main
