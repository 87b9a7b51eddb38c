// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Signed images (driver_linux/core/sig.c) against a fake kernel whose
 * keyring trusts chosen fake keys: the appended signature in the kernel
 * module format is found, bounded and verified, every way it can be
 * missing or bad is its own outcome, the trailer never reaches the loader,
 * and the policy (lockdown, module.sig_enforce, sig_policy) decides at
 * load, before any code of the load runs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fake_checks.h"
#include "fake_platform.h"
#include "flank_sigtrailer.h"
#include "flank_test.h"

static struct flank_core core;
/* The open file of /dev/flank the tests' ioctls come through. */
static struct flank_file filp;
static const char elf_bytes[] = "\x7f"
				"ELF fake image with some bytes";
#define ELF_LEN (sizeof(elf_bytes))
/* Trailer bytes after the PKCS#7 message: header + magic. */
#define TRAILER 40u
#define TRUSTED_KEY 1u
#define OTHER_KEY 3u

static uint8_t file[256];

static int ioc(unsigned int cmd, void *arg)
{
	return flank_core_ioctl(&core, &filp, cmd, (uint64_t)(uintptr_t)arg);
}

static int setup(void **state)
{
	(void)state;
	fake_reset(2);
	fake_vmm_reset();
	fake.trusted_keys = 1u << TRUSTED_KEY;
	flank_core_init(&core, &fake_ops, fake_link, fake_unlink);
	flank_core_open(&core, &filp);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	flank_core_release(&core, &filp);
	flank_core_fini(&core);
	fake_assert_left_clean();
	return 0;
}

/* Adds a file; returns the status, and the outcome in *st / *why. */
static int add(const char *name, const void *data, size_t size,
	       unsigned int *st, unsigned int *why)
{
	struct flank_ioc_module m;
	int rc;

	memset(&m, 0, sizeof(m));
	m.data = (uint64_t)(uintptr_t)data;
	m.size = size;
	snprintf(m.name, sizeof(m.name), "%s", name);
	rc = ioc(FLANK_IOC_ADD_MODULE, &m);
	*st = m.sig_state;
	*why = m.sig_reason;
	return rc;
}

static int load(struct flank_ioc_cmd *c)
{
	memset(c, 0, sizeof(*c));
	return ioc(FLANK_IOC_LOAD, c);
}

static size_t sign(uint8_t key)
{
	size_t n = fake_sign(file, sizeof(file), elf_bytes, ELF_LEN, key);

	assert_int_equal(n, ELF_LEN + FAKE_SIG_LEN + TRAILER);
	return n;
}

/* Offset of the big-endian sig_len in a signed file of @p n bytes. */
static size_t sig_len_at(size_t n)
{
	return n - 28u - 4u;
}

/*
 * Adds @p n bytes of file, checks the outcome, loads under the current
 * policy; returns the load's status.
 */
static int add_and_load(size_t n, unsigned int want_state,
			unsigned int want_reason, struct flank_ioc_cmd *c)
{
	unsigned int st, why;

	assert_int_equal(add("vmm.elf", file, n, &st, &why), FLANK_OK);
	assert_int_equal(st, want_state);
	assert_int_equal(why, want_reason);
	assert_int_equal(filp.mod[0].sig_state, want_state);
	return load(c);
}

/*
 * A file signed by a trusted key verifies; the signature covers the ELF
 * bytes only, and only those reach the loader. No taint.
 */
static void test_driver_sig_verified(void **state)
{
	struct flank_ioc_cmd c;
	size_t n = sign(TRUSTED_KEY);

	(void)state;
	fake.sig_required = FLANK_SIG_REQ_LOCKDOWN;
	assert_int_equal(add_and_load(n, FLANK_SIG_VERIFIED, FLANK_SIGR_OK, &c),
			 FLANK_OK);
	assert_int_equal(fake.verifies, 1);
	assert_int_equal(fake.verified_len, ELF_LEN);
	assert_int_equal(vmm.linked_size0, ELF_LEN);
	assert_int_equal(vmm.inits, 1);
	assert_int_equal(fake.taints, 0);
	assert_true(fake_log_find("vmm.elf: signature verified", 0) >= 0);
}

