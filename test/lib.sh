#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/lib.sh - Helpers for integration tests: sandboxes, clean-up, polling
#
# Theory of Operation
#
# A test sources this file, calls sandbox_create, and runs the binary under
# test inside the sandbox: namespace H1 plays the host pasta/passt runs on,
# namespace H2 the gateway and "the internet", joined by a veth pair:
#
#   H1: up0 192.0.2.1/24 2001:db8::1/64  <-->  H2: gw0 192.0.2.254/24
#       default via 192.0.2.254 / 2001:db8::fe      2001:db8::fe/64
#       198.51.100.0/24 via 192.0.2.254              lo: 198.51.100.1/32
#
# Names carry the test's PID ($$) so tests may run in parallel. No traffic
# leaves the sandbox: only 192.0.2.0/24, 198.51.100.0/24 and 2001:db8::/32
# are used, and commands run in H1 see a private /etc/resolv.conf (a bind
# mount in their own mount namespace) naming 192.0.2.254, so the machine's
# resolver is never asked.
#
# Clean-up: every PID a test starts through bg_start (or registers with
# cleanup_pid) is killed at exit with its descendants, and so is every
# process carrying this test's unique PASST_TEST_RUN environment tag (all
# commands the test runs inherit it, so a daemon that forked away or a
# process orphaned when its wrapper shell died is still found); then
# commands registered with cleanup_add run in reverse order, then sandboxes
# are deleted. Nothing else is killed.
#
# Checks: check "description" command... runs the command, prints "ok" or
# "not ok" with the description (and the command's output on failure), and
# counts. test_done prints "N passed, N failed" and exits 1 on any failure.
# Exit status 77 (skip) is for missing prerequisites only.

set -u

TEST_TOP="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TEST_BUILD="${TEST_TOP}/test/build"
mkdir -p "${TEST_BUILD}"

PASST="${PASST_BIN:-${TEST_TOP}/passt}"
case "${PASST}" in
*.asan) PASTA="$(dirname "${PASST}")/pasta.asan" ;;
*) PASTA="$(dirname "${PASST}")/pasta" ;;
esac

TEST_USER="passt-test"
TEST_PASSED=0
TEST_FAILED=0
LIB_PIDS=()
LIB_CLEANUP=()
LIB_SANDBOXES=()

# Unique tag inherited by every process this test starts, see lib_tagged()
PASST_TEST_RUN="$$-$(date +%s%N)"
export PASST_TEST_RUN

# Scratch directory, world-writable (sticky) so an unprivileged daemon or
# the test user can write pcap, PID and socket files into it
TMP="$(mktemp -d /tmp/passt-test.XXXXXX)"
chmod 1777 "${TMP}"

# ---- Clean-up registry ------------------------------------------------------

# cleanup_pid() - Register a PID this test started, killed at exit
# $1:	PID
cleanup_pid() {
	LIB_PIDS+=("$1")
}

# cleanup_add() - Register a shell command to run at exit
# $*:	command, evaluated
cleanup_add() {
	LIB_CLEANUP+=("$*")
}

# lib_tree() - Print a PID and all its descendants, children first
# $1:	PID
lib_tree() {
	local child

	for child in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		lib_tree "${child}"
	done
	echo "$1"
}

# lib_tagged() - Print PIDs of processes carrying this test's tag
lib_tagged() {
	grep -lsxzF "PASST_TEST_RUN=${PASST_TEST_RUN}" /proc/[0-9]*/environ |
		cut -d/ -f3 | grep -vx -e "$$" -e "${BASHPID}"
}

