// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Stage 5 of the validation pipeline (the relocation tables) and the
 * relocation of a loaded module. One switch of types, with a rejecting
 * default, in each.
 */
#include "elf_internal.h"

/* One relocation table: DT_RELA or DT_JMPREL. */
struct elf_rela_table {
	uint64_t vaddr, count;
};

static void elf_tables_of(const struct elf_module *m,
			  struct elf_rela_table tabs[2])
{
	tabs[0].vaddr = m->t.rela;
	tabs[0].count = m->t.rela_count;
	tabs[1].vaddr = m->t.jmprel;
	tabs[1].count = m->t.jmprel_count;
}

static void elf_read_rela(const struct elf_module *m,
			  const struct elf_rela_table *tab, uint64_t i,
			  struct elf64_rela *r)
{
	/* In range: elf_check_dynamic() checked the whole table. */
	elf_memcpy(r, elf_at(m, tab->vaddr + i * sizeof(*r), sizeof(*r)),
		   sizeof(*r));
}

/*
 * Checks of one relocation:
 *  - its type is NONE, RELATIVE, 64, GLOB_DAT or JUMP_SLOT;
 *  - RELATIVE and NONE name no symbol; the others name one (index != 0)
 *    inside the symbol table;
 *  - but for NONE, the 8 bytes it writes lie inside a writable PT_LOAD
 *    (RELRO included: it becomes read-only after relocation).
 */
static enum elf_status elf_check_rela(const struct elf_module *m,
				      const struct elf64_rela *r)
{
	uint64_t sym = ELF64_R_SYM(r->r_info);

	switch (ELF64_R_TYPE(r->r_info)) {
	case R_X86_64_NONE:
		return sym == 0 ? ELF_OK : ELF_ERR_RELOC_SYMBOL;
	case R_X86_64_RELATIVE:
		if (sym != 0)
			return ELF_ERR_RELOC_SYMBOL;
		break;
	case R_X86_64_64:
	case R_X86_64_GLOB_DAT:
	case R_X86_64_JUMP_SLOT:
		if (sym == 0)
			return ELF_ERR_RELOC_SYMBOL;
		if (sym >= m->t.symcount)
			return ELF_ERR_RELOC_SYM_INDEX;
		break;
	default:
		return ELF_ERR_RELOC_TYPE;
	}
	if (!elf_in_segment(m, r->r_offset, 8, ELF_PERM_W))
		return ELF_ERR_RELOC_OFFSET;
	return ELF_OK;
}

/*
 * Checks: DT_RELASZ and DT_PLTRELSZ are multiples of 24; every entry of
 * both tables passes elf_check_rela(). The index in the error detail
 * counts DT_RELA entries first, then DT_JMPREL ones.
 */
enum elf_status elf_check_relocs(struct elf_parse_ctx *c)
{
	struct elf_module *m = c->m;
	struct elf_rela_table tabs[2];
	uint64_t base = 0;

	if (c->rela_size % sizeof(struct elf64_rela) != 0 ||
	    c->jmprel_size % sizeof(struct elf64_rela) != 0)
		return ELF_ERR_RELA_SIZE;
	m->t.rela_count = c->rela_size / sizeof(struct elf64_rela);
	m->t.jmprel_count = c->jmprel_size / sizeof(struct elf64_rela);
	elf_tables_of(m, tabs);
	for (int t = 0; t < 2; t++) {
		for (uint64_t i = 0; i < tabs[t].count; i++) {
			struct elf64_rela r;
			enum elf_status st;

			elf_read_rela(m, &tabs[t], i, &r);
			st = elf_check_rela(m, &r);
			if (st != ELF_OK)
				return elf_fail(c->detail, st, base + i);
		}
		base += tabs[t].count;
	}
	return ELF_OK;
}

enum elf_status elf_reloc_counts(const struct elf_module *m,
				 struct elf_reloc_counts *out)
{
	struct elf_rela_table tabs[2];

