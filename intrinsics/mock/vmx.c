// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VMX instructions other than VM entry (launch.c): VMXON, VMXOFF,
 * VMCLEAR, VMPTRLD, VMPTRST, VMREAD, VMWRITE, INVEPT, INVVPID, VMCALL.
 *
 * Each follows the operation pseudocode of SDM Vol. 3C 31.3 in its order:
 * #UD conditions, VM exit in VMX non-root, #GP(0) for CPL > 0, then the
 * VMfailInvalid / VMfailValid(n) conditions, then the effect. Every
 * outcome names its rule in cpu->last_rule ("VMPTRLD.fail_revision").
 */
#include "mock_internal.h"

/* ------------------------------------------------------------ outcomes */

/* SDM Vol. 3C 31.2: arithmetic flags of the VMX conventions. */
#define VMX_FLAGS                                                              \
	(X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF | X86_RFLAGS_ZF |       \
	 X86_RFLAGS_SF | X86_RFLAGS_OF)

vmx_result_t mock_vm_succeed(struct mock_cpu *cpu)
{
	cpu->regs.rflags &= ~VMX_FLAGS;
	return (vmx_result_t){VMX_SUCCEED, 0};
}

vmx_result_t mock_vm_fail_invalid(struct mock_cpu *cpu)
{
	cpu->regs.rflags = (cpu->regs.rflags & ~VMX_FLAGS) | X86_RFLAGS_CF;
	return (vmx_result_t){VMX_FAIL_INVALID, 0};
}

vmx_result_t mock_vm_fail_valid(struct mock_cpu *cpu, uint32_t error)
{
	struct mock_vmcs *v = mock_current_vmcs(cpu);

	cpu->regs.rflags = (cpu->regs.rflags & ~VMX_FLAGS) | X86_RFLAGS_ZF;
	if (v)
		mock_vmcs_set(v, VMCS_VM_INSTRUCTION_ERROR, error);
	return (vmx_result_t){VMX_FAIL_VALID, error};
}

/* SDM Vol. 3C 31.2 "VMfail": VMfailInvalid without a current VMCS. */
static vmx_result_t vm_fail(struct mock_cpu *cpu, uint32_t error,
			    const char *rule)
{
	cpu->last_rule = rule;
	if (cpu->current_ptr == UINT64_MAX)
		return mock_vm_fail_invalid(cpu);
	return mock_vm_fail_valid(cpu, error);
}

static vmx_result_t ok(struct mock_cpu *cpu, const char *rule)
{
	cpu->last_rule = rule;
	return mock_vm_succeed(cpu);
}

/* ---------------------------------------------------------- capabilities */

static uint32_t allowed1(const struct mock_cpu *cpu, uint32_t msr)
{
	return (uint32_t)(mock_msr_value(cpu, msr) >> 32);
}

static uint32_t compute_features(const struct mock_cpu *cpu)
{
	uint32_t pin = allowed1(cpu, MSR_IA32_VMX_PINBASED_CTLS);
	uint32_t proc = allowed1(cpu, MSR_IA32_VMX_PROCBASED_CTLS);
	uint32_t exit = allowed1(cpu, MSR_IA32_VMX_EXIT_CTLS);
	uint32_t entry = allowed1(cpu, MSR_IA32_VMX_ENTRY_CTLS);
	bool has2 = (proc & CPU_ACTIVATE_SECONDARY) != 0;
	uint32_t sec = has2 ? allowed1(cpu, MSR_IA32_VMX_PROCBASED_CTLS2) : 0;
	uint32_t m = BIT32(VMCS_FEAT_BASE);

#define FEAT(f, cond)                                                          \
	if (cond)                                                              \
		m |= BIT32(f);
	FEAT(VMCS_FEAT_SECONDARY, has2);
	FEAT(VMCS_FEAT_VPID, sec & SEC_ENABLE_VPID);
	FEAT(VMCS_FEAT_EPT, sec & SEC_ENABLE_EPT);
	FEAT(VMCS_FEAT_POSTED_INTR, pin & PIN_POSTED_INTR);
	FEAT(VMCS_FEAT_VIRT_INTR, sec & SEC_VIRT_INTR_DELIVERY);
	FEAT(VMCS_FEAT_TPR_SHADOW, proc & CPU_USE_TPR_SHADOW);
	FEAT(VMCS_FEAT_APIC_ACCESS, sec & SEC_VIRT_APIC_ACCESSES);
	FEAT(VMCS_FEAT_VMFUNC, sec & SEC_ENABLE_VMFUNC);
	FEAT(VMCS_FEAT_PML, sec & SEC_ENABLE_PML);
	FEAT(VMCS_FEAT_SHADOW_VMCS, sec & SEC_SHADOW_VMCS);
	FEAT(VMCS_FEAT_EPT_VE, sec & SEC_EPT_VE);
	FEAT(VMCS_FEAT_XSAVES, sec & SEC_ENABLE_XSAVES);
	FEAT(VMCS_FEAT_TSC_SCALING, sec & SEC_TSC_SCALING);
	FEAT(VMCS_FEAT_PLE, sec & SEC_PAUSE_LOOP_EXITING);
	FEAT(VMCS_FEAT_PREEMPT_TIMER, pin & PIN_PREEMPTION_TIMER);
	FEAT(VMCS_FEAT_PERF_GLOBAL,
	     (entry & ENTRY_LOAD_PERF_GLOBAL_CTRL) ||
		     (exit & EXIT_LOAD_PERF_GLOBAL_CTRL));
	FEAT(VMCS_FEAT_PAT, (entry & ENTRY_LOAD_PAT) ||
				    (exit & (EXIT_SAVE_PAT | EXIT_LOAD_PAT)));
	FEAT(VMCS_FEAT_EFER,
	     (entry & ENTRY_LOAD_EFER) ||
		     (exit & (EXIT_SAVE_EFER | EXIT_LOAD_EFER)));
	FEAT(VMCS_FEAT_CET,
	     (entry & ENTRY_LOAD_CET_STATE) || (exit & EXIT_LOAD_CET_STATE));
	FEAT(VMCS_FEAT_BNDCFGS,
	     (entry & ENTRY_LOAD_BNDCFGS) || (exit & EXIT_CLEAR_BNDCFGS));
	FEAT(VMCS_FEAT_RTIT,
	     (entry & ENTRY_LOAD_RTIT_CTL) || (exit & EXIT_CLEAR_RTIT_CTL));
	FEAT(VMCS_FEAT_ENCLS, sec & SEC_ENCLS_EXITING);
	FEAT(VMCS_FEAT_TERTIARY, proc & CPU_TERTIARY_CONTROLS);
	FEAT(VMCS_FEAT_PCONFIG, sec & SEC_ENABLE_PCONFIG);
#undef FEAT
	return m;
}

