#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kbuild_config.sh KBUILD: driver_linux/Kbuild refuses kernels flank.ko
# must not be built for. The kernel's scripts/Makefile.build includes the
# kernel's configuration (include/config/auto.conf) and then the Kbuild
# file, so a CONFIG_ symbol is a make variable when the Kbuild file is
# parsed; this test parses the file the same way, with the symbols given
# on the command line, and a target of its own that only says "parsed".
#   - no CONFIG_CFI_CLANG/CONFIG_CFI: parsed;
#   - CONFIG_CFI_CLANG=y (kCFI, 6.1 .. 6.17) or CONFIG_CFI=y (its name
#     from 6.18): refused, with a message that names the option and why.
set -u
kbuild=$1
src=$(dirname "$kbuild")
fails=0

parse() {
	make --no-print-directory -f "$kbuild" src="$src" \
		--eval 'flank-kbuild-parsed: ; @echo parsed' "$@" \
		flank-kbuild-parsed 2>&1
}

check() {
	want_rc=$1
	shift
	out=$(parse "$@")
	rc=$?
	echo "--- $* (exit $rc)"
	echo "$out"
	if [ "$want_rc" = ok ]; then
		[ "$rc" -eq 0 ] && [ "$out" = parsed ] && return 0
	else
		[ "$rc" -ne 0 ] &&
			echo "$out" | grep -qF "Kbuild" &&
			echo "$out" | grep -qF "flank: $want_rc" &&
			echo "$out" | grep -qF "kCFI" &&
			echo "$out" | grep -qF "type hash" && return 0
	fi
	echo "FAIL: $*: expected ${want_rc}"
	fails=$((fails + 1))
}

check ok
check ok CONFIG_X86_KERNEL_IBT=y CONFIG_CC_IS_GCC=y
check "this kernel has CONFIG_CFI_CLANG=y" CONFIG_CFI_CLANG=y
check "this kernel has CONFIG_CFI=y" CONFIG_CFI=y
[ "$fails" -eq 0 ] || exit 1
echo PASS
