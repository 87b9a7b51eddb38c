// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Control-register access exits (reason 28; qualification SDM Vol. 3C
 * Table 28-3). Flank enables no CR3/CR8 exiting; MOV to CR0/CR4 exits when
 * it would change a bit of the guest/host mask (SDM Vol. 3C 26.1.3): the
 * CR4 mask owns VMXE and the CR0/CR4 bits start forced on (FIXED0), with
 * read shadows that show the guest its own values (docs/vmcs.md).
 *
 * A MOV to CR0/CR4 that exits is checked like the instruction (SDM Vol. 2B
 * "MOV - Move to/from Control Registers", Vol. 3A 2.5); a violation is
 * #GP(0) with RIP at the MOV. A valid value goes to the guest's real
 * register with the VMM's bits forced on (VMXE stays set) and unchanged to
 * the read shadow. Without VPID every VM entry flushes the TLB (SDM Vol. 3C
 * 29.4.3.3), which covers the flushes a CR4 write implies; with VPID the
 * CR4 write that implies one is followed by INVVPID (mov_to_cr4()).
 * MOV from/to CR3, CLTS and LMSW are handled for completeness (they exit
 * only under controls or masks Flank does not set); MOV CR8 is unhandled.
 *
 * CR hooks (hooks.c): the bits an extension watches (CR0.WP, CR4.SMEP,
 * CR4.SMAP) are in the masks too, so a write that changes them exits. A
 * valid write that clears one asks the hook; a denied bit stays set in the
 * real register and in the read shadow alike: the write takes effect
 * otherwise and the guest reads back what the CPU enforces. Not #GP: MOV
 * to CR0/CR4 clearing WP/SMEP/SMAP is architecturally valid, the kernel
 * has no fixup there (an injected #GP is an oops in whatever code wrote
 * it), and re-setting the bit is what Linux's own CR pinning does
 * (native_write_cr0/cr4 set pinned bits again and warn).
 */
#include "exit_internal.h"
#include "hooks.h"

static inline unsigned cr_qual_cr(uint64_t q)
{
	return (unsigned)(q & 0xFu);
}
static inline unsigned cr_qual_type(uint64_t q)
{
	return (unsigned)((q >> 4) & 3u);
}
static inline unsigned cr_qual_gpr(uint64_t q)
{
	return (unsigned)((q >> 8) & 0xFu);
}
static inline uint64_t cr_qual_lmsw_src(uint64_t q)
{
	return (q >> 16) & 0xFFFFu;
}
#define CR_MOV_TO 0u
#define CR_MOV_FROM 1u
#define CR_CLTS 2u
#define CR_LMSW 3u

/* Reserved CR0 bits 63:32 (SDM Vol. 3A 2.5). */
#define CR0_HIGH_RESERVED (~UINT64_C(0xFFFFFFFF))

/* Result of a check: write, #GP, or a VMREAD failed. */
enum cr_check { CR_OK, CR_GP, CR_VMX_FAILED };

/* The guest runs in IA-32e mode (Flank's controls require it). */
static bool guest_ia32e(const struct vmm_cpu *cpu)
{
	return (cpu->caps.ctl.entry & ENTRY_IA32E_MODE_GUEST) != 0;
}

static enum cr_check cr0_check(const struct vmm_cpu *cpu, uint64_t v)
{
	const struct vmm_caps *caps = &cpu->caps;
	uint64_t forced = cpu->changes.cr0_set, cr4 = 0;

	if ((v & CR0_HIGH_RESERVED) != 0 ||
	    (v & ~caps->cr0_fixed1 & ~forced) != 0 ||
	    ((v | forced) & caps->cr0_fixed0) != caps->cr0_fixed0)
		return CR_GP;
	if ((v & X86_CR0_PG) != 0 && (v & X86_CR0_PE) == 0)
		return CR_GP;
	if ((v & X86_CR0_NW) != 0 && (v & X86_CR0_CD) == 0)
		return CR_GP;
	/* Clearing PG in 64-bit mode (SDM Vol. 3A 9.8.5.4). */
	if (guest_ia32e(cpu) && (v & X86_CR0_PG) == 0)
		return CR_GP;
	if ((v & X86_CR0_WP) == 0) {
		if (!vmx_ok(vmx_readnat(VMCS_GUEST_CR4, &cr4)))
			return CR_VMX_FAILED;
		if ((cr4 & X86_CR4_CET) != 0)
			return CR_GP;
	}
	return CR_OK;
}

static enum cr_check cr4_check(const struct vmm_cpu *cpu, uint64_t v)
{
	const struct vmm_caps *caps = &cpu->caps;
	uint64_t forced = cpu->changes.cr4_set | X86_CR4_VMXE;
	uint64_t old = 0, cr3 = 0, cr0 = 0;

