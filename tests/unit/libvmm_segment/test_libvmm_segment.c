// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vmm_segment_read(): descriptors in a GDT and, through the LDTR's 16-byte
 * system descriptor, in an LDT, decoded to the VMCS format (SDM Vol. 3A
 * 3.4.5, 7.2.3; Vol. 3C 25.4.1); every malformed table or selector is
 * refused with VMM_ERR_DESCRIPTOR instead of being read past its limit.
 */
#include <string.h>

#include "flank_test.h"
#include "flank/vmm_status.h"
#include "vmm_internal.h"

/* An 8-byte descriptor: access byte (P DPL S type) and flags (G D L AVL). */
static uint64_t desc(uint32_t base, uint32_t limit, unsigned access,
		     unsigned flags)
{
	return (uint64_t)(limit & 0xFFFFu) |
	       ((uint64_t)(base & 0xFFFFFFu) << 16) |
	       ((uint64_t)(access & 0xFFu) << 40) |
	       ((uint64_t)((limit >> 16) & 0xFu) << 48) |
	       ((uint64_t)(flags & 0xFu) << 52) |
	       ((uint64_t)(base >> 24) << 56);
}

#define DATA_RW 0x93u /* present, DPL 0, S, read/write data */
#define CODE_XR 0x9Bu /* present, DPL 0, S, execute/read code, accessed */
#define LDT_SYS 0x82u /* present, DPL 0, system, type 2 (LDT) */
#define TSS_SYS 0x89u /* present, DPL 0, system, type 9 (available TSS) */

static uint64_t gdt[8];
static uint64_t ldt[4];

/* GDT: 1 code, 2 data (4 GiB), 4-5 the LDT, 6-7 a TSS above 4 GiB. */
static struct cpu_dtr make_tables(void)
{
	uint64_t la = (uint64_t)(uintptr_t)ldt;

	memset(gdt, 0, sizeof(gdt));
	memset(ldt, 0, sizeof(ldt));
	gdt[1] = desc(0, 0xFFFFF, CODE_XR, 0xA);
	gdt[2] = desc(0, 0xFFFFF, DATA_RW, 0xC);
	gdt[4] = desc((uint32_t)la, sizeof(ldt) - 1, LDT_SYS, 0);
	gdt[5] = la >> 32;
	gdt[6] = desc(0x12345678u, 0x67, TSS_SYS, 0);
	gdt[7] = 0xFFFF8000u;
	ldt[1] = desc(0x1000, 0xFFFF, DATA_RW & ~0x1u, 0);
	ldt[2] = desc(0x2000, 0xFFFF, DATA_RW & ~0x80u, 0); /* not present */
	return (struct cpu_dtr){.base = (uint64_t)(uintptr_t)gdt,
				.limit = sizeof(gdt) - 1};
}

/* GDT code/data and system descriptors decode to base, limit and AR. */
static void test_libvmm_segment_gdt(void **state)
{
	struct cpu_dtr g = make_tables();
	struct vmm_segment s;

	(void)state;
	assert_int_equal(vmm_segment_read(0x10, &g, 0, false, &s), VMM_OK);
	assert_int_equal(s.selector, 0x10);
	assert_int_equal(s.base, 0);
	assert_int_equal(s.limit, 0xFFFFFFFFu);
	assert_int_equal(s.ar, 0xC093u);
	assert_int_equal(vmm_segment_read(0x08, &g, 0, false, &s), VMM_OK);
	assert_int_equal(s.ar, 0xA09Bu);
	/* A 16-byte TSS descriptor: base bits 63:32 from the upper half. */
	assert_int_equal(vmm_segment_read(0x30, &g, 0, true, &s), VMM_OK);
	assert_int_equal(s.base, UINT64_C(0xFFFF800012345678));
	assert_int_equal(s.limit, 0x67);
	assert_int_equal(s.ar, 0x89u);
	/* Null selectors (any RPL) leave the register unusable. */
	assert_int_equal(vmm_segment_read(0x3, &g, 0, false, &s), VMM_OK);
	assert_int_equal(s.ar, AR_UNUSABLE);
}

/* A TI=1 selector is read from the LDT the LDTR selects; accessed is set. */
static void test_libvmm_segment_ldt(void **state)
{
	struct cpu_dtr g = make_tables();
	struct vmm_segment s;

	(void)state;
	assert_int_equal(vmm_segment_read(0x0F, &g, 0x20, false, &s), VMM_OK);
	assert_int_equal(s.selector, 0x0F);
	assert_int_equal(s.base, 0x1000);
	assert_int_equal(s.limit, 0xFFFF);
	assert_int_equal(s.ar, 0x93u);
}

/* Malformed LDT references are refused, never read. */
static void test_libvmm_segment_ldt_refused(void **state)
{
	struct cpu_dtr g = make_tables();
	struct cpu_dtr shortg = {.base = g.base,
				 .limit = 0x27}; /* LDT descriptor cut off */
	struct vmm_segment s;

	(void)state;
	/* System segments are never in an LDT. */
	assert_int_equal(vmm_segment_read(0x0C, &g, 0x20, true, &s),
			 VMM_ERR_DESCRIPTOR);
	/* No LDT (null LDTR), or an LDTR that is itself TI=1. */
	assert_int_equal(vmm_segment_read(0x0C, &g, 0, false, &s),
			 VMM_ERR_DESCRIPTOR);
	assert_int_equal(vmm_segment_read(0x0C, &g, 0x24, false, &s),
			 VMM_ERR_DESCRIPTOR);
	/* The LDT's 16-byte descriptor past the GDT limit. */
	assert_int_equal(vmm_segment_read(0x0C, &shortg, 0x20, false, &s),
			 VMM_ERR_DESCRIPTOR);
	/* Past the LDT's limit, and a not-present LDT entry. */
	assert_int_equal(vmm_segment_read(0x24, &g, 0x20, false, &s),
			 VMM_ERR_DESCRIPTOR);
	assert_int_equal(vmm_segment_read(0x14, &g, 0x20, false, &s),
			 VMM_ERR_DESCRIPTOR);
}

/* GDT limits, a missing GDT, and descriptors of the wrong kind. */
static void test_libvmm_segment_gdt_refused(void **state)
{
	struct cpu_dtr g = make_tables();
	struct cpu_dtr none = {.base = 0, .limit = 0xFFFF};
	struct vmm_segment s;

	(void)state;
	assert_int_equal(vmm_segment_read(0x40, &g, 0, false, &s),
			 VMM_ERR_DESCRIPTOR);
	assert_int_equal(vmm_segment_read(0x10, &none, 0, false, &s),
			 VMM_ERR_DESCRIPTOR);
	/* A system read of a code segment, a code/data read of a TSS. */
	assert_int_equal(vmm_segment_read(0x08, &g, 0, true, &s),
			 VMM_ERR_DESCRIPTOR);
	assert_int_equal(vmm_segment_read(0x30, &g, 0, false, &s),
			 VMM_ERR_DESCRIPTOR);
	/* Index 3 is empty: not present. */
	assert_int_equal(vmm_segment_read(0x18, &g, 0, false, &s),
			 VMM_ERR_DESCRIPTOR);
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libvmm_segment_gdt),
		cmocka_unit_test(test_libvmm_segment_ldt),
		cmocka_unit_test(test_libvmm_segment_ldt_refused),
		cmocka_unit_test(test_libvmm_segment_gdt_refused),
	};

	return FLANK_RUN_TESTS(tests);
}
