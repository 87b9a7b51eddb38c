# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Compiler flags shared by every part of the build.

# Warnings are errors everywhere (STYLE.md).
set(FLANK_WARNING_FLAGS -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
    -Wmissing-prototypes -Wvla)

# Flags of the freestanding code that runs in ring 0 in VMX root (DESIGN.md
# "The VMM image and its loading"). libvmm is compiled with these once; the
# archive links into vmm.elf and into the userspace tests alike.
# -fcf-protection=branch: IBT kernels need ENDBR64 at indirect-call targets.
# -fno-jump-tables, as the kernel builds itself: a switch compiled to a jump
# table branches with `notrack jmp` to case labels without ENDBR64, and
# Linux never sets NO_TRACK_EN, so the jump raises #CP (issue #21: the panic
# at `flankctl stop` in cpu_load_sreg). scripts/check-ibt.sh proves both on
# every image and module.
# -mindirect-branch=thunk-extern -mindirect-branch-register, as the kernel
# builds itself with retpolines (Spectre v2, CVE-2017-5715): every indirect
# call or jump becomes a call of __x86_indirect_thunk_<reg>, which the image
# provides (intrinsics/real/retpoline.S); scripts/check-image.sh refuses any
# indirect branch left outside the thunks (docs/exits.md "Speculation").
set(FLANK_FREESTANDING_FLAGS -ffreestanding -fno-builtin -nostdlib -fPIC
    -fvisibility=hidden -mno-red-zone -mgeneral-regs-only
    -fno-stack-protector -fcf-protection=branch -fno-jump-tables -fno-common
    -fno-asynchronous-unwind-tables -fno-omit-frame-pointer
    -mindirect-branch=thunk-extern -mindirect-branch-register)

# Debug info for the image; -Oz so that the image is what ships and stays
# small: issue #6 budgets 64 KiB loaded (docs/loader.md "Size"). -Oz gives
# 528 B less text than -Os and, measured, 4 fewer instructions per CPUID
# exit (docs/exits.md "Cost"); -Os costs the exit path a few instructions
# against -O2.
# -fstack-usage writes each function's static stack use into a .su file next
# to its object, for scripts/check-stack.py (the exit handler's worst path
# on the 4 KiB host stack, docs/building.md); it does not change the code.
# -ffunction-sections -fdata-sections: one section per function and object,
# so that the image link's --gc-sections (libvmm/image/CMakeLists.txt) drops
# what no code of the image reaches (functions only the tests call).
set(FLANK_FREESTANDING_OPT -Oz -g -fstack-usage -ffunction-sections
    -fdata-sections)

# Opts a target out of the coverage instrumentation that FLANK_COVERAGE adds
# to the whole host part: code whose behaviour instrumentation changes (the
# real backend reads live RFLAGS, which counter updates clobber) and test
# fixtures that must stay free of libgcov's undefined symbols.
function(flank_no_coverage target)
  if(NOT FLANK_COVERAGE)
    return()
  endif()
  foreach(prop COMPILE_OPTIONS LINK_OPTIONS)
    get_target_property(opts ${target} ${prop})
    if(opts)
      list(REMOVE_ITEM opts --coverage -fprofile-update=atomic -O0)
      set_target_properties(${target} PROPERTIES ${prop} "${opts}")
    endif()
  endforeach()
endfunction()

# Link flags of an extension module (libvmm/modules/*): those of vmm.elf
# (libvmm/image/CMakeLists.txt) except that the imports stay undefined on
# purpose, resolved against vmm.elf at load time. -z undefs says so: the
# host's ld allows it for -shared by default, a bare x86_64-elf ld
# (scripts/build-cross.sh) does not.
set(FLANK_MODULE_LINK_FLAGS -nostdlib -shared -Wl,-z,undefs -Wl,-z,now
  -Wl,-z,relro -Wl,-z,noexecstack -Wl,-z,separate-code
  -Wl,--hash-style=both -Wl,-z,max-page-size=4096)

# After @p elf_target links, records the SHA-256 of the archive
# @p archive_target it was linked from in @p out, for the host part to
# compare with the archive its tests link (tests/unit/image_identity).
function(flank_record_archive_sha256 elf_target archive_target out)
  add_custom_command(TARGET ${elf_target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -DFILE=$<TARGET_FILE:${archive_target}>
            -DOUT=${out} -P ${CMAKE_SOURCE_DIR}/cmake/FlankSha256.cmake
    COMMENT "Recording the SHA-256 of the ${archive_target} archive in ${elf_target}"
    VERBATIM)
endfunction()