bool mock_vmcs_feature_supported(const struct mock_cpu *cpu,
				 enum vmcs_feature feature)
{
	struct mock_cpu *c = (struct mock_cpu *)cpu;

	if (!c->feat_valid) {
		c->feat_mask = compute_features(c);
		c->feat_valid = true;
	}
	return (c->feat_mask >> feature) & 1u;
}

/* Feature gating a field (full encoding), or -1 if no such field. */
static int field_feature(uint32_t enc)
{
	switch (enc) {
#define FIELD_CASE(name, e, feat)                                              \
	case e:                                                                \
		return feat;
		VMCS_FIELD_LIST(FIELD_CASE)
#undef FIELD_CASE
	default:
		return -1;
	}
}

uint64_t mock_cur_field(struct mock_cpu *cpu, uint32_t enc)
{
	struct mock_vmcs *v = mock_current_vmcs(cpu);
	return v ? mock_vmcs_get(v, enc) : 0;
}

uint32_t mock_proc_ctls(struct mock_cpu *cpu)
{
	return (uint32_t)mock_cur_field(cpu, VMCS_CPU_BASED_VM_EXEC_CONTROL);
}

uint32_t mock_proc2_ctls(struct mock_cpu *cpu)
{
	/* SDM Vol. 3C 25.6.2: without bit 31 the secondary controls are 0. */
	if (!(mock_proc_ctls(cpu) & CPU_ACTIVATE_SECONDARY))
		return 0;
	return (uint32_t)mock_cur_field(cpu, VMCS_SECONDARY_VM_EXEC_CONTROL);
}

/* -------------------------------------------------------- common checks */

enum gate { GATE_RUN, GATE_DONE, GATE_EXIT };

struct prefix_rules {
	const char *not_in_vmx, *pe, *v86, *compat, *cpl;
};

#define PREFIX_RULES(N)                                                        \
	{                                                                      \
#N ".ud_not_in_vmx", #N ".ud_cr0_pe", #N ".ud_v86",            \
			#N ".ud_compat_mode", #N ".gp_cpl"                     \
	}

/*
 * The prefix every VMX instruction but VMXON and VMCALL shares (SDM Vol.
 * 3C 31.3): #UD outside VMX operation, with CR0.PE = 0, in virtual-8086
 * mode or in compatibility mode; VM exit in VMX non-root; #GP(0) if CPL > 0.
 */
static enum gate prefix(struct mock_cpu *c, enum mock_op op,
			const struct prefix_rules *r, vmx_result_t *out)
{
	const char *ud = NULL;

	if (c->vmx == MOCK_VMX_OUTSIDE)
		ud = r->not_in_vmx;
	else if (!(c->regs.cr0 & X86_CR0_PE))
		ud = r->pe;
	else if (c->regs.rflags & X86_RFLAGS_VM)
		ud = r->v86;
	else if ((mock_efer(c) & X86_EFER_LMA) &&
		 !(c->regs.seg[MOCK_SEG_CS].ar & AR_L))
		ud = r->compat;
	if (ud) {
		*out = mock_raise(op, X86_VEC_UD, ud,
				  "#UD: VMX instruction not allowed here");
		return GATE_DONE;
	}
	if (c->vmx == MOCK_VMX_NONROOT)
		return GATE_EXIT;
	if (c->regs.cpl > 0) {
		*out = mock_raise(op, X86_VEC_GP, r->cpl, "#GP(0): CPL > 0");
		return GATE_DONE;
	}
	return GATE_RUN;
}

/*
 * A VMX instruction executed in VMX non-root: a VM exit with its reason
 * (SDM Vol. 3C 26.1.2). The guest sees the outcome the VMM emulated in
 * the guest's RFLAGS, or the exception it injected.
 */
static vmx_result_t guest_vmx_exit(struct mock_cpu *c, enum mock_op op,
				   uint32_t reason, uint32_t len,
				   struct intrin_gprs *gprs)
{
	struct mock_guest_insn insn = {.reason = reason, .len = len};

	if (gprs)
		insn.gprs = *gprs;
	int rc = mock_guest_insn_exit(&insn, NULL);
	if (gprs)
		*gprs = insn.gprs;
	if (rc < 0)
		return (vmx_result_t){VMX_EXCEPTION, X86_VEC_UD};
	c = mock_cur();
	int vec = rc == 0 ? mock_injected_exception(c) : -1;
	if (vec >= 0)
		return mock_raise(
			op, (uint32_t)vec, "GUEST.injected_exception",
			"the VMM injected an exception into the guest "
			"for its VMX instruction");
	if (c->regs.rflags & X86_RFLAGS_CF)
		return (vmx_result_t){VMX_FAIL_INVALID, 0};
	if (c->regs.rflags & X86_RFLAGS_ZF)
		return (vmx_result_t){VMX_FAIL_VALID, 0};
	return (vmx_result_t){VMX_SUCCEED, 0};
}

static bool addr_bad(uint64_t pa)
{
	return (pa & 0xFFF) || mock_pa_too_wide(pa);
}

static uint32_t read_revision(uint64_t pa)
{
	uint32_t rev;
	(void)mock_mem_read(pa, &rev, sizeof(rev));
	return rev;
}

/*
 * The 64-bit pointer operand of VMXON/VMCLEAR/VMPTRLD: the intrinsic's
 * argument, or, when mock_operand_at armed it, the quadword at the
 * operand's linear address (paging.c). False after #GP/#SS/#PF (in @p r).
 */
static bool fetch_ptr(struct mock_cpu *c, enum mock_op op,
		      const struct mock_operand *o, uint64_t *pa,
		      vmx_result_t *r)
{
	return !o->mem || mock_operand_read(c, op, o, pa, sizeof(*pa), r);
}

static uint32_t vmcs_revision(const struct mock_cpu *c)
{
	return (uint32_t)(mock_msr_value(c, MSR_IA32_VMX_BASIC) &
			  VMX_BASIC_REVISION_MASK);
}

#define FINISH(op, a0, a1, r, inj)                                             \
	do {                                                                   \
		mock_record((op), (a0), (a1), (r), (inj));                     \
		return (r);                                                    \
	} while (0)

static vmx_result_t injected(struct mock_cpu *c, enum mock_op op, uint64_t a0,
			     uint64_t a1, vmx_result_t r)
{
	c->last_rule = "INJECTED";
	if (r.outcome == VMX_FAIL_VALID)
		(void)mock_vm_fail_valid(c, r.error);
	else if (r.outcome == VMX_FAIL_INVALID)
		(void)mock_vm_fail_invalid(c);
	FINISH(op, a0, a1, r, true);
}

/* ------------------------------------------------------------- VMXON */

