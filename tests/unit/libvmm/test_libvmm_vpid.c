// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * VPID (issue 18, section 1) on the emulated VT-x: one VPID per CPU, never
 * 0, in the VMCS and in the status; INVVPID before the first entry and
 * before VMXOFF, single-context or the all-context fallback; VPID off on
 * a CPU without it or without a usable INVVPID type; start rolled back
 * when INVVPID fails; and the consequence the emulator models: with VPID
 * an exit no longer flushes the TLB.
 */
#include "libvmm_fixture.h"
#include "flank/mock_tlb.h"
#include "flank/vmm_console.h"

#define EPT_VPID_CAP_INVVPID_SINGLE BIT64(41)
#define EPT_VPID_CAP_INVVPID_ALL BIT64(42)

/* The VMCS VPID and secondary controls of CPU @p c (current VMCS). */
static uint64_t vmcs_of(unsigned c, uint32_t field)
{
	uint64_t v = 0;

	assert_true(mock_vmcs_peek(c, field, &v));
	return v;
}

/* The INVVPID calls of the trace, as "cpu:type:vpid" pairs in order. */
static unsigned invvpid_calls(struct mock_call *out, unsigned max)
{
	unsigned n = 0;

	for (size_t i = 0; i < mock_trace_len(); i++) {
		const struct mock_call *c = mock_trace_at(i);
		if (c->op == MOCK_OP_INVVPID && n < max)
			out[n++] = *c;
	}
	return n;
}

/* Index in the trace of the first call of @p op on @p cpu (or -1). */
static long first_call(enum mock_op op, unsigned cpu)
{
	for (size_t i = 0; i < mock_trace_len(); i++) {
		const struct mock_call *c = mock_trace_at(i);
		if (c->op == op && c->cpu == cpu)
			return (long)i;
	}
	return -1;
}

/* Every CPU runs with its own VPID, number + 1, never 0; the status says
 * which; after stop the status says 0 (off). */
static void test_libvmm_vpid_per_cpu(void **state)
{
	struct flank_cpu_status st;
	uint32_t failed = 0;

	(void)state;
	fixture_up("skylake", 3);
	save_all();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	for (unsigned c = 0; c < 3; c++) {
		assert_true(vmcs_of(c, VMCS_SECONDARY_VM_EXEC_CONTROL) &
			    SEC_ENABLE_VPID);
		assert_true(vmcs_of(c, VMCS_CPU_BASED_VM_EXEC_CONTROL) &
			    CPU_ACTIVATE_SECONDARY);
		assert_int_equal(vmcs_of(c, VMCS_VPID), c + 1);
		assert_int_equal(mock_tlb_current_vpid(c), c + 1);
		assert_int_equal(vmm_cpu_status(c, &st), VMM_OK);
		assert_int_equal(st.vpid, c + 1);
	}
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_all_restored();
	for (unsigned c = 0; c < 3; c++) {
		assert_int_equal(vmm_cpu_status(c, &st), VMM_OK);
		assert_int_equal(st.vpid, 0);
	}
	fixture_down();
}

/* INVVPID single-context of the CPU's VPID after VMXON and before its
 * first VM entry, and again before VMXOFF at stop (SDM Vol. 3C 28.3.3.3);
 * the guest's translations are gone when the CPU leaves VMX. */
static void test_libvmm_vpid_invvpid_start_stop(void **state)
{
	struct mock_call calls[8];
	uint32_t failed = 0;
	long inv, launch, off;

	(void)state;
	fixture_up("skylake", 2);
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(invvpid_calls(calls, 8), 2);
	for (unsigned c = 0; c < 2; c++) {
		assert_int_equal(calls[c].cpu, c);
		assert_int_equal(calls[c].arg[0], VMX_INVVPID_SINGLE_CONTEXT);
		assert_int_equal(calls[c].arg[1], c + 1);
		assert_true(vmx_ok(calls[c].result));
		inv = first_call(MOCK_OP_INVVPID, c);
		launch = first_call(MOCK_OP_VMLAUNCH, c);
		assert_true(first_call(MOCK_OP_VMXON, c) < inv);
		assert_true(inv < launch);
	}
	/* The guests ran: their translations are cached under their VPID. */
	for (unsigned c = 0; c < 2; c++)
		assert_true(mock_tlb_count(c, (uint16_t)(c + 1)) > 0);
	mock_trace_clear();
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(invvpid_calls(calls, 8), 2);
	for (unsigned c = 0; c < 2; c++) {
		assert_int_equal(calls[c].arg[0], VMX_INVVPID_SINGLE_CONTEXT);
		assert_int_equal(calls[c].arg[1], calls[c].cpu + 1);
		inv = first_call(MOCK_OP_INVVPID, c);
		off = first_call(MOCK_OP_VMXOFF, c);
		assert_true(inv >= 0 && inv < off);
		assert_int_equal(mock_tlb_count(c, (uint16_t)(c + 1)), 0);
	}
	mock_trace_enable(false);
	fixture_down();
}

