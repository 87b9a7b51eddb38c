/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The retpoline thunks through which every indirect call and jump of the
 * image goes (docs/exits.md, "Speculation"). Also linked into the emulated
 * backend's library: the libvmm archive the tests link is the image's,
 * built with the same flags, so it calls these thunks there too.
 *
 * Retpolines (Spectre v2, CVE-2017-5715; Linux: CONFIG_RETPOLINE /
 * CONFIG_MITIGATION_RETPOLINE, arch/x86/lib/retpoline.S). The image is
 * built with -mindirect-branch=thunk-extern -mindirect-branch-register
 * (cmake/FlankFlags.cmake): GCC turns `call *%reg` into
 * `call __x86_indirect_thunk_<reg>` and `jmp *%reg` into a jump to the same
 * thunk. The thunk reaches the target with RET after overwriting its own
 * return address, so the target is never predicted from the BTB, which a
 * guest (or user code) may have trained: the only prediction is the RSB
 * entry of the thunk's CALL, whose speculative path is a PAUSE/LFENCE
 * trap. scripts/check-image.sh refuses any indirect CALL or JMP elsewhere
 * in vmm.elf. The thunks are exported, so that extension modules built the
 * same way resolve theirs against the image (docs/modules.md).
 *
 * IBT: a RET is not an indirect branch for IBT, so a target reached through
 * a thunk is not checked for ENDBR64 by the CPU. The ENDBR64 rules stay
 * enforced where they were: the compiler puts ENDBR64 on every function
 * whose address is taken, scripts/check-ibt.sh proves it for the image,
 * and libvmm refuses an extension hook without it (VMM_ERR_HOOK_NO_ENDBR).
 */
#include "asm.h"

	.text

/*
 * One thunk per general-purpose register but RSP. Exported (default
 * visibility): FUNC_START's .hidden would keep them from modules. ENDBR64
 * first, like every exported function (scripts/check-image.sh).
 */
/* clang-format off */
#define THUNK(reg)                                                             \
	.globl __x86_indirect_thunk_##reg;                                     \
	.type __x86_indirect_thunk_##reg, @function;                           \
	.p2align 3;                                                            \
__x86_indirect_thunk_##reg:                                                    \
	endbr64;                                                               \
	call	1f;                                                            \
2:	pause;                                                                 \
	lfence;                                                                \
	jmp	2b;                                                            \
1:	mov	%reg, (%rsp);                                                  \
	ret;                                                                   \
	.size __x86_indirect_thunk_##reg, . - __x86_indirect_thunk_##reg
/* clang-format on */

	THUNK(rax)
	THUNK(rbx)
	THUNK(rcx)
	THUNK(rdx)
	THUNK(rsi)
	THUNK(rdi)
	THUNK(rbp)
	THUNK(r8)
	THUNK(r9)
	THUNK(r10)
	THUNK(r11)
	THUNK(r12)
	THUNK(r13)
	THUNK(r14)
	THUNK(r15)

	CET_PROPERTY_NOTE
	NO_EXEC_STACK
