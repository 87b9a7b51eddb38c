// SPDX-License-Identifier: GPL-2.0-only
/*
 * The driver's state machine:
 *
 *   EMPTY --add--> STAGED --load--> LOADED --start--> RUNNING
 *     ^              |                |  ^               |
 *     +---unload-----+<----unload-----+  +-----stop------+
 *                                           stop fails --> CORRUPT
 *
 * STAGED is a state of one open file, not of the device (issue #15): the
 * modules a file adds are its own (struct flank_file), only its LOAD
 * links them, and closing it frees them. The device itself is EMPTY until
 * a load succeeds; STATUS reports STAGED to the file that staged.
 *
 * Every transition not drawn is refused with its own status. CORRUPT is a
 * dead end on purpose: after a failed stop some CPU may still run in VMX
 * operation with the image's code and pages, so nothing may be freed: not
 * the image, and not the module either (become_corrupt pins it).
 */
#include <string.h>

#include "flank_core.h"
#include "flank_core_cmds.h"

void flank_core_init(struct flank_core *core, const struct flank_core_ops *ops,
		     flank_link_fn link, flank_unlink_fn unlink)
{
	memset(core, 0, sizeof(*core));
	core->ops = ops;
	core->state = FLANK_DRV_EMPTY;
	core->ring_kib = FLANK_RING_DEFAULT_SIZE >> 10;
	core->hide = FLANK_HIDE_ALL;
	core->link = link;
	core->unlink = unlink;
}

/*
 * Frees the debug ring and the host stacks; only once the image let go of
 * them (fini done).
 */
static void ring_free(struct flank_core *core)
{
	core->log_live = false;
	core->ops->free(core->ops->ctx, core->ring_mem);
	core->ring_mem = NULL;
	flank_stacks_free(core);
}

void flank_core_open(struct flank_core *core, struct flank_file *file)
{
	(void)core;
	memset(file, 0, sizeof(*file));
}

/** Frees the ELF bytes of @p mod[0 .. n-1]. */
static void free_modules(struct flank_core *core, struct flank_module *mod,
			 uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++) {
		core->ops->free(core->ops->ctx, mod[i].bytes);
		mod[i].bytes = NULL;
		mod[i].size = 0;
	}
}

/** Frees what @p file staged. */
static void drop_file(struct flank_core *core, struct flank_file *file)
{
	free_modules(core, file->mod, file->nmods);
	file->nmods = 0;
	file->staged_bytes = 0;
}

void flank_core_release(struct flank_core *core, struct flank_file *file)
{
	core->ops->lock(core->ops->ctx, false);
	drop_file(core, file);
	core->ops->unlock(core->ops->ctx, false);
}

/** Frees the linked modules' ELF bytes (not needed after a link). */
static void drop_staged(struct flank_core *core)
{
	free_modules(core, core->mod, core->nmods);
	core->staged_bytes = 0;
}

/*
 * Bits 12:0 of HOST_CR3 must be 0. Bit 12 is PTI_USER_PGTABLE_BIT: with
 * page-table isolation Linux's NMI and #MC entry (paranoid_entry,
 * SAVE_AND_SWITCH_TO_KERNEL_CR3 in arch/x86/entry/calling.h) takes a CR3
 * with bit 12 set for the user half of an 8 KiB top-level pair and clears
 * bits 12 and 11 (PTI_USER_PCID_BIT), so an NMI in VMX root would run on
 * the page below HOST_CR3 and the CPU would triple-fault. Bits 11:0 are
 * the PCID (CR4.PCIDE) or PWT/PCD; a page-aligned table has them 0. The
 * module's table is an 8 KiB-aligned pair (kmap.c); this is its check.
 */
#define HOST_CR3_MUST_BE_ZERO 0x1fffull

