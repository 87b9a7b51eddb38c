#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-version.sh SRC_DIR VERSION FLANKCTL
#
# The release has one source, CMake's project(VERSION) (passed as VERSION);
# everything else that names it must agree: debian/changelog (the packages'
# version), driver_linux/dkms.conf (the DKMS tree /usr/src/flank-VERSION),
# MODULE_VERSION in driver_linux/main.c (modinfo), the VMM image's own
# version (libvmm's vmm_version.h numbers and version.c string, which
# `flankctl load` and the presence CPUID leaf report), `flankctl
# --version`, and the versions docs/installing.md shows. Prints every
# disagreement.
set -eu
src=${1:?usage: check-version.sh SRC_DIR VERSION FLANKCTL}
want=${2:?usage: check-version.sh SRC_DIR VERSION FLANKCTL}
flankctl=${3:?usage: check-version.sh SRC_DIR VERSION FLANKCTL}
bad=0
check() { # what, found
	if [ "$2" != "$want" ]; then
		echo "check-version: $1 says '$2', CMakeLists.txt project(VERSION) $want"
		bad=$((bad + 1))
	fi
}
# debian/changelog's first line: "flank (VERSION) distribution; ..." (a
# native package: the version has no Debian revision).
check debian/changelog "$(sed -n '1s/^flank (\([^)]*\)).*/\1/p' "$src/debian/changelog")"
check driver_linux/dkms.conf \
	"$(sed -n 's/^PACKAGE_VERSION="\([^"]*\)"$/\1/p' "$src/driver_linux/dkms.conf")"
check "MODULE_VERSION in driver_linux/main.c" \
	"$(sed -n 's/^MODULE_VERSION("\([^"]*\)");$/\1/p' "$src/driver_linux/main.c")"
h=$src/libvmm/include/flank/vmm_version.h
num() { sed -n "s/^#define FLANK_VERSION_$1 \([0-9]*\)u\$/\1/p" "$h"; }
check "FLANK_VERSION_MAJOR/MINOR/PATCH in libvmm/include/flank/vmm_version.h" \
	"$(num MAJOR).$(num MINOR).$(num PATCH)"
check "vmm_version_string() in libvmm/src/version.c" \
	"$(sed -n 's/^.*static const char \*const version = "\([^"]*\)";$/\1/p' "$src/libvmm/src/version.c")"
check "flankctl --version" \
	"$("$flankctl" --version | sed -n 's/^flankctl \([^ ]*\) (ioctl ABI [0-9]*)$/\1/p')"
for v in $(grep -oE 'flank[-/][0-9]+\.[0-9]+\.[0-9]+' "$src/docs/installing.md" |
	sed 's|^flank[-/]||' | sort -u); do
	check "docs/installing.md (flank-$v or flank/$v)" "$v"
done
if [ "$bad" -ne 0 ]; then
	echo "check-version: $bad place(s) disagree with version $want"
	exit 1
fi
echo "check-version: every place names version $want"
