// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel memory for the VMM image, mapped W^X page by page, and the page
 * tables for HOST_CR3.
 *
 * Why the page tables are edited here. The image is one position-
 * independent ELF file: text reaches data RIP-relatively, so text and data
 * must sit in ONE virtually contiguous range, with per-page permissions (RX
 * text, R read-only data and RELRO, RW data). No exported interface gives a
 * module that on Linux >= 5.8:
 *  - vmap() ORs _PAGE_NX into whatever pgprot it is given (mm/vmalloc.c,
 *    "mm: enforce that vmap can't map pages executable", v5.8), so
 *    vmap(pages, n, VM_MAP, PAGE_KERNEL_EXEC) yields NX pages on x86;
 *  - __vmalloc() lost its pgprot, __vmalloc_node_range() and module_alloc()
 *    are not exported, and set_memory_x/ro/nx are not exported on x86.
 * So the final mapping is made with vmap(PAGE_KERNEL_RO) (read-only, NX)
 * and then, for the pages of that mapping only, the driver clears NX on
 * text pages or sets RW on data pages, walking the kernel's page tables
 * with the kernel's own inline helpers. Each PTE goes from R to RX or from
 * R to RW: no page is writable and executable at any moment, in any
 * mapping. No unexported symbol is used. The loader writes the image
 * through a second, RW+NX vmap alias, removed before the final mapping
 * becomes executable; the direct map keeps its usual RW+NX alias of every
 * page (as for all kernel memory).
 *
 * HOST_CR3: init_mm is not exported to modules (6.1), so its PGD cannot be
 * named. The driver builds its own top-level table instead and copies into
 * it the kernel half (entries 256-511) of the current top-level table. On
 * x86-64 every page table shares the kernel half, and the kernel allocates
 * the tables under those entries at boot (preallocate_vmalloc_pages(),
 * arch/x86/mm/init_64.c, since 5.9) so the entries never change
 * afterwards: the copy maps the kernel, the direct map and every vmalloc
 * and vmap address (the image) for as long as the kernel runs, and belongs
 * to no process. It does not map user space, which the VMM never touches.
 *
 * What in the copied entries is stable, and what is not (6.1, 6.12):
 *  - stable: the kernel image, modules and fixmap (entry 511), the
 *    vmalloc/vmap/ioremap range VMALLOC_START..VMEMORY_END, whose next
 *    level preallocate_vmalloc_pages() fills at boot (P4D tables with
 *    5-level paging, PUD tables with 4-level), the cpu_entry_area and
 *    ESPFIX: present from boot, never replaced;
 *  - added later: direct-map and vmemmap entries for memory hot-added in a
 *    top-level region that had none (512 GiB with 4-level paging, 256 TiB
 *    with 5-level, where the P4D tables below are shared and live). Linux
 *    writes them into init_mm and, through sync_global_pgds()
 *    (arch/x86/mm/init_64.c; arch_sync_kernel_mappings() in later
 *    kernels), into every table on pgd_list; ours is not on it. Hot-remove
 *    does not take them back (remove_p4d_table() frees no PUD table with
 *    4-level paging; with 5-level it clears entries in the shared P4D
 *    table, not at the top). So the copy only lags: refresh, at every
 *    start, catches up, and the driver core checks every VMM page against
 *    it (core/hostmap.c, flank_kmap_host_cr3_maps);
 *  - per process: the LDT remap slot (LDT_BASE_ADDR, PTI only), whose
 *    tables map_ldt_struct() allocates for one mm and free_ldt_pgtables()
 *    frees when it exits. The copy leaves it empty: a pointer to freed
 *    page tables must not stay in a table the CPU walks.
 *
 * HOST_CR3 and page-table isolation (PTI). Under PTI Linux allocates every
 * top-level table as an 8 KiB pair (PGD_ALLOCATION_ORDER 1, asm/pgalloc.h):
 * the kernel half at the even page, the user half 4 KiB above it, and CR3
 * bit 12 (PTI_USER_PGTABLE_BIT) says which half is live. An NMI or #MC in
 * VMX root enters through paranoid_entry, whose
 * SAVE_AND_SWITCH_TO_KERNEL_CR3 (arch/x86/entry/calling.h) clears CR3 bits
 * 12 and 11 when bit 12 is set: a HOST_CR3 at an odd 4 KiB page would be
 * switched to the unrelated page below it, and the CPU triple-faults
 * (measured on Bochs). So the table is allocated like a PTI PGD: order 1,
 * which the buddy allocator aligns to 8 KiB, and HOST_CR3 is its even
 * (first) page, so bits 12:0 of HOST_CR3 are 0. With bit 12 clear,
 * SAVE_AND_SWITCH_TO_KERNEL_CR3 leaves CR3 alone, and RESTORE_CR3 on the
 * way out writes back the CR3 it saved (with the no-flush bit 63 when PCIDs
 * are on: same table, same PCID 0). The odd page stays zero and unused:
 * only SWITCH_TO_USER_CR3 sets bit 12, on a return to user mode, which
 * never happens from VMX root, and the kernel mirrors entries into a user
 * half (pti_set_user_pgtbl) only when it writes a top-level entry, which it
 * never does in ours (it belongs to no mm and is not on pgd_list).
 * The driver core refuses a HOST_CR3 with any of bits 12:0 set anyway
 * (core/lifecycle.c).
 */
