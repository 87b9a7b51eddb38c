// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The hook API of extension modules (flank/vmm_extension.h "Hooks") on the
 * emulated VT-x: MSR hooks and CR hooks from registration to the guest's
 * RDMSR/WRMSR/MOV CR, the guest page walk and the guest memory copies.
 * The test registers its callbacks as a module's init would (LOADED, no CPU
 * running), starts libvmm on CPU 0 and plays the guest.
 */
#include <stdlib.h>

#include "exits_fixture.h"
#include "flank/vmm_extension.h"
#include "hooks.h"

/* ------------------------------------------------------------------------ */
/* Callbacks                                                                 */
/* ------------------------------------------------------------------------ */

/* What the MSR callback returns, and what it saw. */
static enum vmm_hook_action msr_action;
static uint64_t msr_replacement;
static unsigned msr_calls;
static struct vmm_msr_hook_args msr_seen;

static enum vmm_hook_action msr_hook(struct vmm_msr_hook_args *a)
{
	msr_calls++;
	msr_seen = *a;
	if (msr_action == VMM_HOOK_REPLACE)
		a->value = msr_replacement;
	return msr_action;
}

/* A second MSR callback, to tell hooks apart. */
static unsigned other_calls;
static enum vmm_hook_action other_hook(struct vmm_msr_hook_args *a)
{
	(void)a;
	other_calls++;
	return VMM_HOOK_ALLOW;
}

/* Returns a value that is no enum vmm_hook_action. */
static enum vmm_hook_action bogus_hook(struct vmm_msr_hook_args *a)
{
	(void)a;
	msr_calls++;
	return (enum vmm_hook_action)7;
}

/* Without ENDBR64: must be refused before anything is registered. */
__attribute__((nocf_check)) static enum vmm_hook_action
noendbr_hook(struct vmm_msr_hook_args *a)
{
	(void)a;
	return VMM_HOOK_ALLOW;
}

__attribute__((nocf_check)) static enum vmm_hook_action
noendbr_cr(const struct vmm_cr_hook_args *a)
{
	(void)a;
	return VMM_HOOK_ALLOW;
}

static enum vmm_hook_action cr_action;
static unsigned cr_calls;
static struct vmm_cr_hook_args cr_seen;

static enum vmm_hook_action cr_hook(const struct vmm_cr_hook_args *a)
{
	cr_calls++;
	cr_seen = *a;
	return cr_action;
}

static enum vmm_hook_action cr_other(const struct vmm_cr_hook_args *a)
{
	(void)a;
	return VMM_HOOK_ALLOW;
}

/* Returns VMM_HOOK_REPLACE, which a CR hook cannot mean: a deny. */
static enum vmm_hook_action cr_replace(const struct vmm_cr_hook_args *a)
{
	(void)a;
	cr_calls++;
	return VMM_HOOK_REPLACE;
}

static void reset_calls(void)
{
	msr_action = VMM_HOOK_ALLOW;
	msr_replacement = 0;
	msr_calls = other_calls = cr_calls = 0;
	memset(&msr_seen, 0, sizeof(msr_seen));
	memset(&cr_seen, 0, sizeof(cr_seen));
	cr_action = VMM_HOOK_ALLOW;
}

/* ------------------------------------------------------------------------ */
/* Setup                                                                     */
/* ------------------------------------------------------------------------ */

#define LSTAR_AT_BOOT UINT64_C(0xffffffff81a00080)

/* LOADED, CPU 0 of skylake, LSTAR set as the kernel left it; a ring. */
static void loaded(void)
{
	reset_calls();
	fixture_up("skylake", 1);
	/* A test that failed half-way left its hooks: start without any. */
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	vmm_console_attach(vmm_ring_init(ring_mem, sizeof(ring_mem)), NULL);
	mock_msr_set(0, MSR_IA32_LSTAR, LSTAR_AT_BOOT);
}

static void start(void)
{
	uint32_t failed = 0;

	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_NONROOT);
}

/* The CPU's own value of @p msr. */
static uint64_t msr_now(uint32_t msr)
{
	uint64_t v = 0;

	assert_true(mock_msr_get(0, msr, &v));
	return v;
}

/* ------------------------------------------------------------------------ */
/* MSR hooks: registration                                                   */
/* ------------------------------------------------------------------------ */

/*
 * Every argument rule of vmm_msr_hook_add() has its own status, and a
 * refused call registers nothing (the next valid one still fits).
 */
static void test_hooks_msr_add_rules(void **state)
{
	(void)state;
	loaded();
	/* Arguments. */
	assert_int_equal(
		vmm_msr_hook_add(MSR_IA32_LSTAR, 1, VMM_MSR_HOOK_WRITE, NULL),
		VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 0, VMM_MSR_HOOK_WRITE,
					  msr_hook),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 1, 0, msr_hook),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 1, 4, msr_hook),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 1, VMM_MSR_HOOK_WRITE,
					  (vmm_msr_hook_fn)noendbr_hook),
			 VMM_ERR_HOOK_NO_ENDBR);
	/* Outside the bitmap, or across its edges: cannot be selective. */
	static const struct {
		uint32_t first, count;
	} out[] = {
		{0x2000u, 1},
		{0x1FFFu, 2},
		{0x40000000u, 1},
		{0xBFFFFFFFu, 2},
		{0xC0002000u, 1},
		{0xC0001FFFu, 2},
		{0xFFFFFFFFu, 2},
		{0x1000u, 0xC0000000u},
		{0xFFFFFFFFu, 0xFFFFFFFFu},
	};
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(out); i++)
		assert_int_equal(vmm_msr_hook_add(out[i].first, out[i].count,
						  VMM_MSR_HOOK_READ, msr_hook),
				 VMM_ERR_MSR_HOOK_RANGE);
	/* Flank's own MSRs, alone or inside a range. */
	static const struct {
		uint32_t first, count;
	} own[] = {
		{MSR_IA32_FEATURE_CONTROL, 1},
		{0x30u, 0x20u},
		{MSR_IA32_VMX_BASIC, 1},
		{MSR_IA32_VMX_PROCBASED_CTLS3, 1},
		{0x470u, 0x11u},
		{0x492u, 4u},
	};
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(own); i++)
		assert_int_equal(vmm_msr_hook_add(own[i].first, own[i].count,
						  VMM_MSR_HOOK_WRITE, msr_hook),
				 VMM_ERR_MSR_HOOK_RESERVED);
	/* The edges of both ranges are fine, next to Flank's MSRs too. */
	assert_int_equal(
		vmm_msr_hook_add(0x1FFFu, 1, VMM_MSR_HOOK_READ, msr_hook),
		VMM_OK);
	assert_int_equal(
		vmm_msr_hook_add(0xC0001FFFu, 1, VMM_MSR_HOOK_READ, msr_hook),
		VMM_OK);
	assert_int_equal(
		vmm_msr_hook_add(0x493u, 1, VMM_MSR_HOOK_READ, msr_hook),
		VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(0x1FFFu, msr_hook), VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(0xC0001FFFu, msr_hook), VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(0x493u, msr_hook), VMM_OK);
	vmm_console_detach();
	fixture_down();
}

/*
 * Overlap with a registered hook is refused whoever registered it and for
 * whichever access: the same range for another access, a range that
 * covers it, one that starts inside it. Exactly the same hook again is no
 * change (VMM_OK, one entry: one removal empties it). Removal needs the
 * first index and the function.
 */
