// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The name and human sentence of every status, from status_texts.h.
 */
#include "flank/vmm_status.h"
#include "status_texts.h"
#include "strtab.h"

/* Names and sentences as exact-size strings, found by offset (strtab.h). */
static const struct status_strings {
#define STATUS_MEMBERS(id, text)                                               \
	STRTAB_MEMBER(name_##id, #id) STRTAB_MEMBER(text_##id, text)
	VMM_STATUS_TEXTS(STATUS_MEMBERS)
#undef STATUS_MEMBERS
} strings = {
#define STATUS_INIT(id, text) .name_##id = #id, .text_##id = text,
	VMM_STATUS_TEXTS(STATUS_INIT)
#undef STATUS_INIT
};
STRTAB_FITS(struct status_strings);

/* Where each status's name and sentence start in strings. */
static const struct {
	uint16_t name_at;
	uint16_t text_at;
} status_at[VMM_STATUS_COUNT] = {
#define STATUS_AT(id, text)                                                    \
	[id] = {offsetof(struct status_strings, name_##id),                    \
		offsetof(struct status_strings, text_##id)},
	VMM_STATUS_TEXTS(STATUS_AT)
#undef STATUS_AT
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
	return STRTAB_AT(strings, status_at[status].text_at);
}

const char *vmm_status_name(int status)
{
	if (status < 0 || status >= (int)VMM_STATUS_COUNT)
		return "VMM_ERR_UNKNOWN";
	return STRTAB_AT(strings, status_at[status].name_at);
}
