// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The host's calls that read the VMM's own pages (libvmm/src/query.c,
 * issue #18 section 3): from a CPU under Flank, cpu_status, exit_stats,
 * ring_read and the ring line of a log call are hypercalls answered in
 * VMX root (one VMCALL exit each, the answer as a direct read gives it);
 * outside VMX the same entries read directly, without any VMCALL (which
 * would be #UD there: the emulator's exception fails the test). Hostile
 * hypercall arguments, a CPU the VMM gave back while the others run, and
 * init's rollback when the answer page cannot be had.
 */
#include "libvmm_fixture.h"

#include "flank/vmm_console.h"
#include "flank/vmm_hypercall.h"

/* VMCALL exits CPU @p id took, as its context page counts them. */
static uint64_t vmcalls(unsigned id)
{
	return vmm_ctx.cpu[id]->exit_count[EXIT_REASON_VMCALL];
}

/* Ring text from the start, through the image entry. */
static size_t ring_text(char *text, size_t size)
{
	uint64_t pos = 0;
	size_t n = 0, got;

	while (n < size - 1 && (got = flank_image_entry.ring_read(
					&pos, text + n, size - 1 - n)) > 0)
		n += got;
	text[n] = '\0';
	return n;
}

/*
 * Two CPUs under Flank, the calls made on CPU 0: each is one VMCALL exit
 * of CPU 0 and answers what a direct read in VMX root gives; the start's
 * ring lines ("cpu 1: running under Flank", written by the controlling
 * thread on CPU 0, a guest by then) went in through the ring hypercall.
 */
static void test_query_running_hypercalls(void **state)
{
	struct flank_cpu_status s, want_s;
	static struct flank_exit_stats x, want_x;
	static char text[1u << 16], direct[1u << 16];
	struct cpu_cpuid_regs r;
	struct mock_exit_outcome out;
	uint32_t failed;
	uint64_t pos = 0, before;

	(void)state;
	fixture_up("skylake", 2);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(mock_current_cpu(), 0);
	assert_true(vmm_guest_cpu(0) && vmm_guest_cpu(1));
	/* Both CPUs' lines were logged from CPU 0 as a guest (CPU 0's own
	 * after its launch, CPU 1's after its start). */
	assert_int_equal(vmcalls(0), 2);
	mock_set_current_cpu(1);
	assert_int_equal(mock_guest_cpuid(0, 0, &r, &out), 0);
	mock_set_current_cpu(0);

	before = vmcalls(0);
	assert_int_equal(flank_image_entry.cpu_status(1, &s), VMM_OK);
	assert_int_equal(vmcalls(0), before + 1);
	assert_int_equal(vmm_cpu_status_here(1, &want_s), VMM_OK);
	assert_memory_equal(&s, &want_s, sizeof(s));
	assert_int_equal(s.running, 1);
	assert_int_equal(s.exits, 1);

	before = vmcalls(0);
	assert_int_equal(flank_image_entry.exit_stats(0, &x), VMM_OK);
	assert_int_equal(vmcalls(0), before + 1);
	/* The answer was taken in the exit that counted it. */
	assert_int_equal(vmm_exit_stats_here(0, &want_x), VMM_OK);
	assert_memory_equal(&x, &want_x, sizeof(x));
	assert_int_equal(x.count[EXIT_REASON_VMCALL], before + 1);

	before = vmcalls(0);
	assert_true(ring_text(text, sizeof(text)) > 0);
	assert_true(vmcalls(0) > before);
	assert_non_null(strstr(text, "cpu 0: running under Flank"));
	assert_non_null(strstr(text, "cpu 1: running under Flank"));
	/* The same text as the ring holds, read directly. */
	direct[vmm_console_ring_read(&pos, direct, sizeof(direct) - 1)] = '\0';
	assert_string_equal(text, direct);
	/* CPU 1's line was recorded for the CPU that wrote it: 0. */
	assert_non_null(strstr(text, "] cpu0 info: cpu 1: running under"));

	assert_int_equal(vmm_stop_all(), VMM_OK);
	fixture_down();
}

/* Stopped (LOADED): the same entries read directly, no VMCALL at all. */
static void test_query_stopped_direct(void **state)
{
	struct flank_cpu_status s;
	static struct flank_exit_stats x;
	static char text[1u << 16];
	uint32_t failed;

	(void)state;
	fixture_up("skylake", 2);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_false(vmm_guest_cpu(0) || vmm_guest_cpu(1));
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(flank_image_entry.cpu_status(1, &s), VMM_OK);
	assert_int_equal(s.running, 0);
	assert_int_equal(flank_image_entry.exit_stats(1, &x), VMM_OK);
	assert_non_null(strstr((ring_text(text, sizeof(text)), text),
			       "cpu 1: stopped, VMX off"));
	for (size_t i = 0; i < mock_trace_len(); i++)
		assert_int_not_equal(mock_trace_at(i)->op, MOCK_OP_VMCALL);
	mock_trace_enable(false);
	assert_int_equal(flank_image_entry.cpu_status(2, &s),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(flank_image_entry.exit_stats(2, &x),
			 VMM_ERR_BAD_ARGUMENT);
	fixture_down();
}

/*
 * The hypercalls from guest ring 0 with hostile arguments: a CPU number
 * out of range in all 64 bits (not narrowed first), a log level that does
 * not exist, a ring read longer than the answer page; the answer page is
 * the only memory written, never an address the guest names.
 */
static void test_query_hostile_args(void **state)
{
	struct mock_exit_outcome out;
	struct intrin_gprs g;
	const uint8_t *box;
	uint32_t failed;

	(void)state;
	fixture_up("skylake", 1);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	box = vmm_ctx.answer;
	memset(&g, 0, sizeof(g));
	g.rax = FLANK_HC(FLANK_HC_CPU_STATUS);
	g.rbx = UINT64_C(1) << 32; /* CPU 0 if narrowed to 32 bits. */
	g.rcx = UINT64_C(0xffff888000001000);
	assert_int_equal(mock_guest_vmcall(&g, &out), 0);
	assert_int_equal(g.rax, VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(g.rcx, UINT64_C(0xffff888000001000));
	g.rax = FLANK_HC(FLANK_HC_EXIT_STATS);
	g.rbx = 1;
	assert_int_equal(mock_guest_vmcall(&g, &out), 0);
	assert_int_equal(g.rax, VMM_ERR_BAD_ARGUMENT);

	g.rax = FLANK_HC(FLANK_HC_RING_WRITE);
	g.rbx = FLANK_LOG_DEBUG + 1u;
	assert_int_equal(mock_guest_vmcall(&g, &out), 0);
	assert_int_equal(g.rax, VMM_ERR_BAD_ARGUMENT);

	g.rax = FLANK_HC(FLANK_HC_RING_READ);
	g.rbx = 0;
	g.rcx = UINT64_MAX;
	assert_int_equal(mock_guest_vmcall(&g, &out), 0);
	assert_int_equal(g.rax, VMM_OK);
	assert_true(g.rcx > 0 && g.rcx <= 4096);
	assert_int_equal(box[0], '[');

	/* A line without NUL in the page is cut at the ring's text size. */
	memset(vmm_ctx.answer, 'x', 4096);
	g.rax = FLANK_HC(FLANK_HC_RING_WRITE);
	g.rbx = FLANK_LOG_INFO;
	assert_int_equal(mock_guest_vmcall(&g, &out), 0);
	assert_int_equal(g.rax, VMM_OK);

	assert_int_equal(vmm_stop_all(), VMM_OK);
	fixture_down();
}

/*
 * A CPU the VMM gave back on its own while the others run (an unhandled
 * exit): its bit is clear, and the calls made on it read directly (a
 * VMCALL there would be #UD, which fails the test).
 */
static void test_query_cpu_given_back(void **state)
{
	struct flank_cpu_status s;
	struct mock_exit_outcome out;
	struct mock_exit_event ev;
	uint32_t failed;

	(void)state;
	fixture_up("skylake", 2);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	mock_set_current_cpu(1);
	memset(&ev, 0, sizeof(ev));
	ev.reason = EXIT_REASON_GETSEC;
	assert_int_equal(mock_guest_exit(&ev, &out), 0);
	assert_int_equal(out.action, INTRIN_EXIT_LEAVE);
	assert_false(vmm_guest_cpu(1));
	assert_true(vmm_guest_cpu(0));
	assert_int_equal(flank_image_entry.cpu_status(1, &s), VMM_OK);
	assert_int_equal(s.running, 0);
	assert_int_equal(s.last_error, VMM_ERR_UNHANDLED_EXIT);
	mock_set_current_cpu(0);
	assert_int_equal(flank_image_entry.cpu_status(1, &s), VMM_OK);
	assert_int_equal(s.running, 0);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	fixture_down();
}

/* init takes the CPU table and the answer page: each allocation fails in
 * turn, init fails with nothing left, and then succeeds. */
static void test_query_init_rollback(void **state)
{
	(void)state;
	for (unsigned k = 1; k <= VMM_PAGES_AT_INIT; k++) {
		fixture_up("skylake", 1);
		assert_int_equal(vmm_fini(), VMM_OK);
		assert_int_equal(tp.pages_live, 0);
		tp.fail_nth = tp.allocs + k;
		assert_int_equal(vmm_init(&tp.p), VMM_ERR_NO_MEMORY);
		assert_int_equal(tp.pages_live, 0);
		assert_int_equal(vmm_state(), FLANK_STATE_UNLOADED);
		tp.fail_nth = 0;
		assert_int_equal(vmm_init(&tp.p), VMM_OK);
		assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
		assert_non_null(vmm_ctx.answer);
		fixture_down();
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_running_hypercalls),
		cmocka_unit_test(test_query_stopped_direct),
		cmocka_unit_test(test_query_hostile_args),
		cmocka_unit_test(test_query_cpu_given_back),
		cmocka_unit_test(test_query_init_rollback),
	};
	return FLANK_RUN_TESTS(tests);
}
