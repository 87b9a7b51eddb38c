// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flankctl, every command's output and exit code, against the driver core
 * (driver_linux/core) running in this process on a fake kernel: the same
 * ioctl path as /dev/flank minus the kernel.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_platform.h"
#include "flank_test.h"
#include "flankctl.h"

static struct flank_core core;
/* The one open file of the device (flankctl opens it once per command). */
static struct flank_file file;
static char *out_buf, *err_buf;
static size_t out_len, err_len;
/* The image lies alone in a private directory: a vmcs_check.elf next to
 * it is there only if a test puts it there. */
static char image_dir[64];
static char image_path[128];
static char check_path[128];
static int open_rc;	      /* What opening the device returns. */
static uint32_t abi_override; /* Nonzero: VERSION reports this. */
static void (*saved_cpuid)(struct flankctl_cpu *cpu);

static int core_ioctl(void *ctx, unsigned long cmd, void *arg)
{
	int rc;

	(void)ctx;
	rc = flank_core_ioctl(&core, &file, (unsigned int)cmd,
			      (uint64_t)(uintptr_t)arg);
	if (!rc && cmd == FLANK_IOC_VERSION && abi_override)
		((struct flank_ioc_version *)arg)->ioctl_version = abi_override;
	return flank_status_errno(rc);
}

/* Closing the device releases what the command staged, as the kernel does. */
static void core_close(void *ctx)
{
	(void)ctx;
	flank_core_release(&core, &file);
}

static uint64_t exits_after_wait; /* What CPU 1 counts after a top wait. */
static unsigned int waited;	  /* Seconds top waited. */

static void core_wait(void *ctx, unsigned int seconds)
{
	(void)ctx;
	waited += seconds;
	vmm.exits[1] = exits_after_wait;
}

static int core_open(const char *path, struct flankctl_dev *dev)
{
	(void)path;
	if (open_rc)
		return open_rc;
	dev->ctx = NULL;
	dev->ioctl = core_ioctl;
	dev->close = core_close;
	dev->wait = core_wait;
	flank_core_open(&core, &file);
	return 0;
}

/* Runs flankctl with the words of @p line; captures stdout and stderr. */
static int run(const char *line)
{
	char copy[256], *argv[16], *save = NULL, *w;
	FILE *out, *err;
	int argc = 0, rc;

	snprintf(copy, sizeof(copy), "flankctl %s", line);
	for (w = strtok_r(copy, " ", &save); w && argc < 15;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = strcmp(w, "IMAGE") ? w : image_path;
	argv[argc] = NULL;
	free(out_buf);
	free(err_buf);
	out = open_memstream(&out_buf, &out_len);
	err = open_memstream(&err_buf, &err_len);
	assert_non_null(out);
	assert_non_null(err);
	rc = flankctl_main(argc, argv, out, err, core_open);
	fclose(out);
	fclose(err);
	return rc;
}

static int setup(void **state)
{
	static const char bytes[] = "\x7f"
				    "ELF fake";
	int fd;

	(void)state;
	fake_reset(4);
	fake_vmm_reset();
	flank_core_init(&core, &fake_ops, fake_link, fake_unlink);
	open_rc = 0;
	abi_override = 0;
	saved_cpuid = flankctl_cpuid;
	/* No flank.ko parameters unless a test writes some. */
	setenv("FLANK_PARAMS_DIR", "/nonexistent/flank-params", 1);
	snprintf(image_dir, sizeof(image_dir), "/tmp/flankctl-dir-XXXXXX");
	assert_non_null(mkdtemp(image_dir));
	snprintf(image_path, sizeof(image_path), "%s/flankctl-test-XXXXXX",
		 image_dir);
	snprintf(check_path, sizeof(check_path), "%s/vmcs_check.elf",
		 image_dir);
	fd = mkstemp(image_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bytes, sizeof(bytes)), sizeof(bytes));
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	flankctl_cpuid = saved_cpuid;
	flank_core_fini(&core);
	unlink(image_path);
	unlink(check_path);
	assert_int_equal(rmdir(image_dir), 0);
	free(out_buf);
	free(err_buf);
	out_buf = err_buf = NULL;
	assert_int_equal(fake.allocs, 0);
	return 0;
}

