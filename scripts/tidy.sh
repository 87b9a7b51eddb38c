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
	# The image's retpoline options are GCC's spelling, which clang
	# rejects as unknown arguments: give clang-tidy a copy of the database
	# with clang's equivalent (-mretpoline-external-thunk) instead.
	tdb=$(mktemp -d)
	python3 -c '
import json, sys
db = json.load(open(sys.argv[1]))
for e in db:
    if "arguments" in e:
        a = [x for x in e["arguments"] if x != "-mindirect-branch-register"]
        e["arguments"] = ["-mretpoline-external-thunk" if x == "-mindirect-branch=thunk-extern" else x for x in a]
    if "command" in e:
        e["command"] = e["command"].replace(" -mindirect-branch-register", "").replace(
            "-mindirect-branch=thunk-extern", "-mretpoline-external-thunk")
json.dump(db, open(sys.argv[2], "w"))
' "$db/compile_commands.json" "$tdb/compile_commands.json"
	# One clang-tidy per file, $jobs at a time; any finding fails the run.
	if ! xargs -P "$jobs" -n 1 "$tidy" -quiet -p "$tdb" <"$list" 2>/dev/null; then
		status=1
	fi
	rm -rf "$list" "$tdb"
done
if [ $n -eq 0 ]; then
	echo "tidy: no compile_commands.json in $bin: build first" >&2
	exit 1
fi
[ $status -eq 0 ] && echo "tidy: $n files clean"
exit $status
