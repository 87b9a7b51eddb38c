// SPDX-License-Identifier: GPL-2.0-or-later
/* The valid VM-entry fixture: see entry_fixture.h. */
#include <stdlib.h>
#include <string.h>

#include "entry_fixture.h"

/* Offsets into fx->mem are computed in size_t, addresses in uint64_t. */
#define EFX_PAGE_SIZE ((size_t)4096)

const char *efx_profile_name(unsigned bit)
{
	switch (bit) {
	case P_SKY:
		return "skylake";
	case P_PENRYN:
		return "core2_penryn";
	default:
		return "core2_merom";
	}
}

uint64_t efx_get(struct efx *fx, uint32_t enc)
{
	return mock_vmcs_get(fx->vmcs, enc);
}

void efx_set(struct efx *fx, uint32_t enc, uint64_t v)
{
	mock_vmcs_set(fx->vmcs, enc, v);
}

static uint64_t msr(struct efx *fx, uint32_t index)
{
	return mock_msr_value(fx->cpu, index);
}

/* KVM's adjust_vmx_controls: desired bits within allowed-1, plus allowed-0. */
static uint32_t adjust(uint64_t cap, uint32_t desired)
{
	return (desired | (uint32_t)cap) & (uint32_t)(cap >> 32);
}

static void build_controls(struct efx *fx)
{
	bool tru = msr(fx, MSR_IA32_VMX_BASIC) & VMX_BASIC_TRUE_CTLS;
	uint32_t proc, sec = 0;

	efx_set(fx, VMCS_PIN_BASED_VM_EXEC_CONTROL,
		adjust(msr(fx, tru ? MSR_IA32_VMX_TRUE_PINBASED_CTLS
				   : MSR_IA32_VMX_PINBASED_CTLS),
		       PIN_EXT_INTR_EXITING | PIN_NMI_EXITING |
			       PIN_VIRTUAL_NMIS));
	proc = adjust(msr(fx, tru ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS
				  : MSR_IA32_VMX_PROCBASED_CTLS),
		      CPU_USE_IO_BITMAPS | CPU_USE_MSR_BITMAPS |
			      CPU_ACTIVATE_SECONDARY);
	efx_set(fx, VMCS_CPU_BASED_VM_EXEC_CONTROL, proc);
	if (proc & CPU_ACTIVATE_SECONDARY) {
		sec = adjust(msr(fx, MSR_IA32_VMX_PROCBASED_CTLS2),
			     SEC_ENABLE_EPT | SEC_ENABLE_VPID |
				     SEC_ENABLE_RDTSCP);
		efx_set(fx, VMCS_SECONDARY_VM_EXEC_CONTROL, sec);
	}
	efx_set(fx, VMCS_VM_EXIT_CONTROLS,
		adjust(msr(fx, tru ? MSR_IA32_VMX_TRUE_EXIT_CTLS
				   : MSR_IA32_VMX_EXIT_CTLS),
		       EXIT_HOST_ADDR_SPACE_SIZE | EXIT_ACK_INTR_ON_EXIT |
			       EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_EFER |
			       EXIT_LOAD_EFER));
	efx_set(fx, VMCS_VM_ENTRY_CONTROLS,
		adjust(msr(fx, tru ? MSR_IA32_VMX_TRUE_ENTRY_CTLS
				   : MSR_IA32_VMX_ENTRY_CTLS),
		       ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_DEBUG_CONTROLS |
			       ENTRY_LOAD_PAT | ENTRY_LOAD_EFER));
	efx_set(fx, VMCS_IO_BITMAP_A, fx->pa[PG_IOA]);
	efx_set(fx, VMCS_IO_BITMAP_B, fx->pa[PG_IOB]);
	efx_set(fx, VMCS_MSR_BITMAP, fx->pa[PG_MSRBM]);
	if (sec & SEC_ENABLE_EPT)
		efx_set(fx, VMCS_EPT_POINTER, fx->pa[PG_EPT] | 6u | (3u << 3));
	if (sec & SEC_ENABLE_VPID)
		efx_set(fx, VMCS_VPID, 1);
}

