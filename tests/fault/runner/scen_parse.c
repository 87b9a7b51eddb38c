// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scenario parser: one directive per line, checked in full before
 * anything runs. Every rejection names file:line and what was expected.
 * The grammar is docs/scenarios.md; the functions below follow it
 * directive by directive.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "scen_parse.h"

/* ------------------------------------------------------------ helpers */

/*
 * The *_arg readers below write their output on every path (0 when they
 * reject the token), so no caller can read an indeterminate value.
 */

static int field_arg(struct scen_pctx *p, uint32_t *enc)
{
	const char *t = scen_peek(p);
	uint64_t n;

	*enc = 0;
	if (t && scen_number(t, &n) && n <= UINT32_MAX) {
		*enc = (uint32_t)n;
		p->pos++;
		return 0;
	}
	if (t && scen_field_by_name(t, enc)) {
		p->pos++;
		return 0;
	}
	if (!t)
		return scen_expected(p, "a VMCS field name");
	return scen_perr(p,
			 "unknown VMCS field '%s' (expected a name of the "
			 "field table without VMCS_, e.g. GUEST_CR0, or an "
			 "encoding)",
			 t);
}

/*
 * The field operand of a raw VMREAD/VMWRITE: as field_arg, or a number of
 * up to 64 bits (the register operand is 64 bits wide in 64-bit mode).
 */
static int field_arg64(struct scen_pctx *p, struct scen_cmd *c)
{
	const char *t = scen_peek(p);
	uint64_t n;

	c->id_hi = 0;
	if (t && scen_number(t, &n) && n > UINT32_MAX) {
		c->id = (uint32_t)n;
		c->id_hi = (uint32_t)(n >> 32);
		p->pos++;
		return 0;
	}
	return field_arg(p, &c->id);
}

static int msr_arg(struct scen_pctx *p, uint32_t *msr)
{
	const char *t = scen_peek(p);
	uint64_t n;

	*msr = 0;
	if (t && scen_number(t, &n) && n <= UINT32_MAX) {
		*msr = (uint32_t)n;
		p->pos++;
		return 0;
	}
	if (t && scen_msr_by_name(t, msr)) {
		p->pos++;
		return 0;
	}
	if (!t)
		return scen_expected(p, "an MSR name or number");
	return scen_perr(p,
			 "unknown MSR '%s' (expected a name without MSR_, "
			 "e.g. IA32_VMX_BASIC, or a number)",
			 t);
}

static int vector_arg(struct scen_pctx *p, uint32_t *vec)
{
	const char *t = scen_peek(p);
	uint64_t n;

	*vec = 0;
	if (t && scen_vector_by_name(t, vec)) {
		p->pos++;
		return 0;
	}
	if (t && scen_number(t, &n) && n < 256) {
		*vec = (uint32_t)n;
		p->pos++;
		return 0;
	}
	return scen_expected(p, "an exception (UD, GP, ...) or a vector "
				"0-255");
}

static int reason_arg(struct scen_pctx *p, uint32_t *reason)
{
	const char *t = scen_peek(p);
	uint64_t n;

	*reason = 0;
	if (t && scen_exit_reason_by_name(t, reason)) {
		p->pos++;
		return 0;
	}
	if (t && scen_number(t, &n) && n <= UINT32_MAX) {
		*reason = (uint32_t)n;
		p->pos++;
		return 0;
	}
	return scen_expected(p, "an exit reason (CPUID, "
				"INVALID_GUEST_STATE, ...) or a number");
}

static int status_arg(struct scen_pctx *p, int *status)
{
	const char *t = scen_peek(p);

	*status = 0;
	if (t && scen_status_by_name(t, status)) {
		p->pos++;
		return 0;
	}
	return scen_expected(p, "a libvmm status (OK, NO_VMX, VMXON, ...)");
}

static int cpu_sel(struct scen_pctx *p, unsigned *cpu)
{
	uint32_t n;

	if (scen_accept(p, "all")) {
		*cpu = SCEN_CPU_ALL;
		return 0;
	}
	if (scen_u32(p, "a CPU number or 'all'", &n) != 0)
		return -1;
	if (n >= p->s->ncpus)
		return scen_perr(p,
				 "CPU %u does not exist (the scenario has "
				 "%u CPUs)",
				 n, p->s->ncpus);
	*cpu = n;
	return 0;
}

/* Optional "on all|N" at the end of a machine-setup directive. */
static int on_cpus(struct scen_pctx *p, unsigned *cpu, unsigned dflt)
{
	*cpu = dflt;
	if (!scen_accept(p, "on"))
		return 0;
	return cpu_sel(p, cpu);
}

static int assign_op(struct scen_pctx *p, enum scen_assign *a)
{
	if (scen_accept(p, "="))
		*a = SCEN_A_SET;
	else if (scen_accept(p, "|="))
		*a = SCEN_A_OR;
	else if (scen_accept(p, "&="))
		*a = SCEN_A_AND;
	else
		return scen_expected(p, "'=', '|=' or '&='");
	return 0;
}

static bool reg_by_name(const char *t, enum scen_reg *r)
{
	for (unsigned i = 0; i <= SCEN_R_CR2; i++) {
		if (strcmp(t, scen_reg_name((enum scen_reg)i)) == 0) {
			*r = (enum scen_reg)i;
			return true;
		}
	}
	for (unsigned i = SCEN_R_SEG; i < SCEN_R_SEG_END; i++) {
		if (strcmp(t, scen_reg_name((enum scen_reg)i)) == 0) {
			*r = (enum scen_reg)i;
			return true;
		}
	}
	return false;
}

static bool identifier(const char *t)
{
	if (!isalpha((unsigned char)*t) && *t != '_')
		return false;
	for (; *t; t++)
		if (!isalnum((unsigned char)*t) && *t != '_')
			return false;
	return true;
}

/* "[& MASK] = VALUE" of the expect forms. */
static int masked_eq(struct scen_pctx *p, struct scen_cmd *c, enum scen_reg ctx)
{
	if (scen_accept(p, "&")) {
		c->has_mask = true;
		if (scen_value_ctx(p, "a mask", &c->mask, ctx) != 0)
			return -1;
	}
	if (!scen_accept(p, "="))
		return scen_expected(p, "'=' (or '& MASK =')");
	if (scen_value_ctx(p, "a value", &c->v[0], ctx) != 0)
		return -1;
	c->nv = 1;
	return scen_end(p);
}

/* ------------------------------------------------ instruction outcomes */

/*
 * expect succeed [value V] | value V | fail_invalid | fail_valid N |
 *        exception VEC | entry_fail REASON [qual Q]     ... [rule ID]
 */
static int outcome(struct scen_pctx *p, struct scen_cmd *c, bool launch)
{
	struct scen_expect *ex = &c->ex;
	const char *w = scen_peek(p);

	c->has_expect = true;
	if (scen_accept(p, "succeed")) {
		ex->outcome = SCEN_O_SUCCEED;
		if (scen_accept(p, "value")) {
			ex->has_value = true;
			if (scen_value(p, "a value", &ex->value) != 0)
				return -1;
		}
	} else if (scen_accept(p, "value")) {
		ex->outcome = SCEN_O_SUCCEED;
		ex->has_value = true;
		if (scen_value(p, "a value", &ex->value) != 0)
			return -1;
	} else if (scen_accept(p, "fail_invalid")) {
		ex->outcome = SCEN_O_FAIL_INVALID;
	} else if (scen_accept(p, "fail_valid")) {
		ex->outcome = SCEN_O_FAIL_VALID;
		if (scen_u32(p, "a VM-instruction error number", &ex->num) != 0)
			return -1;
	} else if (scen_accept(p, "exception")) {
		ex->outcome = SCEN_O_EXCEPTION;
		if (vector_arg(p, &ex->num) != 0)
			return -1;
		if (scen_accept(p, "code")) {
			ex->has_code = true;
			if (scen_u32(p, "an error code", &ex->code) != 0)
				return -1;
		}
	} else if (launch && scen_accept(p, "entry_fail")) {
		ex->outcome = SCEN_O_ENTRY_FAIL;
		if (reason_arg(p, &ex->num) != 0)
			return -1;
		if (scen_accept(p, "qual")) {
			ex->has_qual = true;
			if (scen_num(p, "a qualification", &ex->qual) != 0)
				return -1;
		}
	} else {
		(void)w;
		return scen_expected(
			p, launch ? "succeed, fail_invalid, fail_valid N, "
				    "exception VEC or entry_fail REASON"
				  : "succeed, value V, fail_invalid, "
				    "fail_valid N or exception VEC");
	}
	if (scen_accept(p, "rule")) {
		const char *r;
		if (scen_word(p, "a rule identifier", &r) != 0)
			return -1;
		if (!strchr(r, '.') ||
		    !scen_copy(ex->rule, sizeof(ex->rule), r))
			return scen_perr(p,
					 "expected a rule identifier like "
					 "C1.pin_allowed0, found '%s'",
					 r);
	}
	if (scen_accept(p, "undefined")) {
		const char *r;
		if (scen_word(p, "an undefined-behaviour rule", &r) != 0)
			return -1;
		if (!strchr(r, '.') ||
		    !scen_copy(ex->undefined, sizeof(ex->undefined), r))
			return scen_perr(p,
					 "expected an undefined-behaviour rule "
					 "like VMCS.region_written_active, "
					 "found '%s'",
					 r);
	}
	return scen_end(p);
}

