// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VM entry (VMLAUNCH, VMRESUME) and the state transfers shared with VM
 * exits: loading guest state (SDM Vol. 3C 27.3.2), saving it (28.3) and
 * loading host state (28.5).
 *
 * Entry follows SDM Vol. 3C 31.3 VMLAUNCH/VMRESUME and chapter 27 in order:
 * VMfailInvalid without a current VMCS, 26 with MOV-SS blocking, 4/5 for
 * the launch state, then the checks of entry_*.c: controls (7), host state
 * (8), guest state (exit 33), MSR-load list (exit 34). Only an entry that
 * passes all of them marks the VMCS launched and enters VMX non-root.
 */
#include "mock_internal.h"

/* ------------------------------------------------------------ segments */

struct seg_fields {
	uint32_t sel, base, limit, ar;
};

static const struct seg_fields guest_seg[MOCK_SEG_COUNT] = {
	[MOCK_SEG_ES] = {VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_ES_BASE,
			 VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR_BYTES},
	[MOCK_SEG_CS] = {VMCS_GUEST_CS_SELECTOR, VMCS_GUEST_CS_BASE,
			 VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR_BYTES},
	[MOCK_SEG_SS] = {VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_SS_BASE,
			 VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR_BYTES},
	[MOCK_SEG_DS] = {VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_DS_BASE,
			 VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR_BYTES},
	[MOCK_SEG_FS] = {VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_FS_BASE,
			 VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR_BYTES},
	[MOCK_SEG_GS] = {VMCS_GUEST_GS_SELECTOR, VMCS_GUEST_GS_BASE,
			 VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR_BYTES},
	[MOCK_SEG_LDTR] = {VMCS_GUEST_LDTR_SELECTOR, VMCS_GUEST_LDTR_BASE,
			   VMCS_GUEST_LDTR_LIMIT, VMCS_GUEST_LDTR_AR_BYTES},
	[MOCK_SEG_TR] = {VMCS_GUEST_TR_SELECTOR, VMCS_GUEST_TR_BASE,
			 VMCS_GUEST_TR_LIMIT, VMCS_GUEST_TR_AR_BYTES},
};

/* AR bits the VMCS keeps (SDM Vol. 3C 25.4.1, Table 25-2). */
#define AR_DEFINED 0x1F0FFu

/* ---------------------------------------------------- guest state load */

