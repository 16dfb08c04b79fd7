#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/passt_vu_client.sh - passt --vhost-user, without a VM
#
# In a sandbox (see test/lib.sh), passt -f --vhost-user runs in H1;
# test/tools/vu_client plays qemu from a namespace G (memfd guest memory,
# one RX and one TX split virtqueue) and bridges the queues to a tap device
# there, so G's kernel plays the guest. One passt serves four front-ends
# in turn, each connecting once the one before has gone (reconnect):
#   offl    every offload (CSUM, GUEST_CSUM, HOST/GUEST_TSO4/6, MRG_RXBUF,
#           EVENT_IDX), guest MTU 1500: the guest hands over 64 KiB TSO
#           frames, and passt is expected to hand it frames larger than
#           the MTU too;
#   nooffl  vu_client --no-offload, MTU 1500: no GSO frame, none beyond
#           the MTU, either way; TX chains in indirect tables; vu_client
#           discards 8 frames of TCP data from passt (--rx-lose), which
#           passt must resend from its socket into the guest's buffers
#           (tcp_retrans), each one's bytes coming again (rx_resent);
#   chains  MTU 65520, the TX header in a descriptor of its own, 4 KiB TX
#           buffers (chains of 17), 1 KiB merged RX buffers, one region:
#           a 64 KiB frame to the guest takes 65 of them; 50 datagrams of
#           60000 bytes each way, over 15 TX buffers;
#   hostile vu_client --hostile --indirect --tx-seg 2048: before any
#           good frame, nine bad TX chains (a loop, buffers outside the memory table or
#           beyond their region, next and head indices beyond the ring,
#           indirect tables of a bad length, outside memory, nested, or
#           left by their next index), which passt must drop, not follow,
#           and count once each under its reason (--stats: vu_tx_drop_*),
#           and a chain shorter than the virtio-net header (vu_tx_bad_len
#           and tap_drop_short). Its TX buffers are of 2 KiB: 50 datagrams
#           of 60000 bytes from the guest, over 30 buffers, more than
#           passt takes in place (PACKET_TAIL_PIECES, 18), are copied
#           whole and echoed intact.
# Frames from the guest, by passt's --stats, are read in place
# (vu_tx_inplace: TCP or UDP with a payload in at most 18 buffers) or
# copied whole (vu_tx_copied: the rest, frames without payload, ARP, ICMP,
# DHCP, payloads over more buffers). vu_client classifies each frame it
# posts by the same rules (tx_data, tx_multi, tx_spread), and both
# counters must match, frame for frame, for each front-end.
# In each: DHCP (busybox udhcpc) gives the host's address and gateway;
# ping to H2; 32 MiB over TCP each way with H2 (IPv4) and 8 MiB each way
# over IPv6, sha256 compared; 500 UDP datagrams echoed by H2, checked byte
# for byte; 32 MiB from H2 through the inbound -t forward. A fifth
# front-end, small, posts 16 RX buffers of 64 bytes (1 KiB in all): DHCP
# and a short ping still work, and the reply to a ping of 1400 bytes,
# larger than the whole ring, is dropped and counted (vu_rx_drop_big).
# Every vhost-user counter of --stats, listed by name (VU_ALL), must then
# hold exactly what was provoked, 0 for the rest (vu_rx_full aside: load
# moves it, though it stays 0 until the small front-end: TCP, UDP and
# one-off frames ask for room first). vu_client's counters (SIGUSR1) show what the queues
# carried; on SIGTERM it stops the
# rings as qemu does (SET_VRING_ENABLE 0, GET_VRING_BASE), and passt must
# answer for the TX queue with the index it consumed up to, all of it.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip socat sha256sum busybox ping awk tac

VC="$(build_tool vu_client)" || { echo "cannot build vu_client"; exit 1; }
ECHO="$(build_tool udp_echo)" || { echo "cannot build udp_echo"; exit 1; }
BIG="${TMP}/big"
MID="${TMP}/mid"
head -c $((32 << 20)) /dev/urandom > "${BIG}"
head -c $((8 << 20)) /dev/urandom > "${MID}"
BIG_SUM="$(sha256sum < "${BIG}")"
MID_SUM="$(sha256sum < "${MID}")"
S4=198.51.100.1
S6=2001:db8:1::1