static const struct {
	const char *name;
	enum scen_insn insn;
} insns[] = {
	{"vmxon", SCEN_I_VMXON},     {"vmxoff", SCEN_I_VMXOFF},
	{"vmclear", SCEN_I_VMCLEAR}, {"vmptrld", SCEN_I_VMPTRLD},
	{"vmptrst", SCEN_I_VMPTRST}, {"vmread", SCEN_I_VMREAD},
	{"vmwrite", SCEN_I_VMWRITE}, {"vmlaunch", SCEN_I_VMLAUNCH},
	{"launch", SCEN_I_VMLAUNCH}, {"vmresume", SCEN_I_VMRESUME},
	{"resume", SCEN_I_VMRESUME}, {"invept", SCEN_I_INVEPT},
	{"invvpid", SCEN_I_INVVPID}, {"vmcall", SCEN_I_VMCALL},
	{"rdmsr", SCEN_I_RDMSR},     {"wrmsr", SCEN_I_WRMSR},
	{"xsetbv", SCEN_I_XSETBV},   {"mov", SCEN_I_MOV_CR},
};

/*
 * "mem OFFSET [seg es|cs|ss|ds|fs|gs]" after the word "mem": the memory
 * operand at effective address OFFSET through that segment (default DS).
 */
static int mem_arg(struct scen_pctx *p, struct scen_cmd *c)
{
	static const char *const segs[] = {"es", "cs", "ss", "ds", "fs", "gs"};
	const char *t;

	c->mem = true;
	c->mem_seg = MOCK_SEG_DS;
	if (scen_value(p, "an effective address", &c->mem_off) != 0)
		return -1;
	if (!scen_accept(p, "seg"))
		return 0;
	if (scen_word(p, "es, cs, ss, ds, fs or gs", &t) != 0)
		return -1;
	for (unsigned s = 0; s < 6; s++) {
		if (strcmp(t, segs[s]) == 0) {
			c->mem_seg = (enum mock_seg)s;
			return 0;
		}
	}
	p->pos--;
	return scen_expected(p, "es, cs, ss, ds, fs or gs");
}

static int insn(struct scen_pctx *p, struct scen_cmd *c, enum scen_insn i)
{
	c->op = SCEN_INSN;
	c->sub = i;
	switch (i) {
	case SCEN_I_VMXON:
	case SCEN_I_VMCLEAR:
	case SCEN_I_VMPTRLD:
		if (scen_accept(p, "mem")) {
			if (mem_arg(p, c) != 0)
				return -1;
			break;
		}
		if (scen_value(p,
			       "an address (page name, page+offset or "
			       "number)",
			       &c->v[0]) != 0)
			return -1;
		c->nv = 1;
		break;
	case SCEN_I_VMPTRST:
		if (scen_accept(p, "mem") && mem_arg(p, c) != 0)
			return -1;
		break;
	case SCEN_I_VMREAD:
		if (field_arg64(p, c) != 0)
			return -1;
		if (scen_accept(p, "mem") && mem_arg(p, c) != 0)
			return -1;
		break;
	case SCEN_I_VMWRITE:
		if (field_arg64(p, c) != 0)
			return -1;
		if (scen_accept(p, "mem")) {
			if (mem_arg(p, c) != 0)
				return -1;
			break;
		}
		if (scen_value(p, "a value or mem OFFSET", &c->v[0]) != 0)
			return -1;
		c->nv = 1;
		break;
	case SCEN_I_INVEPT:
		if (scen_value(p, "an INVEPT type", &c->v[0]) != 0)
			return -1;
		c->nv = 1;
		if (scen_accept(p, "mem")) {
			if (mem_arg(p, c) != 0)
				return -1;
			break;
		}
		if (scen_value(p, "an EPTP or mem OFFSET", &c->v[1]) != 0)
			return -1;
		c->nv = 2;
		break;
	case SCEN_I_INVVPID:
		if (scen_value(p, "an INVVPID type", &c->v[0]) != 0)
			return -1;
		c->nv = 1;
		if (scen_accept(p, "mem")) {
			if (mem_arg(p, c) != 0)
				return -1;
			break;
		}
		if (scen_value(p, "a VPID or mem OFFSET", &c->v[1]) != 0)
			return -1;
		c->nv = 2;
		scen_value_num(&c->v[2], 0);
		if (scen_peek(p) && strcmp(scen_peek(p), "expect") != 0) {
			if (scen_value(p, "a linear address", &c->v[2]) != 0)
				return -1;
		}
		c->nv = 3;
		break;
	case SCEN_I_RDMSR:
		if (msr_arg(p, &c->id) != 0)
			return -1;
		break;
	case SCEN_I_WRMSR:
		if (msr_arg(p, &c->id) != 0 ||
		    scen_value(p, "a value", &c->v[0]) != 0)
			return -1;
		c->nv = 1;
		break;
	case SCEN_I_MOV_CR: {
		const char *t;
		enum scen_reg reg;
		if (scen_word(p, "cr0, cr3, cr4 or cr8", &t) != 0)
			return -1;
		if (!reg_by_name(t, &reg) || reg > SCEN_R_CR8) {
			p->pos--;
			return scen_expected(p, "cr0, cr3, cr4 or cr8");
		}
		c->id = reg;
		if (assign_op(p, &c->assign) != 0 ||
		    scen_value_ctx(p, "a value", &c->v[0], reg) != 0)
			return -1;
		c->nv = 1;
		break;
	}
	case SCEN_I_XSETBV:
		if (scen_u32(p, "an XCR number", &c->id) != 0 ||
		    scen_value(p, "a value", &c->v[0]) != 0)
			return -1;
		c->nv = 1;
		break;
	default:
		break;
	}
	if (scen_accept(p, "expect"))
		return outcome(p, c,
			       i == SCEN_I_VMLAUNCH || i == SCEN_I_VMRESUME);
	return scen_end(p);
}

/* ------------------------------------------------------- setup directives */

static int set_dir(struct scen_pctx *p, struct scen_cmd *c)
{
	const char *t;
	enum scen_reg r;

	if (scen_word(p,
		      "a register (cr0, cr2, cr3, cr4, cr8, dr7, rflags, xcr0, "
		      "cpl, SEG.sel/base/limit/ar), msr or mov_ss",
		      &t) != 0)
		return -1;
	if (strcmp(t, "mov_ss") == 0) {
		c->op = SCEN_SET_MOVSS;
		if (scen_accept(p, "on"))
			c->id = 1;
		else if (!scen_accept(p, "off"))
			return scen_expected(p, "on or off");
		return scen_end(p);
	}
	if (strcmp(t, "msr") == 0) {
		c->op = SCEN_SET_MSR;
		if (msr_arg(p, &c->id) != 0 || assign_op(p, &c->assign) != 0 ||
		    scen_value(p, "a value", &c->v[0]) != 0)
			return -1;
		c->nv = 1;
		if (on_cpus(p, &c->cpu, SCEN_CPU_CURRENT) != 0)
			return -1;
		return scen_end(p);
	}
	if (!reg_by_name(t, &r)) {
		p->pos--;
		return scen_expected(
			p, "a register (cr0, cr2, cr3, cr4, cr8, dr7, "
			   "rflags, xcr0, cpl, SEG.sel/base/"
			   "limit/ar), msr or mov_ss");
	}
	c->op = SCEN_SET_REG;
	c->sub = r;
	if (assign_op(p, &c->assign) != 0 ||
	    scen_value_ctx(p, "a value", &c->v[0], r) != 0)
		return -1;
	c->nv = 1;
	if (on_cpus(p, &c->cpu, SCEN_CPU_CURRENT) != 0)
		return -1;
	return scen_end(p);
}

