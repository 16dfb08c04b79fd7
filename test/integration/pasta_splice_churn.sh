#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/pasta_splice_churn.sh - pasta: spliced connections that
# open and close fast, slots of the flow table reused within one epoll batch;
# a full table resets new connections and recovers
#
# pasta runs in H1 with --config-net, attached to a namespace of our own
# (NS), which gets H1's addresses 192.0.2.1 and 2001:db8::1:
#   -t 31041-31042  client on H1's loopback -> NS's own address
#   -T 32041-32043  client in NS -> 127.0.0.1/::1 -> server on H1's lo
# A second pasta (PASST_TCP_SPLICE_CONN_MAX=16, its own namespace NS2)
# forwards -t 31051.
#
# Checks:
# - churn: CHURN_CONNS connections per forwarding direction and IP version,
#   the four runs at once with two more that reset every CHURN_RST-th
#   connection once it has sent something, CHURN_PAR of each in flight;
#   every connection not reset sends 1 to CHURN_BYTES bytes of a pattern
#   seeded by its own number and the echo is compared byte by byte, so an
#   event that reached the wrong flow (a stale one, for a slot freed and
#   reused in the same batch) would show as wrong or missing bytes. A run
#   sees a few hundred stale events (both sockets of a flow reporting in
#   one batch, the first closing it), all dropped by flow_from_ref(). The
#   counters then show the connections spliced, none refused, and no
#   spliced flow left in the table (--stats);
# - connect time-out: a target whose SYNs are dropped; after 10 s the
#   per-flow timer (passt.c's walk of the flow table) resets the client;
# - full table: with 16 spliced connections held open, the 17th is reset,
#   the refusal counted; once the 16 close, 16 new ones echo again.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ss tac awk

T_PORT=31041			# -t: +0 IPv4, +1 IPv6
TT_PORT=32041			# -T: +0 IPv4, +1 IPv6, +2 silent target
FULL_PORT=31051			# second pasta, -t
FULL_MAX=16			# its PASST_TCP_SPLICE_CONN_MAX
NS_ADDR4=192.0.2.1		# NS's own addresses (--config-net, from H1)
NS_ADDR6=2001:db8::1
CHURN_CONNS=600			# connections per direction and version
CHURN_PAR=32			# of them in flight at once
CHURN_BYTES=3000		# most bytes each
CHURN_RST=3			# two more runs reset every third connection

# splice_flows() - Live spliced flows and refusals, from the last "flows:"
# --stats line, as "LIVE REFUSED"
# $1:	log file
splice_flows() {
	grep "flows: " "$1" | tail -n 1 |
		sed -n 's/.*TCP splice \([0-9]*\) (refused \([0-9]*\)).*/\1 \2/p'
}

# splice_flows_are() - The last "flows:" line shows these spliced flows
# $1:	log file
# $2:	"LIVE REFUSED"
splice_flows_are() {
	[ "$(splice_flows "$1")" = "$2" ]
}

# ns_addr4_ready() - A namespace has its IPv4 address
# $1:	namespace
ns_addr4_ready() {
	ip -n "$1" -4 addr show | grep -q " ${NS_ADDR4}/"
}

# ns_addr6_ready() - A namespace has its IPv6 address, past duplicate
# detection
# $1:	namespace
ns_addr6_ready() {
	ip -n "$1" -6 addr show -tentative | grep -q " ${NS_ADDR6}/"
}

# pasta_up() - Start pasta in H1 for a namespace
# $1:	log file
# $2:	namespace
# $3:	PASST_TCP_SPLICE_CONN_MAX, empty for the built-in cap
# $4..:	forwarding options
pasta_up() {
	local log="$1" ns="$2" envs=()

	[ -n "$3" ] && envs=("PASST_TCP_SPLICE_CONN_MAX=$3")
	shift 3
	bg_start "${log}" ip netns exec "${H1}" env ${envs[@]+"${envs[@]}"} \
		timeout 200 "${PASTA}" --config-net -f --stats 1 -u none \
		-U none "$@" --netns "/run/netns/${ns}"
}

# churn_start() - Start one churn client in the background
# $1:	index, for its log file
# $2:	namespace of the client
# $3:	address to connect to (loopback)
# $4:	port
# $5:	every how many connections one is reset on purpose, 0 for none
# Appends its PID to CHURN_PIDS
churn_start() {
	local rst=()

	[ "$5" -gt 0 ] && rst=("$5")
	ns_run "$2" timeout 150 "${PEER}" churn "$3" "$4" "${CHURN_CONNS}" \
		"${CHURN_PAR}" "${CHURN_BYTES}" ${rst[@]+"${rst[@]}"} \
		> "${TMP}/churn.$1.log" 2>&1 &
	CHURN_PIDS+=($!)
	cleanup_pid "$!"
}

