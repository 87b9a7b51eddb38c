# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The one list of libvmm sources. The image part compiles it into libvmm.a
# (linked into vmm.elf and, unchanged, into the tests); the coverage build
# compiles the same list into its instrumented twin. Likewise for the
# checker's list below and libvmm_check.a.
set(LIBVMM_DIR ${CMAKE_CURRENT_LIST_DIR})
set(LIBVMM_SOURCES
  ${LIBVMM_DIR}/src/version.c
  ${LIBVMM_DIR}/src/debug_ring.c
  ${LIBVMM_DIR}/src/console.c
  ${LIBVMM_DIR}/src/format.c
  ${LIBVMM_DIR}/src/caps.c
  ${LIBVMM_DIR}/src/check.c
  ${LIBVMM_DIR}/src/context.c
  ${LIBVMM_DIR}/src/cpus.c
  ${LIBVMM_DIR}/src/exit.c
  ${LIBVMM_DIR}/src/exit_cpuid.c
  ${LIBVMM_DIR}/src/exit_cr.c
  ${LIBVMM_DIR}/src/exit_event.c
  ${LIBVMM_DIR}/src/exit_misc.c
  ${LIBVMM_DIR}/src/exit_msr.c
  ${LIBVMM_DIR}/src/exit_spec.c
  ${LIBVMM_DIR}/src/exit_vmcall.c
  ${LIBVMM_DIR}/src/query.c
  ${LIBVMM_DIR}/src/exit_xsetbv.c
  ${LIBVMM_DIR}/src/extension.c
  ${LIBVMM_DIR}/src/hooks.c
  ${LIBVMM_DIR}/src/fmt.c
  ${LIBVMM_DIR}/src/image_entry.c
  ${LIBVMM_DIR}/src/launch.c
  ${LIBVMM_DIR}/src/msr_bitmap.c
  ${LIBVMM_DIR}/src/segment.c
  ${LIBVMM_DIR}/src/serial.c
  ${LIBVMM_DIR}/src/status.c
  ${LIBVMM_DIR}/src/vmcs_setup.c
  ${LIBVMM_DIR}/src/vmx_error.c
  ${LIBVMM_DIR}/src/vmxon.c
  ${LIBVMM_DIR}/src/vpid.c
  ${LIBVMM_DIR}/src/pci_serial.c
  ${LIBVMM_DIR}/src/uart16550.c
  ${LIBVMM_DIR}/src/vmcs_dump.c
  ${LIBVMM_DIR}/src/entry_diag.c
  # The EPT identity map and the memory types from the MTRRs (issue 18,
  # docs/ept.md), called by start: in the image (docs/loader.md "Size").
  ${LIBVMM_DIR}/src/ept/ept.c
  ${LIBVMM_DIR}/src/ept/ept_cpu.c
  ${LIBVMM_DIR}/src/ept/mtrr.c
  ${LIBVMM_DIR}/src/ept/page_hook.c
  ${LIBVMM_DIR}/src/ept/hide.c
)
# libvmm's VMCS consistency checker (flank/vmm_vmcs_check.h): compiled the
# same way into a second archive, libvmm_check.a, which is not linked into
# vmm.elf but into the vmcs_check extension module (libvmm/modules/
# vmcs_check) and, with libvmm.a, into the tests. It runs only after a VM
# entry failed; keeping it out of the image saves three of its pages
# (issue #6, docs/loader.md).
set(LIBVMM_CHECK_SOURCES
  ${LIBVMM_DIR}/src/vmcs_check.c
  ${LIBVMM_DIR}/src/vmcs_check_host.c
  ${LIBVMM_DIR}/src/vmcs_check_guest.c
  ${LIBVMM_DIR}/src/vmcs_check_segments.c
  # The VMCS field names, which the checker prints and hands to the
  # image's VMCS dump (vmm_vmcs_checker.field_name): 3 KiB of read-only
  # data out of vmm.elf (issue #6, docs/loader.md).
  ${LIBVMM_DIR}/src/vmcs_names.c
)
# The guest memory helpers of the hook API (flank/vmm_extension.h): the
# same way into libvmm_guest.a, linked into the extension modules that use
# them (and the tests), not into vmm.elf, which would cross its 64 KiB
# budget (docs/loader.md "Size"). They reach physical memory through the
# one function the image exports for it, vmm_guest_phys_page().
set(LIBVMM_GUEST_SOURCES
  ${LIBVMM_DIR}/src/guest_mem.c
)
set(LIBVMM_INCLUDE_DIRS
  ${LIBVMM_DIR}/include
  ${LIBVMM_DIR}/../intrinsics/include
  ${LIBVMM_DIR}/../abi/include
)
