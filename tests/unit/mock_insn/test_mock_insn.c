// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VMCLEAR, VMPTRLD, VMPTRST, VMREAD, VMWRITE, INVEPT, INVVPID and VMCALL of
 * the emulated VT-x (SDM Vol. 3C 31.3), VM exits into a test handler, the
 * non-VMX intrinsics, fault injection and the call trace.
 */
#include <string.h>

#include "flank_test.h"
#include "mock_fixture.h"

static struct mock_test_vm vm;
static unsigned handled;
static enum intrin_exit_action next_action;
static uint32_t inject_info;

static enum intrin_exit_action handler(struct intrin_exit_frame *f, void *ctx)
{
	uint64_t reason = mock_test_read(VMCS_VM_EXIT_REASON);
	uint64_t rip = mock_test_read(VMCS_GUEST_RIP);
	uint64_t len = mock_test_read(VMCS_VM_EXIT_INSTRUCTION_LEN);

	(void)ctx;
	handled++;
	if (reason == EXIT_REASON_CPUID) {
		f->gprs.rax = 0xC0FFEE;
		f->gprs.rbx = f->gprs.rcx;
	}
	if (reason == EXIT_REASON_MSR_READ) {
		f->gprs.rax = 0x1234;
		f->gprs.rdx = 0x5678;
	}
	if (reason == EXIT_REASON_VMCALL)
		f->gprs.rax = f->gprs.rbx + 1;
	mock_test_write(VMCS_GUEST_RIP, rip + len);
	if (inject_info)
		mock_test_write(VMCS_VM_ENTRY_INTR_INFO, inject_info);
	if (next_action == INTRIN_EXIT_LEAVE) {
		assert_true(vmx_ok(vmx_off()));
		f->leave_rip = rip + len;
		f->leave_rsp = 0xffffc90000002000u;
		f->leave_rflags = 0x246;
	}
	return next_action;
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

static int setup(void **state)
{
	mock_fixture_setup(state);
	mock_set_exit_handlers(handler, resume_failed);
	handled = 0;
	next_action = INTRIN_EXIT_RESUME;
	inject_info = 0;
	mock_test_vm_setup(&vm);
	return 0;
}

static int teardown(void **state)
{
	if (mock_vmx_mode(0) == MOCK_VMX_NONROOT) {
		next_action = INTRIN_EXIT_LEAVE;
		inject_info = 0;
		(void)mock_guest_vmx_insn(EXIT_REASON_VMCALL, NULL);
	}
	mock_test_vm_teardown(&vm);
	return mock_fixture_teardown(state);
}

static void enter_guest(void)
{
	vmx_result_t r = vmx_launch();
	if (!vmx_ok(r))
		fail_msg("launch refused: %s", mock_last_entry(0)->rule);
}

/* VMCLEAR.ok clears the launch state and the current pointer. */
static void test_mock_insn_vmclear_ok(void **state)
{
	paddr_t cur;
	(void)state;
	assert_true(vmx_ok(vmx_clear(vm.vmcs_pa)));
	assert_string_equal(mock_last_vmx_rule(0), "VMCLEAR.ok");
	assert_true(vmx_ok(vmx_ptrst(&cur)));
	assert_true(pa_addr(cur) == UINT64_MAX);
}

/* VMCLEAR.fail_align / fail_width: error 2 (valid: a VMCS is current). */
static void test_mock_insn_vmclear_fail_addr(void **state)
{
	(void)state;
	vmx_result_t r = vmx_clear(pa_init(pa_addr(vm.vmcs_pa) + 4));
	assert_int_equal(r.outcome, VMX_FAIL_VALID);
	assert_int_equal(r.error, VMXERR_VMCLEAR_INVALID_ADDR);
	assert_string_equal(mock_last_vmx_rule(0), "VMCLEAR.fail_align");
	r = vmx_clear(pa_init(UINT64_C(1) << 50));
	assert_int_equal(r.error, VMXERR_VMCLEAR_INVALID_ADDR);
	assert_string_equal(mock_last_vmx_rule(0), "VMCLEAR.fail_width");
}

/* VMCLEAR.fail_vmxon_ptr: error 3; without a current VMCS VMfailInvalid. */
static void test_mock_insn_vmclear_fail_vmxon_ptr(void **state)
{
	(void)state;
	vmx_result_t r = vmx_clear(vm.vmxon_pa);
	assert_int_equal(r.error, VMXERR_VMCLEAR_VMXON_PTR);
	assert_true(vmx_ok(vmx_clear(vm.vmcs_pa)));
	r = vmx_clear(vm.vmxon_pa);
	assert_int_equal(r.outcome, VMX_FAIL_INVALID);
	assert_string_equal(mock_last_vmx_rule(0), "VMCLEAR.fail_vmxon_ptr");
}

/* VMPTRLD: 9 for a bad address, 10 for the VMXON pointer, 11 revision. */
static void test_mock_insn_vmptrld_fails(void **state)
{
	(void)state;
	assert_int_equal(vmx_ptrld(pa_init(pa_addr(vm.vmcs_pa) + 8)).error,
			 VMXERR_VMPTRLD_INVALID_ADDR);
	assert_string_equal(mock_last_vmx_rule(0), "VMPTRLD.fail_align");
	assert_int_equal(vmx_ptrld(vm.vmxon_pa).error,
			 VMXERR_VMPTRLD_VMXON_PTR);
	assert_string_equal(mock_last_vmx_rule(0), "VMPTRLD.fail_vmxon_ptr");
	(*(uint32_t *)vm.vmcs)++;
	assert_int_equal(vmx_ptrld(vm.vmcs_pa).error,
			 VMXERR_VMPTRLD_BAD_REVISION);
	assert_string_equal(mock_last_vmx_rule(0), "VMPTRLD.fail_revision");
	(*(uint32_t *)vm.vmcs)--;
	assert_true(vmx_ok(vmx_ptrld(vm.vmcs_pa)));
	assert_string_equal(mock_last_vmx_rule(0), "VMPTRLD.ok");
}

/*
 * VMPTRLD.fail_revision: the shadow bit needs VMCS shadowing (Penryn). The
 * bit is set while the VMCS is clear (VMCLEAR first): changing the region
 * of an active VMCS is undefined (SDM Vol. 3C 25.11.1). On Penryn a
 * second VMCS is current, so the failure is VMfailValid(11).
 */
static void test_mock_insn_vmptrld_shadow_bit(void **state)
{
	paddr_t pa;
	uint32_t *page;

	(void)state;
	assert_true(vmx_ok(vmx_clear(vm.vmcs_pa)));
	*(uint32_t *)vm.vmcs |= 0x80000000u;
	assert_true(vmx_ok(vmx_ptrld(vm.vmcs_pa))); /* skylake: shadowing */
	assert_true(vmx_ok(vmx_clear(vm.vmcs_pa)));
	mock_test_vm_teardown(&vm);
	mock_fixture_init("core2_penryn", 1);
	mock_set_exit_handlers(handler, resume_failed);
	mock_test_vm_setup(&vm);
	page = mock_test_page_alloc(&pa);
	assert_non_null(page);
	*page = *(uint32_t *)vm.vmcs | 0x80000000u;
	assert_int_equal(vmx_ptrld(pa).error, VMXERR_VMPTRLD_BAD_REVISION);
	assert_string_equal(mock_last_vmx_rule(0), "VMPTRLD.fail_revision");
	mock_test_page_free(page);
}

/* VMREAD/VMWRITE without a current VMCS: VMfailInvalid. */
static void test_mock_insn_vmrw_no_current(void **state)
{
	uint64_t v;
	(void)state;
	assert_true(vmx_ok(vmx_clear(vm.vmcs_pa)));
	assert_int_equal(vmx_vmread(VMCS_GUEST_RIP, &v).outcome,
			 VMX_FAIL_INVALID);
	assert_string_equal(mock_last_vmx_rule(0), "VMREAD.fail_no_current");
	assert_int_equal(vmx_vmwrite(VMCS_GUEST_RIP, 1).outcome,
			 VMX_FAIL_INVALID);
	assert_string_equal(mock_last_vmx_rule(0), "VMWRITE.fail_no_current");
}

/* Unsupported components are error 12: unknown, bits 63:32, bad high. */
static void test_mock_insn_vmrw_unsupported(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(vmx_vmread(0x7777, &v).error,
			 VMXERR_UNSUPPORTED_COMPONENT);
	assert_int_equal(
		vmx_vmread(UINT64_C(1) << 32 | VMCS_GUEST_RIP, &v).error,
		VMXERR_UNSUPPORTED_COMPONENT);
	assert_int_equal(vmx_vmread(VMCS_GUEST_RIP | 1, &v).error,
			 VMXERR_UNSUPPORTED_COMPONENT);
	assert_int_equal(vmx_vmwrite(0x7777, 0).error,
			 VMXERR_UNSUPPORTED_COMPONENT);
	assert_string_equal(mock_last_vmx_rule(0), "VMWRITE.fail_unsupported");
}

/* A component whose feature the profile lacks is unsupported (12). */
static void test_mock_insn_vmrw_feature_gated(void **state)
{
	uint64_t v;
	(void)state;
	assert_true(vmx_ok(vmx_vmread(VMCS_EPT_POINTER, &v)));
	mock_test_vm_teardown(&vm);
	mock_fixture_init("core2_merom", 1);
	mock_set_exit_handlers(handler, resume_failed);
	mock_test_vm_setup(&vm);
	assert_int_equal(vmx_vmread(VMCS_EPT_POINTER, &v).error,
			 VMXERR_UNSUPPORTED_COMPONENT);
	assert_int_equal(vmx_vmwrite(VMCS_SECONDARY_VM_EXEC_CONTROL, 0).error,
			 VMXERR_UNSUPPORTED_COMPONENT);
	assert_string_equal(mock_last_vmx_rule(0), "VMWRITE.fail_unsupported");
}

/* VMWRITE.fail_read_only: 13 unless IA32_VMX_MISC[29]. */
static void test_mock_insn_vmwrite_read_only(void **state)
{
	uint64_t misc = 0;
	(void)state;
	assert_true(vmx_ok(vmx_vmwrite(VMCS_EXIT_QUALIFICATION, 5)));
	assert_true(mock_msr_get(0, MSR_IA32_VMX_MISC, &misc));
	mock_msr_set(0, MSR_IA32_VMX_MISC, misc & ~VMX_MISC_VMWRITE_ANY);
	vmx_result_t r = vmx_vmwrite(VMCS_EXIT_QUALIFICATION, 6);
	assert_int_equal(r.error, VMXERR_VMWRITE_READ_ONLY);
	assert_string_equal(mock_last_vmx_rule(0), "VMWRITE.fail_read_only");
	assert_int_equal(mock_test_read(VMCS_EXIT_QUALIFICATION), 5);
}

/* Widths: 16/32-bit writes truncate; high halves of 64-bit fields. */
static void test_mock_insn_vmrw_widths(void **state)
{
	uint64_t v;
	(void)state;
	mock_test_write(VMCS_GUEST_ES_SELECTOR, 0x123456789);
	assert_int_equal(mock_test_read(VMCS_GUEST_ES_SELECTOR), 0x6789);
	mock_test_write(VMCS_GUEST_ES_LIMIT, 0x1ffffffff);
	assert_int_equal(mock_test_read(VMCS_GUEST_ES_LIMIT), 0xffffffff);
	mock_test_write(VMCS_TSC_OFFSET, 0x1111111122222222);
	assert_true(vmx_ok(vmx_vmread(VMCS_TSC_OFFSET | 1, &v)));
	assert_int_equal(v, 0x11111111);
	assert_true(vmx_ok(vmx_vmwrite(VMCS_TSC_OFFSET | 1, 0xabcdef0133)));
	assert_true(mock_test_read(VMCS_TSC_OFFSET) == 0xcdef013322222222u);
}

/* VMREAD.ud_not_in_vmx / VMPTRST.gp_cpl: the common prefix. */
static void test_mock_insn_prefix(void **state)
{
	struct mock_cpu_regs r;
	paddr_t p;
	(void)state;
	mock_cpu_get_regs(0, &r);
	r.cpl = 3;
	mock_cpu_set_regs(0, &r);
	mock_expect_exception(MOCK_OP_VMPTRST, X86_VEC_GP);
	assert_int_equal(vmx_ptrst(&p).error, X86_VEC_GP);
	assert_string_equal(mock_last_exception_rule(), "VMPTRST.gp_cpl");
	r.cpl = 0;
	mock_cpu_set_regs(0, &r);
	assert_true(vmx_ok(vmx_off()));
	uint64_t v;
	mock_expect_exception(MOCK_OP_VMREAD, X86_VEC_UD);
	assert_int_equal(vmx_vmread(VMCS_GUEST_RIP, &v).error, X86_VEC_UD);
	assert_string_equal(mock_last_exception_rule(), "VMREAD.ud_not_in_vmx");
}

/* INVEPT: types from EPT_VPID_CAP, EPTP validity, #UD without EPT. */
static void test_mock_insn_invept(void **state)
{
	struct vmx_invept_desc d = {.eptp = pa_addr(vm.stack_pa) | 6 |
					    (3 << 3)};
	(void)state;
	assert_true(vmx_ok(vmx_invept(VMX_INVEPT_SINGLE_CONTEXT, &d)));
	assert_true(vmx_ok(vmx_invept(VMX_INVEPT_ALL_CONTEXT, &d)));
	assert_int_equal(vmx_invept(3, &d).error,
			 VMXERR_INVALID_INVEPT_INVVPID);
	assert_string_equal(mock_last_vmx_rule(0), "INVEPT.fail_type");
	d.eptp = pa_addr(vm.stack_pa) | 1 | (3 << 3); /* memory type 1 */
	assert_int_equal(vmx_invept(VMX_INVEPT_SINGLE_CONTEXT, &d).error,
			 VMXERR_INVALID_INVEPT_INVVPID);
	assert_string_equal(mock_last_vmx_rule(0), "INVEPT.fail_eptp");
	mock_test_vm_teardown(&vm);
	mock_fixture_init("core2_penryn", 1);
	mock_set_exit_handlers(handler, resume_failed);
	mock_test_vm_setup(&vm);
	mock_expect_exception(MOCK_OP_INVEPT, X86_VEC_UD);
	assert_int_equal(vmx_invept(VMX_INVEPT_ALL_CONTEXT, &d).error,
			 X86_VEC_UD);
	assert_string_equal(mock_last_exception_rule(),
			    "INVEPT.ud_unsupported");
}

/* INVVPID: reserved bits, VPID 0, non-canonical address, type. */
static void test_mock_insn_invvpid(void **state)
{
	struct vmx_invvpid_desc d = {.vpid = 1, .linear_address = 0x1000};
	(void)state;
	assert_true(vmx_ok(vmx_invvpid(VMX_INVVPID_INDIVIDUAL_ADDR, &d)));
	d.vpid = 0x10001;
	assert_int_equal(vmx_invvpid(VMX_INVVPID_SINGLE_CONTEXT, &d).error, 28);
	assert_string_equal(mock_last_vmx_rule(0), "INVVPID.fail_reserved");
	d.vpid = 0;
	assert_int_equal(vmx_invvpid(VMX_INVVPID_SINGLE_CONTEXT, &d).error, 28);
	assert_string_equal(mock_last_vmx_rule(0), "INVVPID.fail_vpid0");
	assert_true(vmx_ok(vmx_invvpid(VMX_INVVPID_ALL_CONTEXT, &d)));
	d.vpid = 1;
	d.linear_address = UINT64_C(0x0000800000000000);
	assert_int_equal(vmx_invvpid(VMX_INVVPID_INDIVIDUAL_ADDR, &d).error,
			 28);
	assert_string_equal(mock_last_vmx_rule(0), "INVVPID.fail_noncanonical");
	assert_int_equal(vmx_invvpid(7, &d).error, 28);
	assert_string_equal(mock_last_vmx_rule(0), "INVVPID.fail_type");
}

/* VMCALL: #UD outside VMX, VMfail(1) in root, an exit in non-root. */
static void test_mock_insn_vmcall(void **state)
{
	struct vmx_vmcall_regs regs = {.rax = 1, .rbx = 41};
	(void)state;
	assert_int_equal(vmx_vmcall(&regs).error, VMXERR_VMCALL_IN_ROOT);
	assert_string_equal(mock_last_vmx_rule(0), "VMCALL.fail_in_root");
	enter_guest();
	assert_true(vmx_ok(vmx_vmcall(&regs)));
	assert_int_equal(regs.rax, 42);
	assert_int_equal(handled, 1);
	assert_int_equal(mock_last_entry(0)->exit_reason, 0);
	assert_string_equal(mock_last_entry(0)->rule, "VMRESUME.ok");
}

static bool outer_answer(unsigned cpu, struct intrin_gprs *g, void *ctx)
{
	(void)cpu;
	(void)ctx;
	if (g->rax == 99)
		return false; /* Not a hypercall it knows: as bare metal. */
	g->rax = g->r15 + 1;
	g->rbp = 0x55;
	return true;
}

/*
 * VMCALL from VMX root with the whole register file (vmx_vmcall_outer):
 * VMfailValid(1) on bare metal; under a hypervisor below (nested), it
 * exits to that hypervisor, which completes it with its results.
 */
static void test_mock_insn_vmcall_outer(void **state)
{
	struct intrin_gprs g = {.rax = 1, .r15 = 41};

	(void)state;
	assert_int_equal(vmx_vmcall_outer(&g).error, VMXERR_VMCALL_IN_ROOT);
	assert_string_equal(mock_last_vmx_rule(0), "VMCALL.fail_in_root");
	assert_int_equal(g.rax, 1);
	mock_set_outer_vmm(outer_answer, NULL);
	assert_true(vmx_ok(vmx_vmcall_outer(&g)));
	assert_string_equal(mock_last_vmx_rule(0), "VMCALL.outer_vmm");
	assert_true(g.rax == 42 && g.rbp == 0x55 && g.r15 == 41);
	assert_int_equal(mock_outer_vmm_calls(), 1);
	g.rax = 99;
	assert_int_equal(vmx_vmcall_outer(&g).error, VMXERR_VMCALL_IN_ROOT);
	assert_int_equal(mock_outer_vmm_calls(), 1);
	mock_set_outer_vmm(NULL, NULL);
}

/* Guest CPUID exits with length 2; RIP advances; registers come back. */
static void test_mock_insn_exit_cpuid(void **state)
{
	struct mock_exit_outcome out;
	struct cpu_cpuid_regs r;
	(void)state;
	enter_guest();
	uint64_t rip = mock_cpu_rip(0);
	assert_int_equal(mock_guest_cpuid(7, 3, &r, &out), 0);
	assert_int_equal(r.eax, 0xC0FFEE);
	assert_int_equal(r.ebx, 3);
	assert_true(out.rip_before == rip);
	assert_true(out.rip_after == rip + 2);
	assert_int_equal(out.action, INTRIN_EXIT_RESUME);
	assert_true(out.resume.entered);
	/* cpu_cpuid() in non-root is the same exit. */
	cpu_cpuid(0, 0, &r);
	assert_int_equal(r.eax, 0xC0FFEE);
	assert_int_equal(handled, 2);
}

/* RDMSR exits only when the MSR bitmap says so; else direct access. */
static void test_mock_insn_exit_rdmsr_bitmap(void **state)
{
	uint64_t v = 0;
	(void)state;
	enter_guest();
	assert_int_equal(mock_guest_rdmsr(MSR_IA32_PAT, &v, NULL), -1);
	assert_true(v == 0x0007040600070406u);
	assert_int_equal(handled, 0);
	((uint8_t *)vm.msr_bitmap)[MSR_IA32_PAT / 8] |= 1u
							<< (MSR_IA32_PAT % 8);
	assert_int_equal(mock_guest_rdmsr(MSR_IA32_PAT, &v, NULL), 0);
	assert_true(v == 0x0000567800001234u);
	/* Outside the bitmap ranges every access exits. */
	assert_int_equal(mock_guest_rdmsr(0x40000000u, &v, NULL), 0);
	assert_int_equal(handled, 2);
}

/* HLT exits only with HLT exiting; INIT and triple fault always exit. */
static void test_mock_insn_exit_conditional(void **state)
{
	(void)state;
	enter_guest();
	assert_int_equal(mock_guest_hlt(NULL), -1);
	assert_int_equal(mock_guest_exception(X86_VEC_GP, 0, NULL), -1);
	assert_int_equal(mock_guest_init(NULL), 0);
	assert_int_equal(mock_guest_triple_fault(NULL), 0);
	assert_int_equal(mock_guest_sipi(0x10, NULL), -1);
	assert_int_equal(handled, 2);
}

/* An event injected by the handler is reported and seen as #GP. */
static void test_mock_insn_exit_inject(void **state)
{
	struct mock_exit_outcome out;
	(void)state;
	((uint8_t *)vm.msr_bitmap)[2048 + MSR_IA32_PAT / 8] |=
		1u << (MSR_IA32_PAT % 8);
	enter_guest();
	inject_info = INTR_INFO_VALID | (INTR_TYPE_HARD_EXCEPTION << 8) |
		      INTR_INFO_DELIVER_CODE | X86_VEC_GP;
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_PAT, 0, &out), 0);
	assert_true(out.injected);
	assert_int_equal(out.injected_info & 0xFF, X86_VEC_GP);
	assert_int_equal(cpu_wrmsr_safe(MSR_IA32_PAT, 0), CPU_SAFE_GP);
}

