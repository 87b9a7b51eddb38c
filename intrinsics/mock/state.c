// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The emulated machine: N CPUs of one profile, their register state, MSR
 * files and CPUID tables, and the VMCSs by physical address.
 *
 * Initial state is what Linux x86-64 (6.1) leaves a CPU in when a module
 * runs: 64-bit mode with paging, CPL 0, kernel CS 0x10 (L=1) and SS 0x18,
 * a busy 64-bit TSS at 0x40, a null LDTR, the default PAT, SYSCALL/SYSENTER
 * MSRs set up, DR7 at its reset value 0x400 and RFLAGS 0x246. CR4.VMXE is
 * clear: VMX is the VMM's to enable.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mock_internal.h"

struct mock_machine mock_machine;

struct mock_cpu *mock_cur(void)
{
	if (!mock_machine.cpu) {
		fprintf(stderr,
			"flank mock: intrinsic called before mock_init()\n");
		abort();
	}
	return &mock_machine.cpu[mock_machine.current];
}

static struct mock_cpu *cpu_at(unsigned cpu)
{
	if (!mock_machine.cpu || cpu >= mock_machine.ncpus) {
		fprintf(stderr, "flank mock: no CPU %u\n", cpu);
		abort();
	}
	return &mock_machine.cpu[cpu];
}

/* ------------------------------------------------------------------ MSRs */

struct mock_msr *mock_msr_find(struct mock_cpu *cpu, uint32_t index)
{
	for (unsigned i = 0; i < cpu->msr_count; i++) {
		if (cpu->msr[i].index == index)
			return cpu->msr[i].present ? &cpu->msr[i] : NULL;
	}
	return NULL;
}

static struct mock_msr *msr_slot(struct mock_cpu *cpu, uint32_t index)
{
	for (unsigned i = 0; i < cpu->msr_count; i++) {
		if (cpu->msr[i].index == index)
			return &cpu->msr[i];
	}
	if (cpu->msr_count == MOCK_MAX_MSRS) {
		fprintf(stderr, "flank mock: MSR file full\n");
		abort();
	}
	struct mock_msr *m = &cpu->msr[cpu->msr_count++];
	memset(m, 0, sizeof(*m));
	m->index = index;
	return m;
}

void mock_msr_put(struct mock_cpu *cpu, uint32_t msr, uint64_t value)
{
	struct mock_msr *m = msr_slot(cpu, msr);

	m->present = true;
	m->value = value;
	if (msr >= MSR_IA32_VMX_BASIC && msr <= MSR_IA32_VMX_PROCBASED_CTLS3)
		cpu->feat_valid = false;
	if (msr == MSR_IA32_FS_BASE)
		cpu->regs.seg[MOCK_SEG_FS].base = value;
	if (msr == MSR_IA32_GS_BASE)
		cpu->regs.seg[MOCK_SEG_GS].base = value;
}

uint64_t mock_msr_value(const struct mock_cpu *cpu, uint32_t index)
{
	if (index == MSR_IA32_FS_BASE)
		return cpu->regs.seg[MOCK_SEG_FS].base;
	if (index == MSR_IA32_GS_BASE)
		return cpu->regs.seg[MOCK_SEG_GS].base;
	for (unsigned i = 0; i < cpu->msr_count; i++) {
		if (cpu->msr[i].index == index)
			return cpu->msr[i].present ? cpu->msr[i].value : 0;
	}
	return 0;
}

uint64_t mock_efer(const struct mock_cpu *cpu)
{
	return mock_msr_value(cpu, MSR_IA32_EFER);
}

bool mock_in_64bit(const struct mock_cpu *cpu)
{
	return (mock_efer(cpu) & X86_EFER_LMA) &&
	       (cpu->regs.seg[MOCK_SEG_CS].ar & AR_L);
}

static void for_cpus(unsigned cpu, void (*fn)(struct mock_cpu *, void *),
		     void *arg)
{
	if (cpu == MOCK_ALL_CPUS) {
		for (unsigned i = 0; i < mock_machine.ncpus; i++)
			fn(&mock_machine.cpu[i], arg);
	} else {
		fn(cpu_at(cpu), arg);
	}
}

struct msr_arg {
	uint32_t msr;
	uint64_t value;
	bool rd, wr;
};

static void do_msr_set(struct mock_cpu *c, void *p)
{
	struct msr_arg *a = p;
	mock_msr_put(c, a->msr, a->value);
}

void mock_msr_set(unsigned cpu, uint32_t msr, uint64_t value)
{
	struct msr_arg a = {.msr = msr, .value = value};
	for_cpus(cpu, do_msr_set, &a);
}