sandbox_create || { echo "cannot create the sandbox"; exit 1; }
ip -n "${H2}" addr add "${S6}/128" dev lo
ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
guest_ns_create "pt-vg-$$" || exit 1

cat > "${TMP}/udhcpc.sh" <<'EOF'
#!/bin/sh
[ "$1" = "bound" ] || exit 0
ip addr add "${ip}/${subnet}" dev "${interface}"
ip route add default via "${router}" dev "${interface}"
echo "lease ip=${ip} router=${router} subnet=${subnet}"
EOF
chmod 0755 "${TMP}/udhcpc.sh"

bg_start "${TMP}/echo4.log" h2 "${ECHO}" server "${S4}" 7000
bg_start "${TMP}/echo6.log" h2 "${ECHO}" server "${S6}" 7000
wait_port "${H2}" udp 7000

SOCK="${TMP}/passt.sock"
bg_start "${TMP}/passt.log" h1 timeout 280 "${PASST}" -f --vhost-user \
	-s "${SOCK}" -t 7101 -P "${TMP}/passt.pid" --stats 1
WAIT_TRIES=400 check "passt --vhost-user creates its socket" \
	wait_file "${SOCK}" || { cat "${TMP}/passt.log"; test_done; }
wait_for test -s "${TMP}/passt.pid"
PASST_PID="$(cat "${TMP}/passt.pid")"

# vc_up() - Start vu_client in G, bring its tap up, get a DHCP lease
# $1:	label, names the files
# $2:	MTU
# $3..:	vu_client options
# Sets VC_PID
# Return: 0 once the tap is up
vc_up() {
	local l="$1" mtu="$2"
	shift 2

	bg_start "${TMP}/$l.vc.log" g "${VC}" "$@" "${SOCK}" tap0
	WAIT_TRIES=400 wait_for ip -n "${G}" link show tap0 || return 1
	# Only now is vu_client surely the job's leaf, not its shell
	VC_PID="$(bg_leaf "${BG_PID}")"
	g sysctl -qw net.ipv6.conf.tap0.accept_ra=0
	ip -n "${G}" link set tap0 mtu "${mtu}" txqueuelen 10000 up
	g timeout 30 busybox udhcpc -i tap0 -f -q -n -t 3 -T 2 \
		-s "${TMP}/udhcpc.sh" > "${TMP}/$l.dhcp" 2>&1
	ip -n "${G}" addr add 2001:db8::1/64 dev tap0 nodad
	ip -n "${G}" -6 route add default via 2001:db8::fe dev tap0
}

# vc_stat() - One counter from vu_client's last "stats" line
# $1:	label
# $2:	counter
vc_stat() {
	grep "stats" "${TMP}/$1.vc.log" | tail -n 1 |
		sed -n "s/.* $2=\([0-9]*\).*/\1/p"
}

# vc_has() - Check that feature bits were negotiated, from vu_client's log
# $1:	label
# $2..:	bit numbers
vc_has() {
	local f b

	f="$(sed -n 's/.* negotiated 0x\([0-9a-f]*\) .*/\1/p' \
		"${TMP}/$1.vc.log")"
	[ -n "${f}" ] || return 1
	shift
	for b in "$@"; do
		[ $(((0x${f} >> b) & 1)) -eq 1 ] || return 1
	done
}

# vc_stats_now() - Have vu_client print its counters, wait for the line
# $1:	label
vc_stats_now() {
	local n

	n="$(grep -c "stats" "${TMP}/$1.vc.log")"
	kill -USR1 "${VC_PID}"
	wait_for lines_above "${TMP}/$1.vc.log" "stats" "${n}"
}

# tcp_both_ways() - A file each way between G and H2, compared
# $1:	label
# $2:	IPv4 or IPv6 (names the checks)
# $3:	H2's address, IPv6 in brackets
# $4:	first of the two ports used
# $5:	file
# $6:	its sum
tcp_both_ways() {
	local l="$1" pin="$((${4} + 1))"

	bg_start "${TMP}/$l.$4.log" h2 timeout 100 socat -u \
		"TCP6-LISTEN:$4,reuseaddr" OPEN:"${TMP}/$l.$4.out",creat,trunc
	bg_start "${TMP}/$l.${pin}.log" h2 timeout 100 socat -u \
		OPEN:"$5" "TCP6-LISTEN:${pin},reuseaddr"
	wait_port "${H2}" tcp "$4"
	wait_port "${H2}" tcp "${pin}"
	g timeout 60 socat -u OPEN:"$5" "TCP:$3:$4"
	g timeout 60 socat -u "TCP:$3:${pin}" OPEN:"${TMP}/$l.${pin}.in",creat,trunc
	wait_for sum_is "${TMP}/$l.$4.out" "$6"
	check "$l: TCP/$2 from the guest to H2, $(stat -c %s "$5") bytes" \
		sum_is "${TMP}/$l.$4.out" "$6"
	check "$l: TCP/$2 from H2 to the guest" \
		sum_is "${TMP}/$l.${pin}.in" "$6"
}

