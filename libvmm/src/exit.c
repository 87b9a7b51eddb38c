// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VM-exit handling: vmm_exit_handler() and vmm_exit_resume_failed() called
 * by intrin_vmexit_entry, a static const dispatch table indexed by basic
 * exit reason (SDM Vol. 3D Appendix C), and the handlers.
 */
#include "flank/vmm_version.h"
#include "flank/vmm_hypercall.h"
#include "vmm_internal.h"

typedef enum intrin_exit_action (*exit_fn)(struct vmm_cpu *cpu,
					   struct intrin_exit_frame *frame,
					   uint32_t reason);

/* Exit qualification for control-register accesses (SDM Vol. 3C Table
 * 28-3). */
static inline unsigned cr_qual_cr(uint64_t q)
{
	return (unsigned)(q & 0xFu);
}
static inline unsigned cr_qual_type(uint64_t q)
{
	return (unsigned)((q >> 4) & 3u);
}
static inline unsigned cr_qual_gpr(uint64_t q)
{
	return (unsigned)((q >> 8) & 0xFu);
}
#define CR_ACCESS_MOV_TO 0u
#define CR_ACCESS_MOV_FROM 1u

/*
 * Leaves VMX on this CPU at the current guest RIP: the exiting instruction
 * then executes natively, as it would have without the VMM. Used for
 * every exit Flank does not emulate (triple fault, INIT, unexpected
 * reasons), after a diagnostic in the log.
 */
static enum intrin_exit_action exit_leave_here(struct vmm_cpu *cpu,
					       struct intrin_exit_frame *frame,
					       uint32_t reason)
{
	char line[128];
	struct vmm_fmt f;
	uint64_t qual = 0, rip = 0;

	(void)vmx_readnat(VMCS_EXIT_QUALIFICATION, &qual);
	(void)vmx_readnat(VMCS_GUEST_RIP, &rip);
	vmm_fmt_init(&f, line, sizeof(line));
	vmm_fmt_str(&f, "cpu ");
	vmm_fmt_dec(&f, cpu->id);
	vmm_fmt_str(&f, ": unhandled exit reason ");
	vmm_fmt_hex(&f, reason);
	vmm_fmt_str(&f, " qualification ");
	vmm_fmt_hex(&f, qual);
	vmm_fmt_str(&f, " rip ");
	vmm_fmt_hex(&f, rip);
	vmm_fmt_str(&f, ": leaving VMX on this CPU");
	vmm_log(FLANK_LOG_ERROR, line);
	cpu->last_error = VMM_ERR_NOT_RUNNING;
	if (vmm_devirtualize(cpu, frame, false) == VMM_ERR_VMREAD)
		return INTRIN_EXIT_RESUME; /* State unreadable: stay. */
	return INTRIN_EXIT_LEAVE;
}

/* Moves GUEST_RIP past the exiting instruction (SDM Vol. 3C 28.2.5). */
static bool advance_rip(void)
{
	uint64_t rip = 0;
	uint32_t len = 0;

	return vmx_ok(vmx_readnat(VMCS_GUEST_RIP, &rip)) &&
	       vmx_ok(vmx_read32(VMCS_VM_EXIT_INSTRUCTION_LEN, &len)) &&
	       vmx_ok(vmx_writenat(VMCS_GUEST_RIP, rip + len));
}

/*
 * Injects hardware exception @p vector on the next entry (SDM Vol. 3C
 * 26.6): type 3, an error code (0) exactly for #GP. RIP stays at the
 * faulting instruction.
 */
static bool inject_exception(uint32_t vector)
{
	bool code = vector == X86_VEC_GP;
	uint32_t info = INTR_INFO_VALID |
			(INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT) |
			vector | (code ? INTR_INFO_DELIVER_CODE : 0u);

	if (code && !vmx_ok(vmx_write32(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, 0)))
		return false;
	return vmx_ok(vmx_write32(VMCS_VM_ENTRY_INTR_INFO, info));
}

/* Resume after emulating (advance) or after injecting. */
static enum intrin_exit_action done(struct vmm_cpu *cpu,
				    struct intrin_exit_frame *frame,
				    uint32_t reason, bool ok)
{
	if (ok)
		return INTRIN_EXIT_RESUME;
	return exit_leave_here(cpu, frame, reason);
}

