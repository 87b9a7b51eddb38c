// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Speculation hygiene on the VM-exit path (docs/exits.md, "Speculation"),
 * asserted on the emulator's call trace: for each mitigation the host
 * kernel may have chosen (flank_platform.spec_flags), the exact sequence of
 * barriers, IA32_SPEC_CTRL accesses and VERW around the handler's own work
 * and the VMRESUME; with a mitigation off, none of its operations.
 */
#include <inttypes.h>

#include "exits_fixture.h"

/* The mock's __KERNEL_DS (GDT entry 3: flat writable data, DPL 0). */
#define KERNEL_DS 0x18u

/* exits_up() with the host kernel's mitigations @p flags (VERW: @p sel). */
static void spec_up(const char *profile, uint32_t flags, uint16_t sel)
{
	uint32_t failed = 0;

	fixture_up(profile, 1);
	assert_int_equal(vmm_fini(), VMM_OK);
	tp.p.spec_flags = flags;
	tp.p.verw_sel = sel;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	vmm_console_attach(vmm_ring_init(ring_mem, sizeof(ring_mem)), NULL);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_NONROOT);
	mock_trace_enable(true);
}

static void spec_down(void)
{
	mock_trace_enable(false);
	exits_down();
}

/* One step of the expected sequence: an operation and, for RDMSR/WRMSR
 * and VERW, its first two arguments. */
struct step {
	enum mock_op op;
	uint64_t a0, a1;
};

static bool is_spec_op(const struct mock_call *c)
{
	switch (c->op) {
	case MOCK_OP_RSB_FILL:
	case MOCK_OP_RSB_GUARD:
	case MOCK_OP_VERW:
	case MOCK_OP_VMRESUME:
	case MOCK_OP_CPUID:
		return true;
	case MOCK_OP_RDMSR:
	case MOCK_OP_WRMSR:
		return c->arg[0] == MSR_IA32_SPEC_CTRL;
	default:
		return false;
	}
}

/*
 * The trace filtered to the speculation operations, the handler's CPUID
 * (the work it does for the guest) and the VMRESUME must equal @p want.
 * The first traced operation of the exit must be want[0] when
 * @p first_is_barrier: nothing runs before the RSB fill or guard.
 */
static void assert_sequence(const struct step *want, size_t n,
			    bool first_is_barrier)
{
	size_t k = 0;

	if (first_is_barrier) {
		assert_true(mock_trace_len() > 0);
		assert_int_equal(mock_trace_at(0)->op, want[0].op);
	}
	for (size_t i = 0; i < mock_trace_len(); i++) {
		const struct mock_call *c = mock_trace_at(i);

		if (!is_spec_op(c))
			continue;
		if (k >= n)
			fail_msg("unexpected %s (%#" PRIx64 ", %#" PRIx64
				 ") after the expected sequence",
				 mock_op_name(c->op), c->arg[0], c->arg[1]);
		if (c->op != want[k].op)
			fail_msg("step %zu: %s, expected %s", k,
				 mock_op_name(c->op), mock_op_name(want[k].op));
		if (c->op == MOCK_OP_RDMSR || c->op == MOCK_OP_WRMSR ||
		    c->op == MOCK_OP_VERW) {
			assert_int_equal(c->arg[0], want[k].a0);
			assert_int_equal(c->arg[1], want[k].a1);
		}
		k++;
	}
	assert_int_equal(k, n);
}

/* One CPUID exit from guest CPL @p cpl, traced from its start. */
static void cpuid_exit(unsigned cpl)
{
	struct mock_cpu_regs user_saved;
	struct mock_exit_outcome out;
	struct cpu_cpuid_regs r;

	if (cpl == 3)
		test_guest_enter_ring3(0, &user_saved);
	mock_trace_clear();
	assert_int_equal(mock_guest_cpuid(0, 0, &r, &out), 0);
	assert_int_equal(out.action, INTRIN_EXIT_RESUME);
	assert_true(out.resume.entered);
	if (cpl == 3)
		test_guest_leave_ring3(0, &user_saved);
}

#define CPUID_STEP                                                             \
	{                                                                      \
		MOCK_OP_CPUID, 0, 0                                            \
	}
#define RESUME_STEP                                                            \
	{                                                                      \
		MOCK_OP_VMRESUME, 0, 0                                         \
	}

/*
 * The kernel runs without any of the mitigations: no barrier, no
 * IA32_SPEC_CTRL access and no VERW on the exit path, from either CPL.
 */
