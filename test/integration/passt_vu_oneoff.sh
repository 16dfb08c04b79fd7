#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/passt_vu_oneoff.sh - passt --vhost-user: one-off frames
# to a guest with no receive buffer
#
# One-off messages to the guest (ARP, DHCP and DHCPv6 replies, NDP, ICMP
# echo replies and errors) ask tap_room() first, as TCP and UDP do, but are
# not kept for later: with no room they are dropped and counted as
# tap_drop_oneoff, and the back-end is not asked, so that vu_rx_full (a
# frame the back-end had to refuse) stays 0.
#
# In a sandbox (see test/lib.sh), passt -4 -f --vhost-user runs in H1;
# test/tools/vu_client --rx-late plays qemu from a namespace G, bridging
# the queues to a tap device there, but posts no receive buffer until
# SIGUSR2. G's kernel, IPv6 off, with a static neighbour entry for the
# gateway (no ARP), pings H2 once: passt's echo reply finds no buffer, and
# tap_drop_oneoff moves by exactly one, vu_rx_full and tap_drop_out not at
# all: that count stays exact, a single echo request is its whole cause.
# Then the buffers are posted: pings with a pattern come back (ping checks
# the echoed bytes), and, the neighbour entry gone, G's ARP request is
# answered with passt's MAC; no one-off frame is dropped meanwhile. Those
# pings may take up to 3 runs of 3 (lib.sh ping_checked: a reply late
# under load is retried), as no counter for a lost echo moves meanwhile
# (ping_drops) and tap_drop_oneoff stays exactly 1.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ping awk tac

VC="$(build_tool vu_client)" || { echo "cannot build vu_client"; exit 1; }
S4=198.51.100.1
GW4=192.0.2.254
OUR_MAC=9a:55:9a:55:9a:55

sandbox_create || { echo "cannot create the sandbox"; exit 1; }
guest_ns_create "pt-vo-$$" || exit 1

SOCK="${TMP}/passt.sock"
LOG="${TMP}/passt.log"
bg_start "${LOG}" h1 timeout 120 "${PASST}" -4 -f --vhost-user -s "${SOCK}" \
	--stats 1
WAIT_TRIES=400 check "passt --vhost-user creates its socket" \
	wait_file "${SOCK}" || { cat "${LOG}"; test_done; }

bg_start "${TMP}/vc.log" g "${VC}" --rx-late "${SOCK}" tap0
WAIT_TRIES=400 check "vu_client (no RX buffer yet) brings its tap" \
	wait_for ip -n "${G}" link show tap0 || { cat "${TMP}/vc.log"; test_done; }
VC_PID="$(bg_leaf "${BG_PID}")"
g sysctl -qw net.ipv6.conf.tap0.disable_ipv6=1
ip -n "${G}" addr add 192.0.2.1/24 dev tap0
ip -n "${G}" link set tap0 up
ip -n "${G}" neigh replace "${GW4}" lladdr "${OUR_MAC}" nud permanent \
	dev tap0
ip -n "${G}" route add default via "${GW4}" dev tap0

# No receive buffer: the echo reply can't reach G
g ping -c 1 -W 1 "${S4}" > /dev/null 2>&1
WAIT_TRIES=100 WAIT_STEP=0.05 wait_for counter_is "${LOG}" tap_drop_oneoff 1
check "no RX buffer: the echo reply dropped, tap_drop_oneoff moved by one" \
	counter_is "${LOG}" tap_drop_oneoff 1
check_eq "no RX buffer: the back-end was not asked (vu_rx_full)" \
	"$(stats_value "${LOG}" vu_rx_full)" 0
check_eq "no RX buffer: no frame refused by the back-end (tap_drop_out)" \
	"$(stats_value "${LOG}" tap_drop_out)" 0

# vu_client posts them on SIGUSR2 (sent again until it says so: a signal
# just before its poll() is seen at the next event only)
WAIT_TRIES=100 WAIT_STEP=0.1 check "vu_client posts its RX buffers" \
	wait_for sh -c "kill -USR2 ${VC_PID};
			grep -q 'RX buffers posted' '${TMP}/vc.log'"
ping_checked "RX buffers posted: ping to H2" "${LOG}" "${G}" "${TMP}/p1" \
	-s 200 "${S4}"
ip -n "${G}" neigh del "${GW4}" dev tap0
ping_checked "RX buffers posted, no neighbour entry: ping to H2" "${LOG}" \
	"${G}" "${TMP}/p2" "${S4}"
ip -n "${G}" neigh show "${GW4}" dev tap0 > "${TMP}/neigh.txt"
check_grep "RX buffers posted: passt's ARP reply gives G its MAC" \
	"${TMP}/neigh.txt" "lladdr ${OUR_MAC}( |$)"
WAIT_TRIES=100 wait_for counter_at_least "${LOG}" tap_frames_out 2
check_eq "RX buffers posted: no more one-off frames dropped" \
	"$(stats_value "${LOG}" tap_drop_oneoff)" 1
check_eq "RX buffers posted: still no frame refused (vu_rx_full)" \
	"$(stats_value "${LOG}" vu_rx_full)" 0

test_done
