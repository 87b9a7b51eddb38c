// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * EPT on one CPU: INVEPT before the first VM entry and when the CPU leaves
 * VMX operation, and the two EPT exits (docs/ept.md, "Exits").
 */
#include "../exit_internal.h"
#include "../hooks.h"
#include "ept.h"
#include "flank/vmm_ring.h"

bool vmm_ept_on(const struct vmm_cpu *cpu)
{
	return (cpu->caps.ctl.proc2 & SEC_ENABLE_EPT) != 0;
}

/* INVEPT of @p type, or of the other type when the CPU lacks it. */
vmx_result_t vmm_ept_invept(uint64_t type)
{
	const struct vmm_ept *e = &vmm_ctx.ept;
	struct vmx_invept_desc d;
	uint64_t want = type == VMX_INVEPT_SINGLE_CONTEXT
				? EPT_CAP_INVEPT_SINGLE
				: EPT_CAP_INVEPT_ALL;

	/* SDM Vol. 3D A.10: bits 25 and 26 say which types exist;
	 * vmm_ept_unusable() made sure one of them does. */
	if ((e->cap & want) == 0)
		type = type == VMX_INVEPT_SINGLE_CONTEXT
			       ? VMX_INVEPT_ALL_CONTEXT
			       : VMX_INVEPT_SINGLE_CONTEXT;
	vmm_zero(&d, sizeof(d));
	d.eptp = e->eptp;
	return vmx_invept(type, &d);
}

int vmm_ept_cpu_start(struct vmm_cpu *cpu)
{
	vmx_result_t r;

	if (!vmm_ept_on(cpu))
		return VMM_OK;
	/*
	 * SDM Vol. 3C 29.4.3.1: mappings derived from an EPTP may be cached
	 * from an earlier use of the same EPTP (a previous start whose tables
	 * lay at the same address): invalidate before the first entry.
	 */
	r = vmm_ept_invept(VMX_INVEPT_SINGLE_CONTEXT);
	if (!vmx_ok(r)) {
		vmm_log_vmx(cpu, "INVEPT", r);
		return VMM_ERR_INVEPT;
	}
	return VMM_OK;
}

void vmm_ept_cpu_stop(struct vmm_cpu *cpu)
{
	vmx_result_t r;

	if (!vmm_ept_on(cpu) || !cpu->changes.vmxon)
		return;
	/* The tables are freed after stop: no cached translation derived
	 * from them may outlive them (SDM Vol. 3C 29.4.3.1). */
	r = vmm_ept_invept(VMX_INVEPT_ALL_CONTEXT);
	if (!vmx_ok(r))
		vmm_log_vmx(cpu, "INVEPT at stop", r);
}

/* EPT-violation qualification (SDM Vol. 3C 28.2.1, Table 28-7). @{ */
#define EPTV_READ BIT64(0)
#define EPTV_WRITE BIT64(1)
#define EPTV_FETCH BIT64(2)
#define EPTV_READABLE BIT64(3)
#define EPTV_WRITABLE BIT64(4)
#define EPTV_EXECUTABLE BIT64(5)
#define EPTV_GLA_VALID BIT64(7)
#define EPTV_GLA_TRANSLATION BIT64(8)
#define EPTV_NMI_UNBLOCKING BIT64(12)
/* @} */

void vmm_ept_violation_describe(struct vmm_fmt *f, uint64_t qual, uint64_t gpa,
				uint64_t gla)
{
	vmm_fmt_str(f, "EPT violation: ");
	vmm_fmt_str(f, (qual & EPTV_FETCH) != 0	  ? "instruction fetch"
		       : (qual & EPTV_WRITE) != 0 ? "data write"
		       : (qual & EPTV_READ) != 0  ? "data read"
						  : "access");
	vmm_fmt_str(f, " of GPA ");
	vmm_fmt_hex(f, gpa);
	vmm_fmt_str(f, ", entry allows ");
	vmm_fmt_str(f, (qual & EPTV_READABLE) != 0 ? "r" : "-");
	vmm_fmt_str(f, (qual & EPTV_WRITABLE) != 0 ? "w" : "-");
	vmm_fmt_str(f, (qual & EPTV_EXECUTABLE) != 0 ? "x" : "-");
	if ((qual & EPTV_GLA_VALID) == 0) {
		vmm_fmt_str(f, ", no GLA");
	} else {
		vmm_fmt_str(f, ", GLA ");
		vmm_fmt_hex(f, gla);
		vmm_fmt_str(f, (qual & EPTV_GLA_TRANSLATION) != 0
				       ? " (the linear address's translation)"
				       : " (a guest paging-structure entry)");
	}
	vmm_fmt_str(f, ", qualification ");
	vmm_fmt_hex(f, qual);
}

