#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# expect_reject.sh FLANK_SCEN FILE: FILE must be refused with exactly the
# message of its "# reject: MESSAGE" line (a parse error: exit status 2,
# the message alone on stderr) or fail with its "# fail: MESSAGE" line (a
# run that does not hold: exit status 1, "FAIL MESSAGE" on stderr).
set -u
runner=$1
file=$2
want=$(sed -n 's/^# reject: //p' "$file" | head -n 1)
status=2
line=$want
if [ -z "$want" ]; then
	want=$(sed -n 's/^# fail: //p' "$file" | head -n 1)
	status=1
	line="FAIL $want"
fi
if [ -z "$want" ]; then
	echo "$file: no '# reject:' or '# fail:' line" >&2
	exit 1
fi
err=$("$runner" "$file" 2>&1 >/dev/null)
rc=$?
if [ "$rc" -ne "$status" ]; then
	echo "$file: exit status $rc, expected $status; stderr:" >&2
	echo "$err" >&2
	exit 1
fi
if ! printf '%s\n' "$err" | grep -qxF -- "$line"; then
	echo "$file: expected the line" >&2
	echo "  $line" >&2
	echo "got:" >&2
	echo "$err" >&2
	exit 1
fi
echo "$file: rejected as expected: $want"
