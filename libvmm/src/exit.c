// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VM-exit dispatch: vmm_exit_handler() and vmm_exit_resume_failed(), called
 * by intrin_vmexit_entry; a switch of direct calls over the basic exit
 * reasons (SDM Vol. 3D Appendix C) that names a handler for every reason
 * the SDM defines; the one "unhandled" path; VM-entry failures (exit
 * reason bit 31, SDM Vol. 3C 27.8) after vmx_launch_here() and after
 * VMRESUME.
 * docs/exits.md gives each reason and the reasoning behind its handler.
 */
#include "flank/vmm_console.h"
#include "flank/vmm_vmcs_dump.h"
#include "exit_internal.h"

/*
 * The handler of every basic exit reason of SDM Vol. 3D Appendix C, as
 * direct calls: no indirect branch on the exit path (docs/exits.md,
 * "Speculation"). A pointer table indexed by the exit reason, the shape
 * ACRN uses, would make the dispatch an indirect call right after the VM
 * exit, whose target a guest could steer speculatively through the BTB
 * (Spectre v2, CVE-2017-5715; KVM dispatches its hottest exits with direct
 * calls for the same reason, vmx.c's fastpath and its exit-reason switch
 * before kvm_vmx_exit_handlers[]). Built with -fno-jump-tables, the switch
 * is a tree of compares. Every reason Flank does not enable (its control
 * is off, see docs/vmcs.md), and the numbers the SDM leaves undefined (35,
 * 38, 42) or reserved (71), get the one diagnostic and safe stop, never a
 * guess. The caller handles numbers above EXIT_REASON_MAX, which the SDM
 * does not know.
 */
static enum intrin_exit_action
exit_call(struct vmm_cpu *cpu, struct intrin_exit_frame *frame, uint32_t basic)
{
	/*
	 * The hot exits (docs/exits.md "Cost") one compare each, before the
	 * tree of compares the switch becomes.
	 */
	if (basic == EXIT_REASON_CPUID)
		return vmm_exit_cpuid(cpu, frame, basic);
	if (basic == EXIT_REASON_MSR_READ || basic == EXIT_REASON_MSR_WRITE)
		return vmm_exit_msr(cpu, frame, basic);
	switch (basic) {
	case EXIT_REASON_EXCEPTION_NMI:
		return vmm_exit_exception_nmi(cpu, frame, basic);
	case EXIT_REASON_TRIPLE_FAULT:
		return vmm_exit_triple_fault(cpu, frame, basic);
	case EXIT_REASON_INIT:
		return vmm_exit_init(cpu, frame, basic);
	case EXIT_REASON_SIPI:
		return vmm_exit_sipi(cpu, frame, basic);
	case EXIT_REASON_INVD:
		return vmm_exit_invd(cpu, frame, basic);
	case EXIT_REASON_VMCALL:
		return vmm_exit_vmcall(cpu, frame, basic);
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
	case EXIT_REASON_VMFUNC:
		return vmm_exit_vmx_insn(cpu, frame, basic);
	case EXIT_REASON_CR_ACCESS:
		return vmm_exit_cr(cpu, frame, basic);
	case EXIT_REASON_XSETBV:
		return vmm_exit_xsetbv(cpu, frame, basic);
	case EXIT_REASON_EPT_VIOLATION:
	case EXIT_REASON_EPT_MISCONFIG:
		return vmm_exit_ept(cpu, frame, basic);
	case EXIT_REASON_MONITOR_TRAP_FLAG:
		return vmm_hide_exit_mtf(cpu, frame, basic);
	default:
		break;
	}
	return vmm_exit_unhandled(cpu, frame, basic,
				  "exit reason Flank does not enable");
}

_Static_assert(EXIT_REASON_MAX < FLANK_EXIT_REASONS,
	       "every basic exit reason has a statistics counter");

/* Logs one line of the diagnostic (from here: the ring only, vmm_log()). */
static void diag_line(struct vmm_cpu *cpu, const char *what, uint32_t reason,
		      uint64_t qual, uint64_t rip, const char *why)
{
	char line[160];
	struct vmm_fmt f;

	vmm_fmt_init(&f, line, sizeof(line));
	vmm_fmt_str(&f, "cpu ");
	vmm_fmt_dec(&f, cpu->id);
	vmm_fmt_str(&f, what);
	vmm_fmt_hex(&f, reason);
	vmm_fmt_str(&f, " qualification ");
	vmm_fmt_hex(&f, qual);
	vmm_fmt_str(&f, " rip ");
	vmm_fmt_hex(&f, rip);
	vmm_fmt_str(&f, ": ");
	vmm_fmt_str(&f, why);
	vmm_log(FLANK_LOG_ERROR, line);
}

