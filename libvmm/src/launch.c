// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * One CPU in and out of VMX non-root: start (enable VMX, build the VMCS,
 * launch so that the caller continues as the guest) with rollback of every
 * step, and the state restore used by stop and by failed entries.
 */
#include "flank/vmm_console.h"
#include "flank/vmm_hypercall.h"
#include "flank/vmm_vmcs_dump.h"
#include "vmm_internal.h"

/* What the CPU must get back from the guest-state area at stop. */
struct guest_state {
	uint64_t cr0, cr3, cr4, dr7, rip, rsp, rflags;
	uint64_t fs_base, gs_base, sysenter_esp, sysenter_eip, debugctl;
	uint64_t efer, pat;
	uint32_t sysenter_cs, insn_len;
	uint16_t sel[VMM_SEG_COUNT];
	struct cpu_dtr gdtr, idtr;
};

static const uint32_t guest_sel_field[VMM_SEG_COUNT] = {
	VMCS_GUEST_ES_SELECTOR,	  VMCS_GUEST_CS_SELECTOR,
	VMCS_GUEST_SS_SELECTOR,	  VMCS_GUEST_DS_SELECTOR,
	VMCS_GUEST_FS_SELECTOR,	  VMCS_GUEST_GS_SELECTOR,
	VMCS_GUEST_LDTR_SELECTOR, VMCS_GUEST_TR_SELECTOR,
};

/* Collects the first failing VMREAD. */
static bool rd(int *st, uint32_t field, uint64_t *v)
{
	vmx_result_t r;

	if (*st != VMM_OK)
		return false;
	r = vmx_vmread(field, v);
	if (!vmx_ok(r)) {
		*st = VMM_ERR_VMREAD;
		return false;
	}
	return true;
}

static int guest_read(const struct vmm_cpu *cpu, struct guest_state *g)
{
	const struct vmm_controls *c = &cpu->caps.ctl;
	uint64_t v = 0;
	int st = VMM_OK;

	vmm_zero(g, sizeof(*g));
	(void)rd(&st, VMCS_GUEST_CR0, &g->cr0);
	(void)rd(&st, VMCS_GUEST_CR3, &g->cr3);
	(void)rd(&st, VMCS_GUEST_CR4, &g->cr4);
	(void)rd(&st, VMCS_GUEST_DR7, &g->dr7);
	(void)rd(&st, VMCS_GUEST_RIP, &g->rip);
	(void)rd(&st, VMCS_GUEST_RSP, &g->rsp);
	(void)rd(&st, VMCS_GUEST_RFLAGS, &g->rflags);
	(void)rd(&st, VMCS_GUEST_FS_BASE, &g->fs_base);
	(void)rd(&st, VMCS_GUEST_GS_BASE, &g->gs_base);
	(void)rd(&st, VMCS_GUEST_SYSENTER_ESP, &g->sysenter_esp);
	(void)rd(&st, VMCS_GUEST_SYSENTER_EIP, &g->sysenter_eip);
	(void)rd(&st, VMCS_GUEST_IA32_DEBUGCTL, &g->debugctl);
	if ((c->exit & EXIT_SAVE_EFER) != 0)
		(void)rd(&st, VMCS_GUEST_IA32_EFER, &g->efer);
	if ((c->exit & EXIT_SAVE_PAT) != 0)
		(void)rd(&st, VMCS_GUEST_IA32_PAT, &g->pat);
	if (rd(&st, VMCS_GUEST_SYSENTER_CS, &v))
		g->sysenter_cs = (uint32_t)v;
	if (rd(&st, VMCS_VM_EXIT_INSTRUCTION_LEN, &v))
		g->insn_len = (uint32_t)v;
	if (rd(&st, VMCS_GUEST_GDTR_BASE, &g->gdtr.base) &&
	    rd(&st, VMCS_GUEST_GDTR_LIMIT, &v))
		g->gdtr.limit = (uint16_t)v;
	if (rd(&st, VMCS_GUEST_IDTR_BASE, &g->idtr.base) &&
	    rd(&st, VMCS_GUEST_IDTR_LIMIT, &v))
		g->idtr.limit = (uint16_t)v;
	for (unsigned i = 0; i < VMM_SEG_COUNT; i++)
		if (rd(&st, guest_sel_field[i], &v))
			g->sel[i] = (uint16_t)v;
	return st;
}

