/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file intrinsics.h
 * The intrinsics interface: every privileged operation the VMM executes.
 *
 * libvmm never executes a privileged instruction itself; it calls the
 * functions declared here. Two backends define them, chosen at link time:
 * intrinsics/real (x86-64 inline assembly and .S, linked into vmm.elf) and
 * intrinsics/mock (the emulated VT-x, linked into the userspace tests).
 *
 * Conventions:
 * - VMX instructions return their architectural outcome as a vmx_result_t:
 *   VMsucceed, VMfailInvalid, or VMfailValid with the VM-instruction error
 *   number (SDM Vol. 3C 31.2 "Conventions"). The real backend reads the error
 *   number from the VM-instruction error field itself after VMfailValid.
 * - An instruction that raises an exception on hardware (#UD, #GP) faults on
 *   the real backend: callers must make sure it cannot happen. The emulated
 *   backend reports it as VMX_EXCEPTION with the vector and fails the running
 *   test unless the test declared the exception expected.
 * - The "_safe" MSR and XSETBV forms report #GP as a return value instead of
 *   faulting, so that values coming from a guest can never fault in VMX root.
 * - Physical addresses are paddr_t, never plain integers or pointers.
 *
 * This header is freestanding: it includes only compiler-provided headers.
 */
#ifndef FLANK_INTRINSICS_H
#define FLANK_INTRINSICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/vmcs_fields.h"
#include "flank/x86.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Addresses                                                                 */
/* ------------------------------------------------------------------------ */

/** A physical address. Opaque so that it cannot be confused with a pointer. */
typedef struct paddr {
	uint64_t value; /**< The address; use pa_addr() to read it. */
} paddr_t;

/** Makes a physical address from its numeric value. */
static inline paddr_t pa_init(uint64_t value)
{
	paddr_t pa = {value};
	return pa;
}

/** Returns the numeric value of a physical address. */
static inline uint64_t pa_addr(paddr_t pa)
{
	return pa.value;
}

/* ------------------------------------------------------------------------ */
/* VMX instruction outcomes                                                  */
/* ------------------------------------------------------------------------ */

/** The architectural outcome of a VMX instruction (SDM Vol. 3C 31.2). */
enum vmx_outcome {
	VMX_SUCCEED = 0,      /**< VMsucceed: CF = ZF = 0. */
	VMX_FAIL_INVALID = 1, /**< VMfailInvalid: CF = 1, no current VMCS. */
	VMX_FAIL_VALID = 2,   /**< VMfailValid: ZF = 1, error in the VMCS. */
	/**
	 * The instruction raised an exception. Only the emulated backend ever
	 * returns this; on hardware the exception is delivered instead.
	 */
	VMX_EXCEPTION = 3,
};

/** Outcome of a VMX instruction together with its detail. */
typedef struct vmx_result {
	enum vmx_outcome outcome; /**< VMsucceed, VMfailInvalid, ... */
	/**
	 * VM-instruction error number for VMX_FAIL_VALID (SDM Vol. 3C 31.4),
	 * exception vector for VMX_EXCEPTION, 0 otherwise.
	 */
	uint32_t error;
} vmx_result_t;

/** Returns true if @p r is VMsucceed. */
static inline bool vmx_ok(vmx_result_t r)
{
	return r.outcome == VMX_SUCCEED;
}

/* ------------------------------------------------------------------------ */
/* VMX instructions                                                          */
/* ------------------------------------------------------------------------ */

/**
 * VMXON with the VMXON region at @p region (SDM Vol. 3C 31.3 VMXON).
 * The caller must have set CR4.VMXE, satisfied the CR0/CR4 fixed bits and
 * IA32_FEATURE_CONTROL, and written the revision identifier to the region.
 */
vmx_result_t vmx_on(paddr_t region);

/** VMXOFF: leaves VMX operation (SDM Vol. 3C 31.3 VMXOFF). */
vmx_result_t vmx_off(void);

/** VMCLEAR of the VMCS at @p vmcs: launch state becomes "clear". */
vmx_result_t vmx_clear(paddr_t vmcs);

/** VMPTRLD: makes the VMCS at @p vmcs current and active. */
vmx_result_t vmx_ptrld(paddr_t vmcs);

/** VMPTRST: stores the current-VMCS pointer (all ones if none) in @p vmcs. */
vmx_result_t vmx_ptrst(paddr_t *vmcs);

/**
 * VMREAD of the component with encoding @p field into @p value.
 * Fields narrower than 64 bits are zero-extended, as in a 64-bit register.
 * Prefer the width-checked vmx_read16/32/64/nat wrappers below.
 */
vmx_result_t vmx_vmread(uint64_t field, uint64_t *value);

/**
 * VMWRITE of @p value to the component with encoding @p field. Bits beyond
 * the component's width are ignored by hardware (SDM Vol. 3C 31.3 VMWRITE).
 * Prefer the width-checked vmx_write16/32/64/nat wrappers below.
 */
vmx_result_t vmx_vmwrite(uint64_t field, uint64_t value);

/**
 * VMLAUNCH such that the guest continues right after this call.
 *
 * The backend writes GUEST_RSP and GUEST_RIP of the current VMCS so that, on
 * success, the CPU enters VMX non-root operation and this function returns
 * VMsucceed in the guest, with callee-saved registers intact. On failure it
 * returns VMfailInvalid or VMfailValid(n) in VMX root. A VM-entry failure
 * while loading guest state (exit reason bit 31 set) is reported as
 * VMX_FAIL_VALID with error 0: the caller then reads VM_EXIT_REASON and
 * EXIT_QUALIFICATION. That report needs the VMM's exit handler: the failure
 * first reaches vmm_exit_handler(), which must continue at
 * intrin_launch_here_entry_failed() (see there).
 */
vmx_result_t vmx_launch_here(void);

/**
 * Raw VMLAUNCH and VMRESUME with the VMCS as it is. On hardware, success
 * continues at GUEST_RIP, so libvmm uses vmx_launch_here() and the exit
 * entry's VMRESUME instead; these exist for raw-instruction scenarios on the
 * emulated backend and for the backend's own exit path.
 */
vmx_result_t vmx_launch(void);
/** Raw VMRESUME; see vmx_launch(). */
vmx_result_t vmx_resume(void);

/** INVEPT descriptor (SDM Vol. 3C 31.3 INVEPT). */
struct vmx_invept_desc {
	uint64_t eptp;	   /**< The EPTP whose mappings are invalidated. */
	uint64_t reserved; /**< Must be 0. */
};

/** INVVPID descriptor (SDM Vol. 3C 31.3 INVVPID). */
struct vmx_invvpid_desc {
	uint64_t vpid;		 /**< Bits 15:0 VPID; bits 63:16 must be 0. */
	uint64_t linear_address; /**< For individual-address invalidation. */
};

/** INVEPT types (SDM Vol. 3C 31.3 INVEPT). @{ */
#define VMX_INVEPT_SINGLE_CONTEXT 1u
#define VMX_INVEPT_ALL_CONTEXT 2u
/** @} */
/** INVVPID types (SDM Vol. 3C 31.3 INVVPID). @{ */
#define VMX_INVVPID_INDIVIDUAL_ADDR 0u
#define VMX_INVVPID_SINGLE_CONTEXT 1u
#define VMX_INVVPID_ALL_CONTEXT 2u
#define VMX_INVVPID_SINGLE_CONTEXT_NON_GLOBAL 3u
/** @} */

/** INVEPT of @p type with descriptor @p desc. */
vmx_result_t vmx_invept(uint64_t type, const struct vmx_invept_desc *desc);

/** INVVPID of @p type with descriptor @p desc. */
vmx_result_t vmx_invvpid(uint64_t type, const struct vmx_invvpid_desc *desc);

/** Registers exchanged by a VMCALL (in and out). */
struct vmx_vmcall_regs {
	/** The register of that name. @{ */
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, r8, r9;
	/** @} */
};

/**
 * VMCALL from the guest side: the VMM receives @p regs in its exit handler
 * and whatever it writes back appears in @p regs on return. In VMX root it
 * fails with VMfailValid(1); outside VMX operation it raises #UD.
 */
vmx_result_t vmx_vmcall(struct vmx_vmcall_regs *regs);

struct intrin_gprs;

/**
 * VMCALL in VMX root operation with every general-purpose register but RSP
 * taken from @p g and written back to it: the hypercall of a VMM nested
 * under another one (KVM, Hyper-V, VMware with nested VT-x), which the
 * outer hypervisor handles as a hypercall of ours and completes with
 * VMsucceed, its results in the registers. Without an outer hypervisor
 * (dual-monitor treatment off) it fails with VMfailValid(1) and changes
 * nothing (SDM Vol. 3C 31.3 VMCALL). The VMM uses it to forward the
 * guest's own hypercalls to the hypervisor below (exit_vmcall.c).
 */
vmx_result_t vmx_vmcall_outer(struct intrin_gprs *g);

/* Width-checked VMCS accessors ------------------------------------------- */

/**
 * A compile-time check that a field encoding has the width the accessor
 * expects (KVM's approach). The field must be a constant; code that picks
 * fields at run time calls vmx_vmread()/vmx_vmwrite() directly.
 */
#define VMCS_CHECK_WIDTH(field, w)                                             \
	((void)sizeof(struct {                                                 \
		_Static_assert(VMCS_ENC_WIDTH((uint32_t)(field)) == (w),       \
			       "VMCS field accessed with the wrong width");    \
		int unused;                                                    \
	}))

/** VMREAD of a 16-bit component. */
static inline vmx_result_t vmx_read16_(uint32_t field, uint16_t *value)
{
	uint64_t v = 0;
	vmx_result_t r = vmx_vmread(field, &v);
	*value = (uint16_t)v;
	return r;
}

/** VMREAD of a 32-bit component. */
static inline vmx_result_t vmx_read32_(uint32_t field, uint32_t *value)
{
	uint64_t v = 0;
	vmx_result_t r = vmx_vmread(field, &v);
	*value = (uint32_t)v;
	return r;
}

/**
 * Width-checked VMREAD and VMWRITE: vmx_read16/32/64/nat(field, p) and
 * vmx_write16/32/64/nat(field, v) refuse at compile time a field whose
 * encoding has another width; otherwise they are vmx_vmread() and
 * vmx_vmwrite() with the value narrowed to the field's width. @{
 */
#define vmx_read16(field, p)                                                   \
	(VMCS_CHECK_WIDTH(field, VMCS_WIDTH_16), vmx_read16_((field), (p)))
#define vmx_read32(field, p)                                                   \
	(VMCS_CHECK_WIDTH(field, VMCS_WIDTH_32), vmx_read32_((field), (p)))
#define vmx_read64(field, p)                                                   \
	(VMCS_CHECK_WIDTH(field, VMCS_WIDTH_64), vmx_vmread((field), (p)))
#define vmx_readnat(field, p)                                                  \
	(VMCS_CHECK_WIDTH(field, VMCS_WIDTH_NATURAL), vmx_vmread((field), (p)))
#define vmx_write16(field, v)                                                  \
	(VMCS_CHECK_WIDTH(field, VMCS_WIDTH_16),                               \
	 vmx_vmwrite((field), (uint16_t)(v)))
#define vmx_write32(field, v)                                                  \
	(VMCS_CHECK_WIDTH(field, VMCS_WIDTH_32),                               \
	 vmx_vmwrite((field), (uint32_t)(v)))
#define vmx_write64(field, v)                                                  \
	(VMCS_CHECK_WIDTH(field, VMCS_WIDTH_64),                               \
	 vmx_vmwrite((field), (uint64_t)(v)))
#define vmx_writenat(field, v)                                                 \
	(VMCS_CHECK_WIDTH(field, VMCS_WIDTH_NATURAL),                          \
	 vmx_vmwrite((field), (uint64_t)(v)))
/** @} */

/* ------------------------------------------------------------------------ */
/* CPUID, MSRs, extended control registers                                   */
/* ------------------------------------------------------------------------ */

/** Output registers of CPUID. */
struct cpu_cpuid_regs {
	/** The register of that name after CPUID. @{ */
	uint32_t eax, ebx, ecx, edx;
	/** @} */
};

/** CPUID with leaf @p leaf (EAX) and subleaf @p subleaf (ECX). */
void cpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpu_cpuid_regs *out);

