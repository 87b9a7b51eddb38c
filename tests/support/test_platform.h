/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A struct flank_platform for the userspace tests, on the emulated VT-x:
 * pages that the emulator can see (mock_mem_map), counted so that a leak
 * fails the test, with an optional failure of the Nth allocation; CPUs are
 * the emulator's CPUs (run_on_cpu switches mock_set_current_cpu); a log
 * capture; host_cr3 deliberately different from every CPU's CR3 so that
 * stop must give the guest its CR3 back; debug-ring memory from the heap
 * (FLANK_RING_DEFAULT_SIZE unless a test asks for another size), filled
 * with a non-zero pattern because init must format it.
 */
#ifndef FLANK_TEST_PLATFORM_H
#define FLANK_TEST_PLATFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/image_abi.h"
#include "flank/mock.h"

#define TEST_PLATFORM_LOG_LINES 64u
#define TEST_PLATFORM_HOST_CR3 UINT64_C(0x1ff000)
/** CPUs whose cpu_left calls are counted (the emulator has at most 64). */
#define TEST_PLATFORM_MAX_CPUS 64u

struct test_platform {
	struct flank_platform p;
	unsigned pages_live; /**< Allocated and not freed. */
	unsigned pages_peak; /**< Most pages live at once. */
	unsigned allocs;     /**< page_alloc calls so far. */
	unsigned fail_nth;   /**< 1-based allocation to fail; 0 = never. */
	uint64_t offline;    /**< Bit n: CPU n offline (n < 64). */
	unsigned log_count;
	/**
	 * cpu_left calls per CPU: what flank.ko answers with
	 * invalidate_tss_limit(). A call made on another CPU than the one it
	 * names, or while that CPU is still in VMX operation, is counted in
	 * cpu_left_wrong instead.
	 */
	unsigned cpu_left[TEST_PLATFORM_MAX_CPUS];
	unsigned cpu_left_wrong;
	/** phys_copy calls; refused ones (not mapped in the emulator); ones
	 * that broke the contract (crossing a page). */
	unsigned phys_calls, phys_refused, phys_wrong;
	char log[TEST_PLATFORM_LOG_LINES][224];
	void *ring;	  /**< The ring allocation (p.ring_mem points in it). */
	size_t ring_size; /**< Bytes of that allocation. */
};

/**
 * Fills @p tp for the emulator as mock_init() left it, and moves every
 * CPU's GDT into host memory (the emulator models it as a table; libvmm
 * reads descriptors from memory as it does on hardware).
 */
void test_platform_init(struct test_platform *tp);

/**
 * Replaces the ring memory with a fresh @p size bytes (8-byte aligned,
 * pattern-filled) and points p.ring_mem/p.ring_size at it. Call while the
 * VMM is UNLOADED.
 */
void test_platform_set_ring(struct test_platform *tp, size_t size);

/**
 * Frees the GDT copies and the ring (detaching the console first if a
 * CORRUPT image still holds it); returns the pages still live (a leak if
 * > 0).
 */
unsigned test_platform_fini(struct test_platform *tp);

/**
 * Puts the guest of emulated CPU @p cpu in ring 3, as a user-space program
 * (CS 0x33, SS 0x2b, both DPL 3), after saving its registers in @p saved.
 */
void test_guest_enter_ring3(unsigned cpu, struct mock_cpu_regs *saved);

/** Gives the guest of @p cpu back the registers in @p saved, at CPL 0. */
void test_guest_leave_ring3(unsigned cpu, const struct mock_cpu_regs *saved);

/** True if a captured log line contains @p needle. */
bool test_platform_log_has(const struct test_platform *tp, const char *needle);

#endif /* FLANK_TEST_PLATFORM_H */
