// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Guest memory for hook callbacks (flank/vmm_extension.h): translation of
 * a guest linear address through the guest's own page tables, and bounded
 * copies of guest memory. Not part of vmm.elf: compiled into
 * libvmm_guest.a, which the extension modules that use it link (its
 * functions stay hidden there, so two modules never export the same
 * name); it reaches memory only through vmm_guest_phys_page(), which the
 * image exports, and reads the guest's CR3/CR4 with the stateless VMREAD
 * intrinsic the module links (intrinsics_real.a, as vmcs_check.elf).
 *
 * In VMX root a fault is never survivable, and every address here comes
 * from the guest: each byte of guest memory, the paging-structure entries
 * included, is read or written through the platform's phys_copy, which
 * copies within one physical page after checking, without faulting or
 * locking, that the host maps it (driver_linux: RAM in the direct map).
 * Without EPT, guest-physical addresses are host-physical ones.
 *
 * The walk is IA-32e paging (SDM Vol. 3A 4.5), 4-level or 5-level by
 * CR4.LA57: Flank's guests always run in IA-32e mode. It ignores the
 * access rights (R/W, U/S, XD, protection keys): the VMM may read what the
 * guest itself may not. Checks, in the CPU's order of the walk:
 *  - the address is canonical for the paging mode (SDM Vol. 3A 3.3.7.1);
 *  - every entry is present (bit 0);
 *  - no entry sets an address bit at or above MAXPHYADDR (bits 51:M are
 *    reserved, SDM Vol. 3A 4.5.4 Tables 4-14 to 4-20);
 *  - PS (bit 7) is reserved in a PML5E and a PML4E; in a PDPTE it maps a
 *    1 GiB page (bits 29:13 reserved), in a PDE a 2 MiB page (bits 20:13
 *    reserved; bit 12 is PAT).
 */
#include "flank/vmm_extension.h"
#include "vmm_internal.h"

#define PTE_PRESENT BIT64(0)
#define PTE_PS BIT64(7)
#define PAGE_OFFSET_MASK UINT64_C(0xFFF)
/* Bits 12 (PAT) of a large-page entry; above it, up to the page size, the
 * bits are reserved. */
#define PTE_LARGE_PAT_MASK UINT64_C(0x1FFF)

/* MAXPHYADDR; 36 if CPUID does not say (SDM Vol. 3A 4.1.4). */
static unsigned maxphyaddr(void)
{
	unsigned w = vmm_phys_width();

	return w != 0 ? w : 36u;
}

/* One copy within one physical page, through the image. */
static int phys_page(uint64_t pa, void *buf, uint32_t len, bool write)
{
	return vmm_guest_phys_page(pa, buf, len, write);
}

/* The bytes from @p a to the end of its 4 KiB page, at most @p len. */
static uint32_t chunk_len(uint64_t a, size_t len)
{
	uint64_t room = VMM_PAGE_SIZE - (a & PAGE_OFFSET_MASK);

	return (uint32_t)(len < room ? len : room);
}

static int phys_copy(uint64_t gpa, void *buf, size_t len, bool write)
{
	uint8_t *b = buf;

	if (buf == NULL)
		return VMM_ERR_BAD_ARGUMENT;
	if (len == 0 || len > VMM_GUEST_COPY_MAX)
		return VMM_ERR_GUEST_COPY_SIZE;
	while (len > 0) {
		uint32_t n = chunk_len(gpa, len);
		int st = phys_page(gpa, b, n, write);

		if (st != VMM_OK)
			return st;
		gpa += n;
		b += n;
		len -= n;
	}
	return VMM_OK;
}

int vmm_guest_phys_read(uint64_t gpa, void *buf, size_t len)
{
	return phys_copy(gpa, buf, len, false);
}

int vmm_guest_phys_write(uint64_t gpa, const void *buf, size_t len)
{
	/* With write set the platform only reads @p buf. */
	return phys_copy(gpa, (void *)(uintptr_t)buf, len, true);
}

