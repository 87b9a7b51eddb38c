// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The debug ring as the host supplies it (flank_platform.ring_mem and
 * ring_size, image ABI 3): init refuses unusable memory before it changes
 * anything, a ring of N KiB holds what N KiB implies, nothing is written
 * after fini (the host frees the memory then), and the default size holds
 * the whole VMCS dump that follows a failed VM entry.
 */
#include <stdlib.h>

#include "flank/vmm_console.h"
#include "flank/vmm_vmcs_dump.h"
#include "libvmm_fixture.h"

/* The whole ring from position 0 through the image entry's ring_read. */
static char *ring_text(void)
{
	size_t cap = (size_t)4 << 20, len = 0, n;
	char *buf = malloc(cap + 1);
	uint64_t pos = 0;

	assert_non_null(buf);
	while ((n = flank_image_entry.ring_read(&pos, buf + len, cap - len)) >
	       0) {
		len += n;
		assert_true(len < cap); /* The test buffer is big enough. */
	}
	buf[len] = '\0';
	return buf;
}

/* Lines of @p text that are records (not "[lost ...]" markers). */
static unsigned record_lines(const char *text)
{
	unsigned n = 0;

	for (const char *l = text; *l != '\0';) {
		const char *end = strchr(l, '\n');

		assert_non_null(end);
		if (strncmp(l, "[lost ", 6) != 0)
			n++;
		l = end + 1;
	}
	return n;
}

/* Every byte of @p mem is still the test platform's fill pattern. */
static bool untouched(const void *mem, size_t size)
{
	const unsigned char *b = mem;

	for (size_t i = 0; i < size; i++)
		if (b[i] != 0xa5)
			return false;
	return true;
}

/* Asserts that init refuses the ring in tp.p and changed nothing. */
static void assert_ring_refused(void)
{
	unsigned logs = tp.log_count;

	assert_int_equal(vmm_init(&tp.p), VMM_ERR_RING_CONFIG);
	assert_int_equal(vmm_state(), FLANK_STATE_UNLOADED);
	assert_null(vmm_console_ring());
	assert_int_equal(tp.log_count, logs);
	assert_int_equal(tp.pages_live, 0);
	assert_true(untouched(tp.ring, tp.ring_size));
}

/*
 * NULL, misaligned, too small and too large ring memory is refused with
 * VMM_ERR_RING_CONFIG, the VMM stays UNLOADED, and the memory is not
 * written (Valgrind would see a write past a too-small buffer).
 */
static void test_libvmm_ring_refused(void **state)
{
	(void)state;
	fixture_up("skylake", 1);
	assert_int_equal(vmm_fini(), VMM_OK);
	test_platform_set_ring(&tp, FLANK_RING_DEFAULT_SIZE);

	tp.p.ring_mem = NULL;
	assert_ring_refused();
	tp.p.ring_mem = (char *)tp.ring + 4;
	tp.p.ring_size = FLANK_RING_DEFAULT_SIZE - 8;
	assert_ring_refused();
	tp.p.ring_mem = (char *)tp.ring + 1;
	assert_ring_refused();
	/* Exactly as much memory as it claims, one slot short of the min. */
	test_platform_set_ring(&tp, FLANK_RING_MIN_SIZE - VMM_RING_SLOT_SIZE);
	assert_ring_refused();
	tp.p.ring_size = 0;
	assert_ring_refused();
	/* A size beyond the maximum (the memory is smaller: a host bug). */
	test_platform_set_ring(&tp, FLANK_RING_DEFAULT_SIZE);
	tp.p.ring_size = (uint64_t)FLANK_RING_MAX_SIZE + 8;
	assert_ring_refused();
	tp.p.ring_size = UINT64_C(1) << 40;
	assert_ring_refused();

	/* A bad serial setting too: the ring is checked first. */
	tp.p.serial_baud = 7;
	assert_ring_refused();
	tp.p.serial_baud = 0;
	/* A broken platform table is named before its ring. */
	tp.p.log = NULL;
	assert_int_equal(vmm_init(&tp.p), VMM_ERR_BAD_PLATFORM);
	assert_true(untouched(tp.ring, tp.ring_size));

	assert_non_null(
		strstr(vmm_status_str(VMM_ERR_RING_CONFIG), "ring_kib"));
	assert_string_equal(vmm_status_name(VMM_ERR_RING_CONFIG),
			    "VMM_ERR_RING_CONFIG");
	fixture_down();
}

/*
 * A ring of N KiB holds N * 1024 / 256 - 1 records (one record's worth is
 * the control block), from the smallest to the largest size allowed: the
 * reader gets exactly that many after more were written, and is told how
 * many it lost.
 */
static void test_libvmm_ring_capacity(void **state)
{
	static const uint64_t kib[] = {8, 16, 64, 1024, 16384};

	(void)state;
	fixture_up("skylake", 1);
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(kib); i++) {
		uint64_t cap = kib[i] * 4u - 1u, h0, total, lost, last;
		char want[64], *text;

		assert_int_equal(vmm_fini(), VMM_OK);
		test_platform_set_ring(&tp, (size_t)kib[i] << 10);
		assert_int_equal(vmm_init(&tp.p), VMM_OK);
		assert_ptr_equal(vmm_console_ring(), tp.ring);
		assert_int_equal(vmm_ring_capacity(vmm_console_ring()), cap);
		/* Records init itself wrote (serial state, ...) count too. */
		h0 = vmm_ring_head(vmm_console_ring());
		total = cap + 3u;
		lost = h0 + 3u;
		last = total - 1u;
		for (uint64_t r = 0; r < total; r++)
			vmm_logf(FLANK_LOG_INFO, "record %llu",
				 (unsigned long long)r);
		text = ring_text();
		snprintf(want, sizeof(want), "[lost %llu records]\n",
			 (unsigned long long)lost);
		assert_int_equal(strncmp(text, want, strlen(want)), 0);
		assert_non_null(strstr(text, "info: record 3\n"));
		assert_null(strstr(text, "info: record 2\n"));
		snprintf(want, sizeof(want), "info: record %llu\n",
			 (unsigned long long)last);
		assert_non_null(strstr(text, want));
		assert_int_equal(record_lines(text), cap);
		free(text);
	}
	fixture_down();
}

