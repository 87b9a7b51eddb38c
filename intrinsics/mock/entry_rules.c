/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The rule table of the VM-entry checks (identifiers, citations,
 * qualifications) and the helpers the entry_*.c stages share.
 */
#include <string.h>

#include "entry_checks.h"

struct entry_rule_info {
	const char *id;
	const char *citation;
	uint64_t qualification;
};

static const struct entry_rule_info entry_rules[RULE_COUNT] = {
#define ENTRY_RULE_INFO(grp, what, sec, qual)                                  \
	[RULE_##grp##_##what] = {#grp "." #what, "SDM Vol. 3C " sec, (qual)},
	MOCK_ENTRY_RULES(ENTRY_RULE_INFO)
#undef ENTRY_RULE_INFO
};

const char *const mock_entry_rule_ids[] = {
#define ENTRY_RULE_ID(grp, what, sec, qual) #grp "." #what,
	MOCK_ENTRY_RULES(ENTRY_RULE_ID)
#undef ENTRY_RULE_ID
		NULL,
};

bool entry_fail_qual(struct mock_check_failure *fail, enum entry_rule rule,
		     uint64_t qualification)
{
	const struct entry_rule_info *r = &entry_rules[rule];

	fail->rule = r->id;
	fail->citation = r->citation;
	fail->qualification = qualification;
	fail->exit_reason = 0;
	/*
	 * Guest-state and MSR-load failures are VM exits with bit 31 set
	 * (SDM Vol. 3C 27.8); control and host-state failures are
	 * VMfailValid and write no exit reason.
	 */
	if (rule >= RULE_G17_count)
		fail->exit_reason =
			EXIT_REASON_MSR_LOADING | EXIT_REASON_ENTRY_FAILURE;
	else if (rule >= RULE_G1_cr0_fixed0)
		fail->exit_reason = EXIT_REASON_INVALID_GUEST_STATE |
				    EXIT_REASON_ENTRY_FAILURE;
	return false;
}

bool entry_fail(struct mock_check_failure *fail, enum entry_rule rule)
{
	return entry_fail_qual(fail, rule, entry_rules[rule].qualification);
}

void entry_read_caps(const struct mock_cpu *cpu, struct entry_caps *caps)
{
	bool true_ctls;

	caps->basic = mock_msr_value(cpu, MSR_IA32_VMX_BASIC);
	/*
	 * SDM Vol. 3D A.2: the TRUE capability MSRs exist, and give the
	 * allowed settings, iff IA32_VMX_BASIC[55] = 1.
	 */
	true_ctls = (caps->basic & VMX_BASIC_TRUE_CTLS) != 0;
	caps->pin =
		mock_msr_value(cpu, true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS
					      : MSR_IA32_VMX_PINBASED_CTLS);
	caps->proc =
		mock_msr_value(cpu, true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS
					      : MSR_IA32_VMX_PROCBASED_CTLS);
	caps->exit = mock_msr_value(cpu, true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS
						   : MSR_IA32_VMX_EXIT_CTLS);
	caps->entry =
		mock_msr_value(cpu, true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS
					      : MSR_IA32_VMX_ENTRY_CTLS);
	/*
	 * SDM Vol. 3D A.3.3/A.3.4: the secondary (tertiary) capability MSR
	 * exists only if the primary controls allow "activate secondary
	 * (tertiary) controls" to be 1.
	 */
	caps->proc2 = 0;
	if (cap_allowed1(caps->proc) & CPU_ACTIVATE_SECONDARY)
		caps->proc2 = mock_msr_value(cpu, MSR_IA32_VMX_PROCBASED_CTLS2);
	caps->proc3 = 0;
	if (cap_allowed1(caps->proc) & CPU_TERTIARY_CONTROLS)
		caps->proc3 = mock_msr_value(cpu, MSR_IA32_VMX_PROCBASED_CTLS3);
	caps->misc = mock_msr_value(cpu, MSR_IA32_VMX_MISC);
	caps->ept_vpid = 0;
	if (cap_allowed1(caps->proc2) & (SEC_ENABLE_EPT | SEC_ENABLE_VPID))
		caps->ept_vpid = mock_msr_value(cpu, MSR_IA32_VMX_EPT_VPID_CAP);
	caps->vmfunc = 0;
	if (cap_allowed1(caps->proc2) & SEC_ENABLE_VMFUNC)
		caps->vmfunc = mock_msr_value(cpu, MSR_IA32_VMX_VMFUNC);
	caps->cr0_fixed0 = mock_msr_value(cpu, MSR_IA32_VMX_CR0_FIXED0);
	caps->cr0_fixed1 = mock_msr_value(cpu, MSR_IA32_VMX_CR0_FIXED1);
	caps->cr4_fixed0 = mock_msr_value(cpu, MSR_IA32_VMX_CR4_FIXED0);
	caps->cr4_fixed1 = mock_msr_value(cpu, MSR_IA32_VMX_CR4_FIXED1);
}

bool entry_pa_ok(const struct entry_caps *caps, uint64_t pa)
{
	if (mock_pa_too_wide(pa))
		return false;
	/* SDM Vol. 3D A.1: IA32_VMX_BASIC[48] limits these to 32 bits. */
	if ((caps->basic & VMX_BASIC_PHYS_ADDR_32) && (pa >> 32) != 0)
		return false;
	return true;
}

bool entry_page_ok(const struct entry_caps *caps, uint64_t pa)
{
	return (pa & 0xFFFu) == 0 && entry_pa_ok(caps, pa);
}

bool entry_pat_ok(uint64_t pat)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned type = (unsigned)(pat >> (i * 8)) & 0xFFu;

		/* Types 2 and 3 are reserved, as is anything above 7. */
		if (type == 2 || type == 3 || type > 7)
			return false;
	}
	return true;
}

uint64_t entry_perf_global_reserved(const struct mock_cpu *cpu)
{
	struct cpu_cpuid_regs max, leaf;
	unsigned gp, fixed;
	uint64_t valid = 0;

	mock_cpuid_query(cpu, 0, 0, &max);
	if (max.eax < 0xAu)
		return ~UINT64_C(0);
	/*
	 * SDM Vol. 3B 20.2.2: one enable bit per general-purpose counter
	 * (CPUID.0AH:EAX[15:8]) from bit 0 and per fixed counter
	 * (CPUID.0AH:EDX[4:0]) from bit 32.
	 */
	mock_cpuid_query(cpu, 0xAu, 0, &leaf);
	gp = (leaf.eax >> 8) & 0xFFu;
	fixed = leaf.edx & 0x1Fu;
	if (gp > 32)
		gp = 32;
	for (unsigned i = 0; i < gp; i++)
		valid |= BIT64(i);
	for (unsigned i = 0; i < fixed; i++)
		valid |= BIT64(32 + i);
	return ~valid;
}

void entry_mem_read(uint64_t pa, void *buf, size_t len)
{
	if (!mock_mem_read(pa, buf, len))
		memset(buf, 0xFF, len);
}
