// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VM exits: guest events become exits with the exit information a real CPU
 * writes (SDM Vol. 3C 28.2), guest state is saved (28.3), MSRs stored
 * (28.4), host state loaded (28.5, 28.6), and the exit entry is run the way
 * intrinsics/real's assembly runs it: vmm_exit_handler() on the host stack,
 * then VMRESUME (with every entry check) or continuing outside VMX.
 */
#include <stdio.h>

#include "mock_internal.h"

#pragma weak vmm_exit_handler
#pragma weak vmm_exit_resume_failed

static mock_exit_handler_fn hook_handler;
static mock_resume_failed_fn hook_resume_failed;

void mock_set_exit_handlers(mock_exit_handler_fn handler,
			    mock_resume_failed_fn resume_failed)
{
	hook_handler = handler;
	hook_resume_failed = resume_failed;
}

/*
 * The address libvmm writes to HOST_RIP. Reaching it by a call is not
 * something the real entry survives: it is only entered by a VM exit.
 */
void intrin_vmexit_entry(void)
{
	mock_violation("EXIT.entry_called",
		       "intrin_vmexit_entry() is entered by VM exits only");
}

/*
 * The continuation of vmx_launch_here() after an entry failure with exit
 * reason bit 31 (intrinsics.h). Like intrin_vmexit_entry it is an address
 * the handler hands back, never a function to call.
 */
void intrin_launch_here_entry_failed(void)
{
	mock_violation("LAUNCH.continuation_called",
		       "intrin_launch_here_entry_failed() is the target of "
		       "the exit entry only");
}

/* Continuations after INIT and triple fault (intrinsics.h): addresses the
 * handler hands back, never functions to call. */
void intrin_cpu_park(void)
{
	mock_violation(
		"EXIT.park_called",
		"intrin_cpu_park() is the target of the exit entry only");
}

void intrin_cpu_shutdown(void)
{
	mock_violation("EXIT.shutdown_called", "intrin_cpu_shutdown() is the "
					       "target of the exit entry only");
}

/* The handlers the exit entry calls (a hook set by a test, or libvmm's). */
static bool exit_handlers(mock_exit_handler_fn *handler,
			  mock_resume_failed_fn *failed)
{
	*handler = hook_handler ? hook_handler : vmm_exit_handler;
	*failed = hook_resume_failed ? hook_resume_failed
				     : vmm_exit_resume_failed;
	return *handler && *failed;
}

/*
 * The exit entry's calls of the handlers, counted on the exiting CPU so that
 * a host service can tell it is called from inside one (a kernel's printk
 * must never be reached from there: mock_in_exit_handler()).
 */
static enum intrin_exit_action call_handler(unsigned cpu_id,
					    mock_exit_handler_fn handler,
					    struct intrin_exit_frame *frame,
					    void *ctx)
{
	enum intrin_exit_action act;

	mock_machine.cpu[cpu_id].in_exit_handler++;
	act = handler(frame, ctx);
	mock_machine.cpu[cpu_id].in_exit_handler--;
	return act;
}

static enum intrin_exit_action call_failed(unsigned cpu_id,
					   mock_resume_failed_fn failed,
					   struct intrin_exit_frame *frame,
					   void *ctx, vmx_result_t r)
{
	enum intrin_exit_action act;

	mock_machine.cpu[cpu_id].in_exit_handler++;
	act = failed(frame, ctx, r);
	mock_machine.cpu[cpu_id].in_exit_handler--;
	return act;
}

bool mock_in_exit_handler(unsigned cpu)
{
	return cpu < mock_machine.ncpus &&
	       mock_machine.cpu[cpu].in_exit_handler != 0;
}

/*
 * What the hardware does with HOST_RIP/HOST_RSP at every VM exit and what
 * intrinsics/real's stub relies on; yields the context pointer at HOST_RSP.
 */
static bool exit_entry_target(const struct mock_vmcs *v, void **ctx)
{
	uint64_t host_rip = mock_vmcs_get(v, VMCS_HOST_RIP);
	uint64_t host_rsp = mock_vmcs_get(v, VMCS_HOST_RSP);

	if (host_rip != (uint64_t)(uintptr_t)intrin_vmexit_entry) {
		mock_violation("EXIT.host_rip",
			       "HOST_RIP is not intrin_vmexit_entry: the CPU "
			       "would jump into the wild");
		return false;
	}
	if ((host_rsp & 15u) || !mock_mem_host_range_mapped(host_rsp, 8)) {
		mock_violation("EXIT.host_rsp",
			       "HOST_RSP is not a 16-byte aligned address in "
			       "a mapped host stack");
		return false;
	}
	*ctx = *(void **)(uintptr_t)host_rsp;
	return true;
}

