// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libvmm's VMCS checker where the CPU does not cooperate: a capability MSR
 * that raises #GP, a VMREAD that fails, no current VMCS, a CPU without
 * the CPUID leaves it consults; and the text vmm_vmcs_check_describe()
 * makes of each outcome. The VMCS is the emulator's valid fixture.
 */
#include <stdio.h>
#include <string.h>

#include "flank_test.h"
#include "entry_fixture.h"
#include "flank/vmm_vmcs_check.h"

static void setup(struct efx *fx, unsigned profile)
{
	assert_int_equal(efx_init(fx, efx_profile_name(profile)), 0);
	fx->cpu->cur_vmcs = fx->vmcs;
}

/* A #GP on any capability MSR ends the run naming that MSR. */
static void test_vmcs_check_edges_msr_gp(void **state)
{
	static const uint32_t msrs[] = {
		MSR_IA32_VMX_BASIC,
		MSR_IA32_VMX_TRUE_PINBASED_CTLS,
		MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
		MSR_IA32_VMX_TRUE_EXIT_CTLS,
		MSR_IA32_VMX_TRUE_ENTRY_CTLS,
		MSR_IA32_VMX_PINBASED_CTLS,
		MSR_IA32_VMX_PROCBASED_CTLS,
		MSR_IA32_VMX_EXIT_CTLS,
		MSR_IA32_VMX_ENTRY_CTLS,
		MSR_IA32_VMX_MISC,
		MSR_IA32_VMX_CR0_FIXED0,
		MSR_IA32_VMX_CR0_FIXED1,
		MSR_IA32_VMX_CR4_FIXED0,
		MSR_IA32_VMX_CR4_FIXED1,
		MSR_IA32_VMX_PROCBASED_CTLS2,
		MSR_IA32_VMX_EPT_VPID_CAP,
	};
	static const unsigned profiles[] = {P_SKY, P_MEROM};
	unsigned hits = 0;

	(void)state;
	for (unsigned p = 0; p < FLANK_ARRAY_SIZE(profiles); p++) {
		for (unsigned i = 0; i < FLANK_ARRAY_SIZE(msrs); i++) {
			struct vmm_vmcs_check_result res;
			struct efx fx;
			char buf[64], want[64];

			setup(&fx, profiles[p]);
			mock_msr_gp(0, msrs[i], true, false);
			vmm_vmcs_check(&res);
			/* Not every MSR is read on every profile (TRUE or
			 * not, secondary controls or not). */
			if (res.status == VMM_VMCS_CHECK_PASS) {
				efx_fini(&fx);
				continue;
			}
			hits++;
			assert_int_equal(res.status, VMM_VMCS_CHECK_MSR_FAILED);
			assert_int_equal(res.field, msrs[i]);
			assert_string_equal(res.rule, "");
			snprintf(want, sizeof(want), "RDMSR 0x%x raised #GP",
				 msrs[i]);
			vmm_vmcs_check_describe(&res, buf, sizeof(buf));
			assert_string_equal(buf, want);
			efx_fini(&fx);
		}
	}
	/* Skylake reads 12 (TRUE MSRs, CTLS2, EPT cap), Merom 10. */
	assert_int_equal(hits, 22);
}

/* Whichever VMREAD fails, the run says VMREAD_FAILED, never a rule. */
static void test_vmcs_check_edges_vmread_fails(void **state)
{
	static const unsigned profiles[] = {P_SKY, P_PENRYN, P_MEROM};

	(void)state;
	for (unsigned p = 0; p < FLANK_ARRAY_SIZE(profiles); p++) {
		struct vmm_vmcs_check_result res;
		struct efx fx;
		unsigned reads;

		setup(&fx, profiles[p]);
		mock_trace_clear();
		assert_int_equal(vmm_vmcs_check(&res), VMM_VMCS_CHECK_PASS);
		reads = mock_call_count(MOCK_OP_VMREAD);
		assert_true(reads > 50);
		for (unsigned n = 1; n <= reads; n++) {
			char buf[96];

			assert_int_equal(
				mock_fail_nth(
					MOCK_OP_VMREAD, n,
					(vmx_result_t){VMX_FAIL_VALID, 12}),
				0);
			assert_int_equal(vmm_vmcs_check(&res),
					 VMM_VMCS_CHECK_VMREAD_FAILED);
			assert_string_equal(res.rule, "");
			vmm_vmcs_check_describe(&res, buf, sizeof(buf));
			assert_memory_equal(buf, "VMREAD of ", 10);
			assert_non_null(strstr(buf, " failed"));
			mock_fail_clear();
		}
		efx_fini(&fx);
	}
}