# churn_checks() - Six churn runs at once, two of them resetting every
# CHURN_RST-th connection: bytes checked, counters, no flow left
churn_checks() {
	local before after i names=()
	local clean=$((4 * CHURN_CONNS + 2 * (CHURN_CONNS - CHURN_CONNS / CHURN_RST)))

	bg_start "${TMP}/echo-t4.log" ns_run "${NS}" "${PEER}" echo \
		"${NS_ADDR4}" "${T_PORT}"
	bg_start "${TMP}/echo-t6.log" ns_run "${NS}" "${PEER}" echo \
		"${NS_ADDR6}" $((T_PORT + 1))
	bg_start "${TMP}/echo-tt4.log" ns_run "${H1}" "${PEER}" echo \
		127.0.0.1 "${TT_PORT}"
	bg_start "${TMP}/echo-tt6.log" ns_run "${H1}" "${PEER}" echo \
		::1 $((TT_PORT + 1))
	wait_port "${NS}" tcp "${T_PORT}"
	wait_port "${NS}" tcp $((T_PORT + 1))
	wait_port "${H1}" tcp "${TT_PORT}"
	wait_port "${H1}" tcp $((TT_PORT + 1))

	WAIT_TRIES=200 wait_for counter_at_least "${TMP}/pasta.log" \
		tcp_splice_conns 0
	before="$(stats_value "${TMP}/pasta.log" tcp_splice_conns)"

	CHURN_PIDS=()
	names=("-t IPv4" "-t IPv6" "-T IPv4" "-T IPv6"
	       "-t IPv6, every ${CHURN_RST}rd reset"
	       "-T IPv4, every ${CHURN_RST}rd reset")
	churn_start 0 "${H1}" 127.0.0.1 "${T_PORT}" 0
	churn_start 1 "${H1}" ::1 $((T_PORT + 1)) 0
	churn_start 2 "${NS}" 127.0.0.1 "${TT_PORT}" 0
	churn_start 3 "${NS}" ::1 $((TT_PORT + 1)) 0
	churn_start 4 "${H1}" ::1 $((T_PORT + 1)) "${CHURN_RST}"
	churn_start 5 "${NS}" 127.0.0.1 "${TT_PORT}" "${CHURN_RST}"
	for i in 0 1 2 3; do
		wait "${CHURN_PIDS[i]}"
		check_grep "${names[i]}: ${CHURN_CONNS} short connections, \
${CHURN_PAR} at a time, every byte echoed" "${TMP}/churn.${i}.log" \
			"^churn: ${CHURN_CONNS}/${CHURN_CONNS} connections echoed"
	done
	for i in 4 5; do
		wait "${CHURN_PIDS[i]}"
		check_grep "${names[i]}: the others' bytes all echoed" \
			"${TMP}/churn.${i}.log" \
			"^churn: ([0-9]+)/\\1 connections echoed, [1-9][0-9]* reset"
	done

	# Every connection that echoed was spliced; a reset one may have
	# been reset before pasta took it
	WAIT_TRIES=200 wait_for counter_at_least "${TMP}/pasta.log" \
		tcp_splice_conns $((before + clean))
	after="$(stats_value "${TMP}/pasta.log" tcp_splice_conns)"
	check "counters: ${clean} to $((6 * CHURN_CONNS)) connections spliced" \
		test "$((after - before))" -ge "${clean}" -a \
		"$((after - before))" -le "$((6 * CHURN_CONNS))"
	check_eq "counters: no spliced connection refused" \
		"$(stats_value "${TMP}/pasta.log" tcp_splice_drop)" 0
	WAIT_TRIES=200 wait_for splice_flows_are "${TMP}/pasta.log" "0 0"
	check_eq "flow table: every spliced flow freed, none refused" \
		"$(splice_flows "${TMP}/pasta.log")" "0 0"
}

# connect_timeout() - A target that never answers (its accept queue kept
# full, so SYNs are dropped): the per-flow timer resets the client after
# the connect time-out (10 s), and counts a failed target
connect_timeout() {
	local port=$((TT_PORT + 2)) failed

	failed="$(stats_value "${TMP}/pasta.log" tcp_splice_connect_fail)"
	bg_start "${TMP}/silent.log" ns_run "${H1}" timeout 60 "${PEER}" \
		late-banner 127.0.0.1 "${port}" "${TMP}/silent.release"
	wait_for grep -q "^full" "${TMP}/silent.log"
	check "-T: target never answers: connect time-out resets the client" \
		ns_run "${NS}" timeout 40 "${PEER}" rst-client 127.0.0.1 \
		"${port}"
	WAIT_TRIES=200 wait_for counter_at_least "${TMP}/pasta.log" \
		tcp_splice_connect_fail $((failed + 1))
	check_eq "counters: the time-out is counted as a failed target" \
		"$(stats_value "${TMP}/pasta.log" tcp_splice_connect_fail)" \
		$((failed + 1))
	touch "${TMP}/silent.release"
}

