// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Descriptor tables and segment registers of the emulated VT-x: MOV to
 * Sreg (SDM Vol. 2B MOV), LLDT (Vol. 2A LLDT), LGDT/LIDT/SGDT/SIDT with
 * UMIP (Vol. 2A, Vol. 3A 2.5), LSL/LAR (Vol. 2A LAR, Vol. 2B LSL) and
 * descriptor-table exiting in VMX non-root (Vol. 3C 26.1.3, Table 28-10).
 */
#include <string.h>

#include "flank_test.h"
#include "guest_helper.h"

/* A data segment, read/write, not yet accessed: base 0x12345678, 4 KiB. */
#define DESC_DATA_NA                                                           \
	(UINT64_C(0x0FFF) | (UINT64_C(0x345678) << 16) |                       \
	 (UINT64_C(0x92) << 40) | (UINT64_C(0x4) << 52) |                      \
	 (UINT64_C(0x12) << 56))
/* Execute-only code (type 8), DPL 0. */
#define DESC_CODE_XO UINT64_C(0x00af98000000ffff)
/* Conforming readable code (type 14), DPL 0. */
#define DESC_CODE_CONF UINT64_C(0x00af9e000000ffff)
/* A data segment that is not present (P = 0), DPL 0. */
#define DESC_DATA_NP UINT64_C(0x00cf12000000ffff)
/* An LDT (type 2, S = 0, P = 1), limit 0xFF, base 0xFFFF888012ABCDEF. */
#define DESC_LDT_LO                                                            \
	(UINT64_C(0xFF) | (UINT64_C(0xABCDEF) << 16) |                         \
	 (UINT64_C(0x82) << 40) | (UINT64_C(0x12) << 56))
#define DESC_LDT_HI UINT64_C(0xFFFF8880)

static void set_cpl(unsigned cpl)
{
	struct mock_cpu_regs r;
	mock_cpu_get_regs(0, &r);
	r.cpl = cpl;
	mock_cpu_set_regs(0, &r);
}

static void set_gdtr_limit(uint16_t limit)
{
	struct mock_cpu_regs r;
	mock_cpu_get_regs(0, &r);
	r.gdtr.limit = limit;
	mock_cpu_set_regs(0, &r);
}

static struct mock_segment seg(enum mock_seg s)
{
	struct mock_cpu_regs r;
	mock_cpu_get_regs(0, &r);
	return r.seg[s];
}

/* The expected fault was raised (consumed) and named @p rule. */
static void expect_fault(const char *rule)
{
	assert_int_equal(mock_expected_exceptions_pending(), 0);
	assert_string_equal(mock_last_exception_rule(), rule);
}

#define LOAD_FAULTS(sreg, sel, vec, rule)                                      \
	do {                                                                   \
		mock_expect_exception(MOCK_OP_READ_SEG, (vec));                \
		cpu_load_sreg((sreg), (sel));                                  \
		expect_fault(rule);                                            \
	} while (0)

#define LLDT_FAULTS(sel, vec, rule)                                            \
	do {                                                                   \
		mock_expect_exception(MOCK_OP_READ_SEG, (vec));                \
		cpu_lldt(sel);                                                 \
		expect_fault(rule);                                            \
	} while (0)

/* MOV to DS loads the hidden part from the GDT and sets the accessed bit
 * in the descriptor (SDM Vol. 3A 3.4.5.1, Vol. 2B MOV). */
static void test_mock_desc_load_sreg_loads_descriptor(void **state)
{
	(void)state;
	mock_gdt_set(0, 10, DESC_DATA_NA);
	cpu_load_sreg(CPU_SREG_DS, 0x50);
	struct mock_segment ds = seg(MOCK_SEG_DS);
	assert_int_equal(ds.selector, 0x50);
	assert_true(ds.base == 0x12345678u);
	assert_int_equal(ds.limit, 0xFFF);
	assert_int_equal(ds.ar, 0x4093);
	assert_true(mock_gdt_get(0, 10) & BIT64(40));
	assert_int_equal(cpu_read_ds(), 0x50);
	/* A page-granular flat segment: limit scaled to 4 GiB - 1. */
	cpu_load_sreg(CPU_SREG_ES, 0x18);
	assert_int_equal(seg(MOCK_SEG_ES).limit, 0xFFFFFFFFu);
	assert_int_equal(seg(MOCK_SEG_ES).ar, 0xC093);
	assert_int_equal(cpu_read_es(), 0x18);
	cpu_load_sreg(CPU_SREG_SS, 0x18);
	assert_int_equal(cpu_read_ss(), 0x18);
}

