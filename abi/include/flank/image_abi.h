/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file image_abi.h
 * The VMM image ABI: what a host (the Linux driver, or a userspace test)
 * gives vmm.elf and what it may call in it. Shared, unchanged, by the image
 * and by every host. Versioned: a host refuses an image whose
 * flank_image_entry.abi_version differs from FLANK_IMAGE_ABI_VERSION.
 *
 * Freestanding: only compiler-provided headers. Every structure has fixed
 * widths so that the image and a host built by a different compiler agree.
 */
#ifndef FLANK_IMAGE_ABI_H
#define FLANK_IMAGE_ABI_H

#include <stddef.h>
#include <stdint.h>

/**
 * Version of this ABI; bumped on any incompatible change.
 * 2: struct flank_platform gained the serial settings.
 * 3: struct flank_platform gained ring_mem and ring_size: the host supplies
 *    the debug ring's memory (it was 32 KiB in the image's .bss), sized by
 *    the user (flank.ko's ring_kib).
 * 4: struct flank_platform gained cpu_left: the image tells the host on the
 *    CPU itself when it gave that CPU back, so the host can repair what a
 *    VM exit leaves behind (Linux: the TSS limit).
 * 5: struct flank_platform gained spec_flags and verw_sel: the host
 *    kernel's speculation mitigations, which the image applies on its
 *    VM-exit path (docs/exits.md, "Speculation").
 * 6: struct flank_platform gained phys_copy: the guest memory helpers of
 *    extension hooks (flank/vmm_extension.h) reach physical memory only
 *    through it.
 * 7: struct flank_platform gained host_stack (each CPU's host stack with an
 *    unmapped guard page below it) and struct flank_image_entry gained
 *    crash_cpu (leave VMX operation on a crashing kernel's CPU, for kdump).
 * 8: struct flank_platform gained hide (FLANK_HIDE_* bits: the VMM's pages
 *    mapped in EPT to a zero page, docs/ept.md "The VMM's pages are not the
 *    guest's") and host_stack_pa; struct flank_exit_stats' reserved word
 *    became hidden_writes.
 * 9: FLANK_HIDE_RING, and struct flank_platform gained mem_pa (the physical
 *    address of a page of the debug ring, for the EPT map to hide it).
 */
#define FLANK_IMAGE_ABI_VERSION 9u

/**
 * Smallest debug ring a host may supply (flank_platform.ring_size), in
 * bytes. Smaller rings could not hold the lines of one failed start.
 */
#define FLANK_RING_MIN_SIZE (8u << 10)
/**
 * Largest debug ring a host may supply, in bytes: a bound on a size that
 * reached the image by mistake, far above any useful log (65535 records).
 */
#define FLANK_RING_MAX_SIZE (16u << 20)
/**
 * The ring size a host uses unless its user chooses one: 64 KiB, 255
 * records of 256 bytes, enough for a whole VMCS dump after a failed VM
 * entry (about 170 lines) and the lines of the start around it.
 */
#define FLANK_RING_DEFAULT_SIZE (64u << 10)

/** Name of the exported data symbol holding struct flank_image_entry. */
#define FLANK_IMAGE_ENTRY_SYMBOL "flank_image_entry"

/** Log levels, shared by the platform log sink and the debug ring. */
enum flank_log_level {
	FLANK_LOG_ERROR = 0,
	FLANK_LOG_WARN = 1,
	FLANK_LOG_INFO = 2,
	FLANK_LOG_DEBUG = 3,
};

/**
 * The platform: services the host supplies at init. Every function pointer
 * is required unless marked optional. @c ctx is passed back unchanged.
 */
struct flank_platform {
	uint32_t abi_version; /**< FLANK_IMAGE_ABI_VERSION. */
	uint32_t size;	      /**< sizeof(struct flank_platform). */
	void *ctx;	      /**< The host's own pointer, passed back. */

	/**
	 * Allocates one zeroed, 4 KiB aligned page of memory that stays mapped
	 * and resident until freed, and returns its virtual address (NULL on
	 * failure) and its physical address in @p pa.
	 */
	void *(*page_alloc)(void *ctx, uint64_t *pa);
	/** Frees a page from page_alloc. */
	void (*page_free)(void *ctx, void *page);

