#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/launch_libvirt.sh - passt as libvirt runs it
#
# libvirt (9.0 and later) starts passt for an interface with the passt
# back-end and waits for it to return (passt forks to the background):
#
#   passt --one-off --socket PATH --pid FILE --mtu N --interface DEV
#         --log-file F --hostname H --fqdn F --address A --netmask P
#         --mac-addr MAC --tcp-ports ADDR%DEV/H:G --udp-ports ...
#
# where --mac-addr is the guest's own MAC address, one --tcp-ports or
# --udp-ports per <portForward> element, standard input and output
# /dev/null, and standard error a pipe it closes without reading. Then
# qemu connects to the socket.
#
# In a sandbox (see test/lib.sh), passt runs so in H1, as root (it drops
# to nobody), with standard error a pipe whose reader has gone, and
# test/tools/passt_tap plays the guest in namespace G, its tap device
# carrying the same MAC address as passt. Checked: passt returns 0 with
# the PID file naming it and its log file written; busybox udhcpc gets the
# lease (address, netmask, router, MTU, host name); then, bytes compared
# end to end: TCP and UDP forwarded in from H2 to ADDR%DEV, one option
# per address as libvirt gives them, IPv4 and IPv6 (replies from the
# address and port sent to), TCP and UDP out from the guest to H2 over
# both; at last, the guest leaving ends passt
# (--one-off, bounded poll).

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout busybox

ECHO="$(build_tool udp_echo)" || { echo "cannot build udp_echo"; exit 1; }
PT="$(build_tool passt_tap)" || { echo "cannot build passt_tap"; exit 1; }
DATA="${TMP}/data"
head -c $((1 << 20)) /dev/urandom > "${DATA}"
MAC="52:54:00:6c:76:01"
SOCK="${TMP}/libvirt-net0.socket"
PIDF="${TMP}/libvirt-net0-passt.pid"

sandbox_create
ip -n "${H2}" addr add 2001:db8:1::1/128 dev lo
ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
guest_ns_create "pt-lv-$$" || exit 1
tcp_echo_server "${H2}" 7000
bg_start "${TMP}/h2u4.log" h2 "${ECHO}" server 198.51.100.1 7000
bg_start "${TMP}/h2u6.log" h2 "${ECHO}" server 2001:db8:1::1 7000
wait_port "${H2}" tcp 7000
wait_port "${H2}" udp 7000

# A pipe for standard error whose reader has gone, as libvirt leaves it
exec {EPIPE}> >(:)
wait $!
check "standard error: a pipe without reader (a write fails)" \
	sh -c "! (echo x >&${EPIPE}) 2>/dev/null"

h1 timeout 30 "${PASST}" --one-off --socket "${SOCK}" --pid "${PIDF}" \
	--mtu 1500 --interface up0 --log-file "${TMP}/passt.log" \
	--hostname guest --fqdn guest.example.org \
	--address 192.0.2.10 --netmask 24 --mac-addr "${MAC}" \
	--tcp-ports 192.0.2.1%up0/2222:22 --tcp-ports 2001:db8::1%up0/2222:22 \
	--udp-ports 192.0.2.1%up0/5353:53 --udp-ports 2001:db8::1%up0/5353:53 \
	< /dev/null > /dev/null 2>&${EPIPE}
check_eq "passt returns 0" "$?" 0
exec {EPIPE}>&-
PASST_PID="$(cat "${PIDF}" 2>/dev/null)"
check "the PID file names the running passt" kill -0 "${PASST_PID:-x}"
check "the socket is there" test -S "${SOCK}"
check_grep "the log file is written" "${TMP}/passt.log" "TCP inbound: 2222"
check_eq "2222 and 5353 bound to the two addresses given only" \
	"$(ss -N "${H1}" -Hlntu 'sport = :2222 or sport = :5353' |
	   awk '{ print $1, $5 }' | sort | tr '\n' ' ')" \
	"tcp 192.0.2.1%up0:2222 tcp [2001:db8::1]%up0:2222 udp 192.0.2.1%up0:5353 udp [2001:db8::1]%up0:5353 "