void mock_feature_control_set(unsigned cpu, uint64_t value)
{
	mock_msr_set(cpu, MSR_IA32_FEATURE_CONTROL, value);
}

bool mock_msr_get(unsigned cpu, uint32_t msr, uint64_t *value)
{
	struct mock_cpu *c = cpu_at(cpu);

	if (!mock_msr_find(c, msr))
		return false;
	*value = mock_msr_value(c, msr);
	return true;
}

static void do_msr_gp(struct mock_cpu *c, void *p)
{
	struct msr_arg *a = p;
	struct mock_msr *m = msr_slot(c, a->msr);
	m->gp_read = a->rd;
	m->gp_write = a->wr;
}

void mock_msr_gp(unsigned cpu, uint32_t msr, bool on_read, bool on_write)
{
	struct msr_arg a = {.msr = msr, .rd = on_read, .wr = on_write};
	for_cpus(cpu, do_msr_gp, &a);
}

static void do_msr_remove(struct mock_cpu *c, void *p)
{
	struct msr_arg *a = p;
	struct mock_msr *m = msr_slot(c, a->msr);
	m->present = false;
	c->feat_valid = false;
}

void mock_msr_remove(unsigned cpu, uint32_t msr)
{
	struct msr_arg a = {.msr = msr};
	for_cpus(cpu, do_msr_remove, &a);
}

/* ----------------------------------------------------------------- CPUID */

static struct mock_cpuid_entry *cpuid_slot(struct mock_cpu *cpu, uint32_t leaf,
					   uint32_t subleaf, bool create)
{
	for (unsigned i = 0; i < cpu->cpuid_count; i++) {
		if (cpu->cpuid[i].leaf == leaf &&
		    cpu->cpuid[i].subleaf == subleaf)
			return &cpu->cpuid[i];
	}
	if (!create)
		return NULL;
	if (cpu->cpuid_count == MOCK_MAX_CPUID) {
		fprintf(stderr, "flank mock: CPUID table full\n");
		abort();
	}
	struct mock_cpuid_entry *e = &cpu->cpuid[cpu->cpuid_count++];
	memset(e, 0, sizeof(*e));
	e->leaf = leaf;
	e->subleaf = subleaf;
	return e;
}

/* Leaves whose answer depends on ECX; the others ignore the subleaf. */
static bool leaf_has_subleaves(uint32_t leaf)
{
	return leaf == 4 || leaf == 7 || leaf == 0xB || leaf == 0xD ||
	       leaf == 0xF || leaf == 0x10 || leaf == 0x12 || leaf == 0x14 ||
	       leaf == 0x17 || leaf == 0x18 || leaf == 0x1F;
}

static bool table_lookup(const struct mock_cpu *cpu, uint32_t leaf,
			 uint32_t subleaf, struct cpu_cpuid_regs *out)
{
	if (!leaf_has_subleaves(leaf))
		subleaf = 0;
	for (unsigned i = 0; i < cpu->cpuid_count; i++) {
		if (cpu->cpuid[i].leaf == leaf &&
		    cpu->cpuid[i].subleaf == subleaf) {
			*out = cpu->cpuid[i].regs;
			return true;
		}
	}
	return false;
}

/*
 * CPUID range semantics (SDM Vol. 2A CPUID, "If a value entered for
 * CPUID.EAX is higher than the maximum input value for basic or extended
 * function for that processor then the data for the highest basic
 * information leaf is returned"). Leaves within range that the table does
 * not list are reserved and read as zeros. The hypervisor range
 * 0x40000000-0x4FFFFFFF is not implemented by bare metal, so it answers
 * like any out-of-range leaf. Dynamic bits: OSXSAVE mirrors CR4.OSXSAVE,
 * the initial APIC ID is the CPU number.
 */
void mock_cpuid_query(const struct mock_cpu *cpu, uint32_t leaf,
		      uint32_t subleaf, struct cpu_cpuid_regs *out)
{
	struct cpu_cpuid_regs l0 = {0}, x0 = {0};
	bool have_l0 = table_lookup(cpu, 0, 0, &l0);
	bool have_x0 = table_lookup(cpu, 0x80000000u, 0, &x0);
	uint32_t max_basic = have_l0 ? l0.eax : 0;
	uint32_t max_ext = have_x0 ? x0.eax : 0;
	bool in_range;

	if (leaf >= 0x80000000u)
		in_range = have_x0 && leaf <= max_ext;
	else
		in_range = have_l0 && leaf <= max_basic && leaf < 0x40000000u;
	if (!in_range) {
		leaf = max_basic;
		subleaf = 0;
	}
	memset(out, 0, sizeof(*out));
	(void)table_lookup(cpu, leaf, subleaf, out);
	if (leaf == 1) {
		out->ebx = (out->ebx & 0x00FFFFFFu) | (cpu->id << 24);
		out->ecx &= ~X86_CPUID1_ECX_OSXSAVE;
		if ((out->ecx & X86_CPUID1_ECX_XSAVE) &&
		    (cpu->regs.cr4 & X86_CR4_OSXSAVE))
			out->ecx |= X86_CPUID1_ECX_OSXSAVE;
	}
}

