// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flank_diff.ko: the guest side of the differential campaign
 * (docs/differential.md). Test-only: never shipped, never installed.
 *
 * Loaded in a Bochs guest, it enters VMX operation on its CPU with its own
 * VMXON region and inline assembly (not libvmm), builds a valid VMCS from
 * the running kernel's state (guest = this kernel at a VMCALL stub, with
 * the VMX-preemption timer at 0 where the CPU has one), and runs the cases
 * of tests/diff/diffcase.c for seed `seed`, `count` of them, `batch` per
 * VMXON..VMXOFF. Every outcome goes to the kernel log as "FD: r FIRST
 * TOKEN..." lines, with the capability MSRs, MAXPHYADDR, the pages'
 * physical addresses and the base VMCS first, so that the host replays
 * exactly these cases on the emulated VT-x (tests/diff/diff_replay.c).
 * Exceptions of VMX instructions are caught with exception-table fixups
 * and recorded ("#6"). Between batches the CPU leaves VMX (VMXOFF, CR4.VMXE
 * cleared, TR reloaded) so that the kernel keeps running normally.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <asm/asm.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/segment.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "diffcase.h"
#include "flank/vmcs_fields.h"

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION(
	"Flank differential campaign: VMX cases on this CPU (test only)");

static ulong seed = 1;
module_param(seed, ulong, 0444);
MODULE_PARM_DESC(seed, "seed of the case stream");
static uint count = 1000;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "number of cases");
static uint first;
module_param(first, uint, 0444);
MODULE_PARM_DESC(first, "index of the first case");
static uint batch = 50;
module_param(batch, uint, 0444);
MODULE_PARM_DESC(batch, "cases per VMXON..VMXOFF (interrupts off)");

/* ------------------------------------------------- VM entry and exit */

/*
 * diff_enter(resume): HOST_RSP := RSP, then VMLAUNCH or VMRESUME. Returns
 * 0 after a VM exit (or an entry failure exit) through diff_exit_stub,
 * 1 for VMfailInvalid, 2 for VMfailValid. The guest starts at
 * diff_guest_stub: VMCALL, which always exits (SDM Vol. 3C 26.1.2).
 */
int diff_enter(int resume);
void diff_exit_stub(void);
void diff_guest_stub(void);
asm(".pushsection .text\n"
    ".global diff_enter\n"
    ".type diff_enter, @function\n"
    "diff_enter:\n\t"
    "push %rbp\n\tpush %rbx\n\tpush %r12\n\tpush %r13\n\tpush %r14\n\t"
    "push %r15\n\t"
    "mov $0x6c14, %eax\n\t"
    "vmwrite %rsp, %rax\n\t"
    "test %edi, %edi\n\t"
    "jnz 1f\n\t"
    "vmlaunch\n\t"
    "jmp 2f\n"
    "1:\tvmresume\n"
    "2:\tmov $1, %eax\n\t"
    "jc 3f\n\t"
    "mov $2, %eax\n\t"
    "jmp 3f\n"
    ".global diff_exit_stub\n"
    "diff_exit_stub:\n\t"
    "xor %eax, %eax\n"
    "3:\tpop %r15\n\tpop %r14\n\tpop %r13\n\tpop %r12\n\tpop %rbx\n\t"
    "pop %rbp\n\t"
#ifdef CONFIG_RETHUNK
    "jmp __x86_return_thunk\n"
#else
    "ret\n\t"
    "int3\n"
#endif
    ".size diff_enter, .-diff_enter\n"
    ".global diff_guest_stub\n"
    "diff_guest_stub:\n\t"
    "vmcall\n\t"
    "ud2\n"
    ".popsection");

/* ------------------------------------------------ VMX instructions */

/* Outcome of a VMX instruction from RFLAGS (CF, ZF) or the fixup's vector. */
static struct diff_res vmx_res(int vec, u8 cf, u8 zf);

