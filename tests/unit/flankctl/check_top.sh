#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_top.sh FAKE_FLANKCTL
#
# flankctl top, non-interactively, on the fake driver (each wait adds
# 100 * (CPU + 1) CPUID exits per second of the interval on every CPU, and
# RDMSR stays at 2): the rates per CPU and in total, one block per sample,
# --once, --interval N --count M (rates stay per second), no terminal
# escapes when the output is not a terminal, and the usage errors.
set -u
fake=$1
failed=0
export FLANK_PARAMS_DIR=/nonexistent/flank-params

fail() {
	echo "FAIL: $*"
	failed=$((failed + 1))
}

# has OUTPUT TEXT: OUTPUT contains the line TEXT (whitespace squeezed).
has() {
	printf '%s\n' "$1" | tr -s ' ' | grep -qxF -- "$2" ||
		fail "no line '$2' in:
$1"
}

out=$("$fake" running top --once)
[ $? -eq 0 ] || fail "top --once exits $?"
has "$out" "VM exits per second, every 1 s, sample 1"
has "$out" "reason nr CPU0 CPU1 CPU2 CPU3 total"
has "$out" "CPUID 10 100 200 300 400 1000"
has "$out" "total 100 200 300 400 1000"
# RDMSR did not change: not shown.
printf '%s\n' "$out" | grep -q RDMSR && fail "top shows a reason without exits"
[ "$(printf '%s\n' "$out" | grep -c 'sample')" -eq 1 ] ||
	fail "top --once printed more than one sample"
printf '%s' "$out" | grep -q "$(printf '\033')" &&
	fail "top writes terminal escapes into a pipe"

out=$("$fake" running top --interval 2 --count 3)
[ $? -eq 0 ] || fail "top --interval 2 --count 3 exits $?"
has "$out" "VM exits per second, every 2 s, sample 3"
[ "$(printf '%s\n' "$out" | grep -c 'sample')" -eq 3 ] ||
	fail "top --count 3 did not print 3 samples"
[ "$(printf '%s\n' "$out" | grep -c '^CPUID .* 1000$')" -eq 3 ] ||
	fail "top --interval 2: rates are not per second:
$out"

out=$("$fake" running top --count=2 --interval=1)
has "$out" "VM exits per second, every 1 s, sample 2"

# Usage errors: exit 2, the reason named.
for args in "--interval 0" "--interval 3601" "--count 0" "--count x" \
	"--interval" "--once=1" "--onec"; do
	# shellcheck disable=SC2086
	err=$("$fake" running top $args 2>&1 >/dev/null)
	rc=$?
	[ $rc -eq 2 ] || fail "top $args exits $rc, not 2"
	[ -n "$err" ] || fail "top $args prints no reason"
done
err=$("$fake" running top --onec 2>&1 >/dev/null)
case $err in
*"unknown option '--onec': did you mean '--once'?"*) ;;
*) fail "top --onec: $err" ;;
esac

# No image: exit 1 with the driver's sentence.
err=$("$fake" empty top --once 2>&1 >/dev/null)
rc=$?
[ $rc -eq 1 ] || fail "top without an image exits $rc, not 1"
case $err in
*"no image is loaded"*) ;;
*) fail "top without an image: $err" ;;
esac

echo "check_top: $failed failure(s)"
[ "$failed" -eq 0 ]
