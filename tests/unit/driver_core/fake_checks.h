/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The driver-core tests' common teardown check (CMocka): after
 * flank_core_fini(), the fake kernel holds nothing the driver took and saw
 * no misuse of its locks, user copies or signature checks under them.
 */
#ifndef FLANK_FAKE_CHECKS_H
#define FLANK_FAKE_CHECKS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_platform.h"

static inline void fake_assert_left_clean(void)
{
	assert_int_equal(fake.allocs, 0);
	assert_int_equal(fake.image_maps, 0);
	assert_int_equal(fake.lock_errors, 0);
	assert_int_equal(fake.lock_depth, 0);
	assert_int_equal(fake.user_copies_locked, 0);
	assert_int_equal(fake.verifies_locked, 0);
}

#endif /* FLANK_FAKE_CHECKS_H */
