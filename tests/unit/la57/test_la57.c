// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Flank under 5-level paging (CR4.LA57, SDM Vol. 3A 4.5) on the emulated
 * VT-x, the way a 5-level Linux kernel (Ice Lake server, Sapphire Rapids)
 * runs it: its direct map, per-CPU areas and vmalloc space lie at
 * addresses that are canonical only with 57 bits (0xff11..., 0xffa0...).
 * The whole-system cell spr-612-la57 (tests/e2e/bochs-cell.sh) runs the
 * real thing on Bochs; here each piece is pinned where a 4-level
 * assumption would break it:
 *  - the host: start on every CPU with CR4.LA57 set and the per-CPU GS base
 *    at a 5-level address; the VMCS keeps both for the host (HOST_CR4,
 *    HOST_GS_BASE) and the guest, every VM entry passes the emulated
 *    VT-x's checks, a VM exit puts the CPU back in 5-level mode with the
 *    host's GS base, and stop gives every CPU back as it was;
 *  - the guest's WRMSR of a VMCS-resident MSR (IA32_GS_BASE): a 57-bit
 *    canonical value is written, one that is not even 57-bit canonical
 *    is #GP(0), and on a CPU without 5-level paging the 5-level address
 *    is #GP(0) too (SDM Vol. 2B WRMSR; Vol. 3A 3.3.7.1);
 *  - the guest memory helpers of extension modules: inside an exit they
 *    walk the guest's five levels (GUEST_CR4.LA57 from the VMCS) and reach
 *    an address that a 4-level walk calls non-canonical.
 */
#include <stdlib.h>

#include "exits_fixture.h"
#include "flank/vmm_extension.h"
#include "flank/vmm_vmcs_check.h"
#include "hooks.h"

#define NCPUS 2u

/* A per-CPU area in a 5-level direct map (Linux: page_offset_base
 * 0xff11000000000000 without KASLR): canonical with 57 bits, not 48. */
#define GS_BASE_57(cpu)                                                        \
	(UINT64_C(0xff11000012340000) + (uint64_t)(cpu)*0x40000u)
/* Canonical with neither. */
#define NOT_CANONICAL_57 UINT64_C(0x0100000000000000)

#define LSTAR_AT_BOOT UINT64_C(0xffffffff81a00080)

/* True if @p v is canonical for 48-bit linear addresses. */
static bool canonical48(uint64_t v)
{
	return (uint64_t)((int64_t)(v << 16) >> 16) == v;
}

/* True if CPU @p cpu enumerates 5-level paging (CPUID.(7,0):ECX[16]). */
static bool has_la57(unsigned cpu)
{
	struct cpu_cpuid_regs r = {0};
	unsigned prev = mock_current_cpu();

	mock_set_current_cpu(cpu);
	cpu_cpuid(7, 0, &r);
	mock_set_current_cpu(prev);
	return (r.ecx & BIT32(16)) != 0;
}

/* @p ncpus CPUs of @p profile as a 5-level kernel left them: CR4.LA57 and
 * the per-CPU GS base; LOADED, a ring, no hooks, LSTAR as at boot. */
static void la57_up(const char *profile, unsigned ncpus)
{
	fixture_up(profile, ncpus);
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	vmm_console_attach(vmm_ring_init(ring_mem, sizeof(ring_mem)), NULL);
	for (unsigned c = 0; c < ncpus; c++) {
		struct mock_cpu_regs regs;

		assert_true(has_la57(c));
		mock_cpu_get_regs(c, &regs);
		regs.cr4 |= X86_CR4_LA57;
		mock_cpu_set_regs(c, &regs);
		mock_msr_set(c, MSR_IA32_GS_BASE, GS_BASE_57(c));
		mock_msr_set(c, MSR_IA32_LSTAR, LSTAR_AT_BOOT);
	}
}

static void la57_down(void)
{
	if (vmm_state() == FLANK_STATE_RUNNING)
		assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_int_equal(vmm_hooks_clear(), VMM_OK);
	vmm_console_detach();
	fixture_down();
}

