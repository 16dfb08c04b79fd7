#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/drop_counters.sh - passt: one named counter per drop
#
# In a sandbox (see test/lib.sh), passt runs in H1 with --stats 1, which
# prints every counter as a "name value" line, then "stats end", once a
# second. test/tools/qemu_client plays the guest and sends hand-made frames,
# one drop reason at a time. For each, the test waits until that reason's
# counter has moved by one in a complete block of counters, then checks that
# no other drop counter (<area>_drop_<reason>) moved:
# - framing and L2: short, oversized (length prefix past the largest frame)
#   and unknown EtherType frames;
# - L3: IP header missing, wrong version, IPv4 header length, total and
#   payload lengths, IPv4 and IPv6 fragments, a broken IPv6 extension
#   header chain, L4 header too short for ports, protocols we don't carry;
# - ARP, DHCP, DHCPv6 and NDP: every reason they don't answer for;
# - ICMP: too short, not an echo request, refused by the ping socket (to
#   the broadcast address), echo flow cap full (flow_ping_refused moves
#   too); UDP: bad length; TCP: bad data offset,
#   malformed SYN options, segments and resets for no connection, an ACK
#   that doesn't fit the handshake (to a server in H2);
# - past the parsers: UDP to the host's loopback (no flow), a flow socket
#   refusing to send (a "prohibit" route to H2 added after its first
#   datagram was echoed), the UDP flow cap full (PASST_UDP_FLOW_MAX=16);
#   on connections to H2 made by hand (qemu_client's recvtcp acknowledges
#   the SYN-ACK), data past a gap and a segment of 64000 bytes into a send
#   buffer of 4 KiB (tcp_wmem in H1), data after the guest's FIN, and
#   data past the FIN in the FIN's own batch (H2 gets only what precedes it);
# - events: a second client closed at accept (tap_client_rejected), data
#   the guest doesn't acknowledge resent (tcp_retrans), frames out;
# - with --no-tcp --no-udp --no-icmp --no-dhcp --no-dhcpv6, with -6 --no-ra
#   and with -4: refused protocols, disabled IP versions, RSs with --no-ra.
# Output-side counters (frames the guest did not take) are left out of the
# comparison: a frame passt sends, such as a Router Advertisement, may find
# the guest just gone.
# Afterwards each passt still answers: a UDP datagram echoed by H2 comes
# back byte for byte, a DHCP lease is served, ARP requests are answered, and
# the normal exchange moves no drop counter.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip cc awk tac

QC="$(build_tool qemu_client)" || { echo "cannot build qemu_client"; exit 1; }
ECHO="$(build_tool udp_echo)" || { echo "cannot build udp_echo"; exit 1; }

sandbox_create

# Ethernet: to our MAC, from the guest's
MACS="9a559a559a55525400123456"
G4="c0000201"		# 192.0.2.1, the guest (the host's address)
R4="c6336401"		# 198.51.100.1, in H2
GW4="c00002fe"		# 192.0.2.254, the gateway
LL6="fe800000000000000000000000000002"	# the guest's link-local
R6="20010db800000000000000000000fe00"	# a remote IPv6 address
ALLN="ff020000000000000000000000000001"	# all-nodes
DHCP6="ff020000000000000000000000010002"	# All_DHCP_Relay_Agents_and_Servers
CLID="0001000a00030001525400123456"		# Client Identifier, DUID-LL
OSID="0002000a00030001010203040506"		# another server's Identifier
ECHO_PORT=7091

