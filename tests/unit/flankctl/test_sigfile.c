// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Who signed a file (tools/flankctl/sigfile.c), on the vmm.elf `make image`
 * signed (with sign-file or openssl cms, scripts/sign-image.sh), on every
 * truncation of its PKCS#7 message and on every single-byte corruption of
 * the message's head: the signer is read from a good message, any other is
 * reported as bad, and nothing is read outside the file (memcheck).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flank_sigtrailer.h"
#include "flank_test.h"
#include "sigfile.h"

static uint8_t *signed_file;
static size_t signed_size;
static struct flank_sig_trailer trailer;

static int setup(void **state)
{
	FILE *f = fopen(FLANK_SIGNED_VMM_ELF, "rb");
	long n;

	(void)state;
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	signed_size = (size_t)n;
	signed_file = malloc(signed_size);
	assert_non_null(signed_file);
	assert_int_equal(fread(signed_file, 1, signed_size, f), signed_size);
	fclose(f);
	assert_int_equal(flank_sig_find(signed_file, signed_size, &trailer),
			 FLANK_SIGR_OK);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	free(signed_file);
	return 0;
}

/* A file of @p elf bytes of vmm.elf, @p sig of message and a trailer. */
static size_t rebuild(uint8_t *out, const uint8_t *msg, size_t sig)
{
	/* The magic without its NUL: exactly what ends a signed file. */
	static const char magic[28] = "~Module signature appended~\n";
	size_t n = trailer.elf_size;

	memcpy(out, signed_file, n);
	memcpy(out + n, msg, sig);
	n += sig;
	memset(out + n, 0, 12);
	out[n + 2] = 2;
	out[n + 8] = (uint8_t)(sig >> 24);
	out[n + 9] = (uint8_t)(sig >> 16);
	out[n + 10] = (uint8_t)(sig >> 8);
	out[n + 11] = (uint8_t)sig;
	n += 12;
	memcpy(out + n, magic, sizeof(magic));
	return n + 28;
}

/* The signed vmm.elf names its digest and signer (issuer and serial). */
static void test_sigfile_signed_image(void **state)
{
	struct flank_sigfile s;
	char line[320];

	(void)state;
	flank_sigfile_read(signed_file, signed_size, &s);
	assert_int_equal(s.trailer, FLANK_SIGR_OK);
	assert_int_equal(s.elf_size, trailer.elf_size);
	assert_int_equal(s.parsed, 1);
	assert_null(s.error);
	assert_string_equal(s.digest, "sha256");
	assert_string_not_equal(s.signer, "?");
	assert_true(strncmp(s.id, "serial ", 7) == 0);
	flank_sigfile_describe(&s, line, sizeof(line));
	assert_true(strncmp(line, "signed (sha256) by '", 20) == 0);
}

/* Without a trailer: "not signed", the whole file is the ELF. */
static void test_sigfile_unsigned(void **state)
{
	struct flank_sigfile s;
	char line[64];

	(void)state;
	flank_sigfile_read(signed_file, trailer.elf_size, &s);
	assert_int_equal(s.trailer, FLANK_SIGR_NO_TRAILER);
	assert_int_equal(s.elf_size, trailer.elf_size);
	flank_sigfile_describe(&s, line, sizeof(line));
	assert_string_equal(line, "not signed");
}

/* Every prefix of the message is a bad message, never a signer. */
static void test_sigfile_truncated_message(void **state)
{
	const uint8_t *msg = signed_file + trailer.elf_size;
	uint8_t *buf = malloc(signed_size);
	struct flank_sigfile s;
	size_t len, n;

	(void)state;
	assert_non_null(buf);
	for (len = 1; len < trailer.sig_len; len++) {
		n = rebuild(buf, msg, len);
		flank_sigfile_read(buf, n, &s);
		assert_int_equal(s.trailer, FLANK_SIGR_OK);
		assert_int_equal(s.parsed, 0);
		assert_non_null(s.error);
	}
	free(buf);
}

/*
 * Any single byte of the message's head changed: parsed or reported, the
 * two exclusive, and a malformed trailer is described by its reason.
 */
static void test_sigfile_corrupted_message(void **state)
{
	uint8_t *buf = malloc(signed_size);
	struct flank_sigfile s;
	char line[320];
	size_t i, n, head;
	int bad = 0;

	(void)state;
	assert_non_null(buf);
	head = trailer.sig_len < 160 ? trailer.sig_len : 160;
	for (i = 0; i < head; i++) {
		n = rebuild(buf, signed_file + trailer.elf_size,
			    trailer.sig_len);
		buf[trailer.elf_size + i] ^= 0xff;
		flank_sigfile_read(buf, n, &s);
		assert_int_equal(s.parsed, s.error == NULL);
		bad += !s.parsed;
	}
	/* The tags and lengths of the head are checked: most flips show. */
	assert_true(bad > 20);
	n = rebuild(buf, signed_file + trailer.elf_size, trailer.sig_len);
	buf[n - 28 - 1] = 0xff; /* sig_len's low byte: past the start. */
	buf[n - 28 - 2] = 0xff;
	buf[n - 28 - 3] = 0xff;
	buf[n - 28 - 4] = 0xff;
	flank_sigfile_read(buf, n, &s);
	assert_int_equal(s.trailer, FLANK_SIGR_LENGTH);
	flank_sigfile_describe(&s, line, sizeof(line));
	assert_string_equal(line, "bad signature trailer: signature length "
				  "runs past the start of the file");
	free(buf);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_sigfile_signed_image),
		T(test_sigfile_unsigned),
		T(test_sigfile_truncated_message),
		T(test_sigfile_corrupted_message),
	};

	return FLANK_RUN_TESTS(tests);
}
