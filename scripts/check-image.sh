#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-image.sh ELF
#
# Checks a VMM image or extension module the way the loader will treat it,
# with binutils, so that the build fails before a bad image reaches a kernel:
#   - ELF64, x86-64, ET_DYN;
#   - no undefined dynamic symbols (besides the null symbol);
#   - no DT_TEXTREL;
#   - no PT_LOAD segment that is both writable and executable;
#   - ENDBR64 at the entry of every exported function (IBT kernels);
#   - the IBT mark in .note.gnu.property: the linker keeps it only if every
#     input object has it, so it proves that all code, hidden functions and
#     assembly included, was built for IBT (-fcf-protection=branch, or
#     ENDBR64 by hand in .S files, intrinsics/real/asm.h);
#   - no indirect CALL/JMP except inside the image's retpoline thunks
#     (__x86_indirect_thunk_<reg>), and every thunk called is defined;
#   - IBT-clean code (scripts/check-ibt.sh): no `notrack` branch (jump
#     tables) and ENDBR64 at every code address the file takes;
#   - only the relocation types the loader supports: R_X86_64_NONE,
#     R_X86_64_RELATIVE, R_X86_64_64, R_X86_64_GLOB_DAT, R_X86_64_JUMP_SLOT.
# Set FLANK_ALLOW_UNDEFINED=1 for extension modules, which import symbols.
# Exits 0 when all checks pass; otherwise prints every failure and exits 1.
set -u
elf=${1:?usage: check-image.sh ELF}
fail=0
err() { echo "check-image: $elf: $*" >&2; fail=1; }

[ -f "$elf" ] || { echo "check-image: $elf: no such file" >&2; exit 1; }
hdr=$(readelf -h "$elf" 2>&1) || { echo "check-image: $elf: not an ELF file" >&2; exit 1; }
echo "$hdr" | grep -q 'Class:[[:space:]]*ELF64' || err "not ELF64"
echo "$hdr" | grep -q 'Machine:[[:space:]]*Advanced Micro Devices X86-64' || err "not x86-64"
echo "$hdr" | grep -q 'Type:[[:space:]]*DYN' || err "not ET_DYN (position independent)"

if [ "${FLANK_ALLOW_UNDEFINED:-0}" != 1 ]; then
	und=$(readelf -W --dyn-syms "$elf" | awk '$7 == "UND" && $8 != "" { print $8 }')
	[ -z "$und" ] || err "undefined symbols: $(echo $und)"
fi

readelf -W -d "$elf" | grep -q 'TEXTREL' && err "has TEXTREL (text relocations)"

wx=$(readelf -W -l "$elf" | awk '$1 == "LOAD" && $(NF-1) ~ /W/ && $(NF-1) ~ /E/')
# Flags are one column ("RWE") or split ("RW E"): test the whole line too.
wx2=$(readelf -W -l "$elf" | awk '$1 == "LOAD" && / RWE / ')
[ -z "$wx$wx2" ] || err "a LOAD segment is both writable and executable"

bad=$(readelf -W -r "$elf" | awk '/^[0-9a-f]+ +[0-9a-f]+ +R_X86_64_/ { print $3 }' |
	grep -v -x -e R_X86_64_NONE -e R_X86_64_RELATIVE -e R_X86_64_64 \
		-e R_X86_64_GLOB_DAT -e R_X86_64_JUMP_SLOT | sort -u)
[ -z "$bad" ] || err "unsupported relocation types: $(echo $bad)"

readelf -n "$elf" 2>/dev/null | grep -q 'x86 feature:.*IBT' ||
	err "not marked IBT-compatible (.note.gnu.property): an input object was built without -fcf-protection=branch"

# Every exported (defined, global, default-visibility) function starts with
# ENDBR64 (f3 0f 1e fa).
readelf -W --dyn-syms "$elf" |
	awk '$4 == "FUNC" && $7 != "UND" && ($5 == "GLOBAL" || $5 == "WEAK") { print $2, $8 }' |
	while read -r addr name; do
		bytes=$(objdump -d --start-address=0x$addr --stop-address=$((0x$addr + 4)) "$elf" |
			awk '/^ +[0-9a-f]+:/ { for (i = 2; i <= 5; i++) printf "%s", $i; exit }')
		case "$bytes" in
		f30f1efa*) ;;
		*) echo "check-image: $elf: exported function $name does not start with ENDBR64" >&2
		   echo x ;;
		esac
	done | grep -q x && fail=1

# No indirect CALL or JMP outside the retpoline thunks (Spectre v2,
# CVE-2017-5715; docs/exits.md "Speculation"): the image is built with
# -mindirect-branch=thunk-extern, so every indirect branch is a direct call
# of __x86_indirect_thunk_<reg>, which the image itself provides. Each one
# left, or a thunk the file calls without defining it, is named. Extension
# modules (FLANK_ALLOW_UNDEFINED=1) reach the image's exports through their
# PLT, whose stubs jump through the GOT: those sections are exempt there.
objdump -d -w --no-show-raw-insn "$elf" 2>/dev/null | awk -v mod="${FLANK_ALLOW_UNDEFINED:-0}" '
	/^Disassembly of section / { sec = $4; sub(/:$/, "", sec) }
	/^[0-9a-f]+ <.*>:$/ { fn = $2; gsub(/[<>:]/, "", fn) }
	/\t(notrack |bnd )?(call|jmp|lcall|ljmp)[a-z]* +\*/ {
		if (fn ~ /^__x86_indirect_thunk_/) next
		if (mod == 1 && sec ~ /^\.plt/) next
		a = $1; sub(/:$/, "", a)
		print "indirect branch in " fn " at 0x" a " (not through a retpoline thunk: build with -mindirect-branch=thunk-extern)"
	}
	/\t(call|jmp)[a-z]* +[0-9a-f]+ <__x86_indirect_thunk_[a-z0-9]+(@plt)?>/ {
		t = $NF; gsub(/[<>]/, "", t); sub(/@plt$/, "", t); used[t] = 1
	}
	/^[0-9a-f]+ <__x86_indirect_thunk_[a-z0-9]+>:$/ { t = $2; gsub(/[<>:]/, "", t); defined[t] = 1 }
	END { if (mod != 1) for (t in used) if (!(t in defined)) print "calls " t " but does not define it" }
' >"${TMPDIR:-/tmp}/check-image.$$"
while read -r line; do
	err "$line"
done <"${TMPDIR:-/tmp}/check-image.$$"
rm -f "${TMPDIR:-/tmp}/check-image.$$"

# Jump tables and address-taken code without ENDBR64 (the check names each).
"$(dirname "$0")/check-ibt.sh" "$elf" >/dev/null || fail=1

if [ $fail -ne 0 ]; then
	exit 1
fi
echo "check-image: $elf: ok"
