// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VM-entry checks of the emulated VT-x, rule by rule: every row of
 * entry_rows.c becomes, on each profile it names, one test that makes the
 * rule fire (exact rule id, VM-instruction error or exit reason, and
 * qualification) and one that shows the entry passing with the field right.
 * The checks are called directly, in VM-entry order (controls, host, guest,
 * MSR-load), so the tests include the emulator's internal header.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flank_test.h"
#include "entry_fixture.h"
#include "entry_suite.h"

/* The stage a rule belongs to, from its group letter (VMX-CHECKS.md). */
static enum efx_stage stage_of(const char *rule)
{
	if (rule[0] == 'C')
		return STAGE_CONTROLS;
	if (rule[0] == 'H')
		return STAGE_HOST;
	if (strncmp(rule, "G17.", 4) == 0)
		return STAGE_MSR;
	return STAGE_GUEST;
}

static void setup_fx(struct efx *fx, unsigned profile)
{
	assert_int_equal(efx_init(fx, efx_profile_name(profile)), 0);
}

static void assert_passes(struct efx *fx)
{
	struct efx_verdict v;

	efx_run(fx, &v);
	if (v.stage != STAGE_PASS)
		fail_msg("%s: entry refused by %s (%s)", fx->profile,
			 v.fail.rule, v.fail.citation);
}

/* The rule of the row fires, with the outcome its stage defines. */
static void test_mock_entry_rule_fires(void **state)
{
	const struct efx_case *c = *state;
	const struct efx_row *r = c->row;
	enum efx_stage want = stage_of(r->rule);
	struct efx fx;
	struct efx_verdict v;

	setup_fx(&fx, c->profile);
	efx_apply(&fx, r->prep, EFX_PREP_MAX);
	efx_apply(&fx, r->bad, EFX_EDIT_MAX);
	efx_run(&fx, &v);
	if (v.stage == STAGE_PASS || strcmp(v.fail.rule, r->rule) != 0)
		fail_msg("%s: expected %s, got %s", fx.profile, r->rule,
			 v.stage == STAGE_PASS ? "a successful entry"
					       : v.fail.rule);
	assert_int_equal(v.stage, want);
	assert_non_null(strstr(v.fail.citation, "SDM Vol. 3C 27."));
	switch (want) {
	case STAGE_CONTROLS:
		assert_int_equal(v.vm_error, 7);
		assert_int_equal(v.fail.exit_reason, 0);
		break;
	case STAGE_HOST:
		assert_int_equal(v.vm_error, 8);
		assert_int_equal(v.fail.exit_reason, 0);
		break;
	case STAGE_GUEST:
		assert_int_equal(v.fail.exit_reason, 0x80000000u | 33u);
		assert_int_equal(v.fail.qualification, r->qual);
		break;
	default:
		assert_int_equal(v.fail.exit_reason, 0x80000000u | 34u);
		assert_int_equal(v.fail.qualification, r->qual);
		break;
	}
	efx_fini(&fx);
}

/* With the field right (often a boundary value) the entry passes. */
static void test_mock_entry_rule_passes(void **state)
{
	const struct efx_case *c = *state;
	struct efx fx;

	setup_fx(&fx, c->profile);
	if (c->row) {
		efx_apply(&fx, c->row->prep, EFX_PREP_MAX);
		efx_apply(&fx, c->row->good, EFX_EDIT_MAX);
	} else {
		efx_apply(&fx, c->pass->w, EFX_PREP_MAX);
	}
	assert_passes(&fx);
	efx_fini(&fx);
}

/* The VMCS a correct VMM builds from the initial CPU passes every stage. */
static void test_mock_entry_fixture_valid(void **state)
{
	static const unsigned profiles[] = {P_SKY, P_PENRYN, P_MEROM};
	struct efx fx;

	(void)state;
	for (unsigned i = 0; i < FLANK_ARRAY_SIZE(profiles); i++) {
		setup_fx(&fx, profiles[i]);
		assert_passes(&fx);
		efx_fini(&fx);
	}
}

static bool rule_listed(const char *rule)
{
	for (unsigned i = 0; mock_entry_rule_ids[i]; i++) {
		if (strcmp(mock_entry_rule_ids[i], rule) == 0)
			return true;
	}
	return false;
}

