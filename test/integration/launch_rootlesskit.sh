#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/launch_rootlesskit.sh - pasta as rootlesskit runs it
#
# rootlesskit's parent runs as the user, in the host's namespaces; its
# child is root of a new user namespace. The parent runs, waits for and
# reads to the end (combined output) its pasta driver's command:
#
#   pasta --stderr --ns-ifname=tap0 --mtu=65520 --config-net
#         --address=10.0.2.100 --netmask=24 --gateway=10.0.2.2
#         --dns-forward=10.0.2.3 --no-map-gw --ipv4-only
#         --tcp-ports=none --udp-ports=none PID
#
# with PID the child, in a network namespace of its own. With
# --detach-netns the child stays in the host's network namespace and binds
# a new one to a file in its own mount namespace; the command's last
# arguments are then --userns=/proc/PID/ns/user
# --netns=/proc/PID/root/STATEDIR/netns. With implicit port forwarding,
# --tcp-ports=auto --udp-ports=auto replace the "none" pair.
#
# In a sandbox (see test/lib.sh), launcher_start plays the child in H1, as
# the test user. For both forms, as soon as the command returns: tap0 with
# 10.0.2.100/24, MTU 65520, default route via 10.0.2.2, no global IPv6
# address (IPv4 only); then bytes compared end to end: TCP and UDP echoes
# from the child's namespace to H2, DNS through 10.0.2.3 to the stub
# resolver in H2 (H1's resolv.conf). The child going away ends pasta
# (bounded poll). With "auto" (the PID form): a TCP and a UDP server
# started in the namespace after pasta are reachable from H2 and from H1's
# loopback within the scan period, and the TCP port is released once the
# server stops (bounded polls), after which connections are refused.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout nsenter unshare setpriv

ECHO="$(build_tool udp_echo)" || { echo "cannot build udp_echo"; exit 1; }
DATA="${TMP}/data"
head -c $((1 << 20)) /dev/urandom > "${DATA}"

sandbox_create
userns_ok || { check "the test user may create user namespaces" false;
	       test_done; }
tcp_echo_server "${H2}" 7000
bg_start "${TMP}/h2udp.log" h2 "${ECHO}" server 198.51.100.1 7000
bg_start "${TMP}/dns.log" h2 "${ECHO}" dns 192.0.2.254 53 192.0.2.77
wait_port "${H2}" tcp 7000
wait_port "${H2}" udp 7000
wait_port "${H2}" udp 53

# rk_pasta() - Run pasta as rootlesskit's parent does: as the user, in H1
# $1:	label, for output files
# $2..:	last arguments: port options, then the PID or --userns, --netns
rk_pasta() {
	local l="$1"
	shift

	launcher_run "${TMP}/${l}.out" h1 setpriv --reuid="${TEST_USER}" \
		--regid="${TEST_USER}" --init-groups -- \
		timeout 30 "${PASTA}" --stderr --ns-ifname=tap0 --mtu=65520 \
		--config-net --address=10.0.2.100 --netmask=24 \
		--gateway=10.0.2.2 --dns-forward=10.0.2.3 --no-map-gw \
		--ipv4-only "$@"
	check_eq "${l}: pasta returns 0, its output ends" "$?" 0 ||
		sed 's/^/    pasta: /' "${TMP}/${l}.out"
}

# rk_checks() - Check the child's namespace: set-up and data
# $1:	label
rk_checks() {
	local l="$1"

	ctr ip -o addr show > "${TMP}/${l}.addr"
	ctr ip -o link show > "${TMP}/${l}.link"
	ctr ip -4 route show > "${TMP}/${l}.route"
	check_grep "${l}: tap0 with 10.0.2.100/24" "${TMP}/${l}.addr" \
		"tap0 +inet 10\\.0\\.2\\.100/24 "
	check_grep "${l}: tap0 MTU 65520" "${TMP}/${l}.link" \
		"tap0: .* mtu 65520 "
	check_grep "${l}: default route via 10.0.2.2" "${TMP}/${l}.route" \
		"^default via 10\\.0\\.2\\.2 dev tap0"
	check "${l}: --ipv4-only: no global IPv6 address" \
		sh -c "! grep -q 'inet6 .* scope global' '${TMP}/${l}.addr'"
	check "${l}: TCP to H2, 1 MiB echoed" \
		tcp_echo_ok "${LAUNCHER_NS}" 198.51.100.1 7000 "${DATA}"
	check "${l}: UDP to H2, 200 datagrams echoed" \
		ctr timeout 30 "${ECHO}" client 198.51.100.1 7000 200 0
	ctr timeout 10 "${ECHO}" dnsq 10.0.2.3 53 example.org \
		> "${TMP}/${l}.dns" 2>&1
	check_grep "${l}: DNS through 10.0.2.3 answered by H1's resolver" \
		"${TMP}/${l}.dns" "^192\\.0\\.2\\.77$"
}