struct cpuid_arg {
	uint32_t leaf, subleaf;
	const struct cpu_cpuid_regs *regs;
	enum mock_cpuid_reg reg;
	uint32_t clear, set;
};

static void do_cpuid_set(struct mock_cpu *c, void *p)
{
	struct cpuid_arg *a = p;
	cpuid_slot(c, a->leaf, a->subleaf, true)->regs = *a->regs;
}

void mock_cpuid_set(unsigned cpu, uint32_t leaf, uint32_t subleaf,
		    const struct cpu_cpuid_regs *regs)
{
	struct cpuid_arg a = {.leaf = leaf, .subleaf = subleaf, .regs = regs};
	for_cpus(cpu, do_cpuid_set, &a);
}

static void do_cpuid_change(struct mock_cpu *c, void *p)
{
	struct cpuid_arg *a = p;
	struct mock_cpuid_entry *e = cpuid_slot(c, a->leaf, a->subleaf, true);
	uint32_t *r = a->reg == MOCK_EAX   ? &e->regs.eax
		      : a->reg == MOCK_EBX ? &e->regs.ebx
		      : a->reg == MOCK_ECX ? &e->regs.ecx
					   : &e->regs.edx;
	*r = (*r & ~a->clear) | a->set;
}

void mock_cpuid_change_bits(unsigned cpu, uint32_t leaf, uint32_t subleaf,
			    enum mock_cpuid_reg reg, uint32_t clear,
			    uint32_t set)
{
	struct cpuid_arg a = {.leaf = leaf,
			      .subleaf = subleaf,
			      .reg = reg,
			      .clear = clear,
			      .set = set};
	for_cpus(cpu, do_cpuid_change, &a);
}

static void do_cpuid_remove(struct mock_cpu *c, void *p)
{
	struct cpuid_arg *a = p;
	unsigned j = 0;

	for (unsigned i = 0; i < c->cpuid_count; i++) {
		if (c->cpuid[i].leaf != a->leaf)
			c->cpuid[j++] = c->cpuid[i];
	}
	c->cpuid_count = j;
	/* Lower the maximum so that the leaf answers like one beyond it. */
	uint32_t basic = a->leaf < 0x80000000u ? 0 : 0x80000000u;
	struct mock_cpuid_entry *max = cpuid_slot(c, basic, 0, false);
	if (max && a->leaf != basic && max->regs.eax == a->leaf)
		max->regs.eax = a->leaf - 1;
}

void mock_cpuid_remove(unsigned cpu, uint32_t leaf)
{
	struct cpuid_arg a = {.leaf = leaf};
	for_cpus(cpu, do_cpuid_remove, &a);
}

/* ------------------------------------------------------- initial state */

static void set_seg(struct mock_cpu *c, enum mock_seg s, uint16_t sel,
		    uint64_t base, uint32_t limit, uint32_t ar)
{
	c->regs.seg[s].selector = sel;
	c->regs.seg[s].base = base;
	c->regs.seg[s].limit = limit;
	c->regs.seg[s].ar = ar;
}

/* Linux's GDT (arch/x86/include/asm/segment.h GDT_ENTRY_* layout). */
static void init_gdt(struct mock_cpu *c, uint64_t tss_base)
{
	memset(c->gdt, 0, sizeof(c->gdt));
	c->gdt[1] = UINT64_C(0x00cf9b000000ffff); /* KERNEL32_CS 0x08 */
	c->gdt[2] = UINT64_C(0x00af9b000000ffff); /* KERNEL_CS 0x10, L=1 */
	c->gdt[3] = UINT64_C(0x00cf93000000ffff); /* KERNEL_DS 0x18 */
	c->gdt[4] = UINT64_C(0x00cffb000000ffff); /* USER32_CS 0x23 */
	c->gdt[5] = UINT64_C(0x00cff3000000ffff); /* USER_DS 0x2b */
	c->gdt[6] = UINT64_C(0x00affb000000ffff); /* USER_CS 0x33 */
	/* TSS 0x40: limit 0x206f, type 11 (busy), P=1, 16 bytes. */
	c->gdt[8] = UINT64_C(0x206f) | ((tss_base & 0xFFFFFFu) << 16) |
		    (UINT64_C(0x8b) << 40) | ((tss_base >> 24) & 0xFF) << 56;
	c->gdt[9] = tss_base >> 32;
}

