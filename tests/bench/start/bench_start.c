// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-start: what starting and stopping libvmm on N emulated CPUs costs.
 *
 *   bench_start [NCPUS] [PROFILE]
 *
 * Starts every CPU inside bench_start_all() and stops them inside
 * bench_stop_all(), once: `valgrind --tool=callgrind
 * --toggle-collect=bench_start_all` counts the start in instructions
 * (bench-start.sh does that for a few CPU counts). The instructions per CPU
 * should not grow with N: a cost that does is quadratic somewhere (the test
 * platform's page allocator or the emulator's memory map, issue 14).
 */
#include <stdio.h>
#include <stdlib.h>

#include "flank/mock.h"
#include "flank/vmm.h"
#include "test_platform.h"

static struct test_platform tp;

__attribute__((noinline)) static int bench_start_all(void)
{
	uint32_t failed = 0;

	return vmm_start_all(&failed) == VMM_OK ? 0 : 1;
}

__attribute__((noinline)) static int bench_stop_all(void)
{
	return vmm_stop_all() == VMM_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 0) : 1ul;
	const char *profile = argc > 2 ? argv[2] : "skylake";

	if (n == 0 || n > MOCK_MAX_CPUS) {
		fprintf(stderr, "bench_start: 1..%u CPUs\n", MOCK_MAX_CPUS);
		return 2;
	}
	if (mock_init(profile, (unsigned)n) != 0)
		return 1;
	mock_set_exit_handlers(vmm_exit_handler, vmm_exit_resume_failed);
	test_platform_init(&tp);
	if (vmm_init(&tp.p) != VMM_OK) {
		fprintf(stderr, "bench_start: vmm_init failed\n");
		return 1;
	}
	if (bench_start_all() != 0) {
		fprintf(stderr, "bench_start: start failed\n");
		return 1;
	}
	if (bench_stop_all() != 0) {
		fprintf(stderr, "bench_start: stop failed\n");
		return 1;
	}
	if (vmm_fini() != VMM_OK || test_platform_fini(&tp) != 0)
		return 1;
	mock_fini();
	printf("bench_start: %lu CPUs started and stopped (%s)\n", n, profile);
	return 0;
}
