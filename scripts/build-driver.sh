#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-driver.sh SRC_DIR OUT_DIR KDIR
#
# Builds flank.ko with Kbuild, W=1 and sparse (C=1) in OUT_DIR, from a copy
# of driver_linux/, loader/ and abi/ (Kbuild writes its objects next to the
# sources; the copy keeps the source tree clean). Any "warning:" in the
# build log, from the compiler or from sparse, fails the build. Prints the
# path of flank.ko and its modinfo.
set -eu
src=${1:?usage: build-driver.sh SRC_DIR OUT_DIR KDIR}
out=${2:?usage: build-driver.sh SRC_DIR OUT_DIR KDIR}
kdir=${3:-}
if [ -z "$kdir" ] || [ ! -f "$kdir/Makefile" ]; then
	echo "flank: no kernel build tree (KDIR='$kdir'): install linux-headers-amd64 or pass KDIR=" >&2
	exit 1
fi
# Kernels that ship vmlinux in their headers (Debian's 6.12, not its 6.1)
# and have CONFIG_DEBUG_INFO_BTF_MODULES=y add BTF to every module with
# pahole; without it the last Kbuild step fails with "pahole: not found".
if [ -f "$kdir/vmlinux" ] && grep -qs '^CONFIG_DEBUG_INFO_BTF_MODULES=y' "$kdir/.config" &&
	! command -v pahole >/dev/null 2>&1; then
	echo "flank: $kdir builds module BTF, which needs pahole: install the Debian package 'dwarves'" >&2
	exit 1
fi
sparse_flag=C=1
if ! command -v sparse >/dev/null 2>&1; then
	echo "flank: sparse is not installed (Debian package 'sparse'): building without C=1" >&2
	sparse_flag=
fi
mkdir -p "$out"
for d in driver_linux loader abi; do
	rm -rf "${out:?}/$d"
	cp -r "$src/$d" "$out/$d"
done
# libvmm's status sentences, which core/vmm_texts.c compiles (as the DKMS
# tree holds them, cmake/FlankInstall.cmake).
rm -rf "${out:?}/libvmm"
mkdir -p "$out/libvmm/src" "$out/libvmm/include/flank"
cp "$src/libvmm/src/status.c" "$src/libvmm/src/status_texts.h" \
	"$src/libvmm/src/strtab.h" "$out/libvmm/src/"
cp "$src/libvmm/include/flank/vmm_status.h" "$out/libvmm/include/flank/"
log="$out/build.log"
# Build from scratch so that every file is compiled and checked again.
# Kbuild runs on its own, not as a child of the caller's make (jobserver).
unset MAKEFLAGS MFLAGS MAKELEVEL
if ! make -C "$kdir" M="$out/driver_linux" W=1 $sparse_flag modules >"$log" 2>&1; then
	cat "$log" >&2
	echo "flank: building flank.ko failed (log: $log)" >&2
	exit 1
fi
if grep -n "warning:" "$log" >&2; then
	echo "flank: the build of flank.ko has warnings (log: $log): they are errors" >&2
	exit 1
fi
echo "flank.ko: $out/driver_linux/flank.ko (W=1, ${sparse_flag:-no sparse}, no warnings)"
modinfo "$out/driver_linux/flank.ko"
