// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Throughput of the emulated VT-x (target `bench`): full VM-exit/VM-entry
 * round trips (a guest CPUID exit, the handler, and a VMRESUME with every
 * entry check: controls, host state, guest state, MSR-load list) and
 * VMREAD/VMWRITE in VMX root. Prints per-second
 * figures; no pass/fail threshold (machines are noisy).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flank_test.h"
#include "mock_fixture.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static enum intrin_exit_action handler(struct intrin_exit_frame *f, void *ctx)
{
	uint64_t rip = 0, len = 0;
	(void)ctx;
	(void)vmx_vmread(VMCS_GUEST_RIP, &rip);
	(void)vmx_vmread(VMCS_VM_EXIT_INSTRUCTION_LEN, &len);
	(void)vmx_vmwrite(VMCS_GUEST_RIP, rip + len);
	f->gprs.rax = 0x16;
	return INTRIN_EXIT_RESUME;
}

static enum intrin_exit_action failed(struct intrin_exit_frame *f, void *ctx,
				      vmx_result_t r)
{
	(void)f;
	(void)ctx;
	fprintf(stderr, "bench: VMRESUME failed (%d, %u)\n", r.outcome,
		r.error);
	exit(1);
}

/* The iteration count of argv[1]: a positive decimal, or exit with usage. */
static long parse_count(const char *arg)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno != 0 || end == arg || *end != '\0' || n <= 0) {
		fprintf(stderr, "usage: mock_bench [ITERATIONS > 0]\n");
		exit(2);
	}
	return n;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? parse_count(argv[1]) : 300000;
	struct mock_test_vm vm;
	struct cpu_cpuid_regs regs;
	double t0, t1;

	mock_fixture_init("skylake", 1);
	mock_set_exit_handlers(handler, failed);
	mock_test_vm_setup(&vm);

	/* VMREAD/VMWRITE in VMX root. */
	t0 = now();
	uint64_t v = 0, sum = 0;
	for (long i = 0; i < n; i++) {
		(void)vmx_vmwrite(VMCS_GUEST_RSP, (uint64_t)i);
		(void)vmx_vmread(VMCS_GUEST_RSP, &v);
		sum += v;
	}
	t1 = now();
	printf("VMREAD+VMWRITE pairs: %.0f /s (%ld pairs, checksum %llu)\n",
	       (double)n / (t1 - t0), n, (unsigned long long)sum);

	/* Enter the guest once; every exit below ends in a VMRESUME. */
	if (!vmx_ok(vmx_launch()))
		return 1;
	/* Full exit + VMRESUME round trips (all entry checks each time). */
	t0 = now();
	for (long i = 0; i < n; i++) {
		if (mock_guest_cpuid(0, 0, &regs, NULL) != 0) {
			fprintf(stderr, "bench: exit not delivered\n");
			return 1;
		}
	}
	t1 = now();
	printf("VM exit + full VM entry round trips: %.0f /s (%ld)\n",
	       (double)n / (t1 - t0), n);
	mock_set_exit_handlers(NULL, NULL);
	mock_fini();
	return 0;
}
