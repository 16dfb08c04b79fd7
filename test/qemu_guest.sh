#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/qemu_guest.sh - A real qemu guest on passt, for integration tests
#
# Sourced after test/lib.sh by the tests that boot a guest. qemu (TCG, no
# KVM) boots a Debian kernel with a busybox initramfs built here, whose
# init script does what a guest would, and prints each result on its
# serial console:
#   - DHCP with busybox udhcpc: the lease must be H1's own address, with
#     the gateway as router and MTU 65520 (option 26), or the QEMU_MTU
#     the test set for a boot where it gives passt -m;
#   - IPv6 from passt's router advertisement (the guest kernel's SLAAC),
#     then ping over IPv6 to a server in H2 ("the internet"), see below;
#   - DHCPv6 with dhcpcd (Debian's, copied in with its C library) in test
#     mode: the IA_NA address must be H1's own, with infinite lifetimes,
#     and the resolver H1's;
#   - ping over IPv4 to H2 (passt's ICMP echo over ping sockets); busybox
#     ping, which checks no data pattern: 3 replies of 64 bytes from the
#     address pinged in at most 3 runs of 3 (a reply late under load is
#     retried), no duplicate, and passt's counters for an echo it lost
#     (lib.sh ping_drops, but tap_drop_*: a boot's bulk TCP may fill the
#     back-end) 0 over its life, from the log the test gives (--stats 1);
#   - N MiB up to a server in H2 and N MiB down from one, with busybox nc,
#     sha256 compared on both sides (N and the two ports from the kernel
#     command line: each boot has servers, and ports, of its own);
#   - UDP out: udp_echo (test/tools, linked statically) sends datagrams
#     of every size from 4 to 1400 bytes to an echo server in H2, over
#     IPv4 and IPv6, stop and wait, each echo checked byte for byte;
#   - inbound: passt -u 7102 forwards H1's loopback port to echo servers
#     in the guest (udp_echo, IPv4 and IPv6), which H1's udp_echo clients
#     check the same way; then passt -t 7101 forwards H1's loopback port to
#     a guest listener, N MiB in, sha256 compared;
# then it powers off, and qemu exits.
#
# Use: qemu_setup once (kernel, initramfs, sandbox), then per boot
# qemu_servers_start TAG MIB, start passt and qemu (qemu_cmd prints qemu's
# common arguments; the test adds its network options, directly or through
# qrap), then qemu_guest_run TAG, qemu_guest_checks TAG, which also stops
# the boot's servers (qemu_servers_stop), failed boot or not. passt must
# run with -t 7101 -u 7102. Each boot takes 10-40 s under TCG: keep their
# number small.
#
# The guest kernel is the first found of: $QEMU_KERNEL_DIR (a Debian
# linux-image package unpacked there: boot/vmlinuz-*, lib/modules/*),
# test/build/qemu-kernel (where .ci/run unpacks linux-image-cloud-amd64),
# the host's /boot/vmlinuz-$(uname -r). Without one, or without qemu and
# busybox, the test is skipped.

# Virtio modules, in the order they depend on each other
QEMU_MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev"
QEMU_MODULES="${QEMU_MODULES} virtio_pci failover net_failover virtio_net"
S4=198.51.100.1
S6=2001:db8:1::1
# Datagrams each UDP echo client sends, stop and wait: sizes vary over
# 4-1400 bytes (udp_echo.c)
QEMU_UDP_CNT=200
# MTU the lease must carry: passt's default, or the -m a test gives passt
QEMU_MTU=65520
# Ports of H2's servers for the guest's upload and download: two a boot,
# from QEMU_PORT_BASE on, so that a server left from an earlier boot is
# never the one a guest reaches
QEMU_PORT_BASE=7200
QEMU_BOOTS=0

# qemu_kernel_find() - Set KERNEL and MODDIR from the first kernel found
# Return: 0 if one was found
qemu_kernel_find() {
	local d k

	for d in "${QEMU_KERNEL_DIR:-}" "${TEST_BUILD}/qemu-kernel"; do
		[ -n "${d}" ] || continue
		k="$(ls "${d}"/boot/vmlinuz-* 2>/dev/null | head -n 1)"
		[ -n "${k}" ] || continue
		KERNEL="${k}"
		MODDIR="${d}/lib/modules/${k##*/vmlinuz-}"
		return 0
	done
	KERNEL="/boot/vmlinuz-$(uname -r)"
	MODDIR="/lib/modules/$(uname -r)"
	[ -r "${KERNEL}" ]
}

