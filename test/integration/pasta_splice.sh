#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/pasta_splice.sh - pasta: loopback connections spliced
# between the host (H1) and the namespace, forwarded with -t and -T
#
# pasta runs in H1 with --config-net, attached to a namespace of our own
# (NS), which gets H1's addresses 192.0.2.1 and 2001:db8::1:
#   -t 31001-31015  client on H1's loopback -> NS's own address (the
#                   default) or NS's loopback (--host-lo-to-ns-lo)
#   -T 32001-32015  client in NS -> 127.0.0.1/::1 -> server on H1's lo
# Clients connect to loopback only, so nothing but the splice path carries
# them; the peer address the namespace sees tells splice from tap.
#
# Checks: the platform probe test/platform/splice_pipe.c; 100 MiB each way
# per forwarding direction and IP version (sha256 equal); the source the
# namespace sees, and that its loopback-only services stay unreachable
# without --host-lo-to-ns-lo; half-close (the reply after the client's FIN
# arrives); resets from either end reach the other, a refused target resets
# the client; 1,000 concurrent echo connections each way, and echoes of 100
# MiB flowing both ways at once; no file descriptor leak in pasta after
# 10,000 short connections; pasta as an unprivileged user with
# --host-lo-to-ns-lo.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd socat sha256sum ss tac awk

T_FIRST=31000			# -t port n is T_FIRST + n, n = 1..15
TT_FIRST=32000			# -T port n is TT_FIRST + n, n = 1..15
USER_T=31021			# unprivileged pasta: -t
USER_TT=32021			# unprivileged pasta: -T
NS_ADDR4=192.0.2.1		# NS's own addresses (--config-net, from H1)
NS_ADDR6=2001:db8::1
BULK_SIZE=100M
CONC_CONNS=1000
SHORT_CONNS=10000

# socat_addr() - socat address for an IP address and port
# $1:	IPv4 or IPv6 address
# $2:	port
# $3:	"listen" for a listening address, else connecting
socat_addr() {
	local v=4 a="$1"

	case "$1" in *:*) v=6; a="[$1]" ;; esac
	if [ "${3:-}" = listen ]; then
		echo "TCP${v}-LISTEN:$2,bind=${a},reuseaddr"
	else
		echo "TCP${v}:${a}:$2"
	fi
}

# lo_of() - Loopback address of the family of an address
# $1:	IPv4 or IPv6 address
lo_of() {
	case "$1" in *:*) echo ::1 ;; *) echo 127.0.0.1 ;; esac
}

# xfer() - Move BULK_SIZE bytes over a forwarded port, compare checksums
# $1:	description
# $2:	namespace of the server
# $3:	namespace of the client
# $4:	address the server binds to; the client connects to loopback
# $5:	port
# $6:	"up": client sends; "down": server sends
xfer() {
	local out="${TMP}/out.$5" lo srv_pid

	lo="$(lo_of "$4")"
	rm -f "${out}"
	if [ "$6" = up ]; then
		bg_start "${TMP}/srv.$5.log" ns_run "$2" timeout 120 socat -u \
			"$(socat_addr "$4" "$5" listen)" "CREATE:${out}"
	else
		bg_start "${TMP}/srv.$5.log" ns_run "$2" timeout 120 socat -u \
			"OPEN:${TMP}/bulk" "$(socat_addr "$4" "$5" listen)"
	fi
	srv_pid="${BG_PID}"
	wait_port "$2" tcp "$5"
	if [ "$6" = up ]; then
		ns_run "$3" timeout 120 socat -u "OPEN:${TMP}/bulk" \
			"$(socat_addr "${lo}" "$5")"
	else
		ns_run "$3" timeout 120 socat -u "$(socat_addr "${lo}" "$5")" \
			"CREATE:${out}"
	fi
	WAIT_TRIES=1200 wait_gone "${srv_pid}"
	check_eq "$1" "$(sha256sum < "${out}" | cut -d' ' -f1)" "${BULK_SUM}"
	rm -f "${out}"
}

