#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/netlink_dup.sh - netlink.c against real namespaces
#
# Builds test/platform/nl_dup.c with netlink.c, nlmsg.c, log.c, util.c into
# test/build/, then:
# - in H1 (the "host": up0 with two IPv4 and three IPv6 addresses, routes
#   that depend on each other, multipath routes, one of them partly through
#   a second interface up1, 1500 more IPv6 routes so that dumps span many
#   datagrams), checks what nl_get_ext_if(), nl_route_get_def(),
#   nl_addr_get() and nl_link_get_mac() report;
# - copies MTU, MAC, up state, addresses and routes to tgt0 in namespace T
#   (nl_link_set_mtu/mac, nl_link_up, nl_addr_dup, nl_route_dup through a
#   socket opened in T by ns_call()), and compares `ip` listings of H1 and T;
# - configures tgt0 in namespace T2 from scratch (nl_addr_set,
#   nl_route_set_def), checking the namespace-side view at each step;
# - removes H1's IPv4 default route: two interfaces then have IPv4 routes
#   (no external interface), one has IPv6 routes (that one is chosen).

. "$(dirname "$0")/../lib.sh"

need_root
need_cmd ip timeout cc

SRCS="netlink.c nlmsg.c log.c util.c test/platform/nl_dup.c"
NL_DUP="${TEST_BUILD}/nl_dup"
CFLAGS_T="-std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -Wshadow \
	  -Wstrict-prototypes -Wmissing-prototypes \
	  -Wno-missing-field-initializers"
[ "${ASAN:-0}" = "1" ] &&
	CFLAGS_T="${CFLAGS_T} -fsanitize=address,undefined -fno-omit-frame-pointer"

# shellcheck disable=SC2086
(cd "${TEST_TOP}" && cc ${CFLAGS_T} ${SRCS} -o "${NL_DUP}") ||
	{ echo "not ok - build nl_dup"; echo "0 passed, 1 failed"; exit 1; }

MAC_T="02:00:00:00:00:aa"

sandbox_create
T="pt-nlt-$$"
T2="pt-nlt2-$$"
ip netns add "${T}" && LIB_SANDBOXES+=("${T}")
ip netns add "${T2}" && LIB_SANDBOXES+=("${T2}")

# H1: second interface, addresses and routes beyond the standard sandbox
ip link add up1 netns "${H1}" type veth peer name gw1 netns "${H2}"
ip -n "${H1}" link set up1 up
ip -n "${H2}" link set gw1 up
ip -n "${H1}" addr add 198.51.100.66/27 dev up1
ip -n "${H1}" addr add 192.0.2.3/24 dev up0
ip -n "${H1}" addr add 2001:db8:5::1/64 dev up0 nodad noprefixroute
ip -n "${H1}" addr add 2001:db8:8::1/48 dev up0 nodad
ip -n "${H1}" route add 198.51.100.192/27 dev up0 scope link
ip -n "${H1}" route add 198.51.100.32/27 via 198.51.100.193 dev up0
ip -n "${H1}" route add 198.51.100.16/28 via 192.0.2.254 dev up0 metric 50
ip -n "${H1}" route add 198.51.100.240/28 via 192.0.2.254 dev up0 src 192.0.2.1
ip -n "${H1}" route add 198.51.100.128/26 \
	nexthop via 192.0.2.254 dev up0 nexthop via 192.0.2.253 dev up0
ip -n "${H1}" route add 198.51.100.96/27 \
	nexthop via 192.0.2.254 dev up0 nexthop via 198.51.100.65 dev up1
ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
ip -n "${H1}" -6 route add 2001:db8:4::/64 dev up0
ip -n "${H1}" -6 route add 2001:db8:3::/64 via 2001:db8:4::1 dev up0
ip -n "${H1}" -6 route add 2001:db8:7::/64 via 2001:db8::fe dev up0 metric 77
ip -n "${H1}" -6 route add 2001:db8:9::/64 via 2001:db8::fe dev up0 expires 600
# Enough IPv6 routes for dumps spanning many datagrams (NLM_F_MULTI)
for i in $(seq 1 1500); do
	printf 'route add 2001:db8:ff:%x::/64 via 2001:db8::fe dev up0\n' "${i}"
done | ip -n "${H1}" -6 -batch -
ip -n "${H1}" -6 route add 2001:db8:6::/64 \
	nexthop via 2001:db8::fe dev up0 nexthop via 2001:db8::fd dev up0

