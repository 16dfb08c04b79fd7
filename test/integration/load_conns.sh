#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/load_conns.sh - pasta: 10,000 TCP connections at once
#
# In a sandbox (see test/lib.sh), pasta runs in H1 with a soft descriptor
# limit of 1024 and the hard limit this test runs under; it must raise the
# soft limit to the hard one at start-up. From the namespace,
# test/tools/load_peer opens 10,000 connections to a server in H2 ("the
# internet", 198.51.100.1: the tap path, not the splice path), all of them
# established before any sends, and only once every one of them has echoed
# its own 1,000 bytes (a pattern seeded by the connection's number, checked
# byte for byte by the server and again by the client) are they closed.
# The server reports how many were open at once.
#
# pasta holds one descriptor per tap connection, its socket (timers share
# one timerfd): where the hard limit is too low for 10,000 of them and a
# margin for set-up, the test takes as many as fit and says so.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss prlimit timeout

LOAD="$(build_tool load_peer)" || skip "can't build load_peer"

WANT=10000
HARD="$(ulimit -Hn)"
N="${WANT}"
[ "${HARD}" != "unlimited" ] && [ $((WANT + 400)) -gt "${HARD}" ] &&
	N=$((HARD - 400))
[ "${N}" -lt "${WANT}" ] &&
	echo "# descriptor hard limit ${HARD}: ${N} connections, not ${WANT}"

sandbox_create || skip "can't create sandbox"
S4=198.51.100.1

bg_start "${TMP}/server.log" h2 timeout 150 "${LOAD}" server "${S4}" 7101
wait_port "${H2}" tcp 7101

bg_start "${TMP}/pasta.log" h1 prlimit --nofile="1024:${HARD}" timeout 150 \
	"${PASTA}" --config-net -P "${TMP}/pasta.pid" -- sh -c "
	ulimit -n ${HARD}
	timeout 120 ${LOAD} hold ${S4} 7101 ${N} 1000 > ${TMP}/hold.out
	echo \$? > ${TMP}/hold.rc
	"
wait_for test -s "${TMP}/pasta.pid"
grep 'open files' "/proc/$(cat "${TMP}/pasta.pid")/limits" > "${TMP}/limits"
WAIT_TRIES=1300 WAIT_STEP=0.1 wait_file "${TMP}/hold.rc"

check_grep "pasta raised its soft descriptor limit to the hard one" \
	"${TMP}/limits" "^Max open files +${HARD} +${HARD} "
check_eq "${N} connections held at once, each echoed its own bytes" \
	"$(cat "${TMP}/hold.out" 2>/dev/null)" "held ${N} echoed ${N}"
check_eq "client: all checks passed" "$(cat "${TMP}/hold.rc" 2>/dev/null)" 0
wait_for grep -q "^peak" "${TMP}/server.log"
check_grep "server: ${N} open at once, every byte as sent" \
	"${TMP}/server.log" "^peak ${N} good ${N} bad 0$"
echo "# server: $(tail -n 1 "${TMP}/server.log")"

test_done
