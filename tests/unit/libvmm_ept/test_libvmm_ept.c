// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The EPT identity map (docs/ept.md): the tables libvmm builds at start are
 * walked here, from the EPTP, through the emulator's physical memory, and
 * every entry is checked against the MTRR module's answer for its range;
 * then EPTP bits, INVEPT, rollback at every allocation, the EPT exits, and
 * CPUs without EPT.
 */
#include "libvmm_fixture.h"

#include "ept/ept.h"
#include "ept/mtrr.h"
#include "hooks.h"
#include "flank/vmm_console.h"

/* True if the debug ring holds @p needle. */
static bool ring_has_text(const char *needle)
{
	static char text[1u << 19];
	uint64_t pos = 0;
	size_t n = 0, got;

	while (n < sizeof(text) - 1 &&
	       (got = vmm_console_ring_read(&pos, text + n,
					    sizeof(text) - 1 - n)) > 0)
		n += got;
	text[n] = '\0';
	return strstr(text, needle) != NULL;
}

/* MTRR MSRs (SDM Vol. 3A 12.11; Vol. 4 Table 2-2). */
#define MTRRCAP 0xFEu
#define MTRR_DEF_TYPE 0x2FFu
#define PHYSBASE(n) (0x200u + 2u * (n))
#define PHYSMASK(n) (0x201u + 2u * (n))
#define FIX64K 0x250u
#define FIX16K_80000 0x258u
#define FIX16K_A0000 0x259u
#define FIX4K_C0000 0x268u
#define VALID 0x800u
/* The skylake profile's MAXPHYADDR: 39 bits (CPUID 80000008H EAX 0x3027). */
#define WIDTH 39u
static unsigned width = WIDTH;
#define PHYS_MASK (((UINT64_C(1) << width) - 1) & ~UINT64_C(0xFFF))
#define GIB (UINT64_C(1) << 30)
#define MIB (UINT64_C(1) << 20)
#define KIB UINT64_C(1024)
#define REP8(b) (UINT64_C(0x0101010101010101) * (b))

/* A variable range [base, base + size) of @p type, size a power of two. */
static void var_range(unsigned n, uint64_t base, uint64_t size, uint8_t type)
{
	mock_msr_set(MOCK_ALL_CPUS, PHYSBASE(n), base | type);
	mock_msr_set(MOCK_ALL_CPUS, PHYSMASK(n),
		     (~(size - 1) & PHYS_MASK) | VALID);
}

/*
 * A PC's layout: fixed ranges (WB RAM, UC VGA hole, WP option ROMs, a WT
 * one), RAM 0-2 GiB and 4-8 GiB WB, a UC framebuffer of 16 MiB at
 * 2 GiB - 16 MiB inside the RAM (UC wins), a WT range of 256 MiB at 1 GiB
 * over WB (WT wins), default UC: the MMIO hole 2-4 GiB and everything from
 * 8 GiB up is UC.
 */
static void pc_mtrrs(void)
{
	mock_msr_set(MOCK_ALL_CPUS, MTRRCAP, 0x508); /* WC, FIX, 8 ranges */
	mock_msr_set(MOCK_ALL_CPUS, MTRR_DEF_TYPE, 0xC00 | VMM_MTRR_UC);
	mock_msr_set(MOCK_ALL_CPUS, FIX64K, REP8(VMM_MTRR_WB));
	mock_msr_set(MOCK_ALL_CPUS, FIX16K_80000, REP8(VMM_MTRR_WB));
	mock_msr_set(MOCK_ALL_CPUS, FIX16K_A0000, REP8(VMM_MTRR_UC));
	for (unsigned i = 0; i < 8; i++)
		mock_msr_set(MOCK_ALL_CPUS, FIX4K_C0000 + i,
			     i == 3 ? REP8(VMM_MTRR_WT) : REP8(VMM_MTRR_WP));
	var_range(0, 0, 2 * GIB, VMM_MTRR_WB);
	var_range(1, 4 * GIB, 4 * GIB, VMM_MTRR_WB);
	var_range(2, 2 * GIB - 16 * MIB, 16 * MIB, VMM_MTRR_UC);
	var_range(3, 1 * GIB, 256 * MIB, VMM_MTRR_WT);
	for (unsigned n = 4; n < 8; n++) {
		mock_msr_set(MOCK_ALL_CPUS, PHYSBASE(n), 0);
		mock_msr_set(MOCK_ALL_CPUS, PHYSMASK(n), 0);
	}
}

/* The emulator with @p profile, the PC's MTRRs and a started VMM. */
static void ept_up(const char *profile)
{
	uint32_t failed;

	fixture_up(profile, 1);
	width = WIDTH;
	pc_mtrrs();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
}

static void ept_down(void)
{
	assert_int_equal(vmm_stop_all(), VMM_OK);
	/* Stop freed the map: fixture_down() fails on a leaked page. */
	assert_false(vmm_ctx.ept.enabled);
	fixture_down();
}

static uint64_t span(unsigned level)
{
	return UINT64_C(1) << (12u + 9u * (level - 1u));
}

/* Pages the current test hooked, and the permissions removed (the map
 * walk expects them). */
static struct {
	uint64_t gpa, clear;
} hooked[4];
static unsigned nhooked;

static uint64_t hook_clear(uint64_t gpa)
{
	for (unsigned i = 0; i < nhooked; i++)
		if (hooked[i].gpa == gpa)
			return hooked[i].clear;
	return 0;
}

static bool hook_within(uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < nhooked; i++)
		if (hooked[i].gpa - base < size)
			return true;
	return false;
}

struct walk {
	const struct vmm_mtrr_state *mtrr;
	uint64_t cap, limit;
	uint64_t mapped;      /* Bytes mapped by leaves. */
	unsigned tables;      /* Paging structures reached. */
	unsigned leaves[3];   /* 4 KiB, 2 MiB, 1 GiB. */
	unsigned types[8][3]; /* Leaves per memory type and size. */
};

static bool leaf_allowed(const struct walk *w, unsigned level)
{
	return level == 1 || (level == 2 && (w->cap & EPT_CAP_2M)) ||
	       (level == 3 && (w->cap & EPT_CAP_1G));
}

/*
 * Checks one paging structure at @p pa (level @p level, mapping from
 * @p base) and everything below it: identity, RWX, the MTRR type of each
 * leaf's whole range, "ignore PAT" clear, the largest page that keeps one
 * type, reserved bits clear, nothing present at or beyond the limit and
 * nothing missing below it.
 */
static void walk_table(struct walk *w, uint64_t pa, unsigned level,
		       uint64_t base)
{
	const uint64_t *t = mock_mem_host(pa_init(pa), 4096);

	assert_non_null(t);
	w->tables++;
	for (unsigned i = 0; i < EPT_ENTRIES; i++) {
		uint64_t e = t[i], gpa = base + i * span(level);
		uint8_t type = 0xFF;

		if (e == 0) {
			if (gpa < w->limit)
				fail_msg("GPA %#llx below the limit is not "
					 "mapped (level %u)",
					 (unsigned long long)gpa, level);
			continue;
		}
		if (gpa >= w->limit)
			fail_msg("GPA %#llx at or beyond the limit %#llx is "
				 "mapped",
				 (unsigned long long)gpa,
				 (unsigned long long)w->limit);
		/* RWX, but for a hooked page's leaf (test_page_hook_split). */
		assert_int_equal(e & EPTE_RWX,
				 level == 1 ? EPTE_RWX & ~hook_clear(gpa)
					    : EPTE_RWX);
		/* Bits 51:MAXPHYADDR and 11:8 (A/D off, MBEC off) are 0. */
		assert_int_equal(e & ~(EPTE_ADDR_MASK | 0xFFu), 0);
		assert_int_equal((e & EPTE_ADDR_MASK) >> width, 0);
		if (level > 3 || (level > 1 && (e & EPTE_LARGE) == 0)) {
			/* Non-leaf: bits 7:3 reserved (SDM Table 29-1..3). */
			assert_int_equal(e & 0xF8u, 0);
			walk_table(w, e & EPTE_ADDR_MASK, level - 1, gpa);
			continue;
		}
		assert_true(leaf_allowed(w, level));
		/* Identity: the leaf maps its GPA to the same address. */
		assert_int_equal(e & EPTE_ADDR_MASK, gpa);
		assert_int_equal(e & EPTE_IGNORE_PAT, 0);
		assert_true(
			vmm_mtrr_range_type(w->mtrr, gpa, span(level), &type));
		if (((e >> EPTE_MEMTYPE_SHIFT) & 7u) != type)
			fail_msg("GPA %#llx size %#llx: type %u, the MTRRs say "
				 "%u",
				 (unsigned long long)gpa,
				 (unsigned long long)span(level),
				 (unsigned)((e >> EPTE_MEMTYPE_SHIFT) & 7u),
				 type);
		/* The largest page: one level up would mix types. */
		if (level < 3 && leaf_allowed(w, level + 1) &&
		    !hook_within(gpa & ~(span(level + 1) - 1),
				 span(level + 1))) {
			uint64_t up = gpa & ~(span(level + 1) - 1);
			uint8_t t2;
			if (vmm_mtrr_range_type(w->mtrr, up, span(level + 1),
						&t2))
				fail_msg("GPA %#llx: a %#llx page would have "
					 "one type (%u)",
					 (unsigned long long)up,
					 (unsigned long long)span(level + 1),
					 t2);
		}
		w->mapped += span(level);
		w->leaves[level - 1]++;
		w->types[type][level - 1]++;
	}
}

/* Walks the map of the current start from its EPTP. */
static void walk_map(struct walk *w, const struct vmm_mtrr_state *mtrr)
{
	const struct vmm_ept *e = &vmm_ctx.ept;

	memset(w, 0, sizeof(*w));
	w->mtrr = mtrr;
	w->cap = e->cap;
	w->limit = e->limit;
	walk_table(w, e->eptp & EPTE_ADDR_MASK, e->levels, 0);
	assert_int_equal(w->mapped, w->limit);
}

/* The leaf entry that maps @p gpa, and its level. */
static uint64_t leaf_of(uint64_t gpa, unsigned *level)
{
	uint64_t pa = vmm_ctx.ept.eptp & EPTE_ADDR_MASK;

	*level = 0;
	for (unsigned l = vmm_ctx.ept.levels; l >= 1; l--) {
		const uint64_t *t = mock_mem_host(pa_init(pa), 4096);
		uint64_t e = t[(gpa / span(l)) % EPT_ENTRIES];
		if (l == 1 || (e & EPTE_LARGE) != 0 || e == 0) {
			*level = l;
			return e;
		}
		pa = e & EPTE_ADDR_MASK;
	}
	return 0;
}

#define TYPE_OF(e) ((unsigned)(((e) >> EPTE_MEMTYPE_SHIFT) & 7u))

/*
 * Every entry of the map on skylake (1 GiB pages, MAXPHYADDR 39): identity,
 * types equal to vmm_mtrr_range_type() for the entry's whole range, the
 * largest page that keeps one type, nothing beyond 512 GiB.
 */
static void test_ept_map_walk(void **state)
{
	struct vmm_mtrr_state mtrr;
	struct walk w;

	(void)state;
	ept_up("skylake");
	assert_true(vmm_ctx.ept.enabled);
	assert_int_equal(vmm_ctx.ept.levels, 4);
	assert_int_equal(vmm_ctx.ept.limit, UINT64_C(1) << WIDTH);
	assert_int_equal(vmm_mtrr_read(&mtrr), VMM_OK);
	walk_map(&w, &mtrr);
	print_message("skylake map: %u tables, %u x 1 GiB, %u x 2 MiB, "
		      "%u x 4 KiB\n",
		      w.tables, w.leaves[2], w.leaves[1], w.leaves[0]);
	/* PML4, PDPT, PDs of 0-1 GiB and 1-2 GiB, PT of 0-2 MiB. */
	assert_int_equal(w.tables, 5);
	/* ... plus the page list's one page: the memory cost. */
	assert_int_equal(vmm_ctx.ept.pages, 6);
	assert_int_equal(w.leaves[2], 510);
	assert_int_equal(w.leaves[1], 1023);
	assert_int_equal(w.leaves[0], 512);
	assert_true(ring_has_text("EPT on: 4-level identity map of 512 GiB "
				  "in 6 pages"));
	ept_down();
}

/*
 * The types of named ranges of the PC layout: the MMIO hole and everything
 * above RAM UC in 1 GiB pages, the VGA hole UC in 4 KiB pages, the
 * framebuffer UC inside WB RAM, WT over WB gives WT, fixed ranges below
 * 1 MiB override the variable WB range.
 */