bool mock_launch_here_entry_failure(struct mock_cpu *c, uint64_t guest_rsp)
{
	mock_exit_handler_fn handler;
	mock_resume_failed_fn failed;
	struct mock_vmcs *v = mock_current_vmcs(c);
	unsigned cpu_id = c->id;
	void *ctx = NULL;

	/* Tests of the model alone link no handler: VMLAUNCH's raw outcome. */
	if (!exit_handlers(&handler, &failed) || !v)
		return true;
	if (!exit_entry_target(v, &ctx))
		return false;
	struct intrin_exit_frame frame = {.gprs = c->guest_gprs};
	enum intrin_exit_action act =
		call_handler(cpu_id, handler, &frame, ctx);

	mock_machine.current = cpu_id;
	c = mock_cur();
	if (act != INTRIN_EXIT_LEAVE || c->vmx != MOCK_VMX_ROOT ||
	    frame.leave_rip !=
		    (uint64_t)(uintptr_t)intrin_launch_here_entry_failed ||
	    frame.leave_rsp != guest_rsp) {
		mock_violation("LAUNCH.entry_failure_not_continued",
			       "after a VM-entry failure of vmx_launch_here() "
			       "the handler must stay in VMX root and continue "
			       "at intrin_launch_here_entry_failed with RSP = "
			       "GUEST_RSP (intrinsics.h)");
		return false;
	}
	return true;
}

/* ------------------------------------------------------------ MSR lists */

/*
 * SDM Vol. 3C 28.4: the VM-exit MSR-store area. An entry whose reserved
 * bits 63:32 are not 0 or whose MSR cannot be read is a VMX abort; so is
 * an area the model has no memory for (a real CPU would read whatever the
 * bus returns there, all ones: reserved bits set).
 */
static void store_msrs(struct mock_cpu *c, const struct mock_vmcs *v)
{
	uint32_t n = (uint32_t)mock_vmcs_get(v, VMCS_VM_EXIT_MSR_STORE_COUNT);
	uint64_t pa = mock_vmcs_get(v, VMCS_VM_EXIT_MSR_STORE_ADDR);

	for (uint32_t i = 0; i < n; i++) {
		uint32_t e[2];
		uint64_t val;
		if (!mock_mem_read(pa + 16u * (uint64_t)i, e, 8) || e[1] != 0 ||
		    mock_msr_read_raw(c, e[0], &val) != 0) {
			mock_violation("EXIT.vmx_abort_msr_store",
				       "VMX abort: VM-exit MSR-store entry "
				       "failed (SDM Vol. 3C 28.4, 28.7)");
			return;
		}
		(void)mock_mem_write(pa + 16u * (uint64_t)i + 8, &val, 8);
	}
}

/* SDM Vol. 3C 28.6: the VM-exit MSR-load area; failure is a VMX abort. */
void mock_exit_load_msrs(struct mock_cpu *c, const struct mock_vmcs *v)
{
	uint32_t n = (uint32_t)mock_vmcs_get(v, VMCS_VM_EXIT_MSR_LOAD_COUNT);
	uint64_t pa = mock_vmcs_get(v, VMCS_VM_EXIT_MSR_LOAD_ADDR);

	for (uint32_t i = 0; i < n; i++) {
		uint32_t e[2];
		uint64_t val;
		if (!mock_mem_read(pa + 16u * (uint64_t)i, e, 8) ||
		    !mock_mem_read(pa + 16u * (uint64_t)i + 8, &val, 8) ||
		    e[1] != 0 || e[0] == MSR_IA32_FS_BASE ||
		    e[0] == MSR_IA32_GS_BASE ||
		    mock_msr_write_raw(c, e[0], val) != 0) {
			mock_violation("EXIT.vmx_abort_msr_load",
				       "VMX abort: VM-exit MSR-load entry "
				       "failed (SDM Vol. 3C 28.6, 28.7)");
			return;
		}
	}
}

/* --------------------------------------------------------- the delivery */

static int deliver(struct mock_cpu *c, const struct mock_exit_event *e,
		   struct mock_exit_outcome *out)
{
	struct mock_vmcs *v = mock_current_vmcs(c);
	struct mock_exit_outcome local;
	unsigned cpu_id = c->id;

	if (!out)
		out = &local;
	*out = (struct mock_exit_outcome){0};
	out->rip_before = c->rip;

