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

/* What the init hooks below saw and answer. */
static unsigned init_hook_calls;
static int init_hook_answer;
static enum flank_vmm_state init_hook_state;
static int init_hook_phys;
static uint8_t init_hook_byte;
/* A page of "RAM" at INIT_HOOK_PA that the init hook reads. */
#define INIT_HOOK_PA UINT64_C(0x7654000)
static _Alignas(4096) uint8_t init_hook_page[4096];

/*
 * An init hook: counts, notes the VMM's state and whether it could read
 * physical memory through the platform, and logs one line.
 */
static int init_hook(void)
{
	uint8_t b = 0;

	init_hook_calls++;
	init_hook_state = vmm_state();
	init_hook_phys = vmm_guest_phys_page(INIT_HOOK_PA + 9, &b, 1, false);
	init_hook_byte = b;
	vmm_extension_logf(FLANK_LOG_INFO, "init hook ran");
	return init_hook_answer;
}

static int other_init_hook(void)
{
	return VMM_OK;
}

__attribute__((nocf_check, noipa)) static int noendbr_init_hook(void)
{
	noendbr_calls++;
	return VMM_OK;
}

/* The emulator with init_hook_page mapped and the test platform, before
 * vmm_init() (fixture_up() without its init). */
static void hook_machine(void)
{
	fixture_reset();
	assert_int_equal(mock_init("skylake", 1), 0);
	mock_set_exception_handler(fixture_exception);
	mock_set_exit_handlers(vmm_exit_handler, vmm_exit_resume_failed);
	memset(init_hook_page, 0, sizeof(init_hook_page));
	init_hook_page[9] = 0x5a;
	assert_true(pa_addr(mock_mem_map_at(init_hook_page, 4096,
					    pa_init(INIT_HOOK_PA))) ==
		    INIT_HOOK_PA);
	test_platform_init(&tp);
}

/*
 * The init hook (vmm_init_hook_set()): registration follows the handlers'
 * rules (NULL, ENDBR64, one owner, not while running); it runs at the end
 * of vmm_init() with the VMM LOADED, the ring attached (its line is in the
 * ring) and the platform's phys_copy reachable; a refusal is vmm_init()'s
 * status and leaves the VMM UNLOADED, so the next init starts clean.
 */
static void test_extension_init_hook(void **state)
{
	(void)state;
	assert_int_equal(vmm_init_hook_set(NULL), VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_init_hook_set((vmm_init_hook_fn)noendbr_init_hook),
			 VMM_ERR_HOOK_NO_ENDBR);
	assert_int_equal(vmm_init_hook_set(init_hook), VMM_OK);
	assert_int_equal(vmm_init_hook_set(init_hook), VMM_OK);
	assert_int_equal(vmm_init_hook_set(other_init_hook),
			 VMM_ERR_EXTENSION_BUSY);
	assert_int_equal(vmm_init_hook_remove(other_init_hook),
			 VMM_ERR_BAD_ARGUMENT);

	init_hook_calls = 0;
	init_hook_answer = VMM_OK;
	init_hook_phys = -1;
	hook_machine();
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_int_equal(init_hook_calls, 1);
	assert_int_equal(init_hook_state, FLANK_STATE_LOADED);
	assert_int_equal(init_hook_phys, VMM_OK);
	assert_int_equal(init_hook_byte, 0x5a);
	assert_true(ring_has("init hook ran"));
	assert_int_equal(vmm_start_all(NULL), VMM_OK);
	/* Running: neither set nor remove. */
	assert_int_equal(vmm_init_hook_set(other_init_hook), VMM_ERR_BAD_STATE);
	assert_int_equal(vmm_init_hook_remove(init_hook), VMM_ERR_BAD_STATE);
	down();

	/* A refusal is the init's status; the VMM stays UNLOADED. */
	init_hook_answer = VMM_ERR_GUEST_NOT_PRESENT;
	hook_machine();
	assert_int_equal(vmm_init(&tp.p), VMM_ERR_GUEST_NOT_PRESENT);
	assert_int_equal(init_hook_calls, 2);
	assert_int_equal(vmm_state(), FLANK_STATE_UNLOADED);
	init_hook_answer = VMM_OK;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_int_equal(init_hook_calls, 3);
	down();

	assert_int_equal(vmm_init_hook_remove(init_hook), VMM_OK);
	assert_int_equal(vmm_init_hook_remove(init_hook), VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(noendbr_calls, 0);
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
		cmocka_unit_test(test_extension_init_hook),
	};

	status_at_start = flank_example_status();
	return FLANK_RUN_TESTS(tests);
}
