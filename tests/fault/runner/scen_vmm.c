// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Whole libvmm runs in a scenario: check/start/stop (all CPUs or one),
 * guest events delivered as VM exits to libvmm's handler (or the raw
 * handler), the end-state expectations, and the fault sweep.
 */
#include <stdio.h>
#include <string.h>

#include "scen_run.h"
#include "vmm_internal.h"

/* ---------------------------------------------------------- libvmm calls */

void scen_do_vmm(struct scen_runner *r, const struct scen_cmd *c)
{
	unsigned prev = mock_current_cpu();
	const char *what = "check";
	int st;

	r->failed_cpu = UINT32_MAX;
	switch (c->op) {
	case SCEN_VMM_CHECK:
		st = vmm_check(&r->report);
		r->report_set = true;
		break;
	case SCEN_VMM_START:
		what = "start";
		st = vmm_start_all(&r->failed_cpu);
		break;
	case SCEN_VMM_STOP:
		what = "stop";
		st = vmm_stop_all();
		break;
	case SCEN_VMM_START_CPU:
		what = "start cpu";
		/* The CPU comes online (hotplug) and starts itself. */
		r->tp.offline &= ~(UINT64_C(1) << c->cpu);
		mock_set_current_cpu(c->cpu);
		st = vmm_start_cpu();
		mock_set_current_cpu(prev);
		break;
	default:
		what = "stop cpu";
		mock_set_current_cpu(c->cpu);
		st = vmm_stop_cpu();
		mock_set_current_cpu(prev);
		break;
	}
	r->status = st;
	r->status_set = true;
	if (c->has_expect) {
		if (st != (int)c->id)
			scen_fail(r, "%s: expected %s, got %s (%s)", what,
				  vmm_status_name((int)c->id),
				  vmm_status_name(st), vmm_status_str(st));
		if (c->sub == 1 && r->failed_cpu != c->cpu)
			scen_fail(r,
				  "%s: expected the failure on cpu %u, got "
				  "cpu %u",
				  what, c->cpu, r->failed_cpu);
	} else if (c->sub != 2 && st != VMM_OK) {
		scen_fail(r, "%s: expected OK, got %s (%s)", what,
			  vmm_status_name(st), vmm_status_str(st));
	}
}

/* ----------------------------------------------------------- guest events */

static uint64_t *gpr_at(struct intrin_gprs *g, unsigned i)
{
	uint64_t *const regs[] = {&g->rax, &g->rcx, &g->rdx, &g->rbx, &g->rbp,
				  &g->rsi, &g->rdi, &g->r8,  &g->r9,  &g->r10,
				  &g->r11, &g->r12, &g->r13, &g->r14, &g->r15};
	return regs[i];
}

static const char *const gpr_names[] = {"rax", "rcx", "rdx", "rbx", "rbp",
					"rsi", "rdi", "r8",  "r9",  "r10",
					"r11", "r12", "r13", "r14", "r15"};

static int deliver(struct scen_runner *r, const struct scen_cmd *c,
		   struct mock_exit_outcome *out, uint64_t *value)
{
	uint64_t a = c->nv > 0 ? scen_eval(r, &c->v[0]) : 0;
	uint64_t b = c->nv > 1 ? scen_eval(r, &c->v[1]) : 0;

