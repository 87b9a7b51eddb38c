// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A test that must fail. It is not part of `make test`; the meta-test
 * failing_test_fails.sh runs it through the Makefile's test recipe and
 * checks that the recipe reports the failure.
 */
#include "flank_test.h"

/* Holds nothing: 1 is not 2, so this test fails by design. */
static void test_meta_always_fails(void **state)
{
	(void)state;
	assert_int_equal(1, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_meta_always_fails),
	};
	return FLANK_RUN_TESTS(tests);
}