#define OUT_HAS(s) assert_non_null(strstr(out_buf, (s)))
#define ERR_HAS(s) assert_non_null(strstr(err_buf, (s)))

/* No command: usage on stderr, exit 2. */
static void test_flankctl_no_command(void **state)
{
	(void)state;
	assert_int_equal(run(""), FLANKCTL_USAGE);
	ERR_HAS("Usage: flankctl check [--json]\n");
	assert_int_equal(out_len, 0);
}

/* --help prints commands and exit codes on stdout, exit 0. */
static void test_flankctl_help(void **state)
{
	(void)state;
	assert_int_equal(run("--help"), FLANKCTL_OK);
	OUT_HAS("Exit codes:");
	OUT_HAS("  5  flankctl and flank.ko speak different");
	assert_int_equal(run("help"), FLANKCTL_OK);
	OUT_HAS("       flankctl load [--no-vmcs-check] IMAGE [MODULE...]\n");
	assert_int_equal(run("help stats"), FLANKCTL_OK);
	OUT_HAS("Usage: flankctl stats [--json]\n");
	assert_int_equal(run("help nope"), FLANKCTL_USAGE);
	ERR_HAS("no command 'nope'");
}

/* What flankctl's own CPUID reports in the tests below. */
static void cpuid_amd(struct flankctl_cpu *cpu)
{
	snprintf(cpu->vendor, sizeof(cpu->vendor), "AuthenticAMD");
	cpu->vmx = false;
}

static void cpuid_intel(struct flankctl_cpu *cpu)
{
	snprintf(cpu->vendor, sizeof(cpu->vendor), "GenuineIntel");
	cpu->vmx = true;
}

/*
 * check without /dev/flank (module not loaded, e.g. right after installing
 * the packages): the one check that needs no driver, VT-x in CPUID, still
 * answers. No VT-x settles it, like kvm-ok: exit 1. With VT-x: exit 3 and
 * what to do for the other checks. Other commands do not look.
 */
static void test_flankctl_check_no_device(void **state)
{
	(void)state;
	open_rc = -ENOENT;
	flankctl_cpuid = cpuid_amd;
	assert_int_equal(run("check"), FLANKCTL_FAILED);
	ERR_HAS("cannot open /dev/flank: No such file or directory (is "
		"flank.ko loaded?");
	OUT_HAS("INFO: CPUID.1:ECX.VMX[bit 5] is 0 (AuthenticAMD): no Intel "
		"VT-x; under a hypervisor, enable nested VT-x\n");
	OUT_HAS("Flank can NOT be used on this machine\n");

	flankctl_cpuid = cpuid_intel;
	assert_int_equal(run("check"), FLANKCTL_NO_DEVICE);
	OUT_HAS("INFO: CPUID reports VT-x (GenuineIntel); load flank.ko "
		"('modprobe flank', as root) for the other checks\n");
	assert_null(strstr(out_buf, "Flank can"));

	flankctl_cpuid = cpuid_amd;
	assert_int_equal(run("status"), FLANKCTL_NO_DEVICE);
	assert_int_equal(out_len, 0);

	/* --json: stdout stays the schema's document or nothing. */
	assert_int_equal(run("check --json"), FLANKCTL_NO_DEVICE);
	assert_int_equal(out_len, 0);
}

/* Every command has --help, which never touches the device. */
static void test_flankctl_every_command_help(void **state)
{
	static const char *const cmds[] = {"check", "load",   "unload", "start",
					   "stop",  "status", "dump",	"stats",
					   "top",   "help"};
	char line[64], want[64];
	size_t i;

	(void)state;
	open_rc = -ENOENT;
	for (i = 0; i < FLANK_ARRAY_SIZE(cmds); i++) {
		snprintf(line, sizeof(line), "%s --help", cmds[i]);
		assert_int_equal(run(line), FLANKCTL_OK);
		snprintf(want, sizeof(want), "Usage: flankctl %s", cmds[i]);
		OUT_HAS(want);
	}
}