static void test_ept_map_types(void **state)
{
	static const struct {
		uint64_t gpa;
		unsigned level, type;
	} want[] = {
		{0, 1, VMM_MTRR_WB},
		{0x9F000, 1, VMM_MTRR_WB},
		{0xA0000, 1, VMM_MTRR_UC}, /* VGA: fixed beats var WB */
		{0xC0000, 1, VMM_MTRR_WP},
		{0xDB000, 1, VMM_MTRR_WT},
		{0x100000, 1, VMM_MTRR_WB},
		{2 * MIB, 2, VMM_MTRR_WB},
		{1 * GIB, 2, VMM_MTRR_WT}, /* WT + WB = WT */
		{1 * GIB + 256 * MIB, 2, VMM_MTRR_WB},
		{2 * GIB - 16 * MIB, 2, VMM_MTRR_UC}, /* UC wins */
		{2 * GIB, 3, VMM_MTRR_UC},	      /* MMIO hole */
		{3 * GIB, 3, VMM_MTRR_UC},
		{4 * GIB, 3, VMM_MTRR_WB},
		{7 * GIB, 3, VMM_MTRR_WB},
		{8 * GIB, 3, VMM_MTRR_UC}, /* default type */
		{511 * GIB, 3, VMM_MTRR_UC},
	};
	unsigned level;
	uint64_t e;

	(void)state;
	ept_up("skylake");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		e = leaf_of(want[i].gpa, &level);
		if (level != want[i].level || TYPE_OF(e) != want[i].type)
			fail_msg("GPA %#llx: level %u type %u, want level %u "
				 "type %u",
				 (unsigned long long)want[i].gpa, level,
				 TYPE_OF(e), want[i].level, want[i].type);
	}
	/* Beyond MAXPHYADDR: PML4 entry 1 (512 GiB) is not present. */
	e = leaf_of(512 * GIB, &level);
	assert_int_equal(e, 0);
	assert_int_equal(level, 4);
	ept_down();
}

/*
 * The ring lists the leaves' types in address order, one line per run of
 * one type (what tests/e2e/bochs-check.sh compares with Linux's MTRRs):
 * the PC layout's fixed ranges, the WT and UC ranges inside RAM, the MMIO
 * hole and the default type up to MAXPHYADDR, nothing more.
 */
static void test_ept_types_logged(void **state)
{
	static const char *const want[] = {
		"EPT type: 0x0-0x9ffff write-back\n",
		"EPT type: 0xa0000-0xbffff uncachable\n",
		"EPT type: 0xc0000-0xd7fff write-protect\n",
		"EPT type: 0xd8000-0xdffff write-through\n",
		"EPT type: 0xe0000-0xfffff write-protect\n",
		"EPT type: 0x100000-0x3fffffff write-back\n",
		"EPT type: 0x40000000-0x4fffffff write-through\n",
		"EPT type: 0x50000000-0x7effffff write-back\n",
		"EPT type: 0x7f000000-0xffffffff uncachable\n",
		"EPT type: 0x100000000-0x1ffffffff write-back\n",
		"EPT type: 0x200000000-0x7fffffffff uncachable\n",
	};

	(void)state;
	ept_up("skylake");
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!ring_has_text(want[i]))
			fail_msg("the ring lacks '%s'", want[i]);
	assert_int_equal(vmm_ctx.ept.runs_used, 11);
	assert_int_equal(vmm_ctx.ept.runs_lost, 0);
	assert_false(ring_has_text("more runs not kept"));
	ept_down();
}

/*
 * Fixed ranges alternating WB and UC every 4 KiB from 0xC0000: 64 runs
 * there alone, more than the ring keeps; the first ones are listed, the
 * rest counted, and the map is built as before.
 */
static void test_ept_types_too_many_runs(void **state)
{
	uint32_t failed;

	(void)state;
	fixture_up("skylake", 1);
	width = WIDTH;
	pc_mtrrs();
	for (unsigned i = 0; i < 8; i++)
		mock_msr_set(MOCK_ALL_CPUS, FIX4K_C0000 + i,
			     UINT64_C(0x0006000600060006));
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_true(vmm_ctx.ept.enabled);
	assert_int_equal(vmm_ctx.ept.runs_used, EPT_RUNS);
	/* 0-0xBFFFF is 2 runs, then 64 alternating 4 KiB runs, then the 6
	 * runs of pc_mtrrs() from 1 MiB up: 72, of which 32 are kept. */
	assert_int_equal(vmm_ctx.ept.runs_lost, 72 - EPT_RUNS);
	assert_true(ring_has_text("EPT type: 0xc0000-0xc0fff write-back\n"));
	assert_true(ring_has_text("EPT type: 0xc1000-0xc1fff uncachable\n"));
	assert_true(ring_has_text("EPT type: 40 more runs not kept\n"));
	ept_down();
}

/* MTRRs disabled (IA32_MTRR_DEF_TYPE.E = 0): everything UC, 1 GiB pages. */
static void test_ept_map_mtrrs_disabled(void **state)
{
	struct vmm_mtrr_state mtrr;
	uint32_t failed;
	struct walk w;

	(void)state;
	fixture_up("skylake", 1);
	width = WIDTH;
	pc_mtrrs();
	mock_msr_set(MOCK_ALL_CPUS, MTRR_DEF_TYPE, VMM_MTRR_WB);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(vmm_mtrr_read(&mtrr), VMM_OK);
	walk_map(&w, &mtrr);
	assert_int_equal(w.tables, 2);
	assert_int_equal(w.types[VMM_MTRR_UC][2], 512);
	ept_down();
}

/*
 * Without 1 GiB pages (IA32_VMX_EPT_VPID_CAP bit 17 clear): 2 MiB pages at
 * most, one PD per GiB: the memory cost docs/ept.md gives.
 */
static void test_ept_map_no_1g(void **state)
{
	struct vmm_mtrr_state mtrr;
	uint64_t cap = 0;
	uint32_t failed;
	struct walk w;

	(void)state;
	fixture_up("skylake", 1);
	width = WIDTH;
	pc_mtrrs();
	assert_true(mock_msr_get(0, MSR_IA32_VMX_EPT_VPID_CAP, &cap));
	mock_msr_set(MOCK_ALL_CPUS, MSR_IA32_VMX_EPT_VPID_CAP,
		     cap & ~EPT_CAP_1G);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(vmm_mtrr_read(&mtrr), VMM_OK);
	walk_map(&w, &mtrr);
	print_message("skylake without 1 GiB pages: %u tables, %u pages\n",
		      w.tables, vmm_ctx.ept.pages);
	assert_int_equal(w.leaves[2], 0);
	/* PML4, PDPT, 512 PDs, 1 PT; 515 pages need three list pages of
	 * 255 (address, physical address) pairs. */
	assert_int_equal(w.tables, 515);
	assert_int_equal(vmm_ctx.ept.pages, 518);
	ept_down();
}

/*
 * Without 1 GiB pages and with MAXPHYADDR 46, the map would need 64 Ki
 * page directories (256 MiB): EPT stays off, start goes on, and says why.
 * Also the other capabilities EPT needs, each named.
 */
static void test_ept_unusable(void **state)
{
	const uint64_t full = UINT64_C(0xf0106334141); /* skylake's */
	unsigned levels = 0;
	uint64_t limit = 0;

	(void)state;
	assert_null(vmm_ept_unusable(full, 46, &levels, &limit));
	assert_int_equal(levels, 4);
	assert_int_equal(limit, UINT64_C(1) << 46);
	assert_null(vmm_ept_unusable(full & ~EPT_CAP_1G, 40, &levels, &limit));
	assert_non_null(strstr(
		vmm_ept_unusable(full & ~EPT_CAP_1G, 41, &levels, &limit),
		"more than 4 MiB"));
	assert_non_null(
		strstr(vmm_ept_unusable(full & ~(EPT_CAP_1G | EPT_CAP_2M), 39,
					&levels, &limit),
		       "only 4 KiB"));
	assert_non_null(strstr(
		vmm_ept_unusable(full & ~EPT_CAP_INVEPT, 39, &levels, &limit),
		"INVEPT"));
	assert_non_null(strstr(vmm_ept_unusable(full & ~(EPT_CAP_INVEPT_SINGLE |
							 EPT_CAP_INVEPT_ALL),
						39, &levels, &limit),
			       "INVEPT"));
	assert_non_null(
		strstr(vmm_ept_unusable(full & ~(EPT_CAP_WB | EPT_CAP_UC), 39,
					&levels, &limit),
		       "WB nor UC"));
	assert_non_null(strstr(
		vmm_ept_unusable(full & ~EPT_CAP_WALK4, 39, &levels, &limit),
		"4-level"));
	/* 52-bit guest-physical addresses: 5 levels when the CPU has them,
	 * else the map stops at 256 TiB. */
	assert_null(
		vmm_ept_unusable(full | EPT_CAP_WALK5, 52, &levels, &limit));
	assert_int_equal(levels, 5);
	assert_int_equal(limit, UINT64_C(1) << 52);
	assert_null(vmm_ept_unusable(full, 52, &levels, &limit));
	assert_int_equal(levels, 4);
	assert_int_equal(limit, UINT64_C(1) << 48);
}

/* A 5-level map (MAXPHYADDR 52 with the 5-level walk): walked like the
 * 4-level one, its EPTP says 5 levels, the emulator's entry accepts it. */
static void test_ept_map_5level(void **state)
{
	struct vmm_mtrr_state mtrr;
	uint64_t cap = 0;
	uint32_t failed;
	struct walk w;

	(void)state;
	fixture_up("skylake", 1);
	width = WIDTH;
	pc_mtrrs();
	assert_true(mock_msr_get(0, MSR_IA32_VMX_EPT_VPID_CAP, &cap));
	mock_msr_set(MOCK_ALL_CPUS, MSR_IA32_VMX_EPT_VPID_CAP,
		     cap | EPT_CAP_WALK5);
	/* MAXPHYADDR 49: 512 TiB, two PML4s, 1024 PDPTs (4 MiB). */
	width = 49;
	pc_mtrrs();
	mock_cpuid_change_bits(0, 0x80000008u, 0, MOCK_EAX, 0xFFu, 49u);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(vmm_ctx.ept.levels, 5);
	assert_int_equal((vmm_ctx.ept.eptp >> EPTP_WALK_SHIFT) & 7u, 4);
	assert_int_equal(vmm_mtrr_read(&mtrr), VMM_OK);
	walk_map(&w, &mtrr);
	assert_int_equal(w.tables, 1 + 2 + 1024 + 3);
	ept_down();
	width = WIDTH;
}

/*
 * EPTP (SDM Vol. 3C 25.6.11): WB paging structures, walk length 4 - 1,
 * A/D flags off, reserved bits 11:7 clear; the VMCS holds it with "enable
 * EPT" set, and the emulator's VM-entry checks accepted both. Without WB
 * in the capability, UC.
 */
static void test_ept_eptp(void **state)
{
	uint64_t eptp = 0, sec = 0, cap = 0;
	uint32_t failed;

	(void)state;
	ept_up("skylake");
	eptp = vmm_ctx.ept.eptp;
	assert_int_equal(eptp & 7u, EPTP_MEMTYPE_WB);
	assert_int_equal((eptp >> EPTP_WALK_SHIFT) & 7u, 3);
	assert_int_equal(eptp & EPTP_AD, 0);
	assert_int_equal(eptp & 0xF80u, 0);
	assert_true(mock_vmcs_peek(0, VMCS_EPT_POINTER, &eptp));
	assert_int_equal(eptp, vmm_ctx.ept.eptp);
	assert_true(mock_vmcs_peek(0, VMCS_SECONDARY_VM_EXEC_CONTROL, &sec));
	assert_true((sec & SEC_ENABLE_EPT) != 0);
	assert_true((sec & SEC_UNRESTRICTED_GUEST) == 0);
	assert_true(vmm_ctx.cpu[0]->running);
	ept_down();

	fixture_up("skylake", 1);
	pc_mtrrs();
	assert_true(mock_msr_get(0, MSR_IA32_VMX_EPT_VPID_CAP, &cap));
	mock_msr_set(MOCK_ALL_CPUS, MSR_IA32_VMX_EPT_VPID_CAP,
		     cap & ~EPT_CAP_WB);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(vmm_ctx.ept.eptp & 7u, EPTP_MEMTYPE_UC);
	assert_true(vmm_ctx.cpu[0]->running);
	ept_down();
}