static void test_hooks_msr_overlap_and_remove(void **state)
{
	(void)state;
	loaded();
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_STAR, 3, VMM_MSR_HOOK_WRITE,
					  msr_hook),
			 VMM_OK);
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_STAR, 3, VMM_MSR_HOOK_WRITE,
					  msr_hook),
			 VMM_OK);
	assert_int_equal(
		vmm_msr_hook_add(MSR_IA32_STAR, 3, VMM_MSR_HOOK_READ, msr_hook),
		VMM_ERR_HOOK_OVERLAP);
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_STAR, 2, VMM_MSR_HOOK_WRITE,
					  msr_hook),
			 VMM_ERR_HOOK_OVERLAP);
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 1, VMM_MSR_HOOK_READ,
					  other_hook),
			 VMM_ERR_HOOK_OVERLAP);
	assert_int_equal(
		vmm_msr_hook_add(0xC0000080u, 2, VMM_MSR_HOOK_READ, other_hook),
		VMM_ERR_HOOK_OVERLAP);
	assert_int_equal(
		vmm_msr_hook_add(0xC0000083u, 4, VMM_MSR_HOOK_READ, other_hook),
		VMM_ERR_HOOK_OVERLAP);
	/* Right next to it: fine. */
	assert_int_equal(
		vmm_msr_hook_add(0xC0000084u, 1, VMM_MSR_HOOK_READ, other_hook),
		VMM_OK);
	/* Removal: wrong first index, wrong function, then right. */
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_LSTAR, msr_hook),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_STAR, other_hook),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_STAR, msr_hook), VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_STAR, msr_hook),
			 VMM_ERR_BAD_ARGUMENT);
	/* The range is free again. */
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 1, VMM_MSR_HOOK_READ,
					  other_hook),
			 VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_LSTAR, other_hook),
			 VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(0xC0000084u, other_hook), VMM_OK);
	vmm_console_detach();
	fixture_down();
}

/* The table holds VMM_MSR_HOOKS_MAX entries; the next one is refused,
 * and a removal makes room. */
static void test_hooks_msr_table_full(void **state)
{
	(void)state;
	loaded();
	for (uint32_t i = 0; i < VMM_MSR_HOOKS_MAX; i++)
		assert_int_equal(vmm_msr_hook_add(0x100u + 2u * i, 1,
						  VMM_MSR_HOOK_READ, msr_hook),
				 VMM_OK);
	assert_int_equal(
		vmm_msr_hook_add(0x200u, 1, VMM_MSR_HOOK_READ, msr_hook),
		VMM_ERR_HOOK_TABLE_FULL);
	assert_int_equal(vmm_msr_hook_remove(0x104u, msr_hook), VMM_OK);
	assert_int_equal(
		vmm_msr_hook_add(0x200u, 1, VMM_MSR_HOOK_READ, msr_hook),
		VMM_OK);
	/* Every entry, the moved ones included, is still found. */
	for (uint32_t i = 0; i < VMM_MSR_HOOKS_MAX; i++)
		if (i != 2)
			assert_int_equal(
				vmm_msr_hook_remove(0x100u + 2u * i, msr_hook),
				VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(0x200u, msr_hook), VMM_OK);
	vmm_console_detach();
	fixture_down();
}

/*
 * While CPUs run, adding or removing any hook fails with its own status
 * (VMM_ERR_HOOK_WHILE_RUNNING), and nothing changes: the hook registered
 * before start still answers; after stop both calls work again.
 */
static void test_hooks_refused_while_running(void **state)
{
	struct mock_exit_outcome out;

	(void)state;
	loaded();
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 1, VMM_MSR_HOOK_WRITE,
					  msr_hook),
			 VMM_OK);
	start();
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_STAR, 1, VMM_MSR_HOOK_WRITE,
					  other_hook),
			 VMM_ERR_HOOK_WHILE_RUNNING);
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_LSTAR, msr_hook),
			 VMM_ERR_HOOK_WHILE_RUNNING);
	assert_int_equal(vmm_cr_hook_set(VMM_CR_HOOK_CR0_WP, cr_hook),
			 VMM_ERR_HOOK_WHILE_RUNNING);
	assert_int_equal(vmm_cr_hook_remove(cr_hook),
			 VMM_ERR_HOOK_WHILE_RUNNING);
	assert_int_equal(vmm_hooks_clear(), VMM_ERR_HOOK_WHILE_RUNNING);
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_LSTAR, 0x1234, &out), 0);
	assert_int_equal(msr_calls, 1);
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_STAR, 0x1234, &out), -1);
	assert_int_equal(other_calls, 0);
	assert_true(strstr(vmm_status_str(VMM_ERR_HOOK_WHILE_RUNNING),
			   "stopped") != NULL);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_LSTAR, msr_hook), VMM_OK);
	exits_down();
}

/*
 * Start programs exactly the hooked accesses into the MSR bitmap: a write
 * hook on LSTAR leaves its reads and its neighbours passing through; a
 * read hook on a low range intercepts reads of each MSR in it only. After
 * removal and a new start, the bits are gone.
 */
static void test_hooks_msr_bitmap_exact(void **state)
{
	(void)state;
	loaded();
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 1, VMM_MSR_HOOK_WRITE,
					  msr_hook),
			 VMM_OK);
	assert_int_equal(
		vmm_msr_hook_add(0x1F0u, 16, VMM_MSR_HOOK_READ, other_hook),
		VMM_OK);
	start();
	assert_true(vmm_msr_intercepted(cpu0(), MSR_IA32_LSTAR, true));
	assert_false(vmm_msr_intercepted(cpu0(), MSR_IA32_LSTAR, false));
	assert_false(vmm_msr_intercepted(cpu0(), MSR_IA32_STAR, true));
	assert_false(vmm_msr_intercepted(cpu0(), 0xC0000083u, true));
	for (uint32_t m = 0x1F0u; m < 0x200u; m++) {
		assert_true(vmm_msr_intercepted(cpu0(), m, false));
		assert_false(vmm_msr_intercepted(cpu0(), m, true));
	}
	assert_false(vmm_msr_intercepted(cpu0(), 0x1EFu, false));
	assert_false(vmm_msr_intercepted(cpu0(), 0x200u, false));
	/* Flank's own interception is still there. */
	assert_true(
		vmm_msr_intercepted(cpu0(), MSR_IA32_FEATURE_CONTROL, true));
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_LSTAR, msr_hook), VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(0x1F0u, other_hook), VMM_OK);
	start();
	assert_false(vmm_msr_intercepted(cpu0(), MSR_IA32_LSTAR, true));
	assert_false(vmm_msr_intercepted(cpu0(), 0x1F0u, false));
	exits_down();
}

/* ------------------------------------------------------------------------ */
/* MSR hooks: decisions                                                      */
/* ------------------------------------------------------------------------ */

/*
 * WRMSR of a hooked MSR: the callback sees MSR, CPU, value and RIP.
 * Allow writes the guest's value; deny injects #GP(0) with RIP at the
 * WRMSR and leaves the MSR as it was; replace writes the callback's value.
 */