static int feature_control(struct scen_pctx *p, struct scen_cmd *c)
{
	c->op = SCEN_FEATURE_CONTROL;
	if (scen_accept(p, "locked_off"))
		scen_value_num(&c->v[0], FEATURE_CONTROL_LOCKED);
	else if (scen_accept(p, "locked_on"))
		scen_value_num(&c->v[0],
			       FEATURE_CONTROL_LOCKED |
				       FEATURE_CONTROL_VMX_OUTSIDE_SMX);
	else if (scen_accept(p, "unlocked"))
		scen_value_num(&c->v[0], 0);
	else if (scen_value(p, "locked_off, locked_on, unlocked or a value",
			    &c->v[0]) != 0)
		return -1;
	c->nv = 1;
	if (on_cpus(p, &c->cpu, SCEN_CPU_ALL) != 0)
		return -1;
	return scen_end(p);
}

/* cpuid clear|set LEAF[:SUB] REG BITS | cpuid remove LEAF  [on SEL] */
static int cpuid_dir(struct scen_pctx *p, struct scen_cmd *c)
{
	const char *t;
	static const char *const regs[] = {"eax", "ebx", "ecx", "edx"};
	char leaf[64], *colon;
	uint64_t n;

	if (scen_accept(p, "remove")) {
		c->op = SCEN_CPUID_REMOVE;
		if (scen_u32(p, "a CPUID leaf", &c->id) != 0)
			return -1;
	} else {
		c->op = SCEN_CPUID_BITS;
		if (scen_accept(p, "clear"))
			c->assign = SCEN_A_AND;
		else if (scen_accept(p, "set"))
			c->assign = SCEN_A_OR;
		else
			return scen_expected(p, "clear, set or remove");
		t = scen_peek(p);
		if (!t || !scen_copy(leaf, sizeof(leaf), t))
			return scen_expected(p, "a CPUID leaf (LEAF or "
						"LEAF:SUBLEAF)");
		colon = strchr(leaf, ':');
		if (colon)
			*colon = '\0';
		if (!scen_number(leaf, &n) || n > UINT32_MAX)
			return scen_expected(p, "a CPUID leaf (LEAF or "
						"LEAF:SUBLEAF)");
		c->id = (uint32_t)n;
		n = 0;
		if (colon && (!scen_number(colon + 1, &n) || n > UINT32_MAX))
			return scen_expected(p, "a CPUID leaf (LEAF or "
						"LEAF:SUBLEAF)");
		scen_value_num(&c->v[1], n);
		p->pos++;
		if (scen_word(p, "a register (eax, ebx, ecx, edx)", &t) != 0)
			return -1;
		c->sub = 4;
		for (unsigned i = 0; i < 4; i++)
			if (strcmp(t, regs[i]) == 0)
				c->sub = i;
		if (c->sub == 4) {
			p->pos--;
			return scen_expected(p, "a register (eax, ebx, ecx, "
						"edx)");
		}
		if (scen_value(p, "bits (VMX, ... or a number)", &c->v[0]) != 0)
			return -1;
		c->nv = 2;
	}
	if (on_cpus(p, &c->cpu, SCEN_CPU_ALL) != 0)
		return -1;
	return scen_end(p);
}

/*
 * inject rdmsr|wrmsr MSR gp [on SEL]
 * inject OP nth N fail_invalid | fail_valid N | gp | exception VEC
 * inject clear
 */
static int inject(struct scen_pctx *p, struct scen_cmd *c)
{
	const char *t;
	enum mock_op op;

	if (scen_accept(p, "clear")) {
		c->op = SCEN_INJECT_CLEAR;
		return scen_end(p);
	}
	if (scen_word(p, "an operation (vmxon, rdmsr, ...) or clear", &t) != 0)
		return -1;
	op = mock_op_from_name(t);
	if (op == MOCK_OP_COUNT) {
		p->pos--;
		return scen_expected(p, "an operation (vmxon, vmptrld, rdmsr, "
					"...) or clear");
	}
	c->id = op;
	if ((op == MOCK_OP_RDMSR || op == MOCK_OP_WRMSR) &&
	    !scen_accept(p, "nth")) {
		c->op = SCEN_INJECT_MSR_GP;
		c->sub = op == MOCK_OP_WRMSR;
		if (msr_arg(p, &c->id) != 0)
			return -1;
		if (!scen_accept(p, "gp"))
			return scen_expected(p, "gp");
		if (on_cpus(p, &c->cpu, SCEN_CPU_ALL) != 0)
			return -1;
		return scen_end(p);
	}
	if (op != MOCK_OP_RDMSR && op != MOCK_OP_WRMSR &&
	    !scen_accept(p, "nth"))
		return scen_expected(p, "nth");
	c->op = SCEN_INJECT_NTH;
	if (scen_u32(p, "a call number (1 = the next call)", &c->sub) != 0)
		return -1;
	if (c->sub == 0)
		return scen_perr(p, "expected a call number >= 1, found 0");
	if (scen_accept(p, "gp")) {
		c->ex.outcome = SCEN_O_EXCEPTION;
		c->ex.num = X86_VEC_GP;
	} else if (scen_accept(p, "fail_invalid")) {
		c->ex.outcome = SCEN_O_FAIL_INVALID;
	} else if (scen_accept(p, "fail_valid")) {
		c->ex.outcome = SCEN_O_FAIL_VALID;
		if (scen_u32(p, "a VM-instruction error number", &c->ex.num))
			return -1;
	} else if (scen_accept(p, "exception")) {
		c->ex.outcome = SCEN_O_EXCEPTION;
		if (vector_arg(p, &c->ex.num) != 0)
			return -1;
	} else {
		return scen_expected(p, "fail_invalid, fail_valid N, gp or "
					"exception VEC");
	}
	return scen_end(p);
}

static int alloc(struct scen_pctx *p, struct scen_cmd *c)
{
	const char *name;
	uint32_t n = 1;
	struct scen_page *pg;

	c->op = SCEN_ALLOC;
	if (scen_accept(p, "pages")) {
		if (scen_word(p, "a page name", &name) != 0 ||
		    scen_u32(p, "a page count", &n) != 0)
			return -1;
		if (n == 0 || n > 16)
			return scen_perr(p, "expected 1-16 pages, found %u", n);
	} else if (scen_accept(p, "page")) {
		if (scen_word(p, "a page name", &name) != 0)
			return -1;
	} else {
		return scen_expected(p, "page NAME or pages NAME N");
	}
	if (!identifier(name) || strlen(name) >= SCEN_NAME_LEN) {
		p->pos--;
		if (n != 1)
			p->pos--;
		return scen_expected(p, "a page name (letters, digits, _)");
	}
	if (scen_page_index(p->s, name) >= 0)
		return scen_perr(p, "page '%s' is already allocated", name);
	if (p->s->npages == SCEN_MAX_PAGES)
		return scen_perr(p, "too many pages (at most %u)",
				 SCEN_MAX_PAGES);
	c->id = p->s->npages;
	pg = &p->s->pages[p->s->npages++];
	(void)scen_copy(pg->name, sizeof(pg->name),
			name); /* Fits: see above. */
	pg->npages = n;
	if (scen_accept(p, "at")) {
		if (scen_value(p, "a physical address", &c->v[0]) != 0)
			return -1;
		c->nv = 1;
	}
	return scen_end(p);
}