	switch ((enum scen_event)c->sub) {
	case SCEN_E_CPUID:
		return mock_guest_cpuid((uint32_t)a, (uint32_t)b, NULL, out);
	case SCEN_E_RDMSR:
		return mock_guest_rdmsr(c->id, value, out);
	case SCEN_E_WRMSR:
		return mock_guest_wrmsr(c->id, a, out);
	case SCEN_E_VMCALL: {
		struct intrin_gprs g = {0};
		for (unsigned i = 0; i < c->nv; i++)
			*gpr_at(&g, c->items[i].reg) = c->items[i].num;
		return mock_guest_vmcall(&g, out);
	}
	case SCEN_E_XSETBV:
		return mock_guest_xsetbv((uint32_t)a, b, out);
	case SCEN_E_MOV_TO_CR:
		return mock_guest_mov_to_cr((unsigned)a, b, out);
	case SCEN_E_MOV_FROM_CR:
		return mock_guest_mov_from_cr((unsigned)a, value, out);
	case SCEN_E_HLT:
		return mock_guest_hlt(out);
	case SCEN_E_INVD:
		return mock_guest_invd(out);
	case SCEN_E_WBINVD:
		return mock_guest_wbinvd(out);
	case SCEN_E_EXCEPTION:
		return mock_guest_exception(c->id, (uint32_t)a, out);
	case SCEN_E_NMI:
		return mock_guest_nmi(out);
	case SCEN_E_INTR:
		return mock_guest_external_interrupt((uint32_t)a, out);
	case SCEN_E_INIT:
		return mock_guest_init(out);
	case SCEN_E_SIPI:
		return mock_guest_sipi((uint32_t)a, out);
	case SCEN_E_TRIPLE_FAULT:
		return mock_guest_triple_fault(out);
	case SCEN_E_VMX:
		return mock_guest_vmx_insn(c->id, out);
	case SCEN_E_GATED: {
		struct intrin_gprs g = {0};
		for (unsigned i = 0; i < c->nv; i++)
			*gpr_at(&g, c->items[i].reg) = c->items[i].num;
		return mock_guest_gated((enum mock_gated_insn)c->id, &g, out);
	}
	case SCEN_E_ACCESS: /* scen_do_access */
		break;
	}
	return -1;
}

