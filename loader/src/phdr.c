// SPDX-License-Identifier: LGPL-2.1-or-later
/* Stage 2 of the validation pipeline: the program headers and the layout. */
#include "elf_internal.h"

/* Largest p_align accepted: the image is placed on a page boundary only. */
#define ELF_MAX_ALIGN (1ull << 30)

/* Checks of one PT_LOAD; records it in m->loads. See elf_check_phdrs(). */
static enum elf_status elf_check_load(struct elf_module *m,
				      const struct elf64_phdr *ph)
{
	uint32_t perms = 0;
	struct elf_segment *s;

	if (ph->p_flags & ~(PF_R | PF_W | PF_X))
		return ELF_ERR_SEG_FLAGS;
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return ELF_ERR_SEG_WX;
	if (!(ph->p_flags & PF_R))
		return ELF_ERR_SEG_FLAGS;
	if (ph->p_align < ELF_PAGE_SIZE || ph->p_align > ELF_MAX_ALIGN ||
	    (ph->p_align & (ph->p_align - 1)))
		return ELF_ERR_SEG_ALIGN;
	if ((ph->p_vaddr - ph->p_offset) & (ph->p_align - 1))
		return ELF_ERR_SEG_CONGRUENCE;
	if (m->nloads > 0) {
		const struct elf_segment *prev = &m->loads[m->nloads - 1];

		/* Page-disjoint, so that every page has one permission. */
		if (elf_page_down(ph->p_vaddr) <
		    elf_page_up(prev->vaddr + prev->memsz))
			return ELF_ERR_SEG_OVERLAP;
	}
	if (m->nloads == ELF_MAX_LOADS)
		return ELF_ERR_SEG_COUNT;
	perms = ELF_PERM_R;
	if (ph->p_flags & PF_W)
		perms |= ELF_PERM_W;
	if (ph->p_flags & PF_X)
		perms |= ELF_PERM_X;
	s = &m->loads[m->nloads++];
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	s->perms = perms;
	return ELF_OK;
}

/* Checks of one program header of any type. See elf_check_phdrs(). */
static enum elf_status elf_check_phdr(struct elf_parse_ctx *c,
				      const struct elf64_phdr *ph)
{
	switch (ph->p_type) {
	case PT_LOAD:
	case PT_DYNAMIC:
	case PT_NOTE:
	case PT_PHDR:
	case PT_GNU_EH_FRAME:
	case PT_GNU_STACK:
	case PT_GNU_RELRO:
	case PT_GNU_PROPERTY:
		break;
	case PT_INTERP:
	case PT_TLS:
	case PT_SHLIB:
		return ELF_ERR_SEG_UNSUPPORTED;
	default:
		return ELF_ERR_SEG_TYPE;
	}
	if (ph->p_filesz > ph->p_memsz)
		return ELF_ERR_SEG_FILESZ;
	if (!elf_range_ok(ph->p_offset, ph->p_filesz, c->m->file_size))
		return ELF_ERR_SEG_RANGE;
	/* Room for page rounding of the end, so elf_page_up() never wraps. */
	if (!elf_range_ok(ph->p_vaddr, ph->p_memsz, UINT64_MAX - ELF_PAGE_MASK))
		return ELF_ERR_SEG_ADDR;

	switch (ph->p_type) {
	case PT_LOAD:
		return elf_check_load(c->m, ph);
	case PT_DYNAMIC:
		if (c->have_dyn)
			return ELF_ERR_DYN_DUP_SEGMENT;
		c->have_dyn = true;
		c->dyn_offset = ph->p_offset;
		c->dyn_vaddr = ph->p_vaddr;
		c->dyn_size = ph->p_filesz;
		return ELF_OK;
	case PT_GNU_STACK:
		return (ph->p_flags & PF_X) ? ELF_ERR_STACK_EXEC : ELF_OK;
	case PT_GNU_RELRO:
		if (c->have_relro)
			return ELF_ERR_RELRO;
		c->have_relro = true;
		c->relro_vaddr = ph->p_vaddr;
		c->relro_size = ph->p_memsz;
		return ELF_OK;
	default:
		return ELF_OK;
	}
}

/*
 * RELRO becomes read-only after relocation at page granularity: the pages
 * from the one holding its start to the last one it covers fully.
 *
 * Checks:
 *  - it lies inside one writable PT_LOAD;
 *  - it starts at that segment's start or on a page boundary, so that the
 *    rounded-down first page holds no writable data outside RELRO.
 */
static enum elf_status elf_check_relro(struct elf_parse_ctx *c)
{
	struct elf_module *m = c->m;

	m->relro_start = m->relro_end = 0;
	if (!c->have_relro || c->relro_size == 0)
		return ELF_OK;
	for (uint32_t i = 0; i < m->nloads; i++) {
		const struct elf_segment *s = &m->loads[i];

		if (!(s->perms & ELF_PERM_W) || c->relro_vaddr < s->vaddr ||
		    !elf_range_ok(c->relro_vaddr - s->vaddr, c->relro_size,
				  s->memsz))
			continue;
		if (c->relro_vaddr != s->vaddr &&
		    (c->relro_vaddr & ELF_PAGE_MASK))
			return ELF_ERR_RELRO;
		m->relro_start = elf_page_down(c->relro_vaddr);
		m->relro_end = elf_page_down(c->relro_vaddr + c->relro_size);
		return ELF_OK;
	}
	return ELF_ERR_RELRO;
}

/*
 * Checks:
 *  - every type is known (PT_NULL, PT_LOAD, PT_DYNAMIC, PT_NOTE, PT_PHDR
 *    and the GNU ones); PT_INTERP, PT_TLS, PT_SHLIB are refused apart;
 *  - p_filesz <= p_memsz; the file bytes lie inside the file; the address
 *    range does not wrap;
 *  - PT_LOAD: flags R, RX or RW only (W+X refused apart); p_align a power
 *    of two in [page, 1 GiB]; p_vaddr == p_offset modulo p_align;
 *    ascending and page-disjoint; at most ELF_MAX_LOADS; at least one;
 *  - exactly one PT_DYNAMIC; at most one PT_GNU_RELRO (see
 *    elf_check_relro()); PT_GNU_STACK not executable;
 *  - the image, from the first to the last loaded page, is at most
 *    ELF_MAX_IMAGE_SIZE.
 */
enum elf_status elf_check_phdrs(struct elf_parse_ctx *c)
{
	struct elf_module *m = c->m;
	const struct elf_segment *last;
	enum elf_status st;

	for (uint16_t i = 0; i < c->eh.e_phnum; i++) {
		struct elf64_phdr ph;

		/* In range: elf_check_header() checked the whole table. */
		elf_memcpy(&ph, m->file + c->eh.e_phoff + i * sizeof(ph),
			   sizeof(ph));
		if (ph.p_type == PT_NULL)
			continue;
		st = elf_check_phdr(c, &ph);
		if (st != ELF_OK)
			return elf_fail(c->detail, st, i);
	}
	if (m->nloads == 0)
		return ELF_ERR_SEG_NO_LOAD;
	if (!c->have_dyn)
		return ELF_ERR_DYN_MISSING;
	last = &m->loads[m->nloads - 1];
	m->vaddr_min = elf_page_down(m->loads[0].vaddr);
	m->image_size = elf_page_up(last->vaddr + last->memsz) - m->vaddr_min;
	if (m->image_size > ELF_MAX_IMAGE_SIZE)
		return ELF_ERR_IMAGE_TOO_BIG;
	return elf_check_relro(c);
}