/* read16|read32|read64 $VAR ADDR: defines (or redefines) $VAR. */
static int read_dir(struct scen_pctx *p, struct scen_cmd *c, unsigned bytes)
{
	const char *name;
	unsigned i;

	c->op = SCEN_READ;
	c->sub = bytes;
	if (scen_word(p, "a variable ($NAME)", &name) != 0)
		return -1;
	if (name[0] != '$' || !identifier(name + 1) ||
	    strlen(name + 1) >= SCEN_NAME_LEN) {
		p->pos--;
		return scen_expected(p,
				     "a variable ($ and letters, digits, _)");
	}
	if (scen_value(p, "an address", &c->v[0]) != 0)
		return -1;
	c->nv = 1;
	for (i = 0; i < p->s->nvars; i++)
		if (strcmp(p->s->vars[i], name + 1) == 0)
			break;
	if (i == p->s->nvars) {
		if (p->s->nvars == SCEN_MAX_VARS)
			return scen_perr(p, "too many variables (at most %u)",
					 SCEN_MAX_VARS);
		(void)scen_copy(p->s->vars[p->s->nvars++], SCEN_NAME_LEN,
				name + 1); /* Fits: see above. */
	}
	c->id = i;
	return scen_end(p);
}

/* copy DST SRC LEN: physical memory, both ranges mapped, 1-65536 bytes. */
static int copy_dir(struct scen_pctx *p, struct scen_cmd *c)
{
	uint64_t len;

	c->op = SCEN_COPY;
	if (scen_value(p, "a destination address", &c->v[0]) != 0 ||
	    scen_value(p, "a source address", &c->v[1]) != 0 ||
	    scen_num(p, "a length in bytes", &len) != 0)
		return -1;
	if (len == 0 || len > 0x10000) {
		p->pos--;
		return scen_expected(p, "a length of 1-65536 bytes");
	}
	c->nv = 2;
	c->id = (uint32_t)len;
	return scen_end(p);
}

/* Pages "vmcs valid" creates, usable by name afterwards. */
static const char *const vm_pages[] = {"vmxon", "vmcs", "stack", "msr_bitmap"};

static int vmcs_valid(struct scen_pctx *p, struct scen_cmd *c)
{
	c->op = SCEN_VMCS_VALID;
	if (!scen_accept(p, "valid"))
		return scen_expected(p, "valid");
	c->id = p->s->npages;
	for (unsigned i = 0; i < 4; i++) {
		if (scen_page_index(p->s, vm_pages[i]) >= 0)
			return scen_perr(p,
					 "'vmcs valid' defines page '%s', "
					 "which is already allocated",
					 vm_pages[i]);
		if (p->s->npages == SCEN_MAX_PAGES)
			return scen_perr(p, "too many pages (at most %u)",
					 SCEN_MAX_PAGES);
		/* Fits: the names are shorter than SCEN_NAME_LEN. */
		(void)scen_copy(p->s->pages[p->s->npages].name,
				sizeof(p->s->pages[0].name), vm_pages[i]);
		p->s->pages[p->s->npages++].npages = 0; /* fixture-owned */
	}
	return scen_end(p);
}

/* --------------------------------------------------------- guest events */

static const char *const gpr_names[] = {"rax", "rcx", "rdx", "rbx", "rbp",
					"rsi", "rdi", "r8",  "r9",  "r10",
					"r11", "r12", "r13", "r14", "r15"};
static const char *const gpr32_names[] = {"eax", "ecx", "edx", "ebx"};

/* REG=VALUE: returns the register index, -1 if not a register. */
static int gpr_assign(const char *t, bool *low32, const char **val)
{
	const char *eq = strchr(t, '=');
	size_t n;

	if (!eq)
		return -1;
	n = (size_t)(eq - t);
	*val = eq + 1;
	for (unsigned i = 0; i < 15; i++) {
		if (strlen(gpr_names[i]) == n &&
		    strncmp(t, gpr_names[i], n) == 0) {
			*low32 = false;
			return (int)i;
		}
	}
	for (unsigned i = 0; i < 4; i++) {
		if (strlen(gpr32_names[i]) == n &&
		    strncmp(t, gpr32_names[i], n) == 0) {
			*low32 = true;
			return (int)i;
		}
	}
	return -1;
}

/* Parses the token "VALUE" of REG=VALUE with the value parser. */
static int inline_value(struct scen_pctx *p, const char *val, uint64_t *out,
			const char *what)
{
	struct scen_value v;
	char *saved = p->tok[p->pos];
	int rc;

	p->tok[p->pos] = (char *)val;
	rc = scen_value(p, what, &v);
	if (rc == 0)
		p->pos--;
	p->tok[p->pos] = saved;
	if (rc != 0)
		return -1;
	for (unsigned i = 0; i < v.nterms; i++)
		if (v.t[i].kind != SCEN_T_NUM)
			return scen_perr(p, "expected a constant in '%s'",
					 saved);
	*out = 0;
	for (unsigned i = 0; i < v.nterms; i++)
		*out |= v.t[i].invert ? ~v.t[i].num : v.t[i].num;
	p->pos++;
	return 0;
}

/*
 * The next expectation of @p c, zeroed; NULL after the parse error when
 * the command has SCEN_MAX_ITEMS already or the line has ended.
 */
struct scen_gitem *scen_item_new(struct scen_pctx *p, struct scen_cmd *c)
{
	struct scen_gitem *it;

	if (c->nitems == SCEN_MAX_ITEMS) {
		(void)scen_perr(p, "too many expectations (at most %u)",
				SCEN_MAX_ITEMS);
		return NULL;
	}
	it = &c->items[c->nitems];
	*it = (struct scen_gitem){0};
	if (!scen_peek(p)) {
		(void)scen_expected(p, "an expectation");
		return NULL;
	}
	return it;
}

static int gitem(struct scen_pctx *p, struct scen_cmd *c)
{
	struct scen_gitem *it;
	const char *t = scen_peek(p), *val;
	bool low32;
	int reg;

	it = scen_item_new(p, c);
	if (!it)
		return -1;
	if (scen_accept(p, "resume")) {
		it->kind = SCEN_G_RESUME;
	} else if (scen_accept(p, "leave")) {
		it->kind = SCEN_G_LEAVE;
	} else if (scen_accept(p, "noexit")) {
		it->kind = SCEN_G_NOEXIT;
	} else if (scen_accept(p, "noinject")) {
		it->kind = SCEN_G_NOINJECT;
	} else if (scen_accept(p, "nofault")) {
		it->kind = SCEN_G_NOFAULT;
	} else if (scen_accept(p, "fault")) {
		uint32_t v;
		it->kind = SCEN_G_FAULT;
		if (vector_arg(p, &v) != 0)
			return -1;
		it->num = v;
	} else if (scen_accept(p, "inject")) {
		uint32_t v;
		it->kind = SCEN_G_INJECT;
		if (vector_arg(p, &v) != 0)
			return -1;
		it->num = v;
	} else if (scen_accept(p, "notrap")) {
		it->kind = SCEN_G_NOTRAP;
	} else if (scen_accept(p, "trap")) {
		uint32_t v;
		it->kind = SCEN_G_TRAP;
		if (vector_arg(p, &v) != 0)
			return -1;
		if (v != X86_VEC_DB)
			return scen_perr(p, "only a #DB trap after VM entry is "
					    "modelled (pending debug "
					    "exceptions): write 'trap DB'");
		it->num = v;
	} else if (strncmp(t, "pending_dbg=", 12) == 0) {
		it->kind = SCEN_G_PENDING_DBG;
		if (inline_value(p, t + 12, &it->num,
				 "a value after pending_dbg=") != 0)
			return -1;
	} else if (scen_accept(p, "exit")) {
		uint32_t r;
		it->kind = SCEN_G_EXIT;
		if (reason_arg(p, &r) != 0)
			return -1;
		it->num = r;
	} else if (strncmp(t, "value=", 6) == 0) {
		it->kind = SCEN_G_VALUE;
		if (inline_value(p, t + 6, &it->num, "a value after value=") !=
		    0)
			return -1;
	} else if (strncmp(t, "rip+", 4) == 0) {
		it->kind = SCEN_G_RIP;
		if (!scen_number(t + 4, &it->num))
			return scen_expected(p, "rip+N");
		p->pos++;
	} else if ((reg = gpr_assign(t, &low32, &val)) >= 0) {
		it->kind = SCEN_G_REG;
		it->reg = (unsigned)reg;
		it->low32 = low32;
		if (inline_value(p, val, &it->num, "a register value") != 0)
			return -1;
	} else {
		return scen_expected(p,
				     "resume, leave, noexit, inject VEC, "
				     "noinject, fault VEC, nofault, trap DB, "
				     "notrap, pending_dbg=V, exit REASON, "
				     "REG=V, value=V or rip+N");
	}
	c->nitems++;
	return 0;
}

