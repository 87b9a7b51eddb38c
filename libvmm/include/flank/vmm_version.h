/* SPDX-License-Identifier: LGPL-2.1-or-later */
/** @file vmm_version.h Version of the VMM core. */
#ifndef FLANK_VMM_VERSION_H
#define FLANK_VMM_VERSION_H

#include <stdint.h>

/** Major, minor and patch number of this version. @{ */
#define FLANK_VERSION_MAJOR 0u
#define FLANK_VERSION_MINOR 1u
#define FLANK_VERSION_PATCH 0u
/** @} */

/** The version as 0x00MMmmpp (major, minor, patch). */
#define FLANK_VERSION                                                          \
	((FLANK_VERSION_MAJOR << 16) | (FLANK_VERSION_MINOR << 8) |            \
	 FLANK_VERSION_PATCH)

/** Returns FLANK_VERSION; the same value the presence CPUID leaf reports. */
uint32_t vmm_version(void);

/** Returns the version as a NUL-terminated string, e.g. "0.1.0". */
const char *vmm_version_string(void);

#endif /* FLANK_VMM_VERSION_H */
