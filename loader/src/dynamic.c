// SPDX-License-Identifier: LGPL-2.1-or-later
/* Stage 3 of the validation pipeline: the dynamic section. */
#include "elf_internal.h"

/* The tags that may appear once; bit positions in a "seen" mask. */
enum elf_dyn_slot {
	SLOT_HASH,
	SLOT_GNU_HASH,
	SLOT_STRTAB,
	SLOT_SYMTAB,
	SLOT_STRSZ,
	SLOT_SYMENT,
	SLOT_RELA,
	SLOT_RELASZ,
	SLOT_RELAENT,
	SLOT_JMPREL,
	SLOT_PLTRELSZ,
	SLOT_PLTREL,
	SLOT_INIT_ARRAY,
	SLOT_INIT_ARRAYSZ,
	SLOT_FINI_ARRAY,
	SLOT_FINI_ARRAYSZ,
	SLOT_SONAME,
	SLOT_FLAGS,
	SLOT_COUNT,
};

struct elf_dyn_values {
	uint32_t seen;
	uint64_t v[SLOT_COUNT];
};

#define SEEN(d, s) (((d)->seen >> (s)) & 1u)

/* Maps a tag to its slot; -1 for tags ignored, or the error refusing it. */
static int elf_dyn_slot(uint64_t tag, enum elf_status *refuse)
{
	switch (tag) {
	case DT_HASH:
		return SLOT_HASH;
	case DT_GNU_HASH:
		return SLOT_GNU_HASH;
	case DT_STRTAB:
		return SLOT_STRTAB;
	case DT_SYMTAB:
		return SLOT_SYMTAB;
	case DT_STRSZ:
		return SLOT_STRSZ;
	case DT_SYMENT:
		return SLOT_SYMENT;
	case DT_RELA:
		return SLOT_RELA;
	case DT_RELASZ:
		return SLOT_RELASZ;
	case DT_RELAENT:
		return SLOT_RELAENT;
	case DT_JMPREL:
		return SLOT_JMPREL;
	case DT_PLTRELSZ:
		return SLOT_PLTRELSZ;
	case DT_PLTREL:
		return SLOT_PLTREL;
	case DT_INIT_ARRAY:
		return SLOT_INIT_ARRAY;
	case DT_INIT_ARRAYSZ:
		return SLOT_INIT_ARRAYSZ;
	case DT_FINI_ARRAY:
		return SLOT_FINI_ARRAY;
	case DT_FINI_ARRAYSZ:
		return SLOT_FINI_ARRAYSZ;
	case DT_SONAME:
		return SLOT_SONAME;
	case DT_FLAGS:
		return SLOT_FLAGS;
	/* Hints for ld.so that change nothing for an eager loader. */
	case DT_SYMBOLIC:
	case DT_BIND_NOW:
	case DT_DEBUG:
	case DT_PLTGOT:
	case DT_RELACOUNT:
	case DT_FLAGS_1:
	case DT_VERSYM:
	case DT_VERDEF:
	case DT_VERDEFNUM:
		return -1;
	case DT_NEEDED:
		*refuse = ELF_ERR_DYN_NEEDED;
		return -1;
	case DT_TEXTREL:
		*refuse = ELF_ERR_DYN_TEXTREL;
		return -1;
	case DT_REL:
	case DT_RELSZ:
	case DT_RELENT:
	case DT_RELCOUNT:
		*refuse = ELF_ERR_DYN_REL;
		return -1;
	case DT_INIT:
	case DT_FINI:
	case DT_RPATH:
	case DT_RUNPATH:
	case DT_PREINIT_ARRAY:
	case DT_PREINIT_ARRAYSZ:
	case DT_SYMTAB_SHNDX:
	case DT_RELR:
	case DT_RELRSZ:
	case DT_RELRENT:
	case DT_TLSDESC_PLT:
	case DT_TLSDESC_GOT:
	case DT_VERNEED:
	case DT_VERNEEDNUM:
	case DT_AUXILIARY:
	case DT_FILTER:
		*refuse = ELF_ERR_DYN_UNSUPPORTED;
		return -1;
	default:
		*refuse = ELF_ERR_DYN_TAG;
		return -1;
	}
}

