// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VMXON and VMXOFF of the emulated VT-x: every precondition of SDM Vol. 3C
 * 31.3 VMXON in its order, each with a case that fires and one that passes.
 */
#include <string.h>

#include "flank_test.h"
#include "mock_fixture.h"

static void *region;
static paddr_t region_pa;

static int setup(void **state)
{
	uint64_t basic = 0;

	mock_fixture_setup(state);
	region = mock_test_page_alloc(&region_pa);
	assert_true(mock_msr_get(0, MSR_IA32_VMX_BASIC, &basic));
	*(uint32_t *)region = (uint32_t)(basic & VMX_BASIC_REVISION_MASK);
	return 0;
}

static int teardown(void **state)
{
	if (mock_vmx_mode(0) == MOCK_VMX_ROOT)
		(void)vmx_off();
	mock_test_page_free(region);
	return mock_fixture_teardown(state);
}

static void vmxe_on(void)
{
	cpu_write_cr4(cpu_read_cr4() | X86_CR4_VMXE);
}

static void set_reg_cpl(unsigned cpl)
{
	struct mock_cpu_regs r;
	mock_cpu_get_regs(0, &r);
	r.cpl = cpl;
	mock_cpu_set_regs(0, &r);
}

/* VMXON.ok: with CR4.VMXE, locked FEATURE_CONTROL and a good region. */
static void test_mock_vmxon_ok(void **state)
{
	(void)state;
	vmxe_on();
	vmx_result_t r = vmx_on(region_pa);
	assert_int_equal(r.outcome, VMX_SUCCEED);
	assert_string_equal(mock_last_vmx_rule(0), "VMXON.ok");
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_ROOT);
	paddr_t cur;
	assert_true(vmx_ok(vmx_ptrst(&cur)));
	assert_true(pa_addr(cur) == UINT64_MAX);
	assert_int_equal(cpu_read_rflags() & (X86_RFLAGS_CF | X86_RFLAGS_ZF),
			 0);
}

/* VMXON.ud_cr4_vmxe: CR4.VMXE = 0 raises #UD. */
static void test_mock_vmxon_ud_cr4_vmxe(void **state)
{
	(void)state;
	mock_expect_exception(MOCK_OP_VMXON, X86_VEC_UD);
	vmx_result_t r = vmx_on(region_pa);
	assert_int_equal(r.outcome, VMX_EXCEPTION);
	assert_int_equal(r.error, X86_VEC_UD);
	assert_string_equal(mock_last_exception_rule(), "VMXON.ud_cr4_vmxe");
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
}

/* VMXON.ud_cr0_pe: CR0.PE = 0 raises #UD before anything else. */
static void test_mock_vmxon_ud_cr0_pe(void **state)
{
	struct mock_cpu_regs r;
	(void)state;
	vmxe_on();
	mock_cpu_get_regs(0, &r);
	r.cr0 &= ~(X86_CR0_PE | X86_CR0_PG);
	mock_cpu_set_regs(0, &r);
	mock_expect_exception(MOCK_OP_VMXON, X86_VEC_UD);
	assert_int_equal(vmx_on(region_pa).outcome, VMX_EXCEPTION);
	assert_string_equal(mock_last_exception_rule(), "VMXON.ud_cr0_pe");
}

/* VMXON.ud_v86: RFLAGS.VM = 1 raises #UD. */
static void test_mock_vmxon_ud_v86(void **state)
{
	struct mock_cpu_regs r;
	(void)state;
	vmxe_on();
	mock_cpu_get_regs(0, &r);
	r.rflags |= X86_RFLAGS_VM;
	mock_cpu_set_regs(0, &r);
	mock_expect_exception(MOCK_OP_VMXON, X86_VEC_UD);
	assert_int_equal(vmx_on(region_pa).outcome, VMX_EXCEPTION);
	assert_string_equal(mock_last_exception_rule(), "VMXON.ud_v86");
}

/* VMXON.ud_compat_mode: IA-32e compatibility mode (CS.L = 0) is #UD. */
static void test_mock_vmxon_ud_compat_mode(void **state)
{
	struct mock_cpu_regs r;
	(void)state;
	vmxe_on();
	mock_cpu_get_regs(0, &r);
	r.seg[MOCK_SEG_CS].ar &= ~AR_L;
	mock_cpu_set_regs(0, &r);
	mock_expect_exception(MOCK_OP_VMXON, X86_VEC_UD);
	assert_int_equal(vmx_on(region_pa).outcome, VMX_EXCEPTION);
	assert_string_equal(mock_last_exception_rule(), "VMXON.ud_compat_mode");
}

