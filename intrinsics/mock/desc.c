// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Descriptor tables and segment registers: SGDT/SIDT/LGDT/LIDT, selector
 * reads, LSL and LAR.
 *
 * The GDT the CPU consults is a model table per CPU (mock_gdt_set(), 32
 * eight-byte slots, initialised to Linux's layout), not linear memory: the
 * model has no page tables to walk. GDTR.limit still bounds it, as on
 * hardware.
 */
#include "mock_internal.h"

/* SDM Vol. 3C 26.1.3: descriptor-table exiting (GDTR/IDTR accesses). */
static bool dt_exit(struct mock_cpu *c, unsigned identity)
{
	if (c->vmx != MOCK_VMX_NONROOT ||
	    !(mock_proc2_ctls(c) & SEC_DESC_TABLE_EXITING))
		return false;
	/*
	 * Instruction information (SDM Vol. 3C Table 28-10) for "[rax]":
	 * address size 64-bit (bits 9:7 = 2), segment DS (bits 17:15 = 3),
	 * index invalid (bit 22), base RAX (bits 26:23 = 0), identity in
	 * bits 29:28. The instruction is 0F 01 /n with ModRM: 3 bytes.
	 */
	struct mock_guest_insn in = {.reason = EXIT_REASON_GDTR_IDTR,
				     .len = 3,
				     .info = (2u << 7) | (3u << 15) |
					     BIT32(22) | (identity << 28)};
	(void)mock_guest_insn_exit(&in, NULL);
	return true;
}

static void store_dt(enum mock_op op, unsigned identity, struct cpu_dtr *dtr)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};

	(void)mock_fault_check(op, 0, 0, &r);
	if ((c->regs.cr4 & X86_CR4_UMIP) && c->regs.cpl > 0) {
		r = mock_raise(op, X86_VEC_GP,
			       identity ? "SIDT.gp_umip" : "SGDT.gp_umip",
			       "#GP(0): UMIP forbids SGDT/SIDT at CPL > 0");
	} else if (!dt_exit(c, identity)) {
		*dtr = identity ? c->regs.idtr : c->regs.gdtr;
	}
	mock_record(op, dtr->base, dtr->limit, r, false);
}

static void load_dt(enum mock_op op, unsigned identity,
		    const struct cpu_dtr *dtr)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};

	(void)mock_fault_check(op, dtr->base, dtr->limit, &r);
	if (c->regs.cpl > 0) {
		r = mock_raise(op, X86_VEC_GP,
			       identity == 3 ? "LIDT.gp_cpl" : "LGDT.gp_cpl",
			       "#GP(0): LGDT/LIDT at CPL > 0");
	} else if (mock_in_64bit(c) && !mock_is_canonical(dtr->base)) {
		r = mock_raise(op, X86_VEC_GP,
			       identity == 3 ? "LIDT.gp_noncanonical"
					     : "LGDT.gp_noncanonical",
			       "#GP(0): non-canonical descriptor-table base");
	} else if (!dt_exit(c, identity)) {
		if (identity == 3)
			c->regs.idtr = *dtr;
		else
			c->regs.gdtr = *dtr;
	}
	mock_record(op, dtr->base, dtr->limit, r, false);
}

void cpu_sgdt(struct cpu_dtr *dtr)
{
	store_dt(MOCK_OP_SGDT, 0, dtr);
}

void cpu_sidt(struct cpu_dtr *dtr)
{
	store_dt(MOCK_OP_SIDT, 1, dtr);
}

void cpu_lgdt(const struct cpu_dtr *dtr)
{
	load_dt(MOCK_OP_LGDT, 2, dtr);
}

void cpu_lidt(const struct cpu_dtr *dtr)
{
	load_dt(MOCK_OP_LIDT, 3, dtr);
}

static uint16_t read_sel(enum mock_seg s)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};
	uint16_t v;

	(void)mock_fault_check(MOCK_OP_READ_SEG, s, 0, &r);
	v = c->regs.seg[s].selector;
	mock_record(MOCK_OP_READ_SEG, s, v, r, false);
	return v;
}

uint16_t cpu_sldt(void)
{
	return read_sel(MOCK_SEG_LDTR);
}

uint16_t cpu_str(void)
{
	return read_sel(MOCK_SEG_TR);
}

uint16_t cpu_read_cs(void)
{
	return read_sel(MOCK_SEG_CS);
}

uint16_t cpu_read_ss(void)
{
	return read_sel(MOCK_SEG_SS);
}

uint16_t cpu_read_ds(void)
{
	return read_sel(MOCK_SEG_DS);
}

uint16_t cpu_read_es(void)
{
	return read_sel(MOCK_SEG_ES);
}

uint16_t cpu_read_fs(void)
{
	return read_sel(MOCK_SEG_FS);
}

uint16_t cpu_read_gs(void)
{
	return read_sel(MOCK_SEG_GS);
}