void mock_load_guest_state(struct mock_cpu *c, const struct mock_vmcs *v)
{
	uint32_t entry = (uint32_t)mock_vmcs_get(v, VMCS_VM_ENTRY_CONTROLS);

	/* SDM Vol. 3C 27.3.2.1: control and debug registers, MSRs. CR2 is
	 * not in the guest-state area (25.4.1): neither entries nor exits
	 * touch it, so the guest runs with whatever the VMM left there. */
	c->regs.cr0 = mock_vmcs_get(v, VMCS_GUEST_CR0);
	c->regs.cr3 = mock_vmcs_get(v, VMCS_GUEST_CR3);
	c->regs.cr4 = mock_vmcs_get(v, VMCS_GUEST_CR4);
	if (entry & ENTRY_LOAD_DEBUG_CONTROLS) {
		c->regs.dr7 = mock_vmcs_get(v, VMCS_GUEST_DR7);
		mock_msr_put(c, MSR_IA32_DEBUGCTL,
			     mock_vmcs_get(v, VMCS_GUEST_IA32_DEBUGCTL));
	}
	mock_msr_put(c, MSR_IA32_SYSENTER_CS,
		     mock_vmcs_get(v, VMCS_GUEST_SYSENTER_CS));
	mock_msr_put(c, MSR_IA32_SYSENTER_ESP,
		     mock_vmcs_get(v, VMCS_GUEST_SYSENTER_ESP));
	mock_msr_put(c, MSR_IA32_SYSENTER_EIP,
		     mock_vmcs_get(v, VMCS_GUEST_SYSENTER_EIP));
	if (entry & ENTRY_LOAD_PERF_GLOBAL_CTRL)
		mock_msr_put(
			c, MSR_IA32_PERF_GLOBAL_CTRL,
			mock_vmcs_get(v, VMCS_GUEST_IA32_PERF_GLOBAL_CTRL));
	if (entry & ENTRY_LOAD_PAT)
		mock_msr_put(c, MSR_IA32_PAT,
			     mock_vmcs_get(v, VMCS_GUEST_IA32_PAT));
	if (entry & ENTRY_LOAD_EFER) {
		mock_msr_put(c, MSR_IA32_EFER,
			     mock_vmcs_get(v, VMCS_GUEST_IA32_EFER));
	} else {
		/* LMA := "IA-32e mode guest"; LME too when CR0.PG = 1. */
		uint64_t efer = mock_efer(c) & ~X86_EFER_LMA;
		if (entry & ENTRY_IA32E_MODE_GUEST)
			efer |= X86_EFER_LMA;
		if (c->regs.cr0 & X86_CR0_PG)
			efer = (efer & ~X86_EFER_LME) |
			       ((efer & X86_EFER_LMA) ? X86_EFER_LME : 0);
		mock_msr_put(c, MSR_IA32_EFER, efer);
	}
	/* SDM Vol. 3C 27.3.2.2: segment registers and descriptor tables. */
	for (unsigned s = 0; s < MOCK_SEG_COUNT; s++) {
		struct mock_segment *g = &c->regs.seg[s];
		g->selector = (uint16_t)mock_vmcs_get(v, guest_seg[s].sel);
		g->base = mock_vmcs_get(v, guest_seg[s].base);
		g->limit = (uint32_t)mock_vmcs_get(v, guest_seg[s].limit);
		g->ar = (uint32_t)mock_vmcs_get(v, guest_seg[s].ar) &
			AR_DEFINED;
	}
	c->regs.gdtr.base = mock_vmcs_get(v, VMCS_GUEST_GDTR_BASE);
	c->regs.gdtr.limit = (uint16_t)mock_vmcs_get(v, VMCS_GUEST_GDTR_LIMIT);
	c->regs.idtr.base = mock_vmcs_get(v, VMCS_GUEST_IDTR_BASE);
	c->regs.idtr.limit = (uint16_t)mock_vmcs_get(v, VMCS_GUEST_IDTR_LIMIT);
	mock_gs_note(c, "vm-entry");
	/* SDM Vol. 3C 27.3.2.3: RIP, RSP, RFLAGS; CPL is SS.DPL. */
	c->rip = mock_vmcs_get(v, VMCS_GUEST_RIP);
	c->rsp = mock_vmcs_get(v, VMCS_GUEST_RSP);
	c->regs.rflags = mock_vmcs_get(v, VMCS_GUEST_RFLAGS);
	c->regs.cpl = (c->regs.seg[MOCK_SEG_SS].ar >> AR_DPL_SHIFT) & 3u;
	c->guest_cpl = c->regs.cpl;
	c->activity = (uint32_t)mock_vmcs_get(v, VMCS_GUEST_ACTIVITY_STATE);
	c->halted = c->activity == ACTIVITY_HLT;
}

/* ------------------------------------------------------ guest state save */

