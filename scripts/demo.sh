#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# demo.sh [BUILD_DIR]
#
# Flank's main job on the embedded default. If tests/e2e/demo.sh exists (the
# whole-system run: Linux booted under Bochs's VT-x with Flank loaded), it
# runs that. Otherwise it builds the VMM image, shows what it contains and
# runs the fault scenarios on the emulated VT-x, with a transcript.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build}
if [ -x "$root/tests/e2e/demo.sh" ]; then
	exec "$root/tests/e2e/demo.sh" "$bin"
fi
say() { printf '\n== %s\n' "$*"; }

say "Building Flank (host part, and vmm.elf with the freestanding toolchain)"
cmake -S "$root" -B "$bin" >/dev/null
cmake --build "$bin" -j"$(nproc)" >/dev/null
elf="$bin/image/libvmm/image/vmm.elf"
say "The VMM image: $elf ($(stat -c %s "$elf") bytes)"
"$root/scripts/check-image.sh" "$elf"
readelf -W -l "$elf" | grep -E '^ +(Type|LOAD)'
say "A scenario (docs/scenarios.md): the design card's VMXON fault, and the fault sweep"
cat "$root/tests/fault/scenarios/run_vmxon_fail_invalid.scen"
(cd "$root/tests/fault" && "$bin/tests/fault/runner/flank-scen" \
	scenarios/run_vmxon_fail_invalid.scen scenarios/sweep_skylake.scen) || exit 1
say "Fault scenarios on the emulated VT-x"
ctest --test-dir "$bin" -L '^fault$' --output-on-failure || exit 1
say "Done. The whole-system run (Linux under Bochs VT-x) is not built yet: see docs/status.md."
