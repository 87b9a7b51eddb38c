// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The emulator's physical memory map and its hash index: what a lookup
 * finds after any sequence of maps and unmaps, the guard pages, and the
 * refusals (issue 14 made both O(1); these pin their behaviour).
 */
#include <stdlib.h>
#include <string.h>

#include "flank_test.h"
#include "flank/mock.h"
#include "mock_internal.h"

#define NKEYS 600u

/* Key @p i: 4 KiB apart, in clusters so that probe runs collide; never 0. */
static uint64_t key_of(unsigned i)
{
	return (uint64_t)(i % 7u) << 40 | (uint64_t)(i + 1u) << 12;
}

/* A deterministic shuffle (a linear congruential generator). */
static void shuffle(unsigned *a, unsigned n, uint32_t seed)
{
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j;

		seed = seed * 1103515245u + 12345u;
		j = (seed >> 8) % (i + 1u);
		unsigned t = a[i];
		a[i] = a[j];
		a[j] = t;
	}
}

/*
 * The index against a reference: after inserts (through several growths)
 * and deletions in shuffled order, every key finds its value or nothing;
 * address 0 is a key like any other.
 */
static void test_mock_mem_index_reference(void **state)
{
	static unsigned order[NKEYS];
	static bool present[NKEYS];
	struct mock_index ix = {0};

	(void)state;
	assert_null(mock_index_get(&ix, 0));
	mock_index_del(&ix, 0x1000); /* Empty: nothing to do. */
	for (unsigned i = 0; i < NKEYS; i++) {
		mock_index_put(&ix, key_of(i), &present[i]);
		present[i] = true;
		order[i] = i;
	}
	mock_index_put(&ix, 0, &order[0]); /* Key 0, then replaced. */
	mock_index_put(&ix, 0, &order[1]);
	assert_ptr_equal(mock_index_get(&ix, 0), &order[1]);
	assert_int_equal(ix.n, NKEYS + 1u);
	shuffle(order, NKEYS, 14);
	for (unsigned r = 0; r < NKEYS; r++) {
		unsigned d = order[r];
		mock_index_del(&ix, key_of(d));
		present[d] = false;
		if (r % 50u != 0)
			continue;
		for (unsigned i = 0; i < NKEYS; i++) {
			assert_ptr_equal(mock_index_get(&ix, key_of(i)),
					 present[i] ? &present[i] : NULL);
		}
	}
	assert_int_equal(ix.n, 1);
	mock_index_del(&ix, 0);
	assert_null(mock_index_get(&ix, 0));
	assert_int_equal(ix.n, 0);
	mock_index_free(&ix);
	assert_int_equal(ix.cap, 0);
}

/*
 * Many one-page mappings unmapped in shuffled order: every live page reads
 * back through its physical address and counts as mapped host memory, an
 * unmapped one reads as all ones; a range into the guard page is refused.
 */
static void test_mock_mem_map_unmap(void **state)
{
	enum { N = 200 };
	static unsigned order[N];
	static uint8_t *page[N];
	static uint64_t pa[N];
	uint8_t b[8];

	(void)state;
	assert_int_equal(mock_init("skylake", 1), 0);
	for (unsigned i = 0; i < N; i++) {
		page[i] = aligned_alloc(4096, 4096);
		assert_non_null(page[i]);
		memset(page[i], (int)(i & 0x7f) + 1, 4096);
		pa[i] = pa_addr(mock_mem_map(page[i], 4096));
		order[i] = i;
	}
	assert_null(mock_mem_host(pa_init(pa[0] + 4000), 200));
	assert_false(mock_mem_host_range_mapped(
		(uint64_t)(uintptr_t)page[0] + 4090, 8));
	shuffle(order, N, 3);
	for (unsigned r = 0; r < N; r++) {
		unsigned u = order[r];
		mock_mem_unmap(page[u]);
		free(page[u]);
		page[u] = NULL;
		for (unsigned i = 0; i < N; i++) {
			bool live = page[i] != NULL;
			assert_int_equal(mock_mem_read(pa[i] + 8, b, sizeof(b)),
					 live);
			assert_int_equal(b[7], live ? (i & 0x7f) + 1 : 0xff);
			if (live)
				assert_true(mock_mem_host_range_mapped(
					(uint64_t)(uintptr_t)page[i] + 4088,
					8));
		}
	}
	mock_fini();
}

static const char *violation;

