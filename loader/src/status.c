// SPDX-License-Identifier: LGPL-2.1-or-later
/* One sentence for every elf_status; the tool and the driver print them. */
#include "elf_internal.h"

/*
 * Long sentences are split into adjacent literals on purpose.
 * NOLINTBEGIN(bugprone-suspicious-missing-comma)
 */
static const char *const elf_status_strings[ELF_STATUS_COUNT] = {
	[ELF_OK] = "success",
	[ELF_ERR_ARGUMENT] = "invalid argument (NULL pointer or bad value)",
	[ELF_ERR_STATE] = "operation not valid in the module's current state",
	[ELF_ERR_BUFFER_SIZE] = "image buffer smaller than elf_image_size()",
	[ELF_ERR_LOAD_ADDRESS] = "load address is not page aligned",
	[ELF_ERR_PERM_MAP_SIZE] =
		"permission map has fewer entries than the image has pages",
	[ELF_ERR_NAMESPACE_FULL] =
		"namespace has no free slot for another module",
	[ELF_ERR_NOT_FOUND] = "symbol not exported by the module",
	[ELF_ERR_HDR_SIZE] = "file is shorter than an ELF64 header",
	[ELF_ERR_HDR_MAGIC] = "not an ELF file (bad magic)",
	[ELF_ERR_HDR_CLASS] = "not a 64-bit ELF file (EI_CLASS)",
	[ELF_ERR_HDR_DATA] = "not a little-endian ELF file (EI_DATA)",
	[ELF_ERR_HDR_VERSION] = "unknown ELF version (EI_VERSION or e_version)",
	[ELF_ERR_HDR_OSABI] = "unsupported OS ABI (EI_OSABI/EI_ABIVERSION)",
	[ELF_ERR_HDR_TYPE] = "not position independent (e_type is not ET_DYN): "
			     "link with -shared",
	[ELF_ERR_HDR_MACHINE] = "not an x86-64 file (e_machine)",
	[ELF_ERR_HDR_FLAGS] = "unknown processor flags (e_flags)",
	[ELF_ERR_HDR_EHSIZE] = "bad ELF header size (e_ehsize)",
	[ELF_ERR_HDR_PHENTSIZE] = "bad program header entry size (e_phentsize)",
	[ELF_ERR_HDR_PHNUM] = "no program headers, or too many (e_phnum)",
	[ELF_ERR_HDR_PHDR_RANGE] = "program header table lies outside the file",
	[ELF_ERR_HDR_PHDR_ALIGN] =
		"program header table is misaligned (e_phoff)",
	[ELF_ERR_SEG_TYPE] = "unknown program header type",
	[ELF_ERR_SEG_UNSUPPORTED] =
		"unsupported segment (PT_INTERP, PT_TLS or PT_SHLIB)",
	[ELF_ERR_SEG_FILESZ] = "segment has p_filesz larger than p_memsz",
	[ELF_ERR_SEG_RANGE] = "segment's file bytes lie outside the file",
	[ELF_ERR_SEG_FLAGS] = "PT_LOAD segment flags are not R, RX or RW",
	[ELF_ERR_SEG_WX] =
		"PT_LOAD segment is both writable and executable (W^X)",
	[ELF_ERR_SEG_ALIGN] =
		"PT_LOAD alignment is not a power of two of at least a page",
	[ELF_ERR_SEG_CONGRUENCE] =
		"PT_LOAD p_vaddr and p_offset differ modulo p_align",
	[ELF_ERR_SEG_ADDR] = "segment's address range wraps around",
	[ELF_ERR_SEG_OVERLAP] =
		"PT_LOAD segments overlap, share a page or are not ascending",
	[ELF_ERR_SEG_COUNT] = "too many PT_LOAD segments",
	[ELF_ERR_SEG_NO_LOAD] = "no PT_LOAD segment",
	[ELF_ERR_IMAGE_TOO_BIG] = "image larger than ELF_MAX_IMAGE_SIZE",
	[ELF_ERR_STACK_EXEC] = "PT_GNU_STACK asks for an executable stack",
	[ELF_ERR_RELRO] = "PT_GNU_RELRO duplicated, misplaced or not inside "
			  "one writable PT_LOAD",
	[ELF_ERR_DYN_MISSING] = "no PT_DYNAMIC segment",
	[ELF_ERR_DYN_DUP_SEGMENT] = "more than one PT_DYNAMIC segment",
	[ELF_ERR_DYN_RANGE] =
		"dynamic section misaligned or not inside a loaded segment",
	[ELF_ERR_DYN_SIZE] =
		"dynamic section size is zero or not a multiple of 16",
	[ELF_ERR_DYN_NO_NULL] = "dynamic section lacks its DT_NULL terminator",
	[ELF_ERR_DYN_TAG] = "unknown dynamic tag",
	[ELF_ERR_DYN_UNSUPPORTED] =
		"unsupported dynamic tag (DT_INIT, DT_FINI, DT_RPATH, "
		"DT_VERNEED, DT_RELR, ...)",
	[ELF_ERR_DYN_NEEDED] = "module depends on a shared library "
			       "(DT_NEEDED): link with -nostdlib",
	[ELF_ERR_DYN_TEXTREL] = "module needs text relocations (DT_TEXTREL): "
				"compile with -fPIC",
	[ELF_ERR_DYN_REL] = "REL relocations (DT_REL) are not used on x86-64; "
			    "only RELA is supported",
	[ELF_ERR_DYN_DUP_TAG] = "dynamic tag appears twice",
	[ELF_ERR_DYN_INCOMPLETE] =
		"dynamic section lacks a required tag (table without its size, "
		"no DT_SYMTAB/DT_STRTAB/DT_STRSZ)",
	[ELF_ERR_DYN_TABLE_ADDR] = "dynamic table not inside the file-backed "
				   "part of a read-only segment",
	[ELF_ERR_DYN_SYMENT] = "DT_SYMENT is not 24",
	[ELF_ERR_DYN_RELAENT] = "DT_RELAENT is not 24",
	[ELF_ERR_DYN_PLTREL] = "DT_PLTREL is not DT_RELA",
	[ELF_ERR_DYN_FLAGS] = "unsupported DT_FLAGS bit (static TLS)",
	[ELF_ERR_DYN_ARRAY] = "init/fini array misaligned, of a bad size or "
			      "outside the image",
	[ELF_ERR_STR_UNTERMINATED] = "string table empty or not NUL-terminated",
	[ELF_ERR_STR_OFFSET] = "string offset beyond the string table",
	[ELF_ERR_SYM_COUNT] =
		"symbol table count unknown, zero or outside the file",
	[ELF_ERR_SYM_BIND] = "unsupported symbol binding (e.g. STB_GNU_UNIQUE)",
	[ELF_ERR_SYM_TYPE] = "unsupported symbol type (TLS, IFUNC, ...)",
	[ELF_ERR_SYM_VALUE] =
		"defined symbol lies outside the image (or is COMMON)",
	[ELF_ERR_HASH_RANGE] =
		"SysV hash table lies outside the read-only file",
	[ELF_ERR_HASH_NBUCKET] = "SysV hash table has no buckets",
	[ELF_ERR_HASH_BUCKET] = "SysV hash bucket names a symbol beyond nchain",
	[ELF_ERR_HASH_CHAIN] = "SysV hash chain names a symbol beyond nchain",
	[ELF_ERR_GNU_HASH_RANGE] =
		"GNU hash table lies outside the read-only file",
	[ELF_ERR_GNU_HASH_NBUCKET] = "GNU hash table has no buckets",
	[ELF_ERR_GNU_HASH_BLOOM] = "GNU hash bloom filter size is not a power "
				   "of two, or its shift is too large",
	[ELF_ERR_GNU_HASH_SYMOFFSET] =
		"GNU hash symoffset is 0 or beyond the symbol table",
	[ELF_ERR_GNU_HASH_BUCKET] =
		"GNU hash bucket names a symbol outside the hashed range",
	[ELF_ERR_GNU_HASH_CHAIN] =
		"GNU hash chain runs past its table or has no end",
	[ELF_ERR_HASH_MISMATCH] =
		"GNU and SysV hash tables disagree on the symbol count",
	[ELF_ERR_SHDR] = "no hash table and no valid SHT_DYNSYM section header "
			 "to count symbols",
	[ELF_ERR_RELA_SIZE] = "relocation table size is not a multiple of 24",
	[ELF_ERR_RELOC_TYPE] = "unsupported relocation type (only NONE, "
			       "RELATIVE, 64, GLOB_DAT, JUMP_SLOT)",
	[ELF_ERR_RELOC_OFFSET] =
		"relocation target lies outside the writable segments",
	[ELF_ERR_RELOC_SYM_INDEX] =
		"relocation symbol index beyond the symbol table",
	[ELF_ERR_RELOC_SYMBOL] = "relocation names a symbol its type does not "
				 "allow (or none where one is needed)",
	[ELF_ERR_UNDEFINED_SYMBOL] =
		"unresolved import: no loaded module exports the symbol",
	[ELF_ERR_DUPLICATE_SYMBOL] = "duplicate definition: another loaded "
				     "module already defines the symbol",
	[ELF_ERR_INIT_ARRAY_ENTRY] =
		"init/fini array entry does not point into the module's text",
	[ELF_ERR_SYM_TOO_MANY] = "more dynamic symbols than a module may have "
				 "(16384; 64 without a hash table)",
	[ELF_ERR_SYM_NAME_LONG] = "symbol name longer than 511 bytes",
	[ELF_ERR_HASH_CHAIN_LONG] = "hash chain longer than 64 symbols: the "
				    "table is not sized for its symbols",
	[ELF_ERR_HASH_UNINDEXED] = "hash table does not index an exported "
				   "symbol exactly once in its bucket",
	[ELF_ERR_LINK_TOO_COSTLY] = "linking needs more than 2^20 symbol "
				    "comparisons: too many imports or "
				    "colliding names",
};
/* NOLINTEND(bugprone-suspicious-missing-comma) */

const char *elf_status_str(enum elf_status status)
{
	if ((unsigned int)status >= ELF_STATUS_COUNT ||
	    !elf_status_strings[status])
		return "unknown loader status";
	return elf_status_strings[status];
}
