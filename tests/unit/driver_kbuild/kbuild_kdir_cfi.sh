#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kbuild_kdir_cfi.sh SRCDIR [KDIR]: the real kernel build refuses flank.ko
# for a kCFI kernel. KDIR (default: the newest installed Debian
# /usr/src/linux-headers-*-amd64) is copied into a temporary directory,
# its configuration (include/config/auto.conf, what Kbuild reads) gains
# CONFIG_CFI_CLANG=y, and `make -C KDIR M=... modules` runs on a copy of
# driver_linux/, loader/ and abi/ as `make driver` does. It must stop at
# driver_linux/Kbuild with the flank message before compiling anything.
# Exit 77 (skipped) without kernel headers.
set -u
src=$1
kdir=${2:-$(printf '%s\n' /usr/src/linux-headers-*-amd64 |
	grep -Ev -- '-(cloud|rt)-amd64$' | sort -V | tail -n 1)}
if [ ! -f "$kdir/include/config/auto.conf" ]; then
	echo "SKIP: no kernel headers (linux-headers-amd64)"
	exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
	echo "FAIL: $*"
	exit 1
}

# Debian's trees link scripts/ and tools/ relatively: make them absolute.
cp -a "$kdir" "$tmp/kdir" || fail "cannot copy $kdir"
for l in "$kdir"/*; do
	[ -L "$l" ] || continue
	ln -sfn "$(readlink -f "$l")" "$tmp/kdir/$(basename "$l")"
done
echo "CONFIG_CFI_CLANG=y" >>"$tmp/kdir/include/config/auto.conf"
mkdir "$tmp/src"
cp -r "$src/driver_linux" "$src/loader" "$src/abi" "$tmp/src/" ||
	fail "cannot copy the sources"

out=$(make -C "$tmp/kdir" M="$tmp/src/driver_linux" modules 2>&1)
rc=$?
echo "$out"
echo "--- make against $kdir with CONFIG_CFI_CLANG=y: exit $rc"
[ "$rc" -ne 0 ] || fail "the build succeeded"
echo "$out" | grep -qF "driver_linux/Kbuild" || fail "not stopped by Kbuild"
echo "$out" | grep -qF "flank: this kernel has CONFIG_CFI_CLANG=y (kCFI)" ||
	fail "no flank message"
[ -z "$(find "$tmp/src" -name '*.o' | head -n 1)" ] ||
	fail "objects were compiled before the refusal"
echo PASS
