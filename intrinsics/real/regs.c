// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Real backend: control, debug and flags registers. Writes carry a "memory"
 * clobber: CR0/CR4 change paging and caching, so no memory access may be
 * moved across them.
 */
#include "real_internal.h"

uint64_t cpu_read_cr0(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr0, %0" : "=r"(v));
	return v;
}

void cpu_write_cr0(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr0" : : "r"(value) : "memory");
}

uint64_t cpu_read_cr2(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

void cpu_write_cr2(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr2" : : "r"(value) : "memory");
}

uint64_t cpu_read_cr3(void)
{
	uint64_t v;

	/* volatile plus "memory": CR3 changes under us on a task switch. */
	__asm__ volatile("mov %%cr3, %0" : "=r"(v) : : "memory");
	return v;
}

void cpu_write_cr3(uint64_t value)
{
	/*
	 * "memory": every access after this uses the new page tables (and,
	 * without PCID, the TLB is flushed of non-global entries).
	 */
	__asm__ volatile("mov %0, %%cr3" : : "r"(value) : "memory");
}

uint64_t cpu_read_cr4(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr4, %0" : "=r"(v));
	return v;
}

void cpu_write_cr4(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr4" : : "r"(value) : "memory");
}

uint64_t cpu_read_cr8(void)
{
	uint64_t v;

	__asm__ volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

void cpu_write_cr8(uint64_t value)
{
	__asm__ volatile("mov %0, %%cr8" : : "r"(value) : "memory");
}

uint64_t cpu_read_dr7(void)
{
	uint64_t v;

	__asm__ volatile("mov %%db7, %0" : "=r"(v));
	return v;
}

void cpu_write_dr7(uint64_t value)
{
	__asm__ volatile("mov %0, %%db7" : : "r"(value) : "memory");
}

uint64_t cpu_read_rflags(void)
{
	uint64_t rflags;

	/*
	 * PUSHFQ/POP is the only way to read RFLAGS. The push is safe without
	 * a red zone (-mno-red-zone): it goes below RSP like any push.
	 */
	__asm__ volatile("pushfq\n\tpopq %0" : "=r"(rflags));
	return rflags;
}
