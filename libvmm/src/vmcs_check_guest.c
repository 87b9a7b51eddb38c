// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The checker's guest-state rules other than segments (SDM Vol. 3C 27.3.1,
 * VM exit 33): control and debug registers and MSRs (27.3.1.1), GDTR/IDTR
 * (27.3.1.3), RIP and RFLAGS (27.3.1.4), non-register state (27.3.1.5).
 * Segments are in vmcs_check_segments.c.
 */
#include "vmcs_check_internal.h"

/* IA32_DEBUGCTL reserved bits 5:2 and 63:16 (SDM Vol. 3B 18.4.1). */
#define DEBUGCTL_RESERVED (UINT64_C(0x3C) | ~UINT64_C(0xFFFF))
#define EFER_RESERVED                                                          \
	(~(X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE))
/* RFLAGS reserved bits 63:22, 15, 5, 3 (SDM Vol. 3C 27.3.1.4). */
#define RFLAGS_RESERVED (~UINT64_C(0x3FFFFF) | BIT64(15) | BIT64(5) | BIT64(3))
/* Pending debug exceptions (SDM Vol. 3C 25.4.2): B3-B0, enabled BP, BS,
 * RTM; everything else is reserved. */
#define PENDING_BS BIT64(14)
#define PENDING_RTM BIT64(16)
#define PENDING_RESERVED                                                       \
	(UINT64_C(0xFF0) | BIT64(13) | BIT64(15) | ~UINT64_C(0x1FFFF))
/* Interruptibility state bits 31:4 are reserved (SDM Vol. 3C 25.4.2). */
#define INTERRUPTIBILITY_RESERVED (~UINT32_C(0xF))

