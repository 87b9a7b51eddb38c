// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * The host's calls that read or write the VMM's own pages (issue #18
 * section 3, docs/ept.md "The VMM's pages are not the guest's"): the image
 * entries cpu_status, exit_stats and ring_read, and the ring line of every
 * vmm_log() outside an exit handler. Outside VMX (before start, after
 * stop, a CPU Flank does not run) they read the per-CPU context pages, the
 * CPU table and the debug ring directly, as they always did. On a CPU
 * under Flank the calling code is a guest, and those pages are the VMM's:
 * there each call is a hypercall (FLANK_HC_CPU_STATUS .. FLANK_HC_RING_WRITE,
 * docs/hypercalls.md), answered in VMX root, so that the pages need never
 * be read as a guest (and can be hidden).
 *
 * The answer travels through one page of the VMM's own (vmm_ctx.answer,
 * from init): the handler writes it there, never to an address the guest
 * names, so no guest pointer is ever written in VMX root; the entry copies
 * it out to the caller's buffer as guest code. The page is the guest's to
 * read (it holds nothing the calls would not give it) and is never hidden.
 * The host serialises these calls (flank.ko holds its lock, as for every
 * call into the image): the page holds one answer at a time.
 *
 * Which way: the bit of the calling CPU in vmm_ctx.guest_cpus, which the
 * CPU sets just before its first VM entry and clears once it left VMX
 * non-root, in the image's memory. While any CPU runs under Flank, the
 * test and the call run on one CPU, pinned with the platform's run_on_cpu
 * (interrupts off): a thread moved between the two to a CPU that Flank
 * does not run would take #UD on the VMCALL (SDM Vol. 3C 31.3, VMCALL
 * outside VMX operation), one moved to a CPU Flank runs would read the
 * VMM's pages as a guest. With no CPU under Flank nothing is pinned. ring_read gives
 * at most one page per call either way (its callers read until 0).
 */
#include "flank/vmm_console.h"
#include "flank/vmm_hypercall.h"
#include "vmm_internal.h"

/* One call: its number, and its two arguments, which become its results. */
struct query {
	uint32_t nr;
	uint64_t a[2];
};

bool vmm_any_guest(void)
{
	uint64_t w = 0;

	for (uint32_t i = 0; i < VMM_MAX_CPUS / 64u; i++)
		w |= __atomic_load_n(&vmm_ctx.guest_cpus[i], __ATOMIC_RELAXED);
	return w != 0;
}

static uint32_t this_cpu(void)
{
	return vmm_ctx.platform.cpu_id(vmm_ctx.platform.ctx);
}

int vmm_query_answer(uint32_t cpu, uint32_t nr, uint64_t a0, uint64_t a1,
		     uint64_t *r0, uint64_t *r1)
{
	void *box = vmm_ctx.answer;

	if (nr == FLANK_HC_RING_READ) {
		*r1 = vmm_console_ring_read(
			&a0, box, a1 < VMM_PAGE_SIZE ? a1 : VMM_PAGE_SIZE);
		*r0 = a0;
		return VMM_OK;
	}
	if (nr == FLANK_HC_RING_WRITE) {
		if (a0 > FLANK_LOG_DEBUG)
			return VMM_ERR_BAD_ARGUMENT;
		/* vmm_console_write() reads at most VMM_RING_TEXT_MAX + 1
		 * bytes of the page. */
		*r0 = vmm_console_write(cpu, (enum flank_log_level)a0, box);
		return VMM_OK;
	}
	/* The CPU as the guest gave it: 64 bits, checked before narrowing. */
	if (a0 >= vmm_ctx.ncpus)
		return VMM_ERR_BAD_ARGUMENT;
	if (nr == FLANK_HC_CPU_STATUS)
		return vmm_cpu_status_here((uint32_t)a0, box);
	return vmm_exit_stats_here((uint32_t)a0, box);
}

/* Runs @p arg's call on the calling CPU: a hypercall if Flank runs it. */
static int query_here(void *arg)
{
	struct query *q = arg;
	uint32_t id = this_cpu();
	struct vmx_vmcall_regs regs;

	if (!vmm_guest_cpu(id))
		return vmm_query_answer(id, q->nr, q->a[0], q->a[1], &q->a[0],
					&q->a[1]);
	vmm_zero(&regs, sizeof(regs));
	regs.rax = FLANK_HC(q->nr);
	regs.rbx = q->a[0];
	regs.rcx = q->a[1];
	if (!vmx_ok(vmx_vmcall(&regs)) || regs.rax >= VMM_STATUS_COUNT)
		return VMM_ERR_HYPERCALL_UNKNOWN;
	q->a[0] = regs.rbx;
	q->a[1] = regs.rcx;
	return (int)regs.rax;
}

/*
 * Runs call @p nr with arguments @p a0, @p a1 (results in @p q): pinned to
 * the calling CPU if Flank runs it, else right here. The answer is in the
 * answer page afterwards (the host serialises its calls).
 */
static int query(struct query *q, uint32_t nr, uint64_t a0, uint64_t a1)
{
	const struct flank_platform *p = &vmm_ctx.platform;
	int rc;

	q->nr = nr;
	q->a[0] = a0;
	q->a[1] = a1;
	if (!vmm_any_guest())
		return query_here(q);
	rc = p->run_on_cpu(p->ctx, this_cpu(), query_here, q);
	return rc < 0 ? VMM_ERR_CPU_OFFLINE : rc;
}

/* cpu_status and exit_stats: @p len bytes of the answer into @p out. */
static int cpu_query(uint32_t nr, uint32_t id, void *out, size_t len)
{
	struct query q;
	int st;

	if (out == NULL || vmm_ctx.state == FLANK_STATE_UNLOADED ||
	    id >= vmm_ctx.ncpus)
		return VMM_ERR_BAD_ARGUMENT;
	st = query(&q, nr, id, 0);
	if (st == VMM_OK)
		vmm_copy(out, vmm_ctx.answer, len);
	return st;
}

int vmm_cpu_status(uint32_t id, struct flank_cpu_status *out)
{
	return cpu_query(FLANK_HC_CPU_STATUS, id, out, sizeof(*out));
}

int vmm_exit_stats(uint32_t id, struct flank_exit_stats *out)
{
	return cpu_query(FLANK_HC_EXIT_STATS, id, out, sizeof(*out));
}

size_t vmm_query_ring_read(uint64_t *pos, char *buf, size_t len)
{
	struct query q;

	if (pos == NULL || buf == NULL || len == 0 ||
	    vmm_ctx.state == FLANK_STATE_UNLOADED)
		return 0;
	if (!vmm_any_guest())
		return vmm_console_ring_read(pos, buf, len);
	if (query(&q, FLANK_HC_RING_READ, *pos, len) != VMM_OK || q.a[1] > len)
		return 0;
	vmm_copy(buf, vmm_ctx.answer, q.a[1]);
	*pos = q.a[0];
	return q.a[1];
}

void vmm_query_ring_write(enum flank_log_level level, const char *line)
{
	char *box = vmm_ctx.answer;
	struct query q;
	size_t n = 0;

	for (; line[n] != '\0' && n < VMM_RING_TEXT_MAX; n++)
		box[n] = line[n];
	box[n] = '\0';
	(void)query(&q, FLANK_HC_RING_WRITE, level, 0);
}
