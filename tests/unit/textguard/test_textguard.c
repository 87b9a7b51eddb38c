// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The kernel text guard on the emulated VT-x (docs/modules.md, "Worked
 * example: the kernel text guard"). The module's source is compiled into
 * this test, so its init runs as a constructor before main(), when a host
 * runs a loaded module's DT_INIT_ARRAY, and its init hook in vmm_init().
 * Each test builds a small kernel in the emulator's memory: page tables,
 * an IDT whose #GP and #PF gates point into one text page and LSTAR into
 * another, as Linux's .entry.text holds entry_SYSCALL_64 and the
 * exception entries.
 */
#include "flank/vmm_console.h"
#include "libvmm_fixture.h"
#include "textguard.h"

int flank_textguard_status(void);
uint32_t flank_textguard_pages(uint64_t *gpa, uint32_t max);
void flank_textguard_init(void);
void flank_textguard_fini(void);

/* The module's status as its constructor left it, before main(). */
static int status_at_start;

/* The kernel's memory: 4 tables, the IDT and two text pages, at 5 GiB
 * (RAM in the EPT map, MAXPHYADDR 39). */
#define BASE_PA UINT64_C(0x140000000)
#define PML4_PA (BASE_PA + 0x0000)
#define PDPT_PA (BASE_PA + 0x1000)
#define PD_PA (BASE_PA + 0x2000)
#define PT_PA (BASE_PA + 0x3000)
#define IDT_PA (BASE_PA + 0x4000)
#define TEXT1_PA (BASE_PA + 0x5000)
#define TEXT2_PA (BASE_PA + 0x6000)
#define PML5_PA (BASE_PA + 0x7000)
#define PAGES 8u

/* Kernel text at 0xffffffff81000000 (PML4 511, PDPT 510, PD 8). */
#define KTEXT UINT64_C(0xffffffff81000000)
#define TEXT1_GLA KTEXT
#define TEXT2_GLA (KTEXT + 0x1000)
#define IDT_GLA (KTEXT + 0x2000)
#define SYSCALL_ENTRY (TEXT1_GLA + 0x80)
#define GP_ENTRY (TEXT2_GLA + 0x9c0)
#define PF_ENTRY (TEXT2_GLA + 0xa40)
/* A writable alias of TEXT1 elsewhere (vmap), as an attacker makes. */
#define ALIAS_GLA UINT64_C(0xffffc90000123000)

#define P_RW UINT64_C(0x3)

static _Alignas(4096) uint8_t mem[PAGES * 4096u];

static uint64_t *table(uint64_t pa)
{
	return (uint64_t *)(void *)(mem + (pa - BASE_PA));
}

/* An interrupt gate of vector @p vec to @p handler (SDM Vol. 3A 6.14.1). */
static void gate(unsigned vec, uint64_t handler, bool present)
{
	uint8_t *g = mem + (IDT_PA - BASE_PA) + (size_t)vec * 16u;

	memset(g, 0, 16);
	g[0] = (uint8_t)handler;
	g[1] = (uint8_t)(handler >> 8);
	g[2] = 0x10; /* __KERNEL_CS */
	g[5] = (uint8_t)(0x0e | (present ? 0x80 : 0));
	g[6] = (uint8_t)(handler >> 16);
	g[7] = (uint8_t)(handler >> 24);
	for (unsigned i = 0; i < 4; i++)
		g[8 + i] = (uint8_t)(handler >> (32 + 8 * i));
}

/*
 * The emulator with the kernel above on CPU 0 (CR3, IDTR, LSTAR), simple
 * MTRRs (all WB) and the test platform: everything vmm_init() needs,
 * before it. @p pf_present: the #PF gate's P bit.
 */