/* Null selectors make DS/ES/FS/GS unusable and, as on Intel CPUs, zero
 * the FS/GS base in 64-bit mode (AMD's keep it: desc.c); SS may be null
 * only at CPL 0 with RPL 0 (Vol. 2B MOV). */
static void test_mock_desc_load_sreg_null(void **state)
{
	(void)state;
	mock_msr_set(0, MSR_IA32_FS_BASE, 0x7f0000001000u);
	cpu_load_sreg(CPU_SREG_FS, 0);
	assert_true(seg(MOCK_SEG_FS).ar & AR_UNUSABLE);
	assert_true(seg(MOCK_SEG_FS).base == 0);
	assert_int_equal(cpu_read_fs(), 0);
	mock_msr_set(0, MSR_IA32_GS_BASE, 0xffff88807fc00000u);
	cpu_load_sreg(CPU_SREG_GS, 3);
	assert_int_equal(cpu_read_gs(), 3);
	assert_true(seg(MOCK_SEG_GS).base == 0);
	cpu_load_sreg(CPU_SREG_DS, 0x18);
	cpu_load_sreg(CPU_SREG_DS, 3);
	assert_true(seg(MOCK_SEG_DS).ar & AR_UNUSABLE);
	assert_true(seg(MOCK_SEG_DS).base == 0);
	cpu_load_sreg(CPU_SREG_SS, 0);
	assert_true(seg(MOCK_SEG_SS).ar & AR_UNUSABLE);
	LOAD_FAULTS(CPU_SREG_SS, 3, X86_VEC_GP, "MOVSREG.gp_null_ss");
	/* Outside 64-bit mode (CS.L = 0) a null SS always faults. */
	struct mock_cpu_regs r;
	mock_cpu_get_regs(0, &r);
	r.seg[MOCK_SEG_CS].ar &= ~AR_L;
	mock_cpu_set_regs(0, &r);
	LOAD_FAULTS(CPU_SREG_SS, 0, X86_VEC_GP, "MOVSREG.gp_null_ss");
	r.seg[MOCK_SEG_CS].ar |= AR_L;
	mock_cpu_set_regs(0, &r);
}

/* Selector checks: TI = 1, beyond GDTR.limit, beyond the model's table
 * and system descriptors are #GP(selector) (Vol. 2B MOV). */
static void test_mock_desc_load_sreg_selector_faults(void **state)
{
	(void)state;
	LOAD_FAULTS(CPU_SREG_DS, 0x1C, X86_VEC_GP, "MOVSREG.gp_selector");
	LOAD_FAULTS(CPU_SREG_DS, 0x80, X86_VEC_GP, "MOVSREG.gp_selector");
	set_gdtr_limit(0xFFFF);
	LOAD_FAULTS(CPU_SREG_DS, 0x100, X86_VEC_GP, "MOVSREG.gp_selector");
	LOAD_FAULTS(CPU_SREG_DS, 0x40, X86_VEC_GP, "MOVSREG.gp_system");
	/* The register is left as it was. */
	assert_int_equal(cpu_read_ds(), 0);
}

/* Type and privilege: SS needs writable data with RPL = DPL = CPL; DS
 * refuses execute-only code and DPL < max(CPL, RPL) unless conforming
 * code; a non-present segment is #NP, or #SS for SS (Vol. 2B MOV). */