	/** Number of possible CPUs; CPU ids are 0 .. cpu_count - 1. */
	uint32_t (*cpu_count)(void *ctx);
	/** Id of the CPU executing the call (preemption is disabled). */
	uint32_t (*cpu_id)(void *ctx);
	/**
	 * Runs @p fn(@p arg) on CPU @p cpu with preemption and interrupts
	 * disabled and waits for it; returns fn's return value, or a negative
	 * value if the CPU is offline.
	 */
	int (*run_on_cpu)(void *ctx, uint32_t cpu, int (*fn)(void *arg),
			  void *arg);

	/**
	 * Physical address of page tables that map the image and every page
	 * from page_alloc and outlive every process: on Linux, a top-level table
	 * holding the kernel half of the kernel's page tables (see
	 * docs/driver.md, "HOST_CR3"). Used for HOST_CR3; never the CR3 of the
	 * calling process.
	 */
	uint64_t host_cr3;

	/** Log sink: one NUL-terminated line without newline. */
	void (*log)(void *ctx, enum flank_log_level level, const char *line);

	/**
	 * Serial output (docs/serial.md): the base I/O port of a 16550 UART
	 * that every log line is mirrored to, e.g. 0x3F8 (COM1); 0 = none.
	 * A port where no UART answers is logged and ignored; init goes on.
	 */
	uint16_t serial_port;
	/** FLANK_SERIAL_* bits; any other bit is refused. */
	uint16_t serial_flags;
	/**
	 * Baud rate: 0 for 115200, else a divisor of 115200 (57600, 38400,
	 * 19200, 9600, ...); anything else is refused.
	 */
	uint32_t serial_baud;

	/**
	 * Memory of the debug ring (docs/debugging.md): @c ring_size bytes,
	 * 8-byte aligned, virtually contiguous in the host's kernel address
	 * space and mapped in the page tables of host_cr3 (the VMM writes it
	 * in VMX root from any CPU). It must stay mapped and resident from
	 * init until fini returns VMM_OK; if the image is leaked because a stop
	 * or fini failed, the ring must be leaked with it, since a CPU may
	 * still write it. It need not be zeroed: init formats it. On Linux,
	 * kvzalloc memory qualifies (docs/driver.md, "HOST_CR3").
	 */
	void *ring_mem;
	/**
	 * Bytes at @c ring_mem, FLANK_RING_MIN_SIZE .. FLANK_RING_MAX_SIZE;
	 * anything else is refused (VMM_ERR_RING_CONFIG). The ring holds
	 * ring_size / 256 - 1 records of 256 bytes (one record's worth is its
	 * control block).
	 */
	uint64_t ring_size;

	/**
	 * Optional (may be NULL): CPU @p cpu has just left VMX operation and
	 * is being given back, by stop or by the VMM on its own (an exit it
	 * cannot handle, a failed VMRESUME), and will continue the interrupted
	 * kernel code. Called on that CPU after VMXOFF, never in VMX root,
	 * with interrupts disabled, on the VMM's small host stack, in the host
	 * state the last VM exit loaded (the host's GS base, HOST_CR3; SDM
	 * Vol. 3C 28.5), before the guest's registers are written back. The
	 * exit set the TR limit to 67H (28.5.2): on Linux this is the place
	 * for invalidate_tss_limit(), so that a task with an I/O bitmap
	 * (ioperm) gets TR reloaded instead of #GP. The interrupted context
	 * may hold any lock: like an NMI handler, it must not sleep, take
	 * locks or log.
	 */
	void (*cpu_left)(void *ctx, uint32_t cpu);

