// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * MSR and control-register hooks (flank/vmm_extension.h "Hooks"): a table
 * of MSR ranges with their callbacks, and one CR hook with the bits it
 * watches. Extension modules fill them from their init function, while no
 * CPU runs under Flank; start then programs them into every CPU (the MSR
 * bitmap, msr_bitmap.c; the CR0/CR4 guest/host masks, vmcs_setup.c) and
 * the exit handlers (exit_msr.c, exit_cr.c) call the callbacks.
 *
 * Like the handler slots of extension.c, the tables live outside vmm_ctx:
 * a module's init runs before vmm_init() and its fini after vmm_fini().
 * They change only while no CPU runs (VMM_ERR_HOOK_WHILE_RUNNING), and the
 * host serialises registration with start (the driver's mutex), so an
 * exit handler never sees a table change. The entry count is still
 * published with release and read with acquire, so a CPU started later
 * sees every entry it counts completely.
 */
#include "hooks.h"

#include "flank/vmm_format.h"
#include "flank/vmm_ring.h"

/* The two index ranges of the MSR bitmap (SDM Vol. 3C 25.6.9). */
#define MSR_LOW_LAST 0x1FFFu
#define MSR_HIGH_FIRST 0xC0000000u
#define MSR_HIGH_LAST 0xC0001FFFu

struct msr_hook {
	uint32_t first, last; /* Inclusive, within one bitmap range. */
	uint32_t access;      /* VMM_MSR_HOOK_READ | VMM_MSR_HOOK_WRITE. */
	vmm_msr_hook_fn fn;
};

static struct msr_hook msr_hooks[VMM_MSR_HOOKS_MAX];
static uint32_t msr_hook_count;

static vmm_cr_hook_fn cr_hook_fn;
static uint32_t cr_hook_bits;

/* True if [@p first, @p last] lies within one range of the bitmap. */
static bool in_bitmap(uint32_t first, uint32_t last)
{
	return last <= MSR_LOW_LAST ||
	       (first >= MSR_HIGH_FIRST && last <= MSR_HIGH_LAST);
}

/* True if [@p first, @p last] covers an MSR Flank owns (msr_bitmap.c). */
static bool covers_reserved(uint32_t first, uint32_t last)
{
	return (first <= MSR_IA32_FEATURE_CONTROL &&
		last >= MSR_IA32_FEATURE_CONTROL) ||
	       (first <= MSR_IA32_VMX_PROCBASED_CTLS3 &&
		last >= MSR_IA32_VMX_BASIC);
}

FLANK_EXPORT int vmm_msr_hook_add(uint32_t first, uint32_t count,
				  uint32_t access, vmm_msr_hook_fn fn)
{
	uint64_t last64 = (uint64_t)first + count - 1u;
	uint32_t n = msr_hook_count, last;

	if (fn == NULL || count == 0 || access == 0 ||
	    (access & ~(VMM_MSR_HOOK_READ | VMM_MSR_HOOK_WRITE)) != 0)
		return VMM_ERR_BAD_ARGUMENT;
	if (!vmm_starts_with_endbr64((const void *)fn))
		return VMM_ERR_HOOK_NO_ENDBR;
	if (vmm_cpus_may_run())
		return VMM_ERR_HOOK_WHILE_RUNNING;
	if (last64 > UINT32_MAX || !in_bitmap(first, (uint32_t)last64))
		return VMM_ERR_MSR_HOOK_RANGE;
	last = (uint32_t)last64;
	if (covers_reserved(first, last))
		return VMM_ERR_MSR_HOOK_RESERVED;
	for (uint32_t i = 0; i < n; i++) {
		const struct msr_hook *h = &msr_hooks[i];

		/* The same hook again is no change (as the handler slots). */
		if (h->first == first && h->last == last &&
		    h->access == access && h->fn == fn)
			return VMM_OK;
		if (first <= h->last && last >= h->first)
			return VMM_ERR_HOOK_OVERLAP;
	}
	if (n == VMM_MSR_HOOKS_MAX)
		return VMM_ERR_HOOK_TABLE_FULL;
	msr_hooks[n] = (struct msr_hook){
		.first = first, .last = last, .access = access, .fn = fn};
	__atomic_store_n(&msr_hook_count, n + 1u, __ATOMIC_RELEASE);
	return VMM_OK;
}

FLANK_EXPORT int vmm_msr_hook_remove(uint32_t first, vmm_msr_hook_fn fn)
{
	uint32_t n = msr_hook_count;

	if (vmm_cpus_may_run())
		return VMM_ERR_HOOK_WHILE_RUNNING;
	for (uint32_t i = 0; i < n; i++) {
		if (msr_hooks[i].first != first || msr_hooks[i].fn != fn)
			continue;
		/* Order does not matter (ranges never overlap): the last
		 * entry takes the freed place. */
		msr_hooks[i] = msr_hooks[n - 1u];
		vmm_zero(&msr_hooks[n - 1u], sizeof(msr_hooks[0]));
		__atomic_store_n(&msr_hook_count, n - 1u, __ATOMIC_RELEASE);
		return VMM_OK;
	}
	return VMM_ERR_BAD_ARGUMENT;
}

int vmm_hooks_clear(void)
{
	if (vmm_cpus_may_run())
		return VMM_ERR_HOOK_WHILE_RUNNING;
	__atomic_store_n(&msr_hook_count, 0, __ATOMIC_RELEASE);
	vmm_zero(msr_hooks, sizeof(msr_hooks));
	__atomic_store_n(&cr_hook_fn, NULL, __ATOMIC_RELEASE);
	cr_hook_bits = 0;
	vmm_page_hooks_clear();
	return VMM_OK;
}

vmm_msr_hook_fn vmm_msr_hook_find(uint32_t msr, bool write)
{
	uint32_t n = __atomic_load_n(&msr_hook_count, __ATOMIC_ACQUIRE);
	uint32_t bit = write ? VMM_MSR_HOOK_WRITE : VMM_MSR_HOOK_READ;

	for (uint32_t i = 0; i < n; i++)
		if (msr >= msr_hooks[i].first && msr <= msr_hooks[i].last)
			return (msr_hooks[i].access & bit) != 0
				       ? msr_hooks[i].fn
				       : NULL;
	return NULL;
}

enum vmm_hook_action vmm_msr_hook_call(vmm_msr_hook_fn fn,
				       struct vmm_msr_hook_args *a)
{
	enum vmm_hook_action act = fn(a);

	return act == VMM_HOOK_ALLOW || act == VMM_HOOK_REPLACE ? act
								: VMM_HOOK_DENY;
}

/* Sets @p bit for @p msr in the read or write half of @p bm. */
static void bitmap_set(uint8_t *bm, uint32_t msr, bool write)
{
	uint32_t base = write ? 2048u : 0u;

	if (msr >= MSR_HIGH_FIRST) {
		base += 1024u;
		msr -= MSR_HIGH_FIRST;
	}
	bm[base + msr / 8u] |= (uint8_t)(1u << (msr % 8u));
}

void vmm_msr_hooks_intercept(uint8_t *bm)
{
	uint32_t n = __atomic_load_n(&msr_hook_count, __ATOMIC_ACQUIRE);

	for (uint32_t i = 0; i < n; i++) {
		const struct msr_hook *h = &msr_hooks[i];
		for (uint32_t m = h->first;; m++) {
			if ((h->access & VMM_MSR_HOOK_READ) != 0)
				bitmap_set(bm, m, false);
			if ((h->access & VMM_MSR_HOOK_WRITE) != 0)
				bitmap_set(bm, m, true);
			if (m == h->last)
				break;
		}
	}
}

FLANK_EXPORT int vmm_cr_hook_set(uint32_t bits, vmm_cr_hook_fn fn)
{
	vmm_cr_hook_fn cur;

	if (fn == NULL || bits == 0 || (bits & ~VMM_CR_HOOK_ALL) != 0)
		return VMM_ERR_BAD_ARGUMENT;
	if (!vmm_starts_with_endbr64((const void *)fn))
		return VMM_ERR_HOOK_NO_ENDBR;
	if (vmm_cpus_may_run())
		return VMM_ERR_HOOK_WHILE_RUNNING;
	cur = __atomic_load_n(&cr_hook_fn, __ATOMIC_ACQUIRE);
	if (cur != NULL && cur != fn)
		return VMM_ERR_EXTENSION_BUSY;
	cr_hook_bits = bits;
	__atomic_store_n(&cr_hook_fn, fn, __ATOMIC_RELEASE);
	return VMM_OK;
}

FLANK_EXPORT int vmm_cr_hook_remove(vmm_cr_hook_fn fn)
{
	if (vmm_cpus_may_run())
		return VMM_ERR_HOOK_WHILE_RUNNING;
	if (fn == NULL || __atomic_load_n(&cr_hook_fn, __ATOMIC_ACQUIRE) != fn)
		return VMM_ERR_BAD_ARGUMENT;
	__atomic_store_n(&cr_hook_fn, NULL, __ATOMIC_RELEASE);
	cr_hook_bits = 0;
	return VMM_OK;
}

uint64_t vmm_cr_hook_mask(unsigned cr)
{
	uint32_t bits;

	if (__atomic_load_n(&cr_hook_fn, __ATOMIC_ACQUIRE) == NULL)
		return 0;
	bits = cr_hook_bits;
	if (cr == 0)
		return (bits & VMM_CR_HOOK_CR0_WP) != 0 ? X86_CR0_WP : 0;
	return ((bits & VMM_CR_HOOK_CR4_SMEP) != 0 ? X86_CR4_SMEP : 0) |
	       ((bits & VMM_CR_HOOK_CR4_SMAP) != 0 ? X86_CR4_SMAP : 0);
}

/* The VMM_CR_HOOK_* bits of the CR@p cr bits @p v. */
static uint32_t cr_hook_bits_of(unsigned cr, uint64_t v)
{
	if (cr == 0)
		return (v & X86_CR0_WP) != 0 ? VMM_CR_HOOK_CR0_WP : 0;
	return ((v & X86_CR4_SMEP) != 0 ? VMM_CR_HOOK_CR4_SMEP : 0) |
	       ((v & X86_CR4_SMAP) != 0 ? VMM_CR_HOOK_CR4_SMAP : 0);
}

uint64_t vmm_cr_hook_filter(const struct vmm_cpu *cpu, unsigned cr,
			    uint64_t old, uint64_t v)
{
	vmm_cr_hook_fn fn = __atomic_load_n(&cr_hook_fn, __ATOMIC_ACQUIRE);
	uint64_t clearing = vmm_cr_hook_mask(cr) & old & ~v;
	struct vmm_cr_hook_args a;
	uint64_t rip = 0;

	if (fn == NULL || clearing == 0)
		return v;
	/* A failed VMREAD leaves RIP 0: the decision does not need it. */
	(void)vmx_readnat(VMCS_GUEST_RIP, &rip);
	a = (struct vmm_cr_hook_args){.cpu = cpu->id,
				      .cr = cr,
				      .clearing = cr_hook_bits_of(cr, clearing),
				      .rip = rip,
				      .old_value = old,
				      .new_value = v};
	return fn(&a) == VMM_HOOK_ALLOW ? v : v | clearing;
}

FLANK_EXPORT int vmm_guest_phys_page(uint64_t pa, void *buf, uint32_t len,
				     bool write)
{
	const struct flank_platform *p = &vmm_ctx.platform;

	if (buf == NULL || len == 0 || (pa & 0xFFFu) + len > VMM_PAGE_SIZE ||
	    p->phys_copy == NULL ||
	    p->phys_copy(p->ctx, pa, buf, len, write ? 1u : 0u) != 0)
		return VMM_ERR_GUEST_PHYS;
	return VMM_OK;
}

FLANK_EXPORT void vmm_extension_logf(uint32_t level, const char *fmt, ...)
{
	char line[VMM_RING_TEXT_MAX + 1];
	vmm_va_list ap;

	vmm_va_start(ap, fmt);
	(void)vmm_vsnprintf(line, sizeof(line), fmt, ap);
	vmm_va_end(ap);
	vmm_log(level <= FLANK_LOG_DEBUG ? (enum flank_log_level)level
					 : FLANK_LOG_DEBUG,
		line);
}
