#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/readme_run.sh - The README's build-and-run command, as a
# newcomer types it, on a clean clone
#
# The README promises two commands: one builds and starts a pasta shell, one
# (make check) runs every test; .ci/run runs the second on a clean clone, and
# this test the first. It takes the command from README.md itself (the
# indented line after "## Build and run"), runs it in a fresh clone of HEAD
# inside a sandbox's H1 (so the shell's namespace copies the sandbox's
# addresses, nothing of the machine's), feeds the shell a script on its
# standard input as a user would type it, and checks what the script saw:
# the copied address and route, and a file fetched from H2 (198.51.100.1) through the tap
# path, its sha256 compared with the original.

. "$(dirname "$0")/../lib.sh"

need_root
need_cmd git make cc ip socat sha256sum timeout

CMD="$(sed -n '/^## Build and run/,/^## /s/^    \(make .*\)$/\1/p' \
	"${TEST_TOP}/README.md" | head -n 1)"
check "README has a build-and-run command" test -n "${CMD}"
check "it builds and starts pasta" \
	sh -c 'case "$1" in make*pasta*) exit 0 ;; esac; exit 1' - "${CMD}"

# A clean clone of what is committed, as a newcomer would have it
CLONE="${TMP}/clone"
check "clean clone of HEAD" git clone -q --no-local "${TEST_TOP}" "${CLONE}"
git -C "${CLONE}" checkout -q "$(git -C "${TEST_TOP}" rev-parse HEAD)"

sandbox_create || { echo "can't create sandbox"; exit 1; }

head -c $((2 * 1024 * 1024)) /dev/urandom > "${TMP}/blob"
SUM="$(sha256sum < "${TMP}/blob")"
bg_start "${TMP}/socat.log" h2 socat -u OPEN:"${TMP}/blob" TCP-LISTEN:8099,reuseaddr,fork
wait_port "${H2}" tcp 8099

OUT="${TMP}/out"
mkdir -p "${OUT}"
chmod 0777 "${OUT}"

# What a user types into the shell the command starts
cat > "${TMP}/typed" <<EOF
ip -o -4 addr show > ${OUT}/addr
ip -4 route show > ${OUT}/route
socat -u TCP:198.51.100.1:8099 CREATE:${OUT}/fetched
exit
EOF

(cd "${CLONE}" && h1 timeout 300 sh -c "${CMD}") < "${TMP}/typed" \
	> "${TMP}/run.log" 2>&1
RC=$?
check_eq "command exits 0 after the shell's exit" "${RC}" 0 ||
	tail -n 20 "${TMP}/run.log"
check "the clone built passt and the pasta link" \
	test -x "${CLONE}/passt" -a -L "${CLONE}/pasta"
check_grep "shell saw the copied address" "${OUT}/addr" \
	"inet 192\\.0\\.2\\.1/24"
check_grep "shell saw the copied default route" "${OUT}/route" \
	"^default via 192\\.0\\.2\\.254"
check "a file fetched from H2 arrives whole" \
	sum_is "${OUT}/fetched" "${SUM}"

test_done