/* Every rule the emulator can report is fired by at least one row. */
static void test_mock_entry_every_rule_has_a_row(void **state)
{
	unsigned missing = 0;

	(void)state;
	for (unsigned i = 0; mock_entry_rule_ids[i]; i++) {
		bool found = false;

		for (unsigned j = 0; j < efx_row_count && !found; j++)
			found = strcmp(efx_rows[j].rule,
				       mock_entry_rule_ids[i]) == 0;
		for (unsigned j = 0; !found && j < 2; j++)
			found = strcmp(mock_entry_rule_ids[i],
				       j ? "G17.count" : "") == 0;
		if (!found) {
			printf("no row fires %s\n", mock_entry_rule_ids[i]);
			missing++;
		}
	}
	assert_int_equal(missing, 0);
	for (unsigned j = 0; j < efx_row_count; j++)
		if (!rule_listed(efx_rows[j].rule))
			fail_msg("row names unknown rule %s", efx_rows[j].rule);
}

/* Rule identifiers are unique and of the form "<group>.<what>". */
static void test_mock_entry_rule_ids_unique(void **state)
{
	unsigned n = 0;

	(void)state;
	for (unsigned i = 0; mock_entry_rule_ids[i]; i++, n++) {
		const char *id = mock_entry_rule_ids[i];

		assert_true(id[0] == 'C' || id[0] == 'H' || id[0] == 'G');
		assert_non_null(strchr(id, '.'));
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(id, mock_entry_rule_ids[j]);
	}
	assert_true(n > 150);
}

/* Loaded MSRs land in the CPU's MSR file, in list order. */
static void test_mock_entry_msr_list_applied(void **state)
{
	struct efx fx;
	uint64_t v;

	(void)state;
	setup_fx(&fx, P_SKY);
	efx_set(&fx, VMCS_VM_ENTRY_MSR_LOAD_COUNT, 3);
	efx_set(&fx, VMCS_VM_ENTRY_MSR_LOAD_ADDR, fx.pa[PG_MSRLIST]);
	efx_msr_entry(&fx, 0, MSR_IA32_STAR, 0x1111);
	efx_msr_entry(&fx, 1, MSR_IA32_LSTAR, 0xffffffff81000000);
	efx_msr_entry(&fx, 2, MSR_IA32_STAR, 0x2222);
	assert_passes(&fx);
	assert_true(mock_msr_get(0, MSR_IA32_STAR, &v));
	assert_int_equal(v, 0x2222);
	assert_true(mock_msr_get(0, MSR_IA32_LSTAR, &v));
	assert_int_equal(v, 0xffffffff81000000);
	efx_fini(&fx);
}

/* Entries before the failing one stay loaded; the index is reported. */
static void test_mock_entry_msr_partial_load(void **state)
{
	struct efx fx;
	struct efx_verdict vd;
	uint64_t v;

	(void)state;
	setup_fx(&fx, P_PENRYN);
	efx_set(&fx, VMCS_VM_ENTRY_MSR_LOAD_COUNT, 3);
	efx_set(&fx, VMCS_VM_ENTRY_MSR_LOAD_ADDR, fx.pa[PG_MSRLIST]);
	efx_msr_entry(&fx, 0, MSR_IA32_STAR, 0x3333);
	efx_msr_entry(&fx, 1, MSR_IA32_FS_BASE, 0);
	efx_msr_entry(&fx, 2, MSR_IA32_STAR, 0x4444);
	efx_run(&fx, &vd);
	assert_int_equal(vd.stage, STAGE_MSR);
	assert_string_equal(vd.fail.rule, "G17.fs_gs_base");
	assert_int_equal(vd.fail.qualification, 2);
	assert_true(mock_msr_get(0, MSR_IA32_STAR, &v));
	assert_int_equal(v, 0x3333);
	efx_fini(&fx);
}

