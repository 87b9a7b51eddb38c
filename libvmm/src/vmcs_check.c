// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvmm's VMCS consistency checker (flank/vmm_vmcs_check.h): the rule
 * table, the capability reading, the entry point and the control-field
 * checks (SDM Vol. 3C 27.2.1). Host state is in vmcs_check_host.c, guest
 * state in vmcs_check_guest*.c.
 *
 * Written from the SDM, independently of the emulated VT-x: the two are
 * compared by tests/unit/vmcs_check. Rules are evaluated in the order the
 * SDM lists them, so that the first failing rule is the one a CPU that
 * checks in that order (and the emulator) reports.
 *
 * Not evaluated (libvmm never sets the controls that enable them; see
 * docs/debugging.md): posted interrupts (C8), PML, VM functions, VMCS
 * shadowing, EPT-violation #VE, tertiary controls, CET and
 * PERF_GLOBAL_CTRL/BNDCFGS loading, the TPR threshold against VTPR (C6,
 * needs the virtual-APIC page), the VMCS link pointer's revision (G15,
 * needs the region) and the PDPTEs (G16, PAE guests only).
 */
#include "flank/vmm_format.h"
#include "flank/vmm_vmcs_dump.h"
#include "strtab.h"
#include "vmcs_check_internal.h"

/*
 * Rule ids and citations as exact-size strings, found by offset (strtab.h):
 * no relocations in the PIC image and no padding. Each rule stores only its
 * section; the section holds the citation and the VM-instruction error.
 */
