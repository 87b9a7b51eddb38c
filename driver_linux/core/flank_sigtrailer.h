/* SPDX-License-Identifier: GPL-2.0-only */
/**
 * @file flank_sigtrailer.h
 * The appended signature of an image or module file, in the format of
 * signed kernel modules, found and bounded without trusting a byte of it.
 * Pure: no ops, no allocation; compiled into flank.ko (core/sig.c uses it)
 * and into flankctl and flank-elf, which show a file's signature.
 */
#ifndef FLANK_SIGTRAILER_H
#define FLANK_SIGTRAILER_H

#include <stddef.h>
#include <stdint.h>

#include "flank/flank_ioctl.h"

/** Where the parts of a signed file are (valid for FLANK_SIGR_OK). */
struct flank_sig_trailer {
	size_t elf_size; /**< The signed bytes: the ELF file, from offset 0. */
	size_t sig_len;	 /**< PKCS#7 DER message, right after the ELF bytes. */
};

/**
 * Looks at the end of @p bytes (@p size bytes) for a signature trailer:
 * FLANK_SIGR_OK with @p out filled, FLANK_SIGR_NO_TRAILER, or the
 * enum flank_sig_reason of a malformed one (TRUNCATED, LENGTH, FORMAT,
 * UNSUPPORTED).
 */
unsigned int flank_sig_find(const void *bytes, size_t size,
			    struct flank_sig_trailer *out);

/** Human name of an enum flank_sig_state / flank_sig_reason. */
const char *flank_sig_state_str(unsigned int state);
const char *flank_sig_reason_str(unsigned int reason);

#endif /* FLANK_SIGTRAILER_H */
