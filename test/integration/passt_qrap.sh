#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/passt_qrap.sh - A real qemu guest on passt through qrap
#
# qemu's socket back-end (-netdev socket,fd=N, or the legacy -net
# socket,fd=N with -net nic) takes a connected stream socket from qrap,
# which finds passt (probing /tmp/passt_1.socket onward, or the path given)
# and executes qemu. In a sandbox (see test/lib.sh), with a private /tmp
# so that only this test's passt is found, three boots of the guest that
# test/qemu_guest.sh builds (DHCP, SLAAC, DHCPv6, pings, UDP echoes out and
# inbound through -u, 2 MiB up, down and inbound through -t, sums
# compared), passt started with -f --one-off:
#   - netdev: our qrap, probing, the user's own -netdev socket,id=n0,fd=5
#     and -device virtio-net-pci,netdev=n0 kept as they are;
#   - legacy: our qrap with --socket PATH and the legacy -net socket,fd=5
#     -net nic,model=virtio, passt with -m 32000 (see below);
#   - upstream: upstream's qrap (Debian's /usr/bin/qrap, from the passt
#     package) probing this passt (an ARP request and a neighbour
#     solicitation, framed, before qemu starts), with -netdev and -device.
#
# Why the legacy boot has a lower MTU, and the upstream one no -net: the
# legacy options put a hub between the NIC and the socket back-end, and
# qemu (7.2, net/net.c) mixes two frames in the stream when the back-end's
# send to passt is partial (buffer full: passt busy). It keeps the offset
# reached in the cut frame, and when passt's socket drains, it flushes the
# hub's queue before its own: the NIC's next frame goes out from that
# offset, then the cut frame again whole. Same length, so the stream stays
# framed, but passt gets a frame made of two (seen in passt's pcap and in
# the stream recorded between qemu and passt: the 65480 bytes at one
# sequence number, their last 28994 bytes those of the next segment; the
# cut was at 36544 bytes, where the kernel starts a second buffer of the
# UNIX stream). A frame that fits in one such buffer (over
# 32 KiB) is sent whole or not at all, so -m 32000 avoids it; -netdev,
# without a hub, is not affected.
# Then, without a guest: the options qrap passes on to qemu (a stand-in
# printing them), with and without the user's own, and its error when no
# passt answers.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../qemu_guest.sh"

need_root
need_bin
[ -x "${TEST_TOP}/qrap" ] || skip "no qrap binary at ${TEST_TOP}/qrap"
need_cmd /usr/bin/qrap
QRAP="${TEST_TOP}/qrap"
qemu_setup
QEMU_QRAP_MIB=2

export -f wait_for wait_file

# qrap_boot() - Boot the guest through a qrap, with passt (-m QEMU_MTU), in
# H1 with a private /tmp; the console is ${TMP}/TAG.console.log
# $1:	boot tag
# $2..:	qrap command line; QEMU in it stands for qemu's command and its
#	common arguments
# Sets BOOT_PID to the background job
qrap_boot() {
	local t="$1" a cmd=()
	shift

	qemu_servers_start "${t}" "${QEMU_QRAP_MIB}"
	for a in "$@"; do
		if [ "${a}" = "QEMU" ]; then
			mapfile -t -O "${#cmd[@]}" cmd < <(qemu_cmd "${t}")
		else
			cmd+=("${a}")
		fi
	done
	bg_start "${TMP}/${t}.console.log" qemu_h1_private bash -c '
		"$1" -f --one-off --stats 1 -t 7101 -u 7102 -m "$4" > "$2" 2>&1 &
		echo $! > "$3"
		wait_file /tmp/passt_1.socket || exit 1
		shift 4
		exec timeout 180 "$@"' _ "${PASST}" "${TMP}/${t}.passt.log" \
		"${TMP}/${t}.passt.pid" "${QEMU_MTU}" "${cmd[@]}"
	BOOT_PID="${BG_PID}"
}

# qrap_boot_check() - Drive and check one boot
# $1:	boot tag
qrap_boot_check() {
	local pid

	qemu_guest_run "$1" "${BOOT_PID}"
	qemu_guest_checks "$1" "${BOOT_PID}" "${TMP}/$1.passt.log"
	pid="$(cat "${TMP}/$1.passt.pid" 2>/dev/null)"
	check "$1: passt exited when the guest left (--one-off)" \
		wait_gone "${pid:-0}"
	# A failed boot's passt may never have had a guest: stop it, by PID,
	# so that the next boot's passt gets ports 7101 and 7102
	[ -n "${pid}" ] && lib_kill_list "${pid}"
	grep -v '^GUEST' "${TMP}/$1.console.log" | grep "Connected to" |
		sed "s/^/    $1: /"
}

