#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/pasta_ndp.sh - pasta: Router and Neighbour Advertisements
#
# In a sandbox (see test/lib.sh), pasta runs WITHOUT --config-net, attached
# to a namespace G of its own (--netns), whose kernel takes router
# advertisements (accept_ra, autoconf) on the tap. Then: rdisc6 gets an RA
# from fe80::1 with the prefix 2001:db8::/64 (on-link, autonomous), the MTU
# (-m), the resolver (RDNSS) and search list (DNSSL) and our MAC as source
# link-layer address; the kernel forms its SLAAC address and a default
# route via fe80::1, and its link-local and SLAAC addresses pass duplicate
# address detection (our DAD probe handling), as does an address added by
# hand, while a probe for our own fe80::1 is answered; ndisc6 resolves the
# gateway and our link-local address to our MAC; the capture shows hop
# limit 255.
# With --no-ra no RA comes, while neighbours still resolve.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip rdisc6 ndisc6 tcpdump

OUR_MAC="9A:55:9A:55:9A:55"

sandbox_create
guest_ns_create "pt-g-$$" || exit 1

# pasta_start() - Start pasta in H1 for namespace G, configure the tap for
# router advertisements and bring it up
# $1:	log file
# $2..:	pasta options
pasta_start() {
	local log="$1"
	shift

	bg_start "${log}" h1 timeout 250 "${PASTA}" -f "$@" \
		--netns "/run/netns/${G}"
	PASTA_JOB="${BG_PID}"
	WAIT_TRIES=400 wait_for ip -n "${G}" link show up0 || return 1
	ip netns exec "${G}" sysctl -qw net.ipv6.conf.up0.accept_ra=1 \
		net.ipv6.conf.up0.autoconf=1 net.ipv6.conf.up0.accept_dad=1
	ip -n "${G}" link set up0 up
	WAIT_TRIES=400 wait_for ll_ready
}

# ll_ready() - Has the tap a link-local address past DAD (usable source)?
ll_ready() {
	ip -n "${G}" -6 addr show dev up0 scope link | grep -q "inet6 fe80::" &&
	! ip -n "${G}" -6 addr show dev up0 scope link | grep -q tentative
}

# pasta_stop() - Stop the pasta started last, wait until its tap is gone
pasta_stop() {
	kill $(lib_tree "${PASTA_JOB}") 2>/dev/null
	WAIT_TRIES=400 wait_for sh -c "! ip -n '${G}' link show up0"
}


# slaac_ok() - Is there a global 2001:db8::/64 address, DAD complete?
slaac_ok() {
	g ip -6 addr show dev up0 scope global | grep -q "inet6 2001:db8::" &&
	! g ip -6 addr show dev up0 | grep -q tentative
}

pasta_start "${TMP}/pasta.log" --pcap "${TMP}/ndp.pcap" -m 1500 \
	--dhcp-dns --dhcp-search -S "example.com a.example.org" ||
	{ check "pasta starts" false; cat "${TMP}/pasta.log"; test_done; }

g timeout 10 rdisc6 -1 -w 2000 -r 3 up0 > "${TMP}/rdisc6" 2>&1
R="${TMP}/rdisc6"
check_grep "rdisc6: RA from fe80::1" "${R}" "^ from fe80::1$"
check_grep "rdisc6: prefix 2001:db8::/64" "${R}" "^ Prefix +: 2001:db8::/64$"
check_grep "rdisc6: prefix on-link" "${R}" "^  On-link +: +Yes$"
check_grep "rdisc6: prefix autonomous" "${R}" "^  Autonomous address conf\\.: +Yes$"
check_grep "rdisc6: MTU 1500" "${R}" "^ MTU +: +1500 bytes"
check_grep "rdisc6: RDNSS is the host's resolver" "${R}" \
	"^ Recursive DNS server +: 2001:db8::fe$"
check_grep "rdisc6: DNSSL example.com a.example.org" "${R}" \
	"^ DNS search list +: example\\.com a\\.example\\.org *$"
check_grep "rdisc6: source link-layer address is our MAC" "${R}" \
	"^ Source link-layer address: ${OUR_MAC}$"
check_grep "rdisc6: Managed flag (DHCPv6)" "${R}" \
	"^Stateful address conf\\. +: +Yes$"

