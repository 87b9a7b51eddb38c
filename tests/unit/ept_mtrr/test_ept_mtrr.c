// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Memory types from the MTRRs (libvmm/src/ept/mtrr.c, docs/ept.md):
 * - the SDM's rules (Vol. 3A 12.11), one table row each;
 * - range decisions against a per-4-KiB-page reference written here from
 *   the SDM text, on hand-made and on generated layouts (seeded, so every
 *   run checks the same ones);
 * - reading the MSRs of every emulated CPU profile, and each way reading
 *   can fail.
 */
#include <stdio.h>
#include <string.h>

#include "flank_test.h"
#include "flank/mock.h"
#include "flank/vmm_status.h"
#include "vmm_internal.h"
#include "ept/mtrr.h"

#define KIB UINT64_C(0x400)
#define MIB UINT64_C(0x100000)
#define GIB UINT64_C(0x40000000)
#define PAGES(n) ((uint64_t)(n)*4 * KIB)
#define V VMM_MTRR_PHYSMASK_VALID
#define UC VMM_MTRR_UC
#define WC VMM_MTRR_WC
#define WT VMM_MTRR_WT
#define WP VMM_MTRR_WP
#define WB VMM_MTRR_WB

/* ------------------------------------------------- the reference model */

/* Statistics of the reference, so the generated test can prove what it
 * exercised. */
static unsigned long ref_overlaps, ref_fixed_hits, ref_disabled;

static bool ref_valid(const struct vmm_mtrr_state *s, uint64_t t)
{
	/* SDM Vol. 3A Table 12-8; WC only with IA32_MTRRCAP.WC (12.11.1). */
	return t == 0 || t == 4 || t == 5 || t == 6 ||
	       (t == 1 && (s->cap & (1u << 10)));
}

static uint8_t ref_eff(const struct vmm_mtrr_state *s, uint64_t t)
{
	return ref_valid(s, t) ? (uint8_t)t : 0;
}

/*
 * SDM Vol. 3A 12.11.2.2, Table 12-9, as a list of the 11 registers: where
 * each one's eight fields start and how large each field's range is.
 */
static uint8_t ref_fixed(const struct vmm_mtrr_state *s, uint64_t a)
{
	static const struct {
		uint64_t start, field;
	} regs[11] = {
		{0x00000, 0x10000}, {0x80000, 0x4000}, {0xA0000, 0x4000},
		{0xC0000, 0x1000},  {0xC8000, 0x1000}, {0xD0000, 0x1000},
		{0xD8000, 0x1000},  {0xE0000, 0x1000}, {0xE8000, 0x1000},
		{0xF0000, 0x1000},  {0xF8000, 0x1000},
	};
	for (unsigned r = 0; r < 11; r++) {
		for (unsigned f = 0; f < 8; f++) {
			uint64_t lo = regs[r].start + f * regs[r].field;

			if (a >= lo && a < lo + regs[r].field)
				return ref_eff(s,
					       (s->fixed[r] >> (8 * f)) & 0xFF);
		}
	}
	fail_msg("no fixed range holds %#llx", (unsigned long long)a);
	return 0xFF;
}

/* SDM Vol. 3A 12.11.4.1, for one address. */
static uint8_t ref_type(const struct vmm_mtrr_state *s, uint64_t a)
{
	uint64_t field =
		((s->maxphyaddr >= 64 ? 0 : (UINT64_C(1) << s->maxphyaddr)) -
		 1) &
		~UINT64_C(0xFFF);
	uint8_t types[VMM_MTRR_MAX_VAR];
	unsigned n = 0;
	bool uc = false, wt = false, wb = false, others = false, same = true;

	if (!(s->def_type & (1u << 11))) {
		ref_disabled++;
		return UC;
	}
	if (a < MIB && (s->def_type & (1u << 10)) && (s->cap & (1u << 8))) {
		ref_fixed_hits++;
		return ref_fixed(s, a);
	}
	for (unsigned i = 0; i < s->var_count && i < VMM_MTRR_MAX_VAR; i++) {
		uint64_t mask = s->var[i].mask & field;

		if ((s->var[i].mask & V) &&
		    (a & mask) == (s->var[i].base & mask))
			types[n++] = ref_eff(s, s->var[i].base & 0xFF);
	}
	if (n == 0)
		return ref_eff(s, s->def_type & 0xFF);
	if (n > 1)
		ref_overlaps++;
	for (unsigned i = 0; i < n; i++) {
		same = same && types[i] == types[0];
		uc = uc || types[i] == UC;
		wt = wt || types[i] == WT;
		wb = wb || types[i] == WB;
		others = others || (types[i] != WT && types[i] != WB);
	}
	if (same)
		return types[0];
	if (uc)
		return UC;
	if (wt && wb && !others)
		return WT;
	return UC; /* undefined by the SDM: Flank's choice */
}

/* Page by page. */
static bool ref_range(const struct vmm_mtrr_state *s, uint64_t base,
		      uint64_t size, uint8_t *type)
{
	uint8_t first = ref_type(s, base);

	for (uint64_t off = 4 * KIB; off < size; off += 4 * KIB) {
		if (ref_type(s, base + off) != first)
			return false;
	}
	*type = first;
	return true;
}

/* ---------------------------------------------------- building layouts */

static struct vmm_mtrr_state layout(uint64_t cap, uint64_t def, unsigned w)
{
	struct vmm_mtrr_state s;

	memset(&s, 0, sizeof(s));
	s.cap = cap;
	s.def_type = def;
	s.maxphyaddr = w;
	s.var_count = cap & 0xFF;
	return s;
}

