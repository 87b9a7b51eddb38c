/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VMCS component storage of the emulated VT-x: encoding -> index in
 * VMCS_FIELD_LIST, and width-honest reads and writes of a struct mock_vmcs.
 *
 * The lookup is constant time (one table access plus one compare), because
 * every VMREAD, VMWRITE and VM-entry check goes through it and the emulator
 * must reach hundreds of thousands of VM entries per second.
 */
#include <string.h>

#include "mock_internal.h"

/*
 * Key of an encoding: type and width (bits 14:10) and index (bits 9:1). Bit
 * 0 (access type), bit 12 and bits 31:15 are not part of the key: the
 * stored encoding is compared afterwards, so an encoding that sets any of
 * them is unknown here (SDM Vol. 3C 25.11.2).
 */
#define VMCS_KEY_BITS 14u
#define VMCS_KEY(enc) ((((enc) >> 10) & 0x1Fu) << 9 | (((enc) >> 1) & 0x1FFu))

enum vmcs_store_index {
#define VMCS_STORE_IDX(name, enc, feat) VMCS_STORE_IDX_##name,
	VMCS_FIELD_LIST(VMCS_STORE_IDX)
#undef VMCS_STORE_IDX
};

/* Index + 1 by key; 0 means "no such component". */
static const uint16_t vmcs_index_by_key[1u << VMCS_KEY_BITS] = {
#define VMCS_STORE_KEY(name, enc, feat)                                        \
	[VMCS_KEY(enc)] = VMCS_STORE_IDX_##name + 1u,
	VMCS_FIELD_LIST(VMCS_STORE_KEY)
#undef VMCS_STORE_KEY
};

static const uint32_t vmcs_encoding_by_index[VMCS_FIELD_COUNT] = {
#define VMCS_STORE_ENC(name, enc, feat) (enc),
	VMCS_FIELD_LIST(VMCS_STORE_ENC)
#undef VMCS_STORE_ENC
};

/*
 * Index of the component with full encoding @p enc. A "high" encoding (bit 0
 * set) is not a component of its own: callers that implement VMREAD/VMWRITE
 * of the high half of a 64-bit field look up enc & ~1 (or use
 * mock_vmcs_get/mock_vmcs_set, which accept high encodings).
 */
int mock_vmcs_field_index(uint32_t enc)
{
	unsigned idx = vmcs_index_by_key[VMCS_KEY(enc)];

	if (idx == 0 || vmcs_encoding_by_index[idx - 1] != enc)
		return -1;
	return (int)idx - 1;
}

/* Mask of the bits a component of the given width holds (natural = 64). */
static uint64_t vmcs_width_mask(uint32_t enc)
{
	switch (VMCS_ENC_WIDTH(enc)) {
	case VMCS_WIDTH_16:
		return 0xFFFFu;
	case VMCS_WIDTH_32:
		return 0xFFFFFFFFu;
	default:
		return ~UINT64_C(0);
	}
}

/*
 * Resolves @p enc to a storage index; *high is set for the high-half
 * encoding of a 64-bit field (SDM Vol. 3C 25.11.2: access type 1 is allowed
 * only for 64-bit fields).
 */
static int vmcs_resolve(uint32_t enc, bool *high)
{
	*high = false;
	if (VMCS_ENC_IS_HIGH(enc)) {
		if (VMCS_ENC_WIDTH(enc) != VMCS_WIDTH_64)
			return -1;
		*high = true;
		enc &= ~1u;
	}
	return mock_vmcs_field_index(enc);
}

uint64_t mock_vmcs_get(const struct mock_vmcs *vmcs, uint32_t enc)
{
	bool high;
	int idx = vmcs_resolve(enc, &high);

	if (idx < 0)
		return 0;
	return high ? vmcs->field[idx] >> 32 : vmcs->field[idx];
}

void mock_vmcs_set(struct mock_vmcs *vmcs, uint32_t enc, uint64_t value)
{
	bool high;
	int idx = vmcs_resolve(enc, &high);

	if (idx < 0)
		return;
	if (high) {
		/* Writing the high half leaves the low half unchanged. */
		vmcs->field[idx] = (vmcs->field[idx] & 0xFFFFFFFFu) |
				   ((value & 0xFFFFFFFFu) << 32);
		return;
	}
	vmcs->field[idx] = value & vmcs_width_mask(enc);
}

