// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libvmm's capability checks (libvmm/src/caps.c) on CPUs whose capability
 * MSRs it must refuse: each refusal has its own status and, when the
 * caller asks for one, a description naming the offending value.
 */
#include <string.h>

#include "flank_test.h"
#include "flank/mock.h"
#include "flank/vmm_status.h"
#include "vmm_internal.h"

static uint64_t msr(uint32_t index)
{
	uint64_t v = 0;

	assert_true(mock_msr_get(0, index, &v));
	return v;
}

/* IA32_VMX_BASIC values libvmm cannot use are refused with a reason. */
static void test_libvmm_caps_basic_refused(void **state)
{
	static const struct {
		uint64_t set, clear;
	} bad[] = {
		{0, UINT64_C(0x1FFF) << 32}, /* region size 0 */
		{UINT64_C(0x1001) << 32, UINT64_C(0x1FFF) << 32}, /* > 4 KiB */
		{BIT64(48), 0},		  /* 32-bit addresses */
		{0, UINT64_C(0xF) << 50}, /* memory type UC */
		{BIT64(31), 0},		  /* revision bit 31 */
	};

	(void)state;
	for (unsigned i = 0; i < FLANK_ARRAY_SIZE(bad); i++) {
		struct vmm_caps caps;
		struct vmm_fmt f;
		char buf[160];

		assert_int_equal(mock_init("skylake", 1), 0);
		mock_msr_set(0, MSR_IA32_VMX_BASIC,
			     (msr(MSR_IA32_VMX_BASIC) & ~bad[i].clear) |
				     bad[i].set);
		memset(&caps, 0, sizeof(caps));
		assert_int_equal(vmm_caps_basic(&caps, NULL),
				 VMM_ERR_VMX_BASIC_UNSUPPORTED);
		vmm_fmt_init(&f, buf, sizeof(buf));
		assert_int_equal(vmm_caps_basic(&caps, &f),
				 VMM_ERR_VMX_BASIC_UNSUPPORTED);
		assert_non_null(strstr(buf, "IA32_VMX_BASIC="));
		assert_non_null(strstr(buf, "memory type"));
		mock_fini();
	}
}

/* A #GP on IA32_VMX_BASIC is its own status, described when asked. */
static void test_libvmm_caps_basic_gp(void **state)
{
	struct vmm_caps caps;
	struct vmm_fmt f;
	char buf[80];

	(void)state;
	assert_int_equal(mock_init("skylake", 1), 0);
	mock_msr_gp(0, MSR_IA32_VMX_BASIC, true, false);
	assert_int_equal(vmm_caps_basic(&caps, NULL), VMM_ERR_VMX_BASIC_MSR);
	vmm_fmt_init(&f, buf, sizeof(buf));
	assert_int_equal(vmm_caps_basic(&caps, &f), VMM_ERR_VMX_BASIC_MSR);
	assert_non_null(strstr(buf, "RDMSR "));
	assert_non_null(strstr(buf, " raised #GP"));
	mock_fini();
}

/* CR0/CR4 values against FIXED0/FIXED1; a CPU that forbids CR4.VMXE. */
static void test_libvmm_caps_fixed_bits(void **state)
{
	struct vmm_caps caps = {
		.cr0_fixed0 = X86_CR0_PE | X86_CR0_NE | X86_CR0_PG,
		.cr0_fixed1 = 0xFFFFFFFFu,
		.cr4_fixed0 = X86_CR4_VMXE,
		.cr4_fixed1 = 0x3FFFFFu,
	};
	uint64_t cr0 = X86_CR0_PE | X86_CR0_NE | X86_CR0_PG;
	struct vmm_fmt f;
	char buf[120];

	(void)state;
	assert_int_equal(vmm_fixed_bits_ok(&caps, cr0, X86_CR4_VMXE, NULL),
			 VMM_OK);
	assert_int_equal(
		vmm_fixed_bits_ok(&caps, cr0 | BIT64(40), X86_CR4_VMXE, NULL),
		VMM_ERR_FIXED_BITS);
	vmm_fmt_init(&f, buf, sizeof(buf));
	assert_int_equal(vmm_fixed_bits_ok(&caps, cr0, BIT64(30), &f),
			 VMM_ERR_FIXED_BITS);
	assert_non_null(strstr(buf, "conflicting bits: CR0 "));
	caps.cr4_fixed1 &= ~X86_CR4_VMXE;
	caps.cr4_fixed0 = 0;
	assert_int_equal(vmm_fixed_bits_ok(&caps, cr0, 0, NULL),
			 VMM_ERR_FIXED_BITS);
}

