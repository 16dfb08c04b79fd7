#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/passt_tcp.sh - passt: TCP through the qemu socket
#
# In a sandbox (see test/lib.sh), passt runs in H1; test/tools/passt_tap
# connects to its socket from a namespace G and relays frames to a tap
# device there, so G's kernel plays the guest (MTU 65520), as a VM would.
# Servers are in H2 ("the internet": 198.51.100.1, 2001:db8:1::1). Checks:
#   - the platform probe test/platform/peek_off.c (socket semantics tcp.c
#     relies on);
#   - 100 MiB each way, IPv4 and IPv6, guest-initiated, sha256 compared;
#   - inbound -t from H2 to H1's address and from H1's loopback (the guest
#     sees the gateway address), each way; a guest server that speaks
#     first (banner) is heard;
#   - slow readers on either side, no byte lost;
#   - 1000 concurrent echo connections; half-close; RST either way;
#   - connect() to a closed port refused (an RST, not a timeout);
#   - no descriptor leak in passt after 10,000 short connections;
#   - when the client (the VM) goes away, host peers are reset at once.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout

PEER="$(build_tool splice_peer)" || skip "can't build splice_peer"
SLOW="$(build_tool slow_cat)" || skip "can't build slow_cat"
PT="$(build_tool passt_tap)" || skip "can't build passt_tap"
BIG="${TMP}/big"
MID="${TMP}/mid"
head -c $((100 << 20)) /dev/urandom > "${BIG}"
head -c $((8 << 20)) /dev/urandom > "${MID}"
BIG_SUM="$(sha256sum < "${BIG}")"
MID_SUM="$(sha256sum < "${MID}")"
S4=198.51.100.1
S6=2001:db8:1::1

sandbox_create || skip "can't create sandbox"
check "platform probe: TCP socket semantics (test/platform/peek_off.c)" \
	platform_probe peek_off "${H1}"
ip -n "${H2}" addr add "${S6}/128" dev lo
ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
guest_ns_create "pt-tg-$$" || exit 1

# bg() - Start a command in a namespace in the background
# $1:	log name
# $2:	namespace (see ns_run)
# $3..:	command
bg() {
	local log="${TMP}/$1.log" ns="$2"
	shift 2
	bg_start "${log}" ns_run "${ns}" timeout 200 "$@"
}

SOCK="${TMP}/passt.sock"
bg_start "${TMP}/passt.log" h1 timeout 280 "${PASST}" -f -s "${SOCK}" \
	-t 7101-7107 -P "${TMP}/passt.pid" --stats 1
check "passt creates its socket" wait_file "${SOCK}" ||
	{ cat "${TMP}/passt.log"; test_done; }
bg_start "${TMP}/pt.log" g "${PT}" "${SOCK}" tap0
PT_PID="${BG_PID}"
check "guest tap relay up" wait_for ip -n "${G}" link show tap0 ||
	{ cat "${TMP}/pt.log"; test_done; }
g sysctl -qw net.ipv6.conf.tap0.accept_ra=0
# tun drops what the guest sends once txqueuelen frames wait for the relay,
# where a VM's virtio queue would stop its sender: a longer queue keeps that
# loss, which is the harness's, out of the way
ip -n "${G}" link set tap0 mtu 65520 txqueuelen 10000 up
ip -n "${G}" addr add 192.0.2.1/24 dev tap0
ip -n "${G}" addr add 2001:db8::1/64 dev tap0 nodad
ip -n "${G}" route add default via 192.0.2.254 dev tap0
ip -n "${G}" -6 route add default via 2001:db8::fe dev tap0

# ---- Guest-initiated bulk transfers ----------------------------------------