/* Only all-context INVVPID: start and stop use it (it clears every VPID
 * but 0000H, the CPU's own included). */
static void test_libvmm_vpid_all_context_fallback(void **state)
{
	struct mock_call calls[8];
	uint64_t cap = 0;
	uint32_t failed = 0;

	(void)state;
	fixture_up("skylake", 1);
	assert_true(mock_msr_get(0, MSR_IA32_VMX_EPT_VPID_CAP, &cap));
	mock_msr_set(MOCK_ALL_CPUS, MSR_IA32_VMX_EPT_VPID_CAP,
		     cap & ~EPT_VPID_CAP_INVVPID_SINGLE);
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(vmcs_of(0, VMCS_VPID), 1);
	assert_int_equal(invvpid_calls(calls, 8), 1);
	assert_int_equal(calls[0].arg[0], VMX_INVVPID_ALL_CONTEXT);
	assert_true(vmx_ok(calls[0].result));
	mock_trace_clear();
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(invvpid_calls(calls, 8), 1);
	assert_int_equal(calls[0].arg[0], VMX_INVVPID_ALL_CONTEXT);
	mock_trace_enable(false);
	fixture_down();
}

/* Starts 1 CPU and checks VPID is off: not in the controls, no VPID in
 * the status, no INVVPID executed. */
static void assert_vpid_off_after_start(void)
{
	struct flank_cpu_status st;
	struct mock_call calls[4];
	uint32_t failed = 0;

	save_all();
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(vmcs_of(0, VMCS_SECONDARY_VM_EXEC_CONTROL) &
				 SEC_ENABLE_VPID,
			 0);
	assert_int_equal(mock_tlb_current_vpid(0), 0);
	assert_int_equal(vmm_cpu_status(0, &st), VMM_OK);
	assert_int_equal(st.running, 1);
	assert_int_equal(st.vpid, 0);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(invvpid_calls(calls, 4), 0);
	mock_trace_enable(false);
	assert_all_restored();
}

/* A CPU without VPID (Penryn: "enable VPID" allowed-1 is 0) keeps it off. */
static void test_libvmm_vpid_profile_without(void **state)
{
	(void)state;
	fixture_up("core2_penryn", 1);
	assert_vpid_off_after_start();
	fixture_down();
}

/* VPID allowed but neither single- nor all-context INVVPID (or no INVVPID
 * at all): a VPID could not be cleared before use, so it stays off. */
static void test_libvmm_vpid_no_usable_invvpid(void **state)
{
	static const uint64_t clear[] = {
		EPT_VPID_CAP_INVVPID_SINGLE | EPT_VPID_CAP_INVVPID_ALL,
		BIT64(32), /* INVVPID not supported at all. */
	};
	uint64_t cap = 0;

	(void)state;
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(clear); i++) {
		fixture_up("skylake", 1);
		assert_true(mock_msr_get(0, MSR_IA32_VMX_EPT_VPID_CAP, &cap));
		mock_msr_set(MOCK_ALL_CPUS, MSR_IA32_VMX_EPT_VPID_CAP,
			     cap & ~clear[i]);
		assert_vpid_off_after_start();
		fixture_down();
	}
	assert_false(vmm_vpid_usable(0));
	assert_false(vmm_vpid_usable(BIT64(32) | BIT64(40) | BIT64(43)));
	assert_false(vmm_vpid_usable(BIT64(41) | BIT64(42)));
	assert_true(vmm_vpid_usable(BIT64(32) | BIT64(41)));
	assert_true(vmm_vpid_usable(BIT64(32) | BIT64(42)));
	assert_int_equal(
		vmm_vpid_invvpid_type(BIT64(32) | BIT64(41) | BIT64(42)),
		VMX_INVVPID_SINGLE_CONTEXT);
	assert_int_equal(vmm_vpid_invvpid_type(BIT64(32) | BIT64(42)),
			 VMX_INVVPID_ALL_CONTEXT);
}

