// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * Every CPU: start and stop over platform->run_on_cpu, rollback of CPUs
 * 0..k-1 when CPU k fails, and the state machine
 * UNLOADED → LOADED → RUNNING → STOPPING → LOADED, plus CORRUPT when a CPU
 * cannot be given back (its pages stay allocated: the CPU may use them).
 */
#include "vmm_internal.h"

static int start_fn(void *arg)
{
	return vmm_cpu_start(arg);
}

static int stop_fn(void *arg)
{
	return vmm_cpu_stop(arg);
}

static int on_cpu(uint32_t id, bool here, int (*fn)(void *), void *arg)
{
	int rc;

	if (here)
		return fn(arg);
	rc = vmm_ctx.platform.run_on_cpu(vmm_ctx.platform.ctx, id, fn, arg);
	return rc < 0 ? -1 : rc;
}

/*
 * The CPU's pages are hidden in the map (ept/hide.c): the guest may still
 * hold a translation of them, so they are not given back while the map
 * is in use; the CPU keeps them for its next start and frees them with
 * the map (free_kept()).
 */
static bool kept(const struct vmm_cpu *cpu)
{
	return cpu->hidden && vmm_ctx.ept.enabled;
}

/* Frees the pages every CPU kept (the map goes, no CPU runs). */
static void free_kept(void)
{
	for (uint32_t id = 0; id < vmm_ctx.ncpus; id++) {
		struct vmm_cpu *cpu = vmm_ctx.cpu[id];

		if (cpu != NULL && cpu->hidden && !cpu->running) {
			vmm_ctx.cpu[id] = NULL;
			vmm_cpu_free(cpu);
		}
	}
}

/*
 * With FLANK_HIDE_CPUS and a map: every CPU's pages, taken before any CPU
 * starts and hidden (docs/ept.md). On failure frees what it took.
 */
static int hide_cpus(void)
{
	int st = VMM_OK;

	if (!vmm_ctx.ept.enabled || vmm_ctx.ept.zero_pa == 0 ||
	    (vmm_ctx.platform.hide & FLANK_HIDE_CPUS) == 0)
		return VMM_OK;
	for (uint32_t id = 0; id < vmm_ctx.ncpus && st == VMM_OK; id++)
		vmm_ctx.cpu[id] = vmm_cpu_alloc(id, &st);
	if (st == VMM_OK)
		st = vmm_hide_cpus(&vmm_ctx.ept);
	if (st != VMM_OK) {
		for (uint32_t id = 0; id < vmm_ctx.ncpus; id++) {
			if (vmm_ctx.cpu[id] != NULL)
				vmm_cpu_free(vmm_ctx.cpu[id]);
			vmm_ctx.cpu[id] = NULL;
		}
	}
	return st;
}

/* Allocates (or takes its kept pages) and starts CPU @p id. A CPU stuck
 * in VMX keeps its pages. */
static int start_one(uint32_t id, bool here)
{
	struct vmm_cpu *cpu = vmm_ctx.cpu[id];
	int st = VMM_OK;

	if (cpu != NULL)
		vmm_cpu_reset(cpu);
	else
		cpu = vmm_cpu_alloc(id, &st);
	if (cpu == NULL)
		goto out;
	/* Before the first VM entry: vmm_log() finds the CPU's exit-handler
	 * mark through it from the first exit on (vmm_internal.h). */
	vmm_ctx.cpu[id] = cpu;
	st = on_cpu(id, here, start_fn, cpu);
	if (st < 0) {
		st = VMM_ERR_CPU_OFFLINE;
		goto err_free;
	}
	if (st == VMM_OK || st == VMM_ERR_VMXOFF) {
		if (st == VMM_OK)
			vmm_logf(FLANK_LOG_INFO, "cpu %u: running under Flank",
				 id);
		goto out;
	}
err_free:
	if (cpu->has_entry_failure) {
		vmm_ctx.entry_failure = cpu->entry_failure;
		vmm_ctx.entry_failure_cpu = id;
	}
	if (!kept(cpu)) {
		vmm_ctx.cpu[id] = NULL;
		vmm_cpu_free(cpu);
	}
out:
	if (st != VMM_OK)
		vmm_logf(FLANK_LOG_ERROR, "cpu %u: start failed: %s", id,
			 vmm_status_name(st));
	vmm_ctx.last_error[id] = (uint8_t)st;
	return st;
}

