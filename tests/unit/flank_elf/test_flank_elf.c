// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flank-elf's output and exit codes, running the built tool on the real
 * vmm.elf and example module and on synthetic files.
 */
#include <elf.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "elf_gen.h"
#include "flank_test.h"

struct run {
	int code;
	char out[16384];
};

/*
 * Runs flank-elf with the arguments @fmt formats (stderr merged into
 * stdout). The command is sized to fit: the paths in it (the build tree's
 * vmm.elf) are as long as the checkout's path, which has no limit.
 */
static void run(struct run *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void run(struct run *r, const char *fmt, ...)
{
	va_list ap;
	char *args, *cmd;
	FILE *p;
	size_t n;
	int len, status;

	va_start(ap, fmt);
	len = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	assert_true(len >= 0);
	args = malloc((size_t)len + 1);
	assert_non_null(args);
	va_start(ap, fmt);
	vsnprintf(args, (size_t)len + 1, fmt, ap);
	va_end(ap);
	len = snprintf(NULL, 0, "%s %s 2>&1", FLANK_ELF_TOOL, args);
	cmd = malloc((size_t)len + 1);
	assert_non_null(cmd);
	snprintf(cmd, (size_t)len + 1, "%s %s 2>&1", FLANK_ELF_TOOL, args);
	free(args);
	p = popen(cmd, "r");
	free(cmd);
	assert_non_null(p);
	n = fread(r->out, 1, sizeof(r->out) - 1, p);
	r->out[n] = '\0';
	status = pclose(p);
	assert_true(WIFEXITED(status));
	r->code = WEXITSTATUS(status);
}

static void assert_contains(const struct run *r, const char *text)
{
	if (!strstr(r->out, text))
		fail_msg("output lacks \"%s\":\n%s", text, r->out);
}

/* Writes a synthetic module, optionally made W+X, to a temporary file. */
static void write_synthetic(char path[64], bool wx)
{
	static uint8_t buf[ELFGEN_FILE_SIZE];
	struct elfgen_opts o;
	struct elfgen_layout l;
	int fd;

	elfgen_default_module(&o);
	elfgen_build(buf, &o, &l);
	if (wx)
		((Elf64_Phdr *)(buf + elfgen_phdr(ELFGEN_PH_LOAD_RX)))
			->p_flags = PF_R | PF_W | PF_X;
	snprintf(path, 64, "/tmp/flank-elf-test-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, sizeof(buf)), sizeof(buf));
	close(fd);
}

/* inspect lists vmm.elf's segments with permissions and its exports. */
static void test_flank_elf_inspect_image(void **state)
{
	struct run r;

	(void)state;
	run(&r, "inspect %s", FLANK_VMM_ELF);
	assert_int_equal(r.code, 0);
	assert_contains(&r, "ELF64 x86-64 ET_DYN");
	assert_contains(&r, "LOAD R-X");
	assert_contains(&r, "LOAD RW-");
	assert_contains(&r, "FUNC   ");
	assert_contains(&r, "flank_image_version");
	assert_contains(&r, "imports:\n  (none)");
}

/* inspect lists the module's imports and its relocation counts. */
static void test_flank_elf_inspect_module(void **state)
{
	struct run r;

	(void)state;
	run(&r, "inspect %s", FLANK_EXAMPLE_MODULE);
	assert_int_equal(r.code, 0);
	assert_contains(&r, "imports:\n");
	assert_contains(&r, "GLOBAL   flank_image_version");
	assert_contains(&r, "GLOBAL   flank_image_name");
	assert_contains(&r, "GLOBAL   vmm_cpuid_set_extension");
	assert_contains(&r, "flank_example_version_tag");
	/* The init and fini array entries point at exported functions:
	 * R_X86_64_64 against the symbol, like the imported-function
	 * pointer; one JUMP_SLOT per imported function called (6: the
	 * LSTAR guard, with its three imports, moved to textguard.elf). */
	assert_contains(&r, "64 3, GLOB_DAT 1, JUMP_SLOT 6");
	assert_contains(&r, "init_array 1 entries, fini_array 1 entries");
}

/* inspect of a synthetic module reports its arrays and weak import. */
static void test_flank_elf_inspect_synthetic(void **state)
{
	char path[64], args[128];
	struct run r;

	(void)state;
	write_synthetic(path, false);
	snprintf(args, sizeof(args), "inspect %s", path);
	run(&r, args);
	unlink(path);
	assert_int_equal(r.code, 0);
	assert_contains(&r, "WEAK     weak_missing");
	assert_contains(&r,
			"RELATIVE 3, 64 2, GLOB_DAT 2, JUMP_SLOT 1, NONE 1");
	assert_contains(&r, "init_array 1 entries, fini_array 1 entries");
	assert_contains(&r, "RELRO");
}

/* verify of the image then the module succeeds with exit code 0. */
static void test_flank_elf_verify_ok(void **state)
{
	struct run r;

	(void)state;
	run(&r, "verify %s %s", FLANK_VMM_ELF, FLANK_EXAMPLE_MODULE);
	assert_int_equal(r.code, 0);
	assert_contains(&r, "vmm.elf: ok");
	assert_contains(&r, "example.elf: ok");
}

/* verify of a module alone names the unresolved import; exit code 1. */
static void test_flank_elf_verify_unresolved(void **state)
{
	struct run r;

	(void)state;
	run(&r, "verify %s", FLANK_EXAMPLE_MODULE);
	assert_int_equal(r.code, 1);
	assert_contains(&r, "unresolved import");
	assert_contains(&r, "'flank_image_");
}

/* verify of the image twice names the duplicate and its owner. */
static void test_flank_elf_verify_duplicate(void **state)
{
	struct run r;

	(void)state;
	run(&r, "verify %s %s", FLANK_VMM_ELF, FLANK_VMM_ELF);
	assert_int_equal(r.code, 1);
	assert_contains(&r, "duplicate definition");
	assert_contains(&r, "already defined by " FLANK_VMM_ELF);
}

/* inspect and verify refuse a W+X file with the loader's reason. */
static void test_flank_elf_refused(void **state)
{
	char path[64];
	struct run r;

	(void)state;
	write_synthetic(path, true);
	run(&r, "inspect %s", path);
	assert_int_equal(r.code, 1);
	assert_contains(&r, "both writable and executable");
	assert_contains(&r, "[entry 1]");
	run(&r, "verify %s %s", FLANK_VMM_ELF, path);
	unlink(path);
	assert_int_equal(r.code, 1);
	assert_contains(&r, "both writable and executable");
}

/* Usage errors exit 2; --help documents the exit codes and exits 0; the
 * text is docs/flank-elf.1.md's, as is COMMAND --help's. */
static void test_flank_elf_usage(void **state)
{
	struct run r;

	(void)state;
	run(&r, "%s", "");
	assert_int_equal(r.code, 2);
	assert_contains(&r, "Usage: flank-elf inspect FILE\n"
			    "       flank-elf verify FILE [MODULE...]\n");
	run(&r, "frobnicate x");
	assert_int_equal(r.code, 2);
	run(&r, "inspect");
	assert_int_equal(r.code, 2);
	run(&r, "--help");
	assert_int_equal(r.code, 0);
	assert_contains(&r, "Exit codes:");
	assert_contains(&r, "3  a file cannot be read");
	run(&r, "verify --help");
	assert_int_equal(r.code, 0);
	assert_contains(&r, "Usage: flank-elf verify FILE [MODULE...]\n\n"
			    "Loads and links FILE and then every MODULE.");
}

/* A file that cannot be read exits 3. */
static void test_flank_elf_io_error(void **state)
{
	struct run r;

	(void)state;
	run(&r, "inspect /nonexistent/flank.elf");
	assert_int_equal(r.code, 3);
	run(&r, "verify %s /nonexistent/module.elf", FLANK_VMM_ELF);
	assert_int_equal(r.code, 3);
	assert_contains(&r, "vmm.elf: ok");
}

/*
 * A signed file: the signer is printed and the ELF bytes without the
 * trailer load; an unsigned one says so; a trailer whose length runs past
 * the file is refused (exit 1), as the driver refuses it.
 */
static void test_flank_elf_signature(void **state)
{
	/* The magic without its NUL: exactly what ends a signed file. */
	static const char magic[28] = "~Module signature appended~\n";
	static uint8_t buf[1 << 20];
	char path[64] = "/tmp/flank-elf-sig-XXXXXX";
	struct run r;
	FILE *f;
	size_t n;
	int fd;

	(void)state;
#ifdef FLANK_SIGNED_VMM_ELF
	run(&r, "verify %s", FLANK_SIGNED_VMM_ELF);
	assert_int_equal(r.code, 0);
	assert_contains(&r, "vmm.elf: signature: signed (sha256) by '");
	assert_contains(&r, "vmm.elf: ok (loads and links");
#endif
	run(&r, "inspect %s", FLANK_VMM_ELF);
	assert_int_equal(r.code, 0);
	assert_contains(&r, "vmm.elf: signature: not signed");
	f = fopen(FLANK_VMM_ELF, "rb");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 40, f);
	fclose(f);
	assert_true(n > 0 && n < sizeof(buf) - 40);
	memset(buf + n, 0, 12);
	buf[n + 2] = 2;
	memset(buf + n + 8, 0xff, 4); /* sig_len 2^32 - 1 */
	memcpy(buf + n + 12, magic, sizeof(magic));
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, n + 40), (ssize_t)(n + 40));
	close(fd);
	run(&r, "verify %s", path);
	unlink(path);
	assert_int_equal(r.code, 1);
	assert_contains(&r,
			"signature: bad signature trailer: signature length "
			"runs past the start of the file");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flank_elf_inspect_image),
		cmocka_unit_test(test_flank_elf_inspect_module),
		cmocka_unit_test(test_flank_elf_inspect_synthetic),
		cmocka_unit_test(test_flank_elf_verify_ok),
		cmocka_unit_test(test_flank_elf_verify_unresolved),
		cmocka_unit_test(test_flank_elf_verify_duplicate),
		cmocka_unit_test(test_flank_elf_refused),
		cmocka_unit_test(test_flank_elf_usage),
		cmocka_unit_test(test_flank_elf_io_error),
		cmocka_unit_test(test_flank_elf_signature),
	};

	return FLANK_RUN_TESTS(tests);
}
