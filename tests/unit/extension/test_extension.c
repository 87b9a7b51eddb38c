// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Extension hooks on the emulated VT-x: the example module's source is
 * compiled into this test, so its init function runs as a constructor
 * before main(), exactly when a host runs a loaded module's DT_INIT_ARRAY:
 * after linking, before the VMM's init. The guest then executes CPUID and
 * VMCALL and gets the module's answers through libvmm's exit handlers.
 */
#include "example.h"
#include "flank/vmm_console.h"
#include "flank/vmm_version.h"
#include "libvmm_fixture.h"

/* The example's init status as its constructor left it, before main(). */
static int status_at_start;

int flank_example_status(void);
void flank_example_init(void);
void flank_example_fini(void);

/* One CPU running under libvmm. */
static void up(void)
{
	uint32_t failed = 0;

	fixture_up("skylake", 1);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
}

static void down(void)
{
	if (vmm_state() == FLANK_STATE_RUNNING)
		assert_int_equal(vmm_stop_all(), VMM_OK);
	fixture_down();
}

/* Guest CPUID, with the exit handled and RIP advanced. */
static struct cpu_cpuid_regs guest_cpuid(uint32_t leaf, uint32_t sub)
{
	struct mock_exit_outcome out;
	struct cpu_cpuid_regs r;

	memset(&r, 0, sizeof(r));
	assert_int_equal(mock_guest_cpuid(leaf, sub, &r, &out), 0);
	assert_int_equal(out.action, INTRIN_EXIT_RESUME);
	assert_true(out.resume.entered);
	assert_true(out.rip_after == out.rip_before + 2);
	return r;
}

/* A hypercall from ring 0; the GPRs after it. */
static struct intrin_gprs hc(uint32_t nr, uint64_t rbx, uint64_t rcx)
{
	struct intrin_gprs g = {.rax = FLANK_HC(nr), .rbx = rbx, .rcx = rcx};
	struct mock_exit_outcome out;

	assert_int_equal(mock_guest_vmcall(&g, &out), 0);
	assert_int_equal(out.action, INTRIN_EXIT_RESUME);
	return g;
}

static bool is_example(const struct cpu_cpuid_regs *r)
{
	return r->eax == FLANK_VERSION && r->ebx == FLANK_EXAMPLE_CPUID_EBX &&
	       r->ecx == FLANK_EXAMPLE_CPUID_ECX &&
	       r->edx == FLANK_EXAMPLE_CPUID_EDX;
}

/*
 * Makes the CPU answer @p own for every leaf of the hypervisor range: on
 * Intel CPUs (and the emulator) such a leaf returns the data of the
 * highest basic leaf (SDM Vol. 2A CPUID, "INPUT EAX = 0").
 */
static void cpu_answers(const struct cpu_cpuid_regs *own)
{
	struct cpu_cpuid_regs r0 = guest_cpuid(0, 0);

	mock_cpuid_set(0, r0.eax, 0, own);
}

/* The module's init ran before main() and registered both handlers. */
static void test_extension_registered_at_init(void **state)
{
	struct vmm_cpuid_args a = {.leaf = FLANK_EXAMPLE_CPUID_LEAF};
	struct vmm_hypercall_args h = {.nr = FLANK_EXAMPLE_HC};

	(void)state;
	assert_int_equal(status_at_start, VMM_OK);
	assert_true(vmm_cpuid_extension_call(&a));
	assert_int_equal(a.ebx, FLANK_EXAMPLE_CPUID_EBX);
	assert_int_equal(vmm_hypercall_extension_call(&h), VMM_OK);
}

/*
 * The example's CPUID leaf answers every subleaf, at CPL 0 and CPL 3, with
 * the image version and "FlankExample"; the rest of the range gets the
 * CPU's own answer; the presence leaf and leaves outside are unchanged.
 */
