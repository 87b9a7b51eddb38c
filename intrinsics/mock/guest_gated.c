// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Instructions that raise #UD in VMX non-root unless a secondary
 * processor-based control enables them (SDM Vol. 3C 25.6.2 Table 25-7,
 * 26.3 "Changes to Instruction Behavior in VMX Non-Root Operation"), and
 * the VM exits those controls allow (26.1.3). A guest kernel that ran on
 * the bare CPU uses them whenever CPUID enumerates them (Linux: RDPID in
 * its paranoid entry, TPAUSE in udelay(), XSAVES for its FPU state), so a
 * VMM that leaves a control 0 turns a working instruction into #UD.
 */
#include "mock_internal.h"

/* How each instruction is enumerated, enabled and made to exit. */
struct gated_insn {
	const char *name;
	uint32_t leaf, subleaf;
	enum mock_cpuid_reg reg;
	uint32_t cpuid_bit;
	uint32_t enable;      /* The secondary control that avoids #UD. */
	uint32_t exit_reason; /* 0: the instruction never exits. */
	uint32_t len;	      /* Its length, for the exit information. */
	bool cpl0;	      /* #GP(0) at CPL > 0 (SDM Vol. 2 pages). */
};

/*
 * SDM Vol. 2 instruction pages ("#UD If CPUID...") for the CPUID bits;
 * Vol. 3C Table 25-7 and 26.3 for the controls; 26.1.3 for the exits.
 * RDPID is gated by "enable RDTSCP" as well (KVM, "KVM: VMX: Do not
 * advertise RDPID if ENABLE_RDTSCP control is unsupported", 2021).
 */
static const struct gated_insn gated[MOCK_GATED_COUNT] = {
	[MOCK_GATED_RDTSCP] = {.name = "rdtscp",
			       .leaf = 0x80000001u,
			       .reg = MOCK_EDX,
			       .cpuid_bit = X86_CPUIDX1_EDX_RDTSCP,
			       .enable = SEC_ENABLE_RDTSCP,
			       .exit_reason = EXIT_REASON_RDTSCP,
			       .len = 3},
	[MOCK_GATED_RDPID] = {.name = "rdpid",
			      .leaf = 7,
			      .reg = MOCK_ECX,
			      .cpuid_bit = X86_CPUID7_ECX_RDPID,
			      .enable = SEC_ENABLE_RDTSCP,
			      .len = 4},
	[MOCK_GATED_INVPCID] = {.name = "invpcid",
				.leaf = 7,
				.reg = MOCK_EBX,
				.cpuid_bit = X86_CPUID7_EBX_INVPCID,
				.enable = SEC_ENABLE_INVPCID,
				.exit_reason = EXIT_REASON_INVPCID,
				.len = 5,
				.cpl0 = true},
	[MOCK_GATED_XSAVES] = {.name = "xsaves",
			       .leaf = 0xD,
			       .subleaf = 1,
			       .reg = MOCK_EAX,
			       .cpuid_bit = X86_CPUIDD1_EAX_XSAVES,
			       .enable = SEC_ENABLE_XSAVES,
			       .exit_reason = EXIT_REASON_XSAVES,
			       .len = 4,
			       .cpl0 = true},
	[MOCK_GATED_XRSTORS] = {.name = "xrstors",
				.leaf = 0xD,
				.subleaf = 1,
				.reg = MOCK_EAX,
				.cpuid_bit = X86_CPUIDD1_EAX_XSAVES,
				.enable = SEC_ENABLE_XSAVES,
				.exit_reason = EXIT_REASON_XRSTORS,
				.len = 4,
				.cpl0 = true},
	[MOCK_GATED_UMONITOR] = {.name = "umonitor",
				 .leaf = 7,
				 .reg = MOCK_ECX,
				 .cpuid_bit = X86_CPUID7_ECX_WAITPKG,
				 .enable = SEC_ENABLE_USER_WAIT_PAUSE,
				 .len = 4},
	[MOCK_GATED_UMWAIT] = {.name = "umwait",
			       .leaf = 7,
			       .reg = MOCK_ECX,
			       .cpuid_bit = X86_CPUID7_ECX_WAITPKG,
			       .enable = SEC_ENABLE_USER_WAIT_PAUSE,
			       .exit_reason = EXIT_REASON_UMWAIT,
			       .len = 4},
	[MOCK_GATED_TPAUSE] = {.name = "tpause",
			       .leaf = 7,
			       .reg = MOCK_ECX,
			       .cpuid_bit = X86_CPUID7_ECX_WAITPKG,
			       .enable = SEC_ENABLE_USER_WAIT_PAUSE,
			       .exit_reason = EXIT_REASON_TPAUSE,
			       .len = 4},
	[MOCK_GATED_PCONFIG] = {.name = "pconfig",
				.leaf = 7,
				.reg = MOCK_EDX,
				.cpuid_bit = X86_CPUID7_EDX_PCONFIG,
				.enable = SEC_ENABLE_PCONFIG,
				.exit_reason = EXIT_REASON_PCONFIG,
				.len = 3,
				.cpl0 = true},
};

