#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/launch_podman5.sh - pasta as podman 5 runs it
#
# Rootless podman 5 runs as the user, root of a user namespace of its own
# with a private mount namespace, where it binds the container's network
# namespace to a file; there it runs, in this order, and waits for:
#
#   pasta --config-net --pid FILE -t 8080-8081:80-81
#         -t 192.0.2.1/9090-9090:90-90 --dns-forward 169.254.1.1 -u none
#         -T none -U none --no-map-gw --quiet --netns PATH
#         --map-guest-addr 169.254.1.2
#
# reading its output to the end. It retries without --map-guest-addr only
# if the error is getopt's own wording: here there must be no error at all.
# The container is ready when the command returns; containers reach the
# host as host.containers.internal, 169.254.1.2; the PID file is for
# SIGTERM at teardown.
#
# In a sandbox (see test/lib.sh), launcher_start builds that user, mount
# and bound network namespace in H1. Checked as soon as the command
# returns (no waiting): exit status 0 and nothing printed (--quiet); H1's
# addresses and routes in the container; ports bound in H1 (8080-8081 at
# any address, 9090 at 192.0.2.1 only); the PID file names the running
# pasta. Then, bytes compared end to end:
# - published ports through the tap, from H2: 8080 and 8081 over IPv4 and
#   IPv6, 9090 over IPv4; through loopback, from H1's 127.0.0.1 and ::1;
# - DNS through 169.254.1.1 to the stub resolver in H2 (H1's resolv.conf);
# - the host through 169.254.1.2: TCP echo from a server in H1, which sees
#   the connection arrive at H1's own address; UDP echo, replies from
#   169.254.1.2;
# - outbound TCP to H2, IPv4 and IPv6.
# Teardown: SIGTERM to the PID from the file ends pasta (bounded poll) and
# frees the ports.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout nsenter unshare setpriv

ECHO="$(build_tool udp_echo)" || { echo "cannot build udp_echo"; exit 1; }
DATA="${TMP}/data"
head -c $((1 << 20)) /dev/urandom > "${DATA}"
PIDF="${TMP}/pasta.pid"

sandbox_create
ip -n "${H2}" addr add 2001:db8:1::1/128 dev lo
ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
userns_ok || { check "the test user may create user namespaces" false;
	       test_done; }

# The host's services, and the stub resolver named by H1's resolv.conf
tcp_echo_server "${H1}" 7000
bg_start "${TMP}/where.log" h1 socat TCP-LISTEN:7001,fork,reuseaddr \
	SYSTEM:'echo $SOCAT_SOCKADDR'
bg_start "${TMP}/h1udp.log" h1 "${ECHO}" server 0.0.0.0 7002
tcp_echo_server "${H2}" 7003
bg_start "${TMP}/dns.log" h2 "${ECHO}" dns 192.0.2.254 53 192.0.2.77
for p in tcp/7000 tcp/7001 udp/7002; do
	wait_port "${H1}" "${p%/*}" "${p#*/}"
done
wait_port "${H2}" tcp 7003
wait_port "${H2}" udp 53

launcher_start "${TMP}/netns" ||
	{ check "launcher namespaces set up" false; test_done; }
# podman creates the PID file's directory, as the user
launcher_run "${TMP}/pasta.out" launcher timeout 30 "${PASTA}" \
	--config-net --pid "${PIDF}" -t 8080-8081:80-81 \
	-t 192.0.2.1/9090-9090:90-90 --dns-forward 169.254.1.1 -u none \
	-T none -U none --no-map-gw --quiet --netns "${TMP}/netns" \
	--map-guest-addr 169.254.1.2
check_eq "pasta returns 0, its output ends" "$?" 0
check_eq "--quiet: nothing printed" "$(cat "${TMP}/pasta.out")" ""

# Ready when the command returns
ctr ip -o addr show > "${TMP}/addr"
ctr ip -4 route show > "${TMP}/route4"
ctr ip -6 route show > "${TMP}/route6"
ss -N "${H1}" -Hltn > "${TMP}/listen"
check_grep "ready: IPv4 address in the container" "${TMP}/addr" \
	"up0 +inet 192\\.0\\.2\\.1/24 "
