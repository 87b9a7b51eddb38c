/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Speculation barriers of the VM-exit path (docs/exits.md, "Speculation"):
 * the RSB fill and the PBRSB guard that libvmm's exit handler runs first
 * after a VM exit, before any RET above its own frame (intrinsics.h).
 */
#include "asm.h"

	.text

/*
 * void cpu_rsb_fill(void): 32 RSB entries, two per iteration. Each CALL
 * pushes an RSB entry that points at an INT3 (a speculative return there
 * stops); its return address on the stack is dropped at once, so the loop
 * leaves RSP as it found it. LFENCE at the end keeps the final JNZ from
 * being mispredicted into the code after the loop with a partial fill.
 * Clobbers RAX (caller-saved) and flags. Retbleed / RSB underflow after VM
 * exit, CVE-2022-29901; Linux: FILL_RETURN_BUFFER(RSB_CLEAR_LOOPS = 32)
 * under X86_FEATURE_RSB_VMEXIT in arch/x86/kvm/vmx/vmenter.S.
 */
FUNC_START(cpu_rsb_fill)
	mov	$16, %eax
1:	call	2f
	int3
2:	call	3f
	int3
3:	add	$16, %rsp
	dec	%eax
	jnz	1b
	lfence
	/*
	 * This RET is predicted from the last entry just pushed (an INT3):
	 * a misprediction into the trap, never into guest-trained targets.
	 */
	ret
FUNC_END(cpu_rsb_fill)

/*
 * void cpu_rsb_guard(void): PBRSB (CVE-2022-26373): on CPUs with eIBRS the
 * last CALL before a VM exit may leave an RSB entry that a RET after the
 * exit uses. One balanced CALL whose entry is a trap replaces it; LFENCE
 * stops speculation past the ADD. Linux: the X86_FEATURE_RSB_VMEXIT_LITE
 * form of FILL_RETURN_BUFFER (ISSUE_UNBALANCED_RET_GUARD).
 */
FUNC_START(cpu_rsb_guard)
	call	1f
	int3
1:	add	$8, %rsp
	lfence
	ret
FUNC_END(cpu_rsb_guard)

	CET_PROPERTY_NOTE
	NO_EXEC_STACK
