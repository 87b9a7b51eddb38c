// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * XSETBV exits (reason 55; XSETBV always exits in VMX non-root, SDM Vol.
 * 3C 26.1.2). The value is checked against every rule of SDM Vol. 2C
 * XSETBV and Vol. 1 13.3 before the CPU sees it; a violation is #GP(0)
 * injected with RIP at the XSETBV. A value that passes is executed with
 * cpu_xsetbv_safe(), so a rule this code does not know still cannot fault
 * in VMX root: the #GP is handed to the guest.
 *
 * The CPU checks #UD (CR4.OSXSAVE = 0, LOCK prefix) before the exit (SDM
 * Vol. 3C 26.1.1); CPL is checked again here because the guest's CPL is in
 * the VMCS and a #GP for CPL > 0 is cheaper than trusting the ordering.
 */
#include "exit_internal.h"

#define XCR0_X87 BIT64(0)
#define XCR0_SSE BIT64(1)
#define XCR0_AVX BIT64(2)
#define XCR0_BNDREGS BIT64(3)
#define XCR0_BNDCSR BIT64(4)
#define XCR0_OPMASK BIT64(5)
#define XCR0_ZMM_HI256 BIT64(6)
#define XCR0_HI16_ZMM BIT64(7)
#define XCR0_AVX512 (XCR0_OPMASK | XCR0_ZMM_HI256 | XCR0_HI16_ZMM)
#define XCR0_TILECFG BIT64(17)
#define XCR0_TILEDATA BIT64(18)
#define XCR0_AMX (XCR0_TILECFG | XCR0_TILEDATA)

/* True if @p xcr0 is a value XSETBV accepts on this CPU. */
static bool xcr0_valid(uint64_t xcr0)
{
	struct cpu_cpuid_regs d;
	uint64_t supported;

	/* CPUID.(EAX=0DH,ECX=0):EDX:EAX: the user state components XCR0 may
	 * enable (SDM Vol. 1 13.2); every other bit is reserved. */
	cpu_cpuid(0xDu, 0, &d);
	supported = ((uint64_t)d.edx << 32) | d.eax;
	if ((xcr0 & ~supported) != 0)
		return false;
	/* SDM Vol. 1 13.3: x87 state cannot be disabled. */
	if ((xcr0 & XCR0_X87) == 0)
		return false;
	/* AVX needs SSE state. */
	if ((xcr0 & XCR0_AVX) != 0 && (xcr0 & XCR0_SSE) == 0)
		return false;
	/* MPX: both components or neither. */
	if (((xcr0 & XCR0_BNDREGS) != 0) != ((xcr0 & XCR0_BNDCSR) != 0))
		return false;
	/* AVX-512: all three components or none, and only with AVX. */
	if ((xcr0 & XCR0_AVX512) != 0 &&
	    ((xcr0 & XCR0_AVX512) != XCR0_AVX512 || (xcr0 & XCR0_AVX) == 0))
		return false;
	/* AMX: TILECFG and TILEDATA together. */
	if ((xcr0 & XCR0_AMX) != 0 && (xcr0 & XCR0_AMX) != XCR0_AMX)
		return false;
	return true;
}

enum intrin_exit_action vmm_exit_xsetbv(struct vmm_cpu *cpu,
					struct intrin_exit_frame *frame,
					uint32_t reason)
{
	uint64_t v = vmm_exit_edx_eax(frame);
	unsigned cpl = 0;
	bool ok;

	if (!vmm_exit_guest_cpl(&cpl))
		return vmm_exit_unhandled(cpu, frame, reason,
					  "VMREAD failed in XSETBV");
	/*
	 * XSETBV raises #UD in VMX root if the host's CR4.OSXSAVE is 0 (SDM
	 * Vol. 2C XSETBV). The host CR4 is the guest's CR4 at start, and the
	 * guest may have changed OSXSAVE since (it is not in the mask): the
	 * VMM then cannot execute it, and the guest gets the #UD.
	 */
	if ((cpu_read_cr4() & X86_CR4_OSXSAVE) == 0) {
		if (vmm_exit_inject_fault(cpu, X86_VEC_UD))
			return INTRIN_EXIT_RESUME;
		return vmm_exit_unhandled(cpu, frame, reason,
					  "VMWRITE failed in XSETBV");
	}
	/* SDM Vol. 2C XSETBV: #GP(0) if CPL > 0, if ECX names an XCR other
	 * than XCR0 (only XCR0 is writable), or for an invalid value. */
	ok = cpl == 0 && (uint32_t)frame->gprs.rcx == 0 && xcr0_valid(v) &&
	     cpu_xsetbv_safe(0, v) == CPU_SAFE_OK;
	if (ok ? vmm_exit_advance() : vmm_exit_inject_fault(cpu, X86_VEC_GP))
		return INTRIN_EXIT_RESUME;
	return vmm_exit_unhandled(cpu, frame, reason,
				  "VMREAD/VMWRITE failed in XSETBV");
}
