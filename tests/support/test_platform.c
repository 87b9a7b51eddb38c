// SPDX-License-Identifier: GPL-2.0-or-later
/* The test platform: see test_platform.h. */
#include "test_platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flank/mock.h"
#include "flank/vmm_console.h"

#define PAGE 4096u
#define MAX_PAGES 4096u

/*
 * Pages handed out, so that fini can unmap leftovers and free checks that
 * the VMM frees only its own: a hash set (open addressing, linear probing,
 * at most half full), so that allocating and freeing stay O(1) whatever
 * the number of CPUs. A scan of an array for a free slot and for the page
 * to free made a start on N CPUs quadratic (issue 14).
 */
#define LIVE_SLOTS (2u * MAX_PAGES) /* A power of two. */
static void *live[LIVE_SLOTS];
static void *gdt_copy[MOCK_MAX_CPUS];

/* Home slot of @p page (Fibonacci hashing of the page number). */
static size_t live_home(const void *page)
{
	uint64_t h = (uint64_t)((uintptr_t)page / PAGE) *
		     UINT64_C(0x9E3779B97F4A7C15);
	return (size_t)(h >> 32) & (LIVE_SLOTS - 1u);
}

static void live_add(void *page)
{
	size_t i = live_home(page);

	while (live[i] != NULL)
		i = (i + 1u) & (LIVE_SLOTS - 1u);
	live[i] = page;
}

/* Removes @p page; false if it is not in the set. */
static bool live_remove(const void *page)
{
	size_t i = live_home(page), j;

	while (live[i] != page) {
		if (live[i] == NULL)
			return false;
		i = (i + 1u) & (LIVE_SLOTS - 1u);
	}
	/* Backward-shift deletion: move up every later entry of the probe
	 * run whose home slot does not lie cyclically in (i, j]. */
	for (j = (i + 1u) & (LIVE_SLOTS - 1u); live[j] != NULL;
	     j = (j + 1u) & (LIVE_SLOTS - 1u)) {
		size_t k = live_home(live[j]);
		bool stays = i <= j ? (i < k && k <= j) : (i < k || k <= j);

		if (!stays) {
			live[i] = live[j];
			i = j;
		}
	}
	live[i] = NULL;
	return true;
}

static void *tp_page_alloc(void *ctx, uint64_t *pa)
{
	struct test_platform *tp = ctx;
	void *page = NULL;

	tp->allocs++;
	if (tp->fail_nth != 0 && tp->allocs == tp->fail_nth)
		return NULL;
	if (tp->pages_live >= MAX_PAGES)
		abort(); /* More than the tests budget: a leak in a loop. */
	if (posix_memalign(&page, PAGE, PAGE) != 0)
		return NULL;
	memset(page, 0, PAGE);
	*pa = pa_addr(mock_mem_map(page, PAGE));
	live_add(page);
	tp->pages_live++;
	if (tp->pages_live > tp->pages_peak)
		tp->pages_peak = tp->pages_live;
	return page;
}

static void tp_page_free(void *ctx, void *page)
{
	struct test_platform *tp = ctx;

	if (!live_remove(page))
		abort(); /* Freeing a page the platform never gave out. */
	mock_mem_unmap(page);
	free(page);
	tp->pages_live--;
}

static uint32_t tp_cpu_count(void *ctx)
{
	(void)ctx;
	return mock_cpu_count();
}

static uint32_t tp_cpu_id(void *ctx)
{
	(void)ctx;
	return mock_current_cpu();
}

static int tp_run_on_cpu(void *ctx, uint32_t cpu, int (*fn)(void *), void *arg)
{
	struct test_platform *tp = ctx;
	unsigned prev = mock_current_cpu();
	struct mock_cpu_regs regs;
	uint64_t irq;
	int rc;

	if (cpu >= mock_cpu_count() || (cpu < 64 && (tp->offline >> cpu) & 1))
		return -1;
	/* The contract: fn runs with interrupts disabled (local_irq_save). */
	mock_cpu_get_regs(cpu, &regs);
	irq = regs.rflags & X86_RFLAGS_IF;
	regs.rflags &= ~X86_RFLAGS_IF;
	mock_cpu_set_regs(cpu, &regs);
	mock_set_current_cpu(cpu);
	rc = fn(arg);
	mock_set_current_cpu(prev);
	mock_cpu_get_regs(cpu, &regs);
	regs.rflags |= irq;
	mock_cpu_set_regs(cpu, &regs);
	return rc;
}

/*
 * The host's log is the kernel's printk: console drivers and their locks.
 * An exit handler runs in VMX root on the VMM's small stack, possibly
 * while the interrupted guest holds those very locks, so libvmm must never
 * reach the log from there: only the debug ring, which the driver drains
 * afterwards (docs/debugging.md). A call from inside an exit handler ends
 * the test at once, whatever test it is.
 */
static void tp_log(void *ctx, enum flank_log_level level, const char *line)
{
	struct test_platform *tp = ctx;

	(void)level;
	if (mock_in_exit_handler(mock_current_cpu())) {
		fprintf(stderr,
			"test platform: log called from inside an exit "
			"handler on cpu %u (VMX root): \"%s\"\n",
			mock_current_cpu(), line);
		abort();
	}
	if (tp->log_count < TEST_PLATFORM_LOG_LINES) {
		strncpy(tp->log[tp->log_count], line, sizeof(tp->log[0]) - 1);
		tp->log_count++;
	}
}