/** Return values of the "_safe" forms. */
enum cpu_safe_status {
	CPU_SAFE_OK = 0,
	CPU_SAFE_GP =
		13, /**< The instruction raised #GP(0); nothing changed. */
};

/** RDMSR of @p msr into @p value; reports #GP instead of faulting. */
enum cpu_safe_status cpu_rdmsr_safe(uint32_t msr, uint64_t *value);

/** WRMSR of @p value to @p msr; reports #GP instead of faulting. */
enum cpu_safe_status cpu_wrmsr_safe(uint32_t msr, uint64_t value);

/** XSETBV of @p value to XCR @p xcr; reports #GP instead of faulting. */
enum cpu_safe_status cpu_xsetbv_safe(uint32_t xcr, uint64_t value);

/** XGETBV of XCR @p xcr (requires CR4.OSXSAVE). */
uint64_t cpu_xgetbv(uint32_t xcr);

/* ------------------------------------------------------------------------ */
/* Control, debug and flags registers                                        */
/* ------------------------------------------------------------------------ */

/** Reads CR0. */
uint64_t cpu_read_cr0(void);
/** Writes CR0. */
void cpu_write_cr0(uint64_t value);
/** Reads CR2 (page-fault linear address). */
uint64_t cpu_read_cr2(void);
/**
 * Writes CR2. CR2 is not in the VMCS (SDM Vol. 3C 25.4.1): VM entries and
 * exits leave it alone, so the value in the register at VM entry is the
 * guest's. A VMM that injects #PF writes the faulting address here before
 * the entry (an injected #PF does not load CR2, Vol. 3A 6.15).
 */