static bool pat_ok(uint64_t pat)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned t = (unsigned)(pat >> (8u * i)) & 0xFFu;

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* SDM Vol. 3C 27.3.1.1: guest control, debug registers and MSRs. */
bool vmcs_ck_guest_regs(struct vmcs_ck *c)
{
	uint64_t cr0 = vmcs_ck_read(c, VMCS_GUEST_CR0);
	uint64_t cr4 = vmcs_ck_read(c, VMCS_GUEST_CR4);
	uint64_t fixed0 = c->cr0_fixed0, v;
	bool ia32e = (c->entry & ENTRY_IA32E_MODE_GUEST) != 0;

	/* Unrestricted guest exempts CR0.PE and CR0.PG from FIXED0. */
	if (c->sec & SEC_UNRESTRICTED_GUEST)
		fixed0 &= ~(X86_CR0_PE | X86_CR0_PG);
	CK(c, G1_cr0_fixed0, VMCS_GUEST_CR0, cr0, (cr0 & fixed0) == fixed0);
	CK(c, G1_cr0_fixed1, VMCS_GUEST_CR0, cr0, (cr0 & ~c->cr0_fixed1) == 0);
	CK(c, G1_cr0_pg_pe, VMCS_GUEST_CR0, cr0,
	   !(cr0 & X86_CR0_PG) || (cr0 & X86_CR0_PE));
	CK(c, G1_cr4_fixed0, VMCS_GUEST_CR4, cr4,
	   (cr4 & c->cr4_fixed0) == c->cr4_fixed0);
	CK(c, G1_cr4_fixed1, VMCS_GUEST_CR4, cr4, (cr4 & ~c->cr4_fixed1) == 0);
	CK(c, G4_cr4_cet_wp, VMCS_GUEST_CR4, cr4,
	   !(cr4 & X86_CR4_CET) || (cr0 & X86_CR0_WP));
	if (c->entry & ENTRY_LOAD_DEBUG_CONTROLS) {
		v = vmcs_ck_read(c, VMCS_GUEST_IA32_DEBUGCTL);
		CK(c, G3_debugctl_reserved, VMCS_GUEST_IA32_DEBUGCTL, v,
		   (v & DEBUGCTL_RESERVED) == 0);
	}
	if (ia32e) {
		CK(c, G2_ia32e_pg, VMCS_GUEST_CR0, cr0, cr0 & X86_CR0_PG);
		CK(c, G2_ia32e_pae, VMCS_GUEST_CR4, cr4, cr4 & X86_CR4_PAE);
	} else {
		CK(c, G2_pcide, VMCS_GUEST_CR4, cr4, !(cr4 & X86_CR4_PCIDE));
	}
	v = vmcs_ck_read(c, VMCS_GUEST_CR3);
	CK(c, G1_cr3_width, VMCS_GUEST_CR3, v,
	   c->phys_width >= 64 || (v >> c->phys_width) == 0);
	if (c->entry & ENTRY_LOAD_DEBUG_CONTROLS) {
		v = vmcs_ck_read(c, VMCS_GUEST_DR7);
		CK(c, G3_dr7_high, VMCS_GUEST_DR7, v, (v >> 32) == 0);
	}
	v = vmcs_ck_read(c, VMCS_GUEST_SYSENTER_ESP);
	CK(c, G4_sysenter_esp, VMCS_GUEST_SYSENTER_ESP, v,
	   vmcs_ck_canonical(c, v));
	v = vmcs_ck_read(c, VMCS_GUEST_SYSENTER_EIP);
	CK(c, G4_sysenter_eip, VMCS_GUEST_SYSENTER_EIP, v,
	   vmcs_ck_canonical(c, v));
	if (c->entry & ENTRY_LOAD_PAT) {
		v = vmcs_ck_read(c, VMCS_GUEST_IA32_PAT);
		CK(c, G4_pat, VMCS_GUEST_IA32_PAT, v, pat_ok(v));
	}
	if (c->entry & ENTRY_LOAD_EFER) {
		v = vmcs_ck_read(c, VMCS_GUEST_IA32_EFER);
		CK(c, G4_efer_reserved, VMCS_GUEST_IA32_EFER, v,
		   (v & EFER_RESERVED) == 0);
		CK(c, G4_efer_lma, VMCS_GUEST_IA32_EFER, v,
		   ((v & X86_EFER_LMA) != 0) == ia32e);
		CK(c, G4_efer_lme, VMCS_GUEST_IA32_EFER, v,
		   !(cr0 & X86_CR0_PG) || ((v & X86_EFER_LME) != 0) ==
						  ((v & X86_EFER_LMA) != 0));
	}
	return true;
}

