/* SPDX-License-Identifier: GPL-2.0-only */
/**
 * @file flank_core.h
 * The driver core: state machine, ioctl argument validation and per-CPU
 * orchestration of flank.ko, written without Linux headers so that the very
 * same files compile into the module and into userspace tests against a fake
 * platform (tests/unit/driver_core). The few kernel services it needs come
 * through struct flank_core_ops; the module implements them in
 * driver_linux/kplat.c, the tests in tests/unit/driver_core/fake_platform.c.
 *
 * Locking: every entry point below takes ops->lock (one mutex for every
 * state change) itself, except flank_core_init/fini.
 */
#ifndef FLANK_CORE_H
#define FLANK_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/flank_ioctl.h"
#include "flank/image_abi.h"

/** What the driver finds on one CPU before it lets an image touch VT-x. */
struct flank_cpu_probe {
	char vendor[16];	  /**< CPUID.0 vendor string, NUL-terminated. */
	uint32_t cpuid1_ecx;	  /**< CPUID.1:ECX. */
	uint32_t fc_readable;	  /**< 1 if IA32_FEATURE_CONTROL read fine. */
	uint64_t feature_control; /**< IA32_FEATURE_CONTROL (MSR 0x3A). */
	uint64_t cr4;		  /**< CR4 of that CPU. */
};

/** Final page permissions of an image page (from the loader's map). */
enum flank_page_perm {
	FLANK_PAGE_R = 0,  /**< Read-only, not executable (also holes). */
	FLANK_PAGE_RW = 1, /**< Read-write, not executable. */
	FLANK_PAGE_RX = 2, /**< Read-execute (text). Never writable. */
};

/** Opaque handle of an image mapping (owned by the platform). */
struct flank_image_mem;

/** Kernel services the core uses. Every member is required. */
struct flank_core_ops {
	void *ctx;

	/**
	 * The one mutex of all state changes. @p hotplug is true when called
	 * from a CPU hotplug callback, where the kernel already holds the
	 * hotplug lock for writing: every other path also keeps CPUs from
	 * coming and going while it holds the mutex, so a CPU can never be
	 * started twice (once by start_all, once by its online callback).
	 */
	void (*lock)(void *ctx, bool hotplug);
	void (*unlock)(void *ctx, bool hotplug);

	/** Zeroed bookkeeping memory (may sleep); NULL when out of memory. */
	void *(*alloc)(void *ctx, size_t size);
	void (*free)(void *ctx, void *p);

	/** Copies from/to a user address; 0 on success, else nonzero. */
	int (*copy_from_user)(void *ctx, void *dst, uint64_t src, size_t len);
	int (*copy_to_user)(void *ctx, uint64_t dst, const void *src,
			    size_t len);
	/** True if the caller holds CAP_SYS_ADMIN. */
	bool (*capable)(void *ctx);

	/** Possible CPUs (ids 0 .. n-1), and whether one is online now. */
	uint32_t (*cpu_count)(void *ctx);
	bool (*cpu_online)(void *ctx, uint32_t cpu);
	/** The CPU executing the call (preemption disabled by the caller). */
	uint32_t (*cpu_id)(void *ctx);
	/**
	 * Runs fn(arg) on @p cpu with interrupts disabled and waits; returns
	 * fn's result, or a negative value if the CPU is offline.
	 */
	int (*run_on_cpu)(void *ctx, uint32_t cpu, int (*fn)(void *arg),
			  void *arg);
	/** Reads @p cpu's identification; negative if the CPU is offline. */
	int (*probe_cpu)(void *ctx, uint32_t cpu, struct flank_cpu_probe *out);

	/** The platform's page_alloc/page_free, as image_abi.h describes. */
	void *(*page_alloc)(void *ctx, uint64_t *pa);
	void (*page_free)(void *ctx, void *page);

	/**
	 * Reserves @p npages pages for an image: @p *rw receives a writable,
	 * non-executable alias for loading and relocation, @p *final the
	 * address the image will run at (not accessible until protect).
	 * Returns NULL when out of memory.
	 */
	struct flank_image_mem *(*image_reserve)(void *ctx, size_t npages,
						 void **rw, void **final);
	/**
	 * Applies @p perm[i] to page i of the final mapping and drops the
	 * writable alias. Never makes a page writable and executable.
	 */
	int (*image_protect)(void *ctx, struct flank_image_mem *mem,
			     const uint8_t *perm, size_t npages);
	/** Unmaps and frees everything image_reserve produced. */
	void (*image_release)(void *ctx, struct flank_image_mem *mem);

