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
	/** The MTRR (and SMRR) MSRs, set after msrs[] (profiles.c). */
	const struct mock_msr_init *mtrrs;
	unsigned cpuid_count;
	struct mock_cpuid_entry cpuid[MOCK_PROFILE_MAX_CPUID];
	unsigned msr_count;
	/** Includes every IA32_VMX_* capability MSR the CPU has. */
	struct mock_msr_init msrs[MOCK_PROFILE_MAX_MSRS];
	/** What each byte of unmapped physical memory reads as. */
	uint8_t unmapped_byte;
	unsigned mtrr_count; /**< Entries of mtrrs. */
};

/** Looks a profile up by name; NULL if unknown. */
const struct mock_profile *mock_profile_find(const char *name);

/* ------------------------------------------------------------------------ */
/* VMCS storage                                                              */
/* ------------------------------------------------------------------------ */

enum mock_launch_state {
	MOCK_LAUNCH_CLEAR = 0,
	MOCK_LAUNCH_LAUNCHED = 1,
	/*
	 * VMXOFF left the VMCS active (no VMCLEAR first): its launch state
	 * in memory is undefined (SDM Vol. 3C 25.11.1, 31.3 VMXOFF) until
	 * VMCLEAR makes it "clear" again. See vmx.c, vmx_off().
	 */
	MOCK_LAUNCH_UNDEFINED = 2,
};

/*
 * The largest VMCS region the model snapshots (IA32_VMX_BASIC[44:32] is at
 * most 4096, SDM Vol. 3D A.1).
 */
#define MOCK_VMCS_REGION_MAX 4096u

/*
 * The model's implementation-specific format of the VMCS data in the VMCS
 * region (SDM Vol. 3C 25.2: only the first 8 bytes are architectural).
 * VMCLEAR (and VMXOFF, for a VMCS it leaves active) writes the data there;
 * VMPTRLD of a VMCS that is not active reads it back (25.11.3). A zeroed
 * region decodes as a clear VMCS whose fields are all 0.
 *
 *   0  u32  VMCS revision identifier, bit 31 shadow-VMCS indicator (25.2)
 *   4  u32  VMX-abort indicator (25.2, 28.7)
 *   8  u32  launch state: 0 clear, 1 launched, 2 undefined (VMXOFF left
 *           the VMCS active, 25.11.1); any other value reads as undefined
 *  12  u32  0
 *  16  u64  one per component of VMCS_FIELD_LIST, in its order, each
 *           truncated to the component's width
 */
#define MOCK_VMCS_FMT_LAUNCH 8u
#define MOCK_VMCS_FMT_FIELDS 16u
#define MOCK_VMCS_FMT_SIZE (MOCK_VMCS_FMT_FIELDS + 8u * VMCS_FIELD_COUNT)

/*
 * An active VMCS as the processor caches it (SDM Vol. 3C 25.1, 25.11.1):
 * component values by field-table index, the launch state, and the bytes
 * of its region as they were when it became active, so that an ordinary
 * memory write to the region while it is active (undefined, 25.11.1) is
 * detected and reported (mock_undefined). VMPTRLD creates it from the
 * region in memory; VMCLEAR writes it back and forgets it.
 */
struct mock_vmcs {
	uint64_t pa;
	enum mock_launch_state launch;
	uint64_t field[VMCS_FIELD_COUNT];
	/** 1 + id of the CPU the VMCS is active on (VMPTRLD), 0 if none. */
	unsigned active_on;
	/** CPUs whose current-VMCS pointer points here. */
	unsigned current_on;
	/** Bytes of the region compared by mock_vmcs_region_check. */
	unsigned image_len;
	/** Shadow-VMCS indicator read by VMPTRLD (SDM Vol. 3C 25.2). */
	bool shadow;
	/** The region was written while active: reported once. */
	bool image_reported;
	struct mock_vmcs *next, *prev;
	uint8_t image[MOCK_VMCS_REGION_MAX];
};

/**
 * Decodes the region of @p v (at v->pa) into @p v: fields, launch state,
 * shadow indicator, and the image used to detect writes while active.
 */
void mock_vmcs_load_region(struct mock_vmcs *v);

