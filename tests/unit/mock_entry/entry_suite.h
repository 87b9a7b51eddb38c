/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The generated part of the row-driven suites (test_mock_entry and
 * test_vmcs_check_xcheck): every row of entry_rows.c, on each profile it
 * names, becomes a "fires" and a "passes" test, and every pass row a
 * "passes" test. Each test gets its struct efx_case as CMocka state.
 */
#ifndef FLANK_TEST_ENTRY_SUITE_H
#define FLANK_TEST_ENTRY_SUITE_H

#include <stddef.h>

#include "flank_test.h"
#include "entry_fixture.h"

/* One generated test: a rule row (row) or a pass row (pass) on a profile. */
struct efx_case {
	const struct efx_row *row;
	const struct efx_pass_row *pass;
	unsigned profile;
};

struct efx_suite {
	struct CMUnitTest *t; /* n tests filled, room for max */
	size_t n;
	size_t max;
	struct efx_case *cases;
	char **names; /* one allocated name per generated test */
};

/*
 * Generates the row tests with @p fires and @p passes and leaves room for
 * @p extra more tests (appended by the caller with efx_suite_add). Returns
 * 0, or -1 when out of memory (nothing to free then).
 */
int efx_suite_build(struct efx_suite *s, CMUnitTestFunction fires,
		    CMUnitTestFunction passes, size_t extra);
/* Appends @p test; fails the run (abort) if the room given is exceeded. */
void efx_suite_add(struct efx_suite *s, struct CMUnitTest test);
/* Runs the suite as group @p name, frees it and returns CMocka's result. */
int efx_suite_run(struct efx_suite *s, const char *name);

#endif
