// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VM exits of the emulated VT-x beyond mock_insn's: which guest events
 * exit under which controls (SDM Vol. 3C 26.1, 26.2, 25.6), the exit
 * MSR-store and MSR-load lists (28.4, 28.6, VMX aborts 28.7), their use by
 * VM-entry failures (27.8), the launch state across VMXOFF (25.11.1, error
 * 6), and the model violations of the exit entry.
 */
#include <string.h>

#include "flank_test.h"
#include "guest_helper.h"

struct msr_entry {
	uint32_t index, reserved;
	uint64_t data;
};

static struct msr_entry *msr_list(paddr_t *pa)
{
	struct msr_entry *l = mock_test_page_alloc(pa);
	assert_non_null(l);
	return l;
}

static uint64_t msr(uint32_t index)
{
	uint64_t v = 0;
	assert_true(mock_msr_get(0, index, &v));
	return v;
}

/* ------------------------------------------------ MSR-store and MSR-load */

/* The VM-exit MSR-store area receives the guest's MSR values at each exit
 * (SDM Vol. 3C 28.4). */
static void test_mock_exits2_msr_store(void **state)
{
	paddr_t pa;
	struct msr_entry *l = msr_list(&pa);
	(void)state;
	l[0].index = MSR_IA32_PAT;
	l[1].index = MSR_IA32_LSTAR;
	mock_test_write(VMCS_VM_EXIT_MSR_STORE_ADDR, pa_addr(pa));
	mock_test_write(VMCS_VM_EXIT_MSR_STORE_COUNT, 2);
	guest_enter();
	assert_int_equal(mock_guest_cpuid(0, 0, NULL, NULL), 0);
	assert_true(l[0].data == 0x0007040600070406u);
	assert_true(l[1].data == msr(MSR_IA32_LSTAR));
	/* The guest changes PAT without an exit; the next exit stores it. */
	assert_int_equal(
		mock_guest_wrmsr(MSR_IA32_PAT, 0x0606060606060606u, NULL), -1);
	guest_set_leave(true);
	assert_int_equal(mock_guest_cpuid(0, 0, NULL, NULL), 0);
	assert_true(l[0].data == 0x0606060606060606u);
	mock_test_page_free(l);
}

/* A store entry with reserved bits set, an MSR that cannot be read, or an
 * area without memory is a VMX abort (SDM Vol. 3C 28.4, 28.7). */
static void test_mock_exits2_msr_store_abort(void **state)
{
	paddr_t pa;
	struct msr_entry *l = msr_list(&pa);
	(void)state;
	l[0].index = MSR_IA32_PAT;
	l[0].reserved = 1;
	mock_test_write(VMCS_VM_EXIT_MSR_STORE_ADDR, pa_addr(pa));
	mock_test_write(VMCS_VM_EXIT_MSR_STORE_COUNT, 1);
	guest_enter();
	guest_catch_violations();
	(void)mock_guest_cpuid(0, 0, NULL, NULL);
	assert_string_equal(guest_violation(), "EXIT.vmx_abort_msr_store");
	l[0].reserved = 0;
	l[0].index = 0xDEAD;
	(void)mock_guest_cpuid(0, 0, NULL, NULL);
	assert_string_equal(guest_violation(), "EXIT.vmx_abort_msr_store");
	l[0].index = MSR_IA32_PAT;
	(void)mock_guest_cpuid(0, 0, NULL, NULL);
	assert_null(guest_violation());
	mock_test_page_free(l);
	guest_set_leave(true);
	(void)mock_guest_cpuid(0, 0, NULL, NULL);
	assert_string_equal(guest_violation(), "EXIT.vmx_abort_msr_store");
}

/* The VM-exit MSR-load area is loaded after host state at every exit
 * (SDM Vol. 3C 28.6). */
static void test_mock_exits2_msr_load(void **state)
{
	paddr_t pa;
	struct msr_entry *l = msr_list(&pa);
	(void)state;
	l[0].index = MSR_IA32_LSTAR;
	l[0].data = 0xffffffff81234560u;
	mock_test_write(VMCS_VM_EXIT_MSR_LOAD_ADDR, pa_addr(pa));
	mock_test_write(VMCS_VM_EXIT_MSR_LOAD_COUNT, 1);
	guest_enter();
	assert_true(msr(MSR_IA32_LSTAR) != l[0].data);
	guest_set_leave(true);
	assert_int_equal(mock_guest_cpuid(0, 0, NULL, NULL), 0);
	assert_true(msr(MSR_IA32_LSTAR) == 0xffffffff81234560u);
	mock_test_page_free(l);
}

/* A load entry with reserved bits, FS_BASE/GS_BASE or a value WRMSR
 * refuses is a VMX abort (SDM Vol. 3C 28.6, 28.7). */