#define VMX_INSN(insn, ...)                                                    \
	({                                                                     \
		int vec_ = -1;                                                 \
		u8 cf_ = 0, zf_ = 0;                                           \
		asm volatile("1: " insn "\n\t"                                 \
			     "setc %[cf]\n\t"                                  \
			     "setz %[zf]\n"                                    \
			     "2:\n" _ASM_EXTABLE_FAULT(1b, 2b)                 \
			     : [cf] "+qm"(cf_), [zf] "+qm"(zf_), "+a"(vec_)    \
			     : __VA_ARGS__                                     \
			     : "cc", "memory");                                \
		vmx_res(vec_, cf_, zf_);                                       \
	})

static u64 vmread_raw(u64 enc, int *vec)
{
	u64 v = 0;
	int e = -1;
	asm volatile("1: vmread %[f], %[v]\n"
		     "2:\n" _ASM_EXTABLE_FAULT(1b, 2b)
		     : [v] "+r"(v), "+a"(e)
		     : [f] "r"(enc)
		     : "cc");
	if (vec)
		*vec = e;
	return v;
}

static struct diff_res vmx_res(int vec, u8 cf, u8 zf)
{
	struct diff_res r = {DIFF_OK, 0, 0};

	if (vec != -1) {
		r.kind = DIFF_EXC;
		r.n = (u32)vec;
	} else if (cf) {
		r.kind = DIFF_INVALID;
	} else if (zf) {
		r.kind = DIFF_VALID;
		r.n = (u32)vmread_raw(0x4400, NULL);
	}
	return r;
}

/* ------------------------------------------------ host state */

struct saved {
	unsigned long cr0, cr3, cr4, dr7;
	struct desc_ptr gdt, idt;
	u16 ds, es, fs, gs, ss;
	u64 fs_base, gs_base, efer, pat, debugctl, perf, sysenter_cs,
		sysenter_esp, sysenter_eip;
	bool perf_ok;
};

static struct saved sv;
static struct diff_env env;
static void *pg_vmxon, *pg_vmcs, *pg_vmcs2, *pg_shadow, *pg_zero, *pg_msr,
	*pg_stack;

static void wrmsr_raw(u32 msr, u64 v)
{
	asm volatile("wrmsr" ::"c"(msr), "a"((u32)v), "d"((u32)(v >> 32))
		     : "memory");
}

/*
 * After a VM exit (or an entry failure, which loads host state too: SDM
 * Vol. 3C 27.8), the CPU holds HOST_* values, some of them mutated on
 * purpose, and limits the exit sets (GDTR/IDTR limit 0xffff, TR limit
 * 0x67, DR7 0x400, DEBUGCTL 0: 28.5). Put back what the kernel had; TR
 * is reloaded at the end of the batch.
 */
static void restore_host(void)
{
	u16 gs;

	asm volatile("mov %0, %%cr0" ::"r"(sv.cr0) : "memory");
	asm volatile("mov %0, %%cr4" ::"r"(sv.cr4) : "memory");
	native_load_gdt(&sv.gdt);
	native_load_idt(&sv.idt);
	asm volatile("mov %0, %%ss" ::"r"((u32)sv.ss));
	loadsegment(ds, sv.ds);
	loadsegment(es, sv.es);
	loadsegment(fs, sv.fs);
	savesegment(gs, gs);
	if (gs != sv.gs)
		asm volatile("mov %0, %%gs" ::"r"((u32)sv.gs));
	wrmsr_raw(MSR_GS_BASE, sv.gs_base);
	wrmsr_raw(MSR_FS_BASE, sv.fs_base);
	wrmsr_raw(MSR_IA32_SYSENTER_CS, sv.sysenter_cs);
	wrmsr_raw(MSR_IA32_SYSENTER_ESP, sv.sysenter_esp);
	wrmsr_raw(MSR_IA32_SYSENTER_EIP, sv.sysenter_eip);
	wrmsr_raw(MSR_EFER, sv.efer);
	wrmsr_raw(MSR_IA32_CR_PAT, sv.pat);
	wrmsr_raw(MSR_IA32_DEBUGCTLMSR, sv.debugctl);
	if (sv.perf_ok)
		wrmsr_raw(MSR_CORE_PERF_GLOBAL_CTRL, sv.perf);
	native_set_debugreg(7, sv.dr7);
}

