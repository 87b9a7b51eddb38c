// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Compile-only check (ctest unit.intrinsics_header_*): intrinsics.h is
 * self-contained and its macros and inline functions are clean C11 under
 * -pedantic, hosted and freestanding, with GCC and Clang. Not linked.
 */
#include "flank/intrinsics.h"

uint32_t header_use(void);

uint32_t header_use(void)
{
	uint16_t sel = 0;
	uint32_t reason = 0;
	uint64_t rip = 0, pa;
	vmx_result_t r;

	pa = pa_addr(pa_init(0x1000));
	r = vmx_read16(VMCS_GUEST_CS_SELECTOR, &sel);
	if (!vmx_ok(r))
		return r.error;
	(void)vmx_read32(VMCS_VM_EXIT_REASON, &reason);
	(void)vmx_readnat(VMCS_GUEST_RIP, &rip);
	(void)vmx_write16(VMCS_HOST_CS_SELECTOR, sel);
	(void)vmx_write64(VMCS_VMCS_LINK_POINTER, pa);
	(void)vmx_writenat(VMCS_GUEST_RIP, rip);
	return reason;
}
