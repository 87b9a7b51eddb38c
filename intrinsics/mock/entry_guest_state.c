/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VM-entry checks on guest non-register state (SDM Vol. 3C 27.3.1.5:
 * activity state, interruptibility state, pending debug exceptions, VMCS
 * link pointer) and on the PDPTEs of a PAE-paging guest (27.3.1.6).
 * Failure: exit 33 with qualification 0, 3 (NMI injection while blocked by
 * STI), 4 (VMCS link pointer) or 2 (PDPTEs), SDM Vol. 3C 27.8.
 *
 * KVM leaves the interruptibility and pending-debug checks to the hardware
 * and neither Bochs nor KVM's software path checks the BS rule (G14); they are
 * modelled here from the SDM. The NMI-with-STI-blocking failure is
 * implementation-specific in the SDM; the model takes the strict choice.
 *
 * Not modelled: the enclave-interruption bit (4) of the interruptibility
 * state (no profile has SGX, so it is treated as reserved), the RTM bit (16)
 * of the pending debug exceptions beyond "reserved unless CPUID has RTM", and
 * the SMM-only rules (the emulated CPUs never run in SMM, and "entry to SMM"
 * is refused by C15 before these checks).
 */
#include "entry_checks.h"

/* Pending debug exceptions (SDM Vol. 3C 25.4.2; BS, RTM in flank/x86.h). */
#define PENDING_DBG_RESERVED                                                   \
	(UINT64_C(0xFF0) | BIT64(13) | BIT64(15) | ~UINT64_C(0x1FFFF))
#define CPUID7_EBX_RTM BIT32(11)
#define INTERRUPTIBILITY_RESERVED (~UINT32_C(0xF))

/* PAE PDPTE bits that must be 0 when P = 1 (SDM Vol. 3A 4.4.1). */
#define PDPTE_P BIT64(0)
#define PDPTE_RESERVED_LOW UINT64_C(0x1E6)

/* VMCS link pointer: region header (SDM Vol. 3C 25.2). */
#define VMCS_HDR_SHADOW BIT32(31)

/*
 * Activity states whose support IA32_VMX_MISC reports (bits 6, 7, 8 for
 * HLT, shutdown, wait-for-SIPI; active is always supported).
 */
static bool activity_supported(const struct entry_caps *caps, uint32_t state)
{
	static const uint64_t bit[] = {0, VMX_MISC_ACTIVITY_HLT,
				       VMX_MISC_ACTIVITY_SHUTDOWN,
				       VMX_MISC_ACTIVITY_WAIT_SIPI};

	return state == ACTIVITY_ACTIVE || (caps->misc & bit[state]);
}

/* Events HLT lets through (SDM Vol. 3C 27.3.1.5). */
static bool injectable_in_hlt(unsigned type, unsigned vector)
{
	switch (type) {
	case INTR_TYPE_EXT_INTR:
	case INTR_TYPE_NMI:
		return true;
	case INTR_TYPE_HARD_EXCEPTION:
		return vector == X86_VEC_DB || vector == X86_VEC_MC;
	case INTR_TYPE_OTHER_EVENT:
		return vector == 0;
	default:
		return false;
	}
}

static bool check_activity(const struct entry_caps *caps,
			   const struct mock_vmcs *vmcs,
			   struct mock_check_failure *fail)
{
	uint32_t state = (uint32_t)VF(vmcs, GUEST_ACTIVITY_STATE);
	uint32_t intr = (uint32_t)VF(vmcs, GUEST_INTERRUPTIBILITY_INFO);
	uint32_t info = (uint32_t)VF(vmcs, VM_ENTRY_INTR_INFO);
	unsigned type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	unsigned vector = info & INTR_INFO_VECTOR_MASK;

	CHECK(G12, activity_range, state <= ACTIVITY_WAIT_SIPI);
	CHECK(G12, activity_supported, activity_supported(caps, state));
	if (state == ACTIVITY_HLT)
		CHECK(G12, hlt_ss_dpl,
		      ((VF(vmcs, GUEST_SS_AR_BYTES) >> AR_DPL_SHIFT) & 3u) ==
			      0);
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		CHECK(G12, blocking_not_active, state == ACTIVITY_ACTIVE);
	if (info & INTR_INFO_VALID) {
		if (state == ACTIVITY_HLT)
			CHECK(G12, inject_in_hlt,
			      injectable_in_hlt(type, vector));
		if (state == ACTIVITY_SHUTDOWN)
			CHECK(G12, inject_in_shutdown,
			      type == INTR_TYPE_NMI ||
				      (type == INTR_TYPE_HARD_EXCEPTION &&
				       vector == X86_VEC_MC));
		CHECK(G12, inject_in_sipi, state != ACTIVITY_WAIT_SIPI);
	}
	return true;
}

static bool check_interruptibility(const struct mock_vmcs *vmcs,
				   struct mock_check_failure *fail)
{
	uint32_t intr = (uint32_t)VF(vmcs, GUEST_INTERRUPTIBILITY_INFO);
	uint32_t info = (uint32_t)VF(vmcs, VM_ENTRY_INTR_INFO);
	unsigned type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	bool valid = info & INTR_INFO_VALID;
	bool sti = intr & INTERRUPTIBILITY_STI;
	bool movss = intr & INTERRUPTIBILITY_MOV_SS;
	uint32_t pin = (uint32_t)VF(vmcs, PIN_BASED_VM_EXEC_CONTROL);

