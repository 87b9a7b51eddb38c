// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Real backend: the VMX instructions, each returning its architectural
 * outcome read from RFLAGS (SDM Vol. 3C 31.2 "Conventions"):
 *   CF = 1        VMfailInvalid (no current VMCS to hold an error number);
 *   ZF = 1        VMfailValid, error number in the VM-instruction error
 *                 field of the current VMCS (SDM Vol. 3C 31.4);
 *   CF = ZF = 0   VMsucceed.
 * Flags are taken with GCC's flag output operands ("=@ccc", "=@ccz"), so the
 * compiler reads them straight after the instruction. Exceptions (#UD, #GP)
 * are delivered by the CPU: callers make sure they cannot happen.
 */
#include "real_internal.h"

/*
 * VMREAD without outcome, for the error field only: after VMfailValid there
 * is a current VMCS, and the VM-instruction error field exists in every VMCS
 * (SDM Vol. 3C 25.9.5), so this VMREAD cannot fail.
 */
static uint32_t vmx_read_instruction_error(void)
{
	uint64_t value = 0;

	__asm__ volatile("vmread %[field], %[value]"
			 : [value] "=r"(value)
			 : [field] "r"((uint64_t)VMCS_VM_INSTRUCTION_ERROR)
			 : "cc");
	return (uint32_t)value;
}

vmx_result_t intrin_vmx_result(bool cf, bool zf)
{
	vmx_result_t r = {VMX_SUCCEED, 0};

	if (cf) {
		r.outcome = VMX_FAIL_INVALID;
	} else if (zf) {
		r.outcome = VMX_FAIL_VALID;
		r.error = vmx_read_instruction_error();
	}
	return r;
}

vmx_result_t intrin_vmx_result_from_rflags(uint64_t rflags)
{
	return intrin_vmx_result((rflags & X86_RFLAGS_CF) != 0,
				 (rflags & X86_RFLAGS_ZF) != 0);
}

vmx_result_t vmx_on(paddr_t region)
{
	/* VMXON takes a memory operand holding the physical address. */
	uint64_t pa = pa_addr(region);
	bool cf, zf;

	__asm__ volatile("vmxon %[pa]"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : [pa] "m"(pa)
			 : "memory");
	return intrin_vmx_result(cf, zf);
}

vmx_result_t vmx_off(void)
{
	bool cf, zf;

	__asm__ volatile("vmxoff" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
	return intrin_vmx_result(cf, zf);
}

vmx_result_t vmx_clear(paddr_t vmcs)
{
	uint64_t pa = pa_addr(vmcs);
	bool cf, zf;

	/* "memory": VMCLEAR writes the VMCS data back to its region. */
	__asm__ volatile("vmclear %[pa]"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : [pa] "m"(pa)
			 : "memory");
	return intrin_vmx_result(cf, zf);
}

vmx_result_t vmx_ptrld(paddr_t vmcs)
{
	uint64_t pa = pa_addr(vmcs);
	bool cf, zf;

	__asm__ volatile("vmptrld %[pa]"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : [pa] "m"(pa)
			 : "memory");
	return intrin_vmx_result(cf, zf);
}

vmx_result_t vmx_ptrst(paddr_t *vmcs)
{
	uint64_t pa = 0;
	bool cf, zf;

	/*
	 * VMPTRST has no VMfail outcome (SDM Vol. 3C 31.3 VMPTRST); the flags
	 * are still decoded so that every VMX instruction reads the same.
	 */
	__asm__ volatile("vmptrst %[pa]"
			 : [pa] "=m"(pa), "=@ccc"(cf), "=@ccz"(zf)
			 :
			 : "memory");
	*vmcs = pa_init(pa);
	return intrin_vmx_result(cf, zf);
}

vmx_result_t vmx_vmread(uint64_t field, uint64_t *value)
{
	uint64_t v = 0;
	bool cf, zf;

	/* AT&T order: the encoding register first, the destination second. */
	__asm__ volatile("vmread %[field], %[v]"
			 : [v] "=r"(v), "=@ccc"(cf), "=@ccz"(zf)
			 : [field] "r"(field));
	vmx_result_t r = intrin_vmx_result(cf, zf);
	/* On failure the destination is unchanged, as on hardware. */
	if (vmx_ok(r))
		*value = v;
	return r;
}

vmx_result_t vmx_vmwrite(uint64_t field, uint64_t value)
{
	bool cf, zf;

	/* AT&T order: the value first, the encoding register second. */
	__asm__ volatile("vmwrite %[value], %[field]"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : [value] "r"(value), [field] "r"(field)
			 : "memory");
	return intrin_vmx_result(cf, zf);
}

/*
 * Raw VMLAUNCH/VMRESUME. On success the CPU continues at GUEST_RIP with
 * GUEST_RSP and never comes back here; only failures return. libvmm enters
 * the guest with vmx_launch_here() (launch.S) instead.
 */
vmx_result_t vmx_launch(void)
{
	bool cf, zf;

	__asm__ volatile("vmlaunch" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
	return intrin_vmx_result(cf, zf);
}

vmx_result_t vmx_resume(void)
{
	bool cf, zf;

	__asm__ volatile("vmresume" : "=@ccc"(cf), "=@ccz"(zf) : : "memory");
	return intrin_vmx_result(cf, zf);
}

vmx_result_t vmx_invept(uint64_t type, const struct vmx_invept_desc *desc)
{
	bool cf, zf;

	/* INVEPT r64, m128: AT&T order puts the descriptor first. */
	__asm__ volatile("invept %[desc], %[type]"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : [desc] "m"(*desc), [type] "r"(type)
			 : "memory");
	return intrin_vmx_result(cf, zf);
}

vmx_result_t vmx_invvpid(uint64_t type, const struct vmx_invvpid_desc *desc)
{
	bool cf, zf;

	__asm__ volatile("invvpid %[desc], %[type]"
			 : "=@ccc"(cf), "=@ccz"(zf)
			 : [desc] "m"(*desc), [type] "r"(type)
			 : "memory");
	return intrin_vmx_result(cf, zf);
}