# lib_kill_list() - Terminate PIDs: TERM, up to 2 s, then KILL
# $@:	PIDs
lib_kill_list() {
	local pid i alive

	[ $# -eq 0 ] && return
	kill "$@" 2>/dev/null
	for i in $(seq 1 40); do
		alive=0
		for pid in "$@"; do
			kill -0 "${pid}" 2>/dev/null && alive=1
		done
		[ "${alive}" -eq 0 ] && return
		sleep 0.05
	done
	kill -9 "$@" 2>/dev/null
}

# bg_leaf() - PID of the command a background job runs: follow single
# children down from the job (a wrapper shell, then the program)
# $1:	PID from bg_start
bg_leaf() {
	local pid="$1" kids

	while :; do
		kids=($(ps -o pid= --ppid "${pid}" 2>/dev/null))
		[ ${#kids[@]} -eq 1 ] || break
		pid="${kids[0]}"
	done
	echo "${pid}"
}

# bg_stop() - Stop a background job and all its descendants, bounded
# $1:	PID from bg_start
# Return: 0 if all of them are gone
bg_stop() {
	local all=() pid

	all=($(lib_tree "$1"))
	lib_kill_list "${all[@]}"
	for pid in "${all[@]}"; do
		kill -0 "${pid}" 2>/dev/null && return 1
	done
	return 0
}

# lib_kill_pids() - Terminate registered PIDs, their descendants and tagged
# processes: TERM, up to 2 s, then KILL
lib_kill_pids() {
	local pid all=()

	for pid in "${LIB_PIDS[@]}"; do
		all+=($(lib_tree "${pid}"))
	done
	all+=($(lib_tagged))
	lib_kill_list "${all[@]}"
	LIB_PIDS=()
}

# lib_cleanup() - Exit trap: PIDs, registered commands, sandboxes, scratch
lib_cleanup() {
	local rc=$? i ns

	trap - EXIT
	lib_kill_pids
	for ((i = ${#LIB_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${LIB_CLEANUP[i]}" 2>/dev/null
	done
	for ns in "${LIB_SANDBOXES[@]}"; do
		ip netns del "${ns}" 2>/dev/null
	done
	[ "${rc}" -ne 0 ] && [ "${rc}" -ne 77 ] && lib_keep_logs
	rm -rf "${TMP}"
	exit "${rc}"
}

# lib_keep_logs() - After a failure, keep the scratch logs (pasta's own
# among them) in test/build/logs/NAME.d/, the last 256 KiB of each
lib_keep_logs() {
	local dir f

	dir="${TEST_BUILD}/logs/$(basename "$0" .sh).d"
	rm -rf "${dir}"
	mkdir -p "${dir}" || return
	for f in "${TMP}"/*.log "${TMP}"/*.txt; do
		[ -f "${f}" ] && tail -c 262144 "${f}" > "${dir}/${f##*/}"
	done
}

trap lib_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# bg_start() - Start a command in the background, output to a log file
# $1:	log file
# $2..:	command (may be a shell function such as h1)
# Sets BG_PID to the PID of the background job, registered for clean-up:
# at exit it is killed with all its descendants
bg_start() {
	local log="$1"
	shift
	"$@" > "${log}" 2>&1 < /dev/null &
	BG_PID=$!
	cleanup_pid "${BG_PID}"
}

# ---- Results ----------------------------------------------------------------

# check() - Run a command as a check, print and count the result
# $1:	description
# $2..:	command; exit status 0 means the check passed
check() {
	local desc="$1" out
	shift

	out="$("$@" 2>&1)"
	if [ $? -eq 0 ]; then
		TEST_PASSED=$((TEST_PASSED + 1))
		echo "ok - ${desc}"
		return 0
	fi
	TEST_FAILED=$((TEST_FAILED + 1))
	echo "not ok - ${desc}"
	echo "    command: $*"
	[ -n "${out}" ] && echo "${out}" | head -n 30 | sed 's/^/    | /'
	return 1
}

# check_grep() - Check that a file has a line matching an extended regexp
# $1:	description
# $2:	file
# $3:	extended regular expression
check_grep() {
	if grep -Eq -- "$3" "$2" 2>/dev/null; then
		TEST_PASSED=$((TEST_PASSED + 1))
		echo "ok - $1"
		return 0
	fi
	TEST_FAILED=$((TEST_FAILED + 1))
	echo "not ok - $1"
	echo "    no line matching /$3/ in $2:"
	head -n 40 "$2" 2>/dev/null | sed 's/^/    | /'
	return 1
}

# check_eq() - Check that two strings are equal
# $1:	description
# $2:	value seen
# $3:	value expected
check_eq() {
	if [ "$2" = "$3" ]; then
		TEST_PASSED=$((TEST_PASSED + 1))
		echo "ok - $1"
		return 0
	fi
	TEST_FAILED=$((TEST_FAILED + 1))
	echo "not ok - $1"
	echo "    got:      '$2'"
	echo "    expected: '$3'"
	return 1
}

# test_done() - Print the summary line and exit: 0 if all checks passed
test_done() {
	echo "${TEST_PASSED} passed, ${TEST_FAILED} failed"
	[ "${TEST_FAILED}" -eq 0 ] && exit 0
	exit 1
}

# skip() - Skip the whole test for a missing prerequisite
# $*:	reason
skip() {
	echo "SKIP: $*"
	exit 77
}

# need_cmd() - Skip unless all named commands are available
# $*:	command names
need_cmd() {
	local c

	for c in "$@"; do
		command -v "${c}" > /dev/null 2>&1 || skip "${c} not installed"
	done
}

# need_root() - Skip unless running as root (sandboxes need it)
need_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root for network namespaces"
}

# need_bin() - Skip unless the binary under test (and its pasta link) exist
need_bin() {
	[ -x "${PASST}" ] || skip "no binary at ${PASST} (set PASST_BIN)"
	[ -x "${PASTA}" ] || skip "no pasta link at ${PASTA}"
}

# guest_ns_create() - Create an empty namespace pasta or passt_tap serves as
# the "guest", removed at clean-up; sets G and defines g() to run in it
# $1:	namespace name
# Return: 0 on success
guest_ns_create() {
	G="$1"
	ip netns add "${G}" || return 1
	LIB_SANDBOXES+=("${G}")
	ip -n "${G}" link set lo up
}

# g() - Run a command in the guest namespace of guest_ns_create()
# $*:	command
g() {
	ip netns exec "${G}" "$@"
}

# sum_is() - Check a file's sha256 against an expected sum
# $1:	file
# $2:	expected "sha256sum < file" output
# Return: 0 if it matches; otherwise 1, and the file's size and sum are
# printed to standard error (a short file and a corrupted one differ there)
sum_is() {
	local sum

	sum="$(sha256sum < "$1" 2>/dev/null)"
	[ "${sum}" = "$2" ] && return 0
	echo "$1: $(stat -c %s "$1" 2>/dev/null || echo no) bytes," \
	     "sha256 ${sum%% *}" >&2
	return 1
}

# tcp_counters_note() - Copy the last TCP line of --stats into the test log
# $1:	log of passt or pasta, run with --stats
# $2:	what the figures follow
# Not a check: a short write (guest data discarded, to be resent) stays
# possible when the kernel's buffer accounting grows after the window was
# offered; the figures show how rare it is
tcp_counters_note() {
	echo "# TCP counters after $2: $(grep "TCP: connections" "$1" |
					 tail -n 1)"
}

# stats_snap() - Last complete block of counters printed by --stats, sorted:
# its "name value" lines, from the first summary line to "stats end"
# $1:	log of passt or pasta run with --stats
stats_snap() {
	local end

	end="$(grep -n '^stats end$' "$1" | tail -n 1 | cut -d: -f1)"
	[ -n "${end}" ] || return 1
	head -n "${end}" "$1" | tac | sed '/^frames in /q' |
		grep -E '^[a-z0-9_]+ [0-9]+$' | sort
}

# stats_value() - Value of a counter in the last complete block
# $1:	log
# $2:	counter name
stats_value() {
	stats_snap "$1" | awk -v n="$2" '$1 == n { print $2; f = 1 }
					  END { exit !f }'
}

# counter_is() - Does a counter hold a value in the last complete block?
# $1:	log
# $2:	counter name
# $3:	value
counter_is() {
	[ "$(stats_value "$1" "$2")" = "$3" ]
}

# counter_at_least() - Has a counter reached a value in a complete block?
# $1:	log
# $2:	counter name
# $3:	value
counter_at_least() {
	local v

	v="$(stats_value "$1" "$2")" && [ "${v}" -ge "$3" ]
}

# stats_fresh() - Wait for two more --stats blocks than the log holds now:
# the last complete one is then read entirely after this call
# $1:	log of passt or pasta run with --stats 1
# Return: 0 once they are there, 1 if they never came (bounded, 15 s)
stats_fresh() {
	local n

	n="$(grep -c '^stats end$' "$1")"
	WAIT_TRIES=300 WAIT_STEP=0.05 wait_for lines_above "$1" \
		'^stats end$' "$((n + 1))"
}

# lines_above() - Does a file hold more than N lines matching a pattern?
# Counted at each call: a condition for wait_for
# $1:	file
# $2:	grep pattern
# $3:	N
lines_above() {
	[ "$(grep -c -- "$2" "$1")" -gt "$3" ]
}

# ---- Ping -------------------------------------------------------------------

# Data pattern of ping_replies(): iputils ping checks every reply against it
PING_PATTERN="5a5aa5a5c3c3"

# ping_replies() - Ping until one run gets all its replies intact: at most
# PING_RUNS (default 3) runs of 3 echo requests (-W 5, data PING_PATTERN).
# An echo lost or late on a loaded machine is retried: whether passt or
# pasta lost it is for ping_drops() to say; a reply with wrong data, a bad
# checksum or a duplicate fails at once, whatever later runs would get
# $1:	namespace to ping from, see ns_run()
# $2:	output file prefix: run N writes PREFIX.N
# $3..:	ping arguments, the destination last
# PING_RETRY, if set, is evaluated after a first run that missed a reply
# Return: 0 once a run got its 3 replies intact; 1 otherwise, with the
# output of the run that failed
ping_replies() {
	local ns="$1" prefix="$2" i out
	shift 2

	for i in $(seq 1 "${PING_RUNS:-3}"); do
		out="${prefix}.${i}"
		ns_run "${ns}" timeout 20 ping -c 3 -i 0.2 -W 5 \
			-p "${PING_PATTERN}" "$@" > "${out}" 2>&1
		grep -Eq 'wrong data|BAD CHECKSUM|DUP!' "${out}" &&
			{ cat "${out}"; return 1; }
		grep -q ' 3 received' "${out}" && return 0
		[ "${i}" = 1 ] && [ -n "${PING_RETRY:-}" ] && eval "${PING_RETRY}"
	done
	cat "${out}"
	return 1
}

# ping_runs() - Number of ping runs ping_replies() made for a prefix
# $1:	output file prefix
ping_runs() {
	local f n=0

	for f in "$1".[0-9]*; do
		[ -e "${f}" ] && n=$((n + 1))
	done
	echo "${n}"
}

# ping_drops() - Counters of passt or pasta that move if it loses an echo
# request or reply: ICMP drops (but icmp_drop_type, which also counts the
# guest's MLD reports, never an echo request), frames to the guest not taken
# $1:	log of passt or pasta run with --stats
ping_drops() {
	stats_snap "$1" |
		awk '($1 ~ /^icmp_drop_/ && $1 != "icmp_drop_type") ||
		     $1 == "tap_drop_out" || $1 == "tap_drop_oneoff" { print }'
}

# ping_drops_still() - Check that ping_drops() shows what it showed before
# $1:	log of passt or pasta run with --stats
# $2:	ping_drops() output taken before; empty if there was none, or no
#	fresh block after: the check then fails
# Return: 0 if the same; 1 otherwise, both printed
ping_drops_still() {
	local now

	now="$(ping_drops "$1")"
	[ -n "$2" ] && [ "${now}" = "$2" ] && return 0
	printf 'before:\n%s\nafter:\n%s\n' \
		"${2:-(no fresh --stats block before or after)}" "${now}"
	return 1
}

# counters_zero() - Check that counter lines ("name value", as ping_drops()
# prints them) are there and all hold 0: over the life of a short pasta,
# whose last block it prints as its command exits
# $1:	the lines
# Return: 0 if so; 1 otherwise, with the lines
counters_zero() {
	[ -n "$1" ] && echo "$1" |
		awk 'NF != 2 || $2 != 0 { bad = 1 } END { exit bad }' && return 0
	printf '%s\n' "${1:-no counters}"
	return 1
}

# ping_checked() - Two checks: pings from a namespace get their replies
# intact (ping_replies(): at most PING_RUNS runs of 3), and passt's or
# pasta's counters for a lost echo (ping_drops()) don't move meanwhile, so
# that a retry hides load, never a loss of the daemon's
# $1:	label
# $2:	log of passt or pasta run with --stats 1
# $3:	namespace to ping from, see ns_run()
# $4:	output file prefix, see ping_replies()
# $5..:	ping arguments, the destination last
ping_checked() {
	local l="$1" log="$2" ns="$3" prefix="$4" drops0=""
	shift 4

	stats_fresh "${log}" && drops0="$(ping_drops "${log}")"
	check "${l}: 3 echo replies, data intact (ping_replies)" \
		ping_replies "${ns}" "${prefix}" "$@"
	stats_fresh "${log}" || drops0=""
	check "${l}: no echo dropped (icmp_drop_* but _type, tap_drop_out, \
tap_drop_oneoff)" ping_drops_still "${log}" "${drops0}"
}

# udp_drops() - Counters of passt or pasta that move if it loses a UDP
# datagram either way, or an ARP or NDP answer the guest needs to reply
# $1:	log of passt or pasta run with --stats
udp_drops() {
	stats_snap "$1" |
		awk '$1 ~ /^udp_drop_/ || $1 == "tap_drop_out" ||
		     $1 == "tap_drop_oneoff" || $1 == "tap_drop_pool" { print }'
}

# ns_hold_sh() - Command for pasta to run in its namespace: write the name
# of its network namespace to FILE, then wait, bounded (120 s), for
# FILE.done; meanwhile the test runs commands there (see ns_hold_pid())
# $1:	file
ns_hold_sh() {
	echo "readlink /proc/self/ns/net > $1.tmp && mv $1.tmp $1
	for i in \$(seq 1200); do [ -e $1.done ] && exit 0; sleep 0.1; done"
}

# ns_hold_pid() - PID, as seen from here, of the command of ns_hold_sh(),
# found by its network namespace: it may have a PID namespace of its own
# $1:	PID from bg_start
# $2:	file given to ns_hold_sh()
# Return: 0 if one was printed
ns_hold_pid() {
	local pid found=""

	# lib_tree lists children first: the last one is the holder itself,
	# not one of its short-lived sleeps
	for pid in $(lib_tree "$1"); do
		[ "$(readlink "/proc/${pid}/ns/net")" = "$(cat "$2")" ] &&
			found="${pid}"
	done
	[ -n "${found}" ] && echo "${found}"
}

# dead_pipe_open() - Open descriptor 3 on the write end of a pipe whose
# reader has exited, as a launcher that closed its end without reading
# leaves it: writes to it fail with EPIPE, or raise SIGPIPE
dead_pipe_open() {
	exec 3> >(exec true)
	wait_gone $!
}

# with_dead_stderr() - Run a command, its standard error on descriptor 3
# (see dead_pipe_open()); also inside check(), which captures 2 otherwise
# $*:	command
with_dead_stderr() {
	"$@" 2>&3
}

# map_tcp_checks() - Check the TCP transfers of a --map-guest-addr test:
# files ${TMP}/t4 and t6 hold what H1's servers got (sum ${MID_SUM}),
# t4.peer and t6.peer the peer each saw, which must be H1's own address
# $1:	IPv4 address the guest connected to
# $2:	IPv6 address the guest connected to
map_tcp_checks() {
	wait_for test -s "${TMP}/t4.peer"
	check "TCP/IPv4 to $1: 8 MiB reach H1's own address" \
		sum_is "${TMP}/t4" "${MID_SUM}"
	check_grep "TCP/IPv4: the server sees H1's own address as the peer" \
		"${TMP}/t4.peer" "^192\.0\.2\.1$"
	wait_for test -s "${TMP}/t6.peer"
	check "TCP/IPv6 to $2: 8 MiB reach H1's own address" \
		sum_is "${TMP}/t6" "${MID_SUM}"
	check_grep "TCP/IPv6: the server sees H1's own address as the peer" \
		"${TMP}/t6.peer" "^\[2001:0db8:0000:0000:0000:0000:0000:0001\]$"
}

# ---- Polling ----------------------------------------------------------------

# wait_for() - Poll a command until it succeeds, bounded
# $*:	command
# WAIT_TRIES (default 300) attempts, WAIT_STEP (default 0.05) s apart
# Return: 0 once the command succeeded, 1 if it never did
wait_for() {
	local i

	# 300 x 0.05 s: a bound, not a delay; sanitiser builds on a loaded
	# 2-core machine need seconds to come up
	for i in $(seq 1 "${WAIT_TRIES:-300}"); do
		"$@" > /dev/null 2>&1 && return 0
		sleep "${WAIT_STEP:-0.05}"
	done
	return 1
}

# wait_size_sh() - Shell snippet for the namespace: bounded wait until a file
# written by a peer reaches a size (pasta exits with its command, and data
# may still be on its way when the sending client exits)
# $1:	file
# $2:	size, bytes
wait_size_sh() {
	echo "for i in \$(seq 300); do
		[ \"\$(stat -c %s $1 2>/dev/null)\" = $2 ] && break; sleep 0.1
	done"
}

# ns_run() - Run a command in a network namespace
# $1:	namespace name, PID (whose network namespace to enter), path of a
#	namespace file (starting with /), or "-" for the current one
# $2..:	command
ns_run() {
	local ns="$1"
	shift

	case "${ns}" in
	-) "$@" ;;
	/*) nsenter --net="${ns}" -- "$@" ;;
	*[!0-9]*) ip netns exec "${ns}" "$@" ;;
	*) nsenter -t "${ns}" -n "$@" ;;
	esac
}

# fd_count() - Count the open descriptors of a process
# $1:	PID
fd_count() {
	ls "/proc/$1/fd" 2>/dev/null | wc -l
}

# fds_at_most() - Check that a process holds at most N descriptors
# $1:	PID
# $2:	N
fds_at_most() {
	[ "$(fd_count "$1")" -le "$2" ]
}

# tcp_conns_gone() - Check that passt or pasta holds no tap-path TCP
# connection: every open one keeps a deadline on the TCP timerfd (one-shot,
# tcp_timer.c), disarmed within a housekeeping tick of the last close; the
# housekeeping timerfd (passt.c) is the periodic one. Sockets alone won't
# tell: one whose host side is done is in CLOSE state, out of ss's sight,
# while our FIN to the guest may still wait for a resend
# $1:	PID
tcp_conns_gone() {
	local fd

	for fd in "/proc/$1/fd/"*; do
		[ "$(readlink "${fd}")" = "anon_inode:[timerfd]" ] || continue
		grep -q '^it_interval: (0, 0)' "/proc/$1/fdinfo/${fd##*/}" ||
			continue
		grep -q '^it_value: (0, 0)' "/proc/$1/fdinfo/${fd##*/}" ||
			return 1
	done
	[ -d "/proc/$1/fd" ]
}

# lib_port_listening() - Check for a listening socket on a port
# $1:	namespace, see ns_run()
# $2:	protocol, tcp or udp
# $3:	port
lib_port_listening() {
	local flag=t

	[ "$2" = "udp" ] && flag=u
	[ -n "$(ns_run "$1" ss -Hln"${flag}" "sport = :$3" 2>/dev/null)" ]
}

# wait_port() - Wait until a port has a listening (TCP) or bound (UDP) socket
# $1:	namespace, see ns_run()
# $2:	protocol, tcp or udp
# $3:	port
wait_port() {
	wait_for lib_port_listening "$1" "$2" "$3"
}

# wait_file() - Wait until a path exists (file, socket)
# $1:	path
wait_file() {
	wait_for test -e "$1"
}

# wait_gone() - Wait until a process has exited
# $1:	PID
wait_gone() {
	wait_for lib_pid_gone "$1"
}

# lib_pid_gone() - Check that a process no longer exists
# $1:	PID
lib_pid_gone() {
	! kill -0 "$1" 2>/dev/null
}

# ---- Sandbox ----------------------------------------------------------------

# sandbox_create() - Create the namespace pair H1 (host) and H2 (gateway)
# --tag T	use T in the names (for a second sandbox in one test)
# --no-default	no default routes in H1
# --bare	H1 with only lo (up), no H2: nothing to copy (local mode)
# Sets H1, H2, RESOLV (private resolv.conf naming 192.0.2.254)
sandbox_create() {
	local tag="s" nodefault=0 bare=0

	while [ $# -gt 0 ]; do
		case "$1" in
		--tag) tag="$2"; shift ;;
		--no-default) nodefault=1 ;;
		--bare) bare=1 ;;
		*) echo "sandbox_create: bad option $1" >&2; return 1 ;;
		esac
		shift
	done

	H1="pt-${tag}1-$$"
	H2="pt-${tag}2-$$"
	lib_resolv_create
	ip netns add "${H1}" || return 1
	LIB_SANDBOXES+=("${H1}")
	ip -n "${H1}" link set lo up
	ip netns exec "${H1}" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	[ "${bare}" -eq 1 ] && return 0

	ip netns add "${H2}" || return 1
	LIB_SANDBOXES+=("${H2}")

	ip link add up0 netns "${H1}" type veth peer name gw0 netns "${H2}" ||
		return 1
	ip -n "${H2}" link set lo up
	ip -n "${H1}" link set up0 up
	ip -n "${H2}" link set gw0 up

	ip -n "${H2}" addr add 192.0.2.254/24 dev gw0
	ip -n "${H2}" addr add 2001:db8::fe/64 dev gw0 nodad
	ip -n "${H2}" addr add 198.51.100.1/32 dev lo
	ip -n "${H1}" addr add 192.0.2.1/24 dev up0
	ip -n "${H1}" addr add 2001:db8::1/64 dev up0 nodad

	if [ "${nodefault}" -eq 0 ]; then
		ip -n "${H1}" route add default via 192.0.2.254 dev up0
		ip -n "${H1}" -6 route add default via 2001:db8::fe dev up0
	fi
	ip -n "${H1}" route add 198.51.100.0/24 via 192.0.2.254 dev up0

	ip netns exec "${H2}" sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	return 0
}

