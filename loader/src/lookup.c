// SPDX-License-Identifier: LGPL-2.1-or-later
/* Symbol access and lookup by name: GNU hash, SysV hash, linear. */
#include "elf_internal.h"

void elf_read_sym(const struct elf_module *m, uint64_t index,
		  struct elf64_sym *sym)
{
	/* In range: stage 4 checked symcount entries. */
	const uint8_t *p =
		elf_at(m, m->t.symtab + index * sizeof(*sym), sizeof(*sym));

	elf_memcpy(sym, p, sizeof(*sym));
}

const char *elf_str(const struct elf_module *m, uint64_t off)
{
	return (const char *)elf_at(m, m->t.strtab, m->t.strsz) + off;
}

bool elf_sym_exported(const struct elf64_sym *sym)
{
	uint8_t bind = ELF64_ST_BIND(sym->st_info);
	uint8_t type = ELF64_ST_TYPE(sym->st_info);
	uint8_t vis = ELF64_ST_VISIBILITY(sym->st_other);

	return sym->st_shndx != SHN_UNDEF &&
	       (bind == STB_GLOBAL || bind == STB_WEAK) &&
	       (vis == STV_DEFAULT || vis == STV_PROTECTED) &&
	       type != STT_SECTION && type != STT_FILE;
}

/* Symbol @i matches if it is exported under @name. */
static bool elf_sym_match(const struct elf_module *m, uint64_t i,
			  const char *name, struct elf64_sym *out)
{
	elf_read_sym(m, i, out);
	return elf_sym_exported(out) &&
	       elf_strcmp(elf_str(m, out->st_name), name) == 0;
}

static bool elf_find_gnu(const struct elf_module *m, const char *name,
			 struct elf64_sym *out, uint64_t *steps)
{
	const struct elf_tables *t = &m->t;
	uint64_t buckets_at = 16 + 8ull * t->gnu_bloom_size;
	uint64_t chain_at = buckets_at + 4ull * t->gnu_nbuckets;
	const uint8_t *h = elf_at(m, t->gnu_hash, chain_at);
	uint32_t hash = elf_gnu_hash(name);
	uint64_t word = elf_rd64(
		h + 16 + 8 * (uint64_t)((hash / 64) & (t->gnu_bloom_size - 1)));
	/* The shift is < 64 (stage 4) but may exceed 31: shift 64 bits. */
	uint64_t mask = (1ull << (hash % 64)) |
			(1ull << (((uint64_t)hash >> t->gnu_bloom_shift) % 64));

	if ((word & mask) != mask)
		return false;
	for (uint64_t i = elf_rd32(h + buckets_at +
				   4 * (uint64_t)(hash % t->gnu_nbuckets));
	     i != 0 && i < t->symcount; i++) {
		/* In range: stage 4 checked the chain up to symcount. */
		uint32_t ch = elf_rd32(elf_at(
			m, t->gnu_hash + chain_at + 4 * (i - t->gnu_symoffset),
			4));

		(*steps)++;
		if ((ch | 1) == (hash | 1) && elf_sym_match(m, i, name, out))
			return true;
		if (ch & 1)
			break;
	}
	return false;
}

static bool elf_find_sysv(const struct elf_module *m, const char *name,
			  struct elf64_sym *out, uint64_t *steps)
{
	const struct elf_tables *t = &m->t;
	uint64_t nbucket = t->sysv_nbucket;
	const uint8_t *h =
		elf_at(m, t->sysv_hash, 4 * (2 + nbucket + t->symcount));
	const uint8_t *chain = h + 8 + 4 * nbucket;
	uint64_t i = elf_rd32(h + 8 + 4 * (elf_sysv_hash(name) % nbucket));

	/* A hostile chain may loop: at most nchain steps. */
	for (uint64_t n = 0; i != 0 && n < t->symcount; n++) {
		(*steps)++;
		if (elf_sym_match(m, i, name, out))
			return true;
		i = elf_rd32(chain + 4 * i);
	}
	return false;
}

bool elf_find_export(const struct elf_module *m, const char *name,
		     struct elf64_sym *out, uint64_t *steps)
{
	uint64_t unused = 0;

	if (!steps)
		steps = &unused;
	/* The lookup itself, even one the bloom filter answers. */
	(*steps)++;
	if (m->t.gnu_hash)
		return elf_find_gnu(m, name, out, steps);
	if (m->t.sysv_hash)
		return elf_find_sysv(m, name, out, steps);
	for (uint64_t i = 1; i < m->t.symcount; i++) {
		(*steps)++;
		if (elf_sym_match(m, i, name, out))
			return true;
	}
	return false;
}

/* Run-time address of a defined symbol of a loaded module. */
static uint64_t elf_sym_addr(const struct elf_module *m,
			     const struct elf64_sym *s)
{
	if (s->st_shndx == SHN_ABS)
		return s->st_value;
	return m->load_addr + (s->st_value - m->vaddr_min);
}

enum elf_status elf_lookup(const struct elf_module *m, const char *name,
			   uint64_t *addr)
{
	struct elf64_sym s;

	if (!m || !name || !addr)
		return ELF_ERR_ARGUMENT;
	if (m->state != ELF_MODULE_LOADED && m->state != ELF_MODULE_LINKED)
		return ELF_ERR_STATE;
	if (!elf_find_export(m, name, &s, NULL))
		return ELF_ERR_NOT_FOUND;
	*addr = elf_sym_addr(m, &s);
	return ELF_OK;
}

uint64_t elf_symbol_count(const struct elf_module *m)
{
	if (!m || m->state == ELF_MODULE_EMPTY)
		return 0;
	return m->t.symcount;
}

enum elf_status elf_symbol(const struct elf_module *m, uint64_t index,
			   struct elf_symbol_info *out)
{
	struct elf64_sym s;
	uint8_t bind;

	if (!m || !out)
		return ELF_ERR_ARGUMENT;
	if (m->state == ELF_MODULE_EMPTY)
		return ELF_ERR_STATE;
	if (index >= m->t.symcount)
		return ELF_ERR_ARGUMENT;
	elf_read_sym(m, index, &s);
	bind = ELF64_ST_BIND(s.st_info);
	out->name = elf_str(m, s.st_name);
	out->size = s.st_size;
	out->bind = bind;
	out->type = ELF64_ST_TYPE(s.st_info);
	out->defined = s.st_shndx != SHN_UNDEF;
	out->exported = elf_sym_exported(&s);
	out->imported = index != 0 && !out->defined &&
			(bind == STB_GLOBAL || bind == STB_WEAK);
	out->value = s.st_value;
	if (out->defined && m->state != ELF_MODULE_PARSED)
		out->value = elf_sym_addr(m, &s);
	return ELF_OK;
}