# inbound() - 32 MiB from H2 through -t 7101 to the guest's server
# $1:	label
inbound() {
	local l="$1"

	bg_start "${TMP}/$l.g7101.log" g timeout 100 socat -u \
		TCP-LISTEN:7101 OPEN:"${TMP}/$l.n4",creat,trunc
	wait_port "${G}" tcp 7101
	h2 timeout 60 socat -u OPEN:"${BIG}" TCP:192.0.2.1:7101
	wait_for sum_is "${TMP}/$l.n4" "${BIG_SUM}"
	check "$l: inbound -t 7101 from H2, 32 MiB" \
		sum_is "${TMP}/$l.n4" "${BIG_SUM}"
}

# pass() - One front-end's run: lease, ping, TCP, UDP, inbound, stop
# $1:	label
# $2:	MTU
# $3:	first port for TCP
# $4..:	vu_client options
pass() {
	local l="$1" mtu="$2" port="$3"
	shift 3

	vc_up "$l" "${mtu}" "$@" || {
		check_eq "$l: vu_client's tap comes up" no yes
		cat "${TMP}/$l.vc.log"
		return 1
	}
	check_grep "$l: DHCP lease with the host's address and gateway" \
		"${TMP}/$l.dhcp" "^lease ip=192\.0\.2\.1 router=192\.0\.2\.254 "
	check "$l: ping to H2" g ping -c 1 -W 5 "${S4}"
	tcp_both_ways "$l" IPv4 "${S4}" "${port}" "${BIG}" "${BIG_SUM}"
	tcp_both_ways "$l" IPv6 "[${S6}]" "$((port + 2))" "${MID}" \
		"${MID_SUM}"
	check "$l: 500 UDP/IPv4 datagrams echoed by H2" \
		g timeout 60 "${ECHO}" client "${S4}" 7000 500 0
	check "$l: 500 UDP/IPv6 datagrams echoed by H2" \
		g timeout 60 "${ECHO}" client "${S6}" 7000 500 0
	inbound "$l"
	vc_stats_now "$l"
	check "$l: the tap took every frame passt wrote" \
		test "$(vc_stat "$l" rx_drops)" -eq 0
}

# stop() - SIGTERM to vu_client: it stops the rings, then exits
# $1:	label
stop() {
	kill -TERM "${VC_PID}"
	wait_gone "${VC_PID}"
	check_grep "$1: GET_VRING_BASE: passt consumed all TX buffers" \
		"${TMP}/$1.vc.log" "queue 1 stopped at ([0-9]+) \(published \1\)"
	wait_for sh -c "! ip -n '${G}' link show tap0"
}

# Every vhost-user counter --stats prints, 0 unless said otherwise; "*" for
# any value: vu_rx_full counts how often the receive queue was full, which
# load decides
VU_ALL="vu_rx_drop_idx=0 vu_rx_drop_head=0 vu_rx_drop_next=0 vu_rx_drop_loop=0
vu_rx_drop_table=0 vu_rx_drop_overlap=0 vu_rx_drop_chain_long=0
vu_rx_drop_len=0 vu_rx_drop_indirect=0 vu_rx_drop_order=0 vu_tx_drop_idx=0
vu_tx_drop_head=0 vu_tx_drop_next=0 vu_tx_drop_loop=0 vu_tx_drop_table=0
vu_tx_drop_overlap=0 vu_tx_drop_chain_long=0 vu_tx_drop_len=0
vu_tx_drop_indirect=0 vu_tx_drop_order=0 vu_rx_drop_big=0 vu_rx_drop_short=0
vu_rx_full=* vu_tx_bad_len=0 vu_tx_inplace=* vu_tx_copied=*"