static void test_hooks_msr_write_decisions(void **state)
{
	struct mock_exit_outcome out;

	(void)state;
	loaded();
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 1, VMM_MSR_HOOK_WRITE,
					  msr_hook),
			 VMM_OK);
	start();

	msr_action = VMM_HOOK_DENY;
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_LSTAR,
					  UINT64_C(0xffffffffc0de0000), &out),
			 0);
	assert_fault(&out, X86_VEC_GP);
	assert_int_equal(msr_calls, 1);
	assert_int_equal(msr_seen.msr, MSR_IA32_LSTAR);
	assert_int_equal(msr_seen.write, 1);
	assert_int_equal(msr_seen.cpu, 0);
	assert_true(msr_seen.value == UINT64_C(0xffffffffc0de0000));
	assert_true(msr_seen.rip == out.rip_before);
	assert_true(msr_now(MSR_IA32_LSTAR) == LSTAR_AT_BOOT);

	msr_action = VMM_HOOK_ALLOW;
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_LSTAR,
					  UINT64_C(0xffffffff81000040), &out),
			 0);
	assert_emulated(&out, 2);
	assert_true(msr_now(MSR_IA32_LSTAR) == UINT64_C(0xffffffff81000040));

	msr_action = VMM_HOOK_REPLACE;
	msr_replacement = LSTAR_AT_BOOT;
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_LSTAR,
					  UINT64_C(0xffffffffc0de0000), &out),
			 0);
	assert_emulated(&out, 2);
	assert_true(msr_now(MSR_IA32_LSTAR) == LSTAR_AT_BOOT);
	assert_int_equal(msr_calls, 3);
	/* RDMSR is not hooked: it passes through without an exit. */
	assert_false(vmm_msr_intercepted(cpu0(), MSR_IA32_LSTAR, false));

	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_LSTAR, msr_hook), VMM_OK);
	exits_down();
}

/*
 * RDMSR of a hooked MSR: the callback sees the value the guest would get.
 * Allow returns it; deny is #GP(0); replace returns the callback's value
 * (in EDX:EAX, upper halves clear). An MSR whose read faults gets #GP
 * without a call.
 */
static void test_hooks_msr_read_decisions(void **state)
{
	struct mock_exit_outcome out;
	uint64_t v = 0;

	(void)state;
	loaded();
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 1, VMM_MSR_HOOK_READ,
					  msr_hook),
			 VMM_OK);
	assert_int_equal(
		vmm_msr_hook_add(0x1F0u, 1, VMM_MSR_HOOK_READ, msr_hook),
		VMM_OK);
	start();

	assert_int_equal(mock_guest_rdmsr(MSR_IA32_LSTAR, &v, &out), 0);
	assert_emulated(&out, 2);
	assert_true(v == LSTAR_AT_BOOT);
	assert_true(msr_seen.value == LSTAR_AT_BOOT);
	assert_int_equal(msr_seen.write, 0);

	msr_action = VMM_HOOK_REPLACE;
	msr_replacement = UINT64_C(0x1122334455667788);
	assert_int_equal(mock_guest_rdmsr(MSR_IA32_LSTAR, &v, &out), 0);
	assert_emulated(&out, 2);
	assert_true(v == UINT64_C(0x1122334455667788));
	assert_true(out.gprs.rax == 0x55667788u);
	assert_true(out.gprs.rdx == 0x11223344u);
	assert_true(msr_now(MSR_IA32_LSTAR) == LSTAR_AT_BOOT);

	msr_action = VMM_HOOK_DENY;
	assert_int_equal(mock_guest_rdmsr(MSR_IA32_LSTAR, &v, &out), 0);
	assert_fault(&out, X86_VEC_GP);
	assert_int_equal(msr_calls, 3);

	/* An MSR the CPU does not have: #GP as without the hook. */
	mock_msr_remove(0, 0x1F0u);
	msr_action = VMM_HOOK_ALLOW;
	assert_int_equal(mock_guest_rdmsr(0x1F0u, &v, &out), 0);
	assert_fault(&out, X86_VEC_GP);
	assert_int_equal(msr_calls, 3);

	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_LSTAR, msr_hook), VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(0x1F0u, msr_hook), VMM_OK);
	exits_down();
}

/*
 * A replaced value still passes the checks WRMSR makes: a hook on the
 * VMCS-resident IA32_FS_BASE that replaces with a non-canonical address
 * gets the guest #GP(0), and the guest-state field keeps its value. A
 * callback's value that is no action at all counts as deny.
 */
static void test_hooks_msr_replace_checked_fail_closed(void **state)
{
	struct mock_exit_outcome out;
	uint64_t fs;

	(void)state;
	loaded();
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_FS_BASE, 1,
					  VMM_MSR_HOOK_WRITE, msr_hook),
			 VMM_OK);
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_STAR, 1, VMM_MSR_HOOK_WRITE,
					  bogus_hook),
			 VMM_OK);
	start();
	fs = peek(VMCS_GUEST_FS_BASE);
	msr_action = VMM_HOOK_REPLACE;
	msr_replacement = UINT64_C(0x0000800000000000);
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_FS_BASE, 0x7000, &out), 0);
	assert_fault(&out, X86_VEC_GP);
	assert_true(peek(VMCS_GUEST_FS_BASE) == fs);
	msr_replacement = 0x9000;
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_FS_BASE, 0x7000, &out), 0);
	assert_emulated(&out, 2);
	assert_true(peek(VMCS_GUEST_FS_BASE) == 0x9000);

	msr_calls = 0;
	mock_msr_set(0, MSR_IA32_STAR, 0x23001000000000u);
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_STAR, 0, &out), 0);
	assert_fault(&out, X86_VEC_GP);
	assert_int_equal(msr_calls, 1);
	assert_true(msr_now(MSR_IA32_STAR) == 0x23001000000000u);

	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_FS_BASE, msr_hook),
			 VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_STAR, bogus_hook),
			 VMM_OK);
	exits_down();
}

/* Counts the VMX instructions traced (as test_libvmm_exits_cost). */
static unsigned vmx_ops(void)
{
	unsigned n = 0;

	for (size_t i = 0; i < mock_trace_len(); i++)
		if (mock_trace_at(i)->op <= MOCK_OP_VMCALL)
			n++;
	return n;
}

/* VMX instructions of one CPUID exit and of one unhooked MSR exit each. */
static void exit_costs(unsigned *cpuid, unsigned *rd, unsigned *wr)
{
	struct mock_exit_outcome out;
	struct cpu_cpuid_regs r;
	uint64_t v;

	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(mock_guest_cpuid(0, 0, &r, &out), 0);
	*cpuid = vmx_ops();
	mock_trace_clear();
	assert_int_equal(mock_guest_rdmsr(MSR_IA32_FEATURE_CONTROL, &v, &out),
			 0);
	*rd = vmx_ops();
	mock_trace_clear();
	assert_int_equal(mock_guest_wrmsr(0x40000010u, 1, &out), 0);
	*wr = vmx_ops();
	mock_trace_enable(false);
}

/*
 * The exit path's cost gate: with a full table of MSR hooks and a CR hook
 * registered, a CPUID exit and RDMSR/WRMSR exits of MSRs that are not
 * hooked execute exactly as many VMX instructions as without any hook.
 */
