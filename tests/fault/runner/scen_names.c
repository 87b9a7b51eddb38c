// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The names a scenario may use: VMCS fields (the one field table, without
 * the VMCS_ prefix), MSRs (without MSR_), control-register and RFLAGS bits,
 * VMX control bits and other constants of flank/x86.h, exception vectors,
 * basic exit reasons, libvmm statuses and states. Every table is built
 * from the project's own headers, so a scenario can only name what the
 * code knows.
 */
#include <string.h>
#include <strings.h>

#include "flank/image_abi.h"
#include "flank/vmm_hypercall.h"
#include "flank/vmm_status.h"
#include "scen.h"

struct named {
	const char *name;
	uint64_t value;
};

static bool find(const struct named *t, size_t n, const char *name, uint64_t *v)
{
	for (size_t i = 0; i < n; i++) {
		if (strcasecmp(t[i].name, name) == 0) {
			*v = t[i].value;
			return true;
		}
	}
	return false;
}

#define N_(t) (sizeof(t) / sizeof((t)[0]))

/* --------------------------------------------------------------- fields */

static const struct named fields[] = {
#define FIELD_NAME(name, enc, feat) {#name, (enc)},
	VMCS_FIELD_LIST(FIELD_NAME)
#undef FIELD_NAME
};

bool scen_field_by_name(const char *name, uint32_t *enc)
{
	char base[SCEN_NAME_LEN];
	size_t len = strlen(name);
	uint64_t v;

	if (find(fields, N_(fields), name, &v)) {
		*enc = (uint32_t)v;
		return true;
	}
	/* NAME_HIGH: the high 32 bits of a 64-bit field (encoding | 1). */
	if (len > 5 && len < sizeof(base) &&
	    strcasecmp(name + len - 5, "_HIGH") == 0) {
		memcpy(base, name, len - 5);
		base[len - 5] = '\0';
		if (find(fields, N_(fields), base, &v) &&
		    VMCS_ENC_WIDTH((uint32_t)v) == VMCS_WIDTH_64) {
			*enc = (uint32_t)v | 1u;
			return true;
		}
	}
	return false;
}

/* ----------------------------------------------------------------- MSRs */

#define M(n)                                                                   \
	{                                                                      \
#n, MSR_##n                                                    \
	}
static const struct named msrs[] = {
	M(IA32_TSC),
	M(IA32_APIC_BASE),
	M(IA32_FEATURE_CONTROL),
	M(IA32_BIOS_UPDT_TRIG),
	M(IA32_BIOS_SIGN_ID),
	M(IA32_SMM_MONITOR_CTL),
	M(IA32_SYSENTER_CS),
	M(IA32_SYSENTER_ESP),
	M(IA32_SYSENTER_EIP),
	M(IA32_DEBUGCTL),
	M(IA32_PAT),
	M(IA32_PERF_GLOBAL_CTRL),
	M(IA32_VMX_BASIC),
	M(IA32_VMX_PINBASED_CTLS),
	M(IA32_VMX_PROCBASED_CTLS),
	M(IA32_VMX_EXIT_CTLS),
	M(IA32_VMX_ENTRY_CTLS),
	M(IA32_VMX_MISC),
	M(IA32_VMX_CR0_FIXED0),
	M(IA32_VMX_CR0_FIXED1),
	M(IA32_VMX_CR4_FIXED0),
	M(IA32_VMX_CR4_FIXED1),
	M(IA32_VMX_VMCS_ENUM),
	M(IA32_VMX_PROCBASED_CTLS2),
	M(IA32_VMX_EPT_VPID_CAP),
	M(IA32_VMX_TRUE_PINBASED_CTLS),
	M(IA32_VMX_TRUE_PROCBASED_CTLS),
	M(IA32_VMX_TRUE_EXIT_CTLS),
	M(IA32_VMX_TRUE_ENTRY_CTLS),
	M(IA32_VMX_VMFUNC),
	M(IA32_VMX_PROCBASED_CTLS3),
	M(IA32_S_CET),
	M(IA32_PL0_SSP),
	M(IA32_INTERRUPT_SSP_TABLE_ADDR),
	M(IA32_X2APIC_FIRST),
	M(IA32_X2APIC_LAST),
	M(IA32_XSS),
	M(IA32_EFER),
	M(IA32_STAR),
	M(IA32_LSTAR),
	M(IA32_CSTAR),
	M(IA32_FMASK),
	M(IA32_FS_BASE),
	M(IA32_GS_BASE),
	M(IA32_KERNEL_GS_BASE),
	M(IA32_TSC_AUX),
};
#undef M

