// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * End-to-end tests of the #GP machinery behind cpu_rdmsr_safe(),
 * cpu_wrmsr_safe() and cpu_xsetbv_safe() (intrinsics/real/msr_safe.c), in
 * userspace. RDMSR, WRMSR and XSETBV raise #GP(0) in ring 3 just as a
 * refused MSR does in ring 0; Linux turns it into SIGSEGV, and the signal
 * handler below plays the CPU's part of an IDT delivery through the private
 * #GP gate: it pushes SS, RSP, RFLAGS, CS, RIP and the error code on the
 * interrupted stack and continues at the stub (SDM Vol. 3A 6.14.2). The
 * stub then runs unmodified: it recognises the instruction and IRETQs to
 * the fixup (IRETQ to the same privilege level works in ring 3).
 *
 * No Valgrind twin (NO_MEMCHECK): Valgrind's synthetic CPU does not
 * implement RDMSR/WRMSR/XSETBV or IRETQ (it raises SIGILL instead of
 * delivering #GP), so the twin could only test Valgrind. The private IDT
 * builder has its own test with a twin (test_intrinsics_real_safe_idt.c).
 *
 * What userspace cannot run: CLI/STI and LIDT of msr_safe.c, and the
 * forwarding of a foreign #GP to the original handler past its SIDT (SIDT
 * here is UMIP-emulated with a dummy kernel address or returns the real
 * one; either way reading the original gate faults, which the forwarding
 * tests use to prove the stub did not take the fixup path).
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <ucontext.h>

#include "flank/intrinsics.h"
#include "flank_test.h"
#include "real_internal.h"

/* How the SIGSEGV handler treats the next fault. */
enum deliver_mode {
	DELIVER_GP0,	      /* as the CPU: #GP(0) at the faulting RIP */
	DELIVER_GP_ERRCODE,   /* #GP with a non-zero error code */
	DELIVER_GP_OTHER_RIP, /* #GP(0) reported at another RIP */
};

static enum deliver_mode mode;
static volatile uint64_t faults;     /* SIGSEGVs taken */
static volatile uint64_t fault_rip;  /* RIP of the first one */
static volatile uint64_t second_rip; /* RIP of the second one */
static sigjmp_buf escape;

static void deliver_gp(int sig, siginfo_t *si, void *ucv)
{
	ucontext_t *uc = ucv;
	greg_t *g = uc->uc_mcontext.gregs;
	uint64_t rsp = (uint64_t)g[REG_RSP];
	uint64_t *frame;

	(void)sig;
	(void)si;
	faults++;
	if (faults > 1) {
		/* A fault inside the stub (forwarding): leave. */
		second_rip = (uint64_t)g[REG_RIP];
		siglongjmp(escape, 1);
	}
	fault_rip = (uint64_t)g[REG_RIP];
	/*
	 * Push the 64-bit exception frame below the interrupted RSP. The
	 * interrupted code is a leaf assembly function, so nothing lives
	 * below its RSP; the kernel put the signal frame below the red zone.
	 */
	frame = (uint64_t *)(rsp - 6 * sizeof(uint64_t));
	frame[0] = mode == DELIVER_GP_ERRCODE ? 0x18 : 0; /* error code */
	frame[1] = fault_rip + (mode == DELIVER_GP_OTHER_RIP ? 1 : 0);
	frame[2] = (uint64_t)g[REG_CSGSFS] & 0xFFFF; /* CS */
	frame[3] = (uint64_t)g[REG_EFL];	     /* RFLAGS */
	frame[4] = rsp;				     /* RSP */
	frame[5] = (uint64_t)cpu_read_ss();	     /* SS */
	g[REG_RSP] = (greg_t)(uintptr_t)frame;
	g[REG_RIP] = (greg_t)(uintptr_t)intrin_safe_gp_stub;
}

static struct sigaction old_segv;

/*
 * Installs deliver_gp() for SIGSEGV. Called from the test body: CMocka
 * installs its own SIGSEGV handler around each test function (after the
 * setup fixture), so a fixture would be overridden.
 */
static void install_deliver(enum deliver_mode m)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = deliver_gp;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	faults = 0;
	fault_rip = 0;
	second_rip = 0;
	mode = m;
	assert_int_equal(sigaction(SIGSEGV, &sa, &old_segv), 0);
}