/* VMXON.gp_cpl: CPL 3 outside VMX raises #GP(0). */
static void test_mock_vmxon_gp_cpl(void **state)
{
	(void)state;
	vmxe_on();
	set_reg_cpl(3);
	mock_expect_exception(MOCK_OP_VMXON, X86_VEC_GP);
	assert_int_equal(vmx_on(region_pa).error, X86_VEC_GP);
	assert_string_equal(mock_last_exception_rule(), "VMXON.gp_cpl");
	set_reg_cpl(0);
}

/* VMXON.gp_cr0_fixed: CR0.NE = 0 violates IA32_VMX_CR0_FIXED0. */
static void test_mock_vmxon_gp_cr0_fixed(void **state)
{
	(void)state;
	vmxe_on();
	cpu_write_cr0(cpu_read_cr0() & ~X86_CR0_NE);
	mock_expect_exception(MOCK_OP_VMXON, X86_VEC_GP);
	assert_int_equal(vmx_on(region_pa).error, X86_VEC_GP);
	assert_string_equal(mock_last_exception_rule(), "VMXON.gp_cr0_fixed");
}

/* VMXON.gp_cr4_fixed: a CR4 bit outside IA32_VMX_CR4_FIXED1. */
static void test_mock_vmxon_gp_cr4_fixed(void **state)
{
	(void)state;
	vmxe_on();
	/* Narrow FIXED1 so that the Linux CR4 (with SMAP) violates it. */
	mock_msr_set(0, MSR_IA32_VMX_CR4_FIXED1, 0x27ff);
	mock_expect_exception(MOCK_OP_VMXON, X86_VEC_GP);
	assert_int_equal(vmx_on(region_pa).error, X86_VEC_GP);
	assert_string_equal(mock_last_exception_rule(), "VMXON.gp_cr4_fixed");
}

/* VMXON.gp_feature_control_unlocked: lock bit clear raises #GP. */
static void test_mock_vmxon_gp_feature_control_unlocked(void **state)
{
	(void)state;
	mock_fixture_init("skylake_unlocked", 1);
	uint64_t basic = 0;
	region = mock_test_page_alloc(&region_pa);
	assert_true(mock_msr_get(0, MSR_IA32_VMX_BASIC, &basic));
	*(uint32_t *)region = (uint32_t)basic & 0x7FFFFFFF;
	vmxe_on();
	mock_expect_exception(MOCK_OP_VMXON, X86_VEC_GP);
	assert_int_equal(vmx_on(region_pa).error, X86_VEC_GP);
	assert_string_equal(mock_last_exception_rule(),
			    "VMXON.gp_feature_control_unlocked");
	/* Unlocked: the VMM may lock it with VMX enabled, then VMXON works. */
	assert_int_equal(cpu_wrmsr_safe(MSR_IA32_FEATURE_CONTROL, 0x5),
			 CPU_SAFE_OK);
	assert_true(vmx_ok(vmx_on(region_pa)));
}

/* VMXON.gp_feature_control_outside_smx: locked with bit 2 clear. */
static void test_mock_vmxon_gp_feature_control_outside_smx(void **state)
{
	(void)state;
	vmxe_on();
	mock_feature_control_set(0, FEATURE_CONTROL_LOCKED);
	mock_expect_exception(MOCK_OP_VMXON, X86_VEC_GP);
	assert_int_equal(vmx_on(region_pa).error, X86_VEC_GP);
	assert_string_equal(mock_last_exception_rule(),
			    "VMXON.gp_feature_control_outside_smx");
}

/* VMXON.fail_align: an unaligned region is VMfailInvalid. */
static void test_mock_vmxon_fail_align(void **state)
{
	(void)state;
	vmxe_on();
	vmx_result_t r = vmx_on(pa_init(pa_addr(region_pa) + 8));
	assert_int_equal(r.outcome, VMX_FAIL_INVALID);
	assert_string_equal(mock_last_vmx_rule(0), "VMXON.fail_align");
	assert_true(cpu_read_rflags() & X86_RFLAGS_CF);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
}