static const struct {
	const char *name;
	enum scen_event ev;
	unsigned nargs; /* values that follow */
} events[] = {
	{"cpuid", SCEN_E_CPUID, 1},
	{"rdmsr", SCEN_E_RDMSR, 0},
	{"wrmsr", SCEN_E_WRMSR, 1},
	{"vmcall", SCEN_E_VMCALL, 0},
	{"xsetbv", SCEN_E_XSETBV, 2},
	{"mov_to_cr", SCEN_E_MOV_TO_CR, 2},
	{"mov_from_cr", SCEN_E_MOV_FROM_CR, 1},
	{"hlt", SCEN_E_HLT, 0},
	{"invd", SCEN_E_INVD, 0},
	{"wbinvd", SCEN_E_WBINVD, 0},
	{"exception", SCEN_E_EXCEPTION, 0},
	{"nmi", SCEN_E_NMI, 0},
	{"intr", SCEN_E_INTR, 1},
	{"init", SCEN_E_INIT, 0},
	{"sipi", SCEN_E_SIPI, 1},
	{"triple_fault", SCEN_E_TRIPLE_FAULT, 0},
	{"vmx", SCEN_E_VMX, 0},
	/* Instructions gated by a secondary control (mock_guest_gated). */
	{"rdtscp", SCEN_E_GATED, 0},
	{"rdpid", SCEN_E_GATED, 0},
	{"invpcid", SCEN_E_GATED, 0},
	{"xsaves", SCEN_E_GATED, 0},
	{"xrstors", SCEN_E_GATED, 0},
	{"umonitor", SCEN_E_GATED, 0},
	{"umwait", SCEN_E_GATED, 0},
	{"tpause", SCEN_E_GATED, 0},
	{"pconfig", SCEN_E_GATED, 0},
	/* A guest-physical access through EPT (scen_ept.c). */
	{"access", SCEN_E_ACCESS, 0},
};

static int guest(struct scen_pctx *p, struct scen_cmd *c)
{
	const char *t;
	unsigned e;

	c->op = SCEN_GUEST;
	c->cpu = SCEN_CPU_CURRENT;
	if (scen_accept(p, "cpu")) {
		if (cpu_sel(p, &c->cpu) != 0)
			return -1;
		if (c->cpu == SCEN_CPU_ALL)
			return scen_perr(p, "expected one CPU for a guest "
					    "event, found 'all'");
	}
	if (scen_word(p, "a guest event (cpuid, rdmsr, vmcall, ...)", &t))
		return -1;
	for (e = 0; e < sizeof(events) / sizeof(events[0]); e++)
		if (strcmp(t, events[e].name) == 0)
			break;
	if (e == sizeof(events) / sizeof(events[0])) {
		p->pos--;
		return scen_expected(p, "a guest event (cpuid, rdmsr, wrmsr, "
					"vmcall, xsetbv, mov_to_cr, "
					"mov_from_cr, hlt, invd, wbinvd, "
					"exception, nmi, intr, init, sipi, "
					"triple_fault, vmx, rdtscp, rdpid, "
					"invpcid, xsaves, xrstors, umonitor, "
					"umwait, tpause, pconfig, access)");
	}
	c->sub = events[e].ev;
	if (c->sub == SCEN_E_ACCESS)
		return scen_parse_access(p, c);
	switch (events[e].ev) {
	case SCEN_E_RDMSR:
	case SCEN_E_WRMSR:
		if (msr_arg(p, &c->id) != 0)
			return -1;
		break;
	case SCEN_E_EXCEPTION:
		if (vector_arg(p, &c->id) != 0)
			return -1;
		break;
	case SCEN_E_VMX: {
		static const char *const vmx_names[] = {
			"vmcall",  "vmclear", "vmlaunch", "vmptrld",
			"vmptrst", "vmread",  "vmresume", "vmwrite",
			"vmxoff",  "vmxon",   "invept",	  "invvpid"};
		static const uint32_t vmx_reasons[] = {
			EXIT_REASON_VMCALL,   EXIT_REASON_VMCLEAR,
			EXIT_REASON_VMLAUNCH, EXIT_REASON_VMPTRLD,
			EXIT_REASON_VMPTRST,  EXIT_REASON_VMREAD,
			EXIT_REASON_VMRESUME, EXIT_REASON_VMWRITE,
			EXIT_REASON_VMXOFF,   EXIT_REASON_VMXON,
			EXIT_REASON_INVEPT,   EXIT_REASON_INVVPID};
		const char *w;
		c->id = UINT32_MAX;
		if (scen_word(p, "a VMX instruction", &w) != 0)
			return -1;
		for (unsigned i = 0; i < 12; i++)
			if (strcmp(w, vmx_names[i]) == 0)
				c->id = vmx_reasons[i];
		if (c->id == UINT32_MAX) {
			p->pos--;
			return scen_expected(p, "a VMX instruction (vmxon, "
						"vmclear, ..., invvpid)");
		}
		break;
	}
	case SCEN_E_GATED:
		c->id = 0;
		while (c->id < MOCK_GATED_COUNT &&
		       strcmp(t, mock_gated_insn_name(
					 (enum mock_gated_insn)c->id)) != 0)
			c->id++;
		break;
	default:
		break;
	}
	for (unsigned i = 0; i < events[e].nargs; i++) {
		if (scen_value(p, "a value", &c->v[i]) != 0)
			return -1;
		c->nv++;
	}
	/* Optional: CPUID subleaf, exception error code, vmcall registers. */
	if (events[e].ev == SCEN_E_CPUID || events[e].ev == SCEN_E_EXCEPTION) {
		const char *n = scen_peek(p);
		if (n && strcmp(n, "expect") != 0) {
			if (scen_value(p, "a value", &c->v[c->nv]) != 0)
				return -1;
			c->nv++;
		}
	}
	if (events[e].ev == SCEN_E_VMCALL || events[e].ev == SCEN_E_GATED) {
		while (scen_peek(p) && strcmp(scen_peek(p), "expect") != 0) {
			const char *val;
			bool low32;
			int reg = gpr_assign(scen_peek(p), &low32, &val);
			struct scen_gitem *it = &c->items[c->nitems];

			if (reg < 0 || low32)
				return scen_expected(p, "REG=VALUE (rax=..., "
							"rbx=...)");
			if (c->nitems == SCEN_MAX_ITEMS)
				return scen_perr(p, "too many registers");
			it->kind = SCEN_G_REG;
			it->reg = (unsigned)reg;
			if (inline_value(p, val, &it->num, "a register value"))
				return -1;
			c->nitems++;
		}
		c->nv = c->nitems; /* inputs; expectations follow */
	}
	if (scen_accept(p, "expect")) {
		c->has_expect = true;
		do {
			if (gitem(p, c) != 0)
				return -1;
		} while (scen_peek(p));
	}
	return scen_end(p);
}

/* ------------------------------------------------------------ libvmm */

