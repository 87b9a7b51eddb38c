// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * What every exit handler does to the guest: complete an emulated
 * instruction (advance RIP, end STI/MOV-SS blocking) or inject an event
 * that passes every VM-entry check on the interruption-information field
 * (SDM Vol. 3C 27.2.1.3). RIP is never advanced for an injected fault: a
 * fault is reported with RIP at the faulting instruction (SDM Vol. 3A 6.5).
 */
#include "exit_internal.h"

/*
 * The single-step trap the emulated instruction owes the guest. With
 * RFLAGS.TF = 1 (and IA32_DEBUGCTL.BTF = 0: with BTF only branches trap,
 * SDM Vol. 3B 18.4.3) the CPU raises #DB with DR6.BS after an instruction
 * retires (SDM Vol. 3B 18.3.1.4); the exit came instead, before it
 * executed, so no BS was saved (SDM Vol. 3C 28.3.4). Setting BS in the
 * pending debug exceptions makes the resuming entry deliver that #DB before
 * the guest's next instruction, with the CPU's own priority and DR6 update
 * (SDM Vol. 3C 27.7.3). KVM does the same (vmx.c,
 * vmx_refresh_pending_dbg_exceptions); bits already pending (a data
 * breakpoint held by MOV SS) are kept. Called only when TF is set: the
 * common path pays only the VMREAD of RFLAGS.
 */
static bool single_step_trap(void)
{
	uint64_t debugctl = 0, pending = 0;

	if (!vmx_ok(vmx_read64(VMCS_GUEST_IA32_DEBUGCTL, &debugctl)))
		return false;
	if ((debugctl & DEBUGCTL_BTF) != 0)
		return true;
	return vmx_ok(vmx_readnat(VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
				  &pending)) &&
	       vmx_ok(vmx_writenat(VMCS_GUEST_PENDING_DBG_EXCEPTIONS,
				   pending | PENDING_DBG_BS));
}

bool vmm_exit_advance_clear(uint64_t rflags_clear)
{
	uint64_t rip = 0, rflags = 0;
	uint32_t len = 0, intr = 0;

	if (!vmx_ok(vmx_readnat(VMCS_GUEST_RIP, &rip)) ||
	    !vmx_ok(vmx_read32(VMCS_VM_EXIT_INSTRUCTION_LEN, &len)) ||
	    !vmx_ok(vmx_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO, &intr)) ||
	    !vmx_ok(vmx_readnat(VMCS_GUEST_RFLAGS, &rflags)))
		return false;
	/* The instruction's own flag results (VMCALL's VMsucceed), written
	 * with the one read above: no second VMREAD of RFLAGS. */
	if (rflags_clear != 0 &&
	    !vmx_ok(vmx_writenat(VMCS_GUEST_RFLAGS, rflags & ~rflags_clear)))
		return false;
	if ((rflags & X86_RFLAGS_TF) != 0 && !single_step_trap())
		return false;
	/*
	 * The emulated instruction retired, so the one-instruction shadow of
	 * a preceding STI or MOV SS is over (SDM Vol. 3A 6.8.3); left set it
	 * would block interrupts for one more guest instruction. Written only
	 * when set: it almost never is, and every VMWRITE counts.
	 */
	if ((intr & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)) != 0 &&
	    !vmx_ok(vmx_write32(
		    VMCS_GUEST_INTERRUPTIBILITY_INFO,
		    intr & ~(INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS))))
		return false;
	/*
	 * Outside 64-bit mode RIP wraps at 32 bits (SDM Vol. 3A 3.6); Flank's
	 * guest is a 64-bit kernel, whose RIP is canonical and does not reach
	 * the top of the address space plus 15.
	 */
	return vmx_ok(vmx_writenat(VMCS_GUEST_RIP, rip + len));
}

bool vmm_exit_advance(void)
{
	return vmm_exit_advance_clear(0);
}

