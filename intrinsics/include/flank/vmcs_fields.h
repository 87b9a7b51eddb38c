/* SPDX-License-Identifier: LGPL-2.1-or-later */
/**
 * @file vmcs_fields.h
 * The one VMCS field table (SDM Vol. 3D Appendix B "Field Encoding in VMCS").
 *
 * Every VMCS component Flank knows is listed once, here. libvmm uses the
 * generated enum for its VMREAD/VMWRITE calls and the emulated VT-x uses the
 * same list to size its storage and to decide which components a CPU profile
 * supports. Width, access type and read-only class are not stored: they are
 * derived from the encoding exactly as the processor derives them (SDM Vol. 3C
 * 25.11.2 "VMREAD, VMWRITE, and Encodings of VMCS Fields").
 *
 * Columns: X(name, encoding, feature)
 *   name     - suffix of the enum constant VMCS_<name>
 *   encoding - the 32-bit field encoding (the "full" encoding for 64-bit
 *              fields; the "high" encoding is encoding | 1)
 *   feature  - the processor feature without which the component does not
 *              exist (enum vmcs_feature); VMREAD/VMWRITE of a component the
 *              profile lacks fails with VM-instruction error 12.
 */
#ifndef FLANK_VMCS_FIELDS_H
#define FLANK_VMCS_FIELDS_H

#include <stdbool.h>
#include <stdint.h>

/** Processor features that gate the existence of VMCS components. */
enum vmcs_feature {
	VMCS_FEAT_BASE = 0,    /**< Present on every VMX processor. */
	VMCS_FEAT_VPID,	       /**< Secondary control "enable VPID". */
	VMCS_FEAT_EPT,	       /**< Secondary control "enable EPT". */
	VMCS_FEAT_POSTED_INTR, /**< Pin-based "process posted interrupts". */
	VMCS_FEAT_VIRT_INTR,   /**< Secondary "virtual-interrupt delivery". */
	VMCS_FEAT_TPR_SHADOW,  /**< Primary "use TPR shadow". */
	VMCS_FEAT_APIC_ACCESS, /**< Secondary "virtualize APIC accesses". */
	VMCS_FEAT_VMFUNC,      /**< Secondary "enable VM functions". */
	VMCS_FEAT_PML,	       /**< Secondary "enable PML". */
	VMCS_FEAT_SHADOW_VMCS, /**< Secondary "VMCS shadowing". */
	VMCS_FEAT_EPT_VE,      /**< Secondary "EPT-violation #VE". */
	VMCS_FEAT_XSAVES,      /**< Secondary "enable XSAVES/XRSTORS". */
	VMCS_FEAT_TSC_SCALING, /**< Secondary "use TSC scaling". */
	VMCS_FEAT_PLE,	       /**< Secondary "PAUSE-loop exiting". */
	VMCS_FEAT_PREEMPT_TIMER, /**< Pin-based "activate VMX-preemption timer". */
	VMCS_FEAT_SECONDARY,	 /**< "Activate secondary controls" exists. */
	VMCS_FEAT_PERF_GLOBAL, /**< Load IA32_PERF_GLOBAL_CTRL controls. */
	VMCS_FEAT_PAT,	       /**< Load/save IA32_PAT controls. */
	VMCS_FEAT_EFER,	       /**< Load/save IA32_EFER controls. */
	VMCS_FEAT_CET,	       /**< Load CET state controls. */
	VMCS_FEAT_BNDCFGS,     /**< Load/clear IA32_BNDCFGS controls. */
	VMCS_FEAT_RTIT,	       /**< Load/clear IA32_RTIT_CTL controls. */
	VMCS_FEAT_ENCLS,       /**< Secondary "enable ENCLS exiting". */
	VMCS_FEAT_TERTIARY,    /**< "Activate tertiary controls". */
	VMCS_FEAT_PCONFIG,     /**< Secondary "enable PCONFIG". */
	VMCS_FEAT_COUNT	       /**< Number of features (not a feature). */
};

/**
 * The field table: X(name, encoding, feature) for every component, in
 * the order of SDM Vol. 3D Appendix B. Expand it with a macro X of your own to generate tables.
 */
