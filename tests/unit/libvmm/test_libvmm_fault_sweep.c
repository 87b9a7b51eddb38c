// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The fault sweep: start is run once per failable intrinsic call that a
 * clean start makes (every VMXON, VMCLEAR, VMPTRLD, VMWRITE, VMLAUNCH,
 * RDMSR and WRMSR, found in the emulator's call trace), failing exactly
 * that call. Each run must end with the status that names the failed step,
 * every CPU exactly as before, and no page leaked (the fixture checks).
 */
#include "libvmm_fixture.h"

struct point {
	enum mock_op op;
	unsigned nth;
	uint64_t arg;
	bool first; /**< First access to this MSR during start. */
};

#define MAX_POINTS 512u
static struct point points[MAX_POINTS];
static unsigned npoints;

static bool failable(enum mock_op op)
{
	return op == MOCK_OP_VMXON || op == MOCK_OP_VMCLEAR ||
	       op == MOCK_OP_VMPTRLD || op == MOCK_OP_VMWRITE ||
	       op == MOCK_OP_VMLAUNCH || op == MOCK_OP_RDMSR ||
	       op == MOCK_OP_WRMSR || op == MOCK_OP_INVVPID;
}

/* Records every failable call of a clean start on @p profile. */
static void collect(const char *profile)
{
	unsigned seen[MOCK_OP_COUNT] = {0};
	uint32_t failed;

	npoints = 0;
	fixture_up(profile, 1);
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	mock_trace_enable(false);
	for (size_t i = 0; i < mock_trace_len(); i++) {
		const struct mock_call *c = mock_trace_at(i);
		/* The start's own steps end with its VM entry; after it the
		 * CPU is a guest (its ring line is a hypercall, an exit:
		 * unit.libvmm_query). */
		if (i > 0 && mock_trace_at(i - 1)->op == MOCK_OP_VMLAUNCH)
			break;
		if (!failable(c->op))
			continue;
		assert_true(npoints < MAX_POINTS);
		points[npoints].op = c->op;
		points[npoints].nth = ++seen[c->op];
		points[npoints].arg = c->arg[0];
		points[npoints].first = true;
		for (unsigned k = 0; k < npoints; k++)
			if (points[k].op == c->op && points[k].arg == c->arg[0])
				points[npoints].first = false;
		npoints++;
	}
	assert_int_equal(vmm_stop_all(), VMM_OK);
	fixture_down();
}

static vmx_result_t outcome(enum mock_op op)
{
	vmx_result_t r = {VMX_FAIL_VALID, 0};

	switch (op) {
	case MOCK_OP_VMXON:
		r.outcome = VMX_FAIL_INVALID;
		break;
	case MOCK_OP_VMCLEAR:
		r.error = VMXERR_VMCLEAR_INVALID_ADDR;
		break;
	case MOCK_OP_VMPTRLD:
		r.error = VMXERR_VMPTRLD_BAD_REVISION;
		break;
	case MOCK_OP_VMWRITE:
		r.error = VMXERR_UNSUPPORTED_COMPONENT;
		break;
	case MOCK_OP_VMLAUNCH:
		r.error = VMXERR_ENTRY_INVALID_CONTROL;
		break;
	case MOCK_OP_INVVPID:
		r.error = VMXERR_INVALID_INVEPT_INVVPID;
		break;
	default: /* RDMSR, WRMSR: #GP */
		r.outcome = VMX_EXCEPTION;
		r.error = X86_VEC_GP;
		break;
	}
	return r;
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

/* The status that names the failed step. */
static int expected(const struct point *p)
{
	switch (p->op) {
	case MOCK_OP_VMXON:
		return VMM_ERR_VMXON;
	case MOCK_OP_VMCLEAR:
		return VMM_ERR_VMCLEAR;
	case MOCK_OP_VMPTRLD:
		return VMM_ERR_VMPTRLD;
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
	if (p->arg == MSR_IA32_EFER && !p->first)
		return VMM_ERR_HOST_MSR;
	if (mtrr_msr(p->arg))
		return VMM_OK;
	switch (p->arg) {
	case MSR_IA32_EFER:
		return VMM_ERR_NOT_LONG_MODE;
	case MSR_IA32_FEATURE_CONTROL:
		return VMM_ERR_FEATURE_CONTROL_MSR;
	case MSR_IA32_VMX_BASIC:
		return VMM_ERR_VMX_BASIC_MSR;
	default:
		if (p->arg > MSR_IA32_VMX_BASIC &&
		    p->arg <= MSR_IA32_VMX_PROCBASED_CTLS3)
			return VMM_ERR_CAPABILITY_MSR;
		return VMM_ERR_HOST_MSR;
	}
}

static unsigned sweep(const char *profile)
{
	collect(profile);
	assert_true(npoints > 50);
	for (unsigned i = 0; i < npoints; i++) {
		uint32_t failed = 0xFFFF;
		int st;

		fixture_up(profile, 1);
		save_all();
		assert_int_equal(mock_fail_nth(points[i].op, points[i].nth,
					       outcome(points[i].op)),
				 0);
		st = vmm_start_all(&failed);
		if (st != expected(&points[i]))
			fail_msg("%s #%u (arg %#llx): got %s, want %s",
				 mock_op_name(points[i].op), points[i].nth,
				 (unsigned long long)points[i].arg,
				 vmm_status_name(st),
				 vmm_status_name(expected(&points[i])));
		if (st == VMM_OK) /* Started without EPT. */
			assert_int_equal(vmm_stop_all(), VMM_OK);
		else
			assert_int_equal(failed, 0);
		assert_int_equal(vmm_state(), FLANK_STATE_LOADED);
		assert_all_restored();
		mock_fail_clear();
		fixture_down();
	}
	print_message("fault sweep %s: %u failure points\n", profile, npoints);
	return npoints;
}

/* Every failable call of a start with IA32_FEATURE_CONTROL locked. */
static void test_libvmm_sweep_locked(void **state)
{
	(void)state;
	(void)sweep("skylake");
}

/* The same with an unlocked IA32_FEATURE_CONTROL (adds its WRMSR). */
static void test_libvmm_sweep_unlocked(void **state)
{
	(void)state;
	(void)sweep("skylake_unlocked");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libvmm_sweep_locked),
		cmocka_unit_test(test_libvmm_sweep_unlocked),
	};
	return FLANK_RUN_TESTS(tests);
}