# qemu_init_write() - Write the guest's init script
# $1:	path
qemu_init_write() {
	cat > "$1" <<EOF
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc; mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in ${QEMU_MODULES}; do
	[ -e /lib/\$m.ko ] && insmod /lib/\$m.ko
done
say() { echo "GUEST: \$*"; }
mib=\$(sed -n 's/.*qemu_mib=\([0-9]*\).*/\1/p' /proc/cmdline)
up=\$(sed -n 's/.*qemu_up=\([0-9]*\).*/\1/p' /proc/cmdline)
down=\$(sed -n 's/.*qemu_down=\([0-9]*\).*/\1/p' /proc/cmdline)
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -s /udhcpc.sh -n -q -t 5 -T 3 || say dhcp failed
for i in \$(seq 100); do
	ip -6 addr show dev eth0 scope global | grep -q inet6 &&
		ip -6 route | grep -q default && break
	sleep 0.1
done
say v6 \$(ip -6 addr show dev eth0 scope global | grep -o 'inet6 [^ ]*')
timeout 60 dhcpcd -6 -T -t 30 eth0 > /tmp/d6 2>&1
grep -E '^new_dhcp6_(ia_na1_ia_addr1(_vltime)?|name_servers)=' /tmp/d6 |
	while read -r l; do say dhcp6 \$l; done
grep -q '^new_dhcp6_ia_na1_ia_addr1=' /tmp/d6 ||
	while read -r l; do say dhcpcd: \$l; done < /tmp/d6
# At most 3 runs of 3 echo requests until one gets its 3 replies, each
# line said; a duplicate reply ends it
ping_try() {
	l=\$1
	shift
	for r in 1 2 3; do
		ping -c 3 -W 5 "\$@" > /tmp/ping 2>&1
		while read -r x; do say \$l run \$r: \$x; done < /tmp/ping
		grep -q 'DUP!' /tmp/ping && return
		grep -q ' 3 packets received' /tmp/ping && say \$l ok && return
	done
}
ping_try ping4 ${S4}
ping_try ping6 -6 ${S6}
head -c \$((mib << 20)) /dev/urandom > /tmp/up
say up sum \$(sha256sum < /tmp/up)
nc ${S4} \$up < /tmp/up && say up sent
nc ${S4} \$down < /dev/null > /tmp/down
say down sum \$(sha256sum < /tmp/down)
say udp4 \$(udp_echo client ${S4} 7003 ${QEMU_UDP_CNT} 0 2>&1)
say udp6 \$(udp_echo client ${S6} 7003 ${QEMU_UDP_CNT} 0 2>&1)
udp_echo server 0.0.0.0 7102 &
udp_echo server :: 7102 &
nc -l -p 7101 > /tmp/in &
ncpid=\$!
for i in \$(seq 50); do
	netstat -ltn | grep -q ':7101 ' &&
		[ \$(netstat -lun | grep -c ':7102 ') -eq 2 ] && break
	sleep 0.1
done
say listening
wait \$ncpid
say in sum \$(sha256sum < /tmp/in)
say done
poweroff -f
EOF
	chmod 755 "$1"
}

# qemu_dhcp_script_write() - Write udhcpc's lease script
# $1:	path
qemu_dhcp_script_write() {
	cat > "$1" <<'EOF'
#!/bin/busybox sh
[ "$1" = bound ] || exit 0
ip link set "$interface" mtu "${mtu:-1500}"
ip addr add "$ip/$mask" dev "$interface"
ip route add default via "$router" dev "$interface"
echo "GUEST: lease $ip/$mask router $router mtu $mtu"
EOF
	chmod 755 "$1"
}

# qemu_dhcpcd_hook_write() - Write dhcpcd's hook script: in test mode (-T)
# it prints the DHCPv6 lease dhcpcd would apply, one variable a line
# $1:	path
qemu_dhcpcd_hook_write() {
	cat > "$1" <<'EOF'
#!/bin/busybox sh
[ "$reason" = TEST ] || exit 0
set | grep '^new_dhcp6_'
exit 0
EOF
	chmod 755 "$1"
}

# qemu_initramfs_dyn() - Copy a dynamically linked program into the
# initramfs as /bin/NAME, its libraries and loader at their own paths
# $1:	root of the initramfs
# $2:	path of the program
# Return: 0 on success
qemu_initramfs_dyn() {
	local f

	cp "$2" "$1/bin/" || return 1
	for f in $(ldd "$2" | grep -o '/[^ ]*'); do
		mkdir -p "$1$(dirname "${f}")" && cp -L "${f}" "$1${f}" ||
			return 1
	done
}

