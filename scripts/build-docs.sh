#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-docs.sh DOXYGEN SOURCE_DIR OUT_DIR
#
# Builds the API reference from docs/Doxyfile into OUT_DIR/api and fails if
# Doxygen wrote a single warning (to OUT_DIR/doxygen-warnings.log): the
# Doxyfile has WARN_AS_ERROR=FAIL_ON_WARNINGS, and the log is checked as
# well so that a Doxygen that only logs still fails the build.
set -eu
doxygen=$1
src=$(cd "$2" && pwd)
out=$3

mkdir -p "$out"
rm -rf "$out/api"
log="$out/doxygen-warnings.log"
: >"$log"
rc=0
FLANK_SOURCE_DIR="$src" FLANK_DOCS_DIR="$out" "$doxygen" "$src/docs/Doxyfile" || rc=$?
count=$(grep -c . "$log" || true)
if [ "$rc" -ne 0 ] || [ "$count" -ne 0 ]; then
	sed "s|$src/||" "$log" >&2
	echo "make docs: $count Doxygen warning(s) (doxygen exit status $rc)" >&2
	exit 1
fi
echo "make docs: 0 Doxygen warnings; open $out/api/index.html"
