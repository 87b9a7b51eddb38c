# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034  # check, fixture, tmp and status belong to the caller
#
# mutations.sh: sourced by the check_*.sh tests that run the e2e verdict
# (tests/e2e/bochs-check.sh) on a real serial log and on mutations of it.
# The caller sets check (the verdict script), fixture (the log), tmp (a
# work directory holding the verdict's other inputs) and status (0).
#
# run NAME EXPECT SED-SCRIPT [ALSO]: the check on the fixture edited by SED-SCRIPT
# must print EXPECT (a PASS or FAIL line), and a FAIL verdict once more
# after the guest log it prints (a log that keeps only the tail, CI's, must still
# say why); a SED-SCRIPT that changes nothing is itself a failure. A failure
# prints FAILED and sets status=1. ALSO (optional): a line the check must
# print as well, one the guest log it dumps does not hold.
run() {
	sed "$3" "$fixture" >"$tmp/serial.log"
	if cmp -s "$fixture" "$tmp/serial.log" && [ -n "$3" ]; then
		echo "FAILED: $1: the mutation changed nothing"
		status=1
		return
	fi
	"$check" main "$tmp" >"$tmp/out" 2>&1
	if ! grep -qF -- "$2" "$tmp/out"; then
		echo "FAILED: $1: expected '$2', the check printed:"
		grep -E "PASS|FAIL" "$tmp/out" | head -n 5
		status=1
	elif [ -n "${4:-}" ] && ! grep -qF -- "$4" "$tmp/out"; then
		echo "FAILED: $1: expected '$4' as well, the check printed:"
		grep -E "PASS|FAIL" "$tmp/out" | head -n 5
		status=1
	elif [ "${2#*FAIL: }" != "$2" ] && ! sed -n '/^----- end of guest log/,$p' "$tmp/out" |
		grep -qF -- "FAIL (repeated after the guest log): ${2#*FAIL: }"; then
		echo "FAILED: $1: the verdict is not repeated after the guest log, which ends:"
		tail -n 2 "$tmp/out"
		status=1
	else
		echo "ok: $1"
	fi
}