/* Unknown commands, options and argument counts are usage errors. */
static void test_flankctl_usage_errors(void **state)
{
	(void)state;
	assert_int_equal(run("frobnicate"), FLANKCTL_USAGE);
	ERR_HAS("unknown command 'frobnicate'");
	assert_int_equal(run("start --force"), FLANKCTL_USAGE);
	ERR_HAS("start: unknown option '--force'");
	assert_int_equal(run("load"), FLANKCTL_USAGE);
	ERR_HAS("load: wrong number of arguments");
	assert_int_equal(run("stop now"), FLANKCTL_USAGE);
	assert_int_equal(run("load a b c d e f g h i"), FLANKCTL_USAGE);
}

/* An unknown command or option is named with the nearest valid one
 * (edit distance, ties to the one the word begins), none if nothing is
 * close; usage error either way. */
static void test_flankctl_suggestions(void **state)
{
	(void)state;
	open_rc = -ENOENT; /* None of this reaches the device. */
	assert_int_equal(run("chek"), FLANKCTL_USAGE);
	ERR_HAS("flankctl: unknown command 'chek': did you mean 'check'? (see "
		"'flankctl --help')\n");
	assert_int_equal(run("unlaod IMAGE"), FLANKCTL_USAGE);
	ERR_HAS("unknown command 'unlaod': did you mean 'unload'?");
	assert_int_equal(run("frobnicate"), FLANKCTL_USAGE);
	ERR_HAS("unknown command 'frobnicate' (see 'flankctl --help')\n");
	assert_int_equal(run("help stat"), FLANKCTL_USAGE);
	ERR_HAS("help: no command 'stat': did you mean 'stats'?");
	assert_int_equal(run("stats --jsn"), FLANKCTL_USAGE);
	ERR_HAS("flankctl: stats: unknown option '--jsn': did you mean "
		"'--json'?\nUsage: flankctl stats [--json]\n");
	assert_int_equal(run("top --intervall 2"), FLANKCTL_USAGE);
	ERR_HAS("unknown option '--intervall': did you mean '--interval'?");
	assert_int_equal(run("start --hepl"), FLANKCTL_USAGE);
	ERR_HAS("start: unknown option '--hepl': did you mean '--help'?");
	assert_int_equal(run("--verison"), FLANKCTL_USAGE);
	ERR_HAS("unknown option '--verison': did you mean '--version'?");
	assert_int_equal(run("start --force"), FLANKCTL_USAGE);
	ERR_HAS("start: unknown option '--force'\n");
}

/* Option values: as the next word or after '=', checked; flags take
 * none; --version needs no device. */
static void test_flankctl_option_values(void **state)
{
	(void)state;
	open_rc = -ENOENT;
	assert_int_equal(run("top --interval"), FLANKCTL_USAGE);
	ERR_HAS("flankctl: top: --interval needs a value (N)\n");
	assert_int_equal(run("top --interval=0"), FLANKCTL_USAGE);
	ERR_HAS("top: --interval takes a whole number (1 to 3600), not '0'");
	assert_int_equal(run("top --count -1"), FLANKCTL_USAGE);
	ERR_HAS("top: --count takes a whole number (1 to 1000000), not '-1'");
	assert_int_equal(run("top --count 5x"), FLANKCTL_USAGE);
	assert_int_equal(run("status --json=yes"), FLANKCTL_USAGE);
	ERR_HAS("status: --json takes no value (--json=yes)\n");
	assert_int_equal(run("--version"), FLANKCTL_OK);
	OUT_HAS("flankctl 0.1.0 (ioctl ABI 1)\n");
}

/* --json on a failing command prints nothing on stdout, the reason on
 * stderr: never half a document. */
static void test_flankctl_json_failure(void **state)
{
	(void)state;
	assert_int_equal(run("stats --json"), FLANKCTL_FAILED);
	assert_int_equal(out_len, 0);
	ERR_HAS("flankctl: stats: no image is loaded");
	assert_int_equal(run("dump --json"), FLANKCTL_FAILED);
	assert_int_equal(out_len, 0);
	assert_int_equal(run("status --json"), FLANKCTL_OK);
	OUT_HAS("{\n  \"driver\": \"empty\",\n");
	OUT_HAS("  \"image\": null,\n  \"cpus\": []\n}\n");
}

/* top: rates per second over the interval; a counter that went down (its
 * CPU went offline and came back) counts from 0. */
