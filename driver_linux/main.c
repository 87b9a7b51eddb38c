// SPDX-License-Identifier: GPL-2.0-only
/*
 * flank.ko: the misc device /dev/flank and the kernel events that concern
 * the VMM (CPU hotplug, reboot, suspend, module unload). Everything that
 * decides something lives in core/ (shared with the userspace tests); this
 * file only connects it to the kernel.
 */
#define pr_fmt(fmt) "flank: " fmt

#include <linux/build_bug.h>
#include <linux/atomic.h>
#include <linux/cpu.h>
#include <linux/smp.h>
#include <asm/apic.h>
#include <asm/asm.h>
#include <asm/msr.h>
#include <asm/nmi.h>
#include <asm/processor-flags.h>
#include <asm/special_insns.h>
#include <linux/cpuhotplug.h>
#include <linux/fs.h>
#include <linux/jiffies.h>
#include <linux/miscdevice.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/notifier.h>
#include <linux/reboot.h>
#include <linux/slab.h>
#include <linux/stop_machine.h>
#include <linux/suspend.h>
#include <linux/timer.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include "flank_linux.h"

static struct flank_core flank_core;
static enum cpuhp_state flank_hp_state;

/* The kernel's crash callback (kplat.c) lands here, on each CPU. */
void flank_crash_cpu_here(void)
{
	flank_core_crash_cpu(&flank_core);
}

/*
 * Serial output of the VMM (docs/serial.md). Off by default: COM1 is often
 * Linux's own console (console=ttyS0), and a VMM that reprograms the same
 * UART would garble it. The image checks the values at load
 * (VMM_ERR_SERIAL_CONFIG); read-only after insmod, so what status shows
 * under /sys/module/flank/parameters is what the loaded image got.
 */
static ushort serial_port;
module_param(serial_port, ushort, 0444);
MODULE_PARM_DESC(serial_port,
		 "I/O port of a 16550 UART for the VMM's log, e.g. 0x3f8 "
		 "(COM1) or 0x2f8 (COM2); 0 = no serial output (default)");
static uint serial_baud = 115200;
module_param(serial_baud, uint, 0444);
MODULE_PARM_DESC(serial_baud, "Baud rate of the VMM's UART, a divisor of "
			      "115200 (default 115200), 8N1");
static bool serial_pci;
module_param(serial_pci, bool, 0444);
MODULE_PARM_DESC(
	serial_pci,
	"1 = use a 16550-compatible UART on a PCI card (found through PCI "
	"configuration space) first, serial_port if none (default 0)");

/*
 * Size of the VMM's debug ring (docs/debugging.md), allocated at load and
 * handed to the image (image ABI 3). The default holds a whole VMCS dump
 * after a failed VM entry; larger rings keep more history for `flankctl
 * dump`. Checked here, read-only after insmod like the serial settings.
 */
static uint ring_kib = FLANK_RING_DEFAULT_SIZE >> 10;
module_param(ring_kib, uint, 0444);
MODULE_PARM_DESC(ring_kib,
		 "Size of the VMM's debug ring in KiB, a power of two from 8 "
		 "to 16384 (default 64: 255 records of 256 bytes)");

/*
 * The VMM's own pages mapped in EPT to a zero page (docs/ept.md, "The
 * VMM's pages are not the guest's"); 0 leaves them in the identity map.
 */
static bool hide = true;
module_param(hide, bool, 0444);
MODULE_PARM_DESC(hide, "Hide the VMM's own pages from the kernel it runs "
		       "with EPT (default 1)");

static long flank_ioctl(struct file *file, unsigned int cmd, unsigned long arg)
{
	return flank_status_errno(flank_core_ioctl(
		&flank_core, file->private_data, cmd, (u64)arg));
}

/*
 * /dev/flank has no file position: nonseekable_open() clears FMODE_LSEEK,
 * FMODE_PREAD and FMODE_PWRITE, and the VFS then fails lseek(), pread()
 * and pwrite() with -ESPIPE before it looks at ->llseek (vfs_llseek(), on
 * 6.1 and 6.12 alike). So ->llseek stays NULL: 6.1 spells that
 * "no_llseek" (its <linux/fs.h>: #define no_llseek NULL), 6.12 removed
 * the name; noop_llseek would be wrong, it makes a seek succeed.
 */
