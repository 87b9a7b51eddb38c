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
#                 CPU 1 looped on that #UD right after start). AMX is
#                 excluded, a measured Bochs 3.0 limitation and not Flank's
#                 (the kernel's XCR0 gets bit 17 without 18 and XSETBV
#                 #GPs). `no5lvl`: the 4-level half of the la57/no5lvl pair
#                 (spr-612-la57 is the 5-level half; the check requires
#                 la57=0 here). It was a workaround until
#                 scripts/bochs3-patches/rsm-cr4-la57.patch: Bochs's SMM
#                 restore rejected CR4.LA57.
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
#                 a CPU without them starts, runs and stops. The CI cell of
#                 the transparency check: Linux's x86 selftests (44, 64- and
#                 32-bit) run bare and under Flank and must agree, and every
#                 CPUID leaf may differ only where Flank means it to.
#
# The cells below run in `make e2e-matrix` (bochs-matrix.sh), not in CI:
#
#   skx-612-rt    Bochs 3.0 `corei7_skylake_x`, Debian 12's 6.12 PREEMPT_RT
#                 kernel (linux-image-6.12-rt-amd64) with its default command
#                 line, the flank.ko built for it (driver-6.12-rt).
#   hsw-61        Bochs 3.0 `corei7_haswell_4770` (EPT, VPID, unrestricted
#                 guest; no AVX-512, no PKU), Debian's 6.1, defaults.
#   skx-61-4cpu   Bochs 3.0 `corei7_skylake_x` with 4 CPUs, 6.1, defaults.
#   skx-61-nopti  Bochs 3.0 `corei7_skylake_x`, 6.1, `nopti` (page-table
#                 isolation off: one CR3 for kernel and user; the check
#                 requires pti=0). The other Skylake cells run with PTI on.
#   tgl-61, icl-61, spr-61  Bochs 3.0 `tigerlake`, `corei7_icelake_u`,
#                 `sapphire_rapids` with Debian's 6.1 and its default
#                 command line, and IA32_MISC_ENABLE defined with fast
#                 strings on (msrs-fast-strings.def says why: without it
#                 6.1's memmove runs away on these models). Their
#                 IA32_VMX_BASIC is Bochs 3.0's newer one (revision 4).
#                 sapphire_rapids as in spr-612-ibt: no AMX, `no5lvl`
#                 (Debian's 6.1 boots with 5-level paging on our patched
#                 Bochs too; the matrix's 5-level cell is spr-612-la57).
#   arl-612       Bochs 3.0 `arrow_lake`, 2 CPUs, Debian 12's 6.12 with
#                 the distribution's default command line and nothing else
#                 (the model has no 5-level paging and no AMX, so neither
#                 of the Sapphire Rapids cells' workarounds is needed; a
#                 boot with `no5lvl` passed too): the newest client core
#                 Bochs models, with WAITPKG (the stress scenario must find it),
#                 CET IBT enforced (ibt=1), PKS, UINTR; not affected by
#                 Meltdown, so PTI is off as on users' Arrow Lake machines.
#                 IA32_VMX_BASIC 0x1d8100000000004 (measured).
#   spr-612-la57  `sapphire_rapids` (no AMX), Debian 12's 6.12 with the
#                 distribution's default command line and nothing else, so
#                 the kernel runs with 5-level paging (CR4.LA57) as on
#                 users' Ice Lake server and Sapphire Rapids machines: its
#                 direct map, per-CPU areas and vmalloc space (the host
#                 stacks, the image: HOST_RSP, HOST_RIP, HOST_GS_BASE) lie
#                 above the 4-level range, and HOST_CR3 is a 5-level table.
#                 The check requires la57=1 and every flank.ko vmalloc area
#                 outside the 48-bit canonical range (FLANK_E2E_EXPECT_LA57),
#                 ibt=1 and WAITPKG. Needs our Bochs 3.0: unpatched, its SMM
#                 restore rejected CR4.LA57 (">>PANIC<< SMM restore: CR4
#                 consistency check failed !") at the first SMI of the boot
#                 (scripts/bochs3-patches/rsm-cr4-la57.patch).
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

