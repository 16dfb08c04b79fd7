#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/isolation.sh - passt and pasta confine themselves
#
# passt and pasta run in a sandbox (see test/lib.sh), each as root and as
# an unprivileged user; a shell records the launcher's namespaces and execs
# the daemon. Once it runs:
# - /proc/PID/root is an empty directory;
# - its mount, IPC and UTS namespaces differ from the launcher's, and so do
#   its user namespace (but for pasta --netns as root, which stays in the
#   host's, as nobody) and, for passt, its PID namespace;
# - passt holds no capability in any of the five sets; pasta holds
#   CAP_SYS_ADMIN and CAP_NET_BIND_SERVICE (0x200400) in effective,
#   permitted and bounding sets, and started as root with a command
#   CAP_KILL too (0x200420), nothing inheritable or ambient;
# - NoNewPrivs is 1, RLIMIT_CORE is 0 (soft and hard); started as root,
#   both run as nobody;
# - and in that same run the daemon moves traffic: a DHCP lease with the
#   host's address, 1 MiB by TCP each way (sha256 compared), 200 UDP
#   datagrams echoed byte for byte (test/tools/udp_echo); then, from the
#   guest side (G, or the command's namespace), ICMP echo with a data
#   pattern that ping checks, 3 replies in at most 3 runs (lib.sh
#   ping_checked: an echo late under load is retried) while the daemon's
#   counters for a lost echo (ping_drops, --stats 1) stay still;
# - pasta --netns as root also exits once its namespace is deleted;
# - SIGTERM to the PID in the PID file ends it (passt: the relaying parent
#   too; pasta: its command too, which pasta relays the signal to).
# Where pivot_root() is refused (test/tools/no_pivot_root), passt dies with
# one line, or with --chroot-fallback warns, has an empty root all the
# same, and serves a DHCP lease.
# For passt, a namespace G plays the guest through test/tools/passt_tap.
# For pasta, the spawned command does the talking, and shows that it is not
# confined: it sees the filesystem, and has every capability in its
# namespace.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip socat sha256sum ping busybox setpriv nsenter awk tac

S4=198.51.100.1
# CAP_SYS_ADMIN, CAP_NET_BIND_SERVICE; as root with a command, CAP_KILL too
PASTA_CAPS_USER="0000000000200400"
PASTA_CAPS_ROOT="0000000000200420"
NOBODY_UID="$(id -u nobody 2>/dev/null || echo 65534)"
FULL_CAPS="$(printf '%016x' $(((1 << ($(cat /proc/sys/kernel/cap_last_cap) + 1)) - 1)))"

ECHO="$(build_tool udp_echo)" || { echo "cannot build udp_echo"; exit 1; }
PT="$(build_tool passt_tap)" || { echo "cannot build passt_tap"; exit 1; }
# The test user must be able to run it from pasta's namespace
cp "${ECHO}" "${TMP}/udp_echo" && chmod 0755 "${TMP}/udp_echo"

head -c 1048576 /dev/urandom > "${TMP}/blob"
chmod 0644 "${TMP}/blob"
BLOB_SUM="$(sha256sum < "${TMP}/blob")"

sandbox_create

cat > "${TMP}/udhcpc.sh" <<'EOF'
#!/bin/sh
[ "$1" = "bound" ] && echo "lease ip=${ip} router=${router} subnet=${subnet}"
exit 0
EOF
chmod 0755 "${TMP}/udhcpc.sh"

# servers() - Start the servers in H2 for one run: TCP sink, TCP source,
# UDP echo, on ports BASE + 1, 2, 3
# $1:	run label, names the files
# $2:	BASE
servers() {
	bg_start "${TMP}/$1.s1" h2 socat -u TCP-LISTEN:$(($2 + 1)),reuseaddr \
		OPEN:"${TMP}/$1.up",creat,trunc
	bg_start "${TMP}/$1.s2" h2 socat -u OPEN:"${TMP}/blob" \
		TCP-LISTEN:$(($2 + 2)),reuseaddr
	bg_start "${TMP}/$1.s3" h2 "${ECHO}" server "${S4}" $(($2 + 3))
	wait_port "${H2}" tcp $(($2 + 1)) && wait_port "${H2}" tcp $(($2 + 2)) &&
		wait_port "${H2}" udp $(($2 + 3))
}

# traffic_script() - Shell commands for the guest side: DHCP, TCP, UDP
# $1:	run label, names the files
# $2:	interface
# $3:	BASE of the server ports, see servers()
traffic_script() {
	cat <<EOF
busybox udhcpc -i $2 -f -q -n -t 3 -T 2 -s ${TMP}/udhcpc.sh > ${TMP}/$1.dhcp 2>&1
timeout 30 socat -u OPEN:${TMP}/blob TCP:${S4}:$(($3 + 1)) > ${TMP}/$1.tcpup 2>&1
timeout 30 socat -u TCP:${S4}:$(($3 + 2)) OPEN:${TMP}/$1.down,creat,trunc > ${TMP}/$1.tcpdown 2>&1
timeout 30 ${TMP}/udp_echo client ${S4} $(($3 + 3)) 200 0 > ${TMP}/$1.udp 2>&1
echo "rc=\$?" >> ${TMP}/$1.udp
EOF
}