	/* SDM Vol. 3C 28.2: exit information. */
	mock_vmcs_set(v, VMCS_VM_EXIT_REASON, e->reason);
	mock_vmcs_set(v, VMCS_EXIT_QUALIFICATION, e->qualification);
	mock_vmcs_set(v, VMCS_VM_EXIT_INSTRUCTION_LEN, e->instruction_len);
	mock_vmcs_set(v, VMCS_VMX_INSTRUCTION_INFO, e->instruction_info);
	mock_vmcs_set(v, VMCS_VM_EXIT_INTR_INFO, e->intr_info);
	mock_vmcs_set(v, VMCS_VM_EXIT_INTR_ERROR_CODE, e->intr_error_code);
	/* 28.2.4: valid only for an exit during event delivery. */
	mock_vmcs_set(v, VMCS_IDT_VECTORING_INFO, e->idt_vectoring_info);
	mock_vmcs_set(v, VMCS_IDT_VECTORING_ERROR_CODE,
		      e->idt_vectoring_error_code);
	/* 28.2.? "VM exits clear the valid bit of VM-entry intr. info". */
	mock_vmcs_set(v, VMCS_VM_ENTRY_INTR_INFO,
		      mock_vmcs_get(v, VMCS_VM_ENTRY_INTR_INFO) &
			      ~(uint64_t)INTR_INFO_VALID);
	c->injected_info = 0;
	c->debug_trap = false;
	c->guest_gprs = e->gprs;
	mock_save_guest_state(c, v);
	store_msrs(c, v);
	mock_load_host_state(c, v);
	/* SDM Vol. 3C 28.5.5: what the exit invalidates (tlb.c). */
	mock_tlb_vm_exit(c, v);
	mock_exit_load_msrs(c, v);
	c->vmx = MOCK_VMX_ROOT;
	c->vmxoff_failed = false;

	/* The exit entry: what intrinsics/real's stub relies on. */
	void *ctx = NULL;
	if (!exit_entry_target(v, &ctx))
		return -1;
	mock_exit_handler_fn handler;
	mock_resume_failed_fn failed;
	if (!exit_handlers(&handler, &failed)) {
		mock_violation("EXIT.no_handler",
			       "no vmm_exit_handler linked and none set with "
			       "mock_set_exit_handlers()");
		return -1;
	}
	struct intrin_exit_frame frame = {.gprs = e->gprs};
	enum intrin_exit_action act =
		call_handler(cpu_id, handler, &frame, ctx);

