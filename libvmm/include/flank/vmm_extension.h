/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file vmm_extension.h
 * Extension hooks: the two places where an extension module (a further ELF
 * file linked against vmm.elf at load time, docs/modules.md) plugs into the
 * VMM without rebuilding it.
 *
 *  - a hypercall handler for numbers FLANK_HC_EXT_FIRST..FLANK_HC_EXT_LAST
 *    (flank/vmm_hypercall.h), reached by VMCALL from guest ring 0;
 *  - a CPUID handler for leaves FLANK_CPUID_EXT_FIRST..FLANK_CPUID_EXT_LAST,
 *    reached by CPUID from the guest at any privilege level;
 *  - a VMCS consistency checker, which the diagnostic of a failed VM entry
 *    calls to name the failing rule (the vmcs_check module registers
 *    libvmm's checker, flank/vmm_vmcs_check.h; docs/modules.md).
 *
 * vmm.elf exports every function of this header (default visibility,
 * ENDBR64 at each entry: scripts/check-image.sh checks both).
 *
 * When to register: from the module's initialisation function, which the
 * host runs (DT_INIT_ARRAY, i.e. __attribute__((constructor))) after the
 * module is linked and before the VMM's init; remove from its DT_FINI_ARRAY
 * function, which the host runs after the VMM's fini and before the
 * module's memory goes away (driver_linux/core/link.c).
 *
 * Safety: registration and removal are refused with VMM_ERR_BAD_STATE
 * while any CPU may run under Flank (state RUNNING, STOPPING or CORRUPT),
 * so no exit handler can be using a handler while it changes, and a
 * module can never be unloaded while its handler runs. The host serialises
 * registration with the state-changing calls (the driver holds its mutex
 * across link, init, fini and unlink). The handler pointers are still
 * stored and read with release/acquire atomics, so a CPU that starts later
 * sees a handler and the code it points to completely.
 *
 * One handler of each kind (and one checker): a second module registering
 * a different one gets VMM_ERR_EXTENSION_BUSY; a module removes only its
 * own.
 *
 * ENDBR64: every hook function (a handler, a checker's check and describe)
 * must start with ENDBR64, as the module's -fcf-protection=branch puts it
 * there: VMX root runs with the host's IA32_S_CET, so on a kernel with
 * indirect-branch tracking (IBT) the call through the pointer would raise
 * #CP and hang the machine. One without it is refused with
 * VMM_ERR_HOOK_NO_ENDBR on every machine, IBT or not (the registration runs
 * before the VMM's init, which is when it learns about the CPU).
 * Handlers run in VMX root on the exiting CPU with interrupts disabled:
 * they must not block, allocate or take locks that a guest could hold.
 */
#ifndef FLANK_VMM_EXTENSION_H
#define FLANK_VMM_EXTENSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * CPUID extension range: leaves an extension handler may answer. In the
 * range reserved for hypervisors (40000000H-4FFFFFFFH), next to Flank's own
 * presence leaf FLANK_CPUID_LEAF (flank/vmm_hypercall.h). Leaves of this
 * range that no handler answers get the CPU's own answer.
 */
#define FLANK_CPUID_EXT_FIRST 0x4000F100u
/** Last leaf of the CPUID extension range (see FLANK_CPUID_EXT_FIRST). */
#define FLANK_CPUID_EXT_LAST 0x4000F1FFu

/** Arguments and results of an extension hypercall (vmm_hypercall.h). */
struct vmm_hypercall_args {
	uint32_t nr;	 /**< Hypercall number, in the extension range. */
	uint32_t cpu;	 /**< CPU that made the call. */
	uint64_t arg[4]; /**< RBX, RCX, RDX, RSI of the guest. */
	uint64_t ret[3]; /**< Written back to RBX, RCX, RDX (preset 0). */
};

/**
 * An extension hypercall handler: runs in VMX root on the calling CPU with
 * interrupts disabled, must not block; returns the status for RAX.
 */
typedef int (*vmm_hypercall_ext_fn)(struct vmm_hypercall_args *args);

/** Arguments and results of an extension CPUID leaf. */
struct vmm_cpuid_args {
	uint32_t leaf;	   /**< Guest EAX, in the extension range. */
	uint32_t subleaf;  /**< Guest ECX. */
	uint32_t cpu;	   /**< CPU that executed CPUID. */
	uint32_t reserved; /**< 0. */
	/**
	 * Out: the guest's EAX, EBX, ECX, EDX. Preset to the CPU's own answer
	 * for the leaf, which the guest gets if the handler returns false.
	 * @{
	 */
	uint32_t eax, ebx, ecx, edx;
	/** @} */
};

/**
 * An extension CPUID handler: same rules as a hypercall handler. Returns
 * true if it answered (the four registers go to the guest), false to give
 * the guest the CPU's own answer.
 */
typedef bool (*vmm_cpuid_ext_fn)(struct vmm_cpuid_args *args);

/**
 * Registers @p fn for hypercall numbers FLANK_HC_EXT_FIRST to
 * FLANK_HC_EXT_LAST. VMM_OK (also if @p fn is already registered);
 * VMM_ERR_BAD_ARGUMENT if @p fn is NULL; VMM_ERR_HOOK_NO_ENDBR if @p fn
 * does not start with ENDBR64 (nothing is registered); VMM_ERR_BAD_STATE
 * while CPUs may run; VMM_ERR_EXTENSION_BUSY if another handler is
 * registered.
 */
int vmm_hypercall_set_extension(vmm_hypercall_ext_fn fn);

/**
 * Removes @p fn if it is the registered hypercall handler. VMM_OK;
 * VMM_ERR_BAD_ARGUMENT if it is not; VMM_ERR_BAD_STATE while CPUs may run.
 */
int vmm_hypercall_remove_extension(vmm_hypercall_ext_fn fn);

/**
 * As vmm_hypercall_set_extension(), for the CPUID extension range: the same
 * statuses, VMM_ERR_HOOK_NO_ENDBR included.
 */
int vmm_cpuid_set_extension(vmm_cpuid_ext_fn fn);

/** As vmm_hypercall_remove_extension(), for the CPUID handler. */
int vmm_cpuid_remove_extension(vmm_cpuid_ext_fn fn);

/**
 * What the VMCALL exit handler does for an extension number: calls the
 * registered handler with @p args (ret[] preset to 0) and returns its
 * status, or VMM_ERR_HYPERCALL_UNKNOWN if @p args->nr is outside the range
 * or no handler is registered. Exported so that a host can ask a loaded
 * image what a guest would get, without VMX (tests, tools).
 */
int vmm_hypercall_extension_call(struct vmm_hypercall_args *args);

/**
 * What the CPUID exit handler does for a leaf of the extension range:
 * calls the registered handler with @p args (eax..edx preset by the
 * caller to the CPU's answer) and returns true if it answered; false,
 * registers untouched, if @p args->leaf is outside the range, no handler
 * is registered or the handler declined. Exported like the call above.
 */
bool vmm_cpuid_extension_call(struct vmm_cpuid_args *args);

struct vmm_vmcs_check_result;

/**
 * A VMCS consistency checker (flank/vmm_vmcs_check.h gives the contract of
 * both functions): what a failed VM entry's diagnostic calls, in VMX root
 * on the failing CPU with its VMCS current, to name the failing rule.
 * Without one registered, the diagnostic still logs the CPU's error, the
 * exit reason and qualification and the VMCS dump, and says that the
 * rule-level diagnosis needs the vmcs_check module (docs/debugging.md).
 * The structure must stay valid while registered (a module's static data).
 */
struct vmm_vmcs_checker {
	/** Checks the current VMCS; as vmm_vmcs_check(). */
	int (*check)(struct vmm_vmcs_check_result *res);
	/** Describes a result in one phrase; as vmm_vmcs_check_describe(). */
	size_t (*describe)(const struct vmm_vmcs_check_result *res, char *buf,
			   size_t size);
	/**
	 * The name of a VMCS field, or NULL; as vmm_vmcs_field_name(). The
	 * image's VMCS dump (flank/vmm_vmcs_dump.h) names its fields with it:
	 * the names live in the module, not in vmm.elf (issue #6); without a
	 * checker the dump shows each field's encoding instead.
	 */
	const char *(*field_name)(uint32_t encoding);
};

/**
 * Registers @p checker for the diagnostic of failed VM entries and the
 * names of the VMCS dump. VMM_OK
 * (also if @p checker is already registered); VMM_ERR_BAD_ARGUMENT if
 * @p checker or one of its functions is NULL; VMM_ERR_HOOK_NO_ENDBR if one
 * of its functions does not start with ENDBR64 (nothing is registered);
 * VMM_ERR_BAD_STATE while CPUs may run; VMM_ERR_EXTENSION_BUSY if another
 * checker is registered.
 */
int vmm_vmcs_checker_set(const struct vmm_vmcs_checker *checker);

/**
 * Removes @p checker if it is the registered one. VMM_OK;
 * VMM_ERR_BAD_ARGUMENT if it is not; VMM_ERR_BAD_STATE while CPUs may run.
 */
int vmm_vmcs_checker_remove(const struct vmm_vmcs_checker *checker);

/**
 * The registered checker, or NULL. What the diagnostic of a failed entry
 * reads (acquire: the structure and its code are seen completely).
 */
const struct vmm_vmcs_checker *vmm_vmcs_checker_get(void);

/*
 * Hooks (docs/modules.md "Hooks"): MSR accesses, control-register bits and
 * guest memory. The same rules as the handlers above, with one difference:
 * adding or removing a hook while CPUs may run under Flank is refused with
 * VMM_ERR_HOOK_WHILE_RUNNING (not VMM_ERR_BAD_STATE), because a hook also
 * changes what start programs (the MSR bitmap, the CR0/CR4 guest/host
 * masks): it takes effect at the next start. Every hook function must
 * start with ENDBR64 (VMM_ERR_HOOK_NO_ENDBR). Callbacks run in VMX root on
 * the exiting CPU with interrupts disabled: no sleeping, no locks, no
 * printk (log with vmm_ring_printf()-style ring writes only).
 */

/** What a hook callback decides. */
enum vmm_hook_action {
	/** The access happens as the guest asked. */
	VMM_HOOK_ALLOW = 0,
	/**
	 * Refused. MSR hooks: #GP(0) injected, nothing read or written, RIP
	 * at the RDMSR/WRMSR (what hardware does for a refused WRMSR). CR
	 * hooks: the write takes effect with the protected bits kept set.
	 */
	VMM_HOOK_DENY = 1,
	/**
	 * MSR hooks only: write (WRMSR) or return (RDMSR) the callback's
	 * args->value instead. A CR hook returning it, or any unknown value,
	 * counts as VMM_HOOK_DENY (fail closed).
	 */
	VMM_HOOK_REPLACE = 2,
	/**
	 * Page hooks only: a page fault for the guest instead of #GP(0):
	 * vector 14 with the error code of SDM Vol. 3A 4.7 (P if the EPT
	 * entry was present, W for a write, U at CPL 3 outside event
	 * delivery, I/D for a fetch with CR4.SMEP or EFER.NXE) and CR2 = the
	 * guest-linear address. Only when
	 * the violation reported the linear address's own translation (exit
	 * qualification bits 7 and 8); otherwise #GP(0) (fail closed). MSR
	 * and CR hooks take it as VMM_HOOK_DENY.
	 */
	VMM_HOOK_PAGE_FAULT = 3,
};

/** vmm_msr_hook_add() access bit: RDMSR of the MSRs exits to the hook. */
#define VMM_MSR_HOOK_READ 0x1u
/** vmm_msr_hook_add() access bit: WRMSR of the MSRs exits to the hook. */
#define VMM_MSR_HOOK_WRITE 0x2u
/** Entries of the MSR hook table (each one a range of MSR indexes). */
#define VMM_MSR_HOOKS_MAX 16u

/** What an MSR hook sees and may change. */
struct vmm_msr_hook_args {
	uint32_t msr;	   /**< Guest ECX: the MSR index. */
	uint32_t cpu;	   /**< CPU that executed RDMSR/WRMSR. */
	uint32_t write;	   /**< 1 for WRMSR, 0 for RDMSR. */
	uint32_t reserved; /**< 0. */
	uint64_t rip;	   /**< Guest RIP of the instruction. */
	/**
	 * WRMSR: the guest's EDX:EAX. RDMSR: the value the guest would get
	 * (the MSR was read first; an MSR whose read faults gets #GP without
	 * calling the hook). With VMM_HOOK_REPLACE, the value written or
	 * returned instead; a written value still passes the checks WRMSR
	 * makes (#GP(0) for a reserved bit, a non-canonical address, ...).
	 */
	uint64_t value;
};

/** An MSR hook: returns an enum vmm_hook_action. */
typedef enum vmm_hook_action (*vmm_msr_hook_fn)(struct vmm_msr_hook_args *a);

/**
 * Hooks MSRs @p first .. @p first + @p count - 1 for the accesses in
 * @p access (VMM_MSR_HOOK_READ and/or VMM_MSR_HOOK_WRITE) with @p fn: from
 * the next start, the MSR bitmap makes exactly those accesses exit, and
 * the exit calls @p fn. No allocation: a table of VMM_MSR_HOOKS_MAX
 * entries. VMM_OK (also, adding nothing, if exactly this hook is
 * registered already); VMM_ERR_BAD_ARGUMENT for a NULL @p fn, @p count 0 or
 * an unknown or empty @p access; VMM_ERR_HOOK_NO_ENDBR;
 * VMM_ERR_HOOK_WHILE_RUNNING; VMM_ERR_MSR_HOOK_RANGE if the range leaves
 * 0-1FFFH or C0000000H-C0001FFFH (or wraps): MSRs outside the bitmap
 * always exit and cannot be hooked one by one; VMM_ERR_MSR_HOOK_RESERVED
 * if it covers IA32_FEATURE_CONTROL or an IA32_VMX_* MSR (Flank's own);
 * VMM_ERR_HOOK_OVERLAP if any of its MSRs is hooked already by another
 * hook (another function, range or access); VMM_ERR_HOOK_TABLE_FULL.
 */
int vmm_msr_hook_add(uint32_t first, uint32_t count, uint32_t access,
		     vmm_msr_hook_fn fn);

/**
 * Removes the hook that starts at @p first and calls @p fn. VMM_OK;
 * VMM_ERR_BAD_ARGUMENT if there is none; VMM_ERR_HOOK_WHILE_RUNNING.
 */
int vmm_msr_hook_remove(uint32_t first, vmm_msr_hook_fn fn);

/** vmm_cr_hook_set() bit: a MOV to CR0 (or CLTS/LMSW) clearing CR0.WP. */
#define VMM_CR_HOOK_CR0_WP 0x1u
/** vmm_cr_hook_set() bit: a MOV to CR4 clearing CR4.SMEP. */
#define VMM_CR_HOOK_CR4_SMEP 0x2u
/** vmm_cr_hook_set() bit: a MOV to CR4 clearing CR4.SMAP. */
#define VMM_CR_HOOK_CR4_SMAP 0x4u
/** Every vmm_cr_hook_set() bit. */
#define VMM_CR_HOOK_ALL 0x7u

/** What a control-register hook sees. */
struct vmm_cr_hook_args {
	uint32_t cpu;	    /**< CPU that executed the MOV. */
	uint32_t cr;	    /**< 0 or 4. */
	uint32_t clearing;  /**< VMM_CR_HOOK_* bits the write clears. */
	uint32_t reserved;  /**< 0. */
	uint64_t rip;	    /**< Guest RIP of the instruction. */
	uint64_t old_value; /**< The register as the guest sees it. */
	uint64_t new_value; /**< What the guest writes. */
};

/**
 * A control-register hook: VMM_HOOK_ALLOW lets the bits clear;
 * VMM_HOOK_DENY (and anything else) makes the write take effect with the
 * bits in args->clearing kept set, in the real register and in the read
 * shadow alike, so the guest reads back what the CPU enforces.
 */
typedef enum vmm_hook_action (*vmm_cr_hook_fn)(
	const struct vmm_cr_hook_args *args);

/**
 * Registers @p fn for the clearing of the bits in @p bits (VMM_CR_HOOK_*):
 * from the next start those bits are in the CR0/CR4 guest/host masks (a
 * MOV that changes them exits; the guest reads them from the read shadow).
 * One CR hook: VMM_OK (also to change the bits of the registered @p fn);
 * VMM_ERR_BAD_ARGUMENT for NULL or for @p bits 0 or unknown;
 * VMM_ERR_HOOK_NO_ENDBR; VMM_ERR_HOOK_WHILE_RUNNING;
 * VMM_ERR_EXTENSION_BUSY if another function is registered.
 */
int vmm_cr_hook_set(uint32_t bits, vmm_cr_hook_fn fn);

/** Removes @p fn. VMM_OK; VMM_ERR_BAD_ARGUMENT if it is not the CR hook;
 * VMM_ERR_HOOK_WHILE_RUNNING. */
int vmm_cr_hook_remove(vmm_cr_hook_fn fn);

#define VMM_PAGE_HOOK_R 0x1u /**< vmm_page_hook_add(): read (EPT bit 0). */
#define VMM_PAGE_HOOK_W 0x2u /**< vmm_page_hook_add(): write (EPT bit 1). */
#define VMM_PAGE_HOOK_X 0x4u /**< vmm_page_hook_add(): execute (bit 2). */
/** Entries of the page hook table (one 4 KiB page each). */
#define VMM_PAGE_HOOKS_MAX 16u

/** What a page hook sees: one EPT violation on its page. */
struct vmm_page_hook_args {
	uint64_t gpa;	    /**< Guest-physical address accessed. */
	uint64_t gla;	    /**< Guest-linear address if gla_valid, else 0. */
	uint64_t rip;	    /**< Guest RIP of the instruction. */
	uint32_t cpu;	    /**< CPU that made the access. */
	uint32_t access;    /**< VMM_PAGE_HOOK_R, _W or _X: the access. */
	uint32_t gla_valid; /**< 1 if the exit reported a linear address. */
	/**
	 * 0 if the guest's instruction made the access. Otherwise the CPU
	 * made it while delivering an interrupt or exception through the
	 * guest's IDT (reading the IDT, GDT or TSS, pushing the frame): the
	 * event, in the IDT-vectoring format of SDM Vol. 3C 28.2.4 (bit 31
	 * set, bits 7:0 vector, 10:8 type, 11 error code); @c rip is then
	 * where the event interrupted the guest, not an instruction that
	 * made the access. VMM_HOOK_ALLOW has the event delivered again
	 * with the access; a #GP or #PF answer is a fault in its delivery,
	 * combined with it as the CPU would (#DF, or shutdown while
	 * delivering #DF; docs/modules.md "Page hooks during event
	 * delivery").
	 */
	uint32_t event;
};

/**
 * A page hook: VMM_HOOK_ALLOW lets this one access through (allow once,
 * docs/modules.md "Page hooks": the page is opened, the instruction
 * single-stepped with the monitor trap flag, the page closed again);
 * VMM_HOOK_PAGE_FAULT injects #PF (CR2 = args->gla) when the violation
 * reported the linear address's translation, else #GP(0); VMM_HOOK_DENY,
 * and anything else, injects #GP(0) at the instruction. For a split view
 * (vmm_page_hook_shadow) VMM_HOOK_ALLOW switches the view instead. There
 * is no "skip": an EPT violation reports no instruction length.
 */
typedef enum vmm_hook_action (*vmm_page_hook_fn)(
	const struct vmm_page_hook_args *args);

/**
 * Hooks the 4 KiB guest-physical page at @p gpa: from the next start (with
 * EPT on), its EPT entry lacks the permissions in @p remove
 * (VMM_PAGE_HOOK_*), and an access that needs one calls @p fn. VMM_OK
 * (also if exactly this hook exists); VMM_ERR_BAD_ARGUMENT for a NULL
 * @p fn, @p gpa not page aligned, @p remove 0 or unknown, or a removal
 * that leaves a write without read or an execute-only page (R without W,
 * or R and W without X: an EPT misconfiguration, or execute-only, which
 * vmm_page_hook_shadow() offers);
 * VMM_ERR_HOOK_NO_ENDBR; VMM_ERR_HOOK_WHILE_RUNNING; VMM_ERR_HOOK_OVERLAP
 * if another hook has the page; VMM_ERR_HOOK_TABLE_FULL.
 */
int vmm_page_hook_add(uint64_t gpa, uint32_t remove, vmm_page_hook_fn fn);

/**
 * A split view of the 4 KiB guest-physical page at @p gpa (docs/modules.md
 * "Split view"): from the next start (with EPT on), instruction fetches
 * from the page read a copy of the 4096 bytes at @p shadow, taken at
 * start, and reads and writes reach the page itself. The EPT leaf is
 * execute-only on the copy, or read/write without execute on the page;
 * an access the current view does not allow calls @p fn, and
 * VMM_HOOK_ALLOW switches the view (INVEPT on this CPU); VMM_HOOK_DENY
 * and VMM_HOOK_PAGE_FAULT are answered as for vmm_page_hook_add().
 * VMM_OK (also if exactly this view exists); VMM_ERR_BAD_ARGUMENT for a
 * NULL @p fn or @p shadow or @p gpa not page aligned;
 * VMM_ERR_HOOK_NO_ENDBR; VMM_ERR_HOOK_WHILE_RUNNING;
 * VMM_ERR_EPT_NO_EXEC_ONLY if the CPU has no EPT with execute-only pages
 * (IA32_VMX_EPT_VPID_CAP[0]); VMM_ERR_HOOK_OVERLAP if another hook has
 * the page; VMM_ERR_HOOK_TABLE_FULL (the table of vmm_page_hook_add()).
 */
int vmm_page_hook_shadow(uint64_t gpa, const void *shadow, vmm_page_hook_fn fn);

/**
 * Removes the hook of page @p gpa if it calls @p fn. VMM_OK;
 * VMM_ERR_BAD_ARGUMENT if there is none; VMM_ERR_HOOK_WHILE_RUNNING.
 */
int vmm_page_hook_remove(uint64_t gpa, vmm_page_hook_fn fn);

/**
 * Copies @p len bytes between physical address @p pa and @p buf (to memory
 * if @p write), all within one 4 KiB page, through the host's checked
 * platform op (flank_platform.phys_copy: RAM the host maps, never a fault).
 * VMM_OK; VMM_ERR_GUEST_PHYS if the host refused the page, has no such op,
 * or the range is empty, crosses a page or @p buf is NULL. The one way to
 * physical memory that vmm.elf exports; the helpers below build on it.
 */
int vmm_guest_phys_page(uint64_t pa, void *buf, uint32_t len, bool write);

/*
 * The guest memory helpers below are not in vmm.elf (its 64 KiB budget):
 * they live in libvmm_guest.a, which a module that calls them links, with
 * intrinsics_real.a for VMREAD (libvmm/modules/example/CMakeLists.txt).
 */

/** Largest guest memory copy, in bytes (a bound on time in VMX root). */
#define VMM_GUEST_COPY_MAX 4096u

/**
 * Translates guest linear address @p gla through the guest page tables at
 * @p cr3 (4-level, or 5-level if @p la57) as the CPU would, to @p gpa:
 * 1 GiB and 2 MiB pages included; permissions are not checked (the VMM
 * reads what the guest could not). Guest-physical addresses equal host
 * physical ones (no EPT yet). Entries are read through the platform's
 * phys_copy, so a table outside RAM is an error, not a fault. VMM_OK;
 * VMM_ERR_BAD_ARGUMENT (@p gpa NULL); VMM_ERR_GUEST_NONCANONICAL;
 * VMM_ERR_GUEST_NOT_PRESENT; VMM_ERR_GUEST_RESERVED_BIT (address bits
 * beyond MAXPHYADDR, PS in a PML5E/PML4E, a large page's reserved
 * bits); VMM_ERR_GUEST_PHYS.
 */
int vmm_guest_translate_cr3(uint64_t cr3, bool la57, uint64_t gla,
			    uint64_t *gpa);

/**
 * As vmm_guest_translate_cr3() with the guest's CR3 and CR4.LA57 from the
 * current VMCS: for hook callbacks (VMX root, exiting CPU).
 * VMM_ERR_VMREAD if the VMCS cannot be read.
 */
int vmm_guest_translate(uint64_t gla, uint64_t *gpa);

/**
 * Copies @p len (1 .. VMM_GUEST_COPY_MAX) bytes of guest-physical memory
 * at @p gpa to @p buf / from @p buf, page by page through the platform's
 * phys_copy: VMM_OK; VMM_ERR_BAD_ARGUMENT (@p buf NULL);
 * VMM_ERR_GUEST_COPY_SIZE; VMM_ERR_GUEST_PHYS (a page the host refused;
 * pages before it were copied). Never faults.
 * @{
 */
int vmm_guest_phys_read(uint64_t gpa, void *buf, size_t len);
int vmm_guest_phys_write(uint64_t gpa, const void *buf, size_t len);
/** @} */

/**
 * Copies @p len bytes of guest linear memory, translated page by page
 * with vmm_guest_translate() (the current VMCS's CR3): the statuses of
 * both calls. Guest write protection is not applied.
 * @{
 */
int vmm_guest_read(uint64_t gla, void *buf, size_t len);
int vmm_guest_write(uint64_t gla, const void *buf, size_t len);
/** @} */

/**
 * Logs one line, formatted as flank/vmm_format.h describes (at most
 * VMM_RING_TEXT_MAX bytes), at @p level (enum flank_log_level): into the
 * debug ring always, and to the host's log only outside VMX root. What a
 * hook callback uses to report what it saw ('flankctl dump' shows it).
 */
void vmm_extension_logf(uint32_t level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/**
 * An init hook: what a module needs to do once the VMM has its platform
 * (vmm_init_hook_set()). Returns VMM_OK, or a status that refuses the
 * image's init (the host's load fails with it).
 */
typedef int (*vmm_init_hook_fn)(void);

/**
 * Registers @p fn to run at the end of the image's init (vmm_init()), once
 * the platform, the debug ring and the host's log are in place: a module's
 * own init runs before that (DT_INIT_ARRAY precedes the image's init) and
 * can reach neither guest memory (vmm_guest_phys_page() needs the host's
 * phys_copy) nor the log. It runs in the host's context on the loading
 * CPU, with no CPU under Flank: it may log, read the host's own page
 * tables and memory with the helpers above, and add hooks (they take
 * effect at the next start). A status other than VMM_OK undoes the init
 * and is what it returns; @p fn should then take back what it added. Once
 * per init (a module whose hooks depend on what it finds removes the old
 * ones first). The rules of the handlers: VMM_OK (also if @p fn is
 * registered already); VMM_ERR_BAD_ARGUMENT for NULL;
 * VMM_ERR_HOOK_NO_ENDBR; VMM_ERR_BAD_STATE while CPUs may run;
 * VMM_ERR_EXTENSION_BUSY if another init hook is registered.
 */
int vmm_init_hook_set(vmm_init_hook_fn fn);

/**
 * Removes @p fn if it is the registered init hook. VMM_OK;
 * VMM_ERR_BAD_ARGUMENT if it is not; VMM_ERR_BAD_STATE while CPUs may run.
 */
int vmm_init_hook_remove(vmm_init_hook_fn fn);

#endif /* FLANK_VMM_EXTENSION_H */
