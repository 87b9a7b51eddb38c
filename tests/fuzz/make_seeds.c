// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Writes the synthetic part of the fuzz seed corpus into a directory:
 * small valid modules in each table flavour (the real images are copied
 * next to them by the build).
 */
#include <stdio.h>
#include <string.h>

#include "elf_gen.h"

static int write_seed(const char *dir, const char *name,
		      const struct elfgen_opts *o)
{
	static uint8_t buf[ELFGEN_FILE_SIZE];
	struct elfgen_layout l;
	char path[4096];
	FILE *f;
	int ok;

	elfgen_build(buf, o, &l);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		return 1;
	}
	ok = fwrite(buf, 1, sizeof(buf), f) == sizeof(buf);
	return (fclose(f) == 0 && ok) ? 0 : 1;
}

int main(int argc, char **argv)
{
	struct elfgen_opts o;
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: make_seeds DIR\n");
		return 2;
	}
	elfgen_default_module(&o);
	rc |= write_seed(argv[1], "synthetic-module.elf", &o);
	o.gnu_hash = false;
	rc |= write_seed(argv[1], "synthetic-sysv.elf", &o);
	o.gnu_hash = true;
	o.sysv_hash = false;
	o.gnu_nbuckets = 1;
	rc |= write_seed(argv[1], "synthetic-gnu.elf", &o);
	o.gnu_hash = false;
	o.shdrs = true;
	rc |= write_seed(argv[1], "synthetic-linear.elf", &o);
	elfgen_default_core(&o);
	rc |= write_seed(argv[1], "synthetic-core.elf", &o);
	return rc;
}
