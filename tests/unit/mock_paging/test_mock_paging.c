// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VMX memory operands in the emulated linear address space
 * (mock_operand_at, intrinsics/mock/paging.c): the accessed and dirty
 * flags the walk sets (and does not set on a fault), one armed operand per
 * instruction, the refusal of a segment that cannot address memory, and a
 * 1-GByte page on a CPU without them. The fault cases of every instruction
 * are scenarios (tests/fault/scenarios/operand_*.scen).
 */
#include <string.h>

#include "flank_test.h"
#include "mock_fixture.h"

#define P UINT64_C(1)
#define RW (UINT64_C(1) << 1)
#define A (UINT64_C(1) << 5)
#define D (UINT64_C(1) << 6)
#define PS (UINT64_C(1) << 7)

static struct mock_test_vm vm;
/* Paging structures: PML4, PDPT, PD, PT; and the data page. */
static uint64_t *pml4, *pdpt, *pd, *pt, *data;
static paddr_t pml4_pa, pdpt_pa, pd_pa, pt_pa, data_pa;
static const char *violation;

static void record(const char *rule, const char *message)
{
	(void)message;
	violation = rule;
}

/* CR3 := the PML4 of linear 0x400000 -> data (4 KiB, writable). */
static void build_tables(void)
{
	struct mock_cpu_regs g;

	pml4 = mock_test_page_alloc(&pml4_pa);
	pdpt = mock_test_page_alloc(&pdpt_pa);
	pd = mock_test_page_alloc(&pd_pa);
	pt = mock_test_page_alloc(&pt_pa);
	data = mock_test_page_alloc(&data_pa);
	pml4[0] = pa_addr(pdpt_pa) | P | RW;
	pdpt[0] = pa_addr(pd_pa) | P | RW;
	pd[2] = pa_addr(pt_pa) | P | RW; /* 0x400000 >> 21 = 2 */
	pt[0] = pa_addr(data_pa) | P | RW;
	mock_cpu_get_regs(0, &g);
	g.cr3 = pa_addr(pml4_pa);
	g.cr4 &= ~X86_CR4_LA57;
	mock_cpu_set_regs(0, &g);
}

static int setup(void **state)
{
	mock_fixture_setup(state);
	mock_test_vm_setup(&vm);
	build_tables();
	return 0;
}

static int teardown(void **state)
{
	void *pages[] = {pml4, pdpt, pd, pt, data};

	mock_set_exception_handler(NULL);
	mock_test_vm_teardown(&vm);
	for (unsigned i = 0; i < 5; i++)
		mock_test_page_free(pages[i]);
	return mock_fixture_teardown(state);
}

/*
 * A read sets the accessed flag in every entry the walk used, a write
 * also the dirty flag of the page's entry (SDM Vol. 3A 4.8); a walk that
 * faults sets none.
 */
static void test_mock_paging_accessed_dirty(void **state)
{
	paddr_t got;

	(void)state;
	data[1] = pa_addr(vm.vmcs_pa);
	mock_operand_at(MOCK_SEG_DS, 0x400008);
	assert_true(vmx_ok(vmx_ptrld(pa_init(0))));
	assert_true(pml4[0] & A);
	assert_true(pdpt[0] & A);
	assert_true(pd[2] & A);
	assert_true(pt[0] & A);
	assert_false(pt[0] & D);
	mock_operand_at(MOCK_SEG_DS, 0x400010);
	assert_true(vmx_ok(vmx_ptrst(&got)));
	assert_int_equal(pa_addr(got), pa_addr(vm.vmcs_pa));
	assert_int_equal(data[2], pa_addr(vm.vmcs_pa));
	assert_true(pt[0] & D);
	assert_false(pd[2] & D);

	/* Read-only page: the write faults, A and D stay clear. */
	pt[1] = pa_addr(data_pa) | P;
	mock_expect_exception(MOCK_OP_VMPTRST, X86_VEC_PF);
	mock_operand_at(MOCK_SEG_DS, 0x401018);
	vmx_result_t r = vmx_ptrst(&got);
	assert_int_equal(r.outcome, VMX_EXCEPTION);
	assert_int_equal(r.error, X86_VEC_PF);
	assert_int_equal(mock_last_exception_error_code(), 3);
	assert_int_equal(pt[1] & (A | D), 0);
	assert_int_equal(data[3], 0);

	/* R/W clear in a directory entry: every page below is read-only
	 * for a write with CR0.WP = 1 (SDM Vol. 3A 4.6.1). */
	pd[2] &= ~RW;
	mock_expect_exception(MOCK_OP_VMPTRST, X86_VEC_PF);
	mock_operand_at(MOCK_SEG_DS, 0x400018);
	r = vmx_ptrst(&got);
	assert_int_equal(r.error, X86_VEC_PF);
	assert_int_equal(mock_last_exception_error_code(), 3);
	assert_string_equal(mock_last_exception_rule(), "PAGING.pf_write");
}

/* The operand is armed for one instruction: the next one with a memory
 * operand takes it even when it faults before reaching it (#UD), and the
 * one after uses its argument again. */