/* SDM Vol. 3C 31.3 VMXON; VMX-CHECKS.md "VMXON (in order)". */
static vmx_result_t do_vmxon(struct mock_cpu *c, uint64_t pa,
			     const struct mock_operand *o)
{
	const char *ud = NULL;
	vmx_result_t fault;

	if (!(c->regs.cr0 & X86_CR0_PE))
		ud = "VMXON.ud_cr0_pe";
	else if (!(c->regs.cr4 & X86_CR4_VMXE))
		ud = "VMXON.ud_cr4_vmxe";
	else if (c->regs.rflags & X86_RFLAGS_VM)
		ud = "VMXON.ud_v86";
	else if ((mock_efer(c) & X86_EFER_LMA) &&
		 !(c->regs.seg[MOCK_SEG_CS].ar & AR_L))
		ud = "VMXON.ud_compat_mode";
	if (ud)
		return mock_raise(MOCK_OP_VMXON, X86_VEC_UD, ud,
				  "#UD: VMXON not allowed here");
	if (c->vmx == MOCK_VMX_NONROOT)
		return guest_vmx_exit(c, MOCK_OP_VMXON, EXIT_REASON_VMXON, 4,
				      NULL);
	if (c->vmx == MOCK_VMX_ROOT) {
		if (c->regs.cpl > 0)
			return mock_raise(MOCK_OP_VMXON, X86_VEC_GP,
					  "VMXON.gp_cpl", "#GP(0): CPL > 0");
		return vm_fail(c, VMXERR_VMXON_IN_ROOT, "VMXON.fail_in_root");
	}
	uint64_t f0 = mock_msr_value(c, MSR_IA32_VMX_CR0_FIXED0);
	uint64_t f1 = mock_msr_value(c, MSR_IA32_VMX_CR0_FIXED1);
	uint64_t g0 = mock_msr_value(c, MSR_IA32_VMX_CR4_FIXED0);
	uint64_t g1 = mock_msr_value(c, MSR_IA32_VMX_CR4_FIXED1);
	uint64_t fc = mock_msr_value(c, MSR_IA32_FEATURE_CONTROL);
	const char *gp = NULL;

	if (c->regs.cpl > 0)
		gp = "VMXON.gp_cpl";
	else if (((c->regs.cr0 & f1) | f0) != c->regs.cr0)
		gp = "VMXON.gp_cr0_fixed"; /* SDM Vol. 3C 24.8, A.7 */
	else if (((c->regs.cr4 & g1) | g0) != c->regs.cr4)
		gp = "VMXON.gp_cr4_fixed"; /* SDM Vol. 3C 24.8, A.8 */
	else if (!(fc & FEATURE_CONTROL_LOCKED))
		gp = "VMXON.gp_feature_control_unlocked"; /* SDM 24.7 */
	else if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX))
		gp = "VMXON.gp_feature_control_outside_smx";
	if (gp)
		return mock_raise(MOCK_OP_VMXON, X86_VEC_GP, gp,
				  "#GP(0): VMXON preconditions not met");
	/* "addr := contents of 64-bit in-memory source operand" comes after
	 * the #GP(0) conditions, before the VMfailInvalid ones. */
	if (!fetch_ptr(c, MOCK_OP_VMXON, o, &pa, &fault))
		return fault;
	/* Outside VMX there is no current VMCS: every VMfail is Invalid. */
	if (pa & 0xFFF) {
		c->last_rule = "VMXON.fail_align";
		return mock_vm_fail_invalid(c);
	}
	if (mock_pa_too_wide(pa)) {
		c->last_rule = "VMXON.fail_width";
		return mock_vm_fail_invalid(c);
	}
	uint32_t rev = read_revision(pa);
	if ((rev & 0x7FFFFFFFu) != vmcs_revision(c) || (rev & BIT32(31))) {
		c->last_rule = "VMXON.fail_revision";
		return mock_vm_fail_invalid(c);
	}
	c->vmx = MOCK_VMX_ROOT;
	c->vmxon_ptr = pa;
	mock_vmcs_set_current(c, UINT64_MAX);
	return ok(c, "VMXON.ok");
}

vmx_result_t vmx_on(paddr_t region)
{
	struct mock_cpu *c = mock_cur();
	uint64_t pa = pa_addr(region);
	struct mock_operand o;
	vmx_result_t r;

	mock_operand_take(c, &o);
	if (mock_fault_check(MOCK_OP_VMXON, pa, 0, &r))
		return injected(c, MOCK_OP_VMXON, pa, 0, r);
	r = do_vmxon(c, pa, &o);
	FINISH(MOCK_OP_VMXON, pa, 0, r, false);
}

/* ------------------------------------------------------------- VMXOFF */

static const struct prefix_rules vmxoff_rules = PREFIX_RULES(VMXOFF);

vmx_result_t vmx_off(void)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r;

	c->vmxoff_failed = false;
	if (mock_fault_check(MOCK_OP_VMXOFF, 0, 0, &r)) {
		c->vmxoff_failed = !vmx_ok(r);
		return injected(c, MOCK_OP_VMXOFF, 0, 0, r);
	}
	switch (prefix(c, MOCK_OP_VMXOFF, &vmxoff_rules, &r)) {
	case GATE_DONE:
		break;
	case GATE_EXIT:
		r = guest_vmx_exit(c, MOCK_OP_VMXOFF, EXIT_REASON_VMXOFF, 3,
				   NULL);
		break;
	case GATE_RUN:
		/*
		 * SDM Vol. 3C 31.3 VMXOFF: error 23 only under the
		 * dual-monitor treatment, which the model never activates.
		 * VMCSs that are still active on this CPU were not written
		 * back by VMCLEAR: software must VMCLEAR every active VMCS
		 * before VMXOFF, otherwise they "may be corrupted" and their
		 * data undefined (SDM Vol. 3C 25.11.1). The model takes the
		 * conservative reading: it writes such a VMCS's field values
		 * to its region with the launch state "undefined" (the
		 * format in mock_internal.h), so VMLAUNCH fails with error 4
		 * and VMRESUME with error 6, "VMRESUME after VMXOFF (VMXOFF
		 * and VMXON between VMLAUNCH and VMRESUME)" (SDM Vol. 3C
		 * 31.4) until VMCLEAR makes it clear. Code that passes here
		 * therefore works whatever a real CPU left in memory.
		 */
		mock_vmcs_set_current(c, UINT64_MAX);
		for (struct mock_vmcs *v = mock_machine.vmcs_list, *next;
		     v && c->nactive > 0; v = next) {
			next = v->next;
			if (v->active_on != c->id + 1u)
				continue;
			(void)mock_vmcs_region_check(v);
			mock_vmcs_store_region(v, MOCK_LAUNCH_UNDEFINED);
			mock_vmcs_set_active(v, NULL);
			v->launch = MOCK_LAUNCH_UNDEFINED;
			if (v->current_on == 0)
				mock_vmcs_drop(v);
		}
		c->vmx = MOCK_VMX_OUTSIDE;
		c->vmxon_ptr = UINT64_MAX;
		r = ok(c, "VMXOFF.ok");
		break;
	}
	FINISH(MOCK_OP_VMXOFF, 0, 0, r, false);
}

