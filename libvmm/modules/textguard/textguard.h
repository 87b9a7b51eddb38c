/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The kernel text guard module (textguard.elf, docs/modules.md "Worked
 * example: the kernel text guard"): what it guards and the lines it writes
 * to the debug ring, shared by the module, its tests and the whole-system
 * check.
 */
#ifndef FLANK_TEXTGUARD_H
#define FLANK_TEXTGUARD_H

/**
 * The MSR whose writes the module refuses: IA32_LSTAR, the kernel's
 * 64-bit SYSCALL entry point (SDM Vol. 4 Table 2-2), the classic target of
 * a rootkit that wants every system call. WRMSR of it gets #GP(0) and a
 * ring line (TEXTGUARD_LSTAR_LINE, then the value, RIP and CPU); RDMSR
 * passes through. Linux writes it only while bringing a CPU up, before
 * Flank runs on that CPU.
 */
#define TEXTGUARD_MSR 0xC0000082u
/** Start of the ring line of a refused WRMSR of TEXTGUARD_MSR. */
#define TEXTGUARD_LSTAR_LINE "textguard: refused WRMSR IA32_LSTAR"
/** Start of the ring line of a refused write to a guarded page. */
#define TEXTGUARD_PAGE_LINE "textguard: refused a write to GPA"
/** Start of the ring line naming each page the guard write-protects. */
#define TEXTGUARD_GUARD_LINE "textguard: write-protecting GPA"

/** The IDT vectors whose handlers' pages are guarded: #GP and #PF. */
#define TEXTGUARD_VEC_GP 13u
#define TEXTGUARD_VEC_PF 14u
/** Pages the guard can hold: the SYSCALL entry's and the two handlers'. */
#define TEXTGUARD_PAGES_MAX 3u

#endif /* FLANK_TEXTGUARD_H */