/*
 * A required control the CPU lacks is named, with its class, in the
 * description: every class and control name of caps.c's packed table.
 */
static void test_libvmm_caps_required_control_missing(void **state)
{
	static const struct {
		uint32_t msr;
		uint64_t allowed1;
		const char *name;
	} cases[] = {
		{MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
		 (uint64_t)CPU_USE_MSR_BITMAPS << 32,
		 "required processor-based control 'use MSR bitmaps'"},
		/* No secondary controls at all: the first gated feature. */
		{MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
		 (uint64_t)CPU_ACTIVATE_SECONDARY << 32,
		 "required secondary control 'enable RDTSCP' is not "
		 "available: CPUID enumerates RDTSCP"},
		{MSR_IA32_VMX_PROCBASED_CTLS2,
		 (uint64_t)SEC_ENABLE_RDTSCP << 32,
		 "required secondary control 'enable RDTSCP'"},
		{MSR_IA32_VMX_PROCBASED_CTLS2,
		 (uint64_t)SEC_ENABLE_INVPCID << 32,
		 "required secondary control 'enable INVPCID'"},
		{MSR_IA32_VMX_PROCBASED_CTLS2,
		 (uint64_t)SEC_ENABLE_XSAVES << 32,
		 "required secondary control 'enable XSAVES/XRSTORS'"},
		{MSR_IA32_VMX_TRUE_EXIT_CTLS,
		 (uint64_t)EXIT_HOST_ADDR_SPACE_SIZE << 32,
		 "required VM-exit control 'host address-space size'"},
		{MSR_IA32_VMX_TRUE_EXIT_CTLS,
		 (uint64_t)EXIT_SAVE_DEBUG_CONTROLS << 32,
		 "required VM-exit control 'save debug controls'"},
		{MSR_IA32_VMX_TRUE_ENTRY_CTLS,
		 (uint64_t)ENTRY_IA32E_MODE_GUEST << 32,
		 "required VM-entry control 'IA-32e mode guest'"},
		{MSR_IA32_VMX_TRUE_ENTRY_CTLS,
		 (uint64_t)ENTRY_LOAD_DEBUG_CONTROLS << 32,
		 "required VM-entry control 'load debug controls'"},
	};

	(void)state;
	for (unsigned i = 0; i < FLANK_ARRAY_SIZE(cases); i++) {
		struct vmm_caps caps;
		struct vmm_fmt f;
		char buf[160];

		assert_int_equal(mock_init("skylake", 1), 0);
		mock_msr_set(0, cases[i].msr,
			     msr(cases[i].msr) & ~cases[i].allowed1);
		memset(&caps, 0, sizeof(caps));
		assert_int_equal(vmm_caps_basic(&caps, NULL), VMM_OK);
		/* CPUID advertises them: the secondary controls are required. */
		vmm_cpu_features(&caps);
		assert_int_equal(vmm_caps_controls(&caps, NULL),
				 VMM_ERR_CONTROLS);
		vmm_fmt_init(&f, buf, sizeof(buf));
		assert_int_equal(vmm_caps_controls(&caps, &f),
				 VMM_ERR_CONTROLS);
		if (strstr(buf, cases[i].name) == NULL)
			fail_msg("'%s' does not name '%s'", buf, cases[i].name);
		mock_fini();
	}
}

/*
 * Issue #14 item 2: on a CPU that enumerates every instruction gated by a
 * secondary control (sapphire_rapids), the controls computed for the VMCS
 * enable each of them (SDM Vol. 3C 26.3); on skylake, which has no WAITPKG
 * or PCONFIG, those two stay 0 (only what CPUID enumerates is enabled).
 */
