/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared setup of the exit-handler tests and the exit fuzzer: the emulated
 * VT-x with libvmm started on CPU 0 (the test then plays the guest), a
 * debug ring attached for diagnostics, and helpers that deliver exits.
 */
#ifndef FLANK_EXITS_FIXTURE_H
#define FLANK_EXITS_FIXTURE_H

#include "flank/vmm_console.h"
#include "flank/vmm_hypercall.h"
#include "libvmm_fixture.h"

static uint64_t ring_mem[262144 / 8];

/* One skylake CPU (or @p profile) running under libvmm, a fresh ring. */
static void exits_up(const char *profile)
{
	uint32_t failed = 0;

	fixture_up(profile, 1);
	vmm_console_attach(vmm_ring_init(ring_mem, sizeof(ring_mem)), NULL);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_NONROOT);
}

/* Stops (if still running) and tears down; no page may leak. */
static void exits_down(void)
{
	if (vmm_state() == FLANK_STATE_RUNNING)
		assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	vmm_console_detach();
	fixture_down();
}

/* The per-CPU context of CPU 0 (white box: statistics). */
static inline struct vmm_cpu *cpu0(void)
{
	return vmm_ctx.cpu[0];
}

/* Delivers exit @p reason even where the controls would not produce it. */
static inline int exit_any(uint32_t reason, uint64_t qual, uint32_t len,
			   struct intrin_gprs *g, struct mock_exit_outcome *out)
{
	struct mock_exit_event e = {.reason = reason,
				    .qualification = qual,
				    .instruction_len = len};
	int rc;

	if (g != NULL)
		e.gprs = *g;
	rc = mock_guest_exit_any(&e, out);
	if (rc == 0 && g != NULL)
		*g = out->gprs;
	return rc;
}

/* A VMCS field of CPU 0, read without VMREAD. */
static inline uint64_t peek(uint32_t field)
{
	uint64_t v = 0;

	assert_true(mock_vmcs_peek(0, field, &v));
	return v;
}

/* The emulated instruction completed: RIP advanced, nothing injected, and
 * the VMRESUME passed every entry check. */
static inline void assert_emulated(const struct mock_exit_outcome *o,
				   uint32_t len)
{
	assert_int_equal(o->action, INTRIN_EXIT_RESUME);
	assert_true(o->resume.entered);
	assert_false(o->injected);
	assert_true(o->rip_after == o->rip_before + len);
}

/* Hardware exception @p vector injected with RIP at the instruction. */
static inline void assert_fault(const struct mock_exit_outcome *o,
				uint32_t vector)
{
	bool code = vector == X86_VEC_GP;

	assert_int_equal(o->action, INTRIN_EXIT_RESUME);
	assert_true(o->resume.entered);
	assert_true(o->injected);
	assert_int_equal(o->injected_info & INTR_INFO_VECTOR_MASK, vector);
	assert_int_equal((o->injected_info & INTR_INFO_TYPE_MASK) >>
				 INTR_INFO_TYPE_SHIFT,
			 INTR_TYPE_HARD_EXCEPTION);
	assert_int_equal((o->injected_info & INTR_INFO_DELIVER_CODE) != 0,
			 code);
	if (code)
		assert_int_equal(o->injected_error_code, 0);
	assert_true(o->rip_after == o->rip_before);
}

/* True if the debug ring holds a line containing @p needle. */
static inline bool ring_has(const char *needle)
{
	static char text[1u << 19];
	uint64_t pos = 0;
	size_t n = 0, got;

	while (n < sizeof(text) - 1 &&
	       (got = vmm_console_ring_read(&pos, text + n,
					    sizeof(text) - 1 - n)) > 0)
		n += got;
	text[n] = '\0';
	return strstr(text, needle) != NULL;
}

#endif
