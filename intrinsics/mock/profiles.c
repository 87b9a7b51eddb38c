// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CPU profiles: CPUID answers and MSR values of real processors, as data.
 * Each profile cites where its numbers come from. MSRs not listed here but
 * present on every x86-64 CPU Linux runs on (EFER, PAT, SYSENTER_*, ...)
 * are created by state.c with the values Linux leaves in them.
 */
#include <string.h>

#include "mock_internal.h"

#define CPUID(l, s, a, b, c, d)                                                \
	{                                                                      \
		(l), (s),                                                      \
		{                                                              \
			(a), (b), (c), (d)                                     \
		}                                                              \
	}
#define MSR(i, v)                                                              \
	{                                                                      \
		(i), UINT64_C(v)                                               \
	}

/* "GenuineIntel" in EBX, EDX, ECX order. */
#define INTEL_EBX 0x756e6547u
#define INTEL_EDX 0x49656e69u
#define INTEL_ECX 0x6c65746eu

/*
 * CPUID of a Skylake client core: Intel Core i7-6700K, from the
 * VirtualBox CPU database (src/VBox/VMM/VMMR3/cpus/Intel_Core_i7_6700K.h,
 * VBoxCpuReport of a real part, 2015). Only the leaves a VMM consults.
 */
#define SKYLAKE_CPUID(ecx1)                                                    \
	CPUID(0x0, 0, 0x16, INTEL_EBX, INTEL_ECX, INTEL_EDX),                  \
		CPUID(0x1, 0, 0x000506e3, 0x02100800, (ecx1), 0xbfebfbff),     \
		CPUID(0x7, 0, 0, 0x029c6fbf, 0, 0),                            \
		CPUID(0xA, 0, 0x07300404, 0, 0, 0x603),                        \
		CPUID(0xD, 0, 0x1f, 0x440, 0x440, 0),                          \
		CPUID(0xD, 1, 0xf, 0x3c0, 0x100, 0),                           \
		CPUID(0xD, 2, 0x100, 0x240, 0, 0),                             \
		CPUID(0x80000000, 0, 0x80000008, 0, 0, 0),                     \
		CPUID(0x80000001, 0, 0, 0, 0x121, 0x2c100800),                 \
		CPUID(0x80000008, 0, 0x3027, 0, 0, 0)
#define SKYLAKE_CPUID_COUNT 10u

/*
 * VMX capability MSRs of Bochs 2.7 model corei7_skylake_x, measured with a
 * module (shared/E2E-FACTS.md): IA32_VMX_BASIC, PROCBASED_CTLS,
 * PROCBASED_CTLS2, EPT_VPID_CAP, FEATURE_CONTROL. The remaining ones are a
 * real Skylake-class part's, from a VirtualBox log posted in
 * github.com/myspaghetti/macos-virtualbox/issues/224 (TRUE_PINBASED
 * 0x7f00000016, TRUE_ENTRY 0x3ffff000011fb, TRUE_EXIT 0x1ffffff00036dfb,
 * MISC 0x7004c1e7, VMCS_ENUM 0x2e); the non-TRUE exit/entry values add the
 * default1 bits (SDM Vol. 3D A.2), TRUE_PROCBASED clears CR3-load/store
 * exiting from the default1 class like that log, and CR0/CR4_FIXED values
 * are the SDM A.7/A.8 values consistent with this CPUID (CR4 bits the
 * CPUID reports: VME..OSXMMEXCPT, VMXE, FSGSBASE, PCIDE, OSXSAVE, SMEP,
 * SMAP).
 */
#define SKYLAKE_VMX_MSRS                                                       \
	SKYLAKE_CLASS_VMX_MSRS(0xd810000000002b, 0x3727ff, 0x2e,               \
			       0x2177fff00000000)
/*
 * The Skylake-class capability MSRs above, with the four that differ
 * between the profiles built on them as parameters: IA32_VMX_BASIC,
 * CR4_FIXED1, VMCS_ENUM and PROCBASED_CTLS2.
 */
