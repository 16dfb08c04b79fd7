#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/pasta_udp.sh - pasta: UDP, tap and splice paths, ports
#
# In a sandbox (see test/lib.sh), pasta runs in H1 attached to a namespace G
# of its own (--netns), configured by hand like a guest. test/tools/udp_echo
# sends 1,000 datagrams (sizes 4 to 1,400 bytes, stop and wait) and checks
# every echo byte for byte and that it comes from the address and port it
# was sent to, through:
# - the tap path to "the internet" (echo servers in H2 on 198.51.100.1 and
#   2001:db8:1::1), IPv4 and IPv6, plus 64 KiB datagrams, and bursts of 32
#   datagrams whose echoes pasta merges into UDP super-frames (USO) and
#   which it sends merged itself (UDP_SEGMENT, seen in --stats:
#   udp_gso_msgs, udp_gso_dgrams, udp_gso_split), also over
#   a path whose MTU makes the kernel refuse that (sent one by one);
# - the gateway address, mapped to the host's loopback (servers on H1's
#   127.0.0.1 and ::1): replies come back over the tap from the gateway;
# - the splice path: G's loopback to H1's loopback (-U auto), and H1's
#   loopback to a server in G (-u auto);
# - inbound over the tap: H2 to G's address on an auto-forwarded port;
# - remapping, -u 7005:7006 and -u 65535:7006: the reply's source port is
#   the port the client sent to (tap and splice);
# - the host itself to published ports, as podman 4 runs pasta
#   (--config-net, -t 8080-8081:80-81, -u 5353-5353:53-53, -T none), with
#   and without --no-map-gw: clients in H1 send to 127.0.0.1 and ::1 (the
#   splice path) and to H1's own 192.0.2.1 and 2001:db8::1 (the tap path:
#   the guest shares them, and sees the host as its gateway), on a single
#   port and on a remapped range (-u 5360-5361:60-61), and the namespace
#   sends to its loopback on -U ports (-U 5370-5370:70-70, a remapped
#   range -U 5375-5376:75-76) answered by servers on H1's loopback. Every
#   reply must come from the very address and port the client sent to,
#   also when the host has more than one: 127.0.0.2, and addresses added
#   to H1 afterwards (192.0.2.3, 2001:db8::3) that H1 and H2 send to;
# - --dns-forward: a query to the forwarded address reaches the stub
#   resolver in H2 (H1's resolv.conf) and the answer comes from that address;
# - a closed port: the ICMP port unreachable reaches G (ECONNREFUSED).
# Flow life: with PASST_UDP_TIMEOUT=5 (test override, see udp.c) idle flow
# sockets are closed (descriptor count in /proc/PID/fd goes back down); with
# PASST_UDP_FLOW_MAX=64 a flood of 500 source ports keeps the descriptor
# count bounded, its excess is dropped and counted, the flow in use keeps
# working, and new flows work once the flood's expire. Last, pasta started
# as an unprivileged user (--config-net, its own namespaces) passes the tap,
# gateway and splice echoes.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip cc ss tac awk

ECHO="$(build_tool udp_echo)" || { echo "cannot build udp_echo"; exit 1; }

sandbox_create
ip -n "${H2}" addr add 2001:db8:1::1/128 dev lo
ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
guest_ns_create "pt-ug-$$" || exit 1


# pasta_start() - Start pasta in H1 for namespace G, configure the guest
# $1:	log file
# $2..:	pasta options
# Sets PASTA_JOB, PASTA_PID (from the PID file)
pasta_start() {
	local log="$1"
	shift

	rm -f "${TMP}/pasta.pid"
	bg_start "${log}" h1 timeout 250 "${PASTA}" -f -P "${TMP}/pasta.pid" \
		"$@" --netns "/run/netns/${G}"
	PASTA_JOB="${BG_PID}"
	WAIT_TRIES=400 wait_for ip -n "${G}" link show up0 || return 1
	wait_for test -s "${TMP}/pasta.pid" || return 1
	PASTA_PID="$(cat "${TMP}/pasta.pid")"
	g sysctl -qw net.ipv6.conf.up0.accept_ra=0
	ip -n "${G}" link set up0 up
	ip -n "${G}" addr add 192.0.2.1/24 dev up0
	ip -n "${G}" addr add 2001:db8::1/64 dev up0 nodad
	ip -n "${G}" route add default via 192.0.2.254 dev up0
	ip -n "${G}" -6 route add default via 2001:db8::fe dev up0
}