/* clang-format off */
#define VMCS_FIELD_LIST(X)                                                   \
	/* 16-bit control fields */                                          \
	X(VPID,                       0x00000000u, VMCS_FEAT_VPID)           \
	X(POSTED_INTR_NV,             0x00000002u, VMCS_FEAT_POSTED_INTR)    \
	X(EPTP_INDEX,                 0x00000004u, VMCS_FEAT_EPT_VE)         \
	/* 16-bit guest-state fields */                                      \
	X(GUEST_ES_SELECTOR,          0x00000800u, VMCS_FEAT_BASE)           \
	X(GUEST_CS_SELECTOR,          0x00000802u, VMCS_FEAT_BASE)           \
	X(GUEST_SS_SELECTOR,          0x00000804u, VMCS_FEAT_BASE)           \
	X(GUEST_DS_SELECTOR,          0x00000806u, VMCS_FEAT_BASE)           \
	X(GUEST_FS_SELECTOR,          0x00000808u, VMCS_FEAT_BASE)           \
	X(GUEST_GS_SELECTOR,          0x0000080Au, VMCS_FEAT_BASE)           \
	X(GUEST_LDTR_SELECTOR,        0x0000080Cu, VMCS_FEAT_BASE)           \
	X(GUEST_TR_SELECTOR,          0x0000080Eu, VMCS_FEAT_BASE)           \
	X(GUEST_INTR_STATUS,          0x00000810u, VMCS_FEAT_VIRT_INTR)      \
	X(GUEST_PML_INDEX,            0x00000812u, VMCS_FEAT_PML)            \
	/* 16-bit host-state fields */                                       \
	X(HOST_ES_SELECTOR,           0x00000C00u, VMCS_FEAT_BASE)           \
	X(HOST_CS_SELECTOR,           0x00000C02u, VMCS_FEAT_BASE)           \
	X(HOST_SS_SELECTOR,           0x00000C04u, VMCS_FEAT_BASE)           \
	X(HOST_DS_SELECTOR,           0x00000C06u, VMCS_FEAT_BASE)           \
	X(HOST_FS_SELECTOR,           0x00000C08u, VMCS_FEAT_BASE)           \
	X(HOST_GS_SELECTOR,           0x00000C0Au, VMCS_FEAT_BASE)           \
	X(HOST_TR_SELECTOR,           0x00000C0Cu, VMCS_FEAT_BASE)           \
	/* 64-bit control fields */                                          \
	X(IO_BITMAP_A,                0x00002000u, VMCS_FEAT_BASE)           \
	X(IO_BITMAP_B,                0x00002002u, VMCS_FEAT_BASE)           \
	X(MSR_BITMAP,                 0x00002004u, VMCS_FEAT_BASE)           \
	X(VM_EXIT_MSR_STORE_ADDR,     0x00002006u, VMCS_FEAT_BASE)           \
	X(VM_EXIT_MSR_LOAD_ADDR,      0x00002008u, VMCS_FEAT_BASE)           \
	X(VM_ENTRY_MSR_LOAD_ADDR,     0x0000200Au, VMCS_FEAT_BASE)           \
	X(EXECUTIVE_VMCS_POINTER,     0x0000200Cu, VMCS_FEAT_BASE)           \
	X(PML_ADDRESS,                0x0000200Eu, VMCS_FEAT_PML)            \
	X(TSC_OFFSET,                 0x00002010u, VMCS_FEAT_BASE)           \
	X(VIRTUAL_APIC_PAGE_ADDR,     0x00002012u, VMCS_FEAT_TPR_SHADOW)     \
	X(APIC_ACCESS_ADDR,           0x00002014u, VMCS_FEAT_APIC_ACCESS)    \
	X(POSTED_INTR_DESC_ADDR,      0x00002016u, VMCS_FEAT_POSTED_INTR)    \
	X(VM_FUNCTION_CONTROL,        0x00002018u, VMCS_FEAT_VMFUNC)         \
	X(EPT_POINTER,                0x0000201Au, VMCS_FEAT_EPT)            \
	X(EOI_EXIT_BITMAP0,           0x0000201Cu, VMCS_FEAT_VIRT_INTR)      \
	X(EOI_EXIT_BITMAP1,           0x0000201Eu, VMCS_FEAT_VIRT_INTR)      \
	X(EOI_EXIT_BITMAP2,           0x00002020u, VMCS_FEAT_VIRT_INTR)      \
	X(EOI_EXIT_BITMAP3,           0x00002022u, VMCS_FEAT_VIRT_INTR)      \
	X(EPTP_LIST_ADDR,             0x00002024u, VMCS_FEAT_VMFUNC)         \
	X(VMREAD_BITMAP,              0x00002026u, VMCS_FEAT_SHADOW_VMCS)    \
	X(VMWRITE_BITMAP,             0x00002028u, VMCS_FEAT_SHADOW_VMCS)    \
	X(VE_INFO_ADDR,               0x0000202Au, VMCS_FEAT_EPT_VE)         \
	X(XSS_EXIT_BITMAP,            0x0000202Cu, VMCS_FEAT_XSAVES)         \
	X(ENCLS_EXITING_BITMAP,       0x0000202Eu, VMCS_FEAT_ENCLS)          \
	X(TSC_MULTIPLIER,             0x00002032u, VMCS_FEAT_TSC_SCALING)    \
	X(TERTIARY_VM_EXEC_CONTROL,   0x00002034u, VMCS_FEAT_TERTIARY)       \
	X(PCONFIG_EXITING_BITMAP,     0x0000203Eu, VMCS_FEAT_PCONFIG)        \
	/* 64-bit read-only data field */                                    \
	X(GUEST_PHYSICAL_ADDRESS,     0x00002400u, VMCS_FEAT_EPT)            \
	/* 64-bit guest-state fields */                                      \
	X(VMCS_LINK_POINTER,          0x00002800u, VMCS_FEAT_BASE)           \
	X(GUEST_IA32_DEBUGCTL,        0x00002802u, VMCS_FEAT_BASE)           \
	X(GUEST_IA32_PAT,             0x00002804u, VMCS_FEAT_PAT)            \
	X(GUEST_IA32_EFER,            0x00002806u, VMCS_FEAT_EFER)           \
	X(GUEST_IA32_PERF_GLOBAL_CTRL, 0x00002808u, VMCS_FEAT_PERF_GLOBAL)   \
	X(GUEST_PDPTE0,               0x0000280Au, VMCS_FEAT_EPT)            \
	X(GUEST_PDPTE1,               0x0000280Cu, VMCS_FEAT_EPT)            \
	X(GUEST_PDPTE2,               0x0000280Eu, VMCS_FEAT_EPT)            \
	X(GUEST_PDPTE3,               0x00002810u, VMCS_FEAT_EPT)            \
	X(GUEST_IA32_BNDCFGS,         0x00002812u, VMCS_FEAT_BNDCFGS)        \
	X(GUEST_IA32_RTIT_CTL,        0x00002814u, VMCS_FEAT_RTIT)           \
	/* 64-bit host-state fields */                                       \
	X(HOST_IA32_PAT,              0x00002C00u, VMCS_FEAT_PAT)            \
	X(HOST_IA32_EFER,             0x00002C02u, VMCS_FEAT_EFER)           \
	X(HOST_IA32_PERF_GLOBAL_CTRL, 0x00002C04u, VMCS_FEAT_PERF_GLOBAL)    \
	/* 32-bit control fields */                                          \
	X(PIN_BASED_VM_EXEC_CONTROL,  0x00004000u, VMCS_FEAT_BASE)           \
	X(CPU_BASED_VM_EXEC_CONTROL,  0x00004002u, VMCS_FEAT_BASE)           \
	X(EXCEPTION_BITMAP,           0x00004004u, VMCS_FEAT_BASE)           \
	X(PAGE_FAULT_ERROR_CODE_MASK, 0x00004006u, VMCS_FEAT_BASE)           \
	X(PAGE_FAULT_ERROR_CODE_MATCH, 0x00004008u, VMCS_FEAT_BASE)          \
	X(CR3_TARGET_COUNT,           0x0000400Au, VMCS_FEAT_BASE)           \
	X(VM_EXIT_CONTROLS,           0x0000400Cu, VMCS_FEAT_BASE)           \
	X(VM_EXIT_MSR_STORE_COUNT,    0x0000400Eu, VMCS_FEAT_BASE)           \
	X(VM_EXIT_MSR_LOAD_COUNT,     0x00004010u, VMCS_FEAT_BASE)           \
	X(VM_ENTRY_CONTROLS,          0x00004012u, VMCS_FEAT_BASE)           \
	X(VM_ENTRY_MSR_LOAD_COUNT,    0x00004014u, VMCS_FEAT_BASE)           \
	X(VM_ENTRY_INTR_INFO,         0x00004016u, VMCS_FEAT_BASE)           \
	X(VM_ENTRY_EXCEPTION_ERROR_CODE, 0x00004018u, VMCS_FEAT_BASE)        \
	X(VM_ENTRY_INSTRUCTION_LEN,   0x0000401Au, VMCS_FEAT_BASE)           \
	X(TPR_THRESHOLD,              0x0000401Cu, VMCS_FEAT_TPR_SHADOW)     \
	X(SECONDARY_VM_EXEC_CONTROL,  0x0000401Eu, VMCS_FEAT_SECONDARY)      \
	X(PLE_GAP,                    0x00004020u, VMCS_FEAT_PLE)            \
	X(PLE_WINDOW,                 0x00004022u, VMCS_FEAT_PLE)            \
	/* 32-bit read-only data fields */                                   \
	X(VM_INSTRUCTION_ERROR,       0x00004400u, VMCS_FEAT_BASE)           \
	X(VM_EXIT_REASON,             0x00004402u, VMCS_FEAT_BASE)           \
	X(VM_EXIT_INTR_INFO,          0x00004404u, VMCS_FEAT_BASE)           \
	X(VM_EXIT_INTR_ERROR_CODE,    0x00004406u, VMCS_FEAT_BASE)           \
	X(IDT_VECTORING_INFO,         0x00004408u, VMCS_FEAT_BASE)           \
	X(IDT_VECTORING_ERROR_CODE,   0x0000440Au, VMCS_FEAT_BASE)           \
	X(VM_EXIT_INSTRUCTION_LEN,    0x0000440Cu, VMCS_FEAT_BASE)           \
	X(VMX_INSTRUCTION_INFO,       0x0000440Eu, VMCS_FEAT_BASE)           \
	/* 32-bit guest-state fields */                                      \
	X(GUEST_ES_LIMIT,             0x00004800u, VMCS_FEAT_BASE)           \
	X(GUEST_CS_LIMIT,             0x00004802u, VMCS_FEAT_BASE)           \
	X(GUEST_SS_LIMIT,             0x00004804u, VMCS_FEAT_BASE)           \
	X(GUEST_DS_LIMIT,             0x00004806u, VMCS_FEAT_BASE)           \
	X(GUEST_FS_LIMIT,             0x00004808u, VMCS_FEAT_BASE)           \
	X(GUEST_GS_LIMIT,             0x0000480Au, VMCS_FEAT_BASE)           \
	X(GUEST_LDTR_LIMIT,           0x0000480Cu, VMCS_FEAT_BASE)           \
	X(GUEST_TR_LIMIT,             0x0000480Eu, VMCS_FEAT_BASE)           \
	X(GUEST_GDTR_LIMIT,           0x00004810u, VMCS_FEAT_BASE)           \
	X(GUEST_IDTR_LIMIT,           0x00004812u, VMCS_FEAT_BASE)           \
	X(GUEST_ES_AR_BYTES,          0x00004814u, VMCS_FEAT_BASE)           \
	X(GUEST_CS_AR_BYTES,          0x00004816u, VMCS_FEAT_BASE)           \
	X(GUEST_SS_AR_BYTES,          0x00004818u, VMCS_FEAT_BASE)           \
	X(GUEST_DS_AR_BYTES,          0x0000481Au, VMCS_FEAT_BASE)           \
	X(GUEST_FS_AR_BYTES,          0x0000481Cu, VMCS_FEAT_BASE)           \
	X(GUEST_GS_AR_BYTES,          0x0000481Eu, VMCS_FEAT_BASE)           \
	X(GUEST_LDTR_AR_BYTES,        0x00004820u, VMCS_FEAT_BASE)           \
	X(GUEST_TR_AR_BYTES,          0x00004822u, VMCS_FEAT_BASE)           \
	X(GUEST_INTERRUPTIBILITY_INFO, 0x00004824u, VMCS_FEAT_BASE)          \
	X(GUEST_ACTIVITY_STATE,       0x00004826u, VMCS_FEAT_BASE)           \
	X(GUEST_SMBASE,               0x00004828u, VMCS_FEAT_BASE)           \
	X(GUEST_SYSENTER_CS,          0x0000482Au, VMCS_FEAT_BASE)           \
	X(VMX_PREEMPTION_TIMER_VALUE, 0x0000482Eu, VMCS_FEAT_PREEMPT_TIMER)  \
	/* 32-bit host-state field */                                        \
	X(HOST_IA32_SYSENTER_CS,      0x00004C00u, VMCS_FEAT_BASE)           \
	/* Natural-width control fields */                                   \
	X(CR0_GUEST_HOST_MASK,        0x00006000u, VMCS_FEAT_BASE)           \
	X(CR4_GUEST_HOST_MASK,        0x00006002u, VMCS_FEAT_BASE)           \
	X(CR0_READ_SHADOW,            0x00006004u, VMCS_FEAT_BASE)           \
	X(CR4_READ_SHADOW,            0x00006006u, VMCS_FEAT_BASE)           \
	X(CR3_TARGET_VALUE0,          0x00006008u, VMCS_FEAT_BASE)           \
	X(CR3_TARGET_VALUE1,          0x0000600Au, VMCS_FEAT_BASE)           \
	X(CR3_TARGET_VALUE2,          0x0000600Cu, VMCS_FEAT_BASE)           \
	X(CR3_TARGET_VALUE3,          0x0000600Eu, VMCS_FEAT_BASE)           \
	/* Natural-width read-only data fields */                            \
	X(EXIT_QUALIFICATION,         0x00006400u, VMCS_FEAT_BASE)           \
	X(IO_RCX,                     0x00006402u, VMCS_FEAT_BASE)           \
	X(IO_RSI,                     0x00006404u, VMCS_FEAT_BASE)           \
	X(IO_RDI,                     0x00006406u, VMCS_FEAT_BASE)           \
	X(IO_RIP,                     0x00006408u, VMCS_FEAT_BASE)           \
	X(GUEST_LINEAR_ADDRESS,       0x0000640Au, VMCS_FEAT_BASE)           \
	/* Natural-width guest-state fields */                               \
	X(GUEST_CR0,                  0x00006800u, VMCS_FEAT_BASE)           \
	X(GUEST_CR3,                  0x00006802u, VMCS_FEAT_BASE)           \
	X(GUEST_CR4,                  0x00006804u, VMCS_FEAT_BASE)           \
	X(GUEST_ES_BASE,              0x00006806u, VMCS_FEAT_BASE)           \
	X(GUEST_CS_BASE,              0x00006808u, VMCS_FEAT_BASE)           \
	X(GUEST_SS_BASE,              0x0000680Au, VMCS_FEAT_BASE)           \
	X(GUEST_DS_BASE,              0x0000680Cu, VMCS_FEAT_BASE)           \
	X(GUEST_FS_BASE,              0x0000680Eu, VMCS_FEAT_BASE)           \
	X(GUEST_GS_BASE,              0x00006810u, VMCS_FEAT_BASE)           \
	X(GUEST_LDTR_BASE,            0x00006812u, VMCS_FEAT_BASE)           \
	X(GUEST_TR_BASE,              0x00006814u, VMCS_FEAT_BASE)           \
	X(GUEST_GDTR_BASE,            0x00006816u, VMCS_FEAT_BASE)           \
	X(GUEST_IDTR_BASE,            0x00006818u, VMCS_FEAT_BASE)           \
	X(GUEST_DR7,                  0x0000681Au, VMCS_FEAT_BASE)           \
	X(GUEST_RSP,                  0x0000681Cu, VMCS_FEAT_BASE)           \
	X(GUEST_RIP,                  0x0000681Eu, VMCS_FEAT_BASE)           \
	X(GUEST_RFLAGS,               0x00006820u, VMCS_FEAT_BASE)           \
	X(GUEST_PENDING_DBG_EXCEPTIONS, 0x00006822u, VMCS_FEAT_BASE)         \
	X(GUEST_SYSENTER_ESP,         0x00006824u, VMCS_FEAT_BASE)           \
	X(GUEST_SYSENTER_EIP,         0x00006826u, VMCS_FEAT_BASE)           \
	X(GUEST_S_CET,                0x00006828u, VMCS_FEAT_CET)            \
	X(GUEST_SSP,                  0x0000682Au, VMCS_FEAT_CET)            \
	X(GUEST_INTR_SSP_TABLE,       0x0000682Cu, VMCS_FEAT_CET)            \
	/* Natural-width host-state fields */                                \
	X(HOST_CR0,                   0x00006C00u, VMCS_FEAT_BASE)           \
	X(HOST_CR3,                   0x00006C02u, VMCS_FEAT_BASE)           \
	X(HOST_CR4,                   0x00006C04u, VMCS_FEAT_BASE)           \
	X(HOST_FS_BASE,               0x00006C06u, VMCS_FEAT_BASE)           \
	X(HOST_GS_BASE,               0x00006C08u, VMCS_FEAT_BASE)           \
	X(HOST_TR_BASE,               0x00006C0Au, VMCS_FEAT_BASE)           \
	X(HOST_GDTR_BASE,             0x00006C0Cu, VMCS_FEAT_BASE)           \
	X(HOST_IDTR_BASE,             0x00006C0Eu, VMCS_FEAT_BASE)           \
	X(HOST_IA32_SYSENTER_ESP,     0x00006C10u, VMCS_FEAT_BASE)           \
	X(HOST_IA32_SYSENTER_EIP,     0x00006C12u, VMCS_FEAT_BASE)           \
	X(HOST_RSP,                   0x00006C14u, VMCS_FEAT_BASE)           \
	X(HOST_RIP,                   0x00006C16u, VMCS_FEAT_BASE)           \
	X(HOST_S_CET,                 0x00006C18u, VMCS_FEAT_CET)            \
	X(HOST_SSP,                   0x00006C1Au, VMCS_FEAT_CET)            \
	X(HOST_INTR_SSP_TABLE,        0x00006C1Cu, VMCS_FEAT_CET)