void cpu_write_cr2(uint64_t value);
/** Reads CR3. */
uint64_t cpu_read_cr3(void);
/**
 * Writes CR3. Needed on stop: HOST_CR3 is the platform's long-lived page
 * tables, so a VM exit leaves the CPU on them and the guest's CR3 (in
 * GUEST_CR3, possibly changed since start) is written back explicitly.
 */
void cpu_write_cr3(uint64_t value);
/** Reads CR4. */
uint64_t cpu_read_cr4(void);
/** Writes CR4. */
void cpu_write_cr4(uint64_t value);
/** Reads CR8 (task-priority register). */
uint64_t cpu_read_cr8(void);
/** Writes CR8. */
void cpu_write_cr8(uint64_t value);
/** Reads DR7. */
uint64_t cpu_read_dr7(void);
/** Writes DR7. */
void cpu_write_dr7(uint64_t value);
/** Reads RFLAGS. */
uint64_t cpu_read_rflags(void);

/* ------------------------------------------------------------------------ */
/* Descriptor tables and segments                                            */
/* ------------------------------------------------------------------------ */

/** A pseudo-descriptor as stored by SGDT/SIDT (SDM Vol. 3A 3.5.1). */
struct cpu_dtr {
	uint16_t limit; /**< Size of the table in bytes, minus 1. */
	uint64_t base;	/**< Linear address of the table. */
};

