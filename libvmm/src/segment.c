// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Segment descriptors decoded from the GDT/LDT in memory into the VMCS
 * format (SDM Vol. 3A 3.4.5 "Segment Descriptors", 7.2.3 "TSS Descriptor
 * in 64-bit mode"; Vol. 3C 25.4.1 for the access-rights layout).
 */
#include "vmm_internal.h"

/* Reads the descriptor at @p index of the table at @p base / @p limit.
 * System descriptors are 16 bytes in IA-32e mode. */
static int read_desc(uint64_t base, uint32_t limit, uint16_t index, bool system,
		     uint64_t *lo, uint64_t *hi)
{
	uint32_t off = (uint32_t)index * 8u;
	uint32_t last = off + (system ? 15u : 7u);

	if (base == 0 || last > limit)
		return VMM_ERR_DESCRIPTOR;
	*lo = *(const volatile uint64_t *)(uintptr_t)(base + off);
	*hi = system ? *(const volatile uint64_t *)(uintptr_t)(base + off + 8)
		     : 0;
	return VMM_OK;
}

/* Converts a descriptor to base / limit / VMCS access rights. */
static void decode(uint64_t lo, uint64_t hi, bool system,
		   struct vmm_segment *out)
{
	uint32_t limit =
		(uint32_t)(lo & 0xFFFFu) | (uint32_t)((lo >> 32) & 0xF0000u);

	/* Bits 47:40 (type, S, DPL, P) and 55:52 (AVL, L, D/B, G) of the
	 * descriptor are bits 7:0 and 15:12 of the VMCS access rights. */
	out->ar = (uint32_t)((lo >> 40) & 0xF0FFu);
	if ((out->ar & AR_G) != 0)
		limit = (limit << 12) | 0xFFFu;
	out->limit = limit;
	out->base = ((lo >> 16) & 0xFFFFFFu) | (((lo >> 56) & 0xFFu) << 24);
	if (system)
		out->base |= (hi & 0xFFFFFFFFu) << 32;
}

int vmm_segment_read(uint16_t sel, const struct cpu_dtr *gdtr, uint16_t ldtr,
		     bool system, struct vmm_segment *out)
{
	uint64_t table = gdtr->base, lo = 0, hi = 0;
	uint32_t table_limit = gdtr->limit;
	int st;

	vmm_zero(out, sizeof(*out));
	out->selector = sel;
	/* A null selector (index 0 in the GDT) leaves the register unusable
	 * (SDM Vol. 3C 25.4.1). */
	if ((sel & 0xFFFCu) == 0) {
		out->ar = AR_UNUSABLE;
		return VMM_OK;
	}
	if ((sel & 4u) != 0) {
		/* TI=1: the descriptor lives in the LDT, itself described by
		 * a 16-byte system descriptor in the GDT. System segments
		 * (TR, LDTR) are never in an LDT. */
		struct vmm_segment ldt;

		if (system || (ldtr & 0xFFFCu) == 0 || (ldtr & 4u) != 0)
			return VMM_ERR_DESCRIPTOR;
		st = read_desc(gdtr->base, gdtr->limit, ldtr >> 3, true, &lo,
			       &hi);
		if (st != VMM_OK)
			return st;
		decode(lo, hi, true, &ldt);
		table = ldt.base;
		table_limit = ldt.limit;
	}
	st = read_desc(table, table_limit, sel >> 3, system, &lo, &hi);
	if (st != VMM_OK)
		return st;
	decode(lo, hi, system, out);
	/* A loaded segment is present and its S bit matches its kind. */
	if ((out->ar & AR_P) == 0 || ((out->ar & AR_S) == 0) != system)
		return VMM_ERR_DESCRIPTOR;
	/* Loading a code/data segment sets the accessed bit of its cached
	 * descriptor (SDM Vol. 3A 3.4.5.1), even when the GDT is read-only. */
	if (!system)
		out->ar |= 1u;
	return VMM_OK;
}