/* Logs "cpu N: <what>" in the ring (exit handler: vmm_log). */
static void ept_diag(struct vmm_cpu *cpu, uint32_t reason, uint64_t qual)
{
	char line[VMM_RING_TEXT_MAX];
	struct vmm_fmt f;
	uint64_t gpa = 0, gla = 0;

	(void)vmx_read64(VMCS_GUEST_PHYSICAL_ADDRESS, &gpa);
	vmm_fmt_init(&f, line, sizeof(line));
	vmm_fmt_str(&f, "cpu ");
	vmm_fmt_dec(&f, cpu->id);
	vmm_fmt_str(&f, ": ");
	if (reason == EXIT_REASON_EPT_VIOLATION) {
		if ((qual & EPTV_GLA_VALID) != 0)
			(void)vmx_readnat(VMCS_GUEST_LINEAR_ADDRESS, &gla);
		vmm_ept_violation_describe(&f, qual, gpa, gla);
	} else {
		/* SDM Vol. 3C 28.2.1: no qualification, the GPA is valid. */
		vmm_fmt_str(&f, "EPT misconfiguration at GPA ");
		vmm_fmt_hex(&f, gpa);
		vmm_fmt_str(&f, ": an entry of Flank's map is invalid");
	}
	vmm_log(FLANK_LOG_ERROR, line);
}

/*
 * Before resuming after a violation that hide.c or a page hook handled
 * (docs/ept.md "Violations during event delivery"). During event delivery
 * the event was not delivered (SDM Vol. 3C 28.2.4): unless the handler
 * injected a fault in its delivery, it is injected again as it was, so the
 * delivery, and the access, happen again (no RIP to advance: there was no
 * instruction). Otherwise, after an IRET that unblocked NMIs (Table 28-7
 * bit 12, undefined during delivery and with NMI exiting but not virtual
 * NMIs), blocking by NMI is set again (28.2.3), as exit 0 does.
 */
static enum intrin_exit_action
ept_resume(struct vmm_cpu *cpu, struct intrin_exit_frame *frame, uint64_t qual,
	   const struct vmm_vectoring *ev, uint64_t injected)
{
	uint32_t pin = cpu->caps.ctl.pin, intr = 0;
	bool ok;

	if (ev->info != 0)
		ok = cpu->injected != injected || vmm_exit_reinject(cpu, ev);
	else
		ok = (qual & EPTV_NMI_UNBLOCKING) == 0 ||
		     ((pin & PIN_NMI_EXITING) != 0 &&
		      (pin & PIN_VIRTUAL_NMIS) == 0) ||
		     (vmx_ok(vmx_read32(VMCS_GUEST_INTERRUPTIBILITY_INFO,
					&intr)) &&
		      vmm_exit_nmi_reblock(intr));
	if (!ok)
		return vmm_exit_unhandled(cpu, frame, EXIT_REASON_EPT_VIOLATION,
					  "event or NMI blocking not restored");
	return INTRIN_EXIT_RESUME;
}

enum intrin_exit_action vmm_exit_ept(struct vmm_cpu *cpu,
				     struct intrin_exit_frame *frame,
				     uint32_t reason)
{
	struct vmm_vectoring ev;
	uint64_t qual = 0, injected = cpu->injected;
	enum intrin_exit_action act;

	/*
	 * The identity map allows everything below its limit but the pages
	 * hooks protect: a violation a hook does not own is an access beyond
	 * it. Retrying would loop; the one unhandled path stops this CPU
	 * safely instead.
	 */
	(void)vmx_readnat(VMCS_EXIT_QUALIFICATION, &qual);
	if (reason == EXIT_REASON_EPT_VIOLATION) {
		if (!vmm_exit_vectoring(&ev))
			return vmm_exit_unhandled(cpu, frame, reason,
						  "VMREAD failed");
		if (vmm_hide_violation(cpu, frame, qual, &act) ||
		    vmm_page_hook_violation(cpu, frame, qual, &ev, &act))
			return act == INTRIN_EXIT_RESUME
				       ? ept_resume(cpu, frame, qual, &ev,
						    injected)
				       : act;
	}
	ept_diag(cpu, reason, qual);
	return vmm_exit_unhandled(cpu, frame, reason,
				  reason == EXIT_REASON_EPT_VIOLATION
					  ? "EPT violation that no hook owns"
					  : "EPT misconfiguration");
}
