#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_transparency.sh BOCHS_CHECK FIXTURE_LOG
#
# The transparency part of tests/e2e/bochs-check.sh against a real serial
# log (FIXTURE_LOG: the penryn-61 cell's serial log, Linux's x86
# selftests bare and under Flank, CPUID dumps): the log as it is passes,
# and each mutation a Flank bug would cause fails with its own message.
set -u
check=${1:?usage: check_transparency.sh BOCHS_CHECK FIXTURE_LOG}
fixture=${2:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
# The fixture log is a whole run of the cell (so the rest of the main
# scenario's verdict runs on it too): on this CPU without EPT the kernel
# text guard's write lands and is undone, and LSTAR writes are refused.
export FLANK_E2E_SELFTESTS=fixture FLANK_E2E_EXPECT_IBT=0
echo 1 >"$tmp/seconds"

# shellcheck source=tests/unit/e2e_check/mutations.sh
. "$(dirname "$0")/mutations.sh"

run "the real log passes" "e2e-bochs(main): PASS" ""
run "transparency summary" "44 selftests with the same results bare and under Flank" ""
run "a selftest result differs under Flank" \
	"FAIL: selftests: results under Flank differ from the bare ones" \
	's/selftest\.flank\.ldt_gdt_64=rc=0 fail=0/selftest.flank.ldt_gdt_64=rc=1 fail=2/'
run "a selftest missing under Flank" \
	"FAIL: selftests: results under Flank differ from the bare ones" \
	'/selftest\.flank\.iopl_32=/d'
run "the Flank run did not finish" "FAIL: selftests_flank: expected 'done'" \
	'/selftests_flank=done/d'
run "an unexpected CPUID difference" \
	"FAIL: cpuid_diff.1: CPUID leaf 0x00000007 subleaf 0 ebx differs under Flank" \
	's/out\.cpuid_diff\.1: leaf=0x4000f100 sub=0 reg=edx/out.cpuid_diff.1: leaf=0x00000007 sub=0 reg=ebx/'
run "a leaf-1 difference other than VMX" \
	"FAIL: cpuid_diff.0: CPUID leaf 0x00000001 subleaf 0-63 ecx differs under Flank" \
	's/\(out\.cpuid_diff\.0: leaf=0x00000001 sub=0-63 reg=ecx before=0x[0-9a-f]*\) under=0x[0-9a-f]*/\1 under=0x00000000/'
run "VMX not hidden" "FAIL: cpuid_diff.0: CPUID.1:ECX.VMX did not change under Flank" \
	'/out\.cpuid_diff\.0: leaf=0x00000001/d; s/\(cpuid_diff\.0: cpuid_diff=ok .*ranges=\)\([0-9]*\)/\17/'
run "the presence leaf missing from the dump" \
	"FAIL: cpuid_diff.1: the presence leaf did not change under Flank" \
	'/out\.cpuid_diff\.1: leaf=0x4000f000/d; s/\(cpuid_diff\.1: cpuid_diff=ok .*ranges=\)\([0-9]*\)/\15/'
run "a difference line lost" "FAIL: cpuid_diff.0: the difference lines do not match the summary" \
	'/out\.cpuid_diff\.0: leaf=0x4000f100 sub=0 reg=edx/d'
run "a kernel warning under Flank counts" "FAIL: the kernel reported a problem" \
	's/\(FLANK-E2E: selftest\.flank\.iopl_64=.*\)/\1\n[  1.0] WARNING: CPU: 1 PID: 1 at somewhere/'
run "a kernel warning in the bare window does not" "e2e-bochs(main): PASS" \
	's/\(FLANK-E2E: selftest\.bare\.iopl_64=.*\)/\1\n[  1.0] WARNING: CPU: 1 PID: 1 at somewhere/'
# Issue #14 items 7 and 10 on the same log: the guarded host stacks at load,
# and every CPU out of VMX through the crash callback.
run "no guarded host stacks at load" \
	"FAIL: load: no guarded host stacks reported" \
	'/host stacks for 2 CPUs/d'
run "a CPU stayed in VMX after the crash callback" \
	"FAIL: test_crash_off: not every CPU left VMX operation" \
	's/test_crash_off: 2 CPUs left VMX operation through the crash callback, 0 did not/test_crash_off: 1 CPUs left VMX operation through the crash callback, 1 did not/'
run "Flank still answering after the crash callback" \
	"FAIL: cpuid2_crash.1" \
	's/\(out\.cpuid2_crash\.1: cpu=1 running_on=1\) flank=0/\1 flank=1/'
# flank.ko's test_hide on a CPU without EPT (issue 18 section 3): nothing
# can be hidden, so the ring must not say pages were, no write may have
# been dropped, and every CPU must still run under Flank after it.
run "EPT-less: test_hide says pages were hidden" \
	"FAIL: test_hide: EPT off, but the ring says pages were hidden from the guest" \
	's/\(FLANK-E2E: out\.ept_dump: .*\)/\1\n[ 1.0] FLANK-E2E: out.ept_dump: vmm: EPT: 11 pages of the VMM hidden from the guest/'
run "EPT-less: dropped writes counted" \
	"FAIL: test_hide: EPT off, but stats count dropped writes to hidden pages" \
	's/\(FLANK-E2E: out\.stats: *1 *WRMSR .*\)/\1\n[ 1.0] FLANK-E2E: out.stats:   1  hidden-page writes dropped  3/'
run "EPT-less: a CPU left Flank after test_hide" \
	"FAIL: test_hide: only 1 of 2 CPUs still under Flank after the writes" \
	's/\(test_hide: 0 of [0-9]* VMM pages read as zeros, 0 written,\) 2 of 2/\1 1 of 2/'
# FLANK_E2E_EXPECT_PASS (bochs-cell.sh, on the patched Bochs 3.0): the
# fixture comes from the patched Bochs, where both SYSRET SS selftests pass
# bare and under Flank, and passes with them named as must-pass; the same
# log with both dying in both runs (as on the unpatched Bochs, rc=139)
# fails and names the first.
FLANK_E2E_EXPECT_PASS="sysret_ss_attrs_32 sysret_ss_attrs_64"
export FLANK_E2E_EXPECT_PASS
run "a must-pass selftest that fails in both runs" \
	"FAIL: selftests: sysret_ss_attrs_32 must pass (FLANK_E2E_EXPECT_PASS); bare it gave: sysret_ss_attrs_32 rc=139 fail=0" \
	's/\(selftest\.[a-z]*\.sysret_ss_attrs_[36][24]\)=rc=0/\1=rc=139/'
run "must-pass selftests that pass" "e2e-bochs(main): PASS" ""
unset FLANK_E2E_EXPECT_PASS
# FLANK_E2E_EXPECT_VPID (issue 18): the fixture (Penryn, no VPID) shows
# "off" in the VPID column of `flankctl status`; the mutations give each
# CPU its number + 1, as a CPU with VPID would, or a VPID of 0 (the
# serial log's lines end in CR LF).
vpid_on='s/\(out\.status: *0  yes .*  \)off\(\r*\)$/\11\2/; s/\(out\.status: *1  yes .*  \)off\(\r*\)$/\12\2/'
export FLANK_E2E_EXPECT_VPID=0
run "VPID off shown as off" "e2e-bochs(main): PASS" ""
run "VPID shown where the CPU has none" \
	"FAIL: status: CPU 0 does not show VPID off" "$vpid_on"
FLANK_E2E_EXPECT_VPID=1
run "VPID number + 1 on each CPU" "e2e-bochs(main): PASS" "$vpid_on"
run "VPID off where the CPU has it" \
	"FAIL: status: CPU 0 does not show VPID 1" ""
run "a VPID of 0" "FAIL: status: CPU 1 does not show VPID 2" \
	"$vpid_on; s/\(out\.status: *1  yes .*  \)2\(\r*\)$/\10\2/"
unset FLANK_E2E_EXPECT_VPID
exit $status