/* True if @p a is canonical for @p bits linear-address bits. */
static bool canonical(uint64_t a, unsigned bits)
{
	int64_t s = (int64_t)(a << (64u - bits)) >> (64u - bits);

	return (uint64_t)s == a;
}

int vmm_guest_translate_cr3(uint64_t cr3, bool la57, uint64_t gla,
			    uint64_t *gpa)
{
	unsigned width = maxphyaddr();
	uint64_t addr = (BIT64(width) - 1u) & ~PAGE_OFFSET_MASK;
	uint64_t rsvd = (BIT64(52) - 1u) & ~(BIT64(width) - 1u);
	uint64_t table = cr3 & addr;

	if (gpa == NULL)
		return VMM_ERR_BAD_ARGUMENT;
	if (!canonical(gla, la57 ? 57u : 48u))
		return VMM_ERR_GUEST_NONCANONICAL;
	for (unsigned level = la57 ? 5u : 4u; level >= 1u; level--) {
		unsigned shift = 12u + 9u * (level - 1u);
		uint64_t e = 0, size = BIT64(shift);
		int st = phys_page(table + ((gla >> shift) & 511u) * 8u, &e, 8u,
				   false);

		if (st != VMM_OK)
			return st;
		if ((e & PTE_PRESENT) == 0)
			return VMM_ERR_GUEST_NOT_PRESENT;
		if ((e & rsvd) != 0 || (level >= 4u && (e & PTE_PS) != 0))
			return VMM_ERR_GUEST_RESERVED_BIT;
		if (level == 1u || (e & PTE_PS) == 0) {
			table = e & addr;
			continue;
		}
		/* A 1 GiB (level 3) or 2 MiB (level 2) page. */
		if ((e & (size - 1u) & ~PTE_LARGE_PAT_MASK) != 0)
			return VMM_ERR_GUEST_RESERVED_BIT;
		*gpa = (e & addr & ~(size - 1u)) | (gla & (size - 1u));
		return VMM_OK;
	}
	*gpa = table | (gla & PAGE_OFFSET_MASK);
	return VMM_OK;
}

/* The guest's CR3 and CR4.LA57 from the current VMCS. */
static int guest_paging(uint64_t *cr3, bool *la57)
{
	uint64_t cr4 = 0;

	if (!vmx_ok(vmx_readnat(VMCS_GUEST_CR3, cr3)) ||
	    !vmx_ok(vmx_readnat(VMCS_GUEST_CR4, &cr4)))
		return VMM_ERR_VMREAD;
	*la57 = (cr4 & X86_CR4_LA57) != 0;
	return VMM_OK;
}

int vmm_guest_translate(uint64_t gla, uint64_t *gpa)
{
	uint64_t cr3 = 0;
	bool la57 = false;
	int st = guest_paging(&cr3, &la57);

	return st != VMM_OK ? st : vmm_guest_translate_cr3(cr3, la57, gla, gpa);
}

/* Copies guest linear memory page by page (one translation per page). */
static int linear_copy(uint64_t gla, void *buf, size_t len, bool write)
{
	uint8_t *b = buf;
	uint64_t cr3 = 0, gpa = 0;
	bool la57 = false;
	int st;

	if (buf == NULL)
		return VMM_ERR_BAD_ARGUMENT;
	if (len == 0 || len > VMM_GUEST_COPY_MAX)
		return VMM_ERR_GUEST_COPY_SIZE;
	st = guest_paging(&cr3, &la57);
	while (st == VMM_OK && len > 0) {
		uint32_t n = chunk_len(gla, len);

		st = vmm_guest_translate_cr3(cr3, la57, gla, &gpa);
		if (st == VMM_OK)
			st = phys_page(gpa, b, n, write);
		gla += n;
		b += n;
		len -= n;
	}
	return st;
}

int vmm_guest_read(uint64_t gla, void *buf, size_t len)
{
	return linear_copy(gla, buf, len, false);
}

int vmm_guest_write(uint64_t gla, const void *buf, size_t len)
{
	return linear_copy(gla, (void *)(uintptr_t)buf, len, true);
}
