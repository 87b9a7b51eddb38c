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
	assert_int_equal(fake.allocs, 0);
	assert_int_equal(fake.image_maps, 0);
	assert_int_equal(fake.lock_errors, 0);
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
	uint8_t *p = g->buf + ELFGEN_FUNC42;
	uint32_t disp = INIT_MARK_AT - (ELFGEN_FUNC42 + 4 + 10);
	uint32_t mark = INIT_MARK;

	memcpy(p, "\xf3\x0f\x1e\xfa\xc7\x05", 6);
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

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_driver_hostile_entry_wraps),
		T(test_driver_hostile_no_entry_runs_nothing),
		T(test_driver_hostile_symbol_name_sanitized),
		T(test_driver_hostile_total_over_cap),
	};

	return FLANK_RUN_TESTS(tests);
}