static int vmm_call(struct scen_pctx *p, struct scen_cmd *c, enum scen_op op)
{
	int st;

	p->s->uses_vmm = true;
	c->op = op;
	if ((op == SCEN_VMM_START || op == SCEN_VMM_STOP) &&
	    scen_accept(p, "cpu")) {
		c->op = op == SCEN_VMM_START ? SCEN_VMM_START_CPU
					     : SCEN_VMM_STOP_CPU;
		if (cpu_sel(p, &c->cpu) != 0)
			return -1;
		if (c->cpu == SCEN_CPU_ALL)
			return scen_perr(p, "expected one CPU, found 'all'");
	}
	if (scen_accept(p, "expect")) {
		if (status_arg(p, &st) != 0)
			return -1;
		c->has_expect = true;
		c->id = (uint32_t)st;
		if (scen_accept(p, "cpu")) {
			uint32_t k;
			if (scen_u32(p, "the CPU the failure names", &k) != 0)
				return -1;
			c->sub = 1;
			c->cpu = k;
		}
	}
	return scen_end(p);
}

static int sweep(struct scen_pctx *p, struct scen_cmd *c)
{
	int st;

	p->s->uses_vmm = true;
	c->id = UINT32_MAX;
	if (scen_accept(p, "alloc")) {
		c->op = SCEN_SWEEP_ALLOC;
	} else if (scen_accept(p, "start")) {
		c->op = SCEN_SWEEP_START;
		c->sub = MOCK_OP_COUNT;
		if (scen_accept(p, "op")) {
			const char *t;
			if (scen_word(p, "an operation", &t) != 0)
				return -1;
			c->sub = mock_op_from_name(t);
			if (c->sub == MOCK_OP_COUNT) {
				p->pos--;
				return scen_expected(p, "an operation (vmxon, "
							"vmwrite, rdmsr, ...)");
			}
		}
	} else {
		return scen_expected(p, "start or alloc");
	}
	if (scen_accept(p, "expect")) {
		if (status_arg(p, &st) != 0)
			return -1;
		c->id = (uint32_t)st;
	}
	for (unsigned i = 0; i + 1 < p->s->ncmds; i++) {
		enum scen_op o = p->s->cmds[i].op;
		if (o == SCEN_INSN || o == SCEN_VMCS_VALID || o == SCEN_GUEST ||
		    o == SCEN_VMM_START || o == SCEN_VMM_STOP ||
		    o == SCEN_VMM_START_CPU || o == SCEN_VMM_STOP_CPU ||
		    o == SCEN_INJECT_NTH || o == SCEN_FAIL_ALLOC ||
		    o == SCEN_ALLOC || o == SCEN_VMM_CHECK ||
		    o == SCEN_OFFLINE || o == SCEN_FIELD)
			return scen_perr(
				p,
				"sweep may follow only machine setup "
				"(profile, cpus, set, feature_control, "
				"cpuid, inject MSR gp), expectations "
				"and other sweeps; line %u is not",
				p->s->cmds[i].line);
	}
	return scen_end(p);
}

/* ------------------------------------------------------------- expect */

static int expect_cpu(struct scen_pctx *p, struct scen_cmd *c)
{
	const char *t;
	enum scen_reg r;
	char reg[16], *dot;

	if (scen_word(p,
		      "vmx, a register, REG.BIT, msr, unchanged or "
		      "running",
		      &t) != 0)
		return -1;
	if (strcmp(t, "vmx") == 0) {
		c->sub = SCEN_C_VMX;
		if (scen_accept(p, "outside"))
			c->id = MOCK_VMX_OUTSIDE;
		else if (scen_accept(p, "root"))
			c->id = MOCK_VMX_ROOT;
		else if (scen_accept(p, "nonroot"))
			c->id = MOCK_VMX_NONROOT;
		else
			return scen_expected(p, "outside, root or nonroot");
		return scen_end(p);
	}
	if (strcmp(t, "unchanged") == 0) {
		c->sub = SCEN_C_UNCHANGED;
		return scen_end(p);
	}
	if (strcmp(t, "running") == 0) {
		p->s->uses_vmm = true;
		c->sub = SCEN_C_RUNNING;
		if (scen_u32(p, "0 or 1", &c->id) != 0)
			return -1;
		return scen_end(p);
	}
	if (strcmp(t, "msr") == 0) {
		c->sub = SCEN_C_MSR;
		if (msr_arg(p, &c->id) != 0)
			return -1;
		return masked_eq(p, c, SCEN_R_CPL);
	}
	if (!scen_copy(reg, sizeof(reg), t)) {
		p->pos--;
		return scen_expected(p, "vmx, a register, REG.BIT, msr, "
					"unchanged or running");
	}
	/* A segment register part ("cs.ar") is a register; otherwise a dot
	 * separates a register and one of its bits ("cr4.vmxe"). */
	dot = reg_by_name(reg, &r) ? NULL : strchr(reg, '.');
	if (dot)
		*dot = '\0';
	if (!reg_by_name(reg, &r)) {
		p->pos--;
		return scen_expected(p, "vmx, a register, REG.BIT, msr, "
					"unchanged or running");
	}
	c->sub = SCEN_C_REG;
	c->id = r;
	if (dot) {
		/* REG.BIT 0|1: e.g. cr4.vmxe 0 */
		uint64_t bit, want;
		char up[16];
		size_t i;
		for (i = 0; dot[1 + i] && i + 1 < sizeof(up); i++)
			up[i] = (char)toupper((unsigned char)dot[1 + i]);
		up[i] = '\0';
		if (!scen_const_by_name(up, r, &bit) ||
		    (r != SCEN_R_CR0 && r != SCEN_R_CR4 && r != SCEN_R_RFLAGS))
			return scen_perr(p, "unknown bit '%s' of %s", dot + 1,
					 reg);
		if (scen_num(p, "0 or 1", &want) != 0)
			return -1;
		if (want > 1)
			return scen_perr(p, "expected 0 or 1, found %llu",
					 (unsigned long long)want);
		c->has_mask = true;
		scen_value_num(&c->mask, bit);
		scen_value_num(&c->v[0], want ? bit : 0);
		c->nv = 1;
		return scen_end(p);
	}
	return masked_eq(p, c, r);
}

