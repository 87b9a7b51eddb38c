#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# coverage.sh [BUILD_DIR]
#
# Builds the instrumented twin (FLANK_COVERAGE=ON: the same libvmm sources
# and freestanding flags plus --coverage), runs the unit and fault tests,
# writes an HTML report and a summary, and fails under the thresholds of
# coverage/gate.conf.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$root/build-coverage}
case "$bin" in /*) ;; *) bin=$root/$bin ;; esac
jobs=$(nproc 2>/dev/null || echo 2)
. "$root/coverage/gate.conf"

cmake -S "$root" -B "$bin" -DFLANK_COVERAGE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$bin" -j"$jobs"
find "$bin" -name '*.gcda' -delete
# A .gcno whose object was since rebuilt without instrumentation (a target
# taken out of coverage, e.g. the sanitized exit fuzzer) would still be read
# by gcovr, as code never executed: drop it.
find "$bin" -name '*.gcno' | while IFS= read -r g; do
	o=${g%.gcno}.o
	if [ -f "$o" ] && ! grep -q __gcov_ "$o"; then
		rm -f "$g"
	fi
done
ctest --test-dir "$bin" -j"$jobs" --output-on-failure -L '^(unit|fault)$'

set --
for f in $FILTERS; do
	set -- "$@" --filter "$root/$f"
done
while IFS= read -r line; do
	case "$line" in '#'* | '') continue ;; esac
	set -- "$@" --exclude "$root/$line"
done <"$root/coverage/exclusions.txt"

mkdir -p "$bin/coverage-report"
gcovr -r "$root" "$@" --exclude-unreachable-branches --exclude-throw-branches \
	--html-details "$bin/coverage-report/index.html" \
	--txt "$bin/coverage-report/summary.txt" \
	--json-summary "$bin/coverage-report/summary.json" \
	--print-summary "$bin" | tee "$bin/coverage-report/print-summary.txt"

echo "coverage: report in $bin/coverage-report/index.html"
gcovr -r "$root" "$@" --exclude-unreachable-branches --exclude-throw-branches \
	--fail-under-line "$LINE_MIN" --fail-under-branch "$BRANCH_MIN" \
	"$bin" >/dev/null || {
	echo "coverage: below the gate (lines >= $LINE_MIN%, branches >= $BRANCH_MIN%; coverage/gate.conf)" >&2
	exit 1
}
echo "coverage: gate passed (lines >= $LINE_MIN%, branches >= $BRANCH_MIN%)"
