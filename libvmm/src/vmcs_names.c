// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The names of the VMCS fields (vmm_vmcs_field_name(), flank/
 * vmm_vmcs_dump.h), generated from VMCS_FIELD_LIST, the one field table.
 * In libvmm_check.a with the checker, so in the vmcs_check module, not in
 * vmm.elf (issue #6, docs/loader.md): the checker names the field a rule
 * fails on, and the module hands the table to the image's VMCS dump
 * through its vmm_vmcs_checker.field_name. Names are exact-size strings
 * found by offset, not pointers (strtab.h): no relocations.
 */
#include <stddef.h>
#include <stdint.h>

#include "flank/intrinsics.h"
#include "flank/vmm_vmcs_dump.h"
#include "strtab.h"

/*
 * Names are at most VMM_VMCS_NAME_MAX bytes (the public bound), and every
 * encoding fits 16 bits: bits 31:15 of an encoding are reserved, 0 (SDM
 * Vol. 3C 25.11.2).
 */
#define NAME_FITS(name, enc, feat)                                             \
	_Static_assert(sizeof(#name) <= VMM_VMCS_NAME_MAX,                     \
		       "VMCS field name " #name " is too long");               \
	_Static_assert((enc) <= UINT16_MAX,                                    \
		       "VMCS field " #name                                     \
		       " has a reserved encoding bit set");
VMCS_FIELD_LIST(NAME_FITS)
#undef NAME_FITS

/* The names as exact-size strings, found by offset (strtab.h). */
static const struct vmcs_name_strings {
#define NAME_MEMBER(name, enc, feat) STRTAB_MEMBER(f_##name, #name)
	VMCS_FIELD_LIST(NAME_MEMBER)
#undef NAME_MEMBER
} names = {
#define NAME_INIT(name, enc, feat) .f_##name = #name,
	VMCS_FIELD_LIST(NAME_INIT)
#undef NAME_INIT
};
STRTAB_FITS(struct vmcs_name_strings);

/* Every field in the order of VMCS_FIELD_LIST: encoding and name. */
static const struct vmcs_name {
	uint16_t encoding;
	uint16_t name_at;
} vmcs_names[VMCS_FIELD_COUNT] = {
#define NAME_ENTRY(name, enc, feat)                                            \
	{(enc), offsetof(struct vmcs_name_strings, f_##name)},
	VMCS_FIELD_LIST(NAME_ENTRY)
#undef NAME_ENTRY
};

const char *vmm_vmcs_field_name(uint32_t encoding)
{
	for (uint32_t i = 0; i < VMCS_FIELD_COUNT; i++)
		if (vmcs_names[i].encoding == encoding)
			return STRTAB_AT(names, vmcs_names[i].name_at);
	return NULL;
}
