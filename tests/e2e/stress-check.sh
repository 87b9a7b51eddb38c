#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# stress-check.sh stress WORK_DIR
#
# The verdict of the stress scenario (tests/e2e/guest/stress.sh), called by
# bochs-check.sh. Fails, printing the guest's log, on any unexpected result.
# From the cell's environment: FLANK_E2E_EXPECT_WAITPKG (1: the CPU must
# have WAITPKG, so UMWAIT/TPAUSE really ran; 0: it must not; unset:
# whatever the CPU has) and FLANK_E2E_CPUS (default 2: the guest's CPUs;
# storms and hotplug use CPUs 0 and 1, sysrq-l must reach every CPU).
set -eu
work=${2:?usage: stress-check.sh stress WORK_DIR}
log="$work/serial.log"
tag="e2e-bochs(stress)"

# shellcheck source=tests/e2e/check-lib.sh
. "$(dirname "$0")/check-lib.sh"
# expect_line KEY WORDS...: the command's last line holds every word.
expect_line() {
	key=$1
	shift
	line=$(out "$key" | tail -n 1)
	for w in "$@"; do
		case " $line " in
		*" $w "*) ;;
		*) fail "$key: expected '$w' in '$line'" ;;
		esac
	done
}
# word KEY NAME: the value of NAME=... on the command's last line.
word() {
	out "$1" | tail -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}
# storm KEY: every NMI sent arrived (sent = received, none lost).
storm() {
	expect "$1" 0
	expect_line "$1" nmistorm=ok lost=0
	[ "$(word "$1" sent)" = "$(word "$1" received)" ] ||
		fail "$1: NMIs sent and received differ: $(out "$1" | tail -n 1)"
	[ "$(word "$1" sent)" -gt 0 ] || fail "$1: no NMI was sent"
}

[ -s "$log" ] || fail "the serial log is empty: the kernel never started"
grep -q "FLANK-E2E: begin" "$log" || fail "the guest never ran its init"
grep -q "FLANK-E2E: end" "$log" || fail "the scenario did not reach its end"

# Kernel problems after begin. sysrq-l prints "Call Trace" for every CPU on
# purpose, so unlike the main check a trace alone is not a problem; every
# way the kernel reports one is: an oops, BUG, WARNING, a general
# protection fault, a panic, an NMI nobody claimed ("Uhhuh. NMI received
# for unknown reason"), a soft or hard lockup or an RCU stall. The
# words, not substrings: flank.ko says its crash callback was "not
# installed", and a backtrace may stop in touch_softlockup_watchdog. KVM's
# "VMXON faulted" warning on 6.1 is its clean refusal (bochs-check.sh says
# why).
if awk 'begun; /FLANK-E2E: begin/ { begun = 1 }' "$log" |
	awk '/VMXON faulted, MSR_IA32_FEAT_CTL/ { skip = 1 }
	skip && /---\[ end trace/ { skip = 0; next }
	!skip' |
	grep -nE "BUG:|Oops|WARNING:|general protection|Kernel panic|unchecked MSR|Uhhuh|NMI received for unknown reason|NMI: IOCK|NMI: PCI SERR|soft lockup|hard LOCKUP|rcu: INFO|\<stalls?\>|double fault|invalid opcode" >&2; then
	fail "the kernel reported a problem"
fi
cpus=$(val "begin scenario=stress cpus" | cut -d' ' -f1)
[ "$cpus" = "${FLANK_E2E_CPUS:-2}" ] || fail "expected ${FLANK_E2E_CPUS:-2} CPUs, the guest has '$cpus'"
expect insmod_msr 0

# 1. Bare: each program proves it can see what it is meant to see.
expect insmod_kvm 0
expect kvm_bare 0
expect_line kvm_bare kvm=present create_vm=ok create_vcpu=ok run=ok exit_reason=5 result=ok
waitpkg=$(word waitpkg_bare waitpkg)
expect waitpkg_bare 0
case ${FLANK_E2E_EXPECT_WAITPKG:-}:$waitpkg in
1:present | :present) expect_line waitpkg_bare result=ok ud=0 done=200 ;;
0:absent | :absent) ;;
*) fail "waitpkg_bare: expected WAITPKG ${FLANK_E2E_EXPECT_WAITPKG:-}, the guest has '$waitpkg'" ;;
esac
expect insmod 0
storm nmi_bare.1
expect_line nmi_bare.1 root=0
expect load 0

