// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VMM's pages are not the guest's (issue #18 section 3, docs/ept.md):
 * with flank_platform.hide, every page of the EPT map (tables, page lists)
 * and the zero and sink pages map to the zero page, read-only. A guest
 * read of each kind gives zeros; a guest write is dropped (it lands in the
 * sink, which the MTF exit wipes), counted per CPU and per address, and
 * the VMM's memory is unchanged. Rollback at every allocation, CPUs
 * without EPT, and the exit cost of CPUID and RDMSR as without hiding.
 */
#include <stdlib.h>

#include "libvmm_fixture.h"

#include "ept/ept.h"
#include "hooks.h"
#include "flank/vmm_console.h"

/* True if the debug ring holds @p needle. */
static bool ring_has_text(const char *needle)
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

/* MTRRs: WB by default, so that every page is RAM. */
#define MTRRCAP 0xFEu
#define MTRR_DEF_TYPE 0x2FFu

/* The emulator (@p profile, @p ncpus CPUs), the platform asking for
 * @p hide, MTF allowed-1 if @p mtf (Bochs's skylake lacks it, real parts
 * have it). */
static void hide_up_n(const char *profile, unsigned ncpus, uint32_t hide,
		      bool mtf)
{
	fixture_up(profile, ncpus);
	assert_int_equal(vmm_fini(), VMM_OK);
	tp.p.hide = hide;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	mock_msr_set(MOCK_ALL_CPUS, MTRRCAP, 0);
	mock_msr_set(MOCK_ALL_CPUS, MTRR_DEF_TYPE, 0x800 | 6);
	if (mtf) {
		static const uint32_t msrs[] = {
			MSR_IA32_VMX_PROCBASED_CTLS,
			MSR_IA32_VMX_TRUE_PROCBASED_CTLS};
		for (unsigned i = 0; i < 2; i++) {
			uint64_t v;
			assert_true(mock_msr_get(0, msrs[i], &v));
			mock_msr_set(
				0, msrs[i],
				v | ((uint64_t)CPU_MONITOR_TRAP_FLAG << 32));
		}
	}
}

static void hide_up(const char *profile, uint32_t hide, bool mtf)
{
	hide_up_n(profile, 1, hide, mtf);
}

static void hide_start(void)
{
	uint32_t failed;

	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_true(vmm_ctx.ept.enabled);
}

static void hide_down(void)
{
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_false(vmm_ctx.ept.enabled);
	fixture_down();
}

/* hide_down() for a ring the emulator maps: the ring reads as itself
 * again once the map is gone (no map: no EPT walk at all). */
static void hide_down_keep_ring(void)
{
	if (vmm_state() == FLANK_STATE_RUNNING)
		assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_false(vmm_ctx.ept.enabled);
	fixture_down();
}

/* One guest access of @p kind, 8 bytes at @p gpa (GLA valid). */
static void access(uint64_t gpa, enum mock_gpa_kind kind, uint64_t value,
		   struct mock_gpa_result *r)
{
	struct mock_gpa_access a;

	memset(&a, 0, sizeof(a));
	a.gpa = gpa;
	a.gla = UINT64_C(0xffff888000000000) + gpa;
	a.size = 8;
	a.kind = kind;
	a.len = 4;
	a.value = value;
	memset(r, 0, sizeof(*r));
	assert_int_equal(mock_guest_gpa_access(&a, r), 0);
}

/* The map's pages as the list records them: list pages and slots. */
static unsigned map_pages(uint64_t *pa, unsigned max)
{
	const uint64_t *l = vmm_ctx.ept.list;
	uint32_t used = vmm_ctx.ept.list_used;
	unsigned n = 0;

	for (; l != NULL;
	     l = (const uint64_t *)(uintptr_t)l[0], used = EPT_LIST_SLOTS) {
		assert_true(n < max);
		pa[n++] = l[1];
		for (uint32_t i = 0; i < used; i++) {
			assert_true(n < max);
			pa[n++] = l[EPT_LIST_WORD(i) + 1u];
		}
	}
	return n;
}

/* The walk of @p gpa maps the zero page, 4 KiB, read-only. */
static void assert_hidden(uint64_t gpa)
{
	struct mock_ept_walk w;

	mock_ept_walk(vmm_ctx.ept.eptp, gpa, MOCK_GPA_READ, false, false, false,
		      &w);
	assert_int_equal(w.verdict, MOCK_EPT_OK);
	assert_int_equal(w.hpa, vmm_ctx.ept.zero_pa + (gpa & 0xFFFu));
	assert_int_equal(w.page_size, 4096);
	assert_true(w.readable && !w.writable && !w.executable);
	assert_int_equal(w.ept_type, 6);
}

/*
 * Every page of the map is hidden (its own 4 KiB leaf on the zero page,
 * read-only, WB kept); the page after the last one that is not the
 * VMM's still maps itself; the log says how many. The kinds: the root
 * table, a lower table, the page list, the zero page, the sink page.
 */
static void test_hide_map(void **state)
{
	uint64_t pa[64];
	unsigned n;
	struct mock_ept_walk w;
	uint64_t root;
	char line[128];

	(void)state;
	hide_up("skylake", FLANK_HIDE_EPT, false);
	hide_start();
	n = map_pages(pa, 64);
	root = vmm_ctx.ept.eptp & EPTE_ADDR_MASK;
	print_message("hidden: %u pages, map %u pages (%u x 1 GiB, "
		      "%u x 2 MiB, %u x 4 KiB)\n",
		      vmm_ctx.ept.hidden, vmm_ctx.ept.pages,
		      vmm_ctx.ept.leaves[2], vmm_ctx.ept.leaves[1],
		      vmm_ctx.ept.leaves[0]);
	assert_int_equal(n, vmm_ctx.ept.pages);
	assert_int_equal(vmm_ctx.ept.hidden, n);
	for (unsigned i = 0; i < n; i++)
		assert_hidden(pa[i]);
	assert_hidden(root);
	assert_hidden(vmm_ctx.ept.zero_pa);
	assert_hidden(vmm_ctx.ept.sink_pa);
	assert_hidden(vmm_ctx.ept.list[1]);
	/* A neighbour that is not the VMM's: identity, writable. */
	mock_ept_walk(vmm_ctx.ept.eptp, UINT64_C(0x1000), MOCK_GPA_WRITE, false,
		      false, false, &w);
	assert_int_equal(w.verdict, MOCK_EPT_OK);
	assert_int_equal(w.hpa, 0x1000);
	snprintf(line, sizeof(line),
		 "EPT: %u pages of the VMM hidden from the guest", n);
	assert_true(ring_has_text(line));
	hide_down();
}

