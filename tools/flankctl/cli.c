// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flankctl: the user's command-line tool for /dev/flank. This file reads
 * the command line (commands, options, help, suggestions for mistakes) and
 * runs the command (commands.c, state.c, top.c).
 */
#include <cpuid.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cli_doc.h"
#include "ctl.h"

/*
 * The commands' code; their synopses, options and help texts are
 * docs/flankctl.8.md's (cli_doc.h, generated), found by name.
 */
struct command {
	const char *name;
	int min_args, max_args; /* -1: unlimited */
	int (*run)(struct ctl *c, int argc, char **argv);
};

static int cmd_help(struct ctl *c, int argc, char **argv);

static const struct command commands[] = {
	{"check", 0, 0, ctl_cmd_check},
	{"load", 1, FLANK_MODULES_MAX, ctl_cmd_load},
	{"unload", 0, 0, ctl_cmd_unload},
	{"start", 0, 0, ctl_cmd_start},
	{"stop", 0, 0, ctl_cmd_stop},
	{"status", 0, 0, ctl_cmd_status},
	{"dump", 0, 0, ctl_cmd_dump},
	{"stats", 0, 0, ctl_cmd_stats},
	{"top", 0, 0, ctl_cmd_top},
	{"help", 0, 1, cmd_help},
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The command's text from docs/flankctl.8.md, or NULL. */
static const struct cli_command *find_doc(const char *name)
{
	unsigned int i;

	for (i = 0; i < flankctl_command_count; i++) {
		if (!strcmp(flankctl_commands[i].name, name))
			return &flankctl_commands[i];
	}
	return NULL;
}

/* A command flankctl both runs and documents, or NULL. */
static const struct command *find(const char *name)
{
	size_t i;

	if (!find_doc(name))
		return NULL;
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	}
	return NULL;
}

