// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hostile files against the driver's real load path (driver_linux/core/
 * link.c and the loader), issue #15 section 2: each test builds the files
 * it stages (tests/support/elf_gen.c, or the big-table builder below),
 * stages them through the ioctls of the fake kernel and checks that the
 * load is refused with its own status, before any code of the file ran,
 * with a message that is safe to print.
 */
#include <elf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "elf_gen.h"
#include "fake_checks.h"
#include "fake_platform.h"
#include "flank/elf_loader.h"
#include "flank_test.h"

static struct flank_core core;
/* The open file of the device the test uses. */
static struct flank_file file;

/* One synthetic file (elf_gen's fixed layout). */
struct gen {
	_Alignas(64) uint8_t buf[ELFGEN_FILE_SIZE];
	struct elfgen_layout lay;
	struct elfgen_opts opts;
};

static int ioc(unsigned int cmd, void *arg)
{
	return flank_core_ioctl(&core, &file, cmd, (uint64_t)(uintptr_t)arg);
}

static int add_bytes(const char *name, const void *bytes, size_t size)
{
	struct flank_ioc_module m;

	memset(&m, 0, sizeof(m));
	m.data = (uint64_t)(uintptr_t)bytes;
	m.size = size;
	snprintf(m.name, sizeof(m.name), "%s", name);
	return ioc(FLANK_IOC_ADD_MODULE, &m);
}

static int add(const char *name, const struct gen *g)
{
	return add_bytes(name, g->buf, sizeof(g->buf));
}

static int load(struct flank_ioc_cmd *c)
{
	memset(c, 0, sizeof(*c));
	return ioc(FLANK_IOC_LOAD, c);
}

/* dynsym index of the symbol named @p name in @p g. */
static uint32_t sym_index(const struct gen *g, const char *name)
{
	for (size_t i = 0; i < g->opts.nsyms; i++)
		if (strcmp(g->opts.syms[i].name, name) == 0)
			return g->lay.sym_index[i + 1];
	fail_msg("no symbol %s", name);
	return 0;
}

static Elf64_Sym *sym_at(struct gen *g, uint32_t index)
{
	return (Elf64_Sym *)(g->buf + elfgen_sym(index));
}

/* True if no byte of @p s is a control byte or outside printable ASCII. */
static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static int setup(void **state)
{
	(void)state;
	fake_reset(4);
	flank_core_init(&core, &fake_ops, flank_link_modules,
			flank_unlink_modules);
	flank_core_open(&core, &file);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	flank_core_release(&core, &file);
	flank_core_fini(&core);
	fake_assert_left_clean();
	if (fake.kept_final)
		munmap(fake.kept_final, fake.kept_bytes);
	return 0;
}

/*
 * An absolute flank_image_entry near 2^64: the entry table would wrap the
 * end of the address space. Refused as outside the image (before: the
 * bounds check wrapped too, and the driver read through the address).
 */
static void test_driver_hostile_entry_wraps(void **state)
{
	static struct gen g;
	struct flank_ioc_cmd c;
	Elf64_Sym *s;

	(void)state;
	elfgen_default_core(&g.opts);
	g.opts.syms[2].name = FLANK_IMAGE_ENTRY_SYMBOL;
	elfgen_build(g.buf, &g.opts, &g.lay);
	s = sym_at(&g, sym_index(&g, FLANK_IMAGE_ENTRY_SYMBOL));
	s->st_shndx = SHN_ABS;
	s->st_value = UINT64_MAX - 7;
	assert_int_equal(add("wrap.elf", &g), FLANK_OK);
	assert_int_equal(load(&c), FLANK_E_BAD_ENTRY);
	assert_non_null(strstr(c.err.text, "outside the image"));
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
}

/*
 * The init function of the elf_gen file, rewritten to leave a mark:
 * endbr64; mov dword [rip + disp], MARK; ret. The mark lands at
 * ELFGEN_DATA + 0x80 (RW data), which the kept final mapping shows.
 */
#define INIT_MARK 0x600df00du
#define INIT_MARK_AT (ELFGEN_DATA + 0x80u)

