# SPDX-License-Identifier: LGPL-2.1-or-later
#
# cmake -DFILE=path -DOUT=path -P FlankSha256.cmake
# Writes "<sha256 of FILE>  <FILE>" to OUT (one line), only if it changed.
file(SHA256 ${FILE} sum)
set(line "${sum}  ${FILE}\n")
if(EXISTS ${OUT})
  file(READ ${OUT} old)
  if(old STREQUAL line)
    return()
  endif()
endif()
file(WRITE ${OUT} "${line}")
