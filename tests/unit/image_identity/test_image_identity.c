// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Proof that the objects are the same (DESIGN.md): the libvmm archive
 * linked into vmm.elf and the one this test binary (like every host test)
 * links have the same SHA-256. The image part records the first when it
 * links vmm.elf, the host part the second from the target `libvmm`. The
 * same holds for the checker archive, libvmm_check.a, linked into the
 * vmcs_check module and into the tests that check VMCSs. In a
 * FLANK_COVERAGE build the tests link the documented instrumented twin
 * instead, and the test is skipped saying so.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "flank/vmm_version.h"
#include "flank/vmm_vmcs_check.h"
#include "flank_test.h"

/* Reads the hex digest (first field) of a checksum record. */
static void read_digest(const char *path, char digest[65])
{
	FILE *f = fopen(path, "r");

	if (!f)
		fail_msg("cannot open checksum record %s", path);
	assert_int_equal(fscanf(f, "%64s", digest), 1);
	fclose(f);
	assert_int_equal(strlen(digest), 64);
	for (int i = 0; i < 64; i++)
		assert_true(isxdigit((unsigned char)digest[i]));
}

/* The archive in vmm.elf and the archive the tests link are identical. */
static void test_image_identity_same_archive(void **state)
{
	char image[65], tests[65];

	(void)state;
	/* This binary really links the archive (the record is not idle). */
	assert_int_equal(vmm_version(), FLANK_VERSION);
#ifdef FLANK_COVERAGE_TWIN
	print_message("skipped: FLANK_COVERAGE build, the tests link the "
		      "instrumented twin of libvmm (same sources and flags "
		      "plus --coverage), not the archive in vmm.elf\n");
	skip();
#endif
	read_digest(FLANK_LIBVMM_SHA256_IMAGE, image);
	read_digest(FLANK_LIBVMM_SHA256_TESTS, tests);
	print_message("libvmm.a in vmm.elf: %s\nlibvmm.a in tests:   %s\n",
		      image, tests);
	assert_string_equal(image, tests);
}

/* The checker archive in vmcs_check.elf and the one the tests link are
 * identical. */
static void test_image_identity_same_check_archive(void **state)
{
	char image[65], tests[65];

	(void)state;
	/* This binary really links the checker archive. */
	assert_true(vmm_vmcs_check_rule_count() > 0);
#ifdef FLANK_COVERAGE_TWIN
	print_message("skipped: FLANK_COVERAGE build, the tests link the "
		      "instrumented twin of libvmm_check\n");
	skip();
#endif
	read_digest(FLANK_LIBVMM_CHECK_SHA256_IMAGE, image);
	read_digest(FLANK_LIBVMM_CHECK_SHA256_TESTS, tests);
	print_message("libvmm_check.a in vmcs_check.elf: %s\n"
		      "libvmm_check.a in tests:          %s\n",
		      image, tests);
	assert_string_equal(image, tests);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_image_identity_same_archive),
		cmocka_unit_test(test_image_identity_same_check_archive),
	};

	return FLANK_RUN_TESTS(tests);
}
