// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Synthetic ELF generator (see elf_gen.h). It uses the system's <elf.h>,
 * independent of the loader's own definitions, so the tests cross-check
 * those too.
 */
#include "elf_gen.h"

#include <elf.h>
#include <string.h>

/* endbr64; mov eax, 42; ret   and   endbr64; mov eax, 7; ret */
static const uint8_t elfgen_text[] = {
	0xf3, 0x0f, 0x1e, 0xfa, 0xb8, 0x2a, 0x00, 0x00, 0x00,
	0xc3, 0x90, 0x90, 0x90, 0x90, 0x90, 0x90, 0xf3, 0x0f,
	0x1e, 0xfa, 0xb8, 0x07, 0x00, 0x00, 0x00, 0xc3,
};

uint32_t elfgen_gnu_hash(const char *name)
{
	uint32_t h = 5381;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = h * 33 + *p;
	return h;
}

uint32_t elfgen_sysv_hash(const char *name)
{
	uint32_t h = 0, g;

	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		h = (h << 4) + *p;
		g = h & 0xf0000000u;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	return h;
}

static void add_sym(struct elfgen_opts *o, const char *name, uint8_t bind,
		    uint8_t type, bool defined, uint64_t value, uint64_t size)
{
	struct elfgen_sym *s = &o->syms[o->nsyms++];

	s->name = name;
	s->bind = bind;
	s->type = type;
	s->defined = defined;
	s->value = value;
	s->size = size;
}

static void add_rel(struct elfgen_opts *o, uint64_t off, uint32_t type,
		    uint32_t sym, int64_t addend, bool plt)
{
	struct elfgen_rel *r = &o->rels[o->nrels++];

	r->offset = off;
	r->type = type;
	r->sym = sym;
	r->addend = addend;
	r->plt = plt;
}

void elfgen_default_module(struct elfgen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sysv_hash = o->gnu_hash = true;
	o->init_array = o->fini_array = true;
	add_sym(o, "imp_func", STB_GLOBAL, STT_FUNC, false, 0, 0);     /* 1 */
	add_sym(o, "imp_data", STB_GLOBAL, STT_OBJECT, false, 0, 0);   /* 2 */
	add_sym(o, "weak_missing", STB_WEAK, STT_NOTYPE, false, 0, 0); /* 3 */
	add_sym(o, "exp_func", STB_GLOBAL, STT_FUNC, true, ELFGEN_FUNC42,
		10); /* 4 */
	add_sym(o, "exp_func7", STB_GLOBAL, STT_FUNC, true, ELFGEN_FUNC7,
		10); /* 5 */
	add_sym(o, "exp_data", STB_GLOBAL, STT_OBJECT, true, ELFGEN_DATA,
		8); /* 6 */
	add_rel(o, ELFGEN_INIT_ARRAY, R_X86_64_RELATIVE, 0, ELFGEN_FUNC42,
		false);
	add_rel(o, ELFGEN_FINI_ARRAY, R_X86_64_RELATIVE, 0, ELFGEN_FUNC7,
		false);
	add_rel(o, ELFGEN_GOT, R_X86_64_RELATIVE, 0, ELFGEN_DATA, false);
	add_rel(o, ELFGEN_GOT + 8, R_X86_64_GLOB_DAT, 2, 0, false);
	add_rel(o, ELFGEN_GOT + 16, R_X86_64_GLOB_DAT, 3, 0, false);
	add_rel(o, ELFGEN_DATA + 8, R_X86_64_64, 1, 16, false);
	add_rel(o, ELFGEN_DATA + 16, R_X86_64_64, 4, 0, false);
	add_rel(o, ELFGEN_DATA + 24, R_X86_64_NONE, 0, 0, false);
	add_rel(o, ELFGEN_GOT + 24, R_X86_64_JUMP_SLOT, 1, 0, true);
}