/* The INVEPTs of a start and a stop, from the call trace: type, EPTP. */
static unsigned invepts(uint64_t *type, uint64_t *eptp, unsigned max)
{
	unsigned n = 0;

	for (size_t i = 0; i < mock_trace_len(); i++) {
		const struct mock_call *c = mock_trace_at(i);
		if (c->op != MOCK_OP_INVEPT)
			continue;
		assert_true(vmx_ok(c->result));
		if (n < max) {
			type[n] = c->arg[0];
			eptp[n] = c->arg[1];
		}
		n++;
	}
	return n;
}

/*
 * INVEPT single-context of the map's EPTP before the first VM entry,
 * all-context when the CPU leaves VMX at stop; each falls back to the
 * other type when the capability MSR lacks it (bits 25, 26).
 */
static void test_ept_invept(void **state)
{
	uint64_t type[4] = {0}, eptp[4] = {0}, cap = 0, mine;
	uint32_t failed;

	(void)state;
	fixture_up("skylake", 1);
	pc_mtrrs();
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	mine = vmm_ctx.ept.eptp;
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(invepts(type, eptp, 4), 2);
	assert_int_equal(type[0], VMX_INVEPT_SINGLE_CONTEXT);
	assert_int_equal(eptp[0], mine);
	assert_int_equal(type[1], VMX_INVEPT_ALL_CONTEXT);
	fixture_down();

	fixture_up("skylake", 1);
	pc_mtrrs();
	assert_true(mock_msr_get(0, MSR_IA32_VMX_EPT_VPID_CAP, &cap));
	mock_msr_set(MOCK_ALL_CPUS, MSR_IA32_VMX_EPT_VPID_CAP,
		     cap & ~EPT_CAP_INVEPT_SINGLE);
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(invepts(type, eptp, 4), 2);
	assert_int_equal(type[0], VMX_INVEPT_ALL_CONTEXT);
	assert_int_equal(type[1], VMX_INVEPT_ALL_CONTEXT);
	fixture_down();

	fixture_up("skylake", 1);
	pc_mtrrs();
	mock_msr_set(MOCK_ALL_CPUS, MSR_IA32_VMX_EPT_VPID_CAP,
		     cap & ~EPT_CAP_INVEPT_ALL);
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	mine = vmm_ctx.ept.eptp;
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(invepts(type, eptp, 4), 2);
	assert_int_equal(type[1], VMX_INVEPT_SINGLE_CONTEXT);
	assert_int_equal(eptp[1], mine);
	mock_trace_enable(false);
	fixture_down();
}

/*
 * A failed INVEPT before the first entry fails the start with
 * VMM_ERR_INVEPT, the CPU as before and every page (map included) freed.
 */
static void test_ept_invept_fails(void **state)
{
	uint32_t failed = 99;

	(void)state;
	fixture_up("skylake", 1);
	pc_mtrrs();
	save_all();
	assert_int_equal(
		mock_fail_nth(MOCK_OP_INVEPT, 1,
			      (vmx_result_t){VMX_FAIL_VALID,
					     VMXERR_INVALID_INVEPT_INVVPID}),
		0);
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_INVEPT);
	assert_int_equal(failed, 0);
	assert_int_equal(vmm_state(), FLANK_STATE_LOADED);
	assert_all_restored();
	assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
	mock_fail_clear();
	fixture_down();
}

/*
 * Rollback at every allocation of the map (tables and page-list pages):
 * the Nth fails, start returns VMM_ERR_NO_MEMORY, no page stays live, the
 * CPU is untouched (no CPU had started), and the next start works.
 */
static void test_ept_rollback_every_alloc(void **state)
{
	unsigned n;
	uint32_t failed;

	(void)state;
	ept_up("skylake");
	n = vmm_ctx.ept.pages;
	ept_down();
	assert_int_equal(n, 6);
	for (unsigned k = 1; k <= n; k++) {
		fixture_up("skylake", 1);
		pc_mtrrs();
		save_all();
		tp.fail_nth = tp.allocs + k;
		assert_int_equal(vmm_start_all(&failed), VMM_ERR_NO_MEMORY);
		assert_int_equal(failed, 0);
		assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
		assert_false(vmm_ctx.ept.enabled);
		assert_null(vmm_ctx.ept.list);
		assert_all_restored();
		tp.fail_nth = 0;
		assert_int_equal(vmm_start_all(&failed), VMM_OK);
		assert_true(vmm_ctx.ept.enabled);
		ept_down();
	}
}

/* The same without 1 GiB pages: 517 allocations, two page-list pages. */
static void test_ept_rollback_no_1g(void **state)
{
	uint64_t cap = 0;
	uint32_t failed;

	(void)state;
	for (unsigned k = 1; k <= 517; k += 4) {
		fixture_up("skylake", 1);
		pc_mtrrs();
		assert_true(mock_msr_get(0, MSR_IA32_VMX_EPT_VPID_CAP, &cap));
		mock_msr_set(MOCK_ALL_CPUS, MSR_IA32_VMX_EPT_VPID_CAP,
			     cap & ~EPT_CAP_1G);
		tp.fail_nth = tp.allocs + k;
		assert_int_equal(vmm_start_all(&failed), VMM_ERR_NO_MEMORY);
		assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
		fixture_down();
	}
}

/*
 * A CPU without "enable EPT" (Penryn: secondary controls without it) and
 * one without secondary controls (Merom) start as before: no map, no page,
 * no INVEPT, nothing refused.
 */
static void test_ept_off_without_ept(void **state)
{
	static const char *const profiles[] = {"core2_penryn", "core2_merom"};
	uint32_t failed;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		fixture_up(profiles[i], 1);
		pc_mtrrs();
		mock_trace_enable(true);
		mock_trace_clear();
		assert_int_equal(vmm_start_all(&failed), VMM_OK);
		assert_false(vmm_ctx.ept.enabled);
		assert_int_equal(vmm_ctx.ept.pages, 0);
		assert_int_equal(
			vmm_ctx.cpu[0]->caps.ctl.proc2 & SEC_ENABLE_EPT, 0);
		/* The CPU's own and init's table. */
		assert_int_equal(tp.pages_live, 5 + VMM_PAGES_AT_INIT);
		assert_int_equal(mock_call_count(MOCK_OP_INVEPT), 0);
		assert_int_equal(vmm_stop_all(), VMM_OK);
		mock_trace_enable(false);
		fixture_down();
	}
}

/* MTRRs that cannot be read: start goes on without EPT and says why. */
static void test_ept_off_without_mtrrs(void **state)
{
	uint32_t failed;

	(void)state;
	fixture_up("skylake", 1);
	pc_mtrrs();
	mock_msr_gp(MOCK_ALL_CPUS, PHYSMASK(3), true, false);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_false(vmm_ctx.ept.enabled);
	assert_int_equal(tp.pages_live, 5 + VMM_PAGES_AT_INIT);
	assert_true(ring_has_text("EPT off: the MTRRs cannot be read"));
	ept_down();
}

/*
 * An MTRR holding a memory type that EPT reserves (2: hardware #GPs on the
 * WRMSR, a model or a hypervisor below may not hold it back): the MTRR
 * module takes it as UC (docs/ept.md, "The rules"), so the map never holds
 * a reserved type (that would be an EPT misconfiguration); start goes on.
 */
static void test_ept_reserved_type_is_uc(void **state)
{
	struct vmm_mtrr_state mtrr;
	uint32_t failed;
	unsigned level;
	struct walk w;

	(void)state;
	fixture_up("skylake", 1);
	pc_mtrrs();
	mock_msr_set(MOCK_ALL_CPUS, FIX4K_C0000 + 5, REP8(2));
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_true(vmm_ctx.ept.enabled);
	assert_int_equal(TYPE_OF(leaf_of(0xE8000, &level)), VMM_MTRR_UC);
	assert_int_equal(level, 1);
	assert_int_equal(vmm_mtrr_read(&mtrr), VMM_OK);
	walk_map(&w, &mtrr);
	for (unsigned t = 0; t < 8; t++)
		if (t == 2 || t == 3 || t == 7)
			assert_int_equal(w.types[t][0] + w.types[t][1] +
						 w.types[t][2],
					 0);
	ept_down();
}

/* A capability MSR that the EPT probe cannot read fails the start with
 * the status the per-CPU check gives it (VMM_ERR_CAPABILITY_MSR). */
static void test_ept_cap_msr_gp(void **state)
{
	uint32_t failed;

	(void)state;
	fixture_up("skylake", 1);
	pc_mtrrs();
	mock_msr_gp(MOCK_ALL_CPUS, MSR_IA32_VMX_EPT_VPID_CAP, true, false);
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_CAPABILITY_MSR);
	assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
	fixture_down();
}

/* The exit under test: reason @p reason with @p qual at @p gpa/@p gla. */
static void ept_exit(uint32_t reason, uint64_t qual, uint64_t gpa, uint64_t gla,
		     struct mock_exit_outcome *out)
{
	struct mock_exit_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.reason = reason;
	ev.qualification = qual;
	assert_true(mock_vmcs_poke(0, VMCS_GUEST_PHYSICAL_ADDRESS, gpa));
	assert_true(mock_vmcs_poke(0, VMCS_GUEST_LINEAR_ADDRESS, gla));
	assert_int_equal(mock_guest_exit_any(&ev, out), 0);
}

/*
 * An EPT violation in the kernel (CPL 0): the diagnostic decodes the
 * access, the entry's permissions, GPA and GLA, and the CPU leaves VMX at
 * the access (no retry loop); stop then frees the map.
 */
static void test_ept_violation_stops_cpu(void **state)
{
	struct mock_exit_outcome out;

	(void)state;
	ept_up("skylake");
	/* Write, entry r-x, GLA valid, the linear address's translation. */
	ept_exit(EXIT_REASON_EPT_VIOLATION, 0x1AA, 0x8000001000,
		 0xffff888000001000, &out);
	assert_int_equal(out.action, INTRIN_EXIT_LEAVE);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	assert_true(ring_has_text(
		"cpu 0: EPT violation: data write of GPA 0x8000001000, "
		"entry allows r-x, GLA 0xffff888000001000 (the linear "
		"address's translation), qualification 0x1aa"));
	assert_true(ring_has_text("EPT violation that no hook owns"));
	assert_int_equal(vmm_ctx.cpu[0]->last_error, VMM_ERR_UNHANDLED_EXIT);
	assert_int_equal(vmm_ctx.cpus_left, 1);
	ept_down();
}

/* The other decodings: fetch without GLA, read of a paging-structure
 * entry; and a misconfiguration, GPA only. */
static void test_ept_violation_decode(void **state)
{
	char buf[232];
	struct vmm_fmt f;
	struct mock_exit_outcome out;

	(void)state;
	vmm_fmt_init(&f, buf, sizeof(buf));
	vmm_ept_violation_describe(&f, 0x4, 0x1000, 0x55);
	assert_string_equal(buf, "EPT violation: instruction fetch of GPA "
				 "0x1000, entry allows ---, no GLA, "
				 "qualification 0x4");
	vmm_fmt_init(&f, buf, sizeof(buf));
	vmm_ept_violation_describe(&f, 0x81 | 0x10, 0x2000, 0x7000);
	assert_string_equal(buf, "EPT violation: data read of GPA 0x2000, "
				 "entry allows -w-, GLA 0x7000 (a guest "
				 "paging-structure entry), qualification "
				 "0x91");

	ept_up("skylake");
	ept_exit(EXIT_REASON_EPT_MISCONFIG, 0, 0x3000, 0, &out);
	assert_int_equal(out.action, INTRIN_EXIT_LEAVE);
	assert_true(ring_has_text("cpu 0: EPT misconfiguration at GPA 0x3000"));
	ept_down();
}

/* In user mode the CPU cannot be given back: the one unhandled path
 * injects #UD and resumes, once per exit, never a silent retry. */
static void test_ept_violation_user_mode(void **state)
{
	struct mock_cpu_regs saved_regs;
	struct mock_exit_outcome out;

	(void)state;
	ept_up("skylake");
	test_guest_enter_ring3(0, &saved_regs);
	ept_exit(EXIT_REASON_EPT_VIOLATION, 0x1, 0x8000000000, 0, &out);
	assert_int_equal(out.action, INTRIN_EXIT_RESUME);
	assert_true(out.injected);
	assert_int_equal(out.injected_info & 0xFFu, X86_VEC_UD);
	assert_int_equal(vmm_ctx.cpu[0]->unhandled, 1);
	test_guest_leave_ring3(0, &saved_regs);
	ept_down();
}

