#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# expect_broken.sh CHECK_LINKS FIXTURES: the link check must fail on
# bad.md and report exactly its four broken links, each by line.
set -u
out=$("$1" "$2/bad.md" 2>&1)
rc=$?
echo "$out"
fail() {
	echo "FAIL: $*"
	exit 1
}
[ "$rc" -eq 1 ] || fail "exit status $rc, expected 1"
for want in "bad.md:4: broken link missing.md: no such file" \
	"bad.md:5: broken link other.md#no-such-heading: no heading" \
	"bad.md:6: broken link #nowhere: no heading" \
	"bad.md:7: broken link ../fixtures#x: anchor into a file that is not Markdown" \
	"1 file(s), 4 broken link(s)"; do
	echo "$out" | grep -qF "$want" || fail "missing: $want"
done
echo "PASS"
