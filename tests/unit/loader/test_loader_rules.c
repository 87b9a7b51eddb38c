// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One test per validation rule of the loader: a valid synthetic ELF
 * (tests/support/elf_gen.c) is corrupted in exactly one place and
 * elf_parse() must answer with that rule's status.
 */
#include "loader_test.h"

static _Alignas(64) uint8_t buf[ELFGEN_FILE_SIZE + 0x400];
static struct elfgen_layout lay;
static struct elfgen_opts opts;

#define EH ((Elf64_Ehdr *)buf)
#define PH(i) ((Elf64_Phdr *)(buf + elfgen_phdr(i)))
#define DYN(tag) ((Elf64_Dyn *)(buf + elfgen_dyn_find(buf, (tag))))
#define DYN_END ((Elf64_Dyn *)(buf + elfgen_dyn_end(buf)))
#define SYM(i) ((Elf64_Sym *)(buf + elfgen_sym(i)))
#define RELA(i) ((Elf64_Rela *)(buf + ELFGEN_RELA + 24 * (size_t)(i)))
#define HASH ((uint32_t *)(buf + ELFGEN_HASH))
#define GNU ((uint32_t *)(buf + ELFGEN_GNU_HASH))
/* GNU hash words: 4 header words, one 64-bit bloom word, then buckets. */
#define GNU_BUCKET(i) (GNU[6 + (i)])
#define GNU_CHAIN(i) (GNU[6 + lay.gnu_nbuckets + (i)])

static void build(void)
{
	memset(buf, 0, sizeof(buf));
	elfgen_build(buf, &opts, &lay);
}

static int setup(void **state)
{
	(void)state;
	elfgen_default_module(&opts);
	build();
	return 0;
}

static enum elf_status parse_size(size_t size)
{
	struct elf_module m;
	struct elf_error_detail d;

	return elf_parse(&m, buf, size, "rules", &d);
}

static enum elf_status parse(void)
{
	return parse_size(ELFGEN_FILE_SIZE);
}

/* Appends a dynamic entry before DT_NULL. */
static void dyn_append(int64_t tag, uint64_t val)
{
	Elf64_Dyn *d = DYN_END;

	d->d_tag = tag;
	d->d_un.d_val = val;
	d[1].d_tag = DT_NULL;
}

#define RULE(name, want, ...)                                                  \
	static void test_loader_##name(void **state)                           \
	{                                                                      \
		(void)state;                                                   \
		__VA_ARGS__;                                                   \
		assert_status(parse(), want);                                  \
	}

/* The unmodified synthetic module passes every stage. */
RULE(valid_module, ELF_OK, (void)0)

/* A file shorter than the ELF header is refused. */
static void test_loader_hdr_size(void **state)
{
	(void)state;
	assert_status(parse_size(63), ELF_ERR_HDR_SIZE);
}
/* The magic bytes are checked. */
RULE(hdr_magic, ELF_ERR_HDR_MAGIC, buf[1] = 'X')
/* Only ELFCLASS64 is accepted. */
RULE(hdr_class, ELF_ERR_HDR_CLASS, buf[EI_CLASS] = ELFCLASS32)
/* Only little-endian files are accepted. */
RULE(hdr_data, ELF_ERR_HDR_DATA, buf[EI_DATA] = ELFDATA2MSB)
/* EI_VERSION must be EV_CURRENT. */
RULE(hdr_ident_version, ELF_ERR_HDR_VERSION, buf[EI_VERSION] = 2)
/* e_version must be EV_CURRENT. */
RULE(hdr_version, ELF_ERR_HDR_VERSION, EH->e_version = 0)
/* Only the System V and GNU OS ABIs are accepted. */
RULE(hdr_osabi, ELF_ERR_HDR_OSABI, buf[EI_OSABI] = ELFOSABI_FREEBSD)
/* The ABI version must be 0. */
RULE(hdr_abiversion, ELF_ERR_HDR_OSABI, buf[EI_ABIVERSION] = 1)
/* An executable (ET_EXEC) is not position independent: refused. */
RULE(hdr_type, ELF_ERR_HDR_TYPE, EH->e_type = ET_EXEC)
/* Only x86-64 code is accepted. */
RULE(hdr_machine, ELF_ERR_HDR_MACHINE, EH->e_machine = EM_AARCH64)
/* Unknown e_flags are refused. */
RULE(hdr_flags, ELF_ERR_HDR_FLAGS, EH->e_flags = 1)
/* e_ehsize must be 64. */
RULE(hdr_ehsize, ELF_ERR_HDR_EHSIZE, EH->e_ehsize = 52)
/* e_phentsize must be 56. */
RULE(hdr_phentsize, ELF_ERR_HDR_PHENTSIZE, EH->e_phentsize = 32)
/* A file without program headers is refused. */
RULE(hdr_phnum_zero, ELF_ERR_HDR_PHNUM, EH->e_phnum = 0)
/* PN_XNUM (0xffff) and other huge counts are refused. */
RULE(hdr_phnum_huge, ELF_ERR_HDR_PHNUM, EH->e_phnum = PN_XNUM)
/* A misaligned program header table is refused. */
RULE(hdr_phoff_align, ELF_ERR_HDR_PHDR_ALIGN, EH->e_phoff = 0x44)
/* A program header table past the end of the file is refused. */
RULE(hdr_phdr_range, ELF_ERR_HDR_PHDR_RANGE, EH->e_phoff = ELFGEN_FILE_SIZE - 8)
/* A program header table whose offset would wrap is refused. */
RULE(hdr_phdr_wrap, ELF_ERR_HDR_PHDR_RANGE, EH->e_phoff = UINT64_MAX - 7)

