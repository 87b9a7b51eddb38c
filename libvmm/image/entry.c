// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Entry points of vmm.elf that the host calls. The versioned image ABI
 * replaces this placeholder (issue 6); until then the image exports only its
 * version so that the toolchain, the link and the checks are exercised.
 */
#include "flank/vmm_version.h"

#define FLANK_EXPORT __attribute__((visibility("default")))

FLANK_EXPORT uint32_t flank_image_version(void);

uint32_t flank_image_version(void)
{
	return vmm_version();
}