static void test_mock_exits2_msr_load_abort(void **state)
{
	paddr_t pa;
	struct msr_entry *l = msr_list(&pa);
	(void)state;
	mock_test_write(VMCS_VM_EXIT_MSR_LOAD_ADDR, pa_addr(pa));
	mock_test_write(VMCS_VM_EXIT_MSR_LOAD_COUNT, 1);
	l[0].index = MSR_IA32_LSTAR;
	l[0].data = 0xffffffff81234560u;
	guest_enter();
	guest_catch_violations();
	l[0].reserved = 1;
	(void)mock_guest_cpuid(0, 0, NULL, NULL);
	assert_string_equal(guest_violation(), "EXIT.vmx_abort_msr_load");
	l[0].reserved = 0;
	l[0].index = MSR_IA32_FS_BASE;
	(void)mock_guest_cpuid(0, 0, NULL, NULL);
	assert_string_equal(guest_violation(), "EXIT.vmx_abort_msr_load");
	l[0].index = MSR_IA32_GS_BASE;
	(void)mock_guest_cpuid(0, 0, NULL, NULL);
	assert_string_equal(guest_violation(), "EXIT.vmx_abort_msr_load");
	l[0].index = MSR_IA32_PAT;
	l[0].data = 0x0202020202020202u;
	(void)mock_guest_cpuid(0, 0, NULL, NULL);
	assert_string_equal(guest_violation(), "EXIT.vmx_abort_msr_load");
	l[0].data = 0x0606060606060606u;
	guest_set_leave(true);
	(void)mock_guest_cpuid(0, 0, NULL, NULL);
	assert_null(guest_violation());
	mock_test_page_free(l);
}

/* A VM entry that fails after guest-state loading began loads host state
 * and then the VM-exit MSR-load area, but stores no MSRs into the
 * MSR-store area (SDM Vol. 3C 27.8). */
static void test_mock_exits2_entry_failure_loads_exit_msrs(void **state)
{
	paddr_t lpa, spa;
	struct msr_entry *load = msr_list(&lpa);
	struct msr_entry *store = msr_list(&spa);
	(void)state;
	load[0].index = MSR_IA32_LSTAR;
	load[0].data = 0xffffffff81234560u;
	store[0].index = MSR_IA32_PAT;
	store[0].data = 0x1111;
	mock_test_write(VMCS_VM_EXIT_MSR_LOAD_ADDR, pa_addr(lpa));
	mock_test_write(VMCS_VM_EXIT_MSR_LOAD_COUNT, 1);
	mock_test_write(VMCS_VM_EXIT_MSR_STORE_ADDR, pa_addr(spa));
	mock_test_write(VMCS_VM_EXIT_MSR_STORE_COUNT, 1);
	mock_test_write(VMCS_GUEST_RFLAGS, 0); /* bit 1 must be 1 (G5) */
	vmx_result_t r = vmx_launch();
	assert_int_equal(r.outcome, VMX_FAIL_VALID);
	assert_int_equal(mock_test_read(VMCS_VM_EXIT_REASON),
			 EXIT_REASON_INVALID_GUEST_STATE |
				 EXIT_REASON_ENTRY_FAILURE);
	assert_true(msr(MSR_IA32_LSTAR) == 0xffffffff81234560u);
	assert_true(store[0].data == 0x1111);
	/* A bad exit MSR-load entry on that path is a VMX abort too. */
	load[0].index = MSR_IA32_FS_BASE;
	guest_catch_violations();
	(void)vmx_launch();
	assert_string_equal(guest_violation(), "EXIT.vmx_abort_msr_load");
	mock_test_page_free(load);
	mock_test_page_free(store);
}

/* --------------------------------------------- launch state and VMXOFF */

/* Leaves VMX from the guest without VMCLEAR, then VMXON + VMPTRLD. */
static void vmxoff_while_active_then_back(void)
{
	guest_set_leave(true);
	assert_int_equal(mock_guest_cpuid(0, 0, NULL, NULL), 0);
	guest_set_leave(false);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	assert_true(vmx_ok(vmx_on(gvm.vmxon_pa)));
	assert_true(vmx_ok(vmx_ptrld(gvm.vmcs_pa)));
}

/* VMXOFF with the VMCS still active leaves its launch state undefined
 * (SDM Vol. 3C 25.11.1): VMRESUME fails with error 6 ("VMRESUME after
 * VMXOFF"), VMLAUNCH with error 4, until VMCLEAR makes it clear. */
static void test_mock_exits2_vmxoff_without_vmclear(void **state)
{
	(void)state;
	guest_enter();
	vmxoff_while_active_then_back();
	vmx_result_t r = vmx_resume();
	assert_int_equal(r.outcome, VMX_FAIL_VALID);
	assert_int_equal(r.error, VMXERR_VMRESUME_AFTER_VMXOFF);
	assert_int_equal(mock_test_read(VMCS_VM_INSTRUCTION_ERROR), 6);
	assert_string_equal(mock_last_entry(0)->rule,
			    "VMRESUME.fail_after_vmxoff");
	r = vmx_launch();
	assert_int_equal(r.error, VMXERR_VMLAUNCH_NONCLEAR);
	assert_string_equal(mock_last_entry(0)->rule,
			    "VMLAUNCH.fail_after_vmxoff");
	assert_true(vmx_ok(vmx_clear(gvm.vmcs_pa)));
	assert_true(vmx_ok(vmx_ptrld(gvm.vmcs_pa)));
	assert_int_equal(vmx_resume().error, VMXERR_VMRESUME_NONLAUNCHED);
	guest_enter();
}