/*
 * Levenshtein distance of @p a and @p b, or a large number for words too
 * long to be worth comparing.
 */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, k;
	size_t row[65], prev, tmp, best;

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (k = 0; k <= lb; k++)
		row[k] = k;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (k = 1; k <= lb; k++) {
			tmp = row[k];
			best = prev + (a[i - 1] != b[k - 1]);
			if (row[k] + 1 < best)
				best = row[k] + 1;
			if (row[k - 1] + 1 < best)
				best = row[k - 1] + 1;
			row[k] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

static bool prefix_of(const char *word, const char *name)
{
	return !strncmp(word, name, strlen(word));
}

/*
 * The candidate nearest to @p word if it is close enough to be what was
 * meant (at most 2 edits, or a third of the word), else NULL. @p names
 * are read with stride @p stride from @p base (an array of structures
 * whose first member is the name).
 */
static const char *nearest(const char *word, const void *base, size_t n,
			   size_t stride)
{
	const char *best = NULL, *name;
	size_t i, d, best_d = SIZE_MAX;

	for (i = 0; i < n; i++) {
		name = *(const char *const *)((const char *)base + i * stride);
		d = edit_distance(word, name);
		/* A tie goes to the name that starts with the word. */
		if (d < best_d ||
		    (d == best_d && best && !prefix_of(word, best) &&
		     prefix_of(word, name))) {
			best_d = d;
			best = name;
		}
	}
	if (best && (best_d <= 2 || best_d <= strlen(word) / 3))
		return best;
	return NULL;
}

static void unknown_command(FILE *err, const char *prefix, const char *word)
{
	const char *near =
		nearest(word, flankctl_commands, flankctl_command_count,
			sizeof(flankctl_commands[0]));

	fprintf(err, "flankctl: %s '%s'", prefix, word);
	if (near)
		fprintf(err, ": did you mean '%s'?", near);
	fprintf(err, " (see 'flankctl --help')\n");
}

static int cmd_help(struct ctl *c, int argc, char **argv)
{
	const struct cli_command *doc;

	if (argc == 0) {
		fputs(flankctl_usage, c->out);
		return FLANKCTL_OK;
	}
	doc = find_doc(argv[0]);
	if (!doc) {
		unknown_command(c->err, "help: no command", argv[0]);
		return FLANKCTL_USAGE;
	}
	fputs(doc->help, c->out);
	return FLANKCTL_OK;
}

/* Parses a whole number from @p lo to @p hi; false if @p text is not one. */
static bool parse_number(const char *text, unsigned long lo, unsigned long hi,
			 unsigned long *value)
{
	char *end;

	if (!text || *text < '0' || *text > '9')
		return false;
	errno = 0;
	*value = strtoul(text, &end, 10);
	return errno == 0 && !*end && *value >= lo && *value <= hi;
}

/* Applies option @p o with its value @p value (NULL for a flag). */
static int set_option(struct ctl *c, const struct cli_option *o,
		      const char *value)
{
	if (!strcmp(o->name, "--json")) {
		c->json = true;
	} else if (!strcmp(o->name, "--no-vmcs-check")) {
		c->no_vmcs_check = true;
	} else if (!strcmp(o->name, "--once")) {
		c->count = 1;
	} else if (!strcmp(o->name, "--interval")) {
		if (!parse_number(value, 1, 3600, &c->interval))
			goto err_value;
	} else if (!strcmp(o->name, "--count")) {
		if (!parse_number(value, 1, 1000000, &c->count))
			goto err_value;
	} else {
		/* docs/flankctl.8.md names an option this code lacks. */
		fprintf(c->err, "flankctl: %s: option '%s' is not built in\n",
			c->cmd, o->name);
		return FLANKCTL_USAGE;
	}
	return FLANKCTL_OK;

err_value:
	fprintf(c->err,
		"flankctl: %s: %s takes a whole number (%s), not '%s'\n",
		c->cmd, o->name,
		!strcmp(o->name, "--interval") ? "1 to 3600" : "1 to 1000000",
		value);
	return FLANKCTL_USAGE;
}

static int unknown_option(struct ctl *c, const struct cli_command *doc,
			  const char *word)
{
	static const struct cli_option help = {"--help", NULL};
	const char *near = nearest(word, &help, 1, sizeof(help));
	const char *mine = doc->option_count ? nearest(word, doc->options,
						       doc->option_count,
						       sizeof(doc->options[0]))
					     : NULL;

	if (mine && edit_distance(word, mine) <= edit_distance(word, "--help"))
		near = mine;
	fprintf(c->err, "flankctl: %s: unknown option '%s'", c->cmd, word);
	if (near)
		fprintf(c->err, ": did you mean '%s'?", near);
	fprintf(c->err, "\n");
	fputs(doc->help, c->err);
	return FLANKCTL_USAGE;
}

/*
 * Takes the options out of @p argv (argc words after the command), which
 * keeps the arguments in order; returns FLANKCTL_OK or a usage error, or
 * -1 after printing the command's help (--help).
 */
static int parse_options(struct ctl *c, const struct cli_command *doc,
			 int *argc, char **argv)
{
	const struct cli_option *o;
	const char *value, *eq;
	unsigned int k;
	size_t len;
	int i, n = 0, rc;

	for (i = 0; i < *argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(doc->help, c->out);
			return -1;
		}
		if (argv[i][0] != '-' || !argv[i][1]) {
			argv[n++] = argv[i];
			continue;
		}
		eq = strchr(argv[i], '=');
		len = eq ? (size_t)(eq - argv[i]) : strlen(argv[i]);
		for (o = NULL, k = 0; k < doc->option_count; k++) {
			if (strlen(doc->options[k].name) == len &&
			    !strncmp(doc->options[k].name, argv[i], len))
				o = &doc->options[k];
		}
		if (!o)
			return unknown_option(c, doc, argv[i]);
		value = eq ? eq + 1 : NULL;
		if (!o->arg && value) {
			fprintf(c->err,
				"flankctl: %s: %s takes no value (%s)\n",
				c->cmd, o->name, argv[i]);
			return FLANKCTL_USAGE;
		}
		if (o->arg && !value) {
			if (i + 1 >= *argc) {
				fprintf(c->err,
					"flankctl: %s: %s needs a value (%s)\n",
					c->cmd, o->name, o->arg);
				return FLANKCTL_USAGE;
			}
			value = argv[++i];
		}
		rc = set_option(c, o, value);
		if (rc)
			return rc;
	}
	*argc = n;
	argv[n] = NULL;
	return FLANKCTL_OK;
}

/*
 * CPUID is unprivileged: flankctl can read the one requirement that needs
 * no driver itself. Leaf 0 names the vendor, leaf 1 ECX bit 5 is VMX
 * (SDM Vol. 3C 24.6, "Discovering Support for VMX").
 */
