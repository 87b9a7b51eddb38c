// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench-loader: how long the loader takes to validate, lay out and
 * relocate vmm.elf, and how big the loaded image is.
 *
 *   bench_loader [--once] [FILE]
 *
 * Without --once it repeats the load and prints the mean wall time per
 * load. With --once it loads once inside bench_load_once(), which
 * `valgrind --tool=callgrind --toggle-collect=bench_load_once` counts in
 * instructions (bench-loader.sh does both).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flank/elf_loader.h"

static uint8_t *file;
static size_t file_size;
static uint8_t *image;
static uint64_t image_size;

/* One full load: parse (every validation stage), load, link (relocate). */
__attribute__((noinline)) static int bench_load_once(void)
{
	struct elf_module m, *slot;
	struct elf_namespace ns;

	elf_namespace_init(&ns, &slot, 1);
	if (elf_parse(&m, file, file_size, "vmm.elf", NULL) != ELF_OK ||
	    elf_load(&m, image, image_size, (uint64_t)(uintptr_t)image) !=
		    ELF_OK ||
	    elf_link(&ns, &m, NULL) != ELF_OK)
		return 1;
	return 0;
}

static int read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	long n;

	if (!f || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) <= 0 ||
	    fseek(f, 0, SEEK_SET) != 0) {
		perror(path);
		return 1;
	}
	file_size = (size_t)n;
	file = malloc(file_size);
	if (!file || fread(file, 1, file_size, f) != file_size) {
		fclose(f);
		return 1;
	}
	fclose(f);
	return 0;
}

int main(int argc, char **argv)
{
	const char *path = FLANK_VMM_ELF;
	bool once = false;
	struct elf_module m;
	struct elf_reloc_counts rc;
	struct timespec t0, t1;
	const int rounds = 20000;
	double ns;
	uint64_t total;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--once") == 0)
			once = true;
		else
			path = argv[i];
	}
	if (read_file(path))
		return 1;
	if (elf_parse(&m, file, file_size, "vmm.elf", NULL) != ELF_OK) {
		fprintf(stderr, "%s: refused by the loader\n", path);
		return 1;
	}
	image_size = elf_image_size(&m);
	image = aligned_alloc(ELF_PAGE_SIZE, image_size);
	if (!image)
		return 1;
	if (once) {
		int r = bench_load_once();

		free(image);
		free(file);
		return r;
	}
	(void)elf_reloc_counts(&m, &rc);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < rounds; i++)
		if (bench_load_once())
			return 1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	      (double)(t1.tv_nsec - t0.tv_nsec)) /
	     rounds;
	printf("bench-loader: %s\n", path);
	printf("  file size          %zu bytes\n", file_size);
	printf("  loaded size        %llu bytes (%llu pages; budget 65536: "
	       "%s)\n",
	       (unsigned long long)image_size,
	       (unsigned long long)(image_size / ELF_PAGE_SIZE),
	       image_size <= 65536 ? "within" : "OVER");
	printf("  symbols            %llu\n",
	       (unsigned long long)elf_symbol_count(&m));
	total = rc.relative + rc.abs64 + rc.glob_dat + rc.jump_slot + rc.none;
	printf("  relocations        %llu\n", (unsigned long long)total);
	printf("  load time          %.0f ns per validate+load+relocate "
	       "(mean of %d, wall clock)\n",
	       ns, rounds);
	free(image);
	free(file);
	return 0;
}