/* LEAVE: the handler's VMXOFF and leave_* become the CPU's state. */
static void test_mock_insn_exit_leave(void **state)
{
	struct mock_exit_outcome out;
	struct intrin_gprs g = {.rbx = 1};
	(void)state;
	enter_guest();
	next_action = INTRIN_EXIT_LEAVE;
	assert_int_equal(mock_guest_vmcall(&g, &out), 0);
	assert_int_equal(out.action, INTRIN_EXIT_LEAVE);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	assert_true(mock_cpu_rsp(0) == 0xffffc90000002000u);
	assert_int_equal(g.rax, 2);
}

/* A VMRESUME that fails its checks goes to vmm_exit_resume_failed. */
static void test_mock_insn_exit_resume_fails(void **state)
{
	struct mock_exit_outcome out;
	struct cpu_cpuid_regs r;
	(void)state;
	enter_guest();
	assert_int_equal(mock_fail_nth(MOCK_OP_VMRESUME, 1,
				       (vmx_result_t){VMX_FAIL_VALID, 7}),
			 0);
	assert_int_equal(mock_guest_cpuid(0, 0, &r, &out), 0);
	assert_int_equal(out.action, INTRIN_EXIT_LEAVE);
	assert_int_equal(out.resume.result.error, 7);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
}