#define SKYLAKE_CLASS_VMX_MSRS(basic, cr4_fixed1, vmcs_enum, ctls2)            \
	MSR(MSR_IA32_VMX_BASIC, basic),                                        \
		MSR(MSR_IA32_VMX_PINBASED_CTLS, 0x7f00000016),                 \
		MSR(MSR_IA32_VMX_PROCBASED_CTLS, 0xf7f9fffe0401e172),          \
		MSR(MSR_IA32_VMX_EXIT_CTLS, 0x1ffffff00036dff),                \
		MSR(MSR_IA32_VMX_ENTRY_CTLS, 0x3ffff000011ff),                 \
		MSR(MSR_IA32_VMX_MISC, 0x7004c1e7),                            \
		MSR(MSR_IA32_VMX_CR0_FIXED0, 0x80000021),                      \
		MSR(MSR_IA32_VMX_CR0_FIXED1, 0xffffffff),                      \
		MSR(MSR_IA32_VMX_CR4_FIXED0, 0x2000),                          \
		MSR(MSR_IA32_VMX_CR4_FIXED1, cr4_fixed1),                      \
		MSR(MSR_IA32_VMX_VMCS_ENUM, vmcs_enum),                        \
		MSR(MSR_IA32_VMX_PROCBASED_CTLS2, ctls2),                      \
		MSR(MSR_IA32_VMX_EPT_VPID_CAP, 0xf0106334141),                 \
		MSR(MSR_IA32_VMX_TRUE_PINBASED_CTLS, 0x7f00000016),            \
		MSR(MSR_IA32_VMX_TRUE_PROCBASED_CTLS, 0xf7f9fffe04006172),     \
		MSR(MSR_IA32_VMX_TRUE_EXIT_CTLS, 0x1ffffff00036dfb),           \
		MSR(MSR_IA32_VMX_TRUE_ENTRY_CTLS, 0x3ffff000011fb),            \
		MSR(MSR_IA32_VMX_VMFUNC, 0x1)
#define SKYLAKE_VMX_MSR_COUNT 18u

/*
 * A current Intel server core: Sapphire Rapids, as Bochs 3.0 models it
 * (bochs/cpu/cpudb/intel/sapphire_rapids.cc, "Intel(R) Xeon(R) w9-3475X"),
 * the CPU on which Flank's missing "enable user wait and pause" control
 * hung Linux (shared/E2E-FACTS.md). CPUID leaves 1, 7, 0AH and 80000001H
 * are that file's feature lists as bits (leaf 7 EDX adds PCONFIG, bit 18,
 * which real Sapphire Rapids parts enumerate and Bochs leaves out); leaf
 * 0DH is the XSAVE layout without AMX (the e2e excludes AMX, see
 * E2E-FACTS.md), 80000008H a real part's 46-bit physical, 57-bit linear
 * widths. These are the instructions that #UD in VMX non-root unless a
 * secondary control enables them (SDM Vol. 3C 26.3): RDTSCP, RDPID,
 * INVPCID, XSAVES/XRSTORS, UMONITOR/UMWAIT/TPAUSE (WAITPKG) and PCONFIG.
 */
#define SPR_CPUID                                                              \
	CPUID(0x0, 0, 0x20, INTEL_EBX, INTEL_ECX, INTEL_EDX),                  \
		CPUID(0x1, 0, 0x000806f8, 0x00020800, 0x7ffef3bf, 0xbfebfbff), \
		CPUID(0x7, 0, 2, 0xf1bf27eb, 0x9a415fee, 0xffd44430),          \
		CPUID(0x7, 1, 0x1c30, 0, 0, 0),                                \
		CPUID(0xA, 0, 0x08300805, 0, 0xf, 0x8604),                     \
		CPUID(0xD, 0, 0x2e7, 0xa88, 0xa88, 0),                         \
		CPUID(0xD, 1, 0xf, 0xa88, 0x5800, 0),                          \
		CPUID(0xD, 2, 0x100, 0x240, 0, 0),                             \
		CPUID(0x80000000, 0, 0x80000008, 0, 0, 0),                     \
		CPUID(0x80000001, 0, 0, 0, 0x121, 0x2c100800),                 \
		CPUID(0x80000008, 0, 0x392e, 0, 0, 0)
#define SPR_CPUID_COUNT 11u

