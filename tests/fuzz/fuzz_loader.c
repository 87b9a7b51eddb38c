// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * libFuzzer harness of the ELF loader: arbitrary bytes go through parse,
 * the tool-facing accessors, load and link against a synthetic core (so
 * imports, duplicates and weak symbols are reached), lookups and the
 * permission map. Built with clang -fsanitize=fuzzer,address,undefined; the
 * same function is replayed over the corpus by fuzz_replay (gcc, ctest).
 */
#include <stdlib.h>
#include <string.h>

#include "elf_gen.h"
#include "flank/elf_loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Larger images are valid but slow to allocate per input; skip them. */
#define FUZZ_MAX_IMAGE (4u << 20)

static struct elf_namespace ns;
static struct elf_module *slots[2];
static struct elf_module core;

/* A synthetic core exporting imp_func, imp_data and core_weak. */
static void init_core(void)
{
	static _Alignas(4096) uint8_t file[ELFGEN_FILE_SIZE];
	static _Alignas(4096) uint8_t image[ELFGEN_IMAGE_SIZE];
	static struct elfgen_opts o;
	struct elfgen_layout l;

	elfgen_default_core(&o);
	elfgen_build(file, &o, &l);
	elf_namespace_init(&ns, slots, 2);
	if (elf_parse(&core, file, sizeof(file), "core", NULL) != ELF_OK ||
	    elf_load(&core, image, sizeof(image), 0x10000000) != ELF_OK ||
	    elf_link(&ns, &core, NULL) != ELF_OK)
		abort();
}

static void touch_symbols(const struct elf_module *m)
{
	struct elf_symbol_info si;
	uint64_t n = elf_symbol_count(m);
	volatile size_t sink = 0;

	for (uint64_t i = 0; i < n && i < 4096; i++) {
		if (elf_symbol(m, i, &si) != ELF_OK)
			abort();
		sink += strlen(si.name);
	}
	(void)sink;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"exp_func", "imp_func",
					    "flank_image_version", ""};
	struct elf_module m;
	struct elf_error_detail d;
	struct elf_reloc_counts rc;
	uint64_t image_size, addr, count;
	uint8_t *image, *perms;

	if (!ns.modules)
		init_core();
	ns.count = 1; /* the core only: each input is linked afresh */
	if (elf_parse(&m, data, size, "fuzz", &d) != ELF_OK)
		return 0;
	touch_symbols(&m);
	if (elf_reloc_counts(&m, &rc) != ELF_OK)
		abort();
	image_size = elf_image_size(&m);
	if (image_size == 0 || image_size % ELF_PAGE_SIZE ||
	    image_size > ELF_MAX_IMAGE_SIZE)
		abort();
	if (image_size > FUZZ_MAX_IMAGE)
		return 0;
	image = aligned_alloc(ELF_PAGE_SIZE, image_size);
	perms = malloc(image_size / ELF_PAGE_SIZE);
	if (!image || !perms)
		abort();
	if (elf_load(&m, image, image_size, 0x7f0000000000ull) != ELF_OK)
		abort();
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		(void)elf_lookup(&m, names[i], &addr);
	if (elf_perm_map(&m, perms, image_size / ELF_PAGE_SIZE) != ELF_OK)
		abort();
	if (elf_link(&ns, &m, &d) == ELF_OK) {
		if (elf_perm_map(&m, perms, image_size / ELF_PAGE_SIZE) !=
			    ELF_OK ||
		    elf_init_fini(&m, false, &addr, &count) != ELF_OK ||
		    elf_init_fini(&m, true, &addr, &count) != ELF_OK)
			abort();
		touch_symbols(&m);
	}
	/* Nothing may ever be mapped writable and executable. */
	for (uint64_t i = 0; i < image_size / ELF_PAGE_SIZE; i++)
		if ((perms[i] & ELF_PERM_W) && (perms[i] & ELF_PERM_X))
			abort();
	free(perms);
	free(image);
	return 0;
}