# pasta_stop() - Stop the pasta started last, wait until its tap is gone;
# reset G's loopback to 127.0.0.1 and ::1 only (the kernel adds them back
# when lo comes up)
pasta_stop() {
	kill $(lib_tree "${PASTA_JOB}") 2>/dev/null
	WAIT_TRIES=400 wait_for sh -c "! ip -n '${G}' link show up0"
	ip -n "${G}" addr flush dev lo 2>/dev/null
	ip -n "${G}" link set lo down
	ip -n "${G}" link set lo up
}

# flows_to() - Count the UDP sockets in H1 connected to a destination
# $1:	ADDR:PORT
flows_to() {
	ip netns exec "${H1}" ss -Hun state all dst "$1" | wc -l
}

# no_flows_to() - Check that no UDP socket in H1 is connected to a destination
# $1:	ADDR:PORT
no_flows_to() {
	[ "$(flows_to "$1")" -eq 0 ]
}

# echo_ok() - Echo datagrams, check all came back intact from the target
# $1:	label
# $2:	namespace the client runs in (see ns_run)
# $3:	address
# $4:	port
# $5:	count
# $6:	size, 0 to vary
echo_ok() {
	check "$1" ns_run "$2" timeout 60 "${ECHO}" client "$3" "$4" "$5" "$6"
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
wait_port "${H2}" udp 7000
wait_port "${H1}" udp 7001

pasta_start "${TMP}/pasta.log" -d --stats 1 --dns-forward 192.0.2.53 ||
	{ check "pasta starts" false; cat "${TMP}/pasta.log"; test_done; }

# Tap path, out
echo_ok "tap: 1000 datagrams to 198.51.100.1" "${G}" 198.51.100.1 7000 1000 0
echo_ok "tap: 1000 datagrams to 2001:db8:1::1" "${G}" 2001:db8:1::1 7000 1000 0
echo_ok "tap: 64000-byte datagrams, IPv4" "${G}" 198.51.100.1 7000 20 64000
echo_ok "tap: 65000-byte datagrams, IPv6" "${G}" 2001:db8:1::1 7000 20 65000

# Bursts: replies are batched and merged into UDP super-frames (USO)
check "tap: 50 bursts of 32 datagrams to 198.51.100.1" \
	g timeout 60 "${ECHO}" burst 198.51.100.1 7000 32 1400 50
check "tap: 50 bursts of 32 datagrams to 2001:db8:1::1" \
	g timeout 60 "${ECHO}" burst 2001:db8:1::1 7000 32 1400 50
check "tap: 20 bursts of 8 8000-byte datagrams, IPv4" \
	g timeout 60 "${ECHO}" burst 198.51.100.1 7000 8 8000 20
WAIT_TRIES=40 WAIT_STEP=0.1 check "bursts went out merged (UDP_SEGMENT)" \
	wait_for counter_at_least "${TMP}/pasta.log" udp_gso_msgs 1
check "merged sends carried several datagrams each" \
	test "$(stats_value "${TMP}/pasta.log" udp_gso_dgrams)" -gt \
	     "$(stats_value "${TMP}/pasta.log" udp_gso_msgs)"
# A super-frame pasta can't split: the namespace sends 4000 bytes as one
# UDP_SEGMENT message (gso_size 1000) over IPv6 with a destination options
# header. A kernel that hands it to the tap whole (USO) makes pasta drop
# it and count it once (tap_drop_uso), and no echo comes back; a kernel
# that segments such frames itself first (Linux 6.18 does) sends four
# datagrams, all echoed byte for byte, and the counter stays
USO_WAS="$(stats_value "${TMP}/pasta.log" tap_drop_uso)"
g timeout 10 python3 -c "
import socket
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_DSTOPTS,
	     bytes([0, 0, 1, 4, 0, 0, 0, 0]))