	mock_machine.current = cpu_id;
	c = mock_cur();
	if (act == INTRIN_EXIT_RESUME) {
		vmx_result_t r;
		if (mock_fault_check(MOCK_OP_VMRESUME, 0, 0, &r)) {
			c->last_entry = (struct mock_entry_verdict){
				.result = r, .rule = "INJECTED"};
			if (r.outcome == VMX_FAIL_VALID)
				(void)mock_vm_fail_valid(c, r.error);
			mock_record(MOCK_OP_VMRESUME, 0, 0, r, true);
		} else if (c->vmx != MOCK_VMX_ROOT) {
			mock_violation("EXIT.resume_outside_root",
				       "the handler asked to resume but the "
				       "CPU is not in VMX root");
			return -1;
		} else {
			r = mock_do_vmentry(c, false);
			mock_record(MOCK_OP_VMRESUME, 0, 0, r, false);
		}
		out->resume = c->last_entry;
		if (r.outcome == VMX_FAIL_VALID && r.error == 0 &&
		    (c->last_entry.exit_reason & EXIT_REASON_ENTRY_FAILURE)) {
			/*
			 * SDM Vol. 3C 27.8: a failure while loading guest
			 * state or MSRs is a VM exit with bit 31 set, to
			 * HOST_RIP: the exit entry runs the handler again.
			 * The guest state is still bad, so resuming would fail
			 * forever: the handler must leave.
			 */
			frame = (struct intrin_exit_frame){.gprs = frame.gprs};
			act = call_handler(cpu_id, handler, &frame, ctx);
			mock_machine.current = cpu_id;
			c = mock_cur();
			if (act != INTRIN_EXIT_LEAVE) {
				mock_violation(
					"EXIT.resume_after_entry_failure",
					"the handler resumed after a VM-entry "
					"failure (exit reason bit 31): the "
					"entry would fail again forever");
				return -1;
			}
			goto leave;
		}
		if (vmx_ok(r)) {
			out->action = INTRIN_EXIT_RESUME;
			c->guest_gprs = frame.gprs;
			out->gprs = frame.gprs;
			out->rip_after = c->rip;
			out->injected = c->injected_info != 0;
			out->injected_info = c->injected_info;
			out->injected_error_code = c->injected_error_code;
			/* The entry loaded no CR2 (launch.c): the guest's
			 * handler runs with the register as it is now. */
			out->injected_cr2 =
				c->injected_info != 0 ? c->regs.cr2 : 0;
			out->pending_dbg = c->entry_pending_dbg;
			out->debug_trap = c->debug_trap;
			out->debug_trap_dr6 = c->debug_trap_dr6;
			return 0;
		}
		act = call_failed(cpu_id, failed, &frame, ctx, r);
		mock_machine.current = cpu_id;
		c = mock_cur();
		if (act != INTRIN_EXIT_LEAVE) {
			mock_violation(
				"EXIT.resume_failed_not_leave",
				"vmm_exit_resume_failed() must leave VMX "
				"and return INTRIN_EXIT_LEAVE");
			return -1;
		}
	}
leave:
	out->action = INTRIN_EXIT_LEAVE;
	/*
	 * A handler whose VMXOFF failed cannot leave VMX operation: the CPU
	 * then continues in VMX root, as it would on hardware (libvmm
	 * reports it as VMM_ERR_VMXOFF, state CORRUPT). Any other LEAVE in
	 * VMX operation is a handler that forgot to leave.
	 */
	if (c->vmx == MOCK_VMX_ROOT && c->vmxoff_failed) {
		c->vmxoff_failed = false;
	} else if (c->vmx != MOCK_VMX_OUTSIDE) {
		mock_violation("EXIT.leave_in_vmx",
			       "the handler returned LEAVE without leaving VMX "
			       "operation");
		return -1;
	}
	c->rip = frame.leave_rip;
	c->rsp = frame.leave_rsp;
	c->regs.rflags = frame.leave_rflags;
	c->parked = false;
	if (frame.leave_rip == (uint64_t)(uintptr_t)intrin_cpu_park) {
		/* CLI; HLT forever: halted with interrupts off. */
		if (c->regs.rflags & X86_RFLAGS_IF) {
			mock_violation("EXIT.park_with_if",
				       "intrin_cpu_park needs leave_rflags "
				       "with IF = 0");
			return -1;
		}
		c->parked = true;
		c->halted = true;
	} else if (frame.leave_rip ==
		   (uint64_t)(uintptr_t)intrin_cpu_shutdown) {
		/* IDT limit 0, INT3: #GP, #DF, triple fault (SDM Vol. 3A
		 * 6.15): shutdown. */
		c->regs.idtr.limit = 0;
		c->activity = ACTIVITY_SHUTDOWN;
	}
	out->gprs = frame.gprs;
	out->rip_after = frame.leave_rip;
	return 0;
}

/* ------------------------------------------------- is it an exit at all */

bool mock_msr_intercepted(struct mock_cpu *c, uint32_t msr, bool write)
{
	/* SDM Vol. 3C 26.1.3 and 25.6.9. */
	if (!(mock_proc_ctls(c) & CPU_USE_MSR_BITMAPS))
		return true;
	uint32_t base;
	if (msr <= 0x1FFFu)
		base = 0;
	else if (msr >= 0xC0000000u && msr <= 0xC0001FFFu)
		base = 1024;
	else
		return true;
	base += write ? 2048u : 0u;
	uint32_t bit = msr & 0x1FFFu;
	uint8_t byte;
	if (!mock_mem_read(mock_cur_field(c, VMCS_MSR_BITMAP) + base + bit / 8,
			   &byte, 1))
		return true;
	return (byte >> (bit % 8)) & 1u;
}

static bool io_intercepted(struct mock_cpu *c, uint16_t port, unsigned size)
{
	uint32_t proc = mock_proc_ctls(c);

	/* SDM Vol. 3C 26.1.3: I/O bitmaps take precedence when used. */
	if (!(proc & CPU_USE_IO_BITMAPS))
		return (proc & CPU_UNCOND_IO_EXITING) != 0;
	for (unsigned i = 0; i < size; i++) {
		uint32_t p = (uint32_t)port + i;
		if (p > 0xFFFFu)
			return true; /* wraps around: always exits */
		uint64_t bm = mock_cur_field(c, p < 0x8000u ? VMCS_IO_BITMAP_A
							    : VMCS_IO_BITMAP_B);
		uint8_t byte;
		if (!mock_mem_read(bm + (p & 0x7FFFu) / 8, &byte, 1) ||
		    ((byte >> (p % 8)) & 1u))
			return true;
	}
	return false;
}