static uint64_t field_of(unsigned w)
{
	return ((UINT64_C(1) << w) - 1) & ~UINT64_C(0xFFF);
}

/* Variable range @p i: [base, base + size), size a power of two. */
static void var(struct vmm_mtrr_state *s, unsigned i, uint64_t base,
		uint64_t size, uint8_t type)
{
	s->var[i].base = base | type;
	s->var[i].mask = (~(size - 1) & field_of(s->maxphyaddr)) | V;
}

static void fixed_all(struct vmm_mtrr_state *s, uint8_t type)
{
	for (unsigned r = 0; r < VMM_MTRR_FIXED_COUNT; r++)
		s->fixed[r] = UINT64_C(0x0101010101010101) * type;
}

/* The answer of both the library and the reference, which must agree. */
static void expect_range(const struct vmm_mtrr_state *s, uint64_t base,
			 uint64_t size, bool uniform, uint8_t type,
			 const char *what)
{
	uint8_t got = 0xEE, ref = type;
	bool lib = vmm_mtrr_range_type(s, base, size, &got);
	/* The reference goes page by page: up to 1 GiB. */
	bool brute = size <= GIB ? ref_range(s, base, size, &ref) : uniform;

	if (lib != uniform || brute != uniform ||
	    (uniform && (got != type || ref != type)))
		fail_msg("%s: [%#llx, +%#llx) library %d/%u, reference %d/%u, "
			 "SDM %d/%u",
			 what, (unsigned long long)base,
			 (unsigned long long)size, lib, got, brute, ref,
			 uniform, type);
	if (!uniform)
		assert_int_equal(got, 0xEE); /* left alone */
}

/* -------------------------------------------------- the rules, a table */

struct rule {
	const char *rule;
	uint64_t cap, def;
	struct {
		uint64_t base, mask;
	} var[3];
	uint64_t addr;
	uint8_t fixed; /* every fixed-range field */
	uint8_t want;
};

#define CAP 0x508u /* 8 ranges, fixed, WC (SDM: P6 and Pentium 4) */
#define CAP_NO_WC 0x108u
#define CAP_NO_FIX 0x408u
#define E 0x800u
#define FE 0x400u
#define M36(size) ((UINT64_C(0xFFFFFFFFF) & ~((size)-1) & ~UINT64_C(0xFFF)) | V)