/* Without the platform's bit nothing is hidden and nothing is taken. */
static void test_hide_off(void **state)
{
	struct mock_ept_walk w;
	uint64_t root;

	(void)state;
	hide_up("skylake", 0, false);
	hide_start();
	root = vmm_ctx.ept.eptp & EPTE_ADDR_MASK;
	assert_int_equal(vmm_ctx.ept.hidden, 0);
	assert_int_equal(vmm_ctx.ept.zero_pa, 0);
	mock_ept_walk(vmm_ctx.ept.eptp, root, MOCK_GPA_WRITE, false, false,
		      false, &w);
	assert_int_equal(w.verdict, MOCK_EPT_OK);
	assert_int_equal(w.hpa, root);
	assert_false(ring_has_text("of the VMM hidden"));
	hide_down();
	/* An unknown bit is refused, and the CPUs' pages without the map's
	 * (the zero page comes with those). */
	fixture_up("skylake", 1);
	assert_int_equal(vmm_fini(), VMM_OK);
	tp.p.hide = 8;
	assert_int_equal(vmm_init(&tp.p), VMM_ERR_BAD_PLATFORM);
	tp.p.hide = FLANK_HIDE_CPUS;
	assert_int_equal(vmm_init(&tp.p), VMM_ERR_BAD_PLATFORM);
	tp.p.hide = FLANK_HIDE_RING;
	assert_int_equal(vmm_init(&tp.p), VMM_ERR_BAD_PLATFORM);
	tp.p.hide = FLANK_HIDE_EPT;
	tp.p.reserved_hide = 1;
	assert_int_equal(vmm_init(&tp.p), VMM_ERR_BAD_PLATFORM);
	fixture_down();
}

/* A guest read of each kind of hidden page gives zeros. */
static void test_hide_read_zeros(void **state)
{
	struct mock_gpa_result r;
	uint64_t pa[64];
	unsigned n;

	(void)state;
	hide_up("skylake", FLANK_HIDE_EPT, false);
	hide_start();
	n = map_pages(pa, 64);
	for (unsigned i = 0; i < n; i++) {
		access(pa[i], MOCK_GPA_READ, 0, &r);
		assert_true(r.completed);
		assert_int_equal(r.exits, 0);
		assert_int_equal(r.value, 0);
		assert_int_equal(r.hpa, vmm_ctx.ept.zero_pa);
	}
	/* The root table holds present entries: the VMM's view differs. */
	assert_int_not_equal(
		*(const uint64_t *)mock_mem_host(
			pa_init(vmm_ctx.ept.eptp & EPTE_ADDR_MASK), 8),
		0);
	hide_down();
}

/*
 * A guest write to the root table with MTF: it lands in the sink, the MTF
 * exit wipes the sink, maps the zero page again, turns MTF off and does
 * INVEPT; the table is unchanged, the write counted (per CPU, per page,
 * exit statistics), logged once, and the guest runs on at the next
 * instruction. A second write is dropped the same way.
 */
static void test_hide_write_dropped(void **state)
{
	struct mock_gpa_result r;
	struct flank_exit_stats st;
	uint8_t before[4096];
	uint64_t root, proc = 0, rip = 0, rip2 = 0;
	bool invept = false;

	(void)state;
	hide_up("skylake", FLANK_HIDE_EPT, true);
	hide_start();
	assert_true(vmm_ctx.ept.mtf);
	root = vmm_ctx.ept.eptp & EPTE_ADDR_MASK;
	memcpy(before, mock_mem_host(pa_init(root), 4096), 4096);
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_RIP, &rip));
	mock_trace_enable(true);
	mock_trace_clear();
	access(root + 8, MOCK_GPA_WRITE, 0x1122334455667788, &r);
	for (size_t i = 0; i < mock_trace_len(); i++)
		if (mock_trace_at(i)->op == MOCK_OP_INVEPT)
			invept = true;
	mock_trace_enable(false);
	assert_true(r.completed);
	assert_int_equal(r.exits, 2);
	assert_int_equal(r.reason, EXIT_REASON_EPT_VIOLATION);
	assert_true(r.mtf);
	assert_int_equal(r.hpa, vmm_ctx.ept.sink_pa + 8);
	assert_true(invept);
	assert_memory_equal(mock_mem_host(pa_init(root), 4096), before, 4096);
	for (unsigned i = 0; i < 4096 / 8; i++)
		assert_int_equal(vmm_ctx.ept.sink[i], 0);
	assert_hidden(root);
	assert_true(mock_vmcs_peek(0, VMCS_CPU_BASED_VM_EXEC_CONTROL, &proc));
	assert_int_equal(proc & CPU_MONITOR_TRAP_FLAG, 0);
	assert_null(vmm_ctx.cpu[0]->hide_step);
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_RIP, &rip2));
	assert_int_equal(rip2, rip + 4);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_NONROOT);
	assert_int_equal(vmm_ctx.cpu[0]->hidden_writes, 1);
	assert_int_equal(vmm_hide_drops(root), 1);
	assert_true(ring_has_text("write to the VMM's hidden page at GPA"));

	access(root + 16, MOCK_GPA_WRITE, 0x99, &r);
	assert_true(r.completed);
	assert_int_equal(r.exits, 2);
	assert_memory_equal(mock_mem_host(pa_init(root), 4096), before, 4096);
	access(root + 8, MOCK_GPA_READ, 0, &r);
	assert_true(r.completed);
	assert_int_equal(r.value, 0);
	assert_int_equal(vmm_hide_drops(root), 2);
	assert_int_equal(vmm_hide_drops(UINT64_MAX), 0);
	assert_int_equal(vmm_exit_stats(0, &st), VMM_OK);
	assert_int_equal(st.hidden_writes, 2);
	assert_int_equal(st.count[EXIT_REASON_EPT_VIOLATION], 2);
	assert_int_equal(st.count[EXIT_REASON_MONITOR_TRAP_FLAG], 2);
	hide_down();
}

/*
 * Without MTF (Bochs's skylake) the write cannot be single-stepped: the
 * leaf keeps the sink, writable; the VMM's page is unchanged, the write
 * counted, the guest runs on; later reads of that page give what the
 * guest wrote, never the VMM's memory.
 */
