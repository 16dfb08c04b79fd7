#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/passt_stdio.sh - passt and pasta started with odd
# standard descriptors, as launchers may start them
#
# In a sandbox (see test/lib.sh), with 1 MiB moved each time from the
# guest to a server in H2 (sha256 compared there):
#   - fds 0-2 closed (exec 0<&- 1>&- 2>&-): passt -f with --pcap and no log
#     file, its guest a namespace behind test/tools/passt_tap; pasta
#     --config-net with --log-file and --pcap around a command that writes
#     a marker to its standard output and error. Then 0-2 must be
#     /dev/null in the daemon, the capture valid (tcpdump reads all of it
#     and sees the transfer), the log file holding pasta's lines and not
#     the command's, the command run with 0-2 open;
#   - standard error a pipe whose reader has gone (libvirt's way), on a
#     host without a global IPv6 address, so that both print a line to it
#     ("No IPv6 template interface") before their log file is open: passt
#     (in the background, with --log-file) and pasta (with a command) must
#     not die of SIGPIPE: data moves over IPv4, the log files hold their
#     lines.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd ip ss socat sha256sum timeout tcpdump

PT="$(build_tool passt_tap)" || skip "can't build passt_tap"
DATA="${TMP}/data"
head -c $((1 << 20)) /dev/urandom > "${DATA}"
SUM="$(sha256sum < "${DATA}")"
S4=198.51.100.1
MARK="not-a-log-line"

sandbox_create || skip "can't create sandbox"
guest_ns_create "pt-sg-$$" || exit 1

# server() - Start H2's one-shot server writing what it gets to a file
# $1:	port
# $2:	output file
server() {
	bg_start "${TMP}/server.$1.log" h2 timeout 60 socat -u \
		TCP-LISTEN:"$1",reuseaddr OPEN:"$2",creat,trunc
	wait_port "${H2}" tcp "$1"
}

# guest_up() - Bridge G to passt's socket, configure G's side
# $1:	passt's socket
guest_up() {
	ip -n "${G}" link del tap0 2>/dev/null
	bg_start "${TMP}/pt.log" g "${PT}" "$1" tap0
	wait_for ip -n "${G}" link show tap0 || return 1
	ip -n "${G}" link set tap0 mtu 65520 up
	ip -n "${G}" addr add 192.0.2.1/24 dev tap0
	ip -n "${G}" route add default via 192.0.2.254 dev tap0
}

# std_fds_null() - Are a process's fds 0, 1 and 2 all /dev/null?
# $1:	PID
std_fds_null() {
	local fd

	for fd in 0 1 2; do
		[ "$(readlink "/proc/$1/fd/${fd}")" = "/dev/null" ] || {
			echo "fd ${fd}: $(readlink "/proc/$1/fd/${fd}")"
			return 1
		}
	done
}

# pcap_valid() - Does tcpdump read a whole capture, and see a port in it?
# $1:	capture file
# $2:	TCP port the capture must show
pcap_valid() {
	local out

	out="$(tcpdump -Z root -nn -r "$1" 2>&1)" || { echo "${out}"; return 1; }
	echo "${out}" | grep -q "\\.$2: " || { echo "${out}"; return 1; }
}

# ---- fds 0-2 closed ---------------------------------------------------------

SOCK="${TMP}/passt.sock"
server 7001 "${TMP}/out1"
bg_start "${TMP}/passt1.out" h1 bash -c 'exec 0<&- 1>&- 2>&-
	exec timeout 60 "$@"' _ "${PASST}" -f -s "${SOCK}" \
	--pcap "${TMP}/passt.pcap" -P "${TMP}/passt1.pid"
check "passt, fds 0-2 closed: starts, creates its socket" \
	wait_file "${SOCK}" || test_done
check "passt, fds 0-2 closed: guest bridged" guest_up "${SOCK}"
check "passt, fds 0-2 closed: 0-2 are /dev/null in the daemon" \
	std_fds_null "$(cat "${TMP}/passt1.pid")"
g timeout 30 socat -u OPEN:"${DATA}" TCP:${S4}:7001
wait_for sum_is "${TMP}/out1" "${SUM}"
check "passt, fds 0-2 closed: 1 MiB from the guest to H2" \
	sum_is "${TMP}/out1" "${SUM}"