/*
 * The descriptor LSL/LAR would load (SDM Vol. 2A LAR, Vol. 2B LSL): null
 * selectors, selectors beyond GDTR.limit and LDT selectors (the LDTR is
 * null in the model's Linux state) fail; so do descriptors whose type the
 * instruction does not accept in IA-32e mode, and non-conforming segments
 * whose DPL is below max(CPL, RPL).
 */
static bool lookup(const struct mock_cpu *c, uint16_t sel, bool lar,
		   uint64_t *desc)
{
	unsigned idx = sel >> 3;

	if ((sel & ~3u) == 0 || (sel & 4u))
		return false;
	if ((uint32_t)(sel & ~7u) + 7u > c->regs.gdtr.limit ||
	    idx >= MOCK_GDT_ENTRIES)
		return false;
	uint64_t d = c->gdt[idx];
	unsigned type = (d >> 40) & 0xF;
	bool s = (d >> 44) & 1;
	unsigned dpl = (d >> 45) & 3;
	if (!s) {
		/* 64-bit mode: LDT (2), TSS (9, 11); LAR also call gate (12). */
		if (!(type == 2 || type == 9 || type == 11 ||
		      (lar && type == 12)))
			return false;
	}
	bool conforming_code = s && (type & 0xC) == 0xC;
	unsigned rpl = sel & 3u;
	unsigned cpl = c->regs.cpl;
	if (!conforming_code && dpl < (cpl > rpl ? cpl : rpl))
		return false;
	*desc = d;
	return true;
}

bool cpu_lsl(uint16_t sel, uint32_t *limit)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};
	uint64_t d;
	bool ok;

	(void)mock_fault_check(MOCK_OP_LSL, sel, 0, &r);
	ok = lookup(c, sel, false, &d);
	if (ok) {
		uint32_t l = (uint32_t)(d & 0xFFFF) |
			     (uint32_t)((d >> 32) & 0xF0000);
		*limit = ((d >> 55) & 1) ? (l << 12) | 0xFFFu : l;
	}
	mock_record(MOCK_OP_LSL, sel, ok ? *limit : 0, r, false);
	return ok;
}

bool cpu_lar(uint16_t sel, uint32_t *access_rights)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};
	uint64_t d;
	bool ok;

	(void)mock_fault_check(MOCK_OP_LAR, sel, 0, &r);
	ok = lookup(c, sel, true, &d);
	if (ok)
		*access_rights = (uint32_t)(d >> 32) & 0x00F0FF00u;
	mock_record(MOCK_OP_LAR, sel, ok ? *access_rights : 0, r, false);
	return ok;
}

/* The hidden part a descriptor gives a data segment register (VMCS AR). */
static void load_from_desc(struct mock_segment *s, uint16_t sel, uint64_t d)
{
	s->selector = sel;
	s->base = ((d >> 16) & 0xFFFFFFu) | (((d >> 56) & 0xFFu) << 24);
	uint32_t l = (uint32_t)(d & 0xFFFF) | (uint32_t)((d >> 32) & 0xF0000);
	s->limit = ((d >> 55) & 1) ? (l << 12) | 0xFFFu : l;
	s->ar = (uint32_t)((d >> 40) & 0xFFu) |
		(uint32_t)(((d >> 52) & 0xFu) << 12);
}

/*
 * MOV to DS/ES/FS/GS/SS (SDM Vol. 2B MOV "Protected Mode Exceptions"):
 * a null selector makes DS/ES/FS/GS unusable (SS only at CPL 0 in 64-bit
 * mode); otherwise the descriptor must exist within GDTR.limit, be a
 * present data or readable code segment (writable data for SS) and
 * satisfy the privilege rules, else #GP(selector) / #NP / #SS. FS and GS
 * get the 32-bit descriptor base; IA32_FS/GS_BASE are written after.
 *
 * A null selector in FS or GS: the SDM says only that the register becomes
 * unusable; what happens to the base is undocumented and differs by
 * vendor. Intel CPUs zero it (Linux's detect_null_seg_behavior() measures
 * this at boot, and Xen's XTF test-xsa-191 records "On Intel, the base is
 * zeroed"); AMD CPUs before NullSelectorClearsBase (CPUID 8000_0021H
 * EAX[6]) keep it (Linux's X86_BUG_NULL_SEG). This is an Intel model, so
 * the base is zeroed: a stop that loads a null GS before it writes the GS
 * base back leaves the CPU with GS base 0 for a while (issue 14 item 8).
 */