/* Fault injection: Nth call, predicate, counters and the trace. */
static bool is_pat(const struct mock_call *c, void *arg)
{
	(void)arg;
	return c->op == MOCK_OP_RDMSR && c->arg[0] == MSR_IA32_PAT;
}

static void test_mock_insn_faults_and_trace(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(mock_fail_nth(MOCK_OP_CPUID, 1,
				       (vmx_result_t){VMX_FAIL_VALID, 1}),
			 -1);
	assert_int_equal(mock_fail_nth(MOCK_OP_VMREAD, 2,
				       (vmx_result_t){VMX_FAIL_VALID, 12}),
			 0);
	assert_int_equal(
		mock_fail_when(is_pat, NULL, (vmx_result_t){VMX_EXCEPTION, 13}),
		0);
	mock_trace_clear();
	mock_trace_enable(true);
	assert_true(vmx_ok(vmx_vmread(VMCS_GUEST_RIP, &v)));
	assert_int_equal(vmx_vmread(VMCS_GUEST_RIP, &v).error, 12);
	assert_int_equal(mock_test_read(VMCS_VM_INSTRUCTION_ERROR), 12);
	assert_int_equal(cpu_rdmsr_safe(MSR_IA32_PAT, &v), CPU_SAFE_GP);
	assert_int_equal(cpu_rdmsr_safe(MSR_IA32_EFER, &v), CPU_SAFE_OK);
	assert_int_equal(mock_call_count(MOCK_OP_VMREAD), 3);
	assert_int_equal(mock_call_count(MOCK_OP_RDMSR), 2);
	assert_int_equal(mock_trace_len(), 5);
	assert_true(mock_trace_at(1)->injected);
	assert_int_equal(mock_trace_at(3)->op, MOCK_OP_RDMSR);
	assert_int_equal(mock_trace_at(3)->result.outcome, VMX_EXCEPTION);
	assert_string_equal(mock_op_name(MOCK_OP_VMPTRLD), "vmptrld");
	assert_int_equal(mock_op_from_name("wrmsr"), MOCK_OP_WRMSR);
	assert_int_equal(mock_op_from_name("nope"), MOCK_OP_COUNT);
	mock_fail_clear();
	assert_int_equal(cpu_rdmsr_safe(MSR_IA32_PAT, &v), CPU_SAFE_OK);
	mock_trace_enable(false);
}