/* Counts the VMX instructions (VMREAD ... VMRESUME) traced. */
static unsigned vmx_ops(void)
{
	unsigned n = 0;

	for (size_t i = 0; i < mock_trace_len(); i++)
		if (mock_trace_at(i)->op <= MOCK_OP_VMCALL)
			n++;
	return n;
}

/*
 * With EPT on, the hot exits cost what they cost without it
 * (test_libvmm_exits_cost): CPUID 6 VMX instructions + VMRESUME, RDMSR
 * emulated at most 6 + VMRESUME.
 */
static void test_ept_exit_cost(void **state)
{
	struct mock_exit_outcome out;
	struct cpu_cpuid_regs r;
	uint64_t v;

	(void)state;
	ept_up("skylake");
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(mock_guest_cpuid(0, 0, &r, &out), 0);
	assert_int_equal(vmx_ops(), 6 + 1);
	mock_trace_clear();
	assert_int_equal(mock_guest_rdmsr(MSR_IA32_FEATURE_CONTROL, &v, &out),
			 0);
	assert_true(vmx_ops() <= 6 + 1);
	mock_trace_enable(false);
	ept_down();
}

/* ------------------------------------------------------------------ */
/* Page hooks (libvmm/src/ept/page_hook.c, docs/modules.md)            */
/* ------------------------------------------------------------------ */

/* A page inside the 1 GiB WB leaf of 5-6 GiB, backed by test memory. */
#define HOOK_GPA (5 * GIB + 0x3000)
#define HOOK_GLA UINT64_C(0xffff888140003000)
/* A 4 KiB page of the fixed WT range (already a 4 KiB leaf). */
#define HOOK_WT_GPA UINT64_C(0xD8000)
/* #PF error code of a data write to a present page (SDM Vol. 3A 4.7). */
#define PF_CODE_P_W 0x3u

static _Alignas(4096) uint8_t hook_page[4096];
static struct vmm_page_hook_args hook_seen[4];
static unsigned hook_calls;
static enum vmm_hook_action hook_answer[4];

static enum vmm_hook_action page_hook(const struct vmm_page_hook_args *a)
{
	unsigned n = hook_calls++;

	if (n >= 4)
		return VMM_HOOK_DENY;
	hook_seen[n] = *a;
	return hook_answer[n];
}

static enum vmm_hook_action other_page_hook(const struct vmm_page_hook_args *a)
{
	(void)a;
	return VMM_HOOK_DENY;
}

/* Without ENDBR64: refused. */
__attribute__((nocf_check)) static enum vmm_hook_action
noendbr_page_hook(const struct vmm_page_hook_args *a)
{
	(void)a;
	return VMM_HOOK_ALLOW;
}

/* Adds allowed-1 "monitor trap flag" (bit 27) as a real Skylake has it;
 * the skylake profile (Bochs's corei7_skylake_x) lacks it. */
static void allow_mtf(void)
{
	static const uint32_t msrs[] = {MSR_IA32_VMX_PROCBASED_CTLS,
					MSR_IA32_VMX_TRUE_PROCBASED_CTLS};
	for (unsigned i = 0; i < 2; i++) {
		uint64_t v;
		assert_true(mock_msr_get(0, msrs[i], &v));
		mock_msr_set(0, msrs[i],
			     v | ((uint64_t)CPU_MONITOR_TRAP_FLAG << 32));
	}
}

/* The emulator with the PC's MTRRs, @p remove taken from HOOK_GPA (backed
 * by hook_page), MTF allowed if @p mtf, started. */
static void hook_up(uint32_t remove, bool mtf)
{
	uint32_t failed;

	fixture_up("skylake", 1);
	width = WIDTH;
	pc_mtrrs();
	if (mtf)
		allow_mtf();
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	memset(hook_page, 0, sizeof(hook_page));
	assert_int_equal(
		pa_addr(mock_mem_map_at(hook_page, 4096, pa_init(HOOK_GPA))),
		HOOK_GPA);
	hook_calls = 0;
	memset(hook_seen, 0, sizeof(hook_seen));
	for (unsigned i = 0; i < 4; i++)
		hook_answer[i] = VMM_HOOK_DENY;
	assert_int_equal(vmm_page_hook_add(HOOK_GPA, remove, page_hook),
			 VMM_OK);
	hooked[0].gpa = HOOK_GPA;
	hooked[0].clear = remove;
	nhooked = 1;
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_true(vmm_ctx.ept.enabled);
}

static void hook_down(void)
{
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_false(vmm_ctx.ept.enabled);
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	nhooked = 0;
	mock_mem_unmap(hook_page);
	fixture_down();
}

/* One guest write of @p value to HOOK_GPA + 8 (GLA valid, 4-byte MOV),
 * or one made while delivering event @p ev (0: none; @p code its error
 * code, @p len a software event's instruction length), or by an IRET that
 * unblocked NMIs (@p iret). */
static void hook_write_ev(uint64_t value, uint32_t ev, uint32_t code,
			  uint32_t len, bool iret, struct mock_gpa_result *r)
{
	struct mock_gpa_access a;

	memset(&a, 0, sizeof(a));
	a.gpa = HOOK_GPA + 8;
	a.gla = HOOK_GLA + 8;
	a.size = 8;
	a.kind = MOCK_GPA_WRITE;
	a.len = 4;
	a.value = value;
	a.event = ev;
	a.event_error_code = code;
	a.event_len = len;
	a.iret = iret;
	memset(r, 0, sizeof(*r));
	assert_int_equal(mock_guest_gpa_access(&a, r), 0);
}

static void hook_write(uint64_t value, struct mock_gpa_result *r)
{
	hook_write_ev(value, 0, 0, 0, false, r);
}

/* Registration: the MSR hooks' rules and statuses, for pages. */
static void test_page_hook_register(void **state)
{
	static const uint32_t bad_remove[] = {
		0,
		8,
		VMM_PAGE_HOOK_R,
		VMM_PAGE_HOOK_R | VMM_PAGE_HOOK_X,
		VMM_PAGE_HOOK_R | VMM_PAGE_HOOK_W, /* execute-only */
	};
	uint32_t failed;

	(void)state;
	fixture_up("skylake", 1);
	pc_mtrrs();
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	assert_int_equal(vmm_page_hook_add(HOOK_GPA, VMM_PAGE_HOOK_W, NULL),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(
		vmm_page_hook_add(HOOK_GPA + 8, VMM_PAGE_HOOK_W, page_hook),
		VMM_ERR_BAD_ARGUMENT);
	for (unsigned i = 0; i < sizeof(bad_remove) / sizeof(bad_remove[0]);
	     i++)
		assert_int_equal(
			vmm_page_hook_add(HOOK_GPA, bad_remove[i], page_hook),
			VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_page_hook_add(HOOK_GPA, VMM_PAGE_HOOK_W,
					   (vmm_page_hook_fn)noendbr_page_hook),
			 VMM_ERR_HOOK_NO_ENDBR);
	assert_int_equal(
		vmm_page_hook_add(HOOK_GPA, VMM_PAGE_HOOK_W, page_hook),
		VMM_OK);
	/* The same again: no change. */
	assert_int_equal(
		vmm_page_hook_add(HOOK_GPA, VMM_PAGE_HOOK_W, page_hook),
		VMM_OK);
	assert_int_equal(vmm_page_hook_add(HOOK_GPA,
					   VMM_PAGE_HOOK_W | VMM_PAGE_HOOK_X,
					   page_hook),
			 VMM_ERR_HOOK_OVERLAP);
	assert_int_equal(
		vmm_page_hook_add(HOOK_GPA, VMM_PAGE_HOOK_W, other_page_hook),
		VMM_ERR_HOOK_OVERLAP);
	for (unsigned i = 1; i < VMM_PAGE_HOOKS_MAX; i++)
		assert_int_equal(
			vmm_page_hook_add(HOOK_GPA + (uint64_t)i * 4096,
					  VMM_PAGE_HOOK_X, page_hook),
			VMM_OK);
	assert_int_equal(vmm_page_hook_add(HOOK_GPA + VMM_PAGE_HOOKS_MAX * 4096,
					   VMM_PAGE_HOOK_X, page_hook),
			 VMM_ERR_HOOK_TABLE_FULL);
	assert_int_equal(vmm_page_hook_remove(HOOK_GPA, other_page_hook),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_page_hook_remove(HOOK_GPA, page_hook), VMM_OK);
	assert_int_equal(vmm_page_hook_remove(HOOK_GPA, page_hook),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(
		vmm_page_hook_add(HOOK_GPA, VMM_PAGE_HOOK_W, page_hook),
		VMM_ERR_HOOK_WHILE_RUNNING);
	assert_int_equal(vmm_page_hook_remove(HOOK_GPA + 4096, page_hook),
			 VMM_ERR_HOOK_WHILE_RUNNING);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_page_hook_remove(HOOK_GPA + 4096, page_hook),
			 VMM_OK);
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	fixture_down();
}

/*
 * The split: the 1 GiB WB leaf over HOOK_GPA becomes a PD and a PT (two
 * more tables), the hooked page a 4 KiB leaf without W, every other page
 * of it RWX, all of the same memory type as the 1 GiB leaf was (WB); a
 * hook on a page that already had a 4 KiB leaf (the fixed WT range) costs
 * no table and keeps WT. The whole map still passes the walk of
 * test_ept_map_walk.
 */
static void test_page_hook_split(void **state)
{
	struct vmm_mtrr_state mtrr;
	struct mock_ept_walk wk;
	struct walk w;
	uint32_t failed;
	uint8_t t = 0;

	(void)state;
	hook_up(VMM_PAGE_HOOK_W, false);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_page_hook_add(HOOK_WT_GPA,
					   VMM_PAGE_HOOK_W | VMM_PAGE_HOOK_X,
					   other_page_hook),
			 VMM_OK);
	hooked[1].gpa = HOOK_WT_GPA;
	hooked[1].clear = VMM_PAGE_HOOK_W | VMM_PAGE_HOOK_X;
	nhooked = 2;
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(vmm_mtrr_read(&mtrr), VMM_OK);
	walk_map(&w, &mtrr);
	print_message("hooked map: %u tables, %u x 1 GiB, %u x 2 MiB, "
		      "%u x 4 KiB\n",
		      w.tables, w.leaves[2], w.leaves[1], w.leaves[0]);
	assert_int_equal(w.tables, 5 + 2);
	assert_int_equal(vmm_ctx.ept.pages, 6 + 2);
	assert_int_equal(w.leaves[2], 510 - 1);
	assert_int_equal(w.leaves[1], 1023 + 511);
	assert_int_equal(w.leaves[0], 512 + 512);

	/* The 1 GiB range had one type: WB, now in every 4 KiB leaf. */
	assert_true(vmm_mtrr_range_type(&mtrr, 5 * GIB, GIB, &t));
	assert_int_equal(t, VMM_MTRR_WB);
	mock_ept_walk(vmm_ctx.ept.eptp, HOOK_GPA, MOCK_GPA_READ, false, false,
		      false, &wk);
	assert_int_equal(wk.verdict, MOCK_EPT_OK);
	assert_int_equal(wk.page_size, 4096);
	assert_int_equal(wk.hpa, HOOK_GPA);
	assert_int_equal(wk.ept_type, VMM_MTRR_WB);
	assert_true(wk.readable && !wk.writable && wk.executable);
	mock_ept_walk(vmm_ctx.ept.eptp, HOOK_GPA + 0x10, MOCK_GPA_WRITE, false,
		      false, false, &wk);
	assert_int_equal(wk.verdict, MOCK_EPT_VIOLATION);
	mock_ept_walk(vmm_ctx.ept.eptp, HOOK_GPA + 4096, MOCK_GPA_WRITE, false,
		      false, false, &wk);
	assert_int_equal(wk.verdict, MOCK_EPT_OK);
	assert_int_equal(wk.page_size, 4096);
	assert_int_equal(wk.ept_type, VMM_MTRR_WB);
	mock_ept_walk(vmm_ctx.ept.eptp, HOOK_GPA + 2 * MIB, MOCK_GPA_WRITE,
		      false, false, false, &wk);
	assert_int_equal(wk.verdict, MOCK_EPT_OK);
	assert_int_equal(wk.page_size, 2 * MIB);

	mock_ept_walk(vmm_ctx.ept.eptp, HOOK_WT_GPA, MOCK_GPA_READ, false,
		      false, false, &wk);
	assert_int_equal(wk.verdict, MOCK_EPT_OK);
	assert_int_equal(wk.ept_type, VMM_MTRR_WT);
	assert_true(wk.readable && !wk.writable && !wk.executable);
	mock_ept_walk(vmm_ctx.ept.eptp, HOOK_WT_GPA, MOCK_GPA_FETCH, false,
		      false, false, &wk);
	assert_int_equal(wk.verdict, MOCK_EPT_VIOLATION);
	hook_down();
}