	CHECK(G13, reserved, (intr & INTERRUPTIBILITY_RESERVED) == 0);
	CHECK(G13, sti_and_movss, !(sti && movss));
	CHECK(G13, sti_needs_if,
	      !sti || (VF(vmcs, GUEST_RFLAGS) & X86_RFLAGS_IF));
	if (valid && type == INTR_TYPE_EXT_INTR)
		CHECK(G13, ext_intr_blocked, !sti && !movss);
	if (valid && type == INTR_TYPE_NMI) {
		CHECK(G13, nmi_movss, !movss);
		CHECK(G13, nmi_sti, !sti);
	}
	CHECK(G13, smi_outside_smm, !(intr & INTERRUPTIBILITY_SMI));
	if (valid && type == INTR_TYPE_NMI && (pin & PIN_VIRTUAL_NMIS))
		CHECK(G13, nmi_blocked_vnmi, !(intr & INTERRUPTIBILITY_NMI));
	return true;
}

static bool check_pending_debug(const struct mock_cpu *cpu,
				const struct mock_vmcs *vmcs,
				struct mock_check_failure *fail)
{
	uint64_t pend = VF(vmcs, GUEST_PENDING_DBG_EXCEPTIONS);
	uint32_t intr = (uint32_t)VF(vmcs, GUEST_INTERRUPTIBILITY_INFO);
	uint64_t reserved = PENDING_DBG_RESERVED;
	struct cpu_cpuid_regs leaf7;

	mock_cpuid_query(cpu, 7, 0, &leaf7);
	if (!(leaf7.ebx & CPUID7_EBX_RTM))
		reserved |= PENDING_DBG_RTM;
	CHECK(G14, reserved, (pend & reserved) == 0);
	if ((intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) ||
	    VF(vmcs, GUEST_ACTIVITY_STATE) == ACTIVITY_HLT) {
		bool tf = VF(vmcs, GUEST_RFLAGS) & X86_RFLAGS_TF;
		bool btf = VF(vmcs, GUEST_IA32_DEBUGCTL) & DEBUGCTL_BTF;
		bool bs = pend & PENDING_DBG_BS;

		if (tf && !btf)
			CHECK(G14, bs_set, bs);
		else
			CHECK(G14, bs_clear, !bs);
	}
	return true;
}

static bool check_link_pointer(const struct mock_cpu *cpu,
			       const struct entry_caps *caps,
			       const struct mock_vmcs *vmcs,
			       struct mock_check_failure *fail)
{
	uint64_t link = VF(vmcs, VMCS_LINK_POINTER);
	bool shadowing = entry_secondary(vmcs) & SEC_SHADOW_VMCS;
	uint32_t hdr;

	if (link == ~UINT64_C(0))
		return true;
	CHECK(G15, link_aligned, (link & 0xFFFu) == 0);
	CHECK(G15, link_width, entry_pa_ok(caps, link));
	entry_mem_read(link, &hdr, sizeof(hdr));
	CHECK(G15, link_revision,
	      (hdr & VMX_BASIC_REVISION_MASK) ==
		      (caps->basic & VMX_BASIC_REVISION_MASK));
	CHECK(G15, link_shadow, ((hdr & VMCS_HDR_SHADOW) != 0) == shadowing);
	/* Outside SMM the link pointer must not be the current VMCS. */
	CHECK(G15, link_current, link != cpu->current_ptr);
	return true;
}

bool entry_check_guest_nonregister(const struct mock_cpu *cpu,
				   const struct entry_caps *caps,
				   const struct mock_vmcs *vmcs,
				   struct mock_check_failure *fail)
{
	return check_activity(caps, vmcs, fail) &&
	       check_interruptibility(vmcs, fail) &&
	       check_pending_debug(cpu, vmcs, fail) &&
	       check_link_pointer(cpu, caps, vmcs, fail);
}

/*
 * SDM Vol. 3C 27.3.1.6: with PAE paging (CR0.PG = CR4.PAE = 1, not IA-32e
 * mode) the PDPTEs come from the VMCS fields when EPT is on, else from the
 * 32-byte table that CR3[31:5] locates; each present one must have its
 * reserved bits clear.
 */
bool entry_check_guest_pdptes(const struct mock_vmcs *vmcs,
			      struct mock_check_failure *fail)
{
	uint64_t pdpte[4];

	if (!(VF(vmcs, GUEST_CR0) & X86_CR0_PG) ||
	    !(VF(vmcs, GUEST_CR4) & X86_CR4_PAE) || entry_ia32e_guest(vmcs))
		return true;
	if (entry_secondary(vmcs) & SEC_ENABLE_EPT) {
		pdpte[0] = VF(vmcs, GUEST_PDPTE0);
		pdpte[1] = VF(vmcs, GUEST_PDPTE1);
		pdpte[2] = VF(vmcs, GUEST_PDPTE2);
		pdpte[3] = VF(vmcs, GUEST_PDPTE3);
	} else {
		entry_mem_read(VF(vmcs, GUEST_CR3) & 0xFFFFFFE0u, pdpte,
			       sizeof(pdpte));
	}
	for (unsigned i = 0; i < 4; i++) {
		if (!(pdpte[i] & PDPTE_P))
			continue;
		CHECK(G16, pdpte_reserved,
		      (pdpte[i] & PDPTE_RESERVED_LOW) == 0 &&
			      !mock_pa_too_wide(pdpte[i] & ~UINT64_C(0xFFF)));
	}
	return true;
}
