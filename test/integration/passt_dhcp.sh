#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/passt_dhcp.sh - passt: DHCP, DHCPv6 and NDP for a guest
#
# In a sandbox (see test/lib.sh), start passt -f -s SOCK in H1 and play the
# guest with test/tools/qemu_client (qemu's stream framing):
# - "dhcp" runs DISCOVER/OFFER/REQUEST/ACK: the lease has the host's
#   address, netmask, gateway as router and server, the host's resolver,
#   MTU 65520, infinite lease and the -S search list encoded as RFC 3397
#   option 119 (byte for byte);
# - "rs" gets a Router Advertisement from fe80::1 and our MAC, with the
#   Managed and Other flags, prefix 2001:db8::/64 on-link and autonomous,
#   MTU, RDNSS and DNSSL;
# - a hand-made DHCPv6 SOLICIT with Rapid Commit gets a REPLY with our
#   DUID-LL and the host's IPv6 address;
# - hand-made frames: a REQUEST for a wrong address gets a broadcast NAK,
#   an INFORM an ACK to its ciaddr without address or lease time, a
#   RELEASE nothing;
# - truncated and malformed DHCP requests get no reply, are counted
#   (--stats), and passt keeps serving leases.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip cc

OUR_MAC="9a:55:9a:55:9a:55"
# example.com, a.example.org in DNS wire format (no compression possible)
SEARCH_HEX="076578616d706c6503636f6d000161076578616d706c65036f726700"

QC="$(build_tool qemu_client)" || { echo "cannot build qemu_client"; exit 1; }

sandbox_create

SOCK="${TMP}/passt.sock"
bg_start "${TMP}/passt.log" h1 "${PASST}" -f -s "${SOCK}" --stats 1 \
	-S "example.com a.example.org"
WAIT_TRIES=400 check "passt creates its socket" wait_file "${SOCK}" ||
	{ cat "${TMP}/passt.log"; test_done; }

# DHCP lease
"${QC}" -t 2 dhcp "${SOCK}" > "${TMP}/dhcp" 2>&1
LEASE="yiaddr=192\\.0\\.2\\.1 server=192\\.0\\.2\\.254 netmask=255\\.255\\.255\\.0 router=192\\.0\\.2\\.254 dns=192\\.0\\.2\\.254 mtu=65520 lease=4294967295 search=${SEARCH_HEX}"
check_grep "DHCP: OFFER with the host's configuration" "${TMP}/dhcp" \
	"^offer lease ${LEASE}$"
check_grep "DHCP: ACK with the host's configuration" "${TMP}/dhcp" \
	"^ack lease ${LEASE}$"

# Router Advertisement
"${QC}" -t 2 rs "${SOCK}" > "${TMP}/rs" 2>&1
check_grep "RS: RA from fe80::1, our MAC, M and O flags" "${TMP}/rs" \
	"^ra src=fe80::1 eth_src=${OUR_MAC} hop_limit=64 flags=0xc0 lifetime=65535 "
check_grep "RA: prefix 2001:db8::/64 on-link, autonomous, infinite" "${TMP}/rs" \
	" prefix=2001:db8::/64 prefix_flags=0xc0 valid=4294967295 preferred=4294967295"
check_grep "RA: MTU, source link-layer address, RDNSS" "${TMP}/rs" \
	" mtu=65520 slla=${OUR_MAC} rdnss=2001:db8::fe "
check_grep "RA: DNSSL example.com a.example.org" "${TMP}/rs" \
	" dnssl=${SEARCH_HEX}(00)*$"
check_grep "RA: frame has hop limit 255" "${TMP}/rs" \
	"^frame: [0-9a-f]{28}6[0-9a-f]{7}[0-9a-f]{4}3aff"

# DHCPv6 SOLICIT with Rapid Commit (UDP checksum 0: not verified on input)
cat > "${TMP}/solicit.hex" <<'EOF'
# Ethernet, IPv6 fe80::5054:ff:fe12:3456 > ff02::1:2, UDP 546 > 547
333300010002 525400123456 86dd
6000000000341101 fe80000000000000505400fffe123456 ff020000000000000000000000010002
0222 0223 0034 0000
# SOLICIT, client ID (DUID-LL), elapsed time, IA_NA 7, rapid commit
01123456 0001000a00030001525400123456 000800020000
0003000c000000070000000000000000 000e0000
EOF
grep -v '^#' "${TMP}/solicit.hex" | tr -d ' \n' > "${TMP}/solicit.one"
echo >> "${TMP}/solicit.one"
"${QC}" -t 1 raw "${SOCK}" "${TMP}/solicit.one" > "${TMP}/dhcpv6" 2>&1
# Reply: UDP 547 > 546, then REPLY (07) with our xid
check_grep "DHCPv6: REPLY to the rapid-commit SOLICIT, from fe80::1" "${TMP}/dhcpv6" \
	"^recv: 5254001234569a559a559a5586dd6[0-9a-f]{11}11fffe800000000000000000000000000001fe80000000000000505400fffe12345602230222[0-9a-f]{8}07123456"
