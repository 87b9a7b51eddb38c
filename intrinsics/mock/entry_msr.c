/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The VM-entry MSR-load list (SDM Vol. 3C 27.4): after guest state is
 * loaded, each 16-byte entry (index in bits 31:0, reserved bits 63:32, data
 * in bits 127:64) is checked and written to the CPU's MSR file in order. The
 * first entry that fails ends VM entry with exit 34 | bit 31 and the 1-based
 * index of that entry as qualification (SDM Vol. 3C 27.8); the entries
 * before it stay loaded.
 *
 * The SDM rejects every index with bits 31:8 = 000008H (the x2APIC MSRs)
 * whatever the APIC mode; KVM rejects them only in x2APIC mode. The SDM is
 * followed.
 */
#include "entry_checks.h"

struct msr_entry {
	uint32_t index;
	uint32_t reserved;
	uint64_t data;
};

/*
 * Whether WRMSR of @p value to @p msr at CPL 0 would raise #GP on the model:
 * the MSR does not exist or is set to #GP on write, or the value is one the
 * architecture refuses for that MSR (SDM Vol. 4 for each register).
 */
static bool wrmsr_would_gp(struct mock_msr *m, uint32_t msr, uint64_t value)
{
	if (m == NULL || !m->present || m->gp_write)
		return true;
	switch (msr) {
	case MSR_IA32_EFER:
		return (value & ENTRY_EFER_RESERVED) != 0;
	case MSR_IA32_PAT:
		return !entry_pat_ok(value);
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_IA32_LSTAR:
	case MSR_IA32_CSTAR:
	case MSR_IA32_KERNEL_GS_BASE:
		return !mock_is_canonical(value);
	default:
		return false;
	}
}

/* Returns the rule a single entry violates, or RULE_COUNT if none. */
static enum entry_rule msr_entry_rule(struct mock_cpu *cpu,
				      const struct msr_entry *e)
{
	if (e->reserved != 0)
		return RULE_G17_reserved;
	if (e->index == MSR_IA32_FS_BASE || e->index == MSR_IA32_GS_BASE)
		return RULE_G17_fs_gs_base;
	if ((e->index >> 8) == (MSR_IA32_X2APIC_FIRST >> 8))
		return RULE_G17_x2apic;
	/* Writable only in SMM; the emulated CPUs never are in SMM. */
	if (e->index == MSR_IA32_SMM_MONITOR_CTL)
		return RULE_G17_smm_only;
	/* Model-specific refusals: the microcode-update MSRs (SDM Vol. 4). */
	if (e->index == MSR_IA32_BIOS_UPDT_TRIG ||
	    e->index == MSR_IA32_BIOS_SIGN_ID)
		return RULE_G17_microcode;
	if (wrmsr_would_gp(mock_msr_find(cpu, e->index), e->index, e->data))
		return RULE_G17_wrmsr_gp;
	return RULE_COUNT;
}

bool mock_entry_load_msrs(struct mock_cpu *cpu, const struct mock_vmcs *vmcs,
			  struct mock_check_failure *fail)
{
	uint32_t count = (uint32_t)VF(vmcs, VM_ENTRY_MSR_LOAD_COUNT);
	uint64_t addr = VF(vmcs, VM_ENTRY_MSR_LOAD_ADDR);
	uint32_t max =
		VMX_MISC_MAX_MSR_LIST(mock_msr_value(cpu, MSR_IA32_VMX_MISC));

	for (uint32_t i = 0; i < count; i++) {
		struct msr_entry e;
		enum entry_rule rule;

		/*
		 * IA32_VMX_MISC[27:25] bounds the list (SDM Vol. 3D A.6);
		 * the first entry past the bound is the one reported.
		 */
		if (i >= max)
			return entry_fail_qual(fail, RULE_G17_count, i + 1u);
		entry_mem_read(addr + (uint64_t)i * sizeof(e), &e, sizeof(e));
		rule = msr_entry_rule(cpu, &e);
		if (rule != RULE_COUNT)
			return entry_fail_qual(fail, rule, i + 1u);
		mock_msr_find(cpu, e.index)->value = e.data;
	}
	return true;
}
