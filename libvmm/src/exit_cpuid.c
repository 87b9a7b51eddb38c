// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * CPUID exits (exit reason 10; CPUID always exits in VMX non-root, SDM
 * Vol. 3C 26.1.2). The guest's EAX/ECX go to the real CPUID; the answer
 * goes back in EAX/EBX/ECX/EDX with the upper halves of RAX/RBX/RCX/RDX
 * cleared, as CPUID does in 64-bit mode (SDM Vol. 2A CPUID). Two changes:
 * VMX is hidden (CPUID.1:ECX[5] = 0, the VMM owns it), and the Flank
 * presence leaf (flank/vmm_hypercall.h) answers with signature and version.
 * Leaves of the extension range (flank/vmm_extension.h) go to the handler
 * an extension module registered, with the CPU's own answer preset.
 */
#include "flank/vmm_extension.h"
#include "flank/vmm_hypercall.h"
#include "flank/vmm_version.h"
#include "exit_internal.h"

/* Lets the registered extension handler answer @p leaf, if there is one. */
static void cpuid_extension(const struct vmm_cpu *cpu, uint32_t leaf,
			    uint32_t sub, struct cpu_cpuid_regs *r)
{
	struct vmm_cpuid_args a = {
		.leaf = leaf,
		.subleaf = sub,
		.cpu = cpu->id,
		.eax = r->eax,
		.ebx = r->ebx,
		.ecx = r->ecx,
		.edx = r->edx,
	};

	if (!vmm_cpuid_extension_call(&a))
		return;
	r->eax = a.eax;
	r->ebx = a.ebx;
	r->ecx = a.ecx;
	r->edx = a.edx;
}

enum intrin_exit_action vmm_exit_cpuid(struct vmm_cpu *cpu,
				       struct intrin_exit_frame *frame,
				       uint32_t reason)
{
	uint32_t leaf = (uint32_t)frame->gprs.rax;
	uint32_t sub = (uint32_t)frame->gprs.rcx;
	struct cpu_cpuid_regs r;

	if (leaf == FLANK_CPUID_LEAF) {
		r.eax = vmm_version();
		r.ebx = FLANK_CPUID_EBX;
		r.ecx = FLANK_CPUID_ECX;
		r.edx = FLANK_CPUID_EDX;
	} else {
		cpu_cpuid(leaf, sub, &r);
		if (leaf == 1)
			r.ecx &= ~X86_CPUID1_ECX_VMX;
		else if (leaf >= FLANK_CPUID_EXT_FIRST &&
			 leaf <= FLANK_CPUID_EXT_LAST)
			cpuid_extension(cpu, leaf, sub, &r);
	}
	if (!vmm_exit_advance())
		return vmm_exit_unhandled(cpu, frame, reason,
					  "VMREAD/VMWRITE failed in CPUID");
	frame->gprs.rax = r.eax;
	frame->gprs.rbx = r.ebx;
	frame->gprs.rcx = r.ecx;
	frame->gprs.rdx = r.edx;
	return INTRIN_EXIT_RESUME;
}
