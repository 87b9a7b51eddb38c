// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rule table of the VM-entry tests: for every rule of
 * shared/VMX-CHECKS.md that a profile can reach, an edit of the valid
 * fixture that makes exactly that rule fire, and the same field set right.
 * Rules for features no profile has are reached by giving the CPU the
 * capability (OP_MSR_OR on the capability MSR), as a CPU with the feature
 * would report it.
 */
#include "entry_fixture.h"

#define S(e, v)                                                                \
	{                                                                      \
		VMCS_##e, OP_SET, (v)                                          \
	}
#define O(e, v)                                                                \
	{                                                                      \
		VMCS_##e, OP_OR, (v)                                           \
	}
#define C(e, v)                                                                \
	{                                                                      \
		VMCS_##e, OP_CLR, (v)                                          \
	}
#define PG(e, p)                                                               \
	{                                                                      \
		VMCS_##e, OP_PAGE, (p)                                         \
	}
#define PO(e, p, off)                                                          \
	{                                                                      \
		VMCS_##e, OP_PAGEOFF, PAGEOFF((p), (off))                      \
	}
#define TOP(e, v)                                                              \
	{                                                                      \
		VMCS_##e, OP_TOP, (v)                                          \
	}
#define MEM(p, off, v)                                                         \
	{                                                                      \
		MEMOFF((p), (off)), OP_MEM, (v)                                \
	}
#define MSR_OR(m, v)                                                           \
	{                                                                      \
		(m), OP_MSR_OR, (v)                                            \
	}
#define MSR_CLR(m, v)                                                          \
	{                                                                      \
		(m), OP_MSR_CLR, (v)                                           \
	}
#define PRE(p)                                                                 \
	{                                                                      \
		0, OP_PRESET, (p)                                              \
	}

#define WIDE (UINT64_C(1) << 45)	      /* beyond every profile's width */
#define NONCANON UINT64_C(0x0000800000000000) /* first non-canonical */
#define CANON_TOP UINT64_C(0x00007ffffffff000)
#define VALID BIT32(31)
#define TYPE(t) ((uint32_t)(t) << 8)
#define HI(b) (BIT64(b) << 32) /* allowed-1 bit of a capability MSR */

/* Entries of the MSR list: index word (bits 63:32 reserved) and data. */
#define LIST(n)                                                                \
	S(VM_ENTRY_MSR_LOAD_COUNT, (n)), PG(VM_ENTRY_MSR_LOAD_ADDR, PG_MSRLIST)
#define ENTRY_IDX(i, idx) MEM(PG_MSRLIST, (i)*16, (idx))
#define ENTRY_DATA(i, d) MEM(PG_MSRLIST, (i)*16 + 8, (d))

