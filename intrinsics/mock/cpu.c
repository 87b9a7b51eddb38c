// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Non-VMX intrinsics: CPUID, RDMSR/WRMSR, XSETBV/XGETBV, control and debug
 * registers, RFLAGS. Executed in VMX non-root they exit where the SDM says
 * they exit (Vol. 3C 26.1) and otherwise act on the guest's state.
 */
#include "mock_internal.h"

static bool cpuid_bit(const struct mock_cpu *c, uint32_t leaf, uint32_t sub,
		      enum mock_cpuid_reg reg, unsigned bit)
{
	struct cpu_cpuid_regs r;

	mock_cpuid_query(c, leaf, sub, &r);
	uint32_t v = reg == MOCK_EAX   ? r.eax
		     : reg == MOCK_EBX ? r.ebx
		     : reg == MOCK_ECX ? r.ecx
				       : r.edx;
	return (v >> bit) & 1u;
}

static bool canonical48(uint64_t v)
{
	return mock_is_canonical(v);
}

/* ------------------------------------------------------------- CPUID */

void cpu_cpuid(uint32_t leaf, uint32_t subleaf, struct cpu_cpuid_regs *out)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t none = {VMX_SUCCEED, 0};

	(void)mock_fault_check(MOCK_OP_CPUID, leaf, subleaf, &none);
	if (c->vmx == MOCK_VMX_NONROOT) {
		/* SDM Vol. 3C 26.1.2: CPUID always exits. */
		struct mock_guest_insn in = {
			.reason = EXIT_REASON_CPUID,
			.len = 2,
			.gprs = {.rax = leaf, .rcx = subleaf}};
		(void)mock_guest_insn_exit(&in, NULL);
		out->eax = (uint32_t)in.gprs.rax;
		out->ebx = (uint32_t)in.gprs.rbx;
		out->ecx = (uint32_t)in.gprs.rcx;
		out->edx = (uint32_t)in.gprs.rdx;
	} else {
		mock_cpuid_query(c, leaf, subleaf, out);
	}
	mock_record(MOCK_OP_CPUID, leaf, subleaf, (vmx_result_t){0, 0}, false);
}

/* -------------------------------------------------------------- MSRs */

static bool is_vmx_cap(uint32_t msr)
{
	return msr >= MSR_IA32_VMX_BASIC && msr <= MSR_IA32_VMX_PROCBASED_CTLS3;
}

int mock_msr_read_raw(struct mock_cpu *c, uint32_t msr, uint64_t *value)
{
	struct mock_msr *m = mock_msr_find(c, msr);

	if (!m || m->gp_read)
		return X86_VEC_GP;
	*value = mock_msr_value(c, msr);
	return 0;
}

