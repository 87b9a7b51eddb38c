// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fault sweeps of the exit handlers and of stop. For every exit kind below,
 * a clean exit is traced first; then the exit is delivered once per
 * failable intrinsic call it made (VMREAD, VMWRITE, VMCLEAR, VMXOFF,
 * VMRESUME, RDMSR, WRMSR, XSETBV, INVVPID), failing exactly that call, and the
 * outcome must be one docs/exits.md documents:
 *  - resumed: the VM entry passes every check of the emulator, and the
 *    guest got either the clean result, or a fault injected with RIP and
 *    registers untouched, or nothing at all (RIP and registers untouched:
 *    the documented "guest state cannot be read" / "CPL unknown" cases);
 *  - left: the CPU is outside VMX at the exiting instruction with its
 *    registers untouched and a status that says why; or, if VMXOFF itself
 *    failed, still in VMX root and stop says VMM_ERR_VMXOFF (CORRUPT) and
 *    keeps exactly the CPU's pages.
 * The stop sweep fails each call of a stop (the VMCALL and every call of
 * the stop hypercall) and asserts the documented CORRUPT handling: either
 * the CPU was given back exactly as before start, or it still runs under
 * Flank and a second stop gives it back, or it is stuck in VMX root with
 * its pages kept (VMXOFF failed). No page leaks beyond those.
 */
#include <stdlib.h>

#include "exits_fixture.h"

struct scenario {
	const char *name;
	bool ring3;
	void (*prepare)(struct mock_exit_event *e);
};

static uint64_t shadow(uint32_t field)
{
	return peek(field);
}

static void sc_cpuid(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_CPUID;
	e->instruction_len = 2;
	e->gprs.rax = 1;
}

/* CPUID in an STI shadow: the advance also writes the interruptibility. */
static void sc_cpuid_sti(struct mock_exit_event *e)
{
	struct mock_cpu_regs regs;

	mock_cpu_get_regs(0, &regs);
	regs.rflags |= X86_RFLAGS_IF;
	mock_cpu_set_regs(0, &regs);
	assert_true(mock_vmcs_poke(0, VMCS_GUEST_INTERRUPTIBILITY_INFO,
				   INTERRUPTIBILITY_STI));
	sc_cpuid(e);
}

static void sc_rdmsr_fc(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_MSR_READ;
	e->instruction_len = 2;
	e->gprs.rcx = MSR_IA32_FEATURE_CONTROL;
}

static void sc_wrmsr_fc(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_MSR_WRITE;
	e->instruction_len = 2;
	e->gprs.rcx = MSR_IA32_FEATURE_CONTROL;
}

static void sc_rdmsr_fs_base(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_MSR_READ;
	e->instruction_len = 2;
	e->gprs.rcx = MSR_IA32_FS_BASE;
}

static void sc_wrmsr_efer(struct mock_exit_event *e)
{
	uint64_t efer = shadow(VMCS_GUEST_IA32_EFER);

	e->reason = EXIT_REASON_MSR_WRITE;
	e->instruction_len = 2;
	e->gprs.rcx = MSR_IA32_EFER;
	e->gprs.rax = (uint32_t)efer;
	e->gprs.rdx = efer >> 32;
}

static void sc_rdmsr_other(struct mock_exit_event *e)
{
	mock_msr_set(0, 0x40000010u, 0x1234);
	e->reason = EXIT_REASON_MSR_READ;
	e->instruction_len = 2;
	e->gprs.rcx = 0x40000010u;
}

static void sc_wrmsr_other(struct mock_exit_event *e)
{
	mock_msr_set(0, 0x40000010u, 0x1234);
	e->reason = EXIT_REASON_MSR_WRITE;
	e->instruction_len = 2;
	e->gprs.rcx = 0x40000010u;
	e->gprs.rax = 0x5678;
}

static void sc_xsetbv(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_XSETBV;
	e->instruction_len = 3;
	e->gprs.rax = 0x3;
}

