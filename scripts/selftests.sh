#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# selftests.sh [SERIES]
#
# Builds Linux's x86 selftests (tools/testing/selftests/x86 of Debian's
# linux-source-SERIES package; SERIES 6.1, the default, or 6.12), static,
# 64-bit and 32-bit, for the transparency comparison of the whole-system
# tests (tests/e2e/bochs-run.sh: FLANK_E2E_SELFTESTS), and prints the
# directory holding the binaries as the last line on stdout (progress goes
# to stderr). A cell runs the selftests of the kernel series it boots
# (tests/e2e/bochs-cell.sh): 6.12's are a different set (48 binaries, among
# them lam_64, test_shadow_stack_64, nx_stack, sigaltstack).
#
# The build is cached per source series in
# ${FLANK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/flank}/x86-selftests-SERIES
# (the binaries and a stamp naming the source package's version and the
# build options): a cached build of the installed version is reused at once.
# Otherwise only the selftests' directory and what their Makefile includes
# (selftests/lib.mk, kselftest.h, arch/x86/include/asm/desc_defs.h; the same
# list for 6.1 and 6.12) are extracted from
# /usr/src/linux-source-SERIES.tar.xz into a temporary directory, built
# with `CC="gcc -static"`, stripped, and moved into place only when all of
# that succeeded. Missing packages (linux-source-SERIES, gcc-multilib for
# the 32-bit tests) are installed with apt-get when run as root. Cold build:
# about 30 s on 2 cores (measured for 6.1: 11 s extraction, 14 s build;
# 6.12: 65 s wall at load 15); reuse: a few ms.
set -eu

base=${FLANK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/flank}
series=${1:-6.1}
case $series in
6.1 | 6.12) ;;
*)
	echo "selftests: error: unknown source series '$series' (6.1 or 6.12)" >&2
	exit 2
	;;
esac
cache=$base/x86-selftests-$series
pkg=linux-source-$series
tarball=/usr/src/linux-source-$series.tar.xz
cc="gcc -static"

say() { echo "selftests: $*" >&2; }
die() {
	echo "selftests: error: $*" >&2
	exit 1
}

version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || true; }
installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

missing=""
for p in $pkg gcc-multilib; do installed "$p" || missing="$missing $p"; done
if [ -n "$missing" ]; then
	# A cache built from a source that is no longer installed still serves.
	if [ -f "$cache/stamp" ] && [ -z "${FLANK_SELFTESTS_REBUILD:-}" ]; then
		say "using the cached build ($(head -n 1 "$cache/stamp")); missing now:$missing"
		echo "$cache"
		exit 0
	fi
	[ "$(id -u)" -eq 0 ] || die "packages missing:$missing (run as root, or apt-get install$missing)"
	say "installing$missing"
	# shellcheck disable=SC2086
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $missing >&2 ||
		die "apt-get install$missing failed"
fi
stamp="$pkg $(version $pkg); CC=$cc"
if [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ]; then
	echo "$cache"
	exit 0
fi
[ -r "$tarball" ] || die "missing $tarball (package $pkg)"

mkdir -p "$base" || die "cannot create the cache directory $base"
tmp=$(mktemp -d "$base/x86-selftests-$series.tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
top=linux-source-$series
say "extracting tools/testing/selftests/x86 from $tarball"
tar -xJf "$tarball" -C "$tmp" --wildcards "$top/tools/testing/selftests/x86/*" \
	"$top/tools/testing/selftests/lib.mk" "$top/tools/testing/selftests/kselftest.h" \
	"$top/arch/x86/include/asm/desc_defs.h" || die "extraction failed"
mkdir -p "$tmp/out"
say "building (CC=$cc; log: $tmp/build.log until it succeeds)"
make -C "$tmp/$top/tools/testing/selftests/x86" -j"$(nproc 2>/dev/null || echo 2)" \
	OUTPUT="$tmp/out" CC="$cc" >"$tmp/build.log" 2>&1 || {
	tail -n 20 "$tmp/build.log" >&2
	die "the build failed"
}
# Without gcc-multilib's 32-bit libraries the Makefile silently builds the
# 64-bit half only: the comparison needs both.
n32=$(find "$tmp/out" -name '*_32' -type f | wc -l)
n64=$(find "$tmp/out" -name '*_64' -type f | wc -l)
[ "$n32" -gt 0 ] && [ "$n64" -gt 0 ] || die "built $n32 32-bit and $n64 64-bit tests: need both (gcc-multilib)"
strip "$tmp/out"/* || die "strip failed"
echo "$stamp" >"$tmp/out/stamp"
cp "$tmp/build.log" "$base/x86-selftests-$series.log"
rm -rf "$cache"
mv "$tmp/out" "$cache"
say "built $n64 64-bit and $n32 32-bit tests into $cache"
echo "$cache"