static uint64_t pat_ok(uint64_t v)
{
	for (unsigned i = 0; i < 8; i++) {
		unsigned t = (v >> (8 * i)) & 0xFF;
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

/* Reserved-bit and value checks of the MSRs the model knows (SDM Vol. 4). */
static bool msr_value_ok(struct mock_cpu *c, uint32_t msr, uint64_t v)
{
	switch (msr) {
	case MSR_IA32_FEATURE_CONTROL: {
		uint64_t cur = mock_msr_value(c, msr);
		if (cur & FEATURE_CONTROL_LOCKED)
			return false; /* SDM Vol. 3C 24.7: locked until reset */
		uint64_t ok = FEATURE_CONTROL_LOCKED | UINT64_C(0x17FF00);
		if (cpuid_bit(c, 1, 0, MOCK_ECX, 5))
			ok |= FEATURE_CONTROL_VMX_OUTSIDE_SMX;
		if (cpuid_bit(c, 1, 0, MOCK_ECX, 6))
			ok |= FEATURE_CONTROL_VMX_INSIDE_SMX;
		return (v & ~ok) == 0;
	}
	case MSR_IA32_EFER: {
		uint64_t ok = X86_EFER_SCE | X86_EFER_LME | X86_EFER_LMA;
		if (cpuid_bit(c, 0x80000001u, 0, MOCK_EDX, 20))
			ok |= X86_EFER_NXE;
		if (v & ~ok)
			return false;
		/* LME cannot change while paging is on (SDM Vol. 3A 9.8.5). */
		if ((c->regs.cr0 & X86_CR0_PG) &&
		    ((v ^ mock_efer(c)) & X86_EFER_LME))
			return false;
		return true;
	}
	case MSR_IA32_PAT:
		return pat_ok(v);
	case MSR_IA32_DEBUGCTL:
		return (v & ~UINT64_C(0xFFC3)) == 0;
	case MSR_IA32_SPEC_CTRL: {
		/*
		 * SDM Vol. 4 Table 2-2: IBRS (bit 0) if CPUID.(7,0):EDX[26],
		 * STIBP (1) if EDX[27], SSBD (2) if EDX[31]; the model keeps
		 * the bits newer parts define (IPRED_DIS, RRSBA_DIS, ...)
		 * reserved: writing one is #GP.
		 */
		uint64_t ok = 0;
		if (cpuid_bit(c, 7, 0, MOCK_EDX, 26))
			ok |= SPEC_CTRL_IBRS;
		if (cpuid_bit(c, 7, 0, MOCK_EDX, 27))
			ok |= SPEC_CTRL_STIBP;
		if (cpuid_bit(c, 7, 0, MOCK_EDX, 31))
			ok |= SPEC_CTRL_SSBD;
		return (v & ~ok) == 0;
	}
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
	case MSR_IA32_FS_BASE:
	case MSR_IA32_GS_BASE:
	case MSR_IA32_KERNEL_GS_BASE:
	case MSR_IA32_LSTAR:
	case MSR_IA32_CSTAR:
	case MSR_IA32_S_CET:
	case MSR_IA32_PL0_SSP:
	case MSR_IA32_INTERRUPT_SSP_TABLE_ADDR:
		return canonical48(v);
	case MSR_IA32_APIC_BASE:
		return (v & 0x6FFu) == 0 &&
		       !mock_pa_too_wide(v & ~UINT64_C(0xFFF));
	case MSR_IA32_PERF_GLOBAL_CTRL: {
		struct cpu_cpuid_regs a;
		mock_cpuid_query(c, 0xA, 0, &a);
		unsigned gp = (a.eax >> 8) & 0xFF, fx = a.edx & 0x1F;
		uint64_t ok = (gp >= 64 ? UINT64_MAX : (BIT64(gp) - 1)) |
			      (((BIT64(fx) - 1)) << 32);
		return (v & ~ok) == 0;
	}
	case MSR_IA32_XSS: {
		struct cpu_cpuid_regs d;
		mock_cpuid_query(c, 0xD, 1, &d);
		return (v & ~(((uint64_t)d.edx << 32) | d.ecx)) == 0;
	}
	case MSR_IA32_TSC_AUX:
		return (v >> 32) == 0;
	case MSR_IA32_SYSENTER_CS:
		return true;
	default:
		return true;
	}
}

int mock_msr_write_raw(struct mock_cpu *c, uint32_t msr, uint64_t value)
{
	struct mock_msr *m = mock_msr_find(c, msr);

	if (!m || m->gp_write || is_vmx_cap(msr) ||
	    !msr_value_ok(c, msr, value))
		return X86_VEC_GP;
	if (msr == MSR_IA32_EFER) /* LMA is set by the CPU, not by WRMSR */
		value = (value & ~X86_EFER_LMA) | (mock_efer(c) & X86_EFER_LMA);
	mock_msr_put(c, msr, value);
	return 0;
}

/*
 * RDMSR/WRMSR in VMX non-root: an exit when intercepted (the guest sees
 * #GP if the VMM injected one); otherwise the CPU performs the access
 * itself and a faulting access is a #GP in the guest (an exception exit
 * if the exception bitmap asks for it).
 */
static int guest_msr(struct mock_cpu *c, uint32_t msr, uint64_t *value,
		     bool write)
{
	struct mock_exit_outcome out;
	int rc;

	if (mock_msr_intercepted(c, msr, write)) {
		uint64_t v = 0;
		rc = write ? mock_guest_wrmsr(msr, *value, &out)
			   : mock_guest_rdmsr(msr, &v, &out);
		if (rc == 0 && out.action == INTRIN_EXIT_RESUME &&
		    mock_injected_exception(mock_cur()) == X86_VEC_GP)
			return X86_VEC_GP;
		if (!write)
			*value = v;
		return 0;
	}
	int gp = write ? mock_msr_write_raw(c, msr, *value)
		       : mock_msr_read_raw(c, msr, value);
	if (gp)
		(void)mock_guest_exception(X86_VEC_GP, 0, NULL);
	return gp;
}

enum cpu_safe_status cpu_rdmsr_safe(uint32_t msr, uint64_t *value)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};
	int gp = 0;
	bool inj = mock_fault_check(MOCK_OP_RDMSR, msr, 0, &r);

	*value = 0;
	if (inj) {
		gp = X86_VEC_GP;
	} else if (c->vmx == MOCK_VMX_NONROOT) {
		gp = guest_msr(c, msr, value, false);
	} else if (c->regs.cpl > 0) {
		gp = X86_VEC_GP;
	} else {
		gp = mock_msr_read_raw(c, msr, value);
	}
	if (gp)
		r = (vmx_result_t){VMX_EXCEPTION, X86_VEC_GP};
	mock_record(MOCK_OP_RDMSR, msr, *value, r, inj);
	return gp ? CPU_SAFE_GP : CPU_SAFE_OK;
}

