// SPDX-License-Identifier: GPL-2.0-only
/*
 * Two things the VMM needs from the kernel for when things go wrong.
 *
 * Guarded host stacks (issue #14 item 7; docs/debugging.md, "The host
 * stack"): each CPU's exit handler runs on one 4 KiB page. flank.ko gives
 * every possible CPU a page whose page below is not mapped (ops->stack_alloc;
 * the kernel: kplat.c), allocated at LOAD where sleeping is allowed, because
 * the image asks for a CPU's stack from the online callback with interrupts
 * off. An overflow then faults on the guard instead of writing into the
 * neighbouring memory. Each stack is checked through the HOST_CR3 table at
 * LOAD and again at every START, after the table is copied afresh.
 *
 * The crash callback (issue #14 item 10; docs/lifecycle.md, "Crash and
 * kdump"): a CPU in VMX operation does not take INIT, so a kdump kernel
 * could not start it. While the VMM runs, the kernel's emergency callback
 * is ours, and on a crash it makes every CPU leave VMX through the image's
 * crash_cpu.
 */
#include <stdio.h>
#include <string.h>

#include "flank_core.h"

#define STACK_PAGE 4096u

int flank_stacks_check(struct flank_core *core, struct flank_ioc_err *err)
{
	const struct flank_core_ops *ops = core->ops;
	uint32_t i;

	for (i = 0; i < core->nstacks; i++) {
		uint64_t va = (uint64_t)(uintptr_t)core->stack[i].va;

		if (ops->host_cr3_maps(ops->ctx, va) &&
		    !ops->host_cr3_maps(ops->ctx, va - STACK_PAGE))
			continue;
		return flank_fail(err, FLANK_E_STACK_GUARD, FLANK_SRC_DRIVER, 0,
				  i,
				  "the host stack of CPU %u at %#llx %s in "
				  "HOST_CR3: an overflow would not fault (a "
				  "flank.ko bug, please report it)",
				  i, (unsigned long long)va,
				  ops->host_cr3_maps(ops->ctx, va)
					  ? "has its guard page below mapped"
					  : "is not mapped");
	}
	return FLANK_OK;
}

void flank_stacks_free(struct flank_core *core)
{
	const struct flank_core_ops *ops = core->ops;
	uint32_t i;

	for (i = 0; core->stack && i < core->nstacks; i++)
		if (core->stack[i].va)
			ops->stack_free(ops->ctx, core->stack[i].va);
	if (core->stack)
		ops->free(ops->ctx, core->stack);
	core->stack = NULL;
	core->nstacks = 0;
}

int flank_stacks_alloc(struct flank_core *core, struct flank_ioc_err *err)
{
	const struct flank_core_ops *ops = core->ops;
	uint32_t i, n = ops->cpu_count(ops->ctx);
	int rc;

	core->stack = ops->alloc(ops->ctx, (size_t)n * sizeof(*core->stack));
	if (!core->stack)
		return flank_fail(err, FLANK_E_NO_MEMORY, FLANK_SRC_DRIVER, 0,
				  FLANK_NO_CPU,
				  "load: no memory for the table of %u host "
				  "stacks",
				  n);
	core->nstacks = n;
	for (i = 0; i < n; i++) {
		core->stack[i].va =
			ops->stack_alloc(ops->ctx, &core->stack[i].pa);
		if (!core->stack[i].va) {
			flank_stacks_free(core);
			return flank_fail(err, FLANK_E_NO_MEMORY,
					  FLANK_SRC_DRIVER, 0, i,
					  "load: no memory for the host stack "
					  "of CPU %u",
					  i);
		}
	}
	rc = flank_stacks_check(core, err);
	if (rc) {
		flank_stacks_free(core);
		return rc;
	}
	flank_log(core, FLANK_LOG_INFO,
		  "host stacks for %u CPUs, each with an unmapped guard page "
		  "below it in HOST_CR3",
		  n);
	return FLANK_OK;
}

void *flank_host_stack(struct flank_core *core, uint32_t cpu)
{
	if (!core->stack || cpu >= core->nstacks)
		return NULL;
	return core->stack[cpu].va;
}

uint64_t flank_host_stack_pa(struct flank_core *core, uint32_t cpu)
{
	if (!core->stack || cpu >= core->nstacks)
		return 0;
	return core->stack[cpu].pa;
}

void flank_crash_hook(struct flank_core *core)
{
	const struct flank_core_ops *ops = core->ops;

	if (core->crash_hooked)
		return;
	if (!ops->crash_hook(ops->ctx, true)) {
		flank_log(core, FLANK_LOG_WARN,
			  "crash callback not installed (the kernel's slot "
			  "may be KVM's): a kdump kernel may not start CPUs "
			  "that were under Flank at a crash");
		return;
	}
	__atomic_store_n(&core->crash_hooked, true, __ATOMIC_RELEASE);
}

void flank_crash_unhook(struct flank_core *core)
{
	const struct flank_core_ops *ops = core->ops;

	if (!core->crash_hooked)
		return;
	__atomic_store_n(&core->crash_hooked, false, __ATOMIC_RELEASE);
	(void)ops->crash_hook(ops->ctx, false);
}

void flank_core_crash_cpu(struct flank_core *core)
{
	const struct flank_image_entry *e;

	if (!__atomic_load_n(&core->crash_hooked, __ATOMIC_ACQUIRE))
		return;
	e = core->image.entry;
	if (e && e->crash_cpu)
		(void)e->crash_cpu();
}