static void test_hooks_unhooked_exit_cost(void **state)
{
	unsigned c0, r0, w0, c1, r1, w1;

	(void)state;
	loaded();
	start();
	exit_costs(&c0, &r0, &w0);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	for (uint32_t i = 0; i < VMM_MSR_HOOKS_MAX; i++)
		assert_int_equal(
			vmm_msr_hook_add(0xC0000100u + i, 1,
					 VMM_MSR_HOOK_READ | VMM_MSR_HOOK_WRITE,
					 msr_hook),
			VMM_OK);
	assert_int_equal(vmm_cr_hook_set(VMM_CR_HOOK_ALL, cr_hook), VMM_OK);
	start();
	exit_costs(&c1, &r1, &w1);
	print_message("cost without/with hooks: CPUID %u/%u, RDMSR %u/%u, "
		      "WRMSR %u/%u (VMRESUME included)\n",
		      c0, c1, r0, r1, w0, w1);
	assert_int_equal(c1, c0);
	assert_int_equal(r1, r0);
	assert_int_equal(w1, w0);
	assert_int_equal(msr_calls, 0);
	/* What a hooked access costs (measured, for docs/modules.md): one
	 * VMREAD of GUEST_RIP more than the same access without a hook. */
	{
		struct mock_exit_outcome out;
		uint64_t v;

		mock_trace_enable(true);
		mock_trace_clear();
		assert_int_equal(mock_guest_wrmsr(0xC0000100u, 0x1000, &out),
				 0);
		w1 = vmx_ops();
		mock_trace_clear();
		assert_int_equal(mock_guest_rdmsr(0xC0000100u, &v, &out), 0);
		r1 = vmx_ops();
		mock_trace_enable(false);
		print_message("cost of a hooked (allowed) access to the "
			      "VMCS-resident FS_BASE: WRMSR %u, RDMSR %u "
			      "(VMRESUME included)\n",
			      w1, r1);
		assert_int_equal(msr_calls, 2);
	}
	assert_int_equal(vmm_stop_all(), VMM_OK);
	for (uint32_t i = 0; i < VMM_MSR_HOOKS_MAX; i++)
		assert_int_equal(vmm_msr_hook_remove(0xC0000100u + i, msr_hook),
				 VMM_OK);
	assert_int_equal(vmm_cr_hook_remove(cr_hook), VMM_OK);
	exits_down();
}

/* Fails the first VMREAD of GUEST_RIP from now on, once. */
static unsigned rip_reads;
static bool first_rip_read(const struct mock_call *call, void *arg)
{
	(void)arg;
	return call->op == MOCK_OP_VMREAD && call->arg[0] == VMCS_GUEST_RIP &&
	       rip_reads++ == 0;
}

/*
 * A VMREAD of the guest RIP that fails in a hooked exit (the hook's
 * argument) takes the unhandled path: the CPU is given back at the WRMSR,
 * the callback is never called with a made-up RIP, the MSR is unchanged.
 */
static void test_hooks_msr_vmread_fails(void **state)
{
	struct mock_exit_outcome out;

	(void)state;
	loaded();
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 1, VMM_MSR_HOOK_WRITE,
					  msr_hook),
			 VMM_OK);
	start();
	rip_reads = 0;
	assert_int_equal(
		mock_fail_when(first_rip_read, NULL,
			       (vmx_result_t){VMX_FAIL_VALID,
					      VMXERR_UNSUPPORTED_COMPONENT}),
		0);
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_LSTAR, 0x1234, &out), 0);
	mock_fail_clear();
	assert_int_equal(out.action, INTRIN_EXIT_LEAVE);
	assert_true(out.rip_after == out.rip_before);
	assert_int_equal(msr_calls, 0);
	assert_true(msr_now(MSR_IA32_LSTAR) == LSTAR_AT_BOOT);
	assert_true(ring_has("VMREAD/VMWRITE failed in RDMSR/WRMSR"));
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_LSTAR, msr_hook), VMM_OK);
	exits_down();
}

/* ------------------------------------------------------------------------ */
/* CR hooks                                                                  */
/* ------------------------------------------------------------------------ */

/* Registration: arguments, ENDBR64, one hook (busy for another, the same
 * one may change its bits), removal of the registered one only. */
static void test_hooks_cr_registration(void **state)
{
	(void)state;
	loaded();
	assert_int_equal(vmm_cr_hook_set(VMM_CR_HOOK_CR0_WP, NULL),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_cr_hook_set(0, cr_hook), VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_cr_hook_set(0x8u, cr_hook), VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(
		vmm_cr_hook_set(VMM_CR_HOOK_CR0_WP, (vmm_cr_hook_fn)noendbr_cr),
		VMM_ERR_HOOK_NO_ENDBR);
	assert_int_equal(vmm_cr_hook_set(VMM_CR_HOOK_CR0_WP, cr_hook), VMM_OK);
	assert_int_equal(vmm_cr_hook_set(VMM_CR_HOOK_CR0_WP, cr_other),
			 VMM_ERR_EXTENSION_BUSY);
	assert_int_equal(vmm_cr_hook_set(VMM_CR_HOOK_ALL, cr_hook), VMM_OK);
	assert_int_equal(vmm_cr_hook_remove(cr_other), VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_cr_hook_remove(NULL), VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_cr_hook_remove(cr_hook), VMM_OK);
	assert_int_equal(vmm_cr_hook_remove(cr_hook), VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_cr_hook_set(VMM_CR_HOOK_CR0_WP, cr_other), VMM_OK);
	assert_int_equal(vmm_cr_hook_remove(cr_other), VMM_OK);
	vmm_console_detach();
	fixture_down();
}

/* LOADED with the guest's CR4.SMEP and SMAP set, as Linux runs. */
static void loaded_smep_smap(void)
{
	struct mock_cpu_regs regs;

	loaded();
	mock_cpu_get_regs(0, &regs);
	regs.cr4 |= X86_CR4_SMEP | X86_CR4_SMAP;
	mock_cpu_set_regs(0, &regs);
}

/*
 * Start puts exactly the watched bits into the guest/host masks, next to
 * Flank's own (CR4.VMXE, fixed bits); the read shadows keep showing the
 * guest its values. Without the hook, the masks do not have them.
 */
static void test_hooks_cr_masks(void **state)
{
	uint64_t m0, m4;

	(void)state;
	loaded_smep_smap();
	start();
	m0 = peek(VMCS_CR0_GUEST_HOST_MASK);
	m4 = peek(VMCS_CR4_GUEST_HOST_MASK);
	assert_int_equal(m0 & X86_CR0_WP, 0);
	assert_int_equal(m4 & (X86_CR4_SMEP | X86_CR4_SMAP), 0);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(
		vmm_cr_hook_set(VMM_CR_HOOK_CR0_WP | VMM_CR_HOOK_CR4_SMEP,
				cr_hook),
		VMM_OK);
	start();
	assert_true(peek(VMCS_CR0_GUEST_HOST_MASK) == (m0 | X86_CR0_WP));
	assert_true(peek(VMCS_CR4_GUEST_HOST_MASK) == (m4 | X86_CR4_SMEP));
	assert_int_not_equal(peek(VMCS_CR0_READ_SHADOW) & X86_CR0_WP, 0);
	assert_int_not_equal(peek(VMCS_CR4_READ_SHADOW) & X86_CR4_SMEP, 0);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_cr_hook_remove(cr_hook), VMM_OK);
	exits_down();
}

/*
 * MOV to CR0 clearing WP: the hook sees CR 0, the bit, both values and
 * RIP. Deny completes the MOV (no #GP, RIP advanced) with WP still set in
 * the register and in the shadow; allow clears it in both. Setting WP
 * again exits (the shadow differs) without asking the hook.
 */