qrap_boot netdev "${QRAP}" 5 QEMU -netdev socket,id=n0,fd=5 \
	-device virtio-net-pci,netdev=n0
qrap_boot_check netdev

QEMU_MTU=32000
qrap_boot legacy "${QRAP}" --socket /tmp/passt_1.socket 5 QEMU \
	-net socket,fd=5 -net nic,model=virtio
qrap_boot_check legacy
QEMU_MTU=65520

qrap_boot upstream /usr/bin/qrap 5 QEMU -netdev socket,id=n0,fd=5 \
	-device virtio-net-pci,netdev=n0
qrap_boot_check upstream

# ---- qrap's arguments for qemu, without a guest -----------------------------

STAND="${TMP}/bin"
mkdir -p "${STAND}"
cat > "${STAND}/qemu-system-x86_64" <<'EOF2'
#!/bin/sh
echo "ARGS: $*"
for fd in 5 6; do echo "FD $fd: $(readlink /proc/$$/fd/$fd)"; done
EOF2
chmod 755 "${STAND}/qemu-system-x86_64"

# qrap_args() - Run our qrap against a fresh passt (-1), qemu a stand-in
# printing its arguments and what descriptors 5 and 6 are
# $1:	output file
# $2:	"passt" to start passt first, "none" not to
# $3..:	qrap's command line
qrap_args() {
	local out="$1" start="$2"
	shift 2

	qemu_h1_private bash -c '
		if [ "$1" = passt ]; then
			"$2" -f -1 > /dev/null 2>&1 &
			wait_file /tmp/passt_1.socket || exit 1
		fi
		PATH="$3:${PATH}"
		shift 3
		exec timeout 10 "$@"' _ "${start}" "${PASST}" "${STAND}" \
		"$@" > "${out}" 2>&1
	echo "rc $?" >> "${out}"
}

# args_are() - Check the stand-in's arguments and its descriptor FD
# $1:	output of qrap_args()
# $2:	arguments expected
# $3:	descriptor that must be a socket
args_are() {
	grep -qxF "ARGS: $2" "$1" && grep -qE "^FD $3: socket:" "$1" ||
		{ cat "$1"; return 1; }
}

R="${TMP}/args"
qrap_args "${R}.0" passt /usr/bin/qrap 5 qemu-system-x86_64 a \
	-netdev socket,id=n0,fd=5 -device virtio-net-pci,netdev=n0
check "upstream's qrap, the upstream boot's -netdev and -device: kept" \
	args_are "${R}.0" "a -netdev socket,id=n0,fd=5 -device virtio-net-pci,netdev=n0" 5
qrap_args "${R}.1" passt "${QRAP}" 5 qemu-system-x86_64 a
check "qrap FDNUM, no network options: its own back-end and device" \
	args_are "${R}.1" "a -netdev socket,fd=5,id=hostnet0 -device virtio-net-pci,netdev=hostnet0" 5
qrap_args "${R}.2" passt "${QRAP}" 5 qemu-system-x86_64 a \
	-netdev socket,id=n0,fd=5 -device virtio-net-pci,netdev=n0
check "qrap FDNUM, the user's -netdev and -device: passed on as given" \
	args_are "${R}.2" "a -netdev socket,id=n0,fd=5 -device virtio-net-pci,netdev=n0" 5
qrap_args "${R}.3" passt "${QRAP}" 5 qemu-system-x86_64 a -net socket,fd=5
check "qrap FDNUM, -net socket without a NIC: -net nic added" \
	args_are "${R}.3" "a -net socket,fd=5 -net nic,model=virtio" 5
qrap_args "${R}.4" passt env PASST_SOCKET=/tmp/passt_1.socket \
	"${QRAP}" 6 qemu-system-x86_64 a -netdev socket,fd=6,id=x
check "qrap FDNUM 6, \$PASST_SOCKET, -netdev alone: a device added for it" \
	args_are "${R}.4" "a -netdev socket,fd=6,id=x -device virtio-net-pci,netdev=x" 6
qrap_args "${R}.5" passt "${QRAP}" a -netdev user,id=u -device e1000,netdev=u -m 64
check "qrap without FDNUM: qemu found, conflicting options replaced" \
	args_are "${R}.5" "a -m 64 -netdev socket,fd=5,id=hostnet0 -device virtio-net-pci,netdev=hostnet0" 5
qrap_args "${R}.6" none "${QRAP}" 5 qemu-system-x86_64 a
check_grep "qrap, no passt: one line saying so" "${R}.6" \
	"^No passt instance answered at /tmp/passt_1.socket to /tmp/passt_64.socket$"
check_grep "qrap, no passt: exit status 1" "${R}.6" "^rc 1$"
check "qrap, no passt: qemu not run" bash -c "! grep -q ARGS '${R}.6'"

test_done