s.setsockopt(socket.IPPROTO_UDP, 103, 1000)	# UDP_SEGMENT
s.connect(('2001:db8:1::1', 7000))
s.send(b'x' * 4000)
s.settimeout(2)
n = 0
try:
	while n < 4 and s.recv(2000) == b'x' * 1000:
		n += 1
except socket.timeout:
	pass
print(n)
" > "${TMP}/uso.got" 2>&1
# uso_exthdr_seen() - All four echoed and not counted, or none and counted
uso_exthdr_seen() {
	local v

	v="$(stats_value "${TMP}/pasta.log" tap_drop_uso)" || return 1
	case "$(cat "${TMP}/uso.got")" in
	4)	[ "${v}" = "${USO_WAS}" ] ;;
	0)	[ "${v}" = "$((USO_WAS + 1))" ] ;;
	*)	return 1 ;;
	esac
}
WAIT_TRIES=40 WAIT_STEP=0.1 check "USO with an IPv6 extension header: \
echoed whole, or dropped and counted once (tap_drop_uso)" \
	wait_for uso_exthdr_seen
echo "# USO with an IPv6 extension header: $(cat "${TMP}/uso.got") of 4 \
echoed, tap_drop_uso $(stats_value "${TMP}/pasta.log" tap_drop_uso)"
# A path MTU below the datagram size: the kernel refuses UDP_SEGMENT, the
# datagrams go one by one (fragmented), none lost
ip -n "${H1}" route add 198.51.100.1/32 via 192.0.2.254 dev up0 mtu lock 1500
check "path MTU 1500: 20 bursts of 8 3000-byte datagrams" \
	g timeout 60 "${ECHO}" burst 198.51.100.1 7000 8 3000 20
ip -n "${H1}" route del 198.51.100.1/32
WAIT_TRIES=40 WAIT_STEP=0.1 check "path MTU 1500: merged sends split again" \
	wait_for counter_at_least "${TMP}/pasta.log" udp_gso_split 1

# Gateway mapped to the host's loopback
echo_ok "gateway 192.0.2.254 to host loopback" "${G}" 192.0.2.254 7001 1000 0
echo_ok "gateway 2001:db8::fe to host loopback" "${G}" 2001:db8::fe 7001 1000 0

# Splice, namespace to host (-U auto binds 7001 on G's loopback)
check "-U auto: 7001 bound in the namespace" wait_port "${G}" udp 7001
echo_ok "splice: 1000 datagrams G 127.0.0.1 to host" "${G}" 127.0.0.1 7001 1000 0
echo_ok "splice: 1000 datagrams G ::1 to host" "${G}" ::1 7001 1000 0

# Splice and tap, host to namespace (-u auto binds 7002 on the host)
server "${G}" 0.0.0.0 7002
server "${G}" :: 7002
check "-u auto: 7002 bound on the host" wait_port "${H1}" udp 7002
echo_ok "splice: 1000 datagrams host 127.0.0.1 to G" "${H1}" 127.0.0.1 7002 1000 0
echo_ok "splice: 1000 datagrams host ::1 to G" "${H1}" ::1 7002 1000 0
echo_ok "tap in: 1000 datagrams H2 to 192.0.2.1" "${H2}" 192.0.2.1 7002 1000 0
echo_ok "tap in: 1000 datagrams H2 to 2001:db8::1" "${H2}" 2001:db8::1 7002 1000 0
check "tap in: 50 bursts of 32 datagrams H2 to 192.0.2.1" \
	h2 timeout 60 "${ECHO}" burst 192.0.2.1 7002 32 1400 50
check "splice: 50 bursts of 32 datagrams host to G" \
	ip netns exec "${H1}" timeout 60 "${ECHO}" burst 127.0.0.1 7002 32 1400 50

