// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Raw instructions of a scenario: each executes the intrinsic on the
 * current CPU and compares its architectural outcome (VMsucceed,
 * VMfailInvalid, VMfailValid(n), #UD/#GP, or a VM-entry failure with its
 * exit reason) and, when given, the emulator's rule with the expectation.
 * Also "vmcs valid", "field" and the raw VM-exit handler.
 */
#include <stdio.h>
#include <string.h>

#include "scen_run.h"

struct scen_exit_record scen_last_exit;

static const enum mock_op insn_op[] = {
	[SCEN_I_VMXON] = MOCK_OP_VMXON,
	[SCEN_I_VMXOFF] = MOCK_OP_VMXOFF,
	[SCEN_I_VMCLEAR] = MOCK_OP_VMCLEAR,
	[SCEN_I_VMPTRLD] = MOCK_OP_VMPTRLD,
	[SCEN_I_VMPTRST] = MOCK_OP_VMPTRST,
	[SCEN_I_VMREAD] = MOCK_OP_VMREAD,
	[SCEN_I_VMWRITE] = MOCK_OP_VMWRITE,
	[SCEN_I_VMLAUNCH] = MOCK_OP_VMLAUNCH,
	[SCEN_I_VMRESUME] = MOCK_OP_VMRESUME,
	[SCEN_I_INVEPT] = MOCK_OP_INVEPT,
	[SCEN_I_INVVPID] = MOCK_OP_INVVPID,
	[SCEN_I_VMCALL] = MOCK_OP_VMCALL,
	[SCEN_I_RDMSR] = MOCK_OP_RDMSR,
	[SCEN_I_WRMSR] = MOCK_OP_WRMSR,
	[SCEN_I_XSETBV] = MOCK_OP_XSETBV,
	[SCEN_I_MOV_CR] = MOCK_OP_WRITE_CR,
};

static vmx_result_t safe_result(enum cpu_safe_status st)
{
	vmx_result_t r = {VMX_SUCCEED, 0};

	if (st != CPU_SAFE_OK)
		r = (vmx_result_t){VMX_EXCEPTION, X86_VEC_GP};
	return r;
}

/*
 * MOV to CR0/CR3/CR4/CR8 with the architectural rules of the model's
 * instruction (cpu.c: #GP(0) for reserved bits, CR4.VMXE cleared in VMX
 * operation, the IA32_VMX_CR0/CR4_FIXED bits in VMX operation, SDM Vol.
 * 3C 24.8, Vol. 2B MOV): the new value is OP applied to the register as
 * the CPU holds it. "set" writes the register without any of these.
 */
static void mov_to_cr(struct scen_runner *r, const struct scen_cmd *c)
{
	struct mock_cpu_regs g;
	uint64_t v = scen_eval(r, &c->v[0]), old;

	mock_cpu_get_regs(mock_current_cpu(), &g);
	switch ((enum scen_reg)c->id) {
	case SCEN_R_CR0:
		old = g.cr0;
		break;
	case SCEN_R_CR3:
		old = g.cr3;
		break;
	case SCEN_R_CR4:
		old = g.cr4;
		break;
	default:
		old = g.cr8;
		break;
	}
	v = c->assign == SCEN_A_SET  ? v
	    : c->assign == SCEN_A_OR ? old | v
				     : old & v;
	switch ((enum scen_reg)c->id) {
	case SCEN_R_CR0:
		cpu_write_cr0(v);
		break;
	case SCEN_R_CR3:
		cpu_write_cr3(v);
		break;
	case SCEN_R_CR4:
		cpu_write_cr4(v);
		break;
	default:
		cpu_write_cr8(v);
		break;
	}
}

