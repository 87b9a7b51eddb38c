/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VM-entry checks on the VMX controls (SDM Vol. 3C 27.2.1). A failure is
 * VMfailValid(7) "VM entry with invalid control field(s)". Groups C1..C16 of
 * shared/VMX-CHECKS.md, evaluated in the SDM's order: execution controls
 * (27.2.1.1), exit controls (27.2.1.2), entry controls (27.2.1.3).
 *
 * Not modelled (no profile has the feature, so the control can never pass
 * C1/C2 and the check cannot be reached): sub-page write permissions, HLAT,
 * PASID translation, IPI virtualization, Intel PT controls, instruction
 * timeouts, the "enclave interruption" controls.
 */
#include "entry_checks.h"

/* Offset of VTPR in the virtual-APIC page (SDM Vol. 3C 30.1.1). */
#define VAPIC_VTPR_OFFSET 0x80u

/* EPTP fields (SDM Vol. 3C 25.6.11) and IA32_VMX_EPT_VPID_CAP bits (A.10). */
#define EPTP_MEMTYPE(e) ((e)&7u)
#define EPTP_WALK_LEN(e) ((((e) >> 3) & 7u) + 1u)
#define EPTP_AD BIT64(6)
#define EPTP_RESERVED_11_7 UINT64_C(0xF80)
#define EPT_CAP_WALK4 BIT64(6)
#define EPT_CAP_WALK5 BIT64(7)
#define EPT_CAP_UC BIT64(8)
#define EPT_CAP_WB BIT64(14)
#define EPT_CAP_AD BIT64(21)

/* VM-function controls (SDM Vol. 3C 25.6.14). */
#define VMFUNC_EPTP_SWITCHING BIT64(0)

/* An MSR-list entry is 16 bytes (SDM Vol. 3C 25.7.2, 25.8.2). */
#define MSR_ENTRY_SIZE 16u

/*
 * A VM-exit MSR-store, VM-exit MSR-load or VM-entry MSR-load area: with a
 * non-zero count, bits 3:0 of the address are 0 and the address of the last
 * byte is within the physical-address width (SDM Vol. 3C 27.2.1.2/3).
 */
static bool msr_area_ok(const struct entry_caps *caps, uint64_t addr,
			uint32_t count)
{
	uint64_t last;

	if (count == 0)
		return true;
	if ((addr & 0xFu) != 0 || !entry_pa_ok(caps, addr))
		return false;
	last = addr + (uint64_t)count * MSR_ENTRY_SIZE - 1u;
	return last >= addr && entry_pa_ok(caps, last);
}

/* The EPT pointer (SDM Vol. 3C 27.2.1.1, "enable EPT"). */
static bool check_eptp(const struct entry_caps *caps, uint64_t eptp,
		       struct mock_check_failure *fail)
{
	unsigned type = EPTP_MEMTYPE(eptp);
	unsigned len = EPTP_WALK_LEN(eptp);

	CHECK(C10, eptp_memtype,
	      (type == 0 && (caps->ept_vpid & EPT_CAP_UC)) ||
		      (type == 6 && (caps->ept_vpid & EPT_CAP_WB)));
	CHECK(C10, eptp_walk_length,
	      (len == 4 && (caps->ept_vpid & EPT_CAP_WALK4)) ||
		      (len == 5 && (caps->ept_vpid & EPT_CAP_WALK5)));
	CHECK(C10, eptp_ad, !(eptp & EPTP_AD) || (caps->ept_vpid & EPT_CAP_AD));
	CHECK(C10, eptp_reserved, (eptp & EPTP_RESERVED_11_7) == 0);
	CHECK(C10, eptp_width, entry_pa_ok(caps, eptp & ~UINT64_C(0xFFF)));
	return true;
}

