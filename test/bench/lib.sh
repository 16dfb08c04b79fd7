#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test/bench/lib.sh - Benchmark sandbox, setups under test, measurement helpers
#
# Theory of Operation
#
# Every benchmark runs in namespaces this script creates, with names ending
# in a per-run suffix ($$), so parallel runs and other tests never collide:
#
#   BENCH_H1  "the host": where the translator runs; veth up0 192.0.2.1/24,
#             default route via 192.0.2.254; its loopback is "the host"
#             for the splice (loopback) path
#   BENCH_H2  "the internet": veth gw0 192.0.2.254/24, and 198.51.100.1/32
#             on its loopback; all tap-path servers bind to 198.51.100.1
#   BENCH_NS  the namespace behind the translator (the "guest")
#
# A setup is one of:
#   ours    this project's pasta ($PASST_BIN's pasta link) in BENCH_H1,
#           attached to BENCH_NS with --netns
#   debian  /usr/bin/pasta (Debian's 2023 build), same options
#   prev    this project's pasta built from another commit ($PASST_PREV_BIN,
#           see BENCH_PREV in ./run), same options: before/after figures
#   slirp   /usr/bin/slirp4netns 1.2.0 in BENCH_H1, attached to BENCH_NS
#           by path; guest 10.0.2.100, host loopback reachable at 10.0.2.2,
#           inbound loopback forwarding added through its API socket
#   veth    no translator: the "namespace" is BENCH_H1 itself, so the tap
#           path is the plain veth pair and the splice path is h1's
#           loopback (the kernel's own limits)
#
# bench_setup_start() brings one setup up at one MTU (the h1-h2 veth gets the
# same MTU) and records the translator's PID in BENCH_PID (empty for veth);
# bench_setup_stop() tears it down. Measurements append lines
#
#   <setup> TAB <metric> TAB <value>
#
# to $BENCH_RESULTS (value "n/a" when a run failed); bench_median() and the
# report in ./run read them back. Every command that could hang runs under
# timeout(1), and every wait is a bounded poll. Those time-outs run with
# --foreground, staying in the caller's process group, so that ./run can
# stop a whole benchmark script with one signal to that group.

# Names below are used by the scripts sourcing this file
# shellcheck disable=SC2034

BENCH_SRV=198.51.100.1		# Tap-path server address, on h2's loopback
BENCH_PORT_TAP=5201		# iperf3 server in h2
BENCH_PORT_SPLICE_OUT=5301	# iperf3 server on h1's loopback (pasta -T)
BENCH_PORT_SPLICE_IN=5302	# iperf3 server in the namespace (pasta -t)
BENCH_PORT_RR=5401		# bench_rr echo server in h2
BENCH_PORT_CRR=5403		# bench_crr server in h2

BENCH_RUNS=${BENCH_RUNS:-3}
BENCH_TIME=${BENCH_TIME:-5}
BENCH_HZ=$(getconf CLK_TCK)

# bench_log() - Print a progress line on standard error
# $*:	Message
bench_log() {
	printf '[bench %s] %s\n' "$(date -u +%T)" "$*" >&2
}

# bench_note() - Record a note for the report (why a setup failed, etc.)
# $*:	Note, one line
bench_note() {
	bench_log "$*"
	printf '%s\n' "$(printf '%s' "$*" | tr -d '\r' | head -c 300)" \
		>> "$BENCH_RESULTS.notes"
}

# bench_init() - Set namespace names, working directory and result file
# $1:	Suffix for namespace names (normally $$)
bench_init() {
	BENCH_H1="bh1_$1"
	BENCH_H2="bh2_$1"
	BENCH_NS="bns_$1"
	BENCH_TMP=$(mktemp -d /tmp/bench.XXXXXX)
	if [ -z "$BENCH_RESULTS" ]; then
		# Script run on its own: keep the figures after clean-up
		BENCH_RESULTS=$(mktemp /tmp/bench-results.XXXXXX)
		bench_log "results in $BENCH_RESULTS"
	fi
	: >> "$BENCH_RESULTS"
	BENCH_PID=
	BENCH_BG=
	export BENCH_H1 BENCH_H2 BENCH_NS BENCH_TMP BENCH_RESULTS
}

