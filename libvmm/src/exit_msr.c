// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * RDMSR and WRMSR exits (reasons 31 and 32, SDM Vol. 3C 26.1.3): the MSRs
 * the bitmap intercepts (msr_bitmap.c) and every MSR outside the bitmap's
 * two ranges. ECX comes from the guest and is hostile: no path executes
 * RDMSR/WRMSR in a form that can fault in VMX root.
 *
 * - IA32_VMX_* capability MSRs (480H-492H): #GP(0), read and write. The
 *   guest sees CPUID.1:ECX.VMX = 0, and on such a CPU these MSRs do not
 *   exist (SDM Vol. 4 Table 2-2: "if CPUID.01H:ECX.[5] = 1").
 * - IA32_FEATURE_CONTROL (3AH): reads return the real value with the VMX
 *   enable bits (1, 2) cleared, as on a CPU without VMX, where they are
 *   reserved; the lock bit stays as it is (start locked it). Writes get
 *   #GP(0): the MSR is locked, and WRMSR to a locked IA32_FEATURE_CONTROL
 *   raises #GP (SDM Vol. 3C 24.7; Vol. 4 Table 2-2).
 * - MSRs the VMCS switches on every entry and exit (SDM Vol. 3C 25.4.1,
 *   27.3.2.1, 28.3.3): IA32_EFER and IA32_PAT (when Flank loads them),
 *   IA32_SYSENTER_CS/ESP/EIP, IA32_FS_BASE, IA32_GS_BASE, IA32_DEBUGCTL.
 *   In VMX root the real MSR holds the host's value (or, for DEBUGCTL, 0:
 *   SDM Vol. 3C 28.5.1), so the guest's lives in the guest-state field:
 *   RDMSR reads it, WRMSR checks the value as WRMSR would (#GP(0) for a
 *   reserved bit, a non-canonical address, a bad PAT type, a change of
 *   EFER.LME with paging on) and writes the field.
 * - Every other MSR: cpu_rdmsr_safe()/cpu_wrmsr_safe(); a #GP becomes an
 *   injected #GP(0) and the host is untouched.
 * RIP advances only when the instruction completed; an injected #GP leaves
 * it at the RDMSR/WRMSR (a fault, SDM Vol. 3A 6.5).
 *
 * An MSR an extension hooked (hooks.c, flank/vmm_extension.h) goes to its
 * callback first: for RDMSR after the read above (the callback sees what
 * the guest would get), for WRMSR before the write. Deny is #GP(0), what
 * hardware raises for a WRMSR it refuses (a reserved bit, a locked MSR;
 * SDM Vol. 2B WRMSR): the kernel's MSR accessors carry exception fixups
 * for it (Linux: the "unchecked MSR access error" warning, and
 * rdmsr_safe()/wrmsr_safe() return an error), so a denied access is
 * survivable where a silently dropped write would leave the kernel
 * believing a value that is not there. Replace writes or returns the
 * callback's value, a written one checked as above. Finding the hook is
 * a memory scan, no VMREAD: an MSR exit without a hook costs the VMX
 * instructions it cost before.
 */
#include "exit_internal.h"
#include "hooks.h"

/* IA32_DEBUGCTL bits WRMSR accepts: 5:2 and 63:16 are reserved (SDM Vol.
 * 3B 18.4.1; the same mask VM entry checks, Vol. 3C 27.3.1.1). */
#define DEBUGCTL_WRITABLE UINT64_C(0xFFC3)
/* IA32_EFER bits an Intel CPU accepts (SDM Vol. 3A 2.2.1). */
#define EFER_WRITABLE                                                          \
	(X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE)

/* The guest-state field of a VMCS-resident MSR; 0 if there is none. */
static uint32_t msr_field(const struct vmm_cpu *cpu, uint32_t msr)
{
	const struct vmm_controls *c = &cpu->caps.ctl;

	switch (msr) {
	case MSR_IA32_SYSENTER_CS:
		return VMCS_GUEST_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP:
		return VMCS_GUEST_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP:
		return VMCS_GUEST_SYSENTER_EIP;
	case MSR_IA32_FS_BASE:
		return VMCS_GUEST_FS_BASE;
	case MSR_IA32_GS_BASE:
		return VMCS_GUEST_GS_BASE;
	case MSR_IA32_DEBUGCTL:
		return VMCS_GUEST_IA32_DEBUGCTL;
	case MSR_IA32_EFER:
		return (c->entry & ENTRY_LOAD_EFER) != 0 ? VMCS_GUEST_IA32_EFER
							 : 0;
	case MSR_IA32_PAT:
		return (c->entry & ENTRY_LOAD_PAT) != 0 ? VMCS_GUEST_IA32_PAT
							: 0;
	default:
		return 0;
	}
}

/* Canonical for the paging mode of the CPU (SDM Vol. 3A 3.3.7.1); CR4.LA57
 * cannot change in 64-bit mode, so the host's CR4 tells the guest's. */
static bool canonical(uint64_t v)
{
	unsigned bits = (cpu_read_cr4() & X86_CR4_LA57) != 0 ? 57u : 48u;
	int64_t s = (int64_t)(v << (64u - bits)) >> (64u - bits);

	return (uint64_t)s == v;
}

/* Each PAT entry must be UC, WC, WT, WP, WB or UC- (SDM Vol. 3A 12.12.2). */
static bool pat_valid(uint64_t v)
{
	for (unsigned i = 0; i < 8u; i++) {
		unsigned t = (unsigned)(v >> (8u * i)) & 0xFFu;
		if (t == 2u || t == 3u || t > 7u)
			return false;
	}
	return true;
}

