// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The driver core (driver_linux/core) against a fake kernel: every ioctl's
 * invalid inputs and every illegal transition, each with its own status,
 * plus the per-CPU orchestration (start rollback, hotplug, quiesce) and
 * module unload. The same core files are compiled into flank.ko.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fake_platform.h"
#include "flank_test.h"

static struct flank_core core;
/* The open file of the device the test uses. */
static struct flank_file file;
static const char elf_bytes[] = "\x7f"
				"ELF fake image";

static int ioc(unsigned int cmd, void *arg)
{
	return flank_core_ioctl(&core, &file, cmd, (uint64_t)(uintptr_t)arg);
}

static int setup(void **state)
{
	(void)state;
	fake_reset(4);
	fake_vmm_reset();
	flank_core_init(&core, &fake_ops, fake_link, fake_unlink);
	flank_core_open(&core, &file);
	return 0;
}

/* Module unload at the end of every test must leave nothing behind. */
static int teardown(void **state)
{
	(void)state;
	flank_core_release(&core, &file);
	flank_core_fini(&core);
	/* Pinned exactly when CORRUPT, and only once (rmmod must fail). */
	assert_int_equal(fake.pins, core.state == FLANK_DRV_CORRUPT ? 1 : 0);
	if (core.state != FLANK_DRV_CORRUPT) {
		assert_int_equal(fake.allocs, 0);
		assert_int_equal(fake.image_maps, 0);
		assert_null(core.ring_mem);
	} else if (core.ring_mem) {
		/* The driver leaked it on purpose; the test cleans up. */
		fake_ops.free(NULL, core.ring_mem);
		core.ring_mem = NULL;
	}
	if (core.state == FLANK_DRV_CORRUPT) /* Leaked with the image too. */
		flank_stacks_free(&core);
	assert_int_equal(fake.stacks_live, 0);
	assert_int_equal(fake.lock_errors, 0);
	assert_int_equal(fake.lock_depth, 0);
	assert_int_equal(fake.user_copies_locked, 0);
	return 0;
}

static int add(const char *name, const void *data, uint64_t size)
{
	struct flank_ioc_module m;

	memset(&m, 0, sizeof(m));
	m.data = (uint64_t)(uintptr_t)data;
	m.size = size;
	snprintf(m.name, sizeof(m.name), "%s", name);
	return ioc(FLANK_IOC_ADD_MODULE, &m);
}

static int cmd(unsigned int nr, struct flank_ioc_cmd *c)
{
	memset(c, 0, sizeof(*c));
	return ioc(nr, c);
}

static void load_image(void)
{
	struct flank_ioc_cmd c;

	assert_int_equal(add("vmm.elf", elf_bytes, sizeof(elf_bytes)),
			 FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_OK);
	assert_int_equal(core.state, FLANK_DRV_LOADED);
}

static void start_image(void)
{
	struct flank_ioc_cmd c;

	load_image();
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_OK);
	assert_int_equal(core.state, FLANK_DRV_RUNNING);
}

/* VERSION reports the ioctl and image ABI versions the driver speaks. */
static void test_driver_core_version(void **state)
{
	struct flank_ioc_version v;

	(void)state;
	memset(&v, 0xff, sizeof(v));
	assert_int_equal(ioc(FLANK_IOC_VERSION, &v), FLANK_OK);
	assert_int_equal(v.ioctl_version, FLANK_IOCTL_VERSION);
	assert_int_equal(v.image_abi_version, FLANK_IMAGE_ABI_VERSION);
	assert_int_equal(v.err.code, 0);
	assert_int_equal(v.reserved, 0);
}

/* Without CAP_SYS_ADMIN every ioctl is refused before anything happens. */
static void test_driver_core_needs_cap_sys_admin(void **state)
{
	static const unsigned int all[] = {
		FLANK_IOC_VERSION, FLANK_IOC_ADD_MODULE, FLANK_IOC_LOAD,
		FLANK_IOC_UNLOAD,  FLANK_IOC_START,	 FLANK_IOC_STOP,
		FLANK_IOC_STATUS,  FLANK_IOC_CPU_STATUS, FLANK_IOC_STATS,
		FLANK_IOC_DUMP,	   FLANK_IOC_CHECK,
	};
	struct flank_ioc_check big;
	size_t i;

	(void)state;
	fake.capable = false;
	for (i = 0; i < FLANK_ARRAY_SIZE(all); i++)
		assert_int_equal(ioc(all[i], &big), FLANK_E_PERM);
	assert_int_equal(fake.allocs, 0);
	assert_int_equal(flank_status_errno(FLANK_E_PERM), -EPERM);
}

/* Unknown numbers, and known numbers with a wrong size, are refused. */
static void test_driver_core_unknown_ioctl(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(
		ioc(_IOWR(FLANK_IOC_MAGIC, 99, struct flank_ioc_cmd), &c),
		FLANK_E_BAD_IOCTL);
	assert_int_equal(ioc(_IOWR(FLANK_IOC_MAGIC, 4, uint32_t), &c),
			 FLANK_E_BAD_IOCTL);
	assert_int_equal(ioc(_IOWR('x', 4, struct flank_ioc_cmd), &c),
			 FLANK_E_BAD_IOCTL);
	assert_int_equal(flank_status_errno(FLANK_E_BAD_IOCTL), -ENOTTY);
}

/* An argument pointer that cannot be read is EFAULT, nothing changes. */
static void test_driver_core_bad_arg_pointer(void **state)
{
	(void)state;
	assert_int_equal(
		flank_core_ioctl(&core, &file, FLANK_IOC_START, FAKE_BAD_ADDR),
		FLANK_E_FAULT);
	assert_int_equal(flank_core_ioctl(&core, &file, FLANK_IOC_STATUS, 0),
			 FLANK_E_FAULT);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
}

/* Out of memory for the argument copy is ENOMEM, not a crash. */
static void test_driver_core_no_memory(void **state)
{
	struct flank_ioc_status s;

	(void)state;
	fake.alloc_fail_in = 1;
	assert_int_equal(ioc(FLANK_IOC_STATUS, &s), FLANK_E_NO_MEMORY);
	fake.alloc_fail_in = 2; /* The argument, then the module bytes. */
	assert_int_equal(add("vmm.elf", elf_bytes, sizeof(elf_bytes)),
			 FLANK_E_NO_MEMORY);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
}

/* Reserved fields and flags must be zero in every command. */
static void test_driver_core_reserved_fields(void **state)
{
	struct flank_ioc_cmd c;
	struct flank_ioc_module m;
	struct flank_ioc_stats st;
	struct flank_ioc_check ck;
	unsigned int nrs[] = {FLANK_IOC_LOAD, FLANK_IOC_UNLOAD, FLANK_IOC_START,
			      FLANK_IOC_STOP};
	size_t i;

	(void)state;
	for (i = 0; i < FLANK_ARRAY_SIZE(nrs); i++) {
		memset(&c, 0, sizeof(c));
		c.flags = 1;
		assert_int_equal(ioc(nrs[i], &c), FLANK_E_INVAL);
		memset(&c, 0, sizeof(c));
		c.reserved = 1;
		assert_int_equal(ioc(nrs[i], &c), FLANK_E_INVAL);
	}
	memset(&m, 0, sizeof(m));
	m.data = (uintptr_t)elf_bytes;
	m.size = sizeof(elf_bytes);
	m.flags = 2;
	assert_int_equal(ioc(FLANK_IOC_ADD_MODULE, &m), FLANK_E_INVAL);
	assert_non_null(strstr(m.err.text, "reserved"));
	memset(&st, 0, sizeof(st));
	st.reserved = 1;
	assert_int_equal(ioc(FLANK_IOC_STATS, &st), FLANK_E_INVAL);
	memset(&ck, 0, sizeof(ck));
	ck.reserved = 1;
	assert_int_equal(ioc(FLANK_IOC_CHECK, &ck), FLANK_E_INVAL);
}

/* Start before load names the missing step. */
static void test_driver_core_start_before_load(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_NOT_LOADED);
	assert_int_equal(c.err.code, FLANK_E_NOT_LOADED);
	assert_int_equal(c.err.source, FLANK_SRC_DRIVER);
	assert_string_equal(c.err.text, flank_status_str(FLANK_E_NOT_LOADED));
	assert_int_equal(flank_status_errno(FLANK_E_NOT_LOADED), -ENOENT);
	/* Staged but not linked is still "not loaded". */
	assert_int_equal(add("vmm.elf", elf_bytes, sizeof(elf_bytes)),
			 FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_NOT_LOADED);
	assert_int_equal(vmm.starts, 0);
}

/* Load with nothing added, unload with nothing loaded. */
static void test_driver_core_load_unload_empty(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_NO_MODULES);
	assert_int_equal(cmd(FLANK_IOC_UNLOAD, &c), FLANK_E_NOT_LOADED);
	assert_int_equal(vmm.links, 0);
}

/* An empty module, a huge one, a 9th one and too many bytes are refused. */
static void test_driver_core_module_caps(void **state)
{
	uint32_t i;

	(void)state;
	assert_int_equal(add("empty", elf_bytes, 0), FLANK_E_INVAL);
	assert_int_equal(
		add("huge", elf_bytes, (uint64_t)FLANK_MODULE_MAX_BYTES + 1),
		FLANK_E_TOO_BIG);
	assert_int_equal(add("wrapping", elf_bytes, UINT64_MAX),
			 FLANK_E_TOO_BIG);
	for (i = 0; i < FLANK_MODULES_MAX; i++)
		assert_int_equal(add("m", elf_bytes, sizeof(elf_bytes)),
				 FLANK_OK);
	assert_int_equal(add("ninth", elf_bytes, sizeof(elf_bytes)),
			 FLANK_E_TOO_MANY);
	assert_int_equal(file.nmods, FLANK_MODULES_MAX);
	assert_int_equal(flank_status_errno(FLANK_E_TOO_BIG), -EFBIG);
}

/* All staged modules together may not exceed FLANK_STAGED_MAX_BYTES. */
static void test_driver_core_staged_total_cap(void **state)
{
	static char big[FLANK_MODULE_MAX_BYTES];
	struct flank_ioc_module m;

	(void)state;
	assert_int_equal(add("a", big, sizeof(big)), FLANK_OK);
	assert_int_equal(add("b", big, sizeof(big)), FLANK_OK);
	memset(&m, 0, sizeof(m));
	m.data = (uintptr_t)big;
	m.size = 1;
	assert_int_equal(ioc(FLANK_IOC_ADD_MODULE, &m), FLANK_E_TOO_BIG);
	assert_non_null(strstr(m.err.text, "all modules together"));
}

