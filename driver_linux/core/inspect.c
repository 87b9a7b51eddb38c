// SPDX-License-Identifier: GPL-2.0-only
/*
 * The read-only ioctls: status, per-CPU status, exit statistics, the debug
 * ring and the compatibility check. What the image returns is checked as
 * well: counts are bounded and strings terminated before they leave the
 * kernel.
 */
#include <string.h>

#include "flank_core.h"
#include "flank_core_cmds.h"

static bool has_image(const struct flank_core *core)
{
	return core->state == FLANK_DRV_LOADED ||
	       core->state == FLANK_DRV_RUNNING ||
	       core->state == FLANK_DRV_CORRUPT;
}

int flank_cmd_status(struct flank_core *core, void *arg)
{
	const struct flank_core_ops *ops = core->ops;
	struct flank_ioc_status *s = arg;
	uint32_t cpu;

	s->state = core->state;
	s->cpu_count = ops->cpu_count(ops->ctx);
	s->online_count = 0;
	for (cpu = 0; cpu < s->cpu_count; cpu++) {
		if (ops->cpu_online(ops->ctx, cpu))
			s->online_count++;
	}
	s->module_count = core->nmods;
	/* What this file staged while the device has no image (per file). */
	if (core->state == FLANK_DRV_EMPTY && core->call->file->nmods) {
		s->state = FLANK_DRV_STAGED;
		s->module_count = core->call->file->nmods;
	}
	s->vmm_state = FLANK_STATE_UNLOADED;
	s->image_version = 0;
	s->image_bytes = 0;
	if (has_image(core)) {
		s->vmm_state = core->image.entry->state();
		s->image_version = core->image.entry->version;
		s->image_bytes = core->image.bytes;
	}
	return FLANK_OK;
}

/** Checks a CPU argument and that there is an image to ask. */
static int check_cpu_arg(struct flank_core *core, uint32_t cpu,
			 struct flank_ioc_err *err)
{
	uint32_t n = core->ops->cpu_count(core->ops->ctx);

	if (cpu >= n)
		return flank_fail(err, FLANK_E_BAD_CPU, FLANK_SRC_DRIVER, 0,
				  cpu, "no CPU %u: this machine has CPUs 0-%u",
				  cpu, n ? n - 1 : 0);
	if (!has_image(core))
		return FLANK_E_NOT_LOADED;
	return FLANK_OK;
}

int flank_cmd_cpu_status(struct flank_core *core, void *arg)
{
	struct flank_ioc_cpu_status *s = arg;
	struct flank_cpu_probe probe;
	char text[160];
	uint32_t cpu = s->cpu;
	int rc;

	rc = check_cpu_arg(core, cpu, &s->err);
	if (rc)
		return rc;
	s->online = core->ops->cpu_online(core->ops->ctx, cpu) ? 1u : 0u;
	memset(&s->status, 0, sizeof(s->status));
	rc = core->image.entry->cpu_status(cpu, &s->status);
	if (rc) {
		flank_vmm_text(core, rc, text, sizeof(text));
		return flank_fail(&s->err, FLANK_E_VMM, FLANK_SRC_VMM, rc, cpu,
				  "status of CPU %u: %s", cpu, text);
	}
	/*
	 * A CPU the VMM does not run is outside VMX non-root: its own CR4 is
	 * the truth (CR4.VMXE clear after a stop or a rollback), read there
	 * rather than taken from the image's last record.
	 */
	if (s->online && !s->status.running &&
	    core->ops->probe_cpu(core->ops->ctx, cpu, &probe) == 0)
		s->status.cr4 = probe.cr4;
	s->status.cpu = cpu;
	return FLANK_OK;
}

int flank_cmd_stats(struct flank_core *core, void *arg)
{
	struct flank_ioc_stats *s = arg;
	char text[160];
	uint32_t cpu = s->cpu;
	int rc;

	if (s->reserved)
		return FLANK_E_INVAL;
	rc = check_cpu_arg(core, cpu, &s->err);
	if (rc)
		return rc;
	memset(&s->stats, 0, sizeof(s->stats));
	rc = core->image.entry->exit_stats(cpu, &s->stats);
	if (rc) {
		flank_vmm_text(core, rc, text, sizeof(text));
		return flank_fail(&s->err, FLANK_E_VMM, FLANK_SRC_VMM, rc, cpu,
				  "statistics of CPU %u: %s", cpu, text);
	}
	s->stats.cpu = cpu;
	return FLANK_OK;
}

