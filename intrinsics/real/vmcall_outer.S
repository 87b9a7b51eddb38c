/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmx_result_t vmx_vmcall_outer(struct intrin_gprs *g): VMCALL in VMX root
 * with every general-purpose register but RSP loaded from *g and stored
 * back into it (intrinsics.h). Under a hypervisor that virtualises VMX for
 * us, the VMCALL exits to it (SDM Vol. 3C 26.1.2, seen from its side) and
 * it completes our hypercall; without one it fails with VMfailValid(1)
 * (Vol. 3C 31.3 VMCALL), changing no register but RFLAGS.
 *
 * struct intrin_gprs is the start of struct intrin_exit_frame, so the
 * FRAME_* offsets are its member offsets (exit_layout.c checks them).
 */
#include "asm.h"
#include "real_internal.h"

	.text

FUNC_START(vmx_vmcall_outer)
	/* The callee-saved registers the hypercall takes as arguments. */
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	push	%rdi			/* g, for after the VMCALL */

	mov	FRAME_RAX(%rdi), %rax
	mov	FRAME_RCX(%rdi), %rcx
	mov	FRAME_RDX(%rdi), %rdx
	mov	FRAME_RBX(%rdi), %rbx
	mov	FRAME_RBP(%rdi), %rbp
	mov	FRAME_RSI(%rdi), %rsi
	mov	FRAME_R8(%rdi), %r8
	mov	FRAME_R9(%rdi), %r9
	mov	FRAME_R10(%rdi), %r10
	mov	FRAME_R11(%rdi), %r11
	mov	FRAME_R12(%rdi), %r12
	mov	FRAME_R13(%rdi), %r13
	mov	FRAME_R14(%rdi), %r14
	mov	FRAME_R15(%rdi), %r15
	mov	FRAME_RDI(%rdi), %rdi
	/*
	 * CF = ZF = 0 (g is not 0): an outer hypervisor that completes the
	 * VMCALL leaves RFLAGS as they were, which then reads as VMsucceed;
	 * VMfailValid sets ZF.
	 */
	cmpq	$0, (%rsp)
	vmcall
	pushfq				/* 0 RFLAGS, 8 g */
	push	%rdi			/* 0 result RDI, 8 RFLAGS, 16 g */
	mov	16(%rsp), %rdi
	mov	%rax, FRAME_RAX(%rdi)
	mov	%rcx, FRAME_RCX(%rdi)
	mov	%rdx, FRAME_RDX(%rdi)
	mov	%rbx, FRAME_RBX(%rdi)
	mov	%rbp, FRAME_RBP(%rdi)
	mov	%rsi, FRAME_RSI(%rdi)
	mov	%r8, FRAME_R8(%rdi)
	mov	%r9, FRAME_R9(%rdi)
	mov	%r10, FRAME_R10(%rdi)
	mov	%r11, FRAME_R11(%rdi)
	mov	%r12, FRAME_R12(%rdi)
	mov	%r13, FRAME_R13(%rdi)
	mov	%r14, FRAME_R14(%rdi)
	mov	%r15, FRAME_R15(%rdi)
	pop	%rax
	mov	%rax, FRAME_RDI(%rdi)
	pop	%rdi			/* argument: the RFLAGS to decode */
	add	$8, %rsp		/* g */
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	/* Tail call with the stack as at our entry (launch.S does the same). */
	jmp	intrin_vmx_result_from_rflags
FUNC_END(vmx_vmcall_outer)

	CET_PROPERTY_NOTE
	NO_EXEC_STACK