/* MSRs: read-only VMX capabilities, locked FEATURE_CONTROL, PAT values. */
static void test_mock_insn_msr_rules(void **state)
{
	uint64_t v;
	(void)state;
	assert_int_equal(cpu_wrmsr_safe(MSR_IA32_VMX_BASIC, 0), CPU_SAFE_GP);
	assert_int_equal(cpu_wrmsr_safe(MSR_IA32_FEATURE_CONTROL, 5),
			 CPU_SAFE_GP);
	assert_int_equal(cpu_wrmsr_safe(MSR_IA32_PAT, 0x0202020202020202),
			 CPU_SAFE_GP);
	assert_int_equal(cpu_wrmsr_safe(MSR_IA32_PAT, 0x0606060606060606),
			 CPU_SAFE_OK);
	assert_int_equal(cpu_wrmsr_safe(MSR_IA32_LSTAR, 0x0000800000000000),
			 CPU_SAFE_GP);
	assert_int_equal(cpu_rdmsr_safe(0xDEAD, &v), CPU_SAFE_GP);
	mock_msr_gp(0, MSR_IA32_EFER, true, false);
	assert_int_equal(cpu_rdmsr_safe(MSR_IA32_EFER, &v), CPU_SAFE_GP);
	mock_msr_remove(0, MSR_IA32_PAT);
	assert_int_equal(cpu_rdmsr_safe(MSR_IA32_PAT, &v), CPU_SAFE_GP);
}