void elfgen_default_core(struct elfgen_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->sysv_hash = o->gnu_hash = true;
	add_sym(o, "imp_func", STB_GLOBAL, STT_FUNC, true, ELFGEN_FUNC42, 10);
	add_sym(o, "imp_data", STB_GLOBAL, STT_OBJECT, true, ELFGEN_DATA, 8);
	add_sym(o, "core_weak", STB_WEAK, STT_FUNC, true, ELFGEN_FUNC7, 10);
}

static void put_phdr(uint8_t *buf, unsigned int i, uint32_t type,
		     uint32_t flags, uint64_t off, uint64_t filesz,
		     uint64_t memsz, uint64_t align)
{
	Elf64_Phdr ph = {
		.p_type = type,
		.p_flags = flags,
		.p_offset = off,
		.p_vaddr = off,
		.p_paddr = off,
		.p_filesz = filesz,
		.p_memsz = memsz,
		.p_align = align,
	};

	memcpy(buf + elfgen_phdr(i), &ph, sizeof(ph));
}

static void put_dyn(uint8_t *buf, unsigned int *n, int64_t tag, uint64_t val)
{
	Elf64_Dyn d = {.d_tag = tag, .d_un.d_val = val};

	memcpy(buf + ELFGEN_DYNAMIC + 16 * (size_t)(*n)++, &d, sizeof(d));
}

/* Final dynsym order: null, undefined, then defined sorted by GNU bucket. */
static void order_symbols(const struct elfgen_opts *o, struct elfgen_layout *l,
			  uint32_t nbuckets, int order[])
{
	int n = 0;

	for (size_t i = 0; i < o->nsyms; i++)
		if (!o->syms[i].defined)
			order[n++] = (int)i;
	l->gnu_symoffset = (uint32_t)n + 1;
	for (uint32_t b = 0; b < nbuckets; b++)
		for (size_t i = 0; i < o->nsyms; i++)
			if (o->syms[i].defined &&
			    elfgen_gnu_hash(o->syms[i].name) % nbuckets == b)
				order[n++] = (int)i;
	for (int k = 0; k < n; k++)
		l->sym_index[order[k] + 1] = (uint32_t)k + 1;
	l->symcount = (uint32_t)n + 1;
}

static void write_symbols(uint8_t *buf, const struct elfgen_opts *o,
			  struct elfgen_layout *l, const int order[])
{
	uint32_t str = 1;

	buf[ELFGEN_STRTAB] = 0;
	for (uint32_t k = 0; k + 1 < l->symcount; k++) {
		const struct elfgen_sym *s = &o->syms[order[k]];
		Elf64_Sym e = {
			.st_name = str,
			.st_info = ELF64_ST_INFO(s->bind, s->type),
			.st_other = STV_DEFAULT,
			.st_shndx = s->defined ? 5 : SHN_UNDEF,
			.st_value = s->value,
			.st_size = s->size,
		};

		memcpy(buf + elfgen_sym(k + 1), &e, sizeof(e));
		memcpy(buf + ELFGEN_STRTAB + str, s->name, strlen(s->name) + 1);
		str += (uint32_t)strlen(s->name) + 1;
	}
	l->strsz = str;
}

static void write_sysv_hash(uint8_t *buf, const struct elfgen_opts *o,
			    const struct elfgen_layout *l, const int order[])
{
	const uint32_t nbucket = 3;
	uint32_t *h = (uint32_t *)(buf + ELFGEN_HASH);
	uint32_t *bucket = h + 2, *chain = h + 2 + nbucket;

	h[0] = nbucket;
	h[1] = l->symcount;
	for (uint32_t i = 1; i < l->symcount; i++) {
		uint32_t b =
			elfgen_sysv_hash(o->syms[order[i - 1]].name) % nbucket;

		chain[i] = bucket[b];
		bucket[b] = i;
	}
}