bool vmm_vector_has_error_code(uint32_t vector)
{
	/* SDM Vol. 3A Table 6-1; Vol. 3C 27.2.1.3. */
	return vector == X86_VEC_DF ||
	       (vector >= X86_VEC_TS && vector <= X86_VEC_PF) ||
	       vector == X86_VEC_AC || vector == X86_VEC_CP;
}

/* Software interrupts and exceptions: injected with a length. */
static bool soft_type(uint32_t type)
{
	return type == INTR_TYPE_SOFT_INTR ||
	       type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	       type == INTR_TYPE_SOFT_EXCEPTION;
}

bool vmm_exit_inject(struct vmm_cpu *cpu, uint32_t vector, uint32_t type,
		     bool deliver_code, uint32_t error_code, uint32_t insn_len)
{
	uint32_t info;
	bool soft = soft_type(type);

	/* SDM Vol. 3C 27.2.1.3, the checks in the order the SDM lists them. */
	if (vector > 0xFFu || type > INTR_TYPE_OTHER_EVENT ||
	    type == INTR_TYPE_RESERVED)
		return false;
	if (type == INTR_TYPE_NMI && vector != X86_VEC_NMI)
		return false;
	if (type == INTR_TYPE_HARD_EXCEPTION && vector > 31u)
		return false;
	/* "Other event" needs MTF support and vector 0; Flank never uses it. */
	if (type == INTR_TYPE_OTHER_EVENT)
		return false;
	/* The guest runs with CR0.PE = 1 (a 64-bit kernel), so the error
	 * code is delivered iff a hardware exception that has one. */
	if (deliver_code != (type == INTR_TYPE_HARD_EXCEPTION &&
			     vmm_vector_has_error_code(vector)))
		return false;
	if (deliver_code && (error_code & 0xFFFF0000u) != 0)
		return false;
	if (soft && (insn_len == 0 || insn_len > 15u))
		return false;

	info = INTR_INFO_VALID | (type << INTR_INFO_TYPE_SHIFT) | vector |
	       (deliver_code ? INTR_INFO_DELIVER_CODE : 0u);
	if (deliver_code &&
	    !vmx_ok(vmx_write32(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE,
				error_code)))
		return false;
	if (soft &&
	    !vmx_ok(vmx_write32(VMCS_VM_ENTRY_INSTRUCTION_LEN, insn_len)))
		return false;
	if (!vmx_ok(vmx_write32(VMCS_VM_ENTRY_INTR_INFO, info)))
		return false;
	cpu->injected++;
	return true;
}

bool vmm_exit_vectoring(struct vmm_vectoring *v)
{
	if (!vmx_ok(vmx_read32(VMCS_IDT_VECTORING_INFO, &v->info)))
		return false;
	if ((v->info & INTR_INFO_VALID) == 0) {
		v->info = 0;
		return true;
	}
	/* Bit 12 is undefined and bits 30:13 are 0 (SDM Vol. 3C 28.2.4); an
	 * injection needs bits 30:12 clear (27.2.1.3). The error code and
	 * the length (28.2.5: of the INT n, INT3, INTO or INT1) are read
	 * whatever the type: vmm_exit_inject() uses each only where it is
	 * defined. */
	v->info &= INTR_INFO_VALID | 0xFFFu;
	return vmx_ok(vmx_read32(VMCS_IDT_VECTORING_ERROR_CODE, &v->code)) &&
	       vmx_ok(vmx_read32(VMCS_VM_EXIT_INSTRUCTION_LEN, &v->len));
}

bool vmm_exit_reinject(struct vmm_cpu *cpu, const struct vmm_vectoring *v)
{
	return v->info == 0 ||
	       vmm_exit_inject(cpu, v->info & INTR_INFO_VECTOR_MASK,
			       (v->info & INTR_INFO_TYPE_MASK) >>
				       INTR_INFO_TYPE_SHIFT,
			       (v->info & INTR_INFO_DELIVER_CODE) != 0, v->code,
			       v->len);
}

