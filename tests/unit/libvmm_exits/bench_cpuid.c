// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * N CPUID exits through libvmm on the emulated VT-x, for callgrind:
 *   valgrind --tool=callgrind --callgrind-out-file=cg.out \
 *     build/tests/unit/libvmm_exits/bench_exits_cpuid 100000
 *   callgrind_annotate cg.out | grep libvmm/src
 * The sum of the libvmm/src lines divided by N is libvmm's own instruction
 * count per CPUID exit (the emulator's cost is listed separately).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flank/mock.h"
#include "flank/vmm.h"
#include "test_platform.h"
#include "vmm_internal.h"

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 100000ul;
	static struct test_platform tp;
	struct cpu_cpuid_regs r;
	struct mock_exit_outcome out;
	uint32_t failed = 0;

	if (mock_init("skylake", 1) != 0)
		return 1;
	mock_set_exit_handlers(vmm_exit_handler, vmm_exit_resume_failed);
	test_platform_init(&tp);
	if (vmm_init(&tp.p) != VMM_OK || vmm_start_all(&failed) != VMM_OK)
		return 1;
	for (unsigned long i = 0; i < n; i++)
		if (mock_guest_cpuid(0, 0, &r, &out) != 0 ||
		    !out.resume.entered)
			return 1;
	printf("%lu CPUID exits\n", n);
	if (vmm_stop_all() != VMM_OK || vmm_fini() != VMM_OK)
		return 1;
	test_platform_fini(&tp);
	mock_fini();
	return 0;
}