static int expect_dir(struct scen_pctx *p, struct scen_cmd *c)
{
	const char *t;
	int st;

	if (scen_word(p, "what to expect (cpu, vmx, field, status, ...)", &t))
		return -1;
	if (strcmp(t, "cpu") == 0) {
		c->op = SCEN_EXPECT_CPU;
		if (scen_accept(p, "current"))
			c->cpu = SCEN_CPU_CURRENT;
		else if (cpu_sel(p, &c->cpu) != 0)
			return -1;
		return expect_cpu(p, c);
	}
	if (strcmp(t, "vmx") == 0) {
		/* Shorthand of "expect cpu current vmx MODE". */
		c->op = SCEN_EXPECT_CPU;
		c->cpu = SCEN_CPU_CURRENT;
		p->pos--;
		return expect_cpu(p, c);
	}
	if (strcmp(t, "field") == 0) {
		c->op = SCEN_EXPECT_FIELD;
		if (field_arg(p, &c->id) != 0)
			return -1;
		return masked_eq(p, c, SCEN_R_CPL);
	}
	if (strcmp(t, "mem16") == 0 || strcmp(t, "mem32") == 0 ||
	    strcmp(t, "mem64") == 0) {
		c->op = SCEN_EXPECT_MEM;
		c->sub = t[3] == '1' ? 2 : t[3] == '3' ? 4 : 8;
		if (scen_value(p, "an address", &c->v[1]) != 0)
			return -1;
		if (!scen_accept(p, "="))
			return scen_expected(p, "'='");
		if (scen_value(p, "a value", &c->v[0]) != 0)
			return -1;
		c->nv = 2;
		return scen_end(p);
	}
	if (strcmp(t, "status") == 0) {
		p->s->uses_vmm = true;
		c->op = SCEN_EXPECT_STATUS;
		if (status_arg(p, &st) != 0)
			return -1;
		c->id = (uint32_t)st;
		return scen_end(p);
	}
	if (strcmp(t, "failed_cpu") == 0) {
		p->s->uses_vmm = true;
		c->op = SCEN_EXPECT_FAILED_CPU;
		if (scen_u32(p, "a CPU number", &c->id) != 0)
			return -1;
		return scen_end(p);
	}
	if (strcmp(t, "state") == 0) {
		const char *w;
		p->s->uses_vmm = true;
		c->op = SCEN_EXPECT_STATE;
		if (scen_word(p, "a state", &w) != 0)
			return -1;
		if (!scen_state_by_name(w, &c->id)) {
			p->pos--;
			return scen_expected(p, "a state (UNLOADED, LOADED, "
						"RUNNING, STOPPING, CORRUPT)");
		}
		return scen_end(p);
	}
	if (strcmp(t, "leaks") == 0 || strcmp(t, "pages") == 0) {
		c->op = t[0] == 'l' ? SCEN_EXPECT_LEAKS : SCEN_EXPECT_PAGES;
		if (scen_u32(p, "a page count", &c->id) != 0)
			return -1;
		return scen_end(p);
	}
	if (strcmp(t, "log") == 0) {
		p->s->uses_vmm = true;
		c->op = SCEN_EXPECT_LOG;
		if (!scen_peek(p) || !p->quoted[p->pos])
			return scen_expected(p, "a quoted text");
		snprintf(c->text, sizeof(c->text), "%s", p->tok[p->pos++]);
		return scen_end(p);
	}
	if (strcmp(t, "report") == 0) {
		const char *w;
		p->s->uses_vmm = true;
		c->op = SCEN_EXPECT_REPORT;
		if (scen_word(p, "a check name (vmx-cpuid, ...)", &w) != 0)
			return -1;
		snprintf(c->name, sizeof(c->name), "%s", w);
		if (status_arg(p, &st) != 0)
			return -1;
		c->id = (uint32_t)st;
		if (scen_peek(p) && p->quoted[p->pos])
			snprintf(c->text, sizeof(c->text), "%s",
				 p->tok[p->pos++]);
		return scen_end(p);
	}
	if (strcmp(t, "entry_failure") == 0) {
		p->s->uses_vmm = true;
		c->op = SCEN_EXPECT_ENTRY_FAILURE;
		if (!scen_accept(p, "cpu"))
			return scen_expected(p, "cpu N");
		if (cpu_sel(p, &c->cpu) != 0)
			return -1;
		if (c->cpu == SCEN_CPU_ALL)
			return scen_perr(p, "expected one CPU, found 'all'");
		if (!scen_accept(p, "error"))
			return scen_expected(p, "error N");
		if (scen_u32(p, "a VM-instruction error", &c->id) != 0)
			return -1;
		if (scen_accept(p, "reason")) {
			uint32_t r;
			if (reason_arg(p, &r) != 0)
				return -1;
			scen_value_num(&c->v[0], r);
			c->nv = 1;
		}
		return scen_end(p);
	}
	if (strcmp(t, "rule") == 0) {
		const char *w;
		c->op = SCEN_EXPECT_RULE;
		if (scen_word(p, "a rule identifier", &w) != 0)
			return -1;
		snprintf(c->name, sizeof(c->name), "%s", w);
		return scen_end(p);
	}
	if (strcmp(t, "exit") == 0) {
		uint32_t r;
		c->op = SCEN_EXPECT_EXIT;
		if (reason_arg(p, &r) != 0)
			return -1;
		c->id = r;
		if (scen_accept(p, "qual")) {
			c->has_mask = true; /* qualification present */
			if (scen_value(p, "a qualification", &c->v[0]) != 0)
				return -1;
		}
		return scen_end(p);
	}
	if (strcmp(t, "undefined") == 0) {
		c->op = SCEN_EXPECT_UNDEFINED;
		if (scen_u32(p, "a count of undefined-behaviour events",
			     &c->id) != 0)
			return -1;
		return scen_end(p);
	}
	if (strcmp(t, "calls") == 0) {
		const char *w;
		c->op = SCEN_EXPECT_CALLS;
		if (scen_word(p, "an operation", &w) != 0)
			return -1;
		c->sub = mock_op_from_name(w);
		if (c->sub == MOCK_OP_COUNT) {
			p->pos--;
			return scen_expected(p, "an operation (vmxon, ...)");
		}
		if (scen_u32(p, "a call count", &c->id) != 0)
			return -1;
		return scen_end(p);
	}
	p->pos--;
	return scen_expected(p, "cpu, vmx, field, mem16/32/64, status, "
				"failed_cpu, state, leaks, pages, log, report, "
				"entry_failure, rule, exit, calls or "
				"undefined");
}

/* -------------------------------------------------------------- lines */

static int header(struct scen_pctx *p, struct scen_cmd *c, const char *w)
{
	if (p->body)
		return scen_perr(p,
				 "'%s' must come before every other "
				 "directive",
				 w);
	if (strcmp(w, "profile") == 0) {
		const char *name;
		const char *const *names = mock_profile_names();
		bool known = false;

		if (p->has_profile)
			return scen_perr(p, "profile given twice");
		if (scen_word(p, "a profile name", &name) != 0)
			return -1;
		for (unsigned i = 0; names[i]; i++)
			known = known || strcmp(names[i], name) == 0;
		if (!known) {
			char list[256] = "";
			for (unsigned i = 0; names[i]; i++) {
				strncat(list, i ? ", " : "",
					sizeof(list) - strlen(list) - 1);
				strncat(list, names[i],
					sizeof(list) - strlen(list) - 1);
			}
			p->pos--;
			return scen_expected(p, list);
		}
		snprintf(p->s->profile, sizeof(p->s->profile), "%s", name);
		p->has_profile = true;
		c->op = SCEN_PROFILE;
		return scen_end(p);
	}
	if (p->has_cpus)
		return scen_perr(p, "cpus given twice");
	if (scen_u32(p, "a CPU count", &p->s->ncpus) != 0)
		return -1;
	if (p->s->ncpus == 0 || p->s->ncpus > MOCK_MAX_CPUS)
		return scen_perr(p, "expected 1-%u CPUs, found %u",
				 MOCK_MAX_CPUS, p->s->ncpus);
	p->has_cpus = true;
	c->op = SCEN_CPUS;
	return scen_end(p);
}

