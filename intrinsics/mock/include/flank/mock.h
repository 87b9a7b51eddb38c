/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file mock.h
 * The emulated VT-x: scripting and inspection API for tests (prefix mock_).
 *
 * The emulated backend defines every function of flank/intrinsics.h on top
 * of a model of N CPUs (state, MSR file, CPUID table, VMX operation, VMCS
 * contents by physical address) and a physical memory model. This header is
 * how a test sets that model up, injects faults, drives guest events (VM
 * exits) and asserts on the result. Only tests include it; libvmm never does.
 *
 * The intrinsics act on the "current CPU" (mock_set_current_cpu()), the way
 * an instruction acts on the CPU that executes it.
 */
#ifndef FLANK_MOCK_H
#define FLANK_MOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flank/intrinsics.h"

/** Maximum number of emulated CPUs. */
#define MOCK_MAX_CPUS 256u
/** Selects every CPU in the functions that take a CPU number. */
#define MOCK_ALL_CPUS 0xFFFFFFFFu

/* ------------------------------------------------------------------------ */
/* Lifecycle and profiles                                                    */
/* ------------------------------------------------------------------------ */

/**
 * Resets the whole model and creates @p ncpus CPUs (1..MOCK_MAX_CPUS) of the
 * named profile, in the state Linux leaves a CPU in (64-bit mode, CPL 0,
 * paging on, CR4.VMXE clear, IA32_FEATURE_CONTROL as the profile says).
 * Returns 0, or -1 for an unknown profile or a bad CPU count.
 */
int mock_init(const char *profile, unsigned ncpus);

/** Frees everything mock_init() and the test created; no leaks remain. */
void mock_fini(void);

/** NULL-terminated list of the profile names mock_init() accepts. */
const char *const *mock_profile_names(void);

/** Name of the active profile. */
const char *mock_profile_name(void);

/** Number of CPUs of the model. */
unsigned mock_cpu_count(void);

/** Selects the CPU that subsequent intrinsics execute on. */
void mock_set_current_cpu(unsigned cpu);

/** The CPU that intrinsics execute on. */
unsigned mock_current_cpu(void);

/* ------------------------------------------------------------------------ */
/* Physical memory                                                           */
/* ------------------------------------------------------------------------ */

/**
 * Makes @p size bytes of host memory at @p host (4 KiB aligned, size a
 * multiple of 4 KiB) visible at a fresh physical address, which is returned.
 * Physical addresses handed out lie within the profile's physical-address
 * width. VMXON regions, VMCSs, bitmaps and MSR lists are read and written
 * through this mapping, so their contents are checked for real.
 */
paddr_t mock_mem_map(void *host, size_t size);

/**
 * Reads @p len bytes of physical memory as the CPU's bus would: unmapped
 * bytes read as all ones (nothing answers). False if any byte is unmapped.
 */
bool mock_mem_read_phys(paddr_t pa, void *buf, size_t len);

/**
 * Makes @p size bytes of host memory at @p host visible at physical
 * address @p pa, chosen by the test: 4 KiB aligned, within the
 * physical-address width and not mapped already (otherwise a model
 * violation "MEM.map_*"). Later mock_mem_map() calls skip it.
 */
paddr_t mock_mem_map_at(void *host, size_t size, paddr_t pa);

/** One past the highest physical byte ever mapped (0 if none). */
uint64_t mock_mem_highest(void);

/**
 * Sets MAXPHYADDR (CPUID.80000008H:EAX[7:0] of every CPU, and the width
 * every physical-address check uses) to @p bits, 32-52. Returns -1 (and
 * changes nothing) outside that range or if memory is mapped beyond it.
 */
int mock_set_phys_addr_width(unsigned bits);

/**
 * Unmapped physical memory reads as @p byte from now on (the profile
 * says all ones, a PC platform's master abort).
 */
void mock_set_unmapped_byte(uint8_t byte);

/** Removes a mapping made by mock_mem_map(). */
void mock_mem_unmap(void *host);

/**
 * Returns the host address of @p size bytes at physical address @p pa, or
 * NULL if any of them is not mapped.
 */
void *mock_mem_host(paddr_t pa, size_t size);

/**
 * Number of VMCSs the model holds: one per physical address used as a VMCS
 * whose memory is still mapped (or that a CPU still has active).
 */
size_t mock_vmcs_tracked(void);

/** Physical-address width of the profile (CPUID.80000008H:EAX[7:0]). */
unsigned mock_phys_addr_width(void);

/* ------------------------------------------------------------------------ */
/* CPU state                                                                 */
/* ------------------------------------------------------------------------ */

/** VMX operation of a CPU. */
enum mock_vmx_mode {
	MOCK_VMX_OUTSIDE = 0,
	MOCK_VMX_ROOT = 1,
	MOCK_VMX_NONROOT = 2,
};

/** A segment register as the CPU caches it. */
struct mock_segment {
	uint16_t selector; /**< The visible part: the selector. */
	uint64_t base;	   /**< Cached base address. */
	uint32_t limit;	   /**< Cached limit in bytes (already scaled by G). */
	uint32_t ar; /**< VMCS access-rights format, AR_UNUSABLE when null. */
};