check_grep "ready: IPv6 address in the container" "${TMP}/addr" \
	"up0 +inet6 2001:db8::1/64 "
check_grep "ready: IPv4 default route" "${TMP}/route4" \
	"^default via 192\\.0\\.2\\.254 dev up0"
check_grep "ready: IPv6 default route" "${TMP}/route6" \
	"^default via 2001:db8::fe dev up0"
check_grep "ready: 8080 at any IPv4 address" "${TMP}/listen" \
	" 0\\.0\\.0\\.0:8080 "
check_grep "ready: 8081 at any IPv6 address" "${TMP}/listen" " \\[::\\]:8081 "
check_eq "ready: 9090 at 192.0.2.1 only" \
	"$(awk '$4 ~ /:9090$/ { print $4 }' "${TMP}/listen")" "192.0.2.1:9090"
PASTA_PID="$(cat "${PIDF}" 2>/dev/null)"
check "ready: the PID file names the running pasta" \
	test "$(readlink "/proc/${PASTA_PID:-x}/exe")" = "$(readlink -f "${PASST}")"

# Published ports
tcp_echo_server "${LAUNCHER_NS}" 80
tcp_echo_server "${LAUNCHER_NS}" 81
tcp_echo_server "${LAUNCHER_NS}" 90
for p in 80 81 90; do wait_port "${LAUNCHER_NS}" tcp "${p}"; done
check "tap: H2 to 192.0.2.1:8080, 1 MiB echoed" \
	tcp_echo_ok "${H2}" 192.0.2.1 8080 "${DATA}"
check "tap: H2 to 192.0.2.1:8081, 1 MiB echoed" \
	tcp_echo_ok "${H2}" 192.0.2.1 8081 "${DATA}"
check "tap: H2 to [2001:db8::1]:8080, 1 MiB echoed" \
	tcp_echo_ok "${H2}" "[2001:db8::1]" 8080 "${DATA}"
check "tap: H2 to 192.0.2.1:9090, 1 MiB echoed" \
	tcp_echo_ok "${H2}" 192.0.2.1 9090 "${DATA}"
check "loopback: H1 127.0.0.1:8080, 1 MiB echoed" \
	tcp_echo_ok "${H1}" 127.0.0.1 8080 "${DATA}"
check "loopback: H1 [::1]:8081, 1 MiB echoed" \
	tcp_echo_ok "${H1}" "[::1]" 8081 "${DATA}"

# DNS and the host
ctr timeout 10 "${ECHO}" dnsq 169.254.1.1 53 example.org > "${TMP}/dns" 2>&1
check_grep "DNS through 169.254.1.1, answered by H1's resolver" \
	"${TMP}/dns" "^192\\.0\\.2\\.77$"
check "host through 169.254.1.2: TCP, 1 MiB echoed" \
	tcp_echo_ok "${LAUNCHER_NS}" 169.254.1.2 7000 "${DATA}"
check_eq "host through 169.254.1.2: arrives at H1's own address" \
	"$(ctr timeout 10 socat -u TCP:169.254.1.2:7001 STDOUT)" "192.0.2.1"
check "host through 169.254.1.2: UDP, replies from 169.254.1.2" \
	ctr timeout 30 "${ECHO}" client 169.254.1.2 7002 200 0

# Outbound
check "outbound TCP to H2 over IPv4, 1 MiB echoed" \
	tcp_echo_ok "${LAUNCHER_NS}" 198.51.100.1 7003 "${DATA}"
check "outbound TCP to H2 over IPv6, 1 MiB echoed" \
	tcp_echo_ok "${LAUNCHER_NS}" "[2001:db8:1::1]" 7003 "${DATA}"

# Teardown
[ -n "${PASTA_PID}" ] && kill -TERM "${PASTA_PID}"
WAIT_TRIES=100 WAIT_STEP=0.05 check "SIGTERM to the PID ends pasta" \
	wait_gone "${PASTA_PID:-x}"
check "ports 8080, 8081, 9090 free in H1" \
	test -z "$(ss -N "${H1}" -Hltn \
		   'sport = :8080 or sport = :8081 or sport = :9090')"

test_done
