// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names of the VM-instruction error numbers (SDM Vol. 3C 31.4) and the
 * decoding of a failed VMLAUNCH into a status.
 */
#include "vmm_internal.h"

/*
 * SDM Vol. 3C 31.4, Table 31-1. Numbers 14, 21 and 27 are reserved and, like
 * any number the table does not list, read as unknown. A switch rather than
 * a table of strings: each name sits next to its number, the compiler
 * rejects a number listed twice, and a name too long for one line is split
 * without looking like a missing comma between two names.
 */
const char *vmm_vmx_error_name(uint32_t error)
{
	switch (error) {
	case 0:
		return "no error";
	case VMXERR_VMCALL_IN_ROOT:
		return "VMCALL executed in VMX root operation";
	case VMXERR_VMCLEAR_INVALID_ADDR:
		return "VMCLEAR with invalid physical address";
	case VMXERR_VMCLEAR_VMXON_PTR:
		return "VMCLEAR with VMXON pointer";
	case VMXERR_VMLAUNCH_NONCLEAR:
		return "VMLAUNCH with non-clear VMCS";
	case VMXERR_VMRESUME_NONLAUNCHED:
		return "VMRESUME with non-launched VMCS";
	case VMXERR_VMRESUME_AFTER_VMXOFF:
		return "VMRESUME after VMXOFF";
	case VMXERR_ENTRY_INVALID_CONTROL:
		return "VM entry with invalid control field(s)";
	case VMXERR_ENTRY_INVALID_HOST_STATE:
		return "VM entry with invalid host-state field(s)";
	case VMXERR_VMPTRLD_INVALID_ADDR:
		return "VMPTRLD with invalid physical address";
	case VMXERR_VMPTRLD_VMXON_PTR:
		return "VMPTRLD with VMXON pointer";
	case VMXERR_VMPTRLD_BAD_REVISION:
		return "VMPTRLD with incorrect VMCS revision identifier";
	case VMXERR_UNSUPPORTED_COMPONENT:
		return "VMREAD/VMWRITE from/to unsupported VMCS component";
	case VMXERR_VMWRITE_READ_ONLY:
		return "VMWRITE to read-only VMCS component";
	case VMXERR_VMXON_IN_ROOT:
		return "VMXON executed in VMX root operation";
	case VMXERR_ENTRY_INVALID_EXEC_VMCS:
		return "VM entry with invalid executive-VMCS pointer";
	case VMXERR_ENTRY_NONLAUNCHED_EXEC_VMCS:
		return "VM entry with non-launched executive VMCS";
	case VMXERR_ENTRY_EXEC_VMCS_NOT_VMXON:
		return "VM entry with executive-VMCS pointer not VMXON pointer";
	case VMXERR_VMCALL_NONCLEAR_VMCS:
		return "VMCALL with non-clear VMCS";
	case VMXERR_VMCALL_INVALID_EXIT_CTLS:
		return "VMCALL with invalid VM-exit control fields";
	case VMXERR_VMCALL_BAD_MSEG_REVISION:
		return "VMCALL with incorrect MSEG revision identifier";
	case VMXERR_VMXOFF_DUAL_MONITOR:
		return "VMXOFF under dual-monitor treatment of SMIs and SMM";
	case VMXERR_VMCALL_INVALID_SMM_FEATURES:
		return "VMCALL with invalid SMM-monitor features";
	case VMXERR_ENTRY_INVALID_EXEC_CTLS:
		return "VM entry with invalid VM-execution control fields in "
		       "executive VMCS";
	case VMXERR_ENTRY_MOV_SS_BLOCKING:
		return "VM entry with events blocked by MOV SS";
	case VMXERR_INVALID_INVEPT_INVVPID:
		return "invalid operand to INVEPT/INVVPID";
	default:
		return "unknown VM-instruction error";
	}
}

/* Exit reason of a VM-entry failure (SDM Vol. 3C 27.8) → status. */
static int entry_failure_status(uint32_t reason)
{
	switch (reason & 0xFFFFu) {
	case EXIT_REASON_INVALID_GUEST_STATE:
		return VMM_ERR_LAUNCH_GUEST_STATE;
	case EXIT_REASON_MSR_LOADING:
		return VMM_ERR_LAUNCH_MSR_LOAD;
	default:
		return VMM_ERR_LAUNCH_ENTRY_FAILURE;
	}
}

int vmm_launch_status(vmx_result_t r, struct vmm_entry_failure *f)
{
	uint32_t reason = 0;
	uint64_t qual = 0;

	vmm_zero(f, sizeof(*f));
	f->outcome = (uint32_t)r.outcome;
	f->error = r.error;
	if (r.outcome == VMX_FAIL_INVALID)
		return VMM_ERR_LAUNCH_FAIL_INVALID;
	if (r.outcome != VMX_FAIL_VALID)
		return VMM_ERR_LAUNCH_FAIL_VALID;
	if (r.error == VMXERR_ENTRY_INVALID_CONTROL)
		return VMM_ERR_LAUNCH_CONTROLS;
	if (r.error == VMXERR_ENTRY_INVALID_HOST_STATE)
		return VMM_ERR_LAUNCH_HOST_STATE;
	if (r.error != 0)
		return VMM_ERR_LAUNCH_FAIL_VALID;
	/*
	 * Error 0: the entry failed while loading guest state or MSRs and the
	 * CPU reports it as a VM exit with bit 31 set (SDM Vol. 3C 27.8). A
	 * failed VMREAD leaves reason 0, which decodes as a generic failure.
	 */
	(void)vmx_read32(VMCS_VM_EXIT_REASON, &reason);
	(void)vmx_readnat(VMCS_EXIT_QUALIFICATION, &qual);
	f->exit_reason = reason;
	f->qualification = qual;
	return entry_failure_status(reason);
}

const char *vmm_entry_failure_name(uint32_t reason, uint64_t qual)
{
	/* SDM Vol. 3C 27.8: the exit qualification of a VM-entry failure. */
	if ((reason & 0xFFFFu) == EXIT_REASON_MSR_LOADING)
		return "an entry of the VM-entry MSR-load list (numbered by "
		       "the qualification, from 1) could not be loaded";
	if ((reason & 0xFFFFu) != EXIT_REASON_INVALID_GUEST_STATE)
		return "VM entry failed";
	switch (qual) {
	case 2:
		return "failure loading the PDPTEs (SDM Vol. 3C 27.3.1.6)";
	case 3:
		return "NMI injection while blocked by NMI (SDM Vol. 3C "
		       "27.3.1.5)";
	case 4:
		return "invalid VMCS link pointer: not all ones, and not a "
		       "VMCS of this revision (SDM Vol. 3C 27.3.1.5)";
	default:
		return "a guest-state check failed (SDM Vol. 3C 27.3.1; the "
		       "CPU does not say which: see the VMCS dump)";
	}
}
