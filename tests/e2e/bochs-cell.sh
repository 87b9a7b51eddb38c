#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bochs-cell.sh CELL WORK_DIR FLANK_KO FLANKCTL VMM_ELF EXAMPLE_ELF CHECK_ELF PROBE
#
# One cell of the emulated-hardware matrix: a named combination of emulator,
# CPU model, kernel and command line, run with the main scenario
# (bochs-e2e.sh: boot, then the verdict). FLANK_KO must be built for the
# cell's kernel. Cells:
#
#   spr-612-ibt   Bochs 3.0 (scripts/bochs3.sh builds it once into a cache)
#                 `sapphire_rapids`, 2 CPUs; Debian 12's 6.12 kernel with the
#                 distribution's default command line, so CET indirect-branch
#                 tracking is enforced (the check requires ibt=1) and PTI,
#                 KASLR and read-only data are as on users' machines. The
#                 cell of issue #21: before the fix, `flankctl stop` panicked
#                 here with "Missing ENDBR". WAITPKG stays enabled: Linux's
#                 udelay() uses TPAUSE, which #UDs in the guest unless Flank
#                 sets "enable user wait and pause" (before issue #14 item 2
#                 CPU 1 looped on that #UD right after start). Exclusions,
#                 both measured (shared E2E-FACTS, Bochs 3.0) and neither
#                 Flank's: AMX (the kernel's XCR0 gets bit 17 without 18 and
#                 XSETBV #GPs) and 5-level paging (`no5lvl`: Bochs's SMM
#                 restore rejects CR4.LA57).
#
#   skx-61-strict-msrs  Bochs 3.0 `corei7_skylake_x`, 2 CPUs, Debian's 6.1
#                 with the distribution's default command line, and Bochs
#                 raising #GP for every MSR it does not model
#                 (ignore_bad_msrs=0 with msrs-strict.def), as hardware
#                 does: a guest RDMSR/WRMSR of an MSR that does not exist
#                 (0x12345678) must reach the task as an error (Flank
#                 injects the #GP the CPU raised), and the host carries on.
#
#   penryn-61     Bochs 3.0 `core2_penryn_t9600`, 2 CPUs, Debian's 6.1 with
#                 the distribution's default command line (PTI on: Penryn is
#                 affected by Meltdown). The oldest VT-x core Bochs models:
#                 no EPT, no VPID, no unrestricted guest; the secondary
#                 controls offer only virtualize-APIC-accesses and WBINVD
#                 exiting. Flank needs none of them; this cell proves that
#                 a CPU without them starts, runs and stops.
#
# Environment already set by the caller wins over the cell's values.
set -eu
cell=${1:?usage: bochs-cell.sh CELL WORK_DIR FLANK_KO FLANKCTL VMM_ELF EXAMPLE_ELF CHECK_ELF PROBE}
shift
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

# newest_kernel GLOB PACKAGE: kernel := the newest /boot/vmlinuz-GLOB.
newest_kernel() {
	kernel=$(ls /boot/vmlinuz-$1 2>/dev/null | sort -V | tail -n 1)
	[ -n "$kernel" ] && return 0
	echo "e2e-cell($cell): no /boot/vmlinuz-$1 (scripts/deps.sh kernel installs $2)" >&2
	exit 2
}

# bochs3: FLANK_E2E_BOCHS defaults to Bochs 3.0 (built once, then cached).
bochs3() {
	bochs=$("$root/scripts/bochs3.sh" | tail -n 1) || {
		echo "e2e-cell($cell): scripts/bochs3.sh could not provide Bochs 3.0" >&2
		exit 2
	}
	: "${FLANK_E2E_BOCHS:=$bochs}"
}

case $cell in
spr-612-ibt)
	newest_kernel '6.12.*+deb12-amd64' linux-image-6.12-amd64
	bochs3
	: "${FLANK_E2E_CPU:=model=sapphire_rapids, count=2, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1, exclude_features=\"amx amx_int8 amx_bf16 amx_fp16 amx_complex\"}"
	: "${FLANK_E2E_KERNEL:=$kernel}"
	# Distribution defaults: only the console, the watcher's panic
	# settings and the one Bochs workaround.
	: "${FLANK_E2E_CMDLINE:=console=ttyS0 quiet panic=-1 oops=panic no5lvl}"
	: "${FLANK_E2E_VMX_BASIC:=0x1d8100000000004}"
	: "${FLANK_E2E_EXPECT_IBT:=1}"
	;;
skx-61-strict-msrs)
	newest_kernel '6.1.0-*-amd64' linux-image-amd64
	bochs3
	: "${FLANK_E2E_CPU:=model=corei7_skylake_x, count=2, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=0}"
	: "${FLANK_E2E_MSRS:=$here/msrs-strict.def}"
	: "${FLANK_E2E_KERNEL:=$kernel}"
	: "${FLANK_E2E_CMDLINE:=console=ttyS0 quiet panic=-1 oops=panic}"
	: "${FLANK_E2E_UNKNOWN_MSR:=gp}"
	: "${FLANK_E2E_EXPECT_IBT:=0}"
	;;
penryn-61)
	newest_kernel '6.1.0-*-amd64' linux-image-amd64
	bochs3
	: "${FLANK_E2E_CPU:=model=core2_penryn_t9600, count=2, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1}"
	: "${FLANK_E2E_KERNEL:=$kernel}"
	: "${FLANK_E2E_CMDLINE:=console=ttyS0 quiet panic=-1 oops=panic}"
	: "${FLANK_E2E_EXPECT_IBT:=0}"
	;;
*)
	echo "e2e-cell: unknown cell '$cell' (cells: spr-612-ibt, skx-61-strict-msrs, penryn-61)" >&2
	exit 2
	;;
esac
export FLANK_E2E_BOCHS FLANK_E2E_CPU FLANK_E2E_KERNEL FLANK_E2E_CMDLINE \
	FLANK_E2E_EXPECT_IBT
[ -z "${FLANK_E2E_VMX_BASIC:-}" ] || export FLANK_E2E_VMX_BASIC
[ -z "${FLANK_E2E_MSRS:-}" ] || export FLANK_E2E_MSRS
[ -z "${FLANK_E2E_UNKNOWN_MSR:-}" ] || export FLANK_E2E_UNKNOWN_MSR
echo "e2e-cell($cell): $FLANK_E2E_BOCHS; cpu: $FLANK_E2E_CPU; kernel: $FLANK_E2E_KERNEL; cmdline: $FLANK_E2E_CMDLINE"
exec "$here/bochs-e2e.sh" main "$@"