# full_conns_left() - Count pasta's accepted sockets on FULL_PORT that are
# not shut down yet: each one's flow is freed in the same step as its
# shutdown, so none left means the whole table is free again
full_conns_left() {
	ns_run "${H1}" ss -Htn state established state close-wait \
		"( sport = :${FULL_PORT} )" | wc -l
}

# full_drained() - None of pasta's accepted sockets on FULL_PORT is left
full_drained() {
	[ "$(full_conns_left)" -eq 0 ]
}

# full_table() - PASST_TCP_SPLICE_CONN_MAX=16: refusal, counter, recovery
full_table() {
	local ns2="pt-spl2-$$" hold_pid

	ip netns add "${ns2}" || { check "second namespace" false; return; }
	LIB_SANDBOXES+=("${ns2}")
	pasta_up "${TMP}/pasta2.log" "${ns2}" "${FULL_MAX}" \
		-t "${FULL_PORT}" -T none
	# The echo server binds the address pasta gives the namespace
	if ! wait_port "${H1}" tcp "${FULL_PORT}" ||
	   ! wait_for ns_addr4_ready "${ns2}"; then
		check "second pasta comes up" false
		cat "${TMP}/pasta2.log"
		return
	fi
	bg_start "${TMP}/echo-full.log" ns_run "${ns2}" "${PEER}" echo \
		"${NS_ADDR4}" "${FULL_PORT}"
	wait_port "${ns2}" tcp "${FULL_PORT}"
	check_grep "PASST_TCP_SPLICE_CONN_MAX is taken" "${TMP}/pasta2.log" \
		"PASST_TCP_SPLICE_CONN_MAX=${FULL_MAX} \(test override\)"

	bg_start "${TMP}/hold.log" ns_run "${H1}" timeout 150 "${PEER}" hold \
		127.0.0.1 "${FULL_PORT}" "${FULL_MAX}" "${TMP}/hold.release"
	hold_pid="${BG_PID}"
	WAIT_TRIES=600 wait_for grep -q "^held ${FULL_MAX}" "${TMP}/hold.log"
	check_grep "full table: ${FULL_MAX} connections held, each echoed" \
		"${TMP}/hold.log" "^held ${FULL_MAX}$"
	check "full table: connection $((FULL_MAX + 1)) is reset" \
		ns_run "${H1}" timeout 30 "${PEER}" rst-client 127.0.0.1 \
		"${FULL_PORT}"
	WAIT_TRIES=200 wait_for counter_at_least "${TMP}/pasta2.log" \
		tcp_splice_drop 1
	check_eq "full table: the refusal is counted" \
		"$(stats_value "${TMP}/pasta2.log" tcp_splice_drop)" 1
	WAIT_TRIES=200 wait_for splice_flows_are "${TMP}/pasta2.log" \
		"${FULL_MAX} 1"
	check_eq "full table: ${FULL_MAX} live flows, one refusal (--stats)" \
		"$(splice_flows "${TMP}/pasta2.log")" "${FULL_MAX} 1"

	touch "${TMP}/hold.release"
	wait_gone "${hold_pid}"
	WAIT_TRIES=200 wait_for full_drained
	check "full table drained: ${FULL_MAX} new connections echo 4 KiB" \
		ns_run "${H1}" timeout 60 "${PEER}" conc 127.0.0.1 \
		"${FULL_PORT}" "${FULL_MAX}" 4096
}

sandbox_create || { echo "sandbox set-up failed"; exit 1; }
NS="pt-chn-$$"
ip netns add "${NS}" || exit 1
LIB_SANDBOXES+=("${NS}")

PEER="$(build_tool splice_peer)" || { echo "can't build splice_peer"; exit 1; }

pasta_up "${TMP}/pasta.log" "${NS}" "" \
	-t "${T_PORT}-$((T_PORT + 1))" -T "${TT_PORT}-$((TT_PORT + 2))"
if ! wait_port "${H1}" tcp "${T_PORT}" ||
   ! wait_port "${NS}" tcp "${TT_PORT}" ||
   ! wait_for ns_addr4_ready "${NS}" ||
   ! wait_for ns_addr6_ready "${NS}"; then
	echo "pasta did not come up:"
	cat "${TMP}/pasta.log"
	exit 1
fi

churn_checks
connect_timeout
full_table

test_done
