// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Memory types from the MTRRs, exactly as SDM Vol. 3A 12.11 defines them
 * (docs/ept.md, "Memory types"):
 *
 * - IA32_MTRR_DEF_TYPE.E = 0: every address is UC (12.11.2.1).
 * - Below 1 MiB, when IA32_MTRR_DEF_TYPE.FE = 1 and IA32_MTRRCAP.FIX = 1,
 *   the fixed-range MTRRs give the type and override the variable ranges
 *   (12.11.2.1, 12.11.2.2, 12.11.4.1 rule 1). FE = 0 or no fixed ranges:
 *   the variable ranges and the default type apply there as anywhere.
 * - Otherwise a variable range n matches an address A when its PHYSMASKn.V
 *   is set and (A AND PhysMask) = (PhysBase AND PhysMask) (12.11.2.3),
 *   PhysMask and PhysBase being bits MAXPHYADDR-1:12. Masks need not be
 *   contiguous: the SDM defines the match by that equation alone, and the
 *   addresses a discontinuous mask leaves out get the default type.
 * - No range matches: the default type. One, or several of one type: that
 *   type. Several, one of them UC: UC. Only WT and WB: WT. Any other
 *   overlap is undefined by the SDM (12.11.4.1 rule 2): Flank chooses UC,
 *   the type that never caches what must not be cached.
 * - The SMRR (IA32_SMRR_PHYSBASE/PHYSMASK) is not a variable MTRR and is
 *   never consulted (12.11.2.4).
 * - A type field holding a reserved encoding (2, 3, 7-255), or WC when
 *   IA32_MTRRCAP.WC = 0, cannot have been written (WRMSR raises #GP,
 *   12.11.1, 12.11.2.1-3); if one is found anyway it is taken as UC, and
 *   vmm_mtrr_read() counts it with every reserved bit found set.
 *
 * vmm_mtrr_range_type() decides a range without looking at every 4 KiB
 * page: it walks the range's naturally aligned blocks and, inside a block
 * that a variable range covers only in part, splits only at the address
 * bits that some such range's mask constrains. The walk is a depth-first
 * traversal of that binary split tree kept in one 64-bit word of pending
 * right halves: no recursion, no stack array, every loop bounded.
 */
#include "mtrr.h"

#include "flank/intrinsics.h"
#include "flank/vmm_status.h"
#include "../vmm_internal.h"

#define PAGE_SHIFT 12u
#define ONE_MIB UINT64_C(0x100000)
#define TYPE_NONE 0xFFu

/* ------------------------------------------------------------- types */

/* A type field a WRMSR could have written (SDM Vol. 3A Table 12-8, and WC
 * only with IA32_MTRRCAP.WC, 12.11.1). */
static bool type_valid(const struct vmm_mtrr_state *s, uint64_t t)
{
	switch (t) {
	case VMM_MTRR_UC:
	case VMM_MTRR_WT:
	case VMM_MTRR_WP:
	case VMM_MTRR_WB:
		return true;
	case VMM_MTRR_WC:
		return (s->cap & VMM_MTRRCAP_WC) != 0;
	default:
		return false;
	}
}

/* The type a field stands for: itself, or UC when invalid. */
static uint8_t type_eff(const struct vmm_mtrr_state *s, uint64_t t)
{
	return type_valid(s, t) ? (uint8_t)t : (uint8_t)VMM_MTRR_UC;
}

/*
 * The type of an address matched by the variable ranges whose (effective)
 * types are the bits of @p set (bit t for type t); 0: none matched.
 * SDM Vol. 3A 12.11.4.1 rule 2.
 */
static uint8_t combine(const struct vmm_mtrr_state *s, unsigned set)
{
	if (set == 0)
		return type_eff(s, s->def_type & VMM_MTRR_DEF_TYPE_MASK);
	if ((set & (set - 1)) == 0) { /* one type */
		uint8_t t = 0;
		while ((set >> t) != 1u)
			t++;
		return t;
	}
	if (set & (1u << VMM_MTRR_UC))
		return VMM_MTRR_UC;
	if (set == ((1u << VMM_MTRR_WT) | (1u << VMM_MTRR_WB)))
		return VMM_MTRR_WT;
	/* Undefined by the SDM: Flank chooses UC (docs/ept.md). */
	return VMM_MTRR_UC;
}

