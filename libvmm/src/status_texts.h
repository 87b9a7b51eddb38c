/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The name and human sentence of every status (flank/vmm_status.h): what
 * happened and what to do. Not installed: status.c builds its string table
 * from this list, and the tests compare that table with it.
 */
#ifndef FLANK_STATUS_TEXTS_H
#define FLANK_STATUS_TEXTS_H

#include "flank/vmm_status.h"

/*
 * X(status, sentence), one per enum vmm_status value. The name is the
 * enumerator spelled out ("VMM_ERR_NO_VMX").
 */
#define VMM_STATUS_TEXTS(X)                                                    \
	X(VMM_OK, "success")                                                   \
	X(VMM_ERR_NO_VMX,                                                      \
	  "this CPU has no Intel VT-x (CPUID.1:ECX.VMX is 0): use an Intel "   \
	  "CPU with VT-x, or enable nested virtualization for this VM")        \
	X(VMM_ERR_NOT_LONG_MODE,                                               \
	  "the CPU is not in 64-bit mode (EFER.LMA is 0): Flank runs only "    \
	  "under a 64-bit kernel")                                             \
	X(VMM_ERR_VMX_DISABLED_FIRMWARE,                                       \
	  "VT-x is disabled in firmware: enable 'Intel Virtualization "        \
	  "Technology' in the BIOS setup")                                     \
	X(VMM_ERR_FEATURE_CONTROL_MSR,                                         \
	  "IA32_FEATURE_CONTROL cannot be read or written (#GP): the CPU or "  \
	  "the hypervisor below does not expose it; VT-x cannot be enabled")   \
	X(VMM_ERR_VMX_BASIC_MSR,                                               \
	  "IA32_VMX_BASIC cannot be read (#GP): VT-x is not usable here; on "  \
	  "a VM, enable nested virtualization")                                \
	X(VMM_ERR_VMX_BASIC_UNSUPPORTED,                                       \
	  "the CPU's VMX basics are unsupported (VMCS larger than 4 KiB, not " \
	  "write-back, or 32-bit VMX addresses): Flank cannot run on it")      \
	X(VMM_ERR_CAPABILITY_MSR,                                              \
	  "a VMX capability MSR cannot be read (#GP): the CPU or the "         \
	  "hypervisor below reports VT-x inconsistently")                      \
	X(VMM_ERR_PHYS_WIDTH,                                                  \
	  "the physical-address width (CPUID 80000008H) is missing or out of " \
	  "range: Flank cannot validate physical addresses on this CPU")       \
	X(VMM_ERR_FIXED_BITS,                                                  \
	  "the running kernel's CR0/CR4 cannot satisfy the VMX fixed bits "    \
	  "(IA32_VMX_CR0/CR4_FIXED0/1): a bit the kernel uses is not allowed " \
	  "in VMX operation")                                                  \
	X(VMM_ERR_VMX_IN_USE,                                                  \
	  "CR4.VMXE is already set: another hypervisor (KVM, VirtualBox, "     \
	  "VMware) owns VT-x; unload it (e.g. rmmod kvm_intel) and retry")     \
	X(VMM_ERR_CONTROLS,                                                    \
	  "a VMX control Flank requires is not available on this CPU: see "    \
	  "the check report for which one")                                    \
	X(VMM_ERR_HOST_MSR,                                                    \
	  "reading a host MSR needed for the VMCS raised #GP: the CPU lacks "  \
	  "an MSR its CPUID advertises")                                       \
	X(VMM_ERR_DESCRIPTOR,                                                  \
	  "a segment selector of the running kernel does not fit its GDT or "  \
	  "LDT (or TR is null): Flank cannot describe the CPU in the VMCS")    \
	X(VMM_ERR_NO_MEMORY,                                                   \
	  "the platform could not allocate a page: free memory and retry")     \
	X(VMM_ERR_PAGE_ADDRESS,                                                \
	  "the platform returned a page that is not 4 KiB aligned or lies "    \
	  "beyond the physical-address width: a platform bug")                 \
	X(VMM_ERR_BAD_PLATFORM,                                                \
	  "the platform table is invalid (wrong ABI version or size, or a "    \
	  "required function is missing): rebuild the driver with this image") \
	X(VMM_ERR_TOO_MANY_CPUS,                                               \
	  "the machine has more CPUs than Flank supports (512)")               \
	X(VMM_ERR_CPU_OFFLINE,                                                 \
	  "the CPU is offline or out of range: bring it online or pick "       \
	  "another")                                                           \
	X(VMM_ERR_BAD_ARGUMENT,                                                \
	  "an argument is invalid (NULL or out of range)")                     \
	X(VMM_ERR_BAD_STATE,                                                   \
	  "the VMM is not in a state that allows this operation: check "       \
	  "'flankctl status' (e.g. stop before unloading)")                    \
	X(VMM_ERR_VMXON,                                                       \
	  "VMXON failed: the VMXON region or the CPU state was refused; see "  \
	  "the log for the VMX outcome")                                       \
	X(VMM_ERR_VMCLEAR, "VMCLEAR of the VMCS failed: see the log")          \
	X(VMM_ERR_VMPTRLD,                                                     \
	  "VMPTRLD of the VMCS failed (bad address or revision): see the log") \
	X(VMM_ERR_VMWRITE,                                                     \
	  "writing a VMCS field failed: the CPU lacks a field Flank needs; "   \
	  "see the log for the field")                                         \
	X(VMM_ERR_VMREAD, "reading a VMCS field failed: see the log")          \
	X(VMM_ERR_LAUNCH_FAIL_INVALID,                                         \
	  "VMLAUNCH failed with VMfailInvalid: there was no current VMCS")     \
	X(VMM_ERR_LAUNCH_CONTROLS,                                             \
	  "VMLAUNCH refused the VMX controls (VM-instruction error 7): a "     \
	  "Flank bug or a CPU that misreports its capabilities")               \
	X(VMM_ERR_LAUNCH_HOST_STATE,                                           \
	  "VMLAUNCH refused the host state (VM-instruction error 8): the "     \
	  "kernel's state is unusable as VMX host state; see the log")         \
	X(VMM_ERR_LAUNCH_FAIL_VALID,                                           \
	  "VMLAUNCH failed with a VM-instruction error: see the log for its "  \
	  "number and name")                                                   \
	X(VMM_ERR_LAUNCH_GUEST_STATE,                                          \
	  "VM entry refused the guest state (exit reason 33): the running "    \
	  "kernel's state cannot be entered as a guest; see the log")          \
	X(VMM_ERR_LAUNCH_MSR_LOAD,                                             \
	  "VM entry failed loading MSRs (exit reason 34): see the log")        \
	X(VMM_ERR_LAUNCH_ENTRY_FAILURE,                                        \
	  "VM entry failed (exit reason with bit 31 set): see the log")        \
	X(VMM_ERR_NOT_RUNNING, "the CPU is not running under Flank")           \
	X(VMM_ERR_ALREADY_RUNNING, "the CPU is already running under Flank")   \
	X(VMM_ERR_STOP_HYPERCALL,                                              \
	  "the stop hypercall did not reach Flank's VMM on this CPU: the CPU " \
	  "may be under another hypervisor; do not unload the image")          \
	X(VMM_ERR_VMXOFF,                                                      \
	  "VMXOFF failed: the CPU stays in VMX operation; do not unload the "  \
	  "image and reboot when convenient")                                  \
	X(VMM_ERR_CORRUPT,                                                     \
	  "a CPU could not be stopped: the image must stay loaded; reboot "    \
	  "when convenient")                                                   \
	X(VMM_ERR_NOT_SUPPORTED,                                               \
	  "this operation is not implemented by this image yet")               \
	X(VMM_ERR_HYPERCALL_UNKNOWN, "unknown hypercall number")               \
	X(VMM_ERR_HYPERCALL_DENIED,                                            \
	  "hypercall refused: only guest ring 0 may call Flank")               \
	X(VMM_ERR_UNHANDLED_EXIT,                                              \
	  "Flank met a VM exit it does not handle and gave this CPU back to "  \
	  "Linux (it runs without Flank now); 'flankctl dump' shows the "      \
	  "diagnostic: please report it")                                      \
	X(VMM_ERR_EXTENSION_BUSY,                                              \
	  "another extension module already registered a handler of this "     \
	  "kind: load only one module that extends hypercalls or CPUID")       \
	X(VMM_ERR_SERIAL_CONFIG,                                               \
	  "the serial settings are invalid: serial_baud must divide 115200 "   \
	  "(115200, 57600, 38400, 19200, 9600, ...) and serial_port must be "  \
	  "an I/O port from 0x1 to 0xfff8 (0 = serial off)")                   \
	X(VMM_ERR_RING_CONFIG,                                                 \
	  "the debug ring memory from the host is unusable (missing, not "     \
	  "8-byte aligned, or not 8 KiB to 16 MiB): load flank.ko with "       \
	  "ring_kib set to a power of two from 8 to 16384")                    \
	X(VMM_ERR_HOOK_NO_ENDBR,                                               \
	  "an extension module registered a hook function that does not "      \
	  "start with ENDBR64 (refused everywhere: it would hang a kernel "    \
	  "with IBT): build the module with -fcf-protection=branch "           \
	  "-fno-jump-tables")                                                  \
	X(VMM_ERR_HOOK_WHILE_RUNNING, "hooks change only while stopped")       \
	X(VMM_ERR_MSR_HOOK_RANGE, "MSR hook outside the MSR bitmap")           \
	X(VMM_ERR_MSR_HOOK_RESERVED, "MSR hook on an MSR Flank owns")          \
	X(VMM_ERR_HOOK_OVERLAP, "MSR hook overlaps another")                   \
	X(VMM_ERR_HOOK_TABLE_FULL, "MSR hook table full")                      \
	X(VMM_ERR_GUEST_NONCANONICAL, "non-canonical guest address")           \
	X(VMM_ERR_GUEST_NOT_PRESENT, "guest address not mapped")               \
	X(VMM_ERR_GUEST_RESERVED_BIT, "reserved bit in guest paging entry")    \
	X(VMM_ERR_GUEST_PHYS, "guest page not RAM the host maps")              \
	X(VMM_ERR_GUEST_COPY_SIZE, "guest copy of 0 or over 4096 bytes")       \
	X(VMM_ERR_NO_MTRR, "CPU has no MTRRs: no memory types for EPT")        \
	X(VMM_ERR_MTRR_MSR, "MTRR MSR raised #GP though CPUID has MTRRs")      \
	X(VMM_ERR_MTRR_VCNT, "more variable MTRRs than VMM_MTRR_MAX_VAR")      \
	X(VMM_ERR_INVVPID, "INVVPID failed at start: see the log")             \
	X(VMM_ERR_INVEPT, "INVEPT failed at start: see the log")               \
	X(VMM_ERR_EPT_NO_EXEC_ONLY,                                            \
	  "no execute-only EPT pages on this CPU: no split view")

#endif /* FLANK_STATUS_TEXTS_H */
