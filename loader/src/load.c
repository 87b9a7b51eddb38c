// SPDX-License-Identifier: LGPL-2.1-or-later
/* The pipeline of elf_parse(), the layout of elf_load() and the maps. */
#include "elf_internal.h"

enum elf_status elf_parse(struct elf_module *m, const void *file, size_t size,
			  const char *name, struct elf_error_detail *detail)
{
	static enum elf_status (*const stages[])(struct elf_parse_ctx *) = {
		elf_check_header,  elf_check_phdrs,  elf_check_dynamic,
		elf_check_symbols, elf_check_relocs,
	};
	struct elf_parse_ctx c;
	enum elf_status st = ELF_OK;

	if (detail) {
		elf_memset(detail, 0, sizeof(*detail));
		detail->module = name;
		detail->index = UINT64_MAX;
	}
	if (!m || !file)
		return elf_fail(detail, ELF_ERR_ARGUMENT, UINT64_MAX);
	elf_memset(m, 0, sizeof(*m));
	m->name = name;
	m->file = file;
	m->file_size = size;
	elf_memset(&c, 0, sizeof(c));
	c.m = m;
	c.detail = detail;
	for (size_t i = 0;
	     st == ELF_OK && i < sizeof(stages) / sizeof(stages[0]); i++)
		st = stages[i](&c);
	if (st != ELF_OK) {
		m->state = ELF_MODULE_EMPTY;
		if (detail)
			detail->status = st;
		return st;
	}
	m->state = ELF_MODULE_PARSED;
	return ELF_OK;
}

uint64_t elf_image_size(const struct elf_module *m)
{
	if (!m || m->state == ELF_MODULE_EMPTY)
		return 0;
	return m->image_size;
}

enum elf_status elf_load(struct elf_module *m, void *buf, size_t buf_size,
			 uint64_t load_addr)
{
	uint8_t *image = buf;

	if (!m || !buf)
		return ELF_ERR_ARGUMENT;
	if (m->state != ELF_MODULE_PARSED)
		return ELF_ERR_STATE;
	if (buf_size < m->image_size)
		return ELF_ERR_BUFFER_SIZE;
	if (load_addr & ELF_PAGE_MASK)
		return ELF_ERR_LOAD_ADDRESS;
	elf_memset(image, 0, m->image_size);
	for (uint32_t i = 0; i < m->nloads; i++) {
		const struct elf_segment *s = &m->loads[i];

		/* In range: stage 2 checked the file bytes and the layout. */
		elf_memcpy(image + (s->vaddr - m->vaddr_min),
			   m->file + s->offset, s->filesz);
	}
	m->image = image;
	m->load_addr = load_addr;
	/* From here on the loader reads the image only (elf_at()). */
	m->file = NULL;
	m->file_size = 0;
	m->state = ELF_MODULE_LOADED;
	return ELF_OK;
}

enum elf_status elf_perm_map(const struct elf_module *m, uint8_t *perms,
			     size_t npages)
{
	uint64_t pages;

	if (!m || !perms)
		return ELF_ERR_ARGUMENT;
	if (m->state == ELF_MODULE_EMPTY)
		return ELF_ERR_STATE;
	pages = m->image_size / ELF_PAGE_SIZE;
	if (npages < pages)
		return ELF_ERR_PERM_MAP_SIZE;
	elf_memset(perms, 0, pages);
	for (uint32_t i = 0; i < m->nloads; i++) {
		const struct elf_segment *s = &m->loads[i];
		uint64_t first = (elf_page_down(s->vaddr) - m->vaddr_min) /
				 ELF_PAGE_SIZE;
		uint64_t end =
			(elf_page_up(s->vaddr + s->memsz) - m->vaddr_min) /
			ELF_PAGE_SIZE;

		for (uint64_t p = first; p < end; p++)
			perms[p] = (uint8_t)s->perms;
	}
	if (m->state == ELF_MODULE_LINKED) {
		for (uint64_t v = m->relro_start; v < m->relro_end;
		     v += ELF_PAGE_SIZE)
			perms[(v - m->vaddr_min) / ELF_PAGE_SIZE] = ELF_PERM_R;
	}
	return ELF_OK;
}

enum elf_status elf_init_fini(const struct elf_module *m, bool fini,
			      uint64_t *addr, uint64_t *count)
{
	uint64_t vaddr, n;

	if (!m || !addr || !count)
		return ELF_ERR_ARGUMENT;
	if (m->state != ELF_MODULE_LOADED && m->state != ELF_MODULE_LINKED)
		return ELF_ERR_STATE;
	vaddr = fini ? m->t.fini_array : m->t.init_array;
	n = fini ? m->t.fini_count : m->t.init_count;
	*count = n;
	*addr = n ? m->load_addr + (vaddr - m->vaddr_min) : 0;
	return ELF_OK;
}