/* Rollback with hooks: every allocation of the split map fails in turn
 * (8 pages), no page stays live, the CPU is untouched, and the next
 * start works. */
static void test_page_hook_rollback(void **state)
{
	uint32_t failed;

	(void)state;
	for (unsigned k = 1; k <= 8; k++) {
		fixture_up("skylake", 1);
		width = WIDTH;
		pc_mtrrs();
		assert_int_equal(vmm_hooks_clear(), VMM_OK);
		assert_int_equal(
			vmm_page_hook_add(HOOK_GPA, VMM_PAGE_HOOK_W, page_hook),
			VMM_OK);
		save_all();
		tp.fail_nth = tp.allocs + k;
		assert_int_equal(vmm_start_all(&failed), VMM_ERR_NO_MEMORY);
		assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
		assert_null(vmm_ctx.ept.list);
		assert_all_restored();
		tp.fail_nth = 0;
		assert_int_equal(vmm_start_all(&failed), VMM_OK);
		assert_int_equal(vmm_ctx.ept.pages, 8);
		assert_int_equal(vmm_stop_all(), VMM_OK);
		assert_int_equal(vmm_hooks_clear(), VMM_OK);
		fixture_down();
	}
}

/*
 * A write to the write-protected page, the hook denies: it saw the GPA,
 * the GLA, a write, CPU 0 and the RIP; the guest gets #GP(0) at the MOV,
 * the write does not happen, the CPU runs on.
 */
static void test_page_hook_deny(void **state)
{
	struct mock_gpa_result r;
	uint64_t rip = 0, rip2 = 0;

	(void)state;
	hook_up(VMM_PAGE_HOOK_W, true);
	hook_answer[0] = VMM_HOOK_DENY;
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_RIP, &rip));
	hook_write(0x1122334455667788, &r);
	assert_false(r.completed);
	assert_int_equal(r.exits, 1);
	assert_int_equal(r.reason, EXIT_REASON_EPT_VIOLATION);
	assert_int_equal(r.out.action, INTRIN_EXIT_RESUME);
	assert_true(r.out.injected);
	assert_int_equal(r.out.injected_info & 0xFFu, X86_VEC_GP);
	assert_int_equal(hook_calls, 1);
	assert_int_equal(hook_seen[0].gpa, HOOK_GPA + 8);
	assert_int_equal(hook_seen[0].gla, HOOK_GLA + 8);
	assert_int_equal(hook_seen[0].gla_valid, 1);
	assert_int_equal(hook_seen[0].access, VMM_PAGE_HOOK_W);
	assert_int_equal(hook_seen[0].cpu, 0);
	assert_int_equal(hook_seen[0].rip, rip);
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_RIP, &rip2));
	assert_int_equal(rip2, rip);
	assert_int_equal(*(uint64_t *)(void *)(hook_page + 8), 0);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_NONROOT);
	hook_down();
}

/*
 * Allow once: the hook allows, the write completes, an MTF exit follows,
 * the page is write-protected again and this CPU's cached translation of
 * it dropped (INVEPT): the next write exits to the hook again, which
 * denies it. MTF is off again after the step.
 */
static void test_page_hook_allow_once(void **state)
{
	struct mock_gpa_result r;
	unsigned level;
	uint64_t proc = 0, rip = 0, rip2 = 0;

	(void)state;
	hook_up(VMM_PAGE_HOOK_W, true);
	assert_true(vmm_ctx.ept.mtf);
	hook_answer[0] = VMM_HOOK_ALLOW;
	hook_answer[1] = VMM_HOOK_DENY;
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_RIP, &rip));
	mock_trace_enable(true);
	mock_trace_clear();
	hook_write(0x1122334455667788, &r);
	assert_true(r.completed);
	assert_int_equal(r.exits, 2);
	assert_true(r.mtf);
	assert_int_equal(*(uint64_t *)(void *)(hook_page + 8),
			 0x1122334455667788);
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_RIP, &rip2));
	assert_int_equal(rip2, rip + 4);
	bool invept = false;
	for (size_t i = 0; i < mock_trace_len(); i++)
		if (mock_trace_at(i)->op == MOCK_OP_INVEPT)
			invept = true;
	mock_trace_enable(false);
	assert_true(invept);
	assert_int_equal(leaf_of(HOOK_GPA, &level) & EPTE_RWX, EPTE_R | EPTE_X);
	assert_int_equal(level, 1);
	assert_true(mock_vmcs_peek(0, VMCS_CPU_BASED_VM_EXEC_CONTROL, &proc));
	assert_int_equal(proc & CPU_MONITOR_TRAP_FLAG, 0);
	assert_null(vmm_ctx.cpu[0]->page_step);

	hook_write(0x55, &r);
	assert_false(r.completed);
	assert_int_equal(hook_calls, 2);
	assert_true(r.out.injected);
	assert_int_equal(r.out.injected_info & 0xFFu, X86_VEC_GP);
	assert_int_equal(*(uint64_t *)(void *)(hook_page + 8),
			 0x1122334455667788);
	hook_down();
}

/*
 * One page open per CPU: a violation on a second hooked page while this
 * CPU's step is open (an instruction that needs two hooked pages; here as
 * scripted exits, since a guest access of the emulator is one page) is
 * denied with #GP(0) although the hook allows it, and the first page stays
 * open until the MTF exit, which closes it, turns MTF off and does INVEPT.
 */
static void test_page_hook_one_step_per_cpu(void **state)
{
	struct mock_exit_outcome out;
	uint64_t proc = 0;
	unsigned level;
	uint32_t failed;

	(void)state;
	hook_up(VMM_PAGE_HOOK_W, true);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(
		vmm_page_hook_add(HOOK_GPA + 4096, VMM_PAGE_HOOK_W, page_hook),
		VMM_OK);
	hooked[1].gpa = HOOK_GPA + 4096;
	hooked[1].clear = VMM_PAGE_HOOK_W;
	nhooked = 2;
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	hook_answer[0] = VMM_HOOK_ALLOW;
	hook_answer[1] = VMM_HOOK_ALLOW;
	/* Data write, entry r-x, GLA valid, its translation (0x1AA). */
	ept_exit(EXIT_REASON_EPT_VIOLATION, 0x1AA, HOOK_GPA, HOOK_GLA, &out);
	assert_int_equal(out.action, INTRIN_EXIT_RESUME);
	assert_false(out.injected);
	assert_int_equal(leaf_of(HOOK_GPA, &level) & EPTE_RWX, EPTE_RWX);
	assert_true(mock_vmcs_peek(0, VMCS_CPU_BASED_VM_EXEC_CONTROL, &proc));
	assert_int_not_equal(proc & CPU_MONITOR_TRAP_FLAG, 0);

	ept_exit(EXIT_REASON_EPT_VIOLATION, 0x1AA, HOOK_GPA + 4096,
		 HOOK_GLA + 4096, &out);
	assert_int_equal(hook_calls, 2);
	assert_int_equal(out.action, INTRIN_EXIT_RESUME);
	assert_true(out.injected);
	assert_int_equal(out.injected_info & 0xFFu, X86_VEC_GP);
	assert_int_equal(leaf_of(HOOK_GPA + 4096, &level) & EPTE_RWX,
			 EPTE_R | EPTE_X);
	assert_int_equal(leaf_of(HOOK_GPA, &level) & EPTE_RWX, EPTE_RWX);

	mock_trace_enable(true);
	mock_trace_clear();
	ept_exit(EXIT_REASON_MONITOR_TRAP_FLAG, 0, 0, 0, &out);
	assert_int_equal(out.action, INTRIN_EXIT_RESUME);
	bool invept = false;
	for (size_t i = 0; i < mock_trace_len(); i++)
		if (mock_trace_at(i)->op == MOCK_OP_INVEPT)
			invept = true;
	mock_trace_enable(false);
	assert_true(invept);
	assert_int_equal(leaf_of(HOOK_GPA, &level) & EPTE_RWX, EPTE_R | EPTE_X);
	assert_true(mock_vmcs_peek(0, VMCS_CPU_BASED_VM_EXEC_CONTROL, &proc));
	assert_int_equal(proc & CPU_MONITOR_TRAP_FLAG, 0);
	assert_null(vmm_ctx.cpu[0]->page_step);
	hook_down();
}

/* Without "monitor trap flag" allowed (the skylake profile as measured),
 * allow once cannot be done: the access is denied (#GP), fail closed. */
static void test_page_hook_allow_without_mtf(void **state)
{
	struct mock_gpa_result r;

	(void)state;
	hook_up(VMM_PAGE_HOOK_W, false);
	assert_false(vmm_ctx.ept.mtf);
	hook_answer[0] = VMM_HOOK_ALLOW;
	hook_write(0x77, &r);
	assert_false(r.completed);
	assert_int_equal(hook_calls, 1);
	assert_true(r.out.injected);
	assert_int_equal(r.out.injected_info & 0xFFu, X86_VEC_GP);
	assert_int_equal(*(uint64_t *)(void *)(hook_page + 8), 0);
	hook_down();
}

/* A violation on a page no hook owns keeps the diagnostic and safe stop,
 * with hooks registered; an MTF exit without a step is unhandled too. */
static void test_page_hook_unowned(void **state)
{
	struct mock_exit_outcome out;

	(void)state;
	hook_up(VMM_PAGE_HOOK_W, true);
	ept_exit(EXIT_REASON_MONITOR_TRAP_FLAG, 0, 0, 0, &out);
	assert_int_equal(out.action, INTRIN_EXIT_LEAVE);
	assert_true(ring_has_text("MTF exit without a page hook step"));
	hook_down();

	hook_up(VMM_PAGE_HOOK_W, true);
	ept_exit(EXIT_REASON_EPT_VIOLATION, 0x1AA, 0x8000001000,
		 0xffff888000001000, &out);
	assert_int_equal(out.action, INTRIN_EXIT_LEAVE);
	assert_int_equal(hook_calls, 0);
	assert_true(ring_has_text("EPT violation that no hook owns"));
	assert_int_equal(vmm_ctx.cpu[0]->last_error, VMM_ERR_UNHANDLED_EXIT);
	hook_down();
}

/* One guest access of @p kind to HOOK_GPA + 8 (GLA valid unless
 * @p no_gla; a guest paging-structure access if @p pse). */
static void hook_access(enum mock_gpa_kind kind, bool no_gla, bool pse,
			struct mock_gpa_result *r)
{
	struct mock_gpa_access a;

	memset(&a, 0, sizeof(a));
	a.gpa = HOOK_GPA + 8;
	a.gla = HOOK_GLA + 8;
	a.size = 4;
	a.kind = kind;
	a.len = 4;
	a.no_gla = no_gla;
	a.paging_structure = pse;
	memset(r, 0, sizeof(*r));
	assert_int_equal(mock_guest_gpa_access(&a, r), 0);
}

/* The #PF the last access ended with: vector 14 with its error code,
 * CR2 = the linear address at delivery, RIP at the instruction. */
static void assert_pf(const struct mock_gpa_result *r, uint32_t code,
		      uint64_t rip)
{
	uint64_t rip2 = 0;

	assert_false(r->completed);
	assert_int_equal(r->exits, 1);
	assert_int_equal(r->out.action, INTRIN_EXIT_RESUME);
	assert_true(r->out.injected);
	assert_int_equal(r->out.injected_info & 0xFFu, X86_VEC_PF);
	assert_true((r->out.injected_info & (1u << 11)) != 0);
	assert_int_equal(r->out.injected_error_code, code);
	assert_int_equal(r->out.injected_cr2, HOOK_GLA + 8);
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_RIP, &rip2));
	assert_int_equal(rip2, rip);
}

/*
 * The #PF answer (SDM Vol. 3A 4.7): a kernel write to the write-protected
 * page gets #PF with P (the EPT entry was present: a protection fault)
 * and W, CR2 = the linear address, nothing written; the same from CPL 3
 * adds U. A guest CR2 set before stays until the hook answers.
 */
