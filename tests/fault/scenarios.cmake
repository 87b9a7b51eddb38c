# SPDX-License-Identifier: GPL-2.0-or-later
#
# The scenario files (docs/scenarios.md): one ctest per file under
# scenarios/ (label fault) and its Valgrind twin (label memcheck); every
# file under bad/ must be rejected or fail with the exact message its
# "# reject:" or "# fail:" line gives (label fault).
if(NOT TARGET flank_mock_fixture OR NOT TARGET flank_test_platform)
  return()
endif()
add_subdirectory(${CMAKE_CURRENT_SOURCE_DIR}/runner
  ${CMAKE_CURRENT_BINARY_DIR}/runner)

file(GLOB FLANK_SCENARIOS CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/scenarios/*.scen)
foreach(f ${FLANK_SCENARIOS})
  get_filename_component(n ${f} NAME_WE)
  add_test(NAME fault.scen.${n} COMMAND flank-scen scenarios/${n}.scen
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  set_tests_properties(fault.scen.${n} PROPERTIES LABELS fault)
  list(APPEND FLANK_SCENARIO_NAMES scenarios/${n}.scen)
endforeach()
# The Valgrind twin: every scenario file in one process (each still on a
# fresh machine), so that Valgrind's start-up is paid once, not per file.
if(VALGRIND AND FLANK_SCENARIO_NAMES)
  add_test(NAME memcheck.scenarios
    COMMAND ${VALGRIND} ${FLANK_VALGRIND_ARGS} $<TARGET_FILE:flank-scen>
            ${FLANK_SCENARIO_NAMES}
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  set_tests_properties(memcheck.scenarios PROPERTIES LABELS memcheck)
endif()

file(GLOB FLANK_BAD_SCENARIOS CONFIGURE_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/bad/*.scen)
foreach(f ${FLANK_BAD_SCENARIOS})
  get_filename_component(n ${f} NAME_WE)
  add_test(NAME fault.bad.${n}
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/expect_reject.sh
            $<TARGET_FILE:flank-scen> bad/${n}.scen
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  set_tests_properties(fault.bad.${n} PROPERTIES LABELS fault)
endforeach()