static void test_hooks_cr0_wp(void **state)
{
	struct mock_exit_outcome out;
	uint64_t cr0;

	(void)state;
	loaded();
	assert_int_equal(vmm_cr_hook_set(VMM_CR_HOOK_CR0_WP, cr_hook), VMM_OK);
	start();
	cr0 = peek(VMCS_CR0_READ_SHADOW);
	assert_int_not_equal(cr0 & X86_CR0_WP, 0);

	cr_action = VMM_HOOK_DENY;
	assert_int_equal(mock_guest_mov_to_cr(0, cr0 & ~X86_CR0_WP, &out), 0);
	assert_emulated(&out, 3);
	assert_int_equal(cr_calls, 1);
	assert_int_equal(cr_seen.cr, 0);
	assert_int_equal(cr_seen.clearing, VMM_CR_HOOK_CR0_WP);
	assert_true(cr_seen.old_value == cr0);
	assert_true(cr_seen.new_value == (cr0 & ~X86_CR0_WP));
	assert_true(cr_seen.rip == out.rip_before);
	assert_int_not_equal(peek(VMCS_GUEST_CR0) & X86_CR0_WP, 0);
	assert_true(peek(VMCS_CR0_READ_SHADOW) == cr0);

	/* A hook that answers REPLACE denies too. */
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_cr_hook_remove(cr_hook), VMM_OK);
	assert_int_equal(vmm_cr_hook_set(VMM_CR_HOOK_CR0_WP, cr_replace),
			 VMM_OK);
	start();
	assert_int_equal(mock_guest_mov_to_cr(0, cr0 & ~X86_CR0_WP, &out), 0);
	assert_emulated(&out, 3);
	assert_int_equal(cr_calls, 2);
	assert_int_not_equal(peek(VMCS_GUEST_CR0) & X86_CR0_WP, 0);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_cr_hook_remove(cr_replace), VMM_OK);
	assert_int_equal(vmm_cr_hook_set(VMM_CR_HOOK_CR0_WP, cr_hook), VMM_OK);
	start();

	cr_action = VMM_HOOK_ALLOW;
	assert_int_equal(mock_guest_mov_to_cr(0, cr0 & ~X86_CR0_WP, &out), 0);
	assert_emulated(&out, 3);
	assert_int_equal(cr_calls, 3);
	assert_int_equal(peek(VMCS_GUEST_CR0) & X86_CR0_WP, 0);
	assert_int_equal(peek(VMCS_CR0_READ_SHADOW) & X86_CR0_WP, 0);

	assert_int_equal(mock_guest_mov_to_cr(0, cr0, &out), 0);
	assert_emulated(&out, 3);
	assert_int_equal(cr_calls, 3);
	assert_int_not_equal(peek(VMCS_GUEST_CR0) & X86_CR0_WP, 0);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_cr_hook_remove(cr_hook), VMM_OK);
	exits_down();
}

/*
 * MOV to CR4 clearing SMEP and SMAP at once: one call naming both; deny
 * keeps both set (register and shadow) while the rest of the write (PGE)
 * takes effect. A write that clears no watched bit does not ask; an
 * allowed clear takes effect in both. With only SMEP watched, clearing
 * SMAP does not even exit.
 */
static void test_hooks_cr4_smep_smap(void **state)
{
	struct mock_exit_outcome out;
	uint64_t cr4;

	(void)state;
	loaded_smep_smap();
	assert_int_equal(
		vmm_cr_hook_set(VMM_CR_HOOK_CR4_SMEP | VMM_CR_HOOK_CR4_SMAP,
				cr_hook),
		VMM_OK);
	start();
	cr4 = peek(VMCS_CR4_READ_SHADOW);
	cr_action = VMM_HOOK_DENY;
	assert_int_equal(
		mock_guest_mov_to_cr(
			4, (cr4 ^ X86_CR4_PGE) & ~(X86_CR4_SMEP | X86_CR4_SMAP),
			&out),
		0);
	assert_emulated(&out, 3);
	assert_int_equal(cr_calls, 1);
	assert_int_equal(cr_seen.cr, 4);
	assert_int_equal(cr_seen.clearing,
			 VMM_CR_HOOK_CR4_SMEP | VMM_CR_HOOK_CR4_SMAP);
	assert_true(peek(VMCS_CR4_READ_SHADOW) == (cr4 ^ X86_CR4_PGE));
	assert_true((peek(VMCS_GUEST_CR4) &
		     (X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PGE)) ==
		    ((cr4 ^ X86_CR4_PGE) &
		     (X86_CR4_SMEP | X86_CR4_SMAP | X86_CR4_PGE)));

	/* Back to the original PGE: the watched bits equal the shadow's, so
	 * the MOV does not even exit, and nothing asks the hook. */
	assert_int_equal(mock_guest_mov_to_cr(4, cr4, &out), -1);
	assert_int_equal(cr_calls, 1);
	/* Setting a watched bit exits, and does not ask either. */
	assert_int_equal(mock_guest_mov_to_cr(4, cr4 & ~X86_CR4_SMAP, &out), 0);
	assert_int_equal(cr_calls, 2);
	assert_int_equal(peek(VMCS_GUEST_CR4) & X86_CR4_SMAP, X86_CR4_SMAP);
	cr_action = VMM_HOOK_ALLOW;
	assert_int_equal(mock_guest_mov_to_cr(4, cr4 & ~X86_CR4_SMAP, &out), 0);
	assert_int_equal(cr_calls, 3);
	assert_int_equal(peek(VMCS_GUEST_CR4) & X86_CR4_SMAP, 0);
	assert_int_equal(peek(VMCS_CR4_READ_SHADOW) & X86_CR4_SMAP, 0);
	assert_int_equal(mock_guest_mov_to_cr(4, cr4, &out), 0);
	assert_emulated(&out, 3);
	assert_int_equal(cr_calls, 3);
	assert_int_equal(peek(VMCS_GUEST_CR4) & X86_CR4_SMAP, X86_CR4_SMAP);

	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_cr_hook_set(VMM_CR_HOOK_CR4_SMEP, cr_hook),
			 VMM_OK);
	start();
	cr4 = peek(VMCS_CR4_READ_SHADOW);
	assert_int_equal(mock_guest_mov_to_cr(4, cr4 & ~X86_CR4_SMAP, &out),
			 -1);
	assert_int_equal(cr_calls, 3);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_cr_hook_remove(cr_hook), VMM_OK);
	exits_down();
}

/* ------------------------------------------------------------------------ */
/* Guest page walk and memory                                                */
/* ------------------------------------------------------------------------ */

/*
 * Guest page tables in emulated physical memory at fixed addresses: PML5,
 * PML4, PDPT, PD, PT and two data pages, contiguous from TABLES_PA.
 */
#define TABLES_PA UINT64_C(0x7f000000)
#define PML5_PA (TABLES_PA + 0x0000)
#define PML4_PA (TABLES_PA + 0x1000)
#define PDPT_PA (TABLES_PA + 0x2000)
#define PD_PA (TABLES_PA + 0x3000)
#define PT_PA (TABLES_PA + 0x4000)
#define DATA_PA (TABLES_PA + 0x5000)
#define DATA2_PA (TABLES_PA + 0x6000)
#define TABLE_PAGES 7u
#define TABLE_BYTES ((size_t)TABLE_PAGES * 4096u)

#define P_RW UINT64_C(0x3)
#define PS BIT64(7)

/* A linear address from its five indexes and an offset. */
#define GLA(i5, i4, i3, i2, i1, off)                                           \
	((uint64_t)(i5) << 48 | (uint64_t)(i4) << 39 | (uint64_t)(i3) << 30 |  \
	 (uint64_t)(i2) << 21 | (uint64_t)(i1) << 12 | (uint64_t)(off))
