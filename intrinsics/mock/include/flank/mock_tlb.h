/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file mock_tlb.h
 * The emulated CPUs' cached translations, as far as VPIDs decide them
 * (SDM Vol. 3C 28.1, 28.3): a small TLB per CPU whose entries are linear
 * pages tagged with the VPID that was current when they were cached, global
 * or not, and counters a test reads (tests only).
 *
 * What fills it: a successful VM entry caches the page of GUEST_RIP under
 * the current VPID (the guest's first fetch), a VM exit caches the page of
 * HOST_RIP under VPID 0000H (the host's first fetch), and a test may cache
 * any translation with mock_tlb_fill(). What empties it, as the SDM says:
 * - a VM entry or VM exit with "enable VPID" = 0 invalidates every mapping
 *   of VPID 0000H, global ones included (SDM Vol. 3C 28.3.3.1; 27.3.2.5 for
 *   entries, 28.5.5 for exits); with "enable VPID" = 1 transitions
 *   invalidate nothing (28.3.3.2);
 * - INVVPID (SDM Vol. 3C 28.3.3.1, 31.3): individual-address the mappings
 *   of one page of one VPID (global included); single-context every mapping
 *   of the VPID; all-context every mapping of every VPID but 0000H;
 *   single-context-retaining-globals the VPID's non-global mappings.
 *   Where the SDM allows more ("may also invalidate"), the model
 *   invalidates exactly the required set, so a test sees what software may
 *   rely on.
 * VMXON and VMXOFF invalidate nothing (28.3.3.2). When the TLB is full the
 * oldest entry makes room (counted as an eviction, not an invalidation).
 * Page-table changes, MOV to CR3 and INVLPG are not modelled.
 */
#ifndef FLANK_MOCK_TLB_H
#define FLANK_MOCK_TLB_H

#include <stdbool.h>
#include <stdint.h>

/** Entries of one CPU's modelled TLB. */
#define MOCK_TLB_ENTRIES 64u

/** Counters of one CPU's modelled TLB, since mock_init(). */
struct mock_tlb_stats {
	uint64_t fills;	      /**< Translations cached. */
	uint64_t evictions;   /**< Entries dropped to make room. */
	uint64_t invalidated; /**< Entries invalidated, any cause. */
	uint64_t entries;     /**< Successful VM entries. */
	uint64_t exits;	      /**< VM exits (entry failures included). */
	/** Entries and exits with "enable VPID" = 0: they flushed VPID 0. */
	uint64_t flushing_transitions;
	/** Successful INVVPIDs, by type (0-3). */
	uint64_t invvpid[4];
	/** Entries invalidated by INVVPID, by type. */
	uint64_t invvpid_invalidated[4];
};

/** Caches a translation of linear page @p la for @p vpid on @p cpu. */
void mock_tlb_fill(unsigned cpu, uint16_t vpid, uint64_t la, bool global);

/** True if @p cpu caches a translation of @p la's page for @p vpid. */
bool mock_tlb_has(unsigned cpu, uint16_t vpid, uint64_t la);

/** Number of translations @p cpu caches for @p vpid. */
unsigned mock_tlb_count(unsigned cpu, uint16_t vpid);

/** Copies the counters of @p cpu into @p out. */
void mock_tlb_get_stats(unsigned cpu, struct mock_tlb_stats *out);

/**
 * The current VPID of @p cpu (SDM Vol. 3C 28.1): the VMCS's VPID field in
 * VMX non-root with "enable VPID" = 1, else 0000H (outside VMX, in VMX
 * root, or in non-root without VPID).
 */
uint16_t mock_tlb_current_vpid(unsigned cpu);

#endif /* FLANK_MOCK_TLB_H */