/* ------------------------------------------------------------ VMCLEAR */

static const struct prefix_rules vmclear_rules = PREFIX_RULES(VMCLEAR);

/*
 * SDM Vol. 3C 31.3 VMCLEAR: "ensure that data for VMCS referenced by the
 * operand is in memory; initialize implementation-specific data in VMCS
 * region; launch state of VMCS referenced by the operand <- clear"; if it
 * was current, the current-VMCS pointer becomes invalid. A VMCS the
 * processor caches (active, 25.1) is written to its region in the model's
 * format (mock_internal.h) and forgotten: its data now lives in memory
 * only, where software may copy it (25.11.1: ordinary accesses are
 * allowed once it is clear). For a VMCS that is not active only the
 * launch state in the region changes.
 */
static void vmclear_effect(struct mock_cpu *c, uint64_t pa)
{
	struct mock_vmcs *v = mock_vmcs_find(pa);
	uint32_t clear = MOCK_LAUNCH_CLEAR;

	if (v == NULL) {
		(void)mock_mem_write(pa + MOCK_VMCS_FMT_LAUNCH, &clear,
				     sizeof(clear));
		return;
	}
	if (v->active_on != 0)
		(void)mock_vmcs_region_check(v);
	mock_vmcs_store_region(v, MOCK_LAUNCH_CLEAR);
	mock_vmcs_set_active(v, NULL); /* SDM 25.1: no longer active */
	if (pa == c->current_ptr)
		mock_vmcs_set_current(c, UINT64_MAX);
	if (v->current_on == 0) {
		mock_vmcs_drop(v);
		return;
	}
	/* Still current on another CPU (VMCLEAR from a CPU it was not
	 * active on): that CPU sees the region as now written. */
	mock_vmcs_load_region(v);
}

vmx_result_t vmx_clear(paddr_t vmcs)
{
	struct mock_cpu *c = mock_cur();
	uint64_t pa = pa_addr(vmcs);
	struct mock_operand o;
	vmx_result_t r;

	mock_operand_take(c, &o);
	if (mock_fault_check(MOCK_OP_VMCLEAR, pa, 0, &r))
		return injected(c, MOCK_OP_VMCLEAR, pa, 0, r);
	switch (prefix(c, MOCK_OP_VMCLEAR, &vmclear_rules, &r)) {
	case GATE_DONE:
		break;
	case GATE_EXIT:
		r = guest_vmx_exit(c, MOCK_OP_VMCLEAR, EXIT_REASON_VMCLEAR, 4,
				   NULL);
		break;
	case GATE_RUN:
		/* SDM Vol. 3C 31.3 VMCLEAR: the revision is not checked. */
		if (!fetch_ptr(c, MOCK_OP_VMCLEAR, &o, &pa, &r)) {
			break;
		} else if (addr_bad(pa)) {
			r = vm_fail(c, VMXERR_VMCLEAR_INVALID_ADDR,
				    (pa & 0xFFF) ? "VMCLEAR.fail_align"
						 : "VMCLEAR.fail_width");
		} else if (pa == c->vmxon_ptr) {
			r = vm_fail(c, VMXERR_VMCLEAR_VMXON_PTR,
				    "VMCLEAR.fail_vmxon_ptr");
		} else {
			vmclear_effect(c, pa);
			r = ok(c, "VMCLEAR.ok");
		}
		break;
	}
	FINISH(MOCK_OP_VMCLEAR, pa, 0, r, false);
}

/* ------------------------------------------------------------ VMPTRLD */

static const struct prefix_rules vmptrld_rules = PREFIX_RULES(VMPTRLD);

vmx_result_t vmx_ptrld(paddr_t vmcs)
{
	struct mock_cpu *c = mock_cur();
	uint64_t pa = pa_addr(vmcs);
	struct mock_operand o;
	vmx_result_t r;

	mock_operand_take(c, &o);
	if (mock_fault_check(MOCK_OP_VMPTRLD, pa, 0, &r))
		return injected(c, MOCK_OP_VMPTRLD, pa, 0, r);
	switch (prefix(c, MOCK_OP_VMPTRLD, &vmptrld_rules, &r)) {
	case GATE_DONE:
		break;
	case GATE_EXIT:
		r = guest_vmx_exit(c, MOCK_OP_VMPTRLD, EXIT_REASON_VMPTRLD, 3,
				   NULL);
		break;
	case GATE_RUN: {
		/* "addr := contents of 64-bit in-memory source operand"
		 * before the VMfail checks (SDM Vol. 3C 31.3 VMPTRLD). */
		if (!fetch_ptr(c, MOCK_OP_VMPTRLD, &o, &pa, &r))
			break;
		uint32_t rev = read_revision(pa);
		bool shadow_ok =
			mock_vmcs_feature_supported(c, VMCS_FEAT_SHADOW_VMCS);
		if (addr_bad(pa)) {
			r = vm_fail(c, VMXERR_VMPTRLD_INVALID_ADDR,
				    (pa & 0xFFF) ? "VMPTRLD.fail_align"
						 : "VMPTRLD.fail_width");
		} else if (pa == c->vmxon_ptr) {
			r = vm_fail(c, VMXERR_VMPTRLD_VMXON_PTR,
				    "VMPTRLD.fail_vmxon_ptr");
		} else if ((rev & 0x7FFFFFFFu) != vmcs_revision(c) ||
			   ((rev & BIT32(31)) && !shadow_ok)) {
			/* SDM 31.3 VMPTRLD: bit 31 only with VMCS shadowing. */
			r = vm_fail(c, VMXERR_VMPTRLD_BAD_REVISION,
				    "VMPTRLD.fail_revision");
		} else {
			/*
			 * SDM Vol. 3C 25.11.3: VMPTRLD reads the data of a
			 * VMCS that is not active from its region
			 * (mock_vmcs_get_or_create); one that is active
			 * stays as the processor caches it, and a write to
			 * its region meanwhile is undefined (25.11.1).
			 */
			struct mock_vmcs *v = mock_vmcs_find(pa);
			/*
			 * "No VMCS should ever be active on more than one
			 * logical processor ... A VMCS that is made active
			 * on more than one logical processor may become
			 * corrupted" (SDM Vol. 3C 25.11.1): reported; the
			 * model then shares its one cached copy.
			 */
			if (v && v->active_on != 0 &&
			    v->active_on != c->id + 1u)
				mock_undefined("VMCS.active_on_two_cpus",
					       "VMPTRLD of a VMCS active on "
					       "another CPU without VMCLEAR "
					       "there first: it may become "
					       "corrupted (SDM Vol. 3C "
					       "25.11.1)");
			if (v && v->active_on != 0)
				(void)mock_vmcs_region_check(v);
			else if (v)
				mock_vmcs_load_region(v);
			mock_vmcs_set_current(c, pa);
			/* SDM Vol. 3C 25.1: VMPTRLD makes the VMCS active. */
			mock_vmcs_set_active(c->cur_vmcs, c);
			r = ok(c, "VMPTRLD.ok");
		}
		break;
	}
	}
	FINISH(MOCK_OP_VMPTRLD, pa, 0, r, false);
}

