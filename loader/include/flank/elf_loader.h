/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file elf_loader.h
 * Flank's ELF64 x86-64 loader: validates, lays out, relocates and links
 * position-independent ELF images (vmm.elf and extension modules).
 *
 * The loader is freestanding C with no allocation, no recursion and no
 * global mutable state: the caller supplies every byte of memory it uses
 * (the struct elf_module, the image buffer, the namespace slots). The same
 * sources are compiled into the Linux driver, the userspace tests, the
 * flank-elf tool and the fuzzers. Every input byte is treated as hostile:
 * a malformed file yields a distinct elf_status, never a crash.
 *
 * Life of a module:
 *  1. elf_parse()      validates the file (every stage of the pipeline);
 *  2. elf_image_size() tells the caller how many bytes to reserve;
 *  3. elf_load()       copies the segments into the caller's buffer;
 *  4. elf_link()       resolves imports against a namespace of already
 *                      linked modules, applies the relocations and adds the
 *                      module to the namespace;
 *  5. elf_perm_map()   gives the per-page permissions to map W^X.
 *
 * The loader assumes a little-endian host (x86-64), like the files it loads.
 */
#ifndef FLANK_ELF_LOADER_H
#define FLANK_ELF_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** Page size the permission map and the image layout use. */
#define ELF_PAGE_SIZE 4096u

/** Most PT_LOAD segments a module may have. */
#define ELF_MAX_LOADS 8u

/** Most program headers a file may have. */
#define ELF_MAX_PHDRS 64u

/** Largest image (from the lowest to the highest loaded page) accepted. */
#define ELF_MAX_IMAGE_SIZE (16ull * 1024 * 1024)

/*
 * Bounds on the work a hostile file can cause (issue #15): every lookup of
 * a name walks one hash chain, so a file with all its symbols in one chain
 * made linking quadratic. Real linkers size their tables for chains of a
 * few entries; Flank's own modules have at most nine.
 */
/** Most dynamic symbols a module may have. */
#define ELF_MAX_MODULE_SYMBOLS 16384u
/** Longest hash chain (SysV or GNU); also the symbol count without one. */
#define ELF_MAX_HASH_CHAIN 64u
/** Longest symbol name, in bytes without the NUL (Linux's KSYM_NAME_LEN). */
#define ELF_MAX_SYMBOL_NAME 511u
/**
 * Most symbol comparisons one elf_link() may make (duplicate checks and
 * import resolution); a real module needs a few thousand at most.
 */
#define ELF_MAX_LINK_STEPS (1u << 20)

/** Size of the symbol name buffer of struct elf_error_detail. */
#define ELF_SYMBOL_NAME_MAX 64u

/** Permission bits of one page in the map elf_perm_map() fills. @{ */
#define ELF_PERM_R 0x1u
#define ELF_PERM_W 0x2u
#define ELF_PERM_X 0x4u
/** @} */

/**
 * Outcome of every loader operation. ELF_OK is 0; every other value names
 * the one rule that failed. elf_status_str() gives a sentence for each.
 */