	/*
	 * VMXE is the guest's to set and clear: it lands in the read shadow
	 * only (the real bit stays set for the VMM), and a VMXON then fails
	 * with #GP (exit_misc.c). That is a CPU whose firmware left VMX
	 * disabled, and it is what a hypervisor that enables VT-x lazily
	 * copes with: KVM before 6.12 sets CR4.VMXE with cr4_set_bits(), which
	 * has no fault fixup (a #GP there oopses in an IPI), and then runs
	 * VMXON under a fixup that reports the error (issue #14 item 3).
	 */
	if ((v & ~(caps->cr4_fixed1 | X86_CR4_VMXE) & ~forced) != 0 ||
	    ((v | forced) & caps->cr4_fixed0) != caps->cr4_fixed0)
		return CR_GP;
	if (!vmx_ok(vmx_readnat(VMCS_GUEST_CR4, &old)))
		return CR_VMX_FAILED;
	if (guest_ia32e(cpu)) {
		/* Leaving PAE paging or switching paging levels in IA-32e
		 * mode (SDM Vol. 2B MOV CR). */
		if ((v & X86_CR4_PAE) == 0 || ((v ^ old) & X86_CR4_LA57) != 0)
			return CR_GP;
	} else if ((v & X86_CR4_PCIDE) != 0) {
		return CR_GP;
	}
	/* PCIDE 0 -> 1 needs CR3[11:0] = 0 (SDM Vol. 3A 4.10.1). */
	if ((v & X86_CR4_PCIDE) != 0 && (old & X86_CR4_PCIDE) == 0) {
		if (!vmx_ok(vmx_readnat(VMCS_GUEST_CR3, &cr3)))
			return CR_VMX_FAILED;
		if ((cr3 & 0xFFFu) != 0)
			return CR_GP;
	}
	/* CET needs CR0.WP (SDM Vol. 3A 2.5). */
	if ((v & X86_CR4_CET) != 0) {
		if (!vmx_ok(vmx_readnat(VMCS_GUEST_CR0, &cr0)))
			return CR_VMX_FAILED;
		if ((cr0 & X86_CR0_WP) == 0)
			return CR_GP;
	}
	return CR_OK;
}

/* The guest/host mask of CR@p cr (0 or 4), as vmcs_setup.c writes it. */
static uint64_t cr_mask(const struct vmm_cpu *cpu, unsigned cr)
{
	if (cr == 0)
		return cpu->changes.cr0_set | vmm_cr_hook_mask(0);
	return cpu->changes.cr4_set | X86_CR4_VMXE | vmm_cr_hook_mask(4);
}

/* CR@p cr (0 or 4) as the guest sees it: real bits outside the mask,
 * read-shadow bits in it (SDM Vol. 3C 25.6.6). */
static bool guest_cr_view(const struct vmm_cpu *cpu, unsigned cr, uint64_t *v)
{
	uint64_t real = 0, shadow = 0, mask = cr_mask(cpu, cr);
	bool ok;

	if (cr == 0)
		ok = vmx_ok(vmx_readnat(VMCS_GUEST_CR0, &real)) &&
		     vmx_ok(vmx_readnat(VMCS_CR0_READ_SHADOW, &shadow));
	else
		ok = vmx_ok(vmx_readnat(VMCS_GUEST_CR4, &real)) &&
		     vmx_ok(vmx_readnat(VMCS_CR4_READ_SHADOW, &shadow));
	if (!ok)
		return false;
	*v = (real & ~mask) | (shadow & mask);
	return true;
}

/* MOV to CR0/CR4: check, ask the CR hook if the write clears a watched
 * bit, then real value with forced bits, shadow as is. */
static enum cr_check mov_to_cr04(const struct vmm_cpu *cpu, unsigned cr,
				 uint64_t v)
{
	enum cr_check c = cr == 0 ? cr0_check(cpu, v) : cr4_check(cpu, v);
	uint64_t old = 0;

	if (c != CR_OK)
		return c;
	if (vmm_cr_hook_mask(cr) != 0) {
		if (!guest_cr_view(cpu, cr, &old))
			return CR_VMX_FAILED;
		v = vmm_cr_hook_filter(cpu, cr, old, v);
	}
	if (cr == 0)
		return vmx_ok(vmx_writenat(VMCS_GUEST_CR0,
					   v | cpu->changes.cr0_set)) &&
				       vmx_ok(vmx_writenat(VMCS_CR0_READ_SHADOW,
							   v))
			       ? CR_OK
			       : CR_VMX_FAILED;
	return vmx_ok(vmx_writenat(VMCS_GUEST_CR4,
				   v | cpu->changes.cr4_set | X86_CR4_VMXE)) &&
			       vmx_ok(vmx_writenat(VMCS_CR4_READ_SHADOW, v))
		       ? CR_OK
		       : CR_VMX_FAILED;
}

/* True if a MOV to CR4 from @p before to @p after invalidates TLB entries
 * (SDM Vol. 3A 4.10.4.1: a change of PGE or PAE, PCIDE 1 to 0, SMEP 0 to
 * 1). */
static bool cr4_flushes(uint64_t before, uint64_t after)
{
	uint64_t changed = before ^ after;

	return (changed & (X86_CR4_PGE | X86_CR4_PAE)) != 0 ||
	       (changed & before & X86_CR4_PCIDE) != 0 ||
	       (changed & after & X86_CR4_SMEP) != 0;
}

