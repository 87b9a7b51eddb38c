// SPDX-License-Identifier: GPL-2.0-only
/*
 * The kernel log's copy of the VMM's debug ring (issue #14 item 7).
 *
 * From VMX root (inside its exit handler) the image never calls the
 * platform's log: printk takes console locks that the interrupted guest
 * may hold, and runs on the VMM's 4 KiB stack. It writes only the ring.
 * Everything reaches the kernel log through this drain instead, which
 * reads the ring with the image's ring_read from the core's own cursor
 * (core->log_pos), so `flankctl dump`, which keeps its own position, still
 * sees every record.
 *
 * When it runs: whenever the image calls the platform's log (outside its
 * exit handler: the line it just wrote is then the newest record, and any
 * line an exit handler left before it comes out first, in ring order),
 * before each of the driver's own lines (flank_log), and at the end of
 * every ioctl, CPU hotplug callback, PM and reboot event, and of the
 * module's periodic poll (main.c), all under the core's lock. So an
 * exit-handler line waits at most until the next of those.
 *
 * Concurrency: every caller holds ops->lock, or is the image running on a
 * CPU (run_on_cpu) for a lock holder that waits for it; the image's own
 * log calls are therefore never concurrent with another drain. The
 * `draining` flag only keeps a drain from re-entering itself.
 */
#include <stdio.h>
#include <string.h>

#include "flank_core.h"

static enum flank_log_level level_of(const char *name, size_t len)
{
	static const struct {
		const char *name;
		enum flank_log_level level;
	} names[] = {
		{"error", FLANK_LOG_ERROR},
		{"warn", FLANK_LOG_WARN},
		{"info", FLANK_LOG_INFO},
		{"debug", FLANK_LOG_DEBUG},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == len &&
		    memcmp(names[i].name, name, len) == 0)
			return names[i].level;
	return FLANK_LOG_INFO;
}

/*
 * Prints one line of the text reader's output (image_abi.h ring_read,
 * libvmm's vmm_ring_read_text): "[<pos>] cpu<N> <level>: <text>" as
 * "vmm: <text>" at its level, "[lost <n> records]" as a warning that names
 * `flankctl dump`; anything else (an image with another format) as is.
 */
static void drain_line(struct flank_core *core, const char *line)
{
	const struct flank_core_ops *ops = core->ops;
	const char *p = line, *lvl, *colon;
	char out[288];

	if (strncmp(line, "[lost ", 6) == 0) {
		snprintf(out, sizeof(out),
			 "vmm: %.64s before the kernel log got them (flankctl "
			 "dump holds the rest of the ring)",
			 line);
		ops->log(ops->ctx, FLANK_LOG_WARN, out);
		return;
	}
	if (*p == '[' && (p = strchr(p, ']')) != NULL &&
	    strncmp(p, "] cpu", 5) == 0 && (lvl = strchr(p + 5, ' ')) != NULL &&
	    (colon = strstr(lvl, ": ")) != NULL) {
		lvl++;
		snprintf(out, sizeof(out), "vmm: %.256s", colon + 2);
		ops->log(ops->ctx, level_of(lvl, (size_t)(colon - lvl)), out);
		return;
	}
	snprintf(out, sizeof(out), "vmm: %.256s", line);
	ops->log(ops->ctx, FLANK_LOG_INFO, out);
}

/*
 * A bounded drain stopped inside what ring_read copied: move the cursor back
 * to the first record not printed ("[<pos>] ..." in @p rest), so the next
 * drain prints it. A "[lost N records]" line there is skipped (the loss was
 * not printed; the records themselves are gone anyway).
 */
static void rewind_to(struct flank_core *core, const char *rest)
{
	const char *p = rest;

	while (*p != '\0') {
		if (p[0] == '[' && p[1] >= '0' && p[1] <= '9') {
			uint64_t pos = 0;

			for (p++; *p >= '0' && *p <= '9'; p++)
				pos = pos * 10u + (uint64_t)(*p - '0');
			if (*p == ']')
				core->log_pos = pos;
			return;
		}
		p = strchr(p, '\n');
		if (p == NULL)
			return;
		p++;
	}
}

bool flank_log_drain_max(struct flank_core *core, size_t max_lines)
{
	const struct flank_image_entry *e = core->image.entry;
	size_t lines = 0;

	if (e == NULL || e->ring_read == NULL || !core->log_live ||
	    core->draining)
		return false;
	core->draining = true;
	while (lines < max_lines) {
		char *buf = core->drain_buf, *line, *nl;
		size_t n = e->ring_read(&core->log_pos, buf,
					sizeof(core->drain_buf) - 1);

		if (n == 0)
			break;
		/* An image that claims more than it was given is not
		 * believed (as in the dump ioctl). */
		if (n > sizeof(core->drain_buf) - 1)
			n = sizeof(core->drain_buf) - 1;
		buf[n] = '\0';
		for (line = buf; *line != '\0'; line = nl + 1) {
			nl = strchr(line, '\n');
			if (nl != NULL)
				*nl = '\0';
			if (*line != '\0')
				drain_line(core, line);
			lines++;
			if (nl == NULL)
				break;
			if (lines >= max_lines) {
				rewind_to(core, nl + 1);
				break;
			}
		}
	}
	core->draining = false;
	return true;
}

void flank_core_poll_log(struct flank_core *core)
{
	const struct flank_core_ops *ops = core->ops;

	ops->lock(ops->ctx, false);
	(void)flank_log_drain(core);
	ops->unlock(ops->ctx, false);
}

bool flank_log_drain(struct flank_core *core)
{
	return flank_log_drain_max(core, FLANK_DRAIN_MAX_LINES);
}