static void test_mock_desc_load_sreg_type_faults(void **state)
{
	(void)state;
	mock_gdt_set(0, 11, DESC_CODE_XO);
	mock_gdt_set(0, 12, DESC_CODE_CONF);
	mock_gdt_set(0, 13, DESC_DATA_NP);
	LOAD_FAULTS(CPU_SREG_SS, 0x10, X86_VEC_GP, "MOVSREG.gp_ss_type");
	LOAD_FAULTS(CPU_SREG_SS, 0x2b, X86_VEC_GP, "MOVSREG.gp_ss_type");
	LOAD_FAULTS(CPU_SREG_DS, 0x58, X86_VEC_GP, "MOVSREG.gp_exec_only");
	LOAD_FAULTS(CPU_SREG_DS, 0x1b, X86_VEC_GP, "MOVSREG.gp_privilege");
	LOAD_FAULTS(CPU_SREG_DS, 0x68, X86_VEC_NP, "MOVSREG.np_not_present");
	LOAD_FAULTS(CPU_SREG_SS, 0x68, X86_VEC_SS, "MOVSREG.ss_not_present");
	LOAD_FAULTS((enum cpu_sreg)1, 0x10, X86_VEC_UD, "MOVSREG.ud_register");
	/* Conforming readable code may be loaded with RPL 3 at CPL 0. */
	cpu_load_sreg(CPU_SREG_DS, 0x63);
	assert_int_equal(cpu_read_ds(), 0x63);
	/* At CPL 3 a DPL-0 data segment is out of reach. */
	set_cpl(3);
	LOAD_FAULTS(CPU_SREG_ES, 0x18, X86_VEC_GP, "MOVSREG.gp_privilege");
	cpu_load_sreg(CPU_SREG_ES, 0x2b);
	assert_int_equal(cpu_read_es(), 0x2b);
	set_cpl(0);
}

/* LLDT loads a 16-byte LDT descriptor with its 64-bit base; null makes
 * LDTR unusable (SDM Vol. 2A LLDT, Vol. 3A 7.2.3). */
static void test_mock_desc_lldt_loads(void **state)
{
	(void)state;
	mock_gdt_set(0, 14, DESC_LDT_LO);
	mock_gdt_set(0, 15, DESC_LDT_HI);
	cpu_lldt(0x70);
	struct mock_segment l = seg(MOCK_SEG_LDTR);
	assert_int_equal(cpu_sldt(), 0x70);
	assert_true(l.base == 0xFFFF888012ABCDEFu);
	assert_int_equal(l.limit, 0xFF);
	assert_int_equal(l.ar & 0xFF, 0x82);
	cpu_lldt(0);
	assert_true(seg(MOCK_SEG_LDTR).ar & AR_UNUSABLE);
	assert_int_equal(cpu_sldt(), 0);
}

/* SWAPGS exchanges the GS base with IA32_KERNEL_GS_BASE and #GPs at
 * CPL > 0 (SDM Vol. 2B SWAPGS); the GS log sees every exchange. */
static void test_mock_desc_swapgs(void **state)
{
	const uint64_t kernel = UINT64_C(0xffff88807fc00000);
	const uint64_t user = UINT64_C(0x00007f0000002000);
	uint64_t v = 0;

	(void)state;
	mock_msr_set(0, MSR_IA32_GS_BASE, kernel);
	mock_msr_set(0, MSR_IA32_KERNEL_GS_BASE, user);
	mock_gs_log_clear(0);
	cpu_swapgs();
	assert_true(seg(MOCK_SEG_GS).base == user);
	assert_true(mock_msr_get(0, MSR_IA32_KERNEL_GS_BASE, &v));
	assert_true(v == kernel);
	cpu_swapgs();
	assert_true(seg(MOCK_SEG_GS).base == kernel);
	assert_int_equal(mock_gs_log_len(0), 2);
	assert_string_equal(mock_gs_log_at(0, 0)->what, "swapgs");
	assert_true(mock_gs_log_at(0, 0)->gs_base == user);
	assert_true(mock_gs_log_at(0, 1)->kernel_gs_base == user);
	assert_null(mock_gs_log_at(0, 2));
	set_cpl(3);
	mock_expect_exception(MOCK_OP_SWAPGS, X86_VEC_GP);
	cpu_swapgs();
	expect_fault("SWAPGS.gp_cpl");
	set_cpl(0);
	assert_true(seg(MOCK_SEG_GS).base == kernel);
}

/* LLDT faults: CPL > 0, TI = 1 or beyond the GDT (#GP), not an LDT
 * (#GP), not present (#NP) (SDM Vol. 2A LLDT). */
