// SPDX-License-Identifier: GPL-2.0-or-later
/* libvmm's freestanding memory helpers (libvmm/src/fmt.c). */
#include <stdint.h>
#include <string.h>

#include "flank_test.h"
#include "vmm_internal.h"

#define GUARD 0xa5u

/*
 * vmm_zero clears exactly [p, p + n) for every alignment of p and every
 * length around its word and four-word steps: the head bytes, the words
 * and the tail, never a byte before or after.
 */
static void test_libvmm_mem_zero_exact(void **state)
{
	static uint8_t buf[256] __attribute__((aligned(64)));

	(void)state;
	for (size_t off = 0; off < 16; off++) {
		for (size_t n = 0; n <= 100; n++) {
			memset(buf, GUARD, sizeof(buf));
			vmm_zero(buf + 64 + off, n);
			for (size_t i = 0; i < sizeof(buf); i++) {
				int inside = i >= 64 + off && i < 64 + off + n;
				if (buf[i] != (inside ? 0 : GUARD))
					fail_msg("offset %zu, length %zu: byte "
						 "%zu is %#x",
						 off, n, i, buf[i]);
			}
		}
	}
}

/* A whole page, as start clears the VMXON region and the VMCS. */
static void test_libvmm_mem_zero_page(void **state)
{
	static uint8_t page[3 * 4096] __attribute__((aligned(4096)));

	(void)state;
	memset(page, GUARD, sizeof(page));
	vmm_zero(page + 4096, 4096);
	for (size_t i = 0; i < sizeof(page); i++) {
		bool inside = i >= 4096 && i < 8192;
		assert_int_equal(page[i], inside ? 0 : GUARD);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libvmm_mem_zero_exact),
		cmocka_unit_test(test_libvmm_mem_zero_page),
	};
	return FLANK_RUN_TESTS(tests);
}
