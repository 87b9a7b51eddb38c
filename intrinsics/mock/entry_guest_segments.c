/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VM-entry checks on the guest segment registers (SDM Vol. 3C 27.3.1.2):
 * selectors, bases, limits, then access rights, each kind over CS, SS, DS,
 * ES, FS, GS in turn as the SDM lists them, then TR and LDTR. Failure: exit
 * 33, qualification 0. KVM leaves these checks to the hardware; they are
 * modelled here from the SDM.
 */
#include "entry_checks.h"

/* Indexes of the segment registers in the VMCS field list (ES..TR). */
enum gseg { GS_ES, GS_CS, GS_SS, GS_DS, GS_FS, GS_GS, GS_LDTR, GS_TR, GS_N };

struct guest_seg {
	uint16_t sel;
	uint64_t base;
	uint32_t limit;
	uint32_t ar;
};

/* Code/data segment type bits (SDM Vol. 3A 3.4.5.1). */
#define TYPE_ACCESSED 1u
#define TYPE_READABLE 2u
#define TYPE_CODE 8u

#define AR_TYPE(ar) ((ar)&AR_TYPE_MASK)
#define AR_DPL(ar) (((ar) >> AR_DPL_SHIFT) & 3u)
#define AR_RESERVED_11_8 0xF00u
#define AR_RESERVED_31_17 0xFFFE0000u

static void read_segs(const struct mock_vmcs *vmcs, struct guest_seg *s)
{
	for (unsigned i = 0; i < GS_N; i++) {
		s[i].sel = (uint16_t)vmcs->field[VIDX_GUEST_ES_SELECTOR + i];
		s[i].base = vmcs->field[VIDX_GUEST_ES_BASE + i];
		s[i].limit = (uint32_t)vmcs->field[VIDX_GUEST_ES_LIMIT + i];
		s[i].ar = (uint32_t)vmcs->field[VIDX_GUEST_ES_AR_BYTES + i];
	}
}

static bool usable(const struct guest_seg *s)
{
	return !(s->ar & AR_UNUSABLE);
}

/*
 * Limit and granularity agree: a limit with bits 11:0 not all ones needs
 * G = 0, a limit above 0xFFFFF needs G = 1.
 */
static bool granularity_ok(const struct guest_seg *s)
{
	if ((s->limit & 0xFFFu) != 0xFFFu && (s->ar & AR_G))
		return false;
	if ((s->limit & 0xFFF00000u) != 0 && !(s->ar & AR_G))
		return false;
	return true;
}

/* CS always, the others only when usable. */
static bool checked(const struct guest_seg *s, unsigned i)
{
	return i == GS_CS || usable(&s[i]);
}

/* The order in which the SDM lists the access-rights checks. */
static const unsigned cs_ss_data[] = {GS_CS, GS_SS, GS_DS, GS_ES, GS_FS, GS_GS};
#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool check_access_rights(const struct guest_seg *s, bool unrestricted,
				bool ia32e, bool pe,
				struct mock_check_failure *fail)
{
	unsigned cs_type = AR_TYPE(s[GS_CS].ar);
	unsigned ss_dpl = AR_DPL(s[GS_SS].ar);

	/* Type. */
	CHECK(G8, cs_type,
	      cs_type == 9 || cs_type == 11 || cs_type == 13 || cs_type == 15 ||
		      (unrestricted && cs_type == 3));
	if (usable(&s[GS_SS]))
		CHECK(G8, ss_type,
		      AR_TYPE(s[GS_SS].ar) == 3 || AR_TYPE(s[GS_SS].ar) == 7);
	for (unsigned k = 2; k < ARRAY_LEN(cs_ss_data); k++) {
		unsigned type = AR_TYPE(s[cs_ss_data[k]].ar);

		if (!usable(&s[cs_ss_data[k]]))
			continue;
		CHECK(G8, data_accessed, type & TYPE_ACCESSED);
		CHECK(G8, code_readable,
		      !(type & TYPE_CODE) || (type & TYPE_READABLE));
	}
	/* S: code or data segment. */
	for (unsigned k = 0; k < ARRAY_LEN(cs_ss_data); k++) {
		unsigned i = cs_ss_data[k];

		if (checked(s, i))
			CHECK(G7, s_bit, s[i].ar & AR_S);
	}
	/* DPL. */
	if (cs_type == 3)
		CHECK(G8, cs_dpl_type3, AR_DPL(s[GS_CS].ar) == 0);
	else if (cs_type == 9 || cs_type == 11)
		CHECK(G8, cs_dpl_nonconforming, AR_DPL(s[GS_CS].ar) == ss_dpl);
	else
		CHECK(G8, cs_dpl_conforming, AR_DPL(s[GS_CS].ar) <= ss_dpl);
	if (!unrestricted)
		CHECK(G8, ss_dpl_rpl, ss_dpl == (s[GS_SS].sel & 3u));
	if (cs_type == 3 || !pe)
		CHECK(G8, ss_dpl_real, ss_dpl == 0);
	for (unsigned k = 2; k < ARRAY_LEN(cs_ss_data); k++) {
		unsigned i = cs_ss_data[k];

		if (!unrestricted && usable(&s[i]) && AR_TYPE(s[i].ar) <= 11)
			CHECK(G8, data_dpl_rpl,
			      AR_DPL(s[i].ar) >= (s[i].sel & 3u));
	}
	/* P, reserved bits 11:8, D/B, G, reserved bits 31:17. */
	for (unsigned k = 0; k < ARRAY_LEN(cs_ss_data); k++) {
		unsigned i = cs_ss_data[k];

		if (checked(s, i))
			CHECK(G7, present, s[i].ar & AR_P);
	}
	for (unsigned k = 0; k < ARRAY_LEN(cs_ss_data); k++) {
		unsigned i = cs_ss_data[k];

		if (checked(s, i))
			CHECK(G7, ar_reserved_11_8,
			      (s[i].ar & AR_RESERVED_11_8) == 0);
	}
	if (ia32e && (s[GS_CS].ar & AR_L))
		CHECK(G8, cs_l_d, !(s[GS_CS].ar & AR_DB));
	for (unsigned k = 0; k < ARRAY_LEN(cs_ss_data); k++) {
		unsigned i = cs_ss_data[k];

		if (checked(s, i))
			CHECK(G7, granularity, granularity_ok(&s[i]));
	}
	for (unsigned k = 0; k < ARRAY_LEN(cs_ss_data); k++) {
		unsigned i = cs_ss_data[k];

		if (checked(s, i))
			CHECK(G7, ar_reserved_31_17,
			      (s[i].ar & AR_RESERVED_31_17) == 0);
	}
	return true;
}