static const struct rule rules[] = {
	/* 12.11.2.1: E = 0 makes all of physical memory UC. */
	{"E=0, above 1 MiB",
	 CAP,
	 FE | WB,
	 {{WB, M36(4 * GIB)}},
	 2 * MIB,
	 WB,
	 UC},
	{"E=0, fixed ranges enabled",
	 CAP,
	 FE | WB,
	 {{WB, M36(4 * GIB)}},
	 0x1000,
	 WB,
	 UC},
	/* 12.11.4.1 rule 1: fixed ranges take priority below 1 MiB. */
	{"FE=1: fixed over variable",
	 CAP,
	 E | FE | WB,
	 {{UC, M36(2 * MIB)}},
	 0,
	 WP,
	 WP},
	{"FE=1: fixed at the last page",
	 CAP,
	 E | FE | WB,
	 {{UC, M36(2 * MIB)}},
	 0xFF000,
	 WP,
	 WP},
	{"FE=1: variable from 1 MiB",
	 CAP,
	 E | FE | WB,
	 {{UC, M36(2 * MIB)}},
	 MIB,
	 WP,
	 UC},
	{"FE=0: variable below 1 MiB",
	 CAP,
	 E | WB,
	 {{UC, M36(2 * MIB)}},
	 0x5000,
	 WP,
	 UC},
	{"FE=0: default below 1 MiB", CAP, E | WP, {{0}}, 0x5000, WB, WP},
	{"FIX=0: FE has no fixed ranges",
	 CAP_NO_FIX,
	 E | FE | WB,
	 {{WT, M36(MIB)}},
	 0,
	 WP,
	 WT},
	/* 12.11.4.1 rule 2. */
	{"no match: default",
	 CAP,
	 E | WP,
	 {{4 * GIB | WB, M36(4 * GIB)}},
	 2 * MIB,
	 UC,
	 WP},
	{"one match",
	 CAP,
	 E | WP,
	 {{4 * GIB | WB, M36(4 * GIB)}},
	 5 * GIB,
	 UC,
	 WB},
	{"V=0: not a range",
	 CAP,
	 E | WB,
	 {{UC, M36(4 * GIB) & ~V}},
	 2 * MIB,
	 UC,
	 WB},
	{"UC and WB: UC",
	 CAP,
	 E | WT,
	 {{WB, M36(GIB)}, {UC, M36(4 * MIB)}},
	 2 * MIB,
	 UC,
	 UC},
	{"WB and UC: UC",
	 CAP,
	 E | WT,
	 {{UC, M36(GIB)}, {WB, M36(4 * MIB)}},
	 2 * MIB,
	 UC,
	 UC},
	{"WT and WB: WT",
	 CAP,
	 E | UC,
	 {{WB, M36(GIB)}, {WT, M36(4 * MIB)}},
	 2 * MIB,
	 UC,
	 WT},
	{"WB, WT, WB: WT",
	 CAP,
	 E | UC,
	 {{WB, M36(GIB)}, {WT, M36(4 * MIB)}, {WB, M36(8 * MIB)}},
	 2 * MIB,
	 UC,
	 WT},
	{"WB and WB: WB",
	 CAP,
	 E | UC,
	 {{WB, M36(GIB)}, {WB, M36(4 * MIB)}},
	 2 * MIB,
	 UC,
	 WB},
	{"WC and WC: WC",
	 CAP,
	 E | UC,
	 {{WC, M36(GIB)}, {WC, M36(4 * MIB)}},
	 2 * MIB,
	 UC,
	 WC},
	{"WC and WB: undefined, UC",
	 CAP,
	 E | WB,
	 {{WB, M36(GIB)}, {WC, M36(4 * MIB)}},
	 2 * MIB,
	 WB,
	 UC},
	{"WP and WT: undefined, UC",
	 CAP,
	 E | WB,
	 {{WP, M36(GIB)}, {WT, M36(4 * MIB)}},
	 2 * MIB,
	 WB,
	 UC},
	{"WP and WB: undefined, UC",
	 CAP,
	 E | WB,
	 {{WP, M36(GIB)}, {WB, M36(4 * MIB)}},
	 2 * MIB,
	 WB,
	 UC},
	{"WT, WB, UC: UC",
	 CAP,
	 E | WB,
	 {{WT, M36(GIB)}, {WB, M36(4 * MIB)}, {UC, M36(8 * MIB)}},
	 2 * MIB,
	 WB,
	 UC},
	/* Types WRMSR refuses (#GP), taken as UC if found. */
	{"variable type 2: UC", CAP, E | WB, {{2, M36(GIB)}}, 2 * MIB, WB, UC},
	{"variable type 3: UC", CAP, E | WB, {{3, M36(GIB)}}, 2 * MIB, WB, UC},
	{"variable type 7: UC", CAP, E | WB, {{7, M36(GIB)}}, 2 * MIB, WB, UC},
	{"variable type 0xff: UC",
	 CAP,
	 E | WB,
	 {{0xFF, M36(GIB)}},
	 2 * MIB,
	 WB,
	 UC},
	{"invalid and WB overlap: UC",
	 CAP,
	 E | WB,
	 {{WB, M36(GIB)}, {3, M36(4 * MIB)}},
	 2 * MIB,
	 WB,
	 UC},
	{"WC without IA32_MTRRCAP.WC: UC",
	 CAP_NO_WC,
	 E | WB,
	 {{WC, M36(GIB)}},
	 2 * MIB,
	 WB,
	 UC},
	{"WC with IA32_MTRRCAP.WC",
	 CAP,
	 E | WB,
	 {{WC, M36(GIB)}},
	 2 * MIB,
	 WB,
	 WC},
	{"default type 2: UC", CAP, E | 2, {{0}}, 2 * MIB, WB, UC},
	{"default WC without WC: UC",
	 CAP_NO_WC,
	 E | WC,
	 {{0}},
	 2 * MIB,
	 WB,
	 UC},
	{"fixed type 3: UC", CAP, E | FE | WB, {{0}}, 0x1000, 3, UC},
	/* 12.11.2.3: only bits MAXPHYADDR-1:12 of PhysBase/PhysMask count. */
	{"bits above MAXPHYADDR ignored",
	 CAP,
	 E | UC,
	 {{BIT64(40) | 4 * GIB | WB, BIT64(40) | M36(4 * GIB)}},
	 4 * GIB,
	 UC,
	 WB},
	{"addresses alias above MAXPHYADDR",
	 CAP,
	 E | UC,
	 {{4 * GIB | WB, M36(4 * GIB)}},
	 BIT64(36) | 4 * GIB,
	 UC,
	 WB},
	{"reserved low bits ignored",
	 CAP,
	 E | UC,
	 {{0xF00 | 4 * GIB | WB, 0x7FF | M36(4 * GIB)}},
	 4 * GIB + 0x1000,
	 UC,
	 WB},
	/* 12.11.2.3: a discontinuous mask; left-out addresses: default. */
	{"discontinuous mask: in",
	 CAP,
	 E | WB,
	 {{UC, (UINT64_C(0xFFFFFFFFF) & ~UINT64_C(0x2FFF)) | V}},
	 0x2000,
	 WB,
	 UC},
	{"discontinuous mask: out",
	 CAP,
	 E | WB,
	 {{UC, (UINT64_C(0xFFFFFFFFF) & ~UINT64_C(0x2FFF)) | V}},
	 0x1000,
	 WB,
	 WB},
	{"discontinuous mask: out above",
	 CAP,
	 E | WB,
	 {{UC, (UINT64_C(0xFFFFFFFFF) & ~UINT64_C(0x2FFF)) | V}},
	 0x3000,
	 WB,
	 WB},
};

/* Each rule of SDM Vol. 3A 12.11 on one address, library and reference;
 * and the 4 KiB range at that address has the same one type. */
static void test_ept_mtrr_rules(void **state)
{
	(void)state;
	for (unsigned r = 0; r < FLANK_ARRAY_SIZE(rules); r++) {
		struct vmm_mtrr_state s =
			layout(rules[r].cap, rules[r].def, 36);

		fixed_all(&s, rules[r].fixed);
		for (unsigned i = 0; i < 3; i++) {
			s.var[i].base = rules[r].var[i].base;
			s.var[i].mask = rules[r].var[i].mask;
		}
		if (vmm_mtrr_page_type(&s, rules[r].addr) != rules[r].want ||
		    ref_type(&s, rules[r].addr) != rules[r].want)
			fail_msg("%s: library %u, reference %u, SDM %u",
				 rules[r].rule,
				 vmm_mtrr_page_type(&s, rules[r].addr),
				 ref_type(&s, rules[r].addr), rules[r].want);
		expect_range(&s, rules[r].addr, 4 * KIB, true, rules[r].want,
			     rules[r].rule);
	}
}

