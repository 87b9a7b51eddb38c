// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libvmm's VMCS consistency checker (libvmm/src/vmcs_check*.c) against the
 * emulated VT-x: libvmm starts on the emulator and builds its real VMCS;
 * right before VMLAUNCH (or, for VMRESUME, after an exit) exactly one field
 * is broken. Each case asserts (a) the emulator's verdict rule, (b) that
 * the checker names the same rule and the broken field, and (c) that the
 * debug ring and the platform log carry the diagnostic line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flank/vmm_console.h"
#include "flank/vmm_extension.h"
#include "flank/vmm_vmcs_check.h"
#include "flank/vmm_vmcs_dump.h"
#include "libvmm_fixture.h"
#include "vmcs_check_internal.h"

/* The emulator's rule list (intrinsics/mock/entry_rules.c). */
extern const char *const mock_entry_rule_ids[];

/* How a case breaks its field: the new value from the old. */
enum brk_op { SET, OR, ANDNOT };

struct brk_case {
	uint32_t field;
	enum brk_op op;
	uint64_t value;
	const char *rule; /* The emulator's and the checker's verdict. */
};

/* The VMLAUNCH hook: breaks the field, runs the checker, lets it launch. */
static struct {
	const struct brk_case *c;
	bool fired, run_check;
	struct vmm_vmcs_check_result res;
} hook;

static uint64_t broken_value(const struct brk_case *c, uint64_t old)
{
	switch (c->op) {
	case SET:
		return c->value;
	case OR:
		return old | c->value;
	default:
		return old & ~c->value;
	}
}

static bool before_launch(const struct mock_call *call, void *arg)
{
	uint64_t old = 0;
	(void)arg;

	if (call->op != MOCK_OP_VMLAUNCH || hook.fired)
		return false;
	hook.fired = true;
	if (hook.c != NULL) {
		assert_true(mock_vmcs_peek(call->cpu, hook.c->field, &old));
		assert_true(mock_vmcs_poke(call->cpu, hook.c->field,
					   broken_value(hook.c, old)));
	}
	if (hook.run_check)
		(void)vmm_vmcs_check(&hook.res);
	return false; /* Never injects: the launch runs for real. */
}

static void arm_hook(const struct brk_case *c)
{
	memset(&hook, 0, sizeof(hook));
	hook.c = c;
	hook.run_check = true;
	assert_int_equal(mock_fail_when(before_launch, NULL,
					(vmx_result_t){VMX_FAIL_VALID, 7}),
			 0);
}

/* The whole ring as text. */
static const char *ring_text(void)
{
	static char buf[1 << 16];
	uint64_t pos = 0;
	size_t n = vmm_console_ring_read(&pos, buf, sizeof(buf) - 1);

	buf[n] = '\0';
	return buf;
}

/* Allowed-0 / allowed-1 of a control class on CPU 0 (TRUE when [55]). */
static uint64_t ctl_cap(uint32_t plain, uint32_t true_msr)
{
	uint64_t basic = 0, v = 0;

	assert_true(mock_msr_get(0, MSR_IA32_VMX_BASIC, &basic));
	assert_true(mock_msr_get(
		0, (basic & VMX_BASIC_TRUE_CTLS) ? true_msr : plain, &v));
	return v;
}

/* The lowest bit the class requires (allowed-0 = 1). */
static uint64_t required_bit(uint64_t cap)
{
	for (unsigned i = 0; i < 32; i++)
		if ((uint32_t)cap & BIT32(i))
			return BIT32(i);
	fail_msg("no required bit");
	return 0;
}

/* The lowest bit the class forbids (allowed-1 = 0). */
static uint64_t forbidden_bit(uint64_t cap)
{
	for (unsigned i = 0; i < 32; i++)
		if (!((uint32_t)(cap >> 32) & BIT32(i)))
			return BIT32(i);
	fail_msg("no forbidden bit");
	return 0;
}

#define NONCANON UINT64_C(0x0000800000000000)