/* Stops CPU @p id if it runs, then frees its pages. */
static int stop_one(uint32_t id, bool here)
{
	struct vmm_cpu *cpu = vmm_ctx.cpu[id];
	int st = VMM_OK;

	if (cpu == NULL)
		return VMM_OK;
	if (cpu->running) {
		st = on_cpu(id, here, stop_fn, cpu);
		if (st < 0)
			st = VMM_ERR_CPU_OFFLINE;
		vmm_ctx.last_error[id] = (uint8_t)st;
		if (st != VMM_OK) {
			vmm_logf(FLANK_LOG_ERROR, "cpu %u: stop failed: %s", id,
				 vmm_status_name(st));
			return st;
		}
		vmm_logf(FLANK_LOG_INFO, "cpu %u: stopped, VMX off", id);
	}
	if (cpu->parked) {
		/* INIT parked it in the image's code (docs/exits.md): its
		 * pages and the image must outlive it. */
		vmm_ctx.last_error[id] = (uint8_t)VMM_ERR_UNHANDLED_EXIT;
		vmm_logf(FLANK_LOG_ERROR,
			 "cpu %u: parked after INIT, its pages stay", id);
		return VMM_ERR_UNHANDLED_EXIT;
	}
	if (cpu->changes.vmxon) {
		/* The VMM gave this CPU back on its own but VMXOFF failed:
		 * it is still in VMX operation, its pages stay in use. */
		vmm_ctx.last_error[id] = (uint8_t)VMM_ERR_VMXOFF;
		vmm_logf(FLANK_LOG_ERROR, "cpu %u: still in VMX operation", id);
		return VMM_ERR_VMXOFF;
	}
	if (kept(cpu))
		return VMM_OK;
	vmm_ctx.cpu[id] = NULL;
	vmm_cpu_free(cpu);
	return VMM_OK;
}

int vmm_start_all(uint32_t *failed_cpu)
{
	uint32_t id, n = vmm_ctx.ncpus;
	int st = VMM_OK;

	if (vmm_ctx.state != FLANK_STATE_LOADED)
		return VMM_ERR_BAD_STATE;
	/* Once per start, before any CPU uses it (docs/ept.md). */
	st = vmm_ept_start(&vmm_ctx.ept);
	if (st == VMM_OK) {
		st = hide_cpus();
		if (st != VMM_OK)
			vmm_ept_free(&vmm_ctx.ept);
	}
	if (st != VMM_OK) {
		if (failed_cpu != NULL)
			*failed_cpu =
				vmm_ctx.platform.cpu_id(vmm_ctx.platform.ctx);
		return st;
	}
	for (id = 0; id < n; id++) {
		st = start_one(id, false);
		if (st == VMM_ERR_CPU_OFFLINE)
			continue; /* cpuhp starts it when it comes online. */
		if (st != VMM_OK)
			break;
	}
	if (id == n) {
		vmm_ctx.state = FLANK_STATE_RUNNING;
		return VMM_OK;
	}
	if (failed_cpu != NULL)
		*failed_cpu = id;
	if (st == VMM_ERR_VMXOFF) {
		vmm_ctx.state = FLANK_STATE_CORRUPT;
		return st;
	}
	/* Roll back CPUs 0..id-1, newest first. */
	while (id-- > 0) {
		if (stop_one(id, false) != VMM_OK)
			vmm_ctx.state = FLANK_STATE_CORRUPT;
	}
	/* A CPU still in VMX may walk the map: it stays with the pages. */
	if (vmm_ctx.state != FLANK_STATE_CORRUPT) {
		free_kept();
		vmm_ept_free(&vmm_ctx.ept);
	}
	return st;
}