bg s1 "${H2}" socat -u TCP-LISTEN:7001,reuseaddr OPEN:"${TMP}/o4",creat,trunc
bg s2 "${H2}" socat -u OPEN:"${BIG}" TCP-LISTEN:7002,reuseaddr
bg s3 "${H2}" socat -u TCP6-LISTEN:7003,reuseaddr OPEN:"${TMP}/o6",creat,trunc
bg s4 "${H2}" socat -u OPEN:"${BIG}" TCP6-LISTEN:7004,reuseaddr
for p in 7001 7002 7003 7004; do wait_port "${H2}" tcp "${p}"; done
g timeout 60 socat -u OPEN:"${BIG}" TCP:${S4}:7001
g timeout 60 socat -u TCP:${S4}:7002 OPEN:"${TMP}/i4",creat,trunc
g timeout 60 socat -u OPEN:"${BIG}" TCP6:[${S6}]:7003
g timeout 60 socat -u TCP6:[${S6}]:7004 OPEN:"${TMP}/i6",creat,trunc
wait_for sum_is "${TMP}/o4" "${BIG_SUM}"
check "outbound IPv4, 100 MiB to H2" sum_is "${TMP}/o4" "${BIG_SUM}"
check "outbound IPv4, 100 MiB from H2" sum_is "${TMP}/i4" "${BIG_SUM}"
wait_for sum_is "${TMP}/o6" "${BIG_SUM}"
check "outbound IPv6, 100 MiB to H2" sum_is "${TMP}/o6" "${BIG_SUM}"
check "outbound IPv6, 100 MiB from H2" sum_is "${TMP}/i6" "${BIG_SUM}"

# ---- Inbound -t -------------------------------------------------------------

bg g1 "${G}" socat -u TCP-LISTEN:7101 OPEN:"${TMP}/n4",creat,trunc
bg g2 "${G}" socat -u OPEN:"${BIG}" TCP-LISTEN:7102
bg g3 "${G}" socat -u TCP6-LISTEN:7103 OPEN:"${TMP}/n6",creat,trunc
bg g4 "${G}" socat -u TCP-LISTEN:7104 \
	SYSTEM:"cat > ${TMP}/nl; echo \$SOCAT_PEERADDR > ${TMP}/nl.peer"
bg g5 "${G}" socat TCP-LISTEN:7107 SYSTEM:"echo banner; sleep 5"
for p in 7101 7102 7103 7104 7107; do wait_port "${G}" tcp "${p}"; done
wait_port "${H1}" tcp 7104
h2 timeout 60 socat -u OPEN:"${BIG}" TCP:192.0.2.1:7101
h2 timeout 60 socat -u TCP:192.0.2.1:7102 OPEN:"${TMP}/m4",creat,trunc
h2 timeout 60 socat -u OPEN:"${BIG}" TCP6:[2001:db8::1]:7103
h1 timeout 60 socat -u OPEN:"${MID}" TCP:127.0.0.1:7104
h2 timeout 10 socat -u TCP:192.0.2.1:7107 STDOUT > "${TMP}/banner"
wait_for sum_is "${TMP}/n4" "${BIG_SUM}"
check "inbound IPv4, 100 MiB to the guest" sum_is "${TMP}/n4" "${BIG_SUM}"
check "inbound IPv4, 100 MiB from the guest" sum_is "${TMP}/m4" "${BIG_SUM}"
wait_for sum_is "${TMP}/n6" "${BIG_SUM}"
check "inbound IPv6, 100 MiB to the guest" sum_is "${TMP}/n6" "${BIG_SUM}"
WAIT_TRIES=400 wait_file "${TMP}/nl.peer"
check "inbound from host loopback, 8 MiB" sum_is "${TMP}/nl" "${MID_SUM}"
check_grep "host loopback seen from the gateway address" \
	"${TMP}/nl.peer" "^192\.0\.2\.254$"
check_grep "inbound: the guest's server speaks first" "${TMP}/banner" \
	"^banner$"

# ---- Slow readers -------------------------------------------------------------

bg slow1 "${H2}" sh -c "socat -u TCP-LISTEN:7201,reuseaddr STDOUT |
			 ${SLOW} 16384 2 1048576 > ${TMP}/so"
bg slow2 "${H2}" socat -u OPEN:"${MID}" TCP-LISTEN:7202,reuseaddr
wait_port "${H2}" tcp 7201
wait_port "${H2}" tcp 7202
g timeout 60 socat -u OPEN:"${MID}" TCP:${S4}:7201
g sh -c "timeout 60 socat -u TCP:${S4}:7202 STDOUT |
	 ${SLOW} 16384 2 1048576 > ${TMP}/si"
