// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Port I/O with device hooks, and the cache/idle instructions INVD,
 * WBINVD, PAUSE and HLT. Each is counted and traced; in VMX non-root each
 * exits where the SDM says (Vol. 3C 26.1.2, 26.1.3).
 */
#include <stdlib.h>

#include "mock_internal.h"

struct io_hook {
	uint16_t first, count;
	mock_io_read_fn rd;
	mock_io_write_fn wr;
	void *ctx;
};

#define MAX_HOOKS 32u
static struct io_hook hooks[MAX_HOOKS];
static unsigned nhooks;

void mock_io_reset(void)
{
	nhooks = 0;
}

int mock_io_register(uint16_t first, uint16_t count, mock_io_read_fn rd,
		     mock_io_write_fn wr, void *ctx)
{
	if (!count || nhooks == MAX_HOOKS || (uint32_t)first + count > 0x10000u)
		return -1;
	for (unsigned i = 0; i < nhooks; i++) {
		if (first < hooks[i].first + hooks[i].count &&
		    hooks[i].first < first + count)
			return -1;
	}
	hooks[nhooks++] = (struct io_hook){first, count, rd, wr, ctx};
	return 0;
}

void mock_io_unregister(uint16_t first)
{
	for (unsigned i = 0; i < nhooks; i++) {
		if (hooks[i].first == first) {
			hooks[i] = hooks[--nhooks];
			return;
		}
	}
}

static struct io_hook *hook_for(uint16_t port)
{
	for (unsigned i = 0; i < nhooks; i++) {
		if (port >= hooks[i].first &&
		    port - hooks[i].first < hooks[i].count)
			return &hooks[i];
	}
	return NULL;
}

/*
 * IN/OUT (SDM Vol. 2A IN, Vol. 2B OUT): at CPL > IOPL in protected mode
 * the CPU consults the I/O permission bitmap of the TSS (SDM Vol. 1
 * 19.5.2) and raises #GP(0) unless every bit of the accessed ports is 0.
 * The bitmap is not modelled, deliberately: it lives at a linear address
 * (TR.base + the offset at TSS byte 102), and the model has no linear
 * address space (no page tables to walk; see desc.c for the GDT), and
 * Flank never executes port I/O outside CPL 0. The model therefore
 * answers every access at CPL > IOPL with #GP(0), which is what a bitmap
 * that denies the port gives: the stricter of the two possible outcomes,
 * so code that passes here cannot fault on hardware for this reason.
 * That #GP has priority over an I/O VM exit (SDM Vol. 3C 26.1.1). In VMX
 * non-root the access then exits per the I/O controls with the
 * qualification of SDM Vol. 3C Table 28-5 (size - 1, direction, port).
 */
static bool io_gate(enum mock_op op, uint16_t port, unsigned size, bool in,
		    uint64_t *val)
{
	struct mock_cpu *c = mock_cur();
	unsigned iopl = (unsigned)((c->regs.rflags >> 12) & 3u);

	if (c->regs.cpl > iopl) {
		mock_raise(op, X86_VEC_GP, in ? "IN.gp_iopl" : "OUT.gp_iopl",
			   "#GP(0): port I/O with CPL > IOPL");
		return true;
	}
	if (c->vmx == MOCK_VMX_NONROOT) {
		struct mock_exit_event e = {
			.reason = EXIT_REASON_IO_INSTRUCTION,
			.qualification = (size - 1u) | (in ? 8u : 0u) |
					 ((uint64_t)port << 16),
			.instruction_len = size == 2 ? 2 : 1,
			.gprs = {.rax = *val, .rdx = port}};
		struct mock_exit_outcome out;
		if (mock_guest_exit(&e, &out) >= 0) {
			if (in)
				*val = out.gprs.rax;
			return true;
		}
	}
	return false;
}