/** Indexes of mock_cpu_regs.seg. */
enum mock_seg {
	MOCK_SEG_ES,
	MOCK_SEG_CS,
	MOCK_SEG_SS,
	MOCK_SEG_DS,
	MOCK_SEG_FS,
	MOCK_SEG_GS,
	MOCK_SEG_LDTR,
	MOCK_SEG_TR,
	MOCK_SEG_COUNT
};

/** The architectural register state of one CPU (not its MSR file). */
struct mock_cpu_regs {
	/** The register of that name. @{ */
	uint64_t cr0, cr2, cr3, cr4, cr8, dr7, rflags, xcr0;
	/** @} */
	unsigned cpl; /**< Current privilege level. */
	struct mock_segment
		seg[MOCK_SEG_COUNT]; /**< Indexed by enum mock_seg. */
	/** GDTR and IDTR. @{ */
	struct cpu_dtr gdtr, idtr;
	/** @} */
};

/** Reads the register state of @p cpu. */
void mock_cpu_get_regs(unsigned cpu, struct mock_cpu_regs *out);

/** Replaces the register state of @p cpu (for test setup). */
void mock_cpu_set_regs(unsigned cpu, const struct mock_cpu_regs *regs);

/** VMX operation of @p cpu. */
enum mock_vmx_mode mock_vmx_mode(unsigned cpu);

/** A copy of one CPU's state taken by mock_cpu_snapshot() (opaque). */
struct mock_cpu_snapshot;
/**
 * Takes a snapshot of everything a VMM start/stop must give back on @p cpu:
 * registers, every MSR of the MSR file, VMX operation and XCR0. Free it with
 * mock_cpu_snapshot_free().
 */
struct mock_cpu_snapshot *mock_cpu_snapshot(unsigned cpu);
/**
 * Compares @p cpu with @p snap (VMX operation must be outside). Returns true
 * if equal; otherwise writes a description of the first difference to
 * @p why (@p why_size bytes) and returns false.
 */
bool mock_cpu_snapshot_equal(const struct mock_cpu_snapshot *snap, unsigned cpu,
			     char *why, size_t why_size);
/** Frees a snapshot taken by mock_cpu_snapshot(). */
void mock_cpu_snapshot_free(struct mock_cpu_snapshot *snap);

/* ------------------------------------------------------------------------ */
/* MSRs and CPUID                                                            */
/* ------------------------------------------------------------------------ */

/** Sets MSR @p msr of @p cpu (or MOCK_ALL_CPUS) to @p value, creating it. */
void mock_msr_set(unsigned cpu, uint32_t msr, uint64_t value);

/** Reads MSR @p msr of @p cpu; false if the MSR does not exist. */
bool mock_msr_get(unsigned cpu, uint32_t msr, uint64_t *value);

/** Makes RDMSR (@p on_read) and/or WRMSR (@p on_write) of @p msr #GP. */
void mock_msr_gp(unsigned cpu, uint32_t msr, bool on_read, bool on_write);

/** Removes MSR @p msr, so that accessing it raises #GP like any absent MSR. */
void mock_msr_remove(unsigned cpu, uint32_t msr);

/** Sets the CPUID answer for (@p leaf, @p subleaf) on @p cpu. */
void mock_cpuid_set(unsigned cpu, uint32_t leaf, uint32_t subleaf,
		    const struct cpu_cpuid_regs *regs);

/** Register selector for mock_cpuid_change_bits(). */
enum mock_cpuid_reg { MOCK_EAX, MOCK_EBX, MOCK_ECX, MOCK_EDX };

/** Clears @p clear then sets @p set in one register of a CPUID answer. */
void mock_cpuid_change_bits(unsigned cpu, uint32_t leaf, uint32_t subleaf,
			    enum mock_cpuid_reg reg, uint32_t clear,
			    uint32_t set);

/** Makes a leaf absent (answers like a leaf above the maximum). */
void mock_cpuid_remove(unsigned cpu, uint32_t leaf);

/* ------------------------------------------------------------------------ */
/* Fault injection and the call trace                                        */
/* ------------------------------------------------------------------------ */

/** One value per intrinsic of flank/intrinsics.h. */
enum mock_op {
	MOCK_OP_VMXON,
	MOCK_OP_VMXOFF,
	MOCK_OP_VMCLEAR,
	MOCK_OP_VMPTRLD,
	MOCK_OP_VMPTRST,
	MOCK_OP_VMREAD,
	MOCK_OP_VMWRITE,
	MOCK_OP_VMLAUNCH,
	MOCK_OP_VMRESUME,
	MOCK_OP_INVEPT,
	MOCK_OP_INVVPID,
	MOCK_OP_VMCALL,
	MOCK_OP_CPUID,
	MOCK_OP_RDMSR,
	MOCK_OP_WRMSR,
	MOCK_OP_XSETBV,
	MOCK_OP_XGETBV,
	MOCK_OP_READ_CR,
	MOCK_OP_WRITE_CR,
	MOCK_OP_READ_DR7,
	MOCK_OP_WRITE_DR7,
	MOCK_OP_READ_RFLAGS,
	MOCK_OP_SGDT,
	MOCK_OP_SIDT,
	MOCK_OP_LGDT,
	MOCK_OP_LIDT,
	MOCK_OP_READ_SEG,
	MOCK_OP_LSL,
	MOCK_OP_LAR,
	MOCK_OP_INVD,
	MOCK_OP_WBINVD,
	MOCK_OP_IN,
	MOCK_OP_OUT,
	MOCK_OP_PAUSE,
	MOCK_OP_HLT,
	MOCK_OP_SWAPGS,
	MOCK_OP_RSB_FILL,
	MOCK_OP_RSB_GUARD,
	MOCK_OP_VERW,
	MOCK_OP_COUNT
};

