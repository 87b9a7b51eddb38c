// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Memory operands of the VMX instructions in the linear address space:
 * segmentation, then IA-32e paging (4- and 5-level), as the instructions'
 * exception lists in SDM Vol. 3C 31.3 name them (#GP(0), #SS(0),
 * #PF(fault-code)).
 *
 * The intrinsics pass an operand's value (the real backend stores it in a
 * variable of its own, which the instruction then reads or writes). A test
 * that wants the instruction to reach its operand through the emulated
 * linear address space arms the next memory operand of the CPU with
 * mock_operand_at(SEG, OFFSET): the instruction then computes the linear
 * address from SEG and the effective address OFFSET with the segment
 * checks of the CPU's mode, translates it with the paging structures at
 * CR3 when CR0.PG = 1, and reads (or writes) the operand in emulated
 * physical memory, raising the exception the SDM names on the first check
 * that fails. Without mock_operand_at nothing here runs: the operand is the
 * intrinsic's argument, as it always was.
 *
 * What is not modelled: 32-bit and PAE paging (CR0.PG = 1 outside IA-32e
 * mode: a model violation PAGING.legacy_unmodelled), protection keys,
 * TLBs (every access walks the tables in memory), the operand of a VMREAD
 * or VMWRITE that a guest executes on the shadow VMCS (a model violation
 * OPERAND.nonroot_unmodelled).
 */
#include "mock_internal.h"

/* The operand armed by mock_operand_at for the next VMX instruction. */
static struct {
	bool armed;
	unsigned cpu;
	struct mock_operand op;
} pending;

void mock_paging_reset(void)
{
	pending.armed = false;
}

void mock_operand_at(enum mock_seg seg, uint64_t offset)
{
	if ((unsigned)seg > MOCK_SEG_GS) {
		mock_violation("OPERAND.bad_segment",
			       "mock_operand_at: a memory operand is addressed "
			       "through ES, CS, SS, DS, FS or GS");
		return;
	}
	pending.armed = true;
	pending.cpu = mock_current_cpu();
	pending.op = (struct mock_operand){true, seg, offset};
}

void mock_operand_take(const struct mock_cpu *c, struct mock_operand *o)
{
	*o = (struct mock_operand){false, MOCK_SEG_DS, 0};
	if (pending.armed && pending.cpu == c->id)
		*o = pending.op;
	pending.armed = false;
}

size_t mock_operand_size(const struct mock_cpu *c)
{
	/* SDM Vol. 3C 31.3 VMREAD/VMWRITE: 64 bits in 64-bit mode, 32
	 * outside it (compatibility mode is #UD before the operand). */
	return mock_in_64bit(c) ? 8u : 4u;
}

/* --------------------------------------------------------- segmentation */

static vmx_result_t seg_fault(enum mock_op op, enum mock_seg seg,
			      const char *gp_rule, const char *ss_rule)
{
	if (seg == MOCK_SEG_SS)
		return mock_raise_code(op, X86_VEC_SS, 0, ss_rule,
				       "#SS(0): memory operand through SS");
	return mock_raise_code(op, X86_VEC_GP, 0, gp_rule,
			       "#GP(0): memory operand through a data or "
			       "code segment");
}

/*
 * The linear address of [offset, offset + len) through @p o's segment, or
 * the #GP(0)/#SS(0) of SDM Vol. 3C 31.3 (each instruction's "64-Bit Mode
 * Exceptions" and "Protected Mode Exceptions"); Vol. 3A 3.4.2, 5.3, 5.4.1,
 * 5.5 for the segment rules. Compatibility mode never gets here: the VMX
 * instructions are #UD there.
 */
