// SPDX-License-Identifier: GPL-2.0-only
/*
 * The platform table handed to the image's init (image_abi.h): each entry
 * forwards to the kernel service in the core's ops, with the core as ctx;
 * the settings come from the module parameters (serial_*, ring_kib).
 */
#include <stdio.h>
#include <string.h>

#include "flank_core.h"

/* Tracked and checked against HOST_CR3: core/hostmap.c. */
static void *plat_page_alloc(void *ctx, uint64_t *pa)
{
	return flank_vmm_page_alloc(ctx, pa);
}

static void plat_page_free(void *ctx, void *page)
{
	flank_vmm_page_free(ctx, page);
}

/* Guarded, allocated at LOAD: core/stacks.c. */
static void *plat_host_stack(void *ctx, uint32_t cpu)
{
	return flank_host_stack(ctx, cpu);
}

static uint64_t plat_host_stack_pa(void *ctx, uint32_t cpu)
{
	return flank_host_stack_pa(ctx, cpu);
}

static uint32_t plat_cpu_count(void *ctx)
{
	const struct flank_core_ops *ops = ((struct flank_core *)ctx)->ops;

	return ops->cpu_count(ops->ctx);
}

static uint32_t plat_cpu_id(void *ctx)
{
	const struct flank_core_ops *ops = ((struct flank_core *)ctx)->ops;

	return ops->cpu_id(ops->ctx);
}

static int plat_run_on_cpu(void *ctx, uint32_t cpu, int (*fn)(void *arg),
			   void *arg)
{
	const struct flank_core_ops *ops = ((struct flank_core *)ctx)->ops;

	if (cpu >= ops->cpu_count(ops->ctx))
		return -1;
	return ops->run_on_cpu(ops->ctx, cpu, fn, arg);
}

/*
 * The image's log sink, never called from its exit handler (VMX root): the
 * image wrote the line into its debug ring first, so the drain prints it,
 * after any line an exit handler left in the ring before it. The drain is
 * bounded here (this may be a cross-CPU call with interrupts off): lines
 * beyond FLANK_DRAIN_CALL_LINES, such as a VMCS dump, follow at the full
 * drain when the ioctl returns. Only without a live ring (or inside a
 * drain) is the line printed from here.
 */
static void plat_log(void *ctx, enum flank_log_level level, const char *line)
{
	struct flank_core *core = ctx;
	const struct flank_core_ops *ops = core->ops;
	char buf[248];

	if (flank_log_drain_max(core, FLANK_DRAIN_CALL_LINES))
		return;
	/*
	 * The line comes from the image: bound it before the kernel log. 240
	 * holds a whole debug-ring record (VMM_RING_TEXT_MAX, 232 bytes), so
	 * the VM-entry diagnostic line arrives whole.
	 */
	snprintf(buf, sizeof(buf), "vmm: %.240s", line ? line : "");
	ops->log(ops->ctx, level, buf);
}

/*
 * The image gave this CPU back, by stop or on its own (an exit it could not
 * handle, a failed VMRESUME), with the TR limit of 67H that every VM exit
 * loads (SDM Vol. 3C 28.5.2). The driver's own calls repair it after they
 * return (kp_call_here), but a CPU the image leaves on its own continues
 * the interrupted kernel code at once: it is repaired here, on that CPU.
 */
static void plat_cpu_left(void *ctx, uint32_t cpu)
{
	const struct flank_core_ops *ops = ((struct flank_core *)ctx)->ops;

	(void)cpu; /* The calling CPU, which the op acts on. */
	ops->invalidate_tss_limit(ops->ctx);
}

/*
 * flank_platform.mem_pa: a page of the debug ring, for the EPT map to hide
 * it (docs/ept.md); any other address has none here.
 */
static uint64_t plat_mem_pa(void *ctx, const void *va)
{
	const struct flank_core *core = ctx;
	uintptr_t a = (uintptr_t)va, ring = (uintptr_t)core->ring_mem;

	if (!core->ring_mem || a < ring ||
	    a - ring >= ((uintptr_t)core->ring_kib << 10))
		return 0;
	return core->ops->virt_pa(core->ops->ctx, va);
}

/* Guest memory for extension hooks, in VMX root: the op validates. */
static int plat_phys_copy(void *ctx, uint64_t pa, void *buf, uint32_t len,
			  uint32_t write)
{
	const struct flank_core_ops *ops = ((struct flank_core *)ctx)->ops;

	return ops->phys_copy(ops->ctx, pa, buf, len, write != 0);
}

void flank_platform_fill(struct flank_core *core)
{
	struct flank_platform *p = &core->platform;

	memset(p, 0, sizeof(*p));
	p->abi_version = FLANK_IMAGE_ABI_VERSION;
	p->size = sizeof(*p);
	p->ctx = core;
	p->page_alloc = plat_page_alloc;
	p->page_free = plat_page_free;
	p->cpu_count = plat_cpu_count;
	p->cpu_id = plat_cpu_id;
	p->run_on_cpu = plat_run_on_cpu;
	p->host_cr3 = core->ops->host_cr3; /* Bits 12:0 clear: load checked. */
	p->log = plat_log;
	p->serial_port = core->serial_port;
	p->serial_flags = core->serial_flags;
	p->serial_baud = core->serial_baud;
	p->ring_mem = core->ring_mem;
	p->ring_size = (uint64_t)core->ring_kib << 10;
	p->cpu_left = plat_cpu_left;
	p->spec_flags = core->ops->spec_flags;
	p->verw_sel = core->ops->verw_sel;
	p->phys_copy = plat_phys_copy;
	p->host_stack = plat_host_stack;
	p->host_stack_pa = plat_host_stack_pa;
	p->mem_pa = plat_mem_pa;
	/* The VMM's pages the guest must not see (docs/ept.md). */
	p->hide = core->hide;
}

const char *flank_ring_kib_check(uint32_t kib)
{
	if (kib < (FLANK_RING_MIN_SIZE >> 10) ||
	    kib > (FLANK_RING_MAX_SIZE >> 10) || (kib & (kib - 1u)) != 0)
		return "the debug ring size must be a power of two from 8 to "
		       "16384 KiB (default 64)";
	return NULL;
}
