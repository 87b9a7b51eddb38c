// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flank-elf: inspect a Flank image or extension module, and verify that it
 * would load and link, with the very loader the driver uses (loader/).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_doc.h"
#include "flank/elf_loader.h"
#include "flank_sigtrailer.h"
#include "sigfile.h"

enum {
	EXIT_OK = 0,
	EXIT_REFUSED = 1,
	EXIT_USAGE = 2,
	EXIT_IO = 3,
};

/* Largest file accepted (an image is at most ELF_MAX_IMAGE_SIZE). */
#define MAX_FILE_SIZE (64u << 20)

/* The texts come from docs/flank-elf.1.md (scripts/gen-man.py). */
static void usage(FILE *out)
{
	fputs(flank_elf_usage, out);
}

/** Prints COMMAND --help; false if @p name is no command. */
static bool command_help(const char *name)
{
	for (unsigned int i = 0; i < flank_elf_command_count; i++) {
		if (strcmp(flank_elf_commands[i].name, name) == 0) {
			fputs(flank_elf_commands[i].help, stdout);
			return true;
		}
	}
	return false;
}

static bool is_help(const char *arg)
{
	return strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0;
}

struct input {
	const char *path;
	uint8_t *data;
	size_t size;
	uint8_t *image;
	struct elf_module m;
};

/*
 * Prints the file's signature (who signed it; only the driver can say
 * whether the kernel trusts that key) and hands the loader the ELF bytes
 * without the trailer, as the driver does. A malformed trailer is refused,
 * as the driver refuses it.
 */
static int read_signature(struct input *in)
{
	struct flank_sigfile s;
	char what[320];

	flank_sigfile_read(in->data, in->size, &s);
	flank_sigfile_describe(&s, what, sizeof(what));
	printf("%s: signature: %s\n", in->path, what);
	if (s.trailer != FLANK_SIGR_OK && s.trailer != FLANK_SIGR_NO_TRAILER)
		return EXIT_REFUSED;
	in->size = s.elf_size;
	return EXIT_OK;
}

static int read_file(struct input *in)
{
	FILE *f = fopen(in->path, "rb");
	long n;

	if (!f) {
		perror(in->path);
		return EXIT_IO;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    (unsigned long)n > MAX_FILE_SIZE || fseek(f, 0, SEEK_SET) != 0)
		goto err_close;
	in->size = (size_t)n;
	in->data = malloc(in->size ? in->size : 1);
	if (!in->data)
		goto err_close;
	if (fread(in->data, 1, in->size, f) != in->size)
		goto err_free;
	fclose(f);
	return read_signature(in);

err_free:
	free(in->data);
	in->data = NULL;
err_close:
	fclose(f);
	fprintf(stderr, "%s: cannot read the file (or it exceeds 64 MiB)\n",
		in->path);
	return EXIT_IO;
}

static void print_error(const char *path, const struct elf_error_detail *d)
{
	printf("%s: error: %s", path, elf_status_str(d->status));
	if (d->symbol[0])
		printf(": '%s'", d->symbol);
	if (d->other_module)
		printf(" (already defined by %s)", d->other_module);
	if (d->index != UINT64_MAX)
		printf(" [entry %llu]", (unsigned long long)d->index);
	printf("\n");
}

static const char *perm_str(uint32_t p)
{
	static const char *const s[] = {"---", "R--", "-W-", "RW-",
					"--X", "R-X", "-WX", "RWX"};

	return s[p & 7];
}

static const char *type_str(uint8_t type)
{
	switch (type) {
	case 1:
		return "OBJECT";
	case 2:
		return "FUNC";
	default:
		return "NOTYPE";
	}
}

static void print_symbols(const struct elf_module *m, bool exports)
{
	uint64_t n = elf_symbol_count(m), shown = 0;
	struct elf_symbol_info si;

	printf("%s:\n", exports ? "exports" : "imports");
	for (uint64_t i = 0; i < n; i++) {
		if (elf_symbol(m, i, &si) != ELF_OK)
			continue;
		if (exports && si.exported) {
			printf("  %-8s %-6s 0x%08llx %6llu  %s\n",
			       si.bind == 2 ? "WEAK" : "GLOBAL",
			       type_str(si.type), (unsigned long long)si.value,
			       (unsigned long long)si.size, si.name);
			shown++;
		} else if (!exports && si.imported) {
			printf("  %-8s %s\n", si.bind == 2 ? "WEAK" : "GLOBAL",
			       si.name);
			shown++;
		}
	}
	if (!shown)
		printf("  (none)\n");
}

