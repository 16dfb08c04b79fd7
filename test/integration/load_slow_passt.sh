#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# test/integration/load_slow_passt.sh - passt: readers that go away for seconds
#
# load_slow.sh through passt: test/tools/passt_tap relays frames between
# passt's socket and a tap device in a namespace G, whose kernel plays the
# guest; 2 GiB each way at once to readers pausing 2 s after every 256 MiB.

SLOW_MODE=passt exec "$(dirname "$0")/load_slow.sh"