static void sc_xsetbv_ecx1(struct mock_exit_event *e)
{
	sc_xsetbv(e);
	e->gprs.rcx = 1;
}

static void sc_invd(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_INVD;
	e->instruction_len = 2;
}

static void sc_vmxon(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_VMXON;
	e->instruction_len = 4;
}

/* MOV to CR4 from RAX of the value the guest sees with @p flip toggled. */
static void cr4_write(struct mock_exit_event *e, uint64_t flip)
{
	e->reason = EXIT_REASON_CR_ACCESS;
	e->instruction_len = 3;
	e->qualification = 4;
	e->gprs.rax = shadow(VMCS_CR4_READ_SHADOW) ^ flip;
}

static void sc_cr4_pge(struct mock_exit_event *e)
{
	cr4_write(e, X86_CR4_PGE);
}

static void sc_cr4_pcide(struct mock_exit_event *e)
{
	cr4_write(e, X86_CR4_PCIDE);
}

static void sc_cr4_cet(struct mock_exit_event *e)
{
	cr4_write(e, X86_CR4_CET);
}

/* MOV to CR0 clearing WP (reads CR4 for CET). */
static void sc_cr0_wp(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_CR_ACCESS;
	e->instruction_len = 3;
	e->qualification = 0;
	e->gprs.rax = shadow(VMCS_CR0_READ_SHADOW) & ~X86_CR0_WP;
}

static void sc_clts(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_CR_ACCESS;
	e->instruction_len = 2;
	e->qualification = 0x20;
}

static void sc_lmsw(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_CR_ACCESS;
	e->instruction_len = 3;
	e->qualification = 0x30 | ((shadow(VMCS_CR0_READ_SHADOW) & 0xF) << 16);
}

/* MOV RSP, CR3 and MOV CR3, RSP: RSP lives in the VMCS. */
static void sc_cr3_from_rsp(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_CR_ACCESS;
	e->instruction_len = 3;
	e->qualification = 3 | 0x10 | (4u << 8);
}

/*
 * MOV CR3, RSP of a value set here, never the RSP the start left (the test
 * process's stack: its address decides whether the value fits the physical
 * width, so the number of calls would differ between runs and under
 * Valgrind). One exit reloads the guest's own CR3, one has reserved bits.
 */
static void cr3_to_rsp(struct mock_exit_event *e, uint64_t rsp)
{
	mock_cpu_set_rsp(0, rsp);
	e->reason = EXIT_REASON_CR_ACCESS;
	e->instruction_len = 3;
	e->qualification = 3 | (4u << 8);
}

static void sc_cr3_to_rsp(struct mock_exit_event *e)
{
	cr3_to_rsp(e, shadow(VMCS_GUEST_CR3));
}

static void sc_cr3_to_rsp_reserved(struct mock_exit_event *e)
{
	cr3_to_rsp(e, shadow(VMCS_GUEST_CR3) | BIT64(62));
}

static void sc_vmcall_version(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_VMCALL;
	e->instruction_len = 3;
	e->gprs.rax = FLANK_HC(FLANK_HC_VERSION);
}

static void sc_vmcall_ring3(struct mock_exit_event *e)
{
	sc_vmcall_version(e);
}

static void sc_exception_pf(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_EXCEPTION_NMI;
	e->intr_info = INTR_INFO_VALID | INTR_INFO_DELIVER_CODE |
		       (INTR_TYPE_HARD_EXCEPTION << 8) | X86_VEC_PF;
	e->intr_error_code = 6;
}

static void sc_exception_bp(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_EXCEPTION_NMI;
	e->instruction_len = 1;
	e->intr_info =
		INTR_INFO_VALID | (INTR_TYPE_SOFT_EXCEPTION << 8) | X86_VEC_BP;
}

