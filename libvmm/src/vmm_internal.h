/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Internal declarations of libvmm, shared by its files. Not installed.
 */
#ifndef FLANK_VMM_INTERNAL_H
#define FLANK_VMM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/image_abi.h"
#include "flank/intrinsics.h"
#include "flank/vmm.h"

#include "ept/ept.h"

#define VMM_PAGE_SIZE 4096u

/* ------------------------------------------------------------------------ */
/* Small helpers (fmt.c)                                                     */
/* ------------------------------------------------------------------------ */

/*
 * Exported from vmm.elf (default visibility; the image part compiles with
 * -fvisibility=hidden). Besides the public API, the few helpers the
 * vmcs_check module imports carry it (libvmm/modules/vmcs_check).
 */
#ifndef FLANK_EXPORT
#define FLANK_EXPORT __attribute__((visibility("default")))
#endif

/** A bounded, always NUL-terminated string builder (no libc). */
struct vmm_fmt {
	char *buf;
	size_t size;
	size_t len;
};

void vmm_fmt_init(struct vmm_fmt *f, char *buf, size_t size);
void vmm_fmt_str(struct vmm_fmt *f, const char *s);
void vmm_fmt_hex(struct vmm_fmt *f, uint64_t v);
void vmm_fmt_dec(struct vmm_fmt *f, uint64_t v);
void vmm_zero(void *p, size_t n);
void vmm_copy(void *dst, const void *src, size_t n);

/* ------------------------------------------------------------------------ */
/* VMX capabilities (caps.c)                                                 */
/* ------------------------------------------------------------------------ */

/** The VMX controls libvmm uses, computed from the capability MSRs. */
struct vmm_controls {
	uint32_t pin, proc, proc2, exit, entry;
};

/** What the capability MSRs and CPUID say about this CPU. */
struct vmm_caps {
	uint64_t basic;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	/**
	 * IA32_VMX_EPT_VPID_CAP as read when "enable VPID" may be 1, else 0:
	 * the INVVPID types start and stop can use (vpid.c).
	 */
	uint64_t invvpid_cap;
	unsigned phys_width;
	/** Gated instructions CPUID enumerates (bit i: caps.c UD_GATES). */
	uint32_t ud_features;
	struct vmm_controls ctl;
};

/**
 * Reads every capability the VMM needs and computes the controls. Returns
 * VMM_OK or the status of the first problem; @p what (may be NULL) receives
 * a sentence naming the missing control or MSR.
 */
int vmm_caps_read(struct vmm_caps *caps, struct vmm_fmt *what);

/** Reads the physical-address width (CPUID 80000008H); 0 if unknown. */
unsigned vmm_phys_width(void);

/**
 * Fills ud_features from CPUID: which instructions that #UD in VMX non-root
 * without a secondary control (RDTSCP, RDPID, INVPCID, XSAVES, WAITPKG,
 * PCONFIG) the CPU enumerates.
 */
void vmm_cpu_features(struct vmm_caps *caps);
/** Reads and validates IA32_VMX_BASIC. */
int vmm_caps_basic(struct vmm_caps *caps, struct vmm_fmt *what);
/** Reads the CR0/CR4 fixed-bit MSRs. */
int vmm_caps_fixed(struct vmm_caps *caps, struct vmm_fmt *what);
/** Checks that @p cr0 / @p cr4 can satisfy the fixed bits of @p caps. */
int vmm_fixed_bits_ok(const struct vmm_caps *caps, uint64_t cr0, uint64_t cr4,
		      struct vmm_fmt *what);
/** Computes caps->ctl from the control capability MSRs (needs basic). */
int vmm_caps_controls(struct vmm_caps *caps, struct vmm_fmt *what);

/* ------------------------------------------------------------------------ */
/* VPID (vpid.c)                                                             */
/* ------------------------------------------------------------------------ */

/**
 * True if IA32_VMX_EPT_VPID_CAP @p cap (SDM Vol. 3D A.10) has INVVPID (bit
 * 32) with single-context (bit 41) or all-context (bit 42) invalidation:
 * a VPID can be cleared before use, and vmm_caps_controls() sets "enable
 * VPID". Inline, like vmm_vpid_invvpid_type(): the image's text page has no
 * room for calls (docs/loader.md, "Size").
 */