/* A module whose bytes cannot be read (truncated mapping) is EFAULT. */
static void test_driver_core_module_bad_data(void **state)
{
	struct flank_ioc_module m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.data = FAKE_BAD_ADDR;
	m.size = 100;
	snprintf(m.name, sizeof(m.name), "vmm.elf");
	assert_int_equal(ioc(FLANK_IOC_ADD_MODULE, &m), FLANK_E_FAULT);
	assert_non_null(strstr(m.err.text, "could not read 100 bytes"));
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
	assert_int_equal(core.nmods, 0);
}

/* A name without its terminator is refused; odd bytes are sanitised. */
static void test_driver_core_module_name(void **state)
{
	struct flank_ioc_module m;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.data = (uintptr_t)elf_bytes;
	m.size = sizeof(elf_bytes);
	memset(m.name, 'a', sizeof(m.name));
	assert_int_equal(ioc(FLANK_IOC_ADD_MODULE, &m), FLANK_E_INVAL);
	snprintf(m.name, sizeof(m.name), "bad\nname\x1b");
	assert_int_equal(ioc(FLANK_IOC_ADD_MODULE, &m), FLANK_OK);
	assert_string_equal(file.mod[0].name, "bad?name?");
}

/* The whole life: add, load, start on every CPU, stop, unload. */
static void test_driver_core_lifecycle(void **state)
{
	struct flank_ioc_status s;
	struct flank_ioc_cmd c;

	(void)state;
	load_image();
	assert_int_equal(vmm.inits, 1);
	assert_ptr_equal(vmm.platform, &core.platform);
	/* Staged bytes dropped; what is left is the debug ring and the
	 * table of host stacks. */
	assert_int_equal(fake.allocs, 2);
	assert_ptr_equal(core.ring_mem, vmm.ring);
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_OK);
	assert_int_equal(fake_vmm_running(), 4);
	memset(&s, 0, sizeof(s));
	assert_int_equal(ioc(FLANK_IOC_STATUS, &s), FLANK_OK);
	assert_int_equal(s.state, FLANK_DRV_RUNNING);
	assert_int_equal(s.vmm_state, FLANK_STATE_RUNNING);
	assert_int_equal(s.cpu_count, 4);
	assert_int_equal(s.online_count, 4);
	assert_int_equal(s.module_count, 1);
	assert_int_equal(s.image_version, 0x000100);
	assert_int_equal(s.image_bytes, 8192);
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_OK);
	assert_int_equal(fake_vmm_running(), 0);
	assert_int_equal(cmd(FLANK_IOC_UNLOAD, &c), FLANK_OK);
	assert_int_equal(vmm.finis, 1);
	assert_int_equal(vmm.unlinks, 1);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
	assert_non_null(strstr(fake.last_log, "unloaded"));
	/* And again: nothing was left behind. */
	start_image();
	assert_int_equal(vmm.inits, 2);
}

/* Stop twice: the second is refused, the VMM is not called again. */
static void test_driver_core_double_stop(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	start_image();
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_E_NOT_RUNNING);
	assert_int_equal(vmm.stops, 1);
	assert_int_equal(flank_status_errno(FLANK_E_NOT_RUNNING), -EALREADY);
}

/* Unload while running is refused; so are add, load and a second start. */
static void test_driver_core_busy_while_running(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	start_image();
	assert_int_equal(cmd(FLANK_IOC_UNLOAD, &c), FLANK_E_RUNNING);
	assert_int_equal(add("x", elf_bytes, sizeof(elf_bytes)),
			 FLANK_E_RUNNING);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_RUNNING);
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_RUNNING);
	assert_non_null(strstr(c.err.text, "already running"));
	assert_int_equal(vmm.finis, 0);
	assert_int_equal(vmm.starts, 1);
	assert_int_equal(flank_status_errno(FLANK_E_RUNNING), -EBUSY);
}

/* With an image loaded, add and load are refused until unload. */
static void test_driver_core_busy_while_loaded(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	load_image();
	assert_int_equal(add("x", elf_bytes, sizeof(elf_bytes)),
			 FLANK_E_LOADED);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_LOADED);
	assert_int_equal(vmm.links, 1);
}

/* Unload of staged-only modules drops them and frees their bytes. */
static void test_driver_core_unload_staged(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	assert_int_equal(add("a", elf_bytes, sizeof(elf_bytes)), FLANK_OK);
	assert_int_equal(add("b", elf_bytes, sizeof(elf_bytes)), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_UNLOAD, &c), FLANK_OK);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
	assert_int_equal(fake.allocs, 0);
}

/* A loader error comes back with its text; the staged modules are gone. */
static void test_driver_core_link_error(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	vmm.link_rc = FLANK_E_ELF;
	assert_int_equal(add("vmm.elf", elf_bytes, sizeof(elf_bytes)),
			 FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_ELF);
	assert_int_equal(c.err.source, FLANK_SRC_LOADER);
	assert_int_equal(c.err.detail, 42);
	assert_string_equal(c.err.text, "module vmm.elf: fake loader error");
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
	assert_int_equal(core.nmods, 0);
	assert_int_equal(vmm.inits, 0);
	assert_non_null(strstr(fake.last_log, "load failed"));
}

/* An image built for another image ABI is refused and unlinked. */
static void test_driver_core_bad_abi_version(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	/* An image of the previous ABI (8: the debug ring not hidden). */
	vmm.entry.abi_version = FLANK_IMAGE_ABI_VERSION - 1;
	assert_int_equal(add("vmm.elf", elf_bytes, sizeof(elf_bytes)),
			 FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_ABI_VERSION);
	assert_non_null(strstr(c.err.text, "image ABI 8, this driver 9"));
	assert_int_equal(vmm.unlinks, 1);
	assert_int_equal(vmm.inits, 0);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
	assert_int_equal(flank_status_errno(FLANK_E_ABI_VERSION), -EPROTO);
}

/* A short entry table, a NULL function, or no table are bad entries. */
static void test_driver_core_bad_entry(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	vmm.entry.size = 16;
	assert_int_equal(add("v", elf_bytes, sizeof(elf_bytes)), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_BAD_ENTRY);
	assert_non_null(strstr(c.err.text, "16 bytes"));

	fake_vmm_reset();
	vmm.entry.ring_read = NULL;
	assert_int_equal(add("v", elf_bytes, sizeof(elf_bytes)), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_BAD_ENTRY);
	assert_non_null(strstr(c.err.text, "NULL function"));

	fake_vmm_reset();
	vmm.null_entry = true;
	assert_int_equal(add("v", elf_bytes, sizeof(elf_bytes)), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_BAD_ENTRY);
	assert_non_null(strstr(c.err.text, "exports no 'flank_image_entry'"));
	assert_int_equal(vmm.unlinks, 1);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
}

/*
 * The VMM refusing init carries the status's sentence to the user: the
 * driver's own (core/vmm_texts.c, libvmm's list), since the image names its
 * statuses only; for a status beyond the driver's list (a newer image), the
 * image's status_str.
 */
static void test_driver_core_init_fails(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	vmm.init_rc = 3; /* VMM_ERR_VMX_DISABLED_FIRMWARE */
	assert_int_equal(add("v", elf_bytes, sizeof(elf_bytes)), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_VMM);
	assert_int_equal(c.err.source, FLANK_SRC_VMM);
	assert_int_equal(c.err.detail, 3);
	assert_string_equal(
		c.err.text,
		"the VMM refused to initialise: VT-x is disabled in "
		"firmware: enable 'Intel Virtualization "
		"Technology' in the BIOS setup");
	assert_int_equal(vmm.unlinks, 1);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);

	vmm.init_rc = 200;
	assert_int_equal(add("v", elf_bytes, sizeof(elf_bytes)), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_VMM);
	assert_int_equal(c.err.detail, 200);
	assert_string_equal(c.err.text,
			    "the VMM refused to initialise: fake VMM error");
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
}

/* On a CPU without VT-x start is refused by the driver, image untouched. */
static void test_driver_core_start_no_vmx(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	fake_no_vmx();
	load_image();
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_NO_VMX);
	assert_non_null(strstr(c.err.text, "CPUID.1:ECX.VMX[bit 5] is 0 on "
					   "CPU 0 (AuthenticAMD): no Intel "
					   "VT-x"));
	assert_int_equal(vmm.starts, 0);
	assert_int_equal(core.state, FLANK_DRV_LOADED);
	assert_non_null(strstr(fake.last_log, "start refused"));
	assert_int_equal(flank_status_errno(FLANK_E_NO_VMX), -ENODEV);
}

/* VT-x locked off by firmware is refused with what to do about it. */
static void test_driver_core_start_vmx_disabled_in_bios(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	fake.probe[2].feature_control = 0x1; /* Locked, VMX off. */
	load_image();
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_NO_VMX);
	assert_non_null(strstr(c.err.text, "disabled in firmware"));
	assert_non_null(strstr(c.err.text, "CPU 2"));
	assert_non_null(strstr(c.err.text, "BIOS"));
	assert_int_equal(vmm.starts, 0);
}

/* Another hypervisor holding VT-x (CR4.VMXE set) is detected. */
static void test_driver_core_start_vmx_in_use(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	fake.probe[1].cr4 |= 1ull << 13;
	load_image();
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_NO_VMX);
	assert_non_null(strstr(c.err.text, "CR4.VMXE is already set on CPU 1"));
}

/*
 * A kernel that uses FRED (CR4.FRED, bit 32; Linux 6.9+ on CPUs with FRED)
 * is refused, by check and by start, naming FRED and what to do (issue 14
 * item 9): the VMM's safe RDMSR/WRMSR use a private IDT, which FRED
 * ignores, and the VMCS it builds holds no FRED state.
 */
