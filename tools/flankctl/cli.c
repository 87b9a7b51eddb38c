// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flankctl: the user's command-line tool for /dev/flank. Every failure is
 * printed as a sentence (the driver's own text when it gave one) and maps
 * to one documented exit code.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flank/flank_ioctl.h"
#include "flank_sigtrailer.h"
#include "flankctl.h"
#include "sigfile.h"

struct ctl {
	FILE *out, *err;
	struct flankctl_dev dev;
	const char *cmd;
	bool opt; /* The command's one option (struct command) was given. */
};

static const char usage_text[] =
	"Usage: flankctl COMMAND [ARGS]\n"
	"\n"
	"Commands:\n"
	"  check                  can this machine run Flank? (like kvm-ok)\n"
	"  load IMAGE [MODULE...] load the VMM image and extension modules\n"
	"                         (IMAGE alone: with vmcs_check.elf beside "
	"it)\n"
	"  unload                 unload the image (stop it first)\n"
	"  start                  virtualise every online CPU\n"
	"  stop                   devirtualise every CPU\n"
	"  status                 driver, image and per-CPU state\n"
	"  dump                   print the VMM's debug ring\n"
	"  stats                  VM exits per reason per CPU\n"
	"  help [COMMAND]         this text, or a command's\n"
	"\n"
	"Every command takes --help. The device is /dev/flank, or "
	"$FLANK_DEVICE.\n"
	"\n"
	"Exit codes:\n"
	"  0  done (check: Flank can run on this machine)\n"
	"  1  the driver or the VMM refused (check: Flank cannot run here)\n"
	"  2  bad command line\n"
	"  3  /dev/flank cannot be opened (module not loaded, or not root)\n"
	"  4  a file given to load cannot be read\n"
	"  5  flankctl and flank.ko speak different ioctl ABI versions\n";

struct command {
	const char *name;
	const char *args;
	const char *help;
	int min_args, max_args; /* -1: unlimited */
	int (*run)(struct ctl *c, int argc, char **argv);
	const char *option; /* The command's one option, or NULL. */
};

/*
 * The extension module `load` adds when given the image alone: libvmm's
 * VMCS consistency checker, which names the failing rule of a failed VM
 * entry. It is not in vmm.elf (issue #6: the image's size), but installed
 * next to it.
 */
#define VMCS_CHECK_MODULE "vmcs_check.elf"
#define NO_VMCS_CHECK "--no-vmcs-check"

/* ----------------------------------------------------------------- ioctls */

/** Prints a failed ioctl: the driver's sentence, else errno's. */
static int report(struct ctl *c, int rc, const struct flank_ioc_err *e)
{
	if (e && e->text[0]) {
		fprintf(c->err, "flankctl: %s: %.*s\n", c->cmd,
			(int)sizeof(e->text), e->text);
	} else if (rc == -EPERM || rc == -EACCES) {
		fprintf(c->err,
			"flankctl: %s: %s: /dev/flank needs root "
			"(CAP_SYS_ADMIN)\n",
			c->cmd, strerror(-rc));
	} else if (rc == -ENOTTY) {
		fprintf(c->err,
			"flankctl: %s: the driver does not know this request: "
			"install flankctl and flank.ko from one build\n",
			c->cmd);
	} else {
		fprintf(c->err, "flankctl: %s: %s\n", c->cmd, strerror(-rc));
	}
	return FLANKCTL_FAILED;
}

/** Issues one ioctl whose argument starts with struct flank_ioc_err. */
static int call(struct ctl *c, unsigned long nr, void *arg)
{
	return c->dev.ioctl(c->dev.ctx, nr, arg);
}

static int simple(struct ctl *c, unsigned long nr)
{
	struct flank_ioc_cmd a;
	int rc;

	memset(&a, 0, sizeof(a));
	rc = call(c, nr, &a);
	return rc ? report(c, rc, &a.err) : FLANKCTL_OK;
}

static int get_status(struct ctl *c, struct flank_ioc_status *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	rc = call(c, FLANK_IOC_STATUS, s);
	return rc ? report(c, rc, &s->err) : FLANKCTL_OK;
}

static const char *drv_state_name(uint32_t s)
{
	static const char *const names[] = {
		[FLANK_DRV_EMPTY] = "empty (no image)",
		[FLANK_DRV_STAGED] = "staged (modules added, not loaded)",
		[FLANK_DRV_LOADED] = "loaded (not running)",
		[FLANK_DRV_RUNNING] = "running",
		[FLANK_DRV_CORRUPT] = "failed (a stop failed: reboot)",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

static const char *vmm_state_name(uint32_t s)
{
	static const char *const names[] = {
		[FLANK_STATE_UNLOADED] = "unloaded",
		[FLANK_STATE_LOADED] = "loaded",
		[FLANK_STATE_RUNNING] = "running",
		[FLANK_STATE_STOPPING] = "stopping",
		[FLANK_STATE_CORRUPT] = "corrupt",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

/* --------------------------------------------------------------- commands */

static void print_items(struct ctl *c, const struct flank_check_report *r)
{
	uint32_t i, n = r->count;

	if (n > FLANK_CHECK_MAX_ITEMS)
		n = FLANK_CHECK_MAX_ITEMS;
	for (i = 0; i < n; i++) {
		const struct flank_check_item *it = &r->item[i];
		const char *tag = it->status ? "FAIL" : " OK ";

		if (!it->status && !strncmp(it->text, "not checked", 11))
			tag = " -- ";
		fprintf(c->out, "  [%s] %-16.*s %.*s\n", tag,
			(int)sizeof(it->name), it->name, (int)sizeof(it->text),
			it->text);
	}
}

static const char *first_failure(const struct flank_check_report *r)
{
	uint32_t i;

	for (i = 0; i < r->count && i < FLANK_CHECK_MAX_ITEMS; i++) {
		if (r->item[i].status)
			return r->item[i].text;
	}
	return NULL;
}

static int cmd_check(struct ctl *c, int argc, char **argv)
{
	struct flank_ioc_check *k;
	const char *why;
	int rc;

	(void)argc;
	(void)argv;
	k = calloc(1, sizeof(*k));
	if (!k) {
		fprintf(c->err, "flankctl: check: out of memory\n");
		return FLANKCTL_FAILED;
	}
	rc = call(c, FLANK_IOC_CHECK, k);
	if (rc) {
		rc = report(c, rc, &k->err);
		goto out;
	}
	fprintf(c->out, "Driver checks (every online CPU):\n");
	print_items(c, &k->host);
	if (k->image_ran) {
		fprintf(c->out, "VMM image checks:\n");
		print_items(c, &k->image);
	} else {
		fprintf(c->out, "VMM image checks: not run, no image loaded "
				"('flankctl load vmm.elf' first for the full "
				"report)\n");
	}
	why = first_failure(&k->host);
	if (!why && k->image_ran)
		why = first_failure(&k->image);
	if (why) {
		fprintf(c->out, "INFO: %s\n", why);
		fprintf(c->out, "Flank can NOT be used on this machine\n");
		rc = FLANKCTL_FAILED;
	} else {
		fprintf(c->out, "INFO: VT-x is present and usable\n");
		fprintf(c->out, "Flank can be used on this machine\n");
		rc = FLANKCTL_OK;
	}
out:
	free(k);
	return rc;
}

/** Reads a whole file; NULL (and a message) if it cannot. */
static void *read_file(struct ctl *c, const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long len;

	if (!f) {
		fprintf(c->err, "flankctl: load: cannot open %s: %s\n", path,
			strerror(errno));
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET)) {
		fprintf(c->err, "flankctl: load: cannot read %s: %s\n", path,
			strerror(errno));
		goto out;
	}
	if ((unsigned long)len > FLANK_MODULE_MAX_BYTES) {
		fprintf(c->err,
			"flankctl: load: %s has %ld bytes, more than the %u a "
			"module may have\n",
			path, len, FLANK_MODULE_MAX_BYTES);
		goto out;
	}
	buf = malloc(len ? (size_t)len : 1);
	if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
		fprintf(c->err, "flankctl: load: cannot read %s\n", path);
		free(buf);
		buf = NULL;
		goto out;
	}
	*size = (size_t)len;
out:
	fclose(f);
	return buf;
}

/*
 * Writes the path of vmcs_check.elf in the directory of @p image into
 * @p path; true if that file exists (and so is to be loaded).
 */
static bool vmcs_check_beside(const char *image, char *path, size_t size)
{
	const char *slash = strrchr(image, '/');
	int dir = slash ? (int)(slash - image) + 1 : 0;
	FILE *f;

	if (snprintf(path, size, "%.*s%s", dir, image, VMCS_CHECK_MODULE) >=
	    (int)size)
		return false;
	f = fopen(path, "rb");
	if (!f)
		return false;
	fclose(f);
	return true;
}

/*
 * One line per file: the driver's verdict on its signature (verified, none,
 * bad and why) and who signed it, as the file says (sigfile.c).
 */
static void print_sig(struct ctl *c, const struct flank_ioc_module *m,
		      const void *bytes, size_t size)
{
	struct flank_sigfile s;
	char what[320];

	flank_sigfile_read(bytes, size, &s);
	flank_sigfile_describe(&s, what, sizeof(what));
	if (m->sig_state == FLANK_SIG_UNCHECKED)
		fprintf(c->out, "%s: %s\n", m->name, what);
	else if (m->sig_state == FLANK_SIG_BAD)
		fprintf(c->out, "%s: %s (%s): %s\n", m->name,
			flank_sig_state_str(m->sig_state),
			flank_sig_reason_str(m->sig_reason), what);
	else if (m->sig_state == FLANK_SIG_MISSING)
		fprintf(c->out, "%s: %s\n", m->name,
			flank_sig_state_str(m->sig_state));
	else
		fprintf(c->out, "%s: %s: %s\n", m->name,
			flank_sig_state_str(m->sig_state), what);
}

static int cmd_load(struct ctl *c, int argc, char **argv)
{
	char check_path[PATH_MAX];
	char *files[2];
	struct flank_ioc_module m;
	struct flank_ioc_status s;
	const char *base;
	bool with_check = false;
	size_t size = 0;
	void *bytes;
	int i, rc;

	/* The image alone: the checker module comes along if installed. */
	if (argc == 1 && !c->opt &&
	    vmcs_check_beside(argv[0], check_path, sizeof(check_path))) {
		files[0] = argv[0];
		files[1] = check_path;
		argv = files;
		argc = 2;
		with_check = true;
	}
	for (i = 0; i < argc; i++) {
		bytes = read_file(c, argv[i], &size);
		if (!bytes) {
			(void)simple(c, FLANK_IOC_UNLOAD); /* Drop staged. */
			return FLANKCTL_FILE;
		}
		memset(&m, 0, sizeof(m));
		m.data = (uint64_t)(uintptr_t)bytes;
		m.size = size;
		base = strrchr(argv[i], '/');
		snprintf(m.name, sizeof(m.name), "%s",
			 base ? base + 1 : argv[i]);
		rc = call(c, FLANK_IOC_ADD_MODULE, &m);
		if (!rc)
			print_sig(c, &m, bytes, size);
		free(bytes);
		if (rc) {
			rc = report(c, rc, &m.err);
			if (m.err.code != FLANK_E_LOADED &&
			    m.err.code != FLANK_E_RUNNING &&
			    m.err.code != FLANK_E_CORRUPT)
				(void)simple(c, FLANK_IOC_UNLOAD);
			return rc;
		}
	}
	rc = simple(c, FLANK_IOC_LOAD);
	if (rc)
		return rc;
	rc = get_status(c, &s);
	if (rc)
		return rc;
	fprintf(c->out, "loaded %s: %u module%s, %llu KiB, Flank %u.%u.%u\n",
		argv[0], s.module_count, s.module_count == 1 ? "" : "s",
		(unsigned long long)(s.image_bytes >> 10),
		(s.image_version >> 16) & 0xffu, (s.image_version >> 8) & 0xffu,
		s.image_version & 0xffu);
	if (with_check)
		fprintf(c->out,
			"with %s (found next to the image): failed VM entries "
			"name the failing rule; " NO_VMCS_CHECK
			" leaves it out\n",
			check_path);
	else if (argc == 1 && !c->opt)
		fprintf(c->out,
			"note: no " VMCS_CHECK_MODULE " next to the image: "
			"failed VM entries are logged without the failing "
			"rule\n");
	return FLANKCTL_OK;
}

static int cmd_unload(struct ctl *c, int argc, char **argv)
{
	int rc;

	(void)argc;
	(void)argv;
	rc = simple(c, FLANK_IOC_UNLOAD);
	if (!rc)
		fprintf(c->out, "unloaded\n");
	return rc;
}

static int cmd_start(struct ctl *c, int argc, char **argv)
{
	struct flank_ioc_status s;
	int rc;

	(void)argc;
	(void)argv;
	rc = simple(c, FLANK_IOC_START);
	if (rc)
		return rc;
	rc = get_status(c, &s);
	if (!rc)
		fprintf(c->out, "started: %u CPU%s virtualised\n",
			s.online_count, s.online_count == 1 ? "" : "s");
	return rc;
}

static int cmd_stop(struct ctl *c, int argc, char **argv)
{
	int rc;

	(void)argc;
	(void)argv;
	rc = simple(c, FLANK_IOC_STOP);
	if (!rc)
		fprintf(c->out, "stopped: every CPU devirtualised\n");
	return rc;
}

/*
 * Reads module parameter @p name of flank.ko (sysfs, or $FLANK_PARAMS_DIR
 * for tests) as a number; false if it cannot be read.
 */
static bool read_param(const char *name, unsigned long *value)
{
	const char *dir = getenv("FLANK_PARAMS_DIR");
	char path[512], text[32], *end;
	FILE *f;
	bool ok;

	if (!dir || !*dir)
		dir = "/sys/module/flank/parameters";
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return false;
	ok = fgets(text, sizeof(text), f) != NULL;
	fclose(f);
	if (!ok)
		return false;
	/* bool parameters read "Y" or "N". */
	if (text[0] == 'Y' || text[0] == 'N') {
		*value = text[0] == 'Y';
		return true;
	}
	errno = 0;
	*value = strtoul(text, &end, 0);
	return errno == 0 && end != text;
}

/* The serial settings flank.ko hands the image (docs/serial.md). */
static void print_serial(struct ctl *c)
{
	unsigned long port, baud, pci;

	if (!read_param("serial_port", &port) ||
	    !read_param("serial_baud", &baud) ||
	    !read_param("serial_pci", &pci))
		return; /* An older flank.ko, or no sysfs: say nothing. */
	if (!port && !pci) {
		fprintf(c->out, "serial: off (serial_port=0)\n");
		return;
	}
	fprintf(c->out, "serial: ");
	if (pci)
		fprintf(c->out, "PCI UART%s", port ? " first, else " : "");
	if (port)
		fprintf(c->out, "port 0x%lx", port);
	fprintf(c->out, ", %lu baud (the VMM log says what it used)\n", baud);
}

/* The debug ring's size (module parameter ring_kib, docs/debugging.md). */
static void print_ring(struct ctl *c)
{
	unsigned long kib;

	if (!read_param("ring_kib", &kib) || kib == 0 || kib > (1ul << 20))
		return; /* An older flank.ko, or no sysfs: say nothing. */
	/* 256-byte records, one record's worth is the control block. */
	fprintf(c->out, "ring:   %lu KiB, %lu records (ring_kib)\n", kib,
		kib * 4 - 1);
}

static int cmd_status(struct ctl *c, int argc, char **argv)
{
	struct flank_ioc_cpu_status cs;
	struct flank_ioc_status s;
	uint32_t cpu;
	int rc;

	(void)argc;
	(void)argv;
	rc = get_status(c, &s);
	if (rc)
		return rc;
	fprintf(c->out, "driver: %s\n", drv_state_name(s.state));
	fprintf(c->out, "CPUs:   %u possible, %u online\n", s.cpu_count,
		s.online_count);
	print_serial(c);
	print_ring(c);
	if (s.state < FLANK_DRV_LOADED)
		return FLANKCTL_OK;
	fprintf(c->out,
		"image:  Flank %u.%u.%u, %u module%s, %llu KiB, VMM %s\n",
		(s.image_version >> 16) & 0xffu, (s.image_version >> 8) & 0xffu,
		s.image_version & 0xffu, s.module_count,
		s.module_count == 1 ? "" : "s",
		(unsigned long long)(s.image_bytes >> 10),
		vmm_state_name(s.vmm_state));
	fprintf(c->out, "CPU  online  VMX  CR4.VMXE  exits  last error\n");
	for (cpu = 0; cpu < s.cpu_count; cpu++) {
		memset(&cs, 0, sizeof(cs));
		cs.cpu = cpu;
		rc = call(c, FLANK_IOC_CPU_STATUS, &cs);
		if (rc)
			return report(c, rc, &cs.err);
		fprintf(c->out, "%3u  %-6s  %-3s  %-8s  %5llu  %d\n", cpu,
			cs.online ? "yes" : "no",
			cs.status.running ? "on" : "off",
			(cs.status.cr4 & (1ull << 13)) ? "set" : "clear",
			(unsigned long long)cs.status.exits,
			cs.status.last_error);
	}
	return FLANKCTL_OK;
}

static int cmd_dump(struct ctl *c, int argc, char **argv)
{
	struct flank_ioc_dump d;
	static char buf[FLANK_DUMP_MAX_BYTES];
	int rc;

	(void)argc;
	(void)argv;
	memset(&d, 0, sizeof(d));
	for (;;) {
		d.buf = (uint64_t)(uintptr_t)buf;
		d.len = sizeof(buf);
		d.copied = 0;
		rc = call(c, FLANK_IOC_DUMP, &d);
		if (rc)
			return report(c, rc, &d.err);
		if (d.copied == 0 || d.copied > sizeof(buf))
			break;
		fwrite(buf, 1, d.copied, c->out);
	}
	return FLANKCTL_OK;
}

static int cmd_stats(struct ctl *c, int argc, char **argv)
{
	struct flank_ioc_status s;
	struct flank_ioc_stats st;
	const char *name;
	uint32_t cpu, r;
	int rc;

	(void)argc;
	(void)argv;
	rc = get_status(c, &s);
	if (rc)
		return rc;
	fprintf(c->out, "CPU  reason                      exits\n");
	for (cpu = 0; cpu < s.cpu_count; cpu++) {
		memset(&st, 0, sizeof(st));
		st.cpu = cpu;
		rc = call(c, FLANK_IOC_STATS, &st);
		if (rc)
			return report(c, rc, &st.err);
		for (r = 0; r < FLANK_EXIT_REASONS; r++) {
			if (!st.stats.count[r])
				continue;
			name = flankctl_exit_reason_name(r);
			fprintf(c->out, "%3u  %-20s (%2u)  %llu\n", cpu,
				name ? name : "reason", r,
				(unsigned long long)st.stats.count[r]);
		}
	}
	return FLANKCTL_OK;
}

static int cmd_help(struct ctl *c, int argc, char **argv);

static const struct command commands[] = {
	{"check", "",
	 "Runs the driver's VT-x checks on every online CPU and, if an image "
	 "is\nloaded, the VMM's own checks. Exit 0 if Flank can run here, 1 "
	 "if not.",
	 0, 0, cmd_check, NULL},
	{"load", "[" NO_VMCS_CHECK "] IMAGE [MODULE...]",
	 "Loads the VMM image (vmm.elf) and extension modules, links them "
	 "and\ninitialises the VMM. Nothing runs until 'start'. Given the "
	 "image alone, it\nalso loads " VMCS_CHECK_MODULE
	 " from the image's directory if it is there (the\nVMCS checker "
	 "that names the rule of a failed VM entry); " NO_VMCS_CHECK
	 "\nloads the image alone.",
	 1, FLANK_MODULES_MAX, cmd_load, NO_VMCS_CHECK},
	{"unload", "", "Unloads the image. The VMM must be stopped.", 0, 0,
	 cmd_unload, NULL},
	{"start", "",
	 "Virtualises every online CPU. If one CPU fails, every CPU is rolled "
	 "back.",
	 0, 0, cmd_start, NULL},
	{"stop", "", "Devirtualises every CPU.", 0, 0, cmd_stop, NULL},
	{"status", "", "Prints the driver state, the image and every CPU.", 0,
	 0, cmd_status, NULL},
	{"dump", "", "Prints the VMM's debug ring (oldest text first).", 0, 0,
	 cmd_dump, NULL},
	{"stats", "", "Prints VM exits per basic exit reason on every CPU.", 0,
	 0, cmd_stats, NULL},
	{"help", "[COMMAND]", "Prints help.", 0, 1, cmd_help, NULL},
};

static const struct command *find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	}
	return NULL;
}

static void command_help(FILE *f, const struct command *cmd)
{
	fprintf(f, "Usage: flankctl %s%s%s\n\n%s\n", cmd->name,
		cmd->args[0] ? " " : "", cmd->args, cmd->help);
}

static int cmd_help(struct ctl *c, int argc, char **argv)
{
	const struct command *cmd;

	if (argc == 0) {
		fputs(usage_text, c->out);
		return FLANKCTL_OK;
	}
	cmd = find(argv[0]);
	if (!cmd) {
		fprintf(c->err, "flankctl: help: no command '%s'\n", argv[0]);
		return FLANKCTL_USAGE;
	}
	command_help(c->out, cmd);
	return FLANKCTL_OK;
}

/** Connects and checks that both sides speak the same ioctl ABI. */
static int connect(struct ctl *c, flankctl_open_fn open_dev)
{
	const char *path = getenv("FLANK_DEVICE");
	struct flank_ioc_version v;
	int rc;

	if (!path || !path[0])
		path = "/dev/" FLANK_DEVICE_NAME;
	rc = open_dev(path, &c->dev);
	if (rc) {
		fprintf(c->err, "flankctl: cannot open %s: %s", path,
			strerror(-rc));
		if (rc == -ENOENT || rc == -ENODEV || rc == -ENXIO)
			fprintf(c->err, " (is flank.ko loaded? try "
					"'modprobe flank')\n");
		else if (rc == -EACCES || rc == -EPERM)
			fprintf(c->err, " (run as root)\n");
		else
			fprintf(c->err, "\n");
		return FLANKCTL_NO_DEVICE;
	}
	memset(&v, 0, sizeof(v));
	rc = c->dev.ioctl(c->dev.ctx, FLANK_IOC_VERSION, &v);
	if (rc) {
		report(c, rc, &v.err);
		return FLANKCTL_MISMATCH;
	}
	if (v.ioctl_version != FLANK_IOCTL_VERSION) {
		fprintf(c->err,
			"flankctl: flank.ko speaks ioctl ABI %u, this flankctl "
			"%u: install both from one build\n",
			v.ioctl_version, FLANK_IOCTL_VERSION);
		return FLANKCTL_MISMATCH;
	}
	return FLANKCTL_OK;
}

int flankctl_main(int argc, char **argv, FILE *out, FILE *err,
		  flankctl_open_fn open_dev)
{
	const struct command *cmd;
	struct ctl c;
	int i, nargs, rc;

	memset(&c, 0, sizeof(c));
	c.out = out;
	c.err = err;
	if (argc < 2) {
		fputs(usage_text, err);
		return FLANKCTL_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(usage_text, out);
		return FLANKCTL_OK;
	}
	cmd = find(argv[1]);
	if (!cmd) {
		fprintf(err,
			"flankctl: unknown command '%s' (see 'flankctl "
			"--help')\n",
			argv[1]);
		return FLANKCTL_USAGE;
	}
	c.cmd = cmd->name;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			command_help(out, cmd);
			return FLANKCTL_OK;
		}
		if (cmd->option && !strcmp(argv[i], cmd->option)) {
			/* Taken out of the arguments, which stay in order. */
			c.opt = true;
			memmove(&argv[i], &argv[i + 1],
				(size_t)(argc - i) * sizeof(argv[0]));
			argc--;
			i--;
			continue;
		}
		if (argv[i][0] == '-' && argv[i][1]) {
			fprintf(err, "flankctl: %s: unknown option '%s'\n",
				cmd->name, argv[i]);
			command_help(err, cmd);
			return FLANKCTL_USAGE;
		}
	}
	nargs = argc - 2;
	if (nargs < cmd->min_args ||
	    (cmd->max_args >= 0 && nargs > cmd->max_args)) {
		fprintf(err, "flankctl: %s: wrong number of arguments\n",
			cmd->name);
		command_help(err, cmd);
		return FLANKCTL_USAGE;
	}
	if (cmd->run == cmd_help)
		return cmd_help(&c, nargs, argv + 2);
	rc = connect(&c, open_dev);
	if (rc == FLANKCTL_OK)
		rc = cmd->run(&c, nargs, argv + 2);
	if (c.dev.close)
		c.dev.close(c.dev.ctx);
	return rc;
}