static void test_page_hook_page_fault(void **state)
{
	struct mock_cpu_regs ring0;
	struct mock_gpa_result r;
	uint64_t rip = 0;

	(void)state;
	hook_up(VMM_PAGE_HOOK_W, false);
	hook_answer[0] = VMM_HOOK_PAGE_FAULT;
	hook_answer[1] = VMM_HOOK_PAGE_FAULT;
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_RIP, &rip));
	mock_trace_enable(true);
	mock_trace_clear();
	hook_access(MOCK_GPA_WRITE, false, false, &r);
	print_message("#PF answer: %u VMX instructions (VMRESUME included)\n",
		      vmx_ops());
	mock_trace_enable(false);
	assert_int_equal(hook_calls, 1);
	assert_pf(&r, 0x3, rip);
	assert_int_equal(*(uint64_t *)(void *)(hook_page + 8), 0);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_NONROOT);

	test_guest_enter_ring3(0, &ring0);
	hook_access(MOCK_GPA_WRITE, false, false, &r);
	assert_int_equal(hook_calls, 2);
	assert_pf(&r, 0x7, rip);
	test_guest_leave_ring3(0, &ring0);
	hook_down();
}

/*
 * A fetch: I/D (bit 4) is set when CR4.SMEP = 1 or EFER.NXE = 1 (with PAE,
 * which IA-32e mode has; SDM Vol. 3A 4.7), else clear. A page whose EPT
 * entry is not present (every permission removed) gives P = 0.
 */
static void test_page_hook_page_fault_fetch(void **state)
{
	struct mock_gpa_result r;
	struct mock_cpu_regs regs;
	uint64_t rip = 0, efer = 0;

	(void)state;
	hook_up(VMM_PAGE_HOOK_X, false);
	for (unsigned i = 0; i < 4; i++)
		hook_answer[i] = VMM_HOOK_PAGE_FAULT;
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_RIP, &rip));
	/* The guest runs: its CR4 and EFER are the CPU's registers (the
	 * exit saves them into the VMCS). SMEP on, NXE off: I/D. */
	mock_cpu_get_regs(0, &regs);
	regs.cr4 |= X86_CR4_SMEP;
	mock_cpu_set_regs(0, &regs);
	assert_true(mock_msr_get(0, MSR_IA32_EFER, &efer));
	mock_msr_set(0, MSR_IA32_EFER, efer & ~X86_EFER_NXE);
	hook_access(MOCK_GPA_FETCH, false, false, &r);
	assert_pf(&r, 0x11, rip);
	/* Neither: no I/D. */
	mock_cpu_get_regs(0, &regs);
	regs.cr4 &= ~X86_CR4_SMEP;
	mock_cpu_set_regs(0, &regs);
	hook_access(MOCK_GPA_FETCH, false, false, &r);
	assert_pf(&r, 0x1, rip);
	/* NXE alone: I/D. */
	mock_msr_set(0, MSR_IA32_EFER, efer | X86_EFER_NXE);
	hook_access(MOCK_GPA_FETCH, false, false, &r);
	assert_pf(&r, 0x11, rip);
	assert_int_equal(hook_calls, 3);
	hook_down();

	/* Not present in EPT: P = 0, a read. */
	hook_up(VMM_PAGE_HOOK_R | VMM_PAGE_HOOK_W | VMM_PAGE_HOOK_X, false);
	hook_answer[0] = VMM_HOOK_PAGE_FAULT;
	hook_access(MOCK_GPA_READ, false, false, &r);
	assert_pf(&r, 0x0, rip);
	hook_down();
}

/*
 * #PF needs the linear address's own translation (exit qualification bits
 * 7 and 8, SDM Vol. 3C Table 28-7): an access to a guest paging-structure
 * entry, or one without a linear address, gets #GP(0) instead (fail
 * closed), and the ring says why.
 */
static void test_page_hook_page_fault_no_gla(void **state)
{
	struct mock_gpa_result r;

	(void)state;
	hook_up(VMM_PAGE_HOOK_W, false);
	hook_answer[0] = VMM_HOOK_PAGE_FAULT;
	hook_answer[1] = VMM_HOOK_PAGE_FAULT;
	hook_access(MOCK_GPA_WRITE, false, true, &r);
	assert_false(r.completed);
	assert_true(r.out.injected);
	assert_int_equal(r.out.injected_info & 0xFFu, X86_VEC_GP);
	assert_int_equal(r.out.injected_error_code, 0);
	hook_access(MOCK_GPA_WRITE, true, false, &r);
	assert_true(r.out.injected);
	assert_int_equal(r.out.injected_info & 0xFFu, X86_VEC_GP);
	assert_int_equal(hook_calls, 2);
	assert_int_equal(hook_seen[1].gla_valid, 0);
	assert_true(ring_has_text("cpu 0: page hook answered #PF for GPA "
				  "0x140003008 without the linear address's "
				  "translation: #GP(0) instead"));
	assert_int_equal(*(uint64_t *)(void *)(hook_page + 8), 0);
	hook_down();
}

/*
 * Review: the guest's CR2 changes only with a #PF that is injected. When
 * the injection's VMWRITE fails (here the error code's), the answer falls
 * back to #GP(0), and CR2 must stay what the guest had: a #GP does not
 * load CR2 (SDM Vol. 3A 6.15), and a guest that is still to read CR2 for
 * an earlier #PF would read the wrong address.
 */
static void test_page_hook_review_pf_cr2(void **state)
{
	struct mock_cpu_regs regs;
	struct mock_gpa_result r;

	(void)state;
	hook_up(VMM_PAGE_HOOK_W, false);
	hook_answer[0] = VMM_HOOK_PAGE_FAULT;
	mock_cpu_get_regs(0, &regs);
	regs.cr2 = UINT64_C(0xffff888012345000);
	mock_cpu_set_regs(0, &regs);
	assert_int_equal(mock_fail_nth(MOCK_OP_VMWRITE, 1,
				       (vmx_result_t){VMX_FAIL_VALID, 12}),
			 0);
	hook_access(MOCK_GPA_WRITE, false, false, &r);
	mock_fail_clear();
	assert_int_equal(hook_calls, 1);
	assert_true(r.out.injected);
	assert_int_equal(r.out.injected_info & 0xFFu, X86_VEC_GP);
	mock_cpu_get_regs(0, &regs);
	assert_int_equal(regs.cr2, UINT64_C(0xffff888012345000));
	hook_down();
}

/* ------------------------------------------------------------------ */
/* Split view: fetches see a shadow page, data accesses the original    */
/* ------------------------------------------------------------------ */

static _Alignas(4096) uint8_t shadow_code[4096];

/* Clears IA32_VMX_EPT_VPID_CAP[0] (execute-only EPT pages). */
static void no_exec_only(void)
{
	uint64_t cap = 0;

	assert_true(mock_msr_get(0, MSR_IA32_VMX_EPT_VPID_CAP, &cap));
	mock_msr_set(MOCK_ALL_CPUS, MSR_IA32_VMX_EPT_VPID_CAP,
		     cap & ~UINT64_C(1));
}

/* Like hook_up(), with a split view of HOOK_GPA (original: hook_page
 * filled with 0xAA; shadow: shadow_code filled with 0x5C). */
static void shadow_up(void)
{
	uint32_t failed;

	fixture_up("skylake", 1);
	width = WIDTH;
	pc_mtrrs();
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	memset(hook_page, 0xAA, sizeof(hook_page));
	memset(shadow_code, 0x5C, sizeof(shadow_code));
	assert_int_equal(
		pa_addr(mock_mem_map_at(hook_page, 4096, pa_init(HOOK_GPA))),
		HOOK_GPA);
	hook_calls = 0;
	memset(hook_seen, 0, sizeof(hook_seen));
	for (unsigned i = 0; i < 4; i++)
		hook_answer[i] = VMM_HOOK_ALLOW;
	assert_int_equal(vmm_page_hook_shadow(HOOK_GPA, shadow_code, page_hook),
			 VMM_OK);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_true(vmm_ctx.ept.enabled);
}

/* Counts INVEPTs in the trace. */
static unsigned invept_count(void)
{
	unsigned n = 0;

	for (size_t i = 0; i < mock_trace_len(); i++)
		if (mock_trace_at(i)->op == MOCK_OP_INVEPT)
			n++;
	return n;
}

/*
 * Registration of a split view: the page hooks' rules, plus execute-only
 * EPT pages (IA32_VMX_EPT_VPID_CAP[0], SDM Vol. 3C 29.3.3.1), without
 * which (or without EPT) it is refused with its own status.
 */
