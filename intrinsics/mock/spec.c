// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Emulated speculation barriers: the RSB fill and guard, and VERW. None has
 * an architectural effect a test could observe besides VERW's ZF, so the
 * model checks VERW's operand as the SDM defines it and records each in
 * the call trace: tests assert the exact sequence on the exit path
 * (docs/exits.md, "Speculation"). None exits in VMX non-root or faults at
 * any CPL (SDM Vol. 3C 26.1: not in the lists of instructions that exit).
 */
#include "mock_internal.h"

static void barrier(enum mock_op op)
{
	vmx_result_t r = {VMX_SUCCEED, 0};

	(void)mock_fault_check(op, 0, 0, &r);
	mock_record(op, 0, 0, r, false);
}

void cpu_rsb_fill(void)
{
	barrier(MOCK_OP_RSB_FILL);
}

void cpu_rsb_guard(void)
{
	barrier(MOCK_OP_RSB_GUARD);
}

/*
 * VERW (SDM Vol. 2B VERR/VERW "Operation"): ZF = 1 if the selector names a
 * segment writable at the current privilege level: within GDTR.limit (LDT
 * selectors fail: LDTR is null in the model's Linux state), a code or data
 * descriptor (S = 1; the null descriptor and system descriptors fail), DPL
 * >= CPL and DPL >= RPL, and a data segment with W set (code segments are
 * never writable). The present bit is not checked. Recorded with the
 * selector and ZF.
 */
bool cpu_verw(uint16_t sel)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};
	unsigned idx = sel >> 3, rpl = sel & 3u, cpl = c->regs.cpl;
	bool zf = false;

	(void)mock_fault_check(MOCK_OP_VERW, sel, 0, &r);
	if ((sel & 4u) == 0 &&
	    (uint32_t)(sel & ~7u) + 7u <= c->regs.gdtr.limit &&
	    idx < MOCK_GDT_ENTRIES) {
		uint64_t d = c->gdt[idx];
		unsigned type = (d >> 40) & 0xFu, dpl = (d >> 45) & 3u;
		bool s = (d >> 44) & 1u;

		zf = s && (type & 0x8u) == 0 && (type & 0x2u) != 0 &&
		     dpl >= cpl && dpl >= rpl;
	}
	mock_record(MOCK_OP_VERW, sel, zf, r, false);
	return zf;
}
