#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/pasta_icmp.sh - pasta: ICMP and ICMPv6 echo
#
# In a sandbox (see test/lib.sh), pasta runs attached to a namespace G of
# its own (--netns), configured by hand like a guest would be. From G,
# iputils ping (raw socket: it checks identifier, sequence and data of each
# reply, -p sets a data pattern) reaches, 3 replies intact in at most 3
# runs of 3 (lib.sh ping_replies: an echo lost or late under load is
# retried, a corrupted one fails) while pasta's counters for lost echoes
# (ping_drops) stay still:
# - the gateway address, which pasta maps to the host's loopback (H2's echo
#   counter must not move), and with --no-map-gw the real gateway in H2
#   (its counter moves);
# - a remote IPv4 address and a remote IPv6 address behind H2;
# - two destinations at once with the same identifier (-e), so that one of
#   the two ping sockets cannot be bound to it and the kernel picks another:
#   replies must still carry the guest's identifier.
# The capture shows each reply with the identifier and sequence number of
# its request. --stats counts one live echo flow per (destination,
# identifier) pair, that is per ping run, none refused.
# test/platform/ping_reuse.c first checks the kernel behaviour icmp.c
# relies on for identifiers. With ping sockets forbidden
# (net.ipv4.ping_group_range) pasta says so once and keeps running. Pings also work through a pasta started
# by an unprivileged user.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ping tcpdump nstat cc setpriv awk tac

PATTERN="5a5aa5a5c3c3"

sandbox_create
ip -n "${H2}" addr add 2001:db8:1::1/128 dev lo
ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
guest_ns_create "pt-g-$$" || exit 1


# pasta_start() - Start pasta in H1 for namespace G, configure the guest
# $1:	log file
# $2..:	pasta options
pasta_start() {
	local log="$1"
	shift

	bg_start "${log}" h1 timeout 250 "${PASTA}" -f "$@" \
		--netns "/run/netns/${G}"
	PASTA_JOB="${BG_PID}"
	WAIT_TRIES=400 wait_for ip -n "${G}" link show up0 || return 1
	g sysctl -qw net.ipv6.conf.up0.accept_ra=0
	ip -n "${G}" link set up0 up
	ip -n "${G}" addr add 192.0.2.1/24 dev up0
	ip -n "${G}" addr add 2001:db8::1/64 dev up0 nodad
	ip -n "${G}" route add default via 192.0.2.254 dev up0
	ip -n "${G}" -6 route add default via 2001:db8::fe dev up0
	WAIT_TRIES=400 wait_for sh -c "! ip -n '${G}' -6 addr show dev up0 | grep -q tentative"
}

# pasta_stop() - Stop the pasta started last, wait until its tap is gone
pasta_stop() {
	kill $(lib_tree "${PASTA_JOB}") 2>/dev/null
	WAIT_TRIES=400 wait_for sh -c "! ip -n '${G}' link show up0"
}

# h2_echoes() - Echo requests H2's kernel has received (IPv4)
h2_echoes() {
	ip netns exec "${H2}" nstat -az IcmpInEchos | awk '/IcmpInEchos/ { print $2 }'
}

# ping_ok() - Ping from G until a run gets its 3 replies intact (lib.sh
# ping_replies: at most 3 runs, a corrupted reply fails at once); adds the
# runs made to PING_RUNS_DONE (each run is an echo flow of its own)
# $1:	label
# $2..:	ping arguments, the destination last
ping_ok() {
	local label="$1" prefix="${TMP}/ping.$RANDOM"
	shift

	check "${label}: 3 replies, data intact" ping_replies "${G}" \
		"${prefix}" "$@"
	PING_RUNS_DONE=$((PING_RUNS_DONE + $(ping_runs "${prefix}")))
}

# drops_still() - Check that pasta's counters for lost echoes (lib.sh
# ping_drops) did not move since DROPS0 was taken
# $1:	pasta's log (--stats 1)
# $2:	label
drops_still() {
	stats_fresh "$1"
	check_eq "$2: pasta dropped no echo (icmp_drop_* but _type, \
tap_drop_out, tap_drop_oneoff)" "$(ping_drops "$1")" "${DROPS0}"
}

# Platform probe: what icmp.c assumes of ping sockets and SO_REUSEADDR
check "platform: ping sockets share ids unless SO_REUSEADDR is cleared" \
	platform_probe ping_reuse "${H1}"

pasta_start "${TMP}/pasta.log" --pcap "${TMP}/icmp.pcap" --stats 1 ||
	{ check "pasta starts" false; cat "${TMP}/pasta.log"; test_done; }

before="$(h2_echoes)"
PING_RUNS_DONE=0
stats_fresh "${TMP}/pasta.log"
DROPS0="$(ping_drops "${TMP}/pasta.log")"
ping_ok "gateway 192.0.2.254 (host loopback)" 192.0.2.254
check_eq "gateway pings went to the host, not to H2" "$(h2_echoes)" "${before}"
ping_ok "gateway 2001:db8::fe (host loopback)" -6 2001:db8::fe
ping_ok "remote 198.51.100.1" 198.51.100.1
ping_ok "remote 2001:db8:1::1" -6 2001:db8:1::1
check "H2 answered the remote IPv4 pings" test "$(h2_echoes)" -ge $((before + 3))
drops_still "${TMP}/pasta.log" "four destinations"
# One echo flow per ping run (four, one per destination, unless some were
# retried), alive for 60 s idle
FLOWS_4="flows: TCP [0-9]+ .*, ping ${PING_RUNS_DONE} \\(refused 0\\)$"
WAIT_TRIES=100 WAIT_STEP=0.1 wait_for grep -Eq "${FLOWS_4}" "${TMP}/pasta.log"
check_grep "--stats: one live echo flow per ping run, none refused" \
	"${TMP}/pasta.log" "${FLOWS_4}"