/* SDM Vol. 3C 27.2.1.1: VM-execution control fields. */
static bool check_exec_controls(const struct mock_cpu *cpu,
				const struct entry_caps *caps,
				const struct mock_vmcs *vmcs,
				struct mock_check_failure *fail)
{
	uint32_t pin = (uint32_t)VF(vmcs, PIN_BASED_VM_EXEC_CONTROL);
	uint32_t proc = (uint32_t)VF(vmcs, CPU_BASED_VM_EXEC_CONTROL);
	uint32_t sec = entry_secondary(vmcs);
	uint32_t exit = (uint32_t)VF(vmcs, VM_EXIT_CONTROLS);
	bool tpr_shadow = (proc & CPU_USE_TPR_SHADOW) != 0;
	bool vid = (sec & SEC_VIRT_INTR_DELIVERY) != 0;

	(void)cpu;
	CHECK(C1, pin_allowed0,
	      (pin & cap_allowed0(caps->pin)) == cap_allowed0(caps->pin));
	CHECK(C1, pin_allowed1, (pin & ~cap_allowed1(caps->pin)) == 0);
	CHECK(C1, proc_allowed0,
	      (proc & cap_allowed0(caps->proc)) == cap_allowed0(caps->proc));
	CHECK(C1, proc_allowed1, (proc & ~cap_allowed1(caps->proc)) == 0);
	/* Secondary controls count only when activated (C2). */
	if (proc & CPU_ACTIVATE_SECONDARY) {
		CHECK(C2, sec_allowed0,
		      (sec & cap_allowed0(caps->proc2)) ==
			      cap_allowed0(caps->proc2));
		CHECK(C2, sec_allowed1,
		      (sec & ~cap_allowed1(caps->proc2)) == 0);
	}
	/* IA32_VMX_PROCBASED_CTLS3 is allowed-1 only (SDM Vol. 3D A.3.4). */
	if (proc & CPU_TERTIARY_CONTROLS)
		CHECK(C2, tertiary_allowed1,
		      (VF(vmcs, TERTIARY_VM_EXEC_CONTROL) & ~caps->proc3) == 0);

	/*
	 * The SDM text says "not greater than 4" and points at
	 * IA32_VMX_MISC[24:16] for the number a processor supports.
	 */
	CHECK(C3, cr3_target_count,
	      VF(vmcs, CR3_TARGET_COUNT) <= VMX_MISC_CR3_TARGETS(caps->misc));

	if (proc & CPU_USE_IO_BITMAPS) {
		CHECK(C4, io_bitmap_a,
		      entry_page_ok(caps, VF(vmcs, IO_BITMAP_A)));
		CHECK(C4, io_bitmap_b,
		      entry_page_ok(caps, VF(vmcs, IO_BITMAP_B)));
	}
	if (proc & CPU_USE_MSR_BITMAPS)
		CHECK(C4, msr_bitmap,
		      entry_page_ok(caps, VF(vmcs, MSR_BITMAP)));

	if (tpr_shadow) {
		uint64_t vapic = VF(vmcs, VIRTUAL_APIC_PAGE_ADDR);
		uint32_t thr = (uint32_t)VF(vmcs, TPR_THRESHOLD);

		CHECK(C4, virtual_apic_page, entry_page_ok(caps, vapic));
		/*
		 * The SDM ties both TPR-threshold checks to "virtual-interrupt
		 * delivery" = 0 (bits 31:4 then hold nothing meaningful).
		 */
		if (!vid)
			CHECK(C6, tpr_threshold_high, (thr & ~0xFu) == 0);
		if (!vid && !(sec & SEC_VIRT_APIC_ACCESSES)) {
			uint8_t vtpr;

			entry_mem_read(vapic + VAPIC_VTPR_OFFSET, &vtpr, 1);
			CHECK(C6, tpr_threshold_vtpr,
			      (thr & 0xFu) <= (uint32_t)(vtpr >> 4));
		}
	} else {
		CHECK(C7, x2apic_needs_tpr, !(sec & SEC_VIRT_X2APIC_MODE));
		CHECK(C7, apic_reg_needs_tpr, !(sec & SEC_APIC_REGISTER_VIRT));
		CHECK(C7, vid_needs_tpr, !vid);
	}