bool scen_msr_by_name(const char *name, uint32_t *msr)
{
	uint64_t v;

	if (!find(msrs, N_(msrs), name, &v))
		return false;
	*msr = (uint32_t)v;
	return true;
}

/* ------------------------------------------------------------ constants */

/* Bits named bare in the context of their register ("set cr4 |= VMXE"). */
#define B(reg, n)                                                              \
	{                                                                      \
#n, X86_##reg##_##n                                            \
	}
static const struct named cr0_bits[] = {
	B(CR0, PE), B(CR0, MP), B(CR0, EM), B(CR0, TS), B(CR0, ET), B(CR0, NE),
	B(CR0, WP), B(CR0, AM), B(CR0, NW), B(CR0, CD), B(CR0, PG),
};
static const struct named cr4_bits[] = {
	B(CR4, VME),   B(CR4, PVI),	B(CR4, TSD),	    B(CR4, DE),
	B(CR4, PSE),   B(CR4, PAE),	B(CR4, MCE),	    B(CR4, PGE),
	B(CR4, PCE),   B(CR4, OSFXSR),	B(CR4, OSXMMEXCPT), B(CR4, UMIP),
	B(CR4, LA57),  B(CR4, VMXE),	B(CR4, SMXE),	    B(CR4, FSGSBASE),
	B(CR4, PCIDE), B(CR4, OSXSAVE), B(CR4, SMEP),	    B(CR4, SMAP),
	B(CR4, PKE),   B(CR4, CET),	B(CR4, PKS),
};
static const struct named rflags_bits[] = {
	B(RFLAGS, CF),	B(RFLAGS, FIXED1), B(RFLAGS, PF),   B(RFLAGS, AF),
	B(RFLAGS, ZF),	B(RFLAGS, SF),	   B(RFLAGS, TF),   B(RFLAGS, IF),
	B(RFLAGS, DF),	B(RFLAGS, OF),	   B(RFLAGS, IOPL), B(RFLAGS, NT),
	B(RFLAGS, RF),	B(RFLAGS, VM),	   B(RFLAGS, AC),   B(RFLAGS, VIF),
	B(RFLAGS, VIP), B(RFLAGS, ID),
};
#undef B

#define C(n)                                                                   \
	{                                                                      \
#n, (n)                                                        \
	}
