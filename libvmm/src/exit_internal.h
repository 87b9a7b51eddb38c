/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal declarations of the VM-exit handlers (exit*.c): the
 * event-injection and RIP-advance helpers every handler uses, and the one
 * "unhandled" path. docs/exits.md describes each exit.
 */
#ifndef FLANK_EXIT_INTERNAL_H
#define FLANK_EXIT_INTERNAL_H

#include "vmm_internal.h"

/**
 * The one path for every exit Flank does not handle (and for handlers that
 * meet a failing VMREAD/VMWRITE): records exit reason, qualification, guest
 * RIP, @p why and a VMCS dump in the debug ring, counts it, then leaves VMX
 * on this CPU at the exiting instruction, which then runs natively (see
 * docs/exits.md "Unhandled exits").
 */
enum intrin_exit_action vmm_exit_unhandled(struct vmm_cpu *cpu,
					   struct intrin_exit_frame *frame,
					   uint32_t reason, const char *why);

/**
 * Ends this CPU's run for an asynchronous event that hardware would not let
 * the interrupted code survive (INIT, triple fault): records it, VMCLEAR,
 * VMXOFF (CR4.VMXE cleared), and continues outside VMX at intrin_cpu_park
 * (@p park) or intrin_cpu_shutdown, in the host's context with interrupts
 * off. Never injects anything and never returns to the guest's code, so
 * the guest's CPL does not matter (docs/exits.md "INIT and triple fault").
 */
enum intrin_exit_action vmm_exit_end_cpu(struct vmm_cpu *cpu,
					 struct intrin_exit_frame *frame,
					 uint32_t reason, bool park,
					 const char *why);

/**
 * Completes an emulated instruction (SDM Vol. 3C 28.2.5 "VM-exit
 * instruction length"): GUEST_RIP += instruction length and, as the
 * instruction retired, blocking by STI and by MOV SS ends (SDM Vol. 3A
 * 6.8.3; Vol. 3C 25.4.2), and with RFLAGS.TF = 1 (DEBUGCTL.BTF = 0) BS is
 * set in the pending debug exceptions, so the guest gets the single-step
 * #DB after the instruction (SDM Vol. 3C 27.7.3). False if a VMREAD/VMWRITE
 * failed.
 */
bool vmm_exit_advance(void);
/* vmm_exit_advance() that also clears @p rflags_clear in the guest's RFLAGS
 * (an emulated instruction's flag results), from the one VMREAD of RFLAGS
 * it makes anyway; 0: RFLAGS not written. */
bool vmm_exit_advance_clear(uint64_t rflags_clear);

/**
 * Injects hardware exception @p vector (type 3) on the next VM entry, with
 * error code 0 exactly when the vector delivers one (SDM Vol. 3C 27.2.1.3:
 * 8, 10-14, 17, 21). RIP stays at the faulting instruction.
 */
bool vmm_exit_inject_fault(struct vmm_cpu *cpu, uint32_t vector);

/**
 * Injects an event with the VM-entry interruption-information rules of
 * SDM Vol. 3C 27.2.1.3 checked first: type not reserved, NMI on vector 2,
 * hardware exceptions on vectors 0-31, an error code iff a hardware
 * exception of a vector that has one (bits 31:16 of it 0), and an
 * instruction length of 1-15 for software interrupts and exceptions.
 * Returns false (nothing written) if a rule would fail, or if a VMWRITE
 * failed.
 */
bool vmm_exit_inject(struct vmm_cpu *cpu, uint32_t vector, uint32_t type,
		     bool deliver_code, uint32_t error_code, uint32_t insn_len);

/**
 * The event whose delivery through the guest's IDT an exit interrupted
 * (SDM Vol. 3C 28.2.4): the event was not delivered, and the VMM must
 * deliver it when it resumes the guest, or the guest loses it.
 */
