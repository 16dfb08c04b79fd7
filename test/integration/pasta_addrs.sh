#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/pasta_addrs.sh - pasta: static addresses, --dns-forward
#
# In a sandbox (see test/lib.sh), pasta --config-net in H1, servers in H2
# (198.51.100.1 and 2001:db8:1::1 on its loopback):
#   - -a 192.0.2.77/24 alone: the namespace gets that IPv4 address and
#     prefix and still the host's IPv6 address (copied from the template),
#     and outbound TCP works in both families (1 MiB each, sha256 checked);
#     with -4 added, no global IPv6 address is configured at all
#   - -a 2001:db8::77/64 alone: IPv4 still copied from the host, both
#     families work
#   - static dual stack, -a 192.0.2.77/24 -a 2001:db8::77/64: outbound
#     IPv6 works (upstream pasta loses it, podman#29772), and IPv4
#   - --dns-forward 192.0.2.53 and 2001:db8::53: a query over UDP reaches
#     the host's resolver (a stub in H2 at the addresses of H1's
#     resolv.conf) and its answer comes back; a TCP connection to port 53
#     reaches the same resolver (an echo there: 1 MiB back, sha256 checked),
#     IPv4 and IPv6
#   - -t options with and without a bind address, as podman passes them
#     ("-t 7231-7231:81-81 -t 192.0.2.1/7232-7232:82-82"): each address
#     applies to its own ports only, the others listen on every address,
#     and data reaches the namespace through loopback and from H2.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout

ECHO="$(build_tool udp_echo)" || skip "can't build udp_echo"
DATA="${TMP}/data"
head -c $((1 << 20)) /dev/urandom > "${DATA}"
SUM="$(sha256sum < "${DATA}")"

sandbox_create || skip "can't create sandbox"
ip -n "${H2}" addr add 2001:db8:1::1/128 dev lo
ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
S4=198.51.100.1
S6=2001:db8:1::1

# h2_sinks() - Start one-shot TCP sinks in H2 for a run
# $1:	tag: files ${TMP}/TAG.4 and ${TMP}/TAG.6
# $2:	IPv4 port; IPv6 uses the next one
h2_sinks() {
	bg_start "${TMP}/$1.s4.log" h2 timeout 60 socat -u \
		"TCP4-LISTEN:$2,bind=${S4},reuseaddr" "OPEN:${TMP}/$1.4,creat,trunc"
	bg_start "${TMP}/$1.s6.log" h2 timeout 60 socat -u \
		"TCP6-LISTEN:$(($2 + 1)),bind=[${S6}],reuseaddr" \
		"OPEN:${TMP}/$1.6,creat,trunc"
	wait_port "${H2}" tcp "$2"
	wait_port "${H2}" tcp $(($2 + 1))
}