static void test_mock_paging_one_instruction(void **state)
{
	struct mock_cpu_regs g;
	vmx_result_t r;

	(void)state;
	mock_operand_at(MOCK_SEG_DS, UINT64_C(0x0000800000000000));
	mock_cpu_get_regs(0, &g);
	g.seg[MOCK_SEG_CS].ar &= ~AR_L;
	mock_cpu_set_regs(0, &g);
	mock_expect_exception(MOCK_OP_VMPTRLD, X86_VEC_UD);
	r = vmx_ptrld(vm.vmcs_pa);
	assert_int_equal(r.error, X86_VEC_UD);
	g.seg[MOCK_SEG_CS].ar |= AR_L;
	mock_cpu_set_regs(0, &g);
	assert_true(vmx_ok(vmx_ptrld(vm.vmcs_pa)));
	assert_string_equal(mock_last_vmx_rule(0), "VMPTRLD.ok");
	/* #SS(0): error code 0. */
	mock_operand_at(MOCK_SEG_SS, UINT64_C(0x0000800000000000));
	mock_expect_exception(MOCK_OP_VMPTRLD, X86_VEC_SS);
	r = vmx_ptrld(vm.vmcs_pa);
	assert_int_equal(r.error, X86_VEC_SS);
	assert_int_equal(mock_last_exception_error_code(), 0);
}

/* LDTR and TR cannot address a memory operand: a model violation. */
static void test_mock_paging_bad_segment(void **state)
{
	(void)state;
	mock_set_exception_handler(record);
	violation = NULL;
	mock_operand_at(MOCK_SEG_LDTR, 0);
	assert_string_equal(violation, "OPERAND.bad_segment");
	/* Nothing was armed: VMPTRLD uses its argument. */
	assert_true(vmx_ok(vmx_ptrld(vm.vmcs_pa)));
}

/*
 * A 1-GByte page (PS in a PDPTE) needs CPUID.80000001H:EDX.Page1GB[26];
 * without it the bit is reserved: #PF with P|RSVD (SDM Vol. 3A 4.5.4).
 */
static void test_mock_paging_1g_without_page1gb(void **state)
{
	struct cpu_cpuid_regs id;
	vmx_result_t r;

	(void)state;
	cpu_cpuid(0x80000001u, 0, &id);
	assert_true(id.edx & (UINT32_C(1) << 26));
	pdpt[1] = P | RW | PS; /* linear 1 GiB -> physical 0 */
	data[0] = pa_addr(vm.vmcs_pa);
	mock_operand_at(MOCK_SEG_DS, 0x40000000u + pa_addr(data_pa));
	assert_true(vmx_ok(vmx_ptrld(pa_init(0))));
	mock_cpuid_change_bits(0, 0x80000001u, 0, MOCK_EDX, 1u << 26, 0);
	mock_expect_exception(MOCK_OP_VMPTRLD, X86_VEC_PF);
	mock_operand_at(MOCK_SEG_DS, 0x40000000u + pa_addr(data_pa));
	r = vmx_ptrld(pa_init(0));
	assert_int_equal(r.error, X86_VEC_PF);
	assert_int_equal(mock_last_exception_error_code(), 9);
	assert_string_equal(mock_last_exception_rule(), "PAGING.pf_reserved");
}

/*
 * 32-bit and PAE paging (CR0.PG = 1 outside IA-32e mode) are not walked:
 * a model violation, and the instruction reports #GP without touching
 * anything.
 */
static void test_mock_paging_legacy_unmodelled(void **state)
{
	struct mock_cpu_regs g, saved;
	uint64_t efer = 0;
	vmx_result_t r;

	(void)state;
	mock_cpu_get_regs(0, &saved);
	assert_true(mock_msr_get(0, MSR_IA32_EFER, &efer));
	mock_msr_set(0, MSR_IA32_EFER, efer & ~(X86_EFER_LMA | X86_EFER_LME));
	mock_cpu_get_regs(0, &g);
	g.seg[MOCK_SEG_CS].ar = (g.seg[MOCK_SEG_CS].ar & ~AR_L) | AR_DB;
	g.seg[MOCK_SEG_DS] =
		(struct mock_segment){0x18, 0, 0xFFFFFFFFu, 0xC093};
	mock_cpu_set_regs(0, &g);
	mock_set_exception_handler(record);
	violation = NULL;
	mock_operand_at(MOCK_SEG_DS, 0x1000);
	r = vmx_ptrld(vm.vmcs_pa);
	assert_string_equal(violation, "PAGING.legacy_unmodelled");
	assert_int_equal(r.outcome, VMX_EXCEPTION);
	mock_msr_set(0, MSR_IA32_EFER, efer);
	mock_cpu_set_regs(0, &saved);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)
		T(test_mock_paging_accessed_dirty),
		T(test_mock_paging_one_instruction),
		T(test_mock_paging_bad_segment),
		T(test_mock_paging_1g_without_page1gb),
		T(test_mock_paging_legacy_unmodelled),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
