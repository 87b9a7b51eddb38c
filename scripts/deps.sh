#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# deps.sh [--print] [GROUP...]
#
# Installs every Debian 12 package Flank's build and tests need. As root it
# runs apt-get; otherwise (or with --print) it prints the exact command to
# run. GROUPs: build (compilers, CMake, CMocka, coverage, Valgrind, linters),
# kernel (headers and images of Debian 12's 6.1, 6.12 and 6.12 PREEMPT_RT,
# sparse, pahole), e2e (QEMU, Bochs, busybox, ISO tools; linux-source-6.1,
# linux-source-6.12 and gcc-multilib for Linux's x86 selftests,
# scripts/selftests.sh), docs (Doxygen), deb (what `make deb` and
# scripts/deb-check.sh need: debhelper, dh-dkms, lintian), cross (the
# sources and libraries scripts/build-cross.sh builds an x86_64-elf GCC
# from; not in the default: the default build does not need a cross
# compiler). Default:
# build kernel e2e docs deb.
set -eu

build="build-essential cmake git gcc clang clang-format clang-tidy \
libclang-rt-14-dev llvm libcmocka-dev gcovr valgrind binutils python3 \
groff-base man-db openssl"
# linux-*-6.12-amd64 are bookworm-security's metapackages for the newest
# 6.12.x+deb12 (as linux-*-amd64 are for 6.1), linux-*-6.12-rt-amd64 for
# its PREEMPT_RT flavour: `make driver` builds for each.
kernel="linux-headers-amd64 linux-image-amd64 \
linux-headers-6.12-amd64 linux-image-6.12-amd64 \
linux-headers-6.12-rt-amd64 linux-image-6.12-rt-amd64 dwarves sparse kmod dkms"
e2e="qemu-system-x86 bochs bochsbios vgabios bochs-x busybox-static \
xorriso isolinux syslinux-common cpio gzip xz-utils linux-source-6.1 linux-source-6.12 gcc-multilib"
docs="doxygen"
deb="debhelper dh-dkms dkms dpkg-dev fakeroot lintian"
cross="binutils-source gcc-12-source libgmp-dev libmpfr-dev libmpc-dev \
bison flex texinfo xz-utils"

print=0
groups=""
for a in "$@"; do
	case "$a" in
	--print) print=1 ;;
	build | kernel | e2e | docs | deb | cross) groups="$groups $a" ;;
	-h | --help)
		sed -n '3,14p' "$0" | sed 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "deps.sh: unknown group '$a' (build, kernel, e2e, docs, deb, cross)" >&2
		exit 2
		;;
	esac
done
[ -n "$groups" ] || groups="build kernel e2e docs deb"

pkgs=""
for g in $groups; do
	eval "pkgs=\"\$pkgs \$$g\""
done
# shellcheck disable=SC2086
pkgs=$(echo $pkgs)

# Skip the network round trip (and the need for root) when everything is
# already there.
missing=""
for p in $pkgs; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -z "$missing" ] && [ "$print" -eq 0 ]; then
	echo "deps.sh: all packages present"
	exit 0
fi
if [ "$print" -eq 1 ] || [ "$(id -u)" -ne 0 ]; then
	echo "Run as root:"
	echo "  apt-get update && apt-get install -y --no-install-recommends $pkgs"
	[ "$print" -eq 1 ] && exit 0
	exit 1
fi

echo "deps.sh: installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