# bench_net_up() - Create h1 and h2 joined by a veth pair (see header)
#
# Return: 0 on success
bench_net_up() {
	ip netns add "$BENCH_H1" && ip netns add "$BENCH_H2" || return 1
	ip link add up0 netns "$BENCH_H1" type veth peer name gw0 \
		netns "$BENCH_H2" || return 1
	ip -n "$BENCH_H1" link set lo up
	ip -n "$BENCH_H2" link set lo up
	ip -n "$BENCH_H1" link set up0 up
	ip -n "$BENCH_H2" link set gw0 up
	ip -n "$BENCH_H2" addr add 192.0.2.254/24 dev gw0
	ip -n "$BENCH_H2" addr add "$BENCH_SRV/32" dev lo
	ip -n "$BENCH_H1" addr add 192.0.2.1/24 dev up0
	ip -n "$BENCH_H1" route add default via 192.0.2.254 dev up0
	for _n in "$BENCH_H1" "$BENCH_H2"; do
		ip netns exec "$_n" sysctl -qw \
			net.ipv4.ip_local_port_range="10000 65000"
		ip netns exec "$_n" sysctl -qw net.ipv4.tcp_tw_reuse=1
	done
}

# bench_net_down() - Stop background helpers and remove all namespaces
bench_net_down() {
	bench_setup_stop
	for _n in "$BENCH_NS" "$BENCH_H1" "$BENCH_H2"; do
		ip netns del "$_n" 2>/dev/null
	done
	[ -n "$BENCH_TMP" ] && rm -rf "$BENCH_TMP"
}

# bench_kill() - Terminate a process we started, KILL after 3 s
# $1:	PID (may be empty)
bench_kill() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || return 0
	for _i in $(seq 30); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
}

# bench_bg() - Start a background command and remember its PID for clean-up
# $@:	Command
bench_bg() {
	"$@" >/dev/null 2>&1 &
	BENCH_BG="$BENCH_BG $!"
}

# bench_in() - Run a command in the setup's namespace
# $@:	Command
bench_in() {
	ip netns exec "$BENCH_IN" "$@"
}

# bench_wait_listen() - Wait up to 5 s for a TCP listener in a namespace
# $1:	Namespace
# $2:	Port
#
# Return: 0 once listening, 1 on time-out
bench_wait_listen() {
	for _i in $(seq 50); do
		ip netns exec "$1" ss -Htln "sport = :$2" 2>/dev/null |
			grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# bench_wait_addr() - Wait up to 10 s for a global IPv4 address in BENCH_NS
# $1:	PID of the translator, which must stay alive meanwhile
#
# Return: 0 once configured, 1 on time-out or if the translator exited
bench_wait_addr() {
	for _i in $(seq 100); do
		kill -0 "$1" 2>/dev/null || return 1
		ip -n "$BENCH_NS" -4 addr show scope global 2>/dev/null |
			grep -q inet && return 0
		sleep 0.1
	done
	return 1
}

# bench_pasta_bin() - Path of the pasta binary for a setup
# $1:	Setup: ours, prev or debian
bench_pasta_bin() {
	if [ "$1" = debian ]; then
		echo /usr/bin/pasta
		return
	fi
	if [ "$1" = prev ]; then
		echo "$(dirname "${PASST_PREV_BIN:-/nonexistent/passt}")/pasta"
		return
	fi
	case "${PASST_BIN:-./passt}" in
	*pasta*)	echo "${PASST_BIN}" ;;
	*)		echo "$(dirname "${PASST_BIN:-./passt}")/pasta" ;;
	esac
}