/* With VMCLEAR before VMXOFF the launch state is defined ("clear"):
 * VMRESUME is error 5 and VMLAUNCH works (SDM Vol. 3C 25.11.3). */
static void test_mock_exits2_vmxoff_after_vmclear(void **state)
{
	(void)state;
	assert_true(vmx_ok(vmx_clear(gvm.vmcs_pa)));
	assert_true(vmx_ok(vmx_off()));
	assert_true(vmx_ok(vmx_on(gvm.vmxon_pa)));
	assert_true(vmx_ok(vmx_ptrld(gvm.vmcs_pa)));
	assert_int_equal(vmx_resume().error, VMXERR_VMRESUME_NONLAUNCHED);
	guest_enter();
}

/* A VMCS made active but never launched is undefined after VMXOFF too:
 * the model does not guess that memory still says "clear". */
static void test_mock_exits2_vmxoff_active_unlaunched(void **state)
{
	(void)state;
	assert_true(vmx_ok(vmx_off()));
	assert_true(vmx_ok(vmx_on(gvm.vmxon_pa)));
	assert_true(vmx_ok(vmx_ptrld(gvm.vmcs_pa)));
	assert_int_equal(vmx_launch().error, VMXERR_VMLAUNCH_NONCLEAR);
	assert_string_equal(mock_last_entry(0)->rule,
			    "VMLAUNCH.fail_after_vmxoff");
}

/* ------------------------------------------------ exit entry violations */

/* intrin_vmexit_entry() is only reached by VM exits, never called. */
static void test_mock_exits2_entry_called(void **state)
{
	(void)state;
	guest_catch_violations();
	intrin_vmexit_entry();
	assert_string_equal(guest_violation(), "EXIT.entry_called");
}

/* HOST_RIP must be the exit entry and HOST_RSP a 16-byte aligned address
 * in a mapped stack, or the exit goes into the wild. */
static void test_mock_exits2_host_rip_rsp(void **state)
{
	uint64_t rsp = mock_test_read(VMCS_HOST_RSP);
	(void)state;
	mock_test_write(VMCS_HOST_RIP, rsp);
	guest_enter();
	guest_catch_violations();
	assert_int_equal(mock_guest_cpuid(0, 0, NULL, NULL), -1);
	assert_string_equal(guest_violation(), "EXIT.host_rip");
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_ROOT);
	mock_test_write(VMCS_HOST_RIP,
			(uint64_t)(uintptr_t)intrin_vmexit_entry);
	mock_test_write(VMCS_HOST_RSP, rsp - 8);
	assert_true(vmx_ok(vmx_resume()));
	assert_int_equal(mock_guest_cpuid(0, 0, NULL, NULL), -1);
	assert_string_equal(guest_violation(), "EXIT.host_rsp");
	mock_test_write(VMCS_HOST_RSP, 0x10);
	assert_true(vmx_ok(vmx_resume()));
	assert_int_equal(mock_guest_cpuid(0, 0, NULL, NULL), -1);
	assert_string_equal(guest_violation(), "EXIT.host_rsp");
	assert_int_equal(glog.exits, 0);
}

/* Without libvmm linked and no handlers set, an exit has nowhere to go. */
static void test_mock_exits2_no_handler(void **state)
{
	(void)state;
	guest_enter();
	mock_set_exit_handlers(NULL, NULL);
	guest_catch_violations();
	assert_int_equal(mock_guest_cpuid(0, 0, NULL, NULL), -1);
	assert_string_equal(guest_violation(), "EXIT.no_handler");
}

static enum intrin_exit_action h_off_resume(struct intrin_exit_frame *f,
					    void *ctx)
{
	(void)f;
	(void)ctx;
	assert_true(vmx_ok(vmx_off()));
	return INTRIN_EXIT_RESUME;
}

static enum intrin_exit_action h_resume(struct intrin_exit_frame *f, void *ctx)
{
	(void)f;
	(void)ctx;
	return INTRIN_EXIT_RESUME;
}

static enum intrin_exit_action h_leave_in_vmx(struct intrin_exit_frame *f,
					      void *ctx)
{
	(void)f;
	(void)ctx;
	return INTRIN_EXIT_LEAVE;
}

static enum intrin_exit_action f_resume(struct intrin_exit_frame *f, void *ctx,
					vmx_result_t r)
{
	(void)f;
	(void)ctx;
	(void)r;
	return INTRIN_EXIT_RESUME;
}

/* The exit entry's contract: RESUME only from VMX root; a failed VMRESUME
 * must be answered with LEAVE; LEAVE only after leaving VMX. */