/* The classes of SDM Vol. 3A 6.15 Table 6-4 among vectors 0-31: page
 * faults (#PF, #VE) and contributory exceptions (#DE, #TS, #NP, #SS, #GP,
 * #CP); the others, NMI, INTR and INT n are benign. @{ */
#define PAGE_FAULTS (BIT32(X86_VEC_PF) | BIT32(X86_VEC_VE))
#define CONTRIBUTORY                                                           \
	(BIT32(X86_VEC_DE) | BIT32(X86_VEC_TS) | BIT32(X86_VEC_NP) |           \
	 BIT32(X86_VEC_SS) | BIT32(X86_VEC_GP) | BIT32(X86_VEC_CP))
/* @} */

int vmm_exit_inject_nested(struct vmm_cpu *cpu, uint32_t vector, uint32_t code,
			   const struct vmm_vectoring *v)
{
	uint32_t first = BIT32(v->info & 31u), second = BIT32(vector & 31u);

	/* Table 6-5 applies between exceptions; an external interrupt, NMI
	 * or software event counts as benign: the fault is delivered. */
	if ((v->info & INTR_INFO_TYPE_MASK) ==
	    INTR_TYPE_HARD_EXCEPTION << INTR_INFO_TYPE_SHIFT) {
		/* A contributory exception or page fault while delivering
		 * #DF: shutdown, which no injection can express (Vol. 3A 6.15
		 * "Interrupt 8"); a benign one is delivered serially. */
		if (first == BIT32(X86_VEC_DF) &&
		    (second & (CONTRIBUTORY | PAGE_FAULTS)) != 0)
			return VMM_NESTED_TRIPLE;
		if (((first & CONTRIBUTORY) != 0 &&
		     (second & CONTRIBUTORY) != 0) ||
		    ((first & PAGE_FAULTS) != 0 &&
		     (second & (CONTRIBUTORY | PAGE_FAULTS)) != 0)) {
			vector = X86_VEC_DF;
			code = 0;
		}
	}
	if (!vmm_exit_inject(cpu, vector, INTR_TYPE_HARD_EXCEPTION,
			     vmm_vector_has_error_code(vector), code, 0))
		return VMM_NESTED_FAILED;
	return (int)vector;
}

bool vmm_exit_nmi_reblock(uint32_t intr)
{
	return vmx_ok(vmx_write32(VMCS_GUEST_INTERRUPTIBILITY_INFO,
				  intr | INTERRUPTIBILITY_NMI));
}

bool vmm_exit_inject_fault(struct vmm_cpu *cpu, uint32_t vector)
{
	return vmm_exit_inject(cpu, vector, INTR_TYPE_HARD_EXCEPTION,
			       vmm_vector_has_error_code(vector), 0, 0);
}

bool vmm_exit_guest_cpl(unsigned *cpl)
{
	uint32_t ar = 0;

	if (!vmx_ok(vmx_read32(VMCS_GUEST_SS_AR_BYTES, &ar)))
		return false;
	*cpl = (ar >> AR_DPL_SHIFT) & 3u;
	return true;
}

uint64_t *vmm_exit_gpr(struct intrin_exit_frame *frame, unsigned n)
{
	struct intrin_gprs *g = &frame->gprs;

	switch (n & 15u) {
	case 0:
		return &g->rax;
	case 1:
		return &g->rcx;
	case 2:
		return &g->rdx;
	case 3:
		return &g->rbx;
	case 4:
		return NULL; /* RSP: GUEST_RSP. */
	case 5:
		return &g->rbp;
	case 6:
		return &g->rsi;
	case 7:
		return &g->rdi;
	case 8:
		return &g->r8;
	case 9:
		return &g->r9;
	case 10:
		return &g->r10;
	case 11:
		return &g->r11;
	case 12:
		return &g->r12;
	case 13:
		return &g->r13;
	case 14:
		return &g->r14;
	default:
		return &g->r15;
	}
}