/*
 * No trailer: "no signature". Under the default policy (warn) the file
 * loads, the kernel is tainted before its code runs, the log says so.
 */
static void test_driver_sig_unsigned_warn(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	memcpy(file, elf_bytes, ELF_LEN);
	assert_int_equal(add_and_load(ELF_LEN, FLANK_SIG_MISSING,
				      FLANK_SIGR_NO_TRAILER, &c),
			 FLANK_OK);
	assert_int_equal(fake.verifies, 0);
	assert_int_equal(vmm.linked_size0, ELF_LEN);
	assert_int_equal(fake.taints, 1);
	assert_int_equal(vmm.inits, 1);
	assert_true(fake_log_find("vmm.elf: no signature (no signature "
				  "appended): loading it anyway",
				  0) >= 0);
}

/* Locked down: an unsigned file is refused before anything is linked. */
static void test_driver_sig_unsigned_lockdown(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	fake.sig_required = FLANK_SIG_REQ_LOCKDOWN;
	memcpy(file, elf_bytes, ELF_LEN);
	assert_int_equal(add_and_load(ELF_LEN, FLANK_SIG_MISSING,
				      FLANK_SIGR_NO_TRAILER, &c),
			 FLANK_E_UNSIGNED);
	assert_int_equal(c.err.code, FLANK_E_UNSIGNED);
	assert_int_equal(c.err.detail, FLANK_SIGR_NO_TRAILER);
	assert_non_null(strstr(c.err.text, "vmm.elf: no signature"));
	assert_non_null(strstr(c.err.text, "the kernel is locked down"));
	assert_non_null(strstr(c.err.text, "sign-file"));
	assert_non_null(strstr(c.err.text, "docs/signing.md"));
	assert_int_equal(vmm.links, 0);
	assert_int_equal(vmm.inits, 0);
	assert_int_equal(fake.taints, 0);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
	assert_true(fake_log_find("load failed: vmm.elf: no signature", 0) >=
		    0);
}

/*
 * Signed by a key nobody trusts: "bad signature" (unknown key); like the
 * kernel's module loader, warn lets it through with a taint, lockdown and
 * sig_policy=enforce refuse it.
 */
static void test_driver_sig_wrong_key(void **state)
{
	struct flank_ioc_cmd c;
	size_t n = sign(OTHER_KEY);

	(void)state;
	assert_int_equal(
		add_and_load(n, FLANK_SIG_BAD, FLANK_SIGR_UNKNOWN_KEY, &c),
		FLANK_OK);
	assert_int_equal(fake.taints, 1);
	assert_int_equal(vmm.linked_size0, ELF_LEN);
	c.flags = 0;
	assert_int_equal(ioc(FLANK_IOC_UNLOAD, &c), FLANK_OK);

	fake.sig_required = FLANK_SIG_REQ_LOCKDOWN;
	assert_int_equal(
		add_and_load(n, FLANK_SIG_BAD, FLANK_SIGR_UNKNOWN_KEY, &c),
		FLANK_E_BAD_SIG);
	assert_non_null(strstr(c.err.text, "bad signature (signed by a key "
					   "the kernel and flank.ko do not "
					   "trust, error -126)"));
	assert_int_equal(-ENOKEY, -126);
	assert_int_equal(vmm.inits, 1);

	fake.sig_required = 0;
	core.sig_enforce = true;
	assert_int_equal(
		add_and_load(n, FLANK_SIG_BAD, FLANK_SIGR_UNKNOWN_KEY, &c),
		FLANK_E_BAD_SIG);
	assert_non_null(strstr(c.err.text, "refused: sig_policy=enforce"));
	assert_int_equal(fake.taints, 1);
}

/*
 * The magic with no room for the 12-byte header before it: a truncated
 * trailer, refused under every policy, never handed to the keyring.
 */