#define pr_fmt(fmt) "flank: " fmt

#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/vmalloc.h>
#include <asm/processor.h>
#include <asm/tlbflush.h>

#include "flank_linux.h"

struct flank_image_mem {
	struct page **pages;
	size_t npages;
	void *rw;	/**< Loading alias (RW, NX), NULL once protected. */
	void *final;	/**< Run-time mapping. */
	bool protected; /**< PTEs of final were changed. */
};

/** The PTE mapping @p addr in the kernel's page tables, or NULL. */
static pte_t *kmap_pte(unsigned long addr)
{
	pgd_t *pgd = pgd_offset_pgd((pgd_t *)__va(read_cr3_pa()), addr);
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;

	if (pgd_none(*pgd) || pgd_bad(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d) || p4d_bad(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud) || pud_leaf(*pud))
		return NULL;
	pmd = pmd_offset(pud, addr);
	if (pmd_none(*pmd) || pmd_leaf(*pmd))
		return NULL;
	pte = pte_offset_kernel(pmd, addr);
	return pte_present(*pte) ? pte : NULL;
}

static void kmap_flush_one(void *unused)
{
	__flush_tlb_all();
}

/* Every CPU forgets the old permissions of the image's pages. */
static void kmap_flush_all(void)
{
	on_each_cpu(kmap_flush_one, NULL, 1);
}

struct flank_image_mem *flank_kmap_reserve(void *ctx, size_t npages, void **rw,
					   void **final)
{
	struct flank_image_mem *mem;
	size_t i;

	if (npages == 0 || npages > (FLANK_IMAGE_MAX_BYTES >> PAGE_SHIFT))
		return NULL;
	mem = kzalloc(sizeof(*mem), GFP_KERNEL);
	if (!mem)
		return NULL;
	mem->pages = kvcalloc(npages, sizeof(*mem->pages), GFP_KERNEL);
	if (!mem->pages)
		goto err_free_mem;
	for (i = 0; i < npages; i++) {
		mem->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!mem->pages[i])
			goto err_free_pages;
		mem->npages = i + 1;
	}
	mem->rw = vmap(mem->pages, npages, VM_MAP, PAGE_KERNEL);
	if (!mem->rw)
		goto err_free_pages;
	mem->final = vmap(mem->pages, npages, VM_MAP, PAGE_KERNEL_RO);
	if (!mem->final)
		goto err_unmap_rw;
	*rw = mem->rw;
	*final = mem->final;
	return mem;

err_unmap_rw:
	vunmap(mem->rw);
err_free_pages:
	for (i = 0; i < mem->npages; i++)
		__free_page(mem->pages[i]);
	kvfree(mem->pages);
err_free_mem:
	kfree(mem);
	return NULL;
}

int flank_kmap_protect(void *ctx, struct flank_image_mem *mem,
		       const uint8_t *perm, size_t npages)
{
	unsigned long base = (unsigned long)mem->final;
	size_t i;
	pte_t *pte;

	if (npages != mem->npages)
		return -EINVAL;
	/* Look every PTE up before changing any: all or nothing. */
	for (i = 0; i < npages; i++) {
		if (!kmap_pte(base + i * PAGE_SIZE))
			return -EFAULT;
	}
	/* The loader is done: no writable alias may outlive this point. */
	vunmap(mem->rw);
	mem->rw = NULL;
	mem->protected = true;
	for (i = 0; i < npages; i++) {
		pte = kmap_pte(base + i * PAGE_SIZE);
		switch (perm[i]) {
		case FLANK_PAGE_RX:
			set_pte(pte, pte_clear_flags(*pte, _PAGE_NX));
			break;
		case FLANK_PAGE_RW:
			set_pte(pte, pte_set_flags(*pte, _PAGE_RW));
			break;
		default:
			break; /* Stays read-only and NX. */
		}
	}
	kmap_flush_all();
	return 0;
}

