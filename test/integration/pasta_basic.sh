#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/pasta_basic.sh - pasta: namespace set-up, as root and user
#
# In a sandbox (see test/lib.sh), run pasta --config-net around a shell that
# records the namespace's state with real tools (ip, ping, busybox arping),
# then check: the tap link is named after the template interface (up0) or
# -I, has MTU 65520 (or -m), the MAC given by --ns-mac-addr; addresses,
# prefix lengths and routes (default and the extra 198.51.100.0/24 one) are
# copied; lo is up; the gateway resolves by ARP to our MAC, and busybox
# arping gets its answer in at most 3 runs (a reply late under load is
# retried) while pasta's counters for frames it could not send the
# namespace (tap_drop_out, tap_drop_oneoff, --stats 1) stay 0; the
# command's exit status is pasta's; --pcap holds the ARP exchange. The same
# as an unprivileged user, and in sandboxes without default routes and without
# any interface (local mode).

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ping tcpdump busybox setpriv awk tac

OUR_MAC="9a:55:9a:55:9a:55"

# dump_script() - Shell commands recording namespace state into a directory
# $1:	directory
# $2:	interface name to probe the gateway on
dump_script() {
	cat <<EOF
ip -o link show > $1/link 2>&1
ip -o addr show > $1/addr 2>&1
ip -4 route show > $1/route4 2>&1
ip -6 route show > $1/route6 2>&1
ping -c 1 -W 2 192.0.2.254 > $1/ping 2>&1
for i in 1 2 3; do
	busybox arping -c 1 -w 2 -I $2 192.0.2.254 > $1/arping.\$i 2>&1
	cat $1/arping.\$i >> $1/arping
	grep -Eq 'Received 1 (response|reply)' $1/arping.\$i && break
done
ip neigh show > $1/neigh 2>&1
exit 0
EOF
}

# run_dump() - Run pasta in H1 around dump_script, record exit status
# $1:	"root" or "user"
# $2:	output directory (created)
# $3:	interface name for arping
# $4..:	extra pasta options
run_dump() {
	local who="$1" dir="$2" ifname="$3"
	shift 3

	mkdir -p "${dir}"
	chmod 0777 "${dir}"
	if [ "${who}" = "user" ]; then
		pasta_h1_user --stats 1 "$@" -- \
			sh -c "$(dump_script "${dir}" "${ifname}")" \
			> "${dir}/pasta.out" 2>&1
	else
		pasta_h1 --stats 1 "$@" -- \
			sh -c "$(dump_script "${dir}" "${ifname}")" \
			> "${dir}/pasta.out" 2>&1
	fi
	echo $? > "${dir}/rc"
}

# check_state() - Check a dump for the copied configuration
# $1:	label
# $2:	dump directory
# $3:	tap interface name
# $4:	expected MTU
check_state() {
	local l="$1" d="$2" i="$3" mtu="$4"

	check_eq "${l}: pasta exits 0" "$(cat "${d}/rc")" 0 ||
		tail -n 30 "${d}/pasta.out" | sed 's/^/    pasta: /'
	check_grep "${l}: tap link ${i} exists and is up" "${d}/link" \
		"^[0-9]+: ${i}: <[^>]*\\bUP\\b"
	check_grep "${l}: MTU ${mtu}" "${d}/link" "^[0-9]+: ${i}: .* mtu ${mtu} "
	check_grep "${l}: lo is up" "${d}/link" "^[0-9]+: lo: <[^>]*\\bUP\\b"
	check_grep "${l}: IPv4 address 192.0.2.1/24" "${d}/addr" \
		"^[0-9]+: ${i} +inet 192\\.0\\.2\\.1/24 "
	check_grep "${l}: IPv6 address 2001:db8::1/64" "${d}/addr" \
		"^[0-9]+: ${i} +inet6 2001:db8::1/64 "
	check_grep "${l}: IPv4 default route" "${d}/route4" \
		"^default via 192\\.0\\.2\\.254 dev ${i}( |$)"
	check_grep "${l}: extra route 198.51.100.0/24" "${d}/route4" \
		"^198\\.51\\.100\\.0/24 via 192\\.0\\.2\\.254 dev ${i}( |$)"
	check_grep "${l}: IPv6 default route" "${d}/route6" \
		"^default via 2001:db8::fe dev ${i}( |$)"
	check_grep "${l}: arping answered (at most 3 runs)" "${d}/arping" \
		"Received 1 (response|reply)"
	check "${l}: pasta dropped no frame to the namespace (tap_drop_out, \
tap_drop_oneoff, icmp_drop_* but _type)" \
		counters_zero "$(ping_drops "${d}/pasta.out")"
	check_grep "${l}: gateway resolved to our MAC" "${d}/neigh" \
		"^192\\.0\\.2\\.254 dev ${i} lladdr ${OUR_MAC}"
}

