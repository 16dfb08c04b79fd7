#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/startup_errors.sh - Start-up errors users meet, one line
#
# Each failure a user or a launcher commonly runs into must end pasta with
# exit status 1 and one line on standard error naming the object and the
# reason, with a hint where one helps. Checked word for word, in a sandbox
# (see test/lib.sh):
#   - --netns PATH that doesn't exist, and one the user may not open
#   - user namespaces refused: the limit at 0 (ENOSPC), and a user without
#     a mapping in its own namespace (EPERM)
#   - /dev/net/tun missing in the namespace (a private mount hides it), and
#     a /dev/net/tun that isn't the tun device
#   - a -t port another process listens on (which port, which address,
#     which protocol), and a privileged port for an unprivileged user
# And the one that is no error: a host with no template interface runs in
# local mode, said at info level only (-q prints nothing, exit 0).

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd unshare setpriv socat

sandbox_create
user_setup || skip "can't create the test user"

# expect_err() - Run a command in H1: exit 1, exactly one expected line
# $1:	description
# $2:	expected standard error
# $3..:	command
expect_err() {
	local desc="$1" want="$2" rc
	shift 2

	h1 timeout 20 "$@" > "${TMP}/out" 2> "${TMP}/err" < /dev/null
	rc=$?
	# The ASan runtime may add a three-line notice when die() runs on
	# the stack of a clone()d set-up child: not ours, not compared
	check_eq "${desc}: message" "$(grep -v -e '^No IPv[46] template' \
		-e '^==[0-9]*==WARNING: ASan is ignoring requested' \
		-e '^False positive error reports may follow$' \
		-e '^For details see https://github.com/google/sanitizers/' \
		"${TMP}/err")" "${want}"
	check_eq "${desc}: exit status" "${rc}" 1
}

expect_err "--netns PATH missing" \
	"Can't open network namespace ${TMP}/nons: No such file or directory (gone, or never bound there?)" \
	"${PASTA}" -q --netns "${TMP}/nons"

touch "${TMP}/closed"
chmod 0600 "${TMP}/closed"
expect_err "--netns PATH not readable" \
	"Can't open network namespace ${TMP}/closed: Permission denied (check its permissions and owner; an SELinux or AppArmor policy may deny it)" \
	setpriv --reuid="${TEST_USER}" --regid="${TEST_USER}" --init-groups \
	-- "${PASTA}" -q --netns "${TMP}/closed"

HINT="(unprivileged user namespaces may be disabled or restricted: see sysctl kernel.unprivileged_userns_clone, user.max_user_namespaces, and on Ubuntu kernel.apparmor_restrict_unprivileged_userns)"

expect_err "user namespaces limited to 0" \
	"Can't create user and network namespaces: No space left on device (limit reached: see sysctl user.max_user_namespaces)" \
	unshare -Ur sh -c 'echo 0 > /proc/sys/user/max_user_namespaces &&
		exec "$0" -q --config-net -- true' "${PASTA}"

expect_err "user namespace refused (no mapping)" \
	"Can't create user and network namespaces: Operation not permitted ${HINT}" \
	setpriv --reuid="${TEST_USER}" --regid="${TEST_USER}" --init-groups \
	-- unshare -U "${PASTA}" -q --config-net -- true

expect_err "/dev/net/tun missing" \
	"Can't open /dev/net/tun in the namespace: No such file or directory (is the tun module loaded, and the device readable and writable for us? containers need it passed in)" \
	unshare -m --propagation private sh -c \
	'mount -t tmpfs none /dev/net && exec "$0" -q --config-net -- true' \
	"${PASTA}"

expect_err "/dev/net/tun not the tun device" \
	"Can't create tap device up0 in the namespace: Inappropriate ioctl for device" \
	unshare -m --propagation private sh -c \
	'mount --bind /dev/null /dev/net/tun &&
	 exec "$0" -q --config-net -- true' "${PASTA}"

bg_start "${TMP}/busy.log" h1 timeout 60 socat \
	TCP4-LISTEN:7401,bind=192.0.2.1,reuseaddr STDOUT
wait_port "${H1}" tcp 7401
expect_err "-t port in use" \
	"Can't listen on TCP port 7401, IPv4 0.0.0.0 (for -t): Address already in use (another process listens there)" \
	"${PASTA}" -q --config-net -t 7401 -- true
expect_err "-t ADDR/port in use" \
	"Can't listen on TCP port 7401, IPv4 192.0.2.1 (for -t): Address already in use (another process listens there)" \
	"${PASTA}" -q --config-net -t 192.0.2.1/7401 -u none -- true
h1 sysctl -qw net.ipv4.ip_unprivileged_port_start=1024
expect_err "-t privileged port, unprivileged user" \
	"Can't listen on TCP port 80, IPv4 0.0.0.0 (for -t): Permission denied (a privileged port: see sysctl net.ipv4.ip_unprivileged_port_start)" \
	setpriv --reuid="${TEST_USER}" --regid="${TEST_USER}" --init-groups \
	-- "${PASTA}" -q --config-net -t 80 -u none -- true
lib_kill_pids

# No template interface: local mode, info level only
sandbox_destroy
sandbox_create --bare
h1 timeout 20 "${PASTA}" --config-net -- true > "${TMP}/out" 2> "${TMP}/err"
check_eq "no template: exit status" "$?" 0
check_grep "no template: local mode said" "${TMP}/err" \
	"^No IPv4 template interface: local mode"
h1 timeout 20 "${PASTA}" -q --config-net -- true > "${TMP}/out" 2> "${TMP}/err"
check_eq "no template, -q: exit status" "$?" 0
check "no template, -q: nothing printed (info level, not an error)" \
	sh -c "! test -s '${TMP}/err' || { cat '${TMP}/err'; false; }"

test_done