static void build_host(struct efx *fx)
{
	const struct mock_cpu_regs *r = &fx->cpu->regs;
	static const uint32_t sel[] = {
		VMCS_HOST_ES_SELECTOR, VMCS_HOST_CS_SELECTOR,
		VMCS_HOST_SS_SELECTOR, VMCS_HOST_DS_SELECTOR,
		VMCS_HOST_FS_SELECTOR, VMCS_HOST_GS_SELECTOR};

	efx_set(fx, VMCS_HOST_CR0, r->cr0);
	efx_set(fx, VMCS_HOST_CR3, r->cr3);
	efx_set(fx, VMCS_HOST_CR4, r->cr4);
	for (unsigned i = 0; i < 6; i++)
		efx_set(fx, sel[i], r->seg[i].selector & ~7u);
	efx_set(fx, VMCS_HOST_TR_SELECTOR, r->seg[MOCK_SEG_TR].selector);
	efx_set(fx, VMCS_HOST_FS_BASE, r->seg[MOCK_SEG_FS].base);
	efx_set(fx, VMCS_HOST_GS_BASE, r->seg[MOCK_SEG_GS].base);
	efx_set(fx, VMCS_HOST_TR_BASE, r->seg[MOCK_SEG_TR].base);
	efx_set(fx, VMCS_HOST_GDTR_BASE, r->gdtr.base);
	efx_set(fx, VMCS_HOST_IDTR_BASE, r->idtr.base);
	efx_set(fx, VMCS_HOST_IA32_SYSENTER_CS, msr(fx, MSR_IA32_SYSENTER_CS));
	efx_set(fx, VMCS_HOST_IA32_SYSENTER_ESP,
		msr(fx, MSR_IA32_SYSENTER_ESP));
	efx_set(fx, VMCS_HOST_IA32_SYSENTER_EIP,
		msr(fx, MSR_IA32_SYSENTER_EIP));
	efx_set(fx, VMCS_HOST_IA32_PAT, msr(fx, MSR_IA32_PAT));
	efx_set(fx, VMCS_HOST_IA32_EFER, msr(fx, MSR_IA32_EFER));
	efx_set(fx, VMCS_HOST_RIP, UINT64_C(0xffffffffc0a02000));
	efx_set(fx, VMCS_HOST_RSP, UINT64_C(0xffffc90000a40000));
}

static void build_guest(struct efx *fx)
{
	const struct mock_cpu_regs *r = &fx->cpu->regs;

	efx_set(fx, VMCS_GUEST_CR0, r->cr0);
	efx_set(fx, VMCS_GUEST_CR3, r->cr3);
	efx_set(fx, VMCS_GUEST_CR4, r->cr4);
	efx_set(fx, VMCS_GUEST_DR7, r->dr7);
	efx_set(fx, VMCS_GUEST_RFLAGS, r->rflags);
	efx_set(fx, VMCS_GUEST_RIP, fx->cpu->rip);
	efx_set(fx, VMCS_GUEST_RSP, fx->cpu->rsp);
	for (unsigned i = 0; i < MOCK_SEG_COUNT; i++) {
		efx_set(fx, VMCS_GUEST_ES_SELECTOR + 2 * i, r->seg[i].selector);
		efx_set(fx, VMCS_GUEST_ES_BASE + 2 * i, r->seg[i].base);
		efx_set(fx, VMCS_GUEST_ES_LIMIT + 2 * i, r->seg[i].limit);
		efx_set(fx, VMCS_GUEST_ES_AR_BYTES + 2 * i, r->seg[i].ar);
	}
	efx_set(fx, VMCS_GUEST_GDTR_BASE, r->gdtr.base);
	efx_set(fx, VMCS_GUEST_GDTR_LIMIT, r->gdtr.limit);
	efx_set(fx, VMCS_GUEST_IDTR_BASE, r->idtr.base);
	efx_set(fx, VMCS_GUEST_IDTR_LIMIT, r->idtr.limit);
	efx_set(fx, VMCS_GUEST_IA32_DEBUGCTL, msr(fx, MSR_IA32_DEBUGCTL));
	efx_set(fx, VMCS_GUEST_SYSENTER_CS, msr(fx, MSR_IA32_SYSENTER_CS));
	efx_set(fx, VMCS_GUEST_SYSENTER_ESP, msr(fx, MSR_IA32_SYSENTER_ESP));
	efx_set(fx, VMCS_GUEST_SYSENTER_EIP, msr(fx, MSR_IA32_SYSENTER_EIP));
	efx_set(fx, VMCS_GUEST_IA32_PAT, msr(fx, MSR_IA32_PAT));
	efx_set(fx, VMCS_GUEST_IA32_EFER, msr(fx, MSR_IA32_EFER));
	efx_set(fx, VMCS_VMCS_LINK_POINTER, ~UINT64_C(0));
}