static void test_extension_cpuid_leaf(void **state)
{
	struct cpu_cpuid_regs cpu_own = {0x1111, 0x2222, 0x3333, 0x4444};
	struct cpu_cpuid_regs r;
	struct mock_cpu_regs regs_saved;

	(void)state;
	up();
	cpu_answers(&cpu_own);
	r = guest_cpuid(FLANK_EXAMPLE_CPUID_LEAF, 0);
	assert_true(is_example(&r));
	r = guest_cpuid(FLANK_EXAMPLE_CPUID_LEAF, 7);
	assert_true(is_example(&r));
	test_guest_enter_ring3(0, &regs_saved);
	r = guest_cpuid(FLANK_EXAMPLE_CPUID_LEAF, 0);
	assert_true(is_example(&r));
	test_guest_leave_ring3(0, &regs_saved);
	/* Declined: the CPU's own answer, unchanged. */
	r = guest_cpuid(FLANK_CPUID_EXT_FIRST + 1, 0);
	assert_memory_equal(&r, &cpu_own, sizeof(r));
	/* Outside the range: the handler is never asked. */
	r = guest_cpuid(FLANK_CPUID_EXT_LAST + 1, 0);
	assert_memory_equal(&r, &cpu_own, sizeof(r));
	r = guest_cpuid(FLANK_CPUID_LEAF, 0);
	assert_int_equal(r.ebx, FLANK_CPUID_EBX);
	assert_int_equal(r.ecx, FLANK_CPUID_ECX);
	down();
}

/* The example's hypercall adds RBX and RCX and tags its answer; other
 * extension numbers are unknown and leave the registers alone. */
static void test_extension_hypercall(void **state)
{
	struct intrin_gprs g;

	(void)state;
	up();
	g = hc(FLANK_EXAMPLE_HC, 40, 2);
	assert_int_equal(g.rax, VMM_OK);
	assert_int_equal(g.rbx, 42);
	assert_int_equal(g.rcx, (FLANK_EXAMPLE_TAG << 24) | FLANK_VERSION);
	assert_int_equal(g.rdx, 0);
	g = hc(FLANK_EXAMPLE_HC + 1, 40, 2);
	assert_int_equal(g.rax, VMM_ERR_HYPERCALL_UNKNOWN);
	assert_int_equal(g.rbx, 40);
	assert_int_equal(g.rcx, 2);
	down();
}

/*
 * While CPUs run, a module can neither register nor remove (its fini
 * fails and its handlers keep answering); once stopped it can, and the
 * leaf then gives the CPU's answer and the hypercall is unknown.
 */
static void test_extension_refused_while_running(void **state)
{
	struct cpu_cpuid_regs cpu_own = {0x5, 0x6, 0x7, 0x8};
	struct cpu_cpuid_regs r;
	struct intrin_gprs g;

	(void)state;
	up();
	flank_example_fini();
	assert_int_equal(flank_example_status(), VMM_ERR_BAD_STATE);
	flank_example_init();
	assert_int_equal(flank_example_status(), VMM_ERR_BAD_STATE);
	r = guest_cpuid(FLANK_EXAMPLE_CPUID_LEAF, 0);
	assert_true(is_example(&r));
	assert_int_equal(vmm_stop_all(), VMM_OK);
	flank_example_fini();
	assert_int_equal(flank_example_status(), VMM_OK);
	assert_int_equal(vmm_start_all(NULL), VMM_OK);
	cpu_answers(&cpu_own);
	r = guest_cpuid(FLANK_EXAMPLE_CPUID_LEAF, 0);
	assert_memory_equal(&r, &cpu_own, sizeof(r));
	g = hc(FLANK_EXAMPLE_HC, 1, 1);
	assert_int_equal(g.rax, VMM_ERR_HYPERCALL_UNKNOWN);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	/* LOADED counts as "no CPU runs": registering works again. */
	flank_example_init();
	assert_int_equal(flank_example_status(), VMM_OK);
	down();
}

static bool other_cpuid(struct vmm_cpuid_args *a)
{
	a->eax = 0xbad;
	return true;
}

static int other_hc(struct vmm_hypercall_args *a)
{
	(void)a;
	return VMM_ERR_BAD_ARGUMENT;
}

/*
 * Handlers without ENDBR64 (nocf_check), as in a module built without
 * -fcf-protection=branch; noipa keeps the compiler from merging or
 * inlining them. They count their calls: there must be none.
 */
static unsigned noendbr_calls;

__attribute__((nocf_check, noipa)) static bool
noendbr_cpuid(struct vmm_cpuid_args *a)
{
	noendbr_calls++;
	a->eax = 0xe4d;
	return true;
}

__attribute__((nocf_check, noipa)) static int
noendbr_hc(struct vmm_hypercall_args *a)
{
	noendbr_calls++;
	a->ret[0] = 0xe4d;
	return VMM_OK;
}

/*
 * A handler that does not start with ENDBR64 is refused with
 * VMM_ERR_HOOK_NO_ENDBR by both set functions, on this machine without IBT
 * too (issue #21): nothing is registered, so the leaf gets no answer and
 * the hypercall is unknown, and it is never called. A handler with ENDBR64
 * (every function of this file but the two above) is accepted.
 */
