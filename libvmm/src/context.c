// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The image-wide context (the one mutable global: the platform and the
 * per-CPU pointers), the state machine's init/fini, logging, and per-CPU
 * page allocation.
 */
#include "flank/vmm_console.h"
#include "hooks.h"
#include "vmm_internal.h"

struct vmm_context vmm_ctx;

/*
 * The debug ring lives in memory the host supplies (flank_platform.ring_mem,
 * image ABI 3): the image carries no buffer of its own, so the user sizes
 * the ring (flank.ko's ring_kib) and the image stays small. The ring lives
 * from init to fini, across any number of start/stop cycles. The default
 * must hold a whole VMCS dump after a failed VM entry: the diagnostic line,
 * the dump's header, one line per field and its summary, the diagnostic
 * line again, and the lines of the start around it.
 */
#define VMM_RING_DUMP_RECORDS (VMCS_FIELD_COUNT + 4u)
_Static_assert(FLANK_RING_DEFAULT_SIZE / VMM_RING_SLOT_SIZE - 1u >=
		       VMM_RING_DUMP_RECORDS + 64u,
	       "the default ring holds a VMCS dump and 64 lines around it");
_Static_assert(FLANK_RING_MIN_SIZE / VMM_RING_SLOT_SIZE - 1u >=
		       VMM_RING_MIN_SLOTS,
	       "the smallest ring the platform may pass is a valid ring");

/* Refuses ring memory vmm_ring_init() could not use or that is absurd. */
static int ring_check(const struct flank_platform *p)
{
	if (p->ring_mem == NULL || ((uintptr_t)p->ring_mem & 7u) != 0 ||
	    p->ring_size < FLANK_RING_MIN_SIZE ||
	    p->ring_size > FLANK_RING_MAX_SIZE)
		return VMM_ERR_RING_CONFIG;
	return VMM_OK;
}

/*
 * The CPU table fills at most the one page init takes for it, and every
 * status fits the byte that records a CPU's last one.
 */
_Static_assert(VMM_MAX_CPUS * sizeof(struct vmm_cpu *) <=
		       VMM_PAGES_AT_INIT * (size_t)4096,
	       "the CPU table fits the pages init allocates");
_Static_assert(VMM_STATUS_COUNT <= 256u, "a status fits last_error's byte");

bool vmm_in_exit_handler(uint32_t id)
{
	/* Before init and after fini there is no table, and no CPU runs. */
	struct vmm_cpu *const *table = vmm_ctx.cpu;
	const struct vmm_cpu *cpu =
		table != NULL && id < vmm_ctx.ncpus ? table[id] : NULL;

	return cpu != NULL && __atomic_load_n(&cpu->in_exit, __ATOMIC_RELAXED);
}

/*
 * Every libvmm log line goes into the debug ring (read through the image
 * entry's ring_read, i.e. `flankctl dump`, and drained to the kernel log by
 * flank.ko) and, outside the exit handler, to the host's log sink. Inside
 * it the CPU is in VMX root on the VMM's 4 KiB stack, maybe interrupting a
 * guest that holds the console lock: printk could deadlock or overflow the
 * stack. The check is here, in the one function that calls the sink, so
 * that no diagnostic reached from the handler can forget it (issue #14
 * item 7). A CPU id the platform cannot name (VMM_RING_CPU_UNKNOWN) is
 * never in the handler.
 */
void vmm_log(enum flank_log_level level, const char *line)
{
	uint32_t cpu = VMM_RING_CPU_UNKNOWN;

	if (vmm_ctx.platform.cpu_id != NULL)
		cpu = vmm_ctx.platform.cpu_id(vmm_ctx.platform.ctx);
	if (vmm_in_exit_handler(cpu)) {
		(void)vmm_console_write(cpu, level, line);
		return;
	}
	/* A CPU under Flank is a guest: the ring is the VMM's, written in
	 * VMX root by a hypercall (query.c, pinned while any CPU is). */
	if (vmm_any_guest())
		vmm_query_ring_write(level, line);
	else
		(void)vmm_console_write(cpu, level, line);
	if (vmm_ctx.platform.log != NULL)
		vmm_ctx.platform.log(vmm_ctx.platform.ctx, level, line);
}

void vmm_logf(enum flank_log_level level, const char *fmt, ...)
{
	char line[VMM_RING_TEXT_MAX + 1];
	vmm_va_list ap;

	vmm_va_start(ap, fmt);
	(void)vmm_vsnprintf(line, sizeof(line), fmt, ap);
	vmm_va_end(ap);
	vmm_log(level, line);
}