# xfer_all() - Bulk transfers: both forwarding directions, both ways, v4/v6
xfer_all() {
	local a v p=1

	for a in "${NS_ADDR4}" "${NS_ADDR6}"; do
		v=IPv4
		[ "${a}" = "${NS_ADDR6}" ] && v=IPv6
		xfer "-t ${v}: ${BULK_SIZE} host -> namespace" \
			"${NS}" "${H1}" "${a}" $((T_FIRST + p)) up
		xfer "-t ${v}: ${BULK_SIZE} namespace -> host" \
			"${NS}" "${H1}" "${a}" $((T_FIRST + p + 1)) down
		xfer "-T ${v}: ${BULK_SIZE} namespace -> host" \
			"${H1}" "${NS}" "$(lo_of "${a}")" $((TT_FIRST + p)) up
		xfer "-T ${v}: ${BULK_SIZE} host -> namespace" \
			"${H1}" "${NS}" "$(lo_of "${a}")" $((TT_FIRST + p + 1)) \
			down
		p=$((p + 2))
	done
}

# peer_seen() - Address a server sees for a connection from H1's loopback
# $1:	address the server in NS binds to
# $2:	port
peer_seen() {
	local log="${TMP}/peer.$2.log"

	bg_start "${log}" ns_run "${NS}" timeout 30 "${PEER}" peer-server \
		"$1" "$2"
	wait_port "${NS}" tcp "$2"
	ns_run "${H1}" timeout 10 socat -u /dev/null \
		"$(socat_addr "$(lo_of "$1")" "$2")" > /dev/null 2>&1
	wait_gone "${BG_PID}"
	sed -n 's/^peer //p' "${log}"
}

# half_close() - Client shuts down writing; the server's reply still arrives
# $1:	description
# $2:	server namespace
# $3:	client namespace
# $4:	address the server binds to; the client connects to loopback
# $5:	port
half_close() {
	bg_start "${TMP}/half.$5.log" ns_run "$2" timeout 60 "${PEER}" \
		half-server "$4" "$5"
	wait_port "$2" tcp "$5"
	check "$1" ns_run "$3" timeout 60 "${PEER}" half-client \
		"$(lo_of "$4")" "$5" 1048576
}

# reset_pair() - A reset from one end reaches the other
# $1:	description
# $2:	server namespace
# $3:	client namespace
# $4:	address the server binds to; the client connects to loopback
# $5:	port
# $6:	"server": server resets, client checks; "client": the reverse
reset_pair() {
	local srv_mode=rst-server cli_mode=rst-client pid rc srv_rc

	if [ "$6" = client ]; then
		srv_mode=abort-server
		cli_mode=abort-client
	fi
	ns_run "$2" timeout 60 "${PEER}" "${srv_mode}" "$4" "$5" \
		> "${TMP}/rst.$5.log" 2>&1 &
	pid=$!
	cleanup_pid "${pid}"
	wait_port "$2" tcp "$5"
	ns_run "$3" timeout 60 "${PEER}" "${cli_mode}" "$(lo_of "$4")" "$5" \
		>> "${TMP}/rst.$5.log" 2>&1
	rc=$?
	wait "${pid}"
	srv_rc=$?
	[ "$6" = client ] && rc="${srv_rc}"
	check_eq "$1" "${rc}" 0 || cat "${TMP}/rst.$5.log"
}

# fd_settle() - Wait (bounded) until pasta's fd count is stable over a tick
fd_settle() {
	local i a b

	for i in $(seq 1 10); do
		a="$(fd_count "${PASTA_PID}")"
		sleep 1.2
		b="$(fd_count "${PASTA_PID}")"
		[ "${a}" = "${b}" ] && break
	done
	echo "${b}"
}

# ns_addr6_ready() - NS has its IPv6 address, past duplicate detection
ns_addr6_ready() {
	ip -n "${NS}" -6 addr show -tentative | grep -q " ${NS_ADDR6}/"
}