/* An unknown segment type is refused (default-deny). */
RULE(seg_type, ELF_ERR_SEG_TYPE, PH(ELFGEN_PH_NOTE)->p_type = 0x60001234)
/* PT_INTERP (a program interpreter) is not supported. */
RULE(seg_interp, ELF_ERR_SEG_UNSUPPORTED,
     PH(ELFGEN_PH_NOTE)->p_type = PT_INTERP)
/* PT_TLS (thread-local storage) is not supported. */
RULE(seg_tls, ELF_ERR_SEG_UNSUPPORTED, PH(ELFGEN_PH_NOTE)->p_type = PT_TLS)
/* p_filesz larger than p_memsz is refused. */
RULE(seg_filesz, ELF_ERR_SEG_FILESZ, PH(ELFGEN_PH_LOAD_RW)->p_filesz = 0x2001)
/* Segment file bytes past the end of the file are refused. */
RULE(seg_range, ELF_ERR_SEG_RANGE,
     PH(ELFGEN_PH_NOTE)->p_offset = ELFGEN_FILE_SIZE - 8)
/* A segment offset that would wrap is refused. */
RULE(seg_range_wrap, ELF_ERR_SEG_RANGE,
     PH(ELFGEN_PH_NOTE)->p_offset = UINT64_MAX - 4)
/* A segment address range that wraps is refused. */
RULE(seg_addr_wrap, ELF_ERR_SEG_ADDR,
     PH(ELFGEN_PH_NOTE)->p_vaddr = UINT64_MAX - 8)
/* Unknown PT_LOAD flag bits are refused. */
RULE(seg_flags_unknown, ELF_ERR_SEG_FLAGS,
     PH(ELFGEN_PH_LOAD_R)->p_flags |= 0x100000)
/* A PT_LOAD without read permission is refused. */
RULE(seg_flags_no_read, ELF_ERR_SEG_FLAGS,
     PH(ELFGEN_PH_LOAD_RX)->p_flags = PF_X)
/* A writable and executable PT_LOAD is refused (W^X). */
RULE(seg_wx, ELF_ERR_SEG_WX,
     PH(ELFGEN_PH_LOAD_RX)->p_flags = PF_R | PF_W | PF_X)
/* p_align that is not a power of two is refused. */
RULE(seg_align_pow2, ELF_ERR_SEG_ALIGN, PH(ELFGEN_PH_LOAD_RX)->p_align = 0x1800)
/* p_align below a page is refused. */
RULE(seg_align_small, ELF_ERR_SEG_ALIGN, PH(ELFGEN_PH_LOAD_RX)->p_align = 16)
/* p_vaddr and p_offset must agree modulo p_align. */
RULE(seg_congruence, ELF_ERR_SEG_CONGRUENCE,
     PH(ELFGEN_PH_LOAD_RX)->p_vaddr = 0x1100)