static void sc_exception_iret(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_EXCEPTION_NMI;
	e->intr_info = INTR_INFO_VALID | INTR_INFO_NMI_UNBLOCK_IRET |
		       (INTR_TYPE_HARD_EXCEPTION << 8) | X86_VEC_UD;
}

static void sc_nmi(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_EXCEPTION_NMI;
	e->intr_info = INTR_INFO_VALID | (INTR_TYPE_NMI << 8) | X86_VEC_NMI;
}

static void sc_hlt(struct mock_exit_event *e)
{
	e->reason = EXIT_REASON_HLT;
	e->instruction_len = 1;
	e->qualification = 0x1234;
}

static const struct scenario scenarios[] = {
	{"cpuid", false, sc_cpuid},
	{"cpuid in STI shadow", false, sc_cpuid_sti},
	{"rdmsr feature control", false, sc_rdmsr_fc},
	{"wrmsr feature control", false, sc_wrmsr_fc},
	{"rdmsr fs base", false, sc_rdmsr_fs_base},
	{"wrmsr efer", false, sc_wrmsr_efer},
	{"rdmsr other", false, sc_rdmsr_other},
	{"wrmsr other", false, sc_wrmsr_other},
	{"xsetbv", false, sc_xsetbv},
	{"xsetbv ecx 1", false, sc_xsetbv_ecx1},
	{"invd", false, sc_invd},
	{"vmxon", false, sc_vmxon},
	{"mov cr4 pge", false, sc_cr4_pge},
	{"mov cr4 pcide", false, sc_cr4_pcide},
	{"mov cr4 cet", false, sc_cr4_cet},
	{"mov cr0 wp", false, sc_cr0_wp},
	{"clts", false, sc_clts},
	{"lmsw", false, sc_lmsw},
	{"mov rsp, cr3", false, sc_cr3_from_rsp},
	{"mov cr3, rsp", false, sc_cr3_to_rsp},
	{"mov cr3, rsp (reserved bits)", false, sc_cr3_to_rsp_reserved},
	{"vmcall version", false, sc_vmcall_version},
	{"vmcall ring 3", true, sc_vmcall_ring3},
	{"exception #PF", false, sc_exception_pf},
	{"exception #BP", false, sc_exception_bp},
	{"exception IRET unblock", false, sc_exception_iret},
	{"nmi", false, sc_nmi},
	{"hlt (unhandled)", false, sc_hlt},
	{"hlt in ring 3 (unhandled)", true, sc_hlt},
};

/* A failable call of a traced run: the nth call of op. */
struct point {
	enum mock_op op;
	unsigned nth;
};

#define MAX_POINTS 256u

static bool failable(enum mock_op op)
{
	return op == MOCK_OP_VMREAD || op == MOCK_OP_VMWRITE ||
	       op == MOCK_OP_VMCLEAR || op == MOCK_OP_VMXOFF ||
	       op == MOCK_OP_VMRESUME || op == MOCK_OP_VMCALL ||
	       op == MOCK_OP_RDMSR || op == MOCK_OP_WRMSR ||
	       op == MOCK_OP_XSETBV || op == MOCK_OP_INVVPID;
}

/* How the call fails: what the SDM lets each instruction report. */
static vmx_result_t failure(enum mock_op op)
{
	switch (op) {
	case MOCK_OP_VMREAD:
	case MOCK_OP_VMWRITE:
		return (vmx_result_t){VMX_FAIL_VALID,
				      VMXERR_UNSUPPORTED_COMPONENT};
	case MOCK_OP_VMCLEAR:
		return (vmx_result_t){VMX_FAIL_VALID,
				      VMXERR_VMCLEAR_INVALID_ADDR};
	case MOCK_OP_VMXOFF:
		/* Error 23: dual-monitor treatment active (SDM 31.4). */
		return (vmx_result_t){VMX_FAIL_VALID, 23};
	case MOCK_OP_VMRESUME:
		return (vmx_result_t){VMX_FAIL_VALID,
				      VMXERR_ENTRY_INVALID_CONTROL};
	case MOCK_OP_VMCALL:
		return (vmx_result_t){VMX_FAIL_INVALID, 0};
	case MOCK_OP_INVVPID:
		return (vmx_result_t){VMX_FAIL_VALID,
				      VMXERR_INVALID_INVEPT_INVVPID};
	default: /* RDMSR, WRMSR, XSETBV: #GP */
		return (vmx_result_t){VMX_EXCEPTION, X86_VEC_GP};
	}
}