/*
 * After fini the VMM holds no pointer to the ring: the host may free it,
 * and a later log line (or a refused init) writes nothing there.
 */
static void test_libvmm_ring_released_at_fini(void **state)
{
	size_t size = FLANK_RING_MIN_SIZE;
	void *mem = NULL;

	(void)state;
	fixture_up("skylake", 1);
	assert_int_equal(vmm_fini(), VMM_OK);
	assert_int_equal(posix_memalign(&mem, 8, size), 0);
	tp.p.ring_mem = mem;
	tp.p.ring_size = size;
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	vmm_log(FLANK_LOG_INFO, "while loaded");
	assert_ptr_equal(vmm_console_ring(), mem);
	assert_int_equal(vmm_fini(), VMM_OK);
	assert_null(vmm_console_ring());
	free(mem); /* What the driver does after fini. */
	/* Valgrind reports any write into the freed ring. */
	vmm_log(FLANK_LOG_ERROR, "after fini");
	tp.p.ring_mem = NULL;
	assert_int_equal(vmm_init(&tp.p), VMM_ERR_RING_CONFIG);
	vmm_log(FLANK_LOG_ERROR, "after a refused init");
	tp.p.ring_mem = tp.ring;
	tp.p.ring_size = tp.ring_size;
	fixture_down();
}

/*
 * Breaks CPU 1's SS descriptor in the GDT so that libvmm's VMLAUNCH there
 * fails with exit 33 (check G8, SDM Vol. 3C 27.3.1.2) after CPU 0 started;
 * returns the whole ring text afterwards.
 */
static char *failed_entry_ring(unsigned ncpus)
{
	struct mock_cpu_regs regs;
	uint32_t failed = 0;

	mock_cpu_get_regs(ncpus - 1u, &regs);
	((uint64_t *)(uintptr_t)regs.gdtr.base)[3] |= UINT64_C(8) << 40;
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_LAUNCH_GUEST_STATE);
	assert_int_equal(failed, ncpus - 1u);
	return ring_text();
}

/*
 * With the default ring a failed VM entry leaves everything in the ring:
 * the diagnostic line, the VMCS dump's header, one line per field of the
 * field table, its summary, the repeated diagnostic line, and the lines
 * of the CPU started and rolled back before; nothing lost or dropped.
 */
static void test_libvmm_ring_default_holds_vmcs_dump(void **state)
{
	uint32_t fields = vmm_vmcs_field_count();
	char want[96], *text;

	(void)state;
	fixture_up("skylake", 2);
	assert_int_equal(tp.p.ring_size, FLANK_RING_DEFAULT_SIZE);
	text = failed_entry_ring(2);
	assert_null(strstr(text, "[lost "));
	assert_int_equal(vmm_ring_dropped(vmm_console_ring()), 0);
	assert_true(vmm_ring_head(vmm_console_ring()) <=
		    vmm_ring_capacity(vmm_console_ring()));
	assert_int_equal(strncmp(text, "[0] ", 4), 0);
	assert_non_null(strstr(text, "cpu0 info: cpu 0: running under Flank"));
	assert_non_null(strstr(text, "cpu1 error: VMCS dump: current VMCS at"));
	snprintf(want, sizeof(want), "cpu1 error: VMCS dump: %u fields, ",
		 fields);
	assert_non_null(strstr(text, want));
	for (uint32_t i = 0; i < fields; i++) {
		const char *name =
			vmm_vmcs_field_name(vmm_vmcs_field_encoding(i));

		assert_non_null(name);
		snprintf(want, sizeof(want), "cpu1 error: %-30s ", name);
		if (strstr(text, want) == NULL)
			fail_msg("field %s is missing from the ring", name);
	}
	/* The diagnostic line comes before and after the dump. */
	{
		const char *first = strstr(text, "VM entry failed: VMLAUNCH");
		assert_non_null(first);
		assert_non_null(strstr(first + 1, "VM entry failed: VMLAUNCH"));
	}
	assert_true(record_lines(text) >= fields + 4u);
	free(text);
	fixture_down();
}

/*
 * The old 32 KiB ring (127 records) could not hold that: the same failure
 * loses the start of the dump. Guards the default against shrinking.
 */
static void test_libvmm_ring_32k_loses_vmcs_dump(void **state)
{
	char *text;

	(void)state;
	fixture_up("skylake", 2);
	assert_int_equal(vmm_fini(), VMM_OK);
	test_platform_set_ring(&tp, 32u << 10);
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
	text = failed_entry_ring(2);
	assert_int_equal(strncmp(text, "[lost ", 6), 0);
	assert_null(strstr(text, "VMCS dump: current VMCS at"));
	assert_int_equal(record_lines(text), 127);
	free(text);
	fixture_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libvmm_ring_refused),
		cmocka_unit_test(test_libvmm_ring_capacity),
		cmocka_unit_test(test_libvmm_ring_released_at_fini),
		cmocka_unit_test(test_libvmm_ring_default_holds_vmcs_dump),
		cmocka_unit_test(test_libvmm_ring_32k_loses_vmcs_dump),
	};
	return FLANK_RUN_TESTS(tests);
}