/* A broken VMCS whose failing rule's field cannot be read: no rule. */
static void test_vmcs_check_edges_vmread_fails_on_bad_vmcs(void **state)
{
	struct vmm_vmcs_check_result res;
	struct efx fx;
	unsigned reads;

	(void)state;
	setup(&fx, P_SKY);
	/* Fails late (guest RFLAGS), so every earlier read matters. */
	efx_set(&fx, VMCS_GUEST_RFLAGS, 0);
	mock_trace_clear();
	assert_int_equal(vmm_vmcs_check(&res), VMM_VMCS_CHECK_FAIL);
	assert_string_equal(res.rule, "G5.rflags_fixed1");
	reads = mock_call_count(MOCK_OP_VMREAD);
	for (unsigned n = 1; n <= reads; n++) {
		assert_int_equal(
			mock_fail_nth(MOCK_OP_VMREAD, n,
				      (vmx_result_t){VMX_FAIL_VALID, 12}),
			0);
		assert_int_equal(vmm_vmcs_check(&res),
				 VMM_VMCS_CHECK_VMREAD_FAILED);
		mock_fail_clear();
	}
	efx_fini(&fx);
}

/* Without a current VMCS the first VMREAD fails and says which. */
static void test_vmcs_check_edges_no_current_vmcs(void **state)
{
	struct vmm_vmcs_check_result res;
	struct efx fx;
	char buf[96];

	(void)state;
	setup(&fx, P_SKY);
	fx.cpu->current_ptr = ~UINT64_C(0);
	fx.cpu->cur_vmcs = NULL;
	assert_int_equal(vmm_vmcs_check(&res), VMM_VMCS_CHECK_VMREAD_FAILED);
	assert_int_equal(res.field, VMCS_PIN_BASED_VM_EXEC_CONTROL);
	vmm_vmcs_check_describe(&res, buf, sizeof(buf));
	assert_string_equal(buf, "VMREAD of PIN_BASED_VM_EXEC_CONTROL failed");
	efx_fini(&fx);
}

/*
 * Without CPUID leaf 0x80000008 the width defaults to 36 bits (SDM Vol. 2A
 * CPUID), and without leaf 7 RTM counts as absent (pending-debug bit 16
 * reserved).
 */
static void test_vmcs_check_edges_old_cpuid(void **state)
{
	struct vmm_vmcs_check_result res;
	struct efx fx;

	(void)state;
	setup(&fx, P_MEROM);
	mock_cpuid_set(0, 0x80000000u, 0,
		       &(struct cpu_cpuid_regs){0x80000001u, 0, 0, 0});
	efx_set(&fx, VMCS_HOST_CR3, UINT64_C(1) << 36);
	assert_int_equal(vmm_vmcs_check(&res), VMM_VMCS_CHECK_FAIL);
	assert_string_equal(res.rule, "H2.cr3_width");
	efx_set(&fx, VMCS_HOST_CR3, (UINT64_C(1) << 36) - 0x1000);
	assert_int_equal(vmm_vmcs_check(&res), VMM_VMCS_CHECK_PASS);
	mock_cpuid_set(0, 0, 0, &(struct cpu_cpuid_regs){6, 0, 0, 0});
	efx_set(&fx, VMCS_GUEST_PENDING_DBG_EXCEPTIONS, BIT64(16));
	assert_int_equal(vmm_vmcs_check(&res), VMM_VMCS_CHECK_FAIL);
	assert_string_equal(res.rule, "G14.reserved");
	efx_fini(&fx);
}