# lib_resolv_create() - Write the private resolv.conf, set RESOLV
lib_resolv_create() {
	RESOLV="${TMP}/resolv.conf"
	[ -e "${RESOLV}" ] && return
	printf 'nameserver 192.0.2.254\nnameserver 2001:db8::fe\n' > "${RESOLV}"
	printf 'search example.org\n' >> "${RESOLV}"
	chmod 0644 "${RESOLV}"
}

# sandbox_destroy() - Delete the current sandbox's namespaces
sandbox_destroy() {
	local ns keep=()

	ip netns del "${H1}" 2>/dev/null
	ip netns del "${H2}" 2>/dev/null
	for ns in "${LIB_SANDBOXES[@]}"; do
		[ "${ns}" = "${H1}" ] || [ "${ns}" = "${H2}" ] || keep+=("${ns}")
	done
	LIB_SANDBOXES=("${keep[@]}")
}

# with_resolv() - Run a command with a private /etc/resolv.conf
# $1:	file to bind over /etc/resolv.conf
# $2..:	command
with_resolv() {
	local f="$1"
	shift

	unshare -m --propagation private \
		sh -c 'mount --bind "$0" /etc/resolv.conf && exec "$@"' \
		"${f}" "$@"
}

# h1() - Run a command in H1 with the private resolv.conf
# $*:	command
h1() {
	with_resolv "${RESOLV}" ip netns exec "${H1}" "$@"
}

