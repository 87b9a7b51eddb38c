// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The readable VMCS dump (libvmm/src/vmcs_dump.c) on the emulated VT-x: a
 * real VMXON and VMPTRLD, then every field of the table read back from the
 * ring as "NAME = value" and checked against VMREAD.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flank/vmm_console.h"
#include "flank/vmm_vmcs_dump.h"
#include "flank_test.h"
#include "mock_fixture.h"

#define SLOTS 512u

static void *mem;
static struct vmm_ring *ring;
static struct mock_test_vm vm;

static int setup(void **state)
{
	size_t size = (size_t)(SLOTS + 1u) * VMM_RING_SLOT_SIZE;
	mock_fixture_setup(state);
	mem = aligned_alloc(64, size);
	ring = vmm_ring_init(mem, size);
	vmm_console_attach(ring, NULL);
	memset(&vm, 0, sizeof(vm));
	return 0;
}

static int teardown(void **state)
{
	vmm_console_detach();
	mock_test_vm_teardown(&vm);
	free(mem);
	return mock_fixture_teardown(state);
}

/* Reads the next ring record's text into @p rec; asserts one is there. */
static void next(uint64_t *pos, struct vmm_ring_record *rec)
{
	uint64_t lost;
	assert_int_equal(vmm_ring_read(ring, pos, rec, &lost),
			 VMM_RING_READ_RECORD);
	assert_int_equal(lost, 0);
}

/*
 * Field i of the packed table (vmcs_dump.c, strtab.h) is entry i of
 * VMCS_FIELD_LIST: its encoding, and its name spelled exactly as the list
 * spells it. A wrong name offset would name another field or start
 * mid-name; a truncated encoding would not match.
 */