/** Name of an operation ("vmxon", "rdmsr", ...), as scenarios spell it. */
const char *mock_op_name(enum mock_op op);

/** Looks an operation up by name; returns MOCK_OP_COUNT if unknown. */
enum mock_op mock_op_from_name(const char *name);

/** One executed intrinsic, as recorded in the trace. */
struct mock_call {
	enum mock_op op;     /**< The intrinsic that ran. */
	unsigned cpu;	     /**< The CPU it ran on. */
	uint64_t arg[2];     /**< e.g. field and value, MSR and value, port. */
	vmx_result_t result; /**< For non-VMX ops: VMX_EXCEPTION on #GP. */
	bool injected;	     /**< The outcome came from fault injection. */
};

/**
 * Makes the @p nth (1-based, counted from now) call of @p op fail with
 * @p outcome. For VMX instructions the outcome is any vmx_result_t; for
 * RDMSR/WRMSR/XSETBV an outcome of VMX_EXCEPTION with error 13 makes them
 * report #GP. Other operations cannot fail architecturally and reject
 * injection (returns -1). Returns 0 when armed.
 */
int mock_fail_nth(enum mock_op op, unsigned nth, vmx_result_t outcome);

/** A predicate over a call about to execute. */
typedef bool (*mock_call_pred)(const struct mock_call *call, void *arg);

/** Makes every call for which @p pred returns true fail with @p outcome. */
int mock_fail_when(mock_call_pred pred, void *arg, vmx_result_t outcome);

/** Disarms all fault injection. */
void mock_fail_clear(void);

/** Number of calls of @p op since mock_init() or mock_trace_clear(). */
unsigned mock_call_count(enum mock_op op);

/** Enables or disables recording of the call trace. */
void mock_trace_enable(bool on);
/** Number of recorded calls. */
size_t mock_trace_len(void);
/** The @p i-th recorded call. */
const struct mock_call *mock_trace_at(size_t i);
/** Forgets the recorded calls and resets the per-op call counters. */
void mock_trace_clear(void);

/**
 * One change of the GS base pair of a CPU: what changed it (an operation's
 * name as mock_op_name() spells it, "vm-exit" or "vm-entry") and both
 * values right after it.
 */
struct mock_gs_event {
	const char *what;	 /**< "wrmsr", "read_seg" (MOV to GS), ... */
	uint64_t gs_base;	 /**< The active GS base (IA32_GS_BASE). */
	uint64_t kernel_gs_base; /**< IA32_KERNEL_GS_BASE. */
};

/** Capacity of a CPU's GS log; later changes set mock_gs_log_lost(). */
#define MOCK_GS_LOG_MAX 64u

/**
 * Starts (or restarts) the GS log of @p cpu: from now on every instruction
 * or VM transition that changes the GS base or IA32_KERNEL_GS_BASE of that
 * CPU appends one event, so that a test can check the state an NMI would
 * find between any two of them. Off until first called.
 */
void mock_gs_log_clear(unsigned cpu);
/** Number of events in the GS log of @p cpu. */
size_t mock_gs_log_len(unsigned cpu);
/** The @p i-th event of the GS log of @p cpu (NULL if out of range). */
const struct mock_gs_event *mock_gs_log_at(unsigned cpu, size_t i);
/** True if the GS log of @p cpu was full and dropped events. */
bool mock_gs_log_lost(unsigned cpu);

/* ------------------------------------------------------------------------ */
/* Exceptions the hardware would raise                                       */
/* ------------------------------------------------------------------------ */

/**
 * Called when an intrinsic raises an exception that was not expected, with
 * the rule that fired (e.g. "VMXON.ud_cr4_vmxe") and a message. The default
 * prints both and aborts: code that would fault on hardware never passes.
 * Test support installs a handler that fails the running CMocka test.
 */
typedef void (*mock_exception_handler)(const char *rule, const char *message);
/** Installs @p handler for unexpected exceptions (NULL: the default). */
void mock_set_exception_handler(mock_exception_handler handler);

/**
 * Declares that the next exception with @p vector raised by @p op is
 * expected: it is then recorded instead of reported.
 */
void mock_expect_exception(enum mock_op op, uint32_t vector);

/** The rule of the last exception raised (expected or not), or NULL. */
const char *mock_last_exception_rule(void);

/**
 * The error code of the last exception raised (#PF's fault code, 0 for
 * #GP(0)/#SS(0) and for exceptions without an error code).
 */
uint32_t mock_last_exception_error_code(void);

