#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/passt_map.sh - passt: --map-guest-addr through the socket
#
# The same translation as pasta_map.sh, for passt: in a sandbox (see
# test/lib.sh), passt runs in H1 with --map-guest-addr 198.51.100.2 and
# 2001:db8:5::2, and test/tools/passt_tap relays its socket to a tap device
# in a namespace G configured with H1's own addresses, as a guest would be
# by DHCP. From G, through those addresses:
#   - TCP to servers bound only to H1's own addresses, 8 MiB each family,
#     sha256 checked, the server seeing H1's own address as the peer
#   - UDP echo, every byte and the replies' source checked
#   - ping (lib.sh ping_replies), 3 replies with the data pattern intact,
#     in at most 3 runs of 3 (an echo lost or late under load is not
#     passt's loss), also with the relay paused through the first run;
#     passt's drop counters for ICMP and frames to the guest (ping_drops)
#     must not move meanwhile

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout ping awk tac

PT="$(build_tool passt_tap)" || skip "can't build passt_tap"
ECHO="$(build_tool udp_echo)" || skip "can't build udp_echo"
MID="${TMP}/mid"
head -c $((8 << 20)) /dev/urandom > "${MID}"
MID_SUM="$(sha256sum < "${MID}")"
A4=198.51.100.2
A6=2001:db8:5::2

sandbox_create || skip "can't create sandbox"
guest_ns_create "pt-mg-$$" || exit 1

SOCK="${TMP}/passt.sock"
bg_start "${TMP}/passt.log" h1 timeout 120 "${PASST}" -f -s "${SOCK}" \
	--map-guest-addr "${A4}" --map-guest-addr "${A6}" --stats 1
check "passt creates its socket" wait_file "${SOCK}" ||
	{ cat "${TMP}/passt.log"; test_done; }
bg_start "${TMP}/pt.log" g "${PT}" "${SOCK}" tap0
PT_JOB="${BG_PID}"
check "guest tap relay up" wait_for ip -n "${G}" link show tap0 ||
	{ cat "${TMP}/pt.log"; test_done; }
g sysctl -qw net.ipv6.conf.tap0.accept_ra=0
ip -n "${G}" link set tap0 mtu 65520 up
ip -n "${G}" addr add 192.0.2.1/24 dev tap0
ip -n "${G}" addr add 2001:db8::1/64 dev tap0 nodad
ip -n "${G}" route add default via 192.0.2.254 dev tap0
ip -n "${G}" -6 route add default via 2001:db8::fe dev tap0

for v in 4 6; do
	if [ "${v}" = 4 ]; then a=192.0.2.1; b=192.0.2.1; else
		a=2001:db8::1; b="[2001:db8::1]"; fi
	bg_start "${TMP}/t${v}.log" h1 timeout 60 socat -u \
		"TCP${v}-LISTEN:760${v},bind=${b},reuseaddr" \
		SYSTEM:"cat > ${TMP}/t${v};
			echo \$SOCAT_PEERADDR > ${TMP}/t${v}.peer"
	bg_start "${TMP}/u${v}.log" h1 timeout 60 "${ECHO}" server "${a}" 761${v}
	wait_port "${H1}" tcp 760${v}
	wait_port "${H1}" udp 761${v}
done

g timeout 20 socat -u OPEN:"${MID}" TCP4:${A4}:7604
g timeout 20 socat -u OPEN:"${MID}" TCP6:[${A6}]:7606
map_tcp_checks "${A4}" "${A6}"

check "UDP/IPv4 echo through ${A4}, bytes and source checked" \
	g timeout 10 "${ECHO}" client "${A4}" 7614 20 0
check "UDP/IPv6 echo through ${A6}, bytes and source checked" \
	g timeout 10 "${ECHO}" client "${A6}" 7616 20 0

stats_fresh "${TMP}/passt.log"
DROPS0="$(ping_drops "${TMP}/passt.log")"
check "ping ${A4}: 3 replies, the data pattern intact" \
	ping_replies "${G}" "${TMP}/p4" "${A4}"
check "ping ${A6}: 3 replies, the data pattern intact" \
	ping_replies "${G}" "${TMP}/p6" -6 "${A6}"

# The relay paused (SIGSTOP) through the first run, as a loaded machine
# can hold it: the three replies come too late for that run, none is
# passt's loss, and the next run gets them all
PT_PID="$(bg_leaf "${PT_JOB}")"
kill -STOP "${PT_PID}"
wait_for grep -q '^State:.*T' "/proc/${PT_PID}/status"
PING_RETRY="kill -CONT ${PT_PID}" check "ping ${A4}, the relay paused \
through the first run: a later run gets 3 intact replies" \
	ping_replies "${G}" "${TMP}/p4s" "${A4}"
kill -CONT "${PT_PID}"
check_grep "the relay paused: the first run missed its replies" \
	"${TMP}/p4s.1" " 0 received"
stats_fresh "${TMP}/passt.log"
check_eq "pings: passt dropped nothing (icmp_drop_* but _type, \
tap_drop_out, tap_drop_oneoff)" "$(ping_drops "${TMP}/passt.log")" "${DROPS0}"

test_done