/* With CR4.LA57 addresses are canonical at 57 bits, not 48. */
static void test_vmcs_check_edges_la57(void **state)
{
	struct vmm_vmcs_check_result res;
	struct efx fx;

	(void)state;
	setup(&fx, P_SKY);
	efx_set(&fx, VMCS_HOST_FS_BASE, UINT64_C(0x0000800000000000));
	assert_int_equal(vmm_vmcs_check(&res), VMM_VMCS_CHECK_FAIL);
	assert_string_equal(res.rule, "H7.fs_base");
	fx.cpu->regs.cr4 |= X86_CR4_LA57;
	assert_int_equal(vmm_vmcs_check(&res), VMM_VMCS_CHECK_PASS);
	efx_set(&fx, VMCS_HOST_FS_BASE, UINT64_C(0x0100000000000000));
	assert_int_equal(vmm_vmcs_check(&res), VMM_VMCS_CHECK_FAIL);
	assert_string_equal(res.rule, "H7.fs_base");
	efx_fini(&fx);
}

/* The description prints the value at the field's width, and truncates. */
static void test_vmcs_check_edges_describe(void **state)
{
	struct vmm_vmcs_check_result r = {
		.status = VMM_VMCS_CHECK_FAIL,
		.rule = "H6.cs_null",
		.citation = "SDM Vol. 3C 27.2.3",
		.field = VMCS_HOST_CS_SELECTOR,
	};
	char buf[128];

	(void)state;
	vmm_vmcs_check_describe(&r, buf, sizeof(buf));
	assert_string_equal(
		buf, "rule H6.cs_null (SDM Vol. 3C 27.2.3): HOST_CS_SELECTOR "
		     "= 0x0000");
	r.field = VMCS_VM_EXIT_CONTROLS;
	r.value = 0x1234;
	vmm_vmcs_check_describe(&r, buf, sizeof(buf));
	assert_non_null(strstr(buf, "VM_EXIT_CONTROLS = 0x00001234"));
	r.field = VMCS_GUEST_RIP;
	vmm_vmcs_check_describe(&r, buf, sizeof(buf));
	assert_non_null(strstr(buf, "GUEST_RIP = 0x0000000000001234"));
	r.field = 0xFFFFFFFEu;
	vmm_vmcs_check_describe(&r, buf, sizeof(buf));
	assert_non_null(strstr(buf, "): ? = 0x"));
	r.status = VMM_VMCS_CHECK_PASS;
	assert_int_equal(vmm_vmcs_check_describe(&r, buf, sizeof(buf)),
			 strlen("no failing rule found"));
	assert_string_equal(buf, "no failing rule found");
	assert_int_equal(vmm_vmcs_check_describe(&r, buf, 5), 4);
	assert_string_equal(buf, "no f");
	assert_int_equal(vmm_vmcs_check_describe(&r, buf, 0), 0);
	assert_null(vmm_vmcs_check_rule_id(vmm_vmcs_check_rule_count()));
	assert_string_equal(vmm_vmcs_check_rule_id(0), "C1.pin_allowed0");
}

static const struct CMUnitTest edge_tests[] = {
	cmocka_unit_test(test_vmcs_check_edges_msr_gp),
	cmocka_unit_test(test_vmcs_check_edges_vmread_fails),
	cmocka_unit_test(test_vmcs_check_edges_vmread_fails_on_bad_vmcs),
	cmocka_unit_test(test_vmcs_check_edges_no_current_vmcs),
	cmocka_unit_test(test_vmcs_check_edges_old_cpuid),
	cmocka_unit_test(test_vmcs_check_edges_la57),
	cmocka_unit_test(test_vmcs_check_edges_describe),
};

const struct CMUnitTest *const vmcs_check_edge_tests = edge_tests;
const size_t vmcs_check_edge_test_count = FLANK_ARRAY_SIZE(edge_tests);
