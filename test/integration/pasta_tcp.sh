#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/pasta_tcp.sh - pasta: TCP over the tap path
#
# In a sandbox (see test/lib.sh), with servers in H2 ("the internet",
# 198.51.100.1 and 2001:db8:1::1 on its loopback) and pasta in H1:
#   - 100 MiB each way, IPv4 and IPv6, namespace-initiated (outbound),
#     sha256 compared; the same at MTU 1500, where frames to the namespace
#     are GSO super-frames;
#   - inbound -t from H2 to H1's address, IPv4 and IPv6, each way; and from
#     H1's loopback with --no-splice (the guest sees the gateway address);
#     a namespace server that speaks first (banner) is heard;
#   - a slow reader on either side (the window closes and reopens), no byte
#     lost; --stats prints the counters as pasta exits;
#   - 1000 concurrent connections, each echoing 64 KiB;
#   - half-close both ways: data flows after one side's FIN;
#   - connect() to a closed port fails with "connection refused" in under a
#     second, and to an address the host has no route to with "no route to
#     host" (ICMP and ICMPv6 unreachable); an RST from either peer reaches
#     the other;
#   - the gateway address reaches H1's loopback, unless --no-map-gw;
#   - the server's first data, arriving with the completion of pasta's
#     connect() (pasta stopped meanwhile), reaches the namespace;
#   - a full connection table (PASST_TCP_CONN_MAX) refuses the next SYN with
#     an RST, closes an inbound connection at once, counts both, and takes
#     connections again, both ways, once one closes;
#   - no descriptor leak in pasta after 10,000 short connections.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout tac awk

PEER="$(build_tool splice_peer)" || skip "can't build splice_peer"
SLOW="$(build_tool slow_cat)" || skip "can't build slow_cat"
BIG="${TMP}/big"
MID="${TMP}/mid"
head -c $((100 << 20)) /dev/urandom > "${BIG}"
head -c $((8 << 20)) /dev/urandom > "${MID}"
BIG_SUM="$(sha256sum < "${BIG}")"
MID_SUM="$(sha256sum < "${MID}")"

sandbox_create || skip "can't create sandbox"
ip -n "${H2}" addr add 2001:db8:1::1/128 dev lo
ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
# Unreachable from the host (not copied to the namespace: no device)
ip -n "${H1}" route add unreachable 198.51.100.128/25
ip -n "${H1}" -6 route add unreachable 2001:db8:2::/64
S4=198.51.100.1
S6=2001:db8:1::1

# h2_bg() - Start a command in H2 in the background
# $1:	log name
# $2..:	command
h2_bg() {
	local log="${TMP}/$1.log"
	shift
	bg_start "${log}" h2 timeout 120 "$@"
}