/* SDM Vol. 3C 27.3.1.3 and 27.3.1.4: GDTR, IDTR, RIP, RFLAGS. */
static bool ck_dtr_rip_rflags(struct vmcs_ck *c, uint32_t info)
{
	bool ia32e = (c->entry & ENTRY_IA32E_MODE_GUEST) != 0;
	bool cs_l = (vmcs_ck_read(c, VMCS_GUEST_CS_AR_BYTES) & AR_L) != 0;
	uint64_t rf = vmcs_ck_read(c, VMCS_GUEST_RFLAGS);
	uint64_t v;

	v = vmcs_ck_read(c, VMCS_GUEST_GDTR_BASE);
	CK(c, G10_gdtr_base, VMCS_GUEST_GDTR_BASE, v, vmcs_ck_canonical(c, v));
	v = vmcs_ck_read(c, VMCS_GUEST_IDTR_BASE);
	CK(c, G10_idtr_base, VMCS_GUEST_IDTR_BASE, v, vmcs_ck_canonical(c, v));
	v = vmcs_ck_read(c, VMCS_GUEST_GDTR_LIMIT);
	CK(c, G10_gdtr_limit, VMCS_GUEST_GDTR_LIMIT, v, (v >> 16) == 0);
	v = vmcs_ck_read(c, VMCS_GUEST_IDTR_LIMIT);
	CK(c, G10_idtr_limit, VMCS_GUEST_IDTR_LIMIT, v, (v >> 16) == 0);
	v = vmcs_ck_read(c, VMCS_GUEST_RIP);
	if (!ia32e || !cs_l)
		CK(c, G11_rip_high, VMCS_GUEST_RIP, v, (v >> 32) == 0);
	else
		CK(c, G11_rip_canonical, VMCS_GUEST_RIP, v,
		   vmcs_ck_canonical(c, v));
	CK(c, G5_rflags_reserved, VMCS_GUEST_RFLAGS, rf,
	   (rf & RFLAGS_RESERVED) == 0);
	CK(c, G5_rflags_fixed1, VMCS_GUEST_RFLAGS, rf, rf & X86_RFLAGS_FIXED1);
	if (ia32e || !(vmcs_ck_read(c, VMCS_GUEST_CR0) & X86_CR0_PE))
		CK(c, G5_rflags_vm, VMCS_GUEST_RFLAGS, rf,
		   !(rf & X86_RFLAGS_VM));
	if ((info & INTR_INFO_VALID) &&
	    ((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) ==
		    INTR_TYPE_EXT_INTR)
		CK(c, G5_rflags_if_ext_intr, VMCS_GUEST_RFLAGS, rf,
		   rf & X86_RFLAGS_IF);
	return true;
}

/* Events a HLT-state guest can take (SDM Vol. 3C 27.3.1.5). */
static bool hlt_injectable(unsigned type, unsigned vec)
{
	return type == INTR_TYPE_EXT_INTR || type == INTR_TYPE_NMI ||
	       (type == INTR_TYPE_HARD_EXCEPTION &&
		(vec == X86_VEC_DB || vec == X86_VEC_MC)) ||
	       (type == INTR_TYPE_OTHER_EVENT && vec == 0);
}

/* SDM Vol. 3C 27.3.1.5: activity state. */
static bool ck_activity(struct vmcs_ck *c, uint32_t info, uint32_t intr)
{
	const uint32_t f = VMCS_GUEST_ACTIVITY_STATE;
	uint64_t st = vmcs_ck_read(c, f);
	unsigned type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	unsigned vec = info & INTR_INFO_VECTOR_MASK;
	uint64_t ss_ar;

	CK(c, G12_activity_range, f, st, st <= ACTIVITY_WAIT_SIPI);
	/* IA32_VMX_MISC bits 6, 7, 8: HLT, shutdown, wait-for-SIPI. */
	CK(c, G12_activity_supported, f, st,
	   st == ACTIVITY_ACTIVE || (c->misc & BIT64(5u + st)));
	if (st == ACTIVITY_HLT) {
		ss_ar = vmcs_ck_read(c, VMCS_GUEST_SS_AR_BYTES);
		CK(c, G12_hlt_ss_dpl, VMCS_GUEST_SS_AR_BYTES, ss_ar,
		   ((ss_ar >> AR_DPL_SHIFT) & 3u) == 0);
	}
	if (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))
		CK(c, G12_blocking_not_active, f, st, st == ACTIVITY_ACTIVE);
	if (info & INTR_INFO_VALID) {
		CK(c, G12_inject_in_hlt, f, st,
		   st != ACTIVITY_HLT || hlt_injectable(type, vec));
		CK(c, G12_inject_in_shutdown, f, st,
		   st != ACTIVITY_SHUTDOWN || type == INTR_TYPE_NMI ||
			   (type == INTR_TYPE_HARD_EXCEPTION &&
			    vec == X86_VEC_MC));
		CK(c, G12_inject_in_sipi, f, st, st != ACTIVITY_WAIT_SIPI);
	}
	return true;
}