static void test_mock_desc_lldt_faults(void **state)
{
	(void)state;
	LLDT_FAULTS(0x1C, X86_VEC_GP, "LLDT.gp_selector");
	LLDT_FAULTS(0x78, X86_VEC_GP, "LLDT.gp_selector");
	LLDT_FAULTS(0x18, X86_VEC_GP, "LLDT.gp_not_ldt");
	LLDT_FAULTS(0x40, X86_VEC_GP, "LLDT.gp_not_ldt");
	set_gdtr_limit(0xFFFF);
	LLDT_FAULTS(0xF8, X86_VEC_GP, "LLDT.gp_selector");
	mock_gdt_set(0, 16, DESC_LDT_LO & ~BIT64(47));
	LLDT_FAULTS(0x80, X86_VEC_NP, "LLDT.np_not_present");
	set_cpl(3);
	LLDT_FAULTS(0, X86_VEC_GP, "LLDT.gp_cpl");
	set_cpl(0);
	assert_int_equal(cpu_sldt(), 0);
}

/* LGDT/LIDT: #GP at CPL > 0 or with a non-canonical base; SGDT/SIDT
 * return what was loaded and fault at CPL > 0 only with CR4.UMIP. */
static void test_mock_desc_dtr_rules(void **state)
{
	struct cpu_dtr g = {.limit = 0x3f, .base = 0xffff888000010000u};
	struct cpu_dtr i = {.limit = 0x1ff, .base = 0xffff888000020000u};
	struct cpu_dtr bad = {.limit = 0xf, .base = 0x0000800000000000u};
	struct cpu_dtr out;
	(void)state;
	cpu_lgdt(&g);
	cpu_lidt(&i);
	cpu_sgdt(&out);
	assert_true(out.base == g.base && out.limit == g.limit);
	cpu_sidt(&out);
	assert_true(out.base == i.base && out.limit == i.limit);
	mock_expect_exception(MOCK_OP_LGDT, X86_VEC_GP);
	cpu_lgdt(&bad);
	assert_string_equal(mock_last_exception_rule(), "LGDT.gp_noncanonical");
	mock_expect_exception(MOCK_OP_LIDT, X86_VEC_GP);
	cpu_lidt(&bad);
	assert_string_equal(mock_last_exception_rule(), "LIDT.gp_noncanonical");
	cpu_sgdt(&out);
	assert_true(out.base == g.base);
	set_cpl(3);
	/* Without UMIP, SGDT/SIDT work at CPL 3; LGDT/LIDT never do. */
	cpu_sidt(&out);
	assert_true(out.base == i.base);
	mock_expect_exception(MOCK_OP_LGDT, X86_VEC_GP);
	cpu_lgdt(&g);
	assert_string_equal(mock_last_exception_rule(), "LGDT.gp_cpl");
	mock_expect_exception(MOCK_OP_LIDT, X86_VEC_GP);
	cpu_lidt(&i);
	assert_string_equal(mock_last_exception_rule(), "LIDT.gp_cpl");
	struct mock_cpu_regs r;
	mock_cpu_get_regs(0, &r);
	r.cr4 |= X86_CR4_UMIP;
	mock_cpu_set_regs(0, &r);
	mock_expect_exception(MOCK_OP_SGDT, X86_VEC_GP);
	cpu_sgdt(&out);
	assert_string_equal(mock_last_exception_rule(), "SGDT.gp_umip");
	mock_expect_exception(MOCK_OP_SIDT, X86_VEC_GP);
	cpu_sidt(&out);
	assert_string_equal(mock_last_exception_rule(), "SIDT.gp_umip");
	set_cpl(0);
	cpu_sgdt(&out);
	assert_true(out.base == g.base);
	/* Skylake has no UMIP: leave CR4 as the profile allows it. */
	r.cr4 &= ~X86_CR4_UMIP;
	r.cpl = 0;
	mock_cpu_set_regs(0, &r);
}

/* LSL/LAR: byte-granular limits, LDT and call-gate types (LAR only),
 * DPL below max(CPL, RPL) refused except conforming code, and selectors
 * the GDT does not hold (SDM Vol. 2A LAR, Vol. 2B LSL). */