/*
 * Reads the entries up to DT_NULL into @d.
 *
 * Checks: PT_DYNAMIC is 8-byte aligned, file-backed by a PT_LOAD at the
 * same offset; its size is a non-zero multiple of 16; a DT_NULL ends it;
 * every tag is known and supported (DT_NEEDED, DT_TEXTREL, DT_REL* refused
 * apart); no tag of a slot appears twice.
 */
static enum elf_status elf_read_dynamic(struct elf_parse_ctx *c,
					struct elf_dyn_values *d)
{
	const struct elf_module *m = c->m;
	const uint8_t *file_dyn = elf_file_at(m, c->dyn_offset, c->dyn_size);
	const uint8_t *dyn = elf_at(m, c->dyn_vaddr, c->dyn_size);
	uint64_t n = c->dyn_size / 16;

	if (c->dyn_size == 0 || c->dyn_size % 16 != 0)
		return ELF_ERR_DYN_SIZE;
	/* In the file (stage 2) and, at the same bytes, in a loaded segment. */
	if (c->dyn_offset % 8 != 0 || c->dyn_vaddr % 8 != 0 || !dyn ||
	    dyn != file_dyn)
		return ELF_ERR_DYN_RANGE;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t tag = elf_rd64(dyn + 16 * i);
		uint64_t val = elf_rd64(dyn + 16 * i + 8);
		enum elf_status refuse = ELF_OK;
		int slot;

		if (tag == DT_NULL)
			return ELF_OK;
		slot = elf_dyn_slot(tag, &refuse);
		if (refuse != ELF_OK)
			return elf_fail(c->detail, refuse, i);
		if (slot < 0)
			continue;
		if (SEEN(d, slot))
			return elf_fail(c->detail, ELF_ERR_DYN_DUP_TAG, i);
		d->seen |= 1u << slot;
		d->v[slot] = val;
	}
	return ELF_ERR_DYN_NO_NULL;
}

/* True if exactly both or neither of two slots were seen. */
static bool elf_pair(const struct elf_dyn_values *d, int a, int b)
{
	return SEEN(d, a) == SEEN(d, b);
}

/*
 * Checks an init or fini array: 8-byte aligned, size a multiple of 8,
 * inside one loaded segment.
 */
static bool elf_array_ok(const struct elf_module *m, uint64_t addr,
			 uint64_t size)
{
	return addr % 8 == 0 && size % 8 == 0 &&
	       elf_in_segment(m, addr, size, ELF_PERM_R);
}

/*
 * Checks:
 *  - everything elf_read_dynamic() checks;
 *  - DT_SYMTAB, DT_STRTAB and DT_STRSZ present; every table comes with its
 *    size tag (DT_RELA with DT_RELASZ and DT_RELAENT, DT_JMPREL with
 *    DT_PLTRELSZ and DT_PLTREL, arrays with their sizes) and vice versa;
 *  - DT_SYMENT (if present) and DT_RELAENT are 24, DT_PLTREL is DT_RELA;
 *  - DT_FLAGS has neither DF_TEXTREL nor DF_STATIC_TLS;
 *  - the symbol, string, hash and relocation tables start (and the
 *    string and relocation tables lie whole) in the file-backed part of a
 *    read-only PT_LOAD, so relocations can never change them;
 *  - init/fini arrays: see elf_array_ok().
 */
enum elf_status elf_check_dynamic(struct elf_parse_ctx *c)
{
	struct elf_module *m = c->m;
	struct elf_tables *t = &m->t;
	struct elf_dyn_values d;
	enum elf_status st;