/* CPUID: table, range semantics, hypervisor range absent, OSXSAVE. */
static void test_mock_insn_cpuid_rules(void **state)
{
	struct cpu_cpuid_regs r, top;
	(void)state;
	cpu_cpuid(0x16, 0, &top);
	cpu_cpuid(0x40000000, 0, &r);
	assert_memory_equal(&r, &top, sizeof(r));
	cpu_cpuid(0x80000009, 0, &r);
	assert_memory_equal(&r, &top, sizeof(r));
	cpu_cpuid(0x80000008, 0, &r);
	assert_int_equal(r.eax & 0xFF, mock_phys_addr_width());
	cpu_cpuid(1, 0, &r);
	assert_true(r.ecx & X86_CPUID1_ECX_VMX);
	assert_true(r.ecx & X86_CPUID1_ECX_OSXSAVE);
	mock_cpuid_change_bits(0, 1, 0, MOCK_ECX, X86_CPUID1_ECX_VMX, 0);
	cpu_cpuid(1, 0, &r);
	assert_false(r.ecx & X86_CPUID1_ECX_VMX);
	mock_cpuid_remove(0, 0xD);
	cpu_cpuid(0xD, 0, &r);
	assert_int_equal(r.eax, 0);
}

/* XSETBV: bit 0, AVX needs SSE, supported bits only; XGETBV reads it. */
static void test_mock_insn_xsetbv(void **state)
{
	(void)state;
	assert_int_equal(cpu_xsetbv_safe(0, 0x6), CPU_SAFE_GP);
	assert_int_equal(cpu_xsetbv_safe(0, 0x5), CPU_SAFE_GP);
	assert_int_equal(cpu_xsetbv_safe(0, 0x1 | (1u << 9)), CPU_SAFE_GP);
	assert_int_equal(cpu_xsetbv_safe(1, 0x3), CPU_SAFE_GP);
	assert_int_equal(cpu_xsetbv_safe(0, 0x3), CPU_SAFE_OK);
	assert_int_equal(cpu_xgetbv(0), 0x3);
}