static void test_hide_write_no_mtf(void **state)
{
	struct mock_gpa_result r;
	uint8_t before[4096];
	uint64_t pt_pa = 0, root;

	(void)state;
	hide_up("skylake", FLANK_HIDE_EPT, false);
	hide_start();
	assert_false(vmm_ctx.ept.mtf);
	root = vmm_ctx.ept.eptp & EPTE_ADDR_MASK;
	/* A lower table: the one the root's first entry points at. */
	pt_pa = *(const uint64_t *)mock_mem_host(pa_init(root), 8) &
		EPTE_ADDR_MASK;
	memcpy(before, mock_mem_host(pa_init(pt_pa), 4096), 4096);
	access(pt_pa, MOCK_GPA_WRITE, 0x5555, &r);
	assert_true(r.completed);
	assert_int_equal(r.exits, 1);
	assert_false(r.mtf);
	assert_memory_equal(mock_mem_host(pa_init(pt_pa), 4096), before, 4096);
	assert_int_equal(vmm_ctx.cpu[0]->hidden_writes, 1);
	access(pt_pa, MOCK_GPA_READ, 0, &r);
	assert_int_equal(r.value, 0x5555);
	assert_int_equal(r.hpa, vmm_ctx.ept.sink_pa);
	access(pt_pa + 8, MOCK_GPA_WRITE, 1, &r);
	assert_int_equal(r.exits, 0);
	assert_memory_equal(mock_mem_host(pa_init(pt_pa), 4096), before, 4096);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_NONROOT);
	hide_down();
}

/*
 * A fetch from a hidden page is not a write: nothing is dropped or counted,
 * it is the unhandled EPT violation of any page no hook owns (the
 * diagnostic names the GPA, the CPU leaves VMX at the instruction).
 */
static void test_hide_fetch_unhandled(void **state)
{
	struct mock_gpa_result r;
	uint64_t root;
	char line[96];

	(void)state;
	hide_up("skylake", FLANK_HIDE_EPT, true);
	hide_start();
	root = vmm_ctx.ept.eptp & EPTE_ADDR_MASK;
	access(root, MOCK_GPA_FETCH, 0, &r);
	assert_false(r.completed);
	assert_int_equal(r.reason, EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(r.out.action, INTRIN_EXIT_LEAVE);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	assert_int_equal(vmm_ctx.cpu[0]->hidden_writes, 0);
	snprintf(line, sizeof(line), "instruction fetch of GPA 0x%llx",
		 (unsigned long long)root);
	assert_true(ring_has_text(line));
	assert_true(ring_has_text("EPT violation that no hook owns"));
	/* The CPU was given back: stop has nothing left to do on it. */
	hide_down();
}

/*
 * Rollback at every allocation of a start with hiding (map, zero and sink
 * pages, the tables that splitting takes): the Nth fails, start returns
 * VMM_ERR_NO_MEMORY, no page stays live, the CPU is untouched, and the
 * next start works.
 */
static void test_hide_rollback_every_alloc(void **state)
{
	unsigned n;
	uint32_t failed;

	(void)state;
	hide_up("skylake", FLANK_HIDE_EPT, false);
	hide_start();
	n = vmm_ctx.ept.pages;
	hide_down();
	assert_true(n > 3);
	for (unsigned k = 1; k <= n; k++) {
		hide_up("skylake", FLANK_HIDE_EPT, false);
		save_all();
		tp.fail_nth = tp.allocs + k; /* init took its pages */
		assert_int_equal(vmm_start_all(&failed), VMM_ERR_NO_MEMORY);
		assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
		assert_false(vmm_ctx.ept.enabled);
		assert_null(vmm_ctx.ept.list);
		assert_int_equal(vmm_ctx.ept.zero_pa, 0);
		assert_all_restored();
		tp.fail_nth = 0;
		hide_start();
		assert_int_equal(vmm_ctx.ept.pages, n);
		hide_down();
	}
}

/* A CPU without EPT (Penryn): hiding asks for nothing and takes nothing;
 * start allocates exactly what it does without it. */
static void test_hide_penryn_unchanged(void **state)
{
	unsigned allocs[2];
	uint32_t failed;

	(void)state;
	for (unsigned i = 0; i < 2; i++) {
		hide_up("core2_penryn", i == 0 ? 0 : FLANK_HIDE_EPT, false);
		assert_int_equal(vmm_start_all(&failed), VMM_OK);
		assert_false(vmm_ctx.ept.enabled);
		assert_int_equal(vmm_ctx.ept.hidden, 0);
		allocs[i] = tp.allocs;
		assert_false(ring_has_text("of the VMM hidden"));
		hide_down();
	}
	assert_int_equal(allocs[0], allocs[1]);
}

/* The walk of @p gpa maps itself, writable (not hidden). */
static void assert_visible(uint64_t gpa)
{
	struct mock_ept_walk w;

	mock_ept_walk(vmm_ctx.ept.eptp, gpa, MOCK_GPA_WRITE, false, false,
		      false, &w);
	assert_int_equal(w.verdict, MOCK_EPT_OK);
	assert_int_equal(w.hpa, gpa);
}

/* Every hidden page of CPU @p id. */
static void assert_cpu_hidden(unsigned id)
{
	const struct vmm_cpu *cpu = vmm_ctx.cpu[id];

	assert_non_null(cpu);
	assert_true(cpu->hidden);
	assert_hidden(pa_addr(cpu->vmxon_pa));
	assert_hidden(pa_addr(cpu->vmcs_pa));
	assert_hidden(pa_addr(cpu->msr_bitmap_pa));
	assert_hidden(pa_addr(cpu->stack_pa));
	/* The host's calls read the context page in VMX non-root. */
	assert_visible(pa_addr(cpu->self_pa));
}

/*
 * FLANK_HIDE_CPUS, 2 CPUs: each CPU's VMXON region, VMCS, MSR bitmap and
 * stack (page_alloc's here) read as zeros; CPU 0's guest writes to CPU 1's
 * VMCS and stack: dropped, the pages unchanged, counted on CPU 0, and CPU 1
 * still runs its guest (a CPUID exit). Stop frees every page.
 */
static void test_hide_cpus(void **state)
{
	struct mock_gpa_result r;
	struct mock_exit_outcome out;
	struct cpu_cpuid_regs regs;
	static uint8_t vmcs[4096], stack[4096];
	uint64_t vmcs1, stack1;

	(void)state;
	hide_up_n("skylake", 2, FLANK_HIDE_ALL, true);
	hide_start();
	assert_cpu_hidden(0);
	assert_cpu_hidden(1);
	assert_true(ring_has_text(
		"EPT: the pages of 2 CPUs hidden from the guest (8 pages)"));
	vmcs1 = pa_addr(vmm_ctx.cpu[1]->vmcs_pa);
	stack1 = pa_addr(vmm_ctx.cpu[1]->stack_pa);
	memcpy(vmcs, mock_mem_host(pa_init(vmcs1), 4096), 4096);
	memcpy(stack, mock_mem_host(pa_init(stack1), 4096), 4096);
	mock_set_current_cpu(0);
	access(vmcs1, MOCK_GPA_READ, 0, &r);
	assert_true(r.completed);
	assert_int_equal(r.value, 0);
	/* The VMCS region starts with the revision identifier. */
	assert_int_not_equal(*(const uint32_t *)(const void *)vmcs, 0);
	access(vmcs1, MOCK_GPA_WRITE, 0xdead, &r);
	assert_true(r.completed);
	access(stack1, MOCK_GPA_WRITE, 0xbeef, &r);
	assert_true(r.completed);
	assert_memory_equal(mock_mem_host(pa_init(vmcs1), 4096), vmcs, 4096);
	assert_memory_equal(mock_mem_host(pa_init(stack1), 4096), stack, 4096);
	assert_int_equal(vmm_ctx.cpu[0]->hidden_writes, 2);
	assert_int_equal(vmm_hide_drops(vmcs1), 1);
	assert_int_equal(vmm_hide_drops(stack1), 1);
	mock_set_current_cpu(1);
	assert_int_equal(mock_guest_cpuid(0, 0, &regs, &out), 0);
	assert_int_equal(out.action, INTRIN_EXIT_RESUME);
	assert_int_equal(mock_vmx_mode(1), MOCK_VMX_NONROOT);
	mock_set_current_cpu(0);
	hide_down();
}

/*
 * A CPU offline at start keeps the pages taken for it, hidden; when it
 * comes online it starts with them, stopping it (hotplug) keeps them, and
 * they go with the map at stop. A CPU whose start fails keeps its pages
 * until the rollback frees the map.
 */
static void test_hide_cpus_kept(void **state)
{
	struct vmm_cpu *cpu1;
	unsigned live;
	uint32_t failed;
	vmx_result_t fi = {VMX_FAIL_INVALID, 0};

	(void)state;
	hide_up_n("skylake", 2, FLANK_HIDE_ALL, false);
	tp.offline = 2;
	hide_start();
	assert_int_equal(mock_vmx_mode(1), MOCK_VMX_OUTSIDE);
	cpu1 = vmm_ctx.cpu[1];
	assert_cpu_hidden(1);
	assert_false(cpu1->running);
	live = tp.pages_live;
	tp.offline = 0;
	mock_set_current_cpu(1);
	assert_int_equal(vmm_start_cpu(), VMM_OK);
	assert_ptr_equal(vmm_ctx.cpu[1], cpu1);
	assert_true(cpu1->running);
	assert_int_equal(tp.pages_live, live);
	assert_int_equal(vmm_stop_cpu(), VMM_OK);
	assert_ptr_equal(vmm_ctx.cpu[1], cpu1);
	assert_cpu_hidden(1);
	assert_int_equal(tp.pages_live, live);
	assert_int_equal(vmm_start_cpu(), VMM_OK);
	mock_set_current_cpu(0);
	hide_down();

	/* CPU 1's VMXON fails: CPU 0 is rolled back, every page freed. */
	hide_up_n("skylake", 2, FLANK_HIDE_ALL, false);
	save_all();
	assert_int_equal(mock_fail_nth(MOCK_OP_VMXON, 2, fi), 0);
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_VMXON);
	assert_int_equal(failed, 1);
	assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
	assert_null(vmm_ctx.cpu[0]);
	assert_null(vmm_ctx.cpu[1]);
	assert_all_restored();
	mock_fail_clear();
	fixture_down();
}

