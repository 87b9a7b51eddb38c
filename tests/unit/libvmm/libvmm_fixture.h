/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Shared setup of the libvmm tests: emulator + test platform + vmm_init. */
#ifndef FLANK_LIBVMM_FIXTURE_H
#define FLANK_LIBVMM_FIXTURE_H

#include <stdio.h>
#include <string.h>

#include "flank_test.h"
#include "flank/mock.h"
#include "flank/vmm.h"
#include "test_platform.h"
#include "vmm_internal.h"

static struct test_platform tp;

static void fixture_exception(const char *rule, const char *message)
{
	fail_msg("unexpected exception %s: %s", rule, message);
}

/* A test that failed half-way left its state: start clean. */
static void fixture_reset(void)
{
	if (vmm_state() != FLANK_STATE_UNLOADED)
		memset(&vmm_ctx, 0, sizeof(vmm_ctx));
}

/* Emulator with @p ncpus CPUs of @p profile, platform bound, LOADED. */
static void fixture_up(const char *profile, unsigned ncpus)
{
	fixture_reset();
	assert_int_equal(mock_init(profile, ncpus), 0);
	mock_set_exception_handler(fixture_exception);
	/* The emulator finds the handlers through weak references, which do
	 * not pull objects out of libvmm.a: hand them over explicitly. */
	mock_set_exit_handlers(vmm_exit_handler, vmm_exit_resume_failed);
	test_platform_init(&tp);
	assert_int_equal(vmm_init(&tp.p), VMM_OK);
}

/* Back to UNLOADED; no page may be left (a leak fails the test). */
static void fixture_down(void)
{
	if (vmm_state() == FLANK_STATE_LOADED)
		assert_int_equal(vmm_fini(), VMM_OK);
	assert_int_equal(test_platform_fini(&tp), 0);
	mock_fini();
	/* A CORRUPT image keeps its state (white-box: the tests may forget it,
	 * the driver never does). */
	if (vmm_state() != FLANK_STATE_UNLOADED)
		memset(&vmm_ctx, 0, sizeof(vmm_ctx));
}

#define STATUS_FLAGS                                                           \
	(X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF | X86_RFLAGS_ZF |       \
	 X86_RFLAGS_SF | X86_RFLAGS_OF)

/* Marks an MSR the profile does not have. */
#define NO_MSR UINT64_C(0xDEAD0000DEAD0000)

/* TR limit after any VM exit (SDM Vol. 3C 28.5.2); docs/lifecycle.md. */
#define TR_LIMIT_AFTER_EXIT 0x67u

/*
 * Asserts that CPU @p c equals @p snap, except for the two documented
 * changes: the TR limit (0x67 after stop, restored here after asserting
 * it) and IA32_FEATURE_CONTROL when start had to lock it.
 */
static inline void assert_cpu_restored(unsigned c,
				       struct mock_cpu_snapshot *snap,
				       const struct mock_cpu_regs *before,
				       uint64_t fc_before)
{
	struct mock_cpu_regs now;
	uint64_t fc = 0;
	char why[256] = "";

	assert_int_equal(mock_vmx_mode(c), MOCK_VMX_OUTSIDE);
	mock_cpu_get_regs(c, &now);
	assert_int_equal(now.cr4 & X86_CR4_VMXE, before->cr4 & X86_CR4_VMXE);
	/*
	 * The status flags are clobbered by every call (SysV ABI) and by every
	 * VMX instruction (SDM Vol. 3C 31.2): only the system flags must be
	 * given back.
	 */
	assert_int_equal(now.rflags & ~STATUS_FLAGS,
			 before->rflags & ~STATUS_FLAGS);
	now.rflags =
		(now.rflags & ~STATUS_FLAGS) | (before->rflags & STATUS_FLAGS);
	mock_cpu_set_regs(c, &now);
	if (now.seg[MOCK_SEG_TR].limit != before->seg[MOCK_SEG_TR].limit) {
		assert_int_equal(now.seg[MOCK_SEG_TR].limit,
				 TR_LIMIT_AFTER_EXIT);
		now.seg[MOCK_SEG_TR].limit = before->seg[MOCK_SEG_TR].limit;
		mock_cpu_set_regs(c, &now);
	}
	if (!mock_msr_get(c, MSR_IA32_FEATURE_CONTROL, &fc))
		fc = NO_MSR;
	if (fc_before == NO_MSR || (fc_before & FEATURE_CONTROL_LOCKED) != 0) {
		assert_int_equal(fc, fc_before);
	} else if (fc != fc_before) {
		assert_int_equal(fc, fc_before | FEATURE_CONTROL_LOCKED |
					     FEATURE_CONTROL_VMX_OUTSIDE_SMX);
		mock_msr_set(c, MSR_IA32_FEATURE_CONTROL, fc_before);
	}
	if (!mock_cpu_snapshot_equal(snap, c, why, sizeof(why)))
		fail_msg("cpu %u not restored: %s", c, why);
}

struct saved {
	struct mock_cpu_snapshot *snap[MOCK_MAX_CPUS];
	struct mock_cpu_regs regs[MOCK_MAX_CPUS];
	uint64_t fc[MOCK_MAX_CPUS];
};

static struct saved saved;

static inline void save_all(void)
{
	for (unsigned c = 0; c < mock_cpu_count(); c++) {
		saved.snap[c] = mock_cpu_snapshot(c);
		mock_cpu_get_regs(c, &saved.regs[c]);
		if (!mock_msr_get(c, MSR_IA32_FEATURE_CONTROL, &saved.fc[c]))
			saved.fc[c] = NO_MSR;
	}
}

static inline void assert_all_restored(void)
{
	for (unsigned c = 0; c < mock_cpu_count(); c++) {
		assert_cpu_restored(c, saved.snap[c], &saved.regs[c],
				    saved.fc[c]);
		mock_cpu_snapshot_free(saved.snap[c]);
		saved.snap[c] = NULL;
	}
}

#endif