# bench_pasta_start() - Start a pasta attached to BENCH_NS
# $1:	Setup: ours, prev or debian
# $2:	MTU
#
# Return: 0 with BENCH_PID set, 1 if it did not come up
bench_pasta_start() {
	_bin=$(bench_pasta_bin "$1")
	[ -x "$_bin" ] || { bench_note "$1: $_bin not found"; return 1; }
	_fwd="-t $BENCH_PORT_SPLICE_IN -T $BENCH_PORT_SPLICE_OUT -u none -U none"
	# Debian's build drops to nobody as root and then cannot join the
	# namespace: keep root with --runas 0; retry without it if refused
	for _runas in "--runas 0" ""; do
		# shellcheck disable=SC2086
		ip netns exec "$BENCH_H1" "$_bin" --config-net -f $_runas \
			-m "$2" $_fwd --netns "/run/netns/$BENCH_NS" \
			> "$BENCH_TMP/$1.log" 2>&1 &
		BENCH_PID=$!
		bench_wait_addr "$BENCH_PID" && return 0
		bench_kill "$BENCH_PID"
		BENCH_PID=
	done
	bench_note "$1, MTU $2: pasta did not come up:" \
		"$(tail -n 2 "$BENCH_TMP/$1.log" | tr '\n' ' ')"
	return 1
}

# bench_slirp_hostfwd() - Forward h1 loopback splice-in port to the guest
#
# Return: 0 on success
bench_slirp_hostfwd() {
	_req='{"execute": "add_hostfwd", "arguments": {"proto": "tcp",'
	_req="$_req \"host_addr\": \"127.0.0.1\", \"host_port\":"
	_req="$_req $BENCH_PORT_SPLICE_IN, \"guest_port\":"
	_req="$_req $BENCH_PORT_SPLICE_IN}}"
	printf '%s' "$_req" | ip netns exec "$BENCH_H1" timeout --foreground 5 \
		socat -t 2 - "UNIX-CONNECT:$BENCH_TMP/slirp.sock" |
		grep -q '"return"'
}

# bench_slirp_start() - Start slirp4netns attached to BENCH_NS
# $1:	MTU
#
# Return: 0 with BENCH_PID set, 1 if it did not come up
bench_slirp_start() {
	rm -f "$BENCH_TMP/slirp.sock"
	ip netns exec "$BENCH_H1" /usr/bin/slirp4netns --configure \
		--mtu="$1" --netns-type=path -a "$BENCH_TMP/slirp.sock" \
		"/run/netns/$BENCH_NS" tap0 > "$BENCH_TMP/slirp.log" 2>&1 &
	BENCH_PID=$!
	if ! bench_wait_addr "$BENCH_PID"; then
		bench_note "slirp, MTU $1: did not come up:" \
			"$(tail -n 2 "$BENCH_TMP/slirp.log" | tr '\n' ' ')"
		return 1
	fi
	bench_slirp_hostfwd || bench_note "slirp: add_hostfwd failed"
	return 0
}

# bench_setup_start() - Bring up one setup at one MTU
# $1:	Setup: ours, debian, slirp or veth
# $2:	MTU
#
# Return: 0 on success, 1 if the translator failed to start
bench_setup_start() {
	BENCH_SETUP=$1
	BENCH_PID=
	ip -n "$BENCH_H1" link set up0 mtu "$2"
	ip -n "$BENCH_H2" link set gw0 mtu "$2"
	if [ "$1" = veth ]; then
		BENCH_IN=$BENCH_H1
		BENCH_HOSTLO=127.0.0.1
		return 0
	fi
	ip netns add "$BENCH_NS" || return 1
	ip netns exec "$BENCH_NS" sysctl -qw \
		net.ipv4.ip_local_port_range="10000 65000"
	BENCH_IN=$BENCH_NS
	case "$1" in
	slirp)	BENCH_HOSTLO=10.0.2.2; bench_slirp_start "$2" ;;
	*)	BENCH_HOSTLO=127.0.0.1; bench_pasta_start "$1" "$2" ;;
	esac
}

# bench_setup_stop() - Stop the translator, helpers, and remove BENCH_NS
bench_setup_stop() {
	for _p in $BENCH_BG; do
		bench_kill "$_p"
	done
	BENCH_BG=
	bench_kill "$BENCH_PID"
	BENCH_PID=
	ip netns del "$BENCH_NS" 2>/dev/null
	return 0
}