/* Writes MSR @p msr only if it differs: most are unchanged by the exit. */
static void msr_restore(uint32_t msr, uint64_t value)
{
	uint64_t cur = 0;

	if (cpu_rdmsr_safe(msr, &cur) == CPU_SAFE_OK && cur == value)
		return;
	/* The value came from the guest-state area, which VM entry checked:
	 * a #GP here is reported by the _safe form, never taken in root. */
	(void)cpu_wrmsr_safe(msr, value);
}

/*
 * GS at stop. After the exit the active GS base is HOST_GS_BASE (the
 * kernel's per-CPU base) and IA32_KERNEL_GS_BASE, which no exit touches,
 * holds the task's. A MOV to GS rewrites the active base: Intel CPUs zero
 * it for a null selector (the SDM leaves this undocumented; mock desc.c),
 * and a descriptor gives its 32-bit base. NMIs (and #MC) are not masked
 * here, and Linux's paranoid_entry on a kernel without FSGSBASE takes a
 * non-negative GS base for a user's and SWAPGS to get the kernel's: an NMI
 * between MOV GS and a later WRMSR would run with the task's GS base as
 * per-CPU base. So the selector is loaded as Linux's load_gs_index() does,
 * between two SWAPGS: meanwhile the kernel's base sits in
 * IA32_KERNEL_GS_BASE and the active one is the task's or the selector's
 * (non-negative, as Linux guarantees without FSGSBASE; with FSGSBASE
 * paranoid_entry writes the kernel's base itself). The task's base, which
 * the MOV replaced, is written back before IA32_GS_BASE: at every step
 * either the active base is the kernel's or IA32_KERNEL_GS_BASE is.
 * Nothing between the SWAPGS may use GS (libvmm never does) or fault (the
 * selector was loaded in the guest at the exit, from the same tables).
 */
static void gs_apply(const struct guest_state *g)
{
	uint64_t task_base = 0;
	bool have_task = cpu_rdmsr_safe(MSR_IA32_KERNEL_GS_BASE, &task_base) ==
			 CPU_SAFE_OK;

	cpu_swapgs();
	cpu_load_sreg(CPU_SREG_GS, g->sel[VMM_SEG_GS]);
	cpu_swapgs();
	if (have_task)
		msr_restore(MSR_IA32_KERNEL_GS_BASE, task_base);
	msr_restore(MSR_IA32_GS_BASE, g->gs_base);
}

/*
 * Gives the CPU the guest's state after a VM exit loaded the host state
 * (SDM Vol. 3C 28.5): page tables, GDTR/IDTR limits (0xFFFF after an
 * exit), LDTR, data selectors, FS/GS bases, the MSRs the exit loaded or
 * cleared, DR7. CR0/CR4 are the caller's (they depend on VMX operation).
 */
static void guest_apply(const struct vmm_cpu *cpu, const struct guest_state *g)
{
	static const struct {
		enum vmm_seg seg;
		enum cpu_sreg sreg;
	} data_segs[] = {
		{VMM_SEG_SS, CPU_SREG_SS},
		{VMM_SEG_DS, CPU_SREG_DS},
		{VMM_SEG_ES, CPU_SREG_ES},
		{VMM_SEG_FS, CPU_SREG_FS},
	};
	const struct vmm_controls *c = &cpu->caps.ctl;

	cpu_write_cr3(g->cr3);
	cpu_lgdt(&g->gdtr);
	cpu_lidt(&g->idtr);
	/* LDTR first: a TI=1 data selector is looked up in the LDT, and the
	 * exit left LDTR null (SDM Vol. 3C 28.5.2). */
	if ((g->sel[VMM_SEG_LDTR] & 0xFFFCu) != 0)
		cpu_lldt(g->sel[VMM_SEG_LDTR]);
	/*
	 * DS/ES/FS/GS are always reloaded: a selector the host could not use
	 * was null on the host side, and even an unchanged null selector's
	 * hidden part was rewritten by the exit (SDM Vol. 3C 28.5.2). SS is
	 * reloaded only if it differs: a kernel SS is a valid host SS. The
	 * kernel does not use FS, so a zero FS base until the WRMSR below is
	 * harmless; GS has its own order (gs_apply).
	 */
	for (size_t i = 0; i < sizeof(data_segs) / sizeof(data_segs[0]); i++) {
		uint16_t sel = g->sel[data_segs[i].seg];
		if (data_segs[i].seg != VMM_SEG_SS ||
		    vmm_host_selector(sel) != sel)
			cpu_load_sreg(data_segs[i].sreg, sel);
	}
	gs_apply(g);
	msr_restore(MSR_IA32_FS_BASE, g->fs_base);
	msr_restore(MSR_IA32_SYSENTER_CS, g->sysenter_cs);
	msr_restore(MSR_IA32_SYSENTER_ESP, g->sysenter_esp);
	msr_restore(MSR_IA32_SYSENTER_EIP, g->sysenter_eip);
	/* A VM exit clears IA32_DEBUGCTL and sets DR7 to 400H (28.5.1). */
	msr_restore(MSR_IA32_DEBUGCTL, g->debugctl);
	if ((c->exit & EXIT_SAVE_EFER) != 0)
		msr_restore(MSR_IA32_EFER, g->efer);
	if ((c->exit & EXIT_SAVE_PAT) != 0)
		msr_restore(MSR_IA32_PAT, g->pat);
	cpu_write_dr7(g->dr7);
}