# selftests_series: the source series of Linux's x86 selftests for the
# cell's kernel ($kernel): a 6.12 kernel runs 6.12's selftests, the rest
# 6.1's (scripts/selftests.sh SERIES).
selftests_series() {
	case ${kernel##*/} in
	vmlinuz-6.12.*) echo 6.12 ;;
	*) echo 6.1 ;;
	esac
}

# selftests: FLANK_E2E_SELFTESTS defaults to Linux's x86 selftests of the
# cell's kernel series (built once by scripts/selftests.sh, then cached);
# "none" leaves them out.
selftests() {
	if [ -z "${FLANK_E2E_SELFTESTS:-}" ]; then
		FLANK_E2E_SELFTESTS=$("$root/scripts/selftests.sh" "$(selftests_series)" | tail -n 1)
		[ -d "$FLANK_E2E_SELFTESTS" ] || {
			echo "e2e-cell($cell): scripts/selftests.sh could not provide the selftests" >&2
			exit 2
		}
	fi
}

# bochs3: FLANK_E2E_BOCHS defaults to Bochs 3.0 (built once, then cached).
bochs3() {
	bochs=$("$root/scripts/bochs3.sh" | tail -n 1) || {
		echo "e2e-cell($cell): scripts/bochs3.sh could not provide Bochs 3.0" >&2
		exit 2
	}
	: "${FLANK_E2E_BOCHS:=$bochs}"
	# Our Bochs 3.0 loads SS on SYSRET as the SDM says
	# (scripts/bochs3-patches/sysret-ss-attributes.patch): Linux's
	# selftest of exactly that must then pass, bare and under Flank.
	if [ "$FLANK_E2E_BOCHS" = "$bochs" ]; then
		: "${FLANK_E2E_EXPECT_PASS=sysret_ss_attrs_32 sysret_ss_attrs_64}"
	fi
}

case $cell in
spr-612-ibt)
	newest_kernel '6.12.*+deb12-amd64' linux-image-6.12-amd64
	bochs3
	: "${FLANK_E2E_CPU:=model=sapphire_rapids, count=2, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1, exclude_features=\"amx amx_int8 amx_bf16 amx_fp16 amx_complex\"}"
	: "${FLANK_E2E_KERNEL:=$kernel}"
	# Distribution defaults: only the console, the watcher's panic
	# settings and no5lvl (4-level paging: the other half of spr-612-la57).
	: "${FLANK_E2E_CMDLINE:=console=ttyS0 quiet panic=-1 oops=panic no5lvl}"
	: "${FLANK_E2E_VMX_BASIC:=0x1d8100000000004}"
	: "${FLANK_E2E_EXPECT_LA57:=0}"
	: "${FLANK_E2E_EXPECT_IBT:=1}"
	: "${FLANK_E2E_EXPECT_WAITPKG:=1}"
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
	: "${FLANK_E2E_EXPECT_VPID:=1}"
	: "${FLANK_E2E_EXPECT_EPT:=1}"
	;;
penryn-61)
	newest_kernel '6.1.0-*-amd64' linux-image-amd64
	bochs3
	selftests
	: "${FLANK_E2E_CPU:=model=core2_penryn_t9600, count=2, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1}"
	: "${FLANK_E2E_KERNEL:=$kernel}"
	: "${FLANK_E2E_CMDLINE:=console=ttyS0 quiet panic=-1 oops=panic}"
	: "${FLANK_E2E_EXPECT_IBT:=0}"
	: "${FLANK_E2E_EXPECT_VPID:=0}"
	;;
skx-612-rt)
	newest_kernel '6.12.*+deb12-rt-amd64' linux-image-6.12-rt-amd64
	bochs3
	: "${FLANK_E2E_CPU:=model=corei7_skylake_x, count=2, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1}"
	: "${FLANK_E2E_KERNEL:=$kernel}"
	: "${FLANK_E2E_CMDLINE:=console=ttyS0 quiet panic=-1 oops=panic}"
	: "${FLANK_E2E_EXPECT_IBT:=0}"
	;;
