/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * VM-entry checks on the host-state area (SDM Vol. 3C 27.2.2-27.2.4). A
 * failure is VMfailValid(8) "VM entry with invalid host-state field(s)".
 * Groups H1..H8 of shared/VMX-CHECKS.md, in the SDM's order: control
 * registers and MSRs (27.2.2), segment and descriptor-table registers
 * (27.2.3), then address-space size (27.2.4). H1 therefore fires after H2-H7;
 * VMX-CHECKS.md notes that some real CPUs report error 7 for it instead, and
 * the SDM (which lists it among the host-state checks) is followed here.
 *
 * Not modelled: IA32_PKRS (no profile has "load PKRS"), IA32_S_CET reserved
 * bits beyond canonicality, LAM bits of CR3.
 */
#include "entry_checks.h"

/* The selector fields have RPL (bits 1:0) and TI (bit 2) (SDM 3A 3.4.2). */
#define SEL_RPL_TI 7u

/* SDM Vol. 3C 27.2.2: host control registers and MSRs. */
static bool check_host_cr_msr(const struct mock_cpu *cpu,
			      const struct entry_caps *caps,
			      const struct mock_vmcs *vmcs,
			      struct mock_check_failure *fail)
{
	uint64_t cr0 = VF(vmcs, HOST_CR0);
	uint64_t cr4 = VF(vmcs, HOST_CR4);
	uint32_t exit = (uint32_t)VF(vmcs, VM_EXIT_CONTROLS);
	bool host64 = exit & EXIT_HOST_ADDR_SPACE_SIZE;

	/* No unrestricted-guest exemption for the host (unlike G1). */
	CHECK(H2, cr0_fixed0, fixed0_ok(cr0, caps->cr0_fixed0));
	CHECK(H2, cr0_fixed1, fixed1_ok(cr0, caps->cr0_fixed1));
	CHECK(H2, cr4_fixed0, fixed0_ok(cr4, caps->cr4_fixed0));
	CHECK(H2, cr4_fixed1, fixed1_ok(cr4, caps->cr4_fixed1));
	CHECK(H2, cr3_width, !mock_pa_too_wide(VF(vmcs, HOST_CR3)));
	CHECK(H3, cr4_cet_wp, !(cr4 & X86_CR4_CET) || (cr0 & X86_CR0_WP));
	CHECK(H4, sysenter_esp,
	      mock_is_canonical(VF(vmcs, HOST_IA32_SYSENTER_ESP)));
	CHECK(H4, sysenter_eip,
	      mock_is_canonical(VF(vmcs, HOST_IA32_SYSENTER_EIP)));
	if (exit & EXIT_LOAD_CET_STATE) {
		CHECK(H3, s_cet, mock_is_canonical(VF(vmcs, HOST_S_CET)));
		CHECK(H3, ssp, mock_is_canonical(VF(vmcs, HOST_SSP)));
		CHECK(H3, isst,
		      mock_is_canonical(VF(vmcs, HOST_INTR_SSP_TABLE)));
	}
	if (exit & EXIT_LOAD_PERF_GLOBAL_CTRL)
		CHECK(H5, perf_global,
		      (VF(vmcs, HOST_IA32_PERF_GLOBAL_CTRL) &
		       entry_perf_global_reserved(cpu)) == 0);
	if (exit & EXIT_LOAD_PAT)
		CHECK(H5, pat, entry_pat_ok(VF(vmcs, HOST_IA32_PAT)));
	if (exit & EXIT_LOAD_EFER) {
		uint64_t efer = VF(vmcs, HOST_IA32_EFER);

		CHECK(H5, efer_reserved, (efer & ENTRY_EFER_RESERVED) == 0);
		CHECK(H5, efer_lma, ((efer & X86_EFER_LMA) != 0) == host64);
		CHECK(H5, efer_lme, ((efer & X86_EFER_LME) != 0) == host64);
	}
	return true;
}

/* SDM Vol. 3C 27.2.3: host segment and descriptor-table registers. */
static bool check_host_segments(const struct mock_vmcs *vmcs,
				struct mock_check_failure *fail)
{
	bool host64 = VF(vmcs, VM_EXIT_CONTROLS) & EXIT_HOST_ADDR_SPACE_SIZE;