int vmm_devirtualize(struct vmm_cpu *cpu, struct intrin_exit_frame *frame,
		     bool skip_insn)
{
	struct guest_state g;
	vmx_result_t r;
	int st = guest_read(cpu, &g);

	if (st != VMM_OK) {
		vmm_log(FLANK_LOG_ERROR, "stop: VMREAD of guest state failed");
		return st;
	}
	/* Write the VMCS back to memory and make it inactive before leaving
	 * VMX operation (SDM Vol. 3C 25.11.3). */
	r = vmx_clear(cpu->vmcs_pa);
	if (!vmx_ok(r))
		vmm_log_vmx(cpu, "VMCLEAR at stop", r);
	cpu->changes.vmcs_loaded = false;
	/* No translation tagged with the guest's VPID outlives Flank: a
	 * failure is logged, and the CPU leaves VMX all the same. */
	(void)vmm_vpid_sync(cpu, false);
	vmm_ept_cpu_stop(cpu);
	r = vmx_off();
	if (!vmx_ok(r)) {
		vmm_log_vmx(cpu, "VMXOFF", r);
		st = VMM_ERR_VMXOFF;
	} else {
		cpu->changes.vmxon = false;
		/* The guest's CR4/CR0 minus what start set: CR4.VMXE may be
		 * cleared now that the CPU is outside VMX operation. */
		cpu_write_cr4(g.cr4 & ~cpu->changes.cr4_set);
		cpu_write_cr0(g.cr0 & ~cpu->changes.cr0_set);
		cpu->changes.cr4_set = 0;
		cpu->changes.cr0_set = 0;
		/*
		 * Outside VMX operation and still in the host state of the
		 * exit (the kernel's GS base whatever the guest was doing,
		 * HOST_CR3, interrupts off): the host repairs what the exit
		 * left, on this CPU, whichever path gives it back (stop, an
		 * unhandled exit, a failed VMRESUME). On Linux: the TSS limit
		 * of 67H (SDM Vol. 3C 28.5.2), which TR keeps after stop.
		 */
		if (vmm_ctx.platform.cpu_left != NULL)
			vmm_ctx.platform.cpu_left(vmm_ctx.platform.ctx,
						  cpu->id);
	}
	guest_apply(cpu, &g);
	vmm_cpu_set_running(cpu, false);
	frame->leave_rip = g.rip + (skip_insn ? g.insn_len : 0);
	frame->leave_rsp = g.rsp;
	frame->leave_rflags = g.rflags;
	/* The stop VMCALL completes with VMsucceed: vmx_vmcall() decodes the
	 * status flags like any VMX instruction (SDM Vol. 3C 31.2). */
	if (skip_insn)
		frame->leave_rflags &=
			~(X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF |
			  X86_RFLAGS_ZF | X86_RFLAGS_SF | X86_RFLAGS_OF);
	return st;
}

