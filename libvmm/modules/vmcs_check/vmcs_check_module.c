// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The vmcs_check extension module: libvmm's VMCS consistency checker
 * (flank/vmm_vmcs_check.h, libvmm_check.a) as a separate ELF file that the
 * host loads next to vmm.elf (`flankctl load` does so by default when
 * vmcs_check.elf lies next to the image; docs/modules.md).
 *
 * Why a module: the checker only runs after a VM entry failed, to name the
 * failing rule ("H6.cs_null"); in vmm.elf it cost three of the image's
 * pages (issue #6, docs/loader.md). It also carries the VMCS field names
 * (vmcs_names.c, another 3 KiB), which the checker's phrases and the
 * image's VMCS dump both print. Without it the diagnostic still logs the
 * CPU's error, the exit reason and qualification and the VMCS dump, its
 * fields by encoding.
 *
 * Its init function registers the checker through the hook of
 * flank/vmm_extension.h; its fini function removes it. The tests that
 * expect a rule in the diagnostic compile this file in: its constructor
 * registers before main(), as DT_INIT_ARRAY does after the host linked
 * the module.
 */
#include <stddef.h>

#include "flank/vmm_extension.h"
#include "flank/vmm_status.h"
#include "flank/vmm_vmcs_check.h"
#include "flank/vmm_vmcs_dump.h"

#define FLANK_EXPORT __attribute__((visibility("default")))

FLANK_EXPORT int flank_vmcs_check_status(void);
FLANK_EXPORT void flank_vmcs_check_init(void);
FLANK_EXPORT void flank_vmcs_check_fini(void);

/* Static and constant: valid for as long as the module is loaded. */
static const struct vmm_vmcs_checker checker = {
	.check = vmm_vmcs_check,
	.describe = vmm_vmcs_check_describe,
	.field_name = vmm_vmcs_field_name,
};

/* Outcome of the last init or fini: VMM_OK or the hook's status. */
static int check_status = -1;

/* What init or fini last returned (-1: neither ran). */
int flank_vmcs_check_status(void)
{
	return check_status;
}

/* Runs from DT_INIT_ARRAY once the host linked the module. */
__attribute__((constructor)) void flank_vmcs_check_init(void)
{
	check_status = vmm_vmcs_checker_set(&checker);
}

/* Runs from DT_FINI_ARRAY before the host frees the module. */
__attribute__((destructor)) void flank_vmcs_check_fini(void)
{
	check_status = vmm_vmcs_checker_remove(&checker);
}