/* Sign-extended from bit 47 (4-level) or 56 (5-level). */
#define HIGH UINT64_C(0xffff000000000000)
#define HIGH57 UINT64_C(0xfe00000000000000)

/* The 4 KiB page at GLA_4K and the next one, both mapped to data pages. */
#define GLA_4K (HIGH | GLA(0, 511, 510, 9, 0x34, 0))
#define GLA_2M (HIGH | GLA(0, 511, 510, 10, 0, 0))
#define GLA_1G (HIGH | GLA(0, 511, 3, 0, 0, 0))

static uint64_t *tables;

static uint64_t *table(uint64_t pa)
{
	return tables + (pa - TABLES_PA) / 8u;
}

/* Builds the tables and maps them; LOADED with a ring. */
static void walk_up(void)
{
	loaded();
	assert_int_equal(posix_memalign((void **)&tables, 4096, TABLE_BYTES),
			 0);
	memset(tables, 0, TABLE_BYTES);
	assert_true(pa_addr(mock_mem_map_at(tables, TABLE_BYTES,
					    pa_init(TABLES_PA))) == TABLES_PA);
	table(PML5_PA)[511] = PML4_PA | P_RW;
	table(PML4_PA)[511] = PDPT_PA | P_RW;
	table(PDPT_PA)[510] = PD_PA | P_RW;
	table(PD_PA)[9] = PT_PA | P_RW;
	table(PT_PA)[0x34] = DATA_PA | P_RW | BIT64(63); /* XD: ignored. */
	table(PT_PA)[0x35] = DATA2_PA | P_RW;
	/* 2 MiB page with PAT (bit 12) set: not part of the address. */
	table(PD_PA)[10] = UINT64_C(0x80200000) | P_RW | PS | BIT64(12);
	/* 1 GiB page. */
	table(PDPT_PA)[3] = UINT64_C(0x40000000) | P_RW | PS;
}

static void walk_down(void)
{
	mock_mem_unmap(tables);
	free(tables);
	tables = NULL;
	if (vmm_state() == FLANK_STATE_RUNNING)
		assert_int_equal(vmm_stop_all(), VMM_OK);
	vmm_console_detach();
	fixture_down();
}

static int xlate(uint64_t gla, uint64_t *gpa)
{
	return vmm_guest_translate_cr3(PML4_PA, false, gla, gpa);
}

/* 4-level walk: 4 KiB, 2 MiB and 1 GiB pages; CR3's low bits (PCID,
 * PWT/PCD) and bit 63 of an entry (XD) are not address bits. */
static void test_hooks_walk_4level(void **state)
{
	uint64_t gpa = 0;

	(void)state;
	walk_up();
	assert_int_equal(xlate(GLA_4K | 0x567, &gpa), VMM_OK);
	assert_true(gpa == (DATA_PA | 0x567));
	assert_int_equal(vmm_guest_translate_cr3(PML4_PA | 0x18 | 0x5, false,
						 GLA_4K | 0xFFF, &gpa),
			 VMM_OK);
	assert_true(gpa == (DATA_PA | 0xFFF));
	assert_int_equal(xlate(GLA_4K + 0x1000, &gpa), VMM_OK);
	assert_true(gpa == DATA2_PA);
	assert_int_equal(xlate(GLA_2M | 0x1ABCDE, &gpa), VMM_OK);
	assert_true(gpa == UINT64_C(0x803ABCDE));
	assert_int_equal(xlate(GLA_1G | 0x3ABCDEF1, &gpa), VMM_OK);
	assert_true(gpa == UINT64_C(0x7ABCDEF1));
	assert_int_equal(xlate(GLA_4K, NULL), VMM_ERR_BAD_ARGUMENT);
	walk_down();
}

/* 5-level walk (CR4.LA57): the PML5 entry leads to the same tables; the
 * canonical rule moves to bit 56. */
static void test_hooks_walk_5level(void **state)
{
	uint64_t gpa = 0, gla = HIGH57 | GLA(511, 511, 510, 9, 0x34, 0x10);

	(void)state;
	walk_up();
	assert_int_equal(vmm_guest_translate_cr3(PML5_PA, true, gla, &gpa),
			 VMM_OK);
	assert_true(gpa == (DATA_PA | 0x10));
	/* Canonical with 57 bits, not with 48. */
	gla = GLA(1, 0, 0, 0, 0, 0);
	assert_int_equal(xlate(gla, &gpa), VMM_ERR_GUEST_NONCANONICAL);
	assert_int_equal(vmm_guest_translate_cr3(PML5_PA, true, gla, &gpa),
			 VMM_ERR_GUEST_NOT_PRESENT);
	assert_int_equal(vmm_guest_translate_cr3(PML5_PA, true,
						 UINT64_C(0x0100000000000000),
						 &gpa),
			 VMM_ERR_GUEST_NONCANONICAL);
	/* PS is reserved in a PML5E. */
	table(PML5_PA)[511] |= PS;
	assert_int_equal(vmm_guest_translate_cr3(
				 PML5_PA, true,
				 HIGH57 | GLA(511, 511, 510, 9, 0x34, 0), &gpa),
			 VMM_ERR_GUEST_RESERVED_BIT);
	walk_down();
}

/* Every failure of the walk has its own status, and none faults. */
static void test_hooks_walk_errors(void **state)
{
	uint64_t gpa = 0x5a5a;

	(void)state;
	walk_up();
	/* Not canonical (bit 47 set, 63:48 clear; and the reverse). */
	assert_int_equal(xlate(UINT64_C(0x0000800000000000), &gpa),
			 VMM_ERR_GUEST_NONCANONICAL);
	assert_int_equal(xlate(UINT64_C(0xffff7fffffffffff), &gpa),
			 VMM_ERR_GUEST_NONCANONICAL);
	/* Not present at each level. */
	assert_int_equal(xlate(HIGH | GLA(0, 300, 0, 0, 0, 0), &gpa),
			 VMM_ERR_GUEST_NOT_PRESENT);
	assert_int_equal(xlate(HIGH | GLA(0, 511, 100, 0, 0, 0), &gpa),
			 VMM_ERR_GUEST_NOT_PRESENT);
	assert_int_equal(xlate(HIGH | GLA(0, 511, 510, 100, 0, 0), &gpa),
			 VMM_ERR_GUEST_NOT_PRESENT);
	assert_int_equal(xlate(HIGH | GLA(0, 511, 510, 9, 100, 0), &gpa),
			 VMM_ERR_GUEST_NOT_PRESENT);
	/* A present bit clear with everything else set is not present. */
	table(PT_PA)[100] = DATA_PA | 0x2;
	assert_int_equal(xlate(HIGH | GLA(0, 511, 510, 9, 100, 0), &gpa),
			 VMM_ERR_GUEST_NOT_PRESENT);
	assert_true(gpa == 0x5a5a);
	/* Reserved: an address bit at 51 (above MAXPHYADDR), PS in a PML4E,
	 * a 2 MiB page's bit 13, a 1 GiB page's bit 20. */
	assert_true(mock_phys_addr_width() < 52);
	table(PT_PA)[101] = DATA_PA | BIT64(51) | P_RW;
	assert_int_equal(xlate(HIGH | GLA(0, 511, 510, 9, 101, 0), &gpa),
			 VMM_ERR_GUEST_RESERVED_BIT);
	table(PML4_PA)[10] = PDPT_PA | P_RW | PS;
	assert_int_equal(xlate(GLA(0, 10, 510, 9, 0x34, 0), &gpa),
			 VMM_ERR_GUEST_RESERVED_BIT);
	table(PD_PA)[11] = UINT64_C(0x80400000) | BIT64(13) | P_RW | PS;
	assert_int_equal(xlate(HIGH | GLA(0, 511, 510, 11, 0, 0), &gpa),
			 VMM_ERR_GUEST_RESERVED_BIT);
	table(PDPT_PA)[4] = UINT64_C(0x80000000) | BIT64(20) | P_RW | PS;
	assert_int_equal(xlate(HIGH | GLA(0, 511, 4, 0, 0, 0), &gpa),
			 VMM_ERR_GUEST_RESERVED_BIT);
	/* A table outside memory the platform maps: refused, not read. */
	table(PD_PA)[12] = UINT64_C(0x7e000000) | P_RW;
	tp.phys_refused = 0;
	assert_int_equal(xlate(HIGH | GLA(0, 511, 510, 12, 0, 0), &gpa),
			 VMM_ERR_GUEST_PHYS);
	assert_int_equal(tp.phys_refused, 1);
	assert_int_equal(vmm_guest_translate_cr3(UINT64_C(0x7e000000), false,
						 GLA_4K, &gpa),
			 VMM_ERR_GUEST_PHYS);
	assert_int_equal(tp.phys_wrong, 0);
	assert_true(gpa == 0x5a5a);
	walk_down();
}