	/** Log sink: one line, no newline. */
	void (*log)(void *ctx, enum flank_log_level level, const char *line);

	/**
	 * Makes the kernel reload TR before a task's I/O bitmap is used again
	 * on the calling CPU (Linux: invalidate_tss_limit()). Called on a CPU
	 * the image has just given back (flank_platform.cpu_left): after
	 * VMXOFF, interrupts off, in any interrupted kernel context, so it
	 * must not sleep, lock or log.
	 */
	void (*invalidate_tss_limit)(void *ctx);

	/**
	 * True if the kernel runs with CET indirect-branch tracking (IBT)
	 * enforced in ring 0: every indirect CALL or JMP must land on ENDBR64,
	 * in the driver and, with the host's IA32_S_CET, in VMX root too.
	 */
	bool (*ibt_enabled)(void *ctx);

	/**
	 * Lets the scheduler run another task if one is due (Linux:
	 * cond_resched()). The link calls it between modules and every few
	 * hundred symbol lookups, with ops->lock held (a mutex and the
	 * hotplug read lock: sleeping is allowed), so that a large load does
	 * not hog its CPU.
	 */
	void (*resched)(void *ctx);

	/**
	 * Keeps the module that holds these ops in memory until reboot (the
	 * kernel: __module_get(THIS_MODULE), so that rmmod fails with "Module
	 * flank is in use"). The core calls it once, when the driver becomes
	 * CORRUPT: a CPU may then still run under the image, and the image
	 * calls back into the module (the platform table) from VMX root.
	 */
	void (*pin_module)(void *ctx);

	/**
	 * Copies the kernel's top-level page-table entries for kernel
	 * addresses into the HOST_CR3 table again, in place: host_cr3 keeps
	 * its value (an image may hold it). Linux adds a top-level entry for
	 * memory hot-added after the last copy only to the tables on its
	 * pgd_list, which ours is not on. The core calls it under the lock at
	 * every START, while no CPU runs under the image (nothing walks the
	 * table then).
	 */
	void (*host_cr3_refresh)(void *ctx);
	/**
	 * True if the 4 KiB page at kernel address @p va is mapped through
	 * the HOST_CR3 table. Must not sleep: the core calls it from
	 * page_alloc, which the image may call with interrupts disabled.
	 */
	bool (*host_cr3_maps)(void *ctx, uint64_t va);

	/**
	 * Verifies the detached PKCS#7 signature @p sig (@p sig_len bytes)
	 * over @p data (@p len bytes) against every key the driver trusts
	 * (the kernel: verify_pkcs7_signature() with the secondary and the
	 * platform keyring, then flank.ko's built-in keyring). Returns 0 or a
	 * negative errno as verify_pkcs7_signature() does (-ENOKEY: no
	 * trusted key signed it; -EKEYREJECTED / -EBADMSG: it does not verify
	 * or does not parse; -ENOPKG: unsupported algorithm). May sleep.
	 */
	int (*verify_sig)(void *ctx, const void *data, size_t len,
			  const void *sig, size_t sig_len);
	/**
	 * Why the kernel itself demands signed code, as FLANK_SIG_REQ_* bits
	 * (0: it does not): lockdown (security_locked_down
	 * (LOCKDOWN_MODULE_SIGNATURE)) and module.sig_enforce. Asked at every
	 * load, since lockdown can be raised at run time.
	 */
	uint32_t (*sig_required)(void *ctx);
	/**
	 * Taints the kernel as an unsigned module does (the kernel:
	 * add_taint(TAINT_UNSIGNED_MODULE, LOCKDEP_STILL_OK)).
	 */
	void (*taint_unsigned)(void *ctx);

	/**
	 * flank_platform.phys_copy (image_abi.h): copies @p len bytes within
	 * one 4 KiB page between physical address @p pa and @p buf (to memory
	 * if @p write). Called in VMX root, any CPU, interrupts off, with an
	 * address from the guest: validates the page without locks (RAM the
	 * kernel maps), never faults, sleeps or logs. 0, or -1 untouched.
	 */
	int (*phys_copy)(void *ctx, uint64_t pa, void *buf, uint32_t len,
			 bool write);

