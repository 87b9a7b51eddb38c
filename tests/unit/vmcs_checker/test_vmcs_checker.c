// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VMCS checker hook of flank/vmm_extension.h on the emulated VT-x: its
 * registration rules (those of the CPUID and hypercall hooks), and what the
 * diagnostic of a failed VM entry logs with no checker (vmm.elf alone),
 * with a checker of the test's own and with libvmm's real checker, which
 * the vmcs_check module registers. Nothing in this binary registers a
 * checker behind the tests' back (the module's source is not compiled in).
 */
#include "exits_fixture.h"
#include "flank/vmm_extension.h"
#include "flank/vmm_vmcs_check.h"
#include "flank/vmm_vmcs_dump.h"

/* Calls of the fake checker below. */
static unsigned fake_checks, fake_describes;

static int fake_check(struct vmm_vmcs_check_result *res)
{
	fake_checks++;
	memset(res, 0, sizeof(*res));
	res->status = VMM_VMCS_CHECK_FAIL;
	res->rule = "X9.fake";
	return VMM_VMCS_CHECK_FAIL;
}

static size_t fake_describe(const struct vmm_vmcs_check_result *res, char *buf,
			    size_t size)
{
	fake_describes++;
	return (size_t)snprintf(buf, size, "fake verdict %s", res->rule);
}

/* Names one field only, so that a dump shows which names it asked for. */
static const char *fake_field_name(uint32_t encoding)
{
	return encoding == VMCS_HOST_CS_SELECTOR ? "FAKE_HOST_CS" : NULL;
}

static int other_check(struct vmm_vmcs_check_result *res)
{
	(void)res;
	return VMM_VMCS_CHECK_PASS;
}

/*
 * Functions without ENDBR64 (nocf_check), as in a module built without
 * -fcf-protection=branch; noipa keeps the compiler from merging or
 * inlining them. They count their calls: there must be none.
 */
static unsigned noendbr_calls;

__attribute__((nocf_check, noipa)) static int
noendbr_check(struct vmm_vmcs_check_result *res)
{
	noendbr_calls++;
	memset(res, 0, sizeof(*res));
	return VMM_VMCS_CHECK_PASS;
}

__attribute__((nocf_check, noipa)) static size_t
noendbr_describe(const struct vmm_vmcs_check_result *res, char *buf,
		 size_t size)
{
	noendbr_calls++;
	(void)res;
	return (size_t)snprintf(buf, size, "no ENDBR64");
}

__attribute__((nocf_check, noipa)) static const char *
noendbr_field_name(uint32_t encoding)
{
	noendbr_calls++;
	(void)encoding;
	return NULL;
}

/* The function types of the checker's members (the nocf_check functions
 * above have types of their own and need a cast). */
typedef int (*check_fn)(struct vmm_vmcs_check_result *);
typedef size_t (*describe_fn)(const struct vmm_vmcs_check_result *, char *,
			      size_t);
typedef const char *(*field_name_fn)(uint32_t);

static const struct vmm_vmcs_checker fake = {fake_check, fake_describe,
					     fake_field_name};
static const struct vmm_vmcs_checker other = {other_check, fake_describe,
					      fake_field_name};
static const struct vmm_vmcs_checker no_check = {NULL, fake_describe,
						 fake_field_name};
static const struct vmm_vmcs_checker no_describe = {fake_check, NULL,
						    fake_field_name};
static const struct vmm_vmcs_checker no_field_name = {fake_check, fake_describe,
						      NULL};
static const struct vmm_vmcs_checker real = {
	vmm_vmcs_check, vmm_vmcs_check_describe, vmm_vmcs_field_name};
static const struct vmm_vmcs_checker noendbr_first = {
	(check_fn)noendbr_check, fake_describe, fake_field_name};
static const struct vmm_vmcs_checker noendbr_second = {
	fake_check, (describe_fn)noendbr_describe, fake_field_name};
static const struct vmm_vmcs_checker noendbr_third = {
	fake_check, fake_describe, (field_name_fn)noendbr_field_name};

/* A VMRESUME of CPU 0 that the emulated CPU refuses with VMfailValid(8)
 * because HOST_CS_SELECTOR is 0 (SDM Vol. 3C 27.2.3). */
static void fail_resume_host_cs(void)
{
	struct mock_exit_outcome out;
	struct cpu_cpuid_regs r;

	assert_true(mock_vmcs_poke(0, VMCS_HOST_CS_SELECTOR, 0));
	assert_int_equal(mock_guest_cpuid(0, 0, &r, &out), 0);
	assert_int_equal(out.action, INTRIN_EXIT_LEAVE);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	assert_int_equal(cpu0()->last_error, VMM_ERR_LAUNCH_HOST_STATE);
}

