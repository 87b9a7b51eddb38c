# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The one list of libvmm sources. The image part compiles it into libvmm.a
# (linked into vmm.elf and, unchanged, into the tests); the coverage build
# compiles the same list into its instrumented twin.
set(LIBVMM_DIR ${CMAKE_CURRENT_LIST_DIR})
set(LIBVMM_SOURCES
  ${LIBVMM_DIR}/src/version.c
  ${LIBVMM_DIR}/src/debug_ring.c
  ${LIBVMM_DIR}/src/format.c
)
set(LIBVMM_INCLUDE_DIRS
  ${LIBVMM_DIR}/include
  ${LIBVMM_DIR}/../intrinsics/include
  ${LIBVMM_DIR}/../abi/include
)
