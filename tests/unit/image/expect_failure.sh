#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# expect_failure.sh REGEX COMMAND [ARG...]
#
# Runs COMMAND and passes only if it exits non-zero AND its output (stdout
# and stderr) matches the extended regular expression REGEX: a negative test
# then fails when the command passes, and also when it fails for another
# reason than the expected one. (ctest's WILL_FAIL cannot be combined with
# PASS_REGULAR_EXPRESSION: the regex alone decides and WILL_FAIL inverts it.)
set -u
re=${1:?usage: expect_failure.sh REGEX COMMAND [ARG...]}
shift
out=$("$@" 2>&1)
rc=$?
printf '%s\n' "$out"
if [ "$rc" -eq 0 ]; then
	echo "expect_failure: '$*' succeeded, expected a failure matching /$re/" >&2
	exit 1
fi
if ! printf '%s\n' "$out" | grep -Eq -- "$re"; then
	echo "expect_failure: '$*' failed (exit $rc) but not with /$re/" >&2
	exit 1
fi
echo "expect_failure: failed as expected (exit $rc, /$re/)"