# bench_cpu_ticks() - Clock ticks (user + system) used by a process so far
# $1:	PID, may be empty
#
# Print: ticks, or nothing if there is no such process
bench_cpu_ticks() {
	[ -n "$1" ] || return 0
	# Fields after the ")" closing comm: utime is the 12th, stime 13th
	sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null |
		awk '{ print $12 + $13 }'
}

# bench_rss_kib() - Peak resident set size of a process
# $1:	PID, may be empty
#
# Print: VmHWM in KiB, or nothing
bench_rss_kib() {
	[ -n "$1" ] || return 0
	awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}

# bench_record() - Append one result line
# $1:	Setup
# $2:	Metric name
# $3:	Value, or empty for n/a
bench_record() {
	printf '%s\t%s\t%s\n' "$1" "$2" "${3:-n/a}" >> "$BENCH_RESULTS"
}

# bench_median() - Median of the recorded values of one metric
# $1:	Setup
# $2:	Metric name
#
# Print: median of the numeric values, "n/a" if none
bench_median() {
	awk -F '\t' -v s="$1" -v m="$2" '
		$1 == s && $2 == m && $3 != "n/a" { v[n++] = $3 }
		END {
			if (!n) { print "n/a"; exit }
			for (i = 1; i < n; i++)
				for (j = i; j > 0 && v[j - 1] + 0 > v[j] + 0; j--) {
					t = v[j]; v[j] = v[j - 1]; v[j - 1] = t
				}
			if (n % 2) print v[int(n / 2)]
			else print (v[n / 2 - 1] + v[n / 2]) / 2
		}' "$BENCH_RESULTS"
}

# bench_div() - Ratio of two figures as "0.00x"
# $1:	Numerator, or "n/a"
# $2:	Denominator, or "n/a"
#
# Print: the ratio, "n/a" if a figure is missing or the denominator is 0
bench_div() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "n/a" || b == "n/a" || b + 0 == 0) print "n/a"
		else printf "%.2fx\n", a / b }'
}

# bench_reach() - Whether a ratio reaches a target
# $1:	Ratio as printed ("1.23x" or "n/a")
# $2:	Target
# $3:	Word if it does
# $4:	Word if it doesn't
bench_reach() {
	awk -v r="${1%x}" -v t="$2" -v y="$3" -v n="$4" 'BEGIN {
		if (r == "n/a") print "n/a"
		else print (r + 0 >= t) ? y : n }'
}

# bench_max() - Largest recorded value of one metric
# $1:	Setup
# $2:	Metric name
#
# Print: maximum of the numeric values, "n/a" if none
bench_max() {
	awk -F '\t' -v s="$1" -v m="$2" '
		$1 == s && $2 == m && $3 != "n/a" {
			if (!n++ || $3 + 0 > x + 0) x = $3
		}
		END { print n ? x : "n/a" }' "$BENCH_RESULTS"
}

# bench_failures() - Count failed runs of one metric
# $1:	Setup
# $2:	Metric name
#
# Print: number of "n/a" values recorded
bench_failures() {
	awk -F '\t' -v s="$1" -v m="$2" '
		$1 == s && $2 == m && $3 == "n/a" { n++ }
		END { print n + 0 }' "$BENCH_RESULTS"
}

# bench_iperf3_parse() - Bytes, rate and retransmissions, from iperf3 -J
# $1:	File with iperf3's JSON output
#
# Print: "<bytes> <Gbit/s> <retransmits>" from the end.sum_received and
# end.sum_sent blocks ("n/a" for missing retransmits), nothing on error
bench_iperf3_parse() {
	awk '
		/"sum_sent"/ { s = 1 }
		s && /"retransmits"/ { gsub(/[^0-9]/, "", $2); rt = $2; s = 0 }
		/"sum_received"/ { r = 1 }
		r && /"bytes"/ { gsub(/[^0-9.]/, "", $2); b = $2 }
		r && /"bits_per_second"/ {
			gsub(/[^0-9.eE+]/, "", $2)
			printf "%s %.3f %s\n", b, $2 / 1e9, rt == "" ? "n/a" : rt
			exit
		}' "$1"
}

