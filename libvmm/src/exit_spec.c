// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Speculation hygiene on the VM-exit path (docs/exits.md, "Speculation").
 * A VM exit from guest CPL 3 is an entry from user mode into ring 0 that
 * bypasses the kernel's entry code, and any VM exit is, for the branch
 * predictors, what it is for KVM: the guest trained them. The exit handler
 * therefore does what Linux does on entry from user mode and what KVM does
 * after a VM exit, as far as the host kernel chose each mitigation at boot
 * (flank_platform.spec_flags, read by the driver from the kernel's feature
 * bits); with a mitigation off it does nothing for it.
 */
#include "exit_internal.h"

/* The guest runs in user mode: not CPL 0 (Linux uses only 0 and 3). */
static bool guest_in_user_mode(void)
{
	unsigned cpl = 0;

	/*
	 * A failed VMREAD (only a fault injected by a test: the field is
	 * always supported) counts as user mode: the mitigations then run
	 * when they were not needed, never the other way round.
	 */
	return !vmm_exit_guest_cpl(&cpl) || cpl != 0;
}

void vmm_spec_exit(struct vmm_cpu *cpu)
{
	uint32_t f = vmm_ctx.platform.spec_flags;
	uint64_t v = 0;

	cpu->spec_user = false;
	cpu->spec_restore = false;
	/*
	 * RSB: first, before any RET that returns above the handler's frame
	 * (the caller is the exit entry, which has made no call since the VM
	 * exit). The guest's RSB entries, and on underflow the BTB, would
	 * otherwise predict the VMM's returns: Retbleed (CVE-2022-29901,
	 * CVE-2022-29900) and RSB underflow; with eIBRS, the one entry of the
	 * guest's last CALL (PBRSB, CVE-2022-26373). KVM: FILL_RETURN_BUFFER
	 * with X86_FEATURE_RSB_VMEXIT / _LITE right after VM exit in
	 * arch/x86/kvm/vmx/vmenter.S.
	 */
	if (f & FLANK_SPEC_RSB_VMEXIT)
		cpu_rsb_fill();
	else if (f & FLANK_SPEC_RSB_VMEXIT_LITE)
		cpu_rsb_guard();
	if ((f & (FLANK_SPEC_KERNEL_IBRS | FLANK_SPEC_CLEAR_CPU_BUF)) == 0 ||
	    !guest_in_user_mode())
		return;
	cpu->spec_user = true;
	/*
	 * IBRS on entry from user mode (Spectre v2 CVE-2017-5715 and
	 * Retbleed with spectre_v2=ibrs / retbleed=ibrs): the kernel runs
	 * with IA32_SPEC_CTRL.IBRS set and clears it only on return to user
	 * mode, so an exit from CPL 3 finds it clear. Set it, keeping the
	 * user's other bits (STIBP, SSBD: the value the kernel's IBRS_ENTER
	 * writes, x86_spec_ctrl_current); remember the user's value for the
	 * resume. Linux: IBRS_ENTER (arch/x86/entry/calling.h); KVM:
	 * vmx_spec_ctrl_restore_host(), called after the RSB fill and before
	 * the first unbalanced RET. A #GP (no IA32_SPEC_CTRL: the driver
	 * sets the flag only when the kernel uses the MSR) leaves it alone.
	 */
	if ((f & FLANK_SPEC_KERNEL_IBRS) &&
	    cpu_rdmsr_safe(MSR_IA32_SPEC_CTRL, &v) == CPU_SAFE_OK &&
	    (v & SPEC_CTRL_IBRS) == 0 &&
	    cpu_wrmsr_safe(MSR_IA32_SPEC_CTRL, v | SPEC_CTRL_IBRS) ==
		    CPU_SAFE_OK) {
		cpu->spec_ctrl_guest = v;
		cpu->spec_restore = true;
	}
}

void vmm_spec_resume(struct vmm_cpu *cpu)
{
	if (!cpu->spec_user)
		return;
	/* IBRS_EXIT: the user's IA32_SPEC_CTRL back, IBRS clear. */
	if (cpu->spec_restore) {
		(void)cpu_wrmsr_safe(MSR_IA32_SPEC_CTRL, cpu->spec_ctrl_guest);
		cpu->spec_restore = false;
	}
	/*
	 * VERW last, after the handler's last access to VMM data: the CPU
	 * buffers (store, fill, load ports) may hold what the VMM and the
	 * kernel data it touched left there, and user mode could sample it:
	 * MDS (CVE-2018-12126, -12127, -12130, CVE-2019-11091), TAA
	 * (CVE-2019-11135), MMIO stale data (CVE-2022-21123, -21125,
	 * -21166), RFDS (CVE-2023-28746). Linux: CLEAR_CPU_BUFFERS on return
	 * to user mode (X86_FEATURE_CLEAR_CPU_BUF; before 6.8
	 * mds_user_clear_cpu_buffers()), with __KERNEL_DS as the operand;
	 * KVM: VERW right before VMLAUNCH/VMRESUME. The selector is the
	 * host's (flank_platform.verw_sel), writable in VMX root's GDT.
	 */
	if (vmm_ctx.platform.spec_flags & FLANK_SPEC_CLEAR_CPU_BUF)
		(void)cpu_verw(vmm_ctx.platform.verw_sel);
}
