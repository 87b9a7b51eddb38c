/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal state of the emulated VT-x, shared by its files: the CPU model
 * (state.c, vmx.c, cpu.c), the VM-entry checks (entry_*.c), exit synthesis
 * (exits.c) and the scenario runner (scenario*.c). Not for tests: they use
 * flank/mock.h.
 */
#ifndef FLANK_MOCK_INTERNAL_H
#define FLANK_MOCK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/intrinsics.h"
#include "flank/mock.h"

/* ------------------------------------------------------------------------ */
/* Profiles: published capability values of real processors (profiles.c)   */
/* ------------------------------------------------------------------------ */

struct mock_cpuid_entry {
	uint32_t leaf, subleaf;
	struct cpu_cpuid_regs regs;
};

struct mock_msr_init {
	uint32_t index;
	uint64_t value;
};

#define MOCK_PROFILE_MAX_CPUID 48u
#define MOCK_PROFILE_MAX_MSRS 48u

struct mock_profile {
	const char *name;
	const char *source; /**< Where the numbers come from. */
	unsigned cpuid_count;
	struct mock_cpuid_entry cpuid[MOCK_PROFILE_MAX_CPUID];
	unsigned msr_count;
	/** Includes every IA32_VMX_* capability MSR the CPU has. */
	struct mock_msr_init msrs[MOCK_PROFILE_MAX_MSRS];
};

/** Looks a profile up by name; NULL if unknown. */
const struct mock_profile *mock_profile_find(const char *name);

/* ------------------------------------------------------------------------ */
/* VMCS storage                                                              */
/* ------------------------------------------------------------------------ */

enum mock_launch_state {
	MOCK_LAUNCH_CLEAR = 0,
	MOCK_LAUNCH_LAUNCHED = 1,
};

/*
 * A VMCS as the model keeps it: component values by field-table index,
 * outside the guest-visible region (whose layout is implementation-specific;
 * only the revision identifier and shadow bit at offset 0 are
 * architectural). A VMCS exists once VMCLEAR or VMPTRLD has touched its
 * address (SDM Vol. 3C 25.1 "active" VMCSs).
 */
struct mock_vmcs {
	uint64_t pa;
	enum mock_launch_state launch;
	uint64_t field[VMCS_FIELD_COUNT];
	struct mock_vmcs *next;
};

/** Index of @p enc in VMCS_FIELD_LIST (full encoding), or -1. */
int mock_vmcs_field_index(uint32_t enc);

/** Value of component @p enc of @p vmcs (0 for unknown encodings). */
uint64_t mock_vmcs_get(const struct mock_vmcs *vmcs, uint32_t enc);

/** Sets component @p enc, truncated to its width. */
void mock_vmcs_set(struct mock_vmcs *vmcs, uint32_t enc, uint64_t value);

/* ------------------------------------------------------------------------ */
/* CPUs                                                                      */
/* ------------------------------------------------------------------------ */

struct mock_msr {
	uint32_t index;
	uint64_t value;
	bool gp_read, gp_write;
	bool present;
};

#define MOCK_MAX_MSRS 128u
#define MOCK_MAX_CPUID 64u

struct mock_cpu {
	unsigned id;
	struct mock_cpu_regs regs;
	unsigned msr_count;
	struct mock_msr msr[MOCK_MAX_MSRS];
	unsigned cpuid_count;
	struct mock_cpuid_entry cpuid[MOCK_MAX_CPUID];

	enum mock_vmx_mode vmx;
	uint64_t vmxon_ptr;   /**< Valid in VMX operation. */
	uint64_t current_ptr; /**< All ones when there is no current VMCS. */
	bool blocked_by_mov_ss;
	unsigned guest_cpl;

	struct mock_entry_verdict last_entry;
	/* Saved by a successful entry for the "guest" side of the model. */
	struct intrin_gprs guest_gprs;
};

/** Model-wide state. */
struct mock_machine {
	const struct mock_profile *profile;
	unsigned ncpus;
	unsigned current;
	struct mock_cpu *cpu; /**< ncpus entries. */
	struct mock_vmcs *vmcs_list;
	unsigned phys_width;
};

