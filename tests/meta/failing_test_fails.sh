#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# failing_test_fails.sh SOURCE_DIR BUILD_DIR
#
# Runs the Makefile's test recipe (run-tests, which `make test` runs after
# building) restricted to the label of a test that always fails, and checks
# that the recipe exits non-zero and that ctest counted exactly that failure.
set -u
src=$1
bin=$2
out=$(make -s -C "$src" BUILD="$bin" TEST_LABELS='^meta-fail$' run-tests 2>&1)
rc=$?
echo "$out"
if [ "$rc" -eq 0 ]; then
	echo "meta: the test recipe passed although a test failed" >&2
	exit 1
fi
if ! echo "$out" | grep -q 'tests passed, 1 tests failed out of 1$'; then
	echo "meta: ctest did not report the one failing test" >&2
	exit 1
fi
echo "meta: a failing test fails the test recipe (exit $rc)"
