// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The readable VMCS dump (see flank/vmm_vmcs_dump.h). The encodings are
 * generated from VMCS_FIELD_LIST, the one field table, so a field added
 * there appears here without a second list to keep in sync; so are the
 * names, in vmcs_names.c (the vmcs_check module, not vmm.elf).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/intrinsics.h"
#include "flank/vmm_console.h"
#include "flank/vmm_vmcs_dump.h"
#include "flank/vmm_extension.h"
#include "flank/vmm_format.h"

/* VM-instruction error 12: "VMREAD/VMWRITE from/to unsupported VMCS
 * component" (SDM Vol. 3C 31.4). */
#define VMX_ERR_UNSUPPORTED_COMPONENT 12u

/*
 * The encodings in the order of VMCS_FIELD_LIST: every one fits 16 bits
 * (bits 31:15 of an encoding are reserved, 0: SDM Vol. 3C 25.11.2). The
 * names are not in vmm.elf: they live with the checker in the vmcs_check
 * module (vmcs_names.c), which hands them over through its
 * vmm_vmcs_checker (issue #6: 3 KiB of read-only data, docs/loader.md).
 */
#define ENC_FITS(name, enc, feat)                                              \
	_Static_assert((enc) <= UINT16_MAX,                                    \
		       "VMCS field " #name                                     \
		       " has a reserved encoding bit set");
VMCS_FIELD_LIST(ENC_FITS)
#undef ENC_FITS

static const uint16_t vmcs_encodings[VMCS_FIELD_COUNT] = {
#define ENC_ENTRY(name, enc, feat) (enc),
	VMCS_FIELD_LIST(ENC_ENTRY)
#undef ENC_ENTRY
};

uint32_t vmm_vmcs_field_count(void)
{
	return VMCS_FIELD_COUNT;
}

uint32_t vmm_vmcs_field_encoding(uint32_t index)
{
	return index < VMCS_FIELD_COUNT ? vmcs_encodings[index] : 0;
}

/*
 * The field's name from the registered checker (the vmcs_check module),
 * else its encoding, "field 0x681e", in @p buf.
 */
static const char *field_label(const struct vmm_vmcs_checker *ck,
			       uint32_t encoding, char *buf, size_t size)
{
	const char *name = ck != NULL ? ck->field_name(encoding) : NULL;

	if (name != NULL)
		return name;
	(void)vmm_snprintf(buf, size, "field 0x%04x", encoding);
	return buf;
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
	const struct vmm_vmcs_checker *ck = vmm_vmcs_checker_get();
	paddr_t current = pa_init(~0ull);

	if (!vmx_ok(vmx_ptrst(&current)) || pa_addr(current) == ~0ull) {
		vmm_console_printf(cpu, FLANK_LOG_ERROR,
				   "VMCS dump: no current VMCS on this CPU");
		r.no_current_vmcs = 1;
		goto out;
	}
	vmm_console_printf(cpu, level, "VMCS dump: current VMCS at 0x%llx%s",
			   (unsigned long long)pa_addr(current),
			   ck != NULL ? ""
				      : " (fields by encoding: their names "
					"come with the vmcs_check module)");

	for (uint32_t i = 0; i < VMCS_FIELD_COUNT; i++) {
		uint32_t encoding = vmcs_encodings[i];
		char buf[VMM_VMCS_NAME_MAX];
		const char *name = field_label(ck, encoding, buf, sizeof(buf));
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