/* PT_LOAD segments sharing a page are refused. */
RULE(seg_share_page, ELF_ERR_SEG_OVERLAP,
     PH(ELFGEN_PH_LOAD_R)->p_memsz = 0x1001)
/* PT_LOAD segments out of ascending order are refused. */
RULE(seg_not_ascending, ELF_ERR_SEG_OVERLAP,
     PH(ELFGEN_PH_LOAD_RX)->p_vaddr = 0x9000;
     PH(ELFGEN_PH_LOAD_RX)->p_offset = 0x1000)
/* No PT_LOAD at all is refused. */
RULE(seg_no_load, ELF_ERR_SEG_NO_LOAD, PH(ELFGEN_PH_LOAD_R)->p_type = PT_NULL;
     PH(ELFGEN_PH_LOAD_RX)->p_type = PT_NULL;
     PH(ELFGEN_PH_LOAD_RW)->p_type = PT_NULL)
/* An image larger than ELF_MAX_IMAGE_SIZE is refused. */
RULE(seg_too_big, ELF_ERR_IMAGE_TOO_BIG,
     PH(ELFGEN_PH_LOAD_RW)->p_memsz = ELF_MAX_IMAGE_SIZE)
/* PT_GNU_STACK asking for an executable stack is refused. */
RULE(seg_stack_exec, ELF_ERR_STACK_EXEC, PH(ELFGEN_PH_STACK)->p_flags |= PF_X)
/* Two PT_GNU_RELRO headers are refused. */
RULE(relro_dup, ELF_ERR_RELRO, *PH(ELFGEN_PH_NOTE) = *PH(ELFGEN_PH_RELRO))
/* PT_GNU_RELRO outside the writable segments is refused. */
RULE(relro_outside, ELF_ERR_RELRO, PH(ELFGEN_PH_RELRO)->p_vaddr = 0x1000)
/* PT_GNU_RELRO starting mid-page after writable data is refused. */
RULE(relro_mid_page, ELF_ERR_RELRO, PH(ELFGEN_PH_RELRO)->p_vaddr = 0x2100;
     PH(ELFGEN_PH_RELRO)->p_filesz = 0x100;
     PH(ELFGEN_PH_RELRO)->p_memsz = 0x100)
/* No PT_DYNAMIC is refused. */
RULE(dyn_missing, ELF_ERR_DYN_MISSING, PH(ELFGEN_PH_DYNAMIC)->p_type = PT_NULL)
/* Two PT_DYNAMIC headers are refused. */
RULE(dyn_dup_segment, ELF_ERR_DYN_DUP_SEGMENT,
     *PH(ELFGEN_PH_NOTE) = *PH(ELFGEN_PH_DYNAMIC))

/* More than ELF_MAX_LOADS PT_LOAD segments are refused. */
static void test_loader_seg_count(void **state)
{
	const unsigned int n = ELF_MAX_LOADS + 1;
	Elf64_Phdr *ph = (Elf64_Phdr *)(buf + ELFGEN_FILE_SIZE);

	(void)state;
	for (unsigned int i = 0; i < n; i++) {
		memset(&ph[i], 0, sizeof(ph[i]));
		ph[i].p_type = PT_LOAD;
		ph[i].p_flags = PF_R;
		ph[i].p_vaddr = 0x10000ull * i;
		ph[i].p_align = 0x1000;
	}
	EH->e_phoff = ELFGEN_FILE_SIZE;
	EH->e_phnum = (uint16_t)n;
	assert_status(parse_size(ELFGEN_FILE_SIZE + n * sizeof(*ph)),
		      ELF_ERR_SEG_COUNT);
}

/* The dynamic section must be 8-byte aligned. */
RULE(dyn_misaligned, ELF_ERR_DYN_RANGE, PH(ELFGEN_PH_DYNAMIC)->p_vaddr += 4;
     PH(ELFGEN_PH_DYNAMIC)->p_offset += 4)
/* The dynamic section's offset and address must name the same bytes. */
RULE(dyn_offset_mismatch, ELF_ERR_DYN_RANGE,
     PH(ELFGEN_PH_DYNAMIC)->p_offset += 16)