static void test_mock_exits2_handler_contract(void **state)
{
	(void)state;
	guest_enter();
	guest_catch_violations();
	mock_set_exit_handlers(h_leave_in_vmx, f_resume);
	assert_int_equal(mock_guest_cpuid(0, 0, NULL, NULL), -1);
	assert_string_equal(guest_violation(), "EXIT.leave_in_vmx");
	assert_true(vmx_ok(vmx_resume()));
	mock_set_exit_handlers(h_resume, f_resume);
	assert_int_equal(mock_fail_nth(MOCK_OP_VMRESUME, 1,
				       (vmx_result_t){VMX_FAIL_INVALID, 0}),
			 0);
	assert_int_equal(mock_guest_cpuid(0, 0, NULL, NULL), -1);
	assert_string_equal(guest_violation(), "EXIT.resume_failed_not_leave");
	assert_true(vmx_ok(vmx_resume()));
	mock_set_exit_handlers(h_off_resume, f_resume);
	assert_int_equal(mock_guest_cpuid(0, 0, NULL, NULL), -1);
	assert_string_equal(guest_violation(), "EXIT.resume_outside_root");
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
}

/* ------------------------------------------- which events are exits */

static const uint32_t conditional[] = {
	EXIT_REASON_EXTERNAL_INTERRUPT,
	EXIT_REASON_INTERRUPT_WINDOW,
	EXIT_REASON_NMI_WINDOW,
	EXIT_REASON_HLT,
	EXIT_REASON_INVLPG,
	EXIT_REASON_RDPMC,
	EXIT_REASON_RDTSC,
	EXIT_REASON_DR_ACCESS,
	EXIT_REASON_MWAIT,
	EXIT_REASON_MONITOR_TRAP_FLAG,
	EXIT_REASON_MONITOR,
	EXIT_REASON_PAUSE,
	EXIT_REASON_GDTR_IDTR,
	EXIT_REASON_LDTR_TR,
	EXIT_REASON_EPT_VIOLATION,
	EXIT_REASON_EPT_MISCONFIG,
	EXIT_REASON_APIC_ACCESS,
	EXIT_REASON_PREEMPTION_TIMER,
	EXIT_REASON_WBINVD,
	EXIT_REASON_RDRAND,
	EXIT_REASON_RDSEED,
};

static const uint32_t unconditional[] = {
	EXIT_REASON_TRIPLE_FAULT, EXIT_REASON_TASK_SWITCH, EXIT_REASON_CPUID,
	EXIT_REASON_GETSEC,	  EXIT_REASON_INVD,	   EXIT_REASON_VMCALL,
	EXIT_REASON_VMCLEAR,	  EXIT_REASON_VMLAUNCH,	   EXIT_REASON_VMPTRLD,
	EXIT_REASON_VMPTRST,	  EXIT_REASON_VMREAD,	   EXIT_REASON_VMRESUME,
	EXIT_REASON_VMWRITE,	  EXIT_REASON_VMXOFF,	   EXIT_REASON_VMXON,
	EXIT_REASON_INVEPT,	  EXIT_REASON_INVVPID,	   EXIT_REASON_XSETBV,
};

/* Without their controls the conditional events do not exit; the
 * unconditional ones always do (SDM Vol. 3C 26.1.2, 26.1.3, 26.2). */
static void test_mock_exits2_conditional_off(void **state)
{
	struct mock_exit_event e = {0};
	(void)state;
	assert_int_equal(mock_guest_exit(&e, NULL), -1); /* not in non-root */
	guest_enter();
	for (unsigned i = 0; i < sizeof(conditional) / sizeof(*conditional);
	     i++) {
		e.reason = conditional[i];
		if (mock_guest_exit(&e, NULL) != -1)
			fail_msg("reason %u exited without its control",
				 conditional[i]);
	}
	e.reason = EXIT_REASON_IO_INSTRUCTION;
	assert_int_equal(mock_guest_exit(&e, NULL), -1);
	e.reason = EXIT_REASON_IO_SMI; /* never from a guest event here */
	assert_int_equal(mock_guest_exit(&e, NULL), -1);
	for (unsigned i = 0; i < sizeof(unconditional) / sizeof(*unconditional);
	     i++) {
		e.reason = unconditional[i];
		e.instruction_len = 3;
		assert_int_equal(mock_guest_exit(&e, NULL), 0);
		assert_int_equal(glog.reason, unconditional[i]);
	}
}

