#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test/bench/tcp.sh - TCP throughput, latency and connection rate, all setups
#
# BENCH_RUNS rounds; in each, for each setup in BENCH_SETUPS and each MTU in
# BENCH_MTUS, bring the setup up (lib.sh) and measure once:
#
#   tcp_out_<mtu>  iperf3, namespace -> h2 (tap path), Gbit/s
#   tcp_in_<mtu>   iperf3 -R, h2 -> namespace (tap path), Gbit/s
# and at the first MTU only:
#   splice_out     iperf3, namespace -> h1 loopback (pasta -T), Gbit/s
#   splice_in      iperf3, h1 loopback -> namespace (pasta -t), Gbit/s
#   splice_relay   veth only: iperf3 on h1's loopback through bench_relay,
#                  the most a splice() relay reaches, Gbit/s
#   lat_mean_us    bench_rr, 64-byte TCP ping-pong to h2, mean, us
#   lat_p99_us     the same run's 99th percentile, us
#   conn_per_s     bench_crr to h2: connect, 1-byte request/response, close
#
# With the translator's CPU seconds per Gbit for each throughput figure
# (<metric>_cpu) and its peak RSS (rss_mib, once per MTU). Results are
# appended to $BENCH_RESULTS (see lib.sh); progress goes to standard error.
#
# Environment: BENCH_SETUPS (default "ours debian slirp veth"), BENCH_MTUS
# (default "65520 1500"), BENCH_RUNS, BENCH_TIME, PASST_BIN, BENCH_RESULTS.

BENCH_LIB_DIR=$(cd "$(dirname "$0")" && pwd)
. "$BENCH_LIB_DIR/lib.sh"

# tcp_bench_rr() - Latency runs; records lat_mean_us and lat_p99_us
tcp_bench_rr() {
	for _r in $(seq "$BENCH_RUNS"); do
		_o=$(bench_in timeout --foreground $((BENCH_TIME + 10)) \
			"$BENCH_TOOLS/bench_rr" -t "$BENCH_TIME" \
			"$BENCH_SRV" "$BENCH_PORT_RR" 2>/dev/null) || _o=
		_mean=$(echo "$_o" | sed -n 's/.*mean_us=\([0-9.]*\).*/\1/p')
		_p99=$(echo "$_o" | sed -n 's/.*p99_us=\([0-9.]*\).*/\1/p')
		bench_record "$BENCH_SETUP" lat_mean_us "$_mean"
		bench_record "$BENCH_SETUP" lat_p99_us "$_p99"
	done
	bench_log "$BENCH_SETUP latency: $(bench_median "$BENCH_SETUP" \
		lat_mean_us) us mean, $(bench_median "$BENCH_SETUP" \
		lat_p99_us) us p99"
}

# tcp_bench_crr() - Connection rate runs; records conn_per_s
tcp_bench_crr() {
	for _r in $(seq "$BENCH_RUNS"); do
		_o=$(bench_in timeout --foreground $((BENCH_TIME + 10)) \
			"$BENCH_TOOLS/bench_crr" -t "$BENCH_TIME" \
			"$BENCH_SRV" "$BENCH_PORT_CRR" 2>/dev/null) || _o=
		bench_record "$BENCH_SETUP" conn_per_s \
			"$(echo "$_o" | sed -n 's/.*conn_per_s=\([0-9]*\).*/\1/p')"
	done
	bench_log "$BENCH_SETUP conn rate: $(bench_median "$BENCH_SETUP" \
		conn_per_s) /s"
}