/* The fixed-range fields map to Table 12-9's ranges, every one of them. */
static void test_ept_mtrr_fixed_fields(void **state)
{
	static const struct {
		uint64_t addr, size;
		unsigned reg, field;
	} cases[] = {
		{0x00000, 0x10000, 0, 0}, {0x70000, 0x10000, 0, 7},
		{0x80000, 0x4000, 1, 0},  {0x9C000, 0x4000, 1, 7},
		{0xA0000, 0x4000, 2, 0},  {0xBC000, 0x4000, 2, 7},
		{0xC0000, 0x1000, 3, 0},  {0xC7000, 0x1000, 3, 7},
		{0xC8000, 0x1000, 4, 0},  {0xD3000, 0x1000, 5, 3},
		{0xDF000, 0x1000, 6, 7},  {0xE0000, 0x1000, 7, 0},
		{0xEC000, 0x1000, 8, 4},  {0xF1000, 0x1000, 9, 1},
		{0xFF000, 0x1000, 10, 7},
	};

	(void)state;
	for (unsigned c = 0; c < FLANK_ARRAY_SIZE(cases); c++) {
		struct vmm_mtrr_state s = layout(CAP, E | FE | WB, 36);

		fixed_all(&s, WB);
		s.fixed[cases[c].reg] &=
			~(UINT64_C(0xFF) << (8 * cases[c].field));
		s.fixed[cases[c].reg] |= (uint64_t)WP << (8 * cases[c].field);
		expect_range(&s, cases[c].addr, cases[c].size, true, WP,
			     "the one WP field");
		if (cases[c].addr > 0)
			expect_range(&s, cases[c].addr - 4 * KIB,
				     cases[c].size + 4 * KIB, false, 0,
				     "WP field and the page before");
		expect_range(&s, cases[c].addr, cases[c].size + 4 * KIB, false,
			     0, "WP field and the page after");
	}
}

/*
 * A Skylake-like layout, whole ranges: 1 GiB and 2 MiB blocks have one
 * type only if every page has it; E = 0 makes any range UC.
 */
static void test_ept_mtrr_ranges(void **state)
{
	struct vmm_mtrr_state s = layout(0xd0a, E | FE | WB, 39);

	(void)state;
	s.fixed[0] = s.fixed[1] = UINT64_C(0x0606060606060606);
	s.fixed[2] = 0;
	for (unsigned r = 3; r < 11; r++)
		s.fixed[r] = UINT64_C(0x0505050505050505);
	var(&s, 0, 2 * GIB, 2 * GIB, UC);
	var(&s, 1, 0x7C000000, 64 * MIB, UC);

	expect_range(&s, 0, GIB, false, 0, "first GiB: legacy area");
	expect_range(&s, 0, 0xA0000, true, WB, "RAM below the VGA window");
	expect_range(&s, 0xA0000, 0x20000, true, UC, "VGA window");
	expect_range(&s, 0x9F000, 0x2000, false, 0, "RAM and VGA");
	expect_range(&s, 0xC0000, 0x40000, true, WP, "ROMs");
	expect_range(&s, 0xFF000, 0x2000, false, 0, "ROM and 1 MiB");
	expect_range(&s, MIB, MIB, true, WB, "second MiB");
	expect_range(&s, 2 * MIB, GIB - 2 * MIB, true, WB, "to 1 GiB");
	expect_range(&s, GIB, GIB, false, 0, "second GiB: graphics");
	expect_range(&s, 0x7C000000, 64 * MIB, true, UC, "graphics");
	expect_range(&s, 0x7C000000 - 4 * KIB, 8 * KIB, false, 0,
		     "graphics edge");
	expect_range(&s, 0x7BE00000, 2 * MIB, true, WB, "2 MiB below");
	expect_range(&s, 2 * GIB, 2 * GIB, true, UC, "MMIO hole");
	expect_range(&s, 2 * GIB, 2 * MIB, true, UC, "2 MiB of the hole");
	expect_range(&s, 4 * GIB - 4 * KIB, 8 * KIB, false, 0, "hole edge");
	assert_true(vmm_mtrr_range_type(&s, 4 * GIB, BIT64(39) - 4 * GIB,
					&(uint8_t){0}));
	/* Beyond MAXPHYADDR the masks alias: 2^39 + 2 GiB is in the hole. */
	expect_range(&s, BIT64(39) + 2 * GIB, 2 * MIB, true, UC, "aliased");
	/* The largest range: mixed, and UC everywhere with E = 0. */
	{
		uint8_t t = 0xEE;

		assert_false(vmm_mtrr_range_type(
			&s, 0, UINT64_MAX & ~UINT64_C(0xFFF), &t));
		assert_int_equal(t, 0xEE);
		s.def_type &= ~(uint64_t)E;
		assert_true(vmm_mtrr_range_type(
			&s, 0, UINT64_MAX & ~UINT64_C(0xFFF), &t));
		assert_int_equal(t, UC);
		/* E = 1, no ranges, no fixed: the default everywhere. */
		s.def_type = E | WP;
		s.var_count = 0;
		assert_true(vmm_mtrr_range_type(
			&s, 0, UINT64_MAX & ~UINT64_C(0xFFF), &t));
		assert_int_equal(t, WP);
		assert_true(vmm_mtrr_range_type(
			&s, UINT64_MAX & ~UINT64_C(0xFFF), 4 * KIB, &t));
		assert_int_equal(t, WP);
	}
}

