#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_la57.sh BOCHS_CHECK FIXTURE_LOG
#
# The 5-level paging check of tests/e2e/bochs-check.sh
# (FLANK_E2E_EXPECT_LA57) against a real serial log of the spr-612-la57
# cell (Bochs 3.0 sapphire_rapids, Debian's 6.12 with 5-level paging): the
# log as it is passes and names where flank.ko's vmalloc areas (the host
# stacks, the image) lie; a guest without 5-level paging, a host stack in
# the 4-level range, no host stack in the list, and a 4-level cell whose
# areas lie outside the 4-level range each fail with their own message.
set -u
check=${1:?usage: check_la57.sh BOCHS_CHECK FIXTURE_LOG}
fixture=${2:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
# The cell's environment (tests/e2e/bochs-cell.sh, spr-612-la57), without
# the selftests (another test covers them).
export FLANK_E2E_EXPECT_IBT=1 FLANK_E2E_VMX_BASIC=0x1d8100000000004 \
	FLANK_E2E_EXPECT_LA57=1
unset FLANK_E2E_SELFTESTS FLANK_E2E_EXPECT_PASS FLANK_E2E_EXPECT_EPT \
	FLANK_E2E_EXPECT_VPID FLANK_E2E_UNKNOWN_MSR FLANK_E2E_EXPECT_PTI
echo 1 >"$tmp/seconds"

# run NAME EXPECT SED-SCRIPT (mutations.sh): the verdict on the fixture
# edited by SED-SCRIPT must print EXPECT.
# shellcheck source=tests/unit/e2e_check/mutations.sh
. "$(dirname "$0")/mutations.sh"

tag="e2e-bochs(main)"
run "the real log passes" "$tag: PASS" ""
run "the areas are named" "$tag: la57=1: flank.ko's " ""
run "a guest with 4-level paging" \
	"$tag: FAIL: expected la57=1 (5-level paging), the guest has la57='0'" \
	's/\(FLANK-E2E: begin scenario=main .*\) la57=1/\1 la57=0/'
# The first host stack moved to a 4-level vmalloc address.
run "a host stack in the 4-level range" \
	"$tag: FAIL: la57: flank.ko's vmalloc area at 0xffffc90000401000 is in the 4-level range: not a 5-level run" \
	'0,/out\.vmalloc_flank: 0x[0-9a-f]*-\(0x[0-9a-f]* *[0-9]* kp_stack_alloc\)/s//out.vmalloc_flank: 0xffffc90000401000-\1/'
run "no host stack listed" \
	"$tag: FAIL: la57: no host stack (kp_stack_alloc) among flank.ko's vmalloc areas" \
	'/out\.vmalloc_flank: .*kp_stack_alloc/d'
# A cell that expects 4-level paging, given this log's addresses.
FLANK_E2E_EXPECT_LA57=0
run "5-level addresses in a 4-level cell" \
	"is outside the 4-level range, with 4-level paging" \
	's/\(FLANK-E2E: begin scenario=main .*\) la57=1/\1 la57=0/'
exit $status