# rk_pasta_pid() - PID of the pasta holding a network namespace open
# $1:	namespace (see ns_run), a file or /proc/PID/ns/net
rk_pasta_pid() {
	local ino bin p f

	ino="$(stat -L -c %i "$1")"
	bin="$(readlink -f "${PASST}")"
	for p in $(ls /proc | grep -E '^[0-9]+$'); do
		[ "$(readlink "/proc/${p}/exe" 2>/dev/null)" = "${bin}" ] ||
			continue
		for f in "/proc/${p}/fd/"*; do
			[ "$(stat -L -c %i "${f}" 2>/dev/null)" = "${ino}" ] &&
				echo "${p}" && return
		done
	done
}

# Form 1: the child's PID
launcher_start - || { check "child namespaces set up" false; test_done; }
rk_pasta pid --tcp-ports=none --udp-ports=none "${LAUNCHER_PID}"
rk_checks pid
PASTA_PID="$(rk_pasta_pid "${LAUNCHER_NS}")"
check "pid: pasta found in the background" kill -0 "${PASTA_PID:-x}"
bg_stop "${LAUNCHER_JOB}"
WAIT_TRIES=100 WAIT_STEP=0.05 check "pid: pasta exits when the child does" \
	wait_gone "${PASTA_PID:-x}"

# Form 2: --detach-netns
mkdir -p "${TMP}/state" && chmod 0777 "${TMP}/state"
launcher_start "${TMP}/state/netns" ||
	{ check "detached namespace set up" false; test_done; }
rk_pasta detached --tcp-ports=none --udp-ports=none \
	--userns="/proc/${LAUNCHER_PID}/ns/user" --netns="${LAUNCHER_NS}"
rk_checks detached
PASTA_PID="$(rk_pasta_pid "${LAUNCHER_NS}")"
check "detached: pasta found in the background" kill -0 "${PASTA_PID:-x}"
[ -n "${PASTA_PID}" ] && kill "${PASTA_PID}"
WAIT_TRIES=100 WAIT_STEP=0.05 wait_gone "${PASTA_PID:-x}"
bg_stop "${LAUNCHER_JOB}"

# Implicit port forwarding: "auto" both ways, the child's PID
launcher_start - || { check "child namespaces set up again" false; test_done; }
rk_pasta auto --tcp-ports=auto --udp-ports=auto "${LAUNCHER_PID}"

bg_start "${TMP}/auto.log" ctr socat -t 30 TCP6-LISTEN:7100,reuseaddr,fork EXEC:cat
AUTO_JOB="${BG_PID}"
bg_start "${TMP}/autou.log" ctr "${ECHO}" server 0.0.0.0 7101
check "auto: TCP 7100, bound after pasta started, appears in H1" \
	wait_port "${H1}" tcp 7100
check "auto: UDP 7101 appears in H1" wait_port "${H1}" udp 7101
check "auto: TCP 7100 from H2, 1 MiB echoed" \
	tcp_echo_ok "${H2}" 192.0.2.1 7100 "${DATA}"
check "auto: TCP 7100 from H1's loopback, 1 MiB echoed" \
	tcp_echo_ok "${H1}" 127.0.0.1 7100 "${DATA}"
check "auto: UDP 7101 from H2, 200 datagrams echoed" \
	h2 timeout 30 "${ECHO}" client 192.0.2.1 7101 200 0
bg_stop "${AUTO_JOB}"
check "auto: TCP 7100 released once the server stopped" \
	wait_for sh -c "[ -z \"\$(ss -N '${H1}' -Hltn 'sport = :7100')\" ]"
check "auto: TCP 7100 then refused from H2" \
	sh -c "! ip netns exec '${H2}' timeout 10 socat -u \
		TCP:192.0.2.1:7100 STDOUT"

test_done
