#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_hide.sh BOCHS_CHECK FIXTURE_LOG
#
# The hidden-pages part of tests/e2e/bochs-check.sh (docs/e2e.md, step 6;
# docs/ept.md "The VMM's pages are not the guest's") against a real serial
# log (FIXTURE_LOG: the skx-61-strict-msrs cell, EPT on, flank.ko's
# test_hide): the log as it is passes, and each mutation a failure to hide
# the VMM's pages would cause fails with its own message. The same log made
# EPT-less passes only with hiding off.
set -u
check=${1:?usage: check_hide.sh BOCHS_CHECK FIXTURE_LOG}
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

# What the real log says: Z of N pages read as zeros, C CPUs.
line=$(grep -o 'test_hide: [0-9]* of [0-9]* VMM pages read as zeros, [0-9]* written, [0-9]* of [0-9]* CPUs' "$fixture" | tail -n 1)
zero=$(echo "$line" | cut -d' ' -f2)
pages=$(echo "$line" | cut -d' ' -f4)
cpus=$(echo "$line" | cut -d' ' -f14)
if [ -z "$line" ] || [ "$zero" -lt 1 ] || [ "$cpus" -lt 2 ]; then
	echo "FAILED: the fixture has no test_hide line with hidden pages on 2 or more CPUs: '$line'"
	exit 1
fi
report='s/test_hide: [0-9]* of [0-9]* VMM pages read as zeros, [0-9]* written'
under='[0-9]* of \([0-9]*\) CPUs still under Flank'
dropped='/out\.stats: .*hidden-page writes dropped/d'
hidden='/out\.ept_dump: .*hidden from the guest/d'
mtf='/out\.stats: .*(37)/d'

run "the real log passes" "e2e-bochs(main): PASS" ""
run "the summary names the hidden pages" \
	"hidden pages: $zero of the VMM's $pages pages read as zeros through the direct map" ""
# FLANK_HIDE_RING: the ring's pages are part of the map's count; the
# summary gives their share (the fixture's ring line says how many).
ring=$(sed -n 's/.*flank: vmm: EPT: the debug ring hidden from the guest (\([0-9]*\) pages).*/\1/p' "$fixture" | tail -n 1)
if [ -z "$ring" ]; then
	echo "FAILED: the fixture has no line for the hidden debug ring"
	status=1
fi
run "the summary names the debug ring's share" \
	", ${ring:-?} of the debug ring, " ""
run "flank.ko printed no result" \
	"FAIL: test_hide: flank.ko did not report" \
	'/flank: test_hide: /d'
run "a hidden page read as its contents" \
	"FAIL: test_hide: $((zero - 1)) of $pages VMM pages read as zeros, the ring says" \
	"$report/test_hide: $((zero - 1)) of $pages VMM pages read as zeros, $((zero - 1)) written/"
run "a page not hidden read as zeros too" \
	"FAIL: test_hide: $((zero + 1)) of $pages VMM pages read as zeros, the ring says" \
	"$report/test_hide: $((zero + 1)) of $pages VMM pages read as zeros, $((zero + 1)) written/"
run "a CPU lost after the writes" \
	"FAIL: test_hide: only $((cpus - 1)) of $cpus CPUs still under Flank after the writes" \
	"s/test_hide: \(.*\) $under/test_hide: \1 $((cpus - 1)) of \2 CPUs still under Flank/"
run "the probe failed" \
	"FAIL: test_hide: expected '0', got '5'" \
	's/FLANK-E2E: test_hide=0/FLANK-E2E: test_hide=5/'
run "no workload after the writes" \
	"FAIL: workload_hide: " \
	'/out\.workload_hide: /s/workload=ok/workload=fail/'
run "no dropped writes in stats" \
	"FAIL: test_hide: stats count 0 dropped writes for $zero hidden pages written" \
	"$dropped"
# Each CPU's count set to 1: as many dropped writes as CPUs that count any.
nlines=$(grep -c 'out\.stats: .*hidden-page writes dropped' "$fixture")
run "fewer dropped writes than pages written" \
	"FAIL: test_hide: stats count $nlines dropped writes for $zero hidden pages written" \
	's/\(out\.stats: .*hidden-page writes dropped *\)[0-9]*/\11/'
# flank.ko loaded with hide=0 where the CPU has EPT: nothing hidden, every
# VMM page reads as what it holds, no write dropped, no MTF exit.
run "hide off where EPT is on" \
	"FAIL: test_hide: EPT on, but the ring does not say which pages were hidden" \
	"$hidden; $dropped; $mtf; $report/test_hide: 0 of $pages VMM pages read as zeros, 0 written/"
run "the ring names no CPU pages hidden" \
	"FAIL: test_hide: EPT on, but the ring does not say which pages were hidden" \
	'/out\.ept_dump: .*the pages of [0-9]* CPUs hidden from the guest/d'

# Without EPT (FLANK_E2E_EXPECT_EPT=0 and no "EPT on" in the ring, as on
# penryn-61) nothing can be hidden: a log with no hidden pages in the ring,
# no dropped write and no MTF exit passes (the text guard's write lands
# there too, see check_textguard.sh); each sign of hiding fails.
export FLANK_E2E_EXPECT_EPT=0
no_ept='/EPT on: /d; /EPT type: /d; /refused a write to GPA/d; /EPT violation *(48)/d; s/the write faulted (#GP); byte before \(0x[0-9a-f]*\), after 0x[0-9a-f]*/the write went through (undone); byte before \1, after 0x00/'
run "without EPT hiding is off" "e2e-bochs(main): PASS" \
	"$no_ept; $hidden; $dropped; $mtf"
run "without EPT the ring says pages were hidden" \
	"FAIL: test_hide: EPT off, but the ring says pages were hidden from the guest" \
	"$no_ept; $dropped; $mtf"
run "without EPT writes were dropped" \
	"FAIL: test_hide: EPT off, but stats count dropped writes to hidden pages" \
	"$no_ept; $hidden; $mtf"
run "without EPT an MTF exit" \
	"without pages hidden by EPT" \
	"$no_ept; $hidden; $dropped"
exit $status
