#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-cross.sh [PREFIX]
#
# Builds a real x86_64-elf cross toolchain (binutils and a C-only GCC with
# libgcc) from the source tarballs of Debian's binutils-source and
# gcc-12-source packages, and installs it into PREFIX (default
# $HOME/.local/x86_64-elf). With PREFIX/bin on PATH, cmake/x86_64-elf.cmake
# finds x86_64-elf-gcc and builds the VMM image with it.
#
# The default build never needs this (it uses the host GCC in freestanding
# mode); docs/cross-compiler.md says how long it takes and why CI does not
# run it. Environment: JOBS (parallel jobs, default nproc), FLANK_CROSS_WORK
# (scratch directory, default /tmp/flank-cross-$USER, removed on success
# unless KEEP_WORK=1).
set -eu

target=x86_64-elf
prefix=${1:-$HOME/.local/$target}
jobs=${JOBS:-$(nproc 2>/dev/null || echo 2)}
work=${FLANK_CROSS_WORK:-${TMPDIR:-/tmp}/flank-cross-$(id -un)}
here=$(cd "$(dirname "$0")" && pwd)

case "${1:-}" in
-h | --help)
	sed -n '3,17p' "$0" | sed 's/^# \{0,1\}//'
	exit 0
	;;
esac

# The source packages and what building GCC needs (GMP, MPFR, MPC, ...):
# deps.sh installs them as root, or prints the apt-get line and fails.
"$here/deps.sh" cross

# The packages ship the upstream tarballs; Debian's patches sit next to
# them and are applied only by Debian's own packaging. Those patches are
# about Debian's hosted compilers (multiarch paths, hardening defaults,
# packaging), which a bare-metal x86_64-elf target does not need, with one
# exception: GCC's tarball is the -dfsg one, whose GFDL manuals (among them
# gcc/doc/tm.texi.in) are emptied, and GCC's build checks the generated
# tm.texi against that file and stops. Debian's gcc-gfdl-build.diff turns
# that check into a stamp; it is the only patch applied.
binutils_tar=$(ls /usr/src/binutils/binutils-[0-9]*.tar.* 2>/dev/null | head -n 1)
gcc_tar=$(ls /usr/src/gcc-12/gcc-[0-9]*.tar.* 2>/dev/null | head -n 1)
gfdl_patch=/usr/src/gcc-12/debian/patches/gcc-gfdl-build.diff
if [ -z "$binutils_tar" ] || [ -z "$gcc_tar" ]; then
	echo "build-cross.sh: no tarball under /usr/src/binutils or /usr/src/gcc-12" >&2
	echo "  install binutils-source and gcc-12-source (scripts/deps.sh cross)" >&2
	exit 1
fi

binutils_ver=$(basename "$binutils_tar" | sed -E 's/^binutils-([0-9.]+)\.tar\..*/\1/')
start=$(date +%s)
echo "build-cross.sh: $target into $prefix, $jobs jobs, scratch $work"
echo "  binutils: $binutils_tar"
echo "  gcc:      $gcc_tar"

rm -rf "$work"
mkdir -p "$work" "$prefix"
trap 'echo "build-cross.sh: FAILED; the logs are in $work" >&2' EXIT
tar -C "$work" -xf "$gcc_tar"
gcc_src=$(ls -d "$work"/gcc-[0-9]*/)
if [ -f "$gcc_src/gcc/doc/tm.texi.in" ] && [ "$(wc -l <"$gcc_src/gcc/doc/tm.texi.in")" -le 1 ]; then
	patch -d "$gcc_src" -p2 -s <"$gfdl_patch"
	echo "  applied $(basename "$gfdl_patch") (the -dfsg tarball has no tm.texi)"
fi

# The -dfsg tarball lacks some generated manuals; never try to rebuild them.
export MAKEINFO=true

# A second run (say, after a failed GCC build) keeps an installed binutils
# of the same version instead of building it again.
if "$prefix/bin/$target-ld" --version 2>/dev/null | head -n 1 | grep -q " $binutils_ver\$"; then
	echo "build-cross.sh: binutils $binutils_ver already in $prefix, kept"
else
	echo "build-cross.sh: binutils $binutils_ver ($(date +%T))"
	tar -C "$work" -xf "$binutils_tar"
	binutils_src=$(ls -d "$work"/binutils-[0-9]*/)
	mkdir -p "$work/build-binutils"
	(
		cd "$work/build-binutils"
		"$binutils_src/configure" --target=$target --prefix="$prefix" \
			--with-sysroot --disable-nls --disable-werror \
			--disable-multilib --disable-gdb --disable-gprofng \
			--disable-gold --enable-ld=default >configure.log
		make -j"$jobs" >make.log
		make install >install.log
	)
	echo "build-cross.sh: binutils done in $(($(date +%s) - start)) s"
fi

# GCC finds the new assembler and linker through PREFIX/bin.
PATH="$prefix/bin:$PATH"
export PATH

gcc_start=$(date +%s)
echo "build-cross.sh: gcc ($(date +%T))"
mkdir -p "$work/build-gcc"
(
	cd "$work/build-gcc"
	"$gcc_src/configure" --target=$target --prefix="$prefix" \
		--enable-languages=c --without-headers --disable-nls \
		--disable-multilib --disable-shared --disable-threads \
		--disable-libssp --disable-libquadmath --disable-libgomp \
		--disable-libatomic --disable-libstdcxx --disable-lto \
		--disable-hosted-libstdcxx >configure.log
	make -j"$jobs" all-gcc >make-gcc.log
	make -j"$jobs" all-target-libgcc >make-libgcc.log
	make install-gcc install-target-libgcc >install.log
)

"$prefix/bin/$target-gcc" --version | head -n 1
"$prefix/bin/$target-ld" --version | head -n 1
end=$(date +%s)
echo "build-cross.sh: gcc done in $((end - gcc_start)) s"
echo "build-cross.sh: done in $((end - start)) s; add $prefix/bin to PATH"
trap - EXIT
[ "${KEEP_WORK:-0}" = 1 ] || rm -rf "$work"