static void kernel_machine(bool pf_present)
{
	struct mock_cpu_regs regs;

	fixture_reset();
	assert_int_equal(mock_init("skylake", 1), 0);
	mock_set_exception_handler(fixture_exception);
	mock_set_exit_handlers(vmm_exit_handler, vmm_exit_resume_failed);
	memset(mem, 0, sizeof(mem));
	table(PML4_PA)[511] = PDPT_PA | P_RW;
	table(PDPT_PA)[510] = PD_PA | P_RW;
	table(PD_PA)[8] = PT_PA | P_RW;
	table(PT_PA)[0] = TEXT1_PA | 0x1; /* text: read-only */
	table(PT_PA)[1] = TEXT2_PA | 0x1;
	table(PT_PA)[2] = IDT_PA | 0x1;
	memset(mem + (TEXT1_PA - BASE_PA), 0xcc, 4096); /* INT3 */
	memset(mem + (TEXT2_PA - BASE_PA), 0xcc, 4096);
	gate(13, GP_ENTRY, true);
	gate(14, PF_ENTRY, pf_present);
	assert_true(pa_addr(mock_mem_map_at(mem, sizeof(mem),
					    pa_init(BASE_PA))) == BASE_PA);
	mock_cpu_get_regs(0, &regs);
	regs.cr3 = PML4_PA;
	regs.idtr.base = IDT_GLA;
	regs.idtr.limit = 256 * 16 - 1;
	mock_cpu_set_regs(0, &regs);
	mock_msr_set(0, TEXTGUARD_MSR, SYSCALL_ENTRY);
	mock_msr_set(MOCK_ALL_CPUS, 0xFEu, 0);	    /* MTRRCAP: no ranges */
	mock_msr_set(MOCK_ALL_CPUS, 0x2FFu, 0x806); /* enabled, WB */
	test_platform_init(&tp);
}

static void down(void)
{
	if (vmm_state() == FLANK_STATE_RUNNING)
		assert_int_equal(vmm_stop_all(), VMM_OK);
	/* Unmapped here: mock_mem_reset() reads a multi-page mapping it
	 * has freed already (a mock bug outside this test's scope). */
	mock_mem_unmap(mem);
	fixture_down();
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

static enum vmm_hook_action other_page(const struct vmm_page_hook_args *a)
{
	(void)a;
	return VMM_HOOK_ALLOW;
}

static enum vmm_hook_action other_msr(struct vmm_msr_hook_args *a)
{
	(void)a;
	return VMM_HOOK_ALLOW;
}

static int other_init_hook(void)
{
	return VMM_OK;
}

/* True if page @p gpa carries a page hook (another can not be added). */
static bool page_hooked(uint64_t gpa)
{
	int st = vmm_page_hook_add(gpa, VMM_PAGE_HOOK_W, other_page);

	if (st == VMM_OK)
		assert_int_equal(vmm_page_hook_remove(gpa, other_page), VMM_OK);
	else
		assert_int_equal(st, VMM_ERR_HOOK_OVERLAP);
	return st != VMM_OK;
}

/*
 * The module's init (before main(), before any vmm_init()) hooked LSTAR's
 * writes and registered its init hook: both slots are taken.
 */
static void test_textguard_registered_at_init(void **state)
{
	(void)state;
	assert_int_equal(status_at_start, VMM_OK);
	assert_int_equal(vmm_msr_hook_add(TEXTGUARD_MSR, 1, VMM_MSR_HOOK_WRITE,
					  other_msr),
			 VMM_ERR_HOOK_OVERLAP);
	assert_int_equal(vmm_init_hook_set(other_init_hook),
			 VMM_ERR_EXTENSION_BUSY);
}

/*
 * At vmm_init() the guard reads LSTAR and the IDT's #GP and #PF gates of
 * the loading CPU, walks its page tables and write-protects the two pages
 * they lie in (the two handlers share one); the ring names each page with
 * what it holds. The IDT's own page is not hooked.
 */
static void test_textguard_finds_pages(void **state)
{
	uint64_t gpa[4] = {0, 0, 0, 0};

	(void)state;
	kernel_machine(true);
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_int_equal(flank_textguard_status(), VMM_OK);
	assert_int_equal(flank_textguard_pages(gpa, 4), 2);
	assert_true(gpa[0] == TEXT1_PA);
	assert_true(gpa[1] == TEXT2_PA);
	assert_true(page_hooked(TEXT1_PA));
	assert_true(page_hooked(TEXT2_PA));
	assert_false(page_hooked(IDT_PA));
	assert_true(ring_has(TEXTGUARD_GUARD_LINE " 0x140005000: the SYSCALL "
						  "entry (IA32_LSTAR) at "
						  "0xffffffff81000080"));
	assert_true(ring_has(TEXTGUARD_GUARD_LINE " 0x140006000: the #GP "
						  "handler (IDT vector 13) at "
						  "0xffffffff810019c0"));
	assert_true(ring_has("textguard: the #PF handler (IDT vector 14) at "
			     "0xffffffff81001a40: GPA 0x140006000, already "
			     "write-protected"));
	assert_true(test_platform_log_has(&tp, TEXTGUARD_GUARD_LINE));
	down();
}

/*
 * A write to a guarded page through a writable alias, with the guard
 * started: the EPT violation reaches the guard, which refuses it: #GP(0)
 * at the writing instruction (RIP unchanged), the byte unchanged, a ring
 * line naming the GPA, the alias's GLA, RIP and CPU. Reads of the page and
 * writes to an unguarded page (the IDT's) do not exit.
 */
static void test_textguard_refuses_text_write(void **state)
{
	struct mock_gpa_access a;
	struct mock_gpa_result r;
	uint64_t rip = 0, rip2 = 0;
	char line[160];

	(void)state;
	kernel_machine(true);
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_int_equal(vmm_start_all(NULL), VMM_OK);
	assert_true(vmm_ctx.ept.enabled);
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_RIP, &rip));

	memset(&a, 0, sizeof(a));
	a.gpa = TEXT1_PA + 0x80;
	a.gla = ALIAS_GLA + 0x80;
	a.size = 1;
	a.kind = MOCK_GPA_WRITE;
	a.len = 3;
	a.value = 0x90; /* NOP over the entry's first byte */
	memset(&r, 0, sizeof(r));
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_false(r.completed);
	assert_int_equal(r.reason, EXIT_REASON_EPT_VIOLATION);
	assert_true(r.out.injected);
	assert_int_equal(r.out.injected_info & 0xFFu, X86_VEC_GP);
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_RIP, &rip2));
	assert_true(rip2 == rip);
	assert_int_equal(mem[TEXT1_PA - BASE_PA + 0x80], 0xcc);
	snprintf(line, sizeof(line),
		 TEXTGUARD_PAGE_LINE " 0x140005080 (GLA 0xffffc90000123080) "
				     "at RIP 0x%llx on CPU 0",
		 (unsigned long long)rip);
	assert_true(ring_has(line));

	/* Reading the page does not exit; nor writing the IDT's page. */
	a.kind = MOCK_GPA_READ;
	memset(&r, 0, sizeof(r));
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_true(r.completed);
	assert_int_equal(r.exits, 0);
	assert_int_equal(r.value & 0xFF, 0xcc);
	a.kind = MOCK_GPA_WRITE;
	a.gpa = IDT_PA + 0x800;
	a.gla = IDT_GLA + 0x800;
	memset(&r, 0, sizeof(r));
	assert_int_equal(mock_guest_gpa_access(&a, &r), 0);
	assert_true(r.completed);
	assert_int_equal(r.exits, 0);
	assert_int_equal(mem[IDT_PA - BASE_PA + 0x800], 0x90);
	down();
}

