// SPDX-License-Identifier: GPL-2.0-only
/*
 * Kernel services behind the driver core's ops table: the mutex, memory,
 * user copies, capability checks, CPUs and cross-CPU calls, CPU probing,
 * pages for the VMM, and the log sink (pr_* with the "flank: " prefix).
 */
#define pr_fmt(fmt) "flank: " fmt

#include <linux/capability.h>
#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/irqflags.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/printk.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>
#include <asm/cpufeature.h>
#include <asm/desc.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/pgtable_types.h>
#include <asm/pgtable.h>
#include <asm/processor.h>
#include <asm/reboot.h>
#include <asm/segment.h>
#include <asm/tlbflush.h>

#include "flank_linux.h"

static DEFINE_MUTEX(flank_mutex);

/*
 * Lock order: the CPU hotplug lock, then flank_mutex. Hotplug callbacks
 * run with the hotplug lock already held for writing, so they take only
 * the mutex; every other path takes both, so no CPU comes or goes while
 * the state changes (start_all never races with an online callback).
 */
static void kp_lock(void *ctx, bool hotplug)
{
	if (!hotplug)
		cpus_read_lock();
	mutex_lock(&flank_mutex);
}

static void kp_unlock(void *ctx, bool hotplug)
{
	mutex_unlock(&flank_mutex);
	if (!hotplug)
		cpus_read_unlock();
}

/*
 * Also the VMM's debug ring, which the image writes in VMX root: kvzalloc
 * memory is in the direct map or in vmalloc space, both in the kernel half
 * that the HOST_CR3 tables copy (kmap.c), so it is mapped there too.
 */
static void *kp_alloc(void *ctx, size_t size)
{
	return kvzalloc(size, GFP_KERNEL);
}

static void kp_free(void *ctx, void *p)
{
	kvfree(p);
}

static int kp_copy_from_user(void *ctx, void *dst, u64 src, size_t len)
{
	return copy_from_user(dst, u64_to_user_ptr(src), len) ? -EFAULT : 0;
}

static int kp_copy_to_user(void *ctx, u64 dst, const void *src, size_t len)
{
	return copy_to_user(u64_to_user_ptr(dst), src, len) ? -EFAULT : 0;
}

static bool kp_capable(void *ctx)
{
	return capable(CAP_SYS_ADMIN);
}

static u32 kp_cpu_count(void *ctx)
{
	return nr_cpu_ids;
}

static bool kp_cpu_online(void *ctx, u32 cpu)
{
	return cpu < nr_cpu_ids && cpu_online(cpu);
}

static u32 kp_cpu_id(void *ctx)
{
	return smp_processor_id();
}

struct kp_call {
	int (*fn)(void *arg);
	void *arg;
	int ret;
};

/*
 * Every call into the image may have taken this CPU through VM exits (start,
 * stop, rollback), and a VM exit loads TR with a limit of 67H (SDM Vol. 3C
 * 28.5.2) that stop cannot restore without an LTR on Linux's read-only GDT.
 * Linux has the answer for VMX users: invalidate_tss_limit() makes it reload
 * TR before the I/O permission bitmap is used again (as KVM does).
 */
static int kp_call_here(int (*fn)(void *arg), void *arg)
{
	int ret = fn(arg);

	invalidate_tss_limit();
	return ret;
}

/*
 * flank_platform.cpu_left: the image gave the calling CPU back on its own,
 * after VMXOFF, with interrupts off, possibly inside any kernel code. Only
 * per-CPU state is touched (invalidate_tss_limit() marks the limit invalid,
 * or reloads TR at once if the current task has an I/O bitmap).
 */
static void kp_invalidate_tss_limit(void *ctx)
{
	invalidate_tss_limit();
}

static void kp_call_tramp(void *info)
{
	struct kp_call *call = info;

	call->ret = kp_call_here(call->fn, call->arg);
}

/*
 * Test hook for tests/e2e (module parameter test_busy_cpu, default -1 =
 * off): every call the image makes on that CPU runs with CR4.VMXE set, as
 * if another hypervisor held VT-x there, until one of them fails, so that
 * start fails on that CPU for a real reason and the rollback of the others
 * can be watched. Then it is off. Not "the next call only": since the
 * image pins its status and log calls with run_on_cpu (libvmm/src/query.c),
 * the drain of CPU 0's "running under Flank" line could be that next call
 * when flankctl ran on CPU 1, and start then succeeded there (seen once in
 * a penryn-61 soak: start3 expected 1, got 0). Those calls do not care
 * about CR4.VMXE and succeed. The driver's own probes do not go through it.
 */