/* Executes the instruction; @p value receives VMREAD/VMPTRST/RDMSR data. */
static vmx_result_t execute(struct scen_runner *r, const struct scen_cmd *c,
			    uint64_t *value)
{
	paddr_t pa;

	/* "mem OFFSET [seg SEG]": the instruction reaches its operand in
	 * the linear address space (mock_operand_at). */
	if (c->mem)
		mock_operand_at(c->mem_seg, scen_eval(r, &c->mem_off));
	switch ((enum scen_insn)c->sub) {
	case SCEN_I_VMXON:
		return vmx_on(pa_init(scen_eval(r, &c->v[0])));
	case SCEN_I_VMXOFF:
		return vmx_off();
	case SCEN_I_VMCLEAR:
		return vmx_clear(pa_init(scen_eval(r, &c->v[0])));
	case SCEN_I_VMPTRLD:
		return vmx_ptrld(pa_init(scen_eval(r, &c->v[0])));
	case SCEN_I_VMPTRST: {
		vmx_result_t res;
		pa = pa_init(0);
		res = vmx_ptrst(&pa);
		*value = pa_addr(pa);
		return res;
	}
	case SCEN_I_VMREAD:
		return vmx_vmread((uint64_t)c->id_hi << 32 | c->id, value);
	case SCEN_I_VMWRITE:
		return vmx_vmwrite((uint64_t)c->id_hi << 32 | c->id,
				   c->mem ? 0 : scen_eval(r, &c->v[0]));
	case SCEN_I_VMLAUNCH:
		return vmx_launch();
	case SCEN_I_VMRESUME:
		return vmx_resume();
	case SCEN_I_INVEPT: {
		struct vmx_invept_desc d = {c->mem ? 0 : scen_eval(r, &c->v[1]),
					    0};
		return vmx_invept(scen_eval(r, &c->v[0]), &d);
	}
	case SCEN_I_INVVPID: {
		struct vmx_invvpid_desc d = {
			c->mem ? 0 : scen_eval(r, &c->v[1]),
			c->mem ? 0 : scen_eval(r, &c->v[2])};
		return vmx_invvpid(scen_eval(r, &c->v[0]), &d);
	}
	case SCEN_I_VMCALL: {
		struct vmx_vmcall_regs regs = {0};
		return vmx_vmcall(&regs);
	}
	case SCEN_I_RDMSR:
		return safe_result(cpu_rdmsr_safe(c->id, value));
	case SCEN_I_WRMSR:
		return safe_result(
			cpu_wrmsr_safe(c->id, scen_eval(r, &c->v[0])));
	case SCEN_I_XSETBV:
		return safe_result(
			cpu_xsetbv_safe(c->id, scen_eval(r, &c->v[0])));
	case SCEN_I_MOV_CR:
		mov_to_cr(r, c);
		/* The outcome is the one the trace records (#GP or not). */
		return (vmx_result_t){VMX_SUCCEED, 0};
	}
	return (vmx_result_t){VMX_EXCEPTION, 0};
}

static const char *const outcome_names[] = {
	[SCEN_O_SUCCEED] = "succeed",
	[SCEN_O_FAIL_INVALID] = "fail_invalid",
	[SCEN_O_FAIL_VALID] = "fail_valid",
	[SCEN_O_EXCEPTION] = "exception",
	[SCEN_O_ENTRY_FAIL] = "entry_fail",
};