kill "$(cat "${TMP}/passt1.pid")"
wait_gone "$(cat "${TMP}/passt1.pid")"
check "passt, fds 0-2 closed: the capture is valid, has the transfer" \
	pcap_valid "${TMP}/passt.pcap" 7001

server 7002 "${TMP}/out2"
h1 bash -c 'exec 0<&- 1>&- 2>&-; exec timeout 60 "$@"' _ \
	"${PASTA}" --config-net --log-file "${TMP}/pasta1.log" \
	--pcap "${TMP}/pasta.pcap" -- sh -c "
	exec 3>&1
	readlink /proc/self/fd/0 /proc/self/fd/3 /proc/self/fd/2 > ${TMP}/cmd.fds
	echo ${MARK}; echo ${MARK} >&2
	timeout 30 socat -u OPEN:${DATA} TCP:${S4}:7002
	$(wait_size_sh "${TMP}/out2" $((1 << 20)))"
echo $? > "${TMP}/pasta1.rc"
check_eq "pasta, fds 0-2 closed: exit status is the command's" \
	"$(cat "${TMP}/pasta1.rc")" 0
wait_for sum_is "${TMP}/out2" "${SUM}"
check "pasta, fds 0-2 closed: 1 MiB from the namespace to H2" \
	sum_is "${TMP}/out2" "${SUM}"
check_eq "pasta, fds 0-2 closed: the command ran with 0-2 on /dev/null" \
	"$(sort -u "${TMP}/cmd.fds" 2>/dev/null)" "/dev/null"
check_grep "pasta, fds 0-2 closed: the log file has pasta's lines" \
	"${TMP}/pasta1.log" "^Template interface: up0"
check "pasta, fds 0-2 closed: nothing of the command's in the log file" \
	bash -c "! grep -a '${MARK}' '${TMP}/pasta1.log'"
check "pasta, fds 0-2 closed: the capture is valid, has the transfer" \
	pcap_valid "${TMP}/pasta.pcap" 7002

# ---- Standard error: a pipe whose reader has gone ---------------------------

ip -n "${H1}" -6 route del default
ip -n "${H1}" -6 addr del 2001:db8::1/64 dev up0
SOCK="${TMP}/passt2.sock"
dead_pipe_open

server 7003 "${TMP}/out3"
check "passt, dead standard error pipe: starts (background, --log-file)" \
	with_dead_stderr h1 timeout 30 "${PASST}" -s "${SOCK}" \
	-P "${TMP}/passt2.pid" --log-file "${TMP}/passt2.log"
PASST_PID="$(cat "${TMP}/passt2.pid" 2>/dev/null)"
[ -n "${PASST_PID}" ] && cleanup_pid "${PASST_PID}"
check "passt, dead standard error pipe: guest bridged" guest_up "${SOCK}"
g timeout 30 socat -u OPEN:"${DATA}" TCP:${S4}:7003
wait_for sum_is "${TMP}/out3" "${SUM}"
check "passt, dead standard error pipe: 1 MiB from the guest to H2" \
	sum_is "${TMP}/out3" "${SUM}"
check "passt, dead standard error pipe: still running" \
	kill -0 "${PASST_PID:-no-pid}"
check_grep "passt, dead standard error pipe: the log file has its lines" \
	"${TMP}/passt2.log" "^UNIX domain socket bound at ${SOCK}\$"

server 7004 "${TMP}/out4"
with_dead_stderr h1 timeout 60 "${PASTA}" --config-net \
	--log-file "${TMP}/pasta2.log" -- \
	sh -c "timeout 30 socat -u OPEN:${DATA} TCP:${S4}:7004
	$(wait_size_sh "${TMP}/out4" $((1 << 20)))"
echo $? > "${TMP}/pasta2.rc"
exec 3>&-
check_eq "pasta, dead standard error pipe: exit status is the command's" \
	"$(cat "${TMP}/pasta2.rc")" 0
wait_for sum_is "${TMP}/out4" "${SUM}"
check "pasta, dead standard error pipe: 1 MiB from the namespace to H2" \
	sum_is "${TMP}/out4" "${SUM}"
check_grep "pasta, dead standard error pipe: the log file has its lines" \
	"${TMP}/pasta2.log" "^Template interface: up0"

test_done