/* Collects the failable calls from the trace, in order. */
static unsigned collect(struct point *pts)
{
	unsigned seen[MOCK_OP_COUNT] = {0}, n = 0;

	for (size_t i = 0; i < mock_trace_len(); i++) {
		enum mock_op op = mock_trace_at(i)->op;
		if (!failable(op))
			continue;
		assert_true(n < MAX_POINTS);
		pts[n].op = op;
		pts[n].nth = ++seen[op];
		n++;
	}
	return n;
}

static struct mock_cpu_regs ring0_regs;

static void enter_ring3(void)
{
	test_guest_enter_ring3(0, &ring0_regs);
}

static void leave_ring3(void)
{
	test_guest_leave_ring3(0, &ring0_regs);
}

/* One exit of @p sc on a fresh VMM; with @p p, that call fails. */
static void deliver(const struct scenario *sc, const struct point *p,
		    struct mock_exit_event *e, struct mock_exit_outcome *out)
{
	exits_up("skylake");
	memset(e, 0, sizeof(*e));
	sc->prepare(e);
	if (sc->ring3)
		enter_ring3();
	if (p != NULL)
		assert_int_equal(mock_fail_nth(p->op, p->nth, failure(p->op)),
				 0);
	assert_int_equal(mock_guest_exit_any(e, out), 0);
	mock_fail_clear();
}

static bool gprs_equal(const struct intrin_gprs *a, const struct intrin_gprs *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/*
 * After a CPU was left in VMX root (VMXOFF failed): stop reports it and
 * keeps exactly its pages (CORRUPT); the test then gives the CPU back
 * itself and frees them.
 */
static void assert_stuck_in_root_and_clean_up(void)
{
	struct vmm_cpu *cpu = cpu0();

	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_ROOT);
	assert_int_equal(vmm_stop_all(), VMM_ERR_VMXOFF);
	assert_int_equal(vmm_state(), FLANK_STATE_CORRUPT);
	assert_true(vmm_ctx.cpu[0] == cpu);
	/* The CPU's pages and the EPT map it may still walk (ept.md). */
	assert_int_equal(tp.pages_live, VMM_PAGES_PER_CPU + vmm_ctx.ept.pages +
						VMM_PAGES_AT_INIT);
	assert_true(vmx_ok(vmx_off()));
	cpu_write_cr4(cpu_read_cr4() & ~X86_CR4_VMXE);
	vmm_cpu_free(cpu);
	vmm_ept_free(&vmm_ctx.ept);
	vmm_ctx.cpu[0] = NULL;
	vmm_ctx.state = FLANK_STATE_LOADED;
	vmm_console_detach();
	fixture_down();
}