static void tp_cpu_left(void *ctx, uint32_t cpu)
{
	struct test_platform *tp = ctx;

	if (cpu >= TEST_PLATFORM_MAX_CPUS || cpu != tp_cpu_id(ctx) ||
	    mock_vmx_mode(cpu) != MOCK_VMX_OUTSIDE)
		tp->cpu_left_wrong++;
	else
		tp->cpu_left[cpu]++;
}

/*
 * flank_platform.phys_copy on the emulator's physical memory: only what
 * mock_mem_map() made visible, as the driver only touches RAM in the
 * direct map; anything else is refused (counted). A call that crosses a
 * page breaks the contract and is counted in phys_wrong.
 */
static int tp_phys_copy(void *ctx, uint64_t pa, void *buf, uint32_t len,
			uint32_t write)
{
	struct test_platform *tp = ctx;
	void *host;

	tp->phys_calls++;
	if (len == 0 || (pa & (PAGE - 1)) + len > PAGE || write > 1) {
		tp->phys_wrong++;
		return -1;
	}
	host = mock_mem_host(pa_init(pa), len);
	if (host == NULL) {
		tp->phys_refused++;
		return -1;
	}
	if (write)
		memcpy(host, buf, len);
	else
		memcpy(buf, host, len);
	return 0;
}

void test_platform_set_ring(struct test_platform *tp, size_t size)
{
	free(tp->ring);
	tp->ring = NULL;
	if (posix_memalign(&tp->ring, 64, size ? size : 1) != 0)
		abort();
	memset(tp->ring, 0xa5, size);
	tp->ring_size = size;
	tp->p.ring_mem = tp->ring;
	tp->p.ring_size = size;
}

void test_platform_init(struct test_platform *tp)
{
	memset(tp, 0, sizeof(*tp));
	memset(live, 0, sizeof(live));
	tp->p.abi_version = FLANK_IMAGE_ABI_VERSION;
	tp->p.size = sizeof(tp->p);
	tp->p.ctx = tp;
	tp->p.page_alloc = tp_page_alloc;
	tp->p.page_free = tp_page_free;
	tp->p.cpu_count = tp_cpu_count;
	tp->p.cpu_id = tp_cpu_id;
	tp->p.run_on_cpu = tp_run_on_cpu;
	tp->p.host_cr3 = TEST_PLATFORM_HOST_CR3;
	tp->p.log = tp_log;
	tp->p.cpu_left = tp_cpu_left;
	tp->p.phys_copy = tp_phys_copy;
	test_platform_set_ring(tp, FLANK_RING_DEFAULT_SIZE);

	for (unsigned c = 0; c < mock_cpu_count(); c++) {
		struct mock_cpu_regs regs;
		uint64_t *gdt = NULL;

		if (posix_memalign((void **)&gdt, PAGE, PAGE) != 0)
			abort();
		memset(gdt, 0, PAGE);
		for (unsigned i = 0; i < MOCK_GDT_SIZE; i++)
			gdt[i] = mock_gdt_get(c, i);
		gdt_copy[c] = gdt;
		mock_cpu_get_regs(c, &regs);
		regs.gdtr.base = (uint64_t)(uintptr_t)gdt;
		mock_cpu_set_regs(c, &regs);
	}
}

unsigned test_platform_fini(struct test_platform *tp)
{
	uintptr_t held = (uintptr_t)vmm_console_ring();
	uintptr_t base = (uintptr_t)tp->ring;
	unsigned leaked = tp->pages_live;

	for (unsigned i = 0; i < LIVE_SLOTS; i++) {
		if (live[i] != NULL) {
			mock_mem_unmap(live[i]);
			free(live[i]);
			live[i] = NULL;
		}
	}
	for (unsigned c = 0; c < MOCK_MAX_CPUS; c++) {
		free(gdt_copy[c]);
		gdt_copy[c] = NULL;
	}
	/*
	 * The driver leaks the ring with a CORRUPT image; a test frees it,
	 * so the console must not keep writing there.
	 */
	if (tp->ring != NULL && held >= base && held - base < tp->ring_size)
		vmm_console_detach();
	free(tp->ring);
	tp->ring = NULL;
	tp->ring_size = 0;
	return leaked;
}

bool test_platform_log_has(const struct test_platform *tp, const char *needle)
{
	for (unsigned i = 0; i < tp->log_count; i++)
		if (strstr(tp->log[i], needle) != NULL)
			return true;
	return false;
}

void test_guest_enter_ring3(unsigned cpu, struct mock_cpu_regs *saved)
{
	struct mock_cpu_regs r;

	mock_cpu_get_regs(cpu, saved);
	r = *saved;
	r.seg[MOCK_SEG_CS].selector = 0x33;
	r.seg[MOCK_SEG_CS].ar = 0xA0FB;
	r.seg[MOCK_SEG_SS].selector = 0x2b;
	r.seg[MOCK_SEG_SS].ar = 0xC0F3;
	mock_cpu_set_regs(cpu, &r);
	mock_guest_set_cpl(cpu, 3);
}

void test_guest_leave_ring3(unsigned cpu, const struct mock_cpu_regs *saved)
{
	mock_cpu_set_regs(cpu, saved);
	mock_guest_set_cpl(cpu, 0);
}