static uint64_t gpr(const struct intrin_gprs *g, unsigned n)
{
	const uint64_t order[16] = {
		g->rax, g->rcx, g->rdx, g->rbx, 0,	g->rbp, g->rsi, g->rdi,
		g->r8,	g->r9,	g->r10, g->r11, g->r12, g->r13, g->r14, g->r15};
	return order[n & 15];
}

/* SDM Vol. 3C 26.1.3 "MOV to CR0/CR3/CR4/CR8", "MOV from CR3/CR8". */
static bool cr_intercepted(struct mock_cpu *c, uint64_t q,
			   const struct intrin_gprs *g)
{
	unsigned cr = q & 15u, type = (q >> 4) & 3u;
	uint64_t val = gpr(g, (unsigned)(q >> 8) & 15u);
	uint32_t proc = mock_proc_ctls(c);

	if (type == 0) {
		if (cr == 0 || cr == 4) {
			uint64_t mask = mock_cur_field(
				c, cr ? VMCS_CR4_GUEST_HOST_MASK
				      : VMCS_CR0_GUEST_HOST_MASK);
			uint64_t sh =
				mock_cur_field(c, cr ? VMCS_CR4_READ_SHADOW
						     : VMCS_CR0_READ_SHADOW);
			return ((val ^ sh) & mask) != 0;
		}
		if (cr == 3) {
			if (!(proc & CPU_CR3_LOAD_EXITING))
				return false;
			uint64_t n = mock_cur_field(c, VMCS_CR3_TARGET_COUNT);
			for (uint64_t i = 0; i < n && i < 4; i++) {
				if (mock_cur_field(
					    c,
					    (uint32_t)(VMCS_CR3_TARGET_VALUE0 +
						       2 * i)) == val)
					return false;
			}
			return true;
		}
		if (cr == 8)
			return (proc & CPU_CR8_LOAD_EXITING) != 0;
		return false;
	}
	if (type == 1) {
		if (cr == 3)
			return (proc & CPU_CR3_STORE_EXITING) != 0;
		if (cr == 8)
			return (proc & CPU_CR8_STORE_EXITING) != 0;
		return false;
	}
	if (type == 2) { /* CLTS */
		return (mock_cur_field(c, VMCS_CR0_GUEST_HOST_MASK) &
			mock_cur_field(c, VMCS_CR0_READ_SHADOW) & X86_CR0_TS) !=
		       0;
	}
	/* LMSW: source in bits 31:16 of the qualification. */
	uint64_t src = (q >> 16) & 0xFFFFu;
	uint64_t mask = mock_cur_field(c, VMCS_CR0_GUEST_HOST_MASK);
	uint64_t sh = mock_cur_field(c, VMCS_CR0_READ_SHADOW);
	return ((mask & 1u) && (src & 1u) && !(sh & 1u)) ||
	       ((mask & 0xEu) & (src ^ sh));
}

static bool exception_intercepted(struct mock_cpu *c, uint32_t info,
				  uint32_t errcode)
{
	unsigned type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	unsigned vec = info & INTR_INFO_VECTOR_MASK;

	if (!(info & INTR_INFO_VALID))
		return false;
	if (type == INTR_TYPE_NMI)
		return (mock_cur_field(c, VMCS_PIN_BASED_VM_EXEC_CONTROL) &
			PIN_NMI_EXITING) != 0;
	if (type != INTR_TYPE_HARD_EXCEPTION &&
	    type != INTR_TYPE_SOFT_EXCEPTION &&
	    type != INTR_TYPE_PRIV_SW_EXCEPTION)
		return false;
	if (vec > 31)
		return false;
	bool bit = (mock_cur_field(c, VMCS_EXCEPTION_BITMAP) >> vec) & 1u;
	if (vec != X86_VEC_PF)
		return bit;
	/* SDM Vol. 3C 26.2 (#PF): PFEC & MASK == MATCH selects the sense. */
	bool match = (errcode &
		      mock_cur_field(c, VMCS_PAGE_FAULT_ERROR_CODE_MASK)) ==
		     mock_cur_field(c, VMCS_PAGE_FAULT_ERROR_CODE_MATCH);
	return bit == match;
}

