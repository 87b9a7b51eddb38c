// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The EPT identity map (docs/ept.md): every guest-physical address below
 * the limit maps to the same host-physical address, readable, writable and
 * executable, with the largest page (1 GiB, 2 MiB, 4 KiB) whose whole range
 * has one MTRR memory type, and that type in the entry. Built once per
 * start, iteratively (no recursion): a walk down the levels that descends
 * only where a range needs smaller pages. Every page taken is recorded in a
 * page list, so that a failure at any allocation frees what was taken.
 */
#include "ept.h"

#include "../vmm_internal.h"
#include "mtrr.h"

/* Bytes one entry of a level-@p level structure maps (level 1: 4 KiB). */
static uint64_t span(unsigned level)
{
	return UINT64_C(1) << (12u + 9u * (level - 1u));
}

/* A leaf entry is allowed at @p level (SDM Vol. 3C 29.3.2: PDPTE with
 * bit 7 needs 1 GiB support, PDE with bit 7 2 MiB, Vol. 3D A.10). */
static bool leaf_ok(const struct vmm_ept *e, unsigned level)
{
	return level == 1 || (level == 2 && (e->cap & EPT_CAP_2M) != 0) ||
	       (level == 3 && (e->cap & EPT_CAP_1G) != 0);
}

/* The memory types an EPT leaf may hold (SDM Vol. 3C 29.3.7: 2, 3 and 7
 * are reserved and cause EPT misconfigurations). */
static bool type_ok(uint8_t t)
{
	return t == VMM_MTRR_UC || t == VMM_MTRR_WC || t == VMM_MTRR_WT ||
	       t == VMM_MTRR_WP || t == VMM_MTRR_WB;
}

/* Records @p page at @p page_pa in the page list; may take a list page. */
static bool list_add(struct vmm_ept *e, uint64_t *page, uint64_t page_pa)
{
	if (e->list == NULL || e->list_used == EPT_LIST_SLOTS) {
		uint64_t pa = 0;
		uint64_t *l =
			vmm_ctx.platform.page_alloc(vmm_ctx.platform.ctx, &pa);
		if (l == NULL)
			return false;
		e->pages++;
		l[0] = (uint64_t)(uintptr_t)e->list;
		l[1] = pa;
		e->list = l;
		e->list_used = 0;
	}
	e->list[EPT_LIST_WORD(e->list_used)] = (uint64_t)(uintptr_t)page;
	e->list[EPT_LIST_WORD(e->list_used) + 1u] = page_pa;
	e->list_used++;
	return true;
}

/* One zeroed table page within the physical-address width. */
static uint64_t *table_take(struct vmm_ept *e, unsigned width, uint64_t *pa,
			    int *st)
{
	uint64_t *t = vmm_ctx.platform.page_alloc(vmm_ctx.platform.ctx, pa);

	if (t == NULL) {
		*st = VMM_ERR_NO_MEMORY;
		return NULL;
	}
	/* SDM Vol. 3C 29.3.2: a structure is 4 KiB aligned, its address
	 * within MAXPHYADDR (higher bits are reserved: misconfiguration). */
	if ((*pa & 0xFFFu) != 0 || ((uintptr_t)t & 0xFFFu) != 0 ||
	    (*pa >> width) != 0) {
		vmm_ctx.platform.page_free(vmm_ctx.platform.ctx, t);
		*st = VMM_ERR_PAGE_ADDRESS;
		return NULL;
	}
	if (!list_add(e, t, *pa)) {
		vmm_ctx.platform.page_free(vmm_ctx.platform.ctx, t);
		*st = VMM_ERR_NO_MEMORY;
		return NULL;
	}
	e->pages++;
	vmm_zero(t, VMM_PAGE_SIZE);
	return t;
}

uint64_t *vmm_ept_page_take(struct vmm_ept *e, unsigned width, uint64_t *pa,
			    int *st)
{
	return table_take(e, width, pa, st);
}

void vmm_ept_free(struct vmm_ept *ept)
{
	uint64_t *l = ept->list;
	uint32_t used = ept->list_used;

	while (l != NULL) {
		uint64_t *next = (uint64_t *)(uintptr_t)l[0];

		for (uint32_t i = 0; i < used; i++)
			vmm_ctx.platform.page_free(
				vmm_ctx.platform.ctx,
				(void *)(uintptr_t)l[EPT_LIST_WORD(i)]);
		vmm_ctx.platform.page_free(vmm_ctx.platform.ctx, l);
		l = next;
		used = EPT_LIST_SLOTS;
	}
	vmm_page_hooks_unmap();
	vmm_zero(ept, sizeof(*ept));
}