/* Records and counts a CPU that the VMM gave back on its own. */
static enum intrin_exit_action
leave_cpu(struct vmm_cpu *cpu, struct intrin_exit_frame *frame, int status)
{
	int st;

	cpu->last_error = status;
	st = vmm_devirtualize(cpu, frame, false);
	if (st == VMM_ERR_VMREAD) {
		/*
		 * The guest state cannot be read (no VMCS: only a fault
		 * injected by a test gets here; on hardware a VMREAD of a
		 * supported field of the current VMCS cannot fail). Nothing
		 * can be given back, so the CPU stays as it is.
		 */
		return INTRIN_EXIT_RESUME;
	}
	cpu->unhandled++;
	__atomic_fetch_add(&vmm_ctx.cpus_left, 1u, __ATOMIC_RELAXED);
	return INTRIN_EXIT_LEAVE;
}

enum intrin_exit_action vmm_exit_unhandled(struct vmm_cpu *cpu,
					   struct intrin_exit_frame *frame,
					   uint32_t reason, const char *why)
{
	uint64_t qual = 0, rip = 0;

	(void)vmx_readnat(VMCS_EXIT_QUALIFICATION, &qual);
	(void)vmx_readnat(VMCS_GUEST_RIP, &rip);
	unsigned cpl = 0;

	diag_line(cpu, ": unhandled exit reason ", reason, qual, rip, why);
	vmm_vmcs_dump(cpu->id, FLANK_LOG_ERROR, NULL);
	/*
	 * The CPU can be given back only to ring 0: the exit entry continues
	 * with RET and POPFQ, which cannot return to user mode, and the VMM
	 * owns no kernel stack frame to IRET from. In user mode the guest
	 * gets #UD at the exiting instruction instead (what a CPU without the
	 * unknown feature raises); the kernel handles it like any #UD.
	 */
	if (!vmm_exit_guest_cpl(&cpl) || cpl != 0) {
		/*
		 * If the #UD cannot be injected, or the CPL cannot even be
		 * read (only a fault injected by a test gets here: on
		 * hardware these VMREAD/VMWRITEs of supported fields cannot
		 * fail), the guest is resumed at the instruction unchanged:
		 * leaving could return to user mode through the ring-0 path.
		 */
		vmm_log(FLANK_LOG_ERROR,
			cpl != 0 && vmm_exit_inject_fault(cpu, X86_VEC_UD)
				? "guest in user mode: #UD injected"
				: "guest resumed at the exiting instruction");
		cpu->unhandled++;
		return INTRIN_EXIT_RESUME;
	}
	vmm_log(FLANK_LOG_ERROR, "leaving VMX on this CPU at the exiting "
				 "instruction: it continues without Flank");
	return leave_cpu(cpu, frame, VMM_ERR_UNHANDLED_EXIT);
}

enum intrin_exit_action vmm_exit_end_cpu(struct vmm_cpu *cpu,
					 struct intrin_exit_frame *frame,
					 uint32_t reason, bool park,
					 const char *why)
{
	uint64_t qual = 0, rip = 0;
	vmx_result_t r;

	(void)vmx_readnat(VMCS_EXIT_QUALIFICATION, &qual);
	(void)vmx_readnat(VMCS_GUEST_RIP, &rip);
	diag_line(cpu, ": exit reason ", reason, qual, rip, why);
	/*
	 * Leave VMX operation in the host's context (SDM Vol. 3C 25.11.3:
	 * VMCLEAR before VMXOFF), without giving the guest state back: the
	 * guest may be in user mode, and what comes next does not continue
	 * it. A failed VMCLEAR is tolerated as at stop; a failed VMXOFF
	 * leaves the CPU in VMX root (changes.vmxon stays set: stop reports
	 * VMM_ERR_VMXOFF and keeps the pages), and it still parks or shuts
	 * down rather than run the interrupted code.
	 */
	r = vmx_clear(cpu->vmcs_pa);
	if (!vmx_ok(r))
		vmm_log_vmx(cpu, "VMCLEAR", r);
	cpu->changes.vmcs_loaded = false;
	/* As stop does: no translation tagged with the guest's VPID outlives
	 * VMX operation (vpid.c); vmm_vmx_disable() runs INVEPT. */
	(void)vmm_vpid_sync(cpu, false);
	(void)vmm_vmx_disable(cpu);
	vmm_cpu_set_running(cpu, false);
	cpu->parked = park;
	cpu->last_error = VMM_ERR_UNHANDLED_EXIT;
	cpu->unhandled++;
	__atomic_fetch_add(&vmm_ctx.cpus_left, 1u, __ATOMIC_RELAXED);
	frame->leave_rip = park ? (uintptr_t)intrin_cpu_park
				: (uintptr_t)intrin_cpu_shutdown;
	/* The exit frame's own address: the entry writes its three words
	 * below it, in host stack nothing uses any more. */
	frame->leave_rsp = (uintptr_t)frame;
	frame->leave_rflags = X86_RFLAGS_FIXED1; /* IF = 0 */
	return INTRIN_EXIT_LEAVE;
}