static void test_flankctl_top_rates(void **state)
{
	(void)state;
	assert_int_equal(run("load IMAGE"), FLANKCTL_OK);
	assert_int_equal(run("start"), FLANKCTL_OK);
	vmm.exits[1] = 1000;
	exits_after_wait = 1600;
	waited = 0;
	assert_int_equal(run("top --interval 3 --once"), FLANKCTL_OK);
	assert_int_equal(waited, 3);
	OUT_HAS("VM exits per second, every 3 s, sample 1\n");
	OUT_HAS("CPUID                    10            0          200"
		"            0            0          200\n");
	vmm.exits[1] = 1000;
	exits_after_wait = 5;
	assert_int_equal(run("top --once"), FLANKCTL_OK);
	OUT_HAS("CPUID                    10            0            5");
	vmm.exits[1] = 1000;
	exits_after_wait = 1000;
	assert_int_equal(run("top --once"), FLANKCTL_OK);
	OUT_HAS("(no VM exits in this interval)\n");
	assert_int_equal(run("stop"), FLANKCTL_OK);
}

/* No device: exit 3 with the likely cause. */
static void test_flankctl_no_device(void **state)
{
	(void)state;
	open_rc = -ENOENT;
	assert_int_equal(run("status"), FLANKCTL_NO_DEVICE);
	ERR_HAS("cannot open /dev/flank: No such file or directory (is "
		"flank.ko loaded?");
	open_rc = -EACCES;
	assert_int_equal(run("status"), FLANKCTL_NO_DEVICE);
	ERR_HAS("(run as root)");
	open_rc = -EIO;
	assert_int_equal(run("status"), FLANKCTL_NO_DEVICE);
	ERR_HAS("Input/output error\n");
}

/* A driver speaking another ioctl ABI: exit 5, both versions named. */
static void test_flankctl_abi_mismatch(void **state)
{
	(void)state;
	abi_override = FLANK_IOCTL_VERSION + 1;
	assert_int_equal(run("status"), FLANKCTL_MISMATCH);
	ERR_HAS("flank.ko speaks ioctl ABI 2, this flankctl 1");
	abi_override = 0;
	fake.capable = false;
	assert_int_equal(run("status"), FLANKCTL_MISMATCH);
	ERR_HAS("needs root (CAP_SYS_ADMIN)");
}

/* check on a VT-x machine: every item OK, exit 0. */
static void test_flankctl_check_ok(void **state)
{
	(void)state;
	assert_int_equal(run("check"), FLANKCTL_OK);
	OUT_HAS("  [ OK ] vmx-cpuid        CPUID reports VT-x on every online "
		"CPU\n");
	OUT_HAS("VMM image checks: not run, no image loaded");
	OUT_HAS("Flank can be used on this machine\n");
	assert_int_equal(run("load IMAGE"), FLANKCTL_OK);
	vmm.check_count = 1;
	assert_int_equal(run("check"), FLANKCTL_OK);
	OUT_HAS("VMM image checks:\n  [ OK ] fake-0");
}

/* check without VT-x: says why, like kvm-ok, exit 1. */
static void test_flankctl_check_no_vmx(void **state)
{
	(void)state;
	fake_no_vmx();
	assert_int_equal(run("check"), FLANKCTL_FAILED);
	OUT_HAS("  [FAIL] vmx-cpuid        CPUID.1:ECX.VMX[bit 5] is 0 on CPU "
		"0 "
		"(AuthenticAMD): no Intel VT-x");
	OUT_HAS("  [ -- ] feature-control  not checked: no VT-x\n");
	OUT_HAS("INFO: CPUID.1:ECX.VMX[bit 5] is 0");
	OUT_HAS("Flank can NOT be used on this machine\n");
}

/* load of a missing file: exit 4, nothing stays staged. */
static void test_flankctl_load_missing_file(void **state)
{
	(void)state;
	assert_int_equal(run("load IMAGE /nonexistent/mod.elf"), FLANKCTL_FILE);
	ERR_HAS("load: cannot open /nonexistent/mod.elf: No such file");
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
	assert_int_equal(fake.allocs, 0);
}