/* ------------------------------------------------------------ VMPTRST */

static const struct prefix_rules vmptrst_rules = PREFIX_RULES(VMPTRST);

vmx_result_t vmx_ptrst(paddr_t *vmcs)
{
	struct mock_cpu *c = mock_cur();
	struct mock_operand o;
	vmx_result_t r;

	mock_operand_take(c, &o);
	if (mock_fault_check(MOCK_OP_VMPTRST, 0, 0, &r))
		return injected(c, MOCK_OP_VMPTRST, 0, 0, r);
	switch (prefix(c, MOCK_OP_VMPTRST, &vmptrst_rules, &r)) {
	case GATE_DONE:
		break;
	case GATE_EXIT:
		r = guest_vmx_exit(c, MOCK_OP_VMPTRST, EXIT_REASON_VMPTRST, 3,
				   NULL);
		break;
	case GATE_RUN:
		/* SDM Vol. 3C 31.3 VMPTRST: "64-bit in-memory destination
		 * operand := current-VMCS pointer"; a fault there leaves
		 * RFLAGS as it was. */
		if (o.mem &&
		    !mock_operand_write(c, MOCK_OP_VMPTRST, &o, &c->current_ptr,
					sizeof(c->current_ptr), &r))
			break;
		*vmcs = pa_init(c->current_ptr);
		r = ok(c, "VMPTRST.ok");
		break;
	}
	FINISH(MOCK_OP_VMPTRST, c->current_ptr, 0, r, false);
}

/* ------------------------------------------------------ VMREAD/VMWRITE */

/*
 * Whether @p field names a component this CPU has (SDM Vol. 3C 31.3
 * VMREAD/VMWRITE, 25.11.2): bits 63:32 clear, a known encoding, the high
 * access type only for 64-bit fields, and the feature present.
 */
static bool component_ok(const struct mock_cpu *c, uint64_t field)
{
	if (field >> 32)
		return false;
	uint32_t enc = (uint32_t)field;
	uint32_t full = enc & ~1u;
	int feat = field_feature(full);
	if (feat < 0)
		return false;
	if ((enc & 1u) && VMCS_ENC_WIDTH(full) != VMCS_WIDTH_64)
		return false;
	return mock_vmcs_feature_supported(c, (enum vmcs_feature)feat);
}

static uint64_t width_mask(uint32_t enc)
{
	switch (VMCS_ENC_WIDTH(enc)) {
	case VMCS_WIDTH_16:
		return 0xFFFFu;
	case VMCS_WIDTH_32:
		return 0xFFFFFFFFu;
	default:
		return UINT64_MAX;
	}
}

static const struct prefix_rules vmread_rules = PREFIX_RULES(VMREAD);
static const struct prefix_rules vmwrite_rules = PREFIX_RULES(VMWRITE);

/*
 * SDM Vol. 3C 26.1.3: VMREAD (VMWRITE) in VMX non-root causes a VM exit
 * if "VMCS shadowing" is 0, if bits 63:15 of the field operand are not
 * all 0, or if the bit of the VMREAD (VMWRITE) bitmap that bits 14:0
 * index is 1. Otherwise it accesses the shadow VMCS (25.10). The bitmap
 * is read from memory (unmapped: as the profile says, all ones: exit).
 */
bool mock_vmcs_shadow_exits(struct mock_cpu *c, uint64_t field, bool write)
{
	uint64_t bitmap;
	uint8_t byte;

	if (!(mock_proc2_ctls(c) & SEC_SHADOW_VMCS) || (field >> 15))
		return true;
	bitmap = mock_cur_field(c, write ? VMCS_VMWRITE_BITMAP
					 : VMCS_VMREAD_BITMAP);
	(void)mock_mem_read(bitmap + ((field & 0x7FFFu) >> 3), &byte, 1);
	return (byte >> (field & 7u)) & 1u;
}

/*
 * A component of the shadow VMCS that the VMCS link pointer references
 * (SDM Vol. 3C 25.10): in the processor's cached copy when that VMCS is
 * active, otherwise in its region in the model's format (mock_internal.h).
 */
static uint64_t shadow_get(uint64_t link, uint32_t enc)
{
	struct mock_vmcs *v = mock_vmcs_find(link);
	uint64_t x;

	if (v)
		return mock_vmcs_get(v, enc);
	(void)mock_mem_read(
		link + MOCK_VMCS_FMT_FIELDS +
			UINT64_C(8) * (unsigned)mock_vmcs_field_index(enc),
		&x, sizeof(x));
	return x & width_mask(enc);
}

static void shadow_set(uint64_t link, uint32_t enc, uint64_t value)
{
	struct mock_vmcs *v = mock_vmcs_find(link);

	if (v) {
		mock_vmcs_set(v, enc, value);
		return;
	}
	value &= width_mask(enc);
	(void)mock_mem_write(
		link + MOCK_VMCS_FMT_FIELDS +
			UINT64_C(8) * (unsigned)mock_vmcs_field_index(enc),
		&value, sizeof(value));
}

/*
 * VMREAD/VMWRITE in VMX non-root that does not exit (SDM Vol. 3C 31.3):
 * #GP(0) if CPL > 0; VMfailInvalid if the VMCS link pointer is all ones;
 * VMfailValid(12) for an unsupported component, (13) for VMWRITE of a
 * read-only one without IA32_VMX_MISC[29]; the error number goes to the
 * current VMCS, the one the guest runs on (31.2 VMfailValid). Else the
 * shadow VMCS is read or written.
 */
