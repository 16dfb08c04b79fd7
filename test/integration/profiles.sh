#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/profiles.sh - AppArmor profiles and SELinux modules
#
# Always, with the distribution's tools:
#   - contrib/apparmor/install.sh installs the profiles into a scratch
#     DESTDIR, for the ABI the parser here knows (4.0, or 3.0 without the
#     "userns," rule); apparmor_parser -Q -K compiles each, with our
#     abstraction found first (-p shows it was ours); the ABI rewrite keeps
#     and drops exactly what it should; a broken copy fails to compile;
#   - contrib/selinux builds into passt.pp and pasta.pp with the reference
#     policy's development Makefile (m4, checkmodule -M -m,
#     semodule_package), without a warning; each package holds its domain
#     and file contexts; a module calling an unknown interface fails;
#     where the distribution's policy modules are installed
#     (selinux-policy-default; SE_POLICY_DIR to look elsewhere), both link
#     into the whole policy and its expansion keeps every neverallow rule,
#     while a module requiring a missing type doesn't link.
# Where the kernel has AppArmor (/sys/kernel/security/apparmor), also:
#   - the profiles are loaded under test names without attachment (nothing
#     outside this test is confined), pasta in complain mode, then both in
#     enforce mode; pasta runs under its profile (as root, then as an
#     unprivileged user, where user namespaces may be restricted) and
#     moves 4 MiB each way between its namespace and H2, sha256 compared;
#     its label is the profile's, in enforce mode, and the command's is not;
#     passt under its profile serves a guest (test/tools/passt_tap) that
#     does the same; then the profiles are removed.
# Without AppArmor in the kernel, that part says so and checks nothing.

. "$(dirname "$0")/../lib.sh"

need_root
need_bin
need_cmd apparmor_parser make m4 checkmodule semodule_package semodule_link \
	 semodule_expand bunzip2 socat \
	 sha256sum
SE_MAKEFILE=/usr/share/selinux/devel/Makefile
[ -f "${SE_MAKEFILE}" ] || skip "no ${SE_MAKEFILE} (selinux-policy-dev)"

AA_SRC="${TEST_TOP}/contrib/apparmor"
SE_SRC="${TEST_TOP}/contrib/selinux"

# ---- AppArmor: compile -------------------------------------------------------

ABI=3
[ -e /etc/apparmor.d/abi/4.0 ] && ABI=4
echo "# apparmor_parser: $(apparmor_parser --version | head -n 1)," \
     "profiles installed for ABI ${ABI}.0"

AA="${TMP}/aa/etc/apparmor.d"
check "install.sh installs the profiles (ABI ${ABI}.0)" \
	"${AA_SRC}/install.sh" --abi "${ABI}" "${TMP}/aa"
"${AA_SRC}/install.sh" --abi 3 "${TMP}/aa3" > /dev/null
"${AA_SRC}/install.sh" --abi 4 "${TMP}/aa4" > /dev/null

# aa_parse() - Compile a profile, our abstractions first, load nothing
# $1:	profile file
# $2..:	extra apparmor_parser options
aa_parse() {
	local f="$1"
	shift
	apparmor_parser -Q -K -I "${AA}" "$@" "${f}"
}

for p in usr.bin.passt usr.bin.pasta; do
	check "apparmor_parser compiles ${p}" aa_parse "${AA}/${p}"
	aa_parse "${AA}/${p}" -p > "${TMP}/${p}.pp.txt" 2>&1
	check_grep "${p}: abstractions/passt is ours" "${TMP}/${p}.pp.txt" \
		"Rules shared by passt\\(1\\) and pasta\\(1\\)"
done
check_grep "pasta's command leaves the profile (pux)" "${AA}/usr.bin.pasta" \
	"^  /\\{,usr/,usr/local/\\}\\{bin,sbin\\}/\\*\\*[[:space:]]+pux,"

check_grep "ABI 4.0: the userns rule is there" \
	"${TMP}/aa4/etc/apparmor.d/abstractions/passt" "^  userns,$"
check_grep "ABI 4.0: abi <abi/4.0>" \
	"${TMP}/aa4/etc/apparmor.d/usr.bin.pasta" "^abi <abi/4\\.0>,$"
check "ABI 3.0: no userns rule left" \
	sh -c "! grep -rn 'userns,' '${TMP}/aa3'"
