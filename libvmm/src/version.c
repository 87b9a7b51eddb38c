// SPDX-License-Identifier: LGPL-2.1-or-later
#include "flank/vmm_version.h"

#define FLANK_STR_(x) #x
#define FLANK_STR(x) FLANK_STR_(x)

uint32_t vmm_version(void)
{
	return FLANK_VERSION;
}

const char *vmm_version_string(void)
{
	/* A pointer in data: the image needs an R_X86_64_RELATIVE for it. */
	static const char *const version = "0.1.0";
	return version;
}