/*
 * VMX capability MSRs: IA32_VMX_BASIC is Bochs 3.0 sapphire_rapids's,
 * measured (0x1d8100000000004: revision 4, 4 KiB, write-back, TRUE
 * controls, bit 56). The others are derived, not measured: skylake's
 * values (above) with, in PROCBASED_CTLS2 allowed-1, the controls this
 * CPUID calls for (SDM Vol. 3C Table 25-7): mode-based execute control
 * (22, Bochs's BX_VMX_MBE_CONTROL), enable user wait and pause (26) and
 * enable PCONFIG (27); CR4_FIXED1 adds the CR4 bits this CPUID enumerates
 * (UMIP, LA57, PKE, CET, PKS, UINTR; SDM Vol. 3D A.8); VMCS_ENUM reports
 * index 31, the PCONFIG-exiting bitmap's (SDM Vol. 3D A.9, Appendix B).
 */
#define SPR_VMX_MSRS                                                           \
	SKYLAKE_CLASS_VMX_MSRS(0x1d8100000000004, 0x3f73fff, 0x3e,             \
			       0xe577fff00000000)
#define SPR_VMX_MSR_COUNT 18u

/*
 * Unmapped physical memory: on a PC platform a read that no memory or
 * device claims ends in a master abort and returns all ones (PCI Local
 * Bus Specification 3.0, 6.6.1.1 "Master-Abort"; the value Flank's VMXON
 * on an unmapped region then reads as its revision identifier). Every
 * profile says so; the scenario directive "unmapped" changes it.
 */
#define UNMAPPED_ALL_ONES 0xFFu

/*
 * MTRRs (SDM Vol. 3A 12.11), as firmware leaves them: representative
 * layouts, not measured. IA32_MTRRCAP 0xd0a (10 variable ranges, fixed
 * ranges, WC, SMRR) is what Skylake-generation parts report; 0x508 what
 * the SDM gives for P6-family and Pentium 4 processors (8 ranges, fixed,
 * WC, no SMRR), used for the Core 2 profiles. The fixed ranges describe
 * the legacy area: RAM (WB) to 9FFFFH, the VGA window UC, option ROMs and
 * BIOS write-protected, D0000H-DFFFFH UC. The variable ranges are each
 * profile's own; every mask is contiguous and within MAXPHYADDR.
 */
#define MTRR_FIXED_PC                                                          \
	MSR(MSR_IA32_MTRR_FIX64K_00000, 0x0606060606060606),                   \
		MSR(MSR_IA32_MTRR_FIX16K_80000, 0x0606060606060606),           \
		MSR(MSR_IA32_MTRR_FIX16K_A0000, 0x0),                          \
		MSR(MSR_IA32_MTRR_FIX4K_C0000, 0x0505050505050505),            \
		MSR(MSR_IA32_MTRR_FIX4K_C0000 + 1, 0x0505050505050505),        \
		MSR(MSR_IA32_MTRR_FIX4K_C0000 + 2, 0x0),                       \
		MSR(MSR_IA32_MTRR_FIX4K_C0000 + 3, 0x0),                       \
		MSR(MSR_IA32_MTRR_FIX4K_C0000 + 4, 0x0505050505050505),        \
		MSR(MSR_IA32_MTRR_FIX4K_C0000 + 5, 0x0505050505050505),        \
		MSR(MSR_IA32_MTRR_FIX4K_C0000 + 6, 0x0505050505050505),        \
		MSR(MSR_IA32_MTRR_FIX4K_C0000 + 7, 0x0505050505050505)
#define MTRR_VAR(n, base, mask)                                                \
	MSR(MSR_IA32_MTRR_PHYSBASE0 + 2 * (n), base),                          \
		MSR(MSR_IA32_MTRR_PHYSMASK0 + 2 * (n), mask)

/*
 * A Skylake client (MAXPHYADDR 39): default WB (E, FE), UC for the MMIO
 * hole from 2 GiB to 4 GiB and for 64 MiB of graphics memory below it;
 * the SMRR (SMRAM, 16 MiB, WB) is not a variable MTRR.
 */
static const struct mock_msr_init skylake_mtrrs[] = {
	MSR(MSR_IA32_MTRRCAP, 0xd0a),
	MSR(MSR_IA32_MTRR_DEF_TYPE, 0xc06),
	MTRR_FIXED_PC,
	MTRR_VAR(0, 0x80000000, 0x7f80000800),
	MTRR_VAR(1, 0x7c000000, 0x7ffc000800),
	MTRR_VAR(2, 0, 0),
	MTRR_VAR(3, 0, 0),
	MTRR_VAR(4, 0, 0),
	MTRR_VAR(5, 0, 0),
	MTRR_VAR(6, 0, 0),
	MTRR_VAR(7, 0, 0),
	MTRR_VAR(8, 0, 0),
	MTRR_VAR(9, 0, 0),
	MSR(MSR_IA32_SMRR_PHYSBASE, 0x7b000006),
	MSR(MSR_IA32_SMRR_PHYSMASK, 0xff000800),
};

