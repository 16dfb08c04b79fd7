#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/vu_pair.sh - The vhost-user test tools prove each other
#
# test/tools/vu_client.c (a vhost-user front-end playing qemu, bridging its
# virtqueues to a tap) is what the daemon's vhost-user tests and benchmark
# stand on; test/tools/vu_backend.c is a minimal back-end bridging to a tap
# of its own. Joined, they make an Ethernet link between two namespaces, A
# (vu_client's tap, 192.0.2.1) and B (vu_backend's, 192.0.2.2), without the
# daemon. Over it, in each configuration below: ping (3 replies with their
# data pattern intact in at most 3 runs of 3, lib.sh ping_replies: a reply
# late under load is retried, while vu_client's counters of frames its tap
# did not take, rx_drops and rx_down, stay still), then 16 MiB each way
# over TCP, compared by sha256; vu_client's counters (printed on SIGTERM)
# show what the queues carried:
#   - all offloads, MTU 1500: TSO frames both ways (tx_gso, rx_gso), frames
#     merged from several RX buffers (MRG_RXBUF);
#   - --no-offload: no GSO frame, none larger than the MTU;
#   - a back-end without MRG_RXBUF and EVENT_IDX (RX chains), the client
#     with the header in its own TX descriptor, 1 KiB TX buffers, one
#     memory region and a 128-entry ring;
#   - TX chains in indirect tables (INDIRECT_DESC), header apart;
#   - no PROTOCOL_FEATURES (no REPLY_ACK, rings enabled at once).
# On SIGTERM the client stops the rings as qemu does: GET_VRING_BASE for
# the TX queue returns what it published (the back-end used all of it).

. "$(dirname "$0")/../lib.sh"

need_root
need_cmd ip socat sha256sum ping awk

VC="$(build_tool vu_client)" || { echo "cannot build vu_client"; exit 1; }
VB="$(build_tool vu_backend)" || { echo "cannot build vu_backend"; exit 1; }
DATA="${TMP}/data"
head -c $((16 << 20)) /dev/urandom > "${DATA}"
SUM="$(sha256sum < "${DATA}")"

A="vu-a-$$"
B="vu-b-$$"
ip netns add "${A}" && LIB_SANDBOXES+=("${A}")
ip netns add "${B}" && LIB_SANDBOXES+=("${B}")
ip -n "${A}" link set lo up
ip -n "${B}" link set lo up

# pair_up() - Start vu_backend in B and vu_client in A, configure the link
# $1:	label, names the logs
# $2:	MTU
# $3:	vu_backend options (split at spaces, may be empty)
# $4..:	vu_client options
# Sets VC_PID (vu_client's PID)
# Return: 0 once both taps are up
pair_up() {
	local label="$1" mtu="$2" bopts="$3" sock="${TMP}/$1.sock"
	shift 3

	bg_start "${TMP}/$label.b.log" ip netns exec "${B}" "${VB}" \
		${bopts} "${sock}" vb0
	wait_file "${sock}" || return 1
	bg_start "${TMP}/$label.c.log" ip netns exec "${A}" "${VC}" "$@" \
		"${sock}" vc0
	wait_for ip -n "${A}" link show vc0 || return 1
	# Only now is vu_client surely the job's leaf, not its shell
	VC_PID="$(bg_leaf "${BG_PID}")"
	ip -n "${A}" link set vc0 mtu "${mtu}" txqueuelen 10000 up
	ip -n "${B}" link set vb0 mtu "${mtu}" txqueuelen 10000 up
	ip -n "${A}" addr add 192.0.2.1/24 dev vc0
	ip -n "${B}" addr add 192.0.2.2/24 dev vb0
}

# pair_failed() - Count a configuration whose tools did not come up, show
# their logs, end the test
# $1:	label
pair_failed() {
	check_eq "$1: vu_backend and vu_client up" "no" "yes"
	cat "${TMP}/$1".*.log
	test_done
}

# pair_down() - Stop vu_client with SIGTERM (it prints its counters), wait
# for both tools to exit
# $1:	label
pair_down() {
	kill -TERM "${VC_PID}"
	wait_gone "${VC_PID}"
	wait_for sh -c "! ip -n '${B}' link show vb0"
}

# stat_of() - One counter from vu_client's last "stats" line
# $1:	label
# $2:	counter name
stat_of() {
	grep "stats" "${TMP}/$1.c.log" | tail -n 1 |
		sed -n "s/.* $2=\([0-9]*\).*/\1/p"
}

# vc_stats_ask() - Ask vu_client for a stats line (SIGUSR1; a signal just
# before its poll() is seen at its next event only: the caller asks again)
# $1:	label
# $2:	stats lines in its log before
# Return: 0 once there are more
vc_stats_ask() {
	kill -USR1 "${VC_PID}"
	[ "$(grep -c "stats" "${TMP}/$1.c.log")" -gt "$2" ]
}

