/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals of the real x86-64 backend, shared by its C and assembly files.
 * Everything here is hidden inside vmm.elf; libvmm sees only intrinsics.h.
 *
 * The numeric layouts below are written once as macros because the .S files
 * cannot use offsetof(); exit_frame.c and safe_idt.c check every one of
 * them against the C structures with _Static_assert, so a change to a
 * structure that is not mirrored here fails the build.
 */
#ifndef FLANK_REAL_INTERNAL_H
#define FLANK_REAL_INTERNAL_H

/* struct intrin_exit_frame (intrinsics.h), byte offsets. */
#define FRAME_RAX 0
#define FRAME_RCX 8
#define FRAME_RDX 16
#define FRAME_RBX 24
#define FRAME_RBP 32
#define FRAME_RSI 40
#define FRAME_RDI 48
#define FRAME_R8 56
#define FRAME_R9 64
#define FRAME_R10 72
#define FRAME_R11 80
#define FRAME_R12 88
#define FRAME_R13 96
#define FRAME_R14 104
#define FRAME_R15 112
#define FRAME_LEAVE_RIP 120
#define FRAME_LEAVE_RSP 128
#define FRAME_LEAVE_RFLAGS 136
/* sizeof(struct intrin_exit_frame); a multiple of 16 keeps RSP aligned. */
#define FRAME_SIZE 144

/* enum intrin_exit_action values, for the exit entry's comparisons. */
#define ACTION_RESUME 0
#define ACTION_LEAVE 1

/* VMCS field encodings used from assembly (SDM Vol. 3D Appendix B). */
#define ENC_GUEST_RSP 0x681C
#define ENC_GUEST_RIP 0x681E

/*
 * The private IDT of the "_safe" MSR/XSETBV forms (safe_idt.c): 32 gates of
 * 16 bytes (the exception vectors; nothing above 31 can be delivered while
 * RFLAGS.IF = 0 and no INT n executes), followed by the base of the IDT that
 * was loaded before, which the #GP stub reads to forward a #GP that is not
 * one of ours.
 */
#define SAFE_IDT_VECTORS 32
#define SAFE_IDT_GATE_SIZE 16
#define SAFE_IDT_ORIG_BASE (SAFE_IDT_VECTORS * SAFE_IDT_GATE_SIZE)
#define SAFE_IDT_GP_VECTOR 13

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "flank/intrinsics.h"

/*
 * Builds the outcome of a VMX instruction from the RFLAGS it left: CF set is
 * VMfailInvalid, ZF set is VMfailValid with the error number read from the
 * VM-instruction error field, neither is VMsucceed (SDM Vol. 3C 31.2). Used
 * by the assembly paths (launch, the exit entry's VMRESUME).
 */
vmx_result_t intrin_vmx_result_from_rflags(uint64_t rflags);

/* Same, from the two flags, for inline assembly with flag outputs. */
vmx_result_t intrin_vmx_result(bool cf, bool zf);

/* One gate of a 64-bit IDT (SDM Vol. 3A 6.14.1). */
struct safe_idt_gate {
	uint16_t offset_lo;
	uint16_t selector;
	uint8_t ist;
	uint8_t type_attr;
	uint16_t offset_mid;
	uint32_t offset_hi;
	uint32_t reserved;
};

/* The private IDT of one "_safe" call: lives on that call's stack. */
struct safe_idt {
	struct safe_idt_gate gates[SAFE_IDT_VECTORS];
	uint64_t orig_base;
};

/*
 * Fills @p idt from the IDT described by @p orig: every gate the original
 * limit covers is copied unchanged (same handler, selector, IST, type), so an
 * NMI, #MC, #DB or #PF in the window reaches the original handler on the
 * stack it expects; gates beyond the original limit are left not present;
 * gate 13 (#GP) keeps its attributes but points to @p gp_handler (with
 * code segment @p cs and an interrupt gate if the original has no #GP gate).
 * Returns the pseudo-descriptor to LIDT. Pure memory work, unit-tested in
 * userspace.
 */
struct cpu_dtr intrin_safe_idt_build(struct safe_idt *idt,
				     const struct cpu_dtr *orig, uint16_t cs,
				     uint64_t gp_handler);

/* Handler address held by a gate. */
uint64_t intrin_safe_idt_gate_offset(const struct safe_idt_gate *gate);

/*
 * The guarded instructions (safe_insn.S). Each executes its instruction once
 * and returns CPU_SAFE_OK, or CPU_SAFE_GP when the #GP stub redirected the
 * faulting instruction to its fixup. They must run with the private IDT
 * loaded; outside it a #GP is an ordinary fault.
 */
enum cpu_safe_status intrin_rdmsr_guarded(uint32_t msr, uint64_t *value);
enum cpu_safe_status intrin_wrmsr_guarded(uint32_t msr, uint64_t value);
enum cpu_safe_status intrin_xsetbv_guarded(uint32_t xcr, uint64_t value);

/* The #GP stub of the private IDT (safe_insn.S); an IDT gate target. */
void intrin_safe_gp_stub(void);

/* Addresses of the guarded instructions themselves (safe_insn.S). */
extern const char intrin_rdmsr_insn[], intrin_wrmsr_insn[],
	intrin_xsetbv_insn[];

/* intrin_launch_here_entry_failed() is part of intrinsics.h (launch.S). */
#endif /* !__ASSEMBLER__ */

#endif /* FLANK_REAL_INTERNAL_H */