/* clang-format off */
const struct efx_row efx_rows[] = {
	/* ---------------------------------------------- controls (error 7) */
	{"C1.pin_allowed0", P_ALL, 0, {{0}}, {C(PIN_BASED_VM_EXEC_CONTROL, BIT32(1))}, {{0}}},
	{"C1.pin_allowed1", P_ALL, 0, {{0}}, {O(PIN_BASED_VM_EXEC_CONTROL, BIT32(31))}, {{0}}},
	{"C1.pin_allowed1", P_PENRYN | P_MEROM, 0, {{0}}, {O(PIN_BASED_VM_EXEC_CONTROL, PIN_PREEMPTION_TIMER)}, {{0}}},
	{"C1.proc_allowed0", P_ALL, 0, {{0}}, {C(CPU_BASED_VM_EXEC_CONTROL, BIT32(1))}, {{0}}},
	{"C1.proc_allowed1", P_ALL, 0, {{0}}, {O(CPU_BASED_VM_EXEC_CONTROL, BIT32(0))}, {{0}}},
	{"C1.proc_allowed1", P_MEROM, 0, {{0}}, {O(CPU_BASED_VM_EXEC_CONTROL, CPU_ACTIVATE_SECONDARY)}, {{0}}},
	/* Only the non-TRUE MSRs make "save debug controls" a default1 bit. */
	{"C1.exit_allowed0", P_PENRYN | P_MEROM, 0, {{0}}, {C(VM_EXIT_CONTROLS, EXIT_SAVE_DEBUG_CONTROLS)}, {{0}}},
	{"C2.sec_allowed0", P_SKY, 0, {MSR_OR(MSR_IA32_VMX_PROCBASED_CTLS2, SEC_WBINVD_EXITING)}, {{0}}, {O(SECONDARY_VM_EXEC_CONTROL, SEC_WBINVD_EXITING)}},
	{"C2.sec_allowed1", P_SEC, 0, {{0}}, {O(SECONDARY_VM_EXEC_CONTROL, BIT32(31))}, {C(CPU_BASED_VM_EXEC_CONTROL, CPU_ACTIVATE_SECONDARY), S(SECONDARY_VM_EXEC_CONTROL, 0xFFFFFFFFu), C(EPT_POINTER, ~UINT64_C(0))}},
	{"C2.sec_allowed1", P_PENRYN, 0, {{0}}, {O(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_EPT)}, {O(SECONDARY_VM_EXEC_CONTROL, SEC_WBINVD_EXITING)}},
	{"C2.tertiary_allowed1", P_SKY, 0, {MSR_OR(MSR_IA32_VMX_TRUE_PROCBASED_CTLS, HI(17)), O(CPU_BASED_VM_EXEC_CONTROL, CPU_TERTIARY_CONTROLS)}, {S(TERTIARY_VM_EXEC_CONTROL, 1)}, {S(TERTIARY_VM_EXEC_CONTROL, 0)}},
	{"C3.cr3_target_count", P_ALL, 0, {{0}}, {S(CR3_TARGET_COUNT, 5)}, {S(CR3_TARGET_COUNT, 4)}},
	{"C4.io_bitmap_a", P_ALL, 0, {{0}}, {PO(IO_BITMAP_A, PG_IOA, 0x800)}, {C(CPU_BASED_VM_EXEC_CONTROL, CPU_USE_IO_BITMAPS), S(IO_BITMAP_A, 0x801)}},
	{"C4.io_bitmap_a", P_ALL, 0, {{0}}, {S(IO_BITMAP_A, WIDE)}, {TOP(IO_BITMAP_A, 4096)}},
	{"C4.io_bitmap_b", P_ALL, 0, {{0}}, {PO(IO_BITMAP_B, PG_IOB, 0x10)}, {{0}}},
	{"C4.io_bitmap_b", P_ALL, 0, {{0}}, {S(IO_BITMAP_B, WIDE)}, {{0}}},
	{"C4.msr_bitmap", P_ALL, 0, {{0}}, {PO(MSR_BITMAP, PG_MSRBM, 0x8)}, {C(CPU_BASED_VM_EXEC_CONTROL, CPU_USE_MSR_BITMAPS), S(MSR_BITMAP, 0x8)}},
	{"C4.msr_bitmap", P_ALL, 0, {{0}}, {TOP(MSR_BITMAP, 0)}, {TOP(MSR_BITMAP, 4096)}},
	{"C4.virtual_apic_page", P_ALL, 0, {PRE(PRESET_TPR)}, {S(VIRTUAL_APIC_PAGE_ADDR, WIDE)}, {{0}}},
	{"C4.virtual_apic_page", P_ALL, 0, {PRE(PRESET_TPR)}, {PO(VIRTUAL_APIC_PAGE_ADDR, PG_VAPIC, 0x80)}, {{0}}},
	{"C6.tpr_threshold_high", P_ALL, 0, {PRE(PRESET_TPR)}, {S(TPR_THRESHOLD, 0x10)}, {MEM(PG_VAPIC, 0x80, 0xF0), S(TPR_THRESHOLD, 0xF)}},
	{"C6.tpr_threshold_vtpr", P_ALL, 0, {PRE(PRESET_TPR), MEM(PG_VAPIC, 0x80, 0x50)}, {S(TPR_THRESHOLD, 6)}, {S(TPR_THRESHOLD, 5)}},
	{"C7.x2apic_needs_tpr", P_SKY, 0, {{0}}, {O(SECONDARY_VM_EXEC_CONTROL, SEC_VIRT_X2APIC_MODE)}, {PRE(PRESET_TPR), O(SECONDARY_VM_EXEC_CONTROL, SEC_VIRT_X2APIC_MODE)}},
	{"C7.apic_reg_needs_tpr", P_SKY, 0, {{0}}, {O(SECONDARY_VM_EXEC_CONTROL, SEC_APIC_REGISTER_VIRT)}, {PRE(PRESET_TPR), O(SECONDARY_VM_EXEC_CONTROL, SEC_APIC_REGISTER_VIRT)}},
	{"C7.vid_needs_tpr", P_SKY, 0, {{0}}, {O(SECONDARY_VM_EXEC_CONTROL, SEC_VIRT_INTR_DELIVERY)}, {PRE(PRESET_TPR), O(SECONDARY_VM_EXEC_CONTROL, SEC_VIRT_INTR_DELIVERY)}},
	{"C5.vnmi_needs_nmi_exit", P_ALL, 0, {{0}}, {C(PIN_BASED_VM_EXEC_CONTROL, PIN_NMI_EXITING)}, {C(PIN_BASED_VM_EXEC_CONTROL, PIN_NMI_EXITING | PIN_VIRTUAL_NMIS)}},
	{"C5.nmi_window_needs_vnmi", P_ALL, 0, {O(CPU_BASED_VM_EXEC_CONTROL, CPU_NMI_WINDOW_EXITING)}, {C(PIN_BASED_VM_EXEC_CONTROL, PIN_VIRTUAL_NMIS)}, {{0}}},
	{"C4.apic_access_page", P_SEC, 0, {O(SECONDARY_VM_EXEC_CONTROL, SEC_VIRT_APIC_ACCESSES)}, {PO(APIC_ACCESS_ADDR, PG_APIC, 0x40)}, {PG(APIC_ACCESS_ADDR, PG_APIC)}},
	{"C7.x2apic_excl_apic_access", P_SKY, 0, {PRE(PRESET_TPR), PG(APIC_ACCESS_ADDR, PG_APIC)}, {O(SECONDARY_VM_EXEC_CONTROL, SEC_VIRT_X2APIC_MODE | SEC_VIRT_APIC_ACCESSES)}, {O(SECONDARY_VM_EXEC_CONTROL, SEC_VIRT_X2APIC_MODE)}},
	{"C7.vid_needs_ext_intr", P_SKY, 0, {PRE(PRESET_TPR), O(SECONDARY_VM_EXEC_CONTROL, SEC_VIRT_INTR_DELIVERY)}, {C(PIN_BASED_VM_EXEC_CONTROL, PIN_EXT_INTR_EXITING)}, {{0}}},
	{"C8.posted_needs_vid", P_SKY, 0, {PRE(PRESET_POSTED)}, {C(SECONDARY_VM_EXEC_CONTROL, SEC_VIRT_INTR_DELIVERY)}, {{0}}},
	{"C8.posted_needs_ack", P_SKY, 0, {PRE(PRESET_POSTED)}, {C(VM_EXIT_CONTROLS, EXIT_ACK_INTR_ON_EXIT)}, {{0}}},
	{"C8.posted_vector", P_SKY, 0, {PRE(PRESET_POSTED)}, {S(POSTED_INTR_NV, 0x100)}, {S(POSTED_INTR_NV, 0xFF)}},
	{"C8.posted_desc", P_SKY, 0, {PRE(PRESET_POSTED)}, {PO(POSTED_INTR_DESC_ADDR, PG_PID, 0x20)}, {PO(POSTED_INTR_DESC_ADDR, PG_PID, 0x40)}},
	{"C8.posted_desc", P_SKY, 0, {PRE(PRESET_POSTED)}, {S(POSTED_INTR_DESC_ADDR, WIDE)}, {{0}}},
	{"C9.vpid_zero", P_SKY, 0, {{0}}, {S(VPID, 0)}, {S(VPID, 0xFFFF)}},
	{"C10.eptp_memtype", P_SKY, 0, {{0}}, {PO(EPT_POINTER, PG_EPT, 0x1D)}, {PO(EPT_POINTER, PG_EPT, 0x18)}},
	{"C10.eptp_memtype", P_SKY, 0, {MSR_CLR(MSR_IA32_VMX_EPT_VPID_CAP, BIT64(14))}, {{0}}, {PO(EPT_POINTER, PG_EPT, 0x18)}},
	{"C10.eptp_walk_length", P_SKY, 0, {{0}}, {PO(EPT_POINTER, PG_EPT, 0x26)}, {{0}}},
	{"C10.eptp_walk_length", P_SKY, 0, {{0}}, {PO(EPT_POINTER, PG_EPT, 0x16)}, {{0}}},
	{"C10.eptp_ad", P_SKY, 0, {MSR_CLR(MSR_IA32_VMX_EPT_VPID_CAP, BIT64(21))}, {PO(EPT_POINTER, PG_EPT, 0x5E)}, {PO(EPT_POINTER, PG_EPT, 0x1E)}},
	{"C10.eptp_reserved", P_SKY, 0, {{0}}, {PO(EPT_POINTER, PG_EPT, 0x9E)}, {PO(EPT_POINTER, PG_EPT, 0x5E)}},
	{"C10.eptp_reserved", P_SKY, 0, {{0}}, {PO(EPT_POINTER, PG_EPT, 0x81E)}, {{0}}},
	{"C10.eptp_width", P_SKY, 0, {{0}}, {S(EPT_POINTER, WIDE | 0x1E)}, {TOP(EPT_POINTER, 4096 - 0x1E)}},
	{"C11.pml_needs_ept", P_SKY, 0, {PG(PML_ADDRESS, PG_PML)}, {C(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_EPT), O(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_PML)}, {O(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_PML)}},
	{"C4.pml_address", P_SKY, 0, {O(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_PML)}, {PO(PML_ADDRESS, PG_PML, 8)}, {PG(PML_ADDRESS, PG_PML)}},
	{"C11.unrestricted_needs_ept", P_SKY, 0, {{0}}, {C(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_EPT), O(SECONDARY_VM_EXEC_CONTROL, SEC_UNRESTRICTED_GUEST)}, {O(SECONDARY_VM_EXEC_CONTROL, SEC_UNRESTRICTED_GUEST)}},
	{"C11.mbe_needs_ept", P_SKY, 0, {MSR_OR(MSR_IA32_VMX_PROCBASED_CTLS2, HI(22))}, {C(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_EPT), O(SECONDARY_VM_EXEC_CONTROL, SEC_MODE_BASED_EPT_EXEC)}, {O(SECONDARY_VM_EXEC_CONTROL, SEC_MODE_BASED_EPT_EXEC)}},
	/* Sub-page write permissions for EPT: secondary bit 23 (allowed by Bochs 3.0 sapphire_rapids). */
	{"C11.spp_needs_ept", P_SKY, 0, {MSR_OR(MSR_IA32_VMX_PROCBASED_CTLS2, HI(23))}, {C(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_EPT), O(SECONDARY_VM_EXEC_CONTROL, BIT32(23))}, {O(SECONDARY_VM_EXEC_CONTROL, BIT32(23))}},
	{"C11.vmfunc_allowed", P_SKY, 0, {O(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_VMFUNC)}, {S(VM_FUNCTION_CONTROL, 2)}, {S(VM_FUNCTION_CONTROL, 0)}},
	{"C11.eptp_switch_needs_ept", P_SKY, 0, {O(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_VMFUNC), S(VM_FUNCTION_CONTROL, 1), PG(EPTP_LIST_ADDR, PG_EPTPLIST)}, {C(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_EPT)}, {{0}}},
	{"C4.eptp_list", P_SKY, 0, {O(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_VMFUNC), S(VM_FUNCTION_CONTROL, 1)}, {PO(EPTP_LIST_ADDR, PG_EPTPLIST, 0x100)}, {PG(EPTP_LIST_ADDR, PG_EPTPLIST)}},
	{"C4.vmread_bitmap", P_SKY, 0, {O(SECONDARY_VM_EXEC_CONTROL, SEC_SHADOW_VMCS), PG(VMWRITE_BITMAP, PG_VMWRITE)}, {S(VMREAD_BITMAP, WIDE)}, {PG(VMREAD_BITMAP, PG_VMREAD)}},
	{"C4.vmwrite_bitmap", P_SKY, 0, {O(SECONDARY_VM_EXEC_CONTROL, SEC_SHADOW_VMCS), PG(VMREAD_BITMAP, PG_VMREAD)}, {PO(VMWRITE_BITMAP, PG_VMWRITE, 1)}, {PG(VMWRITE_BITMAP, PG_VMWRITE)}},
	{"C4.ve_info", P_SKY, 0, {O(SECONDARY_VM_EXEC_CONTROL, SEC_EPT_VE)}, {PO(VE_INFO_ADDR, PG_VE, 4)}, {PG(VE_INFO_ADDR, PG_VE)}},
	{"C11.tsc_multiplier_zero", P_SKY, 0, {O(SECONDARY_VM_EXEC_CONTROL, SEC_TSC_SCALING), S(TSC_MULTIPLIER, 1)}, {S(TSC_MULTIPLIER, 0)}, {S(TSC_MULTIPLIER, UINT64_C(1) << 48)}},
	{"C1.exit_allowed0", P_ALL, 0, {{0}}, {C(VM_EXIT_CONTROLS, BIT32(0))}, {{0}}},
	{"C1.exit_allowed1", P_ALL, 0, {{0}}, {O(VM_EXIT_CONTROLS, BIT32(31))}, {{0}}},
	{"C13.save_timer_needs_timer", P_SKY, 0, {{0}}, {O(VM_EXIT_CONTROLS, EXIT_SAVE_PREEMPTION_TIMER)}, {O(VM_EXIT_CONTROLS, EXIT_SAVE_PREEMPTION_TIMER), O(PIN_BASED_VM_EXEC_CONTROL, PIN_PREEMPTION_TIMER)}},
	{"C14.exit_msr_store", P_ALL, 0, {S(VM_EXIT_MSR_STORE_COUNT, 1)}, {PO(VM_EXIT_MSR_STORE_ADDR, PG_MSRLIST, 8)}, {PO(VM_EXIT_MSR_STORE_ADDR, PG_MSRLIST, 16)}},
	{"C14.exit_msr_store", P_ALL, 0, {S(VM_EXIT_MSR_STORE_COUNT, 2)}, {TOP(VM_EXIT_MSR_STORE_ADDR, 16)}, {TOP(VM_EXIT_MSR_STORE_ADDR, 32)}},
	{"C14.exit_msr_load", P_ALL, 0, {S(VM_EXIT_MSR_LOAD_COUNT, 1)}, {PO(VM_EXIT_MSR_LOAD_ADDR, PG_MSRLIST, 4)}, {TOP(VM_EXIT_MSR_LOAD_ADDR, 16)}},
	{"C14.exit_msr_load", P_ALL, 0, {S(VM_EXIT_MSR_LOAD_COUNT, 0xFFFFFFFFu)}, {TOP(VM_EXIT_MSR_LOAD_ADDR, (UINT64_C(1) << 36) - 32)}, {TOP(VM_EXIT_MSR_LOAD_ADDR, (UINT64_C(1) << 36) - 16)}},
	{"C14.exit_msr_load", P_ALL, 0, {{0}}, {S(VM_EXIT_MSR_LOAD_COUNT, 1), S(VM_EXIT_MSR_LOAD_ADDR, 1)}, {S(VM_EXIT_MSR_LOAD_COUNT, 0), S(VM_EXIT_MSR_LOAD_ADDR, 1)}},
	{"C1.entry_allowed0", P_ALL, 0, {{0}}, {C(VM_ENTRY_CONTROLS, BIT32(0))}, {{0}}},
	{"C1.entry_allowed1", P_ALL, 0, {{0}}, {O(VM_ENTRY_CONTROLS, BIT32(31))}, {{0}}},
	{"C16.type_reserved", P_ALL, 0, {{0}}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(1) | 0x20)}, {S(VM_ENTRY_INTR_INFO, TYPE(1) | 0x20)}},
	{"C16.type_other_no_mtf", P_ALL, 0, {{0}}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(7))}, {{0}}},
	{"C16.nmi_vector", P_ALL, 0, {{0}}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(2) | 3)}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(2) | 2)}},
	{"C16.exception_vector", P_ALL, 0, {{0}}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(3) | 32)}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(3) | 31)}},
	{"C16.other_vector", P_ALL, 0, {MSR_OR(MSR_IA32_VMX_TRUE_PROCBASED_CTLS, HI(27)), MSR_OR(MSR_IA32_VMX_PROCBASED_CTLS, HI(27))}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(7) | 1)}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(7))}},
	{"C16.deliver_code", P_ALL, 0, {{0}}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(3) | 13)}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(3) | 13 | INTR_INFO_DELIVER_CODE)}},
	{"C16.deliver_code", P_ALL, 0, {{0}}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(3) | 6 | INTR_INFO_DELIVER_CODE)}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(3) | 21 | INTR_INFO_DELIVER_CODE)}},
	{"C16.deliver_code", P_ALL, 0, {{0}}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(4) | 13 | INTR_INFO_DELIVER_CODE), S(VM_ENTRY_INSTRUCTION_LEN, 2)}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(4) | 13), S(VM_ENTRY_INSTRUCTION_LEN, 2)}},
	/* With IA32_VMX_BASIC[56] only types other than hardware exception keep the bit 0. */
	{"C16.deliver_code", P_SKY, 0, {MSR_OR(MSR_IA32_VMX_BASIC, BIT64(56))}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(2) | 2 | INTR_INFO_DELIVER_CODE)}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(2) | 2)}},
	{"C16.reserved_bits", P_ALL, 0, {{0}}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(3) | 6 | BIT32(12))}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(3) | 6)}},
	{"C16.error_code_high", P_ALL, 0, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(3) | 14 | INTR_INFO_DELIVER_CODE)}, {S(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x10000)}, {S(VM_ENTRY_EXCEPTION_ERROR_CODE, 0xFFFF)}},
	{"C16.insn_len_range", P_ALL, 0, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(4) | 0x80)}, {S(VM_ENTRY_INSTRUCTION_LEN, 16)}, {S(VM_ENTRY_INSTRUCTION_LEN, 15)}},
	{"C16.insn_len_range", P_ALL, 0, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(5) | 1)}, {S(VM_ENTRY_INSTRUCTION_LEN, 0x80000001u)}, {S(VM_ENTRY_INSTRUCTION_LEN, 1)}},
	{"C16.insn_len_zero", P_PENRYN | P_MEROM, 0, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(6) | 3)}, {S(VM_ENTRY_INSTRUCTION_LEN, 0)}, {S(VM_ENTRY_INSTRUCTION_LEN, 1)}},
	{"C14.entry_msr_load", P_ALL, 0, {S(VM_ENTRY_MSR_LOAD_COUNT, 1)}, {PO(VM_ENTRY_MSR_LOAD_ADDR, PG_MSRLIST, 8)}, {PG(VM_ENTRY_MSR_LOAD_ADDR, PG_MSRLIST), ENTRY_IDX(0, MSR_IA32_STAR), ENTRY_DATA(0, 0x0023001000000000)}},
	{"C14.entry_msr_load", P_ALL, 0, {S(VM_ENTRY_MSR_LOAD_COUNT, 2)}, {TOP(VM_ENTRY_MSR_LOAD_ADDR, 16)}, {PG(VM_ENTRY_MSR_LOAD_ADDR, PG_MSRLIST)}},
	{"C15.entry_to_smm", P_ALL, 0, {{0}}, {O(VM_ENTRY_CONTROLS, ENTRY_TO_SMM)}, {{0}}},
	{"C15.deact_dual_monitor", P_ALL, 0, {{0}}, {O(VM_ENTRY_CONTROLS, ENTRY_DEACT_DUAL_MONITOR)}, {{0}}},

	/* -------------------------------------------- host state (error 8) */
	{"H2.cr0_fixed0", P_ALL, 0, {{0}}, {C(HOST_CR0, X86_CR0_NE)}, {{0}}},
	/* No unrestricted-guest exemption for the host. */
	{"H2.cr0_fixed0", P_SKY, 0, {O(SECONDARY_VM_EXEC_CONTROL, SEC_UNRESTRICTED_GUEST)}, {C(HOST_CR0, X86_CR0_PE)}, {{0}}},
	{"H2.cr0_fixed1", P_ALL, 0, {{0}}, {O(HOST_CR0, BIT64(32))}, {{0}}},
	{"H2.cr4_fixed0", P_ALL, 0, {{0}}, {C(HOST_CR4, X86_CR4_VMXE)}, {{0}}},
	{"H2.cr4_fixed1", P_ALL, 0, {{0}}, {O(HOST_CR4, X86_CR4_LA57)}, {{0}}},
	{"H2.cr4_fixed1", P_PENRYN | P_MEROM, 0, {{0}}, {O(HOST_CR4, X86_CR4_OSXSAVE)}, {{0}}},
	{"H2.cr3_width", P_ALL, 0, {{0}}, {S(HOST_CR3, WIDE)}, {TOP(HOST_CR3, 4096)}},
	{"H3.cr4_cet_wp", P_SKY, 0, {MSR_OR(MSR_IA32_VMX_CR4_FIXED1, X86_CR4_CET), O(HOST_CR4, X86_CR4_CET)}, {C(HOST_CR0, X86_CR0_WP)}, {{0}}},
	{"H4.sysenter_esp", P_ALL, 0, {{0}}, {S(HOST_IA32_SYSENTER_ESP, NONCANON)}, {S(HOST_IA32_SYSENTER_ESP, NONCANON - 1)}},
	{"H4.sysenter_eip", P_ALL, 0, {{0}}, {S(HOST_IA32_SYSENTER_EIP, ~NONCANON + 1 - 1)}, {S(HOST_IA32_SYSENTER_EIP, ~(NONCANON - 1))}},
	{"H3.s_cet", P_SKY, 0, {MSR_OR(MSR_IA32_VMX_TRUE_EXIT_CTLS, HI(28)), O(VM_EXIT_CONTROLS, EXIT_LOAD_CET_STATE)}, {S(HOST_S_CET, NONCANON)}, {S(HOST_S_CET, CANON_TOP)}},
	{"H3.ssp", P_SKY, 0, {MSR_OR(MSR_IA32_VMX_TRUE_EXIT_CTLS, HI(28)), O(VM_EXIT_CONTROLS, EXIT_LOAD_CET_STATE)}, {S(HOST_SSP, NONCANON)}, {S(HOST_SSP, CANON_TOP)}},
	{"H3.isst", P_SKY, 0, {MSR_OR(MSR_IA32_VMX_TRUE_EXIT_CTLS, HI(28)), O(VM_EXIT_CONTROLS, EXIT_LOAD_CET_STATE)}, {S(HOST_INTR_SSP_TABLE, NONCANON)}, {S(HOST_INTR_SSP_TABLE, CANON_TOP)}},
	{"H5.perf_global", P_ALL, 0, {O(VM_EXIT_CONTROLS, EXIT_LOAD_PERF_GLOBAL_CTRL)}, {S(HOST_IA32_PERF_GLOBAL_CTRL, BIT64(4))}, {S(HOST_IA32_PERF_GLOBAL_CTRL, 0x700000003)}},
	{"H5.perf_global", P_ALL, 0, {O(VM_EXIT_CONTROLS, EXIT_LOAD_PERF_GLOBAL_CTRL)}, {S(HOST_IA32_PERF_GLOBAL_CTRL, BIT64(35))}, {{0}}},
	{"H5.pat", P_SKY, 0, {{0}}, {S(HOST_IA32_PAT, 0x0007040600070402)}, {S(HOST_IA32_PAT, 0x0706050407060504)}},
	{"H5.pat", P_SKY, 0, {{0}}, {S(HOST_IA32_PAT, 0x0807040600070406)}, {{0}}},
	{"H5.efer_reserved", P_SKY, 0, {{0}}, {O(HOST_IA32_EFER, BIT64(1))}, {{0}}},
	{"H5.efer_lma", P_SKY, 0, {{0}}, {C(HOST_IA32_EFER, X86_EFER_LMA)}, {{0}}},
	{"H5.efer_lme", P_SKY, 0, {{0}}, {C(HOST_IA32_EFER, X86_EFER_LME)}, {{0}}},
	{"H6.es_rpl_ti", P_ALL, 0, {{0}}, {O(HOST_ES_SELECTOR, 1)}, {{0}}},
	{"H6.cs_rpl_ti", P_ALL, 0, {{0}}, {O(HOST_CS_SELECTOR, 4)}, {{0}}},
	{"H6.ss_rpl_ti", P_ALL, 0, {{0}}, {O(HOST_SS_SELECTOR, 2)}, {{0}}},
	{"H6.ds_rpl_ti", P_ALL, 0, {{0}}, {O(HOST_DS_SELECTOR, 3)}, {{0}}},
	{"H6.fs_rpl_ti", P_ALL, 0, {{0}}, {O(HOST_FS_SELECTOR, 4)}, {{0}}},
	{"H6.gs_rpl_ti", P_ALL, 0, {{0}}, {O(HOST_GS_SELECTOR, 1)}, {{0}}},
	{"H6.tr_rpl_ti", P_ALL, 0, {{0}}, {O(HOST_TR_SELECTOR, 4)}, {{0}}},
	{"H6.cs_null", P_ALL, 0, {{0}}, {S(HOST_CS_SELECTOR, 0)}, {{0}}},
	{"H6.tr_null", P_ALL, 0, {{0}}, {S(HOST_TR_SELECTOR, 0)}, {{0}}},
	/* A 64-bit host may have a null SS; a 32-bit one may not. */
	{"H6.ss_null", P_ALL, 0, {S(HOST_SS_SELECTOR, 0)}, {C(VM_EXIT_CONTROLS, EXIT_HOST_ADDR_SPACE_SIZE | EXIT_LOAD_EFER)}, {{0}}},
	{"H7.fs_base", P_ALL, 0, {{0}}, {S(HOST_FS_BASE, NONCANON)}, {S(HOST_FS_BASE, ~(NONCANON - 1))}},
	{"H7.gs_base", P_ALL, 0, {{0}}, {S(HOST_GS_BASE, NONCANON)}, {{0}}},
	{"H7.gdtr_base", P_ALL, 0, {{0}}, {S(HOST_GDTR_BASE, NONCANON)}, {{0}}},
	{"H7.idtr_base", P_ALL, 0, {{0}}, {S(HOST_IDTR_BASE, NONCANON)}, {{0}}},
	{"H7.tr_base", P_ALL, 0, {{0}}, {S(HOST_TR_BASE, NONCANON)}, {{0}}},
	{"H1.outside_ia32e_guest", P_ALL, 0, {PRE(PRESET_HOST32)}, {O(VM_ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST)}, {{0}}},
	{"H1.outside_ia32e_host", P_ALL, 0, {PRE(PRESET_HOST32)}, {O(VM_EXIT_CONTROLS, EXIT_HOST_ADDR_SPACE_SIZE)}, {{0}}},
	{"H1.ia32e_host_size", P_ALL, 0, {{0}}, {C(VM_EXIT_CONTROLS, EXIT_HOST_ADDR_SPACE_SIZE | EXIT_LOAD_EFER)}, {{0}}},
	{"H8.pcide_32bit_host", P_SKY, 0, {PRE(PRESET_HOST32)}, {O(HOST_CR4, X86_CR4_PCIDE)}, {{0}}},
	{"H8.rip_32bit_host", P_ALL, 0, {PRE(PRESET_HOST32)}, {S(HOST_RIP, BIT64(32))}, {S(HOST_RIP, 0xFFFFFFFFu)}},
	{"H8.pae", P_ALL, 0, {{0}}, {C(HOST_CR4, X86_CR4_PAE)}, {{0}}},
	{"H8.rip_canonical", P_ALL, 0, {{0}}, {S(HOST_RIP, NONCANON)}, {S(HOST_RIP, NONCANON - 1)}},

	/* --------------------------------------------- guest state (exit 33) */
	{"G1.cr0_fixed0", P_ALL, 0, {{0}}, {C(GUEST_CR0, X86_CR0_NE)}, {{0}}},
	{"G1.cr0_fixed0", P_ALL, 0, {{0}}, {C(GUEST_CR0, X86_CR0_PG)}, {{0}}},
	{"G1.cr0_fixed1", P_ALL, 0, {{0}}, {O(GUEST_CR0, BIT64(32))}, {{0}}},
	{"G1.cr0_pg_pe", P_SKY, 0, {O(SECONDARY_VM_EXEC_CONTROL, SEC_UNRESTRICTED_GUEST)}, {C(GUEST_CR0, X86_CR0_PE)}, {{0}}},
	{"G1.cr4_fixed0", P_ALL, 0, {{0}}, {C(GUEST_CR4, X86_CR4_VMXE)}, {{0}}},
	{"G1.cr4_fixed1", P_ALL, 0, {{0}}, {O(GUEST_CR4, X86_CR4_LA57)}, {{0}}},
	{"G4.cr4_cet_wp", P_SKY, 0, {MSR_OR(MSR_IA32_VMX_CR4_FIXED1, X86_CR4_CET), O(GUEST_CR4, X86_CR4_CET)}, {C(GUEST_CR0, X86_CR0_WP)}, {{0}}},
	{"G3.debugctl_reserved", P_ALL, 0, {{0}}, {S(GUEST_IA32_DEBUGCTL, BIT64(2))}, {S(GUEST_IA32_DEBUGCTL, 0xFFC3)}},
	{"G3.debugctl_reserved", P_ALL, 0, {{0}}, {S(GUEST_IA32_DEBUGCTL, BIT64(16))}, {{0}}},
	{"G2.ia32e_pg", P_SKY, 0, {O(SECONDARY_VM_EXEC_CONTROL, SEC_UNRESTRICTED_GUEST)}, {C(GUEST_CR0, X86_CR0_PG)}, {{0}}},
	{"G2.ia32e_pae", P_ALL, 0, {{0}}, {C(GUEST_CR4, X86_CR4_PAE)}, {{0}}},
	{"G2.pcide", P_SKY, 0, {PRE(PRESET_PAE32)}, {O(GUEST_CR4, X86_CR4_PCIDE)}, {{0}}},
	{"G1.cr3_width", P_ALL, 0, {{0}}, {S(GUEST_CR3, WIDE)}, {TOP(GUEST_CR3, 4096)}},
	{"G3.dr7_high", P_ALL, 0, {{0}}, {O(GUEST_DR7, BIT64(32))}, {S(GUEST_DR7, 0xFFFFFFFFu)}},
	{"G4.sysenter_esp", P_ALL, 0, {{0}}, {S(GUEST_SYSENTER_ESP, NONCANON)}, {S(GUEST_SYSENTER_ESP, NONCANON - 1)}},
	{"G4.sysenter_eip", P_ALL, 0, {{0}}, {S(GUEST_SYSENTER_EIP, ~(NONCANON - 1) - 1)}, {S(GUEST_SYSENTER_EIP, ~(NONCANON - 1))}},
	{"G4.s_cet", P_SKY, 0, {MSR_OR(MSR_IA32_VMX_TRUE_ENTRY_CTLS, HI(20)), O(VM_ENTRY_CONTROLS, ENTRY_LOAD_CET_STATE)}, {S(GUEST_S_CET, NONCANON)}, {S(GUEST_S_CET, CANON_TOP)}},
	{"G4.isst", P_SKY, 0, {MSR_OR(MSR_IA32_VMX_TRUE_ENTRY_CTLS, HI(20)), O(VM_ENTRY_CONTROLS, ENTRY_LOAD_CET_STATE)}, {S(GUEST_INTR_SSP_TABLE, NONCANON)}, {S(GUEST_INTR_SSP_TABLE, CANON_TOP)}},
	{"G4.ssp", P_SKY, 0, {MSR_OR(MSR_IA32_VMX_TRUE_ENTRY_CTLS, HI(20)), O(VM_ENTRY_CONTROLS, ENTRY_LOAD_CET_STATE)}, {S(GUEST_SSP, NONCANON)}, {S(GUEST_SSP, CANON_TOP)}},
	{"G4.ssp", P_SKY, 0, {MSR_OR(MSR_IA32_VMX_TRUE_ENTRY_CTLS, HI(20)), O(VM_ENTRY_CONTROLS, ENTRY_LOAD_CET_STATE), PRE(PRESET_PAE32)}, {S(GUEST_SSP, BIT64(32))}, {S(GUEST_SSP, 0xFFFFFFF0u)}},
	{"G4.perf_global", P_ALL, 0, {O(VM_ENTRY_CONTROLS, ENTRY_LOAD_PERF_GLOBAL_CTRL)}, {S(GUEST_IA32_PERF_GLOBAL_CTRL, BIT64(4))}, {S(GUEST_IA32_PERF_GLOBAL_CTRL, 0x700000003)}},
	{"G4.pat", P_SKY, 0, {{0}}, {S(GUEST_IA32_PAT, 0x0300000000000000)}, {S(GUEST_IA32_PAT, 0x0700000000000000)}},
	{"G4.efer_reserved", P_SKY, 0, {{0}}, {O(GUEST_IA32_EFER, BIT64(12))}, {{0}}},
	{"G4.efer_lma", P_SKY, 0, {{0}}, {C(GUEST_IA32_EFER, X86_EFER_LMA)}, {{0}}},
	{"G4.efer_lme", P_SKY, 0, {{0}}, {C(GUEST_IA32_EFER, X86_EFER_LME)}, {{0}}},
	{"G4.bndcfgs", P_SKY, 0, {O(VM_ENTRY_CONTROLS, ENTRY_LOAD_BNDCFGS)}, {S(GUEST_IA32_BNDCFGS, 4)}, {S(GUEST_IA32_BNDCFGS, CANON_TOP | 3)}},
	{"G4.bndcfgs", P_SKY, 0, {O(VM_ENTRY_CONTROLS, ENTRY_LOAD_BNDCFGS)}, {S(GUEST_IA32_BNDCFGS, NONCANON | 1)}, {{0}}},
	/* Segments (27.3.1.2). */
	{"G9.tr_ti", P_ALL, 0, {{0}}, {O(GUEST_TR_SELECTOR, 4)}, {{0}}},
	{"G9.ldtr_ti", P_ALL, 0, {PRE(PRESET_LDTR)}, {O(GUEST_LDTR_SELECTOR, 4)}, {{0}}},
	{"G8.ss_rpl_cs_rpl", P_ALL, 0, {{0}}, {S(GUEST_SS_SELECTOR, 0x1b)}, {{0}}},
	{"G6.v86_base", P_ALL, 0, {PRE(PRESET_V86)}, {S(GUEST_GS_BASE, 0x10010)}, {{0}}},
	{"G6.v86_limit", P_ALL, 0, {PRE(PRESET_V86)}, {S(GUEST_SS_LIMIT, 0xFFFE)}, {{0}}},
	{"G6.v86_ar", P_ALL, 0, {PRE(PRESET_V86)}, {S(GUEST_CS_AR_BYTES, 0xFB)}, {{0}}},
	{"G9.tr_base", P_ALL, 0, {{0}}, {S(GUEST_TR_BASE, NONCANON)}, {{0}}},
	{"G7.fs_base", P_ALL, 0, {{0}}, {S(GUEST_FS_BASE, NONCANON)}, {S(GUEST_FS_BASE, NONCANON - 1)}},
	{"G7.gs_base", P_ALL, 0, {{0}}, {S(GUEST_GS_BASE, NONCANON)}, {{0}}},
	{"G9.ldtr_base", P_ALL, 0, {PRE(PRESET_LDTR)}, {S(GUEST_LDTR_BASE, NONCANON)}, {{0}}},
	{"G7.cs_base_high", P_ALL, 0, {{0}}, {S(GUEST_CS_BASE, BIT64(32))}, {S(GUEST_CS_BASE, 0xFFFFFFFFu)}},
	{"G7.ss_base_high", P_ALL, 0, {{0}}, {S(GUEST_SS_BASE, BIT64(32))}, {{0}}},
	{"G7.ds_base_high", P_ALL, 0, {PRE(PRESET_DS)}, {S(GUEST_DS_BASE, BIT64(32))}, {{0}}},
	{"G7.es_base_high", P_ALL, 0, {PRE(PRESET_DS)}, {S(GUEST_ES_BASE, BIT64(32))}, {{0}}},
	{"G8.cs_type", P_ALL, 0, {{0}}, {S(GUEST_CS_AR_BYTES, 0xA093)}, {S(GUEST_CS_AR_BYTES, 0xA09F)}},
	{"G8.ss_type", P_ALL, 0, {{0}}, {S(GUEST_SS_AR_BYTES, 0xC09B)}, {S(GUEST_SS_AR_BYTES, 0xC097)}},
	{"G8.data_accessed", P_ALL, 0, {PRE(PRESET_DS)}, {S(GUEST_DS_AR_BYTES, 0xC092)}, {{0}}},
	{"G8.code_readable", P_ALL, 0, {PRE(PRESET_DS)}, {S(GUEST_ES_AR_BYTES, 0xC099)}, {S(GUEST_ES_AR_BYTES, 0xC09B)}},
	{"G7.s_bit", P_ALL, 0, {{0}}, {S(GUEST_SS_AR_BYTES, 0xC083)}, {{0}}},
	{"G7.s_bit", P_ALL, 0, {PRE(PRESET_DS)}, {S(GUEST_DS_AR_BYTES, 0xC083)}, {{0}}},
	{"G8.cs_dpl_type3", P_SKY, 0, {O(SECONDARY_VM_EXEC_CONTROL, SEC_UNRESTRICTED_GUEST)}, {S(GUEST_CS_AR_BYTES, 0xA0B3)}, {S(GUEST_CS_AR_BYTES, 0xA093)}},
	{"G8.cs_dpl_nonconforming", P_ALL, 0, {{0}}, {S(GUEST_CS_AR_BYTES, 0xA0BB)}, {{0}}},
	{"G8.cs_dpl_conforming", P_ALL, 0, {{0}}, {S(GUEST_CS_AR_BYTES, 0xA0BF)}, {S(GUEST_CS_AR_BYTES, 0xA09F)}},
	{"G8.ss_dpl_rpl", P_ALL, 0, {S(GUEST_CS_AR_BYTES, 0xA0FB)}, {S(GUEST_SS_AR_BYTES, 0xC0F3)}, {S(GUEST_SS_AR_BYTES, 0xC0F3), S(GUEST_SS_SELECTOR, 0x1b), S(GUEST_CS_SELECTOR, 0x13)}},
	{"G8.ss_dpl_real", P_SKY, 0, {O(SECONDARY_VM_EXEC_CONTROL, SEC_UNRESTRICTED_GUEST), S(GUEST_CS_AR_BYTES, 0xA093)}, {S(GUEST_SS_AR_BYTES, 0xC0F3)}, {{0}}},
	{"G8.data_dpl_rpl", P_ALL, 0, {PRE(PRESET_DS)}, {S(GUEST_DS_SELECTOR, 0x1b)}, {S(GUEST_DS_SELECTOR, 0x1b), S(GUEST_DS_AR_BYTES, 0xC0F3)}},
	{"G7.present", P_ALL, 0, {{0}}, {S(GUEST_SS_AR_BYTES, 0xC013)}, {{0}}},
	{"G7.present", P_ALL, 0, {{0}}, {C(GUEST_CS_AR_BYTES, AR_P)}, {{0}}},
	{"G7.ar_reserved_11_8", P_ALL, 0, {{0}}, {O(GUEST_SS_AR_BYTES, 0x100)}, {{0}}},
	{"G8.cs_l_d", P_ALL, 0, {{0}}, {O(GUEST_CS_AR_BYTES, AR_DB)}, {S(GUEST_CS_AR_BYTES, 0xC09B), S(GUEST_RIP, 0x1000)}},
	{"G7.granularity", P_ALL, 0, {{0}}, {S(GUEST_SS_LIMIT, 0xFFFFE)}, {S(GUEST_SS_LIMIT, 0xFFF)}},
	{"G7.granularity", P_ALL, 0, {{0}}, {C(GUEST_SS_AR_BYTES, AR_G)}, {C(GUEST_SS_AR_BYTES, AR_G), S(GUEST_SS_LIMIT, 0xFFFFF)}},
	{"G7.ar_reserved_31_17", P_ALL, 0, {{0}}, {O(GUEST_SS_AR_BYTES, BIT64(17))}, {{0}}},
	{"G9.tr_type", P_ALL, 0, {{0}}, {S(GUEST_TR_AR_BYTES, 0x83)}, {{0}}},
	{"G9.tr_s", P_ALL, 0, {{0}}, {O(GUEST_TR_AR_BYTES, AR_S)}, {{0}}},
	{"G9.tr_present", P_ALL, 0, {{0}}, {C(GUEST_TR_AR_BYTES, AR_P)}, {{0}}},
	{"G9.tr_ar_reserved", P_ALL, 0, {{0}}, {O(GUEST_TR_AR_BYTES, 0x200)}, {{0}}},
	{"G9.tr_granularity", P_ALL, 0, {{0}}, {S(GUEST_TR_LIMIT, 0x100000)}, {S(GUEST_TR_LIMIT, 0xFFFFF)}},
	{"G9.tr_unusable", P_ALL, 0, {{0}}, {O(GUEST_TR_AR_BYTES, AR_UNUSABLE)}, {{0}}},
	{"G9.ldtr_type", P_ALL, 0, {PRE(PRESET_LDTR)}, {S(GUEST_LDTR_AR_BYTES, 0x83)}, {{0}}},
	{"G9.ldtr_s", P_ALL, 0, {PRE(PRESET_LDTR)}, {O(GUEST_LDTR_AR_BYTES, AR_S)}, {{0}}},
	{"G9.ldtr_present", P_ALL, 0, {PRE(PRESET_LDTR)}, {C(GUEST_LDTR_AR_BYTES, AR_P)}, {{0}}},
	{"G9.ldtr_ar_reserved", P_ALL, 0, {PRE(PRESET_LDTR)}, {O(GUEST_LDTR_AR_BYTES, BIT64(20))}, {{0}}},
	{"G9.ldtr_granularity", P_ALL, 0, {PRE(PRESET_LDTR)}, {S(GUEST_LDTR_LIMIT, 0x100000)}, {O(GUEST_LDTR_AR_BYTES, AR_G), S(GUEST_LDTR_LIMIT, 0xFFFFFFFFu)}},
	/* Descriptor tables, RIP, RFLAGS. */
	{"G10.gdtr_base", P_ALL, 0, {{0}}, {S(GUEST_GDTR_BASE, NONCANON)}, {{0}}},
	{"G10.idtr_base", P_ALL, 0, {{0}}, {S(GUEST_IDTR_BASE, NONCANON)}, {{0}}},
	{"G10.gdtr_limit", P_ALL, 0, {{0}}, {S(GUEST_GDTR_LIMIT, 0x10000)}, {S(GUEST_GDTR_LIMIT, 0xFFFF)}},
	{"G10.idtr_limit", P_ALL, 0, {{0}}, {S(GUEST_IDTR_LIMIT, 0x10000)}, {S(GUEST_IDTR_LIMIT, 0xFFFF)}},
	{"G11.rip_high", P_ALL, 0, {S(GUEST_CS_AR_BYTES, 0xC09B)}, {S(GUEST_RIP, BIT64(32))}, {S(GUEST_RIP, 0xFFFFFFFFu)}},
	{"G11.rip_canonical", P_ALL, 0, {{0}}, {S(GUEST_RIP, NONCANON)}, {S(GUEST_RIP, NONCANON - 1)}},
	{"G5.rflags_reserved", P_ALL, 0, {{0}}, {O(GUEST_RFLAGS, BIT64(22))}, {{0}}},
	{"G5.rflags_reserved", P_ALL, 0, {{0}}, {O(GUEST_RFLAGS, BIT64(15))}, {O(GUEST_RFLAGS, BIT64(21))}},
	{"G5.rflags_fixed1", P_ALL, 0, {{0}}, {C(GUEST_RFLAGS, X86_RFLAGS_FIXED1)}, {{0}}},
	{"G5.rflags_vm", P_ALL, 0, {PRE(PRESET_V86), C(VM_ENTRY_CONTROLS, ENTRY_LOAD_EFER)}, {O(VM_ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST)}, {{0}}},
	{"G5.rflags_if_ext_intr", P_ALL, 0, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(0) | 0x20)}, {C(GUEST_RFLAGS, X86_RFLAGS_IF)}, {{0}}},
	/* Non-register state (27.3.1.5). */
	{"G12.activity_range", P_ALL, 0, {{0}}, {S(GUEST_ACTIVITY_STATE, 4)}, {S(GUEST_ACTIVITY_STATE, 3)}},
	{"G12.activity_supported", P_ALL, 0, {MSR_CLR(MSR_IA32_VMX_MISC, VMX_MISC_ACTIVITY_WAIT_SIPI)}, {S(GUEST_ACTIVITY_STATE, 3)}, {S(GUEST_ACTIVITY_STATE, 2)}},
	{"G12.activity_supported", P_ALL, 0, {MSR_CLR(MSR_IA32_VMX_MISC, VMX_MISC_ACTIVITY_HLT)}, {S(GUEST_ACTIVITY_STATE, 1)}, {{0}}},
	{"G12.hlt_ss_dpl", P_ALL, 0, {PRE(PRESET_RING3)}, {S(GUEST_ACTIVITY_STATE, 1)}, {{0}}},
	{"G12.blocking_not_active", P_ALL, 0, {S(GUEST_INTERRUPTIBILITY_INFO, INTERRUPTIBILITY_STI)}, {S(GUEST_ACTIVITY_STATE, 1)}, {{0}}},
	{"G12.inject_in_hlt", P_ALL, 0, {S(GUEST_ACTIVITY_STATE, 1)}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(3) | 6)}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(3) | 1)}},
	{"G12.inject_in_hlt", P_ALL, 0, {S(GUEST_ACTIVITY_STATE, 1)}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(6) | 3), S(VM_ENTRY_INSTRUCTION_LEN, 1)}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(3) | 18)}},
	{"G12.inject_in_shutdown", P_ALL, 0, {S(GUEST_ACTIVITY_STATE, 2)}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(0) | 0x20)}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(2) | 2)}},
	{"G12.inject_in_sipi", P_ALL, 0, {S(GUEST_ACTIVITY_STATE, 3)}, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(2) | 2)}, {{0}}},
	{"G13.reserved", P_ALL, 0, {{0}}, {S(GUEST_INTERRUPTIBILITY_INFO, BIT64(5))}, {{0}}},
	{"G13.reserved", P_ALL, 0, {{0}}, {S(GUEST_INTERRUPTIBILITY_INFO, INTERRUPTIBILITY_ENCLAVE)}, {S(GUEST_INTERRUPTIBILITY_INFO, INTERRUPTIBILITY_NMI)}},
	{"G13.sti_and_movss", P_ALL, 0, {{0}}, {S(GUEST_INTERRUPTIBILITY_INFO, 3)}, {S(GUEST_INTERRUPTIBILITY_INFO, 2)}},
	{"G13.sti_needs_if", P_ALL, 0, {S(GUEST_INTERRUPTIBILITY_INFO, INTERRUPTIBILITY_STI)}, {C(GUEST_RFLAGS, X86_RFLAGS_IF)}, {{0}}},
	{"G13.ext_intr_blocked", P_ALL, 0, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(0) | 0x20)}, {S(GUEST_INTERRUPTIBILITY_INFO, INTERRUPTIBILITY_STI)}, {S(GUEST_INTERRUPTIBILITY_INFO, INTERRUPTIBILITY_NMI)}},
	{"G13.ext_intr_blocked", P_ALL, 0, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(0) | 0x20)}, {S(GUEST_INTERRUPTIBILITY_INFO, INTERRUPTIBILITY_MOV_SS)}, {{0}}},
	{"G13.nmi_movss", P_ALL, 0, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(2) | 2)}, {S(GUEST_INTERRUPTIBILITY_INFO, INTERRUPTIBILITY_MOV_SS)}, {{0}}},
	{"G13.nmi_sti", P_ALL, 3, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(2) | 2)}, {S(GUEST_INTERRUPTIBILITY_INFO, INTERRUPTIBILITY_STI)}, {{0}}},
	{"G13.smi_outside_smm", P_ALL, 0, {{0}}, {S(GUEST_INTERRUPTIBILITY_INFO, INTERRUPTIBILITY_SMI)}, {{0}}},
	{"G13.nmi_blocked_vnmi", P_ALL, 0, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(2) | 2), S(GUEST_INTERRUPTIBILITY_INFO, INTERRUPTIBILITY_NMI)}, {{0}}, {C(PIN_BASED_VM_EXEC_CONTROL, PIN_VIRTUAL_NMIS)}},
	{"G14.reserved", P_ALL, 0, {{0}}, {S(GUEST_PENDING_DBG_EXCEPTIONS, BIT64(4))}, {S(GUEST_PENDING_DBG_EXCEPTIONS, 0x500F)}},
	{"G14.reserved", P_ALL, 0, {{0}}, {S(GUEST_PENDING_DBG_EXCEPTIONS, BIT64(17))}, {{0}}},
	/* The RTM bit is reserved where CPUID.7:EBX[11] (RTM) is 0. */
	{"G14.reserved", P_PENRYN | P_MEROM, 0, {{0}}, {S(GUEST_PENDING_DBG_EXCEPTIONS, BIT64(16))}, {{0}}},
	{"G14.bs_set", P_ALL, 0, {S(GUEST_INTERRUPTIBILITY_INFO, INTERRUPTIBILITY_STI), O(GUEST_RFLAGS, X86_RFLAGS_TF)}, {{0}}, {S(GUEST_PENDING_DBG_EXCEPTIONS, BIT64(14))}},
	{"G14.bs_clear", P_ALL, 0, {S(GUEST_INTERRUPTIBILITY_INFO, INTERRUPTIBILITY_MOV_SS)}, {S(GUEST_PENDING_DBG_EXCEPTIONS, BIT64(14))}, {{0}}},
	{"G14.bs_clear", P_ALL, 0, {S(GUEST_ACTIVITY_STATE, 1), O(GUEST_RFLAGS, X86_RFLAGS_TF), S(GUEST_IA32_DEBUGCTL, 2)}, {S(GUEST_PENDING_DBG_EXCEPTIONS, BIT64(14))}, {{0}}},
	{"G15.link_aligned", P_ALL, 4, {{0}}, {PO(VMCS_LINK_POINTER, PG_LINK, 8)}, {PG(VMCS_LINK_POINTER, PG_LINK)}},
	{"G15.link_width", P_ALL, 4, {{0}}, {S(VMCS_LINK_POINTER, WIDE)}, {{0}}},
	{"G15.link_revision", P_ALL, 4, {PG(VMCS_LINK_POINTER, PG_LINK)}, {MEM(PG_LINK, 0, 0x12345)}, {{0}}},
	{"G15.link_revision", P_ALL, 4, {{0}}, {S(VMCS_LINK_POINTER, 0x1000)}, {{0}}},
	{"G15.link_shadow", P_SKY, 4, {O(SECONDARY_VM_EXEC_CONTROL, SEC_SHADOW_VMCS), PG(VMREAD_BITMAP, PG_VMREAD), PG(VMWRITE_BITMAP, PG_VMWRITE), PG(VMCS_LINK_POINTER, PG_LINK)}, {{0}}, {MEM(PG_LINK, 0, 0x8000002b)}},
	{"G15.link_current", P_ALL, 4, {{0}}, {PG(VMCS_LINK_POINTER, PG_VMCS)}, {{0}}},
	{"G16.pdpte_reserved", P_SKY, 2, {PRE(PRESET_PAE32)}, {S(GUEST_PDPTE1, 0x21)}, {S(GUEST_PDPTE1, 0x1019), S(GUEST_PDPTE2, 0xE00)}},
	{"G16.pdpte_reserved", P_SKY, 2, {PRE(PRESET_PAE32)}, {S(GUEST_PDPTE3, 1 | BIT64(63))}, {S(GUEST_PDPTE3, BIT64(63))}},
	{"G16.pdpte_reserved", P_ALL, 2, {PRE(PRESET_PAE32), C(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_EPT)}, {MEM(PG_PDPT, 16, 1 | WIDE)}, {MEM(PG_PDPT, 16, 0x1001)}},
	{"G16.pdpte_reserved", P_ALL, 2, {PRE(PRESET_PAE32), C(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_EPT)}, {S(GUEST_CR3, 0x7000000)}, {{0}}},

	/* ----------------------------------------------- MSR loading (exit 34) */
	{"G17.reserved", P_ALL, 2, {LIST(2), ENTRY_IDX(0, MSR_IA32_STAR), ENTRY_IDX(1, MSR_IA32_LSTAR)}, {O(VM_ENTRY_MSR_LOAD_COUNT, 0), ENTRY_IDX(1, MSR_IA32_LSTAR | BIT64(32))}, {ENTRY_DATA(1, 0xffffffff81a00080)}},
	{"G17.reserved", P_ALL, 1, {LIST(1)}, {S(VM_ENTRY_MSR_LOAD_ADDR, 0x1000)}, {{0}}},
	{"G17.fs_gs_base", P_ALL, 1, {LIST(1)}, {ENTRY_IDX(0, MSR_IA32_FS_BASE)}, {ENTRY_IDX(0, MSR_IA32_KERNEL_GS_BASE), ENTRY_DATA(0, 0)}},
	{"G17.fs_gs_base", P_ALL, 1, {LIST(1)}, {ENTRY_IDX(0, MSR_IA32_GS_BASE)}, {{0}}},
	{"G17.x2apic", P_ALL, 1, {LIST(1)}, {ENTRY_IDX(0, 0x808)}, {ENTRY_IDX(0, MSR_IA32_SYSENTER_CS)}},
	{"G17.smm_only", P_ALL, 1, {LIST(1)}, {ENTRY_IDX(0, MSR_IA32_SMM_MONITOR_CTL)}, {{0}}},
	{"G17.microcode", P_ALL, 1, {LIST(1)}, {ENTRY_IDX(0, MSR_IA32_BIOS_UPDT_TRIG)}, {{0}}},
	{"G17.microcode", P_ALL, 1, {LIST(1)}, {ENTRY_IDX(0, MSR_IA32_BIOS_SIGN_ID)}, {{0}}},
	{"G17.wrmsr_gp", P_ALL, 1, {LIST(1)}, {ENTRY_IDX(0, 0xDEAD)}, {{0}}},
	{"G17.wrmsr_gp", P_ALL, 1, {LIST(1), ENTRY_IDX(0, MSR_IA32_EFER)}, {ENTRY_DATA(0, BIT64(2))}, {ENTRY_DATA(0, X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA)}},
	{"G17.wrmsr_gp", P_ALL, 1, {LIST(1), ENTRY_IDX(0, MSR_IA32_LSTAR)}, {ENTRY_DATA(0, NONCANON)}, {ENTRY_DATA(0, NONCANON - 1)}},
	{"G17.wrmsr_gp", P_ALL, 1, {LIST(1), ENTRY_IDX(0, MSR_IA32_PAT)}, {ENTRY_DATA(0, 2)}, {ENTRY_DATA(0, 0x0007040600070406)}},
};
/* clang-format on */