static void init_cpu(struct mock_cpu *c, unsigned id,
		     const struct mock_profile *p)
{
	uint64_t gdt_base =
		UINT64_C(0xfffffe0000001000) + (uint64_t)id * 0x3b000u;
	uint64_t tss_base = gdt_base + 0x2000u;
	struct cpu_cpuid_regs r1, r7, rx1;

	memset(c, 0, sizeof(*c));
	c->id = id;
	c->current_ptr = UINT64_MAX;
	c->vmxon_ptr = UINT64_MAX;
	for (unsigned i = 0; i < p->cpuid_count; i++)
		c->cpuid[c->cpuid_count++] = p->cpuid[i];
	for (unsigned i = 0; i < p->msr_count; i++)
		mock_msr_put(c, p->msrs[i].index, p->msrs[i].value);
	for (unsigned i = 0; i < p->mtrr_count; i++)
		mock_msr_put(c, p->mtrrs[i].index, p->mtrrs[i].value);

	mock_cpuid_query(c, 1, 0, &r1);
	mock_cpuid_query(c, 7, 0, &r7);
	mock_cpuid_query(c, 0x80000001u, 0, &rx1);

	c->regs.cr0 = X86_CR0_PE | X86_CR0_MP | X86_CR0_ET | X86_CR0_NE |
		      X86_CR0_WP | X86_CR0_AM | X86_CR0_PG;
	c->regs.cr3 = UINT64_C(0x2c0a000);
	c->regs.cr4 = X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |
		      X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
	if (r7.ebx & BIT32(0))
		c->regs.cr4 |= X86_CR4_FSGSBASE;
	if (r1.ecx & BIT32(17))
		c->regs.cr4 |= X86_CR4_PCIDE;
	if (r1.ecx & X86_CPUID1_ECX_XSAVE) {
		c->regs.cr4 |= X86_CR4_OSXSAVE;
		c->regs.xcr0 = 0x7; /* x87, SSE, AVX: what Linux 6.1 enables */
		struct cpu_cpuid_regs d0;
		mock_cpuid_query(c, 0xD, 0, &d0);
		c->regs.xcr0 &= d0.eax;
	}
	if (r7.ebx & BIT32(7))
		c->regs.cr4 |= X86_CR4_SMEP;
	if (r7.ebx & BIT32(20))
		c->regs.cr4 |= X86_CR4_SMAP;
	c->regs.dr7 = 0x400;
	c->regs.rflags = 0x246;
	c->regs.cpl = 0;
	set_seg(c, MOCK_SEG_CS, 0x10, 0, 0xFFFFFFFFu,
		0xB | AR_S | AR_P | AR_L | AR_G);
	set_seg(c, MOCK_SEG_SS, 0x18, 0, 0xFFFFFFFFu,
		0x3 | AR_S | AR_P | AR_DB | AR_G);
	set_seg(c, MOCK_SEG_DS, 0, 0, 0, AR_UNUSABLE);
	set_seg(c, MOCK_SEG_ES, 0, 0, 0, AR_UNUSABLE);
	set_seg(c, MOCK_SEG_FS, 0, 0, 0, AR_UNUSABLE);
	set_seg(c, MOCK_SEG_GS, 0, 0, 0, AR_UNUSABLE);
	set_seg(c, MOCK_SEG_LDTR, 0, 0, 0, AR_UNUSABLE);
	set_seg(c, MOCK_SEG_TR, 0x40, tss_base, 0x206f, 0xB | AR_P);
	c->regs.gdtr.base = gdt_base;
	c->regs.gdtr.limit = 0x7f;
	c->regs.idtr.base = UINT64_C(0xfffffe0000000000);
	c->regs.idtr.limit = 0xfff;
	init_gdt(c, tss_base);
	c->rip = UINT64_C(0xffffffffc0a01000);
	c->rsp = UINT64_C(0xffffc90000a3fe00) + (uint64_t)id * 0x4000u;

	mock_msr_put(c, MSR_IA32_TSC, UINT64_C(0x12fdb64facbdf));
	mock_msr_put(c, MSR_IA32_APIC_BASE,
		     UINT64_C(0xfee00800) | (id == 0 ? BIT64(8) : 0));
	mock_msr_put(c, MSR_IA32_BIOS_SIGN_ID, UINT64_C(0xc600000000));
	mock_msr_put(c, MSR_IA32_SYSENTER_CS, 0x10);
	mock_msr_put(c, MSR_IA32_SYSENTER_ESP, tss_base + 4);
	mock_msr_put(c, MSR_IA32_SYSENTER_EIP, UINT64_C(0xffffffff81a01a60));
	mock_msr_put(c, MSR_IA32_DEBUGCTL, 0);
	mock_msr_put(c, MSR_IA32_PAT, UINT64_C(0x0007040600070406));
	mock_msr_put(c, MSR_IA32_SMM_MONITOR_CTL, 0);
	mock_msr_put(c, MSR_IA32_EFER,
		     X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA |
			     ((rx1.edx & BIT32(20)) ? X86_EFER_NXE : 0));
	mock_msr_put(c, MSR_IA32_STAR, UINT64_C(0x0023001000000000));
	mock_msr_put(c, MSR_IA32_LSTAR, UINT64_C(0xffffffff81a00080));
	mock_msr_put(c, MSR_IA32_CSTAR, UINT64_C(0xffffffff81a01800));
	mock_msr_put(c, MSR_IA32_FMASK, 0x47700);
	mock_msr_put(c, MSR_IA32_FS_BASE, 0);
	mock_msr_put(c, MSR_IA32_GS_BASE,
		     UINT64_C(0xffff88807fc00000) + (uint64_t)id * 0x40000u);
	mock_msr_put(c, MSR_IA32_KERNEL_GS_BASE, 0);
	if (rx1.edx & X86_CPUIDX1_EDX_RDTSCP)
		mock_msr_put(c, MSR_IA32_TSC_AUX, id);
	/* Architectural perfmon v2+ (CPUID.0AH:EAX[7:0] >= 2). */
	struct cpu_cpuid_regs ra;
	mock_cpuid_query(c, 0xA, 0, &ra);
	if ((ra.eax & 0xFF) >= 2)
		mock_msr_put(c, MSR_IA32_PERF_GLOBAL_CTRL, 0);
	/* IA32_SPEC_CTRL exists with any of its bits (SDM Vol. 4 2-2). */
	if (r7.edx &
	    (X86_CPUID7_EDX_IBRS | X86_CPUID7_EDX_STIBP | X86_CPUID7_EDX_SSBD))
		mock_msr_put(c, MSR_IA32_SPEC_CTRL, 0);
	struct cpu_cpuid_regs d1;
	mock_cpuid_query(c, 0xD, 1, &d1);
	if (d1.eax & X86_CPUIDD1_EAX_XSAVES)
		mock_msr_put(c, MSR_IA32_XSS, 0);
}