/*
 * LSTAR: a guest WRMSR gets #GP(0) with RIP at the WRMSR, LSTAR keeps the
 * kernel's entry, the ring has the refusal with the value; RDMSR of LSTAR
 * passes through without an exit.
 */
static void test_textguard_lstar(void **state)
{
	struct mock_exit_outcome out;
	uint64_t v = 0;

	(void)state;
	kernel_machine(true);
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_int_equal(vmm_start_all(NULL), VMM_OK);
	assert_int_equal(mock_guest_wrmsr(TEXTGUARD_MSR,
					  UINT64_C(0xffffffffc0ffee00), &out),
			 0);
	assert_int_equal(out.action, INTRIN_EXIT_RESUME);
	assert_true(out.injected);
	assert_int_equal(out.injected_info & INTR_INFO_VECTOR_MASK, X86_VEC_GP);
	assert_true(out.rip_after == out.rip_before);
	assert_true(mock_msr_get(0, TEXTGUARD_MSR, &v));
	assert_true(v == SYSCALL_ENTRY);
	assert_true(ring_has(TEXTGUARD_LSTAR_LINE " <- 0xffffffffc0ffee00 "
						  "at RIP 0x"));
	assert_int_equal(mock_guest_rdmsr(TEXTGUARD_MSR, &v, &out), -1);
	assert_true(v == SYSCALL_ENTRY);
	down();
}

/*
 * Fail closed: when a target cannot be found (the #PF gate not present),
 * the guard takes back the pages it had hooked and refuses the init with
 * the walk's status; the host's log says which target. The next init
 * with a whole IDT guards again.
 */
static void test_textguard_fail_closed(void **state)
{
	uint64_t gpa[4];

	(void)state;
	kernel_machine(false);
	assert_int_equal(vmm_init(&tp.p), VMM_ERR_GUEST_NOT_PRESENT);
	assert_int_equal(vmm_state(), FLANK_STATE_UNLOADED);
	assert_int_equal(flank_textguard_status(), VMM_ERR_GUEST_NOT_PRESENT);
	assert_int_equal(flank_textguard_pages(gpa, 4), 0);
	assert_false(page_hooked(TEXT1_PA));
	assert_false(page_hooked(TEXT2_PA));
	assert_true(test_platform_log_has(
		&tp, "textguard: the #PF handler (IDT vector 14): not found or "
		     "not hooked (status 52): nothing guarded"));
	gate(14, PF_ENTRY, true);
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_int_equal(flank_textguard_pages(gpa, 4), 2);
	down();
}

