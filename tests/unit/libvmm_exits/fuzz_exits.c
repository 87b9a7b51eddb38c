// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The exit fuzzer: random VM exits (reason, qualification, instruction
 * length, interruption information, guest registers, MSR indexes, CPL)
 * driven through libvmm's exit handler on the emulated VT-x. Every exit
 * must be delivered, every VM entry that follows must pass every check of
 * the emulator (a handler that writes a bad value is caught there), and a
 * CPU the handler gave back must be outside VMX; any emulator rule that
 * fires (an exception in VMX root, a model violation) fails the run.
 *
 * This executable is a sanitized twin: it compiles libvmm's sources (the
 * list of libvmm/sources.cmake), the emulator and the test platform itself
 * with -fsanitize=address,undefined, because the libvmm.a of the image is
 * built freestanding without sanitizers.
 *
 * Iterations: argv[1], else $FLANK_FUZZ_EXITS, else 20000 (the ctest run);
 * seed: $FLANK_FUZZ_SEED (default 1). The million-exit run:
 *   FLANK_FUZZ_EXITS=1000000 build/tests/unit/libvmm_exits/test_libvmm_exits_fuzz
 */
#include <stdlib.h>

#include "exits_fixture.h"

static uint64_t rng_state;

/* xorshift64*: deterministic for a seed, good enough for fuzzing. */
static uint64_t rnd(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(0x2545F4914F6CDD1D);
}

static uint64_t rnd_below(uint64_t n)
{
	return rnd() % n;
}

/* Reasons with a handler, to be hit often. */
static const uint32_t hot_reasons[] = {
	EXIT_REASON_CPUID,     EXIT_REASON_MSR_READ,	  EXIT_REASON_MSR_WRITE,
	EXIT_REASON_XSETBV,    EXIT_REASON_INVD,	  EXIT_REASON_VMCALL,
	EXIT_REASON_CR_ACCESS, EXIT_REASON_EXCEPTION_NMI, EXIT_REASON_VMXON,
	EXIT_REASON_VMREAD,    EXIT_REASON_VMFUNC,	  EXIT_REASON_INVEPT,
};

/* MSR indexes worth more than a uniform draw. */
static uint32_t rnd_msr(void)
{
	static const uint32_t interesting[] = {MSR_IA32_FEATURE_CONTROL,
					       MSR_IA32_VMX_BASIC,
					       MSR_IA32_VMX_PROCBASED_CTLS3,
					       MSR_IA32_EFER,
					       MSR_IA32_PAT,
					       MSR_IA32_SYSENTER_CS,
					       MSR_IA32_SYSENTER_ESP,
					       MSR_IA32_SYSENTER_EIP,
					       MSR_IA32_FS_BASE,
					       MSR_IA32_GS_BASE,
					       MSR_IA32_DEBUGCTL,
					       MSR_IA32_KERNEL_GS_BASE,
					       MSR_IA32_LSTAR,
					       MSR_IA32_TSC_AUX,
					       MSR_IA32_XSS,
					       MSR_IA32_APIC_BASE,
					       0x40000000u,
					       0xC0002000u,
					       0xFFFFFFFFu,
					       0x2000u};

	switch (rnd_below(4)) {
	case 0:
		return interesting[rnd_below(FLANK_ARRAY_SIZE(interesting))];
	case 1:
		return (uint32_t)rnd_below(0x2000);
	case 2:
		return 0xC0000000u + (uint32_t)rnd_below(0x2000);
	default:
		return (uint32_t)rnd();
	}
}

/* A 64-bit value: small, a bit pattern, near a boundary, or anything. */
static uint64_t rnd_value(void)
{
	switch (rnd_below(5)) {
	case 0:
		return rnd_below(16);
	case 1:
		return BIT64(rnd_below(64));
	case 2:
		return rnd() & 0xFFFFFFFFu;
	case 3:
		return rnd() | UINT64_C(0xFFFF800000000000);
	default:
		return rnd();
	}
}