# Launcher: a shell that records its namespaces in the file named by its
# $0, then execs the command given as its arguments
LAUNCH_SH='for n in mnt ipc uts pid user; do
	echo "$n $(readlink /proc/$$/ns/$n)"
done > "$0" && exec "$@"'

# ns_differs() - Check that a namespace of a process isn't the launcher's
# $1:	PID
# $2:	namespace list from launch()
# $3:	namespace type
ns_differs() {
	local ours theirs

	ours="$(readlink "/proc/$1/ns/$3")" || return 1
	theirs="$(sed -n "s/^$3 //p" "$2")"
	[ -n "${ours}" ] && [ -n "${theirs}" ] && [ "${ours}" != "${theirs}" ]
}

# root_empty() - Check that a process's root directory is empty
# $1:	PID
root_empty() {
	local out

	out="$(ls -A "/proc/$1/root/")" || return 1
	[ -z "${out}" ]
}

# status_field() - Print one field of /proc/PID/status
# $1:	PID
# $2:	field name
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"
}

# check_isolated() - Check namespaces, root, capabilities and limits
# $1:	label
# $2:	PID
# $3:	namespace list from launch()
# $4:	expected CapEff, CapPrm and CapBnd
# $5:	namespaces that must differ, e.g. "mnt ipc uts user"
check_isolated() {
	local l="$1" pid="$2" nsf="$3" caps="$4" n set

	check "${l}: /proc/PID/root is empty" root_empty "${pid}"
	for n in $5; do
		check "${l}: ${n} namespace isn't the launcher's" \
			ns_differs "${pid}" "${nsf}" "${n}"
	done
	for set in CapEff CapPrm CapBnd; do
		check_eq "${l}: ${set}" "$(status_field "${pid}" "${set}")" \
			"${caps}"
	done
	for set in CapInh CapAmb; do
		check_eq "${l}: ${set}" "$(status_field "${pid}" "${set}")" \
			"0000000000000000"
	done
	check_eq "${l}: NoNewPrivs" "$(status_field "${pid}" NoNewPrivs)" 1
	check_grep "${l}: RLIMIT_CORE 0" "/proc/${pid}/limits" \
		"^Max core file size +0 +0 "
}

# check_traffic() - Check what traffic_script() recorded
# $1:	label
# $2:	run label, names the files
check_traffic() {
	check_grep "$1: DHCP lease with the host's address" "${TMP}/$2.dhcp" \
		"^lease ip=192\\.0\\.2\\.1 router=192\\.0\\.2\\.254 subnet=255\\.255\\.255\\.0$"
	check "$1: TCP up, sha256" wait_for sum_is "${TMP}/$2.up" "${BLOB_SUM}"
	check "$1: TCP down, sha256" sum_is "${TMP}/$2.down" "${BLOB_SUM}"
	check_grep "$1: UDP: 200 datagrams echoed intact" "${TMP}/$2.udp" \
		"^rc=0$"
}

# pid_from_file() - Print the PID in a PID file once there
# $1:	PID file
pid_from_file() {
	wait_for test -s "$1" || return 1
	cat "$1"
}

# passt_run() - passt in H1, a guest namespace through passt_tap, checks
# $1:	"root" or "user"
# $2:	BASE of the server ports, see servers()
passt_run() {
	local who="$1" sock="${TMP}/passt-$1.sock" pidf="${TMP}/passt-$1.pid"
	local as=() pid parent l="passt ($1)"

	[ "${who}" = "user" ] && as=(setpriv --reuid="${TEST_USER}"
				    --regid="${TEST_USER}" --init-groups --)
	guest_ns_create "pt-ig$1-$$" || return 1
	servers "passt-${who}" "$2" || { check "${l}: servers up" false; return; }
	bg_start "${TMP}/passt-${who}.log" h1 "${as[@]}" timeout 120 \
		sh -c "${LAUNCH_SH}" "${TMP}/passt-${who}.ns" \
		"${PASST}" -f -s "${sock}" -P "${pidf}" --stats 1
	pid="$(pid_from_file "${pidf}")"
	check "${l}: PID file written" test -n "${pid}" || return
	wait_file "${sock}"
	check_isolated "${l}" "${pid}" "${TMP}/passt-${who}.ns" \
		"0000000000000000" "mnt ipc uts user pid"
	if [ "${who}" = "root" ]; then
		check_eq "${l}: runs as nobody" \
			"$(status_field "${pid}" Uid | awk '{ print $1 }')" \
			"${NOBODY_UID}"
	fi

	bg_start "${TMP}/pt-${who}.log" g "${PT}" "${sock}" tap0
	wait_for ip -n "${G}" link show tap0
	ip -n "${G}" link set tap0 mtu 65520 up
	g sh -c "$(traffic_script "passt-${who}" tap0 "$2" |
		   sed '2i ip addr add 192.0.2.1/24 dev tap0; ip route add default via 192.0.2.254')"
	check_traffic "${l}" "passt-${who}"
	ping_checked "${l}: ICMP" "${TMP}/passt-${who}.log" "${G}" \
		"${TMP}/passt-${who}.ping" "${S4}"

	parent="$(status_field "${pid}" PPid)"
	kill -TERM "${pid}"
	check "${l}: SIGTERM to the PID in the PID file ends it" \
		wait_gone "${pid}"
	check "${l}: its relaying parent exits too" wait_gone "${parent}"
}

