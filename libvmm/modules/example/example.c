// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Example extension module: a separate ELF file loaded into the hypervisor
 * next to vmm.elf and linked against it at run time (docs/modules.md).
 *
 * It imports functions (flank_image_version, the extension registration
 * of flank/vmm_extension.h) and a data object (flank_image_name) that
 * vmm.elf exports, and exports its own functions and one data object.
 * Between them its relocations use every type the loader supports:
 * JUMP_SLOT (the calls), GLOB_DAT (the data import), R_X86_64_64 (a pointer
 * to an imported function in data) and RELATIVE (a pointer to its own data,
 * and its DT_INIT_ARRAY / DT_FINI_ARRAY entries).
 *
 * Its init function, which the host runs after linking, registers the
 * CPUID leaf and the hypercall of example.h; its fini function, run before
 * the module's memory goes away, removes them. (The IA32_LSTAR guard that
 * this module carried is part of the kernel text guard now,
 * libvmm/modules/textguard.)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "example.h"
#include "flank/image_abi.h"
#include "flank/vmm_status.h"

#define FLANK_EXPORT __attribute__((visibility("default")))

/* Imports: defined by vmm.elf (libvmm/image/entry.c). */
extern uint32_t flank_image_version(void);
extern const char flank_image_name[];

FLANK_EXPORT uint32_t flank_example_version_tag(void);
FLANK_EXPORT uint32_t flank_example_image_name_len(void);
FLANK_EXPORT const char *flank_example_greeting(void);
FLANK_EXPORT extern uint32_t (*const flank_example_version_fn)(void);
FLANK_EXPORT int flank_example_status(void);
FLANK_EXPORT void flank_example_init(void);
FLANK_EXPORT void flank_example_fini(void);

/* The core's version with this module's tag in the top byte. */
uint32_t flank_example_version_tag(void)
{
	return (FLANK_EXAMPLE_TAG << 24) | (flank_image_version() & 0xffffffu);
}

/* Length of the core's name, read through the data import. */
uint32_t flank_example_image_name_len(void)
{
	uint32_t n = 0;

	while (flank_image_name[n])
		n++;
	return n;
}

/* The address of an imported function, stored in data (R_X86_64_64). */
uint32_t (*const flank_example_version_fn)(void) = flank_image_version;

static const char greeting[] = "hello from the example module";
static const char *const greeting_ptr = greeting; /* RELATIVE */

/* A string of the module's own, reached through a RELATIVE pointer. */
const char *flank_example_greeting(void)
{
	return *(const char *const volatile *)&greeting_ptr;
}

/* The CPUID leaf of example.h; declines the rest of the range. */
static bool example_cpuid(struct vmm_cpuid_args *a)
{
	if (a->leaf != FLANK_EXAMPLE_CPUID_LEAF)
		return false;
	a->eax = flank_image_version();
	a->ebx = FLANK_EXAMPLE_CPUID_EBX;
	a->ecx = FLANK_EXAMPLE_CPUID_ECX;
	a->edx = FLANK_EXAMPLE_CPUID_EDX;
	return true;
}

/* The hypercall of example.h. */
static int example_hypercall(struct vmm_hypercall_args *a)
{
	if (a->nr != FLANK_EXAMPLE_HC)
		return VMM_ERR_HYPERCALL_UNKNOWN;
	a->ret[0] = a->arg[0] + a->arg[1];
	a->ret[1] = flank_example_version_tag();
	a->ret[2] = a->cpu;
	return VMM_OK;
}

/* Outcome of the last init or fini: VMM_OK or the registration's status. */
static int example_status = -1;

/* What init or fini last returned (-1: neither ran). */
int flank_example_status(void)
{
	return example_status;
}

/*
 * Runs from DT_INIT_ARRAY once the host linked the module: registers the
 * handlers, or neither (a refused one takes the one before it back).
 */
__attribute__((constructor)) void flank_example_init(void)
{
	int st = vmm_cpuid_set_extension(example_cpuid);

	if (st == VMM_OK) {
		st = vmm_hypercall_set_extension(example_hypercall);
		if (st != VMM_OK)
			(void)vmm_cpuid_remove_extension(example_cpuid);
	}
	example_status = st;
}

/* Runs from DT_FINI_ARRAY before the host frees the module. */
__attribute__((destructor)) void flank_example_fini(void)
{
	int st = vmm_cpuid_remove_extension(example_cpuid);
	int st2 = vmm_hypercall_remove_extension(example_hypercall);

	example_status = st != VMM_OK ? st : st2;
}