/* Rollback at every allocation with the CPUs' pages hidden (2 CPUs): map,
 * zero and sink pages, both CPUs' pages, the tables their hiding splits. */
static void test_hide_cpus_rollback(void **state)
{
	unsigned n;
	uint32_t failed;

	(void)state;
	hide_up_n("skylake", 2, FLANK_HIDE_ALL, false);
	n = tp.allocs;
	hide_start();
	n = tp.allocs - n;
	hide_down();
	print_message("start with 2 CPUs hidden: %u allocations\n", n);
	for (unsigned k = 1; k <= n; k++) {
		hide_up_n("skylake", 2, FLANK_HIDE_ALL, false);
		save_all();
		tp.fail_nth = tp.allocs + k; /* init took its pages */
		assert_int_equal(vmm_start_all(&failed), VMM_ERR_NO_MEMORY);
		assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
		assert_null(vmm_ctx.ept.list);
		assert_null(vmm_ctx.cpu[0]);
		assert_null(vmm_ctx.cpu[1]);
		assert_all_restored();
		tp.fail_nth = 0;
		hide_start();
		hide_down();
	}
}

/* The host's stacks (flank_platform.host_stack), with or without their
 * physical addresses (host_stack_pa). */
static struct {
	_Alignas(4096) uint8_t mem[2][4096];
	uint64_t pa[2];
	bool bad; /* host_stack_pa answers an address that is no page. */
} hs;

static void *hs_host_stack(void *ctx, uint32_t cpu)
{
	(void)ctx;
	return cpu < 2 ? hs.mem[cpu] : NULL;
}

static uint64_t hs_host_stack_pa(void *ctx, uint32_t cpu)
{
	(void)ctx;
	return cpu < 2 ? hs.pa[cpu] + (hs.bad ? 8 : 0) : 0;
}

static void hs_up(bool with_pa)
{
	fixture_up("skylake", 2);
	assert_int_equal(vmm_fini(), VMM_OK);
	memset(&hs, 0, sizeof(hs));
	for (unsigned c = 0; c < 2; c++)
		hs.pa[c] = pa_addr(mock_mem_map(hs.mem[c], 4096));
	tp.p.hide = FLANK_HIDE_ALL;
	tp.p.host_stack = hs_host_stack;
	tp.p.host_stack_pa = with_pa ? hs_host_stack_pa : NULL;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	mock_msr_set(MOCK_ALL_CPUS, MTRRCAP, 0);
	mock_msr_set(MOCK_ALL_CPUS, MTRR_DEF_TYPE, 0x800 | 6);
}

/*
 * The host's stacks are hidden when the host says where they are
 * (host_stack_pa): a guest write to CPU 1's stack is dropped, the stack
 * unchanged; without host_stack_pa they stay in the identity map (one
 * page fewer per CPU hidden); an answer that is no page fails the start
 * with VMM_ERR_PAGE_ADDRESS and leaves nothing taken.
 */
