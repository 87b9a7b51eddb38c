/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Shared machinery of libvmm's VMCS consistency checker (vmcs_check*.c):
 * the rule list, the checker context and the CK() macro. Not installed.
 *
 * Every rule is listed once, as X(group, what, section): the identifier
 * "group.what" (the emulator's spelling, a test holds the two lists
 * together) and the SDM section that states it, one of
 * VMM_CHECK_SECTIONS. The section gives the citation "SDM Vol. 3C
 * <number>" and what the CPU reports when the rule fails: the checks on
 * the controls and the host state are VM-instruction errors 7 and 8 (SDM
 * Vol. 3C 27.2), those on the guest state a VM exit with reason 33,
 * recorded as 0 (27.3, 27.8).
 */
#ifndef FLANK_VMCS_CHECK_INTERNAL_H
#define FLANK_VMCS_CHECK_INTERNAL_H

#include "flank/vmm_vmcs_check.h"
#include "vmm_internal.h"

/* clang-format off */
/* S(name, number, vmx_error): the SDM Vol. 3C sections the rules cite. */
#define VMM_CHECK_SECTIONS(S)                                                 \
	S(EXEC_CTLS,        "27.2.1.1", 7) /* VM-execution controls */        \
	S(EXIT_CTLS,        "27.2.1.2", 7) /* VM-exit controls */             \
	S(ENTRY_CTLS,       "27.2.1.3", 7) /* VM-entry controls */            \
	S(HOST_REGS,        "27.2.2",   8) /* host CRs and MSRs */            \
	S(HOST_SEGS,        "27.2.3",   8) /* host segments, GDTR, IDTR */    \
	S(HOST_ADDR_SIZE,   "27.2.4",   8) /* address-space size */           \
	S(GUEST_REGS,       "27.3.1.1", 0) /* guest CRs, DRs, MSRs */         \
	S(GUEST_SEGS,       "27.3.1.2", 0) /* guest segment registers */      \
	S(GUEST_DTRS,       "27.3.1.3", 0) /* guest GDTR and IDTR */          \
	S(GUEST_RIP_RFLAGS, "27.3.1.4", 0) /* guest RIP and RFLAGS */         \
	S(GUEST_NON_REG,    "27.3.1.5", 0) /* guest non-register state */

