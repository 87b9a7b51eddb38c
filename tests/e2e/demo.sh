#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# demo.sh [BUILD_DIR]   (make demo; scripts/demo.sh runs it)
#
# Flank's main job on a machine without VT-x: boots Debian's Linux under
# Bochs, whose Intel VT-x is emulated in software, with 2 CPUs, loads
# flank.ko and the VMM image, virtualises every CPU under the running
# kernel, runs a workload, shows what the VMM saw (status, VM exits per
# reason per CPU), stops and unloads it, and proves it can do that again.
# The same boot and checks as `make e2e`, with a transcript.
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
bin=${1:-$root/build}
case $bin in /*) ;; *) bin=$root/$bin ;; esac
say() { printf '\n== %s\n' "$*"; }

say "Building Flank: vmm.elf (freestanding), flank.ko (against the installed kernel headers), flankctl, flank-probe"
cmake -S "$root" -B "$bin" >/dev/null
cmake --build "$bin" -j"$(nproc)" --target flank_image flankctl-static flank-probe >/dev/null
cmake --build "$bin" --target driver >/dev/null
elf="$bin/image/libvmm/image/vmm.elf"
example="$bin/image/libvmm/modules/example/example.elf"
check="$bin/image/libvmm/modules/vmcs_check/vmcs_check.elf"
say "vmm.elf is $(stat -c %s "$elf") bytes; the example extension module $(stat -c %s "$example") bytes"
say "Booting Linux under Bochs (Intel VT-x in software, 2 CPUs). Bochs runs about 85 million"
echo "   instructions a second: the kernel needs one to three minutes before it prints anything."
work="$bin/e2e/demo"
FLANK_E2E_LIVE="$root/tests/e2e/demo-render.sh" \
	"$root/tests/e2e/bochs-run.sh" main "$work" "$bin/kbuild/driver_linux/flank.ko" \
	"$bin/tools/flankctl/flankctl-static" "$elf" "$example" "$check" \
	"$bin/tests/e2e/flank-probe" || true
say "Checking every result against what it must be (tests/e2e/bochs-check.sh)"
if "$root/tests/e2e/bochs-check.sh" main "$work" >"$work/check.out" 2>&1; then
	cat "$work/check.out"
	say "Done in $(cat "$work/seconds") s. Guest log: $work/serial.log"
else
	tail -n 40 "$work/check.out"
	say "The run FAILED (full guest log: $work/serial.log)"
	exit 1
fi
