// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the real backend's userspace-runnable intrinsics that also
 * run under Valgrind (the memcheck twin), compared against independent
 * sources: the compiler's <cpuid.h>, inline assembly written differently
 * from the backend's (raw opcode bytes, memory operands), and the opcode
 * bytes of the backend's own code. test_intrinsics_real_ring3.c holds the
 * tests that need the real CPU's answers.
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

/* The subleaf reaches ECX: leaf 7 and leaf 0xD subleaves match <cpuid.h>. */
static void test_intrinsics_real_cpuid_subleaf(void **state)
{
	static const uint32_t leaves[] = {7, 0xD};
	struct cpu_cpuid_regs r, r0;
	unsigned int a, b, c, d;
	bool differ = false;

	(void)state;
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(leaves); i++) {
		for (uint32_t sub = 0; sub < 3; sub++) {
			cpu_cpuid(leaves[i], sub, &r);
			__cpuid_count(leaves[i], sub, a, b, c, d);
			assert_int_equal(r.eax, a);
			assert_int_equal(r.ebx, b);
			assert_int_equal(r.ecx, c);
			assert_int_equal(r.edx, d);
		}
	}
	/*
	 * Leaf 0xD subleaf 0 (user state mask) and 1 (XSAVE extensions)
	 * differ on every XSAVE CPU: proves ECX was really loaded.
	 */
	cpu_cpuid(0xD, 0, &r0);
	cpu_cpuid(0xD, 1, &r);
	differ = memcmp(&r0, &r, sizeof(r)) != 0;
	assert_true(differ);
}

/* Extended leaves: 0x80000000 and the long-mode bit match <cpuid.h>. */
static void test_intrinsics_real_cpuid_extended(void **state)
{
	struct cpu_cpuid_regs r;
	unsigned int a, b, c, d;

	(void)state;
	cpu_cpuid(0x80000000u, 0, &r);
	__cpuid(0x80000000u, a, b, c, d);
	assert_int_equal(r.eax, a);
	assert_true(r.eax >= 0x80000001u);
	cpu_cpuid(0x80000001u, 0, &r);
	assert_true(r.edx & X86_CPUIDX1_EDX_LM);
}

/*
 * Calls cpu_read_rflags() right after SET (STC or STD) so that the flag it
 * sets is live at the call; CLEAR undoes it. The 128-byte adjustment steps
 * over this function's red zone before the CALL pushes.
 */
#define RFLAGS_AFTER(set, clear)                                               \
	({                                                                     \
		uint64_t f_;                                                   \
		__asm__ volatile("sub $128, %%rsp\n\t" set "\n\t"              \
				 "call cpu_read_rflags\n\t" clear "\n\t"       \
				 "add $128, %%rsp"                             \
				 : "=a"(f_)                                    \
				 :                                             \
				 : "rcx", "rdx", "rsi", "rdi", "r8", "r9",     \
				   "r10", "r11", "memory", "cc");              \
		f_;                                                            \
	})

/* cpu_read_rflags() reads the live flags: CF and DF follow STC/CLC, STD. */
static void test_intrinsics_real_rflags_live(void **state)
{
	uint64_t f;

	(void)state;
	f = RFLAGS_AFTER("stc", "clc");
	assert_true(f & X86_RFLAGS_CF);
	f = RFLAGS_AFTER("clc", "clc");
	assert_false(f & X86_RFLAGS_CF);
	f = RFLAGS_AFTER("std", "cld");
	assert_true(f & X86_RFLAGS_DF);
	f = RFLAGS_AFTER("cld", "cld");
	assert_false(f & X86_RFLAGS_DF);
}

/* Every selector read equals a MOV to memory (a different encoding). */
static void test_intrinsics_real_selectors_all(void **state)
{
	uint16_t m[6];

	(void)state;
	__asm__ volatile("movw %%cs, 0(%0)\n\tmovw %%ss, 2(%0)\n\t"
			 "movw %%ds, 4(%0)\n\tmovw %%es, 6(%0)\n\t"
			 "movw %%fs, 8(%0)\n\tmovw %%gs, 10(%0)"
			 :
			 : "r"(m)
			 : "memory");
	assert_int_equal(cpu_read_cs(), m[0]);
	assert_int_equal(cpu_read_ss(), m[1]);
	assert_int_equal(cpu_read_ds(), m[2]);
	assert_int_equal(cpu_read_es(), m[3]);
	assert_int_equal(cpu_read_fs(), m[4]);
	assert_int_equal(cpu_read_gs(), m[5]);
	/* Data selectors are null or have RPL 3 in a 64-bit process. */
	for (int i = 2; i < 6; i++)
		assert_true(m[i] == 0 || (m[i] & 3) == 3);
}