/* ------------------------------------------------ the ops */

static struct diff_res op_vmxon(void *ctx, u64 pa)
{
	return VMX_INSN("vmxon %[p]", [p] "m"(pa));
}

static struct diff_res op_vmxoff(void *ctx)
{
	return VMX_INSN("vmxoff", "i"(0));
}

static struct diff_res op_vmclear(void *ctx, u64 pa)
{
	return VMX_INSN("vmclear %[p]", [p] "m"(pa));
}

static struct diff_res op_vmptrld(void *ctx, u64 pa)
{
	return VMX_INSN("vmptrld %[p]", [p] "m"(pa));
}

static struct diff_res op_vmptrst(void *ctx, u64 *pa)
{
	u64 v = 0;
	struct diff_res r = VMX_INSN("vmptrst %[p]", [p] "m"(v));
	*pa = v;
	return r;
}

static struct diff_res op_vmread(void *ctx, u64 enc, u64 *val)
{
	u64 v = 0;
	struct diff_res r;
	int vec = -1;
	u8 cf = 0, zf = 0;

	asm volatile("1: vmread %[f], %[v]\n\t"
		     "setc %[cf]\n\t"
		     "setz %[zf]\n"
		     "2:\n" _ASM_EXTABLE_FAULT(1b, 2b)
		     : [v] "+r"(v), [cf] "+qm"(cf), [zf] "+qm"(zf), "+a"(vec)
		     : [f] "r"(enc)
		     : "cc", "memory");
	r = vmx_res(vec, cf, zf);
	*val = v;
	return r;
}

static struct diff_res op_vmwrite(void *ctx, u64 enc, u64 val)
{
	return VMX_INSN("vmwrite %[v], %[f]", [v] "r"(val), [f] "r"(enc));
}

static struct diff_res op_enter(void *ctx, bool resume)
{
	struct diff_res r = {DIFF_OK, 0, 0};
	int rc = diff_enter(resume);

	if (rc == 1) {
		r.kind = DIFF_INVALID;
	} else if (rc == 2) {
		r.kind = DIFF_VALID;
		r.n = (u32)vmread_raw(0x4400, NULL);
	} else {
		u64 reason;

		restore_host();
		reason = vmread_raw(0x4402, NULL);
		if (reason & 0x80000000u) {
			r.kind = DIFF_ENTRY_FAIL;
			r.n = (u32)(reason & 0xffff);
			r.q = vmread_raw(0x6400, NULL);
		} else {
			r.kind = DIFF_EXIT;
			r.n = (u32)(reason & 0xffff);
		}
	}
	return r;
}

static void op_reset_pages(void *ctx, const struct diff_env *e)
{
	u32 rev = diff_revision(e);

	memset(pg_vmcs, 0, PAGE_SIZE);
	memset(pg_vmcs2, 0, PAGE_SIZE);
	memset(pg_shadow, 0, PAGE_SIZE);
	memset(pg_zero, 0, PAGE_SIZE);
	*(u32 *)pg_vmcs = rev;
	*(u32 *)pg_vmcs2 = rev;
	*(u32 *)pg_shadow = rev | 0x80000000u;
	diff_fill_msr_area(e, pg_msr);
}

static const struct diff_ops ops = {
	.vmxon = op_vmxon,
	.vmxoff = op_vmxoff,
	.vmclear = op_vmclear,
	.vmptrld = op_vmptrld,
	.vmptrst = op_vmptrst,
	.vmread = op_vmread,
	.vmwrite = op_vmwrite,
	.enter = op_enter,
	.reset_pages = op_reset_pages,
};

/* ------------------------------------------------ the base VMCS */

static u64 adjust(u32 msr, u32 want)
{
	u64 c = env.msr[diff_msr_index(msr)];
	return (want | (u32)c) & (u32)(c >> 32);
}

static u64 desc_base(const struct desc_struct *d)
{
	return (u64)d->base0 | ((u64)d->base1 << 16) | ((u64)d->base2 << 24);
}

