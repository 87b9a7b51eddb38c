/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * vmx_launch_here(): VMLAUNCH such that the guest continues right after the
 * call (intrinsics.h).
 *
 * The trick: the guest is the caller itself. We push the callee-saved
 * registers, write GUEST_RSP = RSP and GUEST_RIP = .Lguest, and execute
 * VMLAUNCH. On success the CPU is in VMX non-root operation at .Lguest with
 * the same stack (GUEST_CR3 maps it: the guest is the kernel that called
 * us); VM entry leaves the other general-purpose registers as they were
 * (SDM Vol. 3C 27.3.2.1 loads only RSP, RIP and RFLAGS of them), so the
 * guest pops the callee-saved registers and returns VMsucceed (0) to the
 * caller, now running as a guest.
 *
 * Failures:
 * - VMfailInvalid / VMfailValid(n) of a VMWRITE or of VMLAUNCH itself
 *   (checks of the VMX controls and host-state area, SDM Vol. 3C 27.1-27.2)
 *   fall through here: RFLAGS says which; the error number is read from the
 *   VM-instruction error field by intrin_vmx_result_from_rflags().
 * - A VM-entry failure while loading guest state or the MSR-load list (exit
 *   reason bit 31 set, SDM Vol. 3C 27.8) is NOT returned by VMLAUNCH on
 *   hardware: the processor performs a VM exit to HOST_RIP with HOST_RSP,
 *   that is to intrin_vmexit_entry (exit_entry.S), which calls
 *   vmm_exit_handler(). The handler sees bit 31 in VM_EXIT_REASON. To make
 *   vmx_launch_here() return VMX_FAIL_VALID with error 0, as intrinsics.h
 *   documents (and the emulated backend does), the handler leaves VMX
 *   operation and returns INTRIN_EXIT_LEAVE with
 *       leave_rsp    = GUEST_RSP (VMREAD: the stack as it was at VMLAUNCH),
 *       leave_rip    = intrin_launch_here_entry_failed,
 *       leave_rflags = the RFLAGS to continue with (IF as before the launch);
 *   the exit entry restores the GPRs and jumps there, and
 *   intrin_launch_here_entry_failed pops the callee-saved registers and
 *   returns {VMX_FAIL_VALID, 0} to the caller of vmx_launch_here().
 *   intrin_launch_here_entry_failed is declared in intrinsics.h, with the
 *   contract libvmm's exit handler follows.
 *
 * Interrupts must be disabled by the caller: between the VMWRITE of
 * GUEST_RSP and VMLAUNCH nothing may push on this stack.
 */
#include "asm.h"
#include "real_internal.h"

	.text

/* vmx_result_t vmx_launch_here(void) */
FUNC_START(vmx_launch_here)
	/* The SysV callee-saved registers; the guest pops them from here. */
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15

	/* GUEST_RSP := RSP now, i.e. pointing at the saved %r15. */
	mov	$ENC_GUEST_RSP, %eax
	vmwrite	%rsp, %rax
	/* JBE: CF = 1 (VMfailInvalid) or ZF = 1 (VMfailValid). */
	jbe	.Lfailed

	/* GUEST_RIP := .Lguest, position-independently. */
	lea	.Lguest(%rip), %rdx
	mov	$ENC_GUEST_RIP, %eax
	vmwrite	%rdx, %rax
	jbe	.Lfailed

	vmlaunch
	/*
	 * Still here: VMLAUNCH failed with VMfailInvalid or VMfailValid(n)
	 * and RFLAGS tells which (SDM Vol. 3C 31.3 VMLAUNCH/VMRESUME).
	 */
.Lfailed:
	pushfq
	pop	%rdi			/* argument: the RFLAGS to decode */
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	/*
	 * Tail call: the stack is as at our entry (return address on top), so
	 * intrin_vmx_result_from_rflags() returns its result to our caller.
	 */
	jmp	intrin_vmx_result_from_rflags

.Lguest:
	/*
	 * VMX non-root operation: the guest starts here with RSP = GUEST_RSP.
	 * VM entry is not an indirect branch, but ENDBR64 costs nothing and
	 * keeps this label valid under any IBT tracker state.
	 */
	endbr64
	xor	%eax, %eax		/* {VMX_SUCCEED, 0} in RAX */
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
FUNC_END(vmx_launch_here)

/*
 * Continuation for a VM-entry failure during guest-state loading (see the
 * comment at the top): entered through the exit entry's leave path with
 * RSP = GUEST_RSP of the failed VMLAUNCH. Reached by RET, not by an indirect
 * jump, but starts with ENDBR64 like every global function.
 */
FUNC_START(intrin_launch_here_entry_failed)
	mov	$2, %eax		/* {VMX_FAIL_VALID, 0}: error 0 */
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret
FUNC_END(intrin_launch_here_entry_failed)

/* void intrin_cpu_park(void): CLI; HLT forever (intrinsics.h). */
FUNC_START(intrin_cpu_park)
1:	cli
	hlt
	jmp	1b
FUNC_END(intrin_cpu_park)

/*
 * void intrin_cpu_shutdown(void): an IDT of limit 0 makes #BP a #GP, then
 * #DF, then a triple fault: shutdown (intrinsics.h). Linux's BOOT_TRIPLE
 * reboot does the same.
 */
FUNC_START(intrin_cpu_shutdown)
	lidt	.Lno_idt(%rip)
	int3
1:	hlt
	jmp	1b
FUNC_END(intrin_cpu_shutdown)

	.section .rodata
	.balign 16
.Lno_idt:
	.word	0
	.quad	0

	CET_PROPERTY_NOTE
	NO_EXEC_STACK
