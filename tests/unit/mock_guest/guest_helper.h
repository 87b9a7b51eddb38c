/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A guest-side harness on the emulated VT-x: one CPU in VMX root with a
 * ready VMCS (mock_fixture's), an exit handler that records what the CPU
 * wrote to the exit-information fields, advances GUEST_RIP by the
 * instruction length and then does what the test asked (return a value in
 * RAX, inject an event, or leave VMX).
 */
#ifndef FLANK_TEST_GUEST_HELPER_H
#define FLANK_TEST_GUEST_HELPER_H

#include <stdbool.h>
#include <stdint.h>

#include "mock_fixture.h"

/** What the last exit looked like from the handler (read via VMREAD). */
struct guest_log {
	unsigned exits;
	uint32_t reason;
	uint64_t qual;
	uint32_t len, insn_info, intr_info, intr_error;
	uint64_t guest_rip;
	uint32_t activity;	 /**< GUEST_ACTIVITY_STATE saved by the exit. */
	struct intrin_gprs gprs; /**< As the handler received them. */
};

extern struct guest_log glog;
extern struct mock_test_vm gvm;

/** CMocka setup/teardown: skylake, one CPU, VMCS ready, CPU in root. */
int guest_setup(void **state);
int guest_teardown(void **state);

/** VMLAUNCH that must succeed. */
void guest_enter(void);

/** The next handler runs write @p rax to the guest's RAX (-1: leave it). */
void guest_set_rax(uint64_t rax);
void guest_clear_rax(void);
/** The next handler runs inject @p info (0: nothing). */
void guest_set_inject(uint32_t info, uint32_t error_code);
/** The next handler run executes VMXOFF and leaves (true) or resumes. */
void guest_set_leave(bool leave);

/** ORs @p bits into the primary controls (adjusted to the capability). */
void guest_proc_set(uint32_t bits);
/** Sets the secondary controls (and activates them). */
void guest_proc2_set(uint32_t bits);

/** Replaces the exception handler with one that records the rule. */
void guest_catch_violations(void);
/** The rule of the last recorded violation (NULL if none) and clears it. */
const char *guest_violation(void);

#endif /* FLANK_TEST_GUEST_HELPER_H */