static void record(const char *rule, const char *message)
{
	(void)message;
	violation = rule;
}

/* A host page has one physical address: mapping it again is refused,
 * and so is unmapping what was never mapped. */
static void test_mock_mem_map_twice(void **state)
{
	uint8_t *buf = aligned_alloc(4096, (size_t)2 * 4096);

	(void)state;
	assert_non_null(buf);
	assert_int_equal(mock_init("skylake", 1), 0);
	mock_set_exception_handler(record);
	assert_true(pa_addr(mock_mem_map(buf, (size_t)2 * 4096)) != 0);
	violation = NULL;
	assert_int_equal(pa_addr(mock_mem_map(buf + 4096, 4096)), 0);
	assert_string_equal(violation, "MEM.map_twice");
	violation = NULL;
	mock_mem_unmap(buf + 4096); /* Inside a mapping, not its start. */
	assert_string_equal(violation, "MEM.unmap_unknown");
	mock_mem_unmap(buf);
	violation = NULL;
	mock_mem_unmap(buf);
	assert_string_equal(violation, "MEM.unmap_unknown");
	mock_set_exception_handler(NULL);
	mock_fini();
	free(buf);
}

/*
 * Pages at chosen physical addresses: refused unaligned, beyond
 * MAXPHYADDR or over a mapping; fresh mappings skip them. MAXPHYADDR can
 * grow and cannot shrink below mapped memory; unmapped memory reads as
 * the profile says (all ones) or as mock_set_unmapped_byte() sets.
 */
static void test_mock_mem_map_at(void **state)
{
	uint8_t *buf = aligned_alloc(4096, (size_t)4 * 4096);
	uint8_t b[4];
	uint64_t fresh;

	(void)state;
	assert_non_null(buf);
	assert_int_equal(mock_init("skylake", 1), 0);
	mock_set_exception_handler(record);
	assert_int_equal(mock_phys_addr_width(), 39);
	/* The next fresh address is 1 MiB: take it, and the page after. */
	assert_int_equal(pa_addr(mock_mem_map_at(buf, (size_t)2 * 4096,
						 pa_init(0x100000))),
			 0x100000);
	violation = NULL;
	assert_int_equal(
		pa_addr(mock_mem_map_at(buf + 8192, 4096, pa_init(0x101000))),
		0);
	assert_string_equal(violation, "MEM.map_overlap");
	violation = NULL;
	(void)mock_mem_map_at(buf + 8192, 4096, pa_init(0x200010));
	assert_string_equal(violation, "MEM.map_unaligned");
	violation = NULL;
	(void)mock_mem_map_at(buf + 8192, 4096, pa_init(UINT64_C(1) << 39));
	assert_string_equal(violation, "MEM.map_too_wide");
	violation = NULL;
	fresh = pa_addr(mock_mem_map(buf + 8192, 4096));
	assert_true(fresh >= 0x102000);
	/* MAXPHYADDR: 46 lets 2^39 be mapped; 36 is then refused. */
	assert_int_equal(mock_set_phys_addr_width(53), -1);
	assert_int_equal(mock_set_phys_addr_width(46), 0);
	assert_int_equal(mock_phys_addr_width(), 46);
	struct cpu_cpuid_regs r;
	cpu_cpuid(0x80000008u, 0, &r);
	assert_int_equal(r.eax & 0xFF, 46);
	assert_int_equal(pa_addr(mock_mem_map_at(buf + 12288, 4096,
						 pa_init(UINT64_C(1) << 39))),
			 UINT64_C(1) << 39);
	assert_int_equal(mock_set_phys_addr_width(36), -1);
	assert_int_equal(mock_phys_addr_width(), 46);
	/* Unmapped memory. */
	assert_false(mock_mem_read_phys(pa_init(0x7000000), b, sizeof(b)));
	assert_int_equal(b[3], 0xFF);
	mock_set_unmapped_byte(0);
	assert_false(mock_mem_read_phys(pa_init(0x7000000), b, sizeof(b)));
	assert_int_equal(b[3], 0);
	assert_null(violation);
	mock_set_exception_handler(NULL);
	mock_fini();
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mock_mem_index_reference),
		cmocka_unit_test(test_mock_mem_map_unmap),
		cmocka_unit_test(test_mock_mem_map_twice),
		cmocka_unit_test(test_mock_mem_map_at),
	};
	return FLANK_RUN_TESTS(tests);
}