static void plant_init_mark(struct gen *g)
{
	static const uint8_t head[6] = {0xf3, 0x0f, 0x1e, 0xfa, 0xc7, 0x05};
	uint8_t *p = g->buf + ELFGEN_FUNC42;
	uint32_t disp = INIT_MARK_AT - (ELFGEN_FUNC42 + 4 + 10);
	uint32_t mark = INIT_MARK;

	memcpy(p, head, sizeof(head));
	memcpy(p + 6, &disp, 4);
	memcpy(p + 10, &mark, 4);
	p[14] = 0xc3;
}

static uint32_t init_mark(void)
{
	uint32_t v;

	assert_non_null(fake.kept_final);
	memcpy(&v, (const uint8_t *)fake.kept_final + INIT_MARK_AT, 4);
	return v;
}

/*
 * An image without an entry table whose init array would run: the load
 * is refused before any of its code runs (before: the init array ran in
 * "ring 0", then the missing table was noticed).
 */
static void test_driver_hostile_no_entry_runs_nothing(void **state)
{
	static struct gen g;
	struct flank_ioc_cmd c;

	(void)state;
	elfgen_default_core(&g.opts);
	g.opts.init_array = true;
	g.opts.rels[g.opts.nrels++] = (struct elfgen_rel){
		.offset = ELFGEN_INIT_ARRAY,
		.type = R_X86_64_RELATIVE,
		.addend = ELFGEN_FUNC42,
	};
	elfgen_build(g.buf, &g.opts, &g.lay);
	plant_init_mark(&g);
	fake.keep_released_image = true;
	assert_int_equal(add("noentry.elf", &g), FLANK_OK);
	assert_int_equal(load(&c), FLANK_E_BAD_ENTRY);
	assert_non_null(strstr(c.err.text, "exports no"));
	assert_int_equal(init_mark(), 0);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
}

/*
 * A symbol name with raw control bytes (an ANSI escape and a newline) in
 * an unresolved import: the error text and the kernel log say which
 * symbol, with the control bytes replaced (before: copied raw).
 */
static void test_driver_hostile_symbol_name_sanitized(void **state)
{
	static struct gen g;
	struct flank_ioc_cmd c;
	int i;

	(void)state;
	elfgen_default_module(&g.opts);
	g.opts.syms[1].name = "imp\x1b[2J\nfake: loaded\x7f";
	elfgen_build(g.buf, &g.opts, &g.lay);
	assert_int_equal(add("evil.elf", &g), FLANK_OK);
	assert_int_equal(load(&c), FLANK_E_ELF);
	assert_int_equal(c.err.detail, ELF_ERR_UNDEFINED_SYMBOL);
	assert_true(printable(c.err.text));
	assert_non_null(strstr(c.err.text, "symbol 'imp?[2J?fake:?loaded?'"));
	assert_true(fake.log_lines > 0);
	for (i = 0; i < fake.log_lines && i < (int)FAKE_LOG_KEPT; i++)
		assert_true(printable(fake.log[i]));
}

/*
 * Three modules of 12 MiB each (a large .bss; each within the loader's
 * 16 MiB) need 36 MiB of mapping, more than the 32 MiB flank.ko maps:
 * refused with a status of its own and a text that gives the limit
 * (before: "the kernel is out of memory").
 */
static void test_driver_hostile_total_over_cap(void **state)
{
	static struct gen g;
	struct flank_ioc_cmd c;
	Elf64_Phdr *rw;

	(void)state;
	elfgen_default_core(&g.opts);
	elfgen_build(g.buf, &g.opts, &g.lay);
	rw = (Elf64_Phdr *)(g.buf + elfgen_phdr(ELFGEN_PH_LOAD_RW));
	rw->p_memsz = (12u << 20) - 0x2000;
	assert_int_equal(add("big0.elf", &g), FLANK_OK);
	assert_int_equal(add("big1.elf", &g), FLANK_OK);
	assert_int_equal(add("big2.elf", &g), FLANK_OK);
	assert_int_equal(load(&c), FLANK_E_IMAGE_SIZE);
	assert_int_equal(c.err.code, FLANK_E_IMAGE_SIZE);
	assert_non_null(strstr(c.err.text, "36864 KiB"));
	assert_non_null(strstr(c.err.text, "32768 KiB"));
	assert_int_equal(flank_status_errno(FLANK_E_IMAGE_SIZE), -EFBIG);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
}

