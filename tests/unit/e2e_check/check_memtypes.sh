#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_memtypes.sh BOCHS_CHECK FIXTURE_LOG
#
# The memory-type comparison of tests/e2e/bochs-check.sh
# (tests/e2e/memtype-check.sh, docs/ept.md "Proof against Linux") against a
# real serial log (FIXTURE_LOG: the skx-61-strict-msrs cell, EPT on): the
# log as it is passes and prints the sampled table, and each mutation a
# wrong memory type would cause, on Flank's side or Linux's, fails and
# names the address.
set -u
check=${1:?usage: check_memtypes.sh BOCHS_CHECK FIXTURE_LOG}
fixture=${2:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
# The cell's environment (tests/e2e/bochs-cell.sh, skx-61-strict-msrs).
export FLANK_E2E_EXPECT_IBT=0 FLANK_E2E_EXPECT_VPID=1 FLANK_E2E_EXPECT_EPT=1 \
	FLANK_E2E_UNKNOWN_MSR=gp
unset FLANK_E2E_SELFTESTS FLANK_E2E_VMX_BASIC FLANK_E2E_EXPECT_PASS
echo 1 >"$tmp/seconds"

# run NAME EXPECT SED-SCRIPT (mutations.sh): the verdict on the fixture
# edited by SED-SCRIPT must print EXPECT.
# shellcheck source=tests/unit/e2e_check/mutations.sh
. "$(dirname "$0")/mutations.sh"

run "the real log passes" "e2e-bochs(main): PASS" ""
run "the table is printed" \
	"memory types: 20 sampled addresses, the same memory type in Linux's MTRRs and Flank's EPT map" ""
run "a legacy-area row" "0xa0000        uncachable       uncachable       legacy: VGA window" ""
# Flank's side wrong: RAM below 640 KiB mapped write-through.
run "an EPT run of the wrong type" \
	"FAIL: memtypes: GPA 0x0 (legacy: first page): Linux's MTRRs give write-back, Flank's EPT leaf write-through" \
	's/EPT type: 0x0-0x9ffff write-back/EPT type: 0x0-0x9ffff write-through/'
# Flank's side wrong: the MMIO hole below 4 GiB cached.
run "the MMIO hole mapped write-back" \
	"FAIL: memtypes: GPA 0xc0000000 (reg00: first page): Linux's MTRRs give uncachable, Flank's EPT leaf write-back" \
	's/EPT type: 0xc0000000-0xffffffff uncachable/EPT type: 0xc0000000-0xffffffff write-back/'
# Linux's side differs: /proc/mtrr reports a UC range Flank did not see
# (UC wins over WB, SDM Vol. 3A 12.11.4.1 rule 2c).
run "an extra UC range in /proc/mtrr" \
	"FAIL: memtypes: GPA 0x1000000 (RAM: 16 MiB): Linux's MTRRs give uncachable, Flank's EPT leaf write-back" \
	's/\(FLANK-E2E: out\.mtrr: reg00: .*\)/\1\n[ 1.0] FLANK-E2E: out.mtrr: reg07: base=0x001000000 (   16MB), size=   16MB, count=1: uncachable/'
# The overlap rules applied to Linux's view: WT over WB is WT (rule 2d),
# WC over WB undefined (rule 2e), which Flank takes as UC.
run "WT over WB in /proc/mtrr" \
	"FAIL: memtypes: GPA 0x1000000 (RAM: 16 MiB): Linux's MTRRs give write-through, Flank's EPT leaf write-back" \
	's/\(FLANK-E2E: out\.mtrr: reg00: .*\)/\1\n[ 1.0] FLANK-E2E: out.mtrr: reg06: base=0x000000000 ( 0MB), size= 2048MB, count=1: write-back\n[ 1.0] FLANK-E2E: out.mtrr: reg07: base=0x001000000 (   16MB), size=   16MB, count=1: write-through/'
run "WC over WB in /proc/mtrr" \
	"FAIL: memtypes: GPA 0x1000000 (RAM: 16 MiB): Linux's MTRRs give uncachable, Flank's EPT leaf write-back" \
	's/\(FLANK-E2E: out\.mtrr: reg00: .*\)/\1\n[ 1.0] FLANK-E2E: out.mtrr: reg06: base=0x000000000 ( 0MB), size= 2048MB, count=1: write-back\n[ 1.0] FLANK-E2E: out.mtrr: reg07: base=0x001000000 (   16MB), size=   16MB, count=1: write-combining/'
run "a type /proc/mtrr names and no rule knows" \
	"FAIL: memtypes: unknown type in /proc/mtrr" \
	's/\(out\.mtrr: reg00: .*\)uncachable/\1write-sometimes/'
# The fixed ranges: the first 64 KiB field of IA32_MTRR_FIX64K_00000 UC.
run "a fixed range that differs" \
	"FAIL: memtypes: GPA 0x0 (legacy: first page): Linux's MTRRs give uncachable, Flank's EPT leaf write-back" \
	's/\(msr=0x250 .*value=0x60606060606060\)6/\10/'
# MTRRs disabled in Linux's view (IA32_MTRR_DEF_TYPE.E = 0, FE still 1):
# all UC (SDM Vol. 3A 12.11.2.1).
run "MTRRs disabled" \
	"FAIL: memtypes: GPA 0x0 (legacy: first page): Linux's MTRRs give uncachable, Flank's EPT leaf write-back" \
	's/\(msr=0x2ff .*value=0x\)c06/\1406/'
run "the ring lost the EPT lines" \
	"FAIL: memtypes: the ring has no 'EPT type:' lines" '/EPT type: /d'
run "EPT off where the cell has it" \
	"FAIL: memtypes: the ring after start does not say 'EPT on'" '/out\.ept_dump: .*EPT on: /d'
run "a run the ring did not keep" \
	"FAIL: memtypes: the ring did not keep every run of the EPT map" \
	's/\(FLANK-E2E: out\.ept_dump: .*\)EPT type: 0x0-0x9ffff write-back/&\n\1EPT type: 3 more runs not kept/'
run "an address EPT does not map" \
	"Flank's EPT leaf unmapped" '/EPT type: 0xa0000-/d'
exit $status