# pasta_run() - pasta in H1 around a command that does the talking, checks
# $1:	"root" or "user"
# $2:	BASE of the server ports, see servers()
pasta_run() {
	local who="$1" pidf="${TMP}/pasta-$1.pid" l="pasta ($1)" as=() pid
	local cmd="${TMP}/pasta-$1.cmd"

	[ "${who}" = "user" ] && as=(setpriv --reuid="${TEST_USER}"
				    --regid="${TEST_USER}" --init-groups --)
	servers "pasta-${who}" "$2" || { check "${l}: servers up" false; return; }
	{
		# PID 1 of its PID namespace: SIGTERM needs a handler
		echo "trap 'exit 0' TERM"
		echo "ls -A / | wc -l > ${TMP}/pasta-${who}.cmdroot"
		echo "grep ^CapEff: /proc/self/status > ${TMP}/pasta-${who}.cmdcaps"
		echo "touch ${TMP}/pasta-${who}.ready"
		echo "i=0; while [ ! -e ${TMP}/pasta-${who}.go ] && [ \$i -lt 600 ]; do sleep 0.05; i=\$((i + 1)); done"
		traffic_script "pasta-${who}" up0 "$2"
		echo "touch ${TMP}/pasta-${who}.done"
		# Bounded: the test pings from here, then ends pasta
		echo "i=0; while [ \$i -lt 2000 ]; do sleep 0.05; i=\$((i + 1)); done"
	} > "${cmd}"
	chmod 0644 "${cmd}"
	bg_start "${TMP}/pasta-${who}.log" h1 "${as[@]}" timeout 120 \
		sh -c "${LAUNCH_SH}" "${TMP}/pasta-${who}.ns" \
		"${PASTA}" --config-net -P "${pidf}" --stats 1 -- sh "${cmd}"
	pid="$(pid_from_file "${pidf}")"
	check "${l}: PID file written" test -n "${pid}" || return
	wait_file "${TMP}/pasta-${who}.ready"
	if [ "${who}" = "root" ]; then
		check_isolated "${l}" "${pid}" "${TMP}/pasta-${who}.ns" \
			"${PASTA_CAPS_ROOT}" "mnt ipc uts user"
		check_eq "${l}: runs as nobody" \
			"$(status_field "${pid}" Uid | awk '{ print $1 }')" \
			"${NOBODY_UID}"
	else
		check_isolated "${l}" "${pid}" "${TMP}/pasta-${who}.ns" \
			"${PASTA_CAPS_USER}" "mnt ipc uts user"
	fi

	check "${l}: the command sees the filesystem" \
		test "$(cat "${TMP}/pasta-${who}.cmdroot")" -gt 0
	check_eq "${l}: the command has every capability in its namespace" \
		"$(sed 's/^CapEff:[[:space:]]*//' "${TMP}/pasta-${who}.cmdcaps")" \
		"${FULL_CAPS}"

	touch "${TMP}/pasta-${who}.go"
	WAIT_TRIES=1200 wait_file "${TMP}/pasta-${who}.done"
	check_traffic "${l}" "pasta-${who}"
	ping_checked "${l}: ICMP" "${TMP}/pasta-${who}.log" \
		"$(pgrep -o -f "^sh ${cmd}\$")" "${TMP}/pasta-${who}.ping" "${S4}"
	check "${l}: still isolated after the traffic" root_empty "${pid}"

	check "${l}: the command still runs" pgrep -f "^sh ${cmd}\$"
	kill -TERM "${pid}"
	check "${l}: SIGTERM to the PID in the PID file ends it" \
		wait_gone "${pid}"
	check "${l}: the command ends with it" \
		wait_for sh -c "! pgrep -f '^sh ${cmd}\$'"
}