/* CR writes: reserved bits, PG without PE, and the VMX fixed bits. */
static void test_mock_insn_cr_rules(void **state)
{
	(void)state;
	mock_expect_exception(MOCK_OP_WRITE_CR, X86_VEC_GP);
	cpu_write_cr0(cpu_read_cr0() & ~X86_CR0_NE);
	assert_string_equal(mock_last_exception_rule(), "CR0.gp_vmx_fixed");
	mock_expect_exception(MOCK_OP_WRITE_CR, X86_VEC_GP);
	cpu_write_cr4(cpu_read_cr4() | X86_CR4_PKE);
	assert_string_equal(mock_last_exception_rule(), "CR4.gp_reserved");
	mock_expect_exception(MOCK_OP_WRITE_CR, X86_VEC_GP);
	cpu_write_cr0(cpu_read_cr0() & ~X86_CR0_PE);
	assert_string_equal(mock_last_exception_rule(), "CR0.gp_pg_without_pe");
	cpu_write_cr8(5);
	assert_int_equal(cpu_read_cr8(), 5);
	cpu_write_dr7(0x401);
	assert_int_equal(cpu_read_dr7(), 0x401);
}

/* LSL/LAR on Linux's GDT; SGDT/SIDT; port I/O with a device hook. */
static uint32_t io_rd(void *ctx, uint16_t port, unsigned size)
{
	(void)ctx;
	return port + size;
}