static u32 desc_limit(const struct desc_struct *d)
{
	u32 l = d->limit0 | ((u32)d->limit1 << 16);
	return d->g ? (l << 12) | 0xfff : l;
}

static u32 desc_ar(const struct desc_struct *d)
{
	const u64 raw = *(const u64 *)d;
	return (u32)((raw >> 40) & 0xf0ff);
}

static void add(u32 enc, u64 val)
{
	if (env.nbase < DIFF_MAX_BASE) {
		env.base[env.nbase].enc = enc;
		env.base[env.nbase].val = val;
		env.nbase++;
	}
}

/* Guest segment @p sel of the running kernel: selector, base, limit, AR. */
static void add_seg(u32 sel_enc, u32 base_enc, u32 lim_enc, u32 ar_enc, u16 sel,
		    u64 base_override, bool use_override)
{
	const struct desc_struct *gdt =
		(const struct desc_struct *)sv.gdt.address;
	const struct desc_struct *d = &gdt[sel >> 3];

	add(sel_enc, sel);
	if (!(sel & ~3u) || (sel & 4)) {
		add(base_enc, use_override ? base_override : 0);
		add(lim_enc, 0);
		add(ar_enc, 0x10000);
		return;
	}
	add(base_enc, use_override ? base_override : desc_base(d));
	add(lim_enc, desc_limit(d));
	add(ar_enc, desc_ar(d));
}

