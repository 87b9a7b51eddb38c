# SPDX-License-Identifier: LGPL-2.1-or-later
#
# What `cmake --install` (and so `make install` and the flank-tools Debian
# package, debian/rules) puts where, relative to CMAKE_INSTALL_PREFIX
# (docs/installing.md, "Files"). tools/ installs sbin/flankctl,
# bin/flank-elf, their man pages, bash completion and the --json schemas;
# this file adds the image part's files and the DKMS sources:
#   lib/flank/vmm.elf          the VMM image, and beside it the extension
#   lib/flank/vmcs_check.elf   modules: `flankctl load .../vmm.elf` loads
#   lib/flank/example.elf      vmcs_check.elf from the image's directory
#   lib/flank/textguard.elf    (the kernel text guard, docs/modules.md)
# The component `dkms` (not installed by default) holds the sources DKMS
# builds flank.ko from: src/flank-VERSION/{dkms.conf,driver_linux,loader,abi}
# (the flank-dkms package; `cmake --install BUILD --component dkms`).
#
# The image and its modules are x86-64 ELF objects for VMX root, not host
# programs: they go to the package's own directory (FHS: /usr/lib/<package>
# holds a package's internal object files), not to the multiarch libdir.
set(FLANK_INSTALL_PKGLIBDIR "lib/flank" CACHE STRING
  "Where the VMM image and extension modules go, relative to the prefix")
set(FLANK_INSTALL_DKMSDIR "src/flank-${PROJECT_VERSION}" CACHE STRING
  "Where the DKMS sources (component dkms) go, relative to the prefix")

install(FILES ${FLANK_VMM_ELF} ${FLANK_VMCS_CHECK_MODULE}
  ${FLANK_EXAMPLE_MODULE} ${FLANK_TEXTGUARD_MODULE} DESTINATION ${FLANK_INSTALL_PKGLIBDIR})

# DKMS builds with driver_linux/Makefile and Kbuild, which read
# loader/sources.cmake: the three directories as in the repository, less
# the CMake files of the userspace build (sources.cmake stays).
install(FILES driver_linux/dkms.conf DESTINATION ${FLANK_INSTALL_DKMSDIR}
  COMPONENT dkms EXCLUDE_FROM_ALL)
install(DIRECTORY driver_linux loader abi DESTINATION ${FLANK_INSTALL_DKMSDIR}
  COMPONENT dkms EXCLUDE_FROM_ALL
  PATTERN CMakeLists.txt EXCLUDE
  PATTERN dkms.conf EXCLUDE)
# flank.ko compiles libvmm's status sentences (driver_linux/core/vmm_texts.c).
install(FILES libvmm/src/status.c libvmm/src/status_texts.h libvmm/src/strtab.h
  DESTINATION ${FLANK_INSTALL_DKMSDIR}/libvmm/src
  COMPONENT dkms EXCLUDE_FROM_ALL)
install(FILES libvmm/include/flank/vmm_status.h
  DESTINATION ${FLANK_INSTALL_DKMSDIR}/libvmm/include/flank
  COMPONENT dkms EXCLUDE_FROM_ALL)
