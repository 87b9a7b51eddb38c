# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Toolchain file for the freestanding VMM image (vmm.elf).
#
# Uses a real x86_64-elf cross compiler when one is on PATH (scripts/ can
# build one from Debian's gcc-12-source), otherwise the host GCC in
# freestanding mode: both produce x86-64 ELF objects with the same ABI, so the
# archive built here is also the one the userspace tests link.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

find_program(FLANK_CROSS_GCC x86_64-elf-gcc)
if(FLANK_CROSS_GCC)
  find_program(FLANK_CROSS_AR x86_64-elf-ar REQUIRED)
  find_program(FLANK_CROSS_RANLIB x86_64-elf-ranlib REQUIRED)
  set(CMAKE_C_COMPILER ${FLANK_CROSS_GCC})
  set(CMAKE_ASM_COMPILER ${FLANK_CROSS_GCC})
  set(CMAKE_AR ${FLANK_CROSS_AR})
  set(CMAKE_RANLIB ${FLANK_CROSS_RANLIB})
  set(FLANK_TOOLCHAIN_KIND "cross x86_64-elf-gcc" CACHE INTERNAL "")
  # A bare-metal GCC differs from the host's in two ways that matter here
  # (found by the first cross build, docs/cross-compiler.md): its link spec
  # does not pass -shared on to ld (the target has no shared libraries), so
  # vmm.elf would come out ET_EXEC; and it emits no .note.gnu.property (a
  # GNU/Linux-target feature), so ld cannot see that every object has
  # ENDBR64. Say both to ld directly; scripts/check-image.sh still checks
  # ET_DYN and ENDBR64 at every exported function.
  set(CMAKE_EXE_LINKER_FLAGS_INIT "-Wl,-shared -Wl,-z,ibt")
else()
  find_program(FLANK_HOST_GCC NAMES gcc REQUIRED)
  set(CMAKE_C_COMPILER ${FLANK_HOST_GCC})
  set(CMAKE_ASM_COMPILER ${FLANK_HOST_GCC})
  set(FLANK_TOOLCHAIN_KIND "host gcc, freestanding" CACHE INTERNAL "")
endif()

# The compiler cannot link a test program without a C library.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)
set(FLANK_IMAGE_TOOLCHAIN ON CACHE INTERNAL "")
