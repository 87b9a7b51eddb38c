/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flankctl's command logic, separate from the device so that tests run it
 * against the userspace driver core: flankctl_main() parses the command
 * line, talks to a struct flankctl_dev, and prints to the given streams.
 */
#ifndef FLANKCTL_H
#define FLANKCTL_H

#include <stdbool.h>
#include <stdio.h>

/** Exit codes (documented in --help and docs/usage.md). */
enum flankctl_exit {
	FLANKCTL_OK = 0,	/**< Done (check: Flank can run here). */
	FLANKCTL_FAILED = 1,	/**< The driver or the VMM refused. */
	FLANKCTL_USAGE = 2,	/**< Bad command line. */
	FLANKCTL_NO_DEVICE = 3, /**< /dev/flank cannot be opened. */
	FLANKCTL_FILE = 4,	/**< An ELF file cannot be read. */
	FLANKCTL_MISMATCH = 5,	/**< flankctl and flank.ko differ. */
};

/** A connection to the driver. */
struct flankctl_dev {
	void *ctx;
	/** Issues ioctl @p cmd; returns 0 or a negative errno. */
	int (*ioctl)(void *ctx, unsigned long cmd, void *arg);
	void (*close)(void *ctx);
	/**
	 * Waits @p seconds between two samples of 'top'; NULL: sleep(3).
	 * Tests advance the fake VMM's counters here instead.
	 */
	void (*wait)(void *ctx, unsigned int seconds);
};

/**
 * Opens the driver; returns 0, or a negative errno after which flankctl
 * exits with FLANKCTL_NO_DEVICE. @p path is $FLANK_DEVICE or /dev/flank.
 */
typedef int (*flankctl_open_fn)(const char *path, struct flankctl_dev *dev);

/** The whole program; returns its exit code. */
int flankctl_main(int argc, char **argv, FILE *out, FILE *err,
		  flankctl_open_fn open_dev);

/** What `check` learns from CPUID itself when /dev/flank cannot be opened. */
struct flankctl_cpu {
	char vendor[13]; /**< CPUID.0 vendor string (EBX, EDX, ECX). */
	bool vmx;	 /**< CPUID.1:ECX.VMX[bit 5] (SDM Vol. 3C 24.6). */
};

/** Fills a struct flankctl_cpu from this CPU's CPUID; tests replace it. */
extern void (*flankctl_cpuid)(struct flankctl_cpu *cpu);

/** Name of a basic VM-exit reason (SDM Vol. 3D Appendix C), or NULL. */
const char *flankctl_exit_reason_name(unsigned int reason);

#endif /* FLANKCTL_H */
