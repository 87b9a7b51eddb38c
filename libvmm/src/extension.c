// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Extension hooks (flank/vmm_extension.h): one hypercall handler, one
 * CPUID handler and one VMCS consistency checker that an extension module
 * registers from its init function.
 *
 * The handler pointers live here, outside vmm_ctx, because a module's init
 * function runs before vmm_init() (which clears vmm_ctx) and its fini
 * function after vmm_fini(): a registration must survive both.
 *
 * Every hook function must start with ENDBR64: exit handlers call it
 * through a pointer in VMX root, which runs with the host's IA32_S_CET
 * (docs/vmcs.md "CET in VMX root"), so on a kernel with IBT a hook without
 * it raises #CP there and hangs the machine. A module's init runs before
 * vmm_init(), when libvmm cannot yet ask the platform whether IBT is on, so
 * such a hook is refused on every machine: one that works on a developer's
 * machine without IBT would hang the first one with it.
 */
#include "flank/vmm_extension.h"
#include "flank/vmm_hypercall.h"
#include "hooks.h"
#include "vmm_internal.h"

#define FLANK_EXPORT __attribute__((visibility("default")))

/*
 * The handlers, stored as void * so that one pair of helpers serves both
 * kinds: a function pointer converts to void * and back unchanged on
 * x86-64, which has one address space for code and data (and POSIX
 * requires it of every platform, for dlsym()).
 */
static void *hc_slot;
static void *cpuid_slot;
/* The checker: a pointer to a module's constant structure, stored the same
 * way (the const is restored on the way out). */
static void *checker_slot;
/* The init hook (vmm_init_hook_set()): called at the end of vmm_init(). */
static void *init_hook_slot;

/* ENDBR64 (F3 0F 1E FA) as a little-endian 32-bit value. */
#define ENDBR64_BYTES 0xfa1e0ff3u

/*
 * True if the code at @p fn starts with ENDBR64, the instruction an
 * indirect CALL must land on under IBT (SDM Vol. 1 18.3 "Indirect Branch
 * Tracking"). @p fn is not NULL. Assembled from bytes: a function need not
 * be 4-byte aligned, so a uint32_t read of it would be undefined.
 */
bool vmm_starts_with_endbr64(const void *fn)
{
	const uint8_t *code = fn;
	uint32_t first = (uint32_t)code[0] | (uint32_t)code[1] << 8 |
			 (uint32_t)code[2] << 16 | (uint32_t)code[3] << 24;

	return first == ENDBR64_BYTES;
}

/*
 * True while a CPU may be in VMX non-root under Flank and so may be inside
 * an exit handler: a handler must not change then (see the header).
 */
bool vmm_cpus_may_run(void)
{
	enum flank_vmm_state s = vmm_ctx.state;

	return s == FLANK_STATE_RUNNING || s == FLANK_STATE_STOPPING ||
	       s == FLANK_STATE_CORRUPT;
}

/* Registers @p fn in @p slot; the rules of vmm_hypercall_set_extension(). */
static int ext_set(void **slot, void *fn)
{
	void *cur;

	if (fn == NULL)
		return VMM_ERR_BAD_ARGUMENT;
	if (vmm_cpus_may_run())
		return VMM_ERR_BAD_STATE;
	cur = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
	if (cur != NULL && cur != fn)
		return VMM_ERR_EXTENSION_BUSY;
	__atomic_store_n(slot, fn, __ATOMIC_RELEASE);
	return VMM_OK;
}

/* Registers the hook function @p fn in @p slot: ext_set() once @p fn
 * starts with ENDBR64 (see the top of this file). */
static int hook_set(void **slot, void *fn)
{
	if (fn != NULL && !vmm_starts_with_endbr64(fn))
		return VMM_ERR_HOOK_NO_ENDBR;
	return ext_set(slot, fn);
}

