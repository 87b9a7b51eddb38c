/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Memory types from the MTRRs (SDM Vol. 3A 12.11 "Memory Type Range
 * Registers"): the type of any guest-physical range, as the processor
 * would give it to each 4 KiB page of that range, for the EPT identity map
 * (issue 18, docs/ept.md "Memory types").
 *
 * vmm_mtrr_read() takes a snapshot of the MTRR MSRs of the calling CPU;
 * vmm_mtrr_range_type() answers from that snapshot only (no MSR access, no
 * allocation, no recursion, bounded loops), so it can be called as often as
 * the EPT builder likes and tested on any layout a test builds by hand.
 */
#ifndef FLANK_EPT_MTRR_H
#define FLANK_EPT_MTRR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vmm_fmt;

/**
 * Memory type encodings: the MTRR encodings (SDM Vol. 3A Table 12-8),
 * which are also the EPT memory-type encodings (SDM Vol. 3C, "EPT and
 * Memory Typing").
 * 2, 3 and 7-255 are reserved. @{
 */
#define VMM_MTRR_UC 0u /**< Uncacheable. */
#define VMM_MTRR_WC 1u /**< Write combining (if IA32_MTRRCAP.WC). */
#define VMM_MTRR_WT 4u /**< Write-through. */
#define VMM_MTRR_WP 5u /**< Write-protected. */
#define VMM_MTRR_WB 6u /**< Write-back. */
/** @} */

/** Fields of IA32_MTRRCAP, IA32_MTRR_DEF_TYPE and IA32_MTRR_PHYSMASKn
 * (SDM Vol. 3A 12.11.1, 12.11.2); the MSR indexes are in flank/x86.h. @{ */
#define VMM_MTRRCAP_VCNT(cap) ((unsigned)((cap)&0xFFu))
#define VMM_MTRRCAP_FIX (UINT64_C(1) << 8)
#define VMM_MTRRCAP_WC (UINT64_C(1) << 10)
#define VMM_MTRRCAP_SMRR (UINT64_C(1) << 11)
#define VMM_MTRR_DEF_TYPE_MASK UINT64_C(0xFF)
#define VMM_MTRR_DEF_FE (UINT64_C(1) << 10)
#define VMM_MTRR_DEF_E (UINT64_C(1) << 11)
#define VMM_MTRR_PHYSMASK_VALID (UINT64_C(1) << 11)
/** @} */

/** Number of fixed-range MTRRs (SDM Vol. 3A 12.11.2.2). */
#define VMM_MTRR_FIXED_COUNT 11u

/**
 * Variable-range pairs kept. IA32_MTRRCAP.VCNT is 8 bits wide; processors
 * report 8 or 10 (the SDM's example is 8). A CPU reporting more than this
 * is refused (VMM_ERR_MTRR_VCNT) rather than typed from part of its ranges.
 */
#define VMM_MTRR_MAX_VAR 16u

/** One variable range: IA32_MTRR_PHYSBASEn and IA32_MTRR_PHYSMASKn. */
struct vmm_mtrr_var {
	uint64_t base; /**< PHYSBASEn: type in 7:0, base in MAXPHYADDR-1:12. */
	uint64_t mask; /**< PHYSMASKn: V in 11, mask in MAXPHYADDR-1:12. */
};

/**
 * A snapshot of one CPU's MTRRs. IA32_SMRR_PHYSBASE/PHYSMASK are not part
 * of it: the SMRR is not a variable-range MTRR (SDM Vol. 3A 12.11.2.4).
 */
struct vmm_mtrr_state {
	uint64_t cap;				   /**< IA32_MTRRCAP */
	uint64_t def_type;			   /**< IA32_MTRR_DEF_TYPE */
	uint64_t fixed[VMM_MTRR_FIXED_COUNT];	   /**< FIX64K_00000.. */
	struct vmm_mtrr_var var[VMM_MTRR_MAX_VAR]; /**< var_count used */
	uint32_t var_count;  /**< Pairs in var[]: IA32_MTRRCAP.VCNT. */
	uint32_t maxphyaddr; /**< CPUID.80000008H:EAX[7:0], or 36. */
	/**
	 * Fields found holding what a WRMSR could not have put there (a
	 * reserved type, WC without IA32_MTRRCAP.WC, a reserved bit set):
	 * counted by vmm_mtrr_read(); every such type is taken as UC.
	 */
	uint32_t invalid;
};

/**
 * Reads the calling CPU's MTRRs into @p s with the #GP-reporting RDMSR.
 * Returns VMM_OK; VMM_ERR_BAD_ARGUMENT if @p s is NULL; VMM_ERR_NO_MTRR if
 * CPUID.1:EDX.MTRR[12] is 0; VMM_ERR_MTRR_MSR if a RDMSR raised #GP;
 * VMM_ERR_MTRR_VCNT if VCNT exceeds VMM_MTRR_MAX_VAR; VMM_ERR_PHYS_WIDTH if
 * CPUID.80000008H reports a MAXPHYADDR outside 36..52. On an error @p s is
 * left zeroed.
 */
int vmm_mtrr_read(struct vmm_mtrr_state *s);

/**
 * The memory type of [@p base, @p base + @p size): returns true and stores
 * it in @p type when every 4 KiB page of the range has that one type,
 * false (and leaves @p type alone) when the types differ. @p base and
 * @p size are 4 KiB multiples, @p size is not 0 and the range does not
 * wrap: otherwise the answer is false too.
 */
bool vmm_mtrr_range_type(const struct vmm_mtrr_state *s, uint64_t base,
			 uint64_t size, uint8_t *type);

/**
 * The type of the 4 KiB page at @p addr, by the SDM's rules applied to
 * that one address: the reference vmm_mtrr_range_type() agrees with.
 */
uint8_t vmm_mtrr_page_type(const struct vmm_mtrr_state *s, uint64_t addr);

/** One decision for the comparison with Linux: a range and its type. */
struct vmm_mtrr_decision {
	uint64_t base, size;
	uint8_t type; /**< Valid when uniform. */
	bool uniform; /**< false: the range has more than one type. */
};

/**
 * Linux's name of a memory type ("uncachable", "write-combining",
 * "write-through", "write-protect", "write-back", as /proc/mtrr prints
 * them), "invalid" for a reserved encoding.
 */
const char *vmm_mtrr_type_name(uint8_t type);

/**
 * Appends one line per decision to @p f: "0xBASE-0xLAST NAME\n" (LAST
 * inclusive, NAME from vmm_mtrr_type_name() or "mixed").
 */
void vmm_mtrr_format(struct vmm_fmt *f, const struct vmm_mtrr_decision *d,
		     size_t count);

#endif /* FLANK_EPT_MTRR_H */