/** SGDT. */
void cpu_sgdt(struct cpu_dtr *dtr);
/** SIDT. */
void cpu_sidt(struct cpu_dtr *dtr);
/**
 * LGDT. Needed on stop: a VM exit sets the GDTR and IDTR limits to 0xFFFF
 * (SDM Vol. 3C 28.5.2), so the guest's limits are restored explicitly.
 */
void cpu_lgdt(const struct cpu_dtr *dtr);
/** LIDT (see cpu_lgdt). */
void cpu_lidt(const struct cpu_dtr *dtr);
/** SLDT: the LDTR selector. */
uint16_t cpu_sldt(void);
/** STR: the TR selector. */
uint16_t cpu_str(void);
/** Reads the CS selector. */
uint16_t cpu_read_cs(void);
/** Reads the SS selector. */
uint16_t cpu_read_ss(void);
/** Reads the DS selector. */
uint16_t cpu_read_ds(void);
/** Reads the ES selector. */
uint16_t cpu_read_es(void);
/** Reads the FS selector. */
uint16_t cpu_read_fs(void);
/** Reads the GS selector. */
uint16_t cpu_read_gs(void);

/** The data segment registers that MOV to Sreg can load. */
enum cpu_sreg {
	CPU_SREG_ES = 0,
	CPU_SREG_SS = 2,
	CPU_SREG_DS = 3,
	CPU_SREG_FS = 4,
	CPU_SREG_GS = 5,
};

