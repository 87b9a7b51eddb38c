// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Real backend: descriptor-table registers, segment selectors, LSL and LAR.
 */
#include "real_internal.h"

/* The 10-byte memory operand of SGDT/SIDT/LGDT/LIDT (SDM Vol. 3A 3.5.1). */
struct dtr_mem {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

_Static_assert(sizeof(struct dtr_mem) == 10, "pseudo-descriptor is 10 bytes");

void cpu_sgdt(struct cpu_dtr *dtr)
{
	struct dtr_mem m;

	__asm__ volatile("sgdt %0" : "=m"(m));
	dtr->limit = m.limit;
	dtr->base = m.base;
}

void cpu_sidt(struct cpu_dtr *dtr)
{
	struct dtr_mem m;

	__asm__ volatile("sidt %0" : "=m"(m));
	dtr->limit = m.limit;
	dtr->base = m.base;
}

void cpu_lgdt(const struct cpu_dtr *dtr)
{
	struct dtr_mem m = {dtr->limit, dtr->base};

	__asm__ volatile("lgdt %0" : : "m"(m) : "memory");
}

void cpu_lidt(const struct cpu_dtr *dtr)
{
	struct dtr_mem m = {dtr->limit, dtr->base};

	__asm__ volatile("lidt %0" : : "m"(m) : "memory");
}

uint16_t cpu_sldt(void)
{
	uint16_t sel;

	__asm__ volatile("sldt %0" : "=r"(sel));
	return sel;
}

uint16_t cpu_str(void)
{
	uint16_t sel;

	__asm__ volatile("str %0" : "=r"(sel));
	return sel;
}

/*
 * Selector reads use 16-bit destinations: MOV from a segment register to a
 * 32-bit register leaves the upper bits model-specific on older processors
 * (SDM Vol. 2B MOV).
 */
uint16_t cpu_read_cs(void)
{
	uint16_t sel;

	__asm__ volatile("mov %%cs, %0" : "=r"(sel));
	return sel;
}

uint16_t cpu_read_ss(void)
{
	uint16_t sel;

	__asm__ volatile("mov %%ss, %0" : "=r"(sel));
	return sel;
}

uint16_t cpu_read_ds(void)
{
	uint16_t sel;

	__asm__ volatile("mov %%ds, %0" : "=r"(sel));
	return sel;
}

uint16_t cpu_read_es(void)
{
	uint16_t sel;

	__asm__ volatile("mov %%es, %0" : "=r"(sel));
	return sel;
}

uint16_t cpu_read_fs(void)
{
	uint16_t sel;

	__asm__ volatile("mov %%fs, %0" : "=r"(sel));
	return sel;
}

uint16_t cpu_read_gs(void)
{
	uint16_t sel;

	__asm__ volatile("mov %%gs, %0" : "=r"(sel));
	return sel;
}

void cpu_load_sreg(enum cpu_sreg sreg, uint16_t sel)
{
	/*
	 * MOV to Sreg with a 16-bit register source; the hidden part is loaded
	 * from the descriptor (SDM Vol. 2B MOV). One instruction per register:
	 * the segment register is part of the encoding. An unknown sreg is a
	 * caller bug (the enum lists every loadable register) and loads
	 * nothing. CS cannot be loaded by MOV and is not in the enum.
	 */
	switch (sreg) {
	case CPU_SREG_ES:
		__asm__ volatile("mov %0, %%es" : : "r"(sel) : "memory");
		break;
	case CPU_SREG_SS:
		__asm__ volatile("mov %0, %%ss" : : "r"(sel) : "memory");
		break;
	case CPU_SREG_DS:
		__asm__ volatile("mov %0, %%ds" : : "r"(sel) : "memory");
		break;
	case CPU_SREG_FS:
		__asm__ volatile("mov %0, %%fs" : : "r"(sel) : "memory");
		break;
	case CPU_SREG_GS:
		__asm__ volatile("mov %0, %%gs" : : "r"(sel) : "memory");
		break;
	}
}

void cpu_swapgs(void)
{
	/*
	 * "memory": the compiler must not move a GS-relative access across it
	 * (libvmm has none; the clobber keeps it that way for callers).
	 */
	__asm__ volatile("swapgs" : : : "memory");
}

void cpu_lldt(uint16_t sel)
{
	__asm__ volatile("lldt %0" : : "r"(sel) : "memory");
}

bool cpu_lsl(uint16_t sel, uint32_t *limit)
{
	uint32_t v = 0;
	bool ok;

	/*
	 * LSL sets ZF when the selector is valid for it and leaves the
	 * destination unchanged otherwise (SDM Vol. 2A LSL): *limit is only
	 * written on success.
	 */
	__asm__ volatile("lsl %k[sel], %[v]"
			 : [v] "+r"(v), "=@ccz"(ok)
			 : [sel] "r"((uint32_t)sel));
	if (ok)
		*limit = v;
	return ok;
}

bool cpu_lar(uint16_t sel, uint32_t *access_rights)
{
	uint32_t v = 0;
	bool ok;

	/* 32-bit LAR: the second descriptor dword masked with 00FxFF00H. */
	__asm__ volatile("lar %k[sel], %[v]"
			 : [v] "+r"(v), "=@ccz"(ok)
			 : [sel] "r"((uint32_t)sel));
	if (ok)
		*access_rights = v;
	return ok;
}
