// SPDX-License-Identifier: GPL-2.0-only
/*
 * The ioctl edge of the driver core: who may call, which numbers exist, how
 * big each argument is, and the copy in / copy out around every command.
 * Every argument is hostile: it is copied once into kernel memory, checked
 * there, and only then acted upon (no double fetch). User memory is read
 * and written only outside the lock (struct flank_call).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "flank_core.h"
#include "flank_core_cmds.h"

/** Version of the driver, 0x00MMmmpp. */
#define FLANK_DRIVER_VERSION 0x000100u

static int cmd_version(struct flank_core *core, void *arg)
{
	struct flank_ioc_version *v = arg;

	(void)core;
	v->ioctl_version = FLANK_IOCTL_VERSION;
	v->image_abi_version = FLANK_IMAGE_ABI_VERSION;
	v->driver_version = FLANK_DRIVER_VERSION;
	v->reserved = 0;
	return FLANK_OK;
}

/*
 * One ioctl: its number, argument size, and handler. Members ordered to pack
 * (no hole between cmd and size); the table names them, so order is free.
 */
struct flank_ioc_desc {
	unsigned int cmd;
	bool copy_in; /**< False for read-only (_IOR) commands. */
	size_t size;
	int (*fn)(struct flank_core *core, void *arg);
	/** Optional: user memory to read before the lock. */
	void (*prefetch)(struct flank_core *core, struct flank_call *call,
			 const void *arg);
	/** Optional: user memory to write after the lock; returns rc. */
	int (*finish)(struct flank_core *core, struct flank_call *call,
		      void *arg, int rc);
};

#define IOC(c, arg_type, in, handler)                                          \
	{                                                                      \
		.cmd = (c), .copy_in = (in), .size = sizeof(arg_type),         \
		.fn = (handler)                                                \
	}

static const struct flank_ioc_desc ioc_table[] = {
	IOC(FLANK_IOC_VERSION, struct flank_ioc_version, false, cmd_version),
	{
		.cmd = FLANK_IOC_ADD_MODULE,
		.copy_in = true,
		.size = sizeof(struct flank_ioc_module),
		.fn = flank_cmd_add_module,
		.prefetch = flank_prefetch_add_module,
	},
	IOC(FLANK_IOC_LOAD, struct flank_ioc_cmd, true, flank_cmd_load),
	IOC(FLANK_IOC_UNLOAD, struct flank_ioc_cmd, true, flank_cmd_unload),
	IOC(FLANK_IOC_START, struct flank_ioc_cmd, true, flank_cmd_start),
	IOC(FLANK_IOC_STOP, struct flank_ioc_cmd, true, flank_cmd_stop),
	IOC(FLANK_IOC_STATUS, struct flank_ioc_status, true, flank_cmd_status),
	IOC(FLANK_IOC_CPU_STATUS, struct flank_ioc_cpu_status, true,
	    flank_cmd_cpu_status),
	IOC(FLANK_IOC_STATS, struct flank_ioc_stats, true, flank_cmd_stats),
	{
		.cmd = FLANK_IOC_DUMP,
		.copy_in = true,
		.size = sizeof(struct flank_ioc_dump),
		.fn = flank_cmd_dump,
		.finish = flank_finish_dump,
	},
	IOC(FLANK_IOC_CHECK, struct flank_ioc_check, true, flank_cmd_check),
};

#undef IOC

static const struct flank_ioc_desc *ioc_find(unsigned int cmd)
{
	size_t i;

	for (i = 0; i < sizeof(ioc_table) / sizeof(ioc_table[0]); i++) {
		if (ioc_table[i].cmd == cmd)
			return &ioc_table[i];
	}
	return NULL;
}

