/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The guarded RDMSR/WRMSR/XSETBV and the #GP stub of the private IDT that
 * cpu_rdmsr_safe() and friends load for the duration of one instruction
 * (msr_safe.c explains the design).
 *
 * Each guarded function executes its instruction at a global label
 * (intrin_*_insn) and has a fixup that returns CPU_SAFE_GP (13). The stub
 * compares the RIP of a #GP(0) with the three labels; on a match it rewrites
 * the saved RIP to the fixup and IRETQs, so the function returns 13 with
 * nothing changed (a faulting RDMSR/WRMSR/XSETBV has no effect, SDM Vol. 2B
 * RDMSR/WRMSR, Vol. 2C XSETBV). Everything is RIP-relative: no relocation.
 *
 * The labels are global (hidden) so that the userspace unit tests can drive
 * the stub through an emulated #GP delivery (tests/unit/intrinsics_real).
 */
#include "asm.h"
#include "real_internal.h"

#define CPU_SAFE_OK 0
#define CPU_SAFE_GP 13

	.text

/* enum cpu_safe_status intrin_rdmsr_guarded(uint32_t msr, uint64_t *value) */
FUNC_START(intrin_rdmsr_guarded)
	mov	%edi, %ecx
	.globl	intrin_rdmsr_insn
	.hidden	intrin_rdmsr_insn
intrin_rdmsr_insn:
	rdmsr
	/* RDMSR zero-extends into RAX and RDX: combine EDX:EAX. */
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, (%rsi)
	xor	%eax, %eax
	ret
/* A label, not a function: the #GP stub IRETs here. */
intrin_rdmsr_fixup:
	mov	$CPU_SAFE_GP, %eax	/* *value is left untouched */
	ret
FUNC_END(intrin_rdmsr_guarded)

/* enum cpu_safe_status intrin_wrmsr_guarded(uint32_t msr, uint64_t value) */
FUNC_START(intrin_wrmsr_guarded)
	mov	%edi, %ecx
	mov	%esi, %eax
	mov	%rsi, %rdx
	shr	$32, %rdx
	.globl	intrin_wrmsr_insn
	.hidden	intrin_wrmsr_insn
intrin_wrmsr_insn:
	wrmsr
	xor	%eax, %eax
	ret
/* A label, not a function: the #GP stub IRETs here. */
intrin_wrmsr_fixup:
	mov	$CPU_SAFE_GP, %eax
	ret
FUNC_END(intrin_wrmsr_guarded)

/* enum cpu_safe_status intrin_xsetbv_guarded(uint32_t xcr, uint64_t value) */
FUNC_START(intrin_xsetbv_guarded)
	mov	%edi, %ecx
	mov	%esi, %eax
	mov	%rsi, %rdx
	shr	$32, %rdx
	.globl	intrin_xsetbv_insn
	.hidden	intrin_xsetbv_insn
intrin_xsetbv_insn:
	xsetbv
	xor	%eax, %eax
	ret
/* A label, not a function: the #GP stub IRETs here. */
intrin_xsetbv_fixup:
	mov	$CPU_SAFE_GP, %eax
	ret
FUNC_END(intrin_xsetbv_guarded)

/*
 * The #GP gate target. The CPU delivered, on the current stack (the gate
 * keeps the original #GP gate's IST, normally 0):
 *
 *   error code, RIP, CS, RFLAGS, RSP, SS          (SDM Vol. 3A 6.14.2)
 *
 * and started here with IF = 0 (interrupt gate, like Linux's).
 */
FUNC_START(intrin_safe_gp_stub)
	/* A slot for the forwarding target, then two scratch registers. */
	sub	$8, %rsp
	push	%rax
	push	%rcx
	/* Now: 0 RCX, 8 RAX, 16 slot, 24 error code, 32 RIP. */

	/* Ours only if the error code is 0 (#GP(0))... */
	cmpq	$0, 24(%rsp)
	jne	.Lforward
	/* ...and RIP is one of the three guarded instructions. */
	mov	32(%rsp), %rcx
	lea	intrin_rdmsr_insn(%rip), %rax
	cmp	%rax, %rcx
	lea	intrin_rdmsr_fixup(%rip), %rax	/* LEA leaves the flags */
	je	.Lfixup
	lea	intrin_wrmsr_insn(%rip), %rax
	cmp	%rax, %rcx
	lea	intrin_wrmsr_fixup(%rip), %rax
	je	.Lfixup
	lea	intrin_xsetbv_insn(%rip), %rax
	cmp	%rax, %rcx
	lea	intrin_xsetbv_fixup(%rip), %rax
	je	.Lfixup

.Lforward:
	/*
	 * Not ours: continue at the original IDT's #GP handler with the stack
	 * exactly as the CPU delivered it, as if our IDT had not been loaded.
	 * SIDT gives our private IDT; the original base follows its gates
	 * (SAFE_IDT_ORIG_BASE). Gate 13's handler offset is bits 15:0 at +0,
	 * 31:16 at +6, 63:32 at +8 (SDM Vol. 3A 6.14.1); it is assembled in
	 * the slot, byte range by byte range, with RCX as the only scratch.
	 */
	sub	$16, %rsp
	sidt	(%rsp)
	mov	2(%rsp), %rax
	add	$16, %rsp
	mov	SAFE_IDT_ORIG_BASE(%rax), %rax
	movzwl	SAFE_IDT_GP_VECTOR * SAFE_IDT_GATE_SIZE(%rax), %ecx
	mov	%cx, 16(%rsp)
	movzwl	SAFE_IDT_GP_VECTOR * SAFE_IDT_GATE_SIZE + 6(%rax), %ecx
	mov	%cx, 18(%rsp)
	mov	SAFE_IDT_GP_VECTOR * SAFE_IDT_GATE_SIZE + 8(%rax), %ecx
	mov	%ecx, 20(%rsp)
	pop	%rcx
	pop	%rax
	/*
	 * RET pops the slot and jumps to the original handler, RSP back at
	 * the error code. IBT does not check RET targets.
	 */
	ret

.Lfixup:
	/* Resume at the fixup (RAX), drop slot and error code, return. */
	mov	%rax, 32(%rsp)
	pop	%rcx
	pop	%rax
	add	$16, %rsp
	iretq
FUNC_END(intrin_safe_gp_stub)

	CET_PROPERTY_NOTE
	NO_EXEC_STACK