static unsigned width_of(const struct mock_profile *p)
{
	for (unsigned i = 0; i < p->cpuid_count; i++) {
		if (p->cpuid[i].leaf == 0x80000008u)
			return p->cpuid[i].regs.eax & 0xFF;
	}
	return 36; /* SDM Vol. 2A CPUID: 36 bits without leaf 80000008H */
}

int mock_init(const char *profile, unsigned ncpus)
{
	const struct mock_profile *p = mock_profile_find(profile);

	if (!p || ncpus < 1 || ncpus > MOCK_MAX_CPUS)
		return -1;
	mock_fini();
	mock_machine.cpu = calloc(ncpus, sizeof(*mock_machine.cpu));
	if (!mock_machine.cpu)
		return -1;
	mock_machine.profile = p;
	mock_machine.ncpus = ncpus;
	mock_machine.current = 0;
	mock_machine.phys_width = width_of(p);
	mock_machine.unmapped_byte = p->unmapped_byte;
	for (unsigned i = 0; i < ncpus; i++)
		init_cpu(&mock_machine.cpu[i], i, p);
	return 0;
}

void mock_fini(void)
{
	struct mock_vmcs *v = mock_machine.vmcs_list;

	while (v) {
		struct mock_vmcs *next = v->next;
		free(v);
		v = next;
	}
	mock_index_free(&mock_machine.vmcs_by_pa);
	free(mock_machine.cpu);
	memset(&mock_machine, 0, sizeof(mock_machine));
	mock_faults_reset();
	mock_mem_reset();
	mock_io_reset();
}

const char *mock_profile_name(void)
{
	return mock_machine.profile ? mock_machine.profile->name : NULL;
}

unsigned mock_cpu_count(void)
{
	return mock_machine.ncpus;
}

void mock_set_current_cpu(unsigned cpu)
{
	(void)cpu_at(cpu);
	mock_machine.current = cpu;
}

unsigned mock_current_cpu(void)
{
	return mock_machine.current;
}

