#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-deb.sh OUT_DIR
#
# `make deb`: builds the Debian packages flank-dkms and flank-tools
# (debian/) with `dpkg-buildpackage -us -uc -b` and checks them with
# lintian (no error, no warning). dpkg-buildpackage writes its results
# next to the source tree, so it runs on a copy of the checkout in
# OUT_DIR/src/flank-VERSION (the tracked and untracked-but-not-ignored
# files: what a fresh clone plus the work in progress holds); the .deb,
# .buildinfo and .changes files end up in OUT_DIR and nothing is written
# outside it. Prints the paths of the packages.
set -eu
out=${1:?usage: build-deb.sh OUT_DIR}
src=$(cd "$(dirname "$0")/.." && pwd)
case $out in /*) ;; *) out=$(pwd)/$out ;; esac

version=$(dpkg-parsechangelog -l "$src/debian/changelog" -S Version)
tree=$out/src/flank-$version
rm -rf "$out"
mkdir -p "$tree"

if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$src" && git ls-files -z --cached --others --exclude-standard |
		xargs -0 sh -c 'for f; do [ ! -e "$f" ] || printf "%s\0" "$f"; done' sh |
		tar --null -T - -cf -) | tar -xf - -C "$tree"
else
	(cd "$src" && tar --exclude='./build' --exclude='./build-*' \
		--exclude='./.git' -cf - .) | tar -xf - -C "$tree"
fi

log=$out/dpkg-buildpackage.log
echo "build-deb: dpkg-buildpackage -us -uc -b in $tree (log: $log)"
if ! (cd "$tree" && dpkg-buildpackage -us -uc -b) >"$log" 2>&1; then
	tail -n 40 "$log" >&2
	echo "build-deb: dpkg-buildpackage failed (log: $log)" >&2
	exit 1
fi
# dpkg-buildpackage put its results in the tree's parent, OUT_DIR/src.
mv "$out"/src/*.deb "$out"/src/*.buildinfo "$out"/src/*.changes "$out"/
rm -rf "$out/src"

# Nothing the packages install may name the directory they were built in
# (debian/rules maps it out of the debug information).
mkdir "$out/contents"
for deb in "$out"/*.deb; do
	dpkg-deb -x "$deb" "$out/contents"
done
if grep -rl -F "$tree" "$out/contents" >"$out/paths.log"; then
	cat "$out/paths.log" >&2
	echo "build-deb: these files name the build directory $tree" >&2
	exit 1
fi
rm -rf "$out/contents" "$out/paths.log"

echo "build-deb: lintian (errors, warnings and unused overrides fail)"
lintian --fail-on error,warning "$out"/*.changes | tee "$out/lintian.log" ||
	{
		echo "build-deb: lintian found errors or warnings (lintian-explain-tags TAG)" >&2
		exit 1
	}
if grep -q 'unused-override' "$out/lintian.log"; then
	echo "build-deb: an override in debian/*.lintian-overrides is no longer needed: delete it" >&2
	exit 1
fi
ls "$out"/*.deb