const char *vmm_ept_unusable(uint64_t cap, unsigned width, unsigned *levels,
			     uint64_t *limit)
{
	/* SDM Vol. 3C 31.3 INVEPT: Flank needs one of the two types. */
	if ((cap & EPT_CAP_INVEPT) == 0 ||
	    (cap & (EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL)) == 0)
		return "the CPU has no single- or all-context INVEPT";
	if ((cap & (EPT_CAP_WB | EPT_CAP_UC)) == 0)
		return "the CPU allows neither WB nor UC EPT paging structures";
	if (width < 36 || width > 52)
		return "MAXPHYADDR is unknown";
	/*
	 * The walk length follows the guest-physical width, not the guest's
	 * LA57: a 4-level walk translates 48-bit guest-physical addresses
	 * (SDM Vol. 3C 29.3.2). Above 48 bits, 5 levels when the CPU has
	 * them, else the map stops at 256 TiB (docs/ept.md).
	 */
	if (width > 48 && (cap & EPT_CAP_WALK5) != 0) {
		*levels = 5;
		*limit = UINT64_C(1) << width;
	} else if ((cap & EPT_CAP_WALK4) != 0) {
		*levels = 4;
		*limit = UINT64_C(1) << (width > 48 ? 48 : width);
	} else {
		return "the CPU has no 4-level EPT walk";
	}
	if ((cap & (EPT_CAP_1G | EPT_CAP_2M)) == 0)
		return "the CPU has only 4 KiB EPT pages: mapping MAXPHYADDR "
		       "would take too many pages";
	if ((cap & EPT_CAP_1G) == 0 && (*limit >> 30) > EPT_MAX_PD_PAGES)
		return "without 1 GiB EPT pages, mapping MAXPHYADDR would take "
		       "more than 4 MiB of tables";
	return NULL;
}

/* Records the leaf [@p addr, @p addr + @p size) of type @p t in the runs. */
static void run_note(struct vmm_ept *e, uint64_t addr, uint64_t size, uint8_t t)
{
	if (e->runs_used > 0 && e->runs_end == addr && e->run_type == t) {
		e->runs_end = addr + size;
		return;
	}
	if (e->runs_used < EPT_RUNS) {
		e->runs[e->runs_used].base = addr;
		e->runs[e->runs_used].type = t;
		e->runs_used++;
	} else {
		if (e->runs_lost == 0)
			e->kept_end = addr;
		e->runs_lost++;
	}
	e->run_type = t;
	e->runs_end = addr + size;
}

void vmm_ept_log_types(const struct vmm_ept *ept)
{
	for (uint32_t i = 0; i < ept->runs_used; i++) {
		uint64_t end = i + 1 < ept->runs_used ? ept->runs[i + 1].base
			       : ept->runs_lost != 0  ? ept->kept_end
						      : ept->runs_end;

		vmm_logf(FLANK_LOG_INFO, "EPT type: 0x%llx-0x%llx %s",
			 (unsigned long long)ept->runs[i].base,
			 (unsigned long long)(end - 1),
			 vmm_mtrr_type_name(ept->runs[i].type));
	}
	if (ept->runs_lost != 0)
		vmm_logf(FLANK_LOG_INFO, "EPT type: %u more runs not kept",
			 ept->runs_lost);
}

int vmm_ept_map(struct vmm_ept *ept, const struct vmm_mtrr_state *mtrr,
		unsigned width)
{
	uint64_t *tab[EPT_MAX_LEVELS + 1];
	uint64_t addr = 0, pa = 0;
	unsigned level = ept->levels;
	int st = VMM_ERR_NOT_SUPPORTED;

	if (level < 4 || level > EPT_MAX_LEVELS)
		return VMM_ERR_NOT_SUPPORTED;
	vmm_page_hooks_unmap();
	ept->root = table_take(ept, width, &pa, &st);
	if (ept->root == NULL)
		goto err;
	/* SDM Vol. 3C 25.6.11: memory type, walk length - 1, A/D off. */
	ept->eptp = pa |
		    ((ept->cap & EPT_CAP_WB) != 0 ? EPTP_MEMTYPE_WB
						  : EPTP_MEMTYPE_UC) |
		    ((uint64_t)(level - 1u) << EPTP_WALK_SHIFT);
	tab[level] = ept->root;
	while (addr < ept->limit) {
		uint64_t size = span(level);
		unsigned i = (unsigned)((addr / size) % EPT_ENTRIES);
		uint8_t t = 0;

		/* A hooked page gets a 4 KiB leaf of its own (page_hook.c);
		 * its type is that of the range around it. */
		if (leaf_ok(ept, level) && size <= ept->limit - addr &&
		    (level == 1 || !vmm_page_hooked_in(addr, size)) &&
		    vmm_mtrr_range_type(mtrr, addr, size, &t)) {
			if (!type_ok(t)) {
				st = VMM_ERR_NOT_SUPPORTED;
				goto err;
			}
			/* "Ignore PAT" (bit 6) clear: the guest's PAT
			 * combines with this type (SDM Vol. 3C 29.3.7.2). */
			tab[level][i] = addr | EPTE_RWX |
					((uint64_t)t << EPTE_MEMTYPE_SHIFT) |
					(level > 1 ? EPTE_LARGE : 0);
			if (level == 1) {
				st = vmm_page_hook_leaf(ept, width, addr,
							&tab[1][i]);
				if (st != VMM_OK)
					goto err;
			}
			ept->leaves[level - 1]++;
			run_note(ept, addr, size, t);
			addr += size;
			/* Back up while the structure at @level is full. */
			while (level < ept->levels &&
			       (addr & (span(level + 1) - 1)) == 0)
				level++;
			continue;
		}
		if (level == 1) {
			/* A 4 KiB page without one type: the MTRR module
			 * broke its contract. */
			st = VMM_ERR_NOT_SUPPORTED;
			goto err;
		}
		tab[level - 1] = table_take(ept, width, &pa, &st);
		if (tab[level - 1] == NULL)
			goto err;
		/* Non-leaf: bits 7:3 reserved (0), RWX for everything below. */
		tab[level][i] = pa | EPTE_RWX;
		level--;
	}
	st = vmm_hide_map(ept, width);
	if (st != VMM_OK)
		goto err;
	ept->enabled = true;
	return VMM_OK;

err:
	vmm_ept_free(ept);
	return st;
}