	elf_memset(&d, 0, sizeof(d));
	st = elf_read_dynamic(c, &d);
	if (st != ELF_OK)
		return st;
	if (!SEEN(&d, SLOT_SYMTAB) || !SEEN(&d, SLOT_STRTAB) ||
	    !SEEN(&d, SLOT_STRSZ) || !elf_pair(&d, SLOT_RELA, SLOT_RELASZ) ||
	    (SEEN(&d, SLOT_RELA) && !SEEN(&d, SLOT_RELAENT)) ||
	    !elf_pair(&d, SLOT_JMPREL, SLOT_PLTRELSZ) ||
	    (SEEN(&d, SLOT_JMPREL) && !SEEN(&d, SLOT_PLTREL)) ||
	    !elf_pair(&d, SLOT_INIT_ARRAY, SLOT_INIT_ARRAYSZ) ||
	    !elf_pair(&d, SLOT_FINI_ARRAY, SLOT_FINI_ARRAYSZ))
		return ELF_ERR_DYN_INCOMPLETE;
	if (SEEN(&d, SLOT_SYMENT) &&
	    d.v[SLOT_SYMENT] != sizeof(struct elf64_sym))
		return ELF_ERR_DYN_SYMENT;
	if (SEEN(&d, SLOT_RELAENT) &&
	    d.v[SLOT_RELAENT] != sizeof(struct elf64_rela))
		return ELF_ERR_DYN_RELAENT;
	if (SEEN(&d, SLOT_PLTREL) && d.v[SLOT_PLTREL] != DT_RELA)
		return ELF_ERR_DYN_PLTREL;
	if (d.v[SLOT_FLAGS] & DF_TEXTREL)
		return ELF_ERR_DYN_TEXTREL;
	if (d.v[SLOT_FLAGS] & DF_STATIC_TLS)
		return ELF_ERR_DYN_FLAGS;

	t->symtab = d.v[SLOT_SYMTAB];
	t->strtab = d.v[SLOT_STRTAB];
	t->strsz = d.v[SLOT_STRSZ];
	t->sysv_hash = d.v[SLOT_HASH];
	t->gnu_hash = d.v[SLOT_GNU_HASH];
	t->rela = d.v[SLOT_RELA];
	t->jmprel = d.v[SLOT_JMPREL];
	c->rela_size = d.v[SLOT_RELASZ];
	c->jmprel_size = d.v[SLOT_PLTRELSZ];
	t->soname = SEEN(&d, SLOT_SONAME) ? d.v[SLOT_SONAME] : UINT64_MAX;
	if (!elf_in_ro_file(m, t->symtab, sizeof(struct elf64_sym)) ||
	    !elf_in_ro_file(m, t->strtab, t->strsz) ||
	    (SEEN(&d, SLOT_HASH) && !elf_in_ro_file(m, t->sysv_hash, 8)) ||
	    (SEEN(&d, SLOT_GNU_HASH) && !elf_in_ro_file(m, t->gnu_hash, 16)) ||
	    (SEEN(&d, SLOT_RELA) &&
	     !elf_in_ro_file(m, t->rela, c->rela_size)) ||
	    (SEEN(&d, SLOT_JMPREL) &&
	     !elf_in_ro_file(m, t->jmprel, c->jmprel_size)))
		return ELF_ERR_DYN_TABLE_ADDR;
	/* The hash tables must not be mistaken for "absent" (vaddr 0). */
	if ((SEEN(&d, SLOT_HASH) && t->sysv_hash == 0) ||
	    (SEEN(&d, SLOT_GNU_HASH) && t->gnu_hash == 0))
		return ELF_ERR_DYN_TABLE_ADDR;
	if (SEEN(&d, SLOT_INIT_ARRAY)) {
		if (!elf_array_ok(m, d.v[SLOT_INIT_ARRAY],
				  d.v[SLOT_INIT_ARRAYSZ]))
			return ELF_ERR_DYN_ARRAY;
		t->init_array = d.v[SLOT_INIT_ARRAY];
		t->init_count = d.v[SLOT_INIT_ARRAYSZ] / 8;
	}
	if (SEEN(&d, SLOT_FINI_ARRAY)) {
		if (!elf_array_ok(m, d.v[SLOT_FINI_ARRAY],
				  d.v[SLOT_FINI_ARRAYSZ]))
			return ELF_ERR_DYN_ARRAY;
		t->fini_array = d.v[SLOT_FINI_ARRAY];
		t->fini_count = d.v[SLOT_FINI_ARRAYSZ] / 8;
	}
	return ELF_OK;
}