/*
 * Physical copies: across a page boundary in two platform calls, each
 * within one page; bounded (0 and VMM_GUEST_COPY_MAX + 1 refused); a page
 * the platform refuses stops the copy with VMM_ERR_GUEST_PHYS.
 */
static void test_hooks_phys_copy(void **state)
{
	uint8_t buf[VMM_GUEST_COPY_MAX + 1];
	uint8_t *data;

	(void)state;
	walk_up();
	data = (uint8_t *)table(DATA_PA);
	for (unsigned i = 0; i < 8192u; i++)
		data[i] = (uint8_t)(i * 7u);
	tp.phys_calls = 0;
	assert_int_equal(vmm_guest_phys_read(DATA_PA + 0xFC0, buf, 0x80),
			 VMM_OK);
	assert_int_equal(tp.phys_calls, 2);
	assert_memory_equal(buf, data + 0xFC0, 0x80);
	memset(buf, 0xEE, 0x80);
	assert_int_equal(vmm_guest_phys_write(DATA_PA + 0xFF8, buf, 0x10),
			 VMM_OK);
	assert_memory_equal(data + 0xFF8, buf, 0x10);
	assert_int_equal(data[0xFF7], (uint8_t)(0xFF7u * 7u));
	assert_int_equal(data[0x1008], (uint8_t)(0x1008u * 7u));
	assert_int_equal(vmm_guest_phys_read(DATA_PA, buf, 0),
			 VMM_ERR_GUEST_COPY_SIZE);
	assert_int_equal(vmm_guest_phys_read(DATA_PA, buf, sizeof(buf)),
			 VMM_ERR_GUEST_COPY_SIZE);
	assert_int_equal(vmm_guest_phys_read(DATA_PA, buf, VMM_GUEST_COPY_MAX),
			 VMM_OK);
	assert_int_equal(vmm_guest_phys_read(DATA_PA, NULL, 8),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_guest_phys_write(DATA_PA, NULL, 8),
			 VMM_ERR_BAD_ARGUMENT);
	/* The page after the last table page is not mapped. */
	assert_int_equal(vmm_guest_phys_read(DATA2_PA + 0xFF0, buf, 0x20),
			 VMM_ERR_GUEST_PHYS);
	assert_int_equal(vmm_guest_phys_write(UINT64_C(0x7e000000), buf, 8),
			 VMM_ERR_GUEST_PHYS);
	assert_int_equal(vmm_guest_phys_read(UINT64_MAX - 3u, buf, 8),
			 VMM_ERR_GUEST_PHYS);
	assert_int_equal(tp.phys_wrong, 0);
	walk_down();
}

/*
 * The argument rules of the linear copies (checked before any VMREAD, so
 * from outside an exit too) and of vmm_guest_phys_page(), the image's one
 * door to physical memory: NULL, empty and page-crossing are refused
 * without a platform call.
 */
static void test_hooks_copy_arguments(void **state)
{
	uint8_t b[16];
	unsigned calls;

	(void)state;
	walk_up();
	assert_int_equal(vmm_guest_read(GLA_4K, NULL, 8), VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_guest_write(GLA_4K, NULL, 8),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_guest_read(GLA_4K, b, 0), VMM_ERR_GUEST_COPY_SIZE);
	assert_int_equal(vmm_guest_write(GLA_4K, b, VMM_GUEST_COPY_MAX + 1),
			 VMM_ERR_GUEST_COPY_SIZE);
	calls = tp.phys_calls;
	assert_int_equal(vmm_guest_phys_page(DATA_PA, NULL, 8, false),
			 VMM_ERR_GUEST_PHYS);
	assert_int_equal(vmm_guest_phys_page(DATA_PA, b, 0, false),
			 VMM_ERR_GUEST_PHYS);
	assert_int_equal(vmm_guest_phys_page(DATA_PA + 0xFF8, b, 16, true),
			 VMM_ERR_GUEST_PHYS);
	assert_int_equal(tp.phys_calls, calls);
	assert_int_equal(vmm_guest_phys_page(DATA_PA + 0xFF0, b, 16, false),
			 VMM_OK);
	assert_int_equal(tp.phys_calls, calls + 1);
	walk_down();
}

/* A host without phys_copy: every helper says VMM_ERR_GUEST_PHYS. */
static void test_hooks_no_phys_op(void **state)
{
	uint64_t gpa = 0;
	uint8_t b[8];

	(void)state;
	walk_up();
	assert_int_equal(vmm_fini(), VMM_OK);
	tp.p.phys_copy = NULL;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_int_equal(xlate(GLA_4K, &gpa), VMM_ERR_GUEST_PHYS);
	assert_int_equal(vmm_guest_phys_read(DATA_PA, b, 8),
			 VMM_ERR_GUEST_PHYS);
	walk_down();
}

/* Writes the characters of @p text at @p dst, without its NUL. */
static void put_text(char *dst, const char *text)
{
	while (*text != '\0')
		*dst++ = *text++;
}

/* What the guard below did inside the exit. */
static int guard_read_st, guard_write_st, guard_xlate_st, guard_bad_st;
static uint64_t guard_gpa;
static char guard_text[40];

/*
 * An LSTAR write guard as an extension writes one: translates and reads
 * the guest's memory at its RIP page (the tables above), across a page
 * boundary, writes a marker, logs to the ring and denies.
 */
static enum vmm_hook_action guard_hook(struct vmm_msr_hook_args *a)
{
	static const char mark[] = "GUARDED";

	guard_xlate_st = vmm_guest_translate(GLA_4K | 0x123, &guard_gpa);
	guard_read_st = vmm_guest_read(GLA_4K + 0xFF0, guard_text, 32);
	guard_text[32] = '\0';
	guard_write_st = vmm_guest_write(GLA_4K + 0x100, mark, sizeof(mark));
	guard_bad_st = vmm_guest_read(GLA_4K + 0x1FFE, guard_text + 33, 4);
	vmm_extension_logf(
		FLANK_LOG_WARN,
		"guard: denied WRMSR 0x%x value 0x%llx at RIP 0x%llx "
		"(%s)",
		a->msr, (unsigned long long)a->value,
		(unsigned long long)a->rip, guard_text);
	return VMM_HOOK_DENY;
}

