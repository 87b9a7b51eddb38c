// SPDX-License-Identifier: GPL-2.0-only
/*
 * The signature trailer of a file, as the kernel's scripts/sign-file
 * appends it (include/linux/module_signature.h; the checks mirror the
 * kernel's mod_check_sig()):
 *
 *   [ELF bytes][PKCS#7 DER, sig_len bytes][struct module_signature, 12]
 *   ["~Module signature appended~\n", 28]
 *
 * struct module_signature is u8 algo, hash, id_type, signer_len,
 * key_id_len, pad[3], then __be32 sig_len. For PKCS#7 (id_type 2) every
 * other byte but sig_len must be 0: signer and key id live inside the
 * PKCS#7 message.
 */
#include <string.h>

#include "flank_sigtrailer.h"

/** The magic at the very end of a signed file (no NUL). */
static const char sig_magic[] = "~Module signature appended~\n";
#define SIG_MAGIC_LEN (sizeof(sig_magic) - 1u)
/** sizeof(struct module_signature). */
#define SIG_HDR_LEN 12u
/** struct module_signature.id_type of a PKCS#7 message (PKEY_ID_PKCS7). */
#define SIG_ID_PKCS7 2u

static const char *const state_text[] = {
	[FLANK_SIG_UNCHECKED] = "not checked",
	[FLANK_SIG_VERIFIED] = "signature verified",
	[FLANK_SIG_MISSING] = "no signature",
	[FLANK_SIG_BAD] = "bad signature",
};

static const char *const reason_text[FLANK_SIGR_COUNT] = {
	[FLANK_SIGR_OK] = "verified by a trusted key",
	[FLANK_SIGR_NO_TRAILER] = "no signature appended",
	[FLANK_SIGR_TRUNCATED] = "signature trailer truncated",
	[FLANK_SIGR_LENGTH] = "signature length runs past the start of the "
			      "file",
	[FLANK_SIGR_FORMAT] = "signature header has fields the format forbids",
	[FLANK_SIGR_UNSUPPORTED] = "signature type or algorithm not supported",
	[FLANK_SIGR_UNKNOWN_KEY] = "signed by a key the kernel and flank.ko do "
				   "not trust",
	[FLANK_SIGR_MISMATCH] = "signature does not match the file's bytes",
	[FLANK_SIGR_ERROR] = "the kernel could not check the signature",
};

const char *flank_sig_state_str(unsigned int state)
{
	if (state >= sizeof(state_text) / sizeof(state_text[0]))
		return "unknown signature state";
	return state_text[state];
}

const char *flank_sig_reason_str(unsigned int reason)
{
	if (reason >= FLANK_SIGR_COUNT)
		return "unknown signature reason";
	return reason_text[reason];
}

/*
 * Checks: the magic ends the file; the 12-byte header fits before it with
 * at least one byte more; the signature fits before the header with at
 * least one byte of file left (sig_len < what is left, as mod_check_sig()
 * wants; subtractions only, nothing that can wrap); PKCS#7 type; the
 * header bytes the format keeps 0 are 0.
 */
unsigned int flank_sig_find(const void *bytes, size_t size,
			    struct flank_sig_trailer *out)
{
	const uint8_t *b = bytes;
	const uint8_t *hdr;
	size_t left = size;
	uint32_t sig_len;

	if (left < SIG_MAGIC_LEN ||
	    memcmp(b + left - SIG_MAGIC_LEN, sig_magic, SIG_MAGIC_LEN) != 0)
		return FLANK_SIGR_NO_TRAILER;
	left -= SIG_MAGIC_LEN;
	if (left <= SIG_HDR_LEN)
		return FLANK_SIGR_TRUNCATED;
	left -= SIG_HDR_LEN;
	hdr = b + left;
	sig_len = (uint32_t)hdr[8] << 24 | (uint32_t)hdr[9] << 16 |
		  (uint32_t)hdr[10] << 8 | (uint32_t)hdr[11];
	if (sig_len == 0 || sig_len >= left)
		return FLANK_SIGR_LENGTH;
	if (hdr[2] != SIG_ID_PKCS7)
		return FLANK_SIGR_UNSUPPORTED;
	if (hdr[0] | hdr[1] | hdr[3] | hdr[4] | hdr[5] | hdr[6] | hdr[7])
		return FLANK_SIGR_FORMAT;
	out->elf_size = left - sig_len;
	out->sig_len = sig_len;
	return FLANK_SIGR_OK;
}