/*
 * A VM exit with bit 31: the entry failed while loading guest state or
 * MSRs (SDM Vol. 3C 27.8), and the CPU loaded the host state. After
 * vmx_launch_here() the caller is still waiting: continue there in VMX root
 * (intrinsics.h, intrin_launch_here_entry_failed). After a VMRESUME the
 * guest state the handler left is invalid: record, dump, give the CPU back.
 */
static enum intrin_exit_action entry_failure(struct vmm_cpu *cpu,
					     struct intrin_exit_frame *frame,
					     uint32_t reason, bool launching)
{
	uint64_t qual = 0, rip = 0, rsp = 0, rflags = 0;

	(void)vmx_readnat(VMCS_EXIT_QUALIFICATION, &qual);
	if (launching && vmx_ok(vmx_readnat(VMCS_GUEST_RSP, &rsp)) &&
	    vmx_ok(vmx_readnat(VMCS_GUEST_RFLAGS, &rflags))) {
		frame->leave_rip = (uintptr_t)intrin_launch_here_entry_failed;
		frame->leave_rsp = rsp;
		/* GUEST_RFLAGS is the RFLAGS of the launch (interrupts off). */
		frame->leave_rflags = rflags;
		return INTRIN_EXIT_LEAVE;
	}
	(void)vmx_readnat(VMCS_GUEST_RIP, &rip);
	cpu->entry_failure.outcome = VMX_FAIL_VALID;
	cpu->entry_failure.error = 0;
	cpu->entry_failure.exit_reason = reason;
	cpu->entry_failure.qualification = qual;
	cpu->has_entry_failure = true;
	if (vmm_entry_diagnosable((vmx_result_t){VMX_FAIL_VALID, 0}, reason)) {
		vmm_entry_diagnose(cpu, "VMRESUME",
				   (vmx_result_t){VMX_FAIL_VALID, 0}, reason,
				   qual);
		return leave_cpu(cpu, frame, VMM_ERR_LAUNCH_ENTRY_FAILURE);
	}
	diag_line(cpu, ": VM entry failed, exit reason ", reason, qual, rip,
		  vmm_status_name(
			  vmm_launch_status((vmx_result_t){VMX_FAIL_VALID, 0},
					    &cpu->entry_failure)));
	vmm_vmcs_dump(cpu->id, FLANK_LOG_ERROR, NULL);
	return leave_cpu(cpu, frame, VMM_ERR_LAUNCH_ENTRY_FAILURE);
}

/*
 * Marks @p cpu as running an exit handler, and clears the mark: vmm_log()
 * then keeps the host's log out of VMX root. Set by the two functions the
 * exit entry calls, around everything they reach, so that no path below
 * them needs to remember it.
 */
static void exit_enter(struct vmm_cpu *cpu)
{
	__atomic_store_n(&cpu->in_exit, true, __ATOMIC_RELAXED);
}

static void exit_leave(struct vmm_cpu *cpu)
{
	__atomic_store_n(&cpu->in_exit, false, __ATOMIC_RELAXED);
}

/*
 * Checks the canary at the bottom of the host stack (vmm_internal.h), from
 * the handler's shallowest frame. A broken one means some path ran deeper
 * than the page: say so once per CPU, in the ring (VMX root).
 */