int flank_core_ioctl(struct flank_core *core, struct flank_file *file,
		     unsigned int cmd, uint64_t arg)
{
	const struct flank_core_ops *ops = core->ops;
	const struct flank_ioc_desc *d;
	struct flank_call call = {.file = file, .in_rc = FLANK_E_INVAL};
	struct flank_ioc_err *err;
	void *buf;
	int rc;

	if (!ops->capable(ops->ctx))
		return FLANK_E_PERM;
	d = ioc_find(cmd);
	if (!d)
		return FLANK_E_BAD_IOCTL;
	buf = ops->alloc(ops->ctx, d->size);
	if (!buf)
		return FLANK_E_NO_MEMORY;
	if (d->copy_in && ops->copy_from_user(ops->ctx, buf, arg, d->size)) {
		rc = FLANK_E_FAULT;
		goto out_free;
	}
	/* Whatever the caller left in the error block is not input. */
	err = buf;
	memset(err, 0, sizeof(*err));
	err->cpu = FLANK_NO_CPU;

	/* User memory only outside the lock (struct flank_call). */
	if (d->prefetch)
		d->prefetch(core, &call, buf);
	ops->lock(ops->ctx, false);
	core->call = &call;
	rc = d->fn(core, buf);
	core->call = NULL;
	/* What the image's exit handlers logged meanwhile (logdrain.c). */
	(void)flank_log_drain(core);
	ops->unlock(ops->ctx, false);
	if (d->finish)
		rc = d->finish(core, &call, buf, rc);
	ops->free(ops->ctx, call.in);
	ops->free(ops->ctx, call.out);

	if (rc != FLANK_OK && err->code == FLANK_OK)
		flank_fail(err, rc, FLANK_SRC_DRIVER, 0, FLANK_NO_CPU, "%s",
			   flank_status_str(rc));
	if (ops->copy_to_user(ops->ctx, arg, buf, d->size) && rc == FLANK_OK)
		rc = FLANK_E_FAULT;
out_free:
	ops->free(ops->ctx, buf);
	return rc;
}

void flank_log(struct flank_core *core, enum flank_log_level level,
	       const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/* The image's earlier lines first, so the kernel log keeps order. */
	(void)flank_log_drain(core);
	core->ops->log(core->ops->ctx, level, line);
}

int flank_entry_validate(const struct flank_image_entry *e,
			 struct flank_ioc_err *err)
{
	if (!e)
		return flank_fail(err, FLANK_E_BAD_ENTRY, FLANK_SRC_DRIVER, 0,
				  FLANK_NO_CPU,
				  "the image exports no '%s' table: is it a "
				  "Flank VMM image?",
				  FLANK_IMAGE_ENTRY_SYMBOL);
	if (e->abi_version != FLANK_IMAGE_ABI_VERSION)
		return flank_fail(err, FLANK_E_ABI_VERSION, FLANK_SRC_DRIVER,
				  (int32_t)e->abi_version, FLANK_NO_CPU,
				  "the image speaks image ABI %u, this driver "
				  "%u: rebuild vmm.elf and flank.ko together",
				  e->abi_version, FLANK_IMAGE_ABI_VERSION);
	if (e->size < sizeof(*e))
		return flank_fail(err, FLANK_E_BAD_ENTRY, FLANK_SRC_DRIVER,
				  (int32_t)e->size, FLANK_NO_CPU,
				  "the image's entry table is %u bytes, "
				  "expected at least %u",
				  e->size, (unsigned int)sizeof(*e));
	if (!e->init || !e->fini || !e->check || !e->start_all ||
	    !e->stop_all || !e->start_cpu || !e->stop_cpu || !e->state ||
	    !e->cpu_status || !e->exit_stats || !e->ring_read ||
	    !e->status_str || !e->crash_cpu)
		return flank_fail(
			err, FLANK_E_BAD_ENTRY, FLANK_SRC_DRIVER, 0,
			FLANK_NO_CPU,
			"the image's entry table has a NULL function");
	return FLANK_OK;
}

void flank_vmm_text(struct flank_core *core, int status, char *out, size_t max)
{
	const struct flank_image_entry *e = core->image.entry;
	const char *sentence = flank_vmm_sentence(status);

	/* The image names its statuses; the sentences live here. */
	if (sentence) {
		flank_strlcpy(out, sentence, max);
		return;
	}
	if (!e) {
		snprintf(out, max, "VMM status %d", status);
		return;
	}
	flank_strlcpy(out, e->status_str(status), max);
	if (!out[0])
		snprintf(out, max, "VMM status %d", status);
}
