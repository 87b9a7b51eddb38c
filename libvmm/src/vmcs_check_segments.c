// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The checker's guest segment-register rules (SDM Vol. 3C 27.3.1.2, VM exit
 * 33), in the SDM's order: selectors, bases, limits, access rights (each
 * kind over CS, SS, DS, ES, FS, GS as the SDM lists them), then TR and LDTR.
 * The failing field is the one the rule is about: the selector for RPL/TI
 * rules, the base for base rules, the access rights otherwise.
 */
#include "vmcs_check_internal.h"

/* struct vmm_seg order: ES CS SS DS FS GS LDTR TR, encodings +2 apart. */
#define SEL_FIELD(i) (VMCS_GUEST_ES_SELECTOR + 2u * (i))
#define BASE_FIELD(i) (VMCS_GUEST_ES_BASE + 2u * (i))
#define LIMIT_FIELD(i) (VMCS_GUEST_ES_LIMIT + 2u * (i))
#define AR_FIELD(i) (VMCS_GUEST_ES_AR_BYTES + 2u * (i))

/* Code/data segment type bits (SDM Vol. 3A 3.4.5.1). */
#define TYPE_ACCESSED 1u
#define TYPE_READABLE 2u
#define TYPE_CODE 8u
#define AR_TYPE(ar) ((unsigned)(ar)&AR_TYPE_MASK)
#define AR_DPL(ar) ((unsigned)((ar) >> AR_DPL_SHIFT) & 3u)
#define AR_RESERVED_11_8 0xF00u
#define AR_RESERVED_31_17 0xFFFE0000u

/* The order in which the SDM lists CS, SS and the data segments. */
static const uint8_t order[] = {VMM_SEG_CS, VMM_SEG_SS, VMM_SEG_DS,
				VMM_SEG_ES, VMM_SEG_FS, VMM_SEG_GS};
#define NORDER (sizeof(order) / sizeof(order[0]))

static bool usable(const struct vmm_segment *s)
{
	return (s->ar & AR_UNUSABLE) == 0;
}

/* CS always, the others when usable. */
static bool checked(const struct vmm_segment *s, unsigned i)
{
	return i == VMM_SEG_CS || usable(&s[i]);
}

/* Limit bits 11:0 not all ones need G = 0; bits 31:20 set need G = 1. */
static bool granularity_ok(const struct vmm_segment *s)
{
	if ((s->limit & 0xFFFu) != 0xFFFu && (s->ar & AR_G))
		return false;
	return (s->limit & 0xFFF00000u) == 0 || (s->ar & AR_G);
}

/* Fails @p rule on the access rights of segment @p i unless @p ok. */
#define CK_AR(c, rule, s, i, ok) CK(c, rule, AR_FIELD(i), (s)[i].ar, ok)

static bool ck_types_and_dpl(struct vmcs_ck *c, const struct vmm_segment *s,
			     bool unrestricted, bool pe)
{
	unsigned cs_type = AR_TYPE(s[VMM_SEG_CS].ar);
	unsigned ss_dpl = AR_DPL(s[VMM_SEG_SS].ar);

	CK_AR(c, G8_cs_type, s, VMM_SEG_CS,
	      cs_type == 9 || cs_type == 11 || cs_type == 13 || cs_type == 15 ||
		      (unrestricted && cs_type == 3));
	if (usable(&s[VMM_SEG_SS]))
		CK_AR(c, G8_ss_type, s, VMM_SEG_SS,
		      AR_TYPE(s[VMM_SEG_SS].ar) == 3 ||
			      AR_TYPE(s[VMM_SEG_SS].ar) == 7);
	for (unsigned k = 2; k < NORDER; k++) {
		unsigned i = order[k], t = AR_TYPE(s[i].ar);

		if (!usable(&s[i]))
			continue;
		CK_AR(c, G8_data_accessed, s, i, t & TYPE_ACCESSED);
		CK_AR(c, G8_code_readable, s, i,
		      !(t & TYPE_CODE) || (t & TYPE_READABLE));
	}
	for (unsigned k = 0; k < NORDER; k++)
		if (checked(s, order[k]))
			CK_AR(c, G7_s_bit, s, order[k], s[order[k]].ar & AR_S);
	if (cs_type == 3)
		CK_AR(c, G8_cs_dpl_type3, s, VMM_SEG_CS,
		      AR_DPL(s[VMM_SEG_CS].ar) == 0);
	else if (cs_type == 9 || cs_type == 11)
		CK_AR(c, G8_cs_dpl_nonconforming, s, VMM_SEG_CS,
		      AR_DPL(s[VMM_SEG_CS].ar) == ss_dpl);
	else
		CK_AR(c, G8_cs_dpl_conforming, s, VMM_SEG_CS,
		      AR_DPL(s[VMM_SEG_CS].ar) <= ss_dpl);
	if (!unrestricted)
		CK_AR(c, G8_ss_dpl_rpl, s, VMM_SEG_SS,
		      ss_dpl == (s[VMM_SEG_SS].selector & 3u));
	if (cs_type == 3 || !pe)
		CK_AR(c, G8_ss_dpl_real, s, VMM_SEG_SS, ss_dpl == 0);
	for (unsigned k = 2; k < NORDER; k++) {
		unsigned i = order[k];

		if (!unrestricted && usable(&s[i]) && AR_TYPE(s[i].ar) <= 11)
			CK_AR(c, G8_data_dpl_rpl, s, i,
			      AR_DPL(s[i].ar) >= (s[i].selector & 3u));
	}
	return true;
}