static void test_mock_desc_lsl_lar(void **state)
{
	uint32_t lim = 0, ar = 0;
	(void)state;
	mock_gdt_set(0, 10, DESC_DATA_NA);
	mock_gdt_set(0, 12, DESC_CODE_CONF);
	mock_gdt_set(0, 14, DESC_LDT_LO);
	assert_true(cpu_lsl(0x50, &lim));
	assert_int_equal(lim, 0xFFF);
	assert_true(cpu_lar(0x50, &ar));
	assert_int_equal(ar, 0x409200);
	assert_true(cpu_lsl(0x70, &lim));
	assert_int_equal(lim, 0xFF);
	assert_false(cpu_lsl(0x1C, &lim));
	assert_false(cpu_lsl(0x80, &lim));
	assert_false(cpu_lsl(0x1b, &lim));
	assert_true(cpu_lsl(0x63, &lim));
	set_gdtr_limit(0xFF);
	mock_gdt_set(0, 18, UINT64_C(0x00008c0000000000)); /* call gate */
	mock_gdt_set(0, 19, UINT64_C(0x0000850000000000)); /* task gate */
	assert_true(cpu_lar(0x90, &ar));
	assert_false(cpu_lsl(0x90, &lim));
	assert_false(cpu_lar(0x98, &ar));
	set_gdtr_limit(0xFFFF);
	assert_false(cpu_lar(0x100, &ar));
	set_cpl(3);
	assert_false(cpu_lar(0x18, &ar));
	assert_true(cpu_lar(0x2b, &ar));
	set_cpl(0);
}

/* In VMX non-root without descriptor-table exiting, LGDT/SGDT act on the
 * guest's GDTR and nothing exits (SDM Vol. 3C 26.1.3). */
static void test_mock_desc_dt_no_exiting(void **state)
{
	struct cpu_dtr d = {.limit = 0x3f, .base = 0xffff888000010000u};
	struct cpu_dtr out = {0};
	(void)state;
	guest_enter();
	cpu_lgdt(&d);
	cpu_sgdt(&out);
	assert_true(out.base == d.base);
	assert_int_equal(out.limit, 0x3f);
	assert_int_equal(glog.exits, 0);
}

/* With descriptor-table exiting, SGDT/SIDT/LGDT/LIDT exit (reason 46)
 * with the identity in bits 29:28 of the instruction information and
 * leave the guest's GDTR alone (SDM Vol. 3C 26.1.3, Table 28-10). */
static void test_mock_desc_dt_exiting(void **state)
{
	struct cpu_dtr d = {.limit = 0x3f, .base = 0xffff888000010000u};
	struct cpu_dtr out = {0};
	struct mock_cpu_regs r;
	(void)state;
	guest_proc2_set(SEC_DESC_TABLE_EXITING);
	guest_enter();
	mock_cpu_get_regs(0, &r);
	uint64_t gdt_base = r.gdtr.base;
	cpu_sgdt(&out);
	assert_int_equal(glog.reason, EXIT_REASON_GDTR_IDTR);
	assert_int_equal((glog.insn_info >> 28) & 3, 0);
	assert_int_equal(glog.len, 3);
	cpu_sidt(&out);
	assert_int_equal((glog.insn_info >> 28) & 3, 1);
	cpu_lgdt(&d);
	assert_int_equal((glog.insn_info >> 28) & 3, 2);
	cpu_lidt(&d);
	assert_int_equal((glog.insn_info >> 28) & 3, 3);
	assert_int_equal(glog.exits, 4);
	mock_cpu_get_regs(0, &r);
	assert_true(r.gdtr.base == gdt_base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(n) cmocka_unit_test_setup_teardown(n, guest_setup, guest_teardown)
		T(test_mock_desc_load_sreg_loads_descriptor),
		T(test_mock_desc_load_sreg_null),
		T(test_mock_desc_load_sreg_selector_faults),
		T(test_mock_desc_load_sreg_type_faults),
		T(test_mock_desc_lldt_loads),
		T(test_mock_desc_lldt_faults),
		T(test_mock_desc_swapgs),
		T(test_mock_desc_dtr_rules),
		T(test_mock_desc_lsl_lar),
		T(test_mock_desc_dt_no_exiting),
		T(test_mock_desc_dt_exiting),
#undef T
	};
	return FLANK_RUN_TESTS(tests);
}
