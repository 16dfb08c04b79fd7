#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/seccomp.sh - The seccomp filter is on once set-up is done
#
# After start-up, /proc/PID/status of the process running the loop shows
# "Seccomp: 2" (filter mode), one filter, and "NoNewPrivs: 1", for passt in
# the foreground and as a daemon (the filter is installed after the fork),
# and for pasta as root and as an unprivileged user (in pasta itself, not
# in the command it spawned, which runs unfiltered). Traffic then still
# flows: an ARP exchange with passt (asked again if late, but none of its
# replies dropped: tap_drop_out and tap_drop_oneoff stay 0), and with
# pasta pings to the gateway from its namespace, 3 replies intact in at
# most 3 runs while pasta's counters for a lost echo stay still (lib.sh
# ping_checked), and an exit status passed through. That a call outside
# the list kills the process is shown by test/unit/seccomp.c; that the
# list is complete, by the whole suite running with the filter on.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ping cc setpriv nsenter awk tac

QC="$(build_tool qemu_client)" || { echo "cannot build qemu_client"; exit 1; }

# sandboxed() - Check a process's status for the installed filter
# $1:	PID
sandboxed() {
	grep -Eq '^Seccomp:[[:space:]]+2$' "/proc/$1/status" &&
	grep -Eq '^Seccomp_filters:[[:space:]]+1$' "/proc/$1/status" &&
	grep -Eq '^NoNewPrivs:[[:space:]]+1$' "/proc/$1/status"
}

# check_sandboxed() - Wait for the filter on a process, show its status
# $1:	label
# $2:	PID
check_sandboxed() {
	check "$1: Seccomp 2, one filter, NoNewPrivs 1" \
		wait_for sandboxed "$2" ||
		grep -E '^(Name|Seccomp|NoNewPrivs)' "/proc/$2/status"
}

# find_comm() - Print the PID of the process named $2 under PID $1
# $1:	PID of the tree's root
# $2:	command name (passt.asan, pasta.asan for the ASan build)
find_comm() {
	local pid

	for pid in $(lib_tree "$1"); do
		if [ "$(cat "/proc/${pid}/comm" 2>/dev/null)" = "$2" ]; then
			echo "${pid}"
			return 0
		fi
	done
	return 1
}

# pasta_script() - Command for pasta: say it runs, wait for the "go" file
# (the test pings from its namespace meanwhile), exit 7
# $1:	directory for the "ready" and "go" files
pasta_script() {
	cat <<EOF
touch $1/ready
i=0
while [ ! -e $1/go ] && [ \$i -lt 1000 ]; do sleep 0.05; i=\$((i + 1)); done
exit 7
EOF
}

# check_pasta() - Run pasta in the background, check its filter, release it
# $1:	"root" or "user"
check_pasta() {
	local who="$1" dir="${TMP}/pasta_$1" pid sh

	mkdir -p "${dir}"
	chmod 0777 "${dir}"
	if [ "${who}" = "user" ]; then
		PASTA_TIMEOUT=60 bg_start "${dir}/pasta.log" pasta_h1_user \
			--stats 1 -- sh -c "$(pasta_script "${dir}")"
	else
		PASTA_TIMEOUT=60 bg_start "${dir}/pasta.log" pasta_h1 \
			--stats 1 -- sh -c "$(pasta_script "${dir}")"
	fi
	check "pasta ${who}: command ran" wait_file "${dir}/ready"
	pid="$(find_comm "${BG_PID}" "${PASTA##*/}")"
	check "pasta ${who}: process found" test -n "${pid}"
	if [ -n "${pid}" ]; then
		sh="$(find_comm "${pid}" sh)"
		check_sandboxed "pasta ${who}" "${pid}"
		check "pasta ${who}: its command isn't filtered" \
			grep -Eq '^Seccomp:[[:space:]]+0$' "/proc/${sh}/status"
		ping_checked "pasta ${who}: ping through the filtered pasta" \
			"${dir}/pasta.log" "${sh}" "${dir}/ping" 192.0.2.254
	fi
	touch "${dir}/go"
	wait "${BG_PID}"
	check_eq "pasta ${who}: command's exit status passed through" "$?" 7 ||
		tail -n 20 "${dir}/pasta.log"
}

sandbox_create

# passt in the foreground
SOCK="${TMP}/passt.sock"
bg_start "${TMP}/passt.log" h1 "${PASST}" -f -s "${SOCK}" --stats 1
check "passt: socket created" wait_file "${SOCK}" ||
	{ cat "${TMP}/passt.log"; test_done; }
PASST_PID="$(find_comm "${BG_PID}" "${PASST##*/}")"
check "passt: process found" test -n "${PASST_PID}"
[ -n "${PASST_PID}" ] && check_sandboxed "passt" "${PASST_PID}"
# An answer late under load is asked again (at most 20 tries), while
# passt must not have dropped one (tap_drop_out, tap_drop_oneoff)
WAIT_TRIES=20 check "passt: ARP answered under the filter" \
	wait_for "${QC}" -t 1 arp "${SOCK}" 192.0.2.254 192.0.2.1
stats_fresh "${TMP}/passt.log"
check "passt: no ARP reply dropped (tap_drop_out, tap_drop_oneoff)" \
	counters_zero "$(stats_snap "${TMP}/passt.log" |
			 grep -E '^tap_drop_(out|oneoff) ')"
check "passt: still running" kill -0 "${PASST_PID}"

# passt as a daemon: the filter is installed in the forked process
SOCKD="${TMP}/daemon.sock"
PIDFILE="${TMP}/passt.pid"
h1 timeout 20 "${PASST}" -s "${SOCKD}" -P "${PIDFILE}" > "${TMP}/d.log" 2>&1
wait_for test -s "${PIDFILE}"
DPID="$(cat "${PIDFILE}" 2>/dev/null)"
case "${DPID}" in
''|*[!0-9]*) DPID="" ;;
*) cleanup_pid "${DPID}" ;;
esac
check "passt daemon: PID file holds a PID" test -n "${DPID}"
if [ -n "${DPID}" ]; then
	check_sandboxed "passt daemon" "${DPID}"
	WAIT_TRIES=20 check "passt daemon: ARP answered under the filter" \
		wait_for "${QC}" -t 1 arp "${SOCKD}" 192.0.2.254 192.0.2.1
	kill "${DPID}"
	check "passt daemon: exits on SIGTERM" wait_gone "${DPID}"
fi

check_pasta root
check_pasta user

test_done