/* With every control set, each conditional event exits with its reason. */
static void test_mock_exits2_conditional_on(void **state)
{
	struct mock_exit_event e = {0};
	paddr_t ept_pa, apic_pa;
	void *ept = mock_test_page_alloc(&ept_pa);
	void *apic = mock_test_page_alloc(&apic_pa);
	(void)state;
	mock_test_write(VMCS_PIN_BASED_VM_EXEC_CONTROL,
			mock_test_adjust_ctls(MSR_IA32_VMX_PINBASED_CTLS,
					      PIN_EXT_INTR_EXITING |
						      PIN_NMI_EXITING |
						      PIN_VIRTUAL_NMIS |
						      PIN_PREEMPTION_TIMER));
	guest_proc_set(CPU_INTR_WINDOW_EXITING | CPU_NMI_WINDOW_EXITING |
		       CPU_HLT_EXITING | CPU_INVLPG_EXITING |
		       CPU_RDPMC_EXITING | CPU_RDTSC_EXITING |
		       CPU_MOV_DR_EXITING | CPU_MWAIT_EXITING |
		       CPU_MONITOR_EXITING | CPU_PAUSE_EXITING);
	guest_proc2_set(SEC_DESC_TABLE_EXITING | SEC_ENABLE_EPT |
			SEC_VIRT_APIC_ACCESSES | SEC_WBINVD_EXITING |
			SEC_RDRAND_EXITING | SEC_RDSEED_EXITING);
	mock_test_write(VMCS_EPT_POINTER, pa_addr(ept_pa) | 6u | (3u << 3));
	mock_test_write(VMCS_APIC_ACCESS_ADDR, pa_addr(apic_pa));
	guest_enter();
	for (unsigned i = 0; i < sizeof(conditional) / sizeof(*conditional);
	     i++) {
		/* The skylake profile (as Bochs reports it) has no MTF. */
		if (conditional[i] == EXIT_REASON_MONITOR_TRAP_FLAG)
			continue;
		e.reason = conditional[i];
		if (mock_guest_exit(&e, NULL) != 0)
			fail_msg("reason %u did not exit with its control",
				 conditional[i]);
		assert_int_equal(glog.reason, conditional[i]);
	}
	mock_test_page_free(ept);
	mock_test_page_free(apic);
}

/* External interrupts exit with "external-interrupt exiting"; the vector
 * is in the interruption information only with "acknowledge interrupt on
 * exit" (SDM Vol. 3C 26.2, 28.2.2). */
static void test_mock_exits2_external_interrupt(void **state)
{
	(void)state;
	mock_test_write(VMCS_PIN_BASED_VM_EXEC_CONTROL,
			mock_test_adjust_ctls(MSR_IA32_VMX_PINBASED_CTLS,
					      PIN_EXT_INTR_EXITING));
	guest_enter();
	assert_int_equal(mock_guest_external_interrupt(0x31, NULL), 0);
	assert_int_equal(glog.reason, EXIT_REASON_EXTERNAL_INTERRUPT);
	assert_int_equal(glog.intr_info, 0);
	assert_int_equal(glog.len, 0);
	guest_set_leave(true);
	(void)mock_guest_cpuid(0, 0, NULL, NULL);
	guest_set_leave(false);
	assert_true(vmx_ok(vmx_on(gvm.vmxon_pa)));
	assert_true(vmx_ok(vmx_clear(gvm.vmcs_pa)));
	assert_true(vmx_ok(vmx_ptrld(gvm.vmcs_pa)));
	uint32_t exit = (uint32_t)mock_test_read(VMCS_VM_EXIT_CONTROLS);
	mock_test_write(VMCS_VM_EXIT_CONTROLS,
			mock_test_adjust_ctls(MSR_IA32_VMX_EXIT_CTLS,
					      exit | EXIT_ACK_INTR_ON_EXIT));
	guest_enter();
	assert_int_equal(mock_guest_external_interrupt(0x31, NULL), 0);
	assert_int_equal(glog.intr_info, INTR_INFO_VALID | 0x31);
}

/* Exceptions exit per the exception bitmap; #PF per bit 14 and
 * PFEC & MASK == MATCH (SDM Vol. 3C 25.6.3); NMIs with NMI exiting
 * (26.2); invalid information or other event types do not exit. */
static void test_mock_exits2_exception_bitmap(void **state)
{
	struct mock_exit_event e = {.reason = EXIT_REASON_EXCEPTION_NMI};
	(void)state;
	mock_test_write(VMCS_EXCEPTION_BITMAP, BIT32(X86_VEC_GP) |
						       BIT32(X86_VEC_PF) |
						       BIT32(X86_VEC_BP));
	mock_test_write(VMCS_PAGE_FAULT_ERROR_CODE_MASK, 1);
	mock_test_write(VMCS_PAGE_FAULT_ERROR_CODE_MATCH, 1);
	guest_enter();
	assert_int_equal(mock_guest_exception(X86_VEC_GP, 0x18, NULL), 0);
	assert_int_equal(glog.intr_info,
			 INTR_INFO_VALID | (INTR_TYPE_HARD_EXCEPTION << 8) |
				 INTR_INFO_DELIVER_CODE | X86_VEC_GP);
	assert_int_equal(glog.intr_error, 0x18);
	assert_int_equal(mock_guest_exception(X86_VEC_PF, 3, NULL), 0);
	assert_int_equal(mock_guest_exception(X86_VEC_PF, 2, NULL), -1);
	assert_int_equal(mock_guest_exception(X86_VEC_UD, 0, NULL), -1);
	assert_int_equal(mock_guest_exception(40, 0, NULL), -1);
	assert_int_equal(mock_guest_nmi(NULL), -1);
	e.intr_info =
		INTR_INFO_VALID | (INTR_TYPE_SOFT_EXCEPTION << 8) | X86_VEC_BP;
	assert_int_equal(mock_guest_exit(&e, NULL), 0);
	e.intr_info = INTR_INFO_VALID | (INTR_TYPE_EXT_INTR << 8) | 0x30;
	assert_int_equal(mock_guest_exit(&e, NULL), -1);
	e.intr_info = X86_VEC_GP; /* valid bit clear */
	assert_int_equal(mock_guest_exit(&e, NULL), -1);
	assert_int_equal(glog.exits, 3);
}