enum cpu_safe_status cpu_wrmsr_safe(uint32_t msr, uint64_t value)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};
	int gp = 0;
	bool inj = mock_fault_check(MOCK_OP_WRMSR, msr, value, &r);

	if (inj) {
		gp = X86_VEC_GP;
	} else if (c->vmx == MOCK_VMX_NONROOT) {
		gp = guest_msr(c, msr, &value, true);
	} else if (c->regs.cpl > 0) {
		gp = X86_VEC_GP;
	} else {
		gp = mock_msr_write_raw(c, msr, value);
	}
	if (gp)
		r = (vmx_result_t){VMX_EXCEPTION, X86_VEC_GP};
	mock_record(MOCK_OP_WRMSR, msr, value, r, inj);
	return gp ? CPU_SAFE_GP : CPU_SAFE_OK;
}

/* ----------------------------------------------------------- XSETBV */

static uint64_t xcr0_supported(const struct mock_cpu *c)
{
	struct cpu_cpuid_regs d;

	mock_cpuid_query(c, 0xD, 0, &d);
	return ((uint64_t)d.edx << 32) | d.eax;
}

/* SDM Vol. 2C XSETBV "Protected Mode Exceptions" and Vol. 1 13.3. */
static bool xcr0_ok(const struct mock_cpu *c, uint64_t v)
{
	if (!(v & 1u) || (v & ~xcr0_supported(c)))
		return false;
	if ((v & BIT64(2)) && !(v & BIT64(1)))
		return false;
	if (((v >> 3) & 1u) != ((v >> 4) & 1u))
		return false;
	uint64_t avx512 = v & (BIT64(5) | BIT64(6) | BIT64(7));
	if (avx512 &&
	    (avx512 != (BIT64(5) | BIT64(6) | BIT64(7)) || !(v & BIT64(2))))
		return false;
	if (((v >> 17) & 1u) != ((v >> 18) & 1u))
		return false;
	return true;
}