static bool exit_enabled(struct mock_cpu *c, const struct mock_exit_event *e)
{
	uint32_t pin =
		(uint32_t)mock_cur_field(c, VMCS_PIN_BASED_VM_EXEC_CONTROL);
	uint32_t proc = mock_proc_ctls(c);
	uint32_t sec = mock_proc2_ctls(c);

	switch (e->reason) {
	case EXIT_REASON_EXCEPTION_NMI:
		return exception_intercepted(c, e->intr_info,
					     e->intr_error_code);
	case EXIT_REASON_EXTERNAL_INTERRUPT:
		return (pin & PIN_EXT_INTR_EXITING) != 0;
	case EXIT_REASON_INIT:
		/*
		 * SDM Vol. 3C 26.2: INIT signals exit, except in the
		 * wait-for-SIPI state, where they are blocked.
		 */
		return c->activity != ACTIVITY_WAIT_SIPI;
	case EXIT_REASON_TRIPLE_FAULT:
	case EXIT_REASON_TASK_SWITCH: /* SDM Vol. 3C 26.1.2: always */
	case EXIT_REASON_CPUID:
	case EXIT_REASON_GETSEC:
	case EXIT_REASON_INVD:
	case EXIT_REASON_VMCALL:
	case EXIT_REASON_VMCLEAR:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMWRITE:
	case EXIT_REASON_VMXOFF:
	case EXIT_REASON_VMXON:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_XSETBV:
		return true;
	case EXIT_REASON_SIPI:
		/*
		 * SDM Vol. 3C 26.2: SIPIs exit only in wait-for-SIPI;
		 * otherwise the SIPI is discarded.
		 */
		return c->activity == ACTIVITY_WAIT_SIPI;
	case EXIT_REASON_INTERRUPT_WINDOW:
		return (proc & CPU_INTR_WINDOW_EXITING) != 0;
	case EXIT_REASON_NMI_WINDOW:
		return (proc & CPU_NMI_WINDOW_EXITING) != 0;
	case EXIT_REASON_HLT:
		return (proc & CPU_HLT_EXITING) != 0;
	case EXIT_REASON_INVLPG:
		return (proc & CPU_INVLPG_EXITING) != 0;
	case EXIT_REASON_RDPMC:
		return (proc & CPU_RDPMC_EXITING) != 0;
	case EXIT_REASON_RDTSC:
		return (proc & CPU_RDTSC_EXITING) != 0;
	case EXIT_REASON_CR_ACCESS:
		return cr_intercepted(c, e->qualification, &e->gprs);
	case EXIT_REASON_DR_ACCESS:
		return (proc & CPU_MOV_DR_EXITING) != 0;
	case EXIT_REASON_IO_INSTRUCTION:
		return io_intercepted(c, (uint16_t)(e->qualification >> 16),
				      (unsigned)(e->qualification & 7u) + 1u);
	case EXIT_REASON_MSR_READ:
		return mock_msr_intercepted(c, (uint32_t)e->gprs.rcx, false);
	case EXIT_REASON_MSR_WRITE:
		return mock_msr_intercepted(c, (uint32_t)e->gprs.rcx, true);
	case EXIT_REASON_MWAIT:
		return (proc & CPU_MWAIT_EXITING) != 0;
	case EXIT_REASON_MONITOR_TRAP_FLAG:
		return (proc & CPU_MONITOR_TRAP_FLAG) != 0;
	case EXIT_REASON_MONITOR:
		return (proc & CPU_MONITOR_EXITING) != 0;
	case EXIT_REASON_PAUSE:
		return (proc & CPU_PAUSE_EXITING) != 0;
	case EXIT_REASON_GDTR_IDTR:
	case EXIT_REASON_LDTR_TR:
		return (sec & SEC_DESC_TABLE_EXITING) != 0;
	case EXIT_REASON_EPT_VIOLATION:
	case EXIT_REASON_EPT_MISCONFIG:
		return (sec & SEC_ENABLE_EPT) != 0;
	case EXIT_REASON_APIC_ACCESS:
		return (sec & SEC_VIRT_APIC_ACCESSES) != 0;
	case EXIT_REASON_PREEMPTION_TIMER:
		return (pin & PIN_PREEMPTION_TIMER) != 0;
	case EXIT_REASON_WBINVD:
		return (sec & SEC_WBINVD_EXITING) != 0;
	case EXIT_REASON_RDRAND:
		return (sec & SEC_RDRAND_EXITING) != 0;
	case EXIT_REASON_RDSEED:
		return (sec & SEC_RDSEED_EXITING) != 0;
	default:
		return false;
	}
}

int mock_guest_exit(const struct mock_exit_event *event,
		    struct mock_exit_outcome *out)
{
	struct mock_cpu *c = mock_cur();

	if (c->vmx != MOCK_VMX_NONROOT || !exit_enabled(c, event))
		return -1;
	return deliver(c, event, out);
}

int mock_guest_exit_any(const struct mock_exit_event *event,
			struct mock_exit_outcome *out)
{
	struct mock_cpu *c = mock_cur();

	if (c->vmx != MOCK_VMX_NONROOT)
		return -1;
	return deliver(c, event, out);
}