/* --------------------------------------------------------- the ranges */

static bool mtrr_enabled(const struct vmm_mtrr_state *s)
{
	return (s->def_type & VMM_MTRR_DEF_E) != 0;
}

static bool fixed_enabled(const struct vmm_mtrr_state *s)
{
	return (s->def_type & VMM_MTRR_DEF_FE) != 0 &&
	       (s->cap & VMM_MTRRCAP_FIX) != 0;
}

/* Bits MAXPHYADDR-1:12: the PhysBase and PhysMask fields (12.11.2.3). */
static uint64_t phys_field(const struct vmm_mtrr_state *s)
{
	uint64_t below = s->maxphyaddr >= 64
				 ? UINT64_MAX
				 : (UINT64_C(1) << s->maxphyaddr) - 1;

	return below & ~((UINT64_C(1) << PAGE_SHIFT) - 1);
}

static unsigned var_count(const struct vmm_mtrr_state *s)
{
	return s->var_count < VMM_MTRR_MAX_VAR ? s->var_count
					       : VMM_MTRR_MAX_VAR;
}

/* Variable range @p i: false if not valid; else its mask, base and type. */
static bool var_get(const struct vmm_mtrr_state *s, unsigned i, uint64_t *m,
		    uint64_t *b, uint8_t *t)
{
	const struct vmm_mtrr_var *v = &s->var[i];

	if ((v->mask & VMM_MTRR_PHYSMASK_VALID) == 0)
		return false;
	*m = v->mask & phys_field(s);
	*b = v->base & *m;
	*t = type_eff(s, v->base & 0xFFu);
	return true;
}

/*
 * The fixed-range field of @p addr (< 1 MiB; SDM Vol. 3A 12.11.2.2, Table
 * 12-9): its type, and in *last the last address of its sub-range.
 */
static uint8_t fixed_type(const struct vmm_mtrr_state *s, uint64_t addr,
			  uint64_t *last)
{
	unsigned reg, field, shift;
	uint64_t off;

	if (addr < 0x80000u) { /* FIX64K_00000: 8 x 64 KiB */
		off = addr;
		shift = 16;
		reg = 0;
		field = (unsigned)(off >> shift);
	} else if (addr < 0xC0000u) { /* FIX16K_80000/A0000: 16 x 16 KiB */
		off = addr - 0x80000u;
		shift = 14;
		reg = 1 + (unsigned)(off >> 17);
		field = (unsigned)(off >> shift) & 7u;
	} else { /* FIX4K_C0000..F8000: 64 x 4 KiB */
		off = addr - 0xC0000u;
		shift = 12;
		reg = 3 + (unsigned)(off >> 15);
		field = (unsigned)(off >> shift) & 7u;
	}
	*last = (addr | ((UINT64_C(1) << shift) - 1));
	return type_eff(s, (s->fixed[reg] >> (8u * field)) & 0xFFu);
}

uint8_t vmm_mtrr_page_type(const struct vmm_mtrr_state *s, uint64_t addr)
{
	unsigned set = 0;
	uint64_t last;

	if (!mtrr_enabled(s))
		return VMM_MTRR_UC;
	if (addr < ONE_MIB && fixed_enabled(s))
		return fixed_type(s, addr, &last);
	for (unsigned i = 0; i < var_count(s); i++) {
		uint64_t m, b;
		uint8_t t;

		if (var_get(s, i, &m, &b, &t) && (addr & m) == b)
			set |= 1u << t;
	}
	return combine(s, set);
}

/* ------------------------------------------------------ range decision */

