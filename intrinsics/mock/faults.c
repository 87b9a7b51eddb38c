// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Fault injection, call counters, the call trace and exception reporting.
 *
 * Every intrinsic passes through mock_fault_check() before it executes and
 * mock_record() after: it is counted, may be made to fail (only with an
 * outcome the instruction can architecturally have), and is appended to
 * the trace when recording is on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_internal.h"

static const char *const op_names[MOCK_OP_COUNT] = {
	[MOCK_OP_VMXON] = "vmxon",
	[MOCK_OP_VMXOFF] = "vmxoff",
	[MOCK_OP_VMCLEAR] = "vmclear",
	[MOCK_OP_VMPTRLD] = "vmptrld",
	[MOCK_OP_VMPTRST] = "vmptrst",
	[MOCK_OP_VMREAD] = "vmread",
	[MOCK_OP_VMWRITE] = "vmwrite",
	[MOCK_OP_VMLAUNCH] = "vmlaunch",
	[MOCK_OP_VMRESUME] = "vmresume",
	[MOCK_OP_INVEPT] = "invept",
	[MOCK_OP_INVVPID] = "invvpid",
	[MOCK_OP_VMCALL] = "vmcall",
	[MOCK_OP_CPUID] = "cpuid",
	[MOCK_OP_RDMSR] = "rdmsr",
	[MOCK_OP_WRMSR] = "wrmsr",
	[MOCK_OP_XSETBV] = "xsetbv",
	[MOCK_OP_XGETBV] = "xgetbv",
	[MOCK_OP_READ_CR] = "read_cr",
	[MOCK_OP_WRITE_CR] = "write_cr",
	[MOCK_OP_READ_DR7] = "read_dr7",
	[MOCK_OP_WRITE_DR7] = "write_dr7",
	[MOCK_OP_READ_RFLAGS] = "read_rflags",
	[MOCK_OP_SGDT] = "sgdt",
	[MOCK_OP_SIDT] = "sidt",
	[MOCK_OP_LGDT] = "lgdt",
	[MOCK_OP_LIDT] = "lidt",
	[MOCK_OP_READ_SEG] = "read_seg",
	[MOCK_OP_LSL] = "lsl",
	[MOCK_OP_LAR] = "lar",
	[MOCK_OP_INVD] = "invd",
	[MOCK_OP_WBINVD] = "wbinvd",
	[MOCK_OP_IN] = "in",
	[MOCK_OP_OUT] = "out",
	[MOCK_OP_PAUSE] = "pause",
	[MOCK_OP_HLT] = "hlt",
	[MOCK_OP_SWAPGS] = "swapgs",
	[MOCK_OP_RSB_FILL] = "rsb_fill",
	[MOCK_OP_RSB_GUARD] = "rsb_guard",
	[MOCK_OP_VERW] = "verw",
};

const char *mock_op_name(enum mock_op op)
{
	return (unsigned)op < MOCK_OP_COUNT ? op_names[op] : "?";
}

enum mock_op mock_op_from_name(const char *name)
{
	for (unsigned i = 0; name && i < MOCK_OP_COUNT; i++) {
		if (strcmp(op_names[i], name) == 0)
			return (enum mock_op)i;
	}
	return MOCK_OP_COUNT;
}

/* ---------------------------------------------------------- injection */

#define MAX_ARMED 32u

struct armed {
	bool nth; /* true: count down; false: predicate */
	enum mock_op op;
	unsigned remaining;
	mock_call_pred pred;
	void *arg;
	vmx_result_t outcome;
};

static struct armed armed[MAX_ARMED];
static unsigned narmed;
static unsigned counts[MOCK_OP_COUNT];
static bool tracing;
static struct mock_call *trace;
static size_t trace_len, trace_cap;

#define MAX_EXPECT 8u
static struct {
	enum mock_op op;
	uint32_t vector;
} expect[MAX_EXPECT];
static unsigned nexpect;
static const char *last_exc_rule;
/* Error code of the last exception raised (0 for those without one). */
static uint32_t last_exc_code;
static mock_exception_handler exc_handler;
/* Undefined behaviour seen (mock_undefined) and declared expected. */
static unsigned undefined_count;
static bool undefined_allowed;
static const char *last_undefined_rule;

void mock_faults_reset(void)
{
	narmed = 0;
	memset(counts, 0, sizeof(counts));
	tracing = false;
	free(trace);
	trace = NULL;
	trace_len = trace_cap = 0;
	nexpect = 0;
	last_exc_rule = NULL;
	last_exc_code = 0;
	undefined_count = 0;
	undefined_allowed = false;
	last_undefined_rule = NULL;
}

/*
 * Which outcomes an operation can architecturally have: VMX instructions
 * any VMX outcome; RDMSR/WRMSR/XSETBV only #GP; the rest cannot fail.
 */
static bool injectable(enum mock_op op, vmx_result_t outcome)
{
	switch (op) {
	case MOCK_OP_VMXON:
	case MOCK_OP_VMXOFF:
	case MOCK_OP_VMCLEAR:
	case MOCK_OP_VMPTRLD:
	case MOCK_OP_VMPTRST:
	case MOCK_OP_VMREAD:
	case MOCK_OP_VMWRITE:
	case MOCK_OP_VMLAUNCH:
	case MOCK_OP_VMRESUME:
	case MOCK_OP_INVEPT:
	case MOCK_OP_INVVPID:
	case MOCK_OP_VMCALL:
		return outcome.outcome != VMX_SUCCEED &&
		       outcome.outcome <= VMX_EXCEPTION;
	case MOCK_OP_RDMSR:
	case MOCK_OP_WRMSR:
	case MOCK_OP_XSETBV:
		return outcome.outcome == VMX_EXCEPTION &&
		       outcome.error == X86_VEC_GP;
	default:
		return false;
	}
}

