// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The loader's API beyond validation, on synthetic files: layout, the
 * permission map, symbol lookup through each table, linking (imports,
 * duplicates, weak symbols), relocation values, init/fini arrays and the
 * caller errors.
 */
#include <stdlib.h>

#include "loader_test.h"

/* Run-time addresses of the two images (never executed here). */
#define CORE_AT 0x40000000ull
#define MOD_AT 0x50000000ull

struct fixture {
	_Alignas(4096) uint8_t core_img[ELFGEN_IMAGE_SIZE];
	_Alignas(4096) uint8_t mod_img[ELFGEN_IMAGE_SIZE];
	uint8_t core_file[ELFGEN_FILE_SIZE];
	uint8_t mod_file[ELFGEN_FILE_SIZE];
	struct elfgen_opts core_opts, mod_opts;
	struct elfgen_layout core_lay, mod_lay;
	struct elf_module core, mod;
	struct elf_module *slots[4];
	struct elf_namespace ns;
	struct elf_error_detail d;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	elfgen_default_core(&f->core_opts);
	elfgen_default_module(&f->mod_opts);
	elfgen_build(f->core_file, &f->core_opts, &f->core_lay);
	elfgen_build(f->mod_file, &f->mod_opts, &f->mod_lay);
	elf_namespace_init(&f->ns, f->slots, FLANK_ARRAY_SIZE(f->slots));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void rebuild_mod(struct fixture *f)
{
	elfgen_build(f->mod_file, &f->mod_opts, &f->mod_lay);
}

/* Parses and loads one synthetic file at @at. */
static enum elf_status load(struct elf_module *m, const uint8_t *file,
			    uint8_t *img, uint64_t at, const char *name)
{
	enum elf_status st = elf_parse(m, file, ELFGEN_FILE_SIZE, name, NULL);

	if (st != ELF_OK)
		return st;
	return elf_load(m, img, ELFGEN_IMAGE_SIZE, at);
}

static void load_core(struct fixture *f)
{
	assert_status(
		load(&f->core, f->core_file, f->core_img, CORE_AT, "core"),
		ELF_OK);
	assert_status(elf_link(&f->ns, &f->core, &f->d), ELF_OK);
}

static uint64_t rd64(const uint8_t *img, uint64_t vaddr)
{
	uint64_t v;

	memcpy(&v, img + vaddr, sizeof(v));
	return v;
}

/* Every relocation type writes the psABI value (S, S + A, B + A). */
static void test_loader_link_relocation_values(void **state)
{
	struct fixture *f = *state;

	load_core(f);
	assert_status(load(&f->mod, f->mod_file, f->mod_img, MOD_AT, "mod"),
		      ELF_OK);
	assert_status(elf_link(&f->ns, &f->mod, &f->d), ELF_OK);
	/* RELATIVE: B + A. */
	assert_int_equal(rd64(f->mod_img, ELFGEN_GOT), MOD_AT + ELFGEN_DATA);
	/* GLOB_DAT imp_data: the core's definition. */
	assert_int_equal(rd64(f->mod_img, ELFGEN_GOT + 8),
			 CORE_AT + ELFGEN_DATA);
	/* GLOB_DAT of an unresolved weak symbol: 0. */
	assert_int_equal(rd64(f->mod_img, ELFGEN_GOT + 16), 0);
	/* JUMP_SLOT imp_func: the core's function. */
	assert_int_equal(rd64(f->mod_img, ELFGEN_GOT + 24),
			 CORE_AT + ELFGEN_FUNC42);
	/* R_X86_64_64 imp_func + 16. */
	assert_int_equal(rd64(f->mod_img, ELFGEN_DATA + 8),
			 CORE_AT + ELFGEN_FUNC42 + 16);
	/* R_X86_64_64 of its own exp_func: its own definition. */
	assert_int_equal(rd64(f->mod_img, ELFGEN_DATA + 16),
			 MOD_AT + ELFGEN_FUNC42);
	/* NONE writes nothing. */
	assert_int_equal(rd64(f->mod_img, ELFGEN_DATA + 24), 0);
	assert_int_equal(f->ns.count, 2);
}

/* The image holds the file's segments and zeroes elsewhere (.bss, gaps). */
static void test_loader_link_layout(void **state)
{
	struct fixture *f = *state;

	memset(f->mod_img, 0xcc, sizeof(f->mod_img));
	assert_status(load(&f->mod, f->mod_file, f->mod_img, MOD_AT, "mod"),
		      ELF_OK);
	assert_int_equal(elf_image_size(&f->mod), ELFGEN_IMAGE_SIZE);
	assert_memory_equal(f->mod_img + ELFGEN_TEXT, f->mod_file + ELFGEN_TEXT,
			    26);
	assert_int_equal(f->mod_img[ELFGEN_TEXT + 0x100], 0);
	assert_int_equal(f->mod_img[ELFGEN_IMAGE_SIZE - 1], 0);
	assert_memory_equal(f->mod_img, f->mod_file, 0x1000);
}

/* The permission map is RX text, R rodata, RW data, RELRO R after link. */
static void test_loader_link_perm_map(void **state)
{
	struct fixture *f = *state;
	uint8_t perms[4];

	load_core(f);
	assert_status(load(&f->mod, f->mod_file, f->mod_img, MOD_AT, "mod"),
		      ELF_OK);
	assert_status(elf_perm_map(&f->mod, perms, 4), ELF_OK);
	assert_int_equal(perms[0], ELF_PERM_R);
	assert_int_equal(perms[1], ELF_PERM_R | ELF_PERM_X);
	assert_int_equal(perms[2], ELF_PERM_R | ELF_PERM_W);
	assert_int_equal(perms[3], ELF_PERM_R | ELF_PERM_W);
	assert_status(elf_link(&f->ns, &f->mod, &f->d), ELF_OK);
	assert_status(elf_perm_map(&f->mod, perms, 4), ELF_OK);
	assert_int_equal(perms[2], ELF_PERM_R);
	assert_int_equal(perms[3], ELF_PERM_R | ELF_PERM_W);
	assert_status(elf_perm_map(&f->mod, perms, 3), ELF_ERR_PERM_MAP_SIZE);
}

/* Pages between segments have no permission at all. */
static void test_loader_link_perm_map_gap(void **state)
{
	struct fixture *f = *state;
	uint8_t perms[4];
	Elf64_Phdr *rx = (Elf64_Phdr *)(f->mod_file + elfgen_phdr(1));

	rx->p_memsz = rx->p_filesz = 0; /* the text page is now a gap */
	assert_status(
		elf_parse(&f->mod, f->mod_file, ELFGEN_FILE_SIZE, "m", NULL),
		ELF_OK);
	assert_status(elf_perm_map(&f->mod, perms, 4), ELF_OK);
	assert_int_equal(perms[1], 0);
}

/* Exported symbols are found through GNU hash, SysV hash and linearly. */
static void check_lookups(struct fixture *f)
{
	uint64_t a = 0;

	assert_status(load(&f->mod, f->mod_file, f->mod_img, MOD_AT, "mod"),
		      ELF_OK);
	assert_status(elf_lookup(&f->mod, "exp_func", &a), ELF_OK);
	assert_int_equal(a, MOD_AT + ELFGEN_FUNC42);
	assert_status(elf_lookup(&f->mod, "exp_func7", &a), ELF_OK);
	assert_int_equal(a, MOD_AT + ELFGEN_FUNC7);
	assert_status(elf_lookup(&f->mod, "exp_data", &a), ELF_OK);
	assert_int_equal(a, MOD_AT + ELFGEN_DATA);
	/* Imports are not exports. */
	assert_status(elf_lookup(&f->mod, "imp_func", &a), ELF_ERR_NOT_FOUND);
	assert_status(elf_lookup(&f->mod, "no_such_symbol", &a),
		      ELF_ERR_NOT_FOUND);
	assert_status(elf_lookup(&f->mod, "", &a), ELF_ERR_NOT_FOUND);
}

/* Lookup through the GNU hash table. */
static void test_loader_link_lookup_gnu(void **state)
{
	check_lookups(*state);
}

/* Lookup through the SysV hash table alone. */
static void test_loader_link_lookup_sysv(void **state)
{
	struct fixture *f = *state;

	f->mod_opts.gnu_hash = false;
	rebuild_mod(f);
	check_lookups(f);
}

/* Lookup through the GNU hash table alone, with one bucket. */
static void test_loader_link_lookup_gnu_only(void **state)
{
	struct fixture *f = *state;

	f->mod_opts.sysv_hash = false;
	f->mod_opts.gnu_nbuckets = 1;
	rebuild_mod(f);
	check_lookups(f);
}

/* Linear lookup when there is no hash table (count from SHT_DYNSYM). */
static void test_loader_link_lookup_linear(void **state)
{
	struct fixture *f = *state;

	f->mod_opts.gnu_hash = f->mod_opts.sysv_hash = false;
	f->mod_opts.shdrs = true;
	rebuild_mod(f);
	check_lookups(f);
}

/*
 * A SysV chain that loops never ends: refused at parse as longer than any
 * chain may be (ELF_MAX_HASH_CHAIN), so no lookup can hang on it.
 */
static void test_loader_link_lookup_sysv_loop(void **state)
{
	struct fixture *f = *state;
	uint32_t *h = (uint32_t *)(f->mod_file + ELFGEN_HASH);

	f->mod_opts.gnu_hash = false;
	rebuild_mod(f);
	for (uint32_t i = 1; i < f->mod_lay.symcount; i++)
		h[2 + 3 + i] = i; /* every chain entry points at itself */
	for (uint32_t b = 0; b < 3; b++)
		h[2 + b] = 1;
	assert_status(load(&f->mod, f->mod_file, f->mod_img, MOD_AT, "mod"),
		      ELF_ERR_HASH_CHAIN_LONG);
}

/* An unresolved strong import is an error naming symbol and module. */
static void test_loader_link_undefined(void **state)
{
	struct fixture *f = *state;

	assert_status(load(&f->mod, f->mod_file, f->mod_img, MOD_AT, "mod"),
		      ELF_OK);
	assert_status(elf_link(&f->ns, &f->mod, &f->d),
		      ELF_ERR_UNDEFINED_SYMBOL);
	assert_status(f->d.status, ELF_ERR_UNDEFINED_SYMBOL);
	assert_string_equal(f->d.symbol, "imp_data");
	assert_string_equal(f->d.module, "mod");
	assert_int_equal(f->ns.count, 0);
}

/* A second global definition of a symbol is an error naming both. */
static void test_loader_link_duplicate(void **state)
{
	struct fixture *f = *state;
	struct elf_module again;
	static _Alignas(4096) uint8_t img[ELFGEN_IMAGE_SIZE];

	load_core(f);
	assert_status(load(&again, f->core_file, img, MOD_AT, "core2"), ELF_OK);
	assert_status(elf_link(&f->ns, &again, &f->d),
		      ELF_ERR_DUPLICATE_SYMBOL);
	assert_string_equal(f->d.module, "core2");
	assert_string_equal(f->d.other_module, "core");
	assert_true(strcmp(f->d.symbol, "imp_func") == 0 ||
		    strcmp(f->d.symbol, "imp_data") == 0);
	assert_int_equal(f->ns.count, 1);
}

/* Weak definitions may repeat; the first module's one wins. */
static void test_loader_link_weak_duplicate(void **state)
{
	struct fixture *f = *state;
	uint64_t a = 0;

	load_core(f);
	memset(&f->mod_opts, 0, sizeof(f->mod_opts));
	f->mod_opts.gnu_hash = f->mod_opts.sysv_hash = true;
	f->mod_opts.syms[0] = (struct elfgen_sym){
		"core_weak", STB_WEAK, STT_FUNC, true, ELFGEN_FUNC42, 10};
	f->mod_opts.syms[1] = (struct elfgen_sym){
		"user", STB_GLOBAL, STT_OBJECT, true, ELFGEN_DATA, 8};
	f->mod_opts.nsyms = 2;
	f->mod_opts.rels[0] =
		(struct elfgen_rel){ELFGEN_DATA, R_X86_64_64, 1, 0, false};
	f->mod_opts.nrels = 1;
	rebuild_mod(f);
	assert_status(load(&f->mod, f->mod_file, f->mod_img, MOD_AT, "mod"),
		      ELF_OK);
	assert_status(elf_link(&f->ns, &f->mod, &f->d), ELF_OK);
	/* Its own definition first, like -Bsymbolic. */
	assert_int_equal(rd64(f->mod_img, ELFGEN_DATA), MOD_AT + ELFGEN_FUNC42);
	assert_status(elf_lookup(&f->core, "core_weak", &a), ELF_OK);
	assert_int_equal(a, CORE_AT + ELFGEN_FUNC7);
}

/* An init array entry that points outside the text is refused. */
static void test_loader_link_init_array_entry(void **state)
{
	struct fixture *f = *state;

	load_core(f);
	f->mod_opts.rels[0].addend = ELFGEN_DATA; /* init_array[0] -> data */
	rebuild_mod(f);
	assert_status(load(&f->mod, f->mod_file, f->mod_img, MOD_AT, "mod"),
		      ELF_OK);
	assert_status(elf_link(&f->ns, &f->mod, &f->d),
		      ELF_ERR_INIT_ARRAY_ENTRY);
}

/* An init array entry below the image is refused too. */
static void test_loader_link_init_array_below(void **state)
{
	struct fixture *f = *state;

	load_core(f);
	f->mod_opts.rels[1].type = R_X86_64_NONE; /* fini_array[0] stays 0 */
	rebuild_mod(f);
	assert_status(load(&f->mod, f->mod_file, f->mod_img, MOD_AT, "mod"),
		      ELF_OK);
	assert_status(elf_link(&f->ns, &f->mod, &f->d),
		      ELF_ERR_INIT_ARRAY_ENTRY);
}

/* DT_INIT_ARRAY and DT_FINI_ARRAY are reported with run-time addresses. */
static void test_loader_link_init_fini(void **state)
{
	struct fixture *f = *state;
	uint64_t addr, n;

	load_core(f);
	assert_status(load(&f->mod, f->mod_file, f->mod_img, MOD_AT, "mod"),
		      ELF_OK);
	assert_status(elf_link(&f->ns, &f->mod, &f->d), ELF_OK);
	assert_status(elf_init_fini(&f->mod, false, &addr, &n), ELF_OK);
	assert_int_equal(addr, MOD_AT + ELFGEN_INIT_ARRAY);
	assert_int_equal(n, 1);
	assert_int_equal(rd64(f->mod_img, ELFGEN_INIT_ARRAY),
			 MOD_AT + ELFGEN_FUNC42);
	assert_status(elf_init_fini(&f->mod, true, &addr, &n), ELF_OK);
	assert_int_equal(addr, MOD_AT + ELFGEN_FINI_ARRAY);
	assert_int_equal(n, 1);
	assert_status(elf_init_fini(&f->core, false, &addr, &n), ELF_OK);
	assert_int_equal(addr, 0);
	assert_int_equal(n, 0);
}

/* After elf_load() the file is no longer read: it may be freed. */
static void test_loader_link_file_not_needed(void **state)
{
	struct fixture *f = *state;
	uint64_t a;

	load_core(f);
	assert_status(load(&f->mod, f->mod_file, f->mod_img, MOD_AT, "mod"),
		      ELF_OK);
	memset(f->mod_file, 0xff, sizeof(f->mod_file));
	assert_status(elf_link(&f->ns, &f->mod, &f->d), ELF_OK);
	assert_status(elf_lookup(&f->mod, "exp_func7", &a), ELF_OK);
	assert_int_equal(a, MOD_AT + ELFGEN_FUNC7);
}

/* Symbols and relocation counts are described for tools. */
static void test_loader_link_symbols_and_counts(void **state)
{
	struct fixture *f = *state;
	struct elf_symbol_info si;
	struct elf_reloc_counts rc;
	int exported = 0, imported = 0;

	assert_status(
		elf_parse(&f->mod, f->mod_file, ELFGEN_FILE_SIZE, "m", NULL),
		ELF_OK);
	assert_int_equal(elf_symbol_count(&f->mod), 7);
	for (uint64_t i = 0; i < elf_symbol_count(&f->mod); i++) {
		assert_status(elf_symbol(&f->mod, i, &si), ELF_OK);
		exported += si.exported;
		imported += si.imported;
		if (strcmp(si.name, "exp_data") == 0) {
			assert_int_equal(si.value, ELFGEN_DATA);
			assert_int_equal(si.size, 8);
			assert_int_equal(si.type, STT_OBJECT);
			assert_int_equal(si.bind, STB_GLOBAL);
			assert_true(si.defined);
		}
	}
	assert_int_equal(exported, 3);
	assert_int_equal(imported, 3);
	assert_status(elf_symbol(&f->mod, 7, &si), ELF_ERR_ARGUMENT);
	assert_status(elf_reloc_counts(&f->mod, &rc), ELF_OK);
	assert_int_equal(rc.relative, 3);
	assert_int_equal(rc.glob_dat, 2);
	assert_int_equal(rc.abs64, 2);
	assert_int_equal(rc.none, 1);
	assert_int_equal(rc.jump_slot, 1);
	/* Once loaded, values are run-time addresses. */
	assert_status(elf_load(&f->mod, f->mod_img, ELFGEN_IMAGE_SIZE, MOD_AT),
		      ELF_OK);
	for (uint64_t i = 0; i < elf_symbol_count(&f->mod); i++) {
		assert_status(elf_symbol(&f->mod, i, &si), ELF_OK);
		if (strcmp(si.name, "exp_data") == 0)
			assert_int_equal(si.value, MOD_AT + ELFGEN_DATA);
	}
}

/* SHN_ABS symbols keep their value, as definitions and as imports. */
static void test_loader_link_abs_symbol(void **state)
{
	struct fixture *f = *state;
	Elf64_Sym *s;
	uint64_t a;

	/* Make the core's imp_data absolute, 0x1234. */
	for (uint32_t i = 1; i < f->core_lay.symcount; i++) {
		s = (Elf64_Sym *)(f->core_file + elfgen_sym(i));
		if (strcmp((char *)f->core_file + ELFGEN_STRTAB + s->st_name,
			   "imp_data") == 0) {
			s->st_shndx = SHN_ABS;
			s->st_value = 0x1234;
		}
	}
	load_core(f);
	assert_status(elf_lookup(&f->core, "imp_data", &a), ELF_OK);
	assert_int_equal(a, 0x1234);
	/* The module's own exp_data absolute too, referenced by R_64. */
	s = (Elf64_Sym *)(f->mod_file + elfgen_sym(f->mod_lay.sym_index[4]));
	s->st_shndx = SHN_ABS;
	s->st_value = 0x5678;
	assert_status(load(&f->mod, f->mod_file, f->mod_img, MOD_AT, "mod"),
		      ELF_OK);
	assert_status(elf_link(&f->ns, &f->mod, &f->d), ELF_OK);
	assert_int_equal(rd64(f->mod_img, ELFGEN_GOT + 8), 0x1234);
	assert_int_equal(rd64(f->mod_img, ELFGEN_DATA + 16), 0x5678);
}

/* Caller errors: NULLs, wrong states, small buffers, a full namespace. */
static void test_loader_link_caller_errors(void **state)
{
	struct fixture *f = *state;
	struct elf_namespace one;
	struct elf_module *slot[1];
	uint8_t perms[4];
	uint64_t a, n;
	struct elf_symbol_info si;
	struct elf_reloc_counts rc;

	assert_status(elf_parse(NULL, f->mod_file, 1, "x", &f->d),
		      ELF_ERR_ARGUMENT);
	assert_status(elf_parse(&f->mod, NULL, 1, "x", NULL), ELF_ERR_ARGUMENT);
	assert_int_equal(elf_image_size(NULL), 0);
	assert_int_equal(elf_symbol_count(NULL), 0);
	/* A failed parse leaves an empty module. */
	assert_status(elf_parse(&f->mod, f->mod_file, 10, "x", NULL),
		      ELF_ERR_HDR_SIZE);
	assert_int_equal(elf_image_size(&f->mod), 0);
	assert_status(elf_load(&f->mod, f->mod_img, sizeof(f->mod_img), 0),
		      ELF_ERR_STATE);
	assert_status(elf_perm_map(&f->mod, perms, 4), ELF_ERR_STATE);
	assert_status(elf_symbol(&f->mod, 0, &si), ELF_ERR_STATE);
	assert_status(elf_reloc_counts(&f->mod, &rc), ELF_ERR_STATE);
	assert_status(
		elf_parse(&f->mod, f->mod_file, ELFGEN_FILE_SIZE, "m", NULL),
		ELF_OK);
	assert_status(elf_lookup(&f->mod, "exp_func", &a), ELF_ERR_STATE);
	assert_status(elf_init_fini(&f->mod, false, &a, &n), ELF_ERR_STATE);
	assert_status(elf_link(&f->ns, &f->mod, &f->d), ELF_ERR_STATE);
	assert_status(elf_load(NULL, f->mod_img, 1, 0), ELF_ERR_ARGUMENT);
	assert_status(
		elf_load(&f->mod, f->mod_img, ELFGEN_IMAGE_SIZE - 1, MOD_AT),
		ELF_ERR_BUFFER_SIZE);
	assert_status(
		elf_load(&f->mod, f->mod_img, ELFGEN_IMAGE_SIZE, MOD_AT + 8),
		ELF_ERR_LOAD_ADDRESS);
	assert_status(elf_perm_map(NULL, perms, 4), ELF_ERR_ARGUMENT);
	assert_status(elf_symbol(NULL, 0, &si), ELF_ERR_ARGUMENT);
	assert_status(elf_reloc_counts(&f->mod, NULL), ELF_ERR_ARGUMENT);
	assert_status(elf_lookup(&f->mod, NULL, &a), ELF_ERR_ARGUMENT);
	assert_status(elf_init_fini(NULL, false, &a, &n), ELF_ERR_ARGUMENT);
	assert_status(elf_link(NULL, &f->mod, &f->d), ELF_ERR_ARGUMENT);
	assert_status(elf_link(&f->ns, NULL, NULL), ELF_ERR_ARGUMENT);
	load_core(f);
	assert_status(load(&f->mod, f->mod_file, f->mod_img, MOD_AT, "mod"),
		      ELF_OK);
	assert_status(elf_load(&f->mod, f->mod_img, ELFGEN_IMAGE_SIZE, MOD_AT),
		      ELF_ERR_STATE);
	elf_namespace_init(&one, slot, 1);
	assert_status(elf_link(&one, &f->mod, &f->d), ELF_ERR_UNDEFINED_SYMBOL);
	elf_namespace_init(&one, NULL, 5);
	assert_status(elf_link(&one, &f->mod, &f->d), ELF_ERR_NAMESPACE_FULL);
	assert_status(elf_link(&f->ns, &f->mod, &f->d), ELF_OK);
	assert_status(elf_link(&f->ns, &f->mod, &f->d), ELF_ERR_STATE);
}

/* Every status has its own sentence; unknown values get a fallback. */
static void test_loader_link_status_strings(void **state)
{
	(void)state;
	for (int i = 0; i < ELF_STATUS_COUNT; i++) {
		const char *s = elf_status_str((enum elf_status)i);

		assert_non_null(s);
		assert_true(strlen(s) > 4);
		assert_string_not_equal(s, "unknown loader status");
		for (int k = 0; k < i; k++)
			assert_string_not_equal(
				s, elf_status_str((enum elf_status)k));
	}
	assert_string_equal(elf_status_str(ELF_STATUS_COUNT),
			    "unknown loader status");
	assert_string_equal(elf_status_str((enum elf_status) - 1),
			    "unknown loader status");
}

/* A symbol name longer than the detail buffer is cut, NUL-terminated. */
static void test_loader_link_long_symbol_name(void **state)
{
	struct fixture *f = *state;
	static const char longname[] =
		"a_very_long_import_name_that_does_not_fit_into_the_detail_"
		"buffer_of_64_bytes";

	memset(&f->mod_opts, 0, sizeof(f->mod_opts));
	f->mod_opts.sysv_hash = true;
	f->mod_opts.syms[0] = (struct elfgen_sym){
		longname, STB_GLOBAL, STT_FUNC, false, 0, 0};
	f->mod_opts.nsyms = 1;
	f->mod_opts.rels[0] =
		(struct elfgen_rel){ELFGEN_GOT, R_X86_64_GLOB_DAT, 1, 0, false};
	f->mod_opts.nrels = 1;
	rebuild_mod(f);
	assert_status(load(&f->mod, f->mod_file, f->mod_img, MOD_AT, "mod"),
		      ELF_OK);
	assert_status(elf_link(&f->ns, &f->mod, &f->d),
		      ELF_ERR_UNDEFINED_SYMBOL);
	assert_int_equal(strlen(f->d.symbol), ELF_SYMBOL_NAME_MAX - 1);
	assert_memory_equal(f->d.symbol, longname, ELF_SYMBOL_NAME_MAX - 1);
}

#define T(name)                                                                \
	cmocka_unit_test_setup_teardown(test_loader_link_##name, setup,        \
					teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(relocation_values),  T(layout),
		T(perm_map),	       T(perm_map_gap),
		T(lookup_gnu),	       T(lookup_sysv),
		T(lookup_gnu_only),    T(lookup_linear),
		T(lookup_sysv_loop),   T(undefined),
		T(duplicate),	       T(weak_duplicate),
		T(init_array_entry),   T(init_array_below),
		T(init_fini),	       T(file_not_needed),
		T(symbols_and_counts), T(abs_symbol),
		T(caller_errors),      T(status_strings),
		T(long_symbol_name),
	};

	return FLANK_RUN_TESTS(tests);
}