static void test_driver_core_start_refuses_fred(void **state)
{
	struct flank_ioc_check chk;
	struct flank_ioc_cmd c;

	(void)state;
	fake.probe[2].cr4 |= 1ull << 32;
	memset(&chk, 0, sizeof(chk));
	assert_int_equal(ioc(FLANK_IOC_CHECK, &chk), FLANK_OK);
	assert_int_equal(chk.host.count, 5);
	assert_int_equal(chk.host.failed, 1);
	assert_string_equal(chk.host.item[4].name, "fred");
	assert_int_equal(chk.host.item[4].status, FLANK_E_UNSUPPORTED);
	assert_string_equal(chk.host.item[4].text,
			    "CR4.FRED is set on CPU 2: this kernel uses FRED "
			    "(Flexible Return and Event Delivery), which Flank "
			    "does not support yet; boot with fred=off");
	load_image();
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_UNSUPPORTED);
	assert_int_equal(c.err.code, FLANK_E_UNSUPPORTED);
	assert_non_null(strstr(c.err.text, "CR4.FRED is set on CPU 2"));
	assert_non_null(strstr(c.err.text, "fred=off"));
	assert_int_equal(vmm.starts, 0);
	assert_int_equal(core.state, FLANK_DRV_LOADED);
	assert_int_equal(flank_status_errno(FLANK_E_UNSUPPORTED), -EOPNOTSUPP);
	/* CR4.FRED clear again (fred=off): the item passes, start works. */
	fake.probe[2].cr4 &= ~(1ull << 32);
	assert_int_equal(ioc(FLANK_IOC_CHECK, &chk), FLANK_OK);
	assert_int_equal(chk.host.failed, 0);
	assert_int_equal(chk.host.item[4].status, FLANK_OK);
	assert_non_null(strstr(chk.host.item[4].text, "CR4.FRED is clear"));
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_OK);
}

/* A start failing on CPU 1 is reported with that CPU; nothing runs. */
static void test_driver_core_start_fails_on_cpu(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	vmm.start_rc = 9; /* VMM_ERR_FIXED_BITS */
	vmm.fail_cpu = 1;
	load_image();
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_VMM);
	assert_int_equal(c.err.cpu, 1);
	assert_int_equal(c.err.detail, 9);
	assert_non_null(strstr(c.err.text, "start failed on CPU 1: the running "
					   "kernel's CR0/CR4 cannot satisfy "
					   "the VMX fixed bits"));
	assert_int_equal(fake_vmm_running(), 0);
	assert_int_equal(core.state, FLANK_DRV_LOADED);
}

/* A failed stop makes the driver CORRUPT: nothing is freed, ever. */
static void test_driver_core_stop_fails(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	start_image();
	vmm.stop_rc = 5;
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_E_VMM);
	assert_int_equal(core.state, FLANK_DRV_CORRUPT);
	assert_non_null(strstr(c.err.text, "stay in memory until reboot"));
	assert_int_equal(cmd(FLANK_IOC_UNLOAD, &c), FLANK_E_CORRUPT);
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_CORRUPT);
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_E_CORRUPT);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_CORRUPT);
	flank_core_fini(&core);
	assert_int_equal(vmm.unlinks, 0);
	assert_int_equal(vmm.finis, 0);
	assert_non_null(strstr(fake.last_log, "leaked on purpose"));
	/* The debug ring is leaked with the image: a CPU may write it. */
	assert_non_null(strstr(fake.last_log, "64 KiB debug ring"));
	assert_int_equal(vmm.ring_frees, 0);
	assert_ptr_equal(core.ring_mem, vmm.ring);
}

/*
 * Entering CORRUPT pins the module (issue 14 item 5): a CPU may still run
 * under the image, which calls back into flank.ko, so rmmod must fail.
 * Nothing that happens afterwards pins it a second time.
 */
static void test_driver_core_stop_fails_pins_module(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	start_image();
	assert_int_equal(fake.pins, 0);
	vmm.stop_rc = 5;
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_E_VMM);
	assert_int_equal(core.state, FLANK_DRV_CORRUPT);
	assert_int_equal(fake.pins, 1);
	assert_non_null(strstr(c.err.text, "rmmod is refused"));
	assert_non_null(strstr(fake.last_log, "\"Module flank is in use\""));
	/* Every later attempt fails again, none pins again. */
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_E_CORRUPT);
	assert_int_equal(cmd(FLANK_IOC_UNLOAD, &c), FLANK_E_CORRUPT);
	flank_core_quiesce(&core, "reboot");
	assert_int_equal(flank_core_cpu_offline(&core, 1), FLANK_OK);
	flank_core_fini(&core);
	assert_int_equal(fake.pins, 1);
}

/* Every other way into CORRUPT pins the module exactly once too. */
static void test_driver_core_corrupt_pins_once(void **state)
{
	(void)state;
	/* A CPU going offline that cannot be devirtualised. */
	start_image();
	vmm.cpu_rc = 3;
	assert_int_equal(flank_core_cpu_offline(&core, 2), FLANK_E_VMM);
	assert_int_equal(core.state, FLANK_DRV_CORRUPT);
	assert_int_equal(fake.pins, 1);
	assert_int_equal(flank_core_cpu_offline(&core, 3), FLANK_OK);
	assert_int_equal(fake.pins, 1);
	assert_int_equal(vmm.stops, 0);
	teardown(NULL);
	/* Module unload where the running VMM refuses to stop. */
	(void)setup(NULL);
	start_image();
	vmm.stop_rc = 5;
	flank_core_fini(&core);
	assert_int_equal(core.state, FLANK_DRV_CORRUPT);
	assert_int_equal(fake.pins, 1);
	teardown(NULL);
	/* Module unload where the loaded VMM refuses fini. */
	(void)setup(NULL);
	load_image();
	vmm.fini_rc = 4;
	flank_core_fini(&core);
	assert_int_equal(core.state, FLANK_DRV_CORRUPT);
	assert_int_equal(fake.pins, 1);
}

/* A CPU going offline is stopped, one coming online is started. */
static void test_driver_core_hotplug(void **state)
{
	(void)state;
	/* Nothing runs: hotplug is a no-op. */
	assert_int_equal(flank_core_cpu_offline(&core, 3), FLANK_OK);
	start_image();
	fake.current_cpu = 0;
	assert_int_equal(flank_core_cpu_offline(&core, 3), FLANK_OK);
	assert_false(vmm.running[3]);
	fake.online[3] = false;
	assert_int_equal(fake_vmm_running(), 3);
	fake.online[3] = true;
	assert_int_equal(flank_core_cpu_online(&core, 3), FLANK_OK);
	assert_true(vmm.running[3]);
}

/* A CPU that cannot be virtualised is refused online; offline failure
 * makes the driver CORRUPT. */
static void test_driver_core_hotplug_failures(void **state)
{
	(void)state;
	start_image();
	vmm.cpu_rc = 3;
	assert_int_equal(flank_core_cpu_online(&core, 2), FLANK_E_VMM);
	assert_non_null(strstr(fake.last_log, "refusing to online it"));
	assert_int_equal(core.state, FLANK_DRV_RUNNING);
	assert_int_equal(flank_core_cpu_offline(&core, 2), FLANK_E_VMM);
	assert_int_equal(core.state, FLANK_DRV_CORRUPT);
}

/* Reboot or suspend stops a running VMM; otherwise nothing happens. */
static void test_driver_core_quiesce(void **state)
{
	(void)state;
	flank_core_quiesce(&core, "reboot");
	assert_int_equal(vmm.stops, 0);
	start_image();
	flank_core_quiesce(&core, "suspend");
	assert_int_equal(vmm.stops, 1);
	assert_int_equal(core.state, FLANK_DRV_LOADED);
	assert_int_equal(fake_vmm_running(), 0);
}

/*
 * The PM notifier (issue 14 item 13): every *_PREPARE stops a running VMM
 * and blocks START until the matching POST_*, which allows it again.
 * RESTORE_PREPARE is the boot kernel about to jump into a hibernation
 * image: VMX must be off then as well.
 */
static const struct {
	unsigned long prepare, post;
} pm_pairs[] = {
	{FLANK_PM_SUSPEND_PREPARE, FLANK_PM_POST_SUSPEND},
	{FLANK_PM_HIBERNATION_PREPARE, FLANK_PM_POST_HIBERNATION},
	{FLANK_PM_RESTORE_PREPARE, FLANK_PM_POST_RESTORE},
};

/* Each *_PREPARE stops the VMM, START is refused, POST_* allows it. */
static void test_driver_core_pm_prepare_stops_and_blocks_start(void **state)
{
	struct flank_ioc_cmd c;
	size_t i;

	for (i = 0; i < sizeof(pm_pairs) / sizeof(pm_pairs[0]); i++) {
		if (i) {
			assert_int_equal(teardown(state), 0);
			assert_int_equal(setup(state), 0);
		}
		start_image();
		flank_core_pm(&core, pm_pairs[i].prepare);
		assert_int_equal(vmm.stops, 1);
		assert_int_equal(core.state, FLANK_DRV_LOADED);
		assert_int_equal(fake_vmm_running(), 0);
		assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_SUSPENDING);
		assert_int_equal(c.err.code, FLANK_E_SUSPENDING);
		assert_non_null(strstr(c.err.text, "after resume"));
		assert_int_equal(vmm.starts, 1);
		assert_int_equal(core.state, FLANK_DRV_LOADED);
		/* Loading, unloading and reading state are not blocked. */
		assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_E_NOT_RUNNING);
		flank_core_pm(&core, pm_pairs[i].post);
		assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_OK);
		assert_int_equal(vmm.starts, 2);
		assert_int_equal(fake_vmm_running(), 4);
	}
}

/* A *_PREPARE with nothing running stops nothing but still blocks START. */
static void test_driver_core_pm_prepare_when_loaded(void **state)
{
	struct flank_ioc_cmd c;
	size_t i;

	(void)state;
	load_image();
	for (i = 0; i < sizeof(pm_pairs) / sizeof(pm_pairs[0]); i++) {
		flank_core_pm(&core, pm_pairs[i].prepare);
		assert_int_equal(vmm.stops, 0);
		assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_SUSPENDING);
		assert_int_equal(vmm.starts, 0);
		flank_core_pm(&core, pm_pairs[i].post);
	}
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_OK);
	/* No image at all: the suspend is noted all the same. */
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_UNLOAD, &c), FLANK_OK);
	flank_core_pm(&core, FLANK_PM_SUSPEND_PREPARE);
	load_image();
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_SUSPENDING);
	flank_core_pm(&core, FLANK_PM_POST_SUSPEND);
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_OK);
}

