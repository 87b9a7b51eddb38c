/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Helpers shared by the loader's test files. */
#ifndef FLANK_LOADER_TEST_H
#define FLANK_LOADER_TEST_H

#include <elf.h>
#include <string.h>

#include "elf_gen.h"
#include "flank/elf_loader.h"
#include "flank_test.h"

/* Compares statuses by their strings, so a failure says which rule fired. */
#define assert_status(got, want)                                               \
	assert_string_equal(elf_status_str(got), elf_status_str(want))

#endif /* FLANK_LOADER_TEST_H */