/* Registration: one checker at a time, complete ones only, removed only by
 * the pointer that registered it. */
static void test_vmcs_checker_registration_rules(void **state)
{
	(void)state;
	assert_null(vmm_vmcs_checker_get());
	assert_int_equal(vmm_vmcs_checker_set(NULL), VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_vmcs_checker_set(&no_check), VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_vmcs_checker_set(&no_describe),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_vmcs_checker_set(&no_field_name),
			 VMM_ERR_BAD_ARGUMENT);
	assert_null(vmm_vmcs_checker_get());
	assert_int_equal(vmm_vmcs_checker_set(&fake), VMM_OK);
	assert_ptr_equal(vmm_vmcs_checker_get(), &fake);
	/* The same checker again is no error. */
	assert_int_equal(vmm_vmcs_checker_set(&fake), VMM_OK);
	assert_int_equal(vmm_vmcs_checker_set(&other), VMM_ERR_EXTENSION_BUSY);
	assert_ptr_equal(vmm_vmcs_checker_get(), &fake);
	/* Only the owner removes it. */
	assert_int_equal(vmm_vmcs_checker_remove(&other), VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_vmcs_checker_remove(NULL), VMM_ERR_BAD_ARGUMENT);
	assert_ptr_equal(vmm_vmcs_checker_get(), &fake);
	assert_int_equal(vmm_vmcs_checker_remove(&fake), VMM_OK);
	assert_null(vmm_vmcs_checker_get());
	assert_int_equal(vmm_vmcs_checker_remove(&fake), VMM_ERR_BAD_ARGUMENT);
	/* Free again: another checker may now register. */
	assert_int_equal(vmm_vmcs_checker_set(&other), VMM_OK);
	assert_int_equal(vmm_vmcs_checker_remove(&other), VMM_OK);
}

/* While CPUs run under Flank the checker can be neither set nor removed;
 * a registration survives vmm_init() and vmm_fini(). */
static void test_vmcs_checker_refused_while_running(void **state)
{
	(void)state;
	assert_int_equal(vmm_vmcs_checker_set(&fake), VMM_OK);
	exits_up("skylake");
	assert_ptr_equal(vmm_vmcs_checker_get(), &fake);
	assert_int_equal(vmm_vmcs_checker_remove(&fake), VMM_ERR_BAD_STATE);
	assert_int_equal(vmm_vmcs_checker_set(&other), VMM_ERR_BAD_STATE);
	assert_ptr_equal(vmm_vmcs_checker_get(), &fake);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	exits_down();
	assert_ptr_equal(vmm_vmcs_checker_get(), &fake);
	assert_int_equal(vmm_vmcs_checker_remove(&fake), VMM_OK);
	/* Refused while running also when nothing is registered. */
	exits_up("skylake");
	assert_int_equal(vmm_vmcs_checker_set(&fake), VMM_ERR_BAD_STATE);
	assert_null(vmm_vmcs_checker_get());
	exits_down();
}

/* Without a checker (vmm.elf loaded alone) a failed entry still logs the
 * CPU's error and the VMCS dump, says that no checker ran, and says how to
 * get the rule: load vmcs_check.elf with the image. The field names come
 * with the module too (issue #6): the dump shows every field by its
 * encoding, with its value, and its header says where the names are. */
static void test_vmcs_checker_absent_hint(void **state)
{
	(void)state;
	assert_null(vmm_vmcs_checker_get());
	exits_up("skylake");
	fail_resume_host_cs();
	assert_true(ring_has("VM entry failed: VMRESUME VMfailValid(8) VM "
			     "entry with invalid host-state field(s); "
			     "consistency check: not run (no checker module)"));
	assert_true(ring_has("VM entry failed: the rule-level diagnosis needs "
			     "the vmcs_check module loaded with the image: "
			     "flankctl load vmm.elf vmcs_check.elf"));
	assert_true(ring_has("VMCS dump: current VMCS at 0x"));
	assert_true(ring_has(" (fields by encoding: their names come with the "
			     "vmcs_check module)"));
	/* HOST_CS_SELECTOR (0C02H), 0 here, and GUEST_RIP (681EH). */
	assert_true(ring_has("field 0x0c02                   = 0x0000"));
	assert_true(ring_has("field 0x681e                   = 0x"));
	assert_false(ring_has("HOST_CS_SELECTOR"));
	assert_false(ring_has("rule H6."));
	/* A failed VMRESUME is diagnosed in the exit handler: the ring only,
	 * never the host's log from VMX root (issue #14 item 7). */
	assert_false(test_platform_log_has(
		&tp, "consistency check: not run (no checker module)"));
	exits_down();
}

