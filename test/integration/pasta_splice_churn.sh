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
#   the four runs at once, CHURN_PAR of each in flight: every connection
#   sends 1 to CHURN_BYTES bytes of a pattern seeded by its own number and
#   the echo is compared byte by byte, so a stale event that reached a
#   reused flow slot (another connection's sockets) would show as wrong or
#   missing bytes; the counters then show every connection spliced and
#   none refused, and no spliced flow left in the table (--stats);
# - connect time-out: a target whose SYNs are dropped; after 10 s the
#   per-flow timer (passt.c's walk of the flow table) resets the client;
# - full table: with 16 spliced connections held open, the 17th is reset,
#   the refusal counted; once the 16 close, 16 new ones echo again.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ss

T_PORT=31041			# -t: +0 IPv4, +1 IPv6
TT_PORT=32041			# -T: +0 IPv4, +1 IPv6, +2 silent target
FULL_PORT=31051			# second pasta, -t
FULL_MAX=16			# its PASST_TCP_SPLICE_CONN_MAX
NS_ADDR4=192.0.2.1		# NS's own addresses (--config-net, from H1)
NS_ADDR6=2001:db8::1
CHURN_CONNS=600			# connections per direction and version
CHURN_PAR=32			# of them in flight at once
CHURN_BYTES=3000		# most bytes each

# splice_stat() - A counter from pasta's last "TCP splice:" --stats line
# $1:	log file
# $2:	counter name as printed: connections, refused
splice_stat() {
	grep "TCP splice: connections " "$1" | tail -n 1 |
		sed -n "s/.*[ :]$2 \([0-9]*\).*/\1/p"
}

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

# splice_stat_at_least() - A splice counter reached a value
# $1:	log file
# $2:	counter name
# $3:	value
splice_stat_at_least() {
	local v

	v="$(splice_stat "$1" "$2")"
	[ -n "${v}" ] && [ "${v}" -ge "$3" ]
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

# churn_checks() - Four churn runs at once, bytes checked, counters
churn_checks() {
	local before after i pids=() names=() dests=()

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

	WAIT_TRIES=200 wait_for splice_stat_at_least "${TMP}/pasta.log" \
		connections 0
	before="$(splice_stat "${TMP}/pasta.log" connections)"

	names=("-t IPv4" "-t IPv6" "-T IPv4" "-T IPv6")
	dests=("${H1} 127.0.0.1 ${T_PORT}" "${H1} ::1 $((T_PORT + 1))"
	       "${NS} 127.0.0.1 ${TT_PORT}" "${NS} ::1 $((TT_PORT + 1))")
	for i in 0 1 2 3; do
		# shellcheck disable=SC2086 # namespace, address, port
		set -- ${dests[i]}
		ns_run "$1" timeout 150 "${PEER}" churn "$2" "$3" \
			"${CHURN_CONNS}" "${CHURN_PAR}" "${CHURN_BYTES}" \
			> "${TMP}/churn.${i}.log" 2>&1 &
		pids+=($!)
		cleanup_pid "$!"
	done
	for i in 0 1 2 3; do
		wait "${pids[i]}"
		check_grep "${names[i]}: ${CHURN_CONNS} short connections, \
${CHURN_PAR} at a time, every byte echoed" "${TMP}/churn.${i}.log" \
			"^churn: ${CHURN_CONNS}/${CHURN_CONNS} connections echoed"
	done

	WAIT_TRIES=200 wait_for splice_stat_at_least "${TMP}/pasta.log" \
		connections $((before + 4 * CHURN_CONNS))
	after="$(splice_stat "${TMP}/pasta.log" connections)"
	check_eq "counters: all $((4 * CHURN_CONNS)) churn connections spliced" \
		"$((after - before))" "$((4 * CHURN_CONNS))"
	check_eq "counters: no spliced connection refused" \
		"$(splice_stat "${TMP}/pasta.log" refused)" 0
	WAIT_TRIES=200 wait_for splice_flows_are "${TMP}/pasta.log" "0 0"
	check_eq "flow table: every spliced flow freed, none refused" \
		"$(splice_flows "${TMP}/pasta.log")" "0 0"
}

# connect_timeout() - A target that never answers (its accept queue kept
# full, so SYNs are dropped): the per-flow timer resets the client after
# the connect time-out (10 s), and counts a failed target
connect_timeout() {
	local port=$((TT_PORT + 2)) failed

	failed="$(splice_stat "${TMP}/pasta.log" "target failed")"
	bg_start "${TMP}/silent.log" ns_run "${H1}" timeout 60 "${PEER}" \
		late-banner 127.0.0.1 "${port}" "${TMP}/silent.release"
	wait_for grep -q "^full" "${TMP}/silent.log"
	check "-T: target never answers: connect time-out resets the client" \
		ns_run "${NS}" timeout 40 "${PEER}" rst-client 127.0.0.1 \
		"${port}"
	WAIT_TRIES=200 wait_for splice_stat_at_least "${TMP}/pasta.log" \
		"target failed" $((failed + 1))
	check_eq "counters: the time-out is counted as a failed target" \
		"$(splice_stat "${TMP}/pasta.log" "target failed")" \
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
	WAIT_TRIES=200 wait_for splice_stat_at_least "${TMP}/pasta2.log" \
		refused 1
	check_eq "full table: the refusal is counted" \
		"$(splice_stat "${TMP}/pasta2.log" refused)" 1
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