# 2. Under Flank.
expect start 0
for c in 0 1; do expect_line cpuid.$c flank=1 vmx=0; done
# Every NMI arrives. With the target in a loop that never exits (spin),
# every one reaches the guest (non-root); with one CPUID per 2^17 spins
# (slow), an NMI long after an exit reaches the guest too instead of
# waiting for the next exit; with CPUID and short spins (the storms of
# 2000), some land in VMX root during the exit handling, on the host IDT,
# and some in the guest. (flank.ko delays each send by a varying time:
# without that the sender fell into step with the target on Bochs, and one
# storm put all 2000 in root, the next all 2000 in the guest.)
storm nmi_spin.1
expect_line nmi_spin.1 root=0
storm nmi_slow.1
[ "$(word nmi_slow.1 other)" -gt 0 ] ||
	fail "nmi_slow.1: no NMI reached the guest: $(out nmi_slow.1 | tail -n 1)"
for c in 0 1; do
	storm nmi.$c
	[ "$(word nmi.$c root)" -gt 0 ] ||
		fail "nmi.$c: no NMI landed in VMX root: $(out nmi.$c | tail -n 1)"
	[ "$(word nmi.$c other)" -gt 0 ] ||
		fail "nmi.$c: no NMI landed in the guest: $(out nmi.$c | tail -n 1)"
done
for i in 1 2 3; do expect sysrq.$i 0; done
# sysrq-l under Flank: both CPUs answered each backtrace request.
bt=$(awk '/FLANK-E2E: cmd.sysrq.1:/ { on = 1 } /FLANK-E2E: cmd.waitpkg:/ { on = 0 }
	on && /NMI backtrace for cpu/' "$log" | wc -l)
[ "$bt" -ge $((cpus * 3)) ] || fail "sysrq l under Flank: $bt NMI backtraces, expected $cpus CPUs x 3"
expect waitpkg 0
[ "$waitpkg" = absent ] || expect_line waitpkg waitpkg=present result=ok ud=0 done=200
expect kvm 0
expect_line kvm kvm=present result=error step=create_vm
expect stats 0
# Flank leaves NMI exiting and the exception bitmap off (docs/exits.md):
# NMIs go to the guest's IDT in non-root and to the host IDT in root, so
# not one storm NMI is a VM exit: no exit 0 (exception or NMI), 7
# (interrupt window) or 8 (NMI window). The CPUID loop's exits are there.
stats=$(out stats | sed -n 's/^ *\([0-9][0-9]*\) \{1,\}\(.*[^ ]\) \{1,\}( *\([0-9][0-9]*\)) \{1,\}\([0-9][0-9]*\)$/\1 \3 \4/p')
[ -n "$stats" ] || fail "stats printed no exit counts"
echo "$stats" >"$work/stats.txt"
for r in 0 7 8; do
	if echo "$stats" | awk -v r=$r '$2 == r { found = 1 } END { exit !found }'; then
		fail "stats: exits with reason $r during the NMI storms"
	fi
done
for c in 0 1; do
	echo "$stats" | awk -v c=$c '$1 == c && $2 == 10 && $3 >= 2000 { found = 1 } END { exit !found }' ||
		fail "stats: CPU $c has fewer than 2000 CPUID exits"
done
expect stop 0

# 3. The rounds.
rounds=$(val loop_rounds)
[ "${rounds:-0}" -ge 50 ] || fail "loop_rounds: expected at least 50, got '$rounds'"
expect loop_fails 0
[ "$(val bg_rounds)" -gt 0 ] || fail "the background NMI source never ran"
[ "$(val bg_storms_ok)" -gt 0 ] || fail "no background NMI storm completed"
expect bg_storms_fail 0
[ "$(val bg_nmis_root)" -gt 0 ] || fail "no background NMI landed in VMX root"
for c in 0 1; do expect_line cpuid_after.$c flank=0 vmx=1; done
storm nmi_after.1
expect unload 0
expect rmmod 0
expect module_after 0

echo "$tag: PASS in $(cat "$work/seconds") s (guest log: $log)"
for k in nmi_bare.1 nmi_spin.1 nmi_slow.1 nmi.0 nmi.1 nmi_after.1 waitpkg_bare waitpkg kvm_bare kvm; do
	echo "    $k: $(out $k | tail -n 1)"
done
echo "    $rounds start/stop rounds, 0 failures; background: $(val bg_rounds) rounds, $(val bg_storms_ok) NMI storms, $(val bg_nmis_received) NMIs ($(val bg_nmis_root) in VMX root)"
echo "    guest seconds: bare $(val time.bare), under Flank $(val time.flank), rounds $(val time.loop), end $(val time.end)"