# ns_same() - Check that a namespace of a process is the launcher's
# $1:	PID
# $2:	namespace list from launch()
# $3:	namespace type
ns_same() {
	! ns_differs "$@" && [ -n "$(readlink "/proc/$1/ns/$3")" ]
}

# netns_only_run() - pasta as root attached to a namespace G (--netns, no
# user namespace): runs as nobody in the host's user namespace with only
# CAP_SYS_ADMIN and CAP_NET_BIND_SERVICE; TCP both ways through the tap
# (sha256), and it exits once G is deleted (the watch set up before)
# $1:	BASE of the server ports, see servers()
netns_only_run() {
	local pidf="${TMP}/nso.pid" l="pasta --netns (root)" pid

	guest_ns_create "pt-ign-$$" || return 1
	servers nso "$1" || { check "${l}: servers up" false; return; }
	bg_start "${TMP}/nso.log" h1 timeout 120 sh -c "${LAUNCH_SH}" \
		"${TMP}/nso.ns" "${PASTA}" -f -P "${pidf}" --netns "/run/netns/${G}"
	pid="$(pid_from_file "${pidf}")"
	check "${l}: PID file written" test -n "${pid}" || return
	wait_for ip -n "${G}" link show up0
	check_isolated "${l}" "${pid}" "${TMP}/nso.ns" "${PASTA_CAPS_USER}" \
		"mnt ipc uts"
	check "${l}: stays in the host's user namespace" \
		ns_same "${pid}" "${TMP}/nso.ns" user
	check_eq "${l}: runs as nobody" \
		"$(status_field "${pid}" Uid | awk '{ print $1 }')" "${NOBODY_UID}"

	ip -n "${G}" link set up0 up
	ip -n "${G}" addr add 192.0.2.1/24 dev up0
	ip -n "${G}" route add default via 192.0.2.254 dev up0
	g timeout 30 socat -u OPEN:"${TMP}/blob" TCP:${S4}:$(($1 + 1))
	g timeout 30 socat -u TCP:${S4}:$(($1 + 2)) OPEN:"${TMP}/nso.down",creat,trunc
	check "${l}: TCP up, sha256" wait_for sum_is "${TMP}/nso.up" "${BLOB_SUM}"
	check "${l}: TCP down, sha256" sum_is "${TMP}/nso.down" "${BLOB_SUM}"

	ip netns del "${G}"
	check "${l}: exits once its namespace is deleted" wait_gone "${pid}"
	check_grep "${l}: says why" "${TMP}/nso.log" "Namespace .* is gone, exiting"
}

# chroot_fallback() - Where pivot_root() is refused (test/tools/no_pivot_root
# makes it so): passt dies with a clear line, or with --chroot-fallback
# says it uses chroot(), has an empty root all the same, and serves DHCP
chroot_fallback() {
	local npr qc pid l="--chroot-fallback"

	npr="$(build_tool no_pivot_root)" && qc="$(build_tool qemu_client)" ||
		{ check "build no_pivot_root, qemu_client" false; return; }
	h1 timeout 20 "${npr}" "${PASST}" -f -s "${TMP}/npr0.sock" \
		> "${TMP}/npr0.log" 2>&1
	check_eq "pivot_root() refused: passt exits with status 1" "$?" 1
	check_grep "pivot_root() refused: one line, naming ${l}" \
		"${TMP}/npr0.log" \
		"^pivot_root\\(\\) to an empty filesystem refused \\(see --chroot-fallback\\): Invalid argument$"

	bg_start "${TMP}/npr.log" h1 timeout 60 "${npr}" "${PASST}" -f \
		--chroot-fallback -s "${TMP}/npr.sock" -P "${TMP}/npr.pid"
	pid="$(pid_from_file "${TMP}/npr.pid")"
	check "${l}: PID file written" test -n "${pid}" || return
	wait_file "${TMP}/npr.sock"
	check_grep "${l}: says it uses chroot()" "${TMP}/npr.log" \
		"^pivot_root\\(\\) refused: --chroot-fallback, using chroot\\(\\)"
	check "${l}: /proc/PID/root is empty" root_empty "${pid}"
	check_eq "${l}: CapEff" "$(status_field "${pid}" CapEff)" \
		"0000000000000000"
	"${qc}" -t 2 dhcp "${TMP}/npr.sock" > "${TMP}/npr.dhcp" 2>&1
	check_grep "${l}: DHCP lease with the host's address" "${TMP}/npr.dhcp" \
		"^ack lease yiaddr=192\\.0\\.2\\.1 server=192\\.0\\.2\\.254 "
	kill -TERM "${pid}"
	check "${l}: SIGTERM ends it" wait_gone "${pid}"
}

passt_run root 7000
pasta_run root 7010
if userns_ok; then
	passt_run user 7020
	pasta_run user 7030
else
	check "user namespaces available to ${TEST_USER}" false
fi
netns_only_run 7040
chroot_fallback

test_done