bg_start "${TMP}/pt.log" g "${PT}" "${SOCK}" tap0
PT_JOB="${BG_PID}"
check "the guest connects" wait_for ip -n "${G}" link show tap0 ||
	{ cat "${TMP}/pt.log"; test_done; }
g sysctl -qw net.ipv6.conf.tap0.accept_ra=0
ip -n "${G}" link set tap0 address "${MAC}" mtu 1500 up

cat > "${TMP}/udhcpc.sh" <<'EOF'
#!/bin/sh
echo "event=$1"
env | grep -E '^(ip|subnet|router|mtu|hostname)=' | sort
EOF
chmod 0755 "${TMP}/udhcpc.sh"
g timeout 20 busybox udhcpc -i tap0 -f -q -n -t 3 -T 2 \
	-s "${TMP}/udhcpc.sh" > "${TMP}/lease" 2>&1
check_grep "DHCP: lease of --address" "${TMP}/lease" "^ip=192\\.0\\.2\\.10$"
check_grep "DHCP: --netmask 24" "${TMP}/lease" "^subnet=255\\.255\\.255\\.0$"
check_grep "DHCP: router" "${TMP}/lease" "^router=192\\.0\\.2\\.254$"
check_grep "DHCP: --mtu 1500" "${TMP}/lease" "^mtu=1500$"
check_grep "DHCP: --hostname" "${TMP}/lease" "^hostname=guest$"

ip -n "${G}" addr add 192.0.2.10/24 dev tap0
ip -n "${G}" addr add 2001:db8::1/64 dev tap0 nodad
ip -n "${G}" route add default via 192.0.2.254 dev tap0
ip -n "${G}" -6 route add default via 2001:db8::fe dev tap0

tcp_echo_server "${G}" 22
bg_start "${TMP}/gu4.log" g "${ECHO}" server 0.0.0.0 53
bg_start "${TMP}/gu6.log" g "${ECHO}" server :: 53
wait_port "${G}" tcp 22
wait_port "${G}" udp 53

check "TCP in: H2 to 192.0.2.1:2222, 1 MiB echoed by the guest" \
	tcp_echo_ok "${H2}" 192.0.2.1 2222 "${DATA}"
check "TCP in: H2 to [2001:db8::1]:2222, 1 MiB echoed by the guest" \
	tcp_echo_ok "${H2}" "[2001:db8::1]" 2222 "${DATA}"
check "UDP in: H2 to 192.0.2.1:5353, replies from 5353" \
	h2 timeout 30 "${ECHO}" client 192.0.2.1 5353 200 0
check "UDP in: H2 to [2001:db8::1]:5353, replies from 5353" \
	h2 timeout 30 "${ECHO}" client 2001:db8::1 5353 200 0
check "TCP out: guest to H2 over IPv4, 1 MiB echoed" \
	tcp_echo_ok "${G}" 198.51.100.1 7000 "${DATA}"
check "TCP out: guest to H2 over IPv6, 1 MiB echoed" \
	tcp_echo_ok "${G}" "[2001:db8:1::1]" 7000 "${DATA}"
check "UDP out: guest to H2 over IPv4, 200 datagrams echoed" \
	g timeout 30 "${ECHO}" client 198.51.100.1 7000 200 0
check "UDP out: guest to H2 over IPv6, 200 datagrams echoed" \
	g timeout 30 "${ECHO}" client 2001:db8:1::1 7000 200 0
check_grep "one MAC on both ends: the gateway resolves to it" \
	<(ip -n "${G}" neigh show 192.0.2.254) "lladdr ${MAC}"

bg_stop "${PT_JOB}"
WAIT_TRIES=100 WAIT_STEP=0.05 check "--one-off: passt exits when the guest leaves" \
	wait_gone "${PASST_PID:-x}"

test_done