static void test_extension_refuses_no_endbr64(void **state)
{
	struct vmm_cpuid_args a = {.leaf = FLANK_EXAMPLE_CPUID_LEAF};
	struct vmm_hypercall_args h = {.nr = FLANK_EXAMPLE_HC};

	(void)state;
	noendbr_calls = 0;
	flank_example_fini();
	assert_int_equal(flank_example_status(), VMM_OK);
	assert_int_equal(
		vmm_cpuid_set_extension((vmm_cpuid_ext_fn)noendbr_cpuid),
		VMM_ERR_HOOK_NO_ENDBR);
	assert_int_equal(
		vmm_hypercall_set_extension((vmm_hypercall_ext_fn)noendbr_hc),
		VMM_ERR_HOOK_NO_ENDBR);
	assert_false(vmm_cpuid_extension_call(&a));
	assert_int_equal(vmm_hypercall_extension_call(&h),
			 VMM_ERR_HYPERCALL_UNKNOWN);
	assert_int_equal(
		vmm_cpuid_remove_extension((vmm_cpuid_ext_fn)noendbr_cpuid),
		VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(noendbr_calls, 0);
	/* Handlers with ENDBR64 register in the slots left free. */
	assert_int_equal(vmm_cpuid_set_extension(other_cpuid), VMM_OK);
	assert_int_equal(vmm_hypercall_set_extension(other_hc), VMM_OK);
	assert_true(vmm_cpuid_extension_call(&a));
	assert_int_equal(a.eax, 0xbad);
	assert_int_equal(vmm_hypercall_extension_call(&h),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_cpuid_remove_extension(other_cpuid), VMM_OK);
	assert_int_equal(vmm_hypercall_remove_extension(other_hc), VMM_OK);
	flank_example_init();
	assert_int_equal(flank_example_status(), VMM_OK);
}

/* An MSR hook of "another module". */
static enum vmm_hook_action other_msr(struct vmm_msr_hook_args *a)
{
	(void)a;
	return VMM_HOOK_ALLOW;
}

/*
 * One handler of each kind: a second one is refused with BUSY, the same
 * one again is fine, NULL is refused, only the owner removes it; a module
 * whose second registration is refused takes its first one back.
 */
static void test_extension_one_owner(void **state)
{
	struct vmm_cpuid_args a = {.leaf = FLANK_EXAMPLE_CPUID_LEAF};

	(void)state;
	assert_int_equal(vmm_cpuid_set_extension(other_cpuid),
			 VMM_ERR_EXTENSION_BUSY);
	assert_int_equal(vmm_hypercall_set_extension(other_hc),
			 VMM_ERR_EXTENSION_BUSY);
	assert_int_equal(vmm_cpuid_set_extension(NULL), VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_hypercall_set_extension(NULL),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_cpuid_remove_extension(other_cpuid),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_hypercall_remove_extension(other_hc),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_cpuid_remove_extension(NULL),
			 VMM_ERR_BAD_ARGUMENT);
	flank_example_init(); /* Already registered: the same handlers. */
	assert_int_equal(flank_example_status(), VMM_OK);

	/* Another module owns the hypercall: the example registers nothing. */
	flank_example_fini();
	assert_int_equal(vmm_hypercall_set_extension(other_hc), VMM_OK);
	flank_example_init();
	assert_int_equal(flank_example_status(), VMM_ERR_EXTENSION_BUSY);
	assert_false(vmm_cpuid_extension_call(&a));
	assert_int_equal(vmm_cpuid_set_extension(other_cpuid), VMM_OK);
	assert_true(vmm_cpuid_extension_call(&a));
	assert_int_equal(a.eax, 0xbad);
	assert_int_equal(vmm_cpuid_remove_extension(other_cpuid), VMM_OK);
	assert_int_equal(vmm_hypercall_remove_extension(other_hc), VMM_OK);

	/* Another module hooks LSTAR: the example takes both handlers back. */
	assert_int_equal(vmm_msr_hook_add(FLANK_EXAMPLE_GUARDED_MSR, 1,
					  VMM_MSR_HOOK_READ, other_msr),
			 VMM_OK);
	flank_example_init();
	assert_int_equal(flank_example_status(), VMM_ERR_HOOK_OVERLAP);
	assert_false(vmm_cpuid_extension_call(&a));
	assert_int_equal(vmm_hypercall_set_extension(other_hc), VMM_OK);
	assert_int_equal(vmm_hypercall_remove_extension(other_hc), VMM_OK);
	assert_int_equal(
		vmm_msr_hook_remove(FLANK_EXAMPLE_GUARDED_MSR, other_msr),
		VMM_OK);
	flank_example_init();
	assert_int_equal(flank_example_status(), VMM_OK);
}

/* True if the debug ring holds a line containing @p needle. */
static bool ring_has(const char *needle)
{
	static char text[1u << 17];
	uint64_t pos = 0;
	size_t n = 0, got;

	while (n < sizeof(text) - 1 &&
	       (got = vmm_console_ring_read(&pos, text + n,
					    sizeof(text) - 1 - n)) > 0)
		n += got;
	text[n] = '\0';
	return strstr(text, needle) != NULL;
}

/*
 * The example's LSTAR guard (registered by its init, before start): a
 * guest WRMSR of IA32_LSTAR gets #GP(0) with RIP at the WRMSR, LSTAR keeps
 * the kernel's value, and the ring has the refusal with the value; RDMSR
 * of LSTAR passes through without an exit, and other MSRs are unhooked.
 */
static void test_extension_lstar_guard(void **state)
{
	struct mock_exit_outcome out;
	uint64_t v = 0;

	uint32_t failed = 0;

	(void)state;
	fixture_up("skylake", 1);
	mock_msr_set(0, FLANK_EXAMPLE_GUARDED_MSR,
		     UINT64_C(0xffffffff81a00080));
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(mock_guest_wrmsr(FLANK_EXAMPLE_GUARDED_MSR,
					  UINT64_C(0xffffffffc0ffee00), &out),
			 0);
	assert_int_equal(out.action, INTRIN_EXIT_RESUME);
	assert_true(out.injected);
	assert_int_equal(out.injected_info & INTR_INFO_VECTOR_MASK, X86_VEC_GP);
	assert_true(out.rip_after == out.rip_before);
	assert_true(mock_msr_get(0, FLANK_EXAMPLE_GUARDED_MSR, &v));
	assert_true(v == UINT64_C(0xffffffff81a00080));
	assert_true(ring_has(FLANK_EXAMPLE_GUARD_LINE " <- 0xffffffffc0ffee00 "
						      "at RIP 0x"));
	assert_true(ring_has("on CPU 0"));
	/* Not hooked: RDMSR of LSTAR, WRMSR of STAR. */
	assert_int_equal(mock_guest_rdmsr(FLANK_EXAMPLE_GUARDED_MSR, &v, &out),
			 -1);
	assert_true(v == UINT64_C(0xffffffff81a00080));
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_STAR, 0, &out), -1);
	down();
}

