// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The checker's host-state rules (SDM Vol. 3C 27.2.2-27.2.4, VM-instruction
 * error 8), in the SDM's order: control registers and MSRs, segment and
 * descriptor-table registers, address-space size.
 */
#include "vmcs_check_internal.h"

/* RPL (bits 1:0) and TI (bit 2) of a selector (SDM Vol. 3A 3.4.2). */
#define SEL_RPL_TI 7u
/* IA32_EFER bits other than SCE, LME, LMA, NXE are reserved. */
#define EFER_RESERVED                                                          \
	(~(X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE))

/* Each byte of a PAT is 0, 1, 4, 5, 6 or 7 (SDM Vol. 3A 12.12.2). */
static bool pat_ok(uint64_t pat)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned t = (unsigned)(pat >> (8u * i)) & 0xFFu;

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* SDM Vol. 3C 27.2.2: host control registers and MSRs. */
static bool ck_host_cr_msr(struct vmcs_ck *c)
{
	uint64_t cr0 = vmcs_ck_read(c, VMCS_HOST_CR0);
	uint64_t cr4 = vmcs_ck_read(c, VMCS_HOST_CR4);
	uint64_t v = vmcs_ck_read(c, VMCS_HOST_CR3);
	bool host64 = (c->exit & EXIT_HOST_ADDR_SPACE_SIZE) != 0;

	/* No unrestricted-guest exemption for the host. */
	CK(c, H2_cr0_fixed0, VMCS_HOST_CR0, cr0,
	   (cr0 & c->cr0_fixed0) == c->cr0_fixed0);
	CK(c, H2_cr0_fixed1, VMCS_HOST_CR0, cr0, (cr0 & ~c->cr0_fixed1) == 0);
	CK(c, H2_cr4_fixed0, VMCS_HOST_CR4, cr4,
	   (cr4 & c->cr4_fixed0) == c->cr4_fixed0);
	CK(c, H2_cr4_fixed1, VMCS_HOST_CR4, cr4, (cr4 & ~c->cr4_fixed1) == 0);
	CK(c, H2_cr3_width, VMCS_HOST_CR3, v,
	   c->phys_width >= 64 || (v >> c->phys_width) == 0);
	CK(c, H3_cr4_cet_wp, VMCS_HOST_CR4, cr4,
	   !(cr4 & X86_CR4_CET) || (cr0 & X86_CR0_WP));
	v = vmcs_ck_read(c, VMCS_HOST_IA32_SYSENTER_ESP);
	CK(c, H4_sysenter_esp, VMCS_HOST_IA32_SYSENTER_ESP, v,
	   vmcs_ck_canonical(c, v));
	v = vmcs_ck_read(c, VMCS_HOST_IA32_SYSENTER_EIP);
	CK(c, H4_sysenter_eip, VMCS_HOST_IA32_SYSENTER_EIP, v,
	   vmcs_ck_canonical(c, v));
	if (c->exit & EXIT_LOAD_PAT) {
		v = vmcs_ck_read(c, VMCS_HOST_IA32_PAT);
		CK(c, H5_pat, VMCS_HOST_IA32_PAT, v, pat_ok(v));
	}
	if (c->exit & EXIT_LOAD_EFER) {
		v = vmcs_ck_read(c, VMCS_HOST_IA32_EFER);
		CK(c, H5_efer_reserved, VMCS_HOST_IA32_EFER, v,
		   (v & EFER_RESERVED) == 0);
		CK(c, H5_efer_lma, VMCS_HOST_IA32_EFER, v,
		   ((v & X86_EFER_LMA) != 0) == host64);
		CK(c, H5_efer_lme, VMCS_HOST_IA32_EFER, v,
		   ((v & X86_EFER_LME) != 0) == host64);
	}
	return true;
}

/* The host selector fields in the SDM's order, with their H6 rules. */
static const struct {
	uint32_t field;
	enum vmcs_check_rule rule;
} host_sels[] = {
	{VMCS_HOST_ES_SELECTOR, CR_H6_es_rpl_ti},
	{VMCS_HOST_CS_SELECTOR, CR_H6_cs_rpl_ti},
	{VMCS_HOST_SS_SELECTOR, CR_H6_ss_rpl_ti},
	{VMCS_HOST_DS_SELECTOR, CR_H6_ds_rpl_ti},
	{VMCS_HOST_FS_SELECTOR, CR_H6_fs_rpl_ti},
	{VMCS_HOST_GS_SELECTOR, CR_H6_gs_rpl_ti},
	{VMCS_HOST_TR_SELECTOR, CR_H6_tr_rpl_ti},
};