/**
 * Gives the next VMX instruction with a memory operand (VMXON, VMCLEAR,
 * VMPTRLD, VMPTRST, VMREAD's destination, VMWRITE's source, the INVEPT and
 * INVVPID descriptors) executed on the current CPU its operand in the
 * emulated linear address space, at effective address @p offset through
 * segment @p seg (MOCK_SEG_ES to MOCK_SEG_GS), instead of the intrinsic's
 * argument: the instruction reads (writes) it there through the segment
 * checks of its mode and, with CR0.PG = 1, IA-32e paging from CR3 (4- or
 * 5-level), raising #GP(0), #SS(0) or #PF in the order of SDM Vol. 3C
 * 31.3 (docs/emulator.md, "Memory operands"). One instruction only: the
 * next one on that CPU that has a memory operand disarms it, whatever its
 * outcome. An operand stored there (VMPTRST, VMREAD) is also returned
 * through the intrinsic's pointer on success.
 */
void mock_operand_at(enum mock_seg seg, uint64_t offset);

/** Expectations armed by mock_expect_exception() and not yet consumed. */
unsigned mock_expected_exceptions_pending(void);

/**
 * Undefined behaviour of the code under test, where the SDM says the
 * outcome is undefined or unpredictable and the model therefore reports it
 * instead of picking an outcome silently: an ordinary memory write to the
 * region of an active VMCS ("VMCS.region_written_active", SDM Vol. 3C
 * 25.11.1), found by the next VMPTRLD, VMCLEAR, VMXOFF or VM entry on that
 * VMCS; VMPTRLD of a VMCS active on another CPU ("VMCS.active_on_two_cpus",
 * 25.11.1). Each event is counted; it goes to the exception handler (failing
 * the test) unless mock_allow_undefined(true) declared it expected.
 */
void mock_allow_undefined(bool allow);
/** Undefined-behaviour events since mock_init(), expected or not. */
unsigned mock_undefined_count(void);
/** Rule of the last undefined-behaviour event, or NULL. */
const char *mock_last_undefined_rule(void);

/* ------------------------------------------------------------------------ */
/* VM entry verdicts                                                         */
/* ------------------------------------------------------------------------ */

/** Result of the last VM entry attempted on a CPU. */
struct mock_entry_verdict {
	bool entered;	      /**< True if the CPU entered VMX non-root. */
	vmx_result_t result;  /**< VMfailInvalid / VMfailValid(n) if refused. */
	uint32_t exit_reason; /**< 33, 34 ... with bit 31, on entry failure. */
	uint64_t qualification; /**< Exit qualification of that failure. */
	const char *rule;	/**< Stable identifier, e.g. "H6.cs_null". */
	const char *citation;	/**< SDM section of the rule. */
};

/** The verdict of the last VMLAUNCH/VMRESUME on @p cpu. */
const struct mock_entry_verdict *mock_last_entry(unsigned cpu);

/* ------------------------------------------------------------------------ */
/* Guest events: VM exits                                                    */
/* ------------------------------------------------------------------------ */

/**
 * A guest event on a CPU in VMX non-root. The model writes the exit
 * information a real CPU writes (SDM Vol. 3C 28.2), saves guest state, loads
 * host state (28.5), checks HOST_RIP == intrin_vmexit_entry and that HOST_RSP
 * lies in mapped memory, calls vmm_exit_handler(), and then performs the
 * VMRESUME the real exit entry would, with every entry check again, or
 * leaves VMX as the handler asked.
 */
struct mock_exit_event {
	uint32_t reason;	   /**< Basic exit reason. */
	uint64_t qualification;	   /**< Exit qualification. */
	uint32_t instruction_len;  /**< VM-exit instruction length. */
	uint32_t instruction_info; /**< VM-exit instruction information. */
	uint32_t intr_info;	   /**< VM-exit interruption information. */
	uint32_t intr_error_code;  /**< VM-exit interruption error code. */
	/**
	 * IDT-vectoring information and error code (SDM Vol. 3C 28.2.4): the
	 * event whose delivery the exit interrupted; 0 for every other exit.
	 * @{
	 */
	uint32_t idt_vectoring_info;
	uint32_t idt_vectoring_error_code;
	/** @} */
	struct intrin_gprs gprs; /**< Guest GPRs at the exit. */
};

/** What happened after the handler returned. */
struct mock_exit_outcome {
	enum intrin_exit_action action; /**< Resume or leave. */
	struct intrin_gprs gprs;	/**< Guest GPRs after the exit. */
	/** GUEST_RIP before and after the exit. @{ */
	uint64_t rip_before, rip_after;
	/** @} */
	bool injected;		      /**< An event was injected. */
	uint32_t injected_info;	      /**< VM-entry interruption info. */
	uint32_t injected_error_code; /**< Its error code, if it has one. */
	/**
	 * CR2 when the injected event was delivered: what the guest's
	 * handler reads. VM entry does not load CR2 (not in the VMCS, SDM
	 * Vol. 3C 25.4.1) and injecting #PF does not write it (27.6.1): it
	 * is what the VMM left in the register.
	 */
	uint64_t injected_cr2;
	/** GUEST_PENDING_DBG_EXCEPTIONS when the VMRESUME entered. */
	uint64_t pending_dbg;
	/**
	 * The resuming entry delivered a #DB before the guest's first
	 * instruction (pending debug exceptions, SDM Vol. 3C 27.7.3), with
	 * these DR6 bits (B3-B0, BS).
	 */
	bool debug_trap;
	uint64_t debug_trap_dr6;	  /**< DR6 bits of that #DB. */
	struct mock_entry_verdict resume; /**< Verdict of the VMRESUME. */
	/**
	 * The instruction raised exception @c fault_vector in the guest
	 * (mock_guest_gated()): delivered through the guest's IDT, or a VM
	 * exit if the exception bitmap intercepts it. @{
	 */
	bool faulted;
	uint32_t fault_vector;
	/** @} */
};