/*
 * The one way into CORRUPT. A CPU may still run under the image, and the
 * image calls back into the module from VMX root (the platform table:
 * cpu_id, page_alloc, log, ...), so the module must outlive it: the first
 * entry pins the module until reboot (rmmod then fails with "Module flank
 * is in use"). Later failures find the state CORRUPT already and pin
 * nothing more: one reference is enough, and it is never dropped.
 * @p unloading: called from flank_core_fini, where rmmod is under way and
 * no reference can stop it any more.
 */
static void become_corrupt(struct flank_core *core, bool unloading)
{
	if (core->state == FLANK_DRV_CORRUPT)
		return;
	core->state = FLANK_DRV_CORRUPT;
	core->ops->pin_module(core->ops->ctx);
	if (unloading)
		flank_log(core, FLANK_LOG_ERROR,
			  "the VMM could not be stopped while flank.ko is "
			  "unloaded: a CPU may still call into it; reboot "
			  "now");
	else
		flank_log(core, FLANK_LOG_ERROR,
			  "flank.ko is pinned until reboot: a CPU may still "
			  "run under the VMM and call into it, so rmmod fails "
			  "with \"Module flank is in use\"; reboot to recover");
}

/** Refusal for commands that need an idle driver (no image, or staged). */
static int refuse_if_loaded(struct flank_core *core)
{
	switch (core->state) {
	case FLANK_DRV_LOADED:
		return FLANK_E_LOADED;
	case FLANK_DRV_RUNNING:
		return FLANK_E_RUNNING;
	case FLANK_DRV_CORRUPT:
		return FLANK_E_CORRUPT;
	default:
		return FLANK_OK;
	}
}

/* Module names are printed in logs: keep them to printable ASCII. */
static int copy_name(char *dst, const char *src)
{
	if (strnlen(src, FLANK_NAME_MAX) == FLANK_NAME_MAX)
		return FLANK_E_INVAL;
	flank_printable_copy(dst, src, FLANK_NAME_MAX);
	return FLANK_OK;
}

void flank_prefetch_add_module(struct flank_core *core, struct flank_call *call,
			       const void *arg)
{
	const struct flank_core_ops *ops = core->ops;
	const struct flank_ioc_module *m = arg;

	/* What flank_cmd_add_module refuses anyway is not worth a copy. */
	call->in_rc = FLANK_E_INVAL;
	if (m->flags || m->sig_state || m->sig_reason || m->size == 0 ||
	    m->size > FLANK_MODULE_MAX_BYTES)
		return;
	call->in = ops->alloc(ops->ctx, (size_t)m->size);
	if (!call->in) {
		call->in_rc = FLANK_E_NO_MEMORY;
		return;
	}
	if (ops->copy_from_user(ops->ctx, call->in, m->data, (size_t)m->size)) {
		ops->free(ops->ctx, call->in);
		call->in = NULL;
		call->in_rc = FLANK_E_FAULT;
		return;
	}
	/* Verified now, outside the locks; judged at load (lockdown may be
	 * raised meanwhile). The copy is the driver's: nobody changes it. */
	call->in_sig.bytes = call->in;
	call->in_sig.size = (size_t)m->size;
	flank_sig_check(core, &call->in_sig);
	call->in_sig.bytes = NULL;
	call->in_rc = FLANK_OK;
}