	CHECK(C5, vnmi_needs_nmi_exit,
	      (pin & PIN_NMI_EXITING) || !(pin & PIN_VIRTUAL_NMIS));
	CHECK(C5, nmi_window_needs_vnmi,
	      (pin & PIN_VIRTUAL_NMIS) || !(proc & CPU_NMI_WINDOW_EXITING));

	if (sec & SEC_VIRT_APIC_ACCESSES)
		CHECK(C4, apic_access_page,
		      entry_page_ok(caps, VF(vmcs, APIC_ACCESS_ADDR)));
	CHECK(C7, x2apic_excl_apic_access,
	      !((sec & SEC_VIRT_X2APIC_MODE) &&
		(sec & SEC_VIRT_APIC_ACCESSES)));
	CHECK(C7, vid_needs_ext_intr, !vid || (pin & PIN_EXT_INTR_EXITING));

	if (pin & PIN_POSTED_INTR) {
		uint64_t desc = VF(vmcs, POSTED_INTR_DESC_ADDR);

		CHECK(C8, posted_needs_vid, vid);
		CHECK(C8, posted_needs_ack, exit & EXIT_ACK_INTR_ON_EXIT);
		CHECK(C8, posted_vector,
		      (VF(vmcs, POSTED_INTR_NV) & 0xFF00u) == 0);
		CHECK(C8, posted_desc,
		      (desc & 0x3Fu) == 0 && entry_pa_ok(caps, desc));
	}

	if (sec & SEC_ENABLE_VPID)
		CHECK(C9, vpid_zero, VF(vmcs, VPID) != 0);

	if (sec & SEC_ENABLE_EPT) {
		if (!check_eptp(caps, VF(vmcs, EPT_POINTER), fail))
			return false;
	}

	if (sec & SEC_ENABLE_PML) {
		CHECK(C11, pml_needs_ept, sec & SEC_ENABLE_EPT);
		CHECK(C4, pml_address,
		      entry_page_ok(caps, VF(vmcs, PML_ADDRESS)));
	}
	CHECK(C11, unrestricted_needs_ept,
	      !(sec & SEC_UNRESTRICTED_GUEST) || (sec & SEC_ENABLE_EPT));
	CHECK(C11, mbe_needs_ept,
	      !(sec & SEC_MODE_BASED_EPT_EXEC) || (sec & SEC_ENABLE_EPT));
	/*
	 * SDM Vol. 3C 27.2.1.1: "If the 'sub-page write permissions for EPT'
	 * VM-execution control is 1, the 'enable EPT' VM-execution control
	 * must also be 1." Secondary bit 23 (Table 25-7). Reachable on a
	 * profile that allows it (Bochs 3.0 sapphire_rapids does); found by
	 * the differential campaign (docs/differential.md), where Bochs gave
	 * VMfailValid(7) and the model entered. The checks of the SPPTP are
	 * not modelled (the field is not in the field table).
	 */
	CHECK(C11, spp_needs_ept, !(sec & BIT32(23)) || (sec & SEC_ENABLE_EPT));