static void write_gnu_hash(uint8_t *buf, const struct elfgen_opts *o,
			   const struct elfgen_layout *l, const int order[])
{
	uint32_t *h = (uint32_t *)(buf + ELFGEN_GNU_HASH);
	uint64_t *bloom = (uint64_t *)(h + 4);
	uint32_t *buckets = (uint32_t *)(bloom + 1);
	uint32_t *chain = buckets + l->gnu_nbuckets;
	const uint32_t shift = 6;

	h[0] = l->gnu_nbuckets;
	h[1] = l->gnu_symoffset;
	h[2] = 1;
	h[3] = shift;
	for (uint32_t i = l->gnu_symoffset; i < l->symcount; i++) {
		uint32_t hash = elfgen_gnu_hash(o->syms[order[i - 1]].name);
		uint32_t b = hash % l->gnu_nbuckets;
		bool last = i + 1 == l->symcount ||
			    elfgen_gnu_hash(o->syms[order[i]].name) %
					    l->gnu_nbuckets !=
				    b;

		bloom[0] |= 1ull << (hash % 64);
		bloom[0] |= 1ull << ((hash >> shift) % 64);
		if (buckets[b] == 0)
			buckets[b] = i;
		chain[i - l->gnu_symoffset] = (hash & ~1u) | (last ? 1u : 0u);
	}
}

static void write_relocs(uint8_t *buf, const struct elfgen_opts *o,
			 struct elfgen_layout *l)
{
	for (size_t i = 0; i < o->nrels; i++) {
		const struct elfgen_rel *r = &o->rels[i];
		uint32_t sym = r->sym ? l->sym_index[r->sym] : 0;
		Elf64_Rela e = {
			.r_offset = r->offset,
			.r_info = ELF64_R_INFO(sym, r->type),
			.r_addend = r->addend,
		};
		size_t at = r->plt ? ELFGEN_JMPREL + 24 * l->njmprel++
				   : ELFGEN_RELA + 24 * l->nrela++;

		memcpy(buf + at, &e, sizeof(e));
	}
}

static void write_shdrs(uint8_t *buf, const struct elfgen_layout *l)
{
	Elf64_Shdr sh[2] = {
		{0},
		{
			.sh_type = SHT_DYNSYM,
			.sh_flags = SHF_ALLOC,
			.sh_addr = ELFGEN_SYMTAB,
			.sh_offset = ELFGEN_SYMTAB,
			.sh_size = 24ull * l->symcount,
			.sh_entsize = 24,
		},
	};

	memcpy(buf + ELFGEN_SHOFF, sh, sizeof(sh));
}

static void write_dynamic(uint8_t *buf, const struct elfgen_opts *o,
			  const struct elfgen_layout *l)
{
	unsigned int n = 0;

	if (o->sysv_hash)
		put_dyn(buf, &n, DT_HASH, ELFGEN_HASH);
	if (o->gnu_hash)
		put_dyn(buf, &n, DT_GNU_HASH, ELFGEN_GNU_HASH);
	put_dyn(buf, &n, DT_STRTAB, ELFGEN_STRTAB);
	put_dyn(buf, &n, DT_SYMTAB, ELFGEN_SYMTAB);
	put_dyn(buf, &n, DT_STRSZ, l->strsz);
	put_dyn(buf, &n, DT_SYMENT, 24);
	if (l->nrela) {
		put_dyn(buf, &n, DT_RELA, ELFGEN_RELA);
		put_dyn(buf, &n, DT_RELASZ, 24ull * l->nrela);
		put_dyn(buf, &n, DT_RELAENT, 24);
	}
	if (l->njmprel) {
		put_dyn(buf, &n, DT_JMPREL, ELFGEN_JMPREL);
		put_dyn(buf, &n, DT_PLTRELSZ, 24ull * l->njmprel);
		put_dyn(buf, &n, DT_PLTREL, DT_RELA);
	}
	if (o->init_array) {
		put_dyn(buf, &n, DT_INIT_ARRAY, ELFGEN_INIT_ARRAY);
		put_dyn(buf, &n, DT_INIT_ARRAYSZ, 8);
	}
	if (o->fini_array) {
		put_dyn(buf, &n, DT_FINI_ARRAY, ELFGEN_FINI_ARRAY);
		put_dyn(buf, &n, DT_FINI_ARRAYSZ, 8);
	}
	put_dyn(buf, &n, DT_FLAGS, DF_BIND_NOW);
	put_dyn(buf, &n, DT_FLAGS_1, DF_1_NOW);
	put_dyn(buf, &n, DT_NULL, 0);
}