/* VMXON.fail_width: an address beyond the physical width fails. */
static void test_mock_vmxon_fail_width(void **state)
{
	(void)state;
	vmxe_on();
	uint64_t pa = UINT64_C(1) << mock_phys_addr_width();
	assert_int_equal(vmx_on(pa_init(pa)).outcome, VMX_FAIL_INVALID);
	assert_string_equal(mock_last_vmx_rule(0), "VMXON.fail_width");
}

/* VMXON.fail_revision: wrong revision identifier, and bit 31 set. */
static void test_mock_vmxon_fail_revision(void **state)
{
	(void)state;
	vmxe_on();
	uint32_t good = *(uint32_t *)region;
	*(uint32_t *)region = good + 1;
	assert_int_equal(vmx_on(region_pa).outcome, VMX_FAIL_INVALID);
	assert_string_equal(mock_last_vmx_rule(0), "VMXON.fail_revision");
	*(uint32_t *)region = good | 0x80000000u;
	assert_int_equal(vmx_on(region_pa).outcome, VMX_FAIL_INVALID);
	assert_string_equal(mock_last_vmx_rule(0), "VMXON.fail_revision");
	*(uint32_t *)region = good;
	assert_true(vmx_ok(vmx_on(region_pa)));
}

/* Unmapped memory reads as all ones: its revision never matches. */
static void test_mock_vmxon_fail_unmapped(void **state)
{
	(void)state;
	vmxe_on();
	assert_int_equal(vmx_on(pa_init(0x1000)).outcome, VMX_FAIL_INVALID);
	assert_string_equal(mock_last_vmx_rule(0), "VMXON.fail_revision");
}

/* VMXON.fail_in_root: a second VMXON is VMfail(15) (invalid: no VMCS). */
static void test_mock_vmxon_fail_in_root(void **state)
{
	(void)state;
	vmxe_on();
	assert_true(vmx_ok(vmx_on(region_pa)));
	vmx_result_t r = vmx_on(region_pa);
	assert_int_equal(r.outcome, VMX_FAIL_INVALID);
	assert_string_equal(mock_last_vmx_rule(0), "VMXON.fail_in_root");
}

/* VMXON.fail_in_root with a current VMCS: VMfailValid(15). */
static void test_mock_vmxon_fail_in_root_valid(void **state)
{
	struct mock_test_vm vm;
	(void)state;
	mock_test_vm_setup(&vm);
	vmx_result_t r = vmx_on(vm.vmxon_pa);
	assert_int_equal(r.outcome, VMX_FAIL_VALID);
	assert_int_equal(r.error, VMXERR_VMXON_IN_ROOT);
	assert_int_equal(mock_test_read(VMCS_VM_INSTRUCTION_ERROR), 15);
	mock_test_vm_teardown(&vm);
}

/* VMXON.gp_cpl in root: CPL > 0 in VMX root raises #GP before VMfail. */
static void test_mock_vmxon_gp_cpl_in_root(void **state)
{
	(void)state;
	vmxe_on();
	assert_true(vmx_ok(vmx_on(region_pa)));
	set_reg_cpl(3);
	mock_expect_exception(MOCK_OP_VMXON, X86_VEC_GP);
	assert_int_equal(vmx_on(region_pa).error, X86_VEC_GP);
	assert_string_equal(mock_last_exception_rule(), "VMXON.gp_cpl");
	set_reg_cpl(0);
}

/* VMXOFF.ok leaves VMX operation; afterwards CR4.VMXE may be cleared. */
static void test_mock_vmxoff_ok(void **state)
{
	(void)state;
	vmxe_on();
	assert_true(vmx_ok(vmx_on(region_pa)));
	mock_expect_exception(MOCK_OP_WRITE_CR, X86_VEC_GP);
	cpu_write_cr4(cpu_read_cr4() & ~X86_CR4_VMXE);
	assert_string_equal(mock_last_exception_rule(),
			    "CR4.gp_clear_vmxe_in_vmx");
	assert_true(vmx_ok(vmx_off()));
	assert_string_equal(mock_last_vmx_rule(0), "VMXOFF.ok");
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	cpu_write_cr4(cpu_read_cr4() & ~X86_CR4_VMXE);
	assert_false(cpu_read_cr4() & X86_CR4_VMXE);
}

/* VMXOFF.ud_not_in_vmx: VMXOFF outside VMX operation is #UD. */
static void test_mock_vmxoff_ud_not_in_vmx(void **state)
{
	(void)state;
	mock_expect_exception(MOCK_OP_VMXOFF, X86_VEC_UD);
	assert_int_equal(vmx_off().error, X86_VEC_UD);
	assert_string_equal(mock_last_exception_rule(), "VMXOFF.ud_not_in_vmx");
}

