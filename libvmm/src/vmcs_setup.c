// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The VMCS built from the running CPU: the guest is the CPU as it is now,
 * the host is the same kernel context with the VMM's stack and entry point.
 * docs/vmcs.md explains every field.
 */
#include "hooks.h"
#include "vmm_internal.h"

/* No shadow VMCS: the link pointer is all ones (SDM Vol. 3C 25.4.2). */
#define VMCS_LINK_POINTER_VALUE (~UINT64_C(0))

/* Collects the first failing VMWRITE; later writes are skipped. */
struct vmcs_writer {
	struct vmm_cpu *cpu;
	int st;
	uint32_t field;
	vmx_result_t r;
};

static bool vw_done(struct vmcs_writer *w, uint32_t field, vmx_result_t r)
{
	if (vmx_ok(r))
		return true;
	w->st = VMM_ERR_VMWRITE;
	w->field = field;
	w->r = r;
	return false;
}

/*
 * One VMWRITE unless an earlier one failed. Out of line on purpose: the
 * setup writes about sixty fields, and each write expanded in place (test,
 * write, test, record) cost the image some 50 bytes of text; a call costs
 * about 20 (docs/loader.md "Size").
 */
__attribute__((noinline)) static void vw(struct vmcs_writer *w, uint32_t field,
					 uint64_t v)
{
	if (w->st == VMM_OK)
		(void)vw_done(w, field, vmx_vmwrite(field, v));
}

/* The width accessor @p acc checks, and the value as it narrows it
 * (intrinsics.h). */
#define VW_WIDTH_vmx_write32 VMCS_WIDTH_32
#define VW_WIDTH_vmx_write64 VMCS_WIDTH_64
#define VW_WIDTH_vmx_writenat VMCS_WIDTH_NATURAL
#define VW_NARROW_vmx_write32(v) ((uint32_t)(v))
#define VW_NARROW_vmx_write64(v) ((uint64_t)(v))
#define VW_NARROW_vmx_writenat(v) ((uint64_t)(v))

/*
 * Write of constant @p field through accessor @p acc: its width checked at
 * compile time as @p acc checks it, the value narrowed as @p acc narrows
 * it, the write done by vw().
 */