	/**
	 * The host kernel's speculation mitigations, as it chose them at boot
	 * (FLANK_SPEC_* bits; any other bit is refused): a VM exit from guest
	 * CPL 3 is an entry from user mode, and the image does on its exit
	 * path what the kernel does on its own entries and what KVM does after
	 * a VM exit (docs/exits.md, "Speculation"). 0: none.
	 */
	uint32_t spec_flags;
	/**
	 * The operand of VERW (FLANK_SPEC_CLEAR_CPU_BUF): a selector of a
	 * writable data segment in the GDT of VMX root (the host's; Linux:
	 * __KERNEL_DS). Required (not null, RPL 0, TI 0) with that flag, else
	 * 0. Not taken from the host SS: a VM exit loads HOST_SS_SELECTOR,
	 * which is null when start ran in an interrupt that came from user
	 * mode (64-bit mode loads a null SS then).
	 */
	uint16_t verw_sel;
	uint16_t reserved16; /**< 0. */

	/**
	 * Optional (may be NULL: the guest memory helpers then fail with
	 * VMM_ERR_GUEST_PHYS): copies @p len bytes between physical address
	 * @p pa and @p buf (to memory if @p write is 1, else from it), all
	 * within one 4 KiB page. Called in VMX root from hook callbacks on
	 * any CPU, with interrupts disabled, in any interrupted kernel
	 * context, with an address that comes from the guest: it must check
	 * the page before touching it and never fault, sleep, take a lock or
	 * log. Returns 0, or -1 with nothing copied if the page is not memory
	 * the host maps (Linux: RAM in the direct map).
	 */
	int (*phys_copy)(void *ctx, uint64_t pa, void *buf, uint32_t len,
			 uint32_t write);

	/**
	 * Optional (may be NULL): the host stack of CPU @p cpu (from 0 to
	 * cpu_count - 1), one 4 KiB page, 4 KiB aligned, whose page below
	 * (the 4 KiB under its address) is not mapped in host_cr3: an exit
	 * handler that overflows the stack faults there (on Linux: #PF on
	 * the guard, then #DF on its IST stack, an oops that names it)
	 * instead of silently writing the neighbouring memory
	 * (docs/debugging.md, "The host stack"). The host owns the
	 * page: the same one for a CPU every time, mapped and resident from
	 * init until fini returns VMM_OK (leaked with the image otherwise);
	 * the image never frees it. Must not sleep (the image may ask with
	 * interrupts disabled). NULL from it: no stack for that CPU (the
	 * image treats it as out of memory). Without this member the image
	 * takes its stacks from page_alloc, unguarded.
	 */
	void *(*host_stack)(void *ctx, uint32_t cpu);

	/**
	 * FLANK_HIDE_* bits (any other bit is refused): which of the VMM's
	 * own pages the EPT map hides from the guest (docs/ept.md, "The
	 * VMM's pages are not the guest's"). 0: none, the identity map
	 * covers them as before. No effect without EPT.
	 */
	uint32_t hide;
	uint32_t reserved_hide; /**< 0. */

	/**
	 * Optional (may be NULL): the physical address of the page
	 * host_stack gives for CPU @p cpu, 4 KiB aligned, or 0 if unknown.
	 * With FLANK_HIDE_CPUS the image hides that page in the EPT map
	 * (the host owns it for longer than the map lives). Called from the
	 * controlling thread before any CPU starts; must not sleep.
	 */
	uint64_t (*host_stack_pa)(void *ctx, uint32_t cpu);

	/**
	 * Optional (may be NULL): the physical address of the 4 KiB page of
	 * the debug ring at @p va (4 KiB aligned, inside ring_mem), 4 KiB
	 * aligned, or 0 if unknown. With FLANK_HIDE_RING the image hides
	 * each of those pages in the EPT map. Called from the controlling
	 * thread before any CPU starts; must not sleep. Without it the ring
	 * stays visible.
	 */
	uint64_t (*mem_pa)(void *ctx, const void *va);
};

/**
 * hide: the pages of the EPT map itself (its tables and page lists) and
 * the zero and sink pages hiding needs are mapped to one zero page,
 * read-only: a guest read gives zeros, a write is dropped and counted.
 */
#define FLANK_HIDE_EPT 0x0001u
/**
 * hide (with FLANK_HIDE_EPT): every CPU's VMXON region, VMCS, MSR bitmap
 * and host stack (from page_alloc, or host_stack's when host_stack_pa
 * gives its physical address). The image then takes
 * every CPU's pages before any CPU starts and keeps a stopped CPU's pages
 * until the map goes (a page hidden in the map is never given back while
 * a CPU may use the map).
 */