static void test_driver_sig_truncated_trailer(void **state)
{
	/* The magic without its NUL: exactly what ends a signed file. */
	static const char magic[28] = "~Module signature appended~\n";
	struct flank_ioc_cmd c;
	size_t n;

	(void)state;
	/* 12 bytes before the magic: header but no file left: truncated. */
	memset(file, 0, 12);
	memcpy(file + 12, magic, sizeof(magic));
	n = 40;
	assert_int_equal(
		add_and_load(n, FLANK_SIG_BAD, FLANK_SIGR_TRUNCATED, &c),
		FLANK_E_BAD_SIG);
	assert_non_null(strstr(c.err.text, "signature trailer truncated"));
	assert_non_null(strstr(c.err.text, "tampered with or damaged"));
	/* The bare magic alone, too. */
	memcpy(file, magic, sizeof(magic));
	assert_int_equal(
		add_and_load(28, FLANK_SIG_BAD, FLANK_SIGR_TRUNCATED, &c),
		FLANK_E_BAD_SIG);
	/* One byte short of the magic is no signature at all. */
	assert_int_equal(
		add_and_load(27, FLANK_SIG_MISSING, FLANK_SIGR_NO_TRAILER, &c),
		FLANK_OK);
	assert_int_equal(fake.verifies, 0);
	assert_int_equal(vmm.links, 1);
}

/*
 * A signature made over other bytes (the ELF part changed after signing):
 * the keyring rejects it; refused even under warn, as the kernel does.
 */
static void test_driver_sig_other_bytes(void **state)
{
	struct flank_ioc_cmd c;
	size_t n = sign(TRUSTED_KEY);

	(void)state;
	file[7] ^= 0x20;
	assert_int_equal(
		add_and_load(n, FLANK_SIG_BAD, FLANK_SIGR_MISMATCH, &c),
		FLANK_E_BAD_SIG);
	assert_non_null(strstr(c.err.text, "does not match the file's bytes"));
	assert_int_equal(fake.verifies, 1);
	assert_int_equal(vmm.links, 0);
	assert_int_equal(fake.taints, 0);
	/* A message the keyring cannot parse is the same outcome. */
	n = sign(TRUSTED_KEY);
	file[ELF_LEN] = 'X';
	assert_int_equal(
		add_and_load(n, FLANK_SIG_BAD, FLANK_SIGR_MISMATCH, &c),
		FLANK_E_BAD_SIG);
}

/*
 * sig_len beyond the file (up to 2^32 - 1, which must not wrap), equal to
 * what is left (no byte of file to sign), or 0: a length error, refused,
 * never handed to the keyring.
 */
static void test_driver_sig_length_overflow(void **state)
{
	static const uint32_t bad[] = {0xffffffffu, 0x80000000u,
				       (uint32_t)(ELF_LEN + FAKE_SIG_LEN), 0};
	struct flank_ioc_cmd c;
	size_t i, n;

	(void)state;
	for (i = 0; i < FLANK_ARRAY_SIZE(bad); i++) {
		n = sign(TRUSTED_KEY);
		file[sig_len_at(n)] = (uint8_t)(bad[i] >> 24);
		file[sig_len_at(n) + 1] = (uint8_t)(bad[i] >> 16);
		file[sig_len_at(n) + 2] = (uint8_t)(bad[i] >> 8);
		file[sig_len_at(n) + 3] = (uint8_t)bad[i];
		assert_int_equal(
			add_and_load(n, FLANK_SIG_BAD, FLANK_SIGR_LENGTH, &c),
			FLANK_E_BAD_SIG);
		assert_non_null(strstr(c.err.text, "runs past the start"));
	}
	/* One less than "everything" leaves one byte: parsed, verified. */
	n = sign(TRUSTED_KEY);
	file[sig_len_at(n) + 3] = (uint8_t)(ELF_LEN + FAKE_SIG_LEN - 1);
	assert_int_equal(
		add_and_load(n, FLANK_SIG_BAD, FLANK_SIGR_MISMATCH, &c),
		FLANK_E_BAD_SIG);
	assert_int_equal(fake.verified_len, 1);
	assert_int_equal(fake.verifies, 1);
}

/*
 * Header bytes the format keeps 0 are refused (FORMAT); another signature
 * type than PKCS#7 is "unsupported", a soft failure like the kernel's.
 */
