#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bochs3.sh
#
# Builds Bochs 3.0 from Debian's `trixie` source package, without GUI and
# without the internal debugger, for the whole-system tests
# (tests/e2e/bochs-run.sh: FLANK_E2E_BOCHS), and prints the path of its
# `bochs` binary as the last line on stdout (progress goes to stderr).
#
# The build is cached in ${FLANK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/flank}/bochs-3.0
# (bin/bochs, share/, and a stamp holding the configure options and the
# checksum of the patches): a cached build with the same options and patches
# is reused at once. Otherwise, as root:
#   - the source comes from `apt-get source --download-only bochs` through a
#     private apt configuration (a `deb-src` entry for trixie on the mirror
#     this machine's apt uses; own lists, cache and state): the system's apt
#     state is untouched. Only the orig tarball is used (it builds as is; the
#     trixie .dsc may answer 404 while the tarballs download);
#   - every scripts/bochs3-patches/*.patch is applied (patch -p1), in name
#     order: fixes where Bochs departs from the Intel SDM in a way that
#     breaks the guest (each patch says which rule and what it broke);
#   - missing build dependencies are installed with the system's apt-get;
#   - configure, make and make install run in a temporary directory next to
#     the cache, which is moved into place only when all of them succeeded:
#     a failed or interrupted build leaves nothing that would be reused.
# The build log is kept in the cache's parent directory (bochs-3.0.log).
# Cold build: 2 to 3 minutes on 2 idle cores, 4 to 8 with other Bochs runs on
# them (measured); reuse: a few ms.
#
# Environment: FLANK_CACHE_DIR (see above), FLANK_DEBIAN_MIRROR (the mirror
# URI; default: the first non-security Debian URI in /etc/apt).
set -eu

base=${FLANK_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/flank}
cache=$base/bochs-3.0
suite=trixie
opts="--with-nogui --enable-vmx=2 --enable-x86-64 --enable-smp \
--enable-cpu-level=6 --enable-avx --enable-evex --enable-cet --enable-amx \
--enable-protection-keys --enable-uintr --enable-monitor-mwait --enable-pci \
--enable-all-optimizations"
# What a no-GUI build needs (measured on Debian 12): a C and C++ compiler and
# make (and xz for the orig tarball). Plugins are off, so no libltdl-dev; no
# X11, SDL or readline.
deps="build-essential g++ xz-utils patch"
patches=$(cd "$(dirname "$0")" && pwd)/bochs3-patches
# The stamp: the options, then each patch's checksum and name.
stamp=$(
	echo "$opts"
	for p in "$patches"/*.patch; do
		[ -r "$p" ] || continue
		sha256sum "$p" | sed 's|  .*/|  |'
	done
)
keyring=/usr/share/keyrings/debian-archive-keyring.gpg

say() { echo "bochs3: $*" >&2; }
die() {
	echo "bochs3: error: $*" >&2
	exit 1
}

cached() {
	[ -x "$cache/bin/bochs" ] && [ -f "$cache/stamp" ] &&
		[ "$(cat "$cache/stamp")" = "$stamp" ]
}

if cached; then
	echo "$cache/bin/bochs"
	exit 0
fi

[ "$(id -u)" -eq 0 ] || die "no cached build in $cache; building one needs root (apt-get): run as root"
mkdir -p "$base" || die "cannot create the cache directory $base"
# One build at a time (make -j runs several e2e targets); a second caller
# waits, then finds the first one's build.
exec 9>"$base/bochs-3.0.lock"
flock 9 || die "cannot lock $base/bochs-3.0.lock"
if cached; then
	echo "$cache/bin/bochs"
	exit 0
fi

log=$base/bochs-3.0.log
tmp=$(mktemp -d "$base/bochs-3.0.build.XXXXXX") || die "cannot create a build directory in $base"
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP
: >"$log"

# step WHAT COMMAND...: runs COMMAND with its output in the log; on failure
# names WHAT and shows the log's end.
step() {
	what=$1
	shift
	echo "=== $what: $*" >>"$log"
	if ! "$@" >>"$log" 2>&1; then
		tail -n 25 "$log" >&2
		die "$what failed (full log: $log)"
	fi
}