static void test_libvmm_exits_spec_off(void **state)
{
	static const struct step want[] = {CPUID_STEP, RESUME_STEP};

	(void)state;
	/* The platform as every other test builds it: spec_flags = 0. */
	exits_up("sapphire_rapids");
	mock_trace_enable(true);
	cpuid_exit(0);
	assert_sequence(want, FLANK_ARRAY_SIZE(want), false);
	cpuid_exit(3);
	assert_sequence(want, FLANK_ARRAY_SIZE(want), false);
	spec_down();
}

/*
 * X86_FEATURE_RSB_VMEXIT (Retbleed, CVE-2022-29901): the 32-entry fill is
 * the very first operation after every VM exit, from CPL 0 and CPL 3, and
 * nothing else of the other mitigations happens.
 */
static void test_libvmm_exits_spec_rsb_fill(void **state)
{
	static const struct step want[] = {
		{MOCK_OP_RSB_FILL, 0, 0}, CPUID_STEP, RESUME_STEP};

	(void)state;
	spec_up("skylake", FLANK_SPEC_RSB_VMEXIT, 0);
	cpuid_exit(0);
	assert_sequence(want, FLANK_ARRAY_SIZE(want), true);
	cpuid_exit(3);
	assert_sequence(want, FLANK_ARRAY_SIZE(want), true);
	spec_down();
}

/*
 * X86_FEATURE_RSB_VMEXIT_LITE (PBRSB, CVE-2022-26373): the one-entry guard
 * first; with both flags the full fill wins and the guard is not run.
 */
static void test_libvmm_exits_spec_rsb_guard(void **state)
{
	static const struct step lite[] = {
		{MOCK_OP_RSB_GUARD, 0, 0}, CPUID_STEP, RESUME_STEP};
	static const struct step both[] = {
		{MOCK_OP_RSB_FILL, 0, 0}, CPUID_STEP, RESUME_STEP};

	(void)state;
	spec_up("sapphire_rapids", FLANK_SPEC_RSB_VMEXIT_LITE, 0);
	cpuid_exit(3);
	assert_sequence(lite, FLANK_ARRAY_SIZE(lite), true);
	spec_down();

	spec_up("sapphire_rapids",
		FLANK_SPEC_RSB_VMEXIT | FLANK_SPEC_RSB_VMEXIT_LITE, 0);
	cpuid_exit(0);
	assert_sequence(both, FLANK_ARRAY_SIZE(both), true);
	spec_down();
}

/*
 * X86_FEATURE_KERNEL_IBRS (spectre_v2=ibrs, retbleed=ibrs), as Linux sets
 * it on Skylake together with RSB_VMEXIT: after an exit from CPL 3 the fill,
 * then IBRS set on top of the user's IA32_SPEC_CTRL (SSBD kept) before the
 * handler's work, and the user's value back before VMRESUME. From CPL 0
 * (the kernel already runs with IBRS) and when the user's value already
 * has IBRS, the MSR is not written.
 */
static void test_libvmm_exits_spec_ibrs(void **state)
{
	static const struct step user[] = {
		{MOCK_OP_RSB_FILL, 0, 0},
		{MOCK_OP_RDMSR, MSR_IA32_SPEC_CTRL, SPEC_CTRL_SSBD},
		{MOCK_OP_WRMSR, MSR_IA32_SPEC_CTRL,
		 SPEC_CTRL_SSBD | SPEC_CTRL_IBRS},
		CPUID_STEP,
		{MOCK_OP_WRMSR, MSR_IA32_SPEC_CTRL, SPEC_CTRL_SSBD},
		RESUME_STEP};
	static const struct step kernel[] = {
		{MOCK_OP_RSB_FILL, 0, 0}, CPUID_STEP, RESUME_STEP};
	static const struct step already[] = {
		{MOCK_OP_RSB_FILL, 0, 0},
		{MOCK_OP_RDMSR, MSR_IA32_SPEC_CTRL, SPEC_CTRL_IBRS},
		CPUID_STEP,
		RESUME_STEP};
	uint64_t v = 0;

	(void)state;
	spec_up("sapphire_rapids",
		FLANK_SPEC_RSB_VMEXIT | FLANK_SPEC_KERNEL_IBRS, 0);
	mock_msr_set(0, MSR_IA32_SPEC_CTRL, SPEC_CTRL_SSBD);
	cpuid_exit(3);
	assert_sequence(user, FLANK_ARRAY_SIZE(user), true);
	assert_true(mock_msr_get(0, MSR_IA32_SPEC_CTRL, &v));
	assert_int_equal(v, SPEC_CTRL_SSBD);

	mock_msr_set(0, MSR_IA32_SPEC_CTRL, SPEC_CTRL_IBRS);
	cpuid_exit(0);
	assert_sequence(kernel, FLANK_ARRAY_SIZE(kernel), true);
	cpuid_exit(3);
	assert_sequence(already, FLANK_ARRAY_SIZE(already), true);
	assert_true(mock_msr_get(0, MSR_IA32_SPEC_CTRL, &v));
	assert_int_equal(v, SPEC_CTRL_IBRS);
	spec_down();
}