unsigned mock_phys_addr_width(void)
{
	return mock_machine.phys_width;
}

/*
 * MAXPHYADDR is what CPUID.80000008H:EAX[7:0] reports (SDM Vol. 2A CPUID,
 * Vol. 3A 4.1.4), at most 52 (Vol. 3A 4.1.4: "MAXPHYADDR is at most 52");
 * 32 is the least a CPU with PAE or IA-32e paging can have.
 */
int mock_set_phys_addr_width(unsigned bits)
{
	if (bits < 32 || bits > 52 ||
	    mock_mem_highest() > (UINT64_C(1) << bits))
		return -1;
	mock_machine.phys_width = bits;
	for (unsigned i = 0; i < mock_machine.ncpus; i++)
		mock_cpuid_change_bits(i, 0x80000008u, 0, MOCK_EAX, 0xFFu,
				       bits);
	return 0;
}

void mock_set_unmapped_byte(uint8_t byte)
{
	mock_machine.unmapped_byte = byte;
}

bool mock_pa_too_wide(uint64_t pa)
{
	unsigned w = mock_machine.phys_width;
	return w < 64 && (pa >> w) != 0;
}

bool mock_is_canonical(uint64_t la)
{
	const struct mock_cpu *c = mock_cur();
	unsigned bits = (c->regs.cr4 & X86_CR4_LA57) ? 57 : 48;
	int64_t s = (int64_t)(la << (64 - bits)) >> (64 - bits);
	return (uint64_t)s == la;
}

void mock_cpu_get_regs(unsigned cpu, struct mock_cpu_regs *out)
{
	*out = cpu_at(cpu)->regs;
}

void mock_cpu_set_regs(unsigned cpu, const struct mock_cpu_regs *regs)
{
	cpu_at(cpu)->regs = *regs;
}

enum mock_vmx_mode mock_vmx_mode(unsigned cpu)
{
	return cpu_at(cpu)->vmx;
}

const char *mock_last_vmx_rule(unsigned cpu)
{
	return cpu_at(cpu)->last_rule;
}

bool mock_cpu_parked(unsigned cpu)
{
	return cpu_at(cpu)->parked;
}

bool mock_cpu_in_shutdown(unsigned cpu)
{
	const struct mock_cpu *c = cpu_at(cpu);

	return c->vmx == MOCK_VMX_OUTSIDE && c->activity == ACTIVITY_SHUTDOWN;
}

uint64_t mock_cpu_rip(unsigned cpu)
{
	return cpu_at(cpu)->rip;
}

uint64_t mock_cpu_rsp(unsigned cpu)
{
	return cpu_at(cpu)->rsp;
}

void mock_cpu_set_rsp(unsigned cpu, uint64_t rsp)
{
	cpu_at(cpu)->rsp = rsp;
}

void mock_cpu_set_mov_ss_blocking(unsigned cpu, bool on)
{
	cpu_at(cpu)->blocked_by_mov_ss = on;
}

void mock_guest_set_cpl(unsigned cpu, unsigned cpl)
{
	struct mock_cpu *c = cpu_at(cpu);

	c->guest_cpl = cpl & 3;
	if (c->vmx == MOCK_VMX_NONROOT)
		c->regs.cpl = cpl & 3;
}

const struct mock_entry_verdict *mock_last_entry(unsigned cpu)
{
	return &cpu_at(cpu)->last_entry;
}

void mock_gdt_set(unsigned cpu, unsigned index, uint64_t descriptor)
{
	if (index < MOCK_GDT_ENTRIES)
		cpu_at(cpu)->gdt[index] = descriptor;
}

uint64_t mock_gdt_get(unsigned cpu, unsigned index)
{
	return index < MOCK_GDT_ENTRIES ? cpu_at(cpu)->gdt[index] : 0;
}

/* ----------------------------------------------------------------- VMCSs */

/*
 * The VMCSs are a list (walked by VMXOFF, mock_fini, mock_vmcs_tracked) and
 * an index by address: a search of the list on each VMPTRLD/VMCLEAR, and a
 * walk of it on each unmap, made a start and a stop on N CPUs quadratic
 * (issue 14). A VMCS's address is 4 KiB aligned (VMCLEAR and VMPTRLD refuse
 * others before they create one), as the index wants.
 */
struct mock_vmcs *mock_vmcs_find(uint64_t pa)
{
	return mock_index_get(&mock_machine.vmcs_by_pa, pa);
}

struct mock_vmcs *mock_vmcs_get_or_create(uint64_t pa)
{
	struct mock_vmcs *v = mock_vmcs_find(pa);