static void cpuid_this_cpu(struct flankctl_cpu *cpu)
{
	unsigned int a = 0, b = 0, c = 0, d = 0;

	memset(cpu, 0, sizeof(*cpu));
	if (!__get_cpuid(0, &a, &b, &c, &d))
		return;
	memcpy(cpu->vendor, &b, 4);
	memcpy(cpu->vendor + 4, &d, 4);
	memcpy(cpu->vendor + 8, &c, 4);
	if (a >= 1 && __get_cpuid(1, &a, &b, &c, &d))
		cpu->vmx = (c & (1u << 5)) != 0;
}

void (*flankctl_cpuid)(struct flankctl_cpu *cpu) = cpuid_this_cpu;

/*
 * `check` when /dev/flank cannot be opened (connect() said why on stderr):
 * a CPU without VT-x settles the answer, as kvm-ok does (exit 1); with
 * VT-x the other checks need the driver (exit 3, FLANKCTL_NO_DEVICE).
 * Not with --json, whose stdout is the schema's document or nothing.
 */
static int check_without_device(struct ctl *c)
{
	struct flankctl_cpu cpu;

	memset(&cpu, 0, sizeof(cpu));
	flankctl_cpuid(&cpu);
	cpu.vendor[sizeof(cpu.vendor) - 1] = '\0';
	if (!cpu.vmx) {
		fprintf(c->out,
			"INFO: CPUID.1:ECX.VMX[bit 5] is 0 (%s): no Intel "
			"VT-x; under a hypervisor, enable nested VT-x\n",
			cpu.vendor);
		fprintf(c->out, "Flank can NOT be used on this machine\n");
		return FLANKCTL_FAILED;
	}
	fprintf(c->out,
		"INFO: CPUID reports VT-x (%s); load flank.ko ('modprobe "
		"flank', as root) for the other checks\n",
		cpu.vendor);
	return FLANKCTL_NO_DEVICE;
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
		ctl_report(c, rc, &v.err);
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
	const struct cli_command *doc;
	const struct command *cmd;
	struct ctl c;
	int nargs, rc;

	memset(&c, 0, sizeof(c));
	c.out = out;
	c.err = err;
	c.interval = 1;
	if (argc < 2) {
		fputs(flankctl_usage, err);
		return FLANKCTL_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		fputs(flankctl_usage, out);
		return FLANKCTL_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		fprintf(out, "flankctl %s (ioctl ABI %u)\n",
			FLANK_VERSION_STRING, FLANK_IOCTL_VERSION);
		return FLANKCTL_OK;
	}
	cmd = find(argv[1]);
	if (!cmd && argv[1][0] == '-') {
		static const struct cli_option global[] = {{"--help", NULL},
							   {"--version", NULL}};
		const char *near = nearest(argv[1], global, ARRAY_SIZE(global),
					   sizeof(global[0]));

		fprintf(err, "flankctl: unknown option '%s'", argv[1]);
		if (near)
			fprintf(err, ": did you mean '%s'?", near);
		fprintf(err, " (see 'flankctl --help')\n");
		return FLANKCTL_USAGE;
	}
	if (!cmd) {
		unknown_command(err, "unknown command", argv[1]);
		return FLANKCTL_USAGE;
	}
	doc = find_doc(cmd->name);
	c.cmd = cmd->name;
	nargs = argc - 2;
	rc = parse_options(&c, doc, &nargs, argv + 2);
	if (rc)
		return rc < 0 ? FLANKCTL_OK : rc;
	if (nargs < cmd->min_args ||
	    (cmd->max_args >= 0 && nargs > cmd->max_args)) {
		fprintf(err, "flankctl: %s: wrong number of arguments\n",
			cmd->name);
		fputs(doc->help, err);
		return FLANKCTL_USAGE;
	}
	if (cmd->run == cmd_help)
		return cmd_help(&c, nargs, argv + 2);
	rc = connect(&c, open_dev);
	if (rc == FLANKCTL_OK)
		rc = cmd->run(&c, nargs, argv + 2);
	else if (rc == FLANKCTL_NO_DEVICE && cmd->run == ctl_cmd_check &&
		 !c.json)
		rc = check_without_device(&c);
	if (c.dev.close)
		c.dev.close(c.dev.ctx);
	return rc;
}
