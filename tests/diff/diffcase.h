/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The differential campaign's cases (docs/differential.md), shared by the
 * test-only guest module that runs them on Bochs (tests/diff/kmod/) and the
 * host program that replays them on the emulated VT-x (diff_replay.c).
 *
 * Both sides compile this file: it is freestanding (no libc, no kernel
 * headers) and deterministic. A case is a function of (seed, index, env):
 * env holds what the module read from the machine (capability MSRs,
 * MAXPHYADDR, the physical addresses of its pages, the valid base VMCS it
 * built), which the module prints and the host parses back, so the two
 * sides generate exactly the same cases. Each case is executed through a
 * table of operations (struct diff_ops): real VMX instructions in the
 * module, the emulator's intrinsics on the host. Each step of a case gives
 * one outcome (struct diff_res); a case's outcomes are printed as one token.
 */
#ifndef FLANK_DIFFCASE_H
#define FLANK_DIFFCASE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * Version of the case stream: changes whenever diff_generate() or
 * diff_execute() would give another case or step for the same seed and
 * index. The module prints it; the replay refuses a log of another one.
 */
#define DIFF_GEN_VERSION 3u
/** The oldest version the replay still generates (env.gen). */
#define DIFF_GEN_OLDEST 2u

/** Capability MSRs 0x480..0x493 (IA32_VMX_BASIC .. IA32_VMX_PROCBASED_CTLS3). */
#define DIFF_MSR_FIRST 0x480u
#define DIFF_MSR_COUNT 20u

/** Base VMCS fields at most. */
#define DIFF_MAX_BASE 160u

/** Steps of one case at most. */
#define DIFF_MAX_STEPS 8u

/** One field of the base VMCS. */
struct diff_field {
	uint32_t enc;
	uint64_t val;
};

/** What the module read from the machine; the host parses it back. */
struct diff_env {
	/**
	 * Version of the case stream to generate (DIFF_GEN_OLDEST ..
	 * DIFF_GEN_VERSION): the module's own; the replay's is the log's.
	 * 3: host CR0.NW is never flipped.
	 */
	uint32_t gen;
	uint64_t msr[DIFF_MSR_COUNT]; /**< By index - DIFF_MSR_FIRST. */
	uint32_t msr_present;	      /**< Bit i: RDMSR did not #GP. */
	uint32_t maxphy;	      /**< CPUID.80000008H:EAX[7:0]. */
	/* Physical addresses of the module's pages (4 KiB each but msr). */
	uint64_t pa_vmxon, pa_vmcs, pa_vmcs2, pa_shadow, pa_zero;
	uint64_t pa_msr;	/**< 2 pages: the MSR lists. */
	uint64_t fs_base_probe; /**< Value of the MSR-load list's FS entry. */
	unsigned nbase;
	struct diff_field base[DIFF_MAX_BASE];
};

/** Outcome of one step. */
enum diff_kind {
	DIFF_OK = 'S',	       /**< VMsucceed. */
	DIFF_READ = 'R',       /**< VMREAD succeeded: value in q. */
	DIFF_INVALID = 'I',    /**< VMfailInvalid. */
	DIFF_VALID = 'V',      /**< VMfailValid(n). */
	DIFF_ENTRY_FAIL = 'E', /**< VM-entry failure: exit reason n, qual q. */
	DIFF_EXIT = 'X',       /**< Entered; n the exit reason (0: unknown). */
	DIFF_EXC = '#',	       /**< Exception n. */
	/** VMWRITE of base field q refused with VMfailValid(n). */
	DIFF_BASE_FAIL = 'B',
};

struct diff_res {
	char kind;
	uint32_t n;
	uint64_t q;
};

/** The VMX operations a case uses (VMCS in the current CPU). */
struct diff_ops {
	void *ctx;
	struct diff_res (*vmxon)(void *ctx, uint64_t pa);
	struct diff_res (*vmxoff)(void *ctx);
	struct diff_res (*vmclear)(void *ctx, uint64_t pa);
	struct diff_res (*vmptrld)(void *ctx, uint64_t pa);
	struct diff_res (*vmptrst)(void *ctx, uint64_t *pa);
	struct diff_res (*vmread)(void *ctx, uint64_t enc, uint64_t *val);
	struct diff_res (*vmwrite)(void *ctx, uint64_t enc, uint64_t val);
	/** VMLAUNCH (resume = false) or VMRESUME; E/X/I/V. */
	struct diff_res (*enter)(void *ctx, bool resume);
	/** Zeroes every page of env, writes the revisions and MSR lists. */
	void (*reset_pages)(void *ctx, const struct diff_env *env);
};

/** Case kinds (the first character of a case's description). */
enum diff_case_kind {
	DIFF_CASE_MUTATE, /**< 1-3 field/control mutations, then VMLAUNCH. */
	DIFF_CASE_PTRLD,  /**< VMPTRLD of a chosen operand. */
	DIFF_CASE_CLEAR,  /**< VMCLEAR of a chosen operand. */
	DIFF_CASE_READ,	  /**< VMREAD of a chosen field. */
	DIFF_CASE_WRITE,  /**< VMWRITE of a chosen field, then VMREAD. */
	DIFF_CASE_STATE,  /**< VMLAUNCH/VMRESUME launch-state sequences. */
	DIFF_CASE_NOCUR,  /**< Instructions without a current VMCS. */
	DIFF_CASE_VMXON,  /**< VMXON in VMX root; VMXOFF and #UD outside. */
	DIFF_CASE_KINDS
};

/** One mutation: field and value written after the base. */
struct diff_mut {
	uint32_t enc;
	uint64_t val;
};

/** A generated case. */
struct diff_case {
	enum diff_case_kind kind;
	unsigned variant;
	unsigned nmut;
	struct diff_mut mut[3];
	uint64_t op;	/**< Operand (address, field encoding). */
	uint64_t value; /**< VMWRITE value. */
};

/** Index of capability MSR @p msr in env->msr. */
static inline unsigned diff_msr_index(uint32_t msr)
{
	return msr - DIFF_MSR_FIRST;
}

/** The VMCS revision identifier of env (IA32_VMX_BASIC[30:0]). */
uint32_t diff_revision(const struct diff_env *env);

/** True if the CPU has the VMX-preemption timer (pin-based allowed-1 bit 6). */
bool diff_has_preempt_timer(const struct diff_env *env);

/** Fills the two pages of MSR lists at env->pa_msr (1024 u64). */
void diff_fill_msr_area(const struct diff_env *env, uint64_t *e);

/** Generates case @p index of the stream of @p seed. */
void diff_generate(const struct diff_env *env, uint64_t seed, uint64_t index,
		   struct diff_case *out);

/**
 * Runs @p c through @p ops: prologue (VMCLEAR both VMCSs, reset the pages,
 * VMPTRLD, write the base), then the case's steps. Returns the number of
 * outcomes in @p res (at most DIFF_MAX_STEPS).
 */
unsigned diff_execute(const struct diff_env *env, const struct diff_case *c,
		      const struct diff_ops *ops, struct diff_res *res);

/**
 * Formats outcomes as one token ("S/V7/E33.0"), NUL-terminated, into @p buf
 * (@p size bytes). Returns the length.
 */
size_t diff_format(const struct diff_res *res, unsigned n, char *buf,
		   size_t size);

/** Describes @p c in words ("mutate GUEST_CR0=0x..."), for reports. */
size_t diff_describe(const struct diff_case *c, char *buf, size_t size);

/** Name of a VMCS field encoding, or NULL if unknown. */
const char *diff_field_name(uint32_t enc);

#endif /* FLANK_DIFFCASE_H */
