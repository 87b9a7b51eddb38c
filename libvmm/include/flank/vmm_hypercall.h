/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file vmm_hypercall.h
 * The hypercall ABI of Flank: VMCALL from guest ring 0.
 *
 * In:  RAX = FLANK_HC_MAGIC << 32 | number; RBX, RCX, RDX = arguments.
 * Out: RAX = 0 or an enum vmm_status; RBX, RCX, RDX = results.
 * A VMCALL whose RAX does not carry the magic, or an unknown number, returns
 * VMM_ERR_HYPERCALL_UNKNOWN in RAX. A VMCALL from guest CPL > 0 gets #UD,
 * as on a CPU without a VMM. RIP advances past the VMCALL in every case
 * except #UD.
 */
#ifndef FLANK_VMM_HYPERCALL_H
#define FLANK_VMM_HYPERCALL_H

#include <stdint.h>

/** "FLNK": marks a VMCALL as meant for Flank. */
#define FLANK_HC_MAGIC UINT64_C(0x464C4E4B)

/** Builds the RAX value of hypercall @p nr. */
#define FLANK_HC(nr) ((FLANK_HC_MAGIC << 32) | (uint64_t)(nr))

/** Presence: RBX = FLANK_HC_MAGIC, RCX = Flank version (0x00MMmmpp). */
#define FLANK_HC_VERSION 1u
/**
 * Stop this CPU: the VMM gives the CPU back (CR, MSR, descriptor tables,
 * segments as the guest had them), leaves VMX operation and continues after
 * the VMCALL outside VMX. RAX = 0 on success.
 */
#define FLANK_HC_STOP_CPU 2u
/**
 * Statistics: RBX = basic exit reason; returns RBX = exits with that reason
 * on this CPU, RCX = all exits on this CPU.
 */
#define FLANK_HC_EXIT_COUNT 3u

/**
 * CPUID presence leaf: from any CPU running under Flank, CPUID with
 * EAX = FLANK_CPUID_LEAF returns EAX = Flank version, EBX:ECX:EDX =
 * "FlankVMM\0\0\0\0" (EBX = "Flan", ECX = "kVMM", EDX = 0). Without Flank
 * the CPU answers with whatever it answers for an unused leaf.
 */
#define FLANK_CPUID_LEAF 0x4000F000u
#define FLANK_CPUID_EBX 0x6E616C46u /* "Flan" */
#define FLANK_CPUID_ECX 0x4D4D566Bu /* "kVMM" */

#endif /* FLANK_VMM_HYPERCALL_H */