hsw-61)
	newest_kernel '6.1.0-*-amd64' linux-image-amd64
	bochs3
	: "${FLANK_E2E_CPU:=model=corei7_haswell_4770, count=2, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1}"
	: "${FLANK_E2E_KERNEL:=$kernel}"
	: "${FLANK_E2E_CMDLINE:=console=ttyS0 quiet panic=-1 oops=panic}"
	: "${FLANK_E2E_EXPECT_IBT:=0}"
	;;
skx-61-4cpu)
	newest_kernel '6.1.0-*-amd64' linux-image-amd64
	bochs3
	: "${FLANK_E2E_CPU:=model=corei7_skylake_x, count=4, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1}"
	: "${FLANK_E2E_KERNEL:=$kernel}"
	: "${FLANK_E2E_CMDLINE:=console=ttyS0 quiet panic=-1 oops=panic}"
	: "${FLANK_E2E_CPUS:=4}"
	;;
skx-61-nopti)
	newest_kernel '6.1.0-*-amd64' linux-image-amd64
	bochs3
	: "${FLANK_E2E_CPU:=model=corei7_skylake_x, count=2, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1}"
	: "${FLANK_E2E_KERNEL:=$kernel}"
	: "${FLANK_E2E_CMDLINE:=console=ttyS0 quiet panic=-1 oops=panic nopti}"
	: "${FLANK_E2E_EXPECT_PTI:=0}"
	;;
tgl-61 | icl-61 | spr-61)
	newest_kernel '6.1.0-*-amd64' linux-image-amd64
	bochs3
	case $cell in
	tgl-61)
		model=tigerlake basic=0x1d8100000000004 excl='' extra=''
		;;
	icl-61)
		model=corei7_icelake_u basic=0xd8100000000004 excl='' extra=''
		;;
	spr-61)
		model=sapphire_rapids basic=0x1d8100000000004 extra=" no5lvl"
		excl=', exclude_features="amx amx_int8 amx_bf16 amx_fp16 amx_complex"'
		: "${FLANK_E2E_EXPECT_WAITPKG:=1}"
		;;
	esac
	: "${FLANK_E2E_CPU:=model=$model, count=2, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1$excl}"
	: "${FLANK_E2E_MSRS:=$here/msrs-fast-strings.def}"
	: "${FLANK_E2E_KERNEL:=$kernel}"
	: "${FLANK_E2E_CMDLINE:=console=ttyS0 quiet panic=-1 oops=panic$extra}"
	: "${FLANK_E2E_VMX_BASIC:=$basic}"
	;;
arl-612)
	newest_kernel '6.12.*+deb12-amd64' linux-image-6.12-amd64
	bochs3
	: "${FLANK_E2E_CPU:=model=arrow_lake, count=2, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1}"
	: "${FLANK_E2E_KERNEL:=$kernel}"
	: "${FLANK_E2E_CMDLINE:=console=ttyS0 quiet panic=-1 oops=panic}"
	: "${FLANK_E2E_VMX_BASIC:=0x1d8100000000004}"
	: "${FLANK_E2E_EXPECT_IBT:=1}"
	: "${FLANK_E2E_EXPECT_WAITPKG:=1}"
	;;
spr-612-la57)
	newest_kernel '6.12.*+deb12-amd64' linux-image-6.12-amd64
	bochs3
	: "${FLANK_E2E_CPU:=model=sapphire_rapids, count=2, ips=50000000, reset_on_triple_fault=0, ignore_bad_msrs=1, exclude_features=\"amx amx_int8 amx_bf16 amx_fp16 amx_complex\"}"
	: "${FLANK_E2E_KERNEL:=$kernel}"
	: "${FLANK_E2E_CMDLINE:=console=ttyS0 quiet panic=-1 oops=panic}"
	: "${FLANK_E2E_VMX_BASIC:=0x1d8100000000004}"
	: "${FLANK_E2E_EXPECT_LA57:=1}"
	: "${FLANK_E2E_EXPECT_IBT:=1}"
	: "${FLANK_E2E_EXPECT_WAITPKG:=1}"
	;;