# tcp_bench_splice() - Loopback (splice) path throughput, both directions;
# for veth also through the minimal relay, 127.0.0.2 to 127.0.0.1 on h1
tcp_bench_splice() {
	bench_throughput splice_out "$BENCH_H1" 127.0.0.1 "$BENCH_IN" \
		"$BENCH_HOSTLO" "$BENCH_PORT_SPLICE_OUT" ""
	bench_throughput splice_in "$BENCH_IN" "" "$BENCH_H1" 127.0.0.1 \
		"$BENCH_PORT_SPLICE_IN" ""
	[ "$BENCH_SETUP" = veth ] || return
	bench_bg ip netns exec "$BENCH_H1" "$BENCH_TOOLS/bench_relay" \
		127.0.0.2 "$BENCH_PORT_SPLICE_OUT" 127.0.0.1 \
		"$BENCH_PORT_SPLICE_OUT"
	bench_throughput splice_relay "$BENCH_H1" 127.0.0.1 "$BENCH_H1" \
		127.0.0.2 "$BENCH_PORT_SPLICE_OUT" ""
}

# tcp_bench_fail() - Record n/a for every metric of a phase that failed
# $1:	Setup
# $2:	MTU
# $3:	"first" if this is the first MTU (splice, latency, rate phase)
tcp_bench_fail() {
	_ms="tcp_out_$2 tcp_in_$2"
	[ "$3" = first ] && _ms="$_ms splice_out splice_in lat_mean_us \
		lat_p99_us conn_per_s"
	for _m in $_ms; do
		bench_record "$1" "$_m" ""
	done
}

# tcp_bench_phase() - Measure one setup at one MTU
# $1:	Setup
# $2:	MTU
# $3:	"first" if this is the first MTU
tcp_bench_phase() {
	bench_log "$1: MTU $2"
	if ! bench_setup_start "$1" "$2"; then
		tcp_bench_fail "$@"
		bench_setup_stop
		return
	fi
	bench_throughput "tcp_out_$2" "$BENCH_H2" "$BENCH_SRV" "$BENCH_IN" \
		"$BENCH_SRV" "$BENCH_PORT_TAP" ""
	bench_throughput "tcp_in_$2" "$BENCH_H2" "$BENCH_SRV" "$BENCH_IN" \
		"$BENCH_SRV" "$BENCH_PORT_TAP" "-R"
	if [ "$3" = first ]; then
		tcp_bench_splice
		bench_bg ip netns exec "$BENCH_H2" "$BENCH_TOOLS/bench_rr" -s \
			"$BENCH_SRV" "$BENCH_PORT_RR"
		bench_bg ip netns exec "$BENCH_H2" "$BENCH_TOOLS/bench_crr" -s \
			"$BENCH_SRV" "$BENCH_PORT_CRR"
		bench_wait_listen "$BENCH_H2" "$BENCH_PORT_RR"
		bench_wait_listen "$BENCH_H2" "$BENCH_PORT_CRR"
		tcp_bench_rr
		tcp_bench_crr
	fi
	bench_record_rss
	bench_setup_stop
}

# tcp_bench_main() - Run every setup at every MTU, BENCH_RUNS rounds
#
# Rounds are interleaved (each round runs every setup once) so that load
# from other work on the machine spreads over all setups alike; every other
# round runs them in reverse order (ABBA), so that none always comes first
# after the sandbox or right after the same other setup.
tcp_bench_main() {
	bench_init "tcp$$"
	trap 'bench_net_down' EXIT
	trap 'exit 1' INT TERM HUP PIPE
	bench_tools_build "$(cd "$BENCH_LIB_DIR/../.." && pwd)" || exit 1
	bench_net_up || { bench_log "sandbox set-up failed"; exit 1; }
	_rounds=$BENCH_RUNS
	BENCH_RUNS=1
	for _round in $(seq "$_rounds"); do
		_setups=${BENCH_SETUPS:-ours debian slirp veth}
		[ $((_round % 2)) = 0 ] && _setups=$(echo "$_setups" |
			awk '{ for (i = NF; i > 0; i--) printf "%s ", $i }')
		for _s in $_setups; do
			_first=first
			for _mtu in ${BENCH_MTUS:-65520 1500}; do
				bench_log "round $_round/$_rounds"
				tcp_bench_phase "$_s" "$_mtu" "$_first"
				_first=
			done
		done
	done
}

tcp_bench_main