/*
 * XGETBV(0) when CPUID says OSXSAVE: equals the raw opcode bytes, has x87
 * and SSE state enabled (bits 0 and 1), and is a subset of the user states
 * the CPU supports (CPUID.(EAX=0DH,ECX=0):EDX:EAX).
 */
static void test_intrinsics_real_xgetbv(void **state)
{
	unsigned int a, b, c, d;
	uint32_t lo, hi;
	uint64_t xcr0, ref, supported;

	(void)state;
	__cpuid(1, a, b, c, d);
	if (!(c & X86_CPUID1_ECX_OSXSAVE)) {
		/* XGETBV would #UD; nothing to compare. */
		skip();
	}
	xcr0 = cpu_xgetbv(0);
	__asm__ volatile(".byte 0x0f, 0x01, 0xd0"
			 : "=a"(lo), "=d"(hi)
			 : "c"(0));
	ref = ((uint64_t)hi << 32) | lo;
	assert_int_equal(xcr0, ref);
	assert_int_equal(xcr0 & 3, 3);
	__cpuid_count(0xD, 0, a, b, c, d);
	supported = ((uint64_t)d << 32) | a;
	assert_int_equal(xcr0 & ~supported, 0);
}

/*
 * Returns true if the code of @p fn holds @p len bytes of @p insn within
 * its first 16 bytes, after the ENDBR64 that every function starts with.
 */
static bool fn_has_insn(const void *fn, const uint8_t *insn, size_t len)
{
	static const uint8_t endbr64[] = {0xf3, 0x0f, 0x1e, 0xfa};
	const uint8_t *p = fn;

	if (memcmp(p, endbr64, sizeof(endbr64)) != 0)
		return false;
	for (size_t i = sizeof(endbr64); i + len <= 16; i++)
		if (memcmp(p + i, insn, len) == 0)
			return true;
	return false;
}

/* PAUSE runs in ring 3, returns, and leaves RFLAGS as it was. */
static void test_intrinsics_real_pause(void **state)
{
	static const uint8_t pause[] = {0xf3, 0x90};
	uint64_t before, after;

	(void)state;
	before = cpu_read_rflags();
	for (int i = 0; i < 1000; i++)
		cpu_pause();
	after = cpu_read_rflags();
	assert_int_equal(before & X86_RFLAGS_IF, after & X86_RFLAGS_IF);
	assert_true(fn_has_insn((const void *)cpu_pause, pause, sizeof(pause)));
}

/*
 * The privileged one-instruction intrinsics cannot run in ring 3; their
 * code is checked to hold the instruction's opcode (SDM Vol. 2).
 */
static void test_intrinsics_real_privileged_encodings(void **state)
{
	static const uint8_t hlt[] = {0xf4}, invd[] = {0x0f, 0x08},
			     wbinvd[] = {0x0f, 0x09};

	(void)state;
	assert_true(fn_has_insn((const void *)cpu_halt, hlt, sizeof(hlt)));
	assert_true(fn_has_insn((const void *)cpu_invd, invd, sizeof(invd)));
	assert_true(
		fn_has_insn((const void *)cpu_wbinvd, wbinvd, sizeof(wbinvd)));
	assert_false(
		fn_has_insn((const void *)cpu_invd, wbinvd, sizeof(wbinvd)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intrinsics_real_cpuid_leaf0),
		cmocka_unit_test(test_intrinsics_real_cpuid_subleaf),
		cmocka_unit_test(test_intrinsics_real_cpuid_extended),
		cmocka_unit_test(test_intrinsics_real_rflags_live),
		cmocka_unit_test(test_intrinsics_real_selectors_all),
		cmocka_unit_test(test_intrinsics_real_xgetbv),
		cmocka_unit_test(test_intrinsics_real_pause),
		cmocka_unit_test(test_intrinsics_real_privileged_encodings),
	};
	return FLANK_RUN_TESTS(tests);
}
