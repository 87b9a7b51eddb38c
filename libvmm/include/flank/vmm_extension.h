/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file vmm_extension.h
 * Extension hooks: the two places where an extension module (a further ELF
 * file linked against vmm.elf at load time, docs/modules.md) plugs into the
 * VMM without rebuilding it.
 *
 *  - a hypercall handler for numbers FLANK_HC_EXT_FIRST..FLANK_HC_EXT_LAST
 *    (flank/vmm_hypercall.h), reached by VMCALL from guest ring 0;
 *  - a CPUID handler for leaves FLANK_CPUID_EXT_FIRST..FLANK_CPUID_EXT_LAST,
 *    reached by CPUID from the guest at any privilege level;
 *  - a VMCS consistency checker, which the diagnostic of a failed VM entry
 *    calls to name the failing rule (the vmcs_check module registers
 *    libvmm's checker, flank/vmm_vmcs_check.h; docs/modules.md).
 *
 * vmm.elf exports every function of this header (default visibility,
 * ENDBR64 at each entry: scripts/check-image.sh checks both).
 *
 * When to register: from the module's initialisation function, which the
 * host runs (DT_INIT_ARRAY, i.e. __attribute__((constructor))) after the
 * module is linked and before the VMM's init; remove from its DT_FINI_ARRAY
 * function, which the host runs after the VMM's fini and before the
 * module's memory goes away (driver_linux/core/link.c).
 *
 * Safety: registration and removal are refused with VMM_ERR_BAD_STATE
 * while any CPU may run under Flank (state RUNNING, STOPPING or CORRUPT),
 * so no exit handler can be using a handler while it changes, and a
 * module can never be unloaded while its handler runs. The host serialises
 * registration with the state-changing calls (the driver holds its mutex
 * across link, init, fini and unlink). The handler pointers are still
 * stored and read with release/acquire atomics, so a CPU that starts later
 * sees a handler and the code it points to completely.
 *
 * One handler of each kind (and one checker): a second module registering
 * a different one gets VMM_ERR_EXTENSION_BUSY; a module removes only its
 * own.
 *
 * ENDBR64: every hook function (a handler, a checker's check and describe)
 * must start with ENDBR64, as the module's -fcf-protection=branch puts it
 * there: VMX root runs with the host's IA32_S_CET, so on a kernel with
 * indirect-branch tracking (IBT) the call through the pointer would raise
 * #CP and hang the machine. One without it is refused with
 * VMM_ERR_HOOK_NO_ENDBR on every machine, IBT or not (the registration runs
 * before the VMM's init, which is when it learns about the CPU).
 * Handlers run in VMX root on the exiting CPU with interrupts disabled:
 * they must not block, allocate or take locks that a guest could hold.
 */
#ifndef FLANK_VMM_EXTENSION_H
#define FLANK_VMM_EXTENSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * CPUID extension range: leaves an extension handler may answer. In the
 * range reserved for hypervisors (40000000H-4FFFFFFFH), next to Flank's own
 * presence leaf FLANK_CPUID_LEAF (flank/vmm_hypercall.h). Leaves of this
 * range that no handler answers get the CPU's own answer.
 */
#define FLANK_CPUID_EXT_FIRST 0x4000F100u
/** Last leaf of the CPUID extension range (see FLANK_CPUID_EXT_FIRST). */
#define FLANK_CPUID_EXT_LAST 0x4000F1FFu

/** Arguments and results of an extension hypercall (vmm_hypercall.h). */
struct vmm_hypercall_args {
	uint32_t nr;	 /**< Hypercall number, in the extension range. */
	uint32_t cpu;	 /**< CPU that made the call. */
	uint64_t arg[4]; /**< RBX, RCX, RDX, RSI of the guest. */
	uint64_t ret[3]; /**< Written back to RBX, RCX, RDX (preset 0). */
};

/**
 * An extension hypercall handler: runs in VMX root on the calling CPU with
 * interrupts disabled, must not block; returns the status for RAX.
 */
typedef int (*vmm_hypercall_ext_fn)(struct vmm_hypercall_args *args);

/** Arguments and results of an extension CPUID leaf. */
struct vmm_cpuid_args {
	uint32_t leaf;	   /**< Guest EAX, in the extension range. */
	uint32_t subleaf;  /**< Guest ECX. */
	uint32_t cpu;	   /**< CPU that executed CPUID. */
	uint32_t reserved; /**< 0. */
	/**
	 * Out: the guest's EAX, EBX, ECX, EDX. Preset to the CPU's own answer
	 * for the leaf, which the guest gets if the handler returns false.
	 * @{
	 */
	uint32_t eax, ebx, ecx, edx;
	/** @} */
};

/**
 * An extension CPUID handler: same rules as a hypercall handler. Returns
 * true if it answered (the four registers go to the guest), false to give
 * the guest the CPU's own answer.
 */
typedef bool (*vmm_cpuid_ext_fn)(struct vmm_cpuid_args *args);

/**
 * Registers @p fn for hypercall numbers FLANK_HC_EXT_FIRST to
 * FLANK_HC_EXT_LAST. VMM_OK (also if @p fn is already registered);
 * VMM_ERR_BAD_ARGUMENT if @p fn is NULL; VMM_ERR_HOOK_NO_ENDBR if @p fn
 * does not start with ENDBR64 (nothing is registered); VMM_ERR_BAD_STATE
 * while CPUs may run; VMM_ERR_EXTENSION_BUSY if another handler is
 * registered.
 */
int vmm_hypercall_set_extension(vmm_hypercall_ext_fn fn);

/**
 * Removes @p fn if it is the registered hypercall handler. VMM_OK;
 * VMM_ERR_BAD_ARGUMENT if it is not; VMM_ERR_BAD_STATE while CPUs may run.
 */
int vmm_hypercall_remove_extension(vmm_hypercall_ext_fn fn);

/**
 * As vmm_hypercall_set_extension(), for the CPUID extension range: the same
 * statuses, VMM_ERR_HOOK_NO_ENDBR included.
 */
int vmm_cpuid_set_extension(vmm_cpuid_ext_fn fn);

/** As vmm_hypercall_remove_extension(), for the CPUID handler. */
int vmm_cpuid_remove_extension(vmm_cpuid_ext_fn fn);

/**
 * What the VMCALL exit handler does for an extension number: calls the
 * registered handler with @p args (ret[] preset to 0) and returns its
 * status, or VMM_ERR_HYPERCALL_UNKNOWN if @p args->nr is outside the range
 * or no handler is registered. Exported so that a host can ask a loaded
 * image what a guest would get, without VMX (tests, tools).
 */
int vmm_hypercall_extension_call(struct vmm_hypercall_args *args);

/**
 * What the CPUID exit handler does for a leaf of the extension range:
 * calls the registered handler with @p args (eax..edx preset by the
 * caller to the CPU's answer) and returns true if it answered; false,
 * registers untouched, if @p args->leaf is outside the range, no handler
 * is registered or the handler declined. Exported like the call above.
 */
bool vmm_cpuid_extension_call(struct vmm_cpuid_args *args);

struct vmm_vmcs_check_result;

/**
 * A VMCS consistency checker (flank/vmm_vmcs_check.h gives the contract of
 * both functions): what a failed VM entry's diagnostic calls, in VMX root
 * on the failing CPU with its VMCS current, to name the failing rule.
 * Without one registered, the diagnostic still logs the CPU's error, the
 * exit reason and qualification and the VMCS dump, and says that the
 * rule-level diagnosis needs the vmcs_check module (docs/debugging.md).
 * The structure must stay valid while registered (a module's static data).
 */
struct vmm_vmcs_checker {
	/** Checks the current VMCS; as vmm_vmcs_check(). */
	int (*check)(struct vmm_vmcs_check_result *res);
	/** Describes a result in one phrase; as vmm_vmcs_check_describe(). */
	size_t (*describe)(const struct vmm_vmcs_check_result *res, char *buf,
			   size_t size);
};

/**
 * Registers @p checker for the diagnostic of failed VM entries. VMM_OK
 * (also if @p checker is already registered); VMM_ERR_BAD_ARGUMENT if
 * @p checker or one of its functions is NULL; VMM_ERR_HOOK_NO_ENDBR if one
 * of its functions does not start with ENDBR64 (nothing is registered);
 * VMM_ERR_BAD_STATE while CPUs may run; VMM_ERR_EXTENSION_BUSY if another
 * checker is registered.
 */
int vmm_vmcs_checker_set(const struct vmm_vmcs_checker *checker);

/**
 * Removes @p checker if it is the registered one. VMM_OK;
 * VMM_ERR_BAD_ARGUMENT if it is not; VMM_ERR_BAD_STATE while CPUs may run.
 */
int vmm_vmcs_checker_remove(const struct vmm_vmcs_checker *checker);

/**
 * The registered checker, or NULL. What the diagnostic of a failed entry
 * reads (acquire: the structure and its code are seen completely).
 */
const struct vmm_vmcs_checker *vmm_vmcs_checker_get(void);

#endif /* FLANK_VMM_EXTENSION_H */
