// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Replays inputs through the fuzz harness without libFuzzer: every file
 * named on the command line, or in a directory named there. Built with the
 * host compiler, so ctest, Valgrind and the coverage build run the seed
 * corpus and the kept crash inputs (tests/fuzz/regressions) on every run.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	size_t n = 0, cap = 0;
	int ch;

	if (!f) {
		perror(path);
		return 1;
	}
	/* Byte by byte keeps this simple; inputs are small. */
	while ((ch = fgetc(f)) != EOF) {
		if (n == cap) {
			uint8_t *nb = realloc(buf, cap ? 2 * cap : 4096);

			if (!nb) {
				free(buf);
				fclose(f);
				return 1;
			}
			buf = nb;
			cap = cap ? 2 * cap : 4096;
		}
		buf[n++] = (uint8_t)ch;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf ? buf : (const uint8_t *)"", n);
	free(buf);
	return 0;
}

int main(int argc, char **argv)
{
	int files = 0, rc = 0;

	for (int i = 1; i < argc; i++) {
		struct stat st;
		DIR *d;
		struct dirent *e;

		if (stat(argv[i], &st) != 0) {
			perror(argv[i]);
			return 1;
		}
		if (!S_ISDIR(st.st_mode)) {
			rc |= replay_file(argv[i]);
			files++;
			continue;
		}
		d = opendir(argv[i]);
		if (!d)
			return 1;
		while ((e = readdir(d)) != NULL) {
			char path[4096];

			if (e->d_name[0] == '.' ||
			    strcmp(e->d_name, "README") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[i],
				 e->d_name);
			rc |= replay_file(path);
			files++;
		}
		closedir(d);
	}
	printf("fuzz_replay: %d inputs replayed\n", files);
	return rc;
}