check "ABI 3.0: no ABI 4.0 left" \
	sh -c "! grep -rn 'abi/4' '${TMP}/aa3'"
check "ABI 3.0: nothing else differs from the sources" \
	sh -c "diff -r '${TMP}/aa3/etc/apparmor.d' '${AA_SRC}' |
	       grep '^[<>]' | grep -v 'abi <abi/[34]\\.0>,\$' |
	       grep -v '^> *userns,\$' | { ! grep .; }"

# A test that can't fail proves nothing: a broken rule must be refused
sed 's/^  include <abstractions\/passt>$/&\n  bogus_rule_xyz,/' \
	"${AA}/usr.bin.pasta" > "${TMP}/broken.pasta"
check "a broken copy of usr.bin.pasta is refused" \
	sh -c "! apparmor_parser -Q -K -I '${AA}' '${TMP}/broken.pasta'"

# ---- SELinux: build ----------------------------------------------------------

SE="${TMP}/se"
mkdir -p "${SE}"
cp "${SE_SRC}"/passt.te "${SE_SRC}"/passt.if "${SE_SRC}"/passt.fc \
   "${SE_SRC}"/pasta.te "${SE_SRC}"/pasta.if "${SE_SRC}"/pasta.fc "${SE}/"
(cd "${SE}" && make -f "${SE_MAKEFILE}" passt.pp pasta.pp) \
	> "${TMP}/se.txt" 2>&1
echo "# SELinux build: $(grep -c '^Compiling' "${TMP}/se.txt") modules compiled"
check "SELinux modules build (checkmodule, semodule_package)" \
	test -s "${SE}/passt.pp" -a -s "${SE}/pasta.pp"
check "SELinux build: no warnings, no errors" \
	sh -c "! grep -Ei 'warning|error' '${TMP}/se.txt'" ||
	sed 's/^/    | /' "${TMP}/se.txt"
for m in passt pasta; do
	check "${m}.pp declares ${m}_t and ${m}_exec_t" \
		sh -c "grep -aq '${m}_t' '${SE}/${m}.pp' &&
		       grep -aq '${m}_exec_t' '${SE}/${m}.pp'"
	check "${m}.pp labels /usr/bin/${m}" \
		grep -aq "/usr/bin/${m}" "${SE}/${m}.pp"
done

