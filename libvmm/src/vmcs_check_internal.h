/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared machinery of libvmm's VMCS consistency checker (vmcs_check*.c):
 * the rule list, the checker context and the CK() macro. Not installed.
 *
 * Every rule is listed once, as X(group, what, section, vmx_error): the
 * identifier "group.what" (the emulator's spelling, a test holds the two
 * lists together), the citation "SDM Vol. 3C <section>", and what the CPU
 * reports when it fails (7, 8, or 0 for exit reason 33).
 */
#ifndef FLANK_VMCS_CHECK_INTERNAL_H
#define FLANK_VMCS_CHECK_INTERNAL_H

#include "flank/vmm_vmcs_check.h"
#include "vmm_internal.h"

/* clang-format off */
#define VMM_CHECK_RULES(X)                                                    \
	/* SDM Vol. 3C 27.2.1.1: VM-execution control fields. */              \
	X(C1, pin_allowed0,          "27.2.1.1", 7)                           \
	X(C1, pin_allowed1,          "27.2.1.1", 7)                           \
	X(C1, proc_allowed0,         "27.2.1.1", 7)                           \
	X(C1, proc_allowed1,         "27.2.1.1", 7)                           \
	X(C2, sec_allowed0,          "27.2.1.1", 7)                           \
	X(C2, sec_allowed1,          "27.2.1.1", 7)                           \
	X(C3, cr3_target_count,      "27.2.1.1", 7)                           \
	X(C4, io_bitmap_a,           "27.2.1.1", 7)                           \
	X(C4, io_bitmap_b,           "27.2.1.1", 7)                           \
	X(C4, msr_bitmap,            "27.2.1.1", 7)                           \
	X(C4, virtual_apic_page,     "27.2.1.1", 7)                           \
	X(C6, tpr_threshold_high,    "27.2.1.1", 7)                           \
	X(C7, x2apic_needs_tpr,      "27.2.1.1", 7)                           \
	X(C7, apic_reg_needs_tpr,    "27.2.1.1", 7)                           \
	X(C7, vid_needs_tpr,         "27.2.1.1", 7)                           \
	X(C5, vnmi_needs_nmi_exit,   "27.2.1.1", 7)                           \
	X(C5, nmi_window_needs_vnmi, "27.2.1.1", 7)                           \
	X(C4, apic_access_page,      "27.2.1.1", 7)                           \
	X(C7, x2apic_excl_apic_access, "27.2.1.1", 7)                         \
	X(C7, vid_needs_ext_intr,    "27.2.1.1", 7)                           \
	X(C9, vpid_zero,             "27.2.1.1", 7)                           \
	X(C10, eptp_memtype,         "27.2.1.1", 7)                           \
	X(C10, eptp_walk_length,     "27.2.1.1", 7)                           \
	X(C10, eptp_ad,              "27.2.1.1", 7)                           \
	X(C10, eptp_reserved,        "27.2.1.1", 7)                           \
	X(C10, eptp_width,           "27.2.1.1", 7)                           \
	X(C11, unrestricted_needs_ept, "27.2.1.1", 7)                         \
	/* SDM Vol. 3C 27.2.1.2: VM-exit control fields. */                   \
	X(C1, exit_allowed0,         "27.2.1.2", 7)                           \
	X(C1, exit_allowed1,         "27.2.1.2", 7)                           \
	X(C13, save_timer_needs_timer, "27.2.1.2", 7)                         \
	X(C14, exit_msr_store,       "27.2.1.2", 7)                           \
	X(C14, exit_msr_load,        "27.2.1.2", 7)                           \
	/* SDM Vol. 3C 27.2.1.3: VM-entry control fields. */                  \
	X(C1, entry_allowed0,        "27.2.1.3", 7)                           \
	X(C1, entry_allowed1,        "27.2.1.3", 7)                           \
	X(C16, type_reserved,        "27.2.1.3", 7)                           \
	X(C16, type_other_no_mtf,    "27.2.1.3", 7)                           \
	X(C16, nmi_vector,           "27.2.1.3", 7)                           \
	X(C16, exception_vector,     "27.2.1.3", 7)                           \
	X(C16, other_vector,         "27.2.1.3", 7)                           \
	X(C16, deliver_code,         "27.2.1.3", 7)                           \
	X(C16, reserved_bits,        "27.2.1.3", 7)                           \
	X(C16, error_code_high,      "27.2.1.3", 7)                           \
	X(C16, insn_len_range,       "27.2.1.3", 7)                           \
	X(C16, insn_len_zero,        "27.2.1.3", 7)                           \
	X(C14, entry_msr_load,       "27.2.1.3", 7)                           \
	X(C15, entry_to_smm,         "27.2.1.3", 7)                           \
	X(C15, deact_dual_monitor,   "27.2.1.3", 7)                           \
	/* SDM Vol. 3C 27.2.2: host control registers and MSRs. */            \
	X(H2, cr0_fixed0,            "27.2.2", 8)                             \
	X(H2, cr0_fixed1,            "27.2.2", 8)                             \
	X(H2, cr4_fixed0,            "27.2.2", 8)                             \
	X(H2, cr4_fixed1,            "27.2.2", 8)                             \
	X(H2, cr3_width,             "27.2.2", 8)                             \
	X(H3, cr4_cet_wp,            "27.2.2", 8)                             \
	X(H4, sysenter_esp,          "27.2.2", 8)                             \
	X(H4, sysenter_eip,          "27.2.2", 8)                             \
	X(H5, pat,                   "27.2.2", 8)                             \
	X(H5, efer_reserved,         "27.2.2", 8)                             \
	X(H5, efer_lma,              "27.2.2", 8)                             \
	X(H5, efer_lme,              "27.2.2", 8)                             \
	/* SDM Vol. 3C 27.2.3: host segment and descriptor-table registers. */ \
	X(H6, es_rpl_ti,             "27.2.3", 8)                             \
	X(H6, cs_rpl_ti,             "27.2.3", 8)                             \
	X(H6, ss_rpl_ti,             "27.2.3", 8)                             \
	X(H6, ds_rpl_ti,             "27.2.3", 8)                             \
	X(H6, fs_rpl_ti,             "27.2.3", 8)                             \
	X(H6, gs_rpl_ti,             "27.2.3", 8)                             \
	X(H6, tr_rpl_ti,             "27.2.3", 8)                             \
	X(H6, cs_null,               "27.2.3", 8)                             \
	X(H6, tr_null,               "27.2.3", 8)                             \
	X(H6, ss_null,               "27.2.3", 8)                             \
	X(H7, fs_base,               "27.2.3", 8)                             \
	X(H7, gs_base,               "27.2.3", 8)                             \
	X(H7, gdtr_base,             "27.2.3", 8)                             \
	X(H7, idtr_base,             "27.2.3", 8)                             \
	X(H7, tr_base,               "27.2.3", 8)                             \
	/* SDM Vol. 3C 27.2.4: address-space size. */                         \
	X(H1, outside_ia32e_guest,   "27.2.4", 8)                             \
	X(H1, outside_ia32e_host,    "27.2.4", 8)                             \
	X(H1, ia32e_host_size,       "27.2.4", 8)                             \
	X(H8, pcide_32bit_host,      "27.2.4", 8)                             \
	X(H8, rip_32bit_host,        "27.2.4", 8)                             \
	X(H8, pae,                   "27.2.4", 8)                             \
	X(H8, rip_canonical,         "27.2.4", 8)                             \
	/* SDM Vol. 3C 27.3.1.1: guest control, debug registers, MSRs. */     \
	X(G1, cr0_fixed0,            "27.3.1.1", 0)                           \
	X(G1, cr0_fixed1,            "27.3.1.1", 0)                           \
	X(G1, cr0_pg_pe,             "27.3.1.1", 0)                           \
	X(G1, cr4_fixed0,            "27.3.1.1", 0)                           \
	X(G1, cr4_fixed1,            "27.3.1.1", 0)                           \
	X(G4, cr4_cet_wp,            "27.3.1.1", 0)                           \
	X(G3, debugctl_reserved,     "27.3.1.1", 0)                           \
	X(G2, ia32e_pg,              "27.3.1.1", 0)                           \
	X(G2, ia32e_pae,             "27.3.1.1", 0)                           \
	X(G2, pcide,                 "27.3.1.1", 0)                           \
	X(G1, cr3_width,             "27.3.1.1", 0)                           \
	X(G3, dr7_high,              "27.3.1.1", 0)                           \
	X(G4, sysenter_esp,          "27.3.1.1", 0)                           \
	X(G4, sysenter_eip,          "27.3.1.1", 0)                           \
	X(G4, pat,                   "27.3.1.1", 0)                           \
	X(G4, efer_reserved,         "27.3.1.1", 0)                           \
	X(G4, efer_lma,              "27.3.1.1", 0)                           \
	X(G4, efer_lme,              "27.3.1.1", 0)                           \
	/* SDM Vol. 3C 27.3.1.2: guest segment registers. */                  \
	X(G9, tr_ti,                 "27.3.1.2", 0)                           \
	X(G9, ldtr_ti,               "27.3.1.2", 0)                           \
	X(G8, ss_rpl_cs_rpl,         "27.3.1.2", 0)                           \
	X(G6, v86_base,              "27.3.1.2", 0)                           \
	X(G9, tr_base,               "27.3.1.2", 0)                           \
	X(G7, fs_base,               "27.3.1.2", 0)                           \
	X(G7, gs_base,               "27.3.1.2", 0)                           \
	X(G9, ldtr_base,             "27.3.1.2", 0)                           \
	X(G7, cs_base_high,          "27.3.1.2", 0)                           \
	X(G7, ss_base_high,          "27.3.1.2", 0)                           \
	X(G7, ds_base_high,          "27.3.1.2", 0)                           \
	X(G7, es_base_high,          "27.3.1.2", 0)                           \
	X(G6, v86_limit,             "27.3.1.2", 0)                           \
	X(G6, v86_ar,                "27.3.1.2", 0)                           \
	X(G8, cs_type,               "27.3.1.2", 0)                           \
	X(G8, ss_type,               "27.3.1.2", 0)                           \
	X(G8, data_accessed,         "27.3.1.2", 0)                           \
	X(G8, code_readable,         "27.3.1.2", 0)                           \
	X(G7, s_bit,                 "27.3.1.2", 0)                           \
	X(G8, cs_dpl_type3,          "27.3.1.2", 0)                           \
	X(G8, cs_dpl_nonconforming,  "27.3.1.2", 0)                           \
	X(G8, cs_dpl_conforming,     "27.3.1.2", 0)                           \
	X(G8, ss_dpl_rpl,            "27.3.1.2", 0)                           \
	X(G8, ss_dpl_real,           "27.3.1.2", 0)                           \
	X(G8, data_dpl_rpl,          "27.3.1.2", 0)                           \
	X(G7, present,               "27.3.1.2", 0)                           \
	X(G7, ar_reserved_11_8,      "27.3.1.2", 0)                           \
	X(G8, cs_l_d,                "27.3.1.2", 0)                           \
	X(G7, granularity,           "27.3.1.2", 0)                           \
	X(G7, ar_reserved_31_17,     "27.3.1.2", 0)                           \
	X(G9, tr_type,               "27.3.1.2", 0)                           \
	X(G9, tr_s,                  "27.3.1.2", 0)                           \
	X(G9, tr_present,            "27.3.1.2", 0)                           \
	X(G9, tr_ar_reserved,        "27.3.1.2", 0)                           \
	X(G9, tr_granularity,        "27.3.1.2", 0)                           \
	X(G9, tr_unusable,           "27.3.1.2", 0)                           \
	X(G9, ldtr_type,             "27.3.1.2", 0)                           \
	X(G9, ldtr_s,                "27.3.1.2", 0)                           \
	X(G9, ldtr_present,          "27.3.1.2", 0)                           \
	X(G9, ldtr_ar_reserved,      "27.3.1.2", 0)                           \
	X(G9, ldtr_granularity,      "27.3.1.2", 0)                           \
	/* SDM Vol. 3C 27.3.1.3: GDTR and IDTR. */                            \
	X(G10, gdtr_base,            "27.3.1.3", 0)                           \
	X(G10, idtr_base,            "27.3.1.3", 0)                           \
	X(G10, gdtr_limit,           "27.3.1.3", 0)                           \
	X(G10, idtr_limit,           "27.3.1.3", 0)                           \
	/* SDM Vol. 3C 27.3.1.4: RIP and RFLAGS. */                           \
	X(G11, rip_high,             "27.3.1.4", 0)                           \
	X(G11, rip_canonical,        "27.3.1.4", 0)                           \
	X(G5, rflags_reserved,       "27.3.1.4", 0)                           \
	X(G5, rflags_fixed1,         "27.3.1.4", 0)                           \
	X(G5, rflags_vm,             "27.3.1.4", 0)                           \
	X(G5, rflags_if_ext_intr,    "27.3.1.4", 0)                           \
	/* SDM Vol. 3C 27.3.1.5: non-register state. */                       \
	X(G12, activity_range,       "27.3.1.5", 0)                           \
	X(G12, activity_supported,   "27.3.1.5", 0)                           \
	X(G12, hlt_ss_dpl,           "27.3.1.5", 0)                           \
	X(G12, blocking_not_active,  "27.3.1.5", 0)                           \
	X(G12, inject_in_hlt,        "27.3.1.5", 0)                           \
	X(G12, inject_in_shutdown,   "27.3.1.5", 0)                           \
	X(G12, inject_in_sipi,       "27.3.1.5", 0)                           \
	X(G13, reserved,             "27.3.1.5", 0)                           \
	X(G13, sti_and_movss,        "27.3.1.5", 0)                           \
	X(G13, sti_needs_if,         "27.3.1.5", 0)                           \
	X(G13, ext_intr_blocked,     "27.3.1.5", 0)                           \
	X(G13, nmi_movss,            "27.3.1.5", 0)                           \
	X(G13, nmi_sti,              "27.3.1.5", 0)                           \
	X(G13, smi_outside_smm,      "27.3.1.5", 0)                           \
	X(G13, nmi_blocked_vnmi,     "27.3.1.5", 0)                           \
	X(G14, reserved,             "27.3.1.5", 0)                           \
	X(G14, bs_set,               "27.3.1.5", 0)                           \
	X(G14, bs_clear,             "27.3.1.5", 0)                           \
	X(G15, link_aligned,         "27.3.1.5", 0)                           \
	X(G15, link_width,           "27.3.1.5", 0)                           \
	X(G15, link_current,         "27.3.1.5", 0)