static int flank_open(struct inode *inode, struct file *file)
{
	struct flank_file *ff;
	int rc;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	rc = nonseekable_open(inode, file);
	if (rc)
		return rc;
	/* What this open file stages is its own (core: struct flank_file). */
	ff = kvzalloc(sizeof(*ff), GFP_KERNEL);
	if (!ff)
		return -ENOMEM;
	flank_core_open(&flank_core, ff);
	file->private_data = ff;
	return 0;
}

/* The last reference is gone: what the file staged and never loaded goes. */
static int flank_release(struct inode *inode, struct file *file)
{
	struct flank_file *ff = file->private_data;

	flank_core_release(&flank_core, ff);
	kvfree(ff);
	return 0;
}

static const struct file_operations flank_fops = {
	.owner = THIS_MODULE,
	.open = flank_open,
	.release = flank_release,
	.unlocked_ioctl = flank_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
};

static struct miscdevice flank_misc = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = FLANK_DEVICE_NAME,
	.fops = &flank_fops,
	.mode = 0600,
};

/* A CPU that comes online joins a running VMM, or refuses to come up. */
static int flank_cpu_online(unsigned int cpu)
{
	return flank_core_cpu_online(&flank_core, cpu) ? -EIO : 0;
}

/* Teardown cannot be refused: the core logs and marks a failure. */
static int flank_cpu_offline(unsigned int cpu)
{
	(void)flank_core_cpu_offline(&flank_core, cpu);
	return 0;
}

static int flank_reboot(struct notifier_block *nb, unsigned long action,
			void *data)
{
	flank_core_quiesce(&flank_core, "reboot");
	return NOTIFY_DONE;
}

/* The core's event numbers are the kernel's: the action goes through as is. */
static_assert(FLANK_PM_HIBERNATION_PREPARE == PM_HIBERNATION_PREPARE);
static_assert(FLANK_PM_POST_HIBERNATION == PM_POST_HIBERNATION);
static_assert(FLANK_PM_SUSPEND_PREPARE == PM_SUSPEND_PREPARE);
static_assert(FLANK_PM_POST_SUSPEND == PM_POST_SUSPEND);
static_assert(FLANK_PM_RESTORE_PREPARE == PM_RESTORE_PREPARE);
static_assert(FLANK_PM_POST_RESTORE == PM_POST_RESTORE);

static int flank_pm(struct notifier_block *nb, unsigned long action, void *data)
{
	flank_core_pm(&flank_core, action);
	return NOTIFY_DONE;
}

/*
 * The VMM's exit handlers write only the debug ring (never printk from VMX
 * root); the core drains it to the kernel log after every ioctl and event,
 * and this poll does it once a second so that a line an exit handler wrote
 * while nobody called the driver (an unhandled exit that gave a CPU back)
 * reaches dmesg without a `flankctl` command (core/logdrain.c).
 */
#define FLANK_LOG_POLL_JIFFIES HZ

static void flank_log_poll(struct work_struct *work);
static DECLARE_DELAYED_WORK(flank_log_work, flank_log_poll);

static void flank_log_poll(struct work_struct *work)
{
	flank_core_poll_log(&flank_core);
	schedule_delayed_work(&flank_log_work,
			      round_jiffies_relative(FLANK_LOG_POLL_JIFFIES));
}

static struct notifier_block flank_reboot_nb = {
	.notifier_call = flank_reboot,
};

static struct notifier_block flank_pm_nb = {
	.notifier_call = flank_pm,
};

