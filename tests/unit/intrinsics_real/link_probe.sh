#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# link_probe.sh CC INCLUDE_DIR ARCHIVE PROBE_C OUT_DIR CHECK_IMAGE [LDFLAG...]
#
# Links the whole real backend (--whole-archive) with link_probe.c into a
# shared object using the flags of vmm.elf (libvmm/image/CMakeLists.txt)
# and runs scripts/check-image.sh on it: the backend, assembly included,
# links without undefined symbols, TEXTREL or unsupported relocations.
# LDFLAGs are the image link's extra flags (-Wl,-z,ibt with a cross
# compiler, cmake/x86_64-elf.cmake).
set -eu
cc=$1 inc=$2 ar=$3 probe=$4 out=$5 check=$6
shift 6
mkdir -p "$out"
"$cc" -ffreestanding -fno-builtin -nostdlib -fPIC -fvisibility=hidden \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	-fcf-protection=branch -fno-jump-tables -fno-common -O2 -Wall -Wextra -Werror \
	-I"$inc" -c "$probe" -o "$out/link_probe.o"
"$cc" -nostdlib -shared -Wl,--no-undefined -Wl,-z,now -Wl,-z,relro \
	-Wl,-z,noexecstack -Wl,-z,separate-code -Wl,-Bsymbolic \
	-Wl,--hash-style=both -Wl,-z,max-page-size=4096 "$@" \
	"$out/link_probe.o" -Wl,--whole-archive "$ar" -Wl,--no-whole-archive \
	-o "$out/backend_probe.so"
"$check" "$out/backend_probe.so"