static vmx_result_t shadow_access(struct mock_cpu *c, enum mock_op op,
				  uint64_t field, uint64_t *value)
{
	bool write = op == MOCK_OP_VMWRITE;
	uint64_t link = mock_cur_field(c, VMCS_VMCS_LINK_POINTER);
	uint32_t enc = (uint32_t)field, full = enc & ~1u;

	if (c->regs.cpl > 0)
		return mock_raise(op, X86_VEC_GP,
				  write ? "VMWRITE.gp_cpl" : "VMREAD.gp_cpl",
				  "#GP(0): CPL > 0");
	if (link == UINT64_MAX) {
		c->last_rule = write ? "VMWRITE.fail_shadow_link"
				     : "VMREAD.fail_shadow_link";
		return mock_vm_fail_invalid(c);
	}
	if (!component_ok(c, field))
		return vm_fail(c, VMXERR_UNSUPPORTED_COMPONENT,
			       write ? "VMWRITE.fail_unsupported"
				     : "VMREAD.fail_unsupported");
	if (!write) {
		uint64_t v = shadow_get(link, full);
		*value = (enc & 1u) ? v >> 32 : v;
		return ok(c, "VMREAD.shadow");
	}
	if (vmcs_field_is_read_only(enc) &&
	    !(mock_msr_value(c, MSR_IA32_VMX_MISC) & VMX_MISC_VMWRITE_ANY))
		return vm_fail(c, VMXERR_VMWRITE_READ_ONLY,
			       "VMWRITE.fail_read_only");
	if (enc & 1u)
		shadow_set(link, full,
			   (shadow_get(link, full) & 0xFFFFFFFFu) |
				   (*value << 32));
	else
		shadow_set(link, full, *value);
	return ok(c, "VMWRITE.shadow");
}

/*
 * A VMREAD/VMWRITE memory operand where the guest reads the shadow VMCS
 * (VMX non-root): the guest's linear address space is not modelled.
 */
static void shadow_operand_unmodelled(const struct mock_operand *o)
{
	if (o->mem)
		mock_violation("OPERAND.nonroot_unmodelled",
			       "a memory operand of VMREAD/VMWRITE on the "
			       "shadow VMCS in VMX non-root: not modelled");
}

vmx_result_t vmx_vmread(uint64_t field, uint64_t *value)
{
	struct mock_cpu *c = mock_cur();
	struct mock_operand o;
	vmx_result_t r;

	mock_operand_take(c, &o);
	if (mock_fault_check(MOCK_OP_VMREAD, field, 0, &r))
		return injected(c, MOCK_OP_VMREAD, field, 0, r);
	switch (prefix(c, MOCK_OP_VMREAD, &vmread_rules, &r)) {
	case GATE_DONE:
		break;
	case GATE_EXIT: {
		if (!mock_vmcs_shadow_exits(c, field, false)) {
			shadow_operand_unmodelled(&o);
			r = shadow_access(c, MOCK_OP_VMREAD, field, value);
			break;
		}
		struct intrin_gprs g = {.rcx = field};
		r = guest_vmx_exit(c, MOCK_OP_VMREAD, EXIT_REASON_VMREAD, 3,
				   &g);
		*value = g.rax;
		break;
	}
	case GATE_RUN: {
		struct mock_vmcs *v = mock_current_vmcs(c);
		if (!v) {
			c->last_rule = "VMREAD.fail_no_current";
			r = mock_vm_fail_invalid(c);
		} else if (!component_ok(c, field)) {
			r = vm_fail(c, VMXERR_UNSUPPORTED_COMPONENT,
				    "VMREAD.fail_unsupported");
		} else {
			uint32_t enc = (uint32_t)field;
			uint64_t val = mock_vmcs_get(v, enc & ~1u);
			val = (enc & 1u) ? val >> 32 : val;
			/* SDM Vol. 3C 31.3 VMREAD: the destination is written
			 * last, after every VMfail check; outside 64-bit mode
			 * only its low 32 bits. A fault leaves RFLAGS. */
			if (o.mem &&
			    !mock_operand_write(c, MOCK_OP_VMREAD, &o, &val,
						mock_operand_size(c), &r))
				break;
			*value = val;
			r = ok(c, "VMREAD.ok");
		}
		break;
	}
	}
	FINISH(MOCK_OP_VMREAD, field, r.outcome == VMX_SUCCEED ? *value : 0, r,
	       false);
}

/*
 * VMWRITE's memory source (SDM Vol. 3C 31.3 VMWRITE: "any faults resulting
 * from accessing a memory source operand occur after determining ... that
 * the relevant VMCS pointer is valid but before determining if the
 * destination VMCS field is supported"): 64 bits in 64-bit mode, 32
 * outside it, zero-extended.
 */
static bool read_vmwrite_source(struct mock_cpu *c,
				const struct mock_operand *o, uint64_t *value,
				vmx_result_t *r)
{
	*value = 0;
	return mock_operand_read(c, MOCK_OP_VMWRITE, o, value,
				 mock_operand_size(c), r);
}

vmx_result_t vmx_vmwrite(uint64_t field, uint64_t value)
{
	struct mock_cpu *c = mock_cur();
	struct mock_operand o;
	vmx_result_t r;

	mock_operand_take(c, &o);
	if (mock_fault_check(MOCK_OP_VMWRITE, field, value, &r))
		return injected(c, MOCK_OP_VMWRITE, field, value, r);
	switch (prefix(c, MOCK_OP_VMWRITE, &vmwrite_rules, &r)) {
	case GATE_DONE:
		break;
	case GATE_EXIT: {
		if (!mock_vmcs_shadow_exits(c, field, true)) {
			shadow_operand_unmodelled(&o);
			r = shadow_access(c, MOCK_OP_VMWRITE, field, &value);
			break;
		}
		struct intrin_gprs g = {.rcx = field, .rax = value};
		r = guest_vmx_exit(c, MOCK_OP_VMWRITE, EXIT_REASON_VMWRITE, 3,
				   &g);
		break;
	}
	case GATE_RUN: {
		struct mock_vmcs *v = mock_current_vmcs(c);
		uint32_t enc = (uint32_t)field;
		if (!v) {
			c->last_rule = "VMWRITE.fail_no_current";
			r = mock_vm_fail_invalid(c);
		} else if (o.mem && !read_vmwrite_source(c, &o, &value, &r)) {
			/* #GP/#SS/#PF in r: the VMCS and RFLAGS unchanged. */
		} else if (!component_ok(c, field)) {
			r = vm_fail(c, VMXERR_UNSUPPORTED_COMPONENT,
				    "VMWRITE.fail_unsupported");
		} else if (vmcs_field_is_read_only(enc) &&
			   !(mock_msr_value(c, MSR_IA32_VMX_MISC) &
			     VMX_MISC_VMWRITE_ANY)) {
			r = vm_fail(c, VMXERR_VMWRITE_READ_ONLY,
				    "VMWRITE.fail_read_only");
		} else {
			uint32_t full = enc & ~1u;
			uint64_t nv;
			if (enc & 1u)
				nv = (mock_vmcs_get(v, full) & 0xFFFFFFFFu) |
				     (value << 32);
			else
				nv = value & width_mask(full);
			mock_vmcs_set(v, full, nv);
			r = ok(c, "VMWRITE.ok");
		}
		break;
	}
	}
	FINISH(MOCK_OP_VMWRITE, field, value, r, false);
}