/**
 * Delivers @p event as a VM exit on the current CPU. Returns 0 if the exit
 * was delivered (see @p out), -1 if the CPU is not in VMX non-root or the
 * event is one the current controls would not turn into an exit.
 */
int mock_guest_exit(const struct mock_exit_event *event,
		    struct mock_exit_outcome *out);

/**
 * Delivers @p event as a VM exit on the current CPU even if the current
 * controls would not turn it into one (any reason 0..65535): the way to test
 * that a handler survives exits it never asked for (a CPU erratum, a
 * misconfigured control, a fuzzer). Returns 0, or -1 if the CPU is not in
 * VMX non-root.
 */
int mock_guest_exit_any(const struct mock_exit_event *event,
			struct mock_exit_outcome *out);

/** Convenience: the guest executes CPUID (exit reason 10). */
int mock_guest_cpuid(uint32_t leaf, uint32_t subleaf,
		     struct cpu_cpuid_regs *regs,
		     struct mock_exit_outcome *out);

/** Convenience: the guest executes RDMSR (exit 31 when intercepted). */
int mock_guest_rdmsr(uint32_t msr, uint64_t *value,
		     struct mock_exit_outcome *out);

/** Convenience: the guest executes WRMSR (exit 32 when intercepted). */
int mock_guest_wrmsr(uint32_t msr, uint64_t value,
		     struct mock_exit_outcome *out);

/**
 * Reads field @p field of the current VMCS of @p cpu without executing
 * VMREAD (no trace entry, no VMX state change): what a test in the guest's
 * place cannot otherwise see. False if the CPU has no current VMCS.
 */
bool mock_vmcs_peek(unsigned cpu, uint32_t field, uint64_t *value);

/**
 * Writes field @p field of the current VMCS of @p cpu without VMWRITE
 * (read-only fields included): sets up guest state the next exit saves
 * over only where the CPU would (e.g. interruptibility, pending debug).
 */
bool mock_vmcs_poke(unsigned cpu, uint32_t field, uint64_t value);

/** Sets the guest's CPL (SS.DPL) seen by the next exits on @p cpu. */
void mock_guest_set_cpl(unsigned cpu, unsigned cpl);

/* ------------------------------------------------------------------------ */
/* Additions of the core (see the commit messages that introduced them)     */
/* ------------------------------------------------------------------------ */

/**
 * Rule of the last VMX instruction outcome on @p cpu, e.g.
 * "VMPTRLD.fail_revision" or "VMREAD.ok": tests assert which SDM condition
 * decided a VMfail, not just its number.
 */
const char *mock_last_vmx_rule(unsigned cpu);

/**
 * True if @p cpu left VMX through intrin_cpu_park (after INIT): halted with
 * interrupts disabled for good.
 */
bool mock_cpu_parked(unsigned cpu);

/**
 * True if @p cpu is in the shutdown state outside VMX operation (after
 * intrin_cpu_shutdown: the native triple fault).
 */
bool mock_cpu_in_shutdown(unsigned cpu);

/** Instruction pointer of @p cpu (the guest's value in non-root). */
uint64_t mock_cpu_rip(unsigned cpu);
/** Stack pointer of @p cpu (the guest's value in non-root). */
uint64_t mock_cpu_rsp(unsigned cpu);
/**
 * Sets the stack pointer of @p cpu (the guest's value in non-root), for test
 * setup. After a start, the guest's RSP is the stack of the process that ran
 * vmx_launch_here(), an address that differs between runs (ASLR) and under
 * Valgrind: a test that lets a handler act on RSP's value sets it first.
 */
void mock_cpu_set_rsp(unsigned cpu, uint64_t rsp);

/** Models "blocking by MOV SS" on @p cpu (VMLAUNCH/VMRESUME error 26). */
void mock_cpu_set_mov_ss_blocking(unsigned cpu, bool on);

/** Sets IA32_FEATURE_CONTROL of @p cpu (or MOCK_ALL_CPUS), e.g. unlocked. */
void mock_feature_control_set(unsigned cpu, uint64_t value);

/**
 * The GDT of a CPU is a model table of MOCK_GDT_SIZE descriptors (8 bytes
 * each; system descriptors take two slots), read by LSL and LAR. It starts
 * as the GDT Linux x86-64 installs (kernel CS 0x10, DS 0x18, user segments,
 * busy TSS at 0x40).
 */
