/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * intrin_vmexit_entry: the VM-exit entry point, the value of HOST_RIP.
 *
 * Contract (intrinsics.h): HOST_RSP is 16-byte aligned and the 8 bytes at
 * HOST_RSP hold the per-CPU context pointer. The stack below HOST_RSP is
 * ours; it is reset to HOST_RSP by every VM exit (SDM Vol. 3C 28.5.1), so
 * nothing on it survives from one exit to the next.
 *
 * State at entry, set by the VM exit (SDM Vol. 3C 28.5): host CS/SS/RSP/RIP,
 * CR0/CR3/CR4, IDTR/GDTR from the host-state area; RFLAGS = 0x2 (all flags
 * clear, so interrupts are disabled and DF = 0, as the SysV ABI requires at
 * a call); every general-purpose register except RSP still holds the
 * guest's value. Only general-purpose registers are saved: libvmm is built
 * with -mgeneral-regs-only and never touches x87/SSE/AVX state.
 *
 * Stack layout while the handler runs:
 *
 *   HOST_RSP + 0                  per-CPU context pointer (written by libvmm)
 *   HOST_RSP - FRAME_SIZE .. -1   struct intrin_exit_frame  <- RSP
 *
 * FRAME_SIZE (144) is a multiple of 16, so RSP is 16-byte aligned at each
 * CALL and the callee finds RSP + 8 aligned, as the SysV ABI requires.
 * exit_layout.c checks every FRAME_* offset against the C structure.
 */
#include "asm.h"
#include "real_internal.h"

	.text

FUNC_START(intrin_vmexit_entry)
	/*
	 * A VM exit is not an indirect branch and need not land on ENDBR64;
	 * FUNC_START puts one here anyway (harmless) because the symbol is
	 * also a function whose address libvmm takes.
	 *
	 * Step 1: make room for the frame. SUB changes RFLAGS, which holds
	 * nothing of the guest's (GUEST_RFLAGS is in the VMCS).
	 */
	sub	$FRAME_SIZE, %rsp

	/* Step 2: save the guest's general-purpose registers. */
	mov	%rax, FRAME_RAX(%rsp)
	mov	%rcx, FRAME_RCX(%rsp)
	mov	%rdx, FRAME_RDX(%rsp)
	mov	%rbx, FRAME_RBX(%rsp)
	mov	%rbp, FRAME_RBP(%rsp)
	mov	%rsi, FRAME_RSI(%rsp)
	mov	%rdi, FRAME_RDI(%rsp)
	mov	%r8, FRAME_R8(%rsp)
	mov	%r9, FRAME_R9(%rsp)
	mov	%r10, FRAME_R10(%rsp)
	mov	%r11, FRAME_R11(%rsp)
	mov	%r12, FRAME_R12(%rsp)
	mov	%r13, FRAME_R13(%rsp)
	mov	%r14, FRAME_R14(%rsp)
	mov	%r15, FRAME_R15(%rsp)

	/*
	 * Step 3: vmm_exit_handler(frame, ctx). RBP = 0 ends the frame-pointer
	 * chain here, so a backtrace taken in the handler does not wander into
	 * the guest's RBP. No CALL or RET before this one: the handler's first
	 * call is the speculation barriers (the RSB fill, IBRS on), before any
	 * RET that could take a guest-trained prediction; the VERW comes as the
	 * handler's last action before it returns here to VMRESUME
	 * (docs/exits.md, "Speculation").
	 */
	xor	%ebp, %ebp
	mov	%rsp, %rdi			/* frame */
	mov	FRAME_SIZE(%rsp), %rsi		/* ctx: the word at HOST_RSP */
	call	vmm_exit_handler

	/* Step 4: dispatch on the action. */
	cmp	$ACTION_RESUME, %eax
	je	.Lresume
	cmp	$ACTION_LEAVE, %eax
	je	.Lleave
	/*
	 * Any other value is a bug in libvmm: stop loudly (#UD) rather than
	 * guess. In VMX root the host IDT reports it.
	 */
	ud2

