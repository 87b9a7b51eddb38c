// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The scenario parser and runner fed with text: every kind of malformed
 * line is rejected with "file:line: what was expected", a well-formed
 * scenario passes, and a scenario whose expectation does not hold fails
 * with the line and the outcome it got.
 */
#include <string.h>

#include "flank_test.h"
#include "scen.h"

/* Parses @p text and asserts it is rejected with exactly @p want. */
static void rejects(const char *text, const char *want)
{
	struct scen_script s;
	char err[SCEN_ERR_LEN];

	assert_int_equal(scen_parse_text("t.scen", text, &s, err, sizeof(err)),
			 -1);
	assert_string_equal(err, want);
	assert_null(s.cmds);
}

/* Parses and runs @p text; returns the run's status, message in @p err. */
static int run(const char *text, char *err, size_t size)
{
	struct scen_script s;
	int rc;

	assert_int_equal(scen_parse_text("t.scen", text, &s, err, size), 0);
	rc = scen_run(&s, err, size);
	scen_script_free(&s);
	return rc;
}

/* Unknown directives, words and names are rejected with the line. */
static void test_scenario_rejects_unknown_words(void **state)
{
	(void)state;
	rejects("profile skylake\n\n  vmxonn x\n",
		"t.scen:3: expected a directive (profile, cpus, set, alloc, "
		"vmxon, ..., guest, start, stop, expect, ...), found 'vmxonn'");
	rejects("cpus 0\n", "t.scen:1: expected 1-256 CPUs, found 0");
	rejects("cpus two\n", "t.scen:1: expected a CPU count, found 'two'");
	rejects("set cr5 = 0\n",
		"t.scen:1: expected a register (cr0, cr2, cr3, cr4, cr8, "
		"dr7, rflags, xcr0, cpl, SEG.sel/base/limit/ar), msr or "
		"mov_ss, found 'cr5'");
	rejects("set cr4 += VMXE\n",
		"t.scen:1: expected '=', '|=' or '&=', found '+='");
	rejects("set cr4 |= VMXEE\n",
		"t.scen:1: unknown name 'VMXEE' (expected a number, a page "
		"allocated earlier, 'revision' or a constant)");
	rejects("vmread GUEST_RIPP\n",
		"t.scen:1: unknown VMCS field 'GUEST_RIPP' (expected a name "
		"of the field table without VMCS_, e.g. GUEST_CR0, or an "
		"encoding)");
	rejects("guest cpuid 1 expect eax=FOO\n",
		"t.scen:1: unknown name 'FOO' (expected a number, a page "
		"allocated earlier, 'revision' or a constant)");
}

/* Missing or extra arguments say what was expected instead. */
static void test_scenario_rejects_arity(void **state)
{
	(void)state;
	rejects("vmxon\n", "t.scen:1: expected an address (page name, "
			   "page+offset or number), found end of line");
	rejects("vmxoff extra\n",
		"t.scen:1: expected end of line, found 'extra'");
	rejects("launch expect fail_valid\n",
		"t.scen:1: expected a VM-instruction error number, found "
		"end of line");
	rejects("launch expect entry_fail BOGUS\n",
		"t.scen:1: expected an exit reason (CPUID, "
		"INVALID_GUEST_STATE, ...) or a number, found 'BOGUS'");
	rejects("vmxoff expect exception XX\n",
		"t.scen:1: expected an exception (UD, GP, ...) or a vector "
		"0-255, found 'XX'");
	rejects("vmxoff expect succeed rule nodot\n",
		"t.scen:1: expected a rule identifier like C1.pin_allowed0, "
		"found 'nodot'");
	rejects("inject vmxon 1 fail_invalid\n",
		"t.scen:1: expected nth, found '1'");
	rejects("inject vmxon nth 0 fail_invalid\n",
		"t.scen:1: expected a call number >= 1, found 0");
	rejects("expect state RUNNINGG\n",
		"t.scen:1: expected a state (UNLOADED, LOADED, RUNNING, "
		"STOPPING, CORRUPT), found 'RUNNINGG'");
	rejects("expect cpu all cr4.vmxee 0\n",
		"t.scen:1: unknown bit 'vmxee' of cr4");
	rejects("expect cpu 0 cr4.vmxe 2\n",
		"t.scen:1: expected 0 or 1, found 2");
}

/* Memory operands, paging directives and error codes: what is missing or
 * unknown is named. */
