// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The emulated CPU's TLB by VPID (flank/mock_tlb.h; SDM Vol. 3C 28.1,
 * 28.3.3): without VPID every VM entry and VM exit flushes VPID 0000H,
 * globals included; with VPID neither flushes; each INVVPID type
 * invalidates exactly its set; a failed INVVPID invalidates nothing.
 */
#include <string.h>

#include "flank_test.h"
#include "flank/mock_tlb.h"
#include "mock_fixture.h"

#define HOST_PAGE UINT64_C(0xffffffff81000000)
#define PAGE_A UINT64_C(0x00007f0000001000)
#define PAGE_B UINT64_C(0x00007f0000002000)
#define PAGE_G UINT64_C(0xffffffff82000000)

static struct mock_test_vm vm;

/* Resumes the guest after each exit, past the exiting instruction. */
static enum intrin_exit_action handler(struct intrin_exit_frame *f, void *ctx)
{
	(void)f;
	(void)ctx;
	mock_test_write(VMCS_GUEST_RIP,
			mock_test_read(VMCS_GUEST_RIP) +
				mock_test_read(VMCS_VM_EXIT_INSTRUCTION_LEN));
	return INTRIN_EXIT_RESUME;
}

static enum intrin_exit_action resume_failed(struct intrin_exit_frame *f,
					     void *ctx, vmx_result_t r)
{
	(void)ctx;
	(void)r;
	assert_true(vmx_ok(vmx_off()));
	f->leave_rip = 1;
	return INTRIN_EXIT_LEAVE;
}

/* Leaves the guest for good: the handler of a VMCALL executes VMXOFF. */
static enum intrin_exit_action leave(struct intrin_exit_frame *f, void *ctx)
{
	(void)ctx;
	f->leave_rip = mock_test_read(VMCS_GUEST_RIP);
	f->leave_rsp = mock_test_read(VMCS_GUEST_RSP);
	f->leave_rflags = 0x2;
	assert_true(vmx_ok(vmx_off()));
	return INTRIN_EXIT_LEAVE;
}

static int setup(void **state)
{
	mock_fixture_setup(state);
	mock_set_exit_handlers(handler, resume_failed);
	mock_test_vm_setup(&vm);
	return 0;
}

static int teardown(void **state)
{
	if (mock_vmx_mode(0) == MOCK_VMX_NONROOT) {
		mock_set_exit_handlers(leave, resume_failed);
		(void)mock_guest_vmx_insn(EXIT_REASON_VMCALL, NULL);
	}
	mock_test_vm_teardown(&vm);
	return mock_fixture_teardown(state);
}

/* "enable VPID" = 1 with @p vpid in the current VMCS. */
static void enable_vpid(uint16_t vpid)
{
	mock_test_write(VMCS_CPU_BASED_VM_EXEC_CONTROL,
			mock_test_read(VMCS_CPU_BASED_VM_EXEC_CONTROL) |
				CPU_ACTIVATE_SECONDARY);
	mock_test_write(VMCS_SECONDARY_VM_EXEC_CONTROL, SEC_ENABLE_VPID);
	mock_test_write(VMCS_VPID, vpid);
}

static void launch(void)
{
	vmx_result_t r = vmx_launch();
	if (!vmx_ok(r))
		fail_msg("launch refused: %s", mock_last_entry(0)->rule);
}

static struct mock_tlb_stats stats(void)
{
	struct mock_tlb_stats s;

	mock_tlb_get_stats(0, &s);
	return s;
}

/* Without VPID: the entry flushes the host's VPID-0 translations (global
 * too) and the guest's first fetch is cached under VPID 0; the exit and
 * the VMRESUME of a CPUID each flush again. */
static void test_mock_tlb_no_vpid_flushes(void **state)
{
	struct cpu_cpuid_regs regs;
	uint64_t guest_rip;

	(void)state;
	mock_tlb_fill(0, 0, HOST_PAGE, true);
	guest_rip = mock_test_read(VMCS_GUEST_RIP);
	launch();
	assert_int_equal(mock_tlb_current_vpid(0), 0);
	assert_int_equal(stats().entries, 1);
	assert_int_equal(stats().flushing_transitions, 1);
	assert_false(mock_tlb_has(0, 0, HOST_PAGE));
	assert_true(mock_tlb_has(0, 0, guest_rip));
	/* The guest caches a translation of its own. */
	mock_tlb_fill(0, 0, PAGE_A, false);
	assert_int_equal(mock_guest_cpuid(0, 0, &regs, NULL), 0);
	assert_int_equal(stats().exits, 1);
	assert_int_equal(stats().entries, 2);
	assert_int_equal(stats().flushing_transitions, 3);
	/* Gone: the guest walks its page tables again after every exit. */
	assert_false(mock_tlb_has(0, 0, PAGE_A));
}