	/**
	 * A host stack for the VMM (flank_platform.host_stack): one 4 KiB
	 * page, 4 KiB aligned, mapped in the kernel half (so in HOST_CR3),
	 * whose page below is not mapped, in @p *pa its physical address
	 * (the kernel: two pages of vmalloc space, the lower one's PTE
	 * cleared). May sleep; NULL when out of memory.
	 */
	void *(*stack_alloc)(void *ctx, uint64_t *pa);
	/** Frees a stack from stack_alloc. */
	void (*stack_free)(void *ctx, void *stack);

	/**
	 * Installs (@p on) or removes the kernel's emergency callback that
	 * the crash paths run on every CPU before kdump or an emergency
	 * reboot (Linux: cpu_emergency_register_virt_callback()); it calls
	 * flank_core_crash_cpu(). Returns true if installed. Installing
	 * fails (false) when the kernel's one slot may be another
	 * hypervisor's (Linux: KVM is loaded). May sleep (removal waits for
	 * running callbacks).
	 */
	bool (*crash_hook)(void *ctx, bool on);

	/**
	 * The physical address of the 4 KiB page at @p va, memory from
	 * alloc (the debug ring: the kernel's kmalloc or vmalloc memory),
	 * for flank_platform.mem_pa; 0 if it has none. Must not sleep.
	 */
	uint64_t (*virt_pa)(void *ctx, const void *va);

	/** HOST_CR3 for the platform table (page tables outliving processes). */
	uint64_t host_cr3;

	/**
	 * The kernel's speculation mitigations (FLANK_SPEC_* bits) and the
	 * VERW selector, for flank_platform.spec_flags and .verw_sel: read
	 * from the kernel's feature bits at module load (kplat.c).
	 */
	uint32_t spec_flags;
	uint16_t verw_sel;
};

/** ops->sig_required bits: the kernel is locked down (integrity or more). */
#define FLANK_SIG_REQ_LOCKDOWN 1u
/** ops->sig_required bits: module.sig_enforce / CONFIG_MODULE_SIG_FORCE. */
#define FLANK_SIG_REQ_MODULE_SIG 2u

/**
 * Most bytes one image mapping may have: every module of a load, as laid
 * out in memory (segments and .bss). The module's image_reserve (kmap.c)
 * refuses more; the link says so first, naming the limit, instead of
 * reporting it as out of memory.
 */
#define FLANK_IMAGE_MAX_BYTES FLANK_STAGED_MAX_BYTES

/** One staged ELF file. */
struct flank_module {
	void *bytes;
	/** The ELF bytes only: an appended signature is not counted. */
	size_t size;
	char name[FLANK_NAME_MAX];
	/** enum flank_sig_state / flank_sig_reason of the file (core/sig.c). */
	uint16_t sig_state;
	uint16_t sig_reason;
	/** The kernel's error when verification failed (0: none). */
	int sig_errno;
};

/**
 * One open file of the device: the modules it staged (ADD_MODULE) for its
 * own LOAD. Staging belongs to the file, not to the device: another
 * file neither sees nor loads them, and they are freed when the file is
 * closed (flank_core_release). Guarded by ops->lock.
 */
struct flank_file {
	struct flank_module mod[FLANK_MODULES_MAX];
	uint32_t nmods;
	size_t staged_bytes;
};

/** A linked image. */
struct flank_image {
	struct flank_image_mem *mem;
	/** Where the image runs (image_reserve's final mapping), @p bytes long. */
	const void *base;
	const struct flank_image_entry *entry;
	uint64_t bytes;
	void *link_state; /**< Owned by the link function. */
};

/**
 * Most pages an image may hold from page_alloc at once: five per CPU
 * (libvmm's per-CPU page, VMXON region, VMCS, MSR bitmap, host stack) for
 * VMM_MAX_CPUS (512) CPUs, with room for more per CPU and for extensions.
 */
#define FLANK_VMM_PAGES_MAX 4096u

/** One page the image holds from page_alloc. */
struct flank_vmm_page {
	void *va;
	uint64_t pa;
};