int efx_init(struct efx *fx, const char *profile)
{
	uint32_t rev;
	paddr_t base;

	memset(fx, 0, sizeof(*fx));
	if (mock_init(profile, 1) != 0)
		return -1;
	fx->profile = profile;
	fx->cpu = mock_cur();
	fx->mem = aligned_alloc(EFX_PAGE_SIZE, EFX_PAGES * EFX_PAGE_SIZE);
	fx->vmcs = calloc(1, sizeof(*fx->vmcs));
	if (!fx->mem || !fx->vmcs)
		return -1;
	memset(fx->mem, 0, EFX_PAGES * EFX_PAGE_SIZE);
	base = mock_mem_map(fx->mem, EFX_PAGES * EFX_PAGE_SIZE);
	for (unsigned i = 0; i < EFX_PAGES; i++)
		fx->pa[i] = pa_addr(base) + (uint64_t)i * EFX_PAGE_SIZE;

	/* What the VMM did before: CR4.VMXE, VMXON, VMCLEAR, VMPTRLD. */
	fx->cpu->regs.cr4 |= X86_CR4_VMXE;
	rev = (uint32_t)(msr(fx, MSR_IA32_VMX_BASIC) & VMX_BASIC_REVISION_MASK);
	memcpy(fx->mem + PG_VMCS * EFX_PAGE_SIZE, &rev, 4);
	memcpy(fx->mem + PG_LINK * EFX_PAGE_SIZE, &rev, 4);
	fx->vmcs->pa = fx->pa[PG_VMCS];
	fx->cpu->vmx = MOCK_VMX_ROOT;
	fx->cpu->current_ptr = fx->vmcs->pa;

	/* MSR-list slots hold valid entries until a test changes them. */
	for (unsigned i = 0; i < 513; i++)
		efx_msr_entry(fx, i, MSR_IA32_STAR,
			      UINT64_C(0x0023001000000000));
	build_controls(fx);
	build_host(fx);
	build_guest(fx);
	return 0;
}

void efx_fini(struct efx *fx)
{
	mock_fini();
	free(fx->mem);
	free(fx->vmcs);
}

void efx_msr_entry(struct efx *fx, unsigned i, uint64_t index_word,
		   uint64_t data)
{
	uint8_t *p = fx->mem + PG_MSRLIST * EFX_PAGE_SIZE + (size_t)i * 16u;

	memcpy(p, &index_word, 8);
	memcpy(p + 8, &data, 8);
}

static void set_seg(struct efx *fx, unsigned seg, uint16_t sel, uint64_t base,
		    uint32_t limit, uint32_t ar)
{
	efx_set(fx, VMCS_GUEST_ES_SELECTOR + 2 * seg, sel);
	efx_set(fx, VMCS_GUEST_ES_BASE + 2 * seg, base);
	efx_set(fx, VMCS_GUEST_ES_LIMIT + 2 * seg, limit);
	efx_set(fx, VMCS_GUEST_ES_AR_BYTES + 2 * seg, ar);
}