static inline bool vmm_vpid_usable(uint64_t cap)
{
	return ((cap >> 32) & 1u) != 0 && ((cap >> 41) & 3u) != 0;
}

/** The INVVPID type for one VPID: single-context if bit 41, else all. */
static inline uint32_t vmm_vpid_invvpid_type(uint64_t cap)
{
	return VMX_INVVPID_ALL_CONTEXT - (uint32_t)((cap >> 41) & 1u);
}

/* ------------------------------------------------------------------------ */
/* Per-CPU state                                                             */
/* ------------------------------------------------------------------------ */

/** A segment register as the VMCS holds it. */
struct vmm_segment {
	uint16_t selector;
	uint64_t base;
	uint32_t limit;
	uint32_t ar;
};

enum vmm_seg {
	VMM_SEG_ES,
	VMM_SEG_CS,
	VMM_SEG_SS,
	VMM_SEG_DS,
	VMM_SEG_FS,
	VMM_SEG_GS,
	VMM_SEG_LDTR,
	VMM_SEG_TR,
	VMM_SEG_COUNT
};

/** What start changed on the CPU, so that exactly that is undone. */
struct vmm_changes {
	uint64_t cr0_set;	     /**< CR0 bits start set (fixed0). */
	uint64_t cr4_set;	     /**< CR4 bits start set, VMXE included. */
	bool feature_control_locked; /**< start locked the MSR (permanent). */
	bool vmxon;		     /**< VMXON succeeded. */
	bool vmcs_loaded;	     /**< VMPTRLD succeeded. */
};

#define VMM_CPU_MAGIC 0x55504346u /* "FCPU" */

/**
 * Per-CPU context: one page from the platform. The 8 bytes at HOST_RSP hold
 * a pointer to it (intrin_vmexit_entry contract).
 */
struct vmm_cpu {
	uint32_t magic;
	uint32_t id;
	bool running;
	int32_t last_error;

	void *vmxon, *vmcs, *msr_bitmap, *stack;
	paddr_t vmxon_pa, vmcs_pa, msr_bitmap_pa, stack_pa, self_pa;

	struct vmm_caps caps;
	struct vmm_changes changes;
	uint64_t cr0_orig, cr4_orig; /**< Before start: read shadows. */
	/*
	 * CPUID.1:ECX[31] at start: a hypervisor runs below us, and the
	 * guest's VMCALLs that are not Flank's are its hypercalls, forwarded
	 * to it (exit_vmcall.c).
	 */
	bool outer_vmm;
	struct vmm_entry_failure entry_failure;
	bool has_entry_failure;

	/*
	 * Set from just before vmx_launch_here() until the first exit: an
	 * exit with reason bit 31 then belongs to the launch (intrinsics.h,
	 * intrin_launch_here_entry_failed).
	 */
	bool launching;

	/*
	 * Left VMX into intrin_cpu_park after INIT: the CPU halts in the
	 * image's text with HOST_CR3, so its pages and the image stay.
	 */
	bool parked;

	/* The stack canary was found broken (reported once, in the ring). */
	bool stack_overflowed;

	/*
	 * This CPU runs an exit handler (VMX root, host stack): set and
	 * cleared by vmm_exit_handler()/vmm_exit_resume_failed() themselves,
	 * read by vmm_log() through vmm_ctx.cpu[], which start publishes
	 * before the CPU's first VM entry. Only this CPU writes it, in its own
	 * page: no shared cache line, no locked instruction per exit.
	 */
	bool in_exit;

	/*
	 * Speculation state of the current exit (exit_spec.c): the guest was
	 * in user mode; IA32_SPEC_CTRL was changed and @c spec_ctrl_guest
	 * must be written back before VMRESUME.
	 */
	bool spec_user;
	bool spec_restore;
	uint64_t spec_ctrl_guest;

	/* Statistics, written only by this CPU in its exit handler. */
	uint64_t exits;
	uint64_t exit_count[FLANK_EXIT_REASONS];
	uint64_t injected;  /**< Events injected into the guest. */
	uint64_t unhandled; /**< Times the VMM left this CPU on its own. */

