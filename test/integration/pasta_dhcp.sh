#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/pasta_dhcp.sh - pasta: the guest configures itself by
# DHCP and DHCPv6
#
# In a sandbox (see test/lib.sh), pasta runs WITHOUT --config-net, attached
# to a namespace G of its own (--netns), so that real clients configure the
# tap themselves: busybox udhcpc (with a script printing what it got, with
# and without the broadcast flag), dhcpcd -4 -T and dhcpcd -6 -T (test mode:
# prints the lease, changes nothing; in private mount and PID namespaces so
# it touches none of the machine's files and leaves no process behind).
# They must see the host's address, netmask, gateway, resolver, search
# domains (-S, option 119 / DHCPv6 24), MTU (-m), host name (-H), FQDN
# (--fqdn) and an infinite lease; DHCPv6 the host's IPv6 address from our
# DUID-LL. --dns-forward replaces the resolver; --no-dhcp and --no-dhcpv6
# leave the clients without a lease. udhcpc also gets its lease from a
# pasta started by an unprivileged user.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip busybox dhcpcd unshare tcpdump setpriv

OUR_MAC="9a:55:9a:55:9a:55"

sandbox_create
guest_ns_create "pt-g-$$" || exit 1

# pasta_start() - Start pasta in H1 for namespace G, wait for its tap
# $1:	log file
# $2..:	pasta options
pasta_start() {
	local log="$1"
	shift

	bg_start "${log}" h1 timeout 250 "${PASTA}" -f "$@" \
		--netns "/run/netns/${G}"
	PASTA_JOB="${BG_PID}"
	WAIT_TRIES=400 wait_for ip -n "${G}" link show up0 || return 1
	ip -n "${G}" link set up0 up
}

# pasta_stop() - Stop the pasta started last, wait until its tap is gone
pasta_stop() {
	kill $(lib_tree "${PASTA_JOB}") 2>/dev/null
	WAIT_TRIES=400 wait_for sh -c "! ip -n '${G}' link show up0"
}

# udhcpc_run() - Run busybox udhcpc in G, print the variables it got
# $1:	output file
# $2..:	extra udhcpc options
udhcpc_run() {
	local out="$1"
	shift

	ip netns exec "${G}" timeout 20 busybox udhcpc -i up0 -f -q -n \
		-t 3 -T 2 -s "${TMP}/udhcpc.sh" "$@" > "${out}" 2>&1
}

# dhcpcd_run() - Run dhcpcd in test mode in G, private mounts and PIDs
# $1:	output file
# $2..:	dhcpcd options
dhcpcd_run() {
	local out="$1"
	shift

	ip netns exec "${G}" unshare -m -p -f --propagation private sh -c '
		mount -t tmpfs none /run && mount -t tmpfs none /var/lib/dhcpcd &&
		exec timeout 25 dhcpcd "$@" up0' dhcpcd "$@" > "${out}" 2>&1
	return 0	# dhcpcd 9.4.1 -T may crash after printing: see output
}

cat > "${TMP}/udhcpc.sh" <<'EOF'
#!/bin/sh
echo "event=$1"
env | grep -E '^(ip|subnet|router|dns|mtu|domain|search|lease|serverid|hostname)=' | sort
EOF
chmod 0755 "${TMP}/udhcpc.sh"

# With everything advertised
pasta_start "${TMP}/pasta.log" --pcap "${TMP}/dhcp.pcap" -m 1500 \
	--dhcp-dns --dhcp-search -S "example.com a.example.org" \
	-H guesthost --fqdn guest.example.com ||
	{ check "pasta starts" false; cat "${TMP}/pasta.log"; test_done; }

udhcpc_run "${TMP}/u1"
U="${TMP}/u1"
check_grep "udhcpc: bound" "${U}" "^event=bound$"
check_grep "udhcpc: address 192.0.2.1" "${U}" "^ip=192\\.0\\.2\\.1$"
check_grep "udhcpc: netmask /24" "${U}" "^subnet=255\\.255\\.255\\.0$"
check_grep "udhcpc: router is the gateway" "${U}" "^router=192\\.0\\.2\\.254$"
check_grep "udhcpc: server identifier" "${U}" "^serverid=192\\.0\\.2\\.254$"
check_grep "udhcpc: DNS is the host's resolver" "${U}" "^dns=192\\.0\\.2\\.254 *$"
check_grep "udhcpc: MTU from -m" "${U}" "^mtu=1500$"
check_grep "udhcpc: infinite lease" "${U}" "^lease=4294967295$"
check_grep "udhcpc: search list (option 119)" "${U}" \
	"^search=example\\.com a\\.example\\.org$"
check_grep "udhcpc: domain name" "${U}" "^domain=example\\.com$"
check_grep "udhcpc: host name (option 12)" "${U}" "^hostname=guesthost$"

udhcpc_run "${TMP}/u2" -B
check_grep "udhcpc -B (broadcast flag): bound to 192.0.2.1" "${TMP}/u2" \
	"^ip=192\\.0\\.2\\.1$"