struct flank_core;

/**
 * Links every staged module into an image (the first module is the image,
 * the others are extension modules linked against its exports), fills
 * core->image and reports failures in @p err. Cleans up after itself on
 * failure. The real one is flank_link_modules (core/link.c); tests may
 * substitute their own.
 */
typedef int (*flank_link_fn)(struct flank_core *core,
			     struct flank_ioc_err *err);
/** Frees what a link function produced. */
typedef void (*flank_unlink_fn)(struct flank_core *core);

/**
 * What one ioctl carries past ops->lock (core.c). User memory is touched
 * only outside the lock: in the kernel the lock is the CPU hotplug lock
 * and the mutex, and a user page that faults slowly (userfaultfd) would
 * stall CPU hotplug and suspend for as long as its owner likes.
 */
struct flank_call {
	/** The open file the ioctl came through. */
	struct flank_file *file;
	/**
	 * ADD_MODULE: the module's bytes, copied in before the lock
	 * (ops->alloc; @p in_rc FLANK_OK), or NULL with @p in_rc the
	 * reason (FLANK_E_FAULT, FLANK_E_NO_MEMORY, or FLANK_E_INVAL when
	 * the argument was not worth copying). The handler takes the bytes
	 * by setting @p in to NULL; the ioctl frees what is left.
	 */
	void *in;
	int in_rc;
	/**
	 * ADD_MODULE: what flank_sig_check found in @p in, also before the
	 * lock (verification may take long on a 16 MiB file): @p in_sig's
	 * size is the ELF bytes' (no trailer), its sig_state, sig_reason and
	 * sig_errno the outcome; its bytes and name are unused.
	 */
	struct flank_module in_sig;
	/**
	 * DUMP: @p out_len bytes (ops->alloc) the handler leaves to be
	 * copied to the user address @p out_addr after the lock; the ioctl
	 * frees them. @p out_pos is the cursor to restore if that fails.
	 */
	void *out;
	size_t out_len;
	uint64_t out_addr;
	uint64_t out_pos;
};

/** The driver's whole state. */
struct flank_core {
	const struct flank_core_ops *ops;
	enum flank_drv_state state;
	struct flank_module mod[FLANK_MODULES_MAX];
	uint32_t nmods;
	size_t staged_bytes;
	struct flank_image image;
	struct flank_platform platform;
	/**
	 * Serial settings handed to the image in the platform table
	 * (image_abi.h): the module parameters serial_port, serial_baud and
	 * serial_pci. Set after flank_core_init(); 0 = serial off.
	 */
	uint16_t serial_port;
	uint16_t serial_flags;
	uint32_t serial_baud;
	/**
	 * Size of the debug ring in KiB (module parameter ring_kib), checked
	 * by flank_ring_kib_check(); flank_core_init() sets the default,
	 * FLANK_RING_DEFAULT_SIZE.
	 */
	uint32_t ring_kib;
	/**
	 * FLANK_HIDE_* bits handed to the image (module parameter hide,
	 * docs/ept.md); flank_core_init() sets FLANK_HIDE_ALL.
	 */
	uint32_t hide;
	/**
	 * Module parameter sig_policy: true for `enforce` (refuse files
	 * without a verified signature), false for `warn` (load them, taint
	 * the kernel). Lockdown and module.sig_enforce enforce regardless.
	 */
	bool sig_enforce;
	/** The load being linked contains a file without a verified signature. */
	bool sig_taint;
	/**
	 * The debug ring's memory (ops->alloc) from load until a successful
	 * fini; handed to the image as flank_platform.ring_mem. Never freed
	 * once the driver is CORRUPT: a CPU may still write it.
	 */
	void *ring_mem;
	/**
	 * True from a PM *_PREPARE (suspend, hibernation, restore of a
	 * hibernation image) until the matching POST_*: START is refused, so
	 * no CPU enters VMX operation while the kernel powers down or jumps
	 * into a restored image.
	 */
	bool suspending;
	/**
	 * The kernel log's copy of the debug ring (core/logdrain.c): true
	 * from just before the image's init until the ring is freed; the
	 * position up to which records reached ops->log (the dump ioctl
	 * keeps its own, in user space); a guard against re-entry; and the
	 * buffer ring_read fills (whole lines: at least the 352 bytes of
	 * libvmm's VMM_RING_LINE_MAX).
	 */
	bool log_live;
	bool draining;
	uint64_t log_pos;
	char drain_buf[1024];
	/**
	 * Every page the image holds from page_alloc (core/hostmap.c), so
	 * that START can check each against the HOST_CR3 table. The image
	 * calls page_alloc and page_free only from inside the core's calls
	 * into it (init, start_all, start_cpu, stop_all, fini, ...), all made
	 * under ops->lock, which therefore guards these too.
	 */
	struct flank_vmm_page vmm_page[FLANK_VMM_PAGES_MAX];
	uint32_t nvmm_pages;
	/**
	 * True from START's check of HOST_CR3 until the VMM is stopped: a CPU
	 * may run in VMX root, so page_alloc refuses a page that HOST_CR3 does
	 * not map and records it in @p unmapped.
	 */
	bool vmx_live;
	/** The first page page_alloc refused (va 0: none since reset). */
	struct flank_vmm_page unmapped;
	/**
	 * One guarded host stack per possible CPU (ops->stack_alloc), from
	 * LOAD until the image let go of them (with the debug ring), handed
	 * out by flank_platform.host_stack (core/stacks.c); @p nstacks of
	 * them. Leaked with the image when the driver is CORRUPT.
	 */
	struct flank_vmm_page *stack;
	uint32_t nstacks;
	/**
	 * The kernel's crash callback is ours (ops->crash_hook): from START
	 * until a stop succeeded; it stays while CORRUPT (a CPU may still
	 * be in VMX operation) until flank_core_fini (the code goes). Read
	 * without the lock by flank_core_crash_cpu(), written under it.
	 */
	bool crash_hooked;
	flank_link_fn link;
	flank_unlink_fn unlink;
	/** The ioctl being handled (set under ops->lock), else NULL. */
	struct flank_call *call;
};

