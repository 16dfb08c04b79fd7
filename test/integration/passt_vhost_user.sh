#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/passt_vhost_user.sh - passt --vhost-user serving a real
# qemu guest, twice in a row
#
# In a sandbox (see test/lib.sh), passt --vhost-user runs in H1 and qemu
# (TCG, no KVM) boots the guest of test/qemu_guest.sh with its virtio-net
# device on vhost-user: -chardev socket to passt's socket, -netdev
# vhost-user, guest memory from memory-backend-memfd,share=on that passt
# maps (-machine memory-backend= for the first boot, -numa node,memdev=
# for the second). The guest does DHCP, IPv6 by SLAAC, DHCPv6 (dhcpcd), pings, UDP
# echoes to H2 and inbound through -u (every byte checked), 8 MiB up, down
# and inbound through -t, sums compared. passt gives the guest MTU 1500 (-m):
# the first guest takes every offload passt offers, so TCP data to it must
# go as super-frames of many MSS-sized segments (GUEST_TSO4/6, across
# merged buffers): 16 MiB in fewer than 4000 frames, where MTU-sized
# segments need more than 11000; and the guest's own TSO super-frames,
# headers then page fragments, must be sent from guest memory in place
# (--stats), not copied.
#
# The device has no MSI-X (vectors=0): under TCG, qemu 7.2 with a
# vhost-user device on MSI-X dies of SIGSEGV in msix_set_vector_notifiers()
# as the driver starts it (from vhost_net_start(), before SET_FEATURES:
# nothing passt answers changes it); with KVM qemu takes another path
# (irqfd), and INTx interrupts avoid it here.
#
# Then the guest powers off, qemu exits (vhost-user disconnects) and a
# second qemu connects to the same passt, which must have reset its
# session (rings, memory, offloads) and serve it from scratch. This second
# qemu refuses every offload and merged buffers, event-idx and indirect
# descriptors: passt falls back to MTU-sized frames with full checksums,
# one receive chain each. The same checks, then passt is still running,
# and its ring drop counters are 0. The second guest's TCP segments, each
# linear in one buffer, are read from guest memory in place (--stats).

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../qemu_guest.sh"

need_root
need_bin
qemu_setup
QEMU_MTU=1500

# libvirt reads the back-end's type from --print-capabilities (JSON)
check_eq "--print-capabilities: JSON, type net" \
	"$("${PASST}" --print-capabilities | python3 -c \
	   'import json, sys; print(json.load(sys.stdin)["type"])')" "net"

SOCK="${TMP}/passt.sock"
PIDFILE="${TMP}/passt.pid"
LOGFILE="${TMP}/passt.log"
check "passt --vhost-user starts" \
	h1 timeout 300 "${PASST}" --vhost-user --socket "${SOCK}" \
	--pid "${PIDFILE}" --log-file "${LOGFILE}" --stats 1 -t 7101 -u 7102 \
	-m 1500
PASST_PID="$(cat "${PIDFILE}" 2>/dev/null)"
cleanup_pid "${PASST_PID:-0}"
check "passt creates its socket" wait_file "${SOCK}" ||
	{ cat "${LOGFILE}"; test_done; }

# vu_frames_out() - Frames passt has sent to guests so far, from --stats
vu_frames_out() {
	sed -n 's/.*frames in [0-9]* out \([0-9]*\);.*/\1/p' "${LOGFILE}" |
		tail -n 1
}

# vu_tx() - Frames from guests so far, from passt's last --stats line
# $1:	1 for those whose payload was read in place, 2 for those copied
vu_tx() {
	sed -n 's/.*frames from guest: payload in place \([0-9]*\), copied \([0-9]*\)$/\1 \2/p' \
		"${LOGFILE}" | tail -n 1 | cut -d ' ' -f "$1"
}

# vu_stats_wait() - Wait for a --stats line newer than the guest's end
vu_stats_wait() {
	local n

	n="$(grep -c "frames in" "${LOGFILE}")"
	WAIT_TRIES=50 WAIT_STEP=0.1 wait_for \
		test "$(grep -c "frames in" "${LOGFILE}")" -gt "$((n + 1))"
}

