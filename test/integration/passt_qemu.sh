#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/passt_qemu.sh - passt serving a real qemu guest, as
# libvirt starts it
#
# In a sandbox (see test/lib.sh), passt runs in H1 and qemu (TCG, no KVM)
# boots a guest whose virtio-net device is on passt's socket (-netdev
# stream, the way libvirt and users run it); test/qemu_guest.sh builds the
# guest and lists what it does: DHCP, IPv6 by SLAAC, DHCPv6 (dhcpcd),
# pings, UDP echoes to H2 and inbound through -u (every byte checked), 8 MiB
# up, down and inbound through -t, sums compared.
#
# passt is started the way libvirt 9.0 starts it: in the background (no
# -f), with --one-off, --socket, --pid and --log-file, its standard error a
# pipe whose reader has already gone. It must neither die of SIGPIPE nor
# lose its log: the guest gets its lease, the log file has passt's lines,
# and passt exits once the guest has left (--one-off).

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../qemu_guest.sh"

need_root
need_bin
qemu_setup
T=stream

qemu_servers_start "${T}" 8

SOCK="${TMP}/passt.sock"
PIDFILE="${TMP}/passt.pid"
LOGFILE="${TMP}/passt.log"
dead_pipe_open
check "passt starts, its standard error a pipe nobody reads" \
	with_dead_stderr h1 timeout 30 "${PASST}" --one-off \
	--socket "${SOCK}" --pid "${PIDFILE}" --log-file "${LOGFILE}" \
	--stats 1 -t 7101 -u 7102
exec 3>&-
PASST_PID="$(cat "${PIDFILE}" 2>/dev/null)"
cleanup_pid "${PASST_PID:-0}"
check "passt creates its socket" wait_file "${SOCK}" ||
	{ cat "${LOGFILE}"; test_done; }

mapfile -t QEMU < <(qemu_cmd "${T}")
bg_start "${TMP}/${T}.console.log" h1 timeout 180 "${QEMU[@]}" \
	-device virtio-net-pci,netdev=n0 \
	-netdev stream,id=n0,server=off,addr.type=unix,addr.path="${SOCK}"
QEMU_PID="${BG_PID}"

qemu_guest_run "${T}" "${QEMU_PID}"
qemu_guest_checks "${T}" "${QEMU_PID}" "${LOGFILE}"
check_grep "passt's log file has its start-up lines" "${LOGFILE}" \
	"^UNIX domain socket bound at ${SOCK}\$"
check_grep "passt's log file has the guest's connection" "${LOGFILE}" \
	"^Accepted connection from PID"
check "passt exited when the guest left (--one-off)" wait_gone "${PASST_PID}"

test_done
