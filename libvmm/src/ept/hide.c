// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VMM's pages are not the guest's (issue #18 section 3, docs/ept.md
 * "The VMM's pages are not the guest's"). The pages that
 * flank_platform.hide names get a 4 KiB leaf of their own in the EPT map,
 * which maps one shared zero page read-only: a guest read gives zeros. A
 * guest write is an EPT violation (SDM Vol. 3C 29.3.3.2); since the exit
 * reports no instruction length (28.2.5) it cannot be skipped, so the
 * write is let through to a scratch "sink" page: the leaf maps the sink
 * writable, the monitor trap flag (26.5.2) stops the guest right after the
 * instruction, and the MTF exit wipes the sink, maps the zero page again
 * and drops this CPU's cached translation with INVEPT (29.4.3.1). The real
 * page is never mapped. Each dropped write is counted per CPU (flankctl
 * stats) and per guest-physical address (a small table; the first write to
 * each address is logged in the ring).
 *
 * Which pages today: those of the map itself (tables, page lists) and the
 * zero and sink pages, whose lifetime is the map's; docs/ept.md says why
 * the image, its data, the host stacks, the per-CPU pages and the ring are
 * not hidden yet.
 */
#include "../exit_internal.h"
#include "../hooks.h"
#include "ept.h"

/* The memory-type bits a split or a hidden leaf keeps (bits 6:3). */
#define LEAF_KEEP (UINT64_C(7) << EPTE_MEMTYPE_SHIFT | EPTE_IGNORE_PAT)

/* Addresses whose dropped writes are counted one by one. */
#define HIDE_DROPS 16u

static struct {
	uint64_t gpa[HIDE_DROPS]; /* Page address + 1 (0: free slot). */
	uint64_t count[HIDE_DROPS];
	uint64_t lost; /* Dropped writes to pages beyond the table. */
} drops;

/* Bytes one entry of a level-@p level structure maps (level 1: 4 KiB). */
static uint64_t span(unsigned level)
{
	return UINT64_C(1) << (12u + 9u * (level - 1u));
}

/* The virtual address of the table at physical @p pa: the map's tables
 * are its own pages, found in its list (the walk has only addresses). */
static uint64_t *table_at(const struct vmm_ept *e, uint64_t pa)
{
	const uint64_t *l = e->list;
	uint32_t used = e->list_used;

	while (l != NULL) {
		for (uint32_t i = 0; i < used; i++)
			if (l[EPT_LIST_WORD(i) + 1u] == pa)
				return (uint64_t *)(uintptr_t)
					l[EPT_LIST_WORD(i)];
		l = (const uint64_t *)(uintptr_t)l[0];
		used = EPT_LIST_SLOTS;
	}
	return NULL;
}

/*
 * The entry that maps @p gpa: the 4 KiB leaf, or the large leaf or the
 * not-present entry where the walk ends; its level in @p level.
 */
static uint64_t *walk(const struct vmm_ept *e, uint64_t gpa, unsigned *level)
{
	uint64_t *t = e->root;

	for (unsigned l = e->levels; t != NULL; l--) {
		uint64_t *pte = &t[(gpa / span(l)) % EPT_ENTRIES];
		uint64_t v = __atomic_load_n(pte, __ATOMIC_ACQUIRE);

		*level = l;
		if (l == 1 || (v & EPTE_RWX) == 0 || (v & EPTE_LARGE) != 0)
			return pte;
		t = table_at(e, v & EPTE_ADDR_MASK);
	}
	return NULL;
}

/*
 * True if the leaf @p v at level @p level hides its page: it maps the zero
 * or the sink page and is never executable (the identity leaves of those
 * two pages, before they are hidden, are).
 */
static bool leaf_hidden(const struct vmm_ept *e, uint64_t v, unsigned level)
{
	uint64_t a = v & EPTE_ADDR_MASK;

	return level == 1 && (v & EPTE_R) != 0 && (v & EPTE_X) == 0 &&
	       (a == e->zero_pa || a == e->sink_pa);
}

/*
 * Replaces the large leaf *@p pte of level @p level (2 or 3) by a table of
 * 512 leaves of the next level down that map the same range with the same
 * permissions and memory type (SDM Vol. 3C 29.3.2), as ept.c does where a
 * range needs smaller pages.
 */
