/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What flankctl's files share: cli.c reads the command line into a struct
 * ctl and calls a ctl_cmd_*() (commands.c, state.c, top.c), which returns
 * the exit code (enum flankctl_exit) after printing its output or error.
 */
#ifndef FLANKCTL_CTL_H
#define FLANKCTL_CTL_H

#include <stdbool.h>
#include <stdio.h>

#include "flank/flank_ioctl.h"
#include "flankctl.h"

/** One run of flankctl: streams, device and the options given. */
struct ctl {
	FILE *out, *err;
	struct flankctl_dev dev;
	const char *cmd;
	bool no_vmcs_check;	/* load --no-vmcs-check */
	bool json;		/* --json */
	unsigned long interval; /* top --interval, seconds */
	unsigned long count;	/* top --count (--once: 1), 0: unlimited */
};

/** Prints a failed ioctl (the driver's sentence, else errno's); 1. */
int ctl_report(struct ctl *c, int rc, const struct flank_ioc_err *e);

/** Issues ioctl @p nr; 0 or a negative errno. */
int ctl_call(struct ctl *c, unsigned long nr, void *arg);

/** FLANK_IOC_STATUS; FLANKCTL_OK or the reported failure's code. */
int ctl_status(struct ctl *c, struct flank_ioc_status *s);

/* The commands; @p argc words of @p argv are the arguments (no options). */
int ctl_cmd_check(struct ctl *c, int argc, char **argv);
int ctl_cmd_load(struct ctl *c, int argc, char **argv);
int ctl_cmd_unload(struct ctl *c, int argc, char **argv);
int ctl_cmd_start(struct ctl *c, int argc, char **argv);
int ctl_cmd_stop(struct ctl *c, int argc, char **argv);
int ctl_cmd_dump(struct ctl *c, int argc, char **argv);
int ctl_cmd_status(struct ctl *c, int argc, char **argv);
int ctl_cmd_stats(struct ctl *c, int argc, char **argv);
int ctl_cmd_top(struct ctl *c, int argc, char **argv);

#endif /* FLANKCTL_CTL_H */