/* clang-format on */

enum vmcs_check_rule {
#define VMCS_CHECK_ENUM(grp, what, sec, err) CR_##grp##_##what,
	VMM_CHECK_RULES(VMCS_CHECK_ENUM)
#undef VMCS_CHECK_ENUM
		CR_COUNT
};

/* What one run of the checker knows about the CPU and the VMCS. */
struct vmcs_ck {
	struct vmm_vmcs_check_result *res;
	bool read_failed; /* A VMREAD failed: res names its field. */
	/* Capability MSRs; TRUE controls when IA32_VMX_BASIC[55]. */
	uint64_t basic, pin_cap, proc_cap, proc2_cap, exit_cap, entry_cap;
	uint64_t misc, ept_cap;
	uint64_t cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	unsigned phys_width; /* CPUID 80000008H:EAX[7:0]. */
	bool la57;	     /* Linear addresses are 57 bits (CR4.LA57). */
	bool ia32e;	     /* The CPU is in IA-32e mode (IA32_EFER.LMA). */
	bool rtm;	     /* CPUID.(EAX=7,ECX=0):EBX.RTM[bit 11]. */
	/* Controls in effect, read once. */
	uint32_t pin, proc, sec, exit, entry;
};

/*
 * VMREAD of @p field; a failure is recorded once (the first) and reads as
 * 0, and the run then reports VMREAD_FAILED instead of a rule.
 */