/* Folds one more uniform piece of type @p t into @p acc; false: mixed. */
static bool merge(uint8_t *acc, uint8_t t)
{
	if (*acc == TYPE_NONE)
		*acc = t;
	return *acc == t;
}

/*
 * Every type an address of a block can have, when the ranges fully
 * covering the block have the types @p full and the ones covering part of
 * it the types @p part: combine(full | sub) for each subset sub of part
 * (which subsets occur depends on the masks; taking them all can only say
 * "not known uniform", never a wrong type). True and *t if all agree.
 */
static bool block_uniform(const struct vmm_mtrr_state *s, unsigned full,
			  unsigned part, uint8_t *t)
{
	unsigned sub = part;
	uint8_t first = combine(s, full | sub);

	/* At most 2^5 subsets: part holds bits of the 5 valid types only. */
	while (sub != 0) {
		sub = (sub - 1) & part;
		if (combine(s, full | sub) != first)
			return false;
	}
	*t = first;
	return true;
}

/*
 * Classifies the variable ranges for the block of 2^k bytes at @p a (a a
 * multiple of 2^k): types of the ranges covering all of it in *full, of
 * those covering part of it in *part, and returns the union of the mask
 * bits below k of the partial ones (0: none is partial).
 */
static uint64_t block_classify(const struct vmm_mtrr_state *s, uint64_t a,
			       unsigned k, unsigned *full, unsigned *part)
{
	uint64_t low = (UINT64_C(1) << k) - 1;
	uint64_t split = 0;

	*full = 0;
	*part = 0;
	for (unsigned i = 0; i < var_count(s); i++) {
		uint64_t m, b;
		uint8_t t;

		if (!var_get(s, i, &m, &b, &t) || ((a ^ b) & m & ~low) != 0)
			continue; /* not valid, or no address matches */
		if ((m & low) == 0) {
			*full |= 1u << t;
		} else {
			*part |= 1u << t;
			split |= m & low;
		}
	}
	return split;
}

static unsigned top_bit(uint64_t v)
{
	unsigned j = 63;

	while ((v >> j) == 0)
		j--;
	return j;
}

static unsigned low_bit(uint64_t v)
{
	unsigned j = 0;

	while (((v >> j) & 1u) == 0)
		j++;
	return j;
}

/*
 * The variable-range types of the aligned block of 2^k bytes at @p a
 * (12 <= k <= 63), folded into @p acc; false as soon as two differ.
 *
 * A node (a, k) whose partial ranges constrain mask bits with highest bit j
 * has all its sub-blocks of 2^(j+1) bytes alike (bits j+1..k-1 matter to no
 * range), so it is decided by its two halves (a, j) and (a + 2^j, j). The
 * depth-first walk visits the left half first and records the right one in
 * @p pending (bit j); the deepest pending half is at the lowest set bit.
 * Each node lowers k, so the walk ends; for contiguous masks it visits
 * O(VCNT x 52) nodes, never one per 4 KiB page unless the masks force it.
 */
static bool block_types(const struct vmm_mtrr_state *s, uint64_t a, unsigned k,
			uint8_t *acc)
{
	uint64_t pending = 0;

	for (;;) {
		unsigned full, part, j;
		uint64_t split = block_classify(s, a, k, &full, &part);
		uint8_t t;

		if (split == 0 || block_uniform(s, full, part, &t)) {
			if (split == 0)
				t = combine(s, full);
			if (!merge(acc, t))
				return false;
			if (pending == 0)
				return true;
			j = low_bit(pending);
			pending &= ~(UINT64_C(1) << j);
			a = (a & ~((UINT64_C(2) << j) - 1)) |
			    (UINT64_C(1) << j);
			k = j;
			continue;
		}
		/* split != 0 only holds bits >= 12 and < k. */
		j = top_bit(split);
		pending |= UINT64_C(1) << j;
		k = j;
	}
}