static int __init flank_init(void)
{
	const char *why;
	int rc;

	why = flank_ring_kib_check(ring_kib);
	if (why) {
		pr_err("ring_kib=%u refused: %s\n", ring_kib, why);
		return -EINVAL;
	}
	rc = flank_kplat_init();
	if (rc)
		return rc;
	flank_core_init(&flank_core, &flank_kops, flank_link_modules,
			flank_unlink_modules);
	flank_core.serial_port = serial_port;
	flank_core.serial_baud = serial_baud;
	flank_core.serial_flags = serial_pci ? FLANK_SERIAL_PCI : 0;
	flank_core.ring_kib = ring_kib;
	flank_core.hide = hide ? FLANK_HIDE_ALL : 0;
	flank_core.sig_enforce = flank_ksig_enforce();
	rc = cpuhp_setup_state_nocalls(CPUHP_AP_ONLINE_DYN, "flank:online",
				       flank_cpu_online, flank_cpu_offline);
	if (rc < 0)
		goto err_kplat;
	flank_hp_state = rc;
	rc = register_reboot_notifier(&flank_reboot_nb);
	if (rc)
		goto err_hp;
	rc = register_pm_notifier(&flank_pm_nb);
	if (rc)
		goto err_reboot;
	rc = misc_register(&flank_misc);
	if (rc)
		goto err_pm;
	schedule_delayed_work(&flank_log_work,
			      round_jiffies_relative(FLANK_LOG_POLL_JIFFIES));
	pr_info("ready: /dev/%s (ioctl ABI %u, image ABI %u)\n",
		FLANK_DEVICE_NAME, FLANK_IOCTL_VERSION,
		FLANK_IMAGE_ABI_VERSION);
	return 0;

err_pm:
	unregister_pm_notifier(&flank_pm_nb);
err_reboot:
	unregister_reboot_notifier(&flank_reboot_nb);
err_hp:
	cpuhp_remove_state_nocalls(flank_hp_state);
err_kplat:
	flank_kplat_exit(false);
	return rc;
}

static void __exit flank_exit(void)
{
	misc_deregister(&flank_misc);
	/* Stops the poll for good (it re-arms itself); fini drains last. */
	cancel_delayed_work_sync(&flank_log_work);
	flank_core_fini(&flank_core);
	cpuhp_remove_state_nocalls(flank_hp_state);
	unregister_pm_notifier(&flank_pm_nb);
	unregister_reboot_notifier(&flank_reboot_nb);
	/* A VMM that could not be stopped may still use HOST_CR3. */
	flank_kplat_exit(flank_core.state == FLANK_DRV_CORRUPT);
	pr_info("unloaded\n");
}

module_init(flank_init);
module_exit(flank_exit);

/*
 * Test only (tests/e2e): writing 1 to /sys/module/flank/parameters/
 * test_cr4_vmxe makes every online CPU, while Flank runs, set CR4.VMXE and
 * clear it again with MOV to CR4 (the write a hypervisor that enables VT-x
 * lazily makes). Under Flank each is a control-register exit that the VMM
 * completes in the guest's view only (docs/exits.md), so the whole-system
 * run can drive the CR-access exit path, under IBT on 6.12 too, and check
 * what the guest read back. Refused (-EBUSY) unless the VMM runs: on a CPU
 * without VT-x the write would #GP. The result is logged per CPU.
 */
/*
 * What a write to a test-only parameter asks: 1 to run the test (a true
 * value), 0 for a false one (nothing to do), or kstrtobool's error. The
 * four test parameters below share it.
 */
static int flank_test_param(const char *val)
{
	bool on;
	int rc = kstrtobool(val, &on);

	return rc ? rc : on;
}

static atomic_t flank_test_cr4_ok, flank_test_cr4_bad;

static void flank_test_cr4_vmxe_one(void *unused)
{
	unsigned long cr4 = __read_cr4(), seen_set, seen_clear;

	asm volatile("mov %0, %%cr4" : : "r"(cr4 | X86_CR4_VMXE) : "memory");
	seen_set = __read_cr4();
	asm volatile("mov %0, %%cr4" : : "r"(cr4) : "memory");
	seen_clear = __read_cr4();
	if ((seen_set & X86_CR4_VMXE) && seen_clear == cr4)
		atomic_inc(&flank_test_cr4_ok);
	else
		atomic_inc(&flank_test_cr4_bad);
}

static int flank_test_cr4_vmxe_set(const char *val,
				   const struct kernel_param *kp)
{
	int rc = flank_test_param(val);

	if (rc <= 0)
		return rc;
	if (READ_ONCE(flank_core.state) != FLANK_DRV_RUNNING)
		return -EBUSY;
	atomic_set(&flank_test_cr4_ok, 0);
	atomic_set(&flank_test_cr4_bad, 0);
	cpus_read_lock();
	on_each_cpu(flank_test_cr4_vmxe_one, NULL, 1);
	cpus_read_unlock();
	pr_info("test_cr4_vmxe: %d CPUs saw CR4.VMXE set and cleared in their "
		"view, %d did not\n",
		atomic_read(&flank_test_cr4_ok),
		atomic_read(&flank_test_cr4_bad));
	return atomic_read(&flank_test_cr4_bad) ? -EIO : 0;
}