static bool check_tr_ldtr(const struct guest_seg *s, bool ia32e,
			  struct mock_check_failure *fail)
{
	const struct guest_seg *tr = &s[GS_TR], *ldtr = &s[GS_LDTR];

	/* TR: a busy TSS, 16-bit only outside IA-32e mode. */
	CHECK(G9, tr_type,
	      AR_TYPE(tr->ar) == 11 || (!ia32e && AR_TYPE(tr->ar) == 3));
	CHECK(G9, tr_s, !(tr->ar & AR_S));
	CHECK(G9, tr_present, tr->ar & AR_P);
	CHECK(G9, tr_ar_reserved,
	      (tr->ar & (AR_RESERVED_11_8 | AR_RESERVED_31_17)) == 0);
	CHECK(G9, tr_granularity, granularity_ok(tr));
	CHECK(G9, tr_unusable, usable(tr));
	if (usable(ldtr)) {
		CHECK(G9, ldtr_type, AR_TYPE(ldtr->ar) == 2);
		CHECK(G9, ldtr_s, !(ldtr->ar & AR_S));
		CHECK(G9, ldtr_present, ldtr->ar & AR_P);
		CHECK(G9, ldtr_ar_reserved,
		      (ldtr->ar & (AR_RESERVED_11_8 | AR_RESERVED_31_17)) == 0);
		CHECK(G9, ldtr_granularity, granularity_ok(ldtr));
	}
	return true;
}

bool entry_check_guest_segments(const struct entry_caps *caps,
				const struct mock_vmcs *vmcs,
				struct mock_check_failure *fail)
{
	struct guest_seg s[GS_N];
	bool unrestricted = entry_secondary(vmcs) & SEC_UNRESTRICTED_GUEST;
	bool ia32e = entry_ia32e_guest(vmcs);
	bool v86 = VF(vmcs, GUEST_RFLAGS) & X86_RFLAGS_VM;
	bool pe = VF(vmcs, GUEST_CR0) & X86_CR0_PE;

	(void)caps;
	read_segs(vmcs, s);

	/* Selectors. */
	CHECK(G9, tr_ti, !(s[GS_TR].sel & 4u));
	if (usable(&s[GS_LDTR]))
		CHECK(G9, ldtr_ti, !(s[GS_LDTR].sel & 4u));
	if (!v86 && !unrestricted)
		CHECK(G8, ss_rpl_cs_rpl,
		      (s[GS_SS].sel & 3u) == (s[GS_CS].sel & 3u));

	/* Bases. */
	if (v86) {
		for (unsigned k = 0; k < ARRAY_LEN(cs_ss_data); k++) {
			unsigned i = cs_ss_data[k];

			CHECK(G6, v86_base,
			      s[i].base == (uint64_t)s[i].sel << 4);
		}
	}
	CHECK(G9, tr_base, mock_is_canonical(s[GS_TR].base));
	CHECK(G7, fs_base, mock_is_canonical(s[GS_FS].base));
	CHECK(G7, gs_base, mock_is_canonical(s[GS_GS].base));
	if (usable(&s[GS_LDTR]))
		CHECK(G9, ldtr_base, mock_is_canonical(s[GS_LDTR].base));
	CHECK(G7, cs_base_high, (s[GS_CS].base >> 32) == 0);
	if (usable(&s[GS_SS]))
		CHECK(G7, ss_base_high, (s[GS_SS].base >> 32) == 0);
	if (usable(&s[GS_DS]))
		CHECK(G7, ds_base_high, (s[GS_DS].base >> 32) == 0);
	if (usable(&s[GS_ES]))
		CHECK(G7, es_base_high, (s[GS_ES].base >> 32) == 0);

	/* Limits and access rights of a virtual-8086 guest. */
	if (v86) {
		for (unsigned k = 0; k < ARRAY_LEN(cs_ss_data); k++)
			CHECK(G6, v86_limit, s[cs_ss_data[k]].limit == 0xFFFFu);
		for (unsigned k = 0; k < ARRAY_LEN(cs_ss_data); k++)
			CHECK(G6, v86_ar, s[cs_ss_data[k]].ar == 0xF3u);
	} else if (!check_access_rights(s, unrestricted, ia32e, pe, fail)) {
		return false;
	}
	return check_tr_ldtr(s, ia32e, fail);
}