#define VMM_CHECK_RULES(X)                                                    \
	/* SDM Vol. 3C 27.2.1.1: VM-execution control fields. */              \
	X(C1, pin_allowed0,          EXEC_CTLS)                               \
	X(C1, pin_allowed1,          EXEC_CTLS)                               \
	X(C1, proc_allowed0,         EXEC_CTLS)                               \
	X(C1, proc_allowed1,         EXEC_CTLS)                               \
	X(C2, sec_allowed0,          EXEC_CTLS)                               \
	X(C2, sec_allowed1,          EXEC_CTLS)                               \
	X(C3, cr3_target_count,      EXEC_CTLS)                               \
	X(C4, io_bitmap_a,           EXEC_CTLS)                               \
	X(C4, io_bitmap_b,           EXEC_CTLS)                               \
	X(C4, msr_bitmap,            EXEC_CTLS)                               \
	X(C4, virtual_apic_page,     EXEC_CTLS)                               \
	X(C6, tpr_threshold_high,    EXEC_CTLS)                               \
	X(C7, x2apic_needs_tpr,      EXEC_CTLS)                               \
	X(C7, apic_reg_needs_tpr,    EXEC_CTLS)                               \
	X(C7, vid_needs_tpr,         EXEC_CTLS)                               \
	X(C5, vnmi_needs_nmi_exit,   EXEC_CTLS)                               \
	X(C5, nmi_window_needs_vnmi, EXEC_CTLS)                               \
	X(C4, apic_access_page,      EXEC_CTLS)                               \
	X(C7, x2apic_excl_apic_access, EXEC_CTLS)                             \
	X(C7, vid_needs_ext_intr,    EXEC_CTLS)                               \
	X(C9, vpid_zero,             EXEC_CTLS)                               \
	X(C10, eptp_memtype,         EXEC_CTLS)                               \
	X(C10, eptp_walk_length,     EXEC_CTLS)                               \
	X(C10, eptp_ad,              EXEC_CTLS)                               \
	X(C10, eptp_reserved,        EXEC_CTLS)                               \
	X(C10, eptp_width,           EXEC_CTLS)                               \
	X(C11, unrestricted_needs_ept, EXEC_CTLS)                             \
	/* SDM Vol. 3C 27.2.1.2: VM-exit control fields. */                   \
	X(C1, exit_allowed0,         EXIT_CTLS)                               \
	X(C1, exit_allowed1,         EXIT_CTLS)                               \
	X(C13, save_timer_needs_timer, EXIT_CTLS)                             \
	X(C14, exit_msr_store,       EXIT_CTLS)                               \
	X(C14, exit_msr_load,        EXIT_CTLS)                               \
	/* SDM Vol. 3C 27.2.1.3: VM-entry control fields. */                  \
	X(C1, entry_allowed0,        ENTRY_CTLS)                              \
	X(C1, entry_allowed1,        ENTRY_CTLS)                              \
	X(C16, type_reserved,        ENTRY_CTLS)                              \
	X(C16, type_other_no_mtf,    ENTRY_CTLS)                              \
	X(C16, nmi_vector,           ENTRY_CTLS)                              \
	X(C16, exception_vector,     ENTRY_CTLS)                              \
	X(C16, other_vector,         ENTRY_CTLS)                              \
	X(C16, deliver_code,         ENTRY_CTLS)                              \
	X(C16, reserved_bits,        ENTRY_CTLS)                              \
	X(C16, error_code_high,      ENTRY_CTLS)                              \
	X(C16, insn_len_range,       ENTRY_CTLS)                              \
	X(C16, insn_len_zero,        ENTRY_CTLS)                              \
	X(C14, entry_msr_load,       ENTRY_CTLS)                              \
	X(C15, entry_to_smm,         ENTRY_CTLS)                              \
	X(C15, deact_dual_monitor,   ENTRY_CTLS)                              \
	/* SDM Vol. 3C 27.2.2: host control registers and MSRs. */            \
	X(H2, cr0_fixed0,            HOST_REGS)                               \
	X(H2, cr0_fixed1,            HOST_REGS)                               \
	X(H2, cr4_fixed0,            HOST_REGS)                               \
	X(H2, cr4_fixed1,            HOST_REGS)                               \
	X(H2, cr3_width,             HOST_REGS)                               \
	X(H3, cr4_cet_wp,            HOST_REGS)                               \
	X(H4, sysenter_esp,          HOST_REGS)                               \
	X(H4, sysenter_eip,          HOST_REGS)                               \
	X(H5, pat,                   HOST_REGS)                               \
	X(H5, efer_reserved,         HOST_REGS)                               \
	X(H5, efer_lma,              HOST_REGS)                               \
	X(H5, efer_lme,              HOST_REGS)                               \
	/* SDM Vol. 3C 27.2.3: host segment and descriptor-table registers. */ \
	X(H6, es_rpl_ti,             HOST_SEGS)                               \
	X(H6, cs_rpl_ti,             HOST_SEGS)                               \
	X(H6, ss_rpl_ti,             HOST_SEGS)                               \
	X(H6, ds_rpl_ti,             HOST_SEGS)                               \
	X(H6, fs_rpl_ti,             HOST_SEGS)                               \
	X(H6, gs_rpl_ti,             HOST_SEGS)                               \
	X(H6, tr_rpl_ti,             HOST_SEGS)                               \
	X(H6, cs_null,               HOST_SEGS)                               \
	X(H6, tr_null,               HOST_SEGS)                               \
	X(H6, ss_null,               HOST_SEGS)                               \
	X(H7, fs_base,               HOST_SEGS)                               \
	X(H7, gs_base,               HOST_SEGS)                               \
	X(H7, gdtr_base,             HOST_SEGS)                               \
	X(H7, idtr_base,             HOST_SEGS)                               \
	X(H7, tr_base,               HOST_SEGS)                               \
	/* SDM Vol. 3C 27.2.4: address-space size. */                         \
	X(H1, outside_ia32e_guest,   HOST_ADDR_SIZE)                          \
	X(H1, outside_ia32e_host,    HOST_ADDR_SIZE)                          \
	X(H1, ia32e_host_size,       HOST_ADDR_SIZE)                          \
	X(H8, pcide_32bit_host,      HOST_ADDR_SIZE)                          \
	X(H8, rip_32bit_host,        HOST_ADDR_SIZE)                          \
	X(H8, pae,                   HOST_ADDR_SIZE)                          \
	X(H8, rip_canonical,         HOST_ADDR_SIZE)                          \
	/* SDM Vol. 3C 27.3.1.1: guest control, debug registers, MSRs. */     \
	X(G1, cr0_fixed0,            GUEST_REGS)                              \
	X(G1, cr0_fixed1,            GUEST_REGS)                              \
	X(G1, cr0_pg_pe,             GUEST_REGS)                              \
	X(G1, cr4_fixed0,            GUEST_REGS)                              \
	X(G1, cr4_fixed1,            GUEST_REGS)                              \
	X(G4, cr4_cet_wp,            GUEST_REGS)                              \
	X(G3, debugctl_reserved,     GUEST_REGS)                              \
	X(G2, ia32e_pg,              GUEST_REGS)                              \
	X(G2, ia32e_pae,             GUEST_REGS)                              \
	X(G2, pcide,                 GUEST_REGS)                              \
	X(G1, cr3_width,             GUEST_REGS)                              \
	X(G3, dr7_high,              GUEST_REGS)                              \
	X(G4, sysenter_esp,          GUEST_REGS)                              \
	X(G4, sysenter_eip,          GUEST_REGS)                              \
	X(G4, pat,                   GUEST_REGS)                              \
	X(G4, efer_reserved,         GUEST_REGS)                              \
	X(G4, efer_lma,              GUEST_REGS)                              \
	X(G4, efer_lme,              GUEST_REGS)                              \
	/* SDM Vol. 3C 27.3.1.2: guest segment registers. */                  \
	X(G9, tr_ti,                 GUEST_SEGS)                              \
	X(G9, ldtr_ti,               GUEST_SEGS)                              \
	X(G8, ss_rpl_cs_rpl,         GUEST_SEGS)                              \
	X(G6, v86_base,              GUEST_SEGS)                              \
	X(G9, tr_base,               GUEST_SEGS)                              \
	X(G7, fs_base,               GUEST_SEGS)                              \
	X(G7, gs_base,               GUEST_SEGS)                              \
	X(G9, ldtr_base,             GUEST_SEGS)                              \
	X(G7, cs_base_high,          GUEST_SEGS)                              \
	X(G7, ss_base_high,          GUEST_SEGS)                              \
	X(G7, ds_base_high,          GUEST_SEGS)                              \
	X(G7, es_base_high,          GUEST_SEGS)                              \
	X(G6, v86_limit,             GUEST_SEGS)                              \
	X(G6, v86_ar,                GUEST_SEGS)                              \
	X(G8, cs_type,               GUEST_SEGS)                              \
	X(G8, ss_type,               GUEST_SEGS)                              \
	X(G8, data_accessed,         GUEST_SEGS)                              \
	X(G8, code_readable,         GUEST_SEGS)                              \
	X(G7, s_bit,                 GUEST_SEGS)                              \
	X(G8, cs_dpl_type3,          GUEST_SEGS)                              \
	X(G8, cs_dpl_nonconforming,  GUEST_SEGS)                              \
	X(G8, cs_dpl_conforming,     GUEST_SEGS)                              \
	X(G8, ss_dpl_rpl,            GUEST_SEGS)                              \
	X(G8, ss_dpl_real,           GUEST_SEGS)                              \
	X(G8, data_dpl_rpl,          GUEST_SEGS)                              \
	X(G7, present,               GUEST_SEGS)                              \
	X(G7, ar_reserved_11_8,      GUEST_SEGS)                              \
	X(G8, cs_l_d,                GUEST_SEGS)                              \
	X(G7, granularity,           GUEST_SEGS)                              \
	X(G7, ar_reserved_31_17,     GUEST_SEGS)                              \
	X(G9, tr_type,               GUEST_SEGS)                              \
	X(G9, tr_s,                  GUEST_SEGS)                              \
	X(G9, tr_present,            GUEST_SEGS)                              \
	X(G9, tr_ar_reserved,        GUEST_SEGS)                              \
	X(G9, tr_granularity,        GUEST_SEGS)                              \
	X(G9, tr_unusable,           GUEST_SEGS)                              \
	X(G9, ldtr_type,             GUEST_SEGS)                              \
	X(G9, ldtr_s,                GUEST_SEGS)                              \
	X(G9, ldtr_present,          GUEST_SEGS)                              \
	X(G9, ldtr_ar_reserved,      GUEST_SEGS)                              \
	X(G9, ldtr_granularity,      GUEST_SEGS)                              \
	/* SDM Vol. 3C 27.3.1.3: GDTR and IDTR. */                            \
	X(G10, gdtr_base,            GUEST_DTRS)                              \
	X(G10, idtr_base,            GUEST_DTRS)                              \
	X(G10, gdtr_limit,           GUEST_DTRS)                              \
	X(G10, idtr_limit,           GUEST_DTRS)                              \
	/* SDM Vol. 3C 27.3.1.4: RIP and RFLAGS. */                           \
	X(G11, rip_high,             GUEST_RIP_RFLAGS)                        \
	X(G11, rip_canonical,        GUEST_RIP_RFLAGS)                        \
	X(G5, rflags_reserved,       GUEST_RIP_RFLAGS)                        \
	X(G5, rflags_fixed1,         GUEST_RIP_RFLAGS)                        \
	X(G5, rflags_vm,             GUEST_RIP_RFLAGS)                        \
	X(G5, rflags_if_ext_intr,    GUEST_RIP_RFLAGS)                        \
	/* SDM Vol. 3C 27.3.1.5: non-register state. */                       \
	X(G12, activity_range,       GUEST_NON_REG)                           \
	X(G12, activity_supported,   GUEST_NON_REG)                           \
	X(G12, hlt_ss_dpl,           GUEST_NON_REG)                           \
	X(G12, blocking_not_active,  GUEST_NON_REG)                           \
	X(G12, inject_in_hlt,        GUEST_NON_REG)                           \
	X(G12, inject_in_shutdown,   GUEST_NON_REG)                           \
	X(G12, inject_in_sipi,       GUEST_NON_REG)                           \
	X(G13, reserved,             GUEST_NON_REG)                           \
	X(G13, sti_and_movss,        GUEST_NON_REG)                           \
	X(G13, sti_needs_if,         GUEST_NON_REG)                           \
	X(G13, ext_intr_blocked,     GUEST_NON_REG)                           \
	X(G13, nmi_movss,            GUEST_NON_REG)                           \
	X(G13, nmi_sti,              GUEST_NON_REG)                           \
	X(G13, smi_outside_smm,      GUEST_NON_REG)                           \
	X(G13, nmi_blocked_vnmi,     GUEST_NON_REG)                           \
	X(G14, reserved,             GUEST_NON_REG)                           \
	X(G14, bs_set,               GUEST_NON_REG)                           \
	X(G14, bs_clear,             GUEST_NON_REG)                           \
	X(G15, link_aligned,         GUEST_NON_REG)                           \
	X(G15, link_width,           GUEST_NON_REG)                           \
	X(G15, link_current,         GUEST_NON_REG)
/* clang-format on */

enum vmcs_check_section {
#define VMCS_CHECK_SECTION_ENUM(name, number, err) CS_##name,
	VMM_CHECK_SECTIONS(VMCS_CHECK_SECTION_ENUM)
#undef VMCS_CHECK_SECTION_ENUM
		CS_COUNT
};

enum vmcs_check_rule {
#define VMCS_CHECK_ENUM(grp, what, sec) CR_##grp##_##what,
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