# The mirror: the first Debian URI of this machine's apt sources that is not
# the security archive (deb822 .sources first, then one-line lists).
mirror=${FLANK_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
	mirror=$(
		{
			cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
				sed -n 's/^URIs:[[:space:]]*//p' | tr -s '[:blank:]' '\n'
			cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
				sed -n 's/^[[:space:]]*deb\(-src\)\{0,1\}[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\).*/\3/p'
		} | grep -v -e security -e '^$' | head -n 1
	) || true
fi
[ -n "$mirror" ] || die "found no Debian mirror in /etc/apt/sources.list{,.d}: set FLANK_DEBIAN_MIRROR (e.g. http://deb.debian.org/debian)"
[ -r "$keyring" ] || die "missing $keyring (package debian-archive-keyring)"

missing=""
for p in $deps; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	say "installing the build dependencies:$missing"
	# shellcheck disable=SC2086 # $missing is a list of words
	step "installing$missing with apt-get" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y --no-install-recommends $missing
fi

# The private apt configuration: nothing under /etc/apt or /var/lib/apt is
# read for sources or written.
apt=$tmp/apt
mkdir -p "$apt/etc/sources.list.d" "$apt/state/lists/partial" \
	"$apt/cache/archives/partial" "$tmp/src"
echo "deb-src [signed-by=$keyring] $mirror $suite main" >"$apt/etc/sources.list"
set -- -o Dir::Etc::SourceList="$apt/etc/sources.list" \
	-o Dir::Etc::SourceParts="$apt/etc/sources.list.d" \
	-o Dir::State="$apt/state" -o Dir::Cache="$apt/cache" \
	-o Acquire::Languages=none -o APT::Sandbox::User=root
say "fetching the source of bochs from $mirror $suite (log: $log)"
step "apt-get update (private, $mirror $suite)" apt-get "$@" update
# The .dsc may 404 while the tarballs arrive: judge by the orig tarball.
echo "=== apt-get source --download-only bochs" >>"$log"
(cd "$tmp/src" && apt-get "$@" source --download-only bochs) >>"$log" 2>&1 ||
	say "apt-get source reported an error (see $log); checking for the orig tarball"
orig=""
for f in "$tmp/src"/bochs_3.0*.orig.tar.*; do
	[ -f "$f" ] && orig=$f
done
if [ -z "$orig" ]; then
	tail -n 15 "$log" >&2
	die "apt-get source did not fetch bochs_3.0*.orig.tar.* from $mirror $suite (log: $log)"
fi

say "building $(basename "$orig") (2 to 3 minutes on 2 cores)"
step "unpacking $(basename "$orig")" tar -xf "$orig" -C "$tmp/src"
srcdir=$(find "$tmp/src" -mindepth 1 -maxdepth 1 -type d -name 'bochs*' | head -n 1)
if [ -z "$srcdir" ] || [ ! -x "$srcdir/configure" ]; then
	die "no configure script in $orig"
fi
for p in "$patches"/*.patch; do
	[ -r "$p" ] || continue
	step "applying $(basename "$p")" patch -p1 -d "$srcdir" -i "$p"
done
# The prefix is the final cache (Bochs compiles its share directory in);
# make install goes to a DESTDIR inside the temporary directory.
# shellcheck disable=SC2016,SC2086 # sh -c's own "$@"; $opts is a list of words
step configure sh -c 'cd "$1" && shift && exec "$@"' sh "$srcdir" \
	./configure --prefix="$cache" $opts
step make make -C "$srcdir" -j"$(nproc)"
step "make install" make -C "$srcdir" install DESTDIR="$tmp/dest"
built=$tmp/dest$cache
[ -x "$built/bin/bochs" ] || die "make install left no $built/bin/bochs (log: $log)"
echo "$stamp" >"$built/stamp"

# Into place: the old cache (other options, or a leftover without a stamp)
# goes aside first; each step is a rename on one file system.
if [ -e "$cache" ]; then
	mv "$cache" "$tmp/old" || die "cannot move the old $cache aside"
fi
mv "$built" "$cache" || die "cannot move the build to $cache"
say "built $cache/bin/bochs"
echo "$cache/bin/bochs"