enum cpu_safe_status cpu_xsetbv_safe(uint32_t xcr, uint64_t value)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};
	bool inj = mock_fault_check(MOCK_OP_XSETBV, xcr, value, &r);
	int gp = 0;

	if (inj) {
		gp = X86_VEC_GP;
	} else if (!(c->regs.cr4 & X86_CR4_OSXSAVE)) {
		r = mock_raise(MOCK_OP_XSETBV, X86_VEC_UD, "XSETBV.ud_osxsave",
			       "#UD: XSETBV with CR4.OSXSAVE = 0");
		mock_record(MOCK_OP_XSETBV, xcr, value, r, false);
		return CPU_SAFE_GP;
	} else if (c->vmx == MOCK_VMX_NONROOT) {
		/* SDM Vol. 3C 26.1.2: XSETBV always exits. */
		struct mock_guest_insn in = {
			.reason = EXIT_REASON_XSETBV,
			.len = 3,
			.gprs = {.rcx = xcr,
				 .rax = value & 0xFFFFFFFFu,
				 .rdx = value >> 32}};
		if (mock_guest_insn_exit(&in, NULL) == 0 &&
		    mock_injected_exception(mock_cur()) == X86_VEC_GP)
			gp = X86_VEC_GP;
	} else if (c->regs.cpl > 0 || xcr != 0 || !xcr0_ok(c, value)) {
		gp = X86_VEC_GP;
	} else {
		c->regs.xcr0 = value;
	}
	if (gp)
		r = (vmx_result_t){VMX_EXCEPTION, X86_VEC_GP};
	mock_record(MOCK_OP_XSETBV, xcr, value, r, inj);
	return gp ? CPU_SAFE_GP : CPU_SAFE_OK;
}

uint64_t cpu_xgetbv(uint32_t xcr)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};
	uint64_t v = 0;

	(void)mock_fault_check(MOCK_OP_XGETBV, xcr, 0, &r);
	if (!(c->regs.cr4 & X86_CR4_OSXSAVE))
		r = mock_raise(MOCK_OP_XGETBV, X86_VEC_UD, "XGETBV.ud_osxsave",
			       "#UD: XGETBV with CR4.OSXSAVE = 0");
	else if (xcr == 0)
		v = c->regs.xcr0;
	else if (xcr == 1 && cpuid_bit(c, 0xD, 1, MOCK_EAX, 2))
		v = c->regs.xcr0; /* XINUSE: modelled as "all enabled in use" */
	else
		r = mock_raise(MOCK_OP_XGETBV, X86_VEC_GP, "XGETBV.gp_xcr",
			       "#GP(0): XGETBV of an unsupported XCR");
	mock_record(MOCK_OP_XGETBV, xcr, v, r, false);
	return v;
}

/* -------------------------------------------------- control registers */

static uint64_t cr4_allowed(const struct mock_cpu *c)
{
	uint64_t ok = X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE |
		      X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE |
		      X86_CR4_PCE | X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT;
#define ALLOW(bit, leaf, reg, n)                                               \
	if (cpuid_bit(c, leaf, 0, reg, n))                                     \
		ok |= bit;
	ALLOW(X86_CR4_UMIP, 7, MOCK_ECX, 2);
	ALLOW(X86_CR4_LA57, 7, MOCK_ECX, 16);
	ALLOW(X86_CR4_VMXE, 1, MOCK_ECX, 5);
	ALLOW(X86_CR4_SMXE, 1, MOCK_ECX, 6);
	ALLOW(X86_CR4_FSGSBASE, 7, MOCK_EBX, 0);
	ALLOW(X86_CR4_PCIDE, 1, MOCK_ECX, 17);
	ALLOW(X86_CR4_OSXSAVE, 1, MOCK_ECX, 26);
	ALLOW(X86_CR4_SMEP, 7, MOCK_EBX, 7);
	ALLOW(X86_CR4_SMAP, 7, MOCK_EBX, 20);
	ALLOW(X86_CR4_PKE, 7, MOCK_ECX, 3);
	ALLOW(X86_CR4_CET, 7, MOCK_ECX, 7);
	ALLOW(X86_CR4_PKS, 7, MOCK_ECX, 31);
#undef ALLOW
	return ok;
}