	CHECK(H6, es_rpl_ti, (VF(vmcs, HOST_ES_SELECTOR) & SEL_RPL_TI) == 0);
	CHECK(H6, cs_rpl_ti, (VF(vmcs, HOST_CS_SELECTOR) & SEL_RPL_TI) == 0);
	CHECK(H6, ss_rpl_ti, (VF(vmcs, HOST_SS_SELECTOR) & SEL_RPL_TI) == 0);
	CHECK(H6, ds_rpl_ti, (VF(vmcs, HOST_DS_SELECTOR) & SEL_RPL_TI) == 0);
	CHECK(H6, fs_rpl_ti, (VF(vmcs, HOST_FS_SELECTOR) & SEL_RPL_TI) == 0);
	CHECK(H6, gs_rpl_ti, (VF(vmcs, HOST_GS_SELECTOR) & SEL_RPL_TI) == 0);
	CHECK(H6, tr_rpl_ti, (VF(vmcs, HOST_TR_SELECTOR) & SEL_RPL_TI) == 0);
	CHECK(H6, cs_null, VF(vmcs, HOST_CS_SELECTOR) != 0);
	CHECK(H6, tr_null, VF(vmcs, HOST_TR_SELECTOR) != 0);
	CHECK(H6, ss_null, host64 || VF(vmcs, HOST_SS_SELECTOR) != 0);
	CHECK(H7, fs_base, mock_is_canonical(VF(vmcs, HOST_FS_BASE)));
	CHECK(H7, gs_base, mock_is_canonical(VF(vmcs, HOST_GS_BASE)));
	CHECK(H7, gdtr_base, mock_is_canonical(VF(vmcs, HOST_GDTR_BASE)));
	CHECK(H7, idtr_base, mock_is_canonical(VF(vmcs, HOST_IDTR_BASE)));
	CHECK(H7, tr_base, mock_is_canonical(VF(vmcs, HOST_TR_BASE)));
	return true;
}

/*
 * SDM Vol. 3C 27.2.4: address-space size. "In IA-32e mode" is the CPU's
 * IA32_EFER.LMA at the time of VM entry.
 */
static bool check_host_address_space(const struct mock_cpu *cpu,
				     const struct mock_vmcs *vmcs,
				     struct mock_check_failure *fail)
{
	bool ia32e = mock_msr_value(cpu, MSR_IA32_EFER) & X86_EFER_LMA;
	bool host64 = VF(vmcs, VM_EXIT_CONTROLS) & EXIT_HOST_ADDR_SPACE_SIZE;
	bool guest64 = entry_ia32e_guest(vmcs);

	if (!ia32e) {
		CHECK(H1, outside_ia32e_guest, !guest64);
		CHECK(H1, outside_ia32e_host, !host64);
	} else {
		CHECK(H1, ia32e_host_size, host64);
	}
	if (!host64) {
		/*
		 * "IA-32e mode guest" = 0 here is implied by H1: outside
		 * IA-32e mode H1 requires it, inside it host64 is 1.
		 */
		CHECK(H8, pcide_32bit_host,
		      !(VF(vmcs, HOST_CR4) & X86_CR4_PCIDE));
		CHECK(H8, rip_32bit_host, (VF(vmcs, HOST_RIP) >> 32) == 0);
	} else {
		CHECK(H8, pae, VF(vmcs, HOST_CR4) & X86_CR4_PAE);
		CHECK(H8, rip_canonical, mock_is_canonical(VF(vmcs, HOST_RIP)));
	}
	return true;
}

bool mock_check_host_state(const struct mock_cpu *cpu,
			   const struct mock_vmcs *vmcs,
			   struct mock_check_failure *fail)
{
	struct entry_caps caps;

	entry_read_caps(cpu, &caps);
	return check_host_cr_msr(cpu, &caps, vmcs, fail) &&
	       check_host_segments(vmcs, fail) &&
	       check_host_address_space(cpu, vmcs, fail);
}