/* A VMCS field of CPU @p cpu, read without VMREAD. */
static uint64_t field(unsigned cpu, uint32_t f)
{
	uint64_t v = 0;

	assert_true(mock_vmcs_peek(cpu, f, &v));
	return v;
}

/* What the host saw in VMX root, inside the exit (the hook below), and
 * Flank's own VMCS checker on the CPU's VMCS there (the diagnostic a
 * failed entry gets, flank/vmm_vmcs_check.h). */
static uint64_t root_cr4, root_gs_base;
static unsigned root_calls;
static struct vmm_vmcs_check_result root_check;

static enum vmm_hook_action root_hook(struct vmm_msr_hook_args *a)
{
	(void)a;
	root_cr4 = cpu_read_cr4();
	assert_int_equal(cpu_rdmsr_safe(MSR_IA32_GS_BASE, &root_gs_base),
			 CPU_SAFE_OK);
	(void)vmm_vmcs_check(&root_check);
	root_calls++;
	return VMM_HOOK_ALLOW;
}

/*
 * The host in 5-level mode: start on both CPUs, the VMCS holds CR4.LA57 and
 * the 57-bit GS base for host and guest alike, a VM exit runs the handler
 * in 5-level mode on the host's GS base, and stop restores every CPU
 * (CR4.LA57 and the GS base included).
 */
static void test_la57_host(void **state)
{
	struct mock_exit_outcome out;
	struct cpu_cpuid_regs r;
	uint32_t failed = 0xFFFF;

	(void)state;
	la57_up("sapphire_rapids", NCPUS);
	assert_false(canonical48(GS_BASE_57(0)));
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 1, VMM_MSR_HOOK_WRITE,
					  root_hook),
			 VMM_OK);
	save_all();
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	for (unsigned c = 0; c < NCPUS; c++) {
		assert_int_equal(mock_vmx_mode(c), MOCK_VMX_NONROOT);
		assert_true(mock_last_entry(c)->entered);
		assert_true(field(c, VMCS_HOST_CR4) & X86_CR4_LA57);
		assert_true(field(c, VMCS_GUEST_CR4) & X86_CR4_LA57);
		assert_true(field(c, VMCS_HOST_GS_BASE) == GS_BASE_57(c));
		assert_true(field(c, VMCS_GUEST_GS_BASE) == GS_BASE_57(c));
	}
	/* Exits on each CPU: a CPUID, and a hooked WRMSR whose callback
	 * looks at the host state the exit loaded. */
	for (unsigned c = 0; c < NCPUS; c++) {
		mock_set_current_cpu(c);
		root_cr4 = 0;
		root_gs_base = 0;
		assert_int_equal(mock_guest_cpuid(0, 0, &r, &out), 0);
		assert_emulated(&out, 2);
		assert_int_equal(
			mock_guest_wrmsr(MSR_IA32_LSTAR, LSTAR_AT_BOOT, &out),
			0);
		assert_emulated(&out, 2);
		assert_true(root_cr4 & X86_CR4_LA57);
		assert_true(root_gs_base == GS_BASE_57(c));
		if (root_check.status != VMM_VMCS_CHECK_PASS)
			fail_msg("CPU %u: Flank's VMCS check: %s (field 0x%x, "
				 "value 0x%llx)",
				 c, root_check.rule, root_check.field,
				 (unsigned long long)root_check.value);
		assert_true(field(c, VMCS_GUEST_CR4) & X86_CR4_LA57);
	}
	mock_set_current_cpu(0);
	assert_int_equal(root_calls, NCPUS);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	assert_all_restored();
	for (unsigned c = 0; c < NCPUS; c++) {
		struct mock_cpu_regs regs;
		uint64_t gs = 0;

		mock_cpu_get_regs(c, &regs);
		assert_true(regs.cr4 & X86_CR4_LA57);
		assert_true(mock_msr_get(c, MSR_IA32_GS_BASE, &gs));
		assert_true(gs == GS_BASE_57(c));
	}
	la57_down();
}

