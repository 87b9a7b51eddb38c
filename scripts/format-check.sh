#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# format-check.sh CLANG_FORMAT [--fix]
#
# Runs clang-format over every tracked C source and header (.clang-format at
# the root). Without --fix, fails listing each file that is not formatted.
set -u
cf=${1:?usage: format-check.sh CLANG_FORMAT [--fix]}
fix=${2:-}
cd "$(dirname "$0")/.." || exit 1
files=$(git ls-files -- '*.c' '*.h' 2>/dev/null)
[ -n "$files" ] || files=$(find . -path ./build -prune -o \( -name '*.c' -o -name '*.h' \) -print)
if [ "$fix" = --fix ]; then
	# shellcheck disable=SC2086
	"$cf" -i $files
	exit $?
fi
bad=0
for f in $files; do
	if ! "$cf" --dry-run --Werror "$f" >/dev/null 2>&1; then
		echo "format-check: $f is not clang-formatted (run 'make format')"
		bad=1
	fi
done
[ $bad -eq 0 ] && echo "format-check: $(echo "$files" | wc -w) files clean"
exit $bad