static const struct named consts[] = {
	C(PIN_EXT_INTR_EXITING),
	C(PIN_NMI_EXITING),
	C(PIN_VIRTUAL_NMIS),
	C(PIN_PREEMPTION_TIMER),
	C(PIN_POSTED_INTR),
	C(CPU_INTR_WINDOW_EXITING),
	C(CPU_USE_TSC_OFFSETTING),
	C(CPU_HLT_EXITING),
	C(CPU_INVLPG_EXITING),
	C(CPU_MWAIT_EXITING),
	C(CPU_RDPMC_EXITING),
	C(CPU_RDTSC_EXITING),
	C(CPU_CR3_LOAD_EXITING),
	C(CPU_CR3_STORE_EXITING),
	C(CPU_TERTIARY_CONTROLS),
	C(CPU_CR8_LOAD_EXITING),
	C(CPU_CR8_STORE_EXITING),
	C(CPU_USE_TPR_SHADOW),
	C(CPU_NMI_WINDOW_EXITING),
	C(CPU_MOV_DR_EXITING),
	C(CPU_UNCOND_IO_EXITING),
	C(CPU_USE_IO_BITMAPS),
	C(CPU_MONITOR_TRAP_FLAG),
	C(CPU_USE_MSR_BITMAPS),
	C(CPU_MONITOR_EXITING),
	C(CPU_PAUSE_EXITING),
	C(CPU_ACTIVATE_SECONDARY),
	C(SEC_VIRT_APIC_ACCESSES),
	C(SEC_ENABLE_EPT),
	C(SEC_DESC_TABLE_EXITING),
	C(SEC_ENABLE_RDTSCP),
	C(SEC_VIRT_X2APIC_MODE),
	C(SEC_ENABLE_VPID),
	C(SEC_WBINVD_EXITING),
	C(SEC_UNRESTRICTED_GUEST),
	C(SEC_APIC_REGISTER_VIRT),
	C(SEC_VIRT_INTR_DELIVERY),
	C(SEC_PAUSE_LOOP_EXITING),
	C(SEC_RDRAND_EXITING),
	C(SEC_ENABLE_INVPCID),
	C(SEC_ENABLE_VMFUNC),
	C(SEC_SHADOW_VMCS),
	C(SEC_ENCLS_EXITING),
	C(SEC_RDSEED_EXITING),
	C(SEC_ENABLE_PML),
	C(SEC_EPT_VE),
	C(SEC_PT_CONCEAL),
	C(SEC_ENABLE_XSAVES),
	C(SEC_MODE_BASED_EPT_EXEC),
	C(SEC_TSC_SCALING),
	C(SEC_ENABLE_USER_WAIT_PAUSE),
	C(SEC_ENABLE_PCONFIG),
	C(SEC_ENCLV_EXITING),
	C(EXIT_SAVE_DEBUG_CONTROLS),
	C(EXIT_HOST_ADDR_SPACE_SIZE),
	C(EXIT_LOAD_PERF_GLOBAL_CTRL),
	C(EXIT_ACK_INTR_ON_EXIT),
	C(EXIT_SAVE_PAT),
	C(EXIT_LOAD_PAT),
	C(EXIT_SAVE_EFER),
	C(EXIT_LOAD_EFER),
	C(EXIT_SAVE_PREEMPTION_TIMER),
	C(EXIT_CLEAR_BNDCFGS),
	C(EXIT_CONCEAL_PT),
	C(EXIT_CLEAR_RTIT_CTL),
	C(EXIT_LOAD_CET_STATE),
	C(ENTRY_LOAD_DEBUG_CONTROLS),
	C(ENTRY_IA32E_MODE_GUEST),
	C(ENTRY_TO_SMM),
	C(ENTRY_DEACT_DUAL_MONITOR),
	C(ENTRY_LOAD_PERF_GLOBAL_CTRL),
	C(ENTRY_LOAD_PAT),
	C(ENTRY_LOAD_EFER),
	C(ENTRY_LOAD_BNDCFGS),
	C(ENTRY_CONCEAL_PT),
	C(ENTRY_LOAD_RTIT_CTL),
	C(ENTRY_LOAD_CET_STATE),
	C(FEATURE_CONTROL_LOCKED),
	C(FEATURE_CONTROL_VMX_INSIDE_SMX),
	C(FEATURE_CONTROL_VMX_OUTSIDE_SMX),
	C(VMX_BASIC_PHYS_ADDR_32),
	C(VMX_BASIC_DUAL_MONITOR),
	C(VMX_BASIC_MEMTYPE_WB),
	C(VMX_BASIC_INOUT),
	C(VMX_BASIC_TRUE_CTLS),
	C(VMX_MISC_ACTIVITY_HLT),
	C(VMX_MISC_ACTIVITY_SHUTDOWN),
	C(VMX_MISC_ACTIVITY_WAIT_SIPI),
	C(VMX_MISC_VMWRITE_ANY),
	C(VMX_MISC_ZERO_LEN_INJECT),
	C(INTR_INFO_DELIVER_CODE),
	C(INTR_INFO_NMI_UNBLOCK_IRET),
	C(INTR_INFO_VALID),
	C(INTR_TYPE_EXT_INTR),
	C(INTR_TYPE_RESERVED),
	C(INTR_TYPE_NMI),
	C(INTR_TYPE_HARD_EXCEPTION),
	C(INTR_TYPE_SOFT_INTR),
	C(INTR_TYPE_PRIV_SW_EXCEPTION),
	C(INTR_TYPE_SOFT_EXCEPTION),
	C(INTR_TYPE_OTHER_EVENT),
	C(INTERRUPTIBILITY_STI),
	C(INTERRUPTIBILITY_MOV_SS),
	C(INTERRUPTIBILITY_SMI),
	C(INTERRUPTIBILITY_NMI),
	C(INTERRUPTIBILITY_ENCLAVE),
	C(ACTIVITY_ACTIVE),
	C(ACTIVITY_HLT),
	C(ACTIVITY_SHUTDOWN),
	C(ACTIVITY_WAIT_SIPI),
	C(AR_S),
	C(AR_P),
	C(AR_AVL),
	C(AR_L),
	C(AR_DB),
	C(AR_G),
	C(AR_UNUSABLE),
	/* Registers' bits under their register's name. */
	{"CR0_PE", X86_CR0_PE},
	{"CR0_NE", X86_CR0_NE},
	{"CR0_PG", X86_CR0_PG},
	{"CR0_WP", X86_CR0_WP},
	{"CR4_PAE", X86_CR4_PAE},
	{"CR4_VMXE", X86_CR4_VMXE},
	{"CR4_PCIDE", X86_CR4_PCIDE},
	{"CR4_OSXSAVE", X86_CR4_OSXSAVE},
	{"CR4_CET", X86_CR4_CET},
	{"RFLAGS_IF", X86_RFLAGS_IF},
	{"RFLAGS_VM", X86_RFLAGS_VM},
	{"RFLAGS_TF", X86_RFLAGS_TF},
	{"RFLAGS_FIXED1", X86_RFLAGS_FIXED1},
	{"EFER_SCE", X86_EFER_SCE},
	{"EFER_LME", X86_EFER_LME},
	{"EFER_LMA", X86_EFER_LMA},
	{"EFER_NXE", X86_EFER_NXE},
	/* CPUID feature bits ("cpuid clear 1 ecx VMX"). */
	{"VMX", X86_CPUID1_ECX_VMX},
	{"SMX", X86_CPUID1_ECX_SMX},
	{"XSAVE", X86_CPUID1_ECX_XSAVE},
	{"OSXSAVE", X86_CPUID1_ECX_OSXSAVE},
	{"HYPERVISOR", X86_CPUID1_ECX_HYPERVISOR},
	{"INVPCID", X86_CPUID7_EBX_INVPCID},
	{"RDTSCP", X86_CPUIDX1_EDX_RDTSCP},
	{"LM", X86_CPUIDX1_EDX_LM},
	{"XSAVES", X86_CPUIDD1_EAX_XSAVES},
	{"WAITPKG", X86_CPUID7_ECX_WAITPKG},
	{"RDPID", X86_CPUID7_ECX_RDPID},
	{"PCONFIG", X86_CPUID7_EDX_PCONFIG},
	/* Flank's hypercalls and CPUID leaf (flank/vmm_hypercall.h). */
	{"HC_MAGIC", FLANK_HC_MAGIC},
	{"HC_VERSION", FLANK_HC(FLANK_HC_VERSION)},
	{"HC_STOP_CPU", FLANK_HC(FLANK_HC_STOP_CPU)},
	{"HC_EXIT_COUNT", FLANK_HC(FLANK_HC_EXIT_COUNT)},
	{"FLANK_CPUID_LEAF", FLANK_CPUID_LEAF},
	{"FLANK_CPUID_EBX", FLANK_CPUID_EBX},
	{"FLANK_CPUID_ECX", FLANK_CPUID_ECX},
	/* INVEPT / INVVPID types (flank/intrinsics.h). */
	{"INVEPT_SINGLE", VMX_INVEPT_SINGLE_CONTEXT},
	{"INVEPT_ALL", VMX_INVEPT_ALL_CONTEXT},
	{"INVVPID_ADDR", VMX_INVVPID_INDIVIDUAL_ADDR},
	{"INVVPID_SINGLE", VMX_INVVPID_SINGLE_CONTEXT},
	{"INVVPID_ALL", VMX_INVVPID_ALL_CONTEXT},
	{"INVVPID_SINGLE_NON_GLOBAL", VMX_INVVPID_SINGLE_CONTEXT_NON_GLOBAL},
	/* Paging-structure entry bits for "map" (SDM Vol. 3A 4.5.4). */
	{"PTE_P", UINT64_C(1) << 0},
	{"PTE_RW", UINT64_C(1) << 1},
	{"PTE_US", UINT64_C(1) << 2},
	{"PTE_A", UINT64_C(1) << 5},
	{"PTE_D", UINT64_C(1) << 6},
	{"PTE_XD", UINT64_C(1) << 63},
	/* Handy addresses. */
	{"ALL_ONES", UINT64_MAX},
	{"NONCANONICAL", UINT64_C(0x0000800000000000)},
};
#undef C