/* Interruption information: mostly well-formed, sometimes anything. */
static uint32_t rnd_intr_info(void)
{
	uint32_t type = (uint32_t)rnd_below(8),
		 vector = (uint32_t)rnd_below(40);

	if (rnd_below(8) == 0)
		return (uint32_t)rnd();
	if (type == INTR_TYPE_NMI)
		vector = X86_VEC_NMI;
	return INTR_INFO_VALID | (type << INTR_INFO_TYPE_SHIFT) | vector |
	       (rnd_below(2) ? INTR_INFO_DELIVER_CODE : 0u) |
	       (rnd_below(8) == 0 ? INTR_INFO_NMI_UNBLOCK_IRET : 0u);
}

/* The qualification of a CR access: CR, type, GPR, LMSW source. */
static uint64_t rnd_cr_qual(uint64_t shadow_cr4)
{
	static const unsigned crs[] = {0, 3, 4, 8, 2};
	(void)shadow_cr4;
	return crs[rnd_below(5)] | (rnd_below(4) << 4) | (rnd_below(16) << 8) |
	       (rnd_below(0x10000) << 16);
}

/* A CR0/CR4 value near the current one: one or two bits flipped. */
static uint64_t near(uint64_t cur)
{
	cur ^= BIT64(rnd_below(32));
	if (rnd_below(2))
		cur ^= BIT64(rnd_below(64));
	return cur;
}

struct fuzz_counts {
	unsigned long resumed, injected, left, restarts;
	unsigned long per_reason[EXIT_REASON_MAX + 2];
};

static void restart(struct fuzz_counts *n)
{
	uint32_t failed = 0;
	int st = VMM_OK;

	if (vmm_state() == FLANK_STATE_RUNNING)
		st = vmm_stop_all();
	if (st != VMM_OK) {
		/* Only a CPU that INIT parked keeps its pages (CORRUPT, the
		 * image stays: docs/exits.md). White box: release it and go
		 * back to LOADED, as no driver would. */
		assert_int_equal(vmm_ctx.last_error[0], VMM_ERR_UNHANDLED_EXIT);
		assert_true(vmm_ctx.cpu[0] != NULL && vmm_ctx.cpu[0]->parked);
		assert_true(mock_cpu_parked(0));
		vmm_cpu_free(vmm_ctx.cpu[0]);
		vmm_ctx.cpu[0] = NULL;
		vmm_ept_free(&vmm_ctx.ept); /* kept with it (ept.md) */
		vmm_ctx.state = FLANK_STATE_LOADED;
	}
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	vmm_ctx.cpus_left = 0;
	n->restarts++;
}