/*
 * A module with many symbols, which elf_gen's fixed layout cannot hold:
 * ehdr and program headers, then the SysV hash (@p nbucket buckets),
 * .dynsym and .dynstr in the read-only page(s); one RX page (endbr64;
 * ret); one RW page with .dynamic and room for relocation targets.
 * Symbol i is the function "<prefix><i>" (8 digits), chained in the bucket
 * of its name. With @p nrel, that many R_X86_64_64 relocations of one
 * weak import "<prefix>missing" follow the names. Returns the file
 * (malloc'ed) and its size in @p size.
 */
static uint8_t *build_big(char prefix, uint32_t nsyms, uint32_t nbucket,
			  uint32_t nrel, size_t *size)
{
	static const uint8_t endbr_ret[5] = {0xf3, 0x0f, 0x1e, 0xfa, 0xc3};
	uint32_t nchain = nsyms + 2; /* null, the symbols, the import */
	size_t hash_at = 0x1000, sym_at, str_at, rela_at, ro_end, text_at,
	       rw_at, total, str;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	Elf64_Sym *sym;
	Elf64_Dyn *dyn;
	uint32_t *bucket, *chain, i;
	uint8_t *f;
	char name[16];

	sym_at = hash_at + 4 * (2 + (size_t)nbucket + nchain);
	sym_at = (sym_at + 7) & ~(size_t)7;
	str_at = sym_at + sizeof(Elf64_Sym) * (size_t)nchain;
	rela_at = str_at + 1 + 10 * (size_t)nchain;
	rela_at = (rela_at + 7) & ~(size_t)7;
	ro_end = rela_at + sizeof(Elf64_Rela) * (size_t)nrel;
	text_at = (ro_end + 0xfff) & ~(size_t)0xfff;
	rw_at = text_at + 0x1000;
	total = rw_at + 0x1000;
	f = calloc(1, total);
	assert_non_null(f);

	eh = (Elf64_Ehdr *)f;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 5;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	ph = (Elf64_Phdr *)(f + sizeof(*eh));
	ph[0] = (Elf64_Phdr){PT_LOAD, PF_R, 0, 0, 0, text_at, text_at, 0x1000};
	ph[1] = (Elf64_Phdr){PT_LOAD, PF_R | PF_X, text_at, text_at,
			     text_at, 16,	   16,	    0x1000};
	ph[2] = (Elf64_Phdr){PT_LOAD, PF_R | PF_W, rw_at,  rw_at,
			     rw_at,   0x1000,	   0x1000, 0x1000};
	ph[3] = (Elf64_Phdr){PT_DYNAMIC, PF_R | PF_W, rw_at, rw_at,
			     rw_at,	 0x100,	      0x100, 8};
	ph[4] = (Elf64_Phdr){PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 0, 16};
	memcpy(f + text_at, endbr_ret, sizeof(endbr_ret));

	bucket = (uint32_t *)(f + hash_at + 8);
	chain = bucket + nbucket;
	((uint32_t *)(f + hash_at))[0] = nbucket;
	((uint32_t *)(f + hash_at))[1] = nchain;
	str = 1;
	for (i = 1; i < nchain; i++) {
		size_t len;
		uint32_t b;

		if (i == nchain - 1)
			snprintf(name, sizeof(name), "%cmissing", prefix);
		else
			snprintf(name, sizeof(name), "%c%08u", prefix, i);
		len = strlen(name) + 1;
		memcpy(f + str_at + str, name, len);
		sym = (Elf64_Sym *)(f + sym_at + sizeof(*sym) * i);
		sym->st_name = (uint32_t)str;
		if (i == nchain - 1) {
			sym->st_info = ELF64_ST_INFO(STB_WEAK, STT_NOTYPE);
		} else {
			sym->st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
			sym->st_shndx = 2;
			sym->st_value = text_at;
			sym->st_size = 5;
		}
		str += len;
		b = elfgen_sysv_hash(name) % nbucket;
		chain[i] = bucket[b];
		bucket[b] = i;
	}
	for (i = 0; i < nrel; i++) {
		Elf64_Rela *r = (Elf64_Rela *)(f + rela_at) + i;

		r->r_offset = rw_at + 0x800;
		r->r_info = ELF64_R_INFO(nchain - 1, R_X86_64_64);
	}
	dyn = (Elf64_Dyn *)(f + rw_at);
	*dyn++ = (Elf64_Dyn){DT_HASH, {hash_at}};
	*dyn++ = (Elf64_Dyn){DT_STRTAB, {str_at}};
	*dyn++ = (Elf64_Dyn){DT_SYMTAB, {sym_at}};
	*dyn++ = (Elf64_Dyn){DT_STRSZ, {str}};
	*dyn++ = (Elf64_Dyn){DT_SYMENT, {sizeof(Elf64_Sym)}};
	if (nrel) {
		*dyn++ = (Elf64_Dyn){DT_RELA, {rela_at}};
		*dyn++ = (Elf64_Dyn){DT_RELASZ, {sizeof(Elf64_Rela) * nrel}};
		*dyn++ = (Elf64_Dyn){DT_RELAENT, {sizeof(Elf64_Rela)}};
	}
	*dyn++ = (Elf64_Dyn){DT_FLAGS, {DF_BIND_NOW}};
	*dyn = (Elf64_Dyn){DT_NULL, {0}};
	*size = total;
	return f;
}

