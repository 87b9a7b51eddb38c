// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Real backend: CPUID, XGETBV and the instructions that idle the CPU or act
 * on its caches.
 */
#include "real_internal.h"

void cpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpu_cpuid_regs *out)
{
	/* ECX is always loaded: leaves without subleaves ignore it. */
	__asm__ volatile("cpuid"
			 : "=a"(out->eax), "=b"(out->ebx), "=c"(out->ecx),
			   "=d"(out->edx)
			 : "a"(leaf), "c"(subleaf));
}

uint64_t cpu_xgetbv(uint32_t xcr)
{
	uint32_t lo, hi;

	/* XCR number in ECX, value in EDX:EAX (SDM Vol. 2C XGETBV). */
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(xcr));
	return ((uint64_t)hi << 32) | lo;
}

void cpu_pause(void)
{
	__asm__ volatile("pause");
}

void cpu_halt(void)
{
	/* "memory": other CPUs' stores must be re-read after the wake-up. */
	__asm__ volatile("hlt" ::: "memory");
}

void cpu_invd(void)
{
	__asm__ volatile("invd" ::: "memory");
}

void cpu_wbinvd(void)
{
	__asm__ volatile("wbinvd" ::: "memory");
}

bool cpu_verw(uint16_t sel)
{
	bool zf;

	/*
	 * The memory form: only it is documented to overwrite the CPU buffers
	 * (MD_CLEAR); the register form is not. ZF is the output. "memory":
	 * no access to VMM data may move after it (it must be the last).
	 */
	__asm__ volatile("verw %[sel]"
			 : "=@ccz"(zf)
			 : [sel] "m"(sel)
			 : "memory");
	return zf;
}