static void test_page_hook_shadow_register(void **state)
{
	uint32_t failed;

	(void)state;
	fixture_up("skylake", 1);
	pc_mtrrs();
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	assert_int_equal(vmm_page_hook_shadow(HOOK_GPA, shadow_code, NULL),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(vmm_page_hook_shadow(HOOK_GPA, NULL, page_hook),
			 VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(
		vmm_page_hook_shadow(HOOK_GPA + 8, shadow_code, page_hook),
		VMM_ERR_BAD_ARGUMENT);
	assert_int_equal(
		vmm_page_hook_shadow(HOOK_GPA, shadow_code,
				     (vmm_page_hook_fn)noendbr_page_hook),
		VMM_ERR_HOOK_NO_ENDBR);
	assert_int_equal(vmm_page_hook_shadow(HOOK_GPA, shadow_code, page_hook),
			 VMM_OK);
	assert_int_equal(vmm_page_hook_shadow(HOOK_GPA, shadow_code, page_hook),
			 VMM_OK);
	assert_int_equal(vmm_page_hook_shadow(HOOK_GPA, hook_page, page_hook),
			 VMM_ERR_HOOK_OVERLAP);
	assert_int_equal(
		vmm_page_hook_add(HOOK_GPA, VMM_PAGE_HOOK_W, page_hook),
		VMM_ERR_HOOK_OVERLAP);
	assert_int_equal(
		vmm_page_hook_add(HOOK_GPA + 4096, VMM_PAGE_HOOK_W, page_hook),
		VMM_OK);
	assert_int_equal(
		vmm_page_hook_shadow(HOOK_GPA + 4096, shadow_code, page_hook),
		VMM_ERR_HOOK_OVERLAP);
	for (unsigned i = 2; i < VMM_PAGE_HOOKS_MAX; i++)
		assert_int_equal(
			vmm_page_hook_shadow(HOOK_GPA + (uint64_t)i * 4096,
					     shadow_code, page_hook),
			VMM_OK);
	assert_int_equal(
		vmm_page_hook_shadow(HOOK_GPA + VMM_PAGE_HOOKS_MAX * 4096,
				     shadow_code, page_hook),
		VMM_ERR_HOOK_TABLE_FULL);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_int_equal(
		vmm_page_hook_shadow(HOOK_GPA + VMM_PAGE_HOOKS_MAX * 4096,
				     shadow_code, page_hook),
		VMM_ERR_HOOK_WHILE_RUNNING);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_page_hook_remove(HOOK_GPA, page_hook), VMM_OK);
	assert_int_equal(vmm_hooks_clear(), VMM_OK);

	no_exec_only();
	assert_int_equal(vmm_page_hook_shadow(HOOK_GPA, shadow_code, page_hook),
			 VMM_ERR_EPT_NO_EXEC_ONLY);
	assert_int_equal(
		vmm_page_hook_add(HOOK_GPA, VMM_PAGE_HOOK_W, page_hook),
		VMM_OK);
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	assert_string_not_equal(vmm_status_str(VMM_ERR_EPT_NO_EXEC_ONLY),
				vmm_status_str(VMM_ERR_BAD_ARGUMENT));
	fixture_down();

	/* A CPU without EPT (Penryn): refused the same way. */
	fixture_up("core2_penryn", 1);
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	assert_int_equal(vmm_page_hook_shadow(HOOK_GPA, shadow_code, page_hook),
			 VMM_ERR_EPT_NO_EXEC_ONLY);
	fixture_down();
}

/*
 * The split view: the leaf starts execute-only on a copy of the shadow
 * (fetches see 0x5C, no exit); a read exits once, the hook allows, the
 * leaf becomes read/write on the original without X, INVEPT, and the
 * read sees 0xAA; writes then land in the original without exits; a
 * fetch exits once and switches back. The shadow page is one more page
 * of the map.
 */
static void test_page_hook_shadow_views(void **state)
{
	struct mock_gpa_result r;
	struct mock_ept_walk wk;
	uint64_t leaf;
	unsigned level;

	(void)state;
	shadow_up();
	assert_int_equal(vmm_ctx.ept.pages, 6 + 2 + 1);
	leaf = leaf_of(HOOK_GPA, &level);
	assert_int_equal(level, 1);
	assert_int_equal(leaf & EPTE_RWX, EPTE_X);
	assert_int_not_equal(leaf & EPTE_ADDR_MASK, HOOK_GPA);
	mock_ept_walk(vmm_ctx.ept.eptp, HOOK_GPA, MOCK_GPA_FETCH, false, false,
		      false, &wk);
	assert_int_equal(wk.verdict, MOCK_EPT_OK);
	assert_int_equal(wk.ept_type, VMM_MTRR_WB);

	hook_access(MOCK_GPA_FETCH, false, false, &r);
	assert_true(r.completed);
	assert_int_equal(r.exits, 0);
	assert_int_equal(r.value, 0x5C5C5C5C);
	assert_int_equal(hook_calls, 0);

	mock_trace_enable(true);
	mock_trace_clear();
	hook_access(MOCK_GPA_READ, false, false, &r);
	assert_true(r.completed);
	assert_int_equal(r.exits, 1);
	assert_int_equal(r.value, 0xAAAAAAAA);
	assert_int_equal(invept_count(), 1);
	print_message("view switch: %u VMX instructions (INVEPT and "
		      "VMRESUME included)\n",
		      vmx_ops());
	assert_int_equal(hook_calls, 1);
	assert_int_equal(hook_seen[0].access, VMM_PAGE_HOOK_R);
	assert_int_equal(leaf_of(HOOK_GPA, &level),
			 (leaf & ~(EPTE_ADDR_MASK | EPTE_RWX)) | HOOK_GPA |
				 EPTE_R | EPTE_W);

	mock_trace_clear();
	hook_access(MOCK_GPA_WRITE, false, false, &r);
	assert_true(r.completed);
	assert_int_equal(r.exits, 0);
	assert_int_equal(invept_count(), 0);
	assert_int_equal(hook_page[8], 0);

	hook_access(MOCK_GPA_FETCH, false, false, &r);
	assert_true(r.completed);
	assert_int_equal(r.exits, 1);
	assert_int_equal(r.value, 0x5C5C5C5C);
	assert_int_equal(invept_count(), 1);
	assert_int_equal(hook_calls, 2);
	assert_int_equal(hook_seen[1].access, VMM_PAGE_HOOK_X);
	assert_int_equal(leaf_of(HOOK_GPA, &level), leaf);
	/* The module's buffer was copied at start, never written. */
	assert_int_equal(shadow_code[8], 0x5C);

	/* Deny: #GP(0), the view stays; #PF: the #PF of a data write. */
	hook_answer[2] = VMM_HOOK_DENY;
	hook_answer[3] = VMM_HOOK_PAGE_FAULT;
	mock_trace_clear();
	hook_access(MOCK_GPA_READ, false, false, &r);
	assert_false(r.completed);
	assert_int_equal(r.out.injected_info & 0xFFu, X86_VEC_GP);
	hook_access(MOCK_GPA_WRITE, false, false, &r);
	assert_false(r.completed);
	assert_int_equal(r.out.injected_info & 0xFFu, X86_VEC_PF);
	assert_int_equal(r.out.injected_error_code, PF_CODE_P_W);
	assert_int_equal(invept_count(), 0);
	assert_int_equal(leaf_of(HOOK_GPA, &level), leaf);
	mock_trace_enable(false);
	hook_down();
}

/* A view switch whose INVEPT fails: this CPU may still hold the old
 * view, so it is not resumed into the guest: the one unhandled path gives
 * it back to the kernel at the access, and says why. */
static void test_page_hook_shadow_invept_fails(void **state)
{
	struct mock_gpa_result r;

	(void)state;
	shadow_up();
	assert_int_equal(
		mock_fail_nth(MOCK_OP_INVEPT, 1,
			      (vmx_result_t){VMX_FAIL_VALID,
					     VMXERR_INVALID_INVEPT_INVVPID}),
		0);
	hook_access(MOCK_GPA_READ, false, false, &r);
	mock_fail_clear();
	assert_false(r.completed);
	assert_int_equal(r.out.action, INTRIN_EXIT_LEAVE);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	assert_int_equal(hook_calls, 1);
	assert_true(ring_has_text("page hook: INVEPT after a view switch "
				  "failed"));
	assert_int_equal(vmm_ctx.cpu[0]->last_error, VMM_ERR_UNHANDLED_EXIT);
	hook_down();
}

/* Rollback with a split view: each of the 9 allocations (the map's 8
 * and the shadow page) fails in turn; nothing stays live. */
static void test_page_hook_shadow_rollback(void **state)
{
	uint32_t failed;

	(void)state;
	for (unsigned k = 1; k <= 9; k++) {
		fixture_up("skylake", 1);
		width = WIDTH;
		pc_mtrrs();
		assert_int_equal(vmm_hooks_clear(), VMM_OK);
		assert_int_equal(
			vmm_page_hook_shadow(HOOK_GPA, shadow_code, page_hook),
			VMM_OK);
		save_all();
		tp.fail_nth = tp.allocs + k;
		assert_int_equal(vmm_start_all(&failed), VMM_ERR_NO_MEMORY);
		assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
		assert_null(vmm_ctx.ept.list);
		assert_all_restored();
		tp.fail_nth = 0;
		assert_int_equal(vmm_start_all(&failed), VMM_OK);
		assert_int_equal(vmm_ctx.ept.pages, 9);
		assert_int_equal(vmm_stop_all(), VMM_OK);
		assert_int_equal(vmm_hooks_clear(), VMM_OK);
		fixture_down();
	}
}

/* A CPU that lost execute-only pages between registration and start (a
 * capability MSR changed): start refuses with the status, nothing kept;
 * an X-only leaf would be an EPT misconfiguration. The hot exits cost
 * what they did with a split view registered. */
static void test_page_hook_shadow_start(void **state)
{
	struct mock_exit_outcome out;
	struct cpu_cpuid_regs cr;
	uint32_t failed;
	uint64_t v;

	(void)state;
	fixture_up("skylake", 1);
	width = WIDTH;
	pc_mtrrs();
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	assert_int_equal(vmm_page_hook_shadow(HOOK_GPA, shadow_code, page_hook),
			 VMM_OK);
	no_exec_only();
	save_all();
	assert_int_equal(vmm_start_all(&failed), VMM_ERR_EPT_NO_EXEC_ONLY);
	assert_int_equal(tp.pages_live, VMM_PAGES_AT_INIT);
	assert_all_restored();
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	fixture_down();

	shadow_up();
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(mock_guest_cpuid(0, 0, &cr, &out), 0);
	assert_int_equal(vmx_ops(), 6 + 1);
	mock_trace_clear();
	assert_int_equal(mock_guest_rdmsr(MSR_IA32_FEATURE_CONTROL, &v, &out),
			 0);
	assert_true(vmx_ops() <= 6 + 1);
	mock_trace_enable(false);
	hook_down();
}

/* The hot exits cost what they cost without page hooks. */
static void test_page_hook_exit_cost(void **state)
{
	struct mock_exit_outcome out;
	struct cpu_cpuid_regs r;
	uint64_t v;

	(void)state;
	hook_up(VMM_PAGE_HOOK_W, true);
	mock_trace_enable(true);
	mock_trace_clear();
	assert_int_equal(mock_guest_cpuid(0, 0, &r, &out), 0);
	assert_int_equal(vmx_ops(), 6 + 1);
	mock_trace_clear();
	assert_int_equal(mock_guest_rdmsr(MSR_IA32_FEATURE_CONTROL, &v, &out),
			 0);
	assert_true(vmx_ops() <= 6 + 1);
	mock_trace_enable(false);
	hook_down();
}

/* ------------------------------------------------------------------ */
/* Violations during event delivery, NMI unblocking (docs/modules.md)  */
/* ------------------------------------------------------------------ */

/* Events as the IDT-vectoring information gives them (SDM Vol. 3C
 * 28.2.4) and as VM entry injects them (27.2.1.3). */
#define EV(type, vec) (INTR_INFO_VALID | ((type) << 8) | (vec))
#define EV_CODE(vec)                                                           \
	(EV(INTR_TYPE_HARD_EXCEPTION, vec) | INTR_INFO_DELIVER_CODE)
#define EV_EXT EV(INTR_TYPE_EXT_INTR, 0x20u)
#define EV_NMI EV(INTR_TYPE_NMI, X86_VEC_NMI)
#define EV_INT80 EV(INTR_TYPE_SOFT_INTR, 0x80u)
#define EV_UD EV(INTR_TYPE_HARD_EXCEPTION, X86_VEC_UD)
#define EV_GP EV_CODE(X86_VEC_GP)
#define EV_PF EV_CODE(X86_VEC_PF)
#define EV_DF EV_CODE(X86_VEC_DF)

/* Guest RFLAGS.IF = 1, so an external interrupt can be delivered. */
static void guest_if_on(void)
{
	struct mock_cpu_regs regs;

	mock_cpu_get_regs(0, &regs);
	regs.rflags |= X86_RFLAGS_IF;
	mock_cpu_set_regs(0, &regs);
}

/* A write of 0x77 by the delivery of @p ev (hook_write_ev()). */
static void event_write(uint32_t ev, uint32_t code, uint32_t len, bool iret,
			struct mock_gpa_result *r)
{
	hook_write_ev(0x77, ev, code, len, iret, r);
}

/* The last value the trace shows written to VMCS field @p field (true),
 * or false if none was. */
static bool last_vmwrite(uint32_t field, uint64_t *v)
{
	bool found = false;

	for (size_t i = 0; i < mock_trace_len(); i++) {
		const struct mock_call *c = mock_trace_at(i);

		if (c->op == MOCK_OP_VMWRITE && c->arg[0] == field) {
			*v = c->arg[1];
			found = true;
		}
	}
	return found;
}

/*
 * Allow once during event delivery: the event the exit interrupted is
 * injected again with exactly its fields (vector, type, error code, a
 * software interrupt's instruction length; the emulator re-runs the
 * access only for that event, and reports a lost external interrupt or
 * NMI as EPT.event_lost), the access completes within its delivery, the
 * MTF exit after the delivery closes the page, RIP never moves (no
 * instruction to skip), and the hook sees the event.
 */
static void test_page_hook_event_allow_once(void **state)
{
	static const struct {
		uint32_t ev, code, len;
	} cases[] = {
		{EV_EXT, 0, 0},
		{EV_NMI, 0, 0},
		{EV_INT80, 0, 2},
		{EV_PF, 0x2, 0},
	};
	struct mock_gpa_result r;
	unsigned level;
	uint64_t rip, v = 0;

	(void)state;
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(cases); i++) {
		hook_up(VMM_PAGE_HOOK_W, true);
		guest_if_on();
		hook_answer[0] = VMM_HOOK_ALLOW;
		rip = mock_cpu_rip(0);
		mock_trace_enable(true);
		mock_trace_clear();
		event_write(cases[i].ev, cases[i].code, cases[i].len, false,
			    &r);
		mock_trace_enable(false);
		assert_false(r.event_lost);
		assert_true(r.completed);
		assert_true(r.mtf);
		assert_int_equal(r.exits, 2);
		assert_int_equal(hook_calls, 1);
		assert_int_equal(hook_seen[0].event, cases[i].ev);
		assert_int_equal(hook_seen[0].rip, rip);
		assert_true(last_vmwrite(VMCS_VM_ENTRY_INTR_INFO, &v));
		assert_int_equal(v, cases[i].ev);
		if (cases[i].ev & INTR_INFO_DELIVER_CODE) {
			assert_true(last_vmwrite(
				VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, &v));
			assert_int_equal(v, cases[i].code);
		}
		if (cases[i].len != 0) {
			assert_true(last_vmwrite(VMCS_VM_ENTRY_INSTRUCTION_LEN,
						 &v));
			assert_int_equal(v, cases[i].len);
		}
		assert_int_equal(*(uint64_t *)(void *)(hook_page + 8), 0x77);
		assert_int_equal(mock_cpu_rip(0), rip);
		assert_int_equal(leaf_of(HOOK_GPA, &level) & EPTE_RWX,
				 EPTE_R | EPTE_X);
		assert_null(vmm_ctx.cpu[0]->page_step);
		assert_int_equal(mock_vmx_mode(0), MOCK_VMX_NONROOT);
		hook_down();
	}
}

/*
 * A split view switched during event delivery: the event is injected
 * again and its delivery makes the access through the new view; no MTF,
 * RIP unchanged.
 */
static void test_page_hook_event_shadow(void **state)
{
	struct mock_gpa_result r;
	uint64_t rip;

	(void)state;
	shadow_up();
	guest_if_on();
	rip = mock_cpu_rip(0);
	event_write(EV_EXT, 0, 0, false, &r);
	assert_false(r.event_lost);
	assert_true(r.completed);
	assert_false(r.mtf);
	assert_int_equal(r.exits, 1);
	assert_int_equal(hook_seen[0].event, EV_EXT);
	assert_int_equal(hook_page[8], 0x77);
	assert_int_equal(mock_cpu_rip(0), rip);
	hook_down();
}