int flank_test_busy_cpu = -1;

static int kp_busy_tramp(void *arg)
{
	struct kp_call *call = arg;
	int ret;

	cr4_set_bits(X86_CR4_VMXE);
	ret = call->fn(call->arg);
	cr4_clear_bits(X86_CR4_VMXE);
	return ret;
}

static int kp_call_on(u32 cpu, int (*fn)(void *arg), void *arg)
{
	struct kp_call call = {.fn = fn, .arg = arg, .ret = 0};
	unsigned long flags;

	if (cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -1;
	/*
	 * smp_call_function_single() must not be called with interrupts
	 * disabled (it could deadlock waiting for the other CPU). A nested
	 * call from code already running on a CPU can only target that CPU.
	 */
	if (irqs_disabled()) {
		if (cpu != smp_processor_id())
			return -1;
		local_irq_save(flags);
		call.ret = kp_call_here(fn, arg);
		local_irq_restore(flags);
		return call.ret;
	}
	if (smp_call_function_single(cpu, kp_call_tramp, &call, 1))
		return -1;
	return call.ret;
}

static int kp_run_on_cpu(void *ctx, u32 cpu, int (*fn)(void *arg), void *arg)
{
	struct kp_call busy = {.fn = fn, .arg = arg, .ret = 0};

	int ret;

	if (cpu >= nr_cpu_ids || READ_ONCE(flank_test_busy_cpu) != (int)cpu)
		return kp_call_on(cpu, fn, arg);
	ret = kp_call_on(cpu, kp_busy_tramp, &busy);
	if (ret != 0 && cmpxchg(&flank_test_busy_cpu, (int)cpu, -1) == (int)cpu)
		pr_warn("test_busy_cpu: CPU %u ran a call with CR4.VMXE set, "
			"and it failed (%d); the hook is off now\n",
			cpu, ret);
	return ret;
}

static int kp_probe_tramp(void *arg)
{
	struct flank_cpu_probe *p = arg;
	u32 eax, ebx, ecx, edx;
	u64 fc;

	cpuid(0, &eax, &ebx, &ecx, &edx);
	memcpy(p->vendor, &ebx, 4);
	memcpy(p->vendor + 4, &edx, 4);
	memcpy(p->vendor + 8, &ecx, 4);
	p->vendor[12] = '\0';
	cpuid(1, &eax, &ebx, &ecx, &edx);
	p->cpuid1_ecx = ecx;
	/* SDM Vol. 3C 24.7: IA32_FEATURE_CONTROL; #GP without VMX or SMX. */
	p->fc_readable = rdmsrl_safe(MSR_IA32_FEAT_CTL, &fc) == 0;
	p->feature_control = p->fc_readable ? fc : 0;
	p->cr4 = __read_cr4();
	return 0;
}

static int kp_probe_cpu(void *ctx, u32 cpu, struct flank_cpu_probe *out)
{
	return kp_call_on(cpu, kp_probe_tramp, out);
}

static void *kp_page_alloc(void *ctx, u64 *pa)
{
	/* The image may ask from a cross-CPU call: never sleep there. */
	gfp_t gfp =
		(irqs_disabled() || !preemptible()) ? GFP_ATOMIC : GFP_KERNEL;
	struct page *page = alloc_page(gfp | __GFP_ZERO);

	if (!page)
		return NULL;
	*pa = page_to_phys(page);
	return page_address(page);
}

static void kp_page_free(void *ctx, void *page)
{
	if (page)
		free_page((unsigned long)page);
}

/*
 * A host stack with a guard page below it (issue #14 item 7). Two pages of
 * vmalloc space; the PTE of the lower one is cleared (found with
 * lookup_address(), the kernel's walk of its own tables), so that page stays
 * unmapped while the area is ours (nobody else maps into it), and the
 * area's own vmalloc guard page lies above the stack. vmalloc addresses are
 * in the kernel half that the HOST_CR3 table copies (kmap.c; the top-level
 * entries of the vmalloc range are preallocated at boot), so the stack is
 * mapped there and the guard is not: the core checks both through that
 * table (core/stacks.c). The lower page was never written through its
 * mapping (no __GFP_ZERO; only the stack page is cleared): only this CPU
 * can hold a TLB entry for it, and the local flush drops it. vfree() later
 * unmaps the area (a cleared PTE is fine there) and frees both pages.
 */
static void *kp_stack_alloc(void *ctx, u64 *pa)
{
	u8 *area = vmalloc(2 * PAGE_SIZE);
	unsigned int level;
	pte_t *pte;

	if (!area)
		return NULL;
	/* The lower page's PTE in the kernel's tables (vmalloc: 4 KiB). */
	pte = lookup_address((unsigned long)area, &level);
	if (!pte || level != PG_LEVEL_4K || !pte_present(*pte))
		goto err;
	set_pte(pte, __pte(0));
	preempt_disable();
	__flush_tlb_all();
	preempt_enable();
	/* The kernel's own tables agree: the guard is not present. */
	pte = lookup_address((unsigned long)area, &level);
	if (pte && pte_present(*pte))
		goto err;
	memset(area + PAGE_SIZE, 0, PAGE_SIZE);
	*pa = page_to_phys(vmalloc_to_page(area + PAGE_SIZE));
	return area + PAGE_SIZE;
err:
	vfree(area);
	return NULL;
}

static void kp_stack_free(void *ctx, void *stack)
{
	if (stack)
		vfree((u8 *)stack - PAGE_SIZE);
}

/*
 * The crash callback (issue #14 item 10). The kernel has one slot for it,
 * cpu_emergency_register_virt_callback() (6.1 stable and 6.4+): the crash
 * paths (kdump's native_machine_crash_shutdown on the crashing CPU, the NMI
 * shootdown on the others, the emergency reboot) call it on every CPU so
 * that VMX no longer blocks INIT. kvm_intel takes the slot when it loads
 * (6.1) or enables VT-x (6.12), and the kernel WARNs when a second user
 * registers or a user removes a callback not its own. So the driver takes
 * the slot only while kvm.ko is not loaded: its kvm_rebooting export is
 * how it is found (a reference taken and dropped at once). With KVM loaded
 * the core logs that the callback is not installed.
 */
static void kp_crash_cb(void)
{
	flank_crash_cpu_here();
}

static bool kp_crash_hook(void *ctx, bool on)
{
	void *kvm;

	if (!on) {
		cpu_emergency_unregister_virt_callback(kp_crash_cb);
		return true;
	}
	kvm = __symbol_get("kvm_rebooting");
	if (kvm) {
		__symbol_put("kvm_rebooting");
		return false;
	}
	cpu_emergency_register_virt_callback(kp_crash_cb);
	return true;
}

static void kp_log(void *ctx, enum flank_log_level level, const char *line)
{
	switch (level) {
	case FLANK_LOG_ERROR:
		pr_err("%s\n", line);
		break;
	case FLANK_LOG_WARN:
		pr_warn("%s\n", line);
		break;
	case FLANK_LOG_INFO:
		pr_info("%s\n", line);
		break;
	default:
		pr_debug("%s\n", line);
		break;
	}
}

/*
 * IBT is enforced in ring 0 when the kernel is built with it and enabled it
 * on this CPU: X86_FEATURE_IBT stays set only then (cleared by `ibt=off`, a
 * failed IBT selftest and on CPUs without CET). Then every indirect branch
 * in the kernel, and in VMX root with the host's IA32_S_CET, must land on
 * ENDBR64.
 */
static void kp_resched(void *ctx)
{
	cond_resched();
}

static bool kp_ibt_enabled(void *ctx)
{
#ifdef CONFIG_X86_KERNEL_IBT
	return cpu_feature_enabled(X86_FEATURE_IBT);
#else
	return false;
#endif
}

/*
 * The driver became CORRUPT: a CPU may still run under the image, and the
 * image calls this module's functions (the platform table) from VMX root.
 * A reference that is never dropped makes `rmmod flank` fail with "Module
 * flank is in use" instead of freeing code that VMX root still calls;
 * only a reboot ends it. __module_get, not try_module_get: the module is
 * live when this runs from an ioctl or a hotplug callback; when it runs
 * from flank_exit (a stop that failed during rmmod) nothing can keep the
 * module any more, and the core says so in the log.
 */
static void kp_pin_module(void *ctx)
{
	__module_get(THIS_MODULE);
}

/* HOST_CR3 is kmap.c's table: see there for what a refresh catches up on. */
static void kp_host_cr3_refresh(void *ctx)
{
	flank_kmap_host_cr3_refresh();
}

static bool kp_host_cr3_maps(void *ctx, u64 va)
{
	return flank_kmap_host_cr3_maps(va);
}

/*
 * System RAM as the kernel's resource tree had it at module load, for
 * kp_phys_copy: in VMX root the tree itself cannot be asked (page_is_ram()
 * takes resource_lock, which the interrupted kernel code may hold).
 * Memory hot-added later is refused; more ranges than fit are dropped
 * (refused), and both are safe.
 */
#define KP_RAM_RANGES 128
static struct {
	u64 start, end; /* Inclusive byte addresses. */
} kp_ram[KP_RAM_RANGES];
static unsigned int kp_ram_count;

static int kp_ram_add(struct resource *r, void *arg)
{
	if (kp_ram_count < KP_RAM_RANGES) {
		kp_ram[kp_ram_count].start = r->start;
		kp_ram[kp_ram_count].end = r->end;
		kp_ram_count++;
	}
	return 0;
}

static void kp_ram_snapshot(void)
{
	kp_ram_count = 0;
	walk_iomem_res_desc(IORES_DESC_NONE,
			    IORESOURCE_SYSTEM_RAM | IORESOURCE_BUSY, 0, -1,
			    NULL, kp_ram_add);
}

static bool kp_ram_has(u64 first, u64 last)
{
	unsigned int i;

	for (i = 0; i < READ_ONCE(kp_ram_count); i++)
		if (first >= kp_ram[i].start && last <= kp_ram[i].end)
			return true;
	return false;
}

/*
 * flank_platform.phys_copy: guest memory for extension hooks, in VMX root
 * with interrupts off, from an address the guest chose. Only RAM of the
 * snapshot above, whose struct page exists (pfn_valid(), lock-free), and
 * whose direct-map page is present right now (lookup_address() walks
 * init_mm's tables without locks: pages taken out of the direct map, by
 * secretmem or debug_pagealloc say, are refused instead of faulting). The
 * copy goes through the direct map, which HOST_CR3 maps (its kernel half).
 */
static int kp_phys_copy(void *ctx, u64 pa, void *buf, u32 len, bool write)
{
	unsigned int level;
	void *va;
	pte_t *pte, e;

	if (!len || offset_in_page(pa) + len > PAGE_SIZE ||
	    !kp_ram_has(pa, pa + len - 1) || !pfn_valid(PHYS_PFN(pa)))
		return -1;
	va = __va(pa);
	pte = lookup_address((unsigned long)va, &level);
	if (!pte)
		return -1;
	/*
	 * One read of the entry decides. The direct map's aliases of kernel
	 * text, read-only data and read-only module memory are present but
	 * not writable: a write there would fault in VMX root, so it is
	 * refused like memory the kernel does not map.
	 */
	e = READ_ONCE(*pte);
	if (!pte_present(e) || (write && !pte_write(e)))
		return -1;
	if (write)
		memcpy(va, buf, len);
	else
		memcpy(buf, va, len);
	return 0;
}

/*
 * flank_core_ops.virt_pa: the debug ring comes from kvzalloc(), i.e. the
 * direct map (kmalloc, physically contiguous) or vmalloc space.
 */
static u64 kp_virt_pa(void *ctx, const void *va)
{
	if (is_vmalloc_addr(va)) {
		struct page *pg = vmalloc_to_page(va);

		return pg ? (u64)page_to_phys(pg) : 0;
	}
	return virt_addr_valid(va) ? (u64)virt_to_phys((void *)va) & PAGE_MASK
				   : 0;
}

struct flank_core_ops flank_kops = {
	.ctx = NULL,
	.lock = kp_lock,
	.unlock = kp_unlock,
	.alloc = kp_alloc,
	.free = kp_free,
	.copy_from_user = kp_copy_from_user,
	.copy_to_user = kp_copy_to_user,
	.capable = kp_capable,
	.cpu_count = kp_cpu_count,
	.cpu_online = kp_cpu_online,
	.cpu_id = kp_cpu_id,
	.run_on_cpu = kp_run_on_cpu,
	.probe_cpu = kp_probe_cpu,
	.page_alloc = kp_page_alloc,
	.page_free = kp_page_free,
	.image_reserve = flank_kmap_reserve,
	.image_protect = flank_kmap_protect,
	.image_release = flank_kmap_release,
	.log = kp_log,
	.invalidate_tss_limit = kp_invalidate_tss_limit,
	.ibt_enabled = kp_ibt_enabled,
	.resched = kp_resched,
	.pin_module = kp_pin_module,
	.host_cr3_refresh = kp_host_cr3_refresh,
	.host_cr3_maps = kp_host_cr3_maps,
	.verify_sig = flank_ksig_verify,
	.sig_required = flank_ksig_required,
	.taint_unsigned = flank_ksig_taint,
	.phys_copy = kp_phys_copy,
	.stack_alloc = kp_stack_alloc,
	.stack_free = kp_stack_free,
	.crash_hook = kp_crash_hook,
	.virt_pa = kp_virt_pa,
	.host_cr3 = 0,
};

/*
 * The speculation mitigations the kernel chose at boot (arch/x86/kernel/
 * cpu/bugs.c), which the image applies on its VM-exit path the way the
 * kernel does on entry from user mode and KVM after a VM exit (docs/exits.md,
 * "Speculation"). Each is a synthetic feature bit the kernel sets once:
 * X86_FEATURE_RSB_VMEXIT / _LITE (what KVM's vmenter.S tests after VM exit),
 * X86_FEATURE_CLEAR_CPU_BUF (VERW on return to user; 6.8+ and the stable
 * backports, the mds_user_clear static key before), X86_FEATURE_KERNEL_IBRS
 * (IBRS_ENTER/IBRS_EXIT, with IA32_SPEC_CTRL present). The VERW operand is
 * __KERNEL_DS, as in the kernel's own VERW.
 */
static void kp_spec_read(struct flank_core_ops *ops)
{
	u32 f = 0;

#ifdef X86_FEATURE_RSB_VMEXIT
	if (boot_cpu_has(X86_FEATURE_RSB_VMEXIT))
		f |= FLANK_SPEC_RSB_VMEXIT;
#endif
#ifdef X86_FEATURE_RSB_VMEXIT_LITE
	if (boot_cpu_has(X86_FEATURE_RSB_VMEXIT_LITE))
		f |= FLANK_SPEC_RSB_VMEXIT_LITE;
#endif
#ifdef X86_FEATURE_CLEAR_CPU_BUF
	if (boot_cpu_has(X86_FEATURE_CLEAR_CPU_BUF))
		f |= FLANK_SPEC_CLEAR_CPU_BUF;
#else
	if (static_key_enabled(&mds_user_clear))
		f |= FLANK_SPEC_CLEAR_CPU_BUF;
#endif
#ifdef X86_FEATURE_KERNEL_IBRS
	if (boot_cpu_has(X86_FEATURE_KERNEL_IBRS) &&
	    boot_cpu_has(X86_FEATURE_MSR_SPEC_CTRL))
		f |= FLANK_SPEC_KERNEL_IBRS;
#endif
	ops->spec_flags = f;
	ops->verw_sel = (f & FLANK_SPEC_CLEAR_CPU_BUF) ? __KERNEL_DS : 0;
	pr_info("exit path mitigations from the kernel:%s%s%s%s%s\n",
		f & FLANK_SPEC_RSB_VMEXIT ? " rsb-fill" : "",
		f & FLANK_SPEC_RSB_VMEXIT_LITE ? " rsb-guard" : "",
		f & FLANK_SPEC_CLEAR_CPU_BUF ? " verw" : "",
		f & FLANK_SPEC_KERNEL_IBRS ? " ibrs" : "", f ? "" : " none");
}

int flank_kplat_init(void)
{
	int rc;

	kp_spec_read(&flank_kops);
	kp_ram_snapshot();
	flank_kops.host_cr3 = flank_kmap_host_cr3_create();
	if (!flank_kops.host_cr3)
		return -ENOMEM;
	rc = flank_ksig_init();
	if (rc) {
		flank_kmap_host_cr3_destroy();
		flank_kops.host_cr3 = 0;
	}
	return rc;
}

void flank_kplat_exit(bool leak)
{
	flank_ksig_exit();
	if (!leak)
		flank_kmap_host_cr3_destroy();
	flank_kops.host_cr3 = 0;
}