static int split(struct vmm_ept *e, uint64_t *pte, unsigned level,
		 unsigned width)
{
	uint64_t v = *pte, pa = 0, base = v & EPTE_ADDR_MASK;
	uint64_t keep = v & (EPTE_RWX | LEAF_KEEP);
	int st = VMM_OK;
	uint64_t *t = vmm_ept_page_take(e, width, &pa, &st);

	if (t == NULL)
		return st;
	for (unsigned i = 0; i < EPT_ENTRIES; i++)
		t[i] = (base + i * span(level - 1u)) | keep |
		       (level - 1u > 1u ? EPTE_LARGE : 0);
	e->leaves[level - 1u]--;
	e->leaves[level - 2u] += EPT_ENTRIES;
	/* Non-leaf: bits 7:3 reserved (0), RWX for everything below. */
	__atomic_store_n(pte, pa | EPTE_RWX, __ATOMIC_RELEASE);
	return VMM_OK;
}

/* Hides the page at @p pa; *@p done is set if it was hidden here. */
static int hide_page(struct vmm_ept *e, uint64_t pa, unsigned width, bool *done)
{
	unsigned level = 0;
	uint64_t *pte;
	int st;

	if (pa >= e->limit)
		return VMM_OK; /* Not mapped: the guest cannot reach it. */
	for (;;) {
		pte = walk(e, pa, &level);
		if (pte == NULL)
			return VMM_OK;
		if (level == 1)
			break;
		if ((*pte & EPTE_RWX) == 0)
			return VMM_OK;
		st = split(e, pte, level, width);
		if (st != VMM_OK)
			return st;
	}
	/*
	 * A page hook's leaf (a page the host gave the VMM that a module
	 * named: it cannot know the VMM's pages): hiding wins. The hook
	 * would reopen the page itself (allow once, or a split view's data
	 * view) for the guest; it is detached, its page hidden even if the
	 * hook took every permission (the leaf is not present then).
	 */
	if (vmm_page_hook_detach(pa, pte))
		vmm_logf(FLANK_LOG_WARN,
			 "EPT: GPA 0x%llx page hook dropped: the page is the "
			 "VMM's, hidden",
			 (unsigned long long)pa);
	else if ((*pte & EPTE_RWX) == 0)
		return VMM_OK;
	/* Hidden already: exactly the zero page, R only (no CPU runs, so no
	 * leaf is on the sink). Not leaf_hidden(): a hook that took only X
	 * from the zero or sink page's own leaf leaves it looking hidden
	 * but writable. */
	if ((*pte & ~LEAF_KEEP) == (e->zero_pa | EPTE_R))
		return VMM_OK;
	/* Read-only (write without read would be a misconfiguration, SDM
	 * Vol. 3C 29.3.3.1), no execute; the range's memory type kept. */
	*pte = e->zero_pa | EPTE_R | (*pte & LEAF_KEEP);
	e->hidden++;
	*done = true;
	return VMM_OK;
}

/*
 * Hides every page of the map, list pages included. A split takes a table,
 * which must be hidden too: repeat until a round hides nothing (each round
 * hides at least one page of a finite list, and the splits a page needs
 * are at most two).
 */
static int hide_map_pages(struct vmm_ept *e, unsigned width)
{
	bool again = true;
	int st = VMM_OK;

	while (again) {
		const uint64_t *l = e->list;
		uint32_t used = e->list_used;

		again = false;
		for (; l != NULL && st == VMM_OK;
		     l = (const uint64_t *)(uintptr_t)l[0],
		     used = EPT_LIST_SLOTS) {
			st = hide_page(e, l[1], width, &again);
			for (uint32_t i = 0; i < used && st == VMM_OK; i++)
				st = hide_page(e, l[EPT_LIST_WORD(i) + 1u],
					       width, &again);
		}
		if (st != VMM_OK)
			return st;
	}
	return VMM_OK;
}

/*
 * FLANK_HIDE_RING: every whole page of the debug ring, by the physical
 * address the host gives (a page it gives no address for stays visible).
 * From a CPU under Flank the image reaches the ring only by hypercall
 * (query.c); VMX root writes it through HOST_CR3, as always.
 */