	/* The page hook whose page this CPU opened for one instruction (allow
	 * once, ept/page_hook.c), until its MTF exit; NULL otherwise. */
	void *page_step;

	/* The hidden page's leaf this CPU pointed at the sink page for one
	 * write (ept/hide.c), until its MTF exit; NULL otherwise. */
	uint64_t *hide_step;
	/* Guest writes to hidden pages dropped on this CPU (ept/hide.c). */
	uint32_t hidden_writes;
	/* Its VMXON region, VMCS, MSR bitmap (and stack from page_alloc)
	 * are hidden in the map: the pages stay until the map is freed. */
	bool hidden;
};

/*
 * The VPID of @p cpu's guest (vpid.c): its number plus one (never 0, SDM
 * Vol. 3C 27.2.1.1), 0 if VPID is off.
 */
static inline uint32_t vmm_vpid(const struct vmm_cpu *cpu)
{
	return (cpu->caps.ctl.proc2 & SEC_ENABLE_VPID) != 0 ? cpu->id + 1u : 0;
}

/**
 * In VMX root, VPID on: at @p start (VMCS current, before the first VM
 * entry) writes the VPID field and clears the VPID with INVVPID; at stop
 * (just before VMXOFF) clears it again (SDM Vol. 3C 28.3.3.3). VMM_OK (also
 * when VPID is off), VMM_ERR_VMWRITE, or VMM_ERR_INVVPID after logging
 * "cpu N: INVVPID failed: ...".
 */
int vmm_vpid_sync(struct vmm_cpu *cpu, bool start);

/* The image-wide context: the one mutable global (context.c). */
struct vmm_context {
	/* state and ncpus first: the hottest fields keep one-byte
	 * displacements whatever struct flank_platform grows to. */
	enum flank_vmm_state state;
	uint32_t ncpus;
	struct flank_platform platform;
	/* Published before the CPU's first VM entry (cpus.c start_one); ncpus
	 * entries in a page from page_alloc (VMM_PAGES_AT_INIT), from init to
	 * fini, not in the image's .bss (issue #6); NULL outside them. */
	struct vmm_cpu **cpu;
	/* Written by the controlling thread after a per-CPU call returns:
	 * status records that outlive the per-CPU pages, one byte each
	 * (every status fits, context.c). */
	uint8_t last_error[VMM_MAX_CPUS];
	/* The last VM-entry failure of a start, and its CPU (or ~0u). */
	struct vmm_entry_failure entry_failure;
	uint32_t entry_failure_cpu;
	/* CPUs the VMM gave back on its own (unhandled exit, failed entry);
	 * atomically incremented from exit handlers. */
	uint32_t cpus_left;
	/* The EPT identity map of this start (ept/ept.h), shared by every
	 * CPU; built by vmm_start_all(), freed when every CPU stopped. */
	struct vmm_ept ept;
	/* The answer page of the host's calls (query.c): one page from
	 * page_alloc, from init to fini, that a CPU under Flank can read. */
	void *answer;
	/* Bit i: CPU i runs under Flank (cpu->running, vmm_cpu_set_running),
	 * in the image's memory: which way the host's calls go (query.c). */
	uint64_t guest_cpus[VMM_MAX_CPUS / 64u];
};

extern struct vmm_context vmm_ctx;

/*
 * Sets @p cpu's running flag and its bit in vmm_ctx.guest_cpus, on the CPU
 * itself: set just before its VM entry, cleared once it left VMX non-root.
 */
static inline void vmm_cpu_set_running(struct vmm_cpu *cpu, bool on)
{
	uint64_t bit = UINT64_C(1) << (cpu->id % 64u);
	uint64_t *w = &vmm_ctx.guest_cpus[cpu->id / 64u];

	cpu->running = on;
	if (on)
		(void)__atomic_or_fetch(w, bit, __ATOMIC_RELAXED);
	else
		(void)__atomic_and_fetch(w, ~bit, __ATOMIC_RELAXED);
}

/* True if CPU @p id runs under Flank (vmm_ctx.guest_cpus). */
static inline bool vmm_guest_cpu(uint32_t id)
{
	return id < VMM_MAX_CPUS &&
	       ((__atomic_load_n(&vmm_ctx.guest_cpus[id / 64u],
				 __ATOMIC_RELAXED) >>
		 (id % 64u)) &
		1u) != 0;
}