/* GPR number @p n in the exit-qualification order (RAX, RCX, RDX, RBX,
 * RSP, RBP, RSI, RDI, R8-R15); NULL for RSP, which lives in the VMCS. */
static uint64_t *gpr(struct intrin_exit_frame *frame, unsigned n)
{
	struct intrin_gprs *g = &frame->gprs;
	uint64_t *const regs[16] = {
		&g->rax, &g->rcx, &g->rdx, &g->rbx, NULL,    &g->rbp,
		&g->rsi, &g->rdi, &g->r8,  &g->r9,  &g->r10, &g->r11,
		&g->r12, &g->r13, &g->r14, &g->r15,
	};
	return regs[n & 15u];
}

static enum intrin_exit_action exit_cpuid(struct vmm_cpu *cpu,
					  struct intrin_exit_frame *frame,
					  uint32_t reason)
{
	uint32_t leaf = (uint32_t)frame->gprs.rax;
	uint32_t sub = (uint32_t)frame->gprs.rcx;
	struct cpu_cpuid_regs r;

	if (leaf == FLANK_CPUID_LEAF) {
		r.eax = vmm_version();
		r.ebx = FLANK_CPUID_EBX;
		r.ecx = FLANK_CPUID_ECX;
		r.edx = 0;
	} else {
		cpu_cpuid(leaf, sub, &r);
		/* The guest is told there is no VMX: the VMM owns it. */
		if (leaf == 1)
			r.ecx &= ~X86_CPUID1_ECX_VMX;
	}
	frame->gprs.rax = r.eax;
	frame->gprs.rbx = r.ebx;
	frame->gprs.rcx = r.ecx;
	frame->gprs.rdx = r.edx;
	return done(cpu, frame, reason, advance_rip());
}

static enum intrin_exit_action
exit_msr(struct vmm_cpu *cpu, struct intrin_exit_frame *frame, uint32_t reason)
{
	uint32_t msr = (uint32_t)frame->gprs.rcx;
	uint64_t v = 0;

	/* ECX comes from the guest: only the #GP-reporting forms run. */
	if (vmm_msr_protected(msr))
		return done(cpu, frame, reason, inject_exception(X86_VEC_GP));
	if (reason == EXIT_REASON_MSR_READ) {
		if (cpu_rdmsr_safe(msr, &v) != CPU_SAFE_OK)
			return done(cpu, frame, reason,
				    inject_exception(X86_VEC_GP));
		frame->gprs.rax = (uint32_t)v;
		frame->gprs.rdx = v >> 32;
	} else {
		v = (frame->gprs.rdx << 32) | (uint32_t)frame->gprs.rax;
		if (cpu_wrmsr_safe(msr, v) != CPU_SAFE_OK)
			return done(cpu, frame, reason,
				    inject_exception(X86_VEC_GP));
	}
	return done(cpu, frame, reason, advance_rip());
}

static enum intrin_exit_action exit_xsetbv(struct vmm_cpu *cpu,
					   struct intrin_exit_frame *frame,
					   uint32_t reason)
{
	uint64_t v = (frame->gprs.rdx << 32) | (uint32_t)frame->gprs.rax;

	if (cpu_xsetbv_safe((uint32_t)frame->gprs.rcx, v) != CPU_SAFE_OK)
		return done(cpu, frame, reason, inject_exception(X86_VEC_GP));
	return done(cpu, frame, reason, advance_rip());
}

/* INVD would drop the host's dirty lines too: write them back instead. */
static enum intrin_exit_action
exit_invd(struct vmm_cpu *cpu, struct intrin_exit_frame *frame, uint32_t reason)
{
	cpu_wbinvd();
	return done(cpu, frame, reason, advance_rip());
}

/* VMX instructions in the guest: #UD, as on a CPU without VMX. */
static enum intrin_exit_action exit_vmx_insn(struct vmm_cpu *cpu,
					     struct intrin_exit_frame *frame,
					     uint32_t reason)
{
	return done(cpu, frame, reason, inject_exception(X86_VEC_UD));
}