/**
 * Writes the data of @p v to its region in the model's format, with
 * launch state @p launch (SDM Vol. 3C 25.11.3 VMCLEAR; 25.11.1 VMXOFF).
 */
void mock_vmcs_store_region(const struct mock_vmcs *v,
			    enum mock_launch_state launch);

/**
 * Reports (once per activation) an ordinary memory write to the region of
 * the active VMCS @p v since it became active: undefined (SDM Vol. 3C
 * 25.11.1). The processor keeps using its cached data. True if written.
 */
bool mock_vmcs_region_check(struct mock_vmcs *v);

/** Forgets the cached VMCS @p v (it is neither active nor current). */
void mock_vmcs_drop(struct mock_vmcs *v);

/**
 * Reports undefined behaviour of the code under test (SDM text that says
 * "undefined" or "unpredictable"): counted, and unless the test allowed
 * it (mock_allow_undefined), the exception handler fails the test.
 */
void mock_undefined(const char *rule, const char *message);

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
#define MOCK_GDT_ENTRIES 32u

struct mock_cpu {
	/* Ordered by alignment (8-byte, structures, 4-byte, bools): no padding
	 * (clang-tidy optin.performance.Padding). */
	uint64_t vmxon_ptr;   /**< Valid in VMX operation. */
	uint64_t current_ptr; /**< All ones when there is no current VMCS. */
	/* Added by the core (state.c): instruction and stack pointer. */
	uint64_t rip, rsp;
	/** Cached VMCS at current_ptr (NULL when none or not yet created). */
	struct mock_vmcs *cur_vmcs;
	/** Rule of the last VMX instruction outcome ("VMPTRLD.fail_revision"). */
	const char *last_rule;
	/**
	 * Pending debug exceptions at the last successful VM entry, and
	 * whether that entry delivered them as a #DB (SDM Vol. 3C 27.7.3)
	 * with which DR6 bits (B3-B0, BS): debug_trap below.
	 */
	uint64_t entry_pending_dbg;
	uint64_t debug_trap_dr6;
	/** GS log (mock_gs_log_clear()): last values logged; see gs_log_on. */
	uint64_t gs_last, kgs_last;

	struct mock_entry_verdict last_entry;
	/* Saved by a successful entry for the "guest" side of the model. */
	struct intrin_gprs guest_gprs;
	/** The modelled GDT (descriptors by index), see desc.c. */
	uint64_t gdt[MOCK_GDT_ENTRIES];
	struct mock_cpu_regs regs;
	struct mock_gs_event gs_log[MOCK_GS_LOG_MAX];
	struct mock_msr msr[MOCK_MAX_MSRS];

	unsigned id;
	unsigned msr_count;
	unsigned cpuid_count;
	enum mock_vmx_mode vmx;
	unsigned guest_cpl;
	/**
	 * Nesting depth of the exit entry's calls into the handlers (what
	 * runs on the host stack in VMX root after a VM exit), for
	 * mock_in_exit_handler().
	 */
	unsigned in_exit_handler;
	/** VMCSs active on this CPU (active_on == id + 1): VMXOFF walks the
	 * VMCS list only when there are some. */
	unsigned nactive;
	/** Event injected by the last successful VM entry (0 if none). */
	uint32_t injected_info, injected_error_code;
	/** Activity state of the guest (SDM Vol. 3C 25.4.2), see launch.c. */
	uint32_t activity;
	/** Cache of the VMCS features the capability MSRs report. */
	uint32_t feat_mask;
	/** GS log: events recorded. */
	unsigned gs_log_len;
	struct mock_cpuid_entry cpuid[MOCK_MAX_CPUID];

	bool blocked_by_mov_ss;
	/** The last VMXOFF failed: an exit handler may then leave in root. */
	bool vmxoff_failed;
	/** The last successful VM entry delivered a #DB (entry_pending_dbg). */
	bool debug_trap;
	bool halted;
	/** Left VMX into intrin_cpu_park (halted, IF = 0, for good). */
	bool parked;
	bool feat_valid;
	/** GS log (mock_gs_log_clear()): on, and events lost (log full). */
	bool gs_log_on, gs_log_lost;
};

/**
 * A hash table from a 4 KiB-aligned address (a page or a VMCS) to a pointer
 * (index.c). Zero-initialised is empty. Put, get and delete are O(1) on
 * average.
 */
