#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/pasta_map.sh - pasta: --map-guest-addr, end to end
#
# In a sandbox (see test/lib.sh), pasta --config-net in H1 copies H1's
# addresses (192.0.2.1, 2001:db8::1) into its namespace, so the namespace
# can't reach H1 at them: --map-guest-addr names an address that stands for
# H1's own address. From the namespace, through ADDR (198.51.100.2 and
# 2001:db8:5::2):
#   - TCP to servers bound only to H1's own addresses: 8 MiB up, sha256
#     checked, and the server sees the peer as H1's own address; IPv4, IPv6
#   - UDP echo (udp_echo: every byte checked, replies from ADDR:PORT)
#   - ping (lib.sh ping_replies), 3 replies with the data pattern intact
#     in at most 3 runs of 3, pasta's drop counters for them (ping_drops)
#     unmoved: a loss under load is retried, pasta's own loss fails
# and the other way, H1 connecting to its own address on a -t port reaches
# the namespace's server, which sees ADDR as the peer (and a datagram to a
# -u port arrives from ADDR). The option is
# repeatable, last one per family wins: an earlier address is not mapped and
# reaches H2, which holds it on its loopback and answers "h2"; "none"
# clears the mapping (H2 answers again). --map-host-loopback ADDR goes
# through the same translation: TCP to ADDR reaches H1's loopback, and the
# gateway address is then the real gateway (H2), as with "none".

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout ping awk tac

ECHO="$(build_tool udp_echo)" || skip "can't build udp_echo"
MID="${TMP}/mid"
head -c $((8 << 20)) /dev/urandom > "${MID}"
MID_SUM="$(sha256sum < "${MID}")"

A4=198.51.100.2
A6=2001:db8:5::2
OLD4=198.51.100.9
OLD6=2001:db8:5::9

sandbox_create || skip "can't create sandbox"
for a in ${A4} ${OLD4}; do ip -n "${H2}" addr add "${a}/32" dev lo; done
for a in ${A6} ${OLD6}; do ip -n "${H2}" addr add "${a}/128" dev lo; done
ip -n "${H1}" -6 route add 2001:db8:5::/64 via 2001:db8::fe dev up0

# h1_bg() - Start a command in H1 in the background
# $1:	log name
# $2..:	command
h1_bg() {
	local log="${TMP}/$1.log"
	shift
	bg_start "${log}" h1 timeout 120 "$@"
}

# sink() - One-shot TCP server in H1 storing data and the peer's address
# $1:	name: files ${TMP}/NAME and ${TMP}/NAME.peer
# $2:	socat listen address type, TCP4-LISTEN or TCP6-LISTEN
# $3:	port
# $4:	bind address
sink() {
	h1_bg "$1" socat -u "$2:$3,bind=$4,reuseaddr" \
		SYSTEM:"cat > ${TMP}/$1; echo \$SOCAT_PEERADDR > ${TMP}/$1.peer"
}