sandbox_create

# As root, defaults, with a capture
run_dump root "${TMP}/root" up0 --pcap "${TMP}/root.pcap"
check_state root "${TMP}/root" up0 65520

tcpdump -Z root -nn -e -r "${TMP}/root.pcap" arp > "${TMP}/pcap.txt" 2>&1
check "pcap readable by tcpdump" tcpdump -Z root -nn -r "${TMP}/root.pcap"
check_grep "pcap holds the ARP request" "${TMP}/pcap.txt" \
	"Request who-has 192\\.0\\.2\\.254"
check_grep "pcap holds the ARP reply with our MAC" "${TMP}/pcap.txt" \
	"Reply 192\\.0\\.2\\.254 is-at ${OUR_MAC}"

# MTU, namespace MAC, interface name
run_dump root "${TMP}/mtu" up0 -m 1500 --ns-mac-addr 02:11:22:33:44:55
check_grep "-m 1500: MTU 1500" "${TMP}/mtu/link" "^[0-9]+: up0: .* mtu 1500 "
check_grep "--ns-mac-addr sets the tap MAC" "${TMP}/mtu/link" \
	"^[0-9]+: up0: .*link/ether 02:11:22:33:44:55 "

run_dump root "${TMP}/name" tapx0 -I tapx0
check_state "-I tapx0" "${TMP}/name" tapx0 65520
check "-I: no link named up0" sh -c "! grep -q ': up0:' '${TMP}/name/link'"

# Exit status of the command
pasta_h1 -- sh -c 'exit 7' > "${TMP}/exit.out" 2>&1
check_eq "exit status 7 of the command propagates" "$?" 7
pasta_h1 -- true > "${TMP}/exit.out" 2>&1
check_eq "exit status 0 of the command propagates" "$?" 0
# --no-pidns: PID 1 of a PID namespace ignores signals it has no handler for
pasta_h1 --no-pidns -- sh -c 'kill -TERM $$' > "${TMP}/exit.out" 2>&1
check_eq "a command killed by SIGTERM: exit status 143" "$?" 143
# pasta blocks SIGCHLD but while it waits for events: not the command
pasta_h1 -- sh -c 'grep "^SigBlk:" /proc/self/status' > "${TMP}/sigblk" 2>&1
check_grep "the command starts with no signal blocked" "${TMP}/sigblk" \
	"^SigBlk:[[:space:]]+0+$"

# As an unprivileged user
if userns_ok; then
	run_dump user "${TMP}/user" up0 --pcap "${TMP}/user.pcap"
	check_state user "${TMP}/user" up0 65520
	check "user: pcap readable" tcpdump -Z root -nn -r "${TMP}/user.pcap"
	run_as_user true # keep the user for later tests
else
	echo "# user namespaces not available to ${TEST_USER}: user part skipped"
fi

# No default routes on the host: still starts
sandbox_create --tag n --no-default
mkdir -p "${TMP}/nodef"
pasta_h1 -- sh -c "ip -o link show > ${TMP}/nodef/link; \
		   ip -o addr show > ${TMP}/nodef/addr; exit 3" \
	> "${TMP}/nodef/out" 2>&1
check_eq "no default route: pasta starts, runs the command" "$?" 3 ||
	head -n 20 "${TMP}/nodef/out"
check_grep "no default route: tap link up0 exists" "${TMP}/nodef/link" \
	"^[0-9]+: up0: "

# No interface at all: local mode
sandbox_create --tag e --bare
mkdir -p "${TMP}/bare"
pasta_h1 -- sh -c "ip -o link show > ${TMP}/bare/link; \
		   ip -o addr show > ${TMP}/bare/addr; exit 0" \
	> "${TMP}/bare/out" 2>&1
check_eq "local mode: pasta starts without host interfaces" "$?" 0 ||
	head -n 20 "${TMP}/bare/out"
check_grep "local mode: tap link tap0 exists" "${TMP}/bare/link" \
	"^[0-9]+: tap0: "
check_grep "local mode: link-local 169.254.2.1 assigned" "${TMP}/bare/addr" \
	"inet 169\\.254\\.2\\.1/"

test_done
