/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file example.h
 * What the example extension module (example.c) answers, for its tests and
 * for programs in a guest that check it (docs/modules.md).
 */
#ifndef FLANK_EXAMPLE_H
#define FLANK_EXAMPLE_H

#include "flank/vmm_extension.h"
#include "flank/vmm_hypercall.h"

/**
 * The CPUID leaf the module answers, at any CPL and any subleaf:
 * EAX = the version of the image the module is linked to (0x00MMmmpp, read
 * through its import of flank_image_version), EBX:ECX:EDX = "FlankExample".
 * Every other leaf of the extension range gets the CPU's own answer.
 */
#define FLANK_EXAMPLE_CPUID_LEAF FLANK_CPUID_EXT_FIRST
#define FLANK_EXAMPLE_CPUID_EBX 0x6E616C46u /**< "Flan" */
#define FLANK_EXAMPLE_CPUID_ECX 0x6178456Bu /**< "kExa" */
#define FLANK_EXAMPLE_CPUID_EDX 0x656C706Du /**< "mple" */

/**
 * The hypercall the module answers (VMCALL from ring 0, RAX =
 * FLANK_HC(FLANK_EXAMPLE_HC)): RAX = 0, RBX = RBX + RCX of the caller,
 * RCX = FLANK_EXAMPLE_TAG << 24 | image version, RDX = the calling CPU.
 * Other numbers of the extension range: VMM_ERR_HYPERCALL_UNKNOWN.
 */
#define FLANK_EXAMPLE_HC FLANK_HC_EXT_FIRST

/** Identifies answers that come from this module (top byte). */
#define FLANK_EXAMPLE_TAG 0xe5u

#endif /* FLANK_EXAMPLE_H */