/* Controls (error 7), host state (error 8), guest state (exit 33). */
static const struct brk_case fixed_cases[] = {
	{VMCS_CR3_TARGET_COUNT, SET, 5, "C3.cr3_target_count"},
	{VMCS_MSR_BITMAP, OR, 0x10, "C4.msr_bitmap"},
	{VMCS_VM_ENTRY_INTR_INFO, SET, 0x80000100u, "C16.type_reserved"},
	{VMCS_VM_ENTRY_INTR_INFO, SET, 0x8000030Du, "C16.deliver_code"},
	{VMCS_VM_ENTRY_INTR_INFO, SET, 0x80000221u, "C16.nmi_vector"},
	{VMCS_HOST_CR0, ANDNOT, X86_CR0_PE, "H2.cr0_fixed0"},
	{VMCS_HOST_CR4, ANDNOT, X86_CR4_VMXE, "H2.cr4_fixed0"},
	{VMCS_HOST_CR3, SET, UINT64_C(1) << 52, "H2.cr3_width"},
	{VMCS_HOST_IA32_SYSENTER_EIP, SET, NONCANON, "H4.sysenter_eip"},
	{VMCS_HOST_SS_SELECTOR, OR, 3, "H6.ss_rpl_ti"},
	{VMCS_HOST_CS_SELECTOR, SET, 0, "H6.cs_null"},
	{VMCS_HOST_TR_SELECTOR, SET, 0, "H6.tr_null"},
	{VMCS_HOST_GS_BASE, SET, NONCANON, "H7.gs_base"},
	{VMCS_HOST_GDTR_BASE, SET, NONCANON, "H7.gdtr_base"},
	{VMCS_HOST_CR4, ANDNOT, X86_CR4_PAE, "H8.pae"},
	{VMCS_HOST_RIP, SET, NONCANON, "H8.rip_canonical"},
	{VMCS_GUEST_CR0, ANDNOT, X86_CR0_PG, "G1.cr0_fixed0"},
	{VMCS_GUEST_CR4, ANDNOT, X86_CR4_PAE, "G2.ia32e_pae"},
	{VMCS_GUEST_IA32_DEBUGCTL, OR, BIT64(2), "G3.debugctl_reserved"},
	{VMCS_GUEST_SYSENTER_ESP, SET, NONCANON, "G4.sysenter_esp"},
	{VMCS_GUEST_RFLAGS, OR, BIT64(15), "G5.rflags_reserved"},
	{VMCS_GUEST_RFLAGS, ANDNOT, X86_RFLAGS_FIXED1, "G5.rflags_fixed1"},
	{VMCS_GUEST_FS_BASE, SET, NONCANON, "G7.fs_base"},
	{VMCS_GUEST_SS_AR_BYTES, ANDNOT, AR_P, "G7.present"},
	{VMCS_GUEST_SS_AR_BYTES, ANDNOT, 1, "G8.ss_type"},
	{VMCS_GUEST_CS_AR_BYTES, OR, AR_DB, "G8.cs_l_d"},
	{VMCS_GUEST_TR_AR_BYTES, ANDNOT, 2, "G9.tr_type"},
	{VMCS_GUEST_TR_SELECTOR, OR, 4, "G9.tr_ti"},
	{VMCS_GUEST_IDTR_LIMIT, SET, 0x10000, "G10.idtr_limit"},
	{VMCS_GUEST_ACTIVITY_STATE, SET, 5, "G12.activity_range"},
	{VMCS_GUEST_INTERRUPTIBILITY_INFO, SET, 3, "G13.sti_and_movss"},
	{VMCS_GUEST_INTERRUPTIBILITY_INFO, SET, 0x10, "G13.reserved"},
	{VMCS_GUEST_PENDING_DBG_EXCEPTIONS, SET, BIT64(4), "G14.reserved"},
	{VMCS_VMCS_LINK_POINTER, SET, 0x1001, "G15.link_aligned"},
};

