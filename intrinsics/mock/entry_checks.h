/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared machinery of the VM-entry checks (entry_*.c): the one list of rules
 * with their stable identifiers and SDM citations, the CHECK() macro that
 * records which rule fired, and helpers for capability MSRs and VMCS reads.
 *
 * Every rule is listed once, in MOCK_ENTRY_RULES, as
 *   X(group, what, section, qualification)
 * which gives the identifier "group.what" (e.g. "H6.cs_null"), the citation
 * "SDM Vol. 3C <section>" and, for guest-state rules, the exit
 * qualification (SDM Vol. 3C 27.8: 2 PDPTE, 3 NMI with STI blocking, 4 VMCS
 * link pointer). The groups are those of shared/VMX-CHECKS.md. Within each
 * group the order is the SDM's; the stage functions evaluate them in the
 * SDM's order too.
 */
#ifndef FLANK_MOCK_ENTRY_CHECKS_H
#define FLANK_MOCK_ENTRY_CHECKS_H

#include "mock_internal.h"

/* clang-format off */
#define MOCK_ENTRY_RULES(X)                                                   \
	/* SDM Vol. 3C 27.2.1.1: VM-execution control fields. */              \
	X(C1, pin_allowed0,        "27.2.1.1", 0)                             \
	X(C1, pin_allowed1,        "27.2.1.1", 0)                             \
	X(C1, proc_allowed0,       "27.2.1.1", 0)                             \
	X(C1, proc_allowed1,       "27.2.1.1", 0)                             \
	X(C2, sec_allowed0,        "27.2.1.1", 0)                             \
	X(C2, sec_allowed1,        "27.2.1.1", 0)                             \
	X(C2, tertiary_allowed1,   "27.2.1.1", 0)                             \
	X(C3, cr3_target_count,    "27.2.1.1", 0)                             \
	X(C4, io_bitmap_a,         "27.2.1.1", 0)                             \
	X(C4, io_bitmap_b,         "27.2.1.1", 0)                             \
	X(C4, msr_bitmap,          "27.2.1.1", 0)                             \
	X(C4, virtual_apic_page,   "27.2.1.1", 0)                             \
	X(C6, tpr_threshold_high,  "27.2.1.1", 0)                             \
	X(C6, tpr_threshold_vtpr,  "27.2.1.1", 0)                             \
	X(C7, x2apic_needs_tpr,    "27.2.1.1", 0)                             \
	X(C7, apic_reg_needs_tpr,  "27.2.1.1", 0)                             \
	X(C7, vid_needs_tpr,       "27.2.1.1", 0)                             \
	X(C5, vnmi_needs_nmi_exit, "27.2.1.1", 0)                             \
	X(C5, nmi_window_needs_vnmi, "27.2.1.1", 0)                           \
	X(C4, apic_access_page,    "27.2.1.1", 0)                             \
	X(C7, x2apic_excl_apic_access, "27.2.1.1", 0)                         \
	X(C7, vid_needs_ext_intr,  "27.2.1.1", 0)                             \
	X(C8, posted_needs_vid,    "27.2.1.1", 0)                             \
	X(C8, posted_needs_ack,    "27.2.1.1", 0)                             \
	X(C8, posted_vector,       "27.2.1.1", 0)                             \
	X(C8, posted_desc,         "27.2.1.1", 0)                             \
	X(C9, vpid_zero,           "27.2.1.1", 0)                             \
	X(C10, eptp_memtype,       "27.2.1.1", 0)                             \
	X(C10, eptp_walk_length,   "27.2.1.1", 0)                             \
	X(C10, eptp_ad,            "27.2.1.1", 0)                             \
	X(C10, eptp_reserved,      "27.2.1.1", 0)                             \
	X(C10, eptp_width,         "27.2.1.1", 0)                             \
	X(C11, pml_needs_ept,      "27.2.1.1", 0)                             \
	X(C4, pml_address,         "27.2.1.1", 0)                             \
	X(C11, unrestricted_needs_ept, "27.2.1.1", 0)                         \
	X(C11, mbe_needs_ept,      "27.2.1.1", 0)                             \
	X(C11, spp_needs_ept,      "27.2.1.1", 0)                             \
	X(C11, vmfunc_allowed,     "27.2.1.1", 0)                             \
	X(C11, eptp_switch_needs_ept, "27.2.1.1", 0)                          \
	X(C4, eptp_list,           "27.2.1.1", 0)                             \
	X(C4, vmread_bitmap,       "27.2.1.1", 0)                             \
	X(C4, vmwrite_bitmap,      "27.2.1.1", 0)                             \
	X(C4, ve_info,             "27.2.1.1", 0)                             \
	X(C11, tsc_multiplier_zero, "27.2.1.1", 0)                            \
	/* SDM Vol. 3C 27.2.1.2: VM-exit control fields. */                   \
	X(C1, exit_allowed0,       "27.2.1.2", 0)                             \
	X(C1, exit_allowed1,       "27.2.1.2", 0)                             \
	X(C13, save_timer_needs_timer, "27.2.1.2", 0)                         \
	X(C14, exit_msr_store,     "27.2.1.2", 0)                             \
	X(C14, exit_msr_load,      "27.2.1.2", 0)                             \
	/* SDM Vol. 3C 27.2.1.3: VM-entry control fields. */                  \
	X(C1, entry_allowed0,      "27.2.1.3", 0)                             \
	X(C1, entry_allowed1,      "27.2.1.3", 0)                             \
	X(C16, type_reserved,      "27.2.1.3", 0)                             \
	X(C16, type_other_no_mtf,  "27.2.1.3", 0)                             \
	X(C16, nmi_vector,         "27.2.1.3", 0)                             \
	X(C16, exception_vector,   "27.2.1.3", 0)                             \
	X(C16, other_vector,       "27.2.1.3", 0)                             \
	X(C16, deliver_code,       "27.2.1.3", 0)                             \
	X(C16, reserved_bits,      "27.2.1.3", 0)                             \
	X(C16, error_code_high,    "27.2.1.3", 0)                             \
	X(C16, insn_len_range,     "27.2.1.3", 0)                             \
	X(C16, insn_len_zero,      "27.2.1.3", 0)                             \
	X(C14, entry_msr_load,     "27.2.1.3", 0)                             \
	X(C15, entry_to_smm,       "27.2.1.3", 0)                             \
	X(C15, deact_dual_monitor, "27.2.1.3", 0)                             \
	/* SDM Vol. 3C 27.2.2: host control registers and MSRs. */            \
	X(H2, cr0_fixed0,          "27.2.2", 0)                               \
	X(H2, cr0_fixed1,          "27.2.2", 0)                               \
	X(H2, cr4_fixed0,          "27.2.2", 0)                               \
	X(H2, cr4_fixed1,          "27.2.2", 0)                               \
	X(H2, cr3_width,           "27.2.2", 0)                               \
	X(H3, cr4_cet_wp,          "27.2.2", 0)                               \
	X(H4, sysenter_esp,        "27.2.2", 0)                               \
	X(H4, sysenter_eip,        "27.2.2", 0)                               \
	X(H3, s_cet,               "27.2.2", 0)                               \
	X(H3, ssp,                 "27.2.2", 0)                               \
	X(H3, isst,                "27.2.2", 0)                               \
	X(H5, perf_global,         "27.2.2", 0)                               \
	X(H5, pat,                 "27.2.2", 0)                               \
	X(H5, efer_reserved,       "27.2.2", 0)                               \
	X(H5, efer_lma,            "27.2.2", 0)                               \
	X(H5, efer_lme,            "27.2.2", 0)                               \
	/* SDM Vol. 3C 27.2.3: host segment and descriptor-table registers. */ \
	X(H6, es_rpl_ti,           "27.2.3", 0)                               \
	X(H6, cs_rpl_ti,           "27.2.3", 0)                               \
	X(H6, ss_rpl_ti,           "27.2.3", 0)                               \
	X(H6, ds_rpl_ti,           "27.2.3", 0)                               \
	X(H6, fs_rpl_ti,           "27.2.3", 0)                               \
	X(H6, gs_rpl_ti,           "27.2.3", 0)                               \
	X(H6, tr_rpl_ti,           "27.2.3", 0)                               \
	X(H6, cs_null,             "27.2.3", 0)                               \
	X(H6, tr_null,             "27.2.3", 0)                               \
	X(H6, ss_null,             "27.2.3", 0)                               \
	X(H7, fs_base,             "27.2.3", 0)                               \
	X(H7, gs_base,             "27.2.3", 0)                               \
	X(H7, gdtr_base,           "27.2.3", 0)                               \
	X(H7, idtr_base,           "27.2.3", 0)                               \
	X(H7, tr_base,             "27.2.3", 0)                               \
	/* SDM Vol. 3C 27.2.4: address-space size. */                         \
	X(H1, outside_ia32e_guest, "27.2.4", 0)                               \
	X(H1, outside_ia32e_host,  "27.2.4", 0)                               \
	X(H1, ia32e_host_size,     "27.2.4", 0)                               \
	X(H8, pcide_32bit_host,    "27.2.4", 0)                               \
	X(H8, rip_32bit_host,      "27.2.4", 0)                               \
	X(H8, pae,                 "27.2.4", 0)                               \
	X(H8, rip_canonical,       "27.2.4", 0)                               \
	/* SDM Vol. 3C 27.3.1.1: guest control, debug registers, MSRs. */     \
	X(G1, cr0_fixed0,          "27.3.1.1", 0)                             \
	X(G1, cr0_fixed1,          "27.3.1.1", 0)                             \
	X(G1, cr0_pg_pe,           "27.3.1.1", 0)                             \
	X(G1, cr4_fixed0,          "27.3.1.1", 0)                             \
	X(G1, cr4_fixed1,          "27.3.1.1", 0)                             \
	X(G4, cr4_cet_wp,          "27.3.1.1", 0)                             \
	X(G3, debugctl_reserved,   "27.3.1.1", 0)                             \
	X(G2, ia32e_pg,            "27.3.1.1", 0)                             \
	X(G2, ia32e_pae,           "27.3.1.1", 0)                             \
	X(G2, pcide,               "27.3.1.1", 0)                             \
	X(G1, cr3_width,           "27.3.1.1", 0)                             \
	X(G3, dr7_high,            "27.3.1.1", 0)                             \
	X(G4, sysenter_esp,        "27.3.1.1", 0)                             \
	X(G4, sysenter_eip,        "27.3.1.1", 0)                             \
	X(G4, s_cet,               "27.3.1.1", 0)                             \
	X(G4, isst,                "27.3.1.1", 0)                             \
	X(G4, perf_global,         "27.3.1.1", 0)                             \
	X(G4, pat,                 "27.3.1.1", 0)                             \
	X(G4, efer_reserved,       "27.3.1.1", 0)                             \
	X(G4, efer_lma,            "27.3.1.1", 0)                             \
	X(G4, efer_lme,            "27.3.1.1", 0)                             \
	X(G4, bndcfgs,             "27.3.1.1", 0)                             \
	X(G4, ssp,                 "27.3.1.1", 0)                             \
	/* SDM Vol. 3C 27.3.1.2: guest segment registers. */                  \
	X(G9, tr_ti,               "27.3.1.2", 0)                             \
	X(G9, ldtr_ti,             "27.3.1.2", 0)                             \
	X(G8, ss_rpl_cs_rpl,       "27.3.1.2", 0)                             \
	X(G6, v86_base,            "27.3.1.2", 0)                             \
	X(G9, tr_base,             "27.3.1.2", 0)                             \
	X(G7, fs_base,             "27.3.1.2", 0)                             \
	X(G7, gs_base,             "27.3.1.2", 0)                             \
	X(G9, ldtr_base,           "27.3.1.2", 0)                             \
	X(G7, cs_base_high,        "27.3.1.2", 0)                             \
	X(G7, ss_base_high,        "27.3.1.2", 0)                             \
	X(G7, ds_base_high,        "27.3.1.2", 0)                             \
	X(G7, es_base_high,        "27.3.1.2", 0)                             \
	X(G6, v86_limit,           "27.3.1.2", 0)                             \
	X(G6, v86_ar,              "27.3.1.2", 0)                             \
	X(G8, cs_type,             "27.3.1.2", 0)                             \
	X(G8, ss_type,             "27.3.1.2", 0)                             \
	X(G8, data_accessed,       "27.3.1.2", 0)                             \
	X(G8, code_readable,       "27.3.1.2", 0)                             \
	X(G7, s_bit,               "27.3.1.2", 0)                             \
	X(G8, cs_dpl_type3,        "27.3.1.2", 0)                             \
	X(G8, cs_dpl_nonconforming, "27.3.1.2", 0)                            \
	X(G8, cs_dpl_conforming,   "27.3.1.2", 0)                             \
	X(G8, ss_dpl_rpl,          "27.3.1.2", 0)                             \
	X(G8, ss_dpl_real,         "27.3.1.2", 0)                             \
	X(G8, data_dpl_rpl,        "27.3.1.2", 0)                             \
	X(G7, present,             "27.3.1.2", 0)                             \
	X(G7, ar_reserved_11_8,    "27.3.1.2", 0)                             \
	X(G8, cs_l_d,              "27.3.1.2", 0)                             \
	X(G7, granularity,         "27.3.1.2", 0)                             \
	X(G7, ar_reserved_31_17,   "27.3.1.2", 0)                             \
	X(G9, tr_type,             "27.3.1.2", 0)                             \
	X(G9, tr_s,                "27.3.1.2", 0)                             \
	X(G9, tr_present,          "27.3.1.2", 0)                             \
	X(G9, tr_ar_reserved,      "27.3.1.2", 0)                             \
	X(G9, tr_granularity,      "27.3.1.2", 0)                             \
	X(G9, tr_unusable,         "27.3.1.2", 0)                             \
	X(G9, ldtr_type,           "27.3.1.2", 0)                             \
	X(G9, ldtr_s,              "27.3.1.2", 0)                             \
	X(G9, ldtr_present,        "27.3.1.2", 0)                             \
	X(G9, ldtr_ar_reserved,    "27.3.1.2", 0)                             \
	X(G9, ldtr_granularity,    "27.3.1.2", 0)                             \
	/* SDM Vol. 3C 27.3.1.3: GDTR and IDTR. */                            \
	X(G10, gdtr_base,          "27.3.1.3", 0)                             \
	X(G10, idtr_base,          "27.3.1.3", 0)                             \
	X(G10, gdtr_limit,         "27.3.1.3", 0)                             \
	X(G10, idtr_limit,         "27.3.1.3", 0)                             \
	/* SDM Vol. 3C 27.3.1.4: RIP and RFLAGS. */                           \
	X(G11, rip_high,           "27.3.1.4", 0)                             \
	X(G11, rip_canonical,      "27.3.1.4", 0)                             \
	X(G5, rflags_reserved,     "27.3.1.4", 0)                             \
	X(G5, rflags_fixed1,       "27.3.1.4", 0)                             \
	X(G5, rflags_vm,           "27.3.1.4", 0)                             \
	X(G5, rflags_if_ext_intr,  "27.3.1.4", 0)                             \
	/* SDM Vol. 3C 27.3.1.5: non-register state. */                       \
	X(G12, activity_range,     "27.3.1.5", 0)                             \
	X(G12, activity_supported, "27.3.1.5", 0)                             \
	X(G12, hlt_ss_dpl,         "27.3.1.5", 0)                             \
	X(G12, blocking_not_active, "27.3.1.5", 0)                            \
	X(G12, inject_in_hlt,      "27.3.1.5", 0)                             \
	X(G12, inject_in_shutdown, "27.3.1.5", 0)                             \
	X(G12, inject_in_sipi,     "27.3.1.5", 0)                             \
	X(G13, reserved,           "27.3.1.5", 0)                             \
	X(G13, sti_and_movss,      "27.3.1.5", 0)                             \
	X(G13, sti_needs_if,       "27.3.1.5", 0)                             \
	X(G13, ext_intr_blocked,   "27.3.1.5", 0)                             \
	X(G13, nmi_movss,          "27.3.1.5", 0)                             \
	X(G13, nmi_sti,            "27.3.1.5", 3)                             \
	X(G13, smi_outside_smm,    "27.3.1.5", 0)                             \
	X(G13, nmi_blocked_vnmi,   "27.3.1.5", 0)                             \
	X(G14, reserved,           "27.3.1.5", 0)                             \
	X(G14, bs_set,             "27.3.1.5", 0)                             \
	X(G14, bs_clear,           "27.3.1.5", 0)                             \
	X(G15, link_aligned,       "27.3.1.5", 4)                             \
	X(G15, link_width,         "27.3.1.5", 4)                             \
	X(G15, link_revision,      "27.3.1.5", 4)                             \
	X(G15, link_shadow,        "27.3.1.5", 4)                             \
	X(G15, link_current,       "27.3.1.5", 4)                             \
	/* SDM Vol. 3C 27.3.1.6: PDPTEs for PAE paging. */                    \
	X(G16, pdpte_reserved,     "27.3.1.6", 2)                             \
	/* SDM Vol. 3C 27.4: VM-entry MSR-load list (exit 34). */             \
	X(G17, count,              "27.4", 0)                                 \
	X(G17, reserved,           "27.4", 0)                                 \
	X(G17, fs_gs_base,         "27.4", 0)                                 \
	X(G17, x2apic,             "27.4", 0)                                 \
	X(G17, smm_only,           "27.4", 0)                                 \
	X(G17, microcode,          "27.4", 0)                                 \
	X(G17, wrmsr_gp,           "27.4", 0)
