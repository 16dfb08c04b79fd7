#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/passt_qemu.sh - passt serving a real qemu guest
#
# In a sandbox (see test/lib.sh), passt runs in H1 and qemu (TCG, no KVM)
# boots a Debian kernel with a busybox initramfs built here, its virtio-net
# device on passt's socket (-netdev stream, the way libvirt and users run
# it). The guest's init script, written below, does what a guest would:
#   - DHCP with busybox udhcpc: the lease must be H1's own address, with
#     the gateway as router and MTU 65520 (option 26);
#   - IPv6 from passt's router advertisement (the guest kernel's SLAAC),
#     then ping over IPv6 to a server in H2 ("the internet");
#   - ping over IPv4 to H2 (passt's ICMP echo over ping sockets);
#   - 8 MiB up to a server in H2 and 8 MiB down from one, with busybox nc,
#     sha256 compared on both sides;
#   - inbound: passt -t forwards H1's loopback port to a guest listener,
#     8 MiB in, sha256 compared;
# and prints each result on its serial console, which the test reads; then
# it powers off, and qemu exits.
#
# The guest kernel is the first found of: $QEMU_KERNEL_DIR (a Debian
# linux-image package unpacked there: boot/vmlinuz-*, lib/modules/*),
# test/build/qemu-kernel (where .ci/run unpacks linux-image-cloud-amd64),
# the host's /boot/vmlinuz-$(uname -r). Without one, or without qemu and
# busybox, the test is skipped.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout busybox qemu-system-x86_64

# Virtio modules, in the order they depend on each other
QEMU_MODULES="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev"
QEMU_MODULES="${QEMU_MODULES} virtio_pci failover net_failover virtio_net"
QEMU_MIB=8
S4=198.51.100.1
S6=2001:db8:1::1

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
ip link set lo up
ip link set eth0 up
udhcpc -i eth0 -s /udhcpc.sh -n -q -t 5 -T 3 || say dhcp failed
for i in \$(seq 100); do
	ip -6 addr show dev eth0 scope global | grep -q inet6 &&
		ip -6 route | grep -q default && break
	sleep 0.1
done
say v6 \$(ip -6 addr show dev eth0 scope global | grep -o 'inet6 [^ ]*')
ping -c 2 -W 3 ${S4} > /dev/null && say ping4 ok
ping -6 -c 2 -W 3 ${S6} > /dev/null && say ping6 ok
head -c $((QEMU_MIB << 20)) /dev/urandom > /tmp/up
say up sum \$(sha256sum < /tmp/up)
nc ${S4} 7001 < /tmp/up && say up sent
nc ${S4} 7002 < /dev/null > /tmp/down
say down sum \$(sha256sum < /tmp/down)
nc -l -p 7101 > /tmp/in &
for i in \$(seq 50); do
	netstat -ltn | grep -q ':7101 ' && break
	sleep 0.1
done
say listening
wait
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

# qemu_initramfs() - Build the guest's initramfs (newc cpio, uncompressed)
# $1:	output file
# Return: 0 on success
qemu_initramfs() {
	local root="${TMP}/root" m f

	mkdir -p "${root}/bin" "${root}/lib" "${root}/proc" "${root}/sys" \
		"${root}/dev" "${root}/tmp" || return 1
	cp "$(command -v busybox)" "${root}/bin/busybox" || return 1
	for m in ${QEMU_MODULES}; do
		f="$(find "${MODDIR}" -name "${m}.ko" 2>/dev/null | head -n 1)"
		[ -n "${f}" ] && cp "${f}" "${root}/lib/"
	done
	qemu_init_write "${root}/init"
	qemu_dhcp_script_write "${root}/udhcpc.sh"
	(cd "${root}" && find . | busybox cpio -o -H newc > "$1") 2>/dev/null
}

# console_has() - Has the guest printed a line yet?
# $1:	extended regular expression, after "GUEST: "
console_has() {
	grep -Eq "^GUEST: $1" "${TMP}/console.log"
}

# guest_at() - Has the guest printed a line, or has qemu exited?
# $1:	extended regular expression, after "GUEST: "
guest_at() {
	console_has "$1" || lib_pid_gone "${QEMU_PID}"
}