static const struct kernel_param_ops flank_test_cr4_vmxe_ops = {
	.set = flank_test_cr4_vmxe_set,
};
module_param_cb(test_cr4_vmxe, &flank_test_cr4_vmxe_ops, NULL, 0200);
MODULE_PARM_DESC(test_cr4_vmxe,
		 "TEST ONLY: write 1 while Flank runs to make every CPU set "
		 "and clear CR4.VMXE (control-register exits)");

/*
 * Test only (tests/e2e, issue #14 item 10): writing 1 to /sys/module/flank/
 * parameters/test_crash_off runs, on every online CPU with interrupts off,
 * what the kernel's crash paths run there (kdump's NMI shootdown, the
 * emergency reboot): the driver's crash callback, as installed at START.
 * Each CPU then checks that it left VMX operation: before, Flank answered
 * its CPUID leaf (docs/hypercalls.md); after, it does not, and CR4.VMXE,
 * now the CPU's own, is clear. Without a crash the kernel goes on running
 * on every CPU, outside VMX: the driver stays RUNNING with no CPU under the
 * image, and `flankctl stop` frees their pages. Refused (-EBUSY) unless the
 * VMM runs with the callback installed. The result is logged.
 */
#define FLANK_TEST_CPUID_LEAF 0x4000F000u /* FLANK_CPUID_LEAF */
static atomic_t flank_test_crash_left, flank_test_crash_stayed;

static bool flank_test_under_flank(void)
{
	u32 eax, ebx, ecx, edx;

	cpuid(FLANK_TEST_CPUID_LEAF, &eax, &ebx, &ecx, &edx);
	return !memcmp(&ebx, "Flan", 4) && !memcmp(&ecx, "kVMM", 4);
}

static void flank_test_crash_one(void *unused)
{
	bool before = flank_test_under_flank();

	flank_crash_cpu_here();
	if (before && !flank_test_under_flank() &&
	    !(__read_cr4() & X86_CR4_VMXE))
		atomic_inc(&flank_test_crash_left);
	else
		atomic_inc(&flank_test_crash_stayed);
}

static int flank_test_crash_off_set(const char *val,
				    const struct kernel_param *kp)
{
	int rc = flank_test_param(val);

	if (rc <= 0)
		return rc;
	if (READ_ONCE(flank_core.state) != FLANK_DRV_RUNNING ||
	    !READ_ONCE(flank_core.crash_hooked))
		return -EBUSY;
	atomic_set(&flank_test_crash_left, 0);
	atomic_set(&flank_test_crash_stayed, 0);
	cpus_read_lock();
	on_each_cpu(flank_test_crash_one, NULL, 1);
	cpus_read_unlock();
	pr_info("test_crash_off: %d CPUs left VMX operation through the crash "
		"callback, %d did not\n",
		atomic_read(&flank_test_crash_left),
		atomic_read(&flank_test_crash_stayed));
	return atomic_read(&flank_test_crash_stayed) ? -EIO : 0;
}

static const struct kernel_param_ops flank_test_crash_off_ops = {
	.set = flank_test_crash_off_set,
};
module_param_cb(test_crash_off, &flank_test_crash_off_ops, NULL, 0200);
MODULE_PARM_DESC(test_crash_off,
		 "TEST ONLY: write 1 while Flank runs to run the crash "
		 "callback on every CPU (all leave VMX operation)");

/*
 * Test only (tests/e2e, issue #18 section 4): writing 1 to /sys/module/
 * flank/parameters/test_text_write plays the rootkit that the kernel text
 * guard (libvmm/modules/textguard, docs/modules.md) stops: it patches the
 * first byte of the SYSCALL entry (the address in IA32_LSTAR) through a
 * writable alias, a vmap() of the page with PAGE_KERNEL (the kernel's own
 * mapping of its text is read-only). The store carries an exception-table
 * fixup, so the #GP(0) the guard injects is caught like a faulting user
 * copy: no oops, no warning. It writes the byte's complement, under
 * stop_machine(): every other CPU spins with interrupts off, so nothing
 * executes the entry while a write that was not refused (no EPT: the
 * guard has no effect) is in place; such a write is undone at once. The
 * result line gives the addresses, whether the store faulted and the byte
 * before and right after it. Refused (-EBUSY) unless the VMM runs.
 */
struct flank_test_text {
	u8 *alias;
	u8 before, after;
	int faulted;
};

