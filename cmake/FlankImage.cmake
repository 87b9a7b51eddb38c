# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Host part: build the image part (libvmm + intrinsics/real + vmm.elf) with
# the freestanding toolchain as an ExternalProject, and import its libvmm
# archive for the tests. The tests therefore link the very archive that is
# linked into vmm.elf (and libvmm_check, the very checker archive linked
# into the vmcs_check module). With FLANK_COVERAGE=ON the tests link the documented
# instrumented twin instead: the same sources, the same freestanding flags,
# plus --coverage.
include(ExternalProject)

set(FLANK_IMAGE_BINARY_DIR ${CMAKE_BINARY_DIR}/image)
set(FLANK_LIBVMM_ARCHIVE ${FLANK_IMAGE_BINARY_DIR}/libvmm/libvmm.a)
set(FLANK_VMM_ELF ${FLANK_IMAGE_BINARY_DIR}/libvmm/image/vmm.elf)
set(FLANK_EXAMPLE_MODULE ${FLANK_IMAGE_BINARY_DIR}/libvmm/modules/example/example.elf)
set(FLANK_LIBVMM_CHECK_ARCHIVE ${FLANK_IMAGE_BINARY_DIR}/libvmm/libvmm_check.a)
set(FLANK_LIBVMM_GUEST_ARCHIVE ${FLANK_IMAGE_BINARY_DIR}/libvmm/libvmm_guest.a)
set(FLANK_VMCS_CHECK_MODULE ${FLANK_IMAGE_BINARY_DIR}/libvmm/modules/vmcs_check/vmcs_check.elf)
set(FLANK_TEXTGUARD_MODULE ${FLANK_IMAGE_BINARY_DIR}/libvmm/modules/textguard/textguard.elf)
# SHA-256 of the libvmm archive linked into vmm.elf (written by the image
# part) and of the archive the host tests link (written below).
set(FLANK_LIBVMM_SHA256_IMAGE ${FLANK_IMAGE_BINARY_DIR}/libvmm/image/libvmm.a.sha256)
set(FLANK_LIBVMM_SHA256_TESTS ${CMAKE_BINARY_DIR}/libvmm-tests.a.sha256)
# The same pair for the checker archive (libvmm_check.a, in vmcs_check.elf).
set(FLANK_LIBVMM_CHECK_SHA256_IMAGE
  ${FLANK_IMAGE_BINARY_DIR}/libvmm/modules/vmcs_check/libvmm_check.a.sha256)
set(FLANK_LIBVMM_CHECK_SHA256_TESTS ${CMAKE_BINARY_DIR}/libvmm_check-tests.a.sha256)

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
    ${FLANK_EXAMPLE_MODULE} ${FLANK_LIBVMM_SHA256_IMAGE}
    ${FLANK_LIBVMM_CHECK_ARCHIVE} ${FLANK_VMCS_CHECK_MODULE}
    ${FLANK_LIBVMM_CHECK_SHA256_IMAGE} ${FLANK_LIBVMM_GUEST_ARCHIVE}
    ${FLANK_TEXTGUARD_MODULE}
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
  add_library(libvmm_check STATIC ${LIBVMM_CHECK_SOURCES})
  set_target_properties(libvmm_check PROPERTIES OUTPUT_NAME vmm_check_cov)
  target_include_directories(libvmm_check PUBLIC ${LIBVMM_INCLUDE_DIRS})
  target_compile_options(libvmm_check PRIVATE ${FLANK_WARNING_FLAGS}
    ${FLANK_FREESTANDING_FLAGS} -O0 -g --coverage)
  add_library(libvmm_guest STATIC ${LIBVMM_GUEST_SOURCES})
  set_target_properties(libvmm_guest PROPERTIES OUTPUT_NAME vmm_guest_cov)
  target_include_directories(libvmm_guest PUBLIC ${LIBVMM_INCLUDE_DIRS})
  target_compile_options(libvmm_guest PRIVATE ${FLANK_WARNING_FLAGS}
    ${FLANK_FREESTANDING_FLAGS} -O0 -g --coverage)
else()
  # CMake refuses imported include directories that do not exist yet
  # (abi/include arrives with the image ABI): list only the present ones.
  set(libvmm_present_includes)
  foreach(dir ${LIBVMM_INCLUDE_DIRS})
    if(EXISTS ${dir})
      list(APPEND libvmm_present_includes ${dir})
    endif()
  endforeach()
  add_library(libvmm STATIC IMPORTED GLOBAL)
  set_target_properties(libvmm PROPERTIES
    IMPORTED_LOCATION ${FLANK_LIBVMM_ARCHIVE}
    INTERFACE_INCLUDE_DIRECTORIES "${libvmm_present_includes}")
  add_dependencies(libvmm flank_image)
  add_library(libvmm_check STATIC IMPORTED GLOBAL)
  set_target_properties(libvmm_check PROPERTIES
    IMPORTED_LOCATION ${FLANK_LIBVMM_CHECK_ARCHIVE}
    INTERFACE_INCLUDE_DIRECTORIES "${libvmm_present_includes}")
  add_dependencies(libvmm_check flank_image)
  add_library(libvmm_guest STATIC IMPORTED GLOBAL)
  set_target_properties(libvmm_guest PROPERTIES
    IMPORTED_LOCATION ${FLANK_LIBVMM_GUEST_ARCHIVE}
    INTERFACE_INCLUDE_DIRECTORIES "${libvmm_present_includes}")
  add_dependencies(libvmm_guest flank_image)
endif()

# Record the checksum of whatever archives the targets `libvmm` and
# `libvmm_check` that the tests link resolve to: the imported image
# archives, or the coverage twins.
foreach(lib libvmm libvmm_check)
  string(TOUPPER ${lib} LIB)
  set(out ${FLANK_${LIB}_SHA256_TESTS})
  add_custom_target(${lib}_checksum ALL
    COMMAND ${CMAKE_COMMAND} -DFILE=$<TARGET_FILE:${lib}> -DOUT=${out}
            -P ${CMAKE_SOURCE_DIR}/cmake/FlankSha256.cmake
    BYPRODUCTS ${out}
    COMMENT "Recording the SHA-256 of the ${lib} archive the tests link"
    VERBATIM)
  if(FLANK_COVERAGE)
    add_dependencies(${lib}_checksum ${lib} flank_image)
  else()
    add_dependencies(${lib}_checksum flank_image)
  endif()
endforeach()

add_custom_target(image
  COMMAND ${CMAKE_COMMAND} -E echo "vmm.elf: ${FLANK_VMM_ELF}"
  DEPENDS flank_image
  COMMENT "Building the freestanding VMM image")
