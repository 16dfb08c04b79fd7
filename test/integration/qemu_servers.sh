#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/qemu_servers.sh - Each guest boot talks to its own servers
#
# The guest tests (test/qemu_guest.sh) start, per boot, a receiver and a
# sender in H2 (qemu_servers_start) for the guest's upload and download.
# If a boot fails before its guest connects, those servers stay up: a later
# boot must not get the failed boot's data (passt_qrap once compared a
# guest's download with the data of an earlier boot that had failed). Here,
# without booting (the guest's side played by socat in H1, at the ports
# qemu_cmd puts on the guest's kernel command line, 7001 and 7002 if none):
# boot "a" starts its servers and fails (nobody connects); boot "b" starts
# its own; what the "guest" of b downloads must be b's data, what it
# uploads must land in b's file, and a's servers must be gone once b's
# have started. Then b ends (qemu_servers_stop): its servers
# are gone too.

. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../qemu_guest.sh"

need_root
need_cmd ip socat sha256sum

sandbox_create || { echo "cannot create the sandbox"; exit 1; }
KERNEL=/nonexistent
QEMU_INITRD=/nonexistent

# boot_port() - Port the guest of the last qemu_servers_start would use
# $1:	up or down
boot_port() {
	local p

	p="$(qemu_cmd x | sed -n "s/.*qemu_$1=\([0-9]*\).*/\1/p")"
	if [ -z "${p}" ]; then
		[ "$1" = up ] && p=7001 || p=7002
	fi
	echo "${p}"
}

# server_pids() - PIDs of the server jobs of the last qemu_servers_start
server_pids() {
	echo "${QEMU_UP_PID:-} ${QEMU_DOWN_PID:-}"
}

# all_gone() - Check that none of the PIDs given is alive
# $@:	PIDs
all_gone() {
	local pid

	for pid in "$@"; do
		kill -0 "${pid}" 2>/dev/null && return 1
	done
	return 0
}

qemu_servers_start a 1
A_PIDS="$(server_pids)"
check "boot a: its servers started" test -n "${QEMU_UP_PID:-}"
# Boot a fails here: no guest ever connects

qemu_servers_start b 1
B_PIDS="$(server_pids)"
# shellcheck disable=SC2086
check "boot b started: boot a's servers stopped, by PID" all_gone ${A_PIDS}
UP="$(boot_port up)"
DOWN="$(boot_port down)"
h1 timeout 30 socat -u "TCP:198.51.100.1:${DOWN}" \
	OPEN:"${TMP}/b.got",creat,trunc 2>/dev/null
check_eq "boot b: the download is b's data, not a's" \
	"$(sha256sum < "${TMP}/b.got")" "$(sha256sum < "${TMP}/b.mid")"
head -c 100000 /dev/urandom > "${TMP}/b.sent"
h1 timeout 30 socat -u OPEN:"${TMP}/b.sent" "TCP:198.51.100.1:${UP}" \
	2>/dev/null
WAIT_TRIES=100 WAIT_STEP=0.1 wait_gone "${QEMU_UP_PID}"
check_eq "boot b: the upload landed in b's file" \
	"$(cat "${TMP}/b.up" 2>/dev/null | sha256sum)" \
	"$(sha256sum < "${TMP}/b.sent")"

qemu_servers_stop
# shellcheck disable=SC2086
check "boot b ended: its servers stopped, by PID" all_gone ${B_PIDS}

test_done