/*
 * X86_FEATURE_CLEAR_CPU_BUF (MDS, TAA, MMIO stale data, RFDS): VERW of the
 * kernel's data selector is the last operation before a VMRESUME into CPL
 * 3, and it finds the selector writable (ZF = 1: the fast form). Not
 * before a VMRESUME into CPL 0, where the kernel itself clears on its way
 * to user mode.
 */
static void test_libvmm_exits_spec_verw(void **state)
{
	static const struct step user[] = {
		CPUID_STEP, {MOCK_OP_VERW, KERNEL_DS, 1}, RESUME_STEP};
	static const struct step kernel[] = {CPUID_STEP, RESUME_STEP};
	size_t n;

	(void)state;
	spec_up("skylake", FLANK_SPEC_CLEAR_CPU_BUF, KERNEL_DS);
	cpuid_exit(3);
	assert_sequence(user, FLANK_ARRAY_SIZE(user), false);
	n = mock_trace_len();
	assert_int_equal(mock_trace_at(n - 1)->op, MOCK_OP_VMRESUME);
	assert_int_equal(mock_trace_at(n - 2)->op, MOCK_OP_VERW);
	cpuid_exit(0);
	assert_sequence(kernel, FLANK_ARRAY_SIZE(kernel), false);
	spec_down();
}

/*
 * Everything a Skylake-class kernel may choose at once, from CPL 3: fill,
 * IBRS on, the handler, IBRS off, VERW, VMRESUME, in that order.
 */
static void test_libvmm_exits_spec_all(void **state)
{
	static const struct step want[] = {
		{MOCK_OP_RSB_FILL, 0, 0},
		{MOCK_OP_RDMSR, MSR_IA32_SPEC_CTRL, 0},
		{MOCK_OP_WRMSR, MSR_IA32_SPEC_CTRL, SPEC_CTRL_IBRS},
		CPUID_STEP,
		{MOCK_OP_WRMSR, MSR_IA32_SPEC_CTRL, 0},
		{MOCK_OP_VERW, KERNEL_DS, 1},
		RESUME_STEP};

	(void)state;
	spec_up("sapphire_rapids", FLANK_SPEC_ALL, KERNEL_DS);
	cpuid_exit(3);
	assert_sequence(want, FLANK_ARRAY_SIZE(want), true);
	assert_int_equal(mock_trace_at(mock_trace_len() - 2)->op, MOCK_OP_VERW);
	spec_down();
}

/*
 * vmm_init refuses speculation settings it cannot honour: unknown bits,
 * VERW without a selector or with an LDT or RPL 3 selector, a selector
 * without VERW, and a non-zero reserved field.
 */
static void test_libvmm_exits_spec_platform_checked(void **state)
{
	static const struct {
		uint32_t flags;
		uint16_t sel, reserved;
	} bad[] = {
		{FLANK_SPEC_ALL + 1u, 0, 0},
		{0x80000000u, 0, 0},
		{FLANK_SPEC_CLEAR_CPU_BUF, 0, 0},
		{FLANK_SPEC_CLEAR_CPU_BUF, KERNEL_DS | 4u, 0},
		{FLANK_SPEC_CLEAR_CPU_BUF, KERNEL_DS | 3u, 0},
		{FLANK_SPEC_RSB_VMEXIT, KERNEL_DS, 0},
		{0, 0, 1},
	};

	(void)state;
	fixture_up("skylake", 1);
	assert_int_equal(vmm_fini(), VMM_OK);
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(bad); i++) {
		tp.p.spec_flags = bad[i].flags;
		tp.p.verw_sel = bad[i].sel;
		tp.p.reserved16 = bad[i].reserved;
		assert_int_equal(vmm_init(&tp.p), VMM_ERR_BAD_PLATFORM);
	}
	tp.p.spec_flags = FLANK_SPEC_ALL;
	tp.p.verw_sel = KERNEL_DS;
	tp.p.reserved16 = 0;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	fixture_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libvmm_exits_spec_off),
		cmocka_unit_test(test_libvmm_exits_spec_rsb_fill),
		cmocka_unit_test(test_libvmm_exits_spec_rsb_guard),
		cmocka_unit_test(test_libvmm_exits_spec_ibrs),
		cmocka_unit_test(test_libvmm_exits_spec_verw),
		cmocka_unit_test(test_libvmm_exits_spec_all),
		cmocka_unit_test(test_libvmm_exits_spec_platform_checked),
	};

	return FLANK_RUN_TESTS(tests);
}
