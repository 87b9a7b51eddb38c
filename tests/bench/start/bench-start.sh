#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench-start.sh BENCH_BINARY [NCPUS...]
#
# For each CPU count (default: 1 16 64 128), the instructions that starting
# every CPU and stopping them again cost, counted by callgrind inside
# bench_start_all() and bench_stop_all() only (machine-independent), in
# total and per CPU. Per CPU should stay flat as the count grows.
set -u
bench=${1:?usage: bench-start.sh BENCH_BINARY [NCPUS...]}
shift
[ $# -gt 0 ] || set -- 1 16 64 128
if ! command -v valgrind >/dev/null; then
	echo "bench-start: valgrind not installed"
	exit 0
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
printf '%6s %14s %12s %14s %12s\n' CPUs start start/CPU stop stop/CPU
for n in "$@"; do
	for fn in bench_start_all bench_stop_all; do
		valgrind --tool=callgrind --toggle-collect=$fn \
			--callgrind-out-file=/dev/null "$bench" "$n" \
			>"$out" 2>&1 || { cat "$out"; exit 1; }
		eval "ir_$fn=\$(sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' \"\$out\")"
	done
	# shellcheck disable=SC2154 # set by the eval above
	printf '%6s %14s %12s %14s %12s\n' "$n" "$ir_bench_start_all" \
		$((ir_bench_start_all / n)) "$ir_bench_stop_all" \
		$((ir_bench_stop_all / n))
done