/* VMXOFF.gp_cpl: VMXOFF at CPL 3 in VMX root is #GP. */
static void test_mock_vmxoff_gp_cpl(void **state)
{
	(void)state;
	vmxe_on();
	assert_true(vmx_ok(vmx_on(region_pa)));
	set_reg_cpl(3);
	mock_expect_exception(MOCK_OP_VMXOFF, X86_VEC_GP);
	assert_int_equal(vmx_off().error, X86_VEC_GP);
	assert_string_equal(mock_last_exception_rule(), "VMXOFF.gp_cpl");
	set_reg_cpl(0);
}

/* The CPU without VMX: CR4.VMXE is reserved, so VMXON can never run. */
static void test_mock_vmxon_novmx_profile(void **state)
{
	(void)state;
	mock_fixture_init("novmx", 1);
	region = mock_test_page_alloc(&region_pa);
	mock_expect_exception(MOCK_OP_WRITE_CR, X86_VEC_GP);
	vmxe_on();
	assert_string_equal(mock_last_exception_rule(), "CR4.gp_reserved");
	mock_expect_exception(MOCK_OP_VMXON, X86_VEC_UD);
	assert_int_equal(vmx_on(region_pa).error, X86_VEC_UD);
	uint64_t v;
	assert_int_equal(cpu_rdmsr_safe(MSR_IA32_VMX_BASIC, &v), CPU_SAFE_GP);
	assert_int_equal(cpu_rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &v),
			 CPU_SAFE_GP);
}

/* A VMCS model is dropped with its memory, unless a CPU still has it
 * active: a test that cycles VMCSs keeps the model's list short. */
static void test_mock_vmcs_forgotten_with_memory(void **state)
{
	uint32_t rev = *(uint32_t *)region;
	paddr_t pa[2];
	void *page[2];
	size_t before;

	(void)state;
	vmxe_on();
	assert_true(vmx_ok(vmx_on(region_pa)));
	before = mock_vmcs_tracked();
	for (unsigned i = 0; i < 2; i++) {
		page[i] = mock_test_page_alloc(&pa[i]);
		*(uint32_t *)page[i] = rev;
		assert_true(vmx_ok(vmx_clear(pa[i])));
		assert_true(vmx_ok(vmx_ptrld(pa[i])));
	}
	assert_int_equal(mock_vmcs_tracked(), before + 2);
	/* Page 0 is still active (never VMCLEARed since its VMPTRLD): kept. */
	mock_test_page_free(page[0]);
	assert_int_equal(mock_vmcs_tracked(), before + 2);
	/* Page 1, cleared (inactive, not current): forgotten with its page. */
	assert_true(vmx_ok(vmx_clear(pa[1])));
	mock_test_page_free(page[1]);
	assert_int_equal(mock_vmcs_tracked(), before + 1);
	(void)vmx_off();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)
		T(test_mock_vmxon_ok),
		T(test_mock_vmxon_ud_cr4_vmxe),
		T(test_mock_vmxon_ud_cr0_pe),
		T(test_mock_vmxon_ud_v86),
		T(test_mock_vmxon_ud_compat_mode),
		T(test_mock_vmxon_gp_cpl),
		T(test_mock_vmxon_gp_cr0_fixed),
		T(test_mock_vmxon_gp_cr4_fixed),
		T(test_mock_vmxon_gp_feature_control_unlocked),
		T(test_mock_vmxon_gp_feature_control_outside_smx),
		T(test_mock_vmxon_fail_align),
		T(test_mock_vmxon_fail_width),
		T(test_mock_vmxon_fail_revision),
		T(test_mock_vmxon_fail_unmapped),
		T(test_mock_vmxon_fail_in_root),
		T(test_mock_vmxon_fail_in_root_valid),
		T(test_mock_vmxon_gp_cpl_in_root),
		T(test_mock_vmxoff_ok),
		T(test_mock_vmxoff_ud_not_in_vmx),
		T(test_mock_vmcs_forgotten_with_memory),
		T(test_mock_vmxoff_gp_cpl),
		T(test_mock_vmxon_novmx_profile),
#undef T
	};
	return FLANK_RUN_TESTS(tests);
}
