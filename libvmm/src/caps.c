// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VMX capabilities: the capability MSRs (SDM Vol. 3D Appendix A), CPUID
 * features, and the VMX controls computed from them the way KVM's
 * adjust_vmx_controls() does: required | optional bits, minus what the
 * allowed-1 settings forbid, plus what the allowed-0 settings force; a
 * required bit that does not survive is an error that names it.
 */
#include "strtab.h"
#include "vmm_internal.h"

/* Reads capability MSR @p msr; #GP gives @p gp_status. */
static int cap_msr(uint32_t msr, uint64_t *value, int gp_status,
		   struct vmm_fmt *what)
{
	if (cpu_rdmsr_safe(msr, value) == CPU_SAFE_OK)
		return VMM_OK;
	if (what != NULL) {
		vmm_fmt_str(what, "RDMSR ");
		vmm_fmt_hex(what, msr);
		vmm_fmt_str(what, " raised #GP");
	}
	return gp_status;
}

/* Exported: the vmcs_check module imports it. */
FLANK_EXPORT unsigned vmm_phys_width(void)
{
	struct cpu_cpuid_regs r;
	unsigned width;

	cpu_cpuid(0x80000000u, 0, &r);
	if (r.eax < 0x80000008u)
		return 0;
	cpu_cpuid(0x80000008u, 0, &r);
	width = r.eax & 0xFFu;
	/* SDM Vol. 3A 4.1.4: MAXPHYADDR is at most 52; 36 is the minimum of
	 * every 64-bit processor. */
	if (width < 36 || width > 52)
		return 0;
	return width;
}

/*
 * Instructions that raise #UD in VMX non-root unless a secondary control is
 * 1 (SDM Vol. 3C 25.6.2 Table 25-7; 26.3 "Changes to Instruction Behavior
 * in VMX Non-Root Operation"). The guest is the kernel that ran on the bare
 * CPU: it uses each one whenever CPUID enumerates it (Linux: RDPID in its
 * NMI entry, TPAUSE in udelay(), XSAVES for FPU state, INVPCID for TLB
 * flushes), so each control is required exactly then. RDPID shares
 * "enable RDTSCP" (KVM: "RDPID is bundled under the same VMCS control as
 * RDTSCP and will #UD in VMX non-root if ENABLE_RDTSCP is not enabled").
 * Not here, because no control makes them #UD: ENCLS/ENCLV (secondary 15
 * and 28 only add exits through their bitmaps), SERIALIZE, PTWRITE,
 * ENQCMD, the UINTR instructions; VMFUNC #UDs without "enable VM
 * functions" but also outside non-root, so a kernel never executes it.
 * G(id, CPUID leaf, subleaf, register, bit, control, feature, control name)
 */
#define UD_GATES(G)                                                            \
	G(RDTSCP, 0x80000001u, 0, CPUID_EDX, X86_CPUIDX1_EDX_RDTSCP,           \
	  SEC_ENABLE_RDTSCP, "RDTSCP", "enable RDTSCP")                        \
	G(RDPID, 7, 0, CPUID_ECX, X86_CPUID7_ECX_RDPID, SEC_ENABLE_RDTSCP,     \
	  "RDPID", "enable RDTSCP")                                            \
	G(INVPCID, 7, 0, CPUID_EBX, X86_CPUID7_EBX_INVPCID,                    \
	  SEC_ENABLE_INVPCID, "INVPCID", "enable INVPCID")                     \
	G(XSAVES, 0xD, 1, CPUID_EAX, X86_CPUIDD1_EAX_XSAVES,                   \
	  SEC_ENABLE_XSAVES, "XSAVES", "enable XSAVES/XRSTORS")                \
	G(WAITPKG, 7, 0, CPUID_ECX, X86_CPUID7_ECX_WAITPKG,                    \
	  SEC_ENABLE_USER_WAIT_PAUSE, "WAITPKG (UMONITOR/UMWAIT/TPAUSE)",      \
	  "enable user wait and pause")                                        \
	G(PCONFIG, 7, 0, CPUID_EDX, X86_CPUID7_EDX_PCONFIG,                    \
	  SEC_ENABLE_PCONFIG, "PCONFIG", "enable PCONFIG")