/*
 * What WRMSR of @p v to the VMCS-resident @p msr would do: false for
 * #GP(0). @p v may be adjusted (EFER.LMA is read-only; SYSENTER_CS is a
 * 32-bit field).
 */
static bool vmcs_msr_value_ok(uint32_t msr, uint64_t *v, int *st)
{
	uint64_t efer = 0, cr0 = 0;

	switch (msr) {
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_IA32_FS_BASE:
	case MSR_IA32_GS_BASE:
		return canonical(*v);
	case MSR_IA32_DEBUGCTL:
		return (*v & ~DEBUGCTL_WRITABLE) == 0;
	case MSR_IA32_PAT:
		return pat_valid(*v);
	case MSR_IA32_EFER:
		if ((*v & ~EFER_WRITABLE) != 0)
			return false;
		if (!vmx_ok(vmx_read64(VMCS_GUEST_IA32_EFER, &efer)) ||
		    !vmx_ok(vmx_readnat(VMCS_GUEST_CR0, &cr0))) {
			*st = VMM_ERR_VMREAD;
			return false;
		}
		/* LME cannot change while paging is on (SDM Vol. 3A 9.8.5);
		 * LMA is set by the CPU, not by WRMSR. */
		if ((cr0 & X86_CR0_PG) != 0 &&
		    ((*v ^ efer) & X86_EFER_LME) != 0)
			return false;
		*v = (*v & ~X86_EFER_LMA) | (efer & X86_EFER_LMA);
		return true;
	default: /* MSR_IA32_SYSENTER_CS */
		*v &= 0xFFFFFFFFu;
		return true;
	}
}

/* Outcome of one access: done (advance RIP), #GP, or a VMX failure. */
enum msr_outcome { MSR_DONE, MSR_GP, MSR_VMX_FAILED };

static enum msr_outcome msr_read(struct vmm_cpu *cpu, uint32_t msr, uint64_t *v)
{
	uint32_t field;

	if (vmm_msr_protected(msr) && msr != MSR_IA32_FEATURE_CONTROL)
		return MSR_GP;
	field = msr_field(cpu, msr);
	if (field != 0)
		return vmx_ok(vmx_vmread(field, v)) ? MSR_DONE : MSR_VMX_FAILED;
	if (cpu_rdmsr_safe(msr, v) != CPU_SAFE_OK)
		return MSR_GP;
	if (msr == MSR_IA32_FEATURE_CONTROL)
		*v &= ~(FEATURE_CONTROL_VMX_INSIDE_SMX |
			FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	return MSR_DONE;
}

static enum msr_outcome msr_write(struct vmm_cpu *cpu, uint32_t msr, uint64_t v)
{
	uint32_t field;
	int st = VMM_OK;

	if (vmm_msr_protected(msr))
		return MSR_GP;
	field = msr_field(cpu, msr);
	if (field != 0) {
		if (!vmcs_msr_value_ok(msr, &v, &st))
			return st == VMM_OK ? MSR_GP : MSR_VMX_FAILED;
		return vmx_ok(vmx_vmwrite(field, v)) ? MSR_DONE
						     : MSR_VMX_FAILED;
	}
	return cpu_wrmsr_safe(msr, v) == CPU_SAFE_OK ? MSR_DONE : MSR_GP;
}

/*
 * An access to the hooked @p msr: the read (RDMSR), the callback @p fn,
 * then the write (WRMSR) of the value it allowed. *@p v is the value
 * written (in) or read (out).
 */
static enum msr_outcome msr_hooked(struct vmm_cpu *cpu, uint32_t msr,
				   bool write, vmm_msr_hook_fn fn, uint64_t *v)
{
	struct vmm_msr_hook_args a = {
		.msr = msr, .cpu = cpu->id, .write = write ? 1u : 0u};
	enum msr_outcome o;

	if (!write) {
		o = msr_read(cpu, msr, v);
		if (o != MSR_DONE)
			return o;
	}
	if (!vmx_ok(vmx_readnat(VMCS_GUEST_RIP, &a.rip)))
		return MSR_VMX_FAILED;
	a.value = *v;
	switch (vmm_msr_hook_call(fn, &a)) {
	case VMM_HOOK_ALLOW:
		break;
	case VMM_HOOK_REPLACE:
		*v = a.value;
		break;
	default: /* VMM_HOOK_DENY */
		return MSR_GP;
	}
	return write ? msr_write(cpu, msr, *v) : MSR_DONE;
}

enum intrin_exit_action vmm_exit_msr(struct vmm_cpu *cpu,
				     struct intrin_exit_frame *frame,
				     uint32_t reason)
{
	uint32_t msr = (uint32_t)frame->gprs.rcx;
	bool write = reason == EXIT_REASON_MSR_WRITE;
	vmm_msr_hook_fn hook = vmm_msr_hook_find(msr, write);
	uint64_t v = write ? vmm_exit_edx_eax(frame) : 0;
	enum msr_outcome o;

	if (hook != NULL)
		o = msr_hooked(cpu, msr, write, hook, &v);
	else if (!write)
		o = msr_read(cpu, msr, &v);
	else
		o = msr_write(cpu, msr, v);
	if (o == MSR_GP) {
		if (vmm_exit_inject_fault(cpu, X86_VEC_GP))
			return INTRIN_EXIT_RESUME;
	} else if (o == MSR_DONE && vmm_exit_advance()) {
		if (reason == EXIT_REASON_MSR_READ) {
			/* RDMSR clears the upper halves (SDM Vol. 2B). */
			frame->gprs.rax = (uint32_t)v;
			frame->gprs.rdx = v >> 32;
		}
		return INTRIN_EXIT_RESUME;
	}
	return vmm_exit_unhandled(cpu, frame, reason,
				  "VMREAD/VMWRITE failed in RDMSR/WRMSR");
}
