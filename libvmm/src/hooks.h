/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal side of the hook API (flank/vmm_extension.h "Hooks"): what the
 * exit handlers, the MSR bitmap and the VMCS setup ask of the hook tables
 * (hooks.c), and the helpers extension.c shares with them. Not installed.
 */
#ifndef FLANK_HOOKS_H
#define FLANK_HOOKS_H

#include "flank/vmm_extension.h"
#include "vmm_internal.h"

/** True if the code at @p fn starts with ENDBR64 (extension.c). */
bool vmm_starts_with_endbr64(const void *fn);

/** True while a CPU may run under Flank: hooks must not change. */
bool vmm_cpus_may_run(void);

/** Calls the registered init hook (vmm_init_hook_set()): its status, or
 * VMM_OK without one. The end of vmm_init() (extension.c). */
int vmm_init_hook_call(void);

/**
 * The hook for @p msr and the access (@p write), or NULL: what the
 * RDMSR/WRMSR exit asks first. Memory only (no VMX instruction), so an
 * MSR exit without a hook costs what it cost before.
 */
vmm_msr_hook_fn vmm_msr_hook_find(uint32_t msr, bool write);

/**
 * Calls @p fn with @p a; the action it returned, with anything that is not
 * an enum vmm_hook_action value turned into VMM_HOOK_DENY (fail closed).
 */
enum vmm_hook_action vmm_msr_hook_call(vmm_msr_hook_fn fn,
				       struct vmm_msr_hook_args *a);

/**
 * Sets the intercept bits of every hooked MSR access in the 4 KiB MSR
 * bitmap @p bm (msr_bitmap.c's layout: read-low, read-high, write-low,
 * write-high, 1 KiB each).
 */
void vmm_msr_hooks_intercept(uint8_t *bm);

/** The CR0 / CR4 bits the CR hook watches (0 without a hook). */
uint64_t vmm_cr_hook_mask(unsigned cr);

/**
 * For a MOV to CR@p cr (0 or 4) that clears watched bits: asks the CR hook
 * and returns @p v with the bits it denied set again. @p old is the
 * guest's view of the register.
 */
uint64_t vmm_cr_hook_filter(const struct vmm_cpu *cpu, unsigned cr,
			    uint64_t old, uint64_t v);

/**
 * Forgets every MSR, CR and page hook, as if each was removed (refused with
 * VMM_ERR_HOOK_WHILE_RUNNING while CPUs may run). Not exported: for the
 * tests, which must start clean after a test failed half-way (as their
 * fixture clears vmm_ctx).
 */
int vmm_hooks_clear(void);

struct vmm_vectoring;

/**
 * For an EPT violation with qualification @p qual, made while delivering
 * the event @p ev (exit_internal.h; info 0: by an instruction)
 * (ept/page_hook.c): true and the action in @p act if a page hook owns the
 * page (the hook was asked), false if none does. A #GP or #PF answer is
 * injected as a fault in @p ev's delivery (vmm_exit_inject_nested());
 * anything else leaves @p ev for the caller to inject again.
 */
bool vmm_page_hook_violation(struct vmm_cpu *cpu,
			     struct intrin_exit_frame *frame, uint64_t qual,
			     const struct vmm_vectoring *ev,
			     enum intrin_exit_action *act);

/** INVEPT of @p type of the map, or the other type (ept/ept_cpu.c). */
vmx_result_t vmm_ept_invept(uint64_t type);

/** Forgets every page hook (as vmm_hooks_clear(), which calls it). */
void vmm_page_hooks_clear(void);

#endif /* FLANK_HOOKS_H */