/* Gives SIGSEGV back to CMocka. */
static void restore_segv(void)
{
	assert_int_equal(sigaction(SIGSEGV, &old_segv, NULL), 0);
}

/*
 * RDMSR #GP(0) is caught: the fault is at intrin_rdmsr_insn, the stub
 * resumes at the fixup, the call returns CPU_SAFE_GP, *value is untouched.
 */
static void test_intrinsics_real_safe_rdmsr_gp(void **state)
{
	uint64_t value = 0x5A5A5A5A5A5A5A5Au;
	enum cpu_safe_status st;

	(void)state;
	install_deliver(DELIVER_GP0);
	st = intrin_rdmsr_guarded(MSR_IA32_EFER, &value);
	restore_segv();
	assert_int_equal(st, CPU_SAFE_GP);
	assert_int_equal(faults, 1);
	assert_int_equal(fault_rip, (uint64_t)(uintptr_t)intrin_rdmsr_insn);
	assert_int_equal(value, 0x5A5A5A5A5A5A5A5Au);
}

/* WRMSR #GP(0) is caught the same way. */
static void test_intrinsics_real_safe_wrmsr_gp(void **state)
{
	enum cpu_safe_status st;

	(void)state;
	install_deliver(DELIVER_GP0);
	st = intrin_wrmsr_guarded(MSR_IA32_PAT, 0x0007040600070406u);
	restore_segv();
	assert_int_equal(st, CPU_SAFE_GP);
	assert_int_equal(faults, 1);
	assert_int_equal(fault_rip, (uint64_t)(uintptr_t)intrin_wrmsr_insn);
}

/* XSETBV #GP(0) is caught the same way (CPL 3 > 0 is a #GP(0) cause). */
static void test_intrinsics_real_safe_xsetbv_gp(void **state)
{
	struct cpu_cpuid_regs r;
	enum cpu_safe_status st;

	(void)state;
	cpu_cpuid(1, 0, &r);
	if (!(r.ecx & X86_CPUID1_ECX_OSXSAVE))
		skip(); /* XSETBV would raise #UD, not #GP */
	install_deliver(DELIVER_GP0);
	st = intrin_xsetbv_guarded(0, 3);
	restore_segv();
	assert_int_equal(st, CPU_SAFE_GP);
	assert_int_equal(faults, 1);
	assert_int_equal(fault_rip, (uint64_t)(uintptr_t)intrin_xsetbv_insn);
}

/* Runs the guarded RDMSR and returns whether it came back at all. */
static bool rdmsr_returned(void)
{
	uint64_t value = 0;

	if (sigsetjmp(escape, 1) != 0)
		return false;
	(void)intrin_rdmsr_guarded(MSR_IA32_EFER, &value);
	return true;
}

/* The fault RIP is inside the stub, past its entry (forwarding path). */
static void assert_forwarded(void)
{
	uint64_t stub = (uint64_t)(uintptr_t)intrin_safe_gp_stub;

	assert_int_equal(faults, 2);
	assert_true(second_rip > stub && second_rip < stub + 256);
}

/* A #GP with a non-zero error code is not ours: it is forwarded. */
static void test_intrinsics_real_safe_forward_errcode(void **state)
{
	(void)state;
	bool returned;

	install_deliver(DELIVER_GP_ERRCODE);
	returned = rdmsr_returned();
	restore_segv();
	assert_false(returned);
	assert_forwarded();
}

/* A #GP(0) at any other RIP is not ours: it is forwarded. */
static void test_intrinsics_real_safe_forward_other_rip(void **state)
{
	(void)state;
	bool returned;

	install_deliver(DELIVER_GP_OTHER_RIP);
	returned = rdmsr_returned();
	restore_segv();
	assert_false(returned);
	assert_forwarded();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_intrinsics_real_safe_rdmsr_gp),
		cmocka_unit_test(test_intrinsics_real_safe_wrmsr_gp),
		cmocka_unit_test(test_intrinsics_real_safe_xsetbv_gp),
		cmocka_unit_test(test_intrinsics_real_safe_forward_errcode),
		cmocka_unit_test(test_intrinsics_real_safe_forward_other_rip),
	};
	return FLANK_RUN_TESTS(tests);
}