/*
 * MOV to CR0 (SDM Vol. 2B MOV, Vol. 3A 2.5) and, in VMX operation, the
 * fixed bits (Vol. 3C 24.8); returns the rule that makes it #GP or NULL.
 */
static const char *cr0_gp(const struct mock_cpu *c, uint64_t v)
{
	if (c->regs.cpl > 0)
		return "CR0.gp_cpl";
	if (v >> 32)
		return "CR0.gp_reserved";
	if ((v & X86_CR0_PG) && !(v & X86_CR0_PE))
		return "CR0.gp_pg_without_pe";
	if ((v & X86_CR0_NW) && !(v & X86_CR0_CD))
		return "CR0.gp_nw_without_cd";
	if (!(v & X86_CR0_PG) && (mock_efer(c) & X86_EFER_LMA))
		return "CR0.gp_clear_pg_long_mode";
	if (!(v & X86_CR0_WP) && (c->regs.cr4 & X86_CR4_CET))
		return "CR0.gp_wp_cet";
	if (c->vmx == MOCK_VMX_ROOT) {
		uint64_t f0 = mock_msr_value(c, MSR_IA32_VMX_CR0_FIXED0);
		uint64_t f1 = mock_msr_value(c, MSR_IA32_VMX_CR0_FIXED1);
		if (((v & f1) | f0) != v)
			return "CR0.gp_vmx_fixed";
	}
	return NULL;
}

static const char *cr4_gp(const struct mock_cpu *c, uint64_t v)
{
	if (c->regs.cpl > 0)
		return "CR4.gp_cpl";
	if (v & ~cr4_allowed(c))
		return "CR4.gp_reserved";
	if (mock_efer(c) & X86_EFER_LMA) {
		if (!(v & X86_CR4_PAE))
			return "CR4.gp_clear_pae_long_mode";
		if ((v ^ c->regs.cr4) & X86_CR4_LA57)
			return "CR4.gp_la57_long_mode";
	}
	if ((v & X86_CR4_PCIDE) && !(c->regs.cr4 & X86_CR4_PCIDE) &&
	    (c->regs.cr3 & 0xFFFu))
		return "CR4.gp_pcide_cr3";
	if ((v & X86_CR4_CET) && !(c->regs.cr0 & X86_CR0_WP))
		return "CR4.gp_cet_without_wp";
	if (c->vmx == MOCK_VMX_ROOT) {
		if (!(v & X86_CR4_VMXE))
			return "CR4.gp_clear_vmxe_in_vmx";
		uint64_t f0 = mock_msr_value(c, MSR_IA32_VMX_CR4_FIXED0);
		uint64_t f1 = mock_msr_value(c, MSR_IA32_VMX_CR4_FIXED1);
		if (((v & f1) | f0) != v)
			return "CR4.gp_vmx_fixed";
	}
	return NULL;
}

/*
 * A MOV to CR in VMX non-root (SDM Vol. 3C 26.1.3, 27.3 "Changes to
 * instruction behavior"): an exit when the masks say so; otherwise bits
 * owned by the host (mask = 1) keep their value and the rest are written.
 */
static void guest_mov_to_cr(struct mock_cpu *c, unsigned cr, uint64_t v)
{
	struct mock_exit_outcome out;
	int rc = mock_guest_mov_to_cr(cr, v, &out);

	if (rc >= 0)
		return;
	c = mock_cur();
	if (cr == 0 || cr == 4) {
		uint64_t mask =
			mock_cur_field(c, cr ? VMCS_CR4_GUEST_HOST_MASK
					     : VMCS_CR0_GUEST_HOST_MASK);
		uint64_t *reg = cr ? &c->regs.cr4 : &c->regs.cr0;
		*reg = (*reg & mask) | (v & ~mask);
	} else if (cr == 3) {
		c->regs.cr3 = v;
	} else {
		c->regs.cr8 = v & 0xF;
	}
}