static void build_base(void)
{
	const struct desc_struct *gdt =
		(const struct desc_struct *)sv.gdt.address;
	u16 cs, tr;
	u64 tr_base;
	const struct desc_struct *trd;
	bool preempt = diff_has_preempt_timer(&env);
	bool tru = (env.msr[0] >> 55) & 1;
	u64 proc2cap = env.msr[diff_msr_index(0x48b)];
	u64 procbits, proc2 = 0, entry, exitc;

	savesegment(cs, cs);
	asm volatile("str %0" : "=r"(tr));
	trd = &gdt[tr >> 3];
	tr_base = desc_base(trd) | ((u64)((const u32 *)trd)[2] << 32);

	env.nbase = 0;
	/* controls */
	add(VMCS_PIN_BASED_VM_EXEC_CONTROL,
	    adjust(tru ? 0x48d : 0x481,
		   (1u << 0) | (1u << 3) | (preempt ? 1u << 6 : 0)));
	procbits = adjust(tru ? 0x48e : 0x482, 1u << 31);
	add(VMCS_CPU_BASED_VM_EXEC_CONTROL, procbits);
	if (procbits & (1u << 31))
		add(VMCS_SECONDARY_VM_EXEC_CONTROL, proc2);
	exitc = adjust(tru ? 0x48f : 0x483, (1u << 9) | (1u << 18) |
						    (1u << 19) | (1u << 20) |
						    (1u << 21));
	add(VMCS_VM_EXIT_CONTROLS, exitc);
	entry = adjust(tru ? 0x490 : 0x484,
		       (1u << 9) | (1u << 14) | (1u << 15));
	add(VMCS_VM_ENTRY_CONTROLS, entry);
	add(VMCS_EXCEPTION_BITMAP, 0xffffffffu);
	add(VMCS_PAGE_FAULT_ERROR_CODE_MASK, 0);
	add(VMCS_PAGE_FAULT_ERROR_CODE_MATCH, 0);
	add(VMCS_CR3_TARGET_COUNT, 0);
	add(VMCS_CR0_GUEST_HOST_MASK, 0);
	add(VMCS_CR4_GUEST_HOST_MASK, 0);
	add(VMCS_CR0_READ_SHADOW, sv.cr0);
	add(VMCS_CR4_READ_SHADOW, sv.cr4);
	add(VMCS_IO_BITMAP_A, env.pa_zero);
	add(VMCS_IO_BITMAP_B, env.pa_zero);
	add(VMCS_MSR_BITMAP, env.pa_zero);
	add(VMCS_TSC_OFFSET, 0);
	add(VMCS_VM_EXIT_MSR_STORE_COUNT, 0);
	add(VMCS_VM_EXIT_MSR_LOAD_COUNT, 0);
	add(VMCS_VM_ENTRY_MSR_LOAD_COUNT, 0);
	add(VMCS_VM_ENTRY_MSR_LOAD_ADDR, env.pa_msr);
	add(VMCS_VM_EXIT_MSR_STORE_ADDR, env.pa_msr + 4096);
	add(VMCS_VM_EXIT_MSR_LOAD_ADDR, env.pa_msr);
	add(VMCS_VM_ENTRY_INTR_INFO, 0);
	add(VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE, 0);
	add(VMCS_VM_ENTRY_INSTRUCTION_LEN, 0);
	if ((env.msr[diff_msr_index(0x482)] >> 32) & (1u << 21)) {
		add(VMCS_VIRTUAL_APIC_PAGE_ADDR, env.pa_zero);
		add(VMCS_TPR_THRESHOLD, 0);
	}
	if ((proc2cap >> 32) & (1u << 0))
		add(VMCS_APIC_ACCESS_ADDR, env.pa_zero);
	if ((proc2cap >> 32) & (1u << 1))
		add(VMCS_EPT_POINTER, 0);
	if ((proc2cap >> 32) & (1u << 5))
		add(VMCS_VPID, 0);
	if ((proc2cap >> 32) & (1u << 13))
		add(VMCS_VM_FUNCTION_CONTROL, 0);
	if ((proc2cap >> 32) & (1u << 14)) {
		add(VMCS_VMREAD_BITMAP, env.pa_zero);
		add(VMCS_VMWRITE_BITMAP, env.pa_zero);
	}
	if ((proc2cap >> 32) & (1u << 17))
		add(VMCS_PML_ADDRESS, env.pa_zero);
	if ((proc2cap >> 32) & (1u << 18))
		add(VMCS_VE_INFO_ADDR, env.pa_zero);
	if ((env.msr[diff_msr_index(0x481)] >> 32) & (1u << 7)) {
		add(VMCS_POSTED_INTR_NV, 0);
		add(VMCS_POSTED_INTR_DESC_ADDR, env.pa_zero);
	}
	if (preempt)
		add(VMCS_VMX_PREEMPTION_TIMER_VALUE, 0);

	/* guest state: this kernel, at diff_guest_stub */
	add(VMCS_GUEST_CR0, sv.cr0);
	add(VMCS_GUEST_CR3, sv.cr3);
	add(VMCS_GUEST_CR4, sv.cr4);
	add(VMCS_GUEST_DR7, 0x400);
	add(VMCS_GUEST_RSP, (u64)pg_stack + PAGE_SIZE - 64);
	add(VMCS_GUEST_RIP, (u64)diff_guest_stub);
	add(VMCS_GUEST_RFLAGS, 0x2);
	add_seg(VMCS_GUEST_CS_SELECTOR, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT,
		VMCS_GUEST_CS_AR_BYTES, cs, 0, false);
	add_seg(VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT,
		VMCS_GUEST_SS_AR_BYTES, sv.ss, 0, false);
	add_seg(VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT,
		VMCS_GUEST_DS_AR_BYTES, sv.ds, 0, false);
	add_seg(VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT,
		VMCS_GUEST_ES_AR_BYTES, sv.es, 0, false);
	add_seg(VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT,
		VMCS_GUEST_FS_AR_BYTES, sv.fs, sv.fs_base, true);
	add_seg(VMCS_GUEST_GS_SELECTOR, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT,
		VMCS_GUEST_GS_AR_BYTES, sv.gs, sv.gs_base, true);
	add(VMCS_GUEST_TR_SELECTOR, tr);
	add(VMCS_GUEST_TR_BASE, tr_base);
	add(VMCS_GUEST_TR_LIMIT, desc_limit(trd));
	add(VMCS_GUEST_TR_AR_BYTES, 0x8b);
	add(VMCS_GUEST_LDTR_SELECTOR, 0);
	add(VMCS_GUEST_LDTR_BASE, 0);
	add(VMCS_GUEST_LDTR_LIMIT, 0);
	add(VMCS_GUEST_LDTR_AR_BYTES, 0x10000);
	add(VMCS_GUEST_GDTR_BASE, sv.gdt.address);
	add(VMCS_GUEST_GDTR_LIMIT, sv.gdt.size);
	add(VMCS_GUEST_IDTR_BASE, sv.idt.address);
	add(VMCS_GUEST_IDTR_LIMIT, sv.idt.size);
	add(VMCS_GUEST_IA32_DEBUGCTL, 0);
	add(VMCS_GUEST_SYSENTER_CS, sv.sysenter_cs);
	add(VMCS_GUEST_SYSENTER_ESP, sv.sysenter_esp);
	add(VMCS_GUEST_SYSENTER_EIP, sv.sysenter_eip);
	add(VMCS_VMCS_LINK_POINTER, ~0ull);
	add(VMCS_GUEST_ACTIVITY_STATE, 0);
	add(VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);
	add(VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);
	if ((entry | exitc | ((u64)adjust(tru ? 0x490 : 0x484, 0) << 32)) ||
	    true) {
		u64 ec = env.msr[diff_msr_index(tru ? 0x490 : 0x484)] >> 32;
		u64 xc = env.msr[diff_msr_index(tru ? 0x48f : 0x483)] >> 32;
		if ((ec & (1u << 14)) || (xc & (1u << 18)))
			add(VMCS_GUEST_IA32_PAT, sv.pat);
		if ((ec & (1u << 15)) || (xc & (1u << 20)))
			add(VMCS_GUEST_IA32_EFER, sv.efer);
		if (ec & (1u << 13))
			add(VMCS_GUEST_IA32_PERF_GLOBAL_CTRL, 0);
		if ((ec & (1u << 16)) || (xc & (1u << 23)))
			add(VMCS_GUEST_IA32_BNDCFGS, 0);
		if (xc & (1u << 19))
			add(VMCS_HOST_IA32_PAT, sv.pat);
		if (xc & (1u << 21))
			add(VMCS_HOST_IA32_EFER, sv.efer);
		if ((xc & (1u << 12)) && sv.perf_ok)
			add(VMCS_HOST_IA32_PERF_GLOBAL_CTRL, sv.perf);
	}

	/* host state: this kernel, at diff_exit_stub */
	add(VMCS_HOST_CR0, sv.cr0);
	add(VMCS_HOST_CR3, sv.cr3);
	add(VMCS_HOST_CR4, sv.cr4);
	add(VMCS_HOST_RSP, (u64)pg_stack + PAGE_SIZE - 64);
	add(VMCS_HOST_RIP, (u64)diff_exit_stub);
	add(VMCS_HOST_CS_SELECTOR, cs & ~7u);
	add(VMCS_HOST_SS_SELECTOR, sv.ss & ~7u);
	add(VMCS_HOST_DS_SELECTOR, 0);
	add(VMCS_HOST_ES_SELECTOR, 0);
	add(VMCS_HOST_FS_SELECTOR, 0);
	add(VMCS_HOST_GS_SELECTOR, 0);
	add(VMCS_HOST_TR_SELECTOR, tr);
	add(VMCS_HOST_FS_BASE, sv.fs_base);
	add(VMCS_HOST_GS_BASE, sv.gs_base);
	add(VMCS_HOST_TR_BASE, tr_base);
	add(VMCS_HOST_GDTR_BASE, sv.gdt.address);
	add(VMCS_HOST_IDTR_BASE, sv.idt.address);
	add(VMCS_HOST_IA32_SYSENTER_CS, sv.sysenter_cs);
	add(VMCS_HOST_IA32_SYSENTER_ESP, sv.sysenter_esp);
	add(VMCS_HOST_IA32_SYSENTER_EIP, sv.sysenter_eip);
}