/*
 * Deny and #PF during event delivery: the fault comes up while the CPU
 * delivers the event, so the SDM's rules for a fault in delivery decide
 * (Vol. 3A 6.15 Table 6-5; Vol. 3C "Reflecting Exceptions to Guest
 * Software"): after a benign event (external interrupt, NMI, INT n, #UD)
 * or a contributory one followed by #PF, the fault itself; a contributory
 * exception then #GP, or #PF then #GP or #PF: #DF with error code 0, CR2
 * untouched; RIP never moves.
 */
static void test_page_hook_event_fault(void **state)
{
	static const struct {
		uint32_t ev, code, len;
		enum vmm_hook_action answer;
		uint32_t info; /* injected */
	} cases[] = {
		{EV_EXT, 0, 0, VMM_HOOK_DENY, EV_GP},
		{EV_NMI, 0, 0, VMM_HOOK_DENY, EV_GP},
		{EV_INT80, 0, 2, VMM_HOOK_DENY, EV_GP},
		{EV_UD, 0, 0, VMM_HOOK_DENY, EV_GP},
		{EV_GP, 0, 0, VMM_HOOK_DENY, EV_DF},
		{EV_PF, 0x2, 0, VMM_HOOK_DENY, EV_DF},
		{EV_EXT, 0, 0, VMM_HOOK_PAGE_FAULT, EV_PF},
		{EV_GP, 0, 0, VMM_HOOK_PAGE_FAULT, EV_PF},
		{EV_PF, 0x2, 0, VMM_HOOK_PAGE_FAULT, EV_DF},
	};
	struct mock_gpa_result r;
	uint64_t rip;

	(void)state;
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(cases); i++) {
		hook_up(VMM_PAGE_HOOK_W, false);
		guest_if_on();
		cpu_write_cr2(0x1234);
		hook_answer[0] = cases[i].answer;
		rip = mock_cpu_rip(0);
		event_write(cases[i].ev, cases[i].code, cases[i].len, false,
			    &r);
		assert_false(r.completed);
		assert_int_equal(r.exits, 1);
		assert_int_equal(r.out.action, INTRIN_EXIT_RESUME);
		assert_true(r.out.injected);
		assert_int_equal(r.out.injected_info, cases[i].info);
		assert_int_equal(r.out.injected_error_code,
				 cases[i].info == EV_PF ? PF_CODE_P_W : 0);
		assert_int_equal(r.out.injected_cr2, cases[i].info == EV_PF
							     ? HOOK_GLA + 8
							     : 0x1234);
		assert_int_equal(hook_seen[0].event, cases[i].ev);
		assert_int_equal(mock_cpu_rip(0), rip);
		assert_int_equal(*(uint64_t *)(void *)(hook_page + 8), 0);
		hook_down();
	}
}

/*
 * #PF during the delivery of an event that interrupted CPL 3: the
 * delivery's accesses (IDT, GDT, TSS, and the frame on the kernel stack of
 * a CPL-0 handler, all Linux has) are supervisor-mode accesses whatever
 * the CPL (SDM Vol. 3A 4.6 "implicit supervisor-mode accesses"; 6.12.1 the
 * stack switch to the handler's privilege level), so the error code has no
 * U (Vol. 3A 4.7): P and W only. Before, the CPL saved in the VMCS (the
 * interrupted user code's) set U.
 */
static void test_page_hook_event_fault_ring3(void **state)
{
	struct mock_cpu_regs ring0;
	struct mock_gpa_result r;

	(void)state;
	hook_up(VMM_PAGE_HOOK_W, false);
	test_guest_enter_ring3(0, &ring0);
	guest_if_on();
	hook_answer[0] = VMM_HOOK_PAGE_FAULT;
	event_write(EV_EXT, 0, 0, false, &r);
	assert_int_equal(r.out.action, INTRIN_EXIT_RESUME);
	assert_true(r.out.injected);
	assert_int_equal(r.out.injected_info, EV_PF);
	assert_int_equal(r.out.injected_error_code, PF_CODE_P_W);
	assert_int_equal(r.out.injected_cr2, HOOK_GLA + 8);
	test_guest_leave_ring3(0, &ring0);
	hook_down();
}

/*
 * Deny while the CPU delivers #DF: a fault in #DF delivery is a triple
 * fault (Vol. 3A 6.15 "Interrupt 8"), which no injection can express: the
 * CPU is shut down natively as for exit 2 (docs/exits.md), never given a
 * #GP or #DF to run on.
 */
static void test_page_hook_event_triple_fault(void **state)
{
	struct mock_gpa_result r;

	(void)state;
	hook_up(VMM_PAGE_HOOK_W, false);
	hook_answer[0] = VMM_HOOK_DENY;
	event_write(EV_DF, 0, 0, false, &r);
	assert_false(r.completed);
	assert_int_equal(r.out.action, INTRIN_EXIT_LEAVE);
	assert_false(r.out.injected);
	assert_int_equal(mock_vmx_mode(0), MOCK_VMX_OUTSIDE);
	assert_true(mock_cpu_in_shutdown(0));
	assert_true(ring_has_text("triple fault"));
	hook_down();
}

/*
 * NMI unblocking due to IRET (exit qualification bit 12, SDM Vol. 3C
 * Table 28-7, 28.2.3): the CPU cleared blocking by NMI before the exit;
 * every path that resumes the guest (deny, allow once) sets it again, so
 * no NMI nests into the handler the IRET did not leave yet. An access not
 * by such an IRET leaves the blocking as it was.
 */
static void test_page_hook_nmi_unblocking(void **state)
{
	static const enum vmm_hook_action answers[] = {VMM_HOOK_DENY,
						       VMM_HOOK_ALLOW};
	struct mock_gpa_result r;
	uint64_t intr = 0;

	(void)state;
	for (size_t i = 0; i < FLANK_ARRAY_SIZE(answers); i++) {
		hook_up(VMM_PAGE_HOOK_W, true);
		hook_answer[0] = answers[i];
		hook_answer[1] = answers[i];
		assert_true(mock_vmcs_poke(0, VMCS_GUEST_INTERRUPTIBILITY_INFO,
					   INTERRUPTIBILITY_NMI));
		event_write(0, 0, 0, true, &r);
		assert_true(r.qualification & BIT64(12));
		assert_int_equal(r.out.action, INTRIN_EXIT_RESUME);
		assert_true(mock_vmcs_peek(0, VMCS_GUEST_INTERRUPTIBILITY_INFO,
					   &intr));
		assert_int_equal(intr & INTERRUPTIBILITY_NMI,
				 INTERRUPTIBILITY_NMI);
		assert_true(
			mock_vmcs_poke(0, VMCS_GUEST_INTERRUPTIBILITY_INFO, 0));
		event_write(0, 0, 0, false, &r);
		assert_false(r.qualification & BIT64(12));
		assert_true(mock_vmcs_peek(0, VMCS_GUEST_INTERRUPTIBILITY_INFO,
					   &intr));
		assert_int_equal(intr & INTERRUPTIBILITY_NMI, 0);
		hook_down();
	}
}

/*
 * Bit 12 is undefined when the exit was during event delivery (Table
 * 28-7): a scripted exit with both (allowed once) sets no NMI blocking;
 * the event is injected again instead.
 */
static void test_page_hook_nmi_bit_during_delivery(void **state)
{
	struct mock_exit_event ev;
	struct mock_exit_outcome out;
	uint64_t intr = 1;

	(void)state;
	hook_up(VMM_PAGE_HOOK_W, true);
	hook_answer[0] = VMM_HOOK_ALLOW;
	memset(&ev, 0, sizeof(ev));
	ev.reason = EXIT_REASON_EPT_VIOLATION;
	ev.qualification = BIT64(12) | 0x1AA;
	ev.idt_vectoring_info = EV_UD;
	assert_true(mock_vmcs_poke(0, VMCS_GUEST_PHYSICAL_ADDRESS, HOOK_GPA));
	assert_true(mock_vmcs_poke(0, VMCS_GUEST_LINEAR_ADDRESS, HOOK_GLA));
	assert_true(mock_vmcs_poke(0, VMCS_GUEST_INTERRUPTIBILITY_INFO, 0));
	assert_int_equal(mock_guest_exit_any(&ev, &out), 0);
	assert_int_equal(out.action, INTRIN_EXIT_RESUME);
	assert_int_equal(out.injected_info, EV_UD);
	assert_true(mock_vmcs_peek(0, VMCS_GUEST_INTERRUPTIBILITY_INFO, &intr));
	assert_int_equal(intr & INTERRUPTIBILITY_NMI, 0);
	/* The MTF exit after the delivery closes the page. */
	memset(&ev, 0, sizeof(ev));
	ev.reason = EXIT_REASON_MONITOR_TRAP_FLAG;
	assert_int_equal(mock_guest_exit_any(&ev, &out), 0);
	assert_null(vmm_ctx.cpu[0]->page_step);
	hook_down();
}

/* An EPT violation's cost in VMX instructions, printed (the CPUID and MSR
 * gates are in test_page_hook_exit_cost). */
static void test_page_hook_event_cost(void **state)
{
	struct mock_gpa_result r;

	(void)state;
	hook_up(VMM_PAGE_HOOK_W, false);
	mock_trace_enable(true);
	mock_trace_clear();
	event_write(0, 0, 0, false, &r);
	print_message("deny: %u VMX instructions (VMRESUME included)\n",
		      vmx_ops());
	mock_trace_clear();
	event_write(EV_PF, 0x2, 0, false, &r);
	print_message("deny during #PF delivery: %u VMX instructions\n",
		      vmx_ops());
	mock_trace_enable(false);
	assert_int_equal(r.out.injected_info, EV_DF);
	hook_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ept_map_walk),
		cmocka_unit_test(test_ept_map_types),
		cmocka_unit_test(test_ept_types_logged),
		cmocka_unit_test(test_ept_types_too_many_runs),
		cmocka_unit_test(test_ept_map_mtrrs_disabled),
		cmocka_unit_test(test_ept_map_no_1g),
		cmocka_unit_test(test_ept_unusable),
		cmocka_unit_test(test_ept_map_5level),
		cmocka_unit_test(test_ept_eptp),
		cmocka_unit_test(test_ept_invept),
		cmocka_unit_test(test_ept_invept_fails),
		cmocka_unit_test(test_ept_rollback_every_alloc),
		cmocka_unit_test(test_ept_rollback_no_1g),
		cmocka_unit_test(test_ept_off_without_ept),
		cmocka_unit_test(test_ept_off_without_mtrrs),
		cmocka_unit_test(test_ept_reserved_type_is_uc),
		cmocka_unit_test(test_ept_cap_msr_gp),
		cmocka_unit_test(test_ept_violation_stops_cpu),
		cmocka_unit_test(test_ept_violation_decode),
		cmocka_unit_test(test_ept_violation_user_mode),
		cmocka_unit_test(test_ept_exit_cost),
		cmocka_unit_test(test_page_hook_register),
		cmocka_unit_test(test_page_hook_split),
		cmocka_unit_test(test_page_hook_rollback),
		cmocka_unit_test(test_page_hook_deny),
		cmocka_unit_test(test_page_hook_allow_once),
		cmocka_unit_test(test_page_hook_one_step_per_cpu),
		cmocka_unit_test(test_page_hook_allow_without_mtf),
		cmocka_unit_test(test_page_hook_unowned),
		cmocka_unit_test(test_page_hook_page_fault),
		cmocka_unit_test(test_page_hook_page_fault_fetch),
		cmocka_unit_test(test_page_hook_page_fault_no_gla),
		cmocka_unit_test(test_page_hook_review_pf_cr2),
		cmocka_unit_test(test_page_hook_shadow_register),
		cmocka_unit_test(test_page_hook_shadow_views),
		cmocka_unit_test(test_page_hook_shadow_invept_fails),
		cmocka_unit_test(test_page_hook_shadow_rollback),
		cmocka_unit_test(test_page_hook_shadow_start),
		cmocka_unit_test(test_page_hook_exit_cost),
		cmocka_unit_test(test_page_hook_event_allow_once),
		cmocka_unit_test(test_page_hook_event_shadow),
		cmocka_unit_test(test_page_hook_event_fault),
		cmocka_unit_test(test_page_hook_event_fault_ring3),
		cmocka_unit_test(test_page_hook_event_triple_fault),
		cmocka_unit_test(test_page_hook_nmi_unblocking),
		cmocka_unit_test(test_page_hook_nmi_bit_during_delivery),
		cmocka_unit_test(test_page_hook_event_cost),
	};
	return FLANK_RUN_TESTS(tests);
}