/* With bit 14 clear, #PF exits exactly when PFEC & MASK != MATCH; NMIs
 * exit with NMI exiting (SDM Vol. 3C 25.6.3, 26.2). */
static void test_mock_exits2_pf_inverted_and_nmi(void **state)
{
	(void)state;
	mock_test_write(VMCS_PAGE_FAULT_ERROR_CODE_MASK, 1);
	mock_test_write(VMCS_PAGE_FAULT_ERROR_CODE_MATCH, 1);
	mock_test_write(VMCS_PIN_BASED_VM_EXEC_CONTROL,
			mock_test_adjust_ctls(MSR_IA32_VMX_PINBASED_CTLS,
					      PIN_NMI_EXITING));
	guest_enter();
	assert_int_equal(mock_guest_exception(X86_VEC_PF, 2, NULL), 0);
	assert_int_equal(mock_guest_exception(X86_VEC_PF, 3, NULL), -1);
	assert_int_equal(mock_guest_nmi(NULL), 0);
	assert_int_equal(glog.intr_info,
			 INTR_INFO_VALID | (INTR_TYPE_NMI << 8) | X86_VEC_NMI);
}

/* In wait-for-SIPI a SIPI exits (reason 4, vector as qualification), the
 * state persists across the exit, INIT is blocked; an active CPU
 * discards SIPIs and exits on INIT (SDM Vol. 3C 26.2, 28.3.4). */
static void test_mock_exits2_init_sipi(void **state)
{
	(void)state;
	mock_test_write(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_WAIT_SIPI);
	guest_enter();
	assert_int_equal(mock_guest_init(NULL), -1);
	assert_int_equal(mock_guest_sipi(0x9A, NULL), 0);
	assert_int_equal(glog.reason, EXIT_REASON_SIPI);
	assert_int_equal(glog.qual, 0x9A);
	assert_int_equal(glog.activity, ACTIVITY_WAIT_SIPI);
	assert_int_equal(mock_guest_sipi(0x9B, NULL), 0);
	assert_int_equal(glog.qual, 0x9B);
	assert_int_equal(glog.exits, 2);
}

static void test_mock_exits2_init_sipi_active(void **state)
{
	(void)state;
	guest_enter();
	assert_int_equal(mock_guest_sipi(0x9A, NULL), -1);
	assert_int_equal(mock_guest_init(NULL), 0);
	assert_int_equal(glog.reason, EXIT_REASON_INIT);
	assert_int_equal(glog.activity, ACTIVITY_ACTIVE);
	assert_int_equal(mock_guest_triple_fault(NULL), 0);
	assert_int_equal(glog.reason, EXIT_REASON_TRIPLE_FAULT);
}

/* --------------------------------------------------- CR access exits */

static int cr_event(uint64_t qual, const struct intrin_gprs *g)
{
	struct mock_exit_event e = {.reason = EXIT_REASON_CR_ACCESS,
				    .qualification = qual,
				    .instruction_len = 3};
	if (g)
		e.gprs = *g;
	return mock_guest_exit(&e, NULL);
}

/* CLTS exits iff TS is host-owned and set in the shadow; LMSW exits if it
 * would set a host-owned PE that is clear in the shadow or change a
 * host-owned MP/EM/TS (SDM Vol. 3C 26.1.3). */
static void test_mock_exits2_clts_lmsw(void **state)
{
	(void)state;
	mock_test_write(VMCS_CR0_GUEST_HOST_MASK, X86_CR0_TS | X86_CR0_PE);
	mock_test_write(VMCS_CR0_READ_SHADOW, X86_CR0_TS);
	guest_enter();
	assert_int_equal(cr_event(2u << 4, NULL), 0); /* CLTS */
	assert_int_equal(glog.qual, 2u << 4);
	/* LMSW with PE=1 while the shadow's PE is 0: exits. */
	assert_int_equal(cr_event((3u << 4) | (0x9ull << 16), NULL), 0);
	/* LMSW keeping TS as the shadow has it and PE 0: no exit. */
	assert_int_equal(cr_event((3u << 4) | (0x8ull << 16), NULL), -1);
	/* LMSW changing host-owned TS: exits. */
	assert_int_equal(cr_event((3u << 4) | (0x0ull << 16), NULL), 0);
	assert_int_equal(glog.exits, 3);
}

static void test_mock_exits2_clts_not_owned(void **state)
{
	(void)state;
	mock_test_write(VMCS_CR0_GUEST_HOST_MASK, X86_CR0_TS);
	mock_test_write(VMCS_CR0_READ_SHADOW, 0);
	guest_enter();
	assert_int_equal(cr_event(2u << 4, NULL), -1);
	/* MOV from CR0/CR4 never exits; MOV to CR2 is not a CR exit. */
	assert_int_equal(cr_event((1u << 4) | 0u, NULL), -1);
	assert_int_equal(cr_event(2u, NULL), -1);
	assert_int_equal(glog.exits, 0);
}