/* ------------------------------------------------ the campaign */

static char line[1024];
static size_t line_len;
static unsigned line_first;

static void flush_line(void)
{
	if (line_len)
		pr_info("FD: r %u %s\n", line_first, line);
	line_len = 0;
	line[0] = '\0';
}

static void emit(unsigned index, const char *tok)
{
	size_t n = strlen(tok);

	if (line_len && line_len + n + 2 > 700)
		flush_line();
	if (!line_len)
		line_first = index;
	else
		line[line_len++] = ' ';
	memcpy(line + line_len, tok, n + 1);
	line_len += n;
}

static void save_state(void)
{
	sv.cr0 = read_cr0();
	sv.cr3 = __read_cr3();
	sv.cr4 = __read_cr4();
	get_debugreg(sv.dr7, 7);
	native_store_gdt(&sv.gdt);
	store_idt(&sv.idt);
	savesegment(ds, sv.ds);
	savesegment(es, sv.es);
	savesegment(fs, sv.fs);
	savesegment(gs, sv.gs);
	savesegment(ss, sv.ss);
	rdmsrl(MSR_FS_BASE, sv.fs_base);
	rdmsrl(MSR_GS_BASE, sv.gs_base);
	rdmsrl(MSR_EFER, sv.efer);
	rdmsrl(MSR_IA32_CR_PAT, sv.pat);
	rdmsrl(MSR_IA32_DEBUGCTLMSR, sv.debugctl);
	rdmsrl(MSR_IA32_SYSENTER_CS, sv.sysenter_cs);
	rdmsrl(MSR_IA32_SYSENTER_ESP, sv.sysenter_esp);
	rdmsrl(MSR_IA32_SYSENTER_EIP, sv.sysenter_eip);
	sv.perf_ok = !rdmsrl_safe(MSR_CORE_PERF_GLOBAL_CTRL, &sv.perf);
}

