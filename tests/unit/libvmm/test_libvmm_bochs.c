// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Regressions of libvmm bugs found by the whole-system run on Bochs's VT-x
 * (tests/e2e), reproduced on the emulated VT-x.
 */
#include "flank/vmm_hypercall.h"
#include "libvmm_fixture.h"

/* Sets the arithmetic flags of CPU @p cpu's current RFLAGS: what an
 * instruction before the VMCALL left there. */
static void set_status_flags(unsigned cpu)
{
	struct mock_cpu_regs regs;

	mock_cpu_get_regs(cpu, &regs);
	regs.rflags |= X86_RFLAGS_CF | X86_RFLAGS_ZF | X86_RFLAGS_SF;
	mock_cpu_set_regs(cpu, &regs);
}

/* Stop succeeds whatever flags the guest had before its VMCALL: the
 * VMCALL reports VMsucceed (Bochs: ZF from before made vmx_vmcall VMREAD
 * outside VMX, #UD in the kernel). */
static void test_libvmm_bochs_stop_with_stale_flags(void **state)
{
	uint32_t failed = 0xFFFF;

	(void)state;
	fixture_up("skylake", 2);
	save_all();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	set_status_flags(0);
	set_status_flags(1);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_state(), FLANK_STATE_LOADED);
	for (unsigned c = 0; c < 2; c++) {
		struct mock_cpu_regs regs;

		assert_int_equal(mock_vmx_mode(c), MOCK_VMX_OUTSIDE);
		mock_cpu_get_regs(c, &regs);
		assert_int_equal(regs.rflags & (X86_RFLAGS_CF | X86_RFLAGS_PF |
						X86_RFLAGS_AF | X86_RFLAGS_ZF |
						X86_RFLAGS_SF | X86_RFLAGS_OF),
				 0);
		/* The restore compares RFLAGS too: put the guest's back. */
		regs.rflags = saved.regs[c].rflags;
		mock_cpu_set_regs(c, &regs);
	}
	assert_all_restored();
	fixture_down();
}

/* A hypercall that resumes the guest reports VMsucceed in the guest's
 * RFLAGS, also for an unknown hypercall, so vmx_vmcall returns the
 * VMM's answer instead of VMfailValid. */
static void test_libvmm_bochs_hypercall_with_stale_flags(void **state)
{
	uint32_t failed = 0xFFFF;
	struct vmx_vmcall_regs regs;
	vmx_result_t r;

	(void)state;
	fixture_up("skylake", 1);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	mock_set_current_cpu(0);

	set_status_flags(0);
	memset(&regs, 0, sizeof(regs));
	regs.rax = FLANK_HC(FLANK_HC_VERSION);
	r = vmx_vmcall(&regs);
	assert_int_equal(r.outcome, VMX_SUCCEED);
	assert_int_equal(regs.rax, VMM_OK);
	assert_int_equal(regs.rbx, FLANK_HC_MAGIC);

	set_status_flags(0);
	memset(&regs, 0, sizeof(regs));
	regs.rax = 0x1234; /* no magic */
	r = vmx_vmcall(&regs);
	assert_int_equal(r.outcome, VMX_SUCCEED);
	assert_int_equal(regs.rax, VMM_ERR_HYPERCALL_UNKNOWN);

	assert_int_equal(vmm_stop_all(), VMM_OK);
	fixture_down();
}

/* cpu_status reports the CR4 the CPU runs with: CR4.VMXE set while it
 * runs under Flank (flankctl status showed "clear" on Bochs while running). */
static void test_libvmm_bochs_status_cr4_running(void **state)
{
	struct flank_cpu_status st;
	uint32_t failed = 0xFFFF;

	(void)state;
	fixture_up("skylake", 1);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(vmm_cpu_status(0, &st), VMM_OK);
	assert_int_equal(st.running, 1);
	assert_true((st.cr4 & X86_CR4_VMXE) != 0);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_cpu_status(0, &st), VMM_OK);
	assert_int_equal(st.running, 0);
	assert_int_equal(st.cr4 & X86_CR4_VMXE, 0);
	fixture_down();
}

/* A guest-state failure of VMLAUNCH is logged with exit reason,
 * qualification and the failing rule (on Bochs the log said only
 * "VMfailValid(0) no error"). */
static void test_libvmm_bochs_entry_failure_logged(void **state)
{
	struct mock_cpu_regs regs;
	uint32_t failed;
	bool found = false;

	(void)state;
	fixture_up("skylake", 1);
	/* SS's descriptor in the GDT now says "code": check G8 fails. */
	mock_cpu_get_regs(0, &regs);
	((uint64_t *)(uintptr_t)regs.gdtr.base)[3] |= UINT64_C(8) << 40;
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_LAUNCH_GUEST_STATE);
	/* The diagnostic names the exit and the rule libvmm's checker finds
	 * (the emulator's verdict is the same rule). */
	for (unsigned i = 0; i < tp.log_count; i++)
		found = found ||
			(strstr(tp.log[i],
				"VM entry failed: VMLAUNCH exit reason "
				"0x80000021 qualification 0x0, invalid guest "
				"state; consistency check: rule G8.ss_type "
				"(SDM Vol. 3C 27.3.1.2): GUEST_SS_AR_BYTES = "
				"0x") != NULL);
	assert_true(found);
	assert_string_equal(mock_last_entry(0)->rule, "G8.ss_type");
	fixture_down();
	assert_non_null(strstr(vmm_entry_failure_name(0x80000021u, 4),
			       "invalid VMCS link pointer"));
	assert_non_null(strstr(vmm_entry_failure_name(0x80000022u, 1),
			       "MSR-load list"));
	assert_non_null(
		strstr(vmm_entry_failure_name(0x80000021u, 2), "PDPTEs"));
	assert_non_null(strstr(vmm_entry_failure_name(0x80000021u, 3), "NMI"));
	assert_string_equal(vmm_entry_failure_name(0x80000029u, 0),
			    "VM entry failed");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libvmm_bochs_stop_with_stale_flags),
		cmocka_unit_test(test_libvmm_bochs_hypercall_with_stale_flags),
		cmocka_unit_test(test_libvmm_bochs_status_cr4_running),
		cmocka_unit_test(test_libvmm_bochs_entry_failure_logged),
	};
	return FLANK_RUN_TESTS(tests);
}
