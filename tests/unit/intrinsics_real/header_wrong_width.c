// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Compile-only negative check (ctest unit.intrinsics_header_rejects_width):
 * a 16-bit accessor on a 32-bit field must not compile, which also proves
 * that the header compile tests can fail.
 */
#include "flank/intrinsics.h"

uint32_t wrong_width(void);

uint32_t wrong_width(void)
{
	uint16_t v = 0;

	(void)vmx_read16(VMCS_VM_EXIT_REASON, &v);
	return v;
}