/* Arguments the contract excludes are refused, never crash. */
static void test_ept_mtrr_range_arguments(void **state)
{
	struct vmm_mtrr_state s = layout(CAP, E | WB, 36);
	uint8_t t = 0xEE;

	(void)state;
	assert_false(vmm_mtrr_range_type(NULL, 0, 4 * KIB, &t));
	assert_false(vmm_mtrr_range_type(&s, 0, 4 * KIB, NULL));
	assert_false(vmm_mtrr_range_type(&s, 0, 0, &t));
	assert_false(vmm_mtrr_range_type(&s, 0x800, 4 * KIB, &t));
	assert_false(vmm_mtrr_range_type(&s, 0, 0x1800, &t));
	assert_false(vmm_mtrr_range_type(&s, UINT64_MAX & ~UINT64_C(0xFFF),
					 8 * KIB, &t));
	assert_int_equal(t, 0xEE);
	/* A hand-made state with more ranges than kept, and MAXPHYADDR 64. */
	s.var_count = 200;
	s.maxphyaddr = 64;
	s.var[VMM_MTRR_MAX_VAR - 1].base = UC;
	s.var[VMM_MTRR_MAX_VAR - 1].mask = ~UINT64_C(0xFFF) | V;
	assert_true(vmm_mtrr_range_type(&s, 0, 4 * KIB, &t));
	assert_int_equal(t, UC);
	assert_true(vmm_mtrr_range_type(&s, BIT64(63), 4 * KIB, &t));
	assert_int_equal(t, WB);
}

/* ------------------------------------------------- generated layouts */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64 (Marsaglia, 2003) */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned rnd_below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

static uint8_t rnd_type(const uint8_t *palette, unsigned n)
{
	if (rnd_below(40) == 0)
		return (uint8_t)rnd(); /* anything, reserved encodings too */
	return palette[rnd_below(n)];
}

/*
 * One generated layout: a MAXPHYADDR from 36 to 52, 0 to 16 variable
 * ranges of 4 KiB to 2^MAXPHYADDR bytes clustered around one anchor so
 * that they overlap each other and the queries, some of them disabled,
 * discontinuous or with reserved bits; fixed ranges from a small palette;
 * sometimes the MTRRs or the fixed ranges disabled. @p anchor receives the
 * region the queries should look at.
 */
static struct vmm_mtrr_state gen_layout(uint64_t *anchor)
{
	static const uint8_t all[] = {UC, WC, WT, WP, WB};
	unsigned w = 36 + rnd_below(17);
	uint64_t field = field_of(w);
	uint64_t cap = rnd_below(VMM_MTRR_MAX_VAR + 1) |
		       (rnd_below(5) ? VMM_MTRRCAP_FIX : 0) |
		       (rnd_below(3) ? VMM_MTRRCAP_WC : 0);
	uint8_t palette[3];
	unsigned np = 2 + rnd_below(2);
	struct vmm_mtrr_state s;

	/* np distinct types: a rotation of all[] from a random start. */
	unsigned first = rnd_below(5);

	for (unsigned i = 0; i < np; i++)
		palette[i] = all[(first + 2 * i) % 5];
	s = layout(cap,
		   (rnd_below(10) ? E : 0) | (rnd_below(4) ? FE : 0) |
			   rnd_type(palette, np),
		   w);
	for (unsigned f = 0; f < 88; f++) {
		s.fixed[f / 8] |= (uint64_t)rnd_type(palette, np)
				  << (8 * (f % 8));
	}
	/* Near 0 a third of the time (the fixed ranges), else anywhere. */
	*anchor = rnd_below(3) == 0 ? 0 : (rnd() & field & ~(GIB - 1));
	for (unsigned i = 0; i < s.var_count; i++) {
		unsigned order;
		uint64_t size, base;

		switch (rnd_below(6)) {
		case 5:
		case 0: /* small: 4 KiB to 64 KiB */
			order = 12 + rnd_below(5);
			break;
		case 1:
		case 2: /* around a 2 MiB page */
			order = 17 + rnd_below(8);
			break;
		case 3: /* around a 1 GiB page */
			order = 28 + rnd_below(4);
			break;
		default: /* 4: huge, up to all of physical memory */
			order = 31 + rnd_below(w - 30);
			break;
		}
		size = UINT64_C(1) << order;
		base = (*anchor + (rnd() & (2 * GIB - 1))) & ~(size - 1);
		var(&s, i, base & field, size, rnd_type(palette, np));
		if (rnd_below(8) == 0) { /* discontinuous: a quarter flipped */
			uint64_t flip = rnd();

			s.var[i].mask ^= flip & rnd() & field;
		}
		if (rnd_below(30) == 0) /* reserved bits */
			s.var[i].mask |= rnd() & ~field;
		if (rnd_below(3) == 0) /* fewer overlaps: more edges */
			s.var[i].mask &= ~V;
	}
	return s;
}

/*
 * A query: mostly across a valid variable range's start or end (where
 * types change), 1 to 64 pages either side; else near @p anchor: 4 KiB,
 * 2 MiB or any page count up to 256. @p big: 1 GiB (rarely: the reference
 * goes page by page).
 */
