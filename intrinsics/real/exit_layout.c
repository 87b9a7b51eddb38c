// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Build-time proof that the assembly (exit_entry.S, launch.S) and the C
 * structures of intrinsics.h agree: every offset the .S files use is checked
 * against offsetof() here. No code.
 */
#include "real_internal.h"

#define FRAME_AT(member, off)                                                  \
	_Static_assert(offsetof(struct intrin_exit_frame, member) == (off),    \
		       "exit frame: " #member                                  \
		       " is not where the .S expects it")

FRAME_AT(gprs.rax, FRAME_RAX);
FRAME_AT(gprs.rcx, FRAME_RCX);
FRAME_AT(gprs.rdx, FRAME_RDX);
FRAME_AT(gprs.rbx, FRAME_RBX);
FRAME_AT(gprs.rbp, FRAME_RBP);
FRAME_AT(gprs.rsi, FRAME_RSI);
FRAME_AT(gprs.rdi, FRAME_RDI);
FRAME_AT(gprs.r8, FRAME_R8);
FRAME_AT(gprs.r9, FRAME_R9);
FRAME_AT(gprs.r10, FRAME_R10);
FRAME_AT(gprs.r11, FRAME_R11);
FRAME_AT(gprs.r12, FRAME_R12);
FRAME_AT(gprs.r13, FRAME_R13);
FRAME_AT(gprs.r14, FRAME_R14);
FRAME_AT(gprs.r15, FRAME_R15);
FRAME_AT(leave_rip, FRAME_LEAVE_RIP);
FRAME_AT(leave_rsp, FRAME_LEAVE_RSP);
FRAME_AT(leave_rflags, FRAME_LEAVE_RFLAGS);
_Static_assert(sizeof(struct intrin_exit_frame) == FRAME_SIZE,
	       "exit frame size differs from FRAME_SIZE");
_Static_assert(FRAME_SIZE % 16 == 0,
	       "the frame must keep RSP 16-byte aligned at the handler call");

_Static_assert(INTRIN_EXIT_RESUME == ACTION_RESUME &&
		       INTRIN_EXIT_LEAVE == ACTION_LEAVE,
	       "exit actions compared in exit_entry.S");

/*
 * vmx_result_t travels in RAX (returned by intrin_vmx_result_from_rflags,
 * built by launch.S) and in RDX (third argument of vmm_exit_resume_failed):
 * the SysV ABI packs an 8-byte struct of two 4-byte integers into one
 * register, outcome in bits 31:0 and error in bits 63:32.
 */
_Static_assert(sizeof(vmx_result_t) == 8, "vmx_result_t fits one register");
_Static_assert(offsetof(vmx_result_t, outcome) == 0 &&
		       offsetof(vmx_result_t, error) == 4,
	       "vmx_result_t layout assumed by launch.S");
_Static_assert(VMX_SUCCEED == 0 && VMX_FAIL_VALID == 2,
	       "outcome values written by launch.S");
_Static_assert(VMCS_GUEST_RSP == ENC_GUEST_RSP &&
		       VMCS_GUEST_RIP == ENC_GUEST_RIP,
	       "VMCS encodings used by launch.S");
_Static_assert(CPU_SAFE_GP == 13 && CPU_SAFE_OK == 0,
	       "status values returned by safe_insn.S");