*)
	echo "e2e-cell: unknown cell '$cell' (cells: spr-612-ibt, skx-61-strict-msrs, penryn-61, skx-612-rt, hsw-61, skx-61-4cpu, skx-61-nopti, tgl-61, icl-61, spr-61, arl-612, spr-612-la57)" >&2
	exit 2
	;;
esac
export FLANK_E2E_BOCHS FLANK_E2E_CPU FLANK_E2E_KERNEL FLANK_E2E_CMDLINE \
	FLANK_E2E_EXPECT_IBT
[ -z "${FLANK_E2E_VMX_BASIC:-}" ] || export FLANK_E2E_VMX_BASIC
[ -z "${FLANK_E2E_MSRS:-}" ] || export FLANK_E2E_MSRS
[ -z "${FLANK_E2E_UNKNOWN_MSR:-}" ] || export FLANK_E2E_UNKNOWN_MSR
[ -z "${FLANK_E2E_CPUS:-}" ] || export FLANK_E2E_CPUS
[ -z "${FLANK_E2E_EXPECT_PTI:-}" ] || export FLANK_E2E_EXPECT_PTI
[ -z "${FLANK_E2E_EXPECT_LA57:-}" ] || export FLANK_E2E_EXPECT_LA57
[ "${FLANK_E2E_SELFTESTS:-none}" = none ] && unset FLANK_E2E_SELFTESTS
[ -z "${FLANK_E2E_SELFTESTS:-}" ] || export FLANK_E2E_SELFTESTS
[ -z "${FLANK_E2E_EXPECT_PASS:-}" ] || export FLANK_E2E_EXPECT_PASS
[ -z "${FLANK_E2E_EXPECT_VPID:-}" ] || export FLANK_E2E_EXPECT_VPID
[ -z "${FLANK_E2E_EXPECT_EPT:-}" ] || export FLANK_E2E_EXPECT_EPT
# The stress scenario (stress-check.sh): whether UMWAIT/TPAUSE must run
# (the Sapphire Rapids cells) or must be absent; unset: what the model has.
[ -z "${FLANK_E2E_EXPECT_WAITPKG:-}" ] || export FLANK_E2E_EXPECT_WAITPKG
echo "e2e-cell($cell): $FLANK_E2E_BOCHS; cpu: $FLANK_E2E_CPU; kernel: $FLANK_E2E_KERNEL; cmdline: $FLANK_E2E_CMDLINE; selftests: ${FLANK_E2E_SELFTESTS:-none}"
if [ -n "${FLANK_E2E_NOBOOT:-}" ]; then
	# A cell documented as not booting: it passes when the guest never
	# reached its init and Bochs names the documented reason; a boot is
	# news (the limitation is gone) and fails, so that the cell is updated.
	work=$1
	"$here/bochs-run.sh" main "$@" || true
	if grep -q "FLANK-E2E: begin" "$work/serial.log" 2>/dev/null; then
		echo "e2e-cell($cell): FAIL: documented as not booting ($FLANK_E2E_NOBOOT), but the guest booted: update the cell" >&2
		exit 1
	fi
	if grep -qF "$FLANK_E2E_NOBOOT" "$work/bochs.log" "$work/bochs.out" 2>/dev/null; then
		echo "$FLANK_E2E_NOBOOT" >"$work/noboot"
		echo "e2e-cell($cell): does not boot, as documented: Bochs says '$FLANK_E2E_NOBOOT' ($(cat "$work/seconds") s)"
		exit 0
	fi
	echo "e2e-cell($cell): FAIL: the guest did not boot, and Bochs did not say '$FLANK_E2E_NOBOOT':" >&2
	tail -n 20 "$work/serial.log" "$work/bochs.out" >&2 2>/dev/null || true
	exit 1
fi
# FLANK_E2E_SCENARIO: the guest's scenario on this cell (main, or stress:
# tests/e2e/guest/stress.sh, which needs flank-stress as a ninth argument).
exec "$here/bochs-e2e.sh" "${FLANK_E2E_SCENARIO:-main}" "$@"