#define MOCK_GDT_SIZE 32u
/** Writes the 8-byte GDT slot @p index of @p cpu. */
void mock_gdt_set(unsigned cpu, unsigned index, uint64_t descriptor);
/** Reads the 8-byte GDT slot @p index of @p cpu. */
uint64_t mock_gdt_get(unsigned cpu, unsigned index);

/** Port I/O device hook: an IN of @p size bytes from @p port. */
typedef uint32_t (*mock_io_read_fn)(void *ctx, uint16_t port, unsigned size);
/** Port I/O device hook: an OUT of @p size bytes of @p value to @p port. */
typedef void (*mock_io_write_fn)(void *ctx, uint16_t port, unsigned size,
				 uint32_t value);
/**
 * Claims ports [@p first, @p first + @p count) for a device. Reads of
 * unclaimed ports return all ones (nothing drives the bus), writes to them
 * are dropped; both are traced. Returns 0, or -1 if a port is taken.
 */
int mock_io_register(uint16_t first, uint16_t count, mock_io_read_fn rd,
		     mock_io_write_fn wr, void *ctx);
/** Releases the ports claimed by mock_io_register() starting at @p first. */
void mock_io_unregister(uint16_t first);

/**
 * Replaces vmm_exit_handler()/vmm_exit_resume_failed() for tests that do
 * not link libvmm (NULL restores the symbols). Without either, an exit is
 * a model violation "EXIT.no_handler".
 */
typedef enum intrin_exit_action (*mock_exit_handler_fn)(
	struct intrin_exit_frame *frame, void *cpu_ctx);
/** Replacement for vmm_exit_resume_failed(); see mock_exit_handler_fn. */
typedef enum intrin_exit_action (*mock_resume_failed_fn)(
	struct intrin_exit_frame *frame, void *cpu_ctx, vmx_result_t result);
/** Installs the replacements (see mock_exit_handler_fn). */
void mock_set_exit_handlers(mock_exit_handler_fn handler,
			    mock_resume_failed_fn resume_failed);

/**
 * True while CPU @p cpu runs an exit handler (vmm_exit_handler() or
 * vmm_exit_resume_failed(), or their replacements) that the exit entry
 * called after a VM exit: what hardware runs on the host stack in VMX root.
 * A test platform's services use it to refuse being called from there.
 */
bool mock_in_exit_handler(unsigned cpu);

/**
 * A hypervisor below the emulated CPU (Flank nested under KVM or Hyper-V):
 * a VMCALL in VMX root (vmx_vmcall_outer) exits to it, and it answers by
 * changing @p g (every general-purpose register but RSP) and returning
 * true, which completes the VMCALL with VMsucceed; false makes it fail as
 * without an outer hypervisor (VMfailValid(1)). @p cpu is the calling CPU.
 */
typedef bool (*mock_outer_vmm_fn)(unsigned cpu, struct intrin_gprs *g,
				  void *ctx);
/**
 * Installs @p fn as the hypervisor below every CPU (NULL: none, the
 * default, as on bare metal); mock_init() removes it. The profile's CPUID
 * should then report CPUID.1:ECX[31] (mock_cpuid_change_bits), as every
 * hypervisor does.
 */
void mock_set_outer_vmm(mock_outer_vmm_fn fn, void *ctx);
/** VMCALLs from VMX root that reached the outer hypervisor so far. */
unsigned mock_outer_vmm_calls(void);

/**
 * Convenience guest events; each returns like mock_guest_exit().
 * The guest executes VMCALL with the registers @p gprs.
 */
int mock_guest_vmcall(struct intrin_gprs *gprs, struct mock_exit_outcome *out);
/** The guest executes XSETBV of @p value to XCR @p xcr (exit 55). */
int mock_guest_xsetbv(uint32_t xcr, uint64_t value,
		      struct mock_exit_outcome *out);
/** MOV to CR@p cr (0, 3, 4, 8) from RAX; exits per masks/shadows. */
int mock_guest_mov_to_cr(unsigned cr, uint64_t value,
			 struct mock_exit_outcome *out);
/** MOV from CR@p cr (3, 8) into RAX; exits per CR3/CR8-store exiting. */
int mock_guest_mov_from_cr(unsigned cr, uint64_t *value,
			   struct mock_exit_outcome *out);
/** The guest executes HLT (exit 12 with HLT exiting). */
int mock_guest_hlt(struct mock_exit_outcome *out);
/** The guest executes INVD (exit 13, unconditional). */
int mock_guest_invd(struct mock_exit_outcome *out);
/** The guest executes WBINVD (exit 54 with WBINVD exiting). */
int mock_guest_wbinvd(struct mock_exit_outcome *out);
/** A hardware exception @p vector (exit 0 if its exception-bitmap bit is 1). */
int mock_guest_exception(uint32_t vector, uint32_t error_code,
			 struct mock_exit_outcome *out);
/** An NMI arrives (exit 0 with NMI exiting). */
int mock_guest_nmi(struct mock_exit_outcome *out);
/** External interrupt @p vector (exit 1 with external-interrupt exiting). */
int mock_guest_external_interrupt(uint32_t vector,
				  struct mock_exit_outcome *out);
