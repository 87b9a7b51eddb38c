# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Host part: build the image part (libvmm + intrinsics/real + vmm.elf) with
# the freestanding toolchain as an ExternalProject, and import its libvmm
# archive for the tests. The tests therefore link the very archive that is
# linked into vmm.elf. With FLANK_COVERAGE=ON the tests link the documented
# instrumented twin instead: the same sources, the same freestanding flags,
# plus --coverage.
include(ExternalProject)

set(FLANK_IMAGE_BINARY_DIR ${CMAKE_BINARY_DIR}/image)
set(FLANK_LIBVMM_ARCHIVE ${FLANK_IMAGE_BINARY_DIR}/libvmm/libvmm.a)
set(FLANK_VMM_ELF ${FLANK_IMAGE_BINARY_DIR}/libvmm/image/vmm.elf)

ExternalProject_Add(flank_image
  SOURCE_DIR ${CMAKE_SOURCE_DIR}
  BINARY_DIR ${FLANK_IMAGE_BINARY_DIR}
  CMAKE_ARGS
    -DFLANK_PART=image
    -DCMAKE_TOOLCHAIN_FILE=${CMAKE_SOURCE_DIR}/cmake/x86_64-elf.cmake
    -DCMAKE_BUILD_TYPE=Release
  BUILD_ALWAYS ON
  INSTALL_COMMAND ""
  BUILD_BYPRODUCTS ${FLANK_LIBVMM_ARCHIVE} ${FLANK_VMM_ELF}
  USES_TERMINAL_BUILD ON)

include(${CMAKE_SOURCE_DIR}/libvmm/sources.cmake)

if(FLANK_COVERAGE)
  # The instrumented twin (DESIGN.md): identical sources and flags, plus
  # --coverage, compiled in this part so that gcov can find its notes.
  add_library(libvmm STATIC ${LIBVMM_SOURCES})
  set_target_properties(libvmm PROPERTIES OUTPUT_NAME vmm_cov)
  target_include_directories(libvmm PUBLIC ${LIBVMM_INCLUDE_DIRS})
  target_compile_options(libvmm PRIVATE ${FLANK_WARNING_FLAGS}
    ${FLANK_FREESTANDING_FLAGS} -O0 -g --coverage)
else()
  add_library(libvmm STATIC IMPORTED GLOBAL)
  set_target_properties(libvmm PROPERTIES
    IMPORTED_LOCATION ${FLANK_LIBVMM_ARCHIVE}
    INTERFACE_INCLUDE_DIRECTORIES "${LIBVMM_INCLUDE_DIRS}")
  add_dependencies(libvmm flank_image)
endif()

add_custom_target(image
  COMMAND ${CMAKE_COMMAND} -E echo "vmm.elf: ${FLANK_VMM_ELF}"
  DEPENDS flank_image
  COMMENT "Building the freestanding VMM image")