static void gen_query(const struct vmm_mtrr_state *s, uint64_t anchor, bool big,
		      uint64_t *base, uint64_t *size)
{
	static const uint64_t sizes[] = {4 * KIB, 2 * MIB, 0, 0};
	uint64_t off = rnd() & (2 * GIB - 1) & ~UINT64_C(0xFFF);
	unsigned i = s->var_count ? rnd_below(s->var_count) : 0;

	/* The first valid range from i on, if any. */
	while (i < s->var_count && !(s->var[i].mask & V))
		i++;
	if (i < s->var_count && rnd_below(4)) {
		uint64_t field = field_of(s->maxphyaddr);
		uint64_t mask = s->var[i].mask & field;
		uint64_t edge = s->var[i].base & mask;

		if (rnd_below(2))
			edge += (~mask & field) + 4 * KIB;
		if (big) {
			*base = edge & ~(GIB - 1);
			*size = GIB;
			return;
		}
		*base = edge - PAGES(1 + rnd_below(64));
		if (*base > edge) /* no pages below 0 */
			*base = 0;
		*size = edge - *base + PAGES(1 + rnd_below(64));
		return;
	}
	*size = big ? GIB : sizes[rnd_below(4)];
	if (*size == 0)
		*size = PAGES(1 + rnd_below(256));
	if ((*size & (*size - 1)) == 0)
		off &= ~(*size - 1); /* aligned like an EPT page */
	if (anchor == 0 && rnd_below(2))
		off &= 4 * MIB - 1; /* the fixed ranges and around them */
	*base = anchor + off;
}

/*
 * On 1500 generated layouts (seed 0x5eed), every range decision equals the
 * per-page reference's: 24 queries per layout, and a 1 GiB query on every
 * 50th. The generator must have produced every feature it claims: E = 0,
 * fixed-range hits, overlapping matches, uniform and mixed answers.
 */
static void test_ept_mtrr_generated(void **state)
{
	unsigned long uniform = 0, mixed = 0, big = 0;

	(void)state;
	rng_state = 0x5eed;
	ref_overlaps = ref_fixed_hits = ref_disabled = 0;
	for (unsigned l = 0; l < 1500; l++) {
		uint64_t anchor;
		struct vmm_mtrr_state s = gen_layout(&anchor);

		for (unsigned q = 0; q < 24; q++) {
			uint64_t base, size;
			uint8_t got = 0xEE, ref = 0xEE;
			bool want_big = q == 0 && l % 50 == 0;
			bool lib, brute;

			gen_query(&s, anchor, want_big, &base, &size);
			lib = vmm_mtrr_range_type(&s, base, size, &got);
			brute = ref_range(&s, base, size, &ref);
			if (lib != brute || (lib && got != ref))
				fail_msg("layout %u query %u [%#llx, +%#llx): "
					 "library %d/%u, reference %d/%u",
					 l, q, (unsigned long long)base,
					 (unsigned long long)size, lib, got,
					 brute, ref);
			assert_int_equal(vmm_mtrr_page_type(&s, base),
					 ref_type(&s, base));
			uniform += lib;
			mixed += !lib;
			big += want_big;
		}
	}
	printf("generated: %lu uniform, %lu mixed (%lu of 1 GiB), %lu "
	       "overlapping page matches, %lu fixed-range pages, %lu pages "
	       "with MTRRs disabled\n",
	       uniform, mixed, big, ref_overlaps, ref_fixed_hits, ref_disabled);
	assert_true(uniform > 20000 && mixed > 8000);
	assert_int_equal(big, 30);
	assert_true(ref_overlaps > 1000000);
	assert_true(ref_fixed_hits > 10000);
	assert_true(ref_disabled > 1000000);
}

/* ------------------------------------------- reading from the emulator */

struct profile_expect {
	const char *profile;
	uint64_t base, size;
	bool uniform;
	uint8_t type;
};

/* Every profile's MTRRs read back and typed as its layout says. */
static void test_ept_mtrr_read_profiles(void **state)
{
	static const struct profile_expect want[] = {
		{"skylake", 0, 0xA0000, true, WB},
		{"skylake", 0xA0000, 0x20000, true, UC},
		{"skylake", 0xC0000, 0x10000, true, WP},
		{"skylake", 0xD0000, 0x10000, true, UC},
		{"skylake", 0xE0000, 0x20000, true, WP},
		{"skylake", 0, 2 * MIB, false, 0},
		{"skylake", 2 * MIB, GIB - 2 * MIB, true, WB},
		{"skylake", 0x7C000000, 64 * MIB, true, UC},
		{"skylake", GIB, GIB, false, 0},
		{"skylake", 2 * GIB, 2 * GIB, true, UC},
		{"skylake", 4 * GIB, BIT64(39) - 4 * GIB, true, WB},
		/* The SMRR (0x7b000000, 16 MiB) is not a variable MTRR. */
		{"skylake", 0x7B000000, 16 * MIB, true, WB},
		{"sapphire_rapids", 2 * GIB, 2 * GIB, true, UC},
		{"sapphire_rapids", 4 * GIB, 0x380000000000 - 4 * GIB, true,
		 WB},
		{"sapphire_rapids", 0x380000000000, 512 * GIB, true, UC},
		{"sapphire_rapids", 0x380000000000 - GIB, 2 * GIB, false, 0},
		{"core2_penryn", 2 * MIB, 0xBF800000 - 2 * MIB, true, WB},
		{"core2_penryn", 0xBF800000, 8 * MIB, true, UC},
		{"core2_penryn", 3 * GIB, GIB, true, UC},
		{"core2_penryn", 4 * GIB, 4 * GIB, true, WB},
		{"core2_penryn", 8 * GIB, BIT64(38) - 8 * GIB, true, UC},
		{"core2_merom", 4 * GIB, 4 * GIB, true, WB},
		{"core2_merom", 0xBF800000, 8 * MIB, true, UC},
	};
	const char *const *names = mock_profile_names();

	(void)state;
	for (unsigned p = 0; names[p] != NULL; p++) {
		struct vmm_mtrr_state s;
		uint64_t cap = 0;

		assert_int_equal(mock_init(names[p], 1), 0);
		assert_true(mock_msr_get(0, MSR_IA32_MTRRCAP, &cap));
		assert_int_equal(vmm_mtrr_read(&s), VMM_OK);
		assert_int_equal(s.cap, cap);
		assert_int_equal(s.var_count, cap & 0xFF);
		assert_int_equal(s.invalid, 0);
		assert_int_equal(s.maxphyaddr, vmm_phys_width());
		assert_true(s.def_type & E);
		for (unsigned w = 0; w < FLANK_ARRAY_SIZE(want); w++) {
			if (strcmp(want[w].profile, names[p]) != 0)
				continue;
			expect_range(&s, want[w].base, want[w].size,
				     want[w].uniform, want[w].type,
				     want[w].profile);
		}
		mock_fini();
	}
}

