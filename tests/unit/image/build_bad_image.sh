#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build_bad_image.sh CMAKE SOURCE_DIR BINARY_DIR EXTRA_SOURCE
#
# Configures and builds the image part, as cmake/FlankImage.cmake does, with
# EXTRA_SOURCE linked into vmm.elf. Exits with the build's status; the
# caller expects a failure with the check's message. Builds twice: the
# second build must fail too (the failed image was deleted, not kept).
set -u
cmake=$1
src=$2
bin=$3
extra=$4
rm -rf "$bin"
"$cmake" -S "$src" -B "$bin" -DFLANK_PART=image \
	-DCMAKE_TOOLCHAIN_FILE="$src/cmake/x86_64-elf.cmake" \
	-DCMAKE_BUILD_TYPE=Release -DFLANK_IMAGE_EXTRA_SOURCES="$extra" >/dev/null || exit 2
"$cmake" --build "$bin" 2>&1 && { echo "build_bad_image: first build succeeded"; exit 0; }
if "$cmake" --build "$bin" >/dev/null 2>&1; then
	echo "build_bad_image: the second build succeeded: the bad image was kept"
	exit 0
fi
exit 1