static bool linear(struct mock_cpu *c, enum mock_op op,
		   const struct mock_operand *o, size_t len, bool write,
		   uint64_t *la, vmx_result_t *r)
{
	const struct mock_segment *s = &c->regs.seg[o->seg];

	if (mock_in_64bit(c)) {
		/* Vol. 3A 3.4.2.1: in 64-bit mode only FS and GS have a
		 * base; no limit or type checks; the address must be
		 * canonical (Vol. 3A 3.3.7.1), #SS(0) for SS. */
		uint64_t base = (o->seg == MOCK_SEG_FS || o->seg == MOCK_SEG_GS)
					? s->base
					: 0;
		*la = base + o->offset;
		if (!mock_is_canonical(*la) ||
		    !mock_is_canonical(*la + len - 1)) {
			*r = seg_fault(op, o->seg, "OPERAND.gp_noncanonical",
				       "OPERAND.ss_noncanonical");
			return false;
		}
		return true;
	}
	/* Protected mode: 32-bit effective address (the operand's address
	 * size outside 64-bit mode). */
	uint64_t ea = o->offset & 0xFFFFFFFFu, end = ea + len - 1;
	uint32_t type = s->ar & AR_TYPE_MASK;
	bool code = (type & 8u) != 0;

	/* Vol. 3A 5.4.1: a null selector in DS/ES/FS/GS/SS (an unusable
	 * register) faults on a memory access. */
	if ((s->ar & AR_UNUSABLE) ||
	    (o->seg != MOCK_SEG_CS && (s->selector & 0xFFFCu) == 0)) {
		*r = seg_fault(op, o->seg, "OPERAND.gp_unusable",
			       "OPERAND.ss_unusable");
		return false;
	}
	/* Vol. 3A 5.5 (type checking): no read of an execute-only code
	 * segment, no write to a code or read-only data segment. */
	if ((!write && code && !(type & 2u)) ||
	    (write && (code || !(type & 2u)))) {
		*r = mock_raise_code(op, X86_VEC_GP, 0,
				     write ? "OPERAND.gp_not_writable"
					   : "OPERAND.gp_execute_only",
				     "#GP(0): segment type forbids the access");
		return false;
	}
	/* Vol. 3A 5.3: expand-down data segments hold the offsets above
	 * the limit up to 0xFFFF or 0xFFFFFFFF (D/B); the others [0, limit]. */
	bool in =
		(!code && (type & 4u))
			? ea > s->limit && end <= ((s->ar & AR_DB) ? 0xFFFFFFFFu
								   : 0xFFFFu)
			: end <= s->limit;
	if (!in) {
		*r = seg_fault(op, o->seg, "OPERAND.gp_limit",
			       "OPERAND.ss_limit");
		return false;
	}
	*la = (s->base + ea) & 0xFFFFFFFFu;
	return true;
}

/* ---------------------------------------------------------------- paging */

#define PTE_P BIT64(0)
#define PTE_RW BIT64(1)
#define PTE_US BIT64(2)
#define PTE_A BIT64(5)
#define PTE_D BIT64(6)
#define PTE_PS BIT64(7)
#define PTE_XD BIT64(63)

/* One translated page of an access: where it lands and which entries
 * the walk used (their A bits are set once the whole access passed). */
struct xlate {
	uint64_t pa;
	unsigned n;
	uint64_t entry[5];
};

static uint64_t addr_mask(void)
{
	/* Bits MAXPHYADDR-1:12 (Vol. 3A 4.5.4). */
	return ((UINT64_C(1) << mock_machine.phys_width) - 1) &
	       ~UINT64_C(0xFFF);
}

/*
 * Reserved bits of a present entry at @p level (5: PML5E ... 1: PTE),
 * SDM Vol. 3A 4.5.4 Tables 4-15 to 4-20: bits 51:MAXPHYADDR; XD without
 * IA32_EFER.NXE; PS in a PML5E/PML4E; a 1-GByte page (PS in a PDPTE)
 * without CPUID.80000001H:EDX.Page1GB[26], else its bits 29:13; a
 * 2-MByte page's bits 20:13.
 */
static bool reserved(const struct mock_cpu *c, unsigned level, uint64_t e)
{
	uint64_t hi =
		(UINT64_C(1) << 52) - (UINT64_C(1) << mock_machine.phys_width);
	struct cpu_cpuid_regs id;

	if ((e & hi) || ((e & PTE_XD) && !(mock_efer(c) & X86_EFER_NXE)))
		return true;
	if (level >= 4)
		return (e & PTE_PS) != 0;
	if (level == 3 && (e & PTE_PS)) {
		mock_cpuid_query(c, 0x80000001u, 0, &id);
		return !(id.edx & BIT32(26)) || (e & 0x3FFFE000u);
	}
	if (level == 2 && (e & PTE_PS))
		return (e & 0x1FE000u) != 0;
	return false;
}

static vmx_result_t page_fault(struct mock_cpu *c, enum mock_op op, uint64_t la,
			       uint32_t code, const char *rule)
{
	/* SDM Vol. 3A 4.7: CR2 receives the linear address; the error code
	 * has P (bit 0), W/R (1), U/S (2, 0: the VMX instructions run at
	 * CPL 0), RSVD (3). */
	c->regs.cr2 = la;
	return mock_raise_code(op, X86_VEC_PF, code, rule,
			       "#PF: the memory operand's linear address does "
			       "not translate with the needed rights");
}

/*
 * IA-32e paging (SDM Vol. 3A 4.5): the walk from CR3 through 5 (CR4.LA57)
 * or 4 levels, stopping at a page (PS in a PDPTE or PDE, 4.5.4), then the
 * access rights of a supervisor-mode data access (4.6.1): writes need R/W
 * at every level when CR0.WP = 1; a user-mode page (U/S at every level)
 * is out of reach when CR4.SMAP = 1 and RFLAGS.AC = 0.
 */
static bool walk(struct mock_cpu *c, enum mock_op op, uint64_t la, bool write,
		 struct xlate *x, vmx_result_t *r)
{
	uint32_t w = write ? 2u : 0u;
	unsigned level = (c->regs.cr4 & X86_CR4_LA57) ? 5u : 4u;
	uint64_t table = c->regs.cr3 & addr_mask(), e = 0;
	bool rw = true, us = true;