/* The SMRR is never read: a #GP on it changes nothing, nor does a UC
 * type in it. */
static void test_ept_mtrr_smrr_ignored(void **state)
{
	struct vmm_mtrr_state s;
	uint8_t t = 0xEE;

	(void)state;
	assert_int_equal(mock_init("skylake", 1), 0);
	mock_msr_set(0, MSR_IA32_SMRR_PHYSBASE, 0x7B000000); /* UC */
	assert_int_equal(vmm_mtrr_read(&s), VMM_OK);
	assert_true(vmm_mtrr_range_type(&s, 0x7B000000, 16 * MIB, &t));
	assert_int_equal(t, WB);
	mock_msr_gp(0, MSR_IA32_SMRR_PHYSBASE, true, true);
	mock_msr_gp(0, MSR_IA32_SMRR_PHYSMASK, true, true);
	assert_int_equal(vmm_mtrr_read(&s), VMM_OK);
	mock_fini();
}

static bool all_zero(const struct vmm_mtrr_state *s)
{
	uint64_t any = s->cap | s->def_type | s->var_count | s->maxphyaddr |
		       s->invalid;

	for (unsigned r = 0; r < VMM_MTRR_FIXED_COUNT; r++)
		any |= s->fixed[r];
	for (unsigned i = 0; i < VMM_MTRR_MAX_VAR; i++)
		any |= s->var[i].base | s->var[i].mask;
	return any == 0;
}

/* Every MSR read can #GP: each one is VMM_ERR_MTRR_MSR, state zeroed. */
static void test_ept_mtrr_read_gp(void **state)
{
	uint32_t msrs[2 + 11 + 2 * 10];
	unsigned n = 0;

	(void)state;
	msrs[n++] = MSR_IA32_MTRRCAP;
	msrs[n++] = MSR_IA32_MTRR_DEF_TYPE;
	msrs[n++] = MSR_IA32_MTRR_FIX64K_00000;
	msrs[n++] = MSR_IA32_MTRR_FIX16K_80000;
	msrs[n++] = MSR_IA32_MTRR_FIX16K_A0000;
	for (unsigned i = 0; i < 8; i++)
		msrs[n++] = MSR_IA32_MTRR_FIX4K_C0000 + i;
	for (unsigned i = 0; i < 10; i++) {
		msrs[n++] = MSR_IA32_MTRR_PHYSBASE0 + 2 * i;
		msrs[n++] = MSR_IA32_MTRR_PHYSMASK0 + 2 * i;
	}
	assert_int_equal(n, FLANK_ARRAY_SIZE(msrs));
	for (unsigned i = 0; i < n; i++) {
		struct vmm_mtrr_state s;

		assert_int_equal(mock_init("skylake", 1), 0);
		mock_msr_gp(0, msrs[i], true, false);
		memset(&s, 0xA5, sizeof(s));
		assert_int_equal(vmm_mtrr_read(&s), VMM_ERR_MTRR_MSR);
		assert_true(all_zero(&s));
		mock_fini();
	}
	/* Without fixed ranges they are not read (a #GP there is fine). */
	{
		struct vmm_mtrr_state s;
		uint8_t t = 0xEE;

		assert_int_equal(mock_init("skylake", 1), 0);
		mock_msr_set(0, MSR_IA32_MTRRCAP, 0xc0a); /* FIX clear */
		mock_msr_remove(0, MSR_IA32_MTRR_FIX64K_00000);
		assert_int_equal(vmm_mtrr_read(&s), VMM_OK);
		assert_int_equal(s.fixed[0], 0);
		assert_true(vmm_mtrr_range_type(&s, 0, 2 * MIB, &t));
		assert_int_equal(t, WB); /* FE = 1 but no fixed ranges */
		mock_fini();
	}
}