/* Other notifier actions change nothing; the lock is balanced. */
static void test_driver_core_pm_other_events(void **state)
{
	static const unsigned long other[] = {0, 7, 8, 0x1000, ~0ul};
	size_t i;

	(void)state;
	start_image();
	for (i = 0; i < sizeof(other) / sizeof(other[0]); i++)
		flank_core_pm(&core, other[i]);
	/* A POST_* without its PREPARE (a failed chain) is harmless. */
	flank_core_pm(&core, FLANK_PM_POST_RESTORE);
	assert_int_equal(vmm.stops, 0);
	assert_int_equal(core.state, FLANK_DRV_RUNNING);
	assert_int_equal(fake.lock_depth, 0);
	assert_int_equal(fake.lock_errors, 0);
}

/* A stop that fails at suspend makes the driver CORRUPT, pinned once. */
static void test_driver_core_pm_stop_fails(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	start_image();
	vmm.stop_rc = 5;
	flank_core_pm(&core, FLANK_PM_HIBERNATION_PREPARE);
	assert_int_equal(core.state, FLANK_DRV_CORRUPT);
	assert_int_equal(fake.pins, 1);
	flank_core_pm(&core, FLANK_PM_POST_HIBERNATION);
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_CORRUPT);
}

/* Module unload while running stops, finalises and unlinks the image. */
static void test_driver_core_fini_running(void **state)
{
	(void)state;
	start_image();
	flank_core_fini(&core);
	assert_int_equal(vmm.stops, 1);
	assert_int_equal(vmm.finis, 1);
	assert_int_equal(vmm.unlinks, 1);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
	assert_int_equal(fake_vmm_running(), 0);
}

/* Module unload when the VMM refuses fini leaks instead of freeing. */
static void test_driver_core_fini_refused(void **state)
{
	(void)state;
	load_image();
	vmm.fini_rc = 4;
	flank_core_fini(&core);
	assert_int_equal(vmm.unlinks, 0);
	assert_int_equal(core.state, FLANK_DRV_CORRUPT);
	assert_int_equal(vmm.ring_frees, 0);
	assert_ptr_equal(core.ring_mem, vmm.ring);
}

/* Unload refused by the VMM keeps the image loaded and says why. */
static void test_driver_core_unload_refused(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	load_image();
	vmm.fini_rc = 3;
	assert_int_equal(cmd(FLANK_IOC_UNLOAD, &c), FLANK_E_VMM);
	assert_non_null(strstr(c.err.text, "refused to unload"));
	assert_int_equal(core.state, FLANK_DRV_LOADED);
	vmm.fini_rc = 0;
	assert_int_equal(cmd(FLANK_IOC_UNLOAD, &c), FLANK_OK);
}

/* Per-CPU status and statistics validate the CPU and need an image. */
static void test_driver_core_cpu_status_and_stats(void **state)
{
	struct flank_ioc_cpu_status cs;
	struct flank_ioc_stats st;

	(void)state;
	memset(&cs, 0, sizeof(cs));
	assert_int_equal(ioc(FLANK_IOC_CPU_STATUS, &cs), FLANK_E_NOT_LOADED);
	start_image();
	cs.cpu = 4;
	assert_int_equal(ioc(FLANK_IOC_CPU_STATUS, &cs), FLANK_E_BAD_CPU);
	assert_string_equal(cs.err.text, "no CPU 4: this machine has CPUs 0-3");
	assert_int_equal(cs.err.cpu, 4);
	vmm.exits[2] = 1234;
	fake.online[1] = false;
	cs.cpu = 2;
	assert_int_equal(ioc(FLANK_IOC_CPU_STATUS, &cs), FLANK_OK);
	assert_int_equal(cs.status.cpu, 2);
	assert_int_equal(cs.status.running, 1);
	assert_int_equal(cs.status.exits, 1234);
	assert_int_equal(cs.online, 1);
	assert_int_equal(cs.status.cr4, 0x3626f0); /* the VMM's: running */
	cs.cpu = 1;
	assert_int_equal(ioc(FLANK_IOC_CPU_STATUS, &cs), FLANK_OK);
	assert_int_equal(cs.online, 0);
	memset(&st, 0, sizeof(st));
	st.cpu = UINT32_MAX;
	assert_int_equal(ioc(FLANK_IOC_STATS, &st), FLANK_E_BAD_CPU);
	st.cpu = 2;
	assert_int_equal(ioc(FLANK_IOC_STATS, &st), FLANK_OK);
	assert_int_equal(st.stats.count[10], 1234);
	assert_int_equal(st.stats.count[31], 2);
	/* The VMM's own error for a CPU it does not know. */
	fake.ncpus = 9;
	fake.online[8] = false;
	st.cpu = 8;
	assert_int_equal(ioc(FLANK_IOC_STATS, &st), FLANK_E_VMM);
	cs.cpu = 8;
	assert_int_equal(ioc(FLANK_IOC_CPU_STATUS, &cs), FLANK_E_VMM);
	assert_non_null(
		strstr(cs.err.text, "a VMX capability MSR cannot be read"));
	fake.ncpus = 4;
}

/* A CPU the VMM does not run reports the CR4 read on that CPU, not the
 * VMM's record: a CR4.VMXE left set after stop would show. */
static void test_driver_core_cpu_status_live_cr4(void **state)
{
	struct flank_ioc_cpu_status cs;
	struct flank_ioc_cmd c;

	(void)state;
	start_image();
	memset(&c, 0, sizeof(c));
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_OK);
	fake.probe[2].cr4 = 0x3626f0; /* VMXE still set on CPU 2 */
	memset(&cs, 0, sizeof(cs));
	cs.cpu = 2;
	assert_int_equal(ioc(FLANK_IOC_CPU_STATUS, &cs), FLANK_OK);
	assert_int_equal(cs.status.running, 0);
	assert_int_equal(cs.status.cr4, 0x3626f0);
	fake.probe[2].cr4 = 0x3606f0;
	assert_int_equal(ioc(FLANK_IOC_CPU_STATUS, &cs), FLANK_OK);
	assert_int_equal(cs.status.cr4, 0x3606f0);
}

/* Dump validates its buffer and what the VMM claims to have copied. */
static void test_driver_core_dump(void **state)
{
	struct flank_ioc_dump d;
	char buf[64];

	(void)state;
	memset(&d, 0, sizeof(d));
	d.buf = (uintptr_t)buf;
	d.len = sizeof(buf);
	assert_int_equal(ioc(FLANK_IOC_DUMP, &d), FLANK_E_NOT_LOADED);
	load_image();
	d.len = 0;
	assert_int_equal(ioc(FLANK_IOC_DUMP, &d), FLANK_E_INVAL);
	d.len = FLANK_DUMP_MAX_BYTES + 1;
	assert_int_equal(ioc(FLANK_IOC_DUMP, &d), FLANK_E_TOO_BIG);
	d.len = 10;
	memset(buf, 0, sizeof(buf));
	assert_int_equal(ioc(FLANK_IOC_DUMP, &d), FLANK_OK);
	assert_int_equal(d.copied, 10);
	assert_int_equal(d.pos, 10);
	assert_memory_equal(buf, "flank: vmx", 10);
	d.len = sizeof(buf);
	assert_int_equal(ioc(FLANK_IOC_DUMP, &d), FLANK_OK);
	assert_int_equal(d.copied, 27);
	assert_int_equal(ioc(FLANK_IOC_DUMP, &d), FLANK_OK);
	assert_int_equal(d.copied, 0);
	d.pos = 0;
	d.buf = FAKE_BAD_ADDR;
	assert_int_equal(ioc(FLANK_IOC_DUMP, &d), FLANK_E_FAULT);
	assert_int_equal(d.pos, 0); /* Undelivered text is not skipped. */
	d.buf = (uintptr_t)buf;
	d.len = 4;
	vmm.ring_extra = 100;
	assert_int_equal(ioc(FLANK_IOC_DUMP, &d), FLANK_E_VMM);
	assert_non_null(strstr(d.err.text, "returned 104 bytes for a 4-byte"));
}

/*
 * No user memory is touched while the driver holds its lock (and, in the
 * kernel, the CPU hotplug lock): the module bytes of ADD_MODULE are copied
 * in before it, the text of DUMP copied out after it (issue #15).
 */
static void test_driver_core_no_user_copy_under_lock(void **state)
{
	struct flank_ioc_dump d;
	char buf[64];

	(void)state;
	load_image();
	assert_int_equal(fake.user_copies_locked, 0);
	memset(&d, 0, sizeof(d));
	d.buf = (uintptr_t)buf;
	d.len = sizeof(buf);
	assert_int_equal(ioc(FLANK_IOC_DUMP, &d), FLANK_OK);
	assert_true(d.copied > 0);
	assert_int_equal(fake.user_copies_locked, 0);
}

/*
 * Staged modules belong to the open file that added them (issue #15):
 * another file neither sees nor loads them, and closing the file frees
 * them; the file that staged them still loads.
 */
static void test_driver_core_staging_per_file(void **state)
{
	struct flank_file other;
	struct flank_ioc_status st;
	struct flank_ioc_cmd c;

	(void)state;
	flank_core_open(&core, &other);
	assert_int_equal(add("vmm.elf", elf_bytes, sizeof(elf_bytes)),
			 FLANK_OK);
	/* The other file: nothing staged, nothing to load. */
	memset(&c, 0, sizeof(c));
	assert_int_equal(flank_core_ioctl(&core, &other, FLANK_IOC_LOAD,
					  (uint64_t)(uintptr_t)&c),
			 FLANK_E_NO_MODULES);
	memset(&st, 0, sizeof(st));
	assert_int_equal(flank_core_ioctl(&core, &other, FLANK_IOC_STATUS,
					  (uint64_t)(uintptr_t)&st),
			 FLANK_OK);
	assert_int_equal(st.state, FLANK_DRV_EMPTY);
	assert_int_equal(st.module_count, 0);
	/* The file that staged: STAGED, one module. */
	memset(&st, 0, sizeof(st));
	assert_int_equal(ioc(FLANK_IOC_STATUS, &st), FLANK_OK);
	assert_int_equal(st.state, FLANK_DRV_STAGED);
	assert_int_equal(st.module_count, 1);
	/* Closing the file frees what it staged. */
	flank_core_release(&core, &file);
	assert_int_equal(fake.allocs, 0);
	flank_core_open(&core, &file);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_NO_MODULES);
	/* Staged again, the same file loads; the other still has nothing. */
	assert_int_equal(add("vmm.elf", elf_bytes, sizeof(elf_bytes)),
			 FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_OK);
	assert_int_equal(core.state, FLANK_DRV_LOADED);
	memset(&st, 0, sizeof(st));
	assert_int_equal(flank_core_ioctl(&core, &other, FLANK_IOC_STATUS,
					  (uint64_t)(uintptr_t)&st),
			 FLANK_OK);
	assert_int_equal(st.state, FLANK_DRV_LOADED);
	assert_int_equal(st.module_count, 1);
	flank_core_release(&core, &other);
}