enum ud_gate_id {
#define GATE_ENUM(id, leaf, sub, reg, bit, ctl, feat, name) UD_GATE_##id,
	UD_GATES(GATE_ENUM)
#undef GATE_ENUM
		UD_GATE_COUNT
};
_Static_assert(UD_GATE_COUNT <= 32, "vmm_caps.ud_features is 32 bits");

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

/* Feature and control names, exact-size strings by offset (strtab.h). */
static const struct gate_strings {
#define GATE_MEMBER(id, leaf, sub, reg, bit, ctl, feat, name)                  \
	STRTAB_MEMBER(feat_##id, feat) STRTAB_MEMBER(ctl_##id, name)
	UD_GATES(GATE_MEMBER)
#undef GATE_MEMBER
} gate_strings = {
#define GATE_INIT(id, leaf, sub, reg, bit, ctl, feat, name)                    \
	.feat_##id = feat, .ctl_##id = name,
	UD_GATES(GATE_INIT)
#undef GATE_INIT
};
STRTAB_FITS(struct gate_strings);

static const struct ud_gate {
	uint32_t leaf, cpuid_bit, control;
	uint16_t feature_at, control_at;
	uint8_t subleaf, reg;
} ud_gates[UD_GATE_COUNT] = {
#define GATE_ENTRY(id, l, sub, r, bit, ctl, feat, name)                        \
	[UD_GATE_##                                                            \
		id] = {.leaf = (l),                                            \
		       .cpuid_bit = (bit),                                     \
		       .control = (ctl),                                       \
		       .feature_at = offsetof(struct gate_strings, feat_##id), \
		       .control_at = offsetof(struct gate_strings, ctl_##id),  \
		       .subleaf = (sub),                                       \
		       .reg = (r)},
	UD_GATES(GATE_ENTRY)
#undef GATE_ENTRY
};

void vmm_cpu_features(struct vmm_caps *caps)
{
	struct cpu_cpuid_regs r;
	uint32_t max_basic, max_ext;

	cpu_cpuid(0, 0, &r);
	max_basic = r.eax;
	cpu_cpuid(0x80000000u, 0, &r);
	max_ext = r.eax;

	caps->ud_features = 0;
	for (unsigned i = 0; i < UD_GATE_COUNT; i++) {
		const struct ud_gate *g = &ud_gates[i];
		uint32_t v;

		if (g->leaf > (g->leaf >= 0x80000000u ? max_ext : max_basic))
			continue;
		cpu_cpuid(g->leaf, g->subleaf, &r);
		v = g->reg == CPUID_EAX	  ? r.eax
		    : g->reg == CPUID_EBX ? r.ebx
		    : g->reg == CPUID_ECX ? r.ecx
					  : r.edx;
		if ((v & g->cpuid_bit) != 0)
			caps->ud_features |= BIT32(i);
	}
}

/*
 * The secondary controls the enumerated gated instructions need; fails,
 * naming the feature, if one of them is not allowed-1 in @p proc2 (the
 * IA32_VMX_PROCBASED_CTLS2 value): the kernel would meet #UD there.
 */
static int ud_controls(const struct vmm_caps *caps, uint64_t proc2,
		       uint32_t *sec_min, struct vmm_fmt *what)
{
	uint32_t allowed1 = (uint32_t)(proc2 >> 32);

	*sec_min = 0;
	for (unsigned i = 0; i < UD_GATE_COUNT; i++) {
		const struct ud_gate *g = &ud_gates[i];

		if ((caps->ud_features & BIT32(i)) == 0)
			continue;
		if ((allowed1 & g->control) == 0) {
			if (what != NULL) {
				vmm_fmt_str(what,
					    "required secondary control '");
				vmm_fmt_str(what, STRTAB_AT(gate_strings,
							    g->control_at));
				vmm_fmt_str(what, "' is not available: CPUID "
						  "enumerates ");
				vmm_fmt_str(what, STRTAB_AT(gate_strings,
							    g->feature_at));
				vmm_fmt_str(what, ", which would raise #UD "
						  "in the guest");
			}
			return VMM_ERR_CONTROLS;
		}
		*sec_min |= g->control;
	}
	return VMM_OK;
}

int vmm_caps_basic(struct vmm_caps *caps, struct vmm_fmt *what)
{
	uint64_t b;
	int st = cap_msr(MSR_IA32_VMX_BASIC, &b, VMM_ERR_VMX_BASIC_MSR, what);

	if (st != VMM_OK)
		return st;
	caps->basic = b;
	/*
	 * SDM Vol. 3D A.1: bits 44:32 give the VMXON/VMCS region size (at
	 * most 4096), bit 48 limits VMX addresses to 32 bits (never on a
	 * 64-bit-capable CPU, and Flank's pages can lie anywhere), bits 53:50
	 * the memory type the CPU uses for VMCS accesses (Flank's pages are
	 * write-back), bit 31 of the revision identifier is always 0.
	 */
	if (VMX_BASIC_REGION_SIZE(b) > VMM_PAGE_SIZE ||
	    VMX_BASIC_REGION_SIZE(b) == 0 ||
	    (b & VMX_BASIC_PHYS_ADDR_32) != 0 ||
	    VMX_BASIC_MEMTYPE(b) != VMX_BASIC_MEMTYPE_WB ||
	    (b & BIT64(31)) != 0) {
		if (what != NULL) {
			vmm_fmt_str(what, "IA32_VMX_BASIC=");
			vmm_fmt_hex(what, b);
			vmm_fmt_str(what, ": region size ");
			vmm_fmt_dec(what, VMX_BASIC_REGION_SIZE(b));
			vmm_fmt_str(what, ", memory type ");
			vmm_fmt_dec(what, VMX_BASIC_MEMTYPE(b));
		}
		return VMM_ERR_VMX_BASIC_UNSUPPORTED;
	}
	return VMM_OK;
}

int vmm_caps_fixed(struct vmm_caps *caps, struct vmm_fmt *what)
{
	int st;

	st = cap_msr(MSR_IA32_VMX_CR0_FIXED0, &caps->cr0_fixed0,
		     VMM_ERR_CAPABILITY_MSR, what);
	if (st == VMM_OK)
		st = cap_msr(MSR_IA32_VMX_CR0_FIXED1, &caps->cr0_fixed1,
			     VMM_ERR_CAPABILITY_MSR, what);
	if (st == VMM_OK)
		st = cap_msr(MSR_IA32_VMX_CR4_FIXED0, &caps->cr4_fixed0,
			     VMM_ERR_CAPABILITY_MSR, what);
	if (st == VMM_OK)
		st = cap_msr(MSR_IA32_VMX_CR4_FIXED1, &caps->cr4_fixed1,
			     VMM_ERR_CAPABILITY_MSR, what);
	return st;
}

int vmm_fixed_bits_ok(const struct vmm_caps *caps, uint64_t cr0, uint64_t cr4,
		      struct vmm_fmt *what)
{
	/*
	 * SDM Vol. 3D A.7/A.8: a bit set in FIXED0 must be 1, a bit clear in
	 * FIXED1 must be 0. Flank may set missing FIXED0 bits (remembered and
	 * undone at stop) but never clears a bit the kernel has set, and a
	 * bit required 1 and 0 at once is unsatisfiable.
	 */
	uint64_t cr0_bad = (caps->cr0_fixed0 & ~caps->cr0_fixed1) |
			   (cr0 & ~caps->cr0_fixed1);
	uint64_t cr4_bad = (caps->cr4_fixed0 & ~caps->cr4_fixed1) |
			   (cr4 & ~caps->cr4_fixed1);

	if ((caps->cr4_fixed1 & X86_CR4_VMXE) == 0)
		cr4_bad |= X86_CR4_VMXE;
	if (cr0_bad == 0 && cr4_bad == 0)
		return VMM_OK;
	if (what != NULL) {
		vmm_fmt_str(what, "conflicting bits: CR0 ");
		vmm_fmt_hex(what, cr0_bad);
		vmm_fmt_str(what, ", CR4 ");
		vmm_fmt_hex(what, cr4_bad);
	}
	return VMM_ERR_FIXED_BITS;
}

/*
 * The control classes, each with its own bit numbering:
 * C(class, name as the SDM titles its controls).
 */
#define CTL_CLASSES(C)                                                         \
	C(PIN, "pin-based")                                                    \
	C(PROC, "processor-based")                                             \
	C(PROC2, "secondary")                                                  \
	C(EXIT, "VM-exit")                                                     \
	C(ENTRY, "VM-entry")

enum ctl_class {
#define CTL_ENUM(cls, name) CTL_##cls,
	CTL_CLASSES(CTL_ENUM)
#undef CTL_ENUM
		CTL_CLASS_COUNT
};

/*
 * Names of the required controls: X(class, bit, name). The class is part
 * of the key: bit 9 is "host address-space size" among the VM-exit
 * controls but "IA-32e mode guest" among the VM-entry controls (SDM Vol.
 * 3C 25.7.1, 25.8.1); keyed on the bit alone, a missing IA-32e-mode-guest
 * control was reported as "required VM-entry control 'host address-space
 * size'".
 */
#define CTL_NAMES(X)                                                           \
	X(PROC, CPU_USE_MSR_BITMAPS, "use MSR bitmaps")                        \
	X(PROC, CPU_ACTIVATE_SECONDARY, "activate secondary controls")         \
	X(EXIT, EXIT_HOST_ADDR_SPACE_SIZE, "host address-space size")          \
	X(EXIT, EXIT_SAVE_DEBUG_CONTROLS, "save debug controls")               \
	X(ENTRY, ENTRY_IA32E_MODE_GUEST, "IA-32e mode guest")                  \
	X(ENTRY, ENTRY_LOAD_DEBUG_CONTROLS, "load debug controls")

/* Class and control names as exact-size strings, by offset (strtab.h). */
static const struct ctl_strings {
#define CLASS_MEMBER(cls, name) STRTAB_MEMBER(class_##cls, name)
#define CTL_MEMBER(cls, bit, name) STRTAB_MEMBER(ctl_##bit, name)
	CTL_CLASSES(CLASS_MEMBER)
	CTL_NAMES(CTL_MEMBER)
#undef CLASS_MEMBER
#undef CTL_MEMBER
} ctl_strings = {
#define CLASS_INIT(cls, name) .class_##cls = name,
#define CTL_INIT(cls, bit, name) .ctl_##bit = name,
	CTL_CLASSES(CLASS_INIT) CTL_NAMES(CTL_INIT)
#undef CLASS_INIT
#undef CTL_INIT
};
STRTAB_FITS(struct ctl_strings);

static const uint16_t ctl_class_name_at[CTL_CLASS_COUNT] = {
#define CLASS_AT(cls, name)                                                    \
	[CTL_##cls] = offsetof(struct ctl_strings, class_##cls),
	CTL_CLASSES(CLASS_AT)
#undef CLASS_AT
};

struct ctl_bit_name {
	uint32_t bit;
	uint16_t name_at;
	uint8_t cls;
};

static const struct ctl_bit_name ctl_names[] = {
#define CTL_NAME_ENTRY(cls, bit, name)                                         \
	{(bit), offsetof(struct ctl_strings, ctl_##bit), CTL_##cls},
	CTL_NAMES(CTL_NAME_ENTRY)
#undef CTL_NAME_ENTRY
};

/*
 * Applies the allowed-0 (low dword: must be 1) and allowed-1 (high dword:
 * may be 1) settings of capability MSR value @p cap to @p min | @p opt
 * (SDM Vol. 3D A.3-A.5). A bit of @p min that does not survive fails.
 */
static int adjust(uint32_t min, uint32_t opt, uint64_t cap, enum ctl_class cls,
		  uint32_t *out, struct vmm_fmt *what)
{
	uint32_t allowed0 = (uint32_t)cap;
	uint32_t allowed1 = (uint32_t)(cap >> 32);
	uint32_t ctl = ((min | opt) & allowed1) | allowed0;
	uint32_t missing = min & ~ctl;

	*out = ctl;
	if (missing == 0)
		return VMM_OK;
	if (what != NULL) {
		const char *name = "?";
		for (size_t i = 0; i < sizeof(ctl_names) / sizeof(ctl_names[0]);
		     i++) {
			if (ctl_names[i].cls == cls &&
			    (missing & ctl_names[i].bit) != 0) {
				name = STRTAB_AT(ctl_strings,
						 ctl_names[i].name_at);
				break;
			}
		}
		vmm_fmt_str(what, "required ");
		vmm_fmt_str(what,
			    STRTAB_AT(ctl_strings, ctl_class_name_at[cls]));
		vmm_fmt_str(what, " control '");
		vmm_fmt_str(what, name);
		vmm_fmt_str(what, "' (");
		vmm_fmt_hex(what, missing);
		vmm_fmt_str(what, ") is not available");
	}
	return VMM_ERR_CONTROLS;
}

int vmm_caps_controls(struct vmm_caps *caps, struct vmm_fmt *what)
{
	/* SDM Vol. 3D A.1: bit 55 says the TRUE MSRs exist and report which
	 * default1 controls may be 0. */
	uint32_t first = (caps->basic & VMX_BASIC_TRUE_CTLS) != 0
				 ? MSR_IA32_VMX_TRUE_PINBASED_CTLS
				 : MSR_IA32_VMX_PINBASED_CTLS;
	uint64_t ctls[4], pin, proc, proc2 = 0, exit, entry;
	uint32_t sec_min = 0;
	struct vmm_controls *c = &caps->ctl;
	int st = VMM_OK;

	/* Pin-based, processor-based, VM-exit and VM-entry, at consecutive
	 * indexes in both sets (A.3.1, A.3.2, A.4, A.5): one loop reads them,
	 * which keeps the image's text within its pages (docs/loader.md). */
	for (uint32_t i = 0; i < 4 && st == VMM_OK; i++)
		st = cap_msr(first + i, &ctls[i], VMM_ERR_CAPABILITY_MSR, what);
	if (st != VMM_OK)
		return st;
	pin = ctls[0];
	proc = ctls[1];
	exit = ctls[2];
	entry = ctls[3];

	/*
	 * Secondary controls exist only if "activate secondary controls" may
	 * be 1 (SDM Vol. 3C 25.6.2; Vol. 3D A.3.3): otherwise every one of
	 * them is 0, and a gated instruction CPUID enumerates is fatal.
	 */
	if (((proc >> 32) & CPU_ACTIVATE_SECONDARY) != 0)
		st = cap_msr(MSR_IA32_VMX_PROCBASED_CTLS2, &proc2,
			     VMM_ERR_CAPABILITY_MSR, what);
	/* VPID (vpid.c): IA32_VMX_EPT_VPID_CAP exists when "enable VPID"
	 * may be 1 (SDM Vol. 3D A.10). */
	if (st == VMM_OK && ((proc2 >> 32) & SEC_ENABLE_VPID) != 0)
		st = cap_msr(MSR_IA32_VMX_EPT_VPID_CAP, &caps->invvpid_cap,
			     VMM_ERR_CAPABILITY_MSR, what);
	if (st == VMM_OK)
		st = ud_controls(caps, proc2, &sec_min, what);
	if (st != VMM_OK)
		return st;

	/* Pin-based: nothing; interrupts and NMIs go straight to the guest. */
	st = adjust(0, 0, pin, CTL_PIN, &c->pin, what);
	if (st == VMM_OK)
		st = adjust(CPU_USE_MSR_BITMAPS |
				    (sec_min ? CPU_ACTIVATE_SECONDARY : 0),
			    CPU_ACTIVATE_SECONDARY, proc, CTL_PROC, &c->proc,
			    what);
	if (st != VMM_OK)
		return st;
	c->proc2 = 0;
	if ((c->proc & CPU_ACTIVATE_SECONDARY) != 0) {
		/* PROCBASED_CTLS2 has no allowed-0 bits (SDM Vol. 3D A.3.3).
		 * "enable VPID" is optional: only with an INVVPID type that
		 * clears one VPID. "Enable EPT" when this start built the map
		 * (docs/ept.md). */
		uint32_t optional = vmm_ctx.ept.enabled ? SEC_ENABLE_EPT : 0u;

		if (vmm_vpid_usable(caps->invvpid_cap))
			optional |= SEC_ENABLE_VPID;
		st = adjust(sec_min, optional, proc2, CTL_PROC2, &c->proc2,
			    what);
		if (st != VMM_OK)
			return st;
		if (c->proc2 == 0)
			c->proc &= ~CPU_ACTIVATE_SECONDARY;
	}
	st = adjust(EXIT_HOST_ADDR_SPACE_SIZE | EXIT_SAVE_DEBUG_CONTROLS,
		    EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_EFER |
			    EXIT_LOAD_EFER,
		    exit, CTL_EXIT, &c->exit, what);
	if (st == VMM_OK)
		st = adjust(ENTRY_IA32E_MODE_GUEST | ENTRY_LOAD_DEBUG_CONTROLS,
			    ENTRY_LOAD_PAT | ENTRY_LOAD_EFER, entry, CTL_ENTRY,
			    &c->entry, what);
	if (st != VMM_OK)
		return st;

	/*
	 * PAT and EFER are switched only when the CPU can save the guest's
	 * value on exit, load the host's, and load the guest's on entry;
	 * otherwise the MSR simply stays shared (host value = guest value at
	 * start, and the guest's later writes stay live).
	 */
	if ((c->exit & (EXIT_SAVE_PAT | EXIT_LOAD_PAT)) !=
		    (EXIT_SAVE_PAT | EXIT_LOAD_PAT) ||
	    (c->entry & ENTRY_LOAD_PAT) == 0) {
		c->exit &= ~(EXIT_SAVE_PAT | EXIT_LOAD_PAT) | (uint32_t)exit;
		c->entry &= ~ENTRY_LOAD_PAT | (uint32_t)entry;
	}
	if ((c->exit & (EXIT_SAVE_EFER | EXIT_LOAD_EFER)) !=
		    (EXIT_SAVE_EFER | EXIT_LOAD_EFER) ||
	    (c->entry & ENTRY_LOAD_EFER) == 0) {
		c->exit &= ~(EXIT_SAVE_EFER | EXIT_LOAD_EFER) | (uint32_t)exit;
		c->entry &= ~ENTRY_LOAD_EFER | (uint32_t)entry;
	}
	return VMM_OK;
}

int vmm_caps_read(struct vmm_caps *caps, struct vmm_fmt *what)
{
	int st;

	vmm_zero(caps, sizeof(*caps));
	st = vmm_caps_basic(caps, what);
	if (st != VMM_OK)
		return st;
	caps->phys_width = vmm_phys_width();
	if (caps->phys_width == 0)
		return VMM_ERR_PHYS_WIDTH;
	st = vmm_caps_fixed(caps, what);
	if (st != VMM_OK)
		return st;
	vmm_cpu_features(caps);
	return vmm_caps_controls(caps, what);
}