/* load that the loader refuses: the loader's sentence, exit 1. */
static void test_flankctl_load_refused(void **state)
{
	(void)state;
	vmm.link_rc = FLANK_E_ELF;
	assert_int_equal(run("load IMAGE"), FLANKCTL_FAILED);
	ERR_HAS("flankctl: load: module flankctl-test-");
	ERR_HAS(": fake loader error\n");
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
	/* A second load while one is loaded names the way out. */
	vmm.link_rc = 0;
	assert_int_equal(run("load IMAGE"), FLANKCTL_OK);
	assert_int_equal(run("load IMAGE"), FLANKCTL_FAILED);
	ERR_HAS("an image is already loaded: unload it first");
	assert_int_equal(core.state, FLANK_DRV_LOADED);
}

/* Writes a fake vmcs_check.elf next to the image. */
static void put_check_module(void)
{
	FILE *f = fopen(check_path, "wb");

	assert_non_null(f);
	assert_int_equal(fputs("\x7f"
			       "ELF fake check",
			       f) >= 0,
			 1);
	assert_int_equal(fclose(f), 0);
}

/* load IMAGE alone also loads the vmcs_check.elf beside it and says so;
 * --no-vmcs-check (before or after the image) and explicit modules load
 * only what was named; other commands refuse the option. */
static void test_flankctl_load_vmcs_check_beside(void **state)
{
	char line[256];

	(void)state;
	put_check_module();
	assert_int_equal(run("load IMAGE"), FLANKCTL_OK);
	OUT_HAS(": 2 modules, 8 KiB");
	snprintf(line, sizeof(line),
		 "with %s (found next to the image): failed VM entries name "
		 "the failing rule; --no-vmcs-check leaves it out\n",
		 check_path);
	OUT_HAS(line);
	assert_int_equal(core.nmods, 2);
	assert_string_equal(core.mod[1].name, "vmcs_check.elf");
	assert_int_equal(run("unload"), FLANKCTL_OK);

	assert_int_equal(run("load --no-vmcs-check IMAGE"), FLANKCTL_OK);
	OUT_HAS(": 1 module, 8 KiB");
	assert_null(strstr(out_buf, "vmcs_check"));
	assert_int_equal(core.nmods, 1);
	assert_int_equal(run("unload"), FLANKCTL_OK);
	assert_int_equal(run("load IMAGE --no-vmcs-check"), FLANKCTL_OK);
	assert_int_equal(core.nmods, 1);
	assert_int_equal(run("unload"), FLANKCTL_OK);

	/* Modules named on the command line are all that is loaded. */
	snprintf(line, sizeof(line), "load IMAGE %s", image_path);
	assert_int_equal(run(line), FLANKCTL_OK);
	assert_int_equal(core.nmods, 2);
	assert_string_equal(core.mod[1].name, core.mod[0].name);
	assert_null(strstr(out_buf, "vmcs_check"));
	assert_int_equal(run("unload"), FLANKCTL_OK);

	assert_int_equal(run("start --no-vmcs-check"), FLANKCTL_USAGE);
	ERR_HAS("flankctl: start: unknown option '--no-vmcs-check'");
	assert_int_equal(run("help load"), FLANKCTL_OK);
	OUT_HAS("Usage: flankctl load [--no-vmcs-check] IMAGE [MODULE...]");
}

/* load IMAGE with no vmcs_check.elf beside it loads the image and notes
 * that entry failures will come without the rule. */
static void test_flankctl_load_vmcs_check_absent(void **state)
{
	(void)state;
	assert_int_equal(run("load IMAGE"), FLANKCTL_OK);
	OUT_HAS(": 1 module, 8 KiB");
	OUT_HAS("note: no vmcs_check.elf next to the image: failed VM entries "
		"are logged without the failing rule\n");
	assert_int_equal(core.nmods, 1);
	assert_int_equal(run("unload"), FLANKCTL_OK);
	assert_int_equal(run("load --no-vmcs-check IMAGE"), FLANKCTL_OK);
	assert_null(strstr(out_buf, "note:"));
}