# vu_boot() - Boot one guest on passt's vhost-user socket and check it
# $1:	boot tag
# $2:	extra virtio-net-pci properties, or empty
# $3:	how the guest's memory is given: -machine or -numa (both forms
#	libvirt and users write)
vu_boot() {
	local qemu_pid mem

	mem="-machine memory-backend=m0"
	[ "$3" = -numa ] && mem="-numa node,memdev=m0"
	qemu_servers_start "$1" 8
	mapfile -t QEMU < <(qemu_cmd "$1")
	# shellcheck disable=SC2086 # ${mem}: option and its value
	bg_start "${TMP}/$1.console.log" h1 timeout 180 "${QEMU[@]}" \
		-object memory-backend-memfd,id=m0,size=256M,share=on ${mem} \
		-chardev socket,id=c0,path="${SOCK}" \
		-netdev vhost-user,id=n0,chardev=c0 \
		-device virtio-net-pci,netdev=n0,vectors=0"$2"
	qemu_pid="${BG_PID}"
	qemu_guest_run "$1" "${qemu_pid}"
	qemu_guest_checks "$1" "${qemu_pid}" "${LOGFILE}"
}

OFF=",csum=off,guest_csum=off,gso=off,guest_tso4=off,guest_tso6=off"
OFF="${OFF},host_tso4=off,host_tso6=off,guest_ecn=off,host_ecn=off"
OFF="${OFF},guest_ufo=off,host_ufo=off,mrg_rxbuf=off,event_idx=off"
OFF="${OFF},indirect_desc=off"

vu_boot vu1 "" -machine
check "passt is still running after the first guest left" \
	kill -0 "${PASST_PID}"
vu_stats_wait
OUT1="$(vu_frames_out)"
INPLACE1="$(vu_tx 1)"
COPIED1="$(vu_tx 2)"
echo "    vu1: passt sent ${OUT1} frames to the guest"
echo "    vu1: frames from the guest: payload in place ${INPLACE1}," \
     "copied ${COPIED1}"
check "vu1: TSO to the guest: 16 MiB in fewer than 4000 frames" \
	test "${OUT1:-99999}" -lt 4000
# With TSO, Linux posts a super-frame as its headers, then one page
# fragment per descriptor: at most 18 pieces, kept in place. The 8 MiB the
# guest sends take at least 128 of them (64 KiB each); copied frames are
# the few others (ARP, DHCP, NDP, ping, handshakes without payload aren't
# counted at all): most frames with a payload must be in place
check "vu1: the guest's TSO super-frames were sent from guest memory" \
	test "${INPLACE1:-0}" -ge 128 -a "${INPLACE1:-0}" -gt \
	"$((4 * ${COPIED1:-99999}))"
vu_boot vu2 "${OFF}" -numa
vu_stats_wait
OUT2="$(($(vu_frames_out) - OUT1))"
echo "    vu2: passt sent ${OUT2} frames to the guest"
check "vu2: no offloads: MTU-sized frames, more than 11000" \
	test "${OUT2}" -gt 11000
# Linux's virtio_net without offloads posts linear frames: the 8 MiB sent
# by the guest, MSS 1460 at most, is at least 5746 segments, each with its
# payload in one buffer, read in place
INPLACE2="$(($(vu_tx 1) - ${INPLACE1:-0}))"
echo "    vu2: frames from the guest with their payload in place: ${INPLACE2}"
check "vu2: the guest's TCP segments were sent from guest memory" \
	test "${INPLACE2}" -ge 5746
check "passt is still running after the second guest left" \
	kill -0 "${PASST_PID}"
check_grep "passt saw the front-end leave" "${LOGFILE}" \
	"vhost-user front-end disconnected"
WAIT_TRIES=30 WAIT_STEP=0.1 wait_for grep -q "vhost-user TX: drops" \
	"${LOGFILE}"
check_grep "no chain refused on the transmit ring" "${LOGFILE}" \
	"vhost-user TX: drops: index 0 head 0 next 0 loop 0 table 0 overlap 0"

test_done
