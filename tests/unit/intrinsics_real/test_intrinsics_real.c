// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the real backend's userspace-runnable intrinsics, compared
 * against independent sources: the compiler's <cpuid.h> and the kernel's
 * view of this process.
 */
#include <cpuid.h>
#include <string.h>

#include "flank/intrinsics.h"
#include "flank_test.h"

/* CPUID leaf 0 returns the same vendor and maximum leaf as <cpuid.h>. */
static void test_intrinsics_real_cpuid_leaf0(void **state)
{
	struct cpu_cpuid_regs r;
	unsigned int a, b, c, d;

	(void)state;
	cpu_cpuid(0, 0, &r);
	__cpuid_count(0, 0, a, b, c, d);
	assert_int_equal(r.eax, a);
	assert_int_equal(r.ebx, b);
	assert_int_equal(r.ecx, c);
	assert_int_equal(r.edx, d);
	assert_true(r.eax >= 1);
}

/* The subleaf reaches ECX: leaf 4 / leaf 7 subleaf answers match <cpuid.h>. */
static void test_intrinsics_real_cpuid_subleaf(void **state)
{
	struct cpu_cpuid_regs r;
	unsigned int a, b, c, d;
	uint32_t leaf = 7;

	(void)state;
	for (uint32_t sub = 0; sub < 3; sub++) {
		cpu_cpuid(leaf, sub, &r);
		__cpuid_count(leaf, sub, a, b, c, d);
		assert_int_equal(r.eax, a);
		assert_int_equal(r.ebx, b);
		assert_int_equal(r.ecx, c);
		assert_int_equal(r.edx, d);
	}
}

/* RFLAGS in user mode: bit 1 is always 1, IF is set, VM and IOPL are 0. */
static void test_intrinsics_real_rflags(void **state)
{
	uint64_t f;

	(void)state;
	f = cpu_read_rflags();
	assert_true(f & X86_RFLAGS_FIXED1);
	assert_true(f & X86_RFLAGS_IF);
	assert_false(f & X86_RFLAGS_VM);
	assert_int_equal(f & X86_RFLAGS_IOPL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intrinsics_real_cpuid_leaf0),
		cmocka_unit_test(test_intrinsics_real_cpuid_subleaf),
		cmocka_unit_test(test_intrinsics_real_rflags),
	};
	return FLANK_RUN_TESTS(tests);
}