/* Check without an image: the driver's own items on every CPU. */
static void test_driver_core_check_host(void **state)
{
	struct flank_ioc_check c;

	(void)state;
	memset(&c, 0, sizeof(c));
	assert_int_equal(ioc(FLANK_IOC_CHECK, &c), FLANK_OK);
	assert_int_equal(c.image_ran, 0);
	assert_int_equal(c.host.count, 5);
	assert_int_equal(c.host.failed, 0);
	assert_string_equal(c.host.item[0].name, "vmx-cpuid");
	assert_string_equal(c.host.item[3].text,
			    "4 of 4 possible CPUs online, all probed");
	fake_no_vmx();
	fake.online[3] = false;
	assert_int_equal(ioc(FLANK_IOC_CHECK, &c), FLANK_OK);
	assert_int_equal(c.host.failed, 1);
	assert_int_equal(c.host.item[0].status, FLANK_E_NO_VMX);
	assert_non_null(strstr(c.host.item[0].text, "AuthenticAMD"));
	assert_string_equal(c.host.item[1].text, "not checked: no VT-x");
	assert_string_equal(c.host.item[3].text,
			    "3 of 4 possible CPUs online, all probed");
	/* Under a hypervisor, the advice is to enable nested VT-x. */
	fake.probe[0].cpuid1_ecx = 1u << 31;
	assert_int_equal(ioc(FLANK_IOC_CHECK, &c), FLANK_OK);
	assert_non_null(strstr(c.host.item[0].text, "nested"));
	/* IA32_FEATURE_CONTROL unreadable on a VT-x CPU. */
	fake_reset(2);
	fake.probe[1].fc_readable = 0;
	assert_int_equal(ioc(FLANK_IOC_CHECK, &c), FLANK_OK);
	assert_int_equal(c.host.item[1].status, FLANK_E_NO_VMX);
	assert_non_null(strstr(c.host.item[1].text, "cannot be read on CPU 1"));
}

/* A CPU that vanishes while probed fails the "cpus" item. */
static void test_driver_core_check_cpu_vanishes(void **state)
{
	struct flank_ioc_check c;

	(void)state;
	fake.ncpus = 0;
	memset(&c, 0, sizeof(c));
	assert_int_equal(ioc(FLANK_IOC_CHECK, &c), FLANK_OK);
	assert_int_equal(c.host.item[3].status, FLANK_E_CPU_CALL);
	assert_string_equal(c.host.item[3].text, "probed 0 of 0 online CPUs");
	fake.ncpus = 4;
}

/* Check with an image adds the image's report, strings terminated. */
static void test_driver_core_check_image(void **state)
{
	struct flank_ioc_check c;

	(void)state;
	load_image();
	memset(&c, 0, sizeof(c));
	assert_int_equal(ioc(FLANK_IOC_CHECK, &c), FLANK_OK);
	assert_int_equal(c.image_ran, 1);
	assert_int_equal(c.image.count, 3);
	assert_string_equal(c.image.item[2].name, "fake-2");
	assert_int_equal(strlen(c.image.item[2].text),
			 sizeof(c.image.item[2].text) - 1);
	/* A malformed report is an error, not passed on. */
	vmm.check_count = FLANK_CHECK_MAX_ITEMS + 1;
	assert_int_equal(ioc(FLANK_IOC_CHECK, &c), FLANK_E_VMM);
	assert_non_null(strstr(c.err.text, "malformed report"));
	/* A VMM that fails without a report: its text. */
	vmm.check_count = 0;
	vmm.check_rc = 3; /* VMM_ERR_VMX_DISABLED_FIRMWARE */
	assert_int_equal(ioc(FLANK_IOC_CHECK, &c), FLANK_E_VMM);
	assert_string_equal(c.err.text,
			    "check: VT-x is disabled in firmware: enable "
			    "'Intel Virtualization Technology' in the BIOS "
			    "setup");
	/* CPU 0 offline: the check cannot run. */
	fake.online[0] = false;
	assert_int_equal(ioc(FLANK_IOC_CHECK, &c), FLANK_E_CPU_CALL);
}

/* The platform table forwards to the kernel services, bounds logs and
 * carries the serial settings and the debug ring (module parameters), and
 * the kernel's speculation mitigations. */
static void test_driver_core_platform_table(void **state)
{
	const struct flank_platform *p;
	char longline[400];
	uint64_t pa = 0;
	void *page;

	(void)state;
	core.serial_port = 0x2f8;
	core.serial_baud = 38400;
	core.serial_flags = FLANK_SERIAL_PCI;
	vmm.real_ring = true;
	load_image();
	p = vmm.platform;
	assert_int_equal(p->abi_version, FLANK_IMAGE_ABI_VERSION);
	assert_int_equal(p->abi_version, 9);
	/* The VMM's pages hidden from the guest (docs/ept.md). */
	assert_int_equal(p->hide,
			 FLANK_HIDE_EPT | FLANK_HIDE_CPUS | FLANK_HIDE_RING);
	assert_int_equal(p->reserved_hide, 0);
	assert_non_null(p->cpu_left);
	assert_non_null(p->host_stack);
	/* Each stack's physical address, for hiding it (docs/ept.md). */
	assert_non_null(p->host_stack_pa);
	assert_int_equal(p->host_stack_pa(p->ctx, 1),
			 (uintptr_t)p->host_stack(p->ctx, 1));
	assert_int_equal(p->host_stack_pa(p->ctx, 99), 0);
	assert_non_null(p->ring_mem);
	assert_ptr_equal(p->ring_mem, core.ring_mem);
	/* The ring's pages' physical addresses (FLANK_HIDE_RING), and none
	 * for an address outside it. */
	assert_non_null(p->mem_pa);
	assert_int_equal(p->mem_pa(p->ctx, (const uint8_t *)p->ring_mem + 4096),
			 ((uintptr_t)p->ring_mem + 4096) & ~(uintptr_t)0xFFF);
	assert_int_equal(
		p->mem_pa(p->ctx, (const uint8_t *)p->ring_mem + p->ring_size),
		0);
	assert_int_equal(p->mem_pa(p->ctx, &core), 0);
	assert_int_equal(p->ring_size, FLANK_RING_DEFAULT_SIZE);
	assert_int_equal(p->ring_size, 64 * 1024);
	assert_int_equal(p->size, sizeof(*p));
	assert_int_equal(p->host_cr3, fake_ops.host_cr3);
	assert_int_equal(p->host_cr3 & 0x1fff, 0); /* PTI: bit 12 clear. */
	assert_int_equal(p->serial_port, 0x2f8);
	assert_int_equal(p->serial_baud, 38400);
	assert_int_equal(p->serial_flags, FLANK_SERIAL_PCI);
	/* The kernel's mitigations, as kplat.c read them at module load. */
	assert_int_equal(p->spec_flags, FLANK_SPEC_RSB_VMEXIT |
						FLANK_SPEC_CLEAR_CPU_BUF |
						FLANK_SPEC_KERNEL_IBRS);
	assert_int_equal(p->verw_sel, 0x18);
	assert_int_equal(p->reserved16, 0);
	assert_int_equal(p->cpu_count(p->ctx), 4);
	page = p->page_alloc(p->ctx, &pa);
	assert_non_null(page);
	assert_int_equal(pa, (uintptr_t)page);
	assert_int_equal(fake.pages, 1);
	p->page_free(p->ctx, page);
	assert_int_equal(fake.pages, 0);
	assert_true(p->run_on_cpu(p->ctx, 7, NULL, NULL) < 0);
	/* phys_copy forwards to the kernel op, which copies within RAM
	 * only (the fake's one page) and refuses anything else. */
	assert_non_null(p->phys_copy);
	memcpy(longline, "guest", 6);
	assert_int_equal(p->phys_copy(p->ctx, FAKE_RAM_PA + 8, longline, 6, 1),
			 0);
	assert_string_equal((const char *)fake.ram + 8, "guest");
	memset(longline, 0, 8);
	assert_int_equal(p->phys_copy(p->ctx, FAKE_RAM_PA + 8, longline, 6, 0),
			 0);
	assert_string_equal(longline, "guest");
	assert_int_equal(p->phys_copy(p->ctx, FAKE_RAM_PA - 8, longline, 8, 0),
			 -1);
	assert_int_equal(fake.phys_copies, 2);
	memset(longline, 'y', sizeof(longline));
	longline[sizeof(longline) - 1] = '\0';
	/* The image's line arrives as its ring record: bounded there (232
	 * bytes, VMM_RING_TEXT_MAX) and marked, at its level. */
	fake_vmm_log(0, FLANK_LOG_WARN, longline, false);
	assert_int_equal(strncmp(fake.last_log, "vmm: yyy", 8), 0);
	assert_int_equal(strlen(fake.last_log),
			 5 + VMM_RING_TEXT_MAX + strlen(" [truncated]"));
	assert_int_equal(fake.log_level[fake.log_lines - 1], FLANK_LOG_WARN);
}

/*
 * Issue #14 item 7: what the image writes from VMX root (inside its exit
 * handler) goes only into the debug ring, never through the platform's log
 * (printk). The driver drains the ring to the kernel log from its own
 * cursor: after every ioctl, on the periodic poll, and whenever the image
 * logs outside root (the root lines before it come first). Each record
 * arrives once, at its level, in ring order; `flankctl dump` still gets
 * every record; a ring that overflowed between drains says so.
 */