int flank_cmd_add_module(struct flank_core *core, void *arg)
{
	struct flank_file *f = core->call->file;
	struct flank_ioc_module *m = arg;
	struct flank_module *mod;
	int rc;

	if (m->flags || m->sig_state || m->sig_reason)
		return flank_fail(&m->err, FLANK_E_INVAL, FLANK_SRC_DRIVER, 0,
				  FLANK_NO_CPU,
				  "add module: flags and the reserved "
				  "sig_state/sig_reason must be 0");
	rc = refuse_if_loaded(core);
	if (rc)
		return rc;
	if (m->size == 0)
		return flank_fail(&m->err, FLANK_E_INVAL, FLANK_SRC_DRIVER, 0,
				  FLANK_NO_CPU,
				  "add module: the file is empty");
	if (m->size > FLANK_MODULE_MAX_BYTES)
		return flank_fail(&m->err, FLANK_E_TOO_BIG, FLANK_SRC_DRIVER, 0,
				  FLANK_NO_CPU,
				  "add module: %llu bytes is more than the %u "
				  "bytes one module may have",
				  (unsigned long long)m->size,
				  FLANK_MODULE_MAX_BYTES);
	if (f->nmods >= FLANK_MODULES_MAX)
		return flank_fail(&m->err, FLANK_E_TOO_MANY, FLANK_SRC_DRIVER,
				  0, FLANK_NO_CPU,
				  "add module: at most %u modules (the image "
				  "and its extensions) can be linked",
				  FLANK_MODULES_MAX);
	if (f->staged_bytes + m->size > FLANK_STAGED_MAX_BYTES)
		return flank_fail(&m->err, FLANK_E_TOO_BIG, FLANK_SRC_DRIVER, 0,
				  FLANK_NO_CPU,
				  "add module: all modules together may have "
				  "at most %u bytes",
				  FLANK_STAGED_MAX_BYTES);
	mod = &f->mod[f->nmods];
	if (copy_name(mod->name, m->name))
		return flank_fail(&m->err, FLANK_E_INVAL, FLANK_SRC_DRIVER, 0,
				  FLANK_NO_CPU,
				  "add module: the name is not NUL-terminated");
	/* The bytes were read before the lock (flank_prefetch_add_module). */
	if (core->call->in_rc == FLANK_E_FAULT)
		return flank_fail(
			&m->err, FLANK_E_FAULT, FLANK_SRC_DRIVER, 0,
			FLANK_NO_CPU,
			"add module: could not read %llu bytes at the "
			"given address",
			(unsigned long long)m->size);
	if (!core->call->in)
		return FLANK_E_NO_MEMORY;
	mod->bytes = core->call->in;
	core->call->in = NULL;
	/* The ELF bytes only: the loader never sees the signature. */
	mod->size = core->call->in_sig.size;
	mod->sig_state = core->call->in_sig.sig_state;
	mod->sig_reason = core->call->in_sig.sig_reason;
	mod->sig_errno = core->call->in_sig.sig_errno;
	m->sig_state = mod->sig_state;
	m->sig_reason = mod->sig_reason;
	f->nmods++;
	f->staged_bytes += mod->size;
	return FLANK_OK;
}