int flank_cmd_dump(struct flank_core *core, void *arg)
{
	const struct flank_core_ops *ops = core->ops;
	struct flank_ioc_dump *d = arg;
	uint64_t pos = d->pos;
	size_t copied;
	char *buf;
	int rc = FLANK_OK;

	if (!has_image(core))
		return FLANK_E_NOT_LOADED;
	if (d->len == 0)
		return flank_fail(&d->err, FLANK_E_INVAL, FLANK_SRC_DRIVER, 0,
				  FLANK_NO_CPU, "dump: the buffer is empty");
	if (d->len > FLANK_DUMP_MAX_BYTES)
		return flank_fail(&d->err, FLANK_E_TOO_BIG, FLANK_SRC_DRIVER, 0,
				  FLANK_NO_CPU,
				  "dump: at most %u bytes per read",
				  FLANK_DUMP_MAX_BYTES);
	buf = ops->alloc(ops->ctx, d->len);
	if (!buf)
		return FLANK_E_NO_MEMORY;
	copied = core->image.entry->ring_read(&d->pos, buf, d->len);
	if (copied > d->len) {
		rc = flank_fail(
			&d->err, FLANK_E_VMM, FLANK_SRC_DRIVER, 0, FLANK_NO_CPU,
			"dump: the VMM returned %llu bytes for a %u-byte "
			"buffer",
			(unsigned long long)copied, d->len);
		goto out;
	}
	/* Copied out by flank_finish_dump, after the lock. */
	d->copied = (uint32_t)copied;
	core->call->out = buf;
	core->call->out_len = copied;
	core->call->out_addr = d->buf;
	core->call->out_pos = pos;
	return FLANK_OK;
out:
	ops->free(ops->ctx, buf);
	return rc;
}

int flank_finish_dump(struct flank_core *core, struct flank_call *call,
		      void *arg, int rc)
{
	const struct flank_core_ops *ops = core->ops;
	struct flank_ioc_dump *d = arg;

	if (rc != FLANK_OK || !call->out_len)
		return rc;
	if (ops->copy_to_user(ops->ctx, call->out_addr, call->out,
			      call->out_len)) {
		/* Nothing was delivered: read it again next time. */
		d->pos = call->out_pos;
		d->copied = 0;
		return FLANK_E_FAULT;
	}
	return rc;
}

/** Arguments of vmm_check carried to the CPU that runs it. */
struct check_call {
	const struct flank_image_entry *entry;
	struct flank_check_report *report;
};

static int tramp_check(void *arg)
{
	struct check_call *call = arg;

	return call->entry->check(call->report);
}

/** Bounds what the image wrote: counts and strings. */
static int sanitize_report(struct flank_check_report *r)
{
	uint32_t i;

	if (r->count > FLANK_CHECK_MAX_ITEMS || r->failed > r->count)
		return -1;
	for (i = 0; i < r->count; i++) {
		r->item[i].name[sizeof(r->item[i].name) - 1] = '\0';
		r->item[i].text[sizeof(r->item[i].text) - 1] = '\0';
	}
	return 0;
}

int flank_cmd_check(struct flank_core *core, void *arg)
{
	const struct flank_core_ops *ops = core->ops;
	struct flank_ioc_check *c = arg;
	struct check_call call;
	char text[160];
	int rc;

	if (c->reserved)
		return FLANK_E_INVAL;
	memset(&c->host, 0, sizeof(c->host));
	memset(&c->image, 0, sizeof(c->image));
	c->image_ran = 0;
	flank_host_check(core, &c->host);
	if (!has_image(core))
		return FLANK_OK;
	/* vmm_check runs on the calling CPU: pin it to the boot CPU. */
	call.entry = core->image.entry;
	call.report = &c->image;
	rc = ops->run_on_cpu(ops->ctx, 0, tramp_check, &call);
	if (rc < 0)
		return flank_fail(&c->err, FLANK_E_CPU_CALL, FLANK_SRC_DRIVER,
				  rc, 0, "check: could not run on CPU 0");
	if (sanitize_report(&c->image))
		return flank_fail(&c->err, FLANK_E_VMM, FLANK_SRC_DRIVER, 0,
				  FLANK_NO_CPU,
				  "check: the VMM returned a malformed report "
				  "(%u items, %u failed)",
				  c->image.count, c->image.failed);
	if (rc > 0 && c->image.count == 0) {
		flank_vmm_text(core, rc, text, sizeof(text));
		return flank_fail(&c->err, FLANK_E_VMM, FLANK_SRC_VMM, rc, 0,
				  "check: %s", text);
	}
	c->image_ran = 1;
	return FLANK_OK;
}