/**
 * Prepares @p core; takes no lock, allocates nothing. @p link and
 * @p unlink are flank_link_modules/flank_unlink_modules in the module;
 * tests of the state machine may pass their own.
 */
void flank_core_init(struct flank_core *core, const struct flank_core_ops *ops,
		     flank_link_fn link, flank_unlink_fn unlink);
/**
 * Module unload: stops the VMM if it runs, unloads the image, drops staged
 * modules. If a stop fails the image memory is deliberately leaked (a CPU
 * may still execute it) and an error is logged.
 */
void flank_core_fini(struct flank_core *core);

/** A file was opened: @p file starts with nothing staged. */
void flank_core_open(struct flank_core *core, struct flank_file *file);
/** The last reference to @p file is gone: frees what it staged. */
void flank_core_release(struct flank_core *core, struct flank_file *file);

/**
 * Handles one ioctl on the open @p file: checks the caller, the number
 * and the argument, copies it in, performs it, copies the result out.
 * Returns 0 or a positive enum flank_drv_status (the caller maps it with
 * flank_status_errno()).
 */
int flank_core_ioctl(struct flank_core *core, struct flank_file *file,
		     unsigned int cmd, uint64_t arg);

/** CPU hotplug: @p cpu came online / is going offline. 0 or a status. */
int flank_core_cpu_online(struct flank_core *core, uint32_t cpu);
int flank_core_cpu_offline(struct flank_core *core, uint32_t cpu);
/** Reboot ahead: stops the VMM if it runs. */
void flank_core_quiesce(struct flank_core *core, const char *why);

/**
 * Power-management notifier events, with the values of Linux's PM_*
 * (<linux/suspend.h>; main.c checks them at build time), so that the
 * module hands the notifier's action to flank_core_pm unchanged.
 */
enum flank_pm_event {
	FLANK_PM_HIBERNATION_PREPARE = 1, /**< PM_HIBERNATION_PREPARE */
	FLANK_PM_POST_HIBERNATION = 2,	  /**< PM_POST_HIBERNATION */
	FLANK_PM_SUSPEND_PREPARE = 3,	  /**< PM_SUSPEND_PREPARE */
	FLANK_PM_POST_SUSPEND = 4,	  /**< PM_POST_SUSPEND */
	FLANK_PM_RESTORE_PREPARE = 5,	  /**< PM_RESTORE_PREPARE */
	FLANK_PM_POST_RESTORE = 6,	  /**< PM_POST_RESTORE */
};

