#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/load_slow.sh - pasta, passt: readers that go away for seconds
#
# In a sandbox (see test/lib.sh), with pasta in H1, two transfers of 2 GiB
# run at once over the tap path: from the namespace to a server in H2 ("the
# internet", 198.51.100.1), and from a server in H2 to the namespace. On
# either side the reader (test/tools/pause_cat behind socat) stops reading
# for 2 s after every 256 MiB: its receive buffer fills, the window closes,
# and pasta must pass the reopened window on at once when reading resumes,
# in both directions (users report transfers that hang there for good,
# podman#22593, #23681). Checked: not a byte lost (sha256 of the whole
# stream, computed as it arrives), and no read waited for data as long as
# one of the reader's own pauses. The longest wait is reported.
#
# SLOW_GIB (default 2), SLOW_EVERY_MIB (256) and SLOW_PAUSE_MS (2000) set
# the size and the pauses; test/soak/slow_reader.sh runs this with 10 GiB.
# SLOW_MODE=passt (load_slow_passt.sh) runs the same through passt, with
# test/tools/passt_tap and a namespace G as the guest.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout

PAUSE="$(build_tool pause_cat)" || skip "can't build pause_cat"
MODE="${SLOW_MODE:-pasta}"
[ "${MODE}" = "passt" ] &&
	{ PT="$(build_tool passt_tap)" || skip "can't build passt_tap"; }

GIB="${SLOW_GIB:-2}"
EVERY=$((${SLOW_EVERY_MIB:-256} << 20))
PAUSE_MS="${SLOW_PAUSE_MS:-2000}"
LIMIT=$((60 + GIB * 60))	# Bound for each transfer, seconds
CHUNK="${TMP}/chunk"
GEN="${TMP}/gen.sh"

# The stream: a 64 MiB random chunk, GIB * 16 times
head -c $((64 << 20)) /dev/urandom > "${CHUNK}"
printf 'for i in $(seq %s); do cat %s; done\n' $((GIB * 16)) "${CHUNK}" \
	> "${GEN}"

sandbox_create || skip "can't create sandbox"
[ "${MODE}" = "passt" ] && { guest_ns_create "pt-sg-$$" || exit 1; }
S4=198.51.100.1

# Reader in H2, pausing; writer in H2 (its tee sums the stream we expect)
bg_start "${TMP}/h2in.log" h2 timeout "${LIMIT}" sh -c "
	socat -u TCP-LISTEN:7201,reuseaddr STDOUT |
	${PAUSE} ${EVERY} ${PAUSE_MS} 2> ${TMP}/stats.h2 |
	sha256sum > ${TMP}/sum.h2.tmp && mv ${TMP}/sum.h2.tmp ${TMP}/sum.h2"
bg_start "${TMP}/h2out.log" h2 timeout "${LIMIT}" bash -c "
	sh ${GEN} | tee >(sha256sum > ${TMP}/sum.want.tmp) |
	socat -u STDIN TCP-LISTEN:7202,reuseaddr
	mv ${TMP}/sum.want.tmp ${TMP}/sum.want"
wait_port "${H2}" tcp 7201
wait_port "${H2}" tcp 7202

# The namespace's side: writer and pausing reader at once
NS_SCRIPT="
	(sh ${GEN} | timeout ${LIMIT} socat -u STDIN TCP:${S4}:7201) &
	timeout ${LIMIT} socat -u TCP:${S4}:7202 STDOUT |
		${PAUSE} ${EVERY} ${PAUSE_MS} 2> ${TMP}/stats.ns |
		sha256sum > ${TMP}/sum.ns
	wait
	for i in \$(seq 600); do [ -e ${TMP}/sum.h2 ] && break; sleep 0.1; done
"

if [ "${MODE}" = "passt" ]; then
	SOCK="${TMP}/passt.sock"
	bg_start "${TMP}/pasta.log" h1 timeout $((LIMIT + 30)) "${PASST}" -f \
		-s "${SOCK}" --stats 30
	PASST_JOB="${BG_PID}"
	wait_file "${SOCK}"
	bg_start "${TMP}/pt.log" g timeout $((LIMIT + 30)) "${PT}" "${SOCK}" tap0
	wait_for ip -n "${G}" link show tap0
	# A long queue stands in for a VM's virtio ring, see passt_tcp.sh
	ip -n "${G}" link set tap0 mtu 65520 txqueuelen 10000 up
	ip -n "${G}" addr add 192.0.2.1/24 dev tap0
	ip -n "${G}" route add default via 192.0.2.254 dev tap0
	g bash -c "${NS_SCRIPT}"
	kill "$(bg_leaf "${PASST_JOB}")"	# It prints its counters at exit
	wait_for grep -q "^TCP: conn" "${TMP}/pasta.log"
else
	PASTA_TIMEOUT=$((LIMIT + 30)) pasta_h1 --stats 30 -- \
		bash -c "${NS_SCRIPT}" > "${TMP}/pasta.log" 2>&1
fi

wait_file "${TMP}/sum.want"
wait_file "${TMP}/sum.h2"
WANT="$(cat "${TMP}/sum.want" 2>/dev/null)"
check_eq "${GIB} GiB to a pausing reader in H2, sha256 intact" \
	"$(cat "${TMP}/sum.h2" 2>/dev/null)" "${WANT:-none}"
check_eq "${GIB} GiB to a pausing reader in the namespace, sha256 intact" \
	"$(cat "${TMP}/sum.ns" 2>/dev/null)" "${WANT:-none}"

# slow_wait_ok() - Check that no read waited as long as one pause
# $1:	pause_cat's statistics line
slow_wait_ok() {
	local w

	w="$(sed -n 's/.*longest-wait \([0-9]*\) ms.*/\1/p' "$1")"
	[ -n "${w}" ] && [ "${w}" -lt "${PAUSE_MS}" ]
}

PAUSES=$((GIB * 1024 * 1024 * 1024 / EVERY))
check_grep "reader in H2 paused ${PAUSES} times" "${TMP}/stats.h2" \
	"^bytes $((GIB << 30)) pauses ${PAUSES} "
check_grep "reader in the namespace paused ${PAUSES} times" \
	"${TMP}/stats.ns" "^bytes $((GIB << 30)) pauses ${PAUSES} "
check "reader in H2: no wait for data as long as one pause" \
	slow_wait_ok "${TMP}/stats.h2"
check "reader in the namespace: no wait for data as long as one pause" \
	slow_wait_ok "${TMP}/stats.ns"
echo "# reader in H2: $(cat "${TMP}/stats.h2")"
echo "# reader in the namespace: $(cat "${TMP}/stats.ns")"
tcp_counters_note "${TMP}/pasta.log" "${GIB} GiB each way"

test_done
