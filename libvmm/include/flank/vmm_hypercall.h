/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file vmm_hypercall.h
 * The hypercall ABI of Flank: VMCALL from guest ring 0 (docs/hypercalls.md).
 *
 * In:  RAX = FLANK_HC(number) = FLANK_HC_MAGIC << 32 | number;
 *      RBX, RCX, RDX, RSI = arguments (per call, unused ones ignored).
 * Out: RAX = VMM_OK (0) or an enum vmm_status value;
 *      RBX, RCX, RDX = results (per call; registers a call does not name
 *      keep their values); every other register is preserved.
 *      RFLAGS: CF, PF, AF, ZF, SF, OF cleared ("VMsucceed"), so that the
 *      VMCALL instruction itself reads as successful to code that decodes
 *      it like any VMX instruction (intrinsics' vmx_vmcall()).
 * RIP advances past the VMCALL in every case except #UD.
 *
 * - A VMCALL from guest CPL > 0 (SS.DPL in the VMCS) raises #UD, exactly as
 *   on a CPU without a VMM: user space cannot even find out that Flank is
 *   there this way.
 * - RAX without the magic, or an unknown number, returns
 *   VMM_ERR_HYPERCALL_UNKNOWN (no #UD: a kernel can probe safely).
 * - A bad argument returns VMM_ERR_BAD_ARGUMENT.
 */
#ifndef FLANK_VMM_HYPERCALL_H
#define FLANK_VMM_HYPERCALL_H

#include <stdint.h>

/** "FLNK": marks a VMCALL as meant for Flank. */
#define FLANK_HC_MAGIC UINT64_C(0x464C4E4B)

/** Builds the RAX value of hypercall @p nr. */
#define FLANK_HC(nr) ((FLANK_HC_MAGIC << 32) | (uint64_t)(nr))

/** Version of this ABI, returned by FLANK_HC_VERSION in RDX. */
#define FLANK_HC_ABI_VERSION 1u

/**
 * Presence and version: RBX = FLANK_HC_MAGIC, RCX = Flank version
 * (0x00MMmmpp), RDX = FLANK_HC_ABI_VERSION.
 */
#define FLANK_HC_VERSION 1u
/**
 * Stop this CPU: the VMM gives the CPU back (CR, MSR, descriptor tables,
 * segments as the guest had them), leaves VMX operation and continues after
 * the VMCALL outside VMX. RAX = 0 on success.
 */
#define FLANK_HC_STOP_CPU 2u
/**
 * Exits of one reason: RBX = basic exit reason (< FLANK_EXIT_REASONS of
 * flank/image_abi.h); returns RBX = exits with that reason on this CPU,
 * RCX = all exits on this CPU. A reason out of range: VMM_ERR_BAD_ARGUMENT.
 */
#define FLANK_HC_EXIT_COUNT 3u
/**
 * Counters of this CPU: RBX = all exits, RCX = events Flank injected
 * (#GP, #UD, re-injected exceptions), RDX = CPUs (all of them) that Flank
 * gave back on its own after an unhandled exit or a failed VM entry.
 */
#define FLANK_HC_STATS 4u
/**
 * Status of CPU RBX (< the CPUs the VMM manages), as the image entry
 * cpu_status gives it: a struct flank_cpu_status (flank/image_abi.h) at
 * the start of the VMM's answer page. What the image's own entries issue
 * from a CPU under Flank (docs/hypercalls.md, "The host's calls"); any
 * ring-0 caller may, and gets only what the entry would give it. A CPU out
 * of range: VMM_ERR_BAD_ARGUMENT.
 */
#define FLANK_HC_CPU_STATUS 5u
/**
 * Exit statistics of CPU RBX, as the image entry exit_stats gives them: a
 * struct flank_exit_stats at the start of the answer page.
 */
#define FLANK_HC_EXIT_STATS 6u
/**
 * Debug-ring text from position RBX, at most RCX bytes (at most 4096), as
 * the image entry ring_read gives it: the text at the start of the answer
 * page; RBX = the position after it, RCX = bytes.
 */
#define FLANK_HC_RING_READ 7u
/**
 * One line into the debug ring at level RBX (enum flank_log_level), from
 * the start of the answer page (NUL-terminated, cut at the ring's line
 * size), recorded for the calling CPU: how the image logs from a CPU under
 * Flank. RBX = the record's position.
 */
#define FLANK_HC_RING_WRITE 8u

/**
 * Extension range: numbers FLANK_HC_EXT_FIRST..FLANK_HC_EXT_LAST go to the
 * extension handler registered with vmm_hypercall_set_extension()
 * (flank/vmm.h), e.g. by a module; without one they are unknown.
 */
#define FLANK_HC_EXT_FIRST 0x1000u
/** Last number of the extension range (see FLANK_HC_EXT_FIRST). */
#define FLANK_HC_EXT_LAST 0x1FFFu

/**
 * CPUID presence leaf: from any CPU running under Flank, at any CPL, CPUID
 * with EAX = FLANK_CPUID_LEAF returns EAX = Flank version (0x00MMmmpp),
 * EBX:ECX:EDX = "FlankVMM\0\0\0\0" (EBX = "Flan", ECX = "kVMM", EDX = 0).
 * Without Flank the CPU answers whatever it answers for that leaf (on Intel
 * CPUs, the data of the highest basic leaf), which never carries the
 * signature. The leaf lies in the range reserved for hypervisors
 * (40000000H-4FFFFFFFH) but away from 40000000H, so that Linux does not
 * take Flank for a paravirtualised hypervisor it knows.
 */
#define FLANK_CPUID_LEAF 0x4000F000u
#define FLANK_CPUID_EBX 0x6E616C46u /**< EBX of the presence leaf: "Flan". */
#define FLANK_CPUID_ECX 0x4D4D566Bu /**< ECX of the presence leaf: "kVMM". */
#define FLANK_CPUID_EDX 0u	    /**< EDX of the presence leaf. */

#endif /* FLANK_VMM_HYPERCALL_H */