/* clang-format on */

/** Field encodings, VMCS_<name> = encoding. */
enum vmcs_field {
#define VMCS_FIELD_ENUM(name, enc, feat) VMCS_##name = (enc),
	VMCS_FIELD_LIST(VMCS_FIELD_ENUM)
#undef VMCS_FIELD_ENUM
};

/** Number of entries in VMCS_FIELD_LIST. */
enum {
#define VMCS_FIELD_COUNT_ONE(name, enc, feat) +1
	VMCS_FIELD_COUNT = 0 VMCS_FIELD_LIST(VMCS_FIELD_COUNT_ONE)
#undef VMCS_FIELD_COUNT_ONE
};

/** Width of a component, from encoding bits 14:13 (SDM Vol. 3C 25.11.2). */
enum vmcs_width {
	VMCS_WIDTH_16 = 0,
	VMCS_WIDTH_64 = 1,
	VMCS_WIDTH_32 = 2,
	VMCS_WIDTH_NATURAL = 3,
};

/** Type of a component, from encoding bits 11:10 (SDM Vol. 3C 25.11.2). */
enum vmcs_type {
	VMCS_TYPE_CONTROL = 0,
	VMCS_TYPE_EXIT_INFO = 1, /**< "VM-exit information": read-only data. */
	VMCS_TYPE_GUEST = 2,
	VMCS_TYPE_HOST = 3,
};