/*
 * The speculation settings (docs/exits.md, "Speculation"): only the bits
 * this ABI defines, and with VERW a selector that can name a GDT data
 * segment at CPL 0 (not null, TI = 0, RPL = 0); without it, no selector.
 */
static bool spec_ok(const struct flank_platform *p)
{
	if ((p->spec_flags & ~FLANK_SPEC_ALL) != 0 || p->reserved16 != 0)
		return false;
	if ((p->spec_flags & FLANK_SPEC_CLEAR_CPU_BUF) == 0)
		return p->verw_sel == 0;
	return (p->verw_sel & 7u) == 0 && p->verw_sel != 0;
}

int vmm_init(const struct flank_platform *p)
{
	struct vmm_ring *ring;
	uint64_t table_pa = 0;
	uint32_t n;
	int st;

	if (vmm_ctx.state != FLANK_STATE_UNLOADED)
		return VMM_ERR_BAD_STATE;
	if (p == NULL || p->abi_version != FLANK_IMAGE_ABI_VERSION ||
	    p->size != sizeof(*p) || p->page_alloc == NULL ||
	    p->page_free == NULL || p->cpu_count == NULL || p->cpu_id == NULL ||
	    p->run_on_cpu == NULL || p->log == NULL || p->host_cr3 == 0 ||
	    (p->host_cr3 & 0xFFFu) != 0 || !spec_ok(p) ||
	    (p->hide & ~FLANK_HIDE_ALL) != 0 || p->reserved_hide != 0 ||
	    ((p->hide & ~FLANK_HIDE_EPT) != 0 &&
	     (p->hide & FLANK_HIDE_EPT) == 0))
		return VMM_ERR_BAD_PLATFORM;
	n = p->cpu_count(p->ctx);
	if (n == 0)
		return VMM_ERR_BAD_PLATFORM;
	if (n > VMM_MAX_CPUS)
		return VMM_ERR_TOO_MANY_CPUS;
	if (ring_check(p) != VMM_OK)
		return VMM_ERR_RING_CONFIG;
	if (vmm_serial_check(p) != VMM_OK)
		return VMM_ERR_SERIAL_CONFIG;
	vmm_zero(&vmm_ctx, sizeof(vmm_ctx));
	/* The CPU table: a page of the host's (zeroed: no CPU yet), not
	 * 4 KiB of the image's .bss (issue #6, docs/loader.md). */
	vmm_ctx.cpu = p->page_alloc(p->ctx, &table_pa);
	if (vmm_ctx.cpu == NULL)
		return VMM_ERR_NO_MEMORY;
	/* The answer page of the host's calls from a CPU under Flank
	 * (query.c): the guest reads it, so it is never hidden. */
	vmm_ctx.answer = p->page_alloc(p->ctx, &table_pa);
	if (vmm_ctx.answer == NULL) {
		p->page_free(p->ctx, vmm_ctx.cpu);
		vmm_ctx.cpu = NULL;
		return VMM_ERR_NO_MEMORY;
	}
	vmm_ctx.platform = *p;
	vmm_ctx.ncpus = n;
	vmm_ctx.entry_failure_cpu = ~0u;
	vmm_ctx.state = FLANK_STATE_LOADED;
	/* Cannot fail: ring_check() saw aligned memory of a valid size. */
	ring = vmm_ring_init(p->ring_mem, (size_t)p->ring_size);
	vmm_console_attach(ring, NULL);
	/* Then the UART, if configured: attached next to the same ring. */
	vmm_serial_start(ring, p);
	/* Last, a module's init hook: with the platform, the ring and the
	 * host's log in place; its refusal is the init's (vmm_extension.h). */
	st = vmm_init_hook_call();
	if (st != VMM_OK)
		(void)vmm_fini();
	return st;
}

int vmm_fini(void)
{
	if (vmm_ctx.state != FLANK_STATE_LOADED)
		return VMM_ERR_BAD_STATE;
	vmm_console_detach();
	vmm_serial_stop();
	vmm_ctx.platform.page_free(vmm_ctx.platform.ctx, vmm_ctx.cpu);
	vmm_ctx.platform.page_free(vmm_ctx.platform.ctx, vmm_ctx.answer);
	vmm_zero(&vmm_ctx, sizeof(vmm_ctx));
	vmm_ctx.state = FLANK_STATE_UNLOADED;
	return VMM_OK;
}

enum flank_vmm_state vmm_state(void)
{
	return vmm_ctx.state;
}