static void test_driver_core_drains_root_lines(void **state)
{
	struct flank_ioc_status s;
	struct flank_ioc_dump d;
	char buf[4096];
	int n0, i, j;

	(void)state;
	vmm.real_ring = true;
	start_image();
	n0 = fake.log_lines;
	fake_vmm_log(1, FLANK_LOG_ERROR, "cpu 1: unhandled exit reason 0xc",
		     true);
	fake_vmm_log(1, FLANK_LOG_INFO, "leaving VMX on this CPU", true);
	assert_int_equal(fake.log_lines, n0); /* Nothing from VMX root. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(ioc(FLANK_IOC_STATUS, &s), FLANK_OK);
	i = fake_log_find("vmm: cpu 1: unhandled exit reason 0xc", n0);
	j = fake_log_find("vmm: leaving VMX on this CPU", n0);
	assert_true(i >= 0 && j == i + 1);
	assert_int_equal(fake.log_level[i], FLANK_LOG_ERROR);
	assert_int_equal(fake.log_level[j], FLANK_LOG_INFO);
	/* Exactly once: the next ioctl finds nothing new. */
	n0 = fake.log_lines;
	assert_int_equal(ioc(FLANK_IOC_STATUS, &s), FLANK_OK);
	assert_int_equal(fake.log_lines, n0);

	/* A line outside root drains the root line before it, then itself. */
	fake_vmm_log(0, FLANK_LOG_WARN, "root line", true);
	fake_vmm_log(0, FLANK_LOG_WARN, "start line", false);
	assert_int_equal(fake.log_lines, n0 + 2);
	assert_string_equal(fake.log[n0], "vmm: root line");
	assert_string_equal(fake.log[n0 + 1], "vmm: start line");

	/*
	 * Bounded in the image's log call (maybe interrupts off): at most
	 * FLANK_DRAIN_CALL_LINES there, the rest, in order and once, at the
	 * end of the ioctl.
	 */
	for (i = 0; i < 20; i++) {
		char line[32];

		snprintf(line, sizeof(line), "dump line %02d", i);
		fake_vmm_log(1, FLANK_LOG_INFO, line, true);
	}
	n0 = fake.log_lines;
	fake_vmm_log(1, FLANK_LOG_ERROR, "after the dump", false);
	assert_int_equal(fake.log_lines, n0 + (int)FLANK_DRAIN_CALL_LINES);
	assert_int_equal(ioc(FLANK_IOC_STATUS, &s), FLANK_OK);
	assert_int_equal(fake.log_lines, n0 + 21);
	for (i = 0; i < 20; i++) {
		char want[32];

		snprintf(want, sizeof(want), "vmm: dump line %02d", i);
		assert_string_equal(fake.log[n0 + i], want);
	}
	assert_string_equal(fake.log[n0 + 20], "vmm: after the dump");

	/* The periodic poll (main.c) drains too. */
	fake_vmm_log(2, FLANK_LOG_ERROR, "polled", true);
	flank_core_poll_log(&core);
	assert_string_equal(fake.last_log, "vmm: polled");
	assert_int_equal(fake.lock_errors, 0);

	/* The dump keeps its own position: it still has every record. */
	memset(&d, 0, sizeof(d));
	d.buf = (uintptr_t)buf;
	d.len = sizeof(buf) - 1;
	assert_int_equal(ioc(FLANK_IOC_DUMP, &d), FLANK_OK);
	buf[d.copied] = '\0';
	assert_non_null(strstr(buf, "] cpu1 error: cpu 1: unhandled exit"));
	assert_non_null(strstr(buf, "] cpu0 warn: root line"));
	assert_non_null(strstr(buf, "] cpu2 error: polled"));
}

/* Records overwritten before a drain reached them are named as lost. */
static void test_driver_core_drain_reports_lost(void **state)
{
	struct flank_ioc_status s;
	char line[32];

	(void)state;
	core.ring_kib = 8; /* 31 records. */
	vmm.real_ring = true;
	load_image();
	for (int i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "flood %d", i);
		fake_vmm_log(0, FLANK_LOG_ERROR, line, true);
	}
	memset(&s, 0, sizeof(s));
	assert_int_equal(ioc(FLANK_IOC_STATUS, &s), FLANK_OK);
	assert_true(fake_log_find("vmm: [lost 9 records] before the kernel "
				  "log got them",
				  0) >= 0);
	assert_true(fake_log_find("vmm: flood 9", 0) >= 0);
	assert_string_equal(fake.last_log, "vmm: flood 39");
}

/*
 * A CPU that the image gives back on its own (an exit it cannot handle)
 * continues the interrupted kernel at once, with the TR limit of 67H that
 * the exit loaded: the platform's cpu_left runs the kernel's
 * invalidate_tss_limit() on that CPU, and on no other, so that the next
 * ioperm() user there gets TR reloaded instead of #GP.
 */
static void test_driver_core_cpu_left_invalidates_tss(void **state)
{
	(void)state;
	start_image();
	memset(fake.tss_invalidated, 0, sizeof(fake.tss_invalidated));
	fake_vmm_leave_cpu(2);
	assert_int_equal(fake.tss_invalidated[2], 1);
	assert_int_equal(fake.tss_invalidated[0], 0);
	assert_int_equal(fake.tss_invalidated[1], 0);
	assert_int_equal(fake.tss_invalidated[3], 0);
	assert_int_equal(fake_vmm_running(), 3);
}

/*
 * Load allocates the debug ring before the image's init and hands it over
 * at the size ring_kib says; unload frees it only after fini returned.
 */
static void test_driver_core_ring_lifecycle(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	core.ring_kib = 8;
	load_image();
	assert_non_null(vmm.ring);
	assert_ptr_equal(vmm.ring, core.ring_mem);
	assert_int_equal(vmm.ring_size, 8 * 1024);
	assert_int_equal(fake.allocs, 2); /* The ring, the stack table. */
	assert_int_equal(cmd(FLANK_IOC_UNLOAD, &c), FLANK_OK);
	assert_int_equal(vmm.finis, 1);
	assert_int_equal(vmm.ring_frees_at_fini, 0);
	assert_int_equal(vmm.ring_frees, 1);
	assert_null(core.ring_mem);
	assert_int_equal(fake.allocs, 0);
	/* A second load gets a fresh ring of the (changed) size. */
	core.ring_kib = 1024;
	load_image();
	assert_int_equal(vmm.ring_size, 1024 * 1024);
	assert_int_equal(vmm.ring_frees, 0);
	/* Module unload (LOADED) frees it after fini too. */
	flank_core_fini(&core);
	assert_int_equal(vmm.finis, 2);
	assert_int_equal(vmm.ring_frees_at_fini, 0);
	assert_int_equal(vmm.ring_frees, 1);
	assert_int_equal(fake.allocs, 0);
}

/* A refused init, or no memory for the ring, leaves nothing allocated. */
static void test_driver_core_ring_load_failures(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	vmm.init_rc = 3;
	assert_int_equal(add("v", elf_bytes, sizeof(elf_bytes)), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_VMM);
	assert_int_equal(vmm.inits, 1);
	assert_non_null(vmm.ring);	     /* Allocated before init ran... */
	assert_int_equal(vmm.ring_frees, 1); /* ...and freed after it. */
	assert_null(core.ring_mem);
	assert_int_equal(fake.allocs, 0);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);

	/* The ring allocation fails: argument first, then the ring. */
	vmm.init_rc = 0;
	assert_int_equal(add("v", elf_bytes, sizeof(elf_bytes)), FLANK_OK);
	fake.alloc_fail_in = 2;
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_NO_MEMORY);
	assert_non_null(strstr(c.err.text, "64 KiB debug ring"));
	assert_non_null(strstr(c.err.text, "ring_kib"));
	assert_int_equal(vmm.inits, 1); /* Init never saw a NULL ring. */
	/* Before the link: no init array of a refused load runs (#15). */
	assert_int_equal(vmm.links, 1);
	assert_int_equal(vmm.unlinks, 1);
	assert_null(core.ring_mem);
	assert_int_equal(fake.allocs, 0);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
}

/*
 * ring_kib must be a power of two from 8 to 16384: the check main.c runs
 * at insmod, and load refuses a bad value before linking anything.
 */
static void test_driver_core_ring_kib_refused(void **state)
{
	static const uint32_t bad[] = {0, 1, 4, 7, 12, 100, 32768, 0xffffffffu};
	static const uint32_t good[] = {8, 16, 64, 128, 4096, 16384};
	struct flank_ioc_cmd c;
	size_t i;

	(void)state;
	for (i = 0; i < FLANK_ARRAY_SIZE(bad); i++) {
		assert_non_null(flank_ring_kib_check(bad[i]));
		assert_non_null(strstr(flank_ring_kib_check(bad[i]),
				       "power of two from 8 to 16384 KiB"));
	}
	for (i = 0; i < FLANK_ARRAY_SIZE(good); i++)
		assert_null(flank_ring_kib_check(good[i]));
	assert_int_equal(core.ring_kib, 64); /* The default. */

	core.ring_kib = 100;
	assert_int_equal(add("v", elf_bytes, sizeof(elf_bytes)), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_INVAL);
	assert_non_null(strstr(c.err.text, "ring_kib=100"));
	assert_int_equal(vmm.links, 0);
	assert_int_equal(vmm.inits, 0);
	assert_null(core.ring_mem);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
}

/*
 * HOST_CR3 must have bits 12:0 clear: under PTI an NMI in VMX root takes
 * bit 12 for the user half of the page-table pair and clears bits 12:11
 * (measured: a triple fault on Bochs). A platform reporting bit 12 or bit
 * 11 set is refused at load, before anything is linked or allocated, and
 * start then finds nothing loaded; an 8 KiB-aligned one reaches the image.
 */