/* The dynamic section must lie in a loaded segment's file bytes. */
RULE(dyn_not_loaded, ELF_ERR_DYN_RANGE, PH(ELFGEN_PH_DYNAMIC)->p_vaddr = 0x3c00;
     PH(ELFGEN_PH_DYNAMIC)->p_offset = 0x3c00 - 0x1000)
/* A dynamic section size not a multiple of 16 is refused. */
RULE(dyn_size, ELF_ERR_DYN_SIZE, PH(ELFGEN_PH_DYNAMIC)->p_filesz -= 8)
/* A dynamic section without DT_NULL is refused. */
static void test_loader_dyn_no_null(void **state)
{
	Elf64_Dyn *d = (Elf64_Dyn *)(buf + ELFGEN_DYNAMIC);

	(void)state;
	for (unsigned int i = 0; i < ELFGEN_DYN_SLOTS; i++)
		if (d[i].d_tag == DT_NULL)
			d[i].d_tag = DT_DEBUG;
	assert_status(parse(), ELF_ERR_DYN_NO_NULL);
}
/* An unknown dynamic tag is refused (default-deny). */
RULE(dyn_tag_unknown, ELF_ERR_DYN_TAG, dyn_append(0x12345678, 0))
/* DT_INIT (a lone init function) is not supported. */
RULE(dyn_unsupported, ELF_ERR_DYN_UNSUPPORTED,
     dyn_append(DT_INIT, ELFGEN_FUNC42))
/* DT_NEEDED (a shared library dependency) is refused. */
RULE(dyn_needed, ELF_ERR_DYN_NEEDED, dyn_append(DT_NEEDED, 1))
/* DT_TEXTREL is refused. */
RULE(dyn_textrel, ELF_ERR_DYN_TEXTREL, dyn_append(DT_TEXTREL, 0))
/* DF_TEXTREL in DT_FLAGS is refused. */
RULE(dyn_flags_textrel, ELF_ERR_DYN_TEXTREL,
     DYN(DT_FLAGS)->d_un.d_val |= DF_TEXTREL)
/* DF_STATIC_TLS in DT_FLAGS is refused. */
RULE(dyn_flags_static_tls, ELF_ERR_DYN_FLAGS,
     DYN(DT_FLAGS)->d_un.d_val |= DF_STATIC_TLS)
/* REL relocations (DT_REL) are refused. */
RULE(dyn_rel, ELF_ERR_DYN_REL, dyn_append(DT_REL, ELFGEN_RELA))
/* A unique tag appearing twice is refused. */
RULE(dyn_dup_tag, ELF_ERR_DYN_DUP_TAG, dyn_append(DT_SYMTAB, ELFGEN_SYMTAB))
/* DT_STRSZ is required. */
RULE(dyn_incomplete_strsz, ELF_ERR_DYN_INCOMPLETE,
     DYN(DT_STRSZ)->d_tag = DT_DEBUG)
/* DT_RELA without DT_RELAENT is refused. */
RULE(dyn_incomplete_relaent, ELF_ERR_DYN_INCOMPLETE,
     DYN(DT_RELAENT)->d_tag = DT_DEBUG)
/* DT_INIT_ARRAY without its size is refused. */
RULE(dyn_incomplete_array, ELF_ERR_DYN_INCOMPLETE,
     DYN(DT_INIT_ARRAYSZ)->d_tag = DT_DEBUG)
/* DT_SYMENT other than 24 is refused. */
RULE(dyn_syment, ELF_ERR_DYN_SYMENT, DYN(DT_SYMENT)->d_un.d_val = 16)
/* DT_RELAENT other than 24 is refused. */
RULE(dyn_relaent, ELF_ERR_DYN_RELAENT, DYN(DT_RELAENT)->d_un.d_val = 16)
/* DT_PLTREL other than DT_RELA is refused. */
RULE(dyn_pltrel, ELF_ERR_DYN_PLTREL, DYN(DT_PLTREL)->d_un.d_val = DT_REL)
/* A symbol table in a writable segment is refused. */
RULE(dyn_symtab_writable, ELF_ERR_DYN_TABLE_ADDR,
     DYN(DT_SYMTAB)->d_un.d_ptr = ELFGEN_DATA)
/* A string table running past its read-only segment is refused. */
RULE(dyn_strtab_range, ELF_ERR_DYN_TABLE_ADDR,
     DYN(DT_STRSZ)->d_un.d_val = 0x1000)