# T and T2: tgt0, with its veth peer (up, for carrier) in H2
ip link add tgt0 netns "${T}" type veth peer name tgp0 netns "${H2}"
ip link add tgt0 netns "${T2}" type veth peer name tgq0 netns "${H2}"
ip -n "${H2}" link set tgp0 up
ip -n "${H2}" link set tgq0 up
ip -n "${T}" link set lo up
ip -n "${T2}" link set lo up

# ll6() - Link-local address of an interface
# $1:	namespace
# $2:	interface
ll6() {
	ip -n "$1" -6 -o addr show dev "$2" scope link |
		sed -n 's/.* inet6 \([^/]*\)\/.*/\1/p' | head -n1
}

# first6() - First global IPv6 address of an interface, as listed, ADDR/LEN
# $1:	namespace
# $2:	interface
first6() {
	ip -n "$1" -6 -o addr show dev "$2" scope global |
		sed -n 's/.* inet6 \([^ ]*\) .*/\1/p' | head -n1
}

# mac() - MAC address of an interface
# $1:	namespace
# $2:	interface
mac() {
	ip -n "$1" -o link show dev "$2" | sed -n 's/.*link\/ether \([^ ]*\).*/\1/p'
}

# val() - Value of a key in nl_dup output
# $1:	output file
# $2:	key
val() {
	sed -n "s/^$2 //p" "$1" | head -n1
}

# val_in() - Value of a key in one section ("# name") of nl_dup output
# $1:	output file
# $2:	section
# $3:	key
val_in() {
	sed -n "/^# $2\$/,/^# /p" "$1" | sed -n "s/^$3 //p" | head -n1
}

# addrs() - Global addresses of an interface, "ADDR/LEN [noprefixroute]"
# $1:	namespace
# $2:	family option, -4 or -6
# $3:	interface
addrs() {
	ip -n "$1" "$2" -o addr show dev "$3" scope global |
		sed 's/.* inet6\? \([^ ]*\) .*/\1 &/' |
		awk '{ printf "%s%s\n", $1, (/noprefixroute/ ? " noprefixroute" : "") }' |
		sort
}

# routes() - Main table routes, one per line, interface renamed to IF
# $1:	namespace
# $2:	family option, -4 or -6
# $3:	interface to rename
routes() {
	ip -o -n "$1" "$2" route show table main | sed "s/dev $3 /dev IF /g" |
		sed 's/[[:space:]]\+/ /g; s/ $//' | sort
}

# --- Host-side queries in H1 -------------------------------------------------
OUT="${TMP}/info_h1"
timeout 60 ip netns exec "${H1}" "${NL_DUP}" info > "${OUT}" 2>&1
check "info in H1 runs" test -s "${OUT}"
check_eq "H1: IPv4 external interface" "$(val "${OUT}" ext4)" "up0"
check_eq "H1: IPv4 default gateway" "$(val "${OUT}" gw4)" "192.0.2.254"
check_eq "H1: IPv4 address" "$(val "${OUT}" addr4)" "192.0.2.1/24"
check_eq "H1: IPv6 external interface" "$(val "${OUT}" ext6)" "up0"
check_eq "H1: IPv6 default gateway" "$(val "${OUT}" gw6)" "2001:db8::fe"
check_eq "H1: IPv6 address, first listed" "$(val "${OUT}" addr6)" \
	"$(first6 "${H1}" up0)"
check_eq "H1: IPv6 link-local address" "$(val "${OUT}" ll6)" \
	"$(ll6 "${H1}" up0)"
check_eq "H1: MAC address" "$(val "${OUT}" mac4)" "$(mac "${H1}" up0)"

# --- Copy to T ---------------------------------------------------------------
OUT="${TMP}/dup"
timeout 60 ip netns exec "${H1}" "${NL_DUP}" dup "/run/netns/${T}" tgt0 \
	1400 "${MAC_T}" > "${OUT}" 2>&1
RC=$?
check_eq "dup: exit status" "${RC}" "0"
for step in set_mtu set_mac link_up addr_dup4 addr_dup6 route_dup4 \
	    route_dup6 route_dup4_again; do
	check_eq "dup: ${step}" "$(val "${OUT}" "${step}")" "ok"
done