static void test_driver_core_host_cr3_refused(void **state)
{
	static const uint64_t bad[] = {0x1fe8d000, 0x1fe8c800, 0x1000,
				       0x1fe8c001};
	static struct flank_core_ops ops;
	struct flank_ioc_cmd c;
	char want[64];
	size_t i;

	(void)state;
	ops = fake_ops;
	flank_core_init(&core, &ops, fake_link, fake_unlink);
	for (i = 0; i < FLANK_ARRAY_SIZE(bad); i++) {
		ops.host_cr3 = bad[i];
		assert_int_equal(add("vmm.elf", elf_bytes, sizeof(elf_bytes)),
				 FLANK_OK);
		assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_INVAL);
		assert_int_equal(c.err.code, FLANK_E_INVAL);
		assert_int_equal(c.err.source, FLANK_SRC_DRIVER);
		snprintf(want, sizeof(want), "HOST_CR3 %#llx is not 8 KiB",
			 (unsigned long long)bad[i]);
		assert_non_null(strstr(c.err.text, want));
		assert_non_null(strstr(c.err.text, "page-table isolation"));
		assert_non_null(strstr(fake.last_log, "load failed"));
		assert_int_equal(vmm.links, 0);
		assert_int_equal(vmm.inits, 0);
		assert_null(core.ring_mem);
		assert_int_equal(fake.allocs, 0);
		assert_int_equal(fake.image_maps, 0);
		assert_int_equal(core.state, FLANK_DRV_EMPTY);
		assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_NOT_LOADED);
		assert_int_equal(vmm.starts, 0);
	}
	/* Bit 12 clear (8 KiB aligned; bit 13 may be set): accepted. */
	ops.host_cr3 = 0x1fe8c000;
	start_image();
	assert_int_equal(vmm.platform->host_cr3, 0x1fe8c000);
	assert_int_equal(fake_vmm_running(), 4);
}

/*
 * Issue 14 item 6. A page the VMM got from page_alloc before START (here:
 * at init) that is not mapped in HOST_CR3 refuses START with
 * FLANK_E_UNMAPPED naming its address: no CPU starts, the state stays
 * LOADED. The copy is refreshed at every START (in place: HOST_CR3 keeps
 * its value), and once a refresh maps the page START works.
 */
static void test_driver_core_host_cr3_unmapped_page(void **state)
{
	struct flank_ioc_cmd c;
	char want[128];
	int i;

	(void)state;
	vmm.init_pages = 3;
	fake.unmap_alloc_in = 2;
	load_image();
	assert_int_equal(fake.pages, 3);
	assert_int_equal(core.nvmm_pages, 3);
	snprintf(want, sizeof(want),
		 "page at %#llx (physical %#llx, from page_alloc) is not "
		 "mapped",
		 (unsigned long long)fake.unmapped_va,
		 (unsigned long long)fake.unmapped_va);
	for (i = 1; i <= 2; i++) {
		assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_UNMAPPED);
		assert_int_equal(fake.refreshes, i);
		assert_int_equal(c.err.code, FLANK_E_UNMAPPED);
		assert_int_equal(c.err.source, FLANK_SRC_DRIVER);
		assert_non_null(strstr(c.err.text, "start refused: the VMM's"));
		assert_non_null(strstr(c.err.text, want));
		assert_non_null(strstr(c.err.text, "not mapped in HOST_CR3"));
		assert_non_null(
			strstr(c.err.text, "unload and load the image"));
		assert_non_null(strstr(fake.last_log, want));
		assert_int_equal(vmm.starts, 0);
		assert_int_equal(fake_vmm_running(), 0);
		assert_int_equal(core.state, FLANK_DRV_LOADED);
	}
	assert_int_equal(flank_status_errno(FLANK_E_UNMAPPED), -EADDRNOTAVAIL);
	/* The kernel's table has the page: the next refresh copies it. */
	fake.refresh_maps = true;
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_OK);
	assert_int_equal(fake.refreshes, 3);
	assert_int_equal(fake_vmm_running(), 4);
	assert_int_equal(vmm.platform->host_cr3, fake_ops.host_cr3);
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_UNLOAD, &c), FLANK_OK);
	assert_int_equal(fake.pages, 0);
	assert_int_equal(core.nvmm_pages, 0);
	assert_int_equal(fake.refreshes_live, 0);
}

/* The image's own pages and the debug ring are checked too, by index. */
static void test_driver_core_host_cr3_unmapped_image_ring(void **state)
{
	struct flank_ioc_cmd c;
	char want[80];
	uintptr_t va;

	(void)state;
	load_image();
	va = (uintptr_t)core.image.base + 4096;
	fake.unmapped_va = va;
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_UNMAPPED);
	snprintf(want, sizeof(want), "image page 1 at %#llx is not mapped",
		 (unsigned long long)va);
	assert_non_null(strstr(c.err.text, want));
	assert_int_equal(vmm.starts, 0);
	va = ((uintptr_t)core.ring_mem & ~(uintptr_t)0xfff) + 0x3000;
	fake.unmapped_va = va;
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_UNMAPPED);
	snprintf(want, sizeof(want), "debug ring page 3 at %#llx",
		 (unsigned long long)va);
	assert_non_null(strstr(c.err.text, want));
	assert_int_equal(vmm.starts, 0);
	assert_int_equal(fake.refreshes, 2);
	assert_int_equal(core.state, FLANK_DRV_LOADED);
	fake.unmapped_va = 0;
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_OK);
	assert_int_equal(fake_vmm_running(), 4);
}

/*
 * Pages allocated while a CPU may be in VMX root (inside start_all, after
 * the check) are checked one by one: the unmapped one is freed, the image
 * gets NULL and rolls back, and START names the page and the CPU. Nothing
 * runs, no page is left, and a START after a refresh that maps it works.
 */
static void test_driver_core_host_cr3_unmapped_at_start(void **state)
{
	struct flank_ioc_cmd c;
	char want[64];

	(void)state;
	vmm.cpu_pages = true;
	load_image();
	fake.unmap_alloc_in = 3; /* CPU 2's page. */
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_UNMAPPED);
	assert_int_equal(c.err.cpu, 2);
	snprintf(want, sizeof(want), "at %#llx (physical",
		 (unsigned long long)fake.unmapped_va);
	assert_non_null(strstr(c.err.text, want));
	assert_non_null(strstr(c.err.text, "CPU 2"));
	assert_non_null(strstr(c.err.text, "rolled back"));
	assert_non_null(strstr(c.err.text, "again copies afresh"));
	assert_non_null(strstr(fake.last_log, want));
	assert_int_equal(fake_vmm_running(), 0);
	assert_int_equal(fake.pages, 0);
	assert_int_equal(core.nvmm_pages, 0);
	assert_int_equal(core.state, FLANK_DRV_LOADED);
	assert_false(core.vmx_live);
	fake.refresh_maps = true;
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_OK);
	assert_int_equal(fake.refreshes, 2);
	assert_int_equal(fake.pages, 4);
	assert_int_equal(core.nvmm_pages, 4);
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_OK);
	assert_int_equal(fake.pages, 0);
	assert_int_equal(core.nvmm_pages, 0);
	assert_int_equal(fake.refreshes_live, 0);
}

/*
 * A CPU coming online while the VMM runs gets pages checked against the
 * copy taken at START (no refresh while CPUs are in VMX root): an
 * unmapped one refuses that CPU, named in the log; the others run on.
 */
static void test_driver_core_host_cr3_unmapped_online(void **state)
{
	char want[64];

	(void)state;
	vmm.cpu_pages = true;
	start_image();
	assert_int_equal(flank_core_cpu_offline(&core, 3), FLANK_OK);
	assert_int_equal(fake.pages, 3);
	fake.unmap_alloc_in = 1;
	assert_int_equal(flank_core_cpu_online(&core, 3), FLANK_E_UNMAPPED);
	snprintf(want, sizeof(want), "page at %#llx",
		 (unsigned long long)fake.unmapped_va);
	assert_non_null(strstr(fake.last_log, want));
	assert_non_null(strstr(fake.last_log, "refusing to online it"));
	assert_int_equal(fake.refreshes, 1);
	assert_int_equal(fake.pages, 3);
	assert_int_equal(fake_vmm_running(), 3);
	assert_int_equal(core.state, FLANK_DRV_RUNNING);
	fake.unmapped_va = 0;
	assert_int_equal(flank_core_cpu_online(&core, 3), FLANK_OK);
	assert_int_equal(fake_vmm_running(), 4);
}

/* The driver tracks at most FLANK_VMM_PAGES_MAX pages: then page_alloc
 * says no rather than hand out a page START could not check. */
static void test_driver_core_vmm_pages_full(void **state)
{
	const struct flank_platform *p;
	uint64_t pa = 0;

	(void)state;
	load_image();
	p = vmm.platform;
	core.nvmm_pages = FLANK_VMM_PAGES_MAX;
	assert_null(p->page_alloc(p->ctx, &pa));
	assert_non_null(strstr(fake.last_log, "page_alloc refused"));
	assert_int_equal(fake.pages, 0);
	core.nvmm_pages = 0;
	/* Freeing a page the driver does not know still frees it. */
	p->page_free(p->ctx, fake_ops.page_alloc(NULL, &pa));
	assert_int_equal(fake.pages, 0);
}

/* Every status has a distinct sentence and a negative errno. */
static void test_driver_core_status_table(void **state)
{
	int i, j;

	(void)state;
	for (i = 1; i < (int)FLANK_E_STATUS_COUNT; i++) {
		assert_true(flank_status_errno(i) < 0);
		assert_true(strlen(flank_status_str(i)) > 8);
		for (j = 1; j < i; j++)
			assert_string_not_equal(flank_status_str(i),
						flank_status_str(j));
	}
	assert_int_equal(flank_status_errno(0), 0);
	assert_int_equal(flank_status_errno(-1), -EIO);
	assert_int_equal(flank_status_errno(FLANK_E_STATUS_COUNT), -EIO);
	assert_string_equal(flank_status_str(99), "unknown driver status");
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

/*
 * Issue #14 item 7: flank_platform.host_stack gives each possible CPU its
 * own 4 KiB stack, the same every time, mapped in HOST_CR3 with the page
 * below it unmapped there (the kernel walk: ops->host_cr3_maps), allocated
 * at LOAD and freed at UNLOAD; the image's per-CPU start takes it.
 */
static void test_driver_core_host_stack_guarded(void **state)
{
	const struct flank_platform *p;
	struct flank_ioc_cmd c;
	uint32_t cpu;

	(void)state;
	load_image();
	p = vmm.platform;
	assert_int_equal(fake.stacks_live, 4);
	for (cpu = 0; cpu < 4; cpu++) {
		uint8_t *st = p->host_stack(p->ctx, cpu);
		uint64_t va = (uint64_t)(uintptr_t)st;

		assert_non_null(st);
		assert_int_equal(va & 0xfff, 0);
		assert_true(fake_ops.host_cr3_maps(NULL, va));
		assert_true(fake_ops.host_cr3_maps(NULL, va + 4095));
		assert_false(fake_ops.host_cr3_maps(NULL, va - 4096));
		assert_false(fake_ops.host_cr3_maps(NULL, va - 1));
		assert_true(fake_is_guard(va - 4096));
		assert_ptr_equal(p->host_stack(p->ctx, cpu), st);
		memset(st, 0xa5, 4096); /* Whole page usable (Valgrind). */
		if (cpu > 0)
			assert_ptr_not_equal(p->host_stack(p->ctx, cpu - 1),
					     st);
	}
	assert_null(p->host_stack(p->ctx, 4));
	assert_null(p->host_stack(p->ctx, 0xffffffffu));
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_OK);
	for (cpu = 0; cpu < 4; cpu++)
		assert_ptr_equal(vmm.stack[cpu], p->host_stack(p->ctx, cpu));
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_OK);
	assert_int_equal(fake.stacks_live, 4); /* Kept for the next start. */
	assert_int_equal(cmd(FLANK_IOC_UNLOAD, &c), FLANK_OK);
	assert_int_equal(fake.stacks_live, 0);
	assert_null(core.stack);
}