# DNS through --dns-forward to H1's resolver (192.0.2.254, in H2)
bg_start "${TMP}/dns.log" h2 "${ECHO}" dns 192.0.2.254 53 192.0.2.77
wait_port "${H2}" udp 53
g timeout 10 "${ECHO}" dnsq 192.0.2.53 53 example.org > "${TMP}/dnsq" 2>&1
check_grep "DNS via --dns-forward 192.0.2.53: A 192.0.2.77" "${TMP}/dnsq" \
	"^192\\.0\\.2\\.77$"

# ICMP port unreachable
check "closed port: ECONNREFUSED in G (IPv4)" \
	g timeout 10 "${ECHO}" refused 198.51.100.1 7999
check "closed port: ECONNREFUSED in G (IPv6)" \
	g timeout 10 "${ECHO}" refused 2001:db8:1::1 7999
pasta_stop
check "no UDP drops were logged as bind failures" \
	sh -c "! grep -q 'UDP: can.t bind' '${TMP}/pasta.log'"

# Remapping: host 7005 and 65535 to G's 7006
pasta_start "${TMP}/pasta2.log" -u 7005:7006 -u 65535:7006 ||
	check "pasta -u 7005:7006 starts" false
server "${G}" 0.0.0.0 7006
server "${G}" :: 7006
check "-u 7005:7006: 7005 bound on the host" wait_port "${H1}" udp 7005
echo_ok "remap tap: H2 to 192.0.2.1:7005, reply from 7005" "${H2}" \
	192.0.2.1 7005 200 0
echo_ok "remap tap: H2 to [2001:db8::1]:7005, reply from 7005" "${H2}" \
	2001:db8::1 7005 200 0
echo_ok "remap splice: host to 127.0.0.1:7005, reply from 7005" "${H1}" \
	127.0.0.1 7005 200 0
echo_ok "remap: port 65535, reply from 65535" "${H2}" 192.0.2.1 65535 200 0
pasta_stop

# The host itself to published ports (podman 4's vector, plus a remapped
# range each way)
for p in 53 60 61; do
	server "${G}" 0.0.0.0 "${p}"
	server "${G}" :: "${p}"
done
for p in 70 75 76; do
	server "${H1}" 127.0.0.1 "${p}"
	server "${H1}" ::1 "${p}"
done
for mapgw in default --no-map-gw; do
	opt=()
	[ "${mapgw}" = "default" ] || opt=(--no-map-gw)
	bg_start "${TMP}/pasta-host${mapgw}.log" h1 timeout 250 "${PASTA}" -f \
		--config-net -t 8080-8081:80-81 -u 5353-5353:53-53 \
		-u 5360-5361:60-61 -T none -U 5370-5370:70-70 \
		-U 5375-5376:75-76 "${opt[@]}" --netns "/run/netns/${G}"
	PASTA_JOB="${BG_PID}"
	WAIT_TRIES=400 check "${mapgw}: pasta --config-net sets G up" \
		wait_for sh -c "ip -n '${G}' -6 addr show dev up0 |
				grep -q 2001:db8::1/"
	check "${mapgw}: -u 5360-5361 bound on the host" \
		wait_port "${H1}" udp 5361
	check "${mapgw}: -U 5375-5376 bound in the namespace" \
		wait_port "${G}" udp 5376
	for a in 127.0.0.1 ::1 192.0.2.1 2001:db8::1; do
		for p in 5353 5360 5361; do
			echo_ok "${mapgw}: host to ${a} port ${p}" \
				"${H1}" "${a}" "${p}" 30 0
		done
	done
	for a in 127.0.0.1 ::1; do
		for p in 5370 5375 5376; do
			echo_ok "${mapgw}: -U namespace to ${a} port ${p}" \
				"${G}" "${a}" "${p}" 30 0
		done
	done
	# More than one address: each reply from the one the client used
	ip -n "${H1}" addr add 192.0.2.3/24 dev up0
	ip -n "${H1}" addr add 2001:db8::3/64 dev up0 nodad
	echo_ok "${mapgw}: host to 127.0.0.2 port 5360, reply from it" \
		"${H1}" 127.0.0.2 5360 30 0
	for a in 192.0.2.3 2001:db8::3; do
		echo_ok "${mapgw}: host to its second address ${a}" \
			"${H1}" "${a}" 5361 30 0
		echo_ok "${mapgw}: H2 to the host's second address ${a}" \
			"${H2}" "${a}" 5353 30 0
	done
	ip -n "${H1}" addr del 192.0.2.3/24 dev up0
	ip -n "${H1}" addr del 2001:db8::3/64 dev up0
	pasta_stop
