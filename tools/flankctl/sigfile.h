/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A file's appended signature as flankctl and flank-elf show it: whether
 * there is one (the trailer found by the driver's own core/sigtrailer.c)
 * and who signed it, read from the PKCS#7 message with a minimal DER
 * reader: the digest algorithm and the signer identifier of the first
 * SignerInfo (issuer name and serial number, or subject key identifier).
 * Nothing here verifies a signature: the driver does, against the keys the
 * kernel trusts.
 */
#ifndef FLANK_SIGFILE_H
#define FLANK_SIGFILE_H

#include <stddef.h>
#include <stdint.h>

struct flank_sigfile {
	/** enum flank_sig_reason of the trailer (FLANK_SIGR_OK: found). */
	unsigned int trailer;
	/** Bytes the signature covers (the whole file without a trailer). */
	size_t elf_size;
	/** 1 if the PKCS#7 message parsed as far as the signer. */
	int parsed;
	char digest[16];   /**< "sha256", ... or the OID in dotted form. */
	char signer[96];   /**< Issuer CN (or O), printable ASCII only. */
	char id[112];	   /**< "serial 0a:1b:..." or "key id 0a:1b:...". */
	const char *error; /**< Why the message did not parse. */
};

/** Fills @p out from the file's @p size bytes; never fails. */
void flank_sigfile_read(const void *bytes, size_t size,
			struct flank_sigfile *out);

/**
 * One line about the signature, e.g. "signed (sha256) by 'Flank test
 * key', serial 44:09:cf", "not signed", or what is wrong with the trailer.
 */
void flank_sigfile_describe(const struct flank_sigfile *s, char *buf,
			    size_t max);

#endif /* FLANK_SIGFILE_H */
