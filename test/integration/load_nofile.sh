#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/load_nofile.sh - pasta out of file descriptors
#
# In a sandbox (see test/lib.sh), pasta runs in H1 under a descriptor limit
# of 400, soft and hard (prlimit): about 200 of them go to its set-up (tap,
# listening sockets, splice pools), and each TCP connection on the tap path
# takes one (its socket: timers share one timerfd). From the namespace,
# 300 idle connections to an echo server in
# H2 (198.51.100.1) use up what is left; then, while they are held:
# - 50 connects at once are refused at once (RST: "connection refused"),
#   and counted by --stats as "table full" (no socket);
# - datagrams from 50 new source ports and echo requests from 50 new ping
#   identifiers find no socket: every reply that does come back is intact,
#   and the others are counted as drops;
# - pasta keeps running.
# Once the held connections are closed, new flows work again: 200 short
# connections (20 at a time) echo their bytes, 100 datagrams from a new port
# and a ping from a new identifier come back. PASST_ICMP_TIMEOUT=2 lets
# the ICMP flows of the flood expire within the test.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat prlimit timeout

LOAD="$(build_tool load_peer)" || skip "can't build load_peer"
ECHO="$(build_tool udp_echo)" || skip "can't build udp_echo"
LIM=400
HOLD=300

sandbox_create || skip "can't create sandbox"
S4=198.51.100.1

bg_start "${TMP}/server.log" h2 timeout 120 "${LOAD}" server "${S4}" 7401
bg_start "${TMP}/uecho.log" h2 timeout 120 "${ECHO}" server "${S4}" 7402
wait_port "${H2}" tcp 7401
wait_port "${H2}" udp 7402

# held_sh() - Shell snippet: count established connections to port 7401
held_sh() {
	echo "ss -Htn state established '( dport = :7401 )' | wc -l"
}

PASST_ICMP_TIMEOUT=2 h1 prlimit --nofile="${LIM}:${LIM}" timeout 120 \
	"${PASTA}" --config-net --stats 1 -P "${TMP}/pasta.pid" -- sh -c "
	sysctl -qw net.ipv4.ping_group_range='0 0'
	for i in \$(seq ${HOLD}); do
		timeout 60 socat -u TCP:${S4}:7401 /dev/null 2>/dev/null &
		echo \$! >> ${TMP}/held.pids
	done
	n=0
	for i in \$(seq 100); do
		m=\$($(held_sh))
		[ \$m -eq \$n ] && [ \$m -gt 0 ] && break
		n=\$m; sleep 0.2
	done
	$(held_sh) > ${TMP}/held.n
	${LOAD} flood ${S4} 7401 50 > ${TMP}/flood.tcp 2>&1
	${LOAD} uflood ${S4} 7402 50 > ${TMP}/flood.udp 2>&1
	${LOAD} pflood ${S4} 50 > ${TMP}/flood.icmp 2>&1
	kill \$(cat ${TMP}/held.pids) 2>/dev/null
	wait
	for i in \$(seq 50); do
		${LOAD} churn ${S4} 7401 200 20 4000 > ${TMP}/new.tcp 2>&1 && break
		sleep 0.2
	done
	for i in \$(seq 20); do
		${ECHO} client ${S4} 7402 100 0 > ${TMP}/new.udp 2>&1 && break
		sleep 0.5
	done
	for i in \$(seq 20); do
		${LOAD} pflood ${S4} 1 > ${TMP}/new.icmp 2>&1
		grep -q 'replies 1 bad 0' ${TMP}/new.icmp && break
		sleep 0.5
	done
	sleep 1.5
	echo alive > ${TMP}/alive
" > "${TMP}/pasta.log" 2>&1
echo $? > "${TMP}/pasta.rc"

# field() - Print the number after a word in a tool's output
# $1:	file
# $2:	word
field() {
	sed -n "s/.*$2 \([0-9]*\).*/\1/p" "$1" | head -n 1
}

HELD="$(cat "${TMP}/held.n" 2>/dev/null)"
echo "# ${HELD} connections held with ${LIM} descriptors"
check "some connections held, fewer than the ${HOLD} tried" \
	test "${HELD:-0}" -gt 0 -a "${HELD:-999}" -lt "${HOLD}"
check_grep "out of descriptors: 50 connects refused, none failed" \
	"${TMP}/flood.tcp" "^connected 0 refused 50 failed 0$"
check "refusals counted as 'table full' (--stats)" \
	test "$(grep 'TCP: conn' "${TMP}/pasta.log" | tail -n 1 |
		grep -o 'table full [0-9]*' |
		cut -d' ' -f3)" -ge $((50 + HOLD - ${HELD:-0}))
check_grep "UDP: every reply that came back is intact" \
	"${TMP}/flood.udp" "^sent 50 replies [0-9]+ bad 0$"
check "UDP: datagrams without a socket counted as drops" \
	test "$(grep -o ' udp [0-9]*' "${TMP}/pasta.log" | tail -n 1 |
		cut -d' ' -f3)" -ge $((50 - $(field "${TMP}/flood.udp" replies)))
check_grep "ICMP: every reply that came back is intact" \
	"${TMP}/flood.icmp" "^sent 50 replies [0-9]+ bad 0$"
check "ICMP: requests without a socket counted as drops" \
	test "$(grep -o ' icmp [0-9]*' "${TMP}/pasta.log" | tail -n 1 |
		cut -d' ' -f3)" -ge $((50 - $(field "${TMP}/flood.icmp" replies)))
check_grep "descriptors freed: 200 short connections echo their bytes" \
	"${TMP}/new.tcp" "^done 200 of 200$"
check_grep "descriptors freed: 100 datagrams from a new port come back" \
	"${TMP}/new.udp" "received 100/100, bad 0"
check_grep "descriptors freed: a ping from a new identifier comes back" \
	"${TMP}/new.icmp" "^sent 1 replies 1 bad 0$"
check_grep "pasta ran to the end of its command" "${TMP}/alive" "^alive$"
check_eq "pasta exits with its command's status" \
	"$(cat "${TMP}/pasta.rc")" 0
echo "# TCP: $(cat "${TMP}/flood.tcp")"
echo "# UDP: $(cat "${TMP}/flood.udp")"
echo "# ICMP: $(cat "${TMP}/flood.icmp")"
echo "# pasta: $(grep '^TCP: conn' "${TMP}/pasta.log" | tail -n 1)"
echo "# pasta: $(grep '^UDP: drops' "${TMP}/pasta.log" | tail -n 1)"
echo "# pasta: $(grep '^frames in' "${TMP}/pasta.log" | tail -n 1 |
		 grep -o 'icmp [0-9]* udp [0-9]*')"

test_done