/* MOV to CR0/CR4 exits iff a host-owned bit differs from the shadow; the
 * source register comes from qualification bits 11:8 (Table 28-3). */
static void test_mock_exits2_mov_cr_masks(void **state)
{
	struct intrin_gprs g = {0};
	(void)state;
	mock_test_write(VMCS_CR4_GUEST_HOST_MASK, X86_CR4_VMXE);
	mock_test_write(VMCS_CR4_READ_SHADOW, 0);
	guest_enter();
	g.rbx = X86_CR4_VMXE;
	assert_int_equal(cr_event(4u | (3u << 8), &g), 0);
	assert_int_equal(glog.gprs.rbx, X86_CR4_VMXE);
	g.rbx = 0;
	assert_int_equal(cr_event(4u | (3u << 8), &g), -1);
	g.rsi = X86_CR4_VMXE;
	assert_int_equal(cr_event(4u | (6u << 8), &g), 0);
	/* Register 4 is RSP, which lives in the VMCS: reads as 0 here. */
	assert_int_equal(cr_event(4u | (4u << 8), &g), -1);
	assert_int_equal(glog.exits, 2);
}

/* CR3 loads exit with CR3-load exiting unless the value is one of the
 * CR3-target values; CR3 stores exit with CR3-store exiting; CR8 with the
 * CR8 controls (SDM Vol. 3C 26.1.3). */
static void test_mock_exits2_cr3_cr8(void **state)
{
	uint64_t v = 0;
	(void)state;
	guest_proc_set(CPU_CR3_LOAD_EXITING | CPU_CR3_STORE_EXITING |
		       CPU_CR8_LOAD_EXITING | CPU_CR8_STORE_EXITING);
	mock_test_write(VMCS_CR3_TARGET_COUNT, 2);
	mock_test_write(VMCS_CR3_TARGET_VALUE0 + 2, 0x5000);
	guest_enter();
	assert_int_equal(mock_guest_mov_to_cr(3, 0x5000, NULL), -1);
	assert_int_equal(mock_guest_mov_to_cr(3, 0x6000, NULL), 0);
	assert_int_equal(glog.qual, 3);
	assert_int_equal(mock_guest_mov_to_cr(8, 1, NULL), 0);
	assert_int_equal(glog.len, 4);
	guest_set_rax(0x7000);
	assert_int_equal(mock_guest_mov_from_cr(3, &v, NULL), 0);
	assert_int_equal(v, 0x7000);
	assert_int_equal(glog.qual, 3u | (1u << 4));
	assert_int_equal(mock_guest_mov_from_cr(8, &v, NULL), 0);
	assert_int_equal(glog.qual, 8u | (1u << 4));
	assert_int_equal(glog.exits, 4);
}

static void test_mock_exits2_cr3_cr8_off(void **state)
{
	uint64_t v = 0;
	(void)state;
	guest_enter();
	assert_int_equal(mock_guest_mov_to_cr(3, 0x6000, NULL), -1);
	assert_int_equal(mock_guest_mov_to_cr(8, 1, NULL), -1);
	assert_int_equal(mock_guest_mov_from_cr(3, &v, NULL), -1);
	assert_int_equal(mock_guest_mov_from_cr(8, &v, NULL), -1);
	assert_int_equal(glog.exits, 0);
}

/* ---------------------------------------------------------- MSR exits */

/* The MSR bitmap's high range (0xC0000000-0xC0001FFF) has separate read
 * and write halves; MSRs outside both ranges always exit; an MSR bitmap
 * without memory behind it makes every access exit (SDM Vol. 3C 25.6.9).
 * A non-intercepted access that faults is a #GP in the guest. */
static void test_mock_exits2_msr_bitmap_high(void **state)
{
	uint64_t v = 0;
	struct mock_exit_outcome out;
	(void)state;
	uint8_t *bm = gvm.msr_bitmap;
	uint32_t bit = MSR_IA32_LSTAR & 0x1FFF;
	bm[2048 + 1024 + bit / 8] |= 1u << (bit % 8);
	mock_test_write(VMCS_EXCEPTION_BITMAP, BIT32(X86_VEC_GP));
	guest_enter();
	assert_int_equal(
		mock_guest_wrmsr(MSR_IA32_LSTAR, 0xffffffff81000000u, NULL), 0);
	assert_int_equal(glog.reason, EXIT_REASON_MSR_WRITE);
	assert_int_equal(mock_guest_rdmsr(MSR_IA32_LSTAR, &v, NULL), -1);
	assert_true(v == msr(MSR_IA32_LSTAR));
	/* Absent MSR in the low range, bit clear: the guest gets #GP. */
	assert_int_equal(mock_guest_rdmsr(0x1FF, &v, &out), 0);
	assert_int_equal(glog.reason, EXIT_REASON_EXCEPTION_NMI);
	assert_int_equal(glog.intr_info & 0xFF, X86_VEC_GP);
	assert_true(v == 0);
	assert_int_equal(
		mock_guest_wrmsr(MSR_IA32_PAT, 0x0202020202020202u, NULL), 0);
	assert_int_equal(glog.reason, EXIT_REASON_EXCEPTION_NMI);
	assert_int_equal(glog.exits, 3);
}

