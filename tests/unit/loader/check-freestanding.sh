#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-freestanding.sh CC INCLUDE_DIR SOURCE...
#
# The loader must not call anything outside itself (no libc: it is built
# into a Linux module and freestanding fuzzers). Compiles the sources at
# -O0 and -O2 as the kernel would (-ffreestanding -fno-builtin), links them
# into one relocatable object and fails on any undefined symbol.
set -u
cc=${1:?usage: check-freestanding.sh CC INCLUDE_DIR SOURCE...}
inc=${2:?}
shift 2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0
for opt in -O0 -O2; do
	objs=
	for src in "$@"; do
		obj="$tmp/$(basename "$src" .c)$opt.o"
		"$cc" $opt -ffreestanding -fno-builtin -fno-stack-protector \
			-mno-red-zone -mgeneral-regs-only -I"$inc" -c "$src" \
			-o "$obj" || exit 1
		objs="$objs $obj"
	done
	# shellcheck disable=SC2086
	ld -r -o "$tmp/all$opt.o" $objs || exit 1
	und=$(nm -u "$tmp/all$opt.o")
	if [ -n "$und" ]; then
		echo "loader ($opt) needs symbols from outside: $und" >&2
		fail=1
	fi
done
[ $fail -eq 0 ] && echo "loader: no undefined symbols at -O0 and -O2"
exit $fail
