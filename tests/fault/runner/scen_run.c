// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scenario runner: a fresh emulated machine per scenario, the machine
 * setup directives, the state expectations, and the dispatch of every
 * parsed directive in order. The first expectation that does not hold, or
 * an exception the scenario did not expect, ends the run with file:line.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scen_run.h"
#include "vmm_internal.h"

static struct scen_runner *active;

_Noreturn void scen_fail(struct scen_runner *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(r->err, r->err_size, "%s:%u: ", r->s->file,
		     r->cur ? r->cur->line : 0);
	if (n >= 0 && (size_t)n < r->err_size) {
		va_start(ap, fmt);
		vsnprintf(r->err + n, r->err_size - (size_t)n, fmt, ap);
		va_end(ap);
	}
	longjmp(r->fail, 1);
}

/* Exceptions nobody declared and model violations fail the scenario. */
static void on_exception(const char *rule, const char *message)
{
	scen_fail(active, "unexpected exception or model violation [%s]: %s",
		  rule, message);
}

void scen_outcome_str(vmx_result_t res, char *buf, size_t size)
{
	switch (res.outcome) {
	case VMX_SUCCEED:
		snprintf(buf, size, "succeed");
		break;
	case VMX_FAIL_INVALID:
		snprintf(buf, size, "fail_invalid");
		break;
	case VMX_FAIL_VALID:
		snprintf(buf, size, "fail_valid %u", res.error);
		break;
	default:
		snprintf(buf, size, "exception %u", res.error);
		break;
	}
}

uint64_t scen_eval(struct scen_runner *r, const struct scen_value *v)
{
	uint64_t out = 0;

	for (unsigned i = 0; i < v->nterms; i++) {
		const struct scen_term *t = &v->t[i];
		uint64_t x = t->num, basic = 0;

		if (t->kind == SCEN_T_PAGE) {
			if (!r->pages[t->page].pa)
				scen_fail(r, "page '%s' is not allocated",
					  r->s->pages[t->page].name);
			x = r->pages[t->page].pa + t->num;
		} else if (t->kind == SCEN_T_VAR) {
			x = r->vars[t->page] + t->num;
		} else if (t->kind == SCEN_T_REVISION) {
			(void)mock_msr_get(mock_current_cpu(),
					   MSR_IA32_VMX_BASIC, &basic);
			x = (basic & VMX_BASIC_REVISION_MASK) + t->num;
		}
		out |= t->invert ? ~x : x;
	}
	return out;
}

/* ------------------------------------------------------------ machine */

void scen_snapshot(struct scen_runner *r)
{
	for (unsigned c = 0; c < mock_cpu_count(); c++) {
		if (r->snap[c])
			mock_cpu_snapshot_free(r->snap[c]);
		r->snap[c] = mock_cpu_snapshot(c);
		mock_cpu_get_regs(c, &r->regs[c]);
		if (!mock_msr_get(c, MSR_IA32_FEATURE_CONTROL, &r->fc[c]))
			r->fc[c] = UINT64_MAX;
	}
}

#define STATUS_FLAGS                                                           \
	(X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF | X86_RFLAGS_ZF |       \
	 X86_RFLAGS_SF | X86_RFLAGS_OF)
/* TR limit after any VM exit (SDM Vol. 3C 28.5.2); docs/lifecycle.md. */
#define TR_LIMIT_AFTER_EXIT 0x67u

/*
 * CPU @p cpu equals its snapshot, with the allowances docs/lifecycle.md
 * documents: the arithmetic flags (clobbered by every VMX instruction,
 * SDM Vol. 3C 31.2), a TR limit of 0x67 (a VM exit sets it, SDM Vol. 3C
 * 28.5.2) and IA32_FEATURE_CONTROL locked with "VMX outside SMX" when it
 * was unlocked (start locks it, as KVM does). The CPU is left as found.
 */
