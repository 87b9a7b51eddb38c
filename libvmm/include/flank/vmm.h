/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file vmm.h
 * The public interface of libvmm, the VMM core: bind a platform, check the
 * CPU, virtualise every CPU and give every CPU back exactly as it was.
 *
 * Callers serialise the state-changing functions (init, fini, start_all,
 * stop_all, start_cpu, stop_cpu): the Linux driver holds one mutex around
 * them. Each per-CPU step runs on its CPU through platform->run_on_cpu with
 * preemption and interrupts disabled. See docs/lifecycle.md.
 */
#ifndef FLANK_VMM_H
#define FLANK_VMM_H

#include <stdbool.h>
#include <stdint.h>

#include "flank/image_abi.h"
#include "flank/vmm_extension.h"
#include "flank/vmm_status.h"

/** Most CPUs libvmm manages (the per-CPU pointer table is this long). */
#define VMM_MAX_CPUS 512u

/** Pages libvmm allocates per running CPU (see docs/lifecycle.md). */
#define VMM_PAGES_PER_CPU 5u

/**
 * Pages libvmm allocates at init and frees at fini: the table of the CPUs'
 * pointers (VMM_MAX_CPUS of them fill one page), kept out of the image's
 * .bss (issue #6, docs/loader.md), and the answer page of the host's
 * calls from a CPU under Flank (query.c, docs/hypercalls.md).
 */
#define VMM_PAGES_AT_INIT 2u

/** Identifiers of the compatibility checks, in report order. */
enum vmm_check_id {
	VMM_CHECK_VMX_CPUID = 0,
	VMM_CHECK_LONG_MODE,
	VMM_CHECK_FEATURE_CONTROL,
	VMM_CHECK_VMX_BASIC,
	VMM_CHECK_PHYS_WIDTH,
	VMM_CHECK_FIXED_BITS,
	VMM_CHECK_VMX_FREE,
	VMM_CHECK_CONTROLS,
	VMM_CHECK_COUNT
};

/**
 * Binds @p platform (copied) and moves UNLOADED → LOADED. Checks the ABI
 * version and size, that every required function is present and that the
 * CPU count is within VMM_MAX_CPUS.
 */
int vmm_init(const struct flank_platform *platform);

/** Releases the platform; LOADED → UNLOADED, refused in any other state. */
int vmm_fini(void);

/** The state of the VMM. */
enum flank_vmm_state vmm_state(void);

/**
 * Runs every compatibility check on the calling CPU and fills @p report
 * with one item per check (all of them, not only the first failure).
 * Changes no CPU state: an unlocked IA32_FEATURE_CONTROL is reported as
 * "will be locked at start" and only vmm_start_*() writes it. Returns
 * VMM_OK if every check passed, else the status of the first failed one.
 * Works in any state except UNLOADED.
 */
int vmm_check(struct flank_check_report *report);

/**
 * Virtualises every online CPU (LOADED → RUNNING). On a failure on CPU k,
 * CPUs 0..k-1 are stopped again, *@p failed_cpu = k and the first error is
 * returned; the machine is then exactly as before (IA32_FEATURE_CONTROL
 * excepted: once locked it stays locked until reset, as with KVM).
 * Offline CPUs (run_on_cpu < 0) are skipped; vmm_start_cpu() starts them.
 */
int vmm_start_all(uint32_t *failed_cpu);

/**
 * Devirtualises every running CPU (RUNNING → STOPPING → LOADED). If a CPU
 * cannot be stopped the state becomes CORRUPT and the image must not be
 * unloaded (its pages are still in use).
 */
int vmm_stop_all(void);

/** Virtualises the calling CPU (hotplug); only in state RUNNING. */
int vmm_start_cpu(void);

/** Devirtualises the calling CPU (hotplug); only in state RUNNING. */
int vmm_stop_cpu(void);

/**
 * The kernel is crashing: the calling CPU leaves VMX operation now, without
 * a lock, a log line, an allocation or a state change (image_abi.h,
 * flank_image_entry.crash_cpu; docs/lifecycle.md, "Crash and kdump").
 */
int vmm_crash_cpu(void);

/** Status of CPU @p cpu. */
int vmm_cpu_status(uint32_t cpu, struct flank_cpu_status *out);

/** Exit statistics of CPU @p cpu (valid while it runs). */
int vmm_exit_stats(uint32_t cpu, struct flank_exit_stats *out);

/**
 * The last VM-entry failure seen during a start (one record: start stops at
 * the first failure), if it happened on CPU @p cpu: the outcome,
 * VM-instruction error, exit reason (bit 31 set) and qualification.
 */
struct vmm_entry_failure {
	uint32_t outcome;     /**< enum vmx_outcome of the launch. */
	uint32_t error;	      /**< VM-instruction error number. */
	uint32_t exit_reason; /**< Exit reason, bit 31 set for entry failure. */
	uint32_t reserved;    /**< 0. */
	uint64_t qualification; /**< Exit qualification of the failure. */
};

/** Copies the last VM-entry failure of @p cpu; VMM_ERR_BAD_ARGUMENT if none. */
int vmm_last_entry_failure(uint32_t cpu, struct vmm_entry_failure *out);

/**
 * The image entry table (flank/image_abi.h), exported from vmm.elf under
 * FLANK_IMAGE_ENTRY_SYMBOL; declared here for hosts that link libvmm.a.
 */
extern const struct flank_image_entry flank_image_entry;

/** Readable name of VM-instruction error @p error (SDM Vol. 3C 31.4). */
const char *vmm_vmx_error_name(uint32_t error);

#endif /* FLANK_VMM_H */
