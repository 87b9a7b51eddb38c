/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internals shared by the loader's stages. Not installed; the driver and
 * the tests use flank/elf_loader.h only.
 */
#ifndef FLANK_ELF_INTERNAL_H
#define FLANK_ELF_INTERNAL_H

#include "elf_defs.h"
#include "flank/elf_loader.h"

#define ELF_PAGE_MASK ((uint64_t)ELF_PAGE_SIZE - 1)

/* Facts one stage hands to the next while elf_parse() runs. */
struct elf_parse_ctx {
	struct elf_module *m;
	struct elf_error_detail *detail;
	struct elf64_ehdr eh;
	bool have_dyn;
	uint64_t dyn_offset, dyn_vaddr, dyn_size;
	bool have_relro;
	uint64_t relro_vaddr, relro_size;
	uint64_t rela_size, jmprel_size; /* bytes, from DT_RELASZ/PLTRELSZ */
};

/* Own versions of the few libc functions the loader needs (no libc). */
void *elf_memcpy(void *dst, const void *src, size_t n);
void *elf_memset(void *dst, int c, size_t n);
int elf_strcmp(const char *a, const char *b);
/* Copies at most @size - 1 bytes and terminates; @size must be >= 1. */
void elf_strlcpy(char *dst, const char *src, size_t size);

/*
 * The one overflow-safe range check: true if [off, off + size) lies within
 * [0, limit). Every (offset, size) pair from the file goes through it.
 */
bool elf_range_ok(uint64_t off, uint64_t size, uint64_t limit);

uint32_t elf_rd32(const uint8_t *p);
uint64_t elf_rd64(const uint8_t *p);
void elf_wr64(uint8_t *p, uint64_t v);

static inline uint64_t elf_page_down(uint64_t x)
{
	return x & ~ELF_PAGE_MASK;
}

/* Caller guarantees x <= UINT64_MAX - ELF_PAGE_MASK (checked in stage 2). */
static inline uint64_t elf_page_up(uint64_t x)
{
	return (x + ELF_PAGE_MASK) & ~ELF_PAGE_MASK;
}

/* [off, off + size) of the file, or NULL if outside it. */
const uint8_t *elf_file_at(const struct elf_module *m, uint64_t off,
			   uint64_t size);

/*
 * [vaddr, vaddr + size) of the module: from the image once loaded, else
 * from the file through the file-backed part of a PT_LOAD. NULL if the
 * range is not there.
 */
const uint8_t *elf_at(const struct elf_module *m, uint64_t vaddr,
		      uint64_t size);

/* True if [vaddr, vaddr + size) is file-backed by one read-only PT_LOAD. */
bool elf_in_ro_file(const struct elf_module *m, uint64_t vaddr, uint64_t size);

/* True if [vaddr, vaddr + size) is inside one PT_LOAD with all of @perm. */
bool elf_in_segment(const struct elf_module *m, uint64_t vaddr, uint64_t size,
		    uint32_t perm);

/* Records @status and @index in @detail (may be NULL); returns @status. */
enum elf_status elf_fail(struct elf_error_detail *detail,
			 enum elf_status status, uint64_t index);

uint32_t elf_sysv_hash(const char *name);
uint32_t elf_gnu_hash(const char *name);

/* Reads dynamic symbol @index (< symcount) into @sym. */
void elf_read_sym(const struct elf_module *m, uint64_t index,
		  struct elf64_sym *sym);

/* The NUL-terminated name at string table offset @off (< strsz). */
const char *elf_str(const struct elf_module *m, uint64_t off);

/* True if @sym is a definition other modules may bind to. */
bool elf_sym_exported(const struct elf64_sym *sym);

/*
 * Finds the exported symbol @name of @m (GNU hash, else SysV, else linear)
 * and stores it in @out; false if @m does not export it. Adds the
 * symbols it compared (at least 1) to @steps, if not NULL: elf_link()
 * bounds its work with the sum (ELF_MAX_LINK_STEPS).
 */
bool elf_find_export(const struct elf_module *m, const char *name,
		     struct elf64_sym *out, uint64_t *steps);

/*
 * Every ELF_YIELD_EVERY lookups elf_link() calls the namespace's yield
 * hook, if any (the kernel's cond_resched()).
 */
#define ELF_YIELD_EVERY 256u
void elf_maybe_yield(const struct elf_namespace *ns, uint64_t i);

/* The pipeline stages of elf_parse(), in order. */
enum elf_status elf_check_header(struct elf_parse_ctx *c);
enum elf_status elf_check_phdrs(struct elf_parse_ctx *c);
enum elf_status elf_check_dynamic(struct elf_parse_ctx *c);
enum elf_status elf_check_symbols(struct elf_parse_ctx *c);
enum elf_status elf_check_relocs(struct elf_parse_ctx *c);

/* Applies the relocations of a loaded module (elf_link()). */
enum elf_status elf_apply_relocs(const struct elf_namespace *ns,
				 struct elf_module *m,
				 struct elf_error_detail *detail,
				 uint64_t *steps);

#endif /* FLANK_ELF_INTERNAL_H */