static void preset(struct efx *fx, enum efx_preset p)
{
	uint64_t efer;

	switch (p) {
	case PRESET_PAE32:
		efx_set(fx, VMCS_VM_ENTRY_CONTROLS,
			efx_get(fx, VMCS_VM_ENTRY_CONTROLS) &
				~ENTRY_IA32E_MODE_GUEST);
		efer = efx_get(fx, VMCS_GUEST_IA32_EFER);
		efx_set(fx, VMCS_GUEST_IA32_EFER,
			efer & ~(X86_EFER_LMA | X86_EFER_LME));
		efx_set(fx, VMCS_GUEST_CR4,
			efx_get(fx, VMCS_GUEST_CR4) & ~X86_CR4_PCIDE);
		efx_set(fx, VMCS_GUEST_CR3, fx->pa[PG_PDPT]);
		efx_set(fx, VMCS_GUEST_CS_AR_BYTES, 0xC09Bu);
		efx_set(fx, VMCS_GUEST_RIP, 0x100000u);
		break;
	case PRESET_V86:
		preset(fx, PRESET_PAE32);
		efx_set(fx, VMCS_GUEST_RFLAGS,
			efx_get(fx, VMCS_GUEST_RFLAGS) | X86_RFLAGS_VM);
		for (unsigned i = MOCK_SEG_ES; i <= MOCK_SEG_GS; i++)
			set_seg(fx, i, 0x1000, 0x10000, 0xFFFF, 0xF3);
		efx_set(fx, VMCS_GUEST_RIP, 0x100u);
		break;
	case PRESET_HOST32:
		mock_msr_set(0, MSR_IA32_EFER, X86_EFER_SCE);
		preset(fx, PRESET_PAE32);
		efx_set(fx, VMCS_VM_EXIT_CONTROLS,
			efx_get(fx, VMCS_VM_EXIT_CONTROLS) &
				~(EXIT_HOST_ADDR_SPACE_SIZE | EXIT_LOAD_EFER));
		efx_set(fx, VMCS_HOST_CR4,
			efx_get(fx, VMCS_HOST_CR4) & ~X86_CR4_PCIDE);
		efx_set(fx, VMCS_HOST_RIP, 0xc0a02000u);
		break;
	case PRESET_LDTR:
		set_seg(fx, MOCK_SEG_LDTR, 0x50, 0, 0xFFFF, 0x82);
		break;
	case PRESET_DS:
		set_seg(fx, MOCK_SEG_DS, 0x18, 0, 0xFFFFFFFFu, 0xC093);
		set_seg(fx, MOCK_SEG_ES, 0x18, 0, 0xFFFFFFFFu, 0xC093);
		break;
	case PRESET_TPR:
		efx_set(fx, VMCS_CPU_BASED_VM_EXEC_CONTROL,
			efx_get(fx, VMCS_CPU_BASED_VM_EXEC_CONTROL) |
				CPU_USE_TPR_SHADOW);
		efx_set(fx, VMCS_VIRTUAL_APIC_PAGE_ADDR, fx->pa[PG_VAPIC]);
		break;
	case PRESET_POSTED:
		/* No profile has posted interrupts: give the CPU the feature. */
		mock_msr_set(0, MSR_IA32_VMX_TRUE_PINBASED_CTLS,
			     msr(fx, MSR_IA32_VMX_TRUE_PINBASED_CTLS) |
				     ((uint64_t)PIN_POSTED_INTR << 32));
		preset(fx, PRESET_TPR);
		efx_set(fx, VMCS_SECONDARY_VM_EXEC_CONTROL,
			efx_get(fx, VMCS_SECONDARY_VM_EXEC_CONTROL) |
				SEC_VIRT_INTR_DELIVERY);
		efx_set(fx, VMCS_PIN_BASED_VM_EXEC_CONTROL,
			efx_get(fx, VMCS_PIN_BASED_VM_EXEC_CONTROL) |
				PIN_POSTED_INTR);
		efx_set(fx, VMCS_POSTED_INTR_DESC_ADDR, fx->pa[PG_PID]);
		break;
	case PRESET_RING3:
		set_seg(fx, MOCK_SEG_CS, 0x33, 0, 0xFFFFFFFFu, 0xA0FB);
		set_seg(fx, MOCK_SEG_SS, 0x2b, 0, 0xFFFFFFFFu, 0xC0F3);
		break;
	}
}

void efx_apply(struct efx *fx, const struct efx_write *w, unsigned max)
{
	for (unsigned i = 0; i < max && w[i].op != OP_END; i++) {
		uint32_t e = w[i].enc;
		uint64_t v = w[i].v, old;

		switch (w[i].op) {
		case OP_SET:
			efx_set(fx, e, v);
			break;
		case OP_OR:
			efx_set(fx, e, efx_get(fx, e) | v);
			break;
		case OP_CLR:
			efx_set(fx, e, efx_get(fx, e) & ~v);
			break;
		case OP_PAGE:
			efx_set(fx, e, fx->pa[v]);
			break;
		case OP_PAGEOFF:
			efx_set(fx, e, fx->pa[v >> 16] + (v & 0xFFFFu));
			break;
		case OP_TOP:
			efx_set(fx, e,
				(UINT64_C(1) << mock_phys_addr_width()) - v);
			break;
		case OP_MEM:
			memcpy(fx->mem + (size_t)(e >> 12) * EFX_PAGE_SIZE +
				       (e & 0xFFFu),
			       &v, 8);
			break;
		case OP_MSR:
			mock_msr_set(0, e, v);
			break;
		case OP_MSR_OR:
		case OP_MSR_CLR:
			old = mock_msr_value(fx->cpu, e);
			mock_msr_set(0, e,
				     w[i].op == OP_MSR_OR ? old | v : old & ~v);
			break;
		case OP_PRESET:
			preset(fx, (enum efx_preset)v);
			break;
		case OP_END:
			break;
		}
	}
}

void efx_run(struct efx *fx, struct efx_verdict *out)
{
	memset(out, 0, sizeof(*out));
	if (!mock_check_controls(fx->cpu, fx->vmcs, &out->fail)) {
		out->stage = STAGE_CONTROLS;
		out->vm_error = VMXERR_ENTRY_INVALID_CONTROL;
	} else if (!mock_check_host_state(fx->cpu, fx->vmcs, &out->fail)) {
		out->stage = STAGE_HOST;
		out->vm_error = VMXERR_ENTRY_INVALID_HOST_STATE;
	} else if (!mock_check_guest_state(fx->cpu, fx->vmcs, &out->fail)) {
		out->stage = STAGE_GUEST;
	} else if (!mock_entry_load_msrs(fx->cpu, fx->vmcs, &out->fail)) {
		out->stage = STAGE_MSR;
	}
}
