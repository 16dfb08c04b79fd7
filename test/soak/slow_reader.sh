#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/soak/slow_reader.sh - Soak: 10 GiB each way to readers that pause
#
# Usage: test/soak/slow_reader.sh [GIB]		(default 10)
#
# Runs test/integration/load_slow.sh with GIB gibibytes each way at once
# (pasta's tap path, a reader stopping for 2 s after every 256 MiB on
# either side): every byte checked by sha256, no read waiting as long as
# one pause. Not part of "make check": about a minute per GiB on a small
# machine. PASST_BIN selects the binary (passt.asan for the sanitisers);
# SLOW_MODE=passt runs it through passt and test/tools/passt_tap instead.

set -u
SLOW_GIB="${1:-10}" exec "$(dirname "$0")/../integration/load_slow.sh"
