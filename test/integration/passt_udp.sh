#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/passt_udp.sh - passt: UDP through the qemu socket
#
# In a sandbox (see test/lib.sh), passt runs in H1; test/tools/passt_tap
# connects to its socket from a namespace G and relays frames to a tap
# device there, so G's kernel plays the guest (MTU 65520). Through it,
# test/tools/udp_echo sends 1,000 datagrams (4 to 1,400 bytes, stop and
# wait) and checks every echo byte for byte and its source address and port
# (a datagram whose echo is over 2 s late is sent once more, as UDP may
# lose it on a loaded machine, e.g. the guest's neighbour resolution of a
# fresh address timing out; passt's UDP drop counters must then not have
# moved, see lib.sh udp_drops):
# - to "the internet" (servers in H2), IPv4 and IPv6, and 64 KiB datagrams;
# - to the gateway, mapped to H1's loopback (replies from the gateway);
# - inbound, -u 7005:7006 and -u 65535:7006: H2 and H1's loopback send to
#   H1's port 7005 (65535) and the guest's server on 7006 answers; the
#   client checks the reply comes from the port it sent to;
# - the host itself to forwarded ports, with and without --no-map-gw (a
#   second passt and relay): H1 sends to 127.0.0.1, ::1 and to its own
#   192.0.2.1 and 2001:db8::1 (which the guest shares: it sees the host as
#   its gateway), on -u 7005:7006 and on a remapped range -u
#   7010-7011:7020-7021; every reply must come from the address and port
#   the client sent to, also for an address added to H1 afterwards
#   (192.0.2.3, 2001:db8::3) that H1 and H2 send to;
# - --dns-forward: a query to the forwarded address gets the stub
#   resolver's answer (the resolver is H2, named in H1's resolv.conf);
# - a closed port: ICMP port unreachable reaches the guest (ECONNREFUSED);
# - malformed UDP lengths from the guest are dropped and counted as such.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip cc ss awk tac env

ECHO="$(build_tool udp_echo)" || { echo "cannot build udp_echo"; exit 1; }
PT="$(build_tool passt_tap)" || { echo "cannot build passt_tap"; exit 1; }

sandbox_create
ip -n "${H2}" addr add 2001:db8:1::1/128 dev lo
ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
guest_ns_create "pt-ug-$$" || exit 1


# echo_ok() - Echo datagrams, check all came back intact from the target;
# one whose echo is late is sent again (UDP_ECHO_RESEND): whether passt
# lost it is for its drop counters to say, see drops_still()
# $1:	label
# $2:	namespace the client runs in (see ns_run)
# $3:	address
# $4:	port
# $5:	count
# $6:	size, 0 to vary
echo_ok() {
	check "$1" ns_run "$2" env UDP_ECHO_RESEND=1 timeout 60 "${ECHO}" \
		client "$3" "$4" "$5" "$6"
}

# drops_still() - Check that passt's UDP drop counters (lib.sh udp_drops:
# datagrams either way, frames to the guest, ARP and NDP answers) did not
# move since DROPS0 was taken
# $1:	passt's log (--stats 1)
# $2:	label
drops_still() {
	stats_fresh "$1"
	check_eq "$2: passt dropped no datagram (udp_drop_*, tap_drop_out, \
tap_drop_oneoff, tap_drop_pool)" "$(udp_drops "$1")" "${DROPS0}"
}

# server() - Start an echo server
# $1:	namespace (see ns_run)
# $2:	address
# $3:	port
server() {
	bg_start "${TMP}/srv.$RANDOM" ns_run "$1" "${ECHO}" server "$2" "$3"
}

server "${H2}" 198.51.100.1 7000
server "${H2}" 2001:db8:1::1 7000
server "${H1}" 127.0.0.1 7001
server "${H1}" ::1 7001
bg_start "${TMP}/dns.log" h2 "${ECHO}" dns 192.0.2.254 53 192.0.2.77
wait_port "${H2}" udp 7000
wait_port "${H2}" udp 53
wait_port "${H1}" udp 7001

SOCK="${TMP}/passt.sock"
# guest_up() - Connect the guest's tap relay to a passt, configure G
# $1:	passt's socket
# $2:	relay log
# Sets PT_JOB
guest_up() {
	bg_start "$2" g "${PT}" "$1" tap0
	PT_JOB="${BG_PID}"
	check "guest tap relay up" wait_for ip -n "${G}" link show tap0 ||
		{ cat "$2"; test_done; }
	g sysctl -qw net.ipv6.conf.tap0.accept_ra=0
	# tun drops what the guest sends once txqueuelen frames wait for the
	# relay, where a VM's virtio queue would stop its sender: a longer
	# queue keeps that loss, which is the harness's, out of the way
	ip -n "${G}" link set tap0 mtu 65520 txqueuelen 10000 up
	ip -n "${G}" addr add 192.0.2.1/24 dev tap0
	ip -n "${G}" addr add 2001:db8::1/64 dev tap0 nodad
	ip -n "${G}" route add default via 192.0.2.254 dev tap0
	ip -n "${G}" -6 route add default via 2001:db8::fe dev tap0
}

# host_matrix() - The host itself to forwarded ports: loopback and own
# addresses, single port and remapped range, replies from the address and
# port the client sent to; then a second address of H1, from H1 and H2
# $1:	label
host_matrix() {
	local a p

	for a in 127.0.0.1 ::1 192.0.2.1 2001:db8::1; do
		for p in 7005 7010 7011; do
			echo_ok "$1: host to ${a} port ${p}, reply from it" \
				"${H1}" "${a}" "${p}" 30 0
		done
	done
	ip -n "${H1}" addr add 192.0.2.3/24 dev up0
	ip -n "${H1}" addr add 2001:db8::3/64 dev up0 nodad
	for a in 192.0.2.3 2001:db8::3; do
		echo_ok "$1: host to its second address ${a}" \
			"${H1}" "${a}" 7010 30 0
		echo_ok "$1: H2 to the host's second address ${a}" \
			"${H2}" "${a}" 7011 30 0
	done
	ip -n "${H1}" addr del 192.0.2.3/24 dev up0
	ip -n "${H1}" addr del 2001:db8::3/64 dev up0
}

