// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The compatibility report (vmm_check): every check on the calling CPU,
 * each with its own status and a sentence, like kvm-ok. Checks only read:
 * an unlocked IA32_FEATURE_CONTROL is reported, and locked by start.
 */
#include "vmm_internal.h"

static struct flank_check_item *item_begin(struct flank_check_report *r,
					   enum vmm_check_id id,
					   const char *name, struct vmm_fmt *f)
{
	struct flank_check_item *it = &r->item[r->count++];
	size_t i;

	vmm_zero(it, sizeof(*it));
	it->id = (uint32_t)id;
	for (i = 0; name[i] != '\0' && i + 1 < sizeof(it->name); i++)
		it->name[i] = name[i];
	vmm_fmt_init(f, it->text, sizeof(it->text));
	return it;
}

static void item_end(struct flank_check_report *r, struct flank_check_item *it,
		     int status)
{
	it->status = status;
	if (status != VMM_OK)
		r->failed++;
}

/* Reads IA32_FEATURE_CONTROL and classifies it (SDM Vol. 3C 24.7). */
int vmm_feature_control_check(uint64_t *value, struct vmm_fmt *f)
{
	uint64_t fc = 0;

	if (cpu_rdmsr_safe(MSR_IA32_FEATURE_CONTROL, &fc) != CPU_SAFE_OK) {
		if (f != NULL)
			vmm_fmt_str(f, "RDMSR IA32_FEATURE_CONTROL raised #GP");
		return VMM_ERR_FEATURE_CONTROL_MSR;
	}
	*value = fc;
	if ((fc & FEATURE_CONTROL_LOCKED) != 0 &&
	    (fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX) == 0) {
		if (f != NULL)
			vmm_fmt_str(f, "locked with VMX outside SMX disabled: "
				       "enable VT-x in the BIOS setup");
		return VMM_ERR_VMX_DISABLED_FIRMWARE;
	}
	if (f != NULL) {
		if ((fc & FEATURE_CONTROL_LOCKED) != 0)
			vmm_fmt_str(f, "VMX enabled and locked by firmware");
		else
			vmm_fmt_str(f, "unlocked: start sets 'VMX outside "
				       "SMX' and locks it, as KVM does");
	}
	return VMM_OK;
}

static int check_vmx_cpuid(struct vmm_fmt *f)
{
	struct cpu_cpuid_regs r;

	cpu_cpuid(1, 0, &r);
	if ((r.ecx & X86_CPUID1_ECX_VMX) == 0) {
		vmm_fmt_str(f, "CPUID.1:ECX.VMX is 0: no Intel VT-x here");
		return VMM_ERR_NO_VMX;
	}
	vmm_fmt_str(f, "CPUID.1:ECX.VMX is 1");
	return VMM_OK;
}

static int check_long_mode(struct vmm_fmt *f)
{
	uint64_t efer = 0;

	if (cpu_rdmsr_safe(MSR_IA32_EFER, &efer) != CPU_SAFE_OK ||
	    (efer & X86_EFER_LMA) == 0) {
		vmm_fmt_str(f, "EFER.LMA is 0: not a 64-bit kernel");
		return VMM_ERR_NOT_LONG_MODE;
	}
	vmm_fmt_str(f, "64-bit mode (EFER.LMA=1)");
	return VMM_OK;
}

static int check_vmx_free(struct vmm_fmt *f)
{
	if ((cpu_read_cr4() & X86_CR4_VMXE) != 0) {
		vmm_fmt_str(f, "CR4.VMXE is set: another hypervisor owns VT-x");
		return VMM_ERR_VMX_IN_USE;
	}
	vmm_fmt_str(f, "CR4.VMXE is clear: VT-x is free");
	return VMM_OK;
}