static bool ck_access_rights(struct vmcs_ck *c, const struct vmm_segment *s,
			     bool unrestricted, bool ia32e, bool pe)
{
	if (!ck_types_and_dpl(c, s, unrestricted, pe))
		return false;
	for (unsigned k = 0; k < NORDER; k++)
		if (checked(s, order[k]))
			CK_AR(c, G7_present, s, order[k],
			      s[order[k]].ar & AR_P);
	for (unsigned k = 0; k < NORDER; k++)
		if (checked(s, order[k]))
			CK_AR(c, G7_ar_reserved_11_8, s, order[k],
			      (s[order[k]].ar & AR_RESERVED_11_8) == 0);
	if (ia32e && (s[VMM_SEG_CS].ar & AR_L))
		CK_AR(c, G8_cs_l_d, s, VMM_SEG_CS, !(s[VMM_SEG_CS].ar & AR_DB));
	for (unsigned k = 0; k < NORDER; k++)
		if (checked(s, order[k]))
			CK_AR(c, G7_granularity, s, order[k],
			      granularity_ok(&s[order[k]]));
	for (unsigned k = 0; k < NORDER; k++)
		if (checked(s, order[k]))
			CK_AR(c, G7_ar_reserved_31_17, s, order[k],
			      (s[order[k]].ar & AR_RESERVED_31_17) == 0);
	return true;
}

static bool ck_tr_ldtr(struct vmcs_ck *c, const struct vmm_segment *s,
		       bool ia32e)
{
	const unsigned tr = VMM_SEG_TR, ldtr = VMM_SEG_LDTR;
	const uint32_t reserved = AR_RESERVED_11_8 | AR_RESERVED_31_17;

	/* TR: a busy TSS, the 16-bit one only outside IA-32e mode. */
	CK_AR(c, G9_tr_type, s, tr,
	      AR_TYPE(s[tr].ar) == 11 || (!ia32e && AR_TYPE(s[tr].ar) == 3));
	CK_AR(c, G9_tr_s, s, tr, !(s[tr].ar & AR_S));
	CK_AR(c, G9_tr_present, s, tr, s[tr].ar & AR_P);
	CK_AR(c, G9_tr_ar_reserved, s, tr, (s[tr].ar & reserved) == 0);
	CK_AR(c, G9_tr_granularity, s, tr, granularity_ok(&s[tr]));
	CK_AR(c, G9_tr_unusable, s, tr, usable(&s[tr]));
	if (!usable(&s[ldtr]))
		return true;
	CK_AR(c, G9_ldtr_type, s, ldtr, AR_TYPE(s[ldtr].ar) == 2);
	CK_AR(c, G9_ldtr_s, s, ldtr, !(s[ldtr].ar & AR_S));
	CK_AR(c, G9_ldtr_present, s, ldtr, s[ldtr].ar & AR_P);
	CK_AR(c, G9_ldtr_ar_reserved, s, ldtr, (s[ldtr].ar & reserved) == 0);
	CK_AR(c, G9_ldtr_granularity, s, ldtr, granularity_ok(&s[ldtr]));
	return true;
}