# addresses_checks() - Source seen in NS; NS loopback services not exposed
addresses_checks() {
	check_eq "-t IPv4: the namespace sees its own address as source" \
		"$(peer_seen "${NS_ADDR4}" $((T_FIRST + 12)))" "${NS_ADDR4}"
	check_eq "-t IPv6: the namespace sees its own address as source" \
		"$(peer_seen "${NS_ADDR6}" $((T_FIRST + 13)))" "${NS_ADDR6}"

	bg_start "${TMP}/lo-only.log" ns_run "${NS}" timeout 60 "${PEER}" \
		half-server 127.0.0.1 $((T_FIRST + 14))
	wait_port "${NS}" tcp $((T_FIRST + 14))
	check "-t: a service on the namespace's loopback only is not reached" \
		ns_run "${H1}" timeout 30 "${PEER}" rst-client 127.0.0.1 \
		$((T_FIRST + 14))
}

# resets_checks() - Resets both ways, refused targets; their counters
resets_checks() {
	reset_pair "-t: server's reset reaches the client" \
		"${NS}" "${H1}" "${NS_ADDR4}" $((T_FIRST + 6)) server
	reset_pair "-t: client's reset reaches the server" \
		"${NS}" "${H1}" "${NS_ADDR6}" $((T_FIRST + 7)) client
	reset_pair "-T: server's reset reaches the client" \
		"${H1}" "${NS}" ::1 $((TT_FIRST + 6)) server
	reset_pair "-T: client's reset reaches the server" \
		"${H1}" "${NS}" 127.0.0.1 $((TT_FIRST + 7)) client

	check "-t: no server in the namespace: the client gets a reset" \
		ns_run "${H1}" timeout 30 "${PEER}" rst-client 127.0.0.1 \
		$((T_FIRST + 9))
	check "-T IPv6: no server on the host: the client gets a reset" \
		ns_run "${NS}" timeout 30 "${PEER}" rst-client ::1 \
		$((TT_FIRST + 9))

	# --stats 1: counters printed on every tick
	WAIT_TRIES=60 wait_for counter_at_least "${TMP}/pasta.log" \
		tcp_splice_connect_fail 2
	check "counters: refused targets counted (--stats)" \
		counter_at_least "${TMP}/pasta.log" tcp_splice_connect_fail 2
	check "counters: resets counted (--stats)" \
		counter_at_least "${TMP}/pasta.log" tcp_splice_reset 4
}

# load_checks() - Concurrent connections both ways, fd leak
load_checks() {
	local port=$((T_FIRST + 8)) before after

	bg_start "${TMP}/echo.log" ns_run "${NS}" "${PEER}" echo \
		"${NS_ADDR4}" "${port}"
	wait_port "${NS}" tcp "${port}"
	check "-t: ${CONC_CONNS} concurrent connections echo 64 KiB each" \
		ns_run "${H1}" timeout 120 "${PEER}" conc 127.0.0.1 "${port}" \
		"${CONC_CONNS}" 65536

	check "-t: one connection echoes 100 MiB, both ways at once" \
		ns_run "${H1}" timeout 120 "${PEER}" conc 127.0.0.1 "${port}" \
		1 104857600

	bg_start "${TMP}/echo6.log" ns_run "${H1}" "${PEER}" echo ::1 \
		$((TT_FIRST + 8))
	wait_port "${H1}" tcp $((TT_FIRST + 8))
	check "-T IPv6: ${CONC_CONNS} concurrent connections echo 64 KiB" \
		ns_run "${NS}" timeout 120 "${PEER}" conc ::1 \
		$((TT_FIRST + 8)) "${CONC_CONNS}" 65536
	check "-T IPv6: 4 connections echo 25 MiB each, both ways at once" \
		ns_run "${NS}" timeout 120 "${PEER}" conc ::1 \
		$((TT_FIRST + 8)) 4 26214400

	ns_run "${H1}" timeout 60 "${PEER}" short 127.0.0.1 "${port}" 100 \
		> /dev/null
	before="$(fd_settle)"
	check "-t: ${SHORT_CONNS} short connections" \
		ns_run "${H1}" timeout 200 "${PEER}" short 127.0.0.1 \
		"${port}" "${SHORT_CONNS}"
	after="$(fd_settle)"
	check_eq "no fd leak in pasta after ${SHORT_CONNS} connections" \
		"${after}" "${before}"
}