wait_for sum_is "${TMP}/so" "${MID_SUM}"
check "slow reader in H2, 8 MiB, nothing lost" sum_is "${TMP}/so" "${MID_SUM}" ||
	{ g ss -tnio; ip netns exec "${H2}" ss -tnio; }
check "slow reader in the guest, 8 MiB, nothing lost" \
	sum_is "${TMP}/si" "${MID_SUM}"

# The counters are printed every second: wait for a line newer than the
# checks, then keep it in the log (see tcp_counters_note())
sleep 1.2
tcp_counters_note "${TMP}/passt.log" "the slow readers"

# ---- Many connections, half-close, resets, refused ----------------------------

bg echo "${H2}" "${PEER}" echo "${S4}" 7301
bg half "${H2}" "${PEER}" half-server "${S4}" 7302
bg rst "${H2}" "${PEER}" rst-server "${S4}" 7303
bg abort "${H2}" "${PEER}" abort-server "${S4}" 7304
bg ghalf "${G}" "${PEER}" half-server 0.0.0.0 7105
bg grst "${G}" "${PEER}" rst-server 0.0.0.0 7106
for p in 7301 7302 7303 7304; do wait_port "${H2}" tcp "${p}"; done
wait_port "${G}" tcp 7105
wait_port "${G}" tcp 7106
check "1000 concurrent connections echo 64 KiB each" \
	g sh -c "ulimit -n 8192; timeout 100 ${PEER} conc ${S4} 7301 1000 65536"
check "half-close: reply after the guest's FIN" \
	g timeout 20 "${PEER}" half-client "${S4}" 7302 1000000
check "RST from H2 reaches the guest" \
	g timeout 20 "${PEER}" rst-client "${S4}" 7303
check "RST from the guest reaches H2" \
	g timeout 20 "${PEER}" abort-client "${S4}" 7304
check "inbound half-close: reply after H2's FIN" \
	h2 timeout 20 "${PEER}" half-client 192.0.2.1 7105 1000000
check "inbound: RST from the guest reaches H2" \
	h2 timeout 20 "${PEER}" rst-client 192.0.2.1 7106
g timeout 5 socat -u /dev/null TCP:${S4}:7399 2> "${TMP}/refused"
check_grep "closed port: connection refused" "${TMP}/refused" \
	"Connection refused"

# ---- Descriptor leaks -------------------------------------------------------------

# Counted once every earlier connection has closed: under load, some wait
# for our FIN's resend to the guest, with back-off, for seconds
pid="$(cat "${TMP}/passt.pid")"
WAIT_TRIES=300 WAIT_STEP=0.1 wait_for tcp_conns_gone "${pid}"
before="$(fd_count "${pid}")"
check "10,000 short connections complete" \
	g timeout 200 "${PEER}" short "${S4}" 7301 10000
WAIT_TRIES=300 WAIT_STEP=0.1 wait_for tcp_conns_gone "${pid}"
WAIT_TRIES=100 wait_for fds_at_most "${pid}" "${before}"
check_eq "no descriptor leak after 10,000 connections" \
	"$(fd_count "${pid}")" "${before}"

# ---- The guest goes away ------------------------------------------------------

# h2_estab() - Check for an established connection on a port in H2
# $1:	port
h2_estab() {
	[ -n "$(h2 ss -Htn state established "sport = :$1")" ]
}

bg keep "${H2}" socat -d -d -u TCP-LISTEN:7401,reuseaddr OPEN:/dev/null
wait_port "${H2}" tcp 7401
bg hold "${G}" sh -c "sleep 100 | socat -u - TCP:${S4}:7401"
wait_for h2_estab 7401
kill $(lib_tree "${PT_PID}") 2>/dev/null
WAIT_TRIES=40 wait_for grep -q "in error" "${TMP}/keep.log"
check_grep "client gone: host peers are reset at once" "${TMP}/keep.log" \
	"in error"

test_done