static int hide_ring(struct vmm_ept *e, unsigned width)
{
	const struct flank_platform *p = &vmm_ctx.platform;
	uintptr_t va = ((uintptr_t)p->ring_mem + 0xFFFu) & ~(uintptr_t)0xFFFu;
	uintptr_t end = ((uintptr_t)p->ring_mem + (uintptr_t)p->ring_size) &
			~(uintptr_t)0xFFFu;
	uint32_t before = e->hidden;
	bool done = false;
	int st = VMM_OK;

	if ((p->hide & FLANK_HIDE_RING) == 0 || p->mem_pa == NULL)
		return VMM_OK;
	for (; va < end && st == VMM_OK; va += VMM_PAGE_SIZE) {
		uint64_t pa = p->mem_pa(p->ctx, (const void *)va);

		if ((pa & 0xFFFu) != 0 || (pa >> width) != 0)
			return VMM_ERR_PAGE_ADDRESS;
		if (pa != 0)
			st = hide_page(e, pa, width, &done);
	}
	if (st == VMM_OK)
		vmm_logf(FLANK_LOG_INFO,
			 "EPT: the debug ring hidden from the guest (%u pages)",
			 e->hidden - before);
	return st;
}

int vmm_hide_map(struct vmm_ept *e, unsigned width)
{
	uint64_t *zero;
	int st = VMM_OK;

	vmm_zero(&drops, sizeof(drops));
	if ((vmm_ctx.platform.hide & FLANK_HIDE_EPT) == 0)
		return VMM_OK;
	zero = vmm_ept_page_take(e, width, &e->zero_pa, &st);
	if (zero == NULL)
		return st;
	e->sink = vmm_ept_page_take(e, width, &e->sink_pa, &st);
	if (e->sink == NULL)
		return st;
	st = hide_ring(e, width);
	return st != VMM_OK ? st : hide_map_pages(e, width);
}

/*
 * The physical address of @p cpu's stack from flank_platform.host_stack,
 * into cpu->stack_pa (0: the host does not say, the stack stays visible).
 * VMM_ERR_PAGE_ADDRESS if the host's answer cannot be a page.
 */
static int host_stack_pa(struct vmm_cpu *cpu)
{
	const struct flank_platform *p = &vmm_ctx.platform;
	uint64_t pa = p->host_stack_pa != NULL
			      ? p->host_stack_pa(p->ctx, cpu->id)
			      : 0;

	if ((pa & 0xFFFu) != 0 || (pa >> vmm_phys_width()) != 0)
		return VMM_ERR_PAGE_ADDRESS;
	cpu->stack_pa = pa_init(pa);
	return VMM_OK;
}

int vmm_hide_cpus(struct vmm_ept *e)
{
	unsigned width = vmm_phys_width();
	uint32_t ncpus = 0, before = e->hidden;
	bool done = false;
	int st = VMM_OK;

	for (uint32_t id = 0; id < vmm_ctx.ncpus && st == VMM_OK; id++) {
		struct vmm_cpu *cpu = vmm_ctx.cpu[id];

		if (cpu == NULL)
			continue;
		/* Not the context page: the host's calls read it in VMX
		 * non-root (docs/ept.md). The VMXON region, the VMCS and
		 * the MSR bitmap the CPU reads by physical address, the
		 * stack only VMX root uses (the host's, if it says where). */
		st = hide_page(e, pa_addr(cpu->vmxon_pa), width, &done);
		if (st == VMM_OK)
			st = hide_page(e, pa_addr(cpu->vmcs_pa), width, &done);
		if (st == VMM_OK)
			st = hide_page(e, pa_addr(cpu->msr_bitmap_pa), width,
				       &done);
		if (st == VMM_OK && vmm_ctx.platform.host_stack != NULL)
			st = host_stack_pa(cpu);
		if (st == VMM_OK && pa_addr(cpu->stack_pa) != 0)
			st = hide_page(e, pa_addr(cpu->stack_pa), width, &done);
		cpu->hidden = true;
		ncpus++;
	}
	if (st == VMM_OK)
		st = hide_map_pages(e, width);
	if (st == VMM_OK)
		vmm_logf(FLANK_LOG_INFO,
			 "EPT: the pages of %u CPUs hidden from the guest "
			 "(%u pages)",
			 ncpus, e->hidden - before);
	return st;
}

