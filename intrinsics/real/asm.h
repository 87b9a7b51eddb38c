/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Macros of the backend's .S files.
 *
 * FUNC_START declares a hidden global function (internal to vmm.elf, like
 * the C code built with -fvisibility=hidden) and puts ENDBR64 at its first
 * byte: the image is built for IBT kernels (-fcf-protection=branch), where
 * every indirect-branch target must start with ENDBR64.
 *
 * CET_PROPERTY_NOTE marks the object IBT-compatible in .note.gnu.property,
 * as GCC does for C objects under -fcf-protection=branch: the linker ANDs
 * the property over all inputs, so one unmarked object would unmark vmm.elf
 * (scripts/check-image.sh checks the mark).
 */
#ifndef FLANK_REAL_ASM_H
#define FLANK_REAL_ASM_H

#ifdef __ASSEMBLER__
/* clang-format off */
#define FUNC_START(name)                                                       \
	.globl name;                                                           \
	.hidden name;                                                          \
	.type name, @function;                                                 \
	.p2align 4;                                                            \
	name:                                                                  \
	endbr64

#define FUNC_END(name) .size name, . - name

#if defined(__CET__) && (__CET__ & 1)
#define CET_PROPERTY_NOTE                                                      \
	.pushsection .note.gnu.property, "a";                                  \
	.p2align 3;                                                            \
	.long 4;          /* name size */                                      \
	.long 16;         /* descriptor size */                                \
	.long 5;          /* NT_GNU_PROPERTY_TYPE_0 */                         \
	.asciz "GNU";                                                          \
	.long 0xc0000002; /* GNU_PROPERTY_X86_FEATURE_1_AND */                 \
	.long 4;                                                               \
	.long 1;          /* GNU_PROPERTY_X86_FEATURE_1_IBT */                 \
	.p2align 3;                                                            \
	.popsection
#else
#define CET_PROPERTY_NOTE
#endif

/* No executable stack is needed by any .S file. */
#define NO_EXEC_STACK .section .note.GNU-stack, "", @progbits
/* clang-format on */
#endif /* __ASSEMBLER__ */

#endif /* FLANK_REAL_ASM_H */