/* ------------------------------------------------ the VMCS region format */

/*
 * The format must fit in the smallest VMCS region a profile reports
 * (IA32_VMX_BASIC[44:32]: 2048 bytes on core2_penryn and core2_merom), or
 * VMCLEAR would write past the region software gave the VMCS.
 */
_Static_assert(MOCK_VMCS_FMT_SIZE <= 2048u,
	       "the VMCS data format outgrew the smallest profile region");

/*
 * Bytes of the region a VMCS owns: IA32_VMX_BASIC[44:32] of the CPU that
 * executes the instruction (SDM Vol. 3D A.1), at most one page.
 */
static unsigned region_len(void)
{
	uint64_t basic = mock_msr_value(mock_cur(), MSR_IA32_VMX_BASIC);
	unsigned len = (unsigned)VMX_BASIC_REGION_SIZE(basic);

	if (len < MOCK_VMCS_FMT_SIZE)
		len = MOCK_VMCS_FMT_SIZE;
	return len > MOCK_VMCS_REGION_MAX ? MOCK_VMCS_REGION_MAX : len;
}

void mock_vmcs_load_region(struct mock_vmcs *v)
{
	uint8_t buf[MOCK_VMCS_FMT_SIZE];
	uint32_t rev, launch;

	/* Unmapped memory reads as all ones (mem.c), as on the bus. */
	(void)mock_mem_read(v->pa, buf, sizeof(buf));
	memcpy(&rev, buf, sizeof(rev));
	memcpy(&launch, buf + MOCK_VMCS_FMT_LAUNCH, sizeof(launch));
	v->shadow = (rev & BIT32(31)) != 0;
	v->launch = launch == 0	  ? MOCK_LAUNCH_CLEAR
		    : launch == 1 ? MOCK_LAUNCH_LAUNCHED
				  : MOCK_LAUNCH_UNDEFINED;
	for (unsigned i = 0; i < VMCS_FIELD_COUNT; i++) {
		uint64_t x;

		memcpy(&x, buf + MOCK_VMCS_FMT_FIELDS + (size_t)8 * i,
		       sizeof(x));
		v->field[i] = x & vmcs_width_mask(vmcs_encoding_by_index[i]);
	}
	v->image_len = region_len();
	(void)mock_mem_read(v->pa, v->image, v->image_len);
	v->image_reported = false;
}

void mock_vmcs_store_region(const struct mock_vmcs *v,
			    enum mock_launch_state launch)
{
	uint8_t buf[MOCK_VMCS_FMT_SIZE - MOCK_VMCS_FMT_LAUNCH];
	uint32_t word = (uint32_t)launch, zero = 0;

	/* Bytes 0-7 (revision, shadow indicator, abort indicator) belong
	 * to software and to VMX aborts (SDM Vol. 3C 25.2): kept. */
	memcpy(buf, &word, sizeof(word));
	memcpy(buf + 4, &zero, sizeof(zero));
	memcpy(buf + 8, v->field, sizeof(v->field));
	(void)mock_mem_write(v->pa + MOCK_VMCS_FMT_LAUNCH, buf, sizeof(buf));
}

bool mock_vmcs_region_check(struct mock_vmcs *v)
{
	const void *now;

	if (v->image_reported || v->image_len == 0)
		return false;
	/* Memory unmapped since (freed with the VMCS active): nothing to
	 * compare, and writes there are dropped. */
	now = mock_mem_host(pa_init(v->pa), v->image_len);
	if (now == NULL || memcmp(now, v->image, v->image_len) == 0)
		return false;
	v->image_reported = true;
	mock_undefined("VMCS.region_written_active",
		       "an ordinary memory write changed the region of an "
		       "active VMCS: undefined (SDM Vol. 3C 25.11.1); the "
		       "processor keeps its cached VMCS data");
	return true;
}
