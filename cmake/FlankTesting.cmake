# SPDX-License-Identifier: LGPL-2.1-or-later
#
# add_flank_test(NAME name SOURCES ... [LIBS ...] [LABELS ...] [ARGS ...]
#                [NO_MEMCHECK] [WILL_FAIL])
#
# One CMocka executable per module, named test_<name>. Registers the ctest
# test <label>.<name> with the given labels (unit, fault, ...) and, unless
# NO_MEMCHECK, a twin memcheck.<name> (label memcheck) that runs the same
# binary under Valgrind and fails on any error or leak.

find_package(PkgConfig QUIET)
find_library(CMOCKA_LIBRARY NAMES cmocka)
find_path(CMOCKA_INCLUDE_DIR NAMES cmocka.h)
if(NOT CMOCKA_LIBRARY OR NOT CMOCKA_INCLUDE_DIR)
  message(FATAL_ERROR "CMocka not found: run scripts/deps.sh (Debian package libcmocka-dev)")
endif()
find_program(VALGRIND valgrind)

set(FLANK_VALGRIND_ARGS --error-exitcode=99 --leak-check=full
    --show-leak-kinds=all --errors-for-leak-kinds=all --track-origins=yes
    --quiet)

function(add_flank_test)
  cmake_parse_arguments(T "NO_MEMCHECK;WILL_FAIL" "NAME"
    "SOURCES;LIBS;LABELS;ARGS" ${ARGN})
  if(NOT T_LABELS)
    set(T_LABELS unit)
  endif()
  set(exe test_${T_NAME})
  add_executable(${exe} ${T_SOURCES})
  target_compile_options(${exe} PRIVATE ${FLANK_WARNING_FLAGS} -g
    -Wno-missing-prototypes)
  target_include_directories(${exe} PRIVATE ${CMOCKA_INCLUDE_DIR})
  target_link_libraries(${exe} PRIVATE ${T_LIBS} ${CMOCKA_LIBRARY})
  if(FLANK_COVERAGE)
    target_link_options(${exe} PRIVATE --coverage)
  endif()
  list(GET T_LABELS 0 first)
  add_test(NAME ${first}.${T_NAME} COMMAND ${exe} ${T_ARGS})
  set_tests_properties(${first}.${T_NAME} PROPERTIES LABELS "${T_LABELS}")
  if(T_WILL_FAIL)
    set_tests_properties(${first}.${T_NAME} PROPERTIES WILL_FAIL TRUE)
  endif()
  if(NOT T_NO_MEMCHECK AND NOT T_WILL_FAIL AND VALGRIND)
    add_test(NAME memcheck.${T_NAME}
      COMMAND ${VALGRIND} ${FLANK_VALGRIND_ARGS} $<TARGET_FILE:${exe}> ${T_ARGS})
    set_tests_properties(memcheck.${T_NAME} PROPERTIES LABELS memcheck)
  endif()
endfunction()

# add_libvmm_test(NAME name SOURCES ... [LABELS ...] [INCLUDES ...])
#
# A libvmm test on the emulated VT-x (add_flank_test underneath): the test
# platform, libvmm and the emulator, libvmm's private headers, and the
# vmcs_check module's source compiled in, whose constructor registers the
# checker before main() as the module's DT_INIT_ARRAY does, so that failed
# entries are diagnosed with the rule as with the module loaded.
function(add_libvmm_test)
  cmake_parse_arguments(L "" "NAME" "SOURCES;LABELS;INCLUDES" ${ARGN})
  if(NOT TARGET flank_mock)
    return()
  endif()
  set(labels)
  if(L_LABELS)
    set(labels LABELS ${L_LABELS})
  endif()
  add_flank_test(NAME ${L_NAME} ${labels}
    SOURCES ${L_SOURCES}
      ${CMAKE_SOURCE_DIR}/libvmm/modules/vmcs_check/vmcs_check_module.c
    LIBS libvmm_check flank_test_platform libvmm flank_mock libvmm
      flank_test_support)
  target_include_directories(test_${L_NAME} PRIVATE
    ${CMAKE_SOURCE_DIR}/libvmm/src ${L_INCLUDES})
endfunction()