#define VW(w, acc, field, v)                                                   \
	(VMCS_CHECK_WIDTH(field, VW_WIDTH_##acc),                              \
	 vw((w), (field), VW_NARROW_##acc(v)))

/* Reads a host MSR for the VMCS; #GP fails the setup. */
static uint64_t host_msr(struct vmcs_writer *w, uint32_t msr)
{
	uint64_t v = 0;

	if (w->st == VMM_OK && cpu_rdmsr_safe(msr, &v) != CPU_SAFE_OK) {
		w->st = VMM_ERR_HOST_MSR;
		w->field = msr;
	}
	return v;
}

static void write_controls(struct vmcs_writer *w)
{
	struct vmm_cpu *cpu = w->cpu;
	const struct vmm_controls *c = &cpu->caps.ctl;

	VW(w, vmx_write32, VMCS_PIN_BASED_VM_EXEC_CONTROL, c->pin);
	VW(w, vmx_write32, VMCS_CPU_BASED_VM_EXEC_CONTROL, c->proc);
	if ((c->proc & CPU_ACTIVATE_SECONDARY) != 0)
		VW(w, vmx_write32, VMCS_SECONDARY_VM_EXEC_CONTROL, c->proc2);
	/* No XSAVES/XRSTORS or PCONFIG exits (SDM Vol. 3C 26.1.3). */
	if ((c->proc2 & SEC_ENABLE_XSAVES) != 0)
		VW(w, vmx_write64, VMCS_XSS_EXIT_BITMAP, 0);
	if ((c->proc2 & SEC_ENABLE_PCONFIG) != 0)
		VW(w, vmx_write64, VMCS_PCONFIG_EXITING_BITMAP, 0);
	/* The identity map of this start (docs/ept.md). */
	if ((c->proc2 & SEC_ENABLE_EPT) != 0)
		VW(w, vmx_write64, VMCS_EPT_POINTER, vmm_ctx.ept.eptp);
	VW(w, vmx_write32, VMCS_VM_EXIT_CONTROLS, c->exit);
	VW(w, vmx_write32, VMCS_VM_ENTRY_CONTROLS, c->entry);
	/* No exception, #PF or CR3-target exits; no MSR lists; nothing to
	 * inject (SDM Vol. 3C 25.6.3, 25.6.7, 25.7.2, 25.8.2, 25.8.3). */
	VW(w, vmx_write32, VMCS_EXCEPTION_BITMAP, 0);
	VW(w, vmx_write32, VMCS_PAGE_FAULT_ERROR_CODE_MASK, 0);
	VW(w, vmx_write32, VMCS_PAGE_FAULT_ERROR_CODE_MATCH, 0);
	VW(w, vmx_write32, VMCS_CR3_TARGET_COUNT, 0);
	VW(w, vmx_write32, VMCS_VM_EXIT_MSR_STORE_COUNT, 0);
	VW(w, vmx_write32, VMCS_VM_EXIT_MSR_LOAD_COUNT, 0);
	VW(w, vmx_write32, VMCS_VM_ENTRY_MSR_LOAD_COUNT, 0);
	VW(w, vmx_write32, VMCS_VM_ENTRY_INTR_INFO, 0);
	VW(w, vmx_write64, VMCS_MSR_BITMAP, pa_addr(cpu->msr_bitmap_pa));
	/*
	 * CR0: the bits start forced on (FIXED0) belong to the VMM, the guest
	 * reads its original values. CR4: VMXE and forced bits likewise, so
	 * the guest sees CR4.VMXE = 0 and cannot clear it (SDM Vol. 3C
	 * 25.6.6).
	 */
	/* Plus the bits an extension's CR hook watches (hooks.c, exit_cr.c):
	 * a MOV that changes them exits; the shadows hold their values. */
	VW(w, vmx_writenat, VMCS_CR0_GUEST_HOST_MASK,
	   cpu->changes.cr0_set | vmm_cr_hook_mask(0));
	VW(w, vmx_writenat, VMCS_CR0_READ_SHADOW, cpu->cr0_orig);
	VW(w, vmx_writenat, VMCS_CR4_GUEST_HOST_MASK,
	   cpu->changes.cr4_set | X86_CR4_VMXE | vmm_cr_hook_mask(4));
	VW(w, vmx_writenat, VMCS_CR4_READ_SHADOW,
	   cpu->cr4_orig & ~X86_CR4_VMXE);
}

/* The eight guest segment registers, in struct vmm_seg order. */
static const struct {
	uint32_t sel, base, limit, ar;
} guest_seg_fields[VMM_SEG_COUNT] = {
	{VMCS_GUEST_ES_SELECTOR, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT,
	 VMCS_GUEST_ES_AR_BYTES},
	{VMCS_GUEST_CS_SELECTOR, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT,
	 VMCS_GUEST_CS_AR_BYTES},
	{VMCS_GUEST_SS_SELECTOR, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT,
	 VMCS_GUEST_SS_AR_BYTES},
	{VMCS_GUEST_DS_SELECTOR, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT,
	 VMCS_GUEST_DS_AR_BYTES},
	{VMCS_GUEST_FS_SELECTOR, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT,
	 VMCS_GUEST_FS_AR_BYTES},
	{VMCS_GUEST_GS_SELECTOR, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT,
	 VMCS_GUEST_GS_AR_BYTES},
	{VMCS_GUEST_LDTR_SELECTOR, VMCS_GUEST_LDTR_BASE, VMCS_GUEST_LDTR_LIMIT,
	 VMCS_GUEST_LDTR_AR_BYTES},
	{VMCS_GUEST_TR_SELECTOR, VMCS_GUEST_TR_BASE, VMCS_GUEST_TR_LIMIT,
	 VMCS_GUEST_TR_AR_BYTES},
};

/* Host selector fields, in struct vmm_seg order (no LDTR on the host). */
static const uint32_t host_sel_fields[VMM_SEG_COUNT] = {
	VMCS_HOST_ES_SELECTOR,
	VMCS_HOST_CS_SELECTOR,
	VMCS_HOST_SS_SELECTOR,
	VMCS_HOST_DS_SELECTOR,
	VMCS_HOST_FS_SELECTOR,
	VMCS_HOST_GS_SELECTOR,
	0,
	VMCS_HOST_TR_SELECTOR,
};

/*
 * Host selectors must have RPL = 0 and TI = 0 (SDM Vol. 3C 27.2.3); a data
 * selector that does not qualify (e.g. __USER_DS left in DS by a syscall)
 * becomes null on the host, and stop reloads the guest's selector.
 */
uint16_t vmm_host_selector(uint16_t sel)
{
	return (sel & 7u) != 0 ? 0 : sel;
}

static void write_segments(struct vmcs_writer *w, const struct vmm_segment *seg)
{
	for (unsigned i = 0; i < VMM_SEG_COUNT; i++) {
		/* Run-time field choice: the table holds encodings of the
		 * widths the accessors below expect. */
		if (w->st != VMM_OK)
			return;
		if (!vw_done(w, guest_seg_fields[i].sel,
			     vmx_vmwrite(guest_seg_fields[i].sel,
					 seg[i].selector)) ||
		    !vw_done(w, guest_seg_fields[i].base,
			     vmx_vmwrite(guest_seg_fields[i].base,
					 seg[i].base)) ||
		    !vw_done(w, guest_seg_fields[i].limit,
			     vmx_vmwrite(guest_seg_fields[i].limit,
					 seg[i].limit)) ||
		    !vw_done(w, guest_seg_fields[i].ar,
			     vmx_vmwrite(guest_seg_fields[i].ar, seg[i].ar)))
			return;
		if (host_sel_fields[i] != 0 &&
		    !vw_done(w, host_sel_fields[i],
			     vmx_vmwrite(host_sel_fields[i],
					 vmm_host_selector(seg[i].selector))))
			return;
	}
#ifdef FLANK_E2E_BREAK_VMCS
	/*
	 * The test build FLANK_E2E_BREAK_VMCS (tests/e2e, broken run) writes a
	 * null host CS, which VMLAUNCH refuses with VMfailValid(8) (SDM Vol. 3C
	 * 27.2.3: "the selector field for CS cannot be 0000H"); libvmm's own
	 * checker must name the rule, H6.cs_null. A host-state failure happens
	 * before any guest state is loaded, so the rollback is the plain one.
	 */
	(void)vw_done(w, VMCS_HOST_CS_SELECTOR,
		      vmx_vmwrite(VMCS_HOST_CS_SELECTOR, 0));
#endif
}

/* Reads every segment register of the CPU, decoded from the GDT/LDT. */
static int read_segments(struct vmm_segment *seg, const struct cpu_dtr *gdtr)
{
	uint16_t ldtr = cpu_sldt();
	uint16_t sels[VMM_SEG_COUNT];
	int st = VMM_OK;

	sels[VMM_SEG_ES] = cpu_read_es();
	sels[VMM_SEG_CS] = cpu_read_cs();
	sels[VMM_SEG_SS] = cpu_read_ss();
	sels[VMM_SEG_DS] = cpu_read_ds();
	sels[VMM_SEG_FS] = cpu_read_fs();
	sels[VMM_SEG_GS] = cpu_read_gs();
	sels[VMM_SEG_LDTR] = ldtr;
	sels[VMM_SEG_TR] = cpu_str();
	for (unsigned i = 0; i < VMM_SEG_COUNT && st == VMM_OK; i++)
		st = vmm_segment_read(sels[i], gdtr, ldtr,
				      i == VMM_SEG_LDTR || i == VMM_SEG_TR,
				      &seg[i]);
	if (st != VMM_OK)
		return st;
	/* The host needs a usable TR and CS with TI = 0 (SDM Vol. 3C
	 * 27.2.3); a kernel always has them. */
	if ((seg[VMM_SEG_TR].ar & AR_UNUSABLE) != 0 ||
	    (seg[VMM_SEG_CS].ar & AR_UNUSABLE) != 0 ||
	    (sels[VMM_SEG_CS] & 7u) != 0)
		return VMM_ERR_DESCRIPTOR;
	return VMM_OK;
}

static void write_guest_and_host(struct vmcs_writer *w)
{
	struct vmm_cpu *cpu = w->cpu;
	const struct vmm_controls *c = &cpu->caps.ctl;
	struct vmm_segment seg[VMM_SEG_COUNT];
	struct cpu_dtr gdtr, idtr;
	uint64_t cr0 = cpu_read_cr0(), cr3 = cpu_read_cr3(),
		 cr4 = cpu_read_cr4();
	uint64_t fs_base, gs_base, sysenter_cs, sysenter_esp, sysenter_eip;
	uint64_t debugctl, efer = 0, pat = 0;
	uintptr_t stack_top;
	int st;

	cpu_sgdt(&gdtr);
	cpu_sidt(&idtr);
	st = read_segments(seg, &gdtr);
	if (st != VMM_OK) {
		w->st = st;
		return;
	}
	/* In 64-bit mode FS and GS bases live in MSRs (SDM Vol. 3A 3.4.4). */
	fs_base = host_msr(w, MSR_IA32_FS_BASE);
	gs_base = host_msr(w, MSR_IA32_GS_BASE);
	sysenter_cs = host_msr(w, MSR_IA32_SYSENTER_CS);
	sysenter_esp = host_msr(w, MSR_IA32_SYSENTER_ESP);
	sysenter_eip = host_msr(w, MSR_IA32_SYSENTER_EIP);
	debugctl = host_msr(w, MSR_IA32_DEBUGCTL);
	if ((c->entry & ENTRY_LOAD_EFER) != 0)
		efer = host_msr(w, MSR_IA32_EFER);
	if ((c->entry & ENTRY_LOAD_PAT) != 0)
		pat = host_msr(w, MSR_IA32_PAT);
	seg[VMM_SEG_FS].base = fs_base;
	seg[VMM_SEG_GS].base = gs_base;

	/* Guest state: the CPU as it is (SDM Vol. 3C 25.4). */
	write_segments(w, seg);
	VW(w, vmx_writenat, VMCS_GUEST_CR0, cr0);
	VW(w, vmx_writenat, VMCS_GUEST_CR3, cr3);
	VW(w, vmx_writenat, VMCS_GUEST_CR4, cr4);
	VW(w, vmx_writenat, VMCS_GUEST_DR7, cpu_read_dr7());
	VW(w, vmx_writenat, VMCS_GUEST_RFLAGS, cpu_read_rflags());
	VW(w, vmx_writenat, VMCS_GUEST_GDTR_BASE, gdtr.base);
	VW(w, vmx_write32, VMCS_GUEST_GDTR_LIMIT, gdtr.limit);
	VW(w, vmx_writenat, VMCS_GUEST_IDTR_BASE, idtr.base);
	VW(w, vmx_write32, VMCS_GUEST_IDTR_LIMIT, idtr.limit);
	VW(w, vmx_write64, VMCS_GUEST_IA32_DEBUGCTL, debugctl);
	VW(w, vmx_write32, VMCS_GUEST_SYSENTER_CS, sysenter_cs);
	VW(w, vmx_writenat, VMCS_GUEST_SYSENTER_ESP, sysenter_esp);
	VW(w, vmx_writenat, VMCS_GUEST_SYSENTER_EIP, sysenter_eip);
	if ((c->entry & ENTRY_LOAD_EFER) != 0)
		VW(w, vmx_write64, VMCS_GUEST_IA32_EFER, efer);
	if ((c->entry & ENTRY_LOAD_PAT) != 0)
		VW(w, vmx_write64, VMCS_GUEST_IA32_PAT, pat);
	/* SDM Vol. 3C 25.4.2: no shadow VMCS (link pointer all ones), active,
	 * no blocking, nothing pending. */
	VW(w, vmx_write64, VMCS_VMCS_LINK_POINTER, VMCS_LINK_POINTER_VALUE);
	VW(w, vmx_write32, VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE);
	VW(w, vmx_write32, VMCS_GUEST_INTERRUPTIBILITY_INFO, 0);
	VW(w, vmx_writenat, VMCS_GUEST_PENDING_DBG_EXCEPTIONS, 0);

	/* Host state: the same kernel, on the VMM's per-CPU stack, with the
	 * platform's long-lived page tables (SDM Vol. 3C 25.5). */
	VW(w, vmx_writenat, VMCS_HOST_CR0, cr0);
	VW(w, vmx_writenat, VMCS_HOST_CR3, vmm_ctx.platform.host_cr3);
	VW(w, vmx_writenat, VMCS_HOST_CR4, cr4);
	VW(w, vmx_writenat, VMCS_HOST_FS_BASE, fs_base);
	VW(w, vmx_writenat, VMCS_HOST_GS_BASE, gs_base);
	VW(w, vmx_writenat, VMCS_HOST_TR_BASE, seg[VMM_SEG_TR].base);
	VW(w, vmx_writenat, VMCS_HOST_GDTR_BASE, gdtr.base);
	VW(w, vmx_writenat, VMCS_HOST_IDTR_BASE, idtr.base);
	VW(w, vmx_write32, VMCS_HOST_IA32_SYSENTER_CS, sysenter_cs);
	VW(w, vmx_writenat, VMCS_HOST_IA32_SYSENTER_ESP, sysenter_esp);
	VW(w, vmx_writenat, VMCS_HOST_IA32_SYSENTER_EIP, sysenter_eip);
	if ((c->exit & EXIT_LOAD_EFER) != 0)
		VW(w, vmx_write64, VMCS_HOST_IA32_EFER, efer);
	if ((c->exit & EXIT_LOAD_PAT) != 0)
		VW(w, vmx_write64, VMCS_HOST_IA32_PAT, pat);
	/* intrin_vmexit_entry contract: 16-byte aligned, the per-CPU context
	 * pointer in the 8 bytes at HOST_RSP. */
	stack_top = (uintptr_t)cpu->stack + VMM_PAGE_SIZE - 16u;
	*(struct vmm_cpu *volatile *)stack_top = cpu;
	VW(w, vmx_writenat, VMCS_HOST_RSP, stack_top);
	VW(w, vmx_writenat, VMCS_HOST_RIP, (uintptr_t)intrin_vmexit_entry);
}

int vmm_vmcs_setup(struct vmm_cpu *cpu)
{
	struct vmcs_writer w = {.cpu = cpu, .st = VMM_OK};
	char line[128];
	struct vmm_fmt f;

	write_controls(&w);
	write_guest_and_host(&w);
	if (w.st == VMM_OK)
		return VMM_OK;
	vmm_fmt_init(&f, line, sizeof(line));
	vmm_fmt_str(&f, "cpu ");
	vmm_fmt_dec(&f, cpu->id);
	vmm_fmt_str(&f, w.st == VMM_ERR_VMWRITE	   ? ": VMWRITE of field "
			: w.st == VMM_ERR_HOST_MSR ? ": RDMSR #GP on MSR "
						   : ": descriptor problem ");
	vmm_fmt_hex(&f, w.field);
	if (w.st == VMM_ERR_VMWRITE) {
		vmm_fmt_str(&f, " failed, VM-instruction error ");
		vmm_fmt_dec(&f, w.r.error);
	}
	vmm_log(FLANK_LOG_ERROR, line);
	return w.st;
}
