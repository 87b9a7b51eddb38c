/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ELF64 structures and constants the loader needs, from the System V
 * gABI and the x86-64 psABI. The loader defines its own (no <elf.h>): it is
 * built inside a Linux module and into freestanding fuzzers alike.
 */
#ifndef FLANK_ELF_DEFS_H
#define FLANK_ELF_DEFS_H

#include <stdint.h>

struct elf64_ehdr {
	uint8_t e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

struct elf64_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint64_t sh_flags;
	uint64_t sh_addr;
	uint64_t sh_offset;
	uint64_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint64_t sh_addralign;
	uint64_t sh_entsize;
};

struct elf64_sym {
	uint32_t st_name;
	uint8_t st_info;
	uint8_t st_other;
	uint16_t st_shndx;
	uint64_t st_value;
	uint64_t st_size;
};

struct elf64_rela {
	uint64_t r_offset;
	uint64_t r_info;
	int64_t r_addend;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr is 56 bytes");
_Static_assert(sizeof(struct elf64_shdr) == 64, "Elf64_Shdr is 64 bytes");
_Static_assert(sizeof(struct elf64_sym) == 24, "Elf64_Sym is 24 bytes");
_Static_assert(sizeof(struct elf64_rela) == 24, "Elf64_Rela is 24 bytes");

#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define EI_OSABI 7
#define EI_ABIVERSION 8
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ELFOSABI_SYSV 0
#define ELFOSABI_GNU 3
#define ET_DYN 3
#define EM_X86_64 62

#define PT_NULL 0
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_NOTE 4
#define PT_SHLIB 5
#define PT_PHDR 6
#define PT_TLS 7
#define PT_GNU_EH_FRAME 0x6474e550u
#define PT_GNU_STACK 0x6474e551u
#define PT_GNU_RELRO 0x6474e552u
#define PT_GNU_PROPERTY 0x6474e553u

#define PF_X 0x1u
#define PF_W 0x2u
#define PF_R 0x4u

#define SHT_DYNSYM 11

#define DT_NULL 0
#define DT_NEEDED 1
#define DT_PLTRELSZ 2
#define DT_PLTGOT 3
#define DT_HASH 4
#define DT_STRTAB 5
#define DT_SYMTAB 6
#define DT_RELA 7
#define DT_RELASZ 8
#define DT_RELAENT 9
#define DT_STRSZ 10
#define DT_SYMENT 11
#define DT_INIT 12
#define DT_FINI 13
#define DT_SONAME 14
#define DT_RPATH 15
#define DT_SYMBOLIC 16
#define DT_REL 17
#define DT_RELSZ 18
#define DT_RELENT 19
#define DT_PLTREL 20
#define DT_DEBUG 21
#define DT_TEXTREL 22
#define DT_JMPREL 23
#define DT_BIND_NOW 24
#define DT_INIT_ARRAY 25
#define DT_FINI_ARRAY 26
#define DT_INIT_ARRAYSZ 27
#define DT_FINI_ARRAYSZ 28
#define DT_RUNPATH 29
#define DT_FLAGS 30
#define DT_PREINIT_ARRAY 32
#define DT_PREINIT_ARRAYSZ 33
#define DT_SYMTAB_SHNDX 34
#define DT_RELRSZ 35
#define DT_RELR 36
#define DT_RELRENT 37
#define DT_GNU_HASH 0x6ffffef5u
#define DT_TLSDESC_PLT 0x6ffffef6u
#define DT_TLSDESC_GOT 0x6ffffef7u
#define DT_VERSYM 0x6ffffff0u
#define DT_RELACOUNT 0x6ffffff9u
#define DT_RELCOUNT 0x6ffffffau
#define DT_FLAGS_1 0x6ffffffbu
#define DT_VERDEF 0x6ffffffcu
#define DT_VERDEFNUM 0x6ffffffdu
#define DT_VERNEED 0x6ffffffeu
#define DT_VERNEEDNUM 0x6fffffffu
#define DT_AUXILIARY 0x7ffffffdu
#define DT_FILTER 0x7fffffffu

#define DF_ORIGIN 0x1u
#define DF_SYMBOLIC 0x2u
#define DF_TEXTREL 0x4u
#define DF_BIND_NOW 0x8u
#define DF_STATIC_TLS 0x10u

#define SHN_UNDEF 0
#define SHN_ABS 0xfff1u
#define SHN_COMMON 0xfff2u

#define STB_LOCAL 0
#define STB_GLOBAL 1
#define STB_WEAK 2
#define STT_NOTYPE 0
#define STT_OBJECT 1
#define STT_FUNC 2
#define STT_SECTION 3
#define STT_FILE 4
#define STV_DEFAULT 0
#define STV_PROTECTED 3

#define ELF64_ST_BIND(i) ((uint8_t)((i) >> 4))
#define ELF64_ST_TYPE(i) ((uint8_t)((i)&0xf))
#define ELF64_ST_VISIBILITY(o) ((uint8_t)((o)&0x3))
#define ELF64_R_SYM(i) ((uint64_t)((i) >> 32))
#define ELF64_R_TYPE(i) ((uint32_t)((i)&0xffffffffu))

#define R_X86_64_NONE 0
#define R_X86_64_64 1
#define R_X86_64_GLOB_DAT 6
#define R_X86_64_JUMP_SLOT 7
#define R_X86_64_RELATIVE 8

#endif /* FLANK_ELF_DEFS_H */