bool scen_cpu_unchanged(struct scen_runner *r, unsigned cpu, char *why,
			size_t why_size)
{
	struct mock_cpu_regs now, orig;
	uint64_t fc = UINT64_MAX, fc0 = r->fc[cpu];
	bool fc_fixed = false, ok;

	if (!r->snap[cpu]) {
		snprintf(why, why_size, "no snapshot of cpu %u", cpu);
		return false;
	}
	if (mock_vmx_mode(cpu) != MOCK_VMX_OUTSIDE) {
		snprintf(why, why_size, "cpu %u is still in VMX operation",
			 cpu);
		return false;
	}
	mock_cpu_get_regs(cpu, &now);
	orig = now;
	now.rflags = (now.rflags & ~STATUS_FLAGS) |
		     (r->regs[cpu].rflags & STATUS_FLAGS);
	if (now.seg[MOCK_SEG_TR].limit == TR_LIMIT_AFTER_EXIT)
		now.seg[MOCK_SEG_TR].limit =
			r->regs[cpu].seg[MOCK_SEG_TR].limit;
	mock_cpu_set_regs(cpu, &now);
	(void)mock_msr_get(cpu, MSR_IA32_FEATURE_CONTROL, &fc);
	if (fc0 != UINT64_MAX && !(fc0 & FEATURE_CONTROL_LOCKED) &&
	    fc == (fc0 | FEATURE_CONTROL_LOCKED |
		   FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
		mock_msr_set(cpu, MSR_IA32_FEATURE_CONTROL, fc0);
		fc_fixed = true;
	}
	ok = mock_cpu_snapshot_equal(r->snap[cpu], cpu, why, why_size);
	mock_cpu_set_regs(cpu, &orig);
	if (fc_fixed)
		mock_msr_set(cpu, MSR_IA32_FEATURE_CONTROL, fc);
	return ok;
}

void scen_machine_up(struct scen_runner *r)
{
	mock_fixture_init(r->s->profile, r->s->ncpus);
	active = r;
	mock_set_exception_handler(on_exception);
	memset(r->pages, 0, sizeof(r->pages));
	memset(&r->vm, 0, sizeof(r->vm));
	r->vm_valid = false;
	r->status_set = r->report_set = false;
	memset(&scen_last_exit, 0, sizeof(scen_last_exit));
	if (r->s->uses_vmm) {
		int st;
		/* The emulator finds libvmm's handlers through weak
		 * references, which do not pull objects out of libvmm.a. */
		mock_set_exit_handlers(vmm_exit_handler,
				       vmm_exit_resume_failed);
		test_platform_init(&r->tp);
		st = vmm_init(&r->tp.p);
		if (st != VMM_OK)
			scen_fail(r, "vmm_init: %s", vmm_status_name(st));
		r->vmm_bound = true;
	} else {
		scen_raw_handlers_init(r);
	}
	r->up = true;
	r->snapped = false;
	scen_snapshot(r);
}

unsigned scen_machine_down(struct scen_runner *r)
{
	unsigned leaked = 0;

	if (!r->up)
		return 0;
	r->up = false;
	if (r->vmm_bound) {
		if (vmm_state() == FLANK_STATE_RUNNING)
			(void)vmm_stop_all();
		if (vmm_state() == FLANK_STATE_LOADED)
			(void)vmm_fini();
		leaked = test_platform_fini(&r->tp);
		/* A CORRUPT image keeps its state; the next machine must
		 * start from UNLOADED (the driver never reuses it). */
		if (vmm_state() != FLANK_STATE_UNLOADED)
			memset(&vmm_ctx, 0, sizeof(vmm_ctx));
		r->vmm_bound = false;
	}
	for (unsigned i = 0; i < SCEN_MAX_PAGES; i++) {
		if (r->pages[i].owned)
			mock_test_page_free(r->pages[i].host);
	}
	memset(r->pages, 0, sizeof(r->pages));
	scen_paging_free(r);
	if (r->vm_valid) {
		void *pages[] = {r->vm.vmxon, r->vm.vmcs, r->vm.stack,
				 r->vm.msr_bitmap};
		for (unsigned i = 0; i < 4; i++)
			if (pages[i])
				mock_test_page_free(pages[i]);
		r->vm_valid = false;
	}
	for (unsigned c = 0; c < MOCK_MAX_CPUS; c++) {
		if (r->snap[c])
			mock_cpu_snapshot_free(r->snap[c]);
		r->snap[c] = NULL;
	}
	if (mock_fixture_teardown(NULL) != 0)
		leaked++;
	return leaked;
}

/* ----------------------------------------------------- setup directives */

static void for_cpus(struct scen_runner *r, unsigned sel, unsigned *first,
		     unsigned *last)
{
	(void)r;
	if (sel == SCEN_CPU_ALL) {
		*first = 0;
		*last = mock_cpu_count();
	} else if (sel == SCEN_CPU_CURRENT) {
		*first = mock_current_cpu();
		*last = *first + 1;
	} else {
		*first = sel;
		*last = sel + 1;
	}
}

static uint64_t apply(enum scen_assign a, uint64_t old, uint64_t v)
{
	return a == SCEN_A_SET ? v : a == SCEN_A_OR ? old | v : old & v;
}

static uint64_t *reg_slot(struct mock_cpu_regs *g, enum scen_reg reg,
			  uint64_t *cpl)
{
	switch (reg) {
	case SCEN_R_CR0:
		return &g->cr0;
	case SCEN_R_CR3:
		return &g->cr3;
	case SCEN_R_CR4:
		return &g->cr4;
	case SCEN_R_CR8:
		return &g->cr8;
	case SCEN_R_DR7:
		return &g->dr7;
	case SCEN_R_RFLAGS:
		return &g->rflags;
	case SCEN_R_XCR0:
		return &g->xcr0;
	case SCEN_R_CR2:
		return &g->cr2;
	default:
		*cpl = g->cpl;
		return cpl;
	}
}

/* Part @p part (0 selector, 1 base, 2 limit, 3 AR) of segment @p seg. */
static uint64_t seg_get(const struct mock_cpu_regs *g, unsigned reg)
{
	const struct mock_segment *s = &g->seg[(reg - SCEN_R_SEG) / 4];

	switch ((reg - SCEN_R_SEG) % 4) {
	case 0:
		return s->selector;
	case 1:
		return s->base;
	case 2:
		return s->limit;
	default:
		return s->ar;
	}
}

/*
 * Writes a part of a segment register as setup: the hidden part (base,
 * limit, access rights) is written as given, the way a descriptor load
 * would leave it (SDM Vol. 3A 3.4.3), without checking it against the
 * GDT. Widths: selector 16 bits, limit and AR 32 bits.
 */
static void seg_set(struct scen_runner *r, struct mock_cpu_regs *g,
		    unsigned reg, uint64_t v)
{
	struct mock_segment *s = &g->seg[(reg - SCEN_R_SEG) / 4];
	unsigned part = (reg - SCEN_R_SEG) % 4;

	if ((part == 0 && v > UINT16_MAX) || (part >= 2 && v > UINT32_MAX))
		scen_fail(r,
			  "%s: %#llx does not fit (selector 16 bits, "
			  "limit and ar 32 bits)",
			  scen_reg_name((enum scen_reg)reg),
			  (unsigned long long)v);
	if (part == 0)
		s->selector = (uint16_t)v;
	else if (part == 1)
		s->base = v;
	else if (part == 2)
		s->limit = (uint32_t)v;
	else
		s->ar = (uint32_t)v;
}

static void do_set_reg(struct scen_runner *r, const struct scen_cmd *c)
{
	unsigned a, b;
	uint64_t v = scen_eval(r, &c->v[0]);

	for_cpus(r, c->cpu, &a, &b);
	for (unsigned cpu = a; cpu < b; cpu++) {
		struct mock_cpu_regs g;
		uint64_t cpl, *slot;

		mock_cpu_get_regs(cpu, &g);
		if (c->sub >= SCEN_R_SEG) {
			seg_set(r, &g, c->sub,
				apply(c->assign, seg_get(&g, c->sub), v));
			mock_cpu_set_regs(cpu, &g);
			continue;
		}
		slot = reg_slot(&g, (enum scen_reg)c->sub, &cpl);
		*slot = apply(c->assign, *slot, v);
		if (c->sub == SCEN_R_CPL) {
			if (*slot > 3)
				scen_fail(r, "CPL must be 0-3, not %llu",
					  (unsigned long long)*slot);
			g.cpl = (unsigned)*slot;
		}
		mock_cpu_set_regs(cpu, &g);
	}
}

static void do_set_msr(struct scen_runner *r, const struct scen_cmd *c)
{
	unsigned a, b;
	uint64_t v = scen_eval(r, &c->v[0]);

	for_cpus(r, c->cpu, &a, &b);
	for (unsigned cpu = a; cpu < b; cpu++) {
		uint64_t old = 0;
		(void)mock_msr_get(cpu, c->id, &old);
		mock_msr_set(cpu, c->id, apply(c->assign, old, v));
	}
}

/*
 * mode 64|compat|protected|v86|real: the control registers, IA32_EFER, CS
 * and RFLAGS of an operating mode (SDM Vol. 3A 2.2, 9.8.5): IA-32e mode is
 * EFER.LMA = 1 with CR0.PG and CR4.PAE; 64-bit mode adds CS.L = 1 (and
 * CS.D = 0), compatibility mode has CS.L = 0 (D = 1); protected mode has
 * EFER.LME = LMA = 0 and CR0.PE = 1 (paging stays as it was); virtual-8086
 * mode is protected mode with RFLAGS.VM = 1 and CPL 3; real-address mode
 * has CR0.PE = PG = 0. Setup, like "set": no #GP rules apply.
 */
static void do_mode(struct scen_runner *r, const struct scen_cmd *c)
{
	unsigned a, b;

	for_cpus(r, c->cpu, &a, &b);
	for (unsigned cpu = a; cpu < b; cpu++) {
		struct mock_cpu_regs g;
		struct mock_segment *cs = &g.seg[MOCK_SEG_CS];
		uint64_t efer = 0;

		mock_cpu_get_regs(cpu, &g);
		(void)mock_msr_get(cpu, MSR_IA32_EFER, &efer);
		cs->ar &= ~(AR_L | AR_DB);
		g.rflags &= ~X86_RFLAGS_VM;
		switch (c->id) {
		case 0: /* 64-bit */
		case 1: /* compatibility */
			g.cr0 |= X86_CR0_PE | X86_CR0_PG;
			g.cr4 |= X86_CR4_PAE;
			efer |= X86_EFER_LME | X86_EFER_LMA;
			cs->ar |= c->id == 0 ? AR_L : AR_DB;
			break;
		case 2: /* protected */
		case 3: /* virtual-8086 */
			g.cr0 |= X86_CR0_PE;
			efer &= ~(X86_EFER_LME | X86_EFER_LMA);
			cs->ar |= AR_DB;
			if (c->id == 3) {
				g.rflags |= X86_RFLAGS_VM;
				g.cpl = 3;
			}
			break;
		default: /* real-address: CPL 0 (SDM Vol. 3A 20.1) */
			g.cpl = 0;
			g.cr0 &= ~(X86_CR0_PE | X86_CR0_PG);
			efer &= ~(X86_EFER_LME | X86_EFER_LMA);
			break;
		}
		mock_cpu_set_regs(cpu, &g);
		mock_msr_set(cpu, MSR_IA32_EFER, efer);
	}
}

static void do_cpuid(struct scen_runner *r, const struct scen_cmd *c)
{
	unsigned a, b;

	for_cpus(r, c->cpu, &a, &b);
	for (unsigned cpu = a; cpu < b; cpu++) {
		if (c->op == SCEN_CPUID_REMOVE) {
			mock_cpuid_remove(cpu, c->id);
		} else {
			uint32_t bits = (uint32_t)scen_eval(r, &c->v[0]);
			uint32_t sub = (uint32_t)scen_eval(r, &c->v[1]);
			mock_cpuid_change_bits(
				cpu, c->id, sub, (enum mock_cpuid_reg)c->sub,
				c->assign == SCEN_A_AND ? bits : 0,
				c->assign == SCEN_A_OR ? bits : 0);
		}
	}
}

static void do_inject_nth(struct scen_runner *r, const struct scen_cmd *c)
{
	vmx_result_t res = {VMX_FAIL_INVALID, 0};

	if (c->ex.outcome == SCEN_O_FAIL_VALID)
		res = (vmx_result_t){VMX_FAIL_VALID, c->ex.num};
	else if (c->ex.outcome == SCEN_O_EXCEPTION)
		res = (vmx_result_t){VMX_EXCEPTION, c->ex.num};
	if (mock_fail_nth((enum mock_op)c->id, c->sub, res) != 0)
		scen_fail(r,
			  "%s cannot fail that way (VMX instructions take "
			  "fail_invalid, fail_valid N or exception; rdmsr, "
			  "wrmsr and xsetbv only gp; the rest cannot fail)",
			  mock_op_name((enum mock_op)c->id));
}

static void do_alloc(struct scen_runner *r, const struct scen_cmd *c)
{
	paddr_t pa = pa_init(c->nv ? scen_eval(r, &c->v[0]) : 0);
	void *host =
		c->nv ? mock_test_pages_alloc_at(r->s->pages[c->id].npages, pa)
		      : mock_test_pages_alloc(r->s->pages[c->id].npages, &pa);

	if (!host)
		scen_fail(r, "alloc of '%s' failed", r->s->pages[c->id].name);
	r->pages[c->id] = (struct scen_live_page){host, pa_addr(pa), true};
}

static void do_write(struct scen_runner *r, const struct scen_cmd *c)
{
	uint64_t v = scen_eval(r, &c->v[0]), pa = scen_eval(r, &c->v[1]);
	void *host = mock_mem_host(pa_init(pa), c->sub);

	if (!host)
		scen_fail(r, "write%u to unmapped address %#llx", c->sub * 8,
			  (unsigned long long)pa);
	memcpy(host, &v, c->sub); /* little-endian, like the CPU */
}

/* copy DST SRC LEN: ordinary memory accesses of software, byte by byte
 * (memmove: the ranges may overlap). */
static void do_copy(struct scen_runner *r, const struct scen_cmd *c)
{
	uint64_t dst = scen_eval(r, &c->v[0]), src = scen_eval(r, &c->v[1]);
	void *d = mock_mem_host(pa_init(dst), c->id);
	void *s = mock_mem_host(pa_init(src), c->id);

	if (!d || !s)
		scen_fail(r, "copy: %s range [%#llx, +%u) is not mapped",
			  d ? "source" : "destination",
			  (unsigned long long)(d ? src : dst), c->id);
	memmove(d, s, c->id);
}

/* read16/32/64 $VAR ADDR: the value physical memory holds (unmapped
 * memory reads as the profile's bus answers, mock_mem_read_phys). */
static void do_read(struct scen_runner *r, const struct scen_cmd *c)
{
	uint64_t pa = scen_eval(r, &c->v[0]), v = 0;

	(void)mock_mem_read_phys(pa_init(pa), &v, c->sub);
	r->vars[c->id] = v;
}

/* ---------------------------------------------------------- expectations */

static uint64_t reg_value(unsigned cpu, enum scen_reg reg)
{
	struct mock_cpu_regs g;
	uint64_t cpl;

	mock_cpu_get_regs(cpu, &g);
	if (reg >= SCEN_R_SEG)
		return seg_get(&g, reg);
	return *reg_slot(&g, reg, &cpl);
}

static const char *const vmx_modes[] = {"outside", "root", "nonroot"};

static void check_masked(struct scen_runner *r, const struct scen_cmd *c,
			 uint64_t got, const char *what)
{
	uint64_t want = scen_eval(r, &c->v[0]);

	if (c->has_mask) {
		uint64_t m = scen_eval(r, &c->mask);
		if ((got & m) != want)
			scen_fail(r, "%s & %#llx: expected %#llx, got %#llx",
				  what, (unsigned long long)m,
				  (unsigned long long)want,
				  (unsigned long long)(got & m));
	} else if (got != want) {
		scen_fail(r, "%s: expected %#llx, got %#llx", what,
			  (unsigned long long)want, (unsigned long long)got);
	}
}

static void expect_cpu(struct scen_runner *r, const struct scen_cmd *c)
{
	unsigned a, b;
	char what[96], why[256];

	for_cpus(r, c->cpu, &a, &b);
	for (unsigned cpu = a; cpu < b; cpu++) {
		switch (c->sub) {
		case SCEN_C_VMX:
			if (mock_vmx_mode(cpu) != (enum mock_vmx_mode)c->id)
				scen_fail(r, "cpu %u: expected vmx %s, got %s",
					  cpu, vmx_modes[c->id],
					  vmx_modes[mock_vmx_mode(cpu)]);
			break;
		case SCEN_C_REG:
			snprintf(what, sizeof(what), "cpu %u %s", cpu,
				 scen_reg_name((enum scen_reg)c->id));
			check_masked(r, c, reg_value(cpu, (enum scen_reg)c->id),
				     what);
			break;
		case SCEN_C_MSR: {
			uint64_t v = 0;
			if (!mock_msr_get(cpu, c->id, &v))
				scen_fail(r, "cpu %u has no MSR %#x", cpu,
					  c->id);
			snprintf(what, sizeof(what), "cpu %u MSR %#x", cpu,
				 c->id);
			check_masked(r, c, v, what);
			break;
		}
		case SCEN_C_UNCHANGED:
			if (!scen_cpu_unchanged(r, cpu, why, sizeof(why)))
				scen_fail(r, "cpu %u changed: %s", cpu, why);
			break;
		default:
			scen_do_expect_vmm(r, c);
			return;
		}
	}
}

static void expect_field(struct scen_runner *r, const struct scen_cmd *c)
{
	uint64_t v = 0;
	char what[64];
	vmx_result_t res = vmx_vmread(c->id, &v);

	if (!vmx_ok(res)) {
		char o[32];
		scen_outcome_str(res, o, sizeof(o));
		scen_fail(r, "VMREAD of field %#x failed: %s", c->id, o);
	}
	snprintf(what, sizeof(what), "field %#x", c->id);
	check_masked(r, c, v, what);
}

static void expect_mem(struct scen_runner *r, const struct scen_cmd *c)
{
	uint64_t pa = scen_eval(r, &c->v[1]), got = 0;
	uint64_t want = scen_eval(r, &c->v[0]);

	/* As the CPU reads it: unmapped memory as the profile says. */
	(void)mock_mem_read_phys(pa_init(pa), &got, c->sub);
	if (c->sub < 8)
		want &= (UINT64_C(1) << (c->sub * 8)) - 1;
	if (got != want)
		scen_fail(r, "mem%u at %#llx: expected %#llx, got %#llx",
			  c->sub * 8, (unsigned long long)pa,
			  (unsigned long long)want, (unsigned long long)got);
}

static void expect_misc(struct scen_runner *r, const struct scen_cmd *c)
{
	const char *rule;

	switch (c->op) {
	case SCEN_EXPECT_RULE:
		rule = mock_last_vmx_rule(mock_current_cpu());
		if (!rule || strcmp(rule, c->name) != 0)
			scen_fail(r, "expected rule %s, got %s", c->name,
				  rule ? rule : "none");
		break;
	case SCEN_EXPECT_EXIT:
		if (scen_last_exit.count == 0)
			scen_fail(r,
				  "expected exit %u, but no VM exit reached "
				  "the raw handler",
				  c->id);
		if (scen_last_exit.reason != c->id)
			scen_fail(r, "expected exit reason %u, got %u", c->id,
				  scen_last_exit.reason);
		if (c->has_mask &&
		    scen_last_exit.qualification != scen_eval(r, &c->v[0]))
			scen_fail(r,
				  "expected exit qualification %#llx, got "
				  "%#llx",
				  (unsigned long long)scen_eval(r, &c->v[0]),
				  (unsigned long long)
					  scen_last_exit.qualification);
		break;
	case SCEN_EXPECT_UNDEFINED:
		if (mock_undefined_count() != c->id)
			scen_fail(r,
				  "expected %u undefined-behaviour events, got "
				  "%u (last: %s)",
				  c->id, mock_undefined_count(),
				  mock_last_undefined_rule()
					  ? mock_last_undefined_rule()
					  : "none");
		break;
	case SCEN_EXPECT_CALLS:
		if (mock_call_count((enum mock_op)c->sub) != c->id)
			scen_fail(r, "expected %u calls of %s, got %u", c->id,
				  mock_op_name((enum mock_op)c->sub),
				  mock_call_count((enum mock_op)c->sub));
		break;
	case SCEN_EXPECT_PAGES:
	case SCEN_EXPECT_LEAKS: {
		unsigned live = r->s->uses_vmm ? r->tp.pages_live
					       : mock_test_pages_outstanding();
		if (!r->s->uses_vmm) {
			/* The scenario's own pages are not leaks. */
			for (unsigned i = 0; i < SCEN_MAX_PAGES; i++)
				live -= r->pages[i].owned;
			live -= r->vm_valid ? 4u : 0u;
			live -= r->ntables;
		}
		/* Leaks: what a stopped VMM still holds beyond the CPU table
		 * it keeps from init to fini (VMM_PAGES_AT_INIT). */
		if (r->s->uses_vmm && c->op == SCEN_EXPECT_LEAKS &&
		    vmm_state() != FLANK_STATE_UNLOADED &&
		    live >= VMM_PAGES_AT_INIT)
			live -= VMM_PAGES_AT_INIT;
		if (live != c->id)
			scen_fail(r, "expected %u %s, got %u", c->id,
				  c->op == SCEN_EXPECT_LEAKS ? "leaked pages"
							     : "live pages",
				  live);
		break;
	}
	default:
		scen_do_expect_vmm(r, c);
		break;
	}
}

/* ------------------------------------------------------------- dispatch */

/* Directives that set the machine up (before the automatic snapshot). */
static bool is_setup(enum scen_op op)
{
	return op <= SCEN_INJECT_CLEAR || op == SCEN_FAIL_ALLOC ||
	       op == SCEN_OFFLINE || op == SCEN_SNAPSHOT || op == SCEN_MODE ||
	       op == SCEN_MAXPHYADDR || op == SCEN_UNMAPPED;
}

static void exec(struct scen_runner *r, const struct scen_cmd *c,
		 unsigned index)
{
	r->cur = c;
	/* "unchanged" compares with the machine as the setup left it. */
	if (!r->snapped && !is_setup(c->op)) {
		scen_snapshot(r);
		r->snapped = true;
	}
	switch (c->op) {
	case SCEN_PROFILE:
	case SCEN_CPUS:
		break;
	case SCEN_CPU:
		mock_set_current_cpu(c->cpu);
		break;
	case SCEN_SET_REG:
		do_set_reg(r, c);
		break;
	case SCEN_SET_MSR:
		do_set_msr(r, c);
		break;
	case SCEN_SET_MOVSS:
		mock_cpu_set_mov_ss_blocking(mock_current_cpu(), c->id != 0);
		break;
	case SCEN_FEATURE_CONTROL: {
		unsigned a, b;
		for_cpus(r, c->cpu, &a, &b);
		for (unsigned cpu = a; cpu < b; cpu++)
			mock_feature_control_set(cpu, scen_eval(r, &c->v[0]));
		break;
	}
	case SCEN_CPUID_BITS:
	case SCEN_CPUID_REMOVE:
		do_cpuid(r, c);
		break;
	case SCEN_INJECT_MSR_GP: {
		unsigned a, b;
		for_cpus(r, c->cpu, &a, &b);
		for (unsigned cpu = a; cpu < b; cpu++)
			mock_msr_gp(cpu, c->id, c->sub == 0, c->sub == 1);
		break;
	}
	case SCEN_INJECT_NTH:
		do_inject_nth(r, c);
		break;
	case SCEN_INJECT_CLEAR:
		mock_fail_clear();
		break;
	case SCEN_FAIL_ALLOC:
		if (r->s->uses_vmm)
			r->tp.fail_nth = r->tp.allocs + c->id;
		else
			mock_test_fail_alloc_nth(c->id);
		break;
	case SCEN_OFFLINE:
		r->tp.offline |= UINT64_C(1) << c->cpu;
		break;
	case SCEN_ALLOC:
		do_alloc(r, c);
		break;
	case SCEN_WRITE:
		do_write(r, c);
		break;
	case SCEN_COPY:
		do_copy(r, c);
		break;
	case SCEN_READ:
		do_read(r, c);
		break;
	case SCEN_INSN:
		scen_do_insn(r, c);
		break;
	case SCEN_VMCS_VALID:
		scen_do_vmcs_valid(r, c);
		break;
	case SCEN_FIELD:
		scen_do_field(r, c);
		break;
	case SCEN_HANDLER:
		scen_do_handler(r, c);
		break;
	case SCEN_MODE:
		do_mode(r, c);
		break;
	case SCEN_MAXPHYADDR:
		if (mock_set_phys_addr_width(c->id) != 0)
			scen_fail(r,
				  "maxphyaddr %u: memory is mapped up to "
				  "%#llx, beyond that width",
				  c->id,
				  (unsigned long long)mock_mem_highest() - 1);
		break;
	case SCEN_UNMAPPED:
		mock_set_unmapped_byte((uint8_t)c->id);
		break;
	case SCEN_PAGING:
		scen_do_paging(r, c);
		break;
	case SCEN_MAP:
		scen_do_map(r, c);
		break;
	case SCEN_UNMAP:
		scen_do_unmap(r, c);
		break;
	case SCEN_RETURN:
		scen_fail(r, "'return' outside a VM-exit handler (it ends the "
			     "body of 'handler script' that a VM exit runs)");
	case SCEN_SNAPSHOT:
		scen_snapshot(r);
		r->snapped = true;
		break;
	case SCEN_GUEST:
		scen_do_guest(r, c);
		break;
	case SCEN_VMM_CHECK:
	case SCEN_VMM_START:
	case SCEN_VMM_STOP:
	case SCEN_VMM_START_CPU:
	case SCEN_VMM_STOP_CPU:
		scen_do_vmm(r, c);
		break;
	case SCEN_SWEEP_START:
	case SCEN_SWEEP_ALLOC:
		scen_do_sweep(r, c, index);
		break;
	case SCEN_EXPECT_CPU:
		expect_cpu(r, c);
		break;
	case SCEN_EXPECT_FIELD:
		expect_field(r, c);
		break;
	case SCEN_EXPECT_MEM:
		expect_mem(r, c);
		break;
	default:
		expect_misc(r, c);
		break;
	}
}

void scen_exec_at(struct scen_runner *r, unsigned index)
{
	exec(r, &r->s->cmds[index], index);
}

/*
 * r->pc is the program counter: a "handler script" body, run from inside
 * a guest directive's VM exit, advances it past the lines it ran, so the
 * loop here continues after its "return".
 */
void scen_exec_range(struct scen_runner *r, unsigned first, unsigned last)
{
	unsigned saved = r->pc;

	for (r->pc = first; r->pc < last;) {
		unsigned i = r->pc++;
		exec(r, &r->s->cmds[i], i);
	}
	r->pc = saved;
}

int scen_run(const struct scen_script *s, char *err, size_t err_size)
{
	static struct scen_runner r; /* Large: snapshots of 256 CPUs. */
	unsigned leaked;

	memset(&r, 0, sizeof(r));
	r.s = s;
	r.err = err;
	r.err_size = err_size;
	err[0] = '\0';
	if (setjmp(r.fail) != 0) {
		const struct scen_cmd *at = r.cur;
		char saved[SCEN_ERR_LEN];

		/* Keep the first message; tearing down may fail again. */
		snprintf(saved, sizeof(saved), "%s", err);
		if (setjmp(r.fail) == 0)
			(void)scen_machine_down(&r);
		snprintf(err, err_size, "%s", saved);
		(void)at;
		return -1;
	}
	scen_machine_up(&r);
	scen_exec_range(&r, 0, s->ncmds);
	r.cur = NULL;
	leaked = scen_machine_down(&r);
	if (leaked) {
		snprintf(err, err_size,
			 "%s: %u pages leaked at the end of the scenario",
			 s->file, leaked);
		return -1;
	}
	return 0;
}
