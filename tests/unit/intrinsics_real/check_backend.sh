#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check_backend.sh CC INCLUDE_DIR ARCHIVE [IBT_MARKS]
#
# Checks the real backend's archive as the image part built it, with the
# image flags (intrinsics/real/CMakeLists.txt):
#   - every function that intrinsics.h declares (extern, not static inline)
#     is defined in the archive, except the vmm_* callbacks that libvmm
#     provides to the exit entry;
#   - every global function in the archive starts with ENDBR64, C and
#     assembly alike (IBT: the host or the image may call any of them
#     through a pointer);
#   - every object carries the IBT mark in .note.gnu.property, unless
#     IBT_MARKS is "linker": a bare-metal x86_64-elf GCC emits no such note
#     (cmake/x86_64-elf.cmake), and the image's link marks IBT with -z ibt
#     on the strength of the ENDBR64 check above.
# The declarations are taken from the compiler itself (-aux-info), not by
# parsing the header with a regex.
set -u
cc=$1
inc=$2
ar=$3
ibt_marks=${4:-objects}
hdr=$inc/flank/intrinsics.h
fail=0
err() { echo "check_backend: $*" >&2; fail=1; }

[ -f "$ar" ] || { echo "check_backend: $ar: no such archive" >&2; exit 1; }
tmp=$(mktemp) || exit 1
trap 'rm -f "$tmp"' EXIT
"$cc" -fsyntax-only -I"$inc" -aux-info "$tmp" -x c "$hdr" || exit 1

declared=$(grep -F "$hdr:" "$tmp" | grep ' extern ' |
	sed -E 's/.*[ *]([A-Za-z_0-9]+) \(.*/\1/' | grep -v '^vmm_' | sort -u)
[ -n "$declared" ] || err "no declarations found in $hdr"
defined=$(nm --defined-only "$ar" | awk '$2 == "T" { print $3 }' | sort -u)
missing=$(printf '%s\n' "$declared" | while read -r f; do
	printf '%s\n' "$defined" | grep -qx "$f" || echo "$f"
done)
[ -z "$missing" ] || err "declared in intrinsics.h but not defined: $(echo $missing)"

# Global FUNC symbols per member, then the first instruction of each.
funcs=$(readelf -sW "$ar" | awk '$4 == "FUNC" && $5 == "GLOBAL" && $7 != "UND" { print $8 }' | sort -u)
noendbr=$(objdump -d "$ar" | awk -v list="$(echo $funcs)" '
	BEGIN { n = split(list, f, " "); for (i = 1; i <= n; i++) want[f[i]] = 1 }
	/^[0-9a-f]+ <[^>]+>:$/ { name = substr($2, 2, length($2) - 3); check = (name in want); next }
	check && /^ +[0-9a-f]+:/ { if ($0 !~ /endbr64/) print name; check = 0 }')
[ -z "$noendbr" ] || err "global functions without ENDBR64: $(echo $noendbr)"

members=$(ar t "$ar" | wc -l)
case $ibt_marks in
objects)
	marked=$(readelf -n "$ar" | grep -c 'x86 feature:.*IBT')
	[ "$members" -eq "$marked" ] || err "$((members - marked)) of $members objects lack the IBT mark"
	marks="$members objects IBT-marked"
	;;
linker) marks="IBT marked by the linker (cross compiler: no per-object notes)" ;;
*) err "IBT_MARKS must be objects or linker, not '$ibt_marks'" ;;
esac

[ $fail -eq 0 ] || exit 1
echo "check_backend: $ar: $(echo "$declared" | wc -l) declared functions defined; $(echo $funcs | wc -w) global functions start with ENDBR64; $marks"
