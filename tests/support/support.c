// SPDX-License-Identifier: GPL-2.0-or-later
#include "flank_test.h"

int flank_run_group(const char *name, const struct CMUnitTest *tests,
		    size_t count)
{
	return _cmocka_run_group_tests(name, tests, count, NULL, NULL);
}