# bench_iperf3() - One iperf3 TCP run against a fresh one-off server
# $1:	Namespace of the server
# $2:	Server bind address, or "" for all
# $3:	Namespace of the client
# $4:	Address the client connects to
# $5:	Port
# $6:	Extra client options (e.g. -R)
#
# Print: as bench_iperf3_parse(), nothing on failure
bench_iperf3() {
	_bind=${2:+-B $2}
	# shellcheck disable=SC2086
	ip netns exec "$1" timeout --foreground $((BENCH_TIME + 30)) \
		iperf3 -s -1 $_bind -p "$5" > /dev/null 2>&1 &
	_srv=$!
	if ! bench_wait_listen "$1" "$5"; then
		bench_kill "$_srv"
		return 1
	fi
	# shellcheck disable=SC2086
	ip netns exec "$3" timeout --foreground $((BENCH_TIME + 20)) \
		iperf3 -J \
		--connect-timeout 5000 -c "$4" -p "$5" -t "$BENCH_TIME" $6 \
		> "$BENCH_TMP/iperf3.json" 2>/dev/null
	bench_kill "$_srv"
	bench_iperf3_parse "$BENCH_TMP/iperf3.json"
}

# bench_cpu_per_gbit() - CPU seconds per Gbit moved
# $1:	Clock ticks
# $2:	Bytes moved
bench_cpu_per_gbit() {
	awk -v t="$1" -v hz="$BENCH_HZ" -v b="$2" \
		'BEGIN { printf "%.4f", t / hz / (b * 8 / 1e9) }'
}

# bench_throughput() - Run one throughput measurement BENCH_RUNS times
# $1:	Metric name
# $2..$7: As $1..$6 of bench_iperf3()
#
# Records <metric> (Gbit/s), <metric>_cpu (translator CPU s per Gbit) and
# <metric>_retr (sender's TCP retransmissions per run)
bench_throughput() {
	_m=$1
	shift
	for _r in $(seq "$BENCH_RUNS"); do
		_t0=$(bench_cpu_ticks "$BENCH_PID")
		_out=$(bench_iperf3 "$@")
		_t1=$(bench_cpu_ticks "$BENCH_PID")
		_bytes=${_out%% *}
		_retr=${_out##* }
		_gbps=${_out#* }
		_gbps=${_gbps% *}
		if [ -z "$_out" ] || [ "$_bytes" = 0 ]; then
			for _x in "" _cpu _retr; do
				bench_record "$BENCH_SETUP" "$_m$_x" ""
			done
			continue
		fi
		bench_record "$BENCH_SETUP" "$_m" "$_gbps"
		bench_record "$BENCH_SETUP" "${_m}_retr" "$_retr"
		[ -n "$_t0" ] && [ -n "$_t1" ] &&
			bench_record "$BENCH_SETUP" "${_m}_cpu" \
				"$(bench_cpu_per_gbit $((_t1 - _t0)) "$_bytes")"
	done
	bench_log "$BENCH_SETUP $_m: $(bench_median "$BENCH_SETUP" "$_m") Gbit/s"
}

# bench_record_rss() - Record the translator's peak RSS in MiB
bench_record_rss() {
	_kib=$(bench_rss_kib "$BENCH_PID")
	[ -n "$_kib" ] || return 0
	bench_record "$BENCH_SETUP" rss_mib \
		"$(awk -v k="$_kib" 'BEGIN { printf "%.1f", k / 1024 }')"
}

# bench_tools_build() - Compile test/tools/bench_*.c into BENCH_TOOLS
# $1:	Repository root
#
# Return: 0 on success
bench_tools_build() {
	BENCH_TOOLS=${BENCH_TOOLS:-$1/test/build/bench}
	export BENCH_TOOLS
	mkdir -p "$BENCH_TOOLS" || return 1
	for _t in bench_rr bench_crr bench_relay; do
		[ -x "$BENCH_TOOLS/$_t" ] && [ -z "$(find "$1/test/tools/$_t.c" \
			-newer "$BENCH_TOOLS/$_t")" ] && continue
		${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -Wall -Wextra \
			"$1/test/tools/$_t.c" -o "$BENCH_TOOLS/$_t" || return 1
	done
}