int mock_fail_nth(enum mock_op op, unsigned nth, vmx_result_t outcome)
{
	if ((unsigned)op >= MOCK_OP_COUNT || nth == 0 ||
	    !injectable(op, outcome) || narmed == MAX_ARMED)
		return -1;
	armed[narmed++] = (struct armed){
		.nth = true, .op = op, .remaining = nth, .outcome = outcome};
	return 0;
}

int mock_fail_when(mock_call_pred pred, void *arg, vmx_result_t outcome)
{
	if (!pred || outcome.outcome == VMX_SUCCEED ||
	    outcome.outcome > VMX_EXCEPTION || narmed == MAX_ARMED)
		return -1;
	armed[narmed++] = (struct armed){
		.nth = false, .pred = pred, .arg = arg, .outcome = outcome};
	return 0;
}

void mock_fail_clear(void)
{
	narmed = 0;
}

bool mock_fault_check(enum mock_op op, uint64_t a0, uint64_t a1,
		      vmx_result_t *out)
{
	counts[op]++;
	if (!narmed)
		return false;
	struct mock_call call = {
		.op = op, .cpu = mock_machine.current, .arg = {a0, a1}};
	for (unsigned i = 0; i < narmed; i++) {
		struct armed *a = &armed[i];
		bool fire;
		if (a->nth) {
			fire = a->op == op && --a->remaining == 0;
		} else {
			fire = a->pred(&call, a->arg) &&
			       injectable(op, a->outcome);
		}
		if (!fire)
			continue;
		*out = a->outcome;
		if (a->nth)
			armed[i] = armed[--narmed];
		return true;
	}
	return false;
}

void mock_record(enum mock_op op, uint64_t a0, uint64_t a1, vmx_result_t result,
		 bool injected)
{
	if (mock_machine.cpu != NULL)
		mock_gs_note(mock_cur(), mock_op_name(op));
	if (!tracing)
		return;
	if (trace_len == trace_cap) {
		size_t n = trace_cap ? trace_cap * 2 : 256;
		struct mock_call *t = realloc(trace, n * sizeof(*t));
		if (!t) {
			fprintf(stderr, "flank mock: out of memory\n");
			abort();
		}
		trace = t;
		trace_cap = n;
	}
	trace[trace_len++] = (struct mock_call){.op = op,
						.cpu = mock_machine.current,
						.arg = {a0, a1},
						.result = result,
						.injected = injected};
}

unsigned mock_call_count(enum mock_op op)
{
	return (unsigned)op < MOCK_OP_COUNT ? counts[op] : 0;
}

void mock_trace_enable(bool on)
{
	tracing = on;
}

size_t mock_trace_len(void)
{
	return trace_len;
}

const struct mock_call *mock_trace_at(size_t i)
{
	return i < trace_len ? &trace[i] : NULL;
}

void mock_trace_clear(void)
{
	trace_len = 0;
	memset(counts, 0, sizeof(counts));
}

/* ---------------------------------------------------------- exceptions */

static void default_handler(const char *rule, const char *message)
{
	fprintf(stderr, "flank mock: unexpected exception [%s]: %s\n", rule,
		message);
	abort();
}

void mock_set_exception_handler(mock_exception_handler handler)
{
	exc_handler = handler;
}

void mock_expect_exception(enum mock_op op, uint32_t vector)
{
	if (nexpect < MAX_EXPECT) {
		expect[nexpect].op = op;
		expect[nexpect].vector = vector;
		nexpect++;
	}
}

const char *mock_last_exception_rule(void)
{
	return last_exc_rule;
}

unsigned mock_expected_exceptions_pending(void)
{
	return nexpect;
}

uint32_t mock_last_exception_error_code(void)
{
	return last_exc_code;
}

vmx_result_t mock_raise(enum mock_op op, uint32_t vector, const char *rule,
			const char *message)
{
	return mock_raise_code(op, vector, 0, rule, message);
}

vmx_result_t mock_raise_code(enum mock_op op, uint32_t vector, uint32_t code,
			     const char *rule, const char *message)
{
	vmx_result_t r = {VMX_EXCEPTION, vector};

	last_exc_rule = rule;
	last_exc_code = code;
	if (mock_machine.cpu)
		mock_cur()->last_rule = rule;
	for (unsigned i = 0; i < nexpect; i++) {
		if (expect[i].op == op && expect[i].vector == vector) {
			expect[i] = expect[--nexpect];
			return r;
		}
	}
	(exc_handler ? exc_handler : default_handler)(rule, message);
	return r;
}

void mock_violation(const char *rule, const char *message)
{
	last_exc_rule = rule;
	(exc_handler ? exc_handler : default_handler)(rule, message);
}

/* ------------------------------------------------- undefined behaviour */

void mock_allow_undefined(bool allow)
{
	undefined_allowed = allow;
}

unsigned mock_undefined_count(void)
{
	return undefined_count;
}

const char *mock_last_undefined_rule(void)
{
	return last_undefined_rule;
}

void mock_undefined(const char *rule, const char *message)
{
	undefined_count++;
	last_undefined_rule = rule;
	if (undefined_allowed)
		return;
	last_exc_rule = rule;
	(exc_handler ? exc_handler : default_handler)(rule, message);
}
