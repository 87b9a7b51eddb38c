/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file vmm_vmcs_check.h
 * libvmm's own VMCS consistency checker: the VM-entry checks of SDM Vol. 3C
 * chapter 27 (controls 27.2.1, host state 27.2.2-27.2.4, guest state
 * 27.3.1) evaluated in software over the current VMCS, so that a failed
 * VMLAUNCH/VMRESUME can name the field that is wrong. The CPU only says
 * "invalid control field(s)" (error 7), "invalid host-state field(s)"
 * (error 8) or "invalid guest state" (exit reason 33).
 *
 * Rule identifiers are those of the emulated VT-x (intrinsics/mock,
 * shared/VMX-CHECKS.md groups): "C1.pin_allowed0", "H6.cs_null",
 * "G8.ss_type", ... The checker is an independent implementation from the
 * SDM; the tests compare its verdicts with the emulator's. It covers the
 * rules that can fail on the VMCS libvmm builds (see docs/debugging.md for
 * the list of what it does not evaluate).
 *
 * Freestanding: reads the VMCS with VMREAD, the capability MSRs with
 * RDMSR (#GP reported, never taken) and CPUID; allocates nothing.
 */
#ifndef FLANK_VMM_VMCS_CHECK_H
#define FLANK_VMM_VMCS_CHECK_H

#include <stddef.h>
#include <stdint.h>

/** What vmm_vmcs_check() found. */
enum vmm_vmcs_check_status {
	VMM_VMCS_CHECK_PASS = 0, /**< Every rule the checker covers holds. */
	VMM_VMCS_CHECK_FAIL = 1, /**< rule, field and value name a failure. */
	/** A VMREAD failed (no current VMCS, or a field the CPU lacks):
	 * field names it. */
	VMM_VMCS_CHECK_VMREAD_FAILED = 2,
	/** A capability MSR raised #GP: field holds the MSR index. */
	VMM_VMCS_CHECK_MSR_FAILED = 3,
};

/** Result of one run of the checker. */
struct vmm_vmcs_check_result {
	uint32_t status; /**< enum vmm_vmcs_check_status. */
	/**
	 * What the CPU reports for the failing rule: VM-instruction error 7
	 * (controls) or 8 (host state), or 0 for a guest-state rule, which
	 * is a VM exit with reason 33 (SDM Vol. 3C 27.8).
	 */
	uint32_t vmx_error;
	const char *rule;     /**< "H6.cs_null"; "" unless status is FAIL. */
	const char *citation; /**< "SDM Vol. 3C 27.2.3"; "" unless FAIL. */
	uint32_t field;	      /**< Encoding of the offending field. */
	uint32_t reserved;    /**< 0. */
	uint64_t value;	      /**< Its value as VMREAD returned it. */
};

/**
 * Checks the current VMCS of the calling CPU, in the SDM's order (controls,
 * host state, guest state), and fills @p res with the first failing rule.
 * Must run in VMX root with a current VMCS. Returns @p res->status.
 */
int vmm_vmcs_check(struct vmm_vmcs_check_result *res);

/** Number of rules the checker can report. */
uint32_t vmm_vmcs_check_rule_count(void);

/** Identifier of rule @p index ("C1.pin_allowed0"); NULL past the end. */
const char *vmm_vmcs_check_rule_id(uint32_t index);

/**
 * Writes the checker's finding as one phrase into @p buf (@p size bytes,
 * always NUL-terminated):
 *   "rule <id> (<citation>): <FIELD_NAME> = 0x<value at field width>"
 * or "no failing rule found", "VMREAD of <FIELD_NAME> failed",
 * "RDMSR 0x<msr> raised #GP". Returns the length written.
 */
size_t vmm_vmcs_check_describe(const struct vmm_vmcs_check_result *res,
			       char *buf, size_t size);

#endif /* FLANK_VMM_VMCS_CHECK_H */