bool scen_const_by_name(const char *name, enum scen_reg ctx, uint64_t *v)
{
	if (ctx == SCEN_R_CR0 && find(cr0_bits, N_(cr0_bits), name, v))
		return true;
	if (ctx == SCEN_R_CR4 && find(cr4_bits, N_(cr4_bits), name, v))
		return true;
	if (ctx == SCEN_R_RFLAGS && find(rflags_bits, N_(rflags_bits), name, v))
		return true;
	return find(consts, N_(consts), name, v);
}

/* -------------------------------------------------------------- vectors */

static const struct named vectors[] = {
	{"DE", X86_VEC_DE}, {"DB", X86_VEC_DB}, {"NMI", X86_VEC_NMI},
	{"BP", X86_VEC_BP}, {"UD", X86_VEC_UD}, {"DF", X86_VEC_DF},
	{"TS", X86_VEC_TS}, {"NP", X86_VEC_NP}, {"SS", X86_VEC_SS},
	{"GP", X86_VEC_GP}, {"PF", X86_VEC_PF}, {"AC", X86_VEC_AC},
	{"MC", X86_VEC_MC}, {"CP", X86_VEC_CP},
};

bool scen_vector_by_name(const char *name, uint32_t *vec)
{
	uint64_t v;

	if (!find(vectors, N_(vectors), name, &v))
		return false;
	*vec = (uint32_t)v;
	return true;
}