/*
 * A Sapphire Rapids server (MAXPHYADDR 46): default WB, UC from 2 GiB to
 * 4 GiB and for 512 GiB of high MMIO at 56 TiB; SMRR as on skylake.
 */
static const struct mock_msr_init spr_mtrrs[] = {
	MSR(MSR_IA32_MTRRCAP, 0xd0a),
	MSR(MSR_IA32_MTRR_DEF_TYPE, 0xc06),
	MTRR_FIXED_PC,
	MTRR_VAR(0, 0x80000000, 0x3fff80000800),
	MTRR_VAR(1, 0x380000000000, 0x3f8000000800),
	MTRR_VAR(2, 0, 0),
	MTRR_VAR(3, 0, 0),
	MTRR_VAR(4, 0, 0),
	MTRR_VAR(5, 0, 0),
	MTRR_VAR(6, 0, 0),
	MTRR_VAR(7, 0, 0),
	MTRR_VAR(8, 0, 0),
	MTRR_VAR(9, 0, 0),
	MSR(MSR_IA32_SMRR_PHYSBASE, 0x6f000006),
	MSR(MSR_IA32_SMRR_PHYSMASK, 0xff000800),
};

/*
 * Core 2 boards of that era: default UC, RAM covered by WB ranges (0-2
 * GiB, 2-3 GiB, 4-8 GiB) and an 8 MiB UC range overlapping the WB one
 * below 3 GiB (UC wins, SDM 12.11.4.1). Penryn: MAXPHYADDR 38.
 */
static const struct mock_msr_init penryn_mtrrs[] = {
	MSR(MSR_IA32_MTRRCAP, 0x508),
	MSR(MSR_IA32_MTRR_DEF_TYPE, 0xc00),
	MTRR_FIXED_PC,
	MTRR_VAR(0, 0x6, 0x3f80000800),
	MTRR_VAR(1, 0x80000006, 0x3fc0000800),
	MTRR_VAR(2, 0xbf800000, 0x3fff800800),
	MTRR_VAR(3, 0x100000006, 0x3f00000800),
	MTRR_VAR(4, 0, 0),
	MTRR_VAR(5, 0, 0),
	MTRR_VAR(6, 0, 0),
	MTRR_VAR(7, 0, 0),
};

/* The same layout for Merom's MAXPHYADDR of 36. */
static const struct mock_msr_init merom_mtrrs[] = {
	MSR(MSR_IA32_MTRRCAP, 0x508),
	MSR(MSR_IA32_MTRR_DEF_TYPE, 0xc00),
	MTRR_FIXED_PC,
	MTRR_VAR(0, 0x6, 0xf80000800),
	MTRR_VAR(1, 0x80000006, 0xfc0000800),
	MTRR_VAR(2, 0xbf800000, 0xfff800800),
	MTRR_VAR(3, 0x100000006, 0xf00000800),
	MTRR_VAR(4, 0, 0),
	MTRR_VAR(5, 0, 0),
	MTRR_VAR(6, 0, 0),
	MTRR_VAR(7, 0, 0),
};

#define MTRRS(a) .mtrrs = (a), .mtrr_count = sizeof(a) / sizeof((a)[0])