/* MOV to CR0/CR4 of bits the VMM owns (guest/host mask, SDM Vol. 3C
 * 25.6.6): the real register keeps them, the shadow shows the guest's
 * value, an architecturally invalid value gets #GP. */
static bool write_cr_masked(struct vmm_cpu *cpu, unsigned cr, uint64_t v,
			    bool *gp)
{
	const struct vmm_caps *caps = &cpu->caps;
	uint64_t forced, fixed1;

	if (cr == 0) {
		forced = cpu->changes.cr0_set;
		fixed1 = caps->cr0_fixed1;
	} else {
		forced = cpu->changes.cr4_set | X86_CR4_VMXE;
		fixed1 = caps->cr4_fixed1 & ~X86_CR4_VMXE;
	}
	/* Setting CR4.VMXE on a CPU that reports no VMX, or a bit the CPU
	 * does not allow, raises #GP (SDM Vol. 3A 2.5). */
	if ((v & ~fixed1 & ~forced) != 0 ||
	    (cr == 4 && (v & X86_CR4_VMXE) != 0)) {
		*gp = true;
		return true;
	}
	if (cr == 0)
		return vmx_ok(vmx_writenat(VMCS_GUEST_CR0, v | forced)) &&
		       vmx_ok(vmx_writenat(VMCS_CR0_READ_SHADOW, v));
	return vmx_ok(vmx_writenat(VMCS_GUEST_CR4, v | forced)) &&
	       vmx_ok(vmx_writenat(VMCS_CR4_READ_SHADOW, v));
}

static enum intrin_exit_action
exit_cr(struct vmm_cpu *cpu, struct intrin_exit_frame *frame, uint32_t reason)
{
	uint64_t q = 0, v = 0;
	unsigned cr, type;
	uint64_t *reg;
	bool gp = false, ok;

	if (!vmx_ok(vmx_readnat(VMCS_EXIT_QUALIFICATION, &q)))
		return exit_leave_here(cpu, frame, reason);
	cr = cr_qual_cr(q);
	type = cr_qual_type(q);
	reg = gpr(frame, cr_qual_gpr(q));
	if (type == CR_ACCESS_MOV_FROM && cr == 3) {
		ok = vmx_ok(vmx_readnat(VMCS_GUEST_CR3, &v));
		if (ok && reg != NULL)
			*reg = v;
		else if (ok)
			ok = vmx_ok(vmx_writenat(VMCS_GUEST_RSP, v));
		return done(cpu, frame, reason, ok && advance_rip());
	}
	if (type != CR_ACCESS_MOV_TO || (cr != 0 && cr != 3 && cr != 4))
		return exit_leave_here(cpu, frame, reason);
	if (reg != NULL)
		v = *reg;
	else if (!vmx_ok(vmx_readnat(VMCS_GUEST_RSP, &v)))
		return exit_leave_here(cpu, frame, reason);
	if (cr == 3) {
		/* Bit 63 only asks not to flush PCID mappings; it is not part
		 * of CR3 (SDM Vol. 3A 4.10.4.1). */
		ok = vmx_ok(vmx_writenat(VMCS_GUEST_CR3, v & ~BIT64(63)));
	} else {
		ok = write_cr_masked(cpu, cr, v, &gp);
	}
	if (gp)
		return done(cpu, frame, reason, inject_exception(X86_VEC_GP));
	return done(cpu, frame, reason, ok && advance_rip());
}

/* Guest CPL = SS.DPL (SDM Vol. 3A 5.5). */
static bool guest_cpl0(void)
{
	uint32_t ar = 0;

	return vmx_ok(vmx_read32(VMCS_GUEST_SS_AR_BYTES, &ar)) &&
	       ((ar >> AR_DPL_SHIFT) & 3u) == 0;
}

