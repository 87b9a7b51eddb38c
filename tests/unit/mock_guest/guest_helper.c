// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "flank_test.h"
#include "guest_helper.h"

struct guest_log glog;
struct mock_test_vm gvm;

static bool set_rax;
static uint64_t rax_value;
static uint32_t inject_info, inject_error;
static bool leave;
static const char *violation;

static enum intrin_exit_action handler(struct intrin_exit_frame *f, void *ctx)
{
	(void)ctx;
	glog.exits++;
	glog.reason = (uint32_t)mock_test_read(VMCS_VM_EXIT_REASON);
	glog.qual = mock_test_read(VMCS_EXIT_QUALIFICATION);
	glog.len = (uint32_t)mock_test_read(VMCS_VM_EXIT_INSTRUCTION_LEN);
	glog.insn_info = (uint32_t)mock_test_read(VMCS_VMX_INSTRUCTION_INFO);
	glog.intr_info = (uint32_t)mock_test_read(VMCS_VM_EXIT_INTR_INFO);
	glog.intr_error =
		(uint32_t)mock_test_read(VMCS_VM_EXIT_INTR_ERROR_CODE);
	glog.guest_rip = mock_test_read(VMCS_GUEST_RIP);
	glog.activity = (uint32_t)mock_test_read(VMCS_GUEST_ACTIVITY_STATE);
	glog.gprs = f->gprs;
	mock_test_write(VMCS_GUEST_RIP, glog.guest_rip + glog.len);
	if (set_rax)
		f->gprs.rax = rax_value;
	if (inject_info) {
		mock_test_write(VMCS_VM_ENTRY_INTR_INFO, inject_info);
		mock_test_write(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE,
				inject_error);
	}
	if (leave) {
		assert_true(vmx_ok(vmx_off()));
		f->leave_rip = glog.guest_rip + glog.len;
		f->leave_rsp = 0xffffc90000002000u;
		f->leave_rflags = 0x246;
		return INTRIN_EXIT_LEAVE;
	}
	return INTRIN_EXIT_RESUME;
}

static enum intrin_exit_action resume_failed(struct intrin_exit_frame *f,
					     void *ctx, vmx_result_t r)
{
	(void)ctx;
	(void)r;
	assert_true(vmx_ok(vmx_off()));
	f->leave_rip = 1;
	f->leave_rsp = 0xffffc90000002000u;
	f->leave_rflags = 0x2;
	return INTRIN_EXIT_LEAVE;
}

int guest_setup(void **state)
{
	mock_fixture_setup(state);
	mock_set_exit_handlers(handler, resume_failed);
	memset(&glog, 0, sizeof(glog));
	set_rax = false;
	inject_info = inject_error = 0;
	leave = false;
	violation = NULL;
	mock_test_vm_setup(&gvm);
	return 0;
}

int guest_teardown(void **state)
{
	mock_fixture_install_handler();
	if (mock_vmx_mode(0) == MOCK_VMX_NONROOT) {
		leave = true;
		inject_info = 0;
		(void)mock_guest_vmx_insn(EXIT_REASON_VMCALL, NULL);
	}
	struct mock_cpu_regs r;
	mock_cpu_get_regs(0, &r);
	r.cpl = 0;
	mock_cpu_set_regs(0, &r);
	mock_test_vm_teardown(&gvm);
	return mock_fixture_teardown(state);
}

void guest_enter(void)
{
	vmx_result_t r = vmx_launch();
	if (!vmx_ok(r))
		fail_msg("launch refused: %s", mock_last_entry(0)->rule);
}

void guest_set_rax(uint64_t rax)
{
	set_rax = true;
	rax_value = rax;
}

void guest_clear_rax(void)
{
	set_rax = false;
}

void guest_set_inject(uint32_t info, uint32_t error_code)
{
	inject_info = info;
	inject_error = error_code;
}

void guest_set_leave(bool on)
{
	leave = on;
}

void guest_proc_set(uint32_t bits)
{
	uint32_t cur = (uint32_t)mock_test_read(VMCS_CPU_BASED_VM_EXEC_CONTROL);
	mock_test_write(
		VMCS_CPU_BASED_VM_EXEC_CONTROL,
		mock_test_adjust_ctls(MSR_IA32_VMX_PROCBASED_CTLS, cur | bits));
}

void guest_proc2_set(uint32_t bits)
{
	guest_proc_set(CPU_ACTIVATE_SECONDARY);
	mock_test_write(
		VMCS_SECONDARY_VM_EXEC_CONTROL,
		mock_test_adjust_ctls(MSR_IA32_VMX_PROCBASED_CTLS2, bits));
}

static void record(const char *rule, const char *message)
{
	(void)message;
	violation = rule;
}

void guest_catch_violations(void)
{
	violation = NULL;
	mock_set_exception_handler(record);
}

const char *guest_violation(void)
{
	const char *v = violation;
	violation = NULL;
	return v;
}
