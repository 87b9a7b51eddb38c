// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Example extension module: a separate ELF file loaded into the hypervisor
 * next to vmm.elf and linked against it at run time (docs/modules.md).
 *
 * It imports a function (flank_image_version) and a data object
 * (flank_image_name) that vmm.elf exports, and exports its own functions
 * and one data object. Between them its relocations use every type the
 * loader supports: JUMP_SLOT (the call), GLOB_DAT (the data import),
 * R_X86_64_64 (a pointer to an imported function in data) and RELATIVE (a
 * pointer to its own data).
 */
#include <stddef.h>
#include <stdint.h>

#define FLANK_EXPORT __attribute__((visibility("default")))

/* Imports: defined by vmm.elf (libvmm/image/entry.c). */
extern uint32_t flank_image_version(void);
extern const char flank_image_name[];

/* Identifies answers that come from this module. */
#define EXAMPLE_TAG 0xe5u

FLANK_EXPORT uint32_t flank_example_version_tag(void);
FLANK_EXPORT uint32_t flank_example_image_name_len(void);
FLANK_EXPORT const char *flank_example_greeting(void);
FLANK_EXPORT extern uint32_t (*const flank_example_version_fn)(void);

/* The core's version with this module's tag in the top byte. */
uint32_t flank_example_version_tag(void)
{
	return (EXAMPLE_TAG << 24) | (flank_image_version() & 0xffffffu);
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