static void test_scenario_rejects_operands(void **state)
{
	(void)state;
	rejects("vmptrld mem\n",
		"t.scen:1: expected an effective address, found end of line");
	rejects("vmptrst mem 8 seg ldtr\n",
		"t.scen:1: expected es, cs, ss, ds, fs or gs, found 'ldtr'");
	rejects("vmwrite GUEST_RIP\n", "t.scen:1: expected a value or mem "
				       "OFFSET, found end of line");
	rejects("invept 1\n",
		"t.scen:1: expected an EPTP or mem OFFSET, found end of line");
	rejects("invvpid 1 expect succeed\n",
		"t.scen:1: expected a VPID or mem OFFSET, found 'expect'");
	rejects("vmread GUEST_RIP mem 8 seg\n",
		"t.scen:1: expected es, cs, ss, ds, fs or gs, found end of "
		"line");
	rejects("paging\n", "t.scen:1: expected 4 or 5 (paging levels), "
			    "found end of line");
	rejects("map 0x1000\n",
		"t.scen:1: expected a physical address, found end of line");
	rejects("map 0x1000 0x2000 PTE_P 2m x\n",
		"t.scen:1: expected end of line, found 'x'");
	rejects("unmap\n",
		"t.scen:1: expected a linear address, found end of line");
	rejects("vmxoff expect exception PF code\n",
		"t.scen:1: expected an error code, found end of line");
}

/* Structure: header first, names defined once, sweeps after setup only. */
static void test_scenario_rejects_structure(void **state)
{
	(void)state;
	rejects("cpus 2\nprofile skylake\nprofile skylake\n",
		"t.scen:3: profile given twice");
	rejects("alloc page a\nalloc page a\n",
		"t.scen:2: page 'a' is already allocated");
	rejects("alloc page vmcs\nvmcs valid\n",
		"t.scen:2: 'vmcs valid' defines page 'vmcs', which is "
		"already allocated");
	rejects("alloc page 9x\n",
		"t.scen:1: expected a page name (letters, digits, _), found "
		"'9x'");
	rejects("vmcs valid\nsweep start\n",
		"t.scen:2: sweep may follow only machine setup (profile, "
		"cpus, set, feature_control, cpuid, inject MSR gp), "
		"expectations and other sweeps; line 1 is not");
	rejects("expect log VMfail\n",
		"t.scen:1: expected a quoted text, found 'VMfail'");
}

/* A well-formed raw scenario passes, comments and blank lines included. */
static void test_scenario_runs_raw(void **state)
{
	char err[SCEN_ERR_LEN];

	(void)state;
	assert_int_equal(run("# VMXON without CR4.VMXE, then with it\n"
			     "profile skylake\n"
			     "alloc page r   # the region\n"
			     "write32 r revision\n"
			     "vmxon r expect exception UD rule "
			     "VMXON.ud_cr4_vmxe\n"
			     "set cr4 |= VMXE\n"
			     "vmxon r\n"
			     "vmxon r expect fail_invalid\n"
			     "expect vmx root\n"
			     "vmxoff\n"
			     "expect cpu 0 cr4.vmxe 1\n",
			     err, sizeof(err)),
			 0);
}

/* A failed expectation names the line, what was expected and what came. */
static void test_scenario_reports_failure(void **state)
{
	char err[SCEN_ERR_LEN];

	(void)state;
	assert_int_equal(run("set cr4 |= VMXE\n"
			     "alloc page r\n"
			     "vmxon r expect succeed\n",
			     err, sizeof(err)),
			 -1);
	assert_string_equal(err, "t.scen:3: vmxon: expected succeed, got "
				 "fail_invalid (rule VMXON.fail_revision)");
	assert_int_equal(
		run("expect cpu 0 cr4 & VMXE = VMXE\n", err, sizeof(err)), -1);
	assert_string_equal(err, "t.scen:1: cpu 0 cr4 & 0x2000: expected "
				 "0x2000, got 0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario_rejects_unknown_words),
		cmocka_unit_test(test_scenario_rejects_arity),
		cmocka_unit_test(test_scenario_rejects_operands),
		cmocka_unit_test(test_scenario_rejects_structure),
		cmocka_unit_test(test_scenario_runs_raw),
		cmocka_unit_test(test_scenario_reports_failure),
	};
	return FLANK_RUN_TESTS(tests);
}