/* ----------------------------------------------------- INVEPT/INVVPID */

static const struct prefix_rules invept_rules = PREFIX_RULES(INVEPT);
static const struct prefix_rules invvpid_rules = PREFIX_RULES(INVVPID);

/*
 * SDM Vol. 3C 31.3 INVEPT single-context: VMfail(28) "if VM entry with the
 * 'enable EPT' VM-execution control set to 1 would fail due to the EPTP
 * value", i.e. the EPTP checks of 27.2.1.1, the same five conditions as
 * entry_controls.c check_eptp (C10): memory type UC with
 * IA32_VMX_EPT_VPID_CAP[8] or WB with [14]; walk length 4 with [6] or 5
 * with [7]; A/D (bit 6) only with [21]; bits 11:7 zero; the address
 * within MAXPHYADDR.
 */
static bool eptp_valid(const struct mock_cpu *c, uint64_t eptp)
{
	uint64_t cap = mock_msr_value(c, MSR_IA32_VMX_EPT_VPID_CAP);
	unsigned type = eptp & 7u;
	unsigned walk = (unsigned)((eptp >> 3) & 7u) + 1u;

	if (!((type == 0 && (cap & BIT64(8))) ||
	      (type == 6 && (cap & BIT64(14)))))
		return false;
	if (!((walk == 4 && (cap & BIT64(6))) ||
	      (walk == 5 && (cap & BIT64(7)))))
		return false;
	if ((eptp & BIT64(6)) && !(cap & BIT64(21)))
		return false;
	if (eptp & 0xF80u)
		return false;
	return !mock_pa_too_wide(eptp & ~UINT64_C(0xFFF));
}

vmx_result_t vmx_invept(uint64_t type, const struct vmx_invept_desc *desc)
{
	struct mock_cpu *c = mock_cur();
	struct vmx_invept_desc d = *desc;
	struct mock_operand o;
	vmx_result_t r;

	mock_operand_take(c, &o);
	if (mock_fault_check(MOCK_OP_INVEPT, type, desc->eptp, &r))
		return injected(c, MOCK_OP_INVEPT, type, desc->eptp, r);
	uint64_t cap = mock_msr_value(c, MSR_IA32_VMX_EPT_VPID_CAP);
	/* SDM 31.3 INVEPT: #UD without EPT or without INVEPT support. */
	if (!mock_vmcs_feature_supported(c, VMCS_FEAT_EPT) ||
	    !(cap & BIT64(20))) {
		r = mock_raise(MOCK_OP_INVEPT, X86_VEC_UD,
			       "INVEPT.ud_unsupported",
			       "#UD: the CPU has no INVEPT");
		FINISH(MOCK_OP_INVEPT, type, desc->eptp, r, false);
	}
	switch (prefix(c, MOCK_OP_INVEPT, &invept_rules, &r)) {
	case GATE_DONE:
		break;
	case GATE_EXIT:
		r = guest_vmx_exit(c, MOCK_OP_INVEPT, EXIT_REASON_INVEPT, 5,
				   NULL);
		break;
	case GATE_RUN:
		/*
		 * 31.3 INVEPT: the type (register operand, all 64 bits in
		 * 64-bit mode) must be one IA32_VMX_EPT_VPID_CAP reports:
		 * bit 25 single-context (1), bit 26 all-context (2); any
		 * other value, 0 and 3 included, is VMfail(28). The type is
		 * checked before the descriptor is read.
		 */
		if (!((type == VMX_INVEPT_SINGLE_CONTEXT &&
		       (cap & BIT64(25))) ||
		      (type == VMX_INVEPT_ALL_CONTEXT && (cap & BIT64(26))))) {
			r = vm_fail(c, VMXERR_INVALID_INVEPT_INVVPID,
				    "INVEPT.fail_type");
		} else if (o.mem && !mock_operand_read(c, MOCK_OP_INVEPT, &o,
						       &d, sizeof(d), &r)) {
			/* "INVEPT_DESC := value of in-memory operand" after
			 * the type check (SDM Vol. 3C 31.3): #GP/#SS/#PF. */
		} else if (type == VMX_INVEPT_SINGLE_CONTEXT &&
			   !eptp_valid(c, d.eptp)) {
			r = vm_fail(c, VMXERR_INVALID_INVEPT_INVVPID,
				    "INVEPT.fail_eptp");
		} else {
			/*
			 * Figure 31-1: descriptor bits 127:64 are "reserved
			 * (must be zero)", yet the operation never checks
			 * them (no VMfail, unlike INVVPID's 63:16): what a
			 * CPU does with them is not defined, so the model
			 * reports it as undefined behaviour of the caller.
			 * All-context ignores the EPTP (31.3).
			 */
			if (d.reserved != 0)
				mock_undefined("INVEPT.desc_reserved",
					       "INVEPT descriptor bits 127:64 "
					       "are not zero (SDM Vol. 3C "
					       "Figure 31-1: must be zero)");
			mock_ept_tlb_invept(c->id, type, d.eptp);
			r = ok(c, "INVEPT.ok");
		}
		break;
	}
	FINISH(MOCK_OP_INVEPT, type, desc->eptp, r, false);
}

