// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * VMCALL exits (reason 18; VMCALL always exits in VMX non-root, at any CPL,
 * SDM Vol. 3C 26.1.2): the hypercall ABI of flank/vmm_hypercall.h and
 * docs/hypercalls.md.
 */
#include "flank/vmm_hypercall.h"
#include "flank/vmm_version.h"
#include "exit_internal.h"

/* The status flags a VMX instruction reports through (SDM Vol. 3C 31.2). */
#define RFLAGS_STATUS                                                          \
	(X86_RFLAGS_CF | X86_RFLAGS_PF | X86_RFLAGS_AF | X86_RFLAGS_ZF |       \
	 X86_RFLAGS_SF | X86_RFLAGS_OF)

/* Runs hypercall @p nr with the arguments and results in @p g. */
static void hypercall(struct vmm_cpu *cpu, uint32_t nr, struct intrin_gprs *g)
{
	struct vmm_hypercall_args a = {
		.nr = nr,
		.cpu = cpu->id,
		.arg = {g->rbx, g->rcx, g->rdx, g->rsi},
	};
	int st;

	switch (nr) {
	case FLANK_HC_VERSION:
		g->rax = VMM_OK;
		g->rbx = FLANK_HC_MAGIC;
		g->rcx = vmm_version();
		g->rdx = FLANK_HC_ABI_VERSION;
		return;
	case FLANK_HC_EXIT_COUNT:
		if (g->rbx >= FLANK_EXIT_REASONS) {
			g->rax = VMM_ERR_BAD_ARGUMENT;
			return;
		}
		g->rax = VMM_OK;
		g->rbx = cpu->exit_count[g->rbx];
		g->rcx = cpu->exits;
		return;
	case FLANK_HC_STATS:
		g->rax = VMM_OK;
		g->rbx = cpu->exits;
		g->rcx = cpu->injected;
		g->rdx = __atomic_load_n(&vmm_ctx.cpus_left, __ATOMIC_RELAXED);
		return;
	case FLANK_HC_CPU_STATUS:
	case FLANK_HC_EXIT_STATS:
	case FLANK_HC_RING_READ:
	case FLANK_HC_RING_WRITE:
		/* The host's calls from a CPU under Flank (query.c): the
		 * answer goes into the VMM's answer page, never to an
		 * address the guest names. */
		st = vmm_query_answer(cpu->id, nr, g->rbx, g->rcx, &g->rbx,
				      &g->rcx);
		g->rax = (uint64_t)(int64_t)st;
		return;
	default:
		break;
	}
	/* The extension range, or VMM_ERR_HYPERCALL_UNKNOWN (extension.c). */
	st = vmm_hypercall_extension_call(&a);
	g->rax = (uint64_t)(int64_t)st;
	if (st == VMM_ERR_HYPERCALL_UNKNOWN)
		return; /* Registers a call does not name keep their values. */
	g->rbx = a.ret[0];
	g->rcx = a.ret[1];
	g->rdx = a.ret[2];
}

enum intrin_exit_action vmm_exit_vmcall(struct vmm_cpu *cpu,
					struct intrin_exit_frame *frame,
					uint32_t reason)
{
	/* Results go to the guest only once the VMCALL completed: a failure
	 * below leaves the guest's registers as they were. */
	struct intrin_gprs res = frame->gprs, *g = &res;
	unsigned cpl = 0;
	int st;

	if (!vmm_exit_guest_cpl(&cpl))
		return vmm_exit_unhandled(cpu, frame, reason,
					  "VMREAD failed in VMCALL");
	/* Only ring 0 may call Flank; elsewhere VMCALL is #UD, as on a CPU
	 * with no VMM (SDM Vol. 3C 31.3 VMCALL, outside VMX operation). */
	if (cpl != 0) {
		if (vmm_exit_inject_fault(cpu, X86_VEC_UD))
			return INTRIN_EXIT_RESUME;
		return vmm_exit_unhandled(cpu, frame, reason,
					  "VMWRITE failed injecting #UD");
	}
	if ((g->rax >> 32) == FLANK_HC_MAGIC &&
	    (uint32_t)g->rax == FLANK_HC_STOP_CPU) {
		/* vmm_devirtualize() continues after the VMCALL with the
		 * status flags cleared (launch.c). */
		st = vmm_devirtualize(cpu, frame, true);
		g->rax = (uint64_t)st;
		if (st == VMM_OK || st == VMM_ERR_VMXOFF) {
			frame->gprs.rax = (uint64_t)st;
			return INTRIN_EXIT_LEAVE;
		}
		/*
		 * A VMREAD of the guest state failed before anything was
		 * changed: the CPU stays under Flank and the VMCALL completes
		 * with the status, so stop reports it (state CORRUPT, see
		 * docs/lifecycle.md). Leaving at the VMCALL instead would run
		 * it natively outside VMX operation: #UD in the kernel.
		 */
	} else if ((g->rax >> 32) == FLANK_HC_MAGIC) {
		hypercall(cpu, (uint32_t)g->rax, g);
	} else if (cpu->outer_vmm) {
		/*
		 * Nested under KVM, Hyper-V or VMware: the kernel sends IPIs
		 * and TLB flushes by VMCALL to the hypervisor it sees in
		 * CPUID, which is the one below us. Hand the call on with
		 * every register as the guest left it (XMM registers too: the
		 * VMM never touches them); its results become the guest's.
		 * Only from ring 0 (above): a forwarded call runs with our
		 * privilege, so a user task's VMCALL must never reach it.
		 */
		if (!vmx_ok(vmx_vmcall_outer(g))) {
			res = frame->gprs;
			g->rax = VMM_ERR_HYPERCALL_UNKNOWN;
		}
	} else {
		g->rax = VMM_ERR_HYPERCALL_UNKNOWN;
	}
	/* VMsucceed for the VMCALL itself: status flags cleared. */
	if (vmm_exit_advance_clear(RFLAGS_STATUS)) {
		frame->gprs = res;
		return INTRIN_EXIT_RESUME;
	}
	return vmm_exit_unhandled(cpu, frame, reason,
				  "VMREAD/VMWRITE failed in VMCALL");
}