static int directive(struct scen_pctx *p, struct scen_cmd *c)
{
	const char *w = p->tok[p->pos++];

	if (strcmp(w, "profile") == 0 || strcmp(w, "cpus") == 0)
		return header(p, c, w);
	p->body = true;
	for (unsigned i = 0; i < sizeof(insns) / sizeof(insns[0]); i++)
		if (strcmp(w, insns[i].name) == 0)
			return insn(p, c, insns[i].insn);
	if (strcmp(w, "cpu") == 0) {
		c->op = SCEN_CPU;
		if (cpu_sel(p, &c->cpu) != 0)
			return -1;
		if (c->cpu == SCEN_CPU_ALL)
			return scen_perr(p, "expected one CPU, found 'all'");
		return scen_end(p);
	}
	if (strcmp(w, "set") == 0)
		return set_dir(p, c);
	if (strcmp(w, "feature_control") == 0)
		return feature_control(p, c);
	if (strcmp(w, "cpuid") == 0)
		return cpuid_dir(p, c);
	if (strcmp(w, "inject") == 0)
		return inject(p, c);
	if (strcmp(w, "fail_alloc") == 0) {
		c->op = SCEN_FAIL_ALLOC;
		if (!scen_accept(p, "nth"))
			return scen_expected(p, "nth");
		if (scen_u32(p, "an allocation number (1 = the next)", &c->id))
			return -1;
		return scen_end(p);
	}
	if (strcmp(w, "offline") == 0) {
		p->s->uses_vmm = true;
		c->op = SCEN_OFFLINE;
		if (cpu_sel(p, &c->cpu) != 0)
			return -1;
		if (c->cpu == SCEN_CPU_ALL || c->cpu >= 64)
			return scen_expected(p, "a CPU number below 64");
		return scen_end(p);
	}
	if (strcmp(w, "alloc") == 0)
		return alloc(p, c);
	if (strcmp(w, "write16") == 0 || strcmp(w, "write32") == 0 ||
	    strcmp(w, "write64") == 0) {
		c->op = SCEN_WRITE;
		c->sub = w[5] == '1' ? 2 : w[5] == '3' ? 4 : 8;
		if (scen_value(p, "an address", &c->v[1]) != 0 ||
		    scen_value(p, "a value", &c->v[0]) != 0)
			return -1;
		c->nv = 2;
		return scen_end(p);
	}
	if (strcmp(w, "read16") == 0 || strcmp(w, "read32") == 0 ||
	    strcmp(w, "read64") == 0)
		return read_dir(p, c, w[4] == '1' ? 2u : w[4] == '3' ? 4u : 8u);
	if (strcmp(w, "copy") == 0)
		return copy_dir(p, c);
	if (strcmp(w, "vmcs") == 0)
		return vmcs_valid(p, c);
	if (strcmp(w, "field") == 0) {
		c->op = SCEN_FIELD;
		if (field_arg(p, &c->id) != 0 ||
		    assign_op(p, &c->assign) != 0 ||
		    scen_value(p, "a value", &c->v[0]) != 0)
			return -1;
		c->nv = 1;
		return scen_end(p);
	}
	if (strcmp(w, "handler") == 0) {
		c->op = SCEN_HANDLER;
		if (scen_accept(p, "advance"))
			c->id = 1;
		else if (scen_accept(p, "script"))
			c->id = 2;
		else if (!scen_accept(p, "none"))
			return scen_expected(p, "advance, script or none");
		return scen_end(p);
	}
	if (strcmp(w, "maxphyaddr") == 0) {
		c->op = SCEN_MAXPHYADDR;
		if (scen_u32(p, "a physical-address width (32-52)", &c->id))
			return -1;
		if (c->id < 32 || c->id > 52) {
			p->pos--;
			return scen_expected(p, "a physical-address width "
						"(32-52)");
		}
		return scen_end(p);
	}
	if (strcmp(w, "paging") == 0) {
		c->op = SCEN_PAGING;
		if (scen_accept(p, "4"))
			c->id = 4;
		else if (scen_accept(p, "5"))
			c->id = 5;
		else
			return scen_expected(p, "4 or 5 (paging levels)");
		return scen_end(p);
	}
	if (strcmp(w, "map") == 0) {
		c->op = SCEN_MAP;
		c->nv = 3;
		if (scen_value(p, "a linear address", &c->v[0]) != 0 ||
		    scen_value(p, "a physical address", &c->v[1]) != 0 ||
		    scen_value(p, "page flags (PTE_P|PTE_RW|PTE_US ...)",
			       &c->v[2]) != 0)
			return -1;
		c->id = 1; /* levels the page spans: 4 KiB */
		if (scen_accept(p, "2m"))
			c->id = 2;
		else if (scen_accept(p, "1g"))
			c->id = 3;
		else if (scen_peek(p) && !scen_accept(p, "4k"))
			return scen_expected(p, "4k, 2m, 1g or end of line");
		return scen_end(p);
	}
	if (strcmp(w, "unmap") == 0) {
		c->op = SCEN_UNMAP;
		c->nv = 1;
		if (scen_value(p, "a linear address", &c->v[0]) != 0)
			return -1;
		return scen_end(p);
	}
	if (strcmp(w, "unmapped") == 0) {
		c->op = SCEN_UNMAPPED;
		if (scen_u32(p, "a byte (0-255)", &c->id) != 0)
			return -1;
		if (c->id > 0xFF) {
			p->pos--;
			return scen_expected(p, "a byte (0-255)");
		}
		return scen_end(p);
	}
	if (strcmp(w, "mode") == 0) {
		static const char *const modes[] = {"64", "compat", "protected",
						    "v86", "real"};
		c->op = SCEN_MODE;
		for (c->id = 0; c->id < 5; c->id++)
			if (scen_accept(p, modes[c->id]))
				break;
		if (c->id == 5)
			return scen_expected(
				p, "64, compat, protected, v86 or real");
		if (on_cpus(p, &c->cpu, SCEN_CPU_CURRENT) != 0)
			return -1;
		return scen_end(p);
	}
	if (strcmp(w, "return") == 0) {
		c->op = SCEN_RETURN;
		if (scen_accept(p, "resume"))
			c->id = 0;
		else if (scen_accept(p, "advance"))
			c->id = 1;
		else if (scen_accept(p, "leave"))
			c->id = 2;
		else
			return scen_expected(p, "resume, advance or leave");
		return scen_end(p);
	}
	if (strcmp(w, "snapshot") == 0) {
		c->op = SCEN_SNAPSHOT;
		return scen_end(p);
	}
	if (strcmp(w, "guest") == 0)
		return guest(p, c);
	if (strcmp(w, "check") == 0)
		return vmm_call(p, c, SCEN_VMM_CHECK);
	if (strcmp(w, "start") == 0)
		return vmm_call(p, c, SCEN_VMM_START);
	if (strcmp(w, "stop") == 0)
		return vmm_call(p, c, SCEN_VMM_STOP);
	if (strcmp(w, "sweep") == 0)
		return sweep(p, c);
	if (strcmp(w, "expect") == 0)
		return expect_dir(p, c);
	p->pos--;
	return scen_expected(p, "a directive (profile, cpus, set, alloc, "
				"vmxon, ..., guest, start, stop, expect, ...)");
}

/*
 * A libvmm call without its own "expect STATUS" asserts VMM_OK, unless an
 * "expect status" line follows before the next libvmm call: then that
 * line is the assertion.
 */
static void link_status_expectations(struct scen_script *s)
{
	for (unsigned i = 0; i < s->ncmds; i++) {
		struct scen_cmd *c = &s->cmds[i];
		if (c->op < SCEN_VMM_CHECK || c->op > SCEN_VMM_STOP_CPU ||
		    c->has_expect)
			continue;
		for (unsigned k = i + 1; k < s->ncmds; k++) {
			enum scen_op o = s->cmds[k].op;
			if (o >= SCEN_VMM_CHECK && o <= SCEN_SWEEP_ALLOC)
				break;
			if (o == SCEN_EXPECT_STATUS) {
				c->sub = 2; /* checked by that line */
				break;
			}
		}
	}
}

int scen_parse_text(const char *file, const char *text, struct scen_script *s,
		    char *err, size_t err_size)
{
	struct scen_pctx p = {.s = s, .err = err, .err_size = err_size};
	const char *line = text;

	memset(s, 0, sizeof(*s));
	s->file = file;
	snprintf(s->profile, sizeof(s->profile), "skylake");
	s->ncpus = 1;
	err[0] = '\0';
	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char buf[1024];
		struct scen_cmd *c;

		p.line++;
		if (len >= sizeof(buf)) {
			scen_perr(&p, "line longer than %zu characters",
				  sizeof(buf) - 1);
			goto err;
		}
		memcpy(buf, line, len);
		buf[len] = '\0';
		line += len + (nl ? 1 : 0);
		if (scen_tokenize(&p, buf) != 0)
			goto err;
		if (p.ntok == 0)
			continue;
		if (s->ncmds == s->cap) {
			unsigned cap = s->cap ? s->cap * 2 : 32;
			struct scen_cmd *n = realloc(s->cmds, cap * sizeof(*n));
			if (!n) {
				scen_perr(&p, "out of memory");
				goto err;
			}
			s->cmds = n;
			s->cap = cap;
		}
		c = &s->cmds[s->ncmds++];
		memset(c, 0, sizeof(*c));
		c->line = p.line;
		c->cpu = SCEN_CPU_CURRENT;
		if (directive(&p, c) != 0)
			goto err;
	}
	link_status_expectations(s);
	return 0;
err:
	scen_script_free(s);
	return -1;
}

int scen_parse_file(const char *path, struct scen_script *s, char *err,
		    size_t err_size)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	long size;
	int rc;

	if (!f) {
		snprintf(err, err_size, "%s: cannot open", path);
		return -1;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || !(text = malloc((size_t)size + 1)) ||
	    fread(text, 1, (size_t)size, f) != (size_t)size) {
		snprintf(err, err_size, "%s: cannot read", path);
		free(text);
		fclose(f);
		return -1;
	}
	text[size] = '\0';
	fclose(f);
	if (strlen(text) != (size_t)size) {
		snprintf(err, err_size, "%s: contains a NUL byte", path);
		free(text);
		return -1;
	}
	rc = scen_parse_text(path, text, s, err, err_size);
	free(text);
	return rc;
}

void scen_script_free(struct scen_script *s)
{
	free(s->cmds);
	s->cmds = NULL;
	s->ncmds = s->cap = 0;
}