/** Width of a component from its encoding: bits 14:13. */
#define VMCS_ENC_WIDTH(enc) ((enum vmcs_width)(((enc) >> 13) & 3u))
/** Type of a component from its encoding: bits 11:10. */
#define VMCS_ENC_TYPE(enc) ((enum vmcs_type)(((enc) >> 10) & 3u))
/** Bit 0 is the access type: 1 selects the high 32 bits of a 64-bit field. */
#define VMCS_ENC_IS_HIGH(enc) (((enc)&1u) != 0u)

/** Returns the width of the component with the given encoding. */
static inline enum vmcs_width vmcs_field_width(uint32_t enc)
{
	return VMCS_ENC_WIDTH(enc);
}

/** Returns the type (control, exit information, guest, host) of a field. */
static inline enum vmcs_type vmcs_field_type(uint32_t enc)
{
	return VMCS_ENC_TYPE(enc);
}

/**
 * Returns true for read-only components ("VM-exit information" type). Writes
 * to them fail with VM-instruction error 13 unless IA32_VMX_MISC[29] is set
 * (SDM Vol. 3C 25.11.2, 31.3 VMWRITE).
 */
static inline bool vmcs_field_is_read_only(uint32_t enc)
{
	return VMCS_ENC_TYPE(enc) == VMCS_TYPE_EXIT_INFO;
}

#endif /* FLANK_VMCS_FIELDS_H */
