#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# tidy.sh CLANG_TIDY BUILD_DIR
#
# Runs clang-tidy (.clang-tidy at the root) over every C file of the project
# that the host build compiles (compile_commands.json of BUILD_DIR) and over
# the freestanding image part (BUILD_DIR/image). Fails on any finding.
set -u
tidy=${1:?usage: tidy.sh CLANG_TIDY BUILD_DIR}
bin=${2:?usage: tidy.sh CLANG_TIDY BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc 2>/dev/null || echo 2)
n=0
status=0
for db in "$bin" "$bin/image"; do
	[ -f "$db/compile_commands.json" ] || continue
	list=$(mktemp)
	python3 -c '
import json, sys
seen = set()
for e in json.load(open(sys.argv[1])):
    f = e["file"]
    if f.endswith(".c") and "/build" not in f[len(sys.argv[2]):] and f not in seen:
        seen.add(f)
        print(f)
' "$db/compile_commands.json" "$root" >"$list"
	n=$((n + $(wc -l <"$list")))
	# One clang-tidy per file, $jobs at a time; any finding fails the run.
	if ! xargs -P "$jobs" -n 1 "$tidy" -quiet -p "$db" <"$list" 2>/dev/null; then
		status=1
	fi
	rm -f "$list"
done
if [ $n -eq 0 ]; then
	echo "tidy: no compile_commands.json in $bin: build first" >&2
	exit 1
fi
[ $status -eq 0 ] && echo "tidy: $n files clean"
exit $status
