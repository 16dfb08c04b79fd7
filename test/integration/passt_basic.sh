#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/passt_basic.sh - passt: UNIX socket, clients, ARP, framing
#
# In a sandbox (see test/lib.sh), start passt -f -s SOCK in H1 and talk to it
# with test/tools/qemu_client (qemu's stream framing): an ARP request for the
# gateway gets a reply from 9a:55:9a:55:9a:55 with the right addresses, byte
# for byte; a second client connecting while one is served is closed at once
# and the first stays served; a later client is served once the first left;
# -1 exits after its client leaves; without -f passt daemonises once the
# socket exists and -P holds the daemon's PID; malformed frame lengths in
# the stream (under 14, over 65549, zero) don't kill the daemon.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip cc

OUR_MAC="9a:55:9a:55:9a:55"
GUEST_MAC="52:54:00:12:34:56"

QC="$(build_tool qemu_client)" || { echo "cannot build qemu_client"; exit 1; }

# arp_ok() - Send an ARP request for the gateway, succeed on a reply
# $1:	socket path
# $2:	output file
arp_ok() {
	"${QC}" -t 1 arp "$1" 192.0.2.254 192.0.2.1 > "$2" 2>&1
}

# check_arp_reply() - Check a qemu_client arp output, decoded and bytes
# $1:	label
# $2:	output file
check_arp_reply() {
	check_grep "$1: ARP reply decoded" "$2" \
		"^arp op=2 eth_dst=${GUEST_MAC} eth_src=${OUR_MAC} sha=${OUR_MAC} spa=192\\.0\\.2\\.254 tha=${GUEST_MAC} tpa=192\\.0\\.2\\.1$"
	# dst, src, type; htype, ptype, hlen, plen, op; sha, spa, tha, tpa;
	# optional padding to the Ethernet minimum
	check_grep "$1: ARP reply bytes" "$2" \
		"^frame: 525400123456 *9a559a559a55 *0806 *0001080006040002 *9a559a559a55c00002fe *525400123456c0000201(00)*$"
}

sandbox_create

# Foreground, one client
SOCK="${TMP}/passt.sock"
bg_start "${TMP}/passt.log" h1 "${PASST}" -f -s "${SOCK}"
check "passt creates its socket" wait_file "${SOCK}" ||
	{ cat "${TMP}/passt.log"; test_done; }
PASST_PID="$(bg_leaf "${BG_PID}")"
check "passt runs in the foreground" grep -q passt "/proc/${PASST_PID}/cmdline"

arp_ok "${SOCK}" "${TMP}/arp1"
check_arp_reply "first client" "${TMP}/arp1"

# Second client while the first one is connected
cat > "${TMP}/a.script" <<EOF
arp 192.0.2.254 192.0.2.1
touch ${TMP}/a_ready
waitfile ${TMP}/b_done
arp 192.0.2.254 192.0.2.1
echo a_done
EOF
# a_ready_or_gone() - Client A signalled readiness, or exited
a_ready_or_gone() {
	[ -e "${TMP}/a_ready" ] || ! kill -0 "${A_PID}" 2>/dev/null
}

# The previous client's hang-up and A's connection may race: retry A
for i in $(seq 1 20); do
	"${QC}" -t 10 script "${SOCK}" "${TMP}/a.script" > "${TMP}/a.out" 2>&1 &
	A_PID=$!
	cleanup_pid "${A_PID}"
	wait_for a_ready_or_gone
	[ -e "${TMP}/a_ready" ] && break
	sleep 0.1
done
if check "client A connected and served" test -e "${TMP}/a_ready"; then
	"${QC}" -t 1 probe "${SOCK}" > "${TMP}/b.out" 2>&1
	check_grep "second client closed at once" "${TMP}/b.out" "^closed$"
	touch "${TMP}/b_done"
	wait "${A_PID}"
	check_eq "client A still served after the second one" "$?" 0 ||
		sed 's/^/    A: /' "${TMP}/a.out"
	check_eq "client A got two ARP replies" \
		"$(grep -c '^arp op=2 .*spa=192\.0\.2\.254' "${TMP}/a.out")" 2
else
	cat "${TMP}/a.out"
fi

check "a new client is served after A left" \
	wait_for arp_ok "${SOCK}" "${TMP}/arp2"
check_arp_reply "new client" "${TMP}/arp2"

# Malformed framing: each on its own connection, then a fresh client
for bad in "sendlen 10" "sendlen 0" "sendlen 13" "sendlen 65550" \
	   "sendlen 4000000 100"; do
	printf '%s\n' "${bad}" > "${TMP}/bad.script"
	"${QC}" -t 1 script "${SOCK}" "${TMP}/bad.script" > /dev/null 2>&1
	check "daemon survives '${bad}'" kill -0 "${PASST_PID}"
	check "ARP answered after '${bad}'" \
		wait_for arp_ok "${SOCK}" "${TMP}/arp_bad"
done

# A short frame inside an otherwise good stream: the daemon skips it or
# resets the connection; either way it must answer a new client
printf 'sendlen 10\narp 192.0.2.254 192.0.2.1\n' > "${TMP}/bad2.script"
"${QC}" -t 1 script "${SOCK}" "${TMP}/bad2.script" > "${TMP}/bad2.out" 2>&1
check "ARP answered after a short frame mid-stream" \
	wait_for arp_ok "${SOCK}" "${TMP}/arp_bad2"

kill "${PASST_PID}" 2>/dev/null
check "passt exits on SIGTERM" wait_gone "${PASST_PID}"

# One-off: exit after the client leaves
SOCK1="${TMP}/oneoff.sock"
bg_start "${TMP}/oneoff.log" h1 "${PASST}" -f -1 -s "${SOCK1}"
check "-1: socket created" wait_file "${SOCK1}"
ONEOFF_PID="$(bg_leaf "${BG_PID}")"
arp_ok "${SOCK1}" "${TMP}/arp_oneoff"
check_arp_reply "-1" "${TMP}/arp_oneoff"
check "-1: passt exits after its client left" wait_gone "${ONEOFF_PID}"

# Daemon: no -f, PID file
SOCKD="${TMP}/daemon.sock"
PIDFILE="${TMP}/passt.pid"
h1 timeout 20 "${PASST}" -s "${SOCKD}" -P "${PIDFILE}" \
	> "${TMP}/daemon.log" 2>&1
check_eq "daemon: foreground process returns 0" "$?" 0 ||
	head -n 20 "${TMP}/daemon.log"
check "daemon: socket exists once it returned" test -S "${SOCKD}"
wait_for test -s "${PIDFILE}"
DPID="$(cat "${PIDFILE}" 2>/dev/null)"
case "${DPID}" in
''|*[!0-9]*) DPID="" ;;
*) cleanup_pid "${DPID}" ;;
esac
check "daemon: PID file holds a PID" test -n "${DPID}"
if [ -n "${DPID}" ]; then
	check "daemon: that PID is a running passt" \
		grep -q passt "/proc/${DPID}/cmdline"
	check "daemon: ARP answered" wait_for arp_ok "${SOCKD}" "${TMP}/arp_d"
	check_arp_reply "daemon" "${TMP}/arp_d"
	kill "${DPID}"
	check "daemon: exits when killed by its PID" wait_gone "${DPID}"
fi

test_done