LINK="$(ip -n "${T}" -o link show dev tgt0)"
check "T: MTU 1400" grep -q " mtu 1400 " <<< "${LINK}"
check "T: MAC ${MAC_T}" grep -q "link/ether ${MAC_T} " <<< "${LINK}"
check "T: link up" grep -q "<[^>]*,UP[,>]" <<< "${LINK}"

check_eq "T: IPv4 addresses and prefix lengths" \
	"$(addrs "${T}" -4 tgt0 | tr '\n' ' ')" \
	"$(addrs "${H1}" -4 up0 | tr '\n' ' ')"
check_eq "T: IPv6 addresses, prefix lengths, noprefixroute" \
	"$(addrs "${T}" -6 tgt0 | tr '\n' ' ')" \
	"$(addrs "${H1}" -6 up0 | tr '\n' ' ')"
check "T: 2001:db8:5::1/64 has noprefixroute" \
	grep -q "2001:db8:5::1/64 noprefixroute" <<< "$(addrs "${T}" -6 tgt0)"
check "T: no link-local address copied from H1" \
	test -z "$(ip -n "${T}" -6 -o addr show dev tgt0 | grep -F "$(ll6 "${H1}" up0) ")"

# IPv4: all of H1's routes but those on up1 and the mixed multipath one
EXP4="$(routes "${H1}" -4 up0 | grep -v -e 'dev up1' -e '^198\.51\.100\.96/27')"
GOT4="$(routes "${T}" -4 tgt0 | grep -v '^198\.51\.100\.96/27')"
check_eq "T: IPv4 routes match H1's (up0 only)" "${GOT4}" "${EXP4}"
check "T: multipath 198.51.100.128/26 has both hops" \
	grep -q "nexthop via 192.0.2.253 dev IF" \
	<<< "$(routes "${T}" -4 tgt0 | grep '^198\.51\.100\.128/26')"
check_eq "T: mixed multipath keeps only the up0 hop" \
	"$(routes "${T}" -4 tgt0 | grep '^198\.51\.100\.96/27')" \
	"198.51.100.96/27 via 192.0.2.254 dev IF"
check "T: dependent route 198.51.100.32/27 copied" \
	grep -q "^198.51.100.32/27 via 198.51.100.193 dev IF" <<< "${GOT4}"
check "T: metric 50 kept" \
	grep -q "^198.51.100.16/28 via 192.0.2.254 dev IF metric 50" <<< "${GOT4}"

EXP6="$(routes "${H1}" -6 up0 | grep -v -e 'dev up1' -e '^2001:db8:9::/64')"
GOT6="$(routes "${T}" -6 tgt0 | grep -v '^2001:db8:9::/64')"
check_eq "T: IPv6 routes match H1's (up0 only)" "${GOT6}" "${EXP6}"
check "T: IPv6 dependent route 2001:db8:3::/64 copied" \
	grep -q "^2001:db8:3::/64 via 2001:db8:4::1 dev IF" <<< "${GOT6}"
check_eq "T: IPv6 route with expiry copied, without it" \
	"$(routes "${T}" -6 tgt0 | grep '^2001:db8:9::/64')" \
	"2001:db8:9::/64 via 2001:db8::fe dev IF metric 1024 pref medium"
check "T: preferred source kept" \
	grep -q "^198.51.100.240/28 via 192.0.2.254 dev IF src 192.0.2.1" \
	<<< "${GOT4}"
check_eq "T: all 1500 bulk IPv6 routes copied" \
	"$(routes "${T}" -6 tgt0 | grep -c '^2001:db8:ff:')" "1500"
check "T: IPv6 multipath route copied" \
	grep -q "^2001:db8:6::/64 .*nexthop via 2001:db8::fd dev IF" <<< "${GOT6}"

OUT="${TMP}/info_t"
timeout 60 ip netns exec "${T}" "${NL_DUP}" info > "${OUT}" 2>&1
check_eq "T: IPv4 external interface" "$(val "${OUT}" ext4)" "tgt0"
check_eq "T: IPv4 default gateway" "$(val "${OUT}" gw4)" "192.0.2.254"
check_eq "T: IPv4 address" "$(val "${OUT}" addr4)" "192.0.2.1/24"
check_eq "T: IPv6 external interface" "$(val "${OUT}" ext6)" "tgt0"
check_eq "T: IPv6 default gateway" "$(val "${OUT}" gw6)" "2001:db8::fe"
check_eq "T: IPv6 address, same first one as H1" "$(val "${OUT}" addr6)" \
	"$(first6 "${H1}" up0)"