/**
 * MOV @p sel to segment register @p sreg (SDM Vol. 2B MOV): the hidden part
 * is loaded from the GDT/LDT descriptor (a null selector makes the register
 * unusable; in 64-bit mode FS/GS base become the descriptor's 32-bit base,
 * so IA32_FS_BASE/IA32_GS_BASE are written afterwards). Needed on stop: a
 * host selector must have RPL = TI = 0 (SDM Vol. 3C 27.2.3), so a guest DS
 * of __USER_DS is null after a VM exit and is reloaded explicitly.
 */
void cpu_load_sreg(enum cpu_sreg sreg, uint16_t sel);

/**
 * SWAPGS (SDM Vol. 2B SWAPGS): exchanges the GS base with
 * IA32_KERNEL_GS_BASE; 64-bit mode, CPL 0 only. Needed on stop: a MOV to GS
 * rewrites the active GS base (Intel CPUs zero it for a null selector), so
 * stop loads the GS selector between two SWAPGS, as Linux's
 * load_gs_index() does, keeping the kernel's GS base where an NMI's
 * paranoid_entry finds it (docs/lifecycle.md, "FS and GS at stop").
 */
void cpu_swapgs(void);

/**
 * LLDT @p sel. Needed on stop: a VM exit leaves LDTR null (SDM Vol. 3C
 * 28.5.2), so a guest with an LDT gets it back explicitly.
 */
void cpu_lldt(uint16_t sel);

/**
 * LSL: the limit of the segment selected by @p sel, scaled by granularity.
 * Returns false (ZF = 0) if the selector is not valid for LSL.
 */
bool cpu_lsl(uint16_t sel, uint32_t *limit);

/**
 * LAR: the access rights (bits 23:8 of the descriptor's second dword) of the
 * segment selected by @p sel. Returns false if not valid for LAR.
 */
bool cpu_lar(uint16_t sel, uint32_t *access_rights);

/* ------------------------------------------------------------------------ */
/* Caches, port I/O, idling                                                  */
/* ------------------------------------------------------------------------ */

/** INVD. libvmm never calls it on behalf of a guest: it uses WBINVD. */
void cpu_invd(void);
/** WBINVD. */
void cpu_wbinvd(void);
/** IN of a byte from @p port. */
uint8_t cpu_inb(uint16_t port);
/** IN of a word from @p port. */
uint16_t cpu_inw(uint16_t port);
/** IN of a dword from @p port. */
uint32_t cpu_inl(uint16_t port);
/** OUT of a byte to @p port. */
void cpu_outb(uint16_t port, uint8_t value);
/** OUT of a word to @p port. */
void cpu_outw(uint16_t port, uint16_t value);
/** OUT of a dword to @p port. */
void cpu_outl(uint16_t port, uint32_t value);
/** PAUSE (spin-wait hint). */
void cpu_pause(void);
/** HLT. */
void cpu_halt(void);