void flank_kmap_release(void *ctx, struct flank_image_mem *mem)
{
	unsigned long base = (unsigned long)mem->final;
	size_t i;
	pte_t *pte;

	if (mem->protected) {
		/* Back to R+NX and flushed before vunmap's lazy TLB purge. */
		for (i = 0; i < mem->npages; i++) {
			pte = kmap_pte(base + i * PAGE_SIZE);
			if (pte)
				set_pte(pte,
					pte_clear_flags(
						pte_set_flags(*pte, _PAGE_NX),
						_PAGE_RW));
		}
		kmap_flush_all();
	}
	if (mem->rw)
		vunmap(mem->rw);
	vunmap(mem->final);
	for (i = 0; i < mem->npages; i++)
		__free_page(mem->pages[i]);
	kvfree(mem->pages);
	kfree(mem);
}

/* Order 1: an 8 KiB, 8 KiB-aligned pair, like a PTI PGD (see the top). */
#define FLANK_HOST_PGD_ORDER 1

static pgd_t *host_pgd;

u64 flank_kmap_host_cr3_create(void)
{
	/* host_pgd is the even page; the odd one stays zero and unused. */
	host_pgd = (pgd_t *)__get_free_pages(GFP_KERNEL | __GFP_ZERO,
					     FLANK_HOST_PGD_ORDER);
	if (!host_pgd)
		return 0;
	flank_kmap_host_cr3_refresh();
	return __pa(host_pgd);
}

/*
 * In place, entry by entry: the table's address (HOST_CR3) never changes,
 * so an image that holds it stays right. The caller makes sure no CPU
 * walks the table meanwhile (the driver core calls it at START, under its
 * lock, with no CPU in VMX operation); an entry the kernel adds while this
 * copies is either taken or not, and the core's check then says which.
 */
void flank_kmap_host_cr3_refresh(void)
{
	pgd_t *cur = (pgd_t *)__va(read_cr3_pa());
	unsigned int i;

	for (i = PTRS_PER_PGD / 2; i < PTRS_PER_PGD; i++)
		WRITE_ONCE(host_pgd[i], READ_ONCE(cur[i]));
	/* Per process and freed with it (see the top): never copied. */
	WRITE_ONCE(host_pgd[pgd_index(LDT_BASE_ADDR)], __pgd(0));
}

/*
 * Walks the HOST_CR3 table for @va: the top-level entry is the copy, the
 * levels below are the kernel's own tables, read as they are now. Only
 * reads, never sleeps (called from the image's page_alloc).
 */
bool flank_kmap_host_cr3_maps(u64 va)
{
	unsigned long addr = (unsigned long)va;
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;
	pgd_t pgdv;
	p4d_t p4dv;
	pud_t pudv;
	pmd_t pmdv;

	/* The copy holds the kernel half only; user space is not mapped. */
	if (!host_pgd || pgd_index(addr) < PTRS_PER_PGD / 2)
		return false;
	pgd = host_pgd + pgd_index(addr);
	pgdv = READ_ONCE(*pgd);
	if (!pgd_present(pgdv))
		return false;
	p4d = p4d_offset(pgd, addr);
	p4dv = READ_ONCE(*p4d);
	if (!p4d_present(p4dv))
		return false;
	pud = pud_offset(p4d, addr);
	pudv = READ_ONCE(*pud);
	if (!pud_present(pudv))
		return false;
	if (pud_leaf(pudv))
		return true;
	pmd = pmd_offset(pud, addr);
	pmdv = READ_ONCE(*pmd);
	if (!pmd_present(pmdv))
		return false;
	if (pmd_leaf(pmdv))
		return true;
	return pte_present(READ_ONCE(*pte_offset_kernel(pmd, addr)));
}

void flank_kmap_host_cr3_destroy(void)
{
	free_pages((unsigned long)host_pgd, FLANK_HOST_PGD_ORDER);
	host_pgd = NULL;
}