void mock_save_guest_state(const struct mock_cpu *c, struct mock_vmcs *v)
{
	uint32_t exit = (uint32_t)mock_vmcs_get(v, VMCS_VM_EXIT_CONTROLS);
	uint32_t entry = (uint32_t)mock_vmcs_get(v, VMCS_VM_ENTRY_CONTROLS);

	/* SDM Vol. 3C 28.3.1-28.3.4. */
	mock_vmcs_set(v, VMCS_GUEST_CR0, c->regs.cr0);
	mock_vmcs_set(v, VMCS_GUEST_CR3, c->regs.cr3);
	mock_vmcs_set(v, VMCS_GUEST_CR4, c->regs.cr4);
	if (exit & EXIT_SAVE_DEBUG_CONTROLS) {
		mock_vmcs_set(v, VMCS_GUEST_DR7, c->regs.dr7);
		mock_vmcs_set(v, VMCS_GUEST_IA32_DEBUGCTL,
			      mock_msr_value(c, MSR_IA32_DEBUGCTL));
	}
	mock_vmcs_set(v, VMCS_GUEST_SYSENTER_CS,
		      mock_msr_value(c, MSR_IA32_SYSENTER_CS));
	mock_vmcs_set(v, VMCS_GUEST_SYSENTER_ESP,
		      mock_msr_value(c, MSR_IA32_SYSENTER_ESP));
	mock_vmcs_set(v, VMCS_GUEST_SYSENTER_EIP,
		      mock_msr_value(c, MSR_IA32_SYSENTER_EIP));
	if (exit & EXIT_SAVE_PAT)
		mock_vmcs_set(v, VMCS_GUEST_IA32_PAT,
			      mock_msr_value(c, MSR_IA32_PAT));
	if (exit & EXIT_SAVE_EFER)
		mock_vmcs_set(v, VMCS_GUEST_IA32_EFER, mock_efer(c));
	/* 28.2 (last paragraph): "IA-32e mode guest" := EFER.LMA. */
	entry = (mock_efer(c) & X86_EFER_LMA) ? entry | ENTRY_IA32E_MODE_GUEST
					      : entry & ~ENTRY_IA32E_MODE_GUEST;
	mock_vmcs_set(v, VMCS_VM_ENTRY_CONTROLS, entry);
	for (unsigned s = 0; s < MOCK_SEG_COUNT; s++) {
		const struct mock_segment *g = &c->regs.seg[s];
		mock_vmcs_set(v, guest_seg[s].sel, g->selector);
		mock_vmcs_set(v, guest_seg[s].base, g->base);
		mock_vmcs_set(v, guest_seg[s].limit, g->limit);
		mock_vmcs_set(v, guest_seg[s].ar, g->ar);
	}
	mock_vmcs_set(v, VMCS_GUEST_GDTR_BASE, c->regs.gdtr.base);
	mock_vmcs_set(v, VMCS_GUEST_GDTR_LIMIT, c->regs.gdtr.limit);
	mock_vmcs_set(v, VMCS_GUEST_IDTR_BASE, c->regs.idtr.base);
	mock_vmcs_set(v, VMCS_GUEST_IDTR_LIMIT, c->regs.idtr.limit);
	mock_vmcs_set(v, VMCS_GUEST_RIP, c->rip);
	mock_vmcs_set(v, VMCS_GUEST_RSP, c->rsp);
	mock_vmcs_set(v, VMCS_GUEST_RFLAGS, c->regs.rflags);
	/*
	 * SDM Vol. 3C 28.3.4: the activity state the guest was in. Shutdown
	 * and wait-for-SIPI persist until the VMM changes the field; HLT ends
	 * with the halt (the model wakes a halted CPU at once, io.c).
	 */
	uint32_t act = c->activity == ACTIVITY_SHUTDOWN ||
				       c->activity == ACTIVITY_WAIT_SIPI
			       ? c->activity
		       : c->halted ? ACTIVITY_HLT
				   : ACTIVITY_ACTIVE;
	mock_vmcs_set(v, VMCS_GUEST_ACTIVITY_STATE, act);
}

/* ------------------------------------------------------- host state load */

static void host_data_seg(struct mock_cpu *c, enum mock_seg s, uint16_t sel,
			  uint64_t base)
{
	struct mock_segment *g = &c->regs.seg[s];

	/* SDM Vol. 3C 28.5.2: null selectors make the register unusable. */
	g->selector = sel;
	g->base = base;
	g->limit = 0xFFFFFFFFu;
	g->ar = sel ? (0x3u | AR_S | AR_P | AR_DB | AR_G) : AR_UNUSABLE;
}