/* Allocates one page; checks what the VMX address rules need of it. */
static void *page_get(paddr_t *pa, unsigned width, int *status)
{
	uint64_t phys = 0;
	void *va = vmm_ctx.platform.page_alloc(vmm_ctx.platform.ctx, &phys);

	if (va == NULL) {
		*status = VMM_ERR_NO_MEMORY;
		return NULL;
	}
	/* SDM Vol. 3C 25.2, 31.3: VMX regions and bitmaps are 4 KiB aligned
	 * and within the physical-address width. */
	if ((phys & 0xFFFu) != 0 || ((uintptr_t)va & 0xFFFu) != 0 ||
	    (width != 0 && width < 64 && (phys >> width) != 0)) {
		vmm_ctx.platform.page_free(vmm_ctx.platform.ctx, va);
		*status = VMM_ERR_PAGE_ADDRESS;
		return NULL;
	}
	*pa = pa_init(phys);
	return va;
}

static void page_put(void *va)
{
	vmm_ctx.platform.page_free(vmm_ctx.platform.ctx, va);
}

struct vmm_cpu *vmm_cpu_alloc(uint32_t id, int *status)
{
	unsigned width = vmm_phys_width();
	struct vmm_cpu *cpu;
	paddr_t self_pa;

	cpu = page_get(&self_pa, width, status);
	if (cpu == NULL)
		goto err_self;
	cpu->magic = VMM_CPU_MAGIC;
	cpu->id = id;
	cpu->self_pa = self_pa;
	cpu->vmxon = page_get(&cpu->vmxon_pa, width, status);
	if (cpu->vmxon == NULL)
		goto err_vmxon;
	cpu->vmcs = page_get(&cpu->vmcs_pa, width, status);
	if (cpu->vmcs == NULL)
		goto err_vmcs;
	cpu->msr_bitmap = page_get(&cpu->msr_bitmap_pa, width, status);
	if (cpu->msr_bitmap == NULL)
		goto err_bitmap;
	if (vmm_ctx.platform.host_stack != NULL) {
		/* The host's guarded stack, which the image never frees (page
		 * aligned: image_abi.h). Only its virtual address matters. */
		cpu->stack =
			vmm_ctx.platform.host_stack(vmm_ctx.platform.ctx, id);
		*status = VMM_ERR_NO_MEMORY;
	} else {
		cpu->stack = page_get(&cpu->stack_pa, width, status);
	}
	if (cpu->stack == NULL)
		goto err_stack;
	for (uint32_t i = 0; i < VMM_STACK_CANARY_WORDS; i++) {
		volatile uint64_t *w = (volatile uint64_t *)cpu->stack + i;
		*w = vmm_stack_canary(w);
	}
	*status = VMM_OK;
	return cpu;

err_stack:
	page_put(cpu->msr_bitmap);
err_bitmap:
	page_put(cpu->vmcs);
err_vmcs:
	page_put(cpu->vmxon);
err_vmxon:
	page_put(cpu);
err_self:
	return NULL;
}

void vmm_cpu_reset(struct vmm_cpu *cpu)
{
	void *pages[4] = {cpu->vmxon, cpu->vmcs, cpu->msr_bitmap, cpu->stack};
	paddr_t pa[5] = {cpu->vmxon_pa, cpu->vmcs_pa, cpu->msr_bitmap_pa,
			 cpu->stack_pa, cpu->self_pa};
	uint32_t id = cpu->id;
	bool hidden = cpu->hidden;

	vmm_zero(cpu, sizeof(*cpu));
	cpu->magic = VMM_CPU_MAGIC;
	cpu->id = id;
	cpu->vmxon = pages[0];
	cpu->vmcs = pages[1];
	cpu->msr_bitmap = pages[2];
	cpu->stack = pages[3];
	cpu->vmxon_pa = pa[0];
	cpu->vmcs_pa = pa[1];
	cpu->msr_bitmap_pa = pa[2];
	cpu->stack_pa = pa[3];
	cpu->self_pa = pa[4];
	cpu->hidden = hidden;
	/* The stack's canary stays as vmm_cpu_alloc() wrote it: the page is
	 * hidden, and this may run in VMX non-root, where a write to it
	 * would be dropped. */
}

void vmm_cpu_free(struct vmm_cpu *cpu)
{
	if (vmm_ctx.platform.host_stack == NULL)
		page_put(cpu->stack);
	page_put(cpu->msr_bitmap);
	page_put(cpu->vmcs);
	page_put(cpu->vmxon);
	cpu->magic = 0;
	page_put(cpu);
}
