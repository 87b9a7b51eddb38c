// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Entry points of vmm.elf that the host calls. The versioned image ABI
 * replaces this placeholder (issue 6); until then the image exports its
 * version and its name, which extension modules import (a function and a
 * data object: libvmm/modules/example/).
 */
#include "flank/vmm_version.h"

#define FLANK_EXPORT __attribute__((visibility("default")))

FLANK_EXPORT uint32_t flank_image_version(void);
FLANK_EXPORT extern const char flank_image_name[];

uint32_t flank_image_version(void)
{
	return vmm_version();
}

/* The image's name: a data export, imported through the GOT. */
const char flank_image_name[] = "flank";