static int inspect(const char *path)
{
	struct input in = {.path = path};
	struct elf_error_detail d;
	struct elf_reloc_counts rc;
	const struct elf_module *m = &in.m;
	int rc_io = read_file(&in);

	if (rc_io != EXIT_OK) {
		free(in.data);
		return rc_io;
	}
	if (elf_parse(&in.m, in.data, in.size, path, &d) != ELF_OK) {
		print_error(path, &d);
		free(in.data);
		return EXIT_REFUSED;
	}
	printf("%s: ELF64 x86-64 ET_DYN, loaded size %llu bytes (%llu pages)\n",
	       path, (unsigned long long)elf_image_size(m),
	       (unsigned long long)(elf_image_size(m) / ELF_PAGE_SIZE));
	printf("segments:\n");
	for (uint32_t i = 0; i < m->nloads; i++)
		printf("  LOAD %s vaddr 0x%08llx memsz 0x%06llx filesz "
		       "0x%06llx\n",
		       perm_str(m->loads[i].perms),
		       (unsigned long long)m->loads[i].vaddr,
		       (unsigned long long)m->loads[i].memsz,
		       (unsigned long long)m->loads[i].filesz);
	if (m->relro_end > m->relro_start)
		printf("  RELRO (read-only after relocation) "
		       "0x%08llx-0x%08llx\n",
		       (unsigned long long)m->relro_start,
		       (unsigned long long)m->relro_end);
	print_symbols(m, true);
	print_symbols(m, false);
	(void)elf_reloc_counts(m, &rc);
	printf("relocations: RELATIVE %llu, 64 %llu, GLOB_DAT %llu, "
	       "JUMP_SLOT %llu, NONE %llu\n",
	       (unsigned long long)rc.relative, (unsigned long long)rc.abs64,
	       (unsigned long long)rc.glob_dat,
	       (unsigned long long)rc.jump_slot, (unsigned long long)rc.none);
	printf("init_array %llu entries, fini_array %llu entries\n",
	       (unsigned long long)m->t.init_count,
	       (unsigned long long)m->t.fini_count);
	free(in.data);
	return EXIT_OK;
}

/* Loads and links one file into @ns; prints the outcome. */
static int verify_one(struct input *in, struct elf_namespace *ns)
{
	struct elf_error_detail d;
	uint64_t size;
	enum elf_status st;

	st = elf_parse(&in->m, in->data, in->size, in->path, &d);
	if (st != ELF_OK)
		goto err_print;
	size = elf_image_size(&in->m);
	in->image = aligned_alloc(ELF_PAGE_SIZE, size);
	if (!in->image) {
		fprintf(stderr, "%s: out of memory\n", in->path);
		return EXIT_IO;
	}
	/* Linked where the buffer is; nothing is executed. */
	st = elf_load(&in->m, in->image, size, (uint64_t)(uintptr_t)in->image);
	if (st != ELF_OK) {
		d.status = st;
		d.index = UINT64_MAX;
		goto err_print;
	}
	if (elf_link(ns, &in->m, &d) != ELF_OK)
		goto err_print;
	printf("%s: ok (loads and links; %llu bytes)\n", in->path,
	       (unsigned long long)size);
	return EXIT_OK;

err_print:
	print_error(in->path, &d);
	return EXIT_REFUSED;
}

static int verify(int n, char **paths)
{
	struct input *in = calloc((size_t)n, sizeof(*in));
	struct elf_module **slots =
		calloc((size_t)n, sizeof(struct elf_module *));
	struct elf_namespace ns;
	int rc = EXIT_OK;

	if (!in || !slots) {
		rc = EXIT_IO;
		goto out;
	}
	elf_namespace_init(&ns, slots, (size_t)n);
	for (int i = 0; i < n && rc == EXIT_OK; i++) {
		in[i].path = paths[i];
		rc = read_file(&in[i]);
		if (rc == EXIT_OK)
			rc = verify_one(&in[i], &ns);
	}
out:
	for (int i = 0; in && i < n; i++) {
		free(in[i].image);
		free(in[i].data);
	}
	free(in);
	free(slots);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && is_help(argv[1])) {
		usage(stdout);
		return EXIT_OK;
	}
	if (argc == 3 && is_help(argv[2]) && command_help(argv[1]))
		return EXIT_OK;
	if (argc == 3 && strcmp(argv[1], "inspect") == 0)
		return inspect(argv[2]);
	if (argc >= 3 && strcmp(argv[1], "verify") == 0)
		return verify(argc - 2, argv + 2);
	usage(stderr);
	return EXIT_USAGE;
}