int vmm_stop_all(void)
{
	int first = VMM_OK;

	if (vmm_ctx.state != FLANK_STATE_RUNNING)
		return VMM_ERR_BAD_STATE;
	vmm_ctx.state = FLANK_STATE_STOPPING;
	for (uint32_t id = 0; id < vmm_ctx.ncpus; id++) {
		int st = stop_one(id, false);
		if (st != VMM_OK && first == VMM_OK)
			first = st;
	}
	vmm_ctx.state =
		first == VMM_OK ? FLANK_STATE_LOADED : FLANK_STATE_CORRUPT;
	/* Every CPU left VMX (each ran INVEPT before VMXOFF): the map goes. */
	if (first == VMM_OK) {
		free_kept();
		vmm_ept_free(&vmm_ctx.ept);
	}
	return first;
}

int vmm_start_cpu(void)
{
	uint32_t id;
	int st;

	if (vmm_ctx.state != FLANK_STATE_RUNNING)
		return VMM_ERR_BAD_STATE;
	id = vmm_ctx.platform.cpu_id(vmm_ctx.platform.ctx);
	if (id >= vmm_ctx.ncpus)
		return VMM_ERR_CPU_OFFLINE;
	if (vmm_ctx.cpu[id] != NULL) {
		if (vmm_ctx.cpu[id]->running)
			return VMM_ERR_ALREADY_RUNNING;
		/* The VMM left this CPU on its own (unhandled exit). */
		st = stop_one(id, true);
		if (st != VMM_OK)
			return st;
	}
	return start_one(id, true);
}

int vmm_stop_cpu(void)
{
	uint32_t id;

	if (vmm_ctx.state != FLANK_STATE_RUNNING)
		return VMM_ERR_BAD_STATE;
	id = vmm_ctx.platform.cpu_id(vmm_ctx.platform.ctx);
	if (id >= vmm_ctx.ncpus)
		return VMM_ERR_CPU_OFFLINE;
	if (vmm_ctx.cpu[id] == NULL || !vmm_ctx.cpu[id]->running)
		return VMM_ERR_NOT_RUNNING;
	return stop_one(id, true);
}

/* The entries cpu_status and exit_stats, through query.c: in VMX root or
 * outside VMX, never as a guest. @p id was checked. */
int vmm_cpu_status_here(uint32_t id, struct flank_cpu_status *out)
{
	const struct vmm_cpu *cpu = vmm_ctx.cpu[id];

	vmm_zero(out, sizeof(*out));
	out->cpu = id;
	out->last_error = vmm_ctx.last_error[id];
	if (cpu != NULL) {
		out->running = cpu->running ? 1u : 0u;
		/* The VMM gave this CPU back on its own: say why. */
		if (cpu->unhandled != 0)
			out->last_error = cpu->last_error;
		/* What the CPU runs with: the bits start set (CR4.VMXE)
		 * while running, its own CR4 otherwise. */
		out->cr4 = cpu->cr4_orig |
			   (cpu->running ? cpu->changes.cr4_set : 0);
		out->exits = cpu->exits;
		/* The VPID of the CPU's guest (vpid.c), 0: VPID off;
		 * flankctl shows it while the CPU runs. */
		out->vpid = vmm_vpid(cpu);
	}
	return VMM_OK;
}

int vmm_exit_stats_here(uint32_t id, struct flank_exit_stats *out)
{
	const struct vmm_cpu *cpu;

	vmm_zero(out, sizeof(*out));
	out->cpu = id;
	cpu = vmm_ctx.cpu[id];
	if (cpu != NULL) {
		vmm_copy(out->count, cpu->exit_count, sizeof(out->count));
		out->hidden_writes = cpu->hidden_writes;
	}
	return VMM_OK;
}

int vmm_last_entry_failure(uint32_t id, struct vmm_entry_failure *out)
{
	if (out == NULL || vmm_ctx.state == FLANK_STATE_UNLOADED ||
	    id >= vmm_ctx.ncpus || vmm_ctx.entry_failure_cpu != id)
		return VMM_ERR_BAD_ARGUMENT;
	*out = vmm_ctx.entry_failure;
	return VMM_OK;
}