#define FLANK_HIDE_CPUS 0x0002u
/**
 * hide (with FLANK_HIDE_EPT): every whole 4 KiB page of the debug ring
 * (ring_mem), whose physical addresses mem_pa gives. While Flank runs the
 * image reads and writes the ring from a CPU under Flank only through
 * hypercalls, in VMX root (docs/hypercalls.md, "The host's calls").
 */
#define FLANK_HIDE_RING 0x0004u
/** Every hide bit this ABI defines. */
#define FLANK_HIDE_ALL 0x0007u

/**
 * spec_flags: after every VM exit, fill the return stack buffer (32
 * entries) before any RET that could underflow it (Retbleed,
 * CVE-2022-29901). Linux: X86_FEATURE_RSB_VMEXIT.
 */
#define FLANK_SPEC_RSB_VMEXIT 0x0001u
/**
 * spec_flags: after every VM exit, the one-entry RSB guard against
 * Post-Barrier RSB predictions (PBRSB, CVE-2022-26373; CPUs with eIBRS).
 * Linux: X86_FEATURE_RSB_VMEXIT_LITE. FLANK_SPEC_RSB_VMEXIT, if also set,
 * is the stronger and wins.
 */
#define FLANK_SPEC_RSB_VMEXIT_LITE 0x0002u
/**
 * spec_flags: the kernel clears CPU buffers with VERW on every return to
 * user mode (MDS CVE-2018-12126/12127/12130, CVE-2019-11091; TAA
 * CVE-2019-11135; MMIO stale data CVE-2022-21123/21125/21166; RFDS
 * CVE-2023-28746): VERW before every VMRESUME into guest CPL 3. Linux:
 * X86_FEATURE_CLEAR_CPU_BUF (the mds_user_clear static key before 6.8).
 */
#define FLANK_SPEC_CLEAR_CPU_BUF 0x0004u
/**
 * spec_flags: the kernel sets IBRS in IA32_SPEC_CTRL on entry from user
 * mode and clears it on return (spectre_v2=ibrs, retbleed=ibrs): on an
 * exit from guest CPL 3, set IBRS; restore the guest's value before
 * VMRESUME. Linux: X86_FEATURE_KERNEL_IBRS (IBRS_ENTER / IBRS_EXIT).
 */
#define FLANK_SPEC_KERNEL_IBRS 0x0008u
/** Every spec_flags bit this ABI defines. */
#define FLANK_SPEC_ALL 0x000Fu

/**
 * serial_flags: first look for a 16550-compatible UART on a PCI card
 * (class 07h/00h, through configuration mechanism #1) and use its I/O
 * port; serial_port, if not 0, is used only when none is found.
 */
#define FLANK_SERIAL_PCI 0x0001u

/** One line of the compatibility report (vmm_check). */
struct flank_check_item {
	uint32_t id;	/**< enum vmm_check_id. */
	int32_t status; /**< 0 = passed, else enum vmm_status. */
	char name[32];	/**< Short name, e.g. "vmx-cpuid". */
	char text[160]; /**< What was found, and what to do about it. */
};

/** Capacity of a flank_check_report. */
#define FLANK_CHECK_MAX_ITEMS 24u

/** The whole compatibility report: every check, not the first failure. */
struct flank_check_report {
	uint32_t count;	 /**< Items filled in. */
	uint32_t failed; /**< Items whose status is not 0. */
	struct flank_check_item item[FLANK_CHECK_MAX_ITEMS]; /**< In order. */
};

/** VMM state machine (per image). */
enum flank_vmm_state {
	FLANK_STATE_UNLOADED = 0, /**< No image, or init not called. */
	FLANK_STATE_LOADED = 1,	  /**< Initialised, no CPU virtualised. */
	FLANK_STATE_RUNNING = 2,  /**< Every online CPU virtualised. */
	FLANK_STATE_STOPPING = 3, /**< Stop in progress. */
	FLANK_STATE_CORRUPT = 4,  /**< A stop failed: do not unload. */
};