#define RULE_ID(grp, what, sec) #grp "." #what
#define CITATION(number) "SDM Vol. 3C " number
static const struct rule_strings {
#define ID_MEMBER(grp, what, sec)                                              \
	STRTAB_MEMBER(id_##grp##_##what, RULE_ID(grp, what, sec))
#define CITATION_MEMBER(name, number, err)                                     \
	STRTAB_MEMBER(cite_##name, CITATION(number))
	VMM_CHECK_RULES(ID_MEMBER)
	VMM_CHECK_SECTIONS(CITATION_MEMBER)
#undef ID_MEMBER
#undef CITATION_MEMBER
} strings = {
#define ID_INIT(grp, what, sec) .id_##grp##_##what = RULE_ID(grp, what, sec),
#define CITATION_INIT(name, number, err) .cite_##name = CITATION(number),
	VMM_CHECK_RULES(ID_INIT) VMM_CHECK_SECTIONS(CITATION_INIT)
#undef ID_INIT
#undef CITATION_INIT
};
STRTAB_FITS(struct rule_strings);

static const uint16_t rule_id_at[CR_COUNT] = {
#define ID_AT(grp, what, sec)                                                  \
	[CR_##grp##_##what] = offsetof(struct rule_strings, id_##grp##_##what),
	VMM_CHECK_RULES(ID_AT)
#undef ID_AT
};

static const uint8_t rule_section[CR_COUNT] = {
#define SECTION_OF(grp, what, sec) [CR_##grp##_##what] = CS_##sec,
	VMM_CHECK_RULES(SECTION_OF)
#undef SECTION_OF
};

static const struct {
	uint16_t citation_at;
	uint8_t vmx_error;
} sections[CS_COUNT] = {
#define SECTION_INFO(name, number, err)                                        \
	[CS_##name] = {offsetof(struct rule_strings, cite_##name), (err)},
	VMM_CHECK_SECTIONS(SECTION_INFO)
#undef SECTION_INFO
};

/* EPTP fields (SDM Vol. 3C 25.6.11), IA32_VMX_EPT_VPID_CAP (3D A.10). */
#define EPTP_AD BIT64(6)
#define EPTP_RESERVED_11_7 UINT64_C(0xF80)
#define EPT_CAP_WALK4 BIT64(6)
#define EPT_CAP_WALK5 BIT64(7)
#define EPT_CAP_UC BIT64(8)
#define EPT_CAP_WB BIT64(14)
#define EPT_CAP_AD BIT64(21)
/* An MSR-list entry is 16 bytes (SDM Vol. 3C 25.7.2). */
#define MSR_ENTRY_SIZE 16u
/* CPUID.(EAX=7,ECX=0):EBX bit 11: RTM. */
#define CPUID7_EBX_RTM BIT32(11)

uint32_t vmm_vmcs_check_rule_count(void)
{
	return CR_COUNT;
}

const char *vmm_vmcs_check_rule_id(uint32_t index)
{
	return index < CR_COUNT ? STRTAB_AT(strings, rule_id_at[index]) : NULL;
}

uint64_t vmcs_ck_read(struct vmcs_ck *c, uint32_t field)
{
	uint64_t v = 0;

	if (!vmx_ok(vmx_vmread(field, &v))) {
		if (!c->read_failed) {
			c->read_failed = true;
			c->res->field = field;
		}
		return 0;
	}
	return v;
}

bool vmcs_ck_fail(struct vmcs_ck *c, enum vmcs_check_rule rule, uint32_t field,
		  uint64_t value)
{
	struct vmm_vmcs_check_result *r = c->res;

	/* A rule computed from a failed read proves nothing. */
	if (c->read_failed)
		return false;
	r->status = VMM_VMCS_CHECK_FAIL;
	r->vmx_error = sections[rule_section[rule]].vmx_error;
	r->rule = STRTAB_AT(strings, rule_id_at[rule]);
	r->citation =
		STRTAB_AT(strings, sections[rule_section[rule]].citation_at);
	r->field = field;
	r->value = value;
	return false;
}

bool vmcs_ck_canonical(const struct vmcs_ck *c, uint64_t la)
{
	unsigned bits = c->la57 ? 57u : 48u;
	uint64_t top = la >> (bits - 1u);

	/* SDM Vol. 3A 3.3.7.1: bits 63:bits-1 all equal. */
	return top == 0 || top == (~UINT64_C(0) >> (bits - 1u));
}

bool vmcs_ck_pa_ok(const struct vmcs_ck *c, uint64_t pa)
{
	if (c->phys_width < 64 && (pa >> c->phys_width) != 0)
		return false;
	/* SDM Vol. 3D A.1: IA32_VMX_BASIC[48] limits addresses to 32 bits. */
	return (c->basic & VMX_BASIC_PHYS_ADDR_32) == 0 || (pa >> 32) == 0;
}

static bool page_ok(const struct vmcs_ck *c, uint64_t pa)
{
	return (pa & 0xFFFu) == 0 && vmcs_ck_pa_ok(c, pa);
}

/* Reads capability MSR @p msr; a #GP ends the run with MSR_FAILED. */
static bool cap(struct vmcs_ck *c, uint32_t msr, uint64_t *v)
{
	*v = 0;
	if (cpu_rdmsr_safe(msr, v) == CPU_SAFE_OK)
		return true;
	c->res->status = VMM_VMCS_CHECK_MSR_FAILED;
	c->res->field = msr;
	return false;
}

static bool read_caps(struct vmcs_ck *c)
{
	bool t;
	uint64_t efer = 0;
	struct cpu_cpuid_regs r;

	if (!cap(c, MSR_IA32_VMX_BASIC, &c->basic))
		return false;
	/* SDM Vol. 3D A.2: the TRUE MSRs apply iff IA32_VMX_BASIC[55]. */
	t = (c->basic & VMX_BASIC_TRUE_CTLS) != 0;
	if (!cap(c,
		 t ? MSR_IA32_VMX_TRUE_PINBASED_CTLS
		   : MSR_IA32_VMX_PINBASED_CTLS,
		 &c->pin_cap) ||
	    !cap(c,
		 t ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS
		   : MSR_IA32_VMX_PROCBASED_CTLS,
		 &c->proc_cap) ||
	    !cap(c, t ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS,
		 &c->exit_cap) ||
	    !cap(c, t ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS,
		 &c->entry_cap) ||
	    !cap(c, MSR_IA32_VMX_MISC, &c->misc) ||
	    !cap(c, MSR_IA32_VMX_CR0_FIXED0, &c->cr0_fixed0) ||
	    !cap(c, MSR_IA32_VMX_CR0_FIXED1, &c->cr0_fixed1) ||
	    !cap(c, MSR_IA32_VMX_CR4_FIXED0, &c->cr4_fixed0) ||
	    !cap(c, MSR_IA32_VMX_CR4_FIXED1, &c->cr4_fixed1))
		return false;
	/* SDM Vol. 3D A.3.3, A.10: these exist only with the features. */
	if ((ck_allowed1(c->proc_cap) & CPU_ACTIVATE_SECONDARY) != 0 &&
	    !cap(c, MSR_IA32_VMX_PROCBASED_CTLS2, &c->proc2_cap))
		return false;
	if ((ck_allowed1(c->proc2_cap) & (SEC_ENABLE_EPT | SEC_ENABLE_VPID)) !=
		    0 &&
	    !cap(c, MSR_IA32_VMX_EPT_VPID_CAP, &c->ept_cap))
		return false;
	c->phys_width = vmm_phys_width();
	if (c->phys_width == 0)
		c->phys_width = 36; /* SDM Vol. 2A CPUID: the default. */
	c->la57 = (cpu_read_cr4() & X86_CR4_LA57) != 0;
	c->ia32e = cpu_rdmsr_safe(MSR_IA32_EFER, &efer) == CPU_SAFE_OK &&
		   (efer & X86_EFER_LMA) != 0;
	cpu_cpuid(0, 0, &r);
	if (r.eax >= 7) {
		cpu_cpuid(7, 0, &r);
		c->rtm = (r.ebx & CPUID7_EBX_RTM) != 0;
	}
	return true;
}

/* The EPT pointer (SDM Vol. 3C 27.2.1.1, "enable EPT"). */
static bool ck_eptp(struct vmcs_ck *c)
{
	uint64_t e = vmcs_ck_read(c, VMCS_EPT_POINTER);
	unsigned type = (unsigned)(e & 7u), len = (unsigned)((e >> 3) & 7u) + 1;

	CK(c, C10_eptp_memtype, VMCS_EPT_POINTER, e,
	   (type == 0 && (c->ept_cap & EPT_CAP_UC)) ||
		   (type == 6 && (c->ept_cap & EPT_CAP_WB)));
	CK(c, C10_eptp_walk_length, VMCS_EPT_POINTER, e,
	   (len == 4 && (c->ept_cap & EPT_CAP_WALK4)) ||
		   (len == 5 && (c->ept_cap & EPT_CAP_WALK5)));
	CK(c, C10_eptp_ad, VMCS_EPT_POINTER, e,
	   !(e & EPTP_AD) || (c->ept_cap & EPT_CAP_AD));
	CK(c, C10_eptp_reserved, VMCS_EPT_POINTER, e,
	   (e & EPTP_RESERVED_11_7) == 0);
	CK(c, C10_eptp_width, VMCS_EPT_POINTER, e,
	   vmcs_ck_pa_ok(c, e & ~UINT64_C(0xFFF)));
	return true;
}

/* SDM Vol. 3C 27.2.1.1: VM-execution control fields. */
static bool ck_exec(struct vmcs_ck *c)
{
	uint32_t pin = c->pin, proc = c->proc, sec = c->sec;
	bool vid = (sec & SEC_VIRT_INTR_DELIVERY) != 0;
	uint64_t v;

	CK(c, C1_pin_allowed0, VMCS_PIN_BASED_VM_EXEC_CONTROL, pin,
	   (pin & ck_allowed0(c->pin_cap)) == ck_allowed0(c->pin_cap));
	CK(c, C1_pin_allowed1, VMCS_PIN_BASED_VM_EXEC_CONTROL, pin,
	   (pin & ~ck_allowed1(c->pin_cap)) == 0);
	CK(c, C1_proc_allowed0, VMCS_CPU_BASED_VM_EXEC_CONTROL, proc,
	   (proc & ck_allowed0(c->proc_cap)) == ck_allowed0(c->proc_cap));
	CK(c, C1_proc_allowed1, VMCS_CPU_BASED_VM_EXEC_CONTROL, proc,
	   (proc & ~ck_allowed1(c->proc_cap)) == 0);
	/* Secondary controls count only when activated (25.6.2). */
	if (proc & CPU_ACTIVATE_SECONDARY) {
		CK(c, C2_sec_allowed0, VMCS_SECONDARY_VM_EXEC_CONTROL, sec,
		   (sec & ck_allowed0(c->proc2_cap)) ==
			   ck_allowed0(c->proc2_cap));
		CK(c, C2_sec_allowed1, VMCS_SECONDARY_VM_EXEC_CONTROL, sec,
		   (sec & ~ck_allowed1(c->proc2_cap)) == 0);
	}
	v = vmcs_ck_read(c, VMCS_CR3_TARGET_COUNT);
	CK(c, C3_cr3_target_count, VMCS_CR3_TARGET_COUNT, v,
	   v <= VMX_MISC_CR3_TARGETS(c->misc));
	if (proc & CPU_USE_IO_BITMAPS) {
		v = vmcs_ck_read(c, VMCS_IO_BITMAP_A);
		CK(c, C4_io_bitmap_a, VMCS_IO_BITMAP_A, v, page_ok(c, v));
		v = vmcs_ck_read(c, VMCS_IO_BITMAP_B);
		CK(c, C4_io_bitmap_b, VMCS_IO_BITMAP_B, v, page_ok(c, v));
	}
	if (proc & CPU_USE_MSR_BITMAPS) {
		v = vmcs_ck_read(c, VMCS_MSR_BITMAP);
		CK(c, C4_msr_bitmap, VMCS_MSR_BITMAP, v, page_ok(c, v));
	}
	if (proc & CPU_USE_TPR_SHADOW) {
		v = vmcs_ck_read(c, VMCS_VIRTUAL_APIC_PAGE_ADDR);
		CK(c, C4_virtual_apic_page, VMCS_VIRTUAL_APIC_PAGE_ADDR, v,
		   page_ok(c, v));
		v = vmcs_ck_read(c, VMCS_TPR_THRESHOLD);
		if (!vid)
			CK(c, C6_tpr_threshold_high, VMCS_TPR_THRESHOLD, v,
			   (v & ~UINT64_C(0xF)) == 0);
	} else {
		CK(c, C7_x2apic_needs_tpr, VMCS_SECONDARY_VM_EXEC_CONTROL, sec,
		   !(sec & SEC_VIRT_X2APIC_MODE));
		CK(c, C7_apic_reg_needs_tpr, VMCS_SECONDARY_VM_EXEC_CONTROL,
		   sec, !(sec & SEC_APIC_REGISTER_VIRT));
		CK(c, C7_vid_needs_tpr, VMCS_SECONDARY_VM_EXEC_CONTROL, sec,
		   !vid);
	}
	CK(c, C5_vnmi_needs_nmi_exit, VMCS_PIN_BASED_VM_EXEC_CONTROL, pin,
	   (pin & PIN_NMI_EXITING) || !(pin & PIN_VIRTUAL_NMIS));
	CK(c, C5_nmi_window_needs_vnmi, VMCS_CPU_BASED_VM_EXEC_CONTROL, proc,
	   (pin & PIN_VIRTUAL_NMIS) || !(proc & CPU_NMI_WINDOW_EXITING));
	if (sec & SEC_VIRT_APIC_ACCESSES) {
		v = vmcs_ck_read(c, VMCS_APIC_ACCESS_ADDR);
		CK(c, C4_apic_access_page, VMCS_APIC_ACCESS_ADDR, v,
		   page_ok(c, v));
	}
	CK(c, C7_x2apic_excl_apic_access, VMCS_SECONDARY_VM_EXEC_CONTROL, sec,
	   !((sec & SEC_VIRT_X2APIC_MODE) && (sec & SEC_VIRT_APIC_ACCESSES)));
	CK(c, C7_vid_needs_ext_intr, VMCS_PIN_BASED_VM_EXEC_CONTROL, pin,
	   !vid || (pin & PIN_EXT_INTR_EXITING));
	if (sec & SEC_ENABLE_VPID) {
		v = vmcs_ck_read(c, VMCS_VPID);
		CK(c, C9_vpid_zero, VMCS_VPID, v, v != 0);
	}
	if ((sec & SEC_ENABLE_EPT) && !ck_eptp(c))
		return false;
	CK(c, C11_unrestricted_needs_ept, VMCS_SECONDARY_VM_EXEC_CONTROL, sec,
	   !(sec & SEC_UNRESTRICTED_GUEST) || (sec & SEC_ENABLE_EPT));
	return true;
}

/*
 * An MSR area with a non-zero count: 16-byte aligned, and its last byte
 * within the physical-address width (SDM Vol. 3C 27.2.1.2, 27.2.1.3).
 */
static bool msr_area(struct vmcs_ck *c, enum vmcs_check_rule rule,
		     uint32_t addr_field, uint32_t count_field)
{
	uint64_t count = vmcs_ck_read(c, count_field);
	uint64_t addr = vmcs_ck_read(c, addr_field);
	uint64_t last = addr + count * MSR_ENTRY_SIZE - 1u;

	if (count == 0)
		return true;
	if ((addr & 0xFu) != 0 || !vmcs_ck_pa_ok(c, addr) || last < addr ||
	    !vmcs_ck_pa_ok(c, last))
		return vmcs_ck_fail(c, rule, addr_field, addr);
	return true;
}

/* SDM Vol. 3C 27.2.1.2: VM-exit control fields. */
static bool ck_exit(struct vmcs_ck *c)
{
	uint32_t exit = c->exit;

	CK(c, C1_exit_allowed0, VMCS_VM_EXIT_CONTROLS, exit,
	   (exit & ck_allowed0(c->exit_cap)) == ck_allowed0(c->exit_cap));
	CK(c, C1_exit_allowed1, VMCS_VM_EXIT_CONTROLS, exit,
	   (exit & ~ck_allowed1(c->exit_cap)) == 0);
	CK(c, C13_save_timer_needs_timer, VMCS_VM_EXIT_CONTROLS, exit,
	   !(exit & EXIT_SAVE_PREEMPTION_TIMER) ||
		   (c->pin & PIN_PREEMPTION_TIMER));
	return msr_area(c, CR_C14_exit_msr_store, VMCS_VM_EXIT_MSR_STORE_ADDR,
			VMCS_VM_EXIT_MSR_STORE_COUNT) &&
	       msr_area(c, CR_C14_exit_msr_load, VMCS_VM_EXIT_MSR_LOAD_ADDR,
			VMCS_VM_EXIT_MSR_LOAD_COUNT);
}

/* Exceptions that push an error code: 8, 10-14, 17, 21 (SDM 3A 6.15). */
static bool has_error_code(unsigned vector)
{
	return vector == X86_VEC_DF ||
	       (vector >= X86_VEC_TS && vector <= X86_VEC_PF) ||
	       vector == X86_VEC_AC || vector == X86_VEC_CP;
}

/* SDM Vol. 3C 27.2.1.3: event injection (C16). */
static bool ck_injection(struct vmcs_ck *c)
{
	const uint32_t f = VMCS_VM_ENTRY_INTR_INFO;
	uint32_t info = (uint32_t)vmcs_ck_read(c, f);
	unsigned type = (info & INTR_INFO_TYPE_MASK) >> INTR_INFO_TYPE_SHIFT;
	unsigned vec = info & INTR_INFO_VECTOR_MASK;
	bool pe = (vmcs_ck_read(c, VMCS_GUEST_CR0) & X86_CR0_PE) != 0;
	bool want_code;
	uint64_t v;

	if (!(info & INTR_INFO_VALID))
		return true;
	CK(c, C16_type_reserved, f, info, type != INTR_TYPE_RESERVED);
	CK(c, C16_type_other_no_mtf, f, info,
	   type != INTR_TYPE_OTHER_EVENT ||
		   (ck_allowed1(c->proc_cap) & CPU_MONITOR_TRAP_FLAG));
	CK(c, C16_nmi_vector, f, info,
	   type != INTR_TYPE_NMI || vec == X86_VEC_NMI);
	CK(c, C16_exception_vector, f, info,
	   type != INTR_TYPE_HARD_EXCEPTION || vec <= 31);
	CK(c, C16_other_vector, f, info,
	   type != INTR_TYPE_OTHER_EVENT || vec == 0);
	want_code = (!(c->sec & SEC_UNRESTRICTED_GUEST) || pe) &&
		    type == INTR_TYPE_HARD_EXCEPTION && has_error_code(vec);
	/* IA32_VMX_BASIC[56]: a hardware exception with or without an error
	 * code, whatever the vector (SDM Vol. 3D A.1, Vol. 3C 27.2.1.3). */
	if ((c->basic & BIT64(56)) &&
	    (!(c->sec & SEC_UNRESTRICTED_GUEST) || pe) &&
	    type == INTR_TYPE_HARD_EXCEPTION)
		want_code = (info & INTR_INFO_DELIVER_CODE) != 0;
	CK(c, C16_deliver_code, f, info,
	   ((info & INTR_INFO_DELIVER_CODE) != 0) == want_code);
	CK(c, C16_reserved_bits, f, info, (info & 0x7FFFF000u) == 0);
	if (info & INTR_INFO_DELIVER_CODE) {
		v = vmcs_ck_read(c, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE);
		CK(c, C16_error_code_high, VMCS_VM_ENTRY_EXCEPTION_ERROR_CODE,
		   v, (v & 0xFFFF0000u) == 0);
	}
	if (type == INTR_TYPE_SOFT_INTR ||
	    type == INTR_TYPE_PRIV_SW_EXCEPTION ||
	    type == INTR_TYPE_SOFT_EXCEPTION) {
		v = vmcs_ck_read(c, VMCS_VM_ENTRY_INSTRUCTION_LEN);
		CK(c, C16_insn_len_range, VMCS_VM_ENTRY_INSTRUCTION_LEN, v,
		   v <= 15);
		CK(c, C16_insn_len_zero, VMCS_VM_ENTRY_INSTRUCTION_LEN, v,
		   v != 0 || (c->misc & VMX_MISC_ZERO_LEN_INJECT));
	}
	return true;
}

/* SDM Vol. 3C 27.2.1.3: VM-entry control fields. */
static bool ck_entry(struct vmcs_ck *c)
{
	uint32_t entry = c->entry;

	CK(c, C1_entry_allowed0, VMCS_VM_ENTRY_CONTROLS, entry,
	   (entry & ck_allowed0(c->entry_cap)) == ck_allowed0(c->entry_cap));
	CK(c, C1_entry_allowed1, VMCS_VM_ENTRY_CONTROLS, entry,
	   (entry & ~ck_allowed1(c->entry_cap)) == 0);
	if (!ck_injection(c) ||
	    !msr_area(c, CR_C14_entry_msr_load, VMCS_VM_ENTRY_MSR_LOAD_ADDR,
		      VMCS_VM_ENTRY_MSR_LOAD_COUNT))
		return false;
	/* libvmm never runs in SMM: both SMM controls must be 0. */
	CK(c, C15_entry_to_smm, VMCS_VM_ENTRY_CONTROLS, entry,
	   !(entry & ENTRY_TO_SMM));
	CK(c, C15_deact_dual_monitor, VMCS_VM_ENTRY_CONTROLS, entry,
	   !(entry & ENTRY_DEACT_DUAL_MONITOR));
	return true;
}

bool vmcs_ck_controls(struct vmcs_ck *c)
{
	return ck_exec(c) && ck_exit(c) && ck_entry(c);
}

int vmm_vmcs_check(struct vmm_vmcs_check_result *res)
{
	struct vmcs_ck c;

	vmm_zero(&c, sizeof(c));
	vmm_zero(res, sizeof(*res));
	res->rule = "";
	res->citation = "";
	c.res = res;
	if (!read_caps(&c))
		return (int)res->status;
	c.pin = (uint32_t)vmcs_ck_read(&c, VMCS_PIN_BASED_VM_EXEC_CONTROL);
	c.proc = (uint32_t)vmcs_ck_read(&c, VMCS_CPU_BASED_VM_EXEC_CONTROL);
	/*
	 * The secondary controls are 0 unless activated (SDM Vol. 3C
	 * 25.6.2). On a CPU without them (IA32_VMX_PROCBASED_CTLS[63] = 0,
	 * SDM Vol. 3D A.3.2) the field does not exist and VMREAD fails: a
	 * set "activate secondary controls" bit is then C1.proc_allowed1,
	 * which ck_exec() reports before anything reads the field.
	 */
	if ((c.proc & CPU_ACTIVATE_SECONDARY) &&
	    (ck_allowed1(c.proc_cap) & CPU_ACTIVATE_SECONDARY))
		c.sec = (uint32_t)vmcs_ck_read(&c,
					       VMCS_SECONDARY_VM_EXEC_CONTROL);
	c.exit = (uint32_t)vmcs_ck_read(&c, VMCS_VM_EXIT_CONTROLS);
	c.entry = (uint32_t)vmcs_ck_read(&c, VMCS_VM_ENTRY_CONTROLS);
	if (!c.read_failed)
		(void)(vmcs_ck_controls(&c) && vmcs_ck_host(&c) &&
		       vmcs_ck_guest_regs(&c) && vmcs_ck_guest_segments(&c) &&
		       vmcs_ck_guest_rest(&c));
	if (c.read_failed)
		res->status = VMM_VMCS_CHECK_VMREAD_FAILED;
	return (int)res->status;
}

size_t vmm_vmcs_check_describe(const struct vmm_vmcs_check_result *res,
			       char *buf, size_t size)
{
	const char *name = vmm_vmcs_field_name(res->field);
	size_t n;

	if (name == NULL)
		name = "?";
	switch (res->status) {
	case VMM_VMCS_CHECK_PASS:
		n = vmm_snprintf(buf, size, "no failing rule found");
		break;
	case VMM_VMCS_CHECK_FAIL:
		/* The value at the field's width, as the VMCS dump shows it. */
		n = vmm_snprintf(buf, size,
				 vmcs_field_width(res->field) == VMCS_WIDTH_16
					 ? "rule %s (%s): %s = 0x%04llx"
				 : vmcs_field_width(res->field) == VMCS_WIDTH_32
					 ? "rule %s (%s): %s = 0x%08llx"
					 : "rule %s (%s): %s = 0x%016llx",
				 res->rule, res->citation, name,
				 (unsigned long long)res->value);
		break;
	case VMM_VMCS_CHECK_VMREAD_FAILED:
		n = vmm_snprintf(buf, size, "VMREAD of %s failed", name);
		break;
	default:
		n = vmm_snprintf(buf, size, "RDMSR 0x%x raised #GP",
				 res->field);
		break;
	}
	return n < size ? n : (size > 0 ? size - 1 : 0);
}