const unsigned efx_row_count = sizeof(efx_rows) / sizeof(efx_rows[0]);

/* clang-format off */
const struct efx_pass_row efx_pass_rows[] = {
	/* IA32_VMX_BASIC[56] (Bochs 3.0 sapphire_rapids has it): a hardware exception with or without an error code, whatever the vector. */
	{"basic56_gp_without_error_code", P_SKY, {MSR_OR(MSR_IA32_VMX_BASIC, BIT64(56)), S(VM_ENTRY_INTR_INFO, VALID | TYPE(3) | 13)}},
	{"basic56_ud_with_error_code", P_SKY, {MSR_OR(MSR_IA32_VMX_BASIC, BIT64(56)), S(VM_ENTRY_INTR_INFO, VALID | TYPE(3) | 6 | INTR_INFO_DELIVER_CODE)}},
	{"tertiary_field_ignored_when_off", P_SKY, {S(TERTIARY_VM_EXEC_CONTROL, 0xFFFF)}},
	{"true_ctls_save_debug_optional", P_SKY, {C(VM_EXIT_CONTROLS, EXIT_SAVE_DEBUG_CONTROLS), C(VM_ENTRY_CONTROLS, ENTRY_LOAD_DEBUG_CONTROLS), S(GUEST_IA32_DEBUGCTL, BIT64(2))}},
	{"zero_length_soft_exception_with_misc30", P_SKY, {S(VM_ENTRY_INTR_INFO, VALID | TYPE(6) | 3), S(VM_ENTRY_INSTRUCTION_LEN, 0)}},
	{"unrestricted_cs_type3", P_SKY, {O(SECONDARY_VM_EXEC_CONTROL, SEC_UNRESTRICTED_GUEST), S(GUEST_CS_AR_BYTES, 0xA093)}},
	{"unrestricted_exempts_dpl_rpl", P_SKY, {O(SECONDARY_VM_EXEC_CONTROL, SEC_UNRESTRICTED_GUEST), S(GUEST_SS_SELECTOR, 0x1b), PRE(PRESET_DS), S(GUEST_DS_SELECTOR, 0x1b)}},
	{"unusable_segment_base_ignored", P_ALL, {S(GUEST_DS_BASE, BIT64(32)), S(GUEST_ES_AR_BYTES, AR_UNUSABLE | 0xFF)}},
	{"rtm_pending_bit_with_rtm", P_SKY, {S(GUEST_PENDING_DBG_EXCEPTIONS, BIT64(16))}},
	{"link_pointer_valid", P_ALL, {PG(VMCS_LINK_POINTER, PG_LINK)}},
	{"tss16_busy_outside_ia32e", P_ALL, {PRE(PRESET_PAE32), S(GUEST_TR_AR_BYTES, 0x83)}},
	{"tpr_threshold_high_with_vid", P_SKY, {PRE(PRESET_POSTED), S(TPR_THRESHOLD, 0xFF)}},
	{"vtpr_ignored_with_apic_access", P_SEC, {PRE(PRESET_TPR), O(SECONDARY_VM_EXEC_CONTROL, SEC_VIRT_APIC_ACCESSES), PG(APIC_ACCESS_ADDR, PG_APIC), S(TPR_THRESHOLD, 5)}},
	{"secondary_ignored_when_off", P_ALL, {C(CPU_BASED_VM_EXEC_CONTROL, CPU_ACTIVATE_SECONDARY), S(SECONDARY_VM_EXEC_CONTROL, SEC_VIRT_X2APIC_MODE)}},
	{"pdptes_not_present_ignored", P_ALL, {PRE(PRESET_PAE32), C(SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_EPT), MEM(PG_PDPT, 0, 0xFFFFFFFFFFFFFFFEu)}},
	{"v86_guest", P_ALL, {PRE(PRESET_V86)}},
	{"host32_outside_ia32e", P_ALL, {PRE(PRESET_HOST32)}},
	{"nmi_window_with_vnmi", P_ALL, {O(CPU_BASED_VM_EXEC_CONTROL, CPU_NMI_WINDOW_EXITING)}},
	{"gdtr_idtr_canonical_high", P_ALL, {S(GUEST_GDTR_BASE, ~(NONCANON - 1)), S(GUEST_IDTR_BASE, NONCANON - 1)}},
};
/* clang-format on */

const unsigned efx_pass_row_count =
	sizeof(efx_pass_rows) / sizeof(efx_pass_rows[0]);
