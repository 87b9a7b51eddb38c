/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The EPT identity map (docs/ept.md): built once per start from the
 * capability MSR IA32_VMX_EPT_VPID_CAP, MAXPHYADDR and the MTRRs, shared
 * by every CPU, freed at stop. Pages come from the platform's page_alloc.
 */
#ifndef FLANK_EPT_H
#define FLANK_EPT_H

#include <stdbool.h>
#include <stdint.h>

struct vmm_mtrr_state;
struct vmm_cpu;
struct vmm_fmt;

/* IA32_VMX_EPT_VPID_CAP bits (SDM Vol. 3D A.10). @{ */
#define EPT_CAP_EXEC_ONLY BIT64(0)
#define EPT_CAP_WALK4 BIT64(6)
#define EPT_CAP_WALK5 BIT64(7)
#define EPT_CAP_UC BIT64(8)
#define EPT_CAP_WB BIT64(14)
#define EPT_CAP_2M BIT64(16)
#define EPT_CAP_1G BIT64(17)
#define EPT_CAP_INVEPT BIT64(20)
#define EPT_CAP_INVEPT_SINGLE BIT64(25)
#define EPT_CAP_INVEPT_ALL BIT64(26)
/* @} */

/* EPT paging-structure entries (SDM Vol. 3C 29.3.2, Tables 29-1..29-6). @{ */
#define EPTE_R BIT64(0)
#define EPTE_W BIT64(1)
#define EPTE_X BIT64(2)
#define EPTE_RWX (EPTE_R | EPTE_W | EPTE_X)
#define EPTE_MEMTYPE_SHIFT 3u
#define EPTE_IGNORE_PAT BIT64(6)
#define EPTE_LARGE BIT64(7)
#define EPTE_ADDR_MASK UINT64_C(0x000FFFFFFFFFF000)
/* @} */

/* EPTP (SDM Vol. 3C 25.6.11). @{ */
#define EPTP_MEMTYPE_UC 0u
#define EPTP_MEMTYPE_WB 6u
#define EPTP_WALK_SHIFT 3u
#define EPTP_AD BIT64(6)
/* @} */

/** Entries per paging structure; levels: 1 = PT (4 KiB) .. 5 = PML5. */
#define EPT_ENTRIES 512u
#define EPT_MAX_LEVELS 5u

/**
 * Without 1 GiB pages the map needs one page directory per GiB of
 * guest-physical space: beyond this many (MAXPHYADDR 40, 4 MiB of tables)
 * EPT stays off (docs/ept.md, "Memory cost").
 */
#define EPT_MAX_PD_PAGES 1024u

/**
 * Runs of one memory type kept for the debug ring (docs/ept.md, "Proof
 * against Linux"): a PC has about a dozen; more are counted, not kept.
 */
#define EPT_RUNS 32u

/** Leaves of one memory type from @c base to the next run (or the end). */
struct vmm_ept_run {
	uint64_t base;
	uint8_t type;
};

/**
 * Page-list pages: word 0 links the next, word 1 is the list page's own
 * physical address, then one (virtual, physical) pair per page taken: the
 * physical addresses are what hiding the map's pages needs (hide.c).
 */
#define EPT_LIST_SLOTS ((EPT_ENTRIES - 2u) / 2u)
/** Word of slot @p i's virtual address in a list page (+1: physical). */
#define EPT_LIST_WORD(i) (2u + 2u * (i))

struct vmm_ept {
	bool enabled;	 /**< Built: eptp is valid. */
	unsigned levels; /**< 4 or 5. */
	uint64_t cap;	 /**< IA32_VMX_EPT_VPID_CAP. */
	uint64_t eptp;
	uint64_t limit; /**< First guest-physical address not mapped. */
	uint64_t *root;
	/** Every page taken, tables and lists (the chain's head). */
	uint64_t *list;
	uint32_t list_used; /**< Slots used in the head list page. */
	uint32_t pages;	    /**< Pages taken, list pages included. */
	uint32_t leaves[3]; /**< Leaf entries: 4 KiB, 2 MiB, 1 GiB. */
	bool mtf; /**< "Monitor trap flag" may be 1 (page hooks' allow once). */
	/** The leaves' types in address order, as written (vmm_ept_map). */
	struct vmm_ept_run runs[EPT_RUNS];
	uint32_t runs_used; /**< Entries of runs[] used. */
	uint32_t runs_lost; /**< Runs that did not fit in runs[]. */
	uint64_t runs_end;  /**< End of the last leaf noted. */
	uint64_t kept_end;  /**< End of runs[] when runs were lost. */
	uint8_t run_type;   /**< Type of the run being noted. */
	/* Hiding the VMM's pages (hide.c, flank_platform.hide): */
	uint64_t zero_pa; /**< The zero page hidden pages map to; 0: none. */
	uint64_t sink_pa; /**< The page a dropped write lands in. */
	uint64_t *sink;	  /**< Its virtual address. */
	uint32_t hidden;  /**< Pages hidden in the map. */
};

/**
 * Why EPT stays off with these capabilities (CPUID MAXPHYADDR @p width,
 * IA32_VMX_EPT_VPID_CAP @p cap), or NULL if it can be enabled; fills
 * @p levels and @p limit then.
 */