enum elf_status {
	ELF_OK = 0,
	/* Caller errors. */
	ELF_ERR_ARGUMENT,
	ELF_ERR_STATE,
	ELF_ERR_BUFFER_SIZE,
	ELF_ERR_LOAD_ADDRESS,
	ELF_ERR_PERM_MAP_SIZE,
	ELF_ERR_NAMESPACE_FULL,
	ELF_ERR_NOT_FOUND,
	/* Stage 1: ELF header. */
	ELF_ERR_HDR_SIZE,
	ELF_ERR_HDR_MAGIC,
	ELF_ERR_HDR_CLASS,
	ELF_ERR_HDR_DATA,
	ELF_ERR_HDR_VERSION,
	ELF_ERR_HDR_OSABI,
	ELF_ERR_HDR_TYPE,
	ELF_ERR_HDR_MACHINE,
	ELF_ERR_HDR_FLAGS,
	ELF_ERR_HDR_EHSIZE,
	ELF_ERR_HDR_PHENTSIZE,
	ELF_ERR_HDR_PHNUM,
	ELF_ERR_HDR_PHDR_RANGE,
	ELF_ERR_HDR_PHDR_ALIGN,
	/* Stage 2: program headers. */
	ELF_ERR_SEG_TYPE,
	ELF_ERR_SEG_UNSUPPORTED,
	ELF_ERR_SEG_FILESZ,
	ELF_ERR_SEG_RANGE,
	ELF_ERR_SEG_FLAGS,
	ELF_ERR_SEG_WX,
	ELF_ERR_SEG_ALIGN,
	ELF_ERR_SEG_CONGRUENCE,
	ELF_ERR_SEG_ADDR,
	ELF_ERR_SEG_OVERLAP,
	ELF_ERR_SEG_COUNT,
	ELF_ERR_SEG_NO_LOAD,
	ELF_ERR_IMAGE_TOO_BIG,
	ELF_ERR_STACK_EXEC,
	ELF_ERR_RELRO,
	/* Stage 3: dynamic section. */
	ELF_ERR_DYN_MISSING,
	ELF_ERR_DYN_DUP_SEGMENT,
	ELF_ERR_DYN_RANGE,
	ELF_ERR_DYN_SIZE,
	ELF_ERR_DYN_NO_NULL,
	ELF_ERR_DYN_TAG,
	ELF_ERR_DYN_UNSUPPORTED,
	ELF_ERR_DYN_NEEDED,
	ELF_ERR_DYN_TEXTREL,
	ELF_ERR_DYN_REL,
	ELF_ERR_DYN_DUP_TAG,
	ELF_ERR_DYN_INCOMPLETE,
	ELF_ERR_DYN_TABLE_ADDR,
	ELF_ERR_DYN_SYMENT,
	ELF_ERR_DYN_RELAENT,
	ELF_ERR_DYN_PLTREL,
	ELF_ERR_DYN_FLAGS,
	ELF_ERR_DYN_ARRAY,
	/* Stage 4: strings, symbols and hash tables. */
	ELF_ERR_STR_UNTERMINATED,
	ELF_ERR_STR_OFFSET,
	ELF_ERR_SYM_COUNT,
	ELF_ERR_SYM_BIND,
	ELF_ERR_SYM_TYPE,
	ELF_ERR_SYM_VALUE,
	ELF_ERR_HASH_RANGE,
	ELF_ERR_HASH_NBUCKET,
	ELF_ERR_HASH_BUCKET,
	ELF_ERR_HASH_CHAIN,
	ELF_ERR_GNU_HASH_RANGE,
	ELF_ERR_GNU_HASH_NBUCKET,
	ELF_ERR_GNU_HASH_BLOOM,
	ELF_ERR_GNU_HASH_SYMOFFSET,
	ELF_ERR_GNU_HASH_BUCKET,
	ELF_ERR_GNU_HASH_CHAIN,
	ELF_ERR_HASH_MISMATCH,
	ELF_ERR_SHDR,
	/* Stage 5: relocations. */
	ELF_ERR_RELA_SIZE,
	ELF_ERR_RELOC_TYPE,
	ELF_ERR_RELOC_OFFSET,
	ELF_ERR_RELOC_SYM_INDEX,
	ELF_ERR_RELOC_SYMBOL,
	/* Linking. */
	ELF_ERR_UNDEFINED_SYMBOL,
	ELF_ERR_DUPLICATE_SYMBOL,
	ELF_ERR_INIT_ARRAY_ENTRY,
	/* Bounds on the work of a load (kept last: stable numbers). */
	ELF_ERR_SYM_TOO_MANY,
	ELF_ERR_SYM_NAME_LONG,
	ELF_ERR_HASH_CHAIN_LONG,
	ELF_ERR_HASH_UNINDEXED,
	ELF_ERR_LINK_TOO_COSTLY,
	ELF_STATUS_COUNT /**< Number of values; not a status. */
};

/**
 * Returns a human sentence describing @p status (never NULL; an unknown
 * value gives "unknown loader status").
 */
const char *elf_status_str(enum elf_status status);

/**
 * What failed, for the caller to print: the status, the module being
 * loaded, and for link errors the symbol and (duplicates) the module that
 * already defines it. @c index is the failing entry (program header,
 * dynamic entry, symbol or relocation number) when the stage knows it.
 */
struct elf_error_detail {
	enum elf_status status;	  /**< The rule that failed. */
	const char *module;	  /**< name given to elf_parse(), or NULL */
	const char *other_module; /**< module defining a duplicate, or NULL */
	char symbol[ELF_SYMBOL_NAME_MAX]; /**< NUL-terminated, may be cut */
	uint64_t index;			  /**< failing entry, or UINT64_MAX */
};