/* SDM Vol. 3C 27.3.1.5: interruptibility state. */
static bool ck_interruptibility(struct vmcs_ck *c, uint32_t info, uint32_t intr)
{
	const uint32_t f = VMCS_GUEST_INTERRUPTIBILITY_INFO;
	unsigned type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	bool valid = (info & INTR_INFO_VALID) != 0;
	bool sti = (intr & INTERRUPTIBILITY_STI) != 0;
	bool movss = (intr & INTERRUPTIBILITY_MOV_SS) != 0;
	bool nmi = valid && type == INTR_TYPE_NMI;

	CK(c, G13_reserved, f, intr, (intr & INTERRUPTIBILITY_RESERVED) == 0);
	CK(c, G13_sti_and_movss, f, intr, !(sti && movss));
	CK(c, G13_sti_needs_if, f, intr,
	   !sti || (vmcs_ck_read(c, VMCS_GUEST_RFLAGS) & X86_RFLAGS_IF));
	CK(c, G13_ext_intr_blocked, f, intr,
	   !(valid && type == INTR_TYPE_EXT_INTR) || (!sti && !movss));
	CK(c, G13_nmi_movss, f, intr, !nmi || !movss);
	CK(c, G13_nmi_sti, f, intr, !nmi || !sti);
	CK(c, G13_smi_outside_smm, f, intr, !(intr & INTERRUPTIBILITY_SMI));
	CK(c, G13_nmi_blocked_vnmi, f, intr,
	   !nmi || !(c->pin & PIN_VIRTUAL_NMIS) ||
		   !(intr & INTERRUPTIBILITY_NMI));
	return true;
}

/* SDM Vol. 3C 27.3.1.5: pending debug exceptions. */
static bool ck_pending_debug(struct vmcs_ck *c, uint32_t intr)
{
	const uint32_t f = VMCS_GUEST_PENDING_DBG_EXCEPTIONS;
	uint64_t p = vmcs_ck_read(c, f);
	uint64_t reserved = PENDING_RESERVED | (c->rtm ? 0 : PENDING_RTM);
	bool tf, btf;

	CK(c, G14_reserved, f, p, (p & reserved) == 0);
	if (!(intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) &&
	    vmcs_ck_read(c, VMCS_GUEST_ACTIVITY_STATE) != ACTIVITY_HLT)
		return true;
	/* BS must say whether a single-step trap is pending. */
	tf = (vmcs_ck_read(c, VMCS_GUEST_RFLAGS) & X86_RFLAGS_TF) != 0;
	btf = (vmcs_ck_read(c, VMCS_GUEST_IA32_DEBUGCTL) & DEBUGCTL_BTF) != 0;
	if (tf && !btf)
		CK(c, G14_bs_set, f, p, p & PENDING_BS);
	else
		CK(c, G14_bs_clear, f, p, !(p & PENDING_BS));
	return true;
}

/*
 * SDM Vol. 3C 27.3.1.5: the VMCS link pointer. Its revision identifier and
 * shadow bit live in memory libvmm does not map, so those two rules are
 * left to the CPU; being the current VMCS is checked with VMPTRST.
 */
static bool ck_link_pointer(struct vmcs_ck *c)
{
	const uint32_t f = VMCS_VMCS_LINK_POINTER;
	uint64_t link = vmcs_ck_read(c, f);
	paddr_t cur = pa_init(~UINT64_C(0));

	if (link == ~UINT64_C(0))
		return true;
	CK(c, G15_link_aligned, f, link, (link & 0xFFFu) == 0);
	CK(c, G15_link_width, f, link, vmcs_ck_pa_ok(c, link));
	CK(c, G15_link_current, f, link,
	   !vmx_ok(vmx_ptrst(&cur)) || pa_addr(cur) != link);
	return true;
}

bool vmcs_ck_guest_rest(struct vmcs_ck *c)
{
	uint32_t info = (uint32_t)vmcs_ck_read(c, VMCS_VM_ENTRY_INTR_INFO);
	uint32_t intr =
		(uint32_t)vmcs_ck_read(c, VMCS_GUEST_INTERRUPTIBILITY_INFO);

	return ck_dtr_rip_rflags(c, info) && ck_activity(c, info, intr) &&
	       ck_interruptibility(c, info, intr) &&
	       ck_pending_debug(c, intr) && ck_link_pointer(c);
}