static const struct mock_profile profiles[] = {
	{
		.name = "skylake",
		MTRRS(skylake_mtrrs),
		.unmapped_byte = UNMAPPED_ALL_ONES,
		.source = "CPUID: VirtualBox CPU database, Core i7-6700K; VMX "
			  "MSRs: Bochs 2.7 corei7_skylake_x (measured) and a "
			  "VirtualBox log of a Skylake part",
		.cpuid_count = SKYLAKE_CPUID_COUNT,
		.cpuid = {SKYLAKE_CPUID(0x7ffafbbf)},
		.msr_count = SKYLAKE_VMX_MSR_COUNT + 1,
		.msrs = {SKYLAKE_VMX_MSRS, MSR(MSR_IA32_FEATURE_CONTROL, 0x5)},
	},
	{
		/* Firmware left IA32_FEATURE_CONTROL unlocked (SDM 24.7). */
		.name = "skylake_unlocked",
		MTRRS(skylake_mtrrs),
		.unmapped_byte = UNMAPPED_ALL_ONES,
		.source = "skylake with IA32_FEATURE_CONTROL = 0 (unlocked)",
		.cpuid_count = SKYLAKE_CPUID_COUNT,
		.cpuid = {SKYLAKE_CPUID(0x7ffafbbf)},
		.msr_count = SKYLAKE_VMX_MSR_COUNT + 1,
		.msrs = {SKYLAKE_VMX_MSRS, MSR(MSR_IA32_FEATURE_CONTROL, 0x0)},
	},
	{
		/* VT-x disabled in the BIOS: locked with bit 2 clear. */
		.name = "skylake_vmx_disabled",
		MTRRS(skylake_mtrrs),
		.unmapped_byte = UNMAPPED_ALL_ONES,
		.source = "skylake with IA32_FEATURE_CONTROL = 1 (locked, "
			  "VMX outside SMX disabled)",
		.cpuid_count = SKYLAKE_CPUID_COUNT,
		.cpuid = {SKYLAKE_CPUID(0x7ffafbbf)},
		.msr_count = SKYLAKE_VMX_MSR_COUNT + 1,
		.msrs = {SKYLAKE_VMX_MSRS, MSR(MSR_IA32_FEATURE_CONTROL, 0x1)},
	},
	{
		/*
		 * An Intel part without VT-x: the Skylake CPUID with
		 * CPUID.1:ECX[5] = 0. Without VMX (and SMX) neither the
		 * IA32_VMX_* MSRs nor IA32_FEATURE_CONTROL exist (SDM Vol. 4
		 * Table 2-2: "If CPUID.01H:ECX[5] = 1" / "[5] or [6] = 1"),
		 * so RDMSR of them raises #GP.
		 */
		.name = "novmx",
		MTRRS(skylake_mtrrs),
		.unmapped_byte = UNMAPPED_ALL_ONES,
		.source = "skylake CPUID with VMX cleared; no VMX MSRs",
		.cpuid_count = SKYLAKE_CPUID_COUNT,
		.cpuid = {SKYLAKE_CPUID(0x7ffafbbf & ~X86_CPUID1_ECX_VMX)},
		.msr_count = 0,
	},
	{
		/*
		 * Intel Xeon X5482 (Core 2, Penryn), every number from the
		 * VirtualBox CPU database (Intel_Xeon_X5482_3_20GHz.h,
		 * VBoxCpuReport 2013): no TRUE controls (VMX_BASIC[55] = 0),
		 * secondary controls limited to virtualize-APIC-accesses and
		 * WBINVD exiting, 38-bit physical addresses, no XSAVE.
		 */
		.name = "core2_penryn",
		MTRRS(penryn_mtrrs),
		.unmapped_byte = UNMAPPED_ALL_ONES,
		.source = "VirtualBox CPU database, Intel Xeon X5482",
		.cpuid_count = 6,
		.cpuid = {CPUID(0x0, 0, 0xa, INTEL_EBX, INTEL_ECX, INTEL_EDX),
			  CPUID(0x1, 0, 0x00010676, 0x04040800, 0x000ce3bd,
				0xbfebfbff),
			  CPUID(0xA, 0, 0x07280202, 0, 0, 0x503),
			  CPUID(0x80000000, 0, 0x80000008, 0, 0, 0),
			  CPUID(0x80000001, 0, 0, 0, 0x1, 0x20100800),
			  CPUID(0x80000008, 0, 0x3026, 0, 0, 0)},
		.msr_count = 13,
		.msrs = {MSR(MSR_IA32_FEATURE_CONTROL, 0x5),
			 MSR(MSR_IA32_VMX_BASIC, 0x5a08000000000d),
			 MSR(MSR_IA32_VMX_PINBASED_CTLS, 0x3f00000016),
			 MSR(MSR_IA32_VMX_PROCBASED_CTLS, 0xf7f9fffe0401e172),
			 MSR(MSR_IA32_VMX_EXIT_CTLS, 0x3ffff00036dff),
			 MSR(MSR_IA32_VMX_ENTRY_CTLS, 0x3fff000011ff),
			 MSR(MSR_IA32_VMX_MISC, 0x403c0),
			 MSR(MSR_IA32_VMX_CR0_FIXED0, 0x80000021),
			 MSR(MSR_IA32_VMX_CR0_FIXED1, 0xffffffff),
			 MSR(MSR_IA32_VMX_CR4_FIXED0, 0x2000),
			 MSR(MSR_IA32_VMX_CR4_FIXED1, 0x27ff),
			 MSR(MSR_IA32_VMX_VMCS_ENUM, 0x2c),
			 MSR(MSR_IA32_VMX_PROCBASED_CTLS2, 0x4100000000)},
	},
	{
		/*
		 * First-generation VT-x (Core 2 "Merom"): the Penryn numbers
		 * above without secondary controls, i.e. PROCBASED_CTLS
		 * allowed-1 bit 31 clear and no IA32_VMX_PROCBASED_CTLS2
		 * (SDM Vol. 3C 25.6.2: "Processors that support only the
		 * 0-setting of bit 31 ... do not support the secondary
		 * processor-based VM-execution controls"; Vol. 3D A.3.3).
		 * Derived, not measured.
		 */
		.name = "core2_merom",
		MTRRS(merom_mtrrs),
		.unmapped_byte = UNMAPPED_ALL_ONES,
		.source = "core2_penryn without secondary controls (derived)",
		.cpuid_count = 6,
		.cpuid = {CPUID(0x0, 0, 0xa, INTEL_EBX, INTEL_ECX, INTEL_EDX),
			  CPUID(0x1, 0, 0x000006f6, 0x00020800, 0x0000e3bd,
				0xbfebfbff),
			  CPUID(0xA, 0, 0x07280202, 0, 0, 0x503),
			  CPUID(0x80000000, 0, 0x80000008, 0, 0, 0),
			  CPUID(0x80000001, 0, 0, 0, 0x1, 0x20100800),
			  CPUID(0x80000008, 0, 0x3024, 0, 0, 0)},
		.msr_count = 12,
		.msrs = {MSR(MSR_IA32_FEATURE_CONTROL, 0x5),
			 MSR(MSR_IA32_VMX_BASIC, 0x5a08000000000d),
			 MSR(MSR_IA32_VMX_PINBASED_CTLS, 0x3f00000016),
			 MSR(MSR_IA32_VMX_PROCBASED_CTLS, 0x77f9fffe0401e172),
			 MSR(MSR_IA32_VMX_EXIT_CTLS, 0x3ffff00036dff),
			 MSR(MSR_IA32_VMX_ENTRY_CTLS, 0x3fff000011ff),
			 MSR(MSR_IA32_VMX_MISC, 0x403c0),
			 MSR(MSR_IA32_VMX_CR0_FIXED0, 0x80000021),
			 MSR(MSR_IA32_VMX_CR0_FIXED1, 0xffffffff),
			 MSR(MSR_IA32_VMX_CR4_FIXED0, 0x2000),
			 MSR(MSR_IA32_VMX_CR4_FIXED1, 0x27ff),
			 MSR(MSR_IA32_VMX_VMCS_ENUM, 0x2c)},
	},
	{
		.name = "sapphire_rapids",
		MTRRS(spr_mtrrs),
		.unmapped_byte = UNMAPPED_ALL_ONES,
		.source = "CPUID: Bochs 3.0 sapphire_rapids feature lists "
			  "(+PCONFIG); VMX_BASIC: Bochs 3.0 (measured); other "
			  "VMX MSRs: skylake's plus the secondary controls "
			  "this CPUID needs (derived)",
		.cpuid_count = SPR_CPUID_COUNT,
		.cpuid = {SPR_CPUID},
		.msr_count = SPR_VMX_MSR_COUNT + 1,
		.msrs = {SPR_VMX_MSRS, MSR(MSR_IA32_FEATURE_CONTROL, 0x5)},
	},
};

static const char *const names[] = {
	"skylake",	"skylake_unlocked", "skylake_vmx_disabled", "novmx",
	"core2_penryn", "core2_merom",	    "sapphire_rapids",	    NULL,
};

_Static_assert(sizeof(names) / sizeof(names[0]) ==
		       sizeof(profiles) / sizeof(profiles[0]) + 1,
	       "every profile is listed by name");

const struct mock_profile *mock_profile_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof(profiles) / sizeof(profiles[0]);
	     i++) {
		if (strcmp(profiles[i].name, name) == 0)
			return &profiles[i];
	}
	return NULL;
}

const char *const *mock_profile_names(void)
{
	return names;
}