# qemu_initramfs() - Build the guest's initramfs (newc cpio, uncompressed)
# $1:	output file
# Return: 0 on success
qemu_initramfs() {
	local root="${TMP}/root" m f

	mkdir -p "${root}/bin" "${root}/lib" "${root}/proc" "${root}/sys" \
		"${root}/dev" "${root}/tmp" "${root}/run/dhcpcd" \
		"${root}/var/run" "${root}/var/lib/dhcpcd" "${root}/etc" \
		"${root}/usr/lib/dhcpcd" || return 1
	: > "${root}/etc/dhcpcd.conf"
	qemu_dhcpcd_hook_write "${root}/usr/lib/dhcpcd/dhcpcd-run-hooks"
	cp "$(command -v busybox)" "${root}/bin/busybox" || return 1
	cp "${QEMU_UDP_ECHO_STATIC}" "${root}/bin/udp_echo" || return 1
	qemu_initramfs_dyn "${root}" "$(command -v dhcpcd)" || return 1
	for m in ${QEMU_MODULES}; do
		f="$(find "${MODDIR}" -name "${m}.ko" 2>/dev/null | head -n 1)"
		[ -n "${f}" ] && cp "${f}" "${root}/lib/"
	done
	qemu_init_write "${root}/init"
	qemu_dhcp_script_write "${root}/udhcpc.sh"
	(cd "${root}" && find . | busybox cpio -o -H newc > "$1") 2>/dev/null
}

# qemu_setup() - Kernel, initramfs and sandbox for guest boots; skips the
# test if something is missing. Sets KERNEL, QEMU_INITRD, H1, H2
qemu_setup() {
	need_cmd ip ss socat sha256sum timeout busybox qemu-system-x86_64 \
		dhcpcd ldd
	qemu_kernel_find || skip "no guest kernel (see test/qemu_guest.sh)"
	[ -e "${MODDIR}" ] || skip "no modules for ${KERNEL}"
	QEMU_UDP_ECHO="$(build_tool udp_echo)" &&
	QEMU_UDP_ECHO_STATIC="$(build_tool udp_echo static)" ||
		skip "can't build udp_echo"
	QEMU_INITRD="${TMP}/initrd"
	qemu_initramfs "${QEMU_INITRD}" || skip "can't build the initramfs"

	sandbox_create || skip "can't create sandbox"
	ip -n "${H2}" addr add "${S6}/128" dev lo
	ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
	h1 sysctl -qw net.ipv4.ping_group_range="0 2147483647"
	# Bound to the address the guest sends to: a wildcard socket would
	# answer from the address of the route back, 192.0.2.254
	bg_start "${TMP}/udp4.log" h2 "${QEMU_UDP_ECHO}" server "${S4}" 7003
	bg_start "${TMP}/udp6.log" h2 "${QEMU_UDP_ECHO}" server "${S6}" 7003
	wait_port "${H2}" udp 7003
}

# qemu_servers_start() - Random data, and H2's servers for one boot, on
# ports of its own (QEMU_UP_PORT, QEMU_DOWN_PORT, on the guest's command
# line); the servers of the boot before are stopped first
# $1:	boot tag, names the files
# $2:	MiB each way
# Sets QEMU_MIB, QEMU_UP_PORT, QEMU_DOWN_PORT, QEMU_UP_PID, QEMU_DOWN_PID
qemu_servers_start() {
	qemu_servers_stop
	head -c $(($2 << 20)) /dev/urandom > "${TMP}/$1.mid"
	QEMU_MIB="$2"
	QEMU_UP_PORT=$((QEMU_PORT_BASE + 2 * QEMU_BOOTS))
	QEMU_DOWN_PORT=$((QEMU_UP_PORT + 1))
	QEMU_BOOTS=$((QEMU_BOOTS + 1))
	rm -f "${TMP}/$1.up"
	bg_start "${TMP}/$1.s1.log" h2 timeout 200 socat -u \
		TCP-LISTEN:"${QEMU_UP_PORT}",reuseaddr \
		OPEN:"${TMP}/$1.up",creat,trunc
	QEMU_UP_PID="${BG_PID}"
	bg_start "${TMP}/$1.s2.log" h2 timeout 200 socat -u \
		OPEN:"${TMP}/$1.mid" TCP-LISTEN:"${QEMU_DOWN_PORT}",reuseaddr
	QEMU_DOWN_PID="${BG_PID}"
	wait_port "${H2}" tcp "${QEMU_UP_PORT}"
	wait_port "${H2}" tcp "${QEMU_DOWN_PORT}"
}

