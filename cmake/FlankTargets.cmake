# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Targets a user types. Each one that a later piece of work fills in exists
# from the start and fails with a clear message while empty.

function(flank_placeholder_target name what)
  if(NOT TARGET ${name})
    add_custom_target(${name}
      COMMAND ${CMAKE_COMMAND} -E echo "flank: '${name}' is not available yet: ${what}"
      COMMAND ${CMAKE_COMMAND} -E false
      VERBATIM)
  endif()
endfunction()

# Source files checked by format-check and tidy: every tracked C file.
function(flank_tracked_sources out)
  execute_process(
    COMMAND git ls-files -- "*.c" "*.h"
    WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
    OUTPUT_VARIABLE files OUTPUT_STRIP_TRAILING_WHITESPACE
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    file(GLOB_RECURSE files RELATIVE ${CMAKE_SOURCE_DIR}
      ${CMAKE_SOURCE_DIR}/*.c ${CMAKE_SOURCE_DIR}/*.h)
    list(FILTER files EXCLUDE REGEX "^build")
  else()
    string(REPLACE "\n" ";" files "${files}")
  endif()
  set(${out} ${files} PARENT_SCOPE)
endfunction()

find_program(CLANG_FORMAT NAMES clang-format-14 clang-format)
find_program(CLANG_TIDY NAMES clang-tidy-14 clang-tidy)

add_custom_target(format-check
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/format-check.sh ${CLANG_FORMAT}
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  COMMENT "clang-format --dry-run over every tracked C file"
  VERBATIM)

add_custom_target(format
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/format-check.sh ${CLANG_FORMAT} --fix
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  VERBATIM)

add_custom_target(tidy
  COMMAND ${CMAKE_SOURCE_DIR}/scripts/tidy.sh ${CLANG_TIDY} ${CMAKE_BINARY_DIR}
  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
  COMMENT "clang-tidy over the C sources of the build"
  VERBATIM)