static void write_cr(unsigned cr, uint64_t v)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};
	const char *gp = NULL;

	(void)mock_fault_check(MOCK_OP_WRITE_CR, cr, v, &r);
	if (cr == 2) {
		/* SDM Vol. 2B MOV: #GP(0) at CPL > 0, any value otherwise. A
		 * MOV to CR2 never exits (Vol. 3C 26.1.3 lists CR0, CR3, CR4
		 * and CR8 only), in VMX root and non-root alike. */
		if (c->regs.cpl > 0)
			r = mock_raise(MOCK_OP_WRITE_CR, X86_VEC_GP,
				       "CR2.gp_cpl",
				       "#GP(0): MOV to CR2 at CPL > 0");
		else
			c->regs.cr2 = v;
	} else if (c->vmx == MOCK_VMX_NONROOT) {
		guest_mov_to_cr(c, cr, v);
	} else {
		if (cr == 0)
			gp = cr0_gp(c, v);
		else if (cr == 4)
			gp = cr4_gp(c, v);
		else if (c->regs.cpl > 0)
			gp = "CR8.gp_cpl";
		else if (v >> 4)
			gp = "CR8.gp_reserved";
		if (gp)
			r = mock_raise(MOCK_OP_WRITE_CR, X86_VEC_GP, gp,
				       "#GP(0): MOV to CR not allowed");
		else if (cr == 0)
			c->regs.cr0 = v | X86_CR0_ET; /* ET is fixed to 1 */
		else if (cr == 4)
			c->regs.cr4 = v;
		else
			c->regs.cr8 = v;
	}
	mock_record(MOCK_OP_WRITE_CR, cr, v, r, false);
}

static uint64_t read_cr(unsigned cr)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};
	uint64_t v = 0;

	(void)mock_fault_check(MOCK_OP_READ_CR, cr, 0, &r);
	if (c->regs.cpl > 0) {
		r = mock_raise(MOCK_OP_READ_CR, X86_VEC_GP, "CR.gp_cpl_read",
			       "#GP(0): MOV from CR at CPL > 0");
	} else if (c->vmx == MOCK_VMX_NONROOT && (cr == 0 || cr == 4)) {
		/* SDM Vol. 3C 27.3: masked bits read from the shadow. */
		uint64_t mask =
			mock_cur_field(c, cr ? VMCS_CR4_GUEST_HOST_MASK
					     : VMCS_CR0_GUEST_HOST_MASK);
		uint64_t sh = mock_cur_field(c, cr ? VMCS_CR4_READ_SHADOW
						   : VMCS_CR0_READ_SHADOW);
		uint64_t real = cr ? c->regs.cr4 : c->regs.cr0;
		v = (real & ~mask) | (sh & mask);
	} else if (c->vmx == MOCK_VMX_NONROOT && (cr == 3 || cr == 8) &&
		   mock_guest_mov_from_cr(cr, &v, NULL) >= 0) {
		/* The handler supplied the value in RAX. */
	} else {
		switch (cr) {
		case 0:
			v = c->regs.cr0;
			break;
		case 2:
			v = c->regs.cr2;
			break;
		case 3:
			v = c->regs.cr3;
			break;
		case 4:
			v = c->regs.cr4;
			break;
		default:
			v = c->regs.cr8;
			break;
		}
	}
	mock_record(MOCK_OP_READ_CR, cr, v, r, false);
	return v;
}

uint64_t cpu_read_cr0(void)
{
	return read_cr(0);
}

void cpu_write_cr0(uint64_t value)
{
	write_cr(0, value);
}

uint64_t cpu_read_cr2(void)
{
	return read_cr(2);
}

void cpu_write_cr2(uint64_t value)
{
	write_cr(2, value);
}

uint64_t cpu_read_cr3(void)
{
	return read_cr(3);
}

/*
 * MOV to CR3 (SDM Vol. 2B MOV, Vol. 3A 4.5): #GP at CPL > 0 or with bits
 * beyond the physical-address width; with CR4.PCIDE bit 63 only means "do
 * not invalidate" and is not stored. In non-root: CR3-load exiting.
 */