static void test_libvmm_caps_gated_controls_set(void **state)
{
	const uint32_t all = SEC_ENABLE_RDTSCP | SEC_ENABLE_INVPCID |
			     SEC_ENABLE_XSAVES | SEC_ENABLE_USER_WAIT_PAUSE |
			     SEC_ENABLE_PCONFIG;
	struct vmm_caps caps;

	(void)state;
	assert_int_equal(mock_init("sapphire_rapids", 1), 0);
	assert_int_equal(vmm_caps_read(&caps, NULL), VMM_OK);
	assert_true((caps.ctl.proc & CPU_ACTIVATE_SECONDARY) != 0);
	assert_int_equal(caps.ctl.proc2 & all, all);
	mock_fini();

	assert_int_equal(mock_init("skylake", 1), 0);
	assert_int_equal(vmm_caps_read(&caps, NULL), VMM_OK);
	assert_int_equal(caps.ctl.proc2 & all, SEC_ENABLE_RDTSCP |
						       SEC_ENABLE_INVPCID |
						       SEC_ENABLE_XSAVES);
	mock_fini();
}

/*
 * A CPU that enumerates a gated instruction but cannot set its control is
 * refused with VMM_ERR_CONTROLS, and the description names the CPUID
 * feature and the control: each row of caps.c's UD_GATES table. RDPID is
 * reached by taking RDTSCP out of CPUID (both need "enable RDTSCP").
 */
static void test_libvmm_caps_gated_control_missing(void **state)
{
	static const struct {
		uint32_t control;
		bool no_rdtscp;
		const char *feature, *name;
	} cases[] = {
		{SEC_ENABLE_RDTSCP, false, "CPUID enumerates RDTSCP",
		 "'enable RDTSCP'"},
		{SEC_ENABLE_RDTSCP, true, "CPUID enumerates RDPID",
		 "'enable RDTSCP'"},
		{SEC_ENABLE_INVPCID, false, "CPUID enumerates INVPCID",
		 "'enable INVPCID'"},
		{SEC_ENABLE_XSAVES, false, "CPUID enumerates XSAVES",
		 "'enable XSAVES/XRSTORS'"},
		{SEC_ENABLE_USER_WAIT_PAUSE, false,
		 "CPUID enumerates WAITPKG (UMONITOR/UMWAIT/TPAUSE)",
		 "'enable user wait and pause'"},
		{SEC_ENABLE_PCONFIG, false, "CPUID enumerates PCONFIG",
		 "'enable PCONFIG'"},
	};

	(void)state;
	for (unsigned i = 0; i < FLANK_ARRAY_SIZE(cases); i++) {
		struct vmm_caps caps;
		struct vmm_fmt f;
		char buf[224];

		assert_int_equal(mock_init("sapphire_rapids", 1), 0);
		mock_msr_set(0, MSR_IA32_VMX_PROCBASED_CTLS2,
			     msr(MSR_IA32_VMX_PROCBASED_CTLS2) &
				     ~((uint64_t)cases[i].control << 32));
		if (cases[i].no_rdtscp)
			mock_cpuid_change_bits(0, 0x80000001u, 0, MOCK_EDX,
					       X86_CPUIDX1_EDX_RDTSCP, 0);
		vmm_fmt_init(&f, buf, sizeof(buf));
		assert_int_equal(vmm_caps_read(&caps, &f), VMM_ERR_CONTROLS);
		if (strstr(buf, cases[i].feature) == NULL ||
		    strstr(buf, cases[i].name) == NULL)
			fail_msg("'%s' does not name '%s' and %s", buf,
				 cases[i].feature, cases[i].name);
		mock_fini();
	}
}

int main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_libvmm_caps_basic_refused),
		cmocka_unit_test(test_libvmm_caps_basic_gp),
		cmocka_unit_test(test_libvmm_caps_fixed_bits),
		cmocka_unit_test(test_libvmm_caps_required_control_missing),
		cmocka_unit_test(test_libvmm_caps_gated_controls_set),
		cmocka_unit_test(test_libvmm_caps_gated_control_missing),
	};

	return FLANK_RUN_TESTS(tests);
}