static void test_mock_exits2_msr_bitmap_unmapped(void **state)
{
	uint64_t v = 0;
	(void)state;
	mock_test_write(VMCS_MSR_BITMAP, 0x40000000u);
	guest_enter();
	assert_int_equal(mock_guest_rdmsr(MSR_IA32_PAT, &v, NULL), 0);
	assert_int_equal(glog.reason, EXIT_REASON_MSR_READ);
	assert_int_equal(glog.gprs.rcx, MSR_IA32_PAT);
	/* Outside VMX non-root the guest helpers are not exits. */
	guest_set_leave(true);
	(void)mock_guest_cpuid(0, 0, NULL, NULL);
	assert_int_equal(mock_guest_rdmsr(MSR_IA32_PAT, &v, NULL), -1);
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_PAT, 0, NULL), -1);
}

/* ----------------------------------------- instruction lengths, events */

/* Guest VMX instructions exit with their encodings' lengths; other
 * reasons are refused by the helper. */
static void test_mock_exits2_vmx_insn_lengths(void **state)
{
	static const struct {
		uint32_t reason, len;
	} t[] = {
		{EXIT_REASON_VMXON, 4},	   {EXIT_REASON_VMCLEAR, 4},
		{EXIT_REASON_INVEPT, 5},   {EXIT_REASON_INVVPID, 5},
		{EXIT_REASON_VMCALL, 3},   {EXIT_REASON_VMLAUNCH, 3},
		{EXIT_REASON_VMRESUME, 3}, {EXIT_REASON_VMXOFF, 3},
		{EXIT_REASON_VMPTRLD, 3},  {EXIT_REASON_VMPTRST, 3},
		{EXIT_REASON_VMREAD, 3},   {EXIT_REASON_VMWRITE, 3},
	};
	(void)state;
	guest_enter();
	for (unsigned i = 0; i < sizeof(t) / sizeof(*t); i++) {
		assert_int_equal(mock_guest_vmx_insn(t[i].reason, NULL), 0);
		assert_int_equal(glog.reason, t[i].reason);
		assert_int_equal(glog.len, t[i].len);
	}
	assert_int_equal(mock_guest_vmx_insn(EXIT_REASON_CPUID, NULL), -1);
	assert_int_equal(mock_guest_hlt(NULL), -1);
	assert_int_equal(mock_guest_invd(NULL), 0);
	assert_int_equal(mock_guest_wbinvd(NULL), -1);
	assert_int_equal(mock_guest_xsetbv(0, 7, NULL), 0);
	assert_int_equal(glog.gprs.rcx, 0);
	assert_int_equal(glog.gprs.rax, 7);
}

/* An injected event that is not a hardware exception (here an external
 * interrupt) is not reported to the guest's WRMSR as #GP. */
static void test_mock_exits2_inject_not_exception(void **state)
{
	(void)state;
	uint8_t *bm = gvm.msr_bitmap;
	bm[2048 + MSR_IA32_PAT / 8] |= 1u << (MSR_IA32_PAT % 8);
	guest_enter();
	guest_set_inject(INTR_INFO_VALID | (INTR_TYPE_EXT_INTR << 8) | 0x30, 0);
	assert_int_equal(cpu_wrmsr_safe(MSR_IA32_PAT, 0), CPU_SAFE_OK);
	assert_int_equal(glog.reason, EXIT_REASON_MSR_WRITE);
	guest_set_inject(0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(n) cmocka_unit_test_setup_teardown(n, guest_setup, guest_teardown)
		T(test_mock_exits2_msr_store),
		T(test_mock_exits2_msr_store_abort),
		T(test_mock_exits2_msr_load),
		T(test_mock_exits2_msr_load_abort),
		T(test_mock_exits2_entry_failure_loads_exit_msrs),
		T(test_mock_exits2_vmxoff_without_vmclear),
		T(test_mock_exits2_vmxoff_after_vmclear),
		T(test_mock_exits2_vmxoff_active_unlaunched),
		T(test_mock_exits2_entry_called),
		T(test_mock_exits2_host_rip_rsp),
		T(test_mock_exits2_no_handler),
		T(test_mock_exits2_handler_contract),
		T(test_mock_exits2_conditional_off),
		T(test_mock_exits2_conditional_on),
		T(test_mock_exits2_external_interrupt),
		T(test_mock_exits2_exception_bitmap),
		T(test_mock_exits2_pf_inverted_and_nmi),
		T(test_mock_exits2_init_sipi),
		T(test_mock_exits2_init_sipi_active),
		T(test_mock_exits2_clts_lmsw),
		T(test_mock_exits2_clts_not_owned),
		T(test_mock_exits2_mov_cr_masks),
		T(test_mock_exits2_cr3_cr8),
		T(test_mock_exits2_cr3_cr8_off),
		T(test_mock_exits2_msr_bitmap_high),
		T(test_mock_exits2_msr_bitmap_unmapped),
		T(test_mock_exits2_vmx_insn_lengths),
		T(test_mock_exits2_inject_not_exception),
#undef T
	};
	return FLANK_RUN_TESTS(tests);
}