/* The guest's WRMSR of IA32_GS_BASE (exit 32, VMCS-resident): canonical
 * for the paging mode of the CPU. */
static void test_la57_guest_gs_base(void **state)
{
	struct mock_exit_outcome out;
	struct intrin_gprs g;
	uint32_t failed = 0;
	uint64_t v = GS_BASE_57(1) + 0x1000;

	(void)state;
	la57_up("sapphire_rapids", 1);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	memset(&g, 0, sizeof(g));
	g.rcx = MSR_IA32_GS_BASE;
	g.rax = (uint32_t)v;
	g.rdx = v >> 32;
	assert_int_equal(exit_any(EXIT_REASON_MSR_WRITE, 0, 2, &g, &out), 0);
	assert_emulated(&out, 2);
	assert_true(peek(VMCS_GUEST_GS_BASE) == v);
	g.rax = (uint32_t)NOT_CANONICAL_57;
	g.rdx = NOT_CANONICAL_57 >> 32;
	assert_int_equal(exit_any(EXIT_REASON_MSR_WRITE, 0, 2, &g, &out), 0);
	assert_fault(&out, X86_VEC_GP);
	assert_true(peek(VMCS_GUEST_GS_BASE) == v);
	la57_down();

	/* A CPU without 5-level paging: the same address is #GP(0). */
	fixture_up("skylake", 1);
	vmm_console_attach(vmm_ring_init(ring_mem, sizeof(ring_mem)), NULL);
	assert_false(has_la57(0));
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	g.rax = (uint32_t)v;
	g.rdx = v >> 32;
	assert_int_equal(exit_any(EXIT_REASON_MSR_WRITE, 0, 2, &g, &out), 0);
	assert_fault(&out, X86_VEC_GP);
	assert_true(peek(VMCS_GUEST_GS_BASE) != v);
	la57_down();
}

/*
 * Guest page tables of a 5-level kernel in emulated physical memory: PML5,
 * PML4, PDPT, PD, PT and a data page. PML5 entry 511 holds what a 4-level
 * kernel's top table would (the kernel image at 0xffffffff8...), entry 273
 * the start of a 5-level direct map (0xff11000000000000, Linux's
 * __PAGE_OFFSET_BASE_L5), both leading to the same lower tables.
 */
#define TABLES_PA UINT64_C(0x7f000000)
#define PML5_PA (TABLES_PA + 0x0000)
#define PML4_PA (TABLES_PA + 0x1000)
#define PDPT_PA (TABLES_PA + 0x2000)
#define PD_PA (TABLES_PA + 0x3000)
#define PT_PA (TABLES_PA + 0x4000)
#define DATA_PA (TABLES_PA + 0x5000)
#define TABLE_BYTES ((size_t)6u * 4096u)
#define P_RW UINT64_C(0x3)

#define GLA(i5, i4, i3, i2, i1, off)                                           \
	(UINT64_C(0xfe00000000000000) | (uint64_t)(i5) << 48 |                 \
	 (uint64_t)(i4) << 39 | (uint64_t)(i3) << 30 | (uint64_t)(i2) << 21 |  \
	 (uint64_t)(i1) << 12 | (uint64_t)(off))
/* 0xff11000000000000 + the page: only a 5-level walk reaches it. */
#define GLA_DIRECT_MAP GLA(273, 0, 0, 0, 0, 0x80)
/* 0xffffffff80000000 + the page: the kernel image's range. */
#define GLA_KERNEL GLA(511, 511, 510, 0, 0, 0x80)

static uint64_t *tables;
static int mem_read_st, mem_write_st, mem_xlate_st, mem_kernel_st;
static uint64_t mem_gpa;
static char mem_text[16];

static uint64_t *table(uint64_t pa)
{
	return tables + (pa - TABLES_PA) / 8u;
}

/* The callback an extension would write: reads, writes and translates
 * the guest's memory at 5-level addresses, then allows the write. */
static enum vmm_hook_action mem_hook(struct vmm_msr_hook_args *a)
{
	static const char mark[] = "LA57";