/* The exported dispatchers refuse NULL and numbers outside the ranges. */
static void test_extension_call_bounds(void **state)
{
	struct vmm_cpuid_args a = {.leaf = FLANK_CPUID_EXT_FIRST - 1, .eax = 9};
	struct vmm_hypercall_args h = {.nr = FLANK_HC_EXT_FIRST - 1};

	(void)state;
	assert_false(vmm_cpuid_extension_call(NULL));
	assert_false(vmm_cpuid_extension_call(&a));
	a.leaf = FLANK_CPUID_EXT_LAST + 1;
	assert_false(vmm_cpuid_extension_call(&a));
	assert_int_equal(a.eax, 9);
	assert_int_equal(vmm_hypercall_extension_call(NULL),
			 VMM_ERR_HYPERCALL_UNKNOWN);
	assert_int_equal(vmm_hypercall_extension_call(&h),
			 VMM_ERR_HYPERCALL_UNKNOWN);
	h.nr = FLANK_HC_EXT_LAST + 1;
	assert_int_equal(vmm_hypercall_extension_call(&h),
			 VMM_ERR_HYPERCALL_UNKNOWN);
	/* Declining leaves the preset answer untouched. */
	a.leaf = FLANK_CPUID_EXT_LAST;
	assert_false(vmm_cpuid_extension_call(&a));
	assert_int_equal(a.eax, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extension_registered_at_init),
		cmocka_unit_test(test_extension_cpuid_leaf),
		cmocka_unit_test(test_extension_hypercall),
		cmocka_unit_test(test_extension_refused_while_running),
		cmocka_unit_test(test_extension_one_owner),
		cmocka_unit_test(test_extension_call_bounds),
		cmocka_unit_test(test_extension_refuses_no_endbr64),
		cmocka_unit_test(test_extension_lstar_guard),
	};

	status_at_start = flank_example_status();
	return FLANK_RUN_TESTS(tests);
}