/* Sanity of the builder: a small one loads (refused only for its entry). */
static void test_driver_hostile_big_builder_loads(void **state)
{
	struct flank_ioc_cmd c;
	size_t size;
	uint8_t *f = build_big('a', 64, 16, 4, &size);

	(void)state;
	assert_int_equal(add_bytes("small.elf", f, size), FLANK_OK);
	assert_int_equal(load(&c), FLANK_E_BAD_ENTRY);
	free(f);
}

/* Symbols in one hash chain: HOSTILE_CHAIN of them in each of two files. */
#define HOSTILE_CHAIN 4096u

/*
 * Two files whose every symbol shares one hash bucket: the duplicate check
 * walked the whole chain for each export (HOSTILE_CHAIN^2 steps; 20k
 * symbols took 4.7 s). The first file is refused at once, for its chain.
 */
static void test_driver_hostile_one_bucket(void **state)
{
	struct flank_ioc_cmd c;
	size_t sa, sb;
	uint8_t *a = build_big('a', HOSTILE_CHAIN, 1, 0, &sa);
	uint8_t *b = build_big('b', HOSTILE_CHAIN, 1, 0, &sb);

	(void)state;
	assert_int_equal(add_bytes("a.elf", a, sa), FLANK_OK);
	assert_int_equal(add_bytes("b.elf", b, sb), FLANK_OK);
	assert_int_equal(load(&c), FLANK_E_ELF);
	assert_int_equal(c.err.detail, ELF_ERR_HASH_CHAIN_LONG);
	assert_non_null(strstr(c.err.text, "module a.elf"));
	free(a);
	free(b);
}

/* More symbols than a module may have, however well hashed: refused. */
static void test_driver_hostile_too_many_symbols(void **state)
{
	struct flank_ioc_cmd c;
	size_t size;
	uint8_t *f = build_big('a', ELF_MAX_MODULE_SYMBOLS, 8192, 0, &size);

	(void)state;
	assert_int_equal(add_bytes("many.elf", f, size), FLANK_OK);
	assert_int_equal(load(&c), FLANK_E_ELF);
	assert_int_equal(c.err.detail, ELF_ERR_SYM_TOO_MANY);
	free(f);
}

/*
 * An all-empty SysV hash hid the first module's exports, so a second
 * module defining the same symbol passed the duplicate check. A hash
 * table that does not index every export is refused.
 */