# vc_rx_lost() - vu_client's counters, as of now, of frames from the
# back-end its tap did not take: "rx_drops=N rx_down=N"
# $1:	label
# Return: 0 if printed, 1 if no new stats line came (bounded, 10 s)
vc_rx_lost() {
	local n

	n="$(grep -c "stats" "${TMP}/$1.c.log")"
	WAIT_TRIES=100 WAIT_STEP=0.1 wait_for vc_stats_ask "$1" "${n}" ||
		return 1
	echo "rx_drops=$(stat_of "$1" rx_drops) rx_down=$(stat_of "$1" rx_down)"
}

# transfers() - Ping, then the data both ways over TCP, compared
# $1:	label
transfers() {
	local l="$1" lost0

	lost0="$(vc_rx_lost "$l")"
	check "$l: ping across, 3 replies, data intact (ping_replies)" \
		ping_replies "${A}" "${TMP}/$l.ping" 192.0.2.2
	check_eq "$l: vu_client's tap took every frame of the pings" \
		"$(vc_rx_lost "$l")" "${lost0:-no stats before}"
	bg_start "${TMP}/$l.s1.log" ip netns exec "${B}" timeout 60 \
		socat -u TCP-LISTEN:7001,reuseaddr OPEN:"${TMP}/$l.ab",creat,trunc
	bg_start "${TMP}/$l.s2.log" ip netns exec "${A}" timeout 60 \
		socat -u TCP-LISTEN:7002,reuseaddr OPEN:"${TMP}/$l.ba",creat,trunc
	wait_port "${B}" tcp 7001
	wait_port "${A}" tcp 7002
	ip netns exec "${A}" timeout 60 socat -u OPEN:"${DATA}" \
		TCP:192.0.2.2:7001
	ip netns exec "${B}" timeout 60 socat -u OPEN:"${DATA}" \
		TCP:192.0.2.1:7002
	wait_for sum_is "${TMP}/$l.ab" "${SUM}"
	check "$l: 16 MiB from the front-end's side" \
		sum_is "${TMP}/$l.ab" "${SUM}"
	wait_for sum_is "${TMP}/$l.ba" "${SUM}"
	check "$l: 16 MiB to the front-end's side" \
		sum_is "${TMP}/$l.ba" "${SUM}"
}

# ---- All offloads, MTU 1500 --------------------------------------------------

pair_up offl 1500 "" ||
	pair_failed offl
check_grep "offloads: all features negotiated" "${TMP}/offl.c.log" \
	"offered 0x170009983 negotiated 0x160009983 protocol 0x9 header 12"
transfers offl
pair_down offl
check "offloads: TSO frames to the back-end" \
	test "$(stat_of offl tx_gso)" -gt 0
check "offloads: TSO frames from the back-end" \
	test "$(stat_of offl rx_gso)" -gt 0
check "offloads: frames of more than one merged RX buffer" \
	test "$(stat_of offl rx_merged)" -gt 0
check "offloads: no frame refused by the tap" \
	test "$(stat_of offl rx_drops)" -eq 0
check_grep "stop: GET_VRING_BASE of TX is what was published" \
	"${TMP}/offl.c.log" "queue 1 stopped at ([0-9]+) \(published \1\)"

# ---- No offloads -------------------------------------------------------------

pair_up nooffl 1500 "" --no-offload ||
	pair_failed nooffl
check_grep "--no-offload: no CSUM, TSO negotiated" "${TMP}/nooffl.c.log" \
	"negotiated 0x160008000 "
transfers nooffl
pair_down nooffl
check "--no-offload: no GSO frame either way" \
	test "$(stat_of nooffl tx_gso)$(stat_of nooffl rx_gso)" = 00
check "--no-offload: no frame beyond the MTU" \
	test "$(stat_of nooffl tx_max)" -le 1514 -a \
	     "$(stat_of nooffl rx_max)" -le 1514

# ---- RX chains, TX header apart, one region, small ring ----------------------

pair_up chains 65520 "--features 0x150001983" --hdr-apart --tx-seg 1024 \
	--regions 1 --ring 128 || pair_failed chains
check_grep "chains: no MRG_RXBUF, no EVENT_IDX" "${TMP}/chains.c.log" \
	"negotiated 0x140001983 "
transfers chains
pair_down chains
check "chains: 64 KiB frames through 1 KiB TX buffers" \
	test "$(stat_of chains tx_max)" -gt 60000

# ---- Indirect TX tables -------------------------------------------------------

pair_up indirect 1500 "" --indirect --hdr-apart --tx-seg 2048 ||
	pair_failed indirect
check_grep "indirect: INDIRECT_DESC negotiated" "${TMP}/indirect.c.log" \
	"negotiated 0x170009983 "
transfers indirect
pair_down indirect

# ---- No protocol features ----------------------------------------------------

pair_up noproto 65520 "" --features 0x100009983 ||
	pair_failed noproto
check_grep "no PROTOCOL_FEATURES: none negotiated" "${TMP}/noproto.c.log" \
	"negotiated 0x100009983 protocol 0x0 "
transfers noproto
pair_down noproto

test_done
