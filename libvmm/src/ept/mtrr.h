/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * TEMPORARY (branch ept): the interface of the MTRR module that branch
 * `mtrr` provides, with a minimal implementation so that the EPT builder
 * can be written and tested against it. Replaced by that branch's files
 * when it is merged; not reported as done.
 */
#ifndef FLANK_EPT_MTRR_H
#define FLANK_EPT_MTRR_H

#include <stdbool.h>
#include <stdint.h>

/** Memory types (SDM Vol. 3A 12.3 Table 12-2; EPT Vol. 3C 29.3.7). @{ */
#define VMM_MTRR_UC 0u
#define VMM_MTRR_WC 1u
#define VMM_MTRR_WT 4u
#define VMM_MTRR_WP 5u
#define VMM_MTRR_WB 6u
/** @} */

#define VMM_MTRR_VAR_MAX 32u
#define VMM_MTRR_FIXED_MSRS 11u

/** The MTRRs of the calling CPU (SDM Vol. 3A 12.11). */
struct vmm_mtrr_state {
	bool enabled;	    /**< IA32_MTRR_DEF_TYPE.E */
	bool fixed_enabled; /**< FE and MTRRCAP.FIX */
	uint8_t def_type;
	uint8_t nvar;
	uint64_t phys_mask; /**< Bits MAXPHYADDR-1:12. */
	uint64_t fixed[VMM_MTRR_FIXED_MSRS];
	uint64_t var_base[VMM_MTRR_VAR_MAX];
	uint64_t var_mask[VMM_MTRR_VAR_MAX];
};

/** Reads the MTRRs of the calling CPU; VMM_OK or a status. */
int vmm_mtrr_read(struct vmm_mtrr_state *s);

/**
 * True, and *@p type, when the whole 4 KiB-aligned range [@p base,
 * @p base + @p size) has one memory type.
 */
bool vmm_mtrr_range_type(const struct vmm_mtrr_state *s, uint64_t base,
			 uint64_t size, uint8_t *type);

#endif /* FLANK_EPT_MTRR_H */