/* True if any CPU runs under Flank (query.c). */
bool vmm_any_guest(void);

/*
 * The host's calls that read the VMM's own pages (query.c): the status of
 * a CPU, its exit statistics, ring text, a ring line. Outside VMX they run
 * here; from a CPU under Flank they are hypercalls (FLANK_HC_CPU_STATUS ..
 * FLANK_HC_RING_WRITE) and run in VMX root, so that those pages need never
 * be read as a guest. vmm_query_answer() runs call @p nr with arguments
 * @p a0, @p a1: the answer in vmm_ctx.answer, @p r0 and @p r1.
 */
int vmm_query_answer(uint32_t cpu, uint32_t nr, uint64_t a0, uint64_t a1,
		     uint64_t *r0, uint64_t *r1);
/* cpu_status and exit_stats of CPU @p id (< ncpus) read here (cpus.c). */
int vmm_cpu_status_here(uint32_t id, struct flank_cpu_status *out);
int vmm_exit_stats_here(uint32_t id, struct flank_exit_stats *out);
/* The image entry ring_read (at most one answer page per call). */
size_t vmm_query_ring_read(uint64_t *pos, char *buf, size_t len);
/* Writes @p line into the ring for the calling CPU (vmm_log()). */
void vmm_query_ring_write(enum flank_log_level level, const char *line);

/**
 * Logs one line: into the debug ring always, and to the platform's log
 * sink unless the calling CPU runs an exit handler (vmm_in_exit_handler()):
 * from VMX root the host's log (printk, console drivers, their locks) is
 * never called; the host drains the ring to its log afterwards
 * (docs/debugging.md). The only caller of flank_platform.log.
 */
void vmm_log(enum flank_log_level level, const char *line);