/** One PT_LOAD segment as validated (addresses are the file's vaddrs). */
struct elf_segment {
	uint64_t vaddr;	 /**< p_vaddr */
	uint64_t memsz;	 /**< p_memsz */
	uint64_t offset; /**< p_offset */
	uint64_t filesz; /**< p_filesz */
	uint32_t perms;	 /**< ELF_PERM_* bits */
};

/** Where the module's tables live, in file vaddrs (filled by elf_parse). */
struct elf_tables {
	/** DT_SYMTAB and its number of entries. @{ */
	uint64_t symtab, symcount;
	/** @} */
	/** DT_STRTAB and DT_STRSZ. @{ */
	uint64_t strtab, strsz;
	/** @} */
	uint64_t sysv_hash;    /**< 0 if absent */
	uint32_t sysv_nbucket; /**< nbucket of the SysV hash table */
	uint64_t gnu_hash;     /**< 0 if absent */
	/** Header words of the GNU hash table. @{ */
	uint32_t gnu_nbuckets, gnu_symoffset, gnu_bloom_size, gnu_bloom_shift;
	/** @} */
	/** DT_RELA and its number of entries. @{ */
	uint64_t rela, rela_count;
	/** @} */
	/** DT_JMPREL and its number of entries. @{ */
	uint64_t jmprel, jmprel_count;
	/** @} */
	/** DT_INIT_ARRAY and its number of entries. @{ */
	uint64_t init_array, init_count;
	/** @} */
	/** DT_FINI_ARRAY and its number of entries. @{ */
	uint64_t fini_array, fini_count;
	/** @} */
	uint64_t soname; /**< string offset, or UINT64_MAX */
};

/** Where a module is in its life (see the file comment). */
enum elf_module_state {
	ELF_MODULE_EMPTY = 0,
	ELF_MODULE_PARSED,
	ELF_MODULE_LOADED,
	ELF_MODULE_LINKED,
};

/**
 * One ELF file being loaded. The caller owns the storage; the fields are
 * the loader's and read-only to the caller (use the accessors). Until
 * elf_load() the loader reads the file; afterwards only the image, so the
 * file bytes may be freed after elf_load() returns ELF_OK.
 */
struct elf_module {
	const char *name;	     /**< as given to elf_parse(), or NULL */
	enum elf_module_state state; /**< where it is in its life */
	const uint8_t *file;	     /**< the file bytes (until elf_load()) */
	size_t file_size;	     /**< their size */
	uint8_t *image;		     /**< caller's buffer (writable view) */
	uint64_t load_addr;	     /**< address the image runs at */
	uint64_t vaddr_min;	     /**< lowest loaded vaddr, page aligned */
	uint64_t image_size;	     /**< bytes, as elf_image_size() reports */
	struct elf_segment loads[ELF_MAX_LOADS]; /**< the PT_LOAD segments */
	uint32_t nloads;			 /**< entries used in loads */
	/** PT_GNU_RELRO, page-rounded; equal if none. @{ */
	uint64_t relro_start, relro_end;
	/** @} */
	struct elf_tables t; /**< where the dynamic tables are */
};

/**
 * Validates @p file (@p size bytes) through every stage of the pipeline
 * (header, program headers, dynamic section, strings/symbols/hash tables,
 * relocations) and fills @p m. @p name (may be NULL) names the module in
 * error details and must outlive @p m. The file must stay readable and
 * unchanged until elf_load(). @p detail (may be NULL) receives the failing
 * entry. Returns ELF_OK or the first rule that failed.
 */
enum elf_status elf_parse(struct elf_module *m, const void *file, size_t size,
			  const char *name, struct elf_error_detail *detail);

/**
 * Returns the number of bytes (a multiple of ELF_PAGE_SIZE) of the buffer
 * elf_load() needs for a parsed module, or 0 if @p m is not parsed.
 */
uint64_t elf_image_size(const struct elf_module *m);

/**
 * Copies the segments of a parsed module into @p buf (@p buf_size bytes,
 * at least elf_image_size()) and zeroes everything else in it (gaps, .bss).
 * @p load_addr, a multiple of ELF_PAGE_SIZE, is the address at which the
 * image will run: relocations are computed for it, and written through
 * @p buf (the two differ when the host maps the pages twice). Page i of
 * the buffer holds vaddr (vaddr_min + i * ELF_PAGE_SIZE).
 */
enum elf_status elf_load(struct elf_module *m, void *buf, size_t buf_size,
			 uint64_t load_addr);

/**
 * A set of linked modules in which imports are resolved, in load order.
 * The caller supplies the slots array; the loader never allocates.
 */