/** Per-CPU status. */
struct flank_cpu_status {
	uint32_t cpu;	    /**< CPU number. */
	uint32_t running;   /**< 1 if in VMX non-root under Flank. */
	int32_t last_error; /**< enum vmm_status of the last start/stop. */
	uint32_t vpid;	    /**< Guest's VPID (docs/vmcs.md); 0: off. */
	uint64_t cr4;	    /**< CR4 as last seen by the VMM on this CPU. */
	uint64_t exits;	    /**< Total VM exits handled. */
};

/** Number of basic exit reasons counted (0 .. FLANK_EXIT_REASONS - 1). */
#define FLANK_EXIT_REASONS 80u
/** Exits per basic exit reason on one CPU. */
struct flank_exit_stats {
	uint32_t cpu; /**< CPU number. */
	/** Guest writes to hidden pages dropped on this CPU (FLANK_HIDE_*). */
	uint32_t hidden_writes;
	uint64_t count[FLANK_EXIT_REASONS]; /**< Exits, by basic reason. */
};

/**
 * The table the image exports under FLANK_IMAGE_ENTRY_SYMBOL. Every
 * function returns 0 or a positive enum vmm_status value
 * (status_str() gives its name).
 */
struct flank_image_entry {
	uint32_t abi_version; /**< FLANK_IMAGE_ABI_VERSION. */
	uint32_t size;	      /**< sizeof(struct flank_image_entry). */
	uint32_t version;     /**< Flank version, 0x00MMmmpp. */
	uint32_t reserved;    /**< 0. */

	/** Binds the platform; state UNLOADED → LOADED. */
	int (*init)(const struct flank_platform *platform);
	/** Releases everything; refused unless LOADED. */
	int (*fini)(void);
	/** Runs every compatibility check on the calling CPU. */
	int (*check)(struct flank_check_report *report);
	/** Virtualises every CPU; rolls back all of them on failure. */
	int (*start_all)(uint32_t *failed_cpu);
	/** Devirtualises every CPU. */
	int (*stop_all)(void);
	/** Virtualises the calling CPU (hotplug: CPU coming online). */
	int (*start_cpu)(void);
	/** Devirtualises the calling CPU (hotplug: CPU going offline). */
	int (*stop_cpu)(void);
	/** State of the VMM. */
	enum flank_vmm_state (*state)(void);
	/** Status of one CPU. */
	int (*cpu_status)(uint32_t cpu, struct flank_cpu_status *out);
	/** Exit statistics of one CPU. */
	int (*exit_stats)(uint32_t cpu, struct flank_exit_stats *out);
	/**
	 * Copies debug-ring text from position *@p pos into @p buf (at most
	 * @p len bytes); advances *@p pos; returns the bytes copied. A reader
	 * that fell behind is moved to the oldest record still held.
	 */
	size_t (*ring_read)(uint64_t *pos, char *buf, size_t len);
	/**
	 * Name of a status value ("VMM_ERR_NO_VMX"); the host holds the
	 * sentences (flank.ko: core/vmm_texts.c) and asks this only for a
	 * status newer than its own list.
	 */
	const char *(*status_str)(int status);
	/**
	 * The kernel is crashing (panic → kdump, emergency reboot): makes the
	 * calling CPU leave VMX operation now, so that the next kernel can
	 * bring it up again (INIT is blocked in VMX root operation, SDM Vol. 3C
	 * 26.2, and a CPU that never sees INIT never takes the next kernel's
	 * SIPI). Called on each CPU from NMI context with interrupts
	 * disabled, by a host that must not wait for anything: it takes no
	 * lock, logs nothing, allocates and frees nothing, and never touches
	 * the state machine. From VMX non-root it is the stop hypercall
	 * (docs/hypercalls.md), which gives the CPU back as stop does; if the
	 * NMI interrupted this CPU in VMX root (an exit handler), the VMCALL
	 * fails there and the CPU executes VMCLEAR and VMXOFF itself, and
	 * must then never return into that handler (the crash path halts).
	 * VMM_OK, VMM_ERR_NOT_RUNNING if the CPU is not in VMX operation
	 * under this image, or the failure (VMM_ERR_VMXOFF).
	 */
	int (*crash_cpu)(void);
};

#endif /* FLANK_IMAGE_ABI_H */