	if (v)
		return v;
	v = calloc(1, sizeof(*v));
	if (!v) {
		fprintf(stderr, "flank mock: out of memory\n");
		abort();
	}
	v->pa = pa;
	/* SDM Vol. 3C 25.11.3: the processor reads the VMCS data from its
	 * region (written there by VMCLEAR) when it makes it active. */
	mock_vmcs_load_region(v);
	v->next = mock_machine.vmcs_list;
	if (v->next)
		v->next->prev = v;
	mock_machine.vmcs_list = v;
	mock_index_put(&mock_machine.vmcs_by_pa, pa, v);
	return v;
}

void mock_vmcs_set_current(struct mock_cpu *c, uint64_t pa)
{
	struct mock_vmcs *old = c->current_ptr == UINT64_MAX
					? NULL
					: mock_vmcs_find(c->current_ptr);

	if (old)
		old->current_on--;
	c->current_ptr = pa;
	c->cur_vmcs = pa == UINT64_MAX ? NULL : mock_vmcs_get_or_create(pa);
	if (c->cur_vmcs)
		c->cur_vmcs->current_on++;
}

void mock_vmcs_set_active(struct mock_vmcs *v, struct mock_cpu *c)
{
	if (v->active_on != 0)
		mock_machine.cpu[v->active_on - 1u].nactive--;
	v->active_on = c ? c->id + 1u : 0;
	if (c)
		c->nactive++;
}

/*
 * True if some CPU has @p v active or current (it may still write it).
 * Counts, not a loop over the CPUs: each unmap asks (issue 14).
 */
static bool vmcs_in_use(const struct mock_vmcs *v)
{
	return v->active_on != 0 || v->current_on != 0;
}

/*
 * Without this, every VMCS a test ever used stayed in the list, and the
 * list is searched on each VMPTRLD/VMCLEAR and walked on each VMXOFF: a
 * fuzzer that restarts the VMM a few hundred thousand times became
 * quadratic (the 100,000-exit run took 131 s).
 */
void mock_vmcs_drop(struct mock_vmcs *v)
{
	if (v->prev)
		v->prev->next = v->next;
	else
		mock_machine.vmcs_list = v->next;
	if (v->next)
		v->next->prev = v->prev;
	mock_index_del(&mock_machine.vmcs_by_pa, v->pa);
	free(v);
}

void mock_vmcs_forget_range(uint64_t pa, size_t size)
{
	/* VMCSs are 4 KiB aligned: one lookup per page of the range. */
	for (uint64_t off = (0x1000 - (pa & 0xFFF)) & 0xFFF; off < size;
	     off += 0x1000) {
		struct mock_vmcs *v = mock_vmcs_find(pa + off);

		if (v && !vmcs_in_use(v))
			mock_vmcs_drop(v);
	}
}

size_t mock_vmcs_tracked(void)
{
	size_t n = 0;

	for (const struct mock_vmcs *v = mock_machine.vmcs_list; v != NULL;
	     v = v->next)
		n++;
	return n;
}

struct mock_vmcs *mock_current_vmcs(struct mock_cpu *cpu)
{
	if (cpu->current_ptr == UINT64_MAX)
		return NULL;
	if (!cpu->cur_vmcs || cpu->cur_vmcs->pa != cpu->current_ptr)
		cpu->cur_vmcs = mock_vmcs_get_or_create(cpu->current_ptr);
	return cpu->cur_vmcs;
}

/* --------------------------------------------------------------- snapshot */

struct mock_cpu_snapshot {
	struct mock_cpu cpu;
};

struct mock_cpu_snapshot *mock_cpu_snapshot(unsigned cpu)
{
	struct mock_cpu_snapshot *s = malloc(sizeof(*s));

	if (s)
		s->cpu = *cpu_at(cpu);
	return s;
}

void mock_cpu_snapshot_free(struct mock_cpu_snapshot *snap)
{
	free(snap);
}

static bool seg_equal(const struct mock_segment *a,
		      const struct mock_segment *b)
{
	return a->selector == b->selector && a->base == b->base &&
	       a->limit == b->limit && a->ar == b->ar;
}