void mock_load_host_state(struct mock_cpu *c, const struct mock_vmcs *v)
{
	uint32_t exit = (uint32_t)mock_vmcs_get(v, VMCS_VM_EXIT_CONTROLS);
	bool l = (exit & EXIT_HOST_ADDR_SPACE_SIZE) != 0;

	/* SDM Vol. 3C 28.5.1: control and debug registers, MSRs. */
	c->regs.cr0 = mock_vmcs_get(v, VMCS_HOST_CR0);
	c->regs.cr3 = mock_vmcs_get(v, VMCS_HOST_CR3);
	c->regs.cr4 = mock_vmcs_get(v, VMCS_HOST_CR4);
	c->regs.dr7 = 0x400;
	mock_msr_put(c, MSR_IA32_DEBUGCTL, 0);
	mock_msr_put(c, MSR_IA32_SYSENTER_CS,
		     mock_vmcs_get(v, VMCS_HOST_IA32_SYSENTER_CS));
	mock_msr_put(c, MSR_IA32_SYSENTER_ESP,
		     mock_vmcs_get(v, VMCS_HOST_IA32_SYSENTER_ESP));
	mock_msr_put(c, MSR_IA32_SYSENTER_EIP,
		     mock_vmcs_get(v, VMCS_HOST_IA32_SYSENTER_EIP));
	if (exit & EXIT_LOAD_PERF_GLOBAL_CTRL)
		mock_msr_put(c, MSR_IA32_PERF_GLOBAL_CTRL,
			     mock_vmcs_get(v, VMCS_HOST_IA32_PERF_GLOBAL_CTRL));
	if (exit & EXIT_LOAD_PAT)
		mock_msr_put(c, MSR_IA32_PAT,
			     mock_vmcs_get(v, VMCS_HOST_IA32_PAT));
	if (exit & EXIT_LOAD_EFER) {
		mock_msr_put(c, MSR_IA32_EFER,
			     mock_vmcs_get(v, VMCS_HOST_IA32_EFER));
	} else {
		uint64_t efer = mock_efer(c) & ~(X86_EFER_LMA | X86_EFER_LME);
		mock_msr_put(c, MSR_IA32_EFER,
			     efer | (l ? X86_EFER_LMA | X86_EFER_LME : 0));
	}
	/* SDM Vol. 3C 28.5.2: segment registers and descriptor tables. */
	struct mock_segment *cs = &c->regs.seg[MOCK_SEG_CS];
	cs->selector = (uint16_t)mock_vmcs_get(v, VMCS_HOST_CS_SELECTOR);
	cs->base = 0;
	cs->limit = 0xFFFFFFFFu;
	cs->ar = 0xBu | AR_S | AR_P | AR_G | (l ? AR_L : AR_DB);
	host_data_seg(c, MOCK_SEG_SS,
		      (uint16_t)mock_vmcs_get(v, VMCS_HOST_SS_SELECTOR), 0);
	host_data_seg(c, MOCK_SEG_DS,
		      (uint16_t)mock_vmcs_get(v, VMCS_HOST_DS_SELECTOR), 0);
	host_data_seg(c, MOCK_SEG_ES,
		      (uint16_t)mock_vmcs_get(v, VMCS_HOST_ES_SELECTOR), 0);
	host_data_seg(c, MOCK_SEG_FS,
		      (uint16_t)mock_vmcs_get(v, VMCS_HOST_FS_SELECTOR),
		      mock_vmcs_get(v, VMCS_HOST_FS_BASE));
	host_data_seg(c, MOCK_SEG_GS,
		      (uint16_t)mock_vmcs_get(v, VMCS_HOST_GS_SELECTOR),
		      mock_vmcs_get(v, VMCS_HOST_GS_BASE));
	/* FS/GS bases are loaded even for null selectors (28.5.2). */
	c->regs.seg[MOCK_SEG_FS].base = mock_vmcs_get(v, VMCS_HOST_FS_BASE);
	c->regs.seg[MOCK_SEG_GS].base = mock_vmcs_get(v, VMCS_HOST_GS_BASE);
	struct mock_segment *tr = &c->regs.seg[MOCK_SEG_TR];
	tr->selector = (uint16_t)mock_vmcs_get(v, VMCS_HOST_TR_SELECTOR);
	tr->base = mock_vmcs_get(v, VMCS_HOST_TR_BASE);
	tr->limit = 0x67;
	tr->ar = 0xBu | AR_P;
	struct mock_segment *ldtr = &c->regs.seg[MOCK_SEG_LDTR];
	ldtr->selector = 0;
	ldtr->base = 0;
	ldtr->limit = 0;
	ldtr->ar = AR_UNUSABLE;
	c->regs.gdtr.base = mock_vmcs_get(v, VMCS_HOST_GDTR_BASE);
	c->regs.gdtr.limit = 0xFFFF;
	c->regs.idtr.base = mock_vmcs_get(v, VMCS_HOST_IDTR_BASE);
	c->regs.idtr.limit = 0xFFFF;
	/* SDM Vol. 3C 28.5.3: RIP, RSP, RFLAGS. */
	c->rip = mock_vmcs_get(v, VMCS_HOST_RIP);
	c->rsp = mock_vmcs_get(v, VMCS_HOST_RSP);
	c->regs.rflags = 0x2;
	c->regs.cpl = 0;
	c->halted = false;
	c->activity = ACTIVITY_ACTIVE;
	mock_gs_note(c, "vm-exit");
}