/* A relocation table outside the file is refused. */
RULE(dyn_rela_range, ELF_ERR_DYN_TABLE_ADDR,
     DYN(DT_RELA)->d_un.d_ptr = 0x7000000)
/* A hash table at address 0 (mistakable for none) is refused. */
RULE(dyn_hash_zero, ELF_ERR_DYN_TABLE_ADDR, DYN(DT_HASH)->d_un.d_ptr = 0)
/* A misaligned init array is refused. */
RULE(dyn_array_align, ELF_ERR_DYN_ARRAY, DYN(DT_INIT_ARRAY)->d_un.d_ptr += 4)
/* An init array size not a multiple of 8 is refused. */
RULE(dyn_array_size, ELF_ERR_DYN_ARRAY, DYN(DT_FINI_ARRAYSZ)->d_un.d_val = 12)
/* An init array outside the image is refused. */
RULE(dyn_array_range, ELF_ERR_DYN_ARRAY,
     DYN(DT_INIT_ARRAY)->d_un.d_ptr = 0x8000)

/* A string table whose last byte is not NUL is refused. */
RULE(str_unterminated, ELF_ERR_STR_UNTERMINATED,
     buf[ELFGEN_STRTAB + lay.strsz - 1] = 'x')
/* An empty string table is refused. */
RULE(str_empty, ELF_ERR_STR_UNTERMINATED, DYN(DT_STRSZ)->d_un.d_val = 0)
/* A symbol name past the string table is refused. */
RULE(str_sym_name, ELF_ERR_STR_OFFSET, SYM(2)->st_name = lay.strsz)
/* A DT_SONAME past the string table is refused. */
RULE(str_soname, ELF_ERR_STR_OFFSET, dyn_append(DT_SONAME, 0x10000))
/* STB_GNU_UNIQUE and other bindings are refused. */
RULE(sym_bind, ELF_ERR_SYM_BIND,
     SYM(4)->st_info = ELF64_ST_INFO(STB_GNU_UNIQUE, STT_OBJECT))
/* TLS symbols are refused. */
RULE(sym_type_tls, ELF_ERR_SYM_TYPE,
     SYM(4)->st_info = ELF64_ST_INFO(STB_GLOBAL, STT_TLS))
/* IFUNC symbols are refused. */
RULE(sym_type_ifunc, ELF_ERR_SYM_TYPE,
     SYM(4)->st_info = ELF64_ST_INFO(STB_GLOBAL, STT_GNU_IFUNC))
/* A defined symbol outside the image is refused. */
RULE(sym_value, ELF_ERR_SYM_VALUE, SYM(5)->st_value = 0x4000)
/* A defined symbol whose size runs past the image is refused. */
RULE(sym_size, ELF_ERR_SYM_VALUE, SYM(5)->st_size = 0x4000)
/* COMMON symbols are refused. */
RULE(sym_common, ELF_ERR_SYM_VALUE, SYM(5)->st_shndx = SHN_COMMON)
/* A symbol table running past its read-only segment is refused. */
RULE(sym_count, ELF_ERR_SYM_COUNT, DYN(DT_SYMTAB)->d_un.d_ptr = 0x1000 - 48)