/* clang-format on */

enum entry_rule {
#define ENTRY_RULE_ENUM(grp, what, sec, qual) RULE_##grp##_##what,
	MOCK_ENTRY_RULES(ENTRY_RULE_ENUM)
#undef ENTRY_RULE_ENUM
		RULE_COUNT
};

/**
 * Records @p rule in @p fail (identifier, citation, exit reason with bit 31
 * for guest-state and MSR-load rules, the rule's qualification) and returns
 * false, so that a check can `return entry_fail(...)`.
 */
bool entry_fail(struct mock_check_failure *fail, enum entry_rule rule);

/** As entry_fail(), with an explicit exit qualification. */
bool entry_fail_qual(struct mock_check_failure *fail, enum entry_rule rule,
		     uint64_t qualification);

/*
 * KVM-style flat checks: CHECK(H6, cs_null, cond) returns false from the
 * enclosing stage, naming "H6.cs_null", unless cond holds. Needs a local
 * `struct mock_check_failure *fail`.
 */
#define CHECK(grp, what, cond)                                                 \
	do {                                                                   \
		if (!(cond))                                                   \
			return entry_fail(fail, RULE_##grp##_##what);          \
	} while (0)

/* Index of a component in struct mock_vmcs.field, known at compile time. */
enum entry_vmcs_index {
#define ENTRY_VMCS_IDX(name, enc, feat) VIDX_##name,
	VMCS_FIELD_LIST(ENTRY_VMCS_IDX)
#undef ENTRY_VMCS_IDX
};

/* Reads a component by name without a lookup: VF(vmcs, GUEST_CR0). */
#define VF(vmcs, name) ((vmcs)->field[VIDX_##name])

/** Capability-MSR view of one CPU, read once per stage. */
struct entry_caps {
	uint64_t basic;
	uint64_t pin, proc, exit, entry; /* TRUE MSRs iff basic[55] */
	uint64_t proc2;			 /* 0 if the CPU has none */
	uint64_t proc3;
	uint64_t misc;
	uint64_t ept_vpid;
	uint64_t vmfunc;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

/** Reads the capability MSRs of @p cpu (SDM Vol. 3D Appendix A). */
void entry_read_caps(const struct mock_cpu *cpu, struct entry_caps *caps);

/** Allowed-0 settings (must be 1) of a capability value: low dword. */
static inline uint32_t cap_allowed0(uint64_t cap)
{
	return (uint32_t)cap;
}

/** Allowed-1 settings (may be 1) of a capability value: high dword. */
static inline uint32_t cap_allowed1(uint64_t cap)
{
	return (uint32_t)(cap >> 32);
}

/**
 * The secondary controls in effect: the field when "activate secondary
 * controls" is 1, else 0 (SDM Vol. 3C 25.6.2).
 */
static inline uint32_t entry_secondary(const struct mock_vmcs *vmcs)
{
	if (!(VF(vmcs, CPU_BASED_VM_EXEC_CONTROL) & CPU_ACTIVATE_SECONDARY))
		return 0;
	return (uint32_t)VF(vmcs, SECONDARY_VM_EXEC_CONTROL);
}

/** True if the IA-32e mode guest entry control is 1. */
static inline bool entry_ia32e_guest(const struct mock_vmcs *vmcs)
{
	return (VF(vmcs, VM_ENTRY_CONTROLS) & ENTRY_IA32E_MODE_GUEST) != 0;
}

/**
 * A physical address a VMCS field may hold: within the physical-address
 * width, and below 4 GiB when IA32_VMX_BASIC[48] says so (SDM Vol. 3D A.1).
 */
bool entry_pa_ok(const struct entry_caps *caps, uint64_t pa);

/** entry_pa_ok() and 4 KiB aligned. */
bool entry_page_ok(const struct entry_caps *caps, uint64_t pa);

/** Each byte of a PAT value is 0, 1, 4, 5, 6 or 7 (SDM Vol. 3A 11.12.2). */
bool entry_pat_ok(uint64_t pat);

/** IA32_EFER bits that are reserved (not SCE, LME, LMA, NXE). */
#define ENTRY_EFER_RESERVED                                                    \
	(~(X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA | X86_EFER_NXE))

/**
 * IA32_PERF_GLOBAL_CTRL bits that are reserved on @p cpu: everything but
 * one enable per general-purpose and fixed counter (CPUID.0AH).
 */
uint64_t entry_perf_global_reserved(const struct mock_cpu *cpu);

/** True if (@p v & fixed1) | fixed0 == @p v for the allowed-0 part. */
static inline bool fixed0_ok(uint64_t v, uint64_t fixed0)
{
	return (v & fixed0) == fixed0;
}

/** True if @p v sets no bit that FIXED1 says must be 0. */
static inline bool fixed1_ok(uint64_t v, uint64_t fixed1)
{
	return (v & ~fixed1) == 0;
}

/**
 * Reads @p len bytes of physical memory for a check. Memory that is not
 * mapped reads as all ones, like a read that nothing answers on real
 * hardware, so a VMCS pointing at nothing fails the check that reads it.
 */
void entry_mem_read(uint64_t pa, void *buf, size_t len);

/* Stages of the guest-state checks (entry_guest*.c), in the SDM's order. */
bool entry_check_guest_segments(const struct entry_caps *caps,
				const struct mock_vmcs *vmcs,
				struct mock_check_failure *fail);
bool entry_check_guest_nonregister(const struct mock_cpu *cpu,
				   const struct entry_caps *caps,
				   const struct mock_vmcs *vmcs,
				   struct mock_check_failure *fail);
bool entry_check_guest_pdptes(const struct mock_vmcs *vmcs,
			      struct mock_check_failure *fail);

#endif /* FLANK_MOCK_ENTRY_CHECKS_H */