	if (sec & SEC_ENABLE_VMFUNC) {
		uint64_t vmfunc = VF(vmcs, VM_FUNCTION_CONTROL);

		CHECK(C11, vmfunc_allowed, (vmfunc & ~caps->vmfunc) == 0);
		if (vmfunc & VMFUNC_EPTP_SWITCHING) {
			CHECK(C11, eptp_switch_needs_ept, sec & SEC_ENABLE_EPT);
			CHECK(C4, eptp_list,
			      entry_page_ok(caps, VF(vmcs, EPTP_LIST_ADDR)));
		}
	}
	if (sec & SEC_SHADOW_VMCS) {
		CHECK(C4, vmread_bitmap,
		      entry_page_ok(caps, VF(vmcs, VMREAD_BITMAP)));
		CHECK(C4, vmwrite_bitmap,
		      entry_page_ok(caps, VF(vmcs, VMWRITE_BITMAP)));
	}
	if (sec & SEC_EPT_VE)
		CHECK(C4, ve_info, entry_page_ok(caps, VF(vmcs, VE_INFO_ADDR)));
	/*
	 * SDM Vol. 3C 27.2.1.1: "If the 'use TSC scaling' VM-execution control
	 * is 1, the TSC-multiplier must not be zero." Found by the
	 * differential campaign (docs/differential.md): Bochs refused such a
	 * VMCS with VMfailValid(7), the model entered.
	 */
	if (sec & SEC_TSC_SCALING)
		CHECK(C11, tsc_multiplier_zero, VF(vmcs, TSC_MULTIPLIER) != 0);
	return true;
}

/* SDM Vol. 3C 27.2.1.2: VM-exit control fields. */
static bool check_exit_controls(const struct entry_caps *caps,
				const struct mock_vmcs *vmcs,
				struct mock_check_failure *fail)
{
	uint32_t exit = (uint32_t)VF(vmcs, VM_EXIT_CONTROLS);
	uint32_t pin = (uint32_t)VF(vmcs, PIN_BASED_VM_EXEC_CONTROL);

	CHECK(C1, exit_allowed0,
	      (exit & cap_allowed0(caps->exit)) == cap_allowed0(caps->exit));
	CHECK(C1, exit_allowed1, (exit & ~cap_allowed1(caps->exit)) == 0);
	CHECK(C13, save_timer_needs_timer,
	      !(exit & EXIT_SAVE_PREEMPTION_TIMER) ||
		      (pin & PIN_PREEMPTION_TIMER));
	CHECK(C14, exit_msr_store,
	      msr_area_ok(caps, VF(vmcs, VM_EXIT_MSR_STORE_ADDR),
			  (uint32_t)VF(vmcs, VM_EXIT_MSR_STORE_COUNT)));
	CHECK(C14, exit_msr_load,
	      msr_area_ok(caps, VF(vmcs, VM_EXIT_MSR_LOAD_ADDR),
			  (uint32_t)VF(vmcs, VM_EXIT_MSR_LOAD_COUNT)));
	return true;
}

/* True if @p vector is an exception that pushes an error code. */
static bool exception_has_error_code(unsigned vector)
{
	switch (vector) {
	case X86_VEC_DF:
	case X86_VEC_TS:
	case X86_VEC_NP:
	case X86_VEC_SS:
	case X86_VEC_GP:
	case X86_VEC_PF:
	case X86_VEC_AC:
	case X86_VEC_CP:
		return true;
	default:
		return false;
	}
}

/* SDM Vol. 3C 27.2.1.3: event injection (C16). */
static bool check_event_injection(const struct entry_caps *caps,
				  const struct mock_vmcs *vmcs,
				  struct mock_check_failure *fail)
{
	uint32_t info = (uint32_t)VF(vmcs, VM_ENTRY_INTR_INFO);
	unsigned type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	unsigned vector = info & INTR_INFO_VECTOR_MASK;
	bool unrestricted = entry_secondary(vmcs) & SEC_UNRESTRICTED_GUEST;
	bool pe = VF(vmcs, GUEST_CR0) & X86_CR0_PE;
	bool want_code;
	uint32_t len;

