// SPDX-License-Identifier: GPL-2.0-only
/*
 * Every page the VMM touches in VMX root must be mapped in HOST_CR3.
 *
 * HOST_CR3 is the driver's own top-level table, a copy of the kernel's
 * top-level entries for kernel addresses (driver_linux/kmap.c). The tables
 * below those entries are the kernel's own, shared and live, but a
 * top-level entry that Linux adds later (memory hot-added in a new 512 GiB
 * region of the direct map, or a new 256 TiB one with 5-level paging) goes
 * only to the tables on pgd_list (sync_global_pgds, arch/x86/mm/init_64.c),
 * which ours is not on. A VMM page there (host stack, VMCS, MSR bitmap,
 * debug ring, ...) would be unmapped in VMX root: the first VM exit that
 * touches it faults with the host IDT on an unusable stack and the machine
 * hangs. So:
 *  - START copies the entries again (ops->host_cr3_refresh) and checks
 *    every page the VMM holds: the image, the debug ring, and every page it
 *    got from page_alloc (tracked here), refusing with FLANK_E_UNMAPPED and
 *    the page's address when one is not mapped;
 *  - from then until the VMM is stopped, page_alloc checks each new page
 *    (per-CPU pages are allocated inside start_all and the online
 *    callback, after the check) and hands the image NULL for one that is
 *    not mapped, which the image reports as out of memory and rolls back;
 *    the core then reports the page.
 */
#include <stdio.h>
#include <string.h>

#include "flank_core.h"

#define VMM_PAGE_SIZE 4096u

static bool maps(struct flank_core *core, const void *va)
{
	const struct flank_core_ops *ops = core->ops;

	return ops->host_cr3_maps(ops->ctx, (uint64_t)(uintptr_t)va);
}

/* @p page says which page (with its address) is not mapped. */
static int refuse(struct flank_ioc_err *err, const char *page)
{
	return flank_fail(err, FLANK_E_UNMAPPED, FLANK_SRC_DRIVER, 0,
			  FLANK_NO_CPU,
			  "start refused: %s is not mapped in HOST_CR3 even "
			  "after a fresh copy of the kernel's top-level "
			  "entries; unload and load the image",
			  page);
}

/* Every 4 KiB page that [start, start + bytes) touches; FLANK_OK if mapped. */
static int check_range(struct flank_core *core, struct flank_ioc_err *err,
		       const char *what, const void *start, size_t bytes)
{
	uintptr_t first = (uintptr_t)start & ~(uintptr_t)(VMM_PAGE_SIZE - 1);
	uintptr_t end = (uintptr_t)start + bytes;
	uintptr_t p;

	char page[96];

	for (p = first; start && p < end; p += VMM_PAGE_SIZE) {
		if (!maps(core, (const void *)p)) {
			snprintf(page, sizeof(page), "%s %zu at %#llx", what,
				 (size_t)((p - first) / VMM_PAGE_SIZE),
				 (unsigned long long)p);
			return refuse(err, page);
		}
	}
	return FLANK_OK;
}

int flank_host_cr3_check(struct flank_core *core, struct flank_ioc_err *err)
{
	const struct flank_core_ops *ops = core->ops;
	const struct flank_vmm_page *pg;
	char page[96];
	uint32_t i;
	int rc;

	ops->host_cr3_refresh(ops->ctx);
	/* Each host stack mapped, the page below it not (core/stacks.c). */
	rc = flank_stacks_check(core, err);
	if (rc)
		return rc;
	rc = check_range(core, err, "image page", core->image.base,
			 (size_t)core->image.bytes);
	if (!rc)
		rc = check_range(core, err, "debug ring page", core->ring_mem,
				 (size_t)core->ring_kib << 10);
	if (rc)
		return rc;
	for (i = 0; i < core->nvmm_pages; i++) {
		pg = &core->vmm_page[i];
		if (maps(core, pg->va))
			continue;
		/* The image does not say what it uses a page for. */
		snprintf(page, sizeof(page),
			 "the VMM's page at %#llx (physical %#llx, from "
			 "page_alloc)",
			 (unsigned long long)(uintptr_t)pg->va,
			 (unsigned long long)pg->pa);
		return refuse(err, page);
	}
	return FLANK_OK;
}

void *flank_vmm_page_alloc(struct flank_core *core, uint64_t *pa)
{
	const struct flank_core_ops *ops = core->ops;
	struct flank_vmm_page *slot;
	uint64_t phys = 0;
	void *va;

	if (core->nvmm_pages >= FLANK_VMM_PAGES_MAX) {
		flank_log(core, FLANK_LOG_ERROR,
			  "page_alloc refused: the image holds %u pages, the "
			  "most flank.ko keeps track of",
			  FLANK_VMM_PAGES_MAX);
		return NULL;
	}
	va = ops->page_alloc(ops->ctx, &phys);
	if (!va)
		return NULL;
	if (core->vmx_live && !maps(core, va)) {
		/* Report the first; the image sees "out of memory". */
		if (!core->unmapped.va) {
			core->unmapped.va = va;
			core->unmapped.pa = phys;
		}
		ops->page_free(ops->ctx, va);
		return NULL;
	}
	slot = &core->vmm_page[core->nvmm_pages++];
	slot->va = va;
	slot->pa = phys;
	*pa = phys;
	return va;
}

void flank_vmm_page_free(struct flank_core *core, void *va)
{
	const struct flank_core_ops *ops = core->ops;
	uint32_t i;

	for (i = 0; va && i < core->nvmm_pages; i++) {
		if (core->vmm_page[i].va == va) {
			core->vmm_page[i] = core->vmm_page[--core->nvmm_pages];
			memset(&core->vmm_page[core->nvmm_pages], 0,
			       sizeof(core->vmm_page[0]));
			break;
		}
	}
	ops->page_free(ops->ctx, va);
}

int flank_unmapped_fail(struct flank_core *core, struct flank_ioc_err *err,
			uint32_t cpu)
{
	return flank_fail(err, FLANK_E_UNMAPPED, FLANK_SRC_DRIVER, 0, cpu,
			  "CPU %d: the VMM's page at %#llx (physical %#llx, "
			  "from page_alloc) is not mapped in HOST_CR3 (memory "
			  "hot-added since start?); every CPU was rolled back; "
			  "`flankctl start` again copies afresh",
			  cpu == FLANK_NO_CPU ? -1 : (int)cpu,
			  (unsigned long long)(uintptr_t)core->unmapped.va,
			  (unsigned long long)core->unmapped.pa);
}

void flank_unmapped_log_online(struct flank_core *core, uint32_t cpu)
{
	flank_log(core, FLANK_LOG_ERROR,
		  "CPU %u came online but its VMM page at %#llx (physical "
		  "%#llx) is not mapped in HOST_CR3 (memory hot-added since "
		  "start?); refusing to online it; stop and start Flank to "
		  "copy the kernel's top-level entries afresh",
		  cpu, (unsigned long long)(uintptr_t)core->unmapped.va,
		  (unsigned long long)core->unmapped.pa);
}