/* Largest k with @p a a multiple of 2^k and a + 2^k - 1 <= @p last. */
static unsigned block_order(uint64_t a, uint64_t last)
{
	/* Bytes left; no overflow: a range is at most 2^64 - 4 KiB long. */
	uint64_t bytes = last - a + 1;
	unsigned k = PAGE_SHIFT;

	while (k < 63 && (a & ((UINT64_C(1) << (k + 1)) - 1)) == 0 &&
	       (bytes >> (k + 1)) != 0)
		k++;
	return k;
}

bool vmm_mtrr_range_type(const struct vmm_mtrr_state *s, uint64_t base,
			 uint64_t size, uint8_t *type)
{
	uint8_t acc = TYPE_NONE;
	uint64_t last, a = base;

	if (s == NULL || type == NULL || size == 0 ||
	    ((base | size) & ((UINT64_C(1) << PAGE_SHIFT) - 1)) != 0 ||
	    size - 1 > UINT64_MAX - base)
		return false;
	last = base + (size - 1);
	if (!mtrr_enabled(s)) {
		*type = VMM_MTRR_UC;
		return true;
	}
	/* Below 1 MiB: at most 88 fixed sub-ranges. */
	while (fixed_enabled(s) && a < ONE_MIB && a <= last) {
		uint64_t end;

		if (!merge(&acc, fixed_type(s, a, &end)))
			return false;
		a = end + 1;
	}
	/* The rest: at most 2 x 52 aligned blocks, each walked; the last one
	 * ends at last, so a never wraps. */
	while (a <= last) {
		unsigned k = block_order(a, last);

		if (!block_types(s, a, k, &acc))
			return false;
		if (last - a < (UINT64_C(1) << k))
			break; /* that block ended at last */
		a += UINT64_C(1) << k;
	}
	*type = acc;
	return true;
}

/* ------------------------------------------------------------ reading */

/* Reserved bits of a type field's register, and an invalid type: each one
 * a value WRMSR refuses with #GP (SDM Vol. 3A 12.11.2.1-3). */
static uint32_t count_invalid(const struct vmm_mtrr_state *s)
{
	uint64_t field = phys_field(s);
	uint32_t n = 0;

	n += !type_valid(s, s->def_type & VMM_MTRR_DEF_TYPE_MASK);
	n += (s->def_type & ~(VMM_MTRR_DEF_TYPE_MASK | VMM_MTRR_DEF_FE |
			      VMM_MTRR_DEF_E)) != 0;
	if (s->cap & VMM_MTRRCAP_FIX) {
		for (unsigned f = 0; f < 8u * VMM_MTRR_FIXED_COUNT; f++)
			n += !type_valid(
				s, (s->fixed[f / 8] >> (8u * (f % 8))) & 0xFFu);
	}
	for (unsigned i = 0; i < var_count(s); i++) {
		const struct vmm_mtrr_var *v = &s->var[i];

		n += !type_valid(s, v->base & 0xFFu);
		n += (v->base & ~(field | 0xFFu)) != 0;
		n += (v->mask & ~(field | VMM_MTRR_PHYSMASK_VALID)) != 0;
	}
	return n;
}

/* MAXPHYADDR for the MTRR fields: CPUID.80000008H:EAX[7:0], or 36 when
 * the leaf does not exist (SDM Vol. 3A 12.11.2.3); 0 if out of range. */
static uint32_t mtrr_phys_width(void)
{
	struct cpu_cpuid_regs r;

	cpu_cpuid(0x80000000u, 0, &r);
	if (r.eax < 0x80000008u)
		return 36;
	cpu_cpuid(0x80000008u, 0, &r);
	if ((r.eax & 0xFFu) < 36 || (r.eax & 0xFFu) > 52)
		return 0; /* SDM Vol. 3A 4.1.4: at most 52 */
	return r.eax & 0xFFu;
}