/* With VPID 5: neither the entry nor the exit nor the VMRESUME flushes;
 * the host's and the guest's translations stay, each under its VPID. */
static void test_mock_tlb_vpid_keeps(void **state)
{
	struct cpu_cpuid_regs regs;
	uint64_t guest_rip;

	(void)state;
	enable_vpid(5);
	mock_tlb_fill(0, 0, HOST_PAGE, true);
	guest_rip = mock_test_read(VMCS_GUEST_RIP);
	launch();
	assert_int_equal(mock_tlb_current_vpid(0), 5);
	assert_true(mock_tlb_has(0, 5, guest_rip));
	assert_false(mock_tlb_has(0, 0, guest_rip));
	assert_true(mock_tlb_has(0, 0, HOST_PAGE));
	mock_tlb_fill(0, 5, PAGE_A, false);
	assert_int_equal(mock_guest_cpuid(0, 0, &regs, NULL), 0);
	assert_int_equal(stats().exits, 1);
	assert_int_equal(stats().entries, 2);
	assert_int_equal(stats().flushing_transitions, 0);
	assert_int_equal(stats().invalidated, 0);
	assert_true(mock_tlb_has(0, 5, guest_rip));
	assert_true(mock_tlb_has(0, 5, PAGE_A));
	assert_true(mock_tlb_has(0, 0, HOST_PAGE));
}

/* Translations of VPIDs 0, 1 and 2, page A and B plus a global one each. */
static void fill_three(void)
{
	for (uint16_t v = 0; v <= 2; v++) {
		mock_tlb_fill(0, v, PAGE_A, false);
		mock_tlb_fill(0, v, PAGE_B, false);
		mock_tlb_fill(0, v, PAGE_G, true);
	}
}

static void invvpid_ok(uint64_t type, uint16_t vpid, uint64_t la)
{
	struct vmx_invvpid_desc d = {.vpid = vpid, .linear_address = la};

	assert_true(vmx_ok(vmx_invvpid(type, &d)));
	assert_string_equal(mock_last_vmx_rule(0), "INVVPID.ok");
}

/* Each type invalidates what SDM Vol. 3C 28.3.3.1 says, nothing more. */
static void test_mock_tlb_invvpid_types(void **state)
{
	(void)state;
	fill_three();
	/* Individual-address: one page of one VPID. */
	invvpid_ok(VMX_INVVPID_INDIVIDUAL_ADDR, 1, PAGE_A + 0x123);
	assert_false(mock_tlb_has(0, 1, PAGE_A));
	assert_true(mock_tlb_has(0, 1, PAGE_B));
	assert_true(mock_tlb_has(0, 2, PAGE_A));
	assert_true(mock_tlb_has(0, 0, PAGE_A));
	assert_int_equal(stats().invvpid_invalidated[0], 1);
	/* Single-context retaining globals: VPID 2's non-global ones. */
	invvpid_ok(VMX_INVVPID_SINGLE_CONTEXT_NON_GLOBAL, 2, 0);
	assert_int_equal(mock_tlb_count(0, 2), 1);
	assert_true(mock_tlb_has(0, 2, PAGE_G));
	assert_int_equal(mock_tlb_count(0, 1), 2);
	assert_int_equal(stats().invvpid_invalidated[3], 2);
	/* Single-context: all of VPID 2, globals too; VPID 1 untouched. */
	invvpid_ok(VMX_INVVPID_SINGLE_CONTEXT, 2, 0);
	assert_int_equal(mock_tlb_count(0, 2), 0);
	assert_int_equal(mock_tlb_count(0, 1), 2);
	assert_int_equal(stats().invvpid_invalidated[1], 1);
	/* All-context: every VPID but 0000H. */
	invvpid_ok(VMX_INVVPID_ALL_CONTEXT, 0, 0);
	assert_int_equal(mock_tlb_count(0, 1), 0);
	assert_int_equal(mock_tlb_count(0, 0), 3);
	assert_int_equal(stats().invvpid_invalidated[2], 2);
	for (unsigned t = 0; t < 4; t++)
		assert_int_equal(stats().invvpid[t], 1);
	assert_int_equal(stats().invalidated, 6);
}