/* ------------------------------------------------------------------------ */
/* Speculation barriers of the VM-exit path (docs/exits.md, "Speculation")   */
/* ------------------------------------------------------------------------ */

/**
 * Fills the return stack buffer with 32 entries whose speculative targets
 * are harmless traps (INT3), then drops their return addresses from the
 * stack and fences: a RET after it that finds no entry of its own (RSB
 * underflow, CVE-2022-29901 Retbleed) is not predicted from the guest's
 * entries or the BTB. Linux: FILL_RETURN_BUFFER with X86_FEATURE_RSB_VMEXIT
 * after VM exit (arch/x86/kvm/vmx/vmenter.S). Must be called before any
 * RET that returns above the caller's own frame.
 */
void cpu_rsb_fill(void);

/**
 * The one-entry RSB guard for Post-Barrier RSB predictions (PBRSB,
 * CVE-2022-26373): one CALL whose speculative return is a trap, then the
 * entry dropped and LFENCE. Linux: the X86_FEATURE_RSB_VMEXIT_LITE variant
 * of FILL_RETURN_BUFFER, on CPUs with eIBRS.
 */
void cpu_rsb_guard(void);

/**
 * VERW with a memory operand holding @p sel: on CPUs with MD_CLEAR it
 * overwrites the CPU buffers (store, fill and load ports: MDS, TAA, MMIO
 * stale data, RFDS). Only the memory form guarantees the flush; a selector
 * of a writable data segment is the fast case. Returns ZF: true if @p sel
 * selects a segment writable at the current CPL (SDM Vol. 2B VERR/VERW).
 * Linux: x86_clear_cpu_buffers() / mds_clear_cpu_buffers() with __KERNEL_DS.
 */
bool cpu_verw(uint16_t sel);

/* ------------------------------------------------------------------------ */
/* VM-exit entry                                                             */
/* ------------------------------------------------------------------------ */

/**
 * The guest's general-purpose registers at a VM exit, saved by the exit
 * entry. RSP and RIP live in the VMCS (GUEST_RSP, GUEST_RIP).
 */
struct intrin_gprs {
	/** The guest's register of that name. @{ */
	uint64_t rax, rcx, rdx, rbx, rbp, rsi, rdi;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	/** @} */
};

/**
 * What the exit entry passes to the handler. When the handler returns
 * INTRIN_EXIT_LEAVE it has filled leave_rip, leave_rsp and leave_rflags:
 * the entry restores the general-purpose registers and continues there.
 * Either the handler left VMX operation (the former guest continues without
 * the VMM), or, for the one case described at
 * intrin_launch_here_entry_failed(), it stays in VMX root and continues at
 * that label.
 */
struct intrin_exit_frame {
	struct intrin_gprs
		gprs; /**< Guest registers; the handler may change them. */
	uint64_t leave_rip; /**< INTRIN_EXIT_LEAVE: where to continue. */
	uint64_t leave_rsp; /**< INTRIN_EXIT_LEAVE: the stack pointer there. */
	uint64_t leave_rflags; /**< INTRIN_EXIT_LEAVE: RFLAGS there. */
};

/** What the exit entry does after the handler returns. */
enum intrin_exit_action {
	INTRIN_EXIT_RESUME = 0, /**< VMRESUME the guest. */
	INTRIN_EXIT_LEAVE = 1,	/**< Continue outside VMX at frame->leave_*. */
};

/**
 * The VM-exit entry point: the value libvmm writes to HOST_RIP.
 *
 * HOST_RSP must be 16-byte aligned and the 8 bytes at HOST_RSP must hold the
 * per-CPU context pointer that the entry passes to the handlers; the stack
 * grows down from there. The real backend implements the entry in assembly:
 * it saves the guest GPRs into an intrin_exit_frame on the host stack, calls
 * vmm_exit_handler(), restores and VMRESUMEs; if VMRESUME fails it calls
 * vmm_exit_resume_failed() instead of falling through. The emulated backend
 * checks that HOST_RIP equals this address and performs the same sequence.
 */