static void one_exit(struct fuzz_counts *n)
{
	struct mock_exit_event e = {0};
	struct mock_exit_outcome out;
	struct mock_cpu_regs saved_regs;
	bool ring3 = rnd_below(16) == 0;
	uint64_t *g = (uint64_t *)&e.gprs;

	if (rnd_below(4) == 0)
		e.reason = rnd_below(8) == 0
				   ? (uint32_t)rnd_below(0x10000)
				   : (uint32_t)rnd_below(EXIT_REASON_MAX + 3);
	else
		e.reason =
			hot_reasons[rnd_below(FLANK_ARRAY_SIZE(hot_reasons))];
	e.qualification = rnd_value();
	e.instruction_len = (uint32_t)rnd_below(17);
	e.intr_info = rnd_intr_info();
	e.intr_error_code =
		rnd_below(2) ? (uint32_t)rnd_below(0x10000) : (uint32_t)rnd();
	for (size_t i = 0; i < sizeof(e.gprs) / sizeof(uint64_t); i++)
		g[i] = rnd_value();
	switch (e.reason) {
	case EXIT_REASON_CPUID:
		if (rnd_below(4) == 0)
			e.gprs.rax = FLANK_CPUID_LEAF;
		else
			e.gprs.rax = rnd_below(2) ? rnd_below(0x20)
						  : 0x80000000u + rnd_below(9);
		break;
	case EXIT_REASON_MSR_READ:
	case EXIT_REASON_MSR_WRITE:
		e.gprs.rcx = rnd_msr();
		break;
	case EXIT_REASON_XSETBV:
		e.gprs.rcx = rnd_below(8) == 0 ? rnd_value() : 0;
		e.gprs.rax = rnd_below(0x100);
		e.gprs.rdx = rnd_below(8) == 0 ? rnd_value() : 0;
		break;
	case EXIT_REASON_VMCALL:
		e.gprs.rax = rnd_below(8) == 0 ? rnd_value()
					       : FLANK_HC(rnd_below(6));
		e.gprs.rbx = rnd_below(100);
		break;
	case EXIT_REASON_CR_ACCESS: {
		uint64_t cr4 = 0, cr0 = 0;
		assert_true(mock_vmcs_peek(0, VMCS_CR4_READ_SHADOW, &cr4));
		assert_true(mock_vmcs_peek(0, VMCS_CR0_READ_SHADOW, &cr0));
		e.qualification = rnd_cr_qual(cr4);
		/* Qualification GPR n -> struct intrin_gprs slot (RSP is in
		 * the VMCS: no slot). */
		static const int slot[16] = {0, 1, 2, 3,  -1, 4,  5,  6,
					     7, 8, 9, 10, 11, 12, 13, 14};
		int sl = slot[(e.qualification >> 8) & 15u];
		if (sl >= 0 && (e.qualification & 15u) == 4)
			g[sl] = near(cr4);
		else if (sl >= 0 && (e.qualification & 15u) == 0)
			g[sl] = near(cr0);
		break;
	}
	default:
		break;
	}
	if (ring3)
		test_guest_enter_ring3(0, &saved_regs);
	n->per_reason[e.reason <= EXIT_REASON_MAX ? e.reason
						  : EXIT_REASON_MAX + 1]++;
	assert_int_equal(mock_guest_exit_any(&e, &out), 0);
	if (out.action == INTRIN_EXIT_RESUME) {
		/* Every VM entry passes the emulator's checks. */
		if (!out.resume.entered)
			fail_msg("reason %u: VMRESUME refused by rule %s (%s)",
				 e.reason, out.resume.rule,
				 out.resume.citation);
		n->resumed++;
		n->injected += out.injected;
		if (ring3)
			test_guest_leave_ring3(0, &saved_regs);
		return;
	}
	/* Gave the CPU back: outside VMX, then started again. */
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	n->left++;
	if (ring3) {
		/* Left from ring 3 (INIT, triple fault): back to ring 0 with
		 * the CR0/CR4 leaving VMX gave (CR4.VMXE clear). */
		struct mock_cpu_regs now;

		mock_cpu_get_regs(0, &now);
		saved_regs.cr0 = now.cr0;
		saved_regs.cr4 = now.cr4;
		test_guest_leave_ring3(0, &saved_regs);
	}
	restart(n);
}

static unsigned long iterations(void)
{
	const char *s = getenv("FLANK_FUZZ_EXITS");

	return s != NULL ? strtoul(s, NULL, 0) : 20000ul;
}

static unsigned long fuzz_count;

/* Random exits: no crash, no sanitizer report, every entry valid. */
static void test_libvmm_exits_fuzz(void **state)
{
	const char *seed = getenv("FLANK_FUZZ_SEED");
	struct fuzz_counts n = {0};

	(void)state;
	rng_state = seed != NULL ? strtoull(seed, NULL, 0) : 1;
	if (rng_state == 0)
		rng_state = 1;
	exits_up("skylake");
	for (unsigned long i = 0; i < fuzz_count; i++)
		one_exit(&n);
	print_message("fuzz: %lu exits (seed %s): %lu resumed (%lu with an "
		      "injected event), %lu gave the CPU back, %lu restarts\n",
		      fuzz_count, seed != NULL ? seed : "1", n.resumed,
		      n.injected, n.left, n.restarts);
	assert_true(n.resumed + n.left == fuzz_count);
	assert_true(n.resumed > 0 && n.left > 0 && n.injected > 0);
	exits_down();
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libvmm_exits_fuzz),
	};

	fuzz_count = argc > 1 ? strtoul(argv[1], NULL, 0) : iterations();
	return FLANK_RUN_TESTS(tests);
}
