// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The name and human sentence of every status, from status_texts.h.
 *
 * Names and sentences are two objects, each in its own section: vmm.elf
 * links with --gc-sections and calls only vmm_status_name(), so the
 * sentences (about 4.6 KB) stay out of the image. The hosts hold them:
 * flank.ko compiles this very file (driver_linux/core/vmm_texts.c) and
 * gives the sentence with every VMM status it reports (docs/loader.md,
 * "Room for issue 18").
 */
#include "flank/vmm_status.h"
#include "status_texts.h"
#include "strtab.h"

/* Names as exact-size strings, found by offset (strtab.h). */
static const struct status_names {
#define NAME_MEMBER(id, text) STRTAB_MEMBER(name_##id, #id)
	VMM_STATUS_TEXTS(NAME_MEMBER)
#undef NAME_MEMBER
} names = {
#define NAME_INIT(id, text) .name_##id = #id,
	VMM_STATUS_TEXTS(NAME_INIT)
#undef NAME_INIT
};
STRTAB_FITS(struct status_names);

/* Sentences likewise, in an object of their own. */
static const struct status_sentences {
#define TEXT_MEMBER(id, text) STRTAB_MEMBER(text_##id, text)
	VMM_STATUS_TEXTS(TEXT_MEMBER)
#undef TEXT_MEMBER
} sentences = {
#define TEXT_INIT(id, text) .text_##id = text,
	VMM_STATUS_TEXTS(TEXT_INIT)
#undef TEXT_INIT
};
STRTAB_FITS(struct status_sentences);

/* Where each status's name starts in names. */
static const uint16_t name_at[VMM_STATUS_COUNT] = {
#define NAME_AT(id, text) [id] = offsetof(struct status_names, name_##id),
	VMM_STATUS_TEXTS(NAME_AT)
#undef NAME_AT
};

/* Where each status's sentence starts in sentences. */
static const uint16_t text_at[VMM_STATUS_COUNT] = {
#define TEXT_AT(id, text) [id] = offsetof(struct status_sentences, text_##id),
	VMM_STATUS_TEXTS(TEXT_AT)
#undef TEXT_AT
};

/*
 * Every status has its entry: as many entries as statuses, and a repeated
 * one would be an error (-Woverride-init), so none is missing.
 */
#define STATUS_ONE(id, text) +1
_Static_assert(0 VMM_STATUS_TEXTS(STATUS_ONE) == VMM_STATUS_COUNT,
	       "a status has no sentence");
#undef STATUS_ONE

const char *vmm_status_str(int status)
{
	if (status < 0 || status >= (int)VMM_STATUS_COUNT)
		return "unknown status: a newer image or a driver bug";
	return STRTAB_AT(sentences, text_at[status]);
}

const char *vmm_status_name(int status)
{
	if (status < 0 || status >= (int)VMM_STATUS_COUNT)
		return "VMM_ERR_UNKNOWN";
	return STRTAB_AT(names, name_at[status]);
}