/* INVVPID failing before the first entry: start fails with INVVPID on
 * that CPU, the CPUs before it are rolled back, everything as before. */
static void test_libvmm_vpid_invvpid_fails_at_start(void **state)
{
	const vmx_result_t fail = {VMX_FAIL_VALID,
				   VMXERR_INVALID_INVEPT_INVVPID};

	(void)state;
	for (unsigned nth = 1; nth <= 2; nth++) {
		uint32_t failed = 0xFFFF;

		fixture_up("skylake", 2);
		save_all();
		assert_int_equal(mock_fail_nth(MOCK_OP_INVVPID, nth, fail), 0);
		assert_int_equal(vmm_start_all(&failed), VMM_ERR_INVVPID);
		assert_int_equal(failed, nth - 1);
		assert_int_equal(vmm_state(), FLANK_STATE_LOADED);
		assert_true(test_platform_log_has(&tp, "INVVPID failed: "
						       "VMfailValid(28)"));
		assert_all_restored();
		assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
		mock_fail_clear();
		fixture_down();
	}
}

/* True if the debug ring holds @p needle. */
static bool ring_has(const char *needle)
{
	static char text[65536];
	uint64_t pos = 0;
	size_t n = 0, got;

	while (n + 1 < sizeof(text) &&
	       (got = vmm_console_ring_read(&pos, text + n,
					    sizeof(text) - 1 - n)) > 0)
		n += got;
	text[n] = '\0';
	return strstr(text, needle) != NULL;
}

/* INVVPID failing at stop: logged in the ring, the CPU leaves VMX all the
 * same and is given back as it was. */
static void test_libvmm_vpid_invvpid_fails_at_stop(void **state)
{
	const vmx_result_t fail = {VMX_FAIL_VALID,
				   VMXERR_INVALID_INVEPT_INVVPID};
	uint32_t failed = 0;

	(void)state;
	fixture_up("skylake", 1);
	save_all();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(mock_fail_nth(MOCK_OP_INVVPID, 1, fail), 0);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	mock_fail_clear();
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	assert_true(ring_has("cpu 0: INVVPID failed: VMfailValid(28)"));
	assert_all_restored();
	fixture_down();
}

/* IA32_VMX_EPT_VPID_CAP raising #GP although "enable VPID" may be 1 is a
 * broken capability report: start refuses with CAPABILITY_MSR. */
static void test_libvmm_vpid_cap_msr_gp(void **state)
{
	uint32_t failed = 0xFFFF;

	(void)state;
	fixture_up("skylake", 1);
	save_all();
	mock_msr_gp(MOCK_ALL_CPUS, MSR_IA32_VMX_EPT_VPID_CAP, true, false);
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_CAPABILITY_MSR);
	assert_true(test_platform_log_has(&tp, "RDMSR 0x48c raised #GP"));
	assert_all_restored();
	fixture_down();
}

/* Runs a guest CPUID exit on CPU 0 and returns how many VM transitions
 * flushed the TLB meanwhile. */
static uint64_t flushes_of_one_exit(void)
{
	struct mock_tlb_stats before, after;
	struct cpu_cpuid_regs regs;

	mock_tlb_get_stats(0, &before);
	assert_int_equal(mock_guest_cpuid(0, 0, &regs, NULL), 0);
	mock_tlb_get_stats(0, &after);
	assert_int_equal(after.exits - before.exits, 1);
	assert_int_equal(after.entries - before.entries, 1);
	return after.flushing_transitions - before.flushing_transitions;
}

/* The point of VPID: with it a CPUID exit (exit and VMRESUME) flushes
 * nothing and the guest's translations survive; without it (Penryn) both
 * transitions flush them. */
static void test_libvmm_vpid_exit_keeps_tlb(void **state)
{
	uint32_t failed = 0;

	(void)state;
	fixture_up("skylake", 1);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	mock_tlb_fill(0, 1, 0xffffffff81000000u, false);
	assert_int_equal(flushes_of_one_exit(), 0);
	assert_true(mock_tlb_has(0, 1, 0xffffffff81000000u));
	assert_int_equal(vmm_stop_all(), VMM_OK);
	fixture_down();

	fixture_up("core2_penryn", 1);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	mock_tlb_fill(0, 0, 0xffffffff81000000u, false);
	assert_int_equal(flushes_of_one_exit(), 2);
	assert_false(mock_tlb_has(0, 0, 0xffffffff81000000u));
	assert_int_equal(vmm_stop_all(), VMM_OK);
	fixture_down();
}