done

# Idle flows expire (PASST_UDP_TIMEOUT=20 s: long enough that the first of
# 20 flows opened one after the other is still there when the last one is,
# even for a sanitiser build on a loaded machine). Flows are counted as
# pasta's sockets connected to the server, in H1 (the clients run in G):
# a count of all descriptors also saw the ones set-up and "auto" open and
# close, and came out short under load
PASST_UDP_TIMEOUT=20 pasta_start "${TMP}/pasta3.log" ||
	check "pasta with PASST_UDP_TIMEOUT starts" false
for i in $(seq 1 20); do	# 20 source ports: no reuse by chance
	g timeout 10 "${ECHO}" client 198.51.100.1 7000 1 16 $((41000 + i)) \
		> /dev/null 2>&1
done
check_eq "20 flows hold 20 sockets towards the server" \
	"$(flows_to 198.51.100.1:7000)" 20
WAIT_TRIES=400 WAIT_STEP=0.1 check "idle flows closed after the timeout" \
	wait_for no_flows_to 198.51.100.1:7000
pasta_stop

# A flood of source ports fills the UDP flow cap (PASST_UDP_FLOW_MAX=64):
# datagrams that need a new flow are dropped and counted ("table full" in
# --stats), the flow in use before the flood is not closed to make room,
# and new flows work again once the flood's flows expire
# (PASST_UDP_TIMEOUT=20 s, see the expiry check above)
PASST_UDP_FLOW_MAX=64 PASST_UDP_TIMEOUT=20 pasta_start "${TMP}/pasta4.log" \
	--stats 1 || check "pasta with PASST_UDP_FLOW_MAX starts" false
sleep 0.5
base="$(fd_count "${PASTA_PID}")"
check "before the flood: a flow from port 42000 echoes" \
	g timeout 60 "${ECHO}" client 198.51.100.1 7000 20 16 42000
g timeout 60 "${ECHO}" flood 198.51.100.1 7000 500
check "flood of 500 source ports: at most 64 flow descriptors" \
	fds_at_most "${PASTA_PID}" $((base + 64))
check "after the flood: the flow from port 42000 still echoes" \
	g timeout 60 "${ECHO}" client 198.51.100.1 7000 20 16 42000
WAIT_TRIES=100 WAIT_STEP=0.1 check "full table: refused datagrams counted" \
	wait_for counter_at_least "${TMP}/pasta4.log" udp_drop_full 1
WAIT_TRIES=400 WAIT_STEP=0.1 check "the flood's flows expire" \
	wait_for no_flows_to 198.51.100.1:7000
echo_ok "after the flood: new flows work" "${G}" 198.51.100.1 7000 100 0
check "pasta still running after the flood" kill -0 "${PASTA_PID}"
pasta_stop

# Unprivileged: pasta as the test user, in a user namespace of its own
if userns_ok; then
	pasta_h1_user -- sh -c "
		'${ECHO}' client 198.51.100.1 7000 200 0 &&
		'${ECHO}' client 192.0.2.254 7001 200 0 &&
		'${ECHO}' client 127.0.0.1 7001 200 0" \
		> "${TMP}/user.out" 2>&1
	check_eq "unprivileged: tap, gateway and splice echoes all intact" \
		"$(grep -c '^received 200/200, bad 0, wrong-source 0$' \
		   "${TMP}/user.out")" 3
else
	echo "# unprivileged part skipped: no user namespaces for ${TEST_USER}"
fi

test_done
