/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VM-entry checks on the guest-state area (SDM Vol. 3C 27.3.1). A failure is
 * a VM exit with reason 33 | bit 31 and, in most cases, qualification 0
 * (SDM Vol. 3C 27.8). This file holds the stage function and the checks on
 * control registers, debug registers and MSRs (27.3.1.1), descriptor-table
 * registers (27.3.1.3) and RIP/RFLAGS (27.3.1.4); segments are in
 * entry_guest_segments.c, non-register state, the VMCS link pointer and the
 * PDPTEs in entry_guest_state.c.
 *
 * Where references differ, the SDM is followed: Bochs reports error 8 for a
 * bad guest CR4 fixed bit, but the SDM lists it among the guest-state checks,
 * so it is exit 33 here (G1.cr4_fixed*).
 *
 * Not modelled: IA32_RTIT_CTL, IA32_LBR_CTL and IA32_PKRS loading (no profile
 * has those entry controls), the S_CET reserved bits.
 */
#include "entry_checks.h"

/* IA32_DEBUGCTL reserved bits: 5:2 and 63:16 (SDM Vol. 3B 18.4.1). */
#define DEBUGCTL_RESERVED (UINT64_C(0x3C) | ~UINT64_C(0xFFFF))
/* IA32_BNDCFGS reserved bits 11:2 (SDM Vol. 1 17.3.3). */
#define BNDCFGS_RESERVED UINT64_C(0xFFC)
/* RFLAGS reserved bits: 63:22, 15, 5, 3 (SDM Vol. 3C 27.3.1.4). */
#define RFLAGS_RESERVED (~UINT64_C(0x3FFFFF) | BIT64(15) | BIT64(5) | BIT64(3))

/* SDM Vol. 3C 27.3.1.1: control registers, debug registers and MSRs. */
static bool check_guest_cr_msr(const struct mock_cpu *cpu,
			       const struct entry_caps *caps,
			       const struct mock_vmcs *vmcs,
			       struct mock_check_failure *fail)
{
	uint64_t cr0 = VF(vmcs, GUEST_CR0);
	uint64_t cr4 = VF(vmcs, GUEST_CR4);
	uint32_t entry = (uint32_t)VF(vmcs, VM_ENTRY_CONTROLS);
	bool ia32e = entry_ia32e_guest(vmcs);
	uint64_t cr0_fixed0 = caps->cr0_fixed0;

	/* Unrestricted guest exempts CR0.PE and CR0.PG from FIXED0. */
	if (entry_secondary(vmcs) & SEC_UNRESTRICTED_GUEST)
		cr0_fixed0 &= ~(X86_CR0_PE | X86_CR0_PG);
	CHECK(G1, cr0_fixed0, fixed0_ok(cr0, cr0_fixed0));
	CHECK(G1, cr0_fixed1, fixed1_ok(cr0, caps->cr0_fixed1));
	CHECK(G1, cr0_pg_pe, !(cr0 & X86_CR0_PG) || (cr0 & X86_CR0_PE));
	CHECK(G1, cr4_fixed0, fixed0_ok(cr4, caps->cr4_fixed0));
	CHECK(G1, cr4_fixed1, fixed1_ok(cr4, caps->cr4_fixed1));
	CHECK(G4, cr4_cet_wp, !(cr4 & X86_CR4_CET) || (cr0 & X86_CR0_WP));
	if (entry & ENTRY_LOAD_DEBUG_CONTROLS)
		CHECK(G3, debugctl_reserved,
		      (VF(vmcs, GUEST_IA32_DEBUGCTL) & DEBUGCTL_RESERVED) == 0);
	if (ia32e) {
		CHECK(G2, ia32e_pg, cr0 & X86_CR0_PG);
		CHECK(G2, ia32e_pae, cr4 & X86_CR4_PAE);
	} else {
		CHECK(G2, pcide, !(cr4 & X86_CR4_PCIDE));
	}
	CHECK(G1, cr3_width, !mock_pa_too_wide(VF(vmcs, GUEST_CR3)));
	if (entry & ENTRY_LOAD_DEBUG_CONTROLS)
		CHECK(G3, dr7_high, (VF(vmcs, GUEST_DR7) >> 32) == 0);
	CHECK(G4, sysenter_esp,
	      mock_is_canonical(VF(vmcs, GUEST_SYSENTER_ESP)));
	CHECK(G4, sysenter_eip,
	      mock_is_canonical(VF(vmcs, GUEST_SYSENTER_EIP)));
	if (entry & ENTRY_LOAD_CET_STATE) {
		CHECK(G4, s_cet, mock_is_canonical(VF(vmcs, GUEST_S_CET)));
		CHECK(G4, isst,
		      mock_is_canonical(VF(vmcs, GUEST_INTR_SSP_TABLE)));
	}
	if (entry & ENTRY_LOAD_PERF_GLOBAL_CTRL)
		CHECK(G4, perf_global,
		      (VF(vmcs, GUEST_IA32_PERF_GLOBAL_CTRL) &
		       entry_perf_global_reserved(cpu)) == 0);
	if (entry & ENTRY_LOAD_PAT)
		CHECK(G4, pat, entry_pat_ok(VF(vmcs, GUEST_IA32_PAT)));
	if (entry & ENTRY_LOAD_EFER) {
		uint64_t efer = VF(vmcs, GUEST_IA32_EFER);
		bool lma = efer & X86_EFER_LMA;

		CHECK(G4, efer_reserved, (efer & ENTRY_EFER_RESERVED) == 0);
		CHECK(G4, efer_lma, lma == ia32e);
		CHECK(G4, efer_lme,
		      !(cr0 & X86_CR0_PG) ||
			      ((efer & X86_EFER_LME) != 0) == lma);
	}
	if (entry & ENTRY_LOAD_BNDCFGS) {
		uint64_t bnd = VF(vmcs, GUEST_IA32_BNDCFGS);

		CHECK(G4, bndcfgs,
		      (bnd & BNDCFGS_RESERVED) == 0 &&
			      mock_is_canonical(bnd & ~UINT64_C(0xFFF)));
	}
	if (entry & ENTRY_LOAD_CET_STATE) {
		uint64_t ssp = VF(vmcs, GUEST_SSP);
		bool cs_l = VF(vmcs, GUEST_CS_AR_BYTES) & AR_L;

		/* SSP is a 64-bit address only for a 64-bit guest. */
		CHECK(G4, ssp,
		      (ia32e && cs_l) ? mock_is_canonical(ssp)
				      : (ssp >> 32) == 0);
	}
	return true;
}