/* A stack whose guard page is mapped is refused at LOAD, naming the CPU,
 * before any code of the image ran; nothing stays allocated. */
static void test_driver_core_host_stack_guard_mapped(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	fake.stack_guard_mapped = true;
	assert_int_equal(add("vmm.elf", elf_bytes, sizeof(elf_bytes)),
			 FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_STACK_GUARD);
	assert_int_equal(c.err.cpu, 0);
	assert_non_null(strstr(c.err.text, "host stack of CPU 0"));
	assert_non_null(strstr(c.err.text, "guard page below mapped"));
	assert_int_equal(vmm.links, 0);
	assert_int_equal(vmm.inits, 0);
	assert_int_equal(fake.stacks_live, 0);
	assert_int_equal(fake.allocs, 0);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
	assert_int_equal(flank_status_errno(FLANK_E_STACK_GUARD), -EFAULT);
}

/* Out of memory on the third stack: LOAD names CPU 2, frees the two. */
static void test_driver_core_host_stack_no_memory(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	fake.stack_fail_in = 3;
	assert_int_equal(add("vmm.elf", elf_bytes, sizeof(elf_bytes)),
			 FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_LOAD, &c), FLANK_E_NO_MEMORY);
	assert_int_equal(c.err.cpu, 2);
	assert_non_null(strstr(c.err.text, "host stack of CPU 2"));
	assert_int_equal(fake.stacks_live, 0);
	assert_int_equal(fake.allocs, 0);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
}

/* START checks the guards again after the fresh HOST_CR3 copy: a guard
 * that became mapped refuses START with nothing started. */
static void test_driver_core_host_stack_checked_at_start(void **state)
{
	struct flank_ioc_cmd c;
	uint64_t guard;

	(void)state;
	load_image();
	guard = fake.stack_guard[3];
	fake.stack_guard[3] = 0; /* "Mapped" now. */
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_E_STACK_GUARD);
	assert_int_equal(c.err.cpu, 3);
	assert_non_null(strstr(c.err.text, "host stack of CPU 3"));
	assert_int_equal(vmm.starts, 0);
	assert_int_equal(core.state, FLANK_DRV_LOADED);
	fake.stack_guard[3] = guard;
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_OK);
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_OK);
}

/*
 * Issue #14 item 10: from START until a good stop the kernel's crash
 * callback is the driver's, and a crash makes every online CPU call the
 * image's crash_cpu once, without the lock and without a log line; after
 * stop a crash calls nothing.
 */
static void test_driver_core_crash_hook(void **state)
{
	struct flank_ioc_cmd c;
	int lines;
	uint32_t cpu;

	(void)state;
	load_image();
	assert_false(fake.crash_hooked);
	fake_crash(&core);
	assert_int_equal(vmm.crash_calls[0], 0);
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_OK);
	assert_true(fake.crash_hooked);
	assert_int_equal(fake.crash_hooks, 1);
	fake.online[2] = false;
	lines = fake.log_lines;
	fake_crash(&core);
	for (cpu = 0; cpu < 4; cpu++) {
		assert_int_equal(vmm.crash_calls[cpu], cpu == 2 ? 0 : 1);
		assert_int_equal(vmm.crashed[cpu], cpu == 2 ? 0 : 1);
	}
	assert_int_equal(fake.log_lines, lines);
	assert_int_equal(fake.lock_depth, 0);
	assert_int_equal(fake_vmm_running(), 1); /* CPU 2 was offline. */
	fake.online[2] = true;
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_OK);
	assert_false(fake.crash_hooked);
	assert_int_equal(fake.crash_unhooks, 1);
	fake.crash_hooked = true; /* A stale kernel pointer: still nothing. */
	fake_crash(&core);
	assert_int_equal(vmm.crash_calls[0], 1);
	fake.crash_hooked = false;
	/* Started again: installed again. */
	assert_int_equal(cmd(FLANK_IOC_START, &c), FLANK_OK);
	assert_int_equal(fake.crash_hooks, 2);
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_OK);
	assert_int_equal(fake.crash_unhooks, 2);
}

/* The kernel's slot is taken (KVM): START still works, says so once, and
 * stop removes nothing that is not the driver's. */
static void test_driver_core_crash_hook_refused(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	fake.crash_hook_refused = true;
	start_image();
	assert_false(fake.crash_hooked);
	assert_true(fake_log_find("crash callback not installed", 0) >= 0);
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_OK);
	assert_int_equal(fake.crash_unhooks, 0);
}

/* CORRUPT: a CPU may still be in VMX operation, so the callback stays. */
static void test_driver_core_crash_hook_kept_when_corrupt(void **state)
{
	struct flank_ioc_cmd c;

	(void)state;
	start_image();
	vmm.stop_rc = 5;
	assert_int_equal(cmd(FLANK_IOC_STOP, &c), FLANK_E_VMM);
	assert_int_equal(core.state, FLANK_DRV_CORRUPT);
	assert_true(fake.crash_hooked);
	assert_int_equal(fake.crash_unhooks, 0);
	fake_crash(&core);
	assert_int_equal(vmm.crashed[1], 1);
}

/* rmmod while running, and the stop fails there: the module's code goes
 * away, so the callback must go too, CORRUPT or not. */
static void test_driver_core_crash_hook_removed_at_unload(void **state)
{
	(void)state;
	start_image();
	assert_true(fake.crash_hooked);
	vmm.stop_rc = 5;
	flank_core_fini(&core);
	assert_int_equal(core.state, FLANK_DRV_CORRUPT);
	assert_false(fake.crash_hooked);
	assert_int_equal(fake.crash_unhooks, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_driver_core_version),
		T(test_driver_core_needs_cap_sys_admin),
		T(test_driver_core_unknown_ioctl),
		T(test_driver_core_bad_arg_pointer),
		T(test_driver_core_no_memory),
		T(test_driver_core_reserved_fields),
		T(test_driver_core_start_before_load),
		T(test_driver_core_load_unload_empty),
		T(test_driver_core_module_caps),
		T(test_driver_core_staged_total_cap),
		T(test_driver_core_module_bad_data),
		T(test_driver_core_module_name),
		T(test_driver_core_lifecycle),
		T(test_driver_core_double_stop),
		T(test_driver_core_busy_while_running),
		T(test_driver_core_busy_while_loaded),
		T(test_driver_core_unload_staged),
		T(test_driver_core_link_error),
		T(test_driver_core_bad_abi_version),
		T(test_driver_core_bad_entry),
		T(test_driver_core_init_fails),
		T(test_driver_core_start_no_vmx),
		T(test_driver_core_start_vmx_disabled_in_bios),
		T(test_driver_core_start_vmx_in_use),
		T(test_driver_core_start_refuses_fred),
		T(test_driver_core_start_fails_on_cpu),
		T(test_driver_core_stop_fails),
		T(test_driver_core_stop_fails_pins_module),
		T(test_driver_core_corrupt_pins_once),
		T(test_driver_core_hotplug),
		T(test_driver_core_hotplug_failures),
		T(test_driver_core_quiesce),
		T(test_driver_core_pm_prepare_stops_and_blocks_start),
		T(test_driver_core_pm_prepare_when_loaded),
		T(test_driver_core_pm_other_events),
		T(test_driver_core_pm_stop_fails),
		T(test_driver_core_fini_running),
		T(test_driver_core_fini_refused),
		T(test_driver_core_unload_refused),
		T(test_driver_core_cpu_status_and_stats),
		T(test_driver_core_cpu_status_live_cr4),
		T(test_driver_core_dump),
		T(test_driver_core_no_user_copy_under_lock),
		T(test_driver_core_staging_per_file),
		T(test_driver_core_drains_root_lines),
		T(test_driver_core_drain_reports_lost),
		T(test_driver_core_check_host),
		T(test_driver_core_check_cpu_vanishes),
		T(test_driver_core_check_image),
		T(test_driver_core_platform_table),
		T(test_driver_core_cpu_left_invalidates_tss),
		T(test_driver_core_ring_lifecycle),
		T(test_driver_core_ring_load_failures),
		T(test_driver_core_ring_kib_refused),
		T(test_driver_core_host_cr3_refused),
		T(test_driver_core_host_cr3_unmapped_page),
		T(test_driver_core_host_cr3_unmapped_image_ring),
		T(test_driver_core_host_cr3_unmapped_at_start),
		T(test_driver_core_host_cr3_unmapped_online),
		T(test_driver_core_vmm_pages_full),
		T(test_driver_core_status_table),
		T(test_driver_core_host_stack_guarded),
		T(test_driver_core_host_stack_guard_mapped),
		T(test_driver_core_host_stack_no_memory),
		T(test_driver_core_host_stack_checked_at_start),
		T(test_driver_core_crash_hook),
		T(test_driver_core_crash_hook_refused),
		T(test_driver_core_crash_hook_kept_when_corrupt),
		T(test_driver_core_crash_hook_removed_at_unload),
	};

	return FLANK_RUN_TESTS(tests);
}
