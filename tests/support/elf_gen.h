/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A small generator of synthetic ELF64 x86-64 ET_DYN files, for the loader
 * tests, the fuzz seed corpus and the flank-elf tests. It writes a valid
 * file with a fixed layout (vaddr == file offset) and reports where every
 * structure is, so that a test can corrupt exactly one place.
 *
 *   0x0000 R   ehdr, phdrs, .hash, .gnu.hash, .dynsym, .dynstr, .rela.dyn,
 *              .rela.plt
 *   0x1000 RX  text: elfgen_text[] (two functions returning 42 and 7)
 *   0x2000 RW  RELRO page: init array, fini array, .dynamic, GOT
 *   0x3000 RW  data (0x100 bytes in the file), then .bss up to 0x4000
 *   0x3100     section headers (only with opts.shdrs)
 */
#ifndef FLANK_ELF_GEN_H
#define FLANK_ELF_GEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELFGEN_FILE_SIZE 0x3200u
#define ELFGEN_MAX_SYMS 24u
#define ELFGEN_MAX_RELS 40u

#define ELFGEN_PHOFF 0x40u
#define ELFGEN_HASH 0x200u
#define ELFGEN_GNU_HASH 0x300u
#define ELFGEN_SYMTAB 0x400u
#define ELFGEN_STRTAB 0x680u
#define ELFGEN_RELA 0x800u
#define ELFGEN_JMPREL 0xc00u
#define ELFGEN_TEXT 0x1000u
#define ELFGEN_FUNC42 0x1000u
#define ELFGEN_FUNC7 0x1010u
#define ELFGEN_INIT_ARRAY 0x2000u
#define ELFGEN_FINI_ARRAY 0x2008u
#define ELFGEN_DYNAMIC 0x2010u
#define ELFGEN_DYN_SLOTS 32u
#define ELFGEN_GOT 0x2400u
#define ELFGEN_DATA 0x3000u
#define ELFGEN_SHOFF 0x3100u
#define ELFGEN_IMAGE_SIZE 0x4000u

/* Program header indexes. */
enum {
	ELFGEN_PH_LOAD_R,
	ELFGEN_PH_LOAD_RX,
	ELFGEN_PH_LOAD_RW,
	ELFGEN_PH_DYNAMIC,
	ELFGEN_PH_RELRO,
	ELFGEN_PH_STACK,
	ELFGEN_PH_NOTE,
	ELFGEN_PHNUM
};

struct elfgen_sym {
	const char *name;
	uint8_t bind; /* STB_* */
	uint8_t type; /* STT_* */
	bool defined;
	uint64_t value, size;
};

struct elfgen_rel {
	uint64_t offset;
	uint32_t type;
	uint32_t sym; /* 1-based index into opts.syms; 0 for none */
	int64_t addend;
	bool plt; /* in .rela.plt instead of .rela.dyn */
};

struct elfgen_opts {
	bool sysv_hash, gnu_hash, shdrs;
	bool init_array, fini_array;
	uint32_t gnu_nbuckets; /* 0: 3 */
	struct elfgen_sym syms[ELFGEN_MAX_SYMS];
	size_t nsyms;
	struct elfgen_rel rels[ELFGEN_MAX_RELS];
	size_t nrels;
};

/* Where things ended up (file offsets; equal to vaddrs). */
struct elfgen_layout {
	uint32_t sym_index[ELFGEN_MAX_SYMS + 1]; /* opts index+1 -> dynsym */
	uint32_t symcount;
	uint32_t strsz;
	uint32_t nrela, njmprel;
	uint32_t gnu_symoffset, gnu_nbuckets;
};

/*
 * Options of the standard test module: imports imp_func, imp_data and a
 * weak weak_missing; exports exp_func (returns 42), exp_func7 (returns 7)
 * and exp_data; relocations of every supported type; init and fini arrays;
 * both hash tables.
 */
void elfgen_default_module(struct elfgen_opts *o);

/*
 * Options of a core that exports imp_func (returns 42) and imp_data and
 * imports nothing (what the standard module links against).
 */
void elfgen_default_core(struct elfgen_opts *o);

/* Writes the file into @buf (ELFGEN_FILE_SIZE bytes). */
void elfgen_build(uint8_t *buf, const struct elfgen_opts *o,
		  struct elfgen_layout *l);

/* Offset of the dynamic entry with @tag, or 0 if absent. */
size_t elfgen_dyn_find(const uint8_t *buf, int64_t tag);

/* Offset of the first DT_NULL (to append a tag before it). */
size_t elfgen_dyn_end(const uint8_t *buf);

/* Offset of program header @index. */
size_t elfgen_phdr(unsigned int index);

/* Offset of dynsym entry @index. */
size_t elfgen_sym(unsigned int index);

uint32_t elfgen_gnu_hash(const char *name);
uint32_t elfgen_sysv_hash(const char *name);

#endif /* FLANK_ELF_GEN_H */