# h2() - Run a command in H2
# $*:	command
h2() {
	ip netns exec "${H2}" "$@"
}

# pasta_h1() - Run pasta with --config-net in H1, as root
# $*:	pasta options, then -- and the command for the namespace
pasta_h1() {
	h1 timeout "${PASTA_TIMEOUT:-30}" "${PASTA}" --config-net "$@"
}

# pasta_h1_user() - Run pasta with --config-net in H1, as the test user
# $*:	pasta options, then -- and the command for the namespace
pasta_h1_user() {
	user_setup || return 1
	h1 timeout "${PASTA_TIMEOUT:-30}" setpriv --reuid="${TEST_USER}" --regid="${TEST_USER}" \
		--init-groups -- "${PASTA}" --config-net "$@"
}

# ---- Unprivileged user ------------------------------------------------------

# user_setup() - Create the throwaway system user, open /dev/net/tun to all
user_setup() {
	if ! id "${TEST_USER}" > /dev/null 2>&1; then
		(
			flock 9
			id "${TEST_USER}" > /dev/null 2>&1 ||
			useradd --system --no-create-home --home-dir /nonexistent \
				--shell /usr/sbin/nologin "${TEST_USER}"
		) 9> /tmp/.passt-test-useradd.lock || return 1
	fi
	# Distributions ship 0666; this machine has 0600
	chmod 0666 /dev/net/tun
}

