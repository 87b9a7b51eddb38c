// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * A test extension module whose init function does not start with ENDBR64
 * (nocf_check), as a module built without -fcf-protection=branch would be.
 * On a kernel that enforces IBT the driver's call through DT_INIT_ARRAY
 * would raise #CP, so the driver must refuse the module before running it
 * (test_driver_link.c). Its init registers a CPUID handler (which does
 * start with ENDBR64), so a test can see whether the init ran.
 */
#include "flank/vmm_extension.h"

/* The leaf the handler answers, and the EBX it returns. */
#define NOENDBR_LEAF 0x4000f1f0u
#define NOENDBR_EBX 0x6e6f6562u

static bool noendbr_cpuid(struct vmm_cpuid_args *args)
{
	if (args->leaf != NOENDBR_LEAF)
		return false;
	args->ebx = NOENDBR_EBX;
	return true;
}

/*
 * One export: the loader refuses a module whose GNU hash table holds no
 * symbol at all (it cannot then agree with the SysV table on the count).
 */
__attribute__((visibility("default"))) int noendbr_module_marker(void);

int noendbr_module_marker(void)
{
	return 1;
}

__attribute__((constructor, nocf_check)) static void noendbr_init(void)
{
	(void)vmm_cpuid_set_extension(noendbr_cpuid);
}

__attribute__((destructor)) static void noendbr_fini(void)
{
	(void)vmm_cpuid_remove_extension(noendbr_cpuid);
}
