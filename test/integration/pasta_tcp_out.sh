#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/pasta_tcp_out.sh - pasta: -o, source of outbound TCP
#
# In a sandbox (see test/lib.sh), H1 gets a second address of each family,
# which the kernel never picks as a source by itself: 192.0.2.2 is a
# secondary address of 192.0.2.1's subnet, 2001:db8::2 is deprecated
# (preferred_lft 0). From pasta's namespace, TCP to servers in H2
# (198.51.100.1, 2001:db8:7::1, routed through H2):
#   - with -o 192.0.2.2 -o 2001:db8::2: 1 MiB up each, sha256 checked, and
#     the server sees the -o address as the peer: the host socket was bound
#     to the host side fwd_from_tap() stored
#   - without -o: the same bytes, and the peer is H1's first address, so
#     that the check above can't pass by chance

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout

DATA="${TMP}/data"
head -c $((1 << 20)) /dev/urandom > "${DATA}"
DATA_SUM="$(sha256sum < "${DATA}")"
D6=2001:db8:7::1

sandbox_create || skip "can't create sandbox"
ip -n "${H1}" addr add 192.0.2.2/24 dev up0
ip -n "${H1}" addr add 2001:db8::2/64 dev up0 nodad preferred_lft 0
ip -n "${H2}" addr add "${D6}/128" dev lo
ip -n "${H1}" -6 route add 2001:db8:7::/64 via 2001:db8::fe dev up0

# sink() - One-shot TCP server in H2 storing data and the peer's address
# $1:	name: files ${TMP}/NAME and ${TMP}/NAME.peer
# $2:	socat listen address type, TCP4-LISTEN or TCP6-LISTEN
# $3:	port
# $4:	bind address
sink() {
	bg_start "${TMP}/$1.log" h2 timeout 120 socat -u \
		"$2:$3,bind=$4,reuseaddr" \
		SYSTEM:"cat > ${TMP}/$1; echo \$SOCAT_PEERADDR > ${TMP}/$1.peer"
}

# run_out() - Send the data from the namespace to both sinks
# $1:	name prefix of the sinks
# $2:	first port (IPv4; IPv6 the next one)
# $3..:	pasta options
run_out() {
	local n="$1" p="$2"

	shift 2
	sink "${n}4" TCP4-LISTEN "${p}" 198.51.100.1
	sink "${n}6" TCP6-LISTEN $((p + 1)) "[${D6}]"
	wait_port "${H2}" tcp "${p}"
	wait_port "${H2}" tcp $((p + 1))
	pasta_h1 "$@" -- sh -c "
		timeout 20 socat -u OPEN:${DATA} TCP4:198.51.100.1:${p}
		$(wait_size_sh "${TMP}/${n}4" $((1 << 20)))
		timeout 20 socat -u OPEN:${DATA} TCP6:[${D6}]:$((p + 1))
		$(wait_size_sh "${TMP}/${n}6" $((1 << 20)))
	" > "${TMP}/pasta.${n}.log" 2>&1
	wait_for test -s "${TMP}/${n}4.peer"
	wait_for test -s "${TMP}/${n}6.peer"
}

run_out o 7201 -o 192.0.2.2 -o 2001:db8::2
check "-o: TCP/IPv4, 1 MiB reach H2" sum_is "${TMP}/o4" "${DATA_SUM}"
check_grep "-o: TCP/IPv4 leaves from the -o address" \
	"${TMP}/o4.peer" "^192\.0\.2\.2$"
check "-o: TCP/IPv6, 1 MiB reach H2" sum_is "${TMP}/o6" "${DATA_SUM}"
check_grep "-o: TCP/IPv6 leaves from the -o address" \
	"${TMP}/o6.peer" "^\[2001:0db8:0000:0000:0000:0000:0000:0002\]$"
lib_kill_pids

run_out n 7203
check "no -o: TCP/IPv4, 1 MiB reach H2" sum_is "${TMP}/n4" "${DATA_SUM}"
check_grep "no -o: TCP/IPv4 leaves from H1's first address" \
	"${TMP}/n4.peer" "^192\.0\.2\.1$"
check "no -o: TCP/IPv6, 1 MiB reach H2" sum_is "${TMP}/n6" "${DATA_SUM}"
check_grep "no -o: TCP/IPv6 leaves from H1's preferred address" \
	"${TMP}/n6.peer" "^\[2001:0db8:0000:0000:0000:0000:0000:0001\]$"
lib_kill_pids

test_done