/** INIT arrives (exit 3; blocked in wait-for-SIPI, SDM Vol. 3C 26.2). */
int mock_guest_init(struct mock_exit_outcome *out);
/** A SIPI with @p vector arrives (exit 4, in wait-for-SIPI state). */
int mock_guest_sipi(uint32_t vector, struct mock_exit_outcome *out);
/** The guest triple-faults (exit 2, unconditional). */
int mock_guest_triple_fault(struct mock_exit_outcome *out);
/** The guest executes VMX instruction with exit reason @p reason (18-27, 50, 53). */
int mock_guest_vmx_insn(uint32_t reason, struct mock_exit_outcome *out);

/**
 * Instructions whose behaviour in VMX non-root depends on a secondary
 * control that must be 1 to avoid #UD (SDM Vol. 3C 25.6.2 Table 25-7,
 * 26.3): each one's CPUID bit, enabling control and exiting condition are
 * a table in guest_gated.c.
 */
enum mock_gated_insn {
	MOCK_GATED_RDTSCP,  /**< "enable RDTSCP"; exits with RDTSC exiting. */
	MOCK_GATED_RDPID,   /**< "enable RDTSCP" too; never exits. */
	MOCK_GATED_INVPCID, /**< "enable INVPCID"; exits with INVLPG exiting. */
	MOCK_GATED_XSAVES,  /**< "enable XSAVES/XRSTORS"; XSS-exiting bitmap. */
	MOCK_GATED_XRSTORS, /**< As XSAVES. */
	MOCK_GATED_UMONITOR, /**< "enable user wait and pause"; never exits. */
	MOCK_GATED_UMWAIT,   /**< As UMONITOR; exits with RDTSC exiting. */
	MOCK_GATED_TPAUSE,   /**< As UMWAIT. */
	MOCK_GATED_PCONFIG,  /**< "enable PCONFIG"; PCONFIG-exiting bitmap. */
	MOCK_GATED_COUNT     /**< Number of instructions (not one). */
};

/** Lower-case mnemonic of @p insn ("tpause"); NULL if out of range. */
const char *mock_gated_insn_name(enum mock_gated_insn insn);

/**
 * The current CPU executes @p insn with registers @p gprs (NULL: all zero)
 * the way hardware decides it: #UD if CPUID does not enumerate it; in VMX
 * non-root #UD if its enabling control (or "activate secondary controls")
 * is 0; #GP(0) at CPL > 0 for the privileged ones; then a VM exit if its
 * exiting control says so; otherwise it executes. A raised exception sets
 * @p out->faulted and is a VM exit (reason 0) only if the exception bitmap
 * intercepts it. Returns 0 if a VM exit was delivered, -1 if not.
 */
int mock_guest_gated(enum mock_gated_insn insn, struct intrin_gprs *gprs,
		     struct mock_exit_outcome *out);

/* ------------------------------------------------------------------------ */
/* EPT: guest-physical accesses, INVEPT's cache, the monitor trap flag      */
/* (ept.c, ept_tlb.c; docs/emulator.md "EPT")                                */
/* ------------------------------------------------------------------------ */

/** Kind of a guest-physical access (SDM Vol. 3C 29.3.3.2). */
enum mock_gpa_kind {
	MOCK_GPA_READ,	/**< Data read. */
	MOCK_GPA_WRITE, /**< Data write. */
	MOCK_GPA_FETCH, /**< Instruction fetch. */
};

/** Outcome of an EPT walk (mock_ept_walk()). */
enum mock_ept_verdict {
	MOCK_EPT_OK,	    /**< Translated; the access is allowed. */
	MOCK_EPT_VIOLATION, /**< EPT violation (29.3.3.2). */
	MOCK_EPT_MISCONFIG, /**< EPT misconfiguration (29.3.3.1). */
};

/** One guest-physical access by the guest (mock_guest_gpa_access()). */
struct mock_gpa_access {
	uint64_t gpa;		 /**< Guest-physical address accessed. */
	uint32_t size;		 /**< Bytes, 1-8 (0 means 1). */
	enum mock_gpa_kind kind; /**< Read, write or fetch. */
	/**
	 * The access is to a guest paging-structure entry while translating
	 * @c gla (exit qualification bit 8 = 0), not to the translation of
	 * @c gla itself. With EPT A/D on it is treated as a write (29.3.3.2).
	 */
	bool paging_structure;
	/** No guest-linear address (a PDPTE load by MOV to CR3): bit 7 = 0. */
	bool no_gla;
	/** The linear address is a user-mode address (mode-based execute). */
	bool user;
	/**
	 * The access is part of an IRET executed with (virtual-)NMI
	 * blocking in effect: exit qualification bit 12 (Table 28-7).
	 */
	bool iret;
	/** The guest linear address; also the GUEST_LINEAR_ADDRESS field. */
	uint64_t gla;
	/**
	 * PAT memory type of the access from guest paging (29.3.7.2), used
	 * when @c pat_given; otherwise WB, as with CR0.PG = 0.
	 */
	uint8_t pat_type;
	bool pat_given; /**< @c pat_type is the access's PAT type. */
	/** Instruction length (GUEST_RIP advances by it when it completes). */
	uint32_t len;
	/** Value stored by a write (little-endian, @c size bytes). */
	uint64_t value;
	/**
	 * The access is made while the CPU delivers this event through the
	 * guest's IDT (reading the IDT, the GDT/TSS, pushing the frame; the
	 * fetch of the handler's first instruction is not part of delivery,
	 * SDM Vol. 3C 28.2.4), not by an instruction: an EPT exit then
	 * reports it in the IDT-vectoring information. In that field's format
	 * (bit 31 valid, 7:0 vector, 10:8 type, 11 error code valid, 30:12
	 * zero); 0: the instruction's own access. The event must be one the
	 * CPU could be delivering (mock_guest_gpa_access() returns -1
	 * otherwise), and @c iret must be false. @{
	 */
	uint32_t event;
	uint32_t event_error_code; /**< Its error code (with bit 11). */
	/** Software interrupt or exception: its instruction's length. */
	uint32_t event_len;
	/** @} */
};