void intrin_vmexit_entry(void);

/**
 * Continuation of vmx_launch_here() after a VM-entry failure while loading
 * guest state or MSRs (exit reason bit 31, SDM Vol. 3C 27.8).
 *
 * On hardware such a failure of VMLAUNCH is not a VMfail that falls through:
 * the CPU loads the host state and "exits" to HOST_RIP, i.e. into
 * intrin_vmexit_entry and vmm_exit_handler(), on the host stack, while the
 * caller of vmx_launch_here() still waits for its return value. The handler
 * recognises the first exit after vmx_launch_here() carrying bit 31 and, in
 * VMX root (it must NOT leave VMX operation), returns INTRIN_EXIT_LEAVE with
 *   leave_rip    = (uintptr_t)intrin_launch_here_entry_failed,
 *   leave_rsp    = GUEST_RSP (what vmx_launch_here() wrote there),
 *   leave_rflags = the RFLAGS to continue with (interrupts as at the launch).
 * The exit entry continues there and vmx_launch_here() returns
 * {VMX_FAIL_VALID, 0} to its caller, still in VMX root, with VM_EXIT_REASON
 * and EXIT_QUALIFICATION describing the failure. The emulated backend runs
 * the same sequence (and checks the three values), so libvmm has one path.
 * Not a function to call: it is only ever the target of the exit entry.
 */
void intrin_launch_here_entry_failed(void);

/**
 * Continuation for a CPU that received INIT in VMX non-root (exit 3) after
 * the handler left VMX operation: interrupts stay disabled and the CPU halts
 * forever (CLI; HLT in a loop), outside VMX, where INIT is no longer blocked
 * (SDM Vol. 3C 26.2: INIT is blocked in VMX root). What the INIT asked for
 * (stop running the interrupted code) holds, and the next INIT or RESET
 * restarts the CPU natively. NMIs arrive on the host IDT and return into
 * the loop. It runs in the image's text with HOST_CR3: the image must stay
 * loaded. A target of INTRIN_EXIT_LEAVE (leave_rflags with IF = 0), never a
 * function to call.
 */
void intrin_cpu_park(void);

/**
 * Continuation for a CPU whose guest triple-faulted (exit 2) after the
 * handler left VMX operation: loads an IDT with limit 0 and raises #BP, so
 * the CPU triple-faults natively and enters shutdown (SDM Vol. 3A 6.15,
 * "Interrupt 8"), as it would have without the VMM; the platform then does
 * what it does for a shutdown (Linux's reboot=t relies on it). Touches no
 * memory of the VMM afterwards. A target of INTRIN_EXIT_LEAVE, never a
 * function to call.
 */
void intrin_cpu_shutdown(void);

/**
 * Exit handler, provided by the VMM (libvmm), called by the exit entry on the
 * host stack with interrupts disabled, in VMX root. VM exits with exit
 * reason bit 31 (VM-entry failure while loading guest state or MSRs, SDM
 * Vol. 3C 27.8) arrive here too, both after vmx_launch_here() (see
 * intrin_launch_here_entry_failed()) and after the entry's VMRESUME.
 */
enum intrin_exit_action vmm_exit_handler(struct intrin_exit_frame *frame,
					 void *cpu_ctx);

/**
 * Called by the exit entry when the VMRESUME after a handler failed with
 * @p result (VMfailInvalid or VMfailValid(n); an entry failure with exit
 * reason bit 31 is a VM exit instead and reaches vmm_exit_handler()). Must leave VMX operation and return INTRIN_EXIT_LEAVE with the
 * frame's leave_* fields filled: the entry never falls through to the guest.
 */
enum intrin_exit_action vmm_exit_resume_failed(struct intrin_exit_frame *frame,
					       void *cpu_ctx,
					       vmx_result_t result);

#ifdef __cplusplus
}
#endif

#endif /* FLANK_INTRINSICS_H */