static void check_point(const struct scenario *sc, const struct point *p,
			const struct mock_exit_outcome *clean)
{
	struct mock_exit_event e;
	struct mock_exit_outcome out;
	struct flank_cpu_status st;
	const char *what = mock_op_name(p->op);

	deliver(sc, p, &e, &out);
	if (out.action == INTRIN_EXIT_RESUME) {
		if (!out.resume.entered)
			fail_msg("%s, %s #%u: VMRESUME refused by %s", sc->name,
				 what, p->nth, out.resume.rule);
		if (out.injected) {
			/* A fault for the guest: RIP and registers stay. */
			assert_true(out.rip_after == out.rip_before);
			assert_true(gprs_equal(&out.gprs, &e.gprs));
		} else if (out.rip_after == out.rip_before) {
			/* Resumed at the instruction, nothing changed. */
			assert_true(gprs_equal(&out.gprs, &e.gprs) ||
				    clean->rip_after == clean->rip_before);
		} else {
			/* The clean result. */
			assert_true(out.rip_after - out.rip_before ==
				    clean->rip_after - clean->rip_before);
			assert_true(gprs_equal(&out.gprs, &clean->gprs));
		}
		if (sc->ring3 && mock_vmx_mode(0) == MOCK_VMX_NONROOT)
			leave_ring3();
		exits_down();
		return;
	}
	assert_int_equal(out.action, INTRIN_EXIT_LEAVE);
	if (sc->ring3)
		fail_msg("%s, %s #%u: left the CPU in user mode", sc->name,
			 what, p->nth);
	if (p->op == MOCK_OP_VMRESUME) {
		/* The handler had completed: left after the instruction. */
		assert_true(out.rip_after - out.rip_before ==
			    clean->rip_after - clean->rip_before);
		assert_true(gprs_equal(&out.gprs, &clean->gprs));
	} else if (out.rip_after != out.rip_before ||
		   !gprs_equal(&out.gprs, &e.gprs)) {
		fail_msg("%s, %s #%u: left with RIP or registers changed",
			 sc->name, what, p->nth);
	}
	if (p->op == MOCK_OP_VMXOFF) {
		assert_stuck_in_root_and_clean_up();
		return;
	}
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	assert_int_equal(cpu_read_cr4() & X86_CR4_VMXE, 0);
	assert_int_equal(vmm_cpu_status(0, &st), VMM_OK);
	assert_int_equal(st.running, 0);
	if (p->op == MOCK_OP_VMRESUME)
		assert_int_equal(st.last_error, VMM_ERR_LAUNCH_CONTROLS);
	else
		assert_int_equal(st.last_error, VMM_ERR_UNHANDLED_EXIT);
	exits_down();
}

static unsigned sweep_scenario(const struct scenario *sc)
{
	static struct point pts[MAX_POINTS];
	struct mock_exit_event e;
	struct mock_exit_outcome clean;
	unsigned n;

	exits_up("skylake");
	memset(&e, 0, sizeof(e));
	sc->prepare(&e);
	if (sc->ring3)
		enter_ring3();
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(mock_guest_exit_any(&e, &clean), 0);
	mock_trace_enable(false);
	n = collect(pts);
	/* A failed VMRESUME gives the CPU back at GUEST_RIP whatever the
	 * CPL (docs/exits.md "Not done"): not swept in user mode. */
	if (sc->ring3 && n > 0 && pts[n - 1].op == MOCK_OP_VMRESUME)
		n--;
	if (sc->ring3 && mock_vmx_mode(0) == MOCK_VMX_NONROOT)
		leave_ring3();
	exits_down();
	assert_true(n > 0);
	for (unsigned i = 0; i < n; i++)
		check_point(sc, &pts[i], &clean);
	return n;
}

/*
 * The number of failure points of each sweep (docs/exits.md "Fault
 * sweeps"). Exact: nothing in a sweep may depend on the process (its stack
 * or load address, Valgrind or not), so the count is the same in every run;
 * a change of a handler's calls changes it here and in the docs together.
 */
#define EXIT_SWEEP_POINTS 599u
#define STOP_SWEEP_POINTS 44u

/* Every failable call of every handled exit kind, failed one at a time:
 * a documented outcome each time, valid VM entries, no leaks. */
static void test_libvmm_exits_fault_sweep(void **state)
{
	unsigned total = 0;

	(void)state;
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(scenarios); i++)
		total += sweep_scenario(&scenarios[i]);
	print_message("exit fault sweep: %zu exit kinds, %u failure points\n",
		      FLANK_ARRAY_SIZE(scenarios), total);
	assert_int_equal(total, EXIT_SWEEP_POINTS);
}

