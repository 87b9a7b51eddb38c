// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Building the private IDT of the "_safe" forms (msr_safe.c). Pure memory
 * work, so that the userspace tests can check it gate by gate.
 */
#include "real_internal.h"

/* The assembly stub reads these offsets (real_internal.h). */
_Static_assert(sizeof(struct safe_idt_gate) == SAFE_IDT_GATE_SIZE,
	       "an IDT gate is 16 bytes in IA-32e mode");
/* SAFE_IDT_ORIG_BASE is SAFE_IDT_VECTORS gates: compared without widening. */
_Static_assert(offsetof(struct safe_idt, orig_base) / SAFE_IDT_GATE_SIZE ==
			       SAFE_IDT_VECTORS &&
		       offsetof(struct safe_idt, orig_base) %
				       SAFE_IDT_GATE_SIZE ==
			       0,
	       "the #GP stub reads the original IDT base after the gates");
_Static_assert(offsetof(struct safe_idt_gate, offset_lo) == 0 &&
		       offsetof(struct safe_idt_gate, offset_mid) == 6 &&
		       offsetof(struct safe_idt_gate, offset_hi) == 8,
	       "gate offset fields where the #GP stub reads them");

/* Present, DPL 0, 64-bit interrupt gate (SDM Vol. 3A 6.14.1). */
#define GATE_INTERRUPT_PRESENT 0x8Eu

uint64_t intrin_safe_idt_gate_offset(const struct safe_idt_gate *gate)
{
	return (uint64_t)gate->offset_lo | ((uint64_t)gate->offset_mid << 16) |
	       ((uint64_t)gate->offset_hi << 32);
}

struct cpu_dtr intrin_safe_idt_build(struct safe_idt *idt,
				     const struct cpu_dtr *orig, uint16_t cs,
				     uint64_t gp_handler)
{
	const struct safe_idt_gate *src =
		(const struct safe_idt_gate *)(uintptr_t)orig->base;
	/* Number of whole gates the original limit covers. */
	uint32_t covered = ((uint32_t)orig->limit + 1u) / SAFE_IDT_GATE_SIZE;
	struct safe_idt_gate *gp = &idt->gates[SAFE_IDT_GP_VECTOR];
	struct cpu_dtr dtr;

	for (uint32_t v = 0; v < SAFE_IDT_VECTORS; v++) {
		if (v < covered) {
			idt->gates[v] = src[v];
		} else {
			/* Not present: delivery would #NP, as before. */
			struct safe_idt_gate none = {0, 0, 0, 0, 0, 0, 0};
			idt->gates[v] = none;
		}
	}
	if (SAFE_IDT_GP_VECTOR >= covered) {
		/*
		 * The original IDT has no #GP gate (no operating system sets
		 * one up like that); give ours the current code segment.
		 */
		gp->selector = cs;
		gp->ist = 0;
		gp->type_attr = GATE_INTERRUPT_PRESENT;
	}
	gp->offset_lo = (uint16_t)gp_handler;
	gp->offset_mid = (uint16_t)(gp_handler >> 16);
	gp->offset_hi = (uint32_t)(gp_handler >> 32);
	gp->reserved = 0;
	idt->orig_base = orig->base;

	dtr.limit = (uint16_t)(sizeof(idt->gates) - 1u);
	dtr.base = (uint64_t)(uintptr_t)idt->gates;
	return dtr;
}