void scen_do_guest(struct scen_runner *r, const struct scen_cmd *c)
{
	unsigned prev = mock_current_cpu();
	unsigned cpu = c->cpu == SCEN_CPU_CURRENT ? prev : c->cpu;
	unsigned first =
		c->sub == SCEN_E_VMCALL || c->sub == SCEN_E_GATED ? c->nv : 0;
	struct mock_exit_outcome out;
	uint64_t value = 0;
	bool want_exit = true;
	int rc;

	if (c->sub == SCEN_E_ACCESS) {
		scen_do_access(r, c, cpu);
		return;
	}
	memset(&out, 0, sizeof(out));
	for (unsigned i = first; i < c->nitems; i++)
		if (c->items[i].kind == SCEN_G_NOEXIT)
			want_exit = false;
	if (want_exit && mock_vmx_mode(cpu) != MOCK_VMX_NONROOT)
		scen_fail(r,
			  "guest event on cpu %u, which is not a guest "
			  "(vmx %s)",
			  cpu,
			  mock_vmx_mode(cpu) == MOCK_VMX_ROOT ? "root"
							      : "outside");
	mock_set_current_cpu(cpu);
	rc = deliver(r, c, &out, &value);
	mock_set_current_cpu(prev);
	if (want_exit && rc != 0)
		scen_fail(r, "the guest event caused no VM exit (its exiting "
			     "control is off, or the MSR is not intercepted)");
	if (!want_exit && rc == 0)
		scen_fail(r, "expected no VM exit, but the event exited");
	for (unsigned i = first; i < c->nitems; i++) {
		const struct scen_gitem *it = &c->items[i];
		uint64_t got;
		uint32_t vec = out.injected_info & INTR_INFO_VECTOR_MASK;

		switch (it->kind) {
		case SCEN_G_RESUME:
			if (out.action != INTRIN_EXIT_RESUME)
				scen_fail(r,
					  "expected the guest to be resumed, "
					  "but the handler left VMX");
			break;
		case SCEN_G_LEAVE:
			if (out.action != INTRIN_EXIT_LEAVE)
				scen_fail(r, "expected the handler to leave "
					     "VMX, but it resumed the guest");
			break;
		case SCEN_G_NOEXIT:
			break;
		case SCEN_G_INJECT:
			if (!out.injected || vec != it->num)
				scen_fail(r,
					  "expected injection of vector "
					  "%llu, got %s %u",
					  (unsigned long long)it->num,
					  out.injected ? "vector" : "none",
					  out.injected ? vec : 0);
			break;
		case SCEN_G_NOINJECT:
			if (out.injected)
				scen_fail(r,
					  "expected no injection, got "
					  "vector %u",
					  vec);
			break;
		case SCEN_G_TRAP:
			if (!out.debug_trap)
				scen_fail(r,
					  "expected a #DB after the VM entry "
					  "(pending debug exceptions %#llx)",
					  (unsigned long long)out.pending_dbg);
			break;
		case SCEN_G_NOTRAP:
			if (out.debug_trap)
				scen_fail(
					r,
					"expected no #DB after the VM entry, "
					"got one with DR6 bits %#llx",
					(unsigned long long)out.debug_trap_dr6);
			break;
		case SCEN_G_PENDING_DBG:
			if (out.pending_dbg != it->num)
				scen_fail(r,
					  "expected pending debug exceptions "
					  "%#llx at the VM entry, got %#llx",
					  (unsigned long long)it->num,
					  (unsigned long long)out.pending_dbg);
			break;
		case SCEN_G_REG:
			got = *gpr_at(&out.gprs, it->reg);
			if (it->low32)
				got &= 0xFFFFFFFFu;
			if (got != it->num)
				scen_fail(r, "expected %s%s = %#llx, got %#llx",
					  it->low32 ? "e" : "",
					  it->low32 ? gpr_names[it->reg] + 1
						    : gpr_names[it->reg],
					  (unsigned long long)it->num,
					  (unsigned long long)got);
			break;
		case SCEN_G_VALUE:
			if (value != it->num)
				scen_fail(r, "expected value %#llx, got %#llx",
					  (unsigned long long)it->num,
					  (unsigned long long)value);
			break;
		case SCEN_G_RIP:
			if (out.rip_after - out.rip_before != it->num)
				scen_fail(r,
					  "expected RIP to advance by %llu, "
					  "it advanced by %lld",
					  (unsigned long long)it->num,
					  (long long)(out.rip_after -
						      out.rip_before));
			break;
		case SCEN_G_FAULT:
			if (!out.faulted || out.fault_vector != it->num)
				scen_fail(r,
					  "expected the instruction to raise "
					  "vector %llu in the guest, got %s %u",
					  (unsigned long long)it->num,
					  out.faulted ? "vector" : "none",
					  out.faulted ? out.fault_vector : 0);
			break;
		case SCEN_G_NOFAULT:
			if (out.faulted)
				scen_fail(
					r,
					"expected the instruction to execute, "
					"it raised vector %u in the guest",
					out.fault_vector);
			break;
		case SCEN_G_EXIT:
			if (scen_last_exit.count == 0 ||
			    scen_last_exit.reason != it->num)
				scen_fail(r,
					  "expected exit reason %llu at the "
					  "raw handler, got %s %u",
					  (unsigned long long)it->num,
					  scen_last_exit.count ? "reason"
							       : "none",
					  scen_last_exit.reason);
			break;
		default: /* the items of "guest access": scen_ept.c */
			break;
		}
	}
}

/* ---------------------------------------------------------- expectations */

static void need_status(struct scen_runner *r)
{
	if (!r->status_set)
		scen_fail(r, "no libvmm call (check, start, stop) before this "
			     "expectation");
}