# wait_size_sh() - Shell snippet for the namespace: bounded wait until a file
# written by a server in H1 is complete (pasta exits with its command, and
# data may still be on its way when the sending client exits)
# $1:	file
# $2:	size, bytes
wait_size_sh() {
	echo "for i in \$(seq 300); do
		[ \"\$(stat -c %s $1 2>/dev/null)\" = $2 ] && break; sleep 0.05
	done"
}

# ---- Outbound: TCP, UDP, ICMP through ADDR; last one wins -------------------

test_outbound() {
	sink t4 TCP4-LISTEN 7101 192.0.2.1
	sink t6 TCP6-LISTEN 7102 "[2001:db8::1]"
	h1_bg u4 "${ECHO}" server 192.0.2.1 7103
	h1_bg u6 "${ECHO}" server 2001:db8::1 7104
	h1_bg b4 socat TCP4-LISTEN:7105,bind=192.0.2.1,reuseaddr,fork \
		SYSTEM:'echo host'
	bg_start "${TMP}/h2b.log" h2 timeout 120 socat \
		TCP6-LISTEN:7105,ipv6only=0,reuseaddr,fork SYSTEM:'echo h2'
	for p in 7101 7102 7105; do wait_port "${H1}" tcp "${p}"; done
	for p in 7103 7104; do wait_port "${H1}" udp "${p}"; done
	wait_port "${H2}" tcp 7105

	pasta_h1 --map-guest-addr "${OLD4}" --map-guest-addr "${OLD6}" \
		--map-guest-addr "${A4}" --map-guest-addr "${A6}" -- sh -c "
		timeout 20 socat -u OPEN:${MID} TCP4:${A4}:7101
		$(wait_size_sh "${TMP}/t4" $((8 << 20)))
		timeout 20 socat -u OPEN:${MID} TCP6:[${A6}]:7102
		$(wait_size_sh "${TMP}/t6" $((8 << 20)))
		timeout 10 ${ECHO} client ${A4} 7103 20 0 > ${TMP}/u4.out 2>&1
		timeout 10 ${ECHO} client ${A6} 7104 20 0 > ${TMP}/u6.out 2>&1
		timeout 5 socat -u TCP4:${A4}:7105 STDOUT > ${TMP}/b.new
		timeout 5 socat -u TCP4:${OLD4}:7105 STDOUT > ${TMP}/b.old4
		timeout 5 socat -u TCP6:[${OLD6}]:7105 STDOUT > ${TMP}/b.old6
	" > "${TMP}/pasta.out.log" 2>&1

	map_tcp_checks "${A4}" "${A6}"
	check_grep "UDP/IPv4 echo through ${A4}, bytes and source checked" \
		"${TMP}/u4.out" "^received 20/20, bad 0, wrong-source 0$"
	check_grep "UDP/IPv6 echo through ${A6}, bytes and source checked" \
		"${TMP}/u6.out" "^received 20/20, bad 0, wrong-source 0$"
	check_grep "${A4} reaches H1 (last --map-guest-addr wins)" \
		"${TMP}/b.new" "^host$"
	check_grep "earlier ${OLD4} is not mapped: H2 answers" \
		"${TMP}/b.old4" "^h2$"
	check_grep "earlier ${OLD6} is not mapped: H2 answers" \
		"${TMP}/b.old6" "^h2$"
	lib_kill_pids
}

# ---- ICMP through ADDR, pasta's drop counters still ------------------------

test_ping() {
	local hold="${TMP}/hold" drops0 ns

	PASTA_TIMEOUT=120 bg_start "${TMP}/pasta.ping.log" pasta_h1 --stats 1 \
		--map-guest-addr "${A4}" --map-guest-addr "${A6}" \
		-- sh -c "$(ns_hold_sh "${hold}")"
	check "pasta for the pings runs its command" wait_file "${hold}" ||
		return
	ns="$(ns_hold_pid "${BG_PID}" "${hold}")"
	stats_fresh "${TMP}/pasta.ping.log"
	drops0="$(ping_drops "${TMP}/pasta.ping.log")"
	check "ping ${A4}: 3 replies, the data pattern intact" \
		ping_replies "${ns}" "${TMP}/p4" "${A4}"
	check "ping ${A6}: 3 replies, the data pattern intact" \
		ping_replies "${ns}" "${TMP}/p6" -6 "${A6}"
	stats_fresh "${TMP}/pasta.ping.log"
	check_eq "pings: pasta dropped nothing (icmp_drop_* but _type, \
tap_drop_out, tap_drop_oneoff)" "$(ping_drops "${TMP}/pasta.ping.log")" \
		"${drops0}"
	touch "${hold}.done"
	lib_kill_pids
}

# ---- "none" clears the mapping ----------------------------------------------

test_none() {
	h1_bg b4 socat TCP4-LISTEN:7105,bind=192.0.2.1,reuseaddr,fork \
		SYSTEM:'echo host'
	bg_start "${TMP}/h2b.log" h2 timeout 120 socat \
		TCP6-LISTEN:7105,ipv6only=0,reuseaddr,fork SYSTEM:'echo h2'
	wait_port "${H1}" tcp 7105
	wait_port "${H2}" tcp 7105

	pasta_h1 --map-guest-addr "${A4}" --map-guest-addr none -- sh -c "
		timeout 5 socat -u TCP4:${A4}:7105 STDOUT > ${TMP}/b.none
	" > "${TMP}/pasta.none.log" 2>&1
	check_grep "--map-guest-addr none: ${A4} reaches H2 again" \
		"${TMP}/b.none" "^h2$"
	lib_kill_pids
}

# ---- Inbound: H1's own address is shown to the namespace as ADDR ------------

test_inbound() {
	rm -f "${TMP}/ready.in"
	h1_bg c4 sh -c "for i in \$(seq 400); do
			[ -e ${TMP}/ready.in ] && break; sleep 0.05; done
		socat -u OPEN:${MID} TCP4:192.0.2.1:7110"
	h1_bg c6 sh -c "for i in \$(seq 400); do
			[ -e ${TMP}/ready.in ] && break; sleep 0.05; done
		socat -u OPEN:${MID} TCP6:[2001:db8::1]:7111"
	h1_bg cu sh -c "for i in \$(seq 400); do
			[ -e ${TMP}/ready.in ] && break; sleep 0.05; done
		echo datagram | socat -u STDIN UDP4-SENDTO:192.0.2.1:7112"

	pasta_h1 -t 7110,7111 -u 7112 --map-guest-addr "${A4}" \
		--map-guest-addr "${A6}" -- sh -c "
		timeout 30 socat -u UDP4-RECVFROM:7112 SYSTEM:'cat > ${TMP}/iu; \
			echo \$SOCAT_PEERADDR > ${TMP}/iu.peer' &
		timeout 30 socat -u TCP4-LISTEN:7110 SYSTEM:'cat > ${TMP}/i4; \
			echo \$SOCAT_PEERADDR > ${TMP}/i4.peer' &
		timeout 30 socat -u TCP6-LISTEN:7111 SYSTEM:'cat > ${TMP}/i6; \
			echo \$SOCAT_PEERADDR > ${TMP}/i6.peer' &
		for i in \$(seq 200); do
			[ -n \"\$(ss -Hltn 'sport = :7111')\" ] &&
			[ -n \"\$(ss -Hltn 'sport = :7110')\" ] &&
			[ -n \"\$(ss -Hlun 'sport = :7112')\" ] && break
			sleep 0.05
		done
		touch ${TMP}/ready.in
		wait
	" > "${TMP}/pasta.in.log" 2>&1

	check "inbound TCP/IPv4 from H1's own address: 8 MiB" \
		sum_is "${TMP}/i4" "${MID_SUM}"
	check_grep "inbound IPv4: the namespace sees ${A4} as the peer" \
		"${TMP}/i4.peer" "^${A4//./\\.}$"
	check "inbound TCP/IPv6 from H1's own address: 8 MiB" \
		sum_is "${TMP}/i6" "${MID_SUM}"
	check_grep "inbound IPv6: the namespace sees ${A6} as the peer" \
		"${TMP}/i6.peer" "^\[2001:0db8:0005:0000:0000:0000:0000:0002\]$"
	check_grep "inbound UDP/IPv4 from H1's own address: datagram" \
		"${TMP}/iu" "^datagram$"
	check_grep "inbound UDP/IPv4: the namespace sees ${A4} as the source" \
		"${TMP}/iu.peer" "^${A4//./\\.}$"
	lib_kill_pids
}

# ---- --map-host-loopback ADDR: same mechanism, to the host's loopback --------

test_map_lo() {
	h1_bg lo socat TCP4-LISTEN:7106,bind=127.0.0.1,reuseaddr,fork \
		SYSTEM:'echo loopback'
	h1_bg lo6 socat TCP6-LISTEN:7106,bind=[::1],reuseaddr,fork \
		SYSTEM:'echo loopback6'
	bg_start "${TMP}/h2c.log" h2 timeout 120 socat \
		TCP6-LISTEN:7106,ipv6only=0,reuseaddr,fork SYSTEM:'echo h2'
	wait_port "${H1}" tcp 7106
	wait_port "${H2}" tcp 7106

	pasta_h1 --map-host-loopback "${A4}" --map-host-loopback "${A6}" \
		-- sh -c "
		timeout 5 socat -u TCP4:${A4}:7106 STDOUT > ${TMP}/lo.a4
		timeout 5 socat -u TCP6:[${A6}]:7106 STDOUT > ${TMP}/lo.a6
		timeout 5 socat -u TCP4:192.0.2.254:7106 STDOUT > ${TMP}/lo.gw
	" > "${TMP}/pasta.lo.log" 2>&1
	pasta_h1 --map-host-loopback none -- sh -c "
		timeout 5 socat -u TCP4:192.0.2.254:7106 STDOUT > ${TMP}/lo.none
	" > "${TMP}/pasta.lonone.log" 2>&1
	check_grep "--map-host-loopback ${A4}: TCP reaches H1's 127.0.0.1" \
		"${TMP}/lo.a4" "^loopback$"
	check_grep "--map-host-loopback ${A6}: TCP reaches H1's ::1" \
		"${TMP}/lo.a6" "^loopback6$"
	check_grep "--map-host-loopback ADDR: the gateway is the gateway" \
		"${TMP}/lo.gw" "^h2$"
	check_grep "--map-host-loopback none: the gateway is the gateway" \
		"${TMP}/lo.none" "^h2$"
	lib_kill_pids
}

test_outbound
test_ping
test_none
test_inbound
test_map_lo

test_done