static int flank_test_text_poke(void *arg)
{
	struct flank_test_text *t = arg;
	u8 v;
	int faulted = 1;

	t->before = READ_ONCE(*t->alias);
	v = (u8)~t->before;
	/* Label 1 faults: the fixup resumes at 2 with faulted still 1. */
	asm volatile("1: movb %[v], %[m]\n\t"
		     "xorl %[f], %[f]\n"
		     "2:\n\t" _ASM_EXTABLE(1b, 2b)
		     : [m] "=m"(*t->alias), [f] "+r"(faulted)
		     : [v] "q"(v)
		     : "memory");
	t->after = READ_ONCE(*t->alias);
	if (!faulted)
		WRITE_ONCE(*t->alias, t->before);
	t->faulted = faulted;
	return 0;
}

static int flank_test_text_write_set(const char *val,
				     const struct kernel_param *kp)
{
	struct flank_test_text t = {};
	struct page *page;
	unsigned long lstar;
	void *alias;
	int rc = flank_test_param(val);

	if (rc <= 0)
		return rc;
	if (READ_ONCE(flank_core.state) != FLANK_DRV_RUNNING)
		return -EBUSY;
	rdmsrl(MSR_LSTAR, lstar);
	page = virt_to_page((void *)lstar);
	alias = vmap(&page, 1, VM_MAP, PAGE_KERNEL);
	if (!alias)
		return -ENOMEM;
	t.alias = (u8 *)alias + offset_in_page(lstar);
	rc = stop_machine(flank_test_text_poke, &t, NULL);
	pr_info("test_text_write: SYSCALL entry %#lx (physical %#llx, alias "
		"%#lx): the write %s; byte before 0x%02x, after 0x%02x\n",
		lstar,
		(unsigned long long)page_to_phys(page) + offset_in_page(lstar),
		(unsigned long)t.alias,
		t.faulted ? "faulted (#GP)" : "went through (undone)", t.before,
		t.after);
	vunmap(alias);
	return rc;
}

static const struct kernel_param_ops flank_test_text_write_ops = {
	.set = flank_test_text_write_set,
};
module_param_cb(test_text_write, &flank_test_text_write_ops, NULL, 0200);
MODULE_PARM_DESC(test_text_write,
		 "TEST ONLY: write 1 while Flank runs to patch the SYSCALL "
		 "entry through a writable alias (the text guard refuses it)");

/*
 * Test only (tests/e2e, issue #18 section 3): writing 1 to /sys/module/
 * flank/parameters/test_hide while Flank runs looks at every page the VMM
 * got from page_alloc (flank_core.vmm_page: its EPT tables, VMXON regions,
 * VMCSs, MSR bitmaps, per-CPU contexts), every host stack
 * (flank_core.stack) and every page of the debug ring through the
 * kernel's direct map,
 * from the kernel, i.e. from VMX non-root: it counts the pages that read as
 * zeros and writes a marker into each of those, then zero again (so that a
 * page that really is zero, not hidden, is left as it was). With the pages
 * hidden (docs/ept.md) the reads give the zero page and the VMM drops the
 * writes: afterwards every CPU must still answer Flank's CPUID leaf. The
 * result is logged; `flankctl stats` shows the dropped writes.
 */
static atomic_t flank_test_hide_under;

static void flank_test_hide_one(void *unused)
{
	if (flank_test_under_flank())
		atomic_inc(&flank_test_hide_under);
}

static bool flank_test_page_zero(const u64 *w)
{
	for (unsigned int i = 0; i < PAGE_SIZE / sizeof(*w); i++)
		if (READ_ONCE(w[i]))
			return false;
	return true;
}