const char *mock_gated_insn_name(enum mock_gated_insn insn)
{
	return (unsigned)insn < MOCK_GATED_COUNT ? gated[insn].name : NULL;
}

static bool enumerated(const struct mock_cpu *c, const struct gated_insn *g)
{
	struct cpu_cpuid_regs r;
	uint32_t v;

	mock_cpuid_query(c, g->leaf, g->subleaf, &r);
	v = g->reg == MOCK_EAX	 ? r.eax
	    : g->reg == MOCK_EBX ? r.ebx
	    : g->reg == MOCK_ECX ? r.ecx
				 : r.edx;
	return (v & g->cpuid_bit) != 0;
}

/* SDM Vol. 3C 26.1.3: whether the enabled instruction exits. */
static bool exits(struct mock_cpu *c, enum mock_gated_insn insn,
		  const struct intrin_gprs *g)
{
	uint32_t proc = mock_proc_ctls(c);
	uint64_t edx_eax = (g->rdx << 32) | (g->rax & 0xFFFFFFFFu);
	uint64_t xss = 0, bitmap;

	switch (insn) {
	case MOCK_GATED_RDTSCP: /* "RDTSC exiting" = 1 */
	case MOCK_GATED_UMWAIT:
	case MOCK_GATED_TPAUSE:
		return (proc & CPU_RDTSC_EXITING) != 0;
	case MOCK_GATED_INVPCID: /* "INVLPG exiting" = 1 */
		return (proc & CPU_INVLPG_EXITING) != 0;
	case MOCK_GATED_XSAVES: /* EDX:EAX & IA32_XSS & XSS-exiting bitmap */
	case MOCK_GATED_XRSTORS:
		(void)mock_msr_read_raw(c, MSR_IA32_XSS, &xss);
		return (edx_eax & xss &
			mock_cur_field(c, VMCS_XSS_EXIT_BITMAP)) != 0;
	case MOCK_GATED_PCONFIG: /* bit EAX (63 if EAX > 62) of the bitmap */
		bitmap = mock_cur_field(c, VMCS_PCONFIG_EXITING_BITMAP);
		return ((bitmap >> ((uint32_t)g->rax > 62 ? 63 : g->rax & 63)) &
			1u) != 0;
	default: /* RDPID, UMONITOR: no exit (SDM Vol. 3C 26.3) */
		return false;
	}
}

static int fault(uint32_t vector, struct mock_exit_outcome *out)
{
	/* An exception in non-root exits only if the bitmap says so. */
	int rc = mock_cur()->vmx == MOCK_VMX_NONROOT
			 ? mock_guest_exception(vector, 0, out)
			 : -1;

	out->faulted = true;
	out->fault_vector = vector;
	return rc;
}

int mock_guest_gated(enum mock_gated_insn insn, struct intrin_gprs *gprs,
		     struct mock_exit_outcome *out)
{
	struct mock_cpu *c = mock_cur();
	struct mock_exit_outcome local;
	struct intrin_gprs zero = {0};
	const struct gated_insn *g;
	bool nonroot = c->vmx == MOCK_VMX_NONROOT;
	unsigned cpl = nonroot ? c->guest_cpl : c->regs.cpl;

	if (!out)
		out = &local;
	*out = (struct mock_exit_outcome){0};
	if ((unsigned)insn >= MOCK_GATED_COUNT)
		return -1;
	g = &gated[insn];
	if (!gprs)
		gprs = &zero;
	/* Vol. 2: #UD if CPUID does not enumerate the instruction. */
	if (!enumerated(c, g))
		return fault(X86_VEC_UD, out);
	/*
	 * Vol. 3C 26.3: with its control 0 (secondary controls not
	 * activated count as 0, 25.6.2) the instruction raises #UD, which
	 * "takes priority over any other exception the instruction may
	 * incur"; Table 25-7 for the same rule per control.
	 */
	if (nonroot && (mock_proc2_ctls(c) & g->enable) == 0)
		return fault(X86_VEC_UD, out);
	/* 26.1.1: privilege-level #GP has priority over the VM exit. */
	if (g->cpl0 && cpl > 0)
		return fault(X86_VEC_GP, out);
	if (nonroot && g->exit_reason != 0 && exits(c, insn, gprs)) {
		struct mock_exit_event e = {.reason = g->exit_reason,
					    .instruction_len = g->len,
					    .gprs = *gprs};
		int rc = mock_guest_exit_any(&e, out);

		if (rc == 0)
			*gprs = out->gprs;
		return rc;
	}
	/* Executes as on the bare CPU: no exit, no exception. */
	return -1;
}