/* SDM Vol. 3C 31.3 INVVPID: VMfailValid(28) for an unsupported type (by
 * the capability MSR, not only > 3), descriptor bits 63:16, VPID 0 for
 * types 0, 1 and 3, a non-canonical address for type 0; none of them
 * invalidates anything. */
static void test_mock_tlb_invvpid_failures(void **state)
{
	static const struct {
		uint64_t type, vpid, la;
		const char *rule;
	} bad[] = {
		{4, 1, 0, "INVVPID.fail_type"},
		{VMX_INVVPID_SINGLE_CONTEXT, 0x10001, 0,
		 "INVVPID.fail_reserved"},
		{VMX_INVVPID_ALL_CONTEXT, UINT64_C(1) << 63, 0,
		 "INVVPID.fail_reserved"},
		{VMX_INVVPID_INDIVIDUAL_ADDR, 0, PAGE_A, "INVVPID.fail_vpid0"},
		{VMX_INVVPID_SINGLE_CONTEXT, 0, 0, "INVVPID.fail_vpid0"},
		{VMX_INVVPID_SINGLE_CONTEXT_NON_GLOBAL, 0, 0,
		 "INVVPID.fail_vpid0"},
		{VMX_INVVPID_INDIVIDUAL_ADDR, 1, UINT64_C(0x0000800000000000),
		 "INVVPID.fail_noncanonical"},
	};
	uint64_t cap = 0;

	(void)state;
	fill_three();
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(bad); i++) {
		struct vmx_invvpid_desc d = {.vpid = bad[i].vpid,
					     .linear_address = bad[i].la};
		vmx_result_t r = vmx_invvpid(bad[i].type, &d);
		assert_int_equal(r.outcome, VMX_FAIL_VALID);
		assert_int_equal(r.error, VMXERR_INVALID_INVEPT_INVVPID);
		assert_string_equal(mock_last_vmx_rule(0), bad[i].rule);
	}
	/* A type the CPU does not report (EPT_VPID_CAP bit 41 clear). */
	assert_true(mock_msr_get(0, MSR_IA32_VMX_EPT_VPID_CAP, &cap));
	mock_msr_set(0, MSR_IA32_VMX_EPT_VPID_CAP, cap & ~BIT64(41));
	{
		struct vmx_invvpid_desc d = {.vpid = 1};
		vmx_result_t r = vmx_invvpid(VMX_INVVPID_SINGLE_CONTEXT, &d);
		assert_int_equal(r.error, VMXERR_INVALID_INVEPT_INVVPID);
		assert_string_equal(mock_last_vmx_rule(0), "INVVPID.fail_type");
	}
	assert_int_equal(stats().invalidated, 0);
	for (uint16_t v = 0; v <= 2; v++)
		assert_int_equal(mock_tlb_count(0, v), 3);
}

/* A full TLB makes room by evicting the oldest entry, counted apart from
 * invalidations; refilling a cached page does not add an entry. */
static void test_mock_tlb_eviction(void **state)
{
	(void)state;
	for (uint64_t i = 0; i <= MOCK_TLB_ENTRIES; i++)
		mock_tlb_fill(0, 7, PAGE_A + i * 0x1000, false);
	assert_int_equal(mock_tlb_count(0, 7), MOCK_TLB_ENTRIES);
	assert_int_equal(stats().evictions, 1);
	assert_false(mock_tlb_has(0, 7, PAGE_A));
	assert_true(mock_tlb_has(0, 7,
				 PAGE_A + (uint64_t)MOCK_TLB_ENTRIES * 0x1000));
	mock_tlb_fill(0, 7, PAGE_B, true);
	assert_int_equal(stats().fills, MOCK_TLB_ENTRIES + 1);
	assert_int_equal(stats().invalidated, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)
		T(test_mock_tlb_no_vpid_flushes),
		T(test_mock_tlb_vpid_keeps),
		T(test_mock_tlb_invvpid_types),
		T(test_mock_tlb_invvpid_failures),
		T(test_mock_tlb_eviction),
#undef T
	};
	return FLANK_RUN_TESTS(tests);
}