# se_policy_unpack() - Copy the distribution's policy modules, unpacked
# $1:	directory with base.pp or base.pp.bz2 and the other modules
# $2:	destination directory
se_policy_unpack() {
	local f

	mkdir -p "$2"
	for f in "$1"/*.pp "$1"/*.pp.bz2; do
		case "${f}" in
		*\**) ;;
		*.bz2) bunzip2 -c "${f}" > "$2/$(basename "${f}" .bz2)" ;;
		*) cp "${f}" "$2/" ;;
		esac
	done
	test -s "$2/base.pp"
}

# se_link() - Link modules against the whole policy, then expand it, which
# checks every requirement and every neverallow rule
# $1:	directory of the policy's modules
# $2..:	our modules
se_link() {
	local dir="$1" mods=() f
	shift

	for f in "${dir}"/*.pp; do
		[ "${f}" = "${dir}/base.pp" ] || mods+=("${f}")
	done
	semodule_link -o "${TMP}/linked.pp" "${dir}/base.pp" "${mods[@]}" \
		"$@" > /dev/null && semodule_expand "${TMP}/linked.pp" \
		"${TMP}/expanded.pol"
}

# With the distribution's policy itself (selinux-policy-default), the
# modules are also linked into it
SE_POLICY="${SE_POLICY_DIR:-/usr/share/selinux/default}"
if se_policy_unpack "${SE_POLICY}" "${TMP}/sepol" 2> /dev/null; then
	echo "# SELinux: linking into the policy in ${SE_POLICY}"
	check "modules link into the whole policy, neverallow rules hold" \
		se_link "${TMP}/sepol" "${SE}/passt.pp" "${SE}/pasta.pp"
	check "the linked policy has passt_t and pasta_t" \
		sh -c "grep -aq passt_t '${TMP}/expanded.pol' &&
		       grep -aq pasta_t '${TMP}/expanded.pol'"
	mkdir -p "${TMP}/selink"
	printf 'policy_module(zzbad, 0.1)\ngen_require(`type no_such_type_t;'"'"')\nallow no_such_type_t self:process fork;\n' \
		> "${TMP}/selink/zzbad.te"
	: > "${TMP}/selink/zzbad.if"
	: > "${TMP}/selink/zzbad.fc"
	(cd "${TMP}/selink" && make -f "${SE_MAKEFILE}" zzbad.pp) > /dev/null 2>&1
	check "a module requiring a missing type doesn't link" \
		sh -c "! semodule_link -o '${TMP}/bad.pp' \
		       '${TMP}/sepol/base.pp' '${TMP}/selink/zzbad.pp'"
else
	echo "# SELinux: no policy modules in ${SE_POLICY}" \
	     "(selinux-policy-default): built, not linked"
fi

mkdir -p "${TMP}/sebad"
cp "${SE}"/passt.* "${TMP}/sebad/"
rm -f "${TMP}/sebad/passt.pp"
echo "passt_no_such_interface(passt_t)" >> "${TMP}/sebad/passt.te"
check "a module calling an unknown interface fails to build" \
	sh -c "cd '${TMP}/sebad' && ! make -f '${SE_MAKEFILE}' passt.pp"

# ---- AppArmor: load and run, where the kernel has it ------------------------

if [ ! -d /sys/kernel/security/apparmor ]; then
	echo "# no AppArmor in this kernel (/sys/kernel/security/apparmor):" \
	     "profiles compiled above, not loaded"
	test_done
fi
echo "# AppArmor in this kernel: loading the profiles under test names"

sandbox_create || exit 1
NAME_PASTA="passt-test-pasta-$$"
NAME_PASST="passt-test-passt-$$"
SRC="${TMP}/src"
head -c $((4 << 20)) /dev/urandom > "${SRC}"
chmod 0644 "${SRC}"
SUM="$(sha256sum < "${SRC}")"

# aa_test_copy() - A profile under a test name, without attachment
# $1:	installed profile file
# $2:	profile name to declare, e.g. pasta
# $3:	test name
# Prints the path of the copy
aa_test_copy() {
	local out="${TMP}/$3"

	sed "s|^profile $2 [^ {]*|profile $3|" "$1" > "${out}"
	echo "${out}"
}

P_PASTA="$(aa_test_copy "${AA}/usr.bin.pasta" pasta "${NAME_PASTA}")"
P_PASST="$(aa_test_copy "${AA}/usr.bin.passt" passt "${NAME_PASST}")"
cleanup_add apparmor_parser -R -I "${AA}" "${P_PASTA}"
cleanup_add apparmor_parser -R -I "${AA}" "${P_PASST}"

# aa_label() - The AppArmor label of a process
# $1:	PID
aa_label() {
	cat "/proc/$1/attr/apparmor/current" 2>/dev/null ||
		cat "/proc/$1/attr/current"
}

# pasta_confined() - Run pasta in H1 under the test profile, around a
# script: note its label, send SRC to H2 and fetch it back, then wait until
# the test has looked at pasta's label (bounded)
# $1:	tag (files)
# $2:	"root" or "user"
# $3:	first of two ports in H2
pasta_confined() {
	local t="$1" who="$2" p="$3" run=()
	local script="{ cat /proc/self/attr/apparmor/current ||
			cat /proc/self/attr/current; } > ${TMP}/${t}.child 2>/dev/null
		socat -u OPEN:${SRC} TCP:198.51.100.1:${p}
		socat -u TCP:198.51.100.1:$((p + 1)) OPEN:${TMP}/${t}.in,creat,trunc
		touch ${TMP}/${t}.done
		for i in \$(seq 300); do
			[ -e ${TMP}/${t}.release ] && exit 0; sleep 0.1
		done"

	if [ "${who}" = "user" ]; then
		user_setup || return 1
		run=(setpriv --reuid="${TEST_USER}" --regid="${TEST_USER}"
		     --init-groups --apparmor-profile="${NAME_PASTA}" --)
	else
		run=(aa-exec -p "${NAME_PASTA}" --)
	fi
	bg_start "${TMP}/${t}.pasta.log" h1 timeout 60 "${run[@]}" "${PASTA}" \
		--config-net -P "${TMP}/${t}.pid" -- sh -c "${script}"
}

# aa_run_pasta() - One confined pasta run, its bytes and labels checked
# $1:	tag
# $2:	"root" or "user"
# $3:	first of two ports in H2
# $4:	expected mode of pasta's label: complain or enforce
aa_run_pasta() {
	local t="$1" who="$2" p="$3" mode="$4" pid

	bg_start "${TMP}/${t}.s1.log" h2 timeout 60 socat -u \
		TCP-LISTEN:"${p}",reuseaddr OPEN:"${TMP}/${t}.out",creat,trunc
	bg_start "${TMP}/${t}.s2.log" h2 timeout 60 socat -u \
		OPEN:"${SRC}" TCP-LISTEN:$((p + 1)),reuseaddr
	wait_port "${H2}" tcp "${p}"
	wait_port "${H2}" tcp $((p + 1))
	pasta_confined "${t}" "${who}" "${p}"
	WAIT_TRIES=600 wait_file "${TMP}/${t}.done"
	pid="$(cat "${TMP}/${t}.pid" 2>/dev/null)"
	check_eq "${t}: pasta runs under its profile, ${mode} mode" \
		"$(aa_label "${pid:-0}" 2>/dev/null)" "${NAME_PASTA} (${mode})"
	touch "${TMP}/${t}.release"
	wait_for sum_is "${TMP}/${t}.out" "${SUM}"
	check "${t}: 4 MiB from the namespace reach H2" \
		sum_is "${TMP}/${t}.out" "${SUM}"
	check "${t}: 4 MiB from H2 reach the namespace" \
		sum_is "${TMP}/${t}.in" "${SUM}"
	check_grep "${t}: the command is not confined by pasta's profile" \
		"${TMP}/${t}.child" "^unconfined$"
	wait_gone "${pid:-0}"
}

check "pasta's profile loads in complain mode" \
	apparmor_parser -r -K -C -I "${AA}" "${P_PASTA}"
aa_run_pasta complain root 7301 complain

check "pasta's profile loads in enforce mode" \
	apparmor_parser -r -K -I "${AA}" "${P_PASTA}"
aa_run_pasta enforce root 7311 enforce
aa_run_pasta enforce_user user 7321 enforce

# passt under its profile, a guest on the other side of its socket
PT="$(build_tool passt_tap)" || exit 1
guest_ns_create "pt-ag-$$" || exit 1
check "passt's profile loads in enforce mode" \
	apparmor_parser -r -K -I "${AA}" "${P_PASST}"
SOCK="${TMP}/passt.sock"
bg_start "${TMP}/passt.log" h1 timeout 60 aa-exec -p "${NAME_PASST}" -- \
	"${PASST}" -f -s "${SOCK}" -P "${TMP}/passt.pid"
check "confined passt creates its socket" wait_file "${SOCK}"
check_eq "passt runs under its profile, enforce mode" \
	"$(aa_label "$(cat "${TMP}/passt.pid" 2>/dev/null)" 2>/dev/null)" \
	"${NAME_PASST} (enforce)"
bg_start "${TMP}/pt.log" g "${PT}" "${SOCK}" tap0
wait_for ip -n "${G}" link show tap0
ip -n "${G}" link set tap0 up
ip -n "${G}" addr add 192.0.2.1/24 dev tap0
ip -n "${G}" route add default via 192.0.2.254 dev tap0
bg_start "${TMP}/ps1.log" h2 timeout 60 socat -u \
	TCP-LISTEN:7331,reuseaddr OPEN:"${TMP}/passt.out",creat,trunc
bg_start "${TMP}/ps2.log" h2 timeout 60 socat -u \
	OPEN:"${SRC}" TCP-LISTEN:7332,reuseaddr
wait_port "${H2}" tcp 7331
wait_port "${H2}" tcp 7332
g timeout 30 socat -u OPEN:"${SRC}" TCP:198.51.100.1:7331
g timeout 30 socat -u TCP:198.51.100.1:7332 OPEN:"${TMP}/passt.in",creat,trunc
wait_for sum_is "${TMP}/passt.out" "${SUM}"
check "passt: 4 MiB from the guest reach H2" sum_is "${TMP}/passt.out" "${SUM}"
check "passt: 4 MiB from H2 reach the guest" sum_is "${TMP}/passt.in" "${SUM}"

test_done
