# SPDX-License-Identifier: LGPL-2.1-or-later
#
# DESTDIR=... cmake -DMANIFEST=BUILD/install_manifest.txt -P cmake/FlankUninstall.cmake
#
# `make uninstall`: removes every file the last `cmake --install` (or `make
# install`) of that build wrote, as listed in its manifest (the paths there
# do not include DESTDIR: pass the DESTDIR of the install), then Flank's own directories
# (lib/flank, src/flank-VERSION) if that left them empty. Directories
# shared with other software (bin, sbin, ...) stay.
if(NOT MANIFEST)
  message(FATAL_ERROR "FlankUninstall: pass -DMANIFEST=<build>/install_manifest.txt")
endif()
if(NOT EXISTS "${MANIFEST}")
  message(FATAL_ERROR "FlankUninstall: ${MANIFEST} does not exist: nothing was installed from this build (make install first)")
endif()
file(STRINGS "${MANIFEST}" listed)
set(dirs)
foreach(l ${listed})
  set(f "$ENV{DESTDIR}${l}")
  if(IS_SYMLINK "${f}" OR EXISTS "${f}")
    message(STATUS "Removing ${f}")
    file(REMOVE "${f}")
    if(IS_SYMLINK "${f}" OR EXISTS "${f}")
      message(FATAL_ERROR "FlankUninstall: cannot remove ${f}")
    endif()
  else()
    message(STATUS "Already gone: ${f}")
  endif()
  # Flank's own directories: .../lib/flank, .../src/flank-* and
  # .../share/doc/flank, and the directories below them.
  get_filename_component(d "${f}" DIRECTORY)
  while(d MATCHES "/lib/flank(/|$)|/src/flank-[^/]+(/|$)|/share/doc/flank(/|$)")
    list(APPEND dirs "${d}")
    get_filename_component(d "${d}" DIRECTORY)
  endwhile()
endforeach()
# Deepest first, so that a parent is empty when its turn comes.
list(REMOVE_DUPLICATES dirs)
list(SORT dirs ORDER DESCENDING)
foreach(d ${dirs})
  file(GLOB left "${d}/*" "${d}/.*")
  if(IS_DIRECTORY "${d}" AND NOT left)
    file(REMOVE_RECURSE "${d}")
  endif()
endforeach()
file(REMOVE "${MANIFEST}")