# Same identifier, two destinations at once
g timeout 20 ping -e 4660 -c 5 -i 0.2 -W 2 -p "${PATTERN}" 192.0.2.254 \
	> "${TMP}/same1" 2>&1 &
P1=$!
g timeout 20 ping -e 4660 -c 5 -i 0.2 -W 2 -p "${PATTERN}" 198.51.100.1 \
	> "${TMP}/same2" 2>&1
wait "${P1}"
check_grep "same identifier, gateway: replies" "${TMP}/same1" " [1-9][0-9]* received"
check_grep "same identifier, remote: replies" "${TMP}/same2" " [1-9][0-9]* received"
pasta_stop

tcpdump -Z root -nn -r "${TMP}/icmp.pcap" icmp or icmp6 > "${TMP}/pcap.txt" 2>&1
check_grep "pcap: echo reply with the guest's identifier 4660" "${TMP}/pcap.txt" \
	"198\\.51\\.100\\.1 > 192\\.0\\.2\\.1: ICMP echo reply, id 4660, seq [0-9]+"
# pcap_pairs_ok() - Each request in the capture got exactly one reply from
# the address it was sent to, with its identifier and sequence number. At
# least 14 requests: the 4 x 3 of ping_ok, and one from each same-identifier
# ping, which may stop early: both see each other's replies (same id) and
# count them towards -c 5
pcap_pairs_ok() {
	awk '
	/echo (request|reply), id/ {
		match($0, /id [0-9]+, seq [0-9]+/)
		idseq = substr($0, RSTART, RLENGTH)
		split($0, f, " ")
		src = f[3]; dst = f[5]; sub(/:$/, "", dst)
	}
	/echo request, id/ { req[dst " " idseq]++; nreq++ }
	/echo reply, id/   { rep[src " " idseq]++; nrep++ }
	END {
		for (k in rep) if (!(k in req) || rep[k] != 1) {
			print "unmatched reply: " k " x" rep[k]; bad++
		}
		for (k in req) if (!(k in rep)) {
			print "no reply: " k " x" req[k]; bad++
		}
		print nreq " requests, " nrep " replies"
		exit !(nreq >= 14 && nreq == nrep && !bad)
	}' "${TMP}/pcap.txt"
}
check "pcap: one reply per request, from its destination, same id and seq" \
	pcap_pairs_ok

# --no-map-gw: the gateway address is the real gateway
pasta_start "${TMP}/pasta2.log" --no-map-gw --stats 1 ||
	check "pasta --no-map-gw starts" false
before="$(h2_echoes)"
stats_fresh "${TMP}/pasta2.log"
DROPS0="$(ping_drops "${TMP}/pasta2.log")"
ping_ok "--no-map-gw: gateway" 192.0.2.254
check "--no-map-gw: H2 answered" test "$(h2_echoes)" -ge $((before + 3))
drops_still "${TMP}/pasta2.log" "--no-map-gw"
pasta_stop

# Ping sockets not allowed: one warning, pasta goes on
ip netns exec "${H1}" sysctl -qw net.ipv4.ping_group_range="1 0"
pasta_start "${TMP}/pasta3.log" || check "pasta starts without ping" false
g timeout 5 ping -c 1 -W 1 198.51.100.1 > /dev/null 2>&1
g timeout 5 ping -6 -c 1 -W 1 2001:db8:1::1 > /dev/null 2>&1
check "no ping sockets: pasta still running" kill -0 "${PASTA_JOB}"
check_eq "no ping sockets: warned exactly once" \
	"$(grep -c 'ping sockets not allowed' "${TMP}/pasta3.log")" 1
pasta_stop
ip netns exec "${H1}" sysctl -qw net.ipv4.ping_group_range="0 2147483647"

# As an unprivileged user: ping sockets opened by pasta running as the user
if userns_ok; then
	HOLD="${TMP}/hold"
	PASTA_TIMEOUT=120 bg_start "${TMP}/pasta_user.log" pasta_h1_user \
		--stats 1 -- sh -c "$(ns_hold_sh "${HOLD}")"
	check "user: pasta runs its command" wait_file "${HOLD}"
	NS="$(ns_hold_pid "${BG_PID}" "${HOLD}")"
	stats_fresh "${TMP}/pasta_user.log"
	DROPS0="$(ping_drops "${TMP}/pasta_user.log")"
	check "user: remote 198.51.100.1: 3 replies, data intact" \
		ping_replies "${NS}" "${TMP}/user_ping" 198.51.100.1
	drops_still "${TMP}/pasta_user.log" "user"
	touch "${HOLD}.done"
else
	echo "# user namespaces not available to ${TEST_USER}: user part skipped"
fi

test_done