# qemu_servers_stop() - Stop the servers of the last qemu_servers_start, by
# PID (with their descendants), whether or not a guest ever reached them
qemu_servers_stop() {
	local pid

	for pid in ${QEMU_UP_PID:-} ${QEMU_DOWN_PID:-}; do
		bg_stop "${pid}"
	done
	QEMU_UP_PID=
	QEMU_DOWN_PID=
}

# qemu_cmd() - Print qemu's arguments but the network ones, one a line
# $1:	boot tag (unused in the arguments, for symmetry)
# no_timer_check: on a loaded host, TCG can be too slow for the guest
# kernel's early check that the timer interrupt reaches the IO-APIC, and the
# guest panics ("IO-APIC + timer doesn't work!") before it starts (seen
# at load 16 on 2 CPUs); the check proves nothing about passt
qemu_cmd() {
	local append="console=ttyS0 panic=-1 quiet no_timer_check"

	printf '%s\n' qemu-system-x86_64 -accel tcg -m 256 -smp 1 -no-reboot \
		-display none -monitor none -serial stdio -kernel "${KERNEL}" \
		-initrd "${QEMU_INITRD}" -append "${append} qemu_mib=${QEMU_MIB} \
qemu_up=${QEMU_UP_PORT} qemu_down=${QEMU_DOWN_PORT}"
}

# qemu_console_has() - Has the guest printed a line yet?
# $1:	boot tag
# $2:	extended regular expression, after "GUEST: "
qemu_console_has() {
	grep -Eq "^GUEST: $2" "${TMP}/$1.console.log"
}

# qemu_guest_at() - Has the guest printed a line, or has qemu exited?
# $1:	boot tag
# $2:	extended regular expression, after "GUEST: "
# $3:	PID of the background job running qemu
qemu_guest_at() {
	qemu_console_has "$1" "$2" || lib_pid_gone "$3"
}

# qemu_console_field() - Last word of the guest's line starting with a prefix
# $1:	boot tag
# $2:	prefix, after "GUEST: "
qemu_console_field() {
	sed -n "s/^GUEST: $2 //p" "${TMP}/$1.console.log" | tr -d '\r -' |
		head -n 1
}

# qemu_guest_run() - Drive one boot: inbound data once the guest listens,
# then wait for the guest to finish and qemu to exit
# $1:	boot tag; the console is ${TMP}/TAG.console.log
# $2:	PID of the background job running qemu
qemu_guest_run() {
	WAIT_TRIES=1500 WAIT_STEP=0.1 wait_for qemu_guest_at "$1" listening "$2"
	check "$1: inbound UDP/IPv4: H1's loopback port 7102 (-u) echoes" \
		h1 timeout 120 "${QEMU_UDP_ECHO}" client 127.0.0.1 7102 \
		"${QEMU_UDP_CNT}" 0
	check "$1: inbound UDP/IPv6: H1's loopback port 7102 (-u) echoes" \
		h1 timeout 120 "${QEMU_UDP_ECHO}" client ::1 7102 \
		"${QEMU_UDP_CNT}" 0
	check "$1: inbound: H1's loopback port 7101 reaches the guest" \
		h1 timeout 60 socat -u OPEN:"${TMP}/$1.mid" TCP:127.0.0.1:7101
	WAIT_TRIES=600 WAIT_STEP=0.1 wait_for qemu_guest_at "$1" "done" "$2"
	WAIT_TRIES=100 WAIT_STEP=0.1 wait_gone "$2"
}

# qemu_ping_checks() - Check the guest's busybox pings (ping_try in its
# init): a run got its 3 replies, every reply 64 bytes from the address
# pinged, none a duplicate
# $1:	boot tag
# $2:	what the guest calls them: ping4, ping6
# $3:	label
# $4:	address pinged
qemu_ping_checks() {
	local con="${TMP}/$1.console.log"

	check_grep "$1: ping over $3 to H2: 3 replies in at most 3 runs" \
		"${con}" "^GUEST: $2 ok"
	check "$1: ping over $3: every reply 64 bytes from $4, no duplicate" \
		sh -c "! grep -E '^GUEST: $2 run [0-9]: [0-9]+ bytes from' \
			'${con}' | grep -v ': 64 bytes from $4: seq=' &&
		       ! grep -E '^GUEST: $2 run .*DUP' '${con}'"
}