/* ----------------------------------------------------------------- entry */

static void verdict(struct mock_cpu *c, bool entered, vmx_result_t r,
		    uint32_t reason, uint64_t qual, const char *rule,
		    const char *citation)
{
	c->last_entry.entered = entered;
	c->last_entry.result = r;
	c->last_entry.exit_reason = reason;
	c->last_entry.qualification = qual;
	c->last_entry.rule = rule;
	c->last_entry.citation = citation;
	c->last_rule = rule;
}

static vmx_result_t refuse_valid(struct mock_cpu *c, uint32_t error,
				 const char *rule, const char *citation)
{
	vmx_result_t r = mock_vm_fail_valid(c, error);
	verdict(c, false, r, 0, 0, rule, citation);
	return r;
}

/*
 * SDM Vol. 3C 27.8: a failure while (or after) loading guest state is a
 * VM exit with bit 31 of the exit reason set. The guest state is not
 * saved and no MSRs are stored into the VM-exit MSR-store area; host
 * state is loaded as by a VM exit (28.5) and then the MSRs of the VM-exit
 * MSR-load area are loaded (28.6), a failure there being a VMX abort; the
 * VMCS is not launched.
 */
static vmx_result_t entry_failure(struct mock_cpu *c, struct mock_vmcs *v,
				  const struct mock_check_failure *f)
{
	uint32_t reason = f->exit_reason | EXIT_REASON_ENTRY_FAILURE;

	mock_vmcs_set(v, VMCS_VM_EXIT_REASON, reason);
	mock_vmcs_set(v, VMCS_EXIT_QUALIFICATION, f->qualification);
	mock_vmcs_set(v, VMCS_VM_EXIT_INTR_INFO, 0);
	mock_load_host_state(c, v);
	/* SDM Vol. 3C 28.5.5, as for any exit (tlb.c). */
	mock_tlb_vm_exit(c, v);
	mock_exit_load_msrs(c, v);
	c->vmx = MOCK_VMX_ROOT;
	c->regs.rflags &= ~(X86_RFLAGS_CF | X86_RFLAGS_ZF);
	vmx_result_t r = {VMX_FAIL_VALID, 0};
	verdict(c, false, r, reason, f->qualification, f->rule, f->citation);
	return r;
}

