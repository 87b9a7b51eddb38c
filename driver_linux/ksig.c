// SPDX-License-Identifier: GPL-2.0-only
/*
 * Signed images, the kernel's side (core/sig.c parses and decides): the
 * keys flank.ko trusts, the verification of a file's PKCS#7 signature, the
 * kernel's own demand for signed code (lockdown, module.sig_enforce), the
 * taint, and the module parameter sig_policy.
 *
 * Trusted keys, in this order (each tried when the one before does not
 * know the signer, -ENOKEY):
 *  - the secondary trusted keyring, which holds the kernel's built-in keys
 *    and, on kernels with CONFIG_INTEGRITY_MACHINE_KEYRING (Debian's 6.1
 *    and 6.12), the machine keyring: the MOKs enrolled with mokutil,
 *    DKMS's key among them. This is the keyring the module loader uses.
 *  - the platform keyring (UEFI db; CONFIG_INTEGRITY_PLATFORM_KEYRING),
 *    as kexec does for kernel images.
 *  - ".flank", a keyring this module builds at insmod from the X.509
 *    certificates compiled into it (Kbuild: FLANK_CERTS=...).
 */
#define pr_fmt(fmt) "flank: " fmt

#include <linux/cred.h>
#include <linux/err.h>
#include <linux/key.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/panic.h>
#include <linux/security.h>
#include <linux/string.h>
#include <linux/verification.h>

#include "flank_linux.h"

/* FLANK_CERTS as DER, back to back, then one 0 so the array is never empty. */
static const u8 flank_certs[] = {
#include "flank_certs.inc"
	0};

static struct key *flank_keyring;

static bool sig_enforce;

static int sig_policy_set(const char *val, const struct kernel_param *kp)
{
	if (sysfs_streq(val, "enforce"))
		sig_enforce = true;
	else if (sysfs_streq(val, "warn"))
		sig_enforce = false;
	else
		return -EINVAL;
	return 0;
}

static int sig_policy_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n", sig_enforce ? "enforce" : "warn");
}

static const struct kernel_param_ops sig_policy_ops = {
	.set = sig_policy_set,
	.get = sig_policy_get,
};
module_param_cb(sig_policy, &sig_policy_ops, NULL, 0444);
MODULE_PARM_DESC(sig_policy,
		 "Files without a verified signature: warn (default: load "
		 "them and taint the kernel) or enforce (refuse them). A "
		 "locked-down kernel or module.sig_enforce=1 always enforces "
		 "(docs/signing.md)");

bool flank_ksig_enforce(void)
{
	return sig_enforce;
}

/*
 * Loads the compiled-in certificates into .flank. Each is a DER SEQUENCE
 * with a two-byte length (30 82 hi lo), as every X.509 certificate of a
 * signing key is; a certificate the kernel refuses is logged and skipped
 * (files signed by it then do not verify), it does not fail insmod.
 */
int flank_ksig_init(void)
{
	const u8 *p = flank_certs;
	const u8 *end = flank_certs + sizeof(flank_certs) - 1;
	key_ref_t key;
	size_t plen;

	flank_keyring = keyring_alloc(
		".flank", GLOBAL_ROOT_UID, GLOBAL_ROOT_GID, current_cred(),
		(KEY_POS_ALL & ~KEY_POS_SETATTR) | KEY_USR_VIEW | KEY_USR_READ |
			KEY_USR_SEARCH,
		KEY_ALLOC_NOT_IN_QUOTA, NULL, NULL);
	if (IS_ERR(flank_keyring)) {
		int rc = PTR_ERR(flank_keyring);

		flank_keyring = NULL;
		pr_err("cannot create the .flank keyring (error %d)\n", rc);
		return rc;
	}
	while (p < end) {
		if (end - p < 4 || p[0] != 0x30 || p[1] != 0x82) {
			pr_err("built-in certificates: not an X.509 DER "
			       "certificate at byte %zu, ignoring the rest\n",
			       (size_t)(p - flank_certs));
			break;
		}
		plen = ((size_t)p[2] << 8 | p[3]) + 4;
		if (plen > (size_t)(end - p)) {
			pr_err("built-in certificates: truncated at byte "
			       "%zu\n",
			       (size_t)(p - flank_certs));
			break;
		}
		key = key_create_or_update(
			make_key_ref(flank_keyring, 1), "asymmetric", NULL, p,
			plen,
			(KEY_POS_ALL & ~KEY_POS_SETATTR) | KEY_USR_VIEW |
				KEY_USR_READ,
			KEY_ALLOC_NOT_IN_QUOTA | KEY_ALLOC_BUILT_IN |
				KEY_ALLOC_BYPASS_RESTRICTION);
		if (IS_ERR(key)) {
			pr_err("built-in certificate at byte %zu refused by "
			       "the kernel (error %ld)\n",
			       (size_t)(p - flank_certs), PTR_ERR(key));
		} else {
			pr_info("trusting built-in key '%s' for images\n",
				key_ref_to_ptr(key)->description);
			key_ref_put(key);
		}
		p += plen;
	}
	return 0;
}

void flank_ksig_exit(void)
{
	if (flank_keyring)
		key_put(flank_keyring);
	flank_keyring = NULL;
}

#ifdef CONFIG_SYSTEM_DATA_VERIFICATION
static int verify_with(const void *data, size_t len, const void *sig,
		       size_t sig_len, struct key *keys)
{
	return verify_pkcs7_signature(data, len, sig, sig_len, keys,
				      VERIFYING_MODULE_SIGNATURE, NULL, NULL);
}

int flank_ksig_verify(void *ctx, const void *data, size_t len, const void *sig,
		      size_t sig_len)
{
	int rc;

	rc = verify_with(data, len, sig, sig_len, VERIFY_USE_SECONDARY_KEYRING);
	if (rc == -ENOKEY && IS_ENABLED(CONFIG_INTEGRITY_PLATFORM_KEYRING))
		rc = verify_with(data, len, sig, sig_len,
				 VERIFY_USE_PLATFORM_KEYRING);
	if (rc == -ENOKEY && flank_keyring)
		rc = verify_with(data, len, sig, sig_len, flank_keyring);
	return rc;
}
#else
/* No PKCS#7 in this kernel: every signature is "unsupported". */
int flank_ksig_verify(void *ctx, const void *data, size_t len, const void *sig,
		      size_t sig_len)
{
	return -ENOPKG;
}
#endif

/*
 * The module loader's own test (module_sig_check()): with lockdown,
 * security_locked_down() logs "Lockdown: flankctl: unsigned module loading
 * is restricted" as it does for insmod; the core asks only when a file
 * lacks a verified signature.
 */
u32 flank_ksig_required(void *ctx)
{
	u32 req = 0;

	if (security_locked_down(LOCKDOWN_MODULE_SIGNATURE))
		req |= FLANK_SIG_REQ_LOCKDOWN;
	if (is_module_sig_enforced())
		req |= FLANK_SIG_REQ_MODULE_SIG;
	return req;
}

/* What loading an unsigned module does (kernel/module: "U" in tainted). */
void flank_ksig_taint(void *ctx)
{
	add_taint(TAINT_UNSIGNED_MODULE, LOCKDEP_STILL_OK);
}
