#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/load_churn.sh - pasta: flows opening and closing fast
#
# In a sandbox (see test/lib.sh), with pasta in H1, the namespace opens and
# closes flows as fast as it can, many at a time, so that several of them
# open and close within one of pasta's event batches and descriptors are
# reused at once:
# - 10,000 TCP connections over the tap path to a checking echo server in
#   H2 (198.51.100.1), 32 at a time, IPv4, and 2,000 over IPv6
#   (2001:db8:1::1): each sends 1 to 4,000 bytes of its own pattern,
#   shuts down, and checks the whole echo; the server checks every byte;
# - 3,000 spliced connections (the namespace's loopback to H1's, -T), the
#   same way;
# - 3,000 UDP sockets over the tap path, 32 at a time, each one datagram
#   of its own, echo checked, closed; flows expire after a second
#   (PASST_UDP_TIMEOUT=1), so their sockets close and descriptors are
#   reused all along; and 2,000 more through the splice path (the
#   namespace's loopback to an echo server on H1's, -U). Full tables are
#   load_flood.sh's business.
# Afterwards pasta holds no connection, and no more descriptors than before.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss timeout

LOAD="$(build_tool load_peer)" || skip "can't build load_peer"
ECHO="$(build_tool udp_echo)" || skip "can't build udp_echo"

sandbox_create || skip "can't create sandbox"
ip -n "${H2}" addr add 2001:db8:1::1/128 dev lo
ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
S4=198.51.100.1
S6=2001:db8:1::1

bg_start "${TMP}/server4.log" h2 timeout 150 "${LOAD}" server "${S4}" 7501
bg_start "${TMP}/server6.log" h2 timeout 150 "${LOAD}" server "${S6}" 7501
bg_start "${TMP}/uecho.log" h2 timeout 150 "${ECHO}" server "${S4}" 7502
bg_start "${TMP}/serverlo.log" h1 timeout 150 "${LOAD}" server 127.0.0.1 7503
bg_start "${TMP}/uecholo.log" h1 timeout 150 "${ECHO}" server 127.0.0.1 7504
wait_port "${H2}" tcp 7501
wait_port "${H2}" udp 7502
wait_port "${H1}" tcp 7503
wait_port "${H1}" udp 7504

PASST_UDP_TIMEOUT=1 bg_start "${TMP}/pasta.log" h1 timeout 150 \
	"${PASTA}" --config-net --stats 1 -T 7503 -U 7504 -P "${TMP}/pasta.pid" -- \
	sh -c "
	while [ ! -e ${TMP}/go ]; do sleep 0.05; done
	timeout 100 ${LOAD} churn ${S4} 7501 10000 32 4000 > ${TMP}/tcp4 2>&1
	timeout 100 ${LOAD} churn ${S6} 7501 2000 32 4000 > ${TMP}/tcp6 2>&1
	timeout 100 ${LOAD} churn 127.0.0.1 7503 3000 32 4000 > ${TMP}/splice 2>&1
	timeout 100 ${LOAD} uchurn ${S4} 7502 3000 32 > ${TMP}/udp 2>&1
	timeout 100 ${LOAD} uchurn 127.0.0.1 7504 2000 32 > ${TMP}/udplo 2>&1
	touch ${TMP}/done
	while [ ! -e ${TMP}/end ]; do sleep 0.05; done
	"
wait_for test -s "${TMP}/pasta.pid"
PID="$(cat "${TMP}/pasta.pid")"
WAIT_TRIES=100 WAIT_STEP=0.1 wait_for tcp_conns_gone "${PID}"
BEFORE="$(fd_count "${PID}")"
touch "${TMP}/go"
WAIT_TRIES=1400 WAIT_STEP=0.1 wait_file "${TMP}/done"

check_grep "10,000 TCP connections (IPv4), 32 at a time, all echoed" \
	"${TMP}/tcp4" "^done 10000 of 10000$"
check_grep "2,000 TCP connections (IPv6), 32 at a time, all echoed" \
	"${TMP}/tcp6" "^done 2000 of 2000$"
check_grep "3,000 spliced connections, 32 at a time, all echoed" \
	"${TMP}/splice" "^done 3000 of 3000$"
check_grep "3,000 UDP sockets, 32 at a time, all echoed" \
	"${TMP}/udp" "^done 3000 of 3000 bad 0$"
check_grep "2,000 spliced UDP sockets, 32 at a time, all echoed" \
	"${TMP}/udplo" "^done 2000 of 2000 bad 0$"
wait_for grep -q "good 10000 " "${TMP}/server4.log"
check_grep "server (IPv4): every byte as sent" "${TMP}/server4.log" \
	"^peak [0-9]+ good 10000 bad 0$"
wait_for grep -q "good 2000 " "${TMP}/server6.log"
check_grep "server (IPv6): every byte as sent" "${TMP}/server6.log" \
	"^peak [0-9]+ good 2000 bad 0$"
wait_for grep -q "good 3000 " "${TMP}/serverlo.log"
check_grep "server (spliced): every byte as sent" "${TMP}/serverlo.log" \
	"^peak [0-9]+ good 3000 bad 0$"
WAIT_TRIES=300 WAIT_STEP=0.1 check "afterwards pasta holds no connection" \
	wait_for tcp_conns_gone "${PID}"
WAIT_TRIES=100 WAIT_STEP=0.1 wait_for fds_at_most "${PID}" "${BEFORE}"
check_eq "afterwards pasta holds as many descriptors as before" \
	"$(fd_count "${PID}")" "${BEFORE}"
touch "${TMP}/end"
echo "# pasta: $(grep '^TCP: conn' "${TMP}/pasta.log" | tail -n 1)"
echo "# pasta: $(grep '^TCP splice' "${TMP}/pasta.log" | tail -n 1)"
echo "# pasta: $(grep '^UDP: drops' "${TMP}/pasta.log" | tail -n 1)"

test_done