/*
 * SDM Vol. 3C 27.7.3 "Delivery of Pending Debug Exceptions after VM Entry".
 * Nothing is pending after the entry if it injects an external interrupt,
 * NMI, hardware or privileged software exception; or a software interrupt
 * or exception without blocking by MOV SS; or if it is not vectoring and
 * enters shutdown or wait-for-SIPI. Otherwise BS (14) or enable-breakpoint
 * (12) make the pending debug exceptions valid: a non-vectoring entry
 * delivers them as a #DB before the guest's first instruction (DR6 gets
 * B3-B0 and BS), unless blocking by MOV SS holds them pending. The model
 * keeps the CPU's pending state in the field itself: cleared when
 * delivered or discarded, kept when held (the next exit saves it, 28.3.4).
 */
static void pending_debug_after_entry(struct mock_cpu *c, struct mock_vmcs *v,
				      uint32_t info)
{
	uint64_t pend = mock_vmcs_get(v, VMCS_GUEST_PENDING_DBG_EXCEPTIONS);
	uint32_t intr =
		(uint32_t)mock_vmcs_get(v, VMCS_GUEST_INTERRUPTIBILITY_INFO);
	uint32_t type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	bool vectoring = (info & INTR_INFO_VALID) != 0;
	bool mov_ss = (intr & INTERRUPTIBILITY_MOV_SS) != 0;
	bool soft =
		type == INTR_TYPE_SOFT_INTR || type == INTR_TYPE_SOFT_EXCEPTION;

	c->entry_pending_dbg = pend;
	c->debug_trap = false;
	c->debug_trap_dr6 = 0;
	if ((vectoring && !soft) || (vectoring && !mov_ss) ||
	    (!vectoring && (c->activity == ACTIVITY_SHUTDOWN ||
			    c->activity == ACTIVITY_WAIT_SIPI))) {
		mock_vmcs_set(v, VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
		return;
	}
	if (!(pend & (PENDING_DBG_BS | PENDING_DBG_ENABLED_BP)))
		return;
	/* Held pending: by MOV SS, or behind a software event injected in
	 * a MOV-SS shadow (27.7.3, the vectoring case). */
	if (vectoring || mov_ss)
		return;
	c->debug_trap = true;
	c->debug_trap_dr6 = pend & (PENDING_DBG_B0_B3 | PENDING_DBG_BS);
	/* A #DB delivered in HLT wakes the CPU (SDM Vol. 3C 27.7.3 treats
	 * it as encountered in normal execution). */
	c->halted = false;
	c->activity = ACTIVITY_ACTIVE;
	mock_vmcs_set(v, VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
}
vmx_result_t mock_do_vmentry(struct mock_cpu *c, bool launch)
{
	struct mock_vmcs *v = mock_current_vmcs(c);
	struct mock_check_failure f = {0};
	const char *cite = launch ? "SDM Vol. 3C 31.3 VMLAUNCH"
				  : "SDM Vol. 3C 31.3 VMRESUME";

	if (!v) {
		vmx_result_t r = mock_vm_fail_invalid(c);
		verdict(c, false, r, 0, 0,
			launch ? "VMLAUNCH.fail_no_current"
			       : "VMRESUME.fail_no_current",
			cite);
		return r;
	}
	/*
	 * SDM Vol. 3C 27.1 (basic VM-entry checks): "If there is a current
	 * VMCS but the current VMCS is a shadow VMCS (see Section 25.10),
	 * RFLAGS.CF is set to 1": VMfailInvalid, before the MOV-SS check.
	 */
	if (v->shadow) {
		vmx_result_t r = mock_vm_fail_invalid(c);
		verdict(c, false, r, 0, 0,
			launch ? "VMLAUNCH.fail_shadow"
			       : "VMRESUME.fail_shadow",
			"SDM Vol. 3C 27.1");
		return r;
	}
	/* An ordinary write to the active region is undefined (25.11.1):
	 * reported; the entry uses the processor's cached data. */
	(void)mock_vmcs_region_check(v);
	if (c->blocked_by_mov_ss)
		return refuse_valid(c, VMXERR_ENTRY_MOV_SS_BLOCKING,
				    launch ? "VMLAUNCH.fail_mov_ss"
					   : "VMRESUME.fail_mov_ss",
				    cite);
	/*
	 * A VMCS left active across VMXOFF has an undefined launch state
	 * (see vmx_off() in vmx.c): VMRESUME reports error 6, VMLAUNCH the
	 * error of a non-clear VMCS, since memory may well say "launched".
	 */
	if (v->launch == MOCK_LAUNCH_UNDEFINED)
		return refuse_valid(
			c,
			launch ? VMXERR_VMLAUNCH_NONCLEAR
			       : VMXERR_VMRESUME_AFTER_VMXOFF,
			launch ? "VMLAUNCH.fail_after_vmxoff"
			       : "VMRESUME.fail_after_vmxoff",
			launch ? "SDM Vol. 3C 25.11.1, 31.3 VMLAUNCH"
			       : "SDM Vol. 3C 25.11.1, 31.4 error 6");
	if (launch && v->launch != MOCK_LAUNCH_CLEAR)
		return refuse_valid(c, VMXERR_VMLAUNCH_NONCLEAR,
				    "VMLAUNCH.fail_not_clear", cite);
	if (!launch && v->launch != MOCK_LAUNCH_LAUNCHED)
		return refuse_valid(c, VMXERR_VMRESUME_NONLAUNCHED,
				    "VMRESUME.fail_not_launched", cite);
	if (!mock_check_controls(c, v, &f))
		return refuse_valid(c, VMXERR_ENTRY_INVALID_CONTROL, f.rule,
				    f.citation);
	if (!mock_check_host_state(c, v, &f))
		return refuse_valid(c, VMXERR_ENTRY_INVALID_HOST_STATE, f.rule,
				    f.citation);
	if (!mock_check_guest_state(c, v, &f)) {
		if (!f.exit_reason)
			f.exit_reason = EXIT_REASON_INVALID_GUEST_STATE;
		return entry_failure(c, v, &f);
	}
	mock_load_guest_state(c, v);
	if (!mock_entry_load_msrs(c, v, &f)) {
		if (!f.exit_reason)
			f.exit_reason = EXIT_REASON_MSR_LOADING;
		return entry_failure(c, v, &f);
	}
	v->launch = MOCK_LAUNCH_LAUNCHED;
	c->vmx = MOCK_VMX_NONROOT;
	/* SDM Vol. 3C 27.3.2.5: what the entry invalidates (tlb.c). */
	mock_tlb_vm_entry(c, v);
	/* SDM Vol. 3C 27.6: the event in VM-entry interruption info. */
	uint32_t info = (uint32_t)mock_vmcs_get(v, VMCS_VM_ENTRY_INTR_INFO);
	c->injected_info = (info & INTR_INFO_VALID) ? info : 0;
	c->injected_error_code =
		(uint32_t)mock_vmcs_get(v, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE);
	pending_debug_after_entry(c, v, c->injected_info);
	/*
	 * Success is not VMsucceed: the CPU continues in the guest with
	 * RFLAGS loaded from GUEST_RFLAGS (SDM Vol. 3C 27.3.2.3), flags
	 * included. Clearing CF/ZF here hid a libvmm bug that Bochs showed
	 * (a VMCALL's outcome read from the guest's stale flags).
	 */
	vmx_result_t r = {VMX_SUCCEED, 0};
	verdict(c, true, r, 0, 0, launch ? "VMLAUNCH.ok" : "VMRESUME.ok", cite);
	return r;
}

/* -------------------------------------------------- the instructions */

static vmx_result_t enter(enum mock_op op, bool launch, bool here, uint64_t rip,
			  uint64_t rsp)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r;
	const char *name = launch ? "VMLAUNCH" : "VMRESUME";

	if (mock_fault_check(op, 0, 0, &r)) {
		c->last_rule = "INJECTED";
		if (r.outcome == VMX_FAIL_VALID)
			(void)mock_vm_fail_valid(c, r.error);
		else if (r.outcome == VMX_FAIL_INVALID)
			(void)mock_vm_fail_invalid(c);
		verdict(c, false, r, 0, 0, "INJECTED", "fault injection");
		mock_record(op, 0, 0, r, true);
		return r;
	}
	/* SDM Vol. 3C 31.3: the common #UD, VM exit and #GP conditions. */
	const char *ud = NULL;
	if (c->vmx == MOCK_VMX_OUTSIDE)
		ud = launch ? "VMLAUNCH.ud_not_in_vmx"
			    : "VMRESUME.ud_not_in_vmx";
	else if (!(c->regs.cr0 & X86_CR0_PE))
		ud = launch ? "VMLAUNCH.ud_cr0_pe" : "VMRESUME.ud_cr0_pe";
	else if (c->regs.rflags & X86_RFLAGS_VM)
		ud = launch ? "VMLAUNCH.ud_v86" : "VMRESUME.ud_v86";
	else if ((mock_efer(c) & X86_EFER_LMA) &&
		 !(c->regs.seg[MOCK_SEG_CS].ar & AR_L))
		ud = launch ? "VMLAUNCH.ud_compat_mode"
			    : "VMRESUME.ud_compat_mode";
	if (ud) {
		r = mock_raise(op, X86_VEC_UD, ud, "#UD: VM entry not allowed");
	} else if (c->vmx == MOCK_VMX_NONROOT) {
		struct mock_guest_insn insn = {
			.reason = launch ? EXIT_REASON_VMLAUNCH
					 : EXIT_REASON_VMRESUME,
			.len = 3};
		int rc = mock_guest_insn_exit(&insn, NULL);
		int vec = rc == 0 ? mock_injected_exception(mock_cur()) : -1;
		if (vec >= 0)
			r = mock_raise(op, (uint32_t)vec,
				       "GUEST.injected_exception",
				       "the VMM injected an exception into the "
				       "guest for its VM entry");
		else
			r = (vmx_result_t){rc < 0 ? VMX_EXCEPTION : VMX_SUCCEED,
					   0};
	} else if (c->regs.cpl > 0) {
		r = mock_raise(op, X86_VEC_GP,
			       launch ? "VMLAUNCH.gp_cpl" : "VMRESUME.gp_cpl",
			       "#GP(0): CPL > 0");
	} else {
		(void)name;
		if (here && mock_current_vmcs(c)) {
			/* What the real vmx_launch_here() writes first. */
			struct mock_vmcs *v = mock_current_vmcs(c);
			mock_vmcs_set(v, VMCS_GUEST_RIP, rip);
			mock_vmcs_set(v, VMCS_GUEST_RSP, rsp);
		}
		r = mock_do_vmentry(c, launch);
		/* On hardware an entry failure with exit reason bit 31 goes
		 * to HOST_RIP first (intrin_launch_here_entry_failed()). */
		if (here && r.outcome == VMX_FAIL_VALID && r.error == 0 &&
		    (c->last_entry.exit_reason & EXIT_REASON_ENTRY_FAILURE) &&
		    !mock_launch_here_entry_failure(c, rsp))
			r = (vmx_result_t){VMX_EXCEPTION, 0};
	}
	mock_record(op, 0, 0, r, false);
	return r;
}

vmx_result_t vmx_launch(void)
{
	return enter(MOCK_OP_VMLAUNCH, true, false, 0, 0);
}

vmx_result_t vmx_resume(void)
{
	return enter(MOCK_OP_VMRESUME, false, false, 0, 0);
}

__attribute__((noinline)) vmx_result_t vmx_launch_here(void)
{
	uint64_t rip = (uint64_t)(uintptr_t)__builtin_return_address(0);
	uint64_t rsp = (uint64_t)(uintptr_t)__builtin_frame_address(0) + 16;

	return enter(MOCK_OP_VMLAUNCH, true, true, rip, rsp);
}
