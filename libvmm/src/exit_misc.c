// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The small exits: INVD, VMX instructions in the guest, exceptions and NMIs,
 * triple fault, INIT and SIPI. docs/exits.md explains each choice.
 */
#include "exit_internal.h"

/*
 * INVD (exit 13, unconditional, SDM Vol. 3C 26.1.2) would drop every dirty
 * line of the host too, VMM data included: WBINVD writes them back first,
 * which is a correct (if slower) INVD for the guest (SDM Vol. 2A INVD:
 * "data ... may be lost", never required to be).
 */
enum intrin_exit_action vmm_exit_invd(struct vmm_cpu *cpu,
				      struct intrin_exit_frame *frame,
				      uint32_t reason)
{
	cpu_wbinvd();
	if (!vmm_exit_advance())
		return vmm_exit_unhandled(cpu, frame, reason,
					  "VMREAD/VMWRITE failed in INVD");
	return INTRIN_EXIT_RESUME;
}

/*
 * VMXON, VMCLEAR, VMPTRLD, VMPTRST, VMREAD, VMWRITE, VMLAUNCH, VMRESUME,
 * VMXOFF, INVEPT, INVVPID, VMFUNC in the guest (always exits, SDM Vol. 3C
 * 26.1.2): the guest sees a CPU without VMX (CPUID.1:ECX.VMX = 0), on
 * which each of them raises #UD (SDM Vol. 3C 31.3, "IF (not in VMX
 * operation) ... THEN #UD"; VMFUNC: #UD when not enabled). RIP stays.
 */
enum intrin_exit_action vmm_exit_vmx_insn(struct vmm_cpu *cpu,
					  struct intrin_exit_frame *frame,
					  uint32_t reason)
{
	uint64_t shadow = 0;
	uint32_t vector = X86_VEC_UD;

	/*
	 * VMXON with the guest's CR4.VMXE set (exit_cr.c lets it set the
	 * bit): #GP(0), as on a CPU whose IA32_FEATURE_CONTROL is locked with
	 * VMX disabled, which is what the guest reads there (msr_bitmap.c;
	 * SDM Vol. 3C 31.3 VMXON: "IF ... IA32_FEATURE_CONTROL[0] = 0 or ...
	 * [2] = 0 THEN #GP(0)"). A hypervisor's VMXON fixup turns it into an
	 * error, where #UD would be just as safe but less truthful.
	 */
	if (reason == EXIT_REASON_VMXON) {
		if (!vmx_ok(vmx_readnat(VMCS_CR4_READ_SHADOW, &shadow)))
			return vmm_exit_unhandled(cpu, frame, reason,
						  "VMREAD failed in VMXON");
		if ((shadow & X86_CR4_VMXE) != 0)
			vector = X86_VEC_GP;
	}
	if (!vmm_exit_inject_fault(cpu, vector))
		return vmm_exit_unhandled(cpu, frame, reason,
					  "VMWRITE failed injecting #UD");
	return INTRIN_EXIT_RESUME;
}

/*
 * Exit 0. Flank sets no bit of the exception bitmap and leaves NMI exiting
 * off (docs/vmcs.md), so the guest takes its own exceptions and NMIs
 * without an exit. If one arrives anyway (a control changed by a module,
 * a CPU erratum), it is given to the guest as it came, which is what a
 * VMM that does not want it must do (SDM Vol. 3C 28.2.2, 27.6.1): the same
 * vector, type, error code and, for software exceptions, length; an NMI
 * that unblocked NMIs through IRET re-blocks them first (SDM Vol. 3C
 * 28.2.3). An exception met while delivering another event (28.2.4) is
 * reflected as the CPU would have delivered it (Vol. 3C "Reflecting
 * Exceptions to Guest Software": #DF or a triple fault by Vol. 3A Table
 * 6-5, vmm_exit_inject_nested()); bit 12 is undefined then. Anything that
 * cannot be re-injected is unhandled.
 */