/* Every failable call of a stop, failed one at a time: the CPU is given
 * back exactly as before, or still runs and a second stop gives it back,
 * or it is stuck in VMX root (VMXOFF failed) with its pages kept. */
static void test_libvmm_exits_stop_sweep(void **state)
{
	static struct point pts[MAX_POINTS];
	unsigned n, kept = 0, retried = 0;
	uint32_t failed;

	(void)state;
	fixture_up("skylake", 1);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(vmm_stop_all(), VMM_OK);
	mock_trace_enable(false);
	n = collect(pts);
	fixture_down();
	assert_int_equal(n, STOP_SWEEP_POINTS);
	for (unsigned i = 0; i < n; i++) {
		int st;

		fixture_up("skylake", 1);
		save_all();
		assert_int_equal(vmm_start_all(&failed), VMM_OK);
		assert_int_equal(mock_fail_nth(pts[i].op, pts[i].nth,
					       failure(pts[i].op)),
				 0);
		st = vmm_stop_all();
		mock_fail_clear();
		if (getenv("FLANK_SWEEP_VERBOSE") != NULL)
			print_message("stop, %s #%u: %s, mode %d\n",
				      mock_op_name(pts[i].op), pts[i].nth,
				      vmm_status_name(st), mock_vmx_mode(0));
		if (st == VMM_OK) {
			/* A failure stop tolerates (a log line). */
			assert_int_equal(vmm_state(), FLANK_STATE_LOADED);
		} else if (st == VMM_ERR_VMXOFF) {
			assert_int_equal(pts[i].op, MOCK_OP_VMXOFF);
			assert_int_equal(vmm_state(), FLANK_STATE_CORRUPT);
			assert_int_equal(tp.pages_live,
					 VMM_PAGES_PER_CPU + vmm_ctx.ept.pages +
						 VMM_PAGES_AT_INIT);
			assert_int_equal(mock_vmx_mode(0), MOCK_VMX_ROOT);
			assert_true(vmx_ok(vmx_off()));
			vmm_cpu_free(vmm_ctx.cpu[0]);
			vmm_ept_free(&vmm_ctx.ept);
			vmm_ctx.cpu[0] = NULL;
			vmm_ctx.state = FLANK_STATE_LOADED;
			kept++;
		} else {
			/* Not stopped: CORRUPT with the CPU's pages kept.
			 * The CPU still runs under Flank, or the unhandled
			 * path gave it back (the exit reason could not be
			 * read); either way a second stop frees them. */
			if (st != VMM_ERR_STOP_HYPERCALL &&
			    st != VMM_ERR_VMREAD)
				fail_msg("stop, %s #%u: %s",
					 mock_op_name(pts[i].op), pts[i].nth,
					 vmm_status_name(st));
			assert_int_equal(vmm_state(), FLANK_STATE_CORRUPT);
			assert_true(mock_vmx_mode(0) == MOCK_VMX_NONROOT ||
				    mock_vmx_mode(0) == MOCK_VMX_OUTSIDE);
			assert_int_equal(tp.pages_live,
					 VMM_PAGES_PER_CPU + vmm_ctx.ept.pages +
						 VMM_PAGES_AT_INIT);
			vmm_ctx.state = FLANK_STATE_RUNNING;
			assert_int_equal(vmm_stop_all(), VMM_OK);
			retried++;
		}
		if (mock_vmx_mode(0) == MOCK_VMX_OUTSIDE && kept == 0)
			assert_all_restored();
		else
			for (unsigned c = 0; c < mock_cpu_count(); c++)
				mock_cpu_snapshot_free(saved.snap[c]);
		kept = 0;
		fixture_down();
	}
	print_message("stop fault sweep: %u failure points (%u kept the CPU "
		      "under Flank for a second stop)\n",
		      n, retried);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libvmm_exits_fault_sweep),
		cmocka_unit_test(test_libvmm_exits_stop_sweep),
	};
	return FLANK_RUN_TESTS(tests);
}