	x->n = 0;
	for (;; level--) {
		unsigned shift = 12u + 9u * (level - 1u);
		uint64_t epa = table + 8u * ((la >> shift) & 0x1FFu);

		(void)mock_mem_read(epa, &e, sizeof(e));
		x->entry[x->n++] = epa;
		if (!(e & PTE_P)) {
			*r = page_fault(c, op, la, w, "PAGING.pf_not_present");
			return false;
		}
		if (reserved(c, level, e)) {
			*r = page_fault(c, op, la, 1u | w | 8u,
					"PAGING.pf_reserved");
			return false;
		}
		rw = rw && (e & PTE_RW);
		us = us && (e & PTE_US);
		if (level == 1 || (level <= 3 && (e & PTE_PS))) {
			uint64_t size = UINT64_C(1) << shift;
			x->pa = (e & addr_mask() & ~(size - 1)) |
				(la & (size - 1));
			break;
		}
		table = e & addr_mask();
	}
	if (us && (c->regs.cr4 & X86_CR4_SMAP) &&
	    !(c->regs.rflags & X86_RFLAGS_AC)) {
		*r = page_fault(c, op, la, 1u | w, "PAGING.pf_smap");
		return false;
	}
	if (write && !rw && (c->regs.cr0 & X86_CR0_WP)) {
		*r = page_fault(c, op, la, 1u | w, "PAGING.pf_write");
		return false;
	}
	return true;
}

/* Sets A in the entries of @p x, and D in its last (the page) on a write
 * (SDM Vol. 3A 4.8). */
static void set_accessed(const struct xlate *x, bool write)
{
	for (unsigned i = 0; i < x->n; i++) {
		uint64_t e;
		(void)mock_mem_read(x->entry[i], &e, sizeof(e));
		e |= PTE_A | ((write && i + 1 == x->n) ? PTE_D : 0);
		(void)mock_mem_write(x->entry[i], &e, sizeof(e));
	}
}

/*
 * Translates every page of the access (at most two: operands are 16 bytes
 * at most) before touching memory, so that a fault leaves everything as it
 * was. @p pa[i] receives where the bytes of page i land, @p chunk[i] their
 * count.
 */
static bool access(struct mock_cpu *c, enum mock_op op,
		   const struct mock_operand *o, size_t len, bool write,
		   uint64_t pa[2], size_t chunk[2], vmx_result_t *r)
{
	struct xlate x[2];
	uint64_t la;
	unsigned pages = 1;

	if (!linear(c, op, o, len, write, &la, r))
		return false;
	chunk[0] = len;
	chunk[1] = 0;
	if ((la & 0xFFFu) + len > 0x1000u) {
		chunk[0] = 0x1000u - (la & 0xFFFu);
		chunk[1] = len - chunk[0];
		pages = 2;
	}
	if (!(c->regs.cr0 & X86_CR0_PG)) {
		pa[0] = la;
		pa[1] = la + chunk[0];
		return true;
	}
	if (!(mock_efer(c) & X86_EFER_LMA)) {
		mock_violation(
			"PAGING.legacy_unmodelled",
			"a memory operand through 32-bit or PAE paging "
			"(CR0.PG = 1 outside IA-32e mode): not modelled");
		*r = (vmx_result_t){VMX_EXCEPTION, X86_VEC_GP};
		return false;
	}
	for (unsigned i = 0; i < pages; i++) {
		uint64_t at = i == 0 ? la : la + chunk[0];
		if (!walk(c, op, at, write, &x[i], r))
			return false;
		pa[i] = x[i].pa;
	}
	for (unsigned i = 0; i < pages; i++)
		set_accessed(&x[i], write);
	return true;
}

bool mock_operand_read(struct mock_cpu *c, enum mock_op op,
		       const struct mock_operand *o, void *buf, size_t len,
		       vmx_result_t *r)
{
	uint64_t pa[2];
	size_t chunk[2];

	if (!access(c, op, o, len, false, pa, chunk, r))
		return false;
	(void)mock_mem_read(pa[0], buf, chunk[0]);
	if (chunk[1])
		(void)mock_mem_read(pa[1], (uint8_t *)buf + chunk[0], chunk[1]);
	return true;
}

bool mock_operand_write(struct mock_cpu *c, enum mock_op op,
			const struct mock_operand *o, const void *buf,
			size_t len, vmx_result_t *r)
{
	uint64_t pa[2];
	size_t chunk[2];

	if (!access(c, op, o, len, true, pa, chunk, r))
		return false;
	(void)mock_mem_write(pa[0], buf, chunk[0]);
	if (chunk[1])
		(void)mock_mem_write(pa[1], (const uint8_t *)buf + chunk[0],
				     chunk[1]);
	return true;
}