/** True while CPU @p id runs vmm_exit_handler()/vmm_exit_resume_failed(). */
bool vmm_in_exit_handler(uint32_t id);
/** Formats (flank/vmm_format.h) one line of at most VMM_RING_TEXT_MAX bytes and logs it. */
void vmm_logf(enum flank_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * The host stack is one page from the platform (cpu->stack), HOST_RSP near
 * its top (vmcs_setup.c). With flank_platform.host_stack (flank.ko) the page
 * below it is unmapped, so an overflow faults; without it the stack comes
 * from page_alloc and the page below is whatever the host's allocator put
 * there, mapped (docs/debugging.md, "The host stack"). The build bounds the exit handler's static stack
 * (scripts/check-stack.py, docs/building.md); at run time the lowest
 * VMM_STACK_CANARY_WORDS words of the page hold a canary that every exit
 * handler checks before it returns, so an overflow that reached the bottom
 * of the page is reported in the ring (once per CPU), not silent.
 */
#define VMM_STACK_CANARY_WORDS 2u
#define VMM_STACK_CANARY UINT64_C(0x4b4e414c46535450) /* "PTSFLANK" */

/** The canary word at @p w: differs per address, so a copy does not match. */
static inline uint64_t vmm_stack_canary(const volatile uint64_t *w)
{
	return VMM_STACK_CANARY ^ (uint64_t)(uintptr_t)w;
}

/** Allocates the pages of CPU @p id; NULL and *status on failure. */
struct vmm_cpu *vmm_cpu_alloc(uint32_t id, int *status);
/** Frees the pages of @p cpu. */
void vmm_cpu_free(struct vmm_cpu *cpu);
/**
 * Makes a kept CPU's context (hidden pages, ept/hide.c) as vmm_cpu_alloc()
 * left it, its pages unchanged: for a new start of that CPU.
 */
void vmm_cpu_reset(struct vmm_cpu *cpu);

/* ------------------------------------------------------------------------ */
/* Per-CPU steps                                                             */
/* ------------------------------------------------------------------------ */

/** Enables VMX (fixed bits, feature control, VMXON). Undone on failure. */
int vmm_vmx_enable(struct vmm_cpu *cpu);
/** VMXOFF and undo every change vmm_vmx_enable made. */
int vmm_vmx_disable(struct vmm_cpu *cpu);
/** Undoes the CR0/CR4 changes recorded in @p cpu->changes. */
void vmm_undo_cr_changes(struct vmm_cpu *cpu);

/** Decodes the segment selected by @p sel from the GDT/LDT in memory. */
int vmm_segment_read(uint16_t sel, const struct cpu_dtr *gdtr, uint16_t ldtr,
		     bool system, struct vmm_segment *out);

/** Writes the whole VMCS (controls, guest, host) from the running CPU. */
int vmm_vmcs_setup(struct vmm_cpu *cpu);

/** Fills the MSR bitmap page of @p cpu. */
void vmm_msr_bitmap_init(struct vmm_cpu *cpu);
/** True if the MSR bitmap of @p cpu intercepts RDMSR (@p write false) of @p msr. */
bool vmm_msr_intercepted(const struct vmm_cpu *cpu, uint32_t msr, bool write);

/** Virtualises the calling CPU with the pages of @p cpu. */
int vmm_cpu_start(struct vmm_cpu *cpu);
/** Devirtualises the calling CPU (VMCALL to the VMM). */
int vmm_cpu_stop(struct vmm_cpu *cpu);

/**
 * In VMX root on the CPU of @p cpu: gives the CPU the guest's state from the
 * current VMCS, VMCLEAR, VMXOFF, clears what start set in CR4/CR0. Fills
 * @p frame's leave_* fields for the exit entry. Used by the stop hypercall
 * and by vmm_exit_resume_failed(). @p skip_insn continues after the
 * exiting instruction (VMCALL) instead of at it.
 */
int vmm_devirtualize(struct vmm_cpu *cpu, struct intrin_exit_frame *frame,
		     bool skip_insn);

/** Logs the outcome of VMX instruction @p what on @p cpu. */
void vmm_log_vmx(struct vmm_cpu *cpu, const char *what, vmx_result_t r);

/** The host selector for guest selector @p sel (0 if RPL or TI set). */
uint16_t vmm_host_selector(uint16_t sel);

/** True for the MSRs the guest must never see or change. */
bool vmm_msr_protected(uint32_t msr);

/** Reads IA32_FEATURE_CONTROL and classifies it; @p f may be NULL. */
int vmm_feature_control_check(uint64_t *value, struct vmm_fmt *f);

/** Fills @p f with the outcome of a failed launch and returns its status. */
int vmm_launch_status(vmx_result_t r, struct vmm_entry_failure *f);

/** What a VM-entry failure (exit @p reason, bit 31, and @p qual) means. */
const char *vmm_entry_failure_name(uint32_t reason, uint64_t qual);

/**
 * True if a failed VM entry (@p r, and @p exit_reason when error 0) is one
 * the consistency checker can explain: VMfailValid(7), VMfailValid(8), or
 * exit reason 33 with bit 31 (SDM Vol. 3C 27.8).
 */
bool vmm_entry_diagnosable(vmx_result_t r, uint32_t exit_reason);

/**
 * Logs "VM entry failed: <decoded error>; consistency check: <finding>" for
 * a failed @p insn ("VMLAUNCH", "VMRESUME") on @p cpu, dumps the current
 * VMCS and repeats the line (entry_diag.c). In VMX root, VMCS current.
 */
void vmm_entry_diagnose(struct vmm_cpu *cpu, const char *insn, vmx_result_t r,
			uint32_t exit_reason, uint64_t qualification);

/*
 * Serial output (serial.c). vmm_serial_check() validates the platform's
 * serial settings (VMM_ERR_SERIAL_CONFIG) before init changes anything;
 * vmm_serial_start() finds and programs the UART and attaches it to the
 * console with @p ring, logging what it did; vmm_serial_stop() forgets it
 * (after the console is detached). vmm_serial_uart() is the UART in use,
 * or NULL.
 */
struct vmm_ring;
struct vmm_uart;
int vmm_serial_check(const struct flank_platform *p);
void vmm_serial_start(struct vmm_ring *ring, const struct flank_platform *p);
void vmm_serial_stop(void);
const struct vmm_uart *vmm_serial_uart(void);

#endif /* FLANK_VMM_INTERNAL_H */