# nbytes() - Length of a hex string (blanks ignored), bytes, as 4 hex digits
# $1:	hex string; '@' stands for 4 bytes (see qemu_client's recvtcp)
nbytes() {
	local h="${1// /}"

	h="${h//@/00000000}"
	printf '%04x' $((${#h} / 2))
}

# zeros() - Hex string of zero bytes
# $1:	count
zeros() {
	printf '%0*d' $(($1 * 2)) 0
}

# ip4() - Ethernet frame with an IPv4 packet (checksum left zero: unchecked)
# $1:	protocol, 2 hex digits
# $2:	source address, 8 hex digits
# $3:	destination address
# $4:	payload, hex
ip4() {
	local tot

	tot="$(printf '%04x' $((0x$(nbytes "$4") + 20)))"
	echo "${MACS}0800 4500${tot} 00004000 40$1 0000 $2 $3 $4"
}

# ip6() - Ethernet frame with an IPv6 packet
# $1:	next header, 2 hex digits
# $2:	source address, 32 hex digits
# $3:	destination address
# $4:	payload, hex
ip6() {
	echo "${MACS}86dd 60000000 $(nbytes "$4") $1ff $2 $3 $4"
}

# udp() - UDP header and payload (checksum zero)
# $1:	source port, 4 hex digits
# $2:	destination port, 4 hex digits
# $3:	payload, hex
udp() {
	local len

	len="$(printf '%04x' $((0x$(nbytes "$3") + 8)))"
	echo "$1 $2 ${len} 0000 $3"
}

# tcp() - TCP segment to port 8080 of a host that has no listener
# $1:	data offset and flags, 4 hex digits (5002 is a SYN)
# $2:	options, hex, matching the data offset
tcp() {
	echo "04d2 1f90 00000001 00000000 $1 ffff 0000 0000 ${2:-}"
}

# arp() - ARP frame for Ethernet and IPv4
# $1:	hardware type, 4 hex digits
# $2:	operation, 4 hex digits
# $3:	sender IPv4 address, 8 hex digits
# $4:	target IPv4 address
arp() {
	echo "${MACS}0806 $1 0800 0604 $2 525400123456 $3 $(zeros 6) $4"
}

# dhcp() - DHCP message from the guest, in its frame
# $1:	op, 2 hex digits
# $2:	magic cookie, 8 hex digits
# $3:	options, hex
dhcp() {
	ip4 11 00000000 ffffffff "$(udp 0044 0043 "$1 010600 01020304 0000 \
0000 $(zeros 16) 525400123456 $(zeros 10) $(zeros 192) $2 $3")"
}

# dhcpv6() - DHCPv6 message from the guest's link-local address
# $1:	message type, 2 hex digits
# $2:	options, hex
# $3:	source address (default: the guest's link-local)
dhcpv6() {
	ip6 11 "${3:-${LL6}}" "${DHCP6}" "$(udp 0222 0223 "$1 0a0b0c $2")"
}

# icmp6() - ICMPv6 message from the guest's link-local address
# $1:	message, hex
icmp6() {
	ip6 3a "${LL6}" "${ALLN}" "$1"
}

# drops_moved() - Compare drop counters with a snapshot: exactly one moved
# $1:	snapshot file (stats_snap output)
# $2:	log
# $3:	counter expected to have moved by one, "" for none
# Output-side counters are left out (see the header). Prints differences.
drops_moved() {
	stats_snap "$2" > "${TMP}/snap.after" || return 1
	awk -v name="$3" '
		NR == FNR { before[$1] = $2; next }
		$1 == "tap_drop_out" || $1 == "udp_drop_tap" ||
		$1 == "icmp_drop_reply" { next }
		$1 == name { seen = 1 }
		$1 ~ /_drop_/ {
			want = before[$1] + ($1 == name ? 1 : 0)
			if (!($1 in before) || $2 != want) {
				print $1 ": " before[$1] " -> " $2 \
				      ", expected " want
				bad = 1
			}
		}
		END { if (name != "" && !seen) print name ": not printed"
		      exit bad || (name != "" && !seen) }' \
		"$1" "${TMP}/snap.after"
}

# passt_start() - Start passt in H1 with --stats 1, wait for its counters
# $1:	name: socket ${TMP}/NAME.sock, log ${TMP}/NAME.log
# $2..:	more options
passt_start() {
	local name="$1"
	shift
	bg_start "${TMP}/${name}.log" h1 timeout 250 "${PASST}" -f \
		-s "${TMP}/${name}.sock" --stats 1 "$@"
	check "passt $*: socket created, counters printed" \
		wait_for stats_snap "${TMP}/${name}.log" ||
		{ cat "${TMP}/${name}.log"; test_done; }
}

# drop_one() - Send frames of one drop reason, check its counter alone moved
# $1:	passt name (see passt_start)
# $2:	counter expected to move by one
# $3:	description
# $4..:	frames, hex, one argument each (with QC_CMD=script: script lines)
# QC_T sets qemu_client's timeout (default 0.1 s), for a script's recv
drop_one() {
	local log="${TMP}/$1.log" sock="${TMP}/$1.sock" name="$2" desc="$3"
	local was
	shift 3

	stats_snap "${log}" > "${TMP}/snap.before"
	was="$(awk -v n="${name}" '$1 == n { print $2 }' "${TMP}/snap.before")"
	printf '%s\n' "$@" > "${TMP}/frames.hex"
	h1 "${QC}" -t "${QC_T:-0.1}" "${QC_CMD:-raw}" "${sock}" \
		"${TMP}/frames.hex" \
		> /dev/null 2>&1
	WAIT_TRIES=100 WAIT_STEP=0.05 wait_for counter_is "${log}" "${name}" \
		$((${was:-0} + 1))
	check "${desc}: ${name} moved by one, no other drop counter" \
		drops_moved "${TMP}/snap.before" "${log}" "${name}"
}

# arp_ok() - Check that passt NAME answers an ARP request, bytes decoded
# $1:	passt name
arp_ok() {
	h1 "${QC}" -t 2 arp "${TMP}/$1.sock" 192.0.2.254 192.0.2.1 \
		> "${TMP}/$1.arp" 2>&1
	check_grep "passt $1 still answers ARP: our MAC for the gateway" \
		"${TMP}/$1.arp" "^arp op=2 eth_dst=52:54:00:12:34:56 \
eth_src=9a:55:9a:55:9a:55 sha=9a:55:9a:55:9a:55 spa=192\\.0\\.2\\.254 "
}

# ---- passt with default options: every reason it decides ------------------

passt_start a
drop_one a tap_drop_short "frame of 13 bytes" "${MACS}08"
QC_CMD=script drop_one a tap_drop_long "length prefix 65600" "sendlen 65600"
drop_one a tap_drop_l2 "EtherType 0x88b5" "${MACS}88b5 $(zeros 46)"

drop_one a tap_drop_l3_short "6 bytes of IPv4" "${MACS}0800 4500001c0000"
drop_one a tap_drop_l3_version "version 5 in an IPv4 frame" \
	"${MACS}0800 55000014 00004000 40ff0000 ${G4} ${R4}"
drop_one a tap_drop_l3_hdrlen "IPv4 header length 16" \
	"${MACS}0800 44000014 00004000 40ff0000 ${G4} ${R4}"
drop_one a tap_drop_l3_len "IPv4 total length 256 in 20 bytes" \
	"${MACS}0800 45000100 00004000 40ff0000 ${G4} ${R4}"
drop_one a tap_drop_l3_frag "IPv4 first fragment (MF)" \
	"${MACS}0800 45000018 00002000 40ff0000 ${G4} ${R4} 00000000"
drop_one a tap_drop_l3_frag "IPv6 fragment header" \
	"$(ip6 2c "${LL6}" "${R6}" "11000001 01020304")"
drop_one a tap_drop_l3_exthdr "IPv6 hop-by-hop header past the payload" \
	"$(ip6 00 "${LL6}" "${R6}" "3b01 000000000000")"
drop_one a tap_drop_l3_len "IPv6 payload length past the frame" \
	"${MACS}86dd 60000000 0100 11ff ${LL6} ${R6} 00000000"
drop_one a tap_drop_l4_short "UDP of 2 bytes" "$(ip4 11 "${G4}" "${R4}" 1234)"
drop_one a tap_drop_proto "IPv4 GRE" "$(ip4 2f "${G4}" "${R4}" 00000800)"
drop_one a tap_drop_proto "IPv6 no next header" \
	"$(ip6 3b "${LL6}" "${R6}" 00000000)"

drop_one a arp_drop_short "ARP cut after the operation" \
	"${MACS}0806 0001 0800 0604 0001"
drop_one a arp_drop_bad "ARP for hardware type 6" \
	"$(arp 0006 0001 "${G4}" "${GW4}")"
drop_one a arp_drop_op "ARP reply from the guest" \
	"$(arp 0001 0002 "${G4}" "${GW4}")"
drop_one a arp_drop_announce "gratuitous ARP" \
	"$(arp 0001 0001 "${G4}" "${G4}")"
drop_one a arp_drop_probe "ARP probe for the guest's address" \
	"$(arp 0001 0001 00000000 "${G4}")"

drop_one a dhcp_drop_short "DHCP cut at 100 bytes" \
	"$(ip4 11 00000000 ffffffff "$(udp 0044 0043 "01010600 $(zeros 96)")")"
drop_one a dhcp_drop_op "DHCP BOOTREPLY from the guest" \
	"$(dhcp 02 63825363 "350101 ff")"
drop_one a dhcp_drop_cookie "DHCP without magic cookie" \
	"$(dhcp 01 00000000 "350101 ff")"
drop_one a dhcp_drop_opts "DHCP option past the end" \
	"$(dhcp 01 63825363 "350101 0cc80102")"
drop_one a dhcp_drop_bootp "BOOTP request (no message type)" \
	"$(dhcp 01 63825363 ff)"
drop_one a dhcp_drop_type "DHCPOFFER from the guest" \
	"$(dhcp 01 63825363 "350102 ff")"
drop_one a dhcp_drop_server "DHCPREQUEST for another server" \
	"$(dhcp 01 63825363 "350103 3604c0a80001 3204${G4} ff")"

drop_one a dhcpv6_drop_source "DHCPv6 SOLICIT from ::" \
	"$(dhcpv6 01 "${CLID}" "$(zeros 16)")"
drop_one a dhcpv6_drop_parse "DHCPv6 Elapsed Time of 3 bytes" \
	"$(dhcpv6 01 "${CLID} 00080003 000000")"
drop_one a dhcpv6_drop_serverid "DHCPv6 SOLICIT with a Server Identifier" \
	"$(dhcpv6 01 "${CLID} ${OSID}")"
drop_one a dhcpv6_drop_clientid "DHCPv6 SOLICIT without Client Identifier" \
	"$(dhcpv6 01 "00080002 0000")"
drop_one a dhcpv6_drop_type "DHCPv6 REPLY from the guest" \
	"$(dhcpv6 07 "${CLID}")"
drop_one a dhcpv6_drop_server "DHCPv6 REQUEST for another server" \
	"$(dhcpv6 03 "${CLID} ${OSID}")"
drop_one a dhcpv6_drop_confirm "DHCPv6 CONFIRM without addresses" \
	"$(dhcpv6 04 "${CLID}")"

drop_one a ndp_drop_rs "RS with code 1" "$(icmp6 "8501 0000 00000000")"
drop_one a ndp_drop_ns "NS cut at 20 bytes" \
	"$(icmp6 "8700 0000 00000000 $(zeros 12)")"
drop_one a ndp_drop_target "NS for a multicast target" \
	"$(icmp6 "8700 0000 00000000 ${ALLN}")"
drop_one a ndp_drop_opts "NS with an option of length 0" \
	"$(icmp6 "8700 0000 00000000 ${R6} 0100 000000000000")"
drop_one a ndp_drop_ns_other "NS for the guest's own address" \
	"$(icmp6 "8700 0000 00000000 ${LL6}")"
drop_one a ndp_drop_type "NA from the guest" \
	"$(icmp6 "8800 0000 20000000 ${LL6}")"

drop_one a icmp_drop_short "ICMP of 4 bytes" \
	"$(ip4 01 "${G4}" "${R4}" 08000000)"
drop_one a icmp_drop_type "ICMP timestamp request" \
	"$(ip4 01 "${G4}" "${R4}" "0d00 0000 0001 0001 $(zeros 12)")"
drop_one a icmp_drop_send "echo request to 255.255.255.255" \
	"$(ip4 01 "${G4}" ffffffff "0800 0000 0001 0001 61626364")"
drop_one a udp_drop_bad "UDP length 4" \
	"$(ip4 11 "${G4}" "${R4}" "04d2 1b58 0004 0000 61626364")"
drop_one a tcp_drop_bad "TCP data offset 4" \
	"$(ip4 06 "${G4}" "${R4}" "$(tcp 4002)")"
drop_one a tcp_drop_opts "TCP SYN with an option of length 1" \
	"$(ip4 06 "${G4}" "${R4}" "$(tcp 6002 02010000)")"
drop_one a tcp_drop_no_conn "TCP ACK for no connection" \
	"$(ip4 06 "${G4}" "${R4}" "$(tcp 5010)")"
drop_one a tcp_drop_rst "TCP RST for no connection" \
	"$(ip4 06 "${G4}" "${R4}" "$(tcp 5004)")"

# A connection to H2's port 8081: SYN, our SYN-ACK (or connect() still
# pending), then an ACK acknowledging something else
tcp_echo_server "${H2}" 8081
check "TCP server in H2" wait_port "${H2}" tcp 8081
QC_CMD=script QC_T=2 drop_one a tcp_drop_handshake \
	"TCP handshake: ACK for something else than our SYN-ACK" \
	"send $(ip4 06 "${G4}" "${R4}" \
		"04d2 1f91 00000001 00000000 5002 ffff 0000 0000")" \
	"recvtcp" \
	"send $(ip4 06 "${G4}" "${R4}" \
		"04d2 1f91 00000002 00000000 5010 ffff 0000 0000")"

# The echo flow cap, 256 (see passt(1)): fill it, one request more is refused
LIVE="$(stats_value "${TMP}/a.log" flow_ping_live)"
FRAMES=()
for i in $(seq 1 $((256 - ${LIVE:-0} + 1))); do
	FRAMES+=("$(ip4 01 "${G4}" "${R4}" \
		"0800 0000 $(printf '%04x' $((0x4000 + i))) 0001 61626364")")
done
drop_one a icmp_drop_flow "echo flows: cap full, one request more" \
	"${FRAMES[@]}"
check "echo flows: cap full, counted as a refused ping flow" \
	counter_is "${TMP}/a.log" flow_ping_refused 1

# ---- UDP and TCP losses past the parsers ------------------------------------

bg_start "${TMP}/echo.log" h2 "${ECHO}" server 198.51.100.1 "${ECHO_PORT}"
check "UDP echo server in H2" wait_port "${H2}" udp "${ECHO_PORT}"
EP="$(printf '%04x' "${ECHO_PORT}")"

drop_one a udp_drop_flow "UDP to 127.0.0.1 (the host's loopback, unmapped)" \
	"$(ip4 11 "${G4}" 7f000001 "$(udp 04d2 "${EP}" 61626364)")"

# A flow's socket refuses to send: a datagram echoed by H2 (the flow is
# connected), then a "prohibit" route to H2, then the same flow again
stats_snap "${TMP}/a.log" > "${TMP}/snap.before"
WAS="$(stats_value "${TMP}/a.log" udp_drop_send)"
{
	echo "send $(ip4 11 "${G4}" "${R4}" "$(udp 6001 "${EP}" 61626364)")"
	echo "recv"
	echo "touch ${TMP}/flow.up"
	echo "waitfile ${TMP}/route.go"
	echo "send $(ip4 11 "${G4}" "${R4}" "$(udp 6001 "${EP}" 65666768)")"
} > "${TMP}/send.script"
bg_start "${TMP}/send.out" h1 "${QC}" -t 5 script "${TMP}/a.sock" \
	"${TMP}/send.script"
check "UDP flow to H2: echo received" wait_file "${TMP}/flow.up"
# Meanwhile, a second client is closed at accept, and counted
REJ="$(stats_value "${TMP}/a.log" tap_client_rejected)"
h1 "${QC}" -t 1 probe "${TMP}/a.sock" > "${TMP}/probe.out" 2>&1
check_grep "second client closed at once" "${TMP}/probe.out" "^closed$"
WAIT_TRIES=100 WAIT_STEP=0.05 check "second client: tap_client_rejected \
moved by one" wait_for counter_is "${TMP}/a.log" tap_client_rejected \
	$((REJ + 1))
ip -n "${H1}" route add prohibit 198.51.100.1/32
touch "${TMP}/route.go"
WAIT_TRIES=100 WAIT_STEP=0.05 wait_for counter_is "${TMP}/a.log" \
	udp_drop_send $((WAS + 1))
check "UDP socket refused (prohibit route): udp_drop_send moved by one, \
no other drop counter" drops_moved "${TMP}/snap.before" "${TMP}/a.log" \
	udp_drop_send
ip -n "${H1}" route del prohibit 198.51.100.1/32

# Small send buffers for passt e's sockets (tcp_wmem), the UDP flow cap at
# its lowest (PASST_UDP_FLOW_MAX=16)
ip netns exec "${H1}" sysctl -qw net.ipv4.tcp_wmem="4096 4096 4096"
PASST_UDP_FLOW_MAX=16 passt_start e

# tcp_seg() - TCP segment to H2's port 8081 acknowledging "@" (the end of
# the SYN-ACK qemu_client's recvtcp saw)
# $1:	source port, 4 hex digits
# $2:	sequence number, 8 hex digits
# $3:	payload, hex
tcp_seg() {
	ip4 06 "${G4}" "${R4}" "$1 1f91 $2 @ 5010 ffff 0000 0000 ${3:-}"
}

# tcp_open() - Script steps opening a connection from the guest to H2: the
# SYN, qemu_client's recvtcp of the SYN-ACK, the ACK of it
# $1:	source port, 4 hex digits
# $2:	H2's port, 4 hex digits
# Sets TCP_OPEN, an array of the three steps
tcp_open() {
	TCP_OPEN=("send $(ip4 06 "${G4}" "${R4}" \
		"$1 $2 00000001 00000000 5002 ffff 0000 0000")" "recvtcp" \
		"send $(ip4 06 "${G4}" "${R4}" \
		"$1 $2 00000002 @ 5010 ffff 0000 0000")")
}

tcp_open 0501 1f91
QC_CMD=script QC_T=2 drop_one e tcp_drop_ooo \
	"TCP: data 100 bytes past what the stream expects" \
	"${TCP_OPEN[@]}" \
	"send $(tcp_seg 0501 00000066 "$(zeros 10)")"

tcp_open 0502 1f91
QC_CMD=script QC_T=2 drop_one e tcp_drop_short \
	"TCP: 64000 bytes at once into a send buffer of 4 KiB" \
	"${TCP_OPEN[@]}" \
	"send $(tcp_seg 0502 00000002 "$(zeros 64000)")"

tcp_open 0504 1f91
QC_CMD=script QC_T=2 drop_one e tcp_drop_fin \
	"TCP: data after the guest's FIN" \
	"${TCP_OPEN[@]}" \
	"send $(ip4 06 "${G4}" "${R4}" \
		"0504 1f91 00000002 @ 5011 ffff 0000 0000")" \
	"recvtcp" \
	"send $(tcp_seg 0504 00000003 61626364)"

# framed() - Frames with qemu's length prefix, for one sendraw (one write,
# so that passt reads them in one batch)
# $@:	frames, hex
framed() {
	local f

	for f in "$@"; do
		printf '0000%s %s ' "$(nbytes "${f}")" "${f}"
	done
}

# The guest's FIN and data past it, in one batch: "abcd" with the FIN
# (sequence 2 to 6, FIN at 6), then "efgh" at 6, past the FIN. H2's
# receiver must get "abcd" and the end of the stream, nothing more, and
# the segment past the FIN moves tcp_drop_fin. Then the same with the
# segments the other way round, and with a FIN alone at 2 (empty stream)
# ahead of "abcd" at 2. Each on a connection of its own (source port).
FIN_SEG="1f92 00000002 @ 5019 ffff 0000 0000 61626364"
PAST_SEG="1f92 00000006 @ 5018 ffff 0000 0000 65666768"
# fin_batch() - One connection to H2's port 8082, the batch given after the
# handshake, then check what H2's receiver got
# $1:	description
# $2:	source port, 4 hex digits
# $3:	bytes H2's receiver must get
# $4..:	TCP segments of the batch from the destination port on, in order
fin_batch() {
	local desc="$1" sport="$2" want="$3" f frames=() pid
	shift 3

	rm -f "${TMP}/fin.out"
	bg_start "${TMP}/fin.log" h2 socat -u TCP4-LISTEN:8082,reuseaddr \
		"CREATE:${TMP}/fin.out"
	pid="${BG_PID}"
	wait_port "${H2}" tcp 8082
	for f in "$@"; do
		frames+=("$(ip4 06 "${G4}" "${R4}" "${sport} ${f}")")
	done
	tcp_open "${sport}" 1f92
	QC_CMD=script QC_T=2 drop_one e tcp_drop_fin "${desc}" \
		"${TCP_OPEN[@]}" \
		"sendraw $(framed "${frames[@]}")" \
		"recvtcp"
	check "${desc}: H2 got the end of the stream" wait_gone "${pid}"
	check_eq "${desc}: H2 got the data before the FIN, nothing after" \
		"$(cat "${TMP}/fin.out" 2>/dev/null)" "${want}"
	bg_stop "${pid}"
}
fin_batch "TCP: data with the FIN, then data past it, one batch" 0505 \
	abcd "${FIN_SEG}" "${PAST_SEG}"
fin_batch "TCP: data past the FIN, then data with the FIN, one batch" 0506 \
	abcd "${PAST_SEG}" "${FIN_SEG}"
fin_batch "TCP: a FIN alone, then data at its sequence, one batch" 0507 \
	"" "1f92 00000002 @ 5011 ffff 0000 0000" \
	"1f92 00000002 @ 5018 ffff 0000 0000 61626364"

# Data from H2 that the guest never acknowledges is resent: a connection
# made by hand sends 5 bytes, H2's server echoes them, and qemu_client
# stays connected without acknowledging until passt resent them
stats_snap "${TMP}/e.log" > "${TMP}/snap.before"
RT="$(stats_value "${TMP}/e.log" tcp_retrans)"
{
	echo "send $(ip4 06 "${G4}" "${R4}" \
		"0503 1f91 00000001 00000000 5002 ffff 0000 0000")"
	echo "recvtcp"
	echo "send $(tcp_seg 0503 00000002 68656c6c6f)"
	echo "waitfile ${TMP}/retrans.done"
} > "${TMP}/retrans.script"
bg_start "${TMP}/retrans.out" h1 "${QC}" -t 10 script "${TMP}/e.sock" \
	"${TMP}/retrans.script"
WAIT_TRIES=100 WAIT_STEP=0.1 check "TCP data not acknowledged by the guest: \
resent (tcp_retrans)" wait_for counter_at_least "${TMP}/e.log" tcp_retrans \
	$((RT + 1))
touch "${TMP}/retrans.done"
check "TCP data resent: no drop counter moved" \
	drops_moved "${TMP}/snap.before" "${TMP}/e.log" ""

# The UDP flow cap: fill it, one datagram from a new port more is refused
LIVE="$(stats_value "${TMP}/e.log" flow_udp_live)"
FRAMES=()
for i in $(seq 1 $((16 - ${LIVE:-0} + 1))); do
	FRAMES+=("$(ip4 11 "${G4}" "${R4}" \
		"$(udp "$(printf '%04x' $((0x7000 + i)))" "${EP}" 61626364)")")
done
drop_one e udp_drop_full "UDP flows: cap full, one datagram more" \
	"${FRAMES[@]}"
check "UDP flows: cap full, counted as a refused UDP flow" \
	counter_is "${TMP}/e.log" flow_udp_refused 1

# ---- Refused protocols, disabled IP versions, --no-ra -----------------------

passt_start b --no-tcp --no-udp --no-icmp --no-dhcp --no-dhcpv6
drop_one b tap_drop_no_tcp "--no-tcp: SYN" \
	"$(ip4 06 "${G4}" "${R4}" "$(tcp 5002)")"
drop_one b tap_drop_no_udp "--no-udp: datagram" \
	"$(ip4 11 "${G4}" "${R4}" "$(udp 04d2 1b58 61626364)")"
drop_one b tap_drop_no_icmp "--no-icmp: echo request" \
	"$(ip4 01 "${G4}" "${R4}" "0800 0000 0001 0001 61626364")"
drop_one b tap_drop_no_icmp "--no-icmp: ICMPv6 echo request" \
	"$(ip6 3a "${LL6}" "${R6}" "8000 0000 0001 0001 61626364")"
drop_one b tap_drop_no_dhcp "--no-dhcp: DISCOVER" \
	"$(dhcp 01 63825363 "350101 ff")"
drop_one b tap_drop_no_dhcpv6 "--no-dhcpv6: SOLICIT" \
	"$(dhcpv6 01 "${CLID}")"
drop_one b tap_drop_no_ndp "--no-icmp (no NDP): RS" \
	"$(icmp6 "8500 0000 00000000")"
arp_ok b

passt_start c -6 --no-ra
drop_one c tap_drop_ip4_off "-6: IPv4 datagram" \
	"$(ip4 11 "${G4}" "${R4}" "$(udp 04d2 1b58 61626364)")"
drop_one c ndp_drop_no_ra "--no-ra: RS" "$(icmp6 "8500 0000 00000000")"
arp_ok c

passt_start d -4
drop_one d tap_drop_ip6_off "-4: RS" "$(icmp6 "8500 0000 00000000")"
drop_one d tap_drop_ip6_off "-4: IPv6 datagram" \
	"$(ip6 11 "${LL6}" "${R6}" "$(udp 04d2 1b58 61626364)")"
arp_ok d

# ---- The first passt still works, and normal traffic drops nothing ---------

stats_snap "${TMP}/a.log" > "${TMP}/snap.before"
IN="$(awk '$1 == "tap_frames_in" { print $2 }' "${TMP}/snap.before")"
OUT="$(awk '$1 == "tap_frames_out" { print $2 }' "${TMP}/snap.before")"
PAYLOAD="$(printf 'drop-counters-ok' | od -An -tx1 | tr -d ' \n')"
ip4 11 "${G4}" "${R4}" "$(udp 9999 "$(printf '%04x' "${ECHO_PORT}")" \
	"${PAYLOAD}")" > "${TMP}/echo.hex"
h1 "${QC}" -t 2 raw "${TMP}/a.sock" "${TMP}/echo.hex" > "${TMP}/echo.out" 2>&1
check_grep "UDP to H2 and back: the same bytes, ports swapped" \
	"${TMP}/echo.out" \
	"^recv: .*${R4}${G4}$(printf '%04x' "${ECHO_PORT}")9999[0-9a-f]{8}${PAYLOAD}$"
h1 "${QC}" -t 2 dhcp "${TMP}/a.sock" > "${TMP}/dhcp.out" 2>&1
check_grep "DHCP: lease still served" "${TMP}/dhcp.out" \
	"^ack lease yiaddr=192\\.0\\.2\\.1 "
WAIT_TRIES=100 WAIT_STEP=0.05 wait_for counter_at_least "${TMP}/a.log" \
	tap_frames_in $((IN + 3))
check "UDP echo, DHCP: all frames in, no drop counter moved" \
	drops_moved "${TMP}/snap.before" "${TMP}/a.log" ""
check "UDP echo, DHCP: echo, offer and ack out (tap_frames_out)" \
	counter_at_least "${TMP}/a.log" tap_frames_out $((OUT + 3))
arp_ok a

test_done