static int flank_test_hide_set(const char *val, const struct kernel_param *kp)
{
	const struct flank_core_ops *ops = flank_core.ops;
	unsigned int n, nfixed, zero = 0, written = 0, online;
	int rc = flank_test_param(val);

	if (rc <= 0)
		return rc;
	ops->lock(ops->ctx, false);
	if (flank_core.state != FLANK_DRV_RUNNING) {
		ops->unlock(ops->ctx, false);
		return -EBUSY;
	}
	/* The pages from page_alloc, the guarded host stacks, then the
	 * debug ring's pages (FLANK_HIDE_RING). */
	nfixed = flank_core.nvmm_pages + flank_core.nstacks;
	n = nfixed +
	    (flank_core.ring_mem ? (flank_core.ring_kib << 10) / PAGE_SIZE : 0);
	for (unsigned int i = 0; i < n; i++) {
		u64 pa =
			i < flank_core.nvmm_pages ? flank_core.vmm_page[i].pa
			: i < nfixed
				? flank_core.stack[i - flank_core.nvmm_pages].pa
				: ops->virt_pa(ops->ctx,
					       (const u8 *)flank_core.ring_mem +
						       (size_t)(i - nfixed) *
							       PAGE_SIZE);
		u64 *w = phys_to_virt(pa);

		if (!pa || !flank_test_page_zero(w))
			continue;
		zero++;
		WRITE_ONCE(w[PAGE_SIZE / 16], 0x4b4e414c46454449ull);
		WRITE_ONCE(w[PAGE_SIZE / 16], 0);
		written++;
	}
	ops->unlock(ops->ctx, false);
	atomic_set(&flank_test_hide_under, 0);
	cpus_read_lock();
	online = num_online_cpus();
	on_each_cpu(flank_test_hide_one, NULL, 1);
	cpus_read_unlock();
	pr_info("test_hide: %u of %u VMM pages read as zeros, %u written, %d "
		"of %u CPUs still under Flank\n",
		zero, n, written, atomic_read(&flank_test_hide_under), online);
	return atomic_read(&flank_test_hide_under) == (int)online ? 0 : -EIO;
}

static const struct kernel_param_ops flank_test_hide_ops = {
	.set = flank_test_hide_set,
};
module_param_cb(test_hide, &flank_test_hide_ops, NULL, 0200);
MODULE_PARM_DESC(
	test_hide,
	"TEST ONLY: write 1 while Flank runs to read and write the "
	"VMM's pages through the direct map (they must read as zeros)");

/*
 * Test only (tests/e2e, issue #14): writing "CPU COUNT" to
 * /sys/module/flank/parameters/test_nmi_storm sends COUNT NMIs to CPU, one
 * at a time, each through the local APIC (apic->send_IPI, NMI_VECTOR) after
 * a varying delay, and waits up to FLANK_TEST_NMI_WAIT for each to reach an
 * NMI_LOCAL handler registered for the storm. While the target runs a
 * CPUID loop under Flank the NMIs land in VMX non-root (the guest's IDT:
 * Flank does not set NMI exiting) and in VMX root during the exit handling
 * (the host IDT, Linux's own, on HOST_CR3: what page-table isolation's NMI
 * entry must survive, issue #14 item 1). The handler counts where each one interrupted: inside
 * the loaded image (VMX root) or elsewhere. Works with Flank stopped too
 * (the bare baseline). A CPU that is offline is skipped, not counted lost.
 * Reading the parameter gives the last storm's counts; the write fails
 * (-EIO) when an NMI was lost. Never enabled in production: nothing writes
 * it but the whole-system test.
 */
#define FLANK_TEST_NMI_WAIT (HZ / 2)

static int flank_test_nmi_target = -1;
static atomic_t flank_test_nmi_pending;
static atomic_t flank_test_nmi_root, flank_test_nmi_other;
static unsigned int flank_test_nmi_sent, flank_test_nmi_lost,
	flank_test_nmi_skipped;

static int flank_test_nmi_handler(unsigned int type, struct pt_regs *regs)
{
	const struct flank_image *img = &flank_core.image;
	unsigned long ip = instruction_pointer(regs);

	if (smp_processor_id() != READ_ONCE(flank_test_nmi_target) ||
	    !atomic_add_unless(&flank_test_nmi_pending, -1, 0))
		return NMI_DONE;
	if (img->base && ip - (unsigned long)img->base < img->bytes)
		atomic_inc(&flank_test_nmi_root);
	else
		atomic_inc(&flank_test_nmi_other);
	return NMI_HANDLED;
}

/*
 * One NMI to @cpu, waited for; false when it did not arrive in time. The
 * send is delayed by 0 to 4095 PAUSEs (@jitter, a pseudo-random sequence):
 * a sender that answered each arrival at once would fall into step with a
 * target whose loop takes the same time every round (an emulator runs the
 * CPUs in turns of fixed length), and every NMI would find the target at
 * the same point of its loop (measured on Bochs: all 2000 in VMX root in
 * one storm, all 2000 in the guest in the next).
 */