static void test_hide_host_stacks(void **state)
{
	struct mock_gpa_result r;
	static uint8_t before[4096];
	uint32_t failed;

	(void)state;
	hs_up(true);
	hide_start();
	for (unsigned c = 0; c < 2; c++) {
		assert_cpu_hidden(c);
		assert_int_equal(pa_addr(vmm_ctx.cpu[c]->stack_pa), hs.pa[c]);
	}
	assert_true(ring_has_text(
		"EPT: the pages of 2 CPUs hidden from the guest (8 pages)"));
	memcpy(before, hs.mem[1], 4096);
	access(hs.pa[1] + 4000, MOCK_GPA_WRITE, 0x1234, &r);
	assert_true(r.completed);
	assert_memory_equal(hs.mem[1], before, 4096);
	assert_int_equal(vmm_ctx.cpu[0]->hidden_writes, 1);
	hide_down();

	hs_up(false);
	hide_start();
	assert_true(ring_has_text(
		"EPT: the pages of 2 CPUs hidden from the guest (6 pages)"));
	assert_visible(hs.pa[0]);
	assert_visible(hs.pa[1]);
	hide_down();

	hs_up(true);
	hs.bad = true;
	save_all();
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_PAGE_ADDRESS);
	assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
	assert_null(vmm_ctx.ept.list);
	assert_all_restored();
	fixture_down();
}

/* Counts the VMX instructions (VMREAD ... VMRESUME) traced. */
static unsigned vmx_ops(void)
{
	unsigned n = 0;

	for (size_t i = 0; i < mock_trace_len(); i++)
		if (mock_trace_at(i)->op <= MOCK_OP_VMCALL)
			n++;
	return n;
}

/* With hiding, CPUID and RDMSR exits cost what they cost without it
 * (test_ept_exit_cost): CPUID 6 + VMRESUME, RDMSR at most 6 + VMRESUME. */
static void test_hide_exit_cost(void **state)
{
	struct mock_exit_outcome out;
	struct cpu_cpuid_regs r;
	uint64_t v;

	(void)state;
	hide_up("skylake", FLANK_HIDE_EPT, true);
	hide_start();
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(mock_guest_cpuid(0, 0, &r, &out), 0);
	assert_int_equal(vmx_ops(), 6 + 1);
	mock_trace_clear();
	assert_int_equal(mock_guest_rdmsr(MSR_IA32_FEATURE_CONTROL, &v, &out),
			 0);
	assert_true(vmx_ops() <= 6 + 1);
	mock_trace_enable(false);
	hide_down();
}

/* ------------------------------------------------------------------ */
/* FLANK_HIDE_RING: the debug ring                                     */
/* ------------------------------------------------------------------ */

/* The ring in emulated memory: page aligned, 4 pages at ring_gpa. */
#define RING_BYTES (16u << 10)
static uint64_t ring_gpa;
static uint64_t ring_pa_bias; /* Added to every answer of ring_pa(). */

static uint64_t ring_pa(void *ctx, const void *va)
{
	(void)ctx;
	return ring_gpa + ((uintptr_t)va - (uintptr_t)tp.ring) + ring_pa_bias;
}

/* hide_up_n(), then init again with a ring the emulator maps. */
static void ring_up(unsigned ncpus, uint32_t hide,
		    uint64_t (*pa)(void *, const void *))
{
	hide_up_n("skylake", ncpus, hide, true);
	assert_int_equal(vmm_fini(), VMM_OK);
	free(tp.ring);
	tp.ring = NULL;
	assert_int_equal(posix_memalign(&tp.ring, 4096, RING_BYTES), 0);
	memset(tp.ring, 0xa5, RING_BYTES);
	tp.ring_size = RING_BYTES;
	tp.p.ring_mem = tp.ring;
	tp.p.ring_size = RING_BYTES;
	ring_gpa = pa_addr(mock_mem_map(tp.ring, RING_BYTES));
	ring_pa_bias = 0;
	tp.p.mem_pa = pa;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
}

/* Ring text through the image entry (hypercalls while CPUs run). */
static bool ring_entry_has(const char *needle)
{
	static char text[RING_BYTES * 2];
	uint64_t pos = 0;
	size_t n = 0, got;

	while (n < sizeof(text) - 1 &&
	       (got = flank_image_entry.ring_read(&pos, text + n,
						  sizeof(text) - 1 - n)) > 0)
		n += got;
	text[n] = '\0';
	return strstr(text, needle) != NULL;
}

/*
 * FLANK_HIDE_RING, 2 CPUs: each page of the ring reads as zeros; a guest
 * write to it is dropped (the ring's bytes unchanged); the ring still
 * works while the CPUs run, written and read only in VMX root (query.c):
 * the start's lines are in it, read through the image entry. After stop
 * the map is gone and the ring is the host's memory again.
 */
static void test_hide_ring(void **state)
{
	struct mock_gpa_result r;
	uint64_t word;

	(void)state;
	ring_up(2, FLANK_HIDE_ALL, ring_pa);
	hide_start();
	for (unsigned i = 0; i < RING_BYTES / 4096; i++)
		assert_hidden(ring_gpa + (uint64_t)i * 4096u);
	access(ring_gpa + 4096, MOCK_GPA_READ, 0, &r);
	assert_true(r.completed);
	assert_int_equal(r.value, 0);
	access(ring_gpa + 4096 + 64, MOCK_GPA_WRITE, 0x1122334455667788, &r);
	assert_true(r.completed);
	assert_int_equal(r.exits, 2);
	memcpy(&word, (uint8_t *)tp.ring + 4096 + 64, 8);
	assert_int_not_equal(word, 0x1122334455667788);
	assert_hidden(ring_gpa + 4096);
	assert_int_equal(vmm_hide_drops(ring_gpa + 4096), 1);
	assert_true(ring_entry_has(
		"EPT: the debug ring hidden from the guest (4 pages)"));
	assert_true(ring_entry_has("cpu 1: running under Flank"));
	assert_true(ring_entry_has("write to the VMM's hidden page at GPA"));
	hide_down_keep_ring();
}

/* Without mem_pa the ring stays visible; FLANK_HIDE_RING off likewise. */
static void test_hide_ring_visible(void **state)
{
	(void)state;
	ring_up(1, FLANK_HIDE_ALL, NULL);
	hide_start();
	assert_visible(ring_gpa);
	assert_false(ring_has_text("debug ring hidden"));
	hide_down_keep_ring();
	ring_up(1, FLANK_HIDE_EPT | FLANK_HIDE_CPUS, ring_pa);
	hide_start();
	assert_visible(ring_gpa + 4096);
	hide_down_keep_ring();
}