static enum intrin_exit_action exit_vmcall(struct vmm_cpu *cpu,
					   struct intrin_exit_frame *frame,
					   uint32_t reason)
{
	struct intrin_gprs *g = &frame->gprs;
	uint32_t nr = (uint32_t)g->rax;
	int st;

	/* Only ring 0 may call Flank; elsewhere VMCALL is #UD, as on a CPU
	 * with no VMM. */
	if (!guest_cpl0())
		return done(cpu, frame, reason, inject_exception(X86_VEC_UD));
	if ((g->rax >> 32) != FLANK_HC_MAGIC) {
		g->rax = VMM_ERR_HYPERCALL_UNKNOWN;
		return done(cpu, frame, reason, advance_rip());
	}
	switch (nr) {
	case FLANK_HC_VERSION:
		g->rax = VMM_OK;
		g->rbx = FLANK_HC_MAGIC;
		g->rcx = vmm_version();
		break;
	case FLANK_HC_STOP_CPU:
		st = vmm_devirtualize(cpu, frame, true);
		g->rax = (uint64_t)st;
		if (st == VMM_OK || st == VMM_ERR_VMXOFF)
			return INTRIN_EXIT_LEAVE;
		break;
	case FLANK_HC_EXIT_COUNT:
		g->rax = VMM_OK;
		g->rcx = cpu->exits;
		g->rbx = g->rbx < FLANK_EXIT_REASONS ? cpu->exit_count[g->rbx]
						     : 0;
		break;
	default:
		g->rax = VMM_ERR_HYPERCALL_UNKNOWN;
		break;
	}
	return done(cpu, frame, reason, advance_rip());
}

/* The dispatch table: every basic exit reason the SDM defines maps to a
 * handler; reasons without an entry leave VMX at the exiting instruction. */
static const exit_fn exit_table[EXIT_REASON_MAX + 1] = {
	[EXIT_REASON_CPUID] = exit_cpuid,
	[EXIT_REASON_INVD] = exit_invd,
	[EXIT_REASON_VMCALL] = exit_vmcall,
	[EXIT_REASON_VMCLEAR] = exit_vmx_insn,
	[EXIT_REASON_VMLAUNCH] = exit_vmx_insn,
	[EXIT_REASON_VMPTRLD] = exit_vmx_insn,
	[EXIT_REASON_VMPTRST] = exit_vmx_insn,
	[EXIT_REASON_VMREAD] = exit_vmx_insn,
	[EXIT_REASON_VMRESUME] = exit_vmx_insn,
	[EXIT_REASON_VMWRITE] = exit_vmx_insn,
	[EXIT_REASON_VMXOFF] = exit_vmx_insn,
	[EXIT_REASON_VMXON] = exit_vmx_insn,
	[EXIT_REASON_INVEPT] = exit_vmx_insn,
	[EXIT_REASON_INVVPID] = exit_vmx_insn,
	[EXIT_REASON_VMFUNC] = exit_vmx_insn,
	[EXIT_REASON_CR_ACCESS] = exit_cr,
	[EXIT_REASON_MSR_READ] = exit_msr,
	[EXIT_REASON_MSR_WRITE] = exit_msr,
	[EXIT_REASON_XSETBV] = exit_xsetbv,
};

enum intrin_exit_action vmm_exit_handler(struct intrin_exit_frame *frame,
					 void *cpu_ctx)
{
	struct vmm_cpu *cpu = cpu_ctx;
	uint32_t reason = 0, basic;
	exit_fn fn = NULL;

	if (!vmx_ok(vmx_read32(VMCS_VM_EXIT_REASON, &reason)))
		return exit_leave_here(cpu, frame, ~0u);
	basic = reason & 0xFFFFu;
	cpu->exits++;
	if (basic < FLANK_EXIT_REASONS)
		cpu->exit_count[basic]++;
	if (basic <= EXIT_REASON_MAX &&
	    (reason & EXIT_REASON_ENTRY_FAILURE) == 0)
		fn = exit_table[basic];
	if (fn == NULL)
		return exit_leave_here(cpu, frame, reason);
	return fn(cpu, frame, basic);
}

enum intrin_exit_action vmm_exit_resume_failed(struct intrin_exit_frame *frame,
					       void *cpu_ctx,
					       vmx_result_t result)
{
	struct vmm_cpu *cpu = cpu_ctx;
	struct vmm_entry_failure f;

	cpu->last_error = vmm_launch_status(result, &f);
	vmm_log_vmx(cpu, "VMRESUME", result);
	(void)vmm_devirtualize(cpu, frame, false);
	return INTRIN_EXIT_LEAVE;
}