/* 512 entries (IA32_VMX_MISC[27:25] = 0) load; entry 513 fails G17.count. */
static void test_mock_entry_msr_count_limit(void **state)
{
	static const unsigned profiles[] = {P_SKY, P_PENRYN};
	struct efx fx;
	struct efx_verdict vd;

	(void)state;
	for (unsigned p = 0; p < FLANK_ARRAY_SIZE(profiles); p++) {
		setup_fx(&fx, profiles[p]);
		for (unsigned i = 0; i < 513; i++)
			efx_msr_entry(&fx, i, MSR_IA32_STAR, i);
		efx_set(&fx, VMCS_VM_ENTRY_MSR_LOAD_ADDR, fx.pa[PG_MSRLIST]);
		efx_set(&fx, VMCS_VM_ENTRY_MSR_LOAD_COUNT, 512);
		assert_passes(&fx);
		efx_set(&fx, VMCS_VM_ENTRY_MSR_LOAD_COUNT, 513);
		efx_run(&fx, &vd);
		assert_int_equal(vd.stage, STAGE_MSR);
		assert_string_equal(vd.fail.rule, "G17.count");
		assert_int_equal(vd.fail.qualification, 513);
		assert_int_equal(vd.fail.exit_reason, 0x80000022u);
		efx_fini(&fx);
	}
}

/* Without VMX capability MSRs no control may be 1 (novmx profile). */
static void test_mock_entry_novmx_refuses_controls(void **state)
{
	struct efx fx;
	struct efx_verdict vd;

	(void)state;
	assert_int_equal(efx_init(&fx, "novmx"), 0);
	efx_set(&fx, VMCS_VM_ENTRY_CONTROLS, ENTRY_IA32E_MODE_GUEST);
	efx_run(&fx, &vd);
	assert_int_equal(vd.stage, STAGE_CONTROLS);
	assert_string_equal(vd.fail.rule, "C1.entry_allowed1");
	efx_fini(&fx);
}

/* Stages run in SDM order: a bad control hides a bad host and guest. */
static void test_mock_entry_stage_order(void **state)
{
	struct efx fx;
	struct efx_verdict vd;

	(void)state;
	setup_fx(&fx, P_SKY);
	efx_set(&fx, VMCS_GUEST_RFLAGS, 0);
	efx_set(&fx, VMCS_HOST_CS_SELECTOR, 0);
	efx_set(&fx, VMCS_CR3_TARGET_COUNT, 9);
	efx_run(&fx, &vd);
	assert_string_equal(vd.fail.rule, "C3.cr3_target_count");
	efx_set(&fx, VMCS_CR3_TARGET_COUNT, 0);
	efx_run(&fx, &vd);
	assert_string_equal(vd.fail.rule, "H6.cs_null");
	efx_set(&fx, VMCS_HOST_CS_SELECTOR, 0x10);
	efx_run(&fx, &vd);
	assert_string_equal(vd.fail.rule, "G5.rflags_fixed1");
	efx_fini(&fx);
}

/* From test_vmcs_store.c. */
extern const struct CMUnitTest vmcs_store_tests[];
extern const size_t vmcs_store_test_count;

int main(void)
{
	struct efx_suite s;

	if (efx_suite_build(&s, test_mock_entry_rule_fires,
			    test_mock_entry_rule_passes,
			    8 + vmcs_store_test_count) != 0)
		return 1;
	efx_suite_add(&s, (struct CMUnitTest)cmocka_unit_test(
				  test_mock_entry_fixture_valid));
	efx_suite_add(&s, (struct CMUnitTest)cmocka_unit_test(
				  test_mock_entry_every_rule_has_a_row));
	efx_suite_add(&s, (struct CMUnitTest)cmocka_unit_test(
				  test_mock_entry_rule_ids_unique));
	efx_suite_add(&s, (struct CMUnitTest)cmocka_unit_test(
				  test_mock_entry_msr_list_applied));
	efx_suite_add(&s, (struct CMUnitTest)cmocka_unit_test(
				  test_mock_entry_msr_partial_load));
	efx_suite_add(&s, (struct CMUnitTest)cmocka_unit_test(
				  test_mock_entry_msr_count_limit));
	efx_suite_add(&s, (struct CMUnitTest)cmocka_unit_test(
				  test_mock_entry_novmx_refuses_controls));
	efx_suite_add(&s, (struct CMUnitTest)cmocka_unit_test(
				  test_mock_entry_stage_order));
	for (size_t i = 0; i < vmcs_store_test_count; i++)
		efx_suite_add(&s, vmcs_store_tests[i]);

	return efx_suite_run(&s, "mock_entry");
}