void scen_do_insn(struct scen_runner *r, const struct scen_cmd *c)
{
	static const struct scen_expect dflt = {.outcome = SCEN_O_SUCCEED};
	const struct scen_expect *ex = c->has_expect ? &c->ex : &dflt;
	enum mock_op op = insn_op[c->sub];
	const char *name = mock_op_name(op);
	bool safe = op == MOCK_OP_RDMSR || op == MOCK_OP_WRMSR ||
		    op == MOCK_OP_XSETBV;
	bool traced = safe || op == MOCK_OP_WRITE_CR;
	unsigned cpu = mock_current_cpu();
	uint64_t value = 0;
	vmx_result_t res;
	char got[48], want[48];
	bool ok;

	unsigned undef0 = mock_undefined_count();

	/* Declared undefined behaviour is recorded, not a failure. */
	mock_allow_undefined(ex->undefined[0] != '\0');
	/* Declared exceptions are recorded instead of failing the run. */
	if (ex->outcome == SCEN_O_EXCEPTION && !(safe && ex->num == X86_VEC_GP))
		mock_expect_exception(op, ex->num);
	if (traced) {
		/*
		 * The "_safe" forms only say "#GP or not"; the architectural
		 * outcome (#UD of XSETBV, say) is the one the trace records.
		 */
		mock_trace_enable(true);
		res = execute(r, c, &value);
		mock_trace_enable(false);
		if (mock_trace_len() > 0)
			res = mock_trace_at(mock_trace_len() - 1)->result;
	} else {
		res = execute(r, c, &value);
	}
	mock_allow_undefined(false);
	scen_outcome_str(res, got, sizeof(got));
	if (ex->undefined[0] != '\0') {
		const char *u = mock_last_undefined_rule();
		if (mock_undefined_count() == undef0)
			scen_fail(r,
				  "%s: expected undefined behaviour %s, the "
				  "model reported none",
				  name, ex->undefined);
		if (!u || strcmp(u, ex->undefined) != 0)
			scen_fail(r,
				  "%s: expected undefined behaviour %s, got "
				  "%s",
				  name, ex->undefined, u ? u : "none");
	}
	switch (ex->outcome) {
	case SCEN_O_SUCCEED:
		ok = res.outcome == VMX_SUCCEED;
		break;
	case SCEN_O_FAIL_INVALID:
		ok = res.outcome == VMX_FAIL_INVALID;
		break;
	case SCEN_O_FAIL_VALID:
		ok = res.outcome == VMX_FAIL_VALID && res.error == ex->num;
		break;
	case SCEN_O_EXCEPTION:
		ok = res.outcome == VMX_EXCEPTION && res.error == ex->num;
		break;
	default: {
		/* A VM-entry failure while loading guest state (SDM Vol. 3C
		 * 27.8): the backend reports VMfailValid with error 0. */
		const struct mock_entry_verdict *v = mock_last_entry(cpu);
		ok = res.outcome == VMX_FAIL_VALID && res.error == 0 &&
		     v->exit_reason == (ex->num | EXIT_REASON_ENTRY_FAILURE) &&
		     (!ex->has_qual || v->qualification == ex->qual);
		if (res.outcome == VMX_FAIL_VALID && res.error == 0)
			snprintf(got, sizeof(got), "entry_fail %u qual %llu",
				 v->exit_reason & 0xFFFFu,
				 (unsigned long long)v->qualification);
		break;
	}
	}
	if (ex->outcome == SCEN_O_FAIL_VALID)
		snprintf(want, sizeof(want), "fail_valid %u", ex->num);
	else if (ex->outcome == SCEN_O_EXCEPTION)
		snprintf(want, sizeof(want), "exception %u", ex->num);
	else if (ex->outcome == SCEN_O_ENTRY_FAIL)
		snprintf(want, sizeof(want), "entry_fail %u%s", ex->num,
			 ex->has_qual ? " with its qualification" : "");
	else
		snprintf(want, sizeof(want), "%s", outcome_names[ex->outcome]);
	if (!ok) {
		const char *rule = mock_last_vmx_rule(cpu);
		scen_fail(r, "%s: expected %s, got %s (rule %s)", name, want,
			  got, rule ? rule : "none");
	}
	if (ex->rule[0]) {
		const char *rule = mock_last_vmx_rule(cpu);
		if (!rule || strcmp(rule, ex->rule) != 0)
			scen_fail(r,
				  "%s: %s as expected, but by rule %s, not %s",
				  name, want, rule ? rule : "none", ex->rule);
	}
	if (ex->has_code && mock_last_exception_error_code() != ex->code)
		scen_fail(r,
			  "%s: %s as expected, but with error code %#x, not "
			  "%#x",
			  name, want, mock_last_exception_error_code(),
			  ex->code);
	if (ex->has_value) {
		uint64_t w = scen_eval(r, &ex->value);
		if (value != w)
			scen_fail(r, "%s: expected value %#llx, got %#llx",
				  name, (unsigned long long)w,
				  (unsigned long long)value);
	}
}

