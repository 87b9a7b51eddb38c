// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Entering and leaving VMX operation on the calling CPU: the preconditions
 * of VMXON (SDM Vol. 3C 24.7, 24.8, 31.3 VMXON), applied with a record of
 * exactly what was changed so that every change is undone.
 */
#include "vmm_internal.h"

void vmm_log_vmx(struct vmm_cpu *cpu, const char *what, vmx_result_t r)
{
	char line[160];
	struct vmm_fmt f;

	vmm_fmt_init(&f, line, sizeof(line));
	vmm_fmt_str(&f, "cpu ");
	vmm_fmt_dec(&f, cpu->id);
	vmm_fmt_str(&f, ": ");
	vmm_fmt_str(&f, what);
	switch (r.outcome) {
	case VMX_FAIL_INVALID:
		vmm_fmt_str(&f, " failed: VMfailInvalid");
		break;
	case VMX_FAIL_VALID:
		vmm_fmt_str(&f, " failed: VMfailValid(");
		vmm_fmt_dec(&f, r.error);
		vmm_fmt_str(&f, ") ");
		vmm_fmt_str(&f, vmm_vmx_error_name(r.error));
		break;
	case VMX_EXCEPTION:
		vmm_fmt_str(&f, " raised exception vector ");
		vmm_fmt_dec(&f, r.error);
		break;
	default:
		vmm_fmt_str(&f, " succeeded");
		break;
	}
	vmm_log(FLANK_LOG_ERROR, line);
}

void vmm_undo_cr_changes(struct vmm_cpu *cpu)
{
	/* CR4 first: VMXE may only be cleared outside VMX operation, and
	 * the CR0 bits VMX forced can go once VMXE is clear. */
	if (cpu->changes.cr4_set != 0)
		cpu_write_cr4(cpu_read_cr4() & ~cpu->changes.cr4_set);
	if (cpu->changes.cr0_set != 0)
		cpu_write_cr0(cpu_read_cr0() & ~cpu->changes.cr0_set);
	cpu->changes.cr4_set = 0;
	cpu->changes.cr0_set = 0;
}

/* Preconditions that only read: CPUID, long mode, VT-x free. */
static int vmx_preconditions(void)
{
	struct cpu_cpuid_regs r;
	uint64_t efer = 0;

	cpu_cpuid(1, 0, &r);
	if ((r.ecx & X86_CPUID1_ECX_VMX) == 0)
		return VMM_ERR_NO_VMX;
	if (cpu_rdmsr_safe(MSR_IA32_EFER, &efer) != CPU_SAFE_OK ||
	    (efer & X86_EFER_LMA) == 0)
		return VMM_ERR_NOT_LONG_MODE;
	if ((cpu_read_cr4() & X86_CR4_VMXE) != 0)
		return VMM_ERR_VMX_IN_USE;
	return VMM_OK;
}

/*
 * IA32_FEATURE_CONTROL (SDM Vol. 3C 24.7): locked with "VMX outside SMX"
 * is ready; locked without it is disabled by firmware; unlocked, Flank sets
 * the bit and locks the MSR as KVM and Linux's feat_ctl do. The lock
 * cannot be undone until reset, so it happens only after every check that
 * only reads has passed.
 */
static int feature_control_enable(struct vmm_cpu *cpu)
{
	uint64_t fc = 0;
	int st = vmm_feature_control_check(&fc, NULL);

	if (st != VMM_OK)
		return st;
	if ((fc & FEATURE_CONTROL_LOCKED) != 0)
		return VMM_OK;
	fc |= FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMX_OUTSIDE_SMX;
	if (cpu_wrmsr_safe(MSR_IA32_FEATURE_CONTROL, fc) != CPU_SAFE_OK)
		return VMM_ERR_FEATURE_CONTROL_MSR;
	cpu->changes.feature_control_locked = true;
	return VMM_OK;
}

/*
 * Reads the capabilities; a refusal is logged with its reason (which
 * control is missing, which feature needs it), since the status alone
 * cannot say that a CPU enumerates WAITPKG without the control for it.
 */
static int read_caps(struct vmm_cpu *cpu)
{
	char line[224];
	struct vmm_fmt f;
	int st;

	vmm_fmt_init(&f, line, sizeof(line));
	vmm_fmt_str(&f, "cpu ");
	vmm_fmt_dec(&f, cpu->id);
	vmm_fmt_str(&f, ": ");
	st = vmm_caps_read(&cpu->caps, &f);
	if (st != VMM_OK)
		vmm_log(FLANK_LOG_ERROR, line);
	return st;
}

int vmm_vmx_enable(struct vmm_cpu *cpu)
{
	struct cpu_cpuid_regs id;
	uint32_t revision;
	uint64_t cr0, cr4;
	vmx_result_t r;
	int st;

	vmm_zero(&cpu->changes, sizeof(cpu->changes));
	st = vmx_preconditions();
	if (st != VMM_OK)
		return st;
	st = read_caps(cpu);
	if (st != VMM_OK)
		return st;
	cr0 = cpu_read_cr0();
	cr4 = cpu_read_cr4();
	st = vmm_fixed_bits_ok(&cpu->caps, cr0, cr4, NULL);
	if (st != VMM_OK)
		return st;
	st = feature_control_enable(cpu);
	if (st != VMM_OK)
		return st;

	cpu->cr0_orig = cr0;
	cpu->cr4_orig = cr4;
	cpu_cpuid(1, 0, &id);
	cpu->outer_vmm = (id.ecx & X86_CPUID1_ECX_HYPERVISOR) != 0;
	/* SDM Vol. 3C 24.8: CR0/CR4 must satisfy the fixed bits in VMX
	 * operation; set the missing FIXED0 bits and remember which. */
	cpu->changes.cr0_set = cpu->caps.cr0_fixed0 & ~cr0;
	if (cpu->changes.cr0_set != 0)
		cpu_write_cr0(cr0 | cpu->changes.cr0_set);
	cpu->changes.cr4_set = (cpu->caps.cr4_fixed0 | X86_CR4_VMXE) & ~cr4;
	cpu_write_cr4(cr4 | cpu->changes.cr4_set);

	/* SDM Vol. 3C 25.11.5: the VMXON region starts with the revision
	 * identifier (bit 31 clear). */
	revision = (uint32_t)(cpu->caps.basic & VMX_BASIC_REVISION_MASK);
	vmm_zero(cpu->vmxon, VMM_PAGE_SIZE);
	*(volatile uint32_t *)cpu->vmxon = revision;

	r = vmx_on(cpu->vmxon_pa);
	if (!vmx_ok(r)) {
		vmm_log_vmx(cpu, "VMXON", r);
		st = VMM_ERR_VMXON;
		goto err_vmxon;
	}
	cpu->changes.vmxon = true;
	return VMM_OK;

err_vmxon:
	vmm_undo_cr_changes(cpu);
	return st;
}

int vmm_vmx_disable(struct vmm_cpu *cpu)
{
	vmx_result_t r;

	vmm_ept_cpu_stop(cpu);
	r = vmx_off();

	if (!vmx_ok(r)) {
		vmm_log_vmx(cpu, "VMXOFF", r);
		return VMM_ERR_VMXOFF;
	}
	cpu->changes.vmxon = false;
	vmm_undo_cr_changes(cpu);
	return VMM_OK;
}
