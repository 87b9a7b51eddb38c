# SPDX-License-Identifier: GPL-2.0-or-later
# shellcheck shell=sh disable=SC2154,SC2034 # $work, $log, $tag from bochs-check.sh, which reads $memtype_summary
#
# memtype-check.sh: the whole-system comparison of memory types (issue 18
# section 2, docs/ept.md "Proof against Linux"), sourced by bochs-check.sh
# for the main scenario after check-lib.sh.
#
# Linux's side, logged by bochs-init.sh before flank.ko is loaded:
#   mtrr        /proc/mtrr: the variable ranges as the kernel read them at
#               boot ("regNN: base=0x... (..MB), size= ..MB, count=N: TYPE");
#               it lists neither the default type nor the fixed ranges, so
#   mtrr_msrs   IA32_MTRRCAP, IA32_MTRR_DEF_TYPE and the 11 fixed-range
#               MTRRs through Linux's msr driver (flank-probe rdmsr);
#   iomem_ram   the "System RAM" lines of /proc/iomem (samples in RAM).
# Flank's side, logged right after start:
#   ept_dump    flankctl dump: "EPT type: 0xBASE-0xLAST NAME", the runs of
#               one memory type the EPT map's leaves hold, as written.
# For sampled addresses (the legacy area below 1 MiB, RAM, the top of RAM,
# each variable range's first and last page, the MMIO hole below 4 GiB,
# above RAM, the last mapped page) the type the SDM's rules (Vol. 3A
# 12.11.4.1) give from Linux's view must be the EPT leaf's type; the verdict
# fails on the first mismatch and names the address and why it was sampled.
# FLANK_E2E_EXPECT_EPT=1: the cell's CPU has EPT and the comparison must run;
# otherwise it runs whenever the ring says "EPT on".