/* A SysV hash table with nbucket == 0 is refused. */
RULE(hash_nbucket, ELF_ERR_HASH_NBUCKET, HASH[0] = 0)
/* A SysV hash table larger than its segment is refused. */
RULE(hash_range, ELF_ERR_HASH_RANGE, HASH[1] = 0x10000000)
/* A SysV bucket naming a symbol beyond nchain is refused. */
RULE(hash_bucket, ELF_ERR_HASH_BUCKET, HASH[2] = lay.symcount)
/* A SysV chain entry beyond nchain is refused. */
RULE(hash_chain, ELF_ERR_HASH_CHAIN, HASH[2 + 3 + 1] = 1000)
/* SysV and GNU tables disagreeing on the symbol count are refused. */
RULE(hash_mismatch, ELF_ERR_HASH_MISMATCH, HASH[1] = lay.symcount + 1)
/* A GNU hash table with no buckets is refused. */
RULE(gnu_nbucket, ELF_ERR_GNU_HASH_NBUCKET, GNU[0] = 0)
/* A GNU bloom filter of size 0 is refused. */
RULE(gnu_bloom_zero, ELF_ERR_GNU_HASH_BLOOM, GNU[2] = 0)
/* A GNU bloom filter size not a power of two is refused. */
RULE(gnu_bloom_pow2, ELF_ERR_GNU_HASH_BLOOM, GNU[2] = 3)
/* A GNU bloom shift of 64 or more is refused. */
RULE(gnu_bloom_shift, ELF_ERR_GNU_HASH_BLOOM, GNU[3] = 64)
/* A GNU hash table larger than its segment is refused. */
RULE(gnu_range, ELF_ERR_GNU_HASH_RANGE, GNU[0] = 0x10000000)
/* A GNU symoffset of 0 is refused. */
RULE(gnu_symoffset_zero, ELF_ERR_GNU_HASH_SYMOFFSET, GNU[1] = 0)
/* A GNU symoffset beyond the symbol table is refused. */
RULE(gnu_symoffset_range, ELF_ERR_GNU_HASH_SYMOFFSET, GNU[1] = lay.symcount + 1)
/* A GNU bucket below symoffset is refused. */
RULE(gnu_bucket_low, ELF_ERR_GNU_HASH_BUCKET, GNU_BUCKET(0) = 1)
/* A GNU bucket beyond the symbol table is refused. */
RULE(gnu_bucket_high, ELF_ERR_GNU_HASH_BUCKET, GNU_BUCKET(0) = lay.symcount)
/* A GNU chain without an end marker is refused. */
static void test_loader_gnu_chain(void **state)
{
	(void)state;
	for (uint32_t i = lay.gnu_symoffset; i < lay.symcount; i++)
		GNU_CHAIN(i - lay.gnu_symoffset) &= ~1u;
	assert_status(parse(), ELF_ERR_GNU_HASH_CHAIN);
}
/* Moves the GNU-only table to the end of the read-only segment, its
 * chain without an end marker, so that the chain walk runs off it. */
static void gnu_table_at_segment_end(void)
{
	const size_t size = 16 + 8 + 4 * lay.gnu_nbuckets +
			    4 * (size_t)(lay.symcount - lay.gnu_symoffset);
	const size_t at = 0xff8 - size;

	opts.sysv_hash = false;
	build();
	memmove(buf + at, buf + ELFGEN_GNU_HASH, size);
	DYN(DT_GNU_HASH)->d_un.d_ptr = at;
	for (uint32_t i = lay.gnu_symoffset; i < lay.symcount; i++)
		((uint32_t *)(buf + at + 24 + 4 * (size_t)lay.gnu_nbuckets))
			[i - lay.gnu_symoffset] &= ~1u;
}

/* A GNU chain running past the file-backed bytes is refused. */
static void test_loader_gnu_chain_unbacked(void **state)
{
	(void)state;
	gnu_table_at_segment_end();
	PH(ELFGEN_PH_LOAD_R)->p_filesz = 0xff8; /* nothing backs 0xff8.. */
	assert_status(parse(), ELF_ERR_GNU_HASH_CHAIN);
}

/* A GNU chain ending in another segment is refused. */
static void test_loader_gnu_chain_crosses(void **state)
{
	(void)state;
	gnu_table_at_segment_end();
	/* 0xff8..0x1000 is zero (no end bit); 0x1000 is text (ENDBR64,
	 * odd): the chain ends there, outside the table's segment. */
	assert_status(parse(), ELF_ERR_GNU_HASH_CHAIN);
}

/* An empty PT_GNU_RELRO is accepted and protects nothing. */
static void test_loader_relro_empty(void **state)
{
	struct elf_module m;
	uint8_t perms[4];

	(void)state;
	PH(ELFGEN_PH_RELRO)->p_filesz = PH(ELFGEN_PH_RELRO)->p_memsz = 0;
	assert_status(elf_parse(&m, buf, ELFGEN_FILE_SIZE, "m", NULL), ELF_OK);
	assert_int_equal(m.relro_start, m.relro_end);
	assert_status(elf_perm_map(&m, perms, 4), ELF_OK);
	assert_int_equal(perms[2], ELF_PERM_R | ELF_PERM_W);
}

/* Without hash tables, a missing SHT_DYNSYM header is refused. */
RULE(shdr_missing, ELF_ERR_SHDR, DYN(DT_HASH)->d_tag = DT_DEBUG;
     DYN(DT_GNU_HASH)->d_tag = DT_DEBUG)