dhcpcd_run "${TMP}/d4" -4 -T -t 15
D="${TMP}/d4"
check_grep "dhcpcd -4: offered 192.0.2.1" "${D}" "offered 192\\.0\\.2\\.1 from 192\\.0\\.2\\.254"
check_grep "dhcpcd -4: address" "${D}" "^new_ip_address='192\\.0\\.2\\.1'$"
check_grep "dhcpcd -4: routers" "${D}" "^new_routers='192\\.0\\.2\\.254'$"
check_grep "dhcpcd -4: netmask" "${D}" "^new_subnet_mask='255\\.255\\.255\\.0'$"
check_grep "dhcpcd -4: DNS" "${D}" "^new_domain_name_servers='192\\.0\\.2\\.254'$"
check_grep "dhcpcd -4: MTU" "${D}" "^new_interface_mtu='1500'$"
check_grep "dhcpcd -4: search list" "${D}" \
	"^new_domain_search='example\\.com a\\.example\\.org'$"
check_grep "dhcpcd -4: FQDN (option 81)" "${D}" "^new_fqdn='guest\\.example\\.com'$"
check_grep "dhcpcd -4: infinite lease" "${D}" "^new_dhcp_lease_time='4294967295'$"

dhcpcd_run "${TMP}/d6" -6 -T -t 20
D="${TMP}/d6"
check_grep "dhcpcd -6: RA from fe80::1" "${D}" "^nd1_from='fe80::1'$"
check_grep "dhcpcd -6: advertised 2001:db8::1" "${D}" "ADV 2001:db8::1/128 from fe80::1"
check_grep "dhcpcd -6: REPLY received" "${D}" "REPLY6 received from fe80::1"
check_grep "dhcpcd -6: IA_NA address" "${D}" \
	"^new_dhcp6_ia_na1_ia_addr1='2001:db8::1'$"
check_grep "dhcpcd -6: infinite lifetime" "${D}" \
	"^new_dhcp6_ia_na1_ia_addr1_vltime='4294967295'$"
check_grep "dhcpcd -6: DNS (option 23)" "${D}" "^new_dhcp6_name_servers='2001:db8::fe'$"
check_grep "dhcpcd -6: domain list (option 24)" "${D}" \
	"^new_dhcp6_domain_search='example\\.com a\\.example\\.org'$"
check_grep "dhcpcd -6: server DUID-LL from our MAC" "${D}" \
	"^new_dhcp6_server_id='00030001${OUR_MAC//:/}'$"

tcpdump -Z root -nn -r "${TMP}/dhcp.pcap" > "${TMP}/pcap.txt" 2>&1
check_grep "pcap: broadcast reply for the broadcast flag" "${TMP}/pcap.txt" \
	"192\\.0\\.2\\.254\\.67 > 255\\.255\\.255\\.255\\.68"
check_grep "pcap: unicast reply without it" "${TMP}/pcap.txt" \
	"192\\.0\\.2\\.254\\.67 > 192\\.0\\.2\\.1\\.68"
check_grep "pcap: DHCPv6 reply from fe80::1.547 to port 546" "${TMP}/pcap.txt" \
	"fe80::1\\.547 > fe80::[0-9a-f:]+\\.546: dhcp6 reply"
pasta_stop

# --dns-forward: the guest is told to use the forwarded address
pasta_start "${TMP}/pasta2.log" --dhcp-dns --dns-forward 198.51.100.53 ||
	check "pasta --dns-forward starts" false
udhcpc_run "${TMP}/u3"
check_grep "--dns-forward: DNS is the forwarded address" "${TMP}/u3" \
	"^dns=198\\.51\\.100\\.53"
pasta_stop

# --no-dhcp, --no-dhcpv6: no lease
pasta_start "${TMP}/pasta3.log" --no-dhcp --no-dhcpv6 ||
	check "pasta --no-dhcp starts" false
udhcpc_run "${TMP}/u4" -t 2 -T 1
check "--no-dhcp: udhcpc gets no lease" \
	sh -c "! grep -q '^event=bound' '${TMP}/u4'"
dhcpcd_run "${TMP}/d7" -6 -T -t 6
check "--no-dhcpv6: dhcpcd gets no DHCPv6 reply" \
	sh -c "! grep -q 'REPLY6 received' '${TMP}/d7'"
pasta_stop

# As an unprivileged user: pasta makes its own namespaces, udhcpc inside
if userns_ok; then
	h1 timeout 60 setpriv --reuid="${TEST_USER}" --regid="${TEST_USER}" \
		--init-groups -- "${PASTA}" -m 1500 -- sh -c "ip link set up0 up;
		timeout 20 busybox udhcpc -i up0 -f -q -n -t 3 -T 2 \
			-s '${TMP}/udhcpc.sh' > '${TMP}/u5' 2>&1" \
		> "${TMP}/pasta_user.log" 2>&1
	check_grep "user: udhcpc bound to 192.0.2.1" "${TMP}/u5" "^ip=192\\.0\\.2\\.1$"
	check_grep "user: MTU from -m" "${TMP}/u5" "^mtu=1500$"
else
	echo "# user namespaces not available to ${TEST_USER}: user part skipped"
fi

test_done