void scen_do_expect_vmm(struct scen_runner *r, const struct scen_cmd *c)
{
	switch (c->op) {
	case SCEN_EXPECT_STATUS:
		need_status(r);
		if (r->status != (int)c->id)
			scen_fail(r, "expected status %s, got %s (%s)",
				  vmm_status_name((int)c->id),
				  vmm_status_name(r->status),
				  vmm_status_str(r->status));
		break;
	case SCEN_EXPECT_FAILED_CPU:
		need_status(r);
		if (r->failed_cpu != c->id)
			scen_fail(r, "expected the failure on cpu %u, got %u",
				  c->id, r->failed_cpu);
		break;
	case SCEN_EXPECT_STATE:
		if ((unsigned)vmm_state() != c->id)
			scen_fail(r, "expected state %s, got %s",
				  scen_state_name(c->id),
				  scen_state_name((unsigned)vmm_state()));
		break;
	case SCEN_EXPECT_LOG:
		if (!test_platform_log_has(&r->tp, c->text))
			scen_fail(r, "no log line contains \"%s\"", c->text);
		break;
	case SCEN_EXPECT_REPORT: {
		const struct flank_check_item *it = NULL;
		if (!r->report_set)
			scen_fail(r, "no check before this expectation");
		for (uint32_t i = 0; i < r->report.count; i++)
			if (strcmp(r->report.item[i].name, c->name) == 0)
				it = &r->report.item[i];
		if (!it)
			scen_fail(r, "the report has no check named '%s'",
				  c->name);
		if (it->status != (int32_t)c->id)
			scen_fail(r, "report %s: expected %s, got %s (%s)",
				  c->name, vmm_status_name((int)c->id),
				  vmm_status_name(it->status), it->text);
		if (c->text[0] && !strstr(it->text, c->text))
			scen_fail(r,
				  "report %s: \"%s\" does not contain "
				  "\"%s\"",
				  c->name, it->text, c->text);
		break;
	}
	case SCEN_EXPECT_ENTRY_FAILURE: {
		struct vmm_entry_failure f;
		if (vmm_last_entry_failure(c->cpu, &f) != VMM_OK)
			scen_fail(r, "no VM-entry failure recorded on cpu %u",
				  c->cpu);
		if (f.error != c->id)
			scen_fail(r, "expected VM-instruction error %u, got %u",
				  c->id, f.error);
		if (c->nv &&
		    f.exit_reason != ((uint32_t)scen_eval(r, &c->v[0]) |
				      EXIT_REASON_ENTRY_FAILURE))
			scen_fail(r, "expected exit reason %llu, got %#x",
				  (unsigned long long)scen_eval(r, &c->v[0]),
				  f.exit_reason);
		break;
	}
	case SCEN_EXPECT_CPU: {
		/* "expect cpu N running 0|1" */
		unsigned a = c->cpu == SCEN_CPU_ALL	  ? 0
			     : c->cpu == SCEN_CPU_CURRENT ? mock_current_cpu()
							  : c->cpu;
		unsigned b = c->cpu == SCEN_CPU_ALL ? mock_cpu_count() : a + 1;
		for (unsigned cpu = a; cpu < b; cpu++) {
			struct flank_cpu_status st;
			if (vmm_cpu_status(cpu, &st) != VMM_OK)
				scen_fail(r, "no status for cpu %u", cpu);
			if (st.running != c->id)
				scen_fail(r,
					  "cpu %u: expected running %u, got "
					  "%u",
					  cpu, c->id, st.running);
		}
		break;
	}
	default:
		scen_fail(r, "internal: directive %d has no runner", c->op);
	}
}

/* ---------------------------------------------------------------- sweep */

/* Widest member first: MAX_POINTS of these, with no padding between. */
struct sweep_point {
	uint64_t arg;
	enum mock_op op;
	unsigned nth, cpu;
	bool first; /* First access to this MSR on this CPU. */
};

#define MAX_POINTS 2048u
static struct sweep_point points[MAX_POINTS];

/*
 * The calls of a start that can architecturally fail (mock_fail_nth) and
 * that start itself makes. VMREAD is left out: during a start on several
 * CPUs the only VMREADs are those of the exit handler on an already
 * virtualised CPU (CPU 0 runs as a guest while CPU 1 starts), and a failed
 * VMREAD there makes that CPU leave VMX by design (exit.c) while the
 * start goes on: not a start failure point.
 */