/* Runs one broken-field case on a fresh emulator and VMM. */
static void run_case(const struct brk_case *c)
{
	const struct mock_entry_verdict *v;
	char want[256];
	uint32_t failed = 0;
	int st;

	fixture_up("skylake", 1);
	arm_hook(c);
	st = vmm_start_all(&failed);
	mock_fail_clear();
	v = mock_last_entry(0);
	print_message("%-32s %-24s -> %s\n", vmm_vmcs_field_name(c->field),
		      c->rule, v->rule ? v->rule : "(none)");
	assert_true(hook.fired);
	/* (a) The emulator refused the entry for the expected rule. */
	assert_false(v->entered);
	assert_non_null(v->rule);
	assert_string_equal(v->rule, c->rule);
	/* (b) libvmm's checker names the same rule and the broken field,
	 * and the outcome the CPU reported. */
	assert_int_equal(hook.res.status, VMM_VMCS_CHECK_FAIL);
	assert_string_equal(hook.res.rule, c->rule);
	assert_string_equal(hook.res.citation, v->citation);
	assert_int_equal(hook.res.field, c->field);
	if (hook.res.vmx_error != 0) {
		assert_int_equal(v->result.error, hook.res.vmx_error);
		assert_int_equal(st, hook.res.vmx_error == 7
					     ? VMM_ERR_LAUNCH_CONTROLS
					     : VMM_ERR_LAUNCH_HOST_STATE);
	} else {
		assert_int_equal(v->exit_reason,
				 EXIT_REASON_ENTRY_FAILURE |
					 EXIT_REASON_INVALID_GUEST_STATE);
		assert_int_equal(st, VMM_ERR_LAUNCH_GUEST_STATE);
	}
	/* (c) The diagnostic line, in the ring and in the platform log. */
	snprintf(want, sizeof(want), "consistency check: rule %s (%s): %s = 0x",
		 c->rule, v->citation, vmm_vmcs_field_name(c->field));
	assert_non_null(strstr(ring_text(), want));
	assert_true(test_platform_log_has(&tp, want));
	assert_true(test_platform_log_has(&tp, "VM entry failed: VMLAUNCH "));
	fixture_down();
}

/* Every broken field of the table is named by the emulator and by the
 * checker as the same rule, and the diagnostic line says so. */
static void test_vmcs_check_broken_fields(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fixed_cases) / sizeof(fixed_cases[0]);
	     i++)
		run_case(&fixed_cases[i]);
}

/* The allowed-0/allowed-1 settings of each control class (C1), with the
 * bits taken from the profile's capability MSRs. */
static void test_vmcs_check_broken_controls(void **state)
{
	struct {
		uint32_t field, plain, true_msr;
		const char *rule0, *rule1;
	} cls[] = {
		{VMCS_PIN_BASED_VM_EXEC_CONTROL, MSR_IA32_VMX_PINBASED_CTLS,
		 MSR_IA32_VMX_TRUE_PINBASED_CTLS, "C1.pin_allowed0",
		 "C1.pin_allowed1"},
		{VMCS_CPU_BASED_VM_EXEC_CONTROL, MSR_IA32_VMX_PROCBASED_CTLS,
		 MSR_IA32_VMX_TRUE_PROCBASED_CTLS, "C1.proc_allowed0",
		 "C1.proc_allowed1"},
		{VMCS_VM_EXIT_CONTROLS, MSR_IA32_VMX_EXIT_CTLS,
		 MSR_IA32_VMX_TRUE_EXIT_CTLS, "C1.exit_allowed0",
		 "C1.exit_allowed1"},
		{VMCS_VM_ENTRY_CONTROLS, MSR_IA32_VMX_ENTRY_CTLS,
		 MSR_IA32_VMX_TRUE_ENTRY_CTLS, "C1.entry_allowed0",
		 "C1.entry_allowed1"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cls) / sizeof(cls[0]); i++) {
		uint64_t cap;
		struct brk_case c0 = {cls[i].field, ANDNOT, 0, cls[i].rule0};
		struct brk_case c1 = {cls[i].field, OR, 0, cls[i].rule1};

		assert_int_equal(mock_init("skylake", 1), 0);
		cap = ctl_cap(cls[i].plain, cls[i].true_msr);
		mock_fini();
		c0.value = required_bit(cap);
		c1.value = forbidden_bit(cap);
		run_case(&c0);
		run_case(&c1);
	}
}