void scen_do_vmcs_valid(struct scen_runner *r, const struct scen_cmd *c)
{
	/* The fixture asserts every step; a failure names the field. */
	mock_test_vm_setup(&r->vm);
	r->vm_valid = true;
	r->pages[c->id + 0] = (struct scen_live_page){
		r->vm.vmxon, pa_addr(r->vm.vmxon_pa), false};
	r->pages[c->id + 1] = (struct scen_live_page){
		r->vm.vmcs, pa_addr(r->vm.vmcs_pa), false};
	r->pages[c->id + 2] = (struct scen_live_page){
		r->vm.stack, pa_addr(r->vm.stack_pa), false};
	r->pages[c->id + 3] = (struct scen_live_page){
		r->vm.msr_bitmap, pa_addr(r->vm.msr_bitmap_pa), false};
}

void scen_do_field(struct scen_runner *r, const struct scen_cmd *c)
{
	uint64_t old = 0, v = scen_eval(r, &c->v[0]), nv;
	vmx_result_t res = {VMX_SUCCEED, 0};
	char o[48];

	if (c->assign != SCEN_A_SET)
		res = vmx_vmread(c->id, &old);
	if (vmx_ok(res)) {
		nv = c->assign == SCEN_A_SET  ? v
		     : c->assign == SCEN_A_OR ? old | v
					      : old & v;
		res = vmx_vmwrite(c->id, nv);
	}
	if (!vmx_ok(res)) {
		scen_outcome_str(res, o, sizeof(o));
		scen_fail(r, "field %#x: VMREAD/VMWRITE failed: %s (rule %s)",
			  c->id, o,
			  mock_last_vmx_rule(mock_current_cpu())
				  ? mock_last_vmx_rule(mock_current_cpu())
				  : "none");
	}
}

/* ------------------------------------------------------ raw exit handler */

/*
 * What a minimal VMM does for an exit in a raw scenario: record reason,
 * qualification and instruction length, move GUEST_RIP past the
 * instruction (SDM Vol. 3C 28.2.5) and resume.
 */
static enum intrin_exit_action raw_handler(struct intrin_exit_frame *frame,
					   void *ctx)
{
	uint64_t reason = 0, qual = 0, len = 0, rip = 0;

	(void)frame;
	(void)ctx;
	(void)vmx_vmread(VMCS_VM_EXIT_REASON, &reason);
	(void)vmx_vmread(VMCS_EXIT_QUALIFICATION, &qual);
	(void)vmx_vmread(VMCS_VM_EXIT_INSTRUCTION_LEN, &len);
	(void)vmx_vmread(VMCS_GUEST_RIP, &rip);
	scen_last_exit.count++;
	scen_last_exit.reason = (uint32_t)reason & 0xFFFFu;
	scen_last_exit.qualification = qual;
	scen_last_exit.len = (uint32_t)len;
	(void)vmx_vmwrite(VMCS_GUEST_RIP, rip + len);
	return INTRIN_EXIT_RESUME;
}

/* VMRESUME failed after the raw handler: leave VMX where the guest was. */
static enum intrin_exit_action
raw_resume_failed(struct intrin_exit_frame *frame, void *ctx,
		  vmx_result_t result)
{
	uint64_t rip = 0, rsp = 0, rflags = 0;

	(void)ctx;
	(void)result;
	(void)vmx_vmread(VMCS_GUEST_RIP, &rip);
	(void)vmx_vmread(VMCS_GUEST_RSP, &rsp);
	(void)vmx_vmread(VMCS_GUEST_RFLAGS, &rflags);
	(void)vmx_off();
	frame->leave_rip = rip;
	frame->leave_rsp = rsp;
	frame->leave_rflags = rflags;
	return INTRIN_EXIT_LEAVE;
}

static struct scen_runner *no_handler_runner;