/* Without hash tables, a bad e_shentsize is refused. */
RULE(shdr_entsize, ELF_ERR_SHDR, opts.shdrs = true; build();
     DYN(DT_HASH)->d_tag = DT_DEBUG; DYN(DT_GNU_HASH)->d_tag = DT_DEBUG;
     EH->e_shentsize = 40)
/* Without hash tables, a section header table outside the file is refused. */
RULE(shdr_range, ELF_ERR_SHDR, opts.shdrs = true; build();
     DYN(DT_HASH)->d_tag = DT_DEBUG; DYN(DT_GNU_HASH)->d_tag = DT_DEBUG;
     EH->e_shoff = ELFGEN_FILE_SIZE)
/* Without hash tables, an SHT_DYNSYM of a bad entry size is refused. */
RULE(shdr_dynsym_entsize, ELF_ERR_SHDR, opts.shdrs = true; build();
     DYN(DT_HASH)->d_tag = DT_DEBUG; DYN(DT_GNU_HASH)->d_tag = DT_DEBUG;
     ((Elf64_Shdr *)(buf + ELFGEN_SHOFF))[1].sh_entsize = 16)

/* DT_RELASZ not a multiple of 24 is refused. */
RULE(rela_size, ELF_ERR_RELA_SIZE, DYN(DT_RELASZ)->d_un.d_val -= 4)
/* Relocation types other than the five supported are refused. */
RULE(reloc_type, ELF_ERR_RELOC_TYPE,
     RELA(2)->r_info = ELF64_R_INFO(0, R_X86_64_PC32))
/* TLS relocations are refused. */
RULE(reloc_type_tls, ELF_ERR_RELOC_TYPE,
     RELA(2)->r_info = ELF64_R_INFO(1, R_X86_64_DTPMOD64))
/* IRELATIVE (IFUNC resolvers) is refused. */
RULE(reloc_type_irelative, ELF_ERR_RELOC_TYPE,
     RELA(2)->r_info = ELF64_R_INFO(0, R_X86_64_IRELATIVE))
/* A relocation target outside the image is refused. */
RULE(reloc_offset_range, ELF_ERR_RELOC_OFFSET, RELA(2)->r_offset = 0x10000)
/* A relocation target in read-only text is refused (no TEXTREL). */
RULE(reloc_offset_text, ELF_ERR_RELOC_OFFSET, RELA(2)->r_offset = ELFGEN_TEXT)
/* A relocation target straddling the image end is refused. */
RULE(reloc_offset_end, ELF_ERR_RELOC_OFFSET,
     RELA(2)->r_offset = ELFGEN_IMAGE_SIZE - 4)
/* A relocation target that would wrap is refused. */
RULE(reloc_offset_wrap, ELF_ERR_RELOC_OFFSET,
     RELA(2)->r_offset = UINT64_MAX - 3)
/* A relocation symbol index beyond the symbol table is refused. */
RULE(reloc_sym_index, ELF_ERR_RELOC_SYM_INDEX,
     RELA(3)->r_info = ELF64_R_INFO(lay.symcount, R_X86_64_GLOB_DAT))
/* A RELATIVE relocation naming a symbol is refused. */
RULE(reloc_relative_sym, ELF_ERR_RELOC_SYMBOL,
     RELA(2)->r_info = ELF64_R_INFO(1, R_X86_64_RELATIVE))
/* A GLOB_DAT relocation naming no symbol is refused. */
RULE(reloc_globdat_nosym, ELF_ERR_RELOC_SYMBOL,
     RELA(3)->r_info = ELF64_R_INFO(0, R_X86_64_GLOB_DAT))
/* An R_X86_64_NONE naming a symbol is refused. */
RULE(reloc_none_sym, ELF_ERR_RELOC_SYMBOL,
     RELA(7)->r_info = ELF64_R_INFO(1, R_X86_64_NONE))
/* A JUMP_SLOT in .rela.plt is checked like the others. */
RULE(reloc_jmprel_offset, ELF_ERR_RELOC_OFFSET,
     ((Elf64_Rela *)(buf + ELFGEN_JMPREL))->r_offset = ELFGEN_TEXT)