# run_as_user() - Run a command as the unprivileged test user
# $*:	command
run_as_user() {
	user_setup || return 1
	setpriv --reuid="${TEST_USER}" --regid="${TEST_USER}" --init-groups \
		-- "$@"
}

# userns_ok() - Check that the test user may create user namespaces
userns_ok() {
	run_as_user unshare -Urn true > /dev/null 2>&1
}

# ---- Tools ------------------------------------------------------------------

# platform_probe() - Build test/platform/NAME.c and run it, in a namespace
# $1:	probe name
# $2:	namespace to run it in (see ns_run), "-" for the current one
# Return: the probe's exit status (0: all its checks passed), 1 if it
# doesn't build
platform_probe() {
	local bin="${TEST_BUILD}/$1"

	${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -Wall -Wextra -Werror \
		-o "${bin}.$$" "${TEST_TOP}/test/platform/$1.c" &&
	mv -f "${bin}.$$" "${bin}" || return 1
	ns_run "$2" timeout 30 "${bin}"
}

# build_tool() - Build test/tools/NAME.c into test/build/NAME if stale
# $1:	tool name
# $2:	"static" for a statically linked NAME.static (for a qemu guest's
#	initramfs, which has no C library), or nothing
# Prints the path of the binary
build_tool() {
	local src="${TEST_TOP}/test/tools/$1.c" bin="${TEST_BUILD}/$1"
	local hdr="${TEST_TOP}/test/tools/io.h" ldflags=""

	[ "${2:-}" = "static" ] && bin="${bin}.static" && ldflags="-static"

	if [ ! -x "${bin}" ] || [ "${src}" -nt "${bin}" ] ||
	   [ "${hdr}" -nt "${bin}" ]; then
		(
			flock 9
			if [ ! -x "${bin}" ] || [ "${src}" -nt "${bin}" ] ||
			   [ "${hdr}" -nt "${bin}" ]; then
				${CC:-cc} -std=c11 -D_GNU_SOURCE -O1 -g -Wall -Wextra \
					-Werror ${ldflags} -o "${bin}.tmp.$$" \
					"${src}" &&
				mv -f "${bin}.tmp.$$" "${bin}"
			fi
		) 9> "${TEST_BUILD}/.$1.lock" >&2 || return 1
	fi
	echo "${bin}"
}

# ---- Launchers --------------------------------------------------------------

# launcher_start() - Start the process a rootless launcher runs as: the test
# user, root of a user namespace of its own with a private mount namespace,
# in H1. With a file, it holds a network namespace bound to that file, as
# podman and rootlesskit's --detach-netns do (unshare --net=FILE); with "-",
# it is in a network namespace of its own, as a rootlesskit child is
# $1:	path of the namespace file, created (visible in that mount namespace
#	only), or "-"
# Sets LAUNCHER_JOB (from bg_start), LAUNCHER_PID (the holder, waiting on
# its standard input) and
# LAUNCHER_NS (the network namespace as seen from here: through
# /proc/LAUNCHER_PID/root, or /proc/LAUNCHER_PID/ns/net)
# Return: 0 once the namespace is there
launcher_start() {
	local f="$1" net="" ready="${TMP}/launcher.ready"

	user_setup || return 1
	rm -f "${TMP}/launcher.in" "${ready}"
	mkfifo -m 0666 "${TMP}/launcher.in" || return 1
	[ "${f}" = "-" ] && net="--net"
	bg_start "${TMP}/launcher.log" h1 setpriv --reuid="${TEST_USER}" \
		--regid="${TEST_USER}" --init-groups -- \
		unshare --user --map-root-user --mount --propagation private \
		${net} sh -c '[ "$0" = - ] || { touch "$0" &&
			       unshare --net="$0" true; } &&
			      touch "$1" && exec cat "$2"' \
		"${f}" "${ready}" "${TMP}/launcher.in"
	LAUNCHER_JOB="${BG_PID}"
	wait_file "${ready}" || return 1
	LAUNCHER_PID="$(bg_leaf "${BG_PID}")"
	if [ "${f}" = "-" ]; then
		LAUNCHER_NS="/proc/${LAUNCHER_PID}/ns/net"
	else
		LAUNCHER_NS="/proc/${LAUNCHER_PID}/root${f}"
	fi
	# The holder's cat ends when the last writer goes: keep one open
	exec {LAUNCHER_FD}<> "${TMP}/launcher.in"
}