WAIT_TRIES=400 check "SLAAC address formed, DAD passed" wait_for slaac_ok
g ip -6 addr show dev up0 > "${TMP}/addr6"
check "no address failed DAD" sh -c "! grep -q dadfailed '${TMP}/addr6'"
check_grep "link-local address present" "${TMP}/addr6" "inet6 fe80::[0-9a-f:]+/64 scope link"
WAIT_TRIES=400 check "default route via fe80::1 from the RA" \
	wait_for sh -c "ip -n '${G}' -6 route show default | grep -q 'via fe80::1 dev up0'"

# Explicit DAD: an address of the guest's own passes, ours (fe80::1) fails
# dad_done() - Has DAD finished for an address?
# $1:	address
dad_done() {
	! ip -n "${G}" -6 addr show dev up0 | grep "inet6 $1/" | grep -q tentative
}
g ip -6 addr add 2001:db8::1234/64 dev up0
g ip -6 addr add fe80::1/64 dev up0
WAIT_TRIES=400 wait_for dad_done 2001:db8::1234
WAIT_TRIES=400 wait_for dad_done fe80::1
g ip -6 addr show dev up0 > "${TMP}/dad"
check_grep "DAD: the guest's 2001:db8::1234 is not answered, stays" "${TMP}/dad" \
	"inet6 2001:db8::1234/64 scope global( |$)"
check "DAD: 2001:db8::1234 did not fail" \
	sh -c "! grep '2001:db8::1234/' '${TMP}/dad' | grep -q dadfailed"
check_grep "DAD: our fe80::1 is answered, fails" "${TMP}/dad" \
	"inet6 fe80::1/64 scope link .*dadfailed"
g ip -6 addr del fe80::1/64 dev up0

g timeout 10 ndisc6 -1 -w 2000 -r 3 2001:db8::fe up0 > "${TMP}/ndisc_gw" 2>&1
check_grep "ndisc6: gateway resolves to our MAC" "${TMP}/ndisc_gw" \
	"^Target link-layer address: ${OUR_MAC}$"
g timeout 10 ndisc6 -1 -w 2000 -r 3 fe80::1 up0 > "${TMP}/ndisc_ll" 2>&1
check_grep "ndisc6: fe80::1 resolves to our MAC" "${TMP}/ndisc_ll" \
	"^Target link-layer address: ${OUR_MAC}$"
g timeout 10 ndisc6 -1 -w 2000 -r 3 2001:db8::77 up0 > "${TMP}/ndisc_x" 2>&1
check_grep "ndisc6: any other address resolves to our MAC" "${TMP}/ndisc_x" \
	"^Target link-layer address: ${OUR_MAC}$"

pasta_stop
tcpdump -Z root -nn -v -r "${TMP}/ndp.pcap" icmp6 > "${TMP}/pcap.txt" 2>&1
check_grep "pcap: RA with hop limit 255" "${TMP}/pcap.txt" \
	"hlim 255, next-header ICMPv6.*fe80::1 > [0-9a-f:]+: \\[icmp6 sum ok\\] ICMP6, router advertisement"
check_grep "pcap: NA with hop limit 255, checksum ok" "${TMP}/pcap.txt" \
	"hlim 255, next-header ICMPv6.*: \\[icmp6 sum ok\\] ICMP6, neighbor advertisement"
check_grep "pcap: non-zero flow label on our frames" "${TMP}/pcap.txt" \
	"flowlabel 0x[0-9a-f]*[1-9a-f][0-9a-f]*, hlim 255"

# --no-ra: no RA, NA still works
pasta_start "${TMP}/pasta2.log" --no-ra ||
	check "pasta --no-ra starts" false
g timeout 10 rdisc6 -1 -w 1000 -r 2 up0 > "${TMP}/rdisc6_nora" 2>&1
check "--no-ra: no router advertisement" \
	sh -c "! grep -q 'from fe80::1' '${TMP}/rdisc6_nora'"
g timeout 10 ndisc6 -1 -w 2000 -r 3 2001:db8::fe up0 > "${TMP}/ndisc_nora" 2>&1
check_grep "--no-ra: gateway still resolves" "${TMP}/ndisc_nora" \
	"^Target link-layer address: ${OUR_MAC}$"
pasta_stop

test_done