static void test_driver_hostile_empty_sysv_hash(void **state)
{
	static struct gen g1, g2;
	struct flank_ioc_cmd c;
	uint32_t *h;

	(void)state;
	elfgen_default_core(&g1.opts);
	g1.opts.gnu_hash = false;
	elfgen_build(g1.buf, &g1.opts, &g1.lay);
	h = (uint32_t *)(g1.buf + ELFGEN_HASH);
	memset(h + 2, 0, sizeof(*h) * h[0]); /* every bucket empty */
	elfgen_default_core(&g2.opts);
	elfgen_build(g2.buf, &g2.opts, &g2.lay);
	assert_int_equal(add("hidden.elf", &g1), FLANK_OK);
	assert_int_equal(add("dup.elf", &g2), FLANK_OK);
	assert_int_equal(load(&c), FLANK_E_ELF);
	assert_int_equal(c.err.detail, ELF_ERR_HASH_UNINDEXED);
	assert_non_null(strstr(c.err.text, "module hidden.elf"));
}

/*
 * The same through the GNU table, which lookups use when both exist: an
 * all-zero bloom filter answers "not here" for every name.
 */
static void test_driver_hostile_empty_gnu_bloom(void **state)
{
	static struct gen g1, g2;
	struct flank_ioc_cmd c;

	(void)state;
	elfgen_default_core(&g1.opts);
	elfgen_build(g1.buf, &g1.opts, &g1.lay);
	memset(g1.buf + ELFGEN_GNU_HASH + 16, 0, 8); /* the one bloom word */
	elfgen_default_core(&g2.opts);
	elfgen_build(g2.buf, &g2.opts, &g2.lay);
	assert_int_equal(add("hidden.elf", &g1), FLANK_OK);
	assert_int_equal(add("dup.elf", &g2), FLANK_OK);
	assert_int_equal(load(&c), FLANK_E_ELF);
	assert_int_equal(c.err.detail, ELF_ERR_HASH_UNINDEXED);
	assert_non_null(strstr(c.err.text, "module hidden.elf"));
}

/*
 * Every chain within bounds, but an extension with 65536 relocations of
 * one import that the first module's one chain (61 symbols, under
 * ELF_MAX_HASH_CHAIN) does not have: each one a walk of that chain (4
 * million symbol comparisons). The link stops at
 * its budget, ELF_MAX_LINK_STEPS, with a status of its own, and lets the
 * scheduler run meanwhile (ops->resched, cond_resched in the kernel).
 */
static void test_driver_hostile_link_budget(void **state)
{
	struct flank_ioc_cmd c;
	size_t sa, sb;
	uint8_t *a = build_big('a', 60, 1, 0, &sa);
	uint8_t *b = build_big('b', 16, 4, 65536, &sb);

	(void)state;
	assert_int_equal(add_bytes("a.elf", a, sa), FLANK_OK);
	assert_int_equal(add_bytes("b.elf", b, sb), FLANK_OK);
	assert_int_equal(load(&c), FLANK_E_ELF);
	assert_int_equal(c.err.detail, ELF_ERR_LINK_TOO_COSTLY);
	assert_non_null(strstr(c.err.text, "module b.elf"));
	/*
	 * A yield per module and stage, and one per ELF_YIELD_EVERY (256)
	 * relocations: about 16900 ran (62 comparisons each) before the
	 * budget of 2^20 stopped them.
	 */
	assert_true(fake.reschedules >= 16900 / 256);
	free(a);
	free(b);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_driver_hostile_entry_wraps),
		T(test_driver_hostile_no_entry_runs_nothing),
		T(test_driver_hostile_symbol_name_sanitized),
		T(test_driver_hostile_total_over_cap),
		T(test_driver_hostile_big_builder_loads),
		T(test_driver_hostile_one_bucket),
		T(test_driver_hostile_too_many_symbols),
		T(test_driver_hostile_empty_sysv_hash),
		T(test_driver_hostile_empty_gnu_bloom),
		T(test_driver_hostile_link_budget),
	};

	return FLANK_RUN_TESTS(tests);
}
