#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# check-ibt.sh [-v] ELF
#
# Proves that a VMM image or extension module can run under a kernel with
# CET indirect-branch tracking (IBT: Linux 6.2+ on Tiger Lake and later,
# CONFIG_X86_KERNEL_IBT). Its code runs with the host's IA32_S_CET, in VMX
# root too (no VM-exit control loads other CET state, docs/vmcs.md "CET"),
# and there an indirect CALL or JMP that lands anywhere but on ENDBR64
# raises #CP: a kernel BUG, or a hang in VMX root. Checks:
#   - no `notrack` branch anywhere in the code. GCC emits `notrack jmp` for
#     a switch compiled to a jump table; Linux never sets NO_TRACK_EN in
#     IA32_S_CET, so the prefix is not honoured and the jump to a case label
#     without ENDBR64 raises #CP. Build with -fno-jump-tables, as the
#     kernel does.
#   - every code address the file takes starts with ENDBR64: the targets of
#     RIP-relative address computations into an executable segment (a
#     function whose address the code takes: HOST_RIP, a callback, a hook),
#     code addresses stored in data (R_X86_64_RELATIVE addends, R_X86_64_64
#     and GLOB_DAT of defined functions: function-pointer tables), every
#     exported function (what the driver and other modules call through a
#     pointer) and the ELF entry point.
# One exception: an address that is a NOTYPE symbol in .symtab is an
# assembly label that the code compares or IRETs to, never a branch target
# (intrinsics/real/safe_insn.S: the guarded instruction and its fixup; IRET is
# not tracked). C code cannot make such a symbol; -v lists them.
# Exits 0 when all checks pass; otherwise names every failure and exits 1.
set -u
verbose=0
[ "${1:-}" = -v ] && { verbose=1; shift; }
elf=${1:?usage: check-ibt.sh [-v] ELF}
[ -f "$elf" ] || { echo "check-ibt: $elf: no such file" >&2; exit 1; }
readelf -h "$elf" >/dev/null 2>&1 || { echo "check-ibt: $elf: not an ELF file" >&2; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# Executable LOAD segments: vaddr memsz offset (hex, without 0x).
readelf -W -l "$elf" | awk '$1 == "LOAD" && / R?W?E / {
	sub(/^0x/, "", $2); sub(/^0x/, "", $3); sub(/^0x/, "", $6)
	print $3, $6, $2 }' >"$tmp/exec"
# Symbols: value type name (.symtab when present, else the dynamic table).
readelf -W -s "$elf" | awk '$1 ~ /^[0-9]+:$/ && $7 != "UND" && $8 != "" {
	print $2, $4, $8 }' | sort -u >"$tmp/syms"

objdump -d -w --no-show-raw-insn "$elf" >"$tmp/dis" 2>/dev/null

fail=0
# 1. notrack branches, each named by the function that holds it.
awk '/^[0-9a-f]+ <.*>:$/ { fn = $2; gsub(/[<>:]/, "", fn) }
	/\tnotrack / { a = $1; sub(/:$/, "", a); print fn, a }' "$tmp/dis" >"$tmp/notrack"
while read -r fn addr; do
	echo "check-ibt: $elf: notrack branch in $fn at 0x$addr (a jump table: build with -fno-jump-tables)" >&2
	fail=1
done <"$tmp/notrack"

# 2. Every address the code takes: "address why" lines.
{
	awk '/^[0-9a-f]+ <.*>:$/ { fn = $2; gsub(/[<>:]/, "", fn) }
		/\(%rip\)/ && /# [0-9a-f]+ </ {
			for (i = 1; i <= NF; i++) if ($i == "#") { print $(i + 1), "address-taken-in:" fn; break }
		}' "$tmp/dis"
	readelf -W -r "$elf" | awk '$3 == "R_X86_64_RELATIVE" { o = $1; sub(/^0+/, "", o); print $4, "stored-in-data-at:0x" o }'
	readelf -W -r "$elf" | awk '($3 == "R_X86_64_64" || $3 == "R_X86_64_GLOB_DAT") && $4 !~ /^0+$/ {
		o = $1; sub(/^0+/, "", o); print $4, "stored-in-data-at:0x" o }' | sed 's/^0*\([0-9a-f]\)/\1/'
	readelf -W --dyn-syms "$elf" | awk '$4 == "FUNC" && $7 != "UND" && ($5 == "GLOBAL" || $5 == "WEAK") {
		print $2, "exported" }'
	readelf -h "$elf" | awk '/Entry point address:/ { a = $4; sub(/^0x/, "", a); if (a != "0") print a, "entry-point" }'
} | awk '{ a = $1; sub(/^0+/, "", a); if (a == "") a = "0"; print a, $2 }' >"$tmp/taken"

# Keep the addresses inside an executable segment; attach file offset and
# the symbol (name+offset) each one falls in.
awk -v execf="$tmp/exec" -v symf="$tmp/syms" '
	function hex(s,   i, c, v) { v = 0; s = tolower(s)
		for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)) - 1; v = v * 16 + c }
		return v }
	BEGIN {
		while ((getline l < execf) > 0) { split(l, f, " "); n++; lo[n] = hex(f[1]); hi[n] = lo[n] + hex(f[2]); off[n] = hex(f[3]) }
		while ((getline l < symf) > 0) { split(l, f, " "); v = hex(f[1]); if (f[2] == "NOTYPE") label[v] = f[3]
			if (f[2] == "FUNC" || f[2] == "NOTYPE") { ns++; sv[ns] = v; sn[ns] = f[3] } }
	}
	{
		a = hex($1)
		for (i = 1; i <= n; i++) if (a >= lo[i] && a < hi[i]) break
		if (i > n) next
		best = ""; bv = -1
		for (j = 1; j <= ns; j++) if (sv[j] <= a && sv[j] > bv) { bv = sv[j]; best = sn[j] }
		where = best == "" ? sprintf("0x%x", a) : (a == bv ? best : sprintf("%s+0x%x", best, a - bv))
		print $1, a - lo[i] + off[i], (a in label) ? "label" : "code", where, $2
	}' "$tmp/taken" | sort -u -k1,1 >"$tmp/targets"

while read -r addr foff kind where why; do
	bytes=$(od -An -tx1 -j "$foff" -N 4 "$elf" | tr -d ' \n')
	if [ "$bytes" = f30f1efa ]; then
		[ $verbose -eq 1 ] && echo "check-ibt: ok     0x$addr $where ($(echo "$why" | tr -- "-:" "  "))"
	elif [ "$kind" = label ]; then
		[ $verbose -eq 1 ] && echo "check-ibt: label  0x$addr $where ($(echo "$why" | tr -- "-:" "  ")): not a branch target"
	else
		echo "check-ibt: $elf: indirect-branch target $where (0x$addr, $(echo "$why" | tr -- "-:" "  ")) does not start with ENDBR64 (build with -fcf-protection=branch)" >&2
		fail=1
	fi
done <"$tmp/targets"

if [ $fail -ne 0 ]; then
	exit 1
fi
echo "check-ibt: $elf: ok ($(wc -l <"$tmp/targets") indirect-branch targets start with ENDBR64 or are labels, no notrack branch)"