static bool failable(enum mock_op op)
{
	return op == MOCK_OP_VMXON || op == MOCK_OP_VMCLEAR ||
	       op == MOCK_OP_VMPTRLD || op == MOCK_OP_VMWRITE ||
	       op == MOCK_OP_VMLAUNCH || op == MOCK_OP_RDMSR ||
	       op == MOCK_OP_WRMSR || op == MOCK_OP_XSETBV ||
	       op == MOCK_OP_INVVPID;
}

/* The outcome injected at a point: the one a real CPU could give. */
static vmx_result_t point_outcome(enum mock_op op)
{
	switch (op) {
	case MOCK_OP_VMXON:
		return (vmx_result_t){VMX_FAIL_INVALID, 0};
	case MOCK_OP_VMCLEAR:
		return (vmx_result_t){VMX_FAIL_VALID,
				      VMXERR_VMCLEAR_INVALID_ADDR};
	case MOCK_OP_VMPTRLD:
		return (vmx_result_t){VMX_FAIL_VALID,
				      VMXERR_VMPTRLD_BAD_REVISION};
	case MOCK_OP_VMREAD:
	case MOCK_OP_VMWRITE:
		return (vmx_result_t){VMX_FAIL_VALID,
				      VMXERR_UNSUPPORTED_COMPONENT};
	case MOCK_OP_VMLAUNCH:
		return (vmx_result_t){VMX_FAIL_VALID,
				      VMXERR_ENTRY_INVALID_CONTROL};
	case MOCK_OP_INVVPID:
		return (vmx_result_t){VMX_FAIL_VALID,
				      VMXERR_INVALID_INVEPT_INVVPID};
	default: /* RDMSR, WRMSR, XSETBV */
		return (vmx_result_t){VMX_EXCEPTION, X86_VEC_GP};
	}
}

/*
 * The MTRRs (SDM Vol. 3A 12.11: IA32_MTRRCAP, the variable pairs, the
 * fixed ranges, IA32_MTRR_DEF_TYPE), read once by start for the EPT map:
 * unreadable, start goes on without EPT and logs why (docs/ept.md).
 */
static bool mtrr_msr(uint64_t msr)
{
	return msr == 0xFEu || (msr >= 0x200u && msr < 0x220u) ||
	       msr == 0x250u || msr == 0x258u || msr == 0x259u ||
	       (msr >= 0x268u && msr <= 0x26Fu) || msr == 0x2FFu;
}

/* The status that names the failed step (docs/scenarios.md, "sweep"). */
static int point_status(const struct sweep_point *p)
{
	switch (p->op) {
	case MOCK_OP_VMXON:
		return VMM_ERR_VMXON;
	case MOCK_OP_VMCLEAR:
		return VMM_ERR_VMCLEAR;
	case MOCK_OP_VMPTRLD:
		return VMM_ERR_VMPTRLD;
	case MOCK_OP_VMREAD:
		return VMM_ERR_VMREAD;
	case MOCK_OP_VMWRITE:
		return VMM_ERR_VMWRITE;
	case MOCK_OP_VMLAUNCH:
		return VMM_ERR_LAUNCH_CONTROLS;
	case MOCK_OP_WRMSR:
		return VMM_ERR_FEATURE_CONTROL_MSR;
	case MOCK_OP_INVVPID:
		return VMM_ERR_INVVPID;
	default:
		break;
	}
	/* Later reads of EFER are the host-state reads of the VMCS setup. */
	if (p->arg == MSR_IA32_EFER)
		return p->first ? VMM_ERR_NOT_LONG_MODE : VMM_ERR_HOST_MSR;
	if (p->arg == MSR_IA32_FEATURE_CONTROL)
		return VMM_ERR_FEATURE_CONTROL_MSR;
	if (mtrr_msr(p->arg))
		return VMM_OK;
	if (p->arg == MSR_IA32_VMX_BASIC)
		return VMM_ERR_VMX_BASIC_MSR;
	if (p->arg > MSR_IA32_VMX_BASIC &&
	    p->arg <= MSR_IA32_VMX_PROCBASED_CTLS3)
		return VMM_ERR_CAPABILITY_MSR;
	return VMM_ERR_HOST_MSR;
}