# wait_size_sh() - Shell snippet for the namespace: bounded wait until a file
# written by a peer in H2 is complete (pasta exits with its command, and
# data may still be on its way when the sending client exits)
# $1:	file
# $2:	size, bytes
wait_size_sh() {
	echo "for i in \$(seq 300); do
		[ \"\$(stat -c %s $1 2>/dev/null)\" = $2 ] && break; sleep 0.05
	done"
}

# run_static() - pasta with the given options: addresses seen in the
# namespace, then 1 MiB out to H2 over IPv4 and IPv6
# $1:	tag
# $2:	first of two ports
# $3..:	pasta options
run_static() {
	local t="$1" p="$2"
	shift 2

	h2_sinks "${t}" "${p}"
	pasta_h1 "$@" -- sh -c "
		ip -4 -o addr show scope global > ${TMP}/${t}.a4
		ip -6 -o addr show scope global > ${TMP}/${t}.a6
		timeout 20 socat -u OPEN:${DATA} TCP4:${S4}:${p}
		$(wait_size_sh "${TMP}/${t}.4" $((1 << 20)))
		timeout 20 socat -u OPEN:${DATA} TCP6:[${S6}]:$((p + 1))
		$(wait_size_sh "${TMP}/${t}.6" $((1 << 20)))
	" > "${TMP}/pasta.${t}.log" 2>&1
	wait_for sum_is "${TMP}/${t}.6" "${SUM}"
}

# ---- -a IPv4 only: IPv6 stays ----------------------------------------------

test_static4() {
	run_static s4 7201 -a 192.0.2.77/24
	check_grep "-a 192.0.2.77/24: the namespace has 192.0.2.77/24" \
		"${TMP}/s4.a4" "inet 192\.0\.2\.77/24 "
	check_grep "-a 192.0.2.77/24: the host's IPv6 address is still copied" \
		"${TMP}/s4.a6" "inet6 2001:db8::1/64 "
	check "-a 192.0.2.77/24: outbound IPv6 TCP, 1 MiB" \
		sum_is "${TMP}/s4.6" "${SUM}"
	check "-a 192.0.2.77/24: outbound IPv4 TCP, 1 MiB" \
		sum_is "${TMP}/s4.4" "${SUM}"
	lib_kill_pids

	pasta_h1 -4 -a 192.0.2.77/24 -- sh -c "
		ip -6 -o addr show scope global > ${TMP}/s4only.a6
		ip -4 -o addr show scope global > ${TMP}/s4only.a4
	" > "${TMP}/pasta.s4only.log" 2>&1
	check_grep "-4 -a 192.0.2.77/24: IPv4 configured" \
		"${TMP}/s4only.a4" "inet 192\.0\.2\.77/24 "
	check "-4 -a 192.0.2.77/24: no global IPv6 address" \
		sh -c "test -e '${TMP}/s4only.a6' && ! test -s '${TMP}/s4only.a6'"
}

# ---- -a IPv6 only: IPv4 stays ----------------------------------------------

test_static6() {
	run_static s6 7211 -a 2001:db8::77/64
	check_grep "-a 2001:db8::77/64: the namespace has 2001:db8::77/64" \
		"${TMP}/s6.a6" "inet6 2001:db8::77/64 "
	check_grep "-a 2001:db8::77/64: the host's IPv4 address is still copied" \
		"${TMP}/s6.a4" "inet 192\.0\.2\.1/24 "
	check "-a 2001:db8::77/64: outbound IPv6 TCP, 1 MiB" \
		sum_is "${TMP}/s6.6" "${SUM}"
	check "-a 2001:db8::77/64: outbound IPv4 TCP, 1 MiB" \
		sum_is "${TMP}/s6.4" "${SUM}"
	lib_kill_pids
}

# ---- Static dual stack -----------------------------------------------------

test_dual() {
	run_static d 7221 -a 192.0.2.77/24 -a 2001:db8::77/64
	check_grep "dual static: 192.0.2.77/24 configured" \
		"${TMP}/d.a4" "inet 192\.0\.2\.77/24 "
	check_grep "dual static: 2001:db8::77/64 configured" \
		"${TMP}/d.a6" "inet6 2001:db8::77/64 "
	check "dual static: outbound IPv6 TCP, 1 MiB" \
		sum_is "${TMP}/d.6" "${SUM}"
	check "dual static: outbound IPv4 TCP, 1 MiB" \
		sum_is "${TMP}/d.4" "${SUM}"
	lib_kill_pids
}

# ---- --dns-forward over UDP and TCP ----------------------------------------

test_dns_forward() {
	bg_start "${TMP}/dns4.log" h2 timeout 60 "${ECHO}" dns 192.0.2.254 53 \
		192.0.2.77
	bg_start "${TMP}/dns6.log" h2 timeout 60 "${ECHO}" dns 2001:db8::fe 53 \
		192.0.2.78
	bg_start "${TMP}/dnst4.log" h2 timeout 60 socat \
		TCP4-LISTEN:53,bind=192.0.2.254,reuseaddr,fork EXEC:cat
	bg_start "${TMP}/dnst6.log" h2 timeout 60 socat \
		"TCP6-LISTEN:53,bind=[2001:db8::fe],reuseaddr,fork" EXEC:cat
	wait_port "${H2}" udp 53
	wait_port "${H2}" tcp 53

	pasta_h1 --dns-forward 192.0.2.53 --dns-forward 2001:db8::53 -- sh -c "
		timeout 10 ${ECHO} dnsq 192.0.2.53 53 example.org \
			> ${TMP}/q4 2>&1
		timeout 10 ${ECHO} dnsq 2001:db8::53 53 example.org \
			> ${TMP}/q6 2>&1
		timeout 20 socat -t 10 STDIO TCP4:192.0.2.53:53 \
			< ${DATA} > ${TMP}/t4
		timeout 20 socat -t 10 STDIO TCP6:[2001:db8::53]:53 \
			< ${DATA} > ${TMP}/t6
	" > "${TMP}/pasta.dns.log" 2>&1
	check_grep "--dns-forward 192.0.2.53, UDP: the host's resolver answers" \
		"${TMP}/q4" "^192\.0\.2\.77$"
	check_grep "--dns-forward 2001:db8::53, UDP: the host's resolver answers" \
		"${TMP}/q6" "^192\.0\.2\.78$"
	check "--dns-forward 192.0.2.53, TCP: resolver reached, 1 MiB echoed" \
		sum_is "${TMP}/t4" "${SUM}"
	check "--dns-forward 2001:db8::53, TCP: resolver reached, 1 MiB echoed" \
		sum_is "${TMP}/t6" "${SUM}"
	lib_kill_pids
}

# ---- -t with and without a bind address, as podman gives them ---------------

test_bind_mixed() {
	rm -f "${TMP}/ready.b"
	bg_start "${TMP}/bc1.log" h1 sh -c "for i in \$(seq 400); do
			[ -e ${TMP}/ready.b ] && break; sleep 0.05; done
		ss -Hltn > ${TMP}/b.ss
		socat -u OPEN:${DATA} TCP4:127.0.0.1:7231
		socat -u OPEN:${DATA} TCP6:[::1]:7233"
	bg_start "${TMP}/bc2.log" h2 sh -c "for i in \$(seq 400); do
			[ -e ${TMP}/ready.b ] && break; sleep 0.05; done
		socat -u OPEN:${DATA} TCP4:192.0.2.1:7232"

	pasta_h1 -t 7231-7231:81-81 -t 192.0.2.1/7232-7232:82-82 -t 7233 \
		-u none -- sh -c "
		timeout 30 socat -u TCP4-LISTEN:81 OPEN:${TMP}/b81,creat &
		timeout 30 socat -u TCP4-LISTEN:82 OPEN:${TMP}/b82,creat &
		timeout 30 socat -u TCP6-LISTEN:7233 OPEN:${TMP}/b7233,creat &
		for i in \$(seq 200); do
			[ -n \"\$(ss -Hltn 'sport = :81')\" ] &&
			[ -n \"\$(ss -Hltn 'sport = :82')\" ] &&
			[ -n \"\$(ss -Hltn 'sport = :7233')\" ] && break
			sleep 0.05
		done
		touch ${TMP}/ready.b
		wait
	" > "${TMP}/pasta.bind.log" 2>&1

	check_grep "-t 7231: listens on every IPv4 address" \
		"${TMP}/b.ss" " 0\.0\.0\.0:7231 "
	check_grep "-t 7231: listens on every IPv6 address" \
		"${TMP}/b.ss" " \[::\]:7231 "
	check_grep "-t 192.0.2.1/7232: listens on 192.0.2.1 only" \
		"${TMP}/b.ss" " 192\.0\.2\.1:7232 "
	check "-t 192.0.2.1/7232: not on other addresses" \
		sh -c "! grep -E ' (0\.0\.0\.0|\[::\]):7232 ' '${TMP}/b.ss'"
	check "-t 7231 next to an address-bound -t: host loopback, 1 MiB" \
		sum_is "${TMP}/b81" "${SUM}"
	check "-t 192.0.2.1/7232: from H2, 1 MiB" sum_is "${TMP}/b82" "${SUM}"
	check "-t 7233: host ::1, 1 MiB" sum_is "${TMP}/b7233" "${SUM}"
	lib_kill_pids
}

test_static4
test_static6
test_dual
test_dns_forward
test_bind_mixed

test_done