/*
 * Each init finds the pages again (KASLR: another boot, another place):
 * after LSTAR moved to the second page, a new init guards only that one
 * and the first page's hook is gone. The module's fini takes everything
 * back (LSTAR, the init hook, the pages), its init registers again.
 */
static void test_textguard_reinit_and_fini(void **state)
{
	uint64_t gpa[4];

	(void)state;
	kernel_machine(true);
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_int_equal(flank_textguard_pages(gpa, 4), 2);
	assert_int_equal(vmm_fini(), VMM_OK);
	mock_msr_set(0, TEXTGUARD_MSR, TEXT2_GLA + 0x40);
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_int_equal(flank_textguard_pages(gpa, 4), 1);
	assert_true(gpa[0] == TEXT2_PA);
	assert_false(page_hooked(TEXT1_PA));
	assert_true(page_hooked(TEXT2_PA));

	flank_textguard_fini();
	assert_int_equal(flank_textguard_status(), VMM_OK);
	assert_int_equal(flank_textguard_pages(gpa, 4), 0);
	assert_false(page_hooked(TEXT2_PA));
	assert_int_equal(vmm_msr_hook_add(TEXTGUARD_MSR, 1, VMM_MSR_HOOK_WRITE,
					  other_msr),
			 VMM_OK);
	assert_int_equal(vmm_msr_hook_remove(TEXTGUARD_MSR, other_msr), VMM_OK);
	assert_int_equal(vmm_init_hook_set(other_init_hook), VMM_OK);
	assert_int_equal(vmm_init_hook_remove(other_init_hook), VMM_OK);
	flank_textguard_init();
	assert_int_equal(flank_textguard_status(), VMM_OK);
	down();
}

/*
 * The kernel as Linux maps it: its text in a 2 MiB page, and 5-level
 * paging (CR4.LA57, CR3 pointing at a PML5 whose last entry leads to the
 * same PML4). The guard follows both: the pages it hooks are the 4 KiB
 * pages of the 2 MiB page that hold the three addresses.
 */
static void test_textguard_large_page_la57(void **state)
{
	struct mock_cpu_regs regs;
	uint64_t gpa[4] = {0, 0, 0, 0};
	const uint64_t big = UINT64_C(0x180000000); /* 6 GiB, 2 MiB aligned */

	(void)state;
	kernel_machine(true);
	table(PML5_PA)[511] = PML4_PA | P_RW;
	/* The text's 2 MiB page (PD 8); the IDT moves to PD 9's table. */
	table(PD_PA)[8] = big | 0x1 | BIT64(7);
	table(PD_PA)[9] = PT_PA | P_RW;
	mock_cpu_get_regs(0, &regs);
	regs.cr3 = PML5_PA;
	regs.cr4 |= X86_CR4_LA57;
	regs.idtr.base = IDT_GLA + 0x200000;
	mock_cpu_set_regs(0, &regs);
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	assert_int_equal(flank_textguard_pages(gpa, 4), 2);
	assert_true(gpa[0] == big);
	assert_true(gpa[1] == big + 0x1000);
	assert_true(ring_has(TEXTGUARD_GUARD_LINE " 0x180001000: the #GP "
						  "handler (IDT vector 13)"));
	/* Without LA57 the same CR3 is read as a PML4: nothing there. */
	assert_int_equal(vmm_fini(), VMM_OK);
	regs.cr4 &= ~X86_CR4_LA57;
	mock_cpu_set_regs(0, &regs);
	assert_int_equal(vmm_init(&tp.p), VMM_ERR_GUEST_NOT_PRESENT);
	down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_textguard_registered_at_init),
		cmocka_unit_test(test_textguard_finds_pages),
		cmocka_unit_test(test_textguard_refuses_text_write),
		cmocka_unit_test(test_textguard_lstar),
		cmocka_unit_test(test_textguard_fail_closed),
		cmocka_unit_test(test_textguard_reinit_and_fini),
		cmocka_unit_test(test_textguard_large_page_la57),
	};

	/* The shared fixture's fixture_up() is not used: vmm_init() runs
	 * the guard, which needs the kernel_machine() first. */
	(void)fixture_up;
	status_at_start = flank_textguard_status();
	return FLANK_RUN_TESTS(tests);
}