bg_start "${TMP}/passt.log" h1 timeout 250 "${PASST}" -f -d -s "${SOCK}" \
	--dns-forward 192.0.2.53 -u 7005:7006 -u 65535:7006 \
	-u 7010-7011:7020-7021 --stats 1
PASST_JOB="${BG_PID}"
check "passt creates its socket" wait_file "${SOCK}" ||
	{ cat "${TMP}/passt.log"; test_done; }
guest_up "${SOCK}" "${TMP}/pt.log"
stats_fresh "${TMP}/passt.log"
DROPS0="$(udp_drops "${TMP}/passt.log")"

echo_ok "tap: 1000 datagrams to 198.51.100.1" "${G}" 198.51.100.1 7000 1000 0
echo_ok "tap: 1000 datagrams to 2001:db8:1::1" "${G}" 2001:db8:1::1 7000 1000 0
echo_ok "tap: 64000-byte datagrams, IPv4" "${G}" 198.51.100.1 7000 20 64000
echo_ok "tap: 65000-byte datagrams, IPv6" "${G}" 2001:db8:1::1 7000 20 65000
echo_ok "gateway 192.0.2.254 to host loopback" "${G}" 192.0.2.254 7001 1000 0
echo_ok "gateway 2001:db8::fe to host loopback" "${G}" 2001:db8::fe 7001 1000 0

server "${G}" 0.0.0.0 7006
server "${G}" :: 7006
wait_port "${G}" udp 7006
echo_ok "inbound: H2 to 192.0.2.1:7005, reply from 7005" "${H2}" \
	192.0.2.1 7005 1000 0
echo_ok "inbound: H2 to [2001:db8::1]:7005, reply from 7005" "${H2}" \
	2001:db8::1 7005 1000 0
echo_ok "inbound: host 127.0.0.1:7005, reply from 7005" "${H1}" \
	127.0.0.1 7005 1000 0
echo_ok "inbound: host [::1]:7005, reply from 7005" "${H1}" ::1 7005 1000 0
echo_ok "inbound: port 65535, reply from 65535" "${H2}" 192.0.2.1 65535 200 0
for p in 7020 7021; do
	server "${G}" 0.0.0.0 "${p}"
	server "${G}" :: "${p}"
done
wait_port "${G}" udp 7021
host_matrix "default"
drops_still "${TMP}/passt.log" "default"

g timeout 10 "${ECHO}" dnsq 192.0.2.53 53 example.org > "${TMP}/dnsq" 2>&1
check_grep "DNS via --dns-forward 192.0.2.53: A 192.0.2.77" "${TMP}/dnsq" \
	"^192\\.0\\.2\\.77$"

check "closed port: ECONNREFUSED in the guest (IPv4)" \
	g timeout 10 "${ECHO}" refused 198.51.100.1 7999
check "closed port: ECONNREFUSED in the guest (IPv6)" \
	g timeout 10 "${ECHO}" refused 2001:db8:1::1 7999

# The same with --no-map-gw: a second passt, the relay moved to it
kill $(lib_tree "${PT_JOB}") $(lib_tree "${PASST_JOB}") 2>/dev/null
wait_for sh -c "! ip -n '${G}' link show tap0"
SOCK3="${TMP}/passt3.sock"
bg_start "${TMP}/passt3.log" h1 timeout 250 "${PASST}" -f -d -s "${SOCK3}" \
	--no-map-gw -u 7005:7006 -u 7010-7011:7020-7021 --stats 1
check "passt --no-map-gw creates its socket" wait_file "${SOCK3}" ||
	{ cat "${TMP}/passt3.log"; test_done; }
guest_up "${SOCK3}" "${TMP}/pt3.log"
stats_fresh "${TMP}/passt3.log"
DROPS0="$(udp_drops "${TMP}/passt3.log")"
host_matrix "--no-map-gw"
drops_still "${TMP}/passt3.log" "--no-map-gw"

# Malformed UDP from the guest: length under 8, length past the packet.
# Each is dropped and counted as malformed (--stats prints the counters).
QC="$(build_tool qemu_client)" || { echo "cannot build qemu_client"; exit 1; }
SOCK2="${TMP}/passt2.sock"
bg_start "${TMP}/passt2.log" h1 timeout 100 "${PASST}" -f -s "${SOCK2}" \
	--stats 1
wait_file "${SOCK2}"
{
	echo "# UDP length 4"
	echo "9a559a559a555254001234560800450000240000400040114e93c0000201c633640104d21b58000400006162636465666768"
	echo "# UDP length 200, 16 bytes there"
	echo "9a559a559a555254001234560800450000240000400040114e93c0000201c633640104d21b5800c800006162636465666768"
} > "${TMP}/bad.hex"
h1 "${QC}" -t 0.5 raw "${SOCK2}" "${TMP}/bad.hex" > /dev/null 2>&1
WAIT_TRIES=60 WAIT_STEP=0.1 check "malformed datagrams counted (--stats)" \
	wait_for grep -q "UDP: drops: malformed 2," "${TMP}/passt2.log"
check "passt still running after malformed datagrams" \
	h1 "${QC}" -t 1 arp "${SOCK2}" 192.0.2.254 192.0.2.1

test_done
