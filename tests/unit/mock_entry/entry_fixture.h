/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A valid VMCS and CPU for the VM-entry check tests: the state a correct
 * VMM builds from the initial emulated CPU (controls adjusted to the
 * capability MSRs, host and guest state copied from the running CPU), plus
 * edits ("writes") that corrupt or adjust one thing at a time.
 */
#ifndef FLANK_TEST_ENTRY_FIXTURE_H
#define FLANK_TEST_ENTRY_FIXTURE_H

#include "mock_internal.h"

/* Pages mapped by the fixture, by role. */
enum efx_page {
	PG_VMCS,
	PG_LINK,
	PG_IOA,
	PG_IOB,
	PG_MSRBM,
	PG_VAPIC,
	PG_APIC,
	PG_EPT,
	PG_PML,
	PG_PID,
	PG_EPTPLIST,
	PG_VMREAD,
	PG_VMWRITE,
	PG_VE,
	PG_PDPT,
	PG_MSRLIST, /* 3 pages: room for 513 MSR-list entries */
	EFX_PAGES = PG_MSRLIST + 3
};

/* Profiles, as a bit mask for tables. */
#define P_SKY 1u
#define P_PENRYN 2u
#define P_MEROM 4u
#define P_ALL (P_SKY | P_PENRYN | P_MEROM)
#define P_SEC (P_SKY | P_PENRYN)

struct efx {
	const char *profile;
	struct mock_cpu *cpu;
	struct mock_vmcs *vmcs;
	uint8_t *mem;
	uint64_t pa[EFX_PAGES];
};

/* Kinds of edit. */
enum efx_op {
	OP_END = 0,
	OP_SET,	    /* field = v */
	OP_OR,	    /* field |= v */
	OP_CLR,	    /* field &= ~v */
	OP_PAGE,    /* field = pa of page v */
	OP_PAGEOFF, /* field = pa of page (v >> 16) + (v & 0xFFFF) */
	OP_TOP,	    /* field = 2^physical-width - v */
	OP_MEM,	    /* 8 bytes at pa of page (enc >> 12) + (enc & 0xFFF) = v */
	OP_MSR,	    /* CPU MSR enc = v */
	OP_MSR_OR,  /* CPU MSR enc |= v */
	OP_MSR_CLR, /* CPU MSR enc &= ~v */
	OP_PRESET,  /* apply preset v */
};

/* Presets: consistent multi-field changes. */
enum efx_preset {
	PRESET_PAE32 = 1, /* 32-bit protected-mode guest with PAE paging */
	PRESET_V86,	  /* virtual-8086 guest on PAE32 */
	PRESET_HOST32,	  /* CPU outside IA-32e mode, 32-bit host and guest */
	PRESET_LDTR,	  /* a usable LDTR */
	PRESET_DS,	  /* usable DS and ES */
	PRESET_TPR,	  /* TPR shadow with a virtual-APIC page */
	PRESET_POSTED,	  /* posted interrupts on PRESET_TPR */
	PRESET_RING3,	  /* CS and SS at DPL/RPL 3 */
};

struct efx_write {
	uint32_t enc;
	enum efx_op op;
	uint64_t v;
};

#define MEMOFF(page, off) (((uint32_t)(page) << 12) | (off))
#define PAGEOFF(page, off) (((uint64_t)(page) << 16) | (off))

/* Which check stage refused the entry (or none). */
enum efx_stage {
	STAGE_PASS = 0,
	STAGE_CONTROLS, /* VMfailValid(7) */
	STAGE_HOST,	/* VMfailValid(8) */
	STAGE_GUEST,	/* exit 33 */
	STAGE_MSR,	/* exit 34 */
};

struct efx_verdict {
	enum efx_stage stage;
	uint32_t vm_error; /* 7 or 8 for the VMfailValid stages */
	struct mock_check_failure fail;
};

/* Builds the valid fixture on @p profile; returns 0 or -1. */
int efx_init(struct efx *fx, const char *profile);
void efx_fini(struct efx *fx);
/* Applies writes until OP_END (at most @p max). */
void efx_apply(struct efx *fx, const struct efx_write *w, unsigned max);
/* Runs the stages in VM-entry order, as VMLAUNCH would. */
void efx_run(struct efx *fx, struct efx_verdict *out);
uint64_t efx_get(struct efx *fx, uint32_t enc);
void efx_set(struct efx *fx, uint32_t enc, uint64_t v);
/* Writes one 16-byte MSR-list entry @p i. */
void efx_msr_entry(struct efx *fx, unsigned i, uint64_t index_word,
		   uint64_t data);

/* Profile name for a P_* bit. */
const char *efx_profile_name(unsigned bit);

/*
 * One rule: prep (shared setup), bad (makes the rule fire) and good (the
 * field right, often a boundary value: then the entry passes every stage).
 */
#define EFX_PREP_MAX 6
#define EFX_EDIT_MAX 4
struct efx_row {
	const char *rule;
	unsigned profiles;
	uint64_t qual;
	struct efx_write prep[EFX_PREP_MAX];
	struct efx_write bad[EFX_EDIT_MAX];
	struct efx_write good[EFX_EDIT_MAX];
};

extern const struct efx_row efx_rows[];
extern const unsigned efx_row_count;

/* Edits that must leave a fully valid VMCS (boundaries, exemptions). */
struct efx_pass_row {
	const char *name;
	unsigned profiles;
	struct efx_write w[EFX_PREP_MAX];
};

extern const struct efx_pass_row efx_pass_rows[];
extern const unsigned efx_pass_row_count;

#endif