int flank_cmd_load(struct flank_core *core, void *arg)
{
	const struct flank_core_ops *ops = core->ops;
	struct flank_ioc_cmd *c = arg;
	const struct flank_image_entry *e;
	const char *why;
	char text[160];
	int rc;

	if (c->flags || c->reserved)
		return FLANK_E_INVAL;
	rc = refuse_if_loaded(core);
	if (rc)
		return rc;
	if (core->call->file->nmods == 0)
		return FLANK_E_NO_MODULES;
	/* The file's staged modules become the load's (freed on any exit). */
	memcpy(core->mod, core->call->file->mod, sizeof(core->mod));
	core->nmods = core->call->file->nmods;
	core->staged_bytes = core->call->file->staged_bytes;
	memset(core->call->file, 0, sizeof(*core->call->file));
	/* main.c checked ring_kib at insmod; the core trusts no caller. */
	why = flank_ring_kib_check(core->ring_kib);
	if (why) {
		rc = flank_fail(&c->err, FLANK_E_INVAL, FLANK_SRC_DRIVER, 0,
				FLANK_NO_CPU, "load: ring_kib=%u: %s",
				core->ring_kib, why);
		goto err_drop;
	}
	/* Before anything is linked: the image gets host_cr3 at init. */
	if (ops->host_cr3 & HOST_CR3_MUST_BE_ZERO) {
		rc = flank_fail(&c->err, FLANK_E_INVAL, FLANK_SRC_DRIVER, 0,
				FLANK_NO_CPU,
				"load: HOST_CR3 %#llx is not 8 KiB aligned: "
				"under page-table isolation an NMI in VMX root "
				"reads bit 12 as the user half and clears bits "
				"12:11 (a flank.ko bug, please report it)",
				(unsigned long long)ops->host_cr3);
		goto err_drop;
	}
	rc = flank_sig_policy(core, &c->err);
	if (rc)
		goto err_drop;

	/*
	 * The image writes its debug ring here from VMX root (image_abi.h).
	 * Allocated before the link: the link runs the modules' init arrays,
	 * and no code of a load may run unless the load is accepted.
	 */
	core->ring_mem = ops->alloc(ops->ctx, (size_t)core->ring_kib << 10);
	if (!core->ring_mem) {
		rc = flank_fail(&c->err, FLANK_E_NO_MEMORY, FLANK_SRC_DRIVER, 0,
				FLANK_NO_CPU,
				"load: no memory for the %u KiB debug ring "
				"(module parameter ring_kib)",
				core->ring_kib);
		goto err_drop;
	}
	/* The guarded host stacks, which the image asks for from any context
	 * (core/stacks.c): allocated here, where sleeping is allowed. */
	rc = flank_stacks_alloc(core, &c->err);
	if (rc)
		goto err_ring;
	rc = core->link(core, &c->err);
	if (rc)
		goto err_ring;
	e = core->image.entry;
	/* The real link checked it already; a substituted one may not have. */
	rc = flank_entry_validate(e, &c->err);
	if (rc)
		goto err_unlink;
	flank_platform_fill(core);
	/* A fresh ring: the kernel log's copy starts at its first record,
	 * and may be drained from init's own log lines on (logdrain.c). */
	core->log_pos = 0;
	core->log_live = true;
	/* Unverified code is about to run in ring 0: say so, as insmod does. */
	flank_sig_taint(core);
	rc = e->init(&core->platform);
	if (rc) {
		flank_vmm_text(core, rc, text, sizeof(text));
		rc = flank_fail(&c->err, FLANK_E_VMM, FLANK_SRC_VMM, rc,
				FLANK_NO_CPU,
				"the VMM refused to initialise: %s", text);
		goto err_init;
	}
	drop_staged(core);
	core->state = FLANK_DRV_LOADED;
	flank_log(core, FLANK_LOG_INFO,
		  "loaded %s (%u module%s, %llu KiB, Flank %u.%u.%u)",
		  core->mod[0].name, core->nmods, core->nmods == 1 ? "" : "s",
		  (unsigned long long)(core->image.bytes >> 10),
		  (e->version >> 16) & 0xffu, (e->version >> 8) & 0xffu,
		  e->version & 0xffu);
	return FLANK_OK;

err_init:
	/* A refused init keeps no pointer to the ring (VMM state UNLOADED). */
	core->nvmm_pages = 0;
err_unlink:
	core->unlink(core);
	memset(&core->image, 0, sizeof(core->image));
err_ring:
	ring_free(core);
err_drop:
	drop_staged(core);
	core->nmods = 0;
	core->state = FLANK_DRV_EMPTY;
	flank_log(core, FLANK_LOG_ERROR, "load failed: %s", c->err.text);
	return rc;
}

int flank_cmd_unload(struct flank_core *core, void *arg)
{
	struct flank_ioc_cmd *c = arg;
	char text[160];
	int rc;

	if (c->flags || c->reserved)
		return FLANK_E_INVAL;
	switch (core->state) {
	case FLANK_DRV_EMPTY:
	case FLANK_DRV_STAGED: /* Never the device's state: per file. */
		if (!core->call->file->nmods)
			return FLANK_E_NOT_LOADED;
		drop_file(core, core->call->file);
		return FLANK_OK;
	case FLANK_DRV_RUNNING:
		return FLANK_E_RUNNING;
	case FLANK_DRV_CORRUPT:
		return FLANK_E_CORRUPT;
	case FLANK_DRV_LOADED:
		break;
	}
	/* The last lines of the image, while its ring exists. */
	(void)flank_log_drain(core);
	rc = core->image.entry->fini();
	if (rc) {
		flank_vmm_text(core, rc, text, sizeof(text));
		return flank_fail(&c->err, FLANK_E_VMM, FLANK_SRC_VMM, rc,
				  FLANK_NO_CPU, "the VMM refused to unload: %s",
				  text);
	}
	core->unlink(core);
	memset(&core->image, 0, sizeof(core->image));
	ring_free(core);
	/* Pages the image did not give back are its leak, not tracked. */
	core->nvmm_pages = 0;
	core->nmods = 0;
	core->state = FLANK_DRV_EMPTY;
	flank_log(core, FLANK_LOG_INFO, "unloaded");
	return FLANK_OK;
}

