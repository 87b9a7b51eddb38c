/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A fake kernel for the driver core: CPUs that can be online or offline
 * with scripted identification, user memory as plain pointers with a
 * scripted bad address, memory with fault injection, image memory mapped
 * twice like the module does (memfd, a RW alias and a final mapping whose
 * pages get mprotect'ed R, RW or RX), and a captured log. Also a fake VMM
 * image whose entry table is C functions of this file, and a fake link
 * function that "links" it.
 */
#ifndef FAKE_PLATFORM_H
#define FAKE_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "flank/vmm_ring.h"
#include "flank_core.h"

#define FAKE_MAX_CPUS 8u
/** Kernel log lines the fake keeps whole. */
#define FAKE_LOG_KEPT 64u
/** A user address whose copy always faults. */
#define FAKE_BAD_ADDR 0xdead000ull

struct fake_platform {
	uint32_t ncpus;
	bool online[FAKE_MAX_CPUS];
	struct flank_cpu_probe probe[FAKE_MAX_CPUS];
	uint32_t current_cpu;
	bool capable;
	int lock_depth;	 /**< Must be 0 or 1. */
	int lock_errors; /**< Recursive or unbalanced lock use. */
	/**
	 * copy_from_user/copy_to_user calls made while ops->lock was held:
	 * must stay 0 (a user page that faults slowly, userfaultfd say,
	 * would stall everyone waiting for the lock, CPU hotplug included).
	 */
	int user_copies_locked;
	int reschedules;   /**< ops->resched calls. */
	int allocs;	   /**< Live allocations (alloc - free). */
	int alloc_fail_in; /**< Fail the Nth next alloc (0 = never). */
	int pages;	   /**< Live platform pages. */
	int image_maps;	   /**< Live image mappings. */
	int log_lines;
	char last_log[256];
	/** The first FAKE_LOG_KEPT lines and their levels, in order. */
	char log[FAKE_LOG_KEPT][256];
	enum flank_log_level log_level[FAKE_LOG_KEPT];
	/**
	 * When set, image_release unmaps only the writable alias and leaves
	 * the final mapping (with its last permissions) in kept_final /
	 * kept_bytes, so a test can look at an image after unlink; the test
	 * unmaps it.
	 */
	bool keep_released_image;
	/* What ops->ibt_enabled reports: a kernel that enforces IBT. */
	bool ibt;
	/* ops->pin_module calls: the module could never be unloaded again. */
	int pins;
	void *kept_final;
	size_t kept_bytes;
	/** ops->invalidate_tss_limit calls, by the CPU they ran on. */
	int tss_invalidated[FAKE_MAX_CPUS];
	/**
	 * HOST_CR3 as the fake kernel has it: every address is mapped except
	 * the 4 KiB page at unmapped_va (0: none), as if it lay in memory
	 * hot-added after the last copy of the top-level entries.
	 */
	uint64_t unmapped_va;
	/** host_cr3_refresh maps unmapped_va (the kernel's table has it). */
	bool refresh_maps;
	int refreshes;	    /**< host_cr3_refresh calls. */
	int unmap_alloc_in; /**< The Nth next page_alloc is unmapped (0: never). */
	int refreshes_live; /**< Refreshes while a fake CPU ran (must be 0). */
	/**
	 * The fake keyring: bit k set = key k is trusted. ops->verify_sig
	 * takes a fake PKCS#7 message (fake_sign) naming its key and holding
	 * a digest of the bytes it signs.
	 */
	uint32_t trusted_keys;
	int verifies; /**< ops->verify_sig calls. */
	/**
	 * ops->verify_sig calls made while ops->lock was held: must stay 0
	 * (the kernel's PKCS#7 check of a file of up to 16 MiB would hold
	 * up everyone waiting for the lock, CPU hotplug included).
	 */
	int verifies_locked;
	size_t verified_len;   /**< Bytes the last verify_sig covered. */
	uint32_t sig_required; /**< What ops->sig_required reports. */
	int taints;	       /**< ops->taint_unsigned calls. */
	/**
	 * The fake's physical memory for ops->phys_copy: one 4 KiB page of
	 * RAM at FAKE_RAM_PA; every other address is refused.
	 */
	uint8_t ram[4096];
	int phys_copies; /**< ops->phys_copy calls that copied. */
	/**
	 * Host stacks (ops->stack_alloc): each is the upper page of an 8 KiB
	 * block whose lower page, the guard, host_cr3_maps reports unmapped
	 * (stack_guard[]), unless stack_guard_mapped (a broken kernel side).
	 */
	int stacks_live;   /**< stack_alloc - stack_free. */
	int stack_fail_in; /**< The Nth next stack_alloc fails (0: never). */
	bool stack_guard_mapped;
	uint64_t stack_guard[2 * FAKE_MAX_CPUS]; /**< Unmapped guard pages. */
	/** ops->crash_hook: refuse to install (the slot is KVM's). */
	bool crash_hook_refused;
	bool crash_hooked; /**< The kernel's callback is the driver's. */
	int crash_hooks;   /**< Successful installs. */
	int crash_unhooks; /**< Removals. */
};

/** Physical address of fake.ram. */
#define FAKE_RAM_PA 0x100000ull

extern struct fake_platform fake;
extern const struct flank_core_ops fake_ops;

/** Length of a fake PKCS#7 message: "FKP7", key number, 8-byte digest. */
#define FAKE_SIG_LEN 13u
/**
 * Writes @p elf (@p len bytes) signed by fake key @p key to @p out, in the
 * kernel module format (fake PKCS#7, struct module_signature, magic).
 * Returns the signed file's length, 0 if @p cap is too small.
 */
size_t fake_sign(uint8_t *out, size_t cap, const void *elf, size_t len,
		 uint8_t key);

/** Resets the fake to @p ncpus online Intel CPUs with VT-x. */
void fake_reset(uint32_t ncpus);
/** Makes every CPU look like an AMD CPU without VT-x. */
void fake_no_vmx(void);

/* The fake VMM. ------------------------------------------------------- */

struct fake_vmm {
	struct flank_image_entry entry; /**< What the fake link publishes. */
	const struct flank_platform *platform;
	enum flank_vmm_state state;
	bool running[FAKE_MAX_CPUS];
	uint64_t exits[FAKE_MAX_CPUS];
	/** Dropped writes to hidden pages (flank_exit_stats.hidden_writes). */
	uint32_t hidden_writes[FAKE_MAX_CPUS];
	int init_rc, fini_rc, start_rc, stop_rc, cpu_rc, check_rc;
	uint32_t fail_cpu;    /**< start_all fails here if start_rc. */
	uint32_t check_count; /**< Items check reports. */
	size_t ring_extra;    /**< ring_read claims this many extra bytes. */
	int inits, finis, starts, stops;
	int link_rc; /**< What fake_link returns. */
	int links, unlinks;
	size_t linked_size0; /**< Size of module 0 as the last link saw it. */
	bool null_entry;     /**< fake_link publishes no entry table. */
	void *ring; /**< ring_mem the last init got (formatted by it). */
	uint64_t ring_size;	/**< ring_size the last init got. */
	int ring_frees;		/**< ops->free calls on that ring. */
	int ring_frees_at_fini; /**< ring_frees when fini ran. */
	/**
	 * When set before load, init builds libvmm's real debug ring in
	 * ring_mem and ring_read is libvmm's text reader on it (records
	 * written with fake_vmm_log); else ring_read serves a fixed text.
	 */
	bool real_ring;
	struct vmm_ring *vring;
	/** Pages init takes from page_alloc (fini gives them back). */
	uint32_t init_pages;
	void *init_page[4];
	/** start_one takes a page per CPU (a VMCS, say); stop gives it back. */
	bool cpu_pages;
	void *cpu_page[FAKE_MAX_CPUS];
	/** start_one asks flank_platform.host_stack for its CPU's stack. */
	void *stack[FAKE_MAX_CPUS];
	/** crash_cpu calls per CPU, and those that found the CPU running. */
	int crash_calls[FAKE_MAX_CPUS];
	int crashed[FAKE_MAX_CPUS];
};

extern struct fake_vmm vmm;

/** Resets the fake VMM to a valid image that succeeds at everything. */
void fake_vmm_reset(void);
int fake_link(struct flank_core *core, struct flank_ioc_err *err);
void fake_unlink(struct flank_core *core);

/**
 * The fake image logs like libvmm's vmm_log(): the line goes into the real
 * ring (real_ring) from CPU @p cpu, and, unless @p in_exit_handler (VMX
 * root: the ring only), to the platform's log.
 */
void fake_vmm_log(uint32_t cpu, enum flank_log_level level, const char *line,
		  bool in_exit_handler);

/** Index of the first kept log line containing @p needle at or after
 * @p from, or -1. */
int fake_log_find(const char *needle, int from);

/** True if @p va is one of the fake's unmapped stack guard pages. */
bool fake_is_guard(uint64_t va);

/**
 * The fake kernel crashes: runs the driver's crash callback (if installed)
 * on every online CPU, as the kernel's NMI shootdown does.
 */
void fake_crash(struct flank_core *core);

/** Number of running CPUs according to the fake VMM. */
uint32_t fake_vmm_running(void);

/**
 * The fake VMM gives @p cpu back on its own, as after an exit it cannot
 * handle: on that CPU, outside any driver call, it stops running there
 * and tells the platform (flank_platform.cpu_left).
 */
void fake_vmm_leave_cpu(uint32_t cpu);

#endif /* FAKE_PLATFORM_H */