void cpu_load_sreg(enum cpu_sreg sreg, uint16_t sel)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};
	struct mock_segment *s = &c->regs.seg[sreg];
	bool ss = sreg == CPU_SREG_SS;
	const char *rule = NULL;
	uint32_t vec = X86_VEC_GP;

	(void)mock_fault_check(MOCK_OP_READ_SEG, 0x100u | sreg, sel, &r);
	if (sreg != CPU_SREG_ES && sreg != CPU_SREG_SS && sreg != CPU_SREG_DS &&
	    sreg != CPU_SREG_FS && sreg != CPU_SREG_GS) {
		rule = "MOVSREG.ud_register";
		vec = X86_VEC_UD;
	} else if ((sel & ~3u) == 0) {
		if (ss &&
		    !(mock_in_64bit(c) && c->regs.cpl == 0 && (sel & 3u) == 0))
			rule = "MOVSREG.gp_null_ss";
		else {
			s->selector = sel;
			s->base = 0;
			s->limit = 0;
			s->ar = AR_UNUSABLE;
		}
	} else {
		unsigned idx = sel >> 3;
		uint64_t d = idx < MOCK_GDT_ENTRIES ? c->gdt[idx] : 0;
		unsigned type = (d >> 40) & 0xF, dpl = (d >> 45) & 3;
		bool code = type & 8, present = (d >> 47) & 1;
		unsigned rpl = sel & 3u, cpl = c->regs.cpl;
		if ((sel & 4u) ||
		    (uint32_t)(sel & ~7u) + 7u > c->regs.gdtr.limit ||
		    idx >= MOCK_GDT_ENTRIES)
			rule = "MOVSREG.gp_selector";
		else if (!((d >> 44) & 1))
			rule = "MOVSREG.gp_system";
		else if (ss &&
			 (code || !(type & 2) || rpl != cpl || dpl != cpl))
			rule = "MOVSREG.gp_ss_type";
		else if (!ss && code && !(type & 2))
			rule = "MOVSREG.gp_exec_only";
		else if (!ss && !(code && (type & 4)) &&
			 (rpl > dpl || cpl > dpl))
			rule = "MOVSREG.gp_privilege";
		else if (!present) {
			rule = ss ? "MOVSREG.ss_not_present"
				  : "MOVSREG.np_not_present";
			vec = ss ? X86_VEC_SS : X86_VEC_NP;
		} else {
			load_from_desc(s, sel, d);
			/* The CPU sets the accessed bit of the descriptor. */
			c->gdt[idx] |= BIT64(40);
			s->ar |= 1u;
		}
	}
	if (rule)
		r = mock_raise(MOCK_OP_READ_SEG, vec, rule,
			       "MOV to segment register faulted");
	mock_record(MOCK_OP_READ_SEG, 0x100u | sreg, sel, r, false);
}

/*
 * SWAPGS (SDM Vol. 2B SWAPGS): exchanges IA32_GS_BASE with
 * IA32_KERNEL_GS_BASE; #UD outside 64-bit mode, #GP(0) at CPL > 0. It never
 * causes a VM exit.
 */
void cpu_swapgs(void)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};

	(void)mock_fault_check(MOCK_OP_SWAPGS, 0, 0, &r);
	if (!mock_in_64bit(c)) {
		r = mock_raise(MOCK_OP_SWAPGS, X86_VEC_UD, "SWAPGS.ud_mode",
			       "SWAPGS outside 64-bit mode");
	} else if (c->regs.cpl != 0) {
		r = mock_raise(MOCK_OP_SWAPGS, X86_VEC_GP, "SWAPGS.gp_cpl",
			       "SWAPGS at CPL > 0");
	} else {
		uint64_t gs = mock_msr_value(c, MSR_IA32_GS_BASE);
		mock_msr_put(c, MSR_IA32_GS_BASE,
			     mock_msr_value(c, MSR_IA32_KERNEL_GS_BASE));
		mock_msr_put(c, MSR_IA32_KERNEL_GS_BASE, gs);
	}
	mock_record(MOCK_OP_SWAPGS, 0, 0, r, false);
}

/* LLDT (SDM Vol. 2A LLDT): null makes LDTR unusable; else a present LDT. */
void cpu_lldt(uint16_t sel)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};
	struct mock_segment *s = &c->regs.seg[MOCK_SEG_LDTR];
	const char *rule = NULL;
	uint32_t vec = X86_VEC_GP;

	(void)mock_fault_check(MOCK_OP_READ_SEG, 0x200u, sel, &r);
	if (c->regs.cpl > 0) {
		rule = "LLDT.gp_cpl";
	} else if ((sel & ~3u) == 0) {
		s->selector = sel;
		s->base = 0;
		s->limit = 0;
		s->ar = AR_UNUSABLE;
	} else {
		unsigned idx = sel >> 3;
		if ((sel & 4u) || idx + 1 >= MOCK_GDT_ENTRIES ||
		    (uint32_t)(sel & ~7u) + 15u > c->regs.gdtr.limit) {
			rule = "LLDT.gp_selector";
		} else {
			uint64_t d = c->gdt[idx];
			if (((d >> 44) & 1) || ((d >> 40) & 0xF) != 2) {
				rule = "LLDT.gp_not_ldt";
			} else if (!((d >> 47) & 1)) {
				rule = "LLDT.np_not_present";
				vec = X86_VEC_NP;
			} else {
				load_from_desc(s, sel, d);
				s->base |= c->gdt[idx + 1] << 32;
			}
		}
	}
	if (rule)
		r = mock_raise(MOCK_OP_READ_SEG, vec, rule, "LLDT faulted");
	mock_record(MOCK_OP_READ_SEG, 0x200u, sel, r, false);
}