/* Logs a VM-entry failure of VMLAUNCH by exit reason and qualification,
 * to the kernel log and the debug ring (exit reasons the consistency
 * checker does not cover: 34 MSR loading, 41 machine check). */
static void log_entry_failure(const struct vmm_cpu *cpu)
{
	const struct vmm_entry_failure *e = &cpu->entry_failure;
	char line[200];
	struct vmm_fmt f;

	vmm_fmt_init(&f, line, sizeof(line));
	vmm_fmt_str(&f, "cpu ");
	vmm_fmt_dec(&f, cpu->id);
	vmm_fmt_str(&f, ": VMLAUNCH: VM entry failed, exit reason ");
	vmm_fmt_hex(&f, e->exit_reason);
	vmm_fmt_str(&f, " qualification ");
	vmm_fmt_hex(&f, e->qualification);
	vmm_fmt_str(&f, ": ");
	vmm_fmt_str(&f,
		    vmm_entry_failure_name(e->exit_reason, e->qualification));
	/* vmm_log() writes the platform log and the debug ring. */
	vmm_log(FLANK_LOG_ERROR, line);
}

int vmm_cpu_start(struct vmm_cpu *cpu)
{
	struct guest_state g;
	vmx_result_t r;
	int st;

	cpu->has_entry_failure = false;
	st = vmm_vmx_enable(cpu);
	if (st != VMM_OK)
		goto err_enable;
	vmm_msr_bitmap_init(cpu);
	/* SDM Vol. 3C 25.2: the VMCS region starts with the revision id. */
	vmm_zero(cpu->vmcs, VMM_PAGE_SIZE);
	*(volatile uint32_t *)cpu->vmcs =
		(uint32_t)(cpu->caps.basic & VMX_BASIC_REVISION_MASK);
	r = vmx_clear(cpu->vmcs_pa);
	if (!vmx_ok(r)) {
		vmm_log_vmx(cpu, "VMCLEAR", r);
		st = VMM_ERR_VMCLEAR;
		goto err_vmxoff;
	}
	r = vmx_ptrld(cpu->vmcs_pa);
	if (!vmx_ok(r)) {
		vmm_log_vmx(cpu, "VMPTRLD", r);
		st = VMM_ERR_VMPTRLD;
		goto err_vmxoff;
	}
	cpu->changes.vmcs_loaded = true;
	st = vmm_vmcs_setup(cpu);
	if (st == VMM_OK)
		st = vmm_vpid_sync(cpu, true);
	if (st == VMM_OK)
		st = vmm_ept_cpu_start(cpu);
	if (st != VMM_OK)
		goto err_clear;

	vmm_cpu_set_running(cpu, true);
	cpu->launching = true;
	r = vmx_launch_here();
	cpu->launching = false;
	if (vmx_ok(r))
		return VMM_OK; /* In VMX non-root: the guest continues. */
	vmm_cpu_set_running(cpu, false);
	st = vmm_launch_status(r, &cpu->entry_failure);
	cpu->has_entry_failure = true;
	if (vmm_entry_diagnosable(r, cpu->entry_failure.exit_reason)) {
		/* Errors 7, 8 and exit 33: name the failing rule and field
		 * (libvmm's consistency checker), then dump the VMCS while it
		 * is still current. */
		vmm_entry_diagnose(cpu, "VMLAUNCH", r,
				   cpu->entry_failure.exit_reason,
				   cpu->entry_failure.qualification);
	} else if ((cpu->entry_failure.exit_reason &
		    EXIT_REASON_ENTRY_FAILURE) != 0) {
		/* VMfailValid(0) says nothing: name the exit and dump the VMCS
		 * while it is still current (found on Bochs). */
		log_entry_failure(cpu);
		vmm_vmcs_dump(cpu->id, FLANK_LOG_ERROR, NULL);
	} else {
		vmm_log_vmx(cpu, "VMLAUNCH", r);
	}
	/* A failure while loading guest state is a VM exit that loaded the
	 * host state (SDM Vol. 3C 27.8): give the CPU its state back. */
	if ((cpu->entry_failure.exit_reason & EXIT_REASON_ENTRY_FAILURE) != 0 &&
	    guest_read(cpu, &g) == VMM_OK)
		guest_apply(cpu, &g);

err_clear:
	r = vmx_clear(cpu->vmcs_pa);
	if (!vmx_ok(r))
		vmm_log_vmx(cpu, "VMCLEAR at rollback", r);
	cpu->changes.vmcs_loaded = false;
err_vmxoff:
	if (vmm_vmx_disable(cpu) != VMM_OK)
		st = VMM_ERR_VMXOFF; /* Still in VMX: the pages stay in use. */
err_enable:
	cpu->last_error = st;
	return st;
}