	if (!(info & INTR_INFO_VALID))
		return true;
	CHECK(C16, type_reserved, type != INTR_TYPE_RESERVED);
	/* Type 7 needs the "monitor trap flag" control to be supported. */
	CHECK(C16, type_other_no_mtf,
	      type != INTR_TYPE_OTHER_EVENT ||
		      (cap_allowed1(caps->proc) & CPU_MONITOR_TRAP_FLAG));
	if (type == INTR_TYPE_NMI)
		CHECK(C16, nmi_vector, vector == X86_VEC_NMI);
	if (type == INTR_TYPE_HARD_EXCEPTION)
		CHECK(C16, exception_vector, vector <= 31);
	if (type == INTR_TYPE_OTHER_EVENT)
		CHECK(C16, other_vector, vector == 0);
	/*
	 * Deliver-error-code is 1 iff (unrestricted guest = 0 or CR0.PE = 1),
	 * the type is hardware exception and the vector is one that pushes an
	 * error code (8, 10-14, 17, 21). Where IA32_VMX_BASIC[56] is 1 the
	 * vector no longer decides: "software can use VM entry to deliver a
	 * hardware exception with or without an error code, regardless of
	 * vector" (SDM Vol. 3D A.1, Vol. 3C 27.2.1.3); the bit must still be 0
	 * for the other types and in real mode. Found by the differential
	 * campaign (docs/differential.md) on Bochs 3.0 sapphire_rapids, which
	 * reports bit 56.
	 */
	want_code = (!unrestricted || pe) && type == INTR_TYPE_HARD_EXCEPTION &&
		    exception_has_error_code(vector);
	if ((caps->basic & BIT64(56)) && (!unrestricted || pe) &&
	    type == INTR_TYPE_HARD_EXCEPTION)
		want_code = (info & INTR_INFO_DELIVER_CODE) != 0;
	CHECK(C16, deliver_code,
	      ((info & INTR_INFO_DELIVER_CODE) != 0) == want_code);
	CHECK(C16, reserved_bits, (info & 0x7FFFF000u) == 0);
	if (info & INTR_INFO_DELIVER_CODE)
		CHECK(C16, error_code_high,
		      (VF(vmcs, VM_ENTRY_EXCEPTION_ERROR_CODE) & 0xFFFF0000u) ==
			      0);
	if (type == INTR_TYPE_SOFT_INTR ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SOFT_EXCEPTION) {
		len = (uint32_t)VF(vmcs, VM_ENTRY_INSTRUCTION_LEN);
		CHECK(C16, insn_len_range, len <= 15);
		CHECK(C16, insn_len_zero,
		      len != 0 || (caps->misc & VMX_MISC_ZERO_LEN_INJECT));
	}
	return true;
}

/* SDM Vol. 3C 27.2.1.3: VM-entry control fields. */
static bool check_entry_controls(const struct entry_caps *caps,
				 const struct mock_vmcs *vmcs,
				 struct mock_check_failure *fail)
{
	uint32_t entry = (uint32_t)VF(vmcs, VM_ENTRY_CONTROLS);

	CHECK(C1, entry_allowed0,
	      (entry & cap_allowed0(caps->entry)) == cap_allowed0(caps->entry));
	CHECK(C1, entry_allowed1, (entry & ~cap_allowed1(caps->entry)) == 0);
	if (!check_event_injection(caps, vmcs, fail))
		return false;
	CHECK(C14, entry_msr_load,
	      msr_area_ok(caps, VF(vmcs, VM_ENTRY_MSR_LOAD_ADDR),
			  (uint32_t)VF(vmcs, VM_ENTRY_MSR_LOAD_COUNT)));
	/*
	 * The emulated CPUs never run in SMM, so both SMM controls must be 0
	 * (the "both 1" rule is implied).
	 */
	CHECK(C15, entry_to_smm, !(entry & ENTRY_TO_SMM));
	CHECK(C15, deact_dual_monitor, !(entry & ENTRY_DEACT_DUAL_MONITOR));
	return true;
}

bool mock_check_controls(const struct mock_cpu *cpu,
			 const struct mock_vmcs *vmcs,
			 struct mock_check_failure *fail)
{
	struct entry_caps caps;

	entry_read_caps(cpu, &caps);
	return check_exec_controls(cpu, &caps, vmcs, fail) &&
	       check_exit_controls(&caps, vmcs, fail) &&
	       check_entry_controls(&caps, vmcs, fail);
}
