// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libvmm's VMCS consistency checker (libvmm/src/vmcs_check*.c) against the
 * emulated VT-x, row by row over the emulator's own rule table
 * (tests/unit/mock_entry/entry_rows.c): the emulator's valid VMCS is made
 * the current VMCS of the CPU, one row's edit breaks it, and both
 * implementations judge the same VMCS. Where the checker covers the rule
 * the emulator reports, it must name exactly that rule; where it does not
 * (the list at the top of vmcs_check.c), it must find nothing: naming any
 * other rule would send the user after the wrong field. With the row's
 * "good" edit (often a boundary value) both must pass.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flank_test.h"
#include "entry_fixture.h"
#include "entry_suite.h"
#include "flank/vmm_vmcs_check.h"

static bool checker_covers(const char *rule)
{
	for (uint32_t i = 0; vmm_vmcs_check_rule_id(i) != NULL; i++)
		if (strcmp(vmm_vmcs_check_rule_id(i), rule) == 0)
			return true;
	return false;
}

/* Builds the fixture and makes its VMCS the one VMREAD reads. */
static void setup(struct efx *fx, unsigned profile)
{
	assert_int_equal(efx_init(fx, efx_profile_name(profile)), 0);
	fx->cpu->cur_vmcs = fx->vmcs;
	assert_int_equal(fx->cpu->current_ptr, fx->vmcs->pa);
}

/* Runs both judges; returns the emulator's rule ("" when it passes). */
static const char *judge(struct efx *fx, struct vmm_vmcs_check_result *res)
{
	struct efx_verdict v;

	efx_run(fx, &v);
	/* efx_run may have re-pointed the CPU (it does not, but be sure). */
	fx->cpu->cur_vmcs = fx->vmcs;
	vmm_vmcs_check(res);
	return v.stage == STAGE_PASS ? "" : v.fail.rule;
}

static const char *describe(const struct vmm_vmcs_check_result *res)
{
	static char buf[160];

	vmm_vmcs_check_describe(res, buf, sizeof(buf));
	return buf;
}

/* The checker agrees with the emulator on the row's broken VMCS. */
static void test_vmcs_check_xcheck_row_fires(void **state)
{
	const struct efx_case *c = *state;
	struct vmm_vmcs_check_result res;
	struct efx fx;
	const char *emu;

	setup(&fx, c->profile);
	efx_apply(&fx, c->row->prep, EFX_PREP_MAX);
	efx_apply(&fx, c->row->bad, EFX_EDIT_MAX);
	emu = judge(&fx, &res);
	assert_string_equal(emu, c->row->rule);
	if (checker_covers(emu) || res.status != VMM_VMCS_CHECK_PASS) {
		if (res.status != VMM_VMCS_CHECK_FAIL ||
		    strcmp(res.rule, emu) != 0)
			fail_msg("%s: emulator %s, checker %s", fx.profile, emu,
				 describe(&res));
		/* The CPU's report for the rule: error 7/8 or exit 33. */
		assert_int_equal(res.vmx_error, emu[0] == 'C'	? 7u
						: emu[0] == 'H' ? 8u
								: 0u);
		assert_non_null(strstr(res.citation, "SDM Vol. 3C 27."));
	}
	efx_fini(&fx);
}

/* With the field right both pass: the checker refuses no valid VMCS. */
static void test_vmcs_check_xcheck_row_passes(void **state)
{
	const struct efx_case *c = *state;
	struct vmm_vmcs_check_result res;
	struct efx fx;
	const char *emu;

	setup(&fx, c->profile);
	if (c->row) {
		efx_apply(&fx, c->row->prep, EFX_PREP_MAX);
		efx_apply(&fx, c->row->good, EFX_EDIT_MAX);
	} else {
		efx_apply(&fx, c->pass->w, EFX_PREP_MAX);
	}
	emu = judge(&fx, &res);
	assert_string_equal(emu, "");
	if (res.status != VMM_VMCS_CHECK_PASS)
		fail_msg("%s: checker refuses a valid VMCS: %s", fx.profile,
			 describe(&res));
	efx_fini(&fx);
}

static const unsigned profile_bits[] = {P_SKY, P_PENRYN, P_MEROM};

/* From test_vmcs_check_edges.c. */
extern const struct CMUnitTest *const vmcs_check_edge_tests;
extern const size_t vmcs_check_edge_test_count;

/* The emulator's rule list (intrinsics/mock/entry_rules.c). */
extern const char *const mock_entry_rule_ids[];

/*
 * Every rule the checker can report is one the emulator knows, and the
 * table's rows make the checker report it on some profile: no rule of the
 * checker is left untested by the cross-check.
 */
static void test_vmcs_check_xcheck_every_rule_reached(void **state)
{
	uint32_t count = vmm_vmcs_check_rule_count();
	bool *seen = calloc(count, sizeof(*seen));
	unsigned missing = 0;

	(void)state;
	assert_non_null(seen);
	for (uint32_t i = 0; i < count; i++) {
		bool known = false;

		for (unsigned j = 0; mock_entry_rule_ids[j] && !known; j++)
			known = strcmp(mock_entry_rule_ids[j],
				       vmm_vmcs_check_rule_id(i)) == 0;
		if (!known)
			fail_msg("checker rule %s unknown to the emulator",
				 vmm_vmcs_check_rule_id(i));
	}
	for (unsigned r = 0; r < efx_row_count; r++) {
		for (unsigned p = 0; p < 3; p++) {
			struct vmm_vmcs_check_result res;
			struct efx fx;

			if (!(efx_rows[r].profiles & profile_bits[p]))
				continue;
			setup(&fx, profile_bits[p]);
			efx_apply(&fx, efx_rows[r].prep, EFX_PREP_MAX);
			efx_apply(&fx, efx_rows[r].bad, EFX_EDIT_MAX);
			(void)judge(&fx, &res);
			for (uint32_t i = 0; i < count; i++)
				if (res.status == VMM_VMCS_CHECK_FAIL &&
				    strcmp(res.rule,
					   vmm_vmcs_check_rule_id(i)) == 0)
					seen[i] = true;
			efx_fini(&fx);
		}
	}
	for (uint32_t i = 0; i < count; i++) {
		if (!seen[i]) {
			printf("no row makes the checker report %s\n",
			       vmm_vmcs_check_rule_id(i));
			missing++;
		}
	}
	free(seen);
	assert_int_equal(missing, 0);
}

int main(void)
{
	struct efx_suite s;

	if (efx_suite_build(&s, test_vmcs_check_xcheck_row_fires,
			    test_vmcs_check_xcheck_row_passes,
			    1 + vmcs_check_edge_test_count) != 0)
		return 1;
	efx_suite_add(&s, (struct CMUnitTest)cmocka_unit_test(
				  test_vmcs_check_xcheck_every_rule_reached));
	for (size_t i = 0; i < vmcs_check_edge_test_count; i++)
		efx_suite_add(&s, vmcs_check_edge_tests[i]);
	return efx_suite_run(&s, "vmcs_check_xcheck");
}