int vmm_cpu_stop(struct vmm_cpu *cpu)
{
	struct vmx_vmcall_regs regs;
	vmx_result_t r;

	if (!cpu->running)
		return VMM_ERR_NOT_RUNNING;
	vmm_zero(&regs, sizeof(regs));
	regs.rax = FLANK_HC(FLANK_HC_STOP_CPU);
	r = vmx_vmcall(&regs);
	if (!vmx_ok(r)) {
		vmm_log_vmx(cpu, "VMCALL stop", r);
		cpu->last_error = VMM_ERR_STOP_HYPERCALL;
		return VMM_ERR_STOP_HYPERCALL;
	}
	cpu->last_error = (int32_t)regs.rax;
	if (regs.rax != VMM_OK)
		return regs.rax < VMM_STATUS_COUNT ? (int)regs.rax
						   : VMM_ERR_STOP_HYPERCALL;
	return VMM_OK;
}

/*
 * The crash path (docs/exits.md, "Crash shutdown and kdump"): runs in the
 * crashing kernel's NMI handler (or its panic path) on this CPU, which may
 * have interrupted anything, VMX root included. Nothing here may wait, log
 * (vmm_log outside an exit handler calls the host's printk), allocate or
 * free, or change the state machine: only this CPU's own fields change.
 */
int vmm_crash_cpu(void)
{
	struct vmx_vmcall_regs regs = {.rax = FLANK_HC(FLANK_HC_STOP_CPU)};
	struct vmm_cpu *cpu = NULL;
	uint32_t id;
	bool in_exit;
	int st;

	if (vmm_ctx.state != FLANK_STATE_UNLOADED) {
		id = vmm_ctx.platform.cpu_id(vmm_ctx.platform.ctx);
		if (id < vmm_ctx.ncpus && vmm_ctx.cpu != NULL)
			cpu = vmm_ctx.cpu[id];
	}
	if (cpu == NULL || !cpu->changes.vmxon)
		return VMM_ERR_NOT_RUNNING;
	in_exit = __atomic_load_n(&cpu->in_exit, __ATOMIC_RELAXED);
	if (!in_exit) {
		/* VMX non-root, usually: the stop hypercall gives the CPU back
		 * as stop does; its handler logs only into the ring. */
		if (vmx_ok(vmx_vmcall(&regs)))
			return (int)regs.rax; /* A status of that handler. */
		/* VMfail: this CPU was in VMX root after all (below). */
	}
	/*
	 * VMX root: the NMI came while this CPU ran an exit handler (or the
	 * few instructions around it, or start before its launch), where
	 * VMCALL fails (SDM Vol. 3C 31.3
	 * VMCALL: VMfail in VMX root without the dual-monitor treatment).
	 * Leave VMX here: VMCLEAR before VMXOFF (25.11.3), then CR4.VMXE and
	 * the bits start set. The interrupted handler must never run again;
	 * the kernel's crash path halts this CPU or jumps to the next kernel.
	 */
	/*
	 * Marked as inside the exit handler from here on (the interrupted
	 * handler never runs again): a failing INVVPID, INVEPT or VMXOFF is
	 * then told to the ring only, never to the host's log from the NMI.
	 */
	__atomic_store_n(&cpu->in_exit, true, __ATOMIC_RELAXED);
	(void)vmx_clear(cpu->vmcs_pa);
	vmm_cpu_set_running(cpu, false);
	/* As stop does: INVVPID, then INVEPT (vmm_vmx_disable) before VMXOFF,
	 * which does not fail here (no dual-monitor treatment). */
	(void)vmm_vpid_sync(cpu, false);
	st = vmm_vmx_disable(cpu);
	__atomic_store_n(&cpu->in_exit, in_exit, __ATOMIC_RELAXED);
	return st;
}