/** What an EPT walk found (mock_ept_walk()). */
struct mock_ept_walk {
	enum mock_ept_verdict
		verdict; /**< Translated, violation or misconfig. */
	/** The rule that decided ("EPT.misconfig_write_only", "EPT.ok"). */
	const char *rule;
	uint64_t hpa;	      /**< Physical address (MOCK_EPT_OK). */
	uint64_t page_size;   /**< 4 KiB, 2 MiB or 1 GiB (MOCK_EPT_OK). */
	unsigned levels;      /**< Entries read (1 to 5). */
	uint64_t entry_pa[5]; /**< Address of each entry read, top first. */
	uint64_t entry[5];    /**< Each entry as read. */
	/** Logical AND of bits 0, 1, 2 and 10 of the entries read. @{ */
	bool readable, writable, executable, user_executable;
	/** @} */
	uint8_t ept_type; /**< Leaf bits 5:3 (MOCK_EPT_OK). */
	bool ipat;	  /**< Leaf bit 6, "ignore PAT". */
	/** Exit qualification bits 0-6 the access would report. */
	uint64_t qualification;
};

/**
 * Walks the EPT paging structures of @p eptp (SDM Vol. 3C 29.3.2) for an
 * access of @p kind to @p gpa on the current CPU, with its capabilities
 * (IA32_VMX_EPT_VPID_CAP, MAXPHYADDR) and, if @p mbec, "mode-based execute
 * control for EPT"; @p user and @p paging_structure as in struct
 * mock_gpa_access. No side effect: no A/D flags, no cache. For tests of
 * EPT tables built by libvmm.
 */
void mock_ept_walk(uint64_t eptp, uint64_t gpa, enum mock_gpa_kind kind,
		   bool mbec, bool user, bool paging_structure,
		   struct mock_ept_walk *w);

/** What one guest-physical access did (mock_guest_gpa_access()). */
struct mock_gpa_result {
	/** The access completed (not stopped by an exit or the handler). */
	bool completed;
	/** The value read (reads and fetches that completed). */
	uint64_t value;
	uint64_t hpa; /**< Physical address used (completed). */
	/** Effective memory type (29.3.7.2); 0xFF without EPT. */
	uint8_t mem_type;
	/** The translation came from the EPT cache (ept_tlb.c). */
	bool cached;
	/** VM exits the access caused (EPT violations/misconfigurations, MTF). */
	unsigned exits;
	/** The first EPT-induced exit: reason, qualification, GPA, GLA. @{ */
	uint32_t reason;
	uint64_t qualification;
	uint64_t gpa, gla;
	/** @} */
	const char *rule; /**< Rule of the first walk that exited. */
	/** An MTF VM exit followed the completed instruction (26.5.2). */
	bool mtf;
	/**
	 * With @c event: the handler resumed without delivering the event
	 * again (no injection, RIP unchanged): the guest lost it (the
	 * violation EPT.event_lost for an external interrupt or NMI).
	 */
	bool event_lost;
	/** The last exit's outcome (resume or leave, injection, #DB). */
	struct mock_exit_outcome out;
};

/**
 * The guest on the current CPU (VMX non-root) executes one instruction
 * making access @p a. With "enable EPT" the guest-physical address goes
 * through the cached translations of this CPU (tagged by EPTP[51:12],
 * SDM 29.4) or the EPT walk; a misconfiguration or violation is a VM exit
 * (reason 49 or 48) with the exit qualification, GUEST_PHYSICAL_ADDRESS
 * and GUEST_LINEAR_ADDRESS a CPU writes. If the handler resumes with
 * GUEST_RIP unchanged, the instruction executes again, as on hardware (a
 * 9th exit of one instruction is the violation EPT.retry_loop). When it
 * completes, GUEST_RIP advances by @c len, A/D flags are set (EPTP bit 6),
 * and with "monitor trap flag" an MTF VM exit follows (26.5.2).
 * Returns 0, or -1 if the CPU is not in VMX non-root or @p a is invalid.
 */
int mock_guest_gpa_access(const struct mock_gpa_access *a,
			  struct mock_gpa_result *r);

/** Cached EPT-derived translations of @p cpu (ept_tlb.c). */
unsigned mock_ept_cached_count(unsigned cpu);

#endif /* FLANK_MOCK_H */
