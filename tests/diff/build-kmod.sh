#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-kmod.sh SRC_DIR OUT_DIR KDIR
#
# Builds the test-only module flank_diff.ko (tests/diff/kmod/) with Kbuild
# in OUT_DIR from a copy of its sources, the shared case generator
# (tests/diff/diffcase.[ch]), the VMCS field table and driver_linux/compat/
# (<stdint.h> and friends for shared code in the kernel). Any compiler
# warning fails the build. Prints the path of the module.
set -eu
src=${1:?usage: build-kmod.sh SRC_DIR OUT_DIR KDIR}
out=${2:?}
kdir=${3:?}
[ -f "$kdir/Makefile" ] || { echo "flank-diff: no kernel build tree at $kdir" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out/include/flank"
cp "$src/tests/diff/kmod/Kbuild" "$src/tests/diff/kmod/diff_kmod.c" \
	"$src/tests/diff/diffcase.c" "$src/tests/diff/diffcase.h" "$out/"
cp "$src/intrinsics/include/flank/vmcs_fields.h" "$out/include/flank/"
cp -r "$src/driver_linux/compat" "$out/compat"
unset MAKEFLAGS MFLAGS MAKELEVEL
log=$out/build.log
if ! make -C "$kdir" M="$out" modules >"$log" 2>&1; then
	cat "$log" >&2
	exit 1
fi
if grep -n "warning:" "$log" >&2; then
	echo "flank-diff: the module build has warnings (log: $log)" >&2
	exit 1
fi
echo "$out/flank_diff.ko"
