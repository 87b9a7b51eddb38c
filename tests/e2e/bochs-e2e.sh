#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bochs-e2e.sh SCENARIO WORK_DIR FLANK_KO FLANKCTL VMM_ELF EXAMPLE_ELF CHECK_ELF PROBE
#
# One Bochs run and its verdict: bochs-run.sh boots and watches, then
# bochs-check.sh decides from the serial log, whatever the boot ended with
# (it prints the guest's log on failure).
here=$(cd "$(dirname "$0")" && pwd)
"$here/bochs-run.sh" "$@"
run_rc=$?
"$here/bochs-check.sh" "$1" "$2" || exit 1
[ "$run_rc" -eq 0 ] || exit 1