check_eq "T: IPv6 addresses listed in H1's order" \
	"$(ip -n "${T}" -6 -o addr show dev tgt0 scope global | awk '{print $4}')" \
	"$(ip -n "${H1}" -6 -o addr show dev up0 scope global | awk '{print $4}')"
check_eq "T: IPv6 link-local address" "$(val "${OUT}" ll6)" \
	"$(ll6 "${T}" tgt0)"
check_eq "T: MAC address" "$(val "${OUT}" mac4)" "${MAC_T}"

# --- Set-up from scratch in T2 -----------------------------------------------
OUT="${TMP}/set"
timeout 60 ip netns exec "${H1}" "${NL_DUP}" set "/run/netns/${T2}" tgt0 \
	> "${OUT}" 2>&1
RC=$?
check_eq "set: exit status" "${RC}" "0"
for step in link_up addr_set4 addr_set6 route_set4 route_set6 route_dup4 \
	    route_dup6; do
	check_eq "set: ${step}" "$(val "${OUT}" "${step}")" "ok"
done
check_eq "T2 before: no IPv4 external interface" \
	"$(val_in "${OUT}" before ext4)" "none"
check_eq "T2 before: no IPv6 external interface (lo, link-local skipped)" \
	"$(val_in "${OUT}" before ext6)" "none"
check_eq "T2 addresses: IPv4 external interface, only one with routes" \
	"$(val_in "${OUT}" addresses ext4)" "tgt0"
check_eq "T2 addresses: no IPv4 default gateway" \
	"$(val_in "${OUT}" addresses gw4)" "none"
check_eq "T2 addresses: IPv6 external interface (::1 on lo skipped)" \
	"$(val_in "${OUT}" addresses ext6)" "tgt0"
check_eq "T2 addresses: IPv4 address" \
	"$(val_in "${OUT}" addresses addr4)" "192.0.2.77/24"
check_eq "T2 addresses: IPv6 address" \
	"$(val_in "${OUT}" addresses addr6)" "2001:db8::77/64"
check_eq "T2 routes: IPv4 default gateway" \
	"$(val_in "${OUT}" routes gw4)" "192.0.2.254"
check_eq "T2 routes: IPv6 default gateway" \
	"$(val_in "${OUT}" routes gw6)" "2001:db8::fe"
check "T2: ip shows IPv4 default route" \
	grep -q "^default via 192.0.2.254 dev tgt0" \
	<<< "$(ip -n "${T2}" -4 route show default)"
check "T2: ip shows IPv6 default route" \
	grep -q "^default via 2001:db8::fe dev tgt0" \
	<<< "$(ip -n "${T2}" -6 route show default)"
check_eq "T2: route copied without the preferred source it lacks" \
	"$(ip -n "${T2}" -4 route show 198.51.100.240/28 | sed 's/ *$//')" \
	"198.51.100.240/28 via 192.0.2.254 dev tgt0"
check "T2: dependent route copied as well" \
	grep -q "^198.51.100.32/27 via 198.51.100.193 dev tgt0" \
	<<< "$(ip -n "${T2}" -4 route show)"
check "T2: IPv6 routes copied" \
	grep -q "^2001:db8:3::/64 via 2001:db8:4::1 dev tgt0" \
	<<< "$(ip -n "${T2}" -6 route show)"
check "T2: IPv6 address without DAD (not tentative)" \
	test -z "$(ip -n "${T2}" -6 addr show dev tgt0 tentative | grep 2001:db8::77)"

# --- No default route in H1 --------------------------------------------------
ip -n "${H1}" -4 route del default
ip -n "${H1}" -6 route del default
OUT="${TMP}/info_h1_nodef"
timeout 60 ip netns exec "${H1}" "${NL_DUP}" info > "${OUT}" 2>&1
check_eq "H1 without default: IPv4 routes on two interfaces, none chosen" \
	"$(val "${OUT}" ext4)" "none"
check_eq "H1 without default: IPv6 routes only on up0, chosen" \
	"$(val "${OUT}" ext6)" "up0"
check_eq "H1 without default: no IPv6 gateway" "$(val "${OUT}" gw6)" "none"

test_done
