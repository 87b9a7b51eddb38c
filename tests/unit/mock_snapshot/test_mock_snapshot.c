// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mock_cpu_snapshot_equal(), which the lifecycle tests use to prove that
 * a VMM start/stop gives the CPU back: every kind of difference is found
 * and described, and an unchanged CPU compares equal.
 */
#include <string.h>

#include "flank_test.h"
#include "flank/mock.h"

/* Changes one register of CPU 0; the snapshot must name it. */
static void expect_reg_diff(void (*edit)(struct mock_cpu_regs *),
			    const char *name)
{
	struct mock_cpu_regs r;
	struct mock_cpu_snapshot *s;
	char why[160];

	mock_cpu_get_regs(0, &r);
	s = mock_cpu_snapshot(0);
	assert_non_null(s);
	assert_true(mock_cpu_snapshot_equal(s, 0, why, sizeof(why)));
	edit(&r);
	mock_cpu_set_regs(0, &r);
	assert_false(mock_cpu_snapshot_equal(s, 0, why, sizeof(why)));
	if (strncmp(why, name, strlen(name)) != 0)
		fail_msg("expected '%s...', got '%s'", name, why);
	/* Without a buffer the verdict is the same. */
	assert_false(mock_cpu_snapshot_equal(s, 0, NULL, 0));
	assert_false(mock_cpu_snapshot_equal(s, 0, why, 0));
	mock_cpu_snapshot_free(s);
}

#define EDIT(n, stmt)                                                          \
	static void edit_##n(struct mock_cpu_regs *r)                          \
	{                                                                      \
		stmt;                                                          \
	}
EDIT(cr0, r->cr0 ^= 1u << 16)
EDIT(cr3, r->cr3 += 0x1000)
EDIT(cr4, r->cr4 ^= 1u << 9)
EDIT(cr8, r->cr8 ^= 1)
EDIT(dr7, r->dr7 ^= 1)
EDIT(rflags, r->rflags ^= 1u << 9)
EDIT(xcr0, r->xcr0 ^= 2)
EDIT(cpl, r->cpl ^= 3)
EDIT(gdtr_base, r->gdtr.base += 8)
EDIT(gdtr_limit, r->gdtr.limit ^= 1)
EDIT(idtr_base, r->idtr.base += 8)
EDIT(idtr_limit, r->idtr.limit ^= 1)
EDIT(es_sel, r->seg[MOCK_SEG_ES].selector ^= 8)
EDIT(cs_base, r->seg[MOCK_SEG_CS].base += 16)
EDIT(ss_limit, r->seg[MOCK_SEG_SS].limit ^= 1)
EDIT(tr_ar, r->seg[MOCK_SEG_TR].ar ^= 1)

/* Each register, segment field and descriptor table is compared. */
static void test_mock_snapshot_register_diffs(void **state)
{
	static const struct {
		void (*edit)(struct mock_cpu_regs *);
		const char *name;
	} cases[] = {
		{edit_cr0, "cr0: was"},
		{edit_cr3, "cr3: was"},
		{edit_cr4, "cr4: was"},
		{edit_cr8, "cr8: was"},
		{edit_dr7, "dr7: was"},
		{edit_rflags, "rflags: was"},
		{edit_xcr0, "xcr0: was"},
		{edit_cpl, "cpl: was"},
		{edit_gdtr_base, "gdtr.base: was"},
		{edit_gdtr_limit, "gdtr.limit: was"},
		{edit_idtr_base, "idtr.base: was"},
		{edit_idtr_limit, "idtr.limit: was"},
		{edit_es_sel, "ES: was sel"},
		{edit_cs_base, "CS: was sel"},
		{edit_ss_limit, "SS: was sel"},
		{edit_tr_ar, "TR: was sel"},
	};

	(void)state;
	for (unsigned i = 0; i < FLANK_ARRAY_SIZE(cases); i++) {
		assert_int_equal(mock_init("skylake", 1), 0);
		expect_reg_diff(cases[i].edit, cases[i].name);
		mock_fini();
	}
}

/* MSR values, removals and additions are differences; the TSC is not. */
static void test_mock_snapshot_msr_diffs(void **state)
{
	struct mock_cpu_snapshot *s;
	char why[160];
	uint64_t v = 0;

	(void)state;
	assert_int_equal(mock_init("skylake", 1), 0);
	s = mock_cpu_snapshot(0);
	assert_true(mock_msr_get(0, MSR_IA32_TSC, &v));
	mock_msr_set(0, MSR_IA32_TSC, v + 1000);
	assert_true(mock_cpu_snapshot_equal(s, 0, why, sizeof(why)));
	mock_msr_set(0, MSR_IA32_STAR, 0x1234);
	assert_false(mock_cpu_snapshot_equal(s, 0, why, sizeof(why)));
	assert_non_null(strstr(why, "MSR 0xc0000081: was"));
	mock_cpu_snapshot_free(s);

	s = mock_cpu_snapshot(0);
	mock_msr_remove(0, MSR_IA32_STAR);
	assert_false(mock_cpu_snapshot_equal(s, 0, why, sizeof(why)));
	assert_string_equal(why, "MSR 0xc0000081 disappeared");
	mock_cpu_snapshot_free(s);

	s = mock_cpu_snapshot(0);
	mock_msr_set(0, MSR_IA32_STAR, 1);
	assert_false(mock_cpu_snapshot_equal(s, 0, why, sizeof(why)));
	assert_string_equal(why, "MSR 0xc0000081 appeared");
	mock_cpu_snapshot_free(s);
	mock_fini();
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mock_snapshot_register_diffs),
		cmocka_unit_test(test_mock_snapshot_msr_diffs),
	};

	return FLANK_RUN_TESTS(tests);
}