/* One VMXON..VMXOFF with interrupts off: cases [from, to). */
static int run_batch(unsigned from, unsigned to, bool dump_base)
{
	unsigned long flags;
	struct diff_res res[DIFF_MAX_STEPS];
	static char tok[512];
	struct diff_res r;
	unsigned i;

	local_irq_save(flags);
	cr4_set_bits(X86_CR4_VMXE);
	save_state();
	*(u32 *)pg_vmxon = diff_revision(&env);
	r = op_vmxon(NULL, env.pa_vmxon);
	if (r.kind != DIFF_OK) {
		cr4_clear_bits(X86_CR4_VMXE);
		local_irq_restore(flags);
		diff_format(&r, 1, tok, sizeof(tok));
		pr_info("FD: error vmxon %s\n", tok);
		return -EIO;
	}
	if (dump_base) {
		/* The base as this CPU accepts it: drop fields it refuses. */
		unsigned k = 0;
		op_reset_pages(NULL, &env);
		build_base();
		(void)op_vmptrld(NULL, env.pa_vmcs);
		for (i = 0; i < env.nbase; i++) {
			r = op_vmwrite(NULL, env.base[i].enc, env.base[i].val);
			if (r.kind == DIFF_OK)
				env.base[k++] = env.base[i];
			else
				pr_info("FD: dropped %x\n", env.base[i].enc);
		}
		env.nbase = k;
		(void)op_vmclear(NULL, env.pa_vmcs);
	}
	for (i = from; i < to; i++) {
		struct diff_case c;
		unsigned n;

		diff_generate(&env, seed, i, &c);
		n = diff_execute(&env, &c, &ops, res);
		diff_format(res, n, tok, sizeof(tok));
		emit(i, tok);
	}
	(void)op_vmclear(NULL, env.pa_vmcs);
	(void)op_vmclear(NULL, env.pa_vmcs2);
	(void)op_vmxoff(NULL);
	cr4_clear_bits(X86_CR4_VMXE);
	force_reload_TR();
	local_irq_restore(flags);
	return 0;
}

static void *page(unsigned order)
{
	struct page *p = alloc_pages(GFP_KERNEL | __GFP_ZERO, order);
	return p ? page_address(p) : NULL;
}

static void free_all(void)
{
	void *single[] = {pg_vmxon,  pg_vmcs, pg_vmcs2,
			  pg_shadow, pg_zero, pg_stack};
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(single); i++) {
		if (single[i])
			free_pages((unsigned long)single[i], 0);
	}
	if (pg_msr)
		free_pages((unsigned long)pg_msr, 1);
}