const char *vmm_ept_unusable(uint64_t cap, unsigned width, unsigned *levels,
			     uint64_t *limit);

/**
 * Builds the identity map of [0, limit) into @p ept (levels, cap and limit
 * set) with memory types from @p mtrr. VMM_OK, or VMM_ERR_NO_MEMORY /
 * VMM_ERR_PAGE_ADDRESS / VMM_ERR_NOT_SUPPORTED with every page freed.
 */
int vmm_ept_map(struct vmm_ept *ept, const struct vmm_mtrr_state *mtrr,
		unsigned width);

/**
 * At start, on the controlling CPU: decides whether EPT is used (the
 * secondary control, the capability MSR, the MTRRs) and builds the map.
 * VMM_OK with ept->enabled false when it is not used (logged, why:
 * also when the MTRRs cannot be read or give a type EPT reserves);
 * VMM_ERR_CAPABILITY_MSR if a capability MSR cannot be read; the map's
 * errors.
 */
int vmm_ept_start(struct vmm_ept *ept);

/**
 * Logs the runs of one memory type the map's leaves hold, one line each:
 * "EPT type: 0xBASE-0xLAST NAME" (NAME as /proc/mtrr prints it), for the
 * whole-system comparison with Linux (tests/e2e/bochs-check.sh).
 */
void vmm_ept_log_types(const struct vmm_ept *ept);

/** Frees every page of @p ept and clears it. */
void vmm_ept_free(struct vmm_ept *ept);

/** True if @p cpu runs with "enable EPT" (its secondary controls). */
bool vmm_ept_on(const struct vmm_cpu *cpu);

/**
 * In VMX operation, before the first VM entry of @p cpu: INVEPT
 * single-context of the map's EPTP (all-context if the CPU lacks it).
 * VMM_OK, or VMM_ERR_INVEPT (logged).
 */
int vmm_ept_cpu_start(struct vmm_cpu *cpu);

/**
 * Before VMXOFF on @p cpu: INVEPT all-context (single-context if the CPU
 * lacks it), so that no cached translation outlives the freed tables. A
 * failure is logged.
 */
void vmm_ept_cpu_stop(struct vmm_cpu *cpu);

/**
 * Appends the decoded EPT-violation qualification @p qual (SDM Vol. 3C
 * Table 28-7) with @p gpa and @p gla (used only if the qualification says
 * it is valid) to @p f.
 */
void vmm_ept_violation_describe(struct vmm_fmt *f, uint64_t qual, uint64_t gpa,
				uint64_t gla);

/**
 * Hides the pages flank_platform.hide names (hide.c, docs/ept.md "The
 * VMM's pages are not the guest's"): each gets a 4 KiB leaf of its own
 * mapping the zero page read-only, large leaves split as page hooks split
 * them. At the end of vmm_ept_map(), before any CPU uses the map. VMM_OK,
 * or vmm_ept_page_take()'s errors (the caller frees the map).
 */
int vmm_hide_map(struct vmm_ept *e, unsigned width);

/**
 * With FLANK_HIDE_CPUS, after vmm_ept_start() built a map and before any
 * CPU starts: hides the VMXON region, VMCS, MSR bitmap and (from
 * page_alloc) host stack of every CPU in vmm_ctx.cpu[] and marks each
 * hidden. VMM_OK, or vmm_ept_page_take()'s errors (the caller frees the CPUs
 * and the map).
 */
int vmm_hide_cpus(struct vmm_ept *e);

/**
 * Guest writes dropped on the hidden page of @p gpa since the map was
 * built (all CPUs); with UINT64_MAX, those to pages beyond the table of
 * 16 addresses that are counted one by one.
 */
uint64_t vmm_hide_drops(uint64_t gpa);

/* Page hooks (page_hook.c, docs/modules.md "Page hooks"). @{ */
/** True if a hooked page lies in [@p addr, @p addr + @p size). */
bool vmm_page_hooked_in(uint64_t addr, uint64_t size);
/**
 * Applies the hook of @p addr, if any, to the 4 KiB leaf @p pte of map
 * @p e (physical width @p width): clears its permissions, or for a split
 * view takes a page for the shadow copy and makes the leaf execute-only on
 * it; records @p pte for the hook's exits. VMM_OK, or
 * VMM_ERR_EPT_NO_EXEC_ONLY / the errors of vmm_ept_page_take().
 */
int vmm_page_hook_leaf(struct vmm_ept *e, unsigned width, uint64_t addr,
		       uint64_t *pte);
/**
 * One zeroed page recorded in @p e's page list (freed with the map),
 * within @p width bits: its address and *@p pa, or NULL with *@p st set
 * (VMM_ERR_NO_MEMORY, VMM_ERR_PAGE_ADDRESS).
 */
uint64_t *vmm_ept_page_take(struct vmm_ept *e, unsigned width, uint64_t *pa,
			    int *st);
/**
 * If a hook of page @p gpa owns the leaf @p pte: forgets the leaf (the
 * hook is not called again in this start) and returns true. For hide.c,
 * which hides the page (map build, before any CPU uses the map).
 */
bool vmm_page_hook_detach(uint64_t gpa, const uint64_t *pte);
/** Forgets every recorded leaf (the map is rebuilt or freed). */
void vmm_page_hooks_unmap(void);
/* @} */

#endif /* FLANK_EPT_H */