/* Removes @p fn from @p slot if it is there. */
static int ext_remove(void **slot, void *fn)
{
	if (vmm_cpus_may_run())
		return VMM_ERR_BAD_STATE;
	if (fn == NULL || __atomic_load_n(slot, __ATOMIC_ACQUIRE) != fn)
		return VMM_ERR_BAD_ARGUMENT;
	__atomic_store_n(slot, NULL, __ATOMIC_RELEASE);
	return VMM_OK;
}

FLANK_EXPORT int vmm_hypercall_set_extension(vmm_hypercall_ext_fn fn)
{
	return hook_set(&hc_slot, (void *)fn);
}

FLANK_EXPORT int vmm_hypercall_remove_extension(vmm_hypercall_ext_fn fn)
{
	return ext_remove(&hc_slot, (void *)fn);
}

FLANK_EXPORT int vmm_cpuid_set_extension(vmm_cpuid_ext_fn fn)
{
	return hook_set(&cpuid_slot, (void *)fn);
}

FLANK_EXPORT int vmm_cpuid_remove_extension(vmm_cpuid_ext_fn fn)
{
	return ext_remove(&cpuid_slot, (void *)fn);
}

FLANK_EXPORT int vmm_init_hook_set(vmm_init_hook_fn fn)
{
	return hook_set(&init_hook_slot, (void *)fn);
}

FLANK_EXPORT int vmm_init_hook_remove(vmm_init_hook_fn fn)
{
	return ext_remove(&init_hook_slot, (void *)fn);
}

int vmm_init_hook_call(void)
{
	vmm_init_hook_fn fn = (vmm_init_hook_fn)__atomic_load_n(
		&init_hook_slot, __ATOMIC_ACQUIRE);

	return fn == NULL ? VMM_OK : fn();
}

FLANK_EXPORT int vmm_hypercall_extension_call(struct vmm_hypercall_args *args)
{
	vmm_hypercall_ext_fn fn = (vmm_hypercall_ext_fn)__atomic_load_n(
		&hc_slot, __ATOMIC_ACQUIRE);

	if (args == NULL || args->nr < FLANK_HC_EXT_FIRST ||
	    args->nr > FLANK_HC_EXT_LAST || fn == NULL)
		return VMM_ERR_HYPERCALL_UNKNOWN;
	args->ret[0] = args->ret[1] = args->ret[2] = 0;
	return fn(args);
}

FLANK_EXPORT bool vmm_cpuid_extension_call(struct vmm_cpuid_args *args)
{
	vmm_cpuid_ext_fn fn = (vmm_cpuid_ext_fn)__atomic_load_n(
		&cpuid_slot, __ATOMIC_ACQUIRE);
	struct vmm_cpuid_args a;

	if (args == NULL || args->leaf < FLANK_CPUID_EXT_FIRST ||
	    args->leaf > FLANK_CPUID_EXT_LAST || fn == NULL)
		return false;
	/* The handler works on a copy: declining leaves the answer as is. */
	a = *args;
	a.reserved = 0;
	if (!fn(&a))
		return false;
	args->eax = a.eax;
	args->ebx = a.ebx;
	args->ecx = a.ecx;
	args->edx = a.edx;
	return true;
}

FLANK_EXPORT int vmm_vmcs_checker_set(const struct vmm_vmcs_checker *checker)
{
	if (checker != NULL) {
		if (checker->check == NULL || checker->describe == NULL ||
		    checker->field_name == NULL)
			return VMM_ERR_BAD_ARGUMENT;
		if (!vmm_starts_with_endbr64((const void *)checker->check) ||
		    !vmm_starts_with_endbr64((const void *)checker->describe) ||
		    !vmm_starts_with_endbr64((const void *)checker->field_name))
			return VMM_ERR_HOOK_NO_ENDBR;
	}
	return ext_set(&checker_slot, (void *)(uintptr_t)checker);
}

FLANK_EXPORT int vmm_vmcs_checker_remove(const struct vmm_vmcs_checker *checker)
{
	return ext_remove(&checker_slot, (void *)(uintptr_t)checker);
}

FLANK_EXPORT const struct vmm_vmcs_checker *vmm_vmcs_checker_get(void)
{
	return __atomic_load_n(&checker_slot, __ATOMIC_ACQUIRE);
}