/* The refusals before any MSR, and the MAXPHYADDR sources. */
static void test_ept_mtrr_read_refused(void **state)
{
	struct vmm_mtrr_state s;
	struct cpu_cpuid_regs r = {0};

	(void)state;
	assert_int_equal(vmm_mtrr_read(NULL), VMM_ERR_BAD_ARGUMENT);

	assert_int_equal(mock_init("skylake", 1), 0);
	mock_cpuid_change_bits(0, 1, 0, MOCK_EDX, X86_CPUID1_EDX_MTRR, 0);
	assert_int_equal(vmm_mtrr_read(&s), VMM_ERR_NO_MTRR);
	assert_true(all_zero(&s));
	mock_fini();

	assert_int_equal(mock_init("skylake", 1), 0);
	mock_msr_set(0, MSR_IA32_MTRRCAP, 0xd00 | (VMM_MTRR_MAX_VAR + 1));
	assert_int_equal(vmm_mtrr_read(&s), VMM_ERR_MTRR_VCNT);
	assert_true(all_zero(&s));
	mock_msr_set(0, MSR_IA32_MTRRCAP, 0xd00 | VMM_MTRR_MAX_VAR);
	for (unsigned i = 10; i < VMM_MTRR_MAX_VAR; i++) {
		mock_msr_set(0, MSR_IA32_MTRR_PHYSBASE0 + 2 * i, 0);
		mock_msr_set(0, MSR_IA32_MTRR_PHYSMASK0 + 2 * i, 0);
	}
	assert_int_equal(vmm_mtrr_read(&s), VMM_OK);
	assert_int_equal(s.var_count, VMM_MTRR_MAX_VAR);
	mock_fini();

	/* MAXPHYADDR out of 36..52 (SDM Vol. 3A 4.1.4). */
	for (unsigned w = 0; w < 2; w++) {
		assert_int_equal(mock_init("skylake", 1), 0);
		r.eax = w ? 53 : 35;
		mock_cpuid_set(0, 0x80000008u, 0, &r);
		assert_int_equal(vmm_mtrr_read(&s), VMM_ERR_PHYS_WIDTH);
		mock_fini();
	}
	/* No leaf 80000008H: 36 bits (SDM Vol. 3A 12.11.2.3). */
	assert_int_equal(mock_init("skylake", 1), 0);
	mock_cpuid_change_bits(0, 0x80000000u, 0, MOCK_EAX, 0xFF, 0x07);
	assert_int_equal(vmm_mtrr_read(&s), VMM_OK);
	assert_int_equal(s.maxphyaddr, 36);
	mock_fini();
}

/* Values WRMSR would refuse are counted, one per field. */
static void test_ept_mtrr_read_invalid(void **state)
{
	struct vmm_mtrr_state s;
	uint8_t t = 0xEE;

	(void)state;
	assert_int_equal(mock_init("skylake", 1), 0);
	mock_msr_set(0, MSR_IA32_MTRRCAP, 0x90a); /* no WC */
	/* Default type 2 and reserved bit 9: 2. */
	mock_msr_set(0, MSR_IA32_MTRR_DEF_TYPE, 0xe02);
	/* Fixed fields 3 and WC (no WC): 2. */
	mock_msr_set(0, MSR_IA32_MTRR_FIX64K_00000, 0x0606060606060301);
	/* Range 2: type 7, base bit 9, mask bit 40 (MAXPHYADDR 39): 3. */
	mock_msr_set(0, MSR_IA32_MTRR_PHYSBASE0 + 4, 0x100000207);
	mock_msr_set(0, MSR_IA32_MTRR_PHYSMASK0 + 4,
		     BIT64(40) | 0x7FFFFFF000 | V);
	/* Range 3 disabled, but its type 3 still cannot be there: 1. */
	mock_msr_set(0, MSR_IA32_MTRR_PHYSBASE0 + 6, 0x3);
	assert_int_equal(vmm_mtrr_read(&s), VMM_OK);
	assert_int_equal(s.invalid, 8);
	/* Each taken as UC. */
	assert_true(vmm_mtrr_range_type(&s, 0, 0x10000, &t));
	assert_int_equal(t, UC); /* WC without WC */
	assert_true(vmm_mtrr_range_type(&s, 0x10000, 0x10000, &t));
	assert_int_equal(t, UC); /* type 3 */
	assert_true(vmm_mtrr_range_type(&s, 0x100000000, 4 * KIB, &t));
	assert_int_equal(t, UC); /* type 7 */
	assert_true(vmm_mtrr_range_type(&s, 0x200000000, 4 * KIB, &t));
	assert_int_equal(t, UC); /* default type 2 */
	mock_fini();
}

/* Names as Linux prints them; the decision list's exact text. */
static void test_ept_mtrr_format(void **state)
{
	static const struct vmm_mtrr_decision d[] = {
		{0, 0xA0000, WB, true},
		{0xA0000, 0x20000, UC, true},
		{0x80000000, 0x40000000, 0, false},
		{0xFE000000, 0x1000, WC, true},
		{0x1000, 0x1000, WT, true},
		{0x2000, 0x1000, WP, true},
	};
	char buf[512];
	struct vmm_fmt f;

	(void)state;
	assert_string_equal(vmm_mtrr_type_name(2), "invalid");
	assert_string_equal(vmm_mtrr_type_name(0xFF), "invalid");
	vmm_fmt_init(&f, buf, sizeof(buf));
	vmm_mtrr_format(&f, d, FLANK_ARRAY_SIZE(d));
	assert_string_equal(buf, "0x0-0x9ffff write-back\n"
				 "0xa0000-0xbffff uncachable\n"
				 "0x80000000-0xbfffffff mixed\n"
				 "0xfe000000-0xfe000fff write-combining\n"
				 "0x1000-0x1fff write-through\n"
				 "0x2000-0x2fff write-protect\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ept_mtrr_rules),
		cmocka_unit_test(test_ept_mtrr_fixed_fields),
		cmocka_unit_test(test_ept_mtrr_ranges),
		cmocka_unit_test(test_ept_mtrr_range_arguments),
		cmocka_unit_test(test_ept_mtrr_generated),
		cmocka_unit_test(test_ept_mtrr_read_profiles),
		cmocka_unit_test(test_ept_mtrr_smrr_ignored),
		cmocka_unit_test(test_ept_mtrr_read_gp),
		cmocka_unit_test(test_ept_mtrr_read_refused),
		cmocka_unit_test(test_ept_mtrr_read_invalid),
		cmocka_unit_test(test_ept_mtrr_format),
	};
	return FLANK_RUN_TESTS(tests);
}
