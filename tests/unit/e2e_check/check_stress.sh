#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_stress.sh BOCHS_CHECK FIXTURE_LOG
#
# The stress verdict (tests/e2e/stress-check.sh, through bochs-check.sh)
# against a real serial log of the skx-61-stress cell: the log as it is
# passes (it has flank.ko's "crash callback not installed" lines and NMI
# backtraces that stop in touch_softlockup_watchdog, which are no
# problems), and each way the kernel reports a real problem fails.
set -u
check=${1:?usage: check_stress.sh BOCHS_CHECK FIXTURE_LOG}
fixture=${2:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
echo 1 >"$tmp/seconds"

# run NAME EXPECT SED-SCRIPT: the check on the fixture edited by SED-SCRIPT
# must print EXPECT (a PASS or FAIL line).
run() {
	sed "$3" "$fixture" >"$tmp/serial.log"
	"$check" stress "$tmp" >"$tmp/out" 2>&1
	if grep -qF -- "$2" "$tmp/out"; then
		echo "ok: $1"
	else
		echo "FAILED: $1: expected '$2', the check printed:"
		grep -E "PASS|FAIL" "$tmp/out" | head -n 5
		status=1
	fi
}

# A kernel line inserted right after the WAITPKG step (under Flank).
# shellcheck disable=SC1003 # the backslash ends sed's a command
after='/FLANK-E2E: cmd.waitpkg:/a\'
problem="e2e-bochs(stress): FAIL: the kernel reported a problem"
run "the real log passes" "e2e-bochs(stress): PASS" ""
run "an RCU stall" "$problem" \
	"$after
[    9.7] rcu: INFO: rcu_sched self-detected stall on CPU"
run "a stall reported without the rcu prefix" "$problem" \
	"$after
[    9.7] 	1-....: (21000 ticks this GP) stalls on CPU 1"
run "a soft lockup" "$problem" \
	"$after
[    9.7] watchdog: BUG: soft lockup - CPU#1 stuck for 22s! [flank-stress:135]"
run "a hard lockup" "$problem" \
	"$after
[    9.7] NMI watchdog: Watchdog detected hard LOCKUP on cpu 1"
run "a warning outside KVM's VMXON refusal" "$problem" \
	"$after
[    9.7] WARNING: CPU: 1 PID: 135 at arch/x86/kernel/cpu/common.c:1 f+0x1/0x2"
run "an unknown NMI" "$problem" \
	"$after
[    9.7] Uhhuh. NMI received for unknown reason 30 on CPU 1."
exit $status