void cpu_write_cr3(uint64_t value)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};
	uint64_t v = value;

	(void)mock_fault_check(MOCK_OP_WRITE_CR, 3, value, &r);
	if ((c->regs.cr4 & X86_CR4_PCIDE))
		v &= ~BIT64(63);
	if (c->regs.cpl > 0)
		r = mock_raise(MOCK_OP_WRITE_CR, X86_VEC_GP, "CR3.gp_cpl",
			       "#GP(0): MOV to CR3 at CPL > 0");
	else if (mock_pa_too_wide(v & ~UINT64_C(0xFFF)))
		r = mock_raise(MOCK_OP_WRITE_CR, X86_VEC_GP, "CR3.gp_reserved",
			       "#GP(0): CR3 beyond the physical-address width");
	else if (c->vmx == MOCK_VMX_NONROOT)
		guest_mov_to_cr(c, 3, v);
	else
		c->regs.cr3 = v;
	mock_record(MOCK_OP_WRITE_CR, 3, value, r, false);
}

uint64_t cpu_read_cr4(void)
{
	return read_cr(4);
}

void cpu_write_cr4(uint64_t value)
{
	write_cr(4, value);
}

uint64_t cpu_read_cr8(void)
{
	return read_cr(8);
}

void cpu_write_cr8(uint64_t value)
{
	write_cr(8, value);
}

/* ------------------------------------------------------- DR7, RFLAGS */

static bool guest_dr_exit(struct mock_cpu *c, bool to, uint64_t *v)
{
	if (c->vmx != MOCK_VMX_NONROOT ||
	    !(mock_proc_ctls(c) & CPU_MOV_DR_EXITING))
		return false;
	/* SDM Vol. 3C Table 28-4: DR number, direction (1 = from DR). */
	struct mock_guest_insn in = {.reason = EXIT_REASON_DR_ACCESS,
				     .qualification = 7u | (to ? 0 : 1u << 4),
				     .len = 3,
				     .gprs = {.rax = *v}};
	(void)mock_guest_insn_exit(&in, NULL);
	if (!to)
		*v = in.gprs.rax;
	return true;
}

uint64_t cpu_read_dr7(void)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};
	uint64_t v = 0;

	(void)mock_fault_check(MOCK_OP_READ_DR7, 0, 0, &r);
	if (c->regs.cpl > 0)
		r = mock_raise(MOCK_OP_READ_DR7, X86_VEC_GP, "DR7.gp_cpl",
			       "#GP(0): MOV from DR7 at CPL > 0");
	else if (!guest_dr_exit(c, false, &v))
		v = c->regs.dr7;
	mock_record(MOCK_OP_READ_DR7, 0, v, r, false);
	return v;
}

void cpu_write_dr7(uint64_t value)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};

	(void)mock_fault_check(MOCK_OP_WRITE_DR7, value, 0, &r);
	if (c->regs.cpl > 0)
		r = mock_raise(MOCK_OP_WRITE_DR7, X86_VEC_GP, "DR7.gp_cpl",
			       "#GP(0): MOV to DR7 at CPL > 0");
	else if (guest_dr_exit(c, true, &value))
		;
	else if (value >> 32)
		r = mock_raise(MOCK_OP_WRITE_DR7, X86_VEC_GP, "DR7.gp_reserved",
			       "#GP(0): DR7 bits 63:32 must be 0");
	else
		c->regs.dr7 = (value | 0x400u) & ~UINT64_C(0xD000);
	mock_record(MOCK_OP_WRITE_DR7, value, 0, r, false);
}

uint64_t cpu_read_rflags(void)
{
	struct mock_cpu *c = mock_cur();
	vmx_result_t r = {VMX_SUCCEED, 0};

	(void)mock_fault_check(MOCK_OP_READ_RFLAGS, 0, 0, &r);
	mock_record(MOCK_OP_READ_RFLAGS, c->regs.rflags, 0, r, false);
	return c->regs.rflags;
}