static int read_msrs(struct vmm_mtrr_state *s)
{
	if (cpu_rdmsr_safe(MSR_IA32_MTRRCAP, &s->cap) != CPU_SAFE_OK ||
	    cpu_rdmsr_safe(MSR_IA32_MTRR_DEF_TYPE, &s->def_type) != CPU_SAFE_OK)
		return VMM_ERR_MTRR_MSR;
	if (VMM_MTRRCAP_VCNT(s->cap) > VMM_MTRR_MAX_VAR)
		return VMM_ERR_MTRR_VCNT;
	s->var_count = VMM_MTRRCAP_VCNT(s->cap);
	if (s->cap & VMM_MTRRCAP_FIX) {
		static const uint32_t fixed_msr[VMM_MTRR_FIXED_COUNT] = {
			MSR_IA32_MTRR_FIX64K_00000,
			MSR_IA32_MTRR_FIX16K_80000,
			MSR_IA32_MTRR_FIX16K_A0000,
			MSR_IA32_MTRR_FIX4K_C0000,
			MSR_IA32_MTRR_FIX4K_C0000 + 1,
			MSR_IA32_MTRR_FIX4K_C0000 + 2,
			MSR_IA32_MTRR_FIX4K_C0000 + 3,
			MSR_IA32_MTRR_FIX4K_C0000 + 4,
			MSR_IA32_MTRR_FIX4K_C0000 + 5,
			MSR_IA32_MTRR_FIX4K_C0000 + 6,
			MSR_IA32_MTRR_FIX4K_C0000 + 7,
		};
		for (unsigned r = 0; r < VMM_MTRR_FIXED_COUNT; r++) {
			if (cpu_rdmsr_safe(fixed_msr[r], &s->fixed[r]) !=
			    CPU_SAFE_OK)
				return VMM_ERR_MTRR_MSR;
		}
	}
	for (unsigned i = 0; i < s->var_count; i++) {
		if (cpu_rdmsr_safe(MSR_IA32_MTRR_PHYSBASE0 + 2 * i,
				   &s->var[i].base) != CPU_SAFE_OK ||
		    cpu_rdmsr_safe(MSR_IA32_MTRR_PHYSMASK0 + 2 * i,
				   &s->var[i].mask) != CPU_SAFE_OK)
			return VMM_ERR_MTRR_MSR;
	}
	return VMM_OK;
}

int vmm_mtrr_read(struct vmm_mtrr_state *s)
{
	struct cpu_cpuid_regs r;
	int status;

	if (s == NULL)
		return VMM_ERR_BAD_ARGUMENT;
	vmm_zero(s, sizeof(*s));
	cpu_cpuid(1, 0, &r);
	if ((r.edx & X86_CPUID1_EDX_MTRR) == 0)
		return VMM_ERR_NO_MTRR;
	s->maxphyaddr = mtrr_phys_width();
	if (s->maxphyaddr == 0)
		return VMM_ERR_PHYS_WIDTH;
	status = read_msrs(s);
	if (status != VMM_OK) {
		vmm_zero(s, sizeof(*s));
		return status;
	}
	s->invalid = count_invalid(s);
	return VMM_OK;
}

/* ---------------------------------------------------------- reporting */

const char *vmm_mtrr_type_name(uint8_t type)
{
	switch (type) {
	case VMM_MTRR_UC:
		return "uncachable";
	case VMM_MTRR_WC:
		return "write-combining";
	case VMM_MTRR_WT:
		return "write-through";
	case VMM_MTRR_WP:
		return "write-protect";
	case VMM_MTRR_WB:
		return "write-back";
	default:
		return "invalid";
	}
}

void vmm_mtrr_format(struct vmm_fmt *f, const struct vmm_mtrr_decision *d,
		     size_t count)
{
	for (size_t i = 0; i < count; i++) {
		vmm_fmt_hex(f, d[i].base);
		vmm_fmt_str(f, "-");
		vmm_fmt_hex(f, d[i].base + (d[i].size - 1));
		vmm_fmt_str(f, " ");
		vmm_fmt_str(f, d[i].uniform ? vmm_mtrr_type_name(d[i].type)
					    : "mixed");
		vmm_fmt_str(f, "\n");
	}
}