/* start without VT-x refuses with the reason, exit 1. */
static void test_flankctl_start_no_vmx(void **state)
{
	(void)state;
	fake_no_vmx();
	assert_int_equal(run("load IMAGE"), FLANKCTL_OK);
	assert_int_equal(run("start"), FLANKCTL_FAILED);
	ERR_HAS("flankctl: start: this machine cannot run Flank: "
		"CPUID.1:ECX.VMX[bit 5] is 0 on CPU 0 (AuthenticAMD)");
	assert_int_equal(run("unload"), FLANKCTL_OK);
	OUT_HAS("unloaded\n");
}

/* The whole session: load, start, status, stats, dump, stop, unload. */
static void test_flankctl_session(void **state)
{
	(void)state;
	assert_int_equal(run("start"), FLANKCTL_FAILED);
	ERR_HAS("flankctl: start: no image is loaded: load one first\n");
	assert_int_equal(run("status"), FLANKCTL_OK);
	OUT_HAS("driver: empty (no image)\nCPUs:   4 possible, 4 online\n");
	assert_int_equal(run("load IMAGE"), FLANKCTL_OK);
	OUT_HAS(": 1 module, 8 KiB, Flank 0.1.0\n");
	assert_int_equal(run("start"), FLANKCTL_OK);
	OUT_HAS("started: 4 CPUs virtualised\n");
	vmm.exits[1] = 77;
	vmm.hidden_writes[1] = 3;
	assert_int_equal(run("status"), FLANKCTL_OK);
	OUT_HAS("driver: running\n");
	OUT_HAS("image:  Flank 0.1.0, 1 module, 8 KiB, VMM running\n");
	OUT_HAS("CPU  online  VMX  CR4.VMXE  exits  last error  VPID\n");
	OUT_HAS("  1  yes     on   set          77  0           2\n");
	assert_int_equal(run("stats"), FLANKCTL_OK);
	OUT_HAS("  1  CPUID                (10)  77\n");
	OUT_HAS("  3  RDMSR                (31)  2\n");
	/* Writes to the VMM's hidden pages (docs/ept.md): only where some
	 * were dropped. */
	OUT_HAS("  1  hidden-page writes dropped  3\n");
	assert_false(strstr(out_buf, "  0  hidden-page writes"));
	assert_int_equal(run("dump"), FLANKCTL_OK);
	assert_string_equal(out_buf, "flank: vmxon cpu0\nflank: launch cpu0\n");
	assert_int_equal(run("unload"), FLANKCTL_FAILED);
	ERR_HAS("the VMM is running: stop it first");
	assert_int_equal(run("stop"), FLANKCTL_OK);
	OUT_HAS("stopped: every CPU devirtualised\n");
	assert_int_equal(run("stop"), FLANKCTL_FAILED);
	ERR_HAS("flankctl: stop: the VMM is not running\n");
	assert_int_equal(run("status"), FLANKCTL_OK);
	OUT_HAS("  0  yes     off  clear         0  0           off\n");
	assert_int_equal(run("unload"), FLANKCTL_OK);
	assert_int_equal(core.state, FLANK_DRV_EMPTY);
}

/* Writes module parameter files into @p dir as sysfs shows them. */
static void write_params(const char *dir, const char *port, const char *baud,
			 const char *pci)
{
	const char *names[] = {"serial_port", "serial_baud", "serial_pci"};
	const char *values[] = {port, baud, pci};
	char path[128];
	FILE *f;

	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "w");
		assert_non_null(f);
		fprintf(f, "%s\n", values[i]);
		fclose(f);
	}
}

static void remove_params(const char *dir)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/ring_kib", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/serial_port", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/serial_baud", dir);
	unlink(path);
	snprintf(path, sizeof(path), "%s/serial_pci", dir);
	unlink(path);
	rmdir(dir);
}

/* status shows the serial module parameters (sysfs prints the port in
 * decimal, the bool as Y/N); without them (older module) no line. */