# vu_counters_are() - Check passt's vhost-user counters in its last complete
# --stats block against VU_ALL and the values given: each vu_* counter
# printed must be listed there and hold its value, and each listed one must
# be printed (mismatches are printed)
# $@:	NAME=VALUE pairs, overriding VU_ALL
vu_counters_are() {
	stats_snap "${TMP}/passt.log" | awk -v want="${VU_ALL} $*" '
		BEGIN {
			n = split(want, w, /[ \n]+/)
			for (i = 1; i <= n; i++) {
				if (split(w[i], kv, "=") == 2)
					val[kv[1]] = kv[2]
			}
		}
		$1 ~ /^vu_/ {
			seen[$1] = 1
			if (!($1 in val)) {
				print $1 " " $2 ": not expected"
				bad = 1
			} else if (val[$1] != "*" && $2 != val[$1]) {
				print $1 " " $2 ", expected " val[$1]
				bad = 1
			}
		}
		END {
			for (k in val) {
				if (!(k in seen)) {
					print k ": not printed"
					bad = 1
				}
			}
			exit bad
		}'
}

# vu_tx() - Frames from guests so far, from passt's last --stats block
# $1:	1 for those whose payload was read in place, 2 for those copied
vu_tx() {
	if [ "$1" = 1 ]; then
		stats_value "${TMP}/passt.log" vu_tx_inplace
	else
		stats_value "${TMP}/passt.log" vu_tx_copied
	fi
}

# vu_tx_are() - Do passt's counters of frames from guests hold these?
# $1:	frames read in place
# $2:	frames copied
vu_tx_are() {
	[ "$(vu_tx 1)" = "$1" ] && [ "$(vu_tx 2)" = "$2" ]
}

# Frames from guests so far, as vu_client counted them: in place, copied
TX_IN=0
TX_CP=0

# vu_tx_account() - Check passt's counts of a front-end's frames, exactly
# $1:	label of a front-end that stopped (its last "stats" line is final)
vu_tx_account() {
	local l="$1" frames data spread

	frames="$(vc_stat "$l" tx_frames)"
	data="$(vc_stat "$l" tx_data)"
	spread="$(vc_stat "$l" tx_spread)"
	TX_IN=$((TX_IN + data - spread))
	TX_CP=$((TX_CP + frames - data + spread))
	WAIT_TRIES=200 wait_for vu_tx_are "${TX_IN}" "${TX_CP}"
	check_eq "$l: each frame with a payload in up to 18 buffers read in \
place (vu_tx_inplace)" "$(vu_tx 1)" "${TX_IN}"
	check_eq "$l: each other frame copied (vu_tx_copied)" \
		"$(vu_tx 2)" "${TX_CP}"
	TX_IN="$(vu_tx 1)"
	TX_CP="$(vu_tx 2)"
}

# big_udp() - 50 datagrams of 60000 bytes to H2 and back, checked
# $1:	label
big_udp() {
	check "$1: 50 UDP/IPv4 datagrams of 60000 bytes echoed by H2" \
		g timeout 60 "${ECHO}" client "${S4}" 7000 50 60000
}

pass offl 1500 7200
check "offl: CSUM, HOST_TSO4/6, GUEST_TSO4/6, MRG_RXBUF negotiated" \
	vc_has offl 0 11 12 7 8 15
check "offl: the guest's TSO frames went to passt whole" \
	test "$(vc_stat offl tx_gso)" -gt 0 -a "$(vc_stat offl tx_max)" -gt 1514
check "offl: passt handed the guest frames larger than its MTU" \
	test "$(vc_stat offl rx_max)" -gt 1514
stop offl
check "offl: TSO payloads over several 16 KiB TX buffers, none over 18" \
	test "$(vc_stat offl tx_multi)" -gt 0 -a "$(vc_stat offl tx_spread)" -eq 0
vu_tx_account offl
RETRANS0="$(stats_value "${TMP}/passt.log" tcp_retrans)"

pass nooffl 1500 7300 --no-offload --indirect --rx-lose 8
check "nooffl: no GSO frame either way" \
	test "$(vc_stat nooffl tx_gso)$(vc_stat nooffl rx_gso)" = 00
check "nooffl: no frame larger than the MTU either way" \
	test "$(vc_stat nooffl tx_max)" -le 1514 -a \
	     "$(vc_stat nooffl rx_max)" -le 1514
