// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The readable VMCS dump (see flank/vmm_vmcs_dump.h). The name table is
 * generated from VMCS_FIELD_LIST, the one field table, so a field added
 * there appears here without a second list to keep in sync. Names are
 * exact-size strings found by offset, not pointers (strtab.h), so the
 * table needs no relocations in the position-independent image.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/intrinsics.h"
#include "flank/vmm_console.h"
#include "flank/vmm_vmcs_dump.h"
#include "strtab.h"

/* VM-instruction error 12: "VMREAD/VMWRITE from/to unsupported VMCS
 * component" (SDM Vol. 3C 31.4). */
#define VMX_ERR_UNSUPPORTED_COMPONENT 12u

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

/* Exported: the vmcs_check module imports it. */
__attribute__((visibility("default"))) const char *
vmm_vmcs_field_name(uint32_t encoding)
{
	for (uint32_t i = 0; i < VMCS_FIELD_COUNT; i++)
		if (vmcs_names[i].encoding == encoding)
			return STRTAB_AT(names, vmcs_names[i].name_at);
	return NULL;
}

uint32_t vmm_vmcs_field_count(void)
{
	return VMCS_FIELD_COUNT;
}

uint32_t vmm_vmcs_field_encoding(uint32_t index)
{
	return index < VMCS_FIELD_COUNT ? vmcs_names[index].encoding : 0;
}

/* Writes "NAME = value" with as many hex digits as the field is wide. */
static void dump_value(uint32_t cpu, enum flank_log_level level,
		       uint32_t encoding, const char *name, uint64_t v)
{
	switch (vmcs_field_width(encoding)) {
	case VMCS_WIDTH_16:
		vmm_console_printf(cpu, level, "%-30s = 0x%04llx", name,
				   (unsigned long long)v);
		break;
	case VMCS_WIDTH_32:
		vmm_console_printf(cpu, level, "%-30s = 0x%08llx", name,
				   (unsigned long long)v);
		break;
	default:
		vmm_console_printf(cpu, level, "%-30s = 0x%016llx", name,
				   (unsigned long long)v);
		break;
	}
}

void vmm_vmcs_dump(uint32_t cpu, enum flank_log_level level,
		   struct vmm_vmcs_dump_result *result)
{
	struct vmm_vmcs_dump_result r = {VMCS_FIELD_COUNT, 0, 0, 0, 0};
	paddr_t current = pa_init(~0ull);

	if (!vmx_ok(vmx_ptrst(&current)) || pa_addr(current) == ~0ull) {
		vmm_console_printf(cpu, FLANK_LOG_ERROR,
				   "VMCS dump: no current VMCS on this CPU");
		r.no_current_vmcs = 1;
		goto out;
	}
	vmm_console_printf(cpu, level, "VMCS dump: current VMCS at 0x%llx",
			   (unsigned long long)pa_addr(current));

	for (uint32_t i = 0; i < VMCS_FIELD_COUNT; i++) {
		uint32_t encoding = vmcs_names[i].encoding;
		const char *name = STRTAB_AT(names, vmcs_names[i].name_at);
		uint64_t v = 0;
		vmx_result_t res = vmx_vmread(encoding, &v);

		if (vmx_ok(res)) {
			dump_value(cpu, level, encoding, name, v);
			r.dumped++;
		} else if (res.outcome == VMX_FAIL_VALID &&
			   res.error == VMX_ERR_UNSUPPORTED_COMPONENT) {
			vmm_console_printf(cpu, level,
					   "%-30s : not supported by this CPU",
					   name);
			r.unsupported++;
		} else if (res.outcome == VMX_FAIL_INVALID) {
			/* The VMCS went away under us: nothing more to read. */
			vmm_console_printf(cpu, FLANK_LOG_ERROR,
					   "VMCS dump: no current VMCS at %s",
					   name);
			r.no_current_vmcs = 1;
			break;
		} else {
			vmm_console_printf(cpu, FLANK_LOG_ERROR,
					   "%-30s : VMREAD failed (outcome %u, "
					   "error %u)",
					   name, (unsigned)res.outcome,
					   res.error);
			r.failed++;
		}
	}
	vmm_console_printf(cpu, level,
			   "VMCS dump: %u fields, %u shown, %u not supported, "
			   "%u failed",
			   r.fields, r.dumped, r.unsupported, r.failed);
out:
	if (result != NULL)
		*result = r;
}