/*
 * "handler script": the scenario is the VMM. At a VM exit the lines that
 * follow the guest directive run here, in VMX root with the VMCS that
 * exited current and launched (SDM Vol. 3C 28: a VM exit leaves the
 * current VMCS current), up to a "return": resume (VMRESUME, by the exit
 * entry), advance (GUEST_RIP past the instruction first, SDM Vol. 3C
 * 28.2.5) or leave (VMXOFF if still in VMX, then continue outside at the
 * guest's RIP, RSP and RFLAGS as they were at the exit).
 */
static enum intrin_exit_action script_handler(struct intrin_exit_frame *frame,
					      void *ctx)
{
	struct scen_runner *r = no_handler_runner;
	const struct scen_cmd *outer = r->cur;
	uint64_t reason = 0, qual = 0, len = 0, rip = 0, rsp = 0, rflags = 0;

	(void)ctx;
	(void)vmx_vmread(VMCS_VM_EXIT_REASON, &reason);
	(void)vmx_vmread(VMCS_EXIT_QUALIFICATION, &qual);
	(void)vmx_vmread(VMCS_VM_EXIT_INSTRUCTION_LEN, &len);
	(void)vmx_vmread(VMCS_GUEST_RIP, &rip);
	(void)vmx_vmread(VMCS_GUEST_RSP, &rsp);
	(void)vmx_vmread(VMCS_GUEST_RFLAGS, &rflags);
	scen_last_exit.count++;
	scen_last_exit.reason = (uint32_t)reason & 0xFFFFu;
	scen_last_exit.qualification = qual;
	scen_last_exit.len = (uint32_t)len;
	r->in_handler++;
	for (;;) {
		const struct scen_cmd *c;

		if (r->pc >= r->s->ncmds)
			scen_fail(r,
				  "VM exit (reason %llu) to 'handler script', "
				  "but the scenario ends before its 'return'",
				  (unsigned long long)reason);
		c = &r->s->cmds[r->pc++];
		if (c->op != SCEN_RETURN) {
			scen_exec_at(r, r->pc - 1);
			continue;
		}
		r->in_handler--;
		r->cur = outer;
		if (c->id == 1)
			(void)vmx_vmwrite(VMCS_GUEST_RIP, rip + len);
		if (c->id != 2)
			return INTRIN_EXIT_RESUME;
		if (mock_vmx_mode(mock_current_cpu()) != MOCK_VMX_OUTSIDE)
			(void)vmx_off();
		frame->leave_rip = rip;
		frame->leave_rsp = rsp;
		frame->leave_rflags = rflags;
		return INTRIN_EXIT_LEAVE;
	}
}

/* A raw scenario without "handler advance": an exit is a scenario error
 * (libvmm's handler is linked, but there is no libvmm CPU context). */
static enum intrin_exit_action no_handler(struct intrin_exit_frame *frame,
					  void *ctx)
{
	uint64_t reason = 0;

	(void)frame;
	(void)ctx;
	(void)vmx_vmread(VMCS_VM_EXIT_REASON, &reason);
	scen_fail(no_handler_runner,
		  "VM exit (reason %llu) with no handler: add 'handler "
		  "advance' before the guest event",
		  (unsigned long long)reason);
}

static enum intrin_exit_action no_resume_failed(struct intrin_exit_frame *frame,
						void *ctx, vmx_result_t result)
{
	(void)result;
	return no_handler(frame, ctx);
}

void scen_raw_handlers_init(struct scen_runner *r)
{
	no_handler_runner = r;
	mock_set_exit_handlers(no_handler, no_resume_failed);
}

void scen_do_handler(struct scen_runner *r, const struct scen_cmd *c)
{
	no_handler_runner = r;
	if (c->id == 2)
		mock_set_exit_handlers(script_handler, raw_resume_failed);
	else if (c->id)
		mock_set_exit_handlers(raw_handler, raw_resume_failed);
	else
		scen_raw_handlers_init(r);
}
