// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * cpu_rdmsr_safe(), cpu_wrmsr_safe(), cpu_xsetbv_safe(): RDMSR, WRMSR and
 * XSETBV that report #GP instead of faulting, in any ring-0 context (under
 * the host kernel's IDT, or in VMX root after a VM exit loaded HOST_IDTR),
 * with no help from the host kernel (no exception-table entry: vmm.elf is
 * not part of the kernel image).
 *
 * Design: for the duration of the one instruction the CPU uses a private
 * IDT that lives on this call's stack:
 *   1. save RFLAGS and disable interrupts (CLI), then SIDT the current IDT;
 *   2. build the private IDT (safe_idt.c): gates 0-31 copied unchanged from
 *      the current IDT, gate 13 (#GP) pointing to intrin_safe_gp_stub;
 *   3. LIDT the private IDT, execute the guarded instruction (safe_insn.S);
 *   4. LIDT the saved IDT, and STI only if IF was set at step 1.
 * A #GP(0) raised by the guarded instruction reaches the stub, which
 * resumes at the instruction's fixup: the function returns CPU_SAFE_GP.
 *
 * The window (steps 3-4, a handful of instructions):
 * - Maskable interrupts cannot arrive (IF = 0), so vectors 32-255 need no
 *   gates; the private IDT's limit covers 0-31 only (an INT n, which no
 *   code in the window executes, would #GP and be forwarded).
 * - NMI, #MC and #DB can arrive. Their gates are the original gates, byte
 *   for byte: same handler, same IST stack, so the kernel's NMI handler runs
 *   exactly as it would without us (Linux's NMI entry relies on running on
 *   its IST stack), and IRETs back into the window. No NMI is lost.
 * - A #GP that is not one of the three guarded instructions (any error
 *   code other than 0, any other RIP) is forwarded by the stub to the
 *   original #GP handler with the stack as the CPU delivered it.
 * - If the kernel's NMI handler itself calls code that does LIDT, it must
 *   restore what it found, as any NMI handler must already.
 *
 * Several CPUs at once: nothing is shared. Each call has its own IDT on its
 * own stack; the stub and the guarded instructions are read-only code; the
 * stub finds the original IDT through SIDT of the private one. Nothing is
 * allocated. Cost: 32 gate copies (512 bytes) plus two LIDTs per call;
 * stack use about 530 bytes.
 *
 * Only #GP is reported. XSETBV with CR4.OSXSAVE clear raises #UD, which is
 * not caught: callers check CR4.OSXSAVE first (SDM Vol. 2C XSETBV).
 */
#include "real_internal.h"

/* One call's saved state. */
struct safe_window {
	struct safe_idt idt;
	struct cpu_dtr orig;
	uint64_t rflags;
};

static void safe_enter(struct safe_window *w)
{
	struct cpu_dtr priv;

	w->rflags = cpu_read_rflags();
	__asm__ volatile("cli" ::: "memory");
	cpu_sidt(&w->orig);
	priv = intrin_safe_idt_build(&w->idt, &w->orig, cpu_read_cs(),
				     (uint64_t)(uintptr_t)&intrin_safe_gp_stub);
	cpu_lidt(&priv);
}

static void safe_leave(struct safe_window *w)
{
	/*
	 * The "m" operand keeps the private IDT alive, in the compiler's
	 * eyes, until the original IDT is loaded again.
	 */
	__asm__ volatile("" : : "m"(w->idt) : "memory");
	cpu_lidt(&w->orig);
	if (w->rflags & X86_RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
}

enum cpu_safe_status cpu_rdmsr_safe(uint32_t msr, uint64_t *value)
{
	struct safe_window w;
	enum cpu_safe_status st;

	safe_enter(&w);
	st = intrin_rdmsr_guarded(msr, value);
	safe_leave(&w);
	return st;
}

enum cpu_safe_status cpu_wrmsr_safe(uint32_t msr, uint64_t value)
{
	struct safe_window w;
	enum cpu_safe_status st;

	safe_enter(&w);
	st = intrin_wrmsr_guarded(msr, value);
	safe_leave(&w);
	return st;
}

enum cpu_safe_status cpu_xsetbv_safe(uint32_t xcr, uint64_t value)
{
	struct safe_window w;
	enum cpu_safe_status st;

	safe_enter(&w);
	st = intrin_xsetbv_guarded(xcr, value);
	safe_leave(&w);
	return st;
}