/* Reads capability MSR @p msr. */
static bool cap_read(uint32_t msr, uint64_t *v)
{
	if (cpu_rdmsr_safe(msr, v) == CPU_SAFE_OK)
		return true;
	/* As caps.c says it: the status alone does not name the MSR. */
	vmm_logf(FLANK_LOG_ERROR, "RDMSR 0x%x raised #GP", msr);
	return false;
}

int vmm_ept_start(struct vmm_ept *ept)
{
	struct vmm_mtrr_state mtrr;
	struct cpu_cpuid_regs r;
	uint64_t proc = 0, proc2 = 0, cap = 0, limit = 0;
	unsigned width, levels = 0;
	const char *why;
	int st;

	vmm_zero(ept, sizeof(*ept));
	/* Without VT-x the per-CPU start says so (VMM_ERR_NO_VMX). */
	cpu_cpuid(1, 0, &r);
	if ((r.ecx & X86_CPUID1_ECX_VMX) == 0)
		return VMM_OK;
	/*
	 * SDM Vol. 3D A.3.2/A.3.3/A.10: secondary controls exist if
	 * PROCBASED_CTLS allows bit 31 (its TRUE twin has the same allowed-1
	 * bits), "enable EPT" if CTLS2 allows bit 1, and EPT_VPID_CAP exists
	 * only then.
	 */
	if (!cap_read(MSR_IA32_VMX_PROCBASED_CTLS, &proc))
		return VMM_ERR_CAPABILITY_MSR;
	if (((proc >> 32) & CPU_ACTIVATE_SECONDARY) == 0)
		return VMM_OK;
	if (!cap_read(MSR_IA32_VMX_PROCBASED_CTLS2, &proc2))
		return VMM_ERR_CAPABILITY_MSR;
	if (((proc2 >> 32) & SEC_ENABLE_EPT) == 0)
		return VMM_OK;
	if (!cap_read(MSR_IA32_VMX_EPT_VPID_CAP, &cap))
		return VMM_ERR_CAPABILITY_MSR;
	width = vmm_phys_width();
	why = vmm_ept_unusable(cap, width, &levels, &limit);
	if (why != NULL) {
		vmm_logf(FLANK_LOG_INFO, "EPT off: %s", why);
		return VMM_OK;
	}
	/* Memory types the map cannot know are worse than no map (the
	 * bug class of docs/ept.md): run without EPT, and say so. */
	st = vmm_mtrr_read(&mtrr);
	if (st != VMM_OK) {
		vmm_logf(FLANK_LOG_INFO,
			 "EPT off: the MTRRs cannot be read (%s)",
			 vmm_status_name(st));
		return VMM_OK;
	}
	ept->cap = cap;
	/* SDM Vol. 3D A.3.2: allowed-1 bit 27, "monitor trap flag". */
	ept->mtf = ((proc >> 32) & CPU_MONITOR_TRAP_FLAG) != 0;
	ept->levels = levels;
	ept->limit = limit;
	st = vmm_ept_map(ept, &mtrr, width);
	if (st == VMM_ERR_NOT_SUPPORTED) {
		/* A memory type EPT reserves (hardware refuses it in an MTRR
		 * with #GP; a model or a hypervisor below may not): no map
		 * rather than a misconfigured one. Nothing is left taken. */
		vmm_log(FLANK_LOG_INFO, "EPT off: the MTRRs give a range a "
					"memory type EPT reserves");
		return VMM_OK;
	}
	if (st != VMM_OK) {
		vmm_logf(FLANK_LOG_ERROR, "EPT: building the map failed: %s",
			 vmm_status_name(st));
		return st;
	}
	vmm_logf(FLANK_LOG_INFO,
		 "EPT on: %u-level identity map of %llu GiB in %u pages "
		 "(%u x 1 GiB, %u x 2 MiB, %u x 4 KiB)",
		 ept->levels, (unsigned long long)(ept->limit >> 30),
		 ept->pages, ept->leaves[2], ept->leaves[1], ept->leaves[0]);
	vmm_ept_log_types(ept);
	if (ept->hidden != 0)
		vmm_logf(FLANK_LOG_INFO,
			 "EPT: %u pages of the VMM hidden from the guest "
			 "(zero page at 0x%llx)",
			 ept->hidden, (unsigned long long)ept->zero_pa);
	return VMM_OK;
}