int flank_cmd_start(struct flank_core *core, void *arg)
{
	struct flank_ioc_cmd *c = arg;
	uint32_t failed = FLANK_NO_CPU;
	char text[160];
	int rc;

	if (c->flags || c->reserved)
		return FLANK_E_INVAL;
	switch (core->state) {
	case FLANK_DRV_EMPTY:
	case FLANK_DRV_STAGED:
		return FLANK_E_NOT_LOADED;
	case FLANK_DRV_RUNNING:
		return flank_fail(&c->err, FLANK_E_RUNNING, FLANK_SRC_DRIVER, 0,
				  FLANK_NO_CPU, "the VMM is already running");
	case FLANK_DRV_CORRUPT:
		return FLANK_E_CORRUPT;
	case FLANK_DRV_LOADED:
		break;
	}
	if (core->suspending)
		return flank_fail(&c->err, FLANK_E_SUSPENDING, FLANK_SRC_DRIVER,
				  0, FLANK_NO_CPU,
				  "the system is suspending, hibernating or "
				  "restoring a hibernation image: start Flank "
				  "again after resume");
	/*
	 * The driver's own check first: an image that executed VMXON on a
	 * CPU without VT-x would take #UD in ring 0 and bring the kernel down.
	 */
	rc = flank_host_ready(core, &c->err);
	if (rc) {
		flank_log(core, FLANK_LOG_ERROR, "start refused: %s",
			  c->err.text);
		return rc;
	}
	/*
	 * Every page the VMM holds must be mapped in HOST_CR3, which is copied
	 * afresh first; pages allocated from here on are checked one by one
	 * (core/hostmap.c).
	 */
	rc = flank_host_cr3_check(core, &c->err);
	if (rc) {
		flank_log(core, FLANK_LOG_ERROR, "%s", c->err.text);
		return rc;
	}
	memset(&core->unmapped, 0, sizeof(core->unmapped));
	core->vmx_live = true;
	rc = core->image.entry->start_all(&failed);
	if (rc) {
		core->vmx_live = false;
		if (core->unmapped.va) {
			rc = flank_unmapped_fail(core, &c->err, failed);
			flank_log(core, FLANK_LOG_ERROR, "start failed: %s",
				  c->err.text);
			return rc;
		}
		flank_vmm_text(core, rc, text, sizeof(text));
		flank_fail(&c->err, FLANK_E_VMM, FLANK_SRC_VMM, rc, failed,
			   "start failed on CPU %d: %s (every CPU was rolled "
			   "back)",
			   failed == FLANK_NO_CPU ? -1 : (int)failed, text);
		flank_log(core, FLANK_LOG_ERROR, "%s", c->err.text);
		return FLANK_E_VMM;
	}
	core->state = FLANK_DRV_RUNNING;
	/* From now on a crash makes every CPU leave VMX (core/stacks.c). */
	flank_crash_hook(core);
	flank_log(core, FLANK_LOG_INFO, "started on every online CPU");
	return FLANK_OK;
}

/*
 * Stops a running VMM; on failure the driver becomes CORRUPT. @p unloading:
 * called from flank_core_fini (see become_corrupt).
 */
