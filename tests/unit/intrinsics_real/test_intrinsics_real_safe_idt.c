// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Unit tests of the private IDT that cpu_rdmsr_safe() and friends load
 * (intrinsics/real/safe_idt.c), built against a fake original IDT and
 * checked gate by gate. Pure memory work: runs under Valgrind too.
 */
#include <string.h>

#include "flank/intrinsics.h"
#include "flank_test.h"
#include "real_internal.h"

/* A fake original IDT of 256 gates with a distinct value in every field. */
static struct safe_idt_gate fake_idt[256];

static void fill_fake_idt(void)
{
	for (unsigned v = 0; v < 256; v++) {
		struct safe_idt_gate *g = &fake_idt[v];

		g->offset_lo = (uint16_t)(0x1000 + v);
		g->selector = 0x10;
		g->ist = (uint8_t)(v == 2 ? 3 : (v == 18 ? 4 : 0));
		g->type_attr = 0x8E;
		g->offset_mid = (uint16_t)(0x2000 + v);
		g->offset_hi = 0xFFFFFFFFu - v;
		g->reserved = 0;
	}
}

/*
 * Every exception gate but #GP is the original's, byte for byte (NMI keeps
 * its IST); #GP keeps its attributes and points to the handler; the
 * original base is recorded for the stub; the limit covers 32 gates.
 */
static void test_intrinsics_real_safe_idt_copies_gates(void **state)
{
	struct safe_idt idt;
	struct cpu_dtr orig = {sizeof(fake_idt) - 1,
			       (uint64_t)(uintptr_t)fake_idt};
	struct cpu_dtr d;
	const uint64_t handler = 0xFFFFFFFF81234567u;

	(void)state;
	fill_fake_idt();
	memset(&idt, 0xCC, sizeof(idt));
	d = intrin_safe_idt_build(&idt, &orig, 0x33, handler);
	assert_int_equal(d.limit, 32 * 16 - 1);
	assert_ptr_equal((void *)(uintptr_t)d.base, idt.gates);
	assert_int_equal(idt.orig_base, orig.base);
	for (unsigned v = 0; v < 32; v++) {
		if (v == X86_VEC_GP)
			continue;
		assert_memory_equal(&idt.gates[v], &fake_idt[v],
				    sizeof(idt.gates[v]));
	}
	assert_int_equal(idt.gates[X86_VEC_NMI].ist, 3);
	assert_int_equal(intrin_safe_idt_gate_offset(&idt.gates[X86_VEC_GP]),
			 handler);
	assert_int_equal(idt.gates[X86_VEC_GP].selector, 0x10);
	assert_int_equal(idt.gates[X86_VEC_GP].type_attr, 0x8E);
	assert_int_equal(idt.gates[X86_VEC_GP].ist, 0);
	assert_int_equal(idt.gates[X86_VEC_GP].reserved, 0);
}

/*
 * An original IDT shorter than 32 gates: gates beyond its limit are not
 * present; a missing #GP gate gets the given code segment and an interrupt
 * gate.
 */
static void test_intrinsics_real_safe_idt_short_original(void **state)
{
	struct safe_idt idt;
	struct cpu_dtr orig = {8 * 16 - 1, (uint64_t)(uintptr_t)fake_idt};
	struct safe_idt_gate zero;

	(void)state;
	fill_fake_idt();
	memset(&zero, 0, sizeof(zero));
	memset(&idt, 0xCC, sizeof(idt));
	(void)intrin_safe_idt_build(&idt, &orig, 0x33, 0x1122334455667788u);
	for (unsigned v = 0; v < 8; v++)
		assert_memory_equal(&idt.gates[v], &fake_idt[v], sizeof(zero));
	for (unsigned v = 8; v < 32; v++) {
		if (v == X86_VEC_GP)
			continue;
		assert_memory_equal(&idt.gates[v], &zero, sizeof(zero));
	}
	assert_int_equal(idt.gates[X86_VEC_GP].selector, 0x33);
	assert_int_equal(idt.gates[X86_VEC_GP].type_attr, 0x8E);
	assert_int_equal(idt.gates[X86_VEC_GP].ist, 0);
	assert_int_equal(intrin_safe_idt_gate_offset(&idt.gates[X86_VEC_GP]),
			 0x1122334455667788u);
}

/* The offset decoder joins the three fields in the SDM's order. */
static void test_intrinsics_real_safe_idt_gate_offset(void **state)
{
	struct safe_idt_gate g;

	(void)state;
	memset(&g, 0, sizeof(g));
	g.offset_lo = 0x4567;
	g.offset_mid = 0x0123;
	g.offset_hi = 0x89ABCDEFu;
	assert_int_equal(intrin_safe_idt_gate_offset(&g), 0x89ABCDEF01234567u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intrinsics_real_safe_idt_copies_gates),
		cmocka_unit_test(test_intrinsics_real_safe_idt_short_original),
		cmocka_unit_test(test_intrinsics_real_safe_idt_gate_offset),
	};
	return FLANK_RUN_TESTS(tests);
}