static void test_mock_insn_desc_io(void **state)
{
	uint32_t lim, ar;
	struct cpu_dtr d;
	(void)state;
	assert_true(cpu_lsl(0x10, &lim));
	assert_int_equal(lim, 0xFFFFFFFF);
	assert_true(cpu_lar(0x40, &ar));
	assert_int_equal((ar >> 8) & 0xF, 11);
	assert_false(cpu_lsl(0, &lim));
	assert_false(cpu_lar(0x400, &ar));
	cpu_sgdt(&d);
	assert_int_equal(d.limit, 0x7f);
	assert_int_equal(cpu_read_cs(), 0x10);
	assert_int_equal(cpu_str(), 0x40);
	assert_int_equal(cpu_inb(0x3f8), 0xFF);
	assert_int_equal(mock_io_register(0x3f8, 8, io_rd, NULL, NULL), 0);
	assert_int_equal(mock_io_register(0x3f9, 1, io_rd, NULL, NULL), -1);
	assert_int_equal(cpu_inb(0x3f8), 0xF9);
	cpu_outb(0x3f8, 1);
	mock_io_unregister(0x3f8);
	assert_int_equal(cpu_inw(0x3f8), 0xFFFF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(n) cmocka_unit_test_setup_teardown(n, setup, teardown)
		T(test_mock_insn_vmclear_ok),
		T(test_mock_insn_vmclear_fail_addr),
		T(test_mock_insn_vmclear_fail_vmxon_ptr),
		T(test_mock_insn_vmptrld_fails),
		T(test_mock_insn_vmptrld_shadow_bit),
		T(test_mock_insn_vmrw_no_current),
		T(test_mock_insn_vmrw_unsupported),
		T(test_mock_insn_vmrw_feature_gated),
		T(test_mock_insn_vmwrite_read_only),
		T(test_mock_insn_vmrw_widths),
		T(test_mock_insn_prefix),
		T(test_mock_insn_invept),
		T(test_mock_insn_invvpid),
		T(test_mock_insn_vmcall),
		T(test_mock_insn_vmcall_outer),
		T(test_mock_insn_exit_cpuid),
		T(test_mock_insn_exit_rdmsr_bitmap),
		T(test_mock_insn_exit_conditional),
		T(test_mock_insn_exit_inject),
		T(test_mock_insn_exit_leave),
		T(test_mock_insn_exit_resume_fails),
		T(test_mock_insn_faults_and_trace),
		T(test_mock_insn_msr_rules),
		T(test_mock_insn_cpuid_rules),
		T(test_mock_insn_xsetbv),
		T(test_mock_insn_cr_rules),
		T(test_mock_insn_desc_io),
#undef T
	};
	return FLANK_RUN_TESTS(tests);
}