/* An address from mem_pa that cannot be a page fails the start with
 * VMM_ERR_PAGE_ADDRESS, nothing left taken; the next start works. */
static void test_hide_ring_bad_address(void **state)
{
	uint32_t failed;

	(void)state;
	ring_up(1, FLANK_HIDE_ALL, ring_pa);
	save_all();
	ring_pa_bias = 0x10;
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_PAGE_ADDRESS);
	assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
	assert_null(vmm_ctx.ept.list);
	assert_all_restored();
	ring_pa_bias = UINT64_C(1) << 60;
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_PAGE_ADDRESS);
	assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
	ring_pa_bias = 0;
	hide_start();
	assert_hidden(ring_gpa);
	hide_down_keep_ring();
}

/* Rollback at every allocation with the ring hidden too (2 CPUs). */
static void test_hide_ring_rollback(void **state)
{
	unsigned n;
	uint32_t failed;

	(void)state;
	ring_up(2, FLANK_HIDE_ALL, ring_pa);
	n = tp.allocs;
	hide_start();
	n = tp.allocs - n;
	hide_down_keep_ring();
	print_message("start with 2 CPUs and the ring hidden: %u "
		      "allocations\n",
		      n);
	for (unsigned k = 1; k <= n; k++) {
		ring_up(2, FLANK_HIDE_ALL, ring_pa);
		save_all();
		tp.fail_nth = tp.allocs + k;
		assert_int_equal(vmm_start_all(&failed), VMM_ERR_NO_MEMORY);
		assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
		assert_null(vmm_ctx.ept.list);
		assert_null(vmm_ctx.cpu[0]);
		assert_null(vmm_ctx.cpu[1]);
		assert_all_restored();
		tp.fail_nth = 0;
		hide_start();
		assert_hidden(ring_gpa);
		hide_down_keep_ring();
	}
}

/* ------------------------------------------------------------------ */
/* Review: page hooks on pages the map hides                          */
/* ------------------------------------------------------------------ */

static unsigned review_calls;

/* A page hook that always lets the access through. */
static enum vmm_hook_action review_allow(const struct vmm_page_hook_args *a)
{
	(void)a;
	review_calls++;
	return VMM_HOOK_ALLOW;
}

static _Alignas(4096) uint8_t review_shadow[4096];

/* The GPA the review tests hook; CPU 0's VMCS is put there. */
#define REVIEW_GPA UINT64_C(0x140003000)

/* The platform's page_alloc and page_free, wrapped: the allocation
 * number review_nth (counted from review_count = 0) gets REVIEW_GPA. */
static void *(*review_alloc_orig)(void *ctx, uint64_t *pa);
static void (*review_free_orig)(void *ctx, void *page);
static unsigned review_count, review_nth;
static uint64_t review_pas[64];
static void *review_page;

static void *review_alloc(void *ctx, uint64_t *pa)
{
	void *page;
	unsigned n = review_count++;

	if (n + 1u == review_nth) {
		assert_int_equal(posix_memalign(&review_page, 4096, 4096), 0);
		memset(review_page, 0, 4096);
		*pa = pa_addr(mock_mem_map_at(review_page, 4096,
					      pa_init(REVIEW_GPA)));
		assert_int_equal(*pa, REVIEW_GPA);
		return review_page;
	}
	page = review_alloc_orig(ctx, pa);
	if (page != NULL && n < 64)
		review_pas[n] = *pa;
	return page;
}

static void review_free(void *ctx, void *page)
{
	if (page != NULL && page == review_page) {
		mock_mem_unmap(page);
		free(page);
		review_page = NULL;
		return;
	}
	review_free_orig(ctx, page);
}

/*
 * Registers the review hook on REVIEW_GPA (split view or all of R, W, X),
 * then arranges for CPU 0's VMCS to be REVIEW_GPA: a start and stop with
 * the same hook tells which allocation the VMCS is; the next start gives
 * that one REVIEW_GPA (the test checks that it did).
 */
static void review_hook_vmcs0(bool shadow)
{
	review_alloc_orig = vmm_ctx.platform.page_alloc;
	review_free_orig = vmm_ctx.platform.page_free;
	vmm_ctx.platform.page_alloc = review_alloc;
	vmm_ctx.platform.page_free = review_free;
	assert_int_equal(
		shadow ? vmm_page_hook_shadow(REVIEW_GPA, review_shadow,
					      review_allow)
		       : vmm_page_hook_add(REVIEW_GPA,
					   VMM_PAGE_HOOK_R | VMM_PAGE_HOOK_W |
						   VMM_PAGE_HOOK_X,
					   review_allow),
		VMM_OK);
	review_count = 0;
	review_nth = 0;
	hide_start();
	for (unsigned i = 0; i < 64 && review_nth == 0; i++)
		if (review_pas[i] == pa_addr(vmm_ctx.cpu[0]->vmcs_pa))
			review_nth = i + 1u;
	assert_int_not_equal(review_nth, 0);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	review_count = 0;
}

/*
 * A split view registered on a GPA that turns out to be a VMM page (CPU
 * 0's VMCS, taken at init): hiding wins. A fetch of it on CPU 1 is the
 * unhandled violation of a hidden page (the hook is not called), and CPU
 * 0 then reads zeros, never the VMCS: without this a fetch switched the
 * leaf to the shadow view and the next read switched it to the real
 * page, read/write.
 */
static void test_hide_review_shadow_hook(void **state)
{
	struct mock_gpa_result r;
	uint64_t vmcs0;

	(void)state;
	hide_up_n("skylake", 2, FLANK_HIDE_ALL, true);
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	review_calls = 0;
	memset(review_shadow, 0x5C, sizeof(review_shadow));
	review_hook_vmcs0(true);
	vmcs0 = REVIEW_GPA;
	hide_start();
	assert_int_equal(pa_addr(vmm_ctx.cpu[0]->vmcs_pa), vmcs0);
	assert_hidden(vmcs0);
	mock_set_current_cpu(1);
	access(vmcs0, MOCK_GPA_FETCH, 0, &r);
	mock_set_current_cpu(0);
	access(vmcs0, MOCK_GPA_READ, 0, &r);
	assert_int_not_equal(r.hpa, vmcs0);
	assert_int_equal(r.value, 0);
	assert_int_equal(review_calls, 0);
	assert_hidden(vmcs0);
	assert_true(ring_has_text("page hook dropped: the page is the VMM's"));
	hide_down();
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
}