# user_mode() - pasta as an unprivileged user, own user and network
# namespace, --host-lo-to-ns-lo; the namespace's command is the echo server
user_mode() {
	local upid nspid

	if ! userns_ok; then
		echo "skip - unprivileged pasta: no user namespaces"
		return
	fi
	bg_start "${TMP}/pasta-user.log" ip netns exec "${H1}" timeout 120 \
		setpriv --reuid="${TEST_USER}" --regid="${TEST_USER}" \
		--init-groups -- "${PASTA}" -f -P "${TMP}/pasta-user.pid" \
		--host-lo-to-ns-lo -t "${USER_T}" -T "${USER_TT}" \
		-u none -U none -- "${PEER}" echo 127.0.0.1 "${USER_T}"
	wait_for test -s "${TMP}/pasta-user.pid"
	upid="$(cat "${TMP}/pasta-user.pid")"
	wait_for test -n "$(ps -o pid= --ppid "${upid}")"
	nspid="$(ps -o pid= --ppid "${upid}" | head -n 1 | tr -d ' ')"
	if [ -z "${nspid}" ] || ! wait_port "${nspid}" tcp "${USER_T}"; then
		check "unprivileged pasta comes up" false
		cat "${TMP}/pasta-user.log"
		return
	fi
	wait_port "${H1}" tcp "${USER_T}"
	check "unprivileged, --host-lo-to-ns-lo, -t: ${CONC_CONNS} echo conns" \
		ns_run "${H1}" timeout 120 "${PEER}" conc 127.0.0.1 \
		"${USER_T}" "${CONC_CONNS}" 65536

	bg_start "${TMP}/echo-user.log" ns_run "${H1}" "${PEER}" echo \
		127.0.0.1 "${USER_TT}"
	wait_port "${H1}" tcp "${USER_TT}"
	check "unprivileged, -T: 200 concurrent echo connections" \
		ns_run "${nspid}" timeout 120 "${PEER}" conc 127.0.0.1 \
		"${USER_TT}" 200 65536
}

sandbox_create || { echo "sandbox set-up failed"; exit 1; }
NS="pt-spl-$$"
ip netns add "${NS}" || exit 1
LIB_SANDBOXES+=("${NS}")

check "platform probe: splice semantics (test/platform/splice_pipe.c)" \
	platform_probe splice_pipe -

PEER="$(build_tool splice_peer)" || { echo "can't build splice_peer"; exit 1; }
head -c "${BULK_SIZE}" /dev/urandom > "${TMP}/bulk"
BULK_SUM="$(sha256sum < "${TMP}/bulk" | cut -d' ' -f1)"

bg_start "${TMP}/pasta.log" ip netns exec "${H1}" timeout 290 "${PASTA}" \
	--config-net -f --stats 1 -P "${TMP}/pasta.pid" -t 31001-31015 \
	-T 32001-32015 -u none -U none --netns "/run/netns/${NS}"
if ! wait_port "${H1}" tcp 31001 || ! wait_port "${NS}" tcp 32001 ||
   ! wait_for test -s "${TMP}/pasta.pid" ||
   ! wait_for ns_addr6_ready; then
	echo "pasta did not come up:"
	cat "${TMP}/pasta.log"
	exit 1
fi
PASTA_PID="$(cat "${TMP}/pasta.pid")"

xfer_all
addresses_checks
half_close "-t: half-close, reply after the client's FIN arrives" \
	"${NS}" "${H1}" "${NS_ADDR4}" $((T_FIRST + 5))
half_close "-T IPv6: half-close, reply after the client's FIN arrives" \
	"${H1}" "${NS}" ::1 $((TT_FIRST + 5))
resets_checks
load_checks
check "pasta still running" kill -0 "${PASTA_PID}"
user_mode

test_done
