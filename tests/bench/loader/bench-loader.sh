#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench-loader.sh BENCH_BINARY [FILE]
#
# Prints bench_loader's report (sizes, wall time per load), then the
# instructions one validate+load+relocate of FILE costs, counted by
# callgrind inside bench_load_once() only (machine-independent).
set -u
bench=${1:?usage: bench-loader.sh BENCH_BINARY [FILE]}
shift
"$bench" "$@" || exit 1
if ! command -v valgrind >/dev/null; then
	echo "  instructions       (valgrind not installed)"
	exit 0
fi
out=$(mktemp)
valgrind --tool=callgrind --toggle-collect=bench_load_once \
	--callgrind-out-file=/dev/null "$bench" --once "$@" >"$out" 2>&1 ||
	{ cat "$out"; rm -f "$out"; exit 1; }
ir=$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$out")
rm -f "$out"
echo "  instructions       $ir per validate+load+relocate (callgrind)"