struct elf_namespace {
	struct elf_module **modules; /**< the caller's slots, in load order */
	size_t count;		     /**< slots used */
	size_t capacity;	     /**< slots available */
	/**
	 * Optional (elf_namespace_init() sets NULL): called with
	 * @c yield_ctx every few hundred lookups of elf_link(), so that a
	 * kernel caller can let other tasks run (cond_resched()).
	 */
	void (*yield)(void *ctx);
	void *yield_ctx; /**< passed to @c yield */
};

/** Makes @p ns empty, using @p slots (@p capacity entries) for storage. */
void elf_namespace_init(struct elf_namespace *ns, struct elf_module **slots,
			size_t capacity);

/**
 * Links a loaded module into @p ns: refuses a global definition that a
 * module in @p ns already defines globally (ELF_ERR_DUPLICATE_SYMBOL),
 * resolves every symbol reference (the module's own definition first,
 * then the modules of @p ns in load order; an unresolved weak reference is
 * 0, an unresolved strong one is ELF_ERR_UNDEFINED_SYMBOL), applies every
 * relocation eagerly, checks that DT_INIT_ARRAY/DT_FINI_ARRAY entries
 * point at the module's own text and appends @p m to @p ns. It makes at
 * most ELF_MAX_LINK_STEPS symbol comparisons (else ELF_ERR_LINK_TOO_COSTLY)
 * and calls @p ns->yield, if set, every few hundred. On an error
 * @p detail names the symbol and modules; @p ns is unchanged and the image
 * content is unspecified (discard it).
 */
enum elf_status elf_link(struct elf_namespace *ns, struct elf_module *m,
			 struct elf_error_detail *detail);

/**
 * Fills @p perms (@p npages bytes, at least elf_image_size() /
 * ELF_PAGE_SIZE) with the ELF_PERM_* bits of every page of the image:
 * R+X text, R read-only data, R+W data; RELRO pages are R once the module
 * is linked; pages of no segment are 0 (leave them unmapped).
 */
enum elf_status elf_perm_map(const struct elf_module *m, uint8_t *perms,
			     size_t npages);

/**
 * Looks up an exported symbol (defined, global or weak, default or
 * protected visibility) by name, through the GNU hash table, else the SysV
 * one, else linearly. On success stores its run-time address in @p addr
 * (loaded or linked module) and returns ELF_OK; ELF_ERR_NOT_FOUND if the
 * module does not export @p name.
 */
enum elf_status elf_lookup(const struct elf_module *m, const char *name,
			   uint64_t *addr);

/**
 * Reports DT_INIT_ARRAY (@p fini false) or DT_FINI_ARRAY (@p fini true) of
 * a loaded module: the run-time address of the array and its number of
 * entries (both 0 without one). The caller runs the entries after
 * elf_link(), init in order and fini in reverse order.
 */
enum elf_status elf_init_fini(const struct elf_module *m, bool fini,
			      uint64_t *addr, uint64_t *count);

/** A dynamic symbol, as elf_symbol() reports it. */
struct elf_symbol_info {
	const char *name; /**< NUL-terminated, inside the file or image */
	uint64_t value;	  /**< file vaddr (run-time address if loaded) */
	uint64_t size;	  /**< st_size */
	uint8_t bind;	  /**< STB_* */
	uint8_t type;	  /**< STT_* */
	bool defined;	  /**< st_shndx is not SHN_UNDEF */
	bool exported;	  /**< defined, global/weak, default/protected */
	bool imported;	  /**< undefined and global/weak */
};

/** Returns the number of dynamic symbols of a parsed module (entry 0 too). */
uint64_t elf_symbol_count(const struct elf_module *m);

/** Describes dynamic symbol @p index (< elf_symbol_count()) in @p out. */
enum elf_status elf_symbol(const struct elf_module *m, uint64_t index,
			   struct elf_symbol_info *out);

/** Relocation counts of a parsed module, by type. */
struct elf_reloc_counts {
	/**
	 * R_X86_64_NONE, RELATIVE, 64, GLOB_DAT and JUMP_SLOT relocations.
	 * @{
	 */
	uint64_t none, relative, abs64, glob_dat, jump_slot;
	/** @} */
};

/** Counts the relocations of a parsed module by type into @p out. */
enum elf_status elf_reloc_counts(const struct elf_module *m,
				 struct elf_reloc_counts *out);

#endif /* FLANK_ELF_LOADER_H */
