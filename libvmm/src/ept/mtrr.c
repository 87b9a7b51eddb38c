// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * TEMPORARY (branch ept): a minimal MTRR reader until branch `mtrr` is
 * merged (see mtrr.h). SDM Vol. 3A 12.11.
 */
#include "mtrr.h"

#include "../vmm_internal.h"

#define MSR_MTRRCAP 0xFEu
#define MSR_MTRR_DEF_TYPE 0x2FFu
#define MSR_MTRR_PHYSBASE0 0x200u
#define MTRRCAP_VCNT(v) ((unsigned)((v)&0xFFu))
#define MTRRCAP_FIX BIT64(8)
#define DEF_TYPE_E BIT64(11)
#define DEF_TYPE_FE BIT64(10)
#define PHYSMASK_VALID BIT64(11)
#define ONE_MIB UINT64_C(0x100000)

static const uint32_t fixed_msr[VMM_MTRR_FIXED_MSRS] = {
	0x250, 0x258, 0x259, 0x268, 0x269, 0x26A,
	0x26B, 0x26C, 0x26D, 0x26E, 0x26F,
};

int vmm_mtrr_read(struct vmm_mtrr_state *s)
{
	uint64_t cap, def;
	unsigned width = vmm_phys_width();

	vmm_zero(s, sizeof(*s));
	if (width == 0)
		return VMM_ERR_PHYS_WIDTH;
	if (cpu_rdmsr_safe(MSR_MTRRCAP, &cap) != CPU_SAFE_OK ||
	    cpu_rdmsr_safe(MSR_MTRR_DEF_TYPE, &def) != CPU_SAFE_OK)
		return VMM_ERR_HOST_MSR;
	s->phys_mask = ((UINT64_C(1) << width) - 1) & ~UINT64_C(0xFFF);
	s->enabled = (def & DEF_TYPE_E) != 0;
	s->def_type = (uint8_t)(def & 0xFFu);
	s->fixed_enabled = (def & DEF_TYPE_FE) != 0 && (cap & MTRRCAP_FIX);
	s->nvar = (uint8_t)MTRRCAP_VCNT(cap);
	if (s->nvar > VMM_MTRR_VAR_MAX)
		s->nvar = VMM_MTRR_VAR_MAX;
	for (unsigned i = 0; s->fixed_enabled && i < VMM_MTRR_FIXED_MSRS; i++)
		if (cpu_rdmsr_safe(fixed_msr[i], &s->fixed[i]) != CPU_SAFE_OK)
			return VMM_ERR_HOST_MSR;
	for (unsigned i = 0; i < s->nvar; i++)
		if (cpu_rdmsr_safe(MSR_MTRR_PHYSBASE0 + 2 * i,
				   &s->var_base[i]) != CPU_SAFE_OK ||
		    cpu_rdmsr_safe(MSR_MTRR_PHYSBASE0 + 2 * i + 1,
				   &s->var_mask[i]) != CPU_SAFE_OK)
			return VMM_ERR_HOST_MSR;
	return VMM_OK;
}

/* The fixed-range type of the 4 KiB page at @p pa (< 1 MiB). */
static uint8_t fixed_type(const struct vmm_mtrr_state *s, uint64_t pa)
{
	unsigned msr, sub;

	if (pa < 0x80000u) {
		msr = 0;
		sub = (unsigned)(pa >> 16);
	} else if (pa < 0xC0000u) {
		msr = 1 + (unsigned)((pa - 0x80000u) >> 17);
		sub = (unsigned)((pa >> 14) & 7u);
	} else {
		msr = 3 + (unsigned)((pa - 0xC0000u) >> 15);
		sub = (unsigned)((pa >> 12) & 7u);
	}
	return (uint8_t)(s->fixed[msr] >> (sub * 8));
}

/* Variable-range type of the naturally aligned block; false if mixed. */
static bool var_type(const struct vmm_mtrr_state *s, uint64_t base,
		     uint64_t size, uint8_t *type)
{
	bool any = false, same = true, uc = false, wt_wb_only = true;
	uint8_t first = 0;

	for (unsigned i = 0; i < s->nvar; i++) {
		uint64_t m = s->var_mask[i] & s->phys_mask;
		uint8_t t = (uint8_t)(s->var_base[i] & 0xFFu);

		if ((s->var_mask[i] & PHYSMASK_VALID) == 0)
			continue;
		/* No address of the block matches when the bits above it
		 * differ; when they agree, mask bits inside it mean that
		 * only part of it matches. */
		if ((base & m & ~(size - 1)) !=
		    (s->var_base[i] & m & ~(size - 1)))
			continue;
		if ((m & (size - 1)) != 0)
			return false;
		if (any && t != first)
			same = false;
		if (!any)
			first = t;
		any = true;
		uc = uc || t == VMM_MTRR_UC;
		wt_wb_only =
			wt_wb_only && (t == VMM_MTRR_WT || t == VMM_MTRR_WB);
	}
	/* SDM Vol. 3A 12.11.4.1: UC wins, WT+WB gives WT, others undefined
	 * (UC here). */
	*type = !any	     ? s->def_type
		: uc	     ? (uint8_t)VMM_MTRR_UC
		: same	     ? first
		: wt_wb_only ? (uint8_t)VMM_MTRR_WT
			     : (uint8_t)VMM_MTRR_UC;
	return true;
}

/* One naturally aligned power-of-two block. */
static bool block_type(const struct vmm_mtrr_state *s, uint64_t base,
		       uint64_t size, uint8_t *type)
{
	uint8_t t;

	if (!s->enabled) {
		*type = VMM_MTRR_UC;
		return true;
	}
	if (s->fixed_enabled && base < ONE_MIB) {
		if (base + size > ONE_MIB)
			return false;
		*type = fixed_type(s, base);
		for (uint64_t pa = base + 0x1000u; pa < base + size;
		     pa += 0x1000u)
			if (fixed_type(s, pa) != *type)
				return false;
		return true;
	}
	if (!var_type(s, base, size, &t))
		return false;
	*type = t;
	return true;
}

bool vmm_mtrr_range_type(const struct vmm_mtrr_state *s, uint64_t base,
			 uint64_t size, uint8_t *type)
{
	bool have = false;
	uint8_t t = 0;

	if (size == 0 || ((base | size) & 0xFFFu) != 0 || base + size < base)
		return false;
	while (size != 0) {
		/* The largest naturally aligned block at base. */
		uint64_t blk = base == 0 ? UINT64_C(1) << 62 : base & -base;
		uint8_t bt;

		while (blk > size)
			blk >>= 1;
		if (!block_type(s, base, blk, &bt))
			return false;
		if (have && bt != t)
			return false;
		have = true;
		t = bt;
		base += blk;
		size -= blk;
	}
	*type = t;
	return true;
}