stop nooffl
# 32 MiB and 8 MiB of TCP at MTU 1500: at least 33554432 / 1460 +
# 8388608 / 1440 data segments (passt offers no timestamps), and 1000
# datagrams, each in one TX buffer: vu_tx_account checks all were read in
# place
check "nooffl: TCP segments and datagrams from the guest, each in one buffer" \
	test "$(vc_stat nooffl tx_data)" -ge $((22982 + 5825 + 1000)) -a \
	     "$(vc_stat nooffl tx_multi)$(vc_stat nooffl tx_spread)" = 00
vu_tx_account nooffl
check_eq "nooffl: 8 frames of TCP data to the guest discarded by vu_client" \
	"$(vc_stat nooffl rx_lost)" 8
check_eq "nooffl: passt resent each of them into the guest's buffers" \
	"$(vc_stat nooffl rx_resent)" 8
echo "# nooffl: frames resent to the guest: $(vc_stat nooffl rx_again) seen by \
vu_client, tcp_retrans $(($(stats_value "${TMP}/passt.log" tcp_retrans) - \
RETRANS0)) in passt"
# Each at once, on duplicate ACKs (tcp_retransmit_vu(), counted): a timer
# rewind instead would count once for all in flight, and the guest would
# get that much again (rx_again, printed above)
check "nooffl: passt resent each one on duplicate ACKs (tcp_retrans)" \
	test "$(stats_value "${TMP}/passt.log" tcp_retrans)" -ge \
	     $((RETRANS0 + 8))

pass chains 65520 7400 --hdr-apart --tx-seg 4096 --rx-buf 1024 --regions 1
check "chains: 64 KiB frames through 4 KiB TX buffers" \
	test "$(vc_stat chains tx_max)" -gt 60000
check "chains: frames to the guest over more than 64 RX buffers of 1 KiB" \
	test "$(vc_stat chains rx_max)" -gt $((64 * 1024 - 12))
big_udp chains
stop chains
check "chains: payloads over 2 to 18 TX buffers of 4 KiB, none over more" \
	test "$(vc_stat chains tx_multi)" -ge 50 -a \
	     "$(vc_stat chains tx_spread)" -eq 0
vu_tx_account chains

pass hostile 65520 7500 --hostile --indirect --tx-seg 2048
check_grep "hostile: bad chains posted first" "${TMP}/hostile.vc.log" \
	"hostile: 10 bad TX chains posted"
big_udp hostile
stop hostile
check "hostile: 50 payloads over more than 18 TX buffers of 2 KiB" \
	test "$(vc_stat hostile tx_spread)" -ge 50
vu_tx_account hostile
TX_BAD="vu_tx_drop_loop=1 vu_tx_drop_table=3 vu_tx_drop_next=2 \
vu_tx_drop_head=1 vu_tx_drop_len=1 vu_tx_drop_indirect=1 vu_tx_bad_len=1"
WAIT_TRIES=100 wait_for vu_counters_are ${TX_BAD}
check "hostile: passt counted each bad chain once, under its reason" \
	vu_counters_are ${TX_BAD}
check_eq "hostile: the short chain counted as a short frame" \
	"$(stats_value "${TMP}/passt.log" tap_drop_short)" 1
check_eq "every session: no frame to the guest refused for want of buffers" \
	"$(stats_value "${TMP}/passt.log" vu_rx_full)" 0

vc_up small 1500 --ring 16 --rx-buf 64 || {
	check_eq "small: vu_client's tap comes up" no yes
	cat "${TMP}/small.vc.log"
}
check_grep "small: DHCP lease through 64-byte RX buffers" \
	"${TMP}/small.dhcp" "^lease ip=192\.0\.2\.1 router=192\.0\.2\.254 "
check "small: ping to H2, 56 bytes" g ping -c 1 -W 5 "${S4}"
g ping -c 1 -W 2 -s 1400 "${S4}" > /dev/null 2>&1
WAIT_TRIES=100 wait_for vu_counters_are ${TX_BAD} vu_rx_drop_big=1
check "small: the echo reply larger than the RX ring, dropped, counted" \
	vu_counters_are ${TX_BAD} vu_rx_drop_big=1
stop small
vu_tx_account small

check "passt served five front-ends in turn and is still running" \
	kill -0 "${PASST_PID}"

test_done