/* --------------------------------------------------------- exit reasons */

#define R(n)                                                                   \
	{                                                                      \
#n, EXIT_REASON_##n                                            \
	}
static const struct named reasons[] = {
	R(EXCEPTION_NMI),
	R(EXTERNAL_INTERRUPT),
	R(TRIPLE_FAULT),
	R(INIT),
	R(SIPI),
	R(IO_SMI),
	R(OTHER_SMI),
	R(INTERRUPT_WINDOW),
	R(NMI_WINDOW),
	R(TASK_SWITCH),
	R(CPUID),
	R(GETSEC),
	R(HLT),
	R(INVD),
	R(INVLPG),
	R(RDPMC),
	R(RDTSC),
	R(RSM),
	R(VMCALL),
	R(VMCLEAR),
	R(VMLAUNCH),
	R(VMPTRLD),
	R(VMPTRST),
	R(VMREAD),
	R(VMRESUME),
	R(VMWRITE),
	R(VMXOFF),
	R(VMXON),
	R(CR_ACCESS),
	R(DR_ACCESS),
	R(IO_INSTRUCTION),
	R(MSR_READ),
	R(MSR_WRITE),
	R(INVALID_GUEST_STATE),
	R(MSR_LOADING),
	R(MWAIT),
	R(MONITOR_TRAP_FLAG),
	R(MONITOR),
	R(PAUSE),
	R(MACHINE_CHECK),
	R(TPR_BELOW_THRESHOLD),
	R(APIC_ACCESS),
	R(VIRTUALIZED_EOI),
	R(GDTR_IDTR),
	R(LDTR_TR),
	R(EPT_VIOLATION),
	R(EPT_MISCONFIG),
	R(INVEPT),
	R(RDTSCP),
	R(PREEMPTION_TIMER),
	R(INVVPID),
	R(WBINVD),
	R(XSETBV),
	R(APIC_WRITE),
	R(RDRAND),
	R(INVPCID),
	R(VMFUNC),
	R(ENCLS),
	R(RDSEED),
	R(PML_FULL),
	R(XSAVES),
	R(XRSTORS),
	R(PCONFIG),
	R(SPP),
	R(UMWAIT),
	R(TPAUSE),
	R(LOADIWKEY),
	R(ENCLV),
	R(ENQCMD_PASID),
	R(ENQCMDS_PASID),
	R(BUS_LOCK),
	R(NOTIFY),
	R(SEAMCALL),
	R(TDCALL),
};
#undef R

