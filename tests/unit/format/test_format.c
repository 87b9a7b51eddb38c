// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests of the freestanding formatter (libvmm/src/format.c). */
#include <stdint.h>
#include <string.h>

#include "flank/vmm_format.h"
#include "flank_test.h"

/* Formats into a fresh buffer and checks text and returned length. */
#define CHECK_FMT(expect, ...)                                                 \
	do {                                                                   \
		char b_[128];                                                  \
		size_t n_ = vmm_snprintf(b_, sizeof(b_), __VA_ARGS__);         \
		assert_string_equal(b_, (expect));                             \
		assert_int_equal(n_, strlen(expect));                          \
	} while (0)

/* Each integer conversion prints what C's printf prints. */
static void test_format_integers(void **state)
{
	(void)state;
	CHECK_FMT("0 -1 42", "%d %d %u", 0, -1, 42u);
	CHECK_FMT("-2147483648", "%d", INT32_MIN);
	CHECK_FMT("4294967295", "%u", UINT32_MAX);
	CHECK_FMT("-9223372036854775808", "%lld", (long long)INT64_MIN);
	CHECK_FMT("18446744073709551615", "%llu",
		  (unsigned long long)UINT64_MAX);
	CHECK_FMT("-5 7", "%ld %lu", -5L, 7UL);
	CHECK_FMT("ff FF deadbeefcafe", "%x %X %lx", 255u, 255u,
		  0xdeadbeefcafeUL);
	CHECK_FMT("ffffffffffffffff", "%llx", (unsigned long long)UINT64_MAX);
	CHECK_FMT("-3", "%i", -3);
}

/* Width, zero padding and left justification behave like printf. */
static void test_format_width_and_padding(void **state)
{
	(void)state;
	CHECK_FMT("00000000000000ab", "%016lx", 0xabUL);
	CHECK_FMT("   42", "%5d", 42);
	CHECK_FMT("-0042", "%05d", -42);
	CHECK_FMT("42   |", "%-5d|", 42);
	CHECK_FMT("  ab|ab  |", "%4s|%-4s|", "ab", "ab");
	CHECK_FMT("    x", "%5c", 'x');
	CHECK_FMT("123456", "%3d", 123456);
}

/* Widths beyond VMM_FORMAT_MAX_WIDTH are clamped, not trusted. */
static void test_format_width_clamped(void **state)
{
	char b[256];
	(void)state;
	size_t n = vmm_snprintf(b, sizeof(b), "%999d", 1);
	assert_int_equal(n, VMM_FORMAT_MAX_WIDTH);
	assert_int_equal(strlen(b), VMM_FORMAT_MAX_WIDTH);
}

/* Strings, characters, pointers, %% and NULL strings. */
static void test_format_strings_chars_pointers(void **state)
{
	CHECK_FMT("a-b c 100%", "%s-%s %c 100%%", "a", "b", 'c');
	const char *volatile null_string = NULL;
	(void)state;
	CHECK_FMT("(null)", "%s", null_string);
	CHECK_FMT("0x00000000deadbeef", "%p", (void *)0xdeadbeefUL);
}

/* An unknown or cut conversion is copied literally and eats no argument. */
static void test_format_unknown_conversion(void **state)
{
	/* Through variables: the compiler would reject these literals. */
	const char *unknown = "%q %d", *cut = "x %5", *lone = "%";
	(void)state;
	CHECK_FMT("%q 5", unknown, 5);
	CHECK_FMT("x %5", cut);
	CHECK_FMT("%", lone);
}

/* Truncation: always NUL-terminated, returns the full length. */
static void test_format_truncation(void **state)
{
	char b[6];
	(void)state;
	memset(b, 'z', sizeof(b));
	assert_int_equal(vmm_snprintf(b, sizeof(b), "%s", "hello world"), 11);
	assert_string_equal(b, "hello");
	assert_int_equal(vmm_snprintf(b, 1, "abc"), 3);
	assert_string_equal(b, "");
	/* Size 0 writes nothing at all. */
	b[0] = 'q';
	assert_int_equal(vmm_snprintf(b, 0, "abc"), 3);
	assert_int_equal(b[0], 'q');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_integers),
		cmocka_unit_test(test_format_width_and_padding),
		cmocka_unit_test(test_format_width_clamped),
		cmocka_unit_test(test_format_strings_chars_pointers),
		cmocka_unit_test(test_format_unknown_conversion),
		cmocka_unit_test(test_format_truncation),
	};
	return FLANK_RUN_TESTS(tests);
}