vmx_result_t vmx_invvpid(uint64_t type, const struct vmx_invvpid_desc *desc)
{
	struct mock_cpu *c = mock_cur();
	struct vmx_invvpid_desc d = *desc;
	struct mock_operand o;
	vmx_result_t r;

	mock_operand_take(c, &o);
	if (mock_fault_check(MOCK_OP_INVVPID, type, desc->vpid, &r))
		return injected(c, MOCK_OP_INVVPID, type, desc->vpid, r);
	uint64_t cap = mock_msr_value(c, MSR_IA32_VMX_EPT_VPID_CAP);
	/* SDM 31.3 INVVPID: #UD without VPID (IA32_VMX_PROCBASED_CTLS2[37]
	 * = 0) or without INVVPID (IA32_VMX_EPT_VPID_CAP[32] = 0). */
	if (!mock_vmcs_feature_supported(c, VMCS_FEAT_VPID) ||
	    !(cap & BIT64(32))) {
		r = mock_raise(MOCK_OP_INVVPID, X86_VEC_UD,
			       "INVVPID.ud_unsupported",
			       "#UD: the CPU has no INVVPID");
		FINISH(MOCK_OP_INVVPID, type, desc->vpid, r, false);
	}
	switch (prefix(c, MOCK_OP_INVVPID, &invvpid_rules, &r)) {
	case GATE_DONE:
		break;
	case GATE_EXIT:
		r = guest_vmx_exit(c, MOCK_OP_INVVPID, EXIT_REASON_INVVPID, 5,
				   NULL);
		break;
	case GATE_RUN:
		/*
		 * SDM Vol. 3C 31.3 INVVPID "Operation", in its order, each
		 * VMfailValid(28): a type the CPU does not support (A.10:
		 * IA32_VMX_EPT_VPID_CAP bits 40-43 for types 0-3); descriptor
		 * bits 63:16 not 0; VPID 0 for any type but all-context; a
		 * non-canonical address for individual-address. Then the
		 * invalidation of 28.3.3.1 (tlb.c).
		 */
		if (type > 3 || !(cap & BIT64(40 + type))) {
			r = vm_fail(c, VMXERR_INVALID_INVEPT_INVVPID,
				    "INVVPID.fail_type");
		} else if (o.mem && !mock_operand_read(c, MOCK_OP_INVVPID, &o,
						       &d, sizeof(d), &r)) {
			/* "INVVPID_DESC := value of memory operand" after the
			 * type check (SDM Vol. 3C 31.3): #GP/#SS/#PF. */
		} else if (d.vpid >> 16) {
			r = vm_fail(c, VMXERR_INVALID_INVEPT_INVVPID,
				    "INVVPID.fail_reserved");
		} else if (type != VMX_INVVPID_ALL_CONTEXT &&
			   (d.vpid & 0xFFFF) == 0) {
			r = vm_fail(c, VMXERR_INVALID_INVEPT_INVVPID,
				    "INVVPID.fail_vpid0");
		} else if (type == VMX_INVVPID_INDIVIDUAL_ADDR &&
			   !mock_is_canonical(d.linear_address)) {
			r = vm_fail(c, VMXERR_INVALID_INVEPT_INVVPID,
				    "INVVPID.fail_noncanonical");
		} else {
			mock_tlb_invvpid(c, type, desc);
			r = ok(c, "INVVPID.ok");
		}
		break;
	}
	FINISH(MOCK_OP_INVVPID, type, desc->vpid, r, false);
}

/* -------------------------------------------------------------- VMCALL */

/*
 * SDM Vol. 3C 31.3 VMCALL: #UD outside VMX operation; VM exit in non-root;
 * #UD in virtual-8086 or compatibility mode; #GP(0) if CPL > 0; without
 * the dual-monitor treatment (IA32_SMM_MONITOR_CTL[0] = 0) VMfail(1).
 */
vmx_result_t vmx_vmcall(struct vmx_vmcall_regs *regs)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r;

	if (mock_fault_check(MOCK_OP_VMCALL, regs->rax, 0, &r))
		return injected(c, MOCK_OP_VMCALL, regs->rax, 0, r);
	if (c->vmx == MOCK_VMX_OUTSIDE) {
		r = mock_raise(MOCK_OP_VMCALL, X86_VEC_UD,
			       "VMCALL.ud_not_in_vmx",
			       "#UD: VMCALL outside VMX operation");
	} else if (c->vmx == MOCK_VMX_NONROOT) {
		struct intrin_gprs g = {.rax = regs->rax,
					.rbx = regs->rbx,
					.rcx = regs->rcx,
					.rdx = regs->rdx,
					.rsi = regs->rsi,
					.rdi = regs->rdi,
					.r8 = regs->r8,
					.r9 = regs->r9};
		r = guest_vmx_exit(c, MOCK_OP_VMCALL, EXIT_REASON_VMCALL, 3,
				   &g);
		regs->rax = g.rax;
		regs->rbx = g.rbx;
		regs->rcx = g.rcx;
		regs->rdx = g.rdx;
		regs->rsi = g.rsi;
		regs->rdi = g.rdi;
		regs->r8 = g.r8;
		regs->r9 = g.r9;
	} else if ((c->regs.rflags & X86_RFLAGS_VM) ||
		   ((mock_efer(c) & X86_EFER_LMA) &&
		    !(c->regs.seg[MOCK_SEG_CS].ar & AR_L))) {
		r = mock_raise(
			MOCK_OP_VMCALL, X86_VEC_UD, "VMCALL.ud_mode",
			"#UD: VMCALL in virtual-8086/compatibility mode");
	} else if (c->regs.cpl > 0) {
		r = mock_raise(MOCK_OP_VMCALL, X86_VEC_GP, "VMCALL.gp_cpl",
			       "#GP(0): CPL > 0");
	} else {
		r = vm_fail(c, VMXERR_VMCALL_IN_ROOT, "VMCALL.fail_in_root");
	}
	FINISH(MOCK_OP_VMCALL, regs->rax, 0, r, false);
}

void mock_set_outer_vmm(mock_outer_vmm_fn fn, void *ctx)
{
	mock_machine.outer_vmm = fn;
	mock_machine.outer_vmm_ctx = ctx;
}

unsigned mock_outer_vmm_calls(void)
{
	return mock_machine.outer_vmm_calls;
}

/*
 * VMCALL with the whole register file, as a nested VMM forwards its
 * guest's hypercall. The rules of VMCALL above (SDM Vol. 3C 31.3); in VMX
 * root, a hypervisor below the emulated CPU (mock_set_outer_vmm) receives
 * the VM exit that VMCALL causes in ITS non-root operation (Vol. 3C
 * 26.1.2) and completes it; on bare metal, VMfailValid(1).
 */
vmx_result_t vmx_vmcall_outer(struct intrin_gprs *g)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r;

	if (mock_fault_check(MOCK_OP_VMCALL, g->rax, 1, &r))
		return injected(c, MOCK_OP_VMCALL, g->rax, 1, r);
	if (c->vmx == MOCK_VMX_OUTSIDE) {
		r = mock_raise(MOCK_OP_VMCALL, X86_VEC_UD,
			       "VMCALL.ud_not_in_vmx",
			       "#UD: VMCALL outside VMX operation");
	} else if (c->vmx == MOCK_VMX_NONROOT) {
		r = guest_vmx_exit(c, MOCK_OP_VMCALL, EXIT_REASON_VMCALL, 3, g);
	} else if (c->regs.cpl > 0) {
		r = mock_raise(MOCK_OP_VMCALL, X86_VEC_GP, "VMCALL.gp_cpl",
			       "#GP(0): CPL > 0");
	} else if (mock_machine.outer_vmm != NULL &&
		   mock_machine.outer_vmm((unsigned)(c - mock_machine.cpu), g,
					  mock_machine.outer_vmm_ctx)) {
		mock_machine.outer_vmm_calls++;
		r = ok(c, "VMCALL.outer_vmm");
	} else {
		r = vm_fail(c, VMXERR_VMCALL_IN_ROOT, "VMCALL.fail_in_root");
	}
	FINISH(MOCK_OP_VMCALL, g->rax, 1, r, false);
}