/* The detail names the failing entry: here relocation 2. */
static void test_loader_detail_index(void **state)
{
	struct elf_module m;
	struct elf_error_detail d;

	(void)state;
	RELA(2)->r_offset = ELFGEN_TEXT;
	assert_status(elf_parse(&m, buf, ELFGEN_FILE_SIZE, "mod", &d),
		      ELF_ERR_RELOC_OFFSET);
	assert_status(d.status, ELF_ERR_RELOC_OFFSET);
	assert_int_equal(d.index, 2);
	assert_string_equal(d.module, "mod");
}

#define T(name) cmocka_unit_test_setup(test_loader_##name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(valid_module),
		T(hdr_size),
		T(hdr_magic),
		T(hdr_class),
		T(hdr_data),
		T(hdr_ident_version),
		T(hdr_version),
		T(hdr_osabi),
		T(hdr_abiversion),
		T(hdr_type),
		T(hdr_machine),
		T(hdr_flags),
		T(hdr_ehsize),
		T(hdr_phentsize),
		T(hdr_phnum_zero),
		T(hdr_phnum_huge),
		T(hdr_phoff_align),
		T(hdr_phdr_range),
		T(hdr_phdr_wrap),
		T(seg_type),
		T(seg_interp),
		T(seg_tls),
		T(seg_filesz),
		T(seg_range),
		T(seg_range_wrap),
		T(seg_addr_wrap),
		T(seg_flags_unknown),
		T(seg_flags_no_read),
		T(seg_wx),
		T(seg_align_pow2),
		T(seg_align_small),
		T(seg_congruence),
		T(seg_share_page),
		T(seg_not_ascending),
		T(seg_no_load),
		T(seg_too_big),
		T(seg_stack_exec),
		T(relro_dup),
		T(relro_outside),
		T(relro_mid_page),
		T(dyn_missing),
		T(dyn_dup_segment),
		T(seg_count),
		T(dyn_misaligned),
		T(dyn_offset_mismatch),
		T(dyn_not_loaded),
		T(dyn_size),
		T(dyn_no_null),
		T(dyn_tag_unknown),
		T(dyn_unsupported),
		T(dyn_needed),
		T(dyn_textrel),
		T(dyn_flags_textrel),
		T(dyn_flags_static_tls),
		T(dyn_rel),
		T(dyn_dup_tag),
		T(dyn_incomplete_strsz),
		T(dyn_incomplete_relaent),
		T(dyn_incomplete_array),
		T(dyn_syment),
		T(dyn_relaent),
		T(dyn_pltrel),
		T(dyn_symtab_writable),
		T(dyn_strtab_range),
		T(dyn_rela_range),
		T(dyn_hash_zero),
		T(dyn_array_align),
		T(dyn_array_size),
		T(dyn_array_range),
		T(str_unterminated),
		T(str_empty),
		T(str_sym_name),
		T(str_soname),
		T(sym_bind),
		T(sym_type_tls),
		T(sym_type_ifunc),
		T(sym_value),
		T(sym_size),
		T(sym_common),
		T(sym_count),
		T(hash_nbucket),
		T(hash_range),
		T(hash_bucket),
		T(hash_chain),
		T(hash_mismatch),
		T(gnu_nbucket),
		T(gnu_bloom_zero),
		T(gnu_bloom_pow2),
		T(gnu_bloom_shift),
		T(gnu_range),
		T(gnu_symoffset_zero),
		T(gnu_symoffset_range),
		T(gnu_bucket_low),
		T(gnu_bucket_high),
		T(gnu_chain),
		T(gnu_chain_unbacked),
		T(gnu_chain_crosses),
		T(relro_empty),
		T(shdr_missing),
		T(shdr_entsize),
		T(shdr_range),
		T(shdr_dynsym_entsize),
		T(rela_size),
		T(reloc_type),
		T(reloc_type_tls),
		T(reloc_type_irelative),
		T(reloc_offset_range),
		T(reloc_offset_text),
		T(reloc_offset_end),
		T(reloc_offset_wrap),
		T(reloc_sym_index),
		T(reloc_relative_sym),
		T(reloc_globdat_nosym),
		T(reloc_none_sym),
		T(reloc_jmprel_offset),
		T(detail_index),
	};

	return FLANK_RUN_TESTS(tests);
}
