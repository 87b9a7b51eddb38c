// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Real backend: VMCALL from the guest side, with eight registers in and out.
 *
 * In VMX non-root operation VMCALL is a VM exit (SDM Vol. 3C 26.1.2): the
 * exit entry saves the registers into the exit frame, libvmm's handler reads
 * and rewrites them there, and the entry restores them before VMRESUME, so
 * the values written by the VMM appear here. The outcome is then read from
 * the guest's RFLAGS like that of any VMX instruction: the VMM's VMCALL
 * handler reports VMsucceed by clearing CF and ZF in GUEST_RFLAGS (and must
 * not leave ZF set, or this function would VMREAD in the guest). In VMX root
 * operation VMCALL fails with VMfailValid(1) (SDM Vol. 3C 31.3 VMCALL).
 */
#include "real_internal.h"

vmx_result_t vmx_vmcall(struct vmx_vmcall_regs *regs)
{
	register uint64_t r8 __asm__("r8") = regs->r8;
	register uint64_t r9 __asm__("r9") = regs->r9;
	uint64_t rax = regs->rax, rbx = regs->rbx, rcx = regs->rcx;
	uint64_t rdx = regs->rdx, rsi = regs->rsi, rdi = regs->rdi;
	bool cf, zf;

	__asm__ volatile("vmcall"
			 : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx),
			   "+S"(rsi), "+D"(rdi), "+r"(r8), "+r"(r9),
			   "=@ccc"(cf), "=@ccz"(zf)
			 :
			 : "memory");
	regs->rax = rax;
	regs->rbx = rbx;
	regs->rcx = rcx;
	regs->rdx = rdx;
	regs->rsi = rsi;
	regs->rdi = rdi;
	regs->r8 = r8;
	regs->r9 = r9;
	return intrin_vmx_result(cf, zf);
}