static int stop_running(struct flank_core *core, struct flank_ioc_err *err,
			bool unloading)
{
	char text[160];
	int rc;

	rc = core->image.entry->stop_all();
	if (rc) {
		flank_vmm_text(core, rc, text, sizeof(text));
		flank_fail(err, FLANK_E_VMM, FLANK_SRC_VMM, rc, FLANK_NO_CPU,
			   "stop failed: %s; the image and flank.ko stay in "
			   "memory until reboot (rmmod is refused)",
			   text);
		flank_log(core, FLANK_LOG_ERROR, "%s", err->text);
		become_corrupt(core, unloading);
		return FLANK_E_VMM;
	}
	core->state = FLANK_DRV_LOADED;
	core->vmx_live = false;
	/* No CPU is in VMX operation: the crash callback has nothing to do. */
	flank_crash_unhook(core);
	flank_log(core, FLANK_LOG_INFO, "stopped on every CPU");
	return FLANK_OK;
}

int flank_cmd_stop(struct flank_core *core, void *arg)
{
	struct flank_ioc_cmd *c = arg;

	if (c->flags || c->reserved)
		return FLANK_E_INVAL;
	if (core->state == FLANK_DRV_CORRUPT)
		return FLANK_E_CORRUPT;
	if (core->state != FLANK_DRV_RUNNING)
		return FLANK_E_NOT_RUNNING;
	return stop_running(core, &c->err, false);
}

static int tramp_start_cpu(void *arg)
{
	const struct flank_image_entry *e = arg;

	return e->start_cpu();
}

static int tramp_stop_cpu(void *arg)
{
	const struct flank_image_entry *e = arg;

	return e->stop_cpu();
}

int flank_core_cpu_online(struct flank_core *core, uint32_t cpu)
{
	const struct flank_core_ops *ops = core->ops;
	char text[160];
	int rc = FLANK_OK;

	ops->lock(ops->ctx, true);
	if (core->state == FLANK_DRV_RUNNING) {
		memset(&core->unmapped, 0, sizeof(core->unmapped));
		/* The entry table is const; run_on_cpu's argument is not. */
		rc = ops->run_on_cpu(ops->ctx, cpu, tramp_start_cpu,
				     (void *)(uintptr_t)core->image.entry);
		if (rc && core->unmapped.va) {
			flank_unmapped_log_online(core, cpu);
			rc = FLANK_E_UNMAPPED;
		} else if (rc) {
			flank_vmm_text(core, rc, text, sizeof(text));
			flank_log(core, FLANK_LOG_ERROR,
				  "CPU %u came online but could not be "
				  "virtualised: %s; refusing to online it",
				  cpu, text);
			rc = FLANK_E_VMM;
		}
	}
	(void)flank_log_drain(core);
	ops->unlock(ops->ctx, true);
	return rc;
}

int flank_core_cpu_offline(struct flank_core *core, uint32_t cpu)
{
	const struct flank_core_ops *ops = core->ops;
	char text[160];
	int rc = FLANK_OK;

	ops->lock(ops->ctx, true);
	if (core->state == FLANK_DRV_RUNNING) {
		rc = ops->run_on_cpu(ops->ctx, cpu, tramp_stop_cpu,
				     (void *)(uintptr_t)core->image.entry);
		if (rc) {
			flank_vmm_text(core, rc, text, sizeof(text));
			flank_log(core, FLANK_LOG_ERROR,
				  "CPU %u goes offline but could not be "
				  "devirtualised: %s; the image stays in "
				  "memory until reboot",
				  cpu, text);
			become_corrupt(core, false);
			rc = FLANK_E_VMM;
		}
	}
	(void)flank_log_drain(core);
	ops->unlock(ops->ctx, true);
	return rc;
}

void flank_core_quiesce(struct flank_core *core, const char *why)
{
	const struct flank_core_ops *ops = core->ops;
	struct flank_ioc_err err;

	ops->lock(ops->ctx, false);
	if (core->state == FLANK_DRV_RUNNING) {
		flank_log(core, FLANK_LOG_INFO, "%s: stopping the VMM", why);
		(void)stop_running(core, &err, false);
	}
	(void)flank_log_drain(core);
	ops->unlock(ops->ctx, false);
}

