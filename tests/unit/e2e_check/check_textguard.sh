#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_textguard.sh BOCHS_CHECK FIXTURE_LOG
#
# The kernel text guard's part of tests/e2e/bochs-check.sh (docs/e2e.md,
# step 6; docs/modules.md "Worked example: the kernel text guard") against
# a real serial log (FIXTURE_LOG: the skx-61-strict-msrs cell, EPT on): the
# log as it is passes, and each mutation a guard that failed would cause
# fails with its own message.
set -u
check=${1:?usage: check_textguard.sh BOCHS_CHECK FIXTURE_LOG}
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
run "the patch of the SYSCALL entry went through" \
	"FAIL: test_text_write: the write to the SYSCALL entry's page was not refused" \
	's/the write faulted (#GP); byte before \(0x[0-9a-f]*\), after 0x[0-9a-f]*/the write went through (undone); byte before \1, after 0x00/'
run "the store faulted but the byte changed" \
	"FAIL: test_text_write: the byte changed from" \
	's/\(the write faulted (#GP); byte before 0x[0-9a-f]*\), after 0x[0-9a-f]*/\1, after 0x00/'
run "flank.ko printed no result" \
	"FAIL: test_text_write: flank.ko printed no result line" \
	'/test_text_write: SYSCALL entry /d'
run "the refusal is not in the ring" \
	"FAIL: dump: output lacks 'textguard: refused a write to GPA" \
	'/out\.dump: .*textguard: refused a write to GPA/d'
run "the refusal names another GLA" \
	"FAIL: dump: output lacks 'textguard: refused a write to GPA" \
	'/out\.dump: .*textguard: refused a write to GPA/s/(GLA 0x[0-9a-f]*)/(GLA 0x1)/'
run "the SYSCALL entry's page was not guarded at load" \
	"FAIL: ept_dump: output lacks 'textguard: write-protecting GPA" \
	'/out\.ept_dump: .*textguard: write-protecting GPA/d'
run "no EPT violation exit" \
	"FAIL: stats: no exit with reason 48" \
	'/out\.stats: .*EPT violation *(48)/d'
run "an LSTAR write not refused" \
	"FAIL: dump: output lacks 'textguard: refused WRMSR IA32_LSTAR" \
	'/out\.dump: .*textguard: refused WRMSR IA32_LSTAR/d'
run "the injected #GP became an oops" \
	"FAIL: the kernel reported a problem" \
	's/^\(.*\) flank: test_text_write: SYSCALL entry/\1 general protection fault, probably for non-canonical address\n&/'
run "the text guard was not loaded" \
	"FAIL: load: output lacks 'loaded /vmm.elf: 3 modules'" \
	's/loaded \/vmm.elf: 3 modules/loaded \/vmm.elf: 2 modules/'
# Without EPT (FLANK_E2E_EXPECT_EPT=0 and no "EPT on" in the ring, as on
# penryn-61) page hooks have no effect: the write must land, and a log
# that says so passes; a refusal there would mean the check reads the
# wrong branch. Nor is anything hidden there (check_hide.sh): no hidden
# pages in the ring, no dropped write, no MTF exit.
export FLANK_E2E_EXPECT_EPT=0
no_ept='/EPT on: /d; /EPT type: /d; /refused a write to GPA/d; /EPT violation *(48)/d; /hidden from the guest/d; /hidden-page writes dropped/d; /out\.stats: .*(37)/d'
run "without EPT the write lands" "e2e-bochs(main): PASS" \
	"$no_ept; s/the write faulted (#GP); byte before \(0x[0-9a-f]*\), after 0x[0-9a-f]*/the write went through (undone); byte before \1, after 0x00/"
run "without EPT a refusal is wrong" \
	"FAIL: test_text_write: without EPT the write should land" "$no_ept"
exit $status