/* Counts a dropped write to @p gpa's page; logs the first one of each. */
static void drop_note(struct vmm_cpu *cpu, uint64_t gpa)
{
	uint64_t key = (gpa & EPTE_ADDR_MASK) + 1u;

	cpu->hidden_writes++;
	for (uint32_t i = 0; i < HIDE_DROPS; i++) {
		uint64_t old = __atomic_load_n(&drops.gpa[i], __ATOMIC_ACQUIRE);

		if (old == 0 && __atomic_compare_exchange_n(
					&drops.gpa[i], &old, key, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
			vmm_logf(FLANK_LOG_WARN,
				 "cpu %u: write to the VMM's hidden page at "
				 "GPA 0x%llx dropped",
				 cpu->id, (unsigned long long)(key - 1u));
		}
		if (old == 0 || old == key) {
			(void)__atomic_add_fetch(&drops.count[i], 1,
						 __ATOMIC_RELAXED);
			return;
		}
	}
	(void)__atomic_add_fetch(&drops.lost, 1, __ATOMIC_RELAXED);
}

uint64_t vmm_hide_drops(uint64_t gpa)
{
	if (gpa == UINT64_MAX)
		return __atomic_load_n(&drops.lost, __ATOMIC_RELAXED);
	for (uint32_t i = 0; i < HIDE_DROPS; i++)
		if (drops.gpa[i] == (gpa & EPTE_ADDR_MASK) + 1u)
			return __atomic_load_n(&drops.count[i],
					       __ATOMIC_RELAXED);
	return 0;
}

bool vmm_hide_violation(struct vmm_cpu *cpu, struct intrin_exit_frame *frame,
			uint64_t qual, enum intrin_exit_action *act)
{
	const struct vmm_ept *e = &vmm_ctx.ept;
	unsigned level = 0;
	uint64_t gpa = 0, *pte;

	(void)frame;
	/* SDM Vol. 3C Table 28-7: bit 1, a data write; a fetch or a read
	 * of a hidden page is not dropped (reads never fault here). */
	if (e->zero_pa == 0 || (qual & EPTE_W) == 0 ||
	    !vmx_ok(vmx_read64(VMCS_GUEST_PHYSICAL_ADDRESS, &gpa)))
		return false;
	pte = walk(e, gpa, &level);
	if (pte == NULL || !leaf_hidden(e, *pte, level))
		return false;
	drop_note(cpu, gpa);
	*act = INTRIN_EXIT_RESUME;
	/*
	 * One step per CPU: MTF (SDM Vol. 3C 26.5.2, allowed-1 bit 27) stops
	 * the guest after this instruction. A page hook's step may already
	 * have set it: that MTF exit closes both. Without MTF, or with a
	 * second hidden page in one instruction, the leaf keeps the sink:
	 * later reads of the page give what the guest wrote there, still
	 * never the VMM's memory.
	 */
	if (e->mtf && cpu->hide_step == NULL &&
	    (cpu->page_step != NULL ||
	     vmx_ok(vmx_write32(VMCS_CPU_BASED_VM_EXEC_CONTROL,
				cpu->caps.ctl.proc | CPU_MONITOR_TRAP_FLAG))))
		cpu->hide_step = pte;
	/* The violation dropped this CPU's cached translation of the page
	 * (29.4.3.1): the re-executed write walks the sink's leaf. */
	__atomic_store_n(pte, e->sink_pa | EPTE_R | EPTE_W | (*pte & LEAF_KEEP),
			 __ATOMIC_RELEASE);
	return true;
}

enum intrin_exit_action vmm_hide_exit_mtf(struct vmm_cpu *cpu,
					  struct intrin_exit_frame *frame,
					  uint32_t reason)
{
	const struct vmm_ept *e = &vmm_ctx.ept;
	uint64_t *pte = cpu->hide_step;

	if (pte == NULL)
		return vmm_exit_mtf(cpu, frame, reason);
	cpu->hide_step = NULL;
	/* What the guest wrote goes; then the zero page again. */
	vmm_zero(e->sink, VMM_PAGE_SIZE);
	__atomic_store_n(pte, e->zero_pa | EPTE_R | (*pte & LEAF_KEEP),
			 __ATOMIC_RELEASE);
	/* A page hook's step ends at the same exit: it clears MTF and
	 * does the INVEPT. */
	if (cpu->page_step != NULL)
		return vmm_exit_mtf(cpu, frame, reason);
	/* This CPU cached the sink's translation: drop it (29.4.3.1). */
	if (!vmx_ok(vmx_write32(VMCS_CPU_BASED_VM_EXEC_CONTROL,
				cpu->caps.ctl.proc)) ||
	    !vmx_ok(vmm_ept_invept(VMX_INVEPT_SINGLE_CONTEXT)))
		return vmm_exit_unhandled(cpu, frame, reason,
					  "hidden page: the sink not closed");
	return INTRIN_EXIT_RESUME;
}