	if (!m || !out)
		return ELF_ERR_ARGUMENT;
	if (m->state == ELF_MODULE_EMPTY)
		return ELF_ERR_STATE;
	elf_memset(out, 0, sizeof(*out));
	elf_tables_of(m, tabs);
	for (int t = 0; t < 2; t++) {
		for (uint64_t i = 0; i < tabs[t].count; i++) {
			struct elf64_rela r;

			elf_read_rela(m, &tabs[t], i, &r);
			switch (ELF64_R_TYPE(r.r_info)) {
			case R_X86_64_NONE:
				out->none++;
				break;
			case R_X86_64_RELATIVE:
				out->relative++;
				break;
			case R_X86_64_64:
				out->abs64++;
				break;
			case R_X86_64_GLOB_DAT:
				out->glob_dat++;
				break;
			default:
				out->jump_slot++;
				break; /* stage 5 */
			}
		}
	}
	return ELF_OK;
}

/*
 * Resolves symbol @index of @m to a run-time address: the module's own
 * definition first (the image is linked -Bsymbolic, modules the same),
 * then the first module of @ns exporting the name; an unresolved weak
 * reference is 0.
 */
static enum elf_status elf_resolve(const struct elf_namespace *ns,
				   const struct elf_module *m, uint64_t index,
				   uint64_t *addr,
				   struct elf_error_detail *detail,
				   uint64_t *steps)
{
	struct elf64_sym s, def;
	const char *name;

	elf_read_sym(m, index, &s);
	if (s.st_shndx == SHN_ABS) {
		*addr = s.st_value;
		return ELF_OK;
	}
	if (s.st_shndx != SHN_UNDEF) {
		*addr = m->load_addr + (s.st_value - m->vaddr_min);
		return ELF_OK;
	}
	name = elf_str(m, s.st_name);
	for (size_t i = 0; i < ns->count; i++) {
		const struct elf_module *o = ns->modules[i];

		if (*steps > ELF_MAX_LINK_STEPS)
			return ELF_ERR_LINK_TOO_COSTLY;
		if (!elf_find_export(o, name, &def, steps))
			continue;
		*addr = def.st_shndx == SHN_ABS
				? def.st_value
				: o->load_addr + (def.st_value - o->vaddr_min);
		return ELF_OK;
	}
	if (ELF64_ST_BIND(s.st_info) == STB_WEAK) {
		*addr = 0;
		return ELF_OK;
	}
	if (detail)
		elf_strlcpy(detail->symbol, name, sizeof(detail->symbol));
	return ELF_ERR_UNDEFINED_SYMBOL;
}

enum elf_status elf_apply_relocs(const struct elf_namespace *ns,
				 struct elf_module *m,
				 struct elf_error_detail *detail,
				 uint64_t *steps)
{
	struct elf_rela_table tabs[2];
	uint64_t base = m->load_addr - m->vaddr_min, first = 0;

	elf_tables_of(m, tabs);
	for (int t = 0; t < 2; t++) {
		for (uint64_t i = 0; i < tabs[t].count; i++) {
			struct elf64_rela r;
			uint64_t s = 0, v;
			enum elf_status st;
			uint8_t *where;

			elf_maybe_yield(ns, first + i);
			elf_read_rela(m, &tabs[t], i, &r);
			switch (ELF64_R_TYPE(r.r_info)) {
			case R_X86_64_NONE:
				continue;
			case R_X86_64_RELATIVE:
				v = base + (uint64_t)r.r_addend;
				break;
			case R_X86_64_64:
			case R_X86_64_GLOB_DAT:
			case R_X86_64_JUMP_SLOT:
				st = elf_resolve(ns, m, ELF64_R_SYM(r.r_info),
						 &s, detail, steps);
				if (st != ELF_OK)
					return elf_fail(detail, st, first + i);
				/* psABI: 64 is S + A; GLOB_DAT, JUMP_SLOT S. */
				v = s;
				if (ELF64_R_TYPE(r.r_info) == R_X86_64_64)
					v += (uint64_t)r.r_addend;
				break;
			default:
				/* Stage 5 refused every other type. */
				return elf_fail(detail, ELF_ERR_RELOC_TYPE,
						first + i);
			}
			/* In range: stage 5 checked the target. */
			where = m->image + (r.r_offset - m->vaddr_min);
			elf_wr64(where, v);
		}
		first += tabs[t].count;
	}
	return ELF_OK;
}
