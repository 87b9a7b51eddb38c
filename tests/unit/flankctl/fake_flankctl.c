// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flankctl against the driver core on the fake kernel (as test_flankctl),
 * as a program, so that scripts can run it: check_json.py parses its
 * --json output, check_top.sh its top.
 *
 *   fake_flankctl STATE [flankctl ARGS...]
 *
 * STATE is what the fake driver holds before the command: "empty", "novmx"
 * (no image, a CPU without VT-x), "loaded" (an image), "running" (started,
 * CPU 1 with 77 CPUID exits) or "ring" ("running", and a ring with a
 * quote, a backslash, a tab and a non-ASCII byte). Each 'top' wait adds
 * 100 * (CPU + 1) CPUID exits per second on every CPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_platform.h"
#include "flankctl.h"

static struct flank_core core;
static struct flank_file file;

static int core_ioctl(void *ctx, unsigned long cmd, void *arg)
{
	(void)ctx;
	return flank_status_errno(flank_core_ioctl(
		&core, &file, (unsigned int)cmd, (uint64_t)(uintptr_t)arg));
}

/* Closing the device releases what the command staged, as the kernel does. */
static void core_close(void *ctx)
{
	(void)ctx;
	flank_core_release(&core, &file);
}

static void fake_wait(void *ctx, unsigned int seconds)
{
	uint32_t cpu;

	(void)ctx;
	for (cpu = 0; cpu < FAKE_MAX_CPUS; cpu++)
		vmm.exits[cpu] += 100ull * (cpu + 1) * seconds;
}

static int core_open(const char *path, struct flankctl_dev *dev)
{
	(void)path;
	dev->ctx = NULL;
	dev->ioctl = core_ioctl;
	dev->close = core_close;
	dev->wait = fake_wait;
	flank_core_open(&core, &file);
	return 0;
}

/* Runs flankctl with @p line's words, output to /dev/null. */
static int quiet(const char *line, const char *image)
{
	char copy[256], *argv[8], *save = NULL, *w;
	FILE *null = fopen("/dev/null", "w");
	int argc = 0, rc;

	snprintf(copy, sizeof(copy), "flankctl %s", line);
	for (w = strtok_r(copy, " ", &save); w && argc < 7;
	     w = strtok_r(NULL, " ", &save))
		argv[argc++] = strcmp(w, "IMAGE") ? w : (char *)image;
	argv[argc] = NULL;
	rc = flankctl_main(argc, argv, null, null, core_open);
	fclose(null);
	return rc;
}

static int prepare(const char *state, const char *image)
{
	if (!strcmp(state, "empty"))
		return 0;
	if (!strcmp(state, "novmx")) {
		fake_no_vmx();
		return 0;
	}
	vmm.real_ring = !strcmp(state, "ring");
	if (quiet("load --no-vmcs-check IMAGE", image))
		return -1;
	if (!strcmp(state, "loaded"))
		return 0;
	if (quiet("start", image))
		return -1;
	vmm.exits[1] = 77;
	vmm.hidden_writes[1] = 3;
	if (!strcmp(state, "running"))
		return 0;
	if (!strcmp(state, "ring")) {
		fake_vmm_log(0, FLANK_LOG_INFO, "started cpu0", true);
		fake_vmm_log(1, FLANK_LOG_WARN,
			     "odd: \"quote\" \\ tab\t byte \xe9 end", true);
		return 0;
	}
	return -1;
}

int main(int argc, char **argv)
{
	char image[] = "/tmp/fake-flankctl-XXXXXX";
	int fd, rc;

	if (argc < 2) {
		fprintf(stderr, "usage: fake_flankctl STATE [ARGS...]\n");
		return 2;
	}
	fake_reset(4);
	fake_vmm_reset();
	flank_core_init(&core, &fake_ops, fake_link, fake_unlink);
	setenv("FLANK_PARAMS_DIR", "/nonexistent/flank-params", 0);
	fd = mkstemp(image);
	if (fd < 0 || write(fd,
			    "\x7f"
			    "ELF",
			    4) != 4) {
		perror("fake_flankctl: image");
		return 2;
	}
	close(fd);
	if (prepare(argv[1], image)) {
		fprintf(stderr, "fake_flankctl: cannot reach state '%s'\n",
			argv[1]);
		unlink(image);
		return 2;
	}
	argv[1] = "flankctl";
	rc = flankctl_main(argc - 1, argv + 1, stdout, stderr, core_open);
	flank_core_fini(&core);
	unlink(image);
	return rc;
}
