// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Page hooks (flank/vmm_extension.h, docs/modules.md "Page hooks"): a table
 * of 4 KiB guest-physical pages with the EPT permissions to take away and
 * a callback. The EPT map (ept.c) splits the leaf covering each hooked page
 * down to 4 KiB and clears the permissions there; an EPT violation on such
 * a page calls the hook, which denies (#GP), injects #PF, or allows once
 * (the page is opened, the instruction single-stepped with the monitor
 * trap flag, and the page closed again at the MTF exit).
 *
 * A split view (vmm_page_hook_shadow) instead switches the leaf between
 * two views: execute-only on a copy of the module's shadow page, and
 * read/write without execute on the page itself. Each view allows only the
 * accesses it is for, so even a CPU that still caches the other view's
 * translation fetches the shadow or reads the original, never the wrong
 * one (docs/modules.md "Split view").
 *
 * Like the MSR hooks (hooks.c) the table changes only while no CPU runs;
 * the leaf pointers are written by the map build, which runs before any
 * CPU starts, and cleared when the map is rebuilt or freed.
 */
#include "../exit_internal.h"
#include "../hooks.h"
#include "ept.h"

#define PAGE_MASK (~UINT64_C(0xFFF))

/* EPT-violation qualification (SDM Vol. 3C 28.2.1, Table 28-7). @{ */
#define QUAL_WRITE BIT64(1)
#define QUAL_FETCH BIT64(2)
#define QUAL_ALLOWED (BIT64(3) | BIT64(4) | BIT64(5)) /* entry's R/W/X */
#define QUAL_GLA_VALID BIT64(7)
#define QUAL_GLA_TRANSLATION BIT64(8)
/* @} */

/* Page-fault error code (SDM Vol. 3A 4.7, Figure 4-12). @{ */
#define PF_P 0x1u
#define PF_W 0x2u
#define PF_U 0x4u
#define PF_I 0x10u
/* @} */

struct page_hook {
	uint64_t gpa; /* 4 KiB aligned. */
	union {
		uint64_t clear;	     /* EPTE_R/W/X bits the leaf lacks. */
		uint64_t leaf_fetch; /* Split view: X-only leaf on the copy. */
	};
	uint64_t *pte; /* The 4 KiB leaf in this start's map, or NULL. */
	vmm_page_hook_fn fn;
	const void *shadow; /* Split view: the module's 4096 bytes. */
};

static struct page_hook page_hooks[VMM_PAGE_HOOKS_MAX];
static uint32_t page_hook_count;

/* Adds the hook after the caller's checks (the same one again: VMM_OK). */
static int hook_add(uint64_t gpa, uint32_t remove, const void *shadow,
		    vmm_page_hook_fn fn)
{
	uint32_t n = page_hook_count;

	for (uint32_t i = 0; i < n; i++)
		if (page_hooks[i].gpa == gpa)
			return page_hooks[i].fn == fn &&
					       page_hooks[i].shadow == shadow &&
					       (shadow != NULL ||
						page_hooks[i].clear == remove)
				       ? VMM_OK
				       : VMM_ERR_HOOK_OVERLAP;
	if (n == VMM_PAGE_HOOKS_MAX)
		return VMM_ERR_HOOK_TABLE_FULL;
	page_hooks[n] = (struct page_hook){
		.gpa = gpa, .clear = remove, .fn = fn, .shadow = shadow};
	__atomic_store_n(&page_hook_count, n + 1u, __ATOMIC_RELEASE);
	return VMM_OK;
}

FLANK_EXPORT int vmm_page_hook_add(uint64_t gpa, uint32_t remove,
				   vmm_page_hook_fn fn)
{
	/*
	 * SDM Vol. 3C 29.3.3.1: write without read is a misconfiguration;
	 * execute-only needs IA32_VMX_EPT_VPID_CAP[0] (vmm_page_hook_shadow).
	 */
	if (fn == NULL || (gpa & ~PAGE_MASK) != 0 || remove == 0 ||
	    (remove & ~(uint32_t)EPTE_RWX) != 0 ||
	    ((remove & VMM_PAGE_HOOK_R) != 0 &&
	     (remove & VMM_PAGE_HOOK_W) == 0) ||
	    remove == (VMM_PAGE_HOOK_R | VMM_PAGE_HOOK_W))
		return VMM_ERR_BAD_ARGUMENT;
	if (!vmm_starts_with_endbr64((const void *)fn))
		return VMM_ERR_HOOK_NO_ENDBR;
	if (vmm_cpus_may_run())
		return VMM_ERR_HOOK_WHILE_RUNNING;
	return hook_add(gpa, remove, NULL, fn);
}

/*
 * True if this CPU has EPT with execute-only pages: the chain
 * vmm_ept_start() reads (SDM Vol. 3D A.3.2, A.3.3: secondary controls,
 * "enable EPT"; A.10: IA32_VMX_EPT_VPID_CAP exists only then, bit 0).
 * Registration runs before the VMM's init, on one CPU; start checks the
 * map's capability again.
 */
static bool exec_only_ept(void)
{
	struct cpu_cpuid_regs r;
	uint64_t proc = 0, proc2 = 0, cap = 0;

	cpu_cpuid(1, 0, &r);
	return (r.ecx & X86_CPUID1_ECX_VMX) != 0 &&
	       cpu_rdmsr_safe(MSR_IA32_VMX_PROCBASED_CTLS, &proc) ==
		       CPU_SAFE_OK &&
	       ((proc >> 32) & CPU_ACTIVATE_SECONDARY) != 0 &&
	       cpu_rdmsr_safe(MSR_IA32_VMX_PROCBASED_CTLS2, &proc2) ==
		       CPU_SAFE_OK &&
	       ((proc2 >> 32) & SEC_ENABLE_EPT) != 0 &&
	       cpu_rdmsr_safe(MSR_IA32_VMX_EPT_VPID_CAP, &cap) == CPU_SAFE_OK &&
	       (cap & EPT_CAP_EXEC_ONLY) != 0;
}

FLANK_EXPORT int vmm_page_hook_shadow(uint64_t gpa, const void *shadow,
				      vmm_page_hook_fn fn)
{
	if (fn == NULL || shadow == NULL || (gpa & ~PAGE_MASK) != 0)
		return VMM_ERR_BAD_ARGUMENT;
	if (!vmm_starts_with_endbr64((const void *)fn))
		return VMM_ERR_HOOK_NO_ENDBR;
	if (vmm_cpus_may_run())
		return VMM_ERR_HOOK_WHILE_RUNNING;
	if (!exec_only_ept())
		return VMM_ERR_EPT_NO_EXEC_ONLY;
	return hook_add(gpa, 0, shadow, fn);
}

FLANK_EXPORT int vmm_page_hook_remove(uint64_t gpa, vmm_page_hook_fn fn)
{
	uint32_t n = page_hook_count;

	if (vmm_cpus_may_run())
		return VMM_ERR_HOOK_WHILE_RUNNING;
	for (uint32_t i = 0; i < n; i++) {
		if (page_hooks[i].gpa != gpa || page_hooks[i].fn != fn)
			continue;
		page_hooks[i] = page_hooks[n - 1u];
		vmm_zero(&page_hooks[n - 1u], sizeof(page_hooks[0]));
		__atomic_store_n(&page_hook_count, n - 1u, __ATOMIC_RELEASE);
		return VMM_OK;
	}
	return VMM_ERR_BAD_ARGUMENT;
}

void vmm_page_hooks_clear(void)
{
	__atomic_store_n(&page_hook_count, 0, __ATOMIC_RELEASE);
	vmm_zero(page_hooks, sizeof(page_hooks));
}

/* The hook of the page of @p gpa, or NULL. */
static struct page_hook *find(uint64_t gpa)
{
	uint32_t n = __atomic_load_n(&page_hook_count, __ATOMIC_ACQUIRE);

	for (uint32_t i = 0; i < n; i++)
		if (page_hooks[i].gpa == (gpa & PAGE_MASK))
			return &page_hooks[i];
	return NULL;
}

bool vmm_page_hooked_in(uint64_t addr, uint64_t size)
{
	uint32_t n = __atomic_load_n(&page_hook_count, __ATOMIC_ACQUIRE);

	for (uint32_t i = 0; i < n; i++)
		if (page_hooks[i].gpa - addr < size)
			return true;
	return false;
}

int vmm_page_hook_leaf(struct vmm_ept *e, unsigned width, uint64_t addr,
		       uint64_t *pte)
{
	struct page_hook *h = find(addr);
	uint64_t pa = 0;
	void *copy;
	int st = VMM_OK;

	if (h == NULL)
		return VMM_OK;
	if (h->shadow == NULL) {
		*pte &= ~h->clear;
		h->pte = pte;
		return VMM_OK;
	}
	/* SDM Vol. 3C 29.3.3.1: an execute-only entry without
	 * IA32_VMX_EPT_VPID_CAP[0] is an EPT misconfiguration. */
	if ((e->cap & EPT_CAP_EXEC_ONLY) == 0)
		return VMM_ERR_EPT_NO_EXEC_ONLY;
	copy = vmm_ept_page_take(e, width, &pa, &st);
	if (copy == NULL)
		return st;
	vmm_copy(copy, h->shadow, VMM_PAGE_SIZE);
	/* The range's memory type and the leaf's other bits; the copy is
	 * RAM from page_alloc, as a page of code is. */
	h->leaf_fetch = (*pte & ~(EPTE_ADDR_MASK | EPTE_RWX)) | pa | EPTE_X;
	*pte = h->leaf_fetch;
	h->pte = pte;
	return VMM_OK;
}

bool vmm_page_hook_detach(uint64_t gpa, const uint64_t *pte)
{
	struct page_hook *h = find(gpa);

	if (h == NULL || h->pte != pte)
		return false;
	h->pte = NULL;
	return true;
}

void vmm_page_hooks_unmap(void)
{
	for (uint32_t i = 0; i < VMM_PAGE_HOOKS_MAX; i++)
		page_hooks[i].pte = NULL;
}

/* Sets (@p open) or clears the hook's permissions in its leaf. Atomic: the
 * map is shared, and another CPU may open or close the same leaf. */
static void leaf_open(const struct page_hook *h, bool open)
{
	if (open)
		(void)__atomic_or_fetch(h->pte, h->clear, __ATOMIC_SEQ_CST);
	else
		(void)__atomic_and_fetch(h->pte, ~h->clear, __ATOMIC_SEQ_CST);
}

/*
 * Injects the fault of a hook's answer, @p vector with error code @p code,
 * as a fault in the delivery of @p ev (vmm_exit_inject_nested()): the
 * vector injected, or VMM_NESTED_FAILED; a fault in #DF's delivery shuts
 * the CPU down (*@p act) as a triple fault does (exit_misc.c).
 */
static int hook_fault(struct vmm_cpu *cpu, struct intrin_exit_frame *frame,
		      uint32_t vector, uint32_t code,
		      const struct vmm_vectoring *ev,
		      enum intrin_exit_action *act)
{
	int r = vmm_exit_inject_nested(cpu, vector, code, ev);

	if (r == VMM_NESTED_TRIPLE)
		*act = vmm_exit_end_cpu(cpu, frame, EXIT_REASON_EPT_VIOLATION,
					false,
					"fault in #DF delivery: triple "
					"fault");
	return r;
}

/*
 * The #PF of a hook's VMM_HOOK_PAGE_FAULT answer for the violation @p qual
 * at linear address @p gla (SDM Vol. 3A 4.7): P when the EPT entry was
 * present (a protection fault; bits 5:3 of the qualification are 0 only
 * after a not-present entry), W for a write, U at CPL 3, I/D for a fetch
 * when CR4.SMEP = 1 or EFER.NXE = 1 (IA-32e mode has PAE). CR2 is not in
 * the VMCS (Vol. 3C 25.4.1) and an injected #PF does not load it (27.6.1),
 * so it is written here, in VMX root, for the entry that delivers the #PF:
 * nothing before that entry faults (Linux's NMI handler restores CR2 if a
 * fault inside it changed it). During event delivery the #PF may become
 * #DF (hook_fault()), which leaves CR2 alone. hook_fault()'s result, or
 * VMM_NESTED_FAILED (nothing injected) when the exit gave no linear
 * address that the access translated (Table 28-7 bits 7 and 8) or a guest
 * register cannot be read.
 */
static int inject_pf(struct vmm_cpu *cpu, struct intrin_exit_frame *frame,
		     uint64_t qual, uint64_t gla,
		     const struct vmm_vectoring *ev,
		     enum intrin_exit_action *act)
{
	uint32_t code = 0;
	uint64_t cr4 = 0, efer = 0;
	unsigned cpl = 0;
	int r;

	if ((qual & (QUAL_GLA_VALID | QUAL_GLA_TRANSLATION)) !=
		    (QUAL_GLA_VALID | QUAL_GLA_TRANSLATION) ||
	    !vmm_exit_guest_cpl(&cpl))
		return VMM_NESTED_FAILED;
	code |= (qual & QUAL_ALLOWED) != 0 ? PF_P : 0u;
	code |= (qual & QUAL_WRITE) != 0 ? PF_W : 0u;
	/* U at CPL 3, but not during event delivery (ev->info has bit 31
	 * then, so the OR is never 3): its accesses are supervisor-mode
	 * whatever the CPL (Vol. 3A 4.6: IDT, GDT, TSS; the frame goes on
	 * the CPL-0 handler's stack, 6.12.1). One test, not two: the exit
	 * handler's stack has no byte to spare (scripts/check-stack.py). */
	code |= (cpl | ev->info) == 3 ? PF_U : 0u;
	if ((qual & QUAL_FETCH) != 0) {
		/* EFER is in the VMCS only when entries load it (caps.c);
		 * otherwise the guest's is the register itself. */
		if (!vmx_ok(vmx_readnat(VMCS_GUEST_CR4, &cr4)) ||
		    !((cpu->caps.ctl.entry & ENTRY_LOAD_EFER) != 0
			      ? vmx_ok(vmx_read64(VMCS_GUEST_IA32_EFER, &efer))
			      : cpu_rdmsr_safe(MSR_IA32_EFER, &efer) ==
					CPU_SAFE_OK))
			return VMM_NESTED_FAILED;
		if ((cr4 & X86_CR4_SMEP) != 0 || (efer & X86_EFER_NXE) != 0)
			code |= PF_I;
	}
	/* CR2 only once the #PF is sure to be delivered: a refused
	 * injection falls back to #GP(0), which leaves CR2 alone. */
	r = hook_fault(cpu, frame, X86_VEC_PF, code, ev, act);
	if (r == (int)X86_VEC_PF)
		cpu_write_cr2(gla);
	return r;
}

/* Logs why a #PF answer became #GP(0) (exit path: the ring only). */
static void pf_refused(const struct vmm_cpu *cpu, uint64_t gpa)
{
	vmm_logf(FLANK_LOG_WARN,
		 "cpu %u: page hook answered #PF for GPA 0x%llx without the "
		 "linear address's translation: #GP(0) instead",
		 cpu->id, (unsigned long long)gpa);
}

bool vmm_page_hook_violation(struct vmm_cpu *cpu,
			     struct intrin_exit_frame *frame, uint64_t qual,
			     const struct vmm_vectoring *ev,
			     enum intrin_exit_action *act)
{
	struct vmm_page_hook_args a;
	struct page_hook *h;
	enum vmm_hook_action ans;
	uint64_t gpa = 0;

	if (!vmx_ok(vmx_read64(VMCS_GUEST_PHYSICAL_ADDRESS, &gpa)))
		return false;
	h = find(gpa);
	if (h == NULL || h->pte == NULL)
		return false;
	vmm_zero(&a, sizeof(a));
	a.gpa = gpa;
	a.cpu = cpu->id;
	/* SDM Vol. 3C Table 28-7: bits 2:0 the access, bit 7 GLA valid. */
	a.access = (uint32_t)(qual & EPTE_RWX);
	a.gla_valid = (uint32_t)((qual >> 7) & 1u);
	a.event = ev->info;
	if (a.gla_valid != 0)
		(void)vmx_readnat(VMCS_GUEST_LINEAR_ADDRESS, &a.gla);
	(void)vmx_readnat(VMCS_GUEST_RIP, &a.rip);
	*act = INTRIN_EXIT_RESUME;
	ans = h->fn(&a);
	if (ans == VMM_HOOK_ALLOW && h->shadow != NULL) {
		/*
		 * The view the access needs: a fetch the copy (X only), a
		 * read or write the page itself (R and W, no X). The other
		 * CPUs share the leaf; one with the other view cached keeps
		 * it until its own violation or INVEPT. The address changes,
		 * so INVEPT on this CPU (SDM Vol. 3C 29.4.3.3), although the
		 * violation dropped its translations of the page (29.4.3.1).
		 */
		__atomic_store_n(h->pte,
				 (qual & QUAL_FETCH) != 0
					 ? h->leaf_fetch
					 : (h->leaf_fetch &
					    ~(EPTE_ADDR_MASK | EPTE_RWX)) |
						   h->gpa | EPTE_R | EPTE_W,
				 __ATOMIC_SEQ_CST);
		if (!vmx_ok(vmm_ept_invept(VMX_INVEPT_SINGLE_CONTEXT)))
			*act = vmm_exit_unhandled(cpu, frame,
						  EXIT_REASON_EPT_VIOLATION,
						  "page hook: INVEPT after a "
						  "view switch failed");
		return true;
	}
	if (ans == VMM_HOOK_PAGE_FAULT) {
		if (inject_pf(cpu, frame, qual, a.gla, ev, act) !=
		    VMM_NESTED_FAILED)
			return true;
		pf_refused(cpu, gpa);
	}
	/*
	 * Allow once needs the monitor trap flag (SDM Vol. 3C 26.5.2; allowed
	 * by IA32_VMX_PROCBASED_CTLS[59]) and no step of this CPU already
	 * open; otherwise, and for anything but VMM_HOOK_ALLOW, deny.
	 */
	if (ans == VMM_HOOK_ALLOW && vmm_ctx.ept.mtf &&
	    cpu->page_step == NULL &&
	    vmx_ok(vmx_write32(VMCS_CPU_BASED_VM_EXEC_CONTROL,
			       cpu->caps.ctl.proc | CPU_MONITOR_TRAP_FLAG))) {
		/* The violation dropped this CPU's cached translations of
		 * the page (SDM 29.4.3.1): the re-executed access walks the
		 * opened leaf. */
		leaf_open(h, true);
		cpu->page_step = h;
		return true;
	}
	if (hook_fault(cpu, frame, X86_VEC_GP, 0, ev, act) == VMM_NESTED_FAILED)
		*act = vmm_exit_unhandled(cpu, frame, EXIT_REASON_EPT_VIOLATION,
					  "page hook: #GP not injected");
	return true;
}

enum intrin_exit_action vmm_exit_mtf(struct vmm_cpu *cpu,
				     struct intrin_exit_frame *frame,
				     uint32_t reason)
{
	const struct page_hook *h = cpu->page_step;

	/* Flank sets MTF only for a page hook's step. */
	if (h == NULL)
		return vmm_exit_unhandled(cpu, frame, reason,
					  "MTF exit without a page hook step");
	cpu->page_step = NULL;
	leaf_open(h, false);
	/* This CPU cached the opened translation: drop it (29.4.3.1). */
	if (!vmx_ok(vmx_write32(VMCS_CPU_BASED_VM_EXEC_CONTROL,
				cpu->caps.ctl.proc)) ||
	    !vmx_ok(vmm_ept_invept(VMX_INVEPT_SINGLE_CONTEXT)))
		return vmm_exit_unhandled(cpu, frame, reason,
					  "page hook: the page not closed");
	return INTRIN_EXIT_RESUME;
}