struct mock_index {
	uint64_t *key; /**< The key plus one; 0: a free slot. */
	void **val;
	size_t cap; /**< A power of two, or 0. */
	size_t n;
};

/** Maps @p key to @p val, replacing an existing entry. */
void mock_index_put(struct mock_index *ix, uint64_t key, void *val);
/** The value of @p key, or NULL. */
void *mock_index_get(const struct mock_index *ix, uint64_t key);
/** Removes @p key if present. */
void mock_index_del(struct mock_index *ix, uint64_t key);
/** Frees the table; @p ix is empty again. */
void mock_index_free(struct mock_index *ix);

/** Model-wide state. */
struct mock_machine {
	const struct mock_profile *profile;
	unsigned ncpus;
	unsigned current;
	struct mock_cpu *cpu;	      /**< ncpus entries. */
	struct mock_vmcs *vmcs_list;  /**< Every VMCS, doubly linked. */
	struct mock_index vmcs_by_pa; /**< The same VMCSs by address. */
	unsigned phys_width;
	/** Unmapped physical memory reads as this byte (profile default). */
	uint8_t unmapped_byte;
	/* The hypervisor below ours, or NULL (mock_set_outer_vmm). */
	mock_outer_vmm_fn outer_vmm;
	void *outer_vmm_ctx;
	unsigned outer_vmm_calls;
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

/* ------------------------------------------------------------------------ */
/* Core helpers (state.c, faults.c, vmx.c, launch.c, exits.c)              */
/* ------------------------------------------------------------------------ */

/** True if the profile has VMCS components gated by @p feature. */
bool mock_vmcs_feature_supported(const struct mock_cpu *cpu,
				 enum vmcs_feature feature);

/** The VMCS at @p pa, created (launch state clear, all fields 0) if new. */
struct mock_vmcs *mock_vmcs_get_or_create(uint64_t pa);

/**
 * Makes @p pa (all ones: none) the current-VMCS pointer of @p c, keeping
 * current_ptr, cur_vmcs and the VMCSs' current_on counts in step.
 */
void mock_vmcs_set_current(struct mock_cpu *c, uint64_t pa);

/** Makes @p v active on @p c (c NULL: on no CPU), keeping nactive counts. */
void mock_vmcs_set_active(struct mock_vmcs *v, struct mock_cpu *c);

/**
 * Forgets the VMCSs in [@p pa, @p pa + @p size) that no CPU holds active:
 * their memory was unmapped (mock_mem_unmap), and physical addresses are
 * never handed out again, so nothing can reach them any more.
 */
void mock_vmcs_forget_range(uint64_t pa, size_t size);

/**
 * Fault injection and bookkeeping around one intrinsic: counts the call,
 * consults mock_fail_nth()/mock_fail_when() and, if armed, returns true with
 * the injected outcome in @p out. mock_record() appends the call to the
 * trace with its final outcome.
 */
bool mock_fault_check(enum mock_op op, uint64_t a0, uint64_t a1,
		      vmx_result_t *out);

/**
 * Appends an event named @p what to @p cpu's GS log if its log is on and
 * the GS base or IA32_KERNEL_GS_BASE changed since the last event.
 * mock_record() calls it after every intrinsic; VM exits and entries call
 * it themselves.
 */
void mock_gs_note(struct mock_cpu *cpu, const char *what);
void mock_record(enum mock_op op, uint64_t a0, uint64_t a1, vmx_result_t result,
		 bool injected);

/**
 * Reports a model violation: something no real CPU would do for the code
 * under test (HOST_RIP not the exit entry, LEAVE while still in VMX, a
 * VMX abort). Calls the exception handler with @p rule; never returns
 * control to a "success" path.
 */
void mock_violation(const char *rule, const char *message);

/*
 * Runs the exit entry for a VM-entry failure (exit reason bit 31) of
 * vmx_launch_here() that wrote @p guest_rsp to GUEST_RSP: the handler must
 * continue at intrin_launch_here_entry_failed in VMX root. False (after a
 * violation) if it did not; true also when no handler is linked.
 */
bool mock_launch_here_entry_failure(struct mock_cpu *c, uint64_t guest_rsp);

/**
 * Loads the MSRs of the VM-exit MSR-load area of @p vmcs (SDM Vol. 3C
 * 28.6); a failing entry is a VMX abort (28.7), reported as a violation.
 * Also used by VM-entry failures after guest-state loading began (27.8).
 */
void mock_exit_load_msrs(struct mock_cpu *cpu, const struct mock_vmcs *vmcs);

/** Loads host state from @p vmcs into @p cpu (SDM Vol. 3C 28.5). */
void mock_load_host_state(struct mock_cpu *cpu, const struct mock_vmcs *vmcs);

/** Loads guest state from @p vmcs into @p cpu (SDM Vol. 3C 27.3.2). */
void mock_load_guest_state(struct mock_cpu *cpu, const struct mock_vmcs *vmcs);

/** Saves guest state of @p cpu into @p vmcs (SDM Vol. 3C 28.3). */
void mock_save_guest_state(const struct mock_cpu *cpu, struct mock_vmcs *vmcs);

/**
 * VMLAUNCH (@p launch) or VMRESUME on the current CPU in VMX root, without
 * fault injection or trace: the instruction itself (SDM Vol. 3C 31.3).
 * An entry failure while loading guest state yields VMX_FAIL_VALID 0.
 */
vmx_result_t mock_do_vmentry(struct mock_cpu *cpu, bool launch);

/** Reads or writes a segment of the CPU; FS/GS bases alias their MSRs. */
uint64_t mock_efer(const struct mock_cpu *cpu);

/** True if the CPU executes in 64-bit mode (EFER.LMA and CS.L). */
bool mock_in_64bit(const struct mock_cpu *cpu);

/** Instruction-level exit used by the intrinsics in VMX non-root. */
struct mock_guest_insn {
	uint32_t reason;
	uint64_t qualification;
	uint32_t len, info;
	struct intrin_gprs gprs; /**< In: registers at the exit; out: after. */
};

/**
 * Delivers an instruction VM exit for an intrinsic executed in VMX
 * non-root. Returns 0 when the guest continues after the handler resumed
 * it (gprs updated), 1 when the handler left VMX (the code continues as
 * the former guest, outside VMX), -1 on a model violation.
 */
int mock_guest_insn_exit(struct mock_guest_insn *insn,
			 struct mock_exit_outcome *out);

/**
 * After a guest instruction exit: if the resuming entry injected a
 * hardware exception, returns its vector, else -1.
 */
int mock_injected_exception(const struct mock_cpu *cpu);

/** MSR access as the CPU performs it (no exits): 0 or 13 for #GP. */
int mock_msr_read_raw(struct mock_cpu *cpu, uint32_t msr, uint64_t *value);
int mock_msr_write_raw(struct mock_cpu *cpu, uint32_t msr, uint64_t value);

/** Sets an MSR value in the file, creating the entry if needed. */
void mock_msr_put(struct mock_cpu *cpu, uint32_t msr, uint64_t value);

/** SDM Vol. 3C 26.1.3: does RDMSR/WRMSR of @p msr exit in non-root? */
bool mock_msr_intercepted(struct mock_cpu *cpu, uint32_t msr, bool write);

/** Reset hooks of the model's files, called by mock_init()/mock_fini(). */
void mock_faults_reset(void);
void mock_mem_reset(void);
void mock_io_reset(void);

/** True if [@p va, @p va + @p len) is host memory given to mock_mem_map(). */
bool mock_mem_host_range_mapped(uint64_t va, size_t len);

/** The exception bitmap etc.: the current VMCS field, 0 without one. */
uint64_t mock_cur_field(struct mock_cpu *cpu, uint32_t enc);

/**
 * SDM Vol. 3C 26.1.3: does VMREAD (VMWRITE if @p write) of @p field in
 * VMX non-root exit? False: it accesses the shadow VMCS (vmx.c).
 */
bool mock_vmcs_shadow_exits(struct mock_cpu *c, uint64_t field, bool write);

/** Primary/secondary controls in effect (secondary 0 unless activated). */
uint32_t mock_proc_ctls(struct mock_cpu *cpu);
uint32_t mock_proc2_ctls(struct mock_cpu *cpu);

#endif /* FLANK_MOCK_INTERNAL_H */