/* A registered checker is what the diagnostic calls: its phrase follows
 * "consistency check: ", and the hint is gone. */
static void test_vmcs_checker_called(void **state)
{
	(void)state;
	fake_checks = fake_describes = 0;
	assert_int_equal(vmm_vmcs_checker_set(&fake), VMM_OK);
	exits_up("skylake");
	fail_resume_host_cs();
	assert_int_equal(fake_checks, 1);
	assert_int_equal(fake_describes, 1);
	assert_true(ring_has("entry with invalid host-state field(s); "
			     "consistency check: fake verdict X9.fake"));
	assert_false(ring_has("needs the vmcs_check module"));
	assert_false(test_platform_log_has(&tp, "needs the vmcs_check module"));
	assert_true(ring_has("VMCS dump: current VMCS at 0x"));
	assert_false(ring_has("fields by encoding"));
	/* The dump's names are the checker's: the one it knows, and the
	 * encoding of every field it does not name. */
	assert_true(ring_has("FAKE_HOST_CS                   = 0x0000"));
	assert_true(ring_has("field 0x681e                   = 0x"));
	exits_down();
	assert_int_equal(vmm_vmcs_checker_remove(&fake), VMM_OK);
}

/*
 * A checker with a function that does not start with ENDBR64 is refused
 * with VMM_ERR_HOOK_NO_ENDBR, whichever of the three it is, on this machine
 * without IBT too (issue #21): nothing is registered, and a failed entry
 * is diagnosed as with no checker, without calling it. One with ENDBR64
 * in all three (every function of this file but the three above) is
 * accepted.
 */
static void test_vmcs_checker_refuses_no_endbr64(void **state)
{
	(void)state;
	noendbr_calls = 0;
	assert_int_equal(vmm_vmcs_checker_set(&noendbr_first),
			 VMM_ERR_HOOK_NO_ENDBR);
	assert_int_equal(vmm_vmcs_checker_set(&noendbr_second),
			 VMM_ERR_HOOK_NO_ENDBR);
	assert_int_equal(vmm_vmcs_checker_set(&noendbr_third),
			 VMM_ERR_HOOK_NO_ENDBR);
	assert_null(vmm_vmcs_checker_get());
	assert_int_equal(vmm_vmcs_checker_remove(&noendbr_first),
			 VMM_ERR_BAD_ARGUMENT);
	exits_up("skylake");
	fail_resume_host_cs();
	assert_true(ring_has("consistency check: not run (no checker module)"));
	exits_down();
	assert_int_equal(noendbr_calls, 0);
	assert_string_equal(vmm_status_name(VMM_ERR_HOOK_NO_ENDBR),
			    "VMM_ERR_HOOK_NO_ENDBR");
	assert_non_null(strstr(vmm_status_str(VMM_ERR_HOOK_NO_ENDBR),
			       "does not start with ENDBR64"));
	assert_non_null(strstr(vmm_status_str(VMM_ERR_HOOK_NO_ENDBR),
			       "build the module with -fcf-protection=branch "
			       "-fno-jump-tables"));
	assert_int_equal(vmm_vmcs_checker_set(&fake), VMM_OK);
	assert_ptr_equal(vmm_vmcs_checker_get(), &fake);
	assert_int_equal(vmm_vmcs_checker_remove(&fake), VMM_OK);
}

/* libvmm's checker, registered as the vmcs_check module registers it,
 * names the failing rule. */
static void test_vmcs_checker_real_names_rule(void **state)
{
	(void)state;
	assert_int_equal(vmm_vmcs_checker_set(&real), VMM_OK);
	exits_up("skylake");
	fail_resume_host_cs();
	assert_true(ring_has("consistency check: rule H6.cs_null (SDM Vol. 3C "
			     "27.2.3): HOST_CS_SELECTOR = 0x0000"));
	assert_false(ring_has("needs the vmcs_check module"));
	/* And the dump names every field as before the names moved. */
	assert_true(ring_has("HOST_CS_SELECTOR               = 0x0000"));
	assert_true(ring_has("GUEST_RIP                      = 0x"));
	assert_false(ring_has("field 0x"));
	exits_down();
	assert_int_equal(vmm_vmcs_checker_remove(&real), VMM_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmcs_checker_registration_rules),
		cmocka_unit_test(test_vmcs_checker_refused_while_running),
		cmocka_unit_test(test_vmcs_checker_absent_hint),
		cmocka_unit_test(test_vmcs_checker_called),
		cmocka_unit_test(test_vmcs_checker_real_names_rule),
		cmocka_unit_test(test_vmcs_checker_refuses_no_endbr64),
	};

	return FLANK_RUN_TESTS(tests);
}