static void stack_check(struct vmm_cpu *cpu)
{
	const volatile uint64_t *w = cpu->stack;

	if (cpu->stack_overflowed)
		return;
	for (uint32_t i = 0; i < VMM_STACK_CANARY_WORDS; i++) {
		if (w[i] != vmm_stack_canary(&w[i])) {
			cpu->stack_overflowed = true;
			vmm_logf(FLANK_LOG_ERROR,
				 "cpu %u: host stack overflow: an exit handler "
				 "wrote below its stack page %p; memory below "
				 "it may be corrupt: report this with the ring",
				 cpu->id, cpu->stack);
			return;
		}
	}
}

static enum intrin_exit_action exit_dispatch(struct intrin_exit_frame *frame,
					     struct vmm_cpu *cpu)
{
	bool launching = cpu->launching;
	uint32_t reason = 0, basic;

	cpu->launching = false;
	if (!vmx_ok(vmx_read32(VMCS_VM_EXIT_REASON, &reason)))
		return vmm_exit_unhandled(cpu, frame, ~0u,
					  "VMREAD of the exit reason failed");
	basic = reason & 0xFFFFu;
	cpu->exits++;
	if (basic < FLANK_EXIT_REASONS)
		cpu->exit_count[basic]++;
	if ((reason & EXIT_REASON_ENTRY_FAILURE) != 0)
		return entry_failure(cpu, frame, reason, launching);
	if (basic > EXIT_REASON_MAX)
		return vmm_exit_unhandled(cpu, frame, reason,
					  "exit reason unknown to the SDM");
	return exit_call(cpu, frame, basic);
}

enum intrin_exit_action vmm_exit_handler(struct intrin_exit_frame *frame,
					 void *cpu_ctx)
{
	struct vmm_cpu *cpu = cpu_ctx;
	enum intrin_exit_action act;

	/*
	 * The speculation barriers first: the exit entry made no call before
	 * this one, and nothing before vmm_spec_exit() returns (docs/exits.md,
	 * "Speculation").
	 */
	vmm_spec_exit_if(cpu);
	exit_enter(cpu);
	act = exit_dispatch(frame, cpu);
	stack_check(cpu);
	exit_leave(cpu);
	/*
	 * Last, so that no VMM data is touched between the VERW and the exit
	 * entry's VMRESUME (which reads only the guest's registers from the
	 * frame). A CPU that leaves continues in ring 0, where the kernel
	 * runs with its own settings: nothing to undo.
	 */
	if (act == INTRIN_EXIT_RESUME)
		vmm_spec_resume_if(cpu);
	return act;
}

static void resume_failed(struct intrin_exit_frame *frame, struct vmm_cpu *cpu,
			  vmx_result_t result)
{
	uint64_t rip = 0;

	/*
	 * VMfailInvalid or VMfailValid(n) of the exit entry's VMRESUME (SDM
	 * Vol. 3C 31.3): decoded like a failed launch, recorded, and the CPU
	 * given back at the guest's next instruction. The guest cannot be
	 * resumed, and the entry never falls through into it.
	 */
	cpu->last_error = vmm_launch_status(result, &cpu->entry_failure);
	cpu->has_entry_failure = true;
	(void)vmx_readnat(VMCS_GUEST_RIP, &rip);
	if (vmm_entry_diagnosable(result, 0)) {
		/* Errors 7 and 8: name the failing rule and field. */
		vmm_entry_diagnose(cpu, "VMRESUME", result, 0, 0);
	} else {
		vmm_log_vmx(cpu, "VMRESUME", result);
		diag_line(cpu, ": VMRESUME failed, VM-instruction error ",
			  result.error, 0, rip,
			  vmm_status_name(cpu->last_error));
		vmm_vmcs_dump(cpu->id, FLANK_LOG_ERROR, NULL);
	}
	(void)vmm_devirtualize(cpu, frame, false);
	cpu->unhandled++;
	__atomic_fetch_add(&vmm_ctx.cpus_left, 1u, __ATOMIC_RELAXED);
}

enum intrin_exit_action vmm_exit_resume_failed(struct intrin_exit_frame *frame,
					       void *cpu_ctx,
					       vmx_result_t result)
{
	struct vmm_cpu *cpu = cpu_ctx;

	/*
	 * vmm_exit_handler() restored the guest's IA32_SPEC_CTRL for a resume
	 * that did not happen: the kernel's settings again, for the code
	 * that runs from here on, as after an exit.
	 */
	vmm_spec_exit_if(cpu);
	exit_enter(cpu);
	resume_failed(frame, cpu, result);
	stack_check(cpu);
	exit_leave(cpu);
	return INTRIN_EXIT_LEAVE;
}