static int __init diff_init(void)
{
	unsigned i, a, b, c, d;
	int cpu, err = 0;

	if (!boot_cpu_has(X86_FEATURE_VMX)) {
		pr_info("FD: error no VMX\n");
		return -ENODEV;
	}
	pg_vmxon = page(0);
	pg_vmcs = page(0);
	pg_vmcs2 = page(0);
	pg_shadow = page(0);
	pg_zero = page(0);
	pg_stack = page(0);
	pg_msr = page(1);
	if (!pg_vmxon || !pg_vmcs || !pg_vmcs2 || !pg_shadow || !pg_zero ||
	    !pg_stack || !pg_msr) {
		free_all();
		return -ENOMEM;
	}
	env.pa_vmxon = virt_to_phys(pg_vmxon);
	env.pa_vmcs = virt_to_phys(pg_vmcs);
	env.pa_vmcs2 = virt_to_phys(pg_vmcs2);
	env.pa_shadow = virt_to_phys(pg_shadow);
	env.pa_zero = virt_to_phys(pg_zero);
	env.pa_msr = virt_to_phys(pg_msr);
	env.fs_base_probe = 0x1000;
	env.gen = DIFF_GEN_VERSION;
	cpuid(0x80000008, &a, &b, &c, &d);
	env.maxphy = a & 0xff;

	cpu = get_cpu();
	pr_info("FD: begin v%u seed=%lu first=%u count=%u cpu=%d\n",
		DIFF_GEN_VERSION, seed, first, count, cpu);
	for (i = 0; i < DIFF_MSR_COUNT; i++) {
		u64 v;
		if (!rdmsrl_safe(DIFF_MSR_FIRST + i, &v)) {
			env.msr[i] = v;
			env.msr_present |= 1u << i;
			pr_info("FD: msr %x=%llx\n", DIFF_MSR_FIRST + i, v);
		} else {
			pr_info("FD: msr %x=gp\n", DIFF_MSR_FIRST + i);
		}
	}
	{
		static const u32 leaves[][2] = {
			{1, 0},	  {7, 0},	   {0xd, 0},
			{0xd, 1}, {0x80000001, 0}, {0x80000008, 0}};
		for (i = 0; i < ARRAY_SIZE(leaves); i++) {
			cpuid_count(leaves[i][0], leaves[i][1], &a, &b, &c, &d);
			pr_info("FD: cpuid %x.%x=%x,%x,%x,%x\n", leaves[i][0],
				leaves[i][1], a, b, c, d);
		}
	}
	pr_info("FD: env maxphy=%u vmxon=%llx vmcs=%llx vmcs2=%llx shadow=%llx "
		"zero=%llx msr=%llx probe=%llx\n",
		env.maxphy, env.pa_vmxon, env.pa_vmcs, env.pa_vmcs2,
		env.pa_shadow, env.pa_zero, env.pa_msr, env.fs_base_probe);
	err = run_batch(first, first, true);
	if (!err) {
		for (i = 0; i < env.nbase; i++)
			pr_info("FD: base %x=%llx\n", env.base[i].enc,
				env.base[i].val);
	}
	put_cpu();
	for (i = first; !err && i < first + count; i += batch) {
		unsigned to = min(first + count, i + batch);
		/* Stay on the CPU whose state the base describes. */
		if (get_cpu() != cpu) {
			put_cpu();
			pr_info("FD: error migrated\n");
			err = -EAGAIN;
			break;
		}
		err = run_batch(i, to, false);
		put_cpu();
		flush_line();
		cond_resched();
	}
	flush_line();
	pr_info("FD: end cases=%u err=%d\n", err ? 0 : count, err);
	free_all();
	/*
	 * Stay loaded (doing nothing; init.sh unloads it): a failing init
	 * would make busybox's insmod load the module a second time.
	 */
	return 0;
}

static void __exit diff_exit(void)
{
}

module_init(diff_init);
module_exit(diff_exit);