/*
 * An allow-once hook taking every permission away from a GPA that turns
 * out to be a VMM page (CPU 0's VMCS): the page is hidden all the same
 * (before, hiding skipped the leaf as not present, and the hook's answer
 * opened the real VMCS for one instruction); a read gives zeros without
 * an exit and the hook is never called.
 */
static void test_hide_review_rwx_hook(void **state)
{
	struct mock_gpa_result r;
	uint64_t vmcs0;

	(void)state;
	hide_up("skylake", FLANK_HIDE_ALL, true);
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	review_calls = 0;
	review_hook_vmcs0(false);
	vmcs0 = REVIEW_GPA;
	hide_start();
	assert_int_equal(pa_addr(vmm_ctx.cpu[0]->vmcs_pa), vmcs0);
	assert_hidden(vmcs0);
	access(vmcs0, MOCK_GPA_READ, 0, &r);
	assert_true(r.completed);
	assert_int_equal(r.exits, 0);
	assert_int_equal(r.value, 0);
	assert_int_equal(review_calls, 0);
	hide_down();
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
}

/*
 * Page hooks on the map's own zero and sink pages (test_hide_hook_*; the
 * review tests above cover a CPU's VMCS). A hook that took only X from
 * the zero page's identity leaf left it mapping the zero page, R and W,
 * no X: what a hidden leaf looked like to hiding, which then kept it, so
 * the guest could write the page every hidden page reads as (and the
 * sink's likewise). Hiding now treats only the zero page, R only, as
 * hidden: whatever the hook took and answers, the page reads as zeros
 * without an exit, a write is dropped with the page left zero, the hook
 * is never called, a fetch stops the CPU as on any hidden page.
 */
static struct {
	unsigned calls;
	enum vmm_hook_action answer;
} hh;

static enum vmm_hook_action hh_hook(const struct vmm_page_hook_args *a)
{
	(void)a;
	hh.calls++;
	return hh.answer;
}

static _Alignas(4096) uint8_t hh_shadow[4096];

/*
 * The platform's pages at known GPAs: the Nth page from page_alloc since
 * hh.k was reset lies at HH_BASE + N * 4 KiB (RAM: the MTRRs' default).
 */
#define HH_BASE UINT64_C(0x40000000)
static void *(*hh_alloc_next)(void *ctx, uint64_t *pa);
static unsigned hh_k;

static void *hh_alloc(void *ctx, uint64_t *pa)
{
	void *page = hh_alloc_next(ctx, pa);
	uint64_t at = HH_BASE + (uint64_t)hh_k++ * 4096u;

	if (page == NULL)
		return NULL;
	mock_mem_unmap(page);
	assert_int_equal(pa_addr(mock_mem_map_at(page, 4096, pa_init(at))), at);
	*pa = at;
	return page;
}

/*
 * Starts with FLANK_HIDE_ALL and notes which page_alloc call gave the
 * zero page (@p sink: the sink page); stops; hooks the 16 pages around
 * that call's GPA (@p remove, or a split view if 0) answering @p answer,
 * and starts again; returns in @p gpa the new zero (sink) page, which
 * must be one of them (with the hooks the map takes a few more pages).
 */
static void hh_up(uint32_t remove, enum vmm_hook_action answer, bool sink,
		  uint64_t *gpa)
{
	uint64_t first;
	unsigned ks, kv;
	uint32_t failed;

	hide_up_n("skylake", 1, FLANK_HIDE_ALL, true);
	assert_int_equal(vmm_fini(), VMM_OK);
	hh_alloc_next = tp.p.page_alloc;
	tp.p.page_alloc = hh_alloc;
	hh_k = 0;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	ks = hh_k;
	hide_start();
	kv = (unsigned)(((sink ? vmm_ctx.ept.sink_pa : vmm_ctx.ept.zero_pa) -
			 HH_BASE) /
			4096u);
	assert_true(kv >= ks);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	/* The second start's calls begin at hh_k. */
	first = HH_BASE + ((uint64_t)hh_k + (kv - ks) - 1u) * 4096u;
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	hh.calls = 0;
	hh.answer = answer;
	memset(hh_shadow, 0x5C, sizeof(hh_shadow));
	for (unsigned i = 0; i < VMM_PAGE_HOOKS_MAX; i++) {
		uint64_t at = first + (uint64_t)i * 4096u;

		assert_int_equal(
			remove != 0
				? vmm_page_hook_add(at, remove, hh_hook)
				: vmm_page_hook_shadow(at, hh_shadow, hh_hook),
			VMM_OK);
	}
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_true(vmm_ctx.ept.enabled);
	*gpa = sink ? vmm_ctx.ept.sink_pa : vmm_ctx.ept.zero_pa;
	assert_true(*gpa - first < VMM_PAGE_HOOKS_MAX * 4096u);
	assert_int_not_equal(*gpa, 0);
}

/*
 * The guest's accesses to the hooked hidden page @p gpa: reads give zeros
 * from the zero page without an exit, writes are dropped (the VMM's page
 * unchanged), a read after a fetch still gives zeros, the hook is never
 * called, and the fetch stops the CPU without reaching the page.
 */