static void test_flankctl_status_serial(void **state)
{
	char dir[] = "/tmp/flankctl-params-XXXXXX";

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("FLANK_PARAMS_DIR", dir, 1);
	write_params(dir, "760", "57600", "N");
	assert_int_equal(run("status"), FLANKCTL_OK);
	OUT_HAS("CPUs:   4 possible, 4 online\nserial: port 0x2f8, 57600 baud");
	write_params(dir, "0", "115200", "N");
	assert_int_equal(run("status"), FLANKCTL_OK);
	OUT_HAS("serial: off (serial_port=0)\n");
	write_params(dir, "0", "115200", "Y");
	assert_int_equal(run("status"), FLANKCTL_OK);
	OUT_HAS("serial: PCI UART, 115200 baud (the VMM log says what it "
		"used)\n");
	write_params(dir, "1016", "9600", "Y");
	assert_int_equal(run("status"), FLANKCTL_OK);
	OUT_HAS("serial: PCI UART first, else port 0x3f8, 9600 baud");
	write_params(dir, "garbage", "9600", "Y");
	assert_int_equal(run("status"), FLANKCTL_OK);
	assert_null(strstr(out_buf, "serial:"));
	remove_params(dir);
	assert_int_equal(run("status"), FLANKCTL_OK);
	assert_null(strstr(out_buf, "serial:"));
}

/* Writes the ring_kib parameter file into @p dir. */
static void write_ring_kib(const char *dir, const char *kib)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/ring_kib", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", kib);
	fclose(f);
}

/* status shows the debug ring's size and record count (ring_kib); without
 * the parameter (older module) or with garbage in it, no line. */
static void test_flankctl_status_ring(void **state)
{
	char dir[] = "/tmp/flankctl-params-XXXXXX";

	(void)state;
	assert_non_null(mkdtemp(dir));
	setenv("FLANK_PARAMS_DIR", dir, 1);
	assert_int_equal(run("status"), FLANKCTL_OK);
	assert_null(strstr(out_buf, "ring:"));
	write_ring_kib(dir, "64");
	assert_int_equal(run("status"), FLANKCTL_OK);
	OUT_HAS("ring:   64 KiB, 255 records (ring_kib)\n");
	write_ring_kib(dir, "1024");
	assert_int_equal(run("status"), FLANKCTL_OK);
	OUT_HAS("ring:   1024 KiB, 4095 records (ring_kib)\n");
	write_ring_kib(dir, "none");
	assert_int_equal(run("status"), FLANKCTL_OK);
	assert_null(strstr(out_buf, "ring:"));
	remove_params(dir);
}

/* Commands that need an image say so. */
static void test_flankctl_need_image(void **state)
{
	(void)state;
	assert_int_equal(run("dump"), FLANKCTL_FAILED);
	ERR_HAS("flankctl: dump: no image is loaded: load one first\n");
	assert_int_equal(run("stats"), FLANKCTL_FAILED);
	ERR_HAS("flankctl: stats: no image is loaded");
	assert_int_equal(run("unload"), FLANKCTL_FAILED);
	assert_int_equal(run("stop"), FLANKCTL_FAILED);
}

/* Exit-reason names follow the SDM's numbering; unknown ones are NULL. */
static void test_flankctl_exit_reason_names(void **state)
{
	(void)state;
	assert_string_equal(flankctl_exit_reason_name(10), "CPUID");
	assert_string_equal(flankctl_exit_reason_name(31), "RDMSR");
	assert_string_equal(flankctl_exit_reason_name(48), "EPT violation");
	assert_null(flankctl_exit_reason_name(35));
	assert_null(flankctl_exit_reason_name(1000));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_flankctl_no_command),
		T(test_flankctl_help),
		T(test_flankctl_check_no_device),
		T(test_flankctl_every_command_help),
		T(test_flankctl_usage_errors),
		T(test_flankctl_suggestions),
		T(test_flankctl_option_values),
		T(test_flankctl_json_failure),
		T(test_flankctl_top_rates),
		T(test_flankctl_no_device),
		T(test_flankctl_abi_mismatch),
		T(test_flankctl_check_ok),
		T(test_flankctl_check_no_vmx),
		T(test_flankctl_load_missing_file),
		T(test_flankctl_load_refused),
		T(test_flankctl_load_vmcs_check_beside),
		T(test_flankctl_load_vmcs_check_absent),
		T(test_flankctl_start_no_vmx),
		T(test_flankctl_session),
		T(test_flankctl_status_serial),
		T(test_flankctl_status_ring),
		T(test_flankctl_need_image),
		T(test_flankctl_exit_reason_names),
	};

	return FLANK_RUN_TESTS(tests);
}