/*
 * Inside a hooked exit the helpers use the guest's CR3 from the VMCS: a
 * read across two guest pages, a write, a translation, and a read that
 * runs into an unmapped page (VMM_ERR_GUEST_NOT_PRESENT); the callback's
 * line is in the ring and the write is denied.
 */
static void test_hooks_guest_memory_in_hook(void **state)
{
	struct mock_exit_outcome out;
	struct mock_cpu_regs regs;
	char *data;

	(void)state;
	walk_up();
	data = (char *)table(DATA_PA);
	put_text(data + 0xFF0, "first page, ");
	memset(data + 0xFFC, '-', 4);
	put_text(data + 0x1000, "second page, end");
	mock_cpu_get_regs(0, &regs);
	regs.cr3 = PML4_PA;
	mock_cpu_set_regs(0, &regs);
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 1, VMM_MSR_HOOK_WRITE,
					  guard_hook),
			 VMM_OK);
	start();
	assert_true(peek(VMCS_GUEST_CR3) == PML4_PA);
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_LSTAR, 0xbad, &out), 0);
	assert_fault(&out, X86_VEC_GP);
	assert_int_equal(guard_xlate_st, VMM_OK);
	assert_true(guard_gpa == (DATA_PA | 0x123));
	assert_int_equal(guard_read_st, VMM_OK);
	assert_string_equal(guard_text, "first page, ----second page, end");
	assert_int_equal(guard_write_st, VMM_OK);
	assert_string_equal(data + 0x100, "GUARDED");
	assert_int_equal(guard_bad_st, VMM_ERR_GUEST_NOT_PRESENT);
	assert_true(ring_has("guard: denied WRMSR 0xc0000082 value 0xbad at "
			     "RIP 0x"));
	assert_true(ring_has("(first page, ----second page, end)"));
	assert_true(msr_now(MSR_IA32_LSTAR) == LSTAR_AT_BOOT);
	assert_int_equal(tp.phys_wrong, 0);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_LSTAR, guard_hook),
			 VMM_OK);
	walk_down();
}

static int cr3_fail_st, cr3_fail_read_st;

/* Translates and reads while the VMREAD of GUEST_CR3 fails. */
static enum vmm_hook_action cr3_fail_hook(struct vmm_msr_hook_args *a)
{
	uint64_t gpa = 0;
	uint8_t b[4];

	(void)a;
	cr3_fail_st = vmm_guest_translate(GLA_4K, &gpa);
	cr3_fail_read_st = vmm_guest_read(GLA_4K, b, sizeof(b));
	/* A level beyond FLANK_LOG_DEBUG is logged at DEBUG. */
	vmm_extension_logf(99, "cr3 hook: %d %d", cr3_fail_st,
			   cr3_fail_read_st);
	return VMM_HOOK_ALLOW;
}

static bool cr3_read(const struct mock_call *call, void *arg)
{
	(void)arg;
	return call->op == MOCK_OP_VMREAD && call->arg[0] == VMCS_GUEST_CR3;
}

/*
 * Inside a callback, a VMREAD of the guest's CR3 that fails is
 * VMM_ERR_VMREAD from the helpers (no walk of a made-up CR3); the exit
 * itself completes.
 */
static void test_hooks_guest_vmread_fails(void **state)
{
	struct mock_exit_outcome out;
	char want[64];

	(void)state;
	walk_up();
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 1, VMM_MSR_HOOK_WRITE,
					  cr3_fail_hook),
			 VMM_OK);
	start();
	assert_int_equal(
		mock_fail_when(cr3_read, NULL,
			       (vmx_result_t){VMX_FAIL_VALID,
					      VMXERR_UNSUPPORTED_COMPONENT}),
		0);
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_LSTAR, 0x1234, &out), 0);
	mock_fail_clear();
	assert_emulated(&out, 2);
	assert_int_equal(cr3_fail_st, VMM_ERR_VMREAD);
	assert_int_equal(cr3_fail_read_st, VMM_ERR_VMREAD);
	snprintf(want, sizeof(want), "cr3 hook: %d %d", VMM_ERR_VMREAD,
		 VMM_ERR_VMREAD);
	assert_true(ring_has(want));
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(MSR_IA32_LSTAR, cr3_fail_hook),
			 VMM_OK);
	walk_down();
}

/* Every new status has a name and a sentence. */
static void test_hooks_status_texts(void **state)
{
	static const int st[] = {
		VMM_ERR_HOOK_WHILE_RUNNING, VMM_ERR_MSR_HOOK_RANGE,
		VMM_ERR_MSR_HOOK_RESERVED,  VMM_ERR_HOOK_OVERLAP,
		VMM_ERR_HOOK_TABLE_FULL,    VMM_ERR_GUEST_NONCANONICAL,
		VMM_ERR_GUEST_NOT_PRESENT,  VMM_ERR_GUEST_RESERVED_BIT,
		VMM_ERR_GUEST_PHYS,	    VMM_ERR_GUEST_COPY_SIZE,
	};

	(void)state;
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(st); i++) {
		assert_true(strncmp(vmm_status_name(st[i]), "VMM_ERR_", 8) ==
			    0);
		for (size_t j = 0; j < i; j++)
			assert_int_not_equal(st[i], st[j]);
	}
	assert_string_equal(vmm_status_name(VMM_ERR_MSR_HOOK_RANGE),
			    "VMM_ERR_MSR_HOOK_RANGE");
	assert_non_null(
		strstr(vmm_status_str(VMM_ERR_MSR_HOOK_RANGE), "MSR bitmap"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hooks_msr_add_rules),
		cmocka_unit_test(test_hooks_msr_overlap_and_remove),
		cmocka_unit_test(test_hooks_msr_table_full),
		cmocka_unit_test(test_hooks_refused_while_running),
		cmocka_unit_test(test_hooks_msr_bitmap_exact),
		cmocka_unit_test(test_hooks_msr_write_decisions),
		cmocka_unit_test(test_hooks_msr_read_decisions),
		cmocka_unit_test(test_hooks_msr_replace_checked_fail_closed),
		cmocka_unit_test(test_hooks_unhooked_exit_cost),
		cmocka_unit_test(test_hooks_msr_vmread_fails),
		cmocka_unit_test(test_hooks_cr_registration),
		cmocka_unit_test(test_hooks_cr_masks),
		cmocka_unit_test(test_hooks_cr0_wp),
		cmocka_unit_test(test_hooks_cr4_smep_smap),
		cmocka_unit_test(test_hooks_walk_4level),
		cmocka_unit_test(test_hooks_walk_5level),
		cmocka_unit_test(test_hooks_walk_errors),
		cmocka_unit_test(test_hooks_phys_copy),
		cmocka_unit_test(test_hooks_copy_arguments),
		cmocka_unit_test(test_hooks_no_phys_op),
		cmocka_unit_test(test_hooks_guest_vmread_fails),
		cmocka_unit_test(test_hooks_guest_memory_in_hook),
		cmocka_unit_test(test_hooks_status_texts),
	};

	(void)exits_up; /* The fixture's; these tests start with hooks set. */
	return FLANK_RUN_TESTS(tests);
}