# pasta_bg() - Start pasta in H1 in the background around a script that
# starts servers; once the given ports listen in the namespace (checked from
# inside: the script's own PID is namespace-local), ${TMP}/ready.$1 appears.
# The script outlives its servers (until lib_kill_pids): pasta exits with it,
# and must not close connections whose last frames (an RST, say) it has not
# read yet
# $1:	name (logs, ready file)
# $2:	TCP ports the script listens on, blank-separated
# $3:	script for the namespace, starting servers in the background
# $4..:	pasta options
pasta_bg() {
	local name="$1" ports="$2" script="$3" p wait=""
	shift 3
	rm -f "${TMP}/ready.${name}"
	for p in ${ports}; do
		wait="${wait}
		for i in \$(seq 200); do
			[ -n \"\$(ss -Hltn 'sport = :${p}')\" ] && break; sleep 0.05
		done"
	done
	bg_start "${TMP}/pasta.${name}.log" h1 timeout 120 "${PASTA}" \
		--config-net "$@" -- sh -c "${script}
		${wait}
		touch ${TMP}/ready.${name}
		wait
		sleep 60"
	WAIT_TRIES=400 wait_file "${TMP}/ready.${name}"
}

# ---- Outbound bulk, both directions, both families --------------------------

# bulk_out() - 100 MiB each way through pasta, IPv4 and IPv6, sums checked
# $1:	tag for files and logs
# $2:	first of four ports (to H2 and from H2, IPv4, then IPv6)
# $3:	prefix of check descriptions
# $4..:	pasta options
bulk_out() {
	local t="$1" p="$2" label="$3" i
	shift 3

	h2_bg "${t}1" socat -u TCP-LISTEN:$((p)),reuseaddr \
		OPEN:"${TMP}/${t}o4",creat,trunc
	h2_bg "${t}2" socat -u OPEN:"${BIG}" TCP-LISTEN:$((p + 1)),reuseaddr
	h2_bg "${t}3" socat -u TCP6-LISTEN:$((p + 2)),reuseaddr \
		OPEN:"${TMP}/${t}o6",creat,trunc
	h2_bg "${t}4" socat -u OPEN:"${BIG}" TCP6-LISTEN:$((p + 3)),reuseaddr
	for i in 0 1 2 3; do wait_port "${H2}" tcp $((p + i)); done

	PASTA_TIMEOUT=120 pasta_h1 "$@" -- sh -c "
		timeout 60 socat -u OPEN:${BIG} TCP:${S4}:$((p))
		$(wait_size_sh "${TMP}/${t}o4" $((100 << 20)))
		timeout 60 socat -u TCP:${S4}:$((p + 1)) OPEN:${TMP}/${t}i4,creat,trunc
		timeout 60 socat -u OPEN:${BIG} TCP6:[${S6}]:$((p + 2))
		$(wait_size_sh "${TMP}/${t}o6" $((100 << 20)))
		timeout 60 socat -u TCP6:[${S6}]:$((p + 3)) OPEN:${TMP}/${t}i6,creat,trunc
	" > "${TMP}/pasta.${t}.log" 2>&1
	wait_for sum_is "${TMP}/${t}o4" "${BIG_SUM}"
	check "${label}IPv4, 100 MiB to H2" sum_is "${TMP}/${t}o4" "${BIG_SUM}"
	check "${label}IPv4, 100 MiB from H2" sum_is "${TMP}/${t}i4" "${BIG_SUM}"
	wait_for sum_is "${TMP}/${t}o6" "${BIG_SUM}"
	check "${label}IPv6, 100 MiB to H2" sum_is "${TMP}/${t}o6" "${BIG_SUM}"
	check "${label}IPv6, 100 MiB from H2" sum_is "${TMP}/${t}i6" "${BIG_SUM}"
	lib_kill_pids
}

test_outbound() {
	bulk_out out 6001 "outbound "
}

# ---- MTU 1500: GSO super-frames both ways ------------------------------------

test_mtu1500() {
	bulk_out mtu 6011 "MTU 1500: " -m 1500
}

# ---- Inbound -t, from H2 and from H1's loopback (--no-splice) ---------------

test_inbound() {
	pasta_bg in "6101 6102 6103 6104 6105 6106" "
		timeout 60 socat -u TCP-LISTEN:6101 OPEN:${TMP}/n4,creat,trunc &
		timeout 60 socat -u OPEN:${BIG} TCP-LISTEN:6102 &
		timeout 60 socat -u TCP6-LISTEN:6103 OPEN:${TMP}/n6,creat,trunc &
		timeout 60 socat -u OPEN:${BIG} TCP6-LISTEN:6104 &
		timeout 60 socat -u TCP-LISTEN:6105 SYSTEM:'cat > ${TMP}/nl; echo \$SOCAT_PEERADDR > ${TMP}/nl.peer' &
		timeout 60 socat TCP-LISTEN:6106 SYSTEM:'echo banner; sleep 5' &
		" -t 6101-6106 --no-splice
	wait_port "${H1}" tcp 6105

	h2 timeout 60 socat -u OPEN:"${BIG}" TCP:192.0.2.1:6101
	h2 timeout 60 socat -u TCP:192.0.2.1:6102 OPEN:"${TMP}/m4",creat,trunc
	h2 timeout 60 socat -u OPEN:"${BIG}" TCP6:[2001:db8::1]:6103
	h2 timeout 60 socat -u TCP6:[2001:db8::1]:6104 OPEN:"${TMP}/m6",creat,trunc
	h1 timeout 60 socat -u OPEN:"${MID}" TCP:127.0.0.1:6105
	h2 timeout 10 socat -u TCP:192.0.2.1:6106 STDOUT > "${TMP}/banner"
	wait_for sum_is "${TMP}/n4" "${BIG_SUM}"
	check "inbound IPv4, 100 MiB to the namespace" \
		sum_is "${TMP}/n4" "${BIG_SUM}"
	check "inbound IPv4, 100 MiB from the namespace" \
		sum_is "${TMP}/m4" "${BIG_SUM}"
	wait_for sum_is "${TMP}/n6" "${BIG_SUM}"
	check "inbound IPv6, 100 MiB to the namespace" \
		sum_is "${TMP}/n6" "${BIG_SUM}"
	check "inbound IPv6, 100 MiB from the namespace" \
		sum_is "${TMP}/m6" "${BIG_SUM}"
	WAIT_TRIES=400 wait_file "${TMP}/nl.peer"
	check "inbound from host loopback (--no-splice), 8 MiB" \
		sum_is "${TMP}/nl" "${MID_SUM}"
	check_grep "host loopback seen from the gateway address" \
		"${TMP}/nl.peer" "^192\.0\.2\.254$"
	check_grep "inbound: the namespace's server speaks first" \
		"${TMP}/banner" "^banner$"
	lib_kill_pids
}

# ---- Slow readers -------------------------------------------------------------

test_slow() {
	h2_bg slow1 sh -c "socat -u TCP-LISTEN:6201,reuseaddr STDOUT |
			   ${SLOW} 16384 2 1048576 > ${TMP}/so"
	h2_bg slow2 socat -u OPEN:"${MID}" TCP-LISTEN:6202,reuseaddr
	wait_port "${H2}" tcp 6201
	wait_port "${H2}" tcp 6202

	pasta_h1 --stats 1 -- sh -c "
		timeout 60 socat -u OPEN:${MID} TCP:${S4}:6201
		$(wait_size_sh "${TMP}/so" $((8 << 20)))
		timeout 60 socat -u TCP:${S4}:6202 STDOUT |
			${SLOW} 16384 2 1048576 > ${TMP}/si
	" > "${TMP}/pasta.slow.log" 2>&1
	wait_for sum_is "${TMP}/so" "${MID_SUM}"
	check "slow reader in H2, 8 MiB, nothing lost" \
		sum_is "${TMP}/so" "${MID_SUM}"
	check "slow reader in the namespace, 8 MiB, nothing lost" \
		sum_is "${TMP}/si" "${MID_SUM}"
	check "--stats: counters printed as pasta exits, two connections" \
		counter_is "${TMP}/pasta.slow.log" tcp_conns 2
	tcp_counters_note "${TMP}/pasta.slow.log" "the slow readers"
	lib_kill_pids
}

# ---- Many connections, half-close, refused, resets ---------------------------

test_conns() {
	h2_bg echo "${PEER}" echo "${S4}" 6301
	h2_bg half "${PEER}" half-server "${S4}" 6302
	h2_bg rst "${PEER}" rst-server "${S4}" 6303
	h2_bg abort "${PEER}" abort-server "${S4}" 6304
	for p in 6301 6302 6303 6304; do wait_port "${H2}" tcp "${p}"; done

	pasta_h1 --stats 1 -- sh -c "
		ulimit -n 8192
		timeout 100 ${PEER} conc ${S4} 6301 1000 65536; echo \$? > ${TMP}/r.conc
		timeout 20 ${PEER} half-client ${S4} 6302 1000000; echo \$? > ${TMP}/r.half
		timeout 20 ${PEER} rst-client ${S4} 6303; echo \$? > ${TMP}/r.rst
		timeout 20 ${PEER} abort-client ${S4} 6304; echo \$? > ${TMP}/r.abort
		timeout 5 socat -u /dev/null TCP:${S4}:6399 2> ${TMP}/refused
		timeout 5 socat -u /dev/null TCP6:[${S6}]:6399 2> ${TMP}/refused6
		timeout 5 socat -u /dev/null TCP:198.51.100.200:6399 \
			2> ${TMP}/unreach
		timeout 5 socat -u /dev/null TCP6:[2001:db8:2::1]:6399 \
			2> ${TMP}/unreach6
	" > "${TMP}/pasta.conns.log" 2>&1
	check_eq "1000 concurrent connections echo 64 KiB each" \
		"$(cat "${TMP}/r.conc" 2>/dev/null)" 0
	check_eq "half-close: reply after the namespace's FIN" \
		"$(cat "${TMP}/r.half" 2>/dev/null)" 0
	check_eq "RST from H2 reaches the namespace" \
		"$(cat "${TMP}/r.rst" 2>/dev/null)" 0
	check_eq "RST from the namespace reaches H2" \
		"$(cat "${TMP}/r.abort" 2>/dev/null)" 0
	check_grep "closed port: connection refused (IPv4)" \
		"${TMP}/refused" "Connection refused"
	check_grep "closed port: connection refused (IPv6)" \
		"${TMP}/refused6" "Connection refused"
	check_grep "unreachable host: no route to host (IPv4, ICMP)" \
		"${TMP}/unreach" "No route to host"
	check_grep "unreachable host: no route to host (IPv6, ICMPv6)" \
		"${TMP}/unreach6" "No route to host"
	check "unreachable host: both counted (tcp_unreach, --stats)" \
		counter_is "${TMP}/pasta.conns.log" tcp_unreach 2
	lib_kill_pids
}

# ---- Inbound half-close and reset ----------------------------------------------

test_inbound_close() {
	pasta_bg inc "6401 6402" "
		timeout 30 ${PEER} half-server 0.0.0.0 6401 &
		timeout 30 ${PEER} rst-server 0.0.0.0 6402 &
		" -t 6401,6402
	check "inbound half-close: reply after H2's FIN" \
		h2 timeout 20 "${PEER}" half-client 192.0.2.1 6401 1000000
	check "inbound: RST from the namespace reaches H2" \
		h2 timeout 20 "${PEER}" rst-client 192.0.2.1 6402
	lib_kill_pids
}

# ---- Gateway mapping ------------------------------------------------------------

test_map_gw() {
	h1_bg_lo() {
		bg_start "${TMP}/lo.log" h1 timeout 60 socat \
			TCP-LISTEN:6501,bind=127.0.0.1,reuseaddr,fork \
			SYSTEM:'echo host-loopback'
	}
	h1_bg_lo
	h2_bg gwsrv socat TCP-LISTEN:6501,bind=192.0.2.254,reuseaddr,fork \
		SYSTEM:'echo h2'
	wait_port "${H1}" tcp 6501
	wait_port "${H2}" tcp 6501
	pasta_h1 -- sh -c "timeout 5 socat -u TCP:192.0.2.254:6501 STDOUT \
		> ${TMP}/gw.map" > /dev/null 2>&1
	pasta_h1 --no-map-gw -- sh -c "timeout 5 socat -u TCP:192.0.2.254:6501 \
		STDOUT > ${TMP}/gw.nomap" > /dev/null 2>&1
	check_grep "gateway address reaches host loopback" \
		"${TMP}/gw.map" "^host-loopback$"
	check_grep "--no-map-gw: gateway address reaches the gateway" \
		"${TMP}/gw.nomap" "^h2$"
	lib_kill_pids
}

# ---- Data that comes with the connect() completion -----------------------------

# race_syn_sent() - Is pasta's socket to H2's port 6801 in SYN-SENT?
race_syn_sent() {
	[ -n "$(h1 ss -Htn state syn-sent '( dport = :6801 )')" ]
}

# race_queued() - Does pasta's socket to port 6801 hold data? (The server
# closes after its banner: the socket is in CLOSE-WAIT by then; with two
# states asked for, ss prints the state first, then the receive queue)
race_queued() {
	local q

	q="$(h1 ss -Htn state established state close-wait \
		'( dport = :6801 )' | awk '{ print $2 }')"
	[ -n "${q}" ] && [ "${q}" -gt 0 ]
}

# The server's first data must not be lost when it arrives together with
# the completion of pasta's connect(): one event then says both. H2's
# server holds the SYN back with a full accept queue; once pasta's
# connect() is pending, pasta is stopped, the queue is freed, and the
# kernel completes the resent SYN and queues the server's banner and FIN
# on pasta's socket meanwhile. Then pasta goes on: the namespace's client
# must get the banner.
test_connect_race() {
	local pid

	h2_bg race "${PEER}" late-banner "${S4}" 6801 "${TMP}/race.go"
	wait_for grep -q full "${TMP}/race.log"
	pasta_bg race "" "timeout 60 socat -u TCP:${S4}:6801 \
		OPEN:${TMP}/race.out,creat &" -P "${TMP}/race.pid"
	wait_for test -s "${TMP}/race.pid"
	pid="$(cat "${TMP}/race.pid")"
	check "connect race: pasta's connect() pending (SYN held back)" \
		wait_for race_syn_sent
	kill -STOP "${pid}"
	touch "${TMP}/race.go"
	WAIT_TRIES=100 WAIT_STEP=0.1 check \
		"connect race: banner queued while pasta was stopped" \
		wait_for race_queued
	kill -CONT "${pid}"
	WAIT_TRIES=200 wait_for grep -q banner "${TMP}/race.out"
	check_grep "connect race: the namespace got the banner" \
		"${TMP}/race.out" "^banner$"
	lib_kill_pids
}

# ---- Full connection table ------------------------------------------------------

# With PASST_TCP_CONN_MAX=16, sixteen idle connections fill the table: the
# next SYN gets an RST at once ("connection refused"), and a connection
# from H2 to a forwarded port is accepted and closed at once, before the
# namespace's echo server sees it; pasta goes on, and once one of the
# sixteen has closed, new connections echo again, both ways. Both
# refusals are counted ("table full", --stats).
test_full() {
	local est='( dport = :6701 )' t=60

	h2_bg full "${PEER}" echo "${S4}" 6701
	wait_port "${H2}" tcp 6701
	PASST_TCP_CONN_MAX=16 PASTA_TIMEOUT=${t} bg_start \
		"${TMP}/pasta.full.log" pasta_h1 --stats 1 -t 6702 -- sh -c "
		timeout ${t} ${PEER} echo 0.0.0.0 6702 & echo_pid=\$!
		for i in \$(seq 16); do
			timeout ${t} socat -u TCP:${S4}:6701 /dev/null &
			echo \$! >> ${TMP}/full.pids
		done
		for i in \$(seq 200); do
			[ \$(ss -Htn state established '${est}' | wc -l) -ge 16 ] &&
				break
			sleep 0.05
		done
		ss -Htn state established '${est}' | wc -l > ${TMP}/full.n
		timeout 5 socat -u /dev/null TCP:${S4}:6701 2> ${TMP}/full.err
		touch ${TMP}/full.tried
		for i in \$(seq 200); do
			[ -e ${TMP}/full.in ] && break
			sleep 0.05
		done
		kill \$(head -n 1 ${TMP}/full.pids)
		for i in \$(seq 100); do
			echo one-free | timeout 2 socat - TCP:${S4}:6701 \
				> ${TMP}/full.after 2>/dev/null
			grep -q one-free ${TMP}/full.after && break
			sleep 0.05
		done
		touch ${TMP}/full.freed
		for i in \$(seq 200); do
			[ -e ${TMP}/full.in2 ] && break
			sleep 0.05
		done
		kill \$(cat ${TMP}/full.pids) 2>/dev/null
		for i in \$(seq 60); do
			grep -Eq 'table full ([2-9]|[1-9][0-9])' \
				${TMP}/pasta.full.log && break
			sleep 0.05
		done
		kill \${echo_pid}
	"
	wait_port "${H1}" tcp 6702
	WAIT_TRIES=300 wait_file "${TMP}/full.tried"
	# Sends nothing: held open, or taken to the echo server, it would
	# time out (124); closed, socat ends at once
	h2 timeout 5 socat -u TCP:192.0.2.1:6702 STDOUT \
		> "${TMP}/full.in.out" 2> "${TMP}/full.in.err"
	echo $? > "${TMP}/full.in.rc"
	touch "${TMP}/full.in"
	WAIT_TRIES=300 wait_file "${TMP}/full.freed"
	for i in $(seq 100); do
		echo in-after | h2 timeout 2 socat - TCP:192.0.2.1:6702 \
			> "${TMP}/full.in.after" 2>/dev/null
		grep -q in-after "${TMP}/full.in.after" && break
		sleep 0.05
	done
	touch "${TMP}/full.in2"
	WAIT_TRIES=600 wait_gone "${BG_PID}"
	check_eq "full table: 16 connections held" \
		"$(cat "${TMP}/full.n" 2>/dev/null)" 16
	check_grep "full table: next connection refused" \
		"${TMP}/full.err" "Connection refused"
	check "full table: inbound connection closed at once" \
		test "$(cat "${TMP}/full.in.rc" 2>/dev/null)" -lt 124
	check "full table: both refusals counted as such (--stats)" \
		counter_at_least "${TMP}/pasta.full.log" tcp_drop_full 2
	check_grep "full table: and by the flow table (--stats)" \
		"${TMP}/pasta.full.log" \
		"flows: TCP [0-9]+ \\(refused ([2-9]|[1-9][0-9])\\)"
	check_grep "full table: a freed slot takes a new connection" \
		"${TMP}/full.after" "^one-free$"
	check_grep "full table: and an inbound one again" \
		"${TMP}/full.in.after" "^in-after$"
	lib_kill_pids
}

# ---- Descriptor leaks -----------------------------------------------------------

test_leak() {
	local pid before after

	h2_bg echo2 "${PEER}" echo "${S4}" 6601
	wait_port "${H2}" tcp 6601
	pasta_bg leak "" "(
		timeout 100 ${PEER} short ${S4} 6601 10; echo \$? > ${TMP}/r.warm
		while [ ! -e ${TMP}/go ]; do sleep 0.05; done
		timeout 100 ${PEER} short ${S4} 6601 10000; echo \$? > ${TMP}/r.short
		while [ ! -e ${TMP}/done ]; do sleep 0.05; done) &" \
		-P "${TMP}/pasta.pid"
	wait_file "${TMP}/r.warm"
	wait_for test -s "${TMP}/pasta.pid"
	pid="$(cat "${TMP}/pasta.pid")"
	WAIT_TRIES=300 WAIT_STEP=0.1 wait_for tcp_conns_gone "${pid}"	# Warm-up ones
	before="$(fd_count "${pid}")"
	touch "${TMP}/go"
	WAIT_TRIES=2400 wait_file "${TMP}/r.short"
	check_eq "10,000 short connections complete" \
		"$(cat "${TMP}/r.short" 2>/dev/null)" 0
	WAIT_TRIES=300 WAIT_STEP=0.1 wait_for tcp_conns_gone "${pid}"
	WAIT_TRIES=60 wait_for fds_at_most "${pid}" "${before}"
	after="$(fd_count "${pid}")"
	check_eq "no descriptor leak after 10,000 connections" \
		"${after}" "${before}"
	touch "${TMP}/done"
	lib_kill_pids
}

test_outbound
test_mtu1500
test_inbound
test_slow
test_conns
test_inbound_close
test_map_gw
test_connect_race
test_full
test_leak

test_done