static void test_vmcs_dump_name_table(void **state)
{
	uint32_t i = 0;

	(void)state;
#define CHECK_FIELD(name, enc, feat)                                           \
	assert_int_equal(vmm_vmcs_field_encoding(i), (enc));                   \
	assert_string_equal(vmm_vmcs_field_name(enc), #name);                  \
	i++;
	VMCS_FIELD_LIST(CHECK_FIELD)
#undef CHECK_FIELD
	assert_int_equal(i, vmm_vmcs_field_count());
}

/* The name table is generated from the field table: complete and unique. */
static void test_vmcs_dump_names(void **state)
{
	(void)state;
	assert_int_equal(vmm_vmcs_field_count(), VMCS_FIELD_COUNT);
	assert_string_equal(vmm_vmcs_field_name(VMCS_GUEST_RIP), "GUEST_RIP");
	assert_string_equal(vmm_vmcs_field_name(0x4826),
			    "GUEST_ACTIVITY_STATE");
	assert_string_equal(vmm_vmcs_field_name(VMCS_HOST_INTR_SSP_TABLE),
			    "HOST_INTR_SSP_TABLE");
	assert_null(vmm_vmcs_field_name(VMCS_EPT_POINTER | 1u)); /* _HIGH */
	assert_null(vmm_vmcs_field_name(0xFFFFFFFFu));
	assert_int_equal(vmm_vmcs_field_encoding(VMCS_FIELD_COUNT), 0);
	for (uint32_t i = 0; i < VMCS_FIELD_COUNT; i++) {
		uint32_t enc = vmm_vmcs_field_encoding(i);
		const char *name = vmm_vmcs_field_name(enc);
		assert_non_null(name);
		assert_true(strlen(name) > 0 &&
			    strlen(name) < VMM_VMCS_NAME_MAX);
		for (uint32_t j = 0; j < i; j++)
			assert_string_not_equal(
				name, vmm_vmcs_field_name(
					      vmm_vmcs_field_encoding(j)));
	}
}

/*
 * On a VMCS set up by the fixture every field appears once, in table
 * order, with the value VMREAD gives, at the field's width; fields the
 * profile lacks (VMREAD error 12) are listed as not supported.
 */
static void test_vmcs_dump_every_field(void **state)
{
	struct vmm_vmcs_dump_result r;
	struct vmm_ring_record rec;
	uint64_t pos = 0;
	char want[64];
	(void)state;

	mock_test_vm_setup(&vm);
	mock_test_write(VMCS_GUEST_RIP, 0xffffffff81000000ull);
	mock_test_write(VMCS_EXCEPTION_BITMAP, 0x00040000u);
	vmm_vmcs_dump(3, FLANK_LOG_INFO, &r);

	assert_int_equal(r.fields, VMCS_FIELD_COUNT);
	assert_int_equal(r.dumped + r.unsupported, VMCS_FIELD_COUNT);
	assert_int_equal(r.failed, 0);
	assert_int_equal(r.no_current_vmcs, 0);
	assert_true(r.dumped > 100);
	print_message(
		"VMCS dump on %s: %u fields, %u shown, %u not supported\n",
		mock_profile_name(), r.fields, r.dumped, r.unsupported);

	next(&pos, &rec);
	snprintf(want, sizeof(want), "VMCS dump: current VMCS at 0x%llx",
		 (unsigned long long)pa_addr(vm.vmcs_pa));
	assert_string_equal(rec.text, want);
	assert_int_equal(rec.cpu, 3);
	unsigned unsupported = 0;
	for (uint32_t i = 0; i < VMCS_FIELD_COUNT; i++) {
		uint32_t enc = vmm_vmcs_field_encoding(i);
		const char *name = vmm_vmcs_field_name(enc);
		uint64_t v = 0;
		vmx_result_t res = vmx_vmread(enc, &v);
		char got_name[VMM_VMCS_NAME_MAX];
		unsigned long long got = 0;

		next(&pos, &rec);
		assert_int_equal(sscanf(rec.text, "%31s", got_name), 1);
		assert_string_equal(got_name, name);
		if (!vmx_ok(res)) {
			assert_int_equal(res.outcome, VMX_FAIL_VALID);
			assert_int_equal(res.error, 12);
			assert_non_null(strstr(rec.text,
					       ": not supported by this CPU"));
			unsupported++;
			continue;
		}
		static const int digits[] = {4, 16, 8, 16};
		const char *eq = strstr(rec.text, " = 0x");
		assert_non_null(eq);
		assert_int_equal(strlen(eq + 5), digits[vmcs_field_width(enc)]);
		got = strtoull(eq + 5, NULL, 16);
		assert_true(got == v);
	}
	assert_int_equal(unsupported, r.unsupported);
	next(&pos, &rec);
	snprintf(want, sizeof(want),
		 "VMCS dump: %u fields, %u shown, %u not supported, 0 failed",
		 (unsigned)VMCS_FIELD_COUNT, r.dumped, r.unsupported);
	assert_string_equal(rec.text, want);

	/* The values written above come out by name. */
	static char buf[65536];
	uint64_t p2 = 0;
	size_t n = vmm_ring_read_text(ring, &p2, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	assert_non_null(strstr(buf, "GUEST_RIP                      = "
				    "0xffffffff81000000"));
	assert_non_null(strstr(buf, "EXCEPTION_BITMAP               = "
				    "0x00040000"));
}

/* Without a current VMCS the dump says so and reads no field. */
static void test_vmcs_dump_no_current_vmcs(void **state)
{
	struct vmm_vmcs_dump_result r;
	struct vmm_ring_record rec;
	uint64_t pos = 0;
	(void)state;

	mock_test_vmxon(&vm);
	mock_trace_clear();
	vmm_vmcs_dump(0, FLANK_LOG_INFO, NULL);
	vmm_vmcs_dump(0, FLANK_LOG_INFO, &r);
	assert_int_equal(r.no_current_vmcs, 1);
	assert_int_equal(r.dumped, 0);
	assert_int_equal(mock_call_count(MOCK_OP_VMREAD), 0);
	next(&pos, &rec);
	assert_string_equal(rec.text, "VMCS dump: no current VMCS on this CPU");
	assert_int_equal(rec.level, FLANK_LOG_ERROR);
}

/*
 * A VMREAD failing otherwise than error 12 is reported by name and
 * counted; losing the VMCS in the middle (VMfailInvalid) stops the dump.
 */
static void test_vmcs_dump_read_failures(void **state)
{
	struct vmm_vmcs_dump_result r;
	vmx_result_t bad = {VMX_FAIL_VALID, 5};
	vmx_result_t gone = {VMX_FAIL_INVALID, 0};
	static char buf[65536];
	uint64_t pos = 0;
	(void)state;

	mock_test_vm_setup(&vm);
	assert_int_equal(mock_fail_nth(MOCK_OP_VMREAD, 4, bad), 0);
	vmm_vmcs_dump(1, FLANK_LOG_DEBUG, &r);
	assert_int_equal(r.failed, 1);
	assert_int_equal(r.dumped + r.unsupported + r.failed, VMCS_FIELD_COUNT);
	size_t n = vmm_ring_read_text(ring, &pos, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	char want[96];
	snprintf(want, sizeof(want),
		 "%-30s : VMREAD failed (outcome 2, error 5)",
		 vmm_vmcs_field_name(vmm_vmcs_field_encoding(3)));
	assert_non_null(strstr(buf, want));

	mock_fail_clear();
	assert_int_equal(mock_fail_nth(MOCK_OP_VMREAD, 10, gone), 0);
	vmm_vmcs_dump(1, FLANK_LOG_DEBUG, &r);
	assert_int_equal(r.no_current_vmcs, 1);
	assert_int_equal(r.dumped + r.unsupported, 9);
	n = vmm_ring_read_text(ring, &pos, buf, sizeof(buf) - 1);
	buf[n] = '\0';
	snprintf(want, sizeof(want), "VMCS dump: no current VMCS at %s",
		 vmm_vmcs_field_name(vmm_vmcs_field_encoding(9)));
	assert_non_null(strstr(buf, want));
	mock_fail_clear();
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_vmcs_dump_names),
		T(test_vmcs_dump_name_table),
		T(test_vmcs_dump_every_field),
		T(test_vmcs_dump_no_current_vmcs),
		T(test_vmcs_dump_read_failures),
	};
#undef T
	return FLANK_RUN_TESTS(tests);
}