/*
 * Suspend, hibernation and hibernation restore must not happen with a CPU
 * in VMX operation: the firmware's S3 path and the image kernel after a
 * restore inherit nothing of it, and a restore jumps into a kernel that
 * never ran under the VMM. Linux calls every *_PREPARE before it freezes
 * tasks and takes CPUs offline, and the matching POST_* afterwards, also
 * when a later step failed (pm_notifier_call_chain_robust). Between them
 * nothing may start the VMM again: an ioctl from a task not frozen yet
 * would otherwise succeed. RESTORE_PREPARE is the boot kernel (which may
 * have loaded flank.ko from its initramfs and started it) about to hand
 * over to the hibernation image.
 */
void flank_core_pm(struct flank_core *core, unsigned long event)
{
	const struct flank_core_ops *ops = core->ops;
	struct flank_ioc_err err;
	const char *why;

	switch (event) {
	case FLANK_PM_SUSPEND_PREPARE:
		why = "suspend";
		break;
	case FLANK_PM_HIBERNATION_PREPARE:
		why = "hibernation";
		break;
	case FLANK_PM_RESTORE_PREPARE:
		why = "restore from hibernation";
		break;
	case FLANK_PM_POST_SUSPEND:
	case FLANK_PM_POST_HIBERNATION:
	case FLANK_PM_POST_RESTORE:
		ops->lock(ops->ctx, false);
		if (core->suspending)
			flank_log(core, FLANK_LOG_INFO,
				  "resumed: the VMM stays stopped until "
				  "`flankctl start`");
		core->suspending = false;
		(void)flank_log_drain(core);
		ops->unlock(ops->ctx, false);
		return;
	default:
		return;
	}
	ops->lock(ops->ctx, false);
	core->suspending = true;
	if (core->state == FLANK_DRV_RUNNING) {
		flank_log(core, FLANK_LOG_INFO, "%s: stopping the VMM", why);
		(void)stop_running(core, &err, false);
	}
	(void)flank_log_drain(core);
	ops->unlock(ops->ctx, false);
}

void flank_core_fini(struct flank_core *core)
{
	const struct flank_core_ops *ops = core->ops;
	struct flank_ioc_err err;
	int rc;

	ops->lock(ops->ctx, false);
	if (core->state == FLANK_DRV_RUNNING)
		(void)stop_running(core, &err, true);
	if (core->state == FLANK_DRV_LOADED) {
		(void)flank_log_drain(core);
		rc = core->image.entry->fini();
		if (rc) {
			/* Its pages may still be in use: leak, never free. */
			flank_log(core, FLANK_LOG_ERROR,
				  "the VMM refused to unload (status %d): "
				  "leaking its memory",
				  rc);
			become_corrupt(core, true);
		} else {
			core->unlink(core);
			memset(&core->image, 0, sizeof(core->image));
			ring_free(core);
			core->nvmm_pages = 0;
			core->state = FLANK_DRV_EMPTY;
		}
	}
	/* CORRUPT: the image and its debug ring (core->ring_mem) stay. */
	if (core->state == FLANK_DRV_CORRUPT)
		flank_log(core, FLANK_LOG_ERROR,
			  "unloading flank.ko with the VMM in an unknown "
			  "state: its memory and its %u KiB debug ring are "
			  "leaked on purpose",
			  core->ring_kib);
	drop_staged(core);
	core->nmods = 0;
	if (core->state == FLANK_DRV_STAGED)
		core->state = FLANK_DRV_EMPTY;
	/* The module's code goes away: the kernel must not call it on a
	 * crash, even if a CPU may still be in VMX operation (CORRUPT). */
	flank_crash_unhook(core);
	(void)flank_log_drain(core);
	ops->unlock(ops->ctx, false);
}