/*
 * MOV to CR4. With VPID the VM entry that resumes the guest flushes nothing
 * (SDM Vol. 3C 29.4.3.3): the invalidation the instruction implies is an
 * INVVPID of the guest's VPID (vpid.c), which clears more than it must
 * (every translation of the VPID), never less.
 */
static enum cr_check mov_to_cr4(struct vmm_cpu *cpu, uint64_t v)
{
	uint64_t before = 0, after = 0;
	enum cr_check c;

	if ((cpu->caps.ctl.proc2 & SEC_ENABLE_VPID) == 0)
		return mov_to_cr04(cpu, 4, v);
	if (!vmx_ok(vmx_readnat(VMCS_GUEST_CR4, &before)))
		return CR_VMX_FAILED;
	c = mov_to_cr04(cpu, 4, v);
	if (c != CR_OK)
		return c;
	if (!vmx_ok(vmx_readnat(VMCS_GUEST_CR4, &after)))
		return CR_VMX_FAILED;
	if (cr4_flushes(before, after) && vmm_vpid_sync(cpu, false) != VMM_OK)
		return CR_VMX_FAILED;
	return CR_OK;
}

/* Reads GPR @p n (RSP from the VMCS). */
static bool gpr_get(struct intrin_exit_frame *frame, unsigned n, uint64_t *v)
{
	uint64_t *reg = vmm_exit_gpr(frame, n);

	if (reg != NULL) {
		*v = *reg;
		return true;
	}
	return vmx_ok(vmx_readnat(VMCS_GUEST_RSP, v));
}

/* Writes GPR @p n (RSP to the VMCS). */
static bool gpr_set(struct intrin_exit_frame *frame, unsigned n, uint64_t v)
{
	uint64_t *reg = vmm_exit_gpr(frame, n);

	if (reg != NULL) {
		*reg = v;
		return true;
	}
	return vmx_ok(vmx_writenat(VMCS_GUEST_RSP, v));
}

static enum cr_check cr_access(struct vmm_cpu *cpu,
			       struct intrin_exit_frame *frame, uint64_t q,
			       bool *handled)
{
	unsigned cr = cr_qual_cr(q), type = cr_qual_type(q);
	uint64_t v = 0;

	*handled = true;
	switch (type) {
	case CR_MOV_TO:
		if (cr != 0 && cr != 3 && cr != 4)
			break;
		if (!gpr_get(frame, cr_qual_gpr(q), &v))
			return CR_VMX_FAILED;
		if (cr == 4)
			return mov_to_cr4(cpu, v);
		if (cr != 3)
			return mov_to_cr04(cpu, cr, v);
		/* Bit 63 only asks not to flush PCID mappings: not part of
		 * CR3 (SDM Vol. 3A 4.10.4.1). Bits beyond the physical width
		 * are reserved: #GP. */
		v &= ~BIT64(63);
		if (cpu->caps.phys_width < 64 &&
		    (v >> cpu->caps.phys_width) != 0)
			return CR_GP;
		return vmx_ok(vmx_writenat(VMCS_GUEST_CR3, v)) ? CR_OK
							       : CR_VMX_FAILED;
	case CR_MOV_FROM:
		if (cr != 3)
			break;
		return vmx_ok(vmx_readnat(VMCS_GUEST_CR3, &v)) &&
				       gpr_set(frame, cr_qual_gpr(q), v)
			       ? CR_OK
			       : CR_VMX_FAILED;
	case CR_CLTS:
		/* CLTS clears CR0.TS (SDM Vol. 2A CLTS). */
		if (!guest_cr_view(cpu, 0, &v))
			return CR_VMX_FAILED;
		return mov_to_cr04(cpu, 0, v & ~X86_CR0_TS);
	default: /* CR_LMSW */
		/* LMSW loads CR0[3:0] but cannot clear PE (SDM Vol. 2A). */
		if (!guest_cr_view(cpu, 0, &v))
			return CR_VMX_FAILED;
		v = (v & ~UINT64_C(0xE)) | (cr_qual_lmsw_src(q) & 0xFu) |
		    (v & X86_CR0_PE);
		return mov_to_cr04(cpu, 0, v);
	}
	*handled = false;
	return CR_OK;
}

enum intrin_exit_action vmm_exit_cr(struct vmm_cpu *cpu,
				    struct intrin_exit_frame *frame,
				    uint32_t reason)
{
	uint64_t q = 0;
	bool handled = false;
	enum cr_check c;

	if (!vmx_ok(vmx_readnat(VMCS_EXIT_QUALIFICATION, &q)))
		return vmm_exit_unhandled(cpu, frame, reason,
					  "VMREAD of the qualification failed");
	c = cr_access(cpu, frame, q, &handled);
	if (!handled)
		return vmm_exit_unhandled(cpu, frame, reason,
					  "control-register access Flank does "
					  "not intercept");
	if (c == CR_GP ? vmm_exit_inject_fault(cpu, X86_VEC_GP)
		       : c == CR_OK && vmm_exit_advance())
		return INTRIN_EXIT_RESUME;
	return vmm_exit_unhandled(cpu, frame, reason,
				  "VMREAD/VMWRITE failed in a CR access");
}
