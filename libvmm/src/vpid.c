// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Virtual-processor identifiers (SDM Vol. 3C 28.1). Without VPID every VM
 * entry and every VM exit invalidates the linear and combined mappings of
 * VPID 0000H, the TLB of the host and of the guest alike (SDM Vol. 3C
 * 28.3.3.1, 27.3.2.5, 28.5.5): an exit costs the kernel its TLB. With
 * "enable VPID" = 1 and a non-zero VPID in the VMCS, the guest's
 * translations are tagged with that VPID and transitions keep them.
 *
 * caps.c sets "enable VPID" when the CPU allows it and INVVPID can clear
 * one VPID (vmm_vpid_invvpid_type()); start writes the VPID after the rest
 * of the VMCS, one per CPU and never 0: the CPU's number plus one
 * (vmm_vpid()). A VMXON
 * does not invalidate VPID-tagged mappings (28.3.3.2), so the VPID is
 * cleared with INVVPID before its first use, and again just before VMXOFF
 * so that no translation of Flank's guest outlives Flank (the guidelines
 * of 28.3.3.3). Single-context for the one VPID when the CPU supports it,
 * else all-context (every VPID but 0000H).
 */
#include "vmm_internal.h"

/* Every CPU's VPID, number plus one, fits the 16-bit field. */
_Static_assert(VMM_MAX_CPUS < 0x10000u, "a CPU's VPID must fit 16 bits");

int vmm_vpid_sync(struct vmm_cpu *cpu, bool start)
{
	/* Bits 63:16 reserved, 0 (SDM Vol. 3C 31.3 INVVPID); all-context
	 * ignores the VPID. */
	struct vmx_invvpid_desc d = {cpu->id + 1u, 0};
	vmx_result_t r;

	if ((cpu->caps.ctl.proc2 & SEC_ENABLE_VPID) == 0)
		return VMM_OK;
	if (start && !vmx_ok(vmx_write16(VMCS_VPID, d.vpid)))
		return VMM_ERR_VMWRITE;
	r = vmx_invvpid(vmm_vpid_invvpid_type(cpu->caps.invvpid_cap), &d);
	if (vmx_ok(r))
		return VMM_OK;
	/* One text for start and stop: the image's text has no room for the
	 * choice (docs/loader.md); the status tells a start's failure. */
	vmm_log_vmx(cpu, "INVVPID", r);
	return VMM_ERR_INVVPID;
}