int vmm_check(struct flank_check_report *report)
{
	struct flank_check_item *it;
	struct vmm_fmt f;
	struct vmm_caps caps;
	uint64_t fc = 0;
	bool vmx;
	int st, basic_st, first = VMM_OK;

	if (report == NULL)
		return VMM_ERR_BAD_ARGUMENT;
	if (vmm_ctx.state == FLANK_STATE_UNLOADED)
		return VMM_ERR_BAD_STATE;
	vmm_zero(report, sizeof(*report));
	vmm_zero(&caps, sizeof(caps));

	it = item_begin(report, VMM_CHECK_VMX_CPUID, "vmx-cpuid", &f);
	st = check_vmx_cpuid(&f);
	vmx = st == VMM_OK;
	item_end(report, it, st);

	it = item_begin(report, VMM_CHECK_LONG_MODE, "long-mode", &f);
	item_end(report, it, check_long_mode(&f));

	it = item_begin(report, VMM_CHECK_FEATURE_CONTROL, "feature-control",
			&f);
	if (vmx)
		st = vmm_feature_control_check(&fc, &f);
	else
		vmm_fmt_str(&f, "skipped: the CPU has no VMX");
	item_end(report, it, vmx ? st : VMM_ERR_NO_VMX);

	it = item_begin(report, VMM_CHECK_VMX_BASIC, "vmx-basic", &f);
	st = VMM_ERR_NO_VMX;
	if (vmx) {
		st = vmm_caps_basic(&caps, &f);
		if (st == VMM_OK) {
			vmm_fmt_str(&f, "VMCS revision ");
			vmm_fmt_hex(&f, caps.basic & VMX_BASIC_REVISION_MASK);
			vmm_fmt_str(&f, ", ");
			vmm_fmt_dec(&f, VMX_BASIC_REGION_SIZE(caps.basic));
			vmm_fmt_str(&f, " bytes, write-back");
		}
	} else {
		vmm_fmt_str(&f, "skipped: the CPU has no VMX");
	}
	basic_st = st;
	item_end(report, it, st);

	it = item_begin(report, VMM_CHECK_PHYS_WIDTH, "phys-width", &f);
	caps.phys_width = vmm_phys_width();
	if (caps.phys_width == 0) {
		vmm_fmt_str(&f,
			    "CPUID 80000008H missing or width out of range");
		st = VMM_ERR_PHYS_WIDTH;
	} else {
		vmm_fmt_dec(&f, caps.phys_width);
		vmm_fmt_str(&f, "-bit physical addresses");
		st = VMM_OK;
	}
	item_end(report, it, st);

	it = item_begin(report, VMM_CHECK_FIXED_BITS, "fixed-bits", &f);
	st = VMM_ERR_NO_VMX;
	if (vmx) {
		st = vmm_caps_fixed(&caps, &f);
		if (st == VMM_OK)
			st = vmm_fixed_bits_ok(&caps, cpu_read_cr0(),
					       cpu_read_cr4(), &f);
		if (st == VMM_OK)
			vmm_fmt_str(&f,
				    "CR0/CR4 can satisfy the VMX fixed bits");
	} else {
		vmm_fmt_str(&f, "skipped: the CPU has no VMX");
	}
	item_end(report, it, st);

	it = item_begin(report, VMM_CHECK_VMX_FREE, "vmx-free", &f);
	item_end(report, it, check_vmx_free(&f));

	it = item_begin(report, VMM_CHECK_CONTROLS, "vmx-controls", &f);
	if (basic_st == VMM_OK) {
		vmm_cpu_features(&caps);
		st = vmm_caps_controls(&caps, &f);
		if (st == VMM_OK)
			vmm_fmt_str(&f,
				    "every required VMX control is available");
	} else {
		st = basic_st;
		vmm_fmt_str(&f, "skipped: needs IA32_VMX_BASIC");
	}
	item_end(report, it, st);

	for (uint32_t i = 0; i < report->count; i++) {
		if (report->item[i].status != VMM_OK) {
			first = report->item[i].status;
			break;
		}
	}
	return first;
}
