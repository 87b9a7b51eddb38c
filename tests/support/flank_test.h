/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Common includes and helpers of Flank's CMocka tests. */
#ifndef FLANK_TEST_H
#define FLANK_TEST_H

/* CMocka needs these before cmocka.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/** Number of elements of an array. */
#define FLANK_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/**
 * Runs a group of tests; the common main() body of every test executable.
 * Returns the number of failed tests, so a failure fails the process.
 */
int flank_run_group(const char *name, const struct CMUnitTest *tests,
		    size_t count);

#define FLANK_RUN_TESTS(tests)                                                 \
	flank_run_group(__FILE__, (tests), FLANK_ARRAY_SIZE(tests))

#endif /* FLANK_TEST_H */
