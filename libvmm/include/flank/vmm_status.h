/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file vmm_status.h
 * The one status enum of libvmm. Every public function returns VMM_OK (0)
 * or one of these values; vmm_status_str() gives a sentence a user can act
 * on. The driver maps a status to -errno at its edge and flankctl prints the
 * sentence. Values are part of the image ABI: append, never renumber.
 */
#ifndef FLANK_VMM_STATUS_H
#define FLANK_VMM_STATUS_H

/** Status of a libvmm operation. */
enum vmm_status {
	VMM_OK = 0,
	/* Compatibility (vmm_check and the same checks at start). */
	VMM_ERR_NO_VMX = 1,
	VMM_ERR_NOT_LONG_MODE = 2,
	VMM_ERR_VMX_DISABLED_FIRMWARE = 3,
	VMM_ERR_FEATURE_CONTROL_MSR = 4,
	VMM_ERR_VMX_BASIC_MSR = 5,
	VMM_ERR_VMX_BASIC_UNSUPPORTED = 6,
	VMM_ERR_CAPABILITY_MSR = 7,
	VMM_ERR_PHYS_WIDTH = 8,
	VMM_ERR_FIXED_BITS = 9,
	VMM_ERR_VMX_IN_USE = 10,
	VMM_ERR_CONTROLS = 11,
	VMM_ERR_HOST_MSR = 12,
	VMM_ERR_DESCRIPTOR = 13,
	/* Resources and arguments. */
	VMM_ERR_NO_MEMORY = 14,
	VMM_ERR_PAGE_ADDRESS = 15,
	VMM_ERR_BAD_PLATFORM = 16,
	VMM_ERR_TOO_MANY_CPUS = 17,
	VMM_ERR_CPU_OFFLINE = 18,
	VMM_ERR_BAD_ARGUMENT = 19,
	VMM_ERR_BAD_STATE = 20,
	/* VMX instructions during start. */
	VMM_ERR_VMXON = 21,
	VMM_ERR_VMCLEAR = 22,
	VMM_ERR_VMPTRLD = 23,
	VMM_ERR_VMWRITE = 24,
	VMM_ERR_VMREAD = 25,
	VMM_ERR_LAUNCH_FAIL_INVALID = 26,
	VMM_ERR_LAUNCH_CONTROLS = 27,
	VMM_ERR_LAUNCH_HOST_STATE = 28,
	VMM_ERR_LAUNCH_FAIL_VALID = 29,
	VMM_ERR_LAUNCH_GUEST_STATE = 30,
	VMM_ERR_LAUNCH_MSR_LOAD = 31,
	VMM_ERR_LAUNCH_ENTRY_FAILURE = 32,
	/* Stop. */
	VMM_ERR_NOT_RUNNING = 33,
	VMM_ERR_ALREADY_RUNNING = 34,
	VMM_ERR_STOP_HYPERCALL = 35,
	VMM_ERR_VMXOFF = 36,
	VMM_ERR_CORRUPT = 37,
	/* Image ABI entries not implemented yet. */
	VMM_ERR_NOT_SUPPORTED = 38,
	/* Hypercalls (issue 5). */
	VMM_ERR_HYPERCALL_UNKNOWN = 39,
	VMM_ERR_HYPERCALL_DENIED = 40,
	/* Exits (issue 5). */
	VMM_ERR_UNHANDLED_EXIT = 41,
	/* Extension modules and load-time settings. */
	VMM_ERR_EXTENSION_BUSY = 42,
	VMM_ERR_SERIAL_CONFIG = 43,
	VMM_ERR_RING_CONFIG = 44,
	VMM_ERR_HOOK_NO_ENDBR = 45,
	/* Hooks and guest memory (vmm_extension.h, issue 18 section 4). */
	VMM_ERR_HOOK_WHILE_RUNNING = 46,
	VMM_ERR_MSR_HOOK_RANGE = 47,
	VMM_ERR_MSR_HOOK_RESERVED = 48,
	VMM_ERR_HOOK_OVERLAP = 49,
	VMM_ERR_HOOK_TABLE_FULL = 50,
	VMM_ERR_GUEST_NONCANONICAL = 51,
	VMM_ERR_GUEST_NOT_PRESENT = 52,
	VMM_ERR_GUEST_RESERVED_BIT = 53,
	VMM_ERR_GUEST_PHYS = 54,
	VMM_ERR_GUEST_COPY_SIZE = 55,
	/* Memory types from the MTRRs (issue 18, libvmm/src/ept/mtrr.c). */
	VMM_ERR_NO_MTRR = 56,
	VMM_ERR_MTRR_MSR = 57,
	VMM_ERR_MTRR_VCNT = 58,
	/* VPID (issue 18). */
	VMM_ERR_INVVPID = 59,
	/* EPT (issue 18, libvmm/src/ept/ept_cpu.c). */
	VMM_ERR_INVEPT = 60,
	/* Page hooks' split view (libvmm/src/ept/page_hook.c). */
	VMM_ERR_EPT_NO_EXEC_ONLY = 61,
	VMM_STATUS_COUNT
};

/**
 * Returns the human sentence for @p status: what happened and what to do.
 * Unknown values give a generic sentence, never NULL.
 */
const char *vmm_status_str(int status);

/** Returns the short identifier of @p status, e.g. "VMM_ERR_NO_VMX". */
const char *vmm_status_name(int status);

#endif /* FLANK_VMM_STATUS_H */