check_grep "DHCPv6: server DUID-LL from our MAC" "${TMP}/dhcpv6" \
	"0002000a000300019a559a559a55"
check_grep "DHCPv6: IA_NA 7 with 2001:db8::1, infinite" "${TMP}/dhcpv6" \
	"0003002800000007ffffffffffffffff0005001820010db8000000000000000000000001ffffffffffffffff"
check_grep "DHCPv6: rapid commit option" "${TMP}/dhcpv6" "000e0000"

# dhcp_raw() - Send one hand-made DHCP frame, keep the DHCP replies
# $1:	hex frame
# $2:	output file: "recv: HEX" lines of UDP 67 > 68 frames
dhcp_raw() {
	echo "$1" > "${TMP}/one.hex"
	"${QC}" -t 1 raw "${SOCK}" "${TMP}/one.hex" 2>&1 |
		grep -E '^recv: [0-9a-f]{68}00430044' > "$2"
}

# REQUEST (INIT-REBOOT) for 192.0.2.77: NAK, broadcast, no address
dhcp_raw "ffffffffffff52540012345608004500011600000000401179d800000000ffffffff0044004301020000010106000a0b0c0d000000000000000000000000000000000000000052540012345600000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000638253633501033204c000024dff" "${TMP}/nak"
check_grep "REQUEST for a wrong address: NAK, broadcast, no yiaddr" "${TMP}/nak" \
	"^recv: 5254001234569a559a559a550800[0-9a-f]{24}c00002feffffffff00430044[0-9a-f]{8}020106000a0b0c0d0000000000000000000000000000000000000000525400123456[0-9a-f]*63825363350106"
# INFORM from 192.0.2.1: ACK to ciaddr, no yiaddr, no lease time
dhcp_raw "ffffffffffff525400123456080045000110000000004011b7dcc0000201ffffffff0044004300fc0000010106000e0e0e0e00000000c00002010000000000000000000000005254001234560000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000063825363350108ff" "${TMP}/inform"
check_grep "INFORM: ACK to ciaddr with configuration, no yiaddr" "${TMP}/inform" \
	"^recv: 5254001234569a559a559a550800[0-9a-f]{24}c00002fec000020100430044[0-9a-f]{8}020106000e0e0e0e00000000c000020100000000[0-9a-f]*63825363350105.*0104ffffff00"
check "INFORM: no lease time option" \
	sh -c "! grep -q '3304ffffffff' '${TMP}/inform'"
# RELEASE: nothing to answer
dhcp_raw "ffffffffffff525400123456080045000116000000004011f4d7c0000201c00002fe0044004301020000010106000f0f0f0f00000000c000020100000000000000000000000052540012345600000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000638253633501073604c00002feff" "${TMP}/release"
check "RELEASE: no reply" test ! -s "${TMP}/release"

# Malformed requests: no reply, counted, passt still serves
cat > "${TMP}/bad.hex" <<'EOF'
# BOOTP request cut at 100 bytes
ffffffffffff5254001234560800450000800000000040117a6e00000000ffffffff00440043006c000001010600010203040000000000000000000000000000000000000000525400123456000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000
# host name option (12) claiming 200 bytes, 2 present
ffffffffffff52540012345608004500011400000000401179da00000000ffffffff00440043010000000101060001020304000000000000000000000000000000000000000052540012345600000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000638253633501010cc80102ff
EOF
"${QC}" -t 1 raw "${SOCK}" "${TMP}/bad.hex" > "${TMP}/bad" 2>&1
check "malformed DHCP: no reply" sh -c "! grep -q '^recv: ' '${TMP}/bad'"
# drops_seen() - Has --stats reported the two dropped DHCP requests?
drops_seen() {
	grep -Eq "dhcp ([2-9]|[1-9][0-9]+) " "${TMP}/passt.log"
}
WAIT_TRIES=200 check "malformed DHCP: counted in the DHCP drop counter" \
	wait_for drops_seen
"${QC}" -t 2 dhcp "${SOCK}" > "${TMP}/dhcp2" 2>&1
check_grep "after malformed requests: lease still served" "${TMP}/dhcp2" \
	"^ack lease yiaddr=192\\.0\\.2\\.1 "

test_done