extern struct mock_machine mock_machine;

/** The CPU executing the intrinsics. */
struct mock_cpu *mock_cur(void);

/** The current VMCS of @p cpu, or NULL. */
struct mock_vmcs *mock_current_vmcs(struct mock_cpu *cpu);

/** Finds the VMCS at physical address @p pa, or NULL. */
struct mock_vmcs *mock_vmcs_find(uint64_t pa);

/** MSR lookup; NULL if absent. Does not consult injection. */
struct mock_msr *mock_msr_find(struct mock_cpu *cpu, uint32_t index);

/** Value of an MSR of @p cpu, 0 when absent (capability MSRs are present). */
uint64_t mock_msr_value(const struct mock_cpu *cpu, uint32_t index);

/** CPUID answer of @p cpu as the model's CPUID instruction computes it. */
void mock_cpuid_query(const struct mock_cpu *cpu, uint32_t leaf,
		      uint32_t subleaf, struct cpu_cpuid_regs *out);

/** Reads @p len bytes of physical memory; false if any byte is unmapped. */
bool mock_mem_read(uint64_t pa, void *buf, size_t len);

/** Writes @p len bytes of physical memory; false if any byte is unmapped. */
bool mock_mem_write(uint64_t pa, const void *buf, size_t len);

/** True if @p pa lies beyond the physical-address width. */
bool mock_pa_too_wide(uint64_t pa);

/** Canonical 48-bit (or 57-bit with CR4.LA57) linear address check. */
bool mock_is_canonical(uint64_t la);

/**
 * Raises exception @p vector for @p op, naming @p rule. Unless expected,
 * calls the exception handler (which fails the test). Returns the
 * VMX_EXCEPTION result to hand back to the caller.
 */
vmx_result_t mock_raise(enum mock_op op, uint32_t vector, const char *rule,
			const char *message);

/** Sets VMfailInvalid, VMfailValid(n) (writes the error field) or success. */
vmx_result_t mock_vm_succeed(struct mock_cpu *cpu);
vmx_result_t mock_vm_fail_invalid(struct mock_cpu *cpu);
vmx_result_t mock_vm_fail_valid(struct mock_cpu *cpu, uint32_t error);

/* ------------------------------------------------------------------------ */
/* VM-entry checks (entry_controls.c, entry_host.c, entry_guest.c,          */
/* entry_msr.c)                                                              */
/* ------------------------------------------------------------------------ */

/**
 * Outcome of one check stage. On failure, rule/citation name the check that
 * fired; for guest-state and MSR-load failures, exit_reason/qualification
 * say what the CPU reports (SDM Vol. 3C 27.8).
 */
struct mock_check_failure {
	const char *rule;
	const char *citation;
	uint32_t exit_reason; /**< 33 or 34 for guest / MSR-load stages. */
	uint64_t qualification;
};

/** SDM Vol. 3C 27.2.1: VMX controls. False → VMfailValid(7). */
bool mock_check_controls(const struct mock_cpu *cpu,
			 const struct mock_vmcs *vmcs,
			 struct mock_check_failure *fail);

/** SDM Vol. 3C 27.2.2-27.2.4: host state. False → VMfailValid(8). */
bool mock_check_host_state(const struct mock_cpu *cpu,
			   const struct mock_vmcs *vmcs,
			   struct mock_check_failure *fail);

/** SDM Vol. 3C 27.3.1: guest state. False → exit 33 (with qualification). */
bool mock_check_guest_state(const struct mock_cpu *cpu,
			    const struct mock_vmcs *vmcs,
			    struct mock_check_failure *fail);

/**
 * SDM Vol. 3C 27.4: VM-entry MSR-load list, checked and applied to @p cpu's
 * MSR file entry by entry. False → exit 34, qualification = 1-based index.
 */
bool mock_entry_load_msrs(struct mock_cpu *cpu, const struct mock_vmcs *vmcs,
			  struct mock_check_failure *fail);

/** Names of every rule the checks can report, NULL-terminated. */
extern const char *const mock_entry_rule_ids[];

#endif /* FLANK_MOCK_INTERNAL_H */