/* SDM Vol. 3C 27.3.1.3: GDTR and IDTR. */
static bool check_guest_dtr(const struct mock_vmcs *vmcs,
			    struct mock_check_failure *fail)
{
	CHECK(G10, gdtr_base, mock_is_canonical(VF(vmcs, GUEST_GDTR_BASE)));
	CHECK(G10, idtr_base, mock_is_canonical(VF(vmcs, GUEST_IDTR_BASE)));
	CHECK(G10, gdtr_limit, (VF(vmcs, GUEST_GDTR_LIMIT) >> 16) == 0);
	CHECK(G10, idtr_limit, (VF(vmcs, GUEST_IDTR_LIMIT) >> 16) == 0);
	return true;
}

/* SDM Vol. 3C 27.3.1.4: RIP and RFLAGS. */
static bool check_guest_rip_rflags(const struct mock_vmcs *vmcs,
				   struct mock_check_failure *fail)
{
	uint64_t rip = VF(vmcs, GUEST_RIP);
	uint64_t rflags = VF(vmcs, GUEST_RFLAGS);
	bool ia32e = entry_ia32e_guest(vmcs);
	bool cs_l = VF(vmcs, GUEST_CS_AR_BYTES) & AR_L;
	uint32_t info = (uint32_t)VF(vmcs, VM_ENTRY_INTR_INFO);

	if (!ia32e || !cs_l)
		CHECK(G11, rip_high, (rip >> 32) == 0);
	else
		CHECK(G11, rip_canonical, mock_is_canonical(rip));
	CHECK(G5, rflags_reserved, (rflags & RFLAGS_RESERVED) == 0);
	CHECK(G5, rflags_fixed1, rflags & X86_RFLAGS_FIXED1);
	if (ia32e || !(VF(vmcs, GUEST_CR0) & X86_CR0_PE))
		CHECK(G5, rflags_vm, !(rflags & X86_RFLAGS_VM));
	if ((info & INTR_INFO_VALID) &&
	    ((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) ==
		    INTR_TYPE_EXT_INTR)
		CHECK(G5, rflags_if_ext_intr, rflags & X86_RFLAGS_IF);
	return true;
}

bool mock_check_guest_state(const struct mock_cpu *cpu,
			    const struct mock_vmcs *vmcs,
			    struct mock_check_failure *fail)
{
	struct entry_caps caps;

	entry_read_caps(cpu, &caps);
	return check_guest_cr_msr(cpu, &caps, vmcs, fail) &&
	       entry_check_guest_segments(&caps, vmcs, fail) &&
	       check_guest_dtr(vmcs, fail) &&
	       check_guest_rip_rflags(vmcs, fail) &&
	       entry_check_guest_nonregister(cpu, &caps, vmcs, fail) &&
	       entry_check_guest_pdptes(vmcs, fail);
}
