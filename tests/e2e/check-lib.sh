# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154 # $work, $log, $tag: set by the sourcing script
#
# check-lib.sh: the helpers every verdict script of the Bochs runs uses
# (bochs-check.sh, stress-check.sh), sourced after it has set $work (the
# run's work directory), $log (its serial log) and $tag (the name its
# lines start with). Kernel lines look like
# "[    1.234567] FLANK-E2E: key=value" (bochs-init.sh writes them).

# fail TEXT: the verdict, with the guest log and Bochs's last words; the
# verdict again after them, since a log that only keeps the tail of the
# output (CI's) would otherwise lose it above hundreds of kernel lines. It
# is kept in the work directory too (fail.txt).
fail() {
	echo "$tag: FAIL: $*" >&2
	echo "$tag: FAIL: $*" >"$work/fail.txt" 2>/dev/null || true
	echo "----- guest log ($log) -----" >&2
	cat "$log" >&2
	echo "----- end of guest log; Bochs said: -----" >&2
	tail -n 20 "$work/bochs.out" >&2 2>/dev/null || true
	echo "$tag: FAIL (repeated after the guest log): $*" >&2
	exit 1
}
# val KEY: the last value logged for KEY.
val() {
	sed -n "s/^.*FLANK-E2E: $1=\(.*\)$/\1/p" "$log" | tr -d '\r' | tail -n 1
}
# out KEY: every output line logged for command KEY.
out() {
	sed -n "s/^.*FLANK-E2E: out\.$1: \(.*\)$/\1/p" "$log" | tr -d '\r'
}
expect() { # KEY VALUE
	got=$(val "$1")
	[ "$got" = "$2" ] || fail "$1: expected '$2', got '$got'"
}