enum intrin_exit_action vmm_exit_exception_nmi(struct vmm_cpu *cpu,
					       struct intrin_exit_frame *frame,
					       uint32_t reason)
{
	uint32_t info = 0, code = 0, len = 0, intr = 0, type, vector;
	struct vmm_vectoring ev;
	uint64_t cr2 = 0;
	int r = VMM_NESTED_FAILED;

	if (!vmx_ok(vmx_read32(VMCS_VM_EXIT_INTR_INFO, &info)) ||
	    (info & INTR_INFO_VALID) == 0)
		return vmm_exit_unhandled(cpu, frame, reason,
					  "exit 0 without valid interruption "
					  "information");
	if (!vmm_exit_vectoring(&ev))
		return vmm_exit_unhandled(cpu, frame, reason, "VMREAD failed");
	type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	vector = info & INTR_INFO_VECTOR_MASK;
	if ((info & INTR_INFO_DELIVER_CODE) != 0 &&
	    !vmx_ok(vmx_read32(VMCS_VM_EXIT_INTR_ERROR_CODE, &code)))
		return vmm_exit_unhandled(cpu, frame, reason, "VMREAD failed");
	if ((type == INTR_TYPE_SOFT_EXCEPTION ||
	     type == INTR_TYPE_PRIV_SW_EXCEPTION) &&
	    !vmx_ok(vmx_read32(VMCS_VM_EXIT_INSTRUCTION_LEN, &len)))
		return vmm_exit_unhandled(cpu, frame, reason, "VMREAD failed");
	if ((type == INTR_TYPE_NMI ||
	     (info & INTR_INFO_NMI_UNBLOCK_IRET) != 0) &&
	    !vmx_ok(vmx_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO, &intr)))
		return vmm_exit_unhandled(cpu, frame, reason, "VMREAD failed");
	/* An NMI cannot be injected in an STI or MOV-SS shadow (SDM Vol. 3C
	 * 27.3.1.5); waiting for the NMI window is not worth it for an exit
	 * Flank never enables. */
	if (type == INTR_TYPE_NMI &&
	    (intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) != 0)
		return vmm_exit_unhandled(cpu, frame, reason,
					  "NMI in an STI/MOV-SS shadow");
	if ((info & INTR_INFO_NMI_UNBLOCK_IRET) != 0 && vector != X86_VEC_DF &&
	    type != INTR_TYPE_NMI && ev.info == 0 &&
	    !vmm_exit_nmi_reblock(intr))
		return vmm_exit_unhandled(cpu, frame, reason, "VMWRITE failed");
	if (ev.info != 0 && type == INTR_TYPE_HARD_EXCEPTION) {
		r = vmm_exit_inject_nested(cpu, vector, code, &ev);
		if (r == VMM_NESTED_TRIPLE)
			return vmm_exit_end_cpu(cpu, frame, reason, false,
						"fault in #DF delivery: triple "
						"fault");
		if (r != VMM_NESTED_FAILED)
			vector = (uint32_t)r;
	}
	if (r == VMM_NESTED_FAILED) {
		if ((type != INTR_TYPE_NMI &&
		     type != INTR_TYPE_HARD_EXCEPTION &&
		     type != INTR_TYPE_SOFT_EXCEPTION &&
		     type != INTR_TYPE_PRIV_SW_EXCEPTION) ||
		    !vmm_exit_inject(cpu, vector, type,
				     (info & INTR_INFO_DELIVER_CODE) != 0, code,
				     len))
			return vmm_exit_unhandled(cpu, frame, reason,
						  "exception or NMI that "
						  "cannot be re-injected");
	}
	/*
	 * A #PF that exits directly has not loaded CR2: its address is the
	 * exit qualification (SDM Vol. 3C 28.1, 28.2.1). Injected, it loads
	 * none either (27.6.1), so CR2 is written here, in VMX root, for the
	 * entry that delivers it (as page_hook.c does for its #PF).
	 */
	if (vector == X86_VEC_PF && type == INTR_TYPE_HARD_EXCEPTION) {
		if (!vmx_ok(vmx_readnat(VMCS_EXIT_QUALIFICATION, &cr2)))
			return vmm_exit_unhandled(cpu, frame, reason,
						  "VMREAD failed");
		cpu_write_cr2(cr2);
	}
	return INTRIN_EXIT_RESUME;
}

/*
 * Triple fault (exit 2, unconditional, SDM Vol. 3C 26.2). Without Flank the
 * CPU would enter shutdown (SDM Vol. 3A 6.15 "Interrupt 8") and the
 * platform would act on it (a reset, on PCs). Flank leaves VMX and makes
 * the CPU triple-fault natively (intrin_cpu_shutdown), at any CPL: an
 * exception injected instead (#UD at CPL 3, as before) would let a crashed
 * context run on, and re-executing the faulting instruction is not
 * deterministic (the third fault may have come from an NMI or a stack).
 */
enum intrin_exit_action vmm_exit_triple_fault(struct vmm_cpu *cpu,
					      struct intrin_exit_frame *frame,
					      uint32_t reason)
{
	return vmm_exit_end_cpu(cpu, frame, reason, false,
				"triple fault: leaving VMX and shutting the "
				"CPU down as hardware would");
}

/*
 * INIT (exit 3): INIT always exits in VMX non-root and is blocked in VMX
 * root (SDM Vol. 3C 26.2, 25.2). On hardware INIT resets the CPU and an AP
 * waits for SIPI (SDM Vol. 3A 9.1, 10.4.7.3): the interrupted code never
 * runs again. Emulating wait-for-SIPI and a real-mode start at the SIPI
 * vector needs "unrestricted guest" and EPT, which Flank does not use. So
 * Flank does the part it can: it leaves VMX, so INIT is no longer blocked
 * or diverted on this CPU, and parks the CPU (interrupts off, HLT for
 * good, intrin_cpu_park) at any CPL. The next INIT (the sender's retry,
 * bringing the CPU online again, a kdump kernel's INIT-SIPI-SIPI) then
 * resets it natively; the SIPI that followed this INIT is lost. Never an
 * injected exception: INIT is not an instruction of the guest.
 */
enum intrin_exit_action vmm_exit_init(struct vmm_cpu *cpu,
				      struct intrin_exit_frame *frame,
				      uint32_t reason)
{
	return vmm_exit_end_cpu(cpu, frame, reason, true,
				"INIT signal: leaving VMX and parking the CPU "
				"so the next INIT resets it");
}

/*
 * SIPI (exit 4) exits only in the wait-for-SIPI activity state (SDM Vol.
 * 3C 26.2), which Flank never enters: unexpected.
 */
enum intrin_exit_action vmm_exit_sipi(struct vmm_cpu *cpu,
				      struct intrin_exit_frame *frame,
				      uint32_t reason)
{
	return vmm_exit_unhandled(cpu, frame, reason,
				  "SIPI outside wait-for-SIPI");
}
