// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The MSR bitmap (SDM Vol. 3C 25.6.9): four 1 KiB bitmaps, read-low
 * (MSRs 0-1FFFH), read-high (C0000000H-C0001FFFH), write-low, write-high.
 * A set bit makes RDMSR/WRMSR of that MSR exit; MSRs outside both ranges
 * always exit. Flank intercepts only what the VMM must see:
 *
 * - IA32_FEATURE_CONTROL (3AH), read and write: the guest is told there is
 *   no VMX, and must never change the lock or enable bits under the VMM.
 * - IA32_VMX_BASIC .. IA32_VMX_PROCBASED_CTLS3 (480H-492H), read and
 *   write: VMX capabilities are hidden from the guest (#GP as on a CPU
 *   without VMX).
 *
 * - The accesses extension modules hooked (hooks.c), exactly those: a
 *   write hook on IA32_LSTAR leaves RDMSR of it passing through.
 *
 * Everything else passes through: the MSRs that VM entry and exit switch
 * (EFER, PAT, SYSENTER, FS/GS base, DEBUGCTL) are saved into the guest
 * fields on every exit (SDM Vol. 3C 28.3.3), so the VMM sees the guest's
 * values without intercepting them.
 */
#include "hooks.h"
#include "vmm_internal.h"

#define BITMAP_READ_LOW 0u
#define BITMAP_READ_HIGH 1024u
#define BITMAP_WRITE_LOW 2048u
#define BITMAP_WRITE_HIGH 3072u

/* Byte offset and bit of @p msr in a 1 KiB half; false if out of range. */
static bool msr_pos(uint32_t msr, uint32_t *byte, uint8_t *bit, bool *high)
{
	if (msr <= 0x1FFFu) {
		*high = false;
	} else if (msr >= 0xC0000000u && msr <= 0xC0001FFFu) {
		*high = true;
		msr -= 0xC0000000u;
	} else {
		return false;
	}
	*byte = msr / 8u;
	*bit = (uint8_t)(1u << (msr % 8u));
	return true;
}

static void intercept(uint8_t *bm, uint32_t msr)
{
	uint32_t byte = 0;
	uint8_t bit = 0;
	bool high = false;

	if (!msr_pos(msr, &byte, &bit, &high))
		return;
	bm[(high ? BITMAP_READ_HIGH : BITMAP_READ_LOW) + byte] |= bit;
	bm[(high ? BITMAP_WRITE_HIGH : BITMAP_WRITE_LOW) + byte] |= bit;
}

void vmm_msr_bitmap_init(struct vmm_cpu *cpu)
{
	uint8_t *bm = cpu->msr_bitmap;

	vmm_zero(bm, VMM_PAGE_SIZE);
	intercept(bm, MSR_IA32_FEATURE_CONTROL);
	for (uint32_t msr = MSR_IA32_VMX_BASIC;
	     msr <= MSR_IA32_VMX_PROCBASED_CTLS3; msr++)
		intercept(bm, msr);
	vmm_msr_hooks_intercept(bm);
}

bool vmm_msr_intercepted(const struct vmm_cpu *cpu, uint32_t msr, bool write)
{
	const uint8_t *bm = cpu->msr_bitmap;
	uint32_t byte = 0;
	uint8_t bit = 0;
	bool high = false;
	uint32_t base;

	if (!msr_pos(msr, &byte, &bit, &high))
		return true;
	if (write)
		base = high ? BITMAP_WRITE_HIGH : BITMAP_WRITE_LOW;
	else
		base = high ? BITMAP_READ_HIGH : BITMAP_READ_LOW;
	return (bm[base + byte] & bit) != 0;
}

/* True for the MSRs the guest must not see or change (see above). */
bool vmm_msr_protected(uint32_t msr)
{
	return msr == MSR_IA32_FEATURE_CONTROL ||
	       (msr >= MSR_IA32_VMX_BASIC &&
		msr <= MSR_IA32_VMX_PROCBASED_CTLS3);
}
