// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Non-VMX intrinsics of the emulated VT-x beyond mock_insn's: MSR value
 * rules (SDM Vol. 4 per register), CR0/CR3/CR4/CR8 write rules (Vol. 2B
 * MOV, Vol. 3A 2.5, Vol. 3C 24.8), XSETBV/XGETBV (Vol. 2C, Vol. 1 13.3),
 * DR7 (Vol. 3B 18.2.4), and their behaviour in VMX non-root (Vol. 3C
 * 26.1.3, 27.3 "Changes to instruction behavior").
 */
#include <string.h>

#include "flank_test.h"
#include "guest_helper.h"

static void set_cpl(unsigned cpl)
{
	struct mock_cpu_regs r;
	mock_cpu_get_regs(0, &r);
	r.cpl = cpl;
	mock_cpu_set_regs(0, &r);
}

static struct mock_cpu_regs regs(void)
{
	struct mock_cpu_regs r;
	mock_cpu_get_regs(0, &r);
	return r;
}

#define WR_GP(msr, v) assert_int_equal(cpu_wrmsr_safe((msr), (v)), CPU_SAFE_GP)
#define WR_OK(msr, v) assert_int_equal(cpu_wrmsr_safe((msr), (v)), CPU_SAFE_OK)

#define CR_GP(write, v, rule)                                                  \
	do {                                                                   \
		mock_expect_exception(MOCK_OP_WRITE_CR, X86_VEC_GP);           \
		write(v);                                                      \
		assert_int_equal(mock_expected_exceptions_pending(), 0);       \
		assert_string_equal(mock_last_exception_rule(), (rule));       \
	} while (0)

/* ---------------------------------------------------------------- MSRs */

/* IA32_FEATURE_CONTROL: writable only while unlocked, bit 1 only with SMX,
 * bit 2 only with VMX, reserved bits refused (SDM Vol. 3C 24.7, Vol. 4). */