void elfgen_build(uint8_t *buf, const struct elfgen_opts *o,
		  struct elfgen_layout *l)
{
	Elf64_Ehdr eh = {
		.e_ident = {ELFMAG0, ELFMAG1, ELFMAG2, ELFMAG3, ELFCLASS64,
			    ELFDATA2LSB, EV_CURRENT, ELFOSABI_SYSV},
		.e_type = ET_DYN,
		.e_machine = EM_X86_64,
		.e_version = EV_CURRENT,
		.e_phoff = ELFGEN_PHOFF,
		.e_shoff = o->shdrs ? ELFGEN_SHOFF : 0,
		.e_ehsize = sizeof(Elf64_Ehdr),
		.e_phentsize = sizeof(Elf64_Phdr),
		.e_phnum = ELFGEN_PHNUM,
		.e_shentsize = sizeof(Elf64_Shdr),
		.e_shnum = o->shdrs ? 2 : 0,
	};
	int order[ELFGEN_MAX_SYMS] = {0};

	memset(buf, 0, ELFGEN_FILE_SIZE);
	memset(l, 0, sizeof(*l));
	l->gnu_nbuckets = o->gnu_nbuckets ? o->gnu_nbuckets : 3;
	memcpy(buf, &eh, sizeof(eh));
	put_phdr(buf, ELFGEN_PH_LOAD_R, PT_LOAD, PF_R, 0, 0x1000, 0x1000,
		 0x1000);
	put_phdr(buf, ELFGEN_PH_LOAD_RX, PT_LOAD, PF_R | PF_X, 0x1000,
		 sizeof(elfgen_text), sizeof(elfgen_text), 0x1000);
	put_phdr(buf, ELFGEN_PH_LOAD_RW, PT_LOAD, PF_R | PF_W, 0x2000, 0x1100,
		 0x2000, 0x1000);
	put_phdr(buf, ELFGEN_PH_DYNAMIC, PT_DYNAMIC, PF_R | PF_W,
		 ELFGEN_DYNAMIC, 16ull * ELFGEN_DYN_SLOTS,
		 16ull * ELFGEN_DYN_SLOTS, 8);
	put_phdr(buf, ELFGEN_PH_RELRO, PT_GNU_RELRO, PF_R, 0x2000, 0x1000,
		 0x1000, 1);
	put_phdr(buf, ELFGEN_PH_STACK, PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 16);
	put_phdr(buf, ELFGEN_PH_NOTE, PT_NOTE, PF_R, 0x1f0, 16, 16, 4);
	memcpy(buf + ELFGEN_TEXT, elfgen_text, sizeof(elfgen_text));

	order_symbols(o, l, l->gnu_nbuckets, order);
	write_symbols(buf, o, l, order);
	if (o->sysv_hash)
		write_sysv_hash(buf, o, l, order);
	if (o->gnu_hash)
		write_gnu_hash(buf, o, l, order);
	write_relocs(buf, o, l);
	if (o->shdrs)
		write_shdrs(buf, l);
	write_dynamic(buf, o, l);
}

size_t elfgen_dyn_find(const uint8_t *buf, int64_t tag)
{
	for (unsigned int i = 0; i < ELFGEN_DYN_SLOTS; i++) {
		Elf64_Dyn d;

		memcpy(&d, buf + ELFGEN_DYNAMIC + 16 * (size_t)i, sizeof(d));
		if (d.d_tag == tag)
			return ELFGEN_DYNAMIC + 16 * (size_t)i;
		if (d.d_tag == DT_NULL)
			break;
	}
	return 0;
}

size_t elfgen_dyn_end(const uint8_t *buf)
{
	return elfgen_dyn_find(buf, DT_NULL);
}

size_t elfgen_phdr(unsigned int index)
{
	return ELFGEN_PHOFF + sizeof(Elf64_Phdr) * index;
}

size_t elfgen_sym(unsigned int index)
{
	return ELFGEN_SYMTAB + sizeof(Elf64_Sym) * index;
}