int mock_guest_insn_exit(struct mock_guest_insn *insn,
			 struct mock_exit_outcome *out)
{
	struct mock_cpu *c = mock_cur();
	struct mock_exit_outcome local;
	struct mock_exit_event e = {.reason = insn->reason,
				    .qualification = insn->qualification,
				    .instruction_len = insn->len,
				    .instruction_info = insn->info,
				    .gprs = insn->gprs};

	if (!out)
		out = &local;
	if (deliver(c, &e, out) != 0)
		return -1;
	insn->gprs = out->gprs;
	return out->action == INTRIN_EXIT_RESUME ? 0 : 1;
}

int mock_injected_exception(const struct mock_cpu *cpu)
{
	uint32_t info = cpu->injected_info;

	if ((info & INTR_INFO_VALID) &&
	    ((info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT) ==
		    INTR_TYPE_HARD_EXCEPTION)
		return (int)(info & INTR_INFO_VECTOR_MASK);
	return -1;
}

/* ------------------------------------------------ convenience events */

static int simple(uint32_t reason, uint32_t len, uint64_t qual,
		  struct intrin_gprs *g, struct mock_exit_outcome *out)
{
	struct mock_exit_event e = {.reason = reason,
				    .instruction_len = len,
				    .qualification = qual};
	struct mock_exit_outcome local;

	if (!out)
		out = &local;
	if (g)
		e.gprs = *g;
	int rc = mock_guest_exit(&e, out);
	if (rc == 0 && g)
		*g = out->gprs;
	return rc;
}

int mock_guest_cpuid(uint32_t leaf, uint32_t subleaf,
		     struct cpu_cpuid_regs *regs, struct mock_exit_outcome *out)
{
	struct intrin_gprs g = {.rax = leaf, .rcx = subleaf};
	int rc = simple(EXIT_REASON_CPUID, 2, 0, &g, out);

	if (rc == 0 && regs) {
		regs->eax = (uint32_t)g.rax;
		regs->ebx = (uint32_t)g.rbx;
		regs->ecx = (uint32_t)g.rcx;
		regs->edx = (uint32_t)g.rdx;
	}
	return rc;
}

int mock_guest_rdmsr(uint32_t msr, uint64_t *value,
		     struct mock_exit_outcome *out)
{
	struct mock_cpu *c = mock_cur();
	struct intrin_gprs g = {.rcx = msr};

	if (c->vmx != MOCK_VMX_NONROOT)
		return -1;
	if (!mock_msr_intercepted(c, msr, false)) {
		/* Not intercepted: the CPU performs it for the guest. */
		if (mock_msr_read_raw(c, msr, value) != 0) {
			*value = 0;
			return mock_guest_exception(X86_VEC_GP, 0, out);
		}
		return -1;
	}
	int rc = simple(EXIT_REASON_MSR_READ, 2, 0, &g, out);
	if (rc == 0 && value)
		*value = (g.rdx << 32) | (g.rax & 0xFFFFFFFFu);
	return rc;
}

int mock_guest_wrmsr(uint32_t msr, uint64_t value,
		     struct mock_exit_outcome *out)
{
	struct mock_cpu *c = mock_cur();
	struct intrin_gprs g = {
		.rcx = msr, .rax = value & 0xFFFFFFFFu, .rdx = value >> 32};

	if (c->vmx != MOCK_VMX_NONROOT)
		return -1;
	if (!mock_msr_intercepted(c, msr, true)) {
		if (mock_msr_write_raw(c, msr, value) != 0)
			return mock_guest_exception(X86_VEC_GP, 0, out);
		return -1;
	}
	return simple(EXIT_REASON_MSR_WRITE, 2, 0, &g, out);
}

int mock_guest_vmcall(struct intrin_gprs *gprs, struct mock_exit_outcome *out)
{
	return simple(EXIT_REASON_VMCALL, 3, 0, gprs, out);
}

int mock_guest_xsetbv(uint32_t xcr, uint64_t value,
		      struct mock_exit_outcome *out)
{
	struct intrin_gprs g = {
		.rcx = xcr, .rax = value & 0xFFFFFFFFu, .rdx = value >> 32};
	return simple(EXIT_REASON_XSETBV, 3, 0, &g, out);
}

int mock_guest_mov_to_cr(unsigned cr, uint64_t value,
			 struct mock_exit_outcome *out)
{
	struct intrin_gprs g = {.rax = value};
	/* MOV CRn, RAX is 0F 22 /r; CR8 needs REX.R (44 0F 22 C0). */
	return simple(EXIT_REASON_CR_ACCESS, cr == 8 ? 4 : 3, cr & 15u, &g,
		      out);
}

int mock_guest_mov_from_cr(unsigned cr, uint64_t *value,
			   struct mock_exit_outcome *out)
{
	struct intrin_gprs g = {0};
	int rc = simple(EXIT_REASON_CR_ACCESS, cr == 8 ? 4 : 3,
			(cr & 15u) | (1u << 4), &g, out);
	if (rc == 0 && value)
		*value = g.rax;
	return rc;
}

int mock_guest_hlt(struct mock_exit_outcome *out)
{
	return simple(EXIT_REASON_HLT, 1, 0, NULL, out);
}

int mock_guest_invd(struct mock_exit_outcome *out)
{
	return simple(EXIT_REASON_INVD, 2, 0, NULL, out);
}

int mock_guest_wbinvd(struct mock_exit_outcome *out)
{
	return simple(EXIT_REASON_WBINVD, 2, 0, NULL, out);
}

int mock_guest_exception(uint32_t vector, uint32_t error_code,
			 struct mock_exit_outcome *out)
{
	bool code = vector == 8 || (vector >= 10 && vector <= 14) ||
		    vector == 17 || vector == 21;
	struct mock_exit_event e = {
		.reason = EXIT_REASON_EXCEPTION_NMI,
		.intr_info =
			INTR_INFO_VALID |
			(INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT) |
			(code ? INTR_INFO_DELIVER_CODE : 0) | (vector & 0xFFu),
		.intr_error_code = code ? error_code : 0};
	return mock_guest_exit(&e, out);
}

int mock_guest_nmi(struct mock_exit_outcome *out)
{
	struct mock_exit_event e = {
		.reason = EXIT_REASON_EXCEPTION_NMI,
		.intr_info = INTR_INFO_VALID |
			     (INTR_TYPE_NMI << INTR_INFO_TYPE_SHIFT) |
			     X86_VEC_NMI};
	return mock_guest_exit(&e, out);
}

int mock_guest_external_interrupt(uint32_t vector,
				  struct mock_exit_outcome *out)
{
	struct mock_cpu *c = mock_cur();
	struct mock_exit_event e = {.reason = EXIT_REASON_EXTERNAL_INTERRUPT};

	/* SDM Vol. 3C 28.2.2: valid info only with "acknowledge on exit". */
	if (c->vmx == MOCK_VMX_NONROOT &&
	    (mock_cur_field(c, VMCS_VM_EXIT_CONTROLS) & EXIT_ACK_INTR_ON_EXIT))
		e.intr_info = INTR_INFO_VALID | (vector & 0xFFu);
	return mock_guest_exit(&e, out);
}

int mock_guest_init(struct mock_exit_outcome *out)
{
	return simple(EXIT_REASON_INIT, 0, 0, NULL, out);
}

int mock_guest_sipi(uint32_t vector, struct mock_exit_outcome *out)
{
	return simple(EXIT_REASON_SIPI, 0, vector & 0xFFu, NULL, out);
}

int mock_guest_triple_fault(struct mock_exit_outcome *out)
{
	return simple(EXIT_REASON_TRIPLE_FAULT, 0, 0, NULL, out);
}

int mock_guest_vmx_insn(uint32_t reason, struct mock_exit_outcome *out)
{
	uint32_t len;

	switch (reason) {
	case EXIT_REASON_VMXON:
	case EXIT_REASON_VMCLEAR:
		len = 4;
		break;
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
		len = 5;
		break;
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMWRITE:
		/*
		 * The event has no field operand (encoding 0). With VMCS
		 * shadowing it may not exit at all (SDM Vol. 3C 26.1.3):
		 * such a test executes vmx_vmread/vmx_vmwrite in VMX
		 * non-root instead, which models the shadow VMCS.
		 */
		if (!mock_vmcs_shadow_exits(mock_cur(), 0,
					    reason == EXIT_REASON_VMWRITE)) {
			mock_violation(
				"GUEST.vmx_shadowed",
				"with VMCS shadowing this VMREAD/VMWRITE "
				"does not exit: execute it with "
				"vmx_vmread/vmx_vmwrite in VMX non-root");
			return -1;
		}
		len = 3;
		break;
	case EXIT_REASON_VMCALL:
	case EXIT_REASON_VMLAUNCH:
	case EXIT_REASON_VMRESUME:
	case EXIT_REASON_VMXOFF:
	case EXIT_REASON_VMPTRLD:
	case EXIT_REASON_VMPTRST:
		len = 3;
		break;
	default:
		return -1;
	}
	return simple(reason, len, 0, NULL, out);
}