/* The host base fields that must be canonical, with their H7 rules. */
static const struct {
	uint32_t field;
	enum vmcs_check_rule rule;
} host_bases[] = {
	{VMCS_HOST_FS_BASE, CR_H7_fs_base},
	{VMCS_HOST_GS_BASE, CR_H7_gs_base},
	{VMCS_HOST_GDTR_BASE, CR_H7_gdtr_base},
	{VMCS_HOST_IDTR_BASE, CR_H7_idtr_base},
	{VMCS_HOST_TR_BASE, CR_H7_tr_base},
};

/* SDM Vol. 3C 27.2.3: host segment and descriptor-table registers. */
static bool ck_host_segments(struct vmcs_ck *c)
{
	bool host64 = (c->exit & EXIT_HOST_ADDR_SPACE_SIZE) != 0;
	uint64_t v;

	for (size_t i = 0; i < sizeof(host_sels) / sizeof(host_sels[0]); i++) {
		v = vmcs_ck_read(c, host_sels[i].field);
		if ((v & SEL_RPL_TI) != 0)
			return vmcs_ck_fail(c, host_sels[i].rule,
					    host_sels[i].field, v);
	}
	v = vmcs_ck_read(c, VMCS_HOST_CS_SELECTOR);
	CK(c, H6_cs_null, VMCS_HOST_CS_SELECTOR, v, v != 0);
	v = vmcs_ck_read(c, VMCS_HOST_TR_SELECTOR);
	CK(c, H6_tr_null, VMCS_HOST_TR_SELECTOR, v, v != 0);
	v = vmcs_ck_read(c, VMCS_HOST_SS_SELECTOR);
	CK(c, H6_ss_null, VMCS_HOST_SS_SELECTOR, v, host64 || v != 0);
	for (size_t i = 0; i < sizeof(host_bases) / sizeof(host_bases[0]);
	     i++) {
		v = vmcs_ck_read(c, host_bases[i].field);
		if (!vmcs_ck_canonical(c, v))
			return vmcs_ck_fail(c, host_bases[i].rule,
					    host_bases[i].field, v);
	}
	return true;
}

/* SDM Vol. 3C 27.2.4: address-space size ("IA-32e mode" = EFER.LMA). */
static bool ck_host_address_space(struct vmcs_ck *c)
{
	bool host64 = (c->exit & EXIT_HOST_ADDR_SPACE_SIZE) != 0;
	uint64_t cr4 = vmcs_ck_read(c, VMCS_HOST_CR4);
	uint64_t rip = vmcs_ck_read(c, VMCS_HOST_RIP);

	if (!c->ia32e) {
		CK(c, H1_outside_ia32e_guest, VMCS_VM_ENTRY_CONTROLS, c->entry,
		   !(c->entry & ENTRY_IA32E_MODE_GUEST));
		CK(c, H1_outside_ia32e_host, VMCS_VM_EXIT_CONTROLS, c->exit,
		   !host64);
	} else {
		CK(c, H1_ia32e_host_size, VMCS_VM_EXIT_CONTROLS, c->exit,
		   host64);
	}
	if (!host64) {
		CK(c, H8_pcide_32bit_host, VMCS_HOST_CR4, cr4,
		   !(cr4 & X86_CR4_PCIDE));
		CK(c, H8_rip_32bit_host, VMCS_HOST_RIP, rip, (rip >> 32) == 0);
	} else {
		CK(c, H8_pae, VMCS_HOST_CR4, cr4, cr4 & X86_CR4_PAE);
		CK(c, H8_rip_canonical, VMCS_HOST_RIP, rip,
		   vmcs_ck_canonical(c, rip));
	}
	return true;
}

bool vmcs_ck_host(struct vmcs_ck *c)
{
	return ck_host_cr_msr(c) && ck_host_segments(c) &&
	       ck_host_address_space(c);
}