static void test_mock_cpu2_feature_control(void **state)
{
	uint64_t v = 0;
	(void)state;
	mock_feature_control_set(0, 0);
	mock_cpuid_change_bits(0, 1, 0, MOCK_ECX, X86_CPUID1_ECX_SMX, 0);
	WR_GP(MSR_IA32_FEATURE_CONTROL, FEATURE_CONTROL_VMX_INSIDE_SMX);
	WR_GP(MSR_IA32_FEATURE_CONTROL, BIT64(3));
	mock_cpuid_change_bits(0, 1, 0, MOCK_ECX, 0, X86_CPUID1_ECX_SMX);
	WR_OK(MSR_IA32_FEATURE_CONTROL, FEATURE_CONTROL_VMX_INSIDE_SMX);
	mock_cpuid_change_bits(0, 1, 0, MOCK_ECX, X86_CPUID1_ECX_VMX, 0);
	WR_GP(MSR_IA32_FEATURE_CONTROL, FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	mock_cpuid_change_bits(0, 1, 0, MOCK_ECX, 0, X86_CPUID1_ECX_VMX);
	WR_OK(MSR_IA32_FEATURE_CONTROL,
	      FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	WR_GP(MSR_IA32_FEATURE_CONTROL, FEATURE_CONTROL_LOCKED);
	assert_true(mock_msr_get(0, MSR_IA32_FEATURE_CONTROL, &v));
	assert_int_equal(v, FEATURE_CONTROL_LOCKED |
				    FEATURE_CONTROL_VMX_OUTSIDE_SMX);
}

/* IA32_EFER: reserved bits and NXE without CPUID support refused; LME
 * cannot change with paging on; LMA is the CPU's, not WRMSR's (SDM Vol. 4,
 * Vol. 3A 9.8.5). */
static void test_mock_cpu2_efer(void **state)
{
	uint64_t efer = 0;
	(void)state;
	assert_int_equal(cpu_rdmsr_safe(MSR_IA32_EFER, &efer), CPU_SAFE_OK);
	WR_GP(MSR_IA32_EFER, efer | BIT64(1));
	WR_GP(MSR_IA32_EFER, efer & ~X86_EFER_LME);
	WR_OK(MSR_IA32_EFER, (efer & ~(X86_EFER_LMA | X86_EFER_NXE)));
	uint64_t now = 0;
	assert_int_equal(cpu_rdmsr_safe(MSR_IA32_EFER, &now), CPU_SAFE_OK);
	assert_true(now & X86_EFER_LMA);
	assert_false(now & X86_EFER_NXE);
	mock_cpuid_change_bits(0, 0x80000001u, 0, MOCK_EDX, BIT32(20), 0);
	WR_GP(MSR_IA32_EFER, now | X86_EFER_NXE);
}

/* Value rules of other MSRs: APIC base reserved bits and width, PERF_
 * GLOBAL_CTRL counters, XSS supported bits, TSC_AUX 32 bits, DEBUGCTL
 * reserved bits, canonical addresses (SDM Vol. 4). */
static void test_mock_cpu2_msr_values(void **state)
{
	uint64_t v = 0;
	(void)state;
	WR_GP(MSR_IA32_APIC_BASE, 0xfee00801u);
	WR_GP(MSR_IA32_APIC_BASE, 0xfee00800u | BIT64(50));
	WR_OK(MSR_IA32_APIC_BASE, 0xfee00900u);
	WR_OK(MSR_IA32_PERF_GLOBAL_CTRL, 1);
	WR_GP(MSR_IA32_PERF_GLOBAL_CTRL, BIT64(40));
	assert_true(mock_msr_get(0, MSR_IA32_XSS, &v));
	WR_OK(MSR_IA32_XSS, BIT64(8));
	WR_GP(MSR_IA32_XSS, BIT64(0));
	WR_OK(MSR_IA32_TSC_AUX, 0xFFFFFFFFu);
	WR_GP(MSR_IA32_TSC_AUX, BIT64(32));
	WR_OK(MSR_IA32_SYSENTER_CS, 0xFFFF);
	WR_GP(MSR_IA32_DEBUGCTL, BIT64(2));
	WR_OK(MSR_IA32_DEBUGCTL, 1);
	WR_GP(MSR_IA32_KERNEL_GS_BASE, 0x0000800000000000u);
	WR_OK(MSR_IA32_KERNEL_GS_BASE, 0xffff800000000000u);
	WR_OK(MSR_IA32_STAR, 0x0023001000000000u); /* no value rule */
	mock_msr_gp(0, MSR_IA32_STAR, false, true);
	WR_GP(MSR_IA32_STAR, 0);
	assert_int_equal(cpu_rdmsr_safe(MSR_IA32_STAR, &v), CPU_SAFE_OK);
}

/* RDMSR/WRMSR are privileged: #GP(0) at CPL > 0 (SDM Vol. 2B). */
static void test_mock_cpu2_msr_cpl(void **state)
{
	uint64_t v = 1;
	(void)state;
	set_cpl(3);
	assert_int_equal(cpu_rdmsr_safe(MSR_IA32_PAT, &v), CPU_SAFE_GP);
	assert_int_equal(v, 0);
	WR_GP(MSR_IA32_PAT, 0x0606060606060606u);
	set_cpl(0);
	WR_OK(MSR_IA32_PAT, 0x0606060606060606u);
}

/* In non-root, an intercepted RDMSR takes EDX:EAX from the VMM; a
 * non-intercepted access that faults is #GP in the guest (SDM Vol. 3C
 * 26.1.3, 25.6.9). */
static void test_mock_cpu2_guest_msr(void **state)
{
	uint64_t v = 0;
	(void)state;
	uint8_t *bm = gvm.msr_bitmap;
	bm[MSR_IA32_PAT / 8] |= 1u << (MSR_IA32_PAT % 8);
	guest_enter();
	guest_set_rax(0x0000000000070406u);
	assert_int_equal(cpu_rdmsr_safe(MSR_IA32_PAT, &v), CPU_SAFE_OK);
	assert_true(v == 0x70406u);
	assert_int_equal(glog.reason, EXIT_REASON_MSR_READ);
	assert_int_equal(cpu_rdmsr_safe(0x1FF, &v), CPU_SAFE_GP);
	assert_int_equal(cpu_wrmsr_safe(MSR_IA32_LSTAR, 0x0000800000000000u),
			 CPU_SAFE_GP);
	WR_OK(MSR_IA32_LSTAR, 0xffffffff81000000u);
	assert_int_equal(glog.exits, 1);
}

/* ------------------------------------------------------------ XSETBV */

/* XCR0 rules (SDM Vol. 1 13.3, Vol. 2C XSETBV): x87 always, AVX needs
 * SSE, BNDREG with BNDCSR, AVX-512's three bits together and with AVX,
 * AMX's two bits together, only supported bits, only XCR0, CPL 0. */
static void test_mock_cpu2_xsetbv_rules(void **state)
{
	struct cpu_cpuid_regs d = {
		.eax = 0x602FF, .ebx = 0x2C00, .ecx = 0x2C00, .edx = 0};
	(void)state;
	mock_cpuid_set(0, 0xD, 0, &d);
	assert_int_equal(cpu_xsetbv_safe(0, 0x0B), CPU_SAFE_GP);
	assert_int_equal(cpu_xsetbv_safe(0, 0x1F), CPU_SAFE_OK);
	assert_int_equal(cpu_xsetbv_safe(0, 0x27), CPU_SAFE_GP);
	assert_int_equal(cpu_xsetbv_safe(0, 0xE3), CPU_SAFE_GP);
	assert_int_equal(cpu_xsetbv_safe(0, 0xE7), CPU_SAFE_OK);
	assert_int_equal(cpu_xsetbv_safe(0, 0x3 | BIT64(17)), CPU_SAFE_GP);
	assert_int_equal(cpu_xsetbv_safe(0, 0x3 | BIT64(17) | BIT64(18)),
			 CPU_SAFE_OK);
	assert_int_equal(cpu_xgetbv(0), 0x3 | BIT64(17) | BIT64(18));
	set_cpl(3);
	assert_int_equal(cpu_xsetbv_safe(0, 0x3), CPU_SAFE_GP);
	set_cpl(0);
	assert_int_equal(cpu_xsetbv_safe(0, 0x7), CPU_SAFE_OK);
}

/* XSETBV and XGETBV raise #UD with CR4.OSXSAVE = 0; XGETBV of XCR1 needs
 * CPUID.(EAX=0DH,ECX=1):EAX[2], other XCRs #GP (SDM Vol. 2C). */
static void test_mock_cpu2_xgetbv(void **state)
{
	(void)state;
	assert_int_equal(cpu_xgetbv(1), cpu_xgetbv(0));
	mock_expect_exception(MOCK_OP_XGETBV, X86_VEC_GP);
	(void)cpu_xgetbv(2);
	assert_string_equal(mock_last_exception_rule(), "XGETBV.gp_xcr");
	mock_cpuid_change_bits(0, 0xD, 1, MOCK_EAX, BIT32(2), 0);
	mock_expect_exception(MOCK_OP_XGETBV, X86_VEC_GP);
	(void)cpu_xgetbv(1);
	struct mock_cpu_regs r = regs();
	uint64_t cr4 = r.cr4;
	r.cr4 &= ~X86_CR4_OSXSAVE;
	mock_cpu_set_regs(0, &r);
	mock_expect_exception(MOCK_OP_XGETBV, X86_VEC_UD);
	(void)cpu_xgetbv(0);
	assert_string_equal(mock_last_exception_rule(), "XGETBV.ud_osxsave");
	mock_expect_exception(MOCK_OP_XSETBV, X86_VEC_UD);
	assert_int_equal(cpu_xsetbv_safe(0, 7), CPU_SAFE_GP);
	assert_string_equal(mock_last_exception_rule(), "XSETBV.ud_osxsave");
	r.cr4 = cr4;
	mock_cpu_set_regs(0, &r);
}

/* In non-root XSETBV always exits; the guest sees #GP only if the VMM
 * injects it (SDM Vol. 3C 26.1.2). */
static void test_mock_cpu2_guest_xsetbv(void **state)
{
	(void)state;
	guest_enter();
	assert_int_equal(cpu_xsetbv_safe(0, 0x7), CPU_SAFE_OK);
	assert_int_equal(glog.reason, EXIT_REASON_XSETBV);
	assert_int_equal(glog.gprs.rax, 7);
	guest_set_inject(INTR_INFO_VALID | (INTR_TYPE_HARD_EXCEPTION << 8) |
				 INTR_INFO_DELIVER_CODE | X86_VEC_GP,
			 0);
	assert_int_equal(cpu_xsetbv_safe(0, 0x6), CPU_SAFE_GP);
	guest_set_inject(0, 0);
}

/* ------------------------------------------------ control registers */

/* MOV to CR0 (SDM Vol. 2B MOV, Vol. 3A 2.5, 9.8.5; CET Vol. 1 17.2): #GP
 * at CPL > 0, for bits 63:32, NW without CD, clearing PG in IA-32e mode,
 * clearing WP with CR4.CET; in VMX operation the fixed bits. */
static void test_mock_cpu2_cr0_rules(void **state)
{
	uint64_t cr0 = cpu_read_cr0();
	(void)state;
	CR_GP(cpu_write_cr0, cr0 | BIT64(32), "CR0.gp_reserved");
	CR_GP(cpu_write_cr0, cr0 | X86_CR0_NW, "CR0.gp_nw_without_cd");
	CR_GP(cpu_write_cr0, cr0 & ~X86_CR0_PG, "CR0.gp_clear_pg_long_mode");
	struct mock_cpu_regs r = regs();
	r.cr4 |= X86_CR4_CET;
	mock_cpu_set_regs(0, &r);
	CR_GP(cpu_write_cr0, cr0 & ~X86_CR0_WP, "CR0.gp_wp_cet");
	r.cr4 &= ~X86_CR4_CET;
	mock_cpu_set_regs(0, &r);
	cpu_write_cr0(cr0 | X86_CR0_TS);
	assert_true(cpu_read_cr0() & X86_CR0_TS);
	set_cpl(3);
	CR_GP(cpu_write_cr0, cr0, "CR0.gp_cpl");
	mock_expect_exception(MOCK_OP_READ_CR, X86_VEC_GP);
	(void)cpu_read_cr2();
	assert_string_equal(mock_last_exception_rule(), "CR.gp_cpl_read");
	set_cpl(0);
	assert_int_equal(cpu_read_cr2(), 0);
}

/* MOV to CR2 (SDM Vol. 2B MOV): #GP(0) at CPL > 0; at CPL 0 any 64-bit
 * value, read back as written (no canonical check on CR2). */
static void test_mock_cpu2_cr2_write(void **state)
{
	(void)state;
	cpu_write_cr2(UINT64_C(0x8000000000001234));
	assert_int_equal(cpu_read_cr2(), UINT64_C(0x8000000000001234));
	set_cpl(3);
	CR_GP(cpu_write_cr2, 0x55, "CR2.gp_cpl");
	set_cpl(0);
	assert_int_equal(cpu_read_cr2(), UINT64_C(0x8000000000001234));
	cpu_write_cr2(0);
}

/* MOV to CR4: #GP at CPL > 0, for bits the CPU lacks, clearing PAE or
 * toggling LA57 in IA-32e mode, setting PCIDE with CR3[11:0] != 0, CET
 * without CR0.WP, and in VMX root clearing VMXE or violating the fixed
 * bits (SDM Vol. 2B MOV, Vol. 3A 4.10.1, Vol. 3C 24.8). */
static void test_mock_cpu2_cr4_rules(void **state)
{
	uint64_t cr4 = cpu_read_cr4();
	(void)state;
	CR_GP(cpu_write_cr4, cr4 & ~X86_CR4_PAE, "CR4.gp_clear_pae_long_mode");
	mock_cpuid_change_bits(0, 7, 0, MOCK_ECX, 0, BIT32(16) | BIT32(7));
	CR_GP(cpu_write_cr4, cr4 | X86_CR4_LA57, "CR4.gp_la57_long_mode");
	CR_GP(cpu_write_cr4, cr4 & ~X86_CR4_VMXE, "CR4.gp_clear_vmxe_in_vmx");
	mock_msr_set(0, MSR_IA32_VMX_CR4_FIXED1, 0x3727ff & ~X86_CR4_PGE);
	CR_GP(cpu_write_cr4, cr4, "CR4.gp_vmx_fixed");
	mock_msr_set(0, MSR_IA32_VMX_CR4_FIXED1, 0x3727ff);
	struct mock_cpu_regs r = regs();
	r.cr0 &= ~X86_CR0_WP;
	mock_cpu_set_regs(0, &r);
	CR_GP(cpu_write_cr4, cr4 | X86_CR4_CET, "CR4.gp_cet_without_wp");
	r.cr0 |= X86_CR0_WP;
	r.cr4 &= ~X86_CR4_PCIDE;
	r.cr3 |= 0x5;
	mock_cpu_set_regs(0, &r);
	CR_GP(cpu_write_cr4, r.cr4 | X86_CR4_PCIDE, "CR4.gp_pcide_cr3");
	r.cr3 &= ~UINT64_C(0xFFF);
	r.cr4 = cr4;
	mock_cpu_set_regs(0, &r);
	set_cpl(3);
	CR_GP(cpu_write_cr4, cr4, "CR4.gp_cpl");
	set_cpl(0);
}

/* MOV to CR3 with PCIDE: bit 63 means "no flush" and is not stored; #GP
 * at CPL > 0 or beyond the physical-address width (SDM Vol. 3A 4.10.4.1,
 * Vol. 2B MOV). MOV to CR8: CPL 0 and bits 63:4 zero. */
static void test_mock_cpu2_cr3_cr8(void **state)
{
	uint64_t cr3 = cpu_read_cr3();
	(void)state;
	assert_true(regs().cr4 & X86_CR4_PCIDE);
	cpu_write_cr3(cr3 | BIT64(63) | 1);
	assert_true(cpu_read_cr3() == (cr3 | 1));
	CR_GP(cpu_write_cr3, BIT64(50), "CR3.gp_reserved");
	CR_GP(cpu_write_cr8, 16, "CR8.gp_reserved");
	set_cpl(3);
	CR_GP(cpu_write_cr3, cr3, "CR3.gp_cpl");
	CR_GP(cpu_write_cr8, 1, "CR8.gp_cpl");
	set_cpl(0);
}

/* In non-root, MOV to CR0/CR4 that does not exit changes only the bits
 * the guest owns; reads of owned-by-host bits come from the read shadow;
 * CR3 and CR8 loads and stores act on the guest's registers when their
 * exiting controls are off (SDM Vol. 3C 27.3, 26.1.3). */
static void test_mock_cpu2_guest_cr(void **state)
{
	(void)state;
	struct mock_cpu_regs before = regs();
	mock_test_write(VMCS_CR0_GUEST_HOST_MASK, X86_CR0_NE);
	mock_test_write(VMCS_CR0_READ_SHADOW, 0);
	mock_test_write(VMCS_CR4_GUEST_HOST_MASK, X86_CR4_VMXE);
	mock_test_write(VMCS_CR4_READ_SHADOW, 0);
	guest_enter();
	assert_false(cpu_read_cr0() & X86_CR0_NE);
	assert_true(regs().cr0 & X86_CR0_NE);
	assert_false(cpu_read_cr4() & X86_CR4_VMXE);
	cpu_write_cr0(before.cr0 & ~(X86_CR0_NE | X86_CR0_AM));
	assert_int_equal(glog.exits, 0);
	assert_true(regs().cr0 & X86_CR0_NE);
	assert_false(regs().cr0 & X86_CR0_AM);
	cpu_write_cr4(before.cr4 & ~X86_CR4_VMXE & ~X86_CR4_PGE);
	assert_false(regs().cr4 & X86_CR4_PGE);
	assert_true(regs().cr4 & X86_CR4_VMXE);
	cpu_write_cr0(before.cr0 | X86_CR0_NE);
	assert_int_equal(glog.exits, 1);
	assert_int_equal(glog.reason, EXIT_REASON_CR_ACCESS);
	cpu_write_cr3(0x3000);
	assert_int_equal(regs().cr3, 0x3000);
	assert_int_equal(cpu_read_cr3(), 0x3000);
	cpu_write_cr8(0x5);
	assert_int_equal(cpu_read_cr8(), 5);
	assert_int_equal(glog.exits, 1);
}

/* In non-root with CR3-store and CR8 exiting, the reads return what the
 * VMM put in RAX (SDM Vol. 3C 26.1.3). */
static void test_mock_cpu2_guest_cr_exits(void **state)
{
	(void)state;
	guest_proc_set(CPU_CR3_STORE_EXITING | CPU_CR8_STORE_EXITING |
		       CPU_CR8_LOAD_EXITING);
	guest_enter();
	guest_set_rax(0x9000);
	assert_int_equal(cpu_read_cr3(), 0x9000);
	guest_set_rax(7);
	assert_int_equal(cpu_read_cr8(), 7);
	cpu_write_cr8(2);
	assert_int_equal(glog.qual, 8);
	assert_int_equal(regs().cr8, 0);
	assert_int_equal(glog.exits, 3);
}

/* ----------------------------------------------------- DR7 and RFLAGS */

/* DR7: #GP at CPL > 0 and for bits 63:32; bit 10 reads as 1 and bits 12,
 * 14, 15 as 0 (SDM Vol. 3B 18.2.4). RFLAGS reads the CPU's flags. */
static void test_mock_cpu2_dr7_rflags(void **state)
{
	(void)state;
	cpu_write_dr7(0xF003);
	assert_int_equal(cpu_read_dr7(), 0x2403);
	mock_expect_exception(MOCK_OP_WRITE_DR7, X86_VEC_GP);
	cpu_write_dr7(BIT64(32));
	assert_string_equal(mock_last_exception_rule(), "DR7.gp_reserved");
	set_cpl(3);
	mock_expect_exception(MOCK_OP_WRITE_DR7, X86_VEC_GP);
	cpu_write_dr7(0x400);
	assert_string_equal(mock_last_exception_rule(), "DR7.gp_cpl");
	mock_expect_exception(MOCK_OP_READ_DR7, X86_VEC_GP);
	(void)cpu_read_dr7();
	assert_string_equal(mock_last_exception_rule(), "DR7.gp_cpl");
	set_cpl(0);
	assert_int_equal(cpu_read_rflags(), regs().rflags);
}

/* With MOV-DR exiting, guest DR7 accesses exit with the qualification of
 * Table 28-4 (DR number, direction 1 = MOV from DR) and reads return the
 * VMM's RAX (SDM Vol. 3C 26.1.3). */
static void test_mock_cpu2_guest_dr7(void **state)
{
	(void)state;
	guest_proc_set(CPU_MOV_DR_EXITING);
	guest_enter();
	cpu_write_dr7(0x401);
	assert_int_equal(glog.reason, EXIT_REASON_DR_ACCESS);
	assert_int_equal(glog.qual, 7);
	assert_int_equal(glog.gprs.rax, 0x401);
	assert_int_equal(regs().dr7, 0x400);
	guest_set_rax(0x455);
	assert_int_equal(cpu_read_dr7(), 0x455);
	assert_int_equal(glog.qual, 7u | (1u << 4));
	assert_int_equal(glog.exits, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(n) cmocka_unit_test_setup_teardown(n, guest_setup, guest_teardown)
		T(test_mock_cpu2_feature_control),
		T(test_mock_cpu2_efer),
		T(test_mock_cpu2_msr_values),
		T(test_mock_cpu2_msr_cpl),
		T(test_mock_cpu2_guest_msr),
		T(test_mock_cpu2_xsetbv_rules),
		T(test_mock_cpu2_xgetbv),
		T(test_mock_cpu2_guest_xsetbv),
		T(test_mock_cpu2_cr0_rules),
		T(test_mock_cpu2_cr2_write),
		T(test_mock_cpu2_cr4_rules),
		T(test_mock_cpu2_cr3_cr8),
		T(test_mock_cpu2_guest_cr),
		T(test_mock_cpu2_guest_cr_exits),
		T(test_mock_cpu2_dr7_rflags),
		T(test_mock_cpu2_guest_dr7),
#undef T
	};
	return FLANK_RUN_TESTS(tests);
}