# launcher() - Run a command as the launcher does: root of its user
# namespace, in its mount namespace, in H1
# $*:	command
launcher() {
	nsenter -t "${LAUNCHER_PID}" -U -m -n -- "$@"
}

# ctr() - Run a command in the launcher's network namespace (the
# container's), as root
# $*:	command
ctr() {
	ns_run "${LAUNCHER_NS}" "$@"
}

# launcher_run() - Run a launcher's command as launchers do: wait for it to
# return (pasta forks to the background once it's ready), then read its
# output to the end (which comes once no process holds the pipe), bounded
# $1:	file for the command's output (standard output and error)
# $2..:	command
# Return: the command's exit status; 124 if the output never ended
launcher_run() {
	local out="$1" rc
	shift

	"$@" 2>&1 | timeout 20 cat > "${out}"
	rc=("${PIPESTATUS[@]}")
	[ "${rc[1]}" -eq 0 ] || return 124
	return "${rc[0]}"
}

# ---- Data checks ------------------------------------------------------------

# tcp_echo_server() - Start a TCP echo server: every connection gets back
# what it sent, until it closes its side (IPv4 and IPv6, any address)
# $1:	namespace (see ns_run)
# $2:	port
# Once the client's data has ended, socat waits -t seconds (0.5 by
# default) for cat to send the rest back, then closes: a bound, not a
# delay, long enough for a loaded machine
tcp_echo_server() {
	bg_start "${TMP}/echo-$2.$RANDOM.log" ns_run "$1" \
		socat -t 30 TCP6-LISTEN:"$2",fork,reuseaddr EXEC:cat
}

# tcp_echo_ok() - Send a file to a TCP echo server, compare what came back
# $1:	namespace of the client (see ns_run)
# $2:	address (IPv6 in brackets)
# $3:	port
# $4:	file to send
# Return: 0 if the same bytes came back
tcp_echo_ok() {
	local back="${TMP}/echoed.${RANDOM}"

	ns_run "$1" timeout 30 socat -t 20 - "TCP:$2:$3" < "$4" > "${back}"
	sum_is "${back}" "$(sha256sum < "$4")"
}