bool mock_cpu_snapshot_equal(const struct mock_cpu_snapshot *snap, unsigned cpu,
			     char *why, size_t why_size)
{
	const struct mock_cpu *a = &snap->cpu;
	struct mock_cpu *b = cpu_at(cpu);
	static const char *const seg_names[] = {"ES", "CS", "SS",   "DS",
						"FS", "GS", "LDTR", "TR"};
#define DIFF(cond, ...)                                                        \
	do {                                                                   \
		if (cond) {                                                    \
			if (why && why_size)                                   \
				snprintf(why, why_size, __VA_ARGS__);          \
			return false;                                          \
		}                                                              \
	} while (0)

	DIFF(b->vmx != MOCK_VMX_OUTSIDE, "CPU %u still in VMX operation", cpu);
#define REG(r)                                                                 \
	DIFF(a->regs.r != b->regs.r, #r ": was 0x%llx, now 0x%llx",            \
	     (unsigned long long)a->regs.r, (unsigned long long)b->regs.r)
	REG(cr0);
	REG(cr3);
	REG(cr4);
	REG(cr8);
	REG(dr7);
	REG(rflags);
	REG(xcr0);
	REG(cpl);
	REG(gdtr.base);
	REG(gdtr.limit);
	REG(idtr.base);
	REG(idtr.limit);
#undef REG
	for (unsigned s = 0; s < MOCK_SEG_COUNT; s++) {
		DIFF(!seg_equal(&a->regs.seg[s], &b->regs.seg[s]),
		     "%s: was sel 0x%x base 0x%llx limit 0x%x ar 0x%x, now "
		     "sel 0x%x base 0x%llx limit 0x%x ar 0x%x",
		     seg_names[s], a->regs.seg[s].selector,
		     (unsigned long long)a->regs.seg[s].base,
		     a->regs.seg[s].limit, a->regs.seg[s].ar,
		     b->regs.seg[s].selector,
		     (unsigned long long)b->regs.seg[s].base,
		     b->regs.seg[s].limit, b->regs.seg[s].ar);
	}
	for (unsigned i = 0; i < a->msr_count; i++) {
		const struct mock_msr *m = &a->msr[i];
		struct mock_msr *n = mock_msr_find(b, m->index);
		DIFF(m->present && !n, "MSR 0x%x disappeared", m->index);
		DIFF(m->present && n->value != m->value &&
			     m->index != MSR_IA32_TSC,
		     "MSR 0x%x: was 0x%llx, now 0x%llx", m->index,
		     (unsigned long long)m->value,
		     (unsigned long long)n->value);
	}
	for (unsigned i = 0; i < b->msr_count; i++) {
		const struct mock_msr *n = &b->msr[i];
		DIFF(n->present &&
			     !mock_msr_find((struct mock_cpu *)a, n->index),
		     "MSR 0x%x appeared", n->index);
	}
#undef DIFF
	return true;
}

bool mock_vmcs_peek(unsigned cpu, uint32_t field, uint64_t *value)
{
	struct mock_vmcs *v = mock_current_vmcs(cpu_at(cpu));

	if (!v)
		return false;
	*value = mock_vmcs_get(v, field);
	return true;
}

bool mock_vmcs_poke(unsigned cpu, uint32_t field, uint64_t value)
{
	struct mock_vmcs *v = mock_current_vmcs(cpu_at(cpu));

	if (!v)
		return false;
	mock_vmcs_set(v, field, value);
	return true;
}

/* ------------------------------------------------------------------ GS log */

static void gs_values(const struct mock_cpu *c, uint64_t *gs, uint64_t *kgs)
{
	*gs = mock_msr_value(c, MSR_IA32_GS_BASE);
	*kgs = mock_msr_value(c, MSR_IA32_KERNEL_GS_BASE);
}

void mock_gs_note(struct mock_cpu *c, const char *what)
{
	uint64_t gs, kgs;

	if (!c->gs_log_on)
		return;
	gs_values(c, &gs, &kgs);
	if (gs == c->gs_last && kgs == c->kgs_last)
		return;
	c->gs_last = gs;
	c->kgs_last = kgs;
	if (c->gs_log_len == MOCK_GS_LOG_MAX) {
		c->gs_log_lost = true;
		return;
	}
	c->gs_log[c->gs_log_len++] = (struct mock_gs_event){
		.what = what, .gs_base = gs, .kernel_gs_base = kgs};
}

void mock_gs_log_clear(unsigned cpu)
{
	struct mock_cpu *c = &mock_machine.cpu[cpu];

	c->gs_log_on = true;
	c->gs_log_lost = false;
	c->gs_log_len = 0;
	gs_values(c, &c->gs_last, &c->kgs_last);
}

size_t mock_gs_log_len(unsigned cpu)
{
	return mock_machine.cpu[cpu].gs_log_len;
}

const struct mock_gs_event *mock_gs_log_at(unsigned cpu, size_t i)
{
	const struct mock_cpu *c = &mock_machine.cpu[cpu];

	return i < c->gs_log_len ? &c->gs_log[i] : NULL;
}

bool mock_gs_log_lost(unsigned cpu)
{
	return mock_machine.cpu[cpu].gs_log_lost;
}