uint64_t vmcs_ck_read(struct vmcs_ck *c, uint32_t field);

/* Records rule @p rule failing on @p field = @p value; returns false. */
bool vmcs_ck_fail(struct vmcs_ck *c, enum vmcs_check_rule rule, uint32_t field,
		  uint64_t value);

/* True if @p la is canonical for the CPU's linear-address width. */
bool vmcs_ck_canonical(const struct vmcs_ck *c, uint64_t la);

/* True if @p pa fits the physical-address width (and IA32_VMX_BASIC[48]). */
bool vmcs_ck_pa_ok(const struct vmcs_ck *c, uint64_t pa);

/* Allowed-0 (low dword) and allowed-1 (high dword) of a capability MSR. */
static inline uint32_t ck_allowed0(uint64_t cap)
{
	return (uint32_t)cap;
}
static inline uint32_t ck_allowed1(uint64_t cap)
{
	return (uint32_t)(cap >> 32);
}

/*
 * CK(c, C1_pin_allowed0, field, value, cond): unless @p cond holds, the
 * enclosing stage returns false naming the rule, the field and its value.
 */
#define CK(c, rule, field, value, cond)                                        \
	do {                                                                   \
		if (!(cond))                                                   \
			return vmcs_ck_fail((c), CR_##rule, (field), (value)); \
	} while (0)

/* The stages, in the SDM's order. */
bool vmcs_ck_controls(struct vmcs_ck *c);
bool vmcs_ck_host(struct vmcs_ck *c);
bool vmcs_ck_guest_regs(struct vmcs_ck *c);
bool vmcs_ck_guest_segments(struct vmcs_ck *c);
bool vmcs_ck_guest_rest(struct vmcs_ck *c);

#endif /* FLANK_VMCS_CHECK_INTERNAL_H */