/* A fresh machine with the scenario's setup (the lines before the sweep). */
static void fresh(struct scen_runner *r, unsigned index)
{
	(void)scen_machine_down(r);
	scen_machine_up(r);
	for (unsigned i = 0; i < index; i++) {
		enum scen_op o = r->s->cmds[i].op;
		/* Replay the machine setup only (not sweeps, expectations). */
		if (o >= SCEN_CPU && o <= SCEN_INJECT_CLEAR &&
		    o != SCEN_INJECT_NTH)
			scen_exec_range(r, i, i + 1);
	}
	r->cur = &r->s->cmds[index];
	scen_snapshot(r);
}

static unsigned collect(struct scen_runner *r, const struct scen_cmd *c,
			unsigned index)
{
	unsigned seen[MOCK_OP_COUNT] = {0}, n = 0;
	static bool launched[MOCK_MAX_CPUS];
	uint32_t failed;
	int st;

	fresh(r, index);
	mock_trace_enable(true);
	mock_trace_clear();
	st = vmm_start_all(&failed);
	mock_trace_enable(false);
	if (st != VMM_OK)
		scen_fail(r, "sweep: the clean start fails: %s",
			  vmm_status_name(st));
	memset(launched, 0, sizeof(launched));
	for (size_t i = 0; i < mock_trace_len(); i++) {
		const struct mock_call *call = mock_trace_at(i);
		struct sweep_point *p;

		if (!failable(call->op))
			continue;
		seen[call->op]++;
		/*
		 * Once a CPU is launched, its further calls come from its
		 * exit handler (it runs as a guest while the next CPU
		 * starts): exit handling, not a start step.
		 */
		if (launched[call->cpu])
			continue;
		if (call->op == MOCK_OP_VMLAUNCH && vmx_ok(call->result))
			launched[call->cpu] = true;
		if (c->sub != MOCK_OP_COUNT && call->op != c->sub)
			continue;
		if (n == MAX_POINTS)
			scen_fail(r, "sweep: more than %u failure points",
				  MAX_POINTS);
		p = &points[n++];
		*p = (struct sweep_point){.arg = call->arg[0],
					  .op = call->op,
					  .nth = seen[call->op],
					  .cpu = call->cpu,
					  .first = true};
		for (unsigned k = 0; k + 1 < n; k++)
			if (points[k].op == p->op && points[k].arg == p->arg &&
			    points[k].cpu == p->cpu)
				p->first = false;
	}
	if (vmm_stop_all() != VMM_OK)
		scen_fail(r, "sweep: the clean stop fails");
	return n;
}

static void check_clean(struct scen_runner *r, const char *where)
{
	char why[256];

	if (vmm_state() != FLANK_STATE_LOADED)
		scen_fail(r, "%s: state %s, expected LOADED", where,
			  scen_state_name((unsigned)vmm_state()));
	for (unsigned cpu = 0; cpu < mock_cpu_count(); cpu++) {
		if (!scen_cpu_unchanged(r, cpu, why, sizeof(why)))
			scen_fail(r, "%s: cpu %u not restored: %s", where, cpu,
				  why);
	}
	/* LOADED: only the CPU table of init stays (VMM_PAGES_AT_INIT). */
	if (r->tp.pages_live != VMM_PAGES_AT_INIT)
		scen_fail(r, "%s: %u pages leaked", where,
			  r->tp.pages_live - VMM_PAGES_AT_INIT);
}