/* Bases: canonical where 64-bit, bits 63:32 zero where 32-bit. */
static bool ck_bases(struct vmcs_ck *c, const struct vmm_segment *s)
{
	static const uint8_t high[] = {VMM_SEG_CS, VMM_SEG_SS, VMM_SEG_DS,
				       VMM_SEG_ES};
	static const uint8_t high_rule[] = {
		CR_G7_cs_base_high, CR_G7_ss_base_high, CR_G7_ds_base_high,
		CR_G7_es_base_high};

	CK(c, G9_tr_base, BASE_FIELD(VMM_SEG_TR), s[VMM_SEG_TR].base,
	   vmcs_ck_canonical(c, s[VMM_SEG_TR].base));
	CK(c, G7_fs_base, BASE_FIELD(VMM_SEG_FS), s[VMM_SEG_FS].base,
	   vmcs_ck_canonical(c, s[VMM_SEG_FS].base));
	CK(c, G7_gs_base, BASE_FIELD(VMM_SEG_GS), s[VMM_SEG_GS].base,
	   vmcs_ck_canonical(c, s[VMM_SEG_GS].base));
	if (usable(&s[VMM_SEG_LDTR]))
		CK(c, G9_ldtr_base, BASE_FIELD(VMM_SEG_LDTR),
		   s[VMM_SEG_LDTR].base,
		   vmcs_ck_canonical(c, s[VMM_SEG_LDTR].base));
	for (unsigned k = 0; k < sizeof(high); k++) {
		unsigned i = high[k];

		/* CS always; SS, DS, ES when usable. */
		if ((i == VMM_SEG_CS || usable(&s[i])) && (s[i].base >> 32))
			return vmcs_ck_fail(c,
					    (enum vmcs_check_rule)high_rule[k],
					    BASE_FIELD(i), s[i].base);
	}
	return true;
}

/* Virtual-8086 guest: base = selector << 4, limit 0xFFFF, AR 0xF3. */
static bool ck_v86(struct vmcs_ck *c, const struct vmm_segment *s, bool bases)
{
	for (unsigned k = 0; k < NORDER && bases; k++) {
		unsigned i = order[k];

		CK(c, G6_v86_base, BASE_FIELD(i), s[i].base,
		   s[i].base == (uint64_t)s[i].selector << 4);
	}
	for (unsigned k = 0; k < NORDER && !bases; k++) {
		unsigned i = order[k];

		CK(c, G6_v86_limit, LIMIT_FIELD(i), s[i].limit,
		   s[i].limit == 0xFFFFu);
	}
	for (unsigned k = 0; k < NORDER && !bases; k++)
		CK_AR(c, G6_v86_ar, s, order[k], s[order[k]].ar == 0xF3u);
	return true;
}

bool vmcs_ck_guest_segments(struct vmcs_ck *c)
{
	struct vmm_segment s[VMM_SEG_COUNT];
	bool unrestricted = (c->sec & SEC_UNRESTRICTED_GUEST) != 0;
	bool ia32e = (c->entry & ENTRY_IA32E_MODE_GUEST) != 0;
	bool v86 = (vmcs_ck_read(c, VMCS_GUEST_RFLAGS) & X86_RFLAGS_VM) != 0;
	bool pe = (vmcs_ck_read(c, VMCS_GUEST_CR0) & X86_CR0_PE) != 0;

	for (unsigned i = 0; i < VMM_SEG_COUNT; i++) {
		s[i].selector = (uint16_t)vmcs_ck_read(c, SEL_FIELD(i));
		s[i].base = vmcs_ck_read(c, BASE_FIELD(i));
		s[i].limit = (uint32_t)vmcs_ck_read(c, LIMIT_FIELD(i));
		s[i].ar = (uint32_t)vmcs_ck_read(c, AR_FIELD(i));
	}
	/* Selectors: TI of TR and a usable LDTR; RPL of SS = RPL of CS. */
	CK(c, G9_tr_ti, SEL_FIELD(VMM_SEG_TR), s[VMM_SEG_TR].selector,
	   !(s[VMM_SEG_TR].selector & 4u));
	if (usable(&s[VMM_SEG_LDTR]))
		CK(c, G9_ldtr_ti, SEL_FIELD(VMM_SEG_LDTR),
		   s[VMM_SEG_LDTR].selector, !(s[VMM_SEG_LDTR].selector & 4u));
	if (!v86 && !unrestricted)
		CK(c, G8_ss_rpl_cs_rpl, SEL_FIELD(VMM_SEG_SS),
		   s[VMM_SEG_SS].selector,
		   (s[VMM_SEG_SS].selector & 3u) ==
			   (s[VMM_SEG_CS].selector & 3u));
	if ((v86 && !ck_v86(c, s, true)) || !ck_bases(c, s))
		return false;
	if (v86) {
		if (!ck_v86(c, s, false))
			return false;
	} else if (!ck_access_rights(c, s, unrestricted, ia32e, pe)) {
		return false;
	}
	return ck_tr_ldtr(c, s, ia32e);
}
