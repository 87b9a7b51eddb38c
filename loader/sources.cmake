# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The one list of loader sources. The host library flank_loader, the fuzz
# harness (compiled by clang with sanitizers) and the driver's Kbuild all
# compile exactly these files.
set(LOADER_DIR ${CMAKE_CURRENT_LIST_DIR})
set(LOADER_SOURCES
  ${LOADER_DIR}/src/util.c
  ${LOADER_DIR}/src/status.c
  ${LOADER_DIR}/src/header.c
  ${LOADER_DIR}/src/phdr.c
  ${LOADER_DIR}/src/dynamic.c
  ${LOADER_DIR}/src/symbols.c
  ${LOADER_DIR}/src/relocs.c
  ${LOADER_DIR}/src/lookup.c
  ${LOADER_DIR}/src/load.c
  ${LOADER_DIR}/src/link.c
)
set(LOADER_INCLUDE_DIRS ${LOADER_DIR}/include)
# Relative to loader/, for Kbuild's "flank-y += ..." lists.
set(LOADER_SOURCES_RELATIVE src/util.o src/status.o src/header.o src/phdr.o
  src/dynamic.o src/symbols.o src/relocs.o src/lookup.o src/load.o
  src/link.o)