static void hh_check(uint64_t gpa)
{
	static uint8_t before[4096];
	struct mock_gpa_result r;
	char line[96];

	memcpy(before, mock_mem_host(pa_init(gpa), 4096), 4096);
	assert_hidden(gpa);
	access(gpa, MOCK_GPA_READ, 0, &r);
	assert_true(r.completed);
	assert_int_equal(r.exits, 0);
	assert_int_equal(r.value, 0);
	assert_int_equal(r.hpa, vmm_ctx.ept.zero_pa);
	access(gpa, MOCK_GPA_WRITE, 0x4b4e414c46, &r);
	assert_true(r.completed);
	/* Into the sink (wiped at the MTF exit), never the zero page. */
	assert_int_equal(r.hpa & EPTE_ADDR_MASK, vmm_ctx.ept.sink_pa);
	assert_memory_equal(mock_mem_host(pa_init(gpa), 4096), before, 4096);
	assert_int_equal(vmm_ctx.cpu[0]->hidden_writes, 1);
	access(gpa, MOCK_GPA_READ, 0, &r);
	assert_true(r.completed);
	assert_int_equal(r.value, 0);
	assert_int_equal(hh.calls, 0);
	access(gpa, MOCK_GPA_FETCH, 0, &r);
	assert_false(r.completed);
	assert_int_equal(r.reason, EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(hh.calls, 0);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	assert_memory_equal(mock_mem_host(pa_init(gpa), 4096), before, 4096);
	snprintf(line, sizeof(line),
		 "EPT: GPA 0x%llx page hook dropped: the page is the VMM's",
		 (unsigned long long)gpa);
	assert_true(ring_has_text(line));
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	fixture_down();
}

/* Allow once on the zero page, with each permission a hook may take: X
 * (before: the zero page stayed writable, 'w.readable && !w.writable &&
 * !w.executable' failed), W and X, W, and R, W and X. */
static void test_hide_hook_zero_page(void **state)
{
	static const uint32_t removes[] = {
		VMM_PAGE_HOOK_X,
		VMM_PAGE_HOOK_W | VMM_PAGE_HOOK_X,
		VMM_PAGE_HOOK_W,
		VMM_PAGE_HOOK_R | VMM_PAGE_HOOK_W | VMM_PAGE_HOOK_X,
	};
	uint64_t gpa;

	(void)state;
	for (unsigned i = 0; i < sizeof(removes) / sizeof(removes[0]); i++) {
		hh_up(removes[i], VMM_HOOK_ALLOW, false, &gpa);
		hh_check(gpa);
	}
}

/* The sink page: X taken and allow once (before: the sink's own leaf
 * stayed on the sink, R and W, 'assert_hidden' failed), a deny and a #PF
 * answer. (A split view takes a copy page per hook before the sink is
 * taken, which moves the sink out of the hooked range here; the review
 * test covers a split view on a hidden page.) */
static void test_hide_hook_sink_page(void **state)
{
	uint64_t gpa;

	(void)state;
	hh_up(VMM_PAGE_HOOK_X, VMM_HOOK_ALLOW, true, &gpa);
	hh_check(gpa);
	hh_up(VMM_PAGE_HOOK_W | VMM_PAGE_HOOK_X, VMM_HOOK_DENY, true, &gpa);
	hh_check(gpa);
	hh_up(VMM_PAGE_HOOK_X, VMM_HOOK_PAGE_FAULT, true, &gpa);
	hh_check(gpa);
}

/*
 * A write to a hidden page made while delivering an event (the frame
 * pushed onto a stack page that is the VMM's): the write is dropped into
 * the sink as any other, the event the exit interrupted is injected again
 * with its exact fields (the emulator re-runs the access only for that
 * event; without the injection the external interrupt is lost, the model
 * violation EPT.event_lost), the MTF exit after its delivery closes the
 * sink, and RIP does not move. By an IRET that unblocked NMIs (exit
 * qualification bit 12), blocking by NMI is set again before resuming.
 */
static void test_hide_write_event_delivery(void **state)
{
	struct mock_gpa_access a;
	struct mock_gpa_result r;
	struct mock_cpu_regs regs;
	uint8_t before[4096];
	uint64_t root, rip, intr = 0, v = 0;
	bool written = false;

	(void)state;
	hide_up("skylake", FLANK_HIDE_EPT, true);
	hide_start();
	root = vmm_ctx.ept.eptp & EPTE_ADDR_MASK;
	memcpy(before, mock_mem_host(pa_init(root), 4096), 4096);
	mock_cpu_get_regs(0, &regs);
	regs.rflags |= X86_RFLAGS_IF;
	mock_cpu_set_regs(0, &regs);
	rip = mock_cpu_rip(0);
	memset(&a, 0, sizeof(a));
	a.gpa = root + 8;
	a.gla = UINT64_C(0xffff888000000000) + root + 8;
	a.size = 8;
	a.kind = MOCK_GPA_WRITE;
	a.len = 4;
	a.value = 0x1122334455667788;
	a.event = INTR_INFO_VALID | 0x20u;
	memset(&r, 0, sizeof(r));
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	for (size_t i = 0; i < mock_trace_len(); i++) {
		const struct mock_call *c = mock_trace_at(i);

		if (c->op == MOCK_OP_VMWRITE &&
		    c->arg[0] == VMCS_VM_ENTRY_INTR_INFO) {
			v = c->arg[1];
			written = true;
		}
	}
	mock_trace_enable(false);
	assert_false(r.event_lost);
	assert_true(written);
	assert_int_equal(v, INTR_INFO_VALID | 0x20u);
	assert_true(r.completed);
	assert_true(r.mtf);
	assert_int_equal(r.exits, 2);
	assert_int_equal(r.hpa, vmm_ctx.ept.sink_pa + 8);
	assert_memory_equal(mock_mem_host(pa_init(root), 4096), before, 4096);
	assert_hidden(root);
	assert_null(vmm_ctx.cpu[0]->hide_step);
	assert_int_equal(mock_cpu_rip(0), rip);

	/* An IRET's write: blocking by NMI set again. */
	a.event = 0;
	a.iret = true;
	assert_true(mock_vmcs_poke(0, VMCS_GUEST_INTERRUPTIBILITY_INFO,
				   INTERRUPTIBILITY_NMI));
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_true(r.qualification & BIT64(12));
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_INTERRUPTIBILITY_INFO, &intr));
	assert_int_equal(intr & INTERRUPTIBILITY_NMI, INTERRUPTIBILITY_NMI);
	assert_memory_equal(mock_mem_host(pa_init(root), 4096), before, 4096);
	hide_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hide_map),
		cmocka_unit_test(test_hide_off),
		cmocka_unit_test(test_hide_read_zeros),
		cmocka_unit_test(test_hide_write_dropped),
		cmocka_unit_test(test_hide_write_no_mtf),
		cmocka_unit_test(test_hide_fetch_unhandled),
		cmocka_unit_test(test_hide_rollback_every_alloc),
		cmocka_unit_test(test_hide_penryn_unchanged),
		cmocka_unit_test(test_hide_exit_cost),
		cmocka_unit_test(test_hide_cpus),
		cmocka_unit_test(test_hide_cpus_kept),
		cmocka_unit_test(test_hide_cpus_rollback),
		cmocka_unit_test(test_hide_host_stacks),
		cmocka_unit_test(test_hide_ring),
		cmocka_unit_test(test_hide_ring_visible),
		cmocka_unit_test(test_hide_ring_bad_address),
		cmocka_unit_test(test_hide_ring_rollback),
		cmocka_unit_test(test_hide_review_shadow_hook),
		cmocka_unit_test(test_hide_review_rwx_hook),
		cmocka_unit_test(test_hide_hook_zero_page),
		cmocka_unit_test(test_hide_hook_sink_page),
		cmocka_unit_test(test_hide_write_event_delivery),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