memtype_check() {
	if ! out ept_dump | grep -q "EPT on: "; then
		[ "${FLANK_E2E_EXPECT_EPT:-0}" != 1 ] ||
			fail "memtypes: the ring after start does not say 'EPT on'"
		memtype_summary=
		return 0
	fi
	expect mtrr 0
	expect mtrr_msrs 0
	out mtrr >"$work/memtype.mtrr"
	out mtrr_msrs >"$work/memtype.msrs"
	out iomem_ram >"$work/memtype.iomem"
	out ept_dump | sed -n 's/.*EPT type: //p' >"$work/memtype.ept"
	[ -s "$work/memtype.ept" ] || fail "memtypes: the ring has no 'EPT type:' lines"
	if grep -q "more runs not kept" "$work/memtype.ept"; then
		fail "memtypes: the ring did not keep every run of the EPT map ($(grep 'more runs' "$work/memtype.ept"))"
	fi
	awk -f - "$work/memtype.msrs" "$work/memtype.mtrr" "$work/memtype.iomem" \
		"$work/memtype.ept" >"$work/memtypes.txt" 2>"$work/memtypes.err" <<'EOF' ||
# Hex digits to a number (exact below 2^53: every address sampled here;
# no hex constants in this program, which POSIX awk does not have).
function hex(s,    i, c, v) {
	sub(/^0x/, "", s)
	v = 0
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", tolower(substr(s, i, 1)))
		if (c == 0) break
		v = v * 16 + c - 1
	}
	return v
}
# A number below 2^53 as "0x..." (printf's %x stops at 2^31 in some awks).
function tohex(v,    s, d) {
	s = ""
	do {
		d = v % 16
		s = substr("0123456789abcdef", d + 1, 1) s
		v = (v - d) / 16
	} while (v > 0)
	return "0x" s
}
# Byte @b (0 = lowest) of the hex string @s as a number (no 64-bit math).
function byte(s, b) {
	sub(/^0x/, "", s)
	while (length(s) < 16) s = "0" s
	return hex(substr(s, 15 - 2 * b, 2))
}
function name(t) {
	if (t == 0) return "uncachable"
	if (t == 1) return "write-combining"
	if (t == 4) return "write-through"
	if (t == 5) return "write-protect"
	if (t == 6) return "write-back"
	return "invalid"
}
function code(n) {
	if (n == "uncachable") return 0
	if (n == "write-combining") return 1
	if (n == "write-through") return 4
	if (n == "write-protect") return 5
	if (n == "write-back") return 6
	return -1
}
# The type of the page at @a from Linux's view, by SDM Vol. 3A 12.11.4.1.
function linux_type(a,    f, i, n, uc, wt, wb, other, t) {
	if (!enabled) return 0
	if (a < 1048576 && fixed_on) {
		if (a < 524288) return byte(fix[592], int(a / 65536))
		if (a < 786432) {
			f = int((a - 524288) / 16384)
			return byte(fix[600 + int(f / 8)], f % 8)
		}
		f = int((a - 786432) / 4096)
		return byte(fix[616 + int(f / 8)], f % 8)
	}
	n = uc = wt = wb = other = 0
	for (i = 0; i < nvar; i++) {
		if (a < vbase[i] || a >= vbase[i] + vsize[i]) continue
		n++
		t = vtype[i]
		if (t == 0) uc++
		else if (t == 4) wt++
		else if (t == 6) wb++
		else other = t
		last = t
	}
	if (n == 0) return deftype
	if (uc) return 0
	if (n == wt + wb && wt && wb) return 4
	if (n == wt || n == wb) return last
	# Only one other type, alone or repeated, is that type; anything
	# else mixed is undefined (rule 2e): Flank chooses UC.
	if (wt == 0 && wb == 0) {
		for (i = 0; i < nvar; i++)
			if (a >= vbase[i] && a < vbase[i] + vsize[i] && vtype[i] != other)
				return 0
		return other
	}
	return 0
}
function flank_type(a,    i) {
	for (i = 0; i < nept; i++)
		if (a >= ebase[i] && a <= elast[i]) return ename[i]
	return "unmapped"
}
# Samples are kept in address order; keys are hex strings (a number as a
# key goes through CONVFMT, "%.6g", and large addresses would collide).
function sample(a, why,    k, i) {
	k = tohex(a)
	if (k in seen) return
	seen[k] = 1
	for (i = ns; i >= 1 && saddr[i] > a; i--) {
		saddr[i + 1] = saddr[i]
		swhy[i + 1] = swhy[i]
	}
	saddr[i + 1] = a
	swhy[i + 1] = why
	ns++
}
# Counters start as numbers: an unset one would index arrays by "".
BEGIN { nvar = 0; nept = 0; ns = 0; ramtop = 0 }
FILENAME == ARGV[1] && /result=ok/ {
	m = $0; sub(/.*msr=/, "", m); sub(/ .*/, "", m)
	v = $0; sub(/.*value=/, "", v); sub(/ .*/, "", v)
	msr[hex(m)] = v
	next
}
FILENAME == ARGV[2] && /^reg[0-9]+: base=/ {
	b = $0; sub(/.*base=/, "", b); sub(/ .*/, "", b)
	s = $0; sub(/.*size= */, "", s); u = s; sub(/[KMG]B.*/, "", s)
	sub(/^[0-9]+/, "", u); u = substr(u, 1, 1)
	t = $0; sub(/.*: /, "", t)
	vbase[nvar] = hex(b)
	vsize[nvar] = s * (u == "K" ? 1024 : u == "M" ? 1048576 : 1073741824)
	vtype[nvar] = code(t)
	if (vtype[nvar] < 0) { print "unknown type in /proc/mtrr: " $0 > "/dev/stderr"; exit 1 }
	nvar++
	next
}
FILENAME == ARGV[3] && /System RAM/ {
	r = $1; split(r, p, "-")
	if (hex(p[2]) + 1 > ramtop) ramtop = hex(p[2]) + 1
	next
}
FILENAME == ARGV[4] && /^0x[0-9a-f]+-0x[0-9a-f]+ / {
	split($1, p, "-")
	ebase[nept] = hex(p[1]); elast[nept] = hex(p[2]); ename[nept] = $2
	nept++
	next
}
END {
	if (!(254 in msr) || !(767 in msr)) {
		print "IA32_MTRRCAP or IA32_MTRR_DEF_TYPE was not read" > "/dev/stderr"; exit 1
	}
	cap = msr[254]; def = msr[767]
	deftype = byte(def, 0)
	# IA32_MTRR_DEF_TYPE bits 11 (E) and 10 (FE): byte 1's bits 3 and 2.
	enabled = int(byte(def, 1) / 8) % 2
	fixed_on = enabled && int(byte(def, 1) / 4) % 2 && byte(cap, 1) % 2
	if (fixed_on) {
		n = split("592 600 601 616 617 618 619 620 621 622 623", ids, " ")
		for (i = 1; i <= n; i++) {
			if (!(ids[i] in msr)) {
				printf "fixed-range MTRR %d was not read\n", ids[i] > "/dev/stderr"; exit 1
			}
			fix[ids[i] + 0] = msr[ids[i]]
		}
	}
	if (ramtop == 0) { print "no System RAM in /proc/iomem" > "/dev/stderr"; exit 1 }
	if (nept == 0) { print "no EPT type lines" > "/dev/stderr"; exit 1 }
	limit = elast[nept - 1] + 1
	sample(hex("0"), "legacy: first page")
	sample(hex("9f000"), "legacy: last page of base memory")
	sample(hex("a0000"), "legacy: VGA window")
	sample(hex("bf000"), "legacy: end of the VGA window")
	sample(hex("c0000"), "legacy: option ROMs")
	sample(hex("e0000"), "legacy: BIOS")
	sample(hex("ff000"), "legacy: last page below 1 MiB")
	sample(hex("100000"), "RAM: 1 MiB")
	sample(hex("1000000"), "RAM: 16 MiB")
	sample(int(ramtop / 2 / 4096) * 4096, "RAM: the middle")
	sample(ramtop - 4096, "RAM: its last page")
	sample(ramtop, "above RAM: the first page")
	for (i = 0; i < nvar; i++) {
		sample(vbase[i], sprintf("reg%02d: first page", i))
		sample(vbase[i] + vsize[i] - 4096, sprintf("reg%02d: last page", i))
		sample(vbase[i] + vsize[i], sprintf("reg%02d: the page after it", i))
	}
	sample(hex("80000000"), "below 4 GiB: 2 GiB")
	sample(hex("c0000000"), "below 4 GiB: 3 GiB")
	sample(hex("fec00000"), "below 4 GiB: I/O APIC")
	sample(hex("fee00000"), "below 4 GiB: local APIC")
	sample(hex("fffff000"), "below 4 GiB: the reset vector's page")
	sample(hex("100000000"), "4 GiB")
	sample(hex("8000000000"), "512 GiB")
	sample(limit - 4096, "the last page EPT maps")
	bad = 0
	for (i = 1; i <= ns; i++) {
		a = saddr[i]
		if (a >= limit) continue
		l = name(linux_type(a)); f = flank_type(a)
		printf "%-14s %-16s %-16s %s\n", tohex(a), l, f, swhy[i]
		if (l != f && !bad) {
			printf "GPA %s (%s): Linux's MTRRs give %s, Flank's EPT leaf %s\n", tohex(a), swhy[i], l, f > "/dev/stderr"
			bad = 1
		}
	}
	exit bad
}
EOF
		fail "memtypes: $(cat "$work/memtypes.err")"
	memtype_summary="$(wc -l <"$work/memtypes.txt") sampled addresses, the same memory type in Linux's MTRRs and Flank's EPT map"
}
