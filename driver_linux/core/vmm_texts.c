// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The sentence of every VMM status, for the driver: libvmm's own
 * status.c and status_texts.h compiled into flank.ko (one list, no copy),
 * so that vmm.elf need not carry them (its status_str entry gives the
 * status's name; docs/loader.md "Room for issue 18"). Renamed so that a
 * test that links libvmm too sees no duplicate symbol.
 */
#define vmm_status_str flank_vmm_texts_str
#define vmm_status_name flank_vmm_texts_name
/* The very file libvmm compiles: one list of sentences, not a copy. */
#include "../../libvmm/src/status.c" // NOLINT(bugprone-suspicious-include)
#undef vmm_status_str
#undef vmm_status_name

#include "flank_core.h"

const char *flank_vmm_sentence(int status)
{
	if (status < 0 || status >= (int)VMM_STATUS_COUNT)
		return NULL;
	return flank_vmm_texts_str(status);
}
