// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Names of the VM-instruction error numbers (SDM Vol. 3C 31.4) and the
 * decoding of a failed VMLAUNCH into a status.
 */
#include "strtab.h"
#include "vmm_internal.h"

/*
 * SDM Vol. 3C 31.4, Table 31-1: each name next to its number, in one list.
 * Numbers 14, 21 and 27 are reserved and, like any number the table does
 * not list, read as unknown. A string table (strtab.h) rather than a
 * switch: the switch compiled to a compare and a load per number, 363 B of
 * the image's text; the table is the strings and one uint16_t per number.
 */
#define VMX_ERRORS(X)                                                          \
	X(0, "no error")                                                       \
	X(VMXERR_VMCALL_IN_ROOT, "VMCALL executed in VMX root operation")      \
	X(VMXERR_VMCLEAR_INVALID_ADDR,                                         \
	  "VMCLEAR with invalid physical address")                             \
	X(VMXERR_VMCLEAR_VMXON_PTR, "VMCLEAR with VMXON pointer")              \
	X(VMXERR_VMLAUNCH_NONCLEAR, "VMLAUNCH with non-clear VMCS")            \
	X(VMXERR_VMRESUME_NONLAUNCHED, "VMRESUME with non-launched VMCS")      \
	X(VMXERR_VMRESUME_AFTER_VMXOFF, "VMRESUME after VMXOFF")               \
	X(VMXERR_ENTRY_INVALID_CONTROL,                                        \
	  "VM entry with invalid control field(s)")                            \
	X(VMXERR_ENTRY_INVALID_HOST_STATE,                                     \
	  "VM entry with invalid host-state field(s)")                         \
	X(VMXERR_VMPTRLD_INVALID_ADDR,                                         \
	  "VMPTRLD with invalid physical address")                             \
	X(VMXERR_VMPTRLD_VMXON_PTR, "VMPTRLD with VMXON pointer")              \
	X(VMXERR_VMPTRLD_BAD_REVISION,                                         \
	  "VMPTRLD with incorrect VMCS revision identifier")                   \
	X(VMXERR_UNSUPPORTED_COMPONENT,                                        \
	  "VMREAD/VMWRITE from/to unsupported VMCS component")                 \
	X(VMXERR_VMWRITE_READ_ONLY, "VMWRITE to read-only VMCS component")     \
	X(VMXERR_VMXON_IN_ROOT, "VMXON executed in VMX root operation")        \
	X(VMXERR_ENTRY_INVALID_EXEC_VMCS,                                      \
	  "VM entry with invalid executive-VMCS pointer")                      \
	X(VMXERR_ENTRY_NONLAUNCHED_EXEC_VMCS,                                  \
	  "VM entry with non-launched executive VMCS")                         \
	X(VMXERR_ENTRY_EXEC_VMCS_NOT_VMXON,                                    \
	  "VM entry with executive-VMCS pointer not VMXON pointer")            \
	X(VMXERR_VMCALL_NONCLEAR_VMCS, "VMCALL with non-clear VMCS")           \
	X(VMXERR_VMCALL_INVALID_EXIT_CTLS,                                     \
	  "VMCALL with invalid VM-exit control fields")                        \
	X(VMXERR_VMCALL_BAD_MSEG_REVISION,                                     \
	  "VMCALL with incorrect MSEG revision identifier")                    \
	X(VMXERR_VMXOFF_DUAL_MONITOR,                                          \
	  "VMXOFF under dual-monitor treatment of SMIs and SMM")               \
	X(VMXERR_VMCALL_INVALID_SMM_FEATURES,                                  \
	  "VMCALL with invalid SMM-monitor features")                          \
	X(VMXERR_ENTRY_INVALID_EXEC_CTLS,                                      \
	  "VM entry with invalid VM-execution control fields in executive "    \
	  "VMCS")                                                              \
	X(VMXERR_ENTRY_MOV_SS_BLOCKING,                                        \
	  "VM entry with events blocked by MOV SS")                            \
	X(VMXERR_INVALID_INVEPT_INVVPID, "invalid operand to INVEPT/INVVPID")  \
	X(VMX_ERRORS_UNKNOWN, "unknown VM-instruction error")

/* The highest number Table 31-1 lists; the unknown name's slot after it. */
#define VMX_ERRORS_MAX VMXERR_INVALID_INVEPT_INVVPID
#define VMX_ERRORS_UNKNOWN (VMX_ERRORS_MAX + 1u)

#define VMX_ERROR_MEMBER(nr, text) STRTAB_MEMBER(e_##nr, text)
#define VMX_ERROR_INIT(nr, text) .e_##nr = text,
#define VMX_ERROR_AT(nr, text) [nr] = offsetof(struct vmx_error_names, e_##nr),

static const struct vmx_error_names {
	VMX_ERRORS(VMX_ERROR_MEMBER)
} vmx_error_names = {VMX_ERRORS(VMX_ERROR_INIT)};
STRTAB_FITS(struct vmx_error_names);

/*
 * Offsets by number; a reserved number's slot is 0, the offset of "no
 * error", which only number 0 may give.
 */
static const uint16_t vmx_error_at[VMX_ERRORS_UNKNOWN + 1u] = {
	VMX_ERRORS(VMX_ERROR_AT)};

const char *vmm_vmx_error_name(uint32_t error)
{
	uint16_t at = vmx_error_at[VMX_ERRORS_UNKNOWN];

	if (error <= VMX_ERRORS_MAX && (error == 0 || vmx_error_at[error] != 0))
		at = vmx_error_at[error];
	return STRTAB_AT(vmx_error_names, at);
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