static uint32_t do_in(uint16_t port, unsigned size)
{
	vmx_result_t r = {VMX_SUCCEED, 0};
	uint64_t v = 0;
	uint32_t mask = size == 4 ? 0xFFFFFFFFu : (1u << (8 * size)) - 1u;

	(void)mock_fault_check(MOCK_OP_IN, port, size, &r);
	if (!io_gate(MOCK_OP_IN, port, size, true, &v)) {
		struct io_hook *h = hook_for(port);
		v = (h && h->rd) ? h->rd(h->ctx, port, size) : 0xFFFFFFFFu;
	}
	v &= mask;
	mock_record(MOCK_OP_IN, port, v, r, false);
	return (uint32_t)v;
}

static void do_out(uint16_t port, unsigned size, uint32_t value)
{
	vmx_result_t r = {VMX_SUCCEED, 0};
	uint64_t v = value;

	(void)mock_fault_check(MOCK_OP_OUT, port, value, &r);
	if (!io_gate(MOCK_OP_OUT, port, size, false, &v)) {
		struct io_hook *h = hook_for(port);
		if (h && h->wr)
			h->wr(h->ctx, port, size, value);
	}
	mock_record(MOCK_OP_OUT, port, value, r, false);
}

uint8_t cpu_inb(uint16_t port)
{
	return (uint8_t)do_in(port, 1);
}

uint16_t cpu_inw(uint16_t port)
{
	return (uint16_t)do_in(port, 2);
}

uint32_t cpu_inl(uint16_t port)
{
	return do_in(port, 4);
}

void cpu_outb(uint16_t port, uint8_t value)
{
	do_out(port, 1, value);
}

void cpu_outw(uint16_t port, uint16_t value)
{
	do_out(port, 2, value);
}

void cpu_outl(uint16_t port, uint32_t value)
{
	do_out(port, 4, value);
}

/* INVD/WBINVD/HLT: #GP at CPL > 0 (SDM Vol. 2A INVD, WBINVD, HLT). */
static void privileged(enum mock_op op, const char *gp_rule, uint32_t reason,
		       uint32_t len, bool exits)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};

	(void)mock_fault_check(op, 0, 0, &r);
	if (c->regs.cpl > 0) {
		r = mock_raise(op, X86_VEC_GP, gp_rule, "#GP(0): CPL > 0");
	} else if (c->vmx == MOCK_VMX_NONROOT && exits) {
		struct mock_guest_insn in = {.reason = reason, .len = len};
		(void)mock_guest_insn_exit(&in, NULL);
	} else if (op == MOCK_OP_HLT) {
		/* Halted until the next event; the model wakes at once. */
		c->halted = false;
	}
	mock_record(op, 0, 0, r, false);
}

void cpu_invd(void)
{
	/* SDM Vol. 3C 26.1.2: INVD always exits. */
	privileged(MOCK_OP_INVD, "INVD.gp_cpl", EXIT_REASON_INVD, 2, true);
}

void cpu_wbinvd(void)
{
	struct mock_cpu *c = mock_cur();
	bool exits = c->vmx == MOCK_VMX_NONROOT &&
		     (mock_proc2_ctls(c) & SEC_WBINVD_EXITING);
	privileged(MOCK_OP_WBINVD, "WBINVD.gp_cpl", EXIT_REASON_WBINVD, 2,
		   exits);
}

void cpu_halt(void)
{
	struct mock_cpu *c = mock_cur();
	bool exits = c->vmx == MOCK_VMX_NONROOT &&
		     (mock_proc_ctls(c) & CPU_HLT_EXITING);
	privileged(MOCK_OP_HLT, "HLT.gp_cpl", EXIT_REASON_HLT, 1, exits);
}

void cpu_pause(void)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};

	(void)mock_fault_check(MOCK_OP_PAUSE, 0, 0, &r);
	if (c->vmx == MOCK_VMX_NONROOT &&
	    (mock_proc_ctls(c) & CPU_PAUSE_EXITING)) {
		struct mock_guest_insn in = {.reason = EXIT_REASON_PAUSE,
					     .len = 2};
		(void)mock_guest_insn_exit(&in, NULL);
	}
	mock_record(MOCK_OP_PAUSE, 0, 0, r, false);
}