# qemu_guest_checks() - Check what the guest of one boot reported
# $1:	boot tag
# $2:	PID of the background job running qemu
# $3:	passt's log, with --stats 1
qemu_guest_checks() {
	local t="$1" con="${TMP}/$1.console.log" sum

	sum="$(sha256sum < "${TMP}/${t}.mid" | tr -d ' -')"
	check_grep "${t}: DHCP lease: H1's address, gateway router, MTU ${QEMU_MTU}" \
		"${con}" "^GUEST: lease 192\.0\.2\.1/(24|255\.255\.255\.0) router 192\.0\.2\.254 mtu ${QEMU_MTU}"
	check_grep "${t}: IPv6 address from the router advertisement" \
		"${con}" "^GUEST: v6 inet6 2001:db8::"
	qemu_ping_checks "${t}" ping4 "IPv4" "${S4}"
	qemu_ping_checks "${t}" ping6 "IPv6" "${S6}"
	check "${t}: passt lost no echo (icmp_drop_* but _type, over its life)" \
		counters_zero "$(ping_drops "$3" | grep '^icmp_')"
	check_grep "${t}: DHCPv6 (dhcpcd): IA_NA address H1's own" "${con}" \
		"^GUEST: dhcp6 new_dhcp6_ia_na1_ia_addr1='2001:db8::1'"
	check_grep "${t}: DHCPv6 (dhcpcd): infinite valid lifetime" "${con}" \
		"^GUEST: dhcp6 new_dhcp6_ia_na1_ia_addr1_vltime='4294967295'"
	check_grep "${t}: DHCPv6 (dhcpcd): resolver H1's" "${con}" \
		"^GUEST: dhcp6 new_dhcp6_name_servers='2001:db8::fe'"
	check_grep "${t}: UDP/IPv4 to H2: ${QEMU_UDP_CNT} echoes intact" \
		"${con}" "^GUEST: udp4 received ${QEMU_UDP_CNT}/${QEMU_UDP_CNT}, bad 0, wrong-source 0"
	check_grep "${t}: UDP/IPv6 to H2: ${QEMU_UDP_CNT} echoes intact" \
		"${con}" "^GUEST: udp6 received ${QEMU_UDP_CNT}/${QEMU_UDP_CNT}, bad 0, wrong-source 0"
	# H2's receiver may still be writing when the guest is done: it
	# ends at the end of the stream
	WAIT_TRIES=300 WAIT_STEP=0.1 wait_gone "${QEMU_UP_PID}"
	check_eq "${t}: ${QEMU_MIB} MiB up: H2 got what the guest sent" \
		"$(sha256sum < "${TMP}/${t}.up" 2>/dev/null | tr -d ' -')" \
		"$(qemu_console_field "${t}" "up sum" | grep -E '^[0-9a-f]{64}$' ||
		   echo "no sum from the guest")"
	echo "    ${t}: H2 received $(stat -c %s "${TMP}/${t}.up" 2>/dev/null) bytes"
	check_eq "${t}: ${QEMU_MIB} MiB down: the guest got what H2 sent" \
		"$(qemu_console_field "${t}" "down sum")" "${sum}"
	check_eq "${t}: ${QEMU_MIB} MiB in (-t): the guest got what H1 sent" \
		"$(qemu_console_field "${t}" "in sum")" "${sum}"
	check "${t}: qemu exited: the guest powered off" lib_pid_gone "$2"
	sed -n "s/^GUEST: /    ${t}: guest said: /p" "${con}"
	qemu_servers_stop
}

# qemu_h1_private() - Run a command in H1 with an empty private /tmp, in
# which the test's scratch directory, the source tree and the binaries under
# test are still reachable wherever they are (a clone under /tmp included),
# and the private resolv.conf: passt picks, and qrap probes,
# /tmp/passt_N.socket without meeting other tests' instances
# $*:	command (an executable: exported shell functions through bash -c)
qemu_h1_private() {
	unshare -m --propagation private bash -c '
		dirs=("$0" "$3" "$4")
		for i in 0 1 2; do
			eval "exec $((10 + i))< \"\${dirs[$i]}\"" || exit 1
		done
		mount -t tmpfs tmpfs /tmp || exit 1
		for i in 0 1 2; do
			mkdir -p "${dirs[$i]}" &&
			mount --no-canonicalize --bind \
				"/proc/self/fd/$((10 + i))" "${dirs[$i]}" || exit 1
		done
		exec 10<&- 11<&- 12<&-
		mount --bind "$1" /etc/resolv.conf || exit 1
		ns="$2"
		shift 4
		exec ip netns exec "${ns}" "$@"' "${TMP}" "${RESOLV}" "${H1}" \
		"${TEST_TOP}" "$(dirname "${PASST}")" "$@"
}