/* A field broken while the guest runs fails the VMRESUME after an exit:
 * the same rule from the emulator and the checker, and the diagnostic. */
static void test_vmcs_check_broken_on_resume(void **state)
{
	static const struct brk_case cases[] = {
		{VMCS_PIN_BASED_VM_EXEC_CONTROL, OR, BIT64(31),
		 "C1.pin_allowed1"},
		{VMCS_HOST_CS_SELECTOR, SET, 0, "H6.cs_null"},
		/* Not guest state an exit saves (SDM Vol. 3C 28.3). */
		{VMCS_VMCS_LINK_POINTER, SET, 0x1001, "G15.link_aligned"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct brk_case *c = &cases[i];
		struct mock_exit_outcome out;
		struct cpu_cpuid_regs r;
		uint32_t failed = 0;
		char want[256];
		uint64_t old = 0;

		fixture_up("skylake", 1);
		assert_int_equal(vmm_start_all(&failed), VMM_OK);
		assert_true(mock_vmcs_peek(0, c->field, &old));
		assert_true(mock_vmcs_poke(0, c->field, broken_value(c, old)));
		assert_int_equal(mock_guest_cpuid(0, 0, &r, &out), 0);
		assert_false(out.resume.entered);
		assert_string_equal(out.resume.rule, c->rule);
		assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
		snprintf(want, sizeof(want),
			 "consistency check: rule %s (%s): %s = 0x", c->rule,
			 out.resume.citation, vmm_vmcs_field_name(c->field));
		assert_non_null(strstr(ring_text(), want));
		assert_non_null(strstr(ring_text(), "VM entry failed: "
						    "VMRESUME "));
		/* From the exit handler (VMX root) the ring is the only
		 * sink; flank.ko drains it to the kernel log (issue #14
		 * item 7). */
		assert_false(test_platform_log_has(&tp, "VM entry failed: "
							"VMRESUME "));
		/* The CPU was given back; stop frees its pages. */
		assert_int_equal(vmm_stop_all(), VMM_OK);
		fixture_down();
	}
}

/* The VMCS libvmm builds passes its own checker on every profile that
 * can run libvmm, and the emulator enters the guest with it. */
static void test_vmcs_check_correct_vmcs_passes(void **state)
{
	const char *const *names = mock_profile_names();
	unsigned started = 0;
	(void)state;

	for (unsigned i = 0; names[i] != NULL; i++) {
		uint32_t failed = 0;

		fixture_up(names[i], 2);
		arm_hook(NULL);
		if (vmm_start_all(&failed) != VMM_OK) {
			/* Profiles without usable VT-x stop before VMLAUNCH. */
			assert_false(hook.fired);
			mock_fail_clear();
			fixture_down();
			continue;
		}
		mock_fail_clear();
		assert_true(hook.fired);
		assert_int_equal(hook.res.status, VMM_VMCS_CHECK_PASS);
		assert_string_equal(hook.res.rule, "");
		assert_true(mock_last_entry(0)->entered);
		print_message("%s: checker passes libvmm's VMCS\n", names[i]);
		started++;
		assert_int_equal(vmm_stop_all(), VMM_OK);
		fixture_down();
	}
	assert_true(started >= 3);
}

/* Every identifier the checker can report exists in the emulator's rule
 * list, and each is listed once. */
static void test_vmcs_check_rule_ids_match_emulator(void **state)
{
	uint32_t n = vmm_vmcs_check_rule_count();
	(void)state;

	assert_true(n >= 100);
	assert_null(vmm_vmcs_check_rule_id(n));
	for (uint32_t i = 0; i < n; i++) {
		const char *id = vmm_vmcs_check_rule_id(i);
		bool found = false;

		assert_non_null(id);
		for (unsigned j = 0; mock_entry_rule_ids[j] != NULL; j++)
			found = found ||
				strcmp(mock_entry_rule_ids[j], id) == 0;
		if (!found)
			fail_msg("checker rule %s is not an emulator rule", id);
		for (uint32_t k = 0; k < i; k++)
			assert_string_not_equal(id, vmm_vmcs_check_rule_id(k));
	}
}

/* What the checker reports when rule @p rule fails. */
static struct vmm_vmcs_check_result fail_rule(enum vmcs_check_rule rule)
{
	struct vmm_vmcs_check_result res;
	struct vmcs_ck c;

	memset(&res, 0, sizeof(res));
	memset(&c, 0, sizeof(c));
	c.res = &res;
	assert_false(vmcs_ck_fail(&c, rule, VMCS_GUEST_RIP, 1));
	assert_int_equal(res.status, VMM_VMCS_CHECK_FAIL);
	return res;
}

/*
 * Rule i of the packed tables (vmcs_check.c, strtab.h) reports exactly
 * what its VMM_CHECK_RULES entry says: the id "group.what", "SDM Vol. 3C "
 * and the number of its section, and its section's VMX error. The first
 * and last rule of every section, written out, keep the section list
 * itself honest.
 */
static void test_vmcs_check_rule_table(void **state)
{
	static const char *const number[CS_COUNT] = {
#define SECTION_NUMBER(name, num, err) [CS_##name] = num,
		VMM_CHECK_SECTIONS(SECTION_NUMBER)
#undef SECTION_NUMBER
	};
	static const uint32_t error[CS_COUNT] = {
#define SECTION_ERROR(name, num, err) [CS_##name] = err,
		VMM_CHECK_SECTIONS(SECTION_ERROR)
#undef SECTION_ERROR
	};
	static const struct {
		const char *id, *citation;
		enum vmcs_check_rule rule;
		uint32_t vmx_error;
	} spots[] = {
		{"C1.pin_allowed0", "SDM Vol. 3C 27.2.1.1", CR_C1_pin_allowed0,
		 7},
		{"C11.unrestricted_needs_ept", "SDM Vol. 3C 27.2.1.1",
		 CR_C11_unrestricted_needs_ept, 7},
		{"C1.exit_allowed0", "SDM Vol. 3C 27.2.1.2",
		 CR_C1_exit_allowed0, 7},
		{"C14.exit_msr_load", "SDM Vol. 3C 27.2.1.2",
		 CR_C14_exit_msr_load, 7},
		{"C1.entry_allowed0", "SDM Vol. 3C 27.2.1.3",
		 CR_C1_entry_allowed0, 7},
		{"C15.deact_dual_monitor", "SDM Vol. 3C 27.2.1.3",
		 CR_C15_deact_dual_monitor, 7},
		{"H2.cr0_fixed0", "SDM Vol. 3C 27.2.2", CR_H2_cr0_fixed0, 8},
		{"H5.efer_lme", "SDM Vol. 3C 27.2.2", CR_H5_efer_lme, 8},
		{"H6.es_rpl_ti", "SDM Vol. 3C 27.2.3", CR_H6_es_rpl_ti, 8},
		{"H7.tr_base", "SDM Vol. 3C 27.2.3", CR_H7_tr_base, 8},
		{"H1.outside_ia32e_guest", "SDM Vol. 3C 27.2.4",
		 CR_H1_outside_ia32e_guest, 8},
		{"H8.rip_canonical", "SDM Vol. 3C 27.2.4", CR_H8_rip_canonical,
		 8},
		{"G1.cr0_fixed0", "SDM Vol. 3C 27.3.1.1", CR_G1_cr0_fixed0, 0},
		{"G4.efer_lme", "SDM Vol. 3C 27.3.1.1", CR_G4_efer_lme, 0},
		{"G9.tr_ti", "SDM Vol. 3C 27.3.1.2", CR_G9_tr_ti, 0},
		{"G9.ldtr_granularity", "SDM Vol. 3C 27.3.1.2",
		 CR_G9_ldtr_granularity, 0},
		{"G10.gdtr_base", "SDM Vol. 3C 27.3.1.3", CR_G10_gdtr_base, 0},
		{"G10.idtr_limit", "SDM Vol. 3C 27.3.1.3", CR_G10_idtr_limit,
		 0},
		{"G11.rip_high", "SDM Vol. 3C 27.3.1.4", CR_G11_rip_high, 0},
		{"G5.rflags_if_ext_intr", "SDM Vol. 3C 27.3.1.4",
		 CR_G5_rflags_if_ext_intr, 0},
		{"G12.activity_range", "SDM Vol. 3C 27.3.1.5",
		 CR_G12_activity_range, 0},
		{"G15.link_current", "SDM Vol. 3C 27.3.1.5",
		 CR_G15_link_current, 0},
	};
	struct vmm_vmcs_check_result res;
	char want[32];
	uint32_t i = 0;

	(void)state;
#define CHECK_RULE(grp, what, sec)                                             \
	res = fail_rule((enum vmcs_check_rule)i);                              \
	assert_string_equal(res.rule, #grp "." #what);                         \
	assert_string_equal(vmm_vmcs_check_rule_id(i), #grp "." #what);        \
	snprintf(want, sizeof(want), "SDM Vol. 3C %s", number[CS_##sec]);      \
	assert_string_equal(res.citation, want);                               \
	assert_int_equal(res.vmx_error, error[CS_##sec]);                      \
	i++;
	VMM_CHECK_RULES(CHECK_RULE)
#undef CHECK_RULE
	assert_int_equal(i, vmm_vmcs_check_rule_count());
	for (size_t k = 0; k < FLANK_ARRAY_SIZE(spots); k++) {
		res = fail_rule(spots[k].rule);
		assert_string_equal(res.rule, spots[k].id);
		assert_string_equal(res.citation, spots[k].citation);
		assert_int_equal(res.vmx_error, spots[k].vmx_error);
	}
}

/* Without a current VMCS, and with a capability MSR that faults, the
 * checker reports that instead of a rule. */
static void test_vmcs_check_read_failures(void **state)
{
	struct vmm_vmcs_check_result res;
	char buf[128];
	(void)state;

	fixture_reset();
	assert_int_equal(mock_init("skylake", 1), 0);
	mock_set_exception_handler(fixture_exception);
	{
		struct vmm_vmcs_check_result r2;
		/* VMXON without a VMCS: every VMREAD is VMfailInvalid. */
		static uint8_t region[4096] __attribute__((aligned(4096)));
		uint64_t basic = 0;
		paddr_t pa = mock_mem_map(region, sizeof(region));
		struct mock_cpu_regs regs;

		assert_true(mock_msr_get(0, MSR_IA32_VMX_BASIC, &basic));
		*(uint32_t *)region = (uint32_t)basic & 0x7FFFFFFFu;
		mock_cpu_get_regs(0, &regs);
		regs.cr4 |= X86_CR4_VMXE;
		mock_cpu_set_regs(0, &regs);
		assert_true(vmx_ok(vmx_on(pa)));
		assert_int_equal(vmm_vmcs_check(&r2),
				 VMM_VMCS_CHECK_VMREAD_FAILED);
		assert_int_equal(r2.field, VMCS_PIN_BASED_VM_EXEC_CONTROL);
		vmm_vmcs_check_describe(&r2, buf, sizeof(buf));
		assert_string_equal(buf, "VMREAD of PIN_BASED_VM_EXEC_CONTROL "
					 "failed");
		mock_msr_gp(0, MSR_IA32_VMX_MISC, true, false);
		assert_int_equal(vmm_vmcs_check(&res),
				 VMM_VMCS_CHECK_MSR_FAILED);
		assert_int_equal(res.field, MSR_IA32_VMX_MISC);
		vmm_vmcs_check_describe(&res, buf, sizeof(buf));
		assert_string_equal(buf, "RDMSR 0x485 raised #GP");
		assert_true(vmx_ok(vmx_off()));
		mock_mem_unmap(region);
	}
	mock_fini();
}

/* The finding is written with the value at the field's width. */
static void test_vmcs_check_describe(void **state)
{
	struct vmm_vmcs_check_result r = {
		.status = VMM_VMCS_CHECK_FAIL,
		.rule = "H6.cs_null",
		.citation = "SDM Vol. 3C 27.2.3",
		.field = VMCS_HOST_CS_SELECTOR,
		.value = 0,
	};
	char buf[160];
	(void)state;

	size_t n = vmm_vmcs_check_describe(&r, buf, sizeof(buf));
	assert_int_equal(n, strlen(buf));
	assert_string_equal(buf, "rule H6.cs_null (SDM Vol. 3C 27.2.3): "
				 "HOST_CS_SELECTOR = 0x0000");
	r.field = VMCS_GUEST_SS_AR_BYTES;
	r.value = 0xc093;
	vmm_vmcs_check_describe(&r, buf, sizeof(buf));
	assert_non_null(strstr(buf, "GUEST_SS_AR_BYTES = 0x0000c093"));
	r.field = VMCS_HOST_RIP;
	r.value = NONCANON;
	vmm_vmcs_check_describe(&r, buf, sizeof(buf));
	assert_non_null(strstr(buf, "HOST_RIP = 0x0000800000000000"));
	/* Cut to the buffer, always terminated. */
	assert_int_equal(vmm_vmcs_check_describe(&r, buf, 8), 7);
	assert_string_equal(buf, "rule H6");
	r.status = VMM_VMCS_CHECK_PASS;
	vmm_vmcs_check_describe(&r, buf, sizeof(buf));
	assert_string_equal(buf, "no failing rule found");
}

/* The vmcs_check module's init and fini (vmcs_check_module.c, compiled
 * into this test). */
int flank_vmcs_check_status(void);
void flank_vmcs_check_init(void);
void flank_vmcs_check_fini(void);

/* The module's constructor registered libvmm's checker before main(), as
 * its DT_INIT_ARRAY does in the driver; fini takes it back, init again
 * registers it, each reporting the hook's status. */
static void test_vmcs_check_module_registers(void **state)
{
	const struct vmm_vmcs_checker *ck = vmm_vmcs_checker_get();

	(void)state;
	assert_int_equal(flank_vmcs_check_status(), VMM_OK);
	assert_non_null(ck);
	assert_ptr_equal(ck->check, vmm_vmcs_check);
	assert_ptr_equal(ck->describe, vmm_vmcs_check_describe);
	flank_vmcs_check_fini();
	assert_int_equal(flank_vmcs_check_status(), VMM_OK);
	assert_null(vmm_vmcs_checker_get());
	/* A second fini finds nothing of its own to remove. */
	flank_vmcs_check_fini();
	assert_int_equal(flank_vmcs_check_status(), VMM_ERR_BAD_ARGUMENT);
	flank_vmcs_check_init();
	assert_int_equal(flank_vmcs_check_status(), VMM_OK);
	assert_ptr_equal(vmm_vmcs_checker_get(), ck);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmcs_check_module_registers),
		cmocka_unit_test(test_vmcs_check_broken_fields),
		cmocka_unit_test(test_vmcs_check_broken_controls),
		cmocka_unit_test(test_vmcs_check_broken_on_resume),
		cmocka_unit_test(test_vmcs_check_correct_vmcs_passes),
		cmocka_unit_test(test_vmcs_check_rule_ids_match_emulator),
		cmocka_unit_test(test_vmcs_check_rule_table),
		cmocka_unit_test(test_vmcs_check_read_failures),
		cmocka_unit_test(test_vmcs_check_describe),
	};
	return FLANK_RUN_TESTS(tests);
}