static void sweep_start(struct scen_runner *r, const struct scen_cmd *c,
			unsigned index)
{
	unsigned n = collect(r, c, index);
	char where[96];

	if (n == 0)
		scen_fail(r, "sweep: a clean start makes no call of %s",
			  mock_op_name((enum mock_op)c->sub));
	for (unsigned i = 0; i < n; i++) {
		const struct sweep_point *p = &points[i];
		int want = c->id != UINT32_MAX ? (int)c->id : point_status(p);
		uint32_t failed = UINT32_MAX;
		int st;

		snprintf(where, sizeof(where),
			 "sweep point %u/%u (%s #%u on "
			 "cpu %u, arg %#llx)",
			 i + 1, n, mock_op_name(p->op), p->nth, p->cpu,
			 (unsigned long long)p->arg);
		fresh(r, index);
		if (mock_fail_nth(p->op, p->nth, point_outcome(p->op)) != 0)
			scen_fail(r, "%s: cannot inject", where);
		st = vmm_start_all(&failed);
		if (st != want)
			scen_fail(r, "%s: expected %s, got %s", where,
				  vmm_status_name(want), vmm_status_name(st));
		if (st == VMM_OK) {
			/* Started without EPT: stop, then all as before. */
			if (vmm_stop_all() != VMM_OK)
				scen_fail(r, "%s: stop failed", where);
		} else if (failed != p->cpu) {
			scen_fail(r, "%s: the failure names cpu %u", where,
				  failed);
		}
		mock_fail_clear();
		check_clean(r, where);
	}
	printf("%s:%u: sweep start: %u failure points, each with its status, "
	       "every CPU restored, no page leaked\n",
	       r->s->file, c->line, n);
}

static void sweep_alloc(struct scen_runner *r, const struct scen_cmd *c,
			unsigned index)
{
	int want = c->id != UINT32_MAX ? (int)c->id : VMM_ERR_NO_MEMORY;
	uint32_t failed;
	unsigned n, per_cpu, ept, before;
	char where[64];

	fresh(r, index);
	/* The start's allocations, not init's (VMM_PAGES_AT_INIT). */
	before = r->tp.allocs;
	if (vmm_start_all(&failed) != VMM_OK)
		scen_fail(r, "sweep: the clean start fails");
	n = r->tp.allocs - before;
	/* The EPT map's pages come first, taken on the calling CPU (0). */
	ept = vmm_ctx.ept.pages;
	if (vmm_stop_all() != VMM_OK)
		scen_fail(r, "sweep: the clean stop fails");
	per_cpu = (n - ept) / mock_cpu_count();
	for (unsigned k = 1; k <= n; k++) {
		int st;

		snprintf(where, sizeof(where), "sweep alloc %u/%u", k, n);
		fresh(r, index);
		r->tp.fail_nth = r->tp.allocs + k;
		st = vmm_start_all(&failed);
		if (st != want)
			scen_fail(r, "%s: expected %s, got %s", where,
				  vmm_status_name(want), vmm_status_name(st));
		if (per_cpu &&
		    failed != (k <= ept ? 0 : (k - 1 - ept) / per_cpu))
			scen_fail(r,
				  "%s: the failure names cpu %u, expected "
				  "%u",
				  where, failed,
				  k <= ept ? 0 : (k - 1 - ept) / per_cpu);
		check_clean(r, where);
	}
	printf("%s:%u: sweep alloc: %u allocations failed one by one, each "
	       "%s, every CPU restored, no page leaked\n",
	       r->s->file, c->line, n, vmm_status_name(want));
}

void scen_do_sweep(struct scen_runner *r, const struct scen_cmd *c,
		   unsigned index)
{
	if (c->op == SCEN_SWEEP_ALLOC)
		sweep_alloc(r, c, index);
	else
		sweep_start(r, c, index);
	/* Leave a fresh machine for what follows (e.g. "expect leaks 0"). */
	fresh(r, index);
}