struct vmm_vectoring {
	/** IDT-vectoring information with bits 30:12 clear; 0 if the exit
	 * was not during event delivery. */
	uint32_t info;
	uint32_t code; /**< Its error code, if bit 11 of @c info says so. */
	/** A software interrupt or exception's instruction length (28.2.5);
	 * undefined for other types. */
	uint32_t len;
};

/** Reads this exit's vectoring fields into @p v. False if a VMREAD failed. */
bool vmm_exit_vectoring(struct vmm_vectoring *v);

/**
 * Injects @p v's event again, with its vector, type, error code and
 * instruction length (SDM Vol. 3C "Reflecting Exceptions to Guest
 * Software": copy the IDT-vectoring fields to the VM-entry ones); true
 * without writing anything if the exit was not during event delivery.
 * False if the event cannot be injected or a VMWRITE failed.
 */
bool vmm_exit_reinject(struct vmm_cpu *cpu, const struct vmm_vectoring *v);

/** vmm_exit_inject_nested(): a contributory exception or page fault
 * while delivering #DF. */
#define VMM_NESTED_TRIPLE (-2)
/** vmm_exit_inject_nested(): nothing could be injected. */
#define VMM_NESTED_FAILED (-1)

/**
 * Injects hardware exception @p vector (with error code @p code if the
 * vector has one) that the VMM raises for an access the CPU made while
 * delivering @p v's event (nothing: an instruction's access), as the CPU
 * would for a fault in that delivery (SDM Vol. 3A 6.15 Tables 6-4 and
 * 6-5; Vol. 3C "Reflecting Exceptions to Guest Software"): #DF(0) after
 * a contributory exception and a contributory one, or after a page fault
 * and a contributory one or a page fault; otherwise @p vector itself.
 * Returns the vector injected, VMM_NESTED_TRIPLE (nothing injected) if
 * @p v is #DF and @p vector contributory or a page fault (a benign one is
 * delivered), or VMM_NESTED_FAILED.
 */
int vmm_exit_inject_nested(struct vmm_cpu *cpu, uint32_t vector, uint32_t code,
			   const struct vmm_vectoring *v);

/**
 * Sets blocking by NMI in the guest's interruptibility state @p intr (as
 * read): after an exit that IRET's unblocking of NMIs preceded, the VMM
 * re-blocks before resuming (SDM Vol. 3C 28.2.3, Table 28-7 bit 12;
 * "Resuming Guest Software after Handling an Exception"). False if the
 * VMWRITE failed.
 */
bool vmm_exit_nmi_reblock(uint32_t intr);

/** True if hardware exception @p vector pushes an error code. */
bool vmm_vector_has_error_code(uint32_t vector);

/**
 * The guest's CPL: SS.DPL from the VMCS (SDM Vol. 3A 5.5 "the CPL is
 * stored in bits 0 and 1 of CS and SS"; Vol. 3C 25.4.1 stores SS.DPL for
 * this purpose). False if the VMREAD failed.
 */
bool vmm_exit_guest_cpl(unsigned *cpl);

/**
 * General-purpose register @p n in the exit-qualification encoding (RAX,
 * RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15; SDM Vol. 3C Table 28-3). NULL
 * for RSP, which lives in GUEST_RSP.
 */
uint64_t *vmm_exit_gpr(struct intrin_exit_frame *frame, unsigned n);

/** EDX:EAX of the guest as one 64-bit value (RDMSR/WRMSR/XSETBV). */
static inline uint64_t vmm_exit_edx_eax(const struct intrin_exit_frame *f)
{
	return (f->gprs.rdx << 32) | (uint32_t)f->gprs.rax;
}

/* The handlers, one file each (exit_*.c). */
enum intrin_exit_action vmm_exit_cpuid(struct vmm_cpu *cpu,
				       struct intrin_exit_frame *frame,
				       uint32_t reason);
enum intrin_exit_action vmm_exit_msr(struct vmm_cpu *cpu,
				     struct intrin_exit_frame *frame,
				     uint32_t reason);
enum intrin_exit_action vmm_exit_xsetbv(struct vmm_cpu *cpu,
					struct intrin_exit_frame *frame,
					uint32_t reason);
