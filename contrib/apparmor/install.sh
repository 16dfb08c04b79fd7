#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# contrib/apparmor/install.sh - Install the passt and pasta AppArmor profiles
#
# Usage: install.sh [--abi 3|4] [DESTDIR]
#
# Copies abstractions/passt, usr.bin.passt and usr.bin.pasta to
# DESTDIR/etc/apparmor.d (DESTDIR defaults to nothing: the system). Loading
# them is left to the caller: apparmor_parser -r, or reloading the apparmor
# service.
#
# The profiles are written for AppArmor ABI 4.0, whose "userns," rule lets
# them create user namespaces where unprivileged ones are restricted
# (Ubuntu 23.10 and later). AppArmor 3 knows neither that ABI nor the rule,
# and doesn't mediate user namespaces either: for it (no
# /etc/apparmor.d/abi/4.0, or --abi 3) the profiles are installed for ABI
# 3.0, without the rule.

set -eu

SRC="$(cd "$(dirname "$0")" && pwd)"
ABI=
DESTDIR=

while [ $# -gt 0 ]; do
	case "$1" in
	--abi)	[ $# -ge 2 ] || { echo "--abi needs 3 or 4" >&2; exit 2; }
		ABI="$2"; shift ;;
	-*)	echo "Usage: $0 [--abi 3|4] [DESTDIR]" >&2; exit 2 ;;
	*)	DESTDIR="$1" ;;
	esac
	shift
done

if [ -z "${ABI}" ]; then
	ABI=3
	[ -e /etc/apparmor.d/abi/4.0 ] && ABI=4
fi
case "${ABI}" in
3|4) ;;
*) echo "Unknown ABI ${ABI}: 3 or 4" >&2; exit 2 ;;
esac

DIR="${DESTDIR}/etc/apparmor.d"
mkdir -p "${DIR}/abstractions"

# install_one() - Copy one file, for ABI 3.0 without the ABI 4.0 parts
# $1:	source, relative to this directory
install_one() {
	if [ "${ABI}" = 4 ]; then
		cp "${SRC}/$1" "${DIR}/$1"
	else
		sed -e 's|^\( *\)abi <abi/4\.0>,|\1abi <abi/3.0>,|' \
		    -e '/^ *userns,/d' "${SRC}/$1" > "${DIR}/$1"
	fi
	chmod 0644 "${DIR}/$1"
}

install_one abstractions/passt
install_one usr.bin.passt
install_one usr.bin.pasta
echo "Installed for AppArmor ABI ${ABI}.0 in ${DIR}"