	(void)a;
	mem_xlate_st = vmm_guest_translate(GLA_DIRECT_MAP, &mem_gpa);
	mem_read_st = vmm_guest_read(GLA_DIRECT_MAP, mem_text, 8);
	mem_write_st =
		vmm_guest_write(GLA_DIRECT_MAP + 0x100, mark, sizeof(mark));
	mem_kernel_st = vmm_guest_read(GLA_KERNEL + 8, mem_text + 8, 7);
	return VMM_HOOK_ALLOW;
}

static void test_la57_guest_memory(void **state)
{
	struct mock_exit_outcome out;
	struct mock_cpu_regs regs;
	uint32_t failed = 0;
	uint64_t gpa = 0;
	char *data;

	(void)state;
	la57_up("sapphire_rapids", 1);
	assert_false(canonical48(GLA_DIRECT_MAP));
	assert_true(GLA_DIRECT_MAP == UINT64_C(0xff11000000000080));
	assert_true(GLA_KERNEL == UINT64_C(0xffffffff80000080));
	assert_int_equal(posix_memalign((void **)&tables, 4096, TABLE_BYTES),
			 0);
	memset(tables, 0, TABLE_BYTES);
	assert_true(pa_addr(mock_mem_map_at(tables, TABLE_BYTES,
					    pa_init(TABLES_PA))) == TABLES_PA);
	table(PML5_PA)[273] = PML4_PA | P_RW;
	table(PML5_PA)[511] = PML4_PA | P_RW;
	table(PML4_PA)[0] = PDPT_PA | P_RW;
	table(PML4_PA)[511] = PDPT_PA | P_RW;
	table(PDPT_PA)[0] = PD_PA | P_RW;
	table(PDPT_PA)[510] = PD_PA | P_RW;
	table(PD_PA)[0] = PT_PA | P_RW;
	table(PT_PA)[0] = DATA_PA | P_RW;
	data = (char *)table(DATA_PA);
	memcpy(data + 0x80, "five-lv level-5", 16);
	mock_cpu_get_regs(0, &regs);
	regs.cr3 = PML5_PA;
	mock_cpu_set_regs(0, &regs);
	/* The same address is not canonical for a 4-level walk. */
	assert_int_equal(
		vmm_guest_translate_cr3(PML5_PA, false, GLA_DIRECT_MAP, &gpa),
		VMM_ERR_GUEST_NONCANONICAL);
	assert_int_equal(vmm_msr_hook_add(MSR_IA32_LSTAR, 1, VMM_MSR_HOOK_WRITE,
					  mem_hook),
			 VMM_OK);
	assert_int_equal(vmm_start_all(&failed), VMM_OK);
	assert_true(peek(VMCS_GUEST_CR3) == PML5_PA);
	assert_true(peek(VMCS_GUEST_CR4) & X86_CR4_LA57);
	assert_int_equal(mock_guest_wrmsr(MSR_IA32_LSTAR, LSTAR_AT_BOOT, &out),
			 0);
	assert_emulated(&out, 2);
	assert_int_equal(mem_xlate_st, VMM_OK);
	assert_true(mem_gpa == (DATA_PA | 0x80));
	assert_int_equal(mem_read_st, VMM_OK);
	assert_int_equal(mem_kernel_st, VMM_OK);
	mem_text[15] = '\0';
	assert_string_equal(mem_text, "five-lv level-5");
	assert_int_equal(mem_write_st, VMM_OK);
	assert_string_equal(data + 0x180, "LA57");
	assert_int_equal(tp.phys_wrong, 0);
	assert_int_equal(vmm_stop_all(), VMM_OK);
	mock_mem_unmap(tables);
	free(tables);
	tables = NULL;
	la57_down();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_la57_host),
		cmocka_unit_test(test_la57_guest_gs_base),
		cmocka_unit_test(test_la57_guest_memory),
	};

	(void)exits_up;
	(void)exits_down;
	return FLANK_RUN_TESTS(tests);
}
