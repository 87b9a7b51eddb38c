// SPDX-License-Identifier: LGPL-2.1-or-later
/* Real backend: CPUID, control registers, flags and segments. */
#include "flank/intrinsics.h"

void cpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpu_cpuid_regs *out)
{
	__asm__ volatile("cpuid"
			 : "=a"(out->eax), "=b"(out->ebx), "=c"(out->ecx),
			   "=d"(out->edx)
			 : "a"(leaf), "c"(subleaf));
}

uint64_t cpu_read_rflags(void)
{
	uint64_t rflags;
	__asm__ volatile("pushfq; popq %0" : "=r"(rflags));
	return rflags;
}