/* A CPU that leaves VMX without stop (an unhandled exit: a triple fault
 * here) clears its VPID before VMXOFF too: what the stop path promises
 * (vpid.c, SDM Vol. 3C 28.3.3.3) holds on every way out. */
static void test_libvmm_vpid_invvpid_unhandled_exit(void **state)
{
	struct mock_exit_outcome out;
	uint32_t failed = 0;
	long inv, off;

	(void)state;
	fixture_up("skylake", 1);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	mock_tlb_fill(0, 1, 0xffffffff81000000u, false);
	assert_true(mock_tlb_count(0, 1) > 0);
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(mock_guest_triple_fault(&out), 0);
	assert_int_equal(out.action, INTRIN_EXIT_LEAVE);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	inv = first_call(MOCK_OP_INVVPID, 0);
	off = first_call(MOCK_OP_VMXOFF, 0);
	assert_true(inv >= 0 && inv < off);
	assert_int_equal(mock_tlb_count(0, 1), 0);
	mock_trace_enable(false);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	fixture_down();
}

/*
 * A MOV to CR4 that exits (here: one setting CR4.VMXE, a bit of the mask)
 * is emulated by VMWRITE; with VPID the VM entry after it flushes nothing
 * (SDM Vol. 3C 29.4.3.3), so the invalidation the instruction implies
 * (SDM Vol. 3A 4.10.4.1: all entries, global ones included, when CR4.PGE
 * changes) must be done by INVVPID. A write that changes none of those
 * bits keeps the guest's translations.
 */
static void test_libvmm_vpid_cr4_write_flushes(void **state)
{
	const uint64_t la = 0xffffffff81000000u;
	struct mock_exit_outcome out;
	uint32_t failed = 0;
	uint64_t shadow;

	(void)state;
	fixture_up("skylake", 1);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	shadow = vmcs_of(0, VMCS_CR4_READ_SHADOW);
	assert_int_equal(shadow & X86_CR4_VMXE, 0);
	mock_tlb_fill(0, 1, la, true);
	assert_int_equal(mock_guest_mov_to_cr(4, shadow | X86_CR4_VMXE, &out),
			 0);
	assert_int_equal(out.action, INTRIN_EXIT_RESUME);
	assert_true(mock_tlb_has(0, 1, la));
	assert_int_equal(mock_guest_mov_to_cr(4, shadow, &out), 0);
	assert_true(mock_tlb_has(0, 1, la));
	/* The same exit with CR4.PGE toggled in the same MOV. */
	assert_int_equal(
		mock_guest_mov_to_cr(4, (shadow | X86_CR4_VMXE) ^ X86_CR4_PGE,
				     &out),
		0);
	assert_int_equal(out.action, INTRIN_EXIT_RESUME);
	assert_true(((vmcs_of(0, VMCS_GUEST_CR4) ^ shadow) & X86_CR4_PGE) != 0);
	assert_false(mock_tlb_has(0, 1, la));
	assert_int_equal(vmm_stop_all(), VMM_OK);
	fixture_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libvmm_vpid_per_cpu),
		cmocka_unit_test(test_libvmm_vpid_invvpid_start_stop),
		cmocka_unit_test(test_libvmm_vpid_all_context_fallback),
		cmocka_unit_test(test_libvmm_vpid_profile_without),
		cmocka_unit_test(test_libvmm_vpid_no_usable_invvpid),
		cmocka_unit_test(test_libvmm_vpid_invvpid_fails_at_start),
		cmocka_unit_test(test_libvmm_vpid_invvpid_fails_at_stop),
		cmocka_unit_test(test_libvmm_vpid_cap_msr_gp),
		cmocka_unit_test(test_libvmm_vpid_exit_keeps_tlb),
		cmocka_unit_test(test_libvmm_vpid_invvpid_unhandled_exit),
		cmocka_unit_test(test_libvmm_vpid_cr4_write_flushes),
	};
	return FLANK_RUN_TESTS(tests);
}