enum intrin_exit_action vmm_exit_cr(struct vmm_cpu *cpu,
				    struct intrin_exit_frame *frame,
				    uint32_t reason);
enum intrin_exit_action vmm_exit_vmcall(struct vmm_cpu *cpu,
					struct intrin_exit_frame *frame,
					uint32_t reason);
enum intrin_exit_action vmm_exit_invd(struct vmm_cpu *cpu,
				      struct intrin_exit_frame *frame,
				      uint32_t reason);
enum intrin_exit_action vmm_exit_vmx_insn(struct vmm_cpu *cpu,
					  struct intrin_exit_frame *frame,
					  uint32_t reason);
enum intrin_exit_action vmm_exit_exception_nmi(struct vmm_cpu *cpu,
					       struct intrin_exit_frame *frame,
					       uint32_t reason);
enum intrin_exit_action vmm_exit_triple_fault(struct vmm_cpu *cpu,
					      struct intrin_exit_frame *frame,
					      uint32_t reason);
enum intrin_exit_action vmm_exit_init(struct vmm_cpu *cpu,
				      struct intrin_exit_frame *frame,
				      uint32_t reason);
enum intrin_exit_action vmm_exit_sipi(struct vmm_cpu *cpu,
				      struct intrin_exit_frame *frame,
				      uint32_t reason);
/** Monitor trap flag: the end of a page hook's allow once (page_hook.c). */
enum intrin_exit_action vmm_exit_mtf(struct vmm_cpu *cpu,
				     struct intrin_exit_frame *frame,
				     uint32_t reason);

/**
 * For an EPT violation with qualification @p qual (ept/hide.c): true and
 * the action in @p act if it is a write to a page the map hides (the write
 * is dropped), false otherwise.
 */
bool vmm_hide_violation(struct vmm_cpu *cpu, struct intrin_exit_frame *frame,
			uint64_t qual, enum intrin_exit_action *act);

/** Monitor trap flag: the end of a dropped write to a hidden page
 * (ept/hide.c), else vmm_exit_mtf(). */
enum intrin_exit_action vmm_hide_exit_mtf(struct vmm_cpu *cpu,
					  struct intrin_exit_frame *frame,
					  uint32_t reason);

/** EPT violation and misconfiguration (ept/ept_cpu.c, docs/ept.md). */
enum intrin_exit_action vmm_exit_ept(struct vmm_cpu *cpu,
				     struct intrin_exit_frame *frame,
				     uint32_t reason);

/**
 * The speculation barriers after a VM exit, per the host kernel's
 * mitigations (flank_platform.spec_flags): the RSB fill or guard, then,
 * for an exit from guest user mode, IBRS set in IA32_SPEC_CTRL. The exit
 * handler's first call, before any RET above its frame (exit_spec.c).
 * Called only when spec_flags is not 0 (vmm_spec_exit_if()).
 */
void vmm_spec_exit(struct vmm_cpu *cpu);

/**
 * Before VMRESUME into guest user mode: the guest's IA32_SPEC_CTRL back,
 * then VERW to clear the CPU buffers, as the kernel does on its returns to
 * user mode. The exit handler's last call, only when spec_flags is not 0
 * (vmm_spec_resume_if()).
 */
void vmm_spec_resume(struct vmm_cpu *cpu);

/*
 * The exit path's calls of the two above: with every mitigation off (the
 * kernel chose none) an exit costs one load and one test each, no call.
 * The flags never change after vmm_init().
 */
static inline void vmm_spec_exit_if(struct vmm_cpu *cpu)
{
	if (vmm_ctx.platform.spec_flags != 0)
		vmm_spec_exit(cpu);
}

static inline void vmm_spec_resume_if(struct vmm_cpu *cpu)
{
	if (vmm_ctx.platform.spec_flags != 0)
		vmm_spec_resume(cpu);
}

#endif /* FLANK_EXIT_INTERNAL_H */