/**
 * The PM notifier: @p event is an action of enum flank_pm_event. Every
 * *_PREPARE stops the VMM if it runs and refuses START from then on with
 * FLANK_E_SUSPENDING; every POST_* allows START again (the VMM stays
 * stopped until `flankctl start`). Other actions are ignored.
 */
void flank_core_pm(struct flank_core *core, unsigned long event);

/**
 * Checks a ring_kib value: a power of two from FLANK_RING_MIN_SIZE to
 * FLANK_RING_MAX_SIZE (in KiB: 8 .. 16384). Returns NULL if it is fine,
 * else a sentence saying what is wrong and what to use.
 */
const char *flank_ring_kib_check(uint32_t kib);

/** Human text of a driver status. */
const char *flank_status_str(int status);
/** Negative errno of a driver status (0 for FLANK_OK). */
int flank_status_errno(int status);

/* Internal, shared between the core's files. ---------------------------- */

/** Records a failure in @p err (printf-like) and returns @p code. */
int flank_fail(struct flank_ioc_err *err, int code, int source, int detail,
	       uint32_t cpu, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
/** Copies at most @p max - 1 bytes of @p s, NUL-terminated, into @p dst. */
void flank_strlcpy(char *dst, const char *s, size_t max);
/**
 * Copies at most @p max - 1 bytes of @p s into @p dst, NUL-terminated,
 * with every byte outside printable ASCII (0x21..0x7e: control bytes,
 * space, DEL, bytes >= 0x80) replaced by '?': for names from a file or a
 * caller that reach error texts and the kernel log.
 */
void flank_printable_copy(char *dst, const char *s, size_t max);
/** Logs a formatted line through ops->log. */
void flank_log(struct flank_core *core, enum flank_log_level level,
	       const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/**
 * Copies the debug-ring records not yet in the kernel log to ops->log, in
 * ring order, from core->log_pos (core/logdrain.c). Call with ops->lock
 * held (or from the image running for a holder). Returns false if there is
 * no live ring to drain (no image, before init, after fini) or a drain is
 * already running.
 */
bool flank_log_drain(struct flank_core *core);
/**
 * flank_log_drain() of at most @p max_lines lines: what the image's own log
 * calls use, which may run in a cross-CPU call with interrupts off, where a
 * whole VMCS dump (165 lines) to a serial console would keep them off for
 * about a second. The rest follows at the next full drain.
 */
bool flank_log_drain_max(struct flank_core *core, size_t max_lines);
/** Lines one full drain prints at most (the rest: next drain). */
#define FLANK_DRAIN_MAX_LINES 4096u
/** Lines a drain from the image's log call prints at most. */
#define FLANK_DRAIN_CALL_LINES 8u
/** Takes ops->lock, drains the ring to the kernel log, unlocks. */
void flank_core_poll_log(struct flank_core *core);
/**
 * Refreshes the HOST_CR3 table (ops->host_cr3_refresh) and checks that it
 * maps every page the VMM may touch in VMX root: the image, the debug ring
 * and every page the image holds from page_alloc. FLANK_E_UNMAPPED, naming
 * the first page that is not mapped, else FLANK_OK (core/hostmap.c).
 */
int flank_host_cr3_check(struct flank_core *core, struct flank_ioc_err *err);
/**
 * ops->page_alloc for the image: tracks the page and, while a CPU may run
 * in VMX root (vmx_live), refuses one that HOST_CR3 does not map.
 */
void *flank_vmm_page_alloc(struct flank_core *core, uint64_t *pa);
/** ops->page_free for the image: forgets the page, then frees it. */
void flank_vmm_page_free(struct flank_core *core, void *va);
/**
 * Formats what START or an online callback says about core->unmapped into
 * @p err (FLANK_E_UNMAPPED); @p cpu is the CPU whose start needed it.
 */
int flank_unmapped_fail(struct flank_core *core, struct flank_ioc_err *err,
			uint32_t cpu);
/** Logs that @p cpu is refused online because of core->unmapped. */
void flank_unmapped_log_online(struct flank_core *core, uint32_t cpu);

/**
 * Allocates core->stack, one guarded host stack per possible CPU, and
 * checks each (flank_stacks_check). FLANK_E_NO_MEMORY or
 * FLANK_E_STACK_GUARD in @p err, with nothing left allocated, else FLANK_OK
 * (core/stacks.c).
 */
int flank_stacks_alloc(struct flank_core *core, struct flank_ioc_err *err);
/** Frees core->stack (only once the image let go of it). */
void flank_stacks_free(struct flank_core *core);
/**
 * Checks through HOST_CR3 (ops->host_cr3_maps) that every host stack is
 * mapped and the 4 KiB below each is not: FLANK_E_STACK_GUARD naming the
 * CPU and the address, else FLANK_OK.
 */
int flank_stacks_check(struct flank_core *core, struct flank_ioc_err *err);
/** flank_platform.host_stack: core->stack[@p cpu], never sleeps. */
void *flank_host_stack(struct flank_core *core, uint32_t cpu);
/** flank_platform.host_stack_pa: its physical address (0: none). */
uint64_t flank_host_stack_pa(struct flank_core *core, uint32_t cpu);
/** Installs the crash callback (START) if it is not yet; logs the outcome. */
void flank_crash_hook(struct flank_core *core);
/** Removes the crash callback if it is installed (after a good stop). */
void flank_crash_unhook(struct flank_core *core);
/**
 * The kernel is crashing: called by the kernel's emergency callback on
 * each CPU, from NMI context or with interrupts off, without the lock
 * (the lock holder may be the CPU that crashed). Makes the calling CPU
 * leave VMX operation through the image's crash_cpu; does nothing unless
 * the callback is installed and an image is loaded. Never logs.
 */
void flank_core_crash_cpu(struct flank_core *core);

/** Fills core->platform from ops (core/platform.c). */
void flank_platform_fill(struct flank_core *core);
/** Runs the driver's own VT-x checks on every online CPU (core/cpus.c). */
void flank_host_check(struct flank_core *core,
		      struct flank_check_report *report);
/**
 * Refuses with the failing item's status (FLANK_E_NO_VMX, or
 * FLANK_E_UNSUPPORTED for FRED; FLANK_E_CPU_CALL) if any online CPU fails
 * the host check.
 */
int flank_host_ready(struct flank_core *core, struct flank_ioc_err *err);
/**
 * Looks for a signature trailer at the end of @p mod's bytes, verifies it
 * (ops->verify_sig), records the outcome in mod->sig_state/sig_reason and
 * cuts the trailer off mod->size, so that the loader sees the ELF bytes only
 * (core/sig.c). Never fails: a bad trailer is an outcome, judged at load.
 * Runs without ops->lock (flank_prefetch_add_module, on the driver's own
 * copy of the bytes): it touches nothing of @p core but its ops.
 */
void flank_sig_check(struct flank_core *core, struct flank_module *mod);
/**
 * The signature policy, applied at LOAD before anything is linked: refuses
 * the first file whose signature is missing (FLANK_E_UNSIGNED) or bad
 * (FLANK_E_BAD_SIG) when lockdown, module.sig_enforce or
 * sig_policy=enforce asks for signatures, and also, as the kernel's module
 * loader does, a file whose signature is there but corrupt or does not
 * match its bytes. Logs each file's outcome; sets core->sig_taint when a
 * file is let through unverified (warn policy).
 */
int flank_sig_policy(struct flank_core *core, struct flank_ioc_err *err);
/** Taints the kernel if core->sig_taint (call before any code runs). */
void flank_sig_taint(struct flank_core *core);

/** The real link and unlink (core/link.c). */
int flank_link_modules(struct flank_core *core, struct flank_ioc_err *err);
void flank_unlink_modules(struct flank_core *core);
/** Validates the entry table a link produced (core/core.c). */
int flank_entry_validate(const struct flank_image_entry *e,
			 struct flank_ioc_err *err);
/**
 * Text of a VMM status, bounded: the driver's own sentence for the statuses
 * it knows (core/vmm_texts.c), the image's status_str for newer ones.
 */
void flank_vmm_text(struct flank_core *core, int status, char *out, size_t max);
/** The sentence of VMM status @p status, or NULL if this driver has none. */
const char *flank_vmm_sentence(int status);

#endif /* FLANK_CORE_H */