static bool flank_test_nmi_one(unsigned int cpu, u32 jitter)
{
	unsigned long deadline = jiffies + FLANK_TEST_NMI_WAIT;
	u32 i;

	for (i = 0; i < (jitter & 4095); i++)
		cpu_relax();
	atomic_inc(&flank_test_nmi_pending);
	apic->send_IPI(cpu, NMI_VECTOR);
	while (atomic_read(&flank_test_nmi_pending)) {
		if (time_after(jiffies, deadline))
			return atomic_xchg(&flank_test_nmi_pending, 0) == 0;
		cpu_relax();
	}
	return true;
}

static int flank_test_nmi_storm_set(const char *val,
				    const struct kernel_param *kp)
{
	unsigned int cpu, count, i;
	u32 jitter = 2463534242u;
	int rc;

	if (sscanf(val, "%u %u", &cpu, &count) != 2 || cpu >= nr_cpu_ids ||
	    count == 0 || count > 1000000)
		return -EINVAL;
	rc = register_nmi_handler(NMI_LOCAL, flank_test_nmi_handler, 0,
				  "flank_test_nmi");
	if (rc)
		return rc;
	atomic_set(&flank_test_nmi_pending, 0);
	atomic_set(&flank_test_nmi_root, 0);
	atomic_set(&flank_test_nmi_other, 0);
	flank_test_nmi_sent = 0;
	flank_test_nmi_lost = 0;
	flank_test_nmi_skipped = 0;
	WRITE_ONCE(flank_test_nmi_target, cpu);
	for (i = 0; i < count; i++) {
		/* The target cannot go offline while its NMI is in flight. */
		cpus_read_lock();
		if (!cpu_online(cpu)) {
			flank_test_nmi_skipped++;
		} else {
			/* xorshift32: varied, and the same in every run. */
			jitter ^= jitter << 13;
			jitter ^= jitter >> 17;
			jitter ^= jitter << 5;
			flank_test_nmi_sent++;
			if (!flank_test_nmi_one(cpu, jitter))
				flank_test_nmi_lost++;
		}
		cpus_read_unlock();
		cond_resched();
	}
	WRITE_ONCE(flank_test_nmi_target, -1);
	unregister_nmi_handler(NMI_LOCAL, "flank_test_nmi");
	pr_info("test_nmi_storm: CPU %u: %u NMIs sent, %d received (%d in "
		"VMX root, in the image; %d elsewhere), %u lost, %u skipped "
		"(CPU offline)\n",
		cpu, flank_test_nmi_sent,
		atomic_read(&flank_test_nmi_root) +
			atomic_read(&flank_test_nmi_other),
		atomic_read(&flank_test_nmi_root),
		atomic_read(&flank_test_nmi_other), flank_test_nmi_lost,
		flank_test_nmi_skipped);
	return flank_test_nmi_lost ? -EIO : 0;
}

static int flank_test_nmi_storm_get(char *buf, const struct kernel_param *kp)
{
	return scnprintf(buf, PAGE_SIZE,
			 "sent=%u received=%d root=%d other=%d lost=%u "
			 "skipped=%u\n",
			 flank_test_nmi_sent,
			 atomic_read(&flank_test_nmi_root) +
				 atomic_read(&flank_test_nmi_other),
			 atomic_read(&flank_test_nmi_root),
			 atomic_read(&flank_test_nmi_other),
			 flank_test_nmi_lost, flank_test_nmi_skipped);
}

static const struct kernel_param_ops flank_test_nmi_storm_ops = {
	.set = flank_test_nmi_storm_set,
	.get = flank_test_nmi_storm_get,
};
module_param_cb(test_nmi_storm, &flank_test_nmi_storm_ops, NULL, 0600);
MODULE_PARM_DESC(test_nmi_storm,
		 "TEST ONLY: write \"CPU COUNT\" to send COUNT NMIs to CPU one "
		 "at a time and count them in an NMI handler; read for the "
		 "counts");

/* Test only (tests/e2e): see flank_test_busy_cpu in kplat.c. */
module_param_named(test_busy_cpu, flank_test_busy_cpu, int, 0400);
MODULE_PARM_DESC(test_busy_cpu,
		 "TEST ONLY: make start fail on this CPU as if another "
		 "hypervisor held VT-x there (default -1: off)");

MODULE_LICENSE("GPL");
MODULE_AUTHOR("Flank Developers");
MODULE_DESCRIPTION("Flank: loads a VT-x VMM image and virtualises every CPU");
MODULE_VERSION("0.1.0");
