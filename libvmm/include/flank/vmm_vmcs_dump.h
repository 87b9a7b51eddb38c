/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file vmm_vmcs_dump.h
 * A readable dump of the current VMCS: every field of the one field table
 * (flank/vmcs_fields.h), read with VMREAD and written to the console (debug
 * ring, and serial when attached) as "NAME = value" lines, with the value
 * printed at the field's width.
 */
#ifndef FLANK_VMM_VMCS_DUMP_H
#define FLANK_VMM_VMCS_DUMP_H

#include <stdint.h>

#include "flank/image_abi.h"

/** Longest field name plus its NUL. */
#define VMM_VMCS_NAME_MAX 32u

/**
 * Readable name of the VMCS field with (full) encoding @p encoding, e.g.
 * "GUEST_RIP" for 0x681E; NULL if the field is not in the table (the "high"
 * encodings of 64-bit fields included). In libvmm_check.a, i.e. the
 * vmcs_check module, not in vmm.elf (issue #6): the dump gets it through
 * the registered vmm_vmcs_checker.
 */
const char *vmm_vmcs_field_name(uint32_t encoding);

/** Number of fields in the table (VMCS_FIELD_COUNT). */
uint32_t vmm_vmcs_field_count(void);

/** Encoding of the @p index-th field of the table (0 past the end). */
uint32_t vmm_vmcs_field_encoding(uint32_t index);

/** What a dump did. */
struct vmm_vmcs_dump_result {
	uint32_t fields;      /**< Fields in the table. */
	uint32_t dumped;      /**< Read and written as NAME = value. */
	uint32_t unsupported; /**< VMfailValid(12): the CPU lacks them. */
	uint32_t failed;      /**< Other VMREAD failures (each logged). */
	/** 0, or 1 if there was no current VMCS (VMfailInvalid): no fields. */
	uint32_t no_current_vmcs;
};

/**
 * Dumps the current VMCS of the calling CPU (@p cpu is the number recorded
 * in the ring) at @p level: a header line with the VMCS address, one line
 * per field, and a summary line. Fields are named by the registered
 * checker's field_name (the vmcs_check module); without a checker each
 * line shows the field's encoding ("field 0x681e") and the header says
 * where the names are. Fields the CPU reports unsupported
 * (VMREAD VMfailValid with error 12, SDM Vol. 3C 31.4) get one line saying
 * so instead of a value. Must run in VMX root with a current VMCS;
 * without one it says so and stops. @p result may be NULL.
 */
void vmm_vmcs_dump(uint32_t cpu, enum flank_log_level level,
		   struct vmm_vmcs_dump_result *result);

#endif /* FLANK_VMM_VMCS_DUMP_H */