# console_field() - Last word of the guest's line starting with a prefix
# $1:	prefix, after "GUEST: "
console_field() {
	sed -n "s/^GUEST: $1 //p" "${TMP}/console.log" | tr -d '\r -' |
		head -n 1
}

qemu_kernel_find || skip "no guest kernel (see the header)"
[ -e "${MODDIR}" ] || skip "no modules for ${KERNEL}"
qemu_initramfs "${TMP}/initrd" || skip "can't build the initramfs"

MID="${TMP}/mid"
head -c $((QEMU_MIB << 20)) /dev/urandom > "${MID}"
MID_SUM="$(sha256sum < "${MID}" | tr -d ' -')"

sandbox_create || skip "can't create sandbox"
ip -n "${H2}" addr add "${S6}/128" dev lo
ip -n "${H1}" -6 route add 2001:db8:1::/64 via 2001:db8::fe dev up0
h1 sysctl -qw net.ipv4.ping_group_range="0 2147483647"

bg_start "${TMP}/s1.log" h2 timeout 200 socat -u \
	TCP-LISTEN:7001,reuseaddr OPEN:"${TMP}/up",creat,trunc
bg_start "${TMP}/s2.log" h2 timeout 200 socat -u OPEN:"${MID}" \
	TCP-LISTEN:7002,reuseaddr
wait_port "${H2}" tcp 7001
wait_port "${H2}" tcp 7002

SOCK="${TMP}/passt.sock"
bg_start "${TMP}/passt.log" h1 timeout 200 "${PASST}" -f -s "${SOCK}" \
	-t 7101
PASST_PID="${BG_PID}"
check "passt creates its socket" wait_file "${SOCK}" ||
	{ cat "${TMP}/passt.log"; test_done; }

bg_start "${TMP}/console.log" h1 timeout 180 qemu-system-x86_64 \
	-accel tcg -m 256 -smp 1 -no-reboot -display none -monitor none \
	-serial stdio -kernel "${KERNEL}" -initrd "${TMP}/initrd" \
	-append "console=ttyS0 panic=-1 quiet" \
	-device virtio-net-pci,netdev=n0 \
	-netdev stream,id=n0,server=off,addr.type=unix,addr.path="${SOCK}"
QEMU_PID="${BG_PID}"

WAIT_TRIES=1500 WAIT_STEP=0.1 wait_for guest_at listening
check "inbound: H1's loopback port 7101 reaches the guest" \
	h1 timeout 60 socat -u OPEN:"${MID}" TCP:127.0.0.1:7101
WAIT_TRIES=600 WAIT_STEP=0.1 wait_for guest_at done
WAIT_TRIES=100 WAIT_STEP=0.1 wait_gone "${QEMU_PID}"

check_grep "DHCP lease: H1's address, gateway router, MTU 65520" \
	"${TMP}/console.log" \
	"^GUEST: lease 192\.0\.2\.1/(24|255\.255\.255\.0) router 192\.0\.2\.254 mtu 65520"
check_grep "IPv6 address from the router advertisement" \
	"${TMP}/console.log" "^GUEST: v6 inet6 2001:db8::"
check_grep "ping over IPv4 to H2" "${TMP}/console.log" "^GUEST: ping4 ok"
check_grep "ping over IPv6 to H2" "${TMP}/console.log" "^GUEST: ping6 ok"
check_eq "${QEMU_MIB} MiB up: H2 got what the guest sent" \
	"$(sha256sum < "${TMP}/up" 2>/dev/null | tr -d ' -')" \
	"$(console_field "up sum" | grep -E '^[0-9a-f]{64}$')"
check_eq "${QEMU_MIB} MiB down: the guest got what H2 sent" \
	"$(console_field "down sum")" "${MID_SUM}"
check_eq "${QEMU_MIB} MiB in (-t): the guest got what H1 sent" \
	"$(console_field "in sum")" "${MID_SUM}"
check "qemu exited: the guest powered off" lib_pid_gone "${QEMU_PID}"
check "passt still running" kill -0 "${PASST_PID}"
sed -n 's/^GUEST: /    guest said: /p' "${TMP}/console.log"

test_done
