#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/launch_podman4.sh - pasta as podman 4 runs it
#
# Rootless podman 4 runs as the user, root of a user namespace of its own
# with a private mount namespace, where it binds the container's network
# namespace to a file; there it runs, and waits for, the command:
#
#   pasta --config-net -t 8080-8081:80-81 -u 5353-5353:53-53 -T none
#         -U none --no-map-gw --netns PATH
#
# (one -t or -u per published range, as [HostIP/]H-H+R-1:C-C+R-1), reading
# its output to the end. In a sandbox (see test/lib.sh), launcher_start
# builds that user, mount and bound network namespace in H1, and the test
# checks, as soon as the command returns (no waiting): the container has
# H1's addresses and routes, the ports are bound in H1; then, with echo
# servers in the container, bytes compared end to end:
# - TCP published ports from a remote client (H2) over the tap, IPv4 and
#   IPv6, both ports of the range, and from H1's loopback (splice);
# - UDP published port from H2, IPv4 and IPv6: replies from the address
#   and port the client sent to;
# - outbound from the container to H2, TCP, IPv4 and IPv6.
# Teardown as podman does it: the namespace file unmounted (lazily, pasta
# holds it open) and removed; pasta must exit within 5 s (bounded poll)
# and free the ports.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout nsenter unshare setpriv

ECHO="$(build_tool udp_echo)" || { echo "cannot build udp_echo"; exit 1; }
DATA="${TMP}/data"
head -c $((1 << 20)) /dev/urandom > "${DATA}"

sandbox_create
ip -n "${H2}" addr add 2001:db8:1::1/128 dev lo
ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
userns_ok || { check "the test user may create user namespaces" false;
	       test_done; }
launcher_start "${TMP}/netns" ||
	{ check "launcher namespaces set up" false; test_done; }

launcher_run "${TMP}/pasta.out" launcher timeout 30 "${PASTA}" \
	--config-net -t 8080-8081:80-81 -u 5353-5353:53-53 -T none -U none \
	--no-map-gw --netns "${TMP}/netns"
check_eq "pasta returns 0, its output ends" "$?" 0 ||
	sed 's/^/    pasta: /' "${TMP}/pasta.out"

# Ready when the command returns
ctr ip -o addr show > "${TMP}/addr"
ctr ip -4 route show > "${TMP}/route4"
ctr ip -6 route show > "${TMP}/route6"
check_grep "ready: IPv4 address in the container" "${TMP}/addr" \
	"up0 +inet 192\\.0\\.2\\.1/24 "
check_grep "ready: IPv6 address in the container" "${TMP}/addr" \
	"up0 +inet6 2001:db8::1/64 "
check_grep "ready: IPv4 default route" "${TMP}/route4" \
	"^default via 192\\.0\\.2\\.254 dev up0"
check_grep "ready: IPv6 default route" "${TMP}/route6" \
	"^default via 2001:db8::fe dev up0"
for p in tcp/8080 tcp/8081 udp/5353; do
	check "ready: ${p} bound in H1" \
		lib_port_listening "${H1}" "${p%/*}" "${p#*/}"
done
PASTA_PID="$(ss -N "${H1}" -Hltnp 'sport = :8080' |
	     grep -o 'pid=[0-9]*' | head -n 1 | cut -d= -f2)"
check "pasta runs in the background" kill -0 "${PASTA_PID:-x}"

# Servers in the container
tcp_echo_server "${LAUNCHER_NS}" 80
tcp_echo_server "${LAUNCHER_NS}" 81
bg_start "${TMP}/u4.log" ctr "${ECHO}" server 0.0.0.0 53
bg_start "${TMP}/u6.log" ctr "${ECHO}" server :: 53
wait_port "${LAUNCHER_NS}" tcp 80
wait_port "${LAUNCHER_NS}" tcp 81
wait_port "${LAUNCHER_NS}" udp 53

check "TCP 8080 from H2 over IPv4 reaches 80, 1 MiB echoed" \
	tcp_echo_ok "${H2}" 192.0.2.1 8080 "${DATA}"
check "TCP 8081 from H2 over IPv4 reaches 81, 1 MiB echoed" \
	tcp_echo_ok "${H2}" 192.0.2.1 8081 "${DATA}"
check "TCP 8080 from H2 over IPv6, 1 MiB echoed" \
	tcp_echo_ok "${H2}" "[2001:db8::1]" 8080 "${DATA}"
check "TCP 8080 from H1's 127.0.0.1, 1 MiB echoed" \
	tcp_echo_ok "${H1}" 127.0.0.1 8080 "${DATA}"
check "TCP 8081 from H1's ::1, 1 MiB echoed" \
	tcp_echo_ok "${H1}" "[::1]" 8081 "${DATA}"
check "UDP 5353 from H2 over IPv4 reaches 53, replies from 5353" \
	h2 timeout 30 "${ECHO}" client 192.0.2.1 5353 200 0
check "UDP 5353 from H2 over IPv6 reaches 53, replies from 5353" \
	h2 timeout 30 "${ECHO}" client 2001:db8::1 5353 200 0

# Outbound
tcp_echo_server "${H2}" 7000
wait_port "${H2}" tcp 7000
check "outbound TCP to H2 over IPv4, 1 MiB echoed" \
	tcp_echo_ok "${LAUNCHER_NS}" 198.51.100.1 7000 "${DATA}"
check "outbound TCP to H2 over IPv6, 1 MiB echoed" \
	tcp_echo_ok "${LAUNCHER_NS}" "[2001:db8:1::1]" 7000 "${DATA}"

# Teardown: podman unmounts (MNT_DETACH) and removes the namespace file
check "namespace file unmounted and removed" \
	launcher sh -c "umount -l '${TMP}/netns' && rm '${TMP}/netns'"
WAIT_TRIES=100 WAIT_STEP=0.05 check "pasta exits within 5 s" \
	wait_gone "${PASTA_PID:-x}"
check "ports 8080 and 5353 free in H1" \
	test -z "$(ss -N "${H1}" -Hlntu 'sport = :8080 or sport = :5353')"

test_done