static void test_driver_sig_header_fields(void **state)
{
	struct flank_ioc_cmd c;
	size_t n = sign(TRUSTED_KEY);
	size_t hdr = n - 28u - 12u;

	(void)state;
	file[hdr + 5] = 1; /* __pad[0] */
	assert_int_equal(add_and_load(n, FLANK_SIG_BAD, FLANK_SIGR_FORMAT, &c),
			 FLANK_E_BAD_SIG);
	n = sign(TRUSTED_KEY);
	file[hdr + 2] = 1; /* PKEY_ID_X509 */
	assert_int_equal(
		add_and_load(n, FLANK_SIG_BAD, FLANK_SIGR_UNSUPPORTED, &c),
		FLANK_OK);
	assert_int_equal(fake.taints, 1);
	assert_int_equal(fake.verifies, 0);
}

/*
 * Policy is judged at load, not at add: lockdown raised in between
 * refuses the file staged before. module.sig_enforce is named too.
 */
static void test_driver_sig_policy_at_load(void **state)
{
	struct flank_ioc_cmd c;
	unsigned int st, why;

	(void)state;
	assert_int_equal(add("vmm.elf", elf_bytes, ELF_LEN, &st, &why),
			 FLANK_OK);
	fake.sig_required = FLANK_SIG_REQ_LOCKDOWN;
	assert_int_equal(load(&c), FLANK_E_UNSIGNED);
	fake.sig_required = FLANK_SIG_REQ_MODULE_SIG;
	assert_int_equal(add("vmm.elf", elf_bytes, ELF_LEN, &st, &why),
			 FLANK_OK);
	assert_int_equal(load(&c), FLANK_E_UNSIGNED);
	assert_non_null(strstr(c.err.text, "module.sig_enforce is on"));
	assert_int_equal(vmm.links, 0);
}

/*
 * Every file of a load is checked: a signed image with an unsigned
 * extension is refused under lockdown, naming the extension.
 */
static void test_driver_sig_every_file(void **state)
{
	struct flank_ioc_cmd c;
	unsigned int st, why;
	size_t n = sign(TRUSTED_KEY);

	(void)state;
	fake.sig_required = FLANK_SIG_REQ_LOCKDOWN;
	assert_int_equal(add("vmm.elf", file, n, &st, &why), FLANK_OK);
	assert_int_equal(st, FLANK_SIG_VERIFIED);
	assert_int_equal(add("ext.elf", elf_bytes, ELF_LEN, &st, &why),
			 FLANK_OK);
	assert_int_equal(st, FLANK_SIG_MISSING);
	assert_int_equal(load(&c), FLANK_E_UNSIGNED);
	assert_non_null(strstr(c.err.text, "ext.elf: no signature"));
	assert_int_equal(vmm.links, 0);
}

/* The outcome fields are output only; the new codes have texts. */
static void test_driver_sig_abi(void **state)
{
	struct flank_ioc_module m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.data = (uintptr_t)elf_bytes;
	m.size = ELF_LEN;
	m.sig_state = FLANK_SIG_VERIFIED;
	assert_int_equal(ioc(FLANK_IOC_ADD_MODULE, &m), FLANK_E_INVAL);
	m.sig_state = 0;
	m.sig_reason = 1;
	assert_int_equal(ioc(FLANK_IOC_ADD_MODULE, &m), FLANK_E_INVAL);
	assert_int_equal(flank_status_errno(FLANK_E_UNSIGNED), -EKEYREJECTED);
	assert_non_null(strstr(flank_status_str(FLANK_E_UNSIGNED), "sign"));
	assert_string_not_equal(flank_status_str(FLANK_E_UNSIGNED),
				flank_status_str(FLANK_E_BAD_SIG));
	assert_string_equal(flank_sig_state_str(FLANK_SIG_MISSING),
			    "no signature");
	assert_string_equal(flank_sig_state_str(99), "unknown signature state");
	assert_string_equal(flank_sig_reason_str(FLANK_SIGR_COUNT),
			    "unknown signature reason");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_driver_sig_verified),
		T(test_driver_sig_unsigned_warn),
		T(test_driver_sig_unsigned_lockdown),
		T(test_driver_sig_wrong_key),
		T(test_driver_sig_truncated_trailer),
		T(test_driver_sig_other_bytes),
		T(test_driver_sig_length_overflow),
		T(test_driver_sig_header_fields),
		T(test_driver_sig_policy_at_load),
		T(test_driver_sig_every_file),
		T(test_driver_sig_abi),
	};

	return FLANK_RUN_TESTS(tests);
}