bool scen_exit_reason_by_name(const char *name, uint32_t *reason)
{
	uint64_t v;

	if (!find(reasons, N_(reasons), name, &v))
		return false;
	*reason = (uint32_t)v;
	return true;
}

/* ------------------------------------------------------ statuses, states */

bool scen_status_by_name(const char *name, int *status)
{
	for (int s = 0; s < VMM_STATUS_COUNT; s++) {
		const char *full = vmm_status_name(s);

		/* VMM_ERR_NO_VMX may be written NO_VMX; VMM_OK as OK. */
		if (strcasecmp(full, name) == 0 ||
		    (strncmp(full, "VMM_ERR_", 8) == 0 &&
		     strcasecmp(full + 8, name) == 0) ||
		    (strncmp(full, "VMM_", 4) == 0 &&
		     strcasecmp(full + 4, name) == 0)) {
			*status = s;
			return true;
		}
	}
	return false;
}

static const char *const states[] = {
	[FLANK_STATE_UNLOADED] = "UNLOADED",
	[FLANK_STATE_LOADED] = "LOADED",
	[FLANK_STATE_RUNNING] = "RUNNING",
	[FLANK_STATE_STOPPING] = "STOPPING",
	[FLANK_STATE_CORRUPT] = "CORRUPT",
};

bool scen_state_by_name(const char *name, unsigned *state)
{
	for (unsigned i = 0; i < N_(states); i++) {
		if (strcasecmp(states[i], name) == 0) {
			*state = i;
			return true;
		}
	}
	return false;
}

const char *scen_state_name(unsigned state)
{
	return state < N_(states) ? states[state] : "?";
}

const char *scen_reg_name(enum scen_reg r)
{
	static const char *const names[] = {
		[SCEN_R_CR0] = "cr0",	[SCEN_R_CR3] = "cr3",
		[SCEN_R_CR4] = "cr4",	[SCEN_R_CR8] = "cr8",
		[SCEN_R_DR7] = "dr7",	[SCEN_R_RFLAGS] = "rflags",
		[SCEN_R_XCR0] = "xcr0", [SCEN_R_CPL] = "cpl",
		[SCEN_R_CR2] = "cr2",
	};
	static const char *const segs[SCEN_R_SEG_END - SCEN_R_SEG] = {
#define SEG_NAMES(s) s ".sel", s ".base", s ".limit", s ".ar"
		SEG_NAMES("es"),   SEG_NAMES("cs"), SEG_NAMES("ss"),
		SEG_NAMES("ds"),   SEG_NAMES("fs"), SEG_NAMES("gs"),
		SEG_NAMES("ldtr"), SEG_NAMES("tr"),
#undef SEG_NAMES
	};
	if (r >= SCEN_R_SEG && r < SCEN_R_SEG_END)
		return segs[r - SCEN_R_SEG];
	return (unsigned)r < N_(names) ? names[r] : "?";
}
