#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/load_flood.sh - pasta: more new flows than the tables hold
#
# In a sandbox (see test/lib.sh), pasta runs in H1 with small tables (test
# overrides: PASST_TCP_CONN_MAX=16, PASST_UDP_FLOW_MAX=16, and flows
# expiring in 2 s: PASST_UDP_TIMEOUT, PASST_ICMP_TIMEOUT; the ICMP table
# holds 256 flows). While 32 MiB go from the namespace to a slow reader in
# H2 (198.51.100.1, over the tap path), the namespace floods pasta with new
# flows: 200 connects at once to an echo server in H2, datagrams from 200
# source ports to a UDP echo server, and echo requests from 400 ping
# sockets. Checked:
# - connections past the table's size are refused at once (RST: "connection
#   refused"), the others echo their own bytes, and --stats counts the
#   refusals as "table full";
# - every UDP and ICMP reply that comes back is intact; ICMP requests past
#   the table's size are counted as drops;
# - pasta stops reading the tap when its input pool is full, and never
#   drops a frame for it (tap_drop_pool stays 0);
# - the transfer going on meanwhile arrives whole (sha256);
# - afterwards new flows work again: a connection echoes its bytes, 100
#   datagrams from a new port and a ping from a new identifier come back.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout tac awk

LOAD="$(build_tool load_peer)" || skip "can't build load_peer"
ECHO="$(build_tool udp_echo)" || skip "can't build udp_echo"
SLOW="$(build_tool slow_cat)" || skip "can't build slow_cat"
MID="${TMP}/mid"
head -c $((32 << 20)) /dev/urandom > "${MID}"
MID_SUM="$(sha256sum < "${MID}")"

sandbox_create || skip "can't create sandbox"
S4=198.51.100.1

bg_start "${TMP}/server.log" h2 timeout 120 "${LOAD}" server "${S4}" 7301
bg_start "${TMP}/uecho.log" h2 timeout 120 "${ECHO}" server "${S4}" 7302
bg_start "${TMP}/bulk.log" h2 timeout 120 sh -c "
	socat -u TCP-LISTEN:7303,reuseaddr STDOUT |
	${SLOW} 8192 2 > ${TMP}/bulk.out"
wait_port "${H2}" tcp 7301
wait_port "${H2}" udp 7302
wait_port "${H2}" tcp 7303

# The namespace's script: bulk transfer, once under way the floods, then
# new flows, each retried (bounded) until the flood's flows are gone
PASST_TCP_CONN_MAX=16 PASST_UDP_FLOW_MAX=16 PASST_UDP_TIMEOUT=2 \
PASST_ICMP_TIMEOUT=2 PASTA_TIMEOUT=120 pasta_h1 --stats 1 -- sh -c "
	sysctl -qw net.ipv4.ping_group_range='0 0'
	timeout 100 socat -u OPEN:${MID} TCP:${S4}:7303 &
	for i in \$(seq 200); do
		[ \$(stat -c %s ${TMP}/bulk.out) -gt 1048576 ] && break
		sleep 0.05
	done
	stat -c %s ${TMP}/bulk.out > ${TMP}/bulk.before
	${LOAD} flood ${S4} 7301 200 > ${TMP}/flood.tcp; echo \$? >> ${TMP}/flood.tcp
	${LOAD} uflood ${S4} 7302 200 > ${TMP}/flood.udp; echo \$? >> ${TMP}/flood.udp
	${LOAD} pflood ${S4} 400 > ${TMP}/flood.icmp 2>&1; echo \$? >> ${TMP}/flood.icmp
	stat -c %s ${TMP}/bulk.out > ${TMP}/bulk.after
	for i in \$(seq 50); do
		${LOAD} churn ${S4} 7301 1 1 4000 > ${TMP}/new.tcp && break
		sleep 0.2
	done
	for i in \$(seq 20); do
		${ECHO} client ${S4} 7302 100 0 > ${TMP}/new.udp && break
		sleep 0.5
	done
	for i in \$(seq 20); do
		${LOAD} pflood ${S4} 1 > ${TMP}/new.icmp
		grep -q 'replies 1 bad 0' ${TMP}/new.icmp && break
		sleep 0.5
	done
	wait
	$(wait_size_sh "${TMP}/bulk.out" $((32 << 20)))
	sleep 1.5
" > "${TMP}/pasta.log" 2>&1

# flood_field() - Print the number after a word in a flood's output
# $1:	file
# $2:	word
flood_field() {
	sed -n "s/.*$2 \([0-9]*\).*/\1/p" "$1" | head -n 1
}

REFUSED="$(flood_field "${TMP}/flood.tcp" refused)"
check_grep "TCP flood: 200 connects, none failed, none echoed wrong" \
	"${TMP}/flood.tcp" "^connected [0-9]+ refused [0-9]+ failed 0$"
check "TCP flood: connections past the table refused" \
	test "${REFUSED:-0}" -gt 150
check "TCP flood: refusals counted as table full (tcp_drop_full, --stats)" \
	counter_at_least "${TMP}/pasta.log" tcp_drop_full "${REFUSED:-1}"
check_grep "UDP flood: 200 source ports, every reply intact" \
	"${TMP}/flood.udp" "^sent 200 replies [0-9]+ bad 0$"
check_grep "ICMP flood: 400 identifiers, every reply intact" \
	"${TMP}/flood.icmp" "^sent 400 replies [0-9]+ bad 0$"
IREPL="$(flood_field "${TMP}/flood.icmp" replies)"
check "ICMP flood: each request answered, or dropped and counted" \
	test "$(grep -o ' icmp [0-9]*' "${TMP}/pasta.log" | tail -n 1 |
		cut -d' ' -f3)" -ge $((400 - ${IREPL:-400}))
check "under the floods, no frame refused by a full pool (tap_drop_pool)" \
	counter_is "${TMP}/pasta.log" tap_drop_pool 0
check "the transfer under way meanwhile: 32 MiB intact" \
	sum_is "${TMP}/bulk.out" "${MID_SUM}"
check_grep "afterwards: a new connection echoes its bytes" \
	"${TMP}/new.tcp" "^done 1 of 1$"
check_grep "afterwards: 100 datagrams from a new port come back" \
	"${TMP}/new.udp" "received 100/100, bad 0"
check_grep "afterwards: a ping from a new identifier comes back" \
	"${TMP}/new.icmp" "^sent 1 replies 1 bad 0$"
echo "# TCP flood: $(head -n 1 "${TMP}/flood.tcp")"
echo "# UDP flood: $(head -n 1 "${TMP}/flood.udp")"
echo "# ICMP flood: $(head -n 1 "${TMP}/flood.icmp")"
echo "# transfer: $(cat "${TMP}/bulk.before" 2>/dev/null) bytes in" \
     "before the floods, $(cat "${TMP}/bulk.after" 2>/dev/null) after"
echo "# pasta: $(grep '^TCP: conn' "${TMP}/pasta.log" | tail -n 1)"
echo "# pasta: $(grep '^frames in' "${TMP}/pasta.log" | tail -n 1 |
		 grep -o 'icmp [0-9]* udp [0-9]*')"
echo "# pasta: $(grep '^UDP: drops' "${TMP}/pasta.log" | tail -n 1)"

test_done
