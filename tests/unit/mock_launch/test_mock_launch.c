// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VM entry of the emulated VT-x: VMLAUNCH/VMRESUME outcomes in the order of
 * SDM Vol. 3C 31.3, the verdict recorded per rule, guest-state load, and
 * entry failures (exit reason bit 31) with host state loaded.
 */
#include <string.h>

#include "flank_test.h"
#include "mock_fixture.h"

static struct mock_test_vm vm;

static int setup(void **state)
{
	mock_fixture_setup(state);
	mock_test_vm_setup(&vm);
	return 0;
}

static int teardown(void **state)
{
	if (mock_vmx_mode(0) != MOCK_VMX_OUTSIDE) {
		/* Leave non-root the way a real VMM would: not modelled here. */
		struct mock_cpu_regs r;
		mock_cpu_get_regs(0, &r);
	}
	if (mock_vmx_mode(0) == MOCK_VMX_NONROOT) {
		mock_test_page_free(vm.vmxon);
		mock_test_page_free(vm.vmcs);
		mock_test_page_free(vm.stack);
		mock_test_page_free(vm.msr_bitmap);
	} else {
		mock_test_vm_teardown(&vm);
	}
	return mock_fixture_teardown(state);
}

/* VMLAUNCH.ok: a valid VMCS enters non-root with the guest state loaded. */
static void test_mock_launch_ok(void **state)
{
	(void)state;
	mock_test_write(VMCS_GUEST_RIP, 0xffffffff81000000u);
	mock_test_write(VMCS_GUEST_RSP, 0xffffc90000001000u);
	vmx_result_t r = vmx_launch();
	const struct mock_entry_verdict *v = mock_last_entry(0);
	if (!vmx_ok(r))
		fail_msg("entry refused: %s (%s)", v->rule, v->citation);
	assert_true(v->entered);
	assert_string_equal(v->rule, "VMLAUNCH.ok");
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_NONROOT);
	assert_true(mock_cpu_rip(0) == 0xffffffff81000000u);
	assert_true(mock_cpu_rsp(0) == 0xffffc90000001000u);
}

/* VMLAUNCH.fail_no_current: without a current VMCS, VMfailInvalid. */
static void test_mock_launch_fail_no_current(void **state)
{
	(void)state;
	assert_true(vmx_ok(vmx_clear(vm.vmcs_pa)));
	assert_int_equal(vmx_launch().outcome, VMX_FAIL_INVALID);
	assert_string_equal(mock_last_entry(0)->rule,
			    "VMLAUNCH.fail_no_current");
}

/* VMLAUNCH.fail_mov_ss: MOV-SS blocking gives VMfailValid(26). */
static void test_mock_launch_fail_mov_ss(void **state)
{
	(void)state;
	mock_cpu_set_mov_ss_blocking(0, true);
	vmx_result_t r = vmx_launch();
	assert_int_equal(r.outcome, VMX_FAIL_VALID);
	assert_int_equal(r.error, VMXERR_ENTRY_MOV_SS_BLOCKING);
	assert_string_equal(mock_last_entry(0)->rule, "VMLAUNCH.fail_mov_ss");
	mock_cpu_set_mov_ss_blocking(0, false);
	assert_true(vmx_ok(vmx_launch()));
}

/* VMRESUME.fail_not_launched: a clear VMCS cannot be resumed (5). */
static void test_mock_resume_fail_not_launched(void **state)
{
	(void)state;
	vmx_result_t r = vmx_resume();
	assert_int_equal(r.outcome, VMX_FAIL_VALID);
	assert_int_equal(r.error, VMXERR_VMRESUME_NONLAUNCHED);
	assert_int_equal(mock_test_read(VMCS_VM_INSTRUCTION_ERROR), 5);
	assert_string_equal(mock_last_entry(0)->rule,
			    "VMRESUME.fail_not_launched");
}

/* VMLAUNCH checks controls first: a bad pin control is VMfailValid(7). */
static void test_mock_launch_fail_controls(void **state)
{
	(void)state;
	mock_test_write(VMCS_PIN_BASED_VM_EXEC_CONTROL, 0);
	vmx_result_t r = vmx_launch();
	assert_int_equal(r.outcome, VMX_FAIL_VALID);
	assert_int_equal(r.error, VMXERR_ENTRY_INVALID_CONTROL);
	assert_non_null(mock_last_entry(0)->rule);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_ROOT);
}

/* Host state is checked second: HOST_CS_SELECTOR 0 is VMfailValid(8). */
static void test_mock_launch_fail_host(void **state)
{
	(void)state;
	mock_test_write(VMCS_HOST_CS_SELECTOR, 0);
	vmx_result_t r = vmx_launch();
	assert_int_equal(r.error, VMXERR_ENTRY_INVALID_HOST_STATE);
	assert_false(mock_last_entry(0)->entered);
}

/* Guest state third: a bad RFLAGS is an entry failure, exit 33|bit 31. */
static void test_mock_launch_fail_guest(void **state)
{
	(void)state;
	mock_test_write(VMCS_GUEST_RFLAGS, 0); /* bit 1 must be 1 */
	vmx_result_t r = vmx_launch();
	assert_int_equal(r.outcome, VMX_FAIL_VALID);
	assert_int_equal(r.error, 0);
	assert_int_equal(mock_test_read(VMCS_VM_EXIT_REASON),
			 EXIT_REASON_INVALID_GUEST_STATE |
				 EXIT_REASON_ENTRY_FAILURE);
	assert_int_equal(mock_last_entry(0)->exit_reason,
			 EXIT_REASON_INVALID_GUEST_STATE |
				 EXIT_REASON_ENTRY_FAILURE);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_ROOT);
	/* Host state was loaded: GDTR limit 0xFFFF, RFLAGS 0x2 (28.5). */
	struct mock_cpu_regs regs;
	mock_cpu_get_regs(0, &regs);
	assert_int_equal(regs.gdtr.limit, 0xFFFF);
	assert_int_equal(regs.rflags, 0x2);
	/* The VMCS stays clear: a fixed VMCS can be launched. */
	mock_test_write(VMCS_GUEST_RFLAGS, 0x2);
	assert_true(vmx_ok(vmx_launch()));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)
		T(test_mock_launch_ok),
		T(test_mock_launch_fail_no_current),
		T(test_mock_launch_fail_mov_ss),
		T(test_mock_resume_fail_not_launched),
		T(test_mock_launch_fail_controls),
		T(test_mock_launch_fail_host),
		T(test_mock_launch_fail_guest),
#undef T
	};
	return FLANK_RUN_TESTS(tests);
}
