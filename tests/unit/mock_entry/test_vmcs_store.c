// SPDX-License-Identifier: GPL-2.0-or-later
/* VMCS component storage of the emulated VT-x (vmcs_store.c). */
#include <string.h>

#include "flank_test.h"
#include "mock_internal.h"

static const uint32_t all_fields[] = {
#define ENC(name, enc, feat) (enc),
	VMCS_FIELD_LIST(ENC)
#undef ENC
};

/* Every encoding of the field table maps to its own position. */
static void test_mock_entry_vmcs_index_roundtrip(void **state)
{
	(void)state;
	assert_int_equal(FLANK_ARRAY_SIZE(all_fields), VMCS_FIELD_COUNT);
	for (unsigned i = 0; i < VMCS_FIELD_COUNT; i++)
		assert_int_equal(mock_vmcs_field_index(all_fields[i]), (int)i);
}

/* Encodings not in the table, or with reserved bits, are unknown. */
static void test_mock_entry_vmcs_index_unknown(void **state)
{
	(void)state;
	assert_int_equal(mock_vmcs_field_index(0x6C1Eu), -1);
	assert_int_equal(mock_vmcs_field_index(VMCS_GUEST_CR0 | BIT32(12)), -1);
	assert_int_equal(mock_vmcs_field_index(VMCS_GUEST_CR0 | BIT32(15)), -1);
	assert_int_equal(mock_vmcs_field_index(VMCS_VPID | BIT32(31)), -1);
	/* The high half of a 64-bit field is not a component of its own. */
	assert_int_equal(mock_vmcs_field_index(VMCS_EPT_POINTER | 1u), -1);
	assert_int_equal(mock_vmcs_field_index(0xFFFFFFFFu), -1);
}

/* Writes keep only the component's width (SDM Vol. 3C 25.11.2). */
static void test_mock_entry_vmcs_set_truncates(void **state)
{
	struct mock_vmcs v;

	(void)state;
	memset(&v, 0, sizeof(v));
	mock_vmcs_set(&v, VMCS_VPID, 0x123456789);
	assert_int_equal(mock_vmcs_get(&v, VMCS_VPID), 0x6789);
	mock_vmcs_set(&v, VMCS_VM_ENTRY_CONTROLS, 0x123456789);
	assert_int_equal(mock_vmcs_get(&v, VMCS_VM_ENTRY_CONTROLS), 0x23456789);
	mock_vmcs_set(&v, VMCS_GUEST_RIP, ~UINT64_C(0));
	assert_int_equal(mock_vmcs_get(&v, VMCS_GUEST_RIP), ~UINT64_C(0));
	mock_vmcs_set(&v, VMCS_EPT_POINTER, 0x1122334455667788);
	assert_int_equal(mock_vmcs_get(&v, VMCS_EPT_POINTER),
			 0x1122334455667788);
}

/* The high encoding reads and writes bits 63:32 only. */
static void test_mock_entry_vmcs_high_access(void **state)
{
	struct mock_vmcs v;

	(void)state;
	memset(&v, 0, sizeof(v));
	mock_vmcs_set(&v, VMCS_TSC_OFFSET, 0x1111111122222222);
	assert_int_equal(mock_vmcs_get(&v, VMCS_TSC_OFFSET | 1u), 0x11111111);
	mock_vmcs_set(&v, VMCS_TSC_OFFSET | 1u, 0xAAAAAAAABBBBBBBB);
	assert_int_equal(mock_vmcs_get(&v, VMCS_TSC_OFFSET),
			 0xBBBBBBBB22222222);
	/* Odd encodings of other widths are unknown: read 0, write nothing. */
	mock_vmcs_set(&v, VMCS_VM_ENTRY_CONTROLS | 1u, 5);
	assert_int_equal(mock_vmcs_get(&v, VMCS_VM_ENTRY_CONTROLS | 1u), 0);
	assert_int_equal(mock_vmcs_get(&v, VMCS_VM_ENTRY_CONTROLS), 0);
	mock_vmcs_set(&v, 0x6C1Eu, 5);
	assert_int_equal(mock_vmcs_get(&v, 0x6C1Eu), 0);
	for (unsigned i = 0; i < VMCS_FIELD_COUNT; i++)
		if (all_fields[i] != VMCS_TSC_OFFSET)
			assert_int_equal(v.field[i], 0);
}

const struct CMUnitTest vmcs_store_tests[] = {
	cmocka_unit_test(test_mock_entry_vmcs_index_roundtrip),
	cmocka_unit_test(test_mock_entry_vmcs_index_unknown),
	cmocka_unit_test(test_mock_entry_vmcs_set_truncates),
	cmocka_unit_test(test_mock_entry_vmcs_high_access),
};
const size_t vmcs_store_test_count = FLANK_ARRAY_SIZE(vmcs_store_tests);