.Lresume:
	/*
	 * Step 5: restore the guest's registers (the handler may have changed
	 * them in the frame) and VMRESUME. RSP stays at the frame so that a
	 * failing VMRESUME finds it again.
	 */
	mov	FRAME_RAX(%rsp), %rax
	mov	FRAME_RCX(%rsp), %rcx
	mov	FRAME_RDX(%rsp), %rdx
	mov	FRAME_RBX(%rsp), %rbx
	mov	FRAME_RBP(%rsp), %rbp
	mov	FRAME_RSI(%rsp), %rsi
	mov	FRAME_RDI(%rsp), %rdi
	mov	FRAME_R8(%rsp), %r8
	mov	FRAME_R9(%rsp), %r9
	mov	FRAME_R10(%rsp), %r10
	mov	FRAME_R11(%rsp), %r11
	mov	FRAME_R12(%rsp), %r12
	mov	FRAME_R13(%rsp), %r13
	mov	FRAME_R14(%rsp), %r14
	mov	FRAME_R15(%rsp), %r15
	vmresume

	/*
	 * Step 6: VMRESUME fell through: VMfailInvalid (CF) or VMfailValid
	 * (ZF) (SDM Vol. 3C 31.3 VMRESUME). A VM-entry failure while loading
	 * guest state does not come here: it is a VM exit with exit reason
	 * bit 31 set, which re-enters at intrin_vmexit_entry and reaches
	 * vmm_exit_handler() (SDM Vol. 3C 27.8).
	 *
	 * The frame still holds the guest's registers (nothing wrote it since
	 * step 5). Capture RFLAGS first: PUSHFQ/POP keep RSP balanced.
	 */
	pushfq
	pop	%rdi
	/* vmx_result_t in RAX: {outcome, error} packed in 8 bytes. */
	call	intrin_vmx_result_from_rflags
	/*
	 * vmm_exit_resume_failed(frame, ctx, result): an 8-byte struct of two
	 * INTEGER-class members is passed in one register, the third (RDX).
	 */
	mov	%rax, %rdx
	mov	%rsp, %rdi
	mov	FRAME_SIZE(%rsp), %rsi
	xor	%ebp, %ebp
	call	vmm_exit_resume_failed
	/* It must return INTRIN_EXIT_LEAVE: the guest cannot be resumed. */
	cmp	$ACTION_LEAVE, %eax
	je	.Lleave
	ud2

.Lleave:
	/*
	 * Step 7: continue outside VMX operation at frame->leave_rip with
	 * RSP = frame->leave_rsp, RFLAGS = frame->leave_rflags and every
	 * general-purpose register as in the frame. No register may be used
	 * as a scratch at the end, so the last three values travel on the
	 * target stack:
	 *
	 *   leave_rsp -  8   leave_rip     <- consumed by RET
	 *   leave_rsp - 16   leave_rflags  <- consumed by POPFQ
	 *   leave_rsp - 24   guest RAX     <- consumed by POP %rax
	 *
	 * These 24 bytes lie below leave_rsp, in memory the interrupted code
	 * does not own (ring-0 code has no red zone: -mno-red-zone, and Linux
	 * builds its kernel the same way), exactly as an interrupt would push.
	 *
	 * 7a: with RAX/RCX as scratch (restored below), write the three words
	 * and store the new stack pointer back into the frame.
	 */
	mov	FRAME_LEAVE_RSP(%rsp), %rax
	mov	FRAME_LEAVE_RIP(%rsp), %rcx
	mov	%rcx, -8(%rax)
	mov	FRAME_LEAVE_RFLAGS(%rsp), %rcx
	mov	%rcx, -16(%rax)
	mov	FRAME_RAX(%rsp), %rcx
	mov	%rcx, -24(%rax)
	sub	$24, %rax
	mov	%rax, FRAME_LEAVE_RSP(%rsp)

	/* 7b: restore every register except RAX from the frame. */
	mov	FRAME_RCX(%rsp), %rcx
	mov	FRAME_RDX(%rsp), %rdx
	mov	FRAME_RBX(%rsp), %rbx
	mov	FRAME_RBP(%rsp), %rbp
	mov	FRAME_RSI(%rsp), %rsi
	mov	FRAME_RDI(%rsp), %rdi
	mov	FRAME_R8(%rsp), %r8
	mov	FRAME_R9(%rsp), %r9
	mov	FRAME_R10(%rsp), %r10
	mov	FRAME_R11(%rsp), %r11
	mov	FRAME_R12(%rsp), %r12
	mov	FRAME_R13(%rsp), %r13
	mov	FRAME_R14(%rsp), %r14
	mov	FRAME_R15(%rsp), %r15

	/*
	 * 7c: switch stacks. MOV loads RSP from memory addressed by RSP
	 * itself, so no register is needed.
	 */
	mov	FRAME_LEAVE_RSP(%rsp), %rsp

	/* 7d: RAX, then RFLAGS, then RIP; RSP ends at leave_rsp exactly. */
	pop	%rax
	/*
	 * POPFQ may set IF: an interrupt between POPFQ and RET pushes below
	 * RSP and returns here, leaving the leave_rip word intact.
	 */
	popfq
	/*
	 * RET as an indirect jump: IBT does not check RET targets, so
	 * leave_rip needs no ENDBR64. It would mismatch a supervisor shadow
	 * stack, which Linux does not enable for kernel code.
	 */
	ret
FUNC_END(intrin_vmexit_entry)

	CET_PROPERTY_NOTE
	NO_EXEC_STACK
